//! The maildrop locks of one server (RFC 1939 §8: one session per maildrop).

use std::collections::HashSet;
use std::sync::{Arc, Mutex, PoisonError};

/// The maildrops locked by this server's sessions.
#[derive(Debug, Default)]
pub(crate) struct MaildropLocks {
    locked: Mutex<HashSet<String>>,
}

/// A held maildrop lock; released on drop.
#[derive(Debug)]
pub(crate) struct MaildropLock {
    locks: Arc<MaildropLocks>,
    user: String,
}

impl MaildropLocks {
    /// Locks `user`'s maildrop, or `None` if another session holds it.
    pub(crate) fn try_lock(self: &Arc<Self>, user: &str) -> Option<MaildropLock> {
        let mut locked = self.locked.lock().unwrap_or_else(PoisonError::into_inner);
        locked.insert(user.to_owned()).then(|| MaildropLock {
            locks: self.clone(),
            user: user.to_owned(),
        })
    }
}

impl Drop for MaildropLock {
    fn drop(&mut self) {
        let mut locked = self
            .locks
            .locked
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        locked.remove(&self.user);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_is_exclusive_and_released_on_drop() {
        let locks = Arc::new(MaildropLocks::default());
        let a = locks.try_lock("alice").expect("first lock");
        assert!(locks.try_lock("alice").is_none());
        assert!(locks.try_lock("bob").is_some());
        drop(a);
        assert!(locks.try_lock("alice").is_some());
    }
}
