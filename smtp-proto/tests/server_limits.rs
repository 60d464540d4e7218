//! The tokio SMTP server against hostile and careless clients over real 127.0.0.1 sockets: a
//! client that never reads its replies, one that never starts its TLS handshake, too many
//! connections from one address, password guessing (the delay after a failed AUTH) and slow
//! password hashing (run off the runtime's worker threads). Every wait has a time-out.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use base64::Engine as _;
use smtp_proto::server::{
    ConnectionInfo, DataEnd, Decision, Handler, Limits, MailFrom, Rcpt, Reply, Server, Session,
};
use smtp_proto::session::server::ServerConfig;
use testkit::credentials::SlowStore;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// The longest any single wait of a test may take.
const WAIT: Duration = Duration::from_secs(20);

async fn within<T>(what: &str, future: impl Future<Output = T>) -> T {
    match tokio::time::timeout(WAIT, future).await {
        Ok(value) => value,
        Err(_) => panic!("timed out after {WAIT:?} waiting for {what}"),
    }
}

/// Accepts everything, keeps nothing; AUTH checks against `store`.
struct Sink {
    store: Option<Arc<dyn sasl::CredentialStore>>,
}

struct Nothing;

#[async_trait]
impl Handler for Sink {
    type Session = Nothing;
    async fn connect(&self, _: &ConnectionInfo) -> Result<Nothing, Reply<'static>> {
        Ok(Nothing)
    }
    fn credentials(&self) -> Option<Arc<dyn sasl::CredentialStore>> {
        self.store.clone()
    }
}

#[async_trait]
impl Session for Nothing {
    async fn mail(&mut self, _: &MailFrom<'_>) -> Result<(), Reply<'static>> {
        Ok(())
    }
    async fn rcpt(&mut self, _: &Rcpt<'_>) -> Result<(), Reply<'static>> {
        Ok(())
    }
    async fn data_chunk(&mut self, _: &[u8]) -> Result<(), Reply<'static>> {
        Ok(())
    }
    async fn data_end(&mut self, _: &DataEnd) -> Decision {
        Decision::Accept
    }
}

/// A running server, stopped by [`Running::shutdown`].
struct Running {
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<std::io::Result<()>>,
}

impl Running {
    async fn start(server: Server, store: Option<Arc<dyn sasl::CredentialStore>>) -> Running {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let (stop, stopped) = oneshot::channel::<()>();
        let handler = Arc::new(Sink { store });
        let task = tokio::spawn(async move {
            server
                .serve(listener, handler, async {
                    let _ = stopped.await;
                })
                .await
        });
        Running {
            addr,
            stop: Some(stop),
            task,
        }
    }

    /// Starts the shutdown and returns how long `serve` took to return.
    async fn shutdown(&mut self) -> Duration {
        let started = Instant::now();
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let served = within("serve to return", &mut self.task).await;
        assert!(matches!(served, Ok(Ok(()))), "{served:?}");
        started.elapsed()
    }
}

/// Reads until the buffer ends with a final reply line (`NNN ` ... CRLF); returns the text.
async fn reply(stream: &mut TcpStream) -> String {
    let mut text = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let n = within("a reply", stream.read(&mut buf))
            .await
            .expect("read");
        assert!(n > 0, "EOF; got {:?}", String::from_utf8_lossy(&text));
        text.extend_from_slice(&buf[..n]);
        let s = String::from_utf8_lossy(&text).into_owned();
        if let Some(last) = s.trim_end_matches("\r\n").rsplit("\r\n").next()
            && s.ends_with("\r\n")
            && last.as_bytes().get(3) == Some(&b' ')
        {
            return s;
        }
    }
}

async fn command(stream: &mut TcpStream, line: &str) -> String {
    within(
        "a write",
        stream.write_all(format!("{line}\r\n").as_bytes()),
    )
    .await
    .expect("write");
    reply(stream).await
}

async fn connect(addr: SocketAddr) -> TcpStream {
    let mut stream = within("connect", TcpStream::connect(addr))
        .await
        .expect("connect");
    let greeting = reply(&mut stream).await;
    assert!(greeting.starts_with("220 "), "{greeting}");
    stream
}

async fn closed(stream: &mut TcpStream) {
    testkit::jam::closed(stream, WAIT).await;
}

/// A client that pipelines NOOP and never reads is dropped once a write of its replies has
/// waited for the write time-out.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_that_never_reads_is_dropped_within_the_write_timeout() {
    let write_timeout = Duration::from_millis(500);
    let server = Server::new(ServerConfig::new("mx.test")).write_timeout(write_timeout);
    let mut server = Running::start(server, None).await;
    let mut client = connect(server.addr).await;
    testkit::jam::assert_dropped("smtp NOOP", &mut client, b"NOOP\r\n", write_timeout).await;
    server.shutdown().await;
}

/// With the default (long) write time-out, a jammed client does not hold the shutdown: the
/// write is given up when the grace period ends.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_finishes_with_a_jammed_client() {
    let grace = Duration::from_millis(300);
    let limits = Limits::default()
        .with_grace(grace)
        .with_abort_after(Duration::from_secs(3));
    let server = Server::new(ServerConfig::new("mx.test")).limits(limits);
    let mut server = Running::start(server, None).await;
    let mut client = connect(server.addr).await;
    let jam = testkit::jam::jammed(&mut client, b"NOOP\r\n").await;
    let jammer = testkit::jam::keep_jamming(client, b"NOOP\r\n");
    let took = server.shutdown().await;
    testkit::jam::assert_shutdown_cut("smtp", took, grace, &jam, jammer).await;
}

