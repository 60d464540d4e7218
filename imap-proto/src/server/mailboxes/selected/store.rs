//! STORE and UID STORE (RFC 9051 §6.4.6, §6.4.9) with `.SILENT` and UNCHANGEDSINCE
//! (RFC 7162 §3.1.3, `MODIFIED`).

use super::super::{Mailboxes, Progress};
use crate::command::StoreKind;
use crate::response::{Code, StatusKind};
use crate::server::session::ServerSession;
use crate::server::view::{AnnouncePoint, StoreReply};
use crate::token::{Flag, SequenceSet};

/// The arguments of a STORE besides its message set.
#[derive(Debug, Clone, Copy)]
pub(super) struct StoreArgs<'a> {
    /// `UID STORE`.
    pub(super) uid: bool,
    /// `UNCHANGEDSINCE`.
    pub(super) unchanged_since: Option<u64>,
    /// `FLAGS`, `+FLAGS` or `-FLAGS`.
    pub(super) kind: StoreKind,
    /// `.SILENT`.
    pub(super) silent: bool,
    /// The flags.
    pub(super) flags: &'a [Flag<'a>],
}

/// The store's flag for an IMAP flag; `None` for `\Recent` and unknown `\` flags, which a
/// client cannot set (RFC 9051 §2.3.2).
pub(super) fn to_store_flag(flag: &Flag<'_>) -> Option<mailstore::Flag> {
    Some(match flag {
        Flag::Seen => mailstore::Flag::Seen,
        Flag::Answered => mailstore::Flag::Answered,
        Flag::Flagged => mailstore::Flag::Flagged,
        Flag::Deleted => mailstore::Flag::Deleted,
        Flag::Draft => mailstore::Flag::Draft,
        Flag::Keyword(k) => mailstore::Flag::parse(k.as_str())?,
        Flag::Recent | Flag::Extension(_) => return None,
    })
}

impl Mailboxes {
    /// STORE / UID STORE.
    pub(super) async fn store(
        &mut self,
        set: &SequenceSet,
        args: StoreArgs<'_>,
        point: AnnouncePoint,
        session: &mut ServerSession,
    ) -> Progress {
        let Some(sel) = self.selected.as_ref() else {
            return Progress::Done;
        };
        if sel.read_only {
            return self
                .finish_with(
                    session,
                    point,
                    StatusKind::No,
                    Some(Code::ReadOnly),
                    "Mailbox is read-only",
                )
                .await;
        }
        let mut flags = mailstore::Flags::new();
        for f in args.flags {
            match to_store_flag(f) {
                Some(f) => {
                    flags.insert(f);
                }
                None => {
                    let _ = session.complete(StatusKind::Bad, None, "Invalid flag in STORE");
                    return Progress::Done;
                }
            }
        }
        let Some(messages) = self.resolve(set, args.uid, session) else {
            return Progress::Done;
        };
        if args.unchanged_since.is_some() {
            session.enable_condstore();
        }
        let (Some(account), Some(sel)) = (self.account.clone(), self.selected.as_mut()) else {
            return Progress::Done;
        };
        if args.unchanged_since.is_some() {
            sel.view.enable_condstore();
        }
        let done = if args.uid {
            "UID STORE completed"
        } else {
            "STORE completed"
        };
        if messages.is_empty() {
            return self.finish(session, point, done).await;
        }
        let uids = sel.view.uid_set(&messages);
        let op = match args.kind {
            StoreKind::Replace => mailstore::FlagOp::Set,
            StoreKind::Add => mailstore::FlagOp::Add,
            StoreKind::Remove => mailstore::FlagOp::Remove,
        };
        let outcome = match account
            .store_flags(&sel.name, &uids, op, &flags, args.unchanged_since)
            .await
        {
            Ok(o) => o,
            Err(err) => return self.finish_store_error(session, point, "STORE", &err).await,
        };
        let reply = StoreReply {
            uid: args.uid,
            silent: args.silent,
        };
        let (responses, modified) = sel.view.store_result(&outcome, reply);
        for r in &responses {
            session.untagged(r);
        }
        match modified {
            Some(code) => {
                self.finish_with(
                    session,
                    point,
                    StatusKind::Ok,
                    Some(code),
                    "Conditional STORE failed",
                )
                .await
            }
            None => self.finish(session, point, done).await,
        }
    }
}
