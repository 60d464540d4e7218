//! IMAP4rev2 (RFC 9051) and IMAP4rev1 (RFC 3501): the codec in both directions and a sans-IO
//! client session; the IMAP server over `mailstore` builds on them.
//!
//! # Layers
//! - [`token`]: validated tokens (tag, atom, astring, mailbox, sequence set, flag, date).
//! - [`cursor`]: the byte cursor every parser reads with; literals inline; incomplete vs invalid.
//! - [`encode`]: the encoder, which cuts its output where a synchronizing literal must wait.
//! - [`utf7`]: modified UTF-7 mailbox names.
//! - [`framing`]: the literal-aware framer and message assembler (lines, literals inline,
//!   streamed or refused, size limits).
//! - [`command`]: client commands: types, parser (server side), encoder (client side).
//! - [`response`]: server responses: types, parser (client side), encoder (server side).
//! - [`section`]: FETCH body sections and partial ranges; [`status`]: STATUS data items.
//! - [`client`]: the sans-IO client session.
//! - `server` (feature `server`): the IMAP server's sans-IO parts: `server::mime` (MIME
//!   structure parsed once), `server::view` (the selected mailbox), `server::search` (SEARCH,
//!   SORT, THREAD).
//! - [`quirks`]: the deviations of real clients and servers accepted by default, with sources.

pub mod client;
pub mod command;
pub mod cursor;
pub mod encode;
pub mod framing;
pub mod quirks;
pub mod response;
pub mod section;
#[cfg(feature = "server")]
pub mod server;
pub mod status;
pub mod token;
pub mod utf7;

pub use cursor::{Cursor, ParseError, ParseResult};
pub use encode::{Encoder, LiteralStyle};
