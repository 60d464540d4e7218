//! The fast path of [`parse_command`](super::parse_command): valid UTF-8 lines in the forms
//! clients send, parsed in one pass over the line.
//!
//! The line is checked for UTF-8 once, then fields are sliced out of it (`str::get` at ASCII
//! delimiters, which cannot fail) instead of being checked one by one. The byte-class scanners
//! are the reference grammar's own ([`address::scan_domain`] and friends), so the two accept
//! the same fields. Anything this path does not finish, including every error, returns `None`
//! and the reference parser (`parse_line` in the parent module) decides: errors, their offsets
//! and unusual forms stay exactly as that grammar has them. In debug builds `parse_command`
//! checks the two agree on every line this path accepts.

use std::borrow::Cow;

use sasl::Secret;

use super::params::{MAX_ENVID, MAX_ORCPT, hex, mt_priority};
use super::{
    AUTH, BDAT, CommandError, DATA, EHLO, ETRN, EXPN, HELO, HELP, LHLO, MAIL, NOOP, QUIT, RCPT,
    RSET, STAR, VRFY, is_ws, parse_bdat, parse_reference, parse_u64, word,
};
use crate::parse::address::{
    KEYWORD, VALUE, address_literal_with, bytes_below, bytes_equal, find_byte, first_flagged,
    has_class, is_atext, is_dot_string, parse_ipv6, parse_mailbox, scan_domain, scan_dot_string,
    scan_quoted, unquote,
};
use crate::types::address::{Domain, ForwardPath, Host, LocalPart, Mailbox, ReversePath};
use crate::types::command::{
    Body, Command, MailFrom, MailParams, Notify, Orcpt, Param, Rcpt, RcptParams, Ret,
};

/// Parses `line`, finishing the common forms here and handing anything else (including every
/// error) to the reference grammar, `parse_reference`. Every return either builds the command
/// in the return slot or is a tail call of the reference parser, so the large `Command` is
/// never copied.
#[inline]
pub(super) fn parse(line: &[u8]) -> Result<Command<'_>, CommandError> {
    let end = line.iter().rposition(|&b| !is_ws(b)).map_or(0, |p| p + 1);
    let b = line.get(..end).unwrap_or_default();
    let Some(&[c0, c1, c2, c3]) = b.first_chunk::<4>() else {
        return parse_reference(line);
    };
    let verb = word(&[c0, c1, c2, c3]);
    let mut pos = 4;
    if verb == STAR {
        if !b.get(4..8).is_some_and(|t| t.eq_ignore_ascii_case(b"ttls")) {
            return parse_reference(line);
        }
        pos = 8;
    }
    // `MAIL FROM:` and `RCPT TO:` find their own arguments.
    match verb {
        MAIL => {
            return match keyword_arg(b, b" FROM:") {
                Some(text) => mail(line, text),
                None => parse_reference(line),
            };
        }
        RCPT => {
            return match keyword_arg(b, b" TO:") {
                Some(text) => rcpt(line, text),
                None => parse_reference(line),
            };
        }
        _ => {}
    }
    // The verb ends at the line's end or at white space; the arguments start at the first
    // byte after that white space. Only they are checked for UTF-8: the verb matched ASCII.
    let args = match b.get(pos..) {
        Some([]) => &[][..],
        Some([c, rest @ ..]) if is_ws(*c) => rest
            .get(rest.iter().take_while(|&&c| is_ws(c)).count()..)
            .unwrap_or_default(),
        _ => return parse_reference(line),
    };
    let text = || text_from(b, b.len() - args.len());
    match verb {
        DATA if args.is_empty() => Ok(Command::Data),
        RSET if args.is_empty() => Ok(Command::Rset),
        QUIT if args.is_empty() => Ok(Command::Quit),
        STAR if args.is_empty() => Ok(Command::StartTls),
        NOOP if args.is_empty() => Ok(Command::Noop(None)),
        HELP if args.is_empty() => Ok(Command::Help(None)),
        EHLO => match text().and_then(hello_host) {
            Some(host) => Ok(Command::Ehlo { host }),
            None => parse_reference(line),
        },
        HELO if args.first() != Some(&b'[') => match text().and_then(hello_host) {
            Some(host) => Ok(Command::Helo { host }),
            None => parse_reference(line),
        },
        LHLO => match text().and_then(hello_host) {
            Some(host) => Ok(Command::Lhlo { host }),
            None => parse_reference(line),
        },
        NOOP | HELP | VRFY | EXPN | ETRN => match text().and_then(free_text) {
            Some(t) => Ok(match verb {
                NOOP => Command::Noop(Some(t)),
                HELP => Command::Help(Some(t)),
                VRFY => Command::Vrfy(t),
                EXPN => Command::Expn(t),
                _ => Command::Etrn(t),
            }),
            None => parse_reference(line),
        },
        BDAT if !args.is_empty() => match parse_bdat(b, args) {
            Ok(command) => Ok(command),
            Err(_) => parse_reference(line),
        },
        AUTH => match auth(args) {
            Some(command) => Ok(command),
            None => parse_reference(line),
        },
        _ => parse_reference(line),
    }
}

