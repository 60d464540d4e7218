//! The one error type of the crate.

use std::path::PathBuf;

/// What went wrong in a storage operation.
///
/// Variants name the mailbox or path concerned so that a server can answer precisely
/// (`[NONEXISTENT]`, `[ALREADYEXISTS]`, `[OVERQUOTA]`, `[CANNOT]` in IMAP terms).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The mailbox does not exist.
    #[error("no such mailbox: {0:?}")]
    NoSuchMailbox(String),
    /// A mailbox of that name (or one equal to it after folding INBOX's case) already exists.
    #[error("mailbox already exists: {0:?}")]
    MailboxExists(String),
    /// The mailbox name is not acceptable; `reason` says which rule it broke.
    #[error("invalid mailbox name {name:?}: {reason}")]
    InvalidName {
        /// The name as received (lossy if it was not UTF-8).
        name: String,
        /// The rule the name broke.
        reason: &'static str,
    },
    /// The operation is not allowed on this mailbox (e.g. deleting or renaming away INBOX's role).
    #[error("operation not permitted on mailbox {name:?}: {reason}")]
    NotPermitted {
        /// The mailbox concerned.
        name: String,
        /// Why it is refused.
        reason: &'static str,
    },
    /// The message with that UID is not (or no longer) in the mailbox.
    #[error("no message with UID {uid} in {mailbox:?}")]
    NoSuchMessage {
        /// The mailbox searched.
        mailbox: String,
        /// The UID asked for.
        uid: u32,
    },
    /// Storing would exceed the user's quota.
    #[error("quota exceeded for {user:?}: {resource} would be {would_be}, limit {limit}")]
    QuotaExceeded {
        /// The user whose quota is exceeded.
        user: String,
        /// `"storage"` (bytes) or `"messages"`.
        resource: &'static str,
        /// Usage after the operation.
        would_be: u64,
        /// The configured limit.
        limit: u64,
    },
    /// The user name cannot be mapped to a directory safely.
    #[error("invalid user name {0:?}")]
    InvalidUser(String),
    /// A message could not be stored because its content is unacceptable (e.g. empty).
    #[error("invalid message: {0}")]
    InvalidMessage(&'static str),
    /// Data on disk does not have the expected format.
    #[error("corrupt {what} at {path}: {detail}")]
    Corrupt {
        /// Which file kind (index, mbox, ...).
        what: &'static str,
        /// The file.
        path: PathBuf,
        /// What was wrong.
        detail: String,
    },
    /// An I/O error, with the path it happened on.
    #[error("I/O error on {path}: {source}")]
    Io {
        /// The file or directory concerned.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// Another session (in this process or another) holds the mailbox's exclusive lock
    /// ([`crate::Account::lock_exclusive`]).
    #[error("mailbox {0:?} is locked by another session")]
    Locked(String),
    /// Another program held the mailbox file's lock (mbox: `fcntl` or dot-lock) for longer
    /// than the store's lock time-out; nothing was changed, and retrying later may succeed.
    #[error("mailbox {mailbox:?}: {lock} lock still held by another program after {waited:?}")]
    LockTimeout {
        /// The mailbox concerned.
        mailbox: String,
        /// Which lock could not be had: `"fcntl"` or `"dot-lock"`.
        lock: &'static str,
        /// How long this call waited.
        waited: std::time::Duration,
    },
    /// Reading the message stream given to `append` failed.
    #[error("reading the message to append failed: {0}")]
    Source(#[source] std::io::Error),
}

impl StoreError {
    /// Wraps an I/O error with the path it concerns.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        StoreError::Io {
            path: path.into(),
            source,
        }
    }

    /// True when retrying later may succeed (I/O trouble), false when the request itself is wrong.
    pub fn is_temporary(&self) -> bool {
        matches!(
            self,
            StoreError::Io { .. } | StoreError::Source(_) | StoreError::LockTimeout { .. }
        )
    }
}

/// Result alias of the crate.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Adds the path to an `io::Result`.
pub(crate) trait IoContext<T> {
    /// Maps the error into [`StoreError::Io`] naming `path`.
    fn at(self, path: &std::path::Path) -> Result<T>;
}

impl<T> IoContext<T> for std::io::Result<T> {
    fn at(self, path: &std::path::Path) -> Result<T> {
        self.map_err(|e| StoreError::io(path, e))
    }
}
