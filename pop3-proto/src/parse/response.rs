//! Response-line parser (client side): [`parse_response`] and its [`ResponseError`].
//!
//! ```text
//! response     = status-line / continuation
//! status-line  = status [SP [resp-code SP] text] CRLF      ; RFC 1939 §3, RFC 2449 §8
//! status       = "+OK" / "-ERR"
//! resp-code    = "[" resp-level *("/" resp-level) "]"
//! resp-level   = 1*<any CHAR except "/", "]", SP, CTL>
//! continuation = "+" SP [base64] CRLF                       ; RFC 5034 §4
//! ```
//!
//! Only the first line of a multi-line response is parsed here; the lines after it are read with
//! [`crate::multiline::MultilineDecoder`] and, for listings and `CAPA`, parsed with
//! [`crate::parse::listing`].
//!
//! Tolerated: the status in any case, a `[` that does not open a well-formed response code (it
//! is kept as text, RFC 2449 §8 has clients ignore what they do not understand), non-UTF-8 text
//! (replaced by U+FFFD). Refused: a bare CR or bare LF, a line longer than the limit.

use std::borrow::Cow;

use memchr::memchr;

use crate::types::response::{Continuation, Response, ResponseCode, Status, StatusLine};

/// Longest response line, CRLF included (RFC 2449 §4: 512 octets).
pub const MAX_RESPONSE_LINE: usize = 512;

/// What is wrong with the bytes given to [`parse_response`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ResponseError {
    /// The bytes are a prefix of a response line: read more and call again.
    #[error("incomplete response: more input needed")]
    Incomplete,
    /// No line ending within the limit.
    #[error("response line longer than {max} octets")]
    LineTooLong {
        /// The limit, CRLF included.
        max: usize,
    },
    /// The line starts with neither `+OK`, `-ERR` nor `+ `.
    #[error("response starts with neither +OK, -ERR nor a continuation")]
    BadStatus,
    /// A CR not followed by LF.
    #[error("bare CR at offset {at}")]
    BareCr {
        /// Offset of the CR.
        at: usize,
    },
    /// An LF not preceded by CR.
    #[error("bare LF at offset {at}")]
    BareLf {
        /// Offset of the LF.
        at: usize,
    },
    /// A continuation whose payload holds a byte outside the base64 alphabet.
    #[error("continuation payload is not base64 (byte at offset {at})")]
    BadBase64 {
        /// Offset of the offending byte.
        at: usize,
    },
}

/// Parses one response line from the start of `buf`, with the RFC 2449 §4 limit of 512 octets.
///
/// Returns the response, borrowing its text from `buf` where possible, and the number of bytes
/// it occupied (CRLF included); the caller drops those and keeps the rest (pipelined responses,
/// or the body of a multi-line response, follow). Any strict prefix of a valid line gives
/// [`ResponseError::Incomplete`]; the other errors mean the bytes can never become a response.
pub fn parse_response(buf: &[u8]) -> Result<(Response<'_>, usize), ResponseError> {
    parse_response_with(buf, MAX_RESPONSE_LINE)
}

/// [`parse_response`] with an explicit line limit (CRLF included); raise it for `AUTH`
/// exchanges with mechanisms whose challenges are long.
pub fn parse_response_with(
    buf: &[u8],
    max_line: usize,
) -> Result<(Response<'_>, usize), ResponseError> {
    let window = buf.get(..max_line.min(buf.len())).unwrap_or(buf);
    let Some(lf) = memchr(b'\n', window) else {
        if let Some(cr) = memchr(b'\r', window).filter(|&cr| cr + 1 < window.len()) {
            return Err(ResponseError::BareCr { at: cr });
        }
        return if buf.len() >= max_line {
            Err(ResponseError::LineTooLong { max: max_line })
        } else {
            Err(ResponseError::Incomplete)
        };
    };
    if lf == 0 || buf.get(lf - 1) != Some(&b'\r') {
        return Err(ResponseError::BareLf { at: lf });
    }
    let line = buf.get(..lf - 1).unwrap_or_default();
    if let Some(cr) = memchr(b'\r', line) {
        return Err(ResponseError::BareCr { at: cr });
    }
    Ok((parse_line(line)?, lf + 1))
}

