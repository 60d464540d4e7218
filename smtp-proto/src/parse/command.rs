//! Command-line parser (server side): [`parse_command`] and its [`CommandError`].
//!
//! The grammar is RFC 5321 §4.1.1 (commands) and §4.1.2 (paths and parameters), with the
//! commands of RFC 2033 (`LHLO`), RFC 3030 (`BDAT`), RFC 3207 (`STARTTLS`), RFC 4954 (`AUTH`)
//! and RFC 1985 (`ETRN`). The line arrives without its CRLF; the session's framer has already
//! enforced the line-length limit.
//!
//! Tolerated deviations (harmless, seen from real clients): verbs and keywords in any case,
//! spaces or tabs after `MAIL FROM:`/`RCPT TO:` and at the end of the line, runs of spaces
//! between parameters, and a path written without angle brackets. Refused: CR, LF or NUL
//! anywhere in the line, invalid UTF-8, repeated parameters.
//!
//! Two parsers share the byte-class scanners of [`crate::parse::address`]: a fast path
//! (`fast.rs`) that checks UTF-8 once and slices fields out of the line, for the forms clients
//! send, and the reference grammar (`parse_reference`), which handles everything the fast path
//! leaves to it, every error included. Debug builds (tests, fuzzing) check on every line that
//! the two agree.

use std::borrow::Cow;

use sasl::Secret;

use crate::parse::address;
use crate::types::address::{ForwardPath, Host, Mailbox, ReversePath};
use crate::types::command::{Command, MailFrom, Rcpt};

/// What was wrong with a command line. `Display` gives reply text (ASCII, one line);
/// [`code`](CommandError::code) and [`enhanced`](CommandError::enhanced) give the reply codes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CommandError {
    /// The line is empty (or only white space).
    #[error("Empty command line")]
    Empty,
    /// The verb is not one this crate knows.
    #[error("Command unrecognized")]
    UnknownVerb,
    /// A CR, LF or NUL byte inside the line.
    #[error("Invalid character 0x{byte:02X} at byte {at}")]
    InvalidByte {
        /// The offending byte.
        byte: u8,
        /// Its offset in the line.
        at: usize,
    },
    /// Bytes that are not UTF-8 where text is expected.
    #[error("Invalid UTF-8 at byte {at}")]
    InvalidUtf8 {
        /// Offset of the argument holding them.
        at: usize,
    },
    /// A command that needs an argument came without one.
    #[error("{verb} needs an argument")]
    MissingArgument {
        /// The command verb.
        verb: &'static str,
    },
    /// A command that takes no argument (or fewer) came with one.
    #[error("{verb}: unexpected argument")]
    UnexpectedArgument {
        /// The command verb.
        verb: &'static str,
    },
    /// `MAIL` not followed by `FROM:`.
    #[error("Syntax: MAIL FROM:<address> [parameters]")]
    ExpectedFrom,
    /// `RCPT` not followed by `TO:`.
    #[error("Syntax: RCPT TO:<address> [parameters]")]
    ExpectedTo,
    /// The reverse path of `MAIL` does not follow RFC 5321 §4.1.2.
    #[error("Bad sender address syntax at byte {at}")]
    BadSender {
        /// Offset in the line where the path stops matching the grammar.
        at: usize,
    },
    /// The forward path of `RCPT` does not follow RFC 5321 §4.1.2.
    #[error("Bad recipient address syntax at byte {at}")]
    BadPath {
        /// Offset in the line where the path stops matching the grammar.
        at: usize,
    },
    /// The `EHLO`/`HELO`/`LHLO` argument is not a domain (or address literal).
    #[error("Bad domain or address literal at byte {at}")]
    BadHost {
        /// Offset in the line where the argument stops matching the grammar.
        at: usize,
    },
    /// Some other argument (`BDAT` size, `AUTH` mechanism, ...) is malformed.
    #[error("Syntax error in argument at byte {at}")]
    BadArgument {
        /// Offset of the argument in the line.
        at: usize,
    },
    /// A `MAIL`/`RCPT` parameter does not follow `esmtp-keyword ["=" esmtp-value]`.
    #[error("Bad parameter syntax at byte {at}")]
    BadParameter {
        /// Offset of the parameter in the line.
        at: usize,
    },
    /// A known parameter has a value outside its grammar.
    #[error("Bad value for parameter {keyword}")]
    BadParameterValue {
        /// The parameter keyword, upper case.
        keyword: String,
    },
    /// A parameter given twice.
    #[error("Parameter {keyword} given more than once")]
    DuplicateParameter {
        /// The parameter keyword, upper case.
        keyword: String,
    },
    /// A `MAIL`/`RCPT` parameter the server does not recognise (RFC 5321 §4.1.1.11). Not
    /// produced by [`parse_command`], which keeps unknown parameters: the session raises it.
    #[error("Parameter {keyword} not recognized")]
    UnrecognizedParameter {
        /// The parameter keyword, upper case.
        keyword: String,
    },
    /// A parameter the server recognises but does not implement (or has not advertised), e.g.
    /// an unknown `AUTH` mechanism (RFC 4954 §4). Not produced by [`parse_command`].
    #[error("Parameter {keyword} not implemented")]
    ParameterNotImplemented {
        /// The parameter keyword or value, upper case.
        keyword: String,
    },
}

