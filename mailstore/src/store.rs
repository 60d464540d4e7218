//! The storage seam: [`MailStore`] opens a user's [`Account`]; the account holds the mailboxes.

use std::ops::Range;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use futures::{Stream, StreamExt};

use crate::error::Result;
use crate::types::{
    AppendOptions, ChangeSet, CopyOutcome, FlagOp, FlagSnapshot, Flags, MailboxInfo, MailboxStatus,
    MessageFlags, MessageMeta, MessageSource, QuotaUsage, SpecialUse, StoreOutcome, UidSet,
};

/// A held [`Account::lock_exclusive`] lock; released when dropped.
pub struct MailboxLock(Option<Box<dyn Send + Sync>>);

impl MailboxLock {
    /// A lock holding `guard` (a locked file, ...) until dropped.
    pub fn new(guard: impl Send + Sync + 'static) -> Self {
        MailboxLock(Some(Box::new(guard)))
    }

    /// No lock: what a store without session locks gives.
    pub fn none() -> Self {
        MailboxLock(None)
    }

    /// Whether a lock is held (false for [`MailboxLock::none`]).
    pub fn is_held(&self) -> bool {
        self.0.is_some()
    }
}

impl std::fmt::Debug for MailboxLock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("MailboxLock").field(&self.is_held()).finish()
    }
}

/// A message body as a stream of chunks (never the whole mailbox in memory).
pub type ByteStream = Pin<Box<dyn Stream<Item = std::io::Result<Bytes>> + Send>>;

/// Where users' mail lives. The IMAP and POP3 servers and the delivery agent see only this trait.
#[async_trait]
pub trait MailStore: Send + Sync {
    /// Opens (creating on first use) the mailboxes of `user`. INBOX always exists afterwards.
    ///
    /// Fails with [`StoreError::InvalidUser`](crate::StoreError::InvalidUser) if the user name
    /// cannot be used as a directory name safely.
    async fn account(&self, user: &str) -> Result<Arc<dyn Account>>;
}

/// One user's mailboxes and the operations an IMAP4rev2 / POP3 server needs on them.
///
/// Mailbox names use [`Account::separator`] for hierarchy; `INBOX` is matched without regard to
/// case. Every method validates the names it gets (they come from the network).
///
/// Concurrency: any number of tasks and processes may use the same account at once; each
/// operation is atomic with respect to the others, and changes made by any of them (or by an
/// outside program writing the same Maildir) become visible to the next operation.
#[async_trait]
pub trait Account: Send + Sync {
    /// The user this account belongs to.
    fn user(&self) -> &str;

    /// The hierarchy separator of mailbox names (`.` for Maildir++, `/` for mbox).
    fn separator(&self) -> char;

    /// Every mailbox, INBOX first, then by name.
    async fn list(&self) -> Result<Vec<MailboxInfo>>;

    /// Creates a mailbox (and any missing parents), optionally with a special use.
    async fn create(&self, name: &str, special_use: Option<SpecialUse>) -> Result<()>;

    /// Deletes a mailbox and its messages. INBOX cannot be deleted; a mailbox with children
    /// cannot be deleted either (RFC 9051 §6.3.4 allows refusing it, which keeps it simple).
    async fn delete(&self, name: &str) -> Result<()>;

    /// Renames a mailbox together with its children. Renaming INBOX moves its messages to the
    /// new mailbox and leaves INBOX empty (RFC 9051 §6.3.6).
    async fn rename(&self, from: &str, to: &str) -> Result<()>;

    /// Subscribes to (`true`) or unsubscribes from a mailbox name (the name need not exist).
    async fn set_subscribed(&self, name: &str, subscribed: bool) -> Result<()>;

    /// The subscribed names (RFC 9051 §6.3.7), in name order, including those of mailboxes that
    /// no longer exist or never did (IMAP lists them `\NonExistent`, RFC 5258 §3.1). The default
    /// gives the subscribed mailboxes that exist.
    async fn subscriptions(&self) -> Result<Vec<String>> {
        Ok(self
            .list()
            .await?
            .into_iter()
            .filter(|m| m.subscribed)
            .map(|m| m.name)
            .collect())
    }

    /// Sets or clears the special-use attribute of a mailbox (RFC 6154 `CREATE ... USE`, METADATA).
    async fn set_special_use(&self, name: &str, special_use: Option<SpecialUse>) -> Result<()>;

    /// Counters of a mailbox (SELECT, STATUS).
    async fn status(&self, mailbox: &str) -> Result<MailboxStatus>;

    /// Metadata of the messages whose UIDs are in `uids`, in UID order.
    async fn messages(&self, mailbox: &str, uids: &UidSet) -> Result<Vec<MessageMeta>>;

    /// The counters of a mailbox and every message's UID, MODSEQ and flags, at one instant and
    /// in compact form: what SELECT needs (RFC 9051 §6.3.2), in one pass over the store's index.
    /// The snapshot may be shared (a store may keep it and give it again while the mailbox is
    /// unchanged). The default asks [`Account::status`] then [`Account::messages`] of `1:*`.
    async fn flag_snapshot(&self, mailbox: &str) -> Result<Arc<FlagSnapshot>> {
        let status = self.status(mailbox).await?;
        let messages = self
            .messages(mailbox, &UidSet::all())
            .await?
            .iter()
            .map(|m| MessageFlags::new(m.uid, m.modseq, &m.flags))
            .collect();
        Ok(Arc::new(FlagSnapshot { status, messages }))
    }

