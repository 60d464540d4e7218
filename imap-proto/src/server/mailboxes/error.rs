//! How a store failure is answered (RFC 9051 §7.1, RFC 5530 response codes): one place, so
//! every command answers the same failure the same way.

use mailstore::StoreError;

use crate::response::{Code, StatusKind};
use crate::server::session::ServerSession;

/// The tagged answer to a failed store operation: `NO` with the RFC 5530 code that names who is
/// at fault, and a short text (never a path: those go to the log).
pub(crate) fn answer(err: &StoreError) -> (Code<'static>, &'static str) {
    match err {
        StoreError::NoSuchMailbox(_) => (Code::NonExistent, "No such mailbox"),
        StoreError::MailboxExists(_) => (Code::AlreadyExists, "Mailbox already exists"),
        StoreError::InvalidName { reason, .. } => (Code::Cannot, reason),
        StoreError::NotPermitted { reason, .. } => (Code::Cannot, reason),
        StoreError::NoSuchMessage { .. } => (Code::ExpungeIssued, "Message was expunged"),
        StoreError::QuotaExceeded { .. } => (Code::OverQuota, "Quota exceeded"),
        StoreError::InvalidUser(_) => (Code::AuthorizationFailed, "No mailboxes for this user"),
        StoreError::InvalidMessage(reason) => (Code::Cannot, reason),
        StoreError::Locked(_) | StoreError::LockTimeout { .. } => {
            (Code::InUse, "Mailbox is in use, try again later")
        }
        StoreError::Corrupt { .. } => (Code::Corruption, "Mailbox data is damaged"),
        StoreError::Source(_) => (Code::Cannot, "Reading the message failed"),
        _ => (Code::ServerBug, "Internal storage error"),
    }
}

/// Completes the command in progress with `NO` for `err`, logging the details.
pub(crate) fn complete_no(session: &mut ServerSession, command: &str, err: &StoreError) {
    let (code, text) = answer(err);
    if matches!(code, Code::ServerBug | Code::Corruption) {
        tracing::warn!(command, error = %err, "imap store operation failed");
    }
    // `complete` only fails when no command is in progress: a glue bug, already logged there.
    let _ = session.complete(StatusKind::No, Some(code), text);
}
