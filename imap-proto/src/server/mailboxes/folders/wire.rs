//! The mailbox commands behind the real session: bytes in any split through
//! [`ServerSession::feed`] and its events, answered by [`Mailboxes`] as a driver does; APPEND
//! streamed literal by literal.

use std::sync::Arc;

use mailstore::maildir::MaildirStore;

use super::super::{Mailboxes, Progress};
use crate::server::session::{Event, ServerConfig, ServerSession};

/// A PREAUTH session of `alice` over a Maildir, driven as the tokio driver drives it.
struct Wire {
    dir: tempfile::TempDir,
    mailboxes: Mailboxes,
    session: ServerSession,
}

impl Wire {
    async fn new(config: ServerConfig) -> Wire {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = MaildirStore::new(dir.path().join("mail"));
        let mut w = Wire {
            mailboxes: Mailboxes::new(Arc::new(store)),
            session: ServerSession::new_preauth(Arc::new(config), "alice"),
            dir,
        };
        let greeting = w.pump().await;
        assert!(greeting.starts_with("* PREAUTH "), "{greeting}");
        w
    }

    /// Answers events until the session needs input; the output.
    async fn pump(&mut self) -> String {
        loop {
            match self.session.next_event().expect("next_event") {
                Event::NeedInput | Event::Close(_) => break,
                Event::Flush => {}
                Event::OpenAccount { user } => {
                    let opened = self.mailboxes.open(&user).await;
                    self.session.account_opened(opened).expect("account_opened");
                }
                Event::Command(request) => {
                    let mut progress = self.mailboxes.run(request, &mut self.session).await;
                    while progress == Progress::Paused {
                        progress = self.mailboxes.resume(&mut self.session).await;
                    }
                }
                Event::AppendMessage(m) => {
                    self.mailboxes.append_message(m, &mut self.session).await
                }
                Event::AppendData(data) => self.mailboxes.append_data(&data).await,
                Event::AppendMessageEnd => self.mailboxes.append_message_end().await,
                Event::AppendEnd => self.mailboxes.append_end(&mut self.session).await,
                Event::AppendAborted => self.mailboxes.append_aborted(),
                other => panic!("unexpected event {other:?}"),
            }
        }
        String::from_utf8(self.session.take_output()).expect("UTF-8 output")
    }

    async fn send(&mut self, input: &[u8]) -> String {
        self.session.feed(input);
        self.pump().await
    }

    fn account(&self) -> Arc<dyn mailstore::Account> {
        self.mailboxes.account().expect("account").clone()
    }
}

fn body(len: usize) -> Vec<u8> {
    let mut m = b"Subject: streamed\r\n\r\n".to_vec();
    while m.len() + 2 < len {
        m.push(b'a' + (m.len() % 26) as u8);
        if m.len().is_multiple_of(70) {
            m.extend_from_slice(b"\r\n");
        }
    }
    m.truncate(len - 2);
    m.extend_from_slice(b"\r\n");
    m
}

#[tokio::test]
async fn streamed_append_and_multiappend_with_literal8_and_utf8() {
    let mut w = Wire::new(ServerConfig::new("imap.test")).await;
    let validity = w.account().status("INBOX").await.unwrap().uid_validity;
    let big = body(300_000);
    let head = format!("a1 APPEND INBOX (\\Seen) {{{}}}\r\n", big.len());
    assert_eq!(w.send(head.as_bytes()).await, "+ Ready\r\n");
    for piece in big.chunks(7_001) {
        assert_eq!(w.send(piece).await, "");
    }
    assert_eq!(
        w.send(b"\r\n").await,
        format!("a1 OK [APPENDUID {validity} 1] APPEND completed\r\n")
    );
    assert_eq!(w.account().read("INBOX", 1).await.unwrap(), big);

    let out = w
        .send(b"a2 APPEND INBOX {3+}\r\none (\\Flagged) ~{5+}\r\nt\0w\0o UTF8 (~{13+}\r\nSubject: \xc3\xa4\r\n)\r\n")
        .await;
    assert_eq!(
        out,
        format!("a2 OK [APPENDUID {validity} 2:4] APPEND completed\r\n")
    );
    let account = w.account();
    assert_eq!(account.read("INBOX", 3).await.unwrap(), b"t\0w\0o");
    assert_eq!(
        account.read("INBOX", 4).await.unwrap(),
        "Subject: ä\r\n".as_bytes()
    );
}

#[tokio::test]
async fn refused_appends_never_see_their_literal() {
    let mut config = ServerConfig::new("imap.test");
    config.append_limit = 1000;
    let mut w = Wire::new(config).await;
    assert_eq!(
        w.send(b"a1 APPEND nowhere {5}\r\n").await,
        "a1 NO [TRYCREATE] No such mailbox\r\n"
    );
    // (The session itself refuses what is over APPENDLIMIT; the glue checks it too.)
    let out = w.send(b"a2 APPEND INBOX {1001}\r\n").await;
    assert!(out.starts_with("a2 NO [TOOBIG] "), "{out}");
    // A non-synchronizing literal comes anyway: it is skipped, the next command runs.
    let mut input = b"a3 APPEND INBOX {5+}\r\nhello {1001+}\r\n".to_vec();
    input.extend(std::iter::repeat_n(b'x', 1001));
    input.extend_from_slice(b"\r\na4 STATUS INBOX (MESSAGES)\r\n");
    let out = w.send(&input).await;
    assert!(out.starts_with("a3 NO [TOOBIG] "), "{out}");
    assert!(
        out.ends_with("\r\n* STATUS INBOX (MESSAGES 0)\r\na4 OK STATUS completed\r\n"),
        "{out}"
    );
}

