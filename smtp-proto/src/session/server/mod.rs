//! The sans-IO SMTP/LMTP server session.
//!
//! [`ServerSession`] holds no socket: the driver feeds it bytes, takes events from it, answers the events
//! that need the application, and writes what it produces. See the type's documentation for the call order.

mod body;
mod commands;
mod config;
pub(crate) mod deps;
mod error;
mod event;
mod fixed;
mod state;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod trace;

use std::sync::Arc;

pub use config::{Extensions, Protocol, ServerConfig};
pub use error::{Malformed, Misuse, OutOfOrder, ServerError};
pub use event::{AuthOutcome, AuthStep, CloseReason, DataEnd, Decision, Event};

use deps::{LineFramer, Reply, encode_challenge};
pub(crate) use error::reply;
use state::{Awaiting, Handled, Phase, Step, rebase};

/// The output buffer's initial capacity: the greeting, the EHLO reply and the replies to a
/// pipelined transaction fit without growing it.
const OUTPUT_CAPACITY: usize = 1024;

/// A server side SMTP or LMTP session, without I/O.
///
/// # Call order
/// 1. [`ServerSession::new`] (or [`ServerSession::new_implicit_tls`] on a port-465 connection after the TLS
///    handshake) queues the 220 greeting: write [`ServerSession::output`] and call
///    [`ServerSession::output_written`].
/// 2. [`ServerSession::feed`] the bytes read from the peer, in any split.
/// 3. Call [`ServerSession::next_event`] until it returns [`Event::NeedInput`] or [`Event::Close`]:
///    - an event marked *decision* in [`Event`] is answered with [`ServerSession::decide`] before the next call;
///    - [`Event::Auth`] is answered with [`ServerSession::auth_outcome`];
///    - [`Event::StartTls`]: write the output, run the TLS handshake, call [`ServerSession::tls_started`];
///    - [`Event::DataChunk`] bytes are valid until the next call: store them.
/// 4. On [`Event::NeedInput`] write the output (replies to pipelined commands are queued in order and flushed
///    together here, RFC 2920), read, and go to 2. On [`Event::Flush`] (back-pressure: the output is over
///    [`ServerConfig::max_pending_output`]) write the output and go to 3 *without reading*: the session takes
///    no more pipelined commands until its output drains, so its memory stays bounded whatever the peer
///    sends. On [`Event::Close`] write the output and close.
/// 5. If the peer is silent too long, call [`ServerSession::timeout`]; to stop the server,
///    [`ServerSession::shutdown`]; both queue a 421 and close.
///
/// Malformed and out-of-order commands never reach the application: the session answers them with
/// the reply their [`ServerError`] gives, and closes after [`ServerConfig::max_bad_commands`] of them.
///
/// # Example
/// ```
/// use std::sync::Arc;
/// use smtp_proto::session::server::{Decision, Event, ServerConfig, ServerSession};
///
/// let mut session = ServerSession::new(Arc::new(ServerConfig::new("mx.example.org")));
/// // A pipelined transaction, in one read (RFC 2920).
/// session.feed(b"EHLO client.example\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\nDATA\r\n");
/// session.feed(b"Subject: hi\r\n\r\n..dot-stuffed\r\n.\r\nQUIT\r\n");
/// let mut body = Vec::new();
/// loop {
///     match session.next_event().unwrap() {
///         Event::NeedInput | Event::Close(_) => break,
///         Event::Flush => {} // a real driver writes `session.output()` here
///         Event::DataChunk(chunk) => body.extend_from_slice(chunk),
///         event if event.needs_decision() => session.decide(Decision::Accept).unwrap(),
///         _ => {}
///     }
/// }
/// assert_eq!(body, b"Subject: hi\r\n\r\n.dot-stuffed\r\n");
/// let replies = String::from_utf8(session.take_output()).unwrap();
/// assert!(replies.starts_with("220 mx.example.org ESMTP"));
/// assert!(replies.contains("250 2.1.0 OK\r\n250 2.1.5 OK\r\n354 "));
/// assert!(replies.ends_with("250 2.0.0 OK\r\n221 2.0.0 mx.example.org closing connection\r\n"));
/// ```
#[derive(Debug)]
pub struct ServerSession {
    config: Arc<ServerConfig>,
    input: LineFramer,
    output: Vec<u8>,
    /// The current [`Event::DataChunk`].
    chunk: Vec<u8>,
    /// Scratch copy of the command line being parsed.
    line: Vec<u8>,
    phase: Phase,
    awaiting: Option<Awaiting>,
    /// An event produced together with the one returned (Reset before Hello).
    queued: Option<Event<'static>>,
    tls: bool,
    /// The last hello was EHLO/LHLO: ESMTP replies.
    extended: bool,
    authenticated: Option<String>,
    bad_commands: u32,
    auth_failures: u32,
    last_peer_error: Option<ServerError>,
    discarded: usize,
}

