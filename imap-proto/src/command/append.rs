//! APPEND (RFC 9051 §6.3.12) with MULTIAPPEND (RFC 3502) and literal8 (RFC 3516), whole or in
//! pieces for a session that streams the message literals.
//!
//! ```text
//! append         = "APPEND" SP mailbox 1*append-message          ; RFC 3502
//! append-message = append-opts SP append-data
//! append-opts    = [SP flag-list] [SP date-time]
//! append-data    = literal / literal8                              ; RFC 3516
//! append-data    =/ "UTF8" SP "(" literal8 ")"                     ; RFC 6855 §4
//! ```
//!
//! A session that does not hold a large message in memory parses `tag APPEND mailbox [flags]
//! [date-time] {n}` with [`AppendHead::parse`], streams the `n` octets, then parses what follows
//! with [`AppendNext::parse`]: the end of the command, or the next message's options and
//! literal announcement. After a message announced `UTF8 (~{n}` (RFC 6855 §4) the `)` that
//! closes it comes first: [`AppendNext::parse_after`] takes the announcement and reads it.

use crate::cursor::{Cursor, ParseResult};
use crate::encode::Encoder;
use crate::token::{DateTime, Flag, Literal, LiteralMode, Mailbox, Tag};

/// One message of an APPEND (RFC 9051 §6.3.12, RFC 3502 §6).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppendMessage<'a> {
    /// Flags to set (`()` and none at all are the same).
    pub flags: Vec<Flag<'a>>,
    /// The internal date to set.
    pub date_time: Option<DateTime>,
    /// The message, a literal (or literal8 when `binary`).
    pub message: Literal<'a>,
    /// Sent as `UTF8 (literal8)` (RFC 6855 §4): a message with UTF-8 header fields, to a server
    /// with UTF8=ACCEPT. The literal is always a literal8 then: it is written `~{n}` whatever
    /// `message.binary` says, and parsed with `binary` set.
    pub utf8: bool,
}

impl<'a> AppendMessage<'a> {
    /// An owned copy.
    pub fn into_owned(self) -> AppendMessage<'static> {
        AppendMessage {
            flags: self.flags.into_iter().map(Flag::into_owned).collect(),
            date_time: self.date_time,
            message: self.message.into_owned(),
            utf8: self.utf8,
        }
    }

    /// Write ` [flags SP] [date-time SP] append-data`, leading space included.
    pub fn encode(&self, e: &mut Encoder) {
        encode_opts(&self.flags, self.date_time.as_ref(), e);
        if self.utf8 {
            e.raw(b"UTF8 (");
            e.literal(&self.message.data, true);
            e.byte(b')');
        } else {
            e.literal(&self.message.data, self.message.binary);
        }
    }
}

/// Consume `"UTF8" SP "("` (RFC 6855 §4) if it is next: whether it was. A literal8 must follow.
fn utf8_open(c: &mut Cursor<'_>) -> ParseResult<bool> {
    if !matches!(c.peek()?, b'U' | b'u') || !c.keyword(b"UTF8")? {
        return Ok(false);
    }
    c.sp()?;
    c.expect(b'(', "( after UTF8")?;
    if c.peek()? != b'~' {
        return Err(c.invalid("literal8 in UTF8 (...)"));
    }
    Ok(true)
}

/// `append-data` (RFC 9051 §9, RFC 3516 §4.1, RFC 6855 §4): `literal / literal8 / "UTF8" SP
/// "(" literal8 ")"`; the literal and whether it came in `UTF8 (...)`.
fn parse_data<'a>(c: &mut Cursor<'a>) -> ParseResult<(Literal<'a>, bool)> {
    if utf8_open(c)? {
        let message = c.literal()?;
        c.expect(b')', ") closing UTF8 (literal8)")?;
        return Ok((message, true));
    }
    match c.peek()? {
        b'{' | b'~' => Ok((c.literal()?, false)),
        _ => Err(c.invalid("a message literal")),
    }
}

