//! The response parser's top level (client side): status responses, untagged data,
//! continuation requests (RFC 9051 §7, §9 `response`).

use std::borrow::Cow;

use super::code::{Capability, Code};
use super::fetch::MsgAtt;
use super::mailbox::{self, Esearch, ListItem, Namespace, QuotaResource, RawValue, Thread};
use super::{Continue, Data, KEY_MAX, Response, Status, StatusKind, atom_bytes, upper};
use crate::cursor::{Cursor, ParseError, ParseResult};
use crate::token::{AString, Atom, Flag, IString, Mailbox, NString, SequenceSet, Tag};

/// Text as `str`: borrowed when it is UTF-8, else decoded lossily (servers that send Latin-1
/// in their text).
pub(crate) fn text_from(b: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(b) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => String::from_utf8_lossy(b),
    }
}

/// `text`: everything up to CR or LF (not consumed).
fn text<'a>(c: &mut Cursor<'a>) -> ParseResult<Cow<'a, str>> {
    let rest = c.rest();
    let n = memchr::memchr2(b'\r', b'\n', rest).ok_or(ParseError::Incomplete)?;
    c.advance(n);
    Ok(text_from(&rest[..n]))
}

/// `resp-text` after the condition: `[SP ["[" code "]" [SP]] [text]]`. A `[` that does not
/// open a valid code is taken as text.
fn resp_text<'a>(c: &mut Cursor<'a>) -> ParseResult<(Option<Code<'a>>, Cow<'a, str>)> {
    if !c.eat(b' ')? {
        return Ok((None, Cow::Borrowed("")));
    }
    let mut code = None;
    if c.peek()? == b'[' {
        let mut probe = c.clone();
        match Code::parse(&mut probe) {
            Ok(k) => {
                *c = probe;
                code = Some(k);
                c.eat(b' ')?;
            }
            Err(ParseError::Invalid { .. }) | Err(ParseError::NumberTooLarge { .. }) => {}
            Err(e) => return Err(e),
        }
    }
    Ok((code, text(c)?))
}

/// Parse one response; returns it and the octets consumed from the cursor's position.
pub(super) fn response<'a>(c: &mut Cursor<'a>) -> ParseResult<(Response<'a>, usize)> {
    let start = c.pos();
    let r = match c.peek()? {
        b'+' => {
            c.advance(1);
            let (code, text) = resp_text(c)?;
            Response::Continue(Continue { code, text })
        }
        b'*' => {
            c.advance(1);
            c.sp()?;
            untagged(c)?
        }
        _ => {
            let tag = Tag::parse(c)?;
            c.sp()?;
            let at = c.pos();
            let word = atom_bytes(c)?;
            let mut buf = [0u8; KEY_MAX];
            let kind = match upper(word, &mut buf) {
                b"OK" => StatusKind::Ok,
                b"NO" => StatusKind::No,
                b"BAD" => StatusKind::Bad,
                _ => {
                    return Err(ParseError::Invalid {
                        at,
                        expected: "OK, NO or BAD",
                    });
                }
            };
            let (code, text) = resp_text(c)?;
            Response::Status(Status {
                tag: Some(tag),
                kind,
                code,
                text,
            })
        }
    };
    c.crlf()?;
    Ok((r, c.pos() - start))
}

