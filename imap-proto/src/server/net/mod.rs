//! The tokio IMAP server (RFC 9051) over [`mailstore`]: listener, `STARTTLS` (RFC 9051 §6.2.1)
//! and implicit TLS (RFC 8314, port 993) with tokio-rustls, `COMPRESS=DEFLATE` (RFC 4978),
//! authentication through [`sasl::CredentialStore`] (password checks on the blocking pool),
//! `IDLE` (RFC 2177) woken by the store's change notifier, time-outs on every read (the
//! autologout of RFC 9051 §5.4), write and handshake, connection limits (in total and per
//! address: [`mail_net::Limits`]; per user: [`Server::max_per_user`]), a delay after failed
//! logins ([`sasl::AuthPolicy`] in [`ServerConfig::auth`]), graceful shutdown (`* BYE`) that
//! always finishes, and one `tracing` line per session.
//!
//! The protocol lives in the sans-IO [`ServerSession`]; the mailbox commands in the glue
//! [`Mailboxes`](crate::server::mailboxes::Mailboxes). This module only moves bytes between the
//! socket and the session, and hands each event to the seam that answers it.
//!
//! Input is read only when the session asks for it
//! ([`Event::NeedInput`](super::session::Event::NeedInput)): one read of at most 4 KiB (64 KiB
//! while an APPEND literal streams; with COMPRESS, at most 4 KiB inflated per step), so however
//! much a client pipelines, what the server holds of it is bounded by the session's framer
//! limits; output is bounded by the session's back-pressure
//! ([`ServerConfig::max_pending_output`]) and written within the write time-out.
//!
//! Memory per connection, as designed: a 4 KiB read buffer between commands (a 64 KiB one only
//! while an APPEND literal streams, dropped after it; while idling, a 64-octet one inside the
//! task, as the client sends only `DONE`), the session's output taken and freed at each write,
//! the glue's futures boxed for the time of one command, so an idle IDLE plaintext connection
//! holds the session, its selected mailbox's view and the socket: about 9 KiB measured
//! (`tests/server_idle_memory.rs`: 1,000 idle IDLE connections). TLS adds rustls's state and
//! buffers (about 8 KiB more, 18 KiB in all, measured the same way over implicit TLS); COMPRESS
//! adds the DEFLATE state (about 300 KiB for the compressor's window and hash chains at level 6,
//! 40 KiB for the inflater).
//!
//! ```no_run
//! use std::sync::Arc;
//! use imap_proto::server::Server;
//! use imap_proto::server::session::ServerConfig;
//!
//! # async fn run() -> std::io::Result<()> {
//! let store = Arc::new(mailstore::maildir::MaildirStore::new("/var/mail"));
//! let users = Arc::new(sasl::MemoryStore::new().with_user("alice", "secret"));
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:1143").await?;
//! let server = Server::new(ServerConfig::new("imap.example.org"));
//! server.serve(listener, store, users, std::future::pending()).await
//! # }
//! ```

mod compress;
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

use super::session::{CloseReason, ServerConfig, ServerSession, SessionError};
use crate::encode::Encoder;
use crate::response::{Code, Response, Status, StatusKind};
use limits::UserConnections;
use mail_net::BlockingCredentials;
/// The connection limits and shutdown deadlines, shared by every server of the family.
pub use mail_net::Limits;

/// What can end a connection abnormally.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DriverError {
    /// Reading or writing the socket failed (the peer is gone, or the network), or the
    /// client's compressed stream is corrupt (RFC 4978).
    #[error("I/O error: {0}")]
    Io(#[from] io::Error),
    /// The TLS handshake failed or timed out (the peer's TLS, or our certificate).
    #[error("TLS handshake failed: {0}")]
    Tls(io::Error),
    /// The session machine refused a call: a bug in the driver.
    #[error("session error: {0}")]
    Session(#[from] SessionError),
    /// Implicit TLS or STARTTLS without [`Server::with_tls`]: a configuration error.
    #[error("TLS requested but the server has no TLS configuration")]
    NoTlsConfig,
}

/// How a session ended, for its log line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ending {
    /// The session closed (LOGOUT, BYE, autologout...).
    Closed(CloseReason),
    /// The user already has [`Server::max_per_user`] connections: `* BYE [LIMIT]`.
    UserLimit,
}

/// What every connection of a server shares.
pub(crate) struct Shared {
    pub(crate) store: Arc<dyn MailStore>,
    /// The application's store; password checks run on the blocking pool.
    pub(crate) credentials: BlockingCredentials,
    pub(crate) acceptor: Option<TlsAcceptor>,
    pub(crate) users: Arc<UserConnections>,
    pub(crate) max_per_user: usize,
    pub(crate) write_timeout: Duration,
    pub(crate) handshake_timeout: Duration,
    pub(crate) failure_delay: Duration,
}

/// A tokio IMAP server: a [`ServerConfig`] plus TLS, time-outs and limits.
///
/// The autologout time-outs (RFC 9051 §5.4) are the session's:
/// [`ServerConfig::autologout_unauthenticated`] before login, [`ServerConfig::autologout`]
/// after (also while idling: clients re-issue IDLE every 29 minutes).
#[derive(Clone)]
pub struct Server {
    config: Arc<ServerConfig>,
    acceptor: Option<TlsAcceptor>,
    implicit_tls: bool,
    write_timeout: Duration,
    handshake_timeout: Duration,
    limits: mail_net::Limits,
    max_per_user: usize,
    users: Arc<UserConnections>,
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server")
            .field("config", &self.config)
            .field("tls", &self.acceptor.is_some())
            .field("implicit_tls", &self.implicit_tls)
            .field("write_timeout", &self.write_timeout)
            .field("handshake_timeout", &self.handshake_timeout)
            .field("limits", &self.limits)
            .field("max_per_user", &self.max_per_user)
            .finish_non_exhaustive()
    }
}

