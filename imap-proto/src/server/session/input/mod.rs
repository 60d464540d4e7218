//! The input side of [`ServerSession`]: framing, command dispatch by state, authentication,
//! STARTTLS, ENABLE, ID, IDLE, COMPRESS, APPEND streaming.
//!
//! Every command goes through the [`Assembler`] (RFC 9051 §2.2, §4.3, §7.5; RFC 7888 LITERAL+):
//! a whole command with its literals inline reaches [`Command::parse`]; the message literals of
//! an APPEND are streamed to the driver ([`append`]). What the session answers itself is in
//! [`commands`] and [`auth`]; the capability list in [`capability`].

mod append;
mod auth;
mod capability;
mod commands;

use std::time::Duration;

use sasl::Mechanism;

use super::*;
use crate::command::Command;
use crate::framing::{Assembler, Event as Frame, LiteralHeader, TooBig, tag_of};
use crate::response::Continue;

/// An answer the session waits for, besides the glue's [`ServerSession::complete`] (which the
/// session tracks with `in_progress`).
#[derive(Debug)]
enum Awaiting {
    /// [`ServerSession::auth_outcome`] for LOGIN (`mechanism` `None`) or AUTHENTICATE.
    Auth {
        tag: Tag<'static>,
        mechanism: Option<Mechanism>,
    },
    /// [`ServerSession::account_opened`]; no tag for a PREAUTH session.
    Account { tag: Option<Tag<'static>> },
    /// [`ServerSession::append_accept`] or [`ServerSession::append_refuse`].
    AppendMessage,
    /// [`ServerSession::tls_started`].
    Tls,
    /// [`ServerSession::compression_started`].
    Compress,
}

impl Awaiting {
    fn event_name(&self) -> &'static str {
        match self {
            Awaiting::Auth {
                mechanism: None, ..
            } => "Login",
            Awaiting::Auth { .. } => "Auth",
            Awaiting::Account { .. } => "OpenAccount",
            Awaiting::AppendMessage => "AppendMessage",
            Awaiting::Tls => "StartTls",
            Awaiting::Compress => "Compress",
        }
    }
}

