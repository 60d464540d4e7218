//! The per-mailbox cache of derived data ([`Account::cached`](crate::Account::cached),
//! [`Account::put_cached`](crate::Account::put_cached)): one file per mailbox, next to its
//! index (`mailstore-cache` in a Maildir folder, `<name>.cache` in an mbox store's side
//! directory), opaque blobs keyed by UID.
//!
//! File layout (integers little-endian):
//! ```text
//! header   "MSCACHE1" <uidvalidity u32> <crc32 of the 12 octets before u32>     16 octets
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
//!   every call from one `stat` of the path: a longer file has its new tail parsed; another
//!   inode (a compaction by another process, a deleted and re-created mailbox) is read again.
//!   Reads gather the wanted records by offset and read neighbouring ones with one `pread`.
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
//! - A file written for another UIDVALIDITY (the index was lost and UIDs given out again) is
//!   ignored by readers and replaced by the next writer.

use std::collections::{BTreeMap, HashMap};
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::{FileExt, MetadataExt};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use bytes::{Bytes, BytesMut};

const MAGIC: &[u8; 8] = b"MSCACHE1";
const HEADER: u64 = 16;
const RECORD_HEADER: usize = 20;
/// The largest blob kept; larger ones are not cached (derived data is a few KB).
pub(crate) const MAX_ENTRY: usize = 1 << 20;
/// How much is read at once when parsing and gathering records.
const READ_CHUNK: usize = 1 << 20;
/// Neighbouring records closer than this are fetched with one read.
const GAP: u64 = 16 * 1024;
/// An incomplete tail this old is a torn write of a writer that died, not a write in progress.
pub(crate) const TORN_AFTER: Duration = Duration::from_secs(2);

/// CRC-32 (IEEE 802.3, reflected), table-driven.
const CRC_TABLE: [u32; 256] = {
    let mut table = [0u32; 256];
    let mut i = 0;
    while i < 256 {
        let mut c = i as u32;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 != 0 {
                0xEDB8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
            k += 1;
        }
        table[i] = c;
        i += 1;
    }
    table
};

fn crc32_update(mut crc: u32, data: &[u8]) -> u32 {
    crc = !crc;
    for &b in data {
        crc = CRC_TABLE[((crc ^ u32::from(b)) & 0xff) as usize] ^ (crc >> 8);
    }
    !crc
}

fn header_bytes(uid_validity: u32) -> [u8; HEADER as usize] {
    let mut h = [0u8; HEADER as usize];
    h[..8].copy_from_slice(MAGIC);
    h[8..12].copy_from_slice(&uid_validity.to_le_bytes());
    let crc = crc32_update(0, &h[..12]);
    h[12..].copy_from_slice(&crc.to_le_bytes());
    h
}

/// Appends one record to `out`.
fn encode_record(out: &mut Vec<u8>, uid: u32, key: u64, data: &[u8]) {
    let mut head = [0u8; RECORD_HEADER];
    head[..4].copy_from_slice(&uid.to_le_bytes());
    head[4..8].copy_from_slice(&(data.len() as u32).to_le_bytes());
    head[8..16].copy_from_slice(&key.to_le_bytes());
    let crc = crc32_update(crc32_update(0, &head[..16]), data);
    head[16..].copy_from_slice(&crc.to_le_bytes());
    out.extend_from_slice(&head);
    out.extend_from_slice(data);
}

/// What a record header says, or why it cannot be one.
enum Parsed {
    /// A good record: UID, key, data length.
    Record { uid: u32, key: u64, len: u32 },
    /// More octets are needed: a write in progress, or a torn one.
    Incomplete,
    /// Not a record: damaged or foreign data.
    Corrupt,
}

fn parse_record(buf: &[u8]) -> Parsed {
    let Some(head) = buf.get(..RECORD_HEADER) else {
        return Parsed::Incomplete;
    };
    let word = |at: usize| u32::from_le_bytes([head[at], head[at + 1], head[at + 2], head[at + 3]]);
    let (uid, len) = (word(0), word(4));
    if uid == 0 || len as usize > MAX_ENTRY {
        return Parsed::Corrupt;
    }
    let mut key = [0u8; 8];
    key.copy_from_slice(&head[8..16]);
    let Some(data) = buf.get(RECORD_HEADER..RECORD_HEADER + len as usize) else {
        return Parsed::Incomplete;
    };
    if crc32_update(crc32_update(0, &head[..16]), data) != word(16) {
        return Parsed::Corrupt;
    }
    Parsed::Record {
        uid,
        key: u64::from_le_bytes(key),
        len,
    }
}

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

