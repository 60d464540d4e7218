//! A message's MIME structure, parsed once and kept, from which the server answers FETCH
//! ENVELOPE, BODYSTRUCTURE, BODY, `BODY[section]` and BINARY without parsing the message again
//! (RFC 9051 §6.4.5, §7.5.2; RFC 3516).
//!
//! The MIME tree is walked here, by byte offsets, rather than taken from mail-parser's
//! `Message`: mail-parser 0.11 finds a boundary anywhere in a line (`--boundary` mid-line ends
//! the part, against RFC 2046 §5.1.1, so a body that mentions its own boundary is cut short,
//! see `tests/data/mime/14-broken-boundary.eml`), and the parts of an encoded message/rfc822
//! carry offsets into the decoded copy, not into the message. mail-parser's decoders give the
//! content of BINARY ([`MessageStructure::binary`]).
//!
//! [`MessageStructure::parse`] reads a raw message with any line endings. IMAP counts octets
//! and lines in the message's CRLF form (RFC 9051 §2.3.1.1, §7.5.2: a message with bare LFs is
//! served with CRLFs), so every offset and size here is in that form, [`crlf_view`]: for a
//! message stored with CRLFs it is the stored bytes themselves.
//!
//! The structure is stored next to the message ([`MessageStructure::to_bytes`],
//! [`MessageStructure::from_bytes`], see [`store`]) so a FETCH never parses the message. It
//! keeps the message's header block too (up to [`HEADER_KEPT`] octets), so a FETCH of header
//! sections never reads the message either.
//!
//! Values are kept as the header holds them: MIME encoded-words (RFC 2047) are not decoded,
//! parameters keep their case, as RFC 9051 §7.5.2 shows them.

pub mod header;
mod imap;
pub mod store;

pub use imap::{BinaryError, FieldFilter, SectionRange};
pub use store::StoreError;

use std::borrow::Cow;

/// An owned byte string of a structure.
pub type Bytes = Box<[u8]>;

/// Deepest nesting of multiparts and message/rfc822 parts kept; deeper parts are kept as
/// opaque single parts (so that neither parsing nor storing recurses without bound).
pub const MAX_DEPTH: usize = 32;

/// An address of an envelope (RFC 9051 §7.5.2), owned: see [`crate::response::Address`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AddressFields {
    /// `addr-name`: the display name, as written (encoded-words kept).
    pub name: Option<Bytes>,
    /// `addr-adl`: the source route.
    pub adl: Option<Bytes>,
    /// `addr-mailbox`: the local part, or a group's name.
    pub mailbox: Option<Bytes>,
    /// `addr-host`: the domain; `None` in a group's start and end markers.
    pub host: Option<Bytes>,
}

/// The ENVELOPE fields of a message (RFC 9051 §7.5.2), owned. Sender and Reply-To already hold
/// From when the message has none of its own.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EnvelopeFields {
    /// `Date:`, unfolded.
    pub date: Option<Bytes>,
    /// `Subject:`, unfolded, encoded-words kept.
    pub subject: Option<Bytes>,
    /// `From:`.
    pub from: Vec<AddressFields>,
    /// `Sender:`, or From.
    pub sender: Vec<AddressFields>,
    /// `Reply-To:`, or From.
    pub reply_to: Vec<AddressFields>,
    /// `To:`.
    pub to: Vec<AddressFields>,
    /// `Cc:`.
    pub cc: Vec<AddressFields>,
    /// `Bcc:`.
    pub bcc: Vec<AddressFields>,
    /// `In-Reply-To:`, unfolded.
    pub in_reply_to: Option<Bytes>,
    /// `Message-ID:`, unfolded.
    pub message_id: Option<Bytes>,
}

