//! Python's smtplib (stdlib) against the tokio server on 127.0.0.1: plain sends, EHLO features,
//! AUTH PLAIN/LOGIN, STARTTLS with a testkit certificate, dot-stuffing and 8-bit content, refused
//! recipients, size limits, several recipients. The test server stores what it receives and the
//! tests compare those bytes with what Python sent.

#[path = "smtplib/json.rs"]
mod serde_json_lite;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use smtp_proto::server::{
    ConnectionInfo, DataEnd, Decision, EnhancedStatusCode, ForwardPath, Handler, Limits, MailFrom,
    Rcpt, Reply, ReplyCode, Server, Session,
};
use smtp_proto::session::server::ServerConfig;
use testkit::{Python, TestCerts};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;

/// A message as the test server received it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Received {
    from: String,
    to: Vec<String>,
    body: Vec<u8>,
    user: Option<String>,
}

#[derive(Clone)]
struct Store {
    messages: Arc<Mutex<Vec<Received>>>,
    users: Arc<sasl::MemoryStore>,
    refuse: Arc<std::sync::atomic::AtomicBool>,
}

impl Default for Store {
    fn default() -> Self {
        let users = sasl::MemoryStore::new().with_user("alice", "wonderland");
        Self {
            messages: Arc::default(),
            users: Arc::new(users),
            refuse: Arc::default(),
        }
    }
}

struct Conn {
    store: Store,
    current: Received,
    user: Option<String>,
}

#[async_trait::async_trait]
impl Handler for Store {
    type Session = Conn;

    fn credentials(&self) -> Option<Arc<dyn sasl::CredentialStore>> {
        Some(self.users.clone())
    }

    async fn connect(&self, info: &ConnectionInfo) -> Result<Conn, Reply<'static>> {
        if self.refuse.load(std::sync::atomic::Ordering::Relaxed) {
            let text = format!("{} is not welcome", info.peer.ip());
            return Err(reply(554, (5, 7, 1), text));
        }
        Ok(Conn {
            store: self.clone(),
            current: Received::default(),
            user: None,
        })
    }
}

#[async_trait::async_trait]
impl Session for Conn {
    async fn authenticated(&mut self, identity: &str) {
        self.user = Some(identity.to_owned());
    }

    async fn mail(&mut self, from: &MailFrom<'_>) -> Result<(), Reply<'static>> {
        self.current = Received {
            from: from.path.to_string(),
            user: self.user.clone(),
            ..Received::default()
        };
        Ok(())
    }

    async fn rcpt(&mut self, to: &Rcpt<'_>) -> Result<(), Reply<'static>> {
        match &to.path {
            ForwardPath::Mailbox(m) if m.to_string().starts_with("nobody@") => {
                Err(reply(550, (5, 1, 1), "no such user"))
            }
            ForwardPath::Mailbox(m) => {
                self.current.to.push(m.to_string());
                Ok(())
            }
            ForwardPath::Postmaster => Ok(()),
        }
    }

    async fn data_chunk(&mut self, chunk: &[u8]) -> Result<(), Reply<'static>> {
        self.current.body.extend_from_slice(chunk);
        // A content filter: the driver keeps reading and answers this at the end of data.
        match chunk.windows(9).any(|w| w == b"REJECT-ME") {
            true => Err(reply(554, (5, 6, 0), "content refused")),
            false => Ok(()),
        }
    }

    async fn data_end(&mut self, _: &DataEnd) -> Decision {
        let message = std::mem::take(&mut self.current);
        self.store.messages.lock().map(|mut m| m.push(message)).ok();
        Decision::Accept
    }

    /// LMTP: a mailbox named `full@...` is over quota; the others get the message.
    async fn data_end_per_recipient(&mut self, _: &DataEnd) -> Vec<Decision> {
        let message = std::mem::take(&mut self.current);
        let decisions = (message.to.iter())
            .map(|to| match to.starts_with("full@") {
                true => Decision::Reject(reply(452, (4, 2, 2), "mailbox full")),
                false => Decision::Accept,
            })
            .collect();
        self.store.messages.lock().map(|mut m| m.push(message)).ok();
        decisions
    }

    async fn reset(&mut self) {
        self.current = Received::default();
    }
}

/// A reply with an enhanced status code (RFC 3463).
fn reply(
    code: u16,
    (class, subject, detail): (u8, u16, u16),
    text: impl Into<String>,
) -> Reply<'static> {
    let code = ReplyCode::new(code).expect("valid code");
    Reply::new(
        code,
        Some(EnhancedStatusCode::new(class, subject, detail)),
        text.into(),
    )
}

