//! The sans-IO POP3 server session (RFC 1939 §3–§7, RFC 2449, RFC 2595, RFC 5034, RFC 6856).
//!
//! [`ServerSession`] holds no socket and no store: the driver feeds it bytes, takes
//! [`Event`]s from it, answers the events that need the application (credentials, the maildrop,
//! message bodies), and writes what it produces. See the type's documentation for the call order.
//!
//! The states of RFC 1939 §3:
//! ```text
//! greeting ──▶ AUTHORIZATION ──USER/PASS, APOP, AUTH──▶ (OpenMaildrop: lock, list) ──▶ TRANSACTION
//!                 │  ▲   STLS ─▶ TLS handshake ─┘                                        │
//!                 │  └────── -ERR (wrong credentials, maildrop locked) ◀─────────────────┘ (no)
//!                 └─ QUIT: +OK, close (nothing changed)        QUIT ─▶ UPDATE (remove the DELE'd) ─▶ close
//! ```
//! A connection that ends any other way (dropped, timed out, shut down) never reaches UPDATE:
//! nothing is deleted.

pub mod apop;
mod commands;
mod config;
mod event;
mod listing;
mod maildrop;
#[cfg(test)]
mod tests;

use std::sync::Arc;

pub use config::ServerConfig;
pub use event::{
    AuthOutcome, AuthStep, CloseReason, Event, MaildropEntry, MaildropError, UpdateOutcome,
};
pub use maildrop::NoMessage;

use listing::Listing;
use mail_framing::line::{Line, LineFramer};
use maildrop::Maildrop;
use sasl::Mechanism;

use crate::multiline::MultilineEncoder;
use crate::types::listing::MsgNum;
use crate::types::response::{Continuation, ResponseCode, StatusLine};

/// A call the session cannot take in its current state: a bug in the driver, never caused by
/// the peer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SessionError {
    /// `next_event` was called while an event still waits for its answer.
    #[error("the previous event ({0}) has not been answered")]
    Unanswered(&'static str),
    /// An answer came that no event asked for.
    #[error("{0} called, but no event asked for it")]
    Unexpected(&'static str),
}

/// What the session reports for the server's log line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct SessionStats {
    /// The authenticated user, once logged in.
    pub user: Option<String>,
    /// Whether TLS is active.
    pub tls: bool,
    /// Messages in the maildrop when it was opened.
    pub messages: u32,
    /// `RETR`/`TOP` responses completed.
    pub retrieved: u32,
    /// Octets of message data sent by them (before byte-stuffing).
    pub retrieved_octets: u64,
    /// Messages removed in the UPDATE state.
    pub deleted: u32,
}

/// The answer a session is waiting for.
#[derive(Debug)]
enum Awaiting {
    /// [`ServerSession::auth_outcome`]; `Some` during a SASL exchange.
    Auth(Option<Mechanism>),
    /// [`ServerSession::maildrop_opened`].
    Maildrop,
    /// The body of `RETR`/`TOP`.
    Body {
        msg: MsgNum,
        /// `RETR` (not `TOP`): the message counts as retrieved for `EXPIRE 0`.
        whole: bool,
        encoder: MultilineEncoder,
        status: Option<StatusLine<'static>>,
        octets: u64,
    },
    /// [`ServerSession::update_done`].
    Update(u32),
    /// [`ServerSession::tls_started`].
    Tls,
}

impl Awaiting {
    fn event_name(&self) -> &'static str {
        match self {
            Awaiting::Auth(_) => "Login/Apop/Auth",
            Awaiting::Maildrop => "OpenMaildrop",
            Awaiting::Body { .. } => "Retrieve",
            Awaiting::Update(_) => "Update",
            Awaiting::Tls => "StartTls",
        }
    }
}

/// Where the session is (RFC 1939 §3).
#[derive(Debug)]
enum Phase {
    /// AUTHORIZATION; `user` is the name given by `USER`, waiting for `PASS`.
    Authorization { user: Option<String> },
    /// AUTHORIZATION, in a SASL exchange: the next line is the client's response.
    SaslExchange(Mechanism),
    /// TRANSACTION: the maildrop is locked and numbered.
    Transaction,
    /// After `STLS`'s `+OK`, until the handshake is done.
    TlsHandshake,
    /// The session is over.
    Closed(CloseReason),
}

