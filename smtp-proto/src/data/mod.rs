//! Message data: the streaming DATA decoder and encoder (RFC 5321 §4.5.2) and BDAT framing (RFC 3030).
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
mod decoder;
mod encoder;

pub use bdat::BdatDecoder;
pub use decoder::DataDecoder;
pub use encoder::DataEncoder;

/// What the [`DataDecoder`] does with a bare `CR` (not followed by `LF`) or a bare `LF` (not
/// preceded by `CR`) inside a message body.
///
/// RFC 5321 §2.3.8 forbids both in SMTP text; §4.1.1.4 makes `CRLF.CRLF` the only end of data.
/// Under either policy a bare line ending never ends the message, so both policies keep the
/// decoder in step with the client (they differ only in what the body holds and whether an error
/// is recorded).
///
/// Framing rules common to both policies: a bare line ending starts a new line for dot
/// un-stuffing (a leading dot followed by other characters is removed, as lax clients that send
/// bare `LF` do stuff their dots), but a line made of a lone dot ends the data only when both the
/// line ending before it and the one after it are real `CRLF`s. Any other lone-dot line (`LF.LF`,
/// `CRLF.LF`, `LF.CRLF`, `CR.CR`, `CRLF.CR`x, ...) is kept as a data line holding one `.`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum BareLineEndingPolicy {
    /// Record the first bare `CR` or `LF` as a [`DataError`] (see [`DataDecoder::error`]) and keep
    /// decoding to the real end of data so the stream stays in sync; the session then answers 5xx
    /// after the terminator. The body bytes are written as received (bare endings left bare); they
    /// are only a best effort, as the message is to be refused.
    #[default]
    Reject,
    /// Accept the message and write each bare `CR` or bare `LF` as `CRLF` in the body, so the body
    /// only ever holds `CRLF` line endings. Example: `a LF . LF b CRLF . CRLF` decodes to
    /// `a CRLF . CRLF b CRLF` (the lone dot becomes a one-dot data line, never a terminator).
    Normalize,
}

/// The outcome of one call to a streaming decoder.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Decoded {
    /// How many bytes of the input were consumed. Less than the input's length only when the data
    /// ended inside it: the bytes after belong to the next command (pipelining).
    pub consumed: usize,
    /// Whether the end of data was consumed (`CRLF.CRLF` for DATA, the announced size for BDAT).
    pub finished: bool,
}

/// What was wrong with a message body received with `DATA`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum DataError {
    /// A `LF` not preceded by `CR` (RFC 5321 §2.3.8), at this octet offset of the decoded body.
    #[error("bare LF (not preceded by CR) at body offset {offset}")]
    BareLf {
        /// Offset in the decoded body at which the bare `LF` was written.
        offset: u64,
    },
    /// A `CR` not followed by `LF` (RFC 5321 §2.3.8), at this octet offset of the decoded body.
    #[error("bare CR (not followed by LF) at body offset {offset}")]
    BareCr {
        /// Offset in the decoded body at which the bare `CR` was written.
        offset: u64,
    },
}
