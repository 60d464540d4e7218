//! mbsync (isync) syncing alice's account between our server (Far) and a local Maildir (Near),
//! down and back: the first run copies every mailbox with its flags; then flags and deletions
//! on both sides and new messages on both sides are synced by the second run. Asserts what
//! each side holds afterwards (messages byte for byte, flags), in the store and in the Maildir.

#[path = "common/clients.rs"]
mod clients;
mod server_support;

use std::path::Path;
use std::time::Duration;

use clients::{
    FIRST, MESSAGES, PARTS, THIRD, contents, create, letters_to_flags, maildir_letters,
    maildir_messages, put, run, simple, subject, to_lf,
};
use mailstore::{Flag, FlagOp, UidSet};
use server_support::TestServer;

/// The mbsync configuration: every mailbox (`Patterns *`), created, expunged and flagged both
/// ways, plain LOGIN on loopback.
fn config(port: u16, near: &Path) -> String {
    let near = near.display();
    format!(
        "IMAPAccount far\nHost 127.0.0.1\nPort {port}\nUser alice\nPass wonderland\n\
         SSLType None\nAuthMechs LOGIN\n\n\
         IMAPStore far\nAccount far\n\n\
         MaildirStore near\nPath {near}/\nInbox {near}/INBOX\nSubFolders Verbatim\n\n\
         Channel all\nFar :far:\nNear :near:\nPatterns *\nCreate Both\nRemove None\n\
         Expunge Both\nSyncState *\n"
    )
}

/// `message` without the `X-TUID:` header line mbsync adds to every message it copies (to
/// find it again after an interruption).
fn without_tuid(message: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(message.len());
    let mut in_header = true;
    for line in message.split_inclusive(|&b| b == b'\n') {
        if in_header && line.starts_with(b"X-TUID: ") {
            continue;
        }
        if line == b"\n" || line == b"\r\n" {
            in_header = false;
        }
        out.extend_from_slice(line);
    }
    out
}

/// `(subject, flags)` of a local Maildir folder, sorted by subject.
fn near_state(folder: &Path) -> Vec<(String, Vec<String>)> {
    let mut out: Vec<_> = maildir_messages(folder)
        .into_iter()
        .map(|(name, bytes)| (subject(&bytes), letters_to_flags(&maildir_letters(&name))))
        .collect();
    out.sort();
    out
}

/// `(subject, flags)` of a mailbox on the server, sorted by subject.
async fn far_state(server: &TestServer, mailbox: &str) -> Vec<(String, Vec<String>)> {
    let mut out: Vec<_> = contents(server, mailbox)
        .await
        .into_iter()
        .map(|(_, bytes, flags)| (subject(&bytes), flags))
        .collect();
    out.sort();
    out
}

