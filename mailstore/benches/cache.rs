//! The cache of derived data (`Account::cached` / `Account::put_cached`) on 10,000 messages,
//! Maildir and mbox: what the IMAP server pays to keep and read back each message's parsed
//! MIME structure for `FETCH 1:* (ENVELOPE BODYSTRUCTURE)`. Blobs are 0.5-2.5 KB (a parsed
//! structure is a few hundred octets to a few KB).
//!
//! Figures, each the median of `MAILSTORE_BENCH_ROUNDS` (default 5) runs:
//! - put all in one call, into an empty cache; put in calls of 100 entries;
//! - get all (`1:*`) on a new store value whose index is loaded (loading the cache file: every
//!   record's CRC checked) and on a loaded one; get in calls of 100 UIDs;
//! - for scale, `Account::messages(1:*)` (the index alone) on a loaded store value.
//!
//! The mailbox is written directly (Maildir files named with `,S=` and `,W=`, one mbox file), so
//! setting up does not fsync 10,000 times. Settings: `MAILSTORE_BENCH_MESSAGES` (10000).
//! Runs with `cargo bench -p mailstore --bench cache`; `cargo test --benches` only builds it.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use mailstore::maildir::MaildirStore;
use mailstore::mbox::MboxStore;
use mailstore::{MailStore, UidSet};

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn message(i: usize) -> Vec<u8> {
    let mut m = format!(
        "From: sender{i}@example.org\nTo: rcpt@example.org\nSubject: message {i}\n\
         Message-ID: <{i}@bench>\nDate: Mon, 1 Jan 2024 00:00:00 +0000\n\n"
    )
    .into_bytes();
    for l in 0..(5 + i % 20) {
        m.extend_from_slice(format!("body line {l} of message {i}\n").as_bytes());
    }
    m
}

fn blob(uid: u32, round: usize) -> Bytes {
    let len = 512 + (uid as usize * 97) % 2048;
    Bytes::from(
        (0..len)
            .map(|i| (i ^ uid as usize ^ round) as u8)
            .collect::<Vec<u8>>(),
    )
}

fn write_maildir(dir: &Path, n: usize) {
    for sub in ["cur", "new", "tmp"] {
        std::fs::create_dir_all(dir.join(sub)).expect("mkdir");
    }
    for i in 0..n {
        let m = message(i);
        let name = format!(
            "{}.M{i}P1.bench,S={},W={}:2,S",
            1_700_000_000 + i,
            m.len(),
            mailstore::rfc822_size(&m)
        );
        std::fs::write(dir.join("cur").join(name), &m).expect("write");
    }
}

