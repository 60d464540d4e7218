//! Helpers shared by the peer tests (fetchmail, curl, poplib over TLS): running an external
//! program with a time-out on the test runtime (testkit's), the test messages, and an mbox
//! splitter.
//! Included with `mod peers;` next to `mod support;`.

#![allow(dead_code)]

/// What a run of an external program produced (exit status, stdout as bytes: message data is
/// compared exactly, stderr).
pub use testkit::Collected as Run;
/// Runs `program` with `args` (stdin empty), killing it after `timeout`, on the test runtime.
pub use testkit::run_program as run;

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
