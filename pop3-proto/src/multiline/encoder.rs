//! Multi-line encoder (server side): byte-stuffing, line endings and the terminator on the
//! family's one dot-stuffing encoder, plus `TOP`'s cut (RFC 1939 §3, §7).

use mail_framing::dot::DotEncoder;

/// How far `TOP` has got.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Top {
    /// Still in the header; then send this many body lines.
    Header(u32),
    /// In the body, this many lines (at least one) still to send.
    Body(u32),
    /// Everything `TOP` asked for was written; further input is ignored.
    Done,
}

impl Top {
    /// Counts a line end (`empty`: the line had no content); the state after it.
    fn line_end(self, empty: bool) -> Self {
        match self {
            Top::Done => Top::Done,
            Top::Header(0) if empty => Top::Done,
            Top::Header(n) if empty => Top::Body(n),
            Top::Header(n) => Top::Header(n),
            Top::Body(n) if n <= 1 => Top::Done,
            Top::Body(n) => Top::Body(n - 1),
        }
    }
}

/// Streaming encoder of a multi-line response body (RFC 1939 §3): a message for `RETR`, its
/// header and first `n` body lines for `TOP` (RFC 1939 §7), or any other listing.
///
/// - Each line starting with `.` gets another `.` in front ("byte-stuffing").
/// - The output only holds `CRLF` line endings: each `CRLF` of the input is kept, each bare `LF`
///   and bare `CR` becomes `CRLF` (and ends a line, for stuffing and for `TOP`'s count).
/// - [`MultilineEncoder::finish`] ends the last line with `CRLF` if the input did not, then writes
///   the terminator `.CRLF`.
/// - [`MultilineEncoder::top`]: after the header, the empty line that ends it, and `n` body lines,
///   input is ignored and [`MultilineEncoder::wants_more`] turns false, so the server can stop
///   reading the message. A message with no empty line is all header and is sent whole.
///
/// The stuffing is [`mail_framing::dot::DotEncoder`]'s; only the `TOP` cut is POP3's. The status
/// line (`+OK ...`) is not written here. Chunk boundaries may fall anywhere.
#[derive(Clone, Debug)]
pub struct MultilineEncoder {
    dots: DotEncoder,
    top: Option<Top>,
}

impl Default for MultilineEncoder {
    fn default() -> Self {
        Self::new()
    }
}

impl MultilineEncoder {
    /// An encoder for a whole message or listing (`RETR`, `LIST`, `UIDL`, `CAPA`).
    pub fn new() -> Self {
        Self {
            dots: DotEncoder::new(),
            top: None,
        }
    }

    /// An encoder for `TOP msg n` (RFC 1939 §7): the header, the empty line, then `lines` body
    /// lines.
    pub fn top(lines: u32) -> Self {
        Self {
            dots: DotEncoder::new(),
            top: Some(Top::Header(lines)),
        }
    }

    /// Whether more input can change the output: false once `TOP` has all its lines.
    pub fn wants_more(&self) -> bool {
        self.top != Some(Top::Done)
    }

    /// Appends the wire form of the message bytes `input` to `out`.
    pub fn encode(&mut self, input: &[u8], out: &mut Vec<u8>) {
        match &mut self.top {
            None => self.dots.encode(input, out),
            Some(Top::Done) => {}
            Some(top) => {
                self.dots.encode_until(input, out, |empty| {
                    *top = top.line_end(empty);
                    *top == Top::Done
                });
            }
        }
    }

    /// Ends the body: `CRLF` if its last line was not ended, then the terminator `.CRLF`.
    pub fn finish(self, out: &mut Vec<u8>) {
        self.dots.finish(out);
    }
}
