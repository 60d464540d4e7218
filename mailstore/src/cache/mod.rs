//! The per-mailbox cache of derived data ([`Account::cached`](crate::Account::cached),
//! [`Account::put_cached`](crate::Account::put_cached)): one file per mailbox, next to its
//! index (`mailstore-cache` in a Maildir folder, `<name>.cache` in an mbox store's side
//! directory), opaque blobs keyed by UID.
//!
//! File layout (integers little-endian):
//! ```text
//! header   "MSCACHE1" <uidvalidity u32> <file id u64> <crc32 of the 20 octets before> 24 octets
//! record   <uid u32> <len u32> <key u64> <crc32 u32> <len octets of data>        20 + len
//! ```
//! `key` is what the backend says identifies the message's content (its `RFC822.SIZE`): an
//! entry whose key no longer matches (an mbox message another program rewrote) is not returned.
//! The CRC covers the record's first 16 octets and its data, so a reader never takes a partial
//! or damaged record for a good one.
//!
//! - Writers append a whole batch of records in one `write` on an `O_APPEND` descriptor, so
//!   writers in several processes never interleave; a later record of a UID replaces an earlier
//!   one. The file is created whole (header written to a temporary file, then `link`ed into
//!   place, which fails if another process was first).
//! - Each [`CacheFile`] keeps a UID → offset map, loaded on first use and brought up to date at
//!   every call, which opens the file (no descriptor is kept between calls: an account may
//!   touch many mailboxes) and reads its header: the same file id and a longer file → the new
//!   tail is parsed; another id (a compaction by another process, a deleted and re-created
//!   mailbox; each file gets a random id when written, so a reused inode number cannot fool
//!   it) → the file is read again. Reads gather the wanted records by offset and read
//!   neighbouring ones with one `pread`.
//! - A tail too short for the record it starts is a write in progress (or a torn write of a
//!   writer that died): it is left for the next call; one that is still there after
//!   [`TORN_AFTER`] is cut by the next writer's compaction. A record whose CRC fails, or a
//!   header that is not ours, ends what is read: the next writer rebuilds the file from the good
//!   records (a warning is logged). Nothing here ever fails the caller's operation: it is a
//!   cache, and losing it loses only time. Nothing is fsynced either.
//! - Compaction (the live records copied into a temporary file renamed over the old one) runs
//!   when superseded records and records of expunged messages make up more than half the file;
//!   expunged messages are looked for each time the file has doubled since the last look. A
//!   record another process appends to the old file during a compaction is lost (time only).
//! - A temporary file of a compaction whose writer died is removed by a later compaction once
//!   it is an hour old.
//! - A file written for another UIDVALIDITY (the index was lost and UIDs given out again) is
//!   ignored by readers and replaced by the next writer.

use std::collections::{BTreeMap, HashMap};
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use bytes::{Bytes, BytesMut};

mod format;
#[cfg(test)]
mod tests;

use format::{Parsed, encode_record, header_bytes, new_file_id, parse_header, parse_record};

const MAGIC: &[u8; 8] = b"MSCACHE1";
const HEADER: u64 = 24;
const RECORD_HEADER: usize = 20;
/// The largest blob kept; larger ones are not cached (derived data is a few KB).
pub(crate) const MAX_ENTRY: usize = 1 << 20;
/// How much is read at once when parsing and gathering records.
const READ_CHUNK: usize = 1 << 20;
/// Neighbouring records closer than this are fetched with one read.
const GAP: u64 = 16 * 1024;
/// An incomplete tail this old is a torn write of a writer that died, not a write in progress.
pub(crate) const TORN_AFTER: Duration = Duration::from_secs(2);

/// Where one entry's data lies in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Slot {
    /// Offset of the data (after the record header).
    offset: u64,
    len: u32,
    key: u64,
}

impl Slot {
    fn record_len(self) -> u64 {
        RECORD_HEADER as u64 + u64::from(self.len)
    }
}

/// What is known of a cache file, kept between calls (without a descriptor: an account may
/// touch many mailboxes).
struct Known {
    /// The file id in its header: the same id is the same file.
    id: u64,
    uid_validity: u32,
    /// Everything before this offset has been parsed.
    end: u64,
    /// A damaged record starts at `end`: nothing after it is read.
    corrupt: bool,
    map: BTreeMap<u32, Slot>,
    /// Octets of records replaced by a later record of the same UID.
    dead: u64,
    /// File length when records of expunged messages were last looked for.
    checked_len: u64,
}

