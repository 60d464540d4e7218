//! The mbox backend: one mboxrd file per mailbox (`>From ` quoting), locked with a dot-lock and
//! `fcntl` like other mbox programs, UIDs, flags and MODSEQs in a side index that mutt and
//! friends never see (so they tolerate it), and mutt's `Status:`/`X-Status:` headers read as
//! flags for messages another program wrote.
//!
//! Layout under the store's root, for user `u`: `<root>/u/INBOX` is the inbox; mailbox `A/B` is
//! `<root>/u/A.sbd/B` (Thunderbird's convention, so that `A` can hold messages and children);
//! `<root>/u/.mailstore/` holds the indexes, the account's metadata and temporary files, and
//! each mailbox's cache of derived data ([`Account::cached`]) as
//! `<name>.cache` beside its index (moved on rename, removed on delete).
//! Hierarchy separator: `/`. Components may not end in `.sbd` or `.lock`, and INBOX has no
//! children here.
//!
//! The format is mboxrd ([RFC 4155] describes the mbox family and its `From ` separator line;
//! mboxrd quotes every body line matching `>*From ` with one more `>`, and reading removes one).
//!
//! Reading a message returns it un-quoted, with the line ends it was stored with (LF for what
//! mutt and most MDAs write), without its separator line and the blank line that ends it.
//! [`MessageMeta::size`](crate::MessageMeta::size) is `RFC822.SIZE` as for Maildir: the size of
//! exactly those octets with CRLF line ends ([`rfc822_size`](crate::rfc822_size)), what IMAP
//! FETCH and POP3 RETR send. It is counted once, when a message is appended or first scanned
//! (another program's message), and kept in the side index.
//!
//! Locks are taken in mutt's order: `fcntl`, then the dot-lock, each retried with back-off for
//! at most the store's lock time-out ([`MboxStore::with_lock_timeout`], 10 s by default), after
//! which the operation fails with [`StoreError::LockTimeout`] (a temporary error).
//!
//! Crash safety (see the folder and journal modules):
//! - An append records in a journal where its messages will lie (fsynced) before writing them;
//!   the message is written at the end of the file and fsynced, then its index record is
//!   written and fsynced, and only then is the UID returned. The next writer cuts exactly the
//!   journalled region of an append that did not complete, never a message another program
//!   appended (mutt keeps our `From ` line when it copies a message).
//! - Expunge writes a new file beside the mbox, fsyncs it, renames it over the mbox and fsyncs
//!   the directory, under the locks: a crash at any point leaves either the old or the new
//!   mailbox, and the side index follows either.
//!
//! [RFC 4155]: https://www.rfc-editor.org/rfc/rfc4155

mod folder;
pub(crate) mod format;
pub(crate) mod journal;
mod lock;
pub(crate) mod scan;

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use std::collections::HashMap;

use crate::blocking::{Adapter, Backend, ChunkReader};
use crate::cache::Caches;
use crate::error::{IoContext, Result, StoreError};
use crate::index::{escape, sync_dir};
use crate::meta::Meta;
use crate::name::{MailboxName, check_user};
use crate::store::{Account, MailStore};
use crate::types::{
    AppendOptions, ChangeSet, CopyOutcome, FlagOp, FlagSnapshot, Flags, MailboxStatus, MessageMeta,
    Quota, StoreOutcome, UidSet,
};
use folder::{Mbox, registry};

/// A store of mbox files, one directory per user, under a root directory.
pub struct MboxStore {
    root: PathBuf,
    quota: Quota,
    lock_timeout: Duration,
    user_quota: Mutex<HashMap<String, Quota>>,
}

impl std::fmt::Debug for MboxStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MboxStore")
            .field("root", &self.root)
            .finish()
    }
}

impl MboxStore {
    /// A store whose users' mailboxes are under `<root>/<user>/`.
    pub fn new(root: impl Into<PathBuf>) -> MboxStore {
        MboxStore {
            root: root.into(),
            quota: Quota::default(),
            lock_timeout: lock::DEFAULT_TIMEOUT,
            user_quota: Mutex::new(HashMap::new()),
        }
    }

    /// Sets how long an operation waits for another program's lock on an mbox file (its
    /// `fcntl` lock and its dot-lock together) before failing with
    /// [`StoreError::LockTimeout`]. Default: 10 s.
    pub fn with_lock_timeout(mut self, timeout: Duration) -> MboxStore {
        self.lock_timeout = timeout;
        self
    }

