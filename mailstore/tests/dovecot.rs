//! Interop with a real Dovecot (the Debian package), run on 127.0.0.1 on a free high port as
//! this test's own instance: Dovecot serves a Maildir this crate wrote, and this crate reads a
//! Maildir Dovecot wrote through IMAP. Skipped, with a message, only if Dovecot is not installed.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use mailstore::conformance::{id_of, message};
use mailstore::maildir::MaildirStore;
use mailstore::{AppendOptions, Flag, Flags, MailStore, SpecialUse, UidSet, flags};

fn dovecot_installed() -> bool {
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
struct Dovecot {
    dir: PathBuf,
    port: u16,
}

impl Dovecot {
    /// Starts Dovecot serving `DIR/mail/%u` as Maildir++ with user `alice`/`secret`.
    fn start(dir: &Path) -> Dovecot {
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
        std::fs::write(dir.join("passwd"), "alice:{PLAIN}secret::::::\n").expect("passwd");
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

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("dovecot.log")).unwrap_or_default()
    }

    fn connect(&self) -> Imap {
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
        imap.ok("LOGIN alice secret");
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

fn chmod_755(p: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o755)).expect("chmod");
}

fn chown_dovecot(p: &Path) {
    let st = Command::new("chown")
        .arg("-R")
        .arg("dovecot:dovecot")
        .arg(p)
        .status()
        .expect("chown");
    assert!(st.success(), "chown -R dovecot:dovecot failed");
}

/// A minimal IMAP client: tagged commands, responses with literals, no pipelining.
struct Imap {
    stream: TcpStream,
    reader: BufReader<TcpStream>,
    tag: u32,
}

