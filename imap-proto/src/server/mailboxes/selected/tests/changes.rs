//! Other sessions' and processes' changes: no EXPUNGE during FETCH, IDLE.

use super::*;

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
async fn idle_sees_a_file_another_process_dropped_into_the_maildir() {
    let (dir, store) = maildir(&[M1]).await;
    let mut c = client(&store).await;
    c.run("a select INBOX").await;
    let user_dir = store.user_dir("alice").unwrap();
    let started = std::time::Instant::now();
    let drop_in = tokio::task::spawn_blocking(move || {
        std::thread::sleep(Duration::from_millis(100));
        let tmp = user_dir.join("tmp").join("1700000000.outside.host");
        std::fs::write(&tmp, M3).unwrap();
        std::fs::rename(&tmp, user_dir.join("new").join("1700000000.outside.host")).unwrap();
    });
    tokio::time::timeout(Duration::from_secs(3), c.mb.changed())
        .await
        .expect("an outside delivery is seen");
    drop_in.await.unwrap();
    assert!(
        started.elapsed() < Duration::from_millis(1500),
        "seen within a second or so"
    );
    c.mb.idle_poll(&mut c.s).await;
    assert_eq!(c.s.take_output(), b"* 2 EXISTS\r\n");
    assert_eq!(
        c.run("b fetch 2 (binary.size[] body.peek[text])").await,
        format!(
            "* 2 FETCH (BINARY.SIZE[] {} BODY[TEXT] {{13}}\r\nFish it is.\r\n)\r\nb OK FETCH completed\r\n",
            crate::server::mime::crlf_view(M3).len()
        )
    );
    drop(dir);
}
