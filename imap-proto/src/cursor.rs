//! The byte cursor every IMAP parser reads with.
//!
//! A parser sees one whole IMAP message (a command or a response) with its literals **inline**,
//! as they travel: `a LOGIN {3}\r\nbob "pw"\r\n`. The framer ([`crate::framing`]) and the sessions
//! assemble such a message before parsing it; an APPEND's message literal too large to hold is
//! streamed by the session instead, and only the command's head and tail are parsed.
//!
//! Running out of input is [`ParseError::Incomplete`] wherever it happens — inside a token, a
//! literal, a parenthesised list or before the final CRLF — so every prefix of a valid message
//! is incomplete, never invalid. Anything else that does not fit the grammar is
//! [`ParseError::Invalid`] with the offset and what was expected there.

use std::borrow::Cow;

use crate::token::{is_astring_char, is_atom_char, is_tag_char};

/// Why a message could not be parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// The input ended before the message did: feed more.
    #[error("incomplete: the message continues past the input")]
    Incomplete,
    /// The input does not fit the grammar.
    #[error("invalid at octet {at}: expected {expected}")]
    Invalid {
        /// Offset of the first octet that does not fit.
        at: usize,
        /// What the grammar wanted there, in the RFC's words.
        expected: &'static str,
    },
    /// Parenthesised lists (search keys, body structures) nest deeper than the limit.
    #[error("nested deeper than {limit} levels at octet {at}")]
    TooDeep {
        /// Offset of the opening that went over.
        at: usize,
        /// The limit.
        limit: u16,
    },
    /// A number does not fit its type (RFC 9051 §4.2: `number` is 32-bit, `number64` 63-bit).
    #[error("number out of range at octet {at}")]
    NumberTooLarge {
        /// Offset of the number.
        at: usize,
    },
}

impl ParseError {
    /// Whether feeding more input may help.
    pub fn is_incomplete(&self) -> bool {
        matches!(self, ParseError::Incomplete)
    }
}

/// A parse result.
pub type ParseResult<T> = Result<T, ParseError>;

/// Default limit on nesting of parenthesised lists (search keys, BODYSTRUCTURE).
pub const DEFAULT_MAX_DEPTH: u16 = 64;

/// How many octets of a quoted string [`Cursor::quoted`] scans with a plain loop.
const QUOTED_SCAN: usize = 64;

/// The first octet of `head` that ends the plain scan of a quoted string (`"`, `\\` or an
/// octet below 0x0E), eight octets at a time (SWAR: a zero byte of `x ^ c` marks a match of
/// `c`; a borrow out of `x - 0x0E` marks an octet below 0x0E).
#[inline]
fn quoted_stop(head: &[u8]) -> Option<usize> {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    #[inline(always)]
    fn zero(x: u64) -> u64 {
        x.wrapping_sub(LO) & !x & HI
    }
    let mut chunks = head.chunks_exact(8);
    let mut base = 0;
    for chunk in &mut chunks {
        let mut w = [0u8; 8];
        w.copy_from_slice(chunk);
        let v = u64::from_le_bytes(w);
        // `"`, `\\`, and any octet below 0x0E (NUL, LF, CR and a few other controls, which
        // the slow path then reads as they are) in three tests.
        let m = zero(v ^ (LO * u64::from(b'"')))
            | zero(v ^ (LO * u64::from(b'\\')))
            | (v.wrapping_sub(LO * 0x0E) & !v & HI);
        if m != 0 {
            // The lowest flagged byte is a true match (borrows only run upwards).
            return Some(base + (m.trailing_zeros() / 8) as usize);
        }
        base += 8;
    }
    chunks
        .remainder()
        .iter()
        .position(|&b| b < 0x0E || b == b'"' || b == b'\\')
        .map(|i| base + i)
}

/// A position in one IMAP message, with the primitives of RFC 9051 §9 (formal syntax).
#[derive(Debug, Clone)]
pub struct Cursor<'a> {
    buf: &'a [u8],
    pos: usize,
    depth: u16,
    max_depth: u16,
}

impl<'a> Cursor<'a> {
    /// A cursor at the start of `buf`, with the default nesting limit.
    pub fn new(buf: &'a [u8]) -> Self {
        Cursor {
            buf,
            pos: 0,
            depth: 0,
            max_depth: DEFAULT_MAX_DEPTH,
        }
    }

