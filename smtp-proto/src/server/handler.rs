//! The application's seam: what a server asks the application at each step of a transaction.
//!
//! Shaped after go-smtp's `Backend`/`Session`: a [`Handler`] is shared by the server and opens one
//! [`Session`] per connection; the session's methods are named after the protocol's verbs. Every method
//! but [`Session::mail`] and [`Session::rcpt`] has a default, so a minimal application writes two.
//! Optional abilities are default methods: AUTH (return a store from [`Handler::credentials`]), LMTP
//! per-recipient status ([`Session::data_end_per_recipient`]), VRFY/EXPN/ETRN.

use std::net::SocketAddr;
use std::sync::Arc;

use async_trait::async_trait;

use crate::session::server::deps::{Host, MailFrom, Rcpt, Reply, sasl};
use crate::session::server::{DataEnd, Decision};

/// Facts about a connection, given to [`Handler::connect`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ConnectionInfo {
    /// The client's address.
    pub peer: SocketAddr,
    /// The address the client connected to.
    pub local: SocketAddr,
    /// The connection is TLS from its first byte (RFC 8314 implicit TLS).
    pub implicit_tls: bool,
}

impl ConnectionInfo {
    /// Connection facts.
    pub fn new(peer: SocketAddr, local: SocketAddr, implicit_tls: bool) -> Self {
        Self {
            peer,
            local,
            implicit_tls,
        }
    }
}

/// The application, shared by all connections of a server.
#[async_trait]
pub trait Handler: Send + Sync + 'static {
    /// The per-connection state.
    type Session: Session;

    /// A client connected: open a session, or refuse with a reply (e.g. `554 5.7.1`).
    async fn connect(&self, info: &ConnectionInfo) -> Result<Self::Session, Reply<'static>>;

    /// The credential store AUTH checks against; `None` (the default) answers AUTH with 454 4.7.0.
    /// Offer mechanisms with [`crate::session::server::ServerConfig::auth_mechanisms`]. Password
    /// checks run on tokio's blocking pool ([`mail_net::BlockingCredentials`]), so the store may
    /// hash.
    fn credentials(&self) -> Option<Arc<dyn sasl::CredentialStore>> {
        None
    }
}

/// One connection's application state. Methods are called in protocol order; a refused step is
/// answered with the returned reply and the client may try again.
#[async_trait]
pub trait Session: Send {
    /// EHLO/HELO/LHLO. A new hello also ends any transaction ([`Session::reset`] is called first).
    async fn hello(&mut self, _host: &Host<'_>, _extended: bool) -> Result<(), Reply<'static>> {
        Ok(())
    }

    /// AUTH succeeded as `identity` (the sender policy of an MSA starts here).
    async fn authenticated(&mut self, _identity: &str) {}

    /// MAIL FROM: start a transaction.
    async fn mail(&mut self, from: &MailFrom<'_>) -> Result<(), Reply<'static>>;

    /// RCPT TO: add a recipient.
    async fn rcpt(&mut self, to: &Rcpt<'_>) -> Result<(), Reply<'static>>;

    /// DATA or the first BDAT: the body is about to stream in.
    async fn data_start(&mut self) -> Result<(), Reply<'static>> {
        Ok(())
    }

    /// A piece of the body, in order. An error is remembered and becomes the reply at the end of data
    /// (the rest of the body is still read, and not passed on).
    async fn data_chunk(&mut self, chunk: &[u8]) -> Result<(), Reply<'static>>;

    /// The body is complete: accept (with [`Decision::AcceptWith`] to name a queue id) or refuse.
    /// The transaction is over either way.
    async fn data_end(&mut self, end: &DataEnd) -> Decision;

    /// LMTP (RFC 2033 §4.2): one decision per accepted recipient, in RCPT order. The default repeats
    /// [`Session::data_end`]'s decision; missing entries are answered 451 4.3.0.
    async fn data_end_per_recipient(&mut self, end: &DataEnd) -> Vec<Decision> {
        let decision = self.data_end(end).await;
        vec![decision; end.replies]
    }

    /// The transaction ended without a message: RSET, a new hello, or a body refused by the session
    /// (too large, bare line endings). Forget the envelope and any partial body.
    async fn reset(&mut self) {}

    /// VRFY (RFC 5321 §3.5.1). The default answers 252 2.5.0.
    async fn vrfy(&mut self, _argument: &str) -> Decision {
        Decision::Accept
    }

    /// EXPN (RFC 5321 §3.5.2). The default answers 502 5.5.1.
    async fn expn(&mut self, _argument: &str) -> Decision {
        Decision::Reject(not_implemented("EXPN"))
    }

    /// ETRN (RFC 1985). The default answers 502 5.5.1.
    async fn etrn(&mut self, _argument: &str) -> Decision {
        Decision::Reject(not_implemented("ETRN"))
    }

    /// The connection is closing (QUIT, error, time-out, shutdown, peer gone).
    async fn logout(&mut self) {}
}

fn not_implemented(verb: &str) -> Reply<'static> {
    crate::session::server::reply(502, (5, 5, 1), format!("{verb} not implemented"))
}
