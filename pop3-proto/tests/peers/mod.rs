//! Helpers shared by the peer tests (fetchmail, curl, poplib over TLS): running an external
//! program with a time-out on the test runtime, the test messages, and an mbox splitter.
//! Included with `mod peers;` next to `mod support;`.

#![allow(dead_code)]

use std::path::Path;
use std::process::{ExitStatus, Stdio};
use std::time::Duration;

use tokio::process::{Child, Command};

/// What a run of an external program produced.
#[derive(Debug)]
pub struct Run {
    /// Exit status; `None` when the time-out killed it.
    pub status: Option<ExitStatus>,
    /// Standard output, as bytes (message data is compared exactly).
    pub stdout: Vec<u8>,
    /// Standard error, lossily decoded.
    pub stderr: String,
}

impl Run {
    /// The exit code (`None` if killed by a signal or the time-out).
    pub fn code(&self) -> Option<i32> {
        self.status.and_then(|s| s.code())
    }

    /// Standard output, lossily decoded.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }

    /// Panics with everything the program printed unless it exited with 0.
    #[track_caller]
    pub fn assert_success(&self, what: &str) {
        assert!(
            self.code() == Some(0),
            "{what} failed ({:?})\n--- stdout\n{}\n--- stderr\n{}",
            self.status,
            self.text(),
            self.stderr
        );
    }
}

/// Runs `program` with `args` (stdin empty), killing it after `timeout`. The child runs under
/// tokio, so the server under test keeps running on the same runtime.
pub async fn run(program: &str, args: &[&str], envs: &[(&str, &Path)], timeout: Duration) -> Run {
    let mut command = Command::new(testkit::peer::require(program));
    command
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    for (key, value) in envs {
        command.env(key, value);
    }
    let child = match command.spawn() {
        Ok(child) => child,
        Err(e) => {
            return Run {
                status: None,
                stdout: Vec::new(),
                stderr: format!("cannot start {program}: {e}"),
            };
        }
    };
    collect(child, timeout).await
}

/// Waits for `child` up to `timeout` (then kills it), collecting its output.
pub async fn collect(child: Child, timeout: Duration) -> Run {
    let testkit::Collected {
        status,
        stdout,
        stderr,
    } = testkit::collect(child, timeout).await;
    Run {
        status,
        stdout,
        stderr,
    }
}

/// A multipart message whose text part starts with a dot.
pub const MULTIPART: &[u8] = b"From: parts@example.org\r\nTo: alice@pop.test\r\nSubject: parts\r\n\
MIME-Version: 1.0\r\nMessage-ID: <parts@example.org>\r\n\
Content-Type: multipart/mixed; boundary=\"XX\"\r\n\r\npreamble\r\n--XX\r\n\
Content-Type: text/plain\r\n\r\n.first part\r\n..two dots\r\n--XX\r\nContent-Type: text/html\r\n\r\n\
<p>second</p>\r\n--XX--\r\n";

/// The five messages of the download tests: short, with lines starting with a dot, multipart,
/// 1 MB, and one whose body is a lone dot line and an empty last line.
pub fn five_messages() -> Vec<Vec<u8>> {
    vec![
        b"From: one@example.org\r\nTo: alice@pop.test\r\nSubject: one\r\nMessage-ID: <one@example.org>\r\n\r\nhello\r\n".to_vec(),
        crate::support::message(2, 3000),
        MULTIPART.to_vec(),
        crate::support::message(4, 1 << 20),
        b"From: five@example.org\r\nTo: alice@pop.test\r\nSubject: five\r\nMessage-ID: <five@example.org>\r\n\r\n.\r\n\r\n..\r\nend\r\n".to_vec(),
    ]
}

/// `message` with CRLF line endings turned into LF (as an MDA receives it).
pub fn to_lf(message: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(message.len());
    let mut i = 0;
    while let Some(&b) = message.get(i) {
        if b == b'\r' && message.get(i + 1) == Some(&b'\n') {
            i += 1;
            continue;
        }
        out.push(b);
        i += 1;
    }
    out
}

/// Splits an mbox written by the test MDA: each message is preceded by a line that starts with
/// `separator`, and followed by one empty line the MDA added.
pub fn split_mbox(mbox: &[u8], separator: &[u8]) -> Vec<Vec<u8>> {
    let mut messages: Vec<Vec<u8>> = Vec::new();
    let mut current: Option<Vec<u8>> = None;
    for line in mbox.split_inclusive(|&b| b == b'\n') {
        if line.starts_with(separator) {
            if let Some(m) = current.take() {
                messages.push(m);
            }
            current = Some(Vec::new());
        } else if let Some(m) = current.as_mut() {
            m.extend_from_slice(line);
        }
    }
    messages.extend(current);
    for m in &mut messages {
        // The empty line the MDA appended after the message.
        if m.ends_with(b"\n\n") {
            m.pop();
        }
    }
    messages
}

/// The header section (up to the empty line) and the body of an LF message.
pub fn header_and_body(message: &[u8]) -> (&[u8], &[u8]) {
    match message.windows(2).position(|w| w == b"\n\n") {
        Some(at) => (
            message.get(..at + 1).unwrap_or_default(),
            message.get(at + 2..).unwrap_or_default(),
        ),
        None => (message, &[]),
    }
}

#[test]
fn mbox_helpers() {
    let mbox = b"From X 1\nA: b\n\nbody\n\nFrom X 2\nC: d\n\nx\n\n";
    let split = split_mbox(mbox, b"From X ");
    assert_eq!(
        split,
        vec![b"A: b\n\nbody\n".to_vec(), b"C: d\n\nx\n".to_vec()]
    );
    assert_eq!(header_and_body(&split[0]), (&b"A: b\n"[..], &b"body\n"[..]));
    assert_eq!(to_lf(b"a\r\nb\r\r\n"), b"a\nb\r\n".to_vec());
}
