//! Parsers of RFC 5321 §4.1.2 paths, mailboxes, local parts, domains and (§4.1.3) address
//! literals, with the RFC 6531 §3.3 SMTPUTF8 extensions (UTF-8 in local parts and domains).
//!
//! Each grammar rule is a nom 8 parser over `&[u8]` returning the rest of the input
//! (`fn(&[u8]) -> IResult<&[u8], T>`); values borrow from the input unless a quoted local part
//! holds backslash escapes. The `parse_*` functions take a whole input and report the byte
//! offset of the first error. The byte-class scanners behind them (`scan_domain`,
//! `scan_dot_string`, `scan_quoted`) are shared with the command parser's fast path, which
//! checks UTF-8 once per line instead of once per field.

use std::borrow::Cow;
use std::net::{Ipv4Addr, Ipv6Addr};

use nom::IResult;
use nom::Parser;
use nom::bytes::complete::tag;
use nom::error::{Error, ErrorKind};

mod ipv6;
pub(crate) use ipv6::parse_ipv6;

use crate::types::address::{
    AddressLiteral, Domain, ForwardPath, Host, LocalPart, Mailbox, ReversePath,
};

/// What was wrong with an address given as a whole input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AddressError {
    /// The input does not follow the grammar; `at` is the byte offset where it stops matching.
    #[error("address syntax error at byte {at}")]
    Syntax {
        /// Byte offset of the first byte that does not fit.
        at: usize,
    },
}

/// Longest domain in octets (RFC 5321 §4.5.3.1.2).
pub const MAX_DOMAIN_LEN: usize = 255;
/// Longest domain label in octets (RFC 1035 §2.3.4).
pub const MAX_LABEL_LEN: usize = 63;

fn fail<T>(at: &[u8]) -> IResult<&[u8], T> {
    Err(nom::Err::Error(Error::new(at, ErrorKind::Verify)))
}

/// Byte class bit: `atext` of RFC 5322 §3.2.3, or a byte of `UTF8-non-ascii` (RFC 6531).
const ATEXT: u8 = 1;
/// Byte class bit: a letter, digit or hyphen of a domain label, or a byte of a U-label.
const LDH: u8 = 2;
/// Byte class bit: an `esmtp-value` byte (`%d33-60 / %d62-126 / UTF8-non-ascii`, RFC 6531 §3.3).
pub(crate) const VALUE: u8 = 4;
/// Byte class bit: an `esmtp-keyword` byte (`ALPHA / DIGIT / "-"`).
pub(crate) const KEYWORD: u8 = 8;

/// Byte class bit: `atext` (as [`ATEXT`]) or `.`: the bytes of a `Dot-string`.
const DOT_ATEXT: u8 = 16;
/// Byte class bit: a letter, digit, non-ASCII byte or `.`: the bytes of a domain without
/// hyphens.
const DOT_LDH: u8 = 32;

const fn class_table() -> [u8; 256] {
    let mut t = [0u8; 256];
    let mut c = 0;
    while c < 256 {
        let b = c as u8;
        let mut class = 0;
        if b >= 0x80 || b.is_ascii_alphanumeric() || b == b'-' {
            class = ATEXT | LDH;
        } else if matches!(
            b,
            b'!' | b'#'
                | b'$'
                | b'%'
                | b'&'
                | b'\''
                | b'*'
                | b'+'
                | b'/'
                | b'='
                | b'?'
                | b'^'
                | b'_'
                | b'`'
                | b'{'
                | b'|'
                | b'}'
                | b'~'
        ) {
            class = ATEXT;
        }
        if matches!(b, 33..=60 | 62..=126) || b >= 0x80 {
            class |= VALUE;
        }
        if b.is_ascii_alphanumeric() || b == b'-' {
            class |= KEYWORD;
        }
        if class & ATEXT != 0 || b == b'.' {
            class |= DOT_ATEXT;
        }
        if b >= 0x80 || b.is_ascii_alphanumeric() || b == b'.' {
            class |= DOT_LDH;
        }
        t[c] = class;
        c += 1;
    }
    t
}

static CLASS: [u8; 256] = class_table();

/// `0x01` in every byte of a word.
pub(crate) const LO: u64 = u64::from_le_bytes([1; 8]);
/// `0x80` in every byte of a word.
pub(crate) const HI: u64 = LO << 7;