/// A running test server; dropping it shuts it down.
struct TestServer {
    port: u16,
    store: Store,
    stop: Option<oneshot::Sender<()>>,
    done: Option<oneshot::Receiver<()>>,
}

async fn start(config: ServerConfig, tls: Option<&TestCerts>) -> TestServer {
    let mut server = Server::new(config);
    if let Some(certs) = tls {
        server = server.with_tls(certs.server_config());
    }
    start_server(server).await
}

async fn start_server(server: Server) -> TestServer {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let store = Store::default();
    let handler = Arc::new(store.clone());
    let (stop, stopped) = oneshot::channel::<()>();
    let (done_tx, done) = oneshot::channel::<()>();
    tokio::spawn(async move {
        let _ = server
            .serve(listener, handler, async {
                let _ = stopped.await;
            })
            .await;
        let _ = done_tx.send(());
    });
    TestServer {
        port,
        store,
        stop: Some(stop),
        done: Some(done),
    }
}

impl TestServer {
    /// Starts the graceful shutdown and waits (at most 10 s) until `serve` returned.
    async fn shutdown(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(done) = self.done.take() {
            tokio::time::timeout(Duration::from_secs(10), done)
                .await
                .expect("serve returns")
                .ok();
        }
    }
}

fn config() -> ServerConfig {
    let mut c = ServerConfig::new("mx.test");
    c.max_message_size = Some(10_000);
    c
}

/// The Python side: one function per scenario, chosen by argv[2]; prints results as JSON.
const CLIENT: &str = include_str!("smtplib/client.py");

