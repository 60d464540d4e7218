//! SEARCH keys and return options (RFC 9051 §6.4.4, RFC 4731 ESEARCH, RFC 5182 SEARCHRES,
//! RFC 7162 MODSEQ, RFC 5032 WITHIN) and the SORT/THREAD criteria (RFC 5256 §3, RFC 5957).
//!
//! ```text
//! search-key = "ALL" / "ANSWERED" / "BCC" SP astring / "BEFORE" SP date / "BODY" SP astring /
//!              "CC" SP astring / "DELETED" / "FLAGGED" / "FROM" SP astring /
//!              "KEYWORD" SP flag-keyword / "ON" SP date / "SEEN" / "SINCE" SP date /
//!              "SUBJECT" SP astring / "TEXT" SP astring / "TO" SP astring / "UNANSWERED" /
//!              "UNDELETED" / "UNFLAGGED" / "UNKEYWORD" SP flag-keyword / "UNSEEN" / "DRAFT" /
//!              "HEADER" SP header-fld-name SP astring / "LARGER" SP number64 /
//!              "NOT" SP search-key / "OR" SP search-key SP search-key /
//!              "SENTBEFORE" SP date / "SENTON" SP date / "SENTSINCE" SP date /
//!              "SMALLER" SP number64 / "UID" SP sequence-set / "UNDRAFT" / sequence-set /
//!              "(" search-key *(SP search-key) ")"
//!            / "NEW" / "OLD" / "RECENT"                          ; RFC 3501
//!            / "MODSEQ" [SP entry-name SP entry-type-req] SP mod-sequence-valzer ; RFC 7162
//!            / "OLDER" SP nz-number / "YOUNGER" SP nz-number      ; RFC 5032
//! search-return-opt = "MIN" / "MAX" / "ALL" / "COUNT" / "SAVE"
//! sort-criterion    = ["REVERSE" SP] sort-key
//! sort-key          = "ARRIVAL" / "CC" / "DATE" / "FROM" / "SIZE" / "SUBJECT" / "TO"
//!                   / "DISPLAYFROM" / "DISPLAYTO"                 ; RFC 5957
//! thread-alg        = "ORDEREDSUBJECT" / "REFERENCES" / thread-alg-ext
//! ```
//!
//! Nesting (`NOT`, `OR`, parentheses) counts against the cursor's depth limit.

use std::num::NonZeroU32;

use crate::cursor::{Cursor, ParseError, ParseResult};
use crate::encode::Encoder;
use crate::token::{AString, Atom, Date, IString, SequenceSet};

use super::upper;

/// The `entry-type-req` of a MODSEQ search key (RFC 7162 §3.1.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EntryType {
    /// `priv`: the private metadata item.
    Private,
    /// `shared`: the shared metadata item.
    Shared,
    /// `all`: either.
    All,
}

impl EntryType {
    fn as_str(self) -> &'static str {
        match self {
            EntryType::Private => "priv",
            EntryType::Shared => "shared",
            EntryType::All => "all",
        }
    }
}

