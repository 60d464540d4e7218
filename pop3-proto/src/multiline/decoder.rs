//! Multi-line decoder (client side): un-stuffing and the terminator (RFC 1939 §3), on the
//! family's one dot-stuffing decoder.

use mail_framing::dot::{BareLineEndingPolicy, DotDecoder};

use super::Decoded;

/// Streaming decoder of a multi-line response body (RFC 1939 §3), fed the bytes after the
/// `+OK` status line.
///
/// ```text
/// body = *( ["."] line ) "." CRLF      ; the terminator's leading CRLF ends the body's last line
/// ```
///
/// It removes the stuffing dot of every line that starts with `.` ("if the line begins with the
/// termination octet, the first octet is stripped"), and stops right after the terminator: a
/// `.CRLF` line that follows a `CRLF` (or that starts the body). The body keeps its last `CRLF`
/// (`a CRLF . CRLF` gives `a CRLF`; a lone `.CRLF` an empty body). Bytes after the terminator are
/// not consumed: they are the next response.
///
/// Only `CRLF` ends a line: a bare `LF` or `CR` is body content, so a line after one is not
/// un-stuffed and cannot end the body (a server following RFC 1939 sends `CRLF` only). This is
/// [`mail_framing::dot::DotDecoder`] under [`BareLineEndingPolicy::Content`].
///
/// The decoder holds at most the two octets `.CR` between calls and never limits the body's
/// size: the caller watches [`MultilineDecoder::body_len`].
#[derive(Clone, Debug)]
pub struct MultilineDecoder(DotDecoder);

impl Default for MultilineDecoder {
    fn default() -> Self {
        Self::new()
    }
}

impl MultilineDecoder {
    /// A decoder at the start of a body (just after the status line).
    pub fn new() -> Self {
        Self(DotDecoder::new(BareLineEndingPolicy::Content))
    }

    /// Octets of body given out so far (after un-stuffing).
    pub fn body_len(&self) -> u64 {
        self.0.body_len()
    }

    /// Whether the terminator was consumed.
    pub fn is_finished(&self) -> bool {
        self.0.is_finished()
    }

    /// Decodes `input`, appending the body octets to `out`.
    ///
    /// Returns how much of `input` was consumed (all of it unless the terminator lies inside it)
    /// and whether the terminator was reached. Once finished, further calls consume nothing.
    pub fn decode(&mut self, input: &[u8], out: &mut Vec<u8>) -> Decoded {
        self.0.decode(input, out)
    }

    /// [`MultilineDecoder::decode`] without copying: `emit` receives the body as slices of
    /// `input` (and, rarely, a short static slice for octets held across calls).
    pub fn decode_with<'a>(&mut self, input: &'a [u8], emit: impl FnMut(&'a [u8])) -> Decoded {
        self.0.decode_slices(input, emit)
    }
}