impl Imap {
    /// Sends `cmd` (and `literal` with LITERAL+ if given) and returns the untagged data and the
    /// tagged status line.
    fn run(&mut self, cmd: &str, literal: Option<&[u8]>) -> (Vec<u8>, String) {
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

    fn ok(&mut self, cmd: &str) -> Vec<u8> {
        let (data, status) = self.run(cmd, None);
        assert!(status.split(' ').nth(1) == Some("OK"), "{cmd} -> {status}");
        data
    }

    /// `X-Conformance-Id -> system flags` of every message of `mailbox`.
    fn flags_by_id(&mut self, mailbox: &str) -> BTreeMap<String, Flags> {
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

fn sys(f: &Flags) -> Flags {
    f.iter()
        .filter(|f| !matches!(f, Flag::Keyword(_)))
        .cloned()
        .collect()
}

fn cases() -> Vec<(&'static str, &'static str, Flags)> {
    vec![
        ("INBOX", "m-plain", Flags::new()),
        ("INBOX", "m-seen", flags([Flag::Seen])),
        (
            "INBOX",
            "m-answered-flagged",
            flags([Flag::Answered, Flag::Flagged]),
        ),
        ("INBOX", "m-deleted", flags([Flag::Deleted, Flag::Seen])),
        ("INBOX", "m-draft", flags([Flag::Draft])),
        ("Sent", "s-one", flags([Flag::Seen])),
        ("Archive.2026", "a-one", flags([Flag::Flagged])),
    ]
}

#[test]
fn dovecot_serves_our_maildir() {
    if !dovecot_installed() {
        return;
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let mail = dir.join("mail");
    rt.block_on(async {
        let store = MaildirStore::new(&mail);
        let acc = store.account("alice").await.expect("account");
        acc.create("Sent", Some(SpecialUse::Sent))
            .await
            .expect("create");
        acc.create("Archive.2026", None).await.expect("create");
        for (mbox, id, f) in cases() {
            let o = AppendOptions {
                flags: f.clone(),
                internal_date: None,
            };
            acc.append(mbox, message(id, 3).into(), o)
                .await
                .expect("append");
        }
        // A flag change after delivery, as an IMAP STORE would do.
        let metas = acc
            .messages("INBOX", &UidSet::all())
            .await
            .expect("messages");
        acc.store_flags(
            "INBOX",
            &UidSet::single(metas[0].uid),
            mailstore::FlagOp::Add,
            &flags([Flag::Seen]),
            None,
        )
        .await
        .expect("store");
    });
    chown_dovecot(&mail);
    let dc = Dovecot::start(dir);
    let mut imap = dc.connect();
    let list = String::from_utf8_lossy(&imap.ok("LIST \"\" \"*\"")).to_string();
    for name in ["INBOX", "Sent", "Archive", "Archive.2026"] {
        assert!(
            list.lines()
                .any(|l| l.trim_end().ends_with(&format!(" {name}"))
                    || l.contains(&format!("\"{name}\""))),
            "Dovecot lists {name}: {list}"
        );
    }
    let mut expected: BTreeMap<&str, BTreeMap<String, Flags>> = BTreeMap::new();
    for (mbox, id, f) in cases() {
        let mut f = sys(&f);
        if id == "m-plain" {
            f.insert(Flag::Seen);
        }
        expected.entry(mbox).or_default().insert(id.to_string(), f);
    }
    for (mbox, want) in &expected {
        let got = imap.flags_by_id(mbox);
        assert_eq!(&got, want, "Dovecot's view of {mbox}; log: {}", dc.log());
    }
    // The bodies Dovecot serves are ours, byte for byte.
    imap.ok("SELECT INBOX");
    let body = String::from_utf8_lossy(&imap.ok("UID FETCH 1:* BODY.PEEK[]")).replace("\r\n", "\n");
    let body = body.as_bytes();
    let needle = message("m-plain", 3);
    assert!(
        body.windows(needle.len()).any(|w| w == needle.as_slice()),
        "body served intact"
    );
    // Dovecot changes the Maildir in turn: a flag, and a new message.
    let uids = imap.ok("UID SEARCH HEADER X-Conformance-Id m-draft");
    let uid = String::from_utf8_lossy(&uids)
        .split_whitespace()
        .last()
        .unwrap_or("")
        .to_string();
    imap.ok(&format!("UID STORE {uid} +FLAGS (\\Seen)"));
    let (_, status) = imap.run(
        "APPEND INBOX (\\Answered)",
        Some(message("via-dovecot", 3).as_slice()),
    );
    assert!(status.contains("OK"), "APPEND: {status}");
    imap.ok("LOGOUT");
    drop(dc);
    rt.block_on(async {
        let store = MaildirStore::new(&mail);
        let acc = store.account("alice").await.expect("account");
        let mut seen = BTreeMap::new();
        let metas = acc
            .messages("INBOX", &UidSet::all())
            .await
            .expect("messages");
        for m in &metas {
            let data = acc.read("INBOX", m.uid).await.expect("read");
            seen.insert(id_of(&data).expect("id"), (m.uid, sys(&m.flags)));
        }
        assert_eq!(
            seen.get("m-draft").map(|v| v.1.clone()),
            Some(flags([Flag::Draft, Flag::Seen])),
            "Dovecot's STORE seen"
        );
        let (new_uid, new_flags) = seen
            .get("via-dovecot")
            .cloned()
            .expect("Dovecot's APPEND seen");
        assert_eq!(new_flags, flags([Flag::Answered]));
        assert!(
            metas.iter().all(|m| m.uid <= new_uid),
            "the outside message got the next UID"
        );
    });
}

#[test]
fn we_read_dovecots_maildir() {
    if !dovecot_installed() {
        return;
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    std::fs::create_dir_all(dir.join("mail")).expect("mkdir");
    chown_dovecot(&dir.join("mail"));
    let dc = Dovecot::start(dir);
    let mut imap = dc.connect();
    imap.ok("CREATE Sent");
    imap.ok("CREATE Archive.2026");
    for (mbox, id, f) in cases() {
        let fl: Vec<&str> = f.iter().map(|f| f.as_imap()).collect();
        let crlf = String::from_utf8(message(id, 3))
            .expect("utf8")
            .replace('\n', "\r\n");
        let (_, status) = imap.run(
            &format!("APPEND {mbox} ({})", fl.join(" ")),
            Some(crlf.as_bytes()),
        );
        assert!(status.contains("OK"), "APPEND {id}: {status}");
    }
    // Flags changed after delivery, through Dovecot.
    imap.ok("SELECT INBOX");
    imap.ok("UID STORE 1 +FLAGS (\\Flagged)");
    imap.ok("UID STORE 2 -FLAGS (\\Seen)");
    let dovecot_view: BTreeMap<String, Flags> = imap.flags_by_id("INBOX");
    imap.ok("LOGOUT");
    drop(imap);
    drop(dc);

    let rt = tokio::runtime::Runtime::new().expect("runtime");
    rt.block_on(async {
        let store = MaildirStore::new(dir.join("mail"));
        let acc = store.account("alice").await.expect("account");
        let names: Vec<String> = acc
            .list()
            .await
            .expect("list")
            .into_iter()
            .map(|m| m.name)
            .collect();
        for n in ["INBOX", "Sent", "Archive.2026"] {
            assert!(names.iter().any(|m| m == n), "{n} listed: {names:?}");
        }
        let mut expected: BTreeMap<&str, BTreeMap<String, Flags>> = BTreeMap::new();
        for (mbox, id, f) in cases() {
            let mut f = sys(&f);
            match id {
                "m-plain" => {
                    f.insert(Flag::Flagged);
                }
                "m-seen" => {
                    f.remove(&Flag::Seen);
                }
                _ => {}
            }
            expected.entry(mbox).or_default().insert(id.to_string(), f);
        }
        assert_eq!(
            expected.get("INBOX"),
            Some(&dovecot_view),
            "test's expectation matches Dovecot's own view"
        );
        for (mbox, want) in &expected {
            let mut got = BTreeMap::new();
            for m in acc.messages(mbox, &UidSet::all()).await.expect("messages") {
                let data = acc.read(mbox, m.uid).await.expect("read");
                assert_eq!(
                    data.len() as u64,
                    m.size,
                    "size from Dovecot's S= matches the file"
                );
                let id = id_of(&data).expect("id");
                let plain = String::from_utf8_lossy(&data).replace("\r\n", "\n");
                assert_eq!(plain.as_bytes(), message(&id, 3).as_slice(), "{id} intact");
                got.insert(id, sys(&m.flags));
            }
            assert_eq!(&got, want, "our view of Dovecot's {mbox}");
        }
    });
}
