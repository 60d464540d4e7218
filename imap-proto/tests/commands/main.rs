//! Command examples of RFC 9051 §6 and §8 (the latter via RFC 3501 §8, whose sample session
//! is in lower case), RFC 3501 §6 and the extension RFCs, as `(input, expected value)` tables.
//!
//! Each example is also checked to (1) consume exactly its input, (2) be `Incomplete` at every
//! strict prefix, and (3) encode to bytes that parse back to the same value.

use std::borrow::Cow;
use std::num::{NonZeroU32, NonZeroU64};

use imap_proto::command::Command;
use imap_proto::command::{
    AppendHead, AppendMessage, AppendNext, CommandBody as B, EntryType, FetchAttr, FetchItems,
    FetchModifiers, IdleDone, ListReturnOption, ListSelectOption, QResync, QuotaLimit,
    SearchKey as K, SearchReturnOption, SelectParam, SortCriterion, SortKey, StoreKind,
    ThreadAlgorithm, UNKNOWN_COMMAND,
};
use imap_proto::section::{BinarySection, Partial, Section, SectionText};
use imap_proto::status::StatusItem;
use imap_proto::token::{
    AString, Atom, Date, DateTime, Flag, IString, ListMailbox, Literal, LiteralMode, Mailbox,
    NString, SequenceSet,
};
use imap_proto::{Cursor, Encoder, LiteralStyle, ParseError};
use sasl::Secret;

fn mb(s: &str) -> Mailbox<'_> {
    Mailbox::from(s)
}
fn set(s: &str) -> SequenceSet {
    SequenceSet::parse(&mut Cursor::new(format!("{s} ").as_bytes())).unwrap()
}
fn at(s: &str) -> Atom<'_> {
    Atom::new(s).unwrap()
}
fn ast(s: &str) -> AString<'_> {
    AString::from(s)
}
fn pat(s: &str) -> ListMailbox<'_> {
    ListMailbox(AString::from(s))
}
fn date(d: u8, m: u8, y: u16) -> Date {
    Date::new(y, m, d).unwrap()
}
fn nz(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n).unwrap()
}
fn lit(b: &[u8]) -> Literal<'_> {
    Literal {
        data: Cow::Borrowed(b),
        mode: LiteralMode::Sync,
        binary: false,
    }
}
fn fields(names: &[&'static str]) -> Section<'static> {
    Section {
        part: vec![],
        text: Some(SectionText::HeaderFields(
            names.iter().map(|n| AString::from(*n)).collect(),
        )),
    }
}

/// Parse, compare, check the consumed length, every strict prefix and the round trip.
fn check(input: &[u8], tag: &str, want: &B<'_>) {
    let shown = common::shown(input);
    let cmd = common::whole(input, Command::parse(input));
    assert_eq!(cmd.tag.as_str(), tag, "{shown}");
    assert_eq!(&cmd.body, want, "{shown}");
    common::assert_prefixes_incomplete(input, |p| Command::parse(p).err());
    for style in [LiteralStyle::Sync, LiteralStyle::NonSync { max: None }] {
        let mut e = Encoder::new(style);
        cmd.encode(&mut e);
        let bytes = e.take();
        assert_eq!(
            common::whole(&bytes, Command::parse(&bytes)),
            cmd,
            "{shown}"
        );
    }
}

/// Asserts that each of `inputs` is an invalid command (not an incomplete one).
fn assert_invalid(inputs: &[&[u8]]) {
    for bad in inputs {
        let r = Command::parse(bad);
        assert!(
            matches!(r, Err(ParseError::Invalid { .. })),
            "{}: {r:?}",
            common::shown(bad)
        );
    }
}

#[path = "../common/mod.rs"]
mod common;

mod behaviour;
mod extensions;
mod search_fetch;
mod states;
