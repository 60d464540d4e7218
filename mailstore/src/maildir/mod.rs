//! The Maildir backend: standard Maildir (`tmp/`, `new/`, `cur/`, `:2,` info flags) with
//! Maildir++ folders (`.Sent`, `.Archive.2026`, a `maildirfolder` file in each), so that
//! Dovecot and mutt read what it writes and it reads what they write.
//!
//! Layout under the store's root: `<root>/<user>/` is the user's INBOX Maildir, and mailbox
//! `A.B` is `<root>/<user>/.A.B/`. Hierarchy separator: `.`. Each folder holds, besides the
//! messages, `mailstore-index` (UIDs, flags, MODSEQs; see the crate's index module) and
//! `mailstore-lock`; the account holds `mailstore-meta` (subscriptions, special use). The cache
//! of derived data ([`Account::cached`]) is `mailstore-cache` in the folder: one append-only
//! file of (UID, blob) records, described in the crate's cache module.
//!
//! Delivery: the message is written to `tmp/` and fsynced, linked into `new/` (or `cur/` when it
//! has flags), the directory fsynced, the index record written and fsynced, and only then is
//! the UID returned. Concurrent appends in one process share the directory and index fsyncs.
//! `mailstore/tests/durability.rs` records these system calls with `strace` and checks the order.
//!
//! Sizes: a delivered file is named `<base>,S=<bytes on disk>,W=<size with CRLF line ends>` as
//! Dovecot names its files; [`MessageMeta::size`](crate::MessageMeta::size) is the `W=` size
//! (`RFC822.SIZE`), read from the name when there, else counted once from the file and kept in
//! the index.

pub(crate) mod filename;
mod folder;
mod stamp;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;

use crate::blocking::{Adapter, Backend, ChunkReader};
use crate::cache::Caches;
use crate::error::{IoContext, Result, StoreError};
use crate::index::sync_dir;
use crate::meta::Meta;
use crate::name::{MailboxName, check_user};
use crate::store::{Account, MailStore};
use crate::types::{
    AppendOptions, ChangeSet, CopyOutcome, FlagOp, FlagSnapshot, Flags, MailboxStatus, MessageMeta,
    Quota, StoreOutcome, UidSet,
};
pub(crate) use filename::unique_base;
use folder::Folder;

/// A store of Maildirs, one per user, under a root directory.
pub struct MaildirStore {
    root: PathBuf,
    quota: Quota,
    user_quota: Mutex<HashMap<String, Quota>>,
    accounts: Mutex<HashMap<String, Arc<Adapter<MaildirAccount>>>>,
}

impl std::fmt::Debug for MaildirStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MaildirStore")
            .field("root", &self.root)
            .finish()
    }
}

impl MaildirStore {
    /// A store whose users' Maildirs are `<root>/<user>/`.
    pub fn new(root: impl Into<PathBuf>) -> MaildirStore {
        MaildirStore {
            root: root.into(),
            quota: Quota::default(),
            user_quota: Mutex::new(HashMap::new()),
            accounts: Mutex::new(HashMap::new()),
        }
    }

    /// Sets the quota of every user without one of their own.
    pub fn with_quota(mut self, quota: Quota) -> MaildirStore {
        self.quota = quota;
        self
    }

    /// Sets one user's quota (applies to accounts opened afterwards).
    pub fn set_user_quota(&self, user: &str, quota: Quota) {
        self.user_quota
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(user.to_string(), quota);
        self.accounts
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(user);
    }

    /// The directory holding `user`'s Maildir.
    pub fn user_dir(&self, user: &str) -> Result<PathBuf> {
        check_user(user)?;
        Ok(self.root.join(user))
    }
}

#[async_trait]
impl MailStore for MaildirStore {
    async fn account(&self, user: &str) -> Result<Arc<dyn Account>> {
        let dir = self.user_dir(user)?;
        if let Some(a) = self
            .accounts
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(user)
        {
            return Ok(a.clone());
        }
        let quota = self
            .user_quota
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(user)
            .copied()
            .unwrap_or(self.quota);
        let user_s = user.to_string();
        let account = tokio::task::spawn_blocking(move || MaildirAccount::open(dir, user_s, quota))
            .await
            .map_err(|e| StoreError::io("<blocking task>", std::io::Error::other(e)))??;
        let adapter = Arc::new(Adapter(Arc::new(account)));
        self.accounts
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(user.to_string(), adapter.clone());
        Ok(adapter)
    }
}