/// What the input is being read as.
#[derive(Debug)]
enum Phase {
    /// Commands (RFC 9051 §6).
    Commands,
    /// An AUTHENTICATE exchange: the next line is the client's response (RFC 9051 §6.2.2).
    Sasl {
        tag: Tag<'static>,
        mechanism: Mechanism,
    },
    /// IDLE: the next line must be `DONE` (RFC 2177, RFC 9051 §6.3.13).
    Idle { tag: Tag<'static> },
    /// An APPEND whose message literals are streamed.
    Append(append::Append),
    /// After STARTTLS's `OK`, until the handshake is done: input is dropped.
    TlsHandshake,
    /// The session is over.
    Closed(CloseReason),
}

/// The state of the input side, a field of [`ServerSession`].
#[derive(Debug)]
pub(super) struct Input {
    pub(super) asm: Assembler,
    phase: Phase,
    awaiting: Option<Awaiting>,
    /// An event to return before reading further input.
    queued: Option<Event>,
    /// [`ServerSession::shutdown`] came while an answer was pending.
    shutdown_requested: bool,
    /// Failed logins so far ([`sasl::AuthPolicy::failure_closes`]).
    auth_failures: u32,
    /// Scratch copy of the message being handled.
    line: Vec<u8>,
    /// Literals announced so far in the command being assembled: only the first two (an
    /// APPEND's mailbox and message) are checked against the command's start, so that a
    /// command of many literals costs no more than its length.
    literals: u32,
}

impl Input {
    /// The input side of a new session.
    pub(super) fn new(config: &ServerConfig) -> Self {
        Input {
            asm: Assembler::new(config.limits),
            phase: Phase::Commands,
            awaiting: None,
            queued: None,
            shutdown_requested: false,
            auth_failures: 0,
            line: Vec::new(),
            literals: 0,
        }
    }
}

/// One step of the assembler, copied out of its buffer (`Message`, `Announced` and
/// `MessageEnd` leave their octets in `Input::line`).
enum Got {
    NeedInput,
    Message,
    Announced {
        header: LiteralHeader,
        continued: bool,
        fits_inline: bool,
    },
    Chunk(Vec<u8>),
    LiteralEnd,
    MessageEnd,
    TooBig {
        tag: Option<Tag<'static>>,
        what: TooBig,
    },
}

impl Input {
    /// The next step of the assembler; the prefix of an announcement is copied only when it
    /// will be looked at (never more than twice per command).
    fn next_frame(&mut self) -> Got {
        let want_prefix = match self.phase {
            Phase::Commands => self.literals < 2,
            Phase::Append(_) => true,
            _ => false,
        };
        let line = &mut self.line;
        let mut keep = |bytes: &[u8]| {
            line.clear();
            line.extend_from_slice(bytes);
        };
        match self.asm.next_event() {
            Frame::NeedInput => Got::NeedInput,
            Frame::Message(bytes) => {
                keep(bytes);
                Got::Message
            }
            Frame::LiteralAnnounced {
                header,
                prefix,
                continued,
                fits_inline,
            } => {
                if want_prefix {
                    keep(prefix);
                }
                Got::Announced {
                    header,
                    continued,
                    fits_inline,
                }
            }
            Frame::LiteralChunk(bytes) => Got::Chunk(bytes.to_vec()),
            Frame::LiteralEnd => Got::LiteralEnd,
            Frame::MessageEnd(bytes) => {
                keep(bytes);
                Got::MessageEnd
            }
            Frame::TooBig { tag, what, .. } => Got::TooBig {
                tag: tag.and_then(owned_tag),
                what,
            },
        }
    }
}

/// The tag at the start of a command's octets, owned ([`tag_of`]).
fn owned_tag(bytes: &[u8]) -> Option<Tag<'static>> {
    let text = std::str::from_utf8(bytes).ok()?;
    Tag::new(text.to_owned()).ok()
}

impl ServerSession {
    /// Writes the greeting (`* OK [CAPABILITY ...] ready`, or `* PREAUTH`, RFC 9051 §7.1.1,
    /// §7.1.4); a PREAUTH session's first event is [`Event::OpenAccount`].
    pub(super) fn greeting(&mut self) {
        let code = Some(Code::Capability(self.capabilities()));
        let host = &self.config.hostname;
        let (kind, text) = match (self.state, self.stats.user.clone()) {
            (State::Authenticated, Some(user)) => {
                self.input.queued = Some(Event::OpenAccount { user: user.clone() });
                self.input.awaiting = Some(Awaiting::Account { tag: None });
                (
                    StatusKind::PreAuth,
                    format!("{host} IMAP4rev2 server ready, logged in as {user}"),
                )
            }
            _ => (StatusKind::Ok, format!("{host} IMAP4rev2 server ready")),
        };
        self.untagged_status(kind, code, &text);
    }

    /// Marks `tag` as the command in progress, as `next_event` does for [`Event::Command`]
    /// (for the glue's unit tests, which run commands without parsing them).
    #[cfg(test)]
    #[allow(dead_code)] // used by the glue's tests
    pub(crate) fn begin(&mut self, tag: Tag<'static>) {
        self.in_progress = Some(tag);
    }

    /// Bytes read from the peer, in any split. Input after `STARTTLS` (before the handshake)
    /// and after the session closed is dropped (RFC 9051 §6.2.1).
    pub fn feed(&mut self, input: &[u8]) {
        if !matches!(self.input.phase, Phase::TlsHandshake | Phase::Closed(_)) {
            self.input.asm.feed(input);
        }
    }

