//! EXPUNGE (RFC 9051 §6.4.3), UID EXPUNGE (RFC 4315 §2.1, RFC 9051 §6.4.9), CLOSE (§6.4.1)
//! and UNSELECT (RFC 3691, RFC 9051 §6.4.2).

use super::super::{Mailboxes, Progress};
use crate::response::{Code, StatusKind};
use crate::server::session::ServerSession;
use crate::server::view::AnnouncePoint;
use crate::token::SequenceSet;

/// EXPUNGE and UID EXPUNGE may announce expunges (RFC 9051 §7.5.1).
const ANY: AnnouncePoint = AnnouncePoint::Command {
    allows_expunge: true,
};

impl Mailboxes {
    /// EXPUNGE (`uids == None`) or UID EXPUNGE: removes the messages marked `\Deleted` and
    /// answers with their EXPUNGE (VANISHED under QRESYNC) responses.
    pub(super) async fn expunge(
        &mut self,
        uids: Option<&SequenceSet>,
        session: &mut ServerSession,
    ) -> Progress {
        let Some(sel) = self.selected.as_ref() else {
            return Progress::Done;
        };
        if sel.read_only {
            return self
                .finish_with(
                    session,
                    ANY,
                    StatusKind::No,
                    Some(Code::ReadOnly),
                    "Mailbox is read-only",
                )
                .await;
        }
        let set = match uids {
            Some(uids) => {
                let Some(set) = self.resolve(uids, true, session) else {
                    return Progress::Done;
                };
                let Some(sel) = self.selected.as_ref() else {
                    return Progress::Done;
                };
                if set.is_empty() {
                    return self.finish(session, ANY, "UID EXPUNGE completed").await;
                }
                Some(sel.view.uid_set(&set))
            }
            None => None,
        };
        let (Some(account), Some(sel)) = (self.account.clone(), self.selected.as_ref()) else {
            return Progress::Done;
        };
        let removed = match account.expunge(&sel.name, set.as_ref()).await {
            Ok(r) => r,
            Err(err) => return self.finish_store_error(session, ANY, "EXPUNGE", &err).await,
        };
        // Others' changes first, so that the numbers below count them.
        self.sync().await;
        let Some(sel) = self.selected.as_mut() else {
            return Progress::Done;
        };
        for r in sel.view.expunged_by_self(&removed) {
            session.untagged(&r);
        }
        let text = if uids.is_some() {
            "UID EXPUNGE completed"
        } else {
            "EXPUNGE completed"
        };
        // RFC 7162 §3.2.7: under QRESYNC the tagged OK carries the new HIGHESTMODSEQ.
        let code = sel
            .view
            .qresync_enabled()
            .then(|| Code::HighestModSeq(sel.view.synced_modseq()));
        self.finish_with(session, ANY, StatusKind::Ok, code, text)
            .await
    }

    /// CLOSE (`expunge`: removes the `\Deleted` messages without a word, unless read-only) or
    /// UNSELECT: back to the authenticated state.
    pub(super) async fn close(&mut self, expunge: bool, session: &mut ServerSession) -> Progress {
        let Some(sel) = self.selected.take() else {
            return Progress::Done;
        };
        self.job = None;
        session.set_selected(None);
        let mut code = None;
        if expunge
            && !sel.read_only
            && let Some(account) = self.account.as_ref()
        {
            match account.expunge(&sel.name, None).await {
                // RFC 7162 §3.2.7: under QRESYNC the tagged OK carries the new HIGHESTMODSEQ.
                Ok(_) if sel.view.qresync_enabled() => {
                    code = account
                        .status(&sel.name)
                        .await
                        .ok()
                        .map(|st| Code::HighestModSeq(st.highest_modseq));
                }
                Ok(_) => {}
                // RFC 9051 §6.4.1: the mailbox is closed even so.
                Err(err) => {
                    tracing::warn!(mailbox = %sel.name, error = %err, "CLOSE: expunge failed")
                }
            }
        }
        let text = if expunge {
            "CLOSE completed"
        } else {
            "UNSELECT completed"
        };
        let _ = session.complete(StatusKind::Ok, code, text);
        Progress::Done
    }
}