/// Creates a Maildir (`cur`, `new`, `tmp`) in `dir`, with `maildirfolder` if `is_folder`.
fn make_maildir(dir: &Path, is_folder: bool) -> Result<()> {
    for sub in ["cur", "new", "tmp"] {
        let p = dir.join(sub);
        std::fs::create_dir_all(&p).at(&p)?;
    }
    if is_folder {
        let p = dir.join("maildirfolder");
        std::fs::write(&p, b"").at(&p)?;
    }
    sync_dir(dir)
}

/// One user's Maildir.
pub(crate) struct MaildirAccount {
    root: PathBuf,
    user: String,
    quota: Quota,
    meta: Meta,
    folders: Mutex<HashMap<MailboxName, Arc<Folder>>>,
    caches: Caches,
}

impl MaildirAccount {
    fn open(root: PathBuf, user: String, quota: Quota) -> Result<MaildirAccount> {
        make_maildir(&root, false)?;
        if let Some(parent) = root.parent() {
            sync_dir(parent)?;
        }
        Ok(MaildirAccount {
            meta: Meta::new(&root),
            root,
            user,
            quota,
            folders: Mutex::new(HashMap::new()),
            caches: Caches::default(),
        })
    }

    fn dir_of(&self, name: &MailboxName) -> PathBuf {
        if name.is_inbox() {
            self.root.clone()
        } else {
            self.root.join(format!(".{}", name.join('.')))
        }
    }

    fn folder(&self, name: &MailboxName) -> Arc<Folder> {
        self.folders
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry(name.clone())
            .or_insert_with(|| {
                Arc::new(Folder::new(
                    self.dir_of(name),
                    name.join('.'),
                    self.root.join("mailstore-uidvalidity"),
                ))
            })
            .clone()
    }

    fn forget(&self, name: &MailboxName) {
        self.folders
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .retain(|n, _| n != name && !n.is_below(name));
    }
}

impl Backend for MaildirAccount {
    fn user(&self) -> &str {
        &self.user
    }

    fn separator(&self) -> char {
        '.'
    }

    fn quota_limit(&self) -> Quota {
        self.quota
    }

    fn meta(&self) -> &Meta {
        &self.meta
    }

    fn list_names(&self) -> Result<Vec<MailboxName>> {
        let mut out = vec![MailboxName::from_parts(vec!["INBOX".into()])];
        for entry in std::fs::read_dir(&self.root).at(&self.root)? {
            let entry = entry.at(&self.root)?;
            let Ok(file) = entry.file_name().into_string() else {
                continue;
            };
            let Some(name) = file.strip_prefix('.') else {
                continue;
            };
            if name.is_empty() || name == "." || !entry.path().join("cur").is_dir() {
                continue;
            }
            // Names another program wrote that we would refuse are left out, not mangled.
            if let Ok(n) = MailboxName::parse(name, '.')
                && !n.is_inbox()
            {
                out.push(n);
            }
        }
        Ok(out)
    }

    fn exists(&self, name: &MailboxName) -> Result<bool> {
        Ok(self.dir_of(name).join("cur").is_dir())
    }

    fn create(&self, name: &MailboxName) -> Result<()> {
        make_maildir(&self.dir_of(name), true)?;
        sync_dir(&self.root)
    }

    fn delete(&self, name: &MailboxName) -> Result<()> {
        let dir = self.dir_of(name);
        self.forget(name);
        // Rename first so that the mailbox disappears at once, then remove the files.
        let trash = self.root.join(format!(
            "mailstore-deleted-{}",
            crate::maildir::filename::unique_base(0)
        ));
        std::fs::rename(&dir, &trash).at(&dir)?;
        sync_dir(&self.root)?;
        std::fs::remove_dir_all(&trash).at(&trash)
    }

