//! The tokio networking shared by the drivers of `smtp-proto`, `pop3-proto` and `imap-proto`,
//! so that each protocol crate keeps only its protocol:
//!
//! - [`Conn`]: a connection that is plain or TLS and turns TLS in place, server side (STARTTLS,
//!   RFC 3207; STLS, RFC 2595; implicit TLS, RFC 8314) or client side;
//! - [`Listener`]: the accept loop with a limit on connections in total and per client address,
//!   and graceful shutdown that always finishes (stop accepting, let sessions finish for a grace
//!   period, tell the rest to close, abort what still runs a fixed time later): see [`Limits`];
//! - [`bounded`] and [`Conn::write_all_within`] / [`Conn::accept_tls_within`]: every write and
//!   TLS handshake of a server within a time-out, given up when the server stops;
//! - [`BlockingCredentials`]: password checks (which may hash) on tokio's blocking pool.
//!
//! Nothing here knows a protocol: a refused connection is sent the bytes the caller gives, and a
//! session learns of the end of the grace period through a [`tokio::sync::watch`] flag.

mod bounded;
mod conn;
mod credentials;
mod listener;

pub use bounded::bounded;
pub use conn::Conn;
pub use credentials::BlockingCredentials;
pub use listener::{Limits, Listener};
