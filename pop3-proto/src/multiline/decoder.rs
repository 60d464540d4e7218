//! Streaming multi-line decoder (client side): un-stuffing and the terminator (RFC 1939 §3).

use memchr::memchr;

use super::Decoded;

const CR: u8 = b'\r';
const LF: u8 = b'\n';

/// Where the decoder stands between two bytes of the stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// At the start of a line (the status line's CRLF counts).
    LineStart,
    /// A `.` at the start of a line was read and dropped: a stuffing dot or the terminator's.
    Dot,
    /// `.` `CR` at the start of a line were read and not written.
    DotCr,
    /// Inside a line.
    Text,
    /// Just after a `CR` (written).
    Cr,
    /// The terminator was consumed.
    Done,
}

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
/// un-stuffed and cannot end the body (a server following RFC 1939 sends `CRLF` only).
///
/// The decoder holds at most the two octets `.CR` between calls and never limits the body's
/// size: the caller watches [`MultilineDecoder::body_len`].
#[derive(Clone, Debug)]
pub struct MultilineDecoder {
    state: State,
    body_len: u64,
}

impl Default for MultilineDecoder {
    fn default() -> Self {
        Self::new()
    }
}

impl MultilineDecoder {
    /// A decoder at the start of a body (just after the status line).
    pub fn new() -> Self {
        Self {
            state: State::LineStart,
            body_len: 0,
        }
    }

    /// Octets of body given out so far (after un-stuffing).
    pub fn body_len(&self) -> u64 {
        self.body_len
    }

    /// Whether the terminator was consumed.
    pub fn is_finished(&self) -> bool {
        self.state == State::Done
    }

    /// Decodes `input`, appending the body octets to `out`.
    ///
    /// Returns how much of `input` was consumed (all of it unless the terminator lies inside it)
    /// and whether the terminator was reached. Once finished, further calls consume nothing.
    pub fn decode(&mut self, input: &[u8], out: &mut Vec<u8>) -> Decoded {
        self.decode_with(input, |s| out.extend_from_slice(s))
    }

    /// [`MultilineDecoder::decode`] without copying: `emit` receives the body as slices of
    /// `input` (and, rarely, a one-octet static slice for a `CR` held across calls).
    pub fn decode_with<'a>(&mut self, input: &'a [u8], mut emit: impl FnMut(&'a [u8])) -> Decoded {
        let mut sent = 0u64;
        let mut flush = |s: &'a [u8]| {
            if !s.is_empty() {
                sent += s.len() as u64;
                emit(s);
            }
        };
        // Invariant: input[run..i] is read and is body, to be given out unchanged.
        let mut run = 0;
        let mut i = 0;
        while let Some(&c) = input.get(i) {
            match self.state {
                State::Done => break,
                State::Text => match input.get(i..).and_then(|rest| memchr(CR, rest)) {
                    None => i = input.len(),
                    Some(k) => {
                        i += k + 1;
                        self.state = State::Cr;
                    }
                },
                State::Cr => {
                    if c == LF {
                        i += 1;
                        self.state = State::LineStart;
                    } else {
                        self.state = State::Text;
                    }
                }
                State::LineStart => {
                    if c == b'.' {
                        flush(input.get(run..i).unwrap_or_default());
                        i += 1;
                        run = i;
                        self.state = State::Dot;
                    } else {
                        self.state = State::Text;
                    }
                }
                State::Dot => {
                    if c == CR {
                        i += 1;
                        run = i;
                        self.state = State::DotCr;
                    } else {
                        // A stuffing dot (already dropped): the line goes on.
                        self.state = State::Text;
                    }
                }
                State::DotCr => {
                    if c == LF {
                        i += 1;
                        run = i;
                        self.state = State::Done;
                    } else {
                        // `.CR` then something else: the dot was stuffing, the CR is content.
                        flush(b"\r");
                        self.state = State::Cr;
                    }
                }
            }
        }
        flush(input.get(run..i).unwrap_or_default());
        self.body_len += sent;
        Decoded {
            consumed: i,
            finished: self.state == State::Done,
        }
    }
}
