//! CONDSTORE and QRESYNC (RFC 7162) examples, SEARCH MODSEQ, IMAP4rev2 and UTF-8 names.

use super::*;

#[tokio::test]
async fn condstore_changedsince_and_unchangedsince() {
    let (_dir, store) = maildir(&[M1, M2, M3]).await;
    let mut c = client(&store).await;
    let out = c.run("a select INBOX (CONDSTORE)").await;
    let st = status(&store, "INBOX").await;
    assert!(out.contains(&format!(
        "* OK [HIGHESTMODSEQ {}] Highest\r\n",
        st.highest_modseq
    )));
    assert!(c.s.enabled().condstore);

    // RFC 7162 §3.1.3 example: a conditional STORE on one message changed since.
    let out = c.run("b store 2 +flags.silent (\\Flagged)").await;
    let m2 = st.highest_modseq + 1;
    assert_eq!(
        out,
        format!("* 2 FETCH (MODSEQ ({m2}))\r\nb OK STORE completed\r\n")
    );
    let base = st.highest_modseq;
    let out = c
        .run(&format!(
            "c store 1:3 (UNCHANGEDSINCE {base}) +flags.silent (\\Seen)"
        ))
        .await;
    assert!(
        out.ends_with("c OK [MODIFIED 2] Conditional STORE failed\r\n"),
        "{out}"
    );
    // CHANGEDSINCE: only what changed after `base`, with MODSEQ.
    let out = c
        .run(&format!("d fetch 1:* (flags) (changedsince {base})"))
        .await;
    let lines: Vec<&str> = out.split("\r\n").collect();
    assert_eq!(lines.len(), 5, "{out}");
    assert!(
        lines[0].starts_with("* 1 FETCH (FLAGS (\\Seen) MODSEQ ("),
        "{out}"
    );
    assert_eq!(
        lines[1],
        format!("* 2 FETCH (FLAGS (\\Flagged) MODSEQ ({m2}))")
    );
    assert!(
        lines[2].starts_with("* 3 FETCH (FLAGS (\\Seen) MODSEQ ("),
        "{out}"
    );
    assert_eq!(lines[3], "d OK FETCH completed");
    // An implicit \Seen under CONDSTORE reports FLAGS and the new MODSEQ.
    let out = c.run("d2 fetch 2 (body[1])").await;
    let m3 = status(&store, "INBOX").await.highest_modseq;
    assert_eq!(
        out,
        format!(
            "* 2 FETCH (FLAGS (\\Seen \\Flagged) MODSEQ ({m3}) BODY[1] {{23}}\r\n\
             Noon at the fish place?)\r\nd2 OK FETCH completed\r\n"
        )
    );
    // UID STORE's MODIFIED lists UIDs.
    let out = c
        .run(&format!(
            "e uid store 2 (UNCHANGEDSINCE {base}) flags (\\Draft)"
        ))
        .await;
    assert_eq!(out, "e OK [MODIFIED 2] Conditional STORE failed\r\n");
}

#[tokio::test]
async fn qresync_select_and_vanished_fetch() {
    let (_dir, store) = maildir(&[M1, M2, M3]).await;
    let st = status(&store, "INBOX").await;
    let mut c = client(&store).await;
    c.enable(Enabled {
        qresync: true,
        condstore: true,
        ..Enabled::default()
    });
    c.run("a select INBOX").await;
    c.run("b store 2 +flags.silent (\\Deleted)").await;
    let out = c.run("c expunge").await;
    // QRESYNC: VANISHED, not EXPUNGE (RFC 7162 §3.2.10).
    let after = status(&store, "INBOX").await.highest_modseq;
    assert_eq!(
        out,
        format!("* VANISHED 2\r\nc OK [HIGHESTMODSEQ {after}] EXPUNGE completed\r\n")
    );
    c.run("d unselect").await;

    // RFC 7162 §3.2.5.1: the client knew everything up to the first snapshot.
    let out = c
        .run(&format!(
            "e select INBOX (QRESYNC ({} {} 1:3))",
            st.uid_validity, st.highest_modseq
        ))
        .await;
    assert!(out.contains("* 2 EXISTS\r\n"), "{out}");
    assert!(out.contains("* VANISHED (EARLIER) 2\r\n"), "{out}");
    assert!(!out.contains("FETCH"), "nothing else changed: {out}");
    assert!(
        out.ends_with("e OK [READ-WRITE] SELECT completed\r\n"),
        "{out}"
    );

    // UID FETCH ... (CHANGEDSINCE m VANISHED) (RFC 7162 §3.2.6).
    let out = c
        .run(&format!(
            "f uid fetch 1:* (flags) (changedsince {} vanished)",
            st.highest_modseq
        ))
        .await;
    assert_eq!(
        out,
        "* VANISHED (EARLIER) 2\r\nf OK UID FETCH completed\r\n"
    );
    // A wrong UIDVALIDITY gets no resync data.
    let out = c.run("g select INBOX (QRESYNC (1 1))").await;
    assert!(!out.contains("VANISHED"), "{out}");
    // RFC 7162 §3.2.11: the previous mailbox's closing comes first.
    assert!(
        out.starts_with("* OK [CLOSED] Previous mailbox closed\r\n"),
        "{out}"
    );
    // VANISHED without QRESYNC enabled is BAD.
    c.enable(Enabled::default());
    assert_eq!(
        c.run("h uid fetch 1:* flags (changedsince 1 vanished)")
            .await,
        "h BAD ENABLE QRESYNC first\r\n"
    );
}

#[tokio::test]
async fn modseq_search_and_utf8_names() {
    let (_dir, store) = maildir(&[M1, M2]).await;
    let account = store.account("alice").await.unwrap();
    account.create("Entw&APw-rfe", None).await.unwrap();
    let mut c = client(&store).await;
    c.enable(Enabled {
        utf8_accept: true,
        imap4rev2: true,
        ..Enabled::default()
    });
    let out = c.run("a select INBOX").await;
    // IMAP4rev2: a LIST with the name, no RECENT or UNSEEN (RFC 9051 §6.3.2).
    assert!(out.contains("* LIST () \".\" INBOX\r\n"), "{out}");
    assert!(!out.contains("RECENT") && !out.contains("UNSEEN"), "{out}");
    let st = status(&store, "INBOX").await;
    c.run("b store 2 +flags.silent (\\Answered)").await;
    // RFC 7162 §3.1.5: SEARCH MODSEQ answers with the highest MODSEQ of the matches (in
    // ESEARCH for IMAP4rev2, RFC 7162 §3.1.5 / RFC 4731).
    assert_eq!(
        c.run(&format!("c search modseq {}", st.highest_modseq))
            .await,
        format!(
            "* ESEARCH (TAG \"c\") ALL 2 MODSEQ {}\r\nc OK SEARCH completed\r\n",
            st.highest_modseq + 1
        )
    );
    assert!(c.s.enabled().condstore);
    // IMAP4rev2 answers SEARCH with ESEARCH (RFC 9051 §7.3.4).
    assert_eq!(
        c.run("c2 search subject lunch").await,
        "* ESEARCH (TAG \"c2\") ALL 2\r\nc2 OK SEARCH completed\r\n"
    );
    // UTF-8 names reach the store in modified UTF-7, as Dovecot keeps them.
    let out = c.run("d copy 1 \"Entwürfe\"").await;
    assert!(out.starts_with("d OK [COPYUID "), "{out}");
    assert_eq!(status(&store, "Entw&APw-rfe").await.messages, 1);
}
