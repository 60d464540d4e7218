//! [`ServerSession`]: the server side of one SASL exchange, sans-IO.

use crate::oauth::{error_challenge, parse_oauthbearer, parse_xoauth2};
use crate::plain::parse_plain;
use crate::scram::server::{
    AfterClientFirst, AfterServerFirst, client_final, client_first, server_first,
};
use crate::scram::{ScramHash, ScramSecrets};
use crate::store::{CredentialError, CredentialStore};
use crate::{Mechanism, SaslError, Secret};

/// A question the mechanism needs the application's [`CredentialStore`] to
/// answer before it can go on. Answer it with [`ServerSession::answer`]
/// (the answer's variant must match: see [`CredentialAnswer`]), or let
/// [`CredentialRequest::ask`] put the question to a store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CredentialRequest {
    /// Check this password (PLAIN, LOGIN); answer [`CredentialAnswer::Identity`].
    CheckPassword {
        /// The authentication identity (user name).
        authcid: String,
        /// The password the client sent.
        password: Secret<String>,
    },
    /// Give the SCRAM secrets of this user; answer
    /// [`CredentialAnswer::ScramSecrets`].
    ScramSecrets {
        /// The authentication identity (user name).
        authcid: String,
        /// The mechanism's hash function.
        hash: ScramHash,
    },
    /// Check this bearer token (OAUTHBEARER, XOAUTH2); answer
    /// [`CredentialAnswer::Identity`].
    CheckToken {
        /// The user the client named, if any.
        user: Option<String>,
        /// The bearer token.
        token: Secret<String>,
    },
    /// May `identity` act as `authzid`? Answer [`CredentialAnswer::Authorized`].
    Authorize {
        /// The authenticated identity.
        identity: String,
        /// The authorization identity the client asked for.
        authzid: String,
    },
}

/// The application's answer to a [`CredentialRequest`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CredentialAnswer {
    /// For `CheckPassword` / `CheckToken`: the authenticated identity, or why not.
    Identity(Result<String, CredentialError>),
    /// For `ScramSecrets`: the secrets, `Ok(None)` for an unknown user.
    ScramSecrets(Result<Option<ScramSecrets>, CredentialError>),
    /// For `Authorize`: whether the identity may act as the authzid.
    Authorized(Result<bool, CredentialError>),
}

impl CredentialRequest {
    /// Puts the question to a [`CredentialStore`].
    pub async fn ask(&self, store: &dyn CredentialStore) -> CredentialAnswer {
        match self {
            CredentialRequest::CheckPassword { authcid, password } => {
                CredentialAnswer::Identity(store.check_password(authcid, password).await)
            }
            CredentialRequest::ScramSecrets { authcid, hash } => {
                CredentialAnswer::ScramSecrets(store.scram_secrets(authcid, *hash).await)
            }
            CredentialRequest::CheckToken { user, token } => {
                CredentialAnswer::Identity(store.check_token(user.as_deref(), token).await)
            }
            CredentialRequest::Authorize { identity, authzid } => {
                CredentialAnswer::Authorized(store.authorize(identity, authzid).await)
            }
        }
    }
}

/// A successful authentication.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authenticated {
    /// The authenticated identity (as the store returned it).
    pub identity: String,
    /// The authorization identity the client asked to act as, if any (and the
    /// store allowed it).
    pub authzid: Option<String>,
}

impl Authenticated {
    /// The user the session acts as: the authzid if one was given, else the
    /// authenticated identity.
    pub fn user(&self) -> &str {
        self.authzid.as_deref().unwrap_or(&self.identity)
    }
}

/// What a [`ServerSession`] wants next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServerStep {
    /// Send this challenge to the client (raw; the protocol framing
    /// base64-encodes it, e.g. as `334 <base64>` in SMTP) and feed its
    /// response to [`ServerSession::step`].
    Challenge(Vec<u8>),
    /// Answer this question from the credential store, then call
    /// [`ServerSession::answer`]. Never returned by the `*_with` methods.
    NeedCredentials(CredentialRequest),
    /// The exchange succeeded (SMTP: `235 2.7.0`).
    Success(Authenticated),
}

/// What to do once an authorization question is answered yes.
#[derive(Debug)]
enum AfterAuthz {
    Success,
    /// SCRAM: send the server-final-message, then succeed.
    ScramFinal(Vec<u8>),
}

