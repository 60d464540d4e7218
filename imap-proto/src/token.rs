//! Validated tokens of RFC 9051 §4 and §9: tags, atoms, strings, mailbox names, sequence sets,
//! flags and dates. Each can be parsed from a [`Cursor`] and written to an [`Encoder`]; the
//! constructors check the grammar, so a value of these types always encodes to valid syntax.
//!
//! Strings compare by their content, not by how they travelled: `"abc"`, `{3}\r\nabc` and the
//! atom `abc` are equal as [`AString`]s.

use std::borrow::Cow;
use std::fmt;
use std::num::NonZeroU32;

use crate::cursor::{Cursor, ParseError, ParseResult};
use crate::encode::Encoder;

// ---------------------------------------------------------------------------------------------
// Character classes (RFC 9051 §9)

const fn class_table(kind: u8) -> [bool; 256] {
    let mut t = [false; 256];
    let mut i = 0x21;
    while i < 0x7f {
        let b = i as u8;
        // atom-specials = "(" / ")" / "{" / SP / CTL / list-wildcards / quoted-specials / resp-specials
        let special = matches!(b, b'(' | b')' | b'{' | b'%' | b'*' | b'"' | b'\\' | b']');
        t[i] = match kind {
            // ATOM-CHAR
            0 => !special,
            // ASTRING-CHAR = ATOM-CHAR / resp-specials
            1 => !special || b == b']',
            // tag = 1*<any ASTRING-CHAR except "+">
            2 => (!special || b == b']') && b != b'+',
            // list-char = ATOM-CHAR / list-wildcards / resp-specials
            _ => !special || b == b']' || b == b'%' || b == b'*',
        };
        i += 1;
    }
    t
}

static ATOM_CHAR: [bool; 256] = class_table(0);
static ASTRING_CHAR: [bool; 256] = class_table(1);
static TAG_CHAR: [bool; 256] = class_table(2);
static LIST_CHAR: [bool; 256] = class_table(3);

/// `ATOM-CHAR`: any CHAR except atom-specials.
#[inline]
pub fn is_atom_char(b: u8) -> bool {
    ATOM_CHAR[b as usize]
}

/// `ASTRING-CHAR`: an ATOM-CHAR or `]`.
#[inline]
pub fn is_astring_char(b: u8) -> bool {
    ASTRING_CHAR[b as usize]
}

/// A character of a `tag`: an ASTRING-CHAR except `+`.
#[inline]
pub fn is_tag_char(b: u8) -> bool {
    TAG_CHAR[b as usize]
}

/// `list-char`: an ATOM-CHAR, a list wildcard (`%`, `*`) or `]`.
#[inline]
pub fn is_list_char(b: u8) -> bool {
    LIST_CHAR[b as usize]
}

/// A value that does not fit its token's grammar.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a valid {what}: {value:?}")]
pub struct TokenError {
    /// The token kind, in the RFC's words.
    pub what: &'static str,
    /// The offending value (lossy).
    pub value: String,
}

impl TokenError {
    fn new(what: &'static str, value: impl AsRef<[u8]>) -> Self {
        TokenError {
            what,
            value: String::from_utf8_lossy(value.as_ref()).into_owned(),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Tag and atom

/// A command tag (RFC 9051 §2.2.1): one or more ASTRING-CHARs except `+`.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Tag<'a>(Cow<'a, str>);

impl<'a> Tag<'a> {
    /// A tag, checked.
    pub fn new(s: impl Into<Cow<'a, str>>) -> Result<Self, TokenError> {
        let s = s.into();
        if s.is_empty() || !s.bytes().all(is_tag_char) {
            return Err(TokenError::new("tag", s.as_bytes()));
        }
        Ok(Tag(s))
    }

    /// The tag's text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// An owned copy.
    pub fn into_owned(self) -> Tag<'static> {
        Tag(Cow::Owned(self.0.into_owned()))
    }

    /// Parse a tag.
    pub fn parse(c: &mut Cursor<'a>) -> ParseResult<Self> {
        c.tag_chars().map(|s| Tag(Cow::Borrowed(s)))
    }

    /// Write the tag.
    pub fn encode(&self, e: &mut Encoder) {
        e.raw(self.0.as_bytes());
    }
}

impl fmt::Debug for Tag<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Tag({})", self.0)
    }
}

impl fmt::Display for Tag<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An `atom` (RFC 9051 §4.1): one or more ATOM-CHARs. Used for capabilities, keywords,
/// extension names and response codes.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Atom<'a>(Cow<'a, str>);

impl<'a> Atom<'a> {
    /// An atom, checked.
    pub fn new(s: impl Into<Cow<'a, str>>) -> Result<Self, TokenError> {
        let s = s.into();
        if s.is_empty() || !s.bytes().all(is_atom_char) {
            return Err(TokenError::new("atom", s.as_bytes()));
        }
        Ok(Atom(s))
    }

    /// An atom from text already checked by a parser.
    pub(crate) fn from_parsed(s: &'a str) -> Self {
        Atom(Cow::Borrowed(s))
    }

    /// The atom's text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether it equals `other` ignoring ASCII case (atoms are case-insensitive).
    pub fn eq_ignore_case(&self, other: &str) -> bool {
        self.0.eq_ignore_ascii_case(other)
    }

    /// An owned copy.
    pub fn into_owned(self) -> Atom<'static> {
        Atom(Cow::Owned(self.0.into_owned()))
    }

    /// Parse an atom.
    pub fn parse(c: &mut Cursor<'a>) -> ParseResult<Self> {
        c.atom().map(Atom::from_parsed)
    }

    /// Write the atom.
    pub fn encode(&self, e: &mut Encoder) {
        e.raw(self.0.as_bytes());
    }
}

