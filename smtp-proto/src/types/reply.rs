//! SMTP replies (RFC 5321 §4.2) and enhanced mail system status codes (RFC 3463, RFC 2034).
//!
//! A [`Reply`] is a three-digit [`ReplyCode`], an optional [`EnhancedStatusCode`] carried on
//! every line, and one or more text lines. The text lines never hold the code or the enhanced
//! code: those are added by [`Reply::write_to`](crate::types::reply::Reply::write_to) and
//! removed by [`parse_reply`](crate::parse::reply::parse_reply).

use std::borrow::Cow;

/// A validated SMTP reply code: three digits, `200..=599` (RFC 5321 §4.2).
///
/// RFC 5321 uses no `1yz` codes; `2yz` is positive completion, `3yz` positive intermediate,
/// `4yz` transient negative and `5yz` permanent negative (§4.2.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ReplyCode(u16);

impl ReplyCode {
    /// `211` System status, or system help reply.
    pub const SYSTEM_STATUS: Self = Self(211);
    /// `214` Help message.
    pub const HELP: Self = Self(214);
    /// `220` Service ready (the greeting).
    pub const SERVICE_READY: Self = Self(220);
    /// `221` Service closing transmission channel.
    pub const CLOSING: Self = Self(221);
    /// `235` Authentication successful (RFC 4954).
    pub const AUTH_SUCCESSFUL: Self = Self(235);
    /// `250` Requested mail action okay, completed.
    pub const OK: Self = Self(250);
    /// `251` User not local; will forward.
    pub const USER_NOT_LOCAL: Self = Self(251);
    /// `252` Cannot VRFY user, but will accept message and attempt delivery.
    pub const CANNOT_VERIFY: Self = Self(252);
    /// `334` Server challenge during AUTH (RFC 4954).
    pub const AUTH_CHALLENGE: Self = Self(334);
    /// `354` Start mail input; end with `<CRLF>.<CRLF>`.
    pub const START_MAIL_INPUT: Self = Self(354);
    /// `421` Service not available, closing transmission channel.
    pub const SERVICE_NOT_AVAILABLE: Self = Self(421);
    /// `450` Mailbox unavailable (busy, temporarily blocked).
    pub const MAILBOX_BUSY: Self = Self(450);
    /// `451` Local error in processing.
    pub const LOCAL_ERROR: Self = Self(451);
    /// `452` Insufficient system storage.
    pub const INSUFFICIENT_STORAGE: Self = Self(452);
    /// `454` Temporary authentication failure / TLS not available (RFC 4954, RFC 3207).
    pub const TEMPORARY_AUTH_FAILURE: Self = Self(454);
    /// `500` Syntax error, command unrecognized.
    pub const SYNTAX_ERROR: Self = Self(500);
    /// `501` Syntax error in parameters or arguments.
    pub const PARAMETER_SYNTAX_ERROR: Self = Self(501);
    /// `502` Command not implemented.
    pub const NOT_IMPLEMENTED: Self = Self(502);
    /// `503` Bad sequence of commands.
    pub const BAD_SEQUENCE: Self = Self(503);
    /// `504` Command parameter not implemented.
    pub const PARAMETER_NOT_IMPLEMENTED: Self = Self(504);
    /// `530` Authentication required (RFC 4954).
    pub const AUTH_REQUIRED: Self = Self(530);
    /// `535` Authentication credentials invalid (RFC 4954).
    pub const AUTH_INVALID: Self = Self(535);
    /// `550` Mailbox unavailable (not found, no access, policy).
    pub const MAILBOX_UNAVAILABLE: Self = Self(550);
    /// `552` Exceeded storage allocation.
    pub const EXCEEDED_STORAGE: Self = Self(552);
    /// `553` Mailbox name not allowed.
    pub const MAILBOX_NAME_NOT_ALLOWED: Self = Self(553);
    /// `554` Transaction failed.
    pub const TRANSACTION_FAILED: Self = Self(554);

    /// The code, if `code` lies in `200..=599`; `None` otherwise.
    pub const fn new(code: u16) -> Option<Self> {
        if code >= 200 && code <= 599 {
            Some(Self(code))
        } else {
            None
        }
    }

    /// The numeric value, `200..=599`.
    pub const fn get(self) -> u16 {
        self.0
    }

