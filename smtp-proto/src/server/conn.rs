//! One connection: the driver loop around a [`ServerSession`] (read → feed → events → write → time-outs).

use std::io;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite};
use tokio::sync::watch;

use super::auth::Sasl;
use super::handler::{Handler, Session};
use super::{DriverError, Options};
use crate::session::server::{CloseReason, Decision, Event, Protocol, ServerSession, reply};
use mail_net::Conn;

/// What the session's log line reports.
#[derive(Debug, Default)]
pub(crate) struct Stats {
    pub(crate) tls: bool,
    pub(crate) messages: u32,
    pub(crate) user: Option<String>,
}

/// Drives `session` over `io` until it closes; returns why.
pub(crate) async fn drive<IO, H>(
    io: IO,
    mut session: ServerSession,
    app: &mut H::Session,
    handler: &H,
    options: &Options,
    mut stop: watch::Receiver<bool>,
    stats: &mut Stats,
) -> Result<CloseReason, DriverError>
where
    IO: AsyncRead + AsyncWrite + Unpin + Send,
    H: Handler,
{
    let mut conn = Conn::Plain(io);
    if session.is_tls() {
        let acceptor = options.acceptor.as_ref().ok_or(DriverError::NoTlsConfig)?;
        handshake(&mut conn, acceptor, options, &mut stop).await?;
        stats.tls = true;
    }
    let mut buf = vec![0u8; 16 * 1024];
    let mut sasl = Sasl::default();
    // A data_chunk error: the reply for the end of data.
    let mut data_failure = None;
    loop {
        loop {
            let event = session.next_event()?;
            match event {
                Event::NeedInput => break,
                // Back-pressure: write, then go on without reading.
                Event::Flush => write_out(&mut conn, &mut session, options, &mut stop).await?,
                Event::Close(reason) => {
                    write_out(&mut conn, &mut session, options, &mut stop).await?;
                    let _ = conn.shutdown_within(options.write_timeout, &mut stop).await;
                    return Ok(reason);
                }
                Event::Hello { host, extended } => {
                    session.decide(app.hello(&host, extended).await.into())?
                }
                Event::Mail(from) => {
                    let decision = app.mail(&from).await.into();
                    session.decide(decision)?;
                }
                Event::Rcpt(to) => {
                    let decision = app.rcpt(&to).await.into();
                    session.decide(decision)?;
                }
                Event::DataStart { .. } => {
                    data_failure = None;
                    session.decide(app.data_start().await.into())?;
                }
                Event::DataChunk(bytes) => {
                    if data_failure.is_none()
                        && let Err(r) = app.data_chunk(bytes).await
                    {
                        data_failure = Some(r);
                    }
                }
                Event::DataEnd(end) => {
                    stats.messages += 1;
                    let decisions = match data_failure.take() {
                        Some(r) => vec![Decision::Reject(r); end.replies],
                        None if session.config().protocol == Protocol::Lmtp => {
                            app.data_end_per_recipient(&end).await
                        }
                        None => vec![app.data_end(&end).await],
                    };
                    let mut decisions = decisions.into_iter();
                    for _ in 0..end.replies {
                        let missing = || {
                            Decision::Reject(reply(451, (4, 3, 0), "no status for this recipient"))
                        };
                        session.decide(decisions.next().unwrap_or_else(missing))?;
                    }
                }
                Event::DataAborted | Event::Reset => app.reset().await,
                Event::Vrfy(arg) => session.decide(app.vrfy(&arg).await)?,
                Event::Expn(arg) => session.decide(app.expn(&arg).await)?,
                Event::Etrn(arg) => session.decide(app.etrn(&arg).await)?,
                Event::Auth(step) => {
                    let policy = &session.config().auth;
                    let outcome = sasl.step(step, handler.credentials(), policy).await;
                    if let crate::session::server::AuthOutcome::Success { identity } = &outcome {
                        app.authenticated(identity).await;
                        stats.user = Some(identity.clone());
                    }
                    session.auth_outcome(outcome)?;
                }
                Event::StartTls => {
                    write_out(&mut conn, &mut session, options, &mut stop).await?;
                    let acceptor = options.acceptor.as_ref().ok_or(DriverError::NoTlsConfig)?;
                    handshake(&mut conn, acceptor, options, &mut stop).await?;
                    stats.tls = true;
                    session.tls_started()?;
                }
            }
        }
        write_out(&mut conn, &mut session, options, &mut stop).await?;
        let limit = if session.is_receiving_data() {
            options.data_timeout
        } else {
            options.command_timeout
        };
        tokio::select! {
            read = tokio::time::timeout(limit, conn.read(&mut buf)) => match read {
                Err(_) => session.timeout(),
                Ok(Ok(0)) => return Ok(CloseReason::PeerClosed),
                Ok(Ok(n)) => session.feed(buf.get(..n).unwrap_or_default()),
                Ok(Err(e)) => return Err(DriverError::Io(e)),
            },
            // A closed channel (its sender dropped) never asks to stop.
            Ok(_) = stop.wait_for(|stop| *stop) => session.shutdown(),
        }
    }
}

/// The server side of a TLS handshake, within the command time-out and given up when the server
/// stops: a silent client must not hold its connection slot, or the shutdown.
async fn handshake<IO: AsyncRead + AsyncWrite + Unpin>(
    conn: &mut Conn<IO>,
    acceptor: &tokio_rustls::TlsAcceptor,
    options: &Options,
    stop: &mut watch::Receiver<bool>,
) -> Result<(), DriverError> {
    conn.accept_tls_within(acceptor, options.command_timeout, stop)
        .await
        .map_err(DriverError::Tls)
}

/// Writes and flushes the session's output within the write time-out, given up when the server
/// stops: a client that does not read its replies is dropped.
async fn write_out<IO: AsyncRead + AsyncWrite + Unpin>(
    conn: &mut Conn<IO>,
    session: &mut ServerSession,
    options: &Options,
    stop: &mut watch::Receiver<bool>,
) -> io::Result<()> {
    if !session.output().is_empty() {
        conn.write_all_within(session.output(), options.write_timeout, stop)
            .await?;
        session.output_written(session.output().len());
    }
    Ok(())
}