    /// The next thing the driver must do (see the call order on [`ServerSession`]).
    pub fn next_event(&mut self) -> Result<Event, SessionError> {
        if let Some(event) = self.input.queued.take() {
            return Ok(event);
        }
        if let Some(awaiting) = &self.input.awaiting {
            return Err(SessionError::Unanswered(awaiting.event_name()));
        }
        if self.in_progress.is_some() {
            return Err(SessionError::Unanswered("Command/AppendEnd"));
        }
        // The glue's `BAD` answers count too.
        if self.stats.bad_commands > self.config.max_bad_commands {
            self.close(CloseReason::TooManyErrors);
        }
        if self.input.shutdown_requested {
            self.input.shutdown_requested = false;
            self.close(CloseReason::Shutdown);
            if let Some(event) = self.input.queued.take() {
                return Ok(event);
            }
        }
        loop {
            match self.input.phase {
                Phase::Closed(reason) => return Ok(Event::Close(reason)),
                Phase::TlsHandshake => return Ok(Event::NeedInput),
                _ => {}
            }
            // Back-pressure: let the output drain before taking another command.
            if self.output.len() > self.config.max_pending_output && self.input.asm.buffered() > 0 {
                return Ok(Event::Flush);
            }
            let got = self.input.next_frame();
            if let Got::NeedInput = got {
                // An idle connection keeps no large scratch buffer (memory per IDLE session).
                if self.input.line.capacity() > 8 * 1024 {
                    self.input.line = Vec::new();
                }
                return Ok(Event::NeedInput);
            }
            let event = match self.input.phase {
                Phase::Commands => self.commands_frame(got),
                Phase::Sasl { .. } => self.sasl_frame(got),
                Phase::Idle { .. } => self.idle_frame(got),
                Phase::Append(_) => self.append_frame(got),
                Phase::TlsHandshake | Phase::Closed(_) => None,
            };
            if let Some(event) = event {
                return Ok(event);
            }
            if let Some(event) = self.input.queued.take() {
                return Ok(event);
            }
        }
    }

    /// A step of the assembler while reading commands.
    fn commands_frame(&mut self, got: Got) -> Option<Event> {
        match got {
            Got::Message => {
                self.input.literals = 0;
                let line = std::mem::take(&mut self.input.line);
                let event = self.command_message(&line);
                self.input.line = line;
                event
            }
            Got::Announced {
                header,
                continued: false,
                fits_inline,
            } => {
                self.input.literals += 1;
                if self.input.literals > 2 {
                    // The command's start was checked at the first two.
                    self.take_inline(header, fits_inline);
                    return None;
                }
                self.literal_announced(header, fits_inline)
            }
            Got::TooBig { tag, what } => {
                self.input.literals = 0;
                self.too_big(tag, what);
                None
            }
            // Streamed literals happen only in the APPEND phase.
            Got::Announced { .. } => {
                let _ = self.input.asm.refuse();
                None
            }
            Got::Chunk(_) | Got::LiteralEnd | Got::MessageEnd | Got::NeedInput => None,
        }
    }

    /// A literal announced in a command that is not a streamed APPEND: taken inline (with `+`
    /// for a synchronizing one, RFC 9051 §7.5) unless the command is already wrong.
    fn literal_announced(&mut self, header: LiteralHeader, fits_inline: bool) -> Option<Event> {
        let prefix = std::mem::take(&mut self.input.line);
        let event = self.literal_in_command(&prefix, header, fits_inline);
        self.input.line = prefix;
        event
    }

    fn literal_in_command(
        &mut self,
        prefix: &[u8],
        header: LiteralHeader,
        fits_inline: bool,
    ) -> Option<Event> {
        if let Ok((head, used)) = crate::command::AppendHead::parse(prefix)
            && used == prefix.len()
        {
            self.input.literals = 0;
            return self.append_head(head);
        }
        match Command::parse(prefix) {
            Err(ParseError::Incomplete) => {}
            Err(error) => {
                self.input.literals = 0;
                let _ = self.input.asm.refuse();
                self.parse_failed(prefix, error);
                return None;
            }
            // A whole command before the literal's octets cannot be: the prefix ends with
            // the announcement.
            Ok(_) => {
                self.input.literals = 0;
                let _ = self.input.asm.refuse();
                self.bad(owned_tag_of(prefix), None, "Syntax error");
                return None;
            }
        }
        self.take_inline(header, fits_inline);
        None
    }

