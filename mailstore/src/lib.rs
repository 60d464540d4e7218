//! The mail storage seam ([`MailStore`], [`Account`]) that the IMAP and POP3 servers and the
//! delivery agent use, with two backends: [`maildir::MaildirStore`] and [`mbox::MboxStore`].
//!
//! # Design
//! - The trait is async (async-trait) and object-safe: servers hold an `Arc<dyn Account>`.
//!   Mailboxes are addressed by name; every name is validated ([`name`]) before it touches a
//!   path.
//! - Every folder has an index ([`MailboxStatus::uid_validity`], UIDs, flags, MODSEQs) kept in a
//!   small append-only log next to the messages, so opening a large folder reads one file and
//!   does not stat every message.
//! - Changes by any writer (another task, another process, an outside MDA) are seen through
//!   [`Account::changes_since`] and the [`watch`] change feed (IMAP IDLE, QRESYNC).
//! - The backend-independent conformance suite is [`conformance`] (feature `conformance`).
//!
//! ```no_run
//! # async fn demo() -> Result<(), mailstore::StoreError> {
//! use mailstore::{MailStore, AppendOptions, UidSet, maildir::MaildirStore};
//! let store = MaildirStore::new("/var/mail/store");
//! let account = store.account("alice").await?;
//! let uid = account
//!     .append("INBOX", b"Subject: hi\n\nhello\n".to_vec().into(), AppendOptions::default())
//!     .await?;
//! let metas = account.messages("INBOX", &UidSet::single(uid)).await?;
//! assert_eq!(metas.len(), 1);
//! # Ok(()) }
//! ```

mod blocking;
mod cache;
mod error;
mod index;
mod meta;
pub mod name;
mod size;
mod store;
mod types;
mod watch;

pub mod maildir;
pub mod mbox;

#[cfg(feature = "conformance")]
pub mod conformance;

#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;

pub use error::{Result, StoreError};
pub use size::rfc822_size;
pub use store::{Account, ByteStream, MailStore, MailboxLock};
pub use types::{
    AppendOptions, Change, ChangeSet, CopyOutcome, Flag, FlagOp, FlagSnapshot, FlagUpdate, Flags,
    MailboxInfo, MailboxStatus, MessageFlags, MessageMeta, MessageSource, Quota, QuotaUsage,
    SYSTEM_FLAGS, SpecialUse, StoreOutcome, UidSet, flags, unique_id,
};
pub use watch::{ChangeFeed, watch};
