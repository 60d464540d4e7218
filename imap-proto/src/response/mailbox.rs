//! Mailbox data (RFC 9051 §7.3): LIST/LSUB with LIST-EXTENDED (RFC 5258), SPECIAL-USE (RFC
//! 6154) and CHILDREN (RFC 3348) attributes; NAMESPACE (RFC 2342); STATUS (with SIZE, RFC 8438,
//! and HIGHESTMODSEQ, RFC 7162); ESEARCH (RFC 4731); THREAD (RFC 5256); QUOTA (RFC 9208).
//!
//! ```text
//! mailbox-list       = "(" [mbx-list-flags] ")" SP (DQUOTE QUOTED-CHAR DQUOTE / nil) SP mailbox
//!                      [SP mbox-list-extended]
//! mbox-list-extended = "(" [mbox-list-extended-item *(SP mbox-list-extended-item)] ")"
//! mbox-list-extended-item = mbox-list-extended-item-tag SP tagged-ext-val
//! namespace-response = "NAMESPACE" SP namespace SP namespace SP namespace
//! namespace          = nil / "(" 1*namespace-descr ")"
//! namespace-descr    = "(" string SP (DQUOTE QUOTED-CHAR DQUOTE / nil)
//!                      *(SP string SP "(" string *(SP string) ")") ")"
//! esearch-response   = "ESEARCH" [search-correlator] [SP "UID"] *(SP search-return-data)
//! thread-list        = "(" (thread-members / thread-nested) ")"
//! thread-members     = nz-number *(SP nz-number) [SP thread-nested]
//! thread-nested      = 2*thread-list
//! quota-resource     = resource-name SP resource-usage SP resource-limit
//! ```

use std::borrow::Cow;

use crate::cursor::{Cursor, ParseError, ParseResult};
use crate::encode::Encoder;
use crate::status::StatusItem;
use crate::token::{AString, Atom, IString, Mailbox, SequenceSet};

/// A value the parser does not interpret, kept as its octets on the wire (a `tagged-ext-val`,
/// RFC 9051 §9, or any atom, string, literal or parenthesised list of them). The encoder
/// writes it back as it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawValue<'a>(pub Cow<'a, [u8]>);

impl<'a> RawValue<'a> {
    /// Parse one value: a parenthesised list (nested, within the depth limit), a quoted string,
    /// a literal, or a run of other non-space octets.
    pub fn parse(c: &mut Cursor<'a>) -> ParseResult<Self> {
        let start = c.pos();
        skip_value(c)?;
        Ok(RawValue(Cow::Borrowed(&c.input()[start..c.pos()])))
    }

    /// Write it.
    pub fn encode(&self, e: &mut Encoder) {
        e.raw(&self.0);
    }
}

fn is_raw_char(b: u8) -> bool {
    b > b' ' && !matches!(b, b'(' | b')' | b'"' | b'{' | 0x7f)
}