impl fmt::Debug for Atom<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Atom({})", self.0)
    }
}

impl fmt::Display for Atom<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

// ---------------------------------------------------------------------------------------------
// Strings

/// How a literal travels (RFC 9051 §4.3, RFC 7888).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LiteralMode {
    /// `{n}`: the client waits for a continuation request before the octets.
    Sync,
    /// `{n+}`: LITERAL+/LITERAL-, no wait.
    NonSync,
}

/// A literal's octets (RFC 9051 §4.3), or with `binary` a `literal8` (RFC 3516 §4.1, `~{n}`)
/// that may contain NUL.
#[derive(Debug, Clone)]
pub struct Literal<'a> {
    /// The octets.
    pub data: Cow<'a, [u8]>,
    /// How it was (or is to be) announced.
    pub mode: LiteralMode,
    /// `~{n}`: may contain any octet.
    pub binary: bool,
}

impl PartialEq for Literal<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.data == other.data && self.binary == other.binary
    }
}

impl Eq for Literal<'_> {}

impl Literal<'_> {
    /// An owned copy.
    pub fn into_owned(self) -> Literal<'static> {
        Literal {
            data: Cow::Owned(self.data.into_owned()),
            mode: self.mode,
            binary: self.binary,
        }
    }
}

/// A `string` (RFC 9051 §4.3): quoted or literal. Compares by content.
#[derive(Debug, Clone)]
pub enum IString<'a> {
    /// `"..."`, escapes removed.
    Quoted(Cow<'a, [u8]>),
    /// `{n}\r\n...`.
    Literal(Literal<'a>),
}

impl<'a> IString<'a> {
    /// The string's octets.
    pub fn as_bytes(&self) -> &[u8] {
        match self {
            IString::Quoted(b) => b,
            IString::Literal(l) => &l.data,
        }
    }

    /// The octets as UTF-8 text, lossy.
    pub fn to_str_lossy(&self) -> Cow<'_, str> {
        String::from_utf8_lossy(self.as_bytes())
    }

    /// The octets, borrowed from the input when they were.
    pub fn into_bytes(self) -> Cow<'a, [u8]> {
        match self {
            IString::Quoted(b) => b,
            IString::Literal(l) => l.data,
        }
    }

    /// An owned copy.
    pub fn into_owned(self) -> IString<'static> {
        match self {
            IString::Quoted(b) => IString::Quoted(Cow::Owned(b.into_owned())),
            IString::Literal(l) => IString::Literal(l.into_owned()),
        }
    }

    /// Parse a `string`.
    pub fn parse(c: &mut Cursor<'a>) -> ParseResult<Self> {
        match c.peek()? {
            b'"' => c.quoted().map(IString::Quoted),
            b'{' | b'~' => c.literal().map(IString::Literal),
            _ => Err(c.invalid("string")),
        }
    }

    /// Write the string: a literal stays a literal; a quoted string that cannot be quoted
    /// under the encoder's settings becomes one.
    pub fn encode(&self, e: &mut Encoder) {
        match self {
            IString::Quoted(b) => {
                e.string(b);
            }
            IString::Literal(l) => {
                e.literal(&l.data, l.binary);
            }
        }
    }
}

impl PartialEq for IString<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl Eq for IString<'_> {}

impl<'a> From<&'a str> for IString<'a> {
    fn from(s: &'a str) -> Self {
        IString::Quoted(Cow::Borrowed(s.as_bytes()))
    }
}

impl From<String> for IString<'static> {
    fn from(s: String) -> Self {
        IString::Quoted(Cow::Owned(s.into_bytes()))
    }
}

/// An `astring` (RFC 9051 §9): an atom (ASTRING-CHARs) or a string. Compares by content.
#[derive(Debug, Clone)]
pub enum AString<'a> {
    /// One or more ASTRING-CHARs.
    Atom(Cow<'a, str>),
    /// A quoted string or literal.
    String(IString<'a>),
}

impl<'a> AString<'a> {
    /// The octets.
    pub fn as_bytes(&self) -> &[u8] {
        match self {
            AString::Atom(s) => s.as_bytes(),
            AString::String(s) => s.as_bytes(),
        }
    }

    /// The octets as UTF-8 text, lossy.
    pub fn to_str_lossy(&self) -> Cow<'_, str> {
        String::from_utf8_lossy(self.as_bytes())
    }

    /// The octets, borrowed from the input when they were.
    pub fn into_bytes(self) -> Cow<'a, [u8]> {
        match self {
            AString::Atom(Cow::Borrowed(s)) => Cow::Borrowed(s.as_bytes()),
            AString::Atom(Cow::Owned(s)) => Cow::Owned(s.into_bytes()),
            AString::String(s) => s.into_bytes(),
        }
    }

    /// An owned copy.
    pub fn into_owned(self) -> AString<'static> {
        match self {
            AString::Atom(s) => AString::Atom(Cow::Owned(s.into_owned())),
            AString::String(s) => AString::String(s.into_owned()),
        }
    }

    /// Parse an `astring`.
    pub fn parse(c: &mut Cursor<'a>) -> ParseResult<Self> {
        match c.peek()? {
            // `~` is an ASTRING-CHAR (`~/Mail/foo`, RFC 9051 §7.3.1); only `~{` is a literal8.
            b'"' | b'{' => IString::parse(c).map(AString::String),
            b'~' if c.peek2()? == b'{' => IString::parse(c).map(AString::String),
            _ => c.astring_atom().map(|s| AString::Atom(Cow::Borrowed(s))),
        }
    }

    /// Write it: as an atom when it can be one, else as a string.
    pub fn encode(&self, e: &mut Encoder) {
        match self {
            AString::String(IString::Literal(l)) => {
                e.literal(&l.data, l.binary);
            }
            _ => {
                e.astring(self.as_bytes());
            }
        }
    }
}

