//! A Dovecot instance of a test's own: IMAP and POP3 on free `127.0.0.1` ports (and LMTP with
//! [`Dovecot::start_with_lmtp`]), Maildirs at `DIR/mail/<user>`, `passwd-file` users given by the
//! caller, stopped on drop by its master pid.
//!
//! ```no_run
//! # fn demo() -> Result<(), testkit::dovecot::DovecotError> {
//! use testkit::dovecot::{Dovecot, chown_dovecot};
//! // Panics, failing the test, when Dovecot is not installed.
//! let dir = tempfile::tempdir().expect("temp dir");
//! let dc = Dovecot::start(dir.path(), &[("alice", "secret")])?;
//! // ... write alice's Maildir under dc.maildir("alice") as root, then:
//! chown_dovecot(&dc.mail_root())?;
//! let _pop3 = dc.pop3_addr();
//! # Ok(()) }
//! ```
//!
//! Set up for load on loopback (all else is Dovecot 2.3's defaults):
//! - `first_valid_uid = 1`: mail is accessed as the `dovecot` user (uid ~104), below the default
//!   500 ("Mail access for users with UID 104 not permitted");
//! - `base_dir`, `state_dir` and the logs under `DIR`, which is made mode 755 so the login
//!   processes (user `dovenull`) reach their sockets;
//! - `ssl = no`, `disable_plaintext_auth = no`: plain `USER`/`PASS` and `LOGIN` on loopback;
//! - `mail_max_userip_connections = 1000` (default 10);
//! - `service {imap,pop3}{,-login}`: `process_limit = 1024` (default 100), `service auth` and
//!   `service anvil`: `client_limit = 8192`, so a few hundred clients at once are served without
//!   "limit reached" waits; the login services stay in Dovecot's default high-security mode
//!   (one login process per connection);
//! - `auth_cache_size = 10M`, `auth_cache_ttl = 1 hour`: repeated logins are answered from the
//!   cache and the passdb is not the bottleneck.
//! - Not set: `login_trusted_networks` (it only changes what the log shows for proxied clients).
//!
//! With LMTP ([`Dovecot::start_with_lmtp`], package `dovecot-lmtpd`), also `protocols = ... lmtp`,
//! an `inet_listener` for `service lmtp` on a free port with `process_limit = 1024`, and
//! `auth_username_format = %Ln` so that `RCPT TO:<alice@any.domain>` delivers to user `alice`.
//! Everything else about delivery is Dovecot's default, among them `mail_fsync = optimized`
//! (give `mail_fsync = always` in `extra` to change it) and LMTP adding `Return-Path:`,
//! `Delivered-To:` and `Received:` header fields.

use std::fmt::Write as _;
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Configuration to give [`Dovecot::start_with`] for Dovecot's "high-performance mode": login
/// processes that serve many connections (`service_count = 0`) with `process_min_avail = 2`
/// (one per core here) kept ready, and IMAP/POP3 mail processes reused across sessions
/// (`service_count = 0`, all users share the `dovecot` uid). Measured with 100 POP3 logins of
/// one `RETR` each: about 2.3 ms a session, against 13 ms in the default high-security mode
/// (a new login and a new mail process forked for every connection).
pub const HIGH_PERFORMANCE: &str = r#"service imap-login {
  service_count = 0
  process_min_avail = 2
}
service pop3-login {
  service_count = 0
  process_min_avail = 2
}
service imap {
  service_count = 0
  process_min_avail = 2
}
service pop3 {
  service_count = 0
  process_min_avail = 2
}
"#;

