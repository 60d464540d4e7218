//! The example mail server end to end over real sockets: Python's smtplib delivers, poplib
//! retrieves and deletes; unknown users and other domains are refused.

use std::net::SocketAddr;
use std::time::Duration;

use examples::mail_server::{Bound, Config, run};
use testkit::Python;

async fn start() -> (Bound, tempfile::TempDir, tokio::sync::oneshot::Sender<()>) {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = Config {
        smtp: SocketAddr::from(([127, 0, 0, 1], 0)),
        pop3: SocketAddr::from(([127, 0, 0, 1], 0)),
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
