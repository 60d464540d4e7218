//! The RFC 9051 §8 sample session's selected part, body sections, EXAMINE, COPY/MOVE, mbox.

use super::*;

#[tokio::test]
async fn select_then_the_rfc9051_sample_session() {
    let (_dir, store) = maildir(&[M1, M2, M3]).await;
    let st = status(&store, "INBOX").await;
    let mut c = client(&store).await;

    // RFC 9051 §8: SELECT, FETCH FULL, FETCH BODY[HEADER], STORE +FLAGS \Deleted.
    let out = c.run("a002 select inbox").await;
    let expected = format!(
        "* FLAGS (\\Seen \\Answered \\Flagged \\Deleted \\Draft)\r\n\
         * OK [PERMANENTFLAGS (\\Seen \\Answered \\Flagged \\Deleted \\Draft \\*)] Flags permitted\r\n\
         * 3 EXISTS\r\n\
         * 0 RECENT\r\n\
         * OK [UNSEEN 1] First unseen\r\n\
         * OK [UIDVALIDITY {}] UIDs valid\r\n\
         * OK [UIDNEXT 4] Predicted next UID\r\n\
         * OK [HIGHESTMODSEQ {}] Highest\r\n\
         a002 OK [READ-WRITE] SELECT completed\r\n",
        st.uid_validity, st.highest_modseq
    );
    assert_eq!(out, expected);
    assert_eq!(c.s.state(), State::Selected { read_only: false });

    let out = c.run("a003 fetch 1 full").await;
    assert_eq!(M1.len(), 154);
    assert_eq!(
        out,
        "* 1 FETCH (FLAGS () INTERNALDATE \"14-Nov-2023 22:13:20 +0000\" RFC822.SIZE 154 \
         ENVELOPE (\"Mon, 7 Feb 1994 21:52:25 -0800\" \"Hello\" ((\"Alice\" NIL \"alice\" \"example.org\")) \
         ((\"Alice\" NIL \"alice\" \"example.org\")) ((\"Alice\" NIL \"alice\" \"example.org\")) \
         ((\"Bob\" NIL \"bob\" \"example.org\")) NIL NIL NIL \"<1@example.org>\") \
         BODY (\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 9 1))\r\n\
         a003 OK FETCH completed\r\n"
    );

    // BODY[HEADER] sets \Seen, and the FLAGS come with it.
    let header_len = M1.len() - b"Hi Bob.\r\n".len();
    let out = c.run("a004 fetch 1 body[header]").await;
    assert_eq!(
        out,
        format!(
            "* 1 FETCH (FLAGS (\\Seen) BODY[HEADER] {{{header_len}}}\r\n{}{})\r\n\
             a004 OK FETCH completed\r\n",
            std::str::from_utf8(&M1[..header_len]).unwrap(),
            ""
        )
    );

    let out = c.run("a005 store 1 +flags \\deleted").await;
    assert_eq!(
        out,
        "* 1 FETCH (FLAGS (\\Seen \\Deleted))\r\na005 OK STORE completed\r\n"
    );

    let out = c.run("a006 expunge").await;
    assert_eq!(out, "* 1 EXPUNGE\r\na006 OK EXPUNGE completed\r\n");
    let out = c.run("a007 fetch 1:* (uid flags)").await;
    assert_eq!(
        out,
        "* 1 FETCH (UID 2 FLAGS ())\r\n* 2 FETCH (UID 3 FLAGS ())\r\na007 OK FETCH completed\r\n"
    );
    let out = c.run("a008 close").await;
    assert_eq!(out, "a008 OK CLOSE completed\r\n");
    assert_eq!(c.s.state(), State::Authenticated);
}

