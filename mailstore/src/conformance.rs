//! The conformance suite: written once against [`MailStore`]/[`Account`] and run against every
//! backend (the crate's own tests run it on Maildir and mbox; a third-party backend runs it the
//! same way). Each check panics with a message saying which rule was broken.
//!
//! ```ignore
//! #[tokio::test(flavor = "multi_thread")]
//! async fn conformance() {
//!     let dir = tempfile::tempdir().unwrap();
//!     let store = std::sync::Arc::new(MyStore::new(dir.path()));
//!     mailstore::conformance::run_all(store).await;
//! }
//! ```
//! Checks that need more than one store value ([`persistence`]) or a configured quota
//! ([`quota`]) are separate, as are the helpers for the multi-process test
//! ([`deliver_tagged`], [`assert_each_once`]).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

use futures::StreamExt;

use crate::{
    Account, AppendOptions, Change, Flag, FlagOp, Flags, MailStore, MessageSource, Quota,
    SpecialUse, StoreError, UidSet, flags, watch,
};

/// The quota [`quota`] expects the store to give user `conf-quota`.
pub const QUOTA: Quota = Quota {
    max_bytes: Some(10_000),
    max_messages: Some(5),
};

/// A test message whose `X-Conformance-Id` header is `id`, with a body of `lines` lines
/// including mbox traps (`From ` and `>From ` at line starts).
pub fn message(id: &str, lines: usize) -> Vec<u8> {
    let mut m = format!(
        "From: a@example.org\nTo: b@example.org\nSubject: test {id}\nMessage-ID: <{id}@conformance>\nX-Conformance-Id: {id}\n\n"
    )
    .into_bytes();
    for i in 0..lines {
        match i % 5 {
            1 => m.extend_from_slice(b"From here on, a line an mbox must quote\n"),
            3 => m.extend_from_slice(b">From already quoted once\n"),
            _ => m.extend_from_slice(format!("line {i} of {id}\n").as_bytes()),
        }
    }
    m
}

/// The `X-Conformance-Id` of a message.
pub fn id_of(msg: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(msg);
    text.lines()
        .take_while(|l| !l.is_empty())
        .find_map(|l| l.strip_prefix("X-Conformance-Id: "))
        .map(|s| s.trim().to_string())
}

fn opts(f: &[Flag]) -> AppendOptions {
    AppendOptions {
        flags: flags(f.iter().cloned()),
        internal_date: None,
    }
}

async fn append(acc: &dyn Account, mbox: &str, msg: Vec<u8>, f: &[Flag]) -> u32 {
    acc.append(mbox, msg.into(), opts(f))
        .await
        .unwrap_or_else(|e| panic!("append to {mbox}: {e}"))
}

/// Runs every check that needs only one store value.
pub async fn run_all(store: Arc<dyn MailStore>) {
    mailboxes(store.as_ref()).await;
    names_refused(store.as_ref()).await;
    append_and_read(store.as_ref()).await;
    flags_and_modseq(store.as_ref()).await;
    expunge_rules(store.as_ref()).await;
    copy_and_move(store.as_ref()).await;
    change_feed(store.as_ref()).await;
    concurrent_tasks(store.clone()).await;
}

