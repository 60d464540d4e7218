//! Message sections and partial ranges of FETCH (RFC 9051 §6.4.5, §7.5.2) and BINARY
//! (RFC 3516 §4): `BODY[1.2.HEADER.FIELDS (From To)]<0.1024>`, `BINARY[2]`.
//!
//! Shared by commands (`FETCH ... BODY.PEEK[...]<o.n>`) and responses
//! (`* 1 FETCH (BODY[...]<o> {n}...)`).
//!
//! ```text
//! section         = "[" [section-spec] "]"
//! section-spec    = section-msgtext / (section-part ["." section-text])
//! section-msgtext = "HEADER" / "HEADER.FIELDS" [".NOT"] SP header-list / "TEXT"
//! section-part    = nz-number *("." nz-number)
//! section-text    = section-msgtext / "MIME"
//! header-list     = "(" header-fld-name *(SP header-fld-name) ")"
//! header-fld-name = astring
//! partial         = "<" number64 "." nz-number64 ">"
//! section-binary  = "[" [section-part] "]"
//! ```

use std::borrow::Cow;
use std::num::{NonZeroU32, NonZeroU64};

use crate::cursor::{Cursor, ParseError, ParseResult};
use crate::encode::Encoder;
use crate::token::{AString, is_astring_char};

/// The text part of a section (RFC 9051 §6.4.5, `section-text` / `section-msgtext`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SectionText<'a> {
    /// `HEADER`: the header of the message or of an encapsulated message.
    Header,
    /// `HEADER.FIELDS (...)`: only the named header fields.
    HeaderFields(Vec<AString<'a>>),
    /// `HEADER.FIELDS.NOT (...)`: all header fields except the named ones.
    HeaderFieldsNot(Vec<AString<'a>>),
    /// `TEXT`: the body without the header.
    Text,
    /// `MIME`: the MIME header of a body part (only after a part number).
    Mime,
}

impl<'a> SectionText<'a> {
    /// An owned copy.
    pub fn into_owned(self) -> SectionText<'static> {
        match self {
            SectionText::Header => SectionText::Header,
            SectionText::HeaderFields(v) => {
                SectionText::HeaderFields(v.into_iter().map(AString::into_owned).collect())
            }
            SectionText::HeaderFieldsNot(v) => {
                SectionText::HeaderFieldsNot(v.into_iter().map(AString::into_owned).collect())
            }
            SectionText::Text => SectionText::Text,
            SectionText::Mime => SectionText::Mime,
        }
    }

    fn parse(c: &mut Cursor<'a>, after_part: bool) -> ParseResult<Self> {
        if c.literal_word(b"HEADER.FIELDS")? {
            let not = c.literal_word(b".NOT")?;
            c.sp()?;
            let list = header_list(c)?;
            return Ok(if not {
                SectionText::HeaderFieldsNot(list)
            } else {
                SectionText::HeaderFields(list)
            });
        }
        if c.literal_word(b"HEADER")? {
            return Ok(SectionText::Header);
        }
        if c.literal_word(b"TEXT")? {
            return Ok(SectionText::Text);
        }
        if after_part && c.literal_word(b"MIME")? {
            return Ok(SectionText::Mime);
        }
        Err(c.invalid(if after_part {
            "HEADER, HEADER.FIELDS, TEXT or MIME"
        } else {
            "HEADER, HEADER.FIELDS, TEXT or a part number"
        }))
    }

    fn encode(&self, e: &mut Encoder) {
        let list = |e: &mut Encoder, v: &[AString<'_>]| {
            e.byte(b'(');
            for (i, f) in v.iter().enumerate() {
                if i > 0 {
                    e.sp();
                }
                f.encode(e);
            }
            e.byte(b')');
        };
        match self {
            SectionText::Header => {
                e.raw(b"HEADER");
            }
            SectionText::HeaderFields(v) => {
                e.raw(b"HEADER.FIELDS ");
                list(e, v);
            }
            SectionText::HeaderFieldsNot(v) => {
                e.raw(b"HEADER.FIELDS.NOT ");
                list(e, v);
            }
            SectionText::Text => {
                e.raw(b"TEXT");
            }
            SectionText::Mime => {
                e.raw(b"MIME");
            }
        }
    }
}

