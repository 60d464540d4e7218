//! Errors of the server session, grouped by who is at fault.
//!
//! Faults of the peer ([`ServerError::Malformed`], [`ServerError::OutOfOrder`]) are answered by the
//! session itself with the reply [`ServerError::reply`] gives; the application only sees them through
//! [`super::ServerSession::last_peer_error`] (for logging) and the bad-command limit. Misuse by the
//! application ([`ServerError::Misuse`]) is returned from the session's methods.

use super::deps::{AuthError, CommandError, EnhancedStatusCode, Reply, ReplyCode};

/// Everything that can go wrong in a server session.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ServerError {
    /// The peer sent input that is not valid SMTP.
    #[error("malformed input from the peer: {0}")]
    Malformed(#[from] Malformed),
    /// The peer sent a valid command the session's state does not allow now.
    #[error("command out of order: {0}")]
    OutOfOrder(#[from] OutOfOrder),
    /// The application called the session at the wrong time or with a wrong answer.
    #[error("application misuse: {0}")]
    Misuse(#[from] Misuse),
}

/// Input from the peer that is not valid SMTP.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Malformed {
    /// The command line did not parse; the error carries the reply code.
    #[error("{0}")]
    Command(CommandError),
    /// A command line longer than the limit (RFC 5321 §4.5.3.1.4).
    #[error("command line longer than {limit} octets")]
    LineTooLong {
        /// The configured limit, CRLF included.
        limit: usize,
    },
    /// An AUTH response that is not base64, or too long (RFC 4954 §4).
    #[error("{0}")]
    Auth(AuthError),
    /// EHLO/HELO in LMTP mode, or LHLO in SMTP mode (RFC 2033 §4.1).
    #[error("{0} is not a command of this protocol")]
    WrongHello(&'static str),
    /// A command for an extension the server does not offer.
    #[error("{0} is not offered")]
    NotOffered(&'static str),
}

/// A valid command sent when the state machine (RFC 5321 §4.1.4) does not allow it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum OutOfOrder {
    /// MAIL, AUTH, STARTTLS or ETRN before EHLO/HELO.
    #[error("{0} before EHLO/HELO")]
    NeedHello(&'static str),
    /// MAIL inside a transaction.
    #[error("nested MAIL command")]
    NestedMail,
    /// RCPT, DATA or BDAT without a MAIL.
    #[error("{0} without MAIL")]
    NeedMail(&'static str),
    /// DATA or BDAT without an accepted recipient (RFC 2920 §3.1, RFC 3030 §4).
    #[error("no valid recipients")]
    NoRecipients,
    /// DATA or RCPT after BDAT in the same transaction (RFC 3030 §2).
    #[error("{0} after BDAT")]
    AfterBdat(&'static str),
    /// DATA for a `BODY=BINARYMIME` transaction (RFC 3030 §3).
    #[error("BINARYMIME requires BDAT")]
    BinaryNeedsBdat,
    /// AUTH or STARTTLS inside a transaction.
    #[error("{0} inside a mail transaction")]
    InTransaction(&'static str),
    /// A second successful AUTH (RFC 4954 §4).
    #[error("already authenticated")]
    AlreadyAuthenticated,
    /// STARTTLS when TLS is already active (RFC 3207 §4.2).
    #[error("TLS already active")]
    TlsActive,
}

/// A call from the application the session cannot honour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Misuse {
    /// `next_event` while an event still waits for its decision.
    #[error("an event is waiting for a decision: call decide() first")]
    DecisionPending,
    /// A decision or an AUTH outcome when no event asked for one.
    #[error("no event is waiting for this answer")]
    NothingPending,
    /// An accept with a negative reply or a reject with a positive one.
    #[error("reply code {0} does not fit the decision")]
    ReplyCodeMismatch(u16),
    /// `tls_started` without a STARTTLS handshake in progress.
    #[error("no STARTTLS handshake is in progress")]
    NoHandshake,
    /// `next_event` during the STARTTLS handshake.
    #[error("the TLS handshake is in progress: call tls_started() first")]
    HandshakePending,
}

/// 451, the fallback for a code outside 200..=599 (never happens: the session's codes are literals).
const LOCAL_ERROR: ReplyCode = match ReplyCode::new(451) {
    Some(code) => code,
    None => panic!("451 is a valid reply code"),
};

/// A reply with an enhanced status code (RFC 2034).
pub(crate) fn reply(
    code: u16,
    enhanced: (u8, u16, u16),
    text: impl Into<String>,
) -> Reply<'static> {
    let code = ReplyCode::new(code).unwrap_or(LOCAL_ERROR);
    Reply::new(
        code,
        Some(EnhancedStatusCode::new(enhanced.0, enhanced.1, enhanced.2)),
        text.into(),
    )
}

/// A reply from the `(code, enhanced, text)` constants of [`crate::auth`].
pub(crate) fn parts((code, enhanced, text): crate::auth::ReplyParts) -> Reply<'static> {
    reply(code, enhanced, text)
}

impl ServerError {
    /// The reply the session sends for a fault of the peer (misuse errors map to 451 4.3.0).
    pub fn reply(&self) -> Reply<'static> {
        match self {
            Self::Malformed(m) => match m {
                Malformed::Command(e) => reply(e.code(), e.enhanced(), e.to_string()),
                Malformed::LineTooLong { .. } => reply(500, (5, 5, 6), "line too long"),
                Malformed::Auth(e) => parts(e.reply()),
                Malformed::WrongHello(c) if *c == "LHLO" => {
                    reply(500, (5, 5, 1), "LHLO is for LMTP: use EHLO")
                }
                Malformed::WrongHello(_) => {
                    reply(500, (5, 5, 1), "this is an LMTP server: use LHLO")
                }
                Malformed::NotOffered(c) => reply(502, (5, 5, 1), format!("{c} not implemented")),
            },
            Self::OutOfOrder(o) => match o {
                OutOfOrder::NoRecipients => reply(554, (5, 5, 1), "no valid recipients"),
                other => reply(503, (5, 5, 1), format!("bad sequence of commands: {other}")),
            },
            Self::Misuse(_) => reply(451, (4, 3, 0), "local error in processing"),
        }
    }
}
