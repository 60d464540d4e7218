//! The accept loop: connection limits and graceful shutdown.

use std::collections::HashMap;
use std::future::Future;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, watch};
use tokio::task::JoinSet;

/// How many connections a [`Listener`] takes, and how long it waits at shutdown: the one
/// definition of the connection limits of every server of the family (SMTP, POP3, IMAP), which
/// each takes as `Server::limits(Limits)`.
///
/// A connection over a limit is answered with the protocol's "busy" reply and closed.
/// Shutdown runs in three steps, so that it always finishes:
/// 1. stop accepting; sessions go on for up to [`Limits::grace`];
/// 2. the stop flag turns: each session answers its protocol's "shutting down" reply at its next
///    safe point and closes; a write or TLS handshake in progress is given up;
/// 3. [`Limits::abort_after`] later, what is still running is aborted (its task dropped: the
///    socket closes without a farewell, nothing more is acknowledged) and `serve` returns.
///
/// ```
/// use std::time::Duration;
/// let limits = mail_net::Limits::default()
///     .with_connections(200, 10)
///     .with_grace(Duration::from_secs(5));
/// assert_eq!(limits.max_per_address, 10);
/// assert_eq!(limits.abort_after, Duration::from_secs(5));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Most simultaneous connections in total. Default 1000.
    pub max_connections: usize,
    /// Most simultaneous connections from one client IP address. Default 50.
    pub max_per_address: usize,
    /// How long sessions may go on after shutdown starts before they are told to close.
    /// Default 10 seconds.
    pub grace: Duration,
    /// How long after the grace period the sessions still running are aborted. Default 5
    /// seconds.
    pub abort_after: Duration,
}

impl Default for Limits {
    /// 1000 connections, 50 per address, 10 seconds of grace, aborted 5 seconds after that.
    fn default() -> Self {
        Self {
            max_connections: 1000,
            max_per_address: 50,
            grace: Duration::from_secs(10),
            abort_after: Duration::from_secs(5),
        }
    }
}

impl Limits {
    /// Sets [`Limits::max_connections`] and [`Limits::max_per_address`].
    pub fn with_connections(mut self, total: usize, per_address: usize) -> Self {
        self.max_connections = total;
        self.max_per_address = per_address;
        self
    }

    /// Sets [`Limits::grace`].
    pub fn with_grace(mut self, grace: Duration) -> Self {
        self.grace = grace;
        self
    }

    /// Sets [`Limits::abort_after`].
    pub fn with_abort_after(mut self, abort_after: Duration) -> Self {
        self.abort_after = abort_after;
        self
    }
}

/// Accepts connections and runs a session task for each, within [`Limits`].
///
/// A connection over a limit is sent the refusal bytes (the protocol's "busy" reply, e.g.
/// `421 4.7.0 ...` or `-ERR [SYS/TEMP] ...`) and closed. Each session gets a
/// `watch::Receiver<bool>` that turns true when the grace period after shutdown is over: the
/// session then closes cleanly at its next safe point, and gives up a write or handshake in
/// progress ([`crate::bounded`]). Shutdown always finishes: see [`Limits`].
#[derive(Debug, Clone)]
pub struct Listener {
    limits: Limits,
    refusal: Arc<[u8]>,
}

impl Listener {
    /// A listener with `limits`, refusing extra connections with `refusal`.
    pub fn new(limits: Limits, refusal: impl Into<Vec<u8>>) -> Self {
        Self {
            limits,
            refusal: refusal.into().into(),
        }
    }

