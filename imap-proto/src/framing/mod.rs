//! Literal-aware framing of IMAP commands and responses, on the family's line framer
//! ([`mail_framing::line::LineFramer`]).
//!
//! ```text
//! literal  = "{" number64 ["+"] "}" CRLF *CHAR8   ; RFC 9051 §4.3, "+" RFC 7888 §3 (LITERAL+ and
//!                                                 ;  LITERAL-, which differ only in a size limit)
//! literal8 = "~{" number64 ["+"] "}" CRLF *OCTET  ; RFC 3516 §4.1 (BINARY), "+" RFC 7888 §3
//! ```
//!
//! An IMAP message (a client's command or a server's response) is a line that may **end** with
//! a literal announcement; after `{n}` and its CRLF come exactly `n` raw octets, then the message
//! goes on (more text, maybe more literals) until a line that ends without an announcement
//! (RFC 9051 §2.2, §4.3). Two layers:
//!
//! - [`Framer`] cuts the stream into [`Fragment`]s: lines (with the literal each announces) and
//!   pieces of literals, handed on as they arrive (a 50 MB literal is never buffered whole).
//! - [`Assembler`] puts one whole message together, small literals inline, for the parsers
//!   (`a LOGIN {3}\r\nbob {4+}\r\npass\r\n`), and stops at each announcement so the caller
//!   decides: take it inline ([`Assembler::accept`]), hand it on in pieces
//!   ([`Assembler::stream`], APPEND), or refuse it ([`Assembler::refuse`]); it enforces
//!   [`FramerLimits`] and keeps the stream in step after a refused or over-long message.
//!
//! # Where an announcement is recognised
//! Only at the very end of a line: `{5}` in the middle of a line is text. The framer does not
//! track quoting, and need not: a quoted string cannot hold CR or LF (RFC 9051 §4.3 `QUOTED-CHAR`),
//! and an atom cannot hold `{` (`atom-specials`), so in a conforming command a line that ends
//! with `{n}` ends with a literal announcement. (A quoted string ending in `{5}"` ends with
//! `"` and is not one.) One place of the grammar is free text: a server's `resp-text`
//! (`* OK see {5}` CRLF). A response line ending so is taken as announcing a literal; no
//! server is known to send such text, and a client that meets one sees a parse error on the
//! assembled message rather than a stream out of step for long.
//!
//! `{n-}` is taken as `{n+}`: RFC 7888 §4 has LITERAL- reuse `{n+}`, but a `-` is a known
//! client deviation the parsers accept too ([`crate::cursor::Cursor::literal_header`]); `{}`,
//! `{+}` and `{n++}` are text.
//! A number past `u64::MAX` is reported as `u64::MAX`; it is over every size limit
//! ([`FramerLimits::max_literal`]). Line ends are CRLF, or a bare LF (accepted as the line
//! framer accepts it); assembled messages always carry CRLF.

mod assembler;
#[cfg(test)]
mod tests;

use std::ops::Range;

use mail_framing::line::{Line, LineFramer};

use crate::token::{LiteralMode, is_tag_char};

pub use assembler::{Assembler, AutoAccept, DecisionError, Event, TooBig};

/// Size limits of the framer and the assembler.
///
/// What each answer should be is the caller's (the server session's) business; the usual ones:
/// a line or message too long is `tag BAD [TOOBIG]` (RFC 9051 §7.1 `TOOBIG`), a literal over
/// LITERAL-'s 4096 octets is `tag BAD [TOOBIG]` (RFC 7888 §4), an APPEND over the server's
/// APPENDLIMIT is `tag NO [TOOBIG]` (RFC 7889 §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FramerLimits {
    /// The longest line, its CRLF included (default 64 KiB; RFC 7162 §4 asks servers to accept
    /// command lines of at least 8192 octets, and long UID sets make real ones longer).
    pub max_line: usize,
    /// The longest literal the [`Assembler`] lets the caller take, inline or streamed (default
    /// 64 MiB). A literal over it is refused without asking the caller.
    pub max_literal: u64,
    /// The largest message the [`Assembler`] puts together in memory: its lines with their
    /// CRLFs plus its inline literals; streamed literals do not count (default 1 MiB).
    pub max_message: usize,
}

impl Default for FramerLimits {
    fn default() -> Self {
        Self {
            max_line: 64 * 1024,
            max_literal: 64 * 1024 * 1024,
            max_message: 1024 * 1024,
        }
    }
}

/// A literal announcement at the end of a line (RFC 9051 §4.3, RFC 7888 §3, RFC 3516 §4.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LiteralHeader {
    /// The number of octets announced (`n` of `{n}`).
    pub length: u64,
    /// [`LiteralMode::Sync`] for `{n}`: the sender waits for a continuation request (`+`)
    /// before it sends the octets (RFC 9051 §7.5); [`LiteralMode::NonSync`] for `{n+}`
    /// (RFC 7888), sent at once (and `{n-}`, a deviation [`crate::cursor::Cursor`] accepts too).
    pub mode: LiteralMode,
    /// `~{n}` (RFC 3516 `literal8`): the octets may include NUL.
    pub binary: bool,
}

