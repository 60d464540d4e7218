//! [`BlockingCredentials`]: password checks on tokio's blocking pool.

use std::sync::Arc;

use async_trait::async_trait;
use sasl::{CredentialError, CredentialStore, ScramHash, ScramSecrets, Secret};

/// A [`CredentialStore`] that runs the checks that may hash a password
/// ([`CredentialStore::check_password`], e.g. PBKDF2 in [`sasl::MemoryStore`], or argon2) on
/// tokio's blocking pool ([`tokio::task::spawn_blocking`]), so that a burst of logins never
/// stalls the runtime's worker threads and the other sessions on them. The other questions
/// (SCRAM secrets, tokens, shared secrets, authorization) are cheap lookups and are asked
/// in place.
///
/// Every server of the family wraps the application's store in one; the inner store's future
/// runs to completion on a blocking thread, inside the runtime's context (so it may still use
/// tokio I/O and timers).
#[derive(Clone)]
pub struct BlockingCredentials {
    inner: Arc<dyn CredentialStore>,
}

impl std::fmt::Debug for BlockingCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BlockingCredentials")
            .finish_non_exhaustive()
    }
}

impl BlockingCredentials {
    /// Wraps the application's store.
    pub fn new(inner: Arc<dyn CredentialStore>) -> Self {
        Self { inner }
    }

    /// The application's store.
    pub fn inner(&self) -> &Arc<dyn CredentialStore> {
        &self.inner
    }
}

#[async_trait]
impl CredentialStore for BlockingCredentials {
    async fn check_password(
        &self,
        authcid: &str,
        password: &Secret<String>,
    ) -> Result<String, CredentialError> {
        let (inner, authcid, password) = (self.inner.clone(), authcid.to_owned(), password.clone());
        let runtime = tokio::runtime::Handle::current();
        tokio::task::spawn_blocking(move || {
            runtime.block_on(async move { inner.check_password(&authcid, &password).await })
        })
        .await
        .unwrap_or_else(|error| {
            tracing::warn!(%error, "password check failed to run");
            Err(CredentialError::Temporary(
                "password check failed to run".into(),
            ))
        })
    }

    async fn scram_secrets(
        &self,
        authcid: &str,
        hash: ScramHash,
    ) -> Result<Option<ScramSecrets>, CredentialError> {
        self.inner.scram_secrets(authcid, hash).await
    }

    async fn check_token(
        &self,
        user: Option<&str>,
        token: &Secret<String>,
    ) -> Result<String, CredentialError> {
        self.inner.check_token(user, token).await
    }

    async fn shared_secret(&self, user: &str) -> Result<Option<Secret<String>>, CredentialError> {
        self.inner.shared_secret(user).await
    }

    async fn authorize(&self, identity: &str, authzid: &str) -> Result<bool, CredentialError> {
        self.inner.authorize(identity, authzid).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};
    use std::time::{Duration, Instant};
    use testkit::credentials::SlowStore;

    /// On a current-thread runtime the only worker is the test's thread: the check runs on
    /// another thread, and a ticker on the runtime keeps ticking meanwhile.
    #[tokio::test]
    async fn password_checks_run_off_the_worker_thread() {
        let store = Arc::new(SlowStore::new(
            &[("alice", "right")],
            Duration::from_millis(300),
        ));
        let credentials = BlockingCredentials::new(store.clone());
        let ticks = Arc::new(AtomicU32::new(0));
        let ticker = tokio::spawn({
            let ticks = ticks.clone();
            async move {
                loop {
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    ticks.fetch_add(1, Ordering::Relaxed);
                }
            }
        });
        let started = Instant::now();
        let ok = credentials
            .check_password("alice", &Secret::new("right".to_owned()))
            .await;
        assert_eq!(ok, Ok("alice".to_owned()));
        let bad = credentials
            .check_password("alice", &Secret::new("wrong".to_owned()))
            .await;
        assert_eq!(bad, Err(CredentialError::Rejected));
        assert!(started.elapsed() >= Duration::from_millis(600));
        ticker.abort();
        let threads = store.threads();
        assert_eq!(threads.len(), 2);
        let worker = std::thread::current().id();
        assert!(
            threads.iter().all(|t| *t != worker),
            "{threads:?} vs {worker:?}"
        );
        // 600 ms of checks: a ticker every 10 ms kept running (inline, it would be starved).
        let ticked = ticks.load(Ordering::Relaxed);
        assert!(ticked >= 20, "only {ticked} ticks during the checks");
    }
}
