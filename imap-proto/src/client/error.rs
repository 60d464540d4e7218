//! The client session's errors, grouped by who is at fault (the server, the application's
//! policy, the application's use of the session).

use crate::cursor::ParseError;

/// Who is at fault for a [`ClientError`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Fault {
    /// The server sent something malformed, out of order, or too large.
    Server,
    /// The session refused to do what was asked because of its policy or the server's
    /// capabilities (credentials before TLS, LOGINDISABLED, a missing capability).
    Policy,
    /// The application called the session out of order.
    Application,
}

/// What went wrong. Errors whose [`fault`](ClientError::fault) is [`Fault::Server`] end the
/// session (every later call returns the same error); the others are returned by the call
/// that caused them and leave the session as it was.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ClientError {
    /// A response does not fit the grammar (RFC 9051 §9).
    #[error("malformed response: {0}")]
    Malformed(ParseError),
    /// A response is longer than [`ClientConfig::max_response_size`](super::ClientConfig).
    #[error("response longer than {limit} octets")]
    ResponseTooLarge {
        /// The limit.
        limit: usize,
    },
    /// More untagged responses for one command than
    /// [`ClientConfig::max_untagged_per_command`](super::ClientConfig).
    #[error("more than {limit} untagged responses for command {tag}")]
    TooManyResponses {
        /// The command's tag.
        tag: String,
        /// The limit.
        limit: usize,
    },
    /// A tagged response for a tag that no command in flight has.
    #[error("tagged response for unknown tag {0}")]
    UnknownTag(String),
    /// A continuation request (`+`) when no command waits for one.
    #[error("continuation request while no command waits for one")]
    UnexpectedContinuation,
    /// The greeting is not `* OK`, `* PREAUTH` or `* BYE` (RFC 9051 §7.1).
    #[error("the server's greeting is not OK, PREAUTH or BYE")]
    BadGreeting,
    /// The server said OK to AUTHENTICATE but the mechanism did not complete (a SCRAM server
    /// that did not prove it knows the password, RFC 5802 §5.1).
    #[error("authentication: {0}")]
    Sasl(sasl::SaslError),
    /// Credentials would go out in the clear: no TLS and
    /// [`ClientConfig::allow_plaintext_credentials`](super::ClientConfig) is off.
    #[error("refusing to send credentials without TLS")]
    CredentialsWithoutTls,
    /// The server advertises LOGINDISABLED (RFC 9051 §6.2.3).
    #[error("the server advertises LOGINDISABLED")]
    LoginDisabled,
    /// The server does not advertise a capability the command needs.
    #[error("the server does not advertise {0}")]
    MissingCapability(String),
    /// The call does not fit the session's state.
    #[error("misuse: {0}")]
    Misuse(&'static str),
}

impl ClientError {
    /// Who is at fault.
    pub fn fault(&self) -> Fault {
        match self {
            ClientError::Malformed(_)
            | ClientError::ResponseTooLarge { .. }
            | ClientError::TooManyResponses { .. }
            | ClientError::UnknownTag(_)
            | ClientError::UnexpectedContinuation
            | ClientError::BadGreeting
            | ClientError::Sasl(_) => Fault::Server,
            ClientError::CredentialsWithoutTls
            | ClientError::LoginDisabled
            | ClientError::MissingCapability(_) => Fault::Policy,
            ClientError::Misuse(_) => Fault::Application,
        }
    }
}
