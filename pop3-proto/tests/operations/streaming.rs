//! A large message delivered from a stream and `RETR`'d through the decoder, compared by length
//! and SHA-256; `TOP` of it answers at once. Neither side holds the message whole.

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Instant;

use mailstore::{AppendOptions, MailStore, MessageSource};
use pop3_proto::types::command::Command;
use sha2::{Digest, Sha256};
use tokio::io::{AsyncRead, ReadBuf};

use crate::client::{Client, msg};
use crate::support::{Options, TestServer};

/// The size of the streamed message.
const SIZE: u64 = 50 * 1024 * 1024;

/// A message of [`SIZE`] octets made up line by line, never whole in memory: a header, then
/// numbered lines, every fifth starting with a dot.
struct Generated {
    line: u64,
    generated: u64,
    pending: Vec<u8>,
}

impl Generated {
    fn new() -> Self {
        let header = b"From: big@example.org\r\nTo: alice@pop.test\r\nSubject: large\r\n\r\n";
        Generated {
            line: 0,
            generated: header.len() as u64,
            pending: header.to_vec(),
        }
    }

    /// The next piece of the message (empty at the end).
    fn next_piece(&mut self) -> Vec<u8> {
        if self.pending.is_empty() && self.generated < SIZE {
            let dot = if self.line % 5 == 2 { "." } else { "" };
            let mut text = format!(
                "{dot}line {} of the large message, padded with some words to a typical width\r\n",
                self.line
            )
            .into_bytes();
            self.line += 1;
            let room = SIZE - self.generated;
            if text.len() as u64 > room {
                // The last line is cut short but still ends with CRLF.
                let keep = usize::try_from(room).unwrap_or(0).saturating_sub(2);
                text.truncate(keep);
                text.extend_from_slice(b"\r\n");
            }
            self.generated += text.len() as u64;
            self.pending = text;
        }
        std::mem::take(&mut self.pending)
    }
}

impl AsyncRead for Generated {
    fn poll_read(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let this = self.get_mut();
        while buf.remaining() > 0 {
            if this.pending.is_empty() {
                let piece = this.next_piece();
                if piece.is_empty() {
                    break;
                }
                this.pending = piece;
            }
            let n = this.pending.len().min(buf.remaining());
            buf.put_slice(this.pending.get(..n).unwrap_or_default());
            this.pending.drain(..n);
        }
        Poll::Ready(Ok(()))
    }
}

/// Peak resident memory of this process (`VmHWM`), in KiB, where /proc tells it.
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[tokio::test]
async fn large_message_streams_through_retr_and_top() {
    // The expected digest and length, generated the same way.
    let (mut expected_len, mut hasher, mut generator) = (0u64, Sha256::new(), Generated::new());
    let mut first_lines = Vec::new();
    loop {
        let piece = generator.next_piece();
        if piece.is_empty() {
            break;
        }
        if first_lines.len() < 4096 {
            first_lines.extend_from_slice(&piece);
        }
        expected_len += piece.len() as u64;
        hasher.update(&piece);
    }
    let expected = hasher.finalize();
    assert_eq!(expected_len, SIZE);

    let server = TestServer::start(Options::default()).await;
    let rss_before = peak_rss_kib();
    let started = Instant::now();
    let account = server.store.account("alice").await.expect("account");
    account
        .append(
            "INBOX",
            MessageSource::Reader(Box::new(Generated::new())),
            AppendOptions::default(),
        )
        .await
        .expect("append");
    let delivered = started.elapsed();

    let mut c = Client::connect(server.addr).await;
    c.login_ok("alice", "wonderland").await;
    let list = c.cmd(&Command::List(Some(msg(1)))).await;
    assert_eq!(list.text, format!("1 {SIZE}"));

    // TOP 1 5: the header and five body lines, at once.
    let started = Instant::now();
    let (status, top) = c
        .multi(&Command::Top {
            msg: msg(1),
            lines: 5,
        })
        .await;
    let top_took = started.elapsed();
    assert!(status.is_ok(), "{status:?}");
    let header_end = first_lines
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("header end")
        + 4;
    let mut end = header_end;
    for _ in 0..5 {
        end += first_lines
            .get(end..)
            .and_then(|rest| rest.windows(2).position(|w| w == b"\r\n"))
            .expect("a line")
            + 2;
    }
    assert_eq!(top, first_lines[..end].to_vec());
    assert!(top_took.as_millis() < 2000, "TOP took {top_took:?}");

    // RETR 1 through the decoder into SHA-256.
    let started = Instant::now();
    let status = c.cmd(&Command::Retr(msg(1))).await;
    assert!(status.is_ok(), "{status:?}");
    let mut hasher = Sha256::new();
    let len = c.body_with(|s| hasher.update(s)).await;
    let retr_took = started.elapsed();
    assert_eq!(len, SIZE);
    assert_eq!(hasher.finalize(), expected);
    assert!(c.cmd(&Command::Quit).await.is_ok());
    c.expect_eof().await;

    // Neither the store, the server nor the client held the message whole.
    if let (Some(before), Some(after)) = (rss_before, peak_rss_kib()) {
        let grown = after.saturating_sub(before);
        println!("peak RSS grew by {grown} KiB");
        assert!(
            grown < 20 * 1024,
            "peak RSS grew by {grown} KiB for a 50 MiB message"
        );
    }
    println!("append {delivered:?}, TOP 1 5 {top_took:?}, RETR {retr_took:?}");
    server.stop().await;
}
