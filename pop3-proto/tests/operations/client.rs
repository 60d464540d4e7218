//! A small async POP3 client of the tests' own, built on the crate's codec
//! (`Command::to_bytes`, `parse_response`, `MultilineDecoder`), and a raw server harness for the
//! tests that must control the server's shutdown and outlive it. Every wait has a time-out.

use std::borrow::Cow;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::ops::{Deref, DerefMut};
use std::time::Duration;

use pop3_proto::multiline::MultilineDecoder;
use pop3_proto::parse::response::{ResponseError, parse_response};
use pop3_proto::server::Server;
use pop3_proto::session::ServerConfig;
use pop3_proto::types::command::Command;
use pop3_proto::types::listing::MsgNum;
use pop3_proto::types::response::{Response, ResponseCode, Status, StatusLine};
use sasl::Secret;
use testkit::server::Launch;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

/// The longest any single wait of a test may take.
pub const WAIT: Duration = Duration::from_secs(10);

/// Awaits `future` for at most [`WAIT`]; panics naming `what` when it takes longer.
pub async fn within<T>(what: &str, future: impl Future<Output = T>) -> T {
    match tokio::time::timeout(WAIT, future).await {
        Ok(value) => value,
        Err(_) => panic!("timed out after {WAIT:?} waiting for {what}"),
    }
}

/// Message number `n` (1-based); panics on 0 (a test bug).
pub fn msg(n: u32) -> MsgNum {
    MsgNum::new(n).expect("message numbers start at 1")
}

/// One POP3 connection: a socket and the bytes read but not consumed yet.
pub struct Client {
    stream: TcpStream,
    buf: Vec<u8>,
    /// The greeting line.
    pub greeting: StatusLine<'static>,
}

impl Client {
    /// Connects to `addr` and reads the first line (the greeting, or a refusal).
    pub async fn connect(addr: SocketAddr) -> Client {
        let stream = within("connect", TcpStream::connect(addr))
            .await
            .expect("connect");
        Client::start(stream).await
    }

    /// Connects from the local address `from` (e.g. 127.0.0.2) to `addr`.
    pub async fn connect_from(from: IpAddr, addr: SocketAddr) -> Client {
        let socket = TcpSocket::new_v4().expect("socket");
        socket.bind(SocketAddr::new(from, 0)).expect("bind source");
        let stream = within("connect", socket.connect(addr))
            .await
            .expect("connect");
        Client::start(stream).await
    }

    async fn start(stream: TcpStream) -> Client {
        let _ = stream.set_nodelay(true);
        let mut client = Client {
            stream,
            buf: Vec::new(),
            greeting: StatusLine::ok(""),
        };
        client.greeting = client.status().await;
        client
    }

    /// The client's own address, as the server sees its peer.
    pub fn local_addr(&self) -> SocketAddr {
        self.stream.local_addr().expect("local addr")
    }

    /// Reads more bytes into the buffer; returns how many (0 at EOF).
    async fn fill(&mut self) -> usize {
        self.buf.reserve(64 * 1024);
        within("the server", self.stream.read_buf(&mut self.buf))
            .await
            .expect("read")
    }

    /// Writes raw bytes.
    pub async fn send_raw(&mut self, bytes: &[u8]) {
        within("a write", self.stream.write_all(bytes))
            .await
            .expect("write");
    }

    /// Writes one command.
    pub async fn send(&mut self, command: &Command<'_>) {
        self.send_raw(&command.to_bytes()).await;
    }

