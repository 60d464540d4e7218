//! What the session asks of its driver ([`Event`]) and the driver's answers.

use sasl::{Mechanism, Secret};

use crate::types::listing::MsgNum;
use crate::types::response::StatusLine;

/// The next thing the driver must do, from [`super::ServerSession::next_event`].
///
/// Events marked *answer* must be answered (with the method named) before `next_event` is
/// called again; until then it returns [`super::SessionError::Unanswered`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// Every complete line was handled: write the output, read more, [`feed`](super::ServerSession::feed) it.
    NeedInput,
    /// The pending output is over [`super::ServerConfig::max_pending_output`] (back-pressure), or
    /// a `LIST`/`UIDL` listing waits for it to drain: write the output, then call `next_event`
    /// again *without reading*. No further pipelined command is taken meanwhile, so a client
    /// that sends commands and never reads cannot grow the server's memory.
    Flush,
    /// *Answer* with [`auth_outcome`](super::ServerSession::auth_outcome): check `USER`/`PASS`
    /// (RFC 1939 §7), e.g. with [`sasl::CredentialStore::check_password`].
    Login {
        /// The name given with `USER`.
        user: String,
        /// The password given with `PASS`.
        password: Secret<String>,
    },
    /// *Answer* with [`auth_outcome`](super::ServerSession::auth_outcome): check `APOP`
    /// (RFC 1939 §7) with [`super::apop::verify`] and this session's
    /// [`apop_timestamp`](super::ServerSession::apop_timestamp).
    Apop {
        /// The mailbox name.
        user: String,
        /// The client's digest: 32 lower-case hex digits (with the greeting's timestamp it allows
        /// an offline guess of the shared secret, hence [`Secret`]).
        digest: Secret<String>,
    },
    /// *Answer* with [`auth_outcome`](super::ServerSession::auth_outcome): one step of a SASL
    /// exchange (RFC 5034), to run with [`sasl::ServerSession`].
    Auth(AuthStep),
    /// *Answer* with [`maildrop_opened`](super::ServerSession::maildrop_opened): the user is
    /// authenticated; lock their maildrop exclusively (RFC 1939 §4) and list its messages.
    OpenMaildrop {
        /// The authenticated identity.
        user: String,
    },
    /// *Answer* by streaming the message: [`body`](super::ServerSession::body) for each chunk
    /// while [`wants_body`](super::ServerSession::wants_body), then
    /// [`body_end`](super::ServerSession::body_end), or
    /// [`body_failed`](super::ServerSession::body_failed) if reading fails. `RETR` or `TOP`.
    Retrieve {
        /// The message number the client gave.
        msg: MsgNum,
        /// The application's id of the message ([`MaildropEntry::id`]).
        id: u32,
        /// `TOP`'s body line count; `None` for `RETR` (the whole message).
        lines: Option<u32>,
    },
    /// *Answer* with [`update_done`](super::ServerSession::update_done): the client sent `QUIT`
    /// in TRANSACTION: remove these messages (RFC 1939 §6 UPDATE state), then release the lock.
    Update {
        /// The [`MaildropEntry::id`]s of the messages marked as deleted, in message-number order.
        deleted: Vec<u32>,
    },
    /// The client sent `STLS` and `+OK` is in the output: write it, run the TLS handshake, call
    /// [`tls_started`](super::ServerSession::tls_started) (RFC 2595 §4).
    StartTls,
    /// Write the output and close the connection. No UPDATE took place unless `reason` is
    /// [`CloseReason::Quit`] after an [`Event::Update`].
    Close(CloseReason),
}

impl Event {
    /// Whether the driver must answer the event before the next call to `next_event`.
    pub fn needs_answer(&self) -> bool {
        matches!(
            self,
            Event::Login { .. }
                | Event::Apop { .. }
                | Event::Auth(_)
                | Event::OpenMaildrop { .. }
                | Event::Retrieve { .. }
                | Event::Update { .. }
                | Event::StartTls
        )
    }
}