/// Parses a response line without its CRLF.
fn parse_line(line: &[u8]) -> Result<Response<'_>, ResponseError> {
    let (status, rest) = if starts_with_ci(line, b"+OK") {
        (Status::Ok, line.get(3..).unwrap_or_default())
    } else if starts_with_ci(line, b"-ERR") {
        (Status::Err, line.get(4..).unwrap_or_default())
    } else if line.first() == Some(&b'+') && matches!(line.get(1), None | Some(b' ')) {
        let payload = line.get(2..).unwrap_or_default();
        let payload = trim_end(payload);
        if let Some(k) = payload
            .iter()
            .position(|&b| !(b.is_ascii_alphanumeric() || b == b'+' || b == b'/' || b == b'='))
        {
            return Err(ResponseError::BadBase64 { at: k + 2 });
        }
        let text = std::str::from_utf8(payload).unwrap_or_default();
        return Ok(Response::Continuation(Continuation::from_base64(text)));
    } else {
        return Err(ResponseError::BadStatus);
    };
    let rest = match rest.first() {
        None => rest,
        Some(b' ') => rest.get(1..).unwrap_or_default(),
        Some(_) => return Err(ResponseError::BadStatus),
    };
    let (code, text) = match resp_code(rest) {
        Some((code, after)) => (Some(code), after),
        None => (None, rest),
    };
    Ok(Response::Status(StatusLine {
        status,
        code,
        text: String::from_utf8_lossy(text),
    }))
}

fn starts_with_ci(line: &[u8], prefix: &[u8]) -> bool {
    line.get(..prefix.len())
        .is_some_and(|p| p.eq_ignore_ascii_case(prefix))
}

fn trim_end(b: &[u8]) -> &[u8] {
    let n = b.iter().rev().take_while(|&&c| c == b' ').count();
    b.get(..b.len() - n).unwrap_or_default()
}

/// A well-formed `resp-code` at the start of `text`, and the text after it (and its SP).
fn resp_code(text: &[u8]) -> Option<(ResponseCode<'_>, &[u8])> {
    if text.first() != Some(&b'[') {
        return None;
    }
    let end = memchr(b']', text)?;
    let inner = text.get(1..end)?;
    let level_ok = |l: &[u8]| {
        !l.is_empty()
            && l.iter()
                .all(|&b| b.is_ascii_graphic() && b != b'/' && b != b']' && b != b'[')
    };
    if !inner.split(|&b| b == b'/').all(level_ok) {
        return None;
    }
    let after = text.get(end + 1..).unwrap_or_default();
    let after = match after.first() {
        None => after,
        Some(b' ') => after.get(1..).unwrap_or_default(),
        Some(_) => return None,
    };
    let s = std::str::from_utf8(inner).ok()?;
    Some((code_from_str(s), after))
}

/// Maps a code's text to a [`ResponseCode`], known codes in any case.
pub(crate) fn code_from_str(s: &str) -> ResponseCode<'_> {
    const KNOWN: [(&str, ResponseCode<'static>); 6] = [
        ("IN-USE", ResponseCode::InUse),
        ("LOGIN-DELAY", ResponseCode::LoginDelay),
        ("SYS/TEMP", ResponseCode::SysTemp),
        ("SYS/PERM", ResponseCode::SysPerm),
        ("AUTH", ResponseCode::Auth),
        ("UTF8", ResponseCode::Utf8),
    ];
    KNOWN
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(s))
        .map_or(ResponseCode::Other(Cow::Borrowed(s)), |(_, c)| c.clone())
}

#[cfg(test)]
#[path = "response_tests.rs"]
mod tests;
