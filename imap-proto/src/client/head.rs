//! The client's view of a server response: which command it belongs to and what it changes in
//! the session's state (RFC 9051 §7). The session reads a response's *head* — its tag and
//! status with the response code ([`crate::response::Code`]), or for untagged data its number
//! and name, and the values it tracks (CAPABILITY, ENABLED, FLAGS) — and keeps the whole
//! response's octets ([`Untagged::raw`]) for the application, which parses the data it asked
//! for (FETCH items, LIST, SEARCH) with [`Untagged::parse`] only when it wants them.
//!
//! The session's [`crate::framing::Assembler`] hands it whole responses, literals inline.

use crate::cursor::{Cursor, ParseError};
use crate::response::{Capability, Code, Response};
use crate::token::Flag;

use super::capability::Capabilities;

/// `text` without the literal announcement it ends with (`{n}`, `{n+}`, `~{n}` and the line
/// end).
pub(crate) fn without_announcement(text: &[u8]) -> &[u8] {
    match text.iter().rposition(|&b| b == b'{') {
        Some(i) if i > 0 && text[i - 1] == b'~' => &text[..i - 1],
        Some(i) => &text[..i],
        None => text,
    }
}

/// `n` when `head` starts with `* n FETCH`.
pub(crate) fn fetch_number(head: &[u8]) -> Option<u32> {
    let rest = head.strip_prefix(b"* ")?;
    let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    let n = std::str::from_utf8(&rest[..digits]).ok()?.parse().ok()?;
    let name = rest[digits..].strip_prefix(b" ")?;
    (name.len() >= 5 && name[..5].eq_ignore_ascii_case(b"FETCH")).then_some(n)
}

/// A status condition (RFC 9051 §7.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Condition {
    /// `OK`.
    Ok,
    /// `NO`: the command failed (or an untagged warning).
    No,
    /// `BAD`: protocol error (or an untagged error).
    Bad,
    /// `PREAUTH` (greeting only): the connection is already authenticated.
    PreAuth,
    /// `BYE`: the server is closing the connection.
    Bye,
}

impl Condition {
    fn from_atom(a: &str) -> Option<Self> {
        Some(match a.to_ascii_uppercase().as_str() {
            "OK" => Condition::Ok,
            "NO" => Condition::No,
            "BAD" => Condition::Bad,
            "PREAUTH" => Condition::PreAuth,
            "BYE" => Condition::Bye,
            _ => return None,
        })
    }
}

/// A tagged or untagged status response's parts after the condition:
/// `[SP "[" resp-text-code "]"] [SP text]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusText {
    /// The response code, if any.
    pub code: Option<Code<'static>>,
    /// The human-readable text (lossy UTF-8).
    pub text: String,
}

/// An untagged response (`* ...`), as the session read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Untagged {
    /// What kind of data it is.
    pub kind: UntaggedKind,
    raw: Vec<u8>,
}

impl Untagged {
    /// The whole response as received, from `*` to the final CRLF, literals inline: give it to
    /// the response parser for the data the session does not interpret (FETCH items, LIST...).
    pub fn raw(&self) -> &[u8] {
        &self.raw
    }

    /// The response parsed in full ([`Response::parse`]), borrowing from [`Untagged::raw`]:
    /// FETCH items with ENVELOPE and BODYSTRUCTURE, LIST, ESEARCH, STATUS...
    ///
    /// # Errors
    /// The response parser's error when the data does not fit the grammar (the session read
    /// only its head).
    pub fn parse(&self) -> Result<Response<'_>, ParseError> {
        Response::parse(&self.raw).map(|(r, _)| r)
    }
}

/// The kinds of untagged response (RFC 9051 §7.1 to §7.5).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum UntaggedKind {
    /// `* OK|NO|BAD|PREAUTH|BYE [code] text` (§7.1).
    Status {
        /// The condition.
        condition: Condition,
        /// Code and text.
        text: StatusText,
    },
    /// `* CAPABILITY ...` (§7.2.2).
    Capability(Capabilities),
    /// `* ENABLED ...` (RFC 5161 §3.2): the extensions now enabled.
    Enabled(Vec<String>),
    /// `* FLAGS (...)` (§7.3.5): the mailbox's flags.
    Flags(Vec<Flag<'static>>),
    /// `* n EXISTS` (§7.4.1).
    Exists(u32),
    /// `* n RECENT` (RFC 3501 §7.3.2; IMAP4rev1 servers).
    Recent(u32),
    /// `* n EXPUNGE` (§7.5.1).
    Expunge(u32),
    /// `* n FETCH (...)` (§7.5.2): the message's sequence number; the items are in
    /// [`Untagged::raw`].
    Fetch(u32),
    /// Any other data (`LIST`, `SEARCH`, `ESEARCH`, `STATUS`, `NAMESPACE`, `VANISHED`...):
    /// its name, upper case; the rest is in [`Untagged::raw`].
    Data {
        /// The response's name (for `* n NAME`, the name after the number).
        name: String,
        /// The number before the name, if any.
        number: Option<u32>,
    },
}