fn skip_value(c: &mut Cursor<'_>) -> ParseResult<()> {
    match c.peek()? {
        b'(' => {
            c.advance(1);
            c.enter()?;
            loop {
                match c.peek()? {
                    b')' => {
                        c.advance(1);
                        break;
                    }
                    b' ' => c.advance(1),
                    _ => skip_value(c)?,
                }
            }
            c.leave();
        }
        b'"' => {
            c.quoted()?;
        }
        b'{' => {
            c.literal()?;
        }
        b'~' if c.peek2()? == b'{' => {
            c.literal()?;
        }
        _ => {
            if c.take_while(is_raw_char)?.is_empty() {
                return Err(c.invalid("a value"));
            }
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// LIST

/// A mailbox attribute in a LIST/LSUB response (RFC 9051 §7.3.1, RFC 5258 §3, RFC 6154 §2,
/// RFC 3348, RFC 8457).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum MailboxAttribute<'a> {
    /// `\Noinferiors`: no child can exist.
    NoInferiors,
    /// `\Noselect`: the name cannot be selected.
    NoSelect,
    /// `\Marked`: probably new messages.
    Marked,
    /// `\Unmarked`: no new messages.
    Unmarked,
    /// `\NonExistent` (RFC 5258).
    NonExistent,
    /// `\Subscribed` (RFC 5258).
    Subscribed,
    /// `\Remote` (RFC 5258).
    Remote,
    /// `\HasChildren` (RFC 3348, RFC 5258).
    HasChildren,
    /// `\HasNoChildren` (RFC 3348, RFC 5258).
    HasNoChildren,
    /// `\All` (RFC 6154).
    All,
    /// `\Archive` (RFC 6154).
    Archive,
    /// `\Drafts` (RFC 6154).
    Drafts,
    /// `\Flagged` (RFC 6154).
    Flagged,
    /// `\Junk` (RFC 6154).
    Junk,
    /// `\Sent` (RFC 6154).
    Sent,
    /// `\Trash` (RFC 6154).
    Trash,
    /// `\Important` (RFC 8457).
    Important,
    /// Another `\`-attribute (its name without the backslash) or a bare atom.
    Extension(Atom<'a>),
}

/// A known attribute from its upper-case name (without the backslash).
fn known_attribute(upper: &[u8]) -> Option<MailboxAttribute<'static>> {
    Some(match upper {
        b"NOINFERIORS" => MailboxAttribute::NoInferiors,
        b"NOSELECT" => MailboxAttribute::NoSelect,
        b"MARKED" => MailboxAttribute::Marked,
        b"UNMARKED" => MailboxAttribute::Unmarked,
        b"NONEXISTENT" => MailboxAttribute::NonExistent,
        b"SUBSCRIBED" => MailboxAttribute::Subscribed,
        b"REMOTE" => MailboxAttribute::Remote,
        b"HASCHILDREN" => MailboxAttribute::HasChildren,
        b"HASNOCHILDREN" => MailboxAttribute::HasNoChildren,
        b"ALL" => MailboxAttribute::All,
        b"ARCHIVE" => MailboxAttribute::Archive,
        b"DRAFTS" => MailboxAttribute::Drafts,
        b"FLAGGED" => MailboxAttribute::Flagged,
        b"JUNK" => MailboxAttribute::Junk,
        b"SENT" => MailboxAttribute::Sent,
        b"TRASH" => MailboxAttribute::Trash,
        b"IMPORTANT" => MailboxAttribute::Important,
        _ => return None,
    })
}

impl<'a> MailboxAttribute<'a> {
    /// Parse `"\" atom` (a bare atom is accepted as an extension too).
    pub fn parse(c: &mut Cursor<'a>) -> ParseResult<Self> {
        c.eat(b'\\')?;
        let a = super::atom_bytes(c)?;
        let mut buf = [0u8; super::KEY_MAX];
        Ok(known_attribute(super::upper(a, &mut buf))
            .unwrap_or_else(|| MailboxAttribute::Extension(Atom::from_parsed(super::ascii_str(a)))))
    }

    /// Write `\name`.
    pub fn encode(&self, e: &mut Encoder) {
        e.byte(b'\\');
        match self {
            MailboxAttribute::Extension(a) => a.encode(e),
            known => {
                let name = match known {
                    MailboxAttribute::NoInferiors => "Noinferiors",
                    MailboxAttribute::NoSelect => "Noselect",
                    MailboxAttribute::Marked => "Marked",
                    MailboxAttribute::Unmarked => "Unmarked",
                    MailboxAttribute::NonExistent => "NonExistent",
                    MailboxAttribute::Subscribed => "Subscribed",
                    MailboxAttribute::Remote => "Remote",
                    MailboxAttribute::HasChildren => "HasChildren",
                    MailboxAttribute::HasNoChildren => "HasNoChildren",
                    MailboxAttribute::All => "All",
                    MailboxAttribute::Archive => "Archive",
                    MailboxAttribute::Drafts => "Drafts",
                    MailboxAttribute::Flagged => "Flagged",
                    MailboxAttribute::Junk => "Junk",
                    MailboxAttribute::Sent => "Sent",
                    MailboxAttribute::Trash => "Trash",
                    MailboxAttribute::Important => "Important",
                    MailboxAttribute::Extension(_) => "X",
                };
                e.raw(name.as_bytes());
            }
        }
    }
}

/// An item of `mbox-list-extended` (RFC 5258 §9).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListExtendedItem<'a> {
    /// `CHILDINFO ("SUBSCRIBED" ...)`: why a non-matching parent is listed (RFC 5258 §3.5).
    ChildInfo(Vec<IString<'a>>),
    /// `OLDNAME (mailbox)`: the name before a RENAME (RFC 5465 §5.4, RFC 9051 §7.3.1).
    OldName(Mailbox<'a>),
    /// Any other item, its value as sent.
    Other {
        /// The item's tag.
        tag: AString<'a>,
        /// Its value.
        value: RawValue<'a>,
    },
}

/// A LIST or LSUB response's data (RFC 9051 §7.3.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListItem<'a> {
    /// The attributes.
    pub attributes: Vec<MailboxAttribute<'a>>,
    /// The hierarchy delimiter; `None` for `NIL` (a flat namespace).
    pub delimiter: Option<char>,
    /// The mailbox name, as sent (modified UTF-7 or UTF-8).
    pub mailbox: Mailbox<'a>,
    /// LIST-EXTENDED data; empty when absent.
    pub extended: Vec<ListExtendedItem<'a>>,
}

/// `DQUOTE QUOTED-CHAR DQUOTE / nil`; `""` is taken as `NIL` (quirk).
fn delimiter(c: &mut Cursor<'_>) -> ParseResult<Option<char>> {
    if c.keyword(b"NIL")? {
        return Ok(None);
    }
    let at = c.pos();
    let q = c.quoted()?;
    let s = std::str::from_utf8(&q).map_err(|_| ParseError::Invalid {
        at,
        expected: "a hierarchy delimiter",
    })?;
    let mut chars = s.chars();
    match (chars.next(), chars.next()) {
        (None, _) => Ok(None),
        (Some(ch), None) => Ok(Some(ch)),
        _ => Err(ParseError::Invalid {
            at,
            expected: "one character as hierarchy delimiter",
        }),
    }
}

fn encode_delimiter(d: Option<char>, e: &mut Encoder) {
    match d {
        None => {
            e.raw(b"NIL");
        }
        Some(ch) => {
            let mut buf = [0u8; 4];
            e.quoted(ch.encode_utf8(&mut buf).as_bytes());
        }
    }
}

impl<'a> ListItem<'a> {
    /// Parse a `mailbox-list` (after `LIST SP`).
    pub fn parse(c: &mut Cursor<'a>) -> ParseResult<Self> {
        let attributes = c.paren_list(true, MailboxAttribute::parse)?;
        c.sp()?;
        let delimiter = delimiter(c)?;
        c.sp()?;
        let mailbox = Mailbox::parse(c)?;
        let mut extended = Vec::new();
        if c.peek()? == b' ' && c.peek2()? == b'(' {
            c.advance(1);
            extended = c.paren_list(true, |c| {
                let tag = AString::parse(c)?;
                c.sp()?;
                let b = tag.as_bytes();
                Ok(if b.eq_ignore_ascii_case(b"CHILDINFO") {
                    ListExtendedItem::ChildInfo(c.paren_list(false, IString::parse)?)
                } else if b.eq_ignore_ascii_case(b"OLDNAME") {
                    c.expect(b'(', "(")?;
                    let m = Mailbox::parse(c)?;
                    c.expect(b')', ")")?;
                    ListExtendedItem::OldName(m)
                } else {
                    ListExtendedItem::Other {
                        tag,
                        value: RawValue::parse(c)?,
                    }
                })
            })?;
        }
        Ok(ListItem {
            attributes,
            delimiter,
            mailbox,
            extended,
        })
    }

    /// Write a `mailbox-list`.
    pub fn encode(&self, e: &mut Encoder) {
        e.byte(b'(');
        for (i, a) in self.attributes.iter().enumerate() {
            if i > 0 {
                e.sp();
            }
            a.encode(e);
        }
        e.raw(b") ");
        encode_delimiter(self.delimiter, e);
        e.sp();
        self.mailbox.encode(e);
        if !self.extended.is_empty() {
            e.raw(b" (");
            for (i, x) in self.extended.iter().enumerate() {
                if i > 0 {
                    e.sp();
                }
                match x {
                    ListExtendedItem::ChildInfo(v) => {
                        e.raw(b"CHILDINFO (");
                        for (i, s) in v.iter().enumerate() {
                            if i > 0 {
                                e.sp();
                            }
                            s.encode(e);
                        }
                        e.byte(b')');
                    }
                    ListExtendedItem::OldName(m) => {
                        e.raw(b"OLDNAME (");
                        m.encode(e);
                        e.byte(b')');
                    }
                    ListExtendedItem::Other { tag, value } => {
                        tag.encode(e);
                        e.sp();
                        value.encode(e);
                    }
                }
            }
            e.byte(b')');
        }
    }
}

// ---------------------------------------------------------------------------------------------
// NAMESPACE

/// One namespace (RFC 2342 §5, RFC 9051 §7.3.5): a prefix and its hierarchy delimiter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamespaceDescr<'a> {
    /// The prefix (`""`, `"#shared/"`, ...).
    pub prefix: IString<'a>,
    /// The hierarchy delimiter; `None` for `NIL`.
    pub delimiter: Option<char>,
    /// `namespace-response-extension`s: a name and its values.
    pub extensions: Vec<(IString<'a>, Vec<IString<'a>>)>,
}

/// The three namespace lists of a NAMESPACE response; `NIL` is an empty list.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Namespace<'a> {
    /// The user's own namespaces.
    pub personal: Vec<NamespaceDescr<'a>>,
    /// Other users' namespaces.
    pub other: Vec<NamespaceDescr<'a>>,
    /// Shared namespaces.
    pub shared: Vec<NamespaceDescr<'a>>,
}

