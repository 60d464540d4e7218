//! `'static` copies of the response types (`into_owned`): a value parsed from a buffer the caller
//! must reuse (the client session's framer) is copied once, as a whole, into one that owns its
//! strings, lists and literals (RFC 9051 §7 gives the types; this module only copies them).
//!
//! Numbers, sequence sets and sections without strings are moved as they are; every `Cow` that
//! borrows becomes owned.

use std::borrow::Cow;

use super::body::{
    Address, BodyExtension, BodyExtensions, BodyFields, BodyStructure, Disposition, Envelope,
    Multipart, Params, SinglePart, SinglePartKind,
};
use super::fetch::MsgAtt;
use super::mailbox::{
    Esearch, ListExtendedItem, ListItem, MailboxAttribute, Namespace, NamespaceDescr,
    QuotaResource, RawValue, SearchReturnData, StatusValue,
};
use super::{Continue, Data, Response, Status};
use crate::token::{AString, Flag, IString};

fn owned_str(s: Cow<'_, str>) -> Cow<'static, str> {
    Cow::Owned(s.into_owned())
}

fn owned_vec<T, U>(v: Vec<T>, f: impl FnMut(T) -> U) -> Vec<U> {
    v.into_iter().map(f).collect()
}

fn owned_params(p: Params<'_>) -> Params<'static> {
    owned_vec(p, |(k, v)| (k.into_owned(), v.into_owned()))
}

impl Response<'_> {
    /// A copy that owns all its data (RFC 9051 §7): it outlives the buffer it was parsed from.
    pub fn into_owned(self) -> Response<'static> {
        match self {
            Response::Status(s) => Response::Status(s.into_owned()),
            Response::Data(d) => Response::Data(d.into_owned()),
            Response::Continue(c) => Response::Continue(c.into_owned()),
        }
    }
}

impl Status<'_> {
    /// A copy that owns all its data (RFC 9051 §7.1).
    pub fn into_owned(self) -> Status<'static> {
        Status {
            tag: self.tag.map(|t| t.into_owned()),
            kind: self.kind,
            code: self.code.map(|c| c.into_owned()),
            text: owned_str(self.text),
        }
    }
}

impl Continue<'_> {
    /// A copy that owns all its data (RFC 9051 §7.6).
    pub fn into_owned(self) -> Continue<'static> {
        Continue {
            code: self.code.map(|c| c.into_owned()),
            text: owned_str(self.text),
        }
    }
}

impl Data<'_> {
    /// A copy that owns all its data (RFC 9051 §7.2–§7.5).
    pub fn into_owned(self) -> Data<'static> {
        match self {
            Data::Capability(v) => Data::Capability(owned_vec(v, |c| c.into_owned())),
            Data::Enabled(v) => Data::Enabled(owned_vec(v, |c| c.into_owned())),
            Data::List(l) => Data::List(l.into_owned()),
            Data::Lsub(l) => Data::Lsub(l.into_owned()),
            Data::Namespace(n) => Data::Namespace(n.into_owned()),
            Data::Status { mailbox, items } => Data::Status {
                mailbox: mailbox.into_owned(),
                items: owned_vec(items, StatusValue::into_owned),
            },
            Data::Esearch(e) => Data::Esearch(e.into_owned()),
            Data::Search { nums, modseq } => Data::Search { nums, modseq },
            Data::Sort { nums, modseq } => Data::Sort { nums, modseq },
            Data::Thread(t) => Data::Thread(t),
            Data::Flags(v) => Data::Flags(owned_vec(v, Flag::into_owned)),
            Data::Exists(n) => Data::Exists(n),
            Data::Recent(n) => Data::Recent(n),
            Data::Expunge(n) => Data::Expunge(n),
            Data::Vanished { earlier, uids } => Data::Vanished { earlier, uids },
            Data::Id(v) => {
                Data::Id(v.map(|v| owned_vec(v, |(k, v)| (k.into_owned(), v.into_owned()))))
            }
            Data::Quota { root, resources } => Data::Quota {
                root: root.into_owned(),
                resources: owned_vec(resources, QuotaResource::into_owned),
            },
            Data::QuotaRoot { mailbox, roots } => Data::QuotaRoot {
                mailbox: mailbox.into_owned(),
                roots: owned_vec(roots, AString::into_owned),
            },
            Data::Fetch { seq, items } => Data::Fetch {
                seq,
                items: owned_vec(items, MsgAtt::into_owned),
            },
            Data::Other {
                number,
                name,
                value,
            } => Data::Other {
                number,
                name: name.into_owned(),
                value: value.into_owned(),
            },
        }
    }
}

