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

/// `bytes` with every line end as CRLF: what a server sends for a message read with LF (or
/// mixed) line ends. Written out here, independently of the crate's counter.
fn with_crlf(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() * 2);
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'\n' && (i == 0 || bytes[i - 1] != b'\r') {
            out.push(b'\r');
        }
        out.push(b);
    }
    out
}

/// The `size` field of each `A` record of an index file, by UID (the last record wins).
fn index_sizes(index: &std::path::Path) -> std::collections::BTreeMap<u32, u64> {
    let text = std::fs::read_to_string(index).expect("read index");
    let mut out = std::collections::BTreeMap::new();
    for line in text.lines() {
        let f: Vec<&str> = line.split(' ').collect();
        if f[0] == "A" {
            out.insert(
                f[1].parse().expect("uid"),
                f[3].parse().expect("size field"),
            );
        }
    }
    out
}

/// An mbox another program wrote (mutt's style: LF line ends, `Status:`/`Content-Length:`/
/// `Lines:`, a body `From ` line left unquoted, mboxrd `>From ` quoting; a CRLF message; a last
/// message without its final line feed): each message's size is the CRLF size of the message
/// as `read` and `read_stream` return it (un-quoted), counted at the first scan and kept in
/// the index; our append behind them leaves them as they are.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn foreign_lf_messages_report_their_crlf_size() {
    use futures::StreamExt;
    use mailstore::{AppendOptions, UidSet};
    let dir = tempfile::tempdir().expect("tempdir");
    let udir = dir.path().join("erin");
    std::fs::create_dir_all(&udir).expect("mkdir");
    // (as stored, as read returns it)
    let messages: [(&[u8], &[u8]); 4] = [
        (
            b"From mutt@example.org Sun Nov 22 21:04:00 2026\nFrom: m@example.org\nSubject: lf\nStatus: RO\nContent-Length: 52\nLines: 4\n\nFrom here on, unquoted as mutt writes it\nline\n\nend\n\n",
            b"From: m@example.org\nSubject: lf\nStatus: RO\nContent-Length: 52\nLines: 4\n\nFrom here on, unquoted as mutt writes it\nline\n\nend\n",
        ),
        (
            b"From a@example.org Sun Nov 22 21:05:00 2026\nSubject: mboxrd\n\n>From quoted once\n>>From quoted twice\n>not a From line\n\n",
            b"Subject: mboxrd\n\nFrom quoted once\n>From quoted twice\n>not a From line\n",
        ),
        (
            b"From b@example.org Sun Nov 22 21:06:00 2026\r\nSubject: crlf\r\n\r\nbody\r\n\n",
            b"Subject: crlf\r\n\r\nbody\r\n",
        ),
        (
            b"From c@example.org Sun Nov 22 21:07:00 2026\nSubject: no final line feed\n\nlast",
            b"Subject: no final line feed\n\nlast",
        ),
    ];
    let mut file = Vec::new();
    for (stored, _) in &messages {
        file.extend_from_slice(stored);
    }
    std::fs::write(udir.join("INBOX"), &file).expect("write mbox");

    let store = MboxStore::new(dir.path());
    let acc = store.account("erin").await.expect("account");
    let metas = acc
        .messages("INBOX", &UidSet::all())
        .await
        .expect("messages");
    assert_eq!(metas.len(), messages.len(), "{metas:?}");
    let mut total = 0;
    for (m, (_, read)) in metas.iter().zip(&messages) {
        let got = acc.read("INBOX", m.uid).await.expect("read");
        assert_eq!(
            got,
            read.to_vec(),
            "read returns the un-quoted message, line ends as stored"
        );
        let mut streamed = Vec::new();
        let mut stream = acc.read_stream("INBOX", m.uid).await.expect("stream");
        while let Some(chunk) = stream.next().await {
            streamed.extend_from_slice(&chunk.expect("chunk"));
        }
        assert_eq!(streamed, got, "read_stream delivers what read does");
        let crlf = with_crlf(read).len() as u64;
        assert!(crlf >= read.len() as u64);
        assert_eq!(m.size, crlf, "RFC822.SIZE of uid {}", m.uid);
        total += crlf;
    }
    assert_eq!(acc.status("INBOX").await.expect("status").size, total);
    let index = udir.join(".mailstore/INBOX.index");
    let kept: Vec<u64> = index_sizes(&index).into_values().collect();
    assert_eq!(
        kept,
        metas.iter().map(|m| m.size).collect::<Vec<_>>(),
        "the sizes are kept in the index"
    );

    // Our append behind a message without its final line feed: sizes of the others unchanged.
    let ours = b"Subject: ours\n\nFrom me\n".to_vec();
    let uid = acc
        .append("INBOX", ours.clone().into(), AppendOptions::default())
        .await
        .expect("append");
    let again = MboxStore::new(dir.path())
        .account("erin")
        .await
        .expect("account")
        .messages("INBOX", &UidSet::all())
        .await
        .expect("messages");
    assert_eq!(
        again.iter().map(|m| m.size).collect::<Vec<_>>()[..metas.len()],
        metas.iter().map(|m| m.size).collect::<Vec<_>>()[..]
    );
    let mine = again.iter().find(|m| m.uid == uid).expect("appended");
    assert_eq!(mine.size, with_crlf(&ours).len() as u64);
    assert_eq!(acc.read("INBOX", uid).await.expect("read"), ours);
}