#[tokio::test]
async fn body_parts_binary_and_lf_messages() {
    let (_dir, store) = maildir(&[M1, M2, M3]).await;
    let mut c = client(&store).await;
    c.run("a select INBOX").await;

    let out = c
        .run("b fetch 2 (body.peek[1] binary.peek[2] binary.size[2] body.peek[2.mime])")
        .await;
    assert_eq!(
        out,
        "* 2 FETCH (BINARY.SIZE[2] 4 BINARY[2] ~{4}\r\n\u{0}\u{1}\u{2}\u{3} BODY[1] {23}\r\n\
         Noon at the fish place? BODY[2.MIME] {77}\r\n\
         Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n)\r\n\
         b OK FETCH completed\r\n"
    );
    // PEEK left \Seen alone.
    assert_eq!(
        c.run("c fetch 2 (flags binary.size[])").await,
        format!(
            "* 2 FETCH (FLAGS () BINARY.SIZE[] {})\r\nc OK FETCH completed\r\n",
            M2.len()
        )
    );
    // The LF-only message is served in CRLF form; RFC822.SIZE counts the CRs.
    let crlf = String::from_utf8(crate::server::mime::crlf_view(M3).into_owned()).unwrap();
    let out = c
        .run("d fetch 3 (rfc822.size body.peek[header.fields (subject)] body.peek[]<6.4>)")
        .await;
    // The field names are echoed as asked (RFC 9051 §7.5.2).
    assert_eq!(
        out,
        format!(
            "* 3 FETCH (RFC822.SIZE {} BODY[HEADER.FIELDS (subject)] {{22}}\r\n\
             Subject: Re: Lunch\r\n\r\n BODY[]<6> {{4}}\r\n{})\r\nd OK FETCH completed\r\n",
            crlf.len(),
            &crlf[6..10]
        )
    );
    // RFC822.TEXT sets \Seen; UID FETCH answers with the UID.
    let out = c.run("e uid fetch 3 rfc822.text").await;
    assert_eq!(
        out,
        "* 3 FETCH (UID 3 FLAGS (\\Seen) RFC822.TEXT {13}\r\nFish it is.\r\n)\r\n\
         e OK UID FETCH completed\r\n"
    );
    // A part that does not exist is an empty string.
    assert_eq!(
        c.run("f fetch 1 body.peek[4]").await,
        "* 1 FETCH (BODY[4] {0}\r\n)\r\nf OK FETCH completed\r\n"
    );
    // Numbers beyond the mailbox are BAD (RFC 9051 §6.4).
    assert_eq!(
        c.run("g fetch 9 flags").await,
        "g BAD Invalid message sequence number\r\n"
    );
}

#[tokio::test]
async fn examine_is_read_only() {
    let (_dir, store) = maildir(&[M1]).await;
    let mut c = client(&store).await;
    let out = c.run("a examine INBOX").await;
    assert!(
        out.contains("* OK [PERMANENTFLAGS ()] No permanent flags permitted\r\n"),
        "{out}"
    );
    assert!(
        out.ends_with("a OK [READ-ONLY] EXAMINE completed\r\n"),
        "{out}"
    );
    assert_eq!(c.s.state(), State::Selected { read_only: true });
    // BODY[] does not set \Seen in a read-only mailbox; STORE and EXPUNGE are refused.
    let out = c.run("b fetch 1 (flags body[text])").await;
    assert_eq!(
        out,
        "* 1 FETCH (FLAGS () BODY[TEXT] {9}\r\nHi Bob.\r\n)\r\nb OK FETCH completed\r\n"
    );
    assert_eq!(
        c.run("c store 1 +flags (\\Seen)").await,
        "c NO [READ-ONLY] Mailbox is read-only\r\n"
    );
    assert_eq!(
        c.run("d expunge").await,
        "d NO [READ-ONLY] Mailbox is read-only\r\n"
    );
    // SELECT of another mailbox closes this one first; an IMAP4rev1 client without QRESYNC
    // is not told with CLOSED.
    let out = c.run("e select nosuch").await;
    assert_eq!(out, "e NO [NONEXISTENT] No such mailbox\r\n");
    assert_eq!(c.s.state(), State::Authenticated);
    // Authenticated state: NOOP has nothing to announce; FETCH has no mailbox.
    assert_eq!(c.run("f noop").await, "f OK NOOP completed\r\n");
    assert_eq!(
        c.run("g fetch 1 flags").await,
        "g BAD No mailbox selected\r\n"
    );
}