/// [`HIGH_PERFORMANCE`] tuned for IMAP benchmarks, for [`Dovecot::start_with`]; each setting
/// and why:
/// - `service imap-login`: `service_count = 0` (a login process serves many connections, and
///   proxies TLS for all of them, instead of one process per connection), `process_min_avail
///   = 2` (one per core here, ready before the first client), `client_limit = 10000` (the
///   default 1000 per process would cap a few thousand TLS connections), `vsz_limit = 2G`
///   (the default 256M would kill a process holding thousands of connections);
/// - `service imap`: `service_count = 0` (mail processes reused across sessions, all users
///   share the `dovecot` uid), `process_min_avail = 2`, `client_limit = 10000` (one imap
///   process holds many sessions instead of one process each; Dovecot allows it for imap),
///   `process_limit = 64` and `vsz_limit = 2G`;
/// - `mail_fsync = never`: no fsync on writes (APPEND, flag changes, index updates);
/// - `maildir_very_dirty_syncs = yes`: trust the index, scan `cur/` only when its mtime moved
///   (Dovecot is the only writer of these Maildirs' `cur/`);
/// - `mail_cache_fields = flags date.received size.virtual imap.envelope imap.bodystructure
///   hdr.from hdr.subject hdr.date`, `mail_always_cache_fields` the same: those fields go into
///   `dovecot.index.cache` for every message as soon as a message is seen, not only after a
///   client asked for them twice;
/// - `mail_max_userip_connections = 20000`: thousands of IDLE sessions of one user from
///   127.0.0.1.
pub const HIGH_PERFORMANCE_IMAP: &str = r#"mail_fsync = never
maildir_very_dirty_syncs = yes
mail_cache_fields = flags date.received size.virtual imap.envelope imap.bodystructure hdr.from hdr.subject hdr.date
mail_always_cache_fields = flags date.received size.virtual imap.envelope imap.bodystructure hdr.from hdr.subject hdr.date
mail_max_userip_connections = 20000
service imap-login {
  service_count = 0
  process_min_avail = 2
  client_limit = 10000
  vsz_limit = 2G
}
service imap {
  service_count = 0
  process_min_avail = 2
  client_limit = 10000
  process_limit = 64
  vsz_limit = 2G
}
"#;

/// Configuration to add (with [`Dovecot::start_with`]) for implicit TLS (RFC 8314) on
/// `127.0.0.1:port` (the `imaps` listener) with the PEM certificate and key at `cert` and
/// `key` (e.g. [`crate::TestCerts::ca_file`] and [`crate::TestCerts::key_file`]; the files must
/// be readable by root, Dovecot's master reads them). The plain listener stays as it was.
pub fn imaps_config(cert: &Path, key: &Path, port: u16) -> String {
    format!(
        r#"ssl = yes
ssl_cert = <{}
ssl_key = <{}
service imap-login {{
  inet_listener imaps {{
    address = 127.0.0.1
    port = {port}
    ssl = yes
  }}
}}
"#,
        cert.display(),
        key.display()
    )
}

/// Where Dovecot's LMTP server (package `dovecot-lmtpd`) is looked for.
const LMTP_PATHS: [&str; 2] = ["/usr/lib/dovecot/lmtp", "/usr/libexec/dovecot/lmtp"];

/// How long [`Dovecot::start`] waits for both listeners.
const START_TIMEOUT: Duration = Duration::from_secs(20);

/// What went wrong starting Dovecot or preparing its files.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DovecotError {
    /// A user name or password that a `passwd-file` line cannot hold.
    #[error("user {user:?}: names and passwords must be non-empty, without ':', CR, LF or NUL")]
    BadUser {
        /// The user name as given.
        user: String,
    },
    /// A file or directory could not be written or changed.
    #[error("{what} {path}: {source}")]
    Io {
        /// What was being done.
        what: &'static str,
        /// The path concerned.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A program could not be run or exited with failure.
    #[error("{program} failed ({status}): {output}")]
    Command {
        /// The program that was run.
        program: &'static str,
        /// Its exit status, or why it could not be run.
        status: String,
        /// What it printed on standard error (Dovecot: its log too).
        output: String,
    },
    /// Dovecot started but did not listen on both ports in time.
    #[error("dovecot did not listen on {addr} within {secs} s; log:\n{log}")]
    NotListening {
        /// The address that did not accept connections.
        addr: SocketAddr,
        /// The time waited.
        secs: u64,
        /// Dovecot's log.
        log: String,
    },
}

fn io_err<'a>(
    what: &'static str,
    path: &'a Path,
) -> impl FnOnce(std::io::Error) -> DovecotError + 'a {
    move |source| DovecotError::Io {
        what,
        path: path.to_path_buf(),
        source,
    }
}

/// Whether a `dovecot` binary is on the `PATH`, for benchmarks that add the Dovecot comparison
/// only when it can run (printing a note when not). Tests do not ask: [`Dovecot::start`] fails
/// them when Dovecot is missing ([`crate::peer::require`]).
pub fn dovecot_installed() -> bool {
    let found = crate::peer::which("dovecot").is_some();
    if !found {
        eprintln!("NOTE: dovecot is not installed (apt-get install dovecot-imapd dovecot-pop3d)");
    }
    found
}

