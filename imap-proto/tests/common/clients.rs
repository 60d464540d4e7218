//! Helpers of the real-client tests (`clients_*.rs`): the messages every test starts with, a
//! mailbox filled with them on the test server, running an external client with a time-out,
//! and reading what a client script printed (`key<TAB>value` lines). Included with
//! `#[path = "common/clients.rs"] mod clients;` next to `mod server_support;`.

#![allow(dead_code)]

use std::path::Path;
use std::time::{Duration, Instant};

use base64::Engine as _;
use mailstore::{AppendOptions, Flag, MessageSource};

use crate::server_support::TestServer;

/// A plain text message with a display name, a `Date` and a `Message-ID`.
pub const FIRST: &[u8] = b"From: Alice Sender <alice.sender@example.org>\r\n\
To: Bob <bob@example.net>\r\nSubject: first message\r\nDate: Mon, 7 Feb 1994 21:52:25 -0800\r\n\
Message-ID: <m1@example.org>\r\n\r\nHello Bob,\r\nthis is the first message.\r\n";

/// A multipart/mixed message: a quoted-printable UTF-8 text part and a base64 attachment.
pub const PARTS: &[u8] = b"From: Carol <carol@example.com>\r\nTo: alice@example.org\r\n\
Subject: parts and pieces\r\nDate: Tue, 8 Feb 1994 10:00:00 +0100\r\nMessage-ID: <m2@example.com>\r\n\
MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n\r\npreamble\r\n--b1\r\n\
Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n\
Caf=C3=A9 au lait\r\n--b1\r\nContent-Type: application/octet-stream; name=\"data.bin\"\r\n\
Content-Disposition: attachment; filename=\"data.bin\"\r\nContent-Transfer-Encoding: base64\r\n\r\n\
AAECAwQFBgcICQ==\r\n--b1--\r\n";

/// A short message without a display name.
pub const THIRD: &[u8] =
    b"From: dave@example.org\r\nTo: alice@example.org\r\nSubject: third one\r\n\
Date: Wed, 9 Feb 1994 11:00:00 +0000\r\nMessage-ID: <m3@example.org>\r\n\r\nthree\r\n";

/// The three messages the tests start with, in INBOX in this order.
pub const MESSAGES: [&[u8]; 3] = [FIRST, PARTS, THIRD];

/// A message (CRLF) with this subject and body line.
pub fn simple(from: &str, subject: &str, body: &str) -> Vec<u8> {
    format!("From: {from}\r\nTo: alice@example.org\r\nSubject: {subject}\r\n\r\n{body}\r\n")
        .into_bytes()
}

/// Stores `message` in alice's `mailbox` with `flags` (as the delivery agent would); its UID.
pub async fn put(server: &TestServer, mailbox: &str, message: &[u8], flags: &[Flag]) -> u32 {
    server
        .account("alice")
        .await
        .append(
            mailbox,
            MessageSource::Bytes(message.to_vec().into()),
            AppendOptions {
                flags: flags.iter().cloned().collect(),
                internal_date: None,
            },
        )
        .await
        .expect("append to the test store")
}

/// Creates `name` in alice's account.
pub async fn create(server: &TestServer, name: &str) {
    server
        .account("alice")
        .await
        .create(name, None)
        .await
        .expect("create a mailbox");
}

/// A server whose alice has [`MESSAGES`] in INBOX (none seen) and an empty `Archive`.
pub async fn server_with_messages() -> TestServer {
    server_with_messages_and(Default::default()).await
}

/// As [`server_with_messages`], set up with `options`.
pub async fn server_with_messages_and(options: crate::server_support::Options) -> TestServer {
    let server = TestServer::start(options).await;
    for m in MESSAGES {
        put(&server, "INBOX", m, &[]).await;
    }
    create(&server, "Archive").await;
    server
}

/// What alice's `mailbox` holds: `(uid, message bytes, flags in IMAP spelling, sorted)`.
pub async fn contents(server: &TestServer, mailbox: &str) -> Vec<(u32, Vec<u8>, Vec<String>)> {
    let account = server.account("alice").await;
    let mut out = Vec::new();
    for meta in server.messages("alice", mailbox).await {
        let bytes = account.read(mailbox, meta.uid).await.expect("read");
        out.push((meta.uid, bytes, flag_names(&meta.flags)));
    }
    out
}

/// Flags in IMAP spelling, sorted.
pub fn flag_names<'a>(flags: impl IntoIterator<Item = &'a Flag>) -> Vec<String> {
    let mut names: Vec<String> = flags.into_iter().map(|f| f.as_imap().to_owned()).collect();
    names.sort();
    names
}

/// `message` with CRLF line endings turned into LF.
pub fn to_lf(message: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(message.len());
    let mut rest = message;
    while let Some((&b, tail)) = rest.split_first() {
        if !(b == b'\r' && tail.first() == Some(&b'\n')) {
            out.push(b);
        }
        rest = tail;
    }
    out
}

