//! The example mail server end to end over real sockets: Python's smtplib delivers, poplib
//! retrieves and deletes, imaplib reads the same Maildir; unknown users and other domains are
//! refused.

use std::net::SocketAddr;
use std::time::Duration;

use examples::mail_server::{Bound, Config, run};
use testkit::Python;

async fn start() -> (Bound, tempfile::TempDir, tokio::sync::oneshot::Sender<()>) {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = Config {
        smtp: SocketAddr::from(([127, 0, 0, 1], 0)),
        pop3: SocketAddr::from(([127, 0, 0, 1], 0)),
        imap: SocketAddr::from(([127, 0, 0, 1], 0)),
        data_dir: dir.path().to_path_buf(),
        ..Config::default()
    };
    let (bound_tx, bound_rx) = tokio::sync::oneshot::channel();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        let result = run(
            config,
            |b| {
                let _ = bound_tx.send(b);
            },
            async {
                let _ = stop_rx.await;
            },
        )
        .await;
        assert!(result.is_ok(), "server failed: {result:?}");
    });
    let bound = tokio::time::timeout(Duration::from_secs(10), bound_rx)
        .await
        .expect("bound in time")
        .expect("bound");
    (bound, dir, stop_tx)
}

#[tokio::test]
async fn smtp_in_pop3_out() {
    let (bound, _dir, stop) = start().await;
    let out = Python::script(
        r#"
import smtplib, poplib, sys
smtp_port, pop_port = int(sys.argv[1]), int(sys.argv[2])
body = "Subject: hello\r\n\r\n.a line with a dot\r\nsecond line\r\n"
with smtplib.SMTP("127.0.0.1", smtp_port, timeout=10) as s:
    s.sendmail("carol@example.org", ["alice@localhost", "bob@localhost"], body)
    try:
        s.sendmail("carol@example.org", ["nobody@localhost"], body)
    except smtplib.SMTPRecipientsRefused as e:
        print("REFUSED", list(e.recipients.values())[0][0])
    try:
        s.sendmail("carol@example.org", ["alice@example.net"], body)
    except smtplib.SMTPRecipientsRefused as e:
        print("RELAY", list(e.recipients.values())[0][0])
for user in ("alice", "bob"):
    p = poplib.POP3("127.0.0.1", pop_port, timeout=10)
    p.user(user); p.pass_(user)
    lines = p.retr(1)[1]
    print(user, b"|".join(lines).decode())
    p.dele(1); p.quit()
p = poplib.POP3("127.0.0.1", pop_port, timeout=10)
p.user("alice"); p.pass_("alice")
print("AFTER", p.stat())
p.quit()
"#,
    )
    .arg(bound.smtp.port().to_string())
    .arg(bound.pop3.port().to_string())
    .timeout(Duration::from_secs(60))
    .run()
    .await;
    out.assert_success();
    let expected =
        "Return-Path: <carol@example.org>|Subject: hello||.a line with a dot|second line";
    assert!(
        out.stdout.contains(&format!("alice {expected}\n")),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains(&format!("bob {expected}\n")),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("REFUSED 550\n"), "{}", out.stdout);
    assert!(out.stdout.contains("RELAY 550\n"), "{}", out.stdout);
    assert!(out.stdout.contains("AFTER (0, 0)\n"), "{}", out.stdout);
    let _ = stop.send(());
}

#[tokio::test]
async fn smtp_in_imap_out_same_maildir_as_pop3() {
    let (bound, _dir, stop) = start().await;
    let out = Python::script(
        r#"
import smtplib, poplib, imaplib, sys
smtp_port, pop_port, imap_port = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
body = "Subject: over imap\r\n\r\nhello imap\r\n"
with smtplib.SMTP("127.0.0.1", smtp_port, timeout=10) as s:
    s.sendmail("carol@example.org", ["alice@localhost"], body)
M = imaplib.IMAP4("127.0.0.1", imap_port, timeout=10)
M.login("alice", "alice")
typ, data = M.select("INBOX")
print("EXISTS", data[0].decode())
typ, data = M.status("INBOX", "(UIDVALIDITY)")
print("STATUS", data[0].decode())
typ, data = M.fetch("1", "(UID)")
print("FETCH", data[0].decode())
typ, data = M.fetch("1", "(BODY.PEEK[TEXT])")
print("TEXT", data[0][1].decode().strip())
M.logout()
p = poplib.POP3("127.0.0.1", pop_port, timeout=10)
p.user("alice"); p.pass_("alice")
print("UIDL", p.uidl(1).decode())
p.quit()
"#,
    )
    .arg(bound.smtp.port().to_string())
    .arg(bound.pop3.port().to_string())
    .arg(bound.imap.port().to_string())
    .timeout(Duration::from_secs(60))
    .run()
    .await;
    out.assert_success();
    let text = &out.stdout;
    assert!(text.contains("EXISTS 1\n"), "{text}");
    assert!(text.contains("hello imap"), "{text}");
    // POP3's UIDL of message 1 is IMAP's "<UIDVALIDITY>.<UID>" of the same message.
    let validity = text
        .lines()
        .find_map(|l| l.strip_prefix("STATUS "))
        .and_then(|l| l.split("UIDVALIDITY ").nth(1))
        .map(|v| v.trim_end_matches(')').to_owned())
        .expect("UIDVALIDITY");
    let uid = text
        .lines()
        .find_map(|l| l.strip_prefix("FETCH "))
        .and_then(|l| l.split("UID ").nth(1))
        .map(|l| l.trim_end_matches(')').to_owned())
        .expect("UID");
    assert!(
        text.contains(&format!("UIDL +OK 1 {validity}.{uid}\n")),
        "{text}"
    );
    let _ = stop.send(());
}

