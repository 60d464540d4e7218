//! Streaming parser of SMTP replies (client side), RFC 5321 §4.2, with RFC 2034 enhanced codes.
//!
//! ```text
//! Reply-line  = *( Reply-code "-" [ textstring ] CRLF )
//!               Reply-code [ SP textstring ] CRLF          ; RFC 5321 §4.2
//! Reply-code  = %x32-35 %x30-35 %x30-39
//! textstring  = 1*(%d09 / %d32-126)                        ; UTF-8 with SMTPUTF8 (RFC 6531)
//! status-code = class "." subject "." detail               ; RFC 3463 §2
//! class = "2" / "4" / "5"; subject = 1*3digit; detail = 1*3digit
//! ```
//!
//! Leniency and strictness, on purpose:
//! - Any code `200..=599` is accepted (RFC 5321 §4.2: a client must handle codes it does not
//!   know by their first digit).
//! - The text after the separator is kept verbatim, spaces included; `250 \r\n` and `250\r\n`
//!   both give one empty line. Text that is not UTF-8 is converted lossily (U+FFFD), so a
//!   Latin-1 greeting does not break the session; valid UTF-8 is borrowed, not copied.
//! - Lines end with CRLF only. A bare LF or a bare CR is an error: accepting them is how
//!   parsers disagree about where a reply ends (the SMTP smuggling family of bugs), and no
//!   server in our test vectors sends them.
//! - An enhanced status code (RFC 2034 §4) is recognised when **every** line's text begins
//!   with the same `c.s.d` followed by SP or the end of the line, with `c` equal to the reply
//!   code's first digit. It is then removed from every line and stored once in
//!   [`Reply::enhanced`]; otherwise all text is kept as is.

use std::borrow::Cow;

use crate::types::reply::{EnhancedStatusCode, Reply, ReplyCode};

/// Default longest reply line accepted, in octets, excluding CRLF. RFC 5321 §4.5.3.1.5 sets
/// 512 including CRLF, but real servers send longer lines (long EHLO AUTH lists, banners).
pub const MAX_REPLY_LINE_LEN: usize = 4096;
/// Default largest number of lines in one reply.
pub const MAX_REPLY_LINES: usize = 100;

/// Limits applied by [`parse_reply_with`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReplyLimits {
    /// The longest line, in octets, from the code to the text's end (CRLF not counted).
    pub max_line_len: usize,
    /// The most lines in one reply.
    pub max_lines: usize,
}

impl Default for ReplyLimits {
    fn default() -> Self {
        Self {
            max_line_len: MAX_REPLY_LINE_LEN,
            max_lines: MAX_REPLY_LINES,
        }
    }
}

/// Why bytes are not (yet) a reply, or a reply is not an EHLO reply.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ReplyError {
    /// The bytes are a prefix of a reply: read more and call again.
    #[error("incomplete reply: more input needed")]
    Incomplete,
    /// A line does not start with three digits forming a code in `200..=599`.
    #[error("invalid reply code at offset {at}")]
    InvalidCode {
        /// Offset of the line start in the input.
        at: usize,
    },
    /// A continuation line carries another code than the first line (RFC 5321 §4.2.1).
    #[error("reply code {found} differs from the first line's {first}")]
    CodeMismatch {
        /// The first line's code.
        first: u16,
        /// The code of the offending line.
        found: u16,
    },
    /// After the code came neither `-`, SP nor CRLF.
    #[error("byte {byte:#04x} after the reply code at offset {at}: expected '-', SP or CRLF")]
    MissingSeparator {
        /// The offending byte.
        byte: u8,
        /// Its offset in the input.
        at: usize,
    },
    /// A CR not followed by LF.
    #[error("bare CR at offset {at}")]
    BareCarriageReturn {
        /// Offset of the CR.
        at: usize,
    },
    /// An LF not preceded by CR.
    #[error("bare LF at offset {at}")]
    BareLineFeed {
        /// Offset of the LF.
        at: usize,
    },
    /// A line is longer than the limit.
    #[error("reply line longer than {limit} octets")]
    LineTooLong {
        /// The limit in force.
        limit: usize,
    },
    /// A reply has more lines than the limit.
    #[error("reply has more than {limit} lines")]
    TooManyLines {
        /// The limit in force.
        limit: usize,
    },
    /// An EHLO/LHLO reply with a code other than 250.
    #[error("EHLO reply has code {code}, not 250")]
    EhloNotOk {
        /// The code received.
        code: u16,
    },
    /// An EHLO reply whose first line has no domain.
    #[error("EHLO reply has no domain on its first line")]
    EhloMissingDomain,
    /// An EHLO reply carrying enhanced status codes, which RFC 2034 §3 excludes from EHLO
    /// replies (their first token would be mistaken for the domain or a keyword), or whose
    /// domain has the form of one (`2.0.0`).
    #[error("EHLO reply carries enhanced status codes")]
    EhloWithEnhancedCode,
}

