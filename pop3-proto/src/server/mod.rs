//! Tokio POP3 server over [`mailstore`] (cargo feature `server`): listener, `STLS` (RFC 2595)
//! and implicit TLS (RFC 8314, port 995) with tokio-rustls, authentication through
//! [`sasl::CredentialStore`] (password checks on the blocking pool), maildrop locking, time-outs on
//! every read, write and handshake, connection limits ([`mail_net::Limits`]), a delay after failed
//! logins ([`sasl::AuthPolicy`], in [`ServerConfig::auth`]), graceful shutdown that always
//! finishes, and one `tracing` line per session.
//!
//! The protocol lives in [`crate::session::ServerSession`]; this module moves bytes and asks
//! the two seams: the [`sasl::CredentialStore`] (who may log in) and the [`mailstore::MailStore`]
//! (where the mail is). The maildrop is the user's `INBOX`; a message's `UIDL` is its mailstore
//! `unique_id`, the same for the IMAP server.
//!
//! ```no_run
//! use std::sync::Arc;
//! use pop3_proto::server::Server;
//! use pop3_proto::session::ServerConfig;
//!
//! # async fn run() -> std::io::Result<()> {
//! let store = Arc::new(mailstore::maildir::MaildirStore::new("/var/mail"));
//! let users = Arc::new(sasl::MemoryStore::new().with_user("alice", "secret"));
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:1110").await?;
//! let server = Server::new(ServerConfig::new("pop.example.org"));
//! server.serve(listener, store, users, std::future::pending()).await
//! # }
//! ```

mod conn;
mod limits;

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use mailstore::MailStore;
use sasl::CredentialStore;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio_rustls::TlsAcceptor;

use crate::session::{ServerConfig, ServerSession, SessionError};
use crate::types::response::{ResponseCode, StatusLine};
use limits::MaildropLocks;
use mail_net::BlockingCredentials;
/// The connection limits and shutdown deadlines, shared by every server of the family.
pub use mail_net::Limits;