/// Clients that pipeline commands and never read their replies, one on each server, do not hold
/// the shutdown past the grace period (the blocked writes give up when it ends).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_finishes_with_jammed_clients() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let dir = tempfile::tempdir().expect("tempdir");
    let grace = Duration::from_millis(300);
    let config = Config {
        smtp: SocketAddr::from(([127, 0, 0, 1], 0)),
        pop3: SocketAddr::from(([127, 0, 0, 1], 0)),
        imap: SocketAddr::from(([127, 0, 0, 1], 0)),
        data_dir: dir.path().to_path_buf(),
        limits: smtp_proto::server::Limits::default()
            .with_grace(grace)
            .with_abort_after(Duration::from_secs(3)),
        ..Config::default()
    };
    let (bound_tx, bound_rx) = tokio::sync::oneshot::channel();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(run(
        config,
        |b| {
            let _ = bound_tx.send(b);
        },
        async {
            let _ = stop_rx.await;
        },
    ));
    let bound: Bound = tokio::time::timeout(Duration::from_secs(10), bound_rx)
        .await
        .expect("bound in time")
        .expect("bound");
    let wait = Duration::from_secs(10);
    let mut smtp = tokio::net::TcpStream::connect(bound.smtp)
        .await
        .expect("connect");
    let mut pop3 = tokio::net::TcpStream::connect(bound.pop3)
        .await
        .expect("connect");
    // Log in to POP3 first (NOOP needs the TRANSACTION state); read up to the +OK of PASS.
    pop3.write_all(b"USER alice\r\nPASS alice\r\n")
        .await
        .expect("write");
    let mut seen = Vec::new();
    while seen.windows(3).filter(|w| w == b"+OK").count() < 3 {
        let mut buf = [0u8; 512];
        let n = tokio::time::timeout(wait, pop3.read(&mut buf))
            .await
            .expect("POP3 answers in time")
            .expect("read");
        assert!(n > 0, "POP3 closed: {:?}", String::from_utf8_lossy(&seen));
        seen.extend_from_slice(&buf[..n]);
    }
    let mut imap = tokio::net::TcpStream::connect(bound.imap)
        .await
        .expect("connect");
    let (a, b, c) = tokio::join!(
        testkit::jam::jammed(&mut smtp, b"NOOP\r\n"),
        testkit::jam::jammed(&mut pop3, b"NOOP\r\n"),
        testkit::jam::jammed(&mut imap, b"a NOOP\r\n"),
    );
    let jammers = [
        testkit::jam::keep_jamming(smtp, b"NOOP\r\n"),
        testkit::jam::keep_jamming(pop3, b"NOOP\r\n"),
        testkit::jam::keep_jamming(imap, b"a NOOP\r\n"),
    ];
    let started = std::time::Instant::now();
    let _ = stop_tx.send(());
    let result = tokio::time::timeout(wait, server)
        .await
        .expect("shutdown finished in time");
    let took = started.elapsed();
    assert!(matches!(result, Ok(Ok(()))), "{result:?}");
    println!(
        "example server: shutdown with jammed SMTP ({} MB), POP3 ({} MB) and IMAP ({} MB) clients took {took:?}",
        a.written >> 20,
        b.written >> 20,
        c.written >> 20
    );
    assert!(took < grace + Duration::from_secs(2), "{took:?}");
    for jammer in jammers {
        let after = tokio::time::timeout(wait, jammer)
            .await
            .expect("the jammer ends in time")
            .expect("jammer");
        assert!(after.error.is_some(), "a connection stayed open: {after:?}");
    }
}