/// Parses one complete reply from the start of `buf` with the default [`ReplyLimits`].
///
/// Returns the reply, borrowing its text from `buf` where possible, and the number of bytes
/// it occupied; the caller drops those and keeps the rest (pipelined replies follow). Any
/// strict prefix of a valid reply gives [`ReplyError::Incomplete`]; the other errors say the
/// bytes cannot become a reply however many more arrive. Grammar: see the module docs.
pub fn parse_reply(buf: &[u8]) -> Result<(Reply<'_>, usize), ReplyError> {
    parse_reply_with(buf, &ReplyLimits::default())
}

/// [`parse_reply`] with explicit limits.
pub fn parse_reply_with<'a>(
    buf: &'a [u8],
    limits: &ReplyLimits,
) -> Result<(Reply<'a>, usize), ReplyError> {
    let mut pos = 0;
    let mut code: Option<ReplyCode> = None;
    let mut texts: Vec<&'a [u8]> = Vec::new();
    loop {
        let line = buf.get(pos..).unwrap_or_default();
        let this = parse_code(line, pos)?;
        let first = *code.get_or_insert(this);
        if first != this {
            return Err(ReplyError::CodeMismatch {
                first: first.get(),
                found: this.get(),
            });
        }
        let (last, text_start) = match line.get(3) {
            None => return Err(ReplyError::Incomplete),
            Some(b'-') => (false, 4),
            Some(b' ') => (true, 4),
            Some(b'\r') => (true, 3),
            Some(b'\n') => return Err(ReplyError::BareLineFeed { at: pos + 3 }),
            Some(&byte) => {
                return Err(ReplyError::MissingSeparator { byte, at: pos + 3 });
            }
        };
        if !last && texts.len() + 1 >= limits.max_lines {
            return Err(ReplyError::TooManyLines {
                limit: limits.max_lines,
            });
        }
        let rest = line.get(text_start..).unwrap_or_default();
        let text_len = match memchr::memchr2(b'\r', b'\n', rest) {
            None => {
                if text_start + rest.len() > limits.max_line_len {
                    return Err(ReplyError::LineTooLong {
                        limit: limits.max_line_len,
                    });
                }
                return Err(ReplyError::Incomplete);
            }
            Some(i) => i,
        };
        let eol = pos + text_start + text_len;
        if rest.get(text_len) == Some(&b'\n') {
            return Err(ReplyError::BareLineFeed { at: eol });
        }
        match rest.get(text_len + 1) {
            None => {
                if text_start + text_len > limits.max_line_len {
                    return Err(ReplyError::LineTooLong {
                        limit: limits.max_line_len,
                    });
                }
                return Err(ReplyError::Incomplete);
            }
            Some(b'\n') => {}
            Some(_) => return Err(ReplyError::BareCarriageReturn { at: eol }),
        }
        if text_start + text_len > limits.max_line_len {
            return Err(ReplyError::LineTooLong {
                limit: limits.max_line_len,
            });
        }
        texts.push(rest.get(..text_len).unwrap_or_default());
        pos = eol + 2;
        if last {
            break;
        }
    }
    let code = code.ok_or(ReplyError::Incomplete)?;
    let enhanced = common_enhanced(code, &texts);
    let skip = |t: &'a [u8]| -> &'a [u8] {
        match enhanced {
            Some(_) => enhanced_prefix(t).map_or(t, |(_, len)| t.get(len..).unwrap_or_default()),
            None => t,
        }
    };
    let lines = texts
        .into_iter()
        .map(|t| String::from_utf8_lossy(skip(t)))
        .collect::<Vec<Cow<'a, str>>>();
    Ok((
        Reply {
            code,
            enhanced,
            lines,
        },
        pos,
    ))
}

