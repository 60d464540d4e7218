//! One connection: the driver loop around a [`ServerSession`] (read → feed → events → answers from
//! the credential store and the mail store → write), with the time-outs.

use std::io;
use std::sync::Arc;

use futures::StreamExt as _;
use mailstore::{Account, Flag, FlagOp, StoreError, UidSet};
use sasl::{CredentialError, CredentialStore as _};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite};
use tokio::sync::watch;

use super::limits::MaildropLock;
use super::{DriverError, Shared};
use crate::session::{
    AuthOutcome, AuthStep, CloseReason, Event, MaildropEntry, MaildropError, ServerSession,
    UpdateOutcome, apop,
};
use mail_net::Conn;

/// Output is written once it grows past this while a body streams.
const FLUSH_AT: usize = 64 * 1024;

/// Largest message read ahead: after `RETR n`, message `n + 1` is read in the background, as
/// clients download in order; the next `RETR` then finds it in memory.
const READ_AHEAD_MAX: u64 = 128 * 1024;

/// A message being read ahead; the read stops if it is dropped unused.
struct ReadAhead {
    id: u32,
    task: tokio::task::JoinHandle<mailstore::Result<Vec<u8>>>,
}

impl Drop for ReadAhead {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// What one connection holds besides the session.
struct Connection<'a, IO> {
    conn: Conn<IO>,
    shared: &'a Shared,
    sasl: sasl::Exchange,
    account: Option<Arc<dyn Account>>,
    /// This server's lock and the store's (held until the connection ends).
    lock: Option<(MaildropLock, Option<mailstore::MailboxLock>)>,
    /// `(id, size)` of the maildrop's messages, by message number.
    order: Vec<(u32, u64)>,
    read_ahead: Option<ReadAhead>,
    /// Turns true when the server's grace period is over.
    stop: watch::Receiver<bool>,
}

/// Drives `session` over `io` until it closes; returns why.
pub(crate) async fn drive<IO>(
    io: IO,
    session: &mut ServerSession,
    shared: &Shared,
    mut stop: watch::Receiver<bool>,
) -> Result<CloseReason, DriverError>
where
    IO: AsyncRead + AsyncWrite + Unpin + Send,
{
    let mut conn = Conn::Plain(io);
    if session.is_tls() {
        let acceptor = shared.acceptor.as_ref().ok_or(DriverError::NoTlsConfig)?;
        handshake(&mut conn, acceptor, shared, &mut stop).await?;
    }
    let mut c = Connection {
        conn,
        shared,
        sasl: sasl::Exchange::new(),
        account: None,
        lock: None,
        order: Vec::new(),
        read_ahead: None,
        stop,
    };
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        loop {
            match session.next_event()? {
                Event::NeedInput => break,
                // Back-pressure: write, then go on without reading.
                Event::Flush => c.write_out(session).await?,
                Event::Close(reason) => {
                    c.write_out(session).await?;
                    let timeout = shared.write_timeout;
                    let _ = c.conn.shutdown_within(timeout, &mut c.stop).await;
                    return Ok(reason);
                }
                Event::Login { user, password } => {
                    let result = shared.credentials.check_password(&user, &password).await;
                    let outcome = c.outcome(result).await;
                    session.auth_outcome(outcome)?;
                }
                Event::Apop { user, digest } => {
                    let timestamp = session.apop_timestamp().unwrap_or_default();
                    let result = match shared.credentials.shared_secret(&user).await {
                        Ok(Some(secret))
                            if apop::verify(timestamp, secret.expose(), digest.expose()) =>
                        {
                            Ok(user)
                        }
                        Ok(_) => Err(CredentialError::Rejected),
                        Err(e) => Err(e),
                    };
                    let outcome = c.outcome(result).await;
                    session.auth_outcome(outcome)?;
                }
                Event::Auth(step) => {
                    let outcome = c.sasl_step(step).await;
                    session.auth_outcome(outcome)?;
                }
                Event::OpenMaildrop { user } => {
                    let result = c.open_maildrop(&user).await;
                    session.maildrop_opened(result)?;
                }
                Event::Retrieve { msg, id, lines } => {
                    c.retrieve(session, id).await?;
                    if lines.is_none() {
                        c.read_ahead(msg.index() + 1);
                    }
                }
                Event::Update { deleted } => {
                    let outcome = c.update(&deleted).await;
                    session.update_done(outcome)?;
                    // The lock is released when the connection ends, after the reply.
                }
                Event::StartTls => {
                    c.write_out(session).await?;
                    let acceptor = shared.acceptor.as_ref().ok_or(DriverError::NoTlsConfig)?;
                    handshake(&mut c.conn, acceptor, shared, &mut c.stop).await?;
                    session.tls_started()?;
                }
            }
        }
        c.write_out(session).await?;
        tokio::select! {
            read = tokio::time::timeout(shared.idle_timeout, c.conn.read(&mut buf)) => match read {
                Err(_) => session.timeout(),
                Ok(Ok(0)) => return Ok(CloseReason::PeerClosed),
                Ok(Ok(n)) => session.feed(buf.get(..n).unwrap_or_default()),
                Ok(Err(e)) => return Err(DriverError::Io(e)),
            },
            // A closed channel (its sender dropped) never asks to stop.
            Ok(_) = c.stop.wait_for(|stop| *stop) => session.shutdown(),
        }
    }
}