/// The octets of base64 `text` (a message a client script printed).
#[track_caller]
pub fn unbase64(text: &str) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .unwrap_or_else(|e| panic!("not base64 ({e}): {text:?}"))
}

/// What a client script printed: `key<TAB>value` lines, in order (other lines are kept
/// for messages only).
#[derive(Debug)]
pub struct Seen {
    pairs: Vec<(String, String)>,
    /// Everything the script printed, for failure messages.
    pub transcript: String,
}

impl Seen {
    /// Reads `stdout` and `stderr` of a script.
    pub fn parse(stdout: &str, stderr: &str) -> Seen {
        let pairs = stdout
            .lines()
            .filter_map(|l| l.split_once('\t'))
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        Seen {
            pairs,
            transcript: format!("--- stdout\n{stdout}\n--- stderr\n{stderr}"),
        }
    }

    /// The first value printed for `key`; panics (with the transcript) when there is none.
    #[track_caller]
    pub fn get(&self, key: &str) -> &str {
        self.pairs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .unwrap_or_else(|| panic!("the client printed no {key:?}\n{}", self.transcript))
    }

    /// Every value printed for `key`, in order.
    pub fn all(&self, key: &str) -> Vec<&str> {
        self.pairs
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// Asserts that `key` was printed with exactly `expected`.
    #[track_caller]
    pub fn expect(&self, key: &str, expected: &str) {
        let got = self.get(key);
        assert_eq!(got, expected, "{key}\n{}", self.transcript);
    }
}

/// What a run of an external client produced.
#[derive(Debug)]
pub struct Run {
    /// Exit code; `None` when killed (by the time-out or a signal).
    pub code: Option<i32>,
    /// Standard output and standard error, lossily decoded.
    pub output: String,
}

impl Run {
    /// Panics with the output unless the program exited with 0.
    #[track_caller]
    pub fn assert_success(&self, what: &str) {
        assert_eq!(self.code, Some(0), "{what} failed\n{}", self.output);
    }
}

/// Runs `program` with `args` and the environment `envs` (stdin empty), killing it after
/// `timeout`; on the tokio runtime, so the server under test keeps serving.
pub async fn run(program: &str, args: &[&str], envs: &[(&str, &Path)], timeout: Duration) -> Run {
    let done = testkit::run_program(program, args, envs, timeout).await;
    Run {
        code: done.code(),
        output: format!("{}\n{}", done.text(), done.stderr),
    }
}

/// Waits up to `timeout` for `check` to hold, polling every 100 ms; whether it did.
pub async fn eventually(timeout: Duration, mut check: impl AsyncFnMut() -> bool) -> bool {
    let start = Instant::now();
    loop {
        if check().await {
            return true;
        }
        if start.elapsed() > timeout {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The Maildir flags letters of a file name (`...:2,FS` → `FS`), or empty.
pub fn maildir_letters(file_name: &str) -> String {
    file_name
        .rsplit_once(":2,")
        .map(|(_, l)| l.to_owned())
        .unwrap_or_default()
}

/// The IMAP flags of Maildir info letters, sorted like [`flag_names`].
pub fn letters_to_flags(letters: &str) -> Vec<String> {
    let mut out: Vec<String> = letters
        .chars()
        .filter_map(|c| match c {
            'S' => Some("\\Seen"),
            'R' => Some("\\Answered"),
            'F' => Some("\\Flagged"),
            'T' => Some("\\Deleted"),
            'D' => Some("\\Draft"),
            _ => None,
        })
        .map(str::to_owned)
        .collect();
    out.sort();
    out
}

/// The messages of a Maildir folder (`cur` and `new`): `(file name, bytes)` sorted by bytes.
pub fn maildir_messages(folder: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for sub in ["cur", "new"] {
        let Ok(entries) = std::fs::read_dir(folder.join(sub)) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let bytes = std::fs::read(entry.path()).expect("read a Maildir file");
            out.push((name, bytes));
        }
    }
    out.sort_by(|a, b| a.1.cmp(&b.1));
    out
}

/// The `Subject:` of a message, or empty.
pub fn subject(message: &[u8]) -> String {
    String::from_utf8_lossy(message)
        .lines()
        .take_while(|l| !l.is_empty())
        .find_map(|l| l.strip_prefix("Subject: "))
        .unwrap_or_default()
        .trim_end()
        .to_owned()
}

#[test]
fn helpers() {
    assert_eq!(to_lf(b"a\r\nb\r\r\n"), b"a\nb\r\n".to_vec());
    assert_eq!(maildir_letters("1.x,U=2:2,FS"), "FS");
    assert_eq!(letters_to_flags("SF"), vec!["\\Flagged", "\\Seen"]);
    assert_eq!(subject(FIRST), "first message");
    let seen = Seen::parse("a\t1\nnoise\na\t2\nb\tx y\n", "");
    assert_eq!(seen.all("a"), vec!["1", "2"]);
    assert_eq!(seen.get("b"), "x y");
    assert_eq!(unbase64("aGk="), b"hi");
}
