//! FETCH data items (RFC 9051 §7.5.2, RFC 3501 §7.4.2, RFC 3516 BINARY, RFC 7162 MODSEQ,
//! RFC 8970 PREVIEW).
//!
//! ```text
//! msg-att         = "(" (msg-att-dynamic / msg-att-static) *(SP (msg-att-dynamic / msg-att-static)) ")"
//! msg-att-dynamic = "FLAGS" SP "(" [flag-fetch *(SP flag-fetch)] ")" / "MODSEQ" SP "(" mod-sequence-value ")"
//! msg-att-static  = "ENVELOPE" SP envelope / "INTERNALDATE" SP date-time / "RFC822.SIZE" SP number64 /
//!                   "BODY" ["STRUCTURE"] SP body / "BODY" section ["<" number ">"] SP nstring /
//!                   "BINARY" section-binary SP (nstring / literal8) / "BINARY.SIZE" section-binary SP number /
//!                   "UID" SP uniqueid / "RFC822" / "RFC822.HEADER" / "RFC822.TEXT" SP nstring /
//!                   "PREVIEW" SP nstring
//! ```
//!
//! The items may come in any order; unknown items (Gmail's `X-GM-LABELS`, ...) are kept as
//! [`MsgAtt::Other`].

use std::num::NonZeroU32;

use super::body::{BodyStructure, Envelope};
use super::mailbox::RawValue;
use crate::cursor::{Cursor, ParseResult};
use crate::encode::Encoder;
use crate::section::{BinarySection, Section};
use crate::token::{Atom, DateTime, Flag, NString};