fn namespace_list<'a>(c: &mut Cursor<'a>) -> ParseResult<Vec<NamespaceDescr<'a>>> {
    if c.keyword(b"NIL")? {
        return Ok(Vec::new());
    }
    c.expect(b'(', "namespace or NIL")?;
    c.items_to_close(1, |c| {
        c.expect(b'(', "namespace-descr")?;
        let prefix = IString::parse(c)?;
        c.sp()?;
        let delimiter = delimiter(c)?;
        let mut extensions = Vec::new();
        while c.eat(b' ')? {
            if c.peek()? == b')' {
                break;
            }
            let name = IString::parse(c)?;
            c.sp()?;
            let values = c.paren_list(false, IString::parse)?;
            extensions.push((name, values));
        }
        c.expect(b')', ") closing a namespace-descr")?;
        Ok(NamespaceDescr {
            prefix,
            delimiter,
            extensions,
        })
    })
}

fn encode_namespace_list(list: &[NamespaceDescr<'_>], e: &mut Encoder) {
    if list.is_empty() {
        e.raw(b"NIL");
        return;
    }
    e.byte(b'(');
    for d in list {
        e.byte(b'(');
        d.prefix.encode(e);
        e.sp();
        encode_delimiter(d.delimiter, e);
        for (name, values) in &d.extensions {
            e.sp();
            name.encode(e);
            e.raw(b" (");
            for (i, v) in values.iter().enumerate() {
                if i > 0 {
                    e.sp();
                }
                v.encode(e);
            }
            e.byte(b')');
        }
        e.byte(b')');
    }
    e.byte(b')');
}

impl<'a> Namespace<'a> {
    /// Parse `namespace SP namespace SP namespace` (after `NAMESPACE SP`).
    pub fn parse(c: &mut Cursor<'a>) -> ParseResult<Self> {
        let personal = namespace_list(c)?;
        c.sp()?;
        let other = namespace_list(c)?;
        c.sp()?;
        let shared = namespace_list(c)?;
        Ok(Namespace {
            personal,
            other,
            shared,
        })
    }

    /// Write the three lists.
    pub fn encode(&self, e: &mut Encoder) {
        encode_namespace_list(&self.personal, e);
        e.sp();
        encode_namespace_list(&self.other, e);
        e.sp();
        encode_namespace_list(&self.shared, e);
    }
}

// ---------------------------------------------------------------------------------------------
// STATUS

/// One attribute of a STATUS response (RFC 9051 §7.3.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StatusValue<'a> {
    /// A known item and its value; `None` only for `APPENDLIMIT NIL` (RFC 7889 §4).
    Item(StatusItem, Option<u64>),
    /// An item this crate does not know (e.g. `MAILBOXID`, RFC 8474), its value as sent.
    Other {
        /// The item's name.
        name: Atom<'a>,
        /// Its value.
        value: RawValue<'a>,
    },
}

