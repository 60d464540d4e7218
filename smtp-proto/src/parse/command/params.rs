//! `MAIL` and `RCPT` parameters (RFC 5321 §4.1.2 `esmtp-param`), the known ones decoded.

use std::borrow::Cow;

use super::{CommandError, as_text, is_ws, offset, parse_u64, skip_ws};
use crate::parse::address::{KEYWORD, VALUE, has_class, is_atext, parse_mailbox};
use crate::types::command::{Body, MailParams, Notify, Orcpt, Param, RcptParams, Ret};

/// Longest `ENVID` value (RFC 3461 §4.4).
pub(super) const MAX_ENVID: usize = 100;
/// Longest `ORCPT` value (RFC 3461 §4.2).
pub(super) const MAX_ORCPT: usize = 500;

struct RawParam<'a> {
    keyword: &'a [u8],
    value: Option<&'a [u8]>,
}

#[inline]
fn is_value_byte(b: u8) -> bool {
    has_class(b, VALUE)
}

/// Takes the next `esmtp-param` off `rest`; `None` at the end of the line.
///
/// ```text
/// esmtp-param   = esmtp-keyword ["=" esmtp-value]
/// esmtp-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-")
/// esmtp-value   = 1*(%d33-60 / %d62-126 / UTF8-non-ascii)
/// ```
fn next_param<'a>(line: &[u8], rest: &mut &'a [u8]) -> Result<Option<RawParam<'a>>, CommandError> {
    let input = skip_ws(rest);
    if input.is_empty() {
        *rest = input;
        return Ok(None);
    }
    let bad = || CommandError::BadParameter {
        at: offset(line, input),
    };
    if !input.first().is_some_and(u8::is_ascii_alphanumeric) {
        return Err(bad());
    }
    let k_end = input
        .iter()
        .position(|&b| !has_class(b, KEYWORD))
        .unwrap_or(input.len());
    let (keyword, after) = input.split_at(k_end);
    let (value, after) = match after.first() {
        Some(b'=') => {
            let v = after.get(1..).unwrap_or_default();
            let v_end = v.iter().position(|&b| !is_value_byte(b)).unwrap_or(v.len());
            if v_end == 0 {
                return Err(bad());
            }
            let (v, after) = v.split_at(v_end);
            (Some(v), after)
        }
        _ => (None, after),
    };
    if after.first().is_some_and(|&b| !is_ws(b)) {
        return Err(bad());
    }
    *rest = after;
    Ok(Some(RawParam { keyword, value }))
}

fn duplicate(keyword: &str) -> CommandError {
    CommandError::DuplicateParameter {
        keyword: keyword.to_owned(),
    }
}

fn bad_value(keyword: &str) -> CommandError {
    CommandError::BadParameterValue {
        keyword: keyword.to_owned(),
    }
}

fn need<'a>(raw: &RawParam<'a>, keyword: &str) -> Result<&'a [u8], CommandError> {
    raw.value.ok_or_else(|| bad_value(keyword))
}

fn flag(raw: &RawParam<'_>, keyword: &str, seen: bool) -> Result<bool, CommandError> {
    if seen {
        return Err(duplicate(keyword));
    }
    match raw.value {
        None => Ok(true),
        Some(_) => Err(bad_value(keyword)),
    }
}

fn set<T>(slot: &mut Option<T>, keyword: &str, value: T) -> Result<(), CommandError> {
    if slot.is_some() {
        return Err(duplicate(keyword));
    }
    *slot = Some(value);
    Ok(())
}

/// Keeps an unknown parameter, refusing a second one with the same keyword.
fn push_other<'a>(
    line: &[u8],
    other: &mut Vec<Param<'a>>,
    raw: RawParam<'a>,
) -> Result<(), CommandError> {
    let keyword = as_text(line, raw.keyword)?;
    if other
        .iter()
        .any(|p| p.keyword.eq_ignore_ascii_case(keyword))
    {
        return Err(duplicate(&keyword.to_ascii_uppercase()));
    }
    let value = match raw.value {
        Some(v) => Some(Cow::Borrowed(as_text(line, v)?)),
        None => None,
    };
    other.push(Param {
        keyword: Cow::Borrowed(keyword),
        value,
    });
    Ok(())
}

