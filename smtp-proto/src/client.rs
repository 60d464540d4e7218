//! A thin tokio driver for [`ClientSession`]: sockets, TLS and time-outs.
//!
//! The driver loops: write what the session yields, read, feed, answer events
//! ([`Event::StartTls`] → TLS handshake with tokio-rustls, then
//! [`ClientSession::tls_started`]). Every read and write runs under the time-out of the step
//! it belongs to (RFC 5321 §4.5.3.2). A message body is read from an [`AsyncRead`] in
//! pieces and never held whole.
//!
//! ```no_run
//! use smtp_proto::client::{ClientDriverError, ConnectOptions, SmtpClient};
//! use smtp_proto::session::client::{ClientConfig, Envelope};
//!
//! async fn send(config: ClientConfig, envelope: Envelope) -> Result<(), ClientDriverError> {
//! let addr = "127.0.0.1:2525".parse().expect("an address");
//! let mut client = SmtpClient::connect(addr, config, ConnectOptions::default()).await?;
//! let outcome = client.send(envelope, &b"Subject: hi\r\n\r\nhello\r\n"[..]).await?;
//! assert!(outcome.all_accepted());
//! client.quit().await?;
//! Ok(())
//! }
//! ```

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use mail_net::Conn;
use rustls::pki_types::ServerName;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

use crate::session::client::{
    ClientConfig, ClientError, ClientSession, Envelope, Event, MessageOutcome, Stage, TlsPolicy,
};

/// Time-outs per step, RFC 5321 §4.5.3.2 by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// Opening the TCP connection.
    pub connect: Duration,
    /// The `220` greeting (§4.5.3.2.1: 5 minutes).
    pub greeting: Duration,
    /// `MAIL` (§4.5.3.2.2: 5 minutes); also used for EHLO, STARTTLS, AUTH, RSET and QUIT.
    pub mail: Duration,
    /// Each `RCPT` (§4.5.3.2.3: 5 minutes).
    pub rcpt: Duration,
    /// `DATA` up to the `354` (§4.5.3.2.4: 2 minutes).
    pub data_init: Duration,
    /// Each write of the body, and each BDAT chunk's reply (§4.5.3.2.5: 3 minutes).
    pub data_block: Duration,
    /// The reply after the end of data (§4.5.3.2.6: 10 minutes).
    pub data_end: Duration,
    /// The TLS handshake.
    pub tls_handshake: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        const MIN: u64 = 60;
        Self {
            connect: Duration::from_secs(2 * MIN),
            greeting: Duration::from_secs(5 * MIN),
            mail: Duration::from_secs(5 * MIN),
            rcpt: Duration::from_secs(5 * MIN),
            data_init: Duration::from_secs(2 * MIN),
            data_block: Duration::from_secs(3 * MIN),
            data_end: Duration::from_secs(10 * MIN),
            tls_handshake: Duration::from_secs(2 * MIN),
        }
    }
}

impl Timeouts {
    /// All time-outs set to `d` (for tests).
    pub fn uniform(d: Duration) -> Self {
        Self {
            connect: d,
            greeting: d,
            mail: d,
            rcpt: d,
            data_init: d,
            data_block: d,
            data_end: d,
            tls_handshake: d,
        }
    }

    /// The time-out of a step.
    pub fn for_stage(&self, stage: Stage) -> Duration {
        match stage {
            Stage::Greeting => self.greeting,
            Stage::Rcpt => self.rcpt,
            Stage::DataInit => self.data_init,
            Stage::DataBlock => self.data_block,
            Stage::DataEnd => self.data_end,
            Stage::StartTls => self.mail.max(self.tls_handshake),
            _ => self.mail,
        }
    }
}

/// TLS settings: the rustls client configuration and the name to verify.
#[derive(Clone)]
pub struct TlsOptions {
    /// The rustls client configuration (roots, client certificate, versions).
    pub config: Arc<rustls::ClientConfig>,
    /// The name the server's certificate must carry.
    pub server_name: ServerName<'static>,
}

impl std::fmt::Debug for TlsOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsOptions")
            .field("server_name", &self.server_name)
            .finish_non_exhaustive()
    }
}

/// How to connect.
#[derive(Debug, Clone, Default)]
pub struct ConnectOptions {
    /// TLS settings, needed for STARTTLS and implicit TLS.
    pub tls: Option<TlsOptions>,
    /// TLS from the first byte (RFC 8314, port 465) instead of STARTTLS.
    pub implicit_tls: bool,
    /// Time-outs.
    pub timeouts: Timeouts,
}

