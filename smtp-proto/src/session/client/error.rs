//! Errors of the client session, grouped by who is at fault.

use std::fmt;

use super::deps::{AuthError, Reply, ReplyError, SaslError};

/// The step of the conversation a reply answered, or the client was waiting in.
///
/// The driver maps it to a time-out (RFC 5321 §4.5.3.2); errors name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Stage {
    /// Waiting for the server's `220` greeting.
    Greeting,
    /// `EHLO` (or `LHLO` in LMTP mode).
    Ehlo,
    /// `HELO`, the fallback when `EHLO` was refused.
    Helo,
    /// `STARTTLS` and the TLS handshake.
    StartTls,
    /// The `AUTH` exchange.
    Auth,
    /// No command outstanding: between messages.
    Idle,
    /// `RSET`.
    Rset,
    /// `MAIL FROM`.
    Mail,
    /// `RCPT TO`.
    Rcpt,
    /// `DATA`, up to the `354`.
    DataInit,
    /// Sending the body (dot-stuffed DATA or a BDAT chunk).
    DataBlock,
    /// The final reply after the body's end (`.` or `BDAT ... LAST`).
    DataEnd,
    /// `QUIT`.
    Quit,
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Greeting => "greeting",
            Self::Ehlo => "EHLO",
            Self::Helo => "HELO",
            Self::StartTls => "STARTTLS",
            Self::Auth => "AUTH",
            Self::Idle => "idle",
            Self::Rset => "RSET",
            Self::Mail => "MAIL",
            Self::Rcpt => "RCPT",
            Self::DataInit => "DATA",
            Self::DataBlock => "message body",
            Self::DataEnd => "end of data",
            Self::Quit => "QUIT",
        })
    }
}

/// Who is at fault for a [`ClientError`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Fault {
    /// The server sent bytes that are not a valid reply.
    MalformedReply,
    /// The server sent a valid reply that does not fit the conversation.
    UnexpectedReply,
    /// The server lacks an extension the message or the policy needs.
    MissingCapability,
    /// The calling application used the session wrongly.
    Misuse,
}