/// One step of a SASL exchange (RFC 5034 §4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthStep {
    /// The mechanism the client chose.
    pub mechanism: Mechanism,
    /// True on the `AUTH` command itself: start a new mechanism session.
    pub first: bool,
    /// The decoded client response (the initial response on the first step, if sent; `=`
    /// decodes to an empty one).
    pub response: Option<Secret<Vec<u8>>>,
}

/// The driver's answer to [`Event::Login`], [`Event::Apop`] and [`Event::Auth`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthOutcome {
    /// Send this SASL challenge (`+ base64`) and wait for the client's response.
    Challenge(Vec<u8>),
    /// Authenticated as `identity`; the session goes on to [`Event::OpenMaildrop`].
    Success {
        /// The authenticated identity: the maildrop's owner.
        identity: String,
    },
    /// Wrong credentials: `-ERR [AUTH]` (RFC 3206 §5), counted against
    /// the policy's `max_failures` ([`sasl::AuthPolicy`]). Delaying the answer is the driver's.
    Failure,
    /// The credential store could not answer: `-ERR [SYS/TEMP]` (RFC 3206 §4).
    Temporary,
}

/// One message of a maildrop, as the application lists it for [`Event::OpenMaildrop`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MaildropEntry {
    /// The application's id of the message (a mailstore UID), given back in
    /// [`Event::Retrieve`] and [`Event::Update`].
    pub id: u32,
    /// Its size in octets as sent (CRLF line endings, before byte-stuffing), for `STAT`/`LIST`.
    pub size: u64,
    /// Its unique-id for `UIDL` (RFC 1939 §7: 1 to 70 characters 0x21–0x7E), stable across
    /// sessions, unique within the maildrop. Entries with an invalid or repeated one are refused
    /// by `maildrop_opened`.
    pub unique_id: String,
}

/// Why the maildrop could not be opened: the answer to [`Event::OpenMaildrop`] on failure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MaildropError {
    /// Another session holds the lock: `-ERR [IN-USE]` (RFC 2449 §8.1.1).
    InUse,
    /// A temporary failure of the store: `-ERR [SYS/TEMP]` (RFC 3206 §4).
    Temporary,
    /// A permanent failure (no such maildrop, ...): `-ERR [SYS/PERM]` (RFC 3206 §4).
    Permanent,
}

/// The outcome of the UPDATE state, the answer to [`Event::Update`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UpdateOutcome {
    /// All marked messages were removed: `+OK`.
    Done,
    /// Some could not be removed: `-ERR [SYS/TEMP] some deleted messages not removed`
    /// (RFC 1939 §6).
    Partial,
}

/// Why the session ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CloseReason {
    /// The client sent `QUIT` (after the UPDATE, in TRANSACTION).
    Quit,
    /// Too many bad commands.
    TooManyErrors,
    /// Too many failed logins.
    TooManyAuthFailures,
    /// The driver's idle time-out fired (RFC 1939 §3 autologout): no UPDATE.
    Timeout,
    /// The server is shutting down: no UPDATE.
    Shutdown,
    /// Reading a message failed in the middle of sending it: the response cannot be completed,
    /// so the connection is closed without UPDATE.
    StorageFailed,
    /// The peer closed the connection (reported by the driver, never by the session).
    PeerClosed,
}

impl CloseReason {
    /// The status line the session sends when it closes for this reason, if any.
    pub(crate) fn farewell(self, hostname: &str) -> Option<StatusLine<'static>> {
        use crate::types::response::ResponseCode;
        Some(match self {
            CloseReason::Quit => StatusLine::ok(format!("{hostname} POP3 server signing off")),
            CloseReason::TooManyErrors => StatusLine::err("Too many bad commands, closing"),
            CloseReason::TooManyAuthFailures => {
                StatusLine::err("Too many failed logins, closing").with_code(ResponseCode::Auth)
            }
            CloseReason::Timeout => StatusLine::err("Autologout: idle for too long"),
            CloseReason::Shutdown => {
                StatusLine::err("Server shutting down").with_code(ResponseCode::SysTemp)
            }
            CloseReason::StorageFailed | CloseReason::PeerClosed => return None,
        })
    }
}