impl Known {
    fn new(id: u64, uid_validity: u32, corrupt: bool) -> Known {
        Known {
            id,
            uid_validity,
            end: HEADER,
            corrupt,
            map: BTreeMap::new(),
            dead: 0,
            checked_len: HEADER,
        }
    }
}

/// The file opened for one call, with what is known of it.
struct Loaded {
    file: File,
    known: Known,
}

impl std::ops::Deref for Loaded {
    type Target = Known;
    fn deref(&self) -> &Known {
        &self.known
    }
}

impl std::ops::DerefMut for Loaded {
    fn deref_mut(&mut self) -> &mut Known {
        &mut self.known
    }
}

/// Counters of one cache file, for tests.
#[cfg(test)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct CacheStats {
    /// Entries known (one per UID, the newest).
    pub entries: usize,
    /// Length of the file.
    pub file_len: u64,
    /// Octets of replaced records not yet compacted away.
    pub dead: u64,
}

/// The cache file of one mailbox, as one account instance sees it.
pub(crate) struct CacheFile {
    path: PathBuf,
    state: Mutex<Option<Known>>,
}

fn warn(path: &Path, what: &str, err: impl std::fmt::Display) {
    tracing::warn!(path = %path.display(), "mailstore cache: {what}: {err}");
}

impl CacheFile {
    pub fn new(path: PathBuf) -> CacheFile {
        CacheFile {
            path,
            state: Mutex::new(None),
        }
    }

    /// The entries of `wanted` (UID, key; ascending UIDs) that have one with the same key, in
    /// the same order. Never fails: problems are logged and what could be read is returned.
    pub fn get(&self, uid_validity: u32, wanted: &[(u32, u64)]) -> Vec<(u32, Bytes)> {
        let mut parked = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let mut guard = None;
        if let Err(e) = self.open(&mut guard, parked.take()) {
            warn(&self.path, "reading", e);
            return Vec::new();
        }
        let Some(st) = guard.as_ref() else {
            return Vec::new();
        };
        let out = Self::read_entries(&self.path, st, uid_validity, wanted);
        *parked = guard.map(|l| l.known);
        out
    }

    fn read_entries(
        path: &Path,
        st: &Loaded,
        uid_validity: u32,
        wanted: &[(u32, u64)],
    ) -> Vec<(u32, Bytes)> {
        if st.uid_validity != uid_validity {
            return Vec::new();
        }
        let mut hits: Vec<(usize, u32, Slot)> = Vec::new();
        for &(uid, key) in wanted {
            if let Some(slot) = st.map.get(&uid)
                && slot.key == key
            {
                hits.push((hits.len(), uid, *slot));
            }
        }
        match read_slots(&st.file, &mut hits) {
            Ok(mut out) => {
                out.sort_by_key(|(pos, _, _)| *pos);
                out.into_iter().map(|(_, uid, b)| (uid, b)).collect()
            }
            Err(e) => {
                warn(path, "reading entries", e);
                Vec::new()
            }
        }
    }

    /// Appends `entries` (UID, key, data); `live` gives every message of the mailbox (UID →
    /// key) and is called only when records of expunged messages are looked for. Never fails:
    /// problems are logged.
    pub fn put(
        &self,
        uid_validity: u32,
        entries: &[(u32, u64, Bytes)],
        live: &dyn Fn() -> Option<HashMap<u32, u64>>,
    ) {
        let mut parked = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let mut guard = None;
        let known = parked.take();
        match self.put_locked(&mut guard, known, uid_validity, entries, live) {
            Ok(()) => *parked = guard.map(|l| l.known),
            Err(e) => warn(&self.path, "writing", e),
        }
    }

    /// Counters (after bringing the map up to date).
    #[cfg(test)]
    pub fn stats(&self) -> CacheStats {
        let mut parked = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let mut guard = None;
        if self.open(&mut guard, parked.take()).is_err() {
            return CacheStats::default();
        }
        let stats = guard
            .as_ref()
            .map_or(CacheStats::default(), |st| CacheStats {
                entries: st.map.len(),
                file_len: st.file.metadata().map(|m| m.len()).unwrap_or(0),
                dead: st.dead,
            });
        *parked = guard.map(|l| l.known);
        stats
    }

