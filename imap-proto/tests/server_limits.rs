//! The operator's limits of the tokio IMAP server, over real sockets on 127.0.0.1: connections
//! per address (`* BYE [UNAVAILABLE]`), per user (`* BYE [LIMIT]` at login), the autologout
//! time-outs of RFC 9051 §5.4 before and after login, and the `* BYE` of a graceful shutdown.

mod server_support;

use std::time::{Duration, Instant};

use server_support::{Options, TestServer};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};

/// A line-at-a-time client.
struct Client {
    read: BufReader<OwnedReadHalf>,
    write: OwnedWriteHalf,
}

impl Client {
    async fn connect(server: &TestServer) -> Client {
        let (read, write) = TcpStream::connect(server.addr)
            .await
            .expect("connect")
            .into_split();
        Client {
            read: BufReader::new(read),
            write,
        }
    }

    /// The next line (without CRLF); `None` at EOF. Fails the test after 10 s.
    async fn line(&mut self) -> Option<String> {
        let mut line = String::new();
        let n = tokio::time::timeout(Duration::from_secs(10), self.read.read_line(&mut line))
            .await
            .expect("a line within 10 s")
            .unwrap_or(0);
        (n > 0).then(|| line.trim_end().to_owned())
    }

    /// Sends `tag command` and returns the lines up to the tagged one (or EOF).
    async fn cmd(&mut self, tag: &str, command: &str) -> Vec<String> {
        self.write
            .write_all(format!("{tag} {command}\r\n").as_bytes())
            .await
            .expect("write");
        let mut lines = Vec::new();
        while let Some(line) = self.line().await {
            let done = line.starts_with(&format!("{tag} "));
            lines.push(line);
            if done {
                break;
            }
        }
        lines
    }

    /// Asserts the server closes the connection (after any remaining lines).
    async fn assert_closed(&mut self) {
        while let Some(line) = self.line().await {
            assert!(line.starts_with('*'), "unexpected {line}");
        }
    }
}