    /// Reads one response line (status or SASL continuation).
    pub async fn response(&mut self) -> Response<'static> {
        loop {
            match parse_response(&self.buf) {
                Ok((response, used)) => {
                    let response = response.into_owned();
                    self.buf.drain(..used);
                    return response;
                }
                Err(ResponseError::Incomplete) => {
                    if self.fill().await == 0 {
                        panic!("EOF before a response line; left: {:?}", self.left());
                    }
                }
                Err(e) => panic!("bad response line ({e}): {:?}", self.left()),
            }
        }
    }

    /// Reads one status line; panics on a continuation.
    pub async fn status(&mut self) -> StatusLine<'static> {
        match self.response().await {
            Response::Status(line) => line,
            Response::Continuation(c) => panic!("continuation {c:?} where a status was due"),
        }
    }

    /// Reads a multi-line body (after its `+OK`), giving the un-stuffed octets to `sink`;
    /// returns the body's length.
    pub async fn body_with(&mut self, mut sink: impl FnMut(&[u8])) -> u64 {
        let mut decoder = MultilineDecoder::new();
        loop {
            let done = decoder.decode_with(&self.buf, &mut sink);
            self.buf.drain(..done.consumed);
            if done.finished {
                return decoder.body_len();
            }
            if self.fill().await == 0 {
                panic!("EOF inside a multi-line response");
            }
        }
    }

    /// Reads a multi-line body (after its `+OK`) into memory.
    pub async fn body(&mut self) -> Vec<u8> {
        let mut out = Vec::new();
        self.body_with(|s| out.extend_from_slice(s)).await;
        out
    }

    /// Sends `command` and reads its status line.
    pub async fn cmd(&mut self, command: &Command<'_>) -> StatusLine<'static> {
        self.send(command).await;
        self.status().await
    }

    /// Sends a command with a multi-line answer; returns the status and, on `+OK`, the body.
    pub async fn multi(&mut self, command: &Command<'_>) -> (StatusLine<'static>, Vec<u8>) {
        let status = self.cmd(command).await;
        let body = if status.is_ok() {
            self.body().await
        } else {
            Vec::new()
        };
        (status, body)
    }

    /// `USER` + `PASS`; returns the answer to `PASS`.
    pub async fn login(&mut self, user: &str, password: &str) -> StatusLine<'static> {
        let ok = self.cmd(&Command::User(Cow::Borrowed(user))).await;
        assert!(ok.is_ok(), "USER {user}: {ok:?}");
        self.cmd(&Command::Pass(Secret::new(Cow::Borrowed(password))))
            .await
    }

    /// Logs in and asserts success.
    pub async fn login_ok(&mut self, user: &str, password: &str) {
        let answer = self.login(user, password).await;
        assert!(answer.is_ok(), "login as {user}: {answer:?}");
    }

    /// The socket, for tests that go on below POP3 (unread bytes are dropped).
    pub fn into_stream(self) -> TcpStream {
        self.stream
    }

    /// Reads the next bytes that come, whatever they are; returns how many.
    pub async fn read_some(&mut self) -> usize {
        let n = self.fill().await;
        self.buf.clear();
        n
    }

    /// Waits for the server to close the connection; panics on any further byte.
    pub async fn expect_eof(&mut self) {
        assert!(self.buf.is_empty(), "unread bytes: {:?}", self.left());
        let n = self.fill().await;
        assert_eq!(n, 0, "bytes after the last response: {:?}", self.left());
    }

    fn left(&self) -> String {
        String::from_utf8_lossy(&self.buf).into_owned()
    }
}

/// Asserts `line` is `-ERR` with the response code `code`.
pub fn assert_err(line: &StatusLine<'_>, code: Option<ResponseCode<'_>>) {
    assert_eq!(line.status, Status::Err, "{line:?}");
    assert_eq!(line.code, code, "{line:?}");
}

/// A server the test controls fully: its store outlives it, and it stops when told
/// ([`testkit::server::TestServer::begin_shutdown`], then await
/// [`testkit::server::TestServer::task`]).
pub struct RawServer(testkit::server::TestServer);

impl Deref for RawServer {
    type Target = testkit::server::TestServer;

    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl DerefMut for RawServer {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.0
    }
}

impl RawServer {
    /// Starts `server` (built from a plaintext-allowing config named `pop.test`) on 127.0.0.1
    /// with the users alice/wonderland and bob/builder.
    pub async fn start(tweak: impl FnOnce(Server) -> Server) -> RawServer {
        let server = testkit::server::TestServer::start(false, |launch| {
            let mut config = ServerConfig::new("pop.test");
            config.auth.allow_plaintext = true;
            config.auth.failure_delay = Duration::from_millis(50);
            let server = tweak(Server::new(config));
            let Launch {
                listener,
                store,
                credentials,
                shutdown,
                ..
            } = launch;
            async move { server.serve(listener, store, credentials, shutdown).await }
        });
        RawServer(server.await)
    }
}