/// Decodes xtext (RFC 3461 §4), borrowing when there is no `+XX` escape.
///
/// ```text
/// xtext   = *( xchar / hexchar )
/// xchar   = any ASCII CHAR between "!" (33) and "~" (126) inclusive,
///           except for "+" and "="
/// hexchar = ASCII "+" immediately followed by two upper case hexadecimal digits
/// ```
///
/// Lower-case hex digits are accepted; the decoded bytes must be UTF-8.
pub fn xtext_decode(value: &[u8]) -> Option<Cow<'_, str>> {
    if !value.iter().all(|&b| (33..=126).contains(&b) && b != b'=') {
        return None;
    }
    if memchr::memchr(b'+', value).is_none() {
        return std::str::from_utf8(value).ok().map(Cow::Borrowed);
    }
    let mut out = Vec::with_capacity(value.len());
    let mut i = 0;
    while let Some(&b) = value.get(i) {
        if b == b'+' {
            let hi = hex(*value.get(i + 1)?)?;
            let lo = hex(*value.get(i + 2)?)?;
            out.push(hi << 4 | lo);
            i += 3;
        } else {
            out.push(b);
            i += 1;
        }
    }
    String::from_utf8(out).ok().map(Cow::Owned)
}

pub(super) fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'A'..=b'F' => Some(b - b'A' + 10),
        b'a'..=b'f' => Some(b - b'a' + 10),
        _ => None,
    }
}

/// `MT-PRIORITY=` value: `["+" / "-"] DIGIT` (RFC 6710 §3), -9 to 9.
pub(super) fn mt_priority(v: &[u8]) -> Option<i8> {
    let (neg, digits) = match v {
        [b'-', rest @ ..] => (true, rest),
        [b'+', rest @ ..] => (false, rest),
        _ => (false, v),
    };
    match digits {
        [d @ b'0'..=b'9'] => {
            let n = (d - b'0') as i8;
            Some(if neg { -n } else { n })
        }
        _ => None,
    }
}

/// The `Mail-parameters` of RFC 5321 §4.1.2 with SIZE (RFC 1870), BODY (RFC 6152, RFC 3030),
/// SMTPUTF8 (RFC 6531), RET and ENVID (RFC 3461), AUTH (RFC 4954 §5), REQUIRETLS (RFC 8689)
/// and MT-PRIORITY (RFC 6710) decoded.
pub(super) fn mail_params<'a>(
    line: &'a [u8],
    mut rest: &'a [u8],
) -> Result<MailParams<'a>, CommandError> {
    let mut p = MailParams::default();
    while let Some(raw) = next_param(line, &mut rest)? {
        let k = raw.keyword;
        if k.eq_ignore_ascii_case(b"SIZE") {
            let v = parse_u64(need(&raw, "SIZE")?).ok_or_else(|| bad_value("SIZE"))?;
            set(&mut p.size, "SIZE", v)?;
        } else if k.eq_ignore_ascii_case(b"BODY") {
            let v = need(&raw, "BODY")?;
            let body = if v.eq_ignore_ascii_case(b"8BITMIME") {
                Body::EightBitMime
            } else if v.eq_ignore_ascii_case(b"7BIT") {
                Body::SevenBit
            } else if v.eq_ignore_ascii_case(b"BINARYMIME") {
                Body::BinaryMime
            } else {
                return Err(bad_value("BODY"));
            };
            set(&mut p.body, "BODY", body)?;
        } else if k.eq_ignore_ascii_case(b"SMTPUTF8") {
            p.smtputf8 = flag(&raw, "SMTPUTF8", p.smtputf8)?;
        } else if k.eq_ignore_ascii_case(b"RET") {
            let v = need(&raw, "RET")?;
            let ret = if v.eq_ignore_ascii_case(b"FULL") {
                Ret::Full
            } else if v.eq_ignore_ascii_case(b"HDRS") {
                Ret::Hdrs
            } else {
                return Err(bad_value("RET"));
            };
            set(&mut p.ret, "RET", ret)?;
        } else if k.eq_ignore_ascii_case(b"ENVID") {
            let v = need(&raw, "ENVID")?;
            if v.len() > MAX_ENVID {
                return Err(bad_value("ENVID"));
            }
            let envid = xtext_decode(v).ok_or_else(|| bad_value("ENVID"))?;
            set(&mut p.envid, "ENVID", envid)?;
        } else if k.eq_ignore_ascii_case(b"AUTH") {
            let v = need(&raw, "AUTH")?;
            let auth = if v == b"<>" {
                None
            } else {
                let decoded = xtext_decode(v).ok_or_else(|| bad_value("AUTH"))?;
                Some(
                    match decoded {
                        Cow::Borrowed(s) => parse_mailbox(s.as_bytes()),
                        Cow::Owned(s) => parse_mailbox(s.as_bytes()).map(|m| m.into_owned()),
                    }
                    .map_err(|_| bad_value("AUTH"))?,
                )
            };
            set(&mut p.auth, "AUTH", auth)?;
        } else if k.eq_ignore_ascii_case(b"REQUIRETLS") {
            p.requiretls = flag(&raw, "REQUIRETLS", p.requiretls)?;
        } else if k.eq_ignore_ascii_case(b"MT-PRIORITY") {
            let v =
                mt_priority(need(&raw, "MT-PRIORITY")?).ok_or_else(|| bad_value("MT-PRIORITY"))?;
            set(&mut p.mt_priority, "MT-PRIORITY", v)?;
        } else {
            push_other(line, &mut p.other, raw)?;
        }
    }
    Ok(p)
}

