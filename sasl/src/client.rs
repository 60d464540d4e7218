//! [`ClientSession`]: the client side of one SASL exchange, sans-IO.

use crate::oauth::{build_oauthbearer, build_xoauth2, error_status};
use crate::plain::build_plain;
use crate::scram::client::{
    AfterClientFinal, AfterClientFirst, client_final, client_first, verify_server_final,
};
use crate::scram::{ScramHash, random_nonce};
use crate::{Mechanism, SaslError, Secret};

/// What a client authenticates with.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Credentials {
    /// A user name and password (PLAIN, LOGIN, SCRAM-*).
    Password {
        /// The authentication identity (user name).
        authcid: String,
        /// The password.
        password: Secret<String>,
        /// The identity to act as, if not the authcid (not sent by LOGIN).
        authzid: Option<String>,
    },
    /// An OAuth 2.0 bearer token (OAUTHBEARER, XOAUTH2).
    Token {
        /// The user (XOAUTH2 `user=`, OAUTHBEARER `a=`).
        user: String,
        /// The bearer token.
        token: Secret<String>,
        /// OAUTHBEARER `host=` and `port=` (optional, informative).
        host: Option<(String, u16)>,
    },
}

impl Credentials {
    /// Password credentials.
    pub fn password(authcid: &str, password: &str) -> Self {
        Credentials::Password {
            authcid: authcid.to_owned(),
            password: Secret::new(password.to_owned()),
            authzid: None,
        }
    }

    /// Bearer-token credentials.
    pub fn token(user: &str, token: &str) -> Self {
        Credentials::Token {
            user: user.to_owned(),
            token: Secret::new(token.to_owned()),
            host: None,
        }
    }

    /// Sets the authorization identity of password credentials.
    pub fn with_authzid(mut self, id: &str) -> Self {
        if let Credentials::Password { authzid, .. } = &mut self {
            *authzid = Some(id.to_owned());
        }
        self
    }

    /// Sets the OAUTHBEARER `host=`/`port=` of token credentials.
    pub fn with_host(mut self, name: &str, port: u16) -> Self {
        if let Credentials::Token { host, .. } = &mut self {
            *host = Some((name.to_owned(), port));
        }
        self
    }
}

#[derive(Debug)]
enum State {
    Initial,
    PlainSent,
    LoginUserSent,
    LoginPasswordSent,
    ScramFirstSent(AfterClientFirst),
    ScramFinalSent(AfterClientFinal),
    ScramVerified,
    OAuthSent,
    OAuthRejected(String),
    Failed,
}

/// The client side of one SASL exchange, without I/O.
///
/// # Call order
/// 1. [`ClientSession::new`] with the mechanism (chosen from the server's
///    list) and [`Credentials`] that fit it.
/// 2. If the protocol allows an initial response (SMTP `AUTH mech ir`, IMAP
///    SASL-IR), call [`ClientSession::initial_response`] and send what it
///    gives (`Some(vec![])` is sent as `=`); `None` (LOGIN) means send none.
///    Skip this step if the protocol does not allow it.
/// 3. For each server challenge (SMTP `334`), base64-decode it and call
///    [`ClientSession::step`]; send the returned response.
/// 4. When the server reports success (SMTP `235`), call
///    [`ClientSession::finish`]: for SCRAM it fails unless the server proved
///    it knows the password (`v=` verified in step 3). When the server reports
///    failure, [`ClientSession::finish`] gives the reason it knows (e.g. the
///    OAuth error status), if any.
///
/// ```
/// # use sasl::{ClientSession, Credentials, Mechanism};
/// let mut c = ClientSession::new(Mechanism::Plain, Credentials::password("tim", "tanstaaftanstaaf")).unwrap();
/// assert_eq!(c.initial_response().unwrap(), b"\0tim\0tanstaaftanstaaf");
/// assert!(c.finish().is_ok());
/// ```
#[derive(Debug)]
pub struct ClientSession {
    mechanism: Mechanism,
    credentials: Credentials,
    nonce: Option<String>,
    state: State,
}

impl ClientSession {
    /// A session for `mechanism` with `credentials`.
    ///
    /// # Errors
    /// [`SaslError::Misuse`] when the credentials do not fit the mechanism
    /// (a token for PLAIN, a password for XOAUTH2).
    pub fn new(mechanism: Mechanism, credentials: Credentials) -> Result<Self, SaslError> {
        let fits = match (&credentials, mechanism) {
            (Credentials::Password { .. }, m) => {
                !matches!(m, Mechanism::OAuthBearer | Mechanism::XOAuth2)
            }
            (Credentials::Token { .. }, m) => {
                matches!(m, Mechanism::OAuthBearer | Mechanism::XOAuth2)
            }
        };
        if !fits {
            return Err(SaslError::Misuse("credentials do not fit the mechanism"));
        }
        Ok(ClientSession {
            mechanism,
            credentials,
            nonce: None,
            state: State::Initial,
        })
    }

    /// A session with a fixed SCRAM client nonce, for reproducing test
    /// vectors. Never use a fixed nonce in production.
    pub fn with_nonce(
        mechanism: Mechanism,
        credentials: Credentials,
        client_nonce: &str,
    ) -> Result<Self, SaslError> {
        let mut s = Self::new(mechanism, credentials)?;
        s.nonce = Some(client_nonce.to_owned());
        Ok(s)
    }

