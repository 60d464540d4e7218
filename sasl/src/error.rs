//! The SASL error type, shared by the client and server sides.

/// What went wrong in a SASL exchange.
///
/// Variants are grouped by who is at fault: the peer sent a malformed or
/// inconsistent message; the credentials were refused; the peer asked for
/// something this implementation does not support; the credential store failed
/// temporarily; or the calling application used a session out of order.
///
/// A server must not tell the client *why* credentials were refused beyond
/// "invalid": [`SaslError::InvalidCredentials`] and [`SaslError::InvalidProof`]
/// are returned alike for an unknown user and for a wrong secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SaslError {
    // --- the peer sent something malformed ---
    /// A mechanism message does not follow its grammar; `what` says which part.
    #[error("malformed {mechanism} message: {what}")]
    Malformed {
        /// The mechanism whose message was malformed (its IANA name).
        mechanism: &'static str,
        /// What was wrong with it.
        what: &'static str,
    },
    /// A field that must be UTF-8 is not.
    #[error("{field} is not valid UTF-8")]
    InvalidUtf8 {
        /// Which field.
        field: &'static str,
    },
    /// The SCRAM nonce in the client's final message does not extend the one
    /// the server sent, or the server's nonce does not start with the client's.
    #[error("SCRAM nonce does not match the nonce of the exchange")]
    BadNonce,
    /// The SCRAM channel-binding data (`c=`) does not match the GS2 header the
    /// client sent first.
    #[error("SCRAM channel-binding data does not match the GS2 header")]
    ChannelBindingMismatch,
    /// The peer sent a message when none was expected (the exchange is over).
    #[error("unexpected message: the exchange is already complete")]
    UnexpectedMessage,

    // --- credentials refused ---
    /// The user name, password or token was not accepted.
    #[error("authentication credentials invalid")]
    InvalidCredentials,
    /// The SCRAM client proof did not verify (wrong password or unknown user).
    #[error("SCRAM client proof is invalid")]
    InvalidProof,
    /// The authenticated identity may not act as the requested authorization
    /// identity.
    #[error("authenticated identity may not act as authorization identity {authzid:?}")]
    AuthzidNotPermitted {
        /// The authorization identity the client asked for.
        authzid: String,
    },
    /// The server rejected the bearer token (OAUTHBEARER/XOAUTH2, client side);
    /// `status` is the server's JSON error status (e.g. `invalid_token`, `401`).
    #[error("server rejected the bearer token (status {status:?})")]
    TokenRejected {
        /// The `status` member of the server's JSON error, or the whole JSON
        /// text when it could not be found.
        status: String,
    },
    /// The SCRAM server's final message carried an error (`e=...`, client side).
    #[error("SCRAM server reported an error: {0}")]
    ServerError(String),
    /// The SCRAM server signature (`v=`) did not verify (client side): the
    /// server does not know the password, so it must not be trusted.
    #[error("SCRAM server signature is invalid")]
    InvalidServerSignature,

    // --- unsupported by this implementation ---
    /// The mechanism name is not one this crate implements.
    #[error("unsupported SASL mechanism {0:?}")]
    UnsupportedMechanism(String),
    /// The client asked for channel binding (`p=`), which is not supported.
    #[error("channel binding {0:?} is not supported")]
    UnsupportedChannelBinding(String),
    /// The SCRAM client sent a mandatory extension (`m=`) this server does not
    /// know.
    #[error("unsupported mandatory SCRAM extension")]
    UnsupportedExtension,

    // --- temporary failure of the credential store ---
    /// The credential store could not answer now (backend down, ...); the
    /// client may retry later.
    #[error("temporary authentication failure: {0}")]
    Temporary(String),

    // --- misuse by the calling application ---
    /// The session was driven out of order (e.g. `answer` without a pending
    /// credential request, or a step after the end); `what` says how.
    #[error("SASL session misuse: {0}")]
    Misuse(&'static str),
}

impl SaslError {
    /// `true` when the failure is temporary and the client may retry later
    /// (SMTP replies 454 4.7.0).
    pub fn is_temporary(&self) -> bool {
        matches!(self, SaslError::Temporary(_))
    }

    /// `true` when the peer's message was malformed (as opposed to well-formed
    /// but refused).
    pub fn is_malformed(&self) -> bool {
        matches!(
            self,
            SaslError::Malformed { .. }
                | SaslError::InvalidUtf8 { .. }
                | SaslError::BadNonce
                | SaslError::ChannelBindingMismatch
                | SaslError::UnexpectedMessage
        )
    }

    pub(crate) fn malformed(mechanism: &'static str, what: &'static str) -> Self {
        SaslError::Malformed { mechanism, what }
    }
}