/// One FETCH data item (RFC 9051 §7.5.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MsgAtt<'a> {
    /// `FLAGS (flag ...)`.
    Flags(Vec<Flag<'a>>),
    /// `UID n`.
    Uid(NonZeroU32),
    /// `INTERNALDATE "..."`.
    InternalDate(DateTime),
    /// `RFC822.SIZE n`.
    Rfc822Size(u64),
    /// `ENVELOPE (...)`.
    Envelope(Box<Envelope<'a>>),
    /// `BODYSTRUCTURE (...)`, with extension data.
    BodyStructure(Box<BodyStructure<'a>>),
    /// `BODY (...)`: the structure without extension data.
    Body(Box<BodyStructure<'a>>),
    /// `BODY[section]<origin> nstring`: a body section's content.
    BodySection {
        /// The section.
        section: Section<'a>,
        /// `<origin>`: the offset of a partial fetch.
        origin: Option<u64>,
        /// The octets, or `NIL`.
        data: NString<'a>,
    },
    /// `BINARY[part] nstring / literal8` (RFC 3516 §4.2): the decoded content.
    Binary {
        /// The part.
        section: BinarySection,
        /// The octets (a `~{n}` literal when they hold NUL), or `NIL`.
        data: NString<'a>,
    },
    /// `BINARY.SIZE[part] n` (RFC 3516 §4.2).
    BinarySize {
        /// The part.
        section: BinarySection,
        /// Its decoded size.
        size: u64,
    },
    /// `MODSEQ (n)` (RFC 7162 §3.1.4).
    ModSeq(u64),
    /// `RFC822 nstring` (IMAP4rev1): the whole message.
    Rfc822(NString<'a>),
    /// `RFC822.HEADER nstring` (IMAP4rev1).
    Rfc822Header(NString<'a>),
    /// `RFC822.TEXT nstring` (IMAP4rev1).
    Rfc822Text(NString<'a>),
    /// `PREVIEW nstring` (RFC 8970).
    Preview(NString<'a>),
    /// An item this crate does not know, its value as sent.
    Other {
        /// The item's name.
        name: Atom<'a>,
        /// Its value.
        value: RawValue<'a>,
    },
}

/// The octets of an item name: letters, digits, `.`, `-`, `_`, `$`.
static ITEM_CHAR: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[b] = c.is_ascii_alphanumeric() || matches!(c, b'.' | b'-' | b'_' | b'$');
        b += 1;
    }
    t
};

/// The name of an item (stops before `[`).
fn item_name<'a>(c: &mut Cursor<'a>) -> ParseResult<&'a [u8]> {
    let n = c.take_while(|b| ITEM_CHAR[usize::from(b)])?;
    if n.is_empty() {
        return Err(c.invalid("a FETCH data item"));
    }
    Ok(n)
}

impl<'a> MsgAtt<'a> {
    /// Parse one item.
    pub fn parse(c: &mut Cursor<'a>) -> ParseResult<Self> {
        let at = c.pos();
        let name = item_name(c)?;
        let mut up = [0u8; 16];
        let key: &[u8] = if name.len() <= up.len() {
            up[..name.len()].copy_from_slice(name);
            up[..name.len()].make_ascii_uppercase();
            &up[..name.len()]
        } else {
            b""
        };
        let item = match key {
            b"BODY" if c.peek()? == b'[' => {
                let section = Section::parse(c)?;
                let origin = if c.eat(b'<')? {
                    let n = c.number64()?;
                    c.expect(b'>', "> closing an origin")?;
                    Some(n)
                } else {
                    None
                };
                c.sp()?;
                MsgAtt::BodySection {
                    section,
                    origin,
                    data: NString::parse(c)?,
                }
            }
            b"BINARY" => {
                let section = BinarySection::parse(c)?;
                c.sp()?;
                MsgAtt::Binary {
                    section,
                    data: NString::parse(c)?,
                }
            }
            b"BINARY.SIZE" => {
                let section = BinarySection::parse(c)?;
                c.sp()?;
                MsgAtt::BinarySize {
                    section,
                    size: c.number64()?,
                }
            }
            _ => {
                c.sp()?;
                match key {
                    b"FLAGS" => MsgAtt::Flags(Flag::parse_list(c)?),
                    b"UID" => MsgAtt::Uid(c.nz_number()?),
                    b"INTERNALDATE" => MsgAtt::InternalDate(DateTime::parse(c)?),
                    b"RFC822.SIZE" => MsgAtt::Rfc822Size(c.number64()?),
                    b"ENVELOPE" => MsgAtt::Envelope(Box::new(Envelope::parse(c)?)),
                    b"BODYSTRUCTURE" => MsgAtt::BodyStructure(Box::new(BodyStructure::parse(c)?)),
                    b"BODY" => MsgAtt::Body(Box::new(BodyStructure::parse(c)?)),
                    b"MODSEQ" => {
                        c.expect(b'(', "( before a mod-sequence")?;
                        let n = c.number64()?;
                        c.expect(b')', ") after a mod-sequence")?;
                        MsgAtt::ModSeq(n)
                    }
                    b"RFC822" => MsgAtt::Rfc822(NString::parse(c)?),
                    b"RFC822.HEADER" => MsgAtt::Rfc822Header(NString::parse(c)?),
                    b"RFC822.TEXT" => MsgAtt::Rfc822Text(NString::parse(c)?),
                    b"PREVIEW" => MsgAtt::Preview(NString::parse(c)?),
                    _ => {
                        // Item names are ASCII by construction.
                        let name = std::str::from_utf8(name).map_err(|_| c.invalid("item"))?;
                        let name = Atom::new(name).map_err(|_| crate::ParseError::Invalid {
                            at,
                            expected: "a FETCH data item",
                        })?;
                        MsgAtt::Other {
                            name,
                            value: RawValue::parse(c)?,
                        }
                    }
                }
            }
        };
        Ok(item)
    }

    /// Parse `"(" msg-att *(SP msg-att) ")"`; `()` and a trailing space are accepted.
    pub fn parse_list(c: &mut Cursor<'a>) -> ParseResult<Vec<Self>> {
        c.expect(b'(', "( before FETCH data")?;
        c.items_to_close(8, MsgAtt::parse)
    }

    /// Write the item.
    pub fn encode(&self, e: &mut Encoder) {
        match self {
            MsgAtt::Flags(f) => {
                e.raw(b"FLAGS ");
                Flag::encode_list(f, e);
            }
            MsgAtt::Uid(n) => {
                e.raw(b"UID ").number(u64::from(n.get()));
            }
            MsgAtt::InternalDate(d) => {
                e.raw(b"INTERNALDATE ");
                d.encode(e);
            }
            MsgAtt::Rfc822Size(n) => {
                e.raw(b"RFC822.SIZE ").number(*n);
            }
            MsgAtt::Envelope(env) => {
                e.raw(b"ENVELOPE ");
                env.encode(e);
            }
            MsgAtt::BodyStructure(b) => {
                e.raw(b"BODYSTRUCTURE ");
                b.encode(true, e);
            }
            MsgAtt::Body(b) => {
                e.raw(b"BODY ");
                b.encode(false, e);
            }
            MsgAtt::BodySection {
                section,
                origin,
                data,
            } => {
                e.raw(b"BODY");
                section.encode(e);
                if let Some(o) = origin {
                    e.byte(b'<').number(*o).byte(b'>');
                }
                e.sp();
                data.encode(e);
            }
            MsgAtt::Binary { section, data } => {
                e.raw(b"BINARY");
                section.encode(e);
                e.sp();
                match data.as_bytes() {
                    // NUL needs a literal8 (RFC 3516 §4.2).
                    Some(b) if memchr::memchr(0, b).is_some() => {
                        e.literal(b, true);
                    }
                    _ => data.encode(e),
                }
            }
            MsgAtt::BinarySize { section, size } => {
                e.raw(b"BINARY.SIZE");
                section.encode(e);
                e.sp().number(*size);
            }
            MsgAtt::ModSeq(n) => {
                e.raw(b"MODSEQ (").number(*n).byte(b')');
            }
            MsgAtt::Rfc822(s) => {
                e.raw(b"RFC822 ");
                s.encode(e);
            }
            MsgAtt::Rfc822Header(s) => {
                e.raw(b"RFC822.HEADER ");
                s.encode(e);
            }
            MsgAtt::Rfc822Text(s) => {
                e.raw(b"RFC822.TEXT ");
                s.encode(e);
            }
            MsgAtt::Preview(s) => {
                e.raw(b"PREVIEW ");
                s.encode(e);
            }
            MsgAtt::Other { name, value } => {
                name.encode(e);
                e.sp();
                value.encode(e);
            }
        }
    }
}
