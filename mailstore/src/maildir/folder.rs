//! One Maildir folder: its lock, its index, syncing the index with `new/` and `cur/`, and the
//! operations on messages.
//!
//! Locking: an in-process mutex, then `flock` on `mailstore-lock` in the folder, for every
//! operation that reads or changes the index. Outside writers (Dovecot, mutt, an MDA) do not
//! take it; their changes are found by comparing the directories' nanosecond mtimes with the
//! stamp kept in the index, and reading the directories only when they differ (or when the stamp
//! was taken less than 2 s after the mtime, since a later change in the same clock tick would
//! not show).
//!
//! Our own changes (APPEND, a flag rename, EXPUNGE) move the mtimes too. When the folder was in
//! sync just before such a change (the mtimes matched a usable stamp), the mtimes read right
//! after it become an *own* stamp, so that the next operation need not read the directories
//! again. A change by another program in the same instant cannot be told apart from ours by
//! mtimes alone, so an own stamp is not trusted forever: the directories are read again once
//! `OWN_NS` (1 s) has passed since they were last verified (read, or found unchanged under a trusted
//! stamp), whatever changed since; and when a directory we changed keeps the mtime it had
//! (a change in the same clock tick) or one we did not change moved, the stamp is dropped and
//! the next operation reads the directories as before. On kernels with multigrain timestamps
//! (Linux 6.13+: ext4, xfs, btrfs, tmpfs), a change after our `stat` always gets a newer mtime,
//! so only a change racing with our own, under our lock, waits for that re-read.

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{SystemTime, UNIX_EPOCH};

use bytes::Bytes;

use super::filename::{
    self, KeywordLetters, cur_name, flags_of, has_system_flags, keywords, split,
};
use super::stamp::{Before, Stamp};
use crate::blocking::ChunkReader;
use crate::error::{IoContext, Result, StoreError};
use crate::index::{Entry, Index, IndexLog, Record, apply_flag_op, epoch_secs, sync_dir};
use crate::size::Rfc822Size;
use crate::types::{AppendOptions, FlagOp, FlagSnapshot, FlagUpdate, Flags, StoreOutcome, UidSet};

/// Chunk size of streamed reads.
const CHUNK: usize = 64 * 1024;

/// Index state of a folder, loaded on first use.
struct State {
    log: IndexLog,
    index: Index,
}

/// A message waiting for the group commit.
struct Pending {
    spool: PathBuf,
    /// Bytes on disk (`,S=`).
    size: u64,
    /// Size with CRLF line ends (`,W=`, the index's size).
    rfc822_size: u64,
    flags: Flags,
    idate: u64,
    slot: Arc<Mutex<Option<Result<u32>>>>,
}

/// A message hard-linked out of a folder for a copy.
pub(crate) struct Linked {
    /// Its UID in the source.
    pub uid: u32,
    /// The link in the destination's `tmp/`.
    pub path: PathBuf,
    /// Bytes on disk.
    pub size: u64,
    /// Size with CRLF line ends.
    pub rfc822_size: u64,
    pub idate: u64,
    pub flags: Flags,
}

/// One Maildir folder (INBOX or a Maildir++ `.Name` directory).
pub(crate) struct Folder {
    dir: PathBuf,
    /// The account's memo of the last UIDVALIDITY given out.
    memo: PathBuf,
    name: String,
    state: Mutex<Option<State>>,
    queue: Mutex<Vec<Pending>>,
    commit: Mutex<()>,
    pub notify: Arc<tokio::sync::Notify>,
    /// The last [`Folder::flag_snapshot`], reused while the index has not changed.
    snapshot: Mutex<Option<Arc<FlagSnapshot>>>,
}

/// The folder's state with both locks held.
pub(crate) struct Locked<'a> {
    guard: MutexGuard<'a, Option<State>>,
    lock_file: File,
}

impl Drop for Locked<'_> {
    fn drop(&mut self) {
        let _ = self.lock_file.unlock();
    }
}