    /// The first digit, `2..=5`: the class of the reply (RFC 5321 §4.2.1).
    pub const fn class(self) -> u8 {
        // `self.0 <= 599`, so the quotient fits in a u8.
        (self.0 / 100) as u8
    }

    /// `2yz`: the requested action completed.
    pub const fn is_positive_completion(self) -> bool {
        self.class() == 2
    }

    /// `3yz`: accepted, the server waits for more input (`354`, `334`).
    pub const fn is_positive_intermediate(self) -> bool {
        self.class() == 3
    }

    /// `4yz`: the action failed, trying again later may succeed.
    pub const fn is_transient_negative(self) -> bool {
        self.class() == 4
    }

    /// `5yz`: the action failed, do not repeat it unchanged.
    pub const fn is_permanent_negative(self) -> bool {
        self.class() == 5
    }
}

impl std::fmt::Display for ReplyCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl TryFrom<u16> for ReplyCode {
    type Error = u16;

    /// Fails with the rejected value when it is outside `200..=599`.
    fn try_from(code: u16) -> Result<Self, u16> {
        Self::new(code).ok_or(code)
    }
}

/// An enhanced mail system status code `class.subject.detail` (RFC 3463 §2).
///
/// ```text
/// status-code = class "." subject "." detail
/// class       = "2" / "4" / "5"
/// subject     = 1*3digit
/// detail      = 1*3digit
/// ```
/// The fields are public, so a value may be out of range; [`is_valid`](Self::is_valid) says
/// whether it is, and the builder omits an invalid one rather than emit a malformed line.
/// Displayed as `5.1.1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EnhancedStatusCode {
    /// `2` success, `4` persistent transient failure, `5` permanent failure.
    pub class: u8,
    /// The subject sub-code, `0..=999` (RFC 3463 §3: 0 other, 1 addressing, 2 mailbox, ...).
    pub subject: u16,
    /// The detail sub-code, `0..=999`.
    pub detail: u16,
}

impl EnhancedStatusCode {
    /// `2.0.0` Other undefined status (success).
    pub const OK: Self = Self::new(2, 0, 0);
    /// `2.1.0` Other address status (sender accepted).
    pub const SENDER_OK: Self = Self::new(2, 1, 0);
    /// `2.1.5` Destination address valid (recipient accepted).
    pub const RECIPIENT_OK: Self = Self::new(2, 1, 5);
    /// `2.6.0` Other or undefined media error (message accepted).
    pub const MESSAGE_OK: Self = Self::new(2, 6, 0);
    /// `2.7.0` Other or undefined security status (authentication succeeded, RFC 4954).
    pub const AUTH_OK: Self = Self::new(2, 7, 0);
    /// `4.2.2` Mailbox full (transient).
    pub const MAILBOX_FULL: Self = Self::new(4, 2, 2);
    /// `4.3.0` Other or undefined mail system status (transient).
    pub const TEMPORARY_SYSTEM: Self = Self::new(4, 3, 0);
    /// `5.1.1` Bad destination mailbox address.
    pub const BAD_MAILBOX: Self = Self::new(5, 1, 1);
    /// `5.3.4` Message too big for system.
    pub const MESSAGE_TOO_BIG: Self = Self::new(5, 3, 4);
    /// `5.5.1` Invalid command.
    pub const INVALID_COMMAND: Self = Self::new(5, 5, 1);
    /// `5.5.2` Syntax error.
    pub const SYNTAX_ERROR: Self = Self::new(5, 5, 2);
    /// `5.5.4` Invalid command arguments.
    pub const INVALID_ARGUMENTS: Self = Self::new(5, 5, 4);
    /// `5.7.0` Other or undefined security status.
    pub const SECURITY: Self = Self::new(5, 7, 0);
    /// `5.7.8` Authentication credentials invalid (RFC 4954).
    pub const AUTH_INVALID: Self = Self::new(5, 7, 8);

    /// A code from its three parts; not checked (see [`is_valid`](Self::is_valid)).
    pub const fn new(class: u8, subject: u16, detail: u16) -> Self {
        Self {
            class,
            subject,
            detail,
        }
    }

    /// Whether the class is 2, 4 or 5 and both sub-codes are at most 999 (RFC 3463 §2).
    pub const fn is_valid(&self) -> bool {
        matches!(self.class, 2 | 4 | 5) && self.subject <= 999 && self.detail <= 999
    }