/// A search key (RFC 9051 §6.4.4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SearchKey<'a> {
    /// `ALL`.
    All,
    /// `ANSWERED`.
    Answered,
    /// `BCC string`.
    Bcc(AString<'a>),
    /// `BEFORE date` (internal date).
    Before(Date),
    /// `BODY string`.
    Body(AString<'a>),
    /// `CC string`.
    Cc(AString<'a>),
    /// `DELETED`.
    Deleted,
    /// `DRAFT`.
    Draft,
    /// `FLAGGED`.
    Flagged,
    /// `FROM string`.
    From(AString<'a>),
    /// `HEADER field-name string`.
    Header(AString<'a>, AString<'a>),
    /// `KEYWORD flag`.
    Keyword(Atom<'a>),
    /// `LARGER n`.
    Larger(u64),
    /// `NEW` (RFC 3501).
    New,
    /// `NOT key`.
    Not(Box<SearchKey<'a>>),
    /// `OLD` (RFC 3501).
    Old,
    /// `ON date`.
    On(Date),
    /// `OR key key`.
    Or(Box<SearchKey<'a>>, Box<SearchKey<'a>>),
    /// `RECENT` (RFC 3501).
    Recent,
    /// `SEEN`.
    Seen,
    /// `SENTBEFORE date`.
    SentBefore(Date),
    /// `SENTON date`.
    SentOn(Date),
    /// `SENTSINCE date`.
    SentSince(Date),
    /// `SINCE date`.
    Since(Date),
    /// `SMALLER n`.
    Smaller(u64),
    /// `SUBJECT string`.
    Subject(AString<'a>),
    /// `TEXT string`.
    Text(AString<'a>),
    /// `TO string`.
    To(AString<'a>),
    /// `UID set`.
    Uid(SequenceSet),
    /// `UNANSWERED`.
    Unanswered,
    /// `UNDELETED`.
    Undeleted,
    /// `UNDRAFT`.
    Undraft,
    /// `UNFLAGGED`.
    Unflagged,
    /// `UNKEYWORD flag`.
    Unkeyword(Atom<'a>),
    /// `UNSEEN`.
    Unseen,
    /// A bare sequence set (message numbers, or `$`).
    SequenceSet(SequenceSet),
    /// `(key key ...)`: all must match.
    And(Vec<SearchKey<'a>>),
    /// `MODSEQ ["/flags/..." type] n` (RFC 7162 §3.1.5).
    ModSeq {
        /// The metadata item (`"/flags/\\Draft"`) and its type, if given.
        entry: Option<(IString<'a>, EntryType)>,
        /// Messages with a mod-sequence at least this.
        mod_seq: u64,
    },
    /// `OLDER seconds` (RFC 5032 WITHIN).
    Older(NonZeroU32),
    /// `YOUNGER seconds` (RFC 5032 WITHIN).
    Younger(NonZeroU32),
}

impl<'a> SearchKey<'a> {
    /// Parse one `search-key`.
    pub fn parse(c: &mut Cursor<'a>) -> ParseResult<Self> {
        use SearchKey as K;
        match c.peek()? {
            b'(' => return c.paren_list(false, Self::parse).map(K::And),
            b'0'..=b'9' | b'*' | b'$' => return SequenceSet::parse(c).map(K::SequenceSet),
            _ => {}
        }
        let at = c.pos();
        let word = c.atom()?;
        let mut buf = [0u8; 24];
        let Some(up) = upper(word.as_bytes(), &mut buf) else {
            return Err(ParseError::Invalid {
                at,
                expected: "search-key",
            });
        };
        let key = match up {
            b"ALL" => K::All,
            b"ANSWERED" => K::Answered,
            b"DELETED" => K::Deleted,
            b"DRAFT" => K::Draft,
            b"FLAGGED" => K::Flagged,
            b"NEW" => K::New,
            b"OLD" => K::Old,
            b"RECENT" => K::Recent,
            b"SEEN" => K::Seen,
            b"UNANSWERED" => K::Unanswered,
            b"UNDELETED" => K::Undeleted,
            b"UNDRAFT" => K::Undraft,
            b"UNFLAGGED" => K::Unflagged,
            b"UNSEEN" => K::Unseen,
            b"BCC" => K::Bcc(arg_astring(c)?),
            b"BODY" => K::Body(arg_astring(c)?),
            b"CC" => K::Cc(arg_astring(c)?),
            b"FROM" => K::From(arg_astring(c)?),
            b"SUBJECT" => K::Subject(arg_astring(c)?),
            b"TEXT" => K::Text(arg_astring(c)?),
            b"TO" => K::To(arg_astring(c)?),
            b"HEADER" => {
                let name = arg_astring(c)?;
                K::Header(name, arg_astring(c)?)
            }
            b"BEFORE" => K::Before(arg_date(c)?),
            b"ON" => K::On(arg_date(c)?),
            b"SINCE" => K::Since(arg_date(c)?),
            b"SENTBEFORE" => K::SentBefore(arg_date(c)?),
            b"SENTON" => K::SentOn(arg_date(c)?),
            b"SENTSINCE" => K::SentSince(arg_date(c)?),
            b"KEYWORD" => {
                c.sp()?;
                K::Keyword(Atom::parse(c)?)
            }
            b"UNKEYWORD" => {
                c.sp()?;
                K::Unkeyword(Atom::parse(c)?)
            }
            b"LARGER" => {
                c.sp()?;
                K::Larger(c.number64()?)
            }
            b"SMALLER" => {
                c.sp()?;
                K::Smaller(c.number64()?)
            }
            b"OLDER" => {
                c.sp()?;
                K::Older(c.nz_number()?)
            }
            b"YOUNGER" => {
                c.sp()?;
                K::Younger(c.nz_number()?)
            }
            b"UID" => {
                c.sp()?;
                K::Uid(SequenceSet::parse(c)?)
            }
            b"NOT" => {
                c.sp()?;
                c.enter()?;
                let k = Self::parse(c)?;
                c.leave();
                K::Not(Box::new(k))
            }
            b"OR" => {
                c.sp()?;
                c.enter()?;
                let a = Self::parse(c)?;
                c.sp()?;
                let b = Self::parse(c)?;
                c.leave();
                K::Or(Box::new(a), Box::new(b))
            }
            b"MODSEQ" => {
                c.sp()?;
                let entry = if c.peek()? == b'"' {
                    let name = IString::parse(c)?;
                    c.sp()?;
                    let at = c.pos();
                    let t = c.atom()?;
                    let t = if t.eq_ignore_ascii_case("priv") {
                        EntryType::Private
                    } else if t.eq_ignore_ascii_case("shared") {
                        EntryType::Shared
                    } else if t.eq_ignore_ascii_case("all") {
                        EntryType::All
                    } else {
                        return Err(ParseError::Invalid {
                            at,
                            expected: "entry-type-req (priv, shared or all)",
                        });
                    };
                    c.sp()?;
                    Some((name, t))
                } else {
                    None
                };
                K::ModSeq {
                    entry,
                    mod_seq: c.number64()?,
                }
            }
            _ => {
                return Err(ParseError::Invalid {
                    at,
                    expected: "search-key",
                });
            }
        };
        Ok(key)
    }

    /// Write the key.
    pub fn encode(&self, e: &mut Encoder) {
        use SearchKey as K;
        let word = |e: &mut Encoder, w: &str, s: &AString<'_>| {
            e.raw(w.as_bytes()).sp();
            s.encode(e);
        };
        let date = |e: &mut Encoder, w: &str, d: &Date| {
            e.raw(w.as_bytes()).sp();
            d.encode(e);
        };
        let flag: &[u8] = match self {
            K::All => b"ALL",
            K::Answered => b"ANSWERED",
            K::Deleted => b"DELETED",
            K::Draft => b"DRAFT",
            K::Flagged => b"FLAGGED",
            K::New => b"NEW",
            K::Old => b"OLD",
            K::Recent => b"RECENT",
            K::Seen => b"SEEN",
            K::Unanswered => b"UNANSWERED",
            K::Undeleted => b"UNDELETED",
            K::Undraft => b"UNDRAFT",
            K::Unflagged => b"UNFLAGGED",
            K::Unseen => b"UNSEEN",
            _ => b"",
        };
        if !flag.is_empty() {
            e.raw(flag);
            return;
        }
        match self {
            K::Bcc(s) => word(e, "BCC", s),
            K::Body(s) => word(e, "BODY", s),
            K::Cc(s) => word(e, "CC", s),
            K::From(s) => word(e, "FROM", s),
            K::Subject(s) => word(e, "SUBJECT", s),
            K::Text(s) => word(e, "TEXT", s),
            K::To(s) => word(e, "TO", s),
            K::Header(n, v) => {
                word(e, "HEADER", n);
                e.sp();
                v.encode(e);
            }
            K::Before(d) => date(e, "BEFORE", d),
            K::On(d) => date(e, "ON", d),
            K::Since(d) => date(e, "SINCE", d),
            K::SentBefore(d) => date(e, "SENTBEFORE", d),
            K::SentOn(d) => date(e, "SENTON", d),
            K::SentSince(d) => date(e, "SENTSINCE", d),
            K::Keyword(a) => {
                e.raw(b"KEYWORD ").raw(a.as_str().as_bytes());
            }
            K::Unkeyword(a) => {
                e.raw(b"UNKEYWORD ").raw(a.as_str().as_bytes());
            }
            K::Larger(n) => {
                e.raw(b"LARGER ").number(*n);
            }
            K::Smaller(n) => {
                e.raw(b"SMALLER ").number(*n);
            }
            K::Older(n) => {
                e.raw(b"OLDER ").number(u64::from(n.get()));
            }
            K::Younger(n) => {
                e.raw(b"YOUNGER ").number(u64::from(n.get()));
            }
            K::Uid(s) => {
                e.raw(b"UID ");
                s.encode(e);
            }
            K::SequenceSet(s) => s.encode(e),
            K::Not(k) => {
                e.raw(b"NOT ");
                k.encode(e);
            }
            K::Or(a, b) => {
                e.raw(b"OR ");
                a.encode(e);
                e.sp();
                b.encode(e);
            }
            K::And(keys) => {
                e.byte(b'(');
                encode_keys(keys, e);
                e.byte(b')');
            }
            K::ModSeq { entry, mod_seq } => {
                e.raw(b"MODSEQ ");
                if let Some((name, t)) = entry {
                    // entry-name is always quoted.
                    e.quoted(name.as_bytes());
                    e.sp().raw(t.as_str().as_bytes()).sp();
                }
                e.number(*mod_seq);
            }
            _ => {}
        }
    }

    /// An owned copy.
    pub fn into_owned(self) -> SearchKey<'static> {
        use SearchKey as K;
        match self {
            K::All => K::All,
            K::Answered => K::Answered,
            K::Deleted => K::Deleted,
            K::Draft => K::Draft,
            K::Flagged => K::Flagged,
            K::New => K::New,
            K::Old => K::Old,
            K::Recent => K::Recent,
            K::Seen => K::Seen,
            K::Unanswered => K::Unanswered,
            K::Undeleted => K::Undeleted,
            K::Undraft => K::Undraft,
            K::Unflagged => K::Unflagged,
            K::Unseen => K::Unseen,
            K::Bcc(s) => K::Bcc(s.into_owned()),
            K::Body(s) => K::Body(s.into_owned()),
            K::Cc(s) => K::Cc(s.into_owned()),
            K::From(s) => K::From(s.into_owned()),
            K::Subject(s) => K::Subject(s.into_owned()),
            K::Text(s) => K::Text(s.into_owned()),
            K::To(s) => K::To(s.into_owned()),
            K::Header(n, v) => K::Header(n.into_owned(), v.into_owned()),
            K::Before(d) => K::Before(d),
            K::On(d) => K::On(d),
            K::Since(d) => K::Since(d),
            K::SentBefore(d) => K::SentBefore(d),
            K::SentOn(d) => K::SentOn(d),
            K::SentSince(d) => K::SentSince(d),
            K::Keyword(a) => K::Keyword(a.into_owned()),
            K::Unkeyword(a) => K::Unkeyword(a.into_owned()),
            K::Larger(n) => K::Larger(n),
            K::Smaller(n) => K::Smaller(n),
            K::Older(n) => K::Older(n),
            K::Younger(n) => K::Younger(n),
            K::Uid(s) => K::Uid(s),
            K::SequenceSet(s) => K::SequenceSet(s),
            K::Not(k) => K::Not(Box::new(k.into_owned())),
            K::Or(a, b) => K::Or(Box::new(a.into_owned()), Box::new(b.into_owned())),
            K::And(v) => K::And(v.into_iter().map(SearchKey::into_owned).collect()),
            K::ModSeq { entry, mod_seq } => K::ModSeq {
                entry: entry.map(|(n, t)| (n.into_owned(), t)),
                mod_seq,
            },
        }
    }
}

fn arg_astring<'a>(c: &mut Cursor<'a>) -> ParseResult<AString<'a>> {
    c.sp()?;
    AString::parse(c)
}

fn arg_date(c: &mut Cursor<'_>) -> ParseResult<Date> {
    c.sp()?;
    Date::parse(c)
}

/// Parse `search-key *(SP search-key)` up to the end of the command (the CRLF is left).
pub(crate) fn parse_keys<'a>(c: &mut Cursor<'a>) -> ParseResult<Vec<SearchKey<'a>>> {
    let mut keys = Vec::with_capacity(2);
    loop {
        keys.push(SearchKey::parse(c)?);
        if c.at_crlf()? {
            return Ok(keys);
        }
        c.sp()?;
    }
}

/// Write `search-key *(SP search-key)`.
pub(crate) fn encode_keys(keys: &[SearchKey<'_>], e: &mut Encoder) {
    for (i, k) in keys.iter().enumerate() {
        if i > 0 {
            e.sp();
        }
        k.encode(e);
    }
}

/// A `search-return-opt` (RFC 4731 §3.1, RFC 5182 §2, RFC 9051 §6.4.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SearchReturnOption {
    /// `MIN`: the lowest matching number.
    Min,
    /// `MAX`: the highest matching number.
    Max,
    /// `ALL`: all matches, as a sequence set.
    All,
    /// `COUNT`: how many match.
    Count,
    /// `SAVE`: keep the result as `$` (RFC 5182 SEARCHRES).
    Save,
}

impl SearchReturnOption {
    /// The option's name.
    pub fn as_str(self) -> &'static str {
        match self {
            SearchReturnOption::Min => "MIN",
            SearchReturnOption::Max => "MAX",
            SearchReturnOption::All => "ALL",
            SearchReturnOption::Count => "COUNT",
            SearchReturnOption::Save => "SAVE",
        }
    }

    /// Parse a `search-return-opt`.
    pub fn parse(c: &mut Cursor<'_>) -> ParseResult<Self> {
        let at = c.pos();
        let w = c.atom()?;
        [
            SearchReturnOption::Min,
            SearchReturnOption::Max,
            SearchReturnOption::All,
            SearchReturnOption::Count,
            SearchReturnOption::Save,
        ]
        .into_iter()
        .find(|o| o.as_str().eq_ignore_ascii_case(w))
        .ok_or(ParseError::Invalid {
            at,
            expected: "search-return-opt (MIN, MAX, ALL, COUNT or SAVE)",
        })
    }
}

/// A SORT key (RFC 5256 §3, RFC 5957 §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SortKey {
    /// `ARRIVAL`: internal date.
    Arrival,
    /// `CC`: first Cc mailbox.
    Cc,
    /// `DATE`: sent date.
    Date,
    /// `FROM`: first From mailbox.
    From,
    /// `SIZE`: RFC822.SIZE.
    Size,
    /// `SUBJECT`: base subject.
    Subject,
    /// `TO`: first To mailbox.
    To,
    /// `DISPLAYFROM`: display name of the first From (RFC 5957).
    DisplayFrom,
    /// `DISPLAYTO`: display name of the first To (RFC 5957).
    DisplayTo,
}

impl SortKey {
    const ALL: [SortKey; 9] = [
        SortKey::Arrival,
        SortKey::Cc,
        SortKey::Date,
        SortKey::From,
        SortKey::Size,
        SortKey::Subject,
        SortKey::To,
        SortKey::DisplayFrom,
        SortKey::DisplayTo,
    ];

    /// The key's name.
    pub fn as_str(self) -> &'static str {
        match self {
            SortKey::Arrival => "ARRIVAL",
            SortKey::Cc => "CC",
            SortKey::Date => "DATE",
            SortKey::From => "FROM",
            SortKey::Size => "SIZE",
            SortKey::Subject => "SUBJECT",
            SortKey::To => "TO",
            SortKey::DisplayFrom => "DISPLAYFROM",
            SortKey::DisplayTo => "DISPLAYTO",
        }
    }
}

/// A `sort-criterion` (RFC 5256 §3): `["REVERSE" SP] sort-key`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SortCriterion {
    /// `REVERSE`.
    pub reverse: bool,
    /// The key.
    pub key: SortKey,
}

impl SortCriterion {
    /// Parse a `sort-criterion`.
    pub fn parse(c: &mut Cursor<'_>) -> ParseResult<Self> {
        let reverse = c.keyword(b"REVERSE")?;
        if reverse {
            c.sp()?;
        }
        let at = c.pos();
        let w = c.atom()?;
        let key = SortKey::ALL
            .into_iter()
            .find(|k| k.as_str().eq_ignore_ascii_case(w))
            .ok_or(ParseError::Invalid {
                at,
                expected: "sort-key",
            })?;
        Ok(SortCriterion { reverse, key })
    }

    /// Write it.
    pub fn encode(&self, e: &mut Encoder) {
        if self.reverse {
            e.raw(b"REVERSE ");
        }
        e.raw(self.key.as_str().as_bytes());
    }
}

/// A threading algorithm (RFC 5256 §3, `thread-alg`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ThreadAlgorithm<'a> {
    /// `ORDEREDSUBJECT`.
    OrderedSubject,
    /// `REFERENCES`.
    References,
    /// Another algorithm (`REFS`, ...).
    Other(Atom<'a>),
}

impl<'a> ThreadAlgorithm<'a> {
    /// Parse a `thread-alg`.
    pub fn parse(c: &mut Cursor<'a>) -> ParseResult<Self> {
        let a = Atom::parse(c)?;
        Ok(if a.eq_ignore_case("ORDEREDSUBJECT") {
            ThreadAlgorithm::OrderedSubject
        } else if a.eq_ignore_case("REFERENCES") {
            ThreadAlgorithm::References
        } else {
            ThreadAlgorithm::Other(a)
        })
    }

    /// Write it.
    pub fn encode(&self, e: &mut Encoder) {
        match self {
            ThreadAlgorithm::OrderedSubject => e.raw(b"ORDEREDSUBJECT"),
            ThreadAlgorithm::References => e.raw(b"REFERENCES"),
            ThreadAlgorithm::Other(a) => e.raw(a.as_str().as_bytes()),
        };
    }

    /// An owned copy.
    pub fn into_owned(self) -> ThreadAlgorithm<'static> {
        match self {
            ThreadAlgorithm::OrderedSubject => ThreadAlgorithm::OrderedSubject,
            ThreadAlgorithm::References => ThreadAlgorithm::References,
            ThreadAlgorithm::Other(a) => ThreadAlgorithm::Other(a.into_owned()),
        }
    }
}