    /// Sets the quota of every user without one of their own.
    pub fn with_quota(mut self, quota: Quota) -> MboxStore {
        self.quota = quota;
        self
    }

    /// Sets one user's quota.
    pub fn set_user_quota(&self, user: &str, quota: Quota) {
        self.user_quota
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(user.to_string(), quota);
    }
}

#[async_trait]
impl MailStore for MboxStore {
    async fn account(&self, user: &str) -> Result<Arc<dyn Account>> {
        check_user(user)?;
        let root = self.root.join(user);
        let quota = self
            .user_quota
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(user)
            .copied()
            .unwrap_or(self.quota);
        let user = user.to_string();
        let lock_timeout = self.lock_timeout;
        let account =
            tokio::task::spawn_blocking(move || MboxAccount::open(root, user, quota, lock_timeout))
                .await
                .map_err(|e| StoreError::io("<blocking task>", std::io::Error::other(e)))??;
        Ok(Arc::new(Adapter(Arc::new(account))))
    }
}

/// One user's mbox files.
pub(crate) struct MboxAccount {
    root: PathBuf,
    side: PathBuf,
    user: String,
    quota: Quota,
    lock_timeout: Duration,
    meta: Meta,
    caches: Caches,
}

impl MboxAccount {
    fn open(
        root: PathBuf,
        user: String,
        quota: Quota,
        lock_timeout: Duration,
    ) -> Result<MboxAccount> {
        let side = root.join(".mailstore");
        std::fs::create_dir_all(side.join("tmp")).at(&side)?;
        let inbox = root.join("INBOX");
        if !inbox.exists() {
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&inbox)
                .at(&inbox)?;
            sync_dir(&root)?;
        }
        Ok(MboxAccount {
            meta: Meta::new(&side),
            root,
            side,
            user,
            quota,
            lock_timeout,
            caches: Caches::default(),
        })
    }

    fn path_of(&self, name: &MailboxName) -> PathBuf {
        let mut p = self.root.clone();
        let parts = name.parts();
        for (i, part) in parts.iter().enumerate() {
            if i + 1 == parts.len() {
                p.push(part);
            } else {
                p.push(format!("{part}.sbd"));
            }
        }
        p
    }

    fn sbd_of(&self, name: &MailboxName) -> PathBuf {
        let mut p = self.path_of(name).into_os_string();
        p.push(".sbd");
        PathBuf::from(p)
    }

    fn index_of(&self, name: &MailboxName) -> PathBuf {
        self.side.join(format!(
            "{}.index",
            escape(&name.join('/')).replace('/', "%2F")
        ))
    }

    fn mbox(&self, name: &MailboxName) -> Arc<Mbox> {
        let path = self.path_of(name);
        let mbox = registry()
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry(path.clone())
            .or_insert_with(|| {
                Arc::new(Mbox::new(
                    path,
                    self.index_of(name),
                    self.side.join("tmp"),
                    name.join('/'),
                ))
            })
            .clone();
        mbox.set_lock_timeout(self.lock_timeout);
        mbox
    }

    fn forget(&self, name: &MailboxName) {
        let path = self.path_of(name);
        let sbd = self.sbd_of(name);
        registry()
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .retain(|p, _| p != &path && !p.starts_with(&sbd));
    }

    fn walk(
        &self,
        dir: &std::path::Path,
        prefix: &[String],
        out: &mut Vec<MailboxName>,
    ) -> Result<()> {
        let entries = match std::fs::read_dir(dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(StoreError::io(dir, e)),
        };
        for entry in entries {
            let entry = entry.at(dir)?;
            let Ok(file) = entry.file_name().into_string() else {
                continue;
            };
            if file.starts_with('.') || file.ends_with(".lock") {
                continue;
            }
            let ty = entry.file_type().at(dir)?;
            if ty.is_dir() {
                if let Some(base) = file.strip_suffix(".sbd") {
                    let mut p = prefix.to_vec();
                    p.push(base.to_string());
                    self.walk(&entry.path(), &p, out)?;
                }
            } else if ty.is_file() {
                let mut p = prefix.to_vec();
                p.push(file);
                if let Ok(n) = MailboxName::parse(&p.join("/"), '/')
                    && (prefix.is_empty() || !n.is_inbox())
                {
                    out.push(n);
                }
            }
        }
        Ok(())
    }
}

