//! The selected state (RFC 9051 §6.3.2–3, §6.4): SELECT/EXAMINE (CONDSTORE, QRESYNC), FETCH,
//! STORE, SEARCH/SORT/THREAD, COPY/MOVE, EXPUNGE, CLOSE/UNSELECT, NOOP/CHECK, and the
//! announcements of other sessions' changes (IDLE).
//!
//! - `select`: SELECT and EXAMINE; the view is built from the store's metadata in chunks.
//! - `fetch`: FETCH, streamed and resumable ([`Job`]).
//! - `store`: STORE.
//! - `search`: SEARCH, SORT, THREAD.
//! - `copy`: COPY and MOVE.
//! - `expunge`: EXPUNGE, UID EXPUNGE, CLOSE, UNSELECT, NOOP, CHECK.
//! - `idle`: waiting for changes and announcing them during IDLE.
//!
//! Every command ends through [`Mailboxes::finish`]: the store's changes of the selected
//! mailbox are fetched and announced as the command allows (RFC 9051 §7.4.1, §7.5.1), then
//! the tagged response is written.

mod copy;
mod expunge;
mod fetch;
mod idle;
mod search;
mod select;
mod store;
#[cfg(test)]
mod tests;

use super::{Mailboxes, Progress, error};
use crate::command::CommandBody;
use crate::response::{Code, StatusKind};
use crate::server::session::{Request, ServerSession};
use crate::server::view::{AnnouncePoint, MessageSet, ViewError};
use crate::token::SequenceSet;

/// A command paused by back-pressure ([`Progress::Paused`]), resumed by [`Mailboxes::resume`].
#[derive(Debug)]
pub(crate) enum Job {
    /// A FETCH in progress.
    Fetch(Box<fetch::FetchJob>),
}

impl Mailboxes {
    /// Runs a command of the selected state (and SELECT/EXAMINE).
    pub(super) async fn run_selected(
        &mut self,
        request: Request,
        session: &mut ServerSession,
    ) -> Progress {
        use CommandBody as C;
        if self.account.is_none() {
            let _ = session.complete(StatusKind::No, None, "No account is open");
            return Progress::Done;
        }
        let point = AnnouncePoint::for_command(&request.command);
        match request.command {
            C::Select { mailbox, params } => self.select(&mailbox, &params, false, session).await,
            C::Examine { mailbox, params } => self.select(&mailbox, &params, true, session).await,
            C::Noop | C::Check if self.selected.is_none() => {
                // Nothing selected: nothing to announce (RFC 9051 §6.1.2).
                let _ = session.complete(StatusKind::Ok, None, "NOOP completed");
                Progress::Done
            }
            command => {
                if self.selected.is_none() {
                    let _ = session.complete(StatusKind::Bad, None, "No mailbox selected");
                    return Progress::Done;
                }
                match command {
                    C::Fetch {
                        uid,
                        set,
                        items,
                        modifiers,
                    } => {
                        self.fetch(uid, &set, &items, modifiers, point, session)
                            .await
                    }
                    C::Store {
                        uid,
                        set,
                        unchanged_since,
                        kind,
                        silent,
                        flags,
                    } => {
                        let args = store::StoreArgs {
                            uid,
                            unchanged_since,
                            kind,
                            silent,
                            flags: &flags,
                        };
                        self.store(&set, args, point, session).await
                    }
                    C::Search {
                        uid,
                        return_opts,
                        charset,
                        criteria,
                    } => {
                        let charset = charset.as_ref().map(|c| c.as_bytes());
                        self.search(
                            &request.tag,
                            uid,
                            return_opts.as_deref(),
                            charset,
                            &criteria,
                            point,
                            session,
                        )
                        .await
                    }
                    C::Sort {
                        uid,
                        criteria,
                        charset,
                        keys,
                    } => {
                        self.sort(uid, &criteria, charset.as_bytes(), &keys, point, session)
                            .await
                    }
                    C::Thread {
                        uid,
                        algorithm,
                        charset,
                        keys,
                    } => {
                        self.thread(uid, &algorithm, charset.as_bytes(), &keys, point, session)
                            .await
                    }
                    C::Copy { uid, set, mailbox } => {
                        self.copy(uid, &set, &mailbox, false, session).await
                    }
                    C::Move { uid, set, mailbox } => {
                        self.copy(uid, &set, &mailbox, true, session).await
                    }
                    C::Expunge => self.expunge(None, session).await,
                    C::UidExpunge { uids } => self.expunge(Some(&uids), session).await,
                    C::Close => self.close(true, session).await,
                    C::Unselect => self.close(false, session).await,
                    C::Noop => self.finish(session, point, "NOOP completed").await,
                    C::Check => self.finish(session, point, "CHECK completed").await,
                    other => {
                        tracing::warn!(command = other.name(), "not a selected-state command");
                        let _ = session.complete(StatusKind::Bad, None, "Unexpected command");
                        Progress::Done
                    }
                }
            }
        }
    }