/// The MIME header fields of a part that BODYSTRUCTURE reports (RFC 9051 §7.5.2, RFC 2045).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MimeFields {
    /// Media type (`text`), defaulted per RFC 2045 §5.2.
    pub media_type: Bytes,
    /// Media subtype (`plain`).
    pub subtype: Bytes,
    /// Content-Type parameters; for `text/*` without a charset, `charset=us-ascii` is added
    /// (RFC 2045 §5.2).
    pub params: Vec<(Bytes, Bytes)>,
    /// `Content-ID`.
    pub id: Option<Bytes>,
    /// `Content-Description`.
    pub description: Option<Bytes>,
    /// `Content-Transfer-Encoding`, `7bit` when absent (RFC 2045 §6.1).
    pub encoding: Bytes,
    /// `Content-MD5` (RFC 1864), normally absent.
    pub md5: Option<Bytes>,
    /// `Content-Disposition` type and parameters (RFC 2183).
    pub disposition: Option<(Bytes, Vec<(Bytes, Bytes)>)>,
    /// `Content-Language` tags (RFC 3282).
    pub language: Vec<Bytes>,
    /// `Content-Location` (RFC 2557).
    pub location: Option<Bytes>,
}

/// What a part holds besides its fields.
///
/// A multipart always has one part at least (an empty text/plain part when no delimiter was
/// found), and a message/rfc822 or message/global part always has an enclosed message (empty
/// when it is encoded), so that BODYSTRUCTURE follows the grammar of RFC 9051 §9.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PartKind {
    /// A non-text, non-message single part.
    Basic,
    /// `text/*`.
    Text,
    /// `multipart/*`, with its parts (one or more).
    Multipart(Vec<Part>),
    /// `message/rfc822` or `message/global`, with the enclosed message's envelope and its
    /// top-level part.
    Message(Box<EnvelopeFields>, Box<Part>),
}

/// One MIME part (or a message's top level): where it lies in the message's CRLF form, its
/// sizes and its fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    /// Offset of the part's (MIME) header.
    pub header_start: u32,
    /// Offset of its body (after the empty line ending the header).
    pub body_start: u32,
    /// Offset just past its body (before the CRLF of the next boundary delimiter).
    pub end: u32,
    /// `body-fld-lines`: the body's size in lines.
    pub lines: u32,
    /// The MIME fields.
    pub fields: MimeFields,
    /// Single part, text, multipart or message.
    pub kind: PartKind,
}

impl Part {
    /// `body-fld-octets`: the body's size in octets (in its transfer encoding).
    pub fn octets(&self) -> u32 {
        self.end - self.body_start
    }
}

/// A message's MIME structure, owned and compact: parsed once from the raw message, then
/// stored ([`MessageStructure::to_bytes`]) and used to answer FETCH.
///
/// ```
/// use imap_proto::server::mime::{MessageStructure, crlf_view};
/// use imap_proto::section::Section;
///
/// // At delivery: parse once, store the structure next to the message.
/// let raw = b"Subject: hi\nContent-Type: multipart/mixed; boundary=b\n\n--b\n\nhello\n--b--\n";
/// let stored = MessageStructure::parse(raw).unwrap().to_bytes();
///
/// // At FETCH: read the structure back, never the message's MIME.
/// let m = MessageStructure::from_bytes(&stored).unwrap();
/// assert_eq!(m.size as usize, raw.len() + 7); // RFC822.SIZE counts CRLFs: 7 bare LFs
/// assert!(m.converted);
/// let mut e = imap_proto::Encoder::server();
/// m.body_structure(false).encode(false, &mut e);
/// assert_eq!(e.take(), br#"(("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 5 0) "mixed")"#);
///
/// // BODY[1]: a range of the message's CRLF form.
/// let section = Section { part: vec![1.try_into().unwrap()], text: None };
/// let range = m.section_range(&section).unwrap();
/// assert_eq!(&*range.extract(&crlf_view(raw), &section), b"hello");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageStructure {
    /// Whether the raw message had bare LFs, so that it must be served through [`crlf_view`]
    /// (offsets here are in that view).
    pub converted: bool,
    /// `RFC822.SIZE`: the size of the message's CRLF form.
    pub size: u32,
    /// The message's envelope.
    pub envelope: EnvelopeFields,
    /// The top-level part: header at 0, body after it.
    pub root: Part,
    /// The message's header block (octets `0..root.body_start` of the CRLF form, its empty
    /// line included) when it is at most [`HEADER_KEPT`] octets: `BODY[HEADER]`,
    /// `HEADER.FIELDS (.NOT)` and `RFC822.HEADER` (RFC 9051 §6.4.5) are answered from it
    /// without reading the message. `None` for a larger header (read from the message).
    pub header: Option<Bytes>,
}