impl Locked<'_> {
    fn state(&mut self) -> &mut State {
        self.guard
            .as_mut()
            .expect("invariant: Folder::lock loads the state before building Locked")
    }
}

/// Reads `file` in chunks of [`CHUNK`] octets.
fn chunk_reader(mut file: File) -> ChunkReader {
    Box::new(move || {
        let mut buf = vec![0u8; CHUNK];
        let n = file.read(&mut buf)?;
        buf.truncate(n);
        Ok((n > 0).then(|| Bytes::from(buf)))
    })
}

fn mtime_ns(path: &Path) -> Result<i128> {
    let m = std::fs::metadata(path).at(path)?.modified().at(path)?;
    Ok(ns_of(m))
}

fn ns_of(t: SystemTime) -> i128 {
    t.duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos() as i128)
        .unwrap_or(0)
}

fn now_ns() -> i128 {
    ns_of(SystemTime::now())
}

/// Lists `sub` (`new` or `cur`) as `base -> "sub/name"`.
fn scan_dir(dir: &Path, sub: &str, out: &mut HashMap<String, String>) -> Result<()> {
    let path = dir.join(sub);
    for entry in std::fs::read_dir(&path).at(&path)? {
        let entry = entry.at(&path)?;
        let Ok(name) = entry.file_name().into_string() else {
            continue;
        };
        if name.starts_with('.') {
            continue;
        }
        let base = split(&name).0.to_string();
        out.insert(base, format!("{sub}/{name}"));
    }
    Ok(())
}

fn scan(dir: &Path) -> Result<HashMap<String, String>> {
    let mut out = HashMap::new();
    // new/ before cur/: a file moved from new/ to cur/ meanwhile is then seen at least once.
    scan_dir(dir, "new", &mut out)?;
    scan_dir(dir, "cur", &mut out)?;
    Ok(out)
}