impl Backend for MboxAccount {
    fn user(&self) -> &str {
        &self.user
    }

    fn separator(&self) -> char {
        '/'
    }

    fn quota_limit(&self) -> Quota {
        self.quota
    }

    fn meta(&self) -> &Meta {
        &self.meta
    }

    fn check_name(&self, name: &MailboxName) -> Result<()> {
        let bad = |reason| {
            Err(StoreError::InvalidName {
                name: name.join('/'),
                reason,
            })
        };
        if name.parts().len() > 1 && name.parts().first().is_some_and(|p| p == "INBOX") {
            return bad("INBOX cannot have children in an mbox store");
        }
        if name
            .parts()
            .iter()
            .any(|p| p.ends_with(".sbd") || p.ends_with(".lock"))
        {
            return bad("component ends in .sbd or .lock");
        }
        if self.index_of(name).file_name().map_or(0, |f| f.len()) > 250 {
            return bad("name too deep for the index file name");
        }
        Ok(())
    }

    fn list_names(&self) -> Result<Vec<MailboxName>> {
        let mut out = Vec::new();
        self.walk(&self.root, &[], &mut out)?;
        if !out.iter().any(|n| n.is_inbox()) {
            out.push(MailboxName::from_parts(vec!["INBOX".into()]));
        }
        Ok(out)
    }

    fn exists(&self, name: &MailboxName) -> Result<bool> {
        Ok(self.path_of(name).is_file())
    }