/// `header-list = "(" header-fld-name *(SP header-fld-name) ")"`. The common case, names
/// that are all atoms, is checked and converted to text in one pass rather than per name.
fn header_list<'a>(c: &mut Cursor<'a>) -> ParseResult<Vec<AString<'a>>> {
    let rest = c.rest();
    if rest.first() == Some(&b'(')
        && let Some(end) = memchr::memchr(b')', rest)
    {
        let inner = &rest[1..end];
        // One pass over names that are atoms separated by single spaces; anything else
        // (quoted names, literals, odd spacing) takes the general path below.
        if let Ok(text) = std::str::from_utf8(inner) {
            let mut names = Vec::with_capacity(8);
            let mut start = 0;
            let mut ok = !inner.is_empty();
            for (i, &b) in inner.iter().enumerate() {
                if b == b' ' {
                    if i == start {
                        ok = false;
                        break;
                    }
                    names.push(AString::Atom(Cow::Borrowed(&text[start..i])));
                    start = i + 1;
                } else if !is_astring_char(b) {
                    ok = false;
                    break;
                }
            }
            if ok && start < inner.len() {
                names.push(AString::Atom(Cow::Borrowed(&text[start..])));
                c.advance(end + 1);
                return Ok(names);
            }
        }
    }
    c.paren_list(false, AString::parse)
}

/// A `section` (RFC 9051 §6.4.5): the part numbers (empty for the whole message) and what
/// of that part. `[]` is the whole message; `[1.2]` the body of part 1.2; `[1.MIME]` its MIME
/// header; `[HEADER.FIELDS (From)]` some fields of the top-level header.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Section<'a> {
    /// `section-part`: `1.2.3`, empty for the message itself.
    pub part: Vec<NonZeroU32>,
    /// `section-text`, if any.
    pub text: Option<SectionText<'a>>,
}

/// Parse `nz-number *("." nz-number)`, stopping before a `.` not followed by a digit.
fn parse_part(c: &mut Cursor<'_>) -> ParseResult<Vec<NonZeroU32>> {
    let mut part = Vec::new();
    loop {
        part.push(c.nz_number()?);
        if c.peek()? == b'.' && c.peek2()?.is_ascii_digit() {
            c.advance(1);
        } else {
            return Ok(part);
        }
    }
}

fn encode_part(part: &[NonZeroU32], e: &mut Encoder) {
    for (i, p) in part.iter().enumerate() {
        if i > 0 {
            e.byte(b'.');
        }
        e.number(u64::from(p.get()));
    }
}

impl<'a> Section<'a> {
    /// `[]`: the whole message.
    pub fn whole() -> Self {
        Section::default()
    }

    /// Whether `MIME` is used without a part number, which the grammar forbids.
    pub fn is_valid(&self) -> bool {
        !(self.part.is_empty() && self.text == Some(SectionText::Mime))
    }

    /// An owned copy.
    pub fn into_owned(self) -> Section<'static> {
        Section {
            part: self.part,
            text: self.text.map(SectionText::into_owned),
        }
    }

    /// Parse `"[" [section-spec] "]"`.
    pub fn parse(c: &mut Cursor<'a>) -> ParseResult<Self> {
        c.expect(b'[', "[")?;
        let mut s = Section::default();
        let b = c.peek()?;
        if b == b']' {
            c.advance(1);
            return Ok(s);
        }
        if b.is_ascii_digit() {
            s.part = parse_part(c)?;
            if c.eat(b'.')? {
                s.text = Some(SectionText::parse(c, true)?);
            }
        } else {
            s.text = Some(SectionText::parse(c, false)?);
        }
        c.expect(b']', "] closing a section")?;
        Ok(s)
    }

    /// Write `"[" [section-spec] "]"`.
    pub fn encode(&self, e: &mut Encoder) {
        e.byte(b'[');
        encode_part(&self.part, e);
        if let Some(t) = &self.text {
            if !self.part.is_empty() {
                e.byte(b'.');
            }
            t.encode(e);
        }
        e.byte(b']');
    }
}

/// A `section-binary` (RFC 3516 §4.1, RFC 9051 §6.4.5): `"[" [section-part] "]"`, the part
/// numbers of a BINARY fetch (empty for the whole message).
#[derive(Debug, Clone, PartialEq, Eq, Default, Hash)]
pub struct BinarySection {
    /// `section-part`, empty for the message itself.
    pub part: Vec<NonZeroU32>,
}

impl BinarySection {
    /// Parse `"[" [section-part] "]"`.
    pub fn parse(c: &mut Cursor<'_>) -> ParseResult<Self> {
        c.expect(b'[', "[")?;
        if c.eat(b']')? {
            return Ok(BinarySection::default());
        }
        let part = parse_part(c)?;
        c.expect(b']', "] closing a binary section")?;
        Ok(BinarySection { part })
    }

    /// Write `"[" [section-part] "]"`.
    pub fn encode(&self, e: &mut Encoder) {
        e.byte(b'[');
        encode_part(&self.part, e);
        e.byte(b']');
    }
}

/// A partial range (RFC 9051 §6.4.5): in a command `<offset.length>`, octets from `offset`
/// (0-based), at most `length` of them; in a FETCH response `<offset>` (no length).
///
/// A command with `<offset>` alone (no length) is accepted as "from `offset` to the end"
/// (see [`crate::quirks`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Partial {
    /// The first octet, 0-based (`number64`).
    pub offset: u64,
    /// How many octets at most (`nz-number64`); `None` in responses.
    pub length: Option<NonZeroU64>,
}

