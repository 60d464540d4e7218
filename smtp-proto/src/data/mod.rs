//! Message data: the streaming DATA decoder and encoder (RFC 5321 §4.5.2) and BDAT framing (RFC 3030).
//!
//! The DATA codecs are the family's one dot-stuffing implementation, `mail_framing::dot`, under
//! SMTP's names (POP3's multi-line responses use the same one).
//!
//! All three codecs are sans-IO and streaming: they take whatever bytes the socket gave (chunk
//! boundaries may fall anywhere, even between the `CR` and the `LF` of a line ending or inside the
//! terminating `CRLF.CRLF`), keep a few bits of state between calls, and never buffer the body.
//!
//! - [`DataDecoder`]: server side of `DATA`. Removes the transparency dots (un-stuffing) and stops
//!   exactly after the terminating `CRLF.CRLF`, leaving any pipelined command bytes that follow it
//!   unconsumed. Bare `CR` and bare `LF` are handled as [`BareLineEndingPolicy`] says; they never end
//!   the message (the 2023 "SMTP smuggling" attacks relied on servers that did).
//! - [`DataEncoder`]: client side of `DATA`. Adds the transparency dots (dot stuffing), turns bare
//!   `CR`/`LF` into `CRLF` and writes the terminator.
//! - [`BdatDecoder`]: server side of `BDAT`: counts exactly `size` octets, with no un-stuffing.
//!
//! ```
//! use smtp_proto::data::{BareLineEndingPolicy, DataDecoder, DataEncoder};
//!
//! let mut wire = Vec::new();
//! let mut enc = DataEncoder::new();
//! enc.encode(b".hidden\r\nhello\r\n", &mut wire);
//! enc.finish(&mut wire);
//! assert_eq!(wire, b"..hidden\r\nhello\r\n.\r\n");
//!
//! wire.extend_from_slice(b"QUIT\r\n"); // a pipelined command after the data
//! let mut dec = DataDecoder::new(BareLineEndingPolicy::Reject);
//! let mut body = Vec::new();
//! let res = dec.decode(&wire, &mut body);
//! assert!(res.finished);
//! assert_eq!(body, b".hidden\r\nhello\r\n");
//! assert_eq!(&wire[res.consumed..], b"QUIT\r\n");
//! ```

mod bdat;

pub use bdat::BdatDecoder;
pub use mail_framing::dot::{
    BareLineEndingPolicy, Decoded, DotDecoder as DataDecoder, DotEncoder as DataEncoder,
    DotError as DataError,
};