    /// Takes a literal into the command (`+ Ready` first for a synchronizing one, RFC 9051
    /// §7.5); one that does not fit the command limit is refused and reported by the
    /// assembler as [`Got::TooBig`] next.
    fn take_inline(&mut self, header: LiteralHeader, fits_inline: bool) {
        let accepted = self.input.asm.accept().is_ok();
        if fits_inline && accepted && header.is_synchronizing() {
            self.continuation("Ready");
        }
    }

    /// A message over a framer limit (RFC 9051 §7.1 `TOOBIG`; RFC 7889 for a literal over
    /// the APPEND limit).
    fn too_big(&mut self, tag: Option<Tag<'static>>, what: TooBig) {
        match what {
            TooBig::Literal { length } => {
                let text = format!(
                    "Literal of {length} octets is over the limit of {}",
                    self.config.limits.max_literal
                );
                match tag {
                    Some(tag) => self.tagged(tag, StatusKind::No, Some(Code::TooBig), &text),
                    None => self.bad(None, Some(Code::TooBig), &text),
                }
            }
            TooBig::Line { len } => self.bad(
                tag,
                Some(Code::TooBig),
                &format!(
                    "Line of {len} octets is over the limit of {}",
                    self.config.limits.max_line
                ),
            ),
            TooBig::Message { len } => self.bad(
                tag,
                Some(Code::TooBig),
                &format!(
                    "Command of {len} octets is over the limit of {}",
                    self.config.limits.max_message
                ),
            ),
        }
    }

    /// Writes `tag BAD ...` for a command that did not parse.
    fn parse_failed(&mut self, message: &[u8], error: ParseError) {
        let text = match error {
            ParseError::Invalid { expected, .. } if expected == crate::command::UNKNOWN_COMMAND => {
                "Unknown command".to_string()
            }
            ParseError::Invalid { expected, .. } => format!("Syntax error: expected {expected}"),
            ParseError::Incomplete => "Syntax error: missing arguments".to_string(),
            ParseError::TooDeep { limit, .. } => {
                format!("Syntax error: nested deeper than {limit} levels")
            }
            ParseError::NumberTooLarge { .. } => "Syntax error: number too large".to_string(),
        };
        self.bad(owned_tag_of(message), None, &text);
    }

    /// Writes `+ text` (RFC 9051 §7.6).
    fn continuation(&mut self, text: &str) {
        Response::Continue(Continue {
            code: None,
            text: text.into(),
        })
        .encode(&mut self.output);
    }

    /// Writes an untagged status response.
    fn untagged_status(&mut self, kind: StatusKind, code: Option<Code<'_>>, text: &str) {
        Response::Status(Status {
            tag: None,
            kind,
            code,
            text: text.into(),
        })
        .encode(&mut self.output);
    }

    /// Writes a tagged status response that completes a command the session handled itself.
    fn tagged(&mut self, tag: Tag<'static>, kind: StatusKind, code: Option<Code<'_>>, text: &str) {
        Response::Status(Status {
            tag: Some(tag),
            kind,
            code,
            text: text.into(),
        })
        .encode(&mut self.output);
        self.stats.commands += 1;
    }

    /// Answers a bad command with `tag BAD` (or `* BAD` without a tag); past
    /// [`ServerConfig::max_bad_commands`] of them, `* BYE` and close.
    fn bad(&mut self, tag: Option<Tag<'static>>, code: Option<Code<'_>>, text: &str) {
        self.stats.bad_commands += 1;
        match tag {
            Some(tag) => self.tagged(tag, StatusKind::Bad, code, text),
            None => self.untagged_status(StatusKind::Bad, code, text),
        }
        if self.stats.bad_commands > self.config.max_bad_commands {
            self.close(CloseReason::TooManyErrors);
        }
    }