impl MsgAtt<'_> {
    /// A copy that owns all its data (RFC 9051 §7.5.2).
    pub fn into_owned(self) -> MsgAtt<'static> {
        match self {
            MsgAtt::Flags(v) => MsgAtt::Flags(owned_vec(v, Flag::into_owned)),
            MsgAtt::Uid(n) => MsgAtt::Uid(n),
            MsgAtt::InternalDate(d) => MsgAtt::InternalDate(d),
            MsgAtt::Rfc822Size(n) => MsgAtt::Rfc822Size(n),
            MsgAtt::Envelope(e) => MsgAtt::Envelope(Box::new(e.into_owned())),
            MsgAtt::BodyStructure(b) => MsgAtt::BodyStructure(Box::new(b.into_owned())),
            MsgAtt::Body(b) => MsgAtt::Body(Box::new(b.into_owned())),
            MsgAtt::BodySection {
                section,
                origin,
                data,
            } => MsgAtt::BodySection {
                section: section.into_owned(),
                origin,
                data: data.into_owned(),
            },
            MsgAtt::Binary { section, data } => MsgAtt::Binary {
                section,
                data: data.into_owned(),
            },
            MsgAtt::BinarySize { section, size } => MsgAtt::BinarySize { section, size },
            MsgAtt::ModSeq(n) => MsgAtt::ModSeq(n),
            MsgAtt::Rfc822(s) => MsgAtt::Rfc822(s.into_owned()),
            MsgAtt::Rfc822Header(s) => MsgAtt::Rfc822Header(s.into_owned()),
            MsgAtt::Rfc822Text(s) => MsgAtt::Rfc822Text(s.into_owned()),
            MsgAtt::Preview(s) => MsgAtt::Preview(s.into_owned()),
            MsgAtt::Other { name, value } => MsgAtt::Other {
                name: name.into_owned(),
                value: value.into_owned(),
            },
        }
    }
}

impl Address<'_> {
    /// A copy that owns all its data (RFC 9051 §7.5.2, `address`).
    pub fn into_owned(self) -> Address<'static> {
        Address {
            name: self.name.into_owned(),
            adl: self.adl.into_owned(),
            mailbox: self.mailbox.into_owned(),
            host: self.host.into_owned(),
        }
    }
}

impl Envelope<'_> {
    /// A copy that owns all its data (RFC 9051 §7.5.2, `envelope`).
    pub fn into_owned(self) -> Envelope<'static> {
        Envelope {
            date: self.date.into_owned(),
            subject: self.subject.into_owned(),
            from: owned_vec(self.from, Address::into_owned),
            sender: owned_vec(self.sender, Address::into_owned),
            reply_to: owned_vec(self.reply_to, Address::into_owned),
            to: owned_vec(self.to, Address::into_owned),
            cc: owned_vec(self.cc, Address::into_owned),
            bcc: owned_vec(self.bcc, Address::into_owned),
            in_reply_to: self.in_reply_to.into_owned(),
            message_id: self.message_id.into_owned(),
        }
    }
}

impl Disposition<'_> {
    /// A copy that owns all its data (RFC 9051 §7.5.2, `body-fld-dsp`).
    pub fn into_owned(self) -> Disposition<'static> {
        Disposition {
            kind: self.kind.into_owned(),
            params: owned_params(self.params),
        }
    }
}