/// A server side POP3 session, without I/O.
///
/// # Call order
/// 1. [`ServerSession::new`] (or [`ServerSession::new_implicit_tls`] on a port-995 connection
///    after the TLS handshake) queues the `+OK` greeting in [`ServerSession::output`].
/// 2. [`ServerSession::feed`] the bytes read from the peer, in any split.
/// 3. Call [`ServerSession::next_event`] until it returns [`Event::NeedInput`] or
///    [`Event::Close`], answering each event that [needs an answer](Event::needs_answer) first.
/// 4. On [`Event::NeedInput`], write the output (the responses to pipelined commands, RFC 2449
///    §6.6, go out together), read, and go to 2. On [`Event::Flush`] (back-pressure: the output
///    is over [`ServerConfig::max_pending_output`], or a `LIST`/`UIDL` listing waits for it to
///    drain), write the output and go to 3 *without reading*: no further command is taken until
///    the output drains, so the session's memory stays bounded whatever the client pipelines.
///    On [`Event::Close`], write it and close.
/// 5. If the peer is idle too long, call [`ServerSession::timeout`] (RFC 1939 §3 autologout);
///    to stop the server, [`ServerSession::shutdown`]. Neither enters UPDATE.
///
/// Write the output whenever it grows large while streaming a body: [`ServerSession::take_output`]
/// or [`ServerSession::output`] + [`ServerSession::output_written`].
///
/// Malformed and out-of-place commands never reach the driver: the session answers them with
/// `-ERR` and closes after [`ServerConfig::max_bad_commands`] of them.
///
/// # Example
/// ```
/// use std::sync::Arc;
/// use pop3_proto::session::{AuthOutcome, Event, MaildropEntry, ServerConfig, ServerSession};
///
/// let mut config = ServerConfig::new("pop.example.org");
/// config.auth.allow_plaintext = true; // a test without TLS
/// let mut session = ServerSession::new(Arc::new(config));
/// session.feed(b"USER alice\r\nPASS secret\r\nSTAT\r\nRETR 1\r\nDELE 1\r\nQUIT\r\n");
/// let mut deleted = Vec::new();
/// loop {
///     match session.next_event().unwrap() {
///         Event::NeedInput | Event::Close(_) => break,
///         Event::Flush => {} // a real driver writes `session.output()` here
///         Event::Login { user, .. } => session
///             .auth_outcome(AuthOutcome::Success { identity: user })
///             .unwrap(),
///         Event::OpenMaildrop { .. } => session
///             .maildrop_opened(Ok(vec![MaildropEntry { id: 7, size: 17, unique_id: "1.7".into() }]))
///             .unwrap(),
///         Event::Retrieve { id: 7, .. } => {
///             session.body(b"Subject: hi\n\n.x\n").unwrap();
///             session.body_end().unwrap();
///         }
///         Event::Update { deleted: ids } => {
///             deleted = ids;
///             session.update_done(pop3_proto::session::UpdateOutcome::Done).unwrap();
///         }
///         other => panic!("unexpected {other:?}"),
///     }
/// }
/// assert_eq!(deleted, vec![7]);
/// let out = String::from_utf8(session.take_output()).unwrap();
/// assert!(out.contains("+OK 1 17\r\n"));
/// assert!(out.contains("+OK 17 octets\r\nSubject: hi\r\n\r\n..x\r\n.\r\n"));
/// ```
#[derive(Debug)]
pub struct ServerSession {
    config: Arc<ServerConfig>,
    input: LineFramer,
    output: Vec<u8>,
    /// Scratch copy of the line being handled.
    line: Vec<u8>,
    phase: Phase,
    awaiting: Option<Awaiting>,
    /// An event to return before reading further input.
    queued: Option<Event>,
    /// The driver asked to stop while an answer was pending.
    shutdown_requested: bool,
    utf8: bool,
    apop_timestamp: Option<String>,
    maildrop: Maildrop,
    /// A `LIST`/`UIDL` listing being written as the output drains.
    listing: Option<Listing>,
    bad_commands: u32,
    auth_failures: u32,
    stats: SessionStats,
}

impl ServerSession {
    /// A session on a plain connection; the greeting is queued in the output.
    pub fn new(config: Arc<ServerConfig>) -> Self {
        Self::start(config, false)
    }

    /// A session on a connection that is TLS from its first byte (RFC 8314, port 995).
    pub fn new_implicit_tls(config: Arc<ServerConfig>) -> Self {
        Self::start(config, true)
    }

