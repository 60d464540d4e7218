//! Streaming dot-stuffing encoder: stuffing, line endings and the terminator (RFC 5321 §4.5.2,
//! RFC 1939 §3).

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

/// Streaming encoder of a dot-stuffed body: an SMTP `DATA` body (RFC 5321 §4.5.2, client side)
/// or a POP3 multi-line response (RFC 1939 §3, server side).
///
/// ```text
/// data-stream = *( [ "." ] line ) "." CRLF   ; a dot is added before every line that starts
/// line        = *text CRLF                   ;  with "." (first line included)
/// ```
///
/// Line endings: the output never holds a bare `CR` or `LF` (RFC 5321 §2.3.8; a Maildir file
/// holds `LF` line endings): each `CRLF` of the input is kept, and each bare `LF` and bare `CR`
/// becomes `CRLF` (and starts a new line, which is dot-stuffed like any other).
/// [`DotEncoder::finish`] ends the last line with `CRLF` if the body did not, then writes the
/// terminator `.CRLF`. So what a [`super::DotDecoder`] gives back is the body with bare line
/// endings turned into `CRLF` and, unless empty, ending with `CRLF`.
///
/// [`DotEncoder::encode_until`] reports each line end to the caller, who may stop there (POP3's
/// `TOP` counts lines with it). Chunk boundaries may fall anywhere in the input, including
/// between `CR` and `LF`.
#[derive(Clone, Debug)]
pub struct DotEncoder {
    state: State,
}

impl Default for DotEncoder {
    fn default() -> Self {
        Self::new()
    }
}

impl DotEncoder {
    /// An encoder at the start of a body.
    pub fn new() -> Self {
        Self {
            state: State::LineStart,
        }
    }

    /// Appends the wire form of the body bytes `input` to `out`.
    pub fn encode(&mut self, input: &[u8], out: &mut Vec<u8>) {
        self.encode_until(input, out, |_| false);
    }

    /// [`DotEncoder::encode`], calling `stop(empty)` at each line end of the input (`empty`: the
    /// line had no content). When `stop` returns true, the line end is completed in `out` and
    /// encoding stops there: the rest of `input` is not read, and the call returns true.
    pub fn encode_until(
        &mut self,
        input: &[u8],
        out: &mut Vec<u8>,
        mut stop: impl FnMut(bool) -> bool,
    ) -> bool {
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
                        // Bare LF: write CRLF.
                        out.extend_from_slice(input.get(run..j).unwrap_or_default());
                        out.push(CR);
                        run = j;
                        i = j + 1;
                        self.state = State::LineStart;
                    }
                    stop(false)
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
                            stop(true)
                        }
                        LF => {
                            out.extend_from_slice(input.get(run..i - 1).unwrap_or_default());
                            out.push(CR);
                            run = i - 1;
                            stop(true)
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
                    // The LF of this CRLF may be in the next chunk, which is not read now.
                    out.push(LF);
                    self.state = State::LineStart;
                }
                return true;
            }
        }
        out.extend_from_slice(input.get(run..i).unwrap_or_default());
        false
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

#[cfg(test)]
mod tests {
    use super::*;

    fn encode_all(body: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut enc = DotEncoder::new();
        enc.encode(body, &mut out);
        enc.finish(&mut out);
        out
    }

    #[test]
    fn table() {
        let cases: &[(&[u8], &[u8])] = &[
            (b"", b".\r\n"),
            (b"a", b"a\r\n.\r\n"),
            (b"a\r\n", b"a\r\n.\r\n"),
            (b".", b"..\r\n.\r\n"),
            (b".\r\n", b"..\r\n.\r\n"),
            (b"..x\r\n", b"...x\r\n.\r\n"),
            (b"a\r\n.\r\nb", b"a\r\n..\r\nb\r\n.\r\n"),
            (b"a\r\n.b\r\n.c\r\n", b"a\r\n..b\r\n..c\r\n.\r\n"),
            (b"a.b\r\n", b"a.b\r\n.\r\n"),
            // Bare line endings become CRLF and start lines that are stuffed too (a Maildir
            // file holds LF line endings).
            (b"a\n.\nb", b"a\r\n..\r\nb\r\n.\r\n"),
            (b"a\n.\nb\n", b"a\r\n..\r\nb\r\n.\r\n"),
            (b"a\r.\rb", b"a\r\n..\r\nb\r\n.\r\n"),
            (b"\n", b"\r\n.\r\n"),
            (b"\r", b"\r\n.\r\n"),
            (b"\r\r\n", b"\r\n\r\n.\r\n"),
            (b"\n\r", b"\r\n\r\n.\r\n"),
            (b"a\r", b"a\r\n.\r\n"),
            (b"\r\n\r\n.", b"\r\n\r\n..\r\n.\r\n"),
        ];
        for (body, wire) in cases {
            assert_eq!(
                encode_all(body),
                *wire,
                "body {:?}",
                String::from_utf8_lossy(body)
            );
            // Same result fed one byte at a time.
            let mut out = Vec::new();
            let mut enc = DotEncoder::new();
            for b in body.iter() {
                enc.encode(std::slice::from_ref(b), &mut out);
            }
            enc.finish(&mut out);
            assert_eq!(
                out,
                *wire,
                "bytewise body {:?}",
                String::from_utf8_lossy(body)
            );
        }
    }
}