/// `b[start..]` as text, if it is UTF-8. `b[..start]` is ASCII (the verb, a keyword, white
/// space), so the check may start earlier: the standard library's validator runs a word at a
/// time only from an aligned address, and byte by byte before it, so it starts at the aligned
/// address at or before `start` when there is one.
#[inline]
fn text_from(b: &[u8], start: usize) -> Option<&str> {
    const WORD: usize = std::mem::size_of::<usize>();
    let misalign = (b.as_ptr() as usize).wrapping_add(start) % WORD;
    let from = start.checked_sub(misalign).unwrap_or(start);
    std::str::from_utf8(b.get(from..)?)
        .ok()?
        .get(start - from..)
}

/// After `MAIL`/`RCPT`: the text from the path on, behind `keyword` (` FROM:`, ` TO:`) and
/// any white space, if there is a path and it is UTF-8.
#[inline]
fn keyword_arg<'a, const N: usize>(b: &'a [u8], keyword: &[u8; N]) -> Option<&'a str> {
    let head = b.get(4..)?.first_chunk::<N>()?;
    if !eq_upper(head, keyword) {
        return None;
    }
    let rest = b.get(4 + N..)?;
    let start = b.len() - rest.len() + rest.iter().take_while(|&&c| is_ws(c)).count();
    if start == b.len() {
        return None;
    }
    text_from(b, start)
}

/// Whether `s` is `upper` (upper-case ASCII letters and other bytes) with its letters in
/// either case, compared all at once: a letter's byte is compared with its case bit set on
/// both sides, any other byte as it is.
#[inline(always)]
fn eq_upper<const N: usize>(s: &[u8; N], upper: &[u8; N]) -> bool {
    s.iter().zip(upper).fold(0, |diff, (&a, &u)| {
        let fold = if u.is_ascii_uppercase() { 0x20 } else { 0 };
        diff | ((a | fold) ^ (u | fold))
    }) == 0
}

/// Non-empty free text after `NOOP`, `HELP`, `VRFY`, `EXPN` or `ETRN`.
#[inline]
fn free_text(text: &str) -> Option<Cow<'_, str>> {
    if text.is_empty() || memchr::memchr3(b'\r', b'\n', 0, text.as_bytes()).is_some() {
        return None;
    }
    Some(Cow::Borrowed(text))
}

/// The argument of `EHLO`/`HELO`/`LHLO`: the whole text is one host.
#[inline]
fn hello_host(text: &str) -> Option<Host<'_>> {
    if text.is_empty() {
        return None;
    }
    let (host, end) = host(text, 0)?;
    (end == text.len()).then_some(host)
}

/// `AUTH sasl-mech [initial-response]` (RFC 4954 §4), as the reference parser reads it.
fn auth(args: &[u8]) -> Option<Command<'_>> {
    let split = args.iter().position(|&c| is_ws(c)).unwrap_or(args.len());
    let (mech, rest) = args.split_at(split);
    if mech.is_empty()
        || mech.len() > 20
        || !mech
            .iter()
            .all(|&c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
    {
        return None;
    }
    let mech_text = std::str::from_utf8(mech).ok()?;
    let mechanism = if mech.iter().any(u8::is_ascii_lowercase) {
        Cow::Owned(mech_text.to_ascii_uppercase())
    } else {
        Cow::Borrowed(mech_text)
    };
    let response = rest.get(rest.iter().take_while(|&&c| is_ws(c)).count()..)?;
    let initial_response = if response.is_empty() {
        None
    } else if response
        .iter()
        .fold(true, |ok, &c| ok & (c.wrapping_sub(33) < 94))
    {
        Some(Secret::new(Cow::Borrowed(response)))
    } else {
        return None;
    };
    Some(Command::Auth {
        mechanism,
        initial_response,
    })
}

