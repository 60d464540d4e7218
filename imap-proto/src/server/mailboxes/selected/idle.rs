//! IDLE (RFC 2177, RFC 9051 §6.3.13): waiting for changes of the selected mailbox and
//! announcing them as they come.

use super::super::Mailboxes;
use crate::server::session::ServerSession;
use crate::server::view::AnnouncePoint;

impl Mailboxes {
    /// During IDLE: waits until the selected mailbox may have changed (the store's change
    /// notifier, or its poll interval for other processes). Cancel-safe: the driver races it
    /// against reading the client's `DONE`. With no mailbox selected it never returns.
    pub async fn changed(&mut self) {
        let (Some(account), Some(sel)) = (self.account().cloned(), self.selected.as_ref()) else {
            return std::future::pending().await;
        };
        if sel.view.has_pending() {
            return;
        }
        let name = sel.name.clone();
        let since = sel.view.synced_modseq();
        let notify = account.change_notifier(&name);
        let interval = account.poll_interval();
        loop {
            // Registered before looking, so that a change between the look and the wait wakes.
            let mut notified = notify.as_ref().map(|n| Box::pin(n.notified()));
            if let Some(n) = notified.as_mut() {
                n.as_mut().enable();
            }
            match account.changes_since(&name, since).await {
                Ok(c) if c.highest_modseq > since || !c.expunged.is_empty() => return,
                Ok(_) => {}
                Err(err) => {
                    // Reported once the client asks again; do not spin meanwhile.
                    tracing::warn!(mailbox = %name, error = %err, "IDLE: changes_since failed");
                }
            }
            match notified {
                Some(n) => {
                    let _ = tokio::time::timeout(interval, n).await;
                }
                None => tokio::time::sleep(interval).await,
            }
        }
    }

    /// During IDLE: writes the untagged responses for the changes found (EXPUNGE/VANISHED,
    /// EXISTS, FETCH FLAGS: all are allowed while idling).
    pub async fn idle_poll(&mut self, session: &mut ServerSession) {
        self.announce(session, AnnouncePoint::Idle).await;
    }
}