/// Create, list (hierarchy, special use, subscriptions), rename with children, delete, INBOX rules.
pub async fn mailboxes(store: &dyn MailStore) {
    let acc = store.account("conf-mbx").await.expect("open account");
    let sep = acc.separator();
    let list = acc.list().await.expect("list");
    assert_eq!(
        list.first().map(|m| m.name.as_str()),
        Some("INBOX"),
        "INBOX listed first, always"
    );

    acc.create("Sent", Some(SpecialUse::Sent))
        .await
        .expect("create Sent");
    let child = format!("Archive{sep}2026");
    acc.create(&child, None)
        .await
        .expect("create child creates parent");
    let list = acc.list().await.expect("list");
    let find = |n: &str| list.iter().find(|m| m.name == n).cloned();
    assert_eq!(
        find("Sent").and_then(|m| m.special_use),
        Some(SpecialUse::Sent)
    );
    assert!(
        find("Archive").is_some_and(|m| m.has_children),
        "parent has children"
    );
    assert!(find(&child).is_some_and(|m| !m.has_children));
    assert!(matches!(
        acc.create("Sent", None).await,
        Err(StoreError::MailboxExists(_))
    ));
    assert!(matches!(
        acc.create("inbox", None).await,
        Err(StoreError::MailboxExists(_))
    ));
    assert!(matches!(
        acc.create("INBOX", None).await,
        Err(StoreError::MailboxExists(_))
    ));
    assert_eq!(
        acc.status("inbox").await.expect("inbox any case").messages,
        0
    );

    acc.set_subscribed("Sent", true).await.expect("subscribe");
    assert!(
        acc.list()
            .await
            .expect("list")
            .iter()
            .any(|m| m.name == "Sent" && m.subscribed)
    );
    acc.set_subscribed("Sent", false)
        .await
        .expect("unsubscribe");
    assert!(
        acc.list()
            .await
            .expect("list")
            .iter()
            .any(|m| m.name == "Sent" && !m.subscribed)
    );
    acc.set_special_use("Archive", Some(SpecialUse::Archive))
        .await
        .expect("set use");

    let uid = append(acc.as_ref(), &child, message("in-child", 3), &[Flag::Seen]).await;
    let validity = acc.status(&child).await.expect("status").uid_validity;
    acc.rename("Archive", "Old")
        .await
        .expect("rename with children");
    let moved = format!("Old{sep}2026");
    let list = acc.list().await.expect("list");
    assert!(
        list.iter().all(|m| m.name != "Archive" && m.name != child),
        "old names gone"
    );
    assert!(
        list.iter()
            .any(|m| m.name == "Old" && m.special_use == Some(SpecialUse::Archive))
    );
    assert_eq!(
        acc.read(&moved, uid)
            .await
            .expect("child's message follows"),
        message("in-child", 3)
    );
    assert_eq!(
        acc.status(&moved).await.expect("status").uid_validity,
        validity,
        "UIDVALIDITY kept by rename"
    );
    assert!(matches!(
        acc.rename("Sent", "Old").await,
        Err(StoreError::MailboxExists(_))
    ));
    assert!(matches!(
        acc.rename("Nope", "X").await,
        Err(StoreError::NoSuchMailbox(_))
    ));

    assert!(
        matches!(
            acc.delete("Old").await,
            Err(StoreError::NotPermitted { .. })
        ),
        "children first"
    );
    acc.delete(&moved).await.expect("delete child");
    acc.delete("Old").await.expect("delete parent");
    assert!(matches!(
        acc.status("Old").await,
        Err(StoreError::NoSuchMailbox(_))
    ));
    assert!(matches!(
        acc.delete("INBOX").await,
        Err(StoreError::NotPermitted { .. })
    ));
    assert!(matches!(
        acc.delete("Nope").await,
        Err(StoreError::NoSuchMailbox(_))
    ));

    let a = append(acc.as_ref(), "INBOX", message("inbox-rename", 2), &[]).await;
    acc.rename("INBOX", "Saved").await.expect("rename INBOX");
    assert_eq!(acc.status("INBOX").await.expect("INBOX stays").messages, 0);
    let saved = acc
        .messages("Saved", &UidSet::all())
        .await
        .expect("messages");
    assert_eq!(saved.len(), 1, "INBOX's messages moved");
    let data = acc.read("Saved", saved[0].uid).await.expect("read");
    assert_eq!(
        id_of(&data).as_deref(),
        Some("inbox-rename"),
        "uid {a} moved intact"
    );
}

