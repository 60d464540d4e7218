//! fetchmail in IMAP mode with IDLE (RFC 2177) against our server: it fetches the unseen mail
//! through an MDA, idles, and a message appended by another client while it idles is fetched
//! within a few seconds. Asserts the delivered messages (header lines and body exactly), that
//! fetchmail really idled, and the `\Seen` flags it left in the store.

#[path = "common/clients.rs"]
mod clients;
mod server_support;

use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use clients::{MESSAGES, contents, eventually, server_with_messages, simple, to_lf};

/// The line the test MDA writes before each message.
const SEPARATOR: &str = "From fetchmail-test ";

/// The messages in the MDA's mbox so far (LF line ends, as the MDA got them).
fn mbox(path: &Path) -> Vec<Vec<u8>> {
    let text = std::fs::read(path).unwrap_or_default();
    let mut messages: Vec<Vec<u8>> = Vec::new();
    for line in text.split_inclusive(|&b| b == b'\n') {
        if line.starts_with(SEPARATOR.as_bytes()) {
            messages.push(Vec::new());
        } else if let Some(m) = messages.last_mut() {
            m.extend_from_slice(line);
        }
    }
    for m in &mut messages {
        // The empty line the MDA wrote after the message.
        if m.ends_with(b"\n\n") {
            m.pop();
        }
    }
    messages
}

/// Asserts that `got` (from the mbox) is `sent` as an MDA receives it: every header line of
/// `sent` (fetchmail adds its own `Received:`) and the body exactly.
#[track_caller]
fn assert_delivered(got: &[u8], sent: &[u8]) {
    let sent = to_lf(sent);
    let split = |m: &[u8]| -> (String, Vec<u8>) {
        let at = m.windows(2).position(|w| w == b"\n\n").unwrap_or(m.len());
        (
            String::from_utf8_lossy(&m[..at]).into_owned(),
            m.get(at + 2..).unwrap_or_default().to_vec(),
        )
    };
    let (sent_header, sent_body) = split(&sent);
    let (got_header, got_body) = split(got);
    assert!(
        got_body == sent_body,
        "body differs:\n{}",
        String::from_utf8_lossy(got)
    );
    for line in sent_header.lines() {
        assert!(
            got_header.lines().any(|l| l == line),
            "header line {line:?} missing from\n{got_header}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fetchmail_fetches_then_idles_and_gets_new_mail_at_once() {
    let fetchmail = testkit::peer::require("fetchmail");
    let server = server_with_messages().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let mbox_path = dir.path().join("mbox");
    let mda = dir.path().join("mda.sh");
    std::fs::write(
        &mda,
        format!(
            "#!/bin/sh\n{{ printf '{SEPARATOR}%s\\n' \"$(date)\"; cat; printf '\\n'; }} >> {}\n",
            mbox_path.display()
        ),
    )
    .expect("mda");
    let rc = dir.path().join("fetchmailrc");
    std::fs::write(
        &rc,
        format!(
            "set no syslog\nset postmaster \"root\"\n\
             poll 127.0.0.1 proto imap port {} auth password timeout 30\n\
             user \"alice\" there with password \"wonderland\" is \"root\" here\n\
             no rewrite keep idle sslproto '' mda \"/bin/sh {}\"\n",
            server.addr.port(),
            mda.display()
        ),
    )
    .expect("rc");
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&rc, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    }
    let log_path = dir.path().join("log");
    let log = std::fs::File::create(&log_path).expect("log");
    let mut child = tokio::process::Command::new(fetchmail)
        .arg("-f")
        .arg(&rc)
        .args(["--nodetach", "--nosyslog", "-v", "--pidfile"])
        .arg(dir.path().join("pid"))
        .arg("--idfile")
        .arg(dir.path().join("ids"))
        .env("FETCHMAILHOME", dir.path())
        .env("HOME", dir.path())
        .stdin(Stdio::null())
        .stdout(log.try_clone().expect("log"))
        .stderr(log)
        .kill_on_drop(true)
        .spawn()
        .expect("start fetchmail");
    let transcript = || std::fs::read_to_string(&log_path).unwrap_or_default();

    // The three unseen messages, then IDLE.
    let idling = eventually(Duration::from_secs(30), async || {
        mbox(&mbox_path).len() == 3 && transcript().contains(" IDLE\n")
    })
    .await;
    assert!(
        idling,
        "fetchmail did not fetch and idle:\n{}",
        transcript()
    );
    for (got, sent) in mbox(&mbox_path).iter().zip(MESSAGES) {
        assert_delivered(got, sent);
    }

    // Another client appends; fetchmail, idling, fetches it within a few seconds.
    let late = simple("late@example.org", "late arrival", "arrived while idling");
    let out = testkit::Python::script(
        "import imaplib, sys\n\
         c = imaplib.IMAP4('127.0.0.1', int(sys.argv[1]))\n\
         c.login('alice', 'wonderland')\n\
         print(c.append('INBOX', None, None, sys.argv[2].encode().replace(b'\\n', b'\\r\\n')))\n\
         c.logout()\n",
    )
    .arg(server.addr.port().to_string())
    .arg(String::from_utf8_lossy(&to_lf(&late)).into_owned())
    .run()
    .await;
    out.assert_success();
    let start = Instant::now();
    let fetched = eventually(Duration::from_secs(5), async || mbox(&mbox_path).len() == 4).await;
    let latency = start.elapsed();
    let _ = child.kill().await;
    let log = transcript();
    assert!(
        fetched,
        "the new message was not fetched within 5 s:\n{log}"
    );
    assert_delivered(&mbox(&mbox_path)[3], &late);
    assert!(latency < Duration::from_secs(5), "{latency:?}");

    // fetchmail marked everything it fetched as seen (`keep`: nothing deleted).
    let inbox = contents(&server, "INBOX").await;
    assert_eq!(inbox.len(), 4, "{log}");
    for (uid, _, flags) in &inbox {
        assert!(
            flags.contains(&"\\Seen".to_owned()),
            "UID {uid}: {flags:?}\n{log}"
        );
    }
    server.stop().await;
}
