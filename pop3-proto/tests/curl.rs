//! curl's `pop3://` and `pop3s://` against the tokio POP3 server on 127.0.0.1: LIST, RETR (bytes
//! compared), UIDL, TOP of a multipart message, DELE then QUIT (deleted) and DELE then a killed
//! curl (not deleted), STLS with `--ssl-reqd`, implicit TLS, SASL PLAIN with and without an
//! initial response, USER/PASS, a wrong password (exit 67), and plaintext refused without TLS.

mod peers;
mod support;

use std::process::Stdio;
use std::time::Duration;

use peers::{MULTIPART, Run};
use support::{Options, TestServer, message};
use tokio::io::{AsyncBufReadExt, BufReader};

/// curl's exit code for a refused login (`CURLE_LOGIN_DENIED`).
const LOGIN_DENIED: i32 = 67;

/// Runs curl with `args` after `-sS --max-time 20`, with `-v` so that the exchange is on stderr.
async fn curl(args: &[&str]) -> Run {
    let mut all = vec!["-sS", "-v", "--max-time", "20"];
    all.extend_from_slice(args);
    peers::run("curl", &all, &[], Duration::from_secs(30)).await
}

fn url(server: &TestServer, user: &str, path: &str) -> String {
    format!("pop3://{user}@127.0.0.1:{}/{path}", server.addr.port())
}

/// The lines curl sent (`> `) and received (`< `) in its `-v` output.
fn sent(run: &Run) -> Vec<&str> {
    run.stderr
        .lines()
        .filter_map(|l| l.strip_prefix("> "))
        .collect()
}

fn received(run: &Run) -> Vec<&str> {
    run.stderr
        .lines()
        .filter_map(|l| l.strip_prefix("< "))
        .collect()
}

async fn server_with(options: Options, messages: &[&[u8]]) -> TestServer {
    let server = TestServer::start(options).await;
    for m in messages {
        server.deliver("alice", m).await;
    }
    server
}

#[tokio::test]
async fn list_retr_uidl_and_top() {
    testkit::peer::require("curl");
    let (m1, m2) = (message(1, 700), message(2, 70_000));
    let server = server_with(Options::default(), &[&m1, &m2, MULTIPART]).await;
    let before = server.unique_ids("alice").await;
    let run = curl(&["-u", "alice:wonderland", &url(&server, "", "")]).await;
    run.assert_success("curl LIST");
    let expected = format!(
        "1 {}\r\n2 {}\r\n3 {}\r\n",
        m1.len(),
        m2.len(),
        MULTIPART.len()
    );
    assert_eq!(run.text(), expected);
    assert!(sent(&run).contains(&"LIST"), "{}", run.stderr);
    for (n, m) in [(1, &m1[..]), (2, &m2[..]), (3, MULTIPART)] {
        let run = curl(&["-u", "alice:wonderland", &url(&server, "", &n.to_string())]).await;
        run.assert_success("curl RETR");
        assert!(run.stdout == m, "RETR {n} differs: {}", run.text());
        assert!(
            sent(&run).contains(&format!("RETR {n}").as_str()),
            "{}",
            run.stderr
        );
    }
    let run = curl(&[
        "-u",
        "alice:wonderland",
        "-X",
        "UIDL",
        &url(&server, "", ""),
    ])
    .await;
    run.assert_success("curl UIDL");
    let uidl: String = before
        .iter()
        .enumerate()
        .map(|(i, u)| format!("{} {u}\r\n", i + 1))
        .collect();
    assert_eq!(run.text(), uidl);
    let run = curl(&[
        "-u",
        "alice:wonderland",
        "-X",
        "TOP 3 0",
        &url(&server, "", ""),
    ])
    .await;
    run.assert_success("curl TOP");
    let header_end = MULTIPART
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("header end");
    assert_eq!(
        run.stdout,
        MULTIPART.get(..header_end + 4).unwrap_or_default()
    );
    let run = curl(&[
        "-u",
        "alice:wonderland",
        "-X",
        "TOP 3 4",
        &url(&server, "", ""),
    ])
    .await;
    run.assert_success("curl TOP 4");
    let top4 = b"\r\npreamble\r\n--XX\r\nContent-Type: text/plain\r\n\r\n";
    assert!(run.stdout.ends_with(top4), "{}", run.text());
    // Reading deletes nothing.
    assert_eq!(server.unique_ids("alice").await, before);
    server.stop().await;
}