/// One response as the session read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ServerLine {
    /// `+ text` (§7.6): base64 for AUTHENTICATE, free text otherwise.
    Continuation(Vec<u8>),
    /// `tag OK|NO|BAD ...` (§7.1).
    Tagged {
        tag: String,
        condition: Condition,
        text: StatusText,
    },
    /// `* ...`.
    Untagged(Untagged),
}

/// Read a response's head. `frame` is one whole response, literals inline, as the assembler gave it.
///
/// ```text
/// response      = continue-req / response-data / response-tagged
/// continue-req  = "+" SP (resp-text / base64) CRLF
/// response-tagged = tag SP resp-cond-state CRLF
/// response-data = "*" SP (resp-cond-state / resp-cond-bye / mailbox-data / message-data /
///                 capability-data / enable-data) CRLF
/// ```
pub(crate) fn read_line(frame: &[u8]) -> Result<ServerLine, ParseError> {
    let mut c = Cursor::new(frame);
    match c.peek()? {
        b'+' => {
            c.advance(1);
            c.eat_opt(b' ');
            Ok(ServerLine::Continuation(line_text(&c).to_vec()))
        }
        b'*' => {
            c.advance(1);
            c.sp()?;
            let kind = untagged_kind(&mut c)?;
            Ok(ServerLine::Untagged(Untagged {
                kind,
                raw: frame.to_vec(),
            }))
        }
        _ => {
            let tag = c.tag_chars()?.to_owned();
            c.sp()?;
            let at = c.pos();
            let condition = Condition::from_atom(c.atom()?)
                .filter(|k| matches!(k, Condition::Ok | Condition::No | Condition::Bad))
                .ok_or(ParseError::Invalid {
                    at,
                    expected: "OK, NO or BAD",
                })?;
            let text = status_text(&mut c)?;
            Ok(ServerLine::Tagged {
                tag,
                condition,
                text,
            })
        }
    }
}

/// The text up to CRLF (or LF).
fn line_text<'a>(c: &Cursor<'a>) -> &'a [u8] {
    let rest = c.rest();
    let rest = rest.strip_suffix(b"\n").unwrap_or(rest);
    rest.strip_suffix(b"\r").unwrap_or(rest)
}

fn untagged_kind(c: &mut Cursor<'_>) -> Result<UntaggedKind, ParseError> {
    if c.peek()?.is_ascii_digit() {
        let n = c.number()?;
        c.sp()?;
        let name = c.atom()?;
        return Ok(match name.to_ascii_uppercase().as_str() {
            "EXISTS" => UntaggedKind::Exists(n),
            "RECENT" => UntaggedKind::Recent(n),
            "EXPUNGE" => UntaggedKind::Expunge(n),
            "FETCH" => UntaggedKind::Fetch(n),
            other => UntaggedKind::Data {
                name: other.to_owned(),
                number: Some(n),
            },
        });
    }
    let name = c.atom()?;
    if let Some(condition) = Condition::from_atom(name) {
        return Ok(UntaggedKind::Status {
            condition,
            text: status_text(c)?,
        });
    }
    let upper = name.to_ascii_uppercase();
    Ok(match upper.as_str() {
        "CAPABILITY" => UntaggedKind::Capability(Capabilities::new(Capability::parse_list(c)?)),
        "ENABLED" => UntaggedKind::Enabled(
            Capabilities::new(Capability::parse_list(c)?)
                .names()
                .map(str::to_owned)
                .collect(),
        ),
        "FLAGS" => {
            c.sp()?;
            UntaggedKind::Flags(
                Flag::parse_list(c)?
                    .into_iter()
                    .map(Flag::into_owned)
                    .collect(),
            )
        }
        _ => UntaggedKind::Data {
            name: upper,
            number: None,
        },
    })
}

