//! A minimal async POP3 load client for the benchmarks, built on this crate's codec:
//! [`Command::to_bytes`] for requests, [`parse_response`] for status lines and
//! [`MultilineDecoder`] for message bodies.
//!
//! [`retr_all`] does what fetchmail does with a maildrop it keeps: greeting, `USER`/`PASS`,
//! `STAT`, then `RETR 1` .. `RETR n` one at a time (each answer read before the next command),
//! then `QUIT`. Every status must be `+OK`, every body must end with its terminator, and the
//! octets received must add up to `STAT`'s size; anything else is a [`ClientError`].

use std::borrow::Cow;
use std::net::SocketAddr;
use std::time::Duration;

use pop3_proto::multiline::MultilineDecoder;
use pop3_proto::parse::listing::{ListingError, parse_stat};
use pop3_proto::parse::response::{ResponseError, parse_response};
use pop3_proto::types::command::Command;
use pop3_proto::types::listing::MsgNum;
use pop3_proto::types::response::{Response, Status};
use sasl::Secret;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// How long any one connect, write or read may take before the session is abandoned.
const IO_TIMEOUT: Duration = Duration::from_secs(60);

/// How much the read buffer asks the socket for at once.
const READ_CHUNK: usize = 64 * 1024;

/// What went wrong in a POP3 session; `during` names the command (or `greeting`).
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The socket failed.
    #[error("{during}: i/o error: {source}")]
    Io {
        /// The step of the session.
        during: &'static str,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The server closed the connection before answering.
    #[error("{during}: connection closed by the server")]
    Closed {
        /// The step of the session.
        during: &'static str,
    },
    /// No progress within [`IO_TIMEOUT`].
    #[error("{during}: no answer within {secs} s")]
    Timeout {
        /// The step of the session.
        during: &'static str,
        /// The time waited.
        secs: u64,
    },
    /// The bytes received are not a POP3 response line.
    #[error("{during}: malformed response: {source}")]
    Malformed {
        /// The step of the session.
        during: &'static str,
        /// What the parser found wrong.
        #[source]
        source: ResponseError,
    },
    /// A `+ ` continuation where a status line was due.
    #[error("{during}: unexpected SASL continuation")]
    Continuation {
        /// The step of the session.
        during: &'static str,
    },
    /// The server answered `-ERR`.
    #[error("{during}: -ERR {text}")]
    Refused {
        /// The step of the session.
        during: &'static str,
        /// The text of the `-ERR` line.
        text: String,
    },
    /// The `+OK` answering `STAT` is not `count size`.
    #[error("STAT: {source} in {text:?}")]
    BadStat {
        /// The text of the `+OK` line.
        text: String,
        /// What the listing parser found wrong.
        #[source]
        source: ListingError,
    },
    /// The bodies received do not add up to the maildrop size `STAT` announced.
    #[error("RETR: received {received} octets, STAT announced {announced}")]
    SizeMismatch {
        /// `STAT`'s size.
        announced: u64,
        /// The sum of the decoded bodies.
        received: u64,
    },
}

/// Logs in as `user` with `password` at `addr`, retrieves every message one `RETR` at a time
/// and quits. Returns `(messages, octets)`: the number of messages retrieved and the sum of
/// their decoded (un-stuffed) sizes.
pub async fn retr_all(
    addr: SocketAddr,
    user: &str,
    password: &str,
) -> Result<(u64, u64), ClientError> {
    let mut c = Connection::connect(addr).await?;
    c.status("greeting").await?;
    c.command(&Command::User(Cow::Borrowed(user)), "USER")
        .await?;
    c.command(&Command::Pass(Secret::new(Cow::Borrowed(password))), "PASS")
        .await?;
    let text = c.command(&Command::Stat, "STAT").await?;
    let stat = parse_stat(text.as_bytes()).map_err(|source| ClientError::BadStat {
        text: text.clone(),
        source,
    })?;
    let mut octets = 0u64;
    for msg in (1..=stat.count).filter_map(MsgNum::new) {
        c.command(&Command::Retr(msg), "RETR").await?;
        octets += c.body("RETR").await?;
    }
    if octets != stat.size {
        return Err(ClientError::SizeMismatch {
            announced: stat.size,
            received: octets,
        });
    }
    c.command(&Command::Quit, "QUIT").await?;
    Ok((u64::from(stat.count), octets))
}

