//! C:/S: transcripts of the selected state over a real Maildir (and one mbox) in a temporary
//! directory: commands are given as parsed `Request`s, the answers are the session's output.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use bytes::Bytes;
use mailstore::maildir::MaildirStore;
use mailstore::mbox::MboxStore;
use mailstore::{
    Account, AppendOptions, ByteStream, ChangeSet, CopyOutcome, FlagOp, Flags, MailStore,
    MailboxInfo, MailboxStatus, MessageMeta, MessageSource, QuotaUsage, SpecialUse, StoreOutcome,
    UidSet,
};

use super::super::{Mailboxes, Progress};
use crate::command::Command;
use crate::server::session::{Enabled, Request, ServerConfig, ServerSession, State};

/// 14-Nov-2023 22:13:20 +0000.
const DATE: u64 = 1_700_000_000;

const M1: &[u8] = b"From: Alice <alice@example.org>\r\n\
To: Bob <bob@example.org>\r\n\
Subject: Hello\r\n\
Date: Mon, 7 Feb 1994 21:52:25 -0800\r\n\
Message-ID: <1@example.org>\r\n\
\r\n\
Hi Bob.\r\n";

const M2: &[u8] = b"From: Carol <carol@example.org>\r\n\
To: Bob <bob@example.org>\r\n\
Subject: Lunch\r\n\
Date: Tue, 8 Feb 1994 12:00:00 +0000\r\n\
MIME-Version: 1.0\r\n\
Content-Type: multipart/mixed; boundary=\"b\"\r\n\
\r\n\
--b\r\n\
Content-Type: text/plain; charset=us-ascii\r\n\
\r\n\
Noon at the fish place?\r\n\
--b\r\n\
Content-Type: application/octet-stream\r\n\
Content-Transfer-Encoding: base64\r\n\
\r\n\
AAECAw==\r\n\
--b--\r\n";

/// Stored with bare LFs: served as CRLF.
const M3: &[u8] = b"From: Dave <dave@example.org>\n\
Subject: Re: Lunch\n\
\n\
Fish it is.\n";

/// A session and its glue.
struct Client {
    mb: Mailboxes,
    s: ServerSession,
}

/// A parsed command, its input leaked so that it lives as long as the request.
fn request(line: &str) -> Request {
    let bytes: &'static [u8] = Box::leak(format!("{line}\r\n").into_bytes().into_boxed_slice());
    let (cmd, _) = Command::parse(bytes).expect("the test's command parses");
    Request {
        tag: cmd.tag,
        command: cmd.body,
    }
}

impl Client {
    async fn new(store: Arc<dyn MailStore>, config: ServerConfig) -> Client {
        let mut mb = Mailboxes::new(store);
        mb.open("alice").await.expect("account opens");
        let mut s = ServerSession::new_preauth(Arc::new(config), "alice");
        s.take_output();
        Client { mb, s }
    }

    /// Runs one command to its end, writing whenever it pauses; the output and the pauses.
    async fn run_counting(&mut self, line: &str) -> (String, usize) {
        let req = request(line);
        self.s.begin(req.tag.clone());
        let mut out = Vec::new();
        let mut pauses = 0;
        let mut p = self.mb.run(req, &mut self.s).await;
        out.extend(self.s.take_output());
        while p == Progress::Paused {
            pauses += 1;
            assert!(pauses < 100_000, "a paused command never ends");
            p = self.mb.resume(&mut self.s).await;
            out.extend(self.s.take_output());
        }
        (String::from_utf8_lossy(&out).into_owned(), pauses)
    }

    async fn run(&mut self, line: &str) -> String {
        self.run_counting(line).await.0
    }

    fn enable(&mut self, enabled: Enabled) {
        self.s.set_enabled(enabled);
    }
}