/// A client of an implicit-TLS server that never sends its ClientHello does not hold the
/// shutdown past the grace period (the handshake gives up on stop; its time-out is 5 minutes).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_finishes_with_a_silent_implicit_tls_client() {
    let certs = testkit::TestCerts::generate();
    let grace = Duration::from_millis(300);
    let limits = Limits::default()
        .with_grace(grace)
        .with_abort_after(Duration::from_secs(3));
    let server = Server::new(ServerConfig::new("mx.test"))
        .with_tls(certs.server_config())
        .implicit_tls(true)
        .limits(limits);
    let mut server = Running::start(server, None).await;
    let mut silent = within("connect", TcpStream::connect(server.addr))
        .await
        .expect("connect");
    // Let the server accept it and start the handshake.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let took = server.shutdown().await;
    println!("smtp: shutdown with a silent implicit-TLS client took {took:?}");
    assert!(took < grace + Duration::from_secs(2), "{took:?}");
    closed(&mut silent).await;
}

/// The default limits refuse the 51st simultaneous connection from one address with 421 4.7.0.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn default_limits_refuse_the_51st_connection_from_one_address() {
    let limits = Limits::default();
    assert_eq!((limits.max_connections, limits.max_per_address), (1000, 50));
    let server = Server::new(ServerConfig::new("mx.test"));
    let mut server = Running::start(server, None).await;
    let mut open = Vec::new();
    for _ in 0..50 {
        open.push(connect(server.addr).await);
    }
    let mut extra = within("connect", TcpStream::connect(server.addr))
        .await
        .expect("connect");
    let refusal = reply(&mut extra).await;
    assert!(refusal.starts_with("421 4.7.0"), "{refusal}");
    closed(&mut extra).await;
    // The 50 are still served.
    let noop = command(&mut open[49], "NOOP").await;
    assert!(noop.starts_with("250"), "{noop}");
    drop(open);
    server.shutdown().await;
}

fn auth_config(failure_delay: Duration) -> ServerConfig {
    let mut config = ServerConfig::new("mx.test");
    config.auth_mechanisms = vec![sasl::Mechanism::Plain];
    config.auth.allow_plaintext = true; // loopback test without TLS
    config.auth.failure_delay = failure_delay;
    config
}

fn plain(user: &str, password: &str) -> String {
    let raw = format!("\0{user}\0{password}");
    format!(
        "AUTH PLAIN {}",
        base64::engine::general_purpose::STANDARD.encode(raw)
    )
}

fn slow_store(cost: Duration) -> Arc<SlowStore> {
    Arc::new(SlowStore::new(&[("alice", "wonderland")], cost))
}

/// A failed AUTH is answered after the policy's delay, a right one at once; the policy's
/// limit closes the connection on the failure after the tolerated ones.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_auth_is_delayed_and_the_limit_closes() {
    let delay = Duration::from_millis(300);
    let store = slow_store(Duration::ZERO);
    let server = Server::new(auth_config(delay));
    let mut server = Running::start(server, Some(store)).await;
    let mut c = connect(server.addr).await;
    assert!(command(&mut c, "EHLO client.test").await.starts_with("250"));
    let start = Instant::now();
    let wrong = command(&mut c, &plain("alice", "nope")).await;
    let wrong_took = start.elapsed();
    assert!(wrong.starts_with("535 5.7.8"), "{wrong}");
    let start = Instant::now();
    let right = command(&mut c, &plain("alice", "wonderland")).await;
    let right_took = start.elapsed();
    assert!(right.starts_with("235 2.7.0"), "{right}");
    println!("smtp AUTH PLAIN: wrong password {wrong_took:?}, right password {right_took:?}");
    assert!(wrong_took >= delay, "{wrong_took:?}");
    assert!(right_took < delay, "{right_took:?}");
    // max_failures (3) are tolerated; the fourth failure is answered 535 then 421, and closes.
    let mut c = connect(server.addr).await;
    assert!(command(&mut c, "EHLO client.test").await.starts_with("250"));
    for _ in 0..3 {
        let wrong = command(&mut c, &plain("alice", "nope")).await;
        assert!(wrong.starts_with("535 5.7.8"), "{wrong}");
    }
    let last = command(&mut c, &plain("alice", "nope")).await;
    assert!(
        last.starts_with("535 5.7.8") && last.contains("421 4.7.0"),
        "{last}"
    );
    closed(&mut c).await;
    server.shutdown().await;
}

/// Password checks run on the blocking pool: on a current-thread runtime (one worker, the
/// test's thread) a check that blocks for 600 ms runs on another thread, and another
/// connection's NOOP is answered meanwhile.
#[tokio::test(flavor = "current_thread")]
async fn password_checks_run_off_the_runtime_worker() {
    let cost = Duration::from_millis(600);
    let store = slow_store(cost);
    let server = Server::new(auth_config(Duration::ZERO));
    let mut server = Running::start(server, Some(store.clone())).await;
    let mut a = connect(server.addr).await;
    let mut b = connect(server.addr).await;
    assert!(command(&mut a, "EHLO a.test").await.starts_with("250"));
    within(
        "a write",
        a.write_all(format!("{}\r\n", plain("alice", "wonderland")).as_bytes()),
    )
    .await
    .expect("write");
    // Let the check start, then ask the other connection.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let start = Instant::now();
    let noop = command(&mut b, "NOOP").await;
    let noop_took = start.elapsed();
    assert!(noop.starts_with("250"), "{noop}");
    let authed = reply(&mut a).await;
    assert!(authed.starts_with("235 2.7.0"), "{authed}");
    println!("smtp: NOOP answered in {noop_took:?} during a {cost:?} password check");
    assert!(noop_took < Duration::from_millis(300), "{noop_took:?}");
    store.assert_one_check_off_this_thread();
    server.shutdown().await;
}