/// The high bit of each byte of `w` that is below `n` (`n` at most 0x80), and perhaps of
/// bytes above (more significant than) such a byte: the lowest bit set is exact.
#[inline(always)]
pub(crate) fn bytes_below(w: u64, n: u8) -> u64 {
    w.wrapping_sub(LO * u64::from(n)) & !w & HI
}

/// [`bytes_below`] for the bytes of `w` equal to `byte`.
#[inline(always)]
pub(crate) fn bytes_equal(w: u64, byte: u8) -> u64 {
    bytes_below(w ^ (LO * u64::from(byte)), 1)
}

/// The byte offset of the lowest bit set in a non-zero [`bytes_below`] mask.
#[inline(always)]
pub(crate) fn first_flagged(mask: u64) -> usize {
    (mask.trailing_zeros() / 8) as usize
}

/// The first `byte` in `s`, a word at a time.
#[inline]
pub(crate) fn find_byte(s: &[u8], byte: u8) -> Option<usize> {
    let mut n = 0;
    while let Some(chunk) = s.get(n..).and_then(|r| r.first_chunk::<8>()) {
        let hit = bytes_equal(u64::from_le_bytes(*chunk), byte);
        if hit != 0 {
            return Some(n + first_flagged(hit));
        }
        n += 8;
    }
    let tail = s.get(n..)?;
    Some(n + tail.iter().position(|&c| c == byte)?)
}

/// The high bit of each byte of `w` that is zero, exactly (no false positives).
#[inline(always)]
fn zero_bytes_exact(w: u64) -> u64 {
    !(((w & !HI).wrapping_add(!HI)) | w) & HI
}

/// The length of the run of `bit` bytes (a `DOT_` class) at the start of `input`, if it is
/// dot-separated segments without an empty one (no leading, trailing or doubled dot). `None`
/// for anything else, valid or not: the caller's general scanner decides. Eight bytes at a
/// time: their classes and'ed, their dots found with word arithmetic.
#[inline(always)]
fn dotted_run(input: &[u8], bit: u8) -> Option<usize> {
    const DOTS: u64 = LO * b'.' as u64;
    let mut n = 0;
    // A dot "before" the start: a leading dot is an empty segment.
    let mut prev_dot = true;
    while let Some(chunk) = input.get(n..).and_then(|r| r.first_chunk::<8>()) {
        if chunk.iter().fold(bit, |acc, &b| acc & CLASS[b as usize]) == 0 {
            break;
        }
        let dots = zero_bytes_exact(u64::from_le_bytes(*chunk) ^ DOTS);
        if dots & (dots << 8 | u64::from(prev_dot) << 7) != 0 {
            return None;
        }
        prev_dot = dots >> 63 != 0;
        n += 8;
    }
    for &b in input.get(n..).unwrap_or_default() {
        if CLASS[b as usize] & bit == 0 {
            break;
        }
        let dot = b == b'.';
        if dot && prev_dot {
            return None;
        }
        prev_dot = dot;
        n += 1;
    }
    // Empty, or ending in a dot.
    (!prev_dot).then_some(n)
}

/// Whether `b` has any of the class bits in `bits`.
#[inline]
pub(crate) fn has_class(b: u8, bits: u8) -> bool {
    CLASS[b as usize] & bits != 0
}

/// Whether `b` is an `atext` byte or part of a UTF-8 sequence (`UTF8-non-ascii`, RFC 6531).
#[inline]
pub(crate) fn is_atext(b: u8) -> bool {
    CLASS[b as usize] & ATEXT != 0
}

fn to_str(bytes: &[u8]) -> Option<&str> {
    std::str::from_utf8(bytes).ok()
}

/// Whether `value` is a valid `Dot-string` (so a local part need not be quoted).
///
/// ```text
/// Dot-string = Atom *("."  Atom)
/// Atom       = 1*atext
/// ```
pub fn is_dot_string(value: &[u8]) -> bool {
    scan_dot_string(value) == Ok(value.len())
}