/// A Maildir store in a temporary directory with `messages` in INBOX (INTERNALDATE [`DATE`]).
async fn maildir(messages: &[&[u8]]) -> (tempfile::TempDir, Arc<MaildirStore>) {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Arc::new(MaildirStore::new(dir.path()));
    let account = store.account("alice").await.expect("account");
    for m in messages {
        append(&*account, "INBOX", m).await;
    }
    (dir, store)
}

async fn append(account: &dyn Account, mailbox: &str, m: &[u8]) -> u32 {
    let options = AppendOptions {
        flags: Flags::new(),
        internal_date: Some(UNIX_EPOCH + Duration::from_secs(DATE)),
    };
    account
        .append(mailbox, MessageSource::from(m.to_vec()), options)
        .await
        .expect("append")
}

async fn client(store: &Arc<MaildirStore>) -> Client {
    Client::new(store.clone(), ServerConfig::new("test")).await
}

async fn status(store: &Arc<MaildirStore>, mailbox: &str) -> MailboxStatus {
    let account = store.account("alice").await.expect("account");
    account.status(mailbox).await.expect("status")
}

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
        c.run("c fetch 2 flags").await,
        "* 2 FETCH (FLAGS ())\r\nc OK FETCH completed\r\n"
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
    // SELECT of another mailbox closes this one first (RFC 7162 §3.2.11).
    let out = c.run("e select nosuch").await;
    assert_eq!(
        out,
        "* OK [CLOSED] Previous mailbox closed\r\ne NO [NONEXISTENT] No such mailbox\r\n"
    );
    assert_eq!(c.s.state(), State::Authenticated);
}

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
    assert_eq!(out, "* VANISHED 2\r\nc OK EXPUNGE completed\r\n");
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
    // VANISHED without QRESYNC enabled is BAD.
    c.enable(Enabled::default());
    assert_eq!(
        c.run("h uid fetch 1:* flags (changedsince 1 vanished)")
            .await,
        "h BAD ENABLE QRESYNC first\r\n"
    );
}