    fn put_locked(
        &self,
        guard: &mut Option<Loaded>,
        known: Option<Known>,
        uid_validity: u32,
        entries: &[(u32, u64, Bytes)],
        live: &dyn Fn() -> Option<HashMap<u32, u64>>,
    ) -> std::io::Result<()> {
        self.open(guard, known)?;
        if guard.is_none() {
            // No file yet: create it whole (another process may be first; its file is kept).
            create(&self.path, uid_validity)?;
            self.refresh(guard)?;
        }
        let usable = guard
            .as_ref()
            .is_some_and(|st| st.uid_validity == uid_validity && !st.corrupt);
        if !usable {
            // Missing, for another UIDVALIDITY, or damaged: start over with the good records.
            let keep = guard
                .as_ref()
                .filter(|st| st.uid_validity == uid_validity)
                .map(|st| st.map.clone())
                .unwrap_or_default();
            if guard.as_ref().is_some_and(|st| st.corrupt) {
                warn(
                    &self.path,
                    "damaged record",
                    "rebuilding from the good ones",
                );
            }
            self.rewrite(guard, uid_validity, &keep)?;
        } else if self.torn_tail(guard)? {
            warn(&self.path, "torn tail", "cutting it");
            let keep = guard.as_ref().map(|st| st.map.clone()).unwrap_or_default();
            self.rewrite(guard, uid_validity, &keep)?;
        }
        let Some(st) = guard.as_mut() else {
            return Ok(());
        };
        let mut buf = Vec::with_capacity(
            entries
                .iter()
                .map(|(_, _, d)| RECORD_HEADER + d.len())
                .sum(),
        );
        let mut appended = Vec::with_capacity(entries.len());
        for (uid, key, data) in entries {
            if *uid == 0 || data.len() > MAX_ENTRY {
                continue;
            }
            appended.push((*uid, *key, buf.len() as u64, data.len() as u32));
            encode_record(&mut buf, *uid, *key, data);
        }
        if buf.is_empty() {
            return Ok(());
        }
        let before = st.file.metadata()?.len();
        // One write on an O_APPEND descriptor: never interleaved with another writer's batch.
        (&st.file).write_all(&buf)?;
        let after = st.file.metadata()?.len();
        if before == st.end && after == before + buf.len() as u64 {
            // Nobody else wrote meanwhile: our records are at `before`.
            for (uid, key, at, len) in appended {
                let slot = Slot {
                    offset: before + at + RECORD_HEADER as u64,
                    len,
                    key,
                };
                if let Some(old) = st.map.insert(uid, slot) {
                    st.dead += old.record_len();
                }
            }
            st.end = after;
        } else {
            self.refresh(guard)?;
        }
        self.maybe_compact(guard, live)
    }

    /// Whether the file ends in an incomplete record older than [`TORN_AFTER`].
    fn torn_tail(&self, guard: &mut Option<Loaded>) -> std::io::Result<bool> {
        let Some(st) = guard.as_ref() else {
            return Ok(false);
        };
        let meta = st.file.metadata()?;
        if meta.len() <= st.end {
            return Ok(false);
        }
        let age = meta
            .modified()
            .ok()
            .and_then(|m| SystemTime::now().duration_since(m).ok())
            .unwrap_or_default();
        Ok(age >= TORN_AFTER)
    }

    fn maybe_compact(
        &self,
        guard: &mut Option<Loaded>,
        live: &dyn Fn() -> Option<HashMap<u32, u64>>,
    ) -> std::io::Result<()> {
        let Some(st) = guard.as_mut() else {
            return Ok(());
        };
        let len = st.end;
        let payload = len - HEADER;
        let mut keep_only = None;
        if st.dead * 2 > payload || len >= st.checked_len.saturating_mul(2).max(64 * 1024) {
            let Some(live) = live() else {
                return Ok(());
            };
            let stale: u64 = st
                .map
                .iter()
                .filter(|(uid, slot)| live.get(uid) != Some(&slot.key))
                .map(|(_, slot)| slot.record_len())
                .sum();
            st.checked_len = len;
            if (st.dead + stale) * 2 > payload {
                keep_only = Some(live);
            }
        }
        if let Some(live) = keep_only {
            let keep: BTreeMap<u32, Slot> = st
                .map
                .iter()
                .filter(|(uid, slot)| live.get(uid) == Some(&slot.key))
                .map(|(u, s)| (*u, *s))
                .collect();
            let uid_validity = st.uid_validity;
            self.rewrite(guard, uid_validity, &keep)?;
        }
        Ok(())
    }