/// `Domain / address-literal` at `text[at..]`, and where it ends.
#[inline(always)]
fn host(text: &str, at: usize) -> Option<(Host<'_>, usize)> {
    let rest = text.as_bytes().get(at..)?;
    if rest.first() == Some(&b'[') {
        let (after, literal) = address_literal_with(rest, parse_ipv6).ok()?;
        Some((Host::Literal(literal), text.len() - after.len()))
    } else {
        let len = scan_domain(rest).ok()?;
        let domain = Domain::new_unchecked(Cow::Borrowed(text.get(at..at + len)?));
        Some((Host::Domain(domain), at + len))
    }
}

/// `Mailbox = Local-part "@" ( Domain / address-literal )` at `text[at..]`, and where it ends.
#[inline(always)]
fn mailbox(text: &str, at: usize) -> Option<(Mailbox<'_>, usize)> {
    let b = text.as_bytes();
    let rest = b.get(at..)?;
    let (local_part, at) = if rest.first() == Some(&b'"') {
        let (len, escaped) = scan_quoted(rest.get(1..)?).ok()?;
        let value = unquote(text.get(at + 1..at + 1 + len)?, escaped);
        let needs_quoting = !is_dot_string(value.as_bytes());
        (LocalPart::new_unchecked(value, needs_quoting), at + len + 2)
    } else {
        let len = scan_dot_string(rest).ok()?;
        let value = Cow::Borrowed(text.get(at..at + len)?);
        (LocalPart::new_unchecked(value, false), at + len)
    };
    if b.get(at) != Some(&b'@') {
        return None;
    }
    let (host, at) = host(text, at + 1)?;
    Some((Mailbox { local_part, host }, at))
}

/// `Path = "<" [ A-d-l ":" ] Mailbox ">"` at `text[at..]` (which holds the `<`), the source
/// route dropped; or a bare mailbox when there is no `<`.
#[inline(always)]
fn path(text: &str, at: usize) -> Option<(Mailbox<'_>, usize)> {
    let b = text.as_bytes();
    if b.get(at) != Some(&b'<') {
        return mailbox(text, at);
    }
    let mut at = at + 1;
    if b.get(at) == Some(&b'@') {
        loop {
            if b.get(at) != Some(&b'@') {
                return None;
            }
            at += 1 + scan_domain(b.get(at + 1..)?).ok()?;
            if b.get(at) != Some(&b',') {
                break;
            }
            at += 1;
        }
        if b.get(at) != Some(&b':') {
            return None;
        }
        at += 1;
    }
    let (mailbox, at) = mailbox(text, at)?;
    if b.get(at) != Some(&b'>') {
        return None;
    }
    Some((mailbox, at + 1))
}

/// Whether a path ending at `at` is followed by the line's end or white space.
#[inline]
fn path_ends(b: &[u8], at: usize) -> bool {
    b.get(at).is_none_or(|&c| is_ws(c))
}

fn mail<'a>(line: &'a [u8], text: &'a str) -> Result<Command<'a>, CommandError> {
    let b = text.as_bytes();
    let (path, at) = if b.starts_with(b"<>") {
        (ReversePath::Null, 2)
    } else {
        let Some((m, at)) = path(text, 0) else {
            return parse_reference(line);
        };
        (ReversePath::Mailbox(m), at)
    };
    if !path_ends(b, at) {
        return parse_reference(line);
    }
    // Built in the return slot first, then the parameters filled in: no copy of the command.
    let mut result = Ok(Command::Mail(MailFrom {
        path,
        params: MailParams::default(),
    }));
    if let Ok(Command::Mail(mail)) = &mut result
        && at < b.len()
        && mail_params(text, at, &mut mail.params).is_none()
    {
        // One returned local: it lives in the return slot.
        result = parse_reference(line);
    }
    result
}

