//! SEARCH evaluation (RFC 9051 §6.4.4 with RFC 3501's NEW/OLD/RECENT, RFC 7162 MODSEQ,
//! RFC 5182 `$`, RFC 5032 OLDER/YOUNGER), SORT (RFC 5256 §3, RFC 5957 DISPLAYFROM/DISPLAYTO)
//! and THREAD (RFC 5256 §4: ORDEREDSUBJECT and REFERENCES) over the messages of a mailbox.
//!
//! # SEARCH
//! [`SearchProgram::compile`] checks the CHARSET (UTF-8 and US-ASCII; any other is
//! [`SearchError::BadCharset`], which the server answers `NO [BADCHARSET (UTF-8)]`), folds the
//! search strings once, and says through [`SearchProgram::needs`] what the keys read: metadata
//! only, the header, or the body too. [`SearchProgram::matches`] then decides one message from
//! its [`MessageMeta`] and asks its [`MessageContent`] for the raw message only when the keys
//! that metadata can decide (flags, sequence numbers, UIDs, sizes, dates, MODSEQ) leave the
//! answer open: evaluation is three-valued (true, false, not yet known), so `UNSEEN BODY x` on
//! a seen message never reads it, and `OR SEEN BODY x` on an unseen one reads it once.
//!
//! Strings match as case-insensitive substrings (Unicode lower case); header values are
//! searched unfolded with RFC 2047 encoded-words decoded; BODY searches the decoded text of
//! the text parts (transfer encodings and charsets undone by mail-parser), at most
//! [`SearchContext::body_limit`] octets of it per message; TEXT searches the header, the
//! header fields of every body part and attached message (RFC 9051: "including MIME header
//! fields"), and the body. Non-text parts (attachments) are not searched.
//!
//! Compared with Dovecot 2.3 (tests/search_dovecot.rs), two choices differ from Dovecot
//! without full-text search, on purpose: an HTML part is searched as its text (tags removed,
//! entities decoded: `BODY "fish & chips"` finds `fish &amp; chips`, `BODY "<b>"` finds no
//! tag), where Dovecot searches the HTML source. A missing or unparsable Date field counts as
//! 1-Jan-1970 for SENTBEFORE/SENTON/SENTSINCE, as in Dovecot (RFC 9051 does not say).
//!
//! ```
//! use imap_proto::command::{Command, CommandBody};
//! use imap_proto::server::search::{
//!     DEFAULT_BODY_LIMIT, MessageMeta, Needs, SearchContext, SearchProgram,
//! };
//! use imap_proto::token::{Date, DateTime, Flag};
//!
//! let (cmd, _) = Command::parse(b"a1 SEARCH UNSEEN SUBJECT lunch\r\n").expect("parses");
//! let CommandBody::Search { charset, criteria, .. } = cmd.body else { unreachable!() };
//! let program = SearchProgram::compile(charset.as_ref().map(|c| c.as_bytes()), &criteria)
//!     .expect("UTF-8 and known keys"); // else NO [BADCHARSET (UTF-8)] or BAD
//! assert_eq!(program.needs(), Needs::Header);
//!
//! let raw: &[u8] = b"Subject: Re: Lunch?\r\n\r\nNoon.\r\n";
//! let date = Date::new(2024, 5, 1).expect("date");
//! let internal_date = DateTime { date, hour: 12, minute: 0, second: 0, offset_minutes: 0 };
//! let ctx = SearchContext { max_seq: 2, max_uid: 8, saved: &[], now: 0, body_limit: DEFAULT_BODY_LIMIT };
//! let unseen = MessageMeta {
//!     seq: 1, uid: 7, flags: &[], recent: false, internal_date, size: raw.len() as u64, mod_seq: 1,
//! };
//! assert!(program.matches(&unseen, &ctx, &mut &raw[..]).expect("read"));
//! // A seen message is decided from its flags: its content is never asked for.
//! let seen = MessageMeta { seq: 2, uid: 8, flags: &[Flag::Seen], ..unseen };
//! assert_eq!(program.matches_metadata(&seen, &ctx), Some(false));
//! ```
//!
//! The matches become a response with [`return_data`] (ESEARCH, RFC 4731) and
//! [`saved_result`] (what SAVE keeps as `$`, RFC 5182).
//!
//! # SORT and THREAD
//! Both work on a [`MessageSummary`] per message (read once from its header: base subject,
//! sent date, first addresses, message IDs), which a store can keep. [`sort`] orders
//! [`SortItem`]s by the criteria, ties by sequence number; [`thread`] builds the
//! [`Thread`](crate::response::Thread) values of a THREAD response.

