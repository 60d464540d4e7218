//! What the session tells its driver, and what the driver answers.

use super::deps::{Host, MailFrom, Mechanism, Rcpt, Reply, Secret};

/// The next thing the driver must act on, from [`super::ServerSession::next_event`].
///
/// Events marked *decision* wait for exactly one [`super::ServerSession::decide`] (LMTP's
/// [`Event::DataEnd`]: one per accepted recipient) before the session goes on; [`Event::Auth`] waits for
/// [`super::ServerSession::auth_outcome`]; [`Event::StartTls`] waits for [`super::ServerSession::tls_started`].
/// The others are information: call `next_event` again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event<'a> {
    /// Every complete input has been handled: write [`super::ServerSession::output`], then read and feed more.
    NeedInput,
    /// The pending output is over [`super::ServerConfig::max_pending_output`] (back-pressure): write
    /// [`super::ServerSession::output`], then call `next_event` again *without reading*. The session takes
    /// no further pipelined command until the output is back under the bound, so a peer that sends commands
    /// and never reads their replies cannot grow the server's memory.
    Flush,
    /// *Decision*: EHLO/HELO/LHLO. `extended` is false for HELO.
    Hello {
        /// The host the client named.
        host: Host<'static>,
        /// EHLO or LHLO (true), HELO (false).
        extended: bool,
    },
    /// *Decision*: MAIL FROM, already checked against the limits and the offered extensions.
    /// Its text borrows the session's input (valid until the next call, like
    /// [`Event::DataChunk`]): `into_owned` keeps it.
    Mail(MailFrom<'a>),
    /// *Decision*: RCPT TO; borrows the session's input like [`Event::Mail`].
    Rcpt(Rcpt<'a>),
    /// *Decision*: DATA, or the first BDAT of a transaction. Accepting lets the body stream in.
    DataStart {
        /// The body comes in BDAT chunks (RFC 3030) rather than after DATA.
        chunked: bool,
    },
    /// A piece of the message, un-dot-stuffed (DATA) or raw (BDAT), in order. Never the whole body at once
    /// unless it is small.
    DataChunk(&'a [u8]),
    /// *Decision* (LMTP: one per accepted recipient, in RCPT order): the body is complete.
    DataEnd(DataEnd),
    /// The message being received is abandoned (over the size limit, bare line endings refused):
    /// drop what the chunks gave so far. The session answers the client itself.
    DataAborted,
    /// The transaction was abandoned (RSET, or EHLO/HELO inside a transaction): forget its envelope.
    Reset,
    /// *Decision*: VRFY with its argument; accepting sends 252 2.5.0.
    Vrfy(String),
    /// *Decision*: EXPN with its argument; accept with a reply listing the members.
    Expn(String),
    /// *Decision*: ETRN (RFC 1985) with its argument; accepting sends 250 2.0.0.
    Etrn(String),
    /// A SASL step: run it (with the application's `sasl::CredentialStore`) and answer with
    /// [`super::ServerSession::auth_outcome`].
    Auth(AuthStep),
    /// The STARTTLS 220 reply is in the output: write it, run the TLS handshake, then call
    /// [`super::ServerSession::tls_started`].
    StartTls,
    /// Write the output and close the connection.
    Close(CloseReason),
}

impl Event<'_> {
    /// Whether the session waits for [`super::ServerSession::decide`] after this event.
    pub fn needs_decision(&self) -> bool {
        matches!(
            self,
            Self::Hello { .. }
                | Self::Mail(_)
                | Self::Rcpt(_)
                | Self::DataStart { .. }
                | Self::DataEnd(_)
                | Self::Vrfy(_)
                | Self::Expn(_)
                | Self::Etrn(_)
        )
    }
}

/// The end of a message body that passed the session's checks.
///
/// The bare-line-ending verdict (RFC 5321 §2.3.8) is decided before this event: a DATA body with a
/// bare CR or LF is refused by the session under `BareLineEndingPolicy::Reject` (554 5.6.0, and
/// [`Event::DataAborted`] instead of this event), and arrives with them rewritten as CRLF under
/// `Normalize`. A body over the size limit never reaches this event either.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct DataEnd {
    /// Octets of the body as delivered in the chunks.
    pub size: u64,
    /// The body came in BDAT chunks (RFC 3030): octets as sent, not checked for line endings.
    pub chunked: bool,
    /// Decisions expected: 1 in SMTP, the number of accepted recipients in LMTP (RFC 2033 §4.2).
    pub replies: usize,
}

/// One SASL exchange step for the driver to run.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AuthStep {
    /// The mechanism the client chose.
    pub mechanism: Mechanism,
    /// True on the AUTH command itself: start a new mechanism session.
    pub first: bool,
    /// The decoded client response (the initial response on the first step, if the client sent one).
    /// A credential (a `PLAIN` response holds the password): its `Debug` prints `[redacted]`.
    pub response: Option<Secret<Vec<u8>>>,
}

/// The driver's answer to an [`Event::Auth`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthOutcome {
    /// Send this challenge (334, base64) and wait for the client's response.
    Challenge(Vec<u8>),
    /// Authenticated as `identity`: 235 2.7.0.
    Success {
        /// The authenticated identity (authorization identity when the mechanism gave one).
        identity: String,
    },
    /// Wrong credentials: 535 5.7.8, counted against the policy's `max_failures` ([`sasl::AuthPolicy`]).
    Failure,
    /// Another reply (e.g. 454 4.7.0 for a temporary failure of the credential store).
    Reply(Reply<'static>),
}

/// The application's answer to an event marked *decision*.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Accept with the session's usual reply (e.g. 250 2.1.0 for MAIL, 354 for DATA).
    Accept,
    /// Accept with this (positive) reply instead of the session's, e.g. `250 2.0.0 queued as 1234`
    /// at the end of data. For EHLO it replaces the capability list too: use `Accept` there.
    AcceptWith(Reply<'static>),
    /// Refuse with this 4xx or 5xx reply.
    Reject(Reply<'static>),
}

impl From<Result<(), Reply<'static>>> for Decision {
    fn from(result: Result<(), Reply<'static>>) -> Self {
        match result {
            Ok(()) => Self::Accept,
            Err(reply) => Self::Reject(reply),
        }
    }
}

/// Why the session ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CloseReason {
    /// The client sent QUIT (221 sent).
    Quit,
    /// Too many bad commands (421 4.7.0 sent).
    TooManyErrors,
    /// Too many failed AUTH attempts (421 4.7.0 sent).
    TooManyAuthFailures,
    /// The driver's time-out fired (421 4.4.2 sent).
    Timeout,
    /// The server is shutting down (421 4.3.2 sent).
    Shutdown,
    /// The application refused the connection (its reply sent).
    Refused,
    /// The peer closed the connection without QUIT (reported by the driver).
    PeerClosed,
}
