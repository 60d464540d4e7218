//! Client commands (RFC 9051 §6, RFC 3501 §6 and the extensions of the family): the types,
//! the server-side parser ([`Command::parse`]) and the client-side encoder
//! ([`Command::encode`]).
//!
//! ```text
//! command = tag SP (command-any / command-auth / command-nonauth / command-select) CRLF
//! ```
//!
//! Literals travel inline in the input the parser sees (see [`crate::cursor`]); an APPEND whose
//! message is streamed is parsed in pieces with [`AppendHead`] and [`AppendNext`]. The `DONE`
//! line that ends IDLE is not a command: see [`IdleDone`].
//!
//! An unknown command name is an error whose `expected` is [`UNKNOWN_COMMAND`], so that a server
//! can answer `BAD unknown command` rather than `BAD syntax error`.
//!
//! Deviations of real clients accepted here are listed in [`crate::quirks`].

use sasl::Secret;

use crate::cursor::{Cursor, ParseError, ParseResult};
use crate::encode::Encoder;
use crate::status::StatusItem;
use crate::token::{AString, Atom, Flag, IString, ListMailbox, Mailbox, NString, SequenceSet, Tag};

mod append;
mod encode;
mod fetch;
mod parse;
mod search;

pub use append::{AppendHead, AppendMessage, AppendNext, LiteralAnnouncement};
pub use fetch::{FetchAttr, FetchItems, FetchModifiers};
pub use search::{
    EntryType, SearchKey, SearchReturnOption, SortCriterion, SortKey, ThreadAlgorithm,
};

/// The `expected` text of the [`ParseError::Invalid`] for a command name the parser does not
/// know: a server answers it with `BAD` "unknown command".
pub const UNKNOWN_COMMAND: &str = "a known command name (unknown command)";

/// One client command: a tag and what it asks for (RFC 9051 §2.2.1, §6).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command<'a> {
    /// The command's tag, echoed in its completion response.
    pub tag: Tag<'a>,
    /// The command.
    pub body: CommandBody<'a>,
}

/// How STORE changes the flags (RFC 9051 §6.4.6): `FLAGS`, `+FLAGS` or `-FLAGS`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StoreKind {
    /// `FLAGS`: replace the flags.
    Replace,
    /// `+FLAGS`: add to the flags.
    Add,
    /// `-FLAGS`: remove from the flags.
    Remove,
}

/// A SELECT/EXAMINE parameter (RFC 4466 §2.1 `select-param`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SelectParam {
    /// `CONDSTORE` (RFC 7162 §3.1.8).
    CondStore,
    /// `QRESYNC (...)` (RFC 7162 §3.2.5).
    QResync(QResync),
}

/// The `QRESYNC` parameter of SELECT/EXAMINE (RFC 7162 §3.2.5):
/// `QRESYNC (uidvalidity mod-sequence-value [SP known-uids] [SP seq-match-data])`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QResync {
    /// The UIDVALIDITY the client last knew.
    pub uid_validity: std::num::NonZeroU32,
    /// The last known mod-sequence (0 is accepted: see [`crate::quirks`]).
    pub mod_seq: u64,
    /// UIDs the client knows (`known-uids`).
    pub known_uids: Option<SequenceSet>,
    /// `seq-match-data`: message numbers and the UIDs they had.
    pub seq_match: Option<(SequenceSet, SequenceSet)>,
}

/// A LIST selection option (RFC 5258 §3.1, RFC 6154 §5.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ListSelectOption {
    /// `SUBSCRIBED`: subscribed mailboxes only.
    Subscribed,
    /// `REMOTE`: include remote mailboxes.
    Remote,
    /// `RECURSIVEMATCH`: report parents of matching mailboxes (with another option).
    RecursiveMatch,
    /// `SPECIAL-USE`: mailboxes with a special use only (RFC 6154 §5.1).
    SpecialUse,
}

/// A LIST return option (RFC 5258 §3.2, RFC 6154 §5.1, RFC 5819 §2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListReturnOption {
    /// `SUBSCRIBED`: mark subscribed mailboxes.
    Subscribed,
    /// `CHILDREN`: return `\HasChildren`/`\HasNoChildren`.
    Children,
    /// `SPECIAL-USE`: return special-use attributes (RFC 6154).
    SpecialUse,
    /// `STATUS (items)`: a STATUS response per listed mailbox (RFC 5819 LIST-STATUS).
    Status(Vec<StatusItem>),
}

