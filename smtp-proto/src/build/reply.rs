//! Serialisers of replies (server side): RFC 5321 §4.2 with RFC 2034 enhanced codes, and the
//! EHLO reply (RFC 5321 §4.1.1.1).
//!
//! ```text
//! Reply-line = *( Reply-code "-" [ textstring ] CRLF ) Reply-code [ SP textstring ] CRLF
//! textstring = [ status-code SP ] text      ; status-code on every line (RFC 2034 §4)
//! ```
//! Guards, so that no reply value can produce a malformed or smuggled line:
//! - a CR or LF inside a line's text is written as SP;
//! - an enhanced code that is invalid or whose class differs from the reply code's first digit
//!   is left out (a peer would not recognise it, RFC 2034 §4);
//! - a reply with no lines is written as one line with no text (`250\r\n`).

use std::fmt;

use crate::types::capability::{Capability, EhloReply};
use crate::types::reply::{EnhancedStatusCode, Reply, ReplyCode};

impl fmt::Display for EnhancedStatusCode {
    /// `class.subject.detail`, e.g. `5.1.1`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.class, self.subject, self.detail)
    }
}

impl fmt::Display for Capability<'_> {
    /// The `ehlo-line`: keyword, then parameters separated by SP (`SIZE 1000`, `AUTH PLAIN`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.keyword())?;
        match self {
            Self::Size(Some(n)) | Self::DeliverBy(Some(n)) => write!(f, " {n}"),
            Self::MtPriority(Some(p)) => write!(f, " {p}"),
            Self::FutureRelease {
                max_interval,
                max_datetime,
            } => write!(f, " {max_interval} {max_datetime}"),
            Self::Auth(params) | Self::Other { params, .. } => {
                for p in params {
                    write!(f, " {p}")?;
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }
}

impl Reply<'_> {
    /// Appends the reply's wire form to `out`: `250-first\r\n250 last\r\n`, with the
    /// enhanced code after the separator of every line when present (`250-2.0.0 first`).
    /// See the module docs for the guards applied.
    pub fn write_to(&self, out: &mut Vec<u8>) {
        let enhanced = self.enhanced.filter(|e| e.fits(self.code));
        let count = self.lines.len().max(1);
        for i in 0..count {
            let text = self.lines.get(i).map_or("", |l| l.as_ref());
            write_line(self.code, enhanced, text, i + 1 == count, out);
        }
    }

    /// The wire form as a new buffer; see [`Reply::write_to`].
    pub fn to_vec(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(
            self.lines
                .iter()
                .map(|l| l.len() + 16)
                .sum::<usize>()
                .max(16),
        );
        self.write_to(&mut out);
        out
    }
}

impl fmt::Display for Reply<'_> {
    /// The wire form with `\n` between lines and no final line ending, for logs and error
    /// messages: `550 5.1.1 No such user`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let wire = self.to_vec();
        let text = String::from_utf8_lossy(&wire);
        let text = text.strip_suffix("\r\n").unwrap_or(&text);
        for (i, line) in text.split("\r\n").enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            f.write_str(line)?;
        }
        Ok(())
    }
}

/// One line of a reply: `code`, the separator (`-` unless `last`), the enhanced code and the
/// text with CR and LF written as SP, then CRLF (see the module docs).
fn write_line(
    code: ReplyCode,
    enhanced: Option<EnhancedStatusCode>,
    text: &str,
    last: bool,
    out: &mut Vec<u8>,
) {
    write_code(code, out);
    if text.is_empty() && enhanced.is_none() {
        if !last {
            out.push(b'-');
        }
    } else {
        out.push(if last { b' ' } else { b'-' });
        if let Some(e) = enhanced {
            write_enhanced(e, out);
            if !text.is_empty() {
                out.push(b' ');
            }
        }
        let text = text.as_bytes();
        if memchr::memchr2(b'\r', b'\n', text).is_none() {
            out.extend_from_slice(text);
        } else {
            out.extend(
                text.iter()
                    .map(|&b| if b == b'\r' || b == b'\n' { b' ' } else { b }),
            );
        }
    }
    out.extend_from_slice(b"\r\n");
}

/// `class.subject.detail` (as its `Display` writes it), without going through `core::fmt`.
fn write_enhanced(e: EnhancedStatusCode, out: &mut Vec<u8>) {
    write_decimal(u16::from(e.class), out);
    out.push(b'.');
    write_decimal(e.subject, out);
    out.push(b'.');
    write_decimal(e.detail, out);
}

/// `n` in decimal, no padding.
fn write_decimal(n: u16, out: &mut Vec<u8>) {
    let mut digits = [0u8; 5];
    let mut i = digits.len();
    let mut n = n;
    loop {
        i -= 1;
        // `n % 10` is one digit: fits a u8.
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[i..]);
}