    /// The same, with another limit on nesting depth.
    pub fn with_max_depth(mut self, max_depth: u16) -> Self {
        self.max_depth = max_depth;
        self
    }

    /// Octets consumed so far.
    #[inline]
    pub fn pos(&self) -> usize {
        self.pos
    }

    /// The whole input.
    #[inline]
    pub fn input(&self) -> &'a [u8] {
        self.buf
    }

    /// The input not yet consumed.
    #[inline]
    pub fn rest(&self) -> &'a [u8] {
        &self.buf[self.pos..]
    }

    /// Whether all input is consumed.
    #[inline]
    pub fn at_end(&self) -> bool {
        self.pos >= self.buf.len()
    }

    /// An [`ParseError::Invalid`] at the current position.
    #[inline]
    pub fn invalid(&self, expected: &'static str) -> ParseError {
        ParseError::Invalid {
            at: self.pos,
            expected,
        }
    }

    /// The next octet, not consumed; [`ParseError::Incomplete`] at the end.
    #[inline]
    pub fn peek(&self) -> ParseResult<u8> {
        self.buf
            .get(self.pos)
            .copied()
            .ok_or(ParseError::Incomplete)
    }

    /// The octet after the next one, not consumed.
    #[inline]
    pub fn peek2(&self) -> ParseResult<u8> {
        self.buf
            .get(self.pos + 1)
            .copied()
            .ok_or(ParseError::Incomplete)
    }

    /// Consume `n` octets (the caller has looked at them).
    #[inline]
    pub fn advance(&mut self, n: usize) {
        self.pos = (self.pos + n).min(self.buf.len());
    }

    /// Consume one octet that must be `b`.
    #[inline]
    pub fn expect(&mut self, b: u8, expected: &'static str) -> ParseResult<()> {
        if self.peek()? == b {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.invalid(expected))
        }
    }

    /// Consume `b` if it is next.
    #[inline]
    pub fn eat(&mut self, b: u8) -> ParseResult<bool> {
        if self.peek()? == b {
            self.pos += 1;
            Ok(true)
        } else {
            Ok(false)
        }
    }

    /// Consume `b` if it is next; `false` at the end of input too.
    #[inline]
    pub fn eat_opt(&mut self, b: u8) -> bool {
        if self.buf.get(self.pos) == Some(&b) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    /// One space (`SP`).
    #[inline]
    pub fn sp(&mut self) -> ParseResult<()> {
        self.expect(b' ', "SP")
    }

    /// The end of the message: `CRLF` (a bare `LF` too, as the line framer accepts it).
    /// Spaces before it are accepted: several clients and servers leave one after a list
    /// (see [`crate::quirks`]).
    pub fn crlf(&mut self) -> ParseResult<()> {
        while self.peek()? == b' ' {
            self.pos += 1;
        }
        match self.peek()? {
            b'\r' => {
                if self.peek2()? == b'\n' {
                    self.pos += 2;
                    Ok(())
                } else {
                    Err(ParseError::Invalid {
                        at: self.pos + 1,
                        expected: "LF after CR",
                    })
                }
            }
            b'\n' => {
                self.pos += 1;
                Ok(())
            }
            _ => Err(self.invalid("CRLF")),
        }
    }

    /// Whether the message ends here (`CRLF`, bare `LF`, or spaces then one), not consumed.
    pub fn at_crlf(&self) -> ParseResult<bool> {
        let mut i = self.pos;
        loop {
            match self.buf.get(i) {
                None => return Err(ParseError::Incomplete),
                Some(b' ') => i += 1,
                Some(b'\r') | Some(b'\n') => return Ok(true),
                Some(_) => return Ok(false),
            }
        }
    }

    /// Consume a case-insensitive keyword if the input has it next, followed by a delimiter
    /// (anything that is not an atom character). `Incomplete` if the input ends while it
    /// could still match.
    pub fn keyword(&mut self, word: &[u8]) -> ParseResult<bool> {
        if !self.has_word(word)? {
            return Ok(false);
        }
        match self.rest().get(word.len()) {
            None => Err(ParseError::Incomplete),
            Some(&b) if is_atom_char(b) => Ok(false),
            Some(_) => {
                self.pos += word.len();
                Ok(true)
            }
        }
    }

    /// Consume exactly these octets, case-insensitively, with no delimiter check (for
    /// punctuation-bound words such as `BODY[`).
    pub fn literal_word(&mut self, word: &[u8]) -> ParseResult<bool> {
        let found = self.has_word(word)?;
        if found {
            self.pos += word.len();
        }
        Ok(found)
    }

    /// Whether the input goes on with `word`, case-insensitively (not consumed); `Incomplete`
    /// if it ends while it could still.
    #[inline(always)]
    fn has_word(&self, word: &[u8]) -> ParseResult<bool> {
        let rest = self.rest();
        let have = rest.len().min(word.len());
        if !rest[..have].eq_ignore_ascii_case(&word[..have]) {
            Ok(false)
        } else if have < word.len() {
            Err(ParseError::Incomplete)
        } else {
            Ok(true)
        }
    }

    /// Consume octets while `f` holds; `Incomplete` if the input ends during the run (the
    /// token might go on).
    #[inline]
    pub fn take_while(&mut self, f: impl Fn(u8) -> bool) -> ParseResult<&'a [u8]> {
        let start = self.pos;
        let rest = &self.buf[start..];
        match rest.iter().position(|&b| !f(b)) {
            Some(n) => {
                self.pos += n;
                Ok(&rest[..n])
            }
            None => Err(ParseError::Incomplete),
        }
    }

    /// `atom` (RFC 9051 §9): one or more ATOM-CHARs, as text.
    #[inline]
    pub fn atom(&mut self) -> ParseResult<&'a str> {
        self.ascii_token(is_atom_char, "atom")
    }

    /// One or more ASTRING-CHARs (an atom that may contain `]`), as text.
    #[inline]
    pub fn astring_atom(&mut self) -> ParseResult<&'a str> {
        self.ascii_token(is_astring_char, "astring")
    }

    /// `tag` (RFC 9051 §9): one or more ASTRING-CHARs except `+`.
    #[inline]
    pub fn tag_chars(&mut self) -> ParseResult<&'a str> {
        self.ascii_token(is_tag_char, "tag")
    }

    /// One or more octets of `class` (a table of 7-bit characters), as text; else `what` was
    /// expected.
    #[inline(always)]
    fn ascii_token(
        &mut self,
        class: impl Fn(u8) -> bool,
        what: &'static str,
    ) -> ParseResult<&'a str> {
        let bytes = self.take_while(class)?;
        if bytes.is_empty() {
            return Err(self.invalid(what));
        }
        // The class is 7-bit, so this cannot fail. It costs some 75 instructions per short
        // token, but checking the rest of the line once and slicing the tokens from that text
        // costs more on real commands, whose lines are short (callgrind: `SELECT INBOX` 910 ->
        // 1114 instructions, a `UID FETCH` with header fields 3973 -> 4285).
        std::str::from_utf8(bytes).map_err(|_| self.invalid(what))
    }

    /// `number` (RFC 9051 §9): an unsigned 32-bit integer.
    pub fn number(&mut self) -> ParseResult<u32> {
        let at = self.pos;
        let v = self.number64()?;
        u32::try_from(v).map_err(|_| ParseError::NumberTooLarge { at })
    }

    /// `nz-number`: a non-zero `number`.
    pub fn nz_number(&mut self) -> ParseResult<std::num::NonZeroU32> {
        let at = self.pos;
        let v = self.number()?;
        std::num::NonZeroU32::new(v).ok_or(ParseError::Invalid {
            at,
            expected: "nz-number",
        })
    }

    /// `number64` (RFC 9051 §9): an unsigned 63-bit integer.
    pub fn number64(&mut self) -> ParseResult<u64> {
        let at = self.pos;
        let digits = self.take_while(|b| b.is_ascii_digit())?;
        if digits.is_empty() {
            return Err(self.invalid("number"));
        }
        let mut v: u64 = 0;
        for &d in digits {
            v = v
                .checked_mul(10)
                .and_then(|v| v.checked_add(u64::from(d - b'0')))
                .ok_or(ParseError::NumberTooLarge { at })?;
        }
        if v > i64::MAX as u64 {
            return Err(ParseError::NumberTooLarge { at });
        }
        Ok(v)
    }

    /// `quoted` (RFC 9051 §9): `"` *QUOTED-CHAR `"`, with `\"` and `\\` escapes. Borrowed
    /// unless it has escapes; NUL is refused. 8-bit octets are accepted (UTF-8 under IMAP4rev2 and
    /// UTF8=ACCEPT; other clients' bytes are kept as they are).
    pub fn quoted(&mut self) -> ParseResult<Cow<'a, [u8]>> {
        self.expect(b'"', "quoted string")?;
        let start = self.pos;
        let rest = &self.buf[start..];
        // Most quoted strings are short (envelope and body structure fields): a plain loop
        // finds their end faster than setting up memchr; longer ones go on with memchr.
        let head = &rest[..rest.len().min(QUOTED_SCAN)];
        if let Some(i) = quoted_stop(head) {
            match head[i] {
                b'"' => {
                    self.pos = start + i + 1;
                    return Ok(Cow::Borrowed(&rest[..i]));
                }
                b'\n' | 0 => {
                    return Err(ParseError::Invalid {
                        at: start + i,
                        expected: "closing quote",
                    });
                }
                // An escape, a CR or another control: the slow path below.
                _ => {}
            }
        } else if head.len() == rest.len() {
            return Err(ParseError::Incomplete);
        }
        // A bare LF is not allowed either: checked below, on the (short) quoted part only.
        let Some(end) = memchr::memchr3(b'"', b'\\', b'\r', rest) else {
            return match memchr::memchr2(b'\n', 0, rest) {
                Some(i) => Err(ParseError::Invalid {
                    at: start + i,
                    expected: "closing quote",
                }),
                None => Err(ParseError::Incomplete),
            };
        };
        if rest[end] == b'"' {
            if let Some(i) = memchr::memchr2(b'\n', 0, &rest[..end]) {
                return Err(ParseError::Invalid {
                    at: start + i,
                    expected: "closing quote",
                });
            }
            self.pos = start + end + 1;
            return Ok(Cow::Borrowed(&rest[..end]));
        }
        // Escapes or CR: the slow path.
        let mut out = Vec::with_capacity(end + 16);
        let mut i = 0;
        loop {
            let Some(&b) = rest.get(i) else {
                return Err(ParseError::Incomplete);
            };
            match b {
                b'"' => {
                    self.pos = start + i + 1;
                    return Ok(Cow::Owned(out));
                }
                b'\\' => {
                    let Some(&e) = rest.get(i + 1) else {
                        return Err(ParseError::Incomplete);
                    };
                    if e != b'"' && e != b'\\' {
                        return Err(ParseError::Invalid {
                            at: start + i + 1,
                            expected: "quoted-specials after backslash",
                        });
                    }
                    out.push(e);
                    i += 2;
                }
                b'\r' | b'\n' | 0 => {
                    return Err(ParseError::Invalid {
                        at: start + i,
                        expected: "closing quote",
                    });
                }
                _ => {
                    out.push(b);
                    i += 1;
                }
            }
        }
    }

    /// A literal's header: `{n}`, `{n+}` (RFC 7888), `~{n}` (RFC 3516) then `CRLF`.
    pub fn literal_header(&mut self) -> ParseResult<(u64, crate::token::LiteralMode, bool)> {
        let binary = self.eat(b'~')?;
        self.expect(b'{', "literal")?;
        let n = self.number64()?;
        let mode = if self.eat(b'+')? {
            crate::token::LiteralMode::NonSync
        } else if self.eat(b'-')? {
            // Not in RFC 7888's grammar, which uses "+" for both; accepted as a deviation.
            crate::token::LiteralMode::NonSync
        } else {
            crate::token::LiteralMode::Sync
        };
        self.expect(b'}', "} closing a literal length")?;
        match self.peek()? {
            b'\r' => {
                self.pos += 1;
                self.expect(b'\n', "CRLF after a literal length")?;
            }
            b'\n' => self.pos += 1,
            _ => return Err(self.invalid("CRLF after a literal length")),
        }
        Ok((n, mode, binary))
    }

    /// A literal with its octets inline: header then `n` octets.
    pub fn literal(&mut self) -> ParseResult<crate::token::Literal<'a>> {
        let at = self.pos;
        let (n, mode, binary) = self.literal_header()?;
        let n = usize::try_from(n).map_err(|_| ParseError::NumberTooLarge { at })?;
        let rest = self.rest();
        if rest.len() < n {
            return Err(ParseError::Incomplete);
        }
        let data = &rest[..n];
        if !binary && memchr::memchr(0, data).is_some() {
            return Err(ParseError::Invalid {
                at: self.pos,
                expected: "a literal without NUL (use ~{n} for binary)",
            });
        }
        self.pos += n;
        Ok(crate::token::Literal {
            data: Cow::Borrowed(data),
            mode,
            binary,
        })
    }

    /// Enter a parenthesised or otherwise nested construct; errors past the depth limit.
    #[inline]
    pub fn enter(&mut self) -> ParseResult<()> {
        if self.depth >= self.max_depth {
            return Err(ParseError::TooDeep {
                at: self.pos,
                limit: self.max_depth,
            });
        }
        self.depth += 1;
        Ok(())
    }

    /// Leave what [`Cursor::enter`] entered.
    #[inline]
    pub fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    /// The items of a parenthesised list whose `(` is consumed, each parsed by `item`, up to
    /// and including the `)`: any number of spaces (none too) between items, `()` allowed. For
    /// lists without SP in the grammar (`"(" 1*address ")"`, RFC 9051 §9) and lists servers
    /// write loosely (`msg-att` and ID parameters with a trailing space or none).
    #[inline]
    pub fn items_to_close<T>(
        &mut self,
        capacity: usize,
        mut item: impl FnMut(&mut Self) -> ParseResult<T>,
    ) -> ParseResult<Vec<T>> {
        let mut out = Vec::with_capacity(capacity);
        loop {
            match self.peek()? {
                b')' => {
                    self.pos += 1;
                    return Ok(out);
                }
                b' ' => self.pos += 1,
                _ => out.push(item(self)?),
            }
        }
    }

    /// `"(" x *(SP x) ")"` with `x` parsed by `f`; `empty_ok` allows `()`.
    pub fn paren_list<T>(
        &mut self,
        empty_ok: bool,
        mut f: impl FnMut(&mut Self) -> ParseResult<T>,
    ) -> ParseResult<Vec<T>> {
        self.expect(b'(', "(")?;
        self.enter()?;
        let mut out = Vec::new();
        if self.eat(b')')? {
            self.leave();
            return if empty_ok {
                Ok(out)
            } else {
                Err(self.invalid("a non-empty list"))
            };
        }
        loop {
            out.push(f(self)?);
            match self.peek()? {
                b' ' => {
                    self.pos += 1;
                    // Trailing space before ")": accepted (see quirks).
                    if self.eat(b')')? {
                        break;
                    }
                }
                b')' => {
                    self.pos += 1;
                    break;
                }
                _ => return Err(self.invalid("SP or )")),
            }
        }
        self.leave();
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_borrowed_and_escaped() {
        let mut c = Cursor::new(b"\"abc\" ");
        assert!(matches!(c.quoted().unwrap(), Cow::Borrowed(b"abc")));
        let mut c = Cursor::new(b"\"a\\\"b\\\\c\" ");
        assert_eq!(&*c.quoted().unwrap(), b"a\"b\\c");
        assert_eq!(c.rest(), b" ");
        assert_eq!(Cursor::new(b"\"ab").quoted(), Err(ParseError::Incomplete));
        assert!(matches!(
            Cursor::new(b"\"a\\x\"").quoted(),
            Err(ParseError::Invalid { at: 3, .. })
        ));
        assert!(matches!(
            Cursor::new(b"\"a\nb\"").quoted(),
            Err(ParseError::Invalid { at: 2, .. })
        ));
    }

    #[test]
    fn quoted_scan_finds_the_first_stop() {
        for len in 0..80 {
            for stop in [b'"', b'\\', b'\r', b'\n', 0] {
                let mut v = vec![b'a'; len];
                v.push(stop);
                v.extend_from_slice(b"\"\"");
                assert_eq!(
                    quoted_stop(&v[..v.len().min(QUOTED_SCAN)]),
                    (len < QUOTED_SCAN).then_some(len)
                );
            }
        }
        // A TAB stops the scan too; the string is still read whole.
        assert_eq!(quoted_stop(b"ab\tc\"......"), Some(2));
        assert_eq!(&*Cursor::new(b"\"a\tb\" ").quoted().unwrap(), b"a\tb");
        // 8-bit octets next to a match do not hide it or make a false one.
        assert_eq!(quoted_stop(b"\xff\x80\xa2\x5c\x00\x01\x22\x23"), Some(3));
        assert_eq!(quoted_stop(b"\xff\x80\xa2\x0e\x00\x01\x22\x23"), Some(4));
        // NUL is no QUOTED-CHAR (RFC 9051 §9: CHAR is %x01-7F), on both paths.
        assert!(matches!(
            Cursor::new(b"\"a\0b\"").quoted(),
            Err(ParseError::Invalid { at: 2, .. })
        ));
        let long = [&b"\""[..], &[b'x'; 100], b"\0\""].concat();
        assert!(matches!(
            Cursor::new(&long).quoted(),
            Err(ParseError::Invalid { at: 101, .. })
        ));
        assert_eq!(quoted_stop(b"\x23\x0e\x1f\x7f\xff\x5d\x5b\x21\x0f"), None);
        let text = "Grüße aus Köln, ein etwas längerer Betreff mit Umlauten";
        let input = format!("\"{text}\" ");
        let mut c = Cursor::new(input.as_bytes());
        assert_eq!(&*c.quoted().unwrap(), text.as_bytes());
        assert_eq!(c.rest(), b" ");
    }

    #[test]
    fn keyword_needs_delimiter() {
        let mut c = Cursor::new(b"BODYSTRUCTURE ");
        assert!(!c.keyword(b"BODY").unwrap());
        assert!(c.keyword(b"bodystructure").unwrap());
        assert_eq!(
            Cursor::new(b"BOD").keyword(b"BODY"),
            Err(ParseError::Incomplete)
        );
        assert_eq!(
            Cursor::new(b"BODY").keyword(b"BODY"),
            Err(ParseError::Incomplete)
        );
        assert!(!Cursor::new(b"XY").keyword(b"BODY").unwrap());
    }

    #[test]
    fn literal_inline() {
        let mut c = Cursor::new(b"{3}\r\nabc rest");
        let l = c.literal().unwrap();
        assert_eq!(&*l.data, b"abc");
        assert_eq!(l.mode, crate::token::LiteralMode::Sync);
        let mut c = Cursor::new(b"~{2+}\r\n\0\x01");
        let l = c.literal().unwrap();
        assert!(l.binary);
        assert_eq!(l.mode, crate::token::LiteralMode::NonSync);
        assert_eq!(
            Cursor::new(b"{3}\r\nab").literal(),
            Err(ParseError::Incomplete)
        );
        assert!(matches!(
            Cursor::new(b"{1}\r\n\0").literal(),
            Err(ParseError::Invalid { .. })
        ));
        assert!(matches!(
            Cursor::new(b"{99999999999999999999}\r\n").literal(),
            Err(ParseError::NumberTooLarge { .. })
        ));
    }

    #[test]
    fn numbers() {
        assert_eq!(Cursor::new(b"4294967295 ").number(), Ok(u32::MAX));
        assert!(matches!(
            Cursor::new(b"4294967296 ").number(),
            Err(ParseError::NumberTooLarge { .. })
        ));
        assert_eq!(Cursor::new(b"12").number(), Err(ParseError::Incomplete));
        assert!(Cursor::new(b"0 ").nz_number().is_err());
    }

    #[test]
    fn depth_limit() {
        let input = b"((((x))))";
        let mut c = Cursor::new(input).with_max_depth(3);
        fn nested(c: &mut Cursor<'_>) -> ParseResult<()> {
            if c.peek()? == b'(' {
                c.paren_list(false, nested)?;
                Ok(())
            } else {
                c.atom().map(|_| ())
            }
        }
        assert!(matches!(
            nested(&mut c),
            Err(ParseError::TooDeep { limit: 3, .. })
        ));
    }

    #[test]
    fn crlf_with_trailing_spaces() {
        let mut c = Cursor::new(b"  \r\n");
        c.crlf().unwrap();
        assert!(c.at_end());
        assert_eq!(Cursor::new(b" \r").crlf(), Err(ParseError::Incomplete));
    }
}
