//! Tokio POP3 server over [`mailstore`] (cargo feature `server`): listener, `STLS` (RFC 2595)
//! and implicit TLS (RFC 8314, port 995) with tokio-rustls, authentication through
//! [`sasl::CredentialStore`], maildrop locking, idle time-out, connection limits, a delay after
//! failed logins, graceful shutdown, and one `tracing` line per session.
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
    pub(crate) credentials: Arc<dyn CredentialStore>,
    pub(crate) acceptor: Option<TlsAcceptor>,
    pub(crate) locks: Arc<MaildropLocks>,
    pub(crate) idle_timeout: Duration,
    pub(crate) failed_login_delay: Duration,
    pub(crate) mailbox: String,
}

/// A tokio POP3 server: a [`ServerConfig`] plus TLS, time-outs and limits.
#[derive(Clone)]
pub struct Server {
    config: Arc<ServerConfig>,
    acceptor: Option<TlsAcceptor>,
    implicit_tls: bool,
    idle_timeout: Duration,
    max_connections: usize,
    max_per_ip: usize,
    failed_login_delay: Duration,
    grace: Duration,
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
            .field("max_connections", &self.max_connections)
            .field("max_per_ip", &self.max_per_ip)
            .finish_non_exhaustive()
    }
}

impl Server {
    /// A server with RFC 1939 §3's ten-minute autologout, at most 1000 connections (50 per
    /// client address), a 2 second delay after a failed login, a 10 second shutdown grace
    /// period, serving each user's `INBOX`.
    pub fn new(config: ServerConfig) -> Self {
        Self {
            config: Arc::new(config),
            acceptor: None,
            implicit_tls: false,
            idle_timeout: Duration::from_secs(600),
            max_connections: 1000,
            max_per_ip: 50,
            failed_login_delay: Duration::from_secs(2),
            grace: Duration::from_secs(10),
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
    /// how long a write may block.
    pub fn idle_timeout(mut self, timeout: Duration) -> Self {
        self.idle_timeout = timeout;
        self
    }

    /// Most simultaneous connections in total and from one address; more are answered
    /// `-ERR [SYS/TEMP]` and closed.
    pub fn max_connections(mut self, total: usize, per_ip: usize) -> Self {
        self.max_connections = total;
        self.max_per_ip = per_ip;
        self
    }

    /// How long a failed login waits before its `-ERR` (slows password guessing).
    pub fn failed_login_delay(mut self, delay: Duration) -> Self {
        self.failed_login_delay = delay;
        self
    }

    /// How long sessions may go on after shutdown starts before they are closed with
    /// `-ERR [SYS/TEMP]` (without UPDATE).
    pub fn shutdown_grace(mut self, grace: Duration) -> Self {
        self.grace = grace;
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
            credentials,
            acceptor: self.acceptor.clone(),
            locks: self.locks.clone(),
            idle_timeout: self.idle_timeout,
            failed_login_delay: self.failed_login_delay,
            mailbox: self.mailbox.clone(),
        })
    }

    /// Accepts connections until `shutdown` resolves; then stops accepting, lets sessions
    /// finish for the grace period, closes the rest with `-ERR [SYS/TEMP]` (no UPDATE), and
    /// returns when all are gone.
    pub async fn serve(
        &self,
        listener: TcpListener,
        store: Arc<dyn MailStore>,
        credentials: Arc<dyn CredentialStore>,
        shutdown: impl Future<Output = ()>,
    ) -> io::Result<()> {
        let shared = self.shared(store, credentials);
        let limits = mail_net::Limits {
            max_connections: self.max_connections,
            max_per_ip: self.max_per_ip,
            grace: self.grace,
        };
        let mut refusal = Vec::new();
        StatusLine::err("Too many connections, try again later")
            .with_code(ResponseCode::SysTemp)
            .write_to(&mut refusal);
        mail_net::Listener::new(limits, refusal)
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