impl<IO: AsyncRead + AsyncWrite + Unpin + Send> Connection<'_, IO> {
    /// Writes and flushes the session's output within the write time-out, given up when the
    /// server stops: a client that does not read its replies is dropped.
    async fn write_out(&mut self, session: &mut ServerSession) -> io::Result<()> {
        if session.output().is_empty() {
            return Ok(());
        }
        let timeout = self.shared.write_timeout;
        self.conn
            .write_all_within(session.output(), timeout, &mut self.stop)
            .await?;
        session.output_written(session.output().len());
        Ok(())
    }

    /// Maps a credential check to the session's outcome; a failure is answered after the
    /// policy's delay ([`sasl::AuthPolicy::failure_delay`]: slows password guessing).
    async fn outcome(&self, result: Result<String, CredentialError>) -> AuthOutcome {
        match result {
            Ok(identity) => AuthOutcome::Success { identity },
            Err(CredentialError::Rejected) => {
                tokio::time::sleep(self.shared.failure_delay).await;
                AuthOutcome::Failure
            }
            Err(_) => AuthOutcome::Temporary,
        }
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

    /// Locks the user's maildrop (RFC 1939 §8) and lists it, oldest message first.
    async fn open_maildrop(&mut self, user: &str) -> Result<Vec<MaildropEntry>, MaildropError> {
        let lock = self
            .shared
            .locks
            .try_lock(user)
            .ok_or(MaildropError::InUse)?;
        let account = self.shared.store.account(user).await.map_err(store_error)?;
        let mailbox = &self.shared.mailbox;
        // The store's lock also excludes sessions of other processes on the same mail.
        let store_lock = match account.lock_exclusive(mailbox).await {
            Ok(lock) => Some(lock),
            Err(StoreError::Locked(_)) => return Err(MaildropError::InUse),
            Err(StoreError::NoSuchMailbox(_)) => None,
            Err(e) => return Err(store_error(e)),
        };
        let messages = match account.messages(mailbox, &UidSet::all()).await {
            Ok(messages) => messages,
            Err(StoreError::NoSuchMailbox(_)) => Vec::new(),
            Err(e) => return Err(store_error(e)),
        };
        self.lock = Some((lock, store_lock));
        self.account = Some(account);
        self.order = messages.iter().map(|m| (m.uid, m.size)).collect();
        Ok(messages
            .into_iter()
            .map(|m| MaildropEntry {
                id: m.uid,
                size: m.size,
                unique_id: m.unique_id,
            })
            .collect())
    }

    /// Streams message `id` into the session (`RETR`/`TOP`), flushing as the output grows.
    async fn retrieve(&mut self, session: &mut ServerSession, id: u32) -> Result<(), DriverError> {
        let Some(account) = self.account.clone() else {
            session.body_failed()?;
            return Ok(());
        };
        if let Some(mut ahead) = self.read_ahead.take_if(|a| a.id == id)
            && let Ok(Ok(message)) = (&mut ahead.task).await
        {
            session.body(&message)?;
            session.body_end()?;
            return Ok(());
        }
        let mut stream = match account.read_stream(&self.shared.mailbox, id).await {
            Ok(stream) => stream,
            Err(error) => {
                tracing::warn!(id, %error, "pop3: message cannot be read");
                session.body_failed()?;
                return Ok(());
            }
        };
        while session.wants_body() {
            match stream.next().await {
                None => break,
                Some(Ok(chunk)) => {
                    session.body(&chunk)?;
                    if session.output().len() >= FLUSH_AT {
                        self.write_out(session).await?;
                    }
                }
                Some(Err(error)) => {
                    tracing::warn!(id, %error, "pop3: reading a message failed");
                    session.body_failed()?;
                    return Ok(());
                }
            }
        }
        session.body_end()?;
        Ok(())
    }

    /// Starts reading the message at `index` (0-based) in the background if it is small.
    fn read_ahead(&mut self, index: usize) {
        self.read_ahead = None;
        let (Some(account), Some(&(id, size))) = (&self.account, self.order.get(index)) else {
            return;
        };
        if size > READ_AHEAD_MAX {
            return;
        }
        let (account, mailbox) = (account.clone(), self.shared.mailbox.clone());
        let task = tokio::spawn(async move { account.read(&mailbox, id).await });
        self.read_ahead = Some(ReadAhead { id, task });
    }

    /// The UPDATE state (RFC 1939 §6): flags the messages `\Deleted` and expunges exactly them.
    async fn update(&mut self, ids: &[u32]) -> UpdateOutcome {
        let Some(account) = &self.account else {
            return UpdateOutcome::Partial;
        };
        let mailbox = &self.shared.mailbox;
        let uids: UidSet = ids.iter().copied().collect();
        let deleted = mailstore::flags([Flag::Deleted]);
        if let Err(error) = account
            .store_flags(mailbox, &uids, FlagOp::Add, &deleted, None)
            .await
        {
            tracing::warn!(%error, "pop3: UPDATE could not flag messages");
            return UpdateOutcome::Partial;
        }
        match account.expunge(mailbox, Some(&uids)).await {
            Ok(removed) if removed.len() == ids.len() => UpdateOutcome::Done,
            Ok(removed) => {
                tracing::warn!(
                    asked = ids.len(),
                    removed = removed.len(),
                    "pop3: UPDATE removed fewer messages than marked"
                );
                UpdateOutcome::Partial
            }
            Err(error) => {
                tracing::warn!(%error, "pop3: UPDATE expunge failed");
                UpdateOutcome::Partial
            }
        }
    }
}

/// Runs the TLS handshake within the idle time-out, and gives it up when the server stops: a
/// silent client must not hold its connection (and a graceful shutdown) forever.
async fn handshake<IO: AsyncRead + AsyncWrite + Unpin>(
    conn: &mut Conn<IO>,
    acceptor: &tokio_rustls::TlsAcceptor,
    shared: &Shared,
    stop: &mut watch::Receiver<bool>,
) -> Result<(), DriverError> {
    conn.accept_tls_within(acceptor, shared.idle_timeout, stop)
        .await
        .map_err(DriverError::Tls)
}

fn store_error(error: StoreError) -> MaildropError {
    tracing::warn!(%error, "pop3: maildrop cannot be opened");
    if error.is_temporary() {
        MaildropError::Temporary
    } else {
        MaildropError::Permanent
    }
}
