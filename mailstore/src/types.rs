//! Plain data exchanged through the [`Account`](crate::Account) trait.

use std::collections::BTreeSet;
use std::ops::RangeInclusive;
use std::time::SystemTime;

/// A message flag: one of the IMAP system flags (RFC 9051 §2.3.2) or a keyword.
///
/// `\Recent` is not modelled (IMAP4rev2 dropped it).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Flag {
    /// `\Seen`; Maildir info letter `S`.
    Seen,
    /// `\Answered`; Maildir `R` (replied).
    Answered,
    /// `\Flagged`; Maildir `F`.
    Flagged,
    /// `\Deleted`; Maildir `T` (trashed).
    Deleted,
    /// `\Draft`; Maildir `D`.
    Draft,
    /// A keyword (an IMAP atom such as `$Forwarded` or `$Junk`), case preserved.
    Keyword(String),
}

impl Flag {
    /// Parses the IMAP spelling (`\Seen`, case-insensitive for system flags; anything else is a keyword).
    ///
    /// Returns `None` for strings that cannot be an IMAP flag atom (empty, spaces, controls,
    /// `(){%*"\]`, or an unknown `\`-flag).
    pub fn parse(s: &str) -> Option<Flag> {
        let sys = [
            ("\\seen", Flag::Seen),
            ("\\answered", Flag::Answered),
            ("\\flagged", Flag::Flagged),
            ("\\deleted", Flag::Deleted),
            ("\\draft", Flag::Draft),
        ];
        for (name, flag) in sys {
            if s.eq_ignore_ascii_case(name) {
                return Some(flag);
            }
        }
        let atom_ok = !s.is_empty()
            && s.len() <= 200
            && s.bytes()
                .all(|b| b > b' ' && b < 0x7f && !b"(){%*\"\\]".contains(&b));
        atom_ok.then(|| Flag::Keyword(s.to_string()))
    }

    /// The IMAP spelling.
    pub fn as_imap(&self) -> &str {
        match self {
            Flag::Seen => "\\Seen",
            Flag::Answered => "\\Answered",
            Flag::Flagged => "\\Flagged",
            Flag::Deleted => "\\Deleted",
            Flag::Draft => "\\Draft",
            Flag::Keyword(k) => k,
        }
    }
}

/// A set of flags, in a stable order.
pub type Flags = BTreeSet<Flag>;

/// Builds a [`Flags`] set from flags.
pub fn flags<I: IntoIterator<Item = Flag>>(items: I) -> Flags {
    items.into_iter().collect()
}

/// Special-use attributes of RFC 6154 (and `\All`/`\Flagged` for completeness).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SpecialUse {
    /// `\All`
    All,
    /// `\Archive`
    Archive,
    /// `\Drafts`
    Drafts,
    /// `\Flagged`
    Flagged,
    /// `\Junk`
    Junk,
    /// `\Sent`
    Sent,
    /// `\Trash`
    Trash,
}

impl SpecialUse {
    /// Every attribute, for iteration.
    pub const ALL: [SpecialUse; 7] = [
        SpecialUse::All,
        SpecialUse::Archive,
        SpecialUse::Drafts,
        SpecialUse::Flagged,
        SpecialUse::Junk,
        SpecialUse::Sent,
        SpecialUse::Trash,
    ];

    /// The IMAP spelling (`\Sent`).
    pub fn as_imap(self) -> &'static str {
        match self {
            SpecialUse::All => "\\All",
            SpecialUse::Archive => "\\Archive",
            SpecialUse::Drafts => "\\Drafts",
            SpecialUse::Flagged => "\\Flagged",
            SpecialUse::Junk => "\\Junk",
            SpecialUse::Sent => "\\Sent",
            SpecialUse::Trash => "\\Trash",
        }
    }

    /// Parses the IMAP spelling, case-insensitively.
    pub fn parse(s: &str) -> Option<SpecialUse> {
        SpecialUse::ALL
            .into_iter()
            .find(|u| u.as_imap().eq_ignore_ascii_case(s))
    }
}