/// `Domain` (RFC 5321 §4.1.2, extended by RFC 6531 §3.3 with U-labels).
///
/// ```text
/// Domain     = sub-domain *("." sub-domain)
/// sub-domain = Let-dig [Ldh-str] / U-label
/// Let-dig    = ALPHA / DIGIT
/// Ldh-str    = *( ALPHA / DIGIT / "-" ) Let-dig
/// ```
///
/// Labels are at most 63 octets, the domain at most 255; non-ASCII labels must be valid UTF-8.
/// A dot not followed by a label is left in the rest of the input.
pub fn domain(input: &[u8]) -> IResult<&[u8], Domain<'_>> {
    let end = match scan_domain(input) {
        Ok(end) => end,
        Err(at) => return fail(input.get(at..).unwrap_or_default()),
    };
    let (text, rest) = input.split_at(end);
    match to_str(text) {
        Some(s) => Ok((rest, Domain::new_unchecked(Cow::Borrowed(s)))),
        None => fail(input),
    }
}

/// The length of the `Domain` at the start of `input` (see [`domain`]), or the offset of the
/// error. Byte classes only: the caller checks UTF-8.
#[inline]
pub(crate) fn scan_domain(input: &[u8]) -> Result<usize, usize> {
    // Common domains first: no hyphen, short enough that no label can be too long.
    if let Some(n) = dotted_run(input, DOT_LDH)
        && n <= MAX_LABEL_LEN
        && input.get(n) != Some(&b'-')
    {
        return Ok(n);
    }
    scan_labels(input)
}

/// [`scan_domain`] label by label: every domain, and every error.
#[inline(never)]
fn scan_labels(input: &[u8]) -> Result<usize, usize> {
    let mut label_start = 0;
    loop {
        let label = input.get(label_start..).unwrap_or_default();
        let end = label_start
            + label
                .iter()
                .position(|&b| CLASS[b as usize] & LDH == 0)
                .unwrap_or(label.len());
        if let Some(at) = check_label(input, label_start, end) {
            return Err(at);
        }
        // A dot must be followed by another label, or it is not part of the domain.
        match (input.get(end), input.get(end + 1)) {
            (Some(b'.'), Some(&n)) if CLASS[n as usize] & LDH != 0 && n != b'-' => {
                label_start = end + 1;
            }
            _ if end > MAX_DOMAIN_LEN => return Err(0),
            _ => return Ok(end),
        }
    }
}

/// Checks the label `input[start..end]`; on error, the offset where it goes wrong.
#[inline]
fn check_label(input: &[u8], start: usize, end: usize) -> Option<usize> {
    let label = input.get(start..end).unwrap_or_default();
    match (label.first(), label.last()) {
        (None, _) | (Some(b'-'), _) => Some(start),
        _ if label.len() > MAX_LABEL_LEN => Some(start),
        (_, Some(b'-')) => Some(end - 1),
        _ => None,
    }
}

/// `IPv4-address-literal = Snum 3("."  Snum)`, `Snum = 1*3DIGIT` with a value of 0 to 255
/// (RFC 5321 §4.1.3).
fn ipv4_literal(text: &[u8]) -> Option<Ipv4Addr> {
    let mut octets = [0u8; 4];
    let mut n = 0;
    let mut value: u16 = 0;
    let mut digits = 0;
    for &b in text {
        if b.is_ascii_digit() {
            digits += 1;
            value = value * 10 + u16::from(b - b'0');
            if digits > 3 {
                return None;
            }
        } else if b == b'.' && digits > 0 && n < 3 {
            *octets.get_mut(n)? = u8::try_from(value).ok()?;
            n += 1;
            value = 0;
            digits = 0;
        } else {
            return None;
        }
    }
    if n != 3 || digits == 0 {
        return None;
    }
    *octets.get_mut(3)? = u8::try_from(value).ok()?;
    Some(Ipv4Addr::from(octets))
}

/// `Ldh-str` used as a `Standardized-tag`: letters, digits and hyphens, ending in a letter or digit.
fn is_standardized_tag(tag: &[u8]) -> bool {
    tag.first().is_some_and(u8::is_ascii_alphanumeric)
        && tag.last().is_some_and(u8::is_ascii_alphanumeric)
        && tag.iter().all(|&b| b.is_ascii_alphanumeric() || b == b'-')
}