impl PartialEq for AString<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl Eq for AString<'_> {}

impl<'a> From<&'a str> for AString<'a> {
    fn from(s: &'a str) -> Self {
        if !s.is_empty() && s.bytes().all(is_astring_char) {
            AString::Atom(Cow::Borrowed(s))
        } else {
            AString::String(IString::Quoted(Cow::Borrowed(s.as_bytes())))
        }
    }
}

impl From<String> for AString<'static> {
    fn from(s: String) -> Self {
        if !s.is_empty() && s.bytes().all(is_astring_char) {
            AString::Atom(Cow::Owned(s))
        } else {
            AString::String(IString::Quoted(Cow::Owned(s.into_bytes())))
        }
    }
}

/// An `nstring` (RFC 9051 §9): `NIL` or a string.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NString<'a>(pub Option<IString<'a>>);

impl<'a> NString<'a> {
    /// `NIL`.
    pub const NIL: NString<'static> = NString(None);

    /// The octets, or `None` for `NIL`.
    pub fn as_bytes(&self) -> Option<&[u8]> {
        self.0.as_ref().map(|s| s.as_bytes())
    }

    /// An owned copy.
    pub fn into_owned(self) -> NString<'static> {
        NString(self.0.map(IString::into_owned))
    }

    /// Parse an `nstring`.
    pub fn parse(c: &mut Cursor<'a>) -> ParseResult<Self> {
        // A quoted string is the common case (envelopes, body structures): no NIL test first.
        if c.peek()? == b'"' {
            return c.quoted().map(|q| NString(Some(IString::Quoted(q))));
        }
        if c.keyword(b"NIL")? {
            return Ok(NString(None));
        }
        IString::parse(c).map(|s| NString(Some(s)))
    }

    /// Write it.
    pub fn encode(&self, e: &mut Encoder) {
        match &self.0 {
            None => {
                e.raw(b"NIL");
            }
            Some(s) => s.encode(e),
        }
    }
}

impl<'a> From<Option<&'a str>> for NString<'a> {
    fn from(s: Option<&'a str>) -> Self {
        NString(s.map(IString::from))
    }
}

// ---------------------------------------------------------------------------------------------
// Mailbox names

/// A mailbox name as it travels (RFC 9051 §5.1, §9 `mailbox`): `INBOX` in any case is the
/// inbox; any other name is an astring whose octets are modified UTF-7 (RFC 3501 §5.1.3) or,
/// under IMAP4rev2 / UTF8=ACCEPT (RFC 6855 §3), UTF-8.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mailbox<'a> {
    /// `INBOX`, whatever its case on the wire.
    Inbox,
    /// Another name, its octets as sent.
    Other(AString<'a>),
}

impl<'a> Mailbox<'a> {
    /// The mailbox named `name` (Unicode), as a client sends it: UTF-8 when `utf8` (the
    /// session is IMAP4rev2 or has UTF8=ACCEPT enabled), modified UTF-7 otherwise.
    pub fn from_name(name: &str, utf8: bool) -> Mailbox<'static> {
        if name.eq_ignore_ascii_case("INBOX") {
            return Mailbox::Inbox;
        }
        if utf8 {
            Mailbox::Other(AString::from(name.to_string()))
        } else {
            Mailbox::Other(AString::from(crate::utf7::encode(name).into_owned()))
        }
    }

    /// The wire octets (`INBOX` for the inbox).
    pub fn as_bytes(&self) -> &[u8] {
        match self {
            Mailbox::Inbox => b"INBOX",
            Mailbox::Other(s) => s.as_bytes(),
        }
    }

    /// The name as Unicode. With `utf8` the octets are UTF-8 (lossy if not); otherwise they are
    /// decoded as modified UTF-7, and a name that is not valid modified UTF-7 (a raw `&` sent by
    /// a client that assumed UTF8=ACCEPT, 8-bit octets) is taken as UTF-8 — see
    /// [`crate::quirks`].
    pub fn name(&self, utf8: bool) -> Cow<'_, str> {
        match self {
            Mailbox::Inbox => Cow::Borrowed("INBOX"),
            Mailbox::Other(s) => {
                let b = s.as_bytes();
                if !utf8 && let Some(name) = crate::utf7::decode(b) {
                    return name;
                }
                String::from_utf8_lossy(b)
            }
        }
    }

    /// An owned copy.
    pub fn into_owned(self) -> Mailbox<'static> {
        match self {
            Mailbox::Inbox => Mailbox::Inbox,
            Mailbox::Other(s) => Mailbox::Other(s.into_owned()),
        }
    }

    /// Parse a `mailbox`.
    pub fn parse(c: &mut Cursor<'a>) -> ParseResult<Self> {
        // `INBOX` as an atom (the usual case) is known without taking the atom as text.
        if let [i @ (b'I' | b'i'), n, b, o, x, next, ..] = *c.rest()
            && [i, n, b, o, x].eq_ignore_ascii_case(b"INBOX")
            && !is_astring_char(next)
        {
            c.advance(5);
            return Ok(Mailbox::Inbox);
        }
        let s = AString::parse(c)?;
        Ok(if s.as_bytes().eq_ignore_ascii_case(b"INBOX") {
            Mailbox::Inbox
        } else {
            Mailbox::Other(s)
        })
    }

    /// Write it.
    pub fn encode(&self, e: &mut Encoder) {
        match self {
            Mailbox::Inbox => {
                e.raw(b"INBOX");
            }
            Mailbox::Other(s) => s.encode(e),
        }
    }
}

