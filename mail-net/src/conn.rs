//! A connection that is plain or TLS, and can turn TLS in place.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio_rustls::rustls::pki_types::ServerName;
use tokio_rustls::{TlsAcceptor, TlsConnector, TlsStream};

/// A plain or TLS stream over `IO` (a `TcpStream`, or an in-memory pipe in tests).
#[derive(Debug)]
pub enum Conn<IO> {
    /// No TLS (yet).
    Plain(IO),
    /// Under TLS, server or client side.
    Tls(Box<TlsStream<IO>>),
    /// During a handshake, or after a failed one: every I/O fails with `NotConnected`.
    Gone,
}

impl<IO: AsyncRead + AsyncWrite + Unpin> Conn<IO> {
    /// Whether TLS is active.
    pub fn is_tls(&self) -> bool {
        matches!(self, Conn::Tls(_))
    }

    fn take_plain(&mut self) -> io::Result<IO> {
        match std::mem::replace(self, Conn::Gone) {
            Conn::Plain(io) => Ok(io),
            other => {
                *self = other;
                Err(io::Error::other(
                    "TLS requested on a connection that is not plain",
                ))
            }
        }
    }

    /// Runs the server side of a TLS handshake over the plain stream (after STARTTLS/STLS's
    /// positive reply was written, or at once for implicit TLS).
    pub async fn accept_tls(&mut self, acceptor: &TlsAcceptor) -> io::Result<()> {
        let io = self.take_plain()?;
        *self = Conn::Tls(Box::new(TlsStream::Server(acceptor.accept(io).await?)));
        Ok(())
    }

    /// Runs the client side of a TLS handshake with `server` over the plain stream.
    pub async fn connect_tls(
        &mut self,
        connector: &TlsConnector,
        server: ServerName<'static>,
    ) -> io::Result<()> {
        let io = self.take_plain()?;
        *self = Conn::Tls(Box::new(TlsStream::Client(
            connector.connect(server, io).await?,
        )));
        Ok(())
    }
}

fn gone<T>() -> Poll<io::Result<T>> {
    Poll::Ready(Err(io::ErrorKind::NotConnected.into()))
}

impl<IO: AsyncRead + AsyncWrite + Unpin> AsyncRead for Conn<IO> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Conn::Plain(io) => Pin::new(io).poll_read(cx, buf),
            Conn::Tls(tls) => Pin::new(tls.as_mut()).poll_read(cx, buf),
            Conn::Gone => gone(),
        }
    }
}

impl<IO: AsyncRead + AsyncWrite + Unpin> AsyncWrite for Conn<IO> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Conn::Plain(io) => Pin::new(io).poll_write(cx, buf),
            Conn::Tls(tls) => Pin::new(tls.as_mut()).poll_write(cx, buf),
            Conn::Gone => gone(),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Conn::Plain(io) => Pin::new(io).poll_flush(cx),
            Conn::Tls(tls) => Pin::new(tls.as_mut()).poll_flush(cx),
            Conn::Gone => gone(),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Conn::Plain(io) => Pin::new(io).poll_shutdown(cx),
            Conn::Tls(tls) => Pin::new(tls.as_mut()).poll_shutdown(cx),
            Conn::Gone => Poll::Ready(Ok(())),
        }
    }
}