/// One `resource-name SP resource-limit` of SETQUOTA (RFC 9208 §4.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuotaLimit<'a> {
    /// `STORAGE`, `MESSAGE`, `MAILBOX`, `ANNOTATION-STORAGE` or another atom.
    pub resource: Atom<'a>,
    /// The limit (`number64`; STORAGE counts units of 1024 octets).
    pub limit: u64,
}

/// What a command asks for (RFC 9051 §6 and extensions).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommandBody<'a> {
    /// `CAPABILITY` (RFC 9051 §6.1.1).
    Capability,
    /// `NOOP` (RFC 9051 §6.1.2).
    Noop,
    /// `LOGOUT` (RFC 9051 §6.1.3).
    Logout,
    /// `STARTTLS` (RFC 9051 §6.2.1).
    StartTls,
    /// `AUTHENTICATE mechanism [initial-response]` (RFC 9051 §6.2.2, RFC 4959 SASL-IR).
    Authenticate {
        /// The SASL mechanism name.
        mechanism: Atom<'a>,
        /// The SASL-IR initial response, decoded from base64 (`=` is the empty response).
        initial_response: Option<Secret<Vec<u8>>>,
    },
    /// `LOGIN user password` (RFC 9051 §6.2.3).
    Login {
        /// The user name.
        username: AString<'a>,
        /// The password.
        password: Secret<AString<'a>>,
    },
    /// `ENABLE cap...` (RFC 5161 §3.1, RFC 9051 §6.3.1).
    Enable {
        /// The capabilities to enable (one or more).
        capabilities: Vec<Atom<'a>>,
    },
    /// `SELECT mailbox [(params)]` (RFC 9051 §6.3.2, RFC 7162 CONDSTORE/QRESYNC).
    Select {
        /// The mailbox.
        mailbox: Mailbox<'a>,
        /// CONDSTORE / QRESYNC parameters.
        params: Vec<SelectParam>,
    },
    /// `EXAMINE mailbox [(params)]` (RFC 9051 §6.3.3).
    Examine {
        /// The mailbox.
        mailbox: Mailbox<'a>,
        /// CONDSTORE / QRESYNC parameters.
        params: Vec<SelectParam>,
    },
    /// `CREATE mailbox [(USE (attrs))]` (RFC 9051 §6.3.4, RFC 6154 §3 CREATE-SPECIAL-USE).
    Create {
        /// The mailbox.
        mailbox: Mailbox<'a>,
        /// Special-use attributes, without their `\` (`Drafts` for `\Drafts`).
        special_use: Vec<Atom<'a>>,
    },
    /// `DELETE mailbox` (RFC 9051 §6.3.5).
    Delete {
        /// The mailbox.
        mailbox: Mailbox<'a>,
    },
    /// `RENAME from to` (RFC 9051 §6.3.6).
    Rename {
        /// The existing name.
        from: Mailbox<'a>,
        /// The new name.
        to: Mailbox<'a>,
    },
    /// `SUBSCRIBE mailbox` (RFC 9051 §6.3.7).
    Subscribe {
        /// The mailbox.
        mailbox: Mailbox<'a>,
    },
    /// `UNSUBSCRIBE mailbox` (RFC 9051 §6.3.8).
    Unsubscribe {
        /// The mailbox.
        mailbox: Mailbox<'a>,
    },
    /// `LIST [(select-opts)] reference pattern(s) [RETURN (opts)]` (RFC 9051 §6.3.9,
    /// RFC 5258 LIST-EXTENDED, RFC 6154 SPECIAL-USE, RFC 5819 LIST-STATUS).
    List {
        /// Selection options (empty for a basic LIST).
        selection: Vec<ListSelectOption>,
        /// The reference name.
        reference: Mailbox<'a>,
        /// One pattern, or several in parentheses (LIST-EXTENDED).
        patterns: Vec<ListMailbox<'a>>,
        /// Return options (empty when none).
        return_opts: Vec<ListReturnOption>,
    },
    /// `LSUB reference pattern` (RFC 3501 §6.3.9).
    Lsub {
        /// The reference name.
        reference: Mailbox<'a>,
        /// The pattern.
        pattern: ListMailbox<'a>,
    },
    /// `NAMESPACE` (RFC 2342, RFC 9051 §6.3.10).
    Namespace,
    /// `STATUS mailbox (items)` (RFC 9051 §6.3.11).
    Status {
        /// The mailbox.
        mailbox: Mailbox<'a>,
        /// The items asked for.
        items: Vec<StatusItem>,
    },
    /// `APPEND mailbox [flags] [date-time] literal` (RFC 9051 §6.3.12), one or more messages
    /// (RFC 3502 MULTIAPPEND), literal8 with BINARY (RFC 3516), `UTF8 (literal8)` (RFC 6855 §4).
    Append {
        /// The target mailbox.
        mailbox: Mailbox<'a>,
        /// The messages (one or more).
        messages: Vec<AppendMessage<'a>>,
    },
    /// `IDLE` (RFC 2177, RFC 9051 §6.3.13); ended by a `DONE` line ([`IdleDone`]).
    Idle,
    /// `CHECK` (RFC 3501 §6.4.1).
    Check,
    /// `CLOSE` (RFC 9051 §6.4.1).
    Close,
    /// `UNSELECT` (RFC 3691, RFC 9051 §6.4.2).
    Unselect,
    /// `EXPUNGE` (RFC 9051 §6.4.3).
    Expunge,
    /// `UID EXPUNGE uids` (RFC 4315 §2.1 UIDPLUS, RFC 9051 §6.4.9).
    UidExpunge {
        /// The UIDs to expunge (if marked `\Deleted`).
        uids: SequenceSet,
    },
    /// `[UID] SEARCH [RETURN (opts)] [CHARSET c] keys` (RFC 9051 §6.4.4, RFC 4731 ESEARCH,
    /// RFC 5182 SEARCHRES).
    Search {
        /// `UID SEARCH`.
        uid: bool,
        /// `RETURN (...)`: `None` without it (a plain SEARCH response), `Some(vec![])` for
        /// `RETURN ()` (same as `RETURN (ALL)`).
        return_opts: Option<Vec<SearchReturnOption>>,
        /// `CHARSET`, if given.
        charset: Option<AString<'a>>,
        /// The search keys, all of which must match (one or more).
        criteria: Vec<SearchKey<'a>>,
    },
    /// `[UID] FETCH set items [(modifiers)]` (RFC 9051 §6.4.5, RFC 7162 CHANGEDSINCE/VANISHED).
    Fetch {
        /// `UID FETCH`.
        uid: bool,
        /// The messages.
        set: SequenceSet,
        /// The data items.
        items: FetchItems<'a>,
        /// `CHANGEDSINCE` and `VANISHED`.
        modifiers: FetchModifiers,
    },
    /// `[UID] STORE set [(UNCHANGEDSINCE n)] [+|-]FLAGS[.SILENT] flags` (RFC 9051 §6.4.6,
    /// RFC 7162 §3.1.3).
    Store {
        /// `UID STORE`.
        uid: bool,
        /// The messages.
        set: SequenceSet,
        /// `UNCHANGEDSINCE`, if given.
        unchanged_since: Option<u64>,
        /// Replace, add or remove.
        kind: StoreKind,
        /// `.SILENT`: no untagged FETCH back.
        silent: bool,
        /// The flags (a parenthesised list or bare flags on the wire).
        flags: Vec<Flag<'a>>,
    },
    /// `[UID] COPY set mailbox` (RFC 9051 §6.4.7).
    Copy {
        /// `UID COPY`.
        uid: bool,
        /// The messages.
        set: SequenceSet,
        /// The target mailbox.
        mailbox: Mailbox<'a>,
    },
    /// `[UID] MOVE set mailbox` (RFC 6851, RFC 9051 §6.4.8).
    Move {
        /// `UID MOVE`.
        uid: bool,
        /// The messages.
        set: SequenceSet,
        /// The target mailbox.
        mailbox: Mailbox<'a>,
    },
    /// `[UID] SORT (criteria) charset keys` (RFC 5256 §3).
    Sort {
        /// `UID SORT`.
        uid: bool,
        /// The sort criteria (one or more).
        criteria: Vec<SortCriterion>,
        /// The charset of the search strings.
        charset: AString<'a>,
        /// The search keys (one or more).
        keys: Vec<SearchKey<'a>>,
    },
    /// `[UID] THREAD algorithm charset keys` (RFC 5256 §3).
    Thread {
        /// `UID THREAD`.
        uid: bool,
        /// The threading algorithm.
        algorithm: ThreadAlgorithm<'a>,
        /// The charset of the search strings.
        charset: AString<'a>,
        /// The search keys (one or more).
        keys: Vec<SearchKey<'a>>,
    },
    /// `ID NIL` or `ID ("name" "value" ...)` (RFC 2971 §3.1).
    Id {
        /// The field/value pairs, `None` for `NIL`.
        params: Option<Vec<(IString<'a>, NString<'a>)>>,
    },
    /// `GETQUOTA root` (RFC 9208 §4.1).
    GetQuota {
        /// The quota root.
        root: AString<'a>,
    },
    /// `GETQUOTAROOT mailbox` (RFC 9208 §4.1).
    GetQuotaRoot {
        /// The mailbox.
        mailbox: Mailbox<'a>,
    },
    /// `SETQUOTA root (resource limit ...)` (RFC 9208 §4.2).
    SetQuota {
        /// The quota root.
        root: AString<'a>,
        /// The new limits (possibly none: remove all).
        limits: Vec<QuotaLimit<'a>>,
    },
    /// `COMPRESS algorithm` (RFC 4978 §3): `DEFLATE`.
    Compress {
        /// The algorithm.
        algorithm: Atom<'a>,
    },
}

