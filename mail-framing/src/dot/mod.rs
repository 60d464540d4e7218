//! Dot-stuffing (RFC 5321 §4.5.2, RFC 1939 §3): the one streaming codec behind SMTP's `DATA`
//! (client encodes, server decodes) and POP3's multi-line responses (server encodes, client
//! decodes).
//!
//! ```text
//! body = *( [ "." ] line ) "." CRLF   ; a line starting with "." gets one more "."; a lone
//! line = *octet CRLF                  ;  ".CRLF" after a CRLF ends the body
//! ```
//!
//! Both codecs take whatever bytes the socket or the file gave (chunk boundaries may fall
//! anywhere, even between the `CR` and the `LF` of a line ending or inside the terminating
//! `CRLF.CRLF`), keep a few bits of state between calls, and never buffer the body.
//!
//! - [`DotEncoder`]: adds the transparency dots, turns bare `CR`/`LF` into `CRLF`, writes the
//!   terminator; it can stop at a line end the caller chooses (POP3 `TOP`).
//! - [`DotDecoder`]: removes the transparency dots and stops exactly after the terminator,
//!   leaving the pipelined bytes that follow unconsumed. Bare `CR` and bare `LF` are handled as
//!   its [`BareLineEndingPolicy`] says; they never end the body (the 2023 "SMTP smuggling"
//!   attacks relied on servers that let them).

mod decoder;
mod encoder;

pub use decoder::DotDecoder;
pub use encoder::DotEncoder;

/// What the [`DotDecoder`] does with a bare `CR` (not followed by `LF`) or a bare `LF` (not
/// preceded by `CR`) inside a body.
///
/// RFC 5321 §2.3.8 forbids both in SMTP text; §4.1.1.4 makes `CRLF.CRLF` the only end of data.
/// Under every policy a bare line ending never ends the body, so every policy keeps the decoder
/// in step with the peer (they differ in what the body holds and whether an error is recorded).
///
/// Under `Reject` and `Normalize`, a bare line ending starts a new line for dot un-stuffing (a
/// leading dot followed by other characters is removed, as lax clients that send bare `LF` do
/// stuff their dots), but a line made of a lone dot ends the data only when both the line ending
/// before it and the one after it are real `CRLF`s. Any other lone-dot line (`LF.LF`, `CRLF.LF`,
/// `LF.CRLF`, `CR.CR`, `CRLF.CR`x, ...) is kept as a data line holding one `.`. Under `Content`,
/// a bare line ending is an octet of its line like any other.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum BareLineEndingPolicy {
    /// Record the first bare `CR` or `LF` as a [`DotError`] (see [`DotDecoder::error`]) and keep
    /// decoding to the real end of data so the stream stays in sync; an SMTP server then answers
    /// 5xx after the terminator. The body bytes are written as received (bare endings left
    /// bare); they are only a best effort, as the message is to be refused.
    #[default]
    Reject,
    /// Accept the body and write each bare `CR` or bare `LF` as `CRLF`, so the body only ever
    /// holds `CRLF` line endings. Example: `a LF . LF b CRLF . CRLF` decodes to
    /// `a CRLF . CRLF b CRLF` (the lone dot becomes a one-dot data line, never a terminator).
    Normalize,
    /// Only `CRLF` ends a line: a bare `CR` or `LF` is content of its line, kept as received,
    /// so the line after it is not un-stuffed and cannot end the body. A POP3 client reads a
    /// multi-line response so (RFC 1939 §3: the server sends `CRLF` only). No error is recorded.
    Content,
}

/// The outcome of one call to a streaming decoder.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Decoded {
    /// How many bytes of the input were consumed. Less than the input's length only when the
    /// body ended inside it: the bytes after belong to the next command or response.
    pub consumed: usize,
    /// Whether the end was consumed (`CRLF.CRLF` for a dot-stuffed body, the announced size for
    /// a counted one such as SMTP's BDAT).
    pub finished: bool,
}

/// What was wrong with a dot-stuffed body (recorded under [`BareLineEndingPolicy::Reject`]).
#[derive(Clone, Debug, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum DotError {
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
