//! One connection: the driver loop around a [`ServerSession`] (read → feed → events → answers
//! from the credential store and the mailbox glue → write), with the time-outs, IDLE and
//! COMPRESS.

use std::io;
use std::time::Duration;

use sasl::{CredentialError, CredentialStore as _};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite};
use tokio::sync::watch;
use tokio::time::Instant;

use super::compress::Deflate;
use super::limits::UserSlot;
use super::{DriverError, Ending, Shared};
use crate::response::{Code, Response, Status, StatusKind};
use crate::server::mailboxes::{Mailboxes, Progress};
use crate::server::session::{AuthOutcome, AuthStep, CloseReason, Event, ServerSession};
use mail_net::Conn;

/// The read buffer of a connection between commands: allocated when needed.
const READ_CHUNK: usize = 4 * 1024;

/// The read buffer while idling (RFC 2177 §3: the client sends only `DONE`), part of the
/// connection's task: thousands of IDLE connections hold no other read buffer.
const IDLE_CHUNK: usize = 64;

/// The read buffer while an APPEND literal streams: fewer, larger reads for big messages;
/// dropped when the APPEND ends.
const APPEND_CHUNK: usize = 64 * 1024;

/// What ended a wait for input.
enum Wake {
    /// `n` octets were read.
    Read(usize),
    /// The autologout time-out (RFC 9051 §5.4) passed.
    Timeout,
    /// While idling: the selected mailbox may have changed.
    Changed,
    /// The server's grace period is over.
    Stop,
}

/// What one connection holds besides the session.
struct Connection<'a, IO> {
    conn: Conn<IO>,
    shared: &'a Shared,
    sasl: sasl::Exchange,
    mailboxes: Mailboxes,
    /// COMPRESS=DEFLATE (RFC 4978) once started.
    deflate: Option<Box<Deflate>>,
    /// This connection counted against its user's limit.
    slot: Option<UserSlot>,
    /// An APPEND announced a message and has not ended: the big read buffer is used, and the
    /// glue discards the messages if the connection ends.
    appending: bool,
    /// Between [`Event::Idle`] and [`Event::IdleDone`]: changes of the mailbox are pushed.
    idling: bool,
    /// Turns true when the server's grace period is over.
    stop: watch::Receiver<bool>,
}

/// Drives `session` over `io` until it closes; returns why.
pub(crate) async fn drive<IO>(
    io: IO,
    session: &mut ServerSession,
    shared: &Shared,
    stop: watch::Receiver<bool>,
) -> Result<Ending, DriverError>
where
    IO: AsyncRead + AsyncWrite + Unpin + Send,
{
    let mut c = Connection {
        conn: Conn::Plain(io),
        shared,
        sasl: sasl::Exchange::new(),
        mailboxes: Mailboxes::new(shared.store.clone()),
        deflate: None,
        slot: None,
        appending: false,
        idling: false,
        stop,
    };
    let result = c.run(session).await;
    if c.appending {
        // Dropped mid-APPEND (or a write failed at its end): nothing half-written stays.
        c.mailboxes.append_aborted();
    }
    drop(c.slot.take());
    result
}

