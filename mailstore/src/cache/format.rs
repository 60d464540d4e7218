//! The cache file's octets: CRC-32, the header and the records (see the module comment of
//! the cache module for the layout).

use std::time::SystemTime;

use super::{HEADER, MAGIC, MAX_ENTRY, RECORD_HEADER};

/// CRC-32 (IEEE 802.3, reflected), slicing by 8: `CRC_TABLES[0]` is the byte-wise table,
/// `CRC_TABLES[k]` advances a byte's contribution by `k` more zero octets.
const CRC_TABLES: [[u32; 256]; 8] = {
    let mut t = [[0u32; 256]; 8];
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
        t[0][i] = c;
        i += 1;
    }
    let mut k = 1;
    while k < 8 {
        let mut i = 0;
        while i < 256 {
            let prev = t[k - 1][i];
            t[k][i] = (prev >> 8) ^ t[0][(prev & 0xff) as usize];
            i += 1;
        }
        k += 1;
    }
    t
};

pub(super) fn crc32_update(crc: u32, data: &[u8]) -> u32 {
    let t = &CRC_TABLES;
    let mut crc = !crc;
    let mut chunks = data.chunks_exact(8);
    for c in &mut chunks {
        let a = crc ^ u32::from_le_bytes([c[0], c[1], c[2], c[3]]);
        let b = u32::from_le_bytes([c[4], c[5], c[6], c[7]]);
        crc = t[7][(a & 0xff) as usize]
            ^ t[6][((a >> 8) & 0xff) as usize]
            ^ t[5][((a >> 16) & 0xff) as usize]
            ^ t[4][(a >> 24) as usize]
            ^ t[3][(b & 0xff) as usize]
            ^ t[2][((b >> 8) & 0xff) as usize]
            ^ t[1][((b >> 16) & 0xff) as usize]
            ^ t[0][(b >> 24) as usize];
    }
    for &b in chunks.remainder() {
        crc = t[0][((crc ^ u32::from(b)) & 0xff) as usize] ^ (crc >> 8);
    }
    !crc
}

pub(super) fn header_bytes(uid_validity: u32, id: u64) -> [u8; HEADER as usize] {
    let mut h = [0u8; HEADER as usize];
    h[..8].copy_from_slice(MAGIC);
    h[8..12].copy_from_slice(&uid_validity.to_le_bytes());
    h[12..20].copy_from_slice(&id.to_le_bytes());
    let crc = crc32_update(0, &h[..20]);
    h[20..].copy_from_slice(&crc.to_le_bytes());
    h
}

/// UIDVALIDITY and file id of a header, if it is one of ours.
pub(super) fn parse_header(h: &[u8; HEADER as usize]) -> Option<(u32, u64)> {
    if &h[..8] != MAGIC || crc32_update(0, &h[..20]).to_le_bytes() != h[20..] {
        return None;
    }
    let mut id = [0u8; 8];
    id.copy_from_slice(&h[12..20]);
    Some((
        u32::from_le_bytes([h[8], h[9], h[10], h[11]]),
        u64::from_le_bytes(id),
    ))
}

/// A fresh file id: tells a file from the one it replaced even if it got the same inode.
pub(super) fn new_file_id() -> u64 {
    let nanos = SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    getrandom::u64().unwrap_or(nanos ^ u64::from(std::process::id()).rotate_left(32))
}

/// Appends one record to `out`.
pub(super) fn encode_record(out: &mut Vec<u8>, uid: u32, key: u64, data: &[u8]) {
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
pub(super) enum Parsed {
    /// A good record: UID, key, data length.
    Record { uid: u32, key: u64, len: u32 },
    /// More octets are needed: a write in progress, or a torn one.
    Incomplete,
    /// Not a record: damaged or foreign data.
    Corrupt,
}

pub(super) fn parse_record(buf: &[u8]) -> Parsed {
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
