//! Interop with a real Dovecot (the Debian package), run on 127.0.0.1 on a free high port as
//! this test's own instance: Dovecot serves a Maildir this crate wrote, and this crate reads a
//! Maildir Dovecot wrote through IMAP. Skipped, with a message, only if Dovecot is not installed.

use std::collections::BTreeMap;

#[path = "support/dovecot.rs"]
mod support;
use support::{Dovecot, chown_dovecot, dovecot_installed};

use mailstore::conformance::{id_of, message};
use mailstore::maildir::MaildirStore;
use mailstore::{AppendOptions, Flag, Flags, MailStore, SpecialUse, UidSet, flags};

fn sys(f: &Flags) -> Flags {
    f.iter()
        .filter(|f| !matches!(f, Flag::Keyword(_)))
        .cloned()
        .collect()
}

fn cases() -> Vec<(&'static str, &'static str, Flags)> {
    vec![
        ("INBOX", "m-plain", Flags::new()),
        ("INBOX", "m-seen", flags([Flag::Seen])),
        (
            "INBOX",
            "m-answered-flagged",
            flags([Flag::Answered, Flag::Flagged]),
        ),
        ("INBOX", "m-deleted", flags([Flag::Deleted, Flag::Seen])),
        ("INBOX", "m-draft", flags([Flag::Draft])),
        ("Sent", "s-one", flags([Flag::Seen])),
        ("Archive.2026", "a-one", flags([Flag::Flagged])),
    ]
}

#[test]
fn dovecot_serves_our_maildir() {
    if !dovecot_installed() {
        return;
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let mail = dir.join("mail");
    rt.block_on(async {
        let store = MaildirStore::new(&mail);
        let acc = store.account("alice").await.expect("account");
        acc.create("Sent", Some(SpecialUse::Sent))
            .await
            .expect("create");
        acc.create("Archive.2026", None).await.expect("create");
        acc.create("Dated", None).await.expect("create");
        let dated = AppendOptions {
            flags: Flags::new(),
            internal_date: Some(
                std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_700_000_000),
            ),
        };
        acc.append("Dated", message("dated", 1).into(), dated)
            .await
            .expect("append");
        for (mbox, id, f) in cases() {
            let o = AppendOptions {
                flags: f.clone(),
                internal_date: None,
            };
            acc.append(mbox, message(id, 3).into(), o)
                .await
                .expect("append");
        }
        // A flag change after delivery, as an IMAP STORE would do.
        let metas = acc
            .messages("INBOX", &UidSet::all())
            .await
            .expect("messages");
        acc.store_flags(
            "INBOX",
            &UidSet::single(metas[0].uid),
            mailstore::FlagOp::Add,
            &flags([Flag::Seen]),
            None,
        )
        .await
        .expect("store");
    });
    chown_dovecot(&mail);
    let dc = Dovecot::start(dir);
    let mut imap = dc.connect("alice");
    let list = String::from_utf8_lossy(&imap.ok("LIST \"\" \"*\"")).to_string();
    for name in ["INBOX", "Sent", "Archive", "Archive.2026"] {
        assert!(
            list.lines()
                .any(|l| l.trim_end().ends_with(&format!(" {name}"))
                    || l.contains(&format!("\"{name}\""))),
            "Dovecot lists {name}: {list}"
        );
    }
    let mut expected: BTreeMap<&str, BTreeMap<String, Flags>> = BTreeMap::new();
    for (mbox, id, f) in cases() {
        let mut f = sys(&f);
        if id == "m-plain" {
            f.insert(Flag::Seen);
        }
        expected.entry(mbox).or_default().insert(id.to_string(), f);
    }
    for (mbox, want) in &expected {
        let got = imap.flags_by_id(mbox);
        assert_eq!(&got, want, "Dovecot's view of {mbox}; log: {}", dc.log());
    }
    // INTERNALDATE is the file's mtime for Dovecot too.
    imap.ok("SELECT Dated");
    let date = String::from_utf8_lossy(&imap.ok("UID FETCH 1:* (INTERNALDATE)")).to_string();
    assert!(
        date.contains("\"14-Nov-2023 22:13:20 +0000\""),
        "INTERNALDATE seen by Dovecot: {date}"
    );
    // The bodies Dovecot serves are ours, byte for byte.
    imap.ok("SELECT INBOX");
    let body = String::from_utf8_lossy(&imap.ok("UID FETCH 1:* BODY.PEEK[]")).replace("\r\n", "\n");
    let body = body.as_bytes();
    let needle = message("m-plain", 3);
    assert!(
        body.windows(needle.len()).any(|w| w == needle.as_slice()),
        "body served intact"
    );
    // Dovecot changes the Maildir in turn: a flag, and a new message.
    let uids = imap.ok("UID SEARCH HEADER X-Conformance-Id m-draft");
    let uid = String::from_utf8_lossy(&uids)
        .split_whitespace()
        .last()
        .unwrap_or("")
        .to_string();
    imap.ok(&format!("UID STORE {uid} +FLAGS (\\Seen)"));
    let (_, status) = imap.run(
        "APPEND INBOX (\\Answered)",
        Some(message("via-dovecot", 3).as_slice()),
    );
    assert!(status.contains("OK"), "APPEND: {status}");
    imap.ok("LOGOUT");
    drop(dc);
    rt.block_on(async {
        let store = MaildirStore::new(&mail);
        let acc = store.account("alice").await.expect("account");
        let mut seen = BTreeMap::new();
        let metas = acc
            .messages("INBOX", &UidSet::all())
            .await
            .expect("messages");
        for m in &metas {
            let data = acc.read("INBOX", m.uid).await.expect("read");
            seen.insert(id_of(&data).expect("id"), (m.uid, sys(&m.flags)));
        }
        assert_eq!(
            seen.get("m-draft").map(|v| v.1.clone()),
            Some(flags([Flag::Draft, Flag::Seen])),
            "Dovecot's STORE seen"
        );
        let (new_uid, new_flags) = seen
            .get("via-dovecot")
            .cloned()
            .expect("Dovecot's APPEND seen");
        assert_eq!(new_flags, flags([Flag::Answered]));
        assert!(
            metas.iter().all(|m| m.uid <= new_uid),
            "the outside message got the next UID"
        );
    });
}

