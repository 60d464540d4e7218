//! Response codes (RFC 9051 §7.1 `resp-text-code`) and capabilities (RFC 9051 §7.2.2).
//!
//! ```text
//! resp-text-code  = "ALERT" / "BADCHARSET" [SP "(" charset *(SP charset) ")" ] /
//!                   capability-data / "PARSE" / "PERMANENTFLAGS" SP "(" [flag-perm *(SP flag-perm)] ")" /
//!                   "READ-ONLY" / "READ-WRITE" / "TRYCREATE" / "UIDNEXT" SP nz-number /
//!                   "UIDVALIDITY" SP nz-number / resp-code-apnd / resp-code-copy / "UIDNOTSTICKY" /
//!                   "UNAVAILABLE" / "AUTHENTICATIONFAILED" / ... / "CLOSED" / "NOTSAVED" /
//!                   "HASCHILDREN" / "HIGHESTMODSEQ" SP mod-sequence-value / "NOMODSEQ" /
//!                   "MODIFIED" SP sequence-set / atom [SP 1*<any TEXT-CHAR except "]">]
//! capability-data = "CAPABILITY" *(SP capability) SP "IMAP4rev2" *(SP capability)
//! capability      = ("AUTH=" auth-type) / atom
//! ```

use std::borrow::Cow;

use crate::cursor::{Cursor, ParseResult};
use crate::encode::Encoder;
use crate::token::{AString, Atom, FlagPerm, SequenceSet};

