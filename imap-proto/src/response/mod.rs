//! Server responses (RFC 9051 §7, RFC 3501 §7 and the extensions of issue 10): the types, their
//! parser (client side, [`Response::parse`]) and their encoder (server side,
//! [`Response::encode`]).
//!
//! ```text
//! response        = *(continue-req / response-data) response-done
//! continue-req    = "+" SP (resp-text / base64) CRLF
//! response-data   = "*" SP (resp-cond-state / resp-cond-bye / mailbox-data / message-data /
//!                   capability-data / enable-data) CRLF
//! response-tagged = tag SP resp-cond-state CRLF
//! resp-cond-state = ("OK" / "NO" / "BAD") SP resp-text
//! resp-text       = ["[" resp-text-code "]" SP] [text]
//! ```
//!
//! Values borrow from the input (strings, atoms, text) and own only their lists.
//!
//! # Deviations accepted (see also [`crate::cursor`] for line ends and trailing spaces)
//! - Status responses without text (`* OK`, `a1 OK [READ-WRITE]`), `+` alone; a `[` that opens
//!   no valid response code is text; text that is not UTF-8 is decoded lossily.
//! - A space before the end of a capability list (also inside `[CAPABILITY ...]`), of a STATUS,
//!   FLAGS or FETCH list, of SEARCH/SORT/QUOTAROOT data (`* SEARCH \r\n`).
//! - Keywords in any case; FETCH items in any order; unknown FETCH items (Gmail's `X-GM-*`),
//!   response codes, STATUS items, ESEARCH return data and LIST-EXTENDED items kept as sent.
//! - ENVELOPE: `()` for an empty address list, spaces between addresses, NIL in any field.
//! - BODYSTRUCTURE: `NIL` for the type, subtype or encoding (read as `""`), `()` for no
//!   parameters, a text part without its line count and a message/rfc822 part without the
//!   enclosed message (read as basic parts), spaces between the parts of a multipart, any
//!   prefix of the extension fields and more of them than RFC 9051 names, a disposition written
//!   as a bare string, a space before `)`.
//! - A hierarchy delimiter written `""` (read as NIL); zero where a UID validity, UIDNEXT or
//!   message number must be non-zero (except EXPUNGE and FETCH); ID `()` for no parameters;
//!   MULTISEARCH's extra correlator fields (RFC 7377) skipped.
//! - Untagged data of an unknown name (`* METADATA ...`, `* 3 XFOO ...`) kept as
//!   [`Data::Other`] (literals in it read as literals).
//!
//! Layout: this module holds the top-level types; [`code`] the response codes and
//! capabilities; [`body`] ENVELOPE and BODYSTRUCTURE; [`fetch`] the FETCH data items;
//! [`mailbox`] LIST, NAMESPACE, STATUS, ESEARCH, THREAD, QUOTA and ID data; `parse` and
//! `encode` the top level of both directions; `owned` the `into_owned` copies.

use std::borrow::Cow;
use std::num::NonZeroU32;

use crate::token::{AString, Atom, Flag, IString, Mailbox, NString, SequenceSet, Tag};

pub mod body;
pub mod code;
mod encode;
pub mod fetch;
pub mod mailbox;
mod owned;
mod parse;

pub use body::{
    Address, BodyExtension, BodyExtensions, BodyFields, BodyStructure, Disposition, Envelope,
    Multipart, Params, SinglePart, SinglePartKind,
};
pub use code::{Capability, Code};
pub use fetch::MsgAtt;
pub use mailbox::{
    Esearch, ListExtendedItem, ListItem, MailboxAttribute, Namespace, NamespaceDescr,
    QuotaResource, RawValue, SearchReturnData, StatusValue, Thread,
};

/// Longest keyword the parsers look up (`AUTHENTICATIONFAILED` has 20 letters).
pub(crate) const KEY_MAX: usize = 24;

/// The upper-case form of a short keyword, in `buf`; empty if too long to be one we know.
#[inline]
pub(crate) fn upper<'b>(word: &[u8], buf: &'b mut [u8; KEY_MAX]) -> &'b [u8] {
    if word.len() > KEY_MAX {
        return b"";
    }
    let out = &mut buf[..word.len()];
    out.copy_from_slice(word);
    out.make_ascii_uppercase();
    out
}