/// The largest header block a [`MessageStructure`] keeps ([`MessageStructure::header`]).
pub const HEADER_KEPT: usize = 16 * 1024;

/// A message's CRLF form (RFC 9051 §2.3.1.1): each LF not preceded by CR gets one. Borrowed
/// when there is none to add.
pub fn crlf_view(raw: &[u8]) -> Cow<'_, [u8]> {
    let bare = memchr::memchr_iter(b'\n', raw).any(|i| i == 0 || raw[i - 1] != b'\r');
    if !bare {
        return Cow::Borrowed(raw);
    }
    let mut out = Vec::with_capacity(raw.len() + raw.len() / 32);
    let mut last = 0;
    for i in memchr::memchr_iter(b'\n', raw) {
        if i == 0 || raw[i - 1] != b'\r' {
            out.extend_from_slice(&raw[last..i]);
            out.extend_from_slice(b"\r\n");
            last = i + 1;
        }
    }
    out.extend_from_slice(&raw[last..]);
    Cow::Owned(out)
}

/// Why a message could not be described.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MimeError {
    /// The message is 4 GiB or larger: IMAP sizes here are 32-bit (`body-fld-octets`).
    #[error("message of {0} octets is too large (limit 4 GiB)")]
    TooLarge(usize),
}

impl MessageStructure {
    /// Parse `raw` (any line endings) once. Never fails on malformed MIME: like every IMAP
    /// server, it describes what it finds (a multipart without its close delimiter ends where
    /// the data ends).
    pub fn parse(raw: &[u8]) -> Result<MessageStructure, MimeError> {
        let view = crlf_view(raw);
        let converted = matches!(view, Cow::Owned(_));
        let data: &[u8] = &view;
        let size = u32::try_from(data.len()).map_err(|_| MimeError::TooLarge(data.len()))?;
        let w = Walker { data };
        let root = w.part(0, size, false, 0);
        let block = header_of(data, &root);
        let envelope = envelope_of(block);
        let header = (block.len() <= HEADER_KEPT).then(|| block.into());
        Ok(MessageStructure {
            converted,
            size,
            envelope,
            root,
            header,
        })
    }
}

fn header_of<'d>(data: &'d [u8], p: &Part) -> &'d [u8] {
    &data[p.header_start as usize..p.body_start as usize]
}

/// Walks the MIME tree of a message in its CRLF form (RFC 2045, RFC 2046 §5.1).
struct Walker<'d> {
    data: &'d [u8],
}

impl Walker<'_> {
    /// The part at `start..end`: its header up to the empty line, its body after it, and for a
    /// multipart or an enclosed message, its children.
    fn part(&self, start: u32, end: u32, in_digest: bool, depth: usize) -> Part {
        let bytes = &self.data[start as usize..end as usize];
        let body_start = start + body_offset(bytes) as u32;
        let header = &self.data[start as usize..body_start as usize];
        let body = &self.data[body_start as usize..end as usize];
        let fields = mime_fields(header, in_digest);
        let ty = &fields.media_type;
        let st = &fields.subtype;
        let mut kind = if ty.eq_ignore_ascii_case(b"text") {
            PartKind::Text
        } else {
            PartKind::Basic
        };
        let descend = depth < MAX_DEPTH;
        if ty.eq_ignore_ascii_case(b"multipart") {
            let boundary = fields
                .params
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(b"boundary"))
                .map(|(_, v)| &**v)
                .filter(|b| !b.is_empty() && descend);
            let digest = st.eq_ignore_ascii_case(b"digest");
            let mut parts: Vec<Part> = boundary
                .map(|b| split_multipart(self.data, body_start, end, b))
                .unwrap_or_default()
                .into_iter()
                .map(|(s, e)| self.part(s, e, digest, depth + 1))
                .collect();
            if parts.is_empty() {
                // No delimiter, no boundary, or nested too deep: the grammar wants one part at
                // least; like Dovecot, an empty text/plain part at the end of the body.
                parts.push(empty_text(end));
            }
            kind = PartKind::Multipart(parts);
        } else if ty.eq_ignore_ascii_case(b"message")
            && (st.eq_ignore_ascii_case(b"rfc822") || st.eq_ignore_ascii_case(b"global"))
        {
            // An encoded message/rfc822 (RFC 2046 §5.2.1 forbids it) is read in place too, as
            // Dovecot does: base64 text has no header field and no empty line, so it gives an
            // empty envelope and a header holding all the text, and BODY[n.HEADER] and
            // BODY[n.TEXT] stay ranges of the message.
            if descend {
                let inner = self.part(body_start, end, false, depth + 1);
                let env = envelope_of(header_of(self.data, &inner));
                kind = PartKind::Message(Box::new(env), Box::new(inner));
            } else {
                // Nested too deep: the grammar still wants an envelope and a body (RFC 9051 §9
                // body-type-msg): an empty envelope and an empty text/plain part.
                kind = PartKind::Message(Box::default(), Box::new(empty_text(body_start)));
            }
        }
        Part {
            header_start: start,
            body_start,
            end,
            lines: if matches!(kind, PartKind::Multipart(_)) {
                0
            } else {
                count_lines(body)
            },
            fields,
            kind,
        }
    }
}