/// `address-literal` (RFC 5321 §4.1.2, §4.1.3).
///
/// ```text
/// address-literal  = "[" ( IPv4-address-literal /
///                    IPv6-address-literal /
///                    General-address-literal ) "]"
/// IPv6-address-literal    = "IPv6:" IPv6-addr
/// IPv6-addr      = IPv6-full / IPv6-comp / IPv6v4-full / IPv6v4-comp
/// General-address-literal = Standardized-tag ":" 1*dcontent
/// dcontent       = %d33-90 / %d94-126
/// ```
///
/// The `IPv6` tag is matched case-insensitively; all four IPv6 forms are accepted (through the
/// standard library's parser, which also takes a `::` standing for a single zero group, a
/// harmless superset of `IPv6-comp`). `Snum` may have leading zeros (`[010.0.0.1]`).
pub fn address_literal(input: &[u8]) -> IResult<&[u8], AddressLiteral> {
    address_literal_with(input, |content| {
        to_str(content).and_then(|s| s.parse::<Ipv6Addr>().ok())
    })
}

/// [`address_literal`] with the IPv6 parser given: the command parser's fast path passes
/// [`parse_ipv6`], the reference grammar the standard library's.
#[inline]
pub(crate) fn address_literal_with(
    input: &[u8],
    ipv6: impl Fn(&[u8]) -> Option<Ipv6Addr>,
) -> IResult<&[u8], AddressLiteral> {
    let Some(inner_input) = input.strip_prefix(b"[") else {
        return fail(input);
    };
    let Some(end) = find_byte(inner_input, b']') else {
        return fail(input);
    };
    let (inner, rest) = inner_input.split_at(end);
    let rest = rest.get(1..).unwrap_or_default();
    if let Some(v4) = ipv4_literal(inner) {
        return Ok((rest, AddressLiteral::Ipv4(v4)));
    }
    let Some(colon) = inner.iter().position(|&b| b == b':') else {
        return fail(inner_input);
    };
    let (tag_text, content) = inner.split_at(colon);
    let content = content.get(1..).unwrap_or_default();
    if tag_text.eq_ignore_ascii_case(b"IPv6") {
        return match ipv6(content) {
            Some(v6) => Ok((rest, AddressLiteral::Ipv6(v6))),
            None => fail(inner_input.get(colon + 1..).unwrap_or_default()),
        };
    }
    if !is_standardized_tag(tag_text) {
        return fail(inner_input);
    }
    if content.is_empty() || !content.iter().all(|&b| matches!(b, 33..=90 | 94..=126)) {
        return fail(inner_input.get(colon + 1..).unwrap_or_default());
    }
    // Both parts are ASCII, checked above.
    let tag_s = String::from_utf8_lossy(tag_text).into_owned();
    let content_s = String::from_utf8_lossy(content).into_owned();
    Ok((
        rest,
        AddressLiteral::General {
            tag: tag_s,
            content: content_s,
        },
    ))
}

/// A mailbox's host: `Domain / address-literal` (RFC 5321 §4.1.2).
pub fn host(input: &[u8]) -> IResult<&[u8], Host<'_>> {
    if input.first() == Some(&b'[') {
        let (rest, lit) = address_literal(input)?;
        Ok((rest, Host::Literal(lit)))
    } else {
        let (rest, d) = domain(input)?;
        Ok((rest, Host::Domain(d)))
    }
}

/// `Dot-string` (RFC 5321 §4.1.2, RFC 6531 §3.3 for UTF-8 atext).
///
/// ```text
/// Dot-string = Atom *("."  Atom)
/// Atom       = 1*atext
/// ```
pub fn dot_string(input: &[u8]) -> IResult<&[u8], &str> {
    let end = match scan_dot_string(input) {
        Ok(end) => end,
        Err(at) => return fail(input.get(at..).unwrap_or_default()),
    };
    let (text, rest) = input.split_at(end);
    match to_str(text) {
        Some(s) => Ok((rest, s)),
        None => fail(input),
    }
}

/// The length of the `Dot-string` at the start of `input` (see [`dot_string`]), or the offset
/// of the error. Byte classes only: the caller checks UTF-8.
#[inline]
pub(crate) fn scan_dot_string(input: &[u8]) -> Result<usize, usize> {
    if let Some(n) = dotted_run(input, DOT_ATEXT) {
        return Ok(n);
    }
    scan_atoms(input)
}

