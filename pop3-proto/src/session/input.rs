//! Splitting the client's bytes into lines (RFC 1939 §3: lines end with CRLF), with a length
//! limit that holds even when no line end ever comes.

use std::ops::Range;

/// What [`LineReader::next_line`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Line {
    /// No complete line yet.
    Incomplete,
    /// A line (without its line end) at this range of the buffer.
    Complete(Range<usize>),
    /// A line longer than the limit ended; its bytes were dropped. The length is the line's,
    /// line end included.
    TooLong(usize),
}

/// Buffered client input, cut into lines. A bare LF ends a line too (as every POP3 server
/// accepts); the CR before an LF is not part of the line.
#[derive(Debug, Default)]
pub(crate) struct LineReader {
    buf: Vec<u8>,
    /// Start of the next line in `buf`.
    start: usize,
    /// Bytes of `buf[start..]` already searched for LF.
    scanned: usize,
    /// Octets of an over-long line dropped so far; `Some` while skipping to its end.
    dropped: Option<usize>,
}

impl LineReader {
    pub(crate) fn feed(&mut self, bytes: &[u8]) {
        if self.start > 0 && self.start == self.buf.len() {
            self.buf.clear();
            self.start = 0;
        } else if self.start > 4096 && self.start * 2 > self.buf.len() {
            self.buf.drain(..self.start);
            self.start = 0;
        }
        self.buf.extend_from_slice(bytes);
    }

    /// The next line, if one is complete; `limit` counts the line end as two octets.
    pub(crate) fn next_line(&mut self, limit: usize) -> Line {
        let pending = self.buf.get(self.start..).unwrap_or_default();
        let from = self.scanned.min(pending.len());
        let found = pending
            .get(from..)
            .and_then(|rest| memchr::memchr(b'\n', rest))
            .map(|i| from + i);
        match found {
            Some(lf) => {
                let end = if lf > 0 && pending.get(lf - 1) == Some(&b'\r') {
                    lf - 1
                } else {
                    lf
                };
                let range = self.start..self.start + end;
                self.start += lf + 1;
                self.scanned = 0;
                match self.dropped.take() {
                    Some(dropped) => Line::TooLong(dropped + end + 2),
                    None if end + 2 > limit => Line::TooLong(end + 2),
                    None => Line::Complete(range),
                }
            }
            None if pending.len() + 1 > limit => {
                // Keep a trailing CR: it may be the start of the line end.
                let keep = usize::from(pending.last() == Some(&b'\r'));
                let drop = pending.len() - keep;
                *self.dropped.get_or_insert(0) += drop;
                self.start += drop;
                self.scanned = keep;
                Line::Incomplete
            }
            None => {
                self.scanned = pending.len();
                Line::Incomplete
            }
        }
    }

    /// The bytes of a line returned by [`LineReader::next_line`] (valid until the next `feed`).
    pub(crate) fn get(&self, range: Range<usize>) -> &[u8] {
        self.buf.get(range).unwrap_or_default()
    }

    /// Drops everything buffered (after `STLS`: RFC 2595 §4 and the CVE-2011-0411 lesson:
    /// nothing sent before the handshake may be read as coming through TLS). Returns how many
    /// octets were dropped.
    pub(crate) fn discard(&mut self) -> usize {
        let n = self.buf.len().saturating_sub(self.start);
        self.buf.clear();
        self.start = 0;
        self.scanned = 0;
        self.dropped = None;
        n
    }

    /// Whether unread bytes are buffered.
    #[cfg(test)]
    pub(crate) fn has_pending(&self) -> bool {
        self.start < self.buf.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(reader: &mut LineReader, limit: usize) -> Vec<Result<Vec<u8>, usize>> {
        let mut out = Vec::new();
        loop {
            match reader.next_line(limit) {
                Line::Incomplete => return out,
                Line::Complete(r) => out.push(Ok(reader.get(r).to_vec())),
                Line::TooLong(n) => out.push(Err(n)),
            }
        }
    }

    #[test]
    fn splits_crlf_and_bare_lf_in_any_split() {
        let input = b"STAT\r\nLIST 1\nRETR 2\r\n";
        for cut in 0..=input.len() {
            let mut r = LineReader::default();
            let mut got = Vec::new();
            r.feed(&input[..cut]);
            got.extend(lines(&mut r, 255));
            r.feed(&input[cut..]);
            got.extend(lines(&mut r, 255));
            assert_eq!(
                got,
                vec![
                    Ok(b"STAT".to_vec()),
                    Ok(b"LIST 1".to_vec()),
                    Ok(b"RETR 2".to_vec())
                ],
                "cut at {cut}"
            );
        }
    }

    #[test]
    fn overlong_line_is_dropped_and_reported_once() {
        let mut r = LineReader::default();
        r.feed(&[b'x'; 100]);
        assert_eq!(lines(&mut r, 20), vec![]);
        r.feed(&[b'y'; 100]);
        assert_eq!(lines(&mut r, 20), vec![]);
        r.feed(b"z\r\nNOOP\r\n");
        assert_eq!(lines(&mut r, 20), vec![Err(203), Ok(b"NOOP".to_vec())]);
        // At the limit exactly: 18 octets + CRLF = 20.
        r.feed(&[b'a'; 18]);
        r.feed(b"\r\n");
        assert_eq!(lines(&mut r, 20), vec![Ok(vec![b'a'; 18])]);
        r.feed(&[b'a'; 19]);
        r.feed(b"\r\n");
        assert_eq!(lines(&mut r, 20), vec![Err(21)]);
    }

    #[test]
    fn discard_drops_pending() {
        let mut r = LineReader::default();
        r.feed(b"STLS\r\nUSER evil\r\n");
        assert!(matches!(r.next_line(255), Line::Complete(_)));
        assert_eq!(r.discard(), 11);
        assert!(!r.has_pending());
        assert_eq!(r.next_line(255), Line::Incomplete);
    }
}
