//! Tokio SMTP/LMTP server driver (cargo feature `server`): listener, STARTTLS and implicit TLS
//! (tokio-rustls), time-outs on every read, write and handshake, connection limits
//! ([`mail_net::Limits`]), a delay after a failed AUTH and password checks off the async workers
//! ([`sasl::AuthPolicy`], in [`ServerConfig::auth`]), graceful shutdown that always finishes.
//!
//! The protocol lives in [`crate::session::server::ServerSession`]; this module only moves bytes and
//! calls the application's [`Handler`]/[`Session`].
//!
//! ```no_run
//! use std::sync::Arc;
//! use smtp_proto::server::{ConnectionInfo, DataEnd, Decision, Handler, MailFrom, Rcpt, Reply, Server, Session};
//! use smtp_proto::session::server::ServerConfig;
//!
//! struct Sink;
//! struct Msg(Vec<u8>);
//!
//! #[async_trait::async_trait]
//! impl Handler for Sink {
//!     type Session = Msg;
//!     async fn connect(&self, _: &ConnectionInfo) -> Result<Msg, Reply<'static>> { Ok(Msg(Vec::new())) }
//! }
//!
//! #[async_trait::async_trait]
//! impl Session for Msg {
//!     async fn mail(&mut self, _: &MailFrom<'_>) -> Result<(), Reply<'static>> { Ok(()) }
//!     async fn rcpt(&mut self, _: &Rcpt<'_>) -> Result<(), Reply<'static>> { Ok(()) }
//!     async fn data_chunk(&mut self, chunk: &[u8]) -> Result<(), Reply<'static>> {
//!         self.0.extend_from_slice(chunk);
//!         Ok(())
//!     }
//!     async fn data_end(&mut self, _: &DataEnd) -> Decision { Decision::Accept }
//! }
//!
//! # async fn run() -> std::io::Result<()> {
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:2525").await?;
//! let server = Server::new(ServerConfig::new("mx.example.org"));
//! server.serve(listener, Arc::new(Sink), std::future::pending()).await
//! # }
//! ```

mod auth;
mod conn;
mod handler;

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio_rustls::TlsAcceptor;

pub use crate::session::server::{DataEnd, Decision};
/// The types the seam's methods take, re-exported for handler authors.
pub use crate::types::address::{ForwardPath, Host, Mailbox, ReversePath};
pub use crate::types::command::{MailFrom, Rcpt};
pub use crate::types::reply::{EnhancedStatusCode, Reply, ReplyCode};
pub use handler::{ConnectionInfo, Handler, Session};
/// The connection limits and shutdown deadlines, shared by every server of the family.
pub use mail_net::Limits;

use crate::session::server::{CloseReason, ServerConfig, ServerError, ServerSession, reply};

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
    Session(#[from] ServerError),
    /// Implicit TLS or STARTTLS without [`Server::with_tls`]: a configuration error.
    #[error("TLS requested but the server has no TLS configuration")]
    NoTlsConfig,
}

/// How long one write may take by default.
const DEFAULT_WRITE_TIMEOUT: Duration = Duration::from_secs(60);

/// Driver settings shared by all connections.
#[derive(Clone)]
pub(crate) struct Options {
    pub(crate) acceptor: Option<TlsAcceptor>,
    pub(crate) command_timeout: Duration,
    pub(crate) data_timeout: Duration,
    pub(crate) write_timeout: Duration,
}

/// A tokio SMTP/LMTP server: a [`ServerConfig`] plus TLS, time-outs and limits.
#[derive(Clone)]
pub struct Server {
    config: Arc<ServerConfig>,
    options: Options,
    implicit_tls: bool,
    limits: mail_net::Limits,
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server")
            .field("config", &self.config)
            .field("tls", &self.options.acceptor.is_some())
            .field("implicit_tls", &self.implicit_tls)
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

impl Server {
    /// A server with RFC 5321 §4.5.3.2 time-outs (5 minutes per command, 3 per data block), one
    /// minute per write, and the default [`mail_net::Limits`] (1000 connections, 50 per address).
    pub fn new(config: ServerConfig) -> Self {
        Self {
            config: Arc::new(config),
            options: Options {
                acceptor: None,
                command_timeout: Duration::from_secs(300),
                data_timeout: Duration::from_secs(180),
                write_timeout: DEFAULT_WRITE_TIMEOUT,
            },
            implicit_tls: false,
            limits: mail_net::Limits::default(),
        }
    }

