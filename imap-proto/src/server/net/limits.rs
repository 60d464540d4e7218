//! Connections per user: a user's mail clients each hold a few connections (one per watched
//! folder with IDLE), but a stolen password or a runaway client must not take the server's
//! whole connection budget ([`mail_net::Limits`] counts per address, not per user).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

/// The authenticated connections of one server, by user.
#[derive(Debug, Default)]
pub(crate) struct UserConnections {
    counts: Mutex<HashMap<String, usize>>,
}

/// One counted connection of a user; uncounted on drop.
#[derive(Debug)]
pub(crate) struct UserSlot {
    users: Arc<UserConnections>,
    user: String,
}

impl UserConnections {
    /// Counts a connection of `user`, or `None` if `user` already has `max` of them.
    pub(crate) fn try_acquire(self: &Arc<Self>, user: &str, max: usize) -> Option<UserSlot> {
        let mut counts = self.counts.lock().unwrap_or_else(PoisonError::into_inner);
        let count = counts.entry(user.to_owned()).or_default();
        if *count >= max {
            if *count == 0 {
                counts.remove(user);
            }
            return None;
        }
        *count += 1;
        Some(UserSlot {
            users: self.clone(),
            user: user.to_owned(),
        })
    }

    /// How many connections `user` holds.
    #[cfg(test)]
    pub(crate) fn count(&self, user: &str) -> usize {
        let counts = self.counts.lock().unwrap_or_else(PoisonError::into_inner);
        counts.get(user).copied().unwrap_or(0)
    }
}

impl Drop for UserSlot {
    fn drop(&mut self) {
        let mut counts = self
            .users
            .counts
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(count) = counts.get_mut(&self.user) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                counts.remove(&self.user);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn at_most_max_per_user_and_released_on_drop() {
        let users = Arc::new(UserConnections::default());
        let a = users.try_acquire("alice", 2).expect("first");
        let b = users.try_acquire("alice", 2).expect("second");
        assert!(users.try_acquire("alice", 2).is_none());
        assert!(
            users.try_acquire("bob", 2).is_some(),
            "other users are not counted"
        );
        drop(a);
        assert_eq!(users.count("alice"), 1);
        let c = users.try_acquire("alice", 2).expect("a freed slot");
        drop((b, c));
        assert_eq!(users.count("alice"), 0);
        assert!(users.try_acquire("carol", 0).is_none());
        assert_eq!(users.count("carol"), 0);
    }
}