/// Names from the network that must be refused, and that nothing is created for them.
pub async fn names_refused(store: &dyn MailStore) {
    for user in ["../evil", "", "a/b", ".."] {
        assert!(
            matches!(store.account(user).await, Err(StoreError::InvalidUser(_))),
            "user {user:?}"
        );
    }
    let acc = store.account("conf-names").await.expect("open account");
    let sep = acc.separator();
    let long = "x".repeat(300);
    let bad = [
        "".to_string(),
        "..".to_string(),
        format!("a{sep}{sep}b"),
        format!("{sep}lead"),
        format!("trail{sep}"),
        "../../etc".to_string(),
        "/etc/passwd".to_string(),
        "a\0b".to_string(),
        "a\\b".to_string(),
        "new\nline".to_string(),
        long,
        "*".to_string(),
        ".hidden".to_string(),
    ];
    for name in &bad {
        assert!(
            matches!(
                acc.create(name, None).await,
                Err(StoreError::InvalidName { .. })
            ),
            "create {name:?}"
        );
        assert!(
            matches!(acc.status(name).await, Err(StoreError::InvalidName { .. })),
            "status {name:?}"
        );
        assert!(
            matches!(
                acc.rename("INBOX", name).await,
                Err(StoreError::InvalidName { .. })
            ),
            "rename to {name:?}"
        );
        assert!(
            matches!(
                acc.append(name, message("x", 1).into(), AppendOptions::default())
                    .await,
                Err(StoreError::InvalidName { .. })
            ),
            "append to {name:?}"
        );
    }
    assert!(matches!(
        acc.create("Inbox", None).await,
        Err(StoreError::MailboxExists(_))
    ));
    let names: Vec<String> = acc
        .list()
        .await
        .expect("list")
        .into_iter()
        .map(|m| m.name)
        .collect();
    assert_eq!(
        names,
        vec!["INBOX".to_string()],
        "no mailbox created by refused names"
    );
}

