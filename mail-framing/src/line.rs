//! The command line framer: lines under a length limit, and raw octets between them.
//!
//! ```text
//! line = *octet ( CRLF / LF )   ; RFC 5321 §2.3.8, RFC 1939 §3, RFC 9051 §2.2: lines end with
//!                               ;  CRLF; a bare LF is accepted as a line end too
//! ```
//!
//! # One behaviour for every protocol
//! - A line ends at `LF`; a `CR` right before it is not part of the line. A bare `LF` ends a line
//!   too: SMTP, POP3 and IMAP servers all accept it in commands (only SMTP's DATA body is strict
//!   about bare line endings, and that is [`crate::dot::DotDecoder`]'s business), so it is not a
//!   parameter.
//! - The limit counts the line's octets plus two for its line end, whichever it was (RFC 5321
//!   §4.5.3.1.4 "including the `<CRLF>`", RFC 2449 §4 "255 octets, including the terminating
//!   CRLF").
//! - A line over the limit is reported once, **at its end**, as [`Line::TooLong`] with its full
//!   length. Its octets are dropped as they arrive (never more than the limit is held, even when
//!   no line end ever comes), and framing resumes with the next line. Reporting at the end keeps
//!   one answer per line in stream order, gives the length for the log, and keeps the framer
//!   where the peer thinks it is: a line is over only when its `LF` is. (Reporting as soon as the
//!   limit is passed would answer a line the peer has not finished sending; a peer that never
//!   ends its line gets no answer and meets the idle time-out.)
//! - Between lines, the caller may take raw octets instead: [`LineFramer::take_exact`] (a whole
//!   small literal), [`LineFramer::take_up_to`] (a large literal or a BDAT chunk, streamed), or
//!   [`LineFramer::pending`] + [`LineFramer::consume`] (a DATA body fed to a decoder). That is
//!   the hook IMAP's literals (`{n}`, `{n+}`, `~{n}`) use: the framer returns the line that
//!   announces the literal, the codec asks for the `n` octets, then frames lines again.
//! - An over-long line's last octets stay readable ([`LineFramer::too_long_tail`]): IMAP must
//!   know whether it announced a literal, whose octets are then skipped rather than parsed. Its
//!   first octets too ([`LineFramer::too_long_head`]): IMAP answers a command by its tag, which
//!   starts the line (RFC 9051 §2.2.1, §7.1 `BAD [TOOBIG]`).
//! - [`LineFramer::discard`] drops everything buffered: after `STARTTLS`/`STLS`/IMAP `STARTTLS`
//!   (RFC 3207 §4.2, RFC 2595 §4, CVE-2011-0411: nothing pipelined before the handshake may be
//!   read as if it came through TLS) and when a session closes.

use std::ops::Range;

/// What [`LineFramer::next_line`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Line {
    /// No complete line is buffered yet: feed more.
    Incomplete,
    /// A line, without its line end, at this range of the buffer ([`LineFramer::get`]).
    Complete(Range<usize>),
    /// A line longer than the limit ended; its octets were dropped.
    TooLong {
        /// The line's length, its line end counted as two octets (as the limit counts it).
        len: usize,
    },
}

/// Bytes fed but not yet taken, cut into lines on demand.
#[derive(Debug, Default, Clone)]
pub struct LineFramer {
    buf: Vec<u8>,
    /// Start of the next line (or raw octets) in `buf`.
    start: usize,
    /// Octets of `buf[start..]` already searched for `LF`.
    scanned: usize,
    /// Octets of an over-long line dropped so far; `Some` while skipping to its end.
    dropped: Option<usize>,
    /// The last octets of the over-long line being dropped or last reported.
    tail: Vec<u8>,
    /// The first octets of the over-long line being dropped or last reported.
    head: Vec<u8>,
}

/// Octets of an over-long line kept for [`LineFramer::too_long_tail`].
pub const TAIL: usize = 32;

/// Octets of an over-long line kept for [`LineFramer::too_long_head`].
pub const HEAD: usize = 64;

/// Compact the buffer once this many taken octets sit before `start` (and they are at least
/// half of it): a long pipelined burst is not moved line by line.
const COMPACT_AFTER: usize = 4096;

impl LineFramer {
    /// An empty framer.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends bytes read from the peer, in any split.
    pub fn feed(&mut self, bytes: &[u8]) {
        if self.start == self.buf.len() {
            self.buf.clear();
            self.start = 0;
        } else if self.start > COMPACT_AFTER && self.start * 2 > self.buf.len() {
            self.buf.drain(..self.start);
            self.start = 0;
        }
        self.buf.extend_from_slice(bytes);
    }