/// Parse `"(" [status-att-val *(SP status-att-val)] ")"`; a trailing space is accepted.
pub(super) fn status_values<'a>(c: &mut Cursor<'a>) -> ParseResult<Vec<StatusValue<'a>>> {
    c.paren_list(true, |c| {
        let name = super::atom_bytes(c)?;
        c.sp()?;
        Ok(match StatusItem::from_name(name) {
            Some(item) => {
                if c.keyword(b"NIL")? {
                    StatusValue::Item(item, None)
                } else {
                    StatusValue::Item(item, Some(c.number64()?))
                }
            }
            None => StatusValue::Other {
                name: Atom::from_parsed(super::ascii_str(name)),
                value: RawValue::parse(c)?,
            },
        })
    })
}

pub(super) fn encode_status_values(v: &[StatusValue<'_>], e: &mut Encoder) {
    e.byte(b'(');
    for (i, x) in v.iter().enumerate() {
        if i > 0 {
            e.sp();
        }
        match x {
            StatusValue::Item(item, value) => {
                item.encode(e);
                e.sp();
                match value {
                    Some(n) => {
                        e.number(*n);
                    }
                    None => {
                        e.raw(b"NIL");
                    }
                }
            }
            StatusValue::Other { name, value } => {
                name.encode(e);
                e.sp();
                value.encode(e);
            }
        }
    }
    e.byte(b')');
}

// ---------------------------------------------------------------------------------------------
// ESEARCH

/// One `search-return-data` item of ESEARCH (RFC 4731 §3.1, RFC 7162 §3.1.5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SearchReturnData<'a> {
    /// `MIN n`.
    Min(u32),
    /// `MAX n`.
    Max(u32),
    /// `ALL sequence-set`.
    All(SequenceSet),
    /// `COUNT n`.
    Count(u32),
    /// `MODSEQ n` (RFC 7162).
    ModSeq(u64),
    /// Any other `search-ret-data-ext` (e.g. `PARTIAL`, RFC 9394), as sent.
    Other {
        /// The name.
        name: Atom<'a>,
        /// The value.
        value: RawValue<'a>,
    },
}