/// A failure of the client driver.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ClientDriverError {
    /// The protocol failed (see [`ClientError::fault`]).
    #[error(transparent)]
    Protocol(#[from] ClientError),
    /// The socket failed.
    #[error("I/O error during {stage}: {source}")]
    Io {
        /// The step under way.
        stage: Stage,
        /// The error.
        #[source]
        source: io::Error,
    },
    /// The TLS handshake failed.
    #[error("TLS handshake failed: {0}")]
    Tls(#[source] io::Error),
    /// The server said nothing (or did not take our bytes) within the step's time-out.
    #[error("timed out after {after:?} during {stage}")]
    Timeout {
        /// The step under way.
        stage: Stage,
        /// The time-out that expired.
        after: Duration,
    },
    /// The server closed the connection.
    #[error("connection closed by the server during {0}")]
    Closed(Stage),
    /// STARTTLS or implicit TLS without [`ConnectOptions::tls`].
    #[error("TLS is needed but no TLS configuration was given")]
    NoTlsConfig,
}

impl ClientDriverError {
    /// Whether retrying later may succeed (network trouble, `4yz`, time-outs).
    pub fn is_temporary(&self) -> bool {
        match self {
            Self::Protocol(e) => e.is_temporary(),
            Self::NoTlsConfig => false,
            _ => true,
        }
    }
}

/// Size of the read buffer and of the body pieces read from the caller's reader.
const CHUNK: usize = 64 * 1024;

/// An SMTP or LMTP client connection, ready to send messages.
///
/// [`SmtpClient::connect`] returns once the greeting, EHLO, STARTTLS and AUTH (as
/// configured) are done; then [`SmtpClient::send`] any number of messages and
/// [`SmtpClient::quit`].
pub struct SmtpClient<S = TcpStream> {
    stream: Conn<S>,
    session: ClientSession,
    options: ConnectOptions,
    buf: Vec<u8>,
}

impl SmtpClient<TcpStream> {
    /// Connects to `addr` and sets the session up (greeting, EHLO, STARTTLS, AUTH).
    pub async fn connect(
        addr: SocketAddr,
        config: ClientConfig,
        options: ConnectOptions,
    ) -> Result<Self, ClientDriverError> {
        let connect = TcpStream::connect(addr);
        let tcp = match tokio::time::timeout(options.timeouts.connect, connect).await {
            Ok(Ok(tcp)) => tcp,
            Ok(Err(source)) => {
                return Err(ClientDriverError::Io {
                    stage: Stage::Greeting,
                    source,
                });
            }
            Err(_) => {
                return Err(ClientDriverError::Timeout {
                    stage: Stage::Greeting,
                    after: options.timeouts.connect,
                });
            }
        };
        let _ = tcp.set_nodelay(true);
        Self::from_stream(tcp, config, options).await
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> SmtpClient<S> {
    /// Sets the session up on an open connection (TCP, a Unix socket for LMTP, ...).
    pub async fn from_stream(
        stream: S,
        mut config: ClientConfig,
        options: ConnectOptions,
    ) -> Result<Self, ClientDriverError> {
        if options.tls.is_none() {
            match config.tls {
                TlsPolicy::Required => return Err(ClientDriverError::NoTlsConfig),
                // Without a TLS configuration, STARTTLS cannot be answered: do not send it.
                TlsPolicy::Opportunistic => config.tls = TlsPolicy::Never,
                TlsPolicy::Never => {}
            }
        }
        let mut stream = Conn::Plain(stream);
        let session = if options.implicit_tls {
            tls_handshake(&mut stream, &options).await?;
            ClientSession::with_implicit_tls(config)
        } else {
            ClientSession::new(config)
        };
        let mut client = Self {
            stream,
            session,
            options,
            buf: vec![0; CHUNK],
        };
        match client.run(None::<&mut &[u8]>).await? {
            Event::Ready => Ok(client),
            _ => Err(ClientError::Misuse {
                call: "connect",
                reason: "the session ended before it was ready",
            }
            .into()),
        }
    }

    /// The session (capabilities, TLS and AUTH state).
    pub fn session(&self) -> &ClientSession {
        &self.session
    }

    /// Sends one message, reading its body from `body` (CRLF line endings, not
    /// dot-stuffed) in pieces; returns each recipient's outcome.
    ///
    /// Refusals by the server (MAIL, RCPT, DATA, the final reply) are in the outcome, not
    /// errors. An error of [`Fault::MissingCapability`](crate::session::client::Fault) (SIZE
    /// exceeded, SMTPUTF8 not offered, ...) is raised before anything is sent and leaves the
    /// connection usable; any other error ends it.
    pub async fn send<R: AsyncRead + Unpin>(
        &mut self,
        envelope: Envelope,
        mut body: R,
    ) -> Result<MessageOutcome, ClientDriverError> {
        self.session.send_message(envelope)?;
        match self.run(Some(&mut body)).await? {
            Event::MessageDone(outcome) => Ok(outcome),
            _ => Err(ClientError::Misuse {
                call: "send",
                reason: "the session ended without an outcome",
            }
            .into()),
        }
    }

    /// Sends QUIT, waits for the reply, closes the connection.
    pub async fn quit(mut self) -> Result<(), ClientDriverError> {
        self.session.quit()?;
        self.run(None::<&mut &[u8]>).await?;
        let _ = self.stream.shutdown().await;
        Ok(())
    }

    /// Writes the session's output under the time-out of `stage`.
    async fn flush(&mut self, stage: Stage) -> Result<(), ClientDriverError> {
        if self.session.output().is_empty() {
            return Ok(());
        }
        let after = self.options.timeouts.for_stage(stage);
        let write = async {
            self.stream.write_all(self.session.output()).await?;
            self.stream.flush().await
        };
        match tokio::time::timeout(after, write).await {
            Ok(Ok(())) => {
                self.session.clear_output();
                Ok(())
            }
            Ok(Err(source)) => Err(ClientDriverError::Io { stage, source }),
            Err(_) => Err(ClientDriverError::Timeout { stage, after }),
        }
    }

    /// Runs the session until it is ready, a message is done, or it closed.
    async fn run<R: AsyncRead + Unpin>(
        &mut self,
        mut body: Option<&mut R>,
    ) -> Result<Event, ClientDriverError> {
        loop {
            let event = self.session.next();
            let stage = self.session.stage();
            let event = match event {
                Ok(event) => event,
                Err(e) => {
                    // Best effort: the output may hold a QUIT.
                    let _ = self.flush(stage).await;
                    return Err(e.into());
                }
            };
            self.flush(stage).await?;
            match event {
                Event::NeedInput => self.read(stage).await?,
                Event::StartTls => {
                    if self.stream.is_tls() {
                        return Err(ClientDriverError::NoTlsConfig);
                    }
                    tls_handshake(&mut self.stream, &self.options).await?;
                    self.session.tls_started()?;
                }
                Event::NeedBody => {
                    let Some(reader) = body.as_deref_mut() else {
                        return Err(ClientError::Misuse {
                            call: "run",
                            reason: "a body is needed but none was given",
                        }
                        .into());
                    };
                    let n = reader.read(&mut self.buf).await.map_err(|source| {
                        ClientDriverError::Io {
                            stage: Stage::DataBlock,
                            source,
                        }
                    })?;
                    if n == 0 {
                        self.session.finish_body()?;
                    } else {
                        self.session
                            .send_body(self.buf.get(..n).unwrap_or_default())?;
                    }
                }
                Event::Ready | Event::MessageDone(_) | Event::Closed => return Ok(event),
            }
        }
    }

    /// Reads once under the time-out of `stage` and feeds the session.
    async fn read(&mut self, stage: Stage) -> Result<(), ClientDriverError> {
        let after = self.options.timeouts.for_stage(stage);
        match tokio::time::timeout(after, self.stream.read(&mut self.buf)).await {
            Ok(Ok(0)) => Err(ClientDriverError::Closed(stage)),
            Ok(Ok(n)) => {
                self.session.feed(self.buf.get(..n).unwrap_or_default());
                Ok(())
            }
            Ok(Err(source)) => Err(ClientDriverError::Io { stage, source }),
            Err(_) => Err(ClientDriverError::Timeout { stage, after }),
        }
    }
}

/// Runs the client side of a TLS handshake on `stream`, under the handshake time-out.
async fn tls_handshake<S: AsyncRead + AsyncWrite + Unpin>(
    stream: &mut Conn<S>,
    options: &ConnectOptions,
) -> Result<(), ClientDriverError> {
    let tls = options.tls.as_ref().ok_or(ClientDriverError::NoTlsConfig)?;
    let connector = TlsConnector::from(tls.config.clone());
    let after = options.timeouts.tls_handshake;
    match tokio::time::timeout(
        after,
        stream.connect_tls(&connector, tls.server_name.clone()),
    )
    .await
    {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(ClientDriverError::Tls(e)),
        Err(_) => Err(ClientDriverError::Timeout {
            stage: Stage::StartTls,
            after,
        }),
    }
}
