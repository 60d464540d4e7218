//! Streaming dot-stuffing decoder: un-stuffing and end-of-data detection (RFC 5321 §4.5.2,
//! RFC 1939 §3).

use memchr::memchr2;

use super::{BareLineEndingPolicy, Decoded, DotError};

const CR: u8 = b'\r';
const LF: u8 = b'\n';

/// Where the decoder stands between two bytes of the stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// At the start of a line. `genuine`: the line before ended with a real `CRLF`, or the data
    /// just began (the `CRLF` ending the `DATA` command counts).
    LineStart { genuine: bool },
    /// A `.` at the start of a line was read and not written: it is either a transparency dot or
    /// the first octet of the terminator.
    Dot { genuine: bool },
    /// `.` `CR` at the start of a line were read and not written.
    DotCr { genuine: bool },
    /// Inside a line, after a content octet (neither `CR` nor `LF`).
    Text,
    /// Inside a line (or on an empty one), just after a `CR` that was already written.
    Cr,
    /// The terminator was consumed.
    Done,
}

/// Output side of one `decode_slices` call: forwards runs to the caller and counts them.
struct Sink<'f, F> {
    f: &'f mut F,
    len: u64,
}

impl<F> Sink<'_, F> {
    fn emit<'a>(&mut self, s: &'a [u8])
    where
        F: FnMut(&'a [u8]),
    {
        if !s.is_empty() {
            self.len += s.len() as u64;
            (self.f)(s);
        }
    }
}

/// Streaming decoder of a dot-stuffed body as sent on the wire: an SMTP `DATA` body (RFC 5321
/// §4.5.2, §4.1.1.4) or a POP3 multi-line response after its status line (RFC 1939 §3).
///
/// ```text
/// data-stream  = *line "." CRLF         ; the terminator is CRLF "." CRLF, whose first
/// line         = [ "." ] *text CRLF     ;  CRLF ends the body's last line (or the DATA command)
/// ```
///
/// Feed it the bytes that follow the `354` reply (or the `+OK` line), in chunks of any size; it appends the body to
/// the caller's buffer with the transparency dots removed ("if the first character [of a line] is
/// a period and there are other characters on the line, the first character is deleted"), and
/// stops right after the `CRLF.CRLF` terminator, whose first `CRLF` belongs to the body (so
/// `a CRLF . CRLF` gives the body `a CRLF`, and a lone `.CRLF` an empty body). Bytes after the
/// terminator are not consumed: they are the next pipelined command.
///
/// Only `CRLF.CRLF` ends the data. Bare `CR` and bare `LF` never take part in a terminator; see
/// [`BareLineEndingPolicy`] for what becomes of them.
///
/// The decoder does not limit the body's size: the session compares [`DotDecoder::body_len`] with
/// its `SIZE` limit, stops storing the body once over it, and keeps decoding to stay in sync.
#[derive(Clone, Debug)]
pub struct DotDecoder {
    policy: BareLineEndingPolicy,
    state: State,
    body_len: u64,
    error: Option<DotError>,
}

impl Default for DotDecoder {
    fn default() -> Self {
        Self::new(BareLineEndingPolicy::default())
    }
}

impl DotDecoder {
    /// A decoder at the start of a body (just after the `354` reply).
    pub fn new(policy: BareLineEndingPolicy) -> Self {
        Self {
            policy,
            state: State::LineStart { genuine: true },
            body_len: 0,
            error: None,
        }
    }

    /// The policy this decoder applies to bare `CR` and `LF`.
    pub fn policy(&self) -> BareLineEndingPolicy {
        self.policy
    }

    /// The first bare `CR` or `LF` seen under [`BareLineEndingPolicy::Reject`] (always `None`
    /// under `Normalize`). When set once the data is finished, the message must be refused.
    pub fn error(&self) -> Option<&DotError> {
        self.error.as_ref()
    }

