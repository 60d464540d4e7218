//! [`CredentialStore`]: the application's seam (who may log in, with what
//! secret), and [`MemoryStore`], a small in-memory implementation.

use std::collections::{HashMap, HashSet};
use std::sync::RwLock;

use async_trait::async_trait;

use crate::Secret;
use crate::scram::{ScramHash, ScramSecrets};

/// Why a credential store refused or could not answer.
///
/// There is deliberately no "unknown user" variant distinct from "wrong
/// password": sessions map both to the same client-visible failure.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CredentialError {
    /// The credentials are not valid (unknown user, wrong password, expired
    /// or unknown token).
    #[error("credentials rejected")]
    Rejected,
    /// The store cannot answer now (database down, ...): a temporary failure
    /// the client may retry.
    #[error("credential store temporarily unavailable: {0}")]
    Temporary(String),
}

/// The application's answer to "who may log in, with what secret".
///
/// Servers ask it through [`crate::ServerSession::step_with`] (or, sans-IO,
/// by answering [`crate::CredentialRequest`]s themselves). Implementations
/// must give the same answer for an unknown user as for a wrong secret.
#[async_trait]
pub trait CredentialStore: Send + Sync {
    /// Checks a plaintext password (PLAIN, LOGIN). Returns the authenticated
    /// identity: normally `authcid`, possibly canonicalised (e.g. lower-cased).
    async fn check_password(
        &self,
        authcid: &str,
        password: &Secret<String>,
    ) -> Result<String, CredentialError>;

    /// Gives the SCRAM secrets of `authcid` for the hash function (never the
    /// plaintext). `Ok(None)` means the user is unknown or has no secrets for
    /// this hash; the session then fakes an exchange that fails at the end, so
    /// the client cannot tell. The default knows no one.
    async fn scram_secrets(
        &self,
        authcid: &str,
        hash: ScramHash,
    ) -> Result<Option<ScramSecrets>, CredentialError> {
        let _ = (authcid, hash);
        Ok(None)
    }

    /// Checks an OAuth 2.0 bearer token (OAUTHBEARER, XOAUTH2). `user` is the
    /// user name the client named (XOAUTH2 `user=`, OAUTHBEARER `a=`), if any.
    /// Returns the identity the token belongs to. The default rejects all.
    async fn check_token(
        &self,
        user: Option<&str>,
        token: &Secret<String>,
    ) -> Result<String, CredentialError> {
        let _ = (user, token);
        Err(CredentialError::Rejected)
    }

    /// The shared secret of `user` in plaintext, for challenge-response schemes that need
    /// it on the server (POP3 `APOP`, RFC 1939 §7). `Ok(None)`: unknown user or no such
    /// secret; the default has none, so such schemes always fail.
    async fn shared_secret(&self, user: &str) -> Result<Option<Secret<String>>, CredentialError> {
        let _ = user;
        Ok(None)
    }

    /// May `identity` (already authenticated) act as `authzid`? Asked only
    /// when the client requested a non-empty authzid different from the
    /// identity. The default allows only an empty or equal authzid.
    async fn authorize(&self, identity: &str, authzid: &str) -> Result<bool, CredentialError> {
        Ok(authzid.is_empty() || authzid == identity)
    }
}

/// What [`MemoryStore`] keeps for a user: SCRAM secrets only, no plaintext.
#[derive(Debug, Clone)]
struct UserEntry {
    sha1: ScramSecrets,
    sha256: ScramSecrets,
}

/// An in-memory [`CredentialStore`] for tests and examples.
///
/// It keeps only SCRAM secrets (a random salt per user and hash), checking
/// PLAIN/LOGIN passwords by deriving and comparing `StoredKey`; tokens map to
/// users; extra authorizations (authcid may act as authzid) are a set.
///
/// ```
/// # use sasl::MemoryStore;
/// let store = MemoryStore::new().with_iterations(4096);
/// store.add_user("user", "pencil");
/// store.add_token("ya29.token", "user@example.com");
/// store.allow_authz("admin", "user");
/// ```
pub struct MemoryStore {
    iterations: u32,
    users: RwLock<HashMap<String, UserEntry>>,
    tokens: RwLock<HashMap<String, String>>,
    shared: RwLock<HashMap<String, Secret<String>>>,
    authz: RwLock<HashSet<(String, String)>>,
}

/// Counts only: the token map's keys are bearer tokens.
impl std::fmt::Debug for MemoryStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        fn count<T>(lock: &RwLock<T>, len: impl Fn(&T) -> usize) -> String {
            lock.read()
                .map_or_else(|_| "poisoned".to_owned(), |t| len(&t).to_string())
        }
        f.debug_struct("MemoryStore")
            .field("iterations", &self.iterations)
            .field("users", &count(&self.users, HashMap::len))
            .field("tokens", &count(&self.tokens, HashMap::len))
            .field("shared", &count(&self.shared, HashMap::len))
            .field("authz", &count(&self.authz, HashSet::len))
            .finish()
    }
}