/// A response code (RFC 9051 §7.1), the bracketed part of a status response's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Code<'a> {
    /// `ALERT`: the text must be shown to the user (RFC 9051 §7.1).
    Alert,
    /// `ALREADYEXISTS`: the mailbox already exists (RFC 5530 §3).
    AlreadyExists,
    /// `APPENDUID uidvalidity uid-set` (RFC 4315 §3, RFC 9051 §7.1).
    AppendUid {
        /// The destination mailbox's UIDVALIDITY.
        uid_validity: u32,
        /// The UIDs given to the appended messages (one, or a set after MULTIAPPEND).
        uids: SequenceSet,
    },
    /// `AUTHENTICATIONFAILED` (RFC 5530 §3).
    AuthenticationFailed,
    /// `AUTHORIZATIONFAILED` (RFC 5530 §3).
    AuthorizationFailed,
    /// `BADCHARSET [(charset ...)]`: the charsets the server supports for SEARCH.
    BadCharset(Vec<AString<'a>>),
    /// `CANNOT` (RFC 5530 §3).
    Cannot,
    /// `CAPABILITY cap ...` in a greeting or a LOGIN/AUTHENTICATE reply.
    Capability(Vec<Capability<'a>>),
    /// `CLIENTBUG` (RFC 5530 §3).
    ClientBug,
    /// `CLOSED`: the previously selected mailbox is closed (RFC 7162 §3.2.11, RFC 9051 §7.1).
    Closed,
    /// `CONTACTADMIN` (RFC 5530 §3).
    ContactAdmin,
    /// `COPYUID uidvalidity source-uids dest-uids` (RFC 4315 §3, RFC 9051 §7.1).
    CopyUid {
        /// The destination mailbox's UIDVALIDITY.
        uid_validity: u32,
        /// The UIDs of the source messages.
        source: SequenceSet,
        /// Their UIDs in the destination, in the same order.
        destination: SequenceSet,
    },
    /// `CORRUPTION` (RFC 5530 §3).
    Corruption,
    /// `EXPIRED` (RFC 5530 §3).
    Expired,
    /// `EXPUNGEISSUED` (RFC 5530 §3).
    ExpungeIssued,
    /// `HASCHILDREN`: DELETE refused, the mailbox has children (RFC 9051 §7.1).
    HasChildren,
    /// `INUSE` (RFC 5530 §3).
    InUse,
    /// `LIMIT` (RFC 5530 §3).
    Limit,
    /// `NONEXISTENT` (RFC 5530 §3).
    NonExistent,
    /// `NOPERM` (RFC 5530 §3).
    NoPerm,
    /// `OVERQUOTA` (RFC 5530 §3, RFC 9208).
    OverQuota,
    /// `PARSE`: the message's headers could not be parsed.
    Parse,
    /// `PERMANENTFLAGS (flag-perm ...)`: the flags the client may change permanently.
    PermanentFlags(Vec<FlagPerm<'a>>),
    /// `PRIVACYREQUIRED` (RFC 5530 §3).
    PrivacyRequired,
    /// `READ-ONLY`: the mailbox is selected read-only.
    ReadOnly,
    /// `READ-WRITE`: the mailbox is selected read-write.
    ReadWrite,
    /// `SERVERBUG` (RFC 5530 §3).
    ServerBug,
    /// `TRYCREATE`: the target mailbox does not exist; CREATE it first.
    TryCreate,
    /// `UIDNEXT n`: the next UID.
    UidNext(u32),
    /// `UIDNOTSTICKY`: the mailbox does not keep UIDs (RFC 4315 §3).
    UidNotSticky,
    /// `UIDVALIDITY n`.
    UidValidity(u32),
    /// `UNAVAILABLE` (RFC 5530 §3).
    Unavailable,
    /// `UNKNOWN-CTE`: a BINARY fetch met an encoding the server cannot decode (RFC 3516 §4.3).
    UnknownCte,
    /// `UNSEEN n`: the first unseen message (IMAP4rev1, RFC 3501 §7.1).
    Unseen(u32),
    /// `HIGHESTMODSEQ n` (RFC 7162 §3.1.2.1).
    HighestModSeq(u64),
    /// `NOMODSEQ`: the mailbox has no mod-sequences (RFC 7162 §3.1.2.2).
    NoModSeq,
    /// `MODIFIED set`: messages a conditional STORE did not change (RFC 7162 §3.1.3).
    Modified(SequenceSet),
    /// `NOTSAVED`: the search result variable was not saved (RFC 5182 §2.5).
    NotSaved,
    /// `TOOBIG`: an APPEND literal larger than the server takes (RFC 4469 §4.1, RFC 7889).
    TooBig,
    /// `COMPRESSIONACTIVE`: COMPRESS is already on (RFC 4978 §3).
    CompressionActive,
    /// `USEATTR`: CREATE with a special-use attribute the server refuses (RFC 6154 §6).
    UseAttr,
    /// Any other code: `atom [SP 1*<any TEXT-CHAR except "]">]`.
    Other {
        /// The code's name.
        name: Atom<'a>,
        /// Its argument, as text.
        text: Option<Cow<'a, str>>,
    },
}

/// Codes without arguments, in the order of RFC 9051 §7.1 and the extensions.
const PLAIN: &[(&str, Code<'static>)] = &[
    ("ALERT", Code::Alert),
    ("ALREADYEXISTS", Code::AlreadyExists),
    ("AUTHENTICATIONFAILED", Code::AuthenticationFailed),
    ("AUTHORIZATIONFAILED", Code::AuthorizationFailed),
    ("CANNOT", Code::Cannot),
    ("CLIENTBUG", Code::ClientBug),
    ("CLOSED", Code::Closed),
    ("CONTACTADMIN", Code::ContactAdmin),
    ("CORRUPTION", Code::Corruption),
    ("EXPIRED", Code::Expired),
    ("EXPUNGEISSUED", Code::ExpungeIssued),
    ("HASCHILDREN", Code::HasChildren),
    ("INUSE", Code::InUse),
    ("LIMIT", Code::Limit),
    ("NONEXISTENT", Code::NonExistent),
    ("NOPERM", Code::NoPerm),
    ("OVERQUOTA", Code::OverQuota),
    ("PARSE", Code::Parse),
    ("PRIVACYREQUIRED", Code::PrivacyRequired),
    ("READ-ONLY", Code::ReadOnly),
    ("READ-WRITE", Code::ReadWrite),
    ("SERVERBUG", Code::ServerBug),
    ("TRYCREATE", Code::TryCreate),
    ("UIDNOTSTICKY", Code::UidNotSticky),
    ("UNAVAILABLE", Code::Unavailable),
    ("UNKNOWN-CTE", Code::UnknownCte),
    ("NOMODSEQ", Code::NoModSeq),
    ("NOTSAVED", Code::NotSaved),
    ("TOOBIG", Code::TooBig),
    ("COMPRESSIONACTIVE", Code::CompressionActive),
    ("USEATTR", Code::UseAttr),
];

impl<'a> Code<'a> {
    /// The code's name as written.
    pub fn name(&self) -> &str {
        match self {
            Code::AppendUid { .. } => "APPENDUID",
            Code::BadCharset(_) => "BADCHARSET",
            Code::Capability(_) => "CAPABILITY",
            Code::CopyUid { .. } => "COPYUID",
            Code::PermanentFlags(_) => "PERMANENTFLAGS",
            Code::UidNext(_) => "UIDNEXT",
            Code::UidValidity(_) => "UIDVALIDITY",
            Code::Unseen(_) => "UNSEEN",
            Code::HighestModSeq(_) => "HIGHESTMODSEQ",
            Code::Modified(_) => "MODIFIED",
            Code::Other { name, .. } => name.as_str(),
            plain => PLAIN
                .iter()
                .find(|(_, c)| c == plain)
                .map(|(n, _)| *n)
                .unwrap_or("X"),
        }
    }

    /// Parse `"[" resp-text-code "]"`, the brackets included.
    pub fn parse(c: &mut Cursor<'a>) -> ParseResult<Self> {
        c.expect(b'[', "[")?;
        let name = c.atom()?;
        let code = match name.to_ascii_uppercase().as_str() {
            "APPENDUID" => {
                c.sp()?;
                let uid_validity = c.number()?;
                c.sp()?;
                Code::AppendUid {
                    uid_validity,
                    uids: SequenceSet::parse(c)?,
                }
            }
            "COPYUID" => {
                c.sp()?;
                let uid_validity = c.number()?;
                c.sp()?;
                let source = SequenceSet::parse(c)?;
                c.sp()?;
                Code::CopyUid {
                    uid_validity,
                    source,
                    destination: SequenceSet::parse(c)?,
                }
            }
            "BADCHARSET" => {
                let mut v = Vec::new();
                if c.peek()? == b' ' && c.peek2()? == b'(' {
                    c.advance(1);
                    v = c.paren_list(false, AString::parse)?;
                }
                Code::BadCharset(v)
            }
            "CAPABILITY" => Code::Capability(Capability::parse_list(c)?),
            "PERMANENTFLAGS" => {
                c.sp()?;
                Code::PermanentFlags(c.paren_list(true, FlagPerm::parse)?)
            }
            "UIDNEXT" => {
                c.sp()?;
                Code::UidNext(c.number()?)
            }
            "UIDVALIDITY" => {
                c.sp()?;
                Code::UidValidity(c.number()?)
            }
            "UNSEEN" => {
                c.sp()?;
                Code::Unseen(c.number()?)
            }
            "HIGHESTMODSEQ" => {
                c.sp()?;
                Code::HighestModSeq(c.number64()?)
            }
            "MODIFIED" => {
                c.sp()?;
                Code::Modified(SequenceSet::parse(c)?)
            }
            upper => match PLAIN.iter().find(|(n, _)| *n == upper) {
                Some((_, code)) => code.clone(),
                None => {
                    let name = Atom::from_parsed(name);
                    let text = if c.eat(b' ')? {
                        let rest = c.rest();
                        let n = rest
                            .iter()
                            .position(|&b| b == b']' || b == b'\r' || b == b'\n')
                            .ok_or(crate::cursor::ParseError::Incomplete)?;
                        let t = super::parse::text_from(&rest[..n]);
                        c.advance(n);
                        Some(t)
                    } else {
                        None
                    };
                    Code::Other { name, text }
                }
            },
        };
        // A space before "]" (seen after capability lists) is accepted.
        while c.eat(b' ')? {}
        c.expect(b']', "] closing a response code")?;
        Ok(code)
    }

    /// Write `"[" resp-text-code "]"`.
    pub fn encode(&self, e: &mut Encoder) {
        e.byte(b'[');
        e.raw(self.name().as_bytes());
        match self {
            Code::AppendUid { uid_validity, uids } => {
                e.sp().number(u64::from(*uid_validity)).sp();
                uids.encode(e);
            }
            Code::CopyUid {
                uid_validity,
                source,
                destination,
            } => {
                e.sp().number(u64::from(*uid_validity)).sp();
                source.encode(e);
                e.sp();
                destination.encode(e);
            }
            Code::BadCharset(v) if !v.is_empty() => {
                e.raw(b" (");
                for (i, s) in v.iter().enumerate() {
                    if i > 0 {
                        e.sp();
                    }
                    s.encode(e);
                }
                e.byte(b')');
            }
            Code::Capability(caps) => {
                for cap in caps {
                    e.sp();
                    cap.encode(e);
                }
            }
            Code::PermanentFlags(f) => {
                e.raw(b" (");
                for (i, f) in f.iter().enumerate() {
                    if i > 0 {
                        e.sp();
                    }
                    f.encode(e);
                }
                e.byte(b')');
            }
            Code::UidNext(n) | Code::UidValidity(n) | Code::Unseen(n) => {
                e.sp().number(u64::from(*n));
            }
            Code::HighestModSeq(n) => {
                e.sp().number(*n);
            }
            Code::Modified(s) => {
                e.sp();
                s.encode(e);
            }
            Code::Other { text: Some(t), .. } => {
                e.sp().raw(t.as_bytes());
            }
            _ => {}
        }
        e.byte(b']');
    }

    /// An owned copy.
    pub fn into_owned(self) -> Code<'static> {
        match self {
            Code::Alert => Code::Alert,
            Code::AlreadyExists => Code::AlreadyExists,
            Code::AppendUid { uid_validity, uids } => Code::AppendUid { uid_validity, uids },
            Code::AuthenticationFailed => Code::AuthenticationFailed,
            Code::AuthorizationFailed => Code::AuthorizationFailed,
            Code::BadCharset(v) => {
                Code::BadCharset(v.into_iter().map(AString::into_owned).collect())
            }
            Code::Cannot => Code::Cannot,
            Code::Capability(v) => {
                Code::Capability(v.into_iter().map(Capability::into_owned).collect())
            }
            Code::ClientBug => Code::ClientBug,
            Code::Closed => Code::Closed,
            Code::ContactAdmin => Code::ContactAdmin,
            Code::CopyUid {
                uid_validity,
                source,
                destination,
            } => Code::CopyUid {
                uid_validity,
                source,
                destination,
            },
            Code::Corruption => Code::Corruption,
            Code::Expired => Code::Expired,
            Code::ExpungeIssued => Code::ExpungeIssued,
            Code::HasChildren => Code::HasChildren,
            Code::InUse => Code::InUse,
            Code::Limit => Code::Limit,
            Code::NonExistent => Code::NonExistent,
            Code::NoPerm => Code::NoPerm,
            Code::OverQuota => Code::OverQuota,
            Code::Parse => Code::Parse,
            Code::PermanentFlags(v) => Code::PermanentFlags(
                v.into_iter()
                    .map(|f| match f {
                        FlagPerm::Any => FlagPerm::Any,
                        FlagPerm::Flag(f) => FlagPerm::Flag(f.into_owned()),
                    })
                    .collect(),
            ),
            Code::PrivacyRequired => Code::PrivacyRequired,
            Code::ReadOnly => Code::ReadOnly,
            Code::ReadWrite => Code::ReadWrite,
            Code::ServerBug => Code::ServerBug,
            Code::TryCreate => Code::TryCreate,
            Code::UidNext(n) => Code::UidNext(n),
            Code::UidNotSticky => Code::UidNotSticky,
            Code::UidValidity(n) => Code::UidValidity(n),
            Code::Unavailable => Code::Unavailable,
            Code::UnknownCte => Code::UnknownCte,
            Code::Unseen(n) => Code::Unseen(n),
            Code::HighestModSeq(n) => Code::HighestModSeq(n),
            Code::NoModSeq => Code::NoModSeq,
            Code::Modified(s) => Code::Modified(s),
            Code::NotSaved => Code::NotSaved,
            Code::TooBig => Code::TooBig,
            Code::CompressionActive => Code::CompressionActive,
            Code::UseAttr => Code::UseAttr,
            Code::Other { name, text } => Code::Other {
                name: name.into_owned(),
                text: text.map(|t| Cow::Owned(t.into_owned())),
            },
        }
    }
}

/// A capability (RFC 9051 §7.2.2 and the extensions that announce themselves there).
/// Names compare case-insensitively on parsing; unknown ones are kept as [`Capability::Other`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Capability<'a> {
    /// `IMAP4rev1` (RFC 3501).
    Imap4Rev1,
    /// `IMAP4rev2` (RFC 9051).
    Imap4Rev2,
    /// `AUTH=mechanism` (RFC 9051 §6.2.2), the mechanism name as sent.
    Auth(Atom<'a>),
    /// `STARTTLS` (RFC 9051 §6.2.1).
    StartTls,
    /// `LOGINDISABLED` (RFC 9051 §6.2.3).
    LoginDisabled,
    /// `SASL-IR` (RFC 4959).
    SaslIr,
    /// `LITERAL+` (RFC 7888).
    LiteralPlus,
    /// `LITERAL-` (RFC 7888).
    LiteralMinus,
    /// `APPENDLIMIT` or `APPENDLIMIT=n` (RFC 7889 §3): the largest APPEND the server takes.
    AppendLimit(Option<u64>),
    /// `COMPRESS=algorithm` (RFC 4978), e.g. `DEFLATE`.
    Compress(Atom<'a>),
    /// `IDLE` (RFC 2177).
    Idle,
    /// `NAMESPACE` (RFC 2342).
    Namespace,
    /// `UIDPLUS` (RFC 4315).
    UidPlus,
    /// `MOVE` (RFC 6851).
    Move,
    /// `ENABLE` (RFC 5161).
    Enable,
    /// `ID` (RFC 2971).
    Id,
    /// `UNSELECT` (RFC 3691).
    Unselect,
    /// `CHILDREN` (RFC 3348).
    Children,
    /// `SPECIAL-USE` (RFC 6154).
    SpecialUse,
    /// `CREATE-SPECIAL-USE` (RFC 6154).
    CreateSpecialUse,
    /// `LIST-EXTENDED` (RFC 5258).
    ListExtended,
    /// `LIST-STATUS` (RFC 5819).
    ListStatus,
    /// `ESEARCH` (RFC 4731).
    Esearch,
    /// `SEARCHRES` (RFC 5182).
    SearchRes,
    /// `CONDSTORE` (RFC 7162).
    CondStore,
    /// `QRESYNC` (RFC 7162).
    QResync,
    /// `QUOTA` (RFC 9208).
    Quota,
    /// `QUOTA=RES-name` (RFC 9208 §3.1): a resource the server can limit.
    QuotaRes(Atom<'a>),
    /// `QUOTASET` (RFC 9208 §3.1).
    QuotaSet,
    /// `BINARY` (RFC 3516).
    Binary,
    /// `STATUS=SIZE` (RFC 8438).
    StatusSize,
    /// `SORT` (RFC 5256).
    Sort,
    /// `THREAD=algorithm` (RFC 5256), e.g. `REFERENCES`.
    Thread(Atom<'a>),
    /// `UTF8=ACCEPT` (RFC 6855).
    Utf8Accept,
    /// `PREVIEW` (RFC 8970).
    Preview,
    /// Any other capability, as sent.
    Other(Atom<'a>),
}

const PLAIN_CAPS: &[(&str, Capability<'static>)] = &[
    ("IMAP4REV1", Capability::Imap4Rev1),
    ("IMAP4REV2", Capability::Imap4Rev2),
    ("STARTTLS", Capability::StartTls),
    ("LOGINDISABLED", Capability::LoginDisabled),
    ("SASL-IR", Capability::SaslIr),
    ("LITERAL+", Capability::LiteralPlus),
    ("LITERAL-", Capability::LiteralMinus),
    ("APPENDLIMIT", Capability::AppendLimit(None)),
    ("IDLE", Capability::Idle),
    ("NAMESPACE", Capability::Namespace),
    ("UIDPLUS", Capability::UidPlus),
    ("MOVE", Capability::Move),
    ("ENABLE", Capability::Enable),
    ("ID", Capability::Id),
    ("UNSELECT", Capability::Unselect),
    ("CHILDREN", Capability::Children),
    ("SPECIAL-USE", Capability::SpecialUse),
    ("CREATE-SPECIAL-USE", Capability::CreateSpecialUse),
    ("LIST-EXTENDED", Capability::ListExtended),
    ("LIST-STATUS", Capability::ListStatus),
    ("ESEARCH", Capability::Esearch),
    ("SEARCHRES", Capability::SearchRes),
    ("CONDSTORE", Capability::CondStore),
    ("QRESYNC", Capability::QResync),
    ("QUOTA", Capability::Quota),
    ("QUOTASET", Capability::QuotaSet),
    ("BINARY", Capability::Binary),
    ("STATUS=SIZE", Capability::StatusSize),
    ("SORT", Capability::Sort),
    ("UTF8=ACCEPT", Capability::Utf8Accept),
    ("PREVIEW", Capability::Preview),
];

/// The value after `prefix` (case-insensitive) in `s`, if `s` starts with it and has more.
fn after<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let n = prefix.len();
    (s.len() > n && s.as_bytes()[..n].eq_ignore_ascii_case(prefix.as_bytes())).then(|| &s[n..])
}

impl<'a> Capability<'a> {
    /// A capability from its atom (already checked to be one).
    pub fn from_atom(a: &'a str) -> Self {
        if let Some((_, c)) = PLAIN_CAPS.iter().find(|(n, _)| n.eq_ignore_ascii_case(a)) {
            return c.clone();
        }
        if let Some(m) = after(a, "AUTH=") {
            return Capability::Auth(Atom::from_parsed(m));
        }
        if let Some(v) = after(a, "APPENDLIMIT=")
            && v.bytes().all(|b| b.is_ascii_digit())
            && v.len() < 19
            && !(v.len() > 1 && v.starts_with('0'))
        {
            return Capability::AppendLimit(v.parse().ok());
        }
        if let Some(v) = after(a, "COMPRESS=") {
            return Capability::Compress(Atom::from_parsed(v));
        }
        if let Some(v) = after(a, "THREAD=") {
            return Capability::Thread(Atom::from_parsed(v));
        }
        if let Some(v) = after(a, "QUOTA=RES-") {
            return Capability::QuotaRes(Atom::from_parsed(v));
        }
        Capability::Other(Atom::from_parsed(a))
    }

    /// Parse `capability`.
    pub fn parse(c: &mut Cursor<'a>) -> ParseResult<Self> {
        c.atom().map(Capability::from_atom)
    }

    /// Parse `*(SP capability)` up to the end of the line or a `]` (a trailing space is accepted).
    pub fn parse_list(c: &mut Cursor<'a>) -> ParseResult<Vec<Self>> {
        let mut out = Vec::with_capacity(16);
        while c.peek()? == b' ' {
            c.advance(1);
            match c.peek()? {
                b' ' | b'\r' | b'\n' | b']' => continue,
                _ => out.push(Capability::parse(c)?),
            }
        }
        Ok(out)
    }

    /// Write the capability.
    pub fn encode(&self, e: &mut Encoder) {
        let (prefix, a) = match self {
            Capability::Auth(a) => ("AUTH=", a),
            Capability::Compress(a) => ("COMPRESS=", a),
            Capability::Thread(a) => ("THREAD=", a),
            Capability::QuotaRes(a) => ("QUOTA=RES-", a),
            Capability::Other(a) => ("", a),
            Capability::AppendLimit(Some(n)) => {
                e.raw(b"APPENDLIMIT=").number(*n);
                return;
            }
            Capability::Imap4Rev1 => {
                e.raw(b"IMAP4rev1");
                return;
            }
            Capability::Imap4Rev2 => {
                e.raw(b"IMAP4rev2");
                return;
            }
            plain => {
                let name = PLAIN_CAPS
                    .iter()
                    .find(|(_, c)| c == plain)
                    .map(|(n, _)| *n)
                    .unwrap_or("X");
                e.raw(name.as_bytes());
                return;
            }
        };
        e.raw(prefix.as_bytes()).raw(a.as_str().as_bytes());
    }

    /// An owned copy.
    pub fn into_owned(self) -> Capability<'static> {
        match self {
            Capability::Auth(a) => Capability::Auth(a.into_owned()),
            Capability::Compress(a) => Capability::Compress(a.into_owned()),
            Capability::Thread(a) => Capability::Thread(a.into_owned()),
            Capability::QuotaRes(a) => Capability::QuotaRes(a.into_owned()),
            Capability::Other(a) => Capability::Other(a.into_owned()),
            Capability::AppendLimit(n) => Capability::AppendLimit(n),
            plain => PLAIN_CAPS
                .iter()
                .find(|(_, c)| *c == plain)
                .map(|(_, c)| c.clone())
                .unwrap_or(Capability::Imap4Rev1),
        }
    }
}
