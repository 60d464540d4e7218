//! The conformance suite on the Maildir backend.

use std::sync::Arc;

use mailstore::MailStore;
use mailstore::conformance;
use mailstore::maildir::MaildirStore;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn conformance_all() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = MaildirStore::new(dir.path());
    store.set_user_quota("conf-quota", conformance::QUOTA);
    let store: Arc<dyn MailStore> = Arc::new(store);
    conformance::run_all(store.clone()).await;
    conformance::quota(store.as_ref()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conformance_session_lock() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().to_path_buf();
    conformance::session_lock(&move || Arc::new(MaildirStore::new(&root)) as Arc<dyn MailStore>)
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conformance_persistence() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().to_path_buf();
    conformance::persistence(&move || Arc::new(MaildirStore::new(&root)) as Arc<dyn MailStore>)
        .await;
}

mod common;

fn open(root: &std::path::Path) -> Arc<dyn MailStore> {
    Arc::new(MaildirStore::new(root))
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

/// Files written, renamed and removed by another program are picked up; losing the index
/// changes UIDVALIDITY and nothing else.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn outside_writers_and_lost_index() {
    use mailstore::{AppendOptions, Flag, UidSet, flags};
    let dir = tempfile::tempdir().expect("tempdir");
    let store = MaildirStore::new(dir.path());
    let acc = store.account("bob").await.expect("account");
    let uid1 = acc
        .append(
            "INBOX",
            b"Subject: ours\n\nx\n".to_vec().into(),
            AppendOptions::default(),
        )
        .await
        .expect("append");
    let before = acc.status("INBOX").await.expect("status");
    let mdir = dir.path().join("bob");
    // Another MDA delivers.
    std::fs::write(mdir.join("tmp/outside.1"), b"Subject: outside\n\ny\n").expect("write");
    std::fs::rename(mdir.join("tmp/outside.1"), mdir.join("new/outside.1")).expect("rename");
    // A MUA marks our message seen and answered by renaming it.
    let ours = std::fs::read_dir(mdir.join("new"))
        .expect("readdir")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().into_string().expect("utf8"))
        .find(|n| n != "outside.1")
        .expect("our file");
    std::fs::rename(
        mdir.join("new").join(&ours),
        mdir.join("cur").join(format!("{ours}:2,RS")),
    )
    .expect("rename");
    let metas = acc
        .messages("INBOX", &UidSet::all())
        .await
        .expect("messages");
    assert_eq!(metas.len(), 2);
    assert_eq!(metas[0].uid, uid1);
    assert_eq!(
        metas[0].flags,
        flags([Flag::Seen, Flag::Answered]),
        "MUA's flags seen"
    );
    assert!(
        metas[0].modseq > before.highest_modseq,
        "outside flag change gets a MODSEQ"
    );
    assert_eq!(
        metas[1].uid, before.uid_next,
        "outside delivery gets the next UID"
    );
    assert_eq!(
        acc.read("INBOX", metas[1].uid).await.expect("read"),
        b"Subject: outside\n\ny\n"
    );
    // The MUA deletes a file.
    std::fs::remove_file(mdir.join("new/outside.1")).expect("rm");
    let ch = acc
        .changes_since("INBOX", before.highest_modseq)
        .await
        .expect("changes");
    assert_eq!(ch.expunged, vec![metas[1].uid]);
    // The index is lost: same messages, new UIDVALIDITY.
    std::fs::remove_file(mdir.join("mailstore-index")).expect("rm index");
    let fresh = MaildirStore::new(dir.path());
    let acc2 = fresh.account("bob").await.expect("account");
    let st = acc2.status("INBOX").await.expect("status");
    assert_eq!(st.messages, 1);
    assert_ne!(
        st.uid_validity, before.uid_validity,
        "UIDVALIDITY changes when the index is lost"
    );
    let m = acc2
        .messages("INBOX", &UidSet::all())
        .await
        .expect("messages");
    assert_eq!(m[0].flags, flags([Flag::Seen, Flag::Answered]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn change_feed_across_store_values() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().to_path_buf();
    conformance::change_feed_across_instances(&move || {
        Arc::new(MaildirStore::new(&root)) as Arc<dyn MailStore>
    })
    .await;
}

/// The last stamp line of a folder's index.
fn last_stamp(mdir: &std::path::Path) -> String {
    let log = std::fs::read_to_string(mdir.join("mailstore-index")).expect("index");
    log.lines()
        .rev()
        .find_map(|l| l.strip_prefix("S "))
        .unwrap_or("")
        .to_owned()
}

/// Our own APPEND, flag rename and EXPUNGE leave a stamp that spares the next operation a
/// read of the directories, and a change by another program right after ours is still seen.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn outside_change_right_after_ours() {
    use mailstore::{AppendOptions, Flag, FlagOp, UidSet, flags};
    let dir = tempfile::tempdir().expect("tempdir");
    let store = MaildirStore::new(dir.path());
    let acc = store.account("bob").await.expect("account");
    let mdir = dir.path().join("bob");
    let msg = |s: &str| format!("Subject: {s}\n\nx\n").into_bytes();
    acc.append("INBOX", msg("first").into(), AppendOptions::default())
        .await
        .expect("append");
    acc.status("INBOX")
        .await
        .expect("status (reads the directories)");
    for round in 0..20u32 {
        // Our own change: a delivery into cur/ (flagged), a flag rename, an expunge.
        let seen = AppendOptions {
            flags: flags([Flag::Seen]),
            ..AppendOptions::default()
        };
        let uid = acc
            .append("INBOX", msg("ours").into(), seen)
            .await
            .expect("append");
        // (Unless the other program's last change came after our last read: APPEND does not
        // read the directories, so it cannot vouch for them.)
        if round == 0 || round % 2 == 1 {
            assert!(last_stamp(&mdir).ends_with(",own"), "{}", last_stamp(&mdir));
        }
        acc.store_flags(
            "INBOX",
            &UidSet::single(uid),
            FlagOp::Add,
            &flags([Flag::Deleted]),
            None,
        )
        .await
        .expect("store");
        // Another program delivers at once, in the same instant as far as it can.
        let name = format!("outside.{round}");
        std::fs::write(mdir.join("tmp").join(&name), msg(&name)).expect("write");
        std::fs::rename(mdir.join("tmp").join(&name), mdir.join("new").join(&name))
            .expect("rename");
        let expunged = acc.expunge("INBOX", None).await.expect("expunge");
        assert_eq!(expunged, vec![uid]);
        let metas = acc
            .messages("INBOX", &UidSet::all())
            .await
            .expect("messages");
        assert_eq!(
            metas.len() as u32,
            2 + round,
            "round {round}: delivery seen"
        );
        // And removes one of its files right after our expunge.
        if round % 2 == 1 {
            std::fs::remove_file(mdir.join("new").join(&name)).expect("rm");
            acc.store_flags(
                "INBOX",
                &UidSet::single(metas[0].uid),
                FlagOp::Add,
                &flags([Flag::Flagged]),
                None,
            )
            .await
            .expect("store");
            let n = acc.status("INBOX").await.expect("status").messages;
            assert_eq!(n, 1 + round, "round {round}: removal seen");
            std::fs::write(mdir.join("tmp").join(&name), msg(&name)).expect("write");
            std::fs::rename(mdir.join("tmp").join(&name), mdir.join("new").join(&name))
                .expect("rename");
        }
    }
}