    /// Octets of body written so far (after un-stuffing and, under `Normalize`, with the `CR`s
    /// added to bare `LF`s and the `LF`s added to bare `CR`s).
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
        self.decode_slices(input, |s| out.extend_from_slice(s))
    }

    /// Zero-copy form of [`DotDecoder::decode`]: hands the body to `f` as consecutive slices,
    /// each either borrowed from `input` (long runs of lines are handed out whole) or a short
    /// static one (a line ending added by `Normalize`, a byte held back across a chunk boundary).
    pub fn decode_slices<'a>(&mut self, input: &'a [u8], mut f: impl FnMut(&'a [u8])) -> Decoded {
        let mut sink = Sink {
            f: &mut f,
            len: self.body_len,
        };
        let normalize = self.policy == BareLineEndingPolicy::Normalize;
        let content = self.policy == BareLineEndingPolicy::Content;
        // Invariant: input[run..i] is read, and is body output not yet handed to the sink.
        let mut run = 0;
        let mut i = 0;
        let len = input.len();
        while i < len {
            let Some(&c) = input.get(i) else { break };
            match self.state {
                State::Text => {
                    // Skip whole blocks of plain lines without looking at each line end.
                    let start = i;
                    while plain_block(input, i) {
                        i += BLOCK;
                    }
                    if i != start {
                        // The block's last octet may be a line end checked by `plain_block`.
                        self.state = match input.get(i - 1) {
                            Some(&CR) => State::Cr,
                            Some(&LF) => State::LineStart { genuine: true },
                            _ => State::Text,
                        };
                        continue;
                    }
                    let Some(k) = input.get(i..).and_then(|rest| memchr2(CR, LF, rest)) else {
                        i = len;
                        break;
                    };
                    let j = i + k;
                    if input.get(j) == Some(&CR) {
                        if input.get(j + 1) == Some(&LF) {
                            // CRLF then, most often, plain text: stay in the run.
                            match input.get(j + 2) {
                                Some(&n) if n != b'.' && n != CR && n != LF => i = j + 3,
                                _ => {
                                    i = j + 2;
                                    self.state = State::LineStart { genuine: true };
                                }
                            }
                        } else {
                            i = j + 1;
                            self.state = State::Cr;
                        }
                    } else if content {
                        // A bare LF is line content: the line goes on.
                        i = j + 1;
                    } else {
                        // In Text the octet before is content: this LF is bare.
                        self.bare_lf(&mut sink, input, &mut run, j, normalize);
                        i = j + 1;
                        self.state = State::LineStart { genuine: false };
                    }
                }
                State::LineStart { genuine } => {
                    i += 1;
                    match c {
                        b'.' => {
                            sink.emit(input.get(run..i - 1).unwrap_or_default());
                            run = i;
                            self.state = State::Dot { genuine };
                        }
                        CR => self.state = State::Cr,
                        LF if content => self.state = State::Text,
                        LF => {
                            self.bare_lf(&mut sink, input, &mut run, i - 1, normalize);
                            self.state = State::LineStart { genuine: false };
                        }
                        _ => self.state = State::Text,
                    }
                }
                State::Cr => {
                    if c == LF {
                        i += 1;
                        self.state = State::LineStart { genuine: true };
                    } else if content {
                        // A bare CR is line content; `c` is read again in the line.
                        self.state = State::Text;
                    } else {
                        // The CR before `c` (already written or in the run) is bare.
                        let offset = (sink.len + i.saturating_sub(run) as u64).saturating_sub(1);
                        self.record(DotError::BareCr { offset });
                        if normalize {
                            sink.emit(input.get(run..i).unwrap_or_default());
                            sink.emit(b"\n");
                            run = i;
                        }
                        // A bare line ending starts a line, but never a terminator.
                        self.state = State::LineStart { genuine: false };
                    }
                }
                State::Dot { genuine } => {
                    // run == i: the dot is held back.
                    match c {
                        CR => {
                            i += 1;
                            run = i;
                            self.state = State::DotCr { genuine };
                        }
                        LF if content => {
                            // The dot (dropped) was a stuffing dot; the LF is line content.
                            self.state = State::Text;
                        }
                        LF => {
                            // A lone dot ended by a bare LF: a data line holding ".".
                            self.record(DotError::BareLf {
                                offset: sink.len + 1,
                            });
                            sink.emit(if normalize { b".\r\n" } else { b".\n" });
                            i += 1;
                            run = i;
                            self.state = State::LineStart { genuine: false };
                        }
                        _ => {
                            // Transparency dot: dropped; `c` is content and opens the run.
                            i += 1;
                            self.state = State::Text;
                        }
                    }
                }
                State::DotCr { genuine } => {
                    // run == i: ".\r" is held back.
                    if c == LF {
                        i += 1;
                        run = i;
                        if genuine {
                            self.state = State::Done;
                            break;
                        }
                        // "." CRLF after a bare line ending: a data line holding ".".
                        sink.emit(b".\r\n");
                        self.state = State::LineStart { genuine: true };
                    } else if content {
                        // `.CR` then more: the dot was stuffing, the CR is line content.
                        sink.emit(b"\r");
                        self.state = State::Text;
                    } else {
                        // A lone dot ended by a bare CR: a data line holding ".".
                        self.record(DotError::BareCr {
                            offset: sink.len + 1,
                        });
                        sink.emit(if normalize { b".\r\n" } else { b".\r" });
                        self.state = State::LineStart { genuine: false };
                    }
                }
                State::Done => break,
            }
        }
        sink.emit(input.get(run..i).unwrap_or_default());
        self.body_len = sink.len;
        Decoded {
            consumed: i,
            finished: self.state == State::Done,
        }
    }

    /// Handles the bare LF at `input[j]` (`run <= j`).
    fn bare_lf<'a, F: FnMut(&'a [u8])>(
        &mut self,
        sink: &mut Sink<'_, F>,
        input: &'a [u8],
        run: &mut usize,
        j: usize,
        normalize: bool,
    ) {
        let offset = sink.len + j.saturating_sub(*run) as u64;
        self.record(DotError::BareLf { offset });
        if normalize {
            sink.emit(input.get(*run..j).unwrap_or_default());
            sink.emit(b"\r");
            *run = j;
        }
    }

    /// Keeps the first error, and only under `Reject`.
    fn record(&mut self, error: DotError) {
        if self.policy == BareLineEndingPolicy::Reject && self.error.is_none() {
            self.error = Some(error);
        }
    }
}