#[tokio::test]
async fn esearch_searchres_and_charsets() {
    let (_dir, store) = maildir(&[M1, M2, M3]).await;
    let mut c = client(&store).await;
    c.run("a select INBOX").await;
    assert_eq!(
        c.run("b search subject lunch").await,
        "* SEARCH 2 3\r\nb OK SEARCH completed\r\n"
    );
    assert_eq!(
        c.run("c uid search body fish").await,
        "* SEARCH 2 3\r\nc OK UID SEARCH completed\r\n"
    );
    // RFC 4731 §3: ESEARCH with the command's tag.
    assert_eq!(
        c.run("d search return (min max count) from example.org")
            .await,
        "* ESEARCH (TAG \"d\") MIN 1 MAX 3 COUNT 3\r\nd OK SEARCH completed\r\n"
    );
    assert_eq!(
        c.run("e uid search return () not subject hello").await,
        "* ESEARCH (TAG \"e\") UID ALL 2:3\r\ne OK UID SEARCH completed\r\n"
    );
    // RFC 5182: SAVE alone answers nothing; `$` names the saved messages.
    assert_eq!(
        c.run("f search return (save) text \"fish\"").await,
        "f OK SEARCH completed\r\n"
    );
    assert_eq!(
        c.run("g fetch $ (uid)").await,
        "* 2 FETCH (UID 2)\r\n* 3 FETCH (UID 3)\r\ng OK FETCH completed\r\n"
    );
    assert_eq!(
        c.run("h search $ subject re").await,
        "* SEARCH 3\r\nh OK SEARCH completed\r\n"
    );
    assert_eq!(
        c.run("i search charset utf-8 subject hello").await,
        "* SEARCH 1\r\ni OK SEARCH completed\r\n"
    );
    assert_eq!(
        c.run("j search charset koi8-r subject hello").await,
        "j NO [BADCHARSET (UTF-8 US-ASCII)] Unsupported charset\r\n"
    );
    // SORT and THREAD (RFC 5256).
    assert_eq!(
        c.run("k sort (reverse subject) utf-8 all").await,
        "* SORT 2 3 1\r\nk OK SORT completed\r\n"
    );
    assert_eq!(
        c.run("l uid thread orderedsubject utf-8 all").await,
        "* THREAD (1)(2 3)\r\nl OK UID THREAD completed\r\n"
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
async fn no_expunge_during_fetch_but_at_noop() {
    let (_dir, store) = maildir(&[M1, M2, M3]).await;
    let mut a = client(&store).await;
    let mut b = client(&store).await;
    a.run("a1 select INBOX").await;
    b.run("b1 select INBOX").await;

    a.run("a2 store 2 +flags.silent (\\Deleted)").await;
    assert_eq!(
        a.run("a3 expunge").await,
        "* 2 EXPUNGE\r\na3 OK EXPUNGE completed\r\n"
    );

    // B still numbers 3 messages. During FETCH no EXPUNGE (RFC 9051 §7.5.1); the flags of the
    // expunged message come from the view, its body cannot: NO [EXPUNGEISSUED].
    let out = b.run("b2 fetch 1:3 (flags)").await;
    assert_eq!(
        out,
        "* 1 FETCH (FLAGS ())\r\n* 2 FETCH (FLAGS ())\r\n* 3 FETCH (FLAGS ())\r\n\
         b2 OK FETCH completed\r\n"
    );
    let out = b.run("b3 fetch 2:3 (rfc822.size)").await;
    assert_eq!(
        out,
        format!(
            "* 3 FETCH (RFC822.SIZE {})\r\nb3 NO [EXPUNGEISSUED] Some messages were expunged\r\n",
            crate::server::mime::crlf_view(M3).len()
        )
    );
    // A new message meanwhile: EXISTS may come during FETCH, the EXPUNGE at NOOP.
    let account = store.account("alice").await.unwrap();
    append(&*account, "INBOX", M1).await;
    let out = b.run("b4 fetch 1 uid").await;
    assert_eq!(
        out,
        "* 1 FETCH (UID 1)\r\n* 4 EXISTS\r\nb4 OK FETCH completed\r\n"
    );
    assert_eq!(
        b.run("b5 noop").await,
        "* 2 EXPUNGE\r\nb5 OK NOOP completed\r\n"
    );
    assert_eq!(
        b.run("b6 fetch 1:* uid").await,
        "* 1 FETCH (UID 1)\r\n* 2 FETCH (UID 3)\r\n* 3 FETCH (UID 4)\r\nb6 OK FETCH completed\r\n"
    );
}

#[tokio::test]
async fn big_body_streams_with_pauses_and_exact_octets() {
    // 300 kB with bare LFs: streamed, converted to CRLF on the fly, across many pauses.
    let mut big = b"Subject: big\n\n".to_vec();
    let mut i = 0u32;
    while big.len() < 300_000 {
        big.extend_from_slice(format!("line {i} of a long message\n").as_bytes());
        i += 1;
    }
    let (_dir, store) = maildir(&[M1, &big]).await;
    let mut config = ServerConfig::new("test");
    config.max_pending_output = 4096;
    let mut c = Client::new(store.clone(), config).await;
    c.run("a select INBOX").await;
    let (out, pauses) = c.run_counting("b fetch 1:2 (uid body.peek[])").await;
    let crlf = crate::server::mime::crlf_view(&big).into_owned();
    let expected = format!(
        "* 1 FETCH (UID 1 BODY[] {{154}}\r\n{})\r\n* 2 FETCH (UID 2 BODY[] {{{}}}\r\n{})\r\n\
         b OK FETCH completed\r\n",
        std::str::from_utf8(M1).unwrap(),
        crlf.len(),
        std::str::from_utf8(&crlf).unwrap()
    );
    if out != expected {
        let at = out.bytes().zip(expected.bytes()).position(|(a, b)| a != b);
        panic!(
            "streamed output differs at {at:?} (len {} vs {}): {:?}",
            out.len(),
            expected.len(),
            at.map(|i| &out[i.saturating_sub(40)..(i + 40).min(out.len())])
        );
    }
    assert!(pauses >= 300_000 / 4096 / 2, "only {pauses} pauses");
    // A partial of the big one, also streamed.
    let out = c.run("c fetch 2 (body.peek[text]<100000.10>)").await;
    let body_start = crlf.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
    assert_eq!(
        out,
        format!(
            "* 2 FETCH (BODY[TEXT]<100000> {{10}}\r\n{})\r\nc OK FETCH completed\r\n",
            std::str::from_utf8(&crlf[body_start + 100_000..body_start + 100_010]).unwrap()
        )
    );
}

#[tokio::test]
async fn idle_sees_another_sessions_delivery() {
    let (_dir, store) = maildir(&[M1]).await;
    let mut c = client(&store).await;
    c.run("a select INBOX").await;
    let account = store.account("alice").await.unwrap();
    let writer = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(100)).await;
        append(&*account, "INBOX", M2).await
    });
    tokio::time::timeout(Duration::from_secs(5), c.mb.changed())
        .await
        .expect("the change is seen within the time-out");
    assert_eq!(writer.await.unwrap(), 2);
    c.mb.idle_poll(&mut c.s).await;
    assert_eq!(c.s.take_output(), b"* 2 EXISTS\r\n");
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