impl<'a> From<&'a str> for Mailbox<'a> {
    /// The wire name `s`, as is (no UTF-7 conversion: see [`Mailbox::from_name`]).
    fn from(s: &'a str) -> Self {
        if s.eq_ignore_ascii_case("INBOX") {
            Mailbox::Inbox
        } else {
            Mailbox::Other(AString::from(s))
        }
    }
}

/// A `list-mailbox` pattern (RFC 9051 §6.3.9): list-chars (with `%` and `*`) or a string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListMailbox<'a>(pub AString<'a>);

impl<'a> ListMailbox<'a> {
    /// Parse a `list-mailbox`.
    pub fn parse(c: &mut Cursor<'a>) -> ParseResult<Self> {
        match c.peek()? {
            b'"' | b'{' => IString::parse(c).map(|s| ListMailbox(AString::String(s))),
            b'~' if c.peek2()? == b'{' => {
                IString::parse(c).map(|s| ListMailbox(AString::String(s)))
            }
            _ => {
                let b = c.take_while(is_list_char)?;
                if b.is_empty() {
                    return Err(c.invalid("list-mailbox"));
                }
                let s = std::str::from_utf8(b).map_err(|_| c.invalid("list-mailbox"))?;
                Ok(ListMailbox(AString::Atom(Cow::Borrowed(s))))
            }
        }
    }

    /// Write it.
    pub fn encode(&self, e: &mut Encoder) {
        let b = self.0.as_bytes();
        if !b.is_empty() && b.iter().all(|&x| is_list_char(x)) {
            e.raw(b);
        } else {
            self.0.encode(e);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Sequence sets

/// A message number or UID in a sequence set, or `*` (the largest in use).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SeqNo {
    /// A number.
    Value(NonZeroU32),
    /// `*`.
    Largest,
}

impl SeqNo {
    /// The number, `*` resolved to `largest`.
    pub fn resolve(self, largest: u32) -> u32 {
        match self {
            SeqNo::Value(v) => v.get(),
            SeqNo::Largest => largest,
        }
    }

    fn parse(c: &mut Cursor<'_>) -> ParseResult<Self> {
        if c.eat(b'*')? {
            Ok(SeqNo::Largest)
        } else {
            c.nz_number().map(SeqNo::Value)
        }
    }

    fn encode(self, e: &mut Encoder) {
        match self {
            SeqNo::Value(v) => {
                e.number(u64::from(v.get()));
            }
            SeqNo::Largest => {
                e.byte(b'*');
            }
        }
    }
}

impl SeqNo {
    /// A message number or UID; `None` for 0, which is neither.
    pub fn new(v: u32) -> Option<Self> {
        NonZeroU32::new(v).map(SeqNo::Value)
    }
}

/// One element of a sequence set: a number or a range `a:b` (either order, RFC 9051 §9).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SeqRange {
    /// One number.
    Single(SeqNo),
    /// From one to the other, inclusive, in either order.
    Range(SeqNo, SeqNo),
}

impl SeqRange {
    /// The inclusive bounds, low first, `*` resolved to `largest`.
    pub fn bounds(self, largest: u32) -> (u32, u32) {
        match self {
            SeqRange::Single(a) => {
                let a = a.resolve(largest);
                (a, a)
            }
            SeqRange::Range(a, b) => {
                let (a, b) = (a.resolve(largest), b.resolve(largest));
                (a.min(b), a.max(b))
            }
        }
    }
}

/// A `sequence-set` (RFC 9051 §9), or `$`, the saved search result (RFC 5182 SEARCHRES).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SequenceSet {
    /// `$`.
    Saved,
    /// One or more numbers and ranges.
    Ranges(Vec<SeqRange>),
}

impl SequenceSet {
    /// One number.
    pub fn single(n: NonZeroU32) -> Self {
        SequenceSet::Ranges(vec![SeqRange::Single(SeqNo::Value(n))])
    }

    /// `a:b`.
    pub fn range(a: SeqNo, b: SeqNo) -> Self {
        SequenceSet::Ranges(vec![SeqRange::Range(a, b)])
    }

    /// `1:*`.
    pub fn all() -> Self {
        Self::range(SeqNo::Value(NonZeroU32::MIN), SeqNo::Largest)
    }

    /// Whether `n` is in the set, `*` resolved to `largest` (`false` for `$`).
    pub fn contains(&self, n: u32, largest: u32) -> bool {
        match self {
            SequenceSet::Saved => false,
            SequenceSet::Ranges(r) => r.iter().any(|r| {
                let (lo, hi) = r.bounds(largest);
                lo <= n && n <= hi
            }),
        }
    }

    /// Parse a `sequence-set` or `$`.
    pub fn parse(c: &mut Cursor<'_>) -> ParseResult<Self> {
        if c.eat(b'$')? {
            return Ok(SequenceSet::Saved);
        }
        let mut out = Vec::with_capacity(2);
        loop {
            let a = SeqNo::parse(c)?;
            let r = if c.eat(b':')? {
                SeqRange::Range(a, SeqNo::parse(c)?)
            } else {
                SeqRange::Single(a)
            };
            out.push(r);
            if !c.eat(b',')? {
                break;
            }
        }
        Ok(SequenceSet::Ranges(out))
    }

