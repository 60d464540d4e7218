//! Command-line parser (server side): [`parse_command`] and its [`CommandError`].
//!
//! The grammar is RFC 1939 §3 and the commands of §4–§7, with `CAPA` (RFC 2449 §5), `STLS`
//! (RFC 2595 §4), `AUTH` (RFC 5034 §4), `UTF8` and `LANG` (RFC 6856 §2–§3). The line arrives
//! without its CRLF.
//!
//! Limits (RFC 2449 §4): a command line is at most 255 octets including its CRLF, and each
//! argument at most 40 octets, except `AUTH`'s initial response, which RFC 5034 §4 bounds only by
//! the line length. [`CommandLimits`] lets a server relax them (long passwords are common).
//!
//! Tolerated deviations (harmless, seen from real clients): keywords in any case, runs of spaces
//! or tabs between arguments, spaces or tabs at the end of the line (except after `PASS`, whose
//! argument is the rest of the line, spaces included, RFC 1939 §7). Refused: CR, LF or NUL
//! anywhere in the line, invalid UTF-8 in an argument.

use std::borrow::Cow;

use sasl::Secret;

use crate::types::command::{Command, LangArg};
use crate::types::listing::MsgNum;
use crate::types::response::StatusLine;

/// Longest command line, CRLF included (RFC 2449 §4).
pub const MAX_COMMAND_LINE: usize = 255;
/// Longest argument (RFC 2449 §4).
pub const MAX_ARGUMENT: usize = 40;

/// The length limits [`parse_command_with`] enforces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommandLimits {
    /// Longest command line in octets, CRLF included.
    pub max_line: usize,
    /// Longest argument in octets (`PASS`'s whole argument included; not `AUTH`'s initial
    /// response).
    pub max_argument: usize,
}

impl Default for CommandLimits {
    /// The RFC 2449 §4 limits: 255 and 40.
    fn default() -> Self {
        Self {
            max_line: MAX_COMMAND_LINE,
            max_argument: MAX_ARGUMENT,
        }
    }
}

/// What was wrong with a command line. `Display` gives the text of the `-ERR` response;
/// [`CommandError::response`] gives the whole response.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CommandError {
    /// The line is empty (or only white space).
    #[error("Empty command line")]
    Empty,
    /// The keyword is not one this crate knows.
    #[error("Unknown command")]
    UnknownCommand,
    /// The line is longer than the limit (RFC 2449 §4).
    #[error("Command line too long ({len} octets, at most {max})")]
    LineTooLong {
        /// The line's length, CRLF included.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// An argument is longer than the limit (RFC 2449 §4).
    #[error("Argument at byte {at} too long ({len} octets, at most {max})")]
    ArgumentTooLong {
        /// Offset of the argument in the line.
        at: usize,
        /// Its length.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// A CR, LF or NUL byte inside the line.
    #[error("Invalid character 0x{byte:02X} at byte {at}")]
    InvalidByte {
        /// The offending byte.
        byte: u8,
        /// Its offset in the line.
        at: usize,
    },
    /// An argument that is not UTF-8.
    #[error("Invalid UTF-8 at byte {at}")]
    InvalidUtf8 {
        /// Offset of the argument in the line.
        at: usize,
    },
    /// A command that needs an argument came without it.
    #[error("{keyword}: missing argument")]
    MissingArgument {
        /// The command keyword.
        keyword: &'static str,
    },
    /// A command came with more arguments than it takes.
    #[error("{keyword}: unexpected argument")]
    UnexpectedArgument {
        /// The command keyword.
        keyword: &'static str,
    },
    /// A message number that is not `1*DIGIT` in `1..=4294967295` (RFC 1939 §3).
    #[error("Invalid message number at byte {at}")]
    BadMessageNumber {
        /// Offset of the argument in the line.
        at: usize,
    },
    /// `TOP`'s line count is not a non-negative number that fits 32 bits.
    #[error("Invalid number of lines at byte {at}")]
    BadNumber {
        /// Offset of the argument in the line.
        at: usize,
    },
    /// `APOP`'s digest is not 32 lower-case hexadecimal digits (RFC 1939 §7).
    #[error("Invalid APOP digest at byte {at}")]
    BadDigest {
        /// Offset of the argument in the line.
        at: usize,
    },
    /// Another malformed argument (`AUTH` mechanism or initial response, `LANG` tag).
    #[error("Syntax error in argument at byte {at}")]
    BadArgument {
        /// Offset of the argument in the line.
        at: usize,
    },
}

impl CommandError {
    /// The `-ERR` response to send.
    pub fn response(&self) -> StatusLine<'static> {
        StatusLine::err(self.to_string())
    }
}

#[inline]
fn is_ws(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

/// The arguments of a line: whitespace-separated tokens with their offsets.
struct Args<'a> {
    line: &'a [u8],
    pos: usize,
}