impl ServerSession {
    /// A session on a plain connection; the greeting is queued in the output.
    pub fn new(config: Arc<ServerConfig>) -> Self {
        Self::start(config, false)
    }

    /// A session on a connection that is TLS from its first byte (RFC 8314 implicit TLS, port 465).
    pub fn new_implicit_tls(config: Arc<ServerConfig>) -> Self {
        Self::start(config, true)
    }

    /// A session that refuses the connection with `reply` (e.g. 554 5.7.1 for a blocked address) and closes.
    pub fn refuse(config: Arc<ServerConfig>, reply: &Reply<'_>) -> Self {
        let mut session = Self::start(config, false);
        session.output.clear();
        reply.write_to(&mut session.output);
        session.phase = Phase::Closed(CloseReason::Refused);
        session
    }

    fn start(config: Arc<ServerConfig>, tls: bool) -> Self {
        let mut session = Self {
            input: LineFramer::new(),
            // Room for the greeting, the EHLO reply and a pipelined transaction's replies.
            output: Vec::with_capacity(OUTPUT_CAPACITY),
            chunk: Vec::new(),
            line: Vec::new(),
            phase: Phase::Greeted,
            awaiting: None,
            queued: None,
            tls,
            extended: false,
            authenticated: None,
            bad_commands: 0,
            auth_failures: 0,
            last_peer_error: None,
            discarded: 0,
            config,
        };
        let kind = match session.config.protocol {
            Protocol::Smtp => "ESMTP",
            Protocol::Lmtp => "LMTP",
        };
        let host = session.config.hostname.as_bytes();
        let out = &mut session.output;
        out.extend_from_slice(b"220 ");
        out.extend_from_slice(host);
        out.push(b' ');
        out.extend_from_slice(kind.as_bytes());
        out.extend_from_slice(b" ready\r\n");
        session
    }

    /// The configuration this session runs with.
    pub fn config(&self) -> &ServerConfig {
        &self.config
    }

    /// Bytes read from the peer. Input after STARTTLS (before the handshake) and after QUIT is discarded.
    pub fn feed(&mut self, bytes: &[u8]) {
        if matches!(self.phase, Phase::TlsHandshake | Phase::Closed(_)) {
            self.discarded += bytes.len();
        } else {
            self.input.feed(bytes);
        }
    }

    /// Bytes to write to the peer (replies, in order).
    pub fn output(&self) -> &[u8] {
        &self.output
    }