impl Partial {
    /// Parse `"<" number64 ["." nz-number64] ">"`.
    pub fn parse(c: &mut Cursor<'_>) -> ParseResult<Self> {
        c.expect(b'<', "<")?;
        let offset = c.number64()?;
        let length = if c.eat(b'.')? {
            let at = c.pos();
            let n = c.number64()?;
            Some(NonZeroU64::new(n).ok_or(ParseError::Invalid {
                at,
                expected: "nz-number64 (partial length)",
            })?)
        } else {
            None
        };
        c.expect(b'>', "> closing a partial range")?;
        Ok(Partial { offset, length })
    }

    /// Write `<offset.length>` or `<offset>`.
    pub fn encode(&self, e: &mut Encoder) {
        e.byte(b'<');
        e.number(self.offset);
        if let Some(n) = self.length {
            e.byte(b'.');
            e.number(n.get());
        }
        e.byte(b'>');
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encode::encoded as enc;

    fn nz(v: &[u32]) -> Vec<NonZeroU32> {
        v.iter().map(|&n| NonZeroU32::new(n).unwrap()).collect()
    }

    #[test]
    fn sections_parse_and_encode() {
        let cases: Vec<(&[u8], Section<'_>)> = vec![
            (b"[]", Section::whole()),
            (
                b"[HEADER]",
                Section {
                    part: vec![],
                    text: Some(SectionText::Header),
                },
            ),
            (
                b"[1.2.3]",
                Section {
                    part: nz(&[1, 2, 3]),
                    text: None,
                },
            ),
            (
                b"[4.2.HEADER.FIELDS.NOT (Subject X-Spam)]",
                Section {
                    part: nz(&[4, 2]),
                    text: Some(SectionText::HeaderFieldsNot(vec![
                        "Subject".into(),
                        "X-Spam".into(),
                    ])),
                },
            ),
            (
                b"[HEADER.FIELDS (DATE FROM)]",
                Section {
                    part: vec![],
                    text: Some(SectionText::HeaderFields(vec![
                        "DATE".into(),
                        "FROM".into(),
                    ])),
                },
            ),
            (
                b"[3.MIME]",
                Section {
                    part: nz(&[3]),
                    text: Some(SectionText::Mime),
                },
            ),
            (
                b"[2.TEXT]",
                Section {
                    part: nz(&[2]),
                    text: Some(SectionText::Text),
                },
            ),
        ];
        for (input, want) in cases {
            let mut c = Cursor::new(input);
            let got = Section::parse(&mut c).unwrap();
            assert_eq!(got, want, "{}", String::from_utf8_lossy(input));
            assert!(c.at_end());
            assert_eq!(enc(|e| got.encode(e)), input);
            for n in 0..input.len() {
                assert_eq!(
                    Section::parse(&mut Cursor::new(&input[..n])),
                    Err(ParseError::Incomplete)
                );
            }
        }
        // Lower case is accepted.
        let s = Section::parse(&mut Cursor::new(b"[header.fields (from)]")).unwrap();
        assert_eq!(s.text, Some(SectionText::HeaderFields(vec!["from".into()])));
    }

    #[test]
    fn bad_sections() {
        for bad in [
            &b"[MIME]"[..],
            b"[0]",
            b"[1.]",
            b"[HEADER.FIELDS ()]",
            b"[FOO]",
        ] {
            assert!(
                matches!(
                    Section::parse(&mut Cursor::new(bad)),
                    Err(ParseError::Invalid { .. })
                ),
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
    }

    #[test]
    fn binary_sections_and_partials() {
        let mut c = Cursor::new(b"[1.2]");
        let b = BinarySection::parse(&mut c).unwrap();
        assert_eq!(b.part, nz(&[1, 2]));
        assert_eq!(enc(|e| b.encode(e)), b"[1.2]");
        assert_eq!(
            BinarySection::parse(&mut Cursor::new(b"[]")).unwrap(),
            BinarySection::default()
        );
        assert!(BinarySection::parse(&mut Cursor::new(b"[TEXT]")).is_err());

        let p = Partial::parse(&mut Cursor::new(b"<0.2048>")).unwrap();
        assert_eq!(
            p,
            Partial {
                offset: 0,
                length: NonZeroU64::new(2048)
            }
        );
        assert_eq!(enc(|e| p.encode(e)), b"<0.2048>");
        let p = Partial::parse(&mut Cursor::new(b"<17>")).unwrap();
        assert_eq!(p.length, None);
        assert_eq!(enc(|e| p.encode(e)), b"<17>");
        assert!(Partial::parse(&mut Cursor::new(b"<1.0>")).is_err());
        assert_eq!(
            Partial::parse(&mut Cursor::new(b"<1.2")),
            Err(ParseError::Incomplete)
        );
    }
}