/// `NOTIFY=` value (RFC 3461 §4.1): `"NEVER" / 1#( "SUCCESS" / "FAILURE" / "DELAY" )`.
fn notify(v: &[u8]) -> Option<Notify> {
    if v.eq_ignore_ascii_case(b"NEVER") {
        return Some(Notify::Never);
    }
    let (mut success, mut failure, mut delay) = (false, false, false);
    for item in v.split(|&b| b == b',') {
        let slot = if item.eq_ignore_ascii_case(b"SUCCESS") {
            &mut success
        } else if item.eq_ignore_ascii_case(b"FAILURE") {
            &mut failure
        } else if item.eq_ignore_ascii_case(b"DELAY") {
            &mut delay
        } else {
            return None;
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

/// `ORCPT=` value (RFC 3461 §4.2): `addr-type ";" xtext`, `addr-type` an atom.
fn orcpt(v: &[u8]) -> Option<Orcpt<'_>> {
    if v.len() > MAX_ORCPT {
        return None;
    }
    let semi = memchr::memchr(b';', v)?;
    let (addr_type, addr) = v.split_at(semi);
    if addr_type.is_empty() || !addr_type.iter().all(|&b| b < 0x80 && is_atext(b)) {
        return None;
    }
    let addr_type = std::str::from_utf8(addr_type).ok()?;
    let addr = xtext_decode(addr.get(1..).unwrap_or_default())?;
    Some(Orcpt {
        addr_type: Cow::Borrowed(addr_type),
        addr,
    })
}

/// The `Rcpt-parameters` of RFC 5321 §4.1.2 with NOTIFY and ORCPT (RFC 3461) decoded.
pub(super) fn rcpt_params<'a>(
    line: &'a [u8],
    mut rest: &'a [u8],
) -> Result<RcptParams<'a>, CommandError> {
    let mut p = RcptParams::default();
    while let Some(raw) = next_param(line, &mut rest)? {
        let k = raw.keyword;
        if k.eq_ignore_ascii_case(b"NOTIFY") {
            let v = notify(need(&raw, "NOTIFY")?).ok_or_else(|| bad_value("NOTIFY"))?;
            set(&mut p.notify, "NOTIFY", v)?;
        } else if k.eq_ignore_ascii_case(b"ORCPT") {
            let v = orcpt(need(&raw, "ORCPT")?).ok_or_else(|| bad_value("ORCPT"))?;
            set(&mut p.orcpt, "ORCPT", v)?;
        } else {
            push_other(line, &mut p.other, raw)?;
        }
    }
    Ok(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xtext_table() {
        let cases: &[(&[u8], Option<&str>)] = &[
            (b"abc", Some("abc")),
            (b"a+2Bb", Some("a+b")),
            (b"a+2bb", Some("a+b")),
            (b"+3D", Some("=")),
            (b"+C3+A9", Some("\u{e9}")),
            (b"", Some("")),
            (b"a+2", None),
            (b"a+GG", None),
            (b"a=b", None),
            (b"a b", None),
            (b"+FF", None),
            (b"\xc3\xa9", None),
        ];
        for (input, want) in cases {
            assert_eq!(
                xtext_decode(input).as_deref(),
                *want,
                "{}",
                String::from_utf8_lossy(input)
            );
        }
    }

    #[test]
    fn mt_priority_values() {
        assert_eq!(mt_priority(b"-9"), Some(-9));
        assert_eq!(mt_priority(b"+9"), Some(9));
        assert_eq!(mt_priority(b"0"), Some(0));
        assert_eq!(mt_priority(b"10"), None);
        assert_eq!(mt_priority(b"-"), None);
        assert_eq!(mt_priority(b"--1"), None);
    }
}
