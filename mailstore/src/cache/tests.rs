//! Unit tests of the cache file.

use super::format::crc32_update;
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
    // Slicing by 8 agrees with the plain byte-wise definition at every length and split.
    let data: Vec<u8> = (0..100u32).map(|i| (i * 7 + 3) as u8).collect();
    let bytewise = |d: &[u8]| {
        let mut c = !0u32;
        for &b in d {
            c ^= u32::from(b);
            for _ in 0..8 {
                c = if c & 1 != 0 {
                    0xEDB8_8320 ^ (c >> 1)
                } else {
                    c >> 1
                };
            }
        }
        !c
    };
    for len in 0..data.len() {
        let d = &data[..len];
        assert_eq!(crc32_update(0, d), bytewise(d), "length {len}");
        let (x, y) = d.split_at(len / 3);
        assert_eq!(crc32_update(crc32_update(0, x), y), bytewise(d));
    }
}

#[test]
fn one_file_append_only_records() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c");
    let cache = CacheFile::new(path.clone());
    cache.put(7, &entries(1..4, 1), &all_live(10));
    let first = std::fs::read(&path).unwrap();
    // Header, then one record per entry in the order given.
    let mut head = [0u8; HEADER as usize];
    head.copy_from_slice(&first[..HEADER as usize]);
    let (uid_validity, id) = parse_header(&head).expect("our header");
    assert_eq!(uid_validity, 7);
    assert_eq!(&first[..HEADER as usize], &header_bytes(7, id));
    let mut at = HEADER as usize;
    for (uid, key, data) in entries(1..4, 1) {
        let mut rec = Vec::new();
        encode_record(&mut rec, uid, key, &data);
        assert_eq!(&first[at..at + rec.len()], &rec[..], "record of {uid}");
        at += rec.len();
    }
    assert_eq!(at, first.len(), "nothing else in the file");
    // A second batch is appended: the old bytes stay as they were, same inode.
    use std::os::unix::fs::MetadataExt;
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

/// Whether this process has `path` open.
fn is_open(path: &Path) -> bool {
    std::fs::read_dir("/proc/self/fd")
        .unwrap()
        .flatten()
        .any(|e| std::fs::read_link(e.path()).is_ok_and(|p| p == path))
}

#[test]
fn no_descriptor_kept_between_calls() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c");
    let cache = CacheFile::new(path.clone());
    cache.put(1, &entries(1..4, 1), &all_live(10));
    assert!(path.is_file());
    assert!(!is_open(&path), "closed after put");
    assert_eq!(cache.get(1, &wanted(1..4)).len(), 3);
    assert!(!is_open(&path), "closed after get");
    // The map is kept: a replaced file (another id) is read again, not misread.
    let other = CacheFile::new(path.clone());
    std::fs::remove_file(&path).unwrap();
    other.put(1, &entries(2..3, 7), &all_live(10));
    assert_eq!(
        cache.get(1, &wanted(1..4)),
        vec![(2, Bytes::from(vec![7u8; 102]))]
    );
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
    let mut head = [0u8; HEADER as usize];
    head.copy_from_slice(&std::fs::read(&path).unwrap()[..HEADER as usize]);
    assert_eq!(parse_header(&head).map(|h| h.0), Some(8));
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
fn stale_temporary_files_are_removed_by_a_rebuild() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c");
    let stale = dir.path().join("c.tmp.1700000000.M1P1.dead");
    let recent = dir.path().join("c.tmp.1700000000.M2P2.busy");
    let other = dir.path().join("d.tmp.1700000000.M3P3.other");
    for p in [&stale, &recent, &other] {
        std::fs::write(p, b"left over").unwrap();
    }
    let hour_ago = SystemTime::now() - Duration::from_secs(3700);
    for p in [&stale, &other] {
        File::options()
            .write(true)
            .open(p)
            .unwrap()
            .set_modified(hour_ago)
            .unwrap();
    }
    std::fs::write(&path, b"damaged").unwrap();
    CacheFile::new(path.clone()).put(1, &entries(1..2, 1), &all_live(10));
    assert!(!stale.exists(), "a dead writer's temporary file is removed");
    assert!(recent.exists(), "a recent one may be in use");
    assert!(other.exists(), "another cache's file is left alone");
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

/// A blob that says whose it is: `uid writer round` then filler derived from them.
fn tagged(uid: u32, writer: u32, round: u32) -> Bytes {
    let mut b = format!("{uid} {writer} {round};").into_bytes();
    let len = ((uid * 131 + writer * 17 + round * 7) % 3000) as usize;
    b.extend((0..len).map(|i| (i as u32 ^ uid ^ writer ^ round) as u8));
    Bytes::from(b)
}

fn check_tagged(uid: u32, data: &Bytes) {
    let text = String::from_utf8_lossy(&data[..data.len().min(40)]).to_string();
    let head: Vec<u32> = text
        .split(';')
        .next()
        .unwrap_or("")
        .split(' ')
        .filter_map(|n| n.parse().ok())
        .collect();
    assert_eq!(head.len(), 3, "blob of {uid} starts with its tag: {text:?}");
    assert_eq!(head[0], uid, "blob returned for the right UID");
    assert_eq!(data, &tagged(uid, head[1], head[2]), "blob of {uid} intact");
}

/// Writers with their own descriptors (as separate processes have) append batches at once,
/// compacting now and then, while a reader reads: every blob read is whole and belongs to
/// its UID; in the end a last batch is read back complete.
#[test]
fn concurrent_writers_never_mix_records() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c");
    let n = 60u32;
    let live = move || Some((1..=n).map(|u| (u, 1u64)).collect::<HashMap<u32, u64>>());
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let reader = {
        let (path, stop) = (path.clone(), stop.clone());
        std::thread::spawn(move || {
            let cache = CacheFile::new(path);
            let want: Vec<(u32, u64)> = (1..=n).map(|u| (u, 1)).collect();
            let mut reads = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                for (uid, data) in cache.get(1, &want) {
                    check_tagged(uid, &data);
                }
                reads += 1;
            }
            reads
        })
    };
    let writers: Vec<_> = (1..=4u32)
        .map(|w| {
            let path = path.clone();
            std::thread::spawn(move || {
                let cache = CacheFile::new(path);
                for round in 0..60u32 {
                    let batch: Vec<(u32, u64, Bytes)> = (1..=n)
                        .filter(|u| (u + round + w) % 3 != 0)
                        .map(|u| (u, 1, tagged(u, w, round)))
                        .collect();
                    cache.put(1, &batch, &live);
                }
            })
        })
        .collect();
    for w in writers {
        w.join().unwrap();
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    assert!(reader.join().unwrap() > 0);
    // About 13 MB were appended for 60 live entries: compactions ran meanwhile.
    let len = std::fs::metadata(&path).unwrap().len();
    assert!(len < 2_000_000, "compacted while written: {len}");
    let cache = CacheFile::new(path.clone());
    let want: Vec<(u32, u64)> = (1..=n).map(|u| (u, 1)).collect();
    for (uid, data) in cache.get(1, &want) {
        check_tagged(uid, &data);
    }
    let last: Vec<(u32, u64, Bytes)> = (1..=n).map(|u| (u, 1, tagged(u, 9, 99))).collect();
    cache.put(1, &last, &live);
    let got = CacheFile::new(path).get(1, &want);
    assert_eq!(got.len(), n as usize);
    for (uid, data) in got {
        assert_eq!(data, tagged(uid, 9, 99));
    }
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
