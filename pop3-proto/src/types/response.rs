//! Server responses (RFC 1939 §3), extended response codes (RFC 2449 §8, RFC 3206, RFC 6856)
//! and the SASL continuation (RFC 5034 §4).
//!
//! Parse them with [`crate::parse::response::parse_response`], write them with
//! [`Response::write_to`].

use std::borrow::Cow;

use base64::Engine as _;

/// The status indicator of a response line (RFC 1939 §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    /// `+OK`.
    Ok,
    /// `-ERR`.
    Err,
}

impl Status {
    /// The indicator as sent (`"+OK"`, `"-ERR"`).
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Ok => "+OK",
            Status::Err => "-ERR",
        }
    }
}

/// An extended response code (RFC 2449 §8), written in brackets after the status.
///
/// ```text
/// resp-code  = "[" resp-level *("/" resp-level) "]"
/// resp-level = 1*<any CHAR except "/" or "]" or SP or CTL>
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ResponseCode<'a> {
    /// `[IN-USE]` (RFC 2449 §8.1.1): the maildrop is locked by another session.
    InUse,
    /// `[LOGIN-DELAY]` (RFC 2449 §8.1.2): logged in too soon after the last login.
    LoginDelay,
    /// `[SYS/TEMP]` (RFC 3206 §4): a temporary system problem; try later.
    SysTemp,
    /// `[SYS/PERM]` (RFC 3206 §4): a permanent system problem; do not retry.
    SysPerm,
    /// `[AUTH]` (RFC 3206 §5): the credentials are wrong (not a system problem).
    Auth,
    /// `[UTF8]` (RFC 6856 §2): the mailbox needs UTF-8 support the client did not enable.
    Utf8,
    /// Any other code, kept whole as sent, e.g. `SYS/TEMP/DISKFULL` or `X-VENDOR/CODE`.
    Other(Cow<'a, str>),
}

impl ResponseCode<'_> {
    /// The code as written between the brackets.
    pub fn as_str(&self) -> &str {
        match self {
            ResponseCode::InUse => "IN-USE",
            ResponseCode::LoginDelay => "LOGIN-DELAY",
            ResponseCode::SysTemp => "SYS/TEMP",
            ResponseCode::SysPerm => "SYS/PERM",
            ResponseCode::Auth => "AUTH",
            ResponseCode::Utf8 => "UTF8",
            ResponseCode::Other(s) => s,
        }
    }

    /// Whether the failure is worth retrying later unchanged (`IN-USE`, `LOGIN-DELAY`,
    /// `SYS/TEMP` and its sub-codes).
    pub fn is_temporary(&self) -> bool {
        match self {
            ResponseCode::InUse | ResponseCode::LoginDelay | ResponseCode::SysTemp => true,
            ResponseCode::Other(s) => {
                s.len() > 9
                    && s.get(..9)
                        .is_some_and(|p| p.eq_ignore_ascii_case("SYS/TEMP/"))
            }
            _ => false,
        }
    }

    /// Detaches the code from the buffer it borrowed from.
    pub fn into_owned(self) -> ResponseCode<'static> {
        match self {
            ResponseCode::InUse => ResponseCode::InUse,
            ResponseCode::LoginDelay => ResponseCode::LoginDelay,
            ResponseCode::SysTemp => ResponseCode::SysTemp,
            ResponseCode::SysPerm => ResponseCode::SysPerm,
            ResponseCode::Auth => ResponseCode::Auth,
            ResponseCode::Utf8 => ResponseCode::Utf8,
            ResponseCode::Other(s) => ResponseCode::Other(Cow::Owned(s.into_owned())),
        }
    }
}

/// A status line: `+OK` or `-ERR`, an optional extended response code, and text.
///
/// ```text
/// single-line = status [SP [resp-code SP] text] CRLF    ; RFC 1939 §3, RFC 2449 §8
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct StatusLine<'a> {
    /// `+OK` or `-ERR`.
    pub status: Status,
    /// The extended response code, if any.
    pub code: Option<ResponseCode<'a>>,
    /// The rest of the line (may be empty). Non-UTF-8 bytes from the server are replaced by
    /// U+FFFD when parsed.
    pub text: Cow<'a, str>,
}

impl<'a> StatusLine<'a> {
    /// `+OK text`.
    pub fn ok(text: impl Into<Cow<'a, str>>) -> Self {
        Self {
            status: Status::Ok,
            code: None,
            text: text.into(),
        }
    }

    /// `-ERR text`.
    pub fn err(text: impl Into<Cow<'a, str>>) -> Self {
        Self {
            status: Status::Err,
            code: None,
            text: text.into(),
        }
    }

