//! Our client driver against our server driver over a real loopback socket.
//!
//! Each test starts a [`Server`] on `127.0.0.1:0` with a recording handler, sends with
//! [`SmtpClient`], and compares what the handler received with what was sent. Every test
//! runs under a time-out.

use std::future::Future;
use std::hash::{DefaultHasher, Hasher};
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use async_trait::async_trait;
use smtp_proto::client::{ConnectOptions, SmtpClient, Timeouts, TlsOptions};
use smtp_proto::server::{ConnectionInfo, Handler, Server, Session};
use smtp_proto::session::client::{ClientConfig, Credentials, Protocol, TlsPolicy};
use smtp_proto::session::server::{self as srv, DataEnd, Decision, ServerConfig};
use smtp_proto::types::command::{Body, MailFrom, Rcpt};
use smtp_proto::types::reply::{EnhancedStatusCode, Reply, ReplyCode};
use tokio::io::{AsyncRead, ReadBuf};
use tokio::sync::oneshot;

#[path = "client_common/mod.rs"]
mod common;
use common::{Mechanism, envelope, host};

/// One message as the server's handler saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Received {
    from: String,
    to: Vec<String>,
    /// The body when small; large bodies are only counted and hashed.
    body: Vec<u8>,
    len: u64,
    hash: u64,
}

#[derive(Default)]
struct Log {
    messages: Vec<Received>,
    logins: Vec<String>,
}

/// Records everything; refuses recipients whose local part starts with `reject` (550) and, in
/// LMTP, answers 452 at the end of data for those starting with `full`.
struct Recorder {
    log: Arc<Mutex<Log>>,
    store: Option<Arc<sasl::MemoryStore>>,
}

struct RecorderSession {
    log: Arc<Mutex<Log>>,
    from: String,
    to: Vec<String>,
    body: Vec<u8>,
    len: u64,
    hasher: DefaultHasher,
}

const KEEP_BODY: u64 = 1 << 20;

#[async_trait]
impl Handler for Recorder {
    type Session = RecorderSession;

    async fn connect(&self, _info: &ConnectionInfo) -> Result<RecorderSession, Reply<'static>> {
        Ok(RecorderSession {
            log: self.log.clone(),
            from: String::new(),
            to: Vec::new(),
            body: Vec::new(),
            len: 0,
            hasher: DefaultHasher::new(),
        })
    }

    fn credentials(&self) -> Option<Arc<dyn sasl::CredentialStore>> {
        self.store
            .clone()
            .map(|s| s as Arc<dyn sasl::CredentialStore>)
    }
}

