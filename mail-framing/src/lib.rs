//! Sans-IO framing shared by the mail protocol crates (`smtp-proto`, `pop3-proto`, and the IMAP
//! codec to come): one implementation of each mechanism, so that every protocol frames its input
//! and stuffs its bodies the same way (STYLE point 3: frame first, then parse).
//!
//! - [`line::LineFramer`]: cuts the peer's bytes into command lines under a length limit, reports
//!   an over-long line once (at its end) without buffering it, and resynchronises on the next
//!   line. Between lines, a caller may take raw octets ([`line::LineFramer::take_exact`],
//!   [`line::LineFramer::take_up_to`], [`line::LineFramer::pending`]): the hook for IMAP literals
//!   (`{n}`, `{n+}`, `~{n}`, RFC 9051 §4.3) and for SMTP's DATA and BDAT bodies. It also drops what
//!   was pipelined before a TLS handshake ([`line::LineFramer::discard`], CVE-2011-0411).
//! - [`dot::DotEncoder`] and [`dot::DotDecoder`]: the dot-stuffing of SMTP `DATA` (RFC 5321
//!   §4.5.2) and of POP3 multi-line responses (RFC 1939 §3), streaming over any split, with the
//!   terminator `CRLF.CRLF`. The decoder applies a [`dot::BareLineEndingPolicy`], SMTP's defence
//!   against "SMTP smuggling".
//!
//! Nothing here does I/O or allocates per line: the framer owns one growable input buffer, the
//! codecs keep a few bits of state between calls.
//!
//! ```
//! use mail_framing::dot::{BareLineEndingPolicy, DotDecoder, DotEncoder};
//! use mail_framing::line::{Line, LineFramer};
//!
//! let mut framer = LineFramer::new();
//! framer.feed(b"DATA\r\n.hidden\r\n.\r\nQUIT\r\n");
//! let Line::Complete(range) = framer.next_line(512) else { panic!() };
//! assert_eq!(framer.get(range), b"DATA");
//! let mut body = Vec::new();
//! let mut dec = DotDecoder::new(BareLineEndingPolicy::Reject);
//! let res = dec.decode(framer.pending(), &mut body);
//! framer.consume(res.consumed);
//! assert!(res.finished);
//! assert_eq!(body, b"hidden\r\n");
//! let Line::Complete(range) = framer.next_line(512) else { panic!() };
//! assert_eq!(framer.get(range), b"QUIT");
//!
//! let mut wire = Vec::new();
//! let mut enc = DotEncoder::new();
//! enc.encode(&body, &mut wire);
//! enc.finish(&mut wire);
//! assert_eq!(wire, b"hidden\r\n.\r\n");
//! ```

pub mod dot;
pub mod line;
