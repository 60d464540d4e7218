//! The load client: an async tokio driver of the crate's sans-IO [`ClientSession`] over a plain
//! or TLS socket, with the few commands the workloads use. Every failure (an I/O error, a time-out,
//! a session error, a tagged `NO`/`BAD`) is an `Err` with what happened, counted as a protocol
//! error by the workloads.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use imap_proto::client::{ClientConfig, ClientSession, Completion, Event, Response};
use imap_proto::response::{Code, Data};
use imap_proto::token::{Flag, SeqNo, SeqRange, SequenceSet};
use sasl::Secret;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;

/// Every read and write of the load client gives up after this long.
pub const IO_TIMEOUT: Duration = Duration::from_secs(120);

/// A byte stream, plain or TLS.
pub trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

/// What went wrong, as text.
pub type Fail = String;

/// A client connection.
pub struct Client {
    io: Box<dyn Io>,
    /// The session.
    pub session: ClientSession,
    buf: Box<[u8]>,
    /// Untagged events that came while waiting for something else.
    pub unsolicited: Vec<Response<'static>>,
}

impl Client {
    /// Connects to `addr` (with TLS from the first octet when `tls` is given, RFC 8314) and
    /// reads the greeting.
    pub async fn connect(
        addr: SocketAddr,
        tls: Option<&Arc<rustls::ClientConfig>>,
        read_buffer: usize,
    ) -> Result<Client, Fail> {
        let tcp = tokio::time::timeout(IO_TIMEOUT, TcpStream::connect(addr))
            .await
            .map_err(|_| "connect timed out".to_owned())?
            .map_err(|e| format!("connect: {e}"))?;
        let _ = tcp.set_nodelay(true);
        let io: Box<dyn Io> = match tls {
            Some(config) => {
                let connector = tokio_rustls::TlsConnector::from(config.clone());
                let name = rustls::pki_types::ServerName::try_from("localhost")
                    .map_err(|e| e.to_string())?;
                let s = tokio::time::timeout(IO_TIMEOUT, connector.connect(name, tcp))
                    .await
                    .map_err(|_| "TLS handshake timed out".to_owned())?
                    .map_err(|e| format!("TLS handshake: {e}"))?;
                Box::new(s)
            }
            None => Box::new(tcp),
        };
        let config = ClientConfig {
            allow_plaintext_credentials: true,
            // The capabilities come with the greeting and the login's OK on both servers.
            auto_capability: false,
            ..ClientConfig::default()
        };
        let session = if tls.is_some() {
            ClientSession::with_implicit_tls(config)
        } else {
            ClientSession::new(config)
        };
        let mut c = Client {
            io,
            session,
            buf: vec![0; read_buffer].into_boxed_slice(),
            unsolicited: Vec::new(),
        };
        match c.next().await? {
            Event::Greeting(_) => Ok(c),
            other => Err(format!("expected the greeting, got {other:?}")),
        }
    }

    /// Writes what the session has to send.
    async fn flush(&mut self) -> Result<(), Fail> {
        let out = self.session.take_output();
        if !out.is_empty() {
            tokio::time::timeout(IO_TIMEOUT, self.io.write_all(&out))
                .await
                .map_err(|_| "write timed out".to_owned())?
                .map_err(|e| format!("write: {e}"))?;
            self.io.flush().await.map_err(|e| format!("flush: {e}"))?;
        }
        Ok(())
    }

    /// The next event other than `NeedInput`, reading as needed.
    pub async fn next(&mut self) -> Result<Event, Fail> {
        self.next_within(IO_TIMEOUT).await
    }

    /// [`Client::next`], giving up after `limit` without input.
    pub async fn next_within(&mut self, limit: Duration) -> Result<Event, Fail> {
        loop {
            let event = self
                .session
                .next_event()
                .map_err(|e| format!("client session: {e}"))?;
            self.flush().await?;
            match event {
                Event::NeedInput => {
                    let n = tokio::time::timeout(limit, self.io.read(&mut self.buf))
                        .await
                        .map_err(|_| "read timed out".to_owned())?
                        .map_err(|e| format!("read: {e}"))?;
                    if n == 0 {
                        return Err("the server closed the connection".to_owned());
                    }
                    self.session.feed(&self.buf[..n]);
                }
                Event::Closed => return Err("the server ended the session (BYE)".to_owned()),
                other => return Ok(other),
            }
        }
    }