#[tokio::test]
async fn connections_per_address_are_limited() {
    let server = TestServer::start(Options {
        server: |s| s.limits(imap_proto::server::Limits::default().with_connections(100, 2)),
        ..Options::default()
    })
    .await;
    let mut a = Client::connect(&server).await;
    let mut b = Client::connect(&server).await;
    assert!(a.line().await.expect("greeting").starts_with("* OK"));
    assert!(b.line().await.expect("greeting").starts_with("* OK"));
    let mut c = Client::connect(&server).await;
    let refusal = c.line().await.expect("refusal");
    assert!(refusal.starts_with("* BYE [UNAVAILABLE]"), "{refusal}");
    assert_eq!(c.line().await, None);
    drop(a);
    // The slot frees once the server sees the close.
    let mut greeted = false;
    for _ in 0..50 {
        let mut d = Client::connect(&server).await;
        if d.line().await.is_some_and(|l| l.starts_with("* OK")) {
            greeted = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(greeted, "a freed slot is taken again");
    server.stop().await;
}

#[tokio::test]
async fn connections_per_user_are_limited_at_login() {
    let server = TestServer::start(Options {
        server: |s| s.max_per_user(1),
        ..Options::default()
    })
    .await;
    let mut a = Client::connect(&server).await;
    a.line().await;
    let login = a.cmd("a1", "LOGIN alice wonderland").await;
    assert!(
        login.last().is_some_and(|l| l.starts_with("a1 OK")),
        "{login:?}"
    );
    let mut b = Client::connect(&server).await;
    b.line().await;
    let refused = b.cmd("b1", "LOGIN alice wonderland").await;
    assert!(
        refused.iter().any(|l| l.starts_with("* BYE [LIMIT]")),
        "{refused:?}"
    );
    b.assert_closed().await;
    // Another user is not counted against alice.
    let mut c = Client::connect(&server).await;
    c.line().await;
    let bob = c.cmd("c1", "LOGIN bob builder").await;
    assert!(
        bob.last().is_some_and(|l| l.starts_with("c1 OK")),
        "{bob:?}"
    );
    // Once alice's first session logs out, she may log in again.
    let bye = a.cmd("a2", "LOGOUT").await;
    assert!(
        bye.last().is_some_and(|l| l.starts_with("a2 OK")),
        "{bye:?}"
    );
    a.assert_closed().await;
    let mut d = Client::connect(&server).await;
    d.line().await;
    let again = d.cmd("d1", "LOGIN alice wonderland").await;
    assert!(
        again.last().is_some_and(|l| l.starts_with("d1 OK")),
        "{again:?}"
    );
    server.stop().await;
}

#[tokio::test]
async fn autologout_before_and_after_login() {
    let server = TestServer::start(Options {
        config: |c| {
            c.autologout_unauthenticated = Duration::from_millis(300);
            c.autologout = Duration::from_millis(800);
        },
        ..Options::default()
    })
    .await;
    let started = Instant::now();
    let mut a = Client::connect(&server).await;
    a.line().await;
    let bye = a.line().await.expect("BYE");
    assert!(bye.starts_with("* BYE"), "{bye}");
    let took = started.elapsed();
    assert!(
        took >= Duration::from_millis(300) && took < Duration::from_secs(5),
        "{took:?}"
    );
    a.assert_closed().await;

    let mut b = Client::connect(&server).await;
    b.line().await;
    let login = b.cmd("b1", "LOGIN alice wonderland").await;
    assert!(
        login.last().is_some_and(|l| l.starts_with("b1 OK")),
        "{login:?}"
    );
    let logged_in = Instant::now();
    // Activity resets the clock.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let noop = b.cmd("b2", "NOOP").await;
    assert!(
        noop.last().is_some_and(|l| l.starts_with("b2 OK")),
        "{noop:?}"
    );
    let bye = b.line().await.expect("BYE");
    assert!(bye.starts_with("* BYE"), "{bye}");
    let took = logged_in.elapsed();
    assert!(
        took >= Duration::from_millis(1300),
        "autologout after {took:?}"
    );
    b.assert_closed().await;
    server.stop().await;
}

#[tokio::test]
async fn shutdown_says_bye_to_open_sessions() {
    let server = TestServer::start(Options::default()).await;
    server
        .deliver("alice", &server_support::message(1, 200))
        .await;
    let mut a = Client::connect(&server).await;
    a.line().await;
    a.cmd("a1", "LOGIN alice wonderland").await;
    let select = a.cmd("a2", "SELECT INBOX").await;
    assert!(
        select.last().is_some_and(|l| l.starts_with("a2 OK")),
        "{select:?}"
    );
    // A second session idles (RFC 2177): the BYE reaches it too.
    let mut b = Client::connect(&server).await;
    b.line().await;
    b.cmd("b1", "LOGIN alice wonderland").await;
    b.cmd("b2", "SELECT INBOX").await;
    b.write.write_all(b"b3 IDLE\r\n").await.expect("write");
    let idling = b.line().await.expect("continuation");
    assert!(idling.starts_with('+'), "{idling}");
    let readers = [a, b].map(|mut c| {
        tokio::spawn(async move {
            let mut lines = Vec::new();
            while let Some(line) = c.line().await {
                lines.push(line);
            }
            lines
        })
    });
    let started = Instant::now();
    server.stop().await;
    // The test server's grace period is 2 s; then the sessions are told to close.
    assert!(started.elapsed() < Duration::from_secs(10));
    for reader in readers {
        let lines = reader.await.expect("reader");
        assert!(
            lines.iter().any(|l| l.starts_with("* BYE")),
            "no BYE before the close: {lines:?}"
        );
    }
}

/// A client that pipelines NOOP and never reads its responses is dropped once a write has
/// waited for the write time-out (the session's back-pressure stops taking commands meanwhile).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_that_never_reads_is_dropped_within_the_write_timeout() {
    let server = TestServer::start(Options {
        server: |s| s.write_timeout(Duration::from_millis(500)),
        ..Options::default()
    })
    .await;
    let mut stream = TcpStream::connect(server.addr).await.expect("connect");
    testkit::jam::assert_dropped(
        "imap NOOP",
        &mut stream,
        b"a NOOP\r\n",
        Duration::from_millis(500),
    )
    .await;
    server.stop().await;
}

/// With the default (long) write time-out, a jammed client does not hold the shutdown: the
/// write is given up when the grace period ends.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_finishes_with_a_jammed_client() {
    let server = TestServer::start(Options {
        server: |s| {
            s.limits(
                imap_proto::server::Limits::default()
                    .with_grace(Duration::from_millis(300))
                    .with_abort_after(Duration::from_secs(3)),
            )
        },
        ..Options::default()
    })
    .await;
    let mut stream = TcpStream::connect(server.addr).await.expect("connect");
    let jam = testkit::jam::jammed(&mut stream, b"a NOOP\r\n").await;
    let jammer = testkit::jam::keep_jamming(stream, b"a NOOP\r\n");
    let started = Instant::now();
    server.stop().await;
    let took = started.elapsed();
    testkit::jam::assert_shutdown_cut(
        "imap (NOOP)",
        took,
        Duration::from_millis(300),
        &jam,
        jammer,
    )
    .await;
}
