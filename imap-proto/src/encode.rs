//! The encoder: IMAP messages as bytes, cut into the fragments a sender may write at once.
//!
//! A client that sends a synchronizing literal (`{n}`, RFC 9051 §4.3) must stop after the
//! announcement and wait for the server's continuation request (`+ ...`) before it sends the
//! octets. The encoder therefore records, for every such literal, the offset where the sender
//! has to wait; [`Encoder::fragments`] yields the pieces between them. A client whose server
//! offers LITERAL+ (RFC 7888) writes `{n+}` instead and never waits; LITERAL- allows that up to
//! 4096 octets. A server never waits: its literals are always written through
//! ([`LiteralStyle::Server`]).

use crate::token::{is_astring_char, is_atom_char};

/// How the encoder writes literals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LiteralStyle {
    /// A client without LITERAL+/LITERAL-: `{n}` and wait for `+` (RFC 9051 §4.3).
    Sync,
    /// A client whose server offers LITERAL+ (`max: None`) or LITERAL- (`max: Some(4096)`):
    /// `{n+}` up to `max` octets, synchronizing above it (RFC 7888 §3, §4).
    NonSync {
        /// The largest non-synchronizing literal, if limited.
        max: Option<u64>,
    },
    /// A server: `{n}` followed by the octets at once.
    Server,
}

/// Longest string written quoted rather than as a literal.
pub const MAX_QUOTED: usize = 1024;

/// One piece of an encoded message: octets to write, then whether to wait for a continuation
/// request before the next piece.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fragment<'a> {
    /// The octets.
    pub bytes: &'a [u8],
    /// Whether the sender must wait for `+` before writing the next fragment.
    pub then_wait: bool,
}

/// Writes IMAP syntax into a buffer.
#[derive(Debug, Clone)]
pub struct Encoder {
    buf: Vec<u8>,
    waits: Vec<usize>,
    style: LiteralStyle,
    utf8: bool,
}

impl Encoder {
    /// An empty encoder writing literals in `style`.
    pub fn new(style: LiteralStyle) -> Self {
        Encoder {
            buf: Vec::with_capacity(256),
            waits: Vec::new(),
            style,
            utf8: false,
        }
    }

    /// An encoder for a server's responses.
    pub fn server() -> Self {
        Self::new(LiteralStyle::Server)
    }

    /// Allow 8-bit (UTF-8) octets in quoted strings: IMAP4rev2 (RFC 9051 §4.3) and a session
    /// with UTF8=ACCEPT enabled (RFC 6855 §3). Otherwise such strings become literals.
    pub fn set_utf8(&mut self, on: bool) {
        self.utf8 = on;
    }

    /// Whether quoted strings may carry UTF-8.
    pub fn utf8(&self) -> bool {
        self.utf8
    }

    /// The literal style.
    pub fn style(&self) -> LiteralStyle {
        self.style
    }

    /// Change the literal style (a client learns LITERAL+ from CAPABILITY).
    pub fn set_style(&mut self, style: LiteralStyle) {
        self.style = style;
    }

    /// Everything written so far, wait points ignored.
    pub fn as_bytes(&self) -> &[u8] {
        &self.buf
    }

    /// Octets written so far.
    pub fn len(&self) -> usize {
        self.buf.len()
    }

    /// Whether nothing was written.
    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    /// Whether a synchronizing literal makes the sender wait somewhere.
    pub fn has_waits(&self) -> bool {
        !self.waits.is_empty()
    }

    /// The pieces to write, each followed by whether to wait for `+`.
    pub fn fragments(&self) -> impl Iterator<Item = Fragment<'_>> + '_ {
        let mut start = 0;
        let mut waits = self.waits.iter();
        std::iter::from_fn(move || {
            if start >= self.buf.len() {
                return None;
            }
            match waits.next() {
                Some(&end) => {
                    let f = Fragment {
                        bytes: &self.buf[start..end],
                        then_wait: true,
                    };
                    start = end;
                    Some(f)
                }
                None => {
                    let f = Fragment {
                        bytes: &self.buf[start..],
                        then_wait: false,
                    };
                    start = self.buf.len();
                    Some(f)
                }
            }
        })
    }

    /// Offsets after which the sender waits for `+`.
    pub fn wait_points(&self) -> &[usize] {
        &self.waits
    }

    /// Take the bytes (and forget the wait points).
    pub fn take(&mut self) -> Vec<u8> {
        self.waits.clear();
        std::mem::take(&mut self.buf)
    }

    /// Empty the encoder, keeping its allocation.
    pub fn clear(&mut self) {
        self.buf.clear();
        self.waits.clear();
    }

    /// Raw octets, written as they are (the caller vouches for the syntax).
    #[inline]
    pub fn raw(&mut self, bytes: &[u8]) -> &mut Self {
        self.buf.extend_from_slice(bytes);
        self
    }

    /// One octet.
    #[inline]
    pub fn byte(&mut self, b: u8) -> &mut Self {
        self.buf.push(b);
        self
    }

    /// `SP`.
    #[inline]
    pub fn sp(&mut self) -> &mut Self {
        self.buf.push(b' ');
        self
    }

    /// `CRLF`.
    #[inline]
    pub fn crlf(&mut self) -> &mut Self {
        self.buf.extend_from_slice(b"\r\n");
        self
    }