/// [`scan_dot_string`] atom by atom: every `Dot-string`, and every error.
#[inline(never)]
fn scan_atoms(input: &[u8]) -> Result<usize, usize> {
    let mut start = 0;
    loop {
        let atom = input.get(start..).unwrap_or_default();
        let len = atom
            .iter()
            .position(|&b| CLASS[b as usize] & ATEXT == 0)
            .unwrap_or(atom.len());
        if len == 0 {
            // Empty, or a dot not followed by an atom: the error is at that dot.
            return Err(start.saturating_sub(1));
        }
        let end = start + len;
        if input.get(end) != Some(&b'.') {
            return Ok(end);
        }
        start = end + 1;
    }
}

/// `Quoted-string` (RFC 5321 §4.1.2, RFC 6531 §3.3), returning the unquoted value.
///
/// ```text
/// Quoted-string  = DQUOTE *QcontentSMTP DQUOTE
/// QcontentSMTP   = qtextSMTP / quoted-pairSMTP
/// quoted-pairSMTP = %d92 %d32-126
/// qtextSMTP      = %d32-33 / %d35-91 / %d93-126 / UTF8-non-ascii
/// ```
pub fn quoted_string(input: &[u8]) -> IResult<&[u8], Cow<'_, str>> {
    let Some(body) = input.strip_prefix(b"\"") else {
        return fail(input);
    };
    let (i, escaped) = match scan_quoted(body) {
        Ok(found) => found,
        Err(at) => return fail(body.get(at..).unwrap_or_default()),
    };
    let (raw, rest) = body.split_at(i);
    let rest = rest.get(1..).unwrap_or_default();
    let Some(raw) = to_str(raw) else {
        return fail(body);
    };
    Ok((rest, unquote(raw, escaped)))
}

/// Scans the body of a `Quoted-string` (after its opening quote): the length up to the closing
/// quote and whether it holds escapes, or the offset of the error. The caller checks UTF-8.
#[inline]
pub(crate) fn scan_quoted(body: &[u8]) -> Result<(usize, bool), usize> {
    let mut i = 0;
    let mut escaped = false;
    loop {
        match body.get(i) {
            None => return Err(i),
            Some(b'"') => return Ok((i, escaped)),
            Some(b'\\') => match body.get(i + 1) {
                Some(32..=126) => {
                    escaped = true;
                    i += 2;
                }
                _ => return Err(i),
            },
            Some(32..=126) | Some(0x80..=0xff) => i += 1,
            Some(_) => return Err(i),
        }
    }
}

/// The value of a scanned quoted string: `raw` as is, or with its backslash escapes removed.
pub(crate) fn unquote(raw: &str, escaped: bool) -> Cow<'_, str> {
    if !escaped {
        return Cow::Borrowed(raw);
    }
    let mut value = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(n) = chars.next() {
                value.push(n);
            }
        } else {
            value.push(c);
        }
    }
    Cow::Owned(value)
}

/// `Local-part = Dot-string / Quoted-string` (RFC 5321 §4.1.2), case preserved.
pub fn local_part(input: &[u8]) -> IResult<&[u8], LocalPart<'_>> {
    if input.first() == Some(&b'"') {
        let (rest, value) = quoted_string(input)?;
        let needs = !is_dot_string(value.as_bytes());
        Ok((rest, LocalPart::new_unchecked(value, needs)))
    } else {
        let (rest, value) = dot_string(input)?;
        Ok((rest, LocalPart::new_unchecked(Cow::Borrowed(value), false)))
    }
}

/// `Mailbox = Local-part "@" ( Domain / address-literal )` (RFC 5321 §4.1.2).
pub fn mailbox(input: &[u8]) -> IResult<&[u8], Mailbox<'_>> {
    let (rest, local_part) = local_part(input)?;
    let (rest, _) = tag(&b"@"[..]).parse(rest)?;
    let (rest, host) = host(rest)?;
    Ok((rest, Mailbox { local_part, host }))
}

/// A source route, accepted and ignored (RFC 5321 §4.1.2, §C).
///
/// ```text
/// A-d-l     = At-domain *( "," At-domain )
/// At-domain = "@" Domain
/// ```
fn source_route(input: &[u8]) -> IResult<&[u8], ()> {
    let mut rest = input;
    loop {
        let (r, _) = tag(&b"@"[..]).parse(rest)?;
        let (r, _) = domain(r)?;
        match r.first() {
            Some(b',') => rest = r.get(1..).unwrap_or_default(),
            _ => return Ok((r, ())),
        }
    }
}

