//! Mailbox-level commands of the authenticated state (RFC 9051 §6.3): LIST (LIST-EXTENDED,
//! LIST-STATUS, SPECIAL-USE, CHILDREN), LSUB, NAMESPACE, STATUS, CREATE, DELETE, RENAME,
//! SUBSCRIBE/UNSUBSCRIBE, GETQUOTA/GETQUOTAROOT/SETQUOTA. (helper `imap-folders`)

use super::{Mailboxes, Progress};
use crate::server::session::{Request, ServerSession};

impl Mailboxes {
    /// Runs a mailbox-level command.
    pub(super) async fn run_folders(
        &mut self,
        request: Request,
        session: &mut ServerSession,
    ) -> Progress {
        let _ = (request, session);
        unimplemented!("imap-folders")
    }
}