/// An empty part with the default fields (text/plain; charset=us-ascii, 7bit) at `at`.
fn empty_text(at: u32) -> Part {
    Part {
        header_start: at,
        body_start: at,
        end: at,
        lines: 0,
        fields: mime_fields(b"", false),
        kind: PartKind::Text,
    }
}

/// Where the body of a part starting at `bytes` begins: after the empty line that ends its
/// header (RFC 5322 §2.1); a part that starts with an empty line has an empty header; a part
/// without one is all header.
fn body_offset(bytes: &[u8]) -> usize {
    if bytes.starts_with(b"\r\n") {
        return 2;
    }
    match memchr::memmem::find(bytes, b"\r\n\r\n") {
        Some(i) => i + 4,
        None => bytes.len(),
    }
}

/// The body parts of a multipart whose body is `start..end` (RFC 2046 §5.1.1): a delimiter is
/// a line that starts with `--boundary` followed by nothing but white space (the close
/// delimiter: `--boundary--`); the CRLF before a delimiter belongs to it. The preamble and
/// epilogue are not parts; without a close delimiter the last part runs to `end`.
fn split_multipart(data: &[u8], start: u32, end: u32, boundary: &[u8]) -> Vec<(u32, u32)> {
    let body = &data[start as usize..end as usize];
    let mut parts = Vec::new();
    let mut open: Option<usize> = None;
    let mut line = 0usize;
    while line < body.len() {
        let eol = memchr::memchr(b'\n', &body[line..]).map_or(body.len(), |i| line + i + 1);
        if let Some(close) = delimiter(&body[line..eol], boundary) {
            if let Some(s) = open.take() {
                let e = line.saturating_sub(2).max(s);
                parts.push((start + s as u32, start + e as u32));
            }
            if close {
                return parts;
            }
            open = Some(eol);
        }
        line = eol;
    }
    if let Some(s) = open {
        parts.push((start + s as u32, end));
    }
    parts
}

