//! A mail server of the test's own on 127.0.0.1, whatever its protocol: a Maildir in a temporary
//! directory, the [`USERS`] in a `sasl::MemoryStore`, optional TLS from [`TestCerts`], a listener
//! on `127.0.0.1:0` and a graceful shutdown on [`TestServer::stop`]. The protocol crate's test
//! support module says how to start its server on these (a launch closure given a [`Launch`]);
//! everything else (seeding messages, reading the store back, stopping) lives here once.
//!
//! ```no_run
//! # async fn demo() {
//! use testkit::server::{Launch, TestServer};
//! let server = TestServer::start(false, |launch| {
//!     // A real support module builds its server here (TLS from `launch.certs`) and returns
//!     // `server.serve(listener, store, credentials, shutdown)`.
//!     let Launch { listener, shutdown, .. } = launch;
//!     async move {
//!         drop(listener);
//!         shutdown.await;
//!         Ok(())
//!     }
//! })
//! .await;
//! server.deliver("alice", b"Subject: hi\r\n\r\nhello\r\n").await;
//! server.stop().await;
//! # }
//! ```

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use mailstore::maildir::MaildirStore;
use mailstore::{Account, AppendOptions, MailStore, MessageMeta, MessageSource, UidSet};
use sasl::CredentialStore;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::{Python, TestCerts};

/// Users every test server knows: `(name, password)`; the password is also the user's shared
/// secret (for APOP and CRAM-MD5).
pub const USERS: &[(&str, &str)] = &[("alice", "wonderland"), ("bob", "builder")];

/// How long [`TestServer::stop`] waits for the server's graceful shutdown.
const STOP_TIMEOUT: Duration = Duration::from_secs(15);

/// How a test server is set up; `C` is the protocol's session configuration and `S` its server
/// type (the support module of a protocol crate names `Options<ServerConfig, Server>`).
pub struct Options<C, S> {
    /// Offer the protocol's STARTTLS (and use TLS for implicit-TLS servers).
    pub tls: bool,
    /// TLS from the first byte (ports 993, 995 style).
    pub implicit_tls: bool,
    /// Allow plaintext passwords without TLS.
    pub allow_plaintext: bool,
    /// Tweak the session configuration.
    pub config: fn(&mut C),
    /// Tweak the server.
    pub server: fn(S) -> S,
}

impl<C, S> Default for Options<C, S> {
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

/// What a launch closure gets to start its server with: it hands all of it to the server's
/// `serve` (or equivalent) and returns that future.
pub struct Launch<'a> {
    /// Bound to `127.0.0.1:0`.
    pub listener: TcpListener,
    /// The Maildir store in the test's temporary directory.
    pub store: Arc<MaildirStore>,
    /// The [`USERS`].
    pub credentials: Arc<dyn CredentialStore>,
    /// The certificates when TLS is on.
    pub certs: Option<&'a TestCerts>,
    /// Resolves when the test asks the server to stop.
    pub shutdown: Shutdown,
}

/// The shutdown signal of a [`TestServer`]: a future that resolves when the test stops the
/// server (or drops it).
pub struct Shutdown(oneshot::Receiver<()>);

impl Future for Shutdown {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        Pin::new(&mut self.0).poll(cx).map(|_| ())
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
    task: JoinHandle<io::Result<()>>,
}