impl<IO: AsyncRead + AsyncWrite + Unpin + Send> Connection<'_, IO> {
    async fn run(&mut self, session: &mut ServerSession) -> Result<Ending, DriverError> {
        if session.is_tls() {
            Box::pin(self.handshake()).await?;
        }
        let mut tiny = [0u8; IDLE_CHUNK];
        let mut small: Option<Vec<u8>> = None;
        let mut big: Option<Vec<u8>> = None;
        let mut plain = Vec::new();
        let mut last_input = Instant::now();
        loop {
            if let Some(ending) = self.handle_events(session).await? {
                return Ok(ending);
            }
            self.write_out(session).await?;
            // Compressed input already read is inflated one chunk at a time before reading more.
            if let Some(deflate) = self.deflate.as_mut().filter(|d| d.has_input()) {
                deflate.inflate(&mut plain)?;
                if !plain.is_empty() {
                    session.feed(&plain);
                    continue;
                }
            }
            if !self.appending {
                big = None;
            }
            let buf: &mut [u8] = if self.appending {
                big.get_or_insert_with(|| vec![0u8; APPEND_CHUNK])
            } else if self.idling {
                small = None;
                &mut tiny
            } else {
                small.get_or_insert_with(|| vec![0u8; READ_CHUNK])
            };
            let deadline = last_input + session.autologout();
            let idling = self.idling;
            let woke = tokio::select! {
                read = tokio::time::timeout_at(deadline, self.conn.read(buf)) => match read {
                    Err(_) => Wake::Timeout,
                    Ok(Ok(0)) => return Ok(Ending::Closed(CloseReason::PeerClosed)),
                    Ok(Ok(n)) => Wake::Read(n),
                    Ok(Err(e)) => return Err(DriverError::Io(e)),
                },
                // IDLE (RFC 2177): the store's change notifier (at once for changes in this
                // process) or its poll interval (other processes).
                () = self.mailboxes.changed(), if idling => Wake::Changed,
                // A closed channel (its sender dropped) never asks to stop.
                Ok(_) = self.stop.wait_for(|stop| *stop) => Wake::Stop,
            };
            match woke {
                Wake::Read(n) => {
                    last_input = Instant::now();
                    let input = buf.get(..n).unwrap_or_default();
                    match self.deflate.as_mut() {
                        Some(deflate) => deflate.push(input),
                        None => session.feed(input),
                    }
                }
                Wake::Timeout => session.timeout(),
                Wake::Changed => Box::pin(self.mailboxes.idle_poll(session)).await,
                Wake::Stop => session.shutdown(),
            }
        }
    }

    /// Answers the session's events until it needs input; `Some` when it closed.
    async fn handle_events(
        &mut self,
        session: &mut ServerSession,
    ) -> Result<Option<Ending>, DriverError> {
        loop {
            match session.next_event()? {
                Event::NeedInput => return Ok(None),
                // Back-pressure: write, then go on without reading.
                Event::Flush => self.write_out(session).await?,
                Event::Close(reason) => {
                    self.close(session).await?;
                    return Ok(Some(Ending::Closed(reason)));
                }
                Event::Login { user, password } => {
                    let result = self
                        .shared
                        .credentials
                        .check_password(&user, &password)
                        .await;
                    let outcome = outcome(self.shared.failure_delay, result).await;
                    session.auth_outcome(outcome)?;
                }
                Event::Auth(step) => {
                    // Rare and large futures are boxed: the connection's task stays small.
                    let outcome = Box::pin(self.sasl_step(step)).await;
                    session.auth_outcome(outcome)?;
                }
                Event::OpenAccount { user } => {
                    let max = self.shared.max_per_user;
                    let Some(slot) = self.shared.users.try_acquire(&user, max) else {
                        // RFC 5530 LIMIT: the user's connections are at the server's limit.
                        session.untagged(&Response::Status(Status {
                            tag: None,
                            kind: StatusKind::Bye,
                            code: Some(Code::Limit),
                            text: "Too many connections for this user".into(),
                        }));
                        self.close(session).await?;
                        return Ok(Some(Ending::UserLimit));
                    };
                    let result = Box::pin(self.mailboxes.open(&user)).await;
                    if result.is_ok() {
                        self.slot = Some(slot);
                    }
                    session.account_opened(result)?;
                }
                Event::Command(request) => {
                    self.appending = false;
                    let mut progress = Box::pin(self.mailboxes.run(request, session)).await;
                    while progress == Progress::Paused {
                        self.write_out(session).await?;
                        progress = Box::pin(self.mailboxes.resume(session)).await;
                    }
                }
                Event::AppendMessage(message) => {
                    self.appending = true;
                    Box::pin(self.mailboxes.append_message(message, session)).await;
                }
                Event::AppendData(data) => Box::pin(self.mailboxes.append_data(&data)).await,
                Event::AppendMessageEnd => Box::pin(self.mailboxes.append_message_end()).await,
                Event::AppendEnd => {
                    Box::pin(self.mailboxes.append_end(session)).await;
                    self.appending = false;
                }
                Event::AppendAborted => {
                    self.mailboxes.append_aborted();
                    self.appending = false;
                }
                Event::Idle => self.idling = true,
                Event::IdleDone => self.idling = false,
                Event::StartTls => {
                    self.write_out(session).await?;
                    Box::pin(self.handshake()).await?;
                    session.tls_started()?;
                }
                Event::Compress => {
                    // The tagged OK goes out uncompressed; everything after it is compressed.
                    self.write_out(session).await?;
                    self.deflate = Some(Box::new(Deflate::new()));
                    session.compression_started()?;
                }
            }
        }
    }

    /// Writes the session's output (compressed once COMPRESS is on) within the write time-out,
    /// given up when the server stops: a client that does not read its responses is dropped.
    /// The output buffer is handed over and freed, so an idle session keeps none.
    async fn write_out(&mut self, session: &mut ServerSession) -> io::Result<()> {
        if session.output().is_empty() {
            return Ok(());
        }
        let plain = session.take_output();
        let bytes = match self.deflate.as_mut() {
            Some(deflate) => deflate.compress(&plain)?,
            None => plain,
        };
        let timeout = self.shared.write_timeout;
        self.conn
            .write_all_within(&bytes, timeout, &mut self.stop)
            .await
    }

    /// Writes the last output and closes the sending side.
    async fn close(&mut self, session: &mut ServerSession) -> io::Result<()> {
        self.idling = false;
        self.write_out(session).await?;
        let timeout = self.shared.write_timeout;
        let _ = self.conn.shutdown_within(timeout, &mut self.stop).await;
        Ok(())
    }

    /// Runs one SASL step with the shared `sasl` crate against the credential store.
    async fn sasl_step(&mut self, step: AuthStep) -> AuthOutcome {
        let store = &self.shared.credentials;
        let response = step.response.as_ref().map(|r| r.expose().as_slice());
        match self
            .sasl
            .step(step.mechanism, step.first, response, store)
            .await
        {
            sasl::ExchangeStep::Challenge(challenge) => AuthOutcome::Challenge(challenge),
            sasl::ExchangeStep::Success { identity } => AuthOutcome::Success { identity },
            sasl::ExchangeStep::Temporary => AuthOutcome::Temporary,
            sasl::ExchangeStep::Failure => {
                tokio::time::sleep(self.shared.failure_delay).await;
                AuthOutcome::Failure
            }
        }
    }

    /// Runs the TLS handshake within the handshake time-out, given up when the server stops:
    /// a silent client must not hold its connection (and a graceful shutdown) forever.
    async fn handshake(&mut self) -> Result<(), DriverError> {
        let acceptor = self
            .shared
            .acceptor
            .as_ref()
            .ok_or(DriverError::NoTlsConfig)?;
        let timeout: Duration = self.shared.handshake_timeout;
        self.conn
            .accept_tls_within(acceptor, timeout, &mut self.stop)
            .await
            .map_err(DriverError::Tls)
    }
}

/// Maps a credential check to the session's outcome (a free function: a future holding
/// `&Connection` across the sleep would need the connection to be `Sync`); a failure is answered after the
/// policy's delay ([`sasl::AuthPolicy::failure_delay`]: slows password guessing).
async fn outcome(failure_delay: Duration, result: Result<String, CredentialError>) -> AuthOutcome {
    match result {
        Ok(identity) => AuthOutcome::Success { identity },
        Err(CredentialError::Rejected) => {
            tokio::time::sleep(failure_delay).await;
            AuthOutcome::Failure
        }
        Err(_) => AuthOutcome::Temporary,
    }
}