    /// Offers STARTTLS (RFC 3207) with this TLS configuration.
    pub fn with_tls(mut self, tls: Arc<rustls::ServerConfig>) -> Self {
        self.options.acceptor = Some(TlsAcceptor::from(tls));
        Arc::make_mut(&mut self.config).starttls = true;
        self
    }

    /// Connections are TLS from the first byte (RFC 8314, port 465); needs [`Server::with_tls`].
    pub fn implicit_tls(mut self, on: bool) -> Self {
        self.implicit_tls = on;
        self
    }

    /// Time-outs waiting for a command and for each block of message data.
    pub fn timeouts(mut self, command: Duration, data: Duration) -> Self {
        self.options.command_timeout = command;
        self.options.data_timeout = data;
        self
    }

    /// How long one write of replies (and its flush) may take; a client that does not read its
    /// replies for that long is dropped. Default one minute.
    pub fn write_timeout(mut self, timeout: Duration) -> Self {
        self.options.write_timeout = timeout;
        self
    }

    /// Connection limits and shutdown deadlines ([`mail_net::Limits`]): connections over a limit
    /// are answered 421 4.7.0 and closed; after the grace period sessions are closed with
    /// 421 4.3.2. Default [`mail_net::Limits::default`].
    pub fn limits(mut self, limits: mail_net::Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Accepts connections until `shutdown` resolves; then stops accepting, lets sessions finish for
    /// the grace period, closes the rest with 421 4.3.2, aborts what still runs
    /// [`mail_net::Limits::abort_after`] later, and returns.
    pub async fn serve<H: Handler>(
        &self,
        listener: TcpListener,
        handler: Arc<H>,
        shutdown: impl Future<Output = ()>,
    ) -> io::Result<()> {
        let mut refusal = Vec::new();
        reply(
            421,
            (4, 7, 0),
            format!(
                "{} too many connections, try again later",
                self.config.hostname
            ),
        )
        .write_to(&mut refusal);
        mail_net::Listener::new(self.limits, refusal)
            .serve(listener, shutdown, |tcp, peer, stop| {
                let local = tcp.local_addr().unwrap_or(peer);
                let server = self.clone();
                let handler = handler.clone();
                async move {
                    server
                        .serve_connection(tcp, peer, local, &*handler, stop)
                        .await
                }
            })
            .await
    }

    /// Runs one connection over any byte stream (a `TcpStream`, or an in-memory pipe in tests).
    /// Logs one `tracing` line when it ends.
    pub async fn serve_connection<IO, H>(
        &self,
        io: IO,
        peer: SocketAddr,
        local: SocketAddr,
        handler: &H,
        stop: watch::Receiver<bool>,
    ) where
        IO: AsyncRead + AsyncWrite + Unpin + Send,
        H: Handler,
    {
        let info = ConnectionInfo::new(peer, local, self.implicit_tls);
        let mut stats = conn::Stats::default();
        let result = match handler.connect(&info).await {
            Err(refusal) => {
                let session = ServerSession::refuse(self.config.clone(), &refusal);
                let mut stop = stop;
                let mut io = io;
                let refuse = async {
                    io.write_all(session.output()).await?;
                    io.shutdown().await
                };
                let timeout = self.options.write_timeout;
                let _ = mail_net::bounded("write", timeout, &mut stop, refuse).await;
                Ok(CloseReason::Refused)
            }
            Ok(mut app) => {
                let session = if self.implicit_tls {
                    ServerSession::new_implicit_tls(self.config.clone())
                } else {
                    ServerSession::new(self.config.clone())
                };
                let result = conn::drive(
                    io,
                    session,
                    &mut app,
                    handler,
                    &self.options,
                    stop,
                    &mut stats,
                )
                .await;
                app.logout().await;
                result
            }
        };
        let conn::Stats {
            tls,
            messages,
            user,
        } = stats;
        match result {
            Ok(reason) => {
                tracing::info!(%peer, tls, messages, ?user, ?reason, "smtp session closed")
            }
            Err(error) => {
                tracing::info!(%peer, tls, messages, ?user, %error, "smtp session failed")
            }
        }
    }

    /// The session configuration (with `starttls` set when TLS is configured).
    pub fn config(&self) -> &ServerConfig {
        &self.config
    }
}