impl<'a> Command<'a> {
    /// A command with this tag and body.
    pub fn new(tag: Tag<'a>, body: CommandBody<'a>) -> Self {
        Command { tag, body }
    }

    /// Parse one command from the start of `input` (literals inline); returns it and the number
    /// of octets consumed, the final CRLF included. [`ParseError::Incomplete`] when `input`
    /// ends before the command does.
    pub fn parse(input: &'a [u8]) -> Result<(Command<'a>, usize), ParseError> {
        let mut c = Cursor::new(input);
        let cmd = Self::parse_cursor(&mut c)?;
        Ok((cmd, c.pos()))
    }

    /// Parse one command, CRLF included, from a cursor (which may carry its own depth limit).
    ///
    /// ```text
    /// command = tag SP (command-any / command-auth / command-nonauth / command-select) CRLF
    /// ```
    pub fn parse_cursor(c: &mut Cursor<'a>) -> ParseResult<Command<'a>> {
        let tag = Tag::parse(c)?;
        c.sp()?;
        let body = parse::body(c)?;
        c.crlf()?;
        Ok(Command { tag, body })
    }

    /// Write the command, CRLF included (client side). With a synchronizing literal style the
    /// encoder records where the client must wait for `+`.
    pub fn encode(&self, e: &mut Encoder) {
        self.tag.encode(e);
        e.sp();
        encode::body(&self.body, e);
        e.crlf();
    }

    /// The command's name as written (`UID FETCH`, `LOGIN`, ...).
    pub fn name(&self) -> &'static str {
        self.body.name()
    }

