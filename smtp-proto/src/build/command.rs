//! Command serialiser (client side): [`Command::write_to`] and `Display` for addresses.
//!
//! Output follows RFC 5321 §4.1: verbs in upper case, `MAIL FROM:<path>` with no space after the
//! colon, parameters separated by one space, the line ended by CRLF. Local parts are quoted when
//! they are not a `Dot-string`; `ENVID`, `ORCPT` and `AUTH=` values are xtext-encoded
//! (RFC 3461 §4). Free-text arguments built by the application (`VRFY`, `NOOP`, unknown
//! parameters, ...) are written as given, except that CR, LF and NUL (and, in parameters, white
//! space and other controls) are replaced by `?`, so that no value can end the line early or
//! smuggle a second command.

use std::fmt::{self, Display, Formatter, Write as _};

use crate::types::address::{AddressLiteral, ForwardPath, Host, LocalPart, Mailbox, ReversePath};
use crate::types::command::{Command, MailParams, Notify, RcptParams};

impl Display for AddressLiteral {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            AddressLiteral::Ipv4(a) => write!(f, "[{a}]"),
            AddressLiteral::Ipv6(a) => write!(f, "[IPv6:{a}]"),
            AddressLiteral::General { tag, content } => write!(f, "[{tag}:{content}]"),
        }
    }
}

impl Display for Host<'_> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Host::Domain(d) => f.write_str(d.as_str()),
            Host::Literal(l) => l.fmt(f),
        }
    }
}

impl Display for crate::types::address::Domain<'_> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Display for LocalPart<'_> {
    /// The local part as a `Dot-string`, or as a `Quoted-string` when it needs quoting.
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        if !self.needs_quoting() {
            return f.write_str(self.as_str());
        }
        f.write_char('"')?;
        for c in self.as_str().chars() {
            if c == '"' || c == '\\' {
                f.write_char('\\')?;
            }
            f.write_char(c)?;
        }
        f.write_char('"')
    }
}

impl Display for Mailbox<'_> {
    /// `local-part@host`, without angle brackets.
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{}@{}", self.local_part, self.host)
    }
}

impl Display for ReversePath<'_> {
    /// `<mailbox>` or `<>`.
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            ReversePath::Null => f.write_str("<>"),
            ReversePath::Mailbox(m) => write!(f, "<{m}>"),
        }
    }
}

impl Display for ForwardPath<'_> {
    /// `<mailbox>` or `<Postmaster>`.
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            ForwardPath::Postmaster => f.write_str("<Postmaster>"),
            ForwardPath::Mailbox(m) => write!(f, "<{m}>"),
        }
    }
}

/// Appends `value` xtext-encoded (RFC 3461 §4): bytes other than `!` to `~`, and `+` and `=`,
/// become `+XX` with upper-case hex digits.
pub fn xtext_encode(value: &[u8], out: &mut Vec<u8>) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for &b in value {
        if (33..=126).contains(&b) && b != b'+' && b != b'=' {
            out.push(b);
        } else {
            out.extend_from_slice(&[b'+', HEX[usize::from(b >> 4)], HEX[usize::from(b & 15)]]);
        }
    }
}

/// Appends free text, CR, LF and NUL (the bytes no command line may hold) replaced by `?`.
fn push_text(out: &mut Vec<u8>, text: &[u8]) {
    if memchr::memchr3(b'\r', b'\n', 0, text).is_none() {
        out.extend_from_slice(text);
    } else {
        out.extend(text.iter().map(|&b| match b {
            b'\r' | b'\n' | 0 => b'?',
            _ => b,
        }));
    }
}

/// Appends a parameter value: like [`push_text`], and spaces too become `?`.
fn push_value(out: &mut Vec<u8>, text: &[u8]) {
    out.extend(
        text.iter()
            .map(|&b| if b <= 32 || b == 127 { b'?' } else { b }),
    );
}

fn push_display(out: &mut Vec<u8>, v: &impl Display) {
    // Writing to a String never fails.
    let mut s = String::new();
    let _ = write!(s, "{v}");
    out.extend_from_slice(s.as_bytes());
}