    /// Whether this code may accompany `code`: valid, and its class equals the reply code's
    /// first digit (RFC 2034 §4; RFC 3463 §2 "class ... must match the reply code").
    pub const fn fits(&self, code: ReplyCode) -> bool {
        self.is_valid() && self.class == code.class()
    }
}

/// An SMTP reply: a code, an optional enhanced status code and one or more text lines.
///
/// `lines` hold the text only: no reply code, no `-`/SP separator, no enhanced code, no CRLF.
/// A line must not contain CR or LF; [`Reply::new`] splits text at LF and replaces stray CRs,
/// and the builder replaces any CR or LF left in a line by a space, so a reply can never
/// inject an extra line. An empty `lines` is written like a single empty line.
///
/// The enhanced code, when present, is written at the start of every line (RFC 2034 §4) and
/// must [fit](EnhancedStatusCode::fits) the reply code; the builder omits one that does not.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Reply<'a> {
    /// The three-digit reply code.
    pub code: ReplyCode,
    /// The RFC 3463 code that prefixes every line's text, if any.
    pub enhanced: Option<EnhancedStatusCode>,
    /// The text lines, without code, separator, enhanced code or line ending.
    pub lines: Vec<Cow<'a, str>>,
}

impl<'a> Reply<'a> {
    /// A reply whose `text` becomes one line per `\n`-separated part.
    ///
    /// The code is a [`ReplyCode`], valid by construction (use the constants such as
    /// [`ReplyCode::OK`], or [`ReplyCode::new`] for a computed value), so this cannot fail.
    /// One trailing `\n` (or `\r\n`) is ignored; a CR elsewhere is replaced by a space.
    /// Borrowed text stays borrowed unless it contains a stray CR.
    pub fn new(
        code: ReplyCode,
        enhanced: Option<EnhancedStatusCode>,
        text: impl Into<Cow<'a, str>>,
    ) -> Self {
        Self {
            code,
            enhanced,
            lines: split_text(text.into()),
        }
    }

    /// Like [`Reply::new`] with a numeric code; `None` when `code` is outside `200..=599`.
    pub fn from_code(
        code: u16,
        enhanced: Option<EnhancedStatusCode>,
        text: impl Into<Cow<'a, str>>,
    ) -> Option<Self> {
        ReplyCode::new(code).map(|code| Self::new(code, enhanced, text))
    }

    /// A reply made of the given lines, each cleaned as in [`Reply::new`].
    pub fn with_lines<I, T>(code: ReplyCode, enhanced: Option<EnhancedStatusCode>, lines: I) -> Self
    where
        I: IntoIterator<Item = T>,
        T: Into<Cow<'a, str>>,
    {
        Self {
            code,
            enhanced,
            lines: lines
                .into_iter()
                .flat_map(|l| split_text(l.into()))
                .collect(),
        }
    }

    /// `2yz`: the command succeeded.
    pub const fn is_success(&self) -> bool {
        self.code.is_positive_completion()
    }

    /// `3yz`: the server waits for more (DATA's `354`, AUTH's `334`).
    pub const fn is_intermediate(&self) -> bool {
        self.code.is_positive_intermediate()
    }

    /// `4yz`: a transient failure, worth retrying later.
    pub const fn is_temporary(&self) -> bool {
        self.code.is_transient_negative()
    }

    /// `5yz`: a permanent failure.
    pub const fn is_permanent(&self) -> bool {
        self.code.is_permanent_negative()
    }

    /// The text lines joined with `\n`.
    pub fn text(&self) -> String {
        self.lines.join("\n")
    }

    /// The same reply owning all its text.
    pub fn into_owned(self) -> Reply<'static> {
        Reply {
            code: self.code,
            enhanced: self.enhanced,
            lines: self
                .lines
                .into_iter()
                .map(|l| Cow::Owned(l.into_owned()))
                .collect(),
        }
    }
}

