//! The stored form of a [`MessageStructure`]: a small binary format kept next to the message
//! (mailstore writes it at delivery), read back instead of parsing the message again.
//!
//! ```text
//! structure = "IMS" version flags varint(size) nbytes(header) envelope part ; version = 0x03
//! flags     = octet                                                ; bit 0: converted (bare LFs)
//! envelope  = nbytes(date) nbytes(subject) 6*addresses nbytes(in-reply-to) nbytes(message-id)
//! addresses = varint(count) *(nbytes(name) nbytes(adl) nbytes(mailbox) nbytes(host))
//! part      = varint(header_start) varint(body_start) varint(end) varint(lines) fields kind
//! fields    = bytes(type) bytes(subtype) params nbytes(id) nbytes(desc) bytes(encoding)
//!             nbytes(md5) (0x00 / 0x01 bytes(disposition) params) varint(count) *bytes(lang)
//!             nbytes(location)
//! params    = varint(count) *(bytes bytes)
//! kind      = 0x00 (basic) / 0x01 (text) / 0x02 varint(count) 1*part / 0x03 envelope part
//! bytes     = varint(length) octets ; nbytes = varint(0) (NIL) / varint(length + 1) octets
//! varint    = LEB128, at most 5 octets for 32 bits
//! ```
//!
//! `header` is [`MessageStructure::header`]: NIL, or exactly the octets `0..body_start` of the
//! top-level part; it comes first so that [`MessageStructure::header_from_bytes`] reads it
//! without the rest. Version 1 had no `header` (and version 2 had it last): such blobs are
//! refused ([`StoreError::Version`]), so the message is parsed again and its entry rewritten.
//!
//! Reading checks every length against what is left, every offset against the message size,
//! and the nesting against [`super::MAX_DEPTH`]: bad input gives a [`StoreError`], never a panic
//! or an allocation larger than the input.

use super::{
    AddressFields, Bytes, EnvelopeFields, MAX_DEPTH, MessageStructure, MimeFields, Part, PartKind,
};

const MAGIC: &[u8; 3] = b"IMS";
/// The format version written by [`MessageStructure::to_bytes`].
pub const VERSION: u8 = 3;

/// Why stored bytes are not a [`MessageStructure`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// Not this format (the magic is missing).
    #[error("not a stored message structure")]
    NotStructure,
    /// A version this code does not read; parse the message again.
    #[error("stored message structure version {0} is not supported")]
    Version(u8),
    /// The data ends early.
    #[error("stored message structure truncated at octet {0}")]
    Truncated(usize),
    /// A value that cannot be (bad tag, offsets out of order, too deep, trailing data).
    #[error("stored message structure invalid at octet {at}: {what}")]
    Invalid {
        /// Where.
        at: usize,
        /// What was wrong.
        what: &'static str,
    },
}

// ---------------------------------------------------------------------------------------------
// Writing

struct W(Vec<u8>);

impl W {
    fn varint(&mut self, mut v: u32) {
        loop {
            let b = (v & 0x7f) as u8;
            v >>= 7;
            if v == 0 {
                self.0.push(b);
                return;
            }
            self.0.push(b | 0x80);
        }
    }

    fn len(&mut self, n: usize) {
        // Lengths come from a message under 4 GiB.
        self.varint(u32::try_from(n).unwrap_or(u32::MAX));
    }

    fn bytes(&mut self, b: &[u8]) {
        self.len(b.len());
        self.0.extend_from_slice(b);
    }

    fn nbytes(&mut self, b: &Option<Bytes>) {
        match b {
            None => self.0.push(0),
            Some(b) => {
                self.len(b.len() + 1);
                self.0.extend_from_slice(b);
            }
        }
    }

    fn params(&mut self, p: &[(Bytes, Bytes)]) {
        self.len(p.len());
        for (k, v) in p {
            self.bytes(k);
            self.bytes(v);
        }
    }

    fn addresses(&mut self, list: &[AddressFields]) {
        self.len(list.len());
        for a in list {
            self.nbytes(&a.name);
            self.nbytes(&a.adl);
            self.nbytes(&a.mailbox);
            self.nbytes(&a.host);
        }
    }

    fn envelope(&mut self, e: &EnvelopeFields) {
        self.nbytes(&e.date);
        self.nbytes(&e.subject);
        for list in [&e.from, &e.sender, &e.reply_to, &e.to, &e.cc, &e.bcc] {
            self.addresses(list);
        }
        self.nbytes(&e.in_reply_to);
        self.nbytes(&e.message_id);
    }

