//! The sans-IO IMAP client session (RFC 9051, RFC 3501).
//!
//! [`ClientSession`] holds the protocol rules of the client side: the greeting, tags,
//! capability tracking, the continuation dance for synchronizing literals (none for `{n+}` when
//! the server offers LITERAL+ or LITERAL-, RFC 7888), STARTTLS (RFC 9051 §6.2.1), LOGIN and
//! AUTHENTICATE through [`sasl::ClientSession`] (with SASL-IR, RFC 4959), SELECT/EXAMINE into a
//! typed [`MailboxState`], IDLE/DONE (RFC 2177), APPEND (also streamed), pipelining, and the
//! routing of untagged data to the command that asked for it. It never touches a socket: see
//! [`ClientSession`] for the call order.
//!
//! # Design
//! - Responses are framed by [`crate::framing::Assembler`] (literals inline, or streamed over
//!   [`ClientConfig::stream_literals_over`]), parsed once by [`Response::parse`] (the one reader
//!   of responses in the crate) and copied once into an owned [`Response<'static>`]
//!   ([`Response::into_owned`]): the events carry typed values (FETCH items with ENVELOPE and
//!   BODYSTRUCTURE, LIST, ESEARCH...), and the framer's buffer is free for the next response.
//! - Commands are written by the session's own methods, by [`ClientSession::send`] from
//!   [`crate::command::CommandBody`], or by [`ClientSession::command`] from raw syntax; all are
//!   queued, tagged and sent under the same rules: after the greeting; nothing after a
//!   synchronizing literal until its `+`; a state-changing command (LOGIN, AUTHENTICATE,
//!   STARTTLS, SELECT, EXAMINE, CLOSE, UNSELECT, IDLE, LOGOUT) alone on the wire; a
//!   sequence-number command not beside an expunging one (RFC 9051 §5.5).
//! - Untagged data goes to the oldest command in flight that asked for it (FETCH to
//!   FETCH/STORE, LIST to LIST, SEARCH/ESEARCH to SEARCH...), else out as unsolicited; either
//!   way EXISTS, EXPUNGE, FLAGS and the mailbox codes update [`ClientSession::mailbox`].

mod auth;
mod capability;
mod commands;
mod dispatch;
mod error;
mod mailbox;
#[cfg(test)]
mod tests;

use std::collections::VecDeque;

pub use crate::response::{Code, Response, Status, StatusKind};
pub use capability::Capabilities;
pub use error::{ClientError, Fault};
pub use mailbox::MailboxState;

use crate::encode::{Encoder, LiteralStyle};
use crate::framing::{self, Assembler, AutoAccept, FramerLimits};
use auth::AuthState;

/// How the session behaves; fixed for the connection.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// Tags are this prefix followed by a counter (`A0001`, `A0002`, ...).
    pub tag_prefix: String,
    /// Digits of the counter, zero-padded.
    pub tag_width: usize,
    /// Send LOGIN, or AUTHENTICATE with a mechanism that sends a reusable credential (PLAIN,
    /// XOAUTH2...), without TLS. Off by default (RFC 9051 §11.1, RFC 8314).
    pub allow_plaintext_credentials: bool,
    /// Send commands without waiting for the previous one's completion where that is safe
    /// (RFC 9051 §5.5). Commands that change the connection's state are never pipelined.
    pub pipelining: bool,
    /// Send CAPABILITY by itself whenever the capabilities are unknown: after a greeting
    /// without a `CAPABILITY` code, after STARTTLS, and after a login whose OK carries none.
    pub auto_capability: bool,
    /// Write non-synchronizing literals (`{n+}`) when the server allows them (LITERAL+ or
    /// LITERAL-, RFC 7888; IMAP4rev2). Off: every literal is synchronizing and waits for the
    /// server's `+` (RFC 9051 §4.3).
    pub literal_plus: bool,
    /// Longest response accepted, literals included, in octets.
    pub max_response_size: usize,
    /// Most untagged responses kept for one command before its completion.
    pub max_untagged_per_command: usize,
    /// Hand literals of responses longer than this on in pieces ([`Event::LiteralStart`],
    /// [`Event::LiteralData`], [`Event::LiteralEnd`]) instead of holding them: a large
    /// `BODY[]` is never buffered whole. The response then comes with `NIL` in the literal's
    /// place. `None` (the default): every literal inline, within `max_response_size`.
    pub stream_literals_over: Option<u64>,
}