/// Parse `[flag-list SP] [date-time SP]` (after the SP that precedes them).
fn parse_opts<'a>(c: &mut Cursor<'a>) -> ParseResult<(Vec<Flag<'a>>, Option<DateTime>)> {
    let flags = if c.peek()? == b'(' {
        let f = Flag::parse_list(c)?;
        c.sp()?;
        f
    } else {
        Vec::new()
    };
    let date_time = if c.peek()? == b'"' {
        let d = DateTime::parse(c)?;
        c.sp()?;
        Some(d)
    } else {
        None
    };
    Ok((flags, date_time))
}

fn encode_opts(flags: &[Flag<'_>], date_time: Option<&DateTime>, e: &mut Encoder) {
    e.sp();
    if !flags.is_empty() {
        Flag::encode_list(flags, e);
        e.sp();
    }
    if let Some(d) = date_time {
        d.encode(e);
        e.sp();
    }
}

/// Parse `1*(SP append-opts append-data)` up to the CRLF (left unconsumed).
pub(crate) fn parse_messages<'a>(c: &mut Cursor<'a>) -> ParseResult<Vec<AppendMessage<'a>>> {
    let mut out = Vec::with_capacity(1);
    loop {
        c.sp()?;
        let (flags, date_time) = parse_opts(c)?;
        let (message, utf8) = parse_data(c)?;
        out.push(AppendMessage {
            flags,
            date_time,
            message,
            utf8,
        });
        if c.at_crlf()? {
            return Ok(out);
        }
    }
}

/// A message literal's announcement: `{n}`, `{n+}`, `~{n}` or `UTF8 (~{n}` (RFC 3516 §4.1,
/// RFC 6855 §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LiteralAnnouncement {
    /// The number of octets that follow.
    pub length: u64,
    /// Whether the client waits for `+` (`{n}`) or not (`{n+}`).
    pub mode: LiteralMode,
    /// `~{n}` (RFC 3516 literal8).
    pub binary: bool,
    /// `UTF8 (~{n}` (RFC 6855 §4): a `)` follows the octets, before what
    /// [`AppendNext::parse_after`] reads.
    pub utf8: bool,
}

impl LiteralAnnouncement {
    fn parse(c: &mut Cursor<'_>) -> ParseResult<Self> {
        let utf8 = utf8_open(c)?;
        match c.peek()? {
            b'{' | b'~' => {
                let (length, mode, binary) = c.literal_header()?;
                Ok(LiteralAnnouncement {
                    length,
                    mode,
                    binary,
                    utf8,
                })
            }
            _ => Err(c.invalid("a message literal")),
        }
    }

    /// Write it (`UTF8 (` first when `utf8`); whether the client must wait for `+`.
    fn encode(&self, e: &mut Encoder) -> bool {
        if self.utf8 {
            e.raw(b"UTF8 (");
        }
        e.literal_header(self.length, self.binary || self.utf8)
    }
}

/// The head of an APPEND whose message is streamed: `tag SP "APPEND" SP mailbox SP [flag-list
/// SP] [date-time SP] literal-header` (RFC 9051 §6.3.12), the literal header perhaps inside
/// `UTF8 (` (RFC 6855 §4), up to and including the CRLF that ends the literal's announcement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppendHead<'a> {
    /// The command's tag.
    pub tag: Tag<'a>,
    /// The target mailbox.
    pub mailbox: Mailbox<'a>,
    /// The first message's flags.
    pub flags: Vec<Flag<'a>>,
    /// The first message's internal date.
    pub date_time: Option<DateTime>,
    /// The first message's literal announcement; its octets follow.
    pub literal: LiteralAnnouncement,
}

