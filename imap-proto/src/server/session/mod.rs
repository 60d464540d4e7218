//! The sans-IO IMAP server session (RFC 9051 §3, §5, §6, §7; RFC 3501 for IMAP4rev1 clients).
//!
//! [`ServerSession`] holds no socket and no store: the driver feeds it bytes, takes [`Event`]s
//! from it, answers the events that need the application (credentials, the account, the
//! mailbox commands that the glue [`crate::server::mailboxes`] runs over `mailstore`), and
//! writes what it produces. The session itself owns framing (literals, `+` continuations,
//! limits), the states of RFC 9051 §3, CAPABILITY, NOOP/LOGOUT, STARTTLS, LOGIN and
//! AUTHENTICATE, ENABLE, ID, COMPRESS, IDLE/DONE and the answers to bad input.
//!
//! ```text
//!   greeting ─▶ NOT AUTHENTICATED ──LOGIN/AUTHENTICATE──▶ (OpenAccount) ──▶ AUTHENTICATED
//!                 │  STARTTLS ─▶ handshake ─┘                                │   ▲
//!                 │                                 SELECT/EXAMINE (glue) ───┘   │ CLOSE/UNSELECT/
//!                 ▼                                                  ▼           │ failed SELECT
//!               LOGOUT ◀──────────────── LOGOUT ──────────────── SELECTED ───────┘
//! ```

mod config;
mod event;

use std::sync::Arc;

pub use config::ServerConfig;
pub use event::{AccountError, AppendMessage, AuthOutcome, AuthStep, CloseReason, Event, Request};

use crate::encode::Encoder;
use crate::response::Capability;
use crate::response::{Code, Response, Status, StatusKind};
use crate::token::Tag;

/// A call the session cannot take in its current state: a bug in the driver or the glue,
/// never caused by the peer.
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

/// The state of the connection (RFC 9051 §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum State {
    /// Before LOGIN/AUTHENTICATE (§3.1).
    NotAuthenticated,
    /// Logged in, no mailbox selected (§3.2).
    Authenticated,
    /// A mailbox is selected (§3.3); `read_only` after EXAMINE or a read-only SELECT.
    Selected {
        /// Opened with EXAMINE (or the store allows no changes).
        read_only: bool,
    },
    /// After LOGOUT or a `BYE` (§3.4).
    Logout,
}

/// The extensions the client has enabled (RFC 5161 ENABLE; CONDSTORE also by its first use,
/// RFC 7162 §3.1).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Enabled {
    /// `CONDSTORE` (RFC 7162 §3.1): MODSEQ in FETCH responses of flag changes, HIGHESTMODSEQ.
    pub condstore: bool,
    /// `QRESYNC` (RFC 7162 §3.2): VANISHED instead of EXPUNGE (implies CONDSTORE).
    pub qresync: bool,
    /// `UTF8=ACCEPT` (RFC 6855 §3): mailbox names and quoted strings in UTF-8.
    pub utf8_accept: bool,
    /// `IMAP4rev2` (RFC 9051 §6.3.1): the client speaks IMAP4rev2 (no RECENT, LIST not LSUB...).
    pub imap4rev2: bool,
}

/// What the session reports for the server's log line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct SessionStats {
    /// The authenticated user, once logged in.
    pub user: Option<String>,
    /// Whether TLS is active.
    pub tls: bool,
    /// Whether COMPRESS=DEFLATE is active.
    pub compressed: bool,
    /// Commands completed (tagged responses sent).
    pub commands: u32,
    /// Commands answered `BAD`.
    pub bad_commands: u32,
}