/// Append (bytes and stream, flags, date), read whole, streamed, by range; sizes, unique ids.
pub async fn append_and_read(store: &dyn MailStore) {
    let acc = store.account("conf-read").await.expect("open account");
    let st0 = acc.status("INBOX").await.expect("status");
    assert!(st0.uid_validity > 0 && st0.uid_next >= 1 && st0.highest_modseq >= 1);
    let date = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    let m1 = message("first", 12);
    let uid1 = acc
        .append(
            "INBOX",
            m1.clone().into(),
            AppendOptions {
                flags: flags([Flag::Seen, Flag::Keyword("$Label1".into())]),
                internal_date: Some(date),
            },
        )
        .await
        .expect("append");
    assert!(uid1 >= st0.uid_next, "UID at least the old UIDNEXT");
    let tricky: Vec<&[u8]> = vec![
        b"From: x@y\r\n\r\nCRLF body\r\nFrom the start\r\n",
        b"Subject: no final newline\n\nend",
        b"Subject: quoted\n\n>>From deep\n>From one\nFrom none\n\nFrom after blank\n",
    ];
    let mut uids = vec![uid1];
    for t in &tricky {
        uids.push(append(acc.as_ref(), "INBOX", t.to_vec(), &[]).await);
    }
    let big: Vec<u8> = message("big", 40_000);
    let reader: Box<dyn tokio::io::AsyncRead + Send + Unpin> =
        Box::new(std::io::Cursor::new(big.clone()));
    let uid_big = acc
        .append(
            "INBOX",
            MessageSource::Reader(reader),
            AppendOptions::default(),
        )
        .await
        .expect("append stream");
    uids.push(uid_big);
    let sorted: Vec<u32> = {
        let mut s = uids.clone();
        s.sort();
        s.dedup();
        s
    };
    assert_eq!(sorted, uids, "UIDs strictly ascending in append order");

    let metas = acc
        .messages("INBOX", &UidSet::all())
        .await
        .expect("messages");
    assert_eq!(metas.iter().map(|m| m.uid).collect::<Vec<_>>(), uids);
    let first = &metas[0];
    assert_eq!(
        first.flags,
        flags([Flag::Seen, Flag::Keyword("$Label1".into())])
    );
    assert_eq!(first.size, m1.len() as u64);
    assert_eq!(
        first
            .internal_date
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .ok(),
        Some(1_700_000_000)
    );
    let ids: BTreeSet<&str> = metas.iter().map(|m| m.unique_id.as_str()).collect();
    assert_eq!(ids.len(), metas.len(), "unique ids are unique");
    assert!(metas.iter().all(|m| !m.unique_id.is_empty()
        && m.unique_id.len() <= 70
        && m.unique_id.bytes().all(|b| (0x21..0x7f).contains(&b))));

    assert_eq!(acc.read("INBOX", uid1).await.expect("read"), m1);
    for (t, uid) in tricky.iter().zip(&uids[1..]) {
        let got = acc.read("INBOX", *uid).await.expect("read tricky");
        assert_eq!(got, t.to_vec(), "message read back byte for byte");
        let meta = metas.iter().find(|m| m.uid == *uid).expect("meta");
        assert_eq!(meta.size, t.len() as u64, "size is the read size");
    }
    let mut streamed = Vec::new();
    let mut stream = acc.read_stream("INBOX", uid_big).await.expect("stream");
    let mut chunks = 0;
    while let Some(c) = stream.next().await {
        streamed.extend_from_slice(&c.expect("chunk"));
        chunks += 1;
    }
    assert_eq!(streamed, big, "streamed read equal");
    assert!(chunks > 1, "a 1 MB message comes in several chunks");
    assert_eq!(
        acc.read_range("INBOX", uid_big, 100..200)
            .await
            .expect("range"),
        big[100..200].to_vec()
    );
    let len = big.len() as u64;
    assert_eq!(
        acc.read_range("INBOX", uid_big, len - 10..len + 50)
            .await
            .expect("range clamps"),
        big[big.len() - 10..].to_vec()
    );
    assert!(
        acc.read_range("INBOX", uid_big, len + 5..len + 9)
            .await
            .expect("range past end")
            .is_empty()
    );

    assert!(matches!(
        acc.read("INBOX", 999_999).await,
        Err(StoreError::NoSuchMessage { .. })
    ));
    assert!(matches!(
        acc.append("Nope", message("x", 1).into(), AppendOptions::default())
            .await,
        Err(StoreError::NoSuchMailbox(_))
    ));
    assert!(matches!(
        acc.append("INBOX", Vec::new().into(), AppendOptions::default())
            .await,
        Err(StoreError::InvalidMessage(_))
    ));
    let st = acc.status("INBOX").await.expect("status");
    assert_eq!(st.messages as usize, uids.len());
    assert_eq!(st.uid_next, uid_big + 1);
    assert_eq!(st.size, metas.iter().map(|m| m.size).sum::<u64>());
    assert_eq!(st.unseen as usize, uids.len() - 1);
}

