//! curl's `imap://` and `imaps://` against the tokio IMAP server on 127.0.0.1: listing the
//! mailboxes, fetching a message by UID (octets compared), uploading with APPEND (`curl -T`),
//! STARTTLS with `--ssl-reqd` and implicit TLS with the test certificate.

mod server_support;

use std::time::Duration;

use server_support::{Options, TestServer, message};

/// What a curl run produced.
struct Run {
    code: Option<i32>,
    stdout: Vec<u8>,
    stderr: String,
}

impl Run {
    #[track_caller]
    fn assert_success(&self, what: &str) {
        assert!(
            self.code == Some(0),
            "{what} failed ({:?})\n--- stdout\n{}\n--- stderr\n{}",
            self.code,
            String::from_utf8_lossy(&self.stdout),
            self.stderr
        );
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }

    /// The commands curl sent (`> ` lines of `-v`).
    fn sent(&self) -> Vec<&str> {
        self.stderr
            .lines()
            .filter_map(|l| l.strip_prefix("> "))
            .collect()
    }
}

/// Runs curl with `args` after `-sS -v --max-time 20`.
async fn curl(args: &[&str]) -> Run {
    let mut command = tokio::process::Command::new(testkit::peer::require("curl"));
    command.args(["-sS", "-v", "--max-time", "20"]).args(args);
    let run = testkit::run_command(command, Duration::from_secs(30)).await;
    Run {
        code: run.status.and_then(|s| s.code()),
        stdout: run.stdout,
        stderr: run.stderr,
    }
}

#[tokio::test]
async fn list_fetch_by_uid_and_upload() {
    let server = TestServer::start(Options::default()).await;
    let body = message(1, 3000);
    let uid = server.deliver("alice", &body).await;
    server
        .account("alice")
        .await
        .create("Archive", None)
        .await
        .expect("create Archive");
    server
        .deliver_to("alice", "Archive", &message(2, 100))
        .await;
    let port = server.addr.port();
    let base = format!("imap://127.0.0.1:{port}");

    let run = curl(&["-u", "alice:wonderland", &format!("{base}/")]).await;
    run.assert_success("curl LIST");
    let listing = run.text();
    assert!(
        listing.contains("* LIST") && listing.contains("INBOX"),
        "{listing}"
    );
    assert!(listing.contains("Archive"), "{listing}");

    let run = curl(&["-u", "alice:wonderland", &format!("{base}/INBOX;UID={uid}")]).await;
    run.assert_success("curl UID FETCH");
    assert!(run.stdout == body, "fetched octets differ: {}", run.text());
    assert!(
        run.sent().iter().any(|l| l.contains("FETCH")),
        "{}",
        run.stderr
    );

    let dir = tempfile::tempdir().expect("tempdir");
    let upload = message(3, 2500);
    let file = dir.path().join("upload.eml");
    std::fs::write(&file, &upload).expect("write");
    let run = curl(&[
        "-u",
        "alice:wonderland",
        "-T",
        &file.display().to_string(),
        &format!("{base}/INBOX"),
    ])
    .await;
    run.assert_success("curl APPEND");
    assert!(
        run.sent().iter().any(|l| l.contains("APPEND INBOX")),
        "{}",
        run.stderr
    );
    let stored = server.messages("alice", "INBOX").await;
    assert_eq!(stored.len(), 2, "{stored:?}");
    let account = server.account("alice").await;
    let got = account.read("INBOX", stored[1].uid).await.expect("read");
    assert_eq!(got, upload);

    let run = curl(&["-u", "alice:nope", &format!("{base}/")]).await;
    // CURLE_LOGIN_DENIED.
    assert_eq!(run.code, Some(67), "{}", run.stderr);
    server.stop().await;
}

#[tokio::test]
async fn starttls_required_and_imaps() {
    let server = TestServer::start(Options {
        tls: true,
        allow_plaintext: false,
        ..Options::default()
    })
    .await;
    let body = message(4, 1200);
    let uid = server.deliver("alice", &body).await;
    let ca = server.certs.as_ref().expect("certs").ca_file();
    let ca = ca.display().to_string();
    let url = format!("imap://localhost:{}/INBOX;UID={uid}", server.addr.port());
    let run = curl(&[
        "--ssl-reqd",
        "--cacert",
        &ca,
        "-u",
        "alice:wonderland",
        &url,
    ])
    .await;
    run.assert_success("curl STARTTLS");
    assert!(run.stdout == body, "{}", run.text());
    assert!(
        run.sent().contains(&"A001 STARTTLS") || run.stderr.contains("STARTTLS"),
        "{}",
        run.stderr
    );
    server.stop().await;

    let server = TestServer::start(Options {
        tls: true,
        implicit_tls: true,
        allow_plaintext: false,
        ..Options::default()
    })
    .await;
    let uid = server.deliver("alice", &body).await;
    let ca = server.certs.as_ref().expect("certs").ca_file();
    let ca = ca.display().to_string();
    let url = format!("imaps://localhost:{}/INBOX;UID={uid}", server.addr.port());
    let run = curl(&["--cacert", &ca, "-u", "alice:wonderland", &url]).await;
    run.assert_success("curl imaps");
    assert!(run.stdout == body, "{}", run.text());
    server.stop().await;
}
