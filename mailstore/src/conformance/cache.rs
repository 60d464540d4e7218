//! The per-message cache of derived data ([`Account::cached`](crate::Account::cached),
//! [`Account::put_cached`](crate::Account::put_cached)).

use std::sync::Arc;

use bytes::Bytes;

use super::{append, message};
use crate::{Account, Flag, FlagOp, MailStore, UidSet, flags};

/// A blob standing for a message's derived data: distinct per UID and `round`, of a size
/// that varies with the UID (0 octets included).
fn blob(uid: u32, round: u32) -> Bytes {
    let len = (uid as usize * 37 + round as usize * 11) % 700;
    let mut b = format!("uid={uid} round={round};").into_bytes();
    b.extend((0..len).map(|i| (i as u32 ^ uid ^ round) as u8));
    Bytes::from(b)
}

async fn cached(acc: &dyn Account, mailbox: &str, uids: &UidSet) -> Vec<(u32, Bytes)> {
    acc.cached(mailbox, uids)
        .await
        .unwrap_or_else(|e| panic!("cached({mailbox}): {e}"))
}

async fn put(acc: &dyn Account, mailbox: &str, entries: Vec<(u32, Bytes)>) {
    acc.put_cached(mailbox, entries)
        .await
        .unwrap_or_else(|e| panic!("put_cached({mailbox}): {e}"))
}

/// Put then get, batches in UID order, missing UIDs left out, replaced entries, entries of
/// unknown UIDs ignored, expunged messages without entries, deleted mailboxes taking theirs
/// along, a renamed mailbox keeping its entries.
pub async fn cached_data(store: &dyn MailStore) {
    let acc = store.account("conf-cache").await.expect("open account");
    acc.create("Derived", None).await.expect("create");
    let mut uids = Vec::new();
    for i in 0..12 {
        uids.push(append(acc.as_ref(), "Derived", message(&format!("c{i}"), 3), &[]).await);
    }
    assert!(
        cached(acc.as_ref(), "Derived", &UidSet::all())
            .await
            .is_empty(),
        "nothing cached at first"
    );

    // One entry, then a batch (given out of order) leaving some messages without.
    put(acc.as_ref(), "Derived", vec![(uids[0], blob(uids[0], 0))]).await;
    assert_eq!(
        cached(acc.as_ref(), "Derived", &UidSet::single(uids[0])).await,
        vec![(uids[0], blob(uids[0], 0))],
        "put then get"
    );
    let batch: Vec<(u32, Bytes)> = uids[1..]
        .iter()
        .rev()
        .filter(|u| *u % 3 != 0)
        .map(|u| (*u, blob(*u, 0)))
        .collect();
    put(acc.as_ref(), "Derived", batch).await;
    let want: Vec<(u32, Bytes)> = uids
        .iter()
        .enumerate()
        .filter(|(i, u)| *i == 0 || *u % 3 != 0)
        .map(|(_, u)| (*u, blob(*u, 0)))
        .collect();
    assert_eq!(
        cached(acc.as_ref(), "Derived", &UidSet::all()).await,
        want,
        "batch get: every entry, in UID order, messages without one left out"
    );
    let mut some = UidSet::single(uids[5]);
    some.push_range(uids[2], uids[3]);
    some.push_range(uids[11].saturating_add(100), uids[11].saturating_add(200));
    let got = cached(acc.as_ref(), "Derived", &some).await;
    assert_eq!(
        got,
        want.iter()
            .filter(|(u, _)| some.contains(*u))
            .cloned()
            .collect::<Vec<_>>(),
        "only the UIDs asked for; unknown ones left out"
    );

    // Replacing entries; an entry for a UID that does not exist (yet) is ignored.
    let next = acc.status("Derived").await.expect("status").uid_next;
    put(
        acc.as_ref(),
        "Derived",
        vec![
            (uids[1], blob(uids[1], 1)),
            (next, blob(next, 1)),
            (uids[0], Bytes::new()),
        ],
    )
    .await;
    let later = append(acc.as_ref(), "Derived", message("c-later", 3), &[]).await;
    assert_eq!(later, next, "the next message gets UIDNEXT");
    let got = cached(acc.as_ref(), "Derived", &UidSet::all()).await;
    let by_uid: std::collections::BTreeMap<u32, Bytes> = got.into_iter().collect();
    assert_eq!(by_uid.get(&uids[1]), Some(&blob(uids[1], 1)), "replaced");
    assert_eq!(by_uid.get(&uids[0]), Some(&Bytes::new()), "empty blob kept");
    assert!(
        !by_uid.contains_key(&later),
        "a message appended later does not inherit an entry put before it existed"
    );

    // Expunge: the message's entry goes with it.
    let gone = uids[1];
    acc.store_flags(
        "Derived",
        &UidSet::single(gone),
        FlagOp::Add,
        &flags([Flag::Deleted]),
        None,
    )
    .await
    .expect("store");
    acc.expunge("Derived", None).await.expect("expunge");
    let got = cached(acc.as_ref(), "Derived", &UidSet::all()).await;
    assert!(
        got.iter().all(|(u, _)| *u != gone),
        "expunged message has no entry"
    );
    assert_eq!(got.len(), by_uid.len() - 1, "the others stay");

    // Many rounds of replacements: compaction keeps exactly the newest entries.
    for round in 2..40 {
        let all: Vec<(u32, Bytes)> = uids[2..].iter().map(|u| (*u, blob(*u, round))).collect();
        put(acc.as_ref(), "Derived", all).await;
    }
    let got = cached(acc.as_ref(), "Derived", &UidSet::all()).await;
    let want: Vec<(u32, Bytes)> = std::iter::once((uids[0], Bytes::new()))
        .chain(uids[2..].iter().map(|u| (*u, blob(*u, 39))))
        .collect();
    assert_eq!(got, want, "newest entries after many replacements");

    // Rename keeps the entries (same UIDs); delete takes them along.
    acc.rename("Derived", "Derived2").await.expect("rename");
    assert_eq!(
        cached(acc.as_ref(), "Derived2", &UidSet::all()).await,
        want,
        "entries move with a renamed mailbox"
    );
    acc.delete("Derived2").await.expect("delete");
    acc.create("Derived2", None).await.expect("re-create");
    let fresh = append(acc.as_ref(), "Derived2", message("c-new", 1), &[]).await;
    assert!(
        cached(acc.as_ref(), "Derived2", &UidSet::all())
            .await
            .is_empty(),
        "a deleted and re-created mailbox has no entries (UID {fresh} is new)"
    );
    assert!(
        acc.cached("NoSuchBox", &UidSet::all()).await.is_err(),
        "cached on a missing mailbox is an error"
    );
}