    /// Continues the paused job.
    pub(super) async fn resume_selected(&mut self, session: &mut ServerSession) -> Progress {
        match self.job.take() {
            Some(Job::Fetch(job)) => self.run_fetch(job, session).await,
            None => Progress::Done,
        }
    }

    /// Before a command's tagged response: fetch the store's changes of the selected mailbox
    /// (if any) and write the untagged responses `point` allows (RFC 9051 §7.4.1, §7.5.1).
    /// Does nothing when no mailbox is selected.
    pub(crate) async fn announce(&mut self, session: &mut ServerSession, point: AnnouncePoint) {
        self.sync().await;
        if let Some(sel) = self.selected.as_mut() {
            sel.view.announce_into(point, session.encoder());
        }
    }

    /// Applies the store's changes since the view's HIGHESTMODSEQ to the view (nothing is
    /// written). A store failure is logged; the view stays as it was.
    pub(crate) async fn sync(&mut self) {
        let (Some(account), Some(sel)) = (self.account.as_ref(), self.selected.as_mut()) else {
            return;
        };
        match account
            .changes_since(&sel.name, sel.view.synced_modseq())
            .await
        {
            Ok(changes) => sel.view.apply_changes(&changes),
            Err(err) => tracing::warn!(mailbox = %sel.name, error = %err, "changes_since failed"),
        }
    }

    /// Announces what `point` allows and completes the command with `OK text`.
    pub(crate) async fn finish(
        &mut self,
        session: &mut ServerSession,
        point: AnnouncePoint,
        text: &str,
    ) -> Progress {
        self.finish_with(session, point, StatusKind::Ok, None, text)
            .await
    }

    /// Announces what `point` allows and completes the command with `kind [code] text`.
    pub(crate) async fn finish_with(
        &mut self,
        session: &mut ServerSession,
        point: AnnouncePoint,
        kind: StatusKind,
        code: Option<Code<'_>>,
        text: &str,
    ) -> Progress {
        self.announce(session, point).await;
        let _ = session.complete(kind, code, text);
        Progress::Done
    }

    /// Announces what `point` allows and completes the command with the `NO` for a store
    /// failure.
    pub(crate) async fn finish_store_error(
        &mut self,
        session: &mut ServerSession,
        point: AnnouncePoint,
        command: &str,
        err: &mailstore::StoreError,
    ) -> Progress {
        self.announce(session, point).await;
        error::complete_no(session, command, err);
        Progress::Done
    }

    /// The messages `set` names in the selected mailbox; on a number the client may not use,
    /// completes the command with `BAD` (RFC 9051 §6.4) and returns `None`.
    pub(crate) fn resolve(
        &mut self,
        set: &SequenceSet,
        uid: bool,
        session: &mut ServerSession,
    ) -> Option<MessageSet> {
        let sel = self.selected.as_ref()?;
        match sel.view.resolve(set, uid) {
            Ok(set) => Some(set),
            Err(ViewError::NoSuchMessage { .. }) => {
                let _ = session.complete(StatusKind::Bad, None, "Invalid message sequence number");
                None
            }
            Err(_) => {
                let _ = session.complete(StatusKind::Bad, None, "Invalid message set");
                None
            }
        }
    }
}
