//! The replies the session sends on every transaction, as their wire bytes: writing them is one
//! copy, with no `Reply` to build (no allocation, no formatting). Each is exactly what
//! `Reply::write_to` writes for the reply it replaces (the tests below check it).

use super::deps::EhloReply;

/// `250 2.1.0` (RFC 5321 §4.1.1.2, RFC 3463 §3.2): MAIL accepted.
pub(crate) const SENDER_OK: &[u8] = b"250 2.1.0 OK\r\n";
/// `250 2.1.5` (RFC 5321 §4.1.1.3, RFC 3463 §3.2): RCPT accepted.
pub(crate) const RECIPIENT_OK: &[u8] = b"250 2.1.5 OK\r\n";
/// `250 2.0.0`: NOOP, EXPN accepted, the end of data accepted.
pub(crate) const OK: &[u8] = b"250 2.0.0 OK\r\n";
/// `250 2.0.0` to RSET (RFC 5321 §4.1.1.5).
pub(crate) const RESET: &[u8] = b"250 2.0.0 reset\r\n";
/// `214 2.0.0` to HELP (RFC 5321 §4.1.1.8).
pub(crate) const HELP: &[u8] = b"214 2.0.0 see RFC 5321\r\n";
/// `354` to an accepted DATA (RFC 5321 §4.1.1.4; no enhanced code on an intermediate reply).
pub(crate) const START_MAIL_INPUT: &[u8] = b"354 start mail input; end with <CRLF>.<CRLF>\r\n";
/// `252 2.5.0` to an accepted VRFY (RFC 5321 §3.5.3).
pub(crate) const CANNOT_VRFY: &[u8] =
    b"252 2.5.0 cannot VRFY user, but will accept message and attempt delivery\r\n";
/// `250 2.0.0` to an accepted ETRN (RFC 1985 §5).
pub(crate) const QUEUING_STARTED: &[u8] = b"250 2.0.0 queuing started\r\n";
/// `220 2.0.0` to STARTTLS (RFC 3207 §4).
pub(crate) const READY_FOR_TLS: &[u8] = b"220 2.0.0 ready to start TLS\r\n";

/// A default reply to send: fixed bytes, or the EHLO reply.
#[derive(Debug)]
pub(crate) enum Answer {
    /// One of the fixed replies above.
    Wire(&'static [u8]),
    /// The EHLO/LHLO reply, written without building it as a `Reply`.
    Ehlo(EhloReply<'static>),
}

impl Answer {
    /// Appends the reply's wire form to `out`.
    pub(crate) fn write_to(&self, out: &mut Vec<u8>) {
        match self {
            Self::Wire(bytes) => out.extend_from_slice(bytes),
            Self::Ehlo(ehlo) => ehlo.write_to(out),
        }
    }
}

/// Appends `code SP enhanced SP text CRLF` (one line) when `text` is one line: the bytes
/// `Reply::write_to` writes for `reply(code, enhanced, text)`, without building it. Returns
/// false, writing nothing, when `text` holds a CR or LF (the caller builds the reply then).
pub(crate) fn write_line(out: &mut Vec<u8>, code_and_enhanced: &[u8], text: &[&str]) -> bool {
    if text.iter().any(|t| t.contains(['\r', '\n'])) {
        return false;
    }
    out.extend_from_slice(code_and_enhanced);
    for t in text {
        out.extend_from_slice(t.as_bytes());
    }
    out.extend_from_slice(b"\r\n");
    true
}

#[cfg(test)]
mod tests {
    use super::super::deps::{Reply, ReplyCode};
    use super::super::error::reply;
    use super::*;

    #[test]
    fn fixed_replies_are_what_the_reply_builder_writes() {
        let built = |r: Reply<'_>| r.to_vec();
        assert_eq!(SENDER_OK, built(reply(250, (2, 1, 0), "OK")));
        assert_eq!(RECIPIENT_OK, built(reply(250, (2, 1, 5), "OK")));
        assert_eq!(OK, built(reply(250, (2, 0, 0), "OK")));
        assert_eq!(RESET, built(reply(250, (2, 0, 0), "reset")));
        assert_eq!(HELP, built(reply(214, (2, 0, 0), "see RFC 5321")));
        let start = Reply::new(
            ReplyCode::START_MAIL_INPUT,
            None,
            "start mail input; end with <CRLF>.<CRLF>",
        );
        assert_eq!(START_MAIL_INPUT, built(start));
        assert_eq!(
            CANNOT_VRFY,
            built(reply(
                252,
                (2, 5, 0),
                "cannot VRFY user, but will accept message and attempt delivery"
            ))
        );
        assert_eq!(
            QUEUING_STARTED,
            built(reply(250, (2, 0, 0), "queuing started"))
        );
        assert_eq!(
            READY_FOR_TLS,
            built(reply(220, (2, 0, 0), "ready to start TLS"))
        );
    }

    #[test]
    fn one_line_replies_match_the_builder_and_refuse_line_breaks() {
        let mut out = Vec::new();
        assert!(write_line(
            &mut out,
            b"221 2.0.0 ",
            &["mx.example.org", " closing connection"]
        ));
        let expected = reply(221, (2, 0, 0), "mx.example.org closing connection").to_vec();
        assert_eq!(out, expected);
        for bad in ["mx\r\nexample", "mx\nexample", "mx\r"] {
            let mut out = Vec::new();
            assert!(!write_line(&mut out, b"221 2.0.0 ", &[bad, " closing"]));
            assert!(out.is_empty());
        }
    }
}
