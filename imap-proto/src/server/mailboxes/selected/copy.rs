//! COPY and MOVE (RFC 9051 §6.4.7, §6.4.8; RFC 6851 MOVE; RFC 4315 §3 COPYUID; TRYCREATE when
//! the target does not exist).

use std::borrow::Cow;

use super::super::{Mailboxes, Progress, error, names};
use crate::response::{Code, Response, Status, StatusKind};
use crate::server::session::ServerSession;
use crate::server::view::{AnnouncePoint, sequence_set};
use crate::token::{Mailbox, SequenceSet};

/// COPY and MOVE may announce expunges; MOVE sends its own (RFC 6851 §4.3).
const ANY: AnnouncePoint = AnnouncePoint::Command {
    allows_expunge: true,
};

/// `COPYUID uidvalidity source dest` for the pairs of a copy; `None` when nothing was copied.
fn copy_uid(outcome: &mailstore::CopyOutcome) -> Option<Code<'static>> {
    let source = sequence_set(outcome.uids.iter().map(|p| p.0))?;
    let destination = sequence_set(outcome.uids.iter().map(|p| p.1))?;
    Some(Code::CopyUid {
        uid_validity: outcome.uid_validity,
        source,
        destination,
    })
}

impl Mailboxes {
    /// COPY / UID COPY (`moving == false`), MOVE / UID MOVE.
    pub(super) async fn copy(
        &mut self,
        uid: bool,
        set: &SequenceSet,
        target: &Mailbox<'_>,
        moving: bool,
        session: &mut ServerSession,
    ) -> Progress {
        let command = match (uid, moving) {
            (false, false) => "COPY",
            (true, false) => "UID COPY",
            (false, true) => "MOVE",
            (true, true) => "UID MOVE",
        };
        let Some(to) = names::to_store(target, session.enabled().utf8_accept) else {
            return self
                .finish_with(
                    session,
                    ANY,
                    StatusKind::No,
                    Some(Code::Cannot),
                    "Invalid mailbox name",
                )
                .await;
        };
        if moving && self.selected.as_ref().is_some_and(|s| s.read_only) {
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
        let Some(messages) = self.resolve(set, uid, session) else {
            return Progress::Done;
        };
        let (Some(account), Some(sel)) = (self.account.clone(), self.selected.as_ref()) else {
            return Progress::Done;
        };
        let done = format!("{command} completed");
        if messages.is_empty() {
            return self.finish(session, ANY, &done).await;
        }
        let uids = sel.view.uid_set(&messages);
        let result = if moving {
            account.move_messages(&sel.name, &uids, &to).await
        } else {
            account.copy(&sel.name, &uids, &to).await
        };
        let outcome = match result {
            Ok(o) => o,
            Err(mailstore::StoreError::NoSuchMailbox(_)) => {
                return self
                    .finish_with(
                        session,
                        ANY,
                        StatusKind::No,
                        Some(Code::TryCreate),
                        "No such target mailbox",
                    )
                    .await;
            }
            Err(err) => {
                self.announce(session, ANY).await;
                error::complete_no(session, command, &err);
                return Progress::Done;
            }
        };
        let code = copy_uid(&outcome);
        if !moving {
            return self
                .finish_with(session, ANY, StatusKind::Ok, code, &done)
                .await;
        }
        // RFC 6851 §4.3: COPYUID in an untagged OK before the expunges.
        if let Some(code) = code {
            session.untagged(&Response::Status(Status {
                tag: None,
                kind: StatusKind::Ok,
                code: Some(code),
                text: Cow::Borrowed("Moved UIDs"),
            }));
        }
        self.sync().await;
        let moved: Vec<u32> = outcome.uids.iter().map(|p| p.0).collect();
        if let Some(sel) = self.selected.as_mut() {
            for r in sel.view.expunged_by_self(&moved) {
                session.untagged(&r);
            }
        }
        self.finish(session, ANY, &done).await
    }
}