impl Default for ClientConfig {
    /// `A0001` tags, no credentials in the clear, pipelining, automatic CAPABILITY,
    /// non-synchronizing literals where allowed, 64 MiB responses, 1,000,000 untagged responses
    /// per command.
    fn default() -> Self {
        ClientConfig {
            tag_prefix: "A".to_owned(),
            tag_width: 4,
            allow_plaintext_credentials: false,
            pipelining: true,
            auto_capability: true,
            literal_plus: true,
            max_response_size: 64 << 20,
            max_untagged_per_command: 1_000_000,
            stream_literals_over: None,
        }
    }
}

/// The connection's state (RFC 9051 §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConnectionState {
    /// Waiting for the server's greeting.
    Greeting,
    /// §3.1: LOGIN, AUTHENTICATE or STARTTLS needed.
    NotAuthenticated,
    /// §3.2: logged in, no mailbox selected.
    Authenticated,
    /// §3.3: a mailbox is selected ([`ClientSession::mailbox`]).
    Selected,
    /// §3.4: the server said BYE or LOGOUT completed; close the connection.
    Logout,
}

/// A command's completion: its tagged status and the untagged data the session routed to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completion {
    /// The command's tag.
    pub tag: String,
    /// The command's name, upper case (`"UID FETCH"`, `"SELECT"`).
    pub command: String,
    /// The tagged status response (RFC 9051 §7.1): `OK`, `NO` or `BAD`, code and text.
    pub status: Status<'static>,
    /// The untagged responses that answered the command, in order, typed.
    pub untagged: Vec<Response<'static>>,
}

impl Completion {
    /// Whether the command succeeded (`OK`).
    pub fn is_ok(&self) -> bool {
        self.status.kind == StatusKind::Ok
    }

    /// `OK`, `NO` or `BAD`.
    pub fn kind(&self) -> StatusKind {
        self.status.kind
    }

    /// The response code, if any (RFC 9051 §7.1).
    pub fn code(&self) -> Option<&Code<'static>> {
        self.status.code.as_ref()
    }

    /// The human-readable text.
    pub fn text(&self) -> &str {
        &self.status.text
    }
}