    /// Takes the bytes to write, leaving the output empty.
    pub fn take_output(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.output)
    }

    /// The first `n` octets of [`ServerSession::output`] were written.
    pub fn output_written(&mut self, n: usize) {
        self.output.drain(..n.min(self.output.len()));
    }

    /// Whether the connection is under TLS (STARTTLS done or implicit TLS).
    pub fn is_tls(&self) -> bool {
        self.tls
    }

    /// The identity the client authenticated as, if it did.
    pub fn authenticated(&self) -> Option<&str> {
        self.authenticated.as_deref()
    }

    /// Whether the session has ended ([`Event::Close`] was or will be returned).
    pub fn is_closed(&self) -> bool {
        matches!(self.phase, Phase::Closed(_))
    }

    /// Whether a DATA or BDAT body is being read (RFC 5321 §4.5.3.2.6: the driver uses the data-block time-out).
    pub fn is_receiving_data(&self) -> bool {
        matches!(self.phase, Phase::Data(_) | Phase::Chunk(_))
    }

    /// The last fault of the peer the session answered itself (for logging).
    pub fn last_peer_error(&self) -> Option<&ServerError> {
        self.last_peer_error.as_ref()
    }

    /// Octets dropped because they arrived after STARTTLS or QUIT (RFC 3207 §4.2 / CVE-2011-0411).
    pub fn discarded_octets(&self) -> usize {
        self.discarded
    }

    /// The next event; see the call order on [`ServerSession`].
    pub fn next_event(&mut self) -> Result<Event<'_>, ServerError> {
        if let Some(event) = self.queued.take() {
            return Ok(event);
        }
        if self.awaiting.is_some() {
            return Err(Misuse::DecisionPending.into());
        }
        self.chunk.clear();
        loop {
            let step = match &self.phase {
                Phase::Closed(reason) => return Ok(Event::Close(*reason)),
                Phase::TlsHandshake => return Err(Misuse::HandshakePending.into()),
                Phase::Data(_) | Phase::Chunk(_) => self.body_step(),
                _ if self.output_full() => return Ok(Event::Flush),
                _ => {
                    let mut line = std::mem::take(&mut self.line);
                    // An event borrowing the framer's buffer is made only on the way out.
                    match self.line_step(&mut line) {
                        None => {
                            self.line = line;
                            continue;
                        }
                        Some(Handled::Event(event)) => {
                            self.line = line;
                            return Ok(event);
                        }
                        Some(Handled::Mail(from, at)) => {
                            let event = {
                                let mut to = rebase(at.base, self.input.get(at.range));
                                Event::Mail(from.map_text(&mut to))
                            };
                            self.line = line;
                            return Ok(event);
                        }
                        Some(Handled::Rcpt(rcpt, at)) => {
                            let event = {
                                let mut to = rebase(at.base, self.input.get(at.range));
                                Event::Rcpt(rcpt.map_text(&mut to))
                            };
                            self.line = line;
                            return Ok(event);
                        }
                    }
                }
            };
            match step {
                Step::Chunk => return Ok(Event::DataChunk(&self.chunk)),
                Step::Event(event) => return Ok(event),
                Step::NeedInput => return Ok(Event::NeedInput),
                Step::Continue => {}
            }
        }
    }

    /// Back-pressure: pending output over the bound while a pipelined command waits.
    fn output_full(&self) -> bool {
        self.output.len() > self.config.max_pending_output && self.input.buffered() > 0
    }

    /// Answers the event marked *decision* that [`ServerSession::next_event`] returned last.
    pub fn decide(&mut self, decision: Decision) -> Result<(), ServerError> {
        if self.queued.is_some() {
            return Err(Misuse::NothingPending.into());
        }
        let Some(awaiting) = self.awaiting.take() else {
            return Err(Misuse::NothingPending.into());
        };
        if matches!(awaiting, Awaiting::Auth) {
            self.awaiting = Some(awaiting);
            return Err(Misuse::NothingPending.into());
        }
        let accepted_reply = match decision {
            Decision::Accept => None,
            Decision::AcceptWith(reply) if reply.code.get() < 400 => Some(reply),
            Decision::Reject(reply) if reply.code.get() >= 400 => {
                reply.write_to(&mut self.output);
                self.rejected(awaiting);
                return Ok(());
            }
            Decision::AcceptWith(reply) | Decision::Reject(reply) => {
                self.awaiting = Some(awaiting);
                return Err(Misuse::ReplyCodeMismatch(reply.code.get()).into());
            }
        };
        let default = self.accepted(awaiting);
        match (accepted_reply, default) {
            (Some(reply), _) => reply.write_to(&mut self.output),
            (None, Some(answer)) => answer.write_to(&mut self.output),
            (None, None) => {}
        }
        Ok(())
    }

    /// Answers an [`Event::Auth`] with the outcome of the SASL step.
    pub fn auth_outcome(&mut self, outcome: AuthOutcome) -> Result<(), ServerError> {
        if !matches!(self.awaiting, Some(Awaiting::Auth)) {
            return Err(Misuse::NothingPending.into());
        }
        self.awaiting = None;
        match outcome {
            AuthOutcome::Challenge(bytes) => encode_challenge(&bytes, &mut self.output),
            AuthOutcome::Success { identity } => {
                self.phase = Phase::Ready;
                self.authenticated = Some(identity);
                error::parts(crate::auth::SUCCEEDED).write_to(&mut self.output);
            }
            AuthOutcome::Failure => {
                self.phase = Phase::Ready;
                self.auth_failures += 1;
                error::parts(crate::auth::INVALID_CREDENTIALS).write_to(&mut self.output);
                if self.config.auth.failure_closes(self.auth_failures) {
                    reply(421, (4, 7, 0), "too many authentication failures")
                        .write_to(&mut self.output);
                    self.close(CloseReason::TooManyAuthFailures);
                }
            }
            AuthOutcome::Reply(r) => {
                self.phase = Phase::Ready;
                r.write_to(&mut self.output);
            }
        }
        Ok(())
    }

    /// The TLS handshake after STARTTLS succeeded: the session starts over, before EHLO (RFC 3207 §4.2).
    pub fn tls_started(&mut self) -> Result<(), ServerError> {
        if !matches!(self.phase, Phase::TlsHandshake) {
            return Err(Misuse::NoHandshake.into());
        }
        self.discarded += self.input.discard();
        self.tls = true;
        self.extended = false;
        self.authenticated = None;
        self.phase = Phase::Greeted;
        Ok(())
    }

    /// The peer was silent too long: queue 421 4.4.2 and close.
    pub fn timeout(&mut self) {
        self.end(
            reply(
                421,
                (4, 4, 2),
                format!("{} timeout, closing connection", self.config.hostname),
            ),
            CloseReason::Timeout,
        );
    }

    /// The server is stopping: queue 421 4.3.2 and close.
    pub fn shutdown(&mut self) {
        self.end(
            reply(
                421,
                (4, 3, 2),
                format!("{} shutting down", self.config.hostname),
            ),
            CloseReason::Shutdown,
        );
    }

    fn end(&mut self, r: Reply<'static>, reason: CloseReason) {
        if !self.is_closed() {
            r.write_to(&mut self.output);
            self.awaiting = None;
            self.queued = None;
            self.close(reason);
        }
    }

    fn close(&mut self, reason: CloseReason) {
        self.discarded += self.input.discard();
        self.phase = Phase::Closed(reason);
    }

    /// Answers a fault of the peer and counts it; past the limit the session closes with 421 4.7.0.
    fn fault(&mut self, error: impl Into<ServerError>) {
        let error = error.into();
        self.bad_commands += 1;
        if self.bad_commands > self.config.max_bad_commands {
            self.fault_limit();
        } else {
            error.reply().write_to(&mut self.output);
        }
        self.last_peer_error = Some(error);
    }

    fn fault_limit(&mut self) {
        reply(421, (4, 7, 0), "too many errors, closing connection").write_to(&mut self.output);
        self.close(CloseReason::TooManyErrors);
    }

    fn send(&mut self, r: Reply<'static>) {
        r.write_to(&mut self.output);
    }

    /// Sends one of the [`fixed`] replies.
    fn send_wire(&mut self, wire: &'static [u8]) {
        self.output.extend_from_slice(wire);
    }
}