/// Reads the three-digit code at the start of `line` (which sits at offset `at`), checking
/// each digit as soon as it is present so that garbage fails early.
fn parse_code(line: &[u8], at: usize) -> Result<ReplyCode, ReplyError> {
    let mut value: u16 = 0;
    for i in 0..3 {
        match line.get(i) {
            None => {
                // Still a prefix of a valid code? The first digit must be 2-5.
                return Err(ReplyError::Incomplete);
            }
            Some(&d) if d.is_ascii_digit() && (i != 0 || (b'2'..=b'5').contains(&d)) => {
                value = value * 10 + u16::from(d - b'0');
            }
            Some(_) => return Err(ReplyError::InvalidCode { at }),
        }
    }
    ReplyCode::new(value).ok_or(ReplyError::InvalidCode { at })
}

/// The enhanced code shared by all lines, if every line starts with the same one and its
/// class equals the reply code's first digit (RFC 2034 §4).
fn common_enhanced(code: ReplyCode, texts: &[&[u8]]) -> Option<EnhancedStatusCode> {
    let mut common: Option<EnhancedStatusCode> = None;
    for t in texts {
        let (esc, _) = enhanced_prefix(t)?;
        if esc.class != code.class() || common.is_some_and(|c| c != esc) {
            return None;
        }
        common = Some(esc);
    }
    common
}

/// `status-code` at the start of `text`, followed by SP (consumed) or the end of the text.
/// Returns the code and the number of bytes to drop.
pub(crate) fn enhanced_prefix(text: &[u8]) -> Option<(EnhancedStatusCode, usize)> {
    let class = match text.first()? {
        b'2' => 2,
        b'4' => 4,
        b'5' => 5,
        _ => return None,
    };
    if text.get(1) != Some(&b'.') {
        return None;
    }
    let (subject, n1) = digits_1_to_3(text.get(2..)?)?;
    if text.get(2 + n1) != Some(&b'.') {
        return None;
    }
    let start = 3 + n1;
    let (detail, n2) = digits_1_to_3(text.get(start..)?)?;
    let end = start + n2;
    match text.get(end) {
        None => Some((EnhancedStatusCode::new(class, subject, detail), end)),
        Some(b' ') => Some((EnhancedStatusCode::new(class, subject, detail), end + 1)),
        Some(_) => None,
    }
}