/// A connection with its read buffer: `buf[pos..]` is received and not yet consumed.
struct Connection {
    stream: TcpStream,
    buf: Vec<u8>,
    pos: usize,
    out: Vec<u8>,
}

impl Connection {
    async fn connect(addr: SocketAddr) -> Result<Connection, ClientError> {
        let during = "connect";
        let stream = tokio::time::timeout(IO_TIMEOUT, TcpStream::connect(addr))
            .await
            .map_err(|_| timeout(during))?
            .map_err(|source| ClientError::Io { during, source })?;
        stream
            .set_nodelay(true)
            .map_err(|source| ClientError::Io { during, source })?;
        Ok(Connection {
            stream,
            buf: Vec::with_capacity(READ_CHUNK),
            pos: 0,
            out: Vec::with_capacity(256),
        })
    }

    /// Reads more bytes, first dropping the consumed ones.
    async fn fill(&mut self, during: &'static str) -> Result<(), ClientError> {
        if self.pos == self.buf.len() {
            self.buf.clear();
        } else {
            self.buf.drain(..self.pos);
        }
        self.pos = 0;
        self.buf.reserve(READ_CHUNK);
        let n = tokio::time::timeout(IO_TIMEOUT, self.stream.read_buf(&mut self.buf))
            .await
            .map_err(|_| timeout(during))?
            .map_err(|source| ClientError::Io { during, source })?;
        if n == 0 {
            return Err(ClientError::Closed { during });
        }
        Ok(())
    }

    /// Sends `cmd` and reads its status line; returns the text of the `+OK`.
    async fn command(
        &mut self,
        cmd: &Command<'_>,
        during: &'static str,
    ) -> Result<String, ClientError> {
        self.out.clear();
        cmd.write_to(&mut self.out);
        tokio::time::timeout(IO_TIMEOUT, self.stream.write_all(&self.out))
            .await
            .map_err(|_| timeout(during))?
            .map_err(|source| ClientError::Io { during, source })?;
        self.status(during).await
    }

    /// Reads one status line; `+OK` gives its text, anything else an error.
    async fn status(&mut self, during: &'static str) -> Result<String, ClientError> {
        loop {
            let pending = self.buf.get(self.pos..).unwrap_or_default();
            match parse_response(pending) {
                Ok((Response::Status(line), used)) => {
                    let text = line.text.into_owned();
                    let ok = line.status == Status::Ok;
                    self.pos += used;
                    return if ok {
                        Ok(text)
                    } else {
                        Err(ClientError::Refused { during, text })
                    };
                }
                Ok((Response::Continuation(_), _)) => {
                    return Err(ClientError::Continuation { during });
                }
                Err(ResponseError::Incomplete) => self.fill(during).await?,
                Err(source) => return Err(ClientError::Malformed { during, source }),
            }
        }
    }

    /// Reads a multi-line body up to its terminator, without keeping it; returns its decoded
    /// size in octets.
    async fn body(&mut self, during: &'static str) -> Result<u64, ClientError> {
        let mut decoder = MultilineDecoder::new();
        loop {
            let pending = self.buf.get(self.pos..).unwrap_or_default();
            let decoded = decoder.decode_with(pending, |_| {});
            self.pos += decoded.consumed;
            if decoded.finished {
                return Ok(decoder.body_len());
            }
            self.fill(during).await?;
        }
    }
}

fn timeout(during: &'static str) -> ClientError {
    ClientError::Timeout {
        during,
        secs: IO_TIMEOUT.as_secs(),
    }
}