impl CommandError {
    /// The basic reply code (RFC 5321 §4.2.3).
    pub fn code(&self) -> u16 {
        match self {
            CommandError::Empty | CommandError::UnknownVerb => 500,
            CommandError::UnrecognizedParameter { .. } => 555,
            CommandError::ParameterNotImplemented { .. } => 504,
            _ => 501,
        }
    }

    /// The enhanced status code (RFC 3463): `(class, subject, detail)`.
    pub fn enhanced(&self) -> (u8, u16, u16) {
        match self {
            CommandError::Empty | CommandError::UnknownVerb => (5, 5, 1),
            CommandError::InvalidByte { .. }
            | CommandError::InvalidUtf8 { .. }
            | CommandError::ExpectedFrom
            | CommandError::ExpectedTo => (5, 5, 2),
            CommandError::BadPath { .. } => (5, 1, 3),
            CommandError::BadSender { .. } => (5, 1, 7),
            _ => (5, 5, 4),
        }
    }
}

#[inline]
fn is_ws(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

/// Offset of `part` (a sub-slice of `line`, or its empty end) within `line`.
#[inline]
fn offset(line: &[u8], part: &[u8]) -> usize {
    line.len().saturating_sub(part.len())
}

fn skip_ws(s: &[u8]) -> &[u8] {
    let n = s.iter().take_while(|&&b| is_ws(b)).count();
    s.get(n..).unwrap_or_default()
}

fn as_text<'a>(line: &[u8], s: &'a [u8]) -> Result<&'a str, CommandError> {
    std::str::from_utf8(s).map_err(|_| CommandError::InvalidUtf8 {
        at: offset(line, s),
    })
}

/// Four ASCII bytes folded to lower case, as one `u32` (non-letters never fold onto letters).
const fn word(b: &[u8; 4]) -> u32 {
    u32::from_le_bytes(*b) | 0x2020_2020
}

const EHLO: u32 = word(b"ehlo");
const HELO: u32 = word(b"helo");
const LHLO: u32 = word(b"lhlo");
const MAIL: u32 = word(b"mail");
const RCPT: u32 = word(b"rcpt");
const DATA: u32 = word(b"data");
const BDAT: u32 = word(b"bdat");
const RSET: u32 = word(b"rset");
const VRFY: u32 = word(b"vrfy");
const EXPN: u32 = word(b"expn");
const HELP: u32 = word(b"help");
const NOOP: u32 = word(b"noop");
const QUIT: u32 = word(b"quit");
const STAR: u32 = word(b"star");
const AUTH: u32 = word(b"auth");
const ETRN: u32 = word(b"etrn");