    /// A decimal number.
    #[inline]
    pub fn number(&mut self, n: u64) -> &mut Self {
        let mut tmp = [0u8; 20];
        let mut i = tmp.len();
        let mut n = n;
        loop {
            i -= 1;
            tmp[i] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        self.buf.extend_from_slice(&tmp[i..]);
        self
    }

    /// Whether `bytes` can be written as a quoted string under the current settings.
    pub fn quotable(&self, bytes: &[u8]) -> bool {
        if bytes.len() > MAX_QUOTED {
            return false;
        }
        // No early exit, so that the loop vectorizes (these strings are short).
        let limit = if self.utf8 { 0xff } else { 0x7f };
        !bytes.iter().fold(false, |bad, &b| {
            bad | (b == b'\r') | (b == b'\n') | (b == 0) | (b > limit)
        })
    }

    /// A quoted string (RFC 9051 §4.3), escaping `"` and `\`. The caller checked
    /// [`Encoder::quotable`].
    pub fn quoted(&mut self, bytes: &[u8]) -> &mut Self {
        self.buf.reserve(bytes.len() + 2);
        self.buf.push(b'"');
        let mut rest = bytes;
        while let Some(i) = memchr::memchr2(b'"', b'\\', rest) {
            self.buf.extend_from_slice(&rest[..i]);
            self.buf.push(b'\\');
            self.buf.push(rest[i]);
            rest = &rest[i + 1..];
        }
        self.buf.extend_from_slice(rest);
        self.buf.push(b'"');
        self
    }

    /// A literal (`{n}`, `{n+}` or, when `binary`, `~{n}`, RFC 3516 §4.1) in the encoder's style.
    pub fn literal(&mut self, bytes: &[u8], binary: bool) -> &mut Self {
        self.literal_header(bytes.len() as u64, binary);
        self.buf.extend_from_slice(bytes);
        self
    }

    /// Only a literal's announcement (for a message literal the caller streams itself, e.g. a
    /// large APPEND). Returns whether the sender must wait for `+` before the octets.
    pub fn literal_header(&mut self, len: u64, binary: bool) -> bool {
        if binary {
            self.buf.push(b'~');
        }
        self.buf.push(b'{');
        self.number(len);
        let wait = match self.style {
            LiteralStyle::Sync => true,
            LiteralStyle::Server => false,
            LiteralStyle::NonSync { max } => {
                if max.is_none_or(|m| len <= m) {
                    self.buf.push(b'+');
                    false
                } else {
                    true
                }
            }
        };
        self.buf.extend_from_slice(b"}\r\n");
        if wait {
            self.waits.push(self.buf.len());
        }
        wait
    }

    /// A `string`: quoted when possible, else a literal.
    pub fn string(&mut self, bytes: &[u8]) -> &mut Self {
        if self.quotable(bytes) {
            self.quoted(bytes)
        } else {
            self.literal(bytes, false)
        }
    }

    /// An `astring`: an atom when every octet is an ASTRING-CHAR, else a string.
    pub fn astring(&mut self, bytes: &[u8]) -> &mut Self {
        if !bytes.is_empty() && bytes.iter().all(|&b| is_astring_char(b)) {
            self.raw(bytes)
        } else {
            self.string(bytes)
        }
    }

    /// An `nstring`: `NIL` or a string.
    pub fn nstring(&mut self, bytes: Option<&[u8]>) -> &mut Self {
        match bytes {
            None => self.raw(b"NIL"),
            Some(b) => self.string(b),
        }
    }

    /// An atom; the caller vouches that it is one (checked in debug builds).
    pub fn atom(&mut self, atom: &str) -> &mut Self {
        debug_assert!(!atom.is_empty() && atom.bytes().all(is_atom_char));
        self.raw(atom.as_bytes())
    }
}

/// The octets `f` writes into a server-style encoder (unit tests of the token and section
/// encoders).
#[cfg(test)]
pub(crate) fn encoded(f: impl FnOnce(&mut Encoder)) -> Vec<u8> {
    let mut e = Encoder::server();
    f(&mut e);
    e.take()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sync_literal_splits_fragments() {
        let mut e = Encoder::new(LiteralStyle::Sync);
        e.raw(b"a LOGIN ")
            .string(b"fred\r\n")
            .sp()
            .string(b"pw")
            .crlf();
        let f: Vec<_> = e.fragments().collect();
        assert_eq!(f.len(), 2);
        assert_eq!(f[0].bytes, b"a LOGIN {6}\r\n");
        assert!(f[0].then_wait);
        assert_eq!(f[1].bytes, b"fred\r\n \"pw\"\r\n");
        assert!(!f[1].then_wait);
    }

    #[test]
    fn literal_plus_and_minus() {
        let mut e = Encoder::new(LiteralStyle::NonSync { max: Some(4) });
        e.literal(b"abcd", false).literal(b"abcde", false);
        assert_eq!(e.as_bytes(), b"{4+}\r\nabcd{5}\r\nabcde");
        assert_eq!(e.wait_points(), &[15]);
        let mut e = Encoder::server();
        e.literal(b"\0x", true);
        assert_eq!(e.as_bytes(), b"~{2}\r\n\0x");
        assert!(!e.has_waits());
    }

    #[test]
    fn strings_choose_their_form() {
        let mut e = Encoder::server();
        e.astring(b"INBOX")
            .sp()
            .astring(b"a b")
            .sp()
            .astring(b"")
            .sp();
        e.string(b"q\"\\")
            .sp()
            .nstring(None)
            .sp()
            .string("é".as_bytes());
        assert_eq!(
            e.as_bytes(),
            b"INBOX \"a b\" \"\" \"q\\\"\\\\\" NIL {2}\r\n\xc3\xa9".as_slice()
        );
        let mut e = Encoder::server();
        e.set_utf8(true);
        e.string("é".as_bytes());
        assert_eq!(e.as_bytes(), "\"é\"".as_bytes());
    }

    #[test]
    fn numbers() {
        let mut e = Encoder::server();
        e.number(0).sp().number(u64::MAX);
        assert_eq!(e.as_bytes(), b"0 18446744073709551615");
    }
}
