//! ENVELOPE and BODYSTRUCTURE (RFC 9051 §7.5.2, §9; RFC 3501 §7.4.2): the values an IMAP server
//! builds from a parsed message and a client reads back.
//!
//! ```text
//! envelope        = "(" env-date SP env-subject SP env-from SP env-sender SP env-reply-to SP
//!                   env-to SP env-cc SP env-bcc SP env-in-reply-to SP env-message-id ")"
//! env-from        = "(" 1*address ")" / nil          ; likewise sender, reply-to, to, cc, bcc
//! address         = "(" addr-name SP addr-adl SP addr-mailbox SP addr-host ")"
//! body            = "(" (body-type-1part / body-type-mpart) ")"
//! body-type-1part = (body-type-basic / body-type-msg / body-type-text) [SP body-ext-1part]
//! body-type-basic = media-basic SP body-fields
//! body-type-msg   = media-message SP body-fields SP envelope SP body SP body-fld-lines
//! body-type-text  = media-text SP body-fields SP body-fld-lines
//! body-fields     = body-fld-param SP body-fld-id SP body-fld-desc SP body-fld-enc SP body-fld-octets
//! body-type-mpart = 1*body SP media-subtype [SP body-ext-mpart]
//! body-ext-1part  = body-fld-md5 [SP body-fld-dsp [SP body-fld-lang [SP body-fld-loc *(SP body-extension)]]]
//! body-ext-mpart  = body-fld-param [SP body-fld-dsp [SP body-fld-lang [SP body-fld-loc *(SP body-extension)]]]
//! body-fld-dsp    = "(" string SP body-fld-param ")" / nil
//! body-fld-lang   = nstring / "(" string *(SP string) ")"
//! body-extension  = nstring / number / number64 / "(" body-extension *(SP body-extension) ")"
//! ```
//!
//! Extension data that is absent and extension data that is `NIL` are the same value here; the
//! encoder writes the fields up to the last one that is not `NIL`.
//!
//! Nesting (multiparts, message/rfc822 parts, body-extension lists) counts against the cursor's
//! depth limit: a structure nested deeper gives [`crate::ParseError::TooDeep`], never a stack
//! overflow.

use std::borrow::Cow;

use crate::cursor::{Cursor, ParseResult};
use crate::encode::Encoder;
use crate::token::{IString, NString};

/// An address of an envelope (RFC 9051 §7.5.2): `(name adl mailbox host)`. A group starts with
/// an address whose host is `NIL` and whose mailbox is the group's name, and ends with one
/// whose mailbox and host are both `NIL` (RFC 9051 §7.5.2, RFC 5322 group syntax).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Address<'a> {
    /// The display name (`addr-name`).
    pub name: NString<'a>,
    /// The source route (`addr-adl`), obsolete, normally `NIL`.
    pub adl: NString<'a>,
    /// The local part (`addr-mailbox`), or a group's name.
    pub mailbox: NString<'a>,
    /// The domain (`addr-host`).
    pub host: NString<'a>,
}

/// A message's envelope (RFC 9051 §7.5.2): header fields as the server parsed them. An address
/// list written `NIL` is empty here.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Envelope<'a> {
    /// `Date:`.
    pub date: NString<'a>,
    /// `Subject:`.
    pub subject: NString<'a>,
    /// `From:`.
    pub from: Vec<Address<'a>>,
    /// `Sender:` (the server fills in From when absent).
    pub sender: Vec<Address<'a>>,
    /// `Reply-To:` (the server fills in From when absent).
    pub reply_to: Vec<Address<'a>>,
    /// `To:`.
    pub to: Vec<Address<'a>>,
    /// `Cc:`.
    pub cc: Vec<Address<'a>>,
    /// `Bcc:`.
    pub bcc: Vec<Address<'a>>,
    /// `In-Reply-To:`.
    pub in_reply_to: NString<'a>,
    /// `Message-ID:`.
    pub message_id: NString<'a>,
}

/// `body-fld-param`: attribute/value pairs such as `("CHARSET" "utf-8")`; `NIL` is empty.
pub type Params<'a> = Vec<(IString<'a>, IString<'a>)>;

/// `body-fld-dsp`: a Content-Disposition (RFC 2183) with its parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Disposition<'a> {
    /// `inline`, `attachment`, ...
    pub kind: IString<'a>,
    /// Its parameters (`filename`, ...).
    pub params: Params<'a>,
}