/// `Path = "<" [ A-d-l ":" ] Mailbox ">"` (RFC 5321 §4.1.2); the source route is dropped.
pub fn path(input: &[u8]) -> IResult<&[u8], Mailbox<'_>> {
    let (mut rest, _) = tag(&b"<"[..]).parse(input)?;
    if rest.first() == Some(&b'@') {
        let (r, ()) = source_route(rest)?;
        let (r, _) = tag(&b":"[..]).parse(r)?;
        rest = r;
    }
    let (rest, mbox) = mailbox(rest)?;
    let (rest, _) = tag(&b">"[..]).parse(rest)?;
    Ok((rest, mbox))
}

/// `Reverse-path = Path / "<>"` (RFC 5321 §4.1.2).
pub fn reverse_path(input: &[u8]) -> IResult<&[u8], ReversePath<'_>> {
    if let Some(rest) = input.strip_prefix(b"<>") {
        return Ok((rest, ReversePath::Null));
    }
    let (rest, m) = path(input)?;
    Ok((rest, ReversePath::Mailbox(m)))
}

/// `Forward-path = Path`, or `"<Postmaster>"` (any case) with no domain (RFC 5321 §4.1.1.3).
pub fn forward_path(input: &[u8]) -> IResult<&[u8], ForwardPath<'_>> {
    const POSTMASTER: &[u8] = b"<postmaster>";
    if let Some((head, rest)) = input.split_at_checked(POSTMASTER.len())
        && head.eq_ignore_ascii_case(POSTMASTER)
    {
        return Ok((rest, ForwardPath::Postmaster));
    }
    let (rest, m) = path(input)?;
    Ok((rest, ForwardPath::Mailbox(m)))
}

/// Runs `parser` over the whole of `input`, turning a failure or leftover bytes into the offset.
fn complete<'a, T>(
    input: &'a [u8],
    parser: impl Fn(&'a [u8]) -> IResult<&'a [u8], T>,
) -> Result<T, AddressError> {
    match parser(input) {
        Ok(([], v)) => Ok(v),
        Ok((rest, _)) => Err(AddressError::Syntax {
            at: input.len() - rest.len(),
        }),
        Err(nom::Err::Error(e) | nom::Err::Failure(e)) => Err(AddressError::Syntax {
            at: input.len() - e.input.len(),
        }),
        Err(nom::Err::Incomplete(_)) => Err(AddressError::Syntax { at: input.len() }),
    }
}

/// Parses the whole input as a `Domain`.
pub fn parse_domain(input: &[u8]) -> Result<Domain<'_>, AddressError> {
    complete(input, domain)
}

/// Parses the whole input as a host (`Domain / address-literal`).
pub fn parse_host(input: &[u8]) -> Result<Host<'_>, AddressError> {
    complete(input, host)
}

/// Parses the whole input as a `Mailbox` (no angle brackets).
pub fn parse_mailbox(input: &[u8]) -> Result<Mailbox<'_>, AddressError> {
    complete(input, mailbox)
}

/// Parses the whole input as a `Reverse-path` (`<...>` or `<>`).
pub fn parse_reverse_path(input: &[u8]) -> Result<ReversePath<'_>, AddressError> {
    complete(input, reverse_path)
}

/// Parses the whole input as a `Forward-path` (`<...>` or `<postmaster>`).
pub fn parse_forward_path(input: &[u8]) -> Result<ForwardPath<'_>, AddressError> {
    complete(input, forward_path)
}

pub(crate) fn parse_domain_str(text: &str) -> Result<Domain<'_>, AddressError> {
    parse_domain(text.as_bytes())
}