    fn start(config: Arc<ServerConfig>, tls: bool) -> Self {
        let apop_timestamp = config.apop.then(|| apop::timestamp(&config.hostname));
        let mut session = Self {
            input: LineFramer::new(),
            output: Vec::with_capacity(4096),
            line: Vec::new(),
            phase: Phase::Authorization { user: None },
            awaiting: None,
            queued: None,
            shutdown_requested: false,
            utf8: false,
            apop_timestamp,
            maildrop: Maildrop::default(),
            listing: None,
            bad_commands: 0,
            auth_failures: 0,
            stats: SessionStats {
                tls,
                ..SessionStats::default()
            },
            config,
        };
        let mut text = format!("{} POP3 server ready", session.config.hostname);
        if let Some(ts) = &session.apop_timestamp {
            text.push(' ');
            text.push_str(ts);
        }
        StatusLine::ok(text).write_to(&mut session.output);
        session
    }

    /// The configuration this session runs with.
    pub fn config(&self) -> &ServerConfig {
        &self.config
    }

    /// The `APOP` timestamp of the greeting (RFC 1939 §7), when [`ServerConfig::apop`] is on.
    pub fn apop_timestamp(&self) -> Option<&str> {
        self.apop_timestamp.as_deref()
    }

    /// Counters for the server's log line.
    pub fn stats(&self) -> &SessionStats {
        &self.stats
    }

    /// Whether TLS is active (implicit, or after `STLS`).
    pub fn is_tls(&self) -> bool {
        self.stats.tls
    }

    /// Whether the session is in the TRANSACTION state (the maildrop is locked).
    pub fn in_transaction(&self) -> bool {
        matches!(self.phase, Phase::Transaction)
    }

    /// Bytes read from the peer. Input after `STLS` (before the handshake) and after the session
    /// closed is discarded.
    pub fn feed(&mut self, bytes: &[u8]) {
        if !matches!(self.phase, Phase::TlsHandshake | Phase::Closed(_)) {
            self.input.feed(bytes);
        }
    }

    /// Bytes to write to the peer, in order.
    pub fn output(&self) -> &[u8] {
        &self.output
    }

    /// Removes the first `n` bytes of the output (they were written).
    pub fn output_written(&mut self, n: usize) {
        let n = n.min(self.output.len());
        self.output.drain(..n);
    }