/// What the session needs from its caller; returned by [`ClientSession::next_event`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// Write [`ClientSession::output`], read from the connection and
    /// [`feed`](ClientSession::feed) what arrived.
    NeedInput,
    /// The server's greeting: an untagged `OK`, `PREAUTH` or `BYE` with its code (often
    /// `CAPABILITY`) and text (RFC 9051 §7.1).
    Greeting(Status<'static>),
    /// A command completed.
    Done(Completion),
    /// Untagged data no command asked for: EXISTS, EXPUNGE, FETCH with new flags, BYE, alerts.
    /// The selected mailbox's state already reflects it.
    Untagged(Response<'static>),
    /// The server accepted IDLE (`+`): untagged data follows as [`Event::Untagged`] until
    /// [`ClientSession::done`].
    Idling {
        /// The IDLE command's tag.
        tag: String,
    },
    /// A streamed APPEND may send its message now: call [`ClientSession::append_data`] until
    /// the announced length is written.
    AppendReady {
        /// The APPEND command's tag.
        tag: String,
    },
    /// A literal of a response, longer than [`ClientConfig::stream_literals_over`], begins; its
    /// octets follow as [`Event::LiteralData`] until [`Event::LiteralEnd`], then the rest of
    /// the response as usual (with `NIL` in the literal's place).
    LiteralStart {
        /// The message number, when the response is `* n FETCH`.
        fetch: Option<u32>,
        /// The response up to the literal (`* 12 FETCH (UID 7 BODY[] `): which item it is.
        prefix: Vec<u8>,
        /// The literal's length.
        length: u64,
    },
    /// A piece of the streamed literal, as it arrived.
    LiteralData(Vec<u8>),
    /// The streamed literal is complete.
    LiteralEnd,
    /// STARTTLS succeeded: write the output, perform the TLS handshake as a client, then call
    /// [`ClientSession::tls_started`]. Input received before the handshake was discarded.
    StartTls,
    /// The session is over (LOGOUT completed, or the server said BYE): close the connection.
    Closed,
}

/// What the session must do for a command beyond sending it.
#[derive(Debug)]
enum Special {
    Plain,
    StartTls,
    Login,
    Authenticate(Box<AuthState>),
    Select(Box<MailboxState>),
    /// CLOSE or UNSELECT: no mailbox selected afterwards.
    Deselect,
    Idle {
        idling: bool,
        done_requested: bool,
        done_sent: bool,
    },
    /// A streamed APPEND: octets still to come from the application.
    AppendStream {
        remaining: u64,
        ready: bool,
    },
    Logout,
}

/// A command built but not yet sent.
#[derive(Debug)]
struct Queued {
    tag: String,
    name: String,
    bytes: Vec<u8>,
    waits: Vec<usize>,
    special: Special,
}

/// A command sent (at least in part).
#[derive(Debug)]
struct InFlight {
    tag: String,
    name: String,
    /// Fragments still to send, each after a `+`.
    rest: VecDeque<Vec<u8>>,
    special: Special,
    untagged: Vec<Response<'static>>,
}

impl InFlight {
    /// Whether this command waits for a continuation request.
    fn awaits_continuation(&self) -> bool {
        !self.rest.is_empty()
            || match &self.special {
                Special::Authenticate(_) => true,
                Special::Idle { idling, .. } => !idling,
                Special::AppendStream { ready, .. } => !ready,
                _ => false,
            }
    }

    /// Whether nothing may be sent after this command until it progresses.
    fn blocks_queue(&self) -> bool {
        !self.rest.is_empty()
            || match &self.special {
                Special::Plain => false,
                Special::AppendStream { remaining, .. } => *remaining > 0,
                _ => true,
            }
    }
}

/// Whether a command changes the connection's state, so that nothing may be in flight beside
/// it (RFC 9051 §5.5).
fn is_exclusive(special: &Special) -> bool {
    !matches!(special, Special::Plain | Special::AppendStream { .. })
}

/// The client side of one IMAP connection, without I/O.
///
/// # Call order
/// 1. [`ClientSession::new`] once the connection is open (or
///    [`ClientSession::with_implicit_tls`] on port 993). Commands may be queued at once; they
///    go out after the greeting.
/// 2. Loop on [`ClientSession::next_event`]; whenever [`ClientSession::output`] is not empty,
///    write it (then [`ClientSession::clear_output`]); always before reading:
///    - [`Event::NeedInput`]: read, then [`ClientSession::feed`] the bytes (any split);
///    - [`Event::Greeting`], [`Event::Done`], [`Event::Untagged`]: act on them, and queue
///      commands with the methods below ([`ClientSession::login`], [`ClientSession::select`],
///      [`ClientSession::command`]...), each of which returns the command's tag;
///    - [`Event::StartTls`]: TLS handshake, then [`ClientSession::tls_started`];
///    - [`Event::Idling`]: wait for events; [`ClientSession::done`] ends the IDLE;
///    - [`Event::AppendReady`]: [`ClientSession::append_data`] with the message's pieces;
///    - [`Event::LiteralStart`], [`Event::LiteralData`], [`Event::LiteralEnd`]: a large literal
///      of a response, in pieces (only with [`ClientConfig::stream_literals_over`]);
///    - [`Event::Closed`]: close the connection.
/// 3. An error with [`Fault::Server`] ends the session; others are returned by the method
///    that caused them and change nothing.
///
/// The output never runs past a synchronizing literal: its octets are released when the
/// server's `+` arrives, and dropped when a tagged `NO`/`BAD` comes instead.
///
/// ```
/// use imap_proto::client::{ClientConfig, ClientSession, Event};
///
/// let mut session = ClientSession::new(ClientConfig {
///     allow_plaintext_credentials: true, // a test: no TLS
///     ..ClientConfig::default()
/// });
/// session.feed(b"* OK [CAPABILITY IMAP4rev2 AUTH=PLAIN] ready\r\n");
/// assert!(matches!(session.next_event().unwrap(), Event::Greeting { .. }));
/// let password = sasl::Secret::new("pw".to_owned());
/// let tag = session.login("alice", &password).unwrap();
/// assert_eq!(session.next_event().unwrap(), Event::NeedInput);
/// assert_eq!(session.take_output(), b"A0001 LOGIN alice pw\r\n");
/// session.feed(b"A0001 OK [CAPABILITY IMAP4rev2 IDLE] done\r\n");
/// match session.next_event().unwrap() {
///     Event::Done(done) => assert!(done.is_ok() && done.tag == tag),
///     other => panic!("{other:?}"),
/// }
/// assert!(session.capabilities().unwrap().has("IDLE"));
/// ```
#[derive(Debug)]
pub struct ClientSession {
    config: ClientConfig,
    state: ConnectionState,
    assembler: Assembler,
    output: Vec<u8>,
    events: VecDeque<Event>,
    queue: VecDeque<Queued>,
    in_flight: Vec<InFlight>,
    next_tag: u32,
    capabilities: Option<Capabilities>,
    enabled: Vec<String>,
    mailbox: Option<MailboxState>,
    tls_active: bool,
    tls_pending: bool,
    closed: bool,
    failed: Option<ClientError>,
    /// A response whose literal is being streamed: its text so far, `NIL` for the literal.
    streamed: Option<Vec<u8>>,
    /// The tag for the next command ([`ClientSession::set_next_tag`]).
    tag_override: Option<String>,
    /// Whether the capabilities known before STARTTLS allowed SASL-IR.
    sasl_ir_before_tls: bool,
}

impl ClientSession {
    /// A session on a freshly opened plain connection; it waits for the greeting.
    pub fn new(config: ClientConfig) -> Self {
        ClientSession {
            assembler: response_assembler(&config),
            config,
            state: ConnectionState::Greeting,
            output: Vec::new(),
            events: VecDeque::new(),
            queue: VecDeque::new(),
            in_flight: Vec::new(),
            next_tag: 1,
            capabilities: None,
            enabled: Vec::new(),
            mailbox: None,
            tls_active: false,
            tls_pending: false,
            closed: false,
            failed: None,
            streamed: None,
            tag_override: None,
            sasl_ir_before_tls: false,
        }
    }

    /// A session on a connection that is TLS from the start (RFC 8314, port 993).
    pub fn with_implicit_tls(config: ClientConfig) -> Self {
        let mut s = Self::new(config);
        s.tls_active = true;
        s
    }

    // ---------------------------------------------------------------------------------------
    // Input and output

    /// Bytes read from the connection, any split. Bytes that arrive between a STARTTLS
    /// completion and [`ClientSession::tls_started`] are discarded (RFC 9051 §6.2.1: they
    /// were not protected by TLS).
    pub fn feed(&mut self, bytes: &[u8]) {
        if self.tls_pending || self.closed {
            return;
        }
        self.assembler.feed(bytes);
    }

    /// Bytes to write to the connection.
    pub fn output(&self) -> &[u8] {
        &self.output
    }

    /// Forget the output (after writing it).
    pub fn clear_output(&mut self) {
        self.output.clear();
    }

    /// Take the output (to write it).
    pub fn take_output(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.output)
    }

    /// The next thing the caller must do; see [`ClientSession`] for the call order.
    ///
    /// # Errors
    /// A [`Fault::Server`] error: the server broke the protocol or a limit; the session is
    /// over.
    pub fn next_event(&mut self) -> Result<Event, ClientError> {
        loop {
            if let Some(e) = &self.failed {
                return Err(e.clone());
            }
            if let Some(event) = self.events.pop_front() {
                return Ok(event);
            }
            if self.tls_pending {
                return Ok(Event::StartTls);
            }
            if self.closed {
                return Ok(Event::Closed);
            }
            let line = match self.assembler.next_event() {
                framing::Event::NeedInput => {
                    self.pump();
                    return Ok(Event::NeedInput);
                }
                framing::Event::Message(bytes) => read_response(bytes),
                // Literals up to the streaming threshold (or the limit) are taken inline
                // (AutoAccept::AllUpTo); one announced is longer.
                framing::Event::LiteralAnnounced {
                    header,
                    prefix,
                    continued,
                    ..
                } if self.config.stream_literals_over.is_some() => {
                    let mut msg = if continued {
                        self.streamed.take().unwrap_or_default()
                    } else {
                        Vec::new()
                    };
                    msg.extend_from_slice(without_announcement(prefix));
                    let event = Event::LiteralStart {
                        fetch: fetch_number(&msg),
                        prefix: msg.clone(),
                        length: header.length,
                    };
                    msg.extend_from_slice(b"NIL");
                    self.streamed = Some(msg);
                    // Cannot fail: a literal was just announced.
                    let _ = self.assembler.stream();
                    return Ok(event);
                }
                framing::Event::LiteralChunk(bytes) => {
                    return Ok(Event::LiteralData(bytes.to_vec()));
                }
                framing::Event::LiteralEnd => return Ok(Event::LiteralEnd),
                framing::Event::MessageEnd(rest) => {
                    let mut msg = self.streamed.take().unwrap_or_default();
                    msg.extend_from_slice(rest);
                    read_response(&msg)
                }
                framing::Event::LiteralAnnounced { .. } | framing::Event::TooBig { .. } => {
                    return Err(self.fail(ClientError::ResponseTooLarge {
                        limit: self.config.max_response_size,
                    }));
                }
            };
            match line {
                Ok(response) => {
                    if let Err(e) = self.handle(response) {
                        return Err(self.fail(e));
                    }
                }
                Err(e) => return Err(self.fail(ClientError::Malformed(e))),
            }
            self.pump();
        }
    }

    fn fail(&mut self, e: ClientError) -> ClientError {
        self.failed = Some(e.clone());
        e
    }

    /// The TLS handshake after [`Event::StartTls`] succeeded: the session goes on (and asks
    /// for the capabilities again, RFC 9051 §6.2.1, when configured to).
    ///
    /// # Errors
    /// [`ClientError::Misuse`] when no STARTTLS was waiting for the handshake.
    pub fn tls_started(&mut self) -> Result<(), ClientError> {
        if !self.tls_pending {
            return Err(ClientError::Misuse("tls_started without Event::StartTls"));
        }
        self.tls_pending = false;
        self.tls_active = true;
        self.assembler.discard();
        self.auto_capability();
        self.pump();
        Ok(())
    }

    // ---------------------------------------------------------------------------------------
    // State

    /// The connection's state.
    pub fn state(&self) -> ConnectionState {
        self.state
    }

    /// The server's capabilities, if known: forgotten after STARTTLS and after a login whose
    /// completion carried none (RFC 9051 §6.2.1, §6.2.3).
    pub fn capabilities(&self) -> Option<&Capabilities> {
        self.capabilities.as_ref()
    }

    /// The extensions the server reported as enabled (`* ENABLED`, RFC 5161).
    pub fn enabled(&self) -> impl Iterator<Item = &str> {
        self.enabled.iter().map(String::as_str)
    }

    /// The selected mailbox, once SELECT or EXAMINE completed.
    pub fn mailbox(&self) -> Option<&MailboxState> {
        self.mailbox.as_ref()
    }

    /// Whether the connection is protected by TLS.
    pub fn tls_active(&self) -> bool {
        self.tls_active
    }

    /// Commands sent or queued whose completion has not arrived.
    pub fn pending_commands(&self) -> usize {
        self.in_flight.len() + self.queue.len()
    }

    // ---------------------------------------------------------------------------------------
    // Internals: building and sending

    /// An encoder in the server's literal style.
    fn encoder(&self) -> Encoder {
        let style = match &self.capabilities {
            Some(caps) if self.config.literal_plus => caps.literal_style(),
            _ => LiteralStyle::Sync,
        };
        let mut e = Encoder::new(style);
        e.set_utf8(
            self.enabled.iter().any(|x| {
                x.eq_ignore_ascii_case("IMAP4rev2") || x.eq_ignore_ascii_case("UTF8=ACCEPT")
            }),
        );
        e
    }

    fn simple(&mut self, name: &str, special: Special) -> String {
        let mut e = self.encoder();
        e.raw(name.as_bytes());
        self.enqueue(e, name.to_owned(), special)
    }

    fn check_cleartext(&self, sends_credential: bool) -> Result<(), ClientError> {
        if sends_credential && !self.tls_active && !self.config.allow_plaintext_credentials {
            Err(ClientError::CredentialsWithoutTls)
        } else {
            Ok(())
        }
    }

    fn require(&self, capability: &str) -> Result<(), ClientError> {
        match &self.capabilities {
            Some(c) if !c.has(capability) => {
                Err(ClientError::MissingCapability(capability.to_owned()))
            }
            _ => Ok(()),
        }
    }

    /// Tag the command (the encoder holds it without tag and CRLF) and queue it.
    fn enqueue(&mut self, body: Encoder, name: String, special: Special) -> String {
        let tag = self.new_tag();
        let shift = tag.len() + 1;
        let mut bytes = Vec::with_capacity(shift + body.len() + 2);
        bytes.extend_from_slice(tag.as_bytes());
        bytes.push(b' ');
        bytes.extend_from_slice(body.as_bytes());
        let waits: Vec<usize> = body.wait_points().iter().map(|w| w + shift).collect();
        // A streamed APPEND's line ends after its message; every other command ends here.
        if !matches!(special, Special::AppendStream { .. }) {
            bytes.extend_from_slice(b"\r\n");
        }
        self.enqueue_tagged(tag.clone(), name, bytes, waits, special);
        tag
    }

    /// The next tag: the prefix and the zero-padded counter.
    fn new_tag(&mut self) -> String {
        if let Some(tag) = self.tag_override.take() {
            return tag;
        }
        let tag = format!(
            "{}{:0width$}",
            self.config.tag_prefix,
            self.next_tag,
            width = self.config.tag_width
        );
        self.next_tag = self.next_tag.wrapping_add(1);
        tag
    }

    /// Queue a whole command (tag and CRLF included) and send what may be sent.
    fn enqueue_tagged(
        &mut self,
        tag: String,
        name: String,
        bytes: Vec<u8>,
        waits: Vec<usize>,
        special: Special,
    ) {
        self.queue.push_back(Queued {
            tag,
            name,
            bytes,
            waits,
            special,
        });
        self.pump();
    }

    /// Send queued commands as far as the rules allow: after the greeting, not while a
    /// command waits for `+` or changes the connection's state, not beside a state-changing
    /// command, one at a time without pipelining.
    fn pump(&mut self) {
        while let Some(next) = self.queue.front() {
            if matches!(
                self.state,
                ConnectionState::Greeting | ConnectionState::Logout
            ) || self.tls_pending
                || self.in_flight.iter().any(InFlight::blocks_queue)
                || (!self.in_flight.is_empty()
                    && (!self.config.pipelining || is_exclusive(&next.special)))
                || (uses_sequence_numbers(&next.name)
                    && self.in_flight.iter().any(|c| expunges(&c.name)))
            {
                return;
            }
            let Some(q) = self.queue.pop_front() else {
                return;
            };
            let mut rest = VecDeque::new();
            let mut start = 0;
            for &w in &q.waits {
                if start == 0 {
                    self.output.extend_from_slice(&q.bytes[..w]);
                } else {
                    rest.push_back(q.bytes[start..w].to_vec());
                }
                start = w;
            }
            if start == 0 {
                self.output.extend_from_slice(&q.bytes);
            } else if start < q.bytes.len() {
                rest.push_back(q.bytes[start..].to_vec());
            }
            if let Special::AppendStream { ready: true, .. } = q.special {
                self.events
                    .push_back(Event::AppendReady { tag: q.tag.clone() });
            }
            self.in_flight.push(InFlight {
                tag: q.tag,
                name: q.name,
                rest,
                special: q.special,
                untagged: Vec::new(),
            });
        }
    }

    /// Queue CAPABILITY when the capabilities are unknown and none is on its way.
    fn auto_capability(&mut self) {
        if self.config.auto_capability
            && self.capabilities.is_none()
            && !self.queue.iter().any(|q| q.name == "CAPABILITY")
            && !self.in_flight.iter().any(|c| c.name == "CAPABILITY")
        {
            self.capability();
        }
    }
}