/// STORE: set/add/remove, keywords, MODSEQ rises only on real changes, CONDSTORE UNCHANGEDSINCE.
pub async fn flags_and_modseq(store: &dyn MailStore) {
    let acc = store.account("conf-flags").await.expect("open account");
    let mut uids = Vec::new();
    for i in 0..4 {
        uids.push(append(acc.as_ref(), "INBOX", message(&format!("f{i}"), 2), &[]).await);
    }
    let h0 = acc.status("INBOX").await.expect("status").highest_modseq;
    let seen: Flags = flags([Flag::Seen]);
    let set = UidSet::range(uids[0], uids[1]);
    let out = acc
        .store_flags("INBOX", &set, FlagOp::Add, &seen, None)
        .await
        .expect("store");
    assert_eq!(out.updated.len(), 2);
    assert!(
        out.updated.iter().all(|u| u.flags == seen && u.modseq > h0),
        "MODSEQ rises"
    );
    let h1 = acc.status("INBOX").await.expect("status").highest_modseq;
    assert!(h1 > h0, "HIGHESTMODSEQ rises");
    assert_eq!(acc.status("INBOX").await.expect("status").unseen, 2);

    let again = acc
        .store_flags("INBOX", &set, FlagOp::Add, &seen, None)
        .await
        .expect("store");
    assert!(
        again.updated.iter().all(|u| u.modseq <= h1),
        "no-op keeps MODSEQ"
    );
    assert_eq!(
        acc.status("INBOX").await.expect("status").highest_modseq,
        h1
    );

    let kw = flags([
        Flag::Flagged,
        Flag::Answered,
        Flag::Draft,
        Flag::Keyword("$Forwarded".into()),
    ]);
    acc.store_flags("INBOX", &UidSet::single(uids[0]), FlagOp::Set, &kw, None)
        .await
        .expect("set");
    let m = acc
        .messages("INBOX", &UidSet::single(uids[0]))
        .await
        .expect("meta");
    assert_eq!(m[0].flags, kw, "FLAGS replaces");
    acc.store_flags(
        "INBOX",
        &UidSet::single(uids[0]),
        FlagOp::Remove,
        &flags([Flag::Draft, Flag::Keyword("$Forwarded".into())]),
        None,
    )
    .await
    .expect("remove");
    let m = acc
        .messages("INBOX", &UidSet::single(uids[0]))
        .await
        .expect("meta");
    assert_eq!(
        m[0].flags,
        flags([Flag::Flagged, Flag::Answered]),
        "-FLAGS removes"
    );
    let h2 = acc.status("INBOX").await.expect("status").highest_modseq;
    assert_eq!(m[0].modseq, h2, "last change has the highest MODSEQ");

    let changes = acc.changes_since("INBOX", h1).await.expect("changes");
    assert_eq!(
        changes.changed.iter().map(|m| m.uid).collect::<Vec<_>>(),
        vec![uids[0]],
        "only uid changed since h1"
    );
    assert_eq!(changes.highest_modseq, h2);

    let all = UidSet::all();
    let cond = acc
        .store_flags(
            "INBOX",
            &all,
            FlagOp::Add,
            &flags([Flag::Deleted]),
            Some(h1),
        )
        .await
        .expect("conditional store");
    assert_eq!(
        cond.modified,
        vec![uids[0]],
        "message changed after UNCHANGEDSINCE is MODIFIED"
    );
    assert_eq!(cond.updated.len(), 3);
    let m = acc
        .messages("INBOX", &UidSet::single(uids[0]))
        .await
        .expect("meta");
    assert!(
        !m[0].flags.contains(&Flag::Deleted),
        "MODIFIED message untouched"
    );
    let after = acc
        .store_flags("INBOX", &UidSet::single(999_999), FlagOp::Add, &seen, None)
        .await
        .expect("absent uid");
    assert!(after.updated.is_empty() && after.modified.is_empty());
}

/// EXPUNGE and UID EXPUNGE, tombstones for QRESYNC, UIDs never reused.
pub async fn expunge_rules(store: &dyn MailStore) {
    let acc = store.account("conf-expunge").await.expect("open account");
    let mut uids = Vec::new();
    for i in 0..4 {
        uids.push(append(acc.as_ref(), "INBOX", message(&format!("e{i}"), 2), &[]).await);
    }
    let h0 = acc.status("INBOX").await.expect("status").highest_modseq;
    let del = flags([Flag::Deleted]);
    acc.store_flags(
        "INBOX",
        &[uids[1], uids[2]].into_iter().collect(),
        FlagOp::Add,
        &del,
        None,
    )
    .await
    .expect("store");
    assert_eq!(
        acc.expunge("INBOX", Some(&UidSet::single(uids[2])))
            .await
            .expect("uid expunge"),
        vec![uids[2]]
    );
    assert_eq!(
        acc.expunge("INBOX", None).await.expect("expunge"),
        vec![uids[1]]
    );
    assert!(
        acc.expunge("INBOX", None)
            .await
            .expect("expunge nothing")
            .is_empty()
    );
    let st = acc.status("INBOX").await.expect("status");
    assert_eq!(st.messages, 2);
    assert!(st.highest_modseq > h0);
    let ch = acc.changes_since("INBOX", h0).await.expect("changes");
    assert_eq!(
        ch.expunged,
        vec![uids[1], uids[2]],
        "expunges reported since h0"
    );
    assert!(matches!(
        acc.read("INBOX", uids[1]).await,
        Err(StoreError::NoSuchMessage { .. })
    ));
    assert_eq!(
        acc.read("INBOX", uids[3]).await.expect("survivor"),
        message("e3", 2)
    );
    let next = append(acc.as_ref(), "INBOX", message("e-after", 1), &[]).await;
    assert!(next > uids[3], "UIDs are never reused");
}

