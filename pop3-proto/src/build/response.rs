//! Response serialisers (server side): status lines, SASL continuations, and the single- and
//! multi-line answers to `STAT`, `LIST`, `UIDL` and `CAPA` (RFC 1939 §5, §7; RFC 2449 §5).
//!
//! ```text
//! status-line = status [SP [resp-code SP] text] CRLF     ; RFC 1939 §3, RFC 2449 §8
//! multi-line  = status-line *( ["."] line ) "." CRLF     ; RFC 1939 §3
//! ```
//! Guards, so that no response value can produce a malformed or smuggled line:
//! - CR, LF and NUL inside text are written as SP;
//! - a response code that is not a well-formed `resp-code` is left out;
//! - lines of a multi-line answer are byte-stuffed.
//!
//! Not guarded: text that itself starts with a well-formed `[CODE]` on a line with no code is
//! read back by a client as a response code; servers should not send such text (RFC 2449 §8).
//!
//! Message bodies (`RETR`, `TOP`) are written with [`crate::multiline::MultilineEncoder`] after
//! the status line.

use std::fmt;

use crate::multiline::MultilineEncoder;
use crate::types::capability::{Capability, ExpirePolicy};
use crate::types::listing::{ScanListing, Stat, UidListing};
use crate::types::response::{Continuation, Response, ResponseCode, StatusLine};

fn push_text(out: &mut Vec<u8>, text: &str) {
    out.extend(text.bytes().map(|b| match b {
        b'\r' | b'\n' | 0 => b' ',
        _ => b,
    }));
}

/// Whether `code` is a well-formed `resp-code` body (RFC 2449 §8).
fn code_ok(code: &ResponseCode<'_>) -> bool {
    code.as_str().split('/').all(|l| {
        !l.is_empty()
            && l.bytes()
                .all(|b| b.is_ascii_graphic() && b != b'/' && b != b']' && b != b'[')
    })
}

impl StatusLine<'_> {
    /// Appends the line, CRLF included, to `out`: `+OK`, then ` [CODE]` if any, then ` text`
    /// if not empty. See the module docs for the guards applied.
    pub fn write_to(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self.status.as_str().as_bytes());
        let code = self.code.as_ref().filter(|c| code_ok(c));
        if let Some(c) = code {
            out.extend_from_slice(b" [");
            out.extend_from_slice(c.as_str().as_bytes());
            out.push(b']');
        }
        if !self.text.is_empty() {
            out.push(b' ');
            push_text(out, &self.text);
        }
        out.extend_from_slice(b"\r\n");
    }
}

impl Continuation<'_> {
    /// Appends `+ base64` CRLF to `out` (RFC 5034 §4).
    pub fn write_to(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(b"+ ");
        push_text(out, self.as_base64());
        out.extend_from_slice(b"\r\n");
    }
}

impl Response<'_> {
    /// Appends the response line, CRLF included, to `out`.
    pub fn write_to(&self, out: &mut Vec<u8>) {
        match self {
            Response::Status(s) => s.write_to(out),
            Response::Continuation(c) => c.write_to(out),
        }
    }

    /// The response line as a new buffer; see [`Response::write_to`].
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.write_to(&mut out);
        out
    }
}

impl fmt::Display for Capability<'_> {
    /// The capability line without CRLF: tag, then parameters separated by SP.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.tag())?;
        let user =
            |f: &mut fmt::Formatter<'_>, u: bool| if u { f.write_str(" USER") } else { Ok(()) };
        match self {
            Capability::Sasl(params) | Capability::Other { params, .. } => {
                for p in params {
                    write!(f, " {p}")?;
                }
                Ok(())
            }
            Capability::LoginDelay { seconds, per_user } => {
                write!(f, " {seconds}")?;
                user(f, *per_user)
            }
            Capability::Expire { policy, per_user } => {
                match policy {
                    ExpirePolicy::Days(d) => write!(f, " {d}")?,
                    ExpirePolicy::Never => f.write_str(" NEVER")?,
                }
                user(f, *per_user)
            }
            Capability::Implementation(text) => write!(f, " {text}"),
            Capability::Utf8 { user: u } => user(f, *u),
            _ => Ok(()),
        }
    }
}