/// A failure of the client session. After any error but those of [`Fault::MissingCapability`]
/// raised by [`ClientSession::send_message`](super::ClientSession::send_message) and
/// [`Fault::Misuse`], the session is finished: close the connection (after writing any
/// pending output, such as a `QUIT`, on a best-effort basis).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ClientError {
    // --- the server sent bytes that are not a reply
    /// The bytes at the reply's place are not a reply (RFC 5321 §4.2).
    #[error("malformed reply from the server during {stage}: {source}")]
    MalformedReply {
        /// What the client was waiting for.
        stage: Stage,
        /// What was wrong with the bytes.
        #[source]
        source: ReplyError,
    },
    /// The `250` reply to EHLO/LHLO is not a valid EHLO reply (RFC 5321 §4.1.1.1).
    #[error("malformed EHLO reply: {0}")]
    MalformedEhlo(#[source] ReplyError),
    /// A `334` challenge is not valid base64 (RFC 4954 §4).
    #[error("malformed AUTH challenge: {0}")]
    MalformedChallenge(#[source] AuthError),

    // --- the server sent a valid reply that does not fit
    /// A reply with a code the step does not allow, e.g. a greeting of `554`.
    #[error("unexpected reply during {stage}: {}", summary(reply))]
    UnexpectedReply {
        /// The step the reply answered.
        stage: Stage,
        /// The reply.
        reply: Reply<'static>,
    },
    /// A `421`: the server is closing the connection (RFC 5321 §3.8).
    #[error("server closing the connection during {stage}: {}", summary(reply))]
    ServiceClosing {
        /// The step the reply answered.
        stage: Stage,
        /// The reply.
        reply: Reply<'static>,
    },
    /// Bytes arrived after the `220` to STARTTLS, before the TLS handshake: they would
    /// otherwise be taken for replies sent under TLS (a response injection, RFC 3207 §4.2).
    #[error("server sent {0} octets after its 220 to STARTTLS, before the TLS handshake")]
    DataBeforeTls(usize),
    /// A reply arrived while no command was outstanding.
    #[error("unsolicited reply: {}", summary(.0))]
    UnsolicitedReply(Reply<'static>),
    /// The server refused the credentials (RFC 4954 §6: `535`, `534`, `454`, ...).
    #[error("authentication failed: {}", summary(.0))]
    AuthFailed(Reply<'static>),
    /// The SASL exchange failed on the client side (a bad server signature, an unexpected
    /// challenge); the exchange was cancelled with `*`.
    #[error("SASL exchange failed: {0}")]
    Sasl(#[source] SaslError),

    // --- the server lacks an extension
    /// The server does not advertise an extension the policy or the message needs.
    #[error("server does not offer {0}")]
    MissingCapability(&'static str),
    /// None of the configured SASL mechanisms is offered by the server.
    #[error("no common SASL mechanism; server offers {offered:?}")]
    NoCommonMechanism {
        /// The mechanisms the server advertised.
        offered: Vec<String>,
    },
    /// The message is larger than the server's advertised SIZE (RFC 1870).
    #[error("message of {size} octets exceeds the server's limit of {limit}")]
    MessageTooLarge {
        /// The declared message size.
        size: u64,
        /// The advertised limit.
        limit: u64,
    },

    // --- the application used the session wrongly
    /// A call not allowed in the session's current state.
    #[error("{call} is not allowed now: {reason}")]
    Misuse {
        /// The method called.
        call: &'static str,
        /// Why it was refused.
        reason: &'static str,
    },
}

impl ClientError {
    /// Who is at fault.
    pub fn fault(&self) -> Fault {
        match self {
            Self::MalformedReply { .. } | Self::MalformedEhlo(_) | Self::MalformedChallenge(_) => {
                Fault::MalformedReply
            }
            Self::UnexpectedReply { .. }
            | Self::ServiceClosing { .. }
            | Self::DataBeforeTls(_)
            | Self::UnsolicitedReply(_)
            | Self::AuthFailed(_)
            | Self::Sasl(_) => Fault::UnexpectedReply,
            Self::MissingCapability(_)
            | Self::NoCommonMechanism { .. }
            | Self::MessageTooLarge { .. } => Fault::MissingCapability,
            Self::Misuse { .. } => Fault::Misuse,
        }
    }

    /// Whether retrying later may succeed: a `4yz` reply, a `421`, or a malformed or
    /// unexpected exchange (the connection may fare better next time).
    pub fn is_temporary(&self) -> bool {
        match self {
            Self::UnexpectedReply { reply, .. } | Self::AuthFailed(reply) => reply.is_temporary(),
            Self::ServiceClosing { .. }
            | Self::MalformedReply { .. }
            | Self::MalformedEhlo(_)
            | Self::MalformedChallenge(_)
            | Self::DataBeforeTls(_)
            | Self::UnsolicitedReply(_) => true,
            _ => false,
        }
    }

    /// The server's reply behind the error, if there is one.
    pub fn reply(&self) -> Option<&Reply<'static>> {
        match self {
            Self::UnexpectedReply { reply, .. }
            | Self::ServiceClosing { reply, .. }
            | Self::UnsolicitedReply(reply)
            | Self::AuthFailed(reply) => Some(reply),
            _ => None,
        }
    }

    pub(super) fn misuse(call: &'static str, reason: &'static str) -> Self {
        Self::Misuse { call, reason }
    }
}

/// `"554 5.7.1 text"` for error messages.
pub(super) fn summary(reply: &Reply<'_>) -> String {
    let mut s = reply.code.to_string();
    if let Some(e) = reply.enhanced {
        s.push_str(&format!(" {}.{}.{}", e.class, e.subject, e.detail));
    }
    let text = reply.text();
    if !text.is_empty() {
        s.push(' ');
        s.push_str(&text.replace('\n', " / "));
    }
    s
}