/// COPY and MOVE: COPYUID data, flags and dates kept, content intact.
pub async fn copy_and_move(store: &dyn MailStore) {
    let acc = store.account("conf-copy").await.expect("open account");
    acc.create("Dest", None).await.expect("create");
    let date = UNIX_EPOCH + Duration::from_secs(1_600_000_000);
    let mut uids = Vec::new();
    for i in 0..3 {
        let o = AppendOptions {
            flags: flags([Flag::Flagged, Flag::Keyword(format!("k{i}"))]),
            internal_date: Some(date),
        };
        uids.push(
            acc.append("INBOX", message(&format!("c{i}"), 3).into(), o)
                .await
                .expect("append"),
        );
    }
    let out = acc
        .copy("INBOX", &UidSet::range(uids[0], uids[1]), "Dest")
        .await
        .expect("copy");
    assert_eq!(
        out.uid_validity,
        acc.status("Dest").await.expect("status").uid_validity
    );
    assert_eq!(
        out.uids.iter().map(|p| p.0).collect::<Vec<_>>(),
        vec![uids[0], uids[1]]
    );
    for (i, (_, d)) in out.uids.iter().enumerate() {
        assert_eq!(
            acc.read("Dest", *d).await.expect("read copy"),
            message(&format!("c{i}"), 3)
        );
        let m = acc
            .messages("Dest", &UidSet::single(*d))
            .await
            .expect("meta");
        assert!(
            m[0].flags.contains(&Flag::Flagged)
                && m[0].flags.contains(&Flag::Keyword(format!("k{i}"))),
            "flags copied"
        );
        assert_eq!(m[0].internal_date, date, "INTERNALDATE copied");
    }
    assert_eq!(
        acc.status("INBOX").await.expect("status").messages,
        3,
        "copy leaves the source"
    );
    let mv = acc
        .move_messages("INBOX", &UidSet::single(uids[2]), "Dest")
        .await
        .expect("move");
    assert_eq!(mv.uids.len(), 1);
    assert_eq!(
        acc.status("INBOX").await.expect("status").messages,
        2,
        "move removes from source"
    );
    assert_eq!(
        acc.read("Dest", mv.uids[0].1).await.expect("moved"),
        message("c2", 3)
    );
    assert!(matches!(
        acc.copy("INBOX", &UidSet::all(), "Nope").await,
        Err(StoreError::NoSuchMailbox(_))
    ));
}

