//! Response examples of RFC 9051 §7, RFC 3501 §7 and §8 and the extension RFCs as
//! `(input, expected value)` tables. Every example is also checked to consume exactly its
//! octets, to encode back to a response that parses to the same value, and to be
//! [`ParseError::Incomplete`] at every strict prefix.

use std::borrow::Cow;
use std::num::NonZeroU32;

use imap_proto::ParseError;
use imap_proto::response::*;
use imap_proto::section::{BinarySection, Section, SectionText};
use imap_proto::status::StatusItem;
use imap_proto::token::{
    AString, Atom, Date, DateTime, Flag, FlagPerm, IString, Mailbox, NString, SequenceSet, Tag,
};

/// Parse `input` whole, check every prefix is incomplete and that encoding round-trips.
fn check(input: &[u8]) -> Response<'_> {
    let r = common::whole(input, Response::parse(input));
    common::assert_prefixes_incomplete(input, |p| Response::parse(p).err());
    let bytes = r.to_bytes();
    assert_eq!(common::whole(&bytes, Response::parse(&bytes)), r);
    r
}

mod common;

fn q(s: &str) -> IString<'_> {
    IString::Quoted(Cow::Borrowed(s.as_bytes()))
}
fn ns(s: &str) -> NString<'_> {
    NString(Some(q(s)))
}
const NIL: NString<'static> = NString(None);
fn atom(s: &str) -> Atom<'_> {
    Atom::new(s).unwrap()
}
fn nz(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n).unwrap()
}
fn seq(s: &str) -> SequenceSet {
    SequenceSet::parse(&mut imap_proto::Cursor::new(format!("{s} ").as_bytes())).unwrap()
}
fn untagged(
    kind: StatusKind,
    code: Option<Code<'static>>,
    text: &'static str,
) -> Response<'static> {
    Response::Status(Status {
        tag: None,
        kind,
        code,
        text: Cow::Borrowed(text),
    })
}
fn tagged(
    tag: &'static str,
    kind: StatusKind,
    code: Option<Code<'static>>,
    text: &'static str,
) -> Response<'static> {
    Response::Status(Status {
        tag: Some(Tag::new(tag).unwrap()),
        kind,
        code,
        text: Cow::Borrowed(text),
    })
}
fn data(d: Data<'_>) -> Response<'_> {
    Response::Data(d)
}
fn addr<'a>(name: Option<&'a str>, mailbox: &'a str, host: &'a str) -> Address<'a> {
    Address {
        name: NString(name.map(q)),
        adl: NIL,
        mailbox: ns(mailbox),
        host: ns(host),
    }
}
fn text_part<'a>(
    params: &[(&'a str, &'a str)],
    enc: &'a str,
    octets: u32,
    lines: u32,
) -> SinglePart<'a> {
    SinglePart {
        media_type: q("TEXT"),
        subtype: q("PLAIN"),
        fields: BodyFields {
            params: params.iter().map(|(k, v)| (q(k), q(v))).collect(),
            id: NIL,
            description: NIL,
            encoding: q(enc),
            octets,
        },
        kind: SinglePartKind::Text { lines },
        md5: NIL,
        ext: BodyExtensions::default(),
    }
}

#[path = "responses/fetch.rs"]
mod fetch;
#[path = "responses/mailbox.rs"]
mod mailbox;
#[path = "responses/quirks.rs"]
mod quirks;
#[path = "responses/status.rs"]
mod status;