/// `[SP "[" resp-text-code "]"] [SP text]`; a missing text is accepted (servers omit it).
fn status_text(c: &mut Cursor<'_>) -> Result<StatusText, ParseError> {
    if !c.eat_opt(b' ') {
        return Ok(StatusText {
            code: None,
            text: String::new(),
        });
    }
    let code = if c.peek()? == b'[' {
        let code = Code::parse(c)?.into_owned();
        c.eat_opt(b' ');
        Some(code)
    } else {
        None
    };
    Ok(StatusText {
        code,
        text: String::from_utf8_lossy(line_text(c)).into_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::token::FlagPerm;

    #[test]
    fn heads() {
        let cases: &[(&[u8], ServerLine)] = &[
            (
                b"+ idling\r\n",
                ServerLine::Continuation(b"idling".to_vec()),
            ),
            (b"+\r\n", ServerLine::Continuation(Vec::new())),
            (
                b"a1 NO [ALERT] over quota\r\n",
                ServerLine::Tagged {
                    tag: "a1".into(),
                    condition: Condition::No,
                    text: StatusText {
                        code: Some(Code::Alert),
                        text: "over quota".into(),
                    },
                },
            ),
            (
                b"A2 ok\r\n",
                ServerLine::Tagged {
                    tag: "A2".into(),
                    condition: Condition::Ok,
                    text: StatusText {
                        code: None,
                        text: String::new(),
                    },
                },
            ),
            (
                b"a3 OK [APPENDUID 38505 3955] APPEND completed\r\n",
                ServerLine::Tagged {
                    tag: "a3".into(),
                    condition: Condition::Ok,
                    text: StatusText {
                        code: Some(Code::AppendUid {
                            uid_validity: 38505,
                            uids: crate::token::SequenceSet::single(
                                std::num::NonZeroU32::new(3955).unwrap(),
                            ),
                        }),
                        text: "APPEND completed".into(),
                    },
                },
            ),
        ];
        for (input, want) in cases {
            assert_eq!(
                &read_line(input).unwrap(),
                want,
                "{:?}",
                String::from_utf8_lossy(input)
            );
        }
    }

    fn kind(input: &[u8]) -> UntaggedKind {
        match read_line(input).unwrap() {
            ServerLine::Untagged(u) => {
                assert_eq!(u.raw(), input);
                u.kind
            }
            other => panic!("not untagged: {other:?}"),
        }
    }

    #[test]
    fn untagged_kinds() {
        assert_eq!(kind(b"* 23 EXISTS\r\n"), UntaggedKind::Exists(23));
        assert_eq!(kind(b"* 5 recent\r\n"), UntaggedKind::Recent(5));
        assert_eq!(kind(b"* 4 EXPUNGE\r\n"), UntaggedKind::Expunge(4));
        assert_eq!(
            kind(b"* 12 FETCH (FLAGS (\\Seen))\r\n"),
            UntaggedKind::Fetch(12)
        );
        assert_eq!(
            kind(b"* FLAGS (\\Answered \\Seen $Forwarded)\r\n"),
            UntaggedKind::Flags(vec![
                Flag::Answered,
                Flag::Seen,
                Flag::Keyword(crate::token::Atom::new("$Forwarded").unwrap())
            ])
        );
        assert_eq!(
            kind(b"* OK [UIDVALIDITY 3857529045] UIDs valid\r\n"),
            UntaggedKind::Status {
                condition: Condition::Ok,
                text: StatusText {
                    code: Some(Code::UidValidity(3857529045)),
                    text: "UIDs valid".into()
                }
            }
        );
        assert_eq!(
            kind(b"* OK [PERMANENTFLAGS (\\Deleted \\*)] Limited\r\n"),
            UntaggedKind::Status {
                condition: Condition::Ok,
                text: StatusText {
                    code: Some(Code::PermanentFlags(vec![
                        FlagPerm::Flag(Flag::Deleted),
                        FlagPerm::Any
                    ])),
                    text: "Limited".into()
                }
            }
        );
        assert_eq!(
            kind(b"* OK [HIGHESTMODSEQ 715194045007]\r\n"),
            UntaggedKind::Status {
                condition: Condition::Ok,
                text: StatusText {
                    code: Some(Code::HighestModSeq(715194045007)),
                    text: String::new()
                }
            }
        );
        assert_eq!(
            kind(b"* LIST () \"/\" INBOX\r\n"),
            UntaggedKind::Data {
                name: "LIST".into(),
                number: None
            }
        );
        assert_eq!(
            kind(b"* ENABLED CONDSTORE UTF8=ACCEPT\r\n"),
            UntaggedKind::Enabled(vec!["CONDSTORE".into(), "UTF8=ACCEPT".into()])
        );
        match kind(b"* CAPABILITY IMAP4rev2 LITERAL+ AUTH=PLAIN \r\n") {
            UntaggedKind::Capability(c) => {
                assert!(c.has("imap4rev2") && c.has("LITERAL+") && c.auth("plain"));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn malformed_heads_are_errors() {
        for bad in [
            b"a1 MAYBE x\r\n".as_slice(),
            b"* 12\r\n",
            b"* OK [UIDVALIDITY x] y\r\n",
            b"* OK [PERMANENTFLAGS (\\Seen] y\r\n",
            b"* OK [x\r\n",
            b"a1 PREAUTH x\r\n",
        ] {
            assert!(
                matches!(read_line(bad), Err(ParseError::Invalid { .. })),
                "{:?}: {:?}",
                String::from_utf8_lossy(bad),
                read_line(bad)
            );
        }
    }
}