impl<'a> Args<'a> {
    fn next(&mut self) -> Option<(usize, &'a [u8])> {
        let rest = self.line.get(self.pos..)?;
        let skip = rest.iter().take_while(|&&b| is_ws(b)).count();
        let start = self.pos + skip;
        let tail = self.line.get(start..)?;
        let len = tail.iter().take_while(|&&b| !is_ws(b)).count();
        self.pos = start + len;
        if len == 0 {
            None
        } else {
            tail.get(..len).map(|t| (start, t))
        }
    }
}

/// Parses one command line (without its CRLF) under the RFC 2449 §4 limits.
///
/// ```text
/// command  = keyword *(SP arg)           ; RFC 1939 §3: keyword is 3-4 chars, any case
/// user     = "USER" SP name              ; RFC 1939 §7
/// pass     = "PASS" SP string            ; RFC 1939 §7 (the rest of the line)
/// apop     = "APOP" SP name SP digest    ; RFC 1939 §7, digest = 32 lower-case HEXDIG
/// stat     = "STAT"                      ; RFC 1939 §5
/// list     = "LIST" [SP msg]             ; RFC 1939 §5
/// retr     = "RETR" SP msg               ; RFC 1939 §5
/// dele     = "DELE" SP msg               ; RFC 1939 §5
/// noop / rset / quit                     ; RFC 1939 §5, §6
/// top      = "TOP" SP msg SP n           ; RFC 1939 §7
/// uidl     = "UIDL" [SP msg]             ; RFC 1939 §7
/// capa     = "CAPA"                      ; RFC 2449 §5
/// stls     = "STLS"                      ; RFC 2595 §4
/// auth     = "AUTH" [SP mechanism [SP initial-response]]   ; RFC 5034 §4
/// utf8     = "UTF8"                      ; RFC 6856 §2
/// lang     = "LANG" [SP (lang-tag / "*")]                   ; RFC 6856 §3
/// msg      = 1*DIGIT                     ; 1..=4294967295
/// ```
pub fn parse_command(line: &[u8]) -> Result<Command<'_>, CommandError> {
    parse_command_with(line, &CommandLimits::default())
}

/// [`parse_command`] with explicit limits.
pub fn parse_command_with<'a>(
    line: &'a [u8],
    limits: &CommandLimits,
) -> Result<Command<'a>, CommandError> {
    let len = line.len().saturating_add(2);
    if len > limits.max_line {
        return Err(CommandError::LineTooLong {
            len,
            max: limits.max_line,
        });
    }
    if let Some((at, &byte)) = line
        .iter()
        .enumerate()
        .find(|(_, b)| matches!(b, b'\r' | b'\n' | 0))
    {
        return Err(CommandError::InvalidByte { byte, at });
    }
    let kw_len = line.iter().take_while(|&&b| !is_ws(b)).count();
    let kw = line.get(..kw_len).unwrap_or_default();
    if kw.is_empty() {
        return if line.iter().all(|&b| is_ws(b)) {
            Err(CommandError::Empty)
        } else {
            // Leading white space before the keyword.
            Err(CommandError::UnknownCommand)
        };
    }
    let keyword = match_keyword(kw).ok_or(CommandError::UnknownCommand)?;
    let mut args = Args { line, pos: kw_len };
    let max_arg = limits.max_argument;
    let arg = |args: &mut Args<'a>| -> Result<Option<(usize, &'a [u8])>, CommandError> {
        match args.next() {
            Some((at, a)) if a.len() > max_arg => Err(CommandError::ArgumentTooLong {
                at,
                len: a.len(),
                max: max_arg,
            }),
            other => Ok(other),
        }
    };
    let missing = CommandError::MissingArgument { keyword };
    let cmd = match keyword {
        "PASS" => {
            // The rest of the line after one separator, spaces included (RFC 1939 §7).
            let at = kw_len + 1;
            let rest = line.get(at..).unwrap_or_default();
            if rest.is_empty() {
                return Err(missing);
            }
            if rest.len() > max_arg {
                return Err(CommandError::ArgumentTooLong {
                    at,
                    len: rest.len(),
                    max: max_arg,
                });
            }
            return Ok(Command::Pass(Secret::new(Cow::Borrowed(text(at, rest)?))));
        }
        "USER" => {
            let (at, name) = arg(&mut args)?.ok_or(missing)?;
            Command::User(Cow::Borrowed(text(at, name)?))
        }
        "APOP" => {
            let (at, name) = arg(&mut args)?.ok_or(missing.clone())?;
            let name = text(at, name)?;
            let (at, digest) = arg(&mut args)?.ok_or(missing)?;
            if digest.len() != 32
                || !digest
                    .iter()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(b))
            {
                return Err(CommandError::BadDigest { at });
            }
            Command::Apop {
                name: Cow::Borrowed(name),
                digest: Secret::new(Cow::Borrowed(text(at, digest)?)),
            }
        }
        "STAT" => Command::Stat,
        "NOOP" => Command::Noop,
        "RSET" => Command::Rset,
        "QUIT" => Command::Quit,
        "CAPA" => Command::Capa,
        "STLS" => Command::Stls,
        "UTF8" => Command::Utf8,
        "LIST" => Command::List(arg(&mut args)?.map(msg_num).transpose()?),
        "UIDL" => Command::Uidl(arg(&mut args)?.map(msg_num).transpose()?),
        "RETR" => Command::Retr(msg_num(arg(&mut args)?.ok_or(missing)?)?),
        "DELE" => Command::Dele(msg_num(arg(&mut args)?.ok_or(missing)?)?),
        "TOP" => {
            let msg = msg_num(arg(&mut args)?.ok_or(missing.clone())?)?;
            let (at, n) = arg(&mut args)?.ok_or(missing)?;
            let lines = number(n).ok_or(CommandError::BadNumber { at })?;
            Command::Top { msg, lines }
        }
        "AUTH" => match arg(&mut args)? {
            None => Command::AuthList,
            Some((at, mech)) => {
                let mechanism = mechanism(at, mech)?;
                // The initial response is exempt from the argument limit (RFC 5034 §4).
                let initial_response = match args.next() {
                    None => None,
                    Some((at, r)) => {
                        if !r.iter().all(|&b| {
                            b.is_ascii_alphanumeric() || b == b'+' || b == b'/' || b == b'='
                        }) {
                            return Err(CommandError::BadArgument { at });
                        }
                        Some(Secret::new(Cow::Borrowed(text(at, r)?)))
                    }
                };
                Command::Auth {
                    mechanism,
                    initial_response,
                }
            }
        },
        "LANG" => Command::Lang(match arg(&mut args)? {
            None => None,
            Some((_, b"*")) => Some(LangArg::Wildcard),
            Some((at, tag)) => {
                if !is_lang_tag(tag) {
                    return Err(CommandError::BadArgument { at });
                }
                Some(LangArg::Tag(Cow::Borrowed(text(at, tag)?)))
            }
        }),
        _ => return Err(CommandError::UnknownCommand),
    };
    if args.next().is_some() {
        return Err(CommandError::UnexpectedArgument { keyword });
    }
    Ok(cmd)
}

