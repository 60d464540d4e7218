//! SMTP, ESMTP and LMTP protocol codec with sans-IO server and client sessions.
//!
//! Layers, each a module:
//! - [`types`]: commands, paths, parameters, replies and capabilities as plain values;
//! - [`parse`]: zero-copy parsers of command lines (server side) and replies (client side);
//! - [`build`]: serialisers of commands (client side) and replies (server side);
//! - [`data`]: streaming DATA dot-stuffing codec and BDAT chunk framing;
//! - [`auth`]: SASL framing for the AUTH command;
//! - [`session`]: sans-IO server and client state machines;
//! - `server` / `client` (cargo features): thin tokio drivers with TLS.

pub mod auth;
pub mod build;
pub mod data;
pub mod parse;
pub mod session;
pub mod types;

#[cfg(feature = "server")]
pub mod server;