impl BodyExtension<'_> {
    /// A copy that owns all its data (RFC 9051 §7.5.2, `body-extension`).
    pub fn into_owned(self) -> BodyExtension<'static> {
        match self {
            BodyExtension::NString(s) => BodyExtension::NString(s.into_owned()),
            BodyExtension::Number(n) => BodyExtension::Number(n),
            BodyExtension::List(v) => BodyExtension::List(owned_vec(v, BodyExtension::into_owned)),
        }
    }
}

impl BodyExtensions<'_> {
    /// A copy that owns all its data (RFC 9051 §7.5.2, `body-ext-1part` / `body-ext-mpart`).
    pub fn into_owned(self) -> BodyExtensions<'static> {
        BodyExtensions {
            disposition: self.disposition.map(Disposition::into_owned),
            language: owned_vec(self.language, IString::into_owned),
            location: self.location.into_owned(),
            extensions: owned_vec(self.extensions, BodyExtension::into_owned),
        }
    }
}

impl BodyFields<'_> {
    /// A copy that owns all its data (RFC 9051 §7.5.2, `body-fields`).
    pub fn into_owned(self) -> BodyFields<'static> {
        BodyFields {
            params: owned_params(self.params),
            id: self.id.into_owned(),
            description: self.description.into_owned(),
            encoding: self.encoding.into_owned(),
            octets: self.octets,
        }
    }
}

impl SinglePartKind<'_> {
    /// A copy that owns all its data (RFC 9051 §7.5.2, `body-type-1part`).
    pub fn into_owned(self) -> SinglePartKind<'static> {
        match self {
            SinglePartKind::Basic => SinglePartKind::Basic,
            SinglePartKind::Text { lines } => SinglePartKind::Text { lines },
            SinglePartKind::Message {
                envelope,
                body,
                lines,
            } => SinglePartKind::Message {
                envelope: Box::new(envelope.into_owned()),
                body: Box::new(body.into_owned()),
                lines,
            },
        }
    }
}

impl SinglePart<'_> {
    /// A copy that owns all its data (RFC 9051 §7.5.2, `body-type-1part`).
    pub fn into_owned(self) -> SinglePart<'static> {
        SinglePart {
            media_type: self.media_type.into_owned(),
            subtype: self.subtype.into_owned(),
            fields: self.fields.into_owned(),
            kind: self.kind.into_owned(),
            md5: self.md5.into_owned(),
            ext: self.ext.into_owned(),
        }
    }
}

impl Multipart<'_> {
    /// A copy that owns all its data (RFC 9051 §7.5.2, `body-type-mpart`).
    pub fn into_owned(self) -> Multipart<'static> {
        Multipart {
            parts: owned_vec(self.parts, BodyStructure::into_owned),
            subtype: self.subtype.into_owned(),
            params: owned_params(self.params),
            ext: self.ext.into_owned(),
        }
    }
}

impl BodyStructure<'_> {
    /// A copy that owns all its data (RFC 9051 §7.5.2, `body`).
    pub fn into_owned(self) -> BodyStructure<'static> {
        match self {
            BodyStructure::Single(p) => BodyStructure::Single(p.into_owned()),
            BodyStructure::Multi(m) => BodyStructure::Multi(m.into_owned()),
        }
    }
}

impl RawValue<'_> {
    /// A copy that owns its octets.
    pub fn into_owned(self) -> RawValue<'static> {
        RawValue(Cow::Owned(self.0.into_owned()))
    }
}

