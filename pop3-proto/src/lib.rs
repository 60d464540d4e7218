//! POP3 protocol codec: RFC 1939, with CAPA and extended response codes (RFC 2449), STLS
//! (RFC 2595), `SYS`/`AUTH` response codes (RFC 3206), SASL `AUTH` (RFC 5034) and `UTF8`/`LANG`
//! (RFC 6856).
//!
//! Layers, each a module, the same as `smtp-proto`'s:
//! - [`types`]: commands, responses, response codes, capabilities, message numbers and
//!   listings as plain values; credentials in [`sasl::Secret`] so `Debug` never shows them;
//! - [`parse`]: zero-copy parsers of command lines (server side, with RFC 2449 §4's 255/40
//!   octet limits), response lines (client side, streaming: `Incomplete` until a whole line is
//!   there), and of `STAT`/`LIST`/`UIDL` listings and `CAPA` lines;
//! - [`build`]: serialisers of commands (client side) and of responses, listings and the `CAPA`
//!   answer (server side), guarded so that no value can end a line early;
//! - [`multiline`]: the streaming multi-line codec (RFC 1939 §3): byte-stuffing encoder with
//!   `TOP`'s cut for the server, un-stuffing decoder that stops exactly at `CRLF.CRLF` for the
//!   client, on the family's one dot-stuffing codec (`mail-framing`). Message bodies pass through
//!   it in chunks, never whole.
//!
//! - [`session`]: the sans-IO server session: command order per state (AUTHORIZATION →
//!   TRANSACTION → UPDATE, RFC 1939 §3), `STLS`, SASL exchanges, pipelining with back-pressure
//!   (listings generated as the output drains), limits; the driver
//!   answers its events (credentials, the maildrop, message bodies);
//! - [`server`] (feature `server`): the tokio server over `mailstore`, with TLS and limits.
//!
//! ```
//! use pop3_proto::parse::command::parse_command;
//! use pop3_proto::parse::response::parse_response;
//! use pop3_proto::types::command::Command;
//! use pop3_proto::types::listing::MsgNum;
//! use pop3_proto::types::response::{Response, StatusLine};
//!
//! // Server side: a command line without its CRLF.
//! let cmd = parse_command(b"TOP 1 10").unwrap();
//! assert_eq!(cmd, Command::Top { msg: MsgNum::new(1).unwrap(), lines: 10 });
//! // Client side: the same command on the wire.
//! assert_eq!(cmd.to_bytes(), b"TOP 1 10\r\n");
//!
//! // Client side: a response, and how many bytes it took.
//! let (resp, used) = parse_response(b"+OK 2 320\r\n").unwrap();
//! assert_eq!(resp, Response::Status(StatusLine::ok("2 320")));
//! assert_eq!(used, 11);
//! ```
#![forbid(unsafe_code)]

pub mod build;
pub mod multiline;
pub mod parse;
#[cfg(feature = "server")]
pub mod server;
pub mod session;
pub mod types;