/// One or more ATOM-CHARs as octets (no UTF-8 check: callers compare them with keywords).
#[inline]
pub(crate) fn atom_bytes<'a>(c: &mut crate::Cursor<'a>) -> crate::ParseResult<&'a [u8]> {
    let b = c.take_while(crate::token::is_atom_char)?;
    if b.is_empty() {
        return Err(c.invalid("atom"));
    }
    Ok(b)
}

/// Octets of ATOM-CHARs (ASCII) as text.
#[inline]
pub(crate) fn ascii_str(b: &[u8]) -> &str {
    std::str::from_utf8(b).unwrap_or_default()
}

/// One server response line (with its literals): a status response, untagged data or a
/// continuation request (RFC 9051 §7).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Response<'a> {
    /// A tagged or untagged OK, NO, BAD, or an untagged PREAUTH or BYE (RFC 9051 §7.1).
    Status(Status<'a>),
    /// Untagged data (`* ...`, RFC 9051 §7.2–§7.5).
    Data(Data<'a>),
    /// A continuation request (`+ ...`, RFC 9051 §7.6).
    Continue(Continue<'a>),
}

/// The condition of a status response (RFC 9051 §7.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StatusKind {
    /// `OK`: success, or information (untagged).
    Ok,
    /// `NO`: operational error.
    No,
    /// `BAD`: protocol error.
    Bad,
    /// `PREAUTH`: the greeting of a connection that is already authenticated (untagged only).
    PreAuth,
    /// `BYE`: the server closes the connection (untagged only).
    Bye,
}

impl StatusKind {
    /// The keyword as written.
    pub fn as_str(self) -> &'static str {
        match self {
            StatusKind::Ok => "OK",
            StatusKind::No => "NO",
            StatusKind::Bad => "BAD",
            StatusKind::PreAuth => "PREAUTH",
            StatusKind::Bye => "BYE",
        }
    }
}

/// A status response (RFC 9051 §7.1): `[tag | *] SP cond SP ["[" code "]" SP] text`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status<'a> {
    /// The tag of the command it completes; `None` for an untagged (`*`) response.
    pub tag: Option<Tag<'a>>,
    /// OK, NO, BAD, PREAUTH or BYE (the last two only untagged).
    pub kind: StatusKind,
    /// The response code, if any.
    pub code: Option<Code<'a>>,
    /// The human-readable text; may be empty (RFC 9051 makes it optional, and `* OK` alone is
    /// seen from servers).
    pub text: Cow<'a, str>,
}

/// A continuation request (RFC 9051 §7.6): `+ [code] text` or, during AUTHENTICATE, `+ base64`.
/// Base64 is kept as the text: the caller that knows it is in an AUTHENTICATE exchange decodes
/// it (a server challenge such as `+ Ready` is valid both ways).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Continue<'a> {
    /// A response code, if any (`+ [ALERT] ...` is rare but allowed).
    pub code: Option<Code<'a>>,
    /// The text or base64 challenge; empty for a bare `+`.
    pub text: Cow<'a, str>,
}