/// Parses one command line (without its CRLF).
///
/// ```text
/// ehlo = "EHLO" SP ( Domain / address-literal )            ; RFC 5321 §4.1.1.1
/// helo = "HELO" SP Domain
/// lhlo = "LHLO" SP ( Domain / address-literal )            ; RFC 2033 §4.1
/// mail = "MAIL FROM:" Reverse-path [SP Mail-parameters]    ; RFC 5321 §4.1.1.2
/// rcpt = "RCPT TO:" ( "<Postmaster@" Domain ">" / "<Postmaster>" /
///             Forward-path ) [SP Rcpt-parameters]          ; RFC 5321 §4.1.1.3
/// data = "DATA"                                            ; RFC 5321 §4.1.1.4
/// bdat = "BDAT" SP chunk-size [ SP end-marker ]            ; RFC 3030 §2
/// rset = "RSET"
/// vrfy = "VRFY" SP String
/// expn = "EXPN" SP String
/// help = "HELP" [ SP String ]
/// noop = "NOOP" [ SP String ]
/// quit = "QUIT"
/// starttls = "STARTTLS"                                    ; RFC 3207 §4
/// auth = "AUTH" SP sasl-mech [SP initial-response]         ; RFC 4954 §4
/// etrn = "ETRN" SP node-name                               ; RFC 1985 §5
/// Mail-parameters = esmtp-param *(SP esmtp-param)
/// esmtp-param     = esmtp-keyword ["=" esmtp-value]
/// esmtp-keyword   = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-")
/// esmtp-value     = 1*(%d33-60 / %d62-126 / UTF8-non-ascii)  ; RFC 6531 §3.3
/// ```
pub fn parse_command(line: &[u8]) -> Result<Command<'_>, CommandError> {
    let result = fast::parse(line);
    debug_assert_eq!(
        result,
        parse_reference(line),
        "fast path disagrees with the grammar on {:?}",
        String::from_utf8_lossy(line)
    );
    result
}

/// The reference parser: the whole grammar, over bytes, with the errors and their offsets.
/// [`fast::parse`] finishes the common lines first.
#[cold]
fn parse_reference(line: &[u8]) -> Result<Command<'_>, CommandError> {
    // Every grammar rule below refuses control characters, and free text is checked apart, so
    // the line is only searched for CR, LF and NUL to explain an error.
    parse_line(line).map_err(|e| match find_forbidden(line) {
        Some(at) => CommandError::InvalidByte {
            byte: line.get(at).copied().unwrap_or_default(),
            at,
        },
        None => e,
    })
}

/// Offset of the first CR, LF or NUL in `text`.
#[inline]
fn find_forbidden(text: &[u8]) -> Option<usize> {
    memchr::memchr3(b'\r', b'\n', 0, text)
}

fn parse_line(line: &[u8]) -> Result<Command<'_>, CommandError> {
    let end = line.iter().rposition(|&b| !is_ws(b)).map_or(0, |p| p + 1);
    let trimmed = line.get(..end).unwrap_or_default();
    let Some(&[a, b, c, d]) = trimmed.first_chunk::<4>() else {
        return Err(if trimmed.is_empty() {
            CommandError::Empty
        } else {
            CommandError::UnknownVerb
        });
    };
    let mut after = trimmed.get(4..).unwrap_or_default();
    let verb = word(&[a, b, c, d]);
    if verb == STAR {
        match after.first_chunk::<4>() {
            Some(t) if t.eq_ignore_ascii_case(b"ttls") => {
                after = after.get(4..).unwrap_or_default();
            }
            _ => return Err(CommandError::UnknownVerb),
        }
    }
    // The verb must end at the line's end or at white space.
    let args = match after.first() {
        None => after,
        Some(&b) if is_ws(b) => skip_ws(after),
        Some(_) => return Err(CommandError::UnknownVerb),
    };
    match verb {
        MAIL => parse_mail(line, after).map(Command::Mail),
        RCPT => parse_rcpt(line, after).map(Command::Rcpt),
        EHLO => Ok(Command::Ehlo {
            host: parse_hello_host(line, args, "EHLO", true)?,
        }),
        HELO => Ok(Command::Helo {
            host: parse_hello_host(line, args, "HELO", false)?,
        }),
        LHLO => Ok(Command::Lhlo {
            host: parse_hello_host(line, args, "LHLO", true)?,
        }),
        DATA => no_args(args, "DATA", Command::Data),
        RSET => no_args(args, "RSET", Command::Rset),
        QUIT => no_args(args, "QUIT", Command::Quit),
        STAR => no_args(args, "STARTTLS", Command::StartTls),
        NOOP => Ok(Command::Noop(optional_text(line, args)?)),
        HELP => Ok(Command::Help(optional_text(line, args)?)),
        VRFY => Ok(Command::Vrfy(required_text(line, args, "VRFY")?)),
        EXPN => Ok(Command::Expn(required_text(line, args, "EXPN")?)),
        ETRN => Ok(Command::Etrn(required_text(line, args, "ETRN")?)),
        BDAT => parse_bdat(line, args),
        AUTH => parse_auth(line, args),
        _ => Err(CommandError::UnknownVerb),
    }
}

