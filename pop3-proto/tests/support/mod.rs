//! A POP3 server of the test's own on 127.0.0.1: a Maildir in a temporary directory, users in a
//! `sasl::MemoryStore`, optional TLS from `testkit::TestCerts`. Shared by the integration tests
//! (included with `mod support;`).

#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use mailstore::maildir::MaildirStore;
use mailstore::{Account, AppendOptions, MailStore, MessageSource, UidSet};
use pop3_proto::server::{Limits, Server};
use pop3_proto::session::ServerConfig;
use testkit::TestCerts;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// Users every test server knows: `(name, password)`.
pub const USERS: &[(&str, &str)] = &[("alice", "wonderland"), ("bob", "builder")];

/// How a test server is set up.
pub struct Options {
    /// Offer STLS (and use TLS for implicit-TLS servers).
    pub tls: bool,
    /// TLS from the first byte (port 995 style).
    pub implicit_tls: bool,
    /// Allow USER/PASS without TLS.
    pub allow_plaintext: bool,
    /// Tweak the session configuration.
    pub config: fn(&mut ServerConfig),
    /// Tweak the server.
    pub server: fn(Server) -> Server,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            tls: false,
            implicit_tls: false,
            allow_plaintext: true,
            config: |_| {},
            server: |s| s,
        }
    }
}

/// A running server; shut down (gracefully) on [`TestServer::stop`] or dropped with the runtime.
pub struct TestServer {
    /// Where it listens.
    pub addr: SocketAddr,
    /// The Maildir root (`ROOT/<user>/...`).
    pub root: PathBuf,
    /// The store the server reads, for checks.
    pub store: Arc<MaildirStore>,
    /// Certificates when TLS is on.
    pub certs: Option<TestCerts>,
    _dir: Option<tempfile::TempDir>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
}

impl TestServer {
    /// Starts a server with `options`.
    pub async fn start(options: Options) -> TestServer {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path().join("mail");
        Self::start_at(options, root, Some(dir)).await
    }

    /// Starts a server whose Maildir lies in a temporary directory under `parent` (e.g. a
    /// tmpfs, for a test that writes tens of thousands of files).
    pub async fn start_in(options: Options, parent: &std::path::Path) -> TestServer {
        let dir = tempfile::tempdir_in(parent).expect("tempdir");
        let root = dir.path().join("mail");
        Self::start_at(options, root, Some(dir)).await
    }

    /// Starts a second server (another process, as far as the store can tell: its own
    /// `MaildirStore` value and maildrop registry) over this server's Maildir.
    pub async fn second(&self, options: Options) -> TestServer {
        Self::start_at(options, self.root.clone(), None).await
    }

    async fn start_at(
        options: Options,
        root: PathBuf,
        dir: Option<tempfile::TempDir>,
    ) -> TestServer {
        let store = Arc::new(MaildirStore::new(&root));
        let users = sasl::MemoryStore::new().with_iterations(64);
        for (user, password) in USERS {
            users.add_user(user, password);
            users.set_shared_secret(user, password);
        }
        let mut config = ServerConfig::new("pop.test");
        config.auth.allow_plaintext = options.allow_plaintext;
        config.auth.failure_delay = Duration::from_millis(50);
        (options.config)(&mut config);
        let mut server =
            Server::new(config).limits(Limits::default().with_grace(Duration::from_secs(2)));
        let certs = options.tls.then(TestCerts::generate);
        if let Some(certs) = &certs {
            server = server
                .with_tls(certs.server_config())
                .implicit_tls(options.implicit_tls);
        }
        let server = (options.server)(server);
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn({
            let store = store.clone();
            async move {
                server
                    .serve(listener, store, Arc::new(users), async {
                        let _ = stopped.await;
                    })
                    .await
            }
        });
        TestServer {
            addr,
            root,
            store,
            certs,
            _dir: dir,
            stop: Some(stop),
            task: Some(task),
        }
    }

    /// The account of `user`.
    pub async fn account(&self, user: &str) -> Arc<dyn Account> {
        self.store.account(user).await.expect("account")
    }

    /// Delivers `message` into `user`'s INBOX; returns its UID.
    pub async fn deliver(&self, user: &str, message: &[u8]) -> u32 {
        self.account(user)
            .await
            .append(
                "INBOX",
                MessageSource::Bytes(message.to_vec().into()),
                AppendOptions::default(),
            )
            .await
            .expect("append")
    }

    /// The unique-ids (POP3 UIDL values) of `user`'s INBOX, in UID order.
    pub async fn unique_ids(&self, user: &str) -> Vec<String> {
        self.account(user)
            .await
            .messages("INBOX", &UidSet::all())
            .await
            .map(|ms| ms.into_iter().map(|m| m.unique_id).collect())
            .unwrap_or_default()
    }

    /// Stops the server gracefully and waits for it.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let result = tokio::time::timeout(Duration::from_secs(10), task).await;
            assert!(
                matches!(result, Ok(Ok(Ok(())))),
                "server did not stop: {result:?}"
            );
        }
    }
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