fn rcpt<'a>(line: &'a [u8], text: &'a str) -> Result<Command<'a>, CommandError> {
    const POSTMASTER: &[u8] = b"<postmaster>";
    let b = text.as_bytes();
    let (path, at) = match b.get(..POSTMASTER.len()) {
        Some(head) if head.get(11) == Some(&b'>') && head.eq_ignore_ascii_case(POSTMASTER) => {
            (ForwardPath::Postmaster, POSTMASTER.len())
        }
        _ => {
            let Some((m, at)) = path(text, 0) else {
                return parse_reference(line);
            };
            (ForwardPath::Mailbox(m), at)
        }
    };
    if !path_ends(b, at) {
        return parse_reference(line);
    }
    // Built in the return slot first, then the parameters filled in: no copy of the command.
    let mut result = Ok(Command::Rcpt(Rcpt {
        path,
        params: RcptParams::default(),
    }));
    if let Ok(Command::Rcpt(rcpt)) = &mut result
        && at < b.len()
        && rcpt_params(text, at, &mut rcpt.params).is_none()
    {
        // One returned local: it lives in the return slot.
        result = parse_reference(line);
    }
    result
}

/// One `esmtp-param`: its keyword and value.
struct Raw<'a> {
    keyword: &'a str,
    value: Option<&'a str>,
}

/// The next `esmtp-keyword ["=" esmtp-value]` after white space at `*at`: `Some(None)` at the
/// line's end, `None` when the parameter is malformed.
#[inline(always)]
fn next_param<'a>(text: &'a str, at: &mut usize) -> Option<Option<Raw<'a>>> {
    let rest = text.as_bytes().get(*at..)?;
    let skip = rest.iter().take_while(|&&c| is_ws(c)).count();
    let rest = rest.get(skip..)?;
    let start = *at + skip;
    let Some(&first) = rest.first() else {
        return Some(None);
    };
    if !first.is_ascii_alphanumeric() {
        return None;
    }
    let k_len = rest
        .iter()
        .position(|&c| !has_class(c, KEYWORD))
        .unwrap_or(rest.len());
    let keyword = text.get(start..start + k_len)?;
    let mut end = start + k_len;
    let value = if rest.get(k_len) == Some(&b'=') {
        let v = rest.get(k_len + 1..)?;
        let v_len = value_len(v);
        if v_len == 0 {
            return None;
        }
        end += 1 + v_len;
        Some(text.get(end - v_len..end)?)
    } else {
        None
    };
    if text.as_bytes().get(end).is_some_and(|&c| !is_ws(c)) {
        return None;
    }
    *at = end;
    Some(Some(Raw { keyword, value }))
}

/// Whether `s` is `lower` (lower-case ASCII letters, digits, `-`) in any case. `s` holds
/// `esmtp-keyword` or `esmtp-value` bytes only: none of them but a letter's other case sets
/// bit 0x20 onto a byte of `lower` (the bytes that would, 0x0D and 0x10-0x19, are controls).
#[inline(always)]
fn is_kw<const N: usize>(s: &[u8], lower: &[u8; N]) -> bool {
    match s.first_chunk::<N>() {
        Some(head) if s.len() == N => {
            head.iter()
                .zip(lower)
                .fold(0, |diff, (&a, &l)| diff | ((a | 0x20) ^ l))
                == 0
        }
        _ => false,
    }
}

/// `NOTIFY=` value (RFC 3461 §4.1): `"NEVER" / 1#( "SUCCESS" / "FAILURE" / "DELAY" )`.
#[inline]
fn notify(v: &[u8]) -> Option<Notify> {
    if is_kw(v, b"never") {
        return Some(Notify::Never);
    }
    let (mut success, mut failure, mut delay) = (false, false, false);
    for item in v.split(|&c| c == b',') {
        let slot = match item.len() {
            7 if is_kw(item, b"success") => &mut success,
            7 if is_kw(item, b"failure") => &mut failure,
            5 if is_kw(item, b"delay") => &mut delay,
            _ => return None,
        };
        if *slot {
            return None;
        }
        *slot = true;
    }
    Some(Notify::On {
        success,
        failure,
        delay,
    })
}