/// An ESEARCH response (RFC 4731 §3.1, RFC 9051 §7.3.4).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Esearch<'a> {
    /// The tag of the SEARCH it answers (`(TAG "a1")`).
    pub tag: Option<IString<'a>>,
    /// `UID`: the numbers are UIDs.
    pub uid: bool,
    /// The return data.
    pub data: Vec<SearchReturnData<'a>>,
}

impl<'a> Esearch<'a> {
    /// Parse what follows `ESEARCH` (up to the end of the line, not consumed).
    pub fn parse(c: &mut Cursor<'a>) -> ParseResult<Self> {
        let mut out = Esearch::default();
        if c.peek()? == b' ' && c.peek2()? == b'(' {
            c.advance(2);
            if !c.keyword(b"TAG")? {
                return Err(c.invalid("TAG"));
            }
            c.sp()?;
            out.tag = Some(IString::parse(c)?);
            // RFC 7377 MULTISEARCH adds MAILBOX and UIDVALIDITY here: skipped.
            while c.eat(b' ')? {
                if c.peek()? != b')' {
                    skip_value(c)?;
                }
            }
            c.expect(b')', ") closing a search correlator")?;
        }
        while c.peek()? == b' ' {
            c.advance(1);
            if c.at_crlf()? {
                break;
            }
            let at = c.pos();
            let name = super::atom_bytes(c)?;
            let mut buf = [0u8; super::KEY_MAX];
            let key = super::upper(name, &mut buf);
            if key == b"UID" {
                if !out.data.is_empty() {
                    return Err(ParseError::Invalid {
                        at,
                        expected: "UID before the return data",
                    });
                }
                out.uid = true;
                continue;
            }
            c.sp()?;
            let item = match key {
                b"MIN" => SearchReturnData::Min(c.number()?),
                b"MAX" => SearchReturnData::Max(c.number()?),
                b"COUNT" => SearchReturnData::Count(c.number()?),
                b"ALL" => SearchReturnData::All(SequenceSet::parse(c)?),
                b"MODSEQ" => SearchReturnData::ModSeq(c.number64()?),
                _ => SearchReturnData::Other {
                    name: Atom::from_parsed(super::ascii_str(name)),
                    value: RawValue::parse(c)?,
                },
            };
            out.data.push(item);
        }
        Ok(out)
    }

