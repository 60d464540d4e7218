//! mutt, a terminal mail reader, driven through tmux against our server over `imap://`: it
//! opens INBOX, reads the multipart message (its quoted-printable text shown decoded), flags
//! it, saves (`s`) another message to `=Archive`, syncs (`$`, expunging the saved one) and
//! quits. Asserts on the screen mutt shows and on the server's store afterwards.

#[path = "common/clients.rs"]
mod clients;
mod server_support;

use std::path::Path;
use std::time::{Duration, Instant};

use clients::{FIRST, PARTS, THIRD, contents, server_with_messages};
use mailstore::{Flag, FlagOp, UidSet};

/// A tmux server of the test's own (its own socket name), killed on drop.
struct Tmux {
    socket: String,
}

impl Tmux {
    fn command(&self, args: &[&str]) -> std::process::Output {
        std::process::Command::new(testkit::peer::require("tmux"))
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .expect("run tmux")
    }

    /// Starts mutt with `rc` in a detached 160×40 session named `mutt`.
    fn start_mutt(socket: String, home: &Path, rc: &Path, args: &str) -> Tmux {
        let mutt = testkit::peer::require("mutt");
        let tmux = Tmux { socket };
        let line = format!(
            "env HOME={} TERM=xterm LANG=C.UTF-8 LC_ALL=C.UTF-8 {} -n -F {} {args}",
            home.display(),
            mutt.display(),
            rc.display()
        );
        let out = tmux.command(&[
            "new-session",
            "-d",
            "-s",
            "mutt",
            "-x",
            "160",
            "-y",
            "40",
            &line,
        ]);
        assert!(out.status.success(), "tmux: {:?}", out);
        tmux
    }

    fn keys(&self, keys: &[&str]) {
        for key in keys {
            let out = self.command(&["send-keys", "-t", "mutt", key]);
            assert!(out.status.success(), "send-keys {key}: {out:?}");
            std::thread::sleep(Duration::from_millis(150));
        }
    }

    fn screen(&self) -> String {
        String::from_utf8_lossy(&self.command(&["capture-pane", "-p", "-t", "mutt"]).stdout)
            .into_owned()
    }

    fn running(&self) -> bool {
        self.command(&["has-session", "-t", "mutt"])
            .status
            .success()
    }

    /// Waits (up to 20 s) until the screen shows every one of `texts`; returns the screen.
    async fn wait_for(&self, texts: &[&str]) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if texts.iter().all(|t| screen.contains(t)) {
                return screen;
            }
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "mutt never showed {texts:?}; the screen:\n{screen}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.command(&["kill-server"]);
    }
}

/// The mutt configuration: INBOX on our server over plain `imap://` (loopback), no local
/// caches, no confirmations; `extra` lines last (they override).
fn muttrc(port: u16, extra: &str) -> String {
    format!(
        "set folder=\"imap://alice:wonderland@127.0.0.1:{port}/\"\n\
         set spoolfile=\"+INBOX\"\nset ssl_starttls=no\nset ssl_force_tls=no\n\
         set imap_passive=no\nset mail_check=2\nset timeout=2\nset header_cache=\"\"\n\
         set message_cachedir=\"\"\nset record=\"\"\nset postponed=\"\"\nset move=no\n\
         set delete=yes\nset confirmappend=no\nset confirmcreate=no\nset quit=yes\n\
         set wait_key=no\nset mark_old=no\nset sort=date\nset pager_stop=yes\nset charset=utf-8\n\
         {extra}"
    )
}