    /// An owned copy, independent of the input buffer it was parsed from (what a server
    /// session hands to the code that runs it).
    pub fn into_owned(self) -> Command<'static> {
        Command {
            tag: self.tag.into_owned(),
            body: self.body.into_owned(),
        }
    }
}

impl QuotaLimit<'_> {
    /// An owned copy.
    pub fn into_owned(self) -> QuotaLimit<'static> {
        QuotaLimit {
            resource: self.resource.into_owned(),
            limit: self.limit,
        }
    }
}

impl CommandBody<'_> {
    /// An owned copy, independent of the input buffer it was parsed from.
    pub fn into_owned(self) -> CommandBody<'static> {
        use CommandBody as B;
        fn atoms(v: Vec<Atom<'_>>) -> Vec<Atom<'static>> {
            v.into_iter().map(Atom::into_owned).collect()
        }
        fn keys(v: Vec<SearchKey<'_>>) -> Vec<SearchKey<'static>> {
            v.into_iter().map(SearchKey::into_owned).collect()
        }
        match self {
            B::Capability => B::Capability,
            B::Noop => B::Noop,
            B::Logout => B::Logout,
            B::StartTls => B::StartTls,
            B::Authenticate {
                mechanism,
                initial_response,
            } => B::Authenticate {
                mechanism: mechanism.into_owned(),
                initial_response,
            },
            B::Login { username, password } => B::Login {
                username: username.into_owned(),
                password: Secret::new(password.into_inner().into_owned()),
            },
            B::Enable { capabilities } => B::Enable {
                capabilities: atoms(capabilities),
            },
            B::Select { mailbox, params } => B::Select {
                mailbox: mailbox.into_owned(),
                params,
            },
            B::Examine { mailbox, params } => B::Examine {
                mailbox: mailbox.into_owned(),
                params,
            },
            B::Create {
                mailbox,
                special_use,
            } => B::Create {
                mailbox: mailbox.into_owned(),
                special_use: atoms(special_use),
            },
            B::Delete { mailbox } => B::Delete {
                mailbox: mailbox.into_owned(),
            },
            B::Rename { from, to } => B::Rename {
                from: from.into_owned(),
                to: to.into_owned(),
            },
            B::Subscribe { mailbox } => B::Subscribe {
                mailbox: mailbox.into_owned(),
            },
            B::Unsubscribe { mailbox } => B::Unsubscribe {
                mailbox: mailbox.into_owned(),
            },
            B::List {
                selection,
                reference,
                patterns,
                return_opts,
            } => B::List {
                selection,
                reference: reference.into_owned(),
                patterns: patterns
                    .into_iter()
                    .map(|p| ListMailbox(p.0.into_owned()))
                    .collect(),
                return_opts,
            },
            B::Lsub { reference, pattern } => B::Lsub {
                reference: reference.into_owned(),
                pattern: ListMailbox(pattern.0.into_owned()),
            },
            B::Namespace => B::Namespace,
            B::Status { mailbox, items } => B::Status {
                mailbox: mailbox.into_owned(),
                items,
            },
            B::Append { mailbox, messages } => B::Append {
                mailbox: mailbox.into_owned(),
                messages: messages
                    .into_iter()
                    .map(AppendMessage::into_owned)
                    .collect(),
            },
            B::Idle => B::Idle,
            B::Check => B::Check,
            B::Close => B::Close,
            B::Unselect => B::Unselect,
            B::Expunge => B::Expunge,
            B::UidExpunge { uids } => B::UidExpunge { uids },
            B::Search {
                uid,
                return_opts,
                charset,
                criteria,
            } => B::Search {
                uid,
                return_opts,
                charset: charset.map(AString::into_owned),
                criteria: keys(criteria),
            },
            B::Fetch {
                uid,
                set,
                items,
                modifiers,
            } => B::Fetch {
                uid,
                set,
                items: items.into_owned(),
                modifiers,
            },
            B::Store {
                uid,
                set,
                unchanged_since,
                kind,
                silent,
                flags,
            } => B::Store {
                uid,
                set,
                unchanged_since,
                kind,
                silent,
                flags: flags.into_iter().map(Flag::into_owned).collect(),
            },
            B::Copy { uid, set, mailbox } => B::Copy {
                uid,
                set,
                mailbox: mailbox.into_owned(),
            },
            B::Move { uid, set, mailbox } => B::Move {
                uid,
                set,
                mailbox: mailbox.into_owned(),
            },
            B::Sort {
                uid,
                criteria,
                charset,
                keys: k,
            } => B::Sort {
                uid,
                criteria,
                charset: charset.into_owned(),
                keys: keys(k),
            },
            B::Thread {
                uid,
                algorithm,
                charset,
                keys: k,
            } => B::Thread {
                uid,
                algorithm: algorithm.into_owned(),
                charset: charset.into_owned(),
                keys: keys(k),
            },
            B::Id { params } => B::Id {
                params: params.map(|p| {
                    p.into_iter()
                        .map(|(k, v)| (k.into_owned(), v.into_owned()))
                        .collect()
                }),
            },
            B::GetQuota { root } => B::GetQuota {
                root: root.into_owned(),
            },
            B::GetQuotaRoot { mailbox } => B::GetQuotaRoot {
                mailbox: mailbox.into_owned(),
            },
            B::SetQuota { root, limits } => B::SetQuota {
                root: root.into_owned(),
                limits: limits.into_iter().map(QuotaLimit::into_owned).collect(),
            },
            B::Compress { algorithm } => B::Compress {
                algorithm: algorithm.into_owned(),
            },
        }
    }
}

