//! Parsers of what `+OK` responses carry (client side): the `STAT` drop listing, `LIST` scan
//! listings and `UIDL` unique-id listings (RFC 1939 §5, §7), and `CAPA` capability lines
//! (RFC 2449 §5–§6).
//!
//! A single-line answer (`STAT`, `LIST n`, `UIDL n`) is parsed from the status line's text; a
//! multi-line one from the body that [`crate::multiline::MultilineDecoder`] gave back (byte
//! stuffing removed, the terminator gone), split with [`lines`].

use std::borrow::Cow;

use crate::parse::command::number;
use crate::types::capability::{Capability, ExpirePolicy};
use crate::types::listing::{MsgNum, ScanListing, Stat, Uid, UidError, UidListing};

/// What is wrong with a listing or capability line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ListingError {
    /// A field is missing (`msg` without a size or unique-id, an empty line).
    #[error("listing line has too few fields")]
    MissingField,
    /// A message number that is not `1*DIGIT` in `1..=4294967295`.
    #[error("invalid message number at byte {at}")]
    BadMessageNumber {
        /// Offset of the field in the line.
        at: usize,
    },
    /// A count or size that is not a number.
    #[error("invalid number at byte {at}")]
    BadNumber {
        /// Offset of the field in the line.
        at: usize,
    },
    /// A unique-id outside the RFC 1939 §7 grammar.
    #[error("invalid unique-id: {0}")]
    BadUid(#[from] UidError),
    /// A capability whose parameters do not fit its grammar (e.g. `LOGIN-DELAY x`).
    #[error("invalid parameters for capability {tag}")]
    BadCapability {
        /// The capability tag, upper case.
        tag: String,
    },
    /// Bytes that are not UTF-8 in a capability line.
    #[error("invalid UTF-8 in capability line")]
    InvalidUtf8,
}

/// The lines of a decoded multi-line body, each without its CRLF. A last line with no CRLF
/// (not produced by the decoder) is returned too.
pub fn lines(body: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut rest = body;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        match memchr::memmem::find(rest, b"\r\n") {
            Some(k) => {
                let line = rest.get(..k);
                rest = rest.get(k + 2..).unwrap_or_default();
                line
            }
            None => Some(std::mem::take(&mut rest)),
        }
    })
}

/// The first two space-separated fields of `s` with their offsets; what follows a further
/// space is ignored (RFC 1939 §5 allows servers to add information after the size).
/// A field of a listing line and its offset.
type Field<'a> = (usize, &'a [u8]);

fn two_fields(s: &[u8]) -> Result<(Field<'_>, Field<'_>), ListingError> {
    let mut it = s.split(|&b| b == b' ');
    let a = it
        .next()
        .filter(|a| !a.is_empty())
        .ok_or(ListingError::MissingField)?;
    let b = it
        .next()
        .filter(|b| !b.is_empty())
        .ok_or(ListingError::MissingField)?;
    Ok(((0, a), (a.len() + 1, b)))
}

fn size((at, b): (usize, &[u8])) -> Result<u64, ListingError> {
    if b.is_empty() || !b.iter().all(u8::is_ascii_digit) {
        return Err(ListingError::BadNumber { at });
    }
    std::str::from_utf8(b)
        .ok()
        .and_then(|s| s.parse().ok())
        .ok_or(ListingError::BadNumber { at })
}

fn msg((at, b): (usize, &[u8])) -> Result<MsgNum, ListingError> {
    number(b)
        .and_then(MsgNum::new)
        .ok_or(ListingError::BadMessageNumber { at })
}

/// Parses the text of the `+OK` answering `STAT` (RFC 1939 §5).
///
/// ```text
/// drop-listing = count SP size [SP text]    ; "+OK 2 320"
/// ```
pub fn parse_stat(text: &[u8]) -> Result<Stat, ListingError> {
    let ((at, c), s) = two_fields(text)?;
    let count = number(c).ok_or(ListingError::BadNumber { at })?;
    Ok(Stat {
        count,
        size: size(s)?,
    })
}

/// Parses a scan listing (RFC 1939 §5): the text of `+OK` answering `LIST msg`, or one line of
/// the multi-line answer to `LIST`.
///
/// ```text
/// scan-listing = msg SP size [SP text]      ; "2 200"
/// ```
pub fn parse_scan_listing(line: &[u8]) -> Result<ScanListing, ListingError> {
    let (m, s) = two_fields(line)?;
    Ok(ScanListing {
        msg: msg(m)?,
        size: size(s)?,
    })
}