    /// Accepts on `listener` until `shutdown` resolves, running `session(tcp, peer, stop)` in a
    /// task per connection; then stops accepting, waits up to the grace period for the sessions,
    /// sets `stop` for the rest, waits up to [`Limits::abort_after`] more, aborts what is still
    /// running and returns.
    pub async fn serve<F, Fut>(
        &self,
        listener: TcpListener,
        shutdown: impl Future<Output = ()>,
        session: F,
    ) -> io::Result<()>
    where
        F: Fn(TcpStream, SocketAddr, watch::Receiver<bool>) -> Fut,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let (stop_tx, stop_rx) = watch::channel(false);
        let permits = Arc::new(Semaphore::new(self.limits.max_connections));
        let per_ip = Arc::new(PerIp::default());
        let mut tasks = JoinSet::new();
        tokio::pin!(shutdown);
        loop {
            tokio::select! {
                accepted = listener.accept() => {
                    let (tcp, peer) = match accepted {
                        Ok(pair) => pair,
                        Err(e) => {
                            tracing::warn!(error = %e, "accept failed");
                            // Out of file descriptors and the like: do not spin.
                            tokio::time::sleep(Duration::from_millis(10)).await;
                            continue;
                        }
                    };
                    let _ = tcp.set_nodelay(true);
                    let permit = permits.clone().try_acquire_owned();
                    let slot = per_ip.try_acquire(peer.ip(), self.limits.max_per_address);
                    match (permit, slot) {
                        (Ok(permit), Some(slot)) => {
                            let run = session(tcp, peer, stop_rx.clone());
                            tasks.spawn(async move {
                                run.await;
                                drop((permit, slot));
                            });
                        }
                        _ => {
                            let refusal = self.refusal.clone();
                            tasks.spawn(async move {
                                let mut tcp = tcp;
                                let refuse = async {
                                    tcp.write_all(&refusal).await?;
                                    tcp.shutdown().await
                                };
                                let _ = tokio::time::timeout(REFUSAL_TIMEOUT, refuse).await;
                                tracing::info!(%peer, "connection refused: too many connections");
                            });
                        }
                    }
                }
                () = &mut shutdown => break,
                Some(_) = tasks.join_next(), if !tasks.is_empty() => {}
            }
        }
        drop(listener);
        let drain = async { while tasks.join_next().await.is_some() {} };
        if tokio::time::timeout(self.limits.grace, drain)
            .await
            .is_err()
        {
            let _ = stop_tx.send(true);
            let drain = async { while tasks.join_next().await.is_some() {} };
            if tokio::time::timeout(self.limits.abort_after, drain)
                .await
                .is_err()
            {
                tracing::warn!(
                    sessions = tasks.len(),
                    "shutdown: aborting sessions still running"
                );
                tasks.shutdown().await;
            }
        }
        Ok(())
    }
}

/// How long a refused connection may take to receive its refusal.
const REFUSAL_TIMEOUT: Duration = Duration::from_secs(5);

/// Open connections per client address.
#[derive(Debug, Default)]
struct PerIp {
    counts: Mutex<HashMap<IpAddr, usize>>,
}

/// One counted connection; uncounted on drop.
#[derive(Debug)]
struct IpSlot {
    per_ip: Arc<PerIp>,
    ip: IpAddr,
}

impl PerIp {
    /// Counts a connection from `ip`, or `None` if it already has `max`.
    fn try_acquire(self: &Arc<Self>, ip: IpAddr, max: usize) -> Option<IpSlot> {
        let mut counts = self.counts.lock().unwrap_or_else(PoisonError::into_inner);
        let n = counts.entry(ip).or_insert(0);
        if *n >= max {
            return None;
        }
        *n += 1;
        Some(IpSlot {
            per_ip: self.clone(),
            ip,
        })
    }
}