/// What can end a connection abnormally.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DriverError {
    /// Reading or writing the socket failed (the peer is gone, or the network).
    #[error("I/O error: {0}")]
    Io(#[from] io::Error),
    /// The TLS handshake failed (the peer's TLS, or our certificate).
    #[error("TLS handshake failed: {0}")]
    Tls(io::Error),
    /// The session machine refused a call: a bug in the driver.
    #[error("session error: {0}")]
    Session(#[from] SessionError),
    /// Implicit TLS or STLS without [`Server::with_tls`]: a configuration error.
    #[error("TLS requested but the server has no TLS configuration")]
    NoTlsConfig,
}

/// What every connection of a server shares.
pub(crate) struct Shared {
    pub(crate) store: Arc<dyn MailStore>,
    /// The application's store; password checks run on the blocking pool.
    pub(crate) credentials: BlockingCredentials,
    pub(crate) acceptor: Option<TlsAcceptor>,
    pub(crate) locks: Arc<MaildropLocks>,
    pub(crate) idle_timeout: Duration,
    pub(crate) write_timeout: Duration,
    pub(crate) failure_delay: Duration,
    pub(crate) mailbox: String,
}

/// A tokio POP3 server: a [`ServerConfig`] plus TLS, time-outs and limits.
#[derive(Clone)]
pub struct Server {
    config: Arc<ServerConfig>,
    acceptor: Option<TlsAcceptor>,
    implicit_tls: bool,
    idle_timeout: Duration,
    write_timeout: Duration,
    limits: mail_net::Limits,
    mailbox: String,
    locks: Arc<MaildropLocks>,
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server")
            .field("config", &self.config)
            .field("tls", &self.acceptor.is_some())
            .field("implicit_tls", &self.implicit_tls)
            .field("idle_timeout", &self.idle_timeout)
            .field("write_timeout", &self.write_timeout)
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

impl Server {
    /// A server with RFC 1939 §3's ten-minute autologout, one minute per write, the default
    /// [`mail_net::Limits`] (1000 connections, 50 per address), serving each user's `INBOX`.
    pub fn new(config: ServerConfig) -> Self {
        Self {
            config: Arc::new(config),
            acceptor: None,
            implicit_tls: false,
            idle_timeout: Duration::from_secs(600),
            write_timeout: Duration::from_secs(60),
            limits: mail_net::Limits::default(),
            mailbox: String::from("INBOX"),
            locks: Arc::default(),
        }
    }

    /// Offers `STLS` (RFC 2595) with this TLS configuration.
    pub fn with_tls(mut self, tls: Arc<rustls::ServerConfig>) -> Self {
        self.acceptor = Some(TlsAcceptor::from(tls));
        Arc::make_mut(&mut self.config).stls = true;
        self
    }

    /// Connections are TLS from the first byte (RFC 8314, port 995); needs [`Server::with_tls`].
    pub fn implicit_tls(mut self, on: bool) -> Self {
        self.implicit_tls = on;
        self
    }

    /// How long a client may stay silent (RFC 1939 §3 autologout: at least 10 minutes), and
    /// how long its TLS handshake may take.
    pub fn idle_timeout(mut self, timeout: Duration) -> Self {
        self.idle_timeout = timeout;
        self
    }

    /// How long one write of responses (and its flush) may take; a client that does not read
    /// for that long is dropped. Default one minute.
    pub fn write_timeout(mut self, timeout: Duration) -> Self {
        self.write_timeout = timeout;
        self
    }

    /// Connection limits and shutdown deadlines ([`mail_net::Limits`]): connections over a limit
    /// are answered `-ERR [SYS/TEMP]` and closed; after the grace period sessions are closed with
    /// `-ERR [SYS/TEMP]` (without UPDATE). Default [`mail_net::Limits::default`].
    pub fn limits(mut self, limits: mail_net::Limits) -> Self {
        self.limits = limits;
        self
    }

    /// The mailbox served as the maildrop. Default `INBOX`.
    pub fn maildrop(mut self, mailbox: impl Into<String>) -> Self {
        self.mailbox = mailbox.into();
        self
    }

    /// The session configuration (with `stls` set when TLS is configured).
    pub fn config(&self) -> &ServerConfig {
        &self.config
    }

    fn shared(
        &self,
        store: Arc<dyn MailStore>,
        credentials: Arc<dyn CredentialStore>,
    ) -> Arc<Shared> {
        Arc::new(Shared {
            store,
            credentials: BlockingCredentials::new(credentials),
            acceptor: self.acceptor.clone(),
            locks: self.locks.clone(),
            idle_timeout: self.idle_timeout,
            write_timeout: self.write_timeout,
            failure_delay: self.config.auth.failure_delay,
            mailbox: self.mailbox.clone(),
        })
    }

    /// Accepts connections until `shutdown` resolves; then stops accepting, lets sessions
    /// finish for the grace period, closes the rest with `-ERR [SYS/TEMP]` (no UPDATE), aborts
    /// what still runs [`mail_net::Limits::abort_after`] later, and returns.
    pub async fn serve(
        &self,
        listener: TcpListener,
        store: Arc<dyn MailStore>,
        credentials: Arc<dyn CredentialStore>,
        shutdown: impl Future<Output = ()>,
    ) -> io::Result<()> {
        let shared = self.shared(store, credentials);
        let mut refusal = Vec::new();
        StatusLine::err("Too many connections, try again later")
            .with_code(ResponseCode::SysTemp)
            .write_to(&mut refusal);
        mail_net::Listener::new(self.limits, refusal)
            .serve(listener, shutdown, |tcp, peer, stop| {
                let server = self.clone();
                let shared = shared.clone();
                async move { server.serve_shared(tcp, peer, &shared, stop).await }
            })
            .await
    }

    /// Runs one connection over any byte stream (a `TcpStream`, or an in-memory pipe in tests),
    /// without the connection limits. Logs one `tracing` line when it ends.
    pub async fn serve_connection<IO>(
        &self,
        io: IO,
        peer: SocketAddr,
        store: Arc<dyn MailStore>,
        credentials: Arc<dyn CredentialStore>,
        stop: watch::Receiver<bool>,
    ) where
        IO: AsyncRead + AsyncWrite + Unpin + Send,
    {
        let shared = self.shared(store, credentials);
        self.serve_shared(io, peer, &shared, stop).await;
    }

    async fn serve_shared<IO>(
        &self,
        io: IO,
        peer: SocketAddr,
        shared: &Shared,
        stop: watch::Receiver<bool>,
    ) where
        IO: AsyncRead + AsyncWrite + Unpin + Send,
    {
        let started = Instant::now();
        let mut session = if self.implicit_tls {
            ServerSession::new_implicit_tls(self.config.clone())
        } else {
            ServerSession::new(self.config.clone())
        };
        let result = conn::drive(io, &mut session, shared, stop).await;
        let stats = session.stats();
        let (user, tls) = (stats.user.as_deref().unwrap_or("-"), stats.tls);
        let (retrieved, octets, deleted) = (stats.retrieved, stats.retrieved_octets, stats.deleted);
        let ms = started.elapsed().as_millis();
        match result {
            Ok(reason) => tracing::info!(
                %peer, user, tls, retrieved, octets, deleted, ?reason, ms, "pop3 session closed"
            ),
            Err(error) => tracing::info!(
                %peer, user, tls, retrieved, octets, deleted, %error, ms, "pop3 session failed"
            ),
        }
    }
}