impl CommandBody<'_> {
    /// The command's name as written (`UID FETCH`, `LOGIN`, ...).
    pub fn name(&self) -> &'static str {
        use CommandBody as B;
        match self {
            B::Capability => "CAPABILITY",
            B::Noop => "NOOP",
            B::Logout => "LOGOUT",
            B::StartTls => "STARTTLS",
            B::Authenticate { .. } => "AUTHENTICATE",
            B::Login { .. } => "LOGIN",
            B::Enable { .. } => "ENABLE",
            B::Select { .. } => "SELECT",
            B::Examine { .. } => "EXAMINE",
            B::Create { .. } => "CREATE",
            B::Delete { .. } => "DELETE",
            B::Rename { .. } => "RENAME",
            B::Subscribe { .. } => "SUBSCRIBE",
            B::Unsubscribe { .. } => "UNSUBSCRIBE",
            B::List { .. } => "LIST",
            B::Lsub { .. } => "LSUB",
            B::Namespace => "NAMESPACE",
            B::Status { .. } => "STATUS",
            B::Append { .. } => "APPEND",
            B::Idle => "IDLE",
            B::Check => "CHECK",
            B::Close => "CLOSE",
            B::Unselect => "UNSELECT",
            B::Expunge => "EXPUNGE",
            B::UidExpunge { .. } => "UID EXPUNGE",
            B::Search { uid: false, .. } => "SEARCH",
            B::Search { uid: true, .. } => "UID SEARCH",
            B::Fetch { uid: false, .. } => "FETCH",
            B::Fetch { uid: true, .. } => "UID FETCH",
            B::Store { uid: false, .. } => "STORE",
            B::Store { uid: true, .. } => "UID STORE",
            B::Copy { uid: false, .. } => "COPY",
            B::Copy { uid: true, .. } => "UID COPY",
            B::Move { uid: false, .. } => "MOVE",
            B::Move { uid: true, .. } => "UID MOVE",
            B::Sort { uid: false, .. } => "SORT",
            B::Sort { uid: true, .. } => "UID SORT",
            B::Thread { uid: false, .. } => "THREAD",
            B::Thread { uid: true, .. } => "UID THREAD",
            B::Id { .. } => "ID",
            B::GetQuota { .. } => "GETQUOTA",
            B::GetQuotaRoot { .. } => "GETQUOTAROOT",
            B::SetQuota { .. } => "SETQUOTA",
            B::Compress { .. } => "COMPRESS",
        }
    }
}

/// The `DONE` line that ends IDLE (RFC 2177 §3, RFC 9051 §6.3.13): `"DONE" CRLF`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IdleDone;

impl IdleDone {
    /// Parse `DONE CRLF` (any case); returns the octets consumed.
    pub fn parse(input: &[u8]) -> Result<usize, ParseError> {
        let mut c = Cursor::new(input);
        if !c.literal_word(b"DONE")? {
            return Err(c.invalid("DONE"));
        }
        c.crlf()?;
        Ok(c.pos())
    }

    /// Write `DONE CRLF`.
    pub fn encode(e: &mut Encoder) {
        e.raw(b"DONE\r\n");
    }
}

/// Upper-case an ASCII word into `buf` for matching against keyword tables; `None` if it is
/// longer than the buffer (then it is no keyword we know).
#[inline]
pub(crate) fn upper<'b>(word: &[u8], buf: &'b mut [u8; 24]) -> Option<&'b [u8]> {
    if word.len() > buf.len() {
        return None;
    }
    let out = &mut buf[..word.len()];
    out.copy_from_slice(word);
    out.make_ascii_uppercase();
    Some(out)
}