impl MailboxAttribute<'_> {
    /// A copy that owns all its data (RFC 9051 §7.3.1, `mbx-list-flags`).
    pub fn into_owned(self) -> MailboxAttribute<'static> {
        match self {
            MailboxAttribute::NoInferiors => MailboxAttribute::NoInferiors,
            MailboxAttribute::NoSelect => MailboxAttribute::NoSelect,
            MailboxAttribute::Marked => MailboxAttribute::Marked,
            MailboxAttribute::Unmarked => MailboxAttribute::Unmarked,
            MailboxAttribute::NonExistent => MailboxAttribute::NonExistent,
            MailboxAttribute::Subscribed => MailboxAttribute::Subscribed,
            MailboxAttribute::Remote => MailboxAttribute::Remote,
            MailboxAttribute::HasChildren => MailboxAttribute::HasChildren,
            MailboxAttribute::HasNoChildren => MailboxAttribute::HasNoChildren,
            MailboxAttribute::All => MailboxAttribute::All,
            MailboxAttribute::Archive => MailboxAttribute::Archive,
            MailboxAttribute::Drafts => MailboxAttribute::Drafts,
            MailboxAttribute::Flagged => MailboxAttribute::Flagged,
            MailboxAttribute::Junk => MailboxAttribute::Junk,
            MailboxAttribute::Sent => MailboxAttribute::Sent,
            MailboxAttribute::Trash => MailboxAttribute::Trash,
            MailboxAttribute::Important => MailboxAttribute::Important,
            MailboxAttribute::Extension(a) => MailboxAttribute::Extension(a.into_owned()),
        }
    }
}

impl ListExtendedItem<'_> {
    /// A copy that owns all its data (RFC 5258 §9, `mbox-list-extended-item`).
    pub fn into_owned(self) -> ListExtendedItem<'static> {
        match self {
            ListExtendedItem::ChildInfo(v) => {
                ListExtendedItem::ChildInfo(owned_vec(v, IString::into_owned))
            }
            ListExtendedItem::OldName(m) => ListExtendedItem::OldName(m.into_owned()),
            ListExtendedItem::Other { tag, value } => ListExtendedItem::Other {
                tag: tag.into_owned(),
                value: value.into_owned(),
            },
        }
    }
}

impl ListItem<'_> {
    /// A copy that owns all its data (RFC 9051 §7.3.1, `mailbox-list`).
    pub fn into_owned(self) -> ListItem<'static> {
        ListItem {
            attributes: owned_vec(self.attributes, MailboxAttribute::into_owned),
            delimiter: self.delimiter,
            mailbox: self.mailbox.into_owned(),
            extended: owned_vec(self.extended, ListExtendedItem::into_owned),
        }
    }
}

impl NamespaceDescr<'_> {
    /// A copy that owns all its data (RFC 2342 §5, `Namespace_Response`).
    pub fn into_owned(self) -> NamespaceDescr<'static> {
        NamespaceDescr {
            prefix: self.prefix.into_owned(),
            delimiter: self.delimiter,
            extensions: owned_vec(self.extensions, |(k, v)| {
                (k.into_owned(), owned_vec(v, IString::into_owned))
            }),
        }
    }
}

impl Namespace<'_> {
    /// A copy that owns all its data (RFC 9051 §7.3.5, `namespace-response`).
    pub fn into_owned(self) -> Namespace<'static> {
        Namespace {
            personal: owned_vec(self.personal, NamespaceDescr::into_owned),
            other: owned_vec(self.other, NamespaceDescr::into_owned),
            shared: owned_vec(self.shared, NamespaceDescr::into_owned),
        }
    }
}

impl StatusValue<'_> {
    /// A copy that owns all its data (RFC 9051 §7.3.2, `status-att-val`).
    pub fn into_owned(self) -> StatusValue<'static> {
        match self {
            StatusValue::Item(item, n) => StatusValue::Item(item, n),
            StatusValue::Other { name, value } => StatusValue::Other {
                name: name.into_owned(),
                value: value.into_owned(),
            },
        }
    }
}