/// A server side IMAP session, without I/O.
///
/// # Call order
/// 1. [`ServerSession::new`] (or [`ServerSession::new_implicit_tls`] on a port-993 connection
///    after the TLS handshake, or [`ServerSession::new_preauth`] on a connection that is
///    authenticated by other means) queues the greeting in [`ServerSession::output`].
/// 2. [`ServerSession::feed`] the bytes read from the peer, in any split.
/// 3. Call [`ServerSession::next_event`] until it returns [`Event::NeedInput`] or
///    [`Event::Close`], answering each event that [needs an answer](Event::needs_answer) first.
///    [`Event::Command`] is answered by the mailbox glue
///    ([`crate::server::mailboxes::Mailboxes::run`]), which writes the command's untagged
///    responses into this session and completes it with [`ServerSession::complete`].
/// 4. On [`Event::NeedInput`], write the output, read, and go to 2. On [`Event::Flush`]
///    (back-pressure), write the output and go to 3 *without reading*. On [`Event::Close`],
///    write the output and close.
/// 5. If the peer is idle longer than [`ServerSession::autologout`], call
///    [`ServerSession::timeout`] (RFC 9051 §5.4); to stop the server,
///    [`ServerSession::shutdown`]. Both queue a `* BYE`.
///
/// Malformed and out-of-place commands never reach the driver: the session answers them with
/// `BAD` and closes after [`ServerConfig::max_bad_commands`] of them.
///
/// # Example
/// ```
/// use std::sync::Arc;
/// use imap_proto::response::StatusKind;
/// use imap_proto::server::session::{AuthOutcome, Event, ServerConfig, ServerSession};
///
/// let mut config = ServerConfig::new("imap.example.org");
/// config.auth.allow_plaintext = true; // a test without TLS
/// let mut session = ServerSession::new(Arc::new(config));
/// session.feed(b"a1 LOGIN alice secret\r\na2 SELECT INBOX\r\na3 APPEND INBOX {2+}\r\nhi\r\n");
/// let mut appended = Vec::new();
/// loop {
///     match session.next_event().unwrap() {
///         Event::NeedInput | Event::Close(_) => break,
///         Event::Flush => {} // a real driver writes `session.output()` here
///         Event::Login { user, .. } => session
///             .auth_outcome(AuthOutcome::Success { identity: user })
///             .unwrap(),
///         Event::OpenAccount { .. } => session.account_opened(Ok(())).unwrap(),
///         // The mailbox glue (`Mailboxes::run`) answers these.
///         Event::Command(_) => {
///             session.set_selected(Some(false));
///             session.complete(StatusKind::Ok, None, "[READ-WRITE] SELECT completed").unwrap();
///         }
///         Event::AppendMessage(_) => session.append_accept().unwrap(),
///         Event::AppendData(bytes) => appended.extend(bytes),
///         Event::AppendMessageEnd => {}
///         Event::AppendEnd => session.complete(StatusKind::Ok, None, "APPEND completed").unwrap(),
///         other => panic!("unexpected {other:?}"),
///     }
/// }
/// assert_eq!(appended, b"hi");
/// let out = String::from_utf8(session.take_output()).unwrap();
/// assert!(out.contains("a1 OK [CAPABILITY IMAP4rev2 "));
/// assert!(out.ends_with("a2 OK [READ-WRITE] SELECT completed\r\na3 OK APPEND completed\r\n"));
/// ```
#[derive(Debug)]
pub struct ServerSession {
    config: Arc<ServerConfig>,
    output: Encoder,
    state: State,
    enabled: Enabled,
    stats: SessionStats,
    /// The tag of the command the driver or glue must complete ([`ServerSession::complete`]).
    in_progress: Option<Tag<'static>>,
    /// The input side: framing, phase, the answer awaited (session/input).
    input: input::Input,
}

impl ServerSession {
    /// A session on a new plain (or STARTTLS-capable) connection: queues `* OK [CAPABILITY ...]`.
    pub fn new(config: Arc<ServerConfig>) -> Self {
        let mut s = Self::blank(config, State::NotAuthenticated, false);
        s.greet();
        s
    }

    /// A session on a connection that is TLS from its first byte (RFC 8314, port 993).
    pub fn new_implicit_tls(config: Arc<ServerConfig>) -> Self {
        let mut s = Self::blank(config, State::NotAuthenticated, true);
        s.greet();
        s
    }

    /// A session already authenticated as `user` (RFC 9051 §7.1.4 `PREAUTH`): the driver opens
    /// the account before the first command.
    pub fn new_preauth(config: Arc<ServerConfig>, user: impl Into<String>) -> Self {
        let mut s = Self::blank(config, State::Authenticated, true);
        s.stats.user = Some(user.into());
        s.greet();
        s
    }

    fn blank(config: Arc<ServerConfig>, state: State, tls: bool) -> Self {
        ServerSession {
            input: input::Input::new(&config),
            config,
            output: Encoder::server(),
            state,
            enabled: Enabled::default(),
            stats: SessionStats {
                tls,
                ..SessionStats::default()
            },
            in_progress: None,
        }
    }