#[derive(Debug)]
enum State {
    New,
    AwaitPlain,
    AwaitLoginUser,
    AwaitLoginPassword {
        user: String,
    },
    AwaitScramFirst(ScramHash),
    AwaitOAuth,
    PendingPassword {
        authzid: Option<String>,
    },
    PendingScramSecrets(AfterClientFirst),
    AwaitScramFinal(AfterServerFirst),
    PendingToken {
        authzid: Option<String>,
    },
    PendingAuthorize {
        auth: Authenticated,
        then: AfterAuthz,
    },
    AwaitScramAck(Authenticated),
    AwaitOAuthErrorAck,
    Done,
}

/// The server side of one SASL exchange, without I/O.
///
/// # Call order
/// 1. [`ServerSession::new`] for the mechanism the client named
///    ([`Mechanism::from_name`]; an unknown name is SMTP `504 5.5.4`).
/// 2. [`ServerSession::start`] with the initial response, if the client sent
///    one (`None` when it did not; `Some(b"")` for an empty one, SMTP `=`).
/// 3. Act on the returned [`ServerStep`]:
///    - `Challenge(bytes)`: send it, read the client's response, decode it
///      (the framing handles base64 and the `*` cancel, which simply drops the
///      session) and pass it to [`ServerSession::step`];
///    - `NeedCredentials(request)`: answer it (e.g.
///      `request.ask(store).await`) and pass the answer to
///      [`ServerSession::answer`];
///    - `Success(auth)`: done;
///
///    and `Err(SaslError)` at any point ends the exchange in failure
///    ([`SaslError::is_temporary`] tells a 454 from a 535).
///
/// Drivers that have a [`CredentialStore`] at hand use
/// [`ServerSession::start_with`] and [`ServerSession::step_with`] instead,
/// which answer credential requests themselves:
///
/// ```
/// # use sasl::{ClientSession, Credentials, MemoryStore, Mechanism, ServerSession, ServerStep};
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let store = MemoryStore::new().with_user("tim", "tanstaaftanstaaf");
/// let mut server = ServerSession::new(Mechanism::Plain);
/// let step = server.start_with(Some(b"\0tim\0tanstaaftanstaaf"), &store).await;
/// match step {
///     Ok(ServerStep::Success(auth)) => assert_eq!(auth.user(), "tim"),
///     other => panic!("{other:?}"),
/// }
/// # });
/// ```
///
/// Failures never tell an unknown user from a wrong secret: PLAIN and LOGIN
/// both give [`SaslError::InvalidCredentials`]; SCRAM answers an unknown user
/// with a stable fake salt and fails at the proof with
/// [`SaslError::InvalidProof`], as for a wrong password. A refused bearer token
/// yields a JSON error challenge first (RFC 7628 §3.2.2) and fails after the
/// client acknowledges it.
#[derive(Debug)]
pub struct ServerSession {
    mechanism: Mechanism,
    state: State,
    server_nonce: Option<String>,
}

impl ServerSession {
    /// A session for `mechanism`.
    pub fn new(mechanism: Mechanism) -> Self {
        ServerSession {
            mechanism,
            state: State::New,
            server_nonce: None,
        }
    }

    /// A session with a fixed SCRAM server nonce, for reproducing test
    /// vectors. Never use a fixed nonce in production.
    pub fn with_nonce(mechanism: Mechanism, server_nonce: &str) -> Self {
        ServerSession {
            server_nonce: Some(server_nonce.to_owned()),
            ..Self::new(mechanism)
        }
    }

    /// The session's mechanism.
    pub fn mechanism(&self) -> Mechanism {
        self.mechanism
    }

    /// `true` once the exchange has ended (in success or failure).
    pub fn is_done(&self) -> bool {
        matches!(self.state, State::Done)
    }

    /// Starts the exchange, with the client's initial response if it sent one.
    pub fn start(&mut self, initial_response: Option<&[u8]>) -> Result<ServerStep, SaslError> {
        if !matches!(self.state, State::New) {
            return self.fail(SaslError::Misuse("start called twice"));
        }
        let (wait, first_challenge) = match self.mechanism {
            Mechanism::Plain => (State::AwaitPlain, b"".as_slice()),
            Mechanism::Login => (State::AwaitLoginUser, b"Username:".as_slice()),
            Mechanism::ScramSha1 => (State::AwaitScramFirst(ScramHash::Sha1), b"".as_slice()),
            Mechanism::ScramSha256 => (State::AwaitScramFirst(ScramHash::Sha256), b"".as_slice()),
            Mechanism::OAuthBearer | Mechanism::XOAuth2 => (State::AwaitOAuth, b"".as_slice()),
        };
        self.state = wait;
        match initial_response {
            // LOGIN has no initial response in its draft; an empty one is
            // treated as none so that `AUTH LOGIN =` still prompts.
            None => Ok(ServerStep::Challenge(first_challenge.to_vec())),
            Some([]) if self.mechanism == Mechanism::Login => {
                Ok(ServerStep::Challenge(first_challenge.to_vec()))
            }
            Some(ir) => self.step(ir),
        }
    }