/// The three ASCII digits of `code`.
fn write_code(code: ReplyCode, out: &mut Vec<u8>) {
    let n = code.get();
    // `n` is 200..=599, so each quotient is one digit and fits a u8.
    out.extend_from_slice(&[
        b'0' + (n / 100 % 10) as u8,
        b'0' + (n / 10 % 10) as u8,
        b'0' + (n % 10) as u8,
    ]);
}

impl EhloReply<'_> {
    /// The `250` reply announcing these capabilities: `domain [SP greeting]`, then one
    /// capability per line in order (RFC 5321 §4.1.1.1). No enhanced code (RFC 2034 §3).
    pub fn to_reply(&self) -> Reply<'static> {
        let mut lines = Vec::with_capacity(self.capabilities.len() + 1);
        let first = match &self.greeting {
            Some(g) => format!("{} {}", self.domain, g),
            None => self.domain.to_string(),
        };
        lines.push(first.into());
        lines.extend(self.capabilities.iter().map(|c| c.to_string().into()));
        Reply {
            code: ReplyCode::OK,
            enhanced: None,
            lines,
        }
    }

    /// Appends the EHLO reply's wire form to `out`: the bytes of
    /// [`to_reply`](Self::to_reply)`.write_to(out)`, written line by line without building the
    /// reply.
    pub fn write_to(&self, out: &mut Vec<u8>) {
        use fmt::Write;
        let mut line = String::with_capacity(64);
        line.push_str(&self.domain);
        if let Some(g) = &self.greeting {
            line.push(' ');
            line.push_str(g);
        }
        let count = self.capabilities.len() + 1;
        write_line(ReplyCode::OK, None, &line, count == 1, out);
        for (i, capability) in self.capabilities.iter().enumerate() {
            line.clear();
            // Writing to a String cannot fail.
            let _ = write!(line, "{capability}");
            write_line(ReplyCode::OK, None, &line, i + 2 == count, out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::borrow::Cow;

    #[test]
    fn ehlo_reply_written_directly_is_its_reply_written() {
        let caps = vec![
            Capability::Pipelining,
            Capability::Size(Some(1000)),
            Capability::Auth(vec!["PLAIN".into(), "LOGIN".into()]),
            Capability::Help,
        ];
        let cases = [
            EhloReply {
                domain: "mx.example.org".into(),
                greeting: Some("greets client".into()),
                capabilities: caps.clone(),
            },
            EhloReply {
                domain: "mx.example.org".into(),
                greeting: None,
                capabilities: Vec::new(),
            },
            EhloReply {
                domain: "".into(),
                greeting: None,
                capabilities: caps.clone(),
            },
            EhloReply {
                domain: "mx\r\nexample".into(),
                greeting: Some("a\nb".into()),
                capabilities: caps,
            },
        ];
        for ehlo in cases {
            let mut out = Vec::new();
            ehlo.write_to(&mut out);
            assert_eq!(out, ehlo.to_reply().to_vec(), "{ehlo:?}");
        }
    }

    #[test]
    fn enhanced_codes_are_written_as_displayed() {
        for (class, subject, detail) in [(2, 0, 0), (5, 7, 10), (4, 999, 999), (255, 65535, 0)] {
            let e = EnhancedStatusCode::new(class, subject, detail);
            let mut out = Vec::new();
            write_enhanced(e, &mut out);
            assert_eq!(out, e.to_string().as_bytes());
        }
    }

    fn reply(code: u16, enhanced: Option<EnhancedStatusCode>, lines: &[&str]) -> Reply<'static> {
        Reply {
            code: ReplyCode::new(code).expect("valid test code"),
            enhanced,
            lines: lines.iter().map(|l| Cow::Owned((*l).to_owned())).collect(),
        }
    }

    #[test]
    fn reply_forms() {
        let e = EnhancedStatusCode::new;
        let cases: Vec<(Reply<'_>, &[u8])> = vec![
            (reply(250, None, &["OK"]), b"250 OK\r\n"),
            (reply(250, None, &[""]), b"250\r\n"),
            (reply(250, None, &[]), b"250\r\n"),
            (
                reply(250, None, &["first", "last"]),
                b"250-first\r\n250 last\r\n",
            ),
            (reply(250, None, &["", ""]), b"250-\r\n250\r\n"),
            (
                reply(250, Some(e(2, 1, 0)), &["Sender OK"]),
                b"250 2.1.0 Sender OK\r\n",
            ),
            (reply(250, Some(e(2, 0, 0)), &[""]), b"250 2.0.0\r\n"),
            (
                reply(550, Some(e(5, 1, 1)), &["a", "b"]),
                b"550-5.1.1 a\r\n550 5.1.1 b\r\n",
            ),
            // Guards: mismatched or invalid enhanced codes are dropped, CR/LF become SP.
            (reply(250, Some(e(5, 1, 1)), &["OK"]), b"250 OK\r\n"),
            (reply(354, Some(e(2, 0, 0)), &["go"]), b"354 go\r\n"),
            (reply(250, Some(e(2, 1000, 0)), &["OK"]), b"250 OK\r\n"),
            (reply(250, None, &["a\r\n251 b"]), b"250 a  251 b\r\n"),
            (reply(250, None, &["a\nb", "c\r"]), b"250-a b\r\n250 c \r\n"),
        ];
        for (r, expected) in cases {
            let mut out = Vec::new();
            r.write_to(&mut out);
            assert_eq!(
                String::from_utf8_lossy(&out),
                String::from_utf8_lossy(expected),
                "{r:?}"
            );
            assert_eq!(r.to_vec(), expected);
        }
    }

    #[test]
    fn reply_display() {
        let cases = [
            (reply(250, None, &["OK"]), "250 OK"),
            (reply(250, None, &[""]), "250"),
            (
                reply(550, Some(EnhancedStatusCode::BAD_MAILBOX), &["a", "b"]),
                "550-5.1.1 a\n550 5.1.1 b",
            ),
        ];
        for (r, text) in cases {
            assert_eq!(r.to_string(), text);
        }
    }

    #[test]
    fn write_appends() {
        let mut out = b"354 go\r\n".to_vec();
        Reply::new(ReplyCode::OK, None, "OK").write_to(&mut out);
        assert_eq!(out, b"354 go\r\n250 OK\r\n");
    }

    #[test]
    fn enhanced_display() {
        let cases = [
            (EnhancedStatusCode::new(5, 1, 1), "5.1.1"),
            (EnhancedStatusCode::new(2, 0, 0), "2.0.0"),
            (EnhancedStatusCode::new(4, 999, 10), "4.999.10"),
        ];
        for (code, text) in cases {
            assert_eq!(code.to_string(), text);
        }
    }

    #[test]
    fn capability_display() {
        use Capability as C;
        let cases: Vec<(C<'_>, &str)> = vec![
            (C::Size(None), "SIZE"),
            (C::Size(Some(1000)), "SIZE 1000"),
            (C::Auth(vec![]), "AUTH"),
            (
                C::Auth(vec!["PLAIN".into(), "LOGIN".into()]),
                "AUTH PLAIN LOGIN",
            ),
            (C::Pipelining, "PIPELINING"),
            (C::Chunking, "CHUNKING"),
            (C::EightBitMime, "8BITMIME"),
            (C::BinaryMime, "BINARYMIME"),
            (C::SmtpUtf8, "SMTPUTF8"),
            (C::Dsn, "DSN"),
            (C::StartTls, "STARTTLS"),
            (C::EnhancedStatusCodes, "ENHANCEDSTATUSCODES"),
            (C::RequireTls, "REQUIRETLS"),
            (C::MtPriority(None), "MT-PRIORITY"),
            (C::MtPriority(Some("MIXER".into())), "MT-PRIORITY MIXER"),
            (C::Etrn, "ETRN"),
            (C::Expn, "EXPN"),
            (C::Help, "HELP"),
            (C::DeliverBy(None), "DELIVERBY"),
            (C::DeliverBy(Some(240)), "DELIVERBY 240"),
            (
                C::FutureRelease {
                    max_interval: 604_800,
                    max_datetime: "2026-11-29T00:00:00Z".into(),
                },
                "FUTURERELEASE 604800 2026-11-29T00:00:00Z",
            ),
            (
                C::Other {
                    keyword: "XCLIENT".into(),
                    params: vec!["NAME".into(), "ADDR".into()],
                },
                "XCLIENT NAME ADDR",
            ),
        ];
        for (cap, text) in cases {
            assert_eq!(cap.to_string(), text);
        }
    }

    #[test]
    fn ehlo_reply_wire_form() {
        let e = EhloReply {
            domain: "mx.example.com".into(),
            greeting: Some("Hello client".into()),
            capabilities: vec![
                Capability::Pipelining,
                Capability::Size(Some(10_240_000)),
                Capability::Auth(vec!["PLAIN".into()]),
            ],
        };
        let mut out = Vec::new();
        e.write_to(&mut out);
        assert_eq!(
            out,
            b"250-mx.example.com Hello client\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n\
250 AUTH PLAIN\r\n"
        );
        let bare = EhloReply {
            domain: "localhost".into(),
            greeting: None,
            capabilities: vec![],
        };
        assert_eq!(bare.to_reply().to_vec(), b"250 localhost\r\n");
    }
}