/// Whether Dovecot's LMTP server (package `dovecot-lmtpd`) is installed, besides
/// [`dovecot_installed`]; prints a `SKIPPED` line to standard error if not.
pub fn dovecot_lmtp_installed() -> bool {
    if !dovecot_installed() {
        return false;
    }
    let found = LMTP_PATHS.iter().any(|p| Path::new(p).is_file());
    if !found {
        eprintln!(
            "SKIPPED: Dovecot's LMTP server is not installed (apt-get install dovecot-lmtpd)"
        );
    }
    found
}

/// `chown -R dovecot:dovecot PATH`: Dovecot refuses to access mail as uid 0, so a Maildir that a
/// test wrote as root must be handed over before Dovecot reads it.
pub fn chown_dovecot(path: &Path) -> Result<(), DovecotError> {
    run(
        "chown",
        Command::new("chown")
            .arg("-R")
            .arg("dovecot:dovecot")
            .arg(path),
    )
}

/// Runs `command` to completion; an error carries its standard error.
fn run(program: &'static str, command: &mut Command) -> Result<(), DovecotError> {
    let out = command
        .stdin(Stdio::null())
        .output()
        .map_err(|e| DovecotError::Command {
            program,
            status: e.to_string(),
            output: String::new(),
        })?;
    if out.status.success() {
        Ok(())
    } else {
        Err(DovecotError::Command {
            program,
            status: out.status.to_string(),
            output: String::from_utf8_lossy(&out.stderr).into_owned(),
        })
    }
}

fn chmod_755(path: &Path) -> Result<(), DovecotError> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))
        .map_err(io_err("chmod 755", path))
}

/// Whether `s` can stand in a `passwd-file` field.
fn valid_field(s: &str) -> bool {
    !s.is_empty() && !s.contains([':', '\r', '\n', '\0'])
}

/// A running Dovecot with IMAP and POP3 listeners; stopped (SIGTERM to its master) on drop.
#[derive(Debug)]
pub struct Dovecot {
    dir: PathBuf,
    imap: SocketAddr,
    pop3: SocketAddr,
    lmtp: Option<SocketAddr>,
}

impl Dovecot {
    /// Starts Dovecot with its configuration, state, logs and mail under `dir` (which must
    /// exist and stay while it runs): `dir/mail/<user>` is each user's Maildir (INBOX, Maildir++
    /// folders with `.` as separator), `users` are `(name, password)` pairs.
    ///
    /// # Panics
    /// When `dovecot` is not installed ([`crate::peer::require`]): a test that needs it fails.
    pub fn start(dir: &Path, users: &[(&str, &str)]) -> Result<Dovecot, DovecotError> {
        Self::start_with(dir, users, "")
    }

    /// [`Dovecot::start`] with `extra` appended to the configuration file (settings given
    /// there override those above them; a `service` block there is merged with the one above),
    /// for example [`HIGH_PERFORMANCE`].
    ///
    /// Two instances can serve the same Maildirs: make the second's `DIR/mail` a symbolic link
    /// to the first's before starting it.
    pub fn start_with(
        dir: &Path,
        users: &[(&str, &str)],
        extra: &str,
    ) -> Result<Dovecot, DovecotError> {
        Self::start_inner(dir, users, extra, false)
    }

    /// [`Dovecot::start_with`] plus an LMTP listener (RFC 2033) on a free `127.0.0.1` port,
    /// [`Dovecot::lmtp_addr`]: needs `dovecot-lmtpd` ([`dovecot_lmtp_installed`]). `extra` may
    /// change where mail goes, e.g. `mail_location = mbox:DIR/mbox/%u:INBOX=DIR/mbox/%u/inbox`
    /// (the directories must exist and belong to the `dovecot` user: [`chown_dovecot`]).
    pub fn start_with_lmtp(
        dir: &Path,
        users: &[(&str, &str)],
        extra: &str,
    ) -> Result<Dovecot, DovecotError> {
        Self::start_inner(dir, users, extra, true)
    }