/// One mailbox as returned by [`Account::list`](crate::Account::list).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailboxInfo {
    /// Full name with the account's hierarchy separator (`Archive.2026`), `INBOX` for the inbox.
    pub name: String,
    /// The special use, if any.
    pub special_use: Option<SpecialUse>,
    /// Whether the user subscribed to it.
    pub subscribed: bool,
    /// Whether other mailboxes exist below it (`\HasChildren` / `\HasNoChildren`).
    pub has_children: bool,
    /// False for a parent that exists only as part of its children's names (IMAP `\Noselect`).
    pub selectable: bool,
}

/// Counters of one mailbox (IMAP STATUS / SELECT, POP3 STAT).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MailboxStatus {
    /// UIDVALIDITY: changes only when the UIDs of this mailbox were lost and re-assigned.
    pub uid_validity: u32,
    /// The UID the next message will get (never goes down).
    pub uid_next: u32,
    /// Number of messages.
    pub messages: u32,
    /// Messages without `\Seen`.
    pub unseen: u32,
    /// Messages with `\Deleted`.
    pub deleted: u32,
    /// Sum of the messages' [`MessageMeta::size`]s.
    pub size: u64,
    /// HIGHESTMODSEQ (RFC 7162): rises with every change to the mailbox; at least 1.
    pub highest_modseq: u64,
}

/// What the store knows about one message without reading it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageMeta {
    /// The UID (RFC 9051 §2.3.1.1), stable for the mailbox's UIDVALIDITY.
    pub uid: u32,
    /// Current flags and keywords.
    pub flags: Flags,
    /// Size in octets with CRLF line ends: `RFC822.SIZE` (RFC 9051 §7.5.2) and the POP3 `LIST`
    /// size (RFC 1939 §5), which is what a server sends after turning bare LFs of the stored
    /// message into CRLF. For a message stored with CRLF line ends it equals the length that
    /// [`Account::read`](crate::Account::read) returns; see [`rfc822_size`](crate::rfc822_size).
    pub size: u64,
    /// INTERNALDATE.
    pub internal_date: SystemTime,
    /// The modification sequence of the last change to this message (RFC 7162 MODSEQ).
    pub modseq: u64,
    /// A unique id that never changes for this message in this mailbox (POP3 UIDL, at most
    /// 70 printable ASCII characters): `<uidvalidity>.<uid>`.
    pub unique_id: String,
}

/// A message's UID, MODSEQ and flags in compact form: what an IMAP server keeps of each message
/// of a selected mailbox (RFC 9051 §2.3.1.1 UID, §2.3.2 flags; RFC 7162 §3.1.1 MODSEQ), without
/// the per-message allocations of [`MessageMeta`] ([`Account::flag_snapshot`](crate::Account::flag_snapshot)).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageFlags {
    /// The UID.
    pub uid: u32,
    /// The modification sequence of the last change to this message.
    pub modseq: u64,
    /// The system flags as bits: bit *i* set for [`SYSTEM_FLAGS`]`[i]`.
    pub system: u8,
    /// The keywords, case preserved, in [`Flags`] order (empty without allocating when none).
    pub keywords: Box<[String]>,
}

/// The system flags in the bit order of [`MessageFlags::system`].
pub const SYSTEM_FLAGS: [Flag; 5] = [
    Flag::Seen,
    Flag::Answered,
    Flag::Flagged,
    Flag::Deleted,
    Flag::Draft,
];

impl MessageFlags {
    /// The compact form of a message's UID, MODSEQ and flags.
    pub fn new(uid: u32, modseq: u64, flags: &Flags) -> MessageFlags {
        let mut system = 0u8;
        let mut keywords = Vec::new();
        for f in flags {
            match f {
                Flag::Seen => system |= 1 << 0,
                Flag::Answered => system |= 1 << 1,
                Flag::Flagged => system |= 1 << 2,
                Flag::Deleted => system |= 1 << 3,
                Flag::Draft => system |= 1 << 4,
                Flag::Keyword(k) => keywords.push(k.clone()),
            }
        }
        MessageFlags {
            uid,
            modseq,
            system,
            keywords: keywords.into_boxed_slice(),
        }
    }

