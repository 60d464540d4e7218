//! Both backends are written as plain blocking code behind the internal [`Backend`] trait;
//! [`Adapter`] runs it on tokio's blocking pool and implements the public async [`Account`]
//! once, with what is the same for every backend: name validation, spooling an appended stream
//! to a temporary file, the quota check, subscriptions and special-use attributes, streaming.

use std::ops::Range;
use std::path::PathBuf;
use std::sync::Arc;

use async_trait::async_trait;
use bytes::Bytes;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::cache::Caches;
use crate::error::{Result, StoreError};
use crate::meta::Meta;
use crate::name::MailboxName;
use crate::size::Rfc822Size;
use crate::store::{Account, ByteStream, MailboxLock};
use crate::types::{
    AppendOptions, ChangeSet, CopyOutcome, FlagOp, FlagSnapshot, Flags, MailboxInfo, MailboxStatus,
    MessageFlags, MessageMeta, MessageSource, Quota, QuotaUsage, SpecialUse, StoreOutcome, UidSet,
};

/// Produces a message's bytes chunk by chunk (`None` at the end); runs on the blocking pool.
pub(crate) type ChunkReader = Box<dyn FnMut() -> std::io::Result<Option<Bytes>> + Send>;

/// The blocking operations a backend provides; names are validated before they get here.
pub(crate) trait Backend: Send + Sync + 'static {
    fn user(&self) -> &str;
    fn separator(&self) -> char;
    fn quota_limit(&self) -> Quota;
    fn meta(&self) -> &Meta;
    /// Backend-specific name rules, after the common ones.
    fn check_name(&self, name: &MailboxName) -> Result<()> {
        let _ = name;
        Ok(())
    }
    /// Every existing mailbox, INBOX included.
    fn list_names(&self) -> Result<Vec<MailboxName>>;
    fn exists(&self, name: &MailboxName) -> Result<bool>;
    /// Creates one mailbox (its parent exists or is not needed).
    fn create(&self, name: &MailboxName) -> Result<()>;
    /// Deletes one mailbox without children.
    fn delete(&self, name: &MailboxName) -> Result<()>;
    /// Renames a mailbox and its children (target checked free by the caller).
    fn rename(&self, from: &MailboxName, to: &MailboxName) -> Result<()>;
    fn status(&self, name: &MailboxName) -> Result<MailboxStatus>;
    /// Counters for the quota check: may skip looking for outside changes (cheaper per delivery).
    fn quota_status(&self, name: &MailboxName) -> Result<MailboxStatus> {
        self.status(name)
    }
    fn messages(&self, name: &MailboxName, uids: &UidSet) -> Result<Vec<MessageMeta>>;
    /// The counters and every message's UID, MODSEQ and flags at one instant.
    fn flag_snapshot(&self, name: &MailboxName) -> Result<Arc<FlagSnapshot>> {
        let status = self.status(name)?;
        let messages = self
            .messages(name, &UidSet::all())?
            .iter()
            .map(|m| MessageFlags::new(m.uid, m.modseq, &m.flags))
            .collect();
        Ok(Arc::new(FlagSnapshot { status, messages }))
    }
    /// Whether the spooled file itself must be fsynced (Maildir links it into place; mbox copies
    /// it and fsyncs the copy).
    fn spool_needs_sync(&self) -> bool {
        true
    }
    /// The file whose `flock` is `name`'s exclusive session lock.
    fn session_lock_path(&self, name: &MailboxName) -> PathBuf;
    /// A fresh temporary path to spool a message for `name` into.
    fn spool_path(&self, name: &MailboxName) -> Result<PathBuf>;
    /// Stores the spooled (and fsynced) message; consumes the spool file.
    fn append_spooled(
        &self,
        name: &MailboxName,
        spool: PathBuf,
        size: u64,
        opts: &AppendOptions,
    ) -> Result<u32>;
    /// [`append_spooled`](Backend::append_spooled) given also the message's size with CRLF line
    /// ends, counted while it was spooled (a backend that records that size overrides this).
    fn append_spooled_counted(
        &self,
        name: &MailboxName,
        spool: PathBuf,
        size: u64,
        rfc822_size: u64,
        opts: &AppendOptions,
    ) -> Result<u32> {
        let _ = rfc822_size;
        self.append_spooled(name, spool, size, opts)
    }
    fn open_reader(&self, name: &MailboxName, uid: u32) -> Result<ChunkReader>;
    fn store_flags(
        &self,
        name: &MailboxName,
        uids: &UidSet,
        op: FlagOp,
        flags: &Flags,
        unchanged_since: Option<u64>,
    ) -> Result<StoreOutcome>;
    /// Copies (and with `remove_source`, moves) messages.
    fn copy(
        &self,
        from: &MailboxName,
        uids: &UidSet,
        to: &MailboxName,
        remove_source: bool,
    ) -> Result<CopyOutcome>;
    fn expunge(&self, name: &MailboxName, uids: Option<&UidSet>) -> Result<Vec<u32>>;
    fn changes_since(&self, name: &MailboxName, modseq: u64) -> Result<ChangeSet>;
    fn notifier(&self, name: &MailboxName) -> Option<Arc<tokio::sync::Notify>>;
    /// The file of `name`'s cache of derived data (see the cache module); it goes away with
    /// the mailbox and moves with it on rename.
    fn cache_path(&self, name: &MailboxName) -> PathBuf;
    /// This account instance's open cache files.
    fn caches(&self) -> &Caches;
    /// UIDVALIDITY and, for each message in `uids` (ascending), its UID and the key that
    /// identifies its content for the cache (its `RFC822.SIZE`).
    fn cache_keys(&self, name: &MailboxName, uids: &UidSet) -> Result<(u32, Vec<(u32, u64)>)>;
}