    fn rename(&self, from: &MailboxName, to: &MailboxName) -> Result<()> {
        let mut moves = Vec::new();
        for n in self.list_names()? {
            if (&n == from || n.is_below(from))
                && let Some(target) = n.rebase(from, to)
            {
                if self.exists(&target)? {
                    return Err(StoreError::MailboxExists(target.join('.')));
                }
                moves.push((n, target));
            }
        }
        self.forget(from);
        for (n, target) in moves {
            let (a, b) = (self.dir_of(&n), self.dir_of(&target));
            std::fs::rename(&a, &b).at(&a)?;
        }
        sync_dir(&self.root)
    }

    fn status(&self, name: &MailboxName) -> Result<MailboxStatus> {
        self.folder(name).with_index(|i| i.status())
    }

    fn quota_status(&self, name: &MailboxName) -> Result<MailboxStatus> {
        self.folder(name).status_unsynced()
    }

    fn messages(&self, name: &MailboxName, uids: &UidSet) -> Result<Vec<MessageMeta>> {
        self.folder(name)
            .with_index(|i| i.select(uids).map(|e| i.meta(e)).collect())
    }

    fn flag_snapshot(&self, name: &MailboxName) -> Result<Arc<FlagSnapshot>> {
        self.folder(name).flag_snapshot()
    }

    fn session_lock_path(&self, name: &MailboxName) -> PathBuf {
        self.dir_of(name).join("mailstore-session-lock")
    }

    fn spool_path(&self, name: &MailboxName) -> Result<PathBuf> {
        Ok(self.dir_of(name).join("tmp").join(filename::unique_base(0)))
    }

    fn append_spooled(
        &self,
        name: &MailboxName,
        spool: PathBuf,
        size: u64,
        opts: &AppendOptions,
    ) -> Result<u32> {
        self.folder(name).append(spool, size, None, opts)
    }

    fn append_spooled_counted(
        &self,
        name: &MailboxName,
        spool: PathBuf,
        size: u64,
        rfc822_size: u64,
        opts: &AppendOptions,
    ) -> Result<u32> {
        self.folder(name)
            .append(spool, size, Some(rfc822_size), opts)
    }

    fn open_reader(&self, name: &MailboxName, uid: u32) -> Result<ChunkReader> {
        self.folder(name).open_reader(uid)
    }

    fn store_flags(
        &self,
        name: &MailboxName,
        uids: &UidSet,
        op: FlagOp,
        flags: &Flags,
        unchanged_since: Option<u64>,
    ) -> Result<StoreOutcome> {
        self.folder(name)
            .store_flags(uids, op, flags, unchanged_since)
    }

    fn copy(
        &self,
        from: &MailboxName,
        uids: &UidSet,
        to: &MailboxName,
        remove_source: bool,
    ) -> Result<CopyOutcome> {
        let (src, dst) = (self.folder(from), self.folder(to));
        let linked = src.link_out(uids, &self.dir_of(to).join("tmp"))?;
        let source_uids: Vec<u32> = linked.iter().map(|l| l.uid).collect();
        let results = dst.append_many(linked);
        let mut outcome = CopyOutcome {
            uid_validity: dst.uid_validity()?,
            uids: Vec::new(),
        };
        for (uid, r) in source_uids.into_iter().zip(results) {
            outcome.uids.push((uid, r?));
        }
        if remove_source {
            let moved: Vec<u32> = outcome.uids.iter().map(|(s, _)| *s).collect();
            src.remove_uids(&moved)?;
        }
        Ok(outcome)
    }

    fn expunge(&self, name: &MailboxName, uids: Option<&UidSet>) -> Result<Vec<u32>> {
        self.folder(name).expunge(uids)
    }

    fn changes_since(&self, name: &MailboxName, modseq: u64) -> Result<ChangeSet> {
        self.folder(name).with_index(|i| i.changes_since(modseq))
    }

    fn notifier(&self, name: &MailboxName) -> Option<Arc<tokio::sync::Notify>> {
        Some(self.folder(name).notify.clone())
    }

    fn cache_path(&self, name: &MailboxName) -> PathBuf {
        self.dir_of(name).join("mailstore-cache")
    }

    fn caches(&self) -> &Caches {
        &self.caches
    }

    fn cache_keys(&self, name: &MailboxName, uids: &UidSet) -> Result<(u32, Vec<(u32, u64)>)> {
        self.folder(name).with_index(|i| {
            let keys = i.select(uids).map(|e| (e.uid, e.size)).collect();
            (i.uid_validity, keys)
        })
    }
}