fn push_other(out: &mut Vec<u8>, other: &[crate::types::command::Param<'_>]) {
    for p in other {
        out.push(b' ');
        push_value(out, p.keyword.as_bytes());
        if let Some(v) = &p.value {
            out.push(b'=');
            push_value(out, v.as_bytes());
        }
    }
}

fn push_mail_params(out: &mut Vec<u8>, p: &MailParams<'_>) {
    if let Some(size) = p.size {
        out.extend_from_slice(b" SIZE=");
        out.extend_from_slice(size.to_string().as_bytes());
    }
    if let Some(body) = p.body {
        out.extend_from_slice(b" BODY=");
        out.extend_from_slice(body.as_str().as_bytes());
    }
    if p.smtputf8 {
        out.extend_from_slice(b" SMTPUTF8");
    }
    if let Some(ret) = p.ret {
        out.extend_from_slice(b" RET=");
        out.extend_from_slice(ret.as_str().as_bytes());
    }
    if let Some(envid) = &p.envid {
        out.extend_from_slice(b" ENVID=");
        xtext_encode(envid.as_bytes(), out);
    }
    if let Some(auth) = &p.auth {
        out.extend_from_slice(b" AUTH=");
        match auth {
            None => out.extend_from_slice(b"<>"),
            Some(m) => xtext_encode(m.to_string().as_bytes(), out),
        }
    }
    if p.requiretls {
        out.extend_from_slice(b" REQUIRETLS");
    }
    if let Some(prio) = p.mt_priority {
        out.extend_from_slice(b" MT-PRIORITY=");
        out.extend_from_slice(prio.to_string().as_bytes());
    }
    push_other(out, &p.other);
}

fn push_rcpt_params(out: &mut Vec<u8>, p: &RcptParams<'_>) {
    match p.notify {
        None => {}
        Some(Notify::Never) => out.extend_from_slice(b" NOTIFY=NEVER"),
        Some(Notify::On {
            success,
            failure,
            delay,
        }) => {
            out.extend_from_slice(b" NOTIFY=");
            let mut first = true;
            for (on, word) in [
                (success, &b"SUCCESS"[..]),
                (failure, b"FAILURE"),
                (delay, b"DELAY"),
            ] {
                if on {
                    if !first {
                        out.push(b',');
                    }
                    out.extend_from_slice(word);
                    first = false;
                }
            }
            if first {
                // An empty set cannot be written; NEVER is the closest meaning.
                out.extend_from_slice(b"NEVER");
            }
        }
    }
    if let Some(orcpt) = &p.orcpt {
        out.extend_from_slice(b" ORCPT=");
        push_value(out, orcpt.addr_type.as_bytes());
        out.push(b';');
        xtext_encode(orcpt.addr.as_bytes(), out);
    }
    push_other(out, &p.other);
}

impl Command<'_> {
    /// Appends the command line, CRLF included, to `out`.
    pub fn write_to(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self.verb().as_bytes());
        match self {
            Command::Ehlo { host } | Command::Helo { host } | Command::Lhlo { host } => {
                out.push(b' ');
                push_display(out, host);
            }
            Command::Mail(m) => {
                out.extend_from_slice(b" FROM:");
                push_display(out, &m.path);
                push_mail_params(out, &m.params);
            }
            Command::Rcpt(r) => {
                out.extend_from_slice(b" TO:");
                push_display(out, &r.path);
                push_rcpt_params(out, &r.params);
            }
            Command::Bdat { size, last } => {
                out.push(b' ');
                out.extend_from_slice(size.to_string().as_bytes());
                if *last {
                    out.extend_from_slice(b" LAST");
                }
            }
            Command::Vrfy(s) | Command::Expn(s) | Command::Etrn(s) => {
                out.push(b' ');
                push_text(out, s.as_bytes());
            }
            Command::Help(s) | Command::Noop(s) => {
                if let Some(s) = s {
                    out.push(b' ');
                    push_text(out, s.as_bytes());
                }
            }
            Command::Auth {
                mechanism,
                initial_response,
            } => {
                out.push(b' ');
                push_value(out, mechanism.to_ascii_uppercase().as_bytes());
                if let Some(r) = initial_response {
                    out.push(b' ');
                    push_value(out, r.expose());
                }
            }
            Command::Data | Command::Rset | Command::Quit | Command::StartTls => {}
        }
        out.extend_from_slice(b"\r\n");
    }

    /// The command line, CRLF included, as a new buffer.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(64);
        self.write_to(&mut out);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::address::{parse_forward_path, parse_mailbox, parse_reverse_path};

    #[test]
    fn display_table() {
        let cases: &[(&[u8], &str)] = &[
            (b"<user@[IPv6:::1]>", "<user@[IPv6:::1]>"),
            (
                b"<user@[IPv6:2001:DB8:0:0:0:0:0:1]>",
                "<user@[IPv6:2001:db8::1]>",
            ),
            (b"<user@[192.0.2.001]>", "<user@[192.0.2.1]>"),
            (b"<\"john doe\"@example.com>", "<\"john doe\"@example.com>"),
            (b"<\"john\"@example.com>", "<john@example.com>"),
            (b"<\"a\\\"b\\\\c\"@x.org>", "<\"a\\\"b\\\\c\"@x.org>"),
            (b"<@a.org,@b.org:u@c.org>", "<u@c.org>"),
            (b"<>", "<>"),
            (b"<u@[x-tag:abc]>", "<u@[x-tag:abc]>"),
        ];
        for (input, want) in cases {
            let p = parse_reverse_path(input).unwrap();
            assert_eq!(p.to_string(), *want, "{}", String::from_utf8_lossy(input));
        }
        assert_eq!(
            parse_forward_path(b"<POSTMASTER>").unwrap().to_string(),
            "<Postmaster>"
        );
        assert_eq!(parse_mailbox(b"a@b.c").unwrap().to_string(), "a@b.c");
    }

    #[test]
    fn xtext_encoding() {
        let mut out = Vec::new();
        xtext_encode(b"a+b=c d\xc3\xa9", &mut out);
        assert_eq!(out, b"a+2Bb+3Dc+20d+C3+A9");
    }

    #[test]
    fn free_text_cannot_inject_lines() {
        let c = Command::Noop(Some("x\r\nRSET".into()));
        assert_eq!(c.to_bytes(), b"NOOP x??RSET\r\n");
    }
}
