//! A Dovecot instance of a test's own and a minimal IMAP client, shared by the interop tests
//! and the benchmarks (included with `#[path]`).

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::time::Duration;

use mailstore::{Flag, Flags};

/// Hands `p` (recursively) to the `dovecot` user, as Dovecot refuses mail owned by root.
pub fn chown_dovecot(p: &Path) {
    testkit::dovecot::chown_dovecot(p).expect("chown dovecot");
}

/// A Dovecot instance of the test's own (`testkit::dovecot`) with users `alice` and `bench`
/// (password `secret`), serving `DIR/mail/%u`; stopped on drop.
pub struct Dovecot(testkit::dovecot::Dovecot);

impl Dovecot {
    /// Starts Dovecot serving `DIR/mail/%u` as Maildir++ with user `alice`/`secret`.
    pub fn start(dir: &Path) -> Dovecot {
        let users = [("alice", "secret"), ("bench", "secret")];
        Dovecot(testkit::dovecot::Dovecot::start(dir, &users).expect("dovecot starts"))
    }

    /// [`Dovecot::start`] plus Dovecot's LMTP server (package `dovecot-lmtpd`).
    pub fn start_with_lmtp(dir: &Path) -> Dovecot {
        let users = [("alice", "secret"), ("bench", "secret")];
        Dovecot(
            testkit::dovecot::Dovecot::start_with_lmtp(dir, &users, "")
                .expect("dovecot starts with LMTP"),
        )
    }

    /// The LMTP listener of [`Dovecot::start_with_lmtp`].
    pub fn lmtp_addr(&self) -> std::net::SocketAddr {
        self.0.lmtp_addr().expect("started with LMTP")
    }

    /// The Maildir of `user`.
    pub fn maildir(&self, user: &str) -> std::path::PathBuf {
        self.0.maildir(user)
    }

    pub fn log(&self) -> String {
        self.0.log()
    }

    pub fn connect(&self, user: &str) -> Imap {
        let stream = TcpStream::connect(self.0.imap_addr()).expect("connect");
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