/// Waits (up to 20 s) until the tmux session (mutt) has ended.
async fn wait_until_quit(tmux: &Tmux) {
    let start = Instant::now();
    while tmux.running() {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "mutt did not quit:\n{}",
            tmux.screen()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mutt_reads_flags_and_saves_to_another_folder() {
    testkit::peer::require("tmux");
    let server = server_with_messages().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let rc = dir.path().join("muttrc");
    std::fs::write(&rc, muttrc(server.addr.port(), "")).expect("muttrc");
    let socket = format!("imap-clients-mutt-{}", server.addr.port());
    let tmux = Tmux::start_mutt(socket, dir.path(), &rc, "");

    // The index: three messages, two columns we check (subjects), the status line.
    tmux.wait_for(&["first message", "parts and pieces", "third one", "Msgs:3"])
        .await;
    // Read message 2: mutt fetched and decoded the quoted-printable UTF-8 text part.
    tmux.keys(&["2", "Enter", "Enter"]);
    tmux.wait_for(&["Subject: parts and pieces", "Café au lait", "data.bin"])
        .await;
    tmux.keys(&["q"]);
    tmux.wait_for(&["Msgs:3"]).await;
    // Flag it, then save message 3 to =Archive and sync (expunges it from INBOX).
    tmux.keys(&["F"]);
    tmux.wait_for(&["Flag:1"]).await;
    tmux.keys(&["3", "Enter", "s"]);
    tmux.wait_for(&["Save to mailbox"]).await;
    tmux.keys(&["C-u", "=Archive", "Enter"]);
    tmux.wait_for(&["Del:1"]).await;
    tmux.keys(&["$"]);
    let screen = tmux.wait_for(&["Msgs:2"]).await;
    assert!(!screen.contains("third one"), "{screen}");
    tmux.keys(&["q"]);
    wait_until_quit(&tmux).await;

    // The store: INBOX keeps the first two, the one read is seen and flagged; Archive has the
    // saved message, unchanged.
    let inbox = contents(&server, "INBOX").await;
    assert_eq!(inbox.len(), 2, "{inbox:?}");
    assert!(inbox[0].1 == FIRST && inbox[1].1 == PARTS);
    assert_eq!(inbox[0].2, Vec::<String>::new());
    assert_eq!(inbox[1].2, vec!["\\Flagged", "\\Seen"]);
    let archive = contents(&server, "Archive").await;
    assert_eq!(archive.len(), 1);
    assert!(archive[0].1 == THIRD, "the saved message changed");
    server.stop().await;
}

/// mutt with a header cache, CONDSTORE and QRESYNC (RFC 7162): it opens INBOX, quits; the
/// server then loses a message, flags another and gets a new one; mutt reopens INBOX with
/// `SELECT ... (QRESYNC (...))` and must show exactly the new state (VANISHED (EARLIER), FETCH
/// of the changed flags, the new message).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mutt_resyncs_its_header_cache_with_qresync() {
    testkit::peer::require("tmux");
    let server = server_with_messages().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let hcache = dir.path().join("hcache");
    std::fs::create_dir(&hcache).expect("hcache dir");
    let rc = dir.path().join("muttrc");
    let extra = format!(
        "set header_cache=\"{}/\"\nset imap_condstore=yes\nset imap_qresync=yes\n",
        hcache.display()
    );
    std::fs::write(&rc, muttrc(server.addr.port(), &extra)).expect("muttrc");
    let socket = format!("imap-clients-mutt-{}", server.addr.port());

    let tmux = Tmux::start_mutt(socket.clone(), dir.path(), &rc, "-d 5");
    tmux.wait_for(&["first message", "parts and pieces", "third one", "Msgs:3"])
        .await;
    tmux.keys(&["q"]);
    wait_until_quit(&tmux).await;
    drop(tmux);
    assert!(
        std::fs::read_dir(&hcache).map(|d| d.count()).unwrap_or(0) > 0,
        "mutt wrote no header cache"
    );

    // Meanwhile on the server: THIRD expunged, FIRST flagged, a new message.
    let account = server.account("alice").await;
    let set = |f: Flag| -> mailstore::Flags { [f].into_iter().collect() };
    account
        .store_flags(
            "INBOX",
            &UidSet::single(3),
            FlagOp::Add,
            &set(Flag::Deleted),
            None,
        )
        .await
        .expect("flag");
    account.expunge("INBOX", None).await.expect("expunge");
    account
        .store_flags(
            "INBOX",
            &UidSet::single(1),
            FlagOp::Add,
            &set(Flag::Flagged),
            None,
        )
        .await
        .expect("flag");
    clients::put(
        &server,
        "INBOX",
        &clients::simple("new@example.org", "fourth arrival", "new"),
        &[],
    )
    .await;

    let _ = std::fs::remove_file(dir.path().join(".muttdebug0"));
    let tmux = Tmux::start_mutt(socket, dir.path(), &rc, "-d 5");
    let screen = tmux
        .wait_for(&[
            "first message",
            "parts and pieces",
            "fourth arrival",
            "Msgs:3",
            "Flag:1",
        ])
        .await;
    assert!(!screen.contains("third one"), "{screen}");
    tmux.keys(&["q"]);
    wait_until_quit(&tmux).await;
    // mutt really resynchronised with QRESYNC (its debug log holds the protocol): it enabled
    // it, asked for the changes since its cached MODSEQ with the VANISHED modifier (RFC 7162
    // §3.2.6) and got the expunged UID as VANISHED (EARLIER).
    let log =
        String::from_utf8_lossy(&std::fs::read(dir.path().join(".muttdebug0")).unwrap_or_default())
            .into_owned();
    assert!(log.contains("* ENABLED QRESYNC"), "{log}");
    let asked = log
        .lines()
        .any(|l| l.contains("> a") && l.contains("UID FETCH") && l.contains("VANISHED)"));
    assert!(
        asked,
        "mutt did not ask with CHANGEDSINCE ... VANISHED:\n{log}"
    );
    assert!(log.contains("< * VANISHED (EARLIER) 3\n"), "{log}");
    server.stop().await;
}

/// mutt (which enables UTF8=ACCEPT, RFC 6855) saves a message to a new folder with a
/// non-ASCII name; an IMAP4rev1 client without UTF8=ACCEPT (Python's imaplib) then sees the
/// name in modified UTF-7 (RFC 3501 §5.1.3) and finds the message in it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mutt_saves_to_a_new_folder_with_a_non_ascii_name() {
    testkit::peer::require("tmux");
    let server = server_with_messages().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let rc = dir.path().join("muttrc");
    std::fs::write(&rc, muttrc(server.addr.port(), "")).expect("muttrc");
    let socket = format!("imap-clients-mutt-{}", server.addr.port());
    let tmux = Tmux::start_mutt(socket, dir.path(), &rc, "-d 5");
    tmux.wait_for(&["third one", "Msgs:3"]).await;
    tmux.keys(&["3", "Enter", "s"]);
    tmux.wait_for(&["Save to mailbox"]).await;
    tmux.keys(&["C-u", "=Entwürfe", "Enter"]);
    tmux.wait_for(&["Del:1"]).await;
    tmux.keys(&["$"]);
    tmux.wait_for(&["Msgs:2"]).await;
    tmux.keys(&["q"]);
    wait_until_quit(&tmux).await;
    let log =
        String::from_utf8_lossy(&std::fs::read(dir.path().join(".muttdebug0")).unwrap_or_default())
            .into_owned();
    assert!(log.contains("* ENABLED UTF8=ACCEPT"), "{log}");

    let out = testkit::Python::script(
        "import imaplib, sys\n\
         c = imaplib.IMAP4('127.0.0.1', int(sys.argv[1]))\n\
         c.login('alice', 'wonderland')\n\
         for line in c.list()[1]: print('list\\t' + line.decode())\n\
         typ, data = c.select('Entw&APw-rfe')\n\
         print('select\\t' + typ + ' ' + data[0].decode())\n\
         typ, data = c.fetch('1', '(BODY.PEEK[HEADER.FIELDS (SUBJECT)])')\n\
         print('subject\\t' + data[0][1].decode().strip())\n\
         c.logout()\n",
    )
    .arg(server.addr.port().to_string())
    .run()
    .await;
    let seen = clients::Seen::parse(&out.stdout, &out.stderr);
    out.assert_success();
    assert!(
        seen.all("list")
            .iter()
            .any(|l| l.ends_with("\"Entw&APw-rfe\"") || l.ends_with(" Entw&APw-rfe")),
        "{}",
        seen.transcript
    );
    seen.expect("select", "OK 1");
    seen.expect("subject", "Subject: third one");
    let inbox = contents(&server, "INBOX").await;
    assert_eq!(inbox.len(), 2);
    server.stop().await;
}