impl Drop for IpSlot {
    fn drop(&mut self) {
        let mut counts = self
            .per_ip
            .counts
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(n) = counts.get_mut(&self.ip) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                counts.remove(&self.ip);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncReadExt;

    #[test]
    fn per_ip_counts() {
        let per_ip = Arc::new(PerIp::default());
        let ip: IpAddr = [127, 0, 0, 1].into();
        let a = per_ip.try_acquire(ip, 2).expect("1");
        let _b = per_ip.try_acquire(ip, 2).expect("2");
        assert!(per_ip.try_acquire(ip, 2).is_none());
        assert!(per_ip.try_acquire([127, 0, 0, 2].into(), 2).is_some());
        drop(a);
        assert!(per_ip.try_acquire(ip, 2).is_some());
    }

    /// A `serve` running in a task.
    struct Running {
        addr: SocketAddr,
        shutdown: tokio::sync::oneshot::Sender<()>,
        server: tokio::task::JoinHandle<io::Result<()>>,
    }

    impl Running {
        /// Serves `session` on 127.0.0.1 within `limits`, refusing with `BUSY`.
        async fn start<F, Fut>(limits: Limits, session: F) -> Running
        where
            F: Fn(TcpStream, SocketAddr, watch::Receiver<bool>) -> Fut + Send + 'static,
            Fut: Future<Output = ()> + Send + 'static,
        {
            let tcp = TcpListener::bind("127.0.0.1:0").await.expect("bind");
            let addr = tcp.local_addr().expect("addr");
            let (shutdown, shutdown_rx) = tokio::sync::oneshot::channel::<()>();
            let server = tokio::spawn(async move {
                let shutdown = async {
                    let _ = shutdown_rx.await;
                };
                Listener::new(limits, b"BUSY\r\n".to_vec())
                    .serve(tcp, shutdown, session)
                    .await
            });
            Running {
                addr,
                shutdown,
                server,
            }
        }

        /// Starts the shutdown; returns how long `serve` took to return (at most 10 s).
        async fn stop(self) -> Duration {
            let begun = std::time::Instant::now();
            let _ = self.shutdown.send(());
            let done = tokio::time::timeout(Duration::from_secs(10), self.server).await;
            assert!(matches!(done, Ok(Ok(Ok(())))), "serve did not finish");
            begun.elapsed()
        }
    }

    /// Over real sockets: the second connection from one address is refused while the first
    /// is open; shutdown tells the remaining session to stop after the grace period.
    #[tokio::test]
    async fn limits_and_shutdown() {
        let limits = Limits::default()
            .with_connections(10, 1)
            .with_grace(Duration::from_millis(100));
        let running = Running::start(limits, |mut tcp, _peer, mut stop| async move {
            let _ = tcp.write_all(b"HELLO\r\n").await;
            let _ = stop.wait_for(|s| *s).await;
            let _ = tcp.write_all(b"BYE\r\n").await;
        })
        .await;
        let mut first = TcpStream::connect(running.addr).await.expect("connect");
        let mut buf = [0u8; 7];
        first.read_exact(&mut buf).await.expect("hello");
        assert_eq!(&buf, b"HELLO\r\n");
        let mut second = TcpStream::connect(running.addr).await.expect("connect");
        let mut refused = Vec::new();
        second.read_to_end(&mut refused).await.expect("refusal");
        assert_eq!(refused, b"BUSY\r\n");
        let stopping = tokio::spawn(running.stop());
        let mut rest = Vec::new();
        first.read_to_end(&mut rest).await.expect("bye");
        assert_eq!(rest, b"BYE\r\n");
        stopping.await.expect("stopped");
    }

    /// A session that ignores the stop flag is aborted `abort_after` past the grace period,
    /// and `serve` returns then.
    #[tokio::test]
    async fn shutdown_aborts_what_ignores_stop() {
        let (grace, abort_after) = (Duration::from_millis(200), Duration::from_millis(300));
        let limits = Limits::default()
            .with_grace(grace)
            .with_abort_after(abort_after);
        let (started_tx, started_rx) = tokio::sync::oneshot::channel::<()>();
        let started_tx = Mutex::new(Some(started_tx));
        let running = Running::start(limits, move |_tcp, _peer, _stop| {
            let started = started_tx.lock().expect("lock").take();
            async move {
                if let Some(started) = started {
                    let _ = started.send(());
                }
                // Never looks at the stop flag.
                tokio::time::sleep(Duration::from_secs(3600)).await;
            }
        })
        .await;
        let mut client = TcpStream::connect(running.addr).await.expect("connect");
        started_rx.await.expect("session started");
        let took = running.stop().await;
        assert!(took >= grace + abort_after, "returned after {took:?}");
        assert!(
            took < grace + abort_after + Duration::from_secs(2),
            "{took:?}"
        );
        // The aborted session's socket is closed.
        let mut rest = Vec::new();
        let read =
            tokio::time::timeout(Duration::from_secs(2), client.read_to_end(&mut rest)).await;
        assert!(matches!(read, Ok(Ok(0))), "{read:?}");
    }

    /// The default per-address limit: 50 connections from one address are served, the 51st is
    /// refused.
    #[tokio::test]
    async fn default_per_address_limit_refuses_the_51st() {
        let limits = Limits::default();
        assert_eq!((limits.max_connections, limits.max_per_address), (1000, 50));
        assert_eq!(limits.grace, Duration::from_secs(10));
        assert_eq!(limits.abort_after, Duration::from_secs(5));
        let running = Running::start(
            limits.with_grace(Duration::ZERO),
            |mut tcp, _peer, mut stop| async move {
                let _ = tcp.write_all(b"HELLO\r\n").await;
                let _ = stop.wait_for(|s| *s).await;
            },
        )
        .await;
        let mut open = Vec::new();
        for n in 0..50 {
            let mut c = TcpStream::connect(running.addr).await.expect("connect");
            let mut buf = [0u8; 7];
            c.read_exact(&mut buf).await.expect("greeting");
            assert_eq!(&buf, b"HELLO\r\n", "connection {n}");
            open.push(c);
        }
        let mut extra = TcpStream::connect(running.addr).await.expect("connect");
        let mut refused = Vec::new();
        let read = tokio::time::timeout(Duration::from_secs(5), extra.read_to_end(&mut refused));
        read.await.expect("in time").expect("refusal");
        assert_eq!(refused, b"BUSY\r\n");
        running.stop().await;
    }
}