impl SearchReturnData<'_> {
    /// A copy that owns all its data (RFC 4731 §3.1, `search-return-data`).
    pub fn into_owned(self) -> SearchReturnData<'static> {
        match self {
            SearchReturnData::Min(n) => SearchReturnData::Min(n),
            SearchReturnData::Max(n) => SearchReturnData::Max(n),
            SearchReturnData::All(s) => SearchReturnData::All(s),
            SearchReturnData::Count(n) => SearchReturnData::Count(n),
            SearchReturnData::ModSeq(n) => SearchReturnData::ModSeq(n),
            SearchReturnData::Other { name, value } => SearchReturnData::Other {
                name: name.into_owned(),
                value: value.into_owned(),
            },
        }
    }
}

impl Esearch<'_> {
    /// A copy that owns all its data (RFC 4731 §3.1, `esearch-response`).
    pub fn into_owned(self) -> Esearch<'static> {
        Esearch {
            tag: self.tag.map(IString::into_owned),
            uid: self.uid,
            data: owned_vec(self.data, SearchReturnData::into_owned),
        }
    }
}

impl QuotaResource<'_> {
    /// A copy that owns all its data (RFC 9208 §5.1, `quota-resource`).
    pub fn into_owned(self) -> QuotaResource<'static> {
        QuotaResource {
            name: self.name.into_owned(),
            usage: self.usage,
            limit: self.limit,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every response of the benchmark corpus (FETCH with ENVELOPE and BODYSTRUCTURE, LIST,
    /// ESEARCH, STATUS...) and a few more: the owned copy equals the borrowed value and outlives
    /// its buffer.
    #[test]
    fn owned_copy_equals_the_parsed_value_and_outlives_the_buffer() {
        let corpus = include_str!("../../benches/corpus/responses.txt");
        // Items start with `#> name`; each is every line up to the next, lines ending CRLF.
        let mut inputs: Vec<Vec<u8>> = Vec::new();
        for line in corpus.lines() {
            if line.starts_with("##") {
                continue;
            }
            if line.starts_with("#>") {
                inputs.push(Vec::new());
            } else if let Some(item) = inputs.last_mut() {
                item.extend_from_slice(line.as_bytes());
                item.extend_from_slice(b"\r\n");
            }
        }
        for extra in [
            &b"* 3 FETCH (BODY[HEADER.FIELDS (DATE FROM)] {5}\r\nhello X-GM-LABELS (\\Inbox))\r\n"[..],
            b"* NAMESPACE ((\"\" \"/\" \"X\" (\"a\" \"b\"))) NIL ((\"#s/\" \"/\"))\r\n",
            b"* QUOTA \"\" (STORAGE 10 512)\r\n",
            b"* QUOTAROOT INBOX \"\"\r\n",
            b"* ID (\"name\" \"Dovecot\")\r\n",
            b"* LIST (\\HasNoChildren \\X-Foo) \"/\" a (\"CHILDINFO\" (\"SUBSCRIBED\") \"OLDNAME\" (b))\r\n",
            b"* XYZ 1 (2 \"three\") {4}\r\nfour\r\n",
            b"+ [ALERT] go ahead\r\n",
            b"a1 NO [BADCHARSET (x)] no\r\n",
        ] {
            inputs.push(extra.to_vec());
        }
        let mut owned = Vec::new();
        for input in &inputs {
            let (r, n) = Response::parse(input)
                .unwrap_or_else(|e| panic!("{:?}: {e}", String::from_utf8_lossy(input)));
            assert_eq!(n, input.len());
            let o = r.clone().into_owned();
            assert_eq!(o, r);
            owned.push(o);
        }
        // The buffers go; the copies stay, and encode to what was parsed.
        let encoded: Vec<Vec<u8>> = inputs
            .iter()
            .map(|i| Response::parse(i).unwrap().0.to_bytes())
            .collect();
        drop(inputs);
        for (o, bytes) in owned.iter().zip(&encoded) {
            assert_eq!(&o.to_bytes(), bytes);
        }
        assert!(owned.len() > 9, "the corpus was read");
    }
}