fn strings(items: &[(&str, &[&str])]) -> Vec<(String, Vec<String>)> {
    items
        .iter()
        .map(|(s, f)| (s.to_string(), f.iter().map(|f| f.to_string()).collect()))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mbsync_syncs_down_and_back_with_flags_and_deletions() {
    testkit::peer::require("mbsync");
    let server = TestServer::start(Default::default()).await;
    put(&server, "INBOX", FIRST, &[Flag::Seen]).await;
    put(&server, "INBOX", PARTS, &[]).await;
    put(&server, "INBOX", THIRD, &[]).await;
    create(&server, "Work").await;
    let work = simple("w@example.org", "work item", "work");
    put(&server, "Work", &work, &[Flag::Flagged]).await;

    let dir = tempfile::tempdir().expect("tempdir");
    let near = dir.path().join("near");
    std::fs::create_dir(&near).expect("near dir");
    let rc = dir.path().join("mbsyncrc");
    std::fs::write(&rc, config(server.addr.port(), &near)).expect("mbsyncrc");
    let rc = rc.display().to_string();
    let sync = || async {
        let run = run(
            "mbsync",
            &["-c", &rc, "-V", "all"],
            &[("HOME", dir.path())],
            Duration::from_secs(60),
        )
        .await;
        run.assert_success("mbsync");
        run
    };

    // Down: every message, byte for byte (mbsync stores LF line ends), with its flags.
    let first = sync().await;
    let inbox = near.join("INBOX");
    let mut got: Vec<Vec<u8>> = maildir_messages(&inbox)
        .into_iter()
        .map(|m| without_tuid(&m.1))
        .collect();
    got.sort();
    let mut want: Vec<Vec<u8>> = MESSAGES.iter().map(|m| to_lf(m)).collect();
    want.sort();
    assert!(
        got == want,
        "INBOX differs after the first sync: got\n{:?}\nwant\n{:?}\n{}",
        got.iter()
            .map(|m| String::from_utf8_lossy(m))
            .collect::<Vec<_>>(),
        want.iter()
            .map(|m| String::from_utf8_lossy(m))
            .collect::<Vec<_>>(),
        first.output
    );
    assert_eq!(
        near_state(&inbox),
        strings(&[
            ("first message", &["\\Seen"]),
            ("parts and pieces", &[]),
            ("third one", &[]),
        ])
    );
    let work_near = maildir_messages(&near.join("Work"));
    assert_eq!(work_near.len(), 1, "{}", first.output);
    assert!(without_tuid(&work_near[0].1) == to_lf(&work));
    assert_eq!(near_state(&near.join("Work"))[0].1, vec!["\\Flagged"]);

    // Changes on the near side: flag one message, delete one, write a new one.
    for (name, _) in maildir_messages(&inbox) {
        let sub = if inbox.join("cur").join(&name).exists() {
            "cur"
        } else {
            "new"
        };
        let path = inbox.join(sub).join(&name);
        let text = std::fs::read(&path).expect("read");
        if subject(&text) == "parts and pieces" {
            let flagged = if name.contains(":2,") {
                format!("{name}F")
            } else {
                format!("{name}:2,F")
            };
            std::fs::rename(&path, inbox.join("cur").join(flagged)).expect("flag");
        } else if subject(&text) == "third one" {
            std::fs::remove_file(&path).expect("delete");
        }
    }
    let local = simple("local@example.org", "written locally", "local");
    std::fs::write(inbox.join("new").join("1.local"), to_lf(&local)).expect("new local");
    // ... and on the far side: a flag, and a new delivery.
    server
        .account("alice")
        .await
        .store_flags(
            "INBOX",
            &UidSet::single(1),
            FlagOp::Add,
            &[Flag::Answered].into_iter().collect(),
            None,
        )
        .await
        .expect("store flags");
    let delivered = simple("new@example.org", "delivered meanwhile", "new");
    put(&server, "INBOX", &delivered, &[]).await;

    // Back (and down again): both sides end up the same.
    let second = sync().await;
    let expected = strings(&[
        ("delivered meanwhile", &[]),
        ("first message", &["\\Answered", "\\Seen"]),
        ("parts and pieces", &["\\Flagged"]),
        ("written locally", &[]),
    ]);
    assert_eq!(
        far_state(&server, "INBOX").await,
        expected,
        "{}",
        second.output
    );
    assert_eq!(near_state(&inbox), expected, "{}", second.output);
    let far = contents(&server, "INBOX").await;
    let uploaded = far
        .iter()
        .find(|m| subject(&m.1) == "written locally")
        .expect("uploaded");
    assert!(
        without_tuid(&to_lf(&uploaded.1)) == to_lf(&local),
        "uploaded message differs: {:?} from {:?}",
        String::from_utf8_lossy(&without_tuid(&to_lf(&uploaded.1))),
        String::from_utf8_lossy(&to_lf(&local)),
    );
    assert!(
        maildir_messages(&inbox)
            .iter()
            .any(|m| without_tuid(&m.1) == to_lf(&delivered)),
        "the delivery did not come down"
    );
    assert_eq!(
        far_state(&server, "Work").await,
        strings(&[("work item", &["\\Flagged"])])
    );

    // A third run has nothing to do and changes nothing.
    sync().await;
    assert_eq!(far_state(&server, "INBOX").await, expected);
    assert_eq!(near_state(&inbox), expected);
    server.stop().await;
}
