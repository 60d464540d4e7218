//! One mbox file: its single descriptor in this process, its locks, its side index (UIDs,
//! flags, MODSEQs and where each message lies), and the operations on its messages.
//!
//! An entry's location is `from:body:raw:added:key`: offset of the `From ` line, offset of the
//! body, length of the stored (quoted) body without the blank separator line, whether a final
//! line feed was added on append, and a content key (FNV-1a of the body without the headers
//! other programs rewrite) that finds the message again after another program rewrote the file.
//!
//! The index's stamp is the file's size and mtime after this crate's last change; a different
//! size or mtime means another writer was there: appended messages (scanned from the old end)
//! or a rewrite (the whole file scanned and matched by content key). A message at the end that
//! carries this crate's separator sender but is not in the index is the remains of an append
//! that crashed before it was acknowledged, and is cut out.

use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::ops::Range;
use std::os::unix::fs::{FileExt, MetadataExt};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::SystemTime;

use bytes::Bytes;

use super::format::{Quoter, from_line};
use super::lock::{lock, open_rw, unlock};
use super::scan::{Loc, remove_ranges, removed_before, scan};
use crate::blocking::ChunkReader;
use crate::error::{IoContext, Result, StoreError};
use crate::index::{Entry, Index, IndexLog, Record, apply_flag_op, epoch_secs};
use crate::types::{AppendOptions, FlagOp, FlagUpdate, Flags, StoreOutcome, UidSet};

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
    tmp_dir: PathBuf,
    name: String,
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
}