/// Parses a unique-id listing (RFC 1939 §7): the text of `+OK` answering `UIDL msg`, or one
/// line of the multi-line answer to `UIDL`.
///
/// ```text
/// uid-listing = msg SP unique-id [SP text]   ; "2 QhdPYR:00WBw1Ph7x7"
/// unique-id   = 1*70 (%x21-7E)
/// ```
pub fn parse_uid_listing(line: &[u8]) -> Result<UidListing<'_>, ListingError> {
    let (m, (_, u)) = two_fields(line)?;
    Ok(UidListing {
        msg: msg(m)?,
        uid: Uid::from_bytes(u)?,
    })
}

/// Parses every scan listing of a decoded `LIST` body.
pub fn parse_scan_listings(body: &[u8]) -> Result<Vec<ScanListing>, ListingError> {
    lines(body).map(parse_scan_listing).collect()
}

/// Parses every unique-id listing of a decoded `UIDL` body.
pub fn parse_uid_listings(body: &[u8]) -> Result<Vec<UidListing<'_>>, ListingError> {
    lines(body).map(parse_uid_listing).collect()
}

/// Parses every capability of a decoded `CAPA` body.
pub fn parse_capa(body: &[u8]) -> Result<Vec<Capability<'_>>, ListingError> {
    lines(body).map(parse_capability).collect()
}

/// Parses one capability line of a `CAPA` response (RFC 2449 §5–§6, RFC 2595 §4, RFC 3206 §6,
/// RFC 5034 §3, RFC 6856 §2–§3). Tags are matched in any case.
///
/// ```text
/// capability     = capa-tag *(SP param)
/// login-delay    = "LOGIN-DELAY" SP 1*DIGIT [SP "USER"]
/// expire         = "EXPIRE" SP (1*DIGIT / "NEVER") [SP "USER"]
/// sasl           = "SASL" *(SP mechanism)
/// implementation = "IMPLEMENTATION" SP text      ; the rest of the line
/// utf8           = "UTF8" [SP "USER"]
/// ```
pub fn parse_capability(line: &[u8]) -> Result<Capability<'_>, ListingError> {
    let line = std::str::from_utf8(line).map_err(|_| ListingError::InvalidUtf8)?;
    let line = line.trim_end_matches([' ', '\t']);
    let (tag, rest) = line.split_once(' ').unwrap_or((line, ""));
    if tag.is_empty() {
        return Err(ListingError::MissingField);
    }
    let params: Vec<&str> = rest.split(' ').filter(|p| !p.is_empty()).collect();
    let upper = tag.to_ascii_uppercase();
    let bad = || ListingError::BadCapability { tag: upper.clone() };
    let per_user = |p: &[&str]| -> Result<bool, ListingError> {
        match p {
            [] => Ok(false),
            [u] if u.eq_ignore_ascii_case("USER") => Ok(true),
            _ => Err(bad()),
        }
    };
    let no_params = |c: Capability<'static>| {
        if params.is_empty() { Ok(c) } else { Err(bad()) }
    };
    match upper.as_str() {
        "TOP" => no_params(Capability::Top),
        "USER" => no_params(Capability::User),
        "RESP-CODES" => no_params(Capability::RespCodes),
        "PIPELINING" => no_params(Capability::Pipelining),
        "UIDL" => no_params(Capability::Uidl),
        "STLS" => no_params(Capability::Stls),
        "LANG" => no_params(Capability::Lang),
        "AUTH-RESP-CODE" => no_params(Capability::AuthRespCode),
        "SASL" => Ok(Capability::Sasl(
            params.into_iter().map(Cow::Borrowed).collect(),
        )),
        "IMPLEMENTATION" => Ok(Capability::Implementation(Cow::Borrowed(
            rest.trim_start_matches(' '),
        ))),
        "UTF8" => Ok(Capability::Utf8 {
            user: per_user(&params)?,
        }),
        "LOGIN-DELAY" => {
            let (n, tail) = params.split_first().ok_or_else(bad)?;
            let seconds = number(n.as_bytes()).ok_or_else(bad)?;
            Ok(Capability::LoginDelay {
                seconds,
                per_user: per_user(tail)?,
            })
        }
        "EXPIRE" => {
            let (p, tail) = params.split_first().ok_or_else(bad)?;
            let policy = if p.eq_ignore_ascii_case("NEVER") {
                ExpirePolicy::Never
            } else {
                ExpirePolicy::Days(number(p.as_bytes()).ok_or_else(bad)?)
            };
            Ok(Capability::Expire {
                policy,
                per_user: per_user(tail)?,
            })
        }
        _ => Ok(Capability::Other {
            name: if tag.bytes().any(|b| b.is_ascii_lowercase()) {
                Cow::Owned(upper.clone())
            } else {
                Cow::Borrowed(tag)
            },
            params: params.into_iter().map(Cow::Borrowed).collect(),
        }),
    }
}

#[cfg(test)]
#[path = "listing_tests.rs"]
mod tests;