/// The open file and what is known of it.
struct Loaded {
    file: File,
    dev: u64,
    ino: u64,
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
    state: Mutex<Option<Loaded>>,
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
        let mut guard = self.state.lock().unwrap_or_else(|p| p.into_inner());
        if let Err(e) = self.refresh(&mut guard) {
            warn(&self.path, "reading", e);
            *guard = None;
            return Vec::new();
        }
        let Some(st) = guard.as_ref() else {
            return Vec::new();
        };
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
                warn(&self.path, "reading entries", e);
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
        let mut guard = self.state.lock().unwrap_or_else(|p| p.into_inner());
        if let Err(e) = self.put_locked(&mut guard, uid_validity, entries, live) {
            warn(&self.path, "writing", e);
            *guard = None;
        }
    }

    /// Counters (after bringing the map up to date).
    #[cfg(test)]
    pub fn stats(&self) -> CacheStats {
        let mut guard = self.state.lock().unwrap_or_else(|p| p.into_inner());
        if self.refresh(&mut guard).is_err() {
            return CacheStats::default();
        }
        guard
            .as_ref()
            .map_or(CacheStats::default(), |st| CacheStats {
                entries: st.map.len(),
                file_len: st.file.metadata().map(|m| m.len()).unwrap_or(0),
                dead: st.dead,
            })
    }

    fn put_locked(
        &self,
        guard: &mut Option<Loaded>,
        uid_validity: u32,
        entries: &[(u32, u64, Bytes)],
        live: &dyn Fn() -> Option<HashMap<u32, u64>>,
    ) -> std::io::Result<()> {
        self.refresh(guard)?;
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
        let tmp = self.temp_path();
        let result = (|| {
            let out = OpenOptions::new().write(true).create_new(true).open(&tmp)?;
            let mut w = std::io::BufWriter::with_capacity(READ_CHUNK, &out);
            w.write_all(&header_bytes(uid_validity))?;
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
            let (file, meta) = open_append(&self.path)?;
            *guard = Some(Loaded {
                file,
                dev: meta.dev(),
                ino: meta.ino(),
                uid_validity,
                end: at,
                corrupt: false,
                map,
                dead: 0,
                checked_len: at,
            });
            // Records someone appended to the new file already are parsed now.
            self.refresh(guard)
        })();
        if result.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        result
    }

    fn temp_path(&self) -> PathBuf {
        let mut name = self.path.clone().into_os_string();
        name.push(format!(".tmp.{}", crate::maildir::unique_base(0)));
        PathBuf::from(name)
    }

    /// Brings `guard` up to date with the file at the path (see the module comment); `None`
    /// when there is no file.
    fn refresh(&self, guard: &mut Option<Loaded>) -> std::io::Result<()> {
        let meta = match std::fs::metadata(&self.path) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                *guard = None;
                return Ok(());
            }
            Err(e) => return Err(e),
        };
        let same = guard
            .as_ref()
            .is_some_and(|st| st.dev == meta.dev() && st.ino == meta.ino() && meta.len() >= st.end);
        if !same {
            *guard = self.load()?;
        }
        if let Some(st) = guard.as_mut()
            && !st.corrupt
            && meta.len() > st.end
        {
            parse_tail(st, meta.len())?;
        }
        Ok(())
    }

    /// Opens the file and reads its header (nothing parsed yet).
    fn load(&self) -> std::io::Result<Option<Loaded>> {
        let (file, meta) = match open_append(&self.path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e),
        };
        let mut head = [0u8; HEADER as usize];
        let good = file.read_exact_at(&mut head, 0).is_ok()
            && &head[..8] == MAGIC
            && crc32_update(0, &head[..12]).to_le_bytes() == head[12..];
        let uid_validity = u32::from_le_bytes([head[8], head[9], head[10], head[11]]);
        Ok(Some(Loaded {
            file,
            dev: meta.dev(),
            ino: meta.ino(),
            // A bad header: nothing in the file is read; the next writer replaces it.
            uid_validity: if good { uid_validity } else { 0 },
            end: HEADER,
            corrupt: !good,
            map: BTreeMap::new(),
            dead: 0,
            checked_len: HEADER,
        }))
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
    std::fs::write(&tmp, header_bytes(uid_validity))?;
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

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(uids: std::ops::Range<u32>, round: u8) -> Vec<(u32, u64, Bytes)> {
        uids.map(|u| {
            let data = vec![round; 100 + (u as usize % 50)];
            (u, u64::from(u) * 10, Bytes::from(data))
        })
        .collect()
    }

    fn wanted(uids: std::ops::Range<u32>) -> Vec<(u32, u64)> {
        uids.map(|u| (u, u64::from(u) * 10)).collect()
    }

    fn all_live(n: u32) -> impl Fn() -> Option<HashMap<u32, u64>> {
        move || Some((1..=n).map(|u| (u, u64::from(u) * 10)).collect())
    }

    #[test]
    fn crc32_check_value() {
        // The standard check value of CRC-32/ISO-HDLC.
        assert_eq!(crc32_update(0, b"123456789"), 0xCBF4_3926);
        assert_eq!(
            crc32_update(crc32_update(0, b"1234"), b"56789"),
            0xCBF4_3926
        );
    }

    #[test]
    fn one_file_append_only_records() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c");
        let cache = CacheFile::new(path.clone());
        cache.put(7, &entries(1..4, 1), &all_live(10));
        let first = std::fs::read(&path).unwrap();
        // Header, then one record per entry in the order given.
        assert_eq!(&first[..16], &header_bytes(7));
        let mut at = 16;
        for (uid, key, data) in entries(1..4, 1) {
            let mut rec = Vec::new();
            encode_record(&mut rec, uid, key, &data);
            assert_eq!(&first[at..at + rec.len()], &rec[..], "record of {uid}");
            at += rec.len();
        }
        assert_eq!(at, first.len(), "nothing else in the file");
        // A second batch is appended: the old bytes stay as they were, same inode.
        let ino = std::fs::metadata(&path).unwrap().ino();
        cache.put(7, &entries(2..3, 2), &all_live(10));
        let second = std::fs::read(&path).unwrap();
        assert_eq!(&second[..first.len()], &first[..], "append only");
        assert_eq!(second.len(), first.len() + RECORD_HEADER + 102);
        assert_eq!(std::fs::metadata(&path).unwrap().ino(), ino);
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1, "one file, no temporaries left");
        let got = cache.get(7, &wanted(1..4));
        assert_eq!(got[1], (2, Bytes::from(vec![2u8; 102])), "replaced");
        assert_eq!(cache.stats().dead, (RECORD_HEADER + 102) as u64);
    }

    #[test]
    fn other_uidvalidity_is_ignored_then_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c");
        let cache = CacheFile::new(path.clone());
        cache.put(7, &entries(1..4, 1), &all_live(10));
        assert!(cache.get(8, &wanted(1..4)).is_empty(), "old UIDVALIDITY");
        cache.put(8, &entries(1..2, 3), &all_live(10));
        assert_eq!(cache.get(8, &wanted(1..4)).len(), 1);
        assert!(cache.get(7, &wanted(1..4)).is_empty());
        assert_eq!(&std::fs::read(&path).unwrap()[..16], &header_bytes(8));
    }

    #[test]
    fn corrupt_and_torn_tails() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c");
        let writer = CacheFile::new(path.clone());
        writer.put(1, &entries(1..5, 1), &all_live(10));
        let good_len = std::fs::metadata(&path).unwrap().len();

        // A write in progress (incomplete record): readers stop before it.
        let mut partial = Vec::new();
        encode_record(&mut partial, 9, 90, &[9u8; 300]);
        let mut f = OpenOptions::new().append(true).open(&path).unwrap();
        f.write_all(&partial[..150]).unwrap();
        let reader = CacheFile::new(path.clone());
        assert_eq!(reader.get(1, &wanted(1..10)).len(), 4);
        // ... and it completes: now it is read.
        f.write_all(&partial[150..]).unwrap();
        let got = reader.get(1, &wanted(1..10));
        assert_eq!(got.len(), 5);
        assert_eq!(got[4], (9, Bytes::from(vec![9u8; 300])));

        // Garbage after it: everything before is still returned, the garbage ignored.
        f.write_all(b"\x05\0\0\0\x10\0\0\0garbage-garbage-garbage-garbage-garbage!")
            .unwrap();
        let fresh = CacheFile::new(path.clone());
        assert_eq!(fresh.get(1, &wanted(1..10)).len(), 5, "garbage ignored");
        // The next writer rebuilds the file from the good records and adds its own.
        fresh.put(1, &entries(6..7, 4), &all_live(10));
        let got = CacheFile::new(path.clone()).get(1, &wanted(1..10));
        assert_eq!(
            got.iter().map(|(u, _)| *u).collect::<Vec<_>>(),
            vec![1, 2, 3, 4, 6, 9]
        );
        assert!(std::fs::metadata(&path).unwrap().len() > good_len);

        // A bad header: nothing is read; the next writer starts over.
        std::fs::write(&path, b"not a cache file at all").unwrap();
        let bad = CacheFile::new(path.clone());
        assert!(bad.get(1, &wanted(1..10)).is_empty());
        bad.put(1, &entries(2..3, 5), &all_live(10));
        assert_eq!(
            CacheFile::new(path.clone()).get(1, &wanted(1..10)),
            vec![(2, Bytes::from(vec![5u8; 102]))]
        );
    }

    #[test]
    fn old_torn_tail_is_cut_by_the_next_writer() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c");
        let cache = CacheFile::new(path.clone());
        cache.put(1, &entries(1..3, 1), &all_live(10));
        let mut torn = Vec::new();
        encode_record(&mut torn, 5, 50, &[5u8; 200]);
        let f = OpenOptions::new().append(true).open(&path).unwrap();
        (&f).write_all(&torn[..100]).unwrap();
        let old = SystemTime::now() - TORN_AFTER - Duration::from_secs(1);
        f.set_modified(old).unwrap();
        drop(f);
        let other = CacheFile::new(path.clone());
        other.put(1, &entries(3..4, 2), &all_live(10));
        let got = CacheFile::new(path).get(1, &wanted(1..10));
        assert_eq!(
            got.iter().map(|(u, _)| *u).collect::<Vec<_>>(),
            vec![1, 2, 3],
            "the torn record is cut, the new one readable"
        );
    }

    #[test]
    fn compaction_drops_replaced_and_expunged() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c");
        let cache = CacheFile::new(path.clone());
        cache.put(1, &entries(1..101, 0), &all_live(100));
        let one_round = std::fs::metadata(&path).unwrap().len();
        let mut rewrites = 0;
        let mut last = one_round;
        for round in 1..20u8 {
            cache.put(1, &entries(1..101, round), &all_live(100));
            let len = std::fs::metadata(&path).unwrap().len();
            if len < last {
                rewrites += 1;
            }
            last = len;
            assert!(len <= 2 * one_round + 200, "round {round}: {len}");
        }
        assert!(rewrites >= 5, "compacted {rewrites} times");
        let got = cache.get(1, &wanted(1..101));
        assert!(got.iter().all(|(_, d)| d[0] == 19), "newest entries kept");
        // Messages 51..100 expunged: their records go at a compaction.
        for round in 20..30u8 {
            cache.put(1, &entries(1..51, round), &all_live(50));
        }
        assert_eq!(cache.stats().entries, 50, "expunged entries compacted away");
        assert!(std::fs::metadata(&path).unwrap().len() < one_round + 200);
    }

    #[test]
    fn key_mismatch_is_not_returned() {
        let dir = tempfile::tempdir().unwrap();
        let cache = CacheFile::new(dir.path().join("c"));
        cache.put(1, &entries(1..3, 1), &all_live(10));
        // Message 2's content changed (another key): its entry is stale.
        let got = cache.get(1, &[(1, 10), (2, 21)]);
        assert_eq!(got.iter().map(|(u, _)| *u).collect::<Vec<_>>(), vec![1]);
    }

    /// put/get of 10,000 entries of 1 KB (run with `--ignored --nocapture` for the figures).
    #[test]
    #[ignore = "timing figures"]
    fn figures_10k() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c");
        let data: Vec<(u32, u64, Bytes)> = (1..=10_000u32)
            .map(|u| (u, u64::from(u), Bytes::from(vec![(u % 251) as u8; 1024])))
            .collect();
        let want: Vec<(u32, u64)> = data.iter().map(|(u, k, _)| (*u, *k)).collect();
        let live = || Some(want.iter().copied().collect::<HashMap<u32, u64>>());
        let t = std::time::Instant::now();
        CacheFile::new(path.clone()).put(1, &data, &live);
        let put_batch = t.elapsed();
        let t = std::time::Instant::now();
        let got = CacheFile::new(path.clone()).get(1, &want);
        let get_cold = t.elapsed();
        assert_eq!(got.len(), 10_000);
        let warm = CacheFile::new(path.clone());
        warm.get(1, &want[..1]);
        let t = std::time::Instant::now();
        let got = warm.get(1, &want);
        let get_warm = t.elapsed();
        assert_eq!(got.len(), 10_000);
        let path2 = dir.path().join("d");
        let single = CacheFile::new(path2);
        let t = std::time::Instant::now();
        for e in &data {
            single.put(1, std::slice::from_ref(e), &live);
        }
        let put_single = t.elapsed();
        println!(
            "10,000 x 1 KB: put one batch {put_batch:?}, put one by one {put_single:?}, \
             get all on a new instance (load + read) {get_cold:?}, get all loaded {get_warm:?}"
        );
    }
}
