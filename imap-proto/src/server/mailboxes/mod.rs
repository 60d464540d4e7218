//! The glue between the sans-IO [`ServerSession`] and `mailstore`: runs the mailbox commands
//! of the authenticated and selected states (RFC 9051 §6.3, §6.4) over one user's
//! [`mailstore::Account`], keeping the selected mailbox's [`MailboxView`].
//!
//! No socket here: the driver hands each [`Event::Command`](super::session::Event::Command)
//! to [`Mailboxes::run`], which writes the command's responses into the session and completes
//! it. A command with a large answer (FETCH of many messages, a big literal) stops when the
//! session's output is over its limit ([`ServerSession::should_flush`]) and returns
//! [`Progress::Paused`]: the driver writes the output and calls [`Mailboxes::resume`]. So the
//! memory of a session does not grow with the mailbox or the message.
//!
//! ```text
//! Event::OpenAccount{user}  → Mailboxes::open → ServerSession::account_opened
//! Event::Command(request)   → Mailboxes::run (→ Paused → write → Mailboxes::resume …) → Done
//! Event::AppendMessage(m)   → Mailboxes::append_message  (accepts or refuses the literal)
//! Event::AppendData(bytes)  → Mailboxes::append_data
//! Event::AppendMessageEnd   → Mailboxes::append_message_end
//! Event::AppendEnd          → Mailboxes::append_end      (stores all, OK [APPENDUID ...])
//! Event::AppendAborted      → Mailboxes::append_aborted  (discards)
//! Event::Idle … IdleDone    → loop { Mailboxes::changed().await; Mailboxes::idle_poll }
//! ```

use std::sync::Arc;

use mailstore::{Account, MailStore};

use super::session::{AccountError, Request, ServerSession};
use super::view::MailboxView;

mod append;
mod error;
mod folders;
mod names;
mod selected;

/// Whether a command finished.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use]
pub enum Progress {
    /// The command is complete (its tagged response is in the output).
    Done,
    /// The output is full: write it, then call [`Mailboxes::resume`].
    Paused,
}

/// The selected mailbox of a session.
#[derive(Debug)]
pub(crate) struct Selected {
    /// Its name as the store knows it.
    pub(crate) name: String,
    /// EXAMINE, or the store is read-only.
    pub(crate) read_only: bool,
    /// Message numbers, flags, MODSEQs and pending changes as this session sees them.
    pub(crate) view: MailboxView,
}

/// One session's mailboxes: the account, the selected mailbox, a paused command, an APPEND in
/// progress.
pub struct Mailboxes {
    store: Arc<dyn MailStore>,
    account: Option<Arc<dyn Account>>,
    selected: Option<Selected>,
    /// A command paused by back-pressure.
    job: Option<selected::Job>,
    /// An APPEND being received.
    append: Option<append::Spool>,
    /// A LIST paused by back-pressure.
    list_job: Option<Box<folders::list::ListJob>>,
}

impl std::fmt::Debug for Mailboxes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailboxes")
            .field("user", &self.account.as_ref().map(|a| a.user().to_string()))
            .field("selected", &self.selected.as_ref().map(|s| &s.name))
            .finish_non_exhaustive()
    }
}

impl Mailboxes {
    /// The mailboxes of a session on `store`; [`Mailboxes::open`] once the user is known.
    pub fn new(store: Arc<dyn MailStore>) -> Self {
        Mailboxes {
            store,
            account: None,
            selected: None,
            job: None,
            append: None,
            list_job: None,
        }
    }

    /// Opens the account of the authenticated `user` (the answer to
    /// [`Event::OpenAccount`](super::session::Event::OpenAccount)).
    pub async fn open(&mut self, user: &str) -> Result<(), AccountError> {
        match self.store.account(user).await {
            Ok(account) => {
                self.account = Some(account);
                Ok(())
            }
            Err(mailstore::StoreError::InvalidUser(_)) => Err(AccountError::Permanent),
            Err(_) => Err(AccountError::Temporary),
        }
    }

    /// Runs one command of [`Event::Command`](super::session::Event::Command).
    pub async fn run(&mut self, request: Request, session: &mut ServerSession) -> Progress {
        use crate::command::CommandBody as C;
        match request.command {
            C::Select { .. }
            | C::Examine { .. }
            | C::Fetch { .. }
            | C::Store { .. }
            | C::Search { .. }
            | C::Sort { .. }
            | C::Thread { .. }
            | C::Copy { .. }
            | C::Move { .. }
            | C::Expunge
            | C::UidExpunge { .. }
            | C::Close
            | C::Unselect
            | C::Noop
            | C::Check => self.run_selected(request, session).await,
            _ => self.run_folders(request, session).await,
        }
    }

    /// Continues a command that returned [`Progress::Paused`], once the output was written.
    pub async fn resume(&mut self, session: &mut ServerSession) -> Progress {
        if let Some(job) = self.list_job.take() {
            return self.resume_list(job, session).await;
        }
        self.resume_selected(session).await
    }

    /// The account, once [`Mailboxes::open`] succeeded.
    pub(crate) fn account(&self) -> Option<&Arc<dyn Account>> {
        self.account.as_ref()
    }
}
