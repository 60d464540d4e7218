//! fetchmail (Debian) against the tokio POP3 server on 127.0.0.1: it downloads five messages
//! (one short, lines starting with a dot, a multipart, 1 MB, a body of lone dots) into a local
//! mbox through an MDA; `keep` leaves the store alone, the default deletes (DELE + QUIT), `uidl`
//! fetches only new messages on the next run, and over STLS it logs in where the server refuses
//! plaintext logins without TLS.

mod peers;
mod support;

use std::path::{Path, PathBuf};
use std::time::Duration;

use peers::{Run, five_messages, header_and_body, split_mbox, to_lf};
use support::{Options, TestServer};

/// The line the test MDA writes before each message.
const SEPARATOR: &[u8] = b"From fetchmail-test ";

/// A fetchmail set-up of the test's own: run control file, MDA script, mbox, id file.
struct Fetchmail {
    dir: tempfile::TempDir,
}

impl Fetchmail {
    fn new() -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let script = format!(
            "#!/bin/sh\n{{ printf 'From fetchmail-test %s\\n' \"$(date)\"; cat; printf '\\n'; }} >> {}\n",
            dir.path().join("mbox").display()
        );
        std::fs::write(dir.path().join("mda.sh"), script).expect("mda script");
        Self { dir }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Runs `fetchmail -f RC` once in the foreground with `server_options` after `poll` and
    /// `user_options` after the user's entry.
    async fn run(&self, port: u16, server_options: &str, user_options: &str) -> Run {
        let rc = format!(
            "set no syslog\nset postmaster \"root\"\n\
poll 127.0.0.1 proto pop3 port {port} auth password timeout 30 {server_options}\n\
  user \"alice\" there with password \"wonderland\" is \"root\" here\n\
  no rewrite {user_options}\n  mda \"/bin/sh {}\"\n",
            self.path("mda.sh").display()
        );
        let rcfile = self.path("fetchmailrc");
        std::fs::write(&rcfile, rc).expect("rcfile");
        set_mode_600(&rcfile);
        let (rcfile, pidfile, idfile) = (
            rcfile.display().to_string(),
            self.path("fetchmail.pid").display().to_string(),
            self.path("fetchids").display().to_string(),
        );
        peers::run(
            "fetchmail",
            &[
                "-f",
                &rcfile,
                "--nodetach",
                "--nosyslog",
                "-v",
                "--pidfile",
                &pidfile,
                "--idfile",
                &idfile,
            ],
            &[
                ("FETCHMAILHOME", self.dir.path()),
                ("HOME", self.dir.path()),
            ],
            Duration::from_secs(60),
        )
        .await
    }

    /// The messages in the mbox so far (LF line endings, as the MDA got them).
    fn mbox(&self) -> Vec<Vec<u8>> {
        let bytes = std::fs::read(self.path("mbox")).unwrap_or_default();
        split_mbox(&bytes, SEPARATOR)
    }

    /// Removes the mbox (between runs).
    fn clear(&self) {
        let _ = std::fs::remove_file(self.path("mbox"));
    }
}

fn set_mode_600(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).expect("chmod 600");
}

/// Asserts that `got` (from the mbox) is `sent` as an MDA receives it: every header line
/// (fetchmail may add its own, such as `Received:`) and the body exactly.
#[track_caller]
fn assert_delivered(got: &[u8], sent: &[u8]) {
    let sent = to_lf(sent);
    let (sent_header, sent_body) = header_and_body(&sent);
    let (got_header, got_body) = header_and_body(got);
    assert!(
        got_body == sent_body,
        "body differs: {} octets delivered, {} sent; starts {:?}",
        got_body.len(),
        sent_body.len(),
        String::from_utf8_lossy(got_body.get(..200).unwrap_or(got_body))
    );
    let got_header = String::from_utf8_lossy(got_header);
    for line in String::from_utf8_lossy(sent_header).lines() {
        assert!(
            got_header.lines().any(|l| l == line),
            "header line {line:?} missing from\n{got_header}"
        );
    }
}

/// The session transcript fetchmail printed with `-v` (its `POP3>` and `POP3<` lines).
fn trace(run: &Run) -> String {
    format!("{}{}", run.text(), run.stderr)
}

async fn server_with_five(options: Options) -> (TestServer, Vec<Vec<u8>>) {
    let server = TestServer::start(options).await;
    let messages = five_messages();
    for m in &messages {
        server.deliver("alice", m).await;
    }
    (server, messages)
}

