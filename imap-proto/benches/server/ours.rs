//! Our server in a process of its own (this bench binary run again with `IMAP_BENCH_SERVE`
//! set), so that its memory is measured apart from the load client's, as Dovecot's is: the
//! crate's tokio driver on two worker threads (Dovecot here has 2 cores too), serving
//! `mailstore`'s Maildir backend, one plain listener and one implicit-TLS listener.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};

/// The variable that makes this binary our server instead of the benchmark.
pub const SERVE_VAR: &str = "IMAP_BENCH_SERVE";

/// Our server, running; killed on drop.
pub struct Ours {
    child: Child,
    /// The plain listener.
    pub plain: SocketAddr,
    /// The implicit-TLS listener (RFC 8314).
    pub tls: SocketAddr,
}

impl Ours {
    /// Starts our server on `mail_root` (Maildirs `<root>/<user>`) for `users`, all with
    /// password `password`, with the PEM certificate and key for TLS.
    pub fn start(mail_root: &Path, users: &[String], password: &str, cert: &Path, key: &Path) -> Ours {
        let exe = std::env::current_exe().expect("the bench binary's path");
        let mut child = Command::new(exe)
            .env(SERVE_VAR, "1")
            .arg(mail_root)
            .arg(cert)
            .arg(key)
            .arg(password)
            .args(users)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start our server");
        let out = child.stdout.take().expect("stdout");
        let mut line = String::new();
        BufReader::new(out)
            .read_line(&mut line)
            .expect("our server's address line");
        let mut words = line.split_whitespace();
        let (Some("LISTENING"), Some(plain), Some(tls)) = (words.next(), words.next(), words.next())
        else {
            panic!("our server did not start: {line:?}");
        };
        Ours {
            plain: plain.parse().expect("plain address"),
            tls: tls.parse().expect("TLS address"),
            child,
        }
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Ours {
    fn drop(&mut self) {
        // Closing its standard input stops it; kill it if it lingers.
        drop(self.child.stdin.take());
        for _ in 0..50 {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Our server's process: serves until its standard input closes.
pub fn serve_main() {
    panic!("our server is not merged yet");
}
