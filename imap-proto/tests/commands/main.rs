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
    let shown = String::from_utf8_lossy(input);
    let (cmd, used) = Command::parse(input).unwrap_or_else(|e| panic!("{shown}: {e}"));
    assert_eq!(cmd.tag.as_str(), tag, "{shown}");
    assert_eq!(&cmd.body, want, "{shown}");
    assert_eq!(used, input.len(), "{shown}");
    for n in 0..input.len() {
        assert_eq!(
            Command::parse(&input[..n]),
            Err(ParseError::Incomplete),
            "prefix {n} of {shown}"
        );
    }
    for style in [LiteralStyle::Sync, LiteralStyle::NonSync { max: None }] {
        let mut e = Encoder::new(style);
        cmd.encode(&mut e);
        let bytes = e.take();
        let (again, used) = Command::parse(&bytes).unwrap_or_else(|err| {
            panic!(
                "{shown} re-encoded as {:?}: {err}",
                String::from_utf8_lossy(&bytes)
            )
        });
        assert_eq!(again, cmd, "{shown}");
        assert_eq!(used, bytes.len());
    }
}

mod behaviour;
mod extensions;
mod search_fetch;
mod states;
