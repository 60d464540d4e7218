//! A POP3 server of the test's own on 127.0.0.1: [`testkit::server::TestServer`] (a Maildir in a
//! temporary directory, users in a `sasl::MemoryStore`, optional TLS) running our
//! [`Server`]. Shared by the integration tests (included with `mod support;`).

#![allow(dead_code)]

use std::ops::{Deref, DerefMut};
use std::path::Path;
use std::time::Duration;

use pop3_proto::server::{Limits, Server};
use pop3_proto::session::ServerConfig;
use testkit::server::Launch;

#[allow(unused_imports)] // not every test uses them
pub use testkit::server::USERS;

/// How a test server is set up.
pub type Options = testkit::server::Options<ServerConfig, Server>;

/// A running POP3 server: a [`testkit::server::TestServer`] (its fields and store helpers) whose
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

    /// Starts a server whose Maildir lies in a temporary directory under `parent` (e.g. a
    /// tmpfs, for a test that writes tens of thousands of files).
    pub async fn start_in(options: Options, parent: &Path) -> TestServer {
        let tls = options.tls;
        Self(testkit::server::TestServer::start_in(parent, tls, |l| launch(options, l)).await)
    }

    /// Starts a second server (another process, as far as the store can tell: its own
    /// `MaildirStore` value and maildrop registry) over this server's Maildir.
    pub async fn second(&self, options: Options) -> TestServer {
        let tls = options.tls;
        Self(self.0.second(tls, |l| launch(options, l)).await)
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
    let mut config = ServerConfig::new("pop.test");
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

/// A test message of about `size` octets with CRLF line endings, a `Message-ID` and some lines
/// that start with a dot.
pub fn message(n: usize, size: usize) -> Vec<u8> {
    let mut m = format!(
        "From: sender{n}@example.org\r\nTo: alice@pop.test\r\nSubject: message {n}\r\nMessage-ID: <{n}@example.org>\r\n\r\n"
    )
    .into_bytes();
    let mut line = 0;
    while m.len() < size {
        let text = if line % 7 == 3 {
            format!(".line {line} of message {n} starts with a dot\r\n")
        } else {
            format!("line {line} of message {n}: the quick brown fox jumps over the lazy dog\r\n")
        };
        m.extend_from_slice(text.as_bytes());
        line += 1;
    }
    m
}