/// A store whose accounts keep the cached MIME structures in memory and count `put_cached`.
struct CachingStore {
    inner: MaildirStore,
    cache: Arc<Mutex<HashMap<u32, Bytes>>>,
    puts: Arc<AtomicUsize>,
}

struct CachingAccount {
    inner: Arc<dyn Account>,
    cache: Arc<Mutex<HashMap<u32, Bytes>>>,
    puts: Arc<AtomicUsize>,
}

#[async_trait]
impl MailStore for CachingStore {
    async fn account(&self, user: &str) -> mailstore::Result<Arc<dyn Account>> {
        Ok(Arc::new(CachingAccount {
            inner: self.inner.account(user).await?,
            cache: self.cache.clone(),
            puts: self.puts.clone(),
        }))
    }
}

#[async_trait]
impl Account for CachingAccount {
    fn user(&self) -> &str {
        self.inner.user()
    }
    fn separator(&self) -> char {
        self.inner.separator()
    }
    async fn list(&self) -> mailstore::Result<Vec<MailboxInfo>> {
        self.inner.list().await
    }
    async fn create(&self, name: &str, u: Option<SpecialUse>) -> mailstore::Result<()> {
        self.inner.create(name, u).await
    }
    async fn delete(&self, name: &str) -> mailstore::Result<()> {
        self.inner.delete(name).await
    }
    async fn rename(&self, from: &str, to: &str) -> mailstore::Result<()> {
        self.inner.rename(from, to).await
    }
    async fn set_subscribed(&self, name: &str, on: bool) -> mailstore::Result<()> {
        self.inner.set_subscribed(name, on).await
    }
    async fn set_special_use(&self, name: &str, u: Option<SpecialUse>) -> mailstore::Result<()> {
        self.inner.set_special_use(name, u).await
    }
    async fn status(&self, mailbox: &str) -> mailstore::Result<MailboxStatus> {
        self.inner.status(mailbox).await
    }
    async fn messages(&self, mailbox: &str, uids: &UidSet) -> mailstore::Result<Vec<MessageMeta>> {
        self.inner.messages(mailbox, uids).await
    }
    async fn append(
        &self,
        mailbox: &str,
        message: MessageSource,
        options: AppendOptions,
    ) -> mailstore::Result<u32> {
        self.inner.append(mailbox, message, options).await
    }
    async fn read_stream(&self, mailbox: &str, uid: u32) -> mailstore::Result<ByteStream> {
        self.inner.read_stream(mailbox, uid).await
    }
    async fn read_range(
        &self,
        mailbox: &str,
        uid: u32,
        range: Range<u64>,
    ) -> mailstore::Result<Vec<u8>> {
        self.inner.read_range(mailbox, uid, range).await
    }
    async fn store_flags(
        &self,
        mailbox: &str,
        uids: &UidSet,
        op: FlagOp,
        flags: &Flags,
        unchanged_since: Option<u64>,
    ) -> mailstore::Result<StoreOutcome> {
        self.inner
            .store_flags(mailbox, uids, op, flags, unchanged_since)
            .await
    }
    async fn copy(&self, from: &str, uids: &UidSet, to: &str) -> mailstore::Result<CopyOutcome> {
        self.inner.copy(from, uids, to).await
    }
    async fn move_messages(
        &self,
        from: &str,
        uids: &UidSet,
        to: &str,
    ) -> mailstore::Result<CopyOutcome> {
        self.inner.move_messages(from, uids, to).await
    }
    async fn expunge(&self, mailbox: &str, uids: Option<&UidSet>) -> mailstore::Result<Vec<u32>> {
        self.inner.expunge(mailbox, uids).await
    }
    async fn changes_since(&self, mailbox: &str, modseq: u64) -> mailstore::Result<ChangeSet> {
        self.inner.changes_since(mailbox, modseq).await
    }
    async fn cached(&self, _mailbox: &str, uids: &UidSet) -> mailstore::Result<Vec<(u32, Bytes)>> {
        let cache = self.cache.lock().unwrap();
        let mut out: Vec<(u32, Bytes)> = cache
            .iter()
            .filter(|(u, _)| uids.contains(**u))
            .map(|(u, b)| (*u, b.clone()))
            .collect();
        out.sort_by_key(|e| e.0);
        Ok(out)
    }
    async fn put_cached(
        &self,
        _mailbox: &str,
        entries: Vec<(u32, Bytes)>,
    ) -> mailstore::Result<()> {
        self.puts.fetch_add(entries.len(), Ordering::SeqCst);
        self.cache.lock().unwrap().extend(entries);
        Ok(())
    }
    async fn quota(&self) -> mailstore::Result<QuotaUsage> {
        self.inner.quota().await
    }
    fn change_notifier(&self, mailbox: &str) -> Option<Arc<tokio::sync::Notify>> {
        self.inner.change_notifier(mailbox)
    }
    fn poll_interval(&self) -> Duration {
        self.inner.poll_interval()
    }
}