    /// The session's mechanism.
    pub fn mechanism(&self) -> Mechanism {
        self.mechanism
    }

    /// The initial response to send with the AUTH command, or `None` when the
    /// mechanism has none (LOGIN) or the exchange has already started.
    pub fn initial_response(&mut self) -> Option<Vec<u8>> {
        if !matches!(self.state, State::Initial) || self.mechanism == Mechanism::Login {
            return None;
        }
        Some(self.first_message())
    }

    /// The first client message (PLAIN, SCRAM, OAuth), moving the state on.
    fn first_message(&mut self) -> Vec<u8> {
        match (&self.credentials, self.mechanism) {
            (
                Credentials::Password {
                    authcid, authzid, ..
                },
                Mechanism::ScramSha1 | Mechanism::ScramSha256,
            ) => {
                let hash = self.mechanism.scram_hash().unwrap_or(ScramHash::Sha256);
                let nonce = self.nonce.clone().unwrap_or_else(random_nonce);
                let (state, msg) = client_first(hash, authcid, authzid.as_deref(), nonce);
                self.state = State::ScramFirstSent(state);
                msg
            }
            (
                Credentials::Password {
                    authcid,
                    password,
                    authzid,
                },
                _,
            ) => {
                self.state = State::PlainSent;
                build_plain(authzid.as_deref(), authcid, password.expose())
            }
            (Credentials::Token { user, token, .. }, Mechanism::XOAuth2) => {
                self.state = State::OAuthSent;
                build_xoauth2(user, token.expose())
            }
            (Credentials::Token { user, token, host }, _) => {
                self.state = State::OAuthSent;
                let (h, p) = host
                    .as_ref()
                    .map(|(h, p)| (Some(h.as_str()), Some(*p)))
                    .unwrap_or_default();
                build_oauthbearer(
                    Some(user).filter(|u| !u.is_empty()).map(String::as_str),
                    token.expose(),
                    h,
                    p,
                )
            }
        }
    }

    /// Answers a (base64-decoded) server challenge.
    pub fn step(&mut self, challenge: &[u8]) -> Result<Vec<u8>, SaslError> {
        let result = self.step_inner(challenge);
        if result.is_err() {
            self.state = State::Failed;
        }
        result
    }

    fn step_inner(&mut self, challenge: &[u8]) -> Result<Vec<u8>, SaslError> {
        let password = match &self.credentials {
            Credentials::Password { password, .. } => password.expose().as_str(),
            Credentials::Token { .. } => "",
        };
        match std::mem::replace(&mut self.state, State::Failed) {
            State::Initial if self.mechanism == Mechanism::Login => {
                self.state = State::LoginUserSent;
                match &self.credentials {
                    Credentials::Password { authcid, .. } => Ok(authcid.clone().into_bytes()),
                    Credentials::Token { .. } => {
                        Err(SaslError::Misuse("credentials do not fit the mechanism"))
                    }
                }
            }
            // Without an initial response the server opens with an empty
            // challenge; its content is ignored.
            State::Initial => Ok(self.first_message()),
            State::LoginUserSent => {
                self.state = State::LoginPasswordSent;
                Ok(password.as_bytes().to_vec())
            }
            State::ScramFirstSent(first) => {
                let (state, msg) = client_final(&first, password, challenge)?;
                self.state = State::ScramFinalSent(state);
                Ok(msg)
            }
            State::ScramFinalSent(state) => {
                let hash = self.mechanism.scram_hash().unwrap_or(ScramHash::Sha256);
                verify_server_final(hash, &state, challenge)?;
                self.state = State::ScramVerified;
                Ok(Vec::new())
            }
            State::OAuthSent => {
                // A challenge after the token is the server's JSON error
                // (RFC 7628 §3.2.2): acknowledge it, the server then fails.
                self.state = State::OAuthRejected(error_status(challenge));
                Ok(if self.mechanism == Mechanism::XOAuth2 {
                    Vec::new()
                } else {
                    vec![0x01]
                })
            }
            State::PlainSent
            | State::LoginPasswordSent
            | State::ScramVerified
            | State::OAuthRejected(_)
            | State::Failed => Err(SaslError::UnexpectedMessage),
        }
    }

    /// Call when the server reports the outcome (SMTP `235` or `535`).
    ///
    /// # Errors
    /// [`SaslError::InvalidServerSignature`] when a SCRAM server claims
    /// success without having sent a valid `v=`; [`SaslError::TokenRejected`]
    /// after an OAuth error challenge; [`SaslError::InvalidCredentials`] after
    /// an earlier failed step.
    pub fn finish(&self) -> Result<(), SaslError> {
        match &self.state {
            State::ScramFirstSent(_) | State::ScramFinalSent(_) => {
                Err(SaslError::InvalidServerSignature)
            }
            State::Initial
                if matches!(
                    self.mechanism,
                    Mechanism::ScramSha1 | Mechanism::ScramSha256
                ) =>
            {
                Err(SaslError::InvalidServerSignature)
            }
            State::OAuthRejected(status) => Err(SaslError::TokenRejected {
                status: status.clone(),
            }),
            State::Failed => Err(SaslError::InvalidCredentials),
            _ => Ok(()),
        }
    }

    /// `true` once the client has nothing more to send and, for SCRAM, has
    /// verified the server.
    pub fn is_complete(&self) -> bool {
        matches!(
            self.state,
            State::PlainSent | State::LoginPasswordSent | State::ScramVerified
        )
    }
}
