//! One `pop3 session closed` tracing line per session, with the user, the peer and what was
//! retrieved and deleted.

use std::io::Write;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use pop3_proto::types::command::Command;

use crate::client::{Client, msg, within};
use crate::support::{Options, TestServer, message};

/// A `tracing` writer into a shared buffer.
#[derive(Clone, Default)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl Write for Buffer {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        let mut buf = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        buf.extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Buffer {
    /// The log lines that contain `needle`.
    fn lines_with(&self, needle: &str) -> Vec<String> {
        let buf = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        String::from_utf8_lossy(&buf)
            .lines()
            .filter(|l| l.contains(needle))
            .map(str::to_owned)
            .collect()
    }
}

/// The one line that names `peer` among `lines`.
fn line_of(lines: &[String], peer: std::net::SocketAddr) -> &str {
    let tag = format!("peer={peer} ");
    let mine: Vec<&String> = lines.iter().filter(|l| l.contains(&tag)).collect();
    assert_eq!(mine.len(), 1, "lines for {peer}: {lines:#?}");
    mine.first().map(|l| l.as_str()).unwrap_or_default()
}

// `#[tokio::test]` runs a current-thread runtime on the test thread, so the thread-local default
// subscriber also sees the server's spawned session tasks.
#[tokio::test]
async fn one_closing_line_per_session() {
    let log = Buffer::default();
    let subscriber = tracing_subscriber::fmt()
        .with_ansi(false)
        .with_max_level(tracing::Level::INFO)
        .with_writer({
            let log = log.clone();
            move || log.clone()
        })
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let server = TestServer::start(Options::default()).await;
    let messages: Vec<Vec<u8>> = (0..3).map(|n| message(n, 500 + n * 300)).collect();
    for m in &messages {
        server.deliver("alice", m).await;
    }
    // alice: RETR 1, RETR 2, DELE 1, DELE 3, QUIT.
    let mut alice = Client::connect(server.addr).await;
    let alice_peer = alice.local_addr();
    alice.login_ok("alice", "wonderland").await;
    for n in [1, 2] {
        let (status, body) = alice.multi(&Command::Retr(msg(n))).await;
        assert!(status.is_ok(), "{status:?}");
        assert_eq!(body.len(), messages[n as usize - 1].len());
    }
    assert!(alice.cmd(&Command::Dele(msg(1))).await.is_ok());
    assert!(alice.cmd(&Command::Dele(msg(3))).await.is_ok());
    assert!(alice.cmd(&Command::Quit).await.is_ok());
    alice.expect_eof().await;
    // bob logs in and drops the connection.
    let mut bob = Client::connect(server.addr).await;
    let bob_peer = bob.local_addr();
    bob.login_ok("bob", "builder").await;
    drop(bob);
    // A session that never logs in.
    let mut anon = Client::connect(server.addr).await;
    let anon_peer = anon.local_addr();
    assert!(anon.cmd(&Command::Quit).await.is_ok());
    anon.expect_eof().await;

    within("three closing lines", async {
        while log.lines_with("pop3 session closed").len() < 3 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await;
    server.stop().await;

    let lines = log.lines_with("pop3 session closed");
    assert_eq!(lines.len(), 3, "{lines:#?}");
    assert!(log.lines_with("pop3 session failed").is_empty());
    let octets = messages[0].len() + messages[1].len();
    let a = line_of(&lines, alice_peer);
    for field in [
        "user=\"alice\"".to_owned(),
        "retrieved=2".to_owned(),
        format!("octets={octets}"),
        "deleted=2".to_owned(),
        "reason=Quit".to_owned(),
    ] {
        assert!(a.contains(&field), "{field} missing in {a}");
    }
    let b = line_of(&lines, bob_peer);
    for field in [
        "user=\"bob\"",
        "retrieved=0",
        "deleted=0",
        "reason=PeerClosed",
    ] {
        assert!(b.contains(field), "{field} missing in {b}");
    }
    let n = line_of(&lines, anon_peer);
    assert!(n.contains("user=\"-\"") && n.contains("retrieved=0"), "{n}");
    println!("{a}");
}
