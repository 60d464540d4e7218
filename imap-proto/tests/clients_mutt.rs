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
    fn start_mutt(socket: String, home: &Path, rc: &Path) -> Tmux {
        let mutt = testkit::peer::require("mutt");
        let tmux = Tmux { socket };
        let line = format!(
            "env HOME={} TERM=xterm LANG=C.UTF-8 LC_ALL=C.UTF-8 {} -n -F {}",
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mutt_reads_flags_and_saves_to_another_folder() {
    testkit::peer::require("tmux");
    let server = server_with_messages().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let rc = dir.path().join("muttrc");
    std::fs::write(
        &rc,
        format!(
            "set folder=\"imap://alice:wonderland@127.0.0.1:{}/\"\n\
             set spoolfile=\"+INBOX\"\nset ssl_starttls=no\nset ssl_force_tls=no\n\
             set imap_passive=no\nset mail_check=2\nset timeout=2\nset header_cache=\"\"\n\
             set message_cachedir=\"\"\nset record=\"\"\nset postponed=\"\"\nset move=no\n\
             set delete=yes\nset confirmappend=no\nset confirmcreate=no\nset quit=yes\n\
             set wait_key=no\nset mark_old=no\nset sort=date\nset pager_stop=yes\nset charset=utf-8\n",
            server.addr.port()
        ),
    )
    .expect("muttrc");
    let socket = format!("imap-clients-mutt-{}", server.addr.port());
    let tmux = Tmux::start_mutt(socket, dir.path(), &rc);

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
    let start = Instant::now();
    while tmux.running() {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "mutt did not quit:\n{}",
            tmux.screen()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

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