impl LiteralHeader {
    /// The announcement at the end of `line` (line end excluded), if it ends with one.
    ///
    /// ```
    /// use imap_proto::framing::LiteralHeader;
    /// let h = LiteralHeader::at_end_of(b"A1 APPEND INBOX ~{12+}").unwrap();
    /// assert_eq!((h.length, h.is_synchronizing(), h.binary), (12, false, true));
    /// assert_eq!(LiteralHeader::at_end_of(b"A1 LOGIN {5} x"), None);
    /// ```
    pub fn at_end_of(line: &[u8]) -> Option<Self> {
        let inner = line.strip_suffix(b"}")?;
        let (inner, mode) = match inner.split_last() {
            Some((b'+' | b'-', rest)) => (rest, LiteralMode::NonSync),
            _ => (inner, LiteralMode::Sync),
        };
        let start = inner
            .iter()
            .rposition(|b| !b.is_ascii_digit())
            .map_or(0, |i| i + 1);
        let digits = inner.get(start..)?;
        if digits.is_empty() {
            return None;
        }
        let before = inner.get(..start)?.strip_suffix(b"{")?;
        let length = digits.iter().fold(0u64, |n, &d| {
            n.saturating_mul(10).saturating_add(u64::from(d - b'0'))
        });
        Some(Self {
            length,
            mode,
            binary: before.ends_with(b"~"),
        })
    }

    /// Whether the sender waits for a continuation request ([`LiteralMode::Sync`]).
    pub fn is_synchronizing(&self) -> bool {
        self.mode == LiteralMode::Sync
    }
}

/// The valid tag at the start of `line` (RFC 9051 §9 `tag`), followed by SP or by the end of the
/// line: what a server answers a broken command with (`tag BAD ...`, RFC 9051 §7.1). `None`
/// when the line does not start with one (answer untagged: `* BAD ...`).
///
/// ```
/// use imap_proto::framing::tag_of;
/// assert_eq!(tag_of(b"a001 LOGIN {3}\r\n"), Some(&b"a001"[..]));
/// assert_eq!(tag_of(b"A]2\r\n"), Some(&b"A]2"[..]));
/// assert_eq!(tag_of(b"+ OK\r\n"), None);
/// assert_eq!(tag_of(b"a+b NOOP\r\n"), None);
/// ```
pub fn tag_of(line: &[u8]) -> Option<&[u8]> {
    tag_in(line, false)
}

/// [`tag_of`], where `truncated` says that `line` is only the start of a longer line (a tag
/// running to its end is then not known to be whole).
fn tag_in(line: &[u8], truncated: bool) -> Option<&[u8]> {
    let end = line
        .iter()
        .position(|&b| !is_tag_char(b))
        .unwrap_or(line.len());
    let ends_well = match line.get(end) {
        Some(b' ' | b'\r' | b'\n') => true,
        Some(_) => false,
        None => !truncated,
    };
    (end > 0 && ends_well).then(|| line.get(..end)).flatten()
}

/// What [`Framer::next_fragment`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fragment<'a> {
    /// Nothing complete is buffered: feed more.
    Incomplete,
    /// A line, its line end excluded (it was CRLF or a bare LF). When it ends with a literal
    /// announcement, the literal's octets come next as [`Fragment::Literal`] pieces, unless the
    /// caller calls [`Framer::cancel_literal`] (a refused synchronizing literal: the peer will
    /// not send it).
    Line {
        /// The line's octets.
        bytes: &'a [u8],
        /// The literal it announces.
        literal: Option<LiteralHeader>,
    },
    /// A piece of the announced literal, as much as is buffered (never more than it still
    /// needs). `{0}` gives one empty piece; a literal's last piece has `remaining == 0`.
    Literal {
        /// The piece's octets.
        bytes: &'a [u8],
        /// Octets of the literal still to come after this piece.
        remaining: u64,
    },
    /// A line longer than [`FramerLimits::max_line`] ended; its octets were dropped as they
    /// came. When it ended with a literal announcement, the literal follows as for a line.
    LineTooLong {
        /// Its length, its line end counted as two octets.
        len: usize,
        /// The valid tag it started with ([`tag_of`]).
        tag: Option<&'a [u8]>,
        /// The literal it announced.
        literal: Option<LiteralHeader>,
    },
}

/// A fragment with ranges of the line framer's buffer instead of slices: what the assembler
/// works on (it decides what to borrow only once it knows what it returns).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Raw {
    Incomplete,
    Line {
        range: Range<usize>,
        /// The line ended with CRLF, at `range.end..range.end + 2` (not a bare LF).
        crlf: bool,
        literal: Option<LiteralHeader>,
    },
    Literal {
        range: Range<usize>,
        remaining: u64,
    },
    TooLong {
        len: usize,
        literal: Option<LiteralHeader>,
    },
}