/// xtext (RFC 3461 §4) decoded, borrowing the text when it has no `+XX` escape; escapes of
/// non-ASCII bytes go to the general decoder. `value` is (part of) an `esmtp-value`, which
/// has no control, space or `=`: it is xtext when it is ASCII.
#[inline]
fn xtext(value: &str) -> Option<Cow<'_, str>> {
    let b = value.as_bytes();
    if !value.is_ascii() {
        return None;
    }
    let Some(first) = find_byte(b, b'+') else {
        return Some(Cow::Borrowed(value));
    };
    let mut out = String::with_capacity(value.len());
    out.push_str(value.get(..first)?);
    // `i` is at a `+`: decode it, copy the run up to the next one.
    let mut i = first;
    loop {
        let hi = hex(*b.get(i + 1)?)?;
        let lo = hex(*b.get(i + 2)?)?;
        let byte = hi << 4 | lo;
        if !byte.is_ascii() {
            return super::xtext_decode(b);
        }
        out.push(char::from(byte));
        i += 3;
        let rest = b.get(i..)?;
        match find_byte(rest, b'+') {
            Some(n) => {
                out.push_str(value.get(i..i + n)?);
                i += n;
            }
            None => {
                out.push_str(value.get(i..)?);
                return Some(Cow::Owned(out));
            }
        }
    }
}

/// The length of the run of `esmtp-value` bytes (`%d33-60 / %d62-126 / UTF8-non-ascii`) at
/// the start of `s`, a word at a time: a value ends at a control or space, `=` or DEL.
#[inline]
fn value_len(s: &[u8]) -> usize {
    let mut n = 0;
    while let Some(chunk) = s.get(n..).and_then(|r| r.first_chunk::<8>()) {
        let w = u64::from_le_bytes(*chunk);
        let stop = bytes_below(w, 0x21) | bytes_equal(w, b'=') | bytes_equal(w, 0x7F);
        if stop != 0 {
            return n + first_flagged(stop);
        }
        n += 8;
    }
    let tail = s.get(n..).unwrap_or_default();
    n + tail
        .iter()
        .position(|&c| !has_class(c, VALUE))
        .unwrap_or(tail.len())
}

/// Keeps an unknown parameter unless its keyword was already given.
#[inline]
fn push_other<'a>(other: &mut Vec<Param<'a>>, raw: Raw<'a>) -> Option<()> {
    if other
        .iter()
        .any(|p| p.keyword.eq_ignore_ascii_case(raw.keyword))
    {
        return None;
    }
    other.push(Param {
        keyword: Cow::Borrowed(raw.keyword),
        value: raw.value.map(Cow::Borrowed),
    });
    Some(())
}

/// Sets `slot` unless it was already set.
#[inline]
fn set<T>(slot: &mut Option<T>, value: T) -> Option<()> {
    if slot.is_some() {
        return None;
    }
    *slot = Some(value);
    Some(())
}

