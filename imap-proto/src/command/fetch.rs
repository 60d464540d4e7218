//! FETCH data items and modifiers (RFC 9051 §6.4.5, RFC 3516 BINARY, RFC 7162 CONDSTORE and
//! QRESYNC).
//!
//! ```text
//! fetch     = "FETCH" SP sequence-set SP ( "ALL" / "FULL" / "FAST" / fetch-att /
//!             "(" fetch-att *(SP fetch-att) ")" ) [fetch-modifiers]
//! fetch-att = "ENVELOPE" / "FLAGS" / "INTERNALDATE" / "RFC822.SIZE" / "BODY" ["STRUCTURE"] /
//!             "UID" / "BODY" section [partial] / "BODY.PEEK" section [partial] /
//!             "BINARY" [".PEEK"] section-binary [partial] / "BINARY.SIZE" section-binary
//!           / "RFC822" / "RFC822.HEADER" / "RFC822.TEXT"   ; RFC 3501
//!           / "MODSEQ"                                      ; RFC 7162
//! fetch-modifiers = SP "(" fetch-modifier *(SP fetch-modifier) ")"
//! fetch-modifier  = "CHANGEDSINCE" SP mod-sequence-value / "VANISHED"   ; RFC 7162
//! ```

use crate::cursor::{Cursor, ParseError, ParseResult};
use crate::encode::Encoder;
use crate::section::{BinarySection, Partial, Section};
use crate::token::is_atom_char;

use super::upper;

/// One FETCH data item (RFC 9051 §6.4.5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FetchAttr<'a> {
    /// `ENVELOPE`.
    Envelope,
    /// `FLAGS`.
    Flags,
    /// `INTERNALDATE`.
    InternalDate,
    /// `RFC822` (RFC 3501): the message, setting `\Seen`.
    Rfc822,
    /// `RFC822.HEADER` (RFC 3501): the header, not setting `\Seen`.
    Rfc822Header,
    /// `RFC822.SIZE`.
    Rfc822Size,
    /// `RFC822.TEXT` (RFC 3501): the body text, setting `\Seen`.
    Rfc822Text,
    /// `BODY`: the non-extensible body structure.
    Body,
    /// `BODYSTRUCTURE`.
    BodyStructure,
    /// `UID`.
    Uid,
    /// `MODSEQ` (RFC 7162 §3.1.4).
    ModSeq,
    /// `BODY[section]<partial>` or, with `peek`, `BODY.PEEK[...]` (does not set `\Seen`).
    BodySection {
        /// `BODY.PEEK`.
        peek: bool,
        /// The section.
        section: Section<'a>,
        /// `<offset.length>`, if given.
        partial: Option<Partial>,
    },
    /// `BINARY[part]<partial>` or `BINARY.PEEK[...]` (RFC 3516 §4.2).
    Binary {
        /// `BINARY.PEEK`.
        peek: bool,
        /// The part.
        section: BinarySection,
        /// `<offset.length>`, if given.
        partial: Option<Partial>,
    },
    /// `BINARY.SIZE[part]` (RFC 3516 §4.2).
    BinarySize {
        /// The part.
        section: BinarySection,
    },
}

impl<'a> FetchAttr<'a> {
    /// Parse a `fetch-att`.
    pub fn parse(c: &mut Cursor<'a>) -> ParseResult<Self> {
        use FetchAttr as A;
        let at = c.pos();
        // `[` is an ATOM-CHAR, so the name ends at it explicitly.
        let word = c.take_while(|b| is_atom_char(b) && b != b'[')?;
        let bad = ParseError::Invalid {
            at,
            expected: "fetch-att",
        };
        let mut buf = [0u8; 24];
        let up = upper(word, &mut buf).ok_or(bad)?;
        Ok(match up {
            b"ENVELOPE" => A::Envelope,
            b"FLAGS" => A::Flags,
            b"INTERNALDATE" => A::InternalDate,
            b"RFC822" => A::Rfc822,
            b"RFC822.HEADER" => A::Rfc822Header,
            b"RFC822.SIZE" => A::Rfc822Size,
            b"RFC822.TEXT" => A::Rfc822Text,
            b"BODYSTRUCTURE" => A::BodyStructure,
            b"UID" => A::Uid,
            b"MODSEQ" => A::ModSeq,
            b"BODY" | b"BODY.PEEK" => {
                let peek = up.len() > 4;
                if !peek && c.peek()? != b'[' {
                    return Ok(A::Body);
                }
                let section = Section::parse(c)?;
                if !section.is_valid() {
                    return Err(ParseError::Invalid {
                        at,
                        expected: "a part number before MIME",
                    });
                }
                let partial = parse_partial(c)?;
                A::BodySection {
                    peek,
                    section,
                    partial,
                }
            }
            b"BINARY" | b"BINARY.PEEK" => {
                let peek = up.len() > 6;
                let section = BinarySection::parse(c)?;
                let partial = parse_partial(c)?;
                A::Binary {
                    peek,
                    section,
                    partial,
                }
            }
            b"BINARY.SIZE" => A::BinarySize {
                section: BinarySection::parse(c)?,
            },
            _ => return Err(bad),
        })
    }

