//! The conformance suite and the multi-process checks on the mbox backend.

use std::sync::Arc;

use mailstore::MailStore;
use mailstore::conformance;
use mailstore::mbox::MboxStore;

mod common;

fn open(root: &std::path::Path) -> Arc<dyn MailStore> {
    Arc::new(MboxStore::new(root))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn conformance_all() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = MboxStore::new(dir.path());
    store.set_user_quota("conf-quota", conformance::QUOTA);
    let store: Arc<dyn MailStore> = Arc::new(store);
    conformance::run_all(store.clone()).await;
    conformance::quota(store.as_ref()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conformance_session_lock() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().to_path_buf();
    conformance::session_lock(&move || Arc::new(MboxStore::new(&root)) as Arc<dyn MailStore>).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conformance_persistence() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().to_path_buf();
    conformance::persistence(&move || Arc::new(MboxStore::new(&root)) as Arc<dyn MailStore>).await;
}

/// Entry point of the child processes of the tests below (does nothing when run directly).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "child role of two_processes/crash tests"]
async fn child_entry() {
    assert!(common::child_main(open).await || std::env::var("MAILSTORE_CHILD").is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_and_two_tasks() {
    common::two_processes(open, "child_entry").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_during_delivery() {
    common::crash_loop(open, "child_entry", 20).await;
}

/// Messages appended or rewritten by another mbox program (mutt's `Status:` headers) are picked
/// up; the remains of a crashed append of ours (journalled) are cut off and never seen, and a
/// message another program appended with our `From ` line (as mutt copies one) is kept.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn outside_writers_and_torn_append() {
    use mailstore::{AppendOptions, Flag, FlagOp, UidSet, flags};
    use std::io::Write;
    let dir = tempfile::tempdir().expect("tempdir");
    let store = MboxStore::new(dir.path());
    let acc = store.account("carol").await.expect("account");
    let ours = b"Subject: ours\n\nFrom the start\n".to_vec();
    let uid1 = acc
        .append("INBOX", ours.clone().into(), AppendOptions::default())
        .await
        .expect("append");
    acc.store_flags(
        "INBOX",
        &UidSet::single(uid1),
        FlagOp::Add,
        &flags([Flag::Keyword("$Mine".into())]),
        None,
    )
    .await
    .expect("store");
    let path = dir.path().join("carol/INBOX");
    let on_disk = std::fs::read(&path).expect("read mbox");
    assert!(
        on_disk.starts_with(b"From mailstore@localhost "),
        "separator line"
    );
    assert!(
        on_disk.ends_with(b"\n>From the start\n\n"),
        "mboxrd quoting and blank line: {on_disk:?}"
    );

    // A torn append of ours: its journal record (as the append writes it before any byte,
    // `P <start> <end> <from>:<date>`), then part of the message (the crash). Then mutt appends a
    // message of its own and a copy of one of ours (with our `From ` line).
    let start = on_disk.len() as u64;
    let torn = b"From mailstore@localhost Sun Nov 22 21:03:34 2026\nSubject: torn\n\nhalf a body\n";
    std::fs::write(
        dir.path().join("carol/.mailstore/INBOX.journal"),
        format!(
            "P {start} {} {start}:1795381414\n",
            start + torn.len() as u64 + 20
        ),
    )
    .expect("journal");
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(&path)
        .expect("open");
    f.write_all(torn).expect("write");
    f.write_all(b"From mutt@example.org Sun Nov 22 21:04:00 2026\nSubject: mutt\nStatus: RO\nX-Status: A\n\nbody\n\n").expect("write");
    let copied = b"From mailstore@localhost Sun Nov 22 21:03:34 2026\nSubject: copied\n\ncopy\n\n";
    f.write_all(copied).expect("write");
    drop(f);
    let metas = acc
        .messages("INBOX", &UidSet::all())
        .await
        .expect("messages");
    assert_eq!(
        metas.len(),
        3,
        "torn append cut, mutt's messages kept: {metas:?}"
    );
    let copy = acc.read("INBOX", metas[2].uid).await.expect("read");
    assert_eq!(
        copy, b"Subject: copied\n\ncopy\n",
        "a message with our From line is kept"
    );
    assert_eq!(
        metas[1].flags,
        flags([Flag::Seen, Flag::Answered]),
        "mutt's flags read"
    );
    let mutt = acc.read("INBOX", metas[1].uid).await.expect("read");
    assert_eq!(mutt, b"Subject: mutt\nStatus: RO\nX-Status: A\n\nbody\n");
    let text = String::from_utf8(std::fs::read(&path).expect("read")).expect("utf8");
    assert!(!text.contains("torn"), "torn message removed from the file");

    // mutt rewrites the file (changing a Status header): UIDs and our flags survive.
    let rewritten = text.replace("Status: RO\n", "Status: R\n");
    std::fs::write(dir.path().join("carol/INBOX.new"), &rewritten).expect("write");
    std::fs::rename(dir.path().join("carol/INBOX.new"), &path).expect("rename");
    let again = acc
        .messages("INBOX", &UidSet::all())
        .await
        .expect("messages");
    assert_eq!(
        again.iter().map(|m| m.uid).collect::<Vec<_>>(),
        vec![uid1, metas[1].uid, metas[2].uid],
        "UIDs kept"
    );
    assert!(again[0].flags.contains(&Flag::Keyword("$Mine".into())));
    assert_eq!(acc.read("INBOX", uid1).await.expect("read"), ours);
    // mutt rewrites again, adding headers to our message: the size follows the content.
    let text = String::from_utf8(std::fs::read(&path).expect("read")).expect("utf8");
    let rewritten = text.replacen(
        "Subject: ours\n",
        "Subject: ours\nStatus: RO\nContent-Length: 16\nLines: 1\n",
        1,
    );
    std::fs::write(dir.path().join("carol/INBOX.new"), &rewritten).expect("write");
    std::fs::rename(dir.path().join("carol/INBOX.new"), &path).expect("rename");
    let third = acc
        .messages("INBOX", &UidSet::all())
        .await
        .expect("messages");
    assert_eq!(third[0].uid, uid1, "UID kept");
    for m in &third {
        let data = acc.read("INBOX", m.uid).await.expect("read");
        assert_eq!(
            m.size,
            mailstore::rfc822_size(&data),
            "size of {} follows the rewrite",
            m.uid
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn change_feed_across_store_values() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().to_path_buf();
    conformance::change_feed_across_instances(&move || {
        Arc::new(MboxStore::new(&root)) as Arc<dyn MailStore>
    })
    .await;
}

/// An append that crashed right after its journal record (nothing written yet), then another
/// program appending a copy of one of our messages exactly where that append would have begun:
/// the copy is kept.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stale_journal_never_cuts_a_later_message() {
    use mailstore::{AppendOptions, UidSet};
    use std::io::Write;
    let dir = tempfile::tempdir().expect("tempdir");
    let store = MboxStore::new(dir.path());
    let acc = store.account("dave").await.expect("account");
    acc.append(
        "INBOX",
        b"Subject: one\n\nx\n".to_vec().into(),
        AppendOptions::default(),
    )
    .await
    .expect("append");
    let path = dir.path().join("dave/INBOX");
    let start = std::fs::metadata(&path).expect("stat").len();
    std::fs::write(
        dir.path().join("dave/.mailstore/INBOX.journal"),
        format!("P {start} {} {start}:1795381414\n", start + 100),
    )
    .expect("journal");
    // Our next operation sees the file unchanged: the record is stale.
    assert_eq!(
        acc.messages("INBOX", &UidSet::all())
            .await
            .expect("messages")
            .len(),
        1
    );
    let copied = b"From mailstore@localhost Sun Nov 22 21:03:34 2026\nSubject: copied\n\ncopy\n\n";
    std::fs::OpenOptions::new()
        .append(true)
        .open(&path)
        .expect("open")
        .write_all(copied)
        .expect("write");
    let metas = acc
        .messages("INBOX", &UidSet::all())
        .await
        .expect("messages");
    assert_eq!(
        metas.len(),
        2,
        "the copy at the stale record's start is kept"
    );
    assert_eq!(
        acc.read("INBOX", metas[1].uid).await.expect("read"),
        b"Subject: copied\n\ncopy\n"
    );
}