#[tokio::test]
async fn move_copy_and_trycreate() {
    let (_dir, store) = maildir(&[M1, M2, M3]).await;
    let account = store.account("alice").await.unwrap();
    account.create("Archive", None).await.unwrap();
    let archive = status(&store, "Archive").await;
    let mut c = client(&store).await;
    c.run("a select INBOX").await;

    let out = c.run("b copy 1 Archive").await;
    assert_eq!(
        out,
        format!(
            "b OK [COPYUID {} 1 1] COPY completed\r\n",
            archive.uid_validity
        )
    );
    // RFC 6851 §4.3: COPYUID in an untagged OK, then the expunges.
    let out = c.run("c uid move 2:3 Archive").await;
    assert_eq!(
        out,
        format!(
            "* OK [COPYUID {} 2:3 2:3] Moved UIDs\r\n* 2 EXPUNGE\r\n* 2 EXPUNGE\r\n\
             c OK UID MOVE completed\r\n",
            archive.uid_validity
        )
    );
    assert_eq!(status(&store, "Archive").await.messages, 3);
    assert_eq!(
        c.run("d copy 1 Nowhere").await,
        "d NO [TRYCREATE] No such target mailbox\r\n"
    );
    assert_eq!(
        c.run("e fetch 1:* uid").await,
        "* 1 FETCH (UID 1)\r\ne OK FETCH completed\r\n"
    );
}

#[tokio::test]
async fn mbox_store_serves_fetch() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(MboxStore::new(dir.path()));
    let account = store.account("alice").await.unwrap();
    append(&*account, "INBOX", M1).await;
    append(&*account, "INBOX", M3).await;
    let mut c = Client::new(store, ServerConfig::new("test")).await;
    let out = c.run("a select INBOX").await;
    assert!(out.contains("* 2 EXISTS\r\n"), "{out}");
    let out = c.run("b fetch 2 (body.peek[text] envelope)").await;
    assert_eq!(
        out,
        "* 2 FETCH (ENVELOPE (NIL \"Re: Lunch\" ((\"Dave\" NIL \"dave\" \"example.org\")) \
         ((\"Dave\" NIL \"dave\" \"example.org\")) ((\"Dave\" NIL \"dave\" \"example.org\")) \
         NIL NIL NIL NIL NIL) BODY[TEXT] {13}\r\nFish it is.\r\n)\r\nb OK FETCH completed\r\n"
    );
}

/// Every pair of FETCH items (odd sections and partials included) on every message: the
/// output is always well-formed responses that end in the tagged completion, never a panic.
#[tokio::test]
async fn every_pair_of_fetch_items_gives_well_formed_responses() {
    let (_dir, store) = maildir(&[M1, M2, M3]).await;
    let mut c = client(&store).await;
    c.run("a select INBOX").await;
    let items = [
        "FLAGS",
        "UID",
        "MODSEQ",
        "INTERNALDATE",
        "RFC822.SIZE",
        "ENVELOPE",
        "BODY",
        "BODYSTRUCTURE",
        "RFC822.HEADER",
        "BODY.PEEK[]",
        "BODY.PEEK[]<0.1>",
        "BODY.PEEK[]<100000.5>",
        "BODY.PEEK[TEXT]",
        "BODY.PEEK[HEADER]<3.7>",
        "BODY.PEEK[1]",
        "BODY.PEEK[1.MIME]",
        "BODY.PEEK[2.HEADER]",
        "BODY.PEEK[2.TEXT]",
        "BODY.PEEK[3.1.2]",
        "BODY.PEEK[HEADER.FIELDS (SUBJECT FROM)]",
        "BODY.PEEK[1.HEADER.FIELDS.NOT (CONTENT-TYPE)]",
        "BINARY.PEEK[]",
        "BINARY.PEEK[1]",
        "BINARY.PEEK[2]<1.2>",
        "BINARY.PEEK[7]",
        "BINARY.SIZE[]",
        "BINARY.SIZE[2]",
    ];
    let mut n = 0;
    for (i, a) in items.iter().enumerate() {
        for b in &items[i..] {
            n += 1;
            let tag = format!("t{n}");
            let out = c.run(&format!("{tag} fetch 1:3 ({a} {b})")).await;
            let bytes = out.as_bytes();
            let mut pos = 0;
            let mut fetches = 0;
            let mut done = false;
            while pos < bytes.len() {
                let (r, used) = crate::response::Response::parse(&bytes[pos..])
                    .unwrap_or_else(|e| panic!("{a} {b}: {e:?} in {out:?}"));
                match r {
                    crate::response::Response::Data(crate::response::Data::Fetch { .. }) => {
                        fetches += 1
                    }
                    crate::response::Response::Status(s) if s.tag.is_some() => {
                        assert_eq!(s.tag.unwrap().as_str(), tag);
                        done = true;
                    }
                    other => panic!("{a} {b}: unexpected {other:?}"),
                }
                pos += used;
            }
            assert!(done, "{a} {b}: no completion in {out:?}");
            assert_eq!(fetches, 3, "{a} {b}: {out:?}");
        }
    }
}