    fn part(&mut self, p: &Part) {
        for v in [p.header_start, p.body_start, p.end, p.lines] {
            self.varint(v);
        }
        let f = &p.fields;
        self.bytes(&f.media_type);
        self.bytes(&f.subtype);
        self.params(&f.params);
        self.nbytes(&f.id);
        self.nbytes(&f.description);
        self.bytes(&f.encoding);
        self.nbytes(&f.md5);
        match &f.disposition {
            None => self.0.push(0),
            Some((k, p)) => {
                self.0.push(1);
                self.bytes(k);
                self.params(p);
            }
        }
        self.len(f.language.len());
        for l in &f.language {
            self.bytes(l);
        }
        self.nbytes(&f.location);
        match &p.kind {
            PartKind::Basic => self.0.push(0),
            PartKind::Text => self.0.push(1),
            PartKind::Multipart(parts) => {
                self.0.push(2);
                self.len(parts.len());
                for c in parts {
                    self.part(c);
                }
            }
            PartKind::Message(env, body) => {
                self.0.push(3);
                self.envelope(env);
                self.part(body);
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Reading

struct R<'a> {
    b: &'a [u8],
    pos: usize,
    size: u32,
}

type Res<T> = Result<T, StoreError>;

impl<'a> R<'a> {
    fn invalid<T>(&self, what: &'static str) -> Res<T> {
        Err(StoreError::Invalid { at: self.pos, what })
    }

    fn byte(&mut self) -> Res<u8> {
        let b = *self
            .b
            .get(self.pos)
            .ok_or(StoreError::Truncated(self.pos))?;
        self.pos += 1;
        Ok(b)
    }

    fn varint(&mut self) -> Res<u32> {
        let mut v: u32 = 0;
        for shift in [0, 7, 14, 21, 28] {
            let b = self.byte()?;
            let part = u32::from(b & 0x7f);
            if shift == 28 && part > 0x0f {
                return self.invalid("varint overflows 32 bits");
            }
            v |= part << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        self.invalid("varint longer than 5 octets")
    }

    fn take(&mut self, n: usize) -> Res<&'a [u8]> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&e| e <= self.b.len())
            .ok_or(StoreError::Truncated(self.b.len()))?;
        let s = &self.b[self.pos..end];
        self.pos = end;
        Ok(s)
    }

    fn bytes(&mut self) -> Res<Bytes> {
        let n = self.varint()? as usize;
        Ok(self.take(n)?.into())
    }

    fn nbytes(&mut self) -> Res<Option<Bytes>> {
        match self.varint()? as usize {
            0 => Ok(None),
            n => Ok(Some(self.take(n - 1)?.into())),
        }
    }

    /// A count of items of at least `min` octets each: never more than the input can hold.
    fn count(&mut self, min: usize) -> Res<usize> {
        let n = self.varint()? as usize;
        if n.saturating_mul(min) > self.b.len() - self.pos {
            return Err(StoreError::Truncated(self.b.len()));
        }
        Ok(n)
    }

    fn params(&mut self) -> Res<Vec<(Bytes, Bytes)>> {
        let n = self.count(2)?;
        (0..n).map(|_| Ok((self.bytes()?, self.bytes()?))).collect()
    }

    fn addresses(&mut self) -> Res<Vec<AddressFields>> {
        let n = self.count(4)?;
        (0..n)
            .map(|_| {
                Ok(AddressFields {
                    name: self.nbytes()?,
                    adl: self.nbytes()?,
                    mailbox: self.nbytes()?,
                    host: self.nbytes()?,
                })
            })
            .collect()
    }

    fn envelope(&mut self) -> Res<EnvelopeFields> {
        Ok(EnvelopeFields {
            date: self.nbytes()?,
            subject: self.nbytes()?,
            from: self.addresses()?,
            sender: self.addresses()?,
            reply_to: self.addresses()?,
            to: self.addresses()?,
            cc: self.addresses()?,
            bcc: self.addresses()?,
            in_reply_to: self.nbytes()?,
            message_id: self.nbytes()?,
        })
    }

    fn part(&mut self, depth: usize) -> Res<Part> {
        if depth > MAX_DEPTH + 1 {
            return self.invalid("parts nested too deep");
        }
        let at = self.pos;
        let header_start = self.varint()?;
        let body_start = self.varint()?;
        let end = self.varint()?;
        let lines = self.varint()?;
        if !(header_start <= body_start && body_start <= end && end <= self.size) {
            return Err(StoreError::Invalid {
                at,
                what: "part offsets out of order or past the message",
            });
        }
        let media_type = self.bytes()?;
        let subtype = self.bytes()?;
        let params = self.params()?;
        let id = self.nbytes()?;
        let description = self.nbytes()?;
        let encoding = self.bytes()?;
        let md5 = self.nbytes()?;
        let disposition = match self.byte()? {
            0 => None,
            1 => Some((self.bytes()?, self.params()?)),
            _ => return self.invalid("disposition tag"),
        };
        let n = self.count(1)?;
        let language = (0..n).map(|_| self.bytes()).collect::<Res<Vec<_>>>()?;
        let location = self.nbytes()?;
        let kind = match self.byte()? {
            0 => PartKind::Basic,
            1 => PartKind::Text,
            2 => {
                let n = self.count(1)?;
                if n == 0 {
                    return self.invalid("multipart without parts");
                }
                let parts = (0..n)
                    .map(|_| self.part(depth + 1))
                    .collect::<Res<Vec<_>>>()?;
                PartKind::Multipart(parts)
            }
            3 => {
                let env = self.envelope()?;
                let body = self.part(depth + 1)?;
                PartKind::Message(Box::new(env), Box::new(body))
            }
            _ => return self.invalid("part kind tag"),
        };
        Ok(Part {
            header_start,
            body_start,
            end,
            lines,
            fields: MimeFields {
                media_type,
                subtype,
                params,
                id,
                description,
                encoding,
                md5,
                disposition,
                language,
                location,
            },
            kind,
        })
    }
}

impl MessageStructure {
    /// The stored form (see the [module documentation](self)).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = W(Vec::with_capacity(256));
        w.0.extend_from_slice(MAGIC);
        w.0.push(VERSION);
        w.0.push(u8::from(self.converted));
        w.varint(self.size);
        w.nbytes(&self.header);
        w.envelope(&self.envelope);
        w.part(&self.root);
        w.0
    }

    /// Only what header sections need of the stored form, without decoding the envelope and
    /// the parts: a structure whose top-level part is the kept header block followed by an
    /// opaque body (no envelope, no MIME fields), for `BODY[HEADER]`, `HEADER.FIELDS (.NOT)`
    /// and `RFC822.HEADER` (RFC 9051 §6.4.5). `Ok(None)` when no header block is kept.
    pub fn header_from_bytes(b: &[u8]) -> Result<Option<MessageStructure>, StoreError> {
        if b.len() < 4 || &b[..3] != MAGIC {
            return Err(StoreError::NotStructure);
        }
        if b[3] != VERSION {
            return Err(StoreError::Version(b[3]));
        }
        let mut r = R { b, pos: 4, size: 0 };
        let converted = match r.byte()? {
            0 => false,
            1 => true,
            _ => return r.invalid("flags"),
        };
        r.size = r.varint()?;
        let at = r.pos;
        let Some(header) = r.nbytes()? else {
            return Ok(None);
        };
        let body_start = u32::try_from(header.len()).unwrap_or(u32::MAX);
        if body_start > r.size {
            return Err(StoreError::Invalid {
                at,
                what: "header block longer than the message",
            });
        }
        Ok(Some(MessageStructure {
            converted,
            size: r.size,
            envelope: EnvelopeFields::default(),
            root: Part {
                header_start: 0,
                body_start,
                end: r.size,
                lines: 0,
                fields: MimeFields::default(),
                kind: PartKind::Basic,
            },
            header: Some(header),
        }))
    }

    /// Read the stored form back; any damage gives an error, never a panic.
    pub fn from_bytes(b: &[u8]) -> Result<MessageStructure, StoreError> {
        if b.len() < 4 || &b[..3] != MAGIC {
            return Err(StoreError::NotStructure);
        }
        if b[3] != VERSION {
            return Err(StoreError::Version(b[3]));
        }
        let mut r = R { b, pos: 4, size: 0 };
        let converted = match r.byte()? {
            0 => false,
            1 => true,
            _ => return r.invalid("flags"),
        };
        r.size = r.varint()?;
        let at = r.pos;
        let header = r.nbytes()?;
        let envelope = r.envelope()?;
        let root = r.part(0)?;
        if root.header_start != 0
            || header
                .as_ref()
                .is_some_and(|h| h.len() != root.body_start as usize)
        {
            return Err(StoreError::Invalid {
                at,
                what: "header block does not match the top-level part",
            });
        }
        if r.pos != b.len() {
            return r.invalid("trailing data");
        }
        Ok(MessageStructure {
            converted,
            size: r.size,
            envelope,
            root,
            header,
        })
    }
}