pub(crate) fn parse_local_part_str(value: &str) -> Result<LocalPart<'_>, AddressError> {
    if let Some(at) = value.bytes().position(|b| b < 32 || b == 127) {
        return Err(AddressError::Syntax { at });
    }
    let needs = !is_dot_string(value.as_bytes());
    Ok(LocalPart::new_unchecked(Cow::Borrowed(value), needs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domain_stops_before_trailing_dot() {
        let (rest, d) = domain(b"example.com. x").unwrap();
        assert_eq!(d.as_str(), "example.com");
        assert_eq!(rest, b". x");
    }

    #[test]
    fn domain_label_limits() {
        let ok = format!("{}.com", "a".repeat(63));
        assert!(parse_domain(ok.as_bytes()).is_ok());
        let long = format!("{}.com", "a".repeat(64));
        assert_eq!(
            parse_domain(long.as_bytes()),
            Err(AddressError::Syntax { at: 0 })
        );
        let total = vec!["abcdefghi"; 26].join(".");
        assert!(total.len() > MAX_DOMAIN_LEN);
        assert!(parse_domain(total.as_bytes()).is_err());
    }

    #[test]
    fn error_offsets() {
        assert_eq!(parse_domain(b"a-.com"), Err(AddressError::Syntax { at: 1 }));
        assert_eq!(parse_mailbox(b"user@"), Err(AddressError::Syntax { at: 5 }));
        assert_eq!(
            parse_mailbox(b"us er@x"),
            Err(AddressError::Syntax { at: 2 })
        );
        assert_eq!(
            parse_reverse_path(b"<a@b"),
            Err(AddressError::Syntax { at: 4 })
        );
    }

    /// The byte-at-a-time scanners these replaced, kept as the reference for the tests below.
    fn reference_scan_domain(input: &[u8]) -> Result<usize, usize> {
        let mut label_start = 0;
        let mut end = input.len();
        for (i, &b) in input.iter().enumerate() {
            if CLASS[b as usize] & LDH != 0 {
                continue;
            }
            if b == b'.' {
                if let Some(at) = check_label(input, label_start, i) {
                    return Err(at);
                }
                match input.get(i + 1) {
                    Some(&n) if CLASS[n as usize] & LDH != 0 && n != b'-' => {
                        label_start = i + 1;
                        continue;
                    }
                    _ => {
                        end = i;
                        break;
                    }
                }
            }
            end = i;
            break;
        }
        if let Some(at) = check_label(input, label_start, end) {
            return Err(at);
        }
        if end > MAX_DOMAIN_LEN {
            return Err(0);
        }
        Ok(end)
    }

    fn reference_scan_dot_string(input: &[u8]) -> Result<usize, usize> {
        let mut after_dot = true;
        let mut end = input.len();
        for (i, &b) in input.iter().enumerate() {
            if CLASS[b as usize] & ATEXT != 0 {
                after_dot = false;
            } else if b == b'.' && !after_dot {
                after_dot = true;
            } else {
                end = i;
                break;
            }
        }
        if after_dot {
            return Err(end.saturating_sub(usize::from(end > 0)));
        }
        Ok(end)
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(4_000))]

        #[test]
        fn scanners_match_reference(text in "[a-c\\-.@>_ \u{e9}]{0,70}") {
            let b = text.as_bytes();
            proptest::prop_assert_eq!(scan_domain(b), reference_scan_domain(b));
            proptest::prop_assert_eq!(scan_dot_string(b), reference_scan_dot_string(b));
        }

        #[test]
        fn dotted_runs_match_reference(text in "[a-c0.]{0,20}[.>@ \u{e9}-]{0,2}[a-c0.]{0,20}") {
            let b = text.as_bytes();
            proptest::prop_assert_eq!(scan_domain(b), reference_scan_domain(b));
            proptest::prop_assert_eq!(scan_dot_string(b), reference_scan_dot_string(b));
        }

        #[test]
        fn long_domains_match_reference(labels in proptest::collection::vec("[a-z\\-]{0,70}", 0..6)) {
            let text = labels.join(".");
            let b = text.as_bytes();
            proptest::prop_assert_eq!(scan_domain(b), reference_scan_domain(b));
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(4_000))]

        #[test]
        fn is_dot_string_matches_definition(text in "[a.\" @\u{e9}]{0,12}") {
            let v = text.as_bytes();
            let by_definition = !v.is_empty()
                && v.first() != Some(&b'.')
                && v.last() != Some(&b'.')
                && !v.windows(2).any(|w| w == b"..")
                && v.iter().all(|&b| b == b'.' || is_atext(b));
            proptest::prop_assert_eq!(is_dot_string(v), by_definition);
        }
    }

    #[test]
    fn dot_string_check() {
        assert!(is_dot_string(b"a.b"));
        assert!(!is_dot_string(b"a..b"));
        assert!(!is_dot_string(b".a"));
        assert!(!is_dot_string(b""));
        assert!(!is_dot_string(b"a b"));
    }
}