#[tokio::test]
async fn malformed_end_or_disconnect_mid_literal_stores_nothing() {
    let mut w = Wire::new(ServerConfig::new("imap.test")).await;
    let out = w.send(b"a1 APPEND INBOX {5+}\r\nhello {x}\r\n").await;
    assert!(out.starts_with("a1 BAD "), "{out}");
    assert_eq!(w.account().status("INBOX").await.unwrap().messages, 0);

    let big = body(200_000);
    let head = format!("a2 APPEND INBOX {{{}+}}\r\n", big.len());
    w.send(head.as_bytes()).await;
    w.send(&big[..100_000]).await;
    let account = w.account();
    drop(w.mailboxes);
    drop(w.session);
    let st = account.status("INBOX").await.unwrap();
    assert_eq!((st.messages, st.uid_next), (0, 1));
    for sub in ["new", "cur", "tmp"] {
        let n = std::fs::read_dir(w.dir.path().join("mail/alice").join(sub))
            .unwrap()
            .count();
        assert_eq!(n, 0, "{sub}/");
    }
}

#[tokio::test]
async fn names_follow_enable_utf8_accept() {
    let mut w = Wire::new(ServerConfig::new("imap.test")).await;
    assert_eq!(
        w.send(b"a1 CREATE Entw&APw-rfe\r\n").await,
        "a1 OK CREATE completed\r\n"
    );
    assert_eq!(
        w.send(b"a2 LIST \"\" E*\r\n").await,
        "* LIST (\\HasNoChildren) \".\" Entw&APw-rfe\r\na2 OK LIST completed\r\n"
    );
    let out = w.send(b"a3 ENABLE UTF8=ACCEPT\r\n").await;
    assert!(out.contains("a3 OK"), "{out}");
    assert_eq!(
        w.send("a4 LIST \"\" E*\r\n".as_bytes()).await,
        "* LIST (\\HasNoChildren) \".\" \"Entwürfe\"\r\na4 OK LIST completed\r\n"
    );
    assert_eq!(
        w.send("a5 CREATE \"Entwürfe.Alt\"\r\n".as_bytes()).await,
        "a5 OK CREATE completed\r\n"
    );
    assert!(w.dir.path().join("mail/alice/.Entw&APw-rfe.Alt").is_dir());
}

#[tokio::test]
async fn commands_on_the_selected_mailbox() {
    let mut w = Wire::new(ServerConfig::new("imap.test")).await;
    let out = w.send(b"a1 SELECT INBOX\r\n").await;
    assert!(
        out.contains("* 0 EXISTS\r\n") && out.contains("a1 OK [READ-WRITE]"),
        "{out}"
    );
    // APPEND to the selected mailbox: the new message is announced before the tagged OK.
    let validity = w.account().status("INBOX").await.unwrap().uid_validity;
    assert_eq!(
        w.send(b"a2 APPEND INBOX {8+}\r\nSubj: x\n\r\n").await,
        format!("* 1 EXISTS\r\na2 OK [APPENDUID {validity} 1] APPEND completed\r\n")
    );
    // STATUS of the selected mailbox is allowed.
    assert_eq!(
        w.send(b"a3 STATUS INBOX (MESSAGES)\r\n").await,
        "* STATUS INBOX (MESSAGES 1)\r\na3 OK STATUS completed\r\n"
    );

    // RENAME of the selected mailbox: it stays selected under its new name.
    w.send(b"b1 CREATE Work.Old\r\n").await;
    w.account()
        .append(
            "Work.Old",
            b"Subject: w\r\n\r\n".as_slice().into(),
            Default::default(),
        )
        .await
        .unwrap();
    let out = w.send(b"b2 SELECT Work.Old\r\n").await;
    assert!(out.contains("* 1 EXISTS\r\n"), "{out}");
    assert_eq!(
        w.send(b"b3 RENAME Work Archive\r\n").await,
        "b3 OK RENAME completed\r\n"
    );
    let out = w.send(b"b4 FETCH 1 (UID RFC822.SIZE)\r\n").await;
    assert_eq!(
        out,
        "* 1 FETCH (UID 1 RFC822.SIZE 14)\r\nb4 OK FETCH completed\r\n"
    );
    w.account()
        .append(
            "Archive.Old",
            b"Subject: v\r\n\r\n".as_slice().into(),
            Default::default(),
        )
        .await
        .unwrap();
    let out = w.send(b"b5 NOOP\r\n").await;
    assert!(out.starts_with("* 2 EXISTS\r\n"), "{out}");

    // DELETE of the selected mailbox closes it.
    assert_eq!(
        w.send(b"c1 DELETE Archive.Old\r\n").await,
        "* OK [CLOSED] Selected mailbox was deleted\r\nc1 OK DELETE completed\r\n"
    );
    assert_eq!(
        w.session.state(),
        crate::server::session::State::Authenticated
    );
    let out = w.send(b"c2 FETCH 1 UID\r\n").await;
    assert!(out.starts_with("c2 BAD "), "{out}");
}

/// The driver keeps [`Mailboxes`] across awaits in a spawned task: the glue's own state (the
/// APPEND spool, a paused LIST) must be `Send + Sync`.
#[test]
fn folder_state_is_send_and_sync() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<super::super::append::Spool>();
    send_sync::<super::list::ListJob>();
}