/// Two store values over the same data (as two processes would be) see each other's entries,
/// including replacements and a compaction by the other.
pub async fn cached_across_instances(make: &(dyn Fn() -> Arc<dyn MailStore> + Sync)) {
    let (s1, s2) = (make(), make());
    let a = s1.account("conf-cache-x").await.expect("account");
    let b = s2.account("conf-cache-x").await.expect("account");
    let mut uids = Vec::new();
    for i in 0..6 {
        uids.push(append(a.as_ref(), "INBOX", message(&format!("x{i}"), 2), &[]).await);
    }
    put(a.as_ref(), "INBOX", vec![(uids[0], blob(uids[0], 0))]).await;
    assert_eq!(
        cached(b.as_ref(), "INBOX", &UidSet::all()).await,
        vec![(uids[0], blob(uids[0], 0))],
        "B sees A's entry"
    );
    put(
        b.as_ref(),
        "INBOX",
        uids.iter().map(|u| (*u, blob(*u, 1))).collect(),
    )
    .await;
    let want: Vec<(u32, Bytes)> = uids.iter().map(|u| (*u, blob(*u, 1))).collect();
    assert_eq!(
        cached(a.as_ref(), "INBOX", &UidSet::all()).await,
        want,
        "A sees B's entries, replacing its own"
    );
    // A compacts (many replacements); B, holding the old file, follows.
    for round in 2..30 {
        put(
            a.as_ref(),
            "INBOX",
            uids.iter().map(|u| (*u, blob(*u, round))).collect(),
        )
        .await;
    }
    let want: Vec<(u32, Bytes)> = uids.iter().map(|u| (*u, blob(*u, 29))).collect();
    assert_eq!(
        cached(b.as_ref(), "INBOX", &UidSet::all()).await,
        want,
        "B follows A's compaction"
    );
    // B expunges; A no longer returns that entry.
    b.store_flags(
        "INBOX",
        &UidSet::single(uids[2]),
        FlagOp::Add,
        &flags([Flag::Deleted]),
        None,
    )
    .await
    .expect("store");
    b.expunge("INBOX", None).await.expect("expunge");
    let got = cached(a.as_ref(), "INBOX", &UidSet::all()).await;
    assert_eq!(
        got.iter().map(|(u, _)| *u).collect::<Vec<_>>(),
        uids.iter()
            .copied()
            .filter(|u| *u != uids[2])
            .collect::<Vec<_>>(),
        "an expunge by the other instance removes the entry"
    );
}