    fn greet(&mut self) {
        // The input side (session/input.rs) writes the capability list; see `greeting`.
        self.greeting();
    }

    /// The session's configuration.
    pub fn config(&self) -> &ServerConfig {
        &self.config
    }

    /// The state (RFC 9051 §3).
    pub fn state(&self) -> State {
        self.state
    }

    /// The extensions the client enabled.
    pub fn enabled(&self) -> Enabled {
        self.enabled
    }

    /// CONDSTORE is enabled by the glue when a command uses it first (RFC 7162 §3.1: SELECT
    /// (CONDSTORE), FETCH MODSEQ, SEARCH MODSEQ, STORE UNCHANGEDSINCE...).
    pub fn enable_condstore(&mut self) {
        self.enabled.condstore = true;
    }

    /// Sets the enabled extensions as ENABLE would (for the glue's unit tests, which run
    /// commands without the input side).
    #[cfg(test)]
    pub(crate) fn set_enabled(&mut self, enabled: Enabled) {
        self.enabled = enabled;
    }

    /// The authenticated user.
    pub fn user(&self) -> Option<&str> {
        self.stats.user.as_deref()
    }

    /// Counters for the log line.
    pub fn stats(&self) -> &SessionStats {
        &self.stats
    }

    /// Whether the connection is encrypted.
    pub fn is_tls(&self) -> bool {
        self.stats.tls
    }

    // ---- output: what the driver writes, what the glue writes into -------------------------

    /// The bytes waiting to be written.
    pub fn output(&self) -> &[u8] {
        self.output.as_bytes()
    }

    /// `n` octets of [`ServerSession::output`] were written.
    pub fn output_written(&mut self, n: usize) {
        let mut rest = self.output.take();
        rest.drain(..n.min(rest.len()));
        self.output.raw(&rest);
    }

    /// Takes all bytes waiting to be written.
    pub fn take_output(&mut self) -> Vec<u8> {
        self.output.take()
    }

    /// Whether the output is over [`ServerConfig::max_pending_output`]: the glue stops after the
    /// response it is writing and lets the driver write (back-pressure).
    pub fn should_flush(&self) -> bool {
        self.output.len() > self.config.max_pending_output
    }

    /// The encoder the glue writes its untagged responses with (a server encoder: literals never
    /// wait; UTF-8 quoted strings once `UTF8=ACCEPT` is enabled). A FETCH that streams a message
    /// writes the literal's header with [`Encoder::literal_header`] and its octets with
    /// [`Encoder::raw`], chunk by chunk, letting the driver write between chunks.
    pub fn encoder(&mut self) -> &mut Encoder {
        &mut self.output
    }

    /// Writes one untagged response (or continuation request).
    pub fn untagged(&mut self, response: &Response<'_>) {
        response.encode(&mut self.output);
    }

    /// Completes the command in progress (the [`Event::Command`] or [`Event::AppendEnd`] being
    /// answered) with `tag kind [code] text`. `BAD` counts as a bad command.
    pub fn complete(
        &mut self,
        kind: StatusKind,
        code: Option<Code<'_>>,
        text: &str,
    ) -> Result<(), SessionError> {
        let tag = self
            .in_progress
            .take()
            .ok_or(SessionError::Unexpected("complete"))?;
        Response::Status(Status {
            tag: Some(tag),
            kind,
            code,
            text: text.into(),
        })
        .encode(&mut self.output);
        self.stats.commands += 1;
        if kind == StatusKind::Bad {
            self.stats.bad_commands += 1;
        }
        Ok(())
    }

    /// The glue selected a mailbox (`Some(read_only)`) or closed it (`None`): the state becomes
    /// SELECTED or AUTHENTICATED (RFC 9051 §6.3.2, §6.4.1, §6.4.2; a failed SELECT also
    /// leaves the selected state).
    pub fn set_selected(&mut self, selected: Option<bool>) {
        if matches!(self.state, State::Authenticated | State::Selected { .. }) {
            self.state = match selected {
                Some(read_only) => State::Selected { read_only },
                None => State::Authenticated,
            };
        }
    }
}

mod input;
#[cfg(test)]
mod tests;