impl Server {
    /// A server with one minute per write, 30 seconds per TLS handshake, the default
    /// [`mail_net::Limits`] (1000 connections, 50 per address) and 20 connections per user.
    pub fn new(config: ServerConfig) -> Self {
        Self {
            config: Arc::new(config),
            acceptor: None,
            implicit_tls: false,
            write_timeout: Duration::from_secs(60),
            handshake_timeout: Duration::from_secs(30),
            limits: mail_net::Limits::default(),
            max_per_user: 20,
            users: Arc::default(),
        }
    }

    /// Offers `STARTTLS` (RFC 9051 §6.2.1) with this TLS configuration.
    pub fn with_tls(mut self, tls: Arc<rustls::ServerConfig>) -> Self {
        self.acceptor = Some(TlsAcceptor::from(tls));
        Arc::make_mut(&mut self.config).starttls = true;
        self
    }

    /// Connections are TLS from the first byte (RFC 8314 §3.3, port 993); needs
    /// [`Server::with_tls`].
    pub fn implicit_tls(mut self, on: bool) -> Self {
        self.implicit_tls = on;
        self
    }

    /// How long one write of responses (and its flush) may take; a client that does not read
    /// for that long is dropped. Default one minute.
    pub fn write_timeout(mut self, timeout: Duration) -> Self {
        self.write_timeout = timeout;
        self
    }

    /// How long a TLS handshake (implicit or after STARTTLS) may take. Default 30 seconds.
    pub fn handshake_timeout(mut self, timeout: Duration) -> Self {
        self.handshake_timeout = timeout;
        self
    }

    /// Connection limits and shutdown deadlines ([`mail_net::Limits`]): connections over a limit
    /// are answered `* BYE [UNAVAILABLE]` and closed; after the grace period the sessions still
    /// open are closed with `* BYE [UNAVAILABLE]` at their next safe point.
    pub fn limits(mut self, limits: mail_net::Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Most simultaneous authenticated connections of one user (of this server value and its
    /// clones). A login over it is answered `* BYE [LIMIT]` (RFC 5530) and closed. Default 20.
    pub fn max_per_user(mut self, max: usize) -> Self {
        self.max_per_user = max;
        self
    }

    /// The session configuration (with `starttls` set when TLS is configured).
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
            users: self.users.clone(),
            max_per_user: self.max_per_user,
            write_timeout: self.write_timeout,
            handshake_timeout: self.handshake_timeout,
            failure_delay: self.config.auth.failure_delay,
        })
    }

    /// Accepts connections until `shutdown` resolves; then stops accepting, lets sessions
    /// finish for the grace period, closes the rest with `* BYE` at their next safe point,
    /// aborts what still runs [`mail_net::Limits::abort_after`] later, and returns.
    pub async fn serve(
        &self,
        listener: TcpListener,
        store: Arc<dyn MailStore>,
        credentials: Arc<dyn CredentialStore>,
        shutdown: impl Future<Output = ()>,
    ) -> io::Result<()> {
        let shared = self.shared(store, credentials);
        let mut refusal = Encoder::server();
        Response::Status(Status {
            tag: None,
            kind: StatusKind::Bye,
            code: Some(Code::Unavailable),
            text: "Too many connections, try again later".into(),
        })
        .encode(&mut refusal);
        mail_net::Listener::new(self.limits, refusal.take())
            .serve(listener, shutdown, |tcp, peer, stop| {
                let server = self.clone();
                let shared = shared.clone();
                async move { server.serve_shared(tcp, peer, &shared, stop).await }
            })
            .await
    }

    /// Runs one connection over any byte stream (a `TcpStream`, or an in-memory pipe in tests),
    /// without the listener's connection limits (the per-user limit still applies). `stop`
    /// turning true asks the session to close (`* BYE`) at its next safe point. Logs one
    /// `tracing` line when it ends.
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
        let (user, tls, compressed) = (
            stats.user.as_deref().unwrap_or("-"),
            stats.tls,
            stats.compressed,
        );
        let (commands, bad) = (stats.commands, stats.bad_commands);
        let ms = started.elapsed().as_millis();
        match result {
            Ok(reason) => tracing::info!(
                %peer, user, tls, compressed, commands, bad, ?reason, ms, "imap session closed"
            ),
            Err(error) => tracing::info!(
                %peer, user, tls, compressed, commands, bad, %error, ms, "imap session failed"
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The task of a connection is its future: all its state between awaits, for as long as the
    /// connection lives (an idle IDLE connection included). The glue's futures are boxed only
    /// while a command runs, so the task stays small whatever the glue does.
    #[test]
    fn a_connection_task_is_small() {
        let server = Server::new(ServerConfig::new("imap.test"));
        let store: Arc<dyn MailStore> = Arc::new(mailstore::maildir::MaildirStore::new(
            std::env::temp_dir().join("imap-net-size-test-unused"),
        ));
        let credentials: Arc<dyn CredentialStore> = Arc::new(sasl::MemoryStore::new());
        let (io, _peer) = tokio::io::duplex(64);
        let (_tx, stop) = watch::channel(false);
        let peer = SocketAddr::from(([127, 0, 0, 1], 1));
        let future = server.serve_connection(io, peer, store, credentials, stop);
        let size = std::mem::size_of_val(&future);
        // The session (whose size is the session's business) plus about 2.5 KiB of driver
        // state (debug build) in one allocation per connection.
        let session = std::mem::size_of::<ServerSession>();
        assert!(
            size <= session + 3 * 1024,
            "a connection's future holds {size} octets (the session {session})"
        );
    }
}