fn untagged<'a>(c: &mut Cursor<'a>) -> ParseResult<Response<'a>> {
    if c.peek()?.is_ascii_digit() {
        let at = c.pos();
        let n = c.number()?;
        c.sp()?;
        let word = atom_bytes(c)?;
        let mut buf = [0u8; KEY_MAX];
        let d = match upper(word, &mut buf) {
            b"FETCH" => {
                c.sp()?;
                let seq = std::num::NonZeroU32::new(n).ok_or(ParseError::Invalid {
                    at,
                    expected: "nz-number",
                })?;
                Data::Fetch {
                    seq,
                    items: MsgAtt::parse_list(c)?,
                }
            }
            b"EXISTS" => Data::Exists(n),
            b"RECENT" => Data::Recent(n),
            b"EXPUNGE" => {
                Data::Expunge(std::num::NonZeroU32::new(n).ok_or(ParseError::Invalid {
                    at,
                    expected: "nz-number",
                })?)
            }
            _ => Data::Other {
                number: Some(n),
                name: Atom::from_parsed(super::ascii_str(word)),
                value: other_value(c)?,
            },
        };
        return Ok(Response::Data(d));
    }
    let word = atom_bytes(c)?;
    let mut buf = [0u8; KEY_MAX];
    let key = upper(word, &mut buf);
    let kind = match key {
        b"OK" => Some(StatusKind::Ok),
        b"NO" => Some(StatusKind::No),
        b"BAD" => Some(StatusKind::Bad),
        b"PREAUTH" => Some(StatusKind::PreAuth),
        b"BYE" => Some(StatusKind::Bye),
        _ => None,
    };
    if let Some(kind) = kind {
        let (code, text) = resp_text(c)?;
        return Ok(Response::Status(Status {
            tag: None,
            kind,
            code,
            text,
        }));
    }
    let d = match key {
        b"CAPABILITY" => Data::Capability(Capability::parse_list(c)?),
        b"ENABLED" => Data::Enabled(Capability::parse_list(c)?),
        b"LIST" => {
            c.sp()?;
            Data::List(ListItem::parse(c)?)
        }
        b"LSUB" => {
            c.sp()?;
            Data::Lsub(ListItem::parse(c)?)
        }
        b"NAMESPACE" => {
            c.sp()?;
            Data::Namespace(Namespace::parse(c)?)
        }
        b"STATUS" => {
            c.sp()?;
            let mailbox = Mailbox::parse(c)?;
            c.sp()?;
            Data::Status {
                mailbox,
                items: mailbox::status_values(c)?,
            }
        }
        b"ESEARCH" => Data::Esearch(Esearch::parse(c)?),
        b"SEARCH" | b"SORT" => {
            let mut nums = Vec::new();
            let mut modseq = None;
            while c.peek()? == b' ' {
                c.advance(1);
                match c.peek()? {
                    b'\r' | b'\n' | b' ' => {}
                    b'(' if modseq.is_none() => {
                        c.advance(1);
                        if !c.keyword(b"MODSEQ")? {
                            return Err(c.invalid("MODSEQ"));
                        }
                        c.sp()?;
                        modseq = Some(c.number64()?);
                        c.expect(b')', ") after MODSEQ")?;
                    }
                    _ if modseq.is_none() => nums.push(c.number()?),
                    _ => return Err(c.invalid("CRLF after MODSEQ")),
                }
            }
            if key == b"SEARCH" {
                Data::Search { nums, modseq }
            } else {
                Data::Sort { nums, modseq }
            }
        }
        b"THREAD" => {
            let mut threads = Vec::new();
            while !c.at_crlf()? {
                c.eat(b' ')?;
                threads.push(Thread::parse(c)?);
            }
            Data::Thread(threads)
        }
        b"FLAGS" => {
            c.sp()?;
            Data::Flags(Flag::parse_list(c)?)
        }
        b"VANISHED" => {
            c.sp()?;
            let earlier = if c.peek()? == b'(' {
                c.advance(1);
                if !c.keyword(b"EARLIER")? {
                    return Err(c.invalid("EARLIER"));
                }
                c.expect(b')', ") after EARLIER")?;
                c.sp()?;
                true
            } else {
                false
            };
            Data::Vanished {
                earlier,
                uids: SequenceSet::parse(c)?,
            }
        }
        b"ID" => {
            c.sp()?;
            if c.keyword(b"NIL")? {
                Data::Id(None)
            } else {
                c.expect(b'(', "( or NIL")?;
                Data::Id(Some(c.items_to_close(0, |c| {
                    let k = IString::parse(c)?;
                    c.sp()?;
                    Ok((k, NString::parse(c)?))
                })?))
            }
        }
        b"QUOTA" => {
            c.sp()?;
            let root = AString::parse(c)?;
            c.sp()?;
            Data::Quota {
                root,
                resources: c.paren_list(true, QuotaResource::parse)?,
            }
        }
        b"QUOTAROOT" => {
            c.sp()?;
            let mailbox = Mailbox::parse(c)?;
            let mut roots = Vec::new();
            while c.peek()? == b' ' {
                c.advance(1);
                if c.at_crlf()? {
                    break;
                }
                roots.push(AString::parse(c)?);
            }
            Data::QuotaRoot { mailbox, roots }
        }
        _ => Data::Other {
            number: None,
            name: Atom::from_parsed(super::ascii_str(word)),
            value: other_value(c)?,
        },
    };
    Ok(Response::Data(d))
}

/// The rest of an unknown response's line after its name: `[SP value]` up to CRLF (not
/// consumed), where the value is any octets but CR and LF, with quoted strings and literals
/// read as such (a literal may hold CRLF; a quoted string may hold `{`). A `"` that opens no
/// valid string, or a `{` that opens no literal header, is an ordinary octet; a literal whose
/// header is valid but whose octets are not (NUL) makes the response invalid.
fn other_value<'a>(c: &mut Cursor<'a>) -> ParseResult<RawValue<'a>> {
    if !c.eat(b' ')? {
        return Ok(RawValue(Cow::Borrowed(b"")));
    }
    let start = c.pos();
    loop {
        let b = c.peek()?;
        match b {
            b'\r' | b'\n' => break,
            b'"' => {
                let mut probe = c.clone();
                match probe.quoted() {
                    Ok(_) => *c = probe,
                    Err(ParseError::Incomplete) => return Err(ParseError::Incomplete),
                    Err(_) => c.advance(1),
                }
            }
            b'{' | b'~' => {
                // A valid literal header commits to a literal (its octets may lie past this
                // line, so they cannot be taken as text); anything else is text.
                let mut probe = c.clone();
                let header = if b == b'~' && probe.peek2()? != b'{' {
                    Err(probe.invalid("literal8"))
                } else {
                    probe.literal_header().map(drop)
                };
                match header {
                    Ok(()) => {
                        c.literal()?;
                    }
                    Err(ParseError::Incomplete) => return Err(ParseError::Incomplete),
                    Err(_) => c.advance(1),
                }
            }
            _ => c.advance(1),
        }
    }
    Ok(RawValue(Cow::Borrowed(&c.input()[start..c.pos()])))
}