/// Whether a command names messages by sequence number (RFC 9051 §5.5: such a command must
/// not be sent while one that expunges is in progress, since the numbers shift under it).
fn uses_sequence_numbers(name: &str) -> bool {
    matches!(
        name,
        "FETCH" | "STORE" | "SEARCH" | "COPY" | "MOVE" | "SORT" | "THREAD"
    )
}

/// Whether a command may expunge messages (and so renumber them).
fn expunges(name: &str) -> bool {
    matches!(name, "EXPUNGE" | "UID EXPUNGE" | "MOVE" | "UID MOVE")
}

/// One whole response (literals inline, as the framer gives it), parsed by the crate's response
/// parser and copied once so that it outlives the framer's buffer.
fn read_response(frame: &[u8]) -> Result<Response<'static>, crate::ParseError> {
    Response::parse(frame).map(|(r, _)| r.into_owned())
}

/// `text` without the literal announcement it ends with (`{n}`, `{n+}`, `~{n}` and the line
/// end): the part of a response before a streamed literal.
fn without_announcement(text: &[u8]) -> &[u8] {
    match text.iter().rposition(|&b| b == b'{') {
        Some(i) if i > 0 && text[i - 1] == b'~' => &text[..i - 1],
        Some(i) => &text[..i],
        None => text,
    }
}