/// A `body-extension` value beyond the location (RFC 9051 §7.5.2): kept as sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BodyExtension<'a> {
    /// A string or `NIL`.
    NString(NString<'a>),
    /// A number.
    Number(u64),
    /// A parenthesised list.
    List(Vec<BodyExtension<'a>>),
}

/// The extension data after the MD5 (single part) or the parameters (multipart): disposition,
/// language, location and any further extensions (RFC 9051 §7.5.2).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BodyExtensions<'a> {
    /// `body-fld-dsp`; `None` for `NIL`.
    pub disposition: Option<Disposition<'a>>,
    /// `body-fld-lang`: Content-Language tags; empty for `NIL`.
    pub language: Vec<IString<'a>>,
    /// `body-fld-loc`: Content-Location.
    pub location: NString<'a>,
    /// Further `body-extension`s.
    pub extensions: Vec<BodyExtension<'a>>,
}

impl BodyExtensions<'_> {
    /// How many of the four fields must be written so that none that is not `NIL` is lost.
    fn fields(&self) -> usize {
        if !self.extensions.is_empty() {
            4
        } else if self.location.0.is_some() {
            3
        } else if !self.language.is_empty() {
            2
        } else if self.disposition.is_some() {
            1
        } else {
            0
        }
    }
}

/// The fields every non-multipart body has (`body-fields`, RFC 9051 §7.5.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BodyFields<'a> {
    /// `body-fld-param`: Content-Type parameters.
    pub params: Params<'a>,
    /// `body-fld-id`: Content-ID.
    pub id: NString<'a>,
    /// `body-fld-desc`: Content-Description.
    pub description: NString<'a>,
    /// `body-fld-enc`: Content-Transfer-Encoding (`7BIT`, `BASE64`, ...).
    pub encoding: IString<'a>,
    /// `body-fld-octets`: the size in its transfer encoding.
    pub octets: u32,
}

/// What a non-multipart body is beyond its fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SinglePartKind<'a> {
    /// Any other type (`body-type-basic`).
    Basic,
    /// `TEXT/*`, with its size in lines (`body-type-text`).
    Text {
        /// `body-fld-lines`.
        lines: u32,
    },
    /// `MESSAGE/RFC822` or `MESSAGE/GLOBAL` with the enclosed message (`body-type-msg`).
    Message {
        /// The enclosed message's envelope.
        envelope: Box<Envelope<'a>>,
        /// The enclosed message's structure.
        body: Box<BodyStructure<'a>>,
        /// `body-fld-lines`.
        lines: u32,
    },
}

/// A non-multipart body part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SinglePart<'a> {
    /// The media type (`TEXT`, `IMAGE`, ...).
    pub media_type: IString<'a>,
    /// The media subtype (`PLAIN`, `JPEG`, ...).
    pub subtype: IString<'a>,
    /// The fields.
    pub fields: BodyFields<'a>,
    /// Text lines or the enclosed message.
    pub kind: SinglePartKind<'a>,
    /// `body-fld-md5`; `NIL` for most parts (only in BODYSTRUCTURE).
    pub md5: NString<'a>,
    /// Disposition, language, location (only in BODYSTRUCTURE).
    pub ext: BodyExtensions<'a>,
}

/// A multipart body (`body-type-mpart`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Multipart<'a> {
    /// The parts, one or more.
    pub parts: Vec<BodyStructure<'a>>,
    /// The subtype (`MIXED`, `ALTERNATIVE`, ...).
    pub subtype: IString<'a>,
    /// `body-fld-param` of the multipart (boundary, ...) (only in BODYSTRUCTURE).
    pub params: Params<'a>,
    /// Disposition, language, location (only in BODYSTRUCTURE).
    pub ext: BodyExtensions<'a>,
}

/// A message's MIME structure (`body`, RFC 9051 §7.5.2): the value of the BODYSTRUCTURE and
/// BODY fetch items. In BODY (non-extensible) the extension fields are empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BodyStructure<'a> {
    /// A non-multipart part.
    Single(SinglePart<'a>),
    /// A multipart.
    Multi(Multipart<'a>),
}

// ---------------------------------------------------------------------------------------------
// Parsing

/// A string where the grammar wants one; `NIL` is accepted as the empty string (servers send it
/// for unknown subtypes and encodings, see the quirks table).
fn string_or_nil<'a>(c: &mut Cursor<'a>) -> ParseResult<IString<'a>> {
    match c.peek()? {
        b'"' | b'{' | b'~' => IString::parse(c),
        _ if c.keyword(b"NIL")? => Ok(IString::Quoted(Cow::Borrowed(b""))),
        _ => Err(c.invalid("string")),
    }
}