mod eval;
mod fold;
mod header;
mod result;
mod sort;
mod subject;
mod thread;

#[cfg(test)]
mod tests;

pub use eval::SearchProgram;
pub use header::{
    HeaderFields, MessageSummary, SentDate, decode_text, first_address, header_of, message_ids,
    parse_date,
};
pub use result::{return_data, saved_result, to_sequence_set};
pub use sort::{SortItem, sort, sort_needs};
pub use subject::{BaseSubject, base_subject};
pub use thread::thread;

use crate::token::{DateTime, Flag};

/// Octets of decoded body text searched per message unless the context says otherwise.
pub const DEFAULT_BODY_LIMIT: usize = 4 * 1024 * 1024;

/// Why a SEARCH, SORT or THREAD cannot be run (RFC 9051 §6.4.4, RFC 5256 §3).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SearchError {
    /// A CHARSET other than UTF-8 or US-ASCII: answer `NO [BADCHARSET (UTF-8)]`.
    #[error("unsupported charset {charset:?}")]
    BadCharset {
        /// The charset as the client wrote it.
        charset: String,
    },
    /// A search string that is not valid UTF-8 (answer `BAD`).
    #[error("search string is not valid UTF-8")]
    InvalidUtf8,
    /// A THREAD algorithm this server does not implement (answer `BAD`).
    #[error("unknown threading algorithm {0:?}")]
    UnknownAlgorithm(String),
}

/// Checks a CHARSET argument (RFC 9051 §6.4.4): absent, `UTF-8` and `US-ASCII` (any case)
/// are accepted.
pub fn check_charset(charset: Option<&[u8]>) -> Result<(), SearchError> {
    match charset {
        None => Ok(()),
        Some(c) if c.eq_ignore_ascii_case(b"UTF-8") || c.eq_ignore_ascii_case(b"US-ASCII") => {
            Ok(())
        }
        Some(c) => Err(SearchError::BadCharset {
            charset: String::from_utf8_lossy(c).into_owned(),
        }),
    }
}

/// What evaluating a search key (or computing sort keys) reads of a message, cheapest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Needs {
    /// Metadata only: flags, numbers, sizes, internal date, mod-sequence.
    Metadata,
    /// The header too.
    Header,
    /// The body too.
    Body,
}

/// What the store knows of one message without reading it (RFC 9051 §2.3).
#[derive(Debug, Clone, Copy)]
pub struct MessageMeta<'a> {
    /// The message sequence number.
    pub seq: u32,
    /// The UID.
    pub uid: u32,
    /// The flags and keywords (`\Recent` here or in [`MessageMeta::recent`]).
    pub flags: &'a [Flag<'a>],
    /// Whether the message is recent in this session (RFC 3501 `\Recent`).
    pub recent: bool,
    /// The internal date (RFC 9051 §2.3.3).
    pub internal_date: DateTime,
    /// RFC822.SIZE (RFC 9051 §2.3.4).
    pub size: u64,
    /// The mod-sequence (RFC 7162 §3.1.1; 0 when CONDSTORE is not in use).
    pub mod_seq: u64,
}

/// What holds for every message of one SEARCH: the mailbox's extent, the saved result and the
/// time.
#[derive(Debug, Clone, Copy)]
pub struct SearchContext<'a> {
    /// The highest message sequence number (`*` in a sequence set).
    pub max_seq: u32,
    /// The highest UID in the mailbox (`*` in `UID`).
    pub max_uid: u32,
    /// The saved search result of RFC 5182 (`$`), as UIDs in ascending order; empty when none.
    pub saved: &'a [u32],
    /// Now, in seconds since the Unix epoch (OLDER and YOUNGER, RFC 5032).
    pub now: i64,
    /// At most this many octets of decoded body text are searched per message.
    pub body_limit: usize,
}

/// The raw message behind a [`MessageMeta`], read only when a key needs it.
pub trait MessageContent {
    /// Why the message could not be read.
    type Error;

    /// The raw message (RFC 5322; CRLF or LF line ends).
    fn raw_message(&mut self) -> Result<&[u8], Self::Error>;
}

impl MessageContent for &[u8] {
    type Error = std::convert::Infallible;

    fn raw_message(&mut self) -> Result<&[u8], Self::Error> {
        Ok(self)
    }
}