    /// The next line, if one is complete. `limit` is the longest line allowed, its line end
    /// counted as two octets; an over-long line is reported once, at its end (see the module
    /// documentation).
    pub fn next_line(&mut self, limit: usize) -> Line {
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
                let len = match self.dropped.take() {
                    Some(dropped) => dropped + end + 2,
                    None if end + 2 > limit => {
                        self.tail.clear();
                        self.head.clear();
                        end + 2
                    }
                    None => return Line::Complete(range),
                };
                let line = self.buf.get(range).unwrap_or_default();
                keep_head(&mut self.head, line);
                keep_tail(&mut self.tail, line);
                Line::TooLong { len }
            }
            None if pending.len() + 1 > limit => {
                // Over the limit whatever comes: drop it, keeping a trailing CR (it may be the
                // start of the line end, which must not be counted as content).
                let keep = usize::from(pending.last() == Some(&b'\r'));
                let drop = pending.len() - keep;
                if self.dropped.is_none() {
                    self.tail.clear();
                    self.head.clear();
                }
                let dropped = pending.get(..drop).unwrap_or_default();
                keep_head(&mut self.head, dropped);
                keep_tail(&mut self.tail, dropped);
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

    /// The bytes of a range returned by [`LineFramer::next_line`] or a `take_*` call (valid
    /// until the next [`LineFramer::feed`]).
    pub fn get(&self, range: Range<usize>) -> &[u8] {
        self.buf.get(range).unwrap_or_default()
    }

    /// The buffered octets not yet taken, for a body decoder; say how many it used with
    /// [`LineFramer::consume`]. Only between lines (not while an over-long line is skipped).
    pub fn pending(&self) -> &[u8] {
        self.buf.get(self.start..).unwrap_or_default()
    }

    /// Marks the first `n` octets of [`LineFramer::pending`] as taken.
    pub fn consume(&mut self, n: usize) {
        self.start = (self.start + n).min(self.buf.len());
        self.scanned = 0;
    }

    /// Exactly `n` raw octets (an IMAP literal, RFC 9051 §4.3), once all of them are buffered;
    /// `None` (nothing taken) until then. The caller bounds `n` (the buffer grows to hold it);
    /// for large literals use [`LineFramer::take_up_to`].
    pub fn take_exact(&mut self, n: usize) -> Option<Range<usize>> {
        if self.pending().len() < n {
            return None;
        }
        let range = self.start..self.start + n;
        self.consume(n);
        Some(range)
    }

    /// Up to `n` raw octets, as many as are buffered (a large literal or a BDAT chunk, streamed:
    /// the caller subtracts the range's length from what it still expects).
    pub fn take_up_to(&mut self, n: usize) -> Range<usize> {
        let n = n.min(self.pending().len());
        let range = self.start..self.start + n;
        self.consume(n);
        range
    }

    /// The last octets (up to [`TAIL`], line end excluded) of the over-long line last reported
    /// as [`Line::TooLong`]. Its other octets are gone, but an IMAP server must still see whether
    /// it ended by announcing a literal (`{n}`, `{n+}`, RFC 9051 §4.3), whose octets follow and are
    /// not commands.
    pub fn too_long_tail(&self) -> &[u8] {
        &self.tail
    }

    /// The first octets (up to [`HEAD`], line end excluded) of the over-long line last reported
    /// as [`Line::TooLong`] (the line is longer than this when its reported length, less the two
    /// octets of its line end, is). An IMAP server answers a command by its tag, which starts the
    /// line (RFC 9051 §2.2.1, §7.1 `BAD [TOOBIG]`).
    pub fn too_long_head(&self) -> &[u8] {
        &self.head
    }

    /// Octets buffered and not yet taken.
    pub fn buffered(&self) -> usize {
        self.buf.len() - self.start
    }

    /// Drops everything buffered (after `STARTTLS`/`STLS`, RFC 3207 §4.2, RFC 2595 §4,
    /// CVE-2011-0411; or when the session closes) and returns how many octets were dropped.
    pub fn discard(&mut self) -> usize {
        let n = self.buffered();
        self.buf.clear();
        self.start = 0;
        self.scanned = 0;
        self.dropped = None;
        self.tail.clear();
        self.head.clear();
        n
    }
}

/// Appends to `head` the first octets of `more` it still has room for (up to [`HEAD`]).
fn keep_head(head: &mut Vec<u8>, more: &[u8]) {
    let room = HEAD.saturating_sub(head.len());
    head.extend_from_slice(more.get(..room.min(more.len())).unwrap_or_default());
}

/// Appends `more` to `tail`, keeping only its last [`TAIL`] octets.
fn keep_tail(tail: &mut Vec<u8>, more: &[u8]) {
    let more = more
        .get(more.len().saturating_sub(TAIL)..)
        .unwrap_or_default();
    let excess = (tail.len() + more.len()).saturating_sub(TAIL);
    tail.drain(..excess.min(tail.len()));
    tail.extend_from_slice(more);
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn lines(framer: &mut LineFramer, limit: usize) -> Vec<Result<Vec<u8>, usize>> {
        let mut out = Vec::new();
        loop {
            match framer.next_line(limit) {
                Line::Incomplete => return out,
                Line::Complete(r) => out.push(Ok(framer.get(r).to_vec())),
                Line::TooLong { len } => out.push(Err(len)),
            }
        }
    }

    #[test]
    fn splits_crlf_and_bare_lf_in_any_split() {
        let input = b"STAT\r\nLIST 1\nRETR 2\r\n\r\n";
        for cut in 0..=input.len() {
            let mut f = LineFramer::new();
            let mut got = Vec::new();
            f.feed(&input[..cut]);
            got.extend(lines(&mut f, 255));
            f.feed(&input[cut..]);
            got.extend(lines(&mut f, 255));
            assert_eq!(
                got,
                vec![
                    Ok(b"STAT".to_vec()),
                    Ok(b"LIST 1".to_vec()),
                    Ok(b"RETR 2".to_vec()),
                    Ok(Vec::new()),
                ],
                "cut at {cut}"
            );
        }
    }

    #[test]
    fn overlong_line_is_dropped_and_reported_once_at_its_end() {
        let mut f = LineFramer::new();
        f.feed(&[b'x'; 100]);
        assert_eq!(lines(&mut f, 20), vec![]);
        assert!(f.buffered() < 20, "{} held", f.buffered());
        f.feed(&[b'y'; 100]);
        assert_eq!(lines(&mut f, 20), vec![]);
        assert!(f.buffered() < 20, "{} held", f.buffered());
        f.feed(b"z\r\nNOOP\r\n");
        assert_eq!(lines(&mut f, 20), vec![Err(203), Ok(b"NOOP".to_vec())]);
        // At the limit exactly: 18 octets + CRLF = 20, and the same with a bare LF.
        f.feed(&[b'a'; 18]);
        f.feed(b"\r\n");
        f.feed(&[b'b'; 18]);
        f.feed(b"\n");
        assert_eq!(
            lines(&mut f, 20),
            vec![Ok(vec![b'a'; 18]), Ok(vec![b'b'; 18])]
        );
        f.feed(&[b'a'; 19]);
        f.feed(b"\r\n");
        assert_eq!(lines(&mut f, 20), vec![Err(21)]);
        // A CR held at the limit is the start of the line end, not content.
        f.feed(&[b'c'; 18]);
        f.feed(b"\r");
        assert_eq!(lines(&mut f, 20), vec![]);
        f.feed(b"\n");
        assert_eq!(lines(&mut f, 20), vec![Ok(vec![b'c'; 18])]);
    }

    #[test]
    fn discard_drops_pending_and_skipping() {
        let mut f = LineFramer::new();
        f.feed(b"STARTTLS\r\nMAIL FROM:<evil@example.org>\r\n");
        assert_eq!(lines(&mut f, 512).len(), 2);
        f.feed(b"STLS\r\nUSER evil\r\n");
        assert!(matches!(f.next_line(255), Line::Complete(_)));
        assert_eq!(f.discard(), 11);
        assert_eq!(f.buffered(), 0);
        assert_eq!(f.next_line(255), Line::Incomplete);
        // Discarding in the middle of an over-long line forgets it.
        f.feed(&[b'x'; 300]);
        assert_eq!(f.next_line(255), Line::Incomplete);
        f.discard();
        f.feed(b"CAPA\r\n");
        assert_eq!(lines(&mut f, 255), vec![Ok(b"CAPA".to_vec())]);
    }

    /// The literal hook IMAP needs (RFC 9051 §4.3): a line announcing `{n}`, then `n` raw octets
    /// (holding CRLFs and what looks like commands), then lines again.
    #[test]
    fn literal_hook_takes_raw_octets_between_lines() {
        let stream: &[u8] = b"A1 LOGIN {5}\r\nus\r\nr {4+}\r\npa\nsZ\r\nA2 NOOP\r\n";
        for cut in 0..=stream.len() {
            let mut f = LineFramer::new();
            f.feed(&stream[..cut]);
            let mut fed = cut;
            let mut events: Vec<Vec<u8>> = Vec::new();
            let mut literal: Option<usize> = None;
            let mut streamed = Vec::new();
            loop {
                let progressed = if let Some(n) = literal {
                    if n == 4 {
                        // The second literal is streamed in pieces.
                        let r = f.take_up_to(4 - streamed.len());
                        streamed.extend_from_slice(f.get(r));
                        if streamed.len() == 4 {
                            events.push(std::mem::take(&mut streamed));
                            literal = None;
                            true
                        } else {
                            false
                        }
                    } else {
                        match f.take_exact(n) {
                            Some(r) => {
                                events.push(f.get(r).to_vec());
                                literal = None;
                                true
                            }
                            None => false,
                        }
                    }
                } else {
                    match f.next_line(100) {
                        Line::Complete(r) => {
                            let line = f.get(r).to_vec();
                            literal = match () {
                                () if line.ends_with(b"{5}") => Some(5),
                                () if line.ends_with(b"{4+}") => Some(4),
                                () => None,
                            };
                            events.push(line);
                            true
                        }
                        Line::TooLong { .. } => panic!("no line is too long"),
                        Line::Incomplete => false,
                    }
                };
                if !progressed {
                    if fed == stream.len() {
                        break;
                    }
                    f.feed(&stream[fed..=fed]);
                    fed += 1;
                }
            }
            let want: Vec<&[u8]> = vec![
                b"A1 LOGIN {5}",
                b"us\r\nr",
                b" {4+}",
                b"pa\ns",
                b"Z",
                b"A2 NOOP",
            ];
            assert_eq!(events, want, "cut at {cut}");
        }
    }

    /// An over-long IMAP line that announces a literal: the tail tells, whatever the split.
    #[test]
    fn too_long_tail_shows_how_the_line_ended() {
        let line = [b"A1 APPEND INBOX ".as_slice(), &[b'x'; 300], b" {12+}\r\n"].concat();
        for size in [1, 7, 100, line.len()] {
            let mut f = LineFramer::new();
            let mut got = Vec::new();
            for chunk in line.chunks(size) {
                f.feed(chunk);
                got.extend(lines(&mut f, 100));
            }
            assert_eq!(got, vec![Err(line.len())], "pieces of {size}");
            let tail = f.too_long_tail();
            assert!(tail.len() <= TAIL && tail.ends_with(b"x {12+}"), "{tail:?}");
            assert_eq!(f.too_long_head(), &line[..HEAD], "pieces of {size}");
        }
        // A line over the limit in one piece, and the tail is forgotten on discard.
        let mut f = LineFramer::new();
        f.feed(b"0123456789ABCDEF {3}\r\n");
        assert_eq!(lines(&mut f, 10), vec![Err(22)]);
        assert_eq!(f.too_long_tail(), b"0123456789ABCDEF {3}");
        assert_eq!(f.too_long_head(), b"0123456789ABCDEF {3}");
        f.discard();
        assert_eq!(f.too_long_tail(), b"");
        assert_eq!(f.too_long_head(), b"");
        // With a limit below HEAD, the head gathers the first octets across the dropped pieces
        // (a CR held back at one piece's end is content when no LF follows it).
        let mut f = LineFramer::new();
        let line = b"T1 x\ry 0123456789 abcdefghij\r\n";
        for piece in line.chunks(3) {
            f.feed(piece);
            assert!(lines(&mut f, 8).is_empty() || piece.ends_with(b"\n"));
        }
        assert_eq!(f.too_long_head(), b"T1 x\ry 0123456789 abcdefghij");
        assert_eq!(f.too_long_tail(), b"T1 x\ry 0123456789 abcdefghij");
    }

    #[test]
    fn take_exact_waits_for_all_octets() {
        let mut f = LineFramer::new();
        f.feed(b"abc");
        assert_eq!(f.take_exact(5), None);
        assert_eq!(f.buffered(), 3);
        f.feed(b"de\r\nX\r\n");
        let r = f.take_exact(5).expect("five octets buffered");
        assert_eq!(f.get(r), b"abcde");
        assert_eq!(lines(&mut f, 10), vec![Ok(Vec::new()), Ok(b"X".to_vec())]);
    }

    proptest! {
        /// Any split of the input gives the same lines and reports, and never more than the
        /// limit is held.
        #[test]
        fn any_split_same_lines(
            lines_in in proptest::collection::vec(
                (proptest::collection::vec(prop_oneof![Just(b'a'), Just(b'\r'), Just(b' ')], 0..40), any::<bool>()),
                0..8,
            ),
            cuts in proptest::collection::vec(0usize..400, 0..6),
        ) {
            let mut stream = Vec::new();
            for (line, crlf) in &lines_in {
                stream.extend_from_slice(line);
                stream.extend_from_slice(if *crlf { b"\r\n" } else { b"\n" });
            }
            let limit = 20;
            let mut whole = LineFramer::new();
            whole.feed(&stream);
            let want = lines(&mut whole, limit);
            let mut bounds: Vec<usize> = cuts.iter().map(|&c| c.min(stream.len())).collect();
            bounds.sort_unstable();
            bounds.push(stream.len());
            let mut f = LineFramer::new();
            let mut got = Vec::new();
            let mut start = 0;
            for end in bounds {
                f.feed(&stream[start..end]);
                got.extend(lines(&mut f, limit));
                prop_assert!(f.buffered() < limit);
                start = end;
            }
            prop_assert_eq!(got, want);
        }
    }
}