const KEYWORDS: [&str; 17] = [
    "USER", "PASS", "APOP", "STAT", "LIST", "RETR", "DELE", "NOOP", "RSET", "QUIT", "TOP", "UIDL",
    "CAPA", "STLS", "AUTH", "UTF8", "LANG",
];

fn match_keyword(kw: &[u8]) -> Option<&'static str> {
    if kw.len() > 4 {
        return None;
    }
    KEYWORDS
        .iter()
        .copied()
        .find(|k| k.as_bytes().eq_ignore_ascii_case(kw))
}

fn text(at: usize, b: &[u8]) -> Result<&str, CommandError> {
    std::str::from_utf8(b).map_err(|_| CommandError::InvalidUtf8 { at })
}

/// `1*DIGIT` fitting `u32` (no sign, no white space).
pub(crate) fn number(b: &[u8]) -> Option<u32> {
    if b.is_empty() || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(b).ok()?.parse().ok()
}

fn msg_num((at, b): (usize, &[u8])) -> Result<MsgNum, CommandError> {
    number(b)
        .and_then(MsgNum::new)
        .ok_or(CommandError::BadMessageNumber { at })
}

/// `sasl-mech = 1*20 (UPPER-ALPHA / DIGIT / "-" / "_")` (RFC 4422 §3.1), any case accepted
/// and upper-cased.
fn mechanism(at: usize, b: &[u8]) -> Result<Cow<'_, str>, CommandError> {
    if b.is_empty()
        || b.len() > 20
        || !b
            .iter()
            .all(|&c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
    {
        return Err(CommandError::BadArgument { at });
    }
    let s = text(at, b)?;
    Ok(if s.bytes().any(|c| c.is_ascii_lowercase()) {
        Cow::Owned(s.to_ascii_uppercase())
    } else {
        Cow::Borrowed(s)
    })
}

/// A language tag's shape (RFC 5646 §2.1, loosely): `ALPHA *(ALPHA / DIGIT / "-")`.
fn is_lang_tag(b: &[u8]) -> bool {
    b.first().is_some_and(u8::is_ascii_alphabetic)
        && b.iter().all(|&c| c.is_ascii_alphanumeric() || c == b'-')
}

#[cfg(test)]
#[path = "command_tests.rs"]
mod tests;