/// Removes files left in `tmp/` for over 36 hours by writers that died (the Maildir rule).
fn clean_tmp(tmp: &Path) {
    let Ok(entries) = std::fs::read_dir(tmp) else {
        return;
    };
    let limit = std::time::Duration::from_secs(36 * 3600);
    for entry in entries.flatten() {
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| SystemTime::now().duration_since(t).ok())
            .is_some_and(|age| age > limit);
        if old {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

fn file_name(loc: &str) -> &str {
    loc.rsplit('/').next().unwrap_or(loc)
}

impl Folder {
    /// The folder in `dir`, named `name` in errors.
    pub fn new(dir: PathBuf, name: String, memo: PathBuf) -> Folder {
        Folder {
            dir,
            memo,
            name,
            state: Mutex::new(None),
            queue: Mutex::new(Vec::new()),
            commit: Mutex::new(()),
            notify: Arc::new(tokio::sync::Notify::new()),
            snapshot: Mutex::new(None),
        }
    }

    fn no_such(&self) -> StoreError {
        StoreError::NoSuchMailbox(self.name.clone())
    }

    /// Takes the locks and brings the index up to date with its log.
    pub fn lock(&self) -> Result<Locked<'_>> {
        let mut guard = self.state.lock().unwrap_or_else(|p| p.into_inner());
        if !self.dir.join("cur").is_dir() {
            *guard = None;
            return Err(self.no_such());
        }
        let lock_path = self.dir.join("mailstore-lock");
        let lock_file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .at(&lock_path)?;
        lock_file.lock().at(&lock_path)?;
        let index_path = self.dir.join("mailstore-index");
        match guard.as_mut() {
            Some(st) if index_path.exists() => st.log.refresh(&mut st.index)?,
            _ => {
                // First use, or the index was lost: (re)load or start over with a new UIDVALIDITY.
                let (log, index, _) = IndexLog::open_with_memo(index_path, &self.memo)?;
                *guard = Some(State { log, index });
            }
        }
        Ok(Locked { guard, lock_file })
    }

    /// Brings the index in line with the files (see the module comment); with `force`, reads
    /// the directories even if their stamp matches.
    pub fn sync(&self, locked: &mut Locked<'_>, force: bool) -> Result<()> {
        let new_m = mtime_ns(&self.dir.join("new"))?;
        let cur_m = mtime_ns(&self.dir.join("cur"))?;
        let st = locked.state();
        let old = Stamp::parse(&st.index.stamp);
        let at = now_ns();
        if !force && old.is_some_and(|s| s.fresh(new_m, cur_m, at)) {
            return Ok(());
        }
        clean_tmp(&self.dir.join("tmp"));
        let kw = KeywordLetters::load(&self.dir);
        let mut files = scan(&self.dir)?;
        let known: HashMap<&str, u32> = st
            .index
            .entries
            .values()
            .map(|e| (split(file_name(&e.loc)).0, e.uid))
            .collect();
        if known.keys().any(|b| !files.contains_key(*b)) {
            // A rename by another program may have hidden a file from one listing: look again.
            for (base, loc) in scan(&self.dir)? {
                files.entry(base).or_insert(loc);
            }
        }
        let mut records = Vec::new();
        let mut modseq = None;
        let mut next_modseq =
            |index: &mut Index| *modseq.get_or_insert_with(|| index.next_modseq());
        let gone: Vec<u32> = st
            .index
            .entries
            .values()
            .filter(|e| !files.contains_key(split(file_name(&e.loc)).0))
            .map(|e| e.uid)
            .collect();
        drop(known);
        for uid in gone {
            let m = next_modseq(&mut st.index);
            records.push(Record::Expunge { uid, modseq: m });
        }
        let by_base: HashMap<String, u32> = st
            .index
            .entries
            .values()
            .map(|e| (split(file_name(&e.loc)).0.to_string(), e.uid))
            .collect();
        let mut fresh: Vec<(String, String)> = Vec::new();
        for (base, loc) in files {
            match by_base
                .get(&base)
                .and_then(|u| st.index.entries.get(u))
                .cloned()
            {
                Some(e) if e.loc == loc => {}
                Some(e) => {
                    // Keywords: ours from the index, except those Dovecot's letters say changed.
                    let old_letters = kw.keywords_of(file_name(&e.loc));
                    let mut flags = flags_of(file_name(&loc));
                    flags.extend(keywords(&e.flags).difference(&old_letters).cloned());
                    flags.extend(kw.keywords_of(file_name(&loc)));
                    let m = if flags == e.flags {
                        e.modseq
                    } else {
                        next_modseq(&mut st.index)
                    };
                    records.push(Record::Update {
                        uid: e.uid,
                        modseq: m,
                        loc,
                        flags,
                    });
                }
                None => fresh.push((base, loc)),
            }
        }
        // New files get UIDs in delivery-time order (their names start with the time).
        fresh.sort();
        let mut uid = st.index.uid_next;
        for (base, loc) in fresh {
            let path = self.dir.join(&loc);
            let Ok(meta) = std::fs::metadata(&path) else {
                continue; // gone again already
            };
            // The size with CRLF line ends: `W=` when the writer named it (Dovecot does), else
            // counted once here and kept in the index.
            let size = match filename::rfc822_size_of(&base) {
                Some(w) => w,
                None => match File::open(&path).and_then(Rfc822Size::of_reader) {
                    Ok(n) => n,
                    Err(_) => continue, // gone again already
                },
            };
            let m = next_modseq(&mut st.index);
            records.push(Record::Add(Entry {
                uid,
                modseq: m,
                size,
                idate: meta.modified().map(epoch_secs).unwrap_or(0),
                flags: flags_of(file_name(&loc))
                    .union(&kw.keywords_of(file_name(&loc)))
                    .cloned()
                    .collect(),
                loc,
            }));
            uid += 1;
        }
        let changed = !records.is_empty();
        let stamp = Stamp {
            new: new_m,
            cur: cur_m,
            at,
            own: false,
        };
        if old != Some(stamp) {
            records.push(Record::Stamp(stamp.format()));
        }
        let State { log, index } = st;
        log.append(index, records, false)?;
        if changed {
            self.notify.notify_waiters();
        }
        Ok(())
    }

    /// Before our own change to `new/` or `cur/` (lock held): the directories' mtimes, if the
    /// index is in sync with them (see [`Stamp::verified`]).
    fn own_before(&self, locked: &mut Locked<'_>) -> Option<Before> {
        let stamp = Stamp::parse(&locked.state().index.stamp)?;
        let new = mtime_ns(&self.dir.join("new")).ok()?;
        let cur = mtime_ns(&self.dir.join("cur")).ok()?;
        let verified = stamp.verified(new, cur, now_ns())?;
        Some(Before { new, cur, verified })
    }

    /// After our own change (lock still held), which changed `new/` if `touched_new` and `cur/`
    /// if `touched_cur`: the stamp record to log. `None` keeps the old stamp, which no longer
    /// matches the directories if `before` was `None`, so the next operation reads them. The
    /// stamp is dropped (read them next time as well) when a directory we changed kept its
    /// mtime, or one we did not change moved: a change by another program may hide there.
    fn own_after(
        &self,
        before: Option<Before>,
        touched_new: bool,
        touched_cur: bool,
    ) -> Option<Record> {
        let before = before?;
        let after = |sub: &str| mtime_ns(&self.dir.join(sub)).ok();
        let (Some(new), Some(cur)) = (after("new"), after("cur")) else {
            return Some(Record::Stamp(String::new()));
        };
        if (new == before.new) == touched_new || (cur == before.cur) == touched_cur {
            return Some(Record::Stamp(String::new()));
        }
        let stamp = Stamp {
            new,
            cur,
            at: before.verified,
            own: true,
        };
        Some(Record::Stamp(stamp.format()))
    }

    /// Locks and syncs (the start of every read operation).
    pub fn synced(&self) -> Result<Locked<'_>> {
        let mut locked = self.lock()?;
        self.sync(&mut locked, false)?;
        Ok(locked)
    }

    /// Runs `f` on the synced index.
    pub fn with_index<T>(&self, f: impl FnOnce(&Index) -> T) -> Result<T> {
        let mut locked = self.synced()?;
        Ok(f(&locked.state().index))
    }

    /// The counters and every message's UID, MODSEQ and flags, from the synced index (outside
    /// changes are looked for first, as by every read). The snapshot is kept and given again
    /// while the index is unchanged: every change to a message's flags, every expunge and every
    /// new message takes a new MODSEQ above HIGHESTMODSEQ (RFC 7162 §3.1.1) or moves UIDNEXT,
    /// so equal UIDVALIDITY, UIDNEXT, HIGHESTMODSEQ and message count mean equal messages.
    /// Held memory: one snapshot per open folder (32 octets a message).
    pub fn flag_snapshot(&self) -> Result<Arc<FlagSnapshot>> {
        let mut locked = self.synced()?;
        let index = &locked.state().index;
        let mut kept = self.snapshot.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(s) = kept.as_ref() {
            let st = &s.status;
            if st.uid_validity == index.uid_validity
                && st.uid_next == index.uid_next
                && st.highest_modseq == index.highest_modseq
                && st.messages as usize == index.entries.len()
            {
                return Ok(s.clone());
            }
        }
        let s = Arc::new(index.flag_snapshot());
        *kept = Some(s.clone());
        Ok(s)
    }

    /// Counters from the index as this crate's writers left it, without reading the directories
    /// (for the quota check on every delivery).
    pub fn status_unsynced(&self) -> Result<crate::MailboxStatus> {
        let mut locked = self.lock()?;
        Ok(locked.state().index.status())
    }

    /// Stores a spooled message of `size` bytes (group commit: one directory fsync and one index
    /// write for all messages queued meanwhile by other threads of this process). Its size with
    /// CRLF line ends is counted from the file when not given.
    pub fn append(
        &self,
        spool: PathBuf,
        size: u64,
        rfc822_size: Option<u64>,
        opts: &AppendOptions,
    ) -> Result<u32> {
        let rfc822_size = match rfc822_size {
            Some(n) => n,
            // Read back (from the page cache), outside the locks.
            None => File::open(&spool)
                .and_then(Rfc822Size::of_reader)
                .at(&spool)?,
        };
        let idate = epoch_secs(opts.internal_date.unwrap_or_else(SystemTime::now));
        if let Some(date) = opts.internal_date {
            // INTERNALDATE is the file's mtime, as Dovecot reads it.
            let f = File::options().write(true).open(&spool).at(&spool)?;
            f.set_modified(date).at(&spool)?;
        }
        let slot = Arc::new(Mutex::new(None));
        self.queue
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(Pending {
                spool,
                size,
                rfc822_size,
                flags: opts.flags.clone(),
                idate,
                slot: slot.clone(),
            });
        let _commit = self.commit.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(done) = slot.lock().unwrap_or_else(|p| p.into_inner()).take() {
            return done;
        }
        let batch = std::mem::take(&mut *self.queue.lock().unwrap_or_else(|p| p.into_inner()));
        let result = self.commit_batch(&batch);
        for (p, r) in batch.iter().zip(result) {
            *p.slot.lock().unwrap_or_else(|e| e.into_inner()) = Some(r);
        }
        self.notify.notify_waiters();
        let mine = slot.lock().unwrap_or_else(|p| p.into_inner()).take();
        mine.unwrap_or_else(|| {
            Err(StoreError::io(
                &self.dir,
                std::io::Error::other("lost append"),
            ))
        })
    }

    /// Stores files already linked into `tmp/` in one commit (COPY, MOVE).
    pub fn append_many(&self, items: Vec<Linked>) -> Vec<Result<u32>> {
        let batch: Vec<Pending> = items
            .into_iter()
            .map(|l| Pending {
                spool: l.path,
                size: l.size,
                rfc822_size: l.rfc822_size,
                flags: l.flags,
                idate: l.idate,
                slot: Arc::new(Mutex::new(None)),
            })
            .collect();
        let _commit = self.commit.lock().unwrap_or_else(|p| p.into_inner());
        let results = self.commit_batch(&batch);
        self.notify.notify_waiters();
        results
    }

    fn commit_batch(&self, batch: &[Pending]) -> Vec<Result<u32>> {
        let fail_all = |e: &StoreError| -> Vec<Result<u32>> {
            batch
                .iter()
                .map(|_| {
                    Err(StoreError::io(
                        &self.dir,
                        std::io::Error::other(e.to_string()),
                    ))
                })
                .collect()
        };
        let mut locked = match self.lock() {
            Ok(l) => l,
            Err(e) => {
                for p in batch {
                    let _ = std::fs::remove_file(&p.spool);
                }
                return fail_all(&e);
            }
        };
        let before = self.own_before(&mut locked);
        let kw = KeywordLetters::load(&self.dir);
        let st = locked.state();
        let modseq = st.index.next_modseq();
        let mut uid = st.index.uid_next;
        let mut results = Vec::with_capacity(batch.len());
        let mut records = Vec::new();
        let (mut touched_new, mut touched_cur) = (false, false);
        for p in batch {
            let base = filename::delivered_base(p.size, p.rfc822_size);
            let loc = if has_system_flags(&p.flags) {
                touched_cur = true;
                format!("cur/{}", cur_name(&base, &p.flags, "", &kw))
            } else {
                touched_new = true;
                format!("new/{base}")
            };
            let target = self.dir.join(&loc);
            // rename(2) would replace an existing file; link(2) fails instead, so never clobbers.
            match std::fs::hard_link(&p.spool, &target).at(&target) {
                Ok(()) => {
                    let _ = std::fs::remove_file(&p.spool);
                    records.push(Record::Add(Entry {
                        uid,
                        modseq,
                        size: p.rfc822_size,
                        idate: p.idate,
                        loc,
                        flags: p.flags.clone(),
                    }));
                    results.push(Ok(uid));
                    uid += 1;
                }
                Err(e) => {
                    let _ = std::fs::remove_file(&p.spool);
                    results.push(Err(e));
                }
            }
        }
        let mut durable = Ok(());
        if touched_new {
            durable = durable.and_then(|_| sync_dir(&self.dir.join("new")));
        }
        if touched_cur {
            durable = durable.and_then(|_| sync_dir(&self.dir.join("cur")));
        }
        records.extend(self.own_after(before, touched_new, touched_cur));
        let State { log, index } = st;
        durable = durable.and_then(|_| log.append(index, records, true));
        match durable {
            Ok(()) => results,
            Err(e) => fail_all(&e),
        }
    }

    /// Opens message `uid` for streaming.
    pub fn open_reader(&self, uid: u32) -> Result<ChunkReader> {
        // Fast path: the index as this process last saw it, without the folder lock. A message
        // file never changes once delivered; if it was renamed (new flags) or removed by another
        // process since, opening fails and the locked path below looks again.
        let known = {
            let guard = self.state.lock().unwrap_or_else(|p| p.into_inner());
            guard
                .as_ref()
                .and_then(|st| st.index.entries.get(&uid).map(|e| e.loc.clone()))
        };
        if let Some(loc) = known
            && let Ok(file) = File::open(self.dir.join(&loc))
        {
            return Ok(chunk_reader(file));
        }
        for attempt in 0..2 {
            let loc = {
                let mut locked = self.lock()?;
                if attempt > 0 {
                    self.sync(&mut locked, true)?;
                }
                match locked.state().index.entries.get(&uid) {
                    Some(e) => e.loc.clone(),
                    None => {
                        return Err(StoreError::NoSuchMessage {
                            mailbox: self.name.clone(),
                            uid,
                        });
                    }
                }
            };
            let path = self.dir.join(&loc);
            match File::open(&path) {
                Ok(file) => return Ok(chunk_reader(file)),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => return Err(StoreError::io(path, e)),
            }
        }
        Err(StoreError::NoSuchMessage {
            mailbox: self.name.clone(),
            uid,
        })
    }

    /// STORE.
    pub fn store_flags(
        &self,
        uids: &UidSet,
        op: FlagOp,
        given: &Flags,
        unchanged_since: Option<u64>,
    ) -> Result<StoreOutcome> {
        let mut locked = self.synced()?;
        let before = self.own_before(&mut locked);
        let kw = KeywordLetters::load(&self.dir);
        let mut outcome = StoreOutcome::default();
        let (mut touched_new, mut touched_cur) = (false, false);
        let st = locked.state();
        let selected: Vec<Entry> = st.index.select(uids).cloned().collect();
        let mut modseq = None;
        let mut records = Vec::new();
        for e in selected {
            if unchanged_since.is_some_and(|u| e.modseq > u) {
                outcome.modified.push(e.uid);
                continue;
            }
            let flags = apply_flag_op(&e.flags, op, given);
            if flags == e.flags {
                outcome.updated.push(FlagUpdate {
                    uid: e.uid,
                    flags,
                    modseq: e.modseq,
                });
                continue;
            }
            let old_name = file_name(&e.loc);
            let base = split(old_name).0;
            let new_loc = format!("cur/{}", cur_name(base, &flags, old_name, &kw));
            if new_loc != e.loc {
                let from = self.dir.join(&e.loc);
                match std::fs::rename(&from, self.dir.join(&new_loc)) {
                    Ok(()) => {
                        touched_cur = true;
                        touched_new |= e.loc.starts_with("new/");
                    }
                    // Expunged or renamed by another program meanwhile: leave it to the next sync.
                    Err(err) if err.kind() == std::io::ErrorKind::NotFound => continue,
                    Err(err) => return Err(StoreError::io(from, err)),
                }
            }
            let m = *modseq.get_or_insert_with(|| st.index.next_modseq());
            records.push(Record::Update {
                uid: e.uid,
                modseq: m,
                loc: new_loc,
                flags: flags.clone(),
            });
            outcome.updated.push(FlagUpdate {
                uid: e.uid,
                flags,
                modseq: m,
            });
        }
        if touched_cur {
            records.extend(self.own_after(before, touched_new, touched_cur));
        }
        let State { log, index } = st;
        log.append(index, records, false)?;
        if modseq.is_some() {
            self.notify.notify_waiters();
        }
        Ok(outcome)
    }

    /// Removes `\Deleted` messages (within `uids` if given); returns the UIDs removed.
    pub fn expunge(&self, uids: Option<&UidSet>) -> Result<Vec<u32>> {
        let mut locked = self.synced()?;
        let st = locked.state();
        let victims: Vec<(u32, String)> = st
            .index
            .entries
            .values()
            .filter(|e| e.flags.contains(&crate::Flag::Deleted))
            .filter(|e| uids.is_none_or(|s| s.contains(e.uid)))
            .map(|e| (e.uid, e.loc.clone()))
            .collect();
        self.remove(&mut locked, victims)
    }

    /// Unlinks the given messages and records their expunge.
    fn remove(&self, locked: &mut Locked<'_>, victims: Vec<(u32, String)>) -> Result<Vec<u32>> {
        if victims.is_empty() {
            return Ok(Vec::new());
        }
        let before = self.own_before(locked);
        let st = locked.state();
        let modseq = st.index.next_modseq();
        let mut records = Vec::new();
        let mut removed = Vec::new();
        let (mut touched_new, mut touched_cur) = (false, false);
        for (uid, loc) in victims {
            let path = self.dir.join(&loc);
            match std::fs::remove_file(&path) {
                Ok(()) => {
                    let in_new = loc.starts_with("new/");
                    touched_new |= in_new;
                    touched_cur |= !in_new;
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(StoreError::io(path, e)),
            }
            records.push(Record::Expunge { uid, modseq });
            removed.push(uid);
        }
        if touched_new {
            sync_dir(&self.dir.join("new"))?;
        }
        if touched_cur || !touched_new {
            sync_dir(&self.dir.join("cur"))?;
        }
        if touched_new || touched_cur {
            records.extend(self.own_after(before, touched_new, touched_cur));
        }
        let State { log, index } = st;
        log.append(index, records, false)?;
        self.notify.notify_waiters();
        Ok(removed)
    }

    /// Expunges the given UIDs whatever their flags (the second half of MOVE).
    pub fn remove_uids(&self, uids: &[u32]) -> Result<()> {
        let mut locked = self.synced()?;
        let st = locked.state();
        let victims = uids
            .iter()
            .filter_map(|u| st.index.entries.get(u).map(|e| (*u, e.loc.clone())))
            .collect();
        self.remove(&mut locked, victims).map(|_| ())
    }

    /// Hard-links the selected messages into `tmp_dir` for a copy; returns
    /// `(uid, linked path, size, idate, flags)` for each.
    pub fn link_out(&self, uids: &UidSet, tmp_dir: &Path) -> Result<Vec<Linked>> {
        let mut locked = self.synced()?;
        let st = locked.state();
        let mut out = Vec::new();
        for e in st.index.select(uids) {
            let tmp = tmp_dir.join(filename::unique_base(0));
            match std::fs::hard_link(self.dir.join(&e.loc), &tmp) {
                Ok(()) => out.push(Linked {
                    uid: e.uid,
                    size: match filename::size_of(split(file_name(&e.loc)).0) {
                        Some(s) => s,
                        None => std::fs::metadata(&tmp).at(&tmp)?.len(),
                    },
                    path: tmp,
                    rfc822_size: e.size,
                    idate: e.idate,
                    flags: e.flags.clone(),
                }),
                Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
                Err(err) => return Err(StoreError::io(tmp, err)),
            }
        }
        Ok(out)
    }

    /// The UIDVALIDITY (after syncing).
    pub fn uid_validity(&self) -> Result<u32> {
        self.with_index(|i| i.uid_validity)
    }
}
