//! From a [`MessageStructure`] to what FETCH sends: ENVELOPE, BODYSTRUCTURE / BODY
//! (RFC 9051 §7.5.2) and the octets a `BODY[section]` covers (RFC 9051 §6.4.5).

use std::borrow::Cow;

use super::{AddressFields, Bytes, EnvelopeFields, MessageStructure, MimeFields, Part, PartKind};
use crate::response::{
    Address, BodyExtensions, BodyFields, BodyStructure, Disposition, Envelope, Multipart, Params,
    SinglePart, SinglePartKind,
};
use crate::section::{Section, SectionText};
use crate::token::{IString, NString};

fn istr(b: &[u8]) -> IString<'_> {
    IString::Quoted(Cow::Borrowed(b))
}

fn nstr(b: &Option<Bytes>) -> NString<'_> {
    NString(b.as_deref().map(istr))
}

fn addresses(list: &[AddressFields]) -> Vec<Address<'_>> {
    list.iter()
        .map(|a| Address {
            name: nstr(&a.name),
            adl: nstr(&a.adl),
            mailbox: nstr(&a.mailbox),
            host: nstr(&a.host),
        })
        .collect()
}

fn params(p: &[(Bytes, Bytes)]) -> Params<'_> {
    p.iter().map(|(k, v)| (istr(k), istr(v))).collect()
}

impl EnvelopeFields {
    /// The `envelope` (RFC 9051 §7.5.2), borrowing from `self`.
    pub fn to_envelope(&self) -> Envelope<'_> {
        Envelope {
            date: nstr(&self.date),
            subject: nstr(&self.subject),
            from: addresses(&self.from),
            sender: addresses(&self.sender),
            reply_to: addresses(&self.reply_to),
            to: addresses(&self.to),
            cc: addresses(&self.cc),
            bcc: addresses(&self.bcc),
            in_reply_to: nstr(&self.in_reply_to),
            message_id: nstr(&self.message_id),
        }
    }
}

fn extensions(f: &MimeFields, extensible: bool) -> BodyExtensions<'_> {
    if !extensible {
        return BodyExtensions::default();
    }
    BodyExtensions {
        disposition: f.disposition.as_ref().map(|(k, p)| Disposition {
            kind: istr(k),
            params: params(p),
        }),
        language: f.language.iter().map(|l| istr(l)).collect(),
        location: nstr(&f.location),
        extensions: Vec::new(),
    }
}

impl Part {
    /// The `body` (RFC 9051 §7.5.2) of this part: with `extensible` the BODYSTRUCTURE form
    /// (extension data), else the BODY form.
    pub fn to_body_structure(&self, extensible: bool) -> BodyStructure<'_> {
        let f = &self.fields;
        if let PartKind::Multipart(parts) = &self.kind {
            return BodyStructure::Multi(Multipart {
                parts: parts
                    .iter()
                    .map(|p| p.to_body_structure(extensible))
                    .collect(),
                subtype: istr(&f.subtype),
                params: if extensible {
                    params(&f.params)
                } else {
                    Vec::new()
                },
                ext: extensions(f, extensible),
            });
        }
        let kind = match &self.kind {
            PartKind::Text => SinglePartKind::Text { lines: self.lines },
            PartKind::Message(env, body) => SinglePartKind::Message {
                envelope: Box::new(env.to_envelope()),
                body: Box::new(body.to_body_structure(extensible)),
                lines: self.lines,
            },
            _ => SinglePartKind::Basic,
        };
        BodyStructure::Single(SinglePart {
            media_type: istr(&f.media_type),
            subtype: istr(&f.subtype),
            fields: BodyFields {
                params: params(&f.params),
                id: nstr(&f.id),
                description: nstr(&f.description),
                encoding: istr(&f.encoding),
                octets: self.octets(),
            },
            kind,
            md5: if extensible {
                nstr(&f.md5)
            } else {
                NString(None)
            },
            ext: extensions(f, extensible),
        })
    }
}

/// Which header fields of a [`SectionRange`] to keep.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldFilter {
    /// All of the range.
    All,
    /// Only the fields named by the section's `HEADER.FIELDS` list.
    Only,
    /// All fields but those named by the section's `HEADER.FIELDS.NOT` list.
    Not,
}

/// What a `BODY[section]` covers (RFC 9051 §6.4.5): octets `start..end` of the message's CRLF
/// form ([`super::crlf_view`]), of which a `HEADER.FIELDS` section keeps some fields
/// ([`SectionRange::extract`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SectionRange {
    /// The first octet.
    pub start: u32,
    /// Just past the last octet.
    pub end: u32,
    /// Header filtering to apply to the range.
    pub filter: FieldFilter,
}

impl SectionRange {
    /// The section's octets from `message` (the CRLF form): the range itself, or for
    /// `HEADER.FIELDS (.NOT)` the fields of `section`'s list (super::header::filter_fields).
    /// Empty when `message` is shorter than the structure says.
    pub fn extract<'m>(&self, message: &'m [u8], section: &Section<'_>) -> Cow<'m, [u8]> {
        let bytes = message
            .get(self.start as usize..self.end as usize)
            .unwrap_or_default();
        let names = match &section.text {
            Some(SectionText::HeaderFields(n) | SectionText::HeaderFieldsNot(n)) => n,
            _ => return Cow::Borrowed(bytes),
        };
        let names: Vec<&[u8]> = names.iter().map(|n| n.as_bytes()).collect();
        match self.filter {
            FieldFilter::All => Cow::Borrowed(bytes),
            FieldFilter::Only => Cow::Owned(super::header::filter_fields(bytes, &names, false)),
            FieldFilter::Not => Cow::Owned(super::header::filter_fields(bytes, &names, true)),
        }
    }
}