fn no_args<'a>(
    args: &[u8],
    verb: &'static str,
    cmd: Command<'a>,
) -> Result<Command<'a>, CommandError> {
    if args.is_empty() {
        Ok(cmd)
    } else {
        Err(CommandError::UnexpectedArgument { verb })
    }
}

fn optional_text<'a>(line: &[u8], args: &'a [u8]) -> Result<Option<Cow<'a, str>>, CommandError> {
    if args.is_empty() {
        Ok(None)
    } else if let Some(at) = find_forbidden(args) {
        Err(CommandError::InvalidByte {
            byte: args.get(at).copied().unwrap_or_default(),
            at: offset(line, args) + at,
        })
    } else {
        Ok(Some(Cow::Borrowed(as_text(line, args)?)))
    }
}

fn required_text<'a>(
    line: &[u8],
    args: &'a [u8],
    verb: &'static str,
) -> Result<Cow<'a, str>, CommandError> {
    optional_text(line, args)?.ok_or(CommandError::MissingArgument { verb })
}

fn parse_hello_host<'a>(
    line: &[u8],
    args: &'a [u8],
    verb: &'static str,
    literal_ok: bool,
) -> Result<Host<'a>, CommandError> {
    if args.is_empty() {
        return Err(CommandError::MissingArgument { verb });
    }
    if !literal_ok && args.first() == Some(&b'[') {
        return Err(CommandError::BadHost {
            at: offset(line, args),
        });
    }
    match address::host(args) {
        Ok(([], host)) => Ok(host),
        Ok((rest, _)) => Err(if rest.first().copied().is_some_and(is_ws) {
            CommandError::UnexpectedArgument { verb }
        } else {
            CommandError::BadHost {
                at: offset(line, rest),
            }
        }),
        Err(nom::Err::Error(e) | nom::Err::Failure(e)) => Err(CommandError::BadHost {
            at: offset(line, e.input),
        }),
        Err(nom::Err::Incomplete(_)) => Err(CommandError::BadHost { at: line.len() }),
    }
}

/// Parses `1*20DIGIT` into a `u64` (RFC 1870 §3, RFC 3030 §2).
fn parse_u64(text: &[u8]) -> Option<u64> {
    if text.is_empty() || text.len() > 20 {
        return None;
    }
    if text.len() < 20 {
        // At most 19 digits: below 10^19 < 2^64, so no overflow check per digit.
        let mut acc = 0u64;
        let mut digits = true;
        for &d in text {
            let v = d.wrapping_sub(b'0');
            digits &= v < 10;
            acc = acc.wrapping_mul(10).wrapping_add(u64::from(v));
        }
        return digits.then_some(acc);
    }
    text.iter().try_fold(0u64, |acc, &d| {
        if d.is_ascii_digit() {
            acc.checked_mul(10)?.checked_add(u64::from(d - b'0'))
        } else {
            None
        }
    })
}