    /// Feeds the client's (base64-decoded) response to the last challenge.
    pub fn step(&mut self, response: &[u8]) -> Result<ServerStep, SaslError> {
        let result = self.step_inner(response);
        if result.is_err() {
            self.state = State::Done;
        }
        result
    }

    /// Feeds the answer to the last [`ServerStep::NeedCredentials`].
    pub fn answer(&mut self, answer: CredentialAnswer) -> Result<ServerStep, SaslError> {
        let result = self.answer_inner(answer);
        if result.is_err() {
            self.state = State::Done;
        }
        result
    }

    /// [`ServerSession::start`], answering credential requests from `store`.
    pub async fn start_with(
        &mut self,
        initial_response: Option<&[u8]>,
        store: &dyn CredentialStore,
    ) -> Result<ServerStep, SaslError> {
        let step = self.start(initial_response)?;
        self.resolve(step, store).await
    }

    /// [`ServerSession::step`], answering credential requests from `store`;
    /// never returns [`ServerStep::NeedCredentials`].
    pub async fn step_with(
        &mut self,
        response: &[u8],
        store: &dyn CredentialStore,
    ) -> Result<ServerStep, SaslError> {
        let step = self.step(response)?;
        self.resolve(step, store).await
    }

    async fn resolve(
        &mut self,
        mut step: ServerStep,
        store: &dyn CredentialStore,
    ) -> Result<ServerStep, SaslError> {
        while let ServerStep::NeedCredentials(request) = step {
            let answer = request.ask(store).await;
            step = self.answer(answer)?;
        }
        Ok(step)
    }

    fn fail<T>(&mut self, e: SaslError) -> Result<T, SaslError> {
        self.state = State::Done;
        Err(e)
    }

    fn step_inner(&mut self, response: &[u8]) -> Result<ServerStep, SaslError> {
        match std::mem::replace(&mut self.state, State::Done) {
            State::AwaitPlain => {
                let m = parse_plain(response)?;
                self.state = State::PendingPassword { authzid: m.authzid };
                Ok(ServerStep::NeedCredentials(
                    CredentialRequest::CheckPassword {
                        authcid: m.authcid,
                        password: m.password,
                    },
                ))
            }
            State::AwaitLoginUser => {
                let user = login_field(response, "LOGIN user name")?;
                self.state = State::AwaitLoginPassword { user };
                Ok(ServerStep::Challenge(b"Password:".to_vec()))
            }
            State::AwaitLoginPassword { user } => {
                let password = login_field(response, "LOGIN password")?;
                self.state = State::PendingPassword { authzid: None };
                Ok(ServerStep::NeedCredentials(
                    CredentialRequest::CheckPassword {
                        authcid: user,
                        password: Secret::new(password),
                    },
                ))
            }
            State::AwaitScramFirst(hash) => {
                let first = client_first(hash, response)?;
                let authcid = first.username.clone();
                self.state = State::PendingScramSecrets(first);
                Ok(ServerStep::NeedCredentials(
                    CredentialRequest::ScramSecrets { authcid, hash },
                ))
            }
            State::AwaitScramFinal(state) => {
                let v = client_final(state, response)?;
                let auth = Authenticated {
                    identity: v.username,
                    authzid: v.authzid,
                };
                self.authorize_then(auth, AfterAuthz::ScramFinal(v.server_final))
            }
            State::AwaitScramAck(auth) => {
                if !response.is_empty() {
                    return Err(SaslError::malformed(
                        self.mechanism.name(),
                        "non-empty response after the server-final-message",
                    ));
                }
                Ok(ServerStep::Success(auth))
            }
            State::AwaitOAuth => {
                let m = if self.mechanism == Mechanism::XOAuth2 {
                    parse_xoauth2(response)?
                } else {
                    parse_oauthbearer(response)?
                };
                // XOAUTH2's user= names the account, not an authzid.
                let authzid = match self.mechanism {
                    Mechanism::XOAuth2 => None,
                    _ => m.user.clone(),
                };
                self.state = State::PendingToken { authzid };
                Ok(ServerStep::NeedCredentials(CredentialRequest::CheckToken {
                    user: m.user,
                    token: m.token,
                }))
            }
            State::AwaitOAuthErrorAck => {
                if response != [0x01] && !response.is_empty() {
                    return Err(SaslError::malformed(
                        self.mechanism.name(),
                        "error acknowledgement is not ^A",
                    ));
                }
                Err(SaslError::InvalidCredentials)
            }
            State::New => Err(SaslError::Misuse("step called before start")),
            State::Done => Err(SaslError::UnexpectedMessage),
            State::PendingPassword { .. }
            | State::PendingScramSecrets(_)
            | State::PendingToken { .. }
            | State::PendingAuthorize { .. } => Err(SaslError::Misuse(
                "step called while a credential request is pending",
            )),
        }
    }

