//! The change feed, quota, persistence and concurrent writers.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;

use super::{append, id_of, message};
use crate::{
    Account, AppendOptions, Change, Flag, FlagOp, MailStore, StoreError, UidSet, flags, watch,
};

use super::QUOTA;

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
        super::assert_size(m.size, &data, &format!("size of uid {}", m.uid));
        let id = id_of(&data).unwrap_or_else(|| panic!("uid {} has no id: corrupt", m.uid));
        let lines = id
            .rsplit('-')
            .next()
            .and_then(|n| n.parse::<usize>().ok())
            .map(|i| 1 + i % 7);
        if let Some(lines) = lines {
            assert!(
                data == message(&id, lines),
                "message {id} not intact ({} bytes)",
                data.len()
            );
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

async fn next_changes(feed: &mut crate::ChangeFeed) -> Vec<Change> {
    tokio::time::timeout(Duration::from_secs(10), feed.next())
        .await
        .expect("the feed wakes within 10 s")
        .expect("feed")
}

/// The change feed of one store value sees what another store value over the same data (as
/// another process would) appends, flags and expunges: it finds them by polling.
pub async fn change_feed_across_instances(make: &(dyn Fn() -> Arc<dyn MailStore> + Sync)) {
    let reader = make().account("conf-feed-x").await.expect("account");
    let writer = make().account("conf-feed-x").await.expect("account");
    let mut feed = watch(reader, "INBOX").await.expect("watch");
    let uid = append(writer.as_ref(), "INBOX", message("other", 1), &[]).await;
    let ev = next_changes(&mut feed).await;
    assert!(
        ev.iter()
            .any(|c| matches!(c, Change::New(m) if m.uid == uid)),
        "New seen: {ev:?}"
    );
    writer
        .store_flags(
            "INBOX",
            &UidSet::single(uid),
            FlagOp::Add,
            &flags([Flag::Deleted]),
            None,
        )
        .await
        .expect("store");
    let ev = next_changes(&mut feed).await;
    assert!(
        ev.iter()
            .any(|c| matches!(c, Change::Flags(m) if m.flags.contains(&Flag::Deleted))),
        "Flags seen: {ev:?}"
    );
    writer.expunge("INBOX", None).await.expect("expunge");
    let ev = next_changes(&mut feed).await;
    assert_eq!(ev, vec![Change::Expunged(uid)], "Expunged seen");
}

/// `lock_exclusive` (POP3's maildrop lock, RFC 1939 §8) excludes a second holder in the same
/// store and in another store value over the same data (as another process would be), does not
/// block deliveries, and is released on drop.
pub async fn session_lock(make: &(dyn Fn() -> Arc<dyn MailStore> + Sync)) {
    let (one, two) = (make(), make());
    let a = one.account("conf-lock").await.expect("open account");
    let b = two.account("conf-lock").await.expect("open account");
    a.create("Other", None).await.expect("create");
    let held = a.lock_exclusive("INBOX").await.expect("first lock");
    assert!(
        held.is_held(),
        "a store with session locks gives a held lock"
    );
    for (who, acc) in [("same store", &a), ("other store", &b)] {
        match acc.lock_exclusive("INBOX").await {
            Err(crate::StoreError::Locked(name)) => assert_eq!(name, "INBOX", "{who}"),
            other => panic!("{who}: second lock gave {other:?}"),
        }
    }
    let other = b
        .lock_exclusive("Other")
        .await
        .expect("another mailbox is free");
    append(
        b.as_ref(),
        "INBOX",
        b"Subject: while locked\r\n\r\nx\r\n".to_vec(),
        &[],
    )
    .await;
    drop(held);
    let again = b.lock_exclusive("INBOX").await.expect("free after drop");
    drop((again, other));
    assert!(matches!(
        a.lock_exclusive("Nope").await,
        Err(crate::StoreError::NoSuchMailbox(_))
    ));
}