    /// Replaces the file by one holding `keep` (read from the current file), for
    /// `uid_validity`; `guard` then holds the new file.
    fn rewrite(
        &self,
        guard: &mut Option<Loaded>,
        uid_validity: u32,
        keep: &BTreeMap<u32, Slot>,
    ) -> std::io::Result<()> {
        self.remove_stale_temps();
        let tmp = self.temp_path();
        let result = (|| {
            let out = OpenOptions::new().write(true).create_new(true).open(&tmp)?;
            let mut w = std::io::BufWriter::with_capacity(READ_CHUNK, &out);
            // A new id: readers holding a map of the old file see that this is another one.
            let id = new_file_id();
            w.write_all(&header_bytes(uid_validity, id))?;
            let mut map = BTreeMap::new();
            let mut at = HEADER;
            if let Some(st) = guard.as_ref()
                && !keep.is_empty()
            {
                // Copy in file order (sequential reads), each record with its header again.
                let mut hits: Vec<(usize, u32, Slot)> =
                    keep.iter().map(|(u, s)| (0, *u, *s)).collect();
                for (_, uid, data) in read_slots(&st.file, &mut hits)? {
                    let mut rec = Vec::with_capacity(RECORD_HEADER + data.len());
                    let slot = keep[&uid];
                    encode_record(&mut rec, uid, slot.key, &data);
                    w.write_all(&rec)?;
                    map.insert(
                        uid,
                        Slot {
                            offset: at + RECORD_HEADER as u64,
                            ..slot
                        },
                    );
                    at += rec.len() as u64;
                }
            }
            w.flush()?;
            drop(w);
            drop(out);
            std::fs::rename(&tmp, &self.path)?;
            let known = Known {
                end: at,
                map,
                checked_len: at,
                ..Known::new(id, uid_validity, false)
            };
            // The file at the path again: ours with what someone appended since (its id
            // matches), or the file of another writer's compaction right after ours.
            self.open(guard, Some(known))
        })();
        if result.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        result
    }

    /// Removes temporary files of this cache that a writer which died left over an hour ago.
    fn remove_stale_temps(&self) {
        let (Some(dir), Some(name)) = (self.path.parent(), self.path.file_name()) else {
            return;
        };
        let mut prefix = name.to_os_string();
        prefix.push(".tmp.");
        let prefix = prefix.as_encoded_bytes().to_vec();
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries.flatten() {
            let stale = e.file_name().as_encoded_bytes().starts_with(&prefix)
                && e.metadata()
                    .and_then(|m| m.modified())
                    .ok()
                    .and_then(|t| SystemTime::now().duration_since(t).ok())
                    .is_some_and(|age| age > Duration::from_secs(3600));
            if stale {
                let _ = std::fs::remove_file(e.path());
            }
        }
    }

    fn temp_path(&self) -> PathBuf {
        let mut name = self.path.clone().into_os_string();
        name.push(format!(".tmp.{}", crate::maildir::unique_base(0)));
        PathBuf::from(name)
    }

    /// Opens the file at the path into `guard` (`None` when there is none) and brings what is
    /// known of it up to date: `known` is kept if the file has the same id (and is no shorter),
    /// and its new tail parsed.
    fn open(&self, guard: &mut Option<Loaded>, known: Option<Known>) -> std::io::Result<()> {
        *guard = None;
        let (file, meta) = match open_append(&self.path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(e),
        };
        let mut head = [0u8; HEADER as usize];
        let header = match file.read_exact_at(&mut head, 0) {
            Ok(()) => parse_header(&head),
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => None,
            Err(e) => return Err(e),
        };
        let known = match (header, known) {
            // A bad header: nothing in the file is read; the next writer replaces it.
            (None, _) => Known::new(0, 0, true),
            (Some((_, id)), Some(k)) if k.id == id && meta.len() >= k.end => k,
            (Some((uid_validity, id)), _) => Known::new(id, uid_validity, false),
        };
        let mut st = Loaded { file, known };
        if !st.corrupt && meta.len() > st.end {
            parse_tail(&mut st, meta.len())?;
        }
        *guard = Some(st);
        Ok(())
    }