/// `body-fld-param`: `"(" string SP string *(SP string SP string) ")" / nil`; `()` accepted.
fn params<'a>(c: &mut Cursor<'a>) -> ParseResult<Params<'a>> {
    if c.keyword(b"NIL")? {
        return Ok(Vec::new());
    }
    c.expect(b'(', "( or NIL")?;
    let mut out = Vec::with_capacity(2);
    loop {
        if c.eat(b')')? {
            break;
        }
        if !out.is_empty() {
            c.sp()?;
            if c.eat(b')')? {
                break;
            }
        }
        let k = string_or_nil(c)?;
        c.sp()?;
        let v = string_or_nil(c)?;
        out.push((k, v));
    }
    Ok(out)
}

impl<'a> Address<'a> {
    /// Parse an `address`.
    pub fn parse(c: &mut Cursor<'a>) -> ParseResult<Self> {
        c.expect(b'(', "address")?;
        let name = NString::parse(c)?;
        c.sp()?;
        let adl = NString::parse(c)?;
        c.sp()?;
        let mailbox = NString::parse(c)?;
        c.sp()?;
        let host = NString::parse(c)?;
        c.expect(b')', ") closing an address")?;
        Ok(Address {
            name,
            adl,
            mailbox,
            host,
        })
    }

    fn encode(&self, e: &mut Encoder) {
        e.byte(b'(');
        self.name.encode(e);
        e.sp();
        self.adl.encode(e);
        e.sp();
        self.mailbox.encode(e);
        e.sp();
        self.host.encode(e);
        e.byte(b')');
    }
}

/// `"(" 1*address ")" / nil`; `()` and spaces between addresses are accepted.
fn address_list<'a>(c: &mut Cursor<'a>) -> ParseResult<Vec<Address<'a>>> {
    if c.keyword(b"NIL")? {
        return Ok(Vec::new());
    }
    c.expect(b'(', "address list or NIL")?;
    c.items_to_close(1, Address::parse)
}

