//! The same glue behind the real session input: commands as bytes, pipelined, through
//! [`ServerSession::feed`] and [`ServerSession::next_event`].

use super::*;
use crate::server::session::Event;

/// Feeds `input` and answers every event as a driver would, until the session needs input;
/// returns everything written.
async fn converse(c: &mut Client, input: &str) -> String {
    c.s.feed(input.as_bytes());
    let mut out = Vec::new();
    loop {
        match c.s.next_event().expect("driver answers every event") {
            Event::NeedInput | Event::Close(_) => break,
            Event::Flush | Event::Idle | Event::IdleDone => {}
            Event::OpenAccount { user } => {
                let opened = c.mb.open(&user).await;
                c.s.account_opened(opened).expect("asked for");
            }
            Event::Command(request) => {
                let mut p = c.mb.run(request, &mut c.s).await;
                while p == Progress::Paused {
                    out.extend(c.s.take_output());
                    p = c.mb.resume(&mut c.s).await;
                }
            }
            other => panic!("unexpected event {other:?}"),
        }
        out.extend(c.s.take_output());
    }
    out.extend(c.s.take_output());
    String::from_utf8_lossy(&out).into_owned()
}

#[tokio::test]
async fn rfc9051_sample_session_pipelined_through_the_session() {
    let (_dir, store) = maildir(&[M1, M2]).await;
    let mut c = client(&store).await;
    let out = converse(
        &mut c,
        "a002 select inbox\r\na003 fetch 1 full\r\na004 fetch 1 body[header]\r\n\
         a005 store 1 +flags \\deleted\r\na006 logout\r\n",
    )
    .await;
    let tagged: Vec<&str> = out.lines().filter(|l| l.starts_with('a')).collect();
    assert_eq!(
        tagged,
        [
            "a002 OK [READ-WRITE] SELECT completed",
            "a003 OK FETCH completed",
            "a004 OK FETCH completed",
            "a005 OK STORE completed",
            "a006 OK LOGOUT completed",
        ],
        "{out}"
    );
    assert!(out.contains("* 2 EXISTS\r\n"), "{out}");
    assert!(out.contains("* 1 FETCH (FLAGS () INTERNALDATE \"14-Nov-2023 22:13:20 +0000\" RFC822.SIZE 154 ENVELOPE ("), "{out}");
    assert!(
        out.contains("* 1 FETCH (FLAGS (\\Seen) BODY[HEADER] {145}\r\nFrom: Alice"),
        "{out}"
    );
    assert!(
        out.contains("* 1 FETCH (FLAGS (\\Seen \\Deleted))\r\n"),
        "{out}"
    );
    assert!(out.contains("* BYE"), "{out}");
}

#[tokio::test]
async fn enable_qresync_then_select_and_idle_through_the_session() {
    let (_dir, store) = maildir(&[M1, M2]).await;
    let st = status(&store, "INBOX").await;
    let mut c = client(&store).await;
    let out = converse(&mut c, "e1 enable qresync\r\n").await;
    assert!(out.contains("* ENABLED QRESYNC\r\n"), "{out}");
    // Another session expunges message 1 meanwhile.
    let mut other = client(&store).await;
    other.run("o1 select INBOX").await;
    other.run("o2 store 1 +flags.silent (\\Deleted)").await;
    other.run("o3 expunge").await;
    let out = converse(
        &mut c,
        &format!(
            "s1 select INBOX (qresync ({} {}))\r\n",
            st.uid_validity, st.highest_modseq
        ),
    )
    .await;
    assert!(out.contains("* VANISHED (EARLIER) 1\r\n"), "{out}");
    assert!(
        out.contains("s1 OK [READ-WRITE] SELECT completed\r\n"),
        "{out}"
    );

    // IDLE: a delivery by the other session is announced; DONE ends it.
    let out = converse(&mut c, "i1 idle\r\n").await;
    assert!(out.starts_with("+ "), "{out}");
    let account = store.account("alice").await.unwrap();
    append(&*account, "INBOX", M3).await;
    tokio::time::timeout(Duration::from_secs(5), c.mb.changed())
        .await
        .expect("the delivery is seen");
    c.mb.idle_poll(&mut c.s).await;
    assert_eq!(c.s.take_output(), b"* 2 EXISTS\r\n");
    let out = converse(&mut c, "DONE\r\n").await;
    assert_eq!(out, "i1 OK IDLE terminated\r\n");
}