/// Writes a multi-line response: `status`, then each of `lines` (CR, LF and NUL as SP,
/// byte-stuffed), then the terminator.
pub fn write_multiline<I, L>(status: &StatusLine<'_>, lines: I, out: &mut Vec<u8>)
where
    I: IntoIterator<Item = L>,
    L: AsRef<str>,
{
    status.write_to(out);
    let mut enc = MultilineEncoder::new();
    let mut line = Vec::new();
    for l in lines {
        line.clear();
        push_text(&mut line, l.as_ref());
        line.extend_from_slice(b"\r\n");
        enc.encode(&line, out);
    }
    enc.finish(out);
}

/// Writes the answer to `STAT` (RFC 1939 §5): `+OK count size`.
pub fn write_stat(stat: Stat, out: &mut Vec<u8>) {
    StatusLine::ok(format!("{} {}", stat.count, stat.size)).write_to(out);
}

/// Writes the single-line answer to `LIST msg` (RFC 1939 §5): `+OK msg size`.
pub fn write_scan_listing(listing: ScanListing, out: &mut Vec<u8>) {
    StatusLine::ok(format!("{} {}", listing.msg, listing.size)).write_to(out);
}

/// Writes the multi-line answer to `LIST` (RFC 1939 §5): `+OK` with `intro` (e.g. `2 messages
/// (320 octets)`), one `msg size` line per listing, and the terminator. A server over a large
/// maildrop writes the lines as its output drains instead: [`write_scan_line`] and
/// [`write_listing_end`] (the session does).
pub fn write_scan_listings(
    intro: &str,
    listings: impl IntoIterator<Item = ScanListing>,
    out: &mut Vec<u8>,
) {
    StatusLine::ok(intro).write_to(out);
    for listing in listings {
        write_scan_line(listing, out);
    }
    write_listing_end(out);
}

/// Writes one line of a multi-line `LIST` answer: `msg size CRLF`. It starts with a digit, so it
/// never needs byte-stuffing.
pub fn write_scan_line(listing: ScanListing, out: &mut Vec<u8>) {
    use std::io::Write as _;
    let _ = write!(out, "{} {}\r\n", listing.msg, listing.size);
}

/// Writes one line of a multi-line `UIDL` answer: `msg unique-id CRLF` (a [`UidListing`] holds a
/// checked unique-id: printable octets only). It starts with a digit: no byte-stuffing needed.
pub fn write_uid_line(listing: &UidListing<'_>, out: &mut Vec<u8>) {
    use std::io::Write as _;
    let _ = write!(out, "{} {}\r\n", listing.msg, listing.uid);
}

/// Ends a multi-line listing whose lines were written whole: the terminator `.CRLF`.
pub fn write_listing_end(out: &mut Vec<u8>) {
    MultilineEncoder::new().finish(out);
}

/// Writes the single-line answer to `UIDL msg` (RFC 1939 §7): `+OK msg unique-id`.
pub fn write_uid_listing(listing: UidListing<'_>, out: &mut Vec<u8>) {
    StatusLine::ok(format!("{} {}", listing.msg, listing.uid)).write_to(out);
}

/// Writes the multi-line answer to `UIDL` (RFC 1939 §7): `+OK` with `intro`, one
/// `msg unique-id` line per listing, and the terminator (line by line: [`write_uid_line`]).
pub fn write_uid_listings<'a>(
    intro: &str,
    listings: impl IntoIterator<Item = UidListing<'a>>,
    out: &mut Vec<u8>,
) {
    StatusLine::ok(intro).write_to(out);
    for listing in listings {
        write_uid_line(&listing, out);
    }
    write_listing_end(out);
}

/// Writes the answer to `CAPA` (RFC 2449 §5): `+OK Capability list follows`, one line per
/// capability, and the terminator.
pub fn write_capa<'a, 'c: 'a>(
    caps: impl IntoIterator<Item = &'a Capability<'c>>,
    out: &mut Vec<u8>,
) {
    write_multiline(
        &StatusLine::ok("Capability list follows"),
        caps.into_iter().map(|c| c.to_string()),
        out,
    );
}

#[cfg(test)]
#[path = "response_tests.rs"]
mod tests;
