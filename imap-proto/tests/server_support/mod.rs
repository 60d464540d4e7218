//! An IMAP server of the test's own on 127.0.0.1: a Maildir in a temporary directory, users in a
//! `sasl::MemoryStore`, optional TLS from `testkit::TestCerts`. Shared by the `server_*`
//! integration tests (included with `mod server_support;`).

#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use imap_proto::server::session::ServerConfig;
use imap_proto::server::{Limits, Server};
use mailstore::maildir::MaildirStore;
use mailstore::{Account, AppendOptions, MailStore, MessageMeta, MessageSource, UidSet};
use testkit::{Python, TestCerts};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// Users every test server knows: `(name, password)`.
pub const USERS: &[(&str, &str)] = &[("alice", "wonderland"), ("bob", "builder")];

/// How a test server is set up.
pub struct Options {
    /// Offer STARTTLS (and use TLS for implicit-TLS servers).
    pub tls: bool,
    /// TLS from the first byte (port 993 style).
    pub implicit_tls: bool,
    /// Allow LOGIN and PLAIN without TLS.
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

    async fn start_at(
        options: Options,
        root: PathBuf,
        dir: Option<tempfile::TempDir>,
    ) -> TestServer {
        let store = Arc::new(MaildirStore::new(&root));
        let users = sasl::MemoryStore::new().with_iterations(64);
        for (user, password) in USERS {
            users.add_user(user, password);
        }
        let mut config = ServerConfig::new("imap.test");
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

    /// Delivers `message` into `user`'s `mailbox`; returns its UID.
    pub async fn deliver_to(&self, user: &str, mailbox: &str, message: &[u8]) -> u32 {
        self.account(user)
            .await
            .append(
                mailbox,
                MessageSource::Bytes(message.to_vec().into()),
                AppendOptions::default(),
            )
            .await
            .expect("append")
    }

    /// Delivers `message` into `user`'s INBOX; returns its UID.
    pub async fn deliver(&self, user: &str, message: &[u8]) -> u32 {
        self.deliver_to(user, "INBOX", message).await
    }

    /// The messages of `user`'s `mailbox`, in UID order (empty if it does not exist).
    pub async fn messages(&self, user: &str, mailbox: &str) -> Vec<MessageMeta> {
        self.account(user)
            .await
            .messages(mailbox, &UidSet::all())
            .await
            .unwrap_or_default()
    }

    /// The UIDVALIDITY of `user`'s `mailbox`.
    pub async fn uid_validity(&self, user: &str, mailbox: &str) -> u32 {
        self.account(user)
            .await
            .status(mailbox)
            .await
            .expect("status")
            .uid_validity
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
        let ca = self
            .certs
            .as_ref()
            .map(|c| c.ca_file().display().to_string())
            .unwrap_or_default();
        Python::script(format!(
            "import imaplib, ssl, sys, zlib, socket, time\nport = int(sys.argv[1])\nca = sys.argv[2]\n{script}"
        ))
        .arg(self.addr.port().to_string())
        .arg(ca)
        .timeout(Duration::from_secs(40))
        .run()
        .await
    }

    /// Stops the server gracefully and waits for it.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let result = tokio::time::timeout(Duration::from_secs(15), task).await;
            assert!(
                matches!(result, Ok(Ok(Ok(())))),
                "server did not stop: {result:?}"
            );
        }
    }
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

/// The octets as lowercase hex (for comparing bytes printed by a Python script).
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
