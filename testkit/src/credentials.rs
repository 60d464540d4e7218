//! [`SlowStore`]: a credential store whose password checks block, and record where they ran.

use std::sync::Mutex;
use std::thread::ThreadId;
use std::time::Duration;

use async_trait::async_trait;
use sasl::{CredentialError, CredentialStore, MemoryStore, Secret};

/// A [`CredentialStore`] whose [`CredentialStore::check_password`] blocks its thread for
/// `cost` (standing for PBKDF2 or argon2) and records the thread it ran on, then answers from
/// a [`MemoryStore`]: for tests that password hashing stays off the runtime's worker threads.
#[derive(Debug)]
pub struct SlowStore {
    inner: MemoryStore,
    cost: Duration,
    threads: Mutex<Vec<ThreadId>>,
}

impl SlowStore {
    /// A store knowing `users` (name, password), each check blocking for `cost`.
    pub fn new(users: &[(&str, &str)], cost: Duration) -> Self {
        let inner = MemoryStore::new().with_iterations(64);
        for (user, password) in users {
            inner.add_user(user, password);
        }
        Self {
            inner,
            cost,
            threads: Mutex::default(),
        }
    }

    /// The threads the password checks ran on, in order.
    pub fn threads(&self) -> Vec<ThreadId> {
        self.threads
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// Asserts that exactly one password check ran, and not on the calling thread (the test's
    /// runtime worker): the server moved it to the blocking pool.
    #[track_caller]
    pub fn assert_one_check_off_this_thread(&self) {
        let threads = self.threads();
        assert_eq!(threads.len(), 1, "password checks: {threads:?}");
        assert_ne!(
            threads[0],
            std::thread::current().id(),
            "ran on the runtime's worker"
        );
    }
}

#[async_trait]
impl CredentialStore for SlowStore {
    async fn check_password(
        &self,
        authcid: &str,
        password: &Secret<String>,
    ) -> Result<String, CredentialError> {
        self.threads
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(std::thread::current().id());
        std::thread::sleep(self.cost);
        self.inner.check_password(authcid, password).await
    }
}
