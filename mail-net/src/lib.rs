//! The tokio networking shared by the drivers of `smtp-proto`, `pop3-proto` and `imap-proto`,
//! so that each protocol crate keeps only its protocol:
//!
//! - [`Conn`]: a connection that is plain or TLS and turns TLS in place, server side (STARTTLS,
//!   RFC 3207; STLS, RFC 2595; implicit TLS, RFC 8314) or client side;
//! - [`Listener`]: the accept loop with a limit on connections in total and per client address,
//!   and graceful shutdown (stop accepting, let sessions finish for a grace period, then tell
//!   the rest to close and wait for them).
//!
//! Nothing here knows a protocol: a refused connection is sent the bytes the caller gives, and a
//! session learns of the end of the grace period through a [`tokio::sync::watch`] flag.

mod conn;
mod listener;

pub use conn::Conn;
pub use listener::{Limits, Listener};
