//! One mbox file: its single descriptor in this process, its locks, its side index (UIDs,
//! flags, MODSEQs and where each message lies), and the operations on its messages.
//!
//! An entry's location is `from:body:raw:added:key`: offset of the `From ` line, offset of the
//! body, length of the stored (quoted) body without the blank separator line, whether a final
//! line feed was added on append, and a content key (FNV-1a of the body without the headers
//! other programs rewrite) that finds the message again after another program rewrote the file.
//!
//! An entry's size is `RFC822.SIZE`: the size with CRLF line ends of the message as
//! [`open_reader`](Mbox::open_reader) returns it (un-quoted, stored line ends, without the line
//! feed an append added), counted once when the message is appended or first scanned.
//!
//! The index's stamp is the file's size and mtime after this crate's last change; a different
//! size or mtime means another writer was there (or a crash): appended messages (scanned from
//! the old end) or a rewrite (the whole file scanned and matched by content key). A stamp of
//! an older index (whose sizes were stored lengths) never matches: see [`STAMP_SIZES`].
//!
//! Crash safety:
//! - An append first records in the append journal (see the journal module) where its
//!   messages will lie, fsynced; then writes them, fsyncs the file, writes and fsyncs their
//!   index records, and only then returns the UIDs. When the stamp shows a change, the next
//!   writer first cuts the region of a journalled append that did not complete, and nothing
//!   else: a message another program appended (even with this crate's `From ` line, as mutt
//!   keeps it when it copies a message) is never cut.
//! - An expunge (and a cut with other programs' mail after it) writes a new file beside the
//!   mbox, fsyncs it, renames it over the mbox and fsyncs the directory, under the locks (it
//!   takes the `fcntl` lock of the new file before the rename, so that a program opening the new
//!   file waits too); then the index records follow. A crash leaves the old or the new file;
//!   a new file the index does not know yet is matched by content key on the next open.

use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::ops::Range;
use std::os::unix::fs::{FileExt, MetadataExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::{Duration, SystemTime};

use bytes::Bytes;

mod append;

use super::format::Quoter;
use super::journal::Journal;
use super::lock::{DEFAULT_TIMEOUT, lock, lock_new, open_rw, unlock};
use super::scan::{Loc, copy_except, removed_before, scan};
use crate::blocking::ChunkReader;
use crate::error::{IoContext, Result, StoreError};
use crate::index::{Entry, Index, IndexLog, Record, apply_flag_op, sync_dir};
use crate::types::{FlagOp, FlagUpdate, Flags, StoreOutcome, UidSet};

const CHUNK: usize = 64 * 1024;
/// Messages up to this size are read into memory under the lock; larger ones are copied to an
/// unlinked temporary file and streamed from there.
const IN_MEMORY: u64 = 1024 * 1024;

struct St {
    file: File,
    ino: u64,
    idx: Option<(IndexLog, Index)>,
}

/// One mbox file, shared by everything in this process that uses it.
/// An append waiting for the group commit.
struct Pending {
    spool: PathBuf,
    size: u64,
    flags: Flags,
    idate: u64,
    slot: Arc<Mutex<Option<Result<u32>>>>,
}

pub(crate) struct Mbox {
    path: PathBuf,
    queue: Mutex<Vec<Pending>>,
    commit: Mutex<()>,
    index_path: PathBuf,
    journal: Journal,
    tmp_dir: PathBuf,
    name: String,
    /// Bound on waiting for other programs' locks, in milliseconds.
    lock_timeout_ms: AtomicU64,
    state: Mutex<Option<St>>,
    pub notify: Arc<tokio::sync::Notify>,
}

/// The process-wide registry: one [`Mbox`] (so one descriptor) per file.
pub(crate) fn registry() -> &'static Mutex<HashMap<PathBuf, Arc<Mbox>>> {
    static REG: OnceLock<Mutex<HashMap<PathBuf, Arc<Mbox>>>> = OnceLock::new();
    REG.get_or_init(|| Mutex::new(HashMap::new()))
}

/// The locked state of an mbox.
pub(crate) struct Guard<'a> {
    st: MutexGuard<'a, Option<St>>,
    dotlock: PathBuf,
}

impl Drop for Guard<'_> {
    fn drop(&mut self) {
        if let Some(st) = self.st.as_ref() {
            unlock(&st.file, &self.dotlock);
        }
    }
}