impl Default for MemoryStore {
    fn default() -> Self {
        Self::new()
    }
}

fn poisoned<T>(_: T) -> CredentialError {
    CredentialError::Temporary("memory store lock poisoned".into())
}

impl MemoryStore {
    /// An empty store deriving SCRAM secrets with 4096 iterations.
    pub fn new() -> Self {
        MemoryStore {
            iterations: 4096,
            users: RwLock::default(),
            tokens: RwLock::default(),
            shared: RwLock::default(),
            authz: RwLock::default(),
        }
    }

    /// Sets the PBKDF2 iteration count for users added afterwards.
    pub fn with_iterations(mut self, iterations: u32) -> Self {
        self.iterations = iterations.max(1);
        self
    }

    /// Adds (or replaces) a user with a password, storing only its SCRAM
    /// secrets for SHA-1 and SHA-256.
    pub fn add_user(&self, name: &str, password: &str) {
        let mut salt = [0u8; 16];
        if getrandom::fill(&mut salt).is_err() {
            // Deterministic fallback: unique per user, still never plaintext.
            salt.copy_from_slice(&ScramHash::Sha256.hash(name.as_bytes())[..16]);
        }
        self.add_user_with_salt(name, password, &salt);
    }

    /// Adds (or replaces) a user with a password and a chosen salt (for
    /// reproducible tests such as the RFC 5802 example).
    pub fn add_user_with_salt(&self, name: &str, password: &str, salt: &[u8]) {
        let entry = UserEntry {
            sha1: ScramSecrets::derive(password, salt, self.iterations, ScramHash::Sha1),
            sha256: ScramSecrets::derive(password, salt, self.iterations, ScramHash::Sha256),
        };
        if let Ok(mut users) = self.users.write() {
            users.insert(name.to_owned(), entry);
        }
    }

    /// Makes `token` a valid bearer token for `user`.
    pub fn add_token(&self, token: &str, user: &str) {
        if let Ok(mut tokens) = self.tokens.write() {
            tokens.insert(token.to_owned(), user.to_owned());
        }
    }

    /// Gives `user` a plaintext shared secret for `APOP` (kept apart from the password,
    /// whose plaintext this store never keeps).
    pub fn set_shared_secret(&self, user: &str, secret: &str) {
        if let Ok(mut shared) = self.shared.write() {
            shared.insert(user.to_owned(), Secret::new(secret.to_owned()));
        }
    }

    /// Lets `identity` act as `authzid`.
    pub fn allow_authz(&self, identity: &str, authzid: &str) {
        if let Ok(mut authz) = self.authz.write() {
            authz.insert((identity.to_owned(), authzid.to_owned()));
        }
    }

    /// Consuming form of [`MemoryStore::add_user`], for building a store.
    pub fn with_user(self, name: &str, password: &str) -> Self {
        self.add_user(name, password);
        self
    }
}

#[async_trait]
impl CredentialStore for MemoryStore {
    async fn check_password(
        &self,
        authcid: &str,
        password: &Secret<String>,
    ) -> Result<String, CredentialError> {
        let entry = self.users.read().map_err(poisoned)?.get(authcid).cloned();
        match entry {
            Some(e) if e.sha256.verify_password(password.expose()) => Ok(authcid.to_owned()),
            Some(_) => Err(CredentialError::Rejected),
            None => {
                // Spend the same PBKDF2 time as for a known user, so response
                // time does not reveal whether the user exists.
                let salt = [0u8; 16];
                let _ = ScramSecrets::derive(
                    password.expose(),
                    &salt,
                    self.iterations,
                    ScramHash::Sha256,
                );
                Err(CredentialError::Rejected)
            }
        }
    }

    async fn scram_secrets(
        &self,
        authcid: &str,
        hash: ScramHash,
    ) -> Result<Option<ScramSecrets>, CredentialError> {
        let users = self.users.read().map_err(poisoned)?;
        Ok(users.get(authcid).map(|e| match hash {
            ScramHash::Sha1 => e.sha1.clone(),
            ScramHash::Sha256 => e.sha256.clone(),
        }))
    }

    async fn check_token(
        &self,
        user: Option<&str>,
        token: &Secret<String>,
    ) -> Result<String, CredentialError> {
        let tokens = self.tokens.read().map_err(poisoned)?;
        match tokens.get(token.expose()) {
            Some(owner) if user.is_none_or(|u| u == owner) => Ok(owner.clone()),
            _ => Err(CredentialError::Rejected),
        }
    }

    async fn shared_secret(&self, user: &str) -> Result<Option<Secret<String>>, CredentialError> {
        Ok(self.shared.read().map_err(poisoned)?.get(user).cloned())
    }

    async fn authorize(&self, identity: &str, authzid: &str) -> Result<bool, CredentialError> {
        if authzid.is_empty() || authzid == identity {
            return Ok(true);
        }
        let authz = self.authz.read().map_err(poisoned)?;
        Ok(authz.contains(&(identity.to_owned(), authzid.to_owned())))
    }
}