/// Splits text into lines at LF, dropping one final line ending and replacing stray CRs.
fn split_text(text: Cow<'_, str>) -> Vec<Cow<'_, str>> {
    fn clean<'s>(line: &'s str) -> Cow<'s, str> {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.contains('\r') {
            Cow::Owned(line.replace('\r', " "))
        } else {
            Cow::Borrowed(line)
        }
    }
    match text {
        Cow::Borrowed(s) => {
            let s = s.strip_suffix('\n').unwrap_or(s);
            s.split('\n').map(clean).collect()
        }
        Cow::Owned(s) => {
            if !s.contains(['\r', '\n']) {
                return vec![Cow::Owned(s)];
            }
            let body = s.strip_suffix('\n').unwrap_or(&s);
            body.split('\n')
                .map(|l| Cow::Owned(clean(l).into_owned()))
                .collect()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reply_code_range() {
        let cases: &[(u16, Option<u16>)] = &[
            (0, None),
            (199, None),
            (200, Some(200)),
            (250, Some(250)),
            (599, Some(599)),
            (600, None),
            (999, None),
        ];
        for &(input, expected) in cases {
            assert_eq!(
                ReplyCode::new(input).map(ReplyCode::get),
                expected,
                "{input}"
            );
            assert_eq!(
                ReplyCode::try_from(input).ok().map(ReplyCode::get),
                expected
            );
        }
        assert_eq!(ReplyCode::try_from(100), Err(100));
    }

    #[test]
    fn reply_code_classes() {
        // (code, positive completion, positive intermediate, transient, permanent)
        let cases = [
            (250, true, false, false, false),
            (354, false, true, false, false),
            (334, false, true, false, false),
            (421, false, false, true, false),
            (550, false, false, false, true),
        ];
        for (c, pc, pi, tn, pn) in cases {
            let code = ReplyCode::new(c).expect("valid test code");
            assert_eq!(code.is_positive_completion(), pc, "{c}");
            assert_eq!(code.is_positive_intermediate(), pi, "{c}");
            assert_eq!(code.is_transient_negative(), tn, "{c}");
            assert_eq!(code.is_permanent_negative(), pn, "{c}");
            let r = Reply::new(code, None, "x");
            assert_eq!(
                (
                    r.is_success(),
                    r.is_intermediate(),
                    r.is_temporary(),
                    r.is_permanent()
                ),
                (pc, pi, tn, pn)
            );
        }
        assert_eq!(ReplyCode::OK.to_string(), "250");
    }

    #[test]
    fn enhanced_validity() {
        assert!(EnhancedStatusCode::new(5, 1, 1).is_valid());
        assert!(EnhancedStatusCode::new(2, 999, 999).is_valid());
        assert!(!EnhancedStatusCode::new(3, 0, 0).is_valid());
        assert!(!EnhancedStatusCode::new(2, 1000, 0).is_valid());
        assert!(!EnhancedStatusCode::new(2, 0, 1000).is_valid());
        assert!(EnhancedStatusCode::OK.fits(ReplyCode::OK));
        assert!(!EnhancedStatusCode::BAD_MAILBOX.fits(ReplyCode::OK));
        assert!(EnhancedStatusCode::BAD_MAILBOX.fits(ReplyCode::MAILBOX_UNAVAILABLE));
    }

    #[test]
    fn new_splits_text_into_lines() {
        let cases: &[(&str, &[&str])] = &[
            ("", &[""]),
            ("OK", &["OK"]),
            ("OK\n", &["OK"]),
            ("a\nb", &["a", "b"]),
            ("a\r\nb\r\n", &["a", "b"]),
            ("a\n\nb", &["a", "", "b"]),
            ("a\rb", &["a b"]),
            ("\n", &[""]),
        ];
        for &(text, lines) in cases {
            let borrowed = Reply::new(ReplyCode::OK, None, text);
            assert_eq!(borrowed.lines, lines, "{text:?}");
            let owned = Reply::new(ReplyCode::OK, None, text.to_owned());
            assert_eq!(owned.lines, lines, "{text:?} owned");
        }
    }

    #[test]
    fn new_keeps_borrowed_text_borrowed() {
        let r = Reply::new(ReplyCode::OK, None, "one\ntwo");
        assert!(r.lines.iter().all(|l| matches!(l, Cow::Borrowed(_))));
        assert_eq!(r.text(), "one\ntwo");
    }

    #[test]
    fn from_code_and_with_lines() {
        assert!(Reply::from_code(700, None, "x").is_none());
        let r = Reply::from_code(550, Some(EnhancedStatusCode::BAD_MAILBOX), "no such user")
            .expect("valid code");
        assert!(r.is_permanent());
        let r = Reply::with_lines(ReplyCode::OK, None, ["a", "b\nc"]);
        assert_eq!(r.lines, ["a", "b", "c"]);
        let owned: Reply<'static> = r.clone().into_owned();
        assert_eq!(owned, r);
    }
}