/// 1 to 3 ASCII digits (and not a fourth), as a number and their count.
fn digits_1_to_3(s: &[u8]) -> Option<(u16, usize)> {
    let n = s.iter().take(4).take_while(|b| b.is_ascii_digit()).count();
    if !(1..=3).contains(&n) {
        return None;
    }
    let value = s
        .get(..n)?
        .iter()
        .fold(0u16, |acc, d| acc * 10 + u16::from(d - b'0'));
    Some((value, n))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn esc(c: u8, s: u16, d: u16) -> Option<EnhancedStatusCode> {
        Some(EnhancedStatusCode::new(c, s, d))
    }

    /// (input, code, enhanced, lines, consumed)
    type Case = (
        &'static [u8],
        u16,
        Option<EnhancedStatusCode>,
        &'static [&'static str],
        usize,
    );

    #[test]
    fn reply_forms() {
        let cases: &[Case] = &[
            (b"250 OK\r\n", 250, None, &["OK"], 8),
            (b"250\r\n", 250, None, &[""], 5),
            (b"250 \r\n", 250, None, &[""], 6),
            (b"250-\r\n250 \r\n", 250, None, &["", ""], 12),
            (
                b"250-first\r\n250 last\r\n",
                250,
                None,
                &["first", "last"],
                21,
            ),
            (b"250-a\r\n250-b\r\n250\r\n", 250, None, &["a", "b", ""], 19),
            (b"250 2.1.0 Ok\r\n", 250, esc(2, 1, 0), &["Ok"], 14),
            (b"250 2.0.0\r\n", 250, esc(2, 0, 0), &[""], 11),
            (
                b"550-5.1.1 The email account\r\n550 5.1.1 does not exist\r\n",
                550,
                esc(5, 1, 1),
                &["The email account", "does not exist"],
                55,
            ),
            // Odd spacing seen from real servers: kept verbatim after one separator.
            (b"220  mx ESMTP \r\n", 220, None, &[" mx ESMTP "], 16),
            (
                b"250 2.0.0  Ok: queued\r\n",
                250,
                esc(2, 0, 0),
                &[" Ok: queued"],
                23,
            ),
            (b"250 OK\tdone\r\n", 250, None, &["OK\tdone"], 13),
            // Enhanced code on only some lines: not recognised, text kept whole.
            (
                b"250-2.0.0 a\r\n250 b\r\n",
                250,
                None,
                &["2.0.0 a", "b"],
                20,
            ),
            // Differing enhanced codes: kept in the text.
            (
                b"250-2.0.0 a\r\n250 2.1.0 b\r\n",
                250,
                None,
                &["2.0.0 a", "2.1.0 b"],
                26,
            ),
            // Class must equal the first digit of the reply code.
            (b"250 5.0.0 x\r\n", 250, None, &["5.0.0 x"], 13),
            // 3yz replies have no enhanced codes; digits stay text.
            (b"354 3.0.0 go\r\n", 354, None, &["3.0.0 go"], 14),
            // Not an enhanced code: four digits, or no space after it.
            (b"550 5.1.1000 x\r\n", 550, None, &["5.1.1000 x"], 16),
            (b"550 5.1.1x\r\n", 550, None, &["5.1.1x"], 12),
            (b"550 5.1.\r\n", 550, None, &["5.1."], 10),
            (b"450 4.07.001 later\r\n", 450, esc(4, 7, 1), &["later"], 20),
            // Trailing bytes (a pipelined next reply) are not consumed.
            (b"250 OK\r\n354 go\r\n", 250, None, &["OK"], 8),
            // UTF-8 text (SMTPUTF8) and invalid bytes (converted lossily).
            ("250 Grüße\r\n".as_bytes(), 250, None, &["Grüße"], 13),
            (b"220 caf\xe9\r\n", 220, None, &["caf\u{fffd}"], 10),
        ];
        for &(input, code, enhanced, lines, consumed) in cases {
            let (reply, n) = parse_reply(input)
                .unwrap_or_else(|e| panic!("{:?}: {e}", String::from_utf8_lossy(input)));
            assert_eq!(reply.code.get(), code, "{input:?}");
            assert_eq!(reply.enhanced, enhanced, "{input:?}");
            assert_eq!(reply.lines, lines, "{input:?}");
            assert_eq!(n, consumed, "{input:?}");
        }
    }

    #[test]
    fn valid_text_is_borrowed() {
        let (reply, _) = parse_reply(b"250-a\r\n250 2.0.0 b\r\n").expect("valid");
        assert!(reply.lines.iter().all(|l| matches!(l, Cow::Borrowed(_))));
    }

    #[test]
    fn errors() {
        let cases: &[(&[u8], ReplyError)] = &[
            (b"abc OK\r\n", ReplyError::InvalidCode { at: 0 }),
            (b"2x", ReplyError::InvalidCode { at: 0 }),
            (b"150 old\r\n", ReplyError::InvalidCode { at: 0 }),
            (b"600 x\r\n", ReplyError::InvalidCode { at: 0 }),
            (b"\r\n", ReplyError::InvalidCode { at: 0 }),
            (b" 250 OK\r\n", ReplyError::InvalidCode { at: 0 }),
            (b"250-a\r\nxyz", ReplyError::InvalidCode { at: 7 }),
            (
                b"250-a\r\n251 b\r\n",
                ReplyError::CodeMismatch {
                    first: 250,
                    found: 251,
                },
            ),
            (
                b"250-a\r\n550",
                ReplyError::CodeMismatch {
                    first: 250,
                    found: 550,
                },
            ),
            (
                b"250OK\r\n",
                ReplyError::MissingSeparator { byte: b'O', at: 3 },
            ),
            (
                b"250\t\r\n",
                ReplyError::MissingSeparator { byte: b'\t', at: 3 },
            ),
            (b"250\n", ReplyError::BareLineFeed { at: 3 }),
            (b"250 OK\n", ReplyError::BareLineFeed { at: 6 }),
            (b"250 O\rK\r\n", ReplyError::BareCarriageReturn { at: 5 }),
            (b"250\rX", ReplyError::BareCarriageReturn { at: 3 }),
            (b"250-a\r\n250 b\n", ReplyError::BareLineFeed { at: 12 }),
        ];
        for (input, expected) in cases {
            assert_eq!(
                parse_reply(input).map(|(r, n)| (r.into_owned(), n)),
                Err(expected.clone()),
                "{:?}",
                String::from_utf8_lossy(input)
            );
        }
    }

    #[test]
    fn incomplete_prefixes() {
        let cases: &[&[u8]] = &[
            b"",
            b"2",
            b"25",
            b"250",
            b"250 ",
            b"250 OK",
            b"250 OK\r",
            b"250-a\r\n",
            b"250-a\r\n2",
            b"250-a\r\n250",
            b"250-a\r\n250-b\r\n250 c\r",
        ];
        for input in cases {
            assert_eq!(
                parse_reply(input).map(|(r, n)| (r.into_owned(), n)),
                Err(ReplyError::Incomplete),
                "{:?}",
                String::from_utf8_lossy(input)
            );
        }
    }

    #[test]
    fn line_length_limit() {
        let limits = ReplyLimits {
            max_line_len: 10,
            max_lines: 3,
        };
        // Exactly 10 octets before CRLF: accepted.
        let ok = b"250 abcdef\r\n";
        let (r, n) = parse_reply_with(ok, &limits).expect("at the limit");
        assert_eq!((r.lines.len(), n), (1, 12));
        let too_long: &[&[u8]] = &[b"250 abcdefg\r\n", b"250 abcdefg", b"250 abcdefg\r"];
        for input in too_long {
            assert_eq!(
                parse_reply_with(input, &limits).map(|(_, n)| n),
                Err(ReplyError::LineTooLong { limit: 10 }),
                "{input:?}"
            );
        }
        // An unterminated line at the limit may still become valid.
        assert_eq!(
            parse_reply_with(b"250 abcdef", &limits).map(|(_, n)| n),
            Err(ReplyError::Incomplete)
        );
        let long = [b"250 ".as_slice(), &[b'x'; MAX_REPLY_LINE_LEN]].concat();
        assert_eq!(
            parse_reply(&long).map(|(_, n)| n),
            Err(ReplyError::LineTooLong {
                limit: MAX_REPLY_LINE_LEN
            })
        );
    }

    #[test]
    fn line_count_limit() {
        let limits = ReplyLimits {
            max_line_len: 100,
            max_lines: 3,
        };
        let three = b"250-a\r\n250-b\r\n250 c\r\n";
        assert_eq!(
            parse_reply_with(three, &limits).map(|(r, _)| r.lines.len()),
            Ok(3)
        );
        let four = b"250-a\r\n250-b\r\n250-c\r\n";
        assert_eq!(
            parse_reply_with(four, &limits).map(|(_, n)| n),
            Err(ReplyError::TooManyLines { limit: 3 })
        );
        let many = b"250-x\r\n".repeat(MAX_REPLY_LINES);
        assert_eq!(
            parse_reply(&many).map(|(_, n)| n),
            Err(ReplyError::TooManyLines {
                limit: MAX_REPLY_LINES
            })
        );
    }

    #[test]
    fn enhanced_prefix_table() {
        type PrefixCase = (&'static [u8], Option<(EnhancedStatusCode, usize)>);
        let cases: &[PrefixCase] = &[
            (b"2.0.0", Some((EnhancedStatusCode::new(2, 0, 0), 5))),
            (b"2.0.0 x", Some((EnhancedStatusCode::new(2, 0, 0), 6))),
            (
                b"5.999.999 x",
                Some((EnhancedStatusCode::new(5, 999, 999), 10)),
            ),
            (b"3.0.0 x", None),
            (b"2.0", None),
            (b"2..0 x", None),
            (b"2.0.0.0 x", None),
            (b"2.1234.0 x", None),
            (b"20.0.0 x", None),
            (b"", None),
        ];
        for &(input, expected) in cases {
            assert_eq!(enhanced_prefix(input), expected, "{input:?}");
        }
    }
}