#[test]
fn we_read_dovecots_maildir() {
    if !dovecot_installed() {
        return;
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    std::fs::create_dir_all(dir.join("mail")).expect("mkdir");
    chown_dovecot(&dir.join("mail"));
    let dc = Dovecot::start(dir);
    let mut imap = dc.connect("alice");
    imap.ok("CREATE Sent");
    imap.ok("CREATE Archive.2026");
    for (mbox, id, f) in cases() {
        let fl: Vec<&str> = f.iter().map(|f| f.as_imap()).collect();
        let crlf = String::from_utf8(message(id, 3))
            .expect("utf8")
            .replace('\n', "\r\n");
        let (_, status) = imap.run(
            &format!("APPEND {mbox} ({})", fl.join(" ")),
            Some(crlf.as_bytes()),
        );
        assert!(status.contains("OK"), "APPEND {id}: {status}");
    }
    // Flags changed after delivery, through Dovecot.
    imap.ok("SELECT INBOX");
    imap.ok("UID STORE 1 +FLAGS (\\Flagged)");
    imap.ok("UID STORE 2 -FLAGS (\\Seen)");
    imap.ok("UID STORE 3 +FLAGS ($Forwarded)");
    let dovecot_view: BTreeMap<String, Flags> = imap.flags_by_id("INBOX");
    imap.ok("LOGOUT");
    drop(imap);
    drop(dc);

    let rt = tokio::runtime::Runtime::new().expect("runtime");
    rt.block_on(async {
        let store = MaildirStore::new(dir.join("mail"));
        let acc = store.account("alice").await.expect("account");
        let names: Vec<String> = acc
            .list()
            .await
            .expect("list")
            .into_iter()
            .map(|m| m.name)
            .collect();
        for n in ["INBOX", "Sent", "Archive.2026"] {
            assert!(names.iter().any(|m| m == n), "{n} listed: {names:?}");
        }
        let list = acc.list().await.expect("list");
        let parent = list
            .iter()
            .find(|m| m.name == "Archive")
            .expect("implied parent listed");
        assert!(parent.has_children, "Archive has children");
        let mut expected: BTreeMap<&str, BTreeMap<String, Flags>> = BTreeMap::new();
        for (mbox, id, f) in cases() {
            let mut f = sys(&f);
            match id {
                "m-plain" => {
                    f.insert(Flag::Flagged);
                }
                "m-seen" => {
                    f.remove(&Flag::Seen);
                }
                _ => {}
            }
            expected.entry(mbox).or_default().insert(id.to_string(), f);
        }
        assert_eq!(
            expected.get("INBOX"),
            Some(&dovecot_view),
            "test's expectation matches Dovecot's own view"
        );
        let all = acc
            .messages("INBOX", &UidSet::all())
            .await
            .expect("messages");
        let fwd = all
            .iter()
            .filter(|m| m.flags.contains(&Flag::Keyword("$Forwarded".into())))
            .count();
        assert_eq!(
            fwd, 1,
            "Dovecot's keyword (dovecot-keywords letter) read: {all:?}"
        );
        for (mbox, want) in &expected {
            let mut got = BTreeMap::new();
            for m in acc.messages(mbox, &UidSet::all()).await.expect("messages") {
                let data = acc.read(mbox, m.uid).await.expect("read");
                assert_eq!(
                    mailstore::rfc822_size(&data),
                    m.size,
                    "size from Dovecot's W= is the file's size with CRLF line ends"
                );
                let id = id_of(&data).expect("id");
                let plain = String::from_utf8_lossy(&data).replace("\r\n", "\n");
                assert_eq!(plain.as_bytes(), message(&id, 3).as_slice(), "{id} intact");
                got.insert(id, sys(&m.flags));
            }
            assert_eq!(&got, want, "our view of Dovecot's {mbox}");
        }
    });
}
