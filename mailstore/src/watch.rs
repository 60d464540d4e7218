//! The change feed: what IMAP IDLE and concurrent sessions of one mailbox listen to.
//!
//! Built on [`Account::changes_since`], so it works for every backend and sees changes made by
//! any writer: in-process writers wake it at once through [`Account::change_notifier`]; other
//! processes (another server, an outside MDA writing the Maildir) are found by polling every
//! [`Account::poll_interval`]. Polling was chosen over an inotify crate: it needs no extra
//! dependency, works on network file systems, and costs two `stat` calls per poll when nothing
//! changed.

use std::sync::Arc;

use crate::error::Result;
use crate::store::Account;
use crate::types::Change;

/// A subscription to one mailbox's changes; see [`watch`].
pub struct ChangeFeed {
    account: Arc<dyn Account>,
    mailbox: String,
    modseq: u64,
    uid_next: u32,
}

impl std::fmt::Debug for ChangeFeed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChangeFeed")
            .field("mailbox", &self.mailbox)
            .field("modseq", &self.modseq)
            .field("uid_next", &self.uid_next)
            .finish()
    }
}

/// Subscribes to changes of `mailbox` made after now.
pub async fn watch(account: Arc<dyn Account>, mailbox: &str) -> Result<ChangeFeed> {
    let status = account.status(mailbox).await?;
    Ok(ChangeFeed {
        account,
        mailbox: mailbox.to_string(),
        modseq: status.highest_modseq,
        uid_next: status.uid_next,
    })
}

impl ChangeFeed {
    /// The HIGHESTMODSEQ up to which changes have been delivered.
    pub fn modseq(&self) -> u64 {
        self.modseq
    }

    /// Changes since the last call, if any (does not wait).
    pub async fn poll(&mut self) -> Result<Vec<Change>> {
        let set = self
            .account
            .changes_since(&self.mailbox, self.modseq)
            .await?;
        let mut out = Vec::with_capacity(set.changed.len() + set.expunged.len());
        for uid in set.expunged {
            out.push(Change::Expunged(uid));
        }
        for meta in set.changed {
            if meta.uid >= self.uid_next {
                self.uid_next = meta.uid + 1;
                out.push(Change::New(meta));
            } else {
                out.push(Change::Flags(meta));
            }
        }
        self.modseq = self.modseq.max(set.highest_modseq);
        Ok(out)
    }

    /// Waits for the next changes (at least one) and returns them.
    pub async fn next(&mut self) -> Result<Vec<Change>> {
        let notify = self.account.change_notifier(&self.mailbox);
        let interval = self.account.poll_interval();
        loop {
            let notified = notify.as_ref().map(|n| n.notified());
            let mut notified = notified.map(Box::pin);
            if let Some(n) = notified.as_mut() {
                n.as_mut().enable();
            }
            let changes = self.poll().await?;
            if !changes.is_empty() {
                return Ok(changes);
            }
            match notified {
                Some(n) => {
                    let _ = tokio::time::timeout(interval, n).await;
                }
                None => tokio::time::sleep(interval).await,
            }
        }
    }
}