    fn answer_inner(&mut self, answer: CredentialAnswer) -> Result<ServerStep, SaslError> {
        match (std::mem::replace(&mut self.state, State::Done), answer) {
            (State::PendingPassword { authzid }, CredentialAnswer::Identity(r)) => {
                let identity = r.map_err(|e| refused(e, SaslError::InvalidCredentials))?;
                self.authorize_then(Authenticated { identity, authzid }, AfterAuthz::Success)
            }
            (State::PendingToken { authzid }, CredentialAnswer::Identity(r)) => match r {
                Ok(identity) => {
                    self.authorize_then(Authenticated { identity, authzid }, AfterAuthz::Success)
                }
                Err(CredentialError::Temporary(m)) => Err(SaslError::Temporary(m)),
                Err(CredentialError::Rejected) => {
                    self.state = State::AwaitOAuthErrorAck;
                    Ok(ServerStep::Challenge(error_challenge(
                        self.mechanism == Mechanism::XOAuth2,
                    )))
                }
            },
            (State::PendingScramSecrets(first), CredentialAnswer::ScramSecrets(r)) => {
                let secrets = match r {
                    Ok(s) => s,
                    Err(CredentialError::Temporary(m)) => return Err(SaslError::Temporary(m)),
                    Err(CredentialError::Rejected) => None,
                };
                let (state, challenge) = server_first(first, secrets, self.server_nonce.as_deref());
                self.state = State::AwaitScramFinal(state);
                Ok(ServerStep::Challenge(challenge))
            }
            (State::PendingAuthorize { auth, then }, CredentialAnswer::Authorized(r)) => {
                let allowed = r.map_err(|e| refused(e, SaslError::InvalidCredentials))?;
                if !allowed {
                    return Err(SaslError::AuthzidNotPermitted {
                        authzid: auth.authzid.unwrap_or_default(),
                    });
                }
                Ok(self.finish(auth, then))
            }
            (State::Done, _) => Err(SaslError::Misuse("answer called after the end")),
            _ => Err(SaslError::Misuse(
                "answer does not match the pending credential request",
            )),
        }
    }

    /// Asks for authorization when the authzid differs from the identity.
    fn authorize_then(
        &mut self,
        mut auth: Authenticated,
        then: AfterAuthz,
    ) -> Result<ServerStep, SaslError> {
        match auth.authzid.clone() {
            Some(authzid) if !authzid.is_empty() && authzid != auth.identity => {
                let identity = auth.identity.clone();
                self.state = State::PendingAuthorize { auth, then };
                Ok(ServerStep::NeedCredentials(CredentialRequest::Authorize {
                    identity,
                    authzid,
                }))
            }
            _ => {
                auth.authzid = auth.authzid.filter(|a| !a.is_empty());
                Ok(self.finish(auth, then))
            }
        }
    }

    fn finish(&mut self, auth: Authenticated, then: AfterAuthz) -> ServerStep {
        match then {
            AfterAuthz::Success => {
                self.state = State::Done;
                ServerStep::Success(auth)
            }
            AfterAuthz::ScramFinal(v) => {
                self.state = State::AwaitScramAck(auth);
                ServerStep::Challenge(v)
            }
        }
    }
}

fn refused(e: CredentialError, rejected: SaslError) -> SaslError {
    match e {
        CredentialError::Temporary(m) => SaslError::Temporary(m),
        _ => rejected,
    }
}

fn login_field(response: &[u8], field: &'static str) -> Result<String, SaslError> {
    if response.is_empty() {
        return Err(SaslError::malformed("LOGIN", "empty user name or password"));
    }
    std::str::from_utf8(response)
        .map(str::to_owned)
        .map_err(|_| SaslError::InvalidUtf8 { field })
}