fn parse_bdat<'a>(line: &[u8], args: &'a [u8]) -> Result<Command<'a>, CommandError> {
    if args.is_empty() {
        return Err(CommandError::MissingArgument { verb: "BDAT" });
    }
    let split = args.iter().position(|&b| is_ws(b)).unwrap_or(args.len());
    let (size_text, rest) = args.split_at(split);
    let size = parse_u64(size_text).ok_or(CommandError::BadArgument {
        at: offset(line, args),
    })?;
    let rest = skip_ws(rest);
    let last = if rest.is_empty() {
        false
    } else if rest.eq_ignore_ascii_case(b"LAST") {
        true
    } else {
        return Err(CommandError::BadArgument {
            at: offset(line, rest),
        });
    };
    Ok(Command::Bdat { size, last })
}

/// `sasl-mech = 1*20mech-char`, `mech-char = UPPER-ALPHA / DIGIT / "-" / "_"` (RFC 4422 §3.1),
/// matched case-insensitively; `initial-response = base64 / "="` (RFC 4954 §4), kept raw.
fn parse_auth<'a>(line: &[u8], args: &'a [u8]) -> Result<Command<'a>, CommandError> {
    if args.is_empty() {
        return Err(CommandError::MissingArgument { verb: "AUTH" });
    }
    let split = args.iter().position(|&b| is_ws(b)).unwrap_or(args.len());
    let (mech, rest) = args.split_at(split);
    if mech.len() > 20
        || !mech
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Err(CommandError::BadArgument {
            at: offset(line, args),
        });
    }
    let mech_text = as_text(line, mech)?;
    let mechanism = if mech.iter().any(u8::is_ascii_lowercase) {
        Cow::Owned(mech_text.to_ascii_uppercase())
    } else {
        Cow::Borrowed(mech_text)
    };
    let rest = skip_ws(rest);
    let initial_response = match rest.iter().position(|&b| !(33..=126).contains(&b)) {
        None if rest.is_empty() => None,
        None => Some(Secret::new(Cow::Borrowed(rest))),
        Some(p) if rest.get(p).copied().is_some_and(is_ws) => {
            return Err(CommandError::UnexpectedArgument { verb: "AUTH" });
        }
        Some(_) => {
            return Err(CommandError::BadArgument {
                at: offset(line, rest),
            });
        }
    };
    Ok(Command::Auth {
        mechanism,
        initial_response,
    })
}

/// Strips `keyword` (e.g. ` FROM:`) case-insensitively and any white space after it.
fn strip_keyword<'a>(after_verb: &'a [u8], keyword: &[u8]) -> Option<&'a [u8]> {
    let head = after_verb.get(..keyword.len())?;
    if head.eq_ignore_ascii_case(keyword) {
        Some(skip_ws(after_verb.get(keyword.len()..).unwrap_or_default()))
    } else {
        None
    }
}

