//! The cache of derived data (`Account::cached` / `put_cached`) on both backends: two store
//! values over the same files (as two processes), a damaged cache file, and an mbox message
//! rewritten by another program.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use bytes::Bytes;
use mailstore::conformance;
use mailstore::maildir::MaildirStore;
use mailstore::mbox::MboxStore;
use mailstore::{AppendOptions, MailStore, UidSet};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn maildir_cached_across_store_values() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().to_path_buf();
    conformance::cached_across_instances(&move || {
        Arc::new(MaildirStore::new(&root)) as Arc<dyn MailStore>
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mbox_cached_across_store_values() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().to_path_buf();
    conformance::cached_across_instances(&move || {
        Arc::new(MboxStore::new(&root)) as Arc<dyn MailStore>
    })
    .await;
}

/// Appends three messages to INBOX and caches a blob for each; returns the UIDs.
async fn three_cached(store: &dyn MailStore) -> Vec<u32> {
    let acc = store.account("u").await.expect("account");
    let mut uids = Vec::new();
    for i in 0..3 {
        let msg = conformance::message(&format!("m{i}"), 2);
        uids.push(
            acc.append("INBOX", msg.into(), AppendOptions::default())
                .await
                .expect("append"),
        );
    }
    let entries = uids
        .iter()
        .map(|u| (*u, Bytes::from(format!("derived {u}"))))
        .collect();
    acc.put_cached("INBOX", entries).await.expect("put");
    uids
}

/// A damaged tail (a torn write, then garbage) never fails `cached`: the good entries are
/// returned, and the next `put_cached` rebuilds the file so that new entries are found.
async fn damaged_file_tolerated(make: impl Fn() -> Arc<dyn MailStore>, cache: PathBuf) {
    let uids = three_cached(make().as_ref()).await;
    assert!(cache.is_file(), "the cache file is at {}", cache.display());
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(&cache)
        .expect("open cache");
    f.write_all(b"\x09\0\0\0\xff\0\0\0torn").expect("torn");
    let acc = make().account("u").await.expect("account");
    let got = acc.cached("INBOX", &UidSet::all()).await.expect("cached");
    assert_eq!(got.iter().map(|(u, _)| *u).collect::<Vec<_>>(), uids);
    f.write_all(&[0xAB; 400]).expect("garbage");
    let got = acc.cached("INBOX", &UidSet::all()).await.expect("cached");
    assert_eq!(
        got.iter().map(|(u, _)| *u).collect::<Vec<_>>(),
        uids,
        "good entries before the damage are returned"
    );
    acc.put_cached("INBOX", vec![(uids[1], Bytes::from_static(b"again"))])
        .await
        .expect("put after damage");
    let other = make().account("u").await.expect("account");
    let got = other.cached("INBOX", &UidSet::all()).await.expect("cached");
    assert_eq!(got.len(), 3, "rebuilt with the good entries: {got:?}");
    assert_eq!(got[1], (uids[1], Bytes::from_static(b"again")));
    assert_eq!(
        got[0],
        (uids[0], Bytes::from(format!("derived {}", uids[0])))
    );
    // The file holds no garbage any more.
    let bytes = std::fs::read(&cache).expect("read cache");
    assert!(!bytes.windows(8).any(|w| w == [0xAB; 8]), "garbage cut");

    // A file that is not a cache at all: nothing is returned, nothing fails.
    std::fs::write(&cache, b"something else entirely").expect("overwrite");
    let acc = make().account("u").await.expect("account");
    assert!(
        acc.cached("INBOX", &UidSet::all())
            .await
            .expect("cached")
            .is_empty()
    );
    acc.put_cached("INBOX", vec![(uids[2], Bytes::from_static(b"new"))])
        .await
        .expect("put");
    assert_eq!(
        acc.cached("INBOX", &UidSet::all()).await.expect("cached"),
        vec![(uids[2], Bytes::from_static(b"new"))]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn maildir_damaged_cache_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().to_path_buf();
    let cache = root.join("u").join("mailstore-cache");
    damaged_file_tolerated(
        move || Arc::new(MaildirStore::new(&root)) as Arc<dyn MailStore>,
        cache,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mbox_damaged_cache_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().to_path_buf();
    let cache = root.join("u").join(".mailstore").join("INBOX.cache");
    damaged_file_tolerated(
        move || Arc::new(MboxStore::new(&root)) as Arc<dyn MailStore>,
        cache,
    )
    .await;
}

/// Replaces the first occurrence of `from` in the file at `path` by `to`.
fn rewrite(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).expect("read mbox");
    assert!(text.contains(from), "{from:?} in the mbox");
    std::fs::write(path, text.replacen(from, to, 1)).expect("write mbox");
}

/// Another program rewrites an mbox message (mutt adds `Status:`): the UID stays, the entry
/// computed from the old content is no longer returned; the others are.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mbox_rewritten_message_loses_its_entry() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = MboxStore::new(dir.path());
    let uids = three_cached(&store).await;
    rewrite(
        &dir.path().join("u").join("INBOX"),
        "Subject: test m1\n",
        "Subject: test m1\nStatus: RO\n",
    );
    let acc = MboxStore::new(dir.path())
        .account("u")
        .await
        .expect("account");
    let metas = acc
        .messages("INBOX", &UidSet::all())
        .await
        .expect("messages");
    assert_eq!(
        metas.iter().map(|m| m.uid).collect::<Vec<_>>(),
        uids,
        "UIDs kept"
    );
    let got = acc.cached("INBOX", &UidSet::all()).await.expect("cached");
    assert_eq!(
        got.iter().map(|(u, _)| *u).collect::<Vec<_>>(),
        vec![uids[0], uids[2]],
        "the rewritten message's entry is stale"
    );
}