    /// Ends the session with its farewell (`* BYE`, RFC 9051 §7.1.5). An APPEND being
    /// streamed is reported aborted first.
    fn close(&mut self, reason: CloseReason) {
        if matches!(self.input.phase, Phase::Closed(_)) {
            return;
        }
        let farewell = match reason {
            CloseReason::TooManyErrors => Some((None, "Too many bad commands")),
            CloseReason::TooManyAuthFailures => Some((None, "Too many authentication failures")),
            CloseReason::Timeout => Some((None, "Autologout; idle for too long")),
            CloseReason::Shutdown => Some((Some(Code::Unavailable), "Server shutting down")),
            CloseReason::StorageFailed => {
                Some((Some(Code::Unavailable), "Mail storage is unavailable"))
            }
            CloseReason::Logout | CloseReason::PeerClosed => None,
        };
        if let Some((code, text)) = farewell {
            self.untagged_status(StatusKind::Bye, code, text);
        }
        // In the APPEND phase outside `awaiting`, a message was accepted: it is to be dropped.
        if matches!(self.input.phase, Phase::Append(_)) && self.input.queued.is_none() {
            self.input.queued = Some(Event::AppendAborted);
        }
        self.input.asm.discard();
        self.input.phase = Phase::Closed(reason);
        self.state = State::Logout;
    }

    /// The answer to [`Event::StartTls`]: the handshake succeeded. The state stays NOT
    /// AUTHENTICATED; the capability list now offers the mechanisms TLS allows (RFC 9051
    /// §6.2.1: the client asks for it again).
    pub fn tls_started(&mut self) -> Result<(), SessionError> {
        if !matches!(self.input.awaiting, Some(Awaiting::Tls)) {
            return Err(SessionError::Unexpected("tls_started"));
        }
        self.input.awaiting = None;
        self.input.asm.discard();
        self.input.phase = Phase::Commands;
        self.stats.tls = true;
        Ok(())
    }

    /// The answer to [`Event::Compress`]: the streams are compressed from now on (RFC 4978).
    pub fn compression_started(&mut self) -> Result<(), SessionError> {
        if !matches!(self.input.awaiting, Some(Awaiting::Compress)) {
            return Err(SessionError::Unexpected("compression_started"));
        }
        self.input.awaiting = None;
        self.stats.compressed = true;
        Ok(())
    }

    /// How long the peer may stay silent in the current state (RFC 9051 §5.4): the driver calls
    /// [`ServerSession::timeout`] after that long without input. No time-out while the glue runs
    /// a command.
    pub fn autologout(&self) -> Duration {
        match self.state {
            State::NotAuthenticated => self.config.autologout_unauthenticated,
            _ => self.config.autologout,
        }
    }

    /// Whether the session is in IDLE (between [`Event::Idle`] and [`Event::IdleDone`]): the
    /// driver waits for mailbox changes as well as input (RFC 2177).
    pub fn idling(&self) -> bool {
        matches!(self.input.phase, Phase::Idle { .. })
    }

    /// The autologout time-out fired (RFC 9051 §5.4): queues `* BYE Autologout` and closes.
    /// Ignored while an event waits for its answer (the driver is busy, not the peer).
    pub fn timeout(&mut self) {
        if self.input.awaiting.is_none() && self.in_progress.is_none() {
            self.close(CloseReason::Timeout);
        }
    }

    /// The server is shutting down: queues `* BYE [UNAVAILABLE] Server shutting down` and
    /// closes. If an event waits for its answer (a command the glue runs, a login being
    /// checked), the session closes right after the answer, never in the middle of a response.
    pub fn shutdown(&mut self) {
        if self.input.awaiting.is_some() || self.in_progress.is_some() {
            self.input.shutdown_requested = true;
        } else {
            self.close(CloseReason::Shutdown);
        }
    }
}

/// The owned tag at the start of `message`, if it has a valid one.
fn owned_tag_of(message: &[u8]) -> Option<Tag<'static>> {
    tag_of(message).and_then(owned_tag)
}

use crate::cursor::ParseError;