    fn create(&self, name: &MailboxName) -> Result<()> {
        let path = self.path_of(name);
        let dir = path
            .parent()
            .map(PathBuf::from)
            .unwrap_or_else(|| self.root.clone());
        std::fs::create_dir_all(&dir).at(&dir)?;
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
        {
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                return Err(StoreError::MailboxExists(name.join('/')));
            }
            Err(e) => return Err(StoreError::io(path, e)),
        }
        sync_dir(&dir)
    }

    fn delete(&self, name: &MailboxName) -> Result<()> {
        let path = self.path_of(name);
        self.forget(name);
        std::fs::remove_file(&path).at(&path)?;
        let idx = self.index_of(name);
        let _ = std::fs::remove_file(&idx);
        let _ = std::fs::remove_file(idx.with_extension("journal"));
        let _ = std::fs::remove_file(idx.with_extension("cache"));
        let _ = std::fs::remove_dir(self.sbd_of(name));
        if let Some(dir) = path.parent() {
            sync_dir(dir)?;
        }
        Ok(())
    }

    fn rename(&self, from: &MailboxName, to: &MailboxName) -> Result<()> {
        let affected: Vec<MailboxName> = self
            .list_names()?
            .into_iter()
            .filter(|n| n == from || n.is_below(from))
            .collect();
        for n in &affected {
            if let Some(t) = n.rebase(from, to) {
                self.check_name(&t)?;
            }
        }
        self.forget(from);
        let (src, dst) = (self.path_of(from), self.path_of(to));
        if let Some(dir) = dst.parent() {
            std::fs::create_dir_all(dir).at(dir)?;
        }
        std::fs::rename(&src, &dst).at(&src)?;
        let (src_sbd, dst_sbd) = (self.sbd_of(from), self.sbd_of(to));
        if src_sbd.is_dir() {
            std::fs::rename(&src_sbd, &dst_sbd).at(&src_sbd)?;
        }
        for n in &affected {
            if let Some(t) = n.rebase(from, to) {
                let (a, b) = (self.index_of(n), self.index_of(&t));
                if a.exists() {
                    std::fs::rename(&a, &b).at(&a)?;
                }
                // The cache moves along: UIDs and contents are unchanged by a rename.
                for ext in ["uidvalidity", "journal", "cache"] {
                    let (a, b) = (a.with_extension(ext), b.with_extension(ext));
                    if a.exists() {
                        std::fs::rename(&a, &b).at(&a)?;
                    }
                }
            }
        }
        sync_dir(&self.root)
    }

    fn status(&self, name: &MailboxName) -> Result<MailboxStatus> {
        self.mbox(name).with_index(|i| i.status())
    }

    fn messages(&self, name: &MailboxName, uids: &UidSet) -> Result<Vec<MessageMeta>> {
        self.mbox(name)
            .with_index(|i| i.select(uids).map(|e| i.meta(e)).collect())
    }

    fn flag_snapshot(&self, name: &MailboxName) -> Result<Arc<FlagSnapshot>> {
        self.mbox(name).with_index(|i| Arc::new(i.flag_snapshot()))
    }

    fn spool_needs_sync(&self) -> bool {
        false
    }

    fn session_lock_path(&self, name: &MailboxName) -> PathBuf {
        self.side.join(format!(
            "{}.session-lock",
            escape(&name.join('/')).replace('/', "%2F")
        ))
    }

    fn spool_path(&self, _name: &MailboxName) -> Result<PathBuf> {
        Ok(self.side.join("tmp").join(crate::maildir::unique_base(0)))
    }

    fn append_spooled(
        &self,
        name: &MailboxName,
        spool: PathBuf,
        size: u64,
        opts: &AppendOptions,
    ) -> Result<u32> {
        let r = self.mbox(name).append(&spool, opts, size);
        let _ = std::fs::remove_file(&spool);
        r
    }

    fn open_reader(&self, name: &MailboxName, uid: u32) -> Result<ChunkReader> {
        self.mbox(name).open_reader(uid)
    }

    fn store_flags(
        &self,
        name: &MailboxName,
        uids: &UidSet,
        op: FlagOp,
        flags: &Flags,
        unchanged_since: Option<u64>,
    ) -> Result<StoreOutcome> {
        self.mbox(name)
            .store_flags(uids, op, flags, unchanged_since)
    }

    fn copy(
        &self,
        from: &MailboxName,
        uids: &UidSet,
        to: &MailboxName,
        remove_source: bool,
    ) -> Result<CopyOutcome> {
        let (src, dst) = (self.mbox(from), self.mbox(to));
        let metas = src.with_index(|i| i.select(uids).map(|e| i.meta(e)).collect::<Vec<_>>())?;
        let mut outcome = CopyOutcome {
            uid_validity: dst.with_index(|i| i.uid_validity)?,
            uids: Vec::new(),
        };
        for m in metas {
            let mut reader = match src.open_reader(m.uid) {
                Ok(r) => r,
                Err(StoreError::NoSuchMessage { .. }) => continue,
                Err(e) => return Err(e),
            };
            let spool = self.spool_path(to)?;
            // The spool's length (`m.size` is the size with CRLF line ends).
            let mut size = 0;
            {
                use std::io::Write;
                let mut f = std::fs::File::create(&spool).at(&spool)?;
                while let Some(chunk) = reader().at(&spool)? {
                    f.write_all(&chunk).at(&spool)?;
                    size += chunk.len() as u64;
                }
            }
            let opts = AppendOptions {
                flags: m.flags.clone(),
                internal_date: Some(m.internal_date),
            };
            let uid = self.append_spooled(to, spool, size, &opts)?;
            outcome.uids.push((m.uid, uid));
        }
        if remove_source {
            let moved: Vec<u32> = outcome.uids.iter().map(|p| p.0).collect();
            src.expunge_where(|e| moved.contains(&e.uid))?;
        }
        Ok(outcome)
    }

    fn expunge(&self, name: &MailboxName, uids: Option<&UidSet>) -> Result<Vec<u32>> {
        self.mbox(name).expunge_where(|e| {
            e.flags.contains(&crate::Flag::Deleted) && uids.is_none_or(|s| s.contains(e.uid))
        })
    }

    fn changes_since(&self, name: &MailboxName, modseq: u64) -> Result<ChangeSet> {
        self.mbox(name).with_index(|i| i.changes_since(modseq))
    }

    fn notifier(&self, name: &MailboxName) -> Option<Arc<tokio::sync::Notify>> {
        Some(self.mbox(name).notify.clone())
    }

    fn cache_path(&self, name: &MailboxName) -> PathBuf {
        self.index_of(name).with_extension("cache")
    }

    fn caches(&self) -> &Caches {
        &self.caches
    }

    fn cache_keys(&self, name: &MailboxName, uids: &UidSet) -> Result<(u32, Vec<(u32, u64)>)> {
        self.mbox(name).with_index(|i| {
            let keys = i.select(uids).map(|e| (e.uid, e.size)).collect();
            (i.uid_validity, keys)
        })
    }
}