    /// Write it.
    pub fn encode(&self, e: &mut Encoder) {
        use FetchAttr as A;
        let name: &[u8] = match self {
            A::Envelope => b"ENVELOPE",
            A::Flags => b"FLAGS",
            A::InternalDate => b"INTERNALDATE",
            A::Rfc822 => b"RFC822",
            A::Rfc822Header => b"RFC822.HEADER",
            A::Rfc822Size => b"RFC822.SIZE",
            A::Rfc822Text => b"RFC822.TEXT",
            A::Body => b"BODY",
            A::BodyStructure => b"BODYSTRUCTURE",
            A::Uid => b"UID",
            A::ModSeq => b"MODSEQ",
            A::BodySection {
                peek,
                section,
                partial,
            } => {
                e.raw(if *peek { b"BODY.PEEK" } else { b"BODY" });
                section.encode(e);
                if let Some(p) = partial {
                    p.encode(e);
                }
                return;
            }
            A::Binary {
                peek,
                section,
                partial,
            } => {
                e.raw(if *peek { b"BINARY.PEEK" } else { b"BINARY" });
                section.encode(e);
                if let Some(p) = partial {
                    p.encode(e);
                }
                return;
            }
            A::BinarySize { section } => {
                e.raw(b"BINARY.SIZE");
                section.encode(e);
                return;
            }
        };
        e.raw(name);
    }

    /// An owned copy.
    pub fn into_owned(self) -> FetchAttr<'static> {
        use FetchAttr as A;
        match self {
            A::Envelope => A::Envelope,
            A::Flags => A::Flags,
            A::InternalDate => A::InternalDate,
            A::Rfc822 => A::Rfc822,
            A::Rfc822Header => A::Rfc822Header,
            A::Rfc822Size => A::Rfc822Size,
            A::Rfc822Text => A::Rfc822Text,
            A::Body => A::Body,
            A::BodyStructure => A::BodyStructure,
            A::Uid => A::Uid,
            A::ModSeq => A::ModSeq,
            A::BodySection {
                peek,
                section,
                partial,
            } => A::BodySection {
                peek,
                section: section.into_owned(),
                partial,
            },
            A::Binary {
                peek,
                section,
                partial,
            } => A::Binary {
                peek,
                section,
                partial,
            },
            A::BinarySize { section } => A::BinarySize { section },
        }
    }
}

fn parse_partial(c: &mut Cursor<'_>) -> ParseResult<Option<Partial>> {
    if c.peek()? == b'<' {
        Partial::parse(c).map(Some)
    } else {
        Ok(None)
    }
}

/// What a FETCH asks for: a macro or a list of data items (RFC 9051 §6.4.5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FetchItems<'a> {
    /// `ALL`: `(FLAGS INTERNALDATE RFC822.SIZE ENVELOPE)`.
    All,
    /// `FAST`: `(FLAGS INTERNALDATE RFC822.SIZE)`.
    Fast,
    /// `FULL`: `(FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODY)`.
    Full,
    /// One item, or several in parentheses.
    Attrs(Vec<FetchAttr<'a>>),
}