/// Octets checked at once by [`plain_block`].
const BLOCK: usize = 64;

/// Whether `input[i..i + BLOCK]`, read in the `Text` state (the octet before is content), holds
/// only text and `CRLF`s not followed by `.`, so it goes to the body unchanged. Needs one octet of
/// look-ahead (false without it). Every `CR` must be followed by `LF` and every `LF` preceded by
/// `CR`: that is "`x[k]` is `CR` exactly when `x[k + 1]` is `LF`" over the block, plus no `LF` at
/// its start. Branch-free over fixed-size arrays so that the compiler vectorises it.
#[inline]
fn plain_block(input: &[u8], i: usize) -> bool {
    let window = |from: usize| -> Option<&[u8; BLOCK]> {
        input.get(from..from.checked_add(BLOCK)?)?.try_into().ok()
    };
    let (Some(cur), Some(next)) = (window(i), window(i + 1)) else {
        return false;
    };
    if cur[0] == LF {
        return false;
    }
    let mut bad = 0u8;
    for (&c, &n) in cur.iter().zip(next) {
        bad |= u8::from(((c == CR) != (n == LF)) | ((c == LF) & (n == b'.')));
    }
    bad == 0
}

#[cfg(test)]
#[path = "decoder_tests.rs"]
mod tests;
