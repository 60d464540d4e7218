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

use clients::{MESSAGES, contents, eventually, server_with_messages_and, simple, to_lf};
use server_support::Options;

/// The messages the test MDA delivered so far, in order (LF line ends, as the MDA got them).
/// The MDA writes each into a file of its own and renames it into `dir/new` when complete.
fn delivered(dir: &Path) -> Vec<Vec<u8>> {
    let mut names: Vec<std::path::PathBuf> = std::fs::read_dir(dir.join("new"))
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .collect();
    names.sort();
    names
        .iter()
        .map(|p| std::fs::read(p).expect("read a delivered message"))
        .collect()
}

/// Asserts that `got` (as the MDA got it) is `sent` as an MDA receives it: every header line of
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
    fetchmail_idle(false).await;
}

/// The same after STARTTLS (RFC 9051 §6.2.1), fetchmail checking the certificate, the server
/// refusing LOGIN without TLS.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fetchmail_over_starttls() {
    fetchmail_idle(true).await;
}

async fn fetchmail_idle(tls: bool) {
    let fetchmail = testkit::peer::require("fetchmail");
    let options = Options {
        tls,
        allow_plaintext: !tls,
        ..Options::default()
    };
    let server = server_with_messages_and(options).await;
    let tls_options = match server.certs.as_ref() {
        Some(certs) => format!(
            "sslproto tls1.2+ sslcertck sslcertfile \"{}\" sslcommonname \"localhost\"",
            certs.ca_file().display()
        ),
        None => "sslproto ''".to_owned(),
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let out_dir = dir.path().join("delivered");
    std::fs::create_dir_all(out_dir.join("new")).expect("delivery directory");
    let mda = dir.path().join("mda.sh");
    std::fs::write(
        &mda,
        format!(
            "#!/bin/sh\nt={d}/tmp.$$\ncat > \"$t\" && mv \"$t\" {d}/new/$(date +%s%N).$$\n",
            d = out_dir.display()
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
             no rewrite keep idle {tls_options} mda \"/bin/sh {}\"\n",
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
        delivered(&out_dir).len() == 3 && transcript().contains(" IDLE\n")
    })
    .await;
    assert!(
        idling,
        "fetchmail did not fetch and idle:\n{}",
        transcript()
    );
    for (got, sent) in delivered(&out_dir).iter().zip(MESSAGES) {
        assert_delivered(got, sent);
    }

    // Another client appends; fetchmail, idling, fetches it within a few seconds.
    let late = simple("late@example.org", "late arrival", "arrived while idling");
    let out = testkit::Python::script(
        "import imaplib, ssl, sys\n\
         c = imaplib.IMAP4('127.0.0.1', int(sys.argv[1]))\n\
         if sys.argv[3]:\n    c.starttls(ssl.create_default_context(cafile=sys.argv[3]))\n\
         c.login('alice', 'wonderland')\n\
         print(c.append('INBOX', None, None, sys.argv[2].encode().replace(b'\\n', b'\\r\\n')))\n\
         c.logout()\n",
    )
    .arg(server.addr.port().to_string())
    .arg(String::from_utf8_lossy(&to_lf(&late)).into_owned())
    .arg(
        server
            .certs
            .as_ref()
            .map(|c| c.ca_file().display().to_string())
            .unwrap_or_default(),
    )
    .run()
    .await;
    out.assert_success();
    let start = Instant::now();
    let fetched = eventually(Duration::from_secs(5), async || {
        delivered(&out_dir).len() == 4
    })
    .await;
    let latency = start.elapsed();
    // fetchmail marks a message seen after its MDA returned: wait for that before stopping it.
    let all_seen = async || {
        let inbox = contents(&server, "INBOX").await;
        inbox.len() == 4 && inbox.iter().all(|m| m.2.contains(&"\\Seen".to_owned()))
    };
    eventually(Duration::from_secs(5), all_seen).await;
    let _ = child.kill().await;
    let log = transcript();
    assert!(
        fetched,
        "the new message was not fetched within 5 s:\n{log}"
    );
    assert_delivered(&delivered(&out_dir)[3], &late);
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
