//! The example server's acknowledged delivery, proven from its system calls: the `mail-server`
//! binary runs under `strace -f` (`testkit::strace`), Python's smtplib sends one message over
//! loopback, and the `250` written to that client's socket after `354` must come after
//! write(message into the Maildir's `tmp/`) → fsync(that file) → link into `new/` →
//! fsync(`new/`) → write + fsync(the index). The server's own spool file (where the body
//! streams in) is removed before the reply: it is a buffer, not the acknowledged copy.
//! A missing strace or Python fails the test.

use std::net::SocketAddr;
use std::path::Path;
use std::time::{Duration, Instant};

use testkit::Python;
use testkit::strace::{MAILDIR_DELIVERY, Strace, Syscall};

const SUBJECT: &str = "durability probe 5c1e";

fn free_addr() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], testkit::free_port()))
}

async fn wait_listening(addr: SocketAddr, limit: Duration) {
    let start = Instant::now();
    loop {
        if tokio::net::TcpStream::connect(addr).await.is_ok() {
            return;
        }
        assert!(
            start.elapsed() < limit,
            "mail-server under strace did not listen on {addr} within {limit:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

#[tokio::test]
async fn smtp_250_comes_after_the_maildir_fsyncs() {
    testkit::strace::require();
    let dir = tempfile::tempdir().expect("tempdir");
    let data = std::fs::canonicalize(dir.path())
        .expect("canonical")
        .join("data");
    let (smtp, pop3, imap) = (free_addr(), free_addr(), free_addr());
    let mut st = Strace::new(
        env!("CARGO_BIN_EXE_mail-server"),
        dir.path().join("strace.log"),
    );
    st.command()
        .env("MAIL_SERVER_SMTP", smtp.to_string())
        .env("MAIL_SERVER_POP3", pop3.to_string())
        .env("MAIL_SERVER_IMAP", imap.to_string())
        .env("MAIL_SERVER_DATA", &data)
        .env("RUST_LOG", "warn");
    let server = st.spawn().expect("strace starts");
    wait_listening(smtp, Duration::from_secs(30)).await;

    let out = Python::script(format!(
        r#"
import smtplib, sys
port = int(sys.argv[1])
body = "Subject: {SUBJECT}\r\nX-Probe: 1\r\n\r\nline one\r\nline two\r\n"
with smtplib.SMTP("127.0.0.1", port, timeout=30) as s:
    print("PORT", s.sock.getsockname()[1])
    s.sendmail("carol@example.org", ["alice@localhost"], body)
    print("SENT")
"#
    ))
    .arg(smtp.port().to_string())
    .timeout(Duration::from_secs(60))
    .run()
    .await;
    out.assert_success();
    assert!(out.stdout.contains("SENT"), "{}", out.stdout);
    let client_port: u16 = out
        .stdout
        .lines()
        .find_map(|l| l.strip_prefix("PORT "))
        .and_then(|p| p.trim().parse().ok())
        .expect("client port printed");

    assert!(server.signal_tracee("INT"), "SIGINT to mail-server");
    let trace = server.finish(Duration::from_secs(30)).await;
    assert!(
        trace.status.is_some_and(|s| s.success()),
        "mail-server exit: {:?}\n{}",
        trace.status,
        trace.stderr
    );

    let conn = format!("127.0.0.1:{}->127.0.0.1:{client_port}]", smtp.port());
    let on_conn = |c: &Syscall| c.is_write() && c.fd_path().is_some_and(|p| p.contains(&conn));
    let go_ahead = trace
        .find(None, |c| on_conn(c) && c.data().starts_with(b"354"))
        .unwrap_or_else(|| panic!("354 to {conn} not found:\n{}", trace.dump()));
    let reply = trace
        .find(Some(go_ahead), on_conn)
        .expect("a reply after 354");
    assert!(
        trace.calls[reply].data().starts_with(b"250"),
        "the end-of-data reply is 250: {}",
        trace.show(reply)
    );

    let probe = |c: &Syscall| c.is_write() && contains(&c.data(), SUBJECT.as_bytes());
    let in_dir = |c: &Syscall, d: &Path| {
        c.fd_path()
            .is_some_and(|p| Path::new(p).parent() == Some(d))
    };
    let mdir = data.join("maildir").join("alice");
    let delivery = trace.assert_maildir_delivery(Some(go_ahead), &mdir, probe);
    let last = delivery.calls[5];
    assert!(
        trace.precedes(last, reply),
        "250 sent before the index fsync returned:\n  {}\n  {}",
        trace.show(last),
        trace.show(reply)
    );

    // The server's spool: the body streamed into it, and it was removed before the reply.
    let spool_dir = data.join("spool");
    let spooled = trace
        .find(Some(go_ahead), |c| probe(c) && in_dir(c, &spool_dir))
        .unwrap_or_else(|| {
            panic!(
                "body spooled into {}:\n{}",
                spool_dir.display(),
                trace.dump()
            )
        });
    let spool_file = trace.calls[spooled].fd_path().expect("path").to_string();
    let removed = trace
        .find(Some(spooled), |c| {
            matches!(c.name.as_str(), "unlink" | "unlinkat")
                && c.ok()
                && c.strings().iter().any(|s| s == spool_file.as_bytes())
        })
        .unwrap_or_else(|| panic!("{spool_file} removed:\n{}", trace.dump()));
    assert!(
        trace.precedes(removed, reply),
        "spool removed before the reply"
    );

    let mut labels = vec!["354"];
    labels.extend(MAILDIR_DELIVERY);
    labels.push("250");
    let mut calls = vec![go_ahead];
    calls.extend(delivery.calls);
    calls.push(reply);
    eprint!(
        "example server, SMTP DATA to 250:\n{}",
        trace.timeline(&labels, &calls)
    );
}
