//! The selected state (RFC 9051 §6.3.2–3, §6.4): SELECT/EXAMINE (CONDSTORE, QRESYNC), FETCH,
//! STORE, SEARCH/SORT/THREAD, COPY/MOVE, EXPUNGE, CLOSE/UNSELECT, NOOP/CHECK, and the
//! announcements of other sessions' changes (IDLE). (helper `imap-selected`)

use super::{Mailboxes, Progress};
use crate::server::session::{Request, ServerSession};
use crate::server::view::AnnouncePoint;

/// A command paused by back-pressure ([`Progress::Paused`]), resumed by [`Mailboxes::resume`].
#[derive(Debug)]
pub(crate) struct Job {}

impl Mailboxes {
    /// Runs a command of the selected state (and SELECT/EXAMINE).
    pub(super) async fn run_selected(
        &mut self,
        request: Request,
        session: &mut ServerSession,
    ) -> Progress {
        let _ = (request, session, &self.job);
        unimplemented!("imap-selected")
    }

    /// Continues the paused job.
    pub(super) async fn resume_selected(&mut self, session: &mut ServerSession) -> Progress {
        let _ = session;
        unimplemented!("imap-selected")
    }

    /// Before a command's tagged response: fetch the store's changes of the selected mailbox
    /// (if any) and write the untagged responses `point` allows (RFC 9051 §7.4.1, §7.5.1).
    /// Does nothing when no mailbox is selected.
    pub(crate) async fn announce(&mut self, session: &mut ServerSession, point: AnnouncePoint) {
        let _ = (session, point);
        unimplemented!("imap-selected")
    }

    /// During IDLE: waits until the selected mailbox may have changed (the store's change
    /// notifier, or its poll interval for other processes). Cancel-safe: the driver races it
    /// against reading the client's `DONE`.
    pub async fn changed(&mut self) {
        unimplemented!("imap-selected")
    }

    /// During IDLE: writes the untagged responses for the changes found (EXPUNGE/VANISHED,
    /// EXISTS, FETCH FLAGS: all are allowed while idling).
    pub async fn idle_poll(&mut self, session: &mut ServerSession) {
        let _ = session;
        unimplemented!("imap-selected")
    }
}