    /// [`CacheFile::open`] again (another writer may have appended or replaced the file).
    fn refresh(&self, guard: &mut Option<Loaded>) -> std::io::Result<()> {
        let known = guard.take().map(|l| l.known);
        self.open(guard, known)
    }
}

/// Opens `path` for reading and appending (no creation).
fn open_append(path: &Path) -> std::io::Result<(File, std::fs::Metadata)> {
    let file = OpenOptions::new().read(true).append(true).open(path)?;
    let meta = file.metadata()?;
    Ok((file, meta))
}

/// Parses the records between `st.end` and `len`.
fn parse_tail(st: &mut Loaded, len: u64) -> std::io::Result<()> {
    let mut buf = vec![0u8; 0];
    while st.end < len && !st.corrupt {
        let want = ((len - st.end) as usize).min(READ_CHUNK + RECORD_HEADER + MAX_ENTRY);
        buf.resize(want, 0);
        let n = read_at_most(&st.file, &mut buf, st.end)?;
        buf.truncate(n);
        let mut pos = 0usize;
        loop {
            match parse_record(&buf[pos..]) {
                Parsed::Record { uid, key, len } => {
                    let slot = Slot {
                        offset: st.end + (pos + RECORD_HEADER) as u64,
                        len,
                        key,
                    };
                    if let Some(old) = st.map.insert(uid, slot) {
                        st.dead += old.record_len();
                    }
                    pos += RECORD_HEADER + len as usize;
                }
                Parsed::Incomplete => break,
                Parsed::Corrupt => {
                    st.corrupt = true;
                    break;
                }
            }
        }
        st.end += pos as u64;
        if pos == 0 {
            // An incomplete record at the end: a write in progress, or torn.
            break;
        }
    }
    Ok(())
}

/// Reads into `buf` from `offset` until it is full or the file ends; returns the count.
fn read_at_most(file: &File, buf: &mut [u8], offset: u64) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match file.read_at(&mut buf[n..], offset + n as u64) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

/// Reads the data of `hits` (position, UID, slot), neighbours together; returns them in file
/// order.
fn read_slots(
    file: &File,
    hits: &mut [(usize, u32, Slot)],
) -> std::io::Result<Vec<(usize, u32, Bytes)>> {
    hits.sort_by_key(|(_, _, s)| s.offset);
    let mut out = Vec::with_capacity(hits.len());
    let mut i = 0;
    while i < hits.len() {
        let start = hits[i].2.offset;
        let mut end = start + u64::from(hits[i].2.len);
        let mut j = i + 1;
        while j < hits.len() {
            let s = hits[j].2;
            let e = s.offset + u64::from(s.len);
            if s.offset > end + GAP || e - start > READ_CHUNK as u64 {
                break;
            }
            end = end.max(e);
            j += 1;
        }
        let mut buf = BytesMut::zeroed((end - start) as usize);
        file.read_exact_at(&mut buf, start)?;
        let buf = buf.freeze();
        for &(pos, uid, s) in &hits[i..j] {
            let from = (s.offset - start) as usize;
            out.push((pos, uid, buf.slice(from..from + s.len as usize)));
        }
        i = j;
    }
    Ok(out)
}

/// Creates the cache file for `uid_validity` if there is none (whole, never half-written).
pub(crate) fn create(path: &Path, uid_validity: u32) -> std::io::Result<()> {
    if path.exists() {
        return Ok(());
    }
    let mut tmp = path.to_path_buf().into_os_string();
    tmp.push(format!(".tmp.{}", crate::maildir::unique_base(0)));
    let tmp = PathBuf::from(tmp);
    std::fs::write(&tmp, header_bytes(uid_validity, new_file_id()))?;
    let r = match std::fs::hard_link(&tmp, path) {
        Err(e) if e.kind() != std::io::ErrorKind::AlreadyExists => Err(e),
        _ => Ok(()),
    };
    let _ = std::fs::remove_file(&tmp);
    r
}

/// The cache files of one account instance, by path.
#[derive(Default)]
pub(crate) struct Caches {
    files: Mutex<HashMap<PathBuf, Arc<CacheFile>>>,
}

impl Caches {
    /// The cache file at `path` (loaded lazily on first use).
    pub fn at(&self, path: PathBuf) -> Arc<CacheFile> {
        self.files
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry(path.clone())
            .or_insert_with(|| Arc::new(CacheFile::new(path)))
            .clone()
    }
}