fn stamp_of(file: &File, path: &Path) -> Result<String> {
    let m = file.metadata().at(path)?;
    let mtime = m
        .modified()
        .ok()
        .and_then(|t| t.duration_since(SystemTime::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos());
    Ok(format!("{},{}", m.len(), mtime))
}

impl Mbox {
    /// The mbox at `path` with its index at `index_path`, named `name` in errors.
    pub fn new(path: PathBuf, index_path: PathBuf, tmp_dir: PathBuf, name: String) -> Mbox {
        Mbox {
            path,
            queue: Mutex::new(Vec::new()),
            commit: Mutex::new(()),
            index_path,
            tmp_dir,
            name,
            state: Mutex::new(None),
            notify: Arc::new(tokio::sync::Notify::new()),
        }
    }

    /// Takes the in-process mutex, the dot-lock and the `fcntl` lock, loads or refreshes the
    /// index and brings it in line with the file.
    pub fn lock(&self) -> Result<Guard<'_>> {
        let mut st = self.state.lock().unwrap_or_else(|p| p.into_inner());
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
            }
            let Some(s) = st.as_mut() else { continue };
            let dotlock = lock(&self.path, &s.file)?;
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
            let mut guard = Guard { st, dotlock };
            self.sync(&mut guard)?;
            return Ok(guard);
        }
    }

    /// Finds what other writers (or a crashed append) did since the index's stamp.
    fn sync(&self, guard: &mut Guard<'_>) -> Result<()> {
        let (file, log, index) = guard.parts();
        let stamp = stamp_of(file, &self.path)?;
        if stamp == index.stamp {
            return Ok(());
        }
        let old_len: Option<u64> = index.stamp.split(',').next().and_then(|s| s.parse().ok());
        let len = file.metadata().at(&self.path)?.len();
        let mut head = [0u8; 5];
        let tail_only = match old_len {
            Some(0) => true,
            Some(l) if l < len => file.read_exact_at(&mut head, l).is_ok() && &head == b"From ",
            _ => false,
        };
        let mut records = Vec::new();
        let modseq = index.highest_modseq + 1;
        let mut used_modseq = false;
        if tail_only {
            let start = old_len.unwrap_or(0);
            let mut found = scan(file, start).at(&self.path)?;
            let crashed: Vec<Range<u64>> = found
                .iter()
                .enumerate()
                .filter(|(_, s)| s.ours)
                .map(|(i, s)| s.loc.from..found.get(i + 1).map_or(len, |n| n.loc.from))
                .collect();
            if !crashed.is_empty() {
                remove_ranges(file, &crashed, &self.path)?;
                found = scan(file, start).at(&self.path)?;
            }
            for (uid, s) in (index.uid_next..).zip(found) {
                used_modseq = true;
                records.push(Record::Add(Entry {
                    uid,
                    modseq,
                    size: s.size,
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
                        let size = s.size.saturating_sub(u64::from(l.added));
                        if size != e.size {
                            // The other program changed the headers (mutt adds `Status:`,
                            // `Content-Length:`, `Lines:`): same UID, new size. An `A` record
                            // for a known UID replaces its entry.
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
                            size: s.size,
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

    /// Appends a spooled message: separator line, quoted body, blank line; fsync; then the
    /// index record (fsynced); only then is the UID returned. Appends queued meanwhile by other
    /// threads of this process are written under the same lock with one data fsync and one
    /// index fsync (group commit).
    pub fn append(&self, spool: &Path, opts: &AppendOptions, size: u64) -> Result<u32> {
        let slot = Arc::new(Mutex::new(None));
        self.queue
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(Pending {
                spool: spool.to_path_buf(),
                size,
                flags: opts.flags.clone(),
                idate: epoch_secs(opts.internal_date.unwrap_or_else(SystemTime::now)),
                slot: slot.clone(),
            });
        let _commit = self.commit.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(done) = slot.lock().unwrap_or_else(|p| p.into_inner()).take() {
            return done;
        }
        let batch = std::mem::take(&mut *self.queue.lock().unwrap_or_else(|p| p.into_inner()));
        let results = self.commit_batch(&batch);
        for (p, r) in batch.iter().zip(results) {
            *p.slot.lock().unwrap_or_else(|e| e.into_inner()) = Some(r);
        }
        self.notify.notify_waiters();
        let mine = slot.lock().unwrap_or_else(|p| p.into_inner()).take();
        mine.unwrap_or_else(|| {
            Err(StoreError::io(
                &self.path,
                std::io::Error::other("lost append"),
            ))
        })
    }

    /// Writes one message at `start` (no fsync); returns whether a final line feed was added
    /// and where the message ends.
    fn write_one(&self, file: &File, p: &Pending, start: u64) -> Result<(bool, u64)> {
        let mut src = File::open(&p.spool).at(&p.spool)?;
        let head = from_line(p.idate);
        let mut pos = start;
        file.write_all_at(head.as_bytes(), pos).at(&self.path)?;
        pos += head.len() as u64;
        let mut quoter = Quoter::new(false);
        let mut last = b'\n';
        let mut buf = vec![0u8; CHUNK];
        let mut out = Vec::with_capacity(CHUNK + 64);
        loop {
            let n = src.read(&mut buf).at(&p.spool)?;
            let Some(chunk) = buf.get(..n).filter(|c| !c.is_empty()) else {
                break;
            };
            last = chunk[n - 1];
            out.clear();
            quoter.feed(chunk, &mut out);
            file.write_all_at(&out, pos).at(&self.path)?;
            pos += out.len() as u64;
        }
        out.clear();
        quoter.finish(&mut out);
        let added = last != b'\n';
        if added {
            out.push(b'\n');
        }
        out.push(b'\n');
        file.write_all_at(&out, pos).at(&self.path)?;
        Ok((added, pos + out.len() as u64))
    }

    fn commit_batch(&self, batch: &[Pending]) -> Vec<Result<u32>> {
        let copy =
            |e: &StoreError| StoreError::io(&self.path, std::io::Error::other(e.to_string()));
        let mut guard = match self.lock() {
            Ok(g) => g,
            Err(e) => return batch.iter().map(|_| Err(copy(&e))).collect(),
        };
        let (file, log, index) = guard.parts();
        let first = match file.metadata().at(&self.path) {
            Ok(m) => m.len(),
            Err(e) => return batch.iter().map(|_| Err(copy(&e))).collect(),
        };
        let mut pos = first;
        let mut written: Vec<Result<(u64, bool)>> = Vec::with_capacity(batch.len());
        for p in batch {
            match self.write_one(file, p, pos) {
                Ok((added, end)) => {
                    written.push(Ok((pos, added)));
                    pos = end;
                }
                Err(e) => {
                    let _ = file.set_len(pos);
                    written.push(Err(e));
                }
            }
        }
        // Read back what was written: locations and content keys come from the same scan that
        // will find the messages again after another program rewrites the file.
        let durable = file.sync_data().at(&self.path).and_then(|_| {
            let found = scan(file, first).at(&self.path)?;
            let ok: Vec<(u64, bool, u64)> = written
                .iter()
                .zip(batch)
                .filter_map(|(w, p)| w.as_ref().ok().map(|(s, a)| (*s, *a, p.size)))
                .collect();
            let matches = found.len() == ok.len()
                && found.iter().zip(&ok).all(|(f, (start, added, size))| {
                    f.loc.from == *start && f.size - u64::from(*added) == *size
                });
            if !matches {
                return Err(StoreError::Corrupt {
                    what: "mbox",
                    path: self.path.clone(),
                    detail: format!("messages appended at byte {first} do not read back"),
                });
            }
            Ok(found)
        });
        let found = match durable {
            Ok(f) => f,
            Err(e) => {
                let _ = file.set_len(first);
                return batch.iter().map(|_| Err(copy(&e))).collect();
            }
        };
        let modseq = index.highest_modseq + 1;
        let mut uid = index.uid_next;
        let mut records = Vec::new();
        let mut results = Vec::with_capacity(batch.len());
        let mut found = found.into_iter();
        for (w, p) in written.into_iter().zip(batch) {
            let _ = std::fs::remove_file(&p.spool);
            let w = match w {
                Ok((_, added)) => {
                    found
                        .next()
                        .map(|f| (added, f))
                        .ok_or_else(|| StoreError::Corrupt {
                            what: "mbox",
                            path: self.path.clone(),
                            detail: "appended message missing on read-back".into(),
                        })
                }
                Err(e) => Err(e),
            };
            match w {
                Ok((added, f)) => {
                    records.push(Record::Add(Entry {
                        uid,
                        modseq,
                        size: p.size,
                        idate: p.idate,
                        loc: Loc { added, ..f.loc }.format(),
                        flags: p.flags.clone(),
                    }));
                    results.push(Ok(uid));
                    uid += 1;
                }
                Err(e) => results.push(Err(e)),
            }
        }
        let stamp = stamp_of(file, &self.path).map(Record::Stamp);
        let committed = stamp.and_then(|st| {
            records.push(st);
            log.append(index, records, true)
        });
        match committed {
            Ok(()) => results,
            // Not acknowledged: the next writer cuts these messages out (our separator sender).
            Err(e) => batch.iter().map(|_| Err(copy(&e))).collect(),
        }
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

    /// Removes the messages for which `pick` is true, rewriting the file in place.
    pub fn expunge_where(&self, pick: impl Fn(&Entry) -> bool) -> Result<Vec<u32>> {
        let mut guard = self.lock()?;
        let (file, log, index) = guard.parts();
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
        let moves: Vec<(u32, u64, String, Flags, Loc)> = sorted
            .iter()
            .filter(|(l, e)| !victims.contains(&e.uid) && removed_before(&ranges, l.from) > 0)
            .map(|(l, e)| (e.uid, e.modseq, e.loc.clone(), e.flags.clone(), *l))
            .collect();
        remove_ranges(file, &ranges, &self.path)?;
        let modseq = index.highest_modseq + 1;
        let mut records: Vec<Record> = moves
            .into_iter()
            .map(|(uid, m, _, flags, l)| Record::Update {
                uid,
                modseq: m,
                loc: l.shifted(removed_before(&ranges, l.from)).format(),
                flags,
            })
            .collect();
        victims.sort_unstable();
        records.extend(victims.iter().map(|&uid| Record::Expunge { uid, modseq }));
        records.push(Record::Stamp(stamp_of(file, &self.path)?));
        log.append(index, records, true)?;
        drop(guard);
        self.notify.notify_waiters();
        Ok(victims)
    }
}