/// Whether `line` is a delimiter of `boundary`: `Some(true)` for the close delimiter.
fn delimiter(line: &[u8], boundary: &[u8]) -> Option<bool> {
    let rest = line.strip_prefix(b"--")?.strip_prefix(boundary)?;
    let (close, rest) = match rest.strip_prefix(b"--") {
        Some(r) => (true, r),
        None => (false, rest),
    };
    rest.iter()
        .all(|&b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
        .then_some(close)
}

/// Lines as Dovecot counts them (RFC 9051 §7.5.2 says "the size of the body in text lines"):
/// the line ends in the body, so a last line without one (before a boundary) is not counted.
fn count_lines(body: &[u8]) -> u32 {
    memchr::memchr_iter(b'\n', body).count() as u32
}

/// The MIME fields of a part's header, with the defaults of RFC 2045 §5.2 and §6.1.
fn mime_fields(header: &[u8], in_digest: bool) -> MimeFields {
    let mut f = MimeFields::default();
    let mut have_type = false;
    for field in header::fields(header) {
        let n = field.name;
        if n.eq_ignore_ascii_case(b"Content-Type") && !have_type {
            let v = header::mime_value(field.value, true);
            if !v.kind.is_empty() && !v.subtype.is_empty() {
                f.media_type = v.kind.into_boxed_slice();
                f.subtype = v.subtype.into_boxed_slice();
                have_type = true;
            }
            f.params = v.params;
        } else if n.eq_ignore_ascii_case(b"Content-Transfer-Encoding") && f.encoding.is_empty() {
            f.encoding = header::simple(field.value);
        } else if n.eq_ignore_ascii_case(b"Content-ID") && f.id.is_none() {
            f.id = Some(header::simple(field.value));
        } else if n.eq_ignore_ascii_case(b"Content-Description") && f.description.is_none() {
            f.description = Some(header::simple(field.value));
        } else if n.eq_ignore_ascii_case(b"Content-MD5") && f.md5.is_none() {
            f.md5 = Some(header::simple(field.value));
        } else if n.eq_ignore_ascii_case(b"Content-Disposition") && f.disposition.is_none() {
            let v = header::mime_value(field.value, false);
            if !v.kind.is_empty() {
                f.disposition = Some((v.kind.into_boxed_slice(), v.params));
            }
        } else if n.eq_ignore_ascii_case(b"Content-Language") && f.language.is_empty() {
            f.language = header::languages(field.value);
        } else if n.eq_ignore_ascii_case(b"Content-Location") && f.location.is_none() {
            f.location = Some(header::simple(field.value));
        }
    }
    if !have_type {
        f.params.clear();
        if in_digest {
            f.media_type = (*b"message").into();
            f.subtype = (*b"rfc822").into();
        } else {
            f.media_type = (*b"text").into();
            f.subtype = (*b"plain").into();
        }
    }
    if f.media_type.eq_ignore_ascii_case(b"text")
        && !f
            .params
            .iter()
            .any(|(k, _)| k.eq_ignore_ascii_case(b"charset"))
    {
        f.params.push(((*b"charset").into(), (*b"us-ascii").into()));
    }
    if f.encoding.is_empty() {
        f.encoding = (*b"7bit").into();
    }
    f
}

/// The envelope of a message header (RFC 9051 §7.5.2): the first of each field.
fn envelope_of(header: &[u8]) -> EnvelopeFields {
    let mut e = EnvelopeFields::default();
    let (mut sender, mut reply_to) = (None, None);
    let (mut from, mut to, mut cc, mut bcc) = (None, None, None, None);
    for f in header::fields(header) {
        let n = f.name;
        let slot_s = if n.eq_ignore_ascii_case(b"Date") {
            Some(&mut e.date)
        } else if n.eq_ignore_ascii_case(b"Subject") {
            Some(&mut e.subject)
        } else if n.eq_ignore_ascii_case(b"In-Reply-To") {
            Some(&mut e.in_reply_to)
        } else if n.eq_ignore_ascii_case(b"Message-ID") {
            Some(&mut e.message_id)
        } else {
            None
        };
        if let Some(slot) = slot_s {
            if slot.is_none() {
                *slot = Some(header::unfold(f.value));
            }
            continue;
        }
        let slot_a = if n.eq_ignore_ascii_case(b"From") {
            &mut from
        } else if n.eq_ignore_ascii_case(b"Sender") {
            &mut sender
        } else if n.eq_ignore_ascii_case(b"Reply-To") {
            &mut reply_to
        } else if n.eq_ignore_ascii_case(b"To") {
            &mut to
        } else if n.eq_ignore_ascii_case(b"Cc") {
            &mut cc
        } else if n.eq_ignore_ascii_case(b"Bcc") {
            &mut bcc
        } else {
            continue;
        };
        if slot_a.is_none() {
            *slot_a = Some(header::address_list(f.value));
        }
    }
    e.from = from.unwrap_or_default();
    e.to = to.unwrap_or_default();
    e.cc = cc.unwrap_or_default();
    e.bcc = bcc.unwrap_or_default();
    e.sender = sender
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| e.from.clone());
    e.reply_to = reply_to
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| e.from.clone());
    e
}

#[cfg(test)]
mod tests;