    /// Takes the bytes to write, leaving the output empty.
    pub fn take_output(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.output)
    }

    /// The next event: handles complete lines until one needs the driver.
    pub fn next_event(&mut self) -> Result<Event, SessionError> {
        if let Some(event) = self.queued.take() {
            return Ok(event);
        }
        if let Some(awaiting) = &self.awaiting {
            return Err(SessionError::Unanswered(awaiting.event_name()));
        }
        if self.shutdown_requested {
            self.shutdown_requested = false;
            self.close(CloseReason::Shutdown);
        }
        loop {
            if let Phase::Closed(reason) = self.phase {
                return Ok(Event::Close(reason));
            }
            // Back-pressure: finish what is being written before taking another command.
            if !self.continue_listing() || self.output_full() {
                return Ok(Event::Flush);
            }
            let sasl = matches!(self.phase, Phase::SaslExchange(_));
            let limit = if sasl {
                self.config.max_auth_line_length
            } else {
                self.config.max_line_length
            };
            let range = match self.input.next_line(limit) {
                Line::Incomplete => return Ok(Event::NeedInput),
                Line::TooLong { len } => {
                    if sasl {
                        self.phase = Phase::Authorization { user: None };
                    }
                    self.bad_command(StatusLine::err(format!(
                        "Line too long ({len} octets, at most {limit})"
                    )));
                    continue;
                }
                Line::Complete(range) => range,
            };
            let mut line = std::mem::take(&mut self.line);
            line.clear();
            line.extend_from_slice(self.input.get(range));
            let event = if sasl {
                self.sasl_line(&line)
            } else {
                self.command_line(&line)
            };
            self.line = line;
            if let Some(event) = event {
                return Ok(event);
            }
        }
    }

    /// Back-pressure: pending output over the bound while a pipelined command waits.
    fn output_full(&self) -> bool {
        self.output.len() > self.config.max_pending_output && self.input.buffered() > 0
    }

    /// The driver's answer to [`Event::Login`], [`Event::Apop`] or [`Event::Auth`].
    pub fn auth_outcome(&mut self, outcome: AuthOutcome) -> Result<(), SessionError> {
        let Some(Awaiting::Auth(sasl)) = self.awaiting else {
            return Err(SessionError::Unexpected("auth_outcome"));
        };
        match outcome {
            AuthOutcome::Challenge(challenge) => {
                let Some(mechanism) = sasl else {
                    return Err(SessionError::Unexpected("auth_outcome(Challenge)"));
                };
                Continuation::encode(&challenge).write_to(&mut self.output);
                self.phase = Phase::SaslExchange(mechanism);
            }
            AuthOutcome::Success { identity } => {
                self.phase = Phase::Authorization { user: None };
                self.stats.user = Some(identity.clone());
                self.queued = Some(Event::OpenMaildrop { user: identity });
                self.awaiting = Some(Awaiting::Maildrop);
                return Ok(());
            }
            AuthOutcome::Failure => {
                self.phase = Phase::Authorization { user: None };
                self.auth_failures += 1;
                if self.config.auth.failure_closes(self.auth_failures) {
                    self.close(CloseReason::TooManyAuthFailures);
                } else {
                    StatusLine::err("Authentication failed")
                        .with_code(ResponseCode::Auth)
                        .write_to(&mut self.output);
                }
            }
            AuthOutcome::Temporary => {
                self.phase = Phase::Authorization { user: None };
                StatusLine::err("Authentication temporarily unavailable, try again later")
                    .with_code(ResponseCode::SysTemp)
                    .write_to(&mut self.output);
            }
        }
        self.awaiting = None;
        Ok(())
    }

    /// The driver's answer to [`Event::OpenMaildrop`]: the maildrop's messages in the order to
    /// number them, or why it could not be opened (the session then stays in AUTHORIZATION, as
    /// RFC 1939 §7 allows; the driver must not hold the lock).
    pub fn maildrop_opened(
        &mut self,
        result: Result<Vec<MaildropEntry>, MaildropError>,
    ) -> Result<(), SessionError> {
        if !matches!(self.awaiting, Some(Awaiting::Maildrop)) || self.queued.is_some() {
            return Err(SessionError::Unexpected("maildrop_opened"));
        }
        self.awaiting = None;
        let refuse = |code, text: &str| StatusLine::err(text.to_owned()).with_code(code);
        let line = match result.map(Maildrop::new) {
            Ok(Ok(maildrop)) => {
                self.maildrop = maildrop;
                self.phase = Phase::Transaction;
                let stat = self.maildrop.stat();
                self.stats.messages = stat.count;
                let user = self.stats.user.as_deref().unwrap_or_default();
                StatusLine::ok(format!(
                    "{user}'s maildrop has {} messages ({} octets)",
                    stat.count, stat.size
                ))
            }
            Ok(Err(bad_uid)) => refuse(
                ResponseCode::SysPerm,
                &format!("Maildrop cannot be listed: {bad_uid}"),
            ),
            Err(MaildropError::InUse) => {
                refuse(ResponseCode::InUse, "Maildrop is locked by another session")
            }
            Err(MaildropError::Temporary) => refuse(
                ResponseCode::SysTemp,
                "Maildrop temporarily unavailable, try again later",
            ),
            Err(MaildropError::Permanent) => {
                refuse(ResponseCode::SysPerm, "Maildrop cannot be opened")
            }
        };
        if !line.is_ok() {
            self.stats.user = None;
        }
        line.write_to(&mut self.output);
        Ok(())
    }

    /// Whether the body being sent for [`Event::Retrieve`] takes more input: false once `TOP`
    /// has all its lines (the driver can stop reading the message), and when no body is
    /// awaited.
    pub fn wants_body(&self) -> bool {
        matches!(&self.awaiting, Some(Awaiting::Body { encoder, .. }) if encoder.wants_more())
    }

    /// The next chunk of the message of [`Event::Retrieve`], any size, split anywhere. It is
    /// byte-stuffed into the output, with bare line ends made CRLF.
    pub fn body(&mut self, chunk: &[u8]) -> Result<(), SessionError> {
        let Some(Awaiting::Body {
            encoder,
            status,
            octets,
            ..
        }) = &mut self.awaiting
        else {
            return Err(SessionError::Unexpected("body"));
        };
        if let Some(status) = status.take() {
            status.write_to(&mut self.output);
        }
        *octets += chunk.len() as u64;
        encoder.encode(chunk, &mut self.output);
        Ok(())
    }

    /// The message of [`Event::Retrieve`] is complete: ends the multi-line response.
    pub fn body_end(&mut self) -> Result<(), SessionError> {
        let Some(Awaiting::Body {
            msg,
            whole,
            encoder,
            status,
            octets,
        }) = self.awaiting.take()
        else {
            return Err(SessionError::Unexpected("body_end"));
        };
        if whole {
            self.maildrop.mark_retrieved(msg);
        }
        if let Some(status) = status {
            status.write_to(&mut self.output);
        }
        encoder.finish(&mut self.output);
        self.stats.retrieved += 1;
        self.stats.retrieved_octets += octets;
        Ok(())
    }

    /// Reading the message of [`Event::Retrieve`] failed. Before any [`ServerSession::body`]
    /// the client gets `-ERR [SYS/TEMP]`; after, the response cannot be completed and the
    /// session closes ([`CloseReason::StorageFailed`]), without UPDATE.
    pub fn body_failed(&mut self) -> Result<(), SessionError> {
        let Some(Awaiting::Body { msg, status, .. }) = self.awaiting.take() else {
            return Err(SessionError::Unexpected("body_failed"));
        };
        if status.is_some() {
            StatusLine::err(format!("Message {msg} cannot be read now"))
                .with_code(ResponseCode::SysTemp)
                .write_to(&mut self.output);
        } else {
            self.close(CloseReason::StorageFailed);
        }
        Ok(())
    }

    /// The driver's answer to [`Event::Update`]: the session answers `QUIT` and closes.
    pub fn update_done(&mut self, outcome: UpdateOutcome) -> Result<(), SessionError> {
        let Some(Awaiting::Update(count)) = self.awaiting else {
            return Err(SessionError::Unexpected("update_done"));
        };
        self.awaiting = None;
        self.phase = Phase::Closed(CloseReason::Quit);
        match outcome {
            UpdateOutcome::Done => {
                self.stats.deleted = count;
                StatusLine::ok(format!(
                    "{} POP3 server signing off ({count} messages deleted)",
                    self.config.hostname
                ))
            }
            UpdateOutcome::Partial => StatusLine::err("Some deleted messages not removed")
                .with_code(ResponseCode::SysTemp),
        }
        .write_to(&mut self.output);
        Ok(())
    }

    /// The TLS handshake after [`Event::StartTls`] succeeded: the session starts over in
    /// AUTHORIZATION, knowing nothing from before (RFC 2595 §4).
    pub fn tls_started(&mut self) -> Result<(), SessionError> {
        if !matches!(self.awaiting, Some(Awaiting::Tls)) {
            return Err(SessionError::Unexpected("tls_started"));
        }
        self.awaiting = None;
        self.input.discard();
        self.phase = Phase::Authorization { user: None };
        self.utf8 = false;
        self.stats.tls = true;
        Ok(())
    }

    /// The peer was idle too long (RFC 1939 §3 autologout: no UPDATE): queues `-ERR` and closes.
    pub fn timeout(&mut self) {
        if self.awaiting.is_none() {
            self.close(CloseReason::Timeout);
        }
    }

    /// The server is stopping: queues `-ERR [SYS/TEMP]` and closes, without UPDATE. If an event
    /// waits for its answer, the session closes right after the answer (an UPDATE under way is
    /// finished, never cut in half).
    pub fn shutdown(&mut self) {
        if self.awaiting.is_some() || self.queued.is_some() {
            self.shutdown_requested = true;
        } else {
            self.close(CloseReason::Shutdown);
        }
    }

    /// Ends the session, with its farewell line.
    fn close(&mut self, reason: CloseReason) {
        if matches!(self.phase, Phase::Closed(_)) {
            return;
        }
        if let Some(line) = reason.farewell(&self.config.hostname) {
            line.write_to(&mut self.output);
        }
        self.input.discard();
        self.listing = None;
        self.phase = Phase::Closed(reason);
    }

    /// Answers a bad command; closes after too many.
    fn bad_command(&mut self, response: StatusLine<'_>) {
        self.bad_commands += 1;
        if self.bad_commands > self.config.max_bad_commands {
            self.close(CloseReason::TooManyErrors);
        } else {
            response.write_to(&mut self.output);
        }
    }
}
