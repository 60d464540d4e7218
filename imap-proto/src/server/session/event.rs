//! What the session asks of its driver ([`Event`]) and the driver's answers.

use sasl::{Mechanism, Secret};

use crate::command::CommandBody;
use crate::token::{DateTime, Flag, Mailbox, Tag};

/// The next thing the driver must do, from [`super::ServerSession::next_event`].
///
/// Events marked *answer* must be answered (with the method named) before `next_event` is
/// called again; until then it returns [`super::SessionError::Unanswered`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// Every complete command was handled: write the output, read more,
    /// [`feed`](super::ServerSession::feed) it.
    NeedInput,
    /// The pending output is over [`super::ServerConfig::max_pending_output`] (back-pressure):
    /// write the output, then call `next_event` again *without reading*. No further pipelined
    /// command is taken meanwhile.
    Flush,
    /// *Answer* with [`auth_outcome`](super::ServerSession::auth_outcome): check `LOGIN`
    /// (RFC 9051 §6.2.3), e.g. with [`sasl::CredentialStore::check_password`].
    Login {
        /// The user name.
        user: String,
        /// The password.
        password: Secret<String>,
    },
    /// *Answer* with [`auth_outcome`](super::ServerSession::auth_outcome): one step of an
    /// `AUTHENTICATE` exchange (RFC 9051 §6.2.2, RFC 4959 SASL-IR), to run with
    /// [`sasl::ServerSession`].
    Auth(AuthStep),
    /// *Answer* with [`account_opened`](super::ServerSession::account_opened): the user is
    /// authenticated; open their mailboxes (the glue's
    /// [`Mailboxes::open`](crate::server::mailboxes::Mailboxes::open)). The tagged `OK` of the
    /// LOGIN/AUTHENTICATE is written once the account is open.
    OpenAccount {
        /// The authenticated identity.
        user: String,
    },
    /// *Answer* by running it: a command of the authenticated or selected state that works on
    /// mailboxes, valid for the current state, given to the glue
    /// ([`Mailboxes::run`](crate::server::mailboxes::Mailboxes::run)), which writes its
    /// untagged responses and ends it with [`complete`](super::ServerSession::complete).
    Command(Request),
    /// *Answer* with [`append_accept`](super::ServerSession::append_accept) or
    /// [`append_refuse`](super::ServerSession::append_refuse): a message of an APPEND
    /// (RFC 9051 §6.3.12; the second and later of a MULTIAPPEND, RFC 3502) is announced. Once
    /// accepted (the session writes `+` for a synchronizing literal), its octets come as
    /// [`Event::AppendData`], then [`Event::AppendMessageEnd`].
    AppendMessage(AppendMessage),
    /// The next octets of the message being appended (any split; at most one read's worth).
    AppendData(Vec<u8>),
    /// The message's octets are complete; another [`Event::AppendMessage`] (MULTIAPPEND) or
    /// [`Event::AppendEnd`] follows.
    AppendMessageEnd,
    /// *Answer* with [`complete`](super::ServerSession::complete): the APPEND command is complete
    /// and well-formed: store the messages (all or none, RFC 3502 §6.3.11) and answer
    /// `OK [APPENDUID ...]`.
    AppendEnd,
    /// The APPEND command turned out malformed after messages were accepted (or the
    /// connection is ending): discard what was received. The session has answered it.
    AppendAborted,
    /// `IDLE` (RFC 2177, RFC 9051 §6.3.13) began; `+ idling` is in the output. Until
    /// [`Event::IdleDone`], the driver also waits for changes of the selected mailbox and
    /// writes the glue's announcements ([`Mailboxes::idle_poll`](crate::server::mailboxes::Mailboxes::idle_poll)).
    Idle,
    /// `DONE` ended IDLE; its tagged `OK` is in the output.
    IdleDone,
    /// *Answer* with [`tls_started`](super::ServerSession::tls_started): the client sent
    /// `STARTTLS` and `OK` is in the output: write it, run the TLS handshake.
    StartTls,
    /// *Answer* with [`compression_started`](super::ServerSession::compression_started):
    /// `COMPRESS DEFLATE` (RFC 4978) was accepted and its `OK` is in the output: write it,
    /// then compress everything after it in both directions.
    Compress,
    /// Write the output and close the connection.
    Close(CloseReason),
}

impl Event {
    /// Whether the driver must answer the event before the next call to `next_event`.
    pub fn needs_answer(&self) -> bool {
        matches!(
            self,
            Event::Login { .. }
                | Event::Auth(_)
                | Event::OpenAccount { .. }
                | Event::Command(_)
                | Event::AppendMessage(_)
                | Event::AppendEnd
                | Event::StartTls
                | Event::Compress
        )
    }
}

/// A command for the mailbox glue, owned (it outlives the input buffer).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// The command's tag (echoed by [`super::ServerSession::complete`]).
    pub tag: Tag<'static>,
    /// What it asks for.
    pub command: CommandBody<'static>,
}

/// One message of an APPEND being announced ([`Event::AppendMessage`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppendMessage {
    /// The target mailbox (the same for every message of one command).
    pub mailbox: Mailbox<'static>,
    /// 0 for the first message of the command, 1 for the second of a MULTIAPPEND, ...
    pub index: u32,
    /// Flags to set.
    pub flags: Vec<Flag<'static>>,
    /// The INTERNALDATE to set, if given.
    pub date_time: Option<DateTime>,
    /// The message's size in octets as announced.
    pub size: u64,
    /// Sent as literal8 (`~{n}`, RFC 3516), or in `UTF8 (...)` (RFC 6855 §4).
    pub binary: bool,
}

/// One step of an `AUTHENTICATE` exchange.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthStep {
    /// The mechanism the client chose.
    pub mechanism: Mechanism,
    /// True on the `AUTHENTICATE` command itself: start a new mechanism session.
    pub first: bool,
    /// The decoded client response (the SASL-IR initial response on the first step, if sent;
    /// `=` decodes to an empty one).
    pub response: Option<Secret<Vec<u8>>>,
}

/// The driver's answer to [`Event::Login`] and [`Event::Auth`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthOutcome {
    /// Send this SASL challenge (`+ base64`) and wait for the client's response.
    Challenge(Vec<u8>),
    /// Authenticated as `identity`; the session goes on to [`Event::OpenAccount`].
    Success {
        /// The authenticated identity: the owner of the mailboxes.
        identity: String,
    },
    /// Wrong credentials: `NO [AUTHENTICATIONFAILED]` (RFC 5530), counted against the
    /// policy's `max_failures`. Delaying the answer is the driver's.
    Failure,
    /// The credential store could not answer: `NO [UNAVAILABLE]` (RFC 5530).
    Temporary,
}

/// Why an account could not be opened (the answer to [`Event::OpenAccount`] on failure).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountError {
    /// The store is unavailable for now: `NO [UNAVAILABLE]`.
    Temporary,
    /// The user has no usable mailboxes: `NO [AUTHORIZATIONFAILED]`.
    Permanent,
}

/// Why the session ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CloseReason {
    /// The client sent `LOGOUT` (`* BYE` and the tagged `OK` are in the output).
    Logout,
    /// Too many bad commands.
    TooManyErrors,
    /// Too many failed logins.
    TooManyAuthFailures,
    /// The driver's autologout time-out fired (RFC 9051 §5.4).
    Timeout,
    /// The server is shutting down.
    Shutdown,
    /// The store failed in the middle of a response that cannot be completed.
    StorageFailed,
    /// The peer closed the connection (reported by the driver, never by the session).
    PeerClosed,
}
