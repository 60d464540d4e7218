//! Input buffer and command-line framer (STYLE point 3: frame first, then parse).
//!
//! Lines end at LF; a CR before it is dropped. A line longer than the limit is skipped up to and
//! including its LF and reported once as [`Line::TooLong`], so the stream resynchronises on the next
//! line without buffering the over-long one (RFC 5321 §4.5.3.1.4).

use std::ops::Range;

/// One framing step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Line {
    /// A complete line, CRLF removed: a range of [`Input::slice`].
    Complete(Range<usize>),
    /// A line over the limit ended (or is still being skipped, for the first report).
    TooLong,
    /// No complete line buffered yet.
    Incomplete,
}

/// Bytes fed but not yet consumed.
#[derive(Debug, Default)]
pub(crate) struct Input {
    buf: Vec<u8>,
    pos: usize,
    /// Inside an over-long line already reported: drop bytes until its LF.
    skipping: bool,
}

impl Input {
    pub(crate) fn feed(&mut self, bytes: &[u8]) {
        if self.pos == self.buf.len() {
            self.buf.clear();
            self.pos = 0;
        } else if self.pos > 8192 {
            self.buf.drain(..self.pos);
            self.pos = 0;
        }
        self.buf.extend_from_slice(bytes);
    }

    pub(crate) fn pending(&self) -> &[u8] {
        self.buf.get(self.pos..).unwrap_or_default()
    }

    pub(crate) fn consume(&mut self, n: usize) {
        self.pos = (self.pos + n).min(self.buf.len());
    }

    /// Drops everything buffered (STARTTLS, QUIT) and returns how many octets were dropped.
    pub(crate) fn discard_all(&mut self) -> usize {
        let n = self.buf.len() - self.pos;
        self.buf.clear();
        self.pos = 0;
        self.skipping = false;
        n
    }

    pub(crate) fn slice(&self, range: Range<usize>) -> &[u8] {
        self.buf.get(range).unwrap_or_default()
    }

    /// The next line no longer than `limit` octets including its CRLF.
    pub(crate) fn next_line(&mut self, limit: usize) -> Line {
        loop {
            let start = self.pos;
            let pending = self.pending();
            match memchr::memchr(b'\n', pending) {
                Some(lf) => {
                    let cr = lf > 0 && pending.get(lf - 1) == Some(&b'\r');
                    self.pos = start + lf + 1;
                    if std::mem::take(&mut self.skipping) {
                        continue; // the end of a line already reported
                    }
                    if lf + 1 > limit {
                        return Line::TooLong;
                    }
                    return Line::Complete(start..start + lf - usize::from(cr));
                }
                None if self.skipping || pending.len() >= limit => {
                    // Over the limit with no end in sight: drop what we have, remember to skip the rest.
                    let first = !self.skipping;
                    self.pos = self.buf.len();
                    self.skipping = true;
                    return if first {
                        Line::TooLong
                    } else {
                        Line::Incomplete
                    };
                }
                None => return Line::Incomplete,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(input: &mut Input, limit: usize) -> Vec<Result<Vec<u8>, ()>> {
        let mut out = Vec::new();
        loop {
            match input.next_line(limit) {
                Line::Complete(r) => out.push(Ok(input.slice(r).to_vec())),
                Line::TooLong => out.push(Err(())),
                Line::Incomplete => return out,
            }
        }
    }

    #[test]
    fn splits_lines_any_split() {
        let stream = b"NOOP\r\nQUIT\nRSET\r\n";
        for split in 0..stream.len() {
            let mut input = Input::default();
            input.feed(&stream[..split]);
            let mut got = lines(&mut input, 512);
            input.feed(&stream[split..]);
            got.extend(lines(&mut input, 512));
            assert_eq!(
                got,
                vec![
                    Ok(b"NOOP".to_vec()),
                    Ok(b"QUIT".to_vec()),
                    Ok(b"RSET".to_vec())
                ],
                "split {split}"
            );
        }
    }

    #[test]
    fn over_long_line_reported_once_and_resyncs() {
        let mut input = Input::default();
        input.feed(&[b'x'; 20]);
        assert_eq!(lines(&mut input, 10), vec![Err(())]);
        input.feed(&[b'y'; 20]);
        assert_eq!(lines(&mut input, 10), vec![]);
        input.feed(b"zz\r\nNOOP\r\n");
        assert_eq!(lines(&mut input, 10), vec![Ok(b"NOOP".to_vec())]);
        // Complete but too long in one piece: one report.
        input.feed(b"0123456789ABC\r\nQUIT\r\n");
        assert_eq!(lines(&mut input, 10), vec![Err(()), Ok(b"QUIT".to_vec())]);
        // Exactly at the limit (CRLF included) passes.
        input.feed(b"12345678\r\n");
        assert_eq!(lines(&mut input, 10), vec![Ok(b"12345678".to_vec())]);
    }
}
