//! Bounded I/O: every write and handshake of a server ends within a time-out, and gives up when
//! the server stops.

use std::future::Future;
use std::io;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt};
use tokio::sync::watch;
use tokio_rustls::TlsAcceptor;

use crate::Conn;

/// Resolves when the stop flag turns true; never, if it is already true when called or if its
/// sender is gone.
///
/// A flag already set does not cut an operation short: after the grace period a session still
/// writes its farewell reply (e.g. `421 4.3.2`), bounded by its time-out and by the
/// [`crate::Listener`]'s abort deadline.
async fn turns(stop: &mut watch::Receiver<bool>) {
    if *stop.borrow_and_update() {
        return std::future::pending().await;
    }
    if stop.wait_for(|stop| *stop).await.is_err() {
        std::future::pending::<()>().await;
    }
}

/// Runs `op` until it finishes, `timeout` passes (an [`io::ErrorKind::TimedOut`] error) or the
/// stop flag turns true (an [`io::ErrorKind::ConnectionAborted`] error); `what` names the
/// operation in the error ("write", "TLS handshake").
///
/// The one bound of every server write and handshake; [`Conn::write_all_within`] and
/// [`Conn::accept_tls_within`] use it. A flag that is already true when `bounded` is called
/// does not cut `op` short (the farewell reply after the grace period is still written, within
/// `timeout`).
pub async fn bounded<T>(
    what: &'static str,
    timeout: Duration,
    stop: &mut watch::Receiver<bool>,
    op: impl Future<Output = io::Result<T>>,
) -> io::Result<T> {
    tokio::select! {
        done = tokio::time::timeout(timeout, op) => match done {
            Ok(result) => result,
            Err(_) => Err(io::Error::new(io::ErrorKind::TimedOut, format!("{what} timed out"))),
        },
        () = turns(stop) => Err(io::Error::new(
            io::ErrorKind::ConnectionAborted,
            format!("{what} given up: the server is stopping"),
        )),
    }
}

impl<IO: AsyncRead + AsyncWrite + Unpin> Conn<IO> {
    /// Writes all of `bytes` and flushes, within `timeout`, giving up if the stop flag turns
    /// (see [`bounded`]). A peer that does not read its replies cannot hold the connection
    /// (and the server's shutdown) longer than that.
    pub async fn write_all_within(
        &mut self,
        bytes: &[u8],
        timeout: Duration,
        stop: &mut watch::Receiver<bool>,
    ) -> io::Result<()> {
        bounded("write", timeout, stop, async {
            self.write_all(bytes).await?;
            self.flush().await
        })
        .await
    }

    /// The server side of a TLS handshake ([`Conn::accept_tls`]) within `timeout`, giving up if
    /// the stop flag turns (see [`bounded`]): a client that never sends its ClientHello cannot
    /// hold its connection slot, or the server's shutdown.
    pub async fn accept_tls_within(
        &mut self,
        acceptor: &TlsAcceptor,
        timeout: Duration,
        stop: &mut watch::Receiver<bool>,
    ) -> io::Result<()> {
        bounded("TLS handshake", timeout, stop, self.accept_tls(acceptor)).await
    }

    /// Closes the sending side (for TLS, after a close_notify alert) within `timeout`, giving
    /// up if the stop flag turns (see [`bounded`]).
    pub async fn shutdown_within(
        &mut self,
        timeout: Duration,
        stop: &mut watch::Receiver<bool>,
    ) -> io::Result<()> {
        bounded("shutdown", timeout, stop, self.shutdown()).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;
    use tokio::net::{TcpListener, TcpStream};

    /// A connected pair over loopback; the second end never reads.
    async fn pair() -> (Conn<TcpStream>, TcpStream) {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let (client, accepted) = tokio::join!(TcpStream::connect(addr), listener.accept());
        let (server, _) = accepted.expect("accept");
        (Conn::Plain(server), client.expect("connect"))
    }

    /// 64 MiB never fits the socket buffers of a peer that does not read.
    const JAM: usize = 64 << 20;

    #[tokio::test]
    async fn write_to_a_peer_that_never_reads_times_out() {
        let (mut conn, _peer) = pair().await;
        let (_tx, mut stop) = watch::channel(false);
        let started = Instant::now();
        let error = conn
            .write_all_within(&vec![b'x'; JAM], Duration::from_millis(200), &mut stop)
            .await
            .expect_err("the write cannot finish");
        assert_eq!(error.kind(), io::ErrorKind::TimedOut);
        let took = started.elapsed();
        assert!(took >= Duration::from_millis(200), "{took:?}");
        assert!(took < Duration::from_secs(3), "{took:?}");
    }

    #[tokio::test]
    async fn write_gives_up_when_the_stop_flag_turns() {
        let (mut conn, _peer) = pair().await;
        let (tx, mut stop) = watch::channel(false);
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(100)).await;
            let _ = tx.send(true);
            // Keep the sender alive: a dropped sender must not count as "stop".
            tokio::time::sleep(Duration::from_secs(60)).await;
        });
        let started = Instant::now();
        let error = conn
            .write_all_within(&vec![b'x'; JAM], Duration::from_secs(60), &mut stop)
            .await
            .expect_err("the write cannot finish");
        assert_eq!(error.kind(), io::ErrorKind::ConnectionAborted);
        assert!(started.elapsed() < Duration::from_secs(5));
    }

    /// A flag already set lets a small farewell write through; a dropped sender never stops.
    #[tokio::test]
    async fn flag_already_set_or_sender_gone_does_not_cut_short() {
        use tokio::io::AsyncReadExt;
        let (mut conn, mut peer) = pair().await;
        let (tx, mut stop) = watch::channel(true);
        conn.write_all_within(b"421 bye\r\n", Duration::from_secs(5), &mut stop)
            .await
            .expect("farewell written");
        drop(tx);
        conn.write_all_within(b"more\r\n", Duration::from_secs(5), &mut stop)
            .await
            .expect("written with the sender gone");
        let mut got = [0u8; 15];
        peer.read_exact(&mut got).await.expect("read");
        assert_eq!(&got, b"421 bye\r\nmore\r\n");
    }
}