    fn start_inner(
        dir: &Path,
        users: &[(&str, &str)],
        extra: &str,
        with_lmtp: bool,
    ) -> Result<Dovecot, DovecotError> {
        let mut passwd = String::new();
        for (user, pass) in users {
            if !valid_field(user) || !valid_field(pass) {
                return Err(DovecotError::BadUser {
                    user: (*user).to_string(),
                });
            }
            let _ = writeln!(passwd, "{user}:{{PLAIN}}{pass}::::::");
        }
        for sub in ["run", "state", "mail"] {
            let p = dir.join(sub);
            std::fs::create_dir_all(&p).map_err(io_err("mkdir", &p))?;
        }
        // Login processes run as dovenull and must reach base_dir.
        chmod_755(dir)?;
        let passwd_path = dir.join("passwd");
        std::fs::write(&passwd_path, passwd).map_err(io_err("write", &passwd_path))?;
        let mail = dir.join("mail");
        chown_dovecot(&mail)?;

        let imap = SocketAddr::from(([127, 0, 0, 1], crate::free_port()));
        let mut pop3 = SocketAddr::from(([127, 0, 0, 1], crate::free_port()));
        while pop3.port() == imap.port() {
            pop3.set_port(crate::free_port());
        }
        let lmtp = with_lmtp.then(|| {
            let mut lmtp = SocketAddr::from(([127, 0, 0, 1], crate::free_port()));
            while lmtp.port() == imap.port() || lmtp.port() == pop3.port() {
                lmtp.set_port(crate::free_port());
            }
            lmtp
        });
        let conf_path = dir.join("dovecot.conf");
        let conf = config(dir, imap.port(), pop3.port(), lmtp.map(|a| a.port()), extra);
        std::fs::write(&conf_path, conf).map_err(io_err("write", &conf_path))?;

        // The daemon keeps inherited descriptors open: its output goes to a file, not a pipe.
        let err_path = dir.join("dovecot.stderr");
        let err = std::fs::File::create(&err_path).map_err(io_err("create", &err_path))?;
        let status = Command::new(crate::peer::require("dovecot"))
            .arg("-c")
            .arg(&conf_path)
            .env("TZ", "UTC")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(err)
            .status()
            .map_err(|e| DovecotError::Command {
                program: "dovecot",
                status: e.to_string(),
                output: String::new(),
            })?;
        let dc = Dovecot {
            dir: dir.to_path_buf(),
            imap,
            pop3,
            lmtp,
        };
        if !status.success() {
            let mut output = std::fs::read_to_string(&err_path).unwrap_or_default();
            output.push_str(&dc.log());
            return Err(DovecotError::Command {
                program: "dovecot",
                status: status.to_string(),
                output,
            });
        }
        let start = Instant::now();
        for addr in [Some(imap), Some(pop3), lmtp].into_iter().flatten() {
            while TcpStream::connect_timeout(&addr, Duration::from_secs(1)).is_err() {
                if start.elapsed() > START_TIMEOUT {
                    return Err(DovecotError::NotListening {
                        addr,
                        secs: START_TIMEOUT.as_secs(),
                        log: dc.log(),
                    });
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        }
        Ok(dc)
    }

    /// The IMAP listener (plain text, `LOGIN` and `AUTHENTICATE PLAIN` allowed).
    pub fn imap_addr(&self) -> SocketAddr {
        self.imap
    }

    /// The POP3 listener (plain text, `USER`/`PASS` and `AUTH PLAIN` allowed).
    pub fn pop3_addr(&self) -> SocketAddr {
        self.pop3
    }

    /// The LMTP listener, if started with [`Dovecot::start_with_lmtp`].
    pub fn lmtp_addr(&self) -> Option<SocketAddr> {
        self.lmtp
    }

    /// The directory given to [`Dovecot::start`].
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// `DIR/mail`: the root under which each user's Maildir is `<user>/` (the layout of
    /// `mailstore::maildir::MaildirStore::new(mail_root)`).
    pub fn mail_root(&self) -> PathBuf {
        self.dir.join("mail")
    }

    /// `DIR/mail/<user>`: the user's INBOX Maildir.
    pub fn maildir(&self, user: &str) -> PathBuf {
        self.mail_root().join(user)
    }

    /// Dovecot's log so far (errors, warnings and info lines).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("dovecot.log")).unwrap_or_default()
    }

    /// The master process id, from `base_dir/master.pid`.
    pub fn master_pid(&self) -> Option<u32> {
        std::fs::read_to_string(self.dir.join("run/master.pid"))
            .ok()
            .and_then(|s| s.trim().parse().ok())
    }
}

impl Drop for Dovecot {
    fn drop(&mut self) {
        let Some(pid) = self.master_pid() else {
            return;
        };
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(pid.to_string())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        let proc_dir = PathBuf::from(format!("/proc/{pid}"));
        let start = Instant::now();
        while proc_dir.exists() && start.elapsed() < Duration::from_secs(10) {
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// The configuration file: see the module documentation for why each setting is there.
fn config(
    dir: &Path,
    imap_port: u16,
    pop3_port: u16,
    lmtp_port: Option<u16>,
    extra: &str,
) -> String {
    let d = dir.display();
    let (protocols, lmtp) = match lmtp_port {
        Some(port) => (
            "imap pop3 lmtp",
            format!(
                r#"auth_username_format = %Ln
service lmtp {{
  inet_listener lmtp {{
    address = 127.0.0.1
    port = {port}
  }}
  process_limit = 1024
}}
"#
            ),
        ),
        None => ("imap pop3", String::new()),
    };
    format!(
        r#"protocols = {protocols}
listen = 127.0.0.1
base_dir = {d}/run
state_dir = {d}/state
log_path = {d}/dovecot.log
info_log_path = {d}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_cache_size = 10M
auth_cache_ttl = 1 hour
first_valid_uid = 1
mail_location = maildir:{d}/mail/%u
mail_max_userip_connections = 1000
namespace inbox {{
  inbox = yes
  separator = .
}}
passdb {{
  driver = passwd-file
  args = {d}/passwd
}}
userdb {{
  driver = static
  args = uid=dovecot gid=dovecot home={d}/mail/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {imap_port}
  }}
  inet_listener imaps {{
    port = 0
  }}
  process_limit = 1024
}}
service pop3-login {{
  inet_listener pop3 {{
    address = 127.0.0.1
    port = {pop3_port}
  }}
  inet_listener pop3s {{
    port = 0
  }}
  process_limit = 1024
}}
service imap {{
  process_limit = 1024
}}
service pop3 {{
  process_limit = 1024
}}
service auth {{
  client_limit = 8192
}}
service anvil {{
  client_limit = 8192
}}
{lmtp}{extra}
"#
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{BufRead, BufReader, Write};

    #[test]
    fn passwd_fields_are_checked() {
        let cases = [
            ("alice", true),
            ("", false),
            ("a:b", false),
            ("a\nb", false),
            ("a\rb", false),
            ("a\0b", false),
        ];
        for (input, ok) in cases {
            assert_eq!(valid_field(input), ok, "{input:?}");
        }
        let dir = tempfile::tempdir().expect("temp dir");
        let err = Dovecot::start(dir.path(), &[("bob", "x:y")]).expect_err("bad password");
        assert!(matches!(err, DovecotError::BadUser { ref user } if user == "bob"));
    }

    #[test]
    fn config_has_both_listeners_and_limits() {
        let conf = config(
            Path::new("/t"),
            1143,
            1110,
            None,
            "pop3_no_flag_updates = yes",
        );
        assert!(!conf.contains("lmtp"), "no LMTP unless asked");
        for needle in [
            "protocols = imap pop3",
            "port = 1143",
            "port = 1110",
            "mail_location = maildir:/t/mail/%u",
            "mail_max_userip_connections = 1000",
            "first_valid_uid = 1",
            "pop3_no_flag_updates = yes",
        ] {
            assert!(conf.contains(needle), "missing {needle:?}");
        }
        let conf = config(Path::new("/t"), 1143, 1110, Some(1024), "");
        for needle in [
            "protocols = imap pop3 lmtp",
            "service lmtp {",
            "port = 1024",
            "auth_username_format = %Ln",
        ] {
            assert!(conf.contains(needle), "missing {needle:?}");
        }
    }

    /// Reads one line from `r` and checks its start.
    fn expect_line(r: &mut impl BufRead, prefix: &str) {
        let mut line = String::new();
        r.read_line(&mut line).expect("read line");
        assert!(
            line.starts_with(prefix),
            "expected {prefix:?}, got {line:?}"
        );
    }

    #[test]
    fn serves_pop3_and_imap_from_a_maildir_written_by_root() {
        crate::peer::require("dovecot");
        let dir = tempfile::tempdir().expect("temp dir");
        let dc = Dovecot::start(dir.path(), &[("alice", "secret")]).expect("start");
        let new = dc.maildir("alice").join("new");
        for sub in ["cur", "new", "tmp"] {
            std::fs::create_dir_all(dc.maildir("alice").join(sub)).expect("mkdir");
        }
        std::fs::write(new.join("1.M1P1.test"), "Subject: hi\r\n\r\n.dot\r\n").expect("write");
        chown_dovecot(&dc.mail_root()).expect("chown");

        let s = TcpStream::connect(dc.pop3_addr()).expect("connect pop3");
        s.set_read_timeout(Some(Duration::from_secs(20)))
            .expect("timeout");
        let mut w = s.try_clone().expect("clone");
        let mut r = BufReader::new(s);
        expect_line(&mut r, "+OK");
        for (cmd, reply) in [
            ("USER alice", "+OK"),
            ("PASS secret", "+OK"),
            ("STAT", "+OK 1 "),
            ("RETR 1", "+OK"),
        ] {
            w.write_all(format!("{cmd}\r\n").as_bytes()).expect("send");
            expect_line(&mut r, reply);
        }
        expect_line(&mut r, "Subject: hi");
        expect_line(&mut r, "\r\n");
        expect_line(&mut r, "..dot");
        expect_line(&mut r, ".\r\n");
        w.write_all(b"QUIT\r\n").expect("quit");
        expect_line(&mut r, "+OK");

        let s = TcpStream::connect(dc.imap_addr()).expect("connect imap");
        s.set_read_timeout(Some(Duration::from_secs(20)))
            .expect("timeout");
        let mut w = s.try_clone().expect("clone");
        let mut r = BufReader::new(s);
        expect_line(&mut r, "* OK");
        w.write_all(b"a LOGIN alice secret\r\n").expect("send");
        expect_line(&mut r, "a OK");

        let pid = dc.master_pid().expect("master pid");
        drop(dc);
        assert!(
            !Path::new(&format!("/proc/{pid}")).exists(),
            "still running"
        );
    }

    #[test]
    fn delivers_over_lmtp_into_the_maildir() {
        assert!(
            dovecot_lmtp_installed(),
            "this test needs Dovecot with its LMTP server: apt-get install dovecot-lmtpd"
        );
        let dir = tempfile::tempdir().expect("temp dir");
        let dc = Dovecot::start_with_lmtp(dir.path(), &[("alice", "secret")], "").expect("start");
        let addr = dc.lmtp_addr().expect("LMTP listener");
        let s = TcpStream::connect(addr).expect("connect lmtp");
        s.set_read_timeout(Some(Duration::from_secs(20)))
            .expect("timeout");
        let mut w = s.try_clone().expect("clone");
        let mut r = BufReader::new(s);
        expect_line(&mut r, "220 ");
        w.write_all(b"LHLO client.example\r\n").expect("send");
        loop {
            let mut line = String::new();
            r.read_line(&mut line).expect("read LHLO reply");
            assert!(line.starts_with("250"), "LHLO: {line:?}");
            if line.as_bytes().get(3) == Some(&b' ') {
                break;
            }
        }
        for (cmd, reply) in [
            ("MAIL FROM:<bob@example.org>", "250 "),
            ("RCPT TO:<alice@example.org>", "250 "),
            ("DATA", "354 "),
        ] {
            w.write_all(format!("{cmd}\r\n").as_bytes()).expect("send");
            expect_line(&mut r, reply);
        }
        w.write_all(b"Subject: over lmtp\r\n\r\nhello\r\n.\r\n")
            .expect("send body");
        // RFC 2033 section 4.2: one reply per accepted recipient.
        expect_line(&mut r, "250 ");
        w.write_all(b"QUIT\r\n").expect("quit");
        expect_line(&mut r, "221 ");
        let new = dc.maildir("alice").join("new");
        let files: Vec<_> = std::fs::read_dir(&new)
            .expect("alice's new/")
            .map(|e| e.expect("entry").path())
            .collect();
        assert_eq!(files.len(), 1, "{files:?}\n{}", dc.log());
        let text = std::fs::read_to_string(&files[0]).expect("read");
        assert!(text.contains("Subject: over lmtp"), "{text}");
        assert!(text.contains("Delivered-To: alice@example.org"), "{text}");
    }
}