fn write_mbox(file: &Path, n: usize) {
    std::fs::create_dir_all(file.parent().expect("parent")).expect("mkdir");
    let mut out = Vec::new();
    for i in 0..n {
        out.extend_from_slice(b"From bench@example.org Mon Jan  1 00:00:00 2024\n");
        out.extend_from_slice(&message(i));
        out.push(b'\n');
    }
    std::fs::write(file, out).expect("write mbox");
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

struct Figures {
    put_one_call: Vec<Duration>,
    put_by_100: Vec<Duration>,
    get_cold: Vec<Duration>,
    get_warm: Vec<Duration>,
    get_by_100: Vec<Duration>,
    index_only: Vec<Duration>,
}

async fn run(name: &str, make: &dyn Fn() -> Arc<dyn MailStore>, cache: &Path, rounds: usize) {
    let acc = make().account("bench").await.expect("account");
    // A Maildir's directory stamp is trusted 2 s after the last change (see the Maildir notes):
    // before that every call reads the directory again, which is not what is measured here.
    acc.status("INBOX").await.expect("status");
    tokio::time::sleep(Duration::from_millis(2100)).await;
    acc.status("INBOX").await.expect("status");
    let uids: Vec<u32> = acc
        .messages("INBOX", &UidSet::all())
        .await
        .expect("messages")
        .iter()
        .map(|m| m.uid)
        .collect();
    let n = uids.len();
    let mut f = Figures {
        put_one_call: vec![],
        put_by_100: vec![],
        get_cold: vec![],
        get_warm: vec![],
        get_by_100: vec![],
        index_only: vec![],
    };
    let bytes: usize = uids.iter().map(|u| blob(*u, 0).len()).sum();
    for round in 0..rounds {
        let _ = std::fs::remove_file(cache);
        let entries: Vec<(u32, Bytes)> = uids.iter().map(|u| (*u, blob(*u, round))).collect();
        let t = Instant::now();
        acc.put_cached("INBOX", entries).await.expect("put");
        f.put_one_call.push(t.elapsed());

        let _ = std::fs::remove_file(cache);
        let t = Instant::now();
        for chunk in uids.chunks(100) {
            let entries = chunk.iter().map(|u| (*u, blob(*u, round))).collect();
            acc.put_cached("INBOX", entries).await.expect("put");
        }
        f.put_by_100.push(t.elapsed());

        let fresh = make().account("bench").await.expect("account");
        // The index is loaded first: the figure is the cache file's load and read alone.
        fresh.status("INBOX").await.expect("status");
        let t = Instant::now();
        let got = fresh.cached("INBOX", &UidSet::all()).await.expect("get");
        f.get_cold.push(t.elapsed());
        assert_eq!(got.len(), n, "every entry back");
        assert_eq!(got[n / 2].1, blob(uids[n / 2], round));

        let t = Instant::now();
        let got = acc.cached("INBOX", &UidSet::all()).await.expect("get");
        f.get_warm.push(t.elapsed());
        assert_eq!(got.len(), n);

        let t = Instant::now();
        let mut count = 0;
        for chunk in uids.chunks(100) {
            let set = UidSet::range(chunk[0], chunk[chunk.len() - 1]);
            count += acc.cached("INBOX", &set).await.expect("get").len();
        }
        f.get_by_100.push(t.elapsed());
        assert_eq!(count, n);

        let t = Instant::now();
        let metas = acc.messages("INBOX", &UidSet::all()).await.expect("index");
        f.index_only.push(t.elapsed());
        assert_eq!(metas.len(), n);
    }
    let len = std::fs::metadata(cache).map(|m| m.len()).unwrap_or(0);
    eprintln!(
        "{name:<8} {n} entries, {:.1} MB of blobs, cache file {:.1} MB\n  \
         put: one call {:>9.1?}   calls of 100 {:>9.1?}\n  \
         get 1:*: new store value {:>9.1?}   loaded {:>9.1?}   calls of 100 {:>9.1?}\n  \
         (index alone, messages 1:*: {:>9.1?})",
        bytes as f64 / 1e6,
        len as f64 / 1e6,
        median(f.put_one_call),
        median(f.put_by_100),
        median(f.get_cold),
        median(f.get_warm),
        median(f.get_by_100),
        median(f.index_only),
    );
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let n: usize = env_or("MAILSTORE_BENCH_MESSAGES", 10_000);
    let rounds: usize = env_or("MAILSTORE_BENCH_ROUNDS", 5);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let tmp = tempfile::tempdir().expect("temp dir");

    let mroot = tmp.path().join("maildir");
    write_maildir(&mroot.join("bench"), n);
    let make_m = {
        let r = mroot.clone();
        move || Arc::new(MaildirStore::new(&r)) as Arc<dyn MailStore>
    };
    let cache_m = mroot.join("bench").join("mailstore-cache");
    rt.block_on(run("maildir", &make_m, &cache_m, rounds));

    let broot = tmp.path().join("mbox");
    write_mbox(&broot.join("bench").join("INBOX"), n);
    let make_b = {
        let r = broot.clone();
        move || Arc::new(MboxStore::new(&r)) as Arc<dyn MailStore>
    };
    let cache_b = broot.join("bench").join(".mailstore").join("INBOX.cache");
    rt.block_on(run("mbox", &make_b, &cache_b, rounds));
}