fn encode_address_list(list: &[Address<'_>], e: &mut Encoder) {
    if list.is_empty() {
        e.raw(b"NIL");
        return;
    }
    e.byte(b'(');
    for a in list {
        a.encode(e);
    }
    e.byte(b')');
}

impl<'a> Envelope<'a> {
    /// Parse an `envelope`.
    pub fn parse(c: &mut Cursor<'a>) -> ParseResult<Self> {
        c.expect(b'(', "envelope")?;
        c.enter()?;
        let date = NString::parse(c)?;
        c.sp()?;
        let subject = NString::parse(c)?;
        c.sp()?;
        let from = address_list(c)?;
        c.sp()?;
        let sender = address_list(c)?;
        c.sp()?;
        let reply_to = address_list(c)?;
        c.sp()?;
        let to = address_list(c)?;
        c.sp()?;
        let cc = address_list(c)?;
        c.sp()?;
        let bcc = address_list(c)?;
        c.sp()?;
        let in_reply_to = NString::parse(c)?;
        c.sp()?;
        let message_id = NString::parse(c)?;
        c.expect(b')', ") closing an envelope")?;
        c.leave();
        Ok(Envelope {
            date,
            subject,
            from,
            sender,
            reply_to,
            to,
            cc,
            bcc,
            in_reply_to,
            message_id,
        })
    }

    /// Write the envelope.
    pub fn encode(&self, e: &mut Encoder) {
        e.byte(b'(');
        self.date.encode(e);
        e.sp();
        self.subject.encode(e);
        for list in [
            &self.from,
            &self.sender,
            &self.reply_to,
            &self.to,
            &self.cc,
            &self.bcc,
        ] {
            e.sp();
            encode_address_list(list, e);
        }
        e.sp();
        self.in_reply_to.encode(e);
        e.sp();
        self.message_id.encode(e);
        e.byte(b')');
    }
}

impl<'a> BodyExtension<'a> {
    fn parse(c: &mut Cursor<'a>) -> ParseResult<Self> {
        match c.peek()? {
            b'(' => {
                c.advance(1);
                c.enter()?;
                let mut v = Vec::new();
                loop {
                    match c.peek()? {
                        b')' => {
                            c.advance(1);
                            break;
                        }
                        b' ' if !v.is_empty() => c.advance(1),
                        _ => v.push(BodyExtension::parse(c)?),
                    }
                }
                c.leave();
                Ok(BodyExtension::List(v))
            }
            b'0'..=b'9' => c.number64().map(BodyExtension::Number),
            _ => NString::parse(c).map(BodyExtension::NString),
        }
    }

    fn encode(&self, e: &mut Encoder) {
        match self {
            BodyExtension::NString(s) => s.encode(e),
            BodyExtension::Number(n) => {
                e.number(*n);
            }
            BodyExtension::List(v) => {
                e.byte(b'(');
                for (i, x) in v.iter().enumerate() {
                    if i > 0 {
                        e.sp();
                    }
                    x.encode(e);
                }
                e.byte(b')');
            }
        }
    }
}

/// Whether another extension field follows: `SP` then not `)`.
fn more(c: &mut Cursor<'_>) -> ParseResult<bool> {
    if c.peek()? != b' ' {
        return Ok(false);
    }
    c.advance(1);
    // "( ... NIL )": a trailing space before the closing parenthesis.
    Ok(c.peek()? != b')')
}

impl<'a> BodyExtensions<'a> {
    /// Parse `[SP body-fld-dsp [SP body-fld-lang [SP body-fld-loc *(SP body-extension)]]]`.
    fn parse(c: &mut Cursor<'a>) -> ParseResult<Self> {
        let mut ext = BodyExtensions::default();
        if !more(c)? {
            return Ok(ext);
        }
        ext.disposition = if c.keyword(b"NIL")? {
            None
        } else if c.peek()? == b'(' {
            c.advance(1);
            let kind = string_or_nil(c)?;
            c.sp()?;
            let params = params(c)?;
            c.expect(b')', ") closing a disposition")?;
            Some(Disposition { kind, params })
        } else {
            // A bare string: seen from servers that write the disposition type alone.
            Some(Disposition {
                kind: IString::parse(c)?,
                params: Vec::new(),
            })
        };
        if !more(c)? {
            return Ok(ext);
        }
        ext.language = match c.peek()? {
            b'(' => c.paren_list(true, IString::parse)?,
            _ => NString::parse(c)?.0.into_iter().collect(),
        };
        if !more(c)? {
            return Ok(ext);
        }
        ext.location = NString::parse(c)?;
        while more(c)? {
            ext.extensions.push(BodyExtension::parse(c)?);
        }
        Ok(ext)
    }

    /// Write the first `fields` fields, each after a space.
    fn encode(&self, fields: usize, e: &mut Encoder) {
        if fields >= 1 {
            e.sp();
            match &self.disposition {
                None => {
                    e.raw(b"NIL");
                }
                Some(d) => {
                    e.byte(b'(');
                    d.kind.encode(e);
                    e.sp();
                    encode_params(&d.params, e);
                    e.byte(b')');
                }
            }
        }
        if fields >= 2 {
            e.sp();
            match self.language.as_slice() {
                [] => {
                    e.raw(b"NIL");
                }
                [one] => one.encode(e),
                many => {
                    e.byte(b'(');
                    for (i, l) in many.iter().enumerate() {
                        if i > 0 {
                            e.sp();
                        }
                        l.encode(e);
                    }
                    e.byte(b')');
                }
            }
        }
        if fields >= 3 {
            e.sp();
            self.location.encode(e);
        }
        for x in &self.extensions {
            e.sp();
            x.encode(e);
        }
    }
}

fn encode_params(p: &Params<'_>, e: &mut Encoder) {
    if p.is_empty() {
        e.raw(b"NIL");
        return;
    }
    e.byte(b'(');
    for (i, (k, v)) in p.iter().enumerate() {
        if i > 0 {
            e.sp();
        }
        k.encode(e);
        e.sp();
        v.encode(e);
    }
    e.byte(b')');
}

impl<'a> BodyStructure<'a> {
    /// Parse a `body`. Extension data is read when present (BODYSTRUCTURE) and left empty when
    /// not (BODY).
    pub fn parse(c: &mut Cursor<'a>) -> ParseResult<Self> {
        c.expect(b'(', "body")?;
        c.enter()?;
        let body = if c.peek()? == b'(' {
            Self::parse_multipart(c)?
        } else {
            Self::parse_single(c)?
        };
        // Extension fields beyond what we know, or a trailing space: skip to ")".
        c.expect(b')', ") closing a body")?;
        c.leave();
        Ok(body)
    }

    fn parse_multipart(c: &mut Cursor<'a>) -> ParseResult<Self> {
        let mut parts = Vec::with_capacity(2);
        loop {
            match c.peek()? {
                b'(' => parts.push(Self::parse(c)?),
                // Spaces between the parts: accepted (quirk).
                b' ' if c.peek2()? == b'(' => c.advance(1),
                _ => break,
            }
        }
        c.sp()?;
        let subtype = string_or_nil(c)?;
        let mut params_ = Vec::new();
        let mut ext = BodyExtensions::default();
        if more(c)? {
            params_ = params(c)?;
            ext = BodyExtensions::parse(c)?;
        }
        Ok(BodyStructure::Multi(Multipart {
            parts,
            subtype,
            params: params_,
            ext,
        }))
    }

    fn parse_single(c: &mut Cursor<'a>) -> ParseResult<Self> {
        let media_type = string_or_nil(c)?;
        c.sp()?;
        let subtype = string_or_nil(c)?;
        c.sp()?;
        let params_ = params(c)?;
        c.sp()?;
        let id = NString::parse(c)?;
        c.sp()?;
        let description = NString::parse(c)?;
        c.sp()?;
        let encoding = string_or_nil(c)?;
        c.sp()?;
        let octets = c.number()?;
        let fields = BodyFields {
            params: params_,
            id,
            description,
            encoding,
            octets,
        };
        let ty = media_type.as_bytes();
        let st = subtype.as_bytes();
        // What follows decides, so that a server that leaves out the lines or the enclosed
        // message (seen in the wild) still parses: lines are a number, an envelope a list.
        let kind = if ty.eq_ignore_ascii_case(b"MESSAGE")
            && (st.eq_ignore_ascii_case(b"RFC822") || st.eq_ignore_ascii_case(b"GLOBAL"))
            && c.peek()? == b' '
            && c.peek2()? == b'('
        {
            c.advance(1);
            let envelope = Box::new(Envelope::parse(c)?);
            c.sp()?;
            let body = Box::new(BodyStructure::parse(c)?);
            c.sp()?;
            let lines = c.number()?;
            SinglePartKind::Message {
                envelope,
                body,
                lines,
            }
        } else if ty.eq_ignore_ascii_case(b"TEXT")
            && c.peek()? == b' '
            && c.peek2()?.is_ascii_digit()
        {
            c.advance(1);
            SinglePartKind::Text { lines: c.number()? }
        } else {
            SinglePartKind::Basic
        };
        let mut md5 = NString(None);
        let mut ext = BodyExtensions::default();
        if more(c)? {
            md5 = NString::parse(c)?;
            ext = BodyExtensions::parse(c)?;
        }
        Ok(BodyStructure::Single(SinglePart {
            media_type,
            subtype,
            fields,
            kind,
            md5,
            ext,
        }))
    }

    /// Write the structure; `extensible` (BODYSTRUCTURE) writes the extension data, else (BODY)
    /// it is left out.
    pub fn encode(&self, extensible: bool, e: &mut Encoder) {
        e.byte(b'(');
        match self {
            BodyStructure::Multi(m) => {
                for p in &m.parts {
                    p.encode(extensible, e);
                }
                e.sp();
                m.subtype.encode(e);
                if extensible {
                    let n = m.ext.fields();
                    if n > 0 || !m.params.is_empty() {
                        e.sp();
                        encode_params(&m.params, e);
                        m.ext.encode(n, e);
                    }
                }
            }
            BodyStructure::Single(s) => {
                s.media_type.encode(e);
                e.sp();
                s.subtype.encode(e);
                e.sp();
                encode_params(&s.fields.params, e);
                e.sp();
                s.fields.id.encode(e);
                e.sp();
                s.fields.description.encode(e);
                e.sp();
                s.fields.encoding.encode(e);
                e.sp().number(u64::from(s.fields.octets));
                match &s.kind {
                    SinglePartKind::Basic => {}
                    SinglePartKind::Text { lines } => {
                        e.sp().number(u64::from(*lines));
                    }
                    SinglePartKind::Message {
                        envelope,
                        body,
                        lines,
                    } => {
                        e.sp();
                        envelope.encode(e);
                        e.sp();
                        body.encode(extensible, e);
                        e.sp().number(u64::from(*lines));
                    }
                }
                if extensible {
                    let n = s.ext.fields();
                    if n > 0 || s.md5.0.is_some() {
                        e.sp();
                        s.md5.encode(e);
                        s.ext.encode(n, e);
                    }
                }
            }
        }
        e.byte(b')');
    }
}