async fn client(port: u16, args: &[&str]) -> serde_json_lite::Value {
    let mut py = Python::script(CLIENT).arg(port.to_string());
    for a in args {
        py = py.arg(*a);
    }
    let out = py.run().await;
    out.assert_success();
    serde_json_lite::parse(out.stdout.trim())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn messages(server: &TestServer) -> Vec<Received> {
    server
        .store
        .messages
        .lock()
        .map(|m| m.clone())
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ehlo_features() {
    let server = start(config(), None).await;
    let out = client(server.port, &["features"]).await;
    assert_eq!(out.get("code").as_i64(), Some(250));
    let features = out.get("features").as_strings();
    for f in [
        "8bitmime",
        "binarymime",
        "chunking",
        "enhancedstatuscodes",
        "pipelining",
        "size",
        "smtputf8",
    ] {
        assert!(
            features.iter().any(|x| x == f),
            "{f} missing from {features:?}"
        );
    }
    assert!(
        !features.iter().any(|x| x == "starttls" || x == "auth"),
        "{features:?}"
    );
    assert_eq!(out.get("size").as_str(), Some("10000"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plain_send_dots_and_eight_bit_to_several_recipients() {
    let server = start(config(), None).await;
    let body = "Subject: dots\r\n\r\n.leading dot\r\n..two dots\r\n.\r\nnot the end\r\ncaf\u{e9} \u{fc}ber 8-bit\r\n.".as_bytes().to_vec();
    let mut expected = body.clone();
    expected.extend_from_slice(b"\r\n"); // smtplib ends the data with CRLF before the final dot
    let out = client(
        server.port,
        &["send", "one@mx.test,two@mx.test,three@mx.test", &hex(&body)],
    )
    .await;
    assert_eq!(out.get("refused").to_string(), "{}");
    let received = messages(&server);
    assert_eq!(received.len(), 1);
    assert_eq!(
        received[0].to,
        ["one@mx.test", "two@mx.test", "three@mx.test"]
    );
    assert_eq!(
        String::from_utf8_lossy(&received[0].body),
        String::from_utf8_lossy(&expected)
    );
    assert_eq!(received[0].body, expected);
}

/// RFC 6531: UTF-8 addresses with the SMTPUTF8 parameter, an 8-bit body with BODY=8BITMIME.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn smtputf8_addresses() {
    let server = start(config(), None).await;
    let out = client(server.port, &["utf8"]).await;
    assert_eq!(out.get("refused").to_string(), "{}");
    let received = messages(&server);
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].to, ["\u{fc}ser@mx.test"]);
    assert_eq!(received[0].from, "<j\u{f6}rg@client.test>");
    assert_eq!(
        received[0].body,
        "Subject: gr\u{fc}\u{df}e\r\n\r\nJ\u{f6}rg says hall\u{f6}\r\n".as_bytes()
    );
}

/// A `data_chunk` error becomes the reply at the end of data; the connection stays usable.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn content_refused_by_the_handler() {
    let server = start(config(), None).await;
    let out = client(server.port, &["content"]).await;
    assert_eq!(out.get("refused").index(0).as_i64(), Some(554), "{out:?}");
    assert!(
        out.get("refused")
            .index(1)
            .as_str()
            .is_some_and(|t| t == "5.6.0 content refused"),
        "{out:?}"
    );
    let received = messages(&server);
    assert_eq!(
        received.len(),
        1,
        "the second message went through: {received:?}"
    );
    assert_eq!(received[0].body, b"fine\r\n");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_recipient() {
    let server = start(config(), None).await;
    let out = client(server.port, &["refused"]).await;
    assert_eq!(
        out.get("refused").get("nobody@mx.test").index(0).as_i64(),
        Some(550)
    );
    assert!(messages(&server).is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn too_large_message() {
    let server = start(config(), None).await;
    let out = client(server.port, &["toolarge"]).await;
    assert_eq!(out.get("declared").index(0).as_i64(), Some(552), "{out:?}");
    assert_eq!(out.get("body").index(0).as_i64(), Some(552), "{out:?}");
    assert!(
        out.get("body")
            .index(1)
            .as_str()
            .is_some_and(|t| t.starts_with("5.3.4")),
        "{out:?}"
    );
    assert_eq!(out.get("after").as_i64(), Some(250));
    assert!(messages(&server).is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn starttls_with_testkit_certificate() {
    let certs = TestCerts::generate();
    let server = start(config(), Some(&certs)).await;
    let ca = certs.ca_file();
    let out = client(server.port, &["starttls", &ca.to_string_lossy()]).await;
    assert!(
        out.get("before")
            .as_strings()
            .contains(&"starttls".to_owned()),
        "{out:?}"
    );
    assert!(
        !out.get("after")
            .as_strings()
            .contains(&"starttls".to_owned()),
        "{out:?}"
    );
    let received = messages(&server);
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].body, b"Subject: tls\r\n\r\nover TLS\r\n");
}

fn auth_config(requires_tls: bool) -> ServerConfig {
    let mut c = config();
    c.auth_mechanisms = vec![sasl::Mechanism::Plain, sasl::Mechanism::Login];
    c.auth.allow_plaintext = !requires_tls;
    c.auth.failure_delay = Duration::from_millis(50);
    c
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auth_plain_and_login() {
    let server = start(auth_config(false), None).await;
    for (mech, ir) in [
        ("PLAIN", "ir"),
        ("PLAIN", ""),
        ("LOGIN", "ir"),
        ("LOGIN", ""),
    ] {
        let out = client(
            server.port,
            &["auth", &format!("{mech}:alice:wonderland:{ir}:")],
        )
        .await;
        assert_eq!(
            out.get("advertised").as_str().map(str::trim),
            Some("PLAIN LOGIN"),
            "{out:?}"
        );
        assert_eq!(
            out.get("auth").index(0).as_i64(),
            Some(235),
            "{mech} {ir}: {out:?}"
        );
        assert!(
            out.get("auth")
                .index(1)
                .as_str()
                .is_some_and(|t| t.starts_with("2.7.0"))
        );
    }
    let out = client(server.port, &["auth", "PLAIN:alice:wrong:ir:"]).await;
    assert_eq!(out.get("auth").index(0).as_i64(), Some(535), "{out:?}");
    let received = messages(&server);
    assert_eq!(received.len(), 4);
    assert!(
        received.iter().all(|m| m.user.as_deref() == Some("alice")),
        "{received:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auth_only_after_starttls() {
    let certs = TestCerts::generate();
    let server = start(auth_config(true), Some(&certs)).await;
    let ca = certs.ca_file();
    let out = client(
        server.port,
        &[
            "auth",
            &format!("LOGIN:alice:wonderland::{}", ca.to_string_lossy()),
        ],
    )
    .await;
    assert_eq!(
        out.get("before").as_str(),
        Some(""),
        "no plaintext AUTH before TLS: {out:?}"
    );
    assert_eq!(
        out.get("advertised").as_str().map(str::trim),
        Some("PLAIN LOGIN"),
        "{out:?}"
    );
    assert_eq!(out.get("auth").index(0).as_i64(), Some(235), "{out:?}");
    assert_eq!(messages(&server).len(), 1);
}

/// RFC 3207 §4.2 / CVE-2011-0411 over a real socket: the injected EHLO and MAIL are dropped.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn starttls_drops_injected_commands() {
    let certs = TestCerts::generate();
    let server = start(config(), Some(&certs)).await;
    let out = client(
        server.port,
        &["starttls_injection", &certs.ca_file().to_string_lossy()],
    )
    .await;
    assert_eq!(
        out.get("starttls").index(0).as_str(),
        Some("220 2.0.0 ready to start TLS"),
        "{out:?}"
    );
    let after = out.get("after").index(0).as_str().unwrap_or_default();
    assert!(
        after.starts_with("503 5.5.1"),
        "RCPT after TLS must find no transaction: {out:?}"
    );
    assert!(
        out.get("quit")
            .index(0)
            .as_str()
            .is_some_and(|q| q.starts_with("221")),
        "{out:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_connection() {
    let server = start(config(), None).await;
    server
        .store
        .refuse
        .store(true, std::sync::atomic::Ordering::Relaxed);
    let out = client(server.port, &["refused_connection"]).await;
    assert_eq!(out.get("code").as_i64(), Some(554), "{out:?}");
    assert!(
        out.get("text")
            .as_str()
            .is_some_and(|t| t.contains("5.7.1 127.0.0.1 is not welcome")),
        "{out:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lmtp_with_python_lmtp_class() {
    let mut lmtp = config();
    lmtp.protocol = smtp_proto::session::server::Protocol::Lmtp;
    let server = start(lmtp, None).await;
    let out = client(server.port, &["lmtp"]).await;
    assert!(
        out.get("features")
            .as_strings()
            .contains(&"pipelining".to_owned()),
        "{out:?}"
    );
    let received = messages(&server);
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].to, ["lmtp@mx.test"]);
    assert_eq!(received[0].body, b"Subject: lmtp\r\n\r\nvia LHLO\r\n");
}

/// RFC 2033 §4.2 through the driver: one reply per accepted recipient, in RCPT order.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lmtp_per_recipient_replies() {
    let mut lmtp = config();
    lmtp.protocol = smtp_proto::session::server::Protocol::Lmtp;
    let server = start(lmtp, None).await;
    let mut tcp = TcpStream::connect(("127.0.0.1", server.port))
        .await
        .expect("connect");
    assert!(
        read_until(&mut tcp, "\r\n")
            .await
            .starts_with("220 mx.test LMTP")
    );
    tcp.write_all(b"LHLO client.test\r\nMAIL FROM:<a@client.test>\r\nRCPT TO:<pat@mx.test>\r\n")
        .await
        .expect("write");
    tcp.write_all(
        b"RCPT TO:<nobody@mx.test>\r\nRCPT TO:<full@mx.test>\r\nRCPT TO:<sam@mx.test>\r\nDATA\r\n",
    )
    .await
    .expect("write");
    assert!(read_until(&mut tcp, "354 ").await.contains("550 5.1.1"));
    tcp.write_all(b"hello\r\n.\r\nQUIT\r\n")
        .await
        .expect("write");
    let text = read_until(&mut tcp, "221 ").await;
    let codes: Vec<&str> = text
        .lines()
        .map(|l| l.get(..3).unwrap_or_default())
        .collect();
    assert_eq!(codes, ["250", "452", "250", "221"], "{text}");
    assert!(text.contains("452 4.2.2 mailbox full"), "{text}");
    assert_eq!(
        messages(&server)[0].to,
        ["pat@mx.test", "full@mx.test", "sam@mx.test"]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn implicit_tls() {
    let certs = TestCerts::generate();
    let server = start_server(
        Server::new(config())
            .with_tls(certs.server_config())
            .implicit_tls(true),
    )
    .await;
    let out = client(
        server.port,
        &["implicit", &certs.ca_file().to_string_lossy()],
    )
    .await;
    let features = out.get("features").as_strings();
    assert!(features.contains(&"pipelining".to_owned()), "{out:?}");
    assert!(!features.contains(&"starttls".to_owned()), "{out:?}");
    let received = messages(&server);
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].body, b"Subject: 465\r\n\r\nimplicit TLS\r\n");
}

/// Reads from `stream` until `needle` appears or 10 s pass; returns everything read.
async fn read_until(stream: &mut TcpStream, needle: &str) -> String {
    let mut text = Vec::new();
    let mut buf = [0u8; 1024];
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !String::from_utf8_lossy(&text).contains(needle) {
        match tokio::time::timeout_at(deadline, stream.read(&mut buf)).await {
            Ok(Ok(n)) if n > 0 => text.extend_from_slice(&buf[..n]),
            _ => break,
        }
    }
    String::from_utf8_lossy(&text).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn command_timeout_closes_with_421() {
    let server =
        Server::new(config()).timeouts(Duration::from_millis(200), Duration::from_millis(200));
    let server = start_server(server).await;
    let mut tcp = TcpStream::connect(("127.0.0.1", server.port))
        .await
        .expect("connect");
    assert!(
        read_until(&mut tcp, "\r\n")
            .await
            .starts_with("220 mx.test")
    );
    tcp.write_all(b"EHLO x\r\nDATA\r\n").await.expect("write");
    let text = read_until(&mut tcp, "421").await;
    assert!(
        text.contains("503 5.5.1") && text.contains("421 4.4.2"),
        "{text}"
    );
    let mut rest = Vec::new();
    let closed = tokio::time::timeout(Duration::from_secs(5), tcp.read_to_end(&mut rest)).await;
    assert!(matches!(closed, Ok(Ok(_))), "server closed the connection");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn graceful_shutdown_and_connection_limit() {
    let server = Server::new(config()).limits(
        Limits::default()
            .with_connections(1, 1)
            .with_grace(Duration::from_millis(300)),
    );
    let mut server = start_server(server).await;
    let mut first = TcpStream::connect(("127.0.0.1", server.port))
        .await
        .expect("connect");
    assert!(read_until(&mut first, "\r\n").await.starts_with("220 "));
    let mut second = TcpStream::connect(("127.0.0.1", server.port))
        .await
        .expect("connect");
    let busy = read_until(&mut second, "\r\n").await;
    assert!(busy.starts_with("421 4.7.0"), "{busy}");
    first
        .write_all(b"EHLO x\r\nMAIL FROM:<a@b>\r\n")
        .await
        .expect("write");
    assert!(
        read_until(&mut first, "250 2.1.0")
            .await
            .contains("250 2.1.0")
    );
    let started = tokio::time::Instant::now();
    server.shutdown().await;
    let text = read_until(&mut first, "421").await;
    assert!(text.contains("421 4.3.2"), "{text}");
    assert!(
        started.elapsed() >= Duration::from_millis(250),
        "grace period respected"
    );
    assert!(
        TcpStream::connect(("127.0.0.1", server.port))
            .await
            .is_err(),
        "listener closed"
    );
}

/// swaks (Debian package, installed by scripts/test-all): a plain send and a STARTTLS send. Both
/// halves must run: swaks's `--tls` needs the Perl modules Net::SSLeay and IO::Socket::SSL.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn swaks_smoke() {
    let swaks = testkit::peer::require("swaks");
    testkit::peer::require_perl_module("Net::SSLeay");
    testkit::peer::require_perl_module("IO::Socket::SSL");
    let certs = TestCerts::generate();
    let server = start(config(), Some(&certs)).await;
    for tls in [false, true] {
        let mut cmd = tokio::process::Command::new(&swaks);
        cmd.args([
            "--server",
            &format!("127.0.0.1:{}", server.port),
            "--from",
            "a@client.test",
        ])
        .args([
            "--to",
            "swaks@mx.test",
            "--helo",
            "client.test",
            "--body",
            "swaks body",
        ])
        .kill_on_drop(true);
        if tls {
            cmd.arg("--tls");
        }
        let out = tokio::time::timeout(Duration::from_secs(30), cmd.output())
            .await
            .expect("swaks in time")
            .expect("run swaks");
        let text = String::from_utf8_lossy(&out.stdout);
        let errors = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "swaks (tls: {tls}): {text}\n{errors}");
        assert!(text.contains("250 2.0.0"), "{text}");
        if tls {
            assert!(text.contains("220 2.0.0 ready to start TLS"), "{text}");
        }
    }
    let received = messages(&server);
    assert_eq!(received.len(), 2, "one message per swaks run");
    assert!(
        received
            .iter()
            .all(|m| String::from_utf8_lossy(&m.body).contains("swaks body"))
    );
}