    /// Write it.
    pub fn encode(&self, e: &mut Encoder) {
        match self {
            SequenceSet::Saved => {
                e.byte(b'$');
            }
            SequenceSet::Ranges(r) => {
                for (i, r) in r.iter().enumerate() {
                    if i > 0 {
                        e.byte(b',');
                    }
                    match *r {
                        SeqRange::Single(a) => a.encode(e),
                        SeqRange::Range(a, b) => {
                            a.encode(e);
                            e.byte(b':');
                            b.encode(e);
                        }
                    }
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Flags

/// A message flag (RFC 9051 §2.3.2): a system flag, a keyword, or a `\`-extension flag.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Flag<'a> {
    /// `\Seen`.
    Seen,
    /// `\Answered`.
    Answered,
    /// `\Flagged`.
    Flagged,
    /// `\Deleted`.
    Deleted,
    /// `\Draft`.
    Draft,
    /// `\Recent` (IMAP4rev1 only; in FETCH responses and PERMANENTFLAGS, never set by clients).
    Recent,
    /// A keyword: an atom such as `$Forwarded` or `NonJunk` (case kept, compared
    /// case-insensitively by servers).
    Keyword(Atom<'a>),
    /// `\` followed by another atom (flag-extension).
    Extension(Atom<'a>),
}

impl<'a> Flag<'a> {
    /// Parse a `flag` (or `flag-fetch`, which adds `\Recent`).
    pub fn parse(c: &mut Cursor<'a>) -> ParseResult<Self> {
        if c.eat(b'\\')? {
            let a = c.atom()?;
            let b = a.as_bytes();
            Ok(if b.eq_ignore_ascii_case(b"Seen") {
                Flag::Seen
            } else if b.eq_ignore_ascii_case(b"Answered") {
                Flag::Answered
            } else if b.eq_ignore_ascii_case(b"Flagged") {
                Flag::Flagged
            } else if b.eq_ignore_ascii_case(b"Deleted") {
                Flag::Deleted
            } else if b.eq_ignore_ascii_case(b"Draft") {
                Flag::Draft
            } else if b.eq_ignore_ascii_case(b"Recent") {
                Flag::Recent
            } else {
                Flag::Extension(Atom::from_parsed(a))
            })
        } else {
            Atom::parse(c).map(Flag::Keyword)
        }
    }

    /// The flag as it is written.
    pub fn as_str(&self) -> &str {
        match self {
            Flag::Seen => "\\Seen",
            Flag::Answered => "\\Answered",
            Flag::Flagged => "\\Flagged",
            Flag::Deleted => "\\Deleted",
            Flag::Draft => "\\Draft",
            Flag::Recent => "\\Recent",
            Flag::Keyword(a) => a.as_str(),
            Flag::Extension(a) => a.as_str(),
        }
    }

    /// Write it.
    pub fn encode(&self, e: &mut Encoder) {
        if let Flag::Extension(a) = self {
            e.byte(b'\\');
            e.raw(a.as_str().as_bytes());
        } else {
            e.raw(self.as_str().as_bytes());
        }
    }

    /// An owned copy.
    pub fn into_owned(self) -> Flag<'static> {
        match self {
            Flag::Seen => Flag::Seen,
            Flag::Answered => Flag::Answered,
            Flag::Flagged => Flag::Flagged,
            Flag::Deleted => Flag::Deleted,
            Flag::Draft => Flag::Draft,
            Flag::Recent => Flag::Recent,
            Flag::Keyword(a) => Flag::Keyword(a.into_owned()),
            Flag::Extension(a) => Flag::Extension(a.into_owned()),
        }
    }

    /// Parse `"(" [flag *(SP flag)] ")"`.
    pub fn parse_list(c: &mut Cursor<'a>) -> ParseResult<Vec<Self>> {
        c.paren_list(true, Flag::parse)
    }

    /// Write `"(" [flag *(SP flag)] ")"`.
    pub fn encode_list(flags: &[Flag<'_>], e: &mut Encoder) {
        e.byte(b'(');
        for (i, f) in flags.iter().enumerate() {
            if i > 0 {
                e.sp();
            }
            f.encode(e);
        }
        e.byte(b')');
    }
}

/// A `flag-perm` (RFC 9051 §7.1, PERMANENTFLAGS): a flag, or `\*` (new keywords allowed).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum FlagPerm<'a> {
    /// A flag.
    Flag(Flag<'a>),
    /// `\*`.
    Any,
}

impl<'a> FlagPerm<'a> {
    /// Parse a `flag-perm`.
    pub fn parse(c: &mut Cursor<'a>) -> ParseResult<Self> {
        if c.peek()? == b'\\' && c.peek2()? == b'*' {
            c.advance(2);
            return Ok(FlagPerm::Any);
        }
        Flag::parse(c).map(FlagPerm::Flag)
    }

    /// Write it.
    pub fn encode(&self, e: &mut Encoder) {
        match self {
            FlagPerm::Flag(f) => f.encode(e),
            FlagPerm::Any => {
                e.raw(b"\\*");
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Dates

const MONTHS: [&[u8; 3]; 12] = [
    b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov", b"Dec",
];

/// A `date` (RFC 9051 §9, SEARCH keys): day, month, year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Date {
    /// Year (4 digits).
    pub year: u16,
    /// Month, 1–12.
    pub month: u8,
    /// Day of month, 1–31.
    pub day: u8,
}

impl Date {
    /// A date, checked.
    pub fn new(year: u16, month: u8, day: u8) -> Result<Self, TokenError> {
        if !(1..=12).contains(&month) || !(1..=31).contains(&day) || year > 9999 {
            return Err(TokenError::new(
                "date",
                format!("{year:04}-{month:02}-{day:02}"),
            ));
        }
        Ok(Date { year, month, day })
    }

    fn parse_month(c: &mut Cursor<'_>) -> ParseResult<u8> {
        let r = c.rest();
        if r.len() < 3 {
            return Err(ParseError::Incomplete);
        }
        let m = MONTHS
            .iter()
            .position(|m| r[..3].eq_ignore_ascii_case(&m[..]))
            .ok_or_else(|| c.invalid("date-month"))?;
        c.advance(3);
        Ok(m as u8 + 1)
    }

    fn parse_digits(c: &mut Cursor<'_>, min: usize, max: usize) -> ParseResult<u32> {
        let at = c.pos();
        let d = c.take_while(|b| b.is_ascii_digit())?;
        if d.len() < min || d.len() > max {
            return Err(ParseError::Invalid {
                at,
                expected: "digits of a date",
            });
        }
        Ok(d.iter().fold(0, |v, &b| v * 10 + u32::from(b - b'0')))
    }

    /// Parse `date` = date-text / DQUOTE date-text DQUOTE, date-text = date-day "-" date-month "-" date-year.
    pub fn parse(c: &mut Cursor<'_>) -> ParseResult<Self> {
        let quoted = c.eat(b'"')?;
        let at = c.pos();
        let day = Self::parse_digits(c, 1, 2)?;
        c.expect(b'-', "- in a date")?;
        let month = Self::parse_month(c)?;
        c.expect(b'-', "- in a date")?;
        let year = Self::parse_digits(c, 4, 4)?;
        if quoted {
            c.expect(b'"', "closing quote of a date")?;
        }
        Date::new(year as u16, month, day as u8).map_err(|_| ParseError::Invalid {
            at,
            expected: "a valid date",
        })
    }

    /// `date-year = 4DIGIT`: years before 1000 keep their leading zeros.
    fn encode_year(&self, e: &mut Encoder) {
        let y = self.year;
        e.byte(b'0' + (y / 1000 % 10) as u8)
            .byte(b'0' + (y / 100 % 10) as u8)
            .byte(b'0' + (y / 10 % 10) as u8)
            .byte(b'0' + (y % 10) as u8);
    }

    /// Write `d-Mon-yyyy`.
    pub fn encode(&self, e: &mut Encoder) {
        e.number(u64::from(self.day));
        e.byte(b'-');
        e.raw(MONTHS[usize::from(self.month - 1)]);
        e.byte(b'-');
        self.encode_year(e);
    }
}

/// A `date-time` (RFC 9051 §9, INTERNALDATE, APPEND): `"dd-Mon-yyyy hh:mm:ss +zzzz"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DateTime {
    /// The date.
    pub date: Date,
    /// Hour, 0–23.
    pub hour: u8,
    /// Minute, 0–59.
    pub minute: u8,
    /// Second, 0–60.
    pub second: u8,
    /// Offset from UTC in minutes (`+0200` is 120).
    pub offset_minutes: i16,
}

impl DateTime {
    /// Seconds since the Unix epoch.
    pub fn unix_timestamp(&self) -> i64 {
        let d = &self.date;
        // Days from civil (Howard Hinnant's algorithm).
        let y = i64::from(d.year) - i64::from(d.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(d.month);
        let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + i64::from(d.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        let days = era * 146097 + doe - 719468;
        days * 86400
            + i64::from(self.hour) * 3600
            + i64::from(self.minute) * 60
            + i64::from(self.second)
            - i64::from(self.offset_minutes) * 60
    }

    /// Parse a quoted `date-time`. A one-digit day may be written with a leading space (`date-day-fixed`).
    pub fn parse(c: &mut Cursor<'_>) -> ParseResult<Self> {
        if let Some(fields) = Self::fixed(c.rest()) {
            let at = c.pos() + 1;
            c.advance(28);
            return Self::checked(fields, at);
        }
        c.expect(b'"', "date-time")?;
        let at = c.pos();
        c.eat(b' ')?;
        let day = Date::parse_digits(c, 1, 2)?;
        c.expect(b'-', "- in a date-time")?;
        let month = Date::parse_month(c)?;
        c.expect(b'-', "- in a date-time")?;
        let year = Date::parse_digits(c, 4, 4)?;
        c.sp()?;
        let hour = Date::parse_digits(c, 2, 2)?;
        c.expect(b':', ": in a time")?;
        let minute = Date::parse_digits(c, 2, 2)?;
        c.expect(b':', ": in a time")?;
        let second = Date::parse_digits(c, 2, 2)?;
        c.sp()?;
        let sign = match c.peek()? {
            b'+' => 1,
            b'-' => -1,
            _ => return Err(c.invalid("zone")),
        };
        c.advance(1);
        let zone = Date::parse_digits(c, 4, 4)?;
        c.expect(b'"', "closing quote of a date-time")?;
        Self::checked((day, month, year, hour, minute, second, sign, zone), at)
    }

    /// The fields of the usual form, `"dd-Mon-yyyy hh:mm:ss +zzzz"` (28 octets, the day maybe
    /// with a leading space), read at fixed offsets; `None` for anything else, which the
    /// general parser then reads (or refuses).
    #[allow(clippy::type_complexity)]
    fn fixed(r: &[u8]) -> Option<(u32, u8, u32, u32, u32, u32, i16, u32)> {
        let r = r.get(..28)?;
        let sign = match r[22] {
            b'+' => 1,
            b'-' => -1,
            _ => return None,
        };
        if r[0] != b'"' || r[3] != b'-' || r[7] != b'-' || r[12] != b' ' || r[15] != b':' {
            return None;
        }
        if r[18] != b':' || r[21] != b' ' || r[27] != b'"' {
            return None;
        }
        let d = |i: usize| -> Option<u32> {
            let v = r[i].wrapping_sub(b'0');
            (v < 10).then_some(u32::from(v))
        };
        let n2 = |i: usize| Some(d(i)? * 10 + d(i + 1)?);
        let day = if r[1] == b' ' { d(2)? } else { n2(1)? };
        let month = MONTHS
            .iter()
            .position(|m| r[4..7].eq_ignore_ascii_case(&m[..]))? as u8
            + 1;
        let year = n2(8)? * 100 + n2(10)?;
        let zone = n2(23)? * 100 + n2(25)?;
        Some((day, month, year, n2(13)?, n2(16)?, n2(19)?, sign, zone))
    }

    /// A date-time from its fields, checked.
    #[allow(clippy::type_complexity)]
    fn checked(
        (day, month, year, hour, minute, second, sign, zone): (
            u32,
            u8,
            u32,
            u32,
            u32,
            u32,
            i16,
            u32,
        ),
        at: usize,
    ) -> ParseResult<Self> {
        let bad = ParseError::Invalid {
            at,
            expected: "a valid date-time",
        };
        let date = Date::new(year as u16, month, day as u8).map_err(|_| bad)?;
        if hour > 23 || minute > 59 || second > 60 || zone % 100 > 59 {
            return Err(bad);
        }
        Ok(DateTime {
            date,
            hour: hour as u8,
            minute: minute as u8,
            second: second as u8,
            offset_minutes: sign * ((zone / 100) * 60 + zone % 100) as i16,
        })
    }

    /// Write `"dd-Mon-yyyy hh:mm:ss +zzzz"`.
    pub fn encode(&self, e: &mut Encoder) {
        let two = |e: &mut Encoder, v: u8| {
            e.byte(b'0' + v / 10).byte(b'0' + v % 10);
        };
        e.byte(b'"');
        two(e, self.date.day);
        e.byte(b'-');
        e.raw(MONTHS[usize::from(self.date.month - 1)]);
        e.byte(b'-');
        self.date.encode_year(e);
        e.sp();
        two(e, self.hour);
        e.byte(b':');
        two(e, self.minute);
        e.byte(b':');
        two(e, self.second);
        e.sp();
        let off = self.offset_minutes;
        e.byte(if off < 0 { b'-' } else { b'+' });
        let a = off.unsigned_abs();
        two(e, (a / 60) as u8);
        two(e, (a % 60) as u8);
        e.byte(b'"');
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encode::encoded as enc;

    #[test]
    fn classes() {
        assert!(is_atom_char(b'a') && !is_atom_char(b']') && !is_atom_char(b'%'));
        assert!(is_astring_char(b']') && !is_astring_char(b'{'));
        assert!(!is_tag_char(b'+') && is_tag_char(b'A'));
        assert!(is_list_char(b'%') && is_list_char(b'*') && !is_list_char(b'"'));
        assert!(!is_atom_char(0x80) && !is_atom_char(b' ') && !is_atom_char(0x7f));
    }

    #[test]
    fn tags_and_atoms_are_checked() {
        assert!(Tag::new("a001").is_ok());
        assert!(Tag::new("a+1").is_err());
        assert!(Tag::new("").is_err());
        assert!(Atom::new("NIL").is_ok());
        assert!(Atom::new("a]").is_err());
    }

    #[test]
    fn astring_forms_compare_by_content() {
        let mut c = Cursor::new(b"abc \"abc\" {3}\r\nabc ");
        let a = AString::parse(&mut c).unwrap();
        c.sp().unwrap();
        let b = AString::parse(&mut c).unwrap();
        c.sp().unwrap();
        let l = AString::parse(&mut c).unwrap();
        assert_eq!(a, b);
        assert_eq!(b, l);
        assert!(matches!(l, AString::String(IString::Literal(_))));
        assert_eq!(enc(|e| l.encode(e)), b"{3}\r\nabc");
        assert_eq!(enc(|e| b.encode(e)), b"abc");
    }

    #[test]
    fn nstring_nil_and_string() {
        let mut c = Cursor::new(b"NIL \"NIL\" ");
        assert_eq!(NString::parse(&mut c).unwrap(), NString::NIL);
        c.sp().unwrap();
        assert_eq!(
            NString::parse(&mut c).unwrap().as_bytes(),
            Some(&b"NIL"[..])
        );
    }

    #[test]
    fn mailbox_inbox_any_case_and_utf7() {
        let mut c = Cursor::new(b"iNbOx ");
        assert_eq!(Mailbox::parse(&mut c).unwrap(), Mailbox::Inbox);
        assert_eq!(c.pos(), 5);
        // The INBOX shortcut ends where the atom would: not before more ASTRING-CHARs, and
        // not without the octet after it.
        for (input, want, used) in [
            (&b"inbox)"[..], Ok(Mailbox::Inbox), 5),
            (b"\"INBOX\" ", Ok(Mailbox::Inbox), 7),
            (b"INBOX2 ", Ok(Mailbox::from("INBOX2")), 6),
            (b"INBOX] ", Ok(Mailbox::from("INBOX]")), 6),
            (b"INBOX", Err(ParseError::Incomplete), 0),
        ] {
            let mut c = Cursor::new(input);
            assert_eq!(Mailbox::parse(&mut c), want, "{input:?}");
            assert_eq!(c.pos(), used, "{input:?}");
        }
        // RFC 3501 §5.1.3 example.
        let m = Mailbox::from("~peter/mail/&U,BTFw-/&ZeVnLIqe-");
        assert_eq!(m.name(false), "~peter/mail/台北/日本語");
        assert_eq!(
            Mailbox::from_name("~peter/mail/台北/日本語", false).as_bytes(),
            b"~peter/mail/&U,BTFw-/&ZeVnLIqe-"
        );
        // Raw "&" (a client that assumed UTF8=ACCEPT): kept as UTF-8.
        assert_eq!(Mailbox::from("Tom & Jerry").name(false), "Tom & Jerry");
        assert_eq!(
            Mailbox::from_name("Entwürfe", true).as_bytes(),
            "Entwürfe".as_bytes()
        );
    }

    #[test]
    fn sequence_sets() {
        let mut c = Cursor::new(b"1,3:5,7:*,* ");
        let s = SequenceSet::parse(&mut c).unwrap();
        assert_eq!(enc(|e| s.encode(e)), b"1,3:5,7:*,*");
        assert!(s.contains(4, 10) && !s.contains(6, 10) && s.contains(10, 10));
        assert_eq!(
            SequenceSet::parse(&mut Cursor::new(b"$ ")),
            Ok(SequenceSet::Saved)
        );
        assert!(SequenceSet::parse(&mut Cursor::new(b"0 ")).is_err());
        assert_eq!(
            SequenceSet::parse(&mut Cursor::new(b"1:")),
            Err(ParseError::Incomplete)
        );
        assert_eq!(
            SeqRange::Range(SeqNo::Largest, SeqNo::new(3).unwrap()).bounds(9),
            (3, 9)
        );
    }

    #[test]
    fn flags() {
        let mut c = Cursor::new(b"(\\Seen \\answered $Forwarded \\X-Custom) ");
        let f = Flag::parse_list(&mut c).unwrap();
        assert_eq!(f[0], Flag::Seen);
        assert_eq!(f[1], Flag::Answered);
        assert!(matches!(&f[2], Flag::Keyword(a) if a.as_str() == "$Forwarded"));
        assert!(matches!(&f[3], Flag::Extension(a) if a.as_str() == "X-Custom"));
        assert_eq!(
            enc(|e| Flag::encode_list(&f, e)),
            b"(\\Seen \\Answered $Forwarded \\X-Custom)"
        );
        let mut c = Cursor::new(b"\\* ");
        assert_eq!(FlagPerm::parse(&mut c).unwrap(), FlagPerm::Any);
    }

    #[test]
    fn dates() {
        let mut c = Cursor::new(b"\"17-Jul-1996 02:44:25 -0700\"");
        let d = DateTime::parse(&mut c).unwrap();
        assert_eq!(d.offset_minutes, -420);
        assert_eq!(enc(|e| d.encode(e)), b"\"17-Jul-1996 02:44:25 -0700\"");
        assert_eq!(d.unix_timestamp(), 837_596_665);
        let mut c = Cursor::new(b"\" 7-Feb-1994 21:52:25 +0000\"");
        assert_eq!(DateTime::parse(&mut c).unwrap().date.day, 7);
        let mut c = Cursor::new(b"1-Feb-1994 ");
        let d = Date::parse(&mut c).unwrap();
        assert_eq!(enc(|e| d.encode(e)), b"1-Feb-1994");
        assert!(Date::parse(&mut Cursor::new(b"32-Feb-1994 ")).is_err());
        // Four-digit years stay four digits (found by the command fuzzer).
        let d = Date::parse(&mut Cursor::new(b"5-Mar-0420 ")).unwrap();
        assert_eq!(enc(|e| d.encode(e)), b"5-Mar-0420");
        assert!(Date::parse(&mut Cursor::new(b"1-Fob-1994 ")).is_err());
    }

    #[test]
    fn date_time_fixed_and_general_forms_agree() {
        let p = |s: &[u8]| DateTime::parse(&mut Cursor::new(s));
        let a = p(b"\"07-Jul-1996 02:44:25 -0700\" ").unwrap();
        assert_eq!(p(b"\" 7-Jul-1996 02:44:25 -0700\" ").unwrap(), a);
        assert_eq!(p(b"\"7-jul-1996 02:44:25 -0700\" ").unwrap(), a);
        assert_eq!(a.offset_minutes, -420);
        assert_eq!(a.date, Date::new(1996, 7, 7).unwrap());
        for bad in [
            &b"\"32-Jul-1996 02:44:25 -0700\" "[..],
            b"\"17-Jul-1996 24:44:25 -0700\" ",
            b"\"17-Jul-1996 02:44:25 -0760\" ",
            b"\"17-Jux-1996 02:44:25 -0700\" ",
        ] {
            assert!(matches!(p(bad), Err(ParseError::Invalid { .. })), "{bad:?}");
        }
        assert_eq!(
            p(b"\"17-Jul-1996 02:44:25 -070"),
            Err(ParseError::Incomplete)
        );
    }
}