/// An index written before sizes were `RFC822.SIZE` (its `A` records hold the read length, its
/// stamps are `<len>,<mtime>`) still opens: the first sync counts every size again, keeping
/// UIDs, flags and UIDVALIDITY, and writes a stamp of the current format.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn index_with_stored_lengths_is_recounted() {
    use mailstore::{AppendOptions, Flag, UidSet, flags};
    let dir = tempfile::tempdir().expect("tempdir");
    let store = MboxStore::new(dir.path());
    let acc = store.account("fred").await.expect("account");
    let bodies: [&[u8]; 3] = [
        b"Subject: a\n\nline\n>From quoted\n",
        b"Subject: b\r\n\r\ncrlf\r\n",
        b"Subject: c\n\nno final line feed",
    ];
    let mut uids = Vec::new();
    for (i, b) in bodies.iter().enumerate() {
        let opts = AppendOptions {
            flags: if i == 0 {
                flags([Flag::Seen, Flag::Keyword("$Mine".into())])
            } else {
                flags([])
            },
            internal_date: None,
        };
        uids.push(
            acc.append("INBOX", b.to_vec().into(), opts)
                .await
                .expect("append"),
        );
    }
    let before = acc.status("INBOX").await.expect("status");
    let index = dir.path().join("fred/.mailstore/INBOX.index");
    // Rewrite the index as the previous version wrote it, as a new file (a new inode, as a
    // compaction makes it, so this process reloads it).
    let mut old = String::new();
    let mut stamps = 0;
    for line in std::fs::read_to_string(&index).expect("index").lines() {
        let mut f: Vec<String> = line.split(' ').map(String::from).collect();
        match f[0].as_str() {
            "A" => {
                let uid: u32 = f[1].parse().expect("uid");
                let i = uids.iter().position(|&u| u == uid).expect("our uid");
                f[3] = bodies[i].len().to_string();
            }
            "S" => {
                if let Some(s) = f[1].strip_suffix(",rfc822") {
                    f[1] = s.to_string();
                    stamps += 1;
                }
            }
            _ => {}
        }
        old.push_str(&f.join(" "));
        old.push('\n');
    }
    assert!(stamps > 0, "stamps of the current format rewritten: {old}");
    let tmp = index.with_extension("old");
    std::fs::write(&tmp, &old).expect("write");
    std::fs::rename(&tmp, &index).expect("rename");
    assert_ne!(
        index_sizes(&index).into_values().collect::<Vec<_>>(),
        bodies
            .iter()
            .map(|b| with_crlf(b).len() as u64)
            .collect::<Vec<_>>(),
        "the old index holds other sizes"
    );

    for fresh in [false, true] {
        let acc = if fresh {
            MboxStore::new(dir.path())
                .account("fred")
                .await
                .expect("account")
        } else {
            acc.clone()
        };
        let metas = acc
            .messages("INBOX", &UidSet::all())
            .await
            .expect("messages");
        assert_eq!(
            metas.iter().map(|m| m.uid).collect::<Vec<_>>(),
            uids,
            "UIDs kept"
        );
        for (m, b) in metas.iter().zip(&bodies) {
            assert_eq!(m.size, with_crlf(b).len() as u64, "size of uid {}", m.uid);
            assert_eq!(acc.read("INBOX", m.uid).await.expect("read"), b.to_vec());
        }
        assert_eq!(
            metas[0].flags,
            flags([Flag::Seen, Flag::Keyword("$Mine".into())]),
            "flags kept"
        );
        let st = acc.status("INBOX").await.expect("status");
        assert_eq!(st.uid_validity, before.uid_validity);
        assert_eq!(st.uid_next, before.uid_next);
        assert_eq!(st.size, before.size, "the same sizes as before the rewrite");
    }
    let text = std::fs::read_to_string(&index).expect("index");
    let stamp = text
        .lines()
        .rev()
        .find(|l| l.starts_with("S "))
        .expect("stamp");
    assert!(stamp.ends_with(",rfc822"), "stamp rewritten: {stamp}");
}
