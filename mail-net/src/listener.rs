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

/// How many connections a [`Listener`] takes, and how long it waits at shutdown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Most simultaneous connections in total.
    pub max_connections: usize,
    /// Most simultaneous connections from one client address.
    pub max_per_ip: usize,
    /// How long sessions may go on after shutdown starts before they are told to close.
    pub grace: Duration,
}

impl Default for Limits {
    /// 1000 connections, 50 per address, 10 seconds of grace.
    fn default() -> Self {
        Self {
            max_connections: 1000,
            max_per_ip: 50,
            grace: Duration::from_secs(10),
        }
    }
}

/// Accepts connections and runs a session task for each, within [`Limits`].
///
/// A connection over a limit is sent the refusal bytes (the protocol's "busy" reply, e.g.
/// `421 4.7.0 ...` or `-ERR [SYS/TEMP] ...`) and closed. Each session gets a
/// `watch::Receiver<bool>` that turns true when the grace period after shutdown is over: the
/// session then closes cleanly at its next safe point.
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
    /// sets `stop` for the rest, and returns when all are gone.
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
                    let slot = per_ip.try_acquire(peer.ip(), self.limits.max_per_ip);
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
                                let _ = tcp.write_all(&refusal).await;
                                let _ = tcp.shutdown().await;
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
            while tasks.join_next().await.is_some() {}
        }
        Ok(())
    }
}

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

    /// Over real sockets: the second connection from one address is refused while the first
    /// is open; shutdown tells the remaining session to stop after the grace period.
    #[tokio::test]
    async fn limits_and_shutdown() {
        let tcp = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = tcp.local_addr().expect("addr");
        let limits = Limits {
            max_connections: 10,
            max_per_ip: 1,
            grace: Duration::from_millis(100),
        };
        let listener = Listener::new(limits, b"BUSY\r\n".to_vec());
        let (shutdown_tx, shutdown_rx) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(async move {
            listener
                .serve(
                    tcp,
                    async {
                        let _ = shutdown_rx.await;
                    },
                    |mut tcp, _peer, mut stop| async move {
                        let _ = tcp.write_all(b"HELLO\r\n").await;
                        let _ = stop.wait_for(|s| *s).await;
                        let _ = tcp.write_all(b"BYE\r\n").await;
                    },
                )
                .await
        });
        let mut first = TcpStream::connect(addr).await.expect("connect");
        let mut buf = [0u8; 7];
        first.read_exact(&mut buf).await.expect("hello");
        assert_eq!(&buf, b"HELLO\r\n");
        let mut second = TcpStream::connect(addr).await.expect("connect");
        let mut refused = Vec::new();
        second.read_to_end(&mut refused).await.expect("refusal");
        assert_eq!(refused, b"BUSY\r\n");
        let _ = shutdown_tx.send(());
        let mut rest = Vec::new();
        first.read_to_end(&mut rest).await.expect("bye");
        assert_eq!(rest, b"BYE\r\n");
        let done = tokio::time::timeout(Duration::from_secs(5), server).await;
        assert!(matches!(done, Ok(Ok(Ok(())))));
    }
}