impl Guard<'_> {
    fn parts(&mut self) -> (&File, &mut IndexLog, &mut Index) {
        let st = self
            .st
            .as_mut()
            .expect("invariant: Mbox::lock fills the state before building Guard");
        let (log, index) = st
            .idx
            .as_mut()
            .expect("invariant: Mbox::lock loads the index before building Guard");
        (&st.file, log, index)
    }

    fn st(&mut self) -> &mut St {
        self.st
            .as_mut()
            .expect("invariant: Mbox::lock fills the state before building Guard")
    }
}

/// The last field of the index's stamp: the index's sizes are `RFC822.SIZE`s (sizes with CRLF
/// line ends). An index written before (its sizes were stored lengths, its stamps
/// `<len>,<mtime>`) never matches a stamp of this format: its first sync scans the whole file
/// and replaces every size that differs, keeping UIDs and flags.
const STAMP_SIZES: &str = "rfc822";

/// The stamp of the file as it is: `<len>,<mtime in ns>,rfc822`.
fn stamp_of(file: &File, path: &Path) -> Result<String> {
    let m = file.metadata().at(path)?;
    let mtime = m
        .modified()
        .ok()
        .and_then(|t| t.duration_since(SystemTime::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos());
    Ok(format!("{},{},{STAMP_SIZES}", m.len(), mtime))
}

/// The file length a stamp of the current format records (`None` for an older format, whose
/// sizes must all be counted again).
fn stamp_len(stamp: &str) -> Option<u64> {
    let rest = stamp.strip_suffix(STAMP_SIZES)?.strip_suffix(',')?;
    rest.split(',').next()?.parse().ok()
}

impl Mbox {
    /// The mbox at `path` with its index at `index_path`, named `name` in errors.
    pub fn new(path: PathBuf, index_path: PathBuf, tmp_dir: PathBuf, name: String) -> Mbox {
        Mbox {
            path,
            queue: Mutex::new(Vec::new()),
            commit: Mutex::new(()),
            journal: Journal::new(index_path.with_extension("journal")),
            index_path,
            tmp_dir,
            name,
            lock_timeout_ms: AtomicU64::new(DEFAULT_TIMEOUT.as_millis() as u64),
            state: Mutex::new(None),
            notify: Arc::new(tokio::sync::Notify::new()),
        }
    }

    /// Sets the bound on waiting for other programs' locks.
    pub fn set_lock_timeout(&self, timeout: Duration) {
        let ms = u64::try_from(timeout.as_millis()).unwrap_or(u64::MAX);
        self.lock_timeout_ms.store(ms, Ordering::Relaxed);
    }

    fn lock_timeout(&self) -> Duration {
        Duration::from_millis(self.lock_timeout_ms.load(Ordering::Relaxed))
    }

    /// Where an expunge writes the new file: beside the mbox (same file system, so the rename
    /// is atomic), hidden from folder listings by its leading dot.
    fn replacement_path(&self) -> PathBuf {
        let mut name = std::ffi::OsString::from(".");
        name.push(self.path.file_name().unwrap_or_default());
        name.push(".mailstore-new");
        self.path.with_file_name(name)
    }

    /// Takes the in-process mutex, the `fcntl` lock and the dot-lock (mutt's order, bounded by
    /// the lock time-out), loads or refreshes the index and brings it in line with the file.
    pub fn lock(&self) -> Result<Guard<'_>> {
        let mut st = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let mut reopened = false;
        loop {
            let ino = match std::fs::metadata(&self.path) {
                Ok(m) => m.ino(),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    *st = None;
                    return Err(StoreError::NoSuchMailbox(self.name.clone()));
                }
                Err(e) => return Err(StoreError::io(&self.path, e)),
            };
            if st.as_ref().is_none_or(|s| s.ino != ino) {
                // Replaced by another program (or first use): a new descriptor, same index.
                let idx = st.take().and_then(|s| s.idx);
                let file = open_rw(&self.path, false)?;
                let ino = file.metadata().at(&self.path)?.ino();
                *st = Some(St { file, ino, idx });
                reopened = true;
            }
            let Some(s) = st.as_mut() else { continue };
            let dotlock = lock(&self.path, &s.file, self.lock_timeout(), &self.name)?;
            if std::fs::metadata(&self.path).map(|m| m.ino()).ok() != Some(s.ino) {
                unlock(&s.file, &dotlock);
                continue;
            }
            match s.idx.as_mut() {
                Some((log, index)) if self.index_path.exists() => {
                    if let Err(e) = log.refresh(index) {
                        unlock(&s.file, &dotlock);
                        return Err(e);
                    }
                }
                _ => match IndexLog::open_with_memo(
                    self.index_path.clone(),
                    &self.tmp_dir.with_file_name("uidvalidity"),
                ) {
                    Ok((log, index, _)) => s.idx = Some((log, index)),
                    Err(e) => {
                        unlock(&s.file, &dotlock);
                        return Err(e);
                    }
                },
            }
            if reopened {
                // An expunge that crashed before its rename left this behind.
                let _ = std::fs::remove_file(self.replacement_path());
            }
            let mut guard = Guard { st, dotlock };
            self.sync(&mut guard)?;
            return Ok(guard);
        }
    }

    /// Cuts the region of a journalled append that did not complete (see the journal module);
    /// other programs' messages after it are kept (then the file is replaced, not cut in place).
    /// Returns where a cut was made (the append's start: the file before it is unchanged).
    fn recover(&self, guard: &mut Guard<'_>) -> Result<Option<u64>> {
        let Some(intent) = self.journal.read()? else {
            return Ok(None);
        };
        let mut cut_made = None;
        let (file, _, index) = guard.parts();
        let first = intent.froms.first().copied();
        let completed = index
            .entries
            .values()
            .any(|e| Loc::parse(&e.loc).map(|l| l.from) == first);
        let len = file.metadata().at(&self.path)?.len();
        if !completed && len > intent.start {
            // The first message this append did not write: not at a planned offset, or not
            // with the planned separator line there.
            let mut foreign = None;
            for s in scan(file, intent.start).at(&self.path)? {
                let ours = intent.planned_line(s.loc.from).is_some_and(|want| {
                    let mut got = vec![0u8; want.len()];
                    file.read_exact_at(&mut got, s.loc.from).is_ok() && got == want.as_bytes()
                });
                if !ours {
                    foreign = Some(s.loc.from);
                    break;
                }
            }
            if let Some(cut) = intent.torn_range(len, foreign) {
                cut_made = Some(cut.start);
                if cut.end >= len {
                    file.set_len(cut.start).at(&self.path)?;
                    file.sync_data().at(&self.path)?;
                } else {
                    self.replace_without(guard.st(), &[cut])?;
                }
            }
        }
        // Durably: a stale record must not name a later writer's message.
        self.journal.clear(true)?;
        Ok(cut_made)
    }

    /// Finds what other writers (or a crashed append) did since the index's stamp.
    fn sync(&self, guard: &mut Guard<'_>) -> Result<()> {
        let (file, _, index) = guard.parts();
        if stamp_of(file, &self.path)? == index.stamp {
            // The file is as the index knows it: a journalled append wrote nothing (it crashed
            // right after its record). Its record must go before another program appends at
            // its start, where it would name that program's message.
            if self.journal.pending() {
                self.journal.clear(true)?;
            }
            return Ok(());
        }
        let cut = self.recover(guard)?;
        let (file, log, index) = guard.parts();
        let stamp = stamp_of(file, &self.path)?;
        if stamp == index.stamp {
            return Ok(());
        }
        let old_len = stamp_len(&index.stamp);
        let len = file.metadata().at(&self.path)?.len();
        let mut head = [0u8; 5];
        let tail_only = match old_len {
            Some(0) => true,
            // A torn append cut back to where the index left the file: nothing else changed.
            Some(l) if l == len => cut == Some(l),
            Some(l) if l < len => file.read_exact_at(&mut head, l).is_ok() && &head == b"From ",
            _ => false,
        };
        let mut records = Vec::new();
        let modseq = index.highest_modseq + 1;
        let mut used_modseq = false;
        if tail_only {
            let start = old_len.unwrap_or(0);
            let found = scan(file, start).at(&self.path)?;
            for (uid, s) in (index.uid_next..).zip(found) {
                used_modseq = true;
                records.push(Record::Add(Entry {
                    uid,
                    modseq,
                    size: s.size(false),
                    idate: s.idate,
                    loc: s.loc.format(),
                    flags: s.flags,
                }));
            }
        } else {
            // Rewritten by another program: match every message by content key.
            let found = scan(file, 0).at(&self.path)?;
            let mut by_key: BTreeMap<u64, Vec<(u32, Loc)>> = BTreeMap::new();
            for e in index.entries.values() {
                if let Some(l) = Loc::parse(&e.loc) {
                    by_key.entry(l.key).or_default().push((e.uid, l));
                }
            }
            let mut kept = std::collections::BTreeSet::new();
            let mut uid = index.uid_next;
            for s in found {
                let matched = by_key
                    .get_mut(&s.loc.key)
                    .and_then(|v| (!v.is_empty()).then(|| v.remove(0)));
                match matched.and_then(|(u, l)| index.entries.get(&u).map(|e| (e, l))) {
                    Some((e, l)) => {
                        kept.insert(e.uid);
                        let loc = Loc {
                            added: l.added,
                            ..s.loc
                        }
                        .format();
                        let size = s.size(l.added);
                        if size != e.size {
                            // The other program changed the headers (mutt adds `Status:`,
                            // `Content-Length:`, `Lines:`), or the index predates CRLF sizes:
                            // same UID, new size. An `A` record for a known UID replaces its
                            // entry.
                            records.push(Record::Add(Entry {
                                size,
                                loc,
                                ..e.clone()
                            }));
                        } else if loc != e.loc {
                            records.push(Record::Update {
                                uid: e.uid,
                                modseq: e.modseq,
                                loc,
                                flags: e.flags.clone(),
                            });
                        }
                    }
                    None => {
                        used_modseq = true;
                        records.push(Record::Add(Entry {
                            uid,
                            modseq,
                            size: s.size(false),
                            idate: s.idate,
                            loc: s.loc.format(),
                            flags: s.flags,
                        }));
                        uid += 1;
                    }
                }
            }
            for &u in index.entries.keys() {
                if !kept.contains(&u) {
                    used_modseq = true;
                    records.push(Record::Expunge { uid: u, modseq });
                }
            }
        }
        if used_modseq {
            index.highest_modseq = modseq;
        }
        records.push(Record::Stamp(stamp_of(file, &self.path)?));
        log.append(index, records, false)?;
        if used_modseq {
            self.notify.notify_waiters();
        }
        Ok(())
    }

    /// Runs `f` on the synced index.
    pub fn with_index<T>(&self, f: impl FnOnce(&Index) -> T) -> Result<T> {
        let mut guard = self.lock()?;
        let (_, _, index) = guard.parts();
        Ok(f(index))
    }

    /// Replaces the mbox by a copy without `ranges`: the copy is written beside it, locked,
    /// fsynced, renamed over it, and the directory fsynced; then `st` holds the new file (the
    /// old descriptor is closed, which releases this process's lock on the old inode).
    fn replace_without(&self, st: &mut St, ranges: &[Range<u64>]) -> Result<()> {
        let tmp = self.replacement_path();
        let old = st.file.metadata().at(&self.path)?;
        let new = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(true)
            .open(&tmp)
            .at(&tmp)?;
        lock_new(&new, &tmp)?;
        // Keep the mailbox's mode and (where allowed) its owner, as the file it replaces.
        let _ = new.set_permissions(old.permissions());
        let _ = std::os::unix::fs::fchown(&new, Some(old.uid()), Some(old.gid()));
        let len = copy_except(&st.file, old.len(), ranges, &new, &tmp)?;
        new.set_len(len).at(&tmp)?;
        new.sync_all().at(&tmp)?;
        std::fs::rename(&tmp, &self.path).at(&self.path)?;
        if let Some(dir) = self.path.parent() {
            sync_dir(dir)?;
        }
        st.ino = new.metadata().at(&self.path)?.ino();
        st.file = new;
        Ok(())
    }

    /// Opens message `uid` for streaming (un-quoted; see [`IN_MEMORY`]).
    pub fn open_reader(&self, uid: u32) -> Result<ChunkReader> {
        let mut guard = self.lock()?;
        let (file, _, index) = guard.parts();
        let loc = index
            .entries
            .get(&uid)
            .and_then(|e| Loc::parse(&e.loc))
            .ok_or_else(|| StoreError::NoSuchMessage {
                mailbox: self.name.clone(),
                uid,
            })?;
        let mut spill: Option<(File, PathBuf)> = None;
        if loc.raw > IN_MEMORY {
            std::fs::create_dir_all(&self.tmp_dir).at(&self.tmp_dir)?;
            let path = self.tmp_dir.join(crate::maildir::unique_base(0));
            let f = File::options()
                .read(true)
                .write(true)
                .create_new(true)
                .open(&path)
                .at(&path)?;
            // Unlinked at once: the descriptor keeps it alive until the stream is dropped.
            let _ = std::fs::remove_file(&path);
            spill = Some((f, path));
        }
        let mut quoter = Quoter::new(true);
        let mut mem = Vec::new();
        let mut buf = vec![0u8; CHUNK];
        let mut pos = loc.body;
        let end = loc.body + loc.raw - u64::from(loc.added);
        let mut out = Vec::with_capacity(CHUNK + 16);
        let mut emit = |out: &[u8], spill: &mut Option<(File, PathBuf)>| -> Result<()> {
            match spill {
                Some((f, p)) => f.write_all(out).at(p),
                None => {
                    mem.extend_from_slice(out);
                    Ok(())
                }
            }
        };
        while pos < end {
            let want = ((end - pos) as usize).min(CHUNK);
            let n = file.read_at(&mut buf[..want], pos).at(&self.path)?;
            if n == 0 {
                break;
            }
            out.clear();
            quoter.feed(&buf[..n], &mut out);
            emit(&out, &mut spill)?;
            pos += n as u64;
        }
        out.clear();
        quoter.finish(&mut out);
        emit(&out, &mut spill)?;
        drop(guard);
        match spill {
            None => {
                let mut rest = Bytes::from(mem);
                Ok(Box::new(move || {
                    let chunk = rest.split_to(rest.len().min(CHUNK));
                    Ok((!chunk.is_empty()).then_some(chunk))
                }))
            }
            Some((mut f, path)) => {
                f.seek(SeekFrom::Start(0)).at(&path)?;
                Ok(Box::new(move || {
                    let mut b = vec![0u8; CHUNK];
                    let n = f.read(&mut b)?;
                    b.truncate(n);
                    Ok((n > 0).then(|| Bytes::from(b)))
                }))
            }
        }
    }

    /// STORE (flags live in the index only).
    pub fn store_flags(
        &self,
        uids: &UidSet,
        op: FlagOp,
        given: &Flags,
        unchanged_since: Option<u64>,
    ) -> Result<StoreOutcome> {
        let mut guard = self.lock()?;
        let (_, log, index) = guard.parts();
        let mut outcome = StoreOutcome::default();
        let modseq = index.highest_modseq + 1;
        let mut records = Vec::new();
        for e in index.select(uids) {
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
            records.push(Record::Update {
                uid: e.uid,
                modseq,
                loc: e.loc.clone(),
                flags: flags.clone(),
            });
            outcome.updated.push(FlagUpdate {
                uid: e.uid,
                flags,
                modseq,
            });
        }
        let changed = !records.is_empty();
        log.append(index, records, false)?;
        drop(guard);
        if changed {
            self.notify.notify_waiters();
        }
        Ok(outcome)
    }

    /// Removes the messages for which `pick` is true: a new file without them replaces the mbox
    /// (see [`Mbox::replace_without`]), then the index records follow (fsynced).
    pub fn expunge_where(&self, pick: impl Fn(&Entry) -> bool) -> Result<Vec<u32>> {
        let mut guard = self.lock()?;
        let (file, _, index) = guard.parts();
        let len = file.metadata().at(&self.path)?.len();
        let mut sorted: Vec<(Loc, &Entry)> = index
            .entries
            .values()
            .filter_map(|e| Loc::parse(&e.loc).map(|l| (l, e)))
            .collect();
        sorted.sort_by_key(|(l, _)| l.from);
        let mut ranges = Vec::new();
        let mut victims = Vec::new();
        for (i, (l, e)) in sorted.iter().enumerate() {
            if pick(e) {
                let end = sorted.get(i + 1).map_or(len, |(n, _)| n.from);
                ranges.push(l.from..end);
                victims.push(e.uid);
            }
        }
        if victims.is_empty() {
            return Ok(victims);
        }
        let mut records: Vec<Record> = sorted
            .iter()
            .filter(|(l, e)| !victims.contains(&e.uid) && removed_before(&ranges, l.from) > 0)
            .map(|(l, e)| Record::Update {
                uid: e.uid,
                modseq: e.modseq,
                loc: l.shifted(removed_before(&ranges, l.from)).format(),
                flags: e.flags.clone(),
            })
            .collect();
        let modseq = index.highest_modseq + 1;
        // An emptied journal must stay empty: its offsets would name other messages afterwards.
        self.journal.clear(true)?;
        self.replace_without(guard.st(), &ranges)?;
        let (file, log, index) = guard.parts();
        victims.sort_unstable();
        records.extend(victims.iter().map(|&uid| Record::Expunge { uid, modseq }));
        records.push(Record::Stamp(stamp_of(file, &self.path)?));
        log.append(index, records, true)?;
        drop(guard);
        self.notify.notify_waiters();
        Ok(victims)
    }
}