/// The change feed sees appends, flag changes and expunges made through another handle.
pub async fn change_feed(store: &dyn MailStore) {
    let acc = store.account("conf-feed").await.expect("open account");
    let mut feed = watch(acc.clone(), "INBOX").await.expect("watch");
    let writer = acc.clone();
    let task =
        tokio::spawn(
            async move { append(writer.as_ref(), "INBOX", message("feed", 1), &[]).await },
        );
    let uid = task.await.expect("join");
    let ev = tokio::time::timeout(Duration::from_secs(10), feed.next())
        .await
        .expect("feed wakes")
        .expect("feed");
    assert!(
        ev.iter()
            .any(|c| matches!(c, Change::New(m) if m.uid == uid)),
        "New seen: {ev:?}"
    );
    acc.store_flags(
        "INBOX",
        &UidSet::single(uid),
        FlagOp::Add,
        &flags([Flag::Seen, Flag::Deleted]),
        None,
    )
    .await
    .expect("store");
    let ev = tokio::time::timeout(Duration::from_secs(10), feed.next())
        .await
        .expect("feed wakes")
        .expect("feed");
    assert!(
        ev.iter().any(
            |c| matches!(c, Change::Flags(m) if m.uid == uid && m.flags.contains(&Flag::Seen))
        ),
        "Flags seen: {ev:?}"
    );
    acc.expunge("INBOX", None).await.expect("expunge");
    let ev = tokio::time::timeout(Duration::from_secs(10), feed.next())
        .await
        .expect("feed wakes")
        .expect("feed");
    assert!(ev.contains(&Change::Expunged(uid)), "Expunged seen: {ev:?}");
    assert!(feed.poll().await.expect("poll").is_empty(), "nothing more");
}

/// A store that gives user `conf-quota` the [`QUOTA`] limits refuses what would exceed them.
pub async fn quota(store: &dyn MailStore) {
    let acc = store.account("conf-quota").await.expect("open account");
    let q = acc.quota().await.expect("quota");
    assert_eq!(q.limit, QUOTA);
    for i in 0..5 {
        append(acc.as_ref(), "INBOX", message(&format!("q{i}"), 1), &[]).await;
    }
    let q = acc.quota().await.expect("quota");
    assert_eq!(q.messages, 5);
    match acc
        .append(
            "INBOX",
            message("q-over", 1).into(),
            AppendOptions::default(),
        )
        .await
    {
        Err(StoreError::QuotaExceeded {
            resource: "messages",
            limit: 5,
            ..
        }) => {}
        other => panic!("expected message quota error, got {other:?}"),
    }
    acc.store_flags(
        "INBOX",
        &UidSet::all(),
        FlagOp::Add,
        &flags([Flag::Deleted]),
        None,
    )
    .await
    .expect("store");
    acc.expunge("INBOX", None).await.expect("expunge");
    let big = vec![b'x'; 20_000];
    match acc
        .append("INBOX", big.into(), AppendOptions::default())
        .await
    {
        Err(
            e @ StoreError::QuotaExceeded {
                resource: "storage",
                ..
            },
        ) => {
            assert!(
                e.to_string().contains("quota exceeded"),
                "clear message: {e}"
            );
        }
        other => panic!("expected storage quota error, got {other:?}"),
    }
    assert_eq!(
        acc.status("INBOX").await.expect("status").messages,
        0,
        "refused message not stored"
    );
}

/// UIDs, UIDVALIDITY, flags and MODSEQs survive reopening the store (`make` opens the same data).
pub async fn persistence(make: &(dyn Fn() -> Arc<dyn MailStore> + Sync)) {
    let (validity, metas) = {
        let store = make();
        let acc = store.account("conf-persist").await.expect("open account");
        acc.create("Keep", None).await.expect("create");
        for i in 0..3 {
            append(
                acc.as_ref(),
                "Keep",
                message(&format!("p{i}"), 2),
                &[Flag::Answered],
            )
            .await;
        }
        acc.store_flags(
            "Keep",
            &UidSet::single(2),
            FlagOp::Add,
            &flags([Flag::Keyword("$Kept".into())]),
            None,
        )
        .await
        .expect("store");
        acc.store_flags(
            "Keep",
            &UidSet::single(1),
            FlagOp::Add,
            &flags([Flag::Deleted]),
            None,
        )
        .await
        .expect("store");
        acc.expunge("Keep", None).await.expect("expunge");
        let st = acc.status("Keep").await.expect("status");
        (
            st,
            acc.messages("Keep", &UidSet::all())
                .await
                .expect("messages"),
        )
    };
    let store = make();
    let acc = store.account("conf-persist").await.expect("reopen");
    let st = acc.status("Keep").await.expect("status");
    assert_eq!(st.uid_validity, validity.uid_validity, "UIDVALIDITY stable");
    assert_eq!(st.uid_next, validity.uid_next, "UIDNEXT stable");
    assert!(
        st.highest_modseq >= validity.highest_modseq,
        "MODSEQ never goes back"
    );
    assert_eq!(
        acc.messages("Keep", &UidSet::all())
            .await
            .expect("messages"),
        metas,
        "same UIDs, flags, MODSEQs"
    );
    let next = append(acc.as_ref(), "Keep", message("p-next", 1), &[]).await;
    assert_eq!(
        next, validity.uid_next,
        "expunged UIDs not reused after restart"
    );
}