impl<'a> FetchItems<'a> {
    /// The data items, macros expanded (RFC 9051 §6.4.5).
    pub fn expand(&self) -> Vec<FetchAttr<'a>> {
        use FetchAttr as A;
        match self {
            FetchItems::All => vec![A::Flags, A::InternalDate, A::Rfc822Size, A::Envelope],
            FetchItems::Fast => vec![A::Flags, A::InternalDate, A::Rfc822Size],
            FetchItems::Full => vec![
                A::Flags,
                A::InternalDate,
                A::Rfc822Size,
                A::Envelope,
                A::Body,
            ],
            FetchItems::Attrs(v) => v.clone(),
        }
    }

    /// Parse a macro, one `fetch-att`, or `"(" fetch-att *(SP fetch-att) ")"`.
    pub fn parse(c: &mut Cursor<'a>) -> ParseResult<Self> {
        if c.peek()? == b'(' {
            // As `Cursor::paren_list`, with room for a typical list from the start.
            c.advance(1);
            c.enter()?;
            let mut v = Vec::with_capacity(8);
            loop {
                v.push(FetchAttr::parse(c)?);
                match c.peek()? {
                    b' ' => {
                        c.advance(1);
                        // Trailing space before ")": accepted (see quirks).
                        if c.eat(b')')? {
                            break;
                        }
                    }
                    b')' => {
                        c.advance(1);
                        break;
                    }
                    _ => return Err(c.invalid("SP or )")),
                }
            }
            c.leave();
            return Ok(FetchItems::Attrs(v));
        }
        if c.keyword(b"ALL")? {
            return Ok(FetchItems::All);
        }
        if c.keyword(b"FAST")? {
            return Ok(FetchItems::Fast);
        }
        if c.keyword(b"FULL")? {
            return Ok(FetchItems::Full);
        }
        FetchAttr::parse(c).map(|a| FetchItems::Attrs(vec![a]))
    }

    /// Write it (one item bare, several in parentheses).
    pub fn encode(&self, e: &mut Encoder) {
        match self {
            FetchItems::All => {
                e.raw(b"ALL");
            }
            FetchItems::Fast => {
                e.raw(b"FAST");
            }
            FetchItems::Full => {
                e.raw(b"FULL");
            }
            FetchItems::Attrs(v) if v.len() == 1 => v[0].encode(e),
            FetchItems::Attrs(v) => {
                e.byte(b'(');
                for (i, a) in v.iter().enumerate() {
                    if i > 0 {
                        e.sp();
                    }
                    a.encode(e);
                }
                e.byte(b')');
            }
        }
    }

    /// An owned copy.
    pub fn into_owned(self) -> FetchItems<'static> {
        match self {
            FetchItems::All => FetchItems::All,
            FetchItems::Fast => FetchItems::Fast,
            FetchItems::Full => FetchItems::Full,
            FetchItems::Attrs(v) => {
                FetchItems::Attrs(v.into_iter().map(FetchAttr::into_owned).collect())
            }
        }
    }
}

/// FETCH modifiers (RFC 4466 §2.4, RFC 7162 §3.1.4.1 CHANGEDSINCE, §3.2.6 VANISHED).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct FetchModifiers {
    /// `CHANGEDSINCE n`: only messages whose mod-sequence is above `n` (0 accepted: see
    /// [`crate::quirks`]).
    pub changed_since: Option<u64>,
    /// `VANISHED` (UID FETCH with CHANGEDSINCE only): report expunged UIDs.
    pub vanished: bool,
}

impl FetchModifiers {
    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.changed_since.is_none() && !self.vanished
    }

    /// Parse `"(" fetch-modifier *(SP fetch-modifier) ")"`.
    pub fn parse(c: &mut Cursor<'_>) -> ParseResult<Self> {
        let mut m = FetchModifiers::default();
        c.paren_list(false, |c| {
            if c.keyword(b"CHANGEDSINCE")? {
                c.sp()?;
                m.changed_since = Some(c.number64()?);
                Ok(())
            } else if c.keyword(b"VANISHED")? {
                m.vanished = true;
                Ok(())
            } else {
                Err(c.invalid("fetch-modifier (CHANGEDSINCE or VANISHED)"))
            }
        })?;
        Ok(m)
    }

    /// Write ` (CHANGEDSINCE n VANISHED)`, leading space included; nothing when empty.
    pub fn encode(&self, e: &mut Encoder) {
        if self.is_empty() {
            return;
        }
        e.raw(b" (");
        if let Some(n) = self.changed_since {
            e.raw(b"CHANGEDSINCE ").number(n);
            if self.vanished {
                e.sp();
            }
        }
        if self.vanished {
            e.raw(b"VANISHED");
        }
        e.byte(b')');
    }
}
