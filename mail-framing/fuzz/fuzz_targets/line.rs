#![no_main]
//! Fuzzes the line framer with raw-octet requests between lines, as IMAP literals use it.
//!
//! Byte 0 is the line limit (0 to 255), byte 1 the number of split sizes that follow (mod 16),
//! each one byte, a chunk length; the rest is the stream, fed in those chunks. A line (or the
//! tail of an over-long line) that ends with `{n}` asks for `n` octets at once
//! ([`LineFramer::take_exact`]); one that ends with `{n+}` streams them
//! ([`LineFramer::take_up_to`]); then lines are framed again.
//! Checks: no panic; while a line is in progress the framer never holds more than the limit;
//! `take_exact` takes exactly `n` or nothing; the same lines, over-long reports (length, head
//! and tail) and literals come out for any split, and they are those of a naive model that reads
//! the whole stream at once.
use fuzz_support::split;
use libfuzzer_sys::fuzz_target;
use mail_framing::line::{HEAD, Line, LineFramer, TAIL};

/// What the framer gave.
#[derive(Debug, PartialEq, Eq)]
enum Out {
    Line(Vec<u8>),
    TooLong {
        len: usize,
        head: Vec<u8>,
        tail: Vec<u8>,
    },
    Literal(Vec<u8>),
    /// The octets of a streamed literal the stream ended in.
    Partial(Vec<u8>),
}

/// What the driver asks the framer for next.
#[derive(Debug)]
enum Want {
    Line,
    Exact(usize),
    UpTo { left: usize, got: Vec<u8> },
}

/// The literal a line announces at its end: `{n}` (taken at once) or `{n+}` (streamed).
fn literal_of(line: &[u8]) -> Want {
    let Some(inner) = line.strip_suffix(b"}") else {
        return Want::Line;
    };
    let Some(open) = inner.iter().rposition(|&b| b == b'{') else {
        return Want::Line;
    };
    let spec = &inner[open + 1..];
    let (digits, streamed) = match spec.strip_suffix(b"+") {
        Some(d) => (d, true),
        None => (spec, false),
    };
    if digits.is_empty() || digits.len() > 6 || !digits.iter().all(u8::is_ascii_digit) {
        return Want::Line;
    }
    let n: usize = std::str::from_utf8(digits)
        .ok()
        .and_then(|d| d.parse().ok())
        .unwrap_or(0);
    if streamed {
        Want::UpTo {
            left: n,
            got: Vec::new(),
        }
    } else {
        Want::Exact(n)
    }
}

/// Feeds `chunks` one by one, taking all it can after each.
fn run(limit: usize, chunks: &[&[u8]]) -> Vec<Out> {
    let mut framer = LineFramer::new();
    let mut out = Vec::new();
    let mut want = Want::Line;
    for chunk in chunks {
        framer.feed(chunk);
        loop {
            match &mut want {
                Want::Line => match framer.next_line(limit) {
                    Line::Incomplete => {
                        assert!(
                            framer.buffered() < limit.max(2),
                            "{} octets held for a line in progress, limit {limit}",
                            framer.buffered()
                        );
                        break;
                    }
                    Line::Complete(range) => {
                        let line = framer.get(range).to_vec();
                        assert!(line.len() + 2 <= limit, "a line over the limit came out");
                        want = literal_of(&line);
                        out.push(Out::Line(line));
                    }
                    Line::TooLong { len } => {
                        assert!(len > limit, "a line within the limit reported too long");
                        let tail = framer.too_long_tail().to_vec();
                        assert!(tail.len() <= TAIL);
                        let head = framer.too_long_head().to_vec();
                        assert!(head.len() <= HEAD);
                        want = literal_of(&tail);
                        out.push(Out::TooLong { len, head, tail });
                    }
                },
                Want::Exact(n) => {
                    let n = *n;
                    let before = framer.buffered();
                    match framer.take_exact(n) {
                        None => {
                            assert!(before < n, "take_exact refused {n} of {before} buffered");
                            assert_eq!(framer.buffered(), before, "take_exact took a part");
                            break;
                        }
                        Some(range) => {
                            assert_eq!(range.len(), n);
                            out.push(Out::Literal(framer.get(range).to_vec()));
                            assert_eq!(framer.buffered(), before - n);
                            want = Want::Line;
                        }
                    }
                }
                Want::UpTo { left, got } => {
                    let before = framer.buffered();
                    let range = framer.take_up_to(*left);
                    assert_eq!(range.len(), (*left).min(before));
                    got.extend_from_slice(framer.get(range.clone()));
                    *left -= range.len();
                    if *left == 0 {
                        out.push(Out::Literal(std::mem::take(got)));
                        want = Want::Line;
                    } else {
                        assert_eq!(framer.buffered(), 0);
                        break;
                    }
                }
            }
        }
    }
    if let Want::UpTo { got, .. } = want
        && !got.is_empty()
    {
        out.push(Out::Partial(got));
    }
    out
}

/// The same, read naively from the whole stream: a line ends at `LF`, a `CR` before it is not
/// part of it, and it is too long when its octets plus two exceed the limit.
fn model(limit: usize, data: &[u8]) -> Vec<Out> {
    let mut out = Vec::new();
    let mut pos = 0;
    let mut want = Want::Line;
    loop {
        let rest = &data[pos..];
        match want {
            Want::Line => {
                let Some(lf) = rest.iter().position(|&b| b == b'\n') else {
                    break;
                };
                let mut line = &rest[..lf];
                if let Some(stripped) = line.strip_suffix(b"\r") {
                    line = stripped;
                }
                pos += lf + 1;
                if line.len() + 2 > limit {
                    let tail = line[line.len().saturating_sub(TAIL)..].to_vec();
                    want = literal_of(&tail);
                    out.push(Out::TooLong {
                        len: line.len() + 2,
                        head: line[..line.len().min(HEAD)].to_vec(),
                        tail,
                    });
                } else {
                    want = literal_of(line);
                    out.push(Out::Line(line.to_vec()));
                }
            }
            Want::Exact(n) => {
                if rest.len() < n {
                    break;
                }
                out.push(Out::Literal(rest[..n].to_vec()));
                pos += n;
                want = Want::Line;
            }
            Want::UpTo { left, .. } => {
                let n = left.min(rest.len());
                let got = rest[..n].to_vec();
                pos += n;
                if n == left {
                    out.push(Out::Literal(got));
                    want = Want::Line;
                } else {
                    if !got.is_empty() {
                        out.push(Out::Partial(got));
                    }
                    break;
                }
            }
        }
    }
    out
}

fuzz_target!(|data: &[u8]| {
    let [limit, n, rest @ ..] = data else {
        return;
    };
    let limit = usize::from(*limit);
    let (sizes, stream) = rest.split_at(usize::from(n % 16).min(rest.len()));
    let whole = run(limit, &[stream]);
    assert_eq!(run(limit, &split(stream, sizes)), whole, "split-invariance");
    assert_eq!(run(limit, &split(stream, &[1])), whole, "octet by octet");
    assert_eq!(model(limit, stream), whole, "naive model");
});
