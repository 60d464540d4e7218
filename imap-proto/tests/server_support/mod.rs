//! An IMAP server of the test's own on 127.0.0.1: [`testkit::server::TestServer`] (a Maildir in
//! a temporary directory, users in a `sasl::MemoryStore`, optional TLS) running our [`Server`].
//! Shared by the `server_*` integration tests (included with `mod server_support;`).

#![allow(dead_code)]

use std::ops::{Deref, DerefMut};
use std::time::Duration;

use imap_proto::server::session::ServerConfig;
use imap_proto::server::{Limits, Server};
use testkit::server::Launch;

#[allow(unused_imports)] // not every test uses them
pub use testkit::server::{USERS, hex};

/// How a test server is set up.
pub type Options = testkit::server::Options<ServerConfig, Server>;

/// A running IMAP server: a [`testkit::server::TestServer`] (its fields and store helpers) whose
/// launch is ours.
pub struct TestServer(testkit::server::TestServer);

impl Deref for TestServer {
    type Target = testkit::server::TestServer;

    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl DerefMut for TestServer {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.0
    }
}

impl TestServer {
    /// Starts a server with `options`.
    pub async fn start(options: Options) -> TestServer {
        let tls = options.tls;
        Self(testkit::server::TestServer::start(tls, |l| launch(options, l)).await)
    }

    /// Runs a Python script with `port` (and `ca`, the test CA file, when TLS is on) defined and
    /// `imaplib`, `ssl`, `sys`, `zlib`, `socket`, `time` imported; asserts it succeeded and
    /// returns its stdout.
    pub async fn python(&self, script: &str) -> String {
        let out = self.python_run(script).await;
        out.assert_success();
        out.stdout
    }

    /// As [`TestServer::python`], without asserting success.
    pub async fn python_run(&self, script: &str) -> testkit::Output {
        self.0
            .python(&format!(
                "import imaplib, ssl, zlib, socket, time\n{script}"
            ))
            .timeout(Duration::from_secs(40))
            .run()
            .await
    }

    /// Stops the server gracefully and waits for it.
    pub async fn stop(self) {
        self.0.stop().await;
    }
}

/// Our server, configured by `options`, serving what `launch` gives it.
fn launch(
    options: Options,
    launch: Launch<'_>,
) -> impl Future<Output = std::io::Result<()>> + Send + use<> {
    let mut config = ServerConfig::new("imap.test");
    config.auth.allow_plaintext = options.allow_plaintext;
    config.auth.failure_delay = Duration::from_millis(50);
    (options.config)(&mut config);
    let mut server =
        Server::new(config).limits(Limits::default().with_grace(Duration::from_secs(2)));
    if let Some(certs) = launch.certs {
        server = server
            .with_tls(certs.server_config())
            .implicit_tls(options.implicit_tls);
    }
    let server = (options.server)(server);
    let Launch {
        listener,
        store,
        credentials,
        shutdown,
        ..
    } = launch;
    async move { server.serve(listener, store, credentials, shutdown).await }
}

/// A test message of about `size` octets with CRLF line endings and a `Message-ID`.
pub fn message(n: usize, size: usize) -> Vec<u8> {
    let mut m = format!(
        "From: sender{n}@example.org\r\nTo: alice@imap.test\r\nSubject: message {n}\r\nDate: Mon, 7 Feb 1994 21:52:25 -0800\r\nMessage-ID: <{n}@example.org>\r\n\r\n"
    )
    .into_bytes();
    let mut line = 0;
    while m.len() < size {
        m.extend_from_slice(
            format!("line {line} of message {n}: the quick brown fox jumps over the lazy dog\r\n")
                .as_bytes(),
        );
        line += 1;
    }
    m
}
