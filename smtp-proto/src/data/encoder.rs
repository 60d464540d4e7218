//! Streaming DATA encoder: dot stuffing and the terminator (RFC 5321 §4.5.2).

use memchr::memchr2;

const CR: u8 = b'\r';
const LF: u8 = b'\n';

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// At the start of a line (or of the body).
    LineStart,
    /// Inside a line, after a content octet.
    Text,
    /// Just after a `CR`, already written; an `LF` or, if the `CR` is bare, an added `LF` follows.
    Cr,
}

/// Streaming encoder of a message body for `DATA` (RFC 5321 §4.5.2).
///
/// ```text
/// data-stream = *( [ "." ] line ) "." CRLF   ; a dot is added before every line that starts
/// line        = *text CRLF                   ;  with "." (first line included)
/// ```
///
/// Line endings: the output never holds a bare `CR` or `LF` (RFC 5321 §2.3.8): each `CRLF` of the
/// input is kept, and each bare `LF` and bare `CR` becomes `CRLF` (and starts a new line, which is
/// dot-stuffed like any other). [`DataEncoder::finish`] ends the last line with `CRLF` if the body
/// did not, then writes the terminator `.CRLF`. So what a [`super::DataDecoder`] gives back is the
/// body with bare line endings turned into `CRLF` and, unless empty, ending with `CRLF`.
///
/// Chunk boundaries may fall anywhere in the input, including between `CR` and `LF`.
#[derive(Clone, Debug)]
pub struct DataEncoder {
    state: State,
}

impl Default for DataEncoder {
    fn default() -> Self {
        Self::new()
    }
}

impl DataEncoder {
    /// An encoder at the start of a body.
    pub fn new() -> Self {
        Self {
            state: State::LineStart,
        }
    }

    /// Appends the wire form of the body bytes `input` to `out`.
    pub fn encode(&mut self, input: &[u8], out: &mut Vec<u8>) {
        // Invariant: input[run..i] is read and goes to the output as it is.
        let mut run = 0;
        let mut i = 0;
        let len = input.len();
        while i < len {
            let Some(&c) = input.get(i) else { break };
            match self.state {
                State::Text => {
                    let Some(k) = input.get(i..).and_then(|rest| memchr2(CR, LF, rest)) else {
                        i = len;
                        break;
                    };
                    let j = i + k;
                    if input.get(j) == Some(&CR) {
                        if input.get(j + 1) == Some(&LF) {
                            match input.get(j + 2) {
                                Some(&n) if n != b'.' && n != CR && n != LF => i = j + 3,
                                _ => {
                                    i = j + 2;
                                    self.state = State::LineStart;
                                }
                            }
                        } else {
                            i = j + 1;
                            self.state = State::Cr;
                        }
                    } else {
                        // Bare LF: write CRLF.
                        out.extend_from_slice(input.get(run..j).unwrap_or_default());
                        out.push(CR);
                        run = j;
                        i = j + 1;
                        self.state = State::LineStart;
                    }
                }
                State::LineStart => {
                    match c {
                        b'.' => {
                            out.extend_from_slice(input.get(run..i).unwrap_or_default());
                            out.push(b'.');
                            run = i;
                            self.state = State::Text;
                        }
                        CR => self.state = State::Cr,
                        LF => {
                            out.extend_from_slice(input.get(run..i).unwrap_or_default());
                            out.push(CR);
                            run = i;
                        }
                        _ => self.state = State::Text,
                    }
                    i += 1;
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
                }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn encode_all(body: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut enc = DataEncoder::new();
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
            // Bare line endings become CRLF and start lines that are stuffed too.
            (b"a\n.\nb", b"a\r\n..\r\nb\r\n.\r\n"),
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
            let mut enc = DataEncoder::new();
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