fn reply(code: u16, class: u8, subject: u16, detail: u16, text: &'static str) -> Reply<'static> {
    Reply::new(
        ReplyCode::new(code).expect("a valid code"),
        Some(EnhancedStatusCode::new(class, subject, detail)),
        text,
    )
}

impl RecorderSession {
    fn finish(&mut self) -> Received {
        let hasher = std::mem::take(&mut self.hasher);
        Received {
            from: std::mem::take(&mut self.from),
            to: std::mem::take(&mut self.to),
            body: std::mem::take(&mut self.body),
            len: std::mem::take(&mut self.len),
            hash: hasher.finish(),
        }
    }
}

#[async_trait]
impl Session for RecorderSession {
    async fn authenticated(&mut self, identity: &str) {
        self.log
            .lock()
            .expect("lock")
            .logins
            .push(identity.to_string());
    }

    async fn mail(&mut self, from: &MailFrom<'_>) -> Result<(), Reply<'static>> {
        self.from = from.path.to_string();
        Ok(())
    }

    async fn rcpt(&mut self, to: &Rcpt<'_>) -> Result<(), Reply<'static>> {
        let to = to.path.to_string();
        if to.starts_with("<reject") {
            return Err(reply(550, 5, 1, 1, "no such user"));
        }
        self.to.push(to);
        Ok(())
    }

    async fn data_chunk(&mut self, chunk: &[u8]) -> Result<(), Reply<'static>> {
        self.len += chunk.len() as u64;
        self.hasher.write(chunk);
        if self.len <= KEEP_BODY {
            self.body.extend_from_slice(chunk);
        }
        Ok(())
    }

    async fn data_end(&mut self, _end: &DataEnd) -> Decision {
        let received = self.finish();
        self.log.lock().expect("lock").messages.push(received);
        Decision::AcceptWith(reply(250, 2, 0, 0, "stored"))
    }

    async fn data_end_per_recipient(&mut self, _end: &DataEnd) -> Vec<Decision> {
        let received = self.finish();
        let decisions = received
            .to
            .iter()
            .map(|to| {
                if to.starts_with("<full") {
                    Decision::Reject(reply(452, 4, 2, 2, "mailbox full"))
                } else {
                    Decision::Accept
                }
            })
            .collect();
        self.log.lock().expect("lock").messages.push(received);
        decisions
    }

    async fn reset(&mut self) {
        self.finish();
    }
}

/// A running server; stops when dropped.
struct Running {
    addr: SocketAddr,
    log: Arc<Mutex<Log>>,
    _stop: oneshot::Sender<()>,
}

impl Running {
    fn messages(&self) -> Vec<Received> {
        self.log.lock().expect("lock").messages.clone()
    }

    fn logins(&self) -> Vec<String> {
        self.log.lock().expect("lock").logins.clone()
    }
}

async fn start(server: Server, store: Option<sasl::MemoryStore>) -> Running {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let addr = listener.local_addr().expect("local addr");
    let log = Arc::new(Mutex::new(Log::default()));
    let handler = Arc::new(Recorder {
        log: log.clone(),
        store: store.map(Arc::new),
    });
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(async move {
        let shutdown = async {
            let _ = stopped.await;
        };
        let _ = server.serve(listener, handler, shutdown).await;
    });
    Running {
        addr,
        log,
        _stop: stop,
    }
}

fn server_config(protocol: srv::Protocol) -> ServerConfig {
    let mut config = ServerConfig::new("mx.loopback.test");
    config.protocol = protocol;
    config.max_message_size = Some(64 << 20);
    config
}

fn options() -> ConnectOptions {
    ConnectOptions {
        timeouts: Timeouts::uniform(Duration::from_secs(20)),
        ..ConnectOptions::default()
    }
}

fn client_config() -> ClientConfig {
    ClientConfig::new(host("client.loopback.test"))
}

/// Runs a test body under a time-out.
async fn within<F: Future<Output = ()>>(secs: u64, f: F) {
    tokio::time::timeout(Duration::from_secs(secs), f)
        .await
        .expect("test finished within its time-out");
}

fn hash(bytes: &[u8]) -> u64 {
    let mut h = DefaultHasher::new();
    h.write(bytes);
    h.finish()
}

const TRICKY: &[u8] =
    b"From: a@loopback.test\r\nSubject: dots\r\n\r\n.leading dot\r\n.\r\n..\r\n. \r\nend\r\n";

async fn send_tricky(client: &mut SmtpClient, running: &Running, n: usize) {
    let outcome = client
        .send(
            envelope(
                "a@loopback.test",
                &["b@loopback.test", "reject@loopback.test"],
            ),
            TRICKY,
        )
        .await
        .expect("sent");
    let accepted: Vec<bool> = outcome.recipients.iter().map(|r| r.is_accepted()).collect();
    assert_eq!(accepted, [true, false]);
    assert_eq!(outcome.recipients[1].reply().code.get(), 550);
    let messages = running.messages();
    assert_eq!(messages.len(), n);
    let got = &messages[n - 1];
    assert_eq!(got.from, "<a@loopback.test>");
    assert_eq!(got.to, ["<b@loopback.test>"]);
    assert_eq!(got.body, TRICKY);
}

#[tokio::test]
async fn plain_without_pipelining_byte_exact_dots() {
    within(30, async {
        let running = start(Server::new(server_config(srv::Protocol::Smtp)), None).await;
        let mut config = client_config();
        config.pipelining = false;
        let mut client = SmtpClient::connect(running.addr, config, options())
            .await
            .expect("connected");
        send_tricky(&mut client, &running, 1).await;
        client.quit().await.expect("quit");
    })
    .await;
}

#[tokio::test]
async fn pipelined_many_messages_on_one_connection() {
    within(60, async {
        let running = start(Server::new(server_config(srv::Protocol::Smtp)), None).await;
        let mut client = SmtpClient::connect(running.addr, client_config(), options())
            .await
            .expect("connected");
        assert!(client.session().ehlo().is_some_and(|e| e.has("PIPELINING")));
        for n in 1..=50 {
            send_tricky(&mut client, &running, n).await;
        }
        // All recipients refused (no DATA), then the connection still works (RSET).
        let outcome = client
            .send(
                envelope("a@loopback.test", &["reject@loopback.test"]),
                &b"x\r\n"[..],
            )
            .await
            .expect("sent");
        assert_eq!(outcome.accepted(), 0);
        send_tricky(&mut client, &running, 51).await;
        client.quit().await.expect("quit");
    })
    .await;
}

fn tls_pair() -> (Arc<rustls::ServerConfig>, TlsOptions) {
    let certs = testkit::TestCerts::generate();
    (
        certs.server_config(),
        TlsOptions {
            config: certs.client_config(),
            server_name: rustls::pki_types::ServerName::try_from("localhost")
                .expect("a name")
                .to_owned(),
        },
    )
}

#[tokio::test]
async fn starttls_required_then_auth_plain() {
    within(30, async {
        let (server_tls, client_tls) = tls_pair();
        let mut config = server_config(srv::Protocol::Smtp);
        config.auth_mechanisms = vec![Mechanism::Plain, Mechanism::ScramSha256];
        let store = sasl::MemoryStore::new();
        store.add_user("alice", "wonderland");
        let running = start(Server::new(config).with_tls(server_tls), Some(store)).await;
        let mut config = client_config();
        config.tls = TlsPolicy::Required;
        config.credentials =
            Some(Credentials::password("alice", "wonderland").with_mechanisms(&[Mechanism::Plain]));
        let mut client = SmtpClient::connect(
            running.addr,
            config,
            ConnectOptions {
                tls: Some(client_tls),
                ..options()
            },
        )
        .await
        .expect("connected");
        assert!(client.session().is_tls());
        assert!(client.session().is_authenticated());
        assert_eq!(running.logins(), ["alice"]);
        send_tricky(&mut client, &running, 1).await;
        client.quit().await.expect("quit");
    })
    .await;
}

#[tokio::test]
async fn implicit_tls() {
    within(30, async {
        let (server_tls, client_tls) = tls_pair();
        let running = start(
            Server::new(server_config(srv::Protocol::Smtp))
                .with_tls(server_tls)
                .implicit_tls(true),
            None,
        )
        .await;
        let mut client = SmtpClient::connect(
            running.addr,
            client_config(),
            ConnectOptions {
                tls: Some(client_tls),
                implicit_tls: true,
                ..options()
            },
        )
        .await
        .expect("connected");
        assert!(client.session().is_tls());
        send_tricky(&mut client, &running, 1).await;
        client.quit().await.expect("quit");
    })
    .await;
}

#[tokio::test]
async fn auth_scram_sha_256_and_wrong_password() {
    within(30, async {
        let mut config = server_config(srv::Protocol::Smtp);
        config.auth_mechanisms = vec![Mechanism::Plain, Mechanism::ScramSha256];
        config.auth.allow_plaintext = true;
        config.auth.failure_delay = Duration::from_millis(50);
        let store = sasl::MemoryStore::new();
        store.add_user("alice", "wonderland");
        let running = start(Server::new(config), Some(store)).await;
        let mut config = client_config();
        config.credentials = Some(Credentials::password("alice", "wonderland"));
        let mut client = SmtpClient::connect(running.addr, config.clone(), options())
            .await
            .expect("connected");
        assert!(client.session().is_authenticated());
        assert_eq!(running.logins(), ["alice"]);
        send_tricky(&mut client, &running, 1).await;
        client.quit().await.expect("quit");

        config.credentials = Some(Credentials::password("alice", "looking-glass"));
        let err = SmtpClient::connect(running.addr, config, options())
            .await
            .err()
            .expect("refused");
        assert!(err.to_string().contains("535"), "{err}");
    })
    .await;
}

#[tokio::test]
async fn bdat_chunks_and_binarymime() {
    within(30, async {
        let running = start(Server::new(server_config(srv::Protocol::Smtp)), None).await;
        let mut config = client_config();
        config.chunking = true;
        let mut client = SmtpClient::connect(running.addr, config, options())
            .await
            .expect("connected");
        assert!(client.session().ehlo().is_some_and(|e| e.has("CHUNKING")));
        // 300 KB: several 64 KiB chunks, the last with LAST.
        let body: Vec<u8> = (0..300_000u32)
            .map(|i| {
                if i % 80 == 79 {
                    b'\n'
                } else {
                    b'.' + (i % 7) as u8
                }
            })
            .collect();
        let mut env = envelope("a@loopback.test", &["b@loopback.test"]);
        env.from.params.body = Some(Body::BinaryMime);
        let outcome = client.send(env, &body[..]).await.expect("sent");
        assert!(outcome.all_accepted(), "{outcome:?}");
        // BINARYMIME: bytes arrive untouched, bare LFs and all.
        let got = &running.messages()[0];
        assert_eq!(got.len, body.len() as u64);
        assert_eq!(got.body, body);
        send_tricky(&mut client, &running, 2).await;
        client.quit().await.expect("quit");
    })
    .await;
}

#[tokio::test]
async fn lmtp_per_recipient_replies() {
    within(30, async {
        let running = start(Server::new(server_config(srv::Protocol::Lmtp)), None).await;
        let mut config = client_config();
        config.protocol = Protocol::Lmtp;
        let mut client = SmtpClient::connect(running.addr, config, options())
            .await
            .expect("connected");
        let outcome = client
            .send(
                envelope(
                    "a@loopback.test",
                    &[
                        "b@loopback.test",
                        "reject@loopback.test",
                        "full@loopback.test",
                        "c@loopback.test",
                    ],
                ),
                TRICKY,
            )
            .await
            .expect("sent");
        let codes: Vec<(bool, u16)> = outcome
            .recipients
            .iter()
            .map(|r| (r.is_accepted(), r.reply().code.get()))
            .collect();
        assert_eq!(
            codes,
            [(true, 250), (false, 550), (false, 452), (true, 250)]
        );
        assert!(outcome.recipients[2].is_temporary_failure());
        assert_eq!(running.messages()[0].body, TRICKY);
        client.quit().await.expect("quit");
    })
    .await;
}

/// A body generated on the fly: `lines` numbered lines, never held whole; every 10th
/// starts with a dot, to exercise stuffing at scale.
struct Generated {
    lines: u64,
    line: u64,
    pending: Vec<u8>,
}

impl Generated {
    fn new(lines: u64) -> Self {
        Self {
            lines,
            line: 0,
            pending: Vec::new(),
        }
    }

    fn fill(&mut self, max: usize) -> Vec<u8> {
        let mut out = Vec::with_capacity(max.min(1 << 16));
        while out.len() < max {
            if self.pending.is_empty() {
                if self.line == self.lines {
                    break;
                }
                self.line += 1;
                let dot = if self.line.is_multiple_of(10) {
                    "."
                } else {
                    ""
                };
                self.pending = format!("{dot}line {:08} lorem ipsum dolor sit amet\r\n", self.line)
                    .into_bytes();
            }
            let take = self.pending.len().min(max - out.len());
            out.extend(self.pending.drain(..take));
        }
        out
    }
}

impl AsyncRead for Generated {
    fn poll_read(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let bytes = self.get_mut().fill(buf.remaining());
        buf.put_slice(&bytes);
        Poll::Ready(Ok(()))
    }
}

#[tokio::test]
async fn twenty_megabytes_streamed() {
    within(120, async {
        // About 20.2 MB: 42-octet lines, a dot more on every 10th.
        const LINES: u64 = 480_000;
        let mut expected = Generated::new(LINES);
        let mut h = DefaultHasher::new();
        let mut len = 0u64;
        loop {
            let piece = expected.fill(1 << 16);
            if piece.is_empty() {
                break;
            }
            len += piece.len() as u64;
            h.write(&piece);
        }
        assert!(len >= 20_000_000, "{len}");

        let running = start(Server::new(server_config(srv::Protocol::Smtp)), None).await;
        let mut client = SmtpClient::connect(running.addr, client_config(), options())
            .await
            .expect("connected");
        let mut env = envelope("a@loopback.test", &["b@loopback.test"]);
        env.from.params.size = Some(len);
        let started = std::time::Instant::now();
        let outcome = client.send(env, Generated::new(LINES)).await.expect("sent");
        let elapsed = started.elapsed();
        println!(
            "{len} octets through DATA in {elapsed:?} ({:.0} MB/s)",
            len as f64 / 1e6 / elapsed.as_secs_f64()
        );
        assert!(outcome.all_accepted(), "{outcome:?}");
        let got = &running.messages()[0];
        assert_eq!(got.len, len);
        assert_eq!(got.hash, h.finish());
        client.quit().await.expect("quit");
    })
    .await;
}

#[test]
fn hash_is_split_independent() {
    let data = b"0123456789abcdefghijklmnopqrstuvwxyz".repeat(100);
    let mut h = DefaultHasher::new();
    for piece in data.chunks(7) {
        h.write(piece);
    }
    assert_eq!(h.finish(), hash(&data));
}

/// LMTP is often spoken over a Unix socket: the client driver runs over any stream.
#[tokio::test]
async fn lmtp_over_a_unix_socket() {
    within(30, async {
        let (client_io, server_io) = tokio::net::UnixStream::pair().expect("socket pair");
        let log = Arc::new(Mutex::new(Log::default()));
        let handler = Recorder {
            log: log.clone(),
            store: None,
        };
        let server = Server::new(server_config(srv::Protocol::Lmtp));
        let (_stop_tx, stop_rx) = tokio::sync::watch::channel(false);
        let unspecified: SocketAddr = ([127, 0, 0, 1], 0).into();
        let served = tokio::spawn(async move {
            server
                .serve_connection(server_io, unspecified, unspecified, &handler, stop_rx)
                .await;
        });
        let mut config = client_config();
        config.protocol = Protocol::Lmtp;
        let mut client = SmtpClient::from_stream(client_io, config, options())
            .await
            .expect("set up");
        let outcome = client
            .send(
                envelope("", &["b@loopback.test", "full@loopback.test"]),
                TRICKY,
            )
            .await
            .expect("sent");
        let codes: Vec<u16> = outcome
            .recipients
            .iter()
            .map(|r| r.reply().code.get())
            .collect();
        assert_eq!(codes, [250, 452]);
        client.quit().await.expect("quit");
        served.await.expect("server task");
        let messages = log.lock().expect("lock").messages.clone();
        assert_eq!(messages.len(), 1);
        assert_eq!(messages[0].from, "<>");
        assert_eq!(messages[0].body, TRICKY);
    })
    .await;
}