/// `n` when `head` (a response's beginning, not yet whole) starts with `* n FETCH`.
fn fetch_number(head: &[u8]) -> Option<u32> {
    let rest = head.strip_prefix(b"* ")?;
    let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    let n = std::str::from_utf8(&rest[..digits]).ok()?.parse().ok()?;
    let name = rest[digits..].strip_prefix(b" ")?;
    (name.len() >= 5 && name[..5].eq_ignore_ascii_case(b"FETCH")).then_some(n)
}

/// The framer for a server's responses: literals inline up to the streaming threshold (all
/// of them without one), within `max_response_size` a response.
fn response_assembler(config: &ClientConfig) -> Assembler {
    let max = config.max_response_size;
    let mut a = Assembler::for_responses(FramerLimits {
        max_line: max,
        max_literal: if config.stream_literals_over.is_some() {
            u64::MAX
        } else {
            max as u64
        },
        max_message: max,
    });
    a.set_auto_accept(AutoAccept::AllUpTo(
        config.stream_literals_over.unwrap_or(max as u64),
    ));
    a
}

/// The command's name from its encoded form: the first atom, and the second after `UID`.
fn command_name(bytes: &[u8]) -> String {
    let mut words = bytes
        .split(|&b| b == b' ' || b == b'\r')
        .filter(|w| !w.is_empty());
    let first = words.next().unwrap_or_default().to_ascii_uppercase();
    let mut name = String::from_utf8_lossy(&first).into_owned();
    if name == "UID"
        && let Some(second) = words.next()
    {
        name.push(' ');
        name.push_str(&String::from_utf8_lossy(&second.to_ascii_uppercase()));
    }
    name
}