/// Delivers `n` tagged messages (`<tag>-<i>`) to `mailbox`, flagging as it goes (for the
/// concurrent checks; a child process of a multi-process test calls it too).
pub async fn deliver_tagged(acc: &dyn Account, mailbox: &str, tag: &str, n: usize) {
    for i in 0..n {
        let uid = append(acc, mailbox, message(&format!("{tag}-{i}"), 1 + i % 7), &[]).await;
        let f = if i % 2 == 0 {
            Flag::Seen
        } else {
            Flag::Keyword(format!("$T{}", tag.len() % 3))
        };
        acc.store_flags(
            mailbox,
            &UidSet::single(uid),
            FlagOp::Add,
            &flags([f]),
            None,
        )
        .await
        .expect("flag own message");
        if i % 3 == 0 {
            // Flag everything at once too, to race with the other writers' renames.
            acc.store_flags(
                mailbox,
                &UidSet::all(),
                FlagOp::Add,
                &flags([Flag::Flagged]),
                None,
            )
            .await
            .expect("flag all");
        }
    }
}

/// Checks that `mailbox` holds each id of `expected` exactly once, intact, with unique UIDs.
pub async fn assert_each_once(acc: &dyn Account, mailbox: &str, expected: &BTreeSet<String>) {
    let metas = acc
        .messages(mailbox, &UidSet::all())
        .await
        .expect("messages");
    let mut seen: BTreeMap<String, u32> = BTreeMap::new();
    for m in &metas {
        let data = acc.read(mailbox, m.uid).await.expect("read");
        assert_eq!(data.len() as u64, m.size, "size of uid {}", m.uid);
        let id = id_of(&data).unwrap_or_else(|| panic!("uid {} has no id: corrupt", m.uid));
        let lines = id
            .rsplit('-')
            .next()
            .and_then(|n| n.parse::<usize>().ok())
            .map(|i| 1 + i % 7);
        if let Some(lines) = lines {
            assert_eq!(data, message(&id, lines), "message {id} intact");
        }
        if let Some(prev) = seen.insert(id.clone(), m.uid) {
            panic!("{id} stored twice (uids {prev} and {})", m.uid);
        }
    }
    let got: BTreeSet<String> = seen.keys().cloned().collect();
    let missing: Vec<_> = expected.difference(&got).collect();
    assert!(missing.is_empty(), "lost messages: {missing:?}");
    let uids: BTreeSet<u32> = metas.iter().map(|m| m.uid).collect();
    assert_eq!(uids.len(), metas.len(), "UIDs unique");
}

/// Four tasks deliver and flag at once; every message is there exactly once.
pub async fn concurrent_tasks(store: Arc<dyn MailStore>) {
    let acc = store
        .account("conf-concurrent")
        .await
        .expect("open account");
    let mut tasks = Vec::new();
    for t in 0..4 {
        let acc = acc.clone();
        tasks.push(tokio::spawn(async move {
            deliver_tagged(acc.as_ref(), "INBOX", &format!("task{t}"), 25).await
        }));
    }
    for t in tasks {
        t.await.expect("task panicked");
    }
    let expected = (0..4)
        .flat_map(|t| (0..25).map(move |i| format!("task{t}-{i}")))
        .collect();
    assert_each_once(acc.as_ref(), "INBOX", &expected).await;
}