    /// Write what follows `ESEARCH`.
    pub fn encode(&self, e: &mut Encoder) {
        if let Some(t) = &self.tag {
            e.raw(b" (TAG ");
            t.encode(e);
            e.byte(b')');
        }
        if self.uid {
            e.raw(b" UID");
        }
        for d in &self.data {
            e.sp();
            match d {
                SearchReturnData::Min(n) => {
                    e.raw(b"MIN ").number(u64::from(*n));
                }
                SearchReturnData::Max(n) => {
                    e.raw(b"MAX ").number(u64::from(*n));
                }
                SearchReturnData::Count(n) => {
                    e.raw(b"COUNT ").number(u64::from(*n));
                }
                SearchReturnData::ModSeq(n) => {
                    e.raw(b"MODSEQ ").number(*n);
                }
                SearchReturnData::All(s) => {
                    e.raw(b"ALL ");
                    s.encode(e);
                }
                SearchReturnData::Other { name, value } => {
                    name.encode(e);
                    e.sp();
                    value.encode(e);
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// THREAD

/// A thread (RFC 5256 §4): message numbers in a chain, then the branches that follow the last
/// of them. `(3 6 (4 23)(44 7 96))` is members `[3, 6]` and two children, `[4, 23]` and
/// `[44, 7, 96]`; `((3)(5))` has no members and two children.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Thread {
    /// The chain of messages, each the parent of the next.
    pub members: Vec<u32>,
    /// The branches after the last member (or siblings without a common parent).
    pub children: Vec<Thread>,
}

impl Thread {
    /// Parse a `thread-list`.
    pub fn parse(c: &mut Cursor<'_>) -> ParseResult<Self> {
        c.expect(b'(', "thread-list")?;
        c.enter()?;
        let mut t = Thread::default();
        loop {
            match c.peek()? {
                b')' => {
                    c.advance(1);
                    break;
                }
                b' ' => c.advance(1),
                b'(' => t.children.push(Thread::parse(c)?),
                b'0'..=b'9' if t.children.is_empty() => t.members.push(c.number()?),
                _ => return Err(c.invalid("thread-list")),
            }
        }
        c.leave();
        Ok(t)
    }

    /// Write it.
    pub fn encode(&self, e: &mut Encoder) {
        e.byte(b'(');
        for (i, m) in self.members.iter().enumerate() {
            if i > 0 {
                e.sp();
            }
            e.number(u64::from(*m));
        }
        if !self.members.is_empty() && !self.children.is_empty() {
            e.sp();
        }
        for t in &self.children {
            t.encode(e);
        }
        e.byte(b')');
    }
}

// ---------------------------------------------------------------------------------------------
// QUOTA

/// One resource of a QUOTA response (RFC 9208 §5.1): its name, usage and limit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuotaResource<'a> {
    /// `STORAGE` (in units of 1024 octets), `MESSAGE`, `MAILBOX`, `ANNOTATION-STORAGE`, ...
    pub name: Atom<'a>,
    /// The current usage.
    pub usage: u64,
    /// The limit.
    pub limit: u64,
}

impl<'a> QuotaResource<'a> {
    /// Parse `resource-name SP resource-usage SP resource-limit`.
    pub fn parse(c: &mut Cursor<'a>) -> ParseResult<Self> {
        let name = Atom::parse(c)?;
        c.sp()?;
        let usage = c.number64()?;
        c.sp()?;
        let limit = c.number64()?;
        Ok(QuotaResource { name, usage, limit })
    }

    /// Write it.
    pub fn encode(&self, e: &mut Encoder) {
        self.name.encode(e);
        e.sp().number(self.usage).sp().number(self.limit);
    }
}