/// Cuts a stream of IMAP bytes into lines and literal pieces ([`Fragment`]).
///
/// Call order: [`Framer::feed`] what the peer sent (any split), then [`Framer::next_fragment`]
/// until [`Fragment::Incomplete`]. After a line announcing a literal, the next fragments are
/// its pieces; call [`Framer::cancel_literal`] first when the peer will not send it.
#[derive(Debug, Clone)]
pub struct Framer {
    lines: LineFramer,
    max_line: usize,
    /// Octets of the current literal still expected; `Some` between its announcement and its
    /// last piece.
    literal: Option<u64>,
}

impl Default for Framer {
    /// An empty framer with the default limits.
    fn default() -> Self {
        Self::new(FramerLimits::default())
    }
}

impl Framer {
    /// An empty framer; it uses [`FramerLimits::max_line`] (the other limits are the
    /// [`Assembler`]'s).
    pub fn new(limits: FramerLimits) -> Self {
        Self {
            lines: LineFramer::new(),
            max_line: limits.max_line,
            literal: None,
        }
    }

    /// Appends bytes read from the peer, in any split.
    pub fn feed(&mut self, bytes: &[u8]) {
        self.lines.feed(bytes);
    }

    /// The next line or literal piece, if one is buffered.
    pub fn next_fragment(&mut self) -> Fragment<'_> {
        match self.step() {
            Raw::Incomplete => Fragment::Incomplete,
            Raw::Line { range, literal, .. } => Fragment::Line {
                bytes: self.lines.get(range),
                literal,
            },
            Raw::Literal { range, remaining } => Fragment::Literal {
                bytes: self.lines.get(range),
                remaining,
            },
            Raw::TooLong { len, literal } => Fragment::LineTooLong {
                len,
                tag: self.too_long_tag(len),
                literal,
            },
        }
    }

    /// Forgets the literal announced by the last line: the peer will not send it (a
    /// synchronizing literal answered with a tagged `NO`/`BAD` instead of `+`, RFC 9051 §7.5).
    /// Returns how many of its octets were still expected (`None` when none was pending).
    pub fn cancel_literal(&mut self) -> Option<u64> {
        self.literal.take()
    }

    /// Octets of the current literal still expected (`None` between literals).
    pub fn literal_remaining(&self) -> Option<u64> {
        self.literal
    }

    /// Octets buffered and not yet handed on.
    pub fn buffered(&self) -> usize {
        self.lines.buffered()
    }

    /// Drops everything buffered and any literal in progress (after `STARTTLS`, RFC 9051
    /// §6.2.1, CVE-2011-0411: nothing sent before the handshake may be read as if it came
    /// through TLS; or when the session closes). Returns how many octets were dropped.
    pub fn discard(&mut self) -> usize {
        self.literal = None;
        self.lines.discard()
    }

    /// The tag of the over-long line last reported, from its first octets.
    fn too_long_tag(&self, len: usize) -> Option<&[u8]> {
        let head = self.lines.too_long_head();
        tag_in(head, len.saturating_sub(2) > head.len())
    }

    /// [`Framer::next_fragment`] with ranges.
    pub(crate) fn step(&mut self) -> Raw {
        if let Some(left) = self.literal {
            let range = self
                .lines
                .take_up_to(usize::try_from(left).unwrap_or(usize::MAX));
            if range.is_empty() && left > 0 {
                return Raw::Incomplete;
            }
            // `range.len() <= left`: take_up_to never gives more than asked.
            let remaining = left - range.len() as u64;
            self.literal = (remaining > 0).then_some(remaining);
            return Raw::Literal { range, remaining };
        }
        match self.lines.next_line(self.max_line) {
            Line::Incomplete => Raw::Incomplete,
            Line::Complete(range) => {
                let line = self.lines.get(range.clone());
                let literal = LiteralHeader::at_end_of(line);
                let crlf = self.lines.get(range.end..range.end + 1) == b"\r";
                self.literal = literal.map(|h| h.length);
                Raw::Line {
                    range,
                    crlf,
                    literal,
                }
            }
            Line::TooLong { len } => {
                let literal = LiteralHeader::at_end_of(self.lines.too_long_tail());
                self.literal = literal.map(|h| h.length);
                Raw::TooLong { len, literal }
            }
        }
    }

    /// The bytes of a range from [`Framer::step`] (valid until the next feed).
    pub(crate) fn get(&self, range: Range<usize>) -> &[u8] {
        self.lines.get(range)
    }

    /// The tag of the over-long line last reported, copied into `out` (cleared first); whether
    /// it had one.
    pub(crate) fn copy_too_long_tag(&self, len: usize, out: &mut Vec<u8>) -> bool {
        out.clear();
        match self.too_long_tag(len) {
            Some(tag) => {
                out.extend_from_slice(tag);
                true
            }
            None => false,
        }
    }
}
