//! Streaming multi-line encoder (server side): byte-stuffing, line endings, `TOP`'s cut and
//! the terminator (RFC 1939 §3, §7).

use memchr::memchr2;

const CR: u8 = b'\r';
const LF: u8 = b'\n';

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// At the start of a line (or of the body).
    LineStart,
    /// Inside a line, after a content octet.
    Text,
    /// Just after a `CR`, already written; an `LF` follows (from the input or added).
    Cr,
}

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
/// The status line (`+OK ...`) is not written here. Chunk boundaries may fall anywhere.
#[derive(Clone, Debug)]
pub struct MultilineEncoder {
    state: State,
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
            state: State::LineStart,
            top: None,
        }
    }

    /// An encoder for `TOP msg n` (RFC 1939 §7): the header, the empty line, then `lines` body
    /// lines.
    pub fn top(lines: u32) -> Self {
        Self {
            state: State::LineStart,
            top: Some(Top::Header(lines)),
        }
    }

    /// Whether more input can change the output: false once `TOP` has all its lines.
    pub fn wants_more(&self) -> bool {
        self.top != Some(Top::Done)
    }

    /// Counts a line ending; true when `TOP` has all its lines.
    fn line_end(&mut self, empty: bool) -> bool {
        let next = match self.top {
            None | Some(Top::Done) => return false,
            Some(Top::Header(0)) if empty => Top::Done,
            Some(Top::Header(n)) if empty => Top::Body(n),
            Some(Top::Header(n)) => Top::Header(n),
            Some(Top::Body(n)) if n <= 1 => Top::Done,
            Some(Top::Body(n)) => Top::Body(n - 1),
        };
        self.top = Some(next);
        next == Top::Done
    }

    /// Appends the wire form of the message bytes `input` to `out`.
    pub fn encode(&mut self, input: &[u8], out: &mut Vec<u8>) {
        if !self.wants_more() {
            return;
        }
        // Invariant: input[run..i] is read and goes to the output unchanged.
        let mut run = 0;
        let mut i = 0;
        let len = input.len();
        while let Some(&c) = input.get(i) {
            let ended = match self.state {
                State::Text => {
                    let Some(k) = input.get(i..).and_then(|rest| memchr2(CR, LF, rest)) else {
                        i = len;
                        break;
                    };
                    let j = i + k;
                    if input.get(j) == Some(&CR) {
                        i = j + 1;
                        self.state = State::Cr;
                    } else {
                        out.extend_from_slice(input.get(run..j).unwrap_or_default());
                        out.push(CR);
                        run = j;
                        i = j + 1;
                        self.state = State::LineStart;
                    }
                    self.line_end(false)
                }
                State::LineStart => {
                    i += 1;
                    match c {
                        b'.' => {
                            out.extend_from_slice(input.get(run..i).unwrap_or_default());
                            out.push(b'.');
                            run = i;
                            self.state = State::Text;
                            false
                        }
                        CR => {
                            self.state = State::Cr;
                            self.line_end(true)
                        }
                        LF => {
                            out.extend_from_slice(input.get(run..i - 1).unwrap_or_default());
                            out.push(CR);
                            run = i - 1;
                            self.line_end(true)
                        }
                        _ => {
                            self.state = State::Text;
                            false
                        }
                    }
                }
                State::Cr => {
                    if c == LF {
                        i += 1;
                    } else {
                        // Bare CR: complete it to CRLF; `c` starts the next line.
                        out.extend_from_slice(input.get(run..i).unwrap_or_default());
                        out.push(LF);
                        run = i;
                    }
                    self.state = State::LineStart;
                    false
                }
            };
            if ended {
                out.extend_from_slice(input.get(run..i).unwrap_or_default());
                if self.state == State::Cr {
                    // The LF of this CRLF may be in the next chunk, which is ignored now.
                    out.push(LF);
                    self.state = State::LineStart;
                }
                return;
            }
        }
        out.extend_from_slice(input.get(run..i).unwrap_or_default());
    }

    /// Ends the body: `CRLF` if its last line was not ended, then the terminator `.CRLF`.
    pub fn finish(self, out: &mut Vec<u8>) {
        match self.state {
            State::LineStart => {}
            State::Text => out.extend_from_slice(b"\r\n"),
            State::Cr => out.push(LF),
        }
        out.extend_from_slice(b".\r\n");
    }
}