impl<'a> AppendHead<'a> {
    /// Parse the head from the start of `input`; returns it and the octets consumed (the
    /// message's first octet is at that offset). `Incomplete` until the announcement's CRLF.
    /// Anything other than an APPEND is invalid.
    pub fn parse(input: &'a [u8]) -> Result<(AppendHead<'a>, usize), crate::ParseError> {
        let mut c = Cursor::new(input);
        let tag = Tag::parse(&mut c)?;
        c.sp()?;
        if !c.keyword(b"APPEND")? {
            return Err(c.invalid("APPEND"));
        }
        c.sp()?;
        let mailbox = Mailbox::parse(&mut c)?;
        c.sp()?;
        let (flags, date_time) = parse_opts(&mut c)?;
        let literal = LiteralAnnouncement::parse(&mut c)?;
        Ok((
            AppendHead {
                tag,
                mailbox,
                flags,
                date_time,
                literal,
            },
            c.pos(),
        ))
    }

    /// Write the head, the announcement's CRLF included. Returns whether the client must wait
    /// for `+` before it streams the message.
    pub fn encode(&self, e: &mut Encoder) -> bool {
        self.tag.encode(e);
        e.raw(b" APPEND ");
        self.mailbox.encode(e);
        encode_opts(&self.flags, self.date_time.as_ref(), e);
        self.literal.encode(e)
    }
}

/// What follows a streamed APPEND message literal (RFC 3502 §6): the end of the command, or the
/// next message's options and literal announcement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AppendNext<'a> {
    /// `CRLF`: the command is complete.
    End,
    /// `SP [flag-list SP] [date-time SP] literal-header`: another message follows.
    Message {
        /// Its flags.
        flags: Vec<Flag<'a>>,
        /// Its internal date.
        date_time: Option<DateTime>,
        /// Its literal announcement; the octets follow.
        literal: LiteralAnnouncement,
    },
}

impl<'a> AppendNext<'a> {
    /// Parse what follows a message literal announced `{n}`, `{n+}` or `~{n}`; returns it and
    /// the octets consumed. After `UTF8 (~{n}` use [`AppendNext::parse_after`].
    pub fn parse(input: &'a [u8]) -> Result<(AppendNext<'a>, usize), crate::ParseError> {
        Self::parse_cursor(Cursor::new(input))
    }

    /// Parse what follows the octets of the message literal `previous` announced: its closing
    /// `)` first when it was `UTF8 (~{n}` (RFC 6855 §4).
    pub fn parse_after(
        input: &'a [u8],
        previous: &LiteralAnnouncement,
    ) -> Result<(AppendNext<'a>, usize), crate::ParseError> {
        let mut c = Cursor::new(input);
        if previous.utf8 {
            c.expect(b')', ") closing UTF8 (literal8)")?;
        }
        Self::parse_cursor(c)
    }

    fn parse_cursor(mut c: Cursor<'a>) -> Result<(AppendNext<'a>, usize), crate::ParseError> {
        if c.at_crlf()? {
            c.crlf()?;
            return Ok((AppendNext::End, c.pos()));
        }
        c.sp()?;
        let (flags, date_time) = parse_opts(&mut c)?;
        let literal = LiteralAnnouncement::parse(&mut c)?;
        Ok((
            AppendNext::Message {
                flags,
                date_time,
                literal,
            },
            c.pos(),
        ))
    }

    /// Write what follows the octets of the message literal `previous` announced: the `)` that
    /// closes `UTF8 (~{n}` first (RFC 6855 §4), then as [`AppendNext::encode`].
    pub fn encode_after(&self, e: &mut Encoder, previous: &LiteralAnnouncement) -> bool {
        if previous.utf8 {
            e.byte(b')');
        }
        self.encode(e)
    }

    /// Write it (after a literal not announced `UTF8 (`; see [`AppendNext::encode_after`]).
    /// Returns whether the client must wait for `+` before the next message.
    pub fn encode(&self, e: &mut Encoder) -> bool {
        match self {
            AppendNext::End => {
                e.crlf();
                false
            }
            AppendNext::Message {
                flags,
                date_time,
                literal,
            } => {
                encode_opts(flags, date_time.as_ref(), e);
                literal.encode(e)
            }
        }
    }
}
