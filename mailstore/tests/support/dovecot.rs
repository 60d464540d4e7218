//! A Dovecot instance of a test's own and a minimal IMAP client, shared by the interop tests
//! and the benchmarks (included with `#[path]`).

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use mailstore::{Flag, Flags};

pub fn dovecot_installed() -> bool {
    let found = ["/usr/sbin/dovecot", "/usr/bin/dovecot"]
        .iter()
        .any(|p| Path::new(p).exists());
    if !found {
        eprintln!(
            "SKIPPED: dovecot is not installed (apt-get install dovecot-imapd); interop not tested"
        );
    }
    found
}

/// A Dovecot instance of the test's own; stopped (by its master pid) on drop.
pub struct Dovecot {
    dir: PathBuf,
    /// The IMAP port on 127.0.0.1.
    pub port: u16,
}

impl Dovecot {
    /// Starts Dovecot serving `DIR/mail/%u` as Maildir++ with user `alice`/`secret`.
    pub fn start(dir: &Path) -> Dovecot {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("free port");
        let d = dir.display();
        for sub in ["run", "state", "mail"] {
            std::fs::create_dir_all(dir.join(sub)).expect("mkdir");
        }
        // Login processes run as dovenull and must reach base_dir.
        chmod_755(dir);
        std::fs::write(
            dir.join("passwd"),
            "alice:{PLAIN}secret::::::\nbench:{PLAIN}secret::::::\n",
        )
        .expect("passwd");
        let conf = format!(
            r#"protocols = imap
listen = 127.0.0.1
base_dir = {d}/run
state_dir = {d}/state
log_path = {d}/dovecot.log
info_log_path = {d}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = 1
mail_location = maildir:{d}/mail/%u
mail_max_userip_connections = 50
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
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
"#
        );
        std::fs::write(dir.join("dovecot.conf"), conf).expect("conf");
        // The daemon keeps inherited descriptors open: send its output to a file, not a pipe.
        let err_path = dir.join("dovecot.stderr");
        let err = std::fs::File::create(&err_path).expect("stderr file");
        let status = Command::new("dovecot")
            .arg("-c")
            .arg(dir.join("dovecot.conf"))
            .env("TZ", "UTC")
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(err)
            .status()
            .expect("run dovecot");
        assert!(
            status.success(),
            "dovecot failed to start: {}",
            std::fs::read_to_string(&err_path).unwrap_or_default()
        );
        let dc = Dovecot {
            dir: dir.to_path_buf(),
            port,
        };
        let start = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "dovecot did not listen: {}",
                dc.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        dc
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("dovecot.log")).unwrap_or_default()
    }

    pub fn connect(&self, user: &str) -> Imap {
        let stream = TcpStream::connect(("127.0.0.1", self.port)).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(20)))
            .expect("timeout");
        let mut imap = Imap {
            reader: BufReader::new(stream.try_clone().expect("clone")),
            stream,
            tag: 0,
        };
        let mut greeting = String::new();
        imap.reader.read_line(&mut greeting).expect("greeting");
        assert!(greeting.starts_with("* OK"), "greeting {greeting}");
        imap.ok(&format!("LOGIN {user} secret"));
        imap
    }
}

impl Drop for Dovecot {
    fn drop(&mut self) {
        if let Ok(pid) = std::fs::read_to_string(self.dir.join("run/master.pid")) {
            let _ = Command::new("kill").arg("-TERM").arg(pid.trim()).status();
            let start = Instant::now();
            while Path::new(&format!("/proc/{}", pid.trim())).exists()
                && start.elapsed() < Duration::from_secs(10)
            {
                std::thread::sleep(Duration::from_millis(50));
            }
        }
    }
}

pub fn chmod_755(p: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o755)).expect("chmod");
}

pub fn chown_dovecot(p: &Path) {
    let st = Command::new("chown")
        .arg("-R")
        .arg("dovecot:dovecot")
        .arg(p)
        .status()
        .expect("chown");
    assert!(st.success(), "chown -R dovecot:dovecot failed");
}

/// A minimal IMAP client: tagged commands, responses with literals, no pipelining.
pub struct Imap {
    stream: TcpStream,
    reader: BufReader<TcpStream>,
    tag: u32,
}

impl Imap {
    /// Sends `cmd` (and `literal` with LITERAL+ if given) and returns the untagged data and the
    /// tagged status line.
    pub fn run(&mut self, cmd: &str, literal: Option<&[u8]>) -> (Vec<u8>, String) {
        self.tag += 1;
        let tag = format!("t{}", self.tag);
        let mut out = format!("{tag} {cmd}").into_bytes();
        if let Some(l) = literal {
            out.extend_from_slice(format!(" {{{}+}}\r\n", l.len()).as_bytes());
            out.extend_from_slice(l);
        }
        out.extend_from_slice(b"\r\n");
        self.stream.write_all(&out).expect("send");
        let mut data = Vec::new();
        loop {
            let mut line = Vec::new();
            self.reader.read_until(b'\n', &mut line).expect("read");
            assert!(!line.is_empty(), "connection closed during {cmd}");
            if line.starts_with(format!("{tag} ").as_bytes()) {
                return (data, String::from_utf8_lossy(&line).trim_end().to_string());
            }
            data.extend_from_slice(&line);
            // A literal: {n}\r\n then n bytes, then the line goes on.
            let text = String::from_utf8_lossy(&line).to_string();
            if let Some(n) = text
                .trim_end()
                .strip_suffix('}')
                .and_then(|t| t.rsplit('{').next())
                .and_then(|n| n.parse::<usize>().ok())
            {
                let mut lit = vec![0u8; n];
                self.reader.read_exact(&mut lit).expect("literal");
                data.extend_from_slice(&lit);
            }
        }
    }

    pub fn ok(&mut self, cmd: &str) -> Vec<u8> {
        let (data, status) = self.run(cmd, None);
        assert!(status.split(' ').nth(1) == Some("OK"), "{cmd} -> {status}");
        data
    }

    /// `X-Conformance-Id -> system flags` of every message of `mailbox`.
    pub fn flags_by_id(&mut self, mailbox: &str) -> BTreeMap<String, Flags> {
        self.ok(&format!("SELECT {mailbox}"));
        let data = self.ok("UID FETCH 1:* (FLAGS BODY.PEEK[HEADER.FIELDS (X-Conformance-Id)])");
        let text = String::from_utf8_lossy(&data).to_string();
        let mut out = BTreeMap::new();
        for part in text.split("* ").filter(|p| p.contains("FETCH")) {
            let flags_str = part
                .split("FLAGS (")
                .nth(1)
                .and_then(|r| r.split(')').next())
                .unwrap_or("");
            let id = part
                .lines()
                .find_map(|l| l.strip_prefix("X-Conformance-Id: "))
                .map(|s| s.trim().to_string());
            let f: Flags = flags_str
                .split_whitespace()
                .filter_map(Flag::parse)
                .filter(|f| !matches!(f, Flag::Keyword(_)))
                .collect();
            if let Some(id) = id {
                out.insert(id, f);
            }
        }
        out
    }
}