    /// Stores a message durably and returns its UID (APPEND, delivery). The message is visible to
    /// readers only once complete; success is reported only once it is on stable storage.
    async fn append(
        &self,
        mailbox: &str,
        message: MessageSource,
        options: AppendOptions,
    ) -> Result<u32>;

    /// The message's bytes, streamed.
    async fn read_stream(&self, mailbox: &str, uid: u32) -> Result<ByteStream>;

    /// The whole message (for small messages; prefer [`Account::read_stream`]).
    async fn read(&self, mailbox: &str, uid: u32) -> Result<Vec<u8>> {
        let mut stream = self.read_stream(mailbox, uid).await?;
        let mut out = Vec::new();
        while let Some(chunk) = stream.next().await {
            out.extend_from_slice(&chunk.map_err(|e| crate::StoreError::io(mailbox, e))?);
        }
        Ok(out)
    }

    /// Bytes `range` of the message (clamped to its size), e.g. `BODY[]<0.1024>` or POP3 TOP.
    async fn read_range(&self, mailbox: &str, uid: u32, range: Range<u64>) -> Result<Vec<u8>> {
        let mut stream = self.read_stream(mailbox, uid).await?;
        let mut out = Vec::new();
        let mut pos = 0u64;
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|e| crate::StoreError::io(mailbox, e))?;
            let len = chunk.len() as u64;
            let start = range.start.max(pos).min(pos + len);
            let end = range.end.min(pos + len).max(start);
            if let Some(part) = chunk.get((start - pos) as usize..(end - pos) as usize) {
                out.extend_from_slice(part);
            }
            pos += len;
            if pos >= range.end {
                break;
            }
        }
        Ok(out)
    }

    /// Changes flags of the messages in `uids` (STORE). With `unchanged_since` (CONDSTORE), a
    /// message whose MODSEQ is above it is left alone and reported in
    /// [`StoreOutcome::modified`]. A message whose flags end up unchanged keeps its MODSEQ.
    async fn store_flags(
        &self,
        mailbox: &str,
        uids: &UidSet,
        op: FlagOp,
        flags: &Flags,
        unchanged_since: Option<u64>,
    ) -> Result<StoreOutcome>;

    /// Copies messages to another mailbox of the same account, keeping flags and INTERNALDATE.
    async fn copy(&self, from: &str, uids: &UidSet, to: &str) -> Result<CopyOutcome>;

    /// Moves messages to another mailbox (MOVE, RFC 6851): copy, then expunge from the source.
    async fn move_messages(&self, from: &str, uids: &UidSet, to: &str) -> Result<CopyOutcome>;

    /// Removes messages flagged `\Deleted` (all of them, or those in `uids` for UID EXPUNGE);
    /// returns the UIDs removed, ascending.
    async fn expunge(&self, mailbox: &str, uids: Option<&UidSet>) -> Result<Vec<u32>>;

    /// Messages changed and UIDs expunged after `modseq` (CONDSTORE/QRESYNC, the change feed).
    async fn changes_since(&self, mailbox: &str, modseq: u64) -> Result<ChangeSet>;

    /// Takes an exclusive session lock on `mailbox` (a POP3 maildrop, RFC 1939 §8), seen by every
    /// process using the same store, held until the returned value is dropped. Fails with
    /// [`crate::StoreError::Locked`] while another holder has it. Deliveries, IMAP sessions and
    /// the other operations are not blocked by it: it only excludes other lock holders. The
    /// default takes no lock (`Ok` with nothing to hold), for stores that have none.
    async fn lock_exclusive(&self, mailbox: &str) -> Result<MailboxLock> {
        let _ = mailbox;
        Ok(MailboxLock::none())
    }

    /// The cached derived data of the messages in `uids` that have one (in UID order): a small
    /// blob a server computes from a message once and keeps with it — the IMAP server's parsed
    /// MIME structure (ENVELOPE, BODYSTRUCTURE, part offsets), so that FETCH never parses a
    /// message twice. Messages without an entry are left out. The default keeps nothing.
    async fn cached(&self, mailbox: &str, uids: &UidSet) -> Result<Vec<(u32, Bytes)>> {
        let _ = (mailbox, uids);
        Ok(Vec::new())
    }

    /// Keeps `entries` (UID, blob) as the messages' cached derived data (see
    /// [`Account::cached`]), replacing older entries. An entry for a message that no longer exists
    /// is ignored; an entry goes away with its message (expunge, mailbox deletion). A renamed
    /// mailbox keeps its entries (its UIDs are kept); renaming INBOX, which moves its messages
    /// to a new mailbox under new UIDs, leaves them behind. An entry is also dropped when the
    /// backend sees the message's content change under the same UID (an mbox message another
    /// program rewrote). Losing the cache loses nothing but time: it need not be written
    /// durably, and the backends never fail a call because of a damaged cache file. The
    /// default keeps nothing; both backends keep one append-only file per mailbox (see
    /// [`crate::maildir`] and [`crate::mbox`]).
    async fn put_cached(&self, mailbox: &str, entries: Vec<(u32, Bytes)>) -> Result<()> {
        let _ = (mailbox, entries);
        Ok(())
    }

    /// Usage and limits of the user's quota.
    async fn quota(&self) -> Result<QuotaUsage>;

    /// A notifier woken on changes made through this process, so [`crate::watch`] reacts at once;
    /// changes by other processes are found by polling every [`Account::poll_interval`].
    fn change_notifier(&self, mailbox: &str) -> Option<Arc<tokio::sync::Notify>> {
        let _ = mailbox;
        None
    }

    /// How often [`crate::watch`] looks for changes made by other processes.
    fn poll_interval(&self) -> Duration {
        Duration::from_millis(500)
    }
}