#[tokio::test]
async fn keep_downloads_all_five_and_deletes_nothing() {
    testkit::peer::require("fetchmail");
    let (server, messages) = server_with_five(Options::default()).await;
    let before = server.unique_ids("alice").await;
    let fetchmail = Fetchmail::new();
    let run = fetchmail
        .run(server.addr.port(), "", "keep fetchall sslproto ''")
        .await;
    run.assert_success("fetchmail");
    let mbox = fetchmail.mbox();
    assert_eq!(mbox.len(), 5, "{}", trace(&run));
    for (got, sent) in mbox.iter().zip(&messages) {
        assert_delivered(got, sent);
    }
    let log = trace(&run);
    assert!(!log.contains("POP3> DELE"), "{log}");
    assert!(log.contains("POP3> QUIT"), "{log}");
    assert_eq!(server.unique_ids("alice").await, before);
    server.stop().await;
}

#[tokio::test]
async fn default_deletes_what_it_downloaded() {
    testkit::peer::require("fetchmail");
    let (server, messages) = server_with_five(Options::default()).await;
    let fetchmail = Fetchmail::new();
    let run = fetchmail.run(server.addr.port(), "", "sslproto ''").await;
    run.assert_success("fetchmail");
    let mbox = fetchmail.mbox();
    assert_eq!(mbox.len(), 5, "{}", trace(&run));
    for (got, sent) in mbox.iter().zip(&messages) {
        assert_delivered(got, sent);
    }
    let log = trace(&run);
    for n in 1..=5 {
        assert!(log.contains(&format!("POP3> DELE {n}")), "{log}");
    }
    assert!(log.contains("POP3> QUIT"), "{log}");
    assert!(server.unique_ids("alice").await.is_empty());
    server.stop().await;
}

#[tokio::test]
async fn uidl_mode_fetches_only_the_new_message() {
    testkit::peer::require("fetchmail");
    let (server, messages) = server_with_five(Options::default()).await;
    let fetchmail = Fetchmail::new();
    let run = fetchmail
        .run(server.addr.port(), "uidl", "keep sslproto ''")
        .await;
    run.assert_success("fetchmail (first run)");
    assert_eq!(fetchmail.mbox().len(), 5, "{}", trace(&run));
    let ids = std::fs::read_to_string(fetchmail.path("fetchids")).unwrap_or_default();
    for uid in server.unique_ids("alice").await {
        assert!(ids.contains(&uid), "{uid} not in the id file:\n{ids}");
    }
    fetchmail.clear();
    let new = support::message(6, 500);
    server.deliver("alice", &new).await;
    let run = fetchmail
        .run(server.addr.port(), "uidl", "keep sslproto ''")
        .await;
    run.assert_success("fetchmail (second run)");
    let mbox = fetchmail.mbox();
    assert_eq!(mbox.len(), 1, "{}", trace(&run));
    assert_delivered(&mbox[0], &new);
    // A third run finds nothing new (fetchmail exits 1: no mail).
    fetchmail.clear();
    let run = fetchmail
        .run(server.addr.port(), "uidl", "keep sslproto ''")
        .await;
    assert_eq!(run.code(), Some(1), "{}", trace(&run));
    assert!(fetchmail.mbox().is_empty());
    assert_eq!(server.unique_ids("alice").await.len(), messages.len() + 1);
    server.stop().await;
}

#[tokio::test]
async fn stls_when_plaintext_is_refused_without_tls() {
    testkit::peer::require("fetchmail");
    let options = Options {
        tls: true,
        allow_plaintext: false,
        ..Options::default()
    };
    let (server, messages) = server_with_five(options).await;
    let ca = server.certs.as_ref().expect("certs").ca_file();
    let fetchmail = Fetchmail::new();
    let tls = format!(
        "sslproto tls1.2+ sslcertck sslcertfile \"{}\" sslcommonname \"localhost\"",
        ca.display()
    );
    let run = fetchmail.run(server.addr.port(), "", &tls).await;
    run.assert_success("fetchmail over STLS");
    let log = trace(&run);
    // STLS first, the login after it.
    let stls = log.find("POP3> STLS").expect("fetchmail sent STLS");
    let user = log.find("POP3> USER alice").expect("fetchmail sent USER");
    assert!(stls < user, "{log}");
    let mbox = fetchmail.mbox();
    assert_eq!(mbox.len(), 5, "{log}");
    for (got, sent) in mbox.iter().zip(&messages) {
        assert_delivered(got, sent);
    }
    assert!(server.unique_ids("alice").await.is_empty());
    // The same login without TLS is refused: fetchmail fails and nothing changes.
    server.deliver("alice", &messages[0]).await;
    fetchmail.clear();
    let run = fetchmail.run(server.addr.port(), "", "sslproto ''").await;
    let log = trace(&run);
    assert_ne!(run.code(), Some(0), "{log}");
    assert!(!log.contains("POP3> STLS"), "{log}");
    assert!(log.contains("POP3< -ERR [AUTH] "), "{log}");
    assert!(fetchmail.mbox().is_empty(), "{log}");
    assert_eq!(server.unique_ids("alice").await.len(), 1);
    server.stop().await;
}