impl MessageStructure {
    /// The message's `ENVELOPE` (RFC 9051 §7.5.2).
    pub fn envelope(&self) -> Envelope<'_> {
        self.envelope.to_envelope()
    }

    /// `BODYSTRUCTURE` (`extensible`) or `BODY` (RFC 9051 §7.5.2).
    pub fn body_structure(&self, extensible: bool) -> BodyStructure<'_> {
        self.root.to_body_structure(extensible)
    }

    /// The part a section's part number names (RFC 9051 §6.4.5): `[]` is the message, `1` of
    /// a non-multipart message is its body, `n.m` inside a message/rfc822 part `n` names the
    /// parts of the enclosed message likewise. `None` when there is no such part.
    pub fn part(&self, numbers: &[std::num::NonZeroU32]) -> Option<&Part> {
        let mut cur: Option<&Part> = None;
        for n in numbers {
            let i = n.get() as usize - 1;
            // Where the number is counted: a message (the top level, or the message enclosed
            // by a message/rfc822 part) or a multipart part.
            let (node, in_message) = match cur {
                None => (&self.root, true),
                Some(p) => match &p.kind {
                    PartKind::Message(_, inner) => (&**inner, true),
                    _ => (p, false),
                },
            };
            cur = Some(match &node.kind {
                PartKind::Multipart(parts) => parts.get(i)?,
                _ if in_message && i == 0 => node,
                _ => return None,
            });
        }
        cur
    }

    /// The octets `BODY[section]` covers (RFC 9051 §6.4.5), in the message's CRLF form; `None`
    /// for a part that does not exist, or `HEADER`/`TEXT` of a part that is not a
    /// message/rfc822 (the caller answers with an empty string, as Dovecot does).
    pub fn section_range(&self, section: &Section<'_>) -> Option<SectionRange> {
        let range = |start: u32, end: u32, filter| Some(SectionRange { start, end, filter });
        let filter = match &section.text {
            Some(SectionText::HeaderFields(_)) => FieldFilter::Only,
            Some(SectionText::HeaderFieldsNot(_)) => FieldFilter::Not,
            _ => FieldFilter::All,
        };
        if section.part.is_empty() {
            let root = &self.root;
            return match &section.text {
                None => range(0, self.size, filter),
                Some(SectionText::Text) => range(root.body_start, self.size, filter),
                Some(SectionText::Mime) => None,
                Some(_) => range(root.header_start, root.body_start, filter),
            };
        }
        let p = self.part(&section.part)?;
        match &section.text {
            None => range(p.body_start, p.end, filter),
            Some(SectionText::Mime) => range(p.header_start, p.body_start, filter),
            Some(text) => {
                let PartKind::Message(_, inner) = &p.kind else {
                    return None;
                };
                match text {
                    SectionText::Text => range(inner.body_start, p.end, filter),
                    _ => range(inner.header_start, inner.body_start, filter),
                }
            }
        }
    }
}

/// Why `BINARY[part]` has no content (RFC 3516 §4.2, §5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BinaryError {
    /// The part does not exist.
    #[error("no such part")]
    NoSuchPart,
    /// A Content-Transfer-Encoding the server cannot decode (answer `NO [UNKNOWN-CTE]`), or a
    /// body not valid in its encoding.
    #[error("unknown or broken content transfer encoding")]
    UnknownCte,
}

impl MessageStructure {
    /// `BINARY[part]` (RFC 3516 §4.2): the part's body with its Content-Transfer-Encoding
    /// removed (base64 and quoted-printable through mail-parser's decoders; 7bit, 8bit and
    /// binary as they are); `BINARY[]` is the whole message. `message` is the CRLF form.
    /// `BINARY.SIZE` is the length of the result.
    pub fn binary<'m>(
        &self,
        part: &[std::num::NonZeroU32],
        message: &'m [u8],
    ) -> Result<Cow<'m, [u8]>, BinaryError> {
        if part.is_empty() {
            return Ok(Cow::Borrowed(message));
        }
        let p = self.part(part).ok_or(BinaryError::NoSuchPart)?;
        let body = message
            .get(p.body_start as usize..p.end as usize)
            .ok_or(BinaryError::NoSuchPart)?;
        let enc = &p.fields.encoding;
        if enc.eq_ignore_ascii_case(b"base64") {
            mail_parser::decoders::base64::base64_decode(body)
                .map(Cow::Owned)
                .ok_or(BinaryError::UnknownCte)
        } else if enc.eq_ignore_ascii_case(b"quoted-printable") {
            mail_parser::decoders::quoted_printable::quoted_printable_decode(body)
                .map(Cow::Owned)
                .ok_or(BinaryError::UnknownCte)
        } else if [&b"7bit"[..], b"8bit", b"binary"]
            .iter()
            .any(|e| enc.eq_ignore_ascii_case(e))
        {
            Ok(Cow::Borrowed(body))
        } else {
            Err(BinaryError::UnknownCte)
        }
    }
}