/// Runs a path parser, or (tolerance) a bare mailbox when the path has no `<`.
fn run_path<'a, T>(
    line: &[u8],
    input: &'a [u8],
    bracketed: fn(&'a [u8]) -> nom::IResult<&'a [u8], T>,
    bare: fn(Mailbox<'a>) -> T,
) -> Result<(&'a [u8], T), usize> {
    let result = if input.first() == Some(&b'<') {
        bracketed(input)
    } else {
        address::mailbox(input).map(|(rest, m)| (rest, bare(m)))
    };
    match result {
        Ok((rest, value)) => {
            if rest.is_empty() || rest.first().copied().is_some_and(is_ws) {
                Ok((rest, value))
            } else {
                Err(offset(line, rest))
            }
        }
        Err(nom::Err::Error(e) | nom::Err::Failure(e)) => Err(offset(line, e.input)),
        Err(nom::Err::Incomplete(_)) => Err(line.len()),
    }
}

fn parse_mail<'a>(line: &'a [u8], after_verb: &'a [u8]) -> Result<MailFrom<'a>, CommandError> {
    let input = strip_keyword(after_verb, b" FROM:").ok_or(CommandError::ExpectedFrom)?;
    if input.is_empty() {
        return Err(CommandError::MissingArgument { verb: "MAIL" });
    }
    let (rest, path) = run_path(line, input, address::reverse_path, ReversePath::Mailbox)
        .map_err(|at| CommandError::BadSender { at })?;
    let params = params::mail_params(line, rest)?;
    Ok(MailFrom { path, params })
}

fn parse_rcpt<'a>(line: &'a [u8], after_verb: &'a [u8]) -> Result<Rcpt<'a>, CommandError> {
    let input = strip_keyword(after_verb, b" TO:").ok_or(CommandError::ExpectedTo)?;
    if input.is_empty() {
        return Err(CommandError::MissingArgument { verb: "RCPT" });
    }
    let (rest, path) = run_path(line, input, address::forward_path, ForwardPath::Mailbox)
        .map_err(|at| CommandError::BadPath { at })?;
    let params = params::rcpt_params(line, rest)?;
    Ok(Rcpt { path, params })
}

mod fast;
mod params;
pub use params::xtext_decode;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_u64_limits() {
        let cases: [(&[u8], Option<u64>); 9] = [
            (b"0", Some(0)),
            (b"12345", Some(12345)),
            (b"9999999999999999999", Some(9_999_999_999_999_999_999)),
            (b"18446744073709551615", Some(u64::MAX)),
            (b"18446744073709551616", None),
            (b"000000000000000000001", None),
            (b"", None),
            (b"12a", None),
            (b"+1", None),
        ];
        for (text, expected) in cases {
            assert_eq!(parse_u64(text), expected, "{text:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn parse_u64_matches_std(text in "[0-9/:]{1,21}") {
            let expected = text.parse::<u64>().ok().filter(|_| text.len() <= 20);
            proptest::prop_assert_eq!(parse_u64(text.as_bytes()), expected);
        }
    }

    #[test]
    fn verb_folding_does_not_confuse_non_letters() {
        // '@' | 0x20 is '`', never a letter.
        assert_eq!(parse_command(b"@ATA"), Err(CommandError::UnknownVerb));
        assert_eq!(parse_command(b"DATA"), Ok(Command::Data));
        assert_eq!(parse_command(b"dAtA"), Ok(Command::Data));
        assert_eq!(parse_command(b"DATAX"), Err(CommandError::UnknownVerb));
        assert_eq!(parse_command(b"DAT"), Err(CommandError::UnknownVerb));
        assert_eq!(parse_command(b"STARTTLS"), Ok(Command::StartTls));
        assert_eq!(parse_command(b"STARTTL"), Err(CommandError::UnknownVerb));
        assert_eq!(parse_command(b"STARTTLSX"), Err(CommandError::UnknownVerb));
    }

    #[test]
    fn error_codes() {
        let table: &[(CommandError, u16, (u8, u16, u16))] = &[
            (CommandError::UnknownVerb, 500, (5, 5, 1)),
            (CommandError::Empty, 500, (5, 5, 1)),
            (CommandError::InvalidByte { byte: 0, at: 1 }, 501, (5, 5, 2)),
            (CommandError::BadPath { at: 1 }, 501, (5, 1, 3)),
            (CommandError::BadSender { at: 1 }, 501, (5, 1, 7)),
            (CommandError::BadParameter { at: 1 }, 501, (5, 5, 4)),
            (
                CommandError::DuplicateParameter {
                    keyword: "SIZE".into(),
                },
                501,
                (5, 5, 4),
            ),
            (
                CommandError::UnrecognizedParameter {
                    keyword: "FOO".into(),
                },
                555,
                (5, 5, 4),
            ),
            (
                CommandError::ParameterNotImplemented {
                    keyword: "X".into(),
                },
                504,
                (5, 5, 4),
            ),
        ];
        for (e, code, enh) in table {
            assert_eq!(e.code(), *code, "{e}");
            assert_eq!(e.enhanced(), *enh, "{e}");
            let text = e.to_string();
            assert!(text.is_ascii() && !text.contains(['\r', '\n']), "{text}");
        }
    }
}
