//! Shared state of one server: the maildrop locks (RFC 1939 §8: one session per maildrop) and
//! the per-address connection counts.

use std::collections::{HashMap, HashSet};
use std::net::IpAddr;
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

/// Open connections per client address.
#[derive(Debug, Default)]
pub(crate) struct PerIp {
    counts: Mutex<HashMap<IpAddr, usize>>,
}

/// One counted connection; uncounted on drop.
#[derive(Debug)]
pub(crate) struct IpSlot {
    per_ip: Arc<PerIp>,
    ip: IpAddr,
}

impl PerIp {
    /// Counts a connection from `ip`, or `None` if it already has `max`.
    pub(crate) fn try_acquire(self: &Arc<Self>, ip: IpAddr, max: usize) -> Option<IpSlot> {
        let mut counts = self.counts.lock().unwrap_or_else(PoisonError::into_inner);
        let n = counts.entry(ip).or_insert(0);
        if *n >= max {
            return None;
        }
        *n += 1;
        Some(IpSlot {
            per_ip: self.clone(),
            ip,
        })
    }
}

impl Drop for IpSlot {
    fn drop(&mut self) {
        let mut counts = self
            .per_ip
            .counts
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(n) = counts.get_mut(&self.ip) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                counts.remove(&self.ip);
            }
        }
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

    #[test]
    fn per_ip_counts() {
        let per_ip = Arc::new(PerIp::default());
        let ip: IpAddr = [127, 0, 0, 1].into();
        let a = per_ip.try_acquire(ip, 2).expect("1");
        let _b = per_ip.try_acquire(ip, 2).expect("2");
        assert!(per_ip.try_acquire(ip, 2).is_none());
        assert!(per_ip.try_acquire([127, 0, 0, 2].into(), 2).is_some());
        drop(a);
        assert!(per_ip.try_acquire(ip, 2).is_some());
    }
}