#[tokio::test]
async fn mime_structure_is_parsed_once_and_metadata_items_read_nothing() {
    let (dir, _) = maildir(&[M1, M2, M3]).await;
    let puts = Arc::new(AtomicUsize::new(0));
    let store = Arc::new(CachingStore {
        inner: MaildirStore::new(dir.path()),
        cache: Arc::new(Mutex::new(HashMap::new())),
        puts: puts.clone(),
    });
    let mut c = Client::new(store.clone(), ServerConfig::new("test")).await;
    c.run("a select INBOX").await;
    // Metadata items never parse.
    c.run("b fetch 1:* (flags uid rfc822.size internaldate)")
        .await;
    assert_eq!(puts.load(Ordering::SeqCst), 0);
    let first = c.run("c fetch 1:* (bodystructure envelope)").await;
    assert_eq!(puts.load(Ordering::SeqCst), 3, "each message parsed once");
    let second = c.run("d fetch 1:* (bodystructure envelope)").await;
    assert_eq!(
        puts.load(Ordering::SeqCst),
        3,
        "the second FETCH is served from the cache"
    );
    assert_eq!(first.replace("c OK", "d OK"), second);
    assert!(
        second.contains("(\"application\" \"octet-stream\" NIL NIL NIL \"base64\" 8"),
        "{second}"
    );
    // A second session of the same account hits the same cache.
    let mut other = Client::new(store, ServerConfig::new("test")).await;
    other.run("a select INBOX").await;
    other.run("b fetch 2 body.peek[1]").await;
    assert_eq!(puts.load(Ordering::SeqCst), 3);
    let _ = SystemTime::now();
}