/// Untagged data (RFC 9051 §7.2–§7.5 and the extensions).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Data<'a> {
    /// `CAPABILITY cap...` (RFC 9051 §7.2.2).
    Capability(Vec<Capability<'a>>),
    /// `ENABLED cap...` (RFC 5161 §3.2).
    Enabled(Vec<Capability<'a>>),
    /// `LIST (attrs) delim mailbox [ext]` (RFC 9051 §7.3.1, RFC 5258).
    List(ListItem<'a>),
    /// `LSUB (attrs) delim mailbox` (RFC 3501 §7.2.3).
    Lsub(ListItem<'a>),
    /// `NAMESPACE personal other shared` (RFC 2342, RFC 9051 §7.3.5).
    Namespace(Namespace<'a>),
    /// `STATUS mailbox (item value ...)` (RFC 9051 §7.3.2).
    Status {
        /// The mailbox.
        mailbox: Mailbox<'a>,
        /// Its attributes.
        items: Vec<StatusValue<'a>>,
    },
    /// `ESEARCH [(TAG "t")] [UID] return-data...` (RFC 4731, RFC 9051 §7.3.4).
    Esearch(Esearch<'a>),
    /// `SEARCH n... [(MODSEQ m)]` (RFC 3501 §7.2.5, RFC 7162 §3.1.5).
    Search {
        /// The matching message numbers or UIDs.
        nums: Vec<u32>,
        /// The highest mod-sequence of them, when the search used MODSEQ.
        modseq: Option<u64>,
    },
    /// `SORT n... [(MODSEQ m)]` (RFC 5256 §4, RFC 7162 §3.1.5).
    Sort {
        /// The message numbers or UIDs in sort order.
        nums: Vec<u32>,
        /// The highest mod-sequence, when the sort used MODSEQ.
        modseq: Option<u64>,
    },
    /// `THREAD (thread)...` (RFC 5256 §4).
    Thread(Vec<Thread>),
    /// `FLAGS (flag...)`: the flags of the mailbox (RFC 9051 §7.3.5).
    Flags(Vec<Flag<'a>>),
    /// `n EXISTS` (RFC 9051 §7.4.1).
    Exists(u32),
    /// `n RECENT` (RFC 3501 §7.3.2).
    Recent(u32),
    /// `n EXPUNGE` (RFC 9051 §7.5.1).
    Expunge(NonZeroU32),
    /// `VANISHED [(EARLIER)] uids` (RFC 7162 §3.2.10).
    Vanished {
        /// `(EARLIER)`: an answer to a FETCH/SELECT with VANISHED/QRESYNC, not a live expunge.
        earlier: bool,
        /// The expunged UIDs.
        uids: SequenceSet,
    },
    /// `ID (key value ...)` or `ID NIL` (RFC 2971 §3.2).
    Id(Option<Vec<(IString<'a>, NString<'a>)>>),
    /// `QUOTA root (resource usage limit ...)` (RFC 9208 §5.1).
    Quota {
        /// The quota root.
        root: AString<'a>,
        /// Its resources.
        resources: Vec<QuotaResource<'a>>,
    },
    /// `QUOTAROOT mailbox root...` (RFC 9208 §5.2).
    QuotaRoot {
        /// The mailbox asked about.
        mailbox: Mailbox<'a>,
        /// Its quota roots.
        roots: Vec<AString<'a>>,
    },
    /// `n FETCH (item ...)` (RFC 9051 §7.5.2).
    Fetch {
        /// The message number.
        seq: NonZeroU32,
        /// The data items, in the order sent.
        items: Vec<MsgAtt<'a>>,
    },
    /// `[n SP] name [SP value]`: untagged data of an extension this crate does not know
    /// (`METADATA`, `ACL`, `XLIST`, ...), kept as sent so that one unknown response does not end
    /// the connection (RFC 9051 §7: a client must be prepared for data it did not ask for).
    Other {
        /// The number before the name (`* 3 XNAME ...`), if any.
        number: Option<u32>,
        /// The response's name.
        name: Atom<'a>,
        /// The rest of the line after the name and one space, literals included; empty when
        /// there is none.
        value: RawValue<'a>,
    },
}

impl<'a> Response<'a> {
    /// Parse one response from `input`, which holds it whole with its literals inline (RFC 9051
    /// §7). Returns the response and the octets consumed, final CRLF included.
    /// [`crate::ParseError::Incomplete`] when the input stops before the response does.
    pub fn parse(input: &'a [u8]) -> crate::ParseResult<(Response<'a>, usize)> {
        parse::response(&mut crate::Cursor::new(input))
    }

    /// The same with a [`crate::Cursor`] of the caller's (a different depth limit, say).
    pub fn parse_from(c: &mut crate::Cursor<'a>) -> crate::ParseResult<Response<'a>> {
        parse::response(c).map(|(r, _)| r)
    }

    /// Write the response, final CRLF included.
    pub fn encode(&self, e: &mut crate::Encoder) {
        encode::response(self, e)
    }

    /// The response as bytes (a server encoder: literals never wait).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut e = crate::Encoder::server();
        self.encode(&mut e);
        e.take()
    }
}