impl TestServer {
    /// Starts a server over a Maildir in a fresh temporary directory; `launch` starts the
    /// protocol's server on what it is given.
    pub async fn start<L, F>(tls: bool, launch: L) -> TestServer
    where
        L: FnOnce(Launch<'_>) -> F,
        F: Future<Output = io::Result<()>> + Send + 'static,
    {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path().join("mail");
        Self::start_at(root, Some(dir), tls, launch).await
    }

    /// As [`TestServer::start`], with the Maildir in a temporary directory under `parent` (e.g. a
    /// tmpfs, for a test that writes tens of thousands of files).
    pub async fn start_in<L, F>(parent: &Path, tls: bool, launch: L) -> TestServer
    where
        L: FnOnce(Launch<'_>) -> F,
        F: Future<Output = io::Result<()>> + Send + 'static,
    {
        let dir = tempfile::tempdir_in(parent).expect("tempdir");
        let root = dir.path().join("mail");
        Self::start_at(root, Some(dir), tls, launch).await
    }

    /// Starts a second server (another process, as far as the store can tell: its own
    /// `MaildirStore` value) over this server's Maildir.
    pub async fn second<L, F>(&self, tls: bool, launch: L) -> TestServer
    where
        L: FnOnce(Launch<'_>) -> F,
        F: Future<Output = io::Result<()>> + Send + 'static,
    {
        Self::start_at(self.root.clone(), None, tls, launch).await
    }

    async fn start_at<L, F>(
        root: PathBuf,
        dir: Option<tempfile::TempDir>,
        tls: bool,
        launch: L,
    ) -> TestServer
    where
        L: FnOnce(Launch<'_>) -> F,
        F: Future<Output = io::Result<()>> + Send + 'static,
    {
        let store = Arc::new(MaildirStore::new(&root));
        let users = sasl::MemoryStore::new().with_iterations(64);
        for (user, password) in USERS {
            users.add_user(user, password);
            users.set_shared_secret(user, password);
        }
        let certs = tls.then(TestCerts::generate);
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let (stop, stopped) = oneshot::channel::<()>();
        let serving = launch(Launch {
            listener,
            store: store.clone(),
            credentials: Arc::new(users),
            certs: certs.as_ref(),
            shutdown: Shutdown(stopped),
        });
        let task = tokio::spawn(serving);
        TestServer {
            addr,
            root,
            store,
            certs,
            _dir: dir,
            stop: Some(stop),
            task,
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

    /// The unique-ids (POP3 UIDL values) of `user`'s INBOX, in UID order.
    pub async fn unique_ids(&self, user: &str) -> Vec<String> {
        self.messages(user, "INBOX")
            .await
            .into_iter()
            .map(|m| m.unique_id)
            .collect()
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

    /// A Python peer of this server: `script` runs with `sys` imported, `port` (this server's)
    /// and `ca` (the test CA file when TLS is on, else "") defined.
    pub fn python(&self, script: &str) -> Python {
        let ca = self
            .certs
            .as_ref()
            .map(|c| c.ca_file().display().to_string())
            .unwrap_or_default();
        Python::script(format!(
            "import sys\nport = int(sys.argv[1])\nca = sys.argv[2]\n{script}"
        ))
        .arg(self.addr.port().to_string())
        .arg(ca)
    }

    /// Starts the graceful shutdown without waiting for it (see [`TestServer::task`]).
    pub fn begin_shutdown(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }

    /// The task running the server's launch future, for a test that awaits it itself.
    pub fn task(&mut self) -> &mut JoinHandle<io::Result<()>> {
        &mut self.task
    }

    /// Stops the server gracefully and asserts it returned `Ok` within 15 seconds.
    pub async fn stop(mut self) {
        self.begin_shutdown();
        let result = tokio::time::timeout(STOP_TIMEOUT, self.task).await;
        assert!(
            matches!(result, Ok(Ok(Ok(())))),
            "server did not stop: {result:?}"
        );
    }
}

/// The octets as lowercase hex (for comparing bytes printed by a Python script).
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    use super::*;

    /// A launch whose "server" greets each connection with a line until shutdown.
    fn greeter(launch: Launch<'_>) -> impl Future<Output = io::Result<()>> + Send + use<> {
        let tls = launch.certs.is_some();
        let Launch {
            listener,
            mut shutdown,
            ..
        } = launch;
        async move {
            loop {
                tokio::select! {
                    accepted = listener.accept() => {
                        let (mut tcp, _) = accepted?;
                        tcp.write_all(format!("hello tls={tls}\r\n").as_bytes()).await?;
                    }
                    () = &mut shutdown => return Ok(()),
                }
            }
        }
    }

    #[tokio::test]
    async fn serves_seeds_reads_back_and_stops() {
        let server = TestServer::start(true, greeter).await;
        assert!(server.certs.is_some());
        let mut tcp = tokio::net::TcpStream::connect(server.addr)
            .await
            .expect("connect");
        let mut greeting = String::new();
        tcp.read_to_string(&mut greeting).await.expect("read");
        assert_eq!(greeting, "hello tls=true\r\n");

        let first = server.deliver("alice", b"Subject: 1\r\n\r\none\r\n").await;
        let second = server
            .deliver_to("alice", "INBOX", b"Subject: 2\r\n\r\ntwo\r\n")
            .await;
        assert!(second > first);
        let messages = server.messages("alice", "INBOX").await;
        assert_eq!(
            messages.iter().map(|m| m.uid).collect::<Vec<_>>(),
            [first, second]
        );
        assert_eq!(server.unique_ids("alice").await.len(), 2);
        assert!(server.messages("bob", "INBOX").await.is_empty());

        let again = server.second(false, greeter).await;
        assert_eq!(again.root, server.root);
        assert!(again.certs.is_none());
        assert_eq!(again.messages("alice", "INBOX").await.len(), 2);
        again.stop().await;
        server.stop().await;
    }

    #[test]
    fn hex_is_lowercase_pairs() {
        assert_eq!(hex(&[0x00, 0xab, 0x7f]), "00ab7f");
    }
}