#[tokio::test]
async fn dele_then_quit_deletes() {
    testkit::peer::require("curl");
    let (m1, m2) = (message(1, 300), message(2, 400));
    let server = server_with(Options::default(), &[&m1, &m2]).await;
    let before = server.unique_ids("alice").await;
    // `-I` (no body): DELE has a one-line answer.
    let run = curl(&[
        "-u",
        "alice:wonderland",
        "-I",
        "-X",
        "DELE 1",
        &url(&server, "", ""),
    ])
    .await;
    run.assert_success("curl DELE");
    // curl sends QUIT when it closes its connection cache at exit, after `-v` has stopped
    // logging: the store shows that UPDATE took place.
    assert!(sent(&run).contains(&"DELE 1"), "{}", run.stderr);
    assert!(
        received(&run).contains(&"+OK Message 1 deleted"),
        "{}",
        run.stderr
    );
    assert_eq!(server.unique_ids("alice").await, vec![before[1].clone()]);
    server.stop().await;
}

#[tokio::test]
async fn dele_then_killed_curl_deletes_nothing() {
    testkit::peer::require("curl");
    let server = server_with(Options::default(), &[&message(1, 300)]).await;
    let before = server.unique_ids("alice").await;
    // Without `-I` curl waits for a multi-line answer after DELE's one line: it is stuck in
    // TRANSACTION after the DELE, and killing it drops the connection without QUIT.
    let mut child = tokio::process::Command::new(testkit::peer::require("curl"))
        .args([
            "-sS",
            "-v",
            "--max-time",
            "30",
            "-u",
            "alice:wonderland",
            "-X",
            "DELE 1",
        ])
        .arg(url(&server, "", ""))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("spawn curl");
    let stderr = child.stderr.take().expect("stderr");
    let mut lines = BufReader::new(stderr).lines();
    let seen = tokio::time::timeout(Duration::from_secs(20), async {
        while let Ok(Some(line)) = lines.next_line().await {
            if line == "< +OK Message 1 deleted" {
                return true;
            }
        }
        false
    })
    .await;
    child.kill().await.expect("kill curl");
    assert_eq!(seen, Ok(true), "curl never saw DELE's +OK");
    // The server notices the drop, skips UPDATE and releases the lock (a new session may
    // see `-ERR [IN-USE]` for the moment it takes the server to read the end of the stream).
    let mut run = curl(&["-u", "alice:wonderland", &url(&server, "", "")]).await;
    for _ in 0..20 {
        if run.code() == Some(0) {
            break;
        }
        assert!(
            received(&run)
                .iter()
                .any(|l| l.starts_with("-ERR [IN-USE]")),
            "{}",
            run.stderr
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
        run = curl(&["-u", "alice:wonderland", &url(&server, "", "")]).await;
    }
    run.assert_success("curl LIST after the drop");
    assert_eq!(run.text(), format!("1 {}\r\n", message(1, 300).len()));
    assert_eq!(server.unique_ids("alice").await, before);
    server.stop().await;
}

#[tokio::test]
async fn stls_with_ssl_reqd_and_implicit_tls() {
    testkit::peer::require("curl");
    let m = message(1, 5000);
    let options = Options {
        tls: true,
        allow_plaintext: false,
        ..Options::default()
    };
    let server = server_with(options, &[&m]).await;
    let ca = server.certs.as_ref().expect("certs").ca_file();
    let ca = ca.to_str().expect("utf-8 path");
    let run = curl(&[
        "--ssl-reqd",
        "--cacert",
        ca,
        "-u",
        "alice:wonderland",
        &url(&server, "", "1"),
    ])
    .await;
    run.assert_success("curl STLS");
    assert!(run.stdout == m, "{}", run.text());
    assert!(sent(&run).contains(&"STLS"), "{}", run.stderr);
    assert!(
        received(&run).contains(&"+OK Begin TLS negotiation"),
        "{}",
        run.stderr
    );
    // Without TLS the plaintext mechanisms are not offered: curl gives up without logging in.
    let run = curl(&["-u", "alice:wonderland", &url(&server, "", "")]).await;
    assert_eq!(run.code(), Some(LOGIN_DENIED), "{}", run.stderr);
    assert!(
        !sent(&run).iter().any(|l| l.starts_with("PASS")),
        "{}",
        run.stderr
    );
    assert!(run.stdout.is_empty());
    // curl cannot be made to send USER/PASS when CAPA does not list USER (`AUTH=+LOGIN` is
    // IMAP only); the `-ERR [AUTH]` answer to USER before STLS is checked with poplib.
    assert_eq!(server.unique_ids("alice").await.len(), 1);
    server.stop().await;

    let options = Options {
        tls: true,
        implicit_tls: true,
        allow_plaintext: false,
        ..Options::default()
    };
    let server = server_with(options, &[&m]).await;
    let ca = server.certs.as_ref().expect("certs").ca_file();
    let ca = ca.to_str().expect("utf-8 path");
    let url = format!("pop3s://127.0.0.1:{}/1", server.addr.port());
    let run = curl(&["--cacert", ca, "-u", "alice:wonderland", &url]).await;
    run.assert_success("curl pop3s");
    assert!(run.stdout == m, "{}", run.text());
    assert!(!sent(&run).contains(&"STLS"), "{}", run.stderr);
    let run = curl(&["-u", "alice:wonderland", &url]).await;
    assert_ne!(
        run.code(),
        Some(0),
        "an untrusted certificate must fail: {}",
        run.stderr
    );
    server.stop().await;
}

#[tokio::test]
async fn sasl_plain_user_pass_and_a_wrong_password() {
    testkit::peer::require("curl");
    let m = message(1, 900);
    let server = server_with(Options::default(), &[&m]).await;
    let target = url(&server, "", "1");
    // AUTH PLAIN with the initial response on the command line.
    let run = curl(&[
        "--login-options",
        "AUTH=PLAIN",
        "--sasl-ir",
        "-u",
        "alice:wonderland",
        &target,
    ])
    .await;
    run.assert_success("curl AUTH PLAIN (initial response)");
    assert!(run.stdout == m);
    assert!(
        sent(&run).contains(&"AUTH PLAIN AGFsaWNlAHdvbmRlcmxhbmQ="),
        "{}",
        run.stderr
    );
    // AUTH PLAIN, the response after the `+ ` continuation.
    let run = curl(&[
        "--login-options",
        "AUTH=PLAIN",
        "-u",
        "alice:wonderland",
        &target,
    ])
    .await;
    run.assert_success("curl AUTH PLAIN (continuation)");
    assert!(run.stdout == m);
    assert!(sent(&run).contains(&"AUTH PLAIN"), "{}", run.stderr);
    assert!(received(&run).contains(&"+ "), "{}", run.stderr);
    // A wrong password: exit 67, the server said -ERR [AUTH].
    let run = curl(&["--login-options", "AUTH=PLAIN", "-u", "alice:nope", &target]).await;
    assert_eq!(run.code(), Some(LOGIN_DENIED), "{}", run.stderr);
    assert!(
        received(&run).iter().any(|l| l.starts_with("-ERR [AUTH] ")),
        "{}",
        run.stderr
    );
    assert!(run.stdout.is_empty());
    assert_eq!(server.unique_ids("alice").await.len(), 1);
    server.stop().await;
}

#[tokio::test]
async fn user_pass_when_no_sasl_is_offered() {
    testkit::peer::require("curl");
    // curl picks USER/PASS only when CAPA lists no SASL mechanism it knows.
    let options = Options {
        config: |c| c.sasl_mechanisms.clear(),
        ..Options::default()
    };
    let m = message(1, 900);
    let server = server_with(options, &[&m]).await;
    let target = url(&server, "", "1");
    let run = curl(&["-u", "bob:builder", &url(&server, "", "")]).await;
    run.assert_success("curl USER/PASS (bob, empty maildrop)");
    // An empty listing: curl 7.88 passes on the CRLF before the terminator as data.
    assert!(matches!(&run.stdout[..], b"" | b"\r\n"), "{:?}", run.stdout);
    assert!(
        received(&run).contains(&"+OK 0 messages (0 octets)"),
        "{}",
        run.stderr
    );
    let run = curl(&["-u", "alice:wonderland", &target]).await;
    run.assert_success("curl USER/PASS");
    assert!(run.stdout == m);
    let sent_lines = sent(&run);
    assert!(sent_lines.contains(&"USER alice"), "{}", run.stderr);
    assert!(
        !sent_lines.iter().any(|l| l.starts_with("AUTH")),
        "{}",
        run.stderr
    );
    // A wrong password: exit 67 after PASS's -ERR [AUTH].
    let run = curl(&["-u", "alice:nope", &target]).await;
    assert_eq!(run.code(), Some(LOGIN_DENIED), "{}", run.stderr);
    assert!(
        received(&run).contains(&"-ERR [AUTH] Authentication failed"),
        "{}",
        run.stderr
    );
    assert!(run.stdout.is_empty());
    assert_eq!(server.unique_ids("alice").await.len(), 1);
    server.stop().await;
}