/// Implements [`Account`] for a [`Backend`].
pub(crate) struct Adapter<B: Backend>(pub Arc<B>);

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T> + Send + 'static) -> Result<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| StoreError::io("<blocking task>", std::io::Error::other(e)))?
}

impl<B: Backend> Adapter<B> {
    fn name(&self, name: &str) -> Result<MailboxName> {
        let n = MailboxName::parse(name, self.0.separator())?;
        self.0.check_name(&n)?;
        Ok(n)
    }

    /// Validates `name` and checks (on the blocking pool) that it exists.
    async fn existing(&self, name: &str) -> Result<MailboxName> {
        let n = self.name(name)?;
        if n.is_inbox() {
            return Ok(n);
        }
        let shown = name.to_string();
        self.run(move |b| {
            if b.exists(&n)? {
                Ok(n)
            } else {
                Err(StoreError::NoSuchMailbox(shown))
            }
        })
        .await
    }

    async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce(&B) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let b = self.0.clone();
        blocking(move || f(&b)).await
    }

    fn usage(b: &B) -> Result<QuotaUsage> {
        let mut usage = QuotaUsage {
            limit: b.quota_limit(),
            ..QuotaUsage::default()
        };
        for name in b.list_names()? {
            match b.quota_status(&name) {
                Ok(st) => {
                    usage.bytes += st.size;
                    usage.messages += u64::from(st.messages);
                }
                Err(StoreError::NoSuchMailbox(_)) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(usage)
    }

    fn check_quota(b: &B, size: u64, count: u64) -> Result<()> {
        let limit = b.quota_limit();
        if limit.max_bytes.is_none() && limit.max_messages.is_none() {
            return Ok(());
        }
        let usage = Self::usage(b)?;
        let over = |resource, used: u64, add: u64, max: Option<u64>| match max {
            Some(limit) if used + add > limit => Err(StoreError::QuotaExceeded {
                user: b.user().to_string(),
                resource,
                would_be: used + add,
                limit,
            }),
            _ => Ok(()),
        };
        over("storage", usage.bytes, size, limit.max_bytes)?;
        over("messages", usage.messages, count, limit.max_messages)
    }

    /// Spools `message` into a fresh file; returns it, its size and its size with CRLF line ends.
    async fn spool(
        &self,
        name: &MailboxName,
        message: MessageSource,
    ) -> Result<(PathBuf, u64, u64)> {
        let b = self.0.clone();
        let n = name.clone();
        let sync = self.0.spool_needs_sync();
        let path = blocking(move || b.spool_path(&n)).await?;
        let result = async {
            let mut file = tokio::fs::File::create(&path)
                .await
                .map_err(|e| StoreError::io(&path, e))?;
            let mut counted = Rfc822Size::default();
            let size = match message {
                MessageSource::Bytes(bytes) => {
                    counted.feed(&bytes);
                    file.write_all(&bytes)
                        .await
                        .map_err(|e| StoreError::io(&path, e))?;
                    bytes.len() as u64
                }
                MessageSource::Reader(mut reader) => {
                    let mut buf = vec![0u8; 64 * 1024];
                    let mut size = 0u64;
                    loop {
                        let n = reader.read(&mut buf).await.map_err(StoreError::Source)?;
                        if n == 0 {
                            break size;
                        }
                        counted.feed(&buf[..n]);
                        file.write_all(&buf[..n])
                            .await
                            .map_err(|e| StoreError::io(&path, e))?;
                        size += n as u64;
                    }
                }
            };
            if size == 0 {
                return Err(StoreError::InvalidMessage("empty message"));
            }
            // tokio's File writes in the background: flush before anyone reads the file.
            file.flush().await.map_err(|e| StoreError::io(&path, e))?;
            if sync {
                file.sync_all()
                    .await
                    .map_err(|e| StoreError::io(&path, e))?;
            }
            Ok((size, counted.total()))
        }
        .await;
        match result {
            Ok((size, rfc822_size)) => Ok((path, size, rfc822_size)),
            Err(e) => {
                let _ = tokio::fs::remove_file(&path).await;
                Err(e)
            }
        }
    }
}

/// Creates `name` and its missing parents, if it does not exist yet.
fn create_missing<B: Backend>(b: &B, name: &MailboxName) -> Result<()> {
    if name.is_inbox() || b.exists(name)? {
        return Ok(());
    }
    if let Some(p) = name.parent() {
        create_missing(b, &p)?;
    }
    b.create(name)
}

/// A message being read: the backend's reader, with one chunk read ahead when a short chunk
/// may have been the last (so that the end is known without another trip to the blocking pool).
struct ReadAhead {
    reader: ChunkReader,
    next: Option<Bytes>,
    done: bool,
}

impl ReadAhead {
    /// Chunks shorter than this are followed by a look for the end in the same trip.
    const FULL: usize = 64 * 1024;

    fn new(reader: ChunkReader) -> Self {
        Self {
            reader,
            next: None,
            done: false,
        }
    }

    /// The next chunk (blocking); `None` at the end.
    fn pull(&mut self) -> std::io::Result<Option<Bytes>> {
        let chunk = match self.next.take() {
            Some(chunk) => Some(chunk),
            None if self.done => None,
            None => (self.reader)()?,
        };
        match &chunk {
            None => self.done = true,
            Some(c) if c.len() < Self::FULL && !self.done => match (self.reader)()? {
                None => self.done = true,
                Some(more) => self.next = Some(more),
            },
            Some(_) => {}
        }
        Ok(chunk)
    }

    /// Whether every chunk has been returned.
    fn finished(&self) -> bool {
        self.done && self.next.is_none()
    }
}

/// The stream of a message whose first chunk was read together with the open.
fn stream_from(first: Option<Bytes>, rest: ReadAhead) -> ByteStream {
    let head = futures::stream::iter(first.map(Ok));
    let tail = futures::stream::unfold(Some(rest), |state| async move {
        let mut rest = state?;
        if rest.finished() {
            return None;
        }
        let joined = tokio::task::spawn_blocking(move || {
            let r = rest.pull();
            (rest, r)
        })
        .await;
        match joined {
            Ok((_, Ok(None))) => None,
            Ok((rest, Ok(Some(chunk)))) => Some((Ok(chunk), Some(rest))),
            Ok((_, Err(e))) => Some((Err(e), None)),
            Err(e) => Some((Err(std::io::Error::other(e)), None)),
        }
    });
    Box::pin(futures::StreamExt::chain(head, tail))
}

#[async_trait]
impl<B: Backend> Account for Adapter<B> {
    fn user(&self) -> &str {
        self.0.user()
    }

    fn separator(&self) -> char {
        self.0.separator()
    }

    async fn list(&self) -> Result<Vec<MailboxInfo>> {
        self.run(|b| {
            let sep = b.separator();
            let existing: std::collections::BTreeSet<MailboxName> =
                b.list_names()?.into_iter().collect();
            // Parents that another program left out (Maildir++ allows `.A.B` without `.A`) are
            // listed as not selectable, so that the hierarchy stays whole.
            let mut names: Vec<MailboxName> = existing.iter().cloned().collect();
            for n in &existing {
                let mut p = n.parent();
                while let Some(q) = p {
                    p = q.parent();
                    names.push(q);
                }
            }
            names.sort_by(|a, b| (!a.is_inbox(), a).cmp(&(!b.is_inbox(), b)));
            names.dedup();
            let meta = b.meta().read()?;
            Ok(names
                .iter()
                .map(|n| {
                    let full = n.join(sep);
                    MailboxInfo {
                        special_use: meta.special_use.get(&full).copied(),
                        subscribed: meta.subscribed.contains(&full),
                        has_children: names.iter().any(|c| c.is_below(n)),
                        selectable: existing.contains(n),
                        name: full,
                    }
                })
                .collect())
        })
        .await
    }

    async fn create(&self, name: &str, special_use: Option<SpecialUse>) -> Result<()> {
        let n = self.name(name)?;
        let shown = name.to_string();
        self.run(move |b| {
            if n.is_inbox() || b.exists(&n)? {
                return Err(StoreError::MailboxExists(shown));
            }
            if let Some(p) = n.parent() {
                create_missing(b, &p)?;
            }
            b.create(&n)?;
            if let Some(u) = special_use {
                let full = n.join(b.separator());
                b.meta().update(|d| {
                    d.special_use.insert(full, u);
                })?;
            }
            Ok(())
        })
        .await
    }

    async fn delete(&self, name: &str) -> Result<()> {
        let n = self.existing(name).await?;
        let shown = name.to_string();
        self.run(move |b| {
            if n.is_inbox() {
                return Err(StoreError::NotPermitted {
                    name: shown,
                    reason: "INBOX cannot be deleted",
                });
            }
            if b.list_names()?.iter().any(|c| c.is_below(&n)) {
                return Err(StoreError::NotPermitted {
                    name: shown,
                    reason: "mailbox has children; delete them first",
                });
            }
            b.delete(&n)?;
            let full = n.join(b.separator());
            b.meta().update(|d| {
                d.special_use.remove(&full);
            })
        })
        .await
    }

    async fn rename(&self, from: &str, to: &str) -> Result<()> {
        let f = self.existing(from).await?;
        let t = self.name(to)?;
        let shown_to = to.to_string();
        self.run(move |b| {
            if t.is_inbox() || b.exists(&t)? {
                return Err(StoreError::MailboxExists(shown_to));
            }
            if t.is_below(&f) {
                return Err(StoreError::NotPermitted {
                    name: shown_to,
                    reason: "cannot rename a mailbox below itself",
                });
            }
            if let Some(p) = t.parent() {
                create_missing(b, &p)?;
            }
            if f.is_inbox() {
                b.create(&t)?;
                b.copy(&f, &UidSet::all(), &t, true)?;
                return Ok(());
            }
            b.rename(&f, &t)?;
            let sep = b.separator();
            b.meta().rename(&f.join(sep), &t.join(sep), sep)
        })
        .await
    }

    async fn set_subscribed(&self, name: &str, subscribed: bool) -> Result<()> {
        let n = self.name(name)?;
        self.run(move |b| {
            let full = n.join(b.separator());
            b.meta().update(|d| {
                if subscribed {
                    d.subscribed.insert(full);
                } else {
                    d.subscribed.remove(&full);
                }
            })
        })
        .await
    }

    async fn subscriptions(&self) -> Result<Vec<String>> {
        self.run(|b| Ok(b.meta().read()?.subscribed.into_iter().collect()))
            .await
    }

    async fn set_special_use(&self, name: &str, special_use: Option<SpecialUse>) -> Result<()> {
        let n = self.existing(name).await?;
        self.run(move |b| {
            let full = n.join(b.separator());
            b.meta().update(|d| match special_use {
                Some(u) => {
                    d.special_use.insert(full, u);
                }
                None => {
                    d.special_use.remove(&full);
                }
            })
        })
        .await
    }

    async fn status(&self, mailbox: &str) -> Result<MailboxStatus> {
        let n = self.existing(mailbox).await?;
        self.run(move |b| b.status(&n)).await
    }

    async fn messages(&self, mailbox: &str, uids: &UidSet) -> Result<Vec<MessageMeta>> {
        let n = self.existing(mailbox).await?;
        let uids = uids.clone();
        self.run(move |b| b.messages(&n, &uids)).await
    }

    async fn flag_snapshot(&self, mailbox: &str) -> Result<Arc<FlagSnapshot>> {
        let n = self.existing(mailbox).await?;
        self.run(move |b| b.flag_snapshot(&n)).await
    }

    async fn append(
        &self,
        mailbox: &str,
        message: MessageSource,
        options: AppendOptions,
    ) -> Result<u32> {
        let n = self.name(mailbox)?;
        let shown = mailbox.to_string();
        if let MessageSource::Bytes(bytes) = message {
            // The whole message is here: check, spool and store it in one blocking task.
            return self
                .run(move |b| {
                    if !n.is_inbox() && !b.exists(&n)? {
                        return Err(StoreError::NoSuchMailbox(shown));
                    }
                    if bytes.is_empty() {
                        return Err(StoreError::InvalidMessage("empty message"));
                    }
                    let size = bytes.len() as u64;
                    Self::check_quota(b, size, 1)?;
                    let spool = b.spool_path(&n)?;
                    let written = std::fs::File::create(&spool).and_then(|mut f| {
                        std::io::Write::write_all(&mut f, &bytes)?;
                        if b.spool_needs_sync() {
                            f.sync_all()?;
                        }
                        Ok(())
                    });
                    if let Err(e) = written {
                        let _ = std::fs::remove_file(&spool);
                        return Err(StoreError::io(spool, e));
                    }
                    let rfc822_size = crate::rfc822_size(&bytes);
                    b.append_spooled_counted(&n, spool, size, rfc822_size, &options)
                })
                .await;
        }
        let n = self.existing(mailbox).await?;
        let (spool, size, rfc822_size) = self.spool(&n, message).await?;
        self.run(move |b| {
            if let Err(e) = Self::check_quota(b, size, 1) {
                let _ = std::fs::remove_file(&spool);
                return Err(e);
            }
            b.append_spooled_counted(&n, spool, size, rfc822_size, &options)
        })
        .await
    }

    async fn lock_exclusive(&self, mailbox: &str) -> Result<MailboxLock> {
        let n = self.existing(mailbox).await?;
        let shown = mailbox.to_string();
        self.run(move |b| {
            let path = b.session_lock_path(&n);
            let file = std::fs::OpenOptions::new()
                .create(true)
                .truncate(false)
                .write(true)
                .open(&path)
                .map_err(|e| StoreError::io(&path, e))?;
            // flock: conflicts between open files, in one process as between processes.
            match file.try_lock() {
                Ok(()) => Ok(MailboxLock::new(file)),
                Err(std::fs::TryLockError::WouldBlock) => Err(StoreError::Locked(shown)),
                Err(std::fs::TryLockError::Error(e)) => Err(StoreError::io(path, e)),
            }
        })
        .await
    }

    async fn read_stream(&self, mailbox: &str, uid: u32) -> Result<ByteStream> {
        let n = self.existing(mailbox).await?;
        let (first, rest) = self
            .run(move |b| {
                let mut rest = ReadAhead::new(b.open_reader(&n, uid)?);
                let first = rest.pull().map_err(|e| StoreError::io(n.join('/'), e))?;
                Ok((first, rest))
            })
            .await?;
        Ok(stream_from(first, rest))
    }

    async fn read_range(&self, mailbox: &str, uid: u32, range: Range<u64>) -> Result<Vec<u8>> {
        let n = self.existing(mailbox).await?;
        self.run(move |b| {
            let mut reader = b.open_reader(&n, uid)?;
            let mut out = Vec::new();
            let mut pos = 0u64;
            while pos < range.end {
                let Some(chunk) = reader().map_err(|e| StoreError::io(n.join('/'), e))? else {
                    break;
                };
                let len = chunk.len() as u64;
                let start = range.start.clamp(pos, pos + len);
                let end = range.end.clamp(start, pos + len);
                if let Some(part) = chunk.get((start - pos) as usize..(end - pos) as usize) {
                    out.extend_from_slice(part);
                }
                pos += len;
            }
            Ok(out)
        })
        .await
    }

    async fn store_flags(
        &self,
        mailbox: &str,
        uids: &UidSet,
        op: FlagOp,
        flags: &Flags,
        unchanged_since: Option<u64>,
    ) -> Result<StoreOutcome> {
        let n = self.existing(mailbox).await?;
        let (uids, flags) = (uids.clone(), flags.clone());
        self.run(move |b| b.store_flags(&n, &uids, op, &flags, unchanged_since))
            .await
    }

    async fn copy(&self, from: &str, uids: &UidSet, to: &str) -> Result<CopyOutcome> {
        let (f, t) = (self.existing(from).await?, self.existing(to).await?);
        let uids = uids.clone();
        self.run(move |b| {
            let (bytes, count) = b
                .messages(&f, &uids)?
                .iter()
                .fold((0, 0), |(s, c), m| (s + m.size, c + 1));
            Self::check_quota(b, bytes, count)?;
            b.copy(&f, &uids, &t, false)
        })
        .await
    }

    async fn move_messages(&self, from: &str, uids: &UidSet, to: &str) -> Result<CopyOutcome> {
        let (f, t) = (self.existing(from).await?, self.existing(to).await?);
        let uids = uids.clone();
        self.run(move |b| b.copy(&f, &uids, &t, true)).await
    }

    async fn expunge(&self, mailbox: &str, uids: Option<&UidSet>) -> Result<Vec<u32>> {
        let n = self.existing(mailbox).await?;
        let uids = uids.cloned();
        self.run(move |b| b.expunge(&n, uids.as_ref())).await
    }

    async fn changes_since(&self, mailbox: &str, modseq: u64) -> Result<ChangeSet> {
        let n = self.existing(mailbox).await?;
        self.run(move |b| b.changes_since(&n, modseq)).await
    }

    async fn cached(&self, mailbox: &str, uids: &UidSet) -> Result<Vec<(u32, Bytes)>> {
        let n = self.existing(mailbox).await?;
        let uids = uids.clone();
        self.run(move |b| {
            let (uid_validity, keys) = b.cache_keys(&n, &uids)?;
            if keys.is_empty() {
                return Ok(Vec::new());
            }
            Ok(b.caches().at(b.cache_path(&n)).get(uid_validity, &keys))
        })
        .await
    }

    async fn put_cached(&self, mailbox: &str, entries: Vec<(u32, Bytes)>) -> Result<()> {
        if entries.is_empty() {
            return Ok(());
        }
        let n = self.existing(mailbox).await?;
        self.run(move |b| {
            let uids: UidSet = entries.iter().map(|(uid, _)| *uid).collect();
            let (uid_validity, keys) = b.cache_keys(&n, &uids)?;
            let keys: std::collections::HashMap<u32, u64> = keys.into_iter().collect();
            // Entries of messages that do not exist (any more) are dropped here.
            let entries: Vec<(u32, u64, Bytes)> = entries
                .into_iter()
                .filter_map(|(uid, data)| keys.get(&uid).map(|key| (uid, *key, data)))
                .collect();
            if entries.is_empty() {
                return Ok(());
            }
            let live = || {
                b.cache_keys(&n, &UidSet::all())
                    .ok()
                    .map(|(_, keys)| keys.into_iter().collect())
            };
            b.caches()
                .at(b.cache_path(&n))
                .put(uid_validity, &entries, &live);
            Ok(())
        })
        .await
    }

    async fn quota(&self) -> Result<QuotaUsage> {
        self.run(|b| Self::usage(b)).await
    }

    fn change_notifier(&self, mailbox: &str) -> Option<Arc<tokio::sync::Notify>> {
        let n = self.name(mailbox).ok()?;
        self.0.notifier(&n)
    }
}
