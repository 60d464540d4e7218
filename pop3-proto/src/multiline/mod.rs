//! The multi-line response body (RFC 1939 §3): byte-stuffing and the `CRLF.CRLF` terminator.
//!
//! ```text
//! multi-line = status-line *( ["."] line ) "." CRLF   ; a line starting with "." gets one more
//! line       = *octet CRLF                            ;  "."; a lone ".CRLF" ends the response
//! ```
//!
//! Both codecs are sans-IO and streaming: they take whatever bytes the file or the socket gave
//! (chunk boundaries may fall anywhere, even between the `CR` and the `LF` of a line ending or
//! inside the terminator), keep a few bits of state between calls, and never hold the body.
//!
//! - [`MultilineEncoder`] (server side): writes a message (for `RETR`, or its first lines for
//!   `TOP`) or a listing: dot-stuffs, turns bare `LF` and bare `CR` into `CRLF` (a Maildir file
//!   holds `LF` line endings), ends the last line and writes the terminator.
//! - [`MultilineDecoder`] (client side): removes the stuffing and stops right after the
//!   terminator, leaving the bytes after it (the next pipelined response) unconsumed.
//!
//! Both are the family's one dot-stuffing codec, `mail_framing::dot` (SMTP's `DATA` uses the
//! same): the decoder under its `Content` policy (a bare line ending is line content), the
//! encoder with `TOP`'s line count on top.
//!
//! ```
//! use pop3_proto::multiline::{MultilineDecoder, MultilineEncoder};
//!
//! let mut wire = Vec::new();
//! let mut enc = MultilineEncoder::new();
//! enc.encode(b"Subject: hi\n\n.hidden\nbody", &mut wire);
//! enc.finish(&mut wire);
//! assert_eq!(wire, b"Subject: hi\r\n\r\n..hidden\r\nbody\r\n.\r\n");
//!
//! wire.extend_from_slice(b"+OK next response\r\n");
//! let mut dec = MultilineDecoder::new();
//! let mut body = Vec::new();
//! let res = dec.decode(&wire, &mut body);
//! assert!(res.finished);
//! assert_eq!(body, b"Subject: hi\r\n\r\n.hidden\r\nbody\r\n");
//! assert_eq!(&wire[res.consumed..], b"+OK next response\r\n");
//! ```

mod decoder;
mod encoder;

pub use decoder::MultilineDecoder;
pub use encoder::MultilineEncoder;

/// The outcome of one [`MultilineDecoder::decode`] call.
pub use mail_framing::dot::Decoded;

#[cfg(test)]
mod tests;