    /// The flags as a [`Flags`] set.
    pub fn flags(&self) -> Flags {
        SYSTEM_FLAGS
            .iter()
            .enumerate()
            .filter(|(i, _)| self.system & (1 << i) != 0)
            .map(|(_, f)| f.clone())
            .chain(self.keywords.iter().cloned().map(Flag::Keyword))
            .collect()
    }
}

/// A mailbox's counters and every message's [`MessageFlags`] in UID order, taken at one instant
/// (one lock of the index): what SELECT builds its view from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlagSnapshot {
    /// The counters, consistent with `messages`.
    pub status: MailboxStatus,
    /// Every message, ascending UIDs.
    pub messages: Vec<MessageFlags>,
}

/// A set of UIDs as IMAP writes it (`1:4,7,10:*`); `*` is given as `u32::MAX`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UidSet {
    ranges: Vec<RangeInclusive<u32>>,
}

impl UidSet {
    /// The empty set.
    pub fn new() -> UidSet {
        UidSet::default()
    }
    /// Every UID (`1:*`).
    pub fn all() -> UidSet {
        UidSet::range(1, u32::MAX)
    }
    /// One UID.
    pub fn single(uid: u32) -> UidSet {
        UidSet::range(uid, uid)
    }
    /// `a:b` in either order, as IMAP allows.
    pub fn range(a: u32, b: u32) -> UidSet {
        UidSet {
            ranges: vec![a.min(b)..=a.max(b)],
        }
    }
    /// Adds `a:b` to the set.
    pub fn push_range(&mut self, a: u32, b: u32) {
        self.ranges.push(a.min(b)..=a.max(b));
    }
    /// Whether `uid` is in the set.
    pub fn contains(&self, uid: u32) -> bool {
        self.ranges.iter().any(|r| r.contains(&uid))
    }
    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }
    /// The ranges as given.
    pub fn ranges(&self) -> &[RangeInclusive<u32>] {
        &self.ranges
    }
}

impl FromIterator<u32> for UidSet {
    fn from_iter<T: IntoIterator<Item = u32>>(iter: T) -> Self {
        UidSet {
            ranges: iter.into_iter().map(|u| u..=u).collect(),
        }
    }
}

/// How [`Account::store_flags`](crate::Account::store_flags) combines the given flags with the current ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlagOp {
    /// `FLAGS`: replace.
    Set,
    /// `+FLAGS`: add.
    Add,
    /// `-FLAGS`: remove.
    Remove,
}

/// Options of [`Account::append`](crate::Account::append).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AppendOptions {
    /// Initial flags.
    pub flags: Flags,
    /// INTERNALDATE; now if `None`.
    pub internal_date: Option<SystemTime>,
}

/// The message given to [`Account::append`](crate::Account::append).
pub enum MessageSource {
    /// The whole message in memory.
    Bytes(bytes::Bytes),
    /// A stream of the message, read to its end (and never held whole in memory by the backends).
    Reader(Box<dyn tokio::io::AsyncRead + Send + Unpin>),
}

impl std::fmt::Debug for MessageSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            MessageSource::Bytes(b) => write!(f, "Bytes({} bytes)", b.len()),
            MessageSource::Reader(_) => f.write_str("Reader"),
        }
    }
}

impl From<Vec<u8>> for MessageSource {
    fn from(v: Vec<u8>) -> Self {
        MessageSource::Bytes(v.into())
    }
}
impl From<&'static [u8]> for MessageSource {
    fn from(v: &'static [u8]) -> Self {
        MessageSource::Bytes(bytes::Bytes::from_static(v))
    }
}
impl From<bytes::Bytes> for MessageSource {
    fn from(v: bytes::Bytes) -> Self {
        MessageSource::Bytes(v)
    }
}