    /// The same line with the extended response code `code`.
    pub fn with_code(mut self, code: ResponseCode<'a>) -> Self {
        self.code = Some(code);
        self
    }

    /// Whether the status is `+OK`.
    pub fn is_ok(&self) -> bool {
        self.status == Status::Ok
    }

    /// The `APOP` timestamp of a greeting (RFC 1939 §7): the first `<...>` in the text that
    /// holds an `@`, brackets included, e.g. `<1896.697170952@dbc.mtview.ca.us>`.
    pub fn apop_timestamp(&self) -> Option<&str> {
        let text: &str = &self.text;
        let start = text.find('<')?;
        let rest = text.get(start..)?;
        let end = rest.find('>')?;
        let ts = rest.get(..=end)?;
        ts.contains('@').then_some(ts)
    }

    /// Detaches the line from the buffer it borrowed from.
    pub fn into_owned(self) -> StatusLine<'static> {
        StatusLine {
            status: self.status,
            code: self.code.map(ResponseCode::into_owned),
            text: Cow::Owned(self.text.into_owned()),
        }
    }
}

/// One server response line.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Response<'a> {
    /// `+OK ...` or `-ERR ...`; for a multi-line response, its first line (the rest is read with
    /// [`crate::multiline::MultilineDecoder`]).
    Status(StatusLine<'a>),
    /// A SASL server challenge (RFC 5034 §4): `+ base64`.
    Continuation(Continuation<'a>),
}

impl Response<'_> {
    /// Detaches the response from the buffer it borrowed from.
    pub fn into_owned(self) -> Response<'static> {
        match self {
            Response::Status(s) => Response::Status(s.into_owned()),
            Response::Continuation(c) => Response::Continuation(c.into_owned()),
        }
    }
}

impl<'a> From<StatusLine<'a>> for Response<'a> {
    fn from(s: StatusLine<'a>) -> Self {
        Response::Status(s)
    }
}

/// A SASL challenge line (RFC 5034 §4): `"+" SP [base64] CRLF`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Continuation<'a>(Cow<'a, str>);

/// The continuation's payload is not valid base64.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("SASL challenge is not valid base64")]
pub struct InvalidBase64;

impl<'a> Continuation<'a> {
    /// A continuation carrying already-encoded base64 text (not checked here; the parser
    /// checks the alphabet).
    pub fn from_base64(text: impl Into<Cow<'a, str>>) -> Self {
        Continuation(text.into())
    }

    /// A continuation carrying `challenge`, base64-encoded.
    pub fn encode(challenge: &[u8]) -> Continuation<'static> {
        Continuation(Cow::Owned(
            base64::engine::general_purpose::STANDARD.encode(challenge),
        ))
    }

    /// The base64 text as sent.
    pub fn as_base64(&self) -> &str {
        &self.0
    }

    /// The decoded challenge.
    pub fn decode(&self) -> Result<Vec<u8>, InvalidBase64> {
        base64::engine::general_purpose::STANDARD
            .decode(self.0.as_bytes())
            .map_err(|_| InvalidBase64)
    }

    /// Detaches the continuation from the buffer it borrowed from.
    pub fn into_owned(self) -> Continuation<'static> {
        Continuation(Cow::Owned(self.0.into_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apop_timestamp_rfc1939() {
        let cases: &[(&str, Option<&str>)] = &[
            (
                "POP3 server ready <1896.697170952@dbc.mtview.ca.us>",
                Some("<1896.697170952@dbc.mtview.ca.us>"),
            ),
            ("POP3 server ready", None),
            ("ready <nope>", None),
            ("ready <a@b", None),
        ];
        for (text, want) in cases {
            assert_eq!(StatusLine::ok(*text).apop_timestamp(), *want, "{text}");
        }
    }

    #[test]
    fn temporary_codes() {
        assert!(ResponseCode::InUse.is_temporary());
        assert!(ResponseCode::SysTemp.is_temporary());
        assert!(ResponseCode::Other("SYS/TEMP/QUOTA".into()).is_temporary());
        assert!(!ResponseCode::SysPerm.is_temporary());
        assert!(!ResponseCode::Auth.is_temporary());
        assert!(!ResponseCode::Other("X-FOO".into()).is_temporary());
    }

    #[test]
    fn continuation_roundtrip() {
        let c = Continuation::encode(b"hello");
        assert_eq!(c.as_base64(), "aGVsbG8=");
        assert_eq!(c.decode().as_deref(), Ok(&b"hello"[..]));
        assert_eq!(Continuation::from_base64("!!").decode(), Err(InvalidBase64));
    }
}
