//! Message operations: append, read, flags and MODSEQ, expunge, copy and move.

use std::collections::BTreeSet;
use std::time::{Duration, UNIX_EPOCH};

use futures::StreamExt;

use super::{append, message};
use crate::{
    AppendOptions, Flag, FlagOp, Flags, MailStore, MessageSource, StoreError, UidSet, flags,
};

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
    super::assert_size(first.size, &m1, "size of an LF message");
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
        super::assert_size(meta.size, t, "size of a tricky message");
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
    // The compact snapshot says what `status` and `messages 1:*` say.
    let snap = acc.flag_snapshot("INBOX").await.expect("flag snapshot");
    assert_eq!(snap.status, acc.status("INBOX").await.expect("status"));
    let all = acc.messages("INBOX", &UidSet::all()).await.expect("meta");
    assert_eq!(snap.messages.len(), all.len());
    for (c, m) in snap.messages.iter().zip(&all) {
        assert_eq!(
            (c.uid, c.modseq, c.flags()),
            (m.uid, m.modseq, m.flags.clone())
        );
    }
    assert_eq!(snap.messages[0].system, 0b10110, "Answered, Flagged, Draft");
    assert_eq!(&*snap.messages[0].keywords, ["$Forwarded".to_string()]);
    assert!(matches!(
        acc.flag_snapshot("NoSuchBox").await,
        Err(StoreError::NoSuchMailbox(_))
    ));
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
    // A kept snapshot is not given again once the mailbox changed.
    let again = acc.flag_snapshot("INBOX").await.expect("flag snapshot");
    assert_eq!(
        (again.messages[0].modseq, again.messages[0].flags()),
        (h2, m[0].flags.clone())
    );
    assert!(again.status.highest_modseq > snap.status.highest_modseq);

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

/// Sizes are `RFC822.SIZE`: with CRLF line ends, whatever line ends the message was stored with
/// (LF, CRLF, mixed, a lone CR, no final line end), appended whole or streamed, and after a copy.
pub async fn rfc822_sizes(store: &dyn MailStore) {
    let acc = store.account("conf-sizes").await.expect("open account");
    acc.create("Copies", None).await.expect("create");
    let cases: Vec<&[u8]> = vec![
        b"Subject: lf\n\nline one\nline two\n",
        b"Subject: crlf\r\n\r\nline one\r\nline two\r\n",
        b"Subject: mixed\r\n\nline\r\nline\n\n",
        b"Subject: lone cr\n\na\rb\n",
        b"Subject: no end\n\nend",
    ];
    let mut uids = Vec::new();
    for (i, m) in cases.iter().enumerate() {
        let source = if i % 2 == 0 {
            MessageSource::from(m.to_vec())
        } else {
            let reader: Box<dyn tokio::io::AsyncRead + Send + Unpin> =
                Box::new(std::io::Cursor::new(m.to_vec()));
            MessageSource::Reader(reader)
        };
        let uid = acc
            .append("INBOX", source, AppendOptions::default())
            .await
            .expect("append");
        uids.push(uid);
    }
    let metas = acc
        .messages("INBOX", &UidSet::all())
        .await
        .expect("messages");
    for (m, uid) in cases.iter().zip(&uids) {
        let meta = metas.iter().find(|x| x.uid == *uid).expect("meta");
        assert_eq!(
            meta.size,
            crate::rfc822_size(m),
            "RFC822.SIZE of {:?}",
            String::from_utf8_lossy(m)
        );
        assert_eq!(
            acc.read("INBOX", *uid).await.expect("read"),
            m.to_vec(),
            "stored bytes unchanged"
        );
    }
    let total: u64 = cases.iter().map(|m| crate::rfc822_size(m)).sum();
    assert_eq!(acc.status("INBOX").await.expect("status").size, total);
    acc.copy("INBOX", &UidSet::all(), "Copies")
        .await
        .expect("copy");
    let copies = acc
        .messages("Copies", &UidSet::all())
        .await
        .expect("copies");
    let mut got: Vec<u64> = copies.iter().map(|m| m.size).collect();
    let mut want: Vec<u64> = cases.iter().map(|m| crate::rfc822_size(m)).collect();
    got.sort_unstable();
    want.sort_unstable();
    assert_eq!(got, want, "a copy keeps the CRLF sizes");
}