/// Result of a flag change on one message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlagUpdate {
    /// The message.
    pub uid: u32,
    /// Its flags after the change.
    pub flags: Flags,
    /// Its new MODSEQ.
    pub modseq: u64,
}

/// Result of [`Account::store_flags`](crate::Account::store_flags).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StoreOutcome {
    /// Messages whose flags were examined, with their flags after the call (unchanged ones too,
    /// so the IMAP server can answer `FETCH (FLAGS ...)`; their modseq is then the old one).
    pub updated: Vec<FlagUpdate>,
    /// UIDs not changed because their MODSEQ was above `unchanged_since` (CONDSTORE `MODIFIED`).
    pub modified: Vec<u32>,
}

/// Result of [`Account::copy`](crate::Account::copy) and [`Account::move_messages`](crate::Account::move_messages): the UIDPLUS `COPYUID` data.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CopyOutcome {
    /// The destination's UIDVALIDITY.
    pub uid_validity: u32,
    /// `(source UID, destination UID)` pairs in source UID order.
    pub uids: Vec<(u32, u32)>,
}

/// What changed in a mailbox since a given MODSEQ (QRESYNC, IDLE).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ChangeSet {
    /// The mailbox's HIGHESTMODSEQ at the time of the call.
    pub highest_modseq: u64,
    /// Messages appended or re-flagged after the given MODSEQ, in UID order.
    pub changed: Vec<MessageMeta>,
    /// UIDs expunged after the given MODSEQ, ascending.
    pub expunged: Vec<u32>,
}

/// One event of the change feed ([`crate::watch`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// A message arrived (from any writer).
    New(MessageMeta),
    /// A known message's flags changed.
    Flags(MessageMeta),
    /// A message was expunged.
    Expunged(u32),
}

/// Limits of one user; `None` means unlimited.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Quota {
    /// Maximum total bytes of all messages in all mailboxes.
    pub max_bytes: Option<u64>,
    /// Maximum number of messages in all mailboxes.
    pub max_messages: Option<u64>,
}

/// Current use against the [`Quota`] (IMAP QUOTA, RFC 9208).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct QuotaUsage {
    /// Bytes used.
    pub bytes: u64,
    /// Messages stored.
    pub messages: u64,
    /// The limits that apply.
    pub limit: Quota,
}

/// The unique id exposed as [`MessageMeta::unique_id`] (and POP3 UIDL).
pub fn unique_id(uid_validity: u32, uid: u32) -> String {
    format!("{uid_validity}.{uid}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flag_parse_table() {
        let table: &[(&str, Option<Flag>)] = &[
            ("\\Seen", Some(Flag::Seen)),
            ("\\SEEN", Some(Flag::Seen)),
            ("\\answered", Some(Flag::Answered)),
            ("$Forwarded", Some(Flag::Keyword("$Forwarded".into()))),
            ("\\Recent", None),
            ("", None),
            ("a b", None),
            ("a(b", None),
        ];
        for (input, expected) in table {
            assert_eq!(&Flag::parse(input), expected, "{input}");
        }
    }

    #[test]
    fn uidset_contains() {
        let mut s = UidSet::range(5, 2);
        s.push_range(9, 9);
        assert!(s.contains(2) && s.contains(5) && s.contains(9));
        assert!(!s.contains(6) && !s.contains(1));
        assert!(UidSet::all().contains(u32::MAX));
        assert!(UidSet::new().is_empty());
    }

    #[test]
    fn special_use_round_trip() {
        for u in SpecialUse::ALL {
            assert_eq!(SpecialUse::parse(u.as_imap()), Some(u));
        }
        assert_eq!(SpecialUse::parse("\\sent"), Some(SpecialUse::Sent));
        assert_eq!(SpecialUse::parse("\\Foo"), None);
    }
}