    /// The completion of `tag`, which must be `OK`.
    pub async fn ok(&mut self, tag: &str) -> Result<Completion, Fail> {
        loop {
            match self.next().await? {
                Event::Done(c) if c.tag == tag => {
                    return if c.is_ok() {
                        Ok(c)
                    } else {
                        Err(format!("{} {:?}: {}", c.command, c.kind(), c.text()))
                    };
                }
                Event::Untagged(r) => self.unsolicited.push(r),
                other => return Err(format!("waiting for {tag}: unexpected {other:?}")),
            }
        }
    }

    /// A command given as raw syntax (`UID FETCH 1:* (FLAGS)`), which must complete `OK`.
    pub async fn command(&mut self, text: &str) -> Result<Completion, Fail> {
        let tag = self
            .session
            .command(|e| {
                e.raw(text.as_bytes());
            })
            .map_err(|e| format!("{text}: {e}"))?;
        self.ok(&tag).await
    }

    /// LOGIN.
    pub async fn login(&mut self, user: &str, password: &str) -> Result<Completion, Fail> {
        let tag = self
            .session
            .login(user, &Secret::new(password.to_owned()))
            .map_err(|e| format!("LOGIN: {e}"))?;
        self.ok(&tag).await
    }

    /// SELECT; returns the number of messages.
    pub async fn select(&mut self, mailbox: &str) -> Result<u32, Fail> {
        let tag = self.session.select(mailbox);
        self.ok(&tag).await?;
        Ok(self.session.mailbox().map_or(0, |m| m.exists))
    }

    /// APPEND with `flags`; returns the new message's UID (APPENDUID, RFC 4315), if given.
    pub async fn append(
        &mut self,
        mailbox: &str,
        flags: &[Flag<'_>],
        message: &[u8],
    ) -> Result<Option<u32>, Fail> {
        let tag = self.session.append(mailbox, flags, message);
        let c = self.ok(&tag).await?;
        Ok(match c.code() {
            Some(Code::AppendUid {
                uids: SequenceSet::Ranges(r),
                ..
            }) => match r.first() {
                Some(SeqRange::Single(SeqNo::Value(n))) => Some(n.get()),
                _ => None,
            },
            _ => None,
        })
    }

    /// IDLE, up to the server's `+`.
    pub async fn idle(&mut self) -> Result<String, Fail> {
        let tag = self.session.idle().map_err(|e| format!("IDLE: {e}"))?;
        loop {
            match self.next().await? {
                Event::Idling { tag: t } if t == tag => return Ok(tag),
                Event::Untagged(r) => self.unsolicited.push(r),
                other => return Err(format!("IDLE: unexpected {other:?}")),
            }
        }
    }

    /// While idling: waits for `* n EXISTS` with `n >= at_least`.
    pub async fn wait_exists(&mut self, at_least: u32, limit: Duration) -> Result<u32, Fail> {
        let deadline = tokio::time::Instant::now() + limit;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            if left.is_zero() {
                return Err(format!("no EXISTS >= {at_least} within {limit:?}"));
            }
            match self.next_within(left).await? {
                Event::Untagged(Response::Data(Data::Exists(n))) if n >= at_least => {
                    return Ok(n);
                }
                Event::Untagged(_) => {}
                other => return Err(format!("IDLE: unexpected {other:?}")),
            }
        }
    }

    /// Ends the IDLE `tag`: DONE and its completion.
    pub async fn done(&mut self, tag: &str) -> Result<Completion, Fail> {
        self.session.done().map_err(|e| format!("DONE: {e}"))?;
        self.ok(tag).await
    }

    /// LOGOUT, and the connection's end.
    pub async fn logout(mut self) -> Result<(), Fail> {
        let tag = self.session.logout();
        loop {
            match self.next().await {
                Ok(Event::Done(c)) if c.tag == tag => return Ok(()),
                // The BYE before the tagged OK ends the session for the client.
                Err(e) if e.contains("BYE") => return Ok(()),
                Err(e) => return Err(e),
                Ok(_) => {}
            }
        }
    }
}
