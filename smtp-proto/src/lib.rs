//! SMTP, ESMTP and LMTP protocol codec with sans-IO server and client sessions.
//!
//! Layers, each a module:
//! - [`types`]: commands, paths, parameters, replies and capabilities as plain values;
//! - [`parse`]: zero-copy parsers of command lines (server side) and replies (client side);
//! - [`build`]: serialisers of commands (client side) and replies (server side);
//! - [`data`]: streaming DATA dot-stuffing codec (the family's one, from `mail-framing`) and BDAT
//!   chunk framing;
//! - [`auth`]: SASL framing for the AUTH command;
//! - [`session`]: sans-IO server and client state machines;
//! - `server` / `client` (cargo features): thin tokio drivers with TLS.
//!
//! # Server side
//! [`session::server::ServerSession`] is the whole SMTP/LMTP server protocol without I/O: command
//! order (RFC 5321 §4.1.4), pipelining (RFC 2920) with back-pressure, limits and their replies, STARTTLS with the
//! CVE-2011-0411 input discard (RFC 3207), AUTH framing (RFC 4954), BDAT (RFC 3030), SMTPUTF8
//! (RFC 6531) and LMTP's per-recipient replies (RFC 2033). It hands the application typed events
//! and takes decisions back. With the `server` feature, `server::Server` runs it over tokio
//! sockets with tokio-rustls and calls the application through `server::Handler` and
//! `server::Session`, a seam named after the protocol's verbs (`mail`, `rcpt`, `data_chunk`,
//! `data_end`, `reset`, `logout`).
//!
//! # Client side
//! [`session::client::ClientSession`] takes an envelope and a streamed message and yields the
//! bytes to send: greeting, EHLO (HELO fallback) or LHLO, STARTTLS by policy, AUTH through the
//! `sasl` crate, MAIL/RCPT with the parameters the server advertised, PIPELINING when offered,
//! DATA with dot-stuffing or BDAT chunks, and one outcome per recipient. With the `client`
//! feature, `client::SmtpClient` runs it over a tokio stream with tokio-rustls.
//!
//! # Limits and bad input
//! Every parser works on bounded input (command lines: `ServerConfig::max_line_length`; replies:
//! `parse::reply::ReplyLimits`; AUTH lines: [`auth::MAX_AUTH_LINE`]; message size:
//! `ServerConfig::max_message_size`) and answers malformed input with the RFC reply and an
//! enhanced status code, never a panic. End of data is `CRLF.CRLF` only (no SMTP smuggling).

pub mod auth;
pub mod build;
pub mod data;
pub mod parse;
pub mod session;
pub mod types;

#[cfg(feature = "server")]
pub mod server;

#[cfg(feature = "client")]
pub mod client;