fn mail_params<'a>(text: &'a str, mut at: usize, p: &mut MailParams<'a>) -> Option<()> {
    while let Some(raw) = next_param(text, &mut at)? {
        let k = raw.keyword.as_bytes();
        match k.len() {
            4 if is_kw(k, b"size") => {
                set(&mut p.size, parse_u64(raw.value?.as_bytes())?)?;
            }
            4 if is_kw(k, b"body") => {
                let v = raw.value?.as_bytes();
                let body = if is_kw(v, b"8bitmime") {
                    Body::EightBitMime
                } else if is_kw(v, b"7bit") {
                    Body::SevenBit
                } else if is_kw(v, b"binarymime") {
                    Body::BinaryMime
                } else {
                    return None;
                };
                set(&mut p.body, body)?;
            }
            8 if is_kw(k, b"smtputf8") => {
                if p.smtputf8 || raw.value.is_some() {
                    return None;
                }
                p.smtputf8 = true;
            }
            3 if is_kw(k, b"ret") => {
                let v = raw.value?.as_bytes();
                let ret = if is_kw(v, b"full") {
                    Ret::Full
                } else if is_kw(v, b"hdrs") {
                    Ret::Hdrs
                } else {
                    return None;
                };
                set(&mut p.ret, ret)?;
            }
            5 if is_kw(k, b"envid") => {
                let v = raw.value?;
                if v.len() > MAX_ENVID {
                    return None;
                }
                set(&mut p.envid, xtext(v)?)?;
            }
            4 if is_kw(k, b"auth") => {
                let v = raw.value?;
                let auth = if v == "<>" {
                    None
                } else {
                    Some(match xtext(v)? {
                        Cow::Borrowed(s) => parse_mailbox(s.as_bytes()).ok()?,
                        Cow::Owned(s) => parse_mailbox(s.as_bytes()).ok()?.into_owned(),
                    })
                };
                set(&mut p.auth, auth)?;
            }
            10 if is_kw(k, b"requiretls") => {
                if p.requiretls || raw.value.is_some() {
                    return None;
                }
                p.requiretls = true;
            }
            11 if is_kw(k, b"mt-priority") => {
                set(&mut p.mt_priority, mt_priority(raw.value?.as_bytes())?)?;
            }
            _ => push_other(&mut p.other, raw)?,
        }
    }
    Some(())
}

/// `ORCPT=` value (RFC 3461 §4.2): `addr-type ";" xtext`, `addr-type` an atom.
#[inline]
fn orcpt(v: &str) -> Option<Orcpt<'_>> {
    if v.len() > MAX_ORCPT {
        return None;
    }
    let semi = v.bytes().position(|c| c == b';')?;
    let addr_type = v.get(..semi)?;
    if addr_type.is_empty() || !addr_type.bytes().all(|c| c < 0x80 && is_atext(c)) {
        return None;
    }
    Some(Orcpt {
        addr_type: Cow::Borrowed(addr_type),
        addr: xtext(v.get(semi + 1..)?)?,
    })
}

fn rcpt_params<'a>(text: &'a str, mut at: usize, p: &mut RcptParams<'a>) -> Option<()> {
    while let Some(raw) = next_param(text, &mut at)? {
        let k = raw.keyword.as_bytes();
        match k.len() {
            6 if is_kw(k, b"notify") => {
                set(&mut p.notify, notify(raw.value?.as_bytes())?)?;
            }
            5 if is_kw(k, b"orcpt") => set(&mut p.orcpt, orcpt(raw.value?)?)?,
            _ => push_other(&mut p.other, raw)?,
        }
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn word_scanners_match_bytewise(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..40), byte in proptest::prelude::any::<u8>()) {
            proptest::prop_assert_eq!(find_byte(&bytes, byte), bytes.iter().position(|&c| c == byte));
            let expect = bytes.iter().position(|&c| !has_class(c, VALUE)).unwrap_or(bytes.len());
            proptest::prop_assert_eq!(value_len(&bytes), expect);
        }
    }

    #[test]
    fn eq_upper_folds_letters_only() {
        assert!(eq_upper(b" FROM:", b" FROM:"));
        assert!(eq_upper(b" from:", b" FROM:"));
        assert!(eq_upper(b" fRoM:", b" FROM:"));
        assert!(!eq_upper(b"\0FROM:", b" FROM:"));
        assert!(!eq_upper(b" FROM\x1a", b" FROM:"));
        assert!(!eq_upper(b" FROZ:", b" FROM:"));
        assert!(!eq_upper(b" TO;", b" TO:"));
    }

    #[test]
    fn word_scanners_examples() {
        assert_eq!(
            value_len(b"rfc822;user.name+2Btag@sub.domain.example.org x"),
            45
        );
        assert_eq!(value_len(b"abcdefgh=x"), 8);
        assert_eq!(value_len(b"abc\x7fdefghij"), 3);
        assert_eq!(value_len("\u{e9}\u{e9}\u{e9}\u{e9}\u{e9} ".as_bytes()), 10);
        assert_eq!(find_byte(b"user.name+2Btag", b'+'), Some(9));
        assert_eq!(find_byte(b"0123456789abcdef+", b'+'), Some(16));
        assert_eq!(find_byte(b"0123456789", b'+'), None);
    }
}
