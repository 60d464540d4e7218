//! SMTP AUTH framing (RFC 4954): base64 challenge and response lines, the `*`
//! cancel, the `=` empty initial response, and the replies the server sends.
//!
//! The SASL exchange itself is the [`sasl`] crate's: this module only turns
//! lines into raw mechanism messages and back.
//!
//! ```abnf
//! ; RFC 4954 §4
//! auth-command    = "AUTH" SP sasl-mech [SP initial-response] *(CRLF [base64]) [CRLF cancel-response] CRLF
//! initial-response= base64 / "="
//! cancel-response = "*"
//! base64          = base64-terminal / ( 1*(4base64-char) [base64-terminal] )
//! continue-req    = "334" SP [base64] CRLF   ; the server's challenge
//! ```
//!
//! # Server call order
//! 1. The command parser hands over `AUTH <mech> [<ir>]`; look the mechanism
//!    up with [`sasl::Mechanism::from_name`] (unknown: [`UNRECOGNIZED_MECHANISM`]).
//! 2. Decode the initial response, if any, with [`decode_response`]
//!    (`=` gives an empty response) and start a [`sasl::ServerSession`].
//! 3. For each [`sasl::ServerStep::Challenge`], write it with
//!    [`encode_challenge`], read one line, [`decode_response`] it: `Cancel`
//!    ends the exchange with [`CANCELLED`], `Data` goes to the session, an
//!    error ends it with [`AuthError::reply`].
//! 4. Success: [`SUCCEEDED`]; a [`sasl::SaslError`]: [`reply_for_sasl_error`].

use base64::Engine;
use base64::alphabet;
use base64::engine::general_purpose::STANDARD;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use sasl::Secret;

/// The longest AUTH line (initial response or client response) accepted, in
/// octets without the CRLF (RFC 4954 §4: 12288).
pub const MAX_AUTH_LINE: usize = 12288;

/// An SMTP reply to send: code, enhanced status code (class, subject,
/// detail; RFC 3463) and text.
pub type ReplyParts = (u16, (u8, u16, u16), &'static str);

/// `235 2.7.0`: authentication succeeded (RFC 4954 §6).
pub const SUCCEEDED: ReplyParts = (235, (2, 7, 0), "Authentication succeeded");
/// `501 5.5.2`: the client's response could not be base64-decoded (RFC 4954 §4).
pub const CANNOT_DECODE: ReplyParts = (501, (5, 5, 2), "Cannot Base64-decode Client responses");
/// `501 5.7.0`: the client cancelled the exchange with `*` (RFC 4954 §4).
pub const CANCELLED: ReplyParts = (501, (5, 7, 0), "Authentication cancelled");
/// `535 5.7.8`: authentication credentials invalid (RFC 4954 §6).
pub const INVALID_CREDENTIALS: ReplyParts = (535, (5, 7, 8), "Authentication credentials invalid");
/// `504 5.5.4`: unrecognized authentication type (RFC 4954 §6).
pub const UNRECOGNIZED_MECHANISM: ReplyParts = (504, (5, 5, 4), "Unrecognized authentication type");
/// `534 5.7.9`: authentication mechanism is too weak (RFC 4954 §6).
pub const MECHANISM_TOO_WEAK: ReplyParts = (534, (5, 7, 9), "Authentication mechanism is too weak");
/// `538 5.7.11`: encryption required for the requested mechanism (RFC 4954 §6).
pub const ENCRYPTION_REQUIRED: ReplyParts = (
    538,
    (5, 7, 11),
    "Encryption required for requested authentication mechanism",
);
/// `454 4.7.0`: temporary authentication failure (RFC 4954 §6).
pub const TEMPORARY_FAILURE: ReplyParts = (454, (4, 7, 0), "Temporary authentication failure");
/// `432 4.7.12`: a password transition is needed (RFC 4954 §6).
pub const PASSWORD_TRANSITION: ReplyParts = (432, (4, 7, 12), "A password transition is needed");
/// `530 5.7.0`: authentication required (RFC 4954 §6), for commands refused
/// before AUTH.
pub const AUTH_REQUIRED: ReplyParts = (530, (5, 7, 0), "Authentication required");
/// `503 5.5.1`: AUTH after a successful AUTH, or during a mail transaction
/// (RFC 4954 §4).
pub const BAD_SEQUENCE: ReplyParts = (503, (5, 5, 1), "Bad sequence of commands");
/// `500 5.5.6`: an AUTH line longer than [`MAX_AUTH_LINE`] (RFC 4954 §4
/// allows 500 for a line too long).
pub const LINE_TOO_LONG: ReplyParts = (500, (5, 5, 6), "Authentication Exchange line is too long");

/// A decoded client line of the AUTH exchange.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthResponse {
    /// `*`: the client cancels; the server replies [`CANCELLED`].
    Cancel,
    /// The decoded SASL message (empty for an empty line or `=`): a credential (a `PLAIN`
    /// message holds the password), so its `Debug` prints `[redacted]`.
    Data(Secret<Vec<u8>>),
}

/// A client line the server cannot use.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AuthError {
    /// The line is not valid base64 (reply [`CANNOT_DECODE`]).
    #[error("invalid base64 in AUTH line: {detail}")]
    InvalidBase64 {
        /// What the decoder found wrong.
        detail: String,
    },
    /// The line exceeds [`MAX_AUTH_LINE`] octets (reply [`LINE_TOO_LONG`]).
    #[error("AUTH line of {len} octets exceeds {MAX_AUTH_LINE}")]
    LineTooLong {
        /// The line's length without CRLF.
        len: usize,
    },
    /// The SASL mechanism failed (reply per [`reply_for_sasl_error`]).
    #[error(transparent)]
    Sasl(#[from] sasl::SaslError),
}

impl AuthError {
    /// The reply the server should send for this error.
    pub fn reply(&self) -> ReplyParts {
        match self {
            AuthError::InvalidBase64 { .. } => CANNOT_DECODE,
            AuthError::LineTooLong { .. } => LINE_TOO_LONG,
            AuthError::Sasl(e) => reply_for_sasl_error(e),
        }
    }
}

/// The reply for a failed SASL exchange: [`TEMPORARY_FAILURE`] for a
/// temporary store failure, [`UNRECOGNIZED_MECHANISM`] for an unknown
/// mechanism, else [`INVALID_CREDENTIALS`] (never telling an unknown user from
/// a wrong password, nor a malformed message from refused credentials).
pub fn reply_for_sasl_error(error: &sasl::SaslError) -> ReplyParts {
    match error {
        e if e.is_temporary() => TEMPORARY_FAILURE,
        sasl::SaslError::UnsupportedMechanism(_) => UNRECOGNIZED_MECHANISM,
        _ => INVALID_CREDENTIALS,
    }
}

/// Base64 that accepts responses with or without `=` padding.
const LENIENT: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

fn strip_eol(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

fn decode_base64(text: &[u8]) -> Result<Vec<u8>, AuthError> {
    LENIENT.decode(text).map_err(|e| AuthError::InvalidBase64 {
        detail: e.to_string(),
    })
}

/// Decodes a client line of the exchange: a response after a `334`, or the
/// initial-response argument of `AUTH` (RFC 4954 §4). A trailing CRLF (or LF)
/// is ignored.
///
/// - `*` is [`AuthResponse::Cancel`] (reply [`CANCELLED`]);
/// - `=` is an empty response. RFC 4954 defines `=` only for the initial
///   response (on a continuation line the empty response is an empty line);
///   it is accepted in both places, since no base64 text is `=`;
/// - an empty line is an empty response;
/// - anything else must be base64 (padding optional) and is
///   [`AuthResponse::Data`].
///
/// # Errors
/// [`AuthError::LineTooLong`] beyond [`MAX_AUTH_LINE`] octets;
/// [`AuthError::InvalidBase64`] otherwise (reply [`CANNOT_DECODE`]).
pub fn decode_response(line: &[u8]) -> Result<AuthResponse, AuthError> {
    let line = strip_eol(line);
    if line.len() > MAX_AUTH_LINE {
        return Err(AuthError::LineTooLong { len: line.len() });
    }
    match line {
        b"*" => Ok(AuthResponse::Cancel),
        b"=" | b"" => Ok(AuthResponse::Data(Secret::new(Vec::new()))),
        text => decode_base64(text).map(|data| AuthResponse::Data(Secret::new(data))),
    }
}

/// Writes a server challenge: `334 <base64>\r\n`, or `334 \r\n` for an empty
/// challenge (RFC 4954 §4).
pub fn encode_challenge(challenge: &[u8], out: &mut Vec<u8>) {
    out.extend_from_slice(b"334 ");
    out.extend_from_slice(STANDARD.encode(challenge).as_bytes());
    out.extend_from_slice(b"\r\n");
}

/// Decodes the text of a `334` reply (after `334 `) into the raw challenge.
/// Surrounding whitespace and a trailing CRLF are ignored; empty text is an
/// empty challenge.
///
/// # Errors
/// [`AuthError::InvalidBase64`] when the text is not base64;
/// [`AuthError::LineTooLong`] beyond [`MAX_AUTH_LINE`] octets.
pub fn decode_challenge(text: &[u8]) -> Result<Vec<u8>, AuthError> {
    let text = text.trim_ascii();
    if text.len() > MAX_AUTH_LINE {
        return Err(AuthError::LineTooLong { len: text.len() });
    }
    decode_base64(text)
}

/// Writes a client response line: base64 and CRLF; an empty response is an
/// empty line (never `=`, which RFC 4954 reserves for the initial response).
pub fn encode_response(data: &[u8], out: &mut Vec<u8>) {
    out.extend_from_slice(STANDARD.encode(data).as_bytes());
    out.extend_from_slice(b"\r\n");
}

/// Writes the client's cancel line `*\r\n`.
pub fn encode_cancel(out: &mut Vec<u8>) {
    out.extend_from_slice(b"*\r\n");
}

/// The initial-response argument of `AUTH <mech> <ir>`: base64, or `=` for an
/// empty initial response (RFC 4954 §4).
pub fn encode_initial_response(data: &[u8]) -> String {
    if data.is_empty() {
        "=".to_owned()
    } else {
        STANDARD.encode(data)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(bytes: &[u8]) -> AuthResponse {
        AuthResponse::Data(Secret::new(bytes.to_vec()))
    }

    #[test]
    fn decode_response_table() {
        let ok: &[(&[u8], AuthResponse)] = &[
            // RFC 4954 §6: AUTH PLAIN dGVzdAB0ZXN0ADEyMzQ=
            (b"dGVzdAB0ZXN0ADEyMzQ=", data(b"test\0test\x001234")),
            (b"dGVzdAB0ZXN0ADEyMzQ=\r\n", data(b"test\0test\x001234")),
            (b"dGVzdAB0ZXN0ADEyMzQ", data(b"test\0test\x001234")),
            (b"*", AuthResponse::Cancel),
            (b"*\r\n", AuthResponse::Cancel),
            (b"=", data(b"")),
            (b"\r\n", data(b"")),
            (b"", data(b"")),
            (b"AQ==", data(&[1])),
        ];
        for (line, expected) in ok {
            assert_eq!(decode_response(line).as_ref(), Ok(expected), "{line:?}");
        }
        for bad in [&b"not base64!"[..], b"**", b"==", b"dGVzd A=", b"\xff"] {
            let err = decode_response(bad).unwrap_err();
            assert!(matches!(err, AuthError::InvalidBase64 { .. }), "{bad:?}");
            assert_eq!(err.reply(), CANNOT_DECODE);
            assert_eq!(err.reply().0, 501);
        }
    }

    #[test]
    fn line_length_limit() {
        let max = vec![b'A'; MAX_AUTH_LINE];
        assert!(
            matches!(decode_response(&max), Ok(AuthResponse::Data(d)) if d.expose().len() == MAX_AUTH_LINE / 4 * 3)
        );
        let mut with_crlf = max.clone();
        with_crlf.extend_from_slice(b"\r\n");
        assert!(decode_response(&with_crlf).is_ok());
        let over = vec![b'A'; MAX_AUTH_LINE + 4];
        let err = decode_response(&over).unwrap_err();
        assert_eq!(
            err,
            AuthError::LineTooLong {
                len: MAX_AUTH_LINE + 4
            }
        );
        assert_eq!(err.reply().0, 500);
        assert!(decode_challenge(&over).is_err());
    }

    #[test]
    fn encoders() {
        /// (raw, challenge line, response line, initial response)
        type Case<'a> = (&'a [u8], &'a [u8], &'a [u8], &'a str);
        let table: &[Case] = &[
            (b"", b"334 \r\n", b"\r\n", "="),
            (
                b"Username:",
                b"334 VXNlcm5hbWU6\r\n",
                b"VXNlcm5hbWU6\r\n",
                "VXNlcm5hbWU6",
            ),
            (
                b"test\0test\x001234",
                b"334 dGVzdAB0ZXN0ADEyMzQ=\r\n",
                b"dGVzdAB0ZXN0ADEyMzQ=\r\n",
                "dGVzdAB0ZXN0ADEyMzQ=",
            ),
        ];
        for (raw, challenge, response, ir) in table {
            let mut out = Vec::new();
            encode_challenge(raw, &mut out);
            assert_eq!(out, *challenge);
            let text = out.strip_prefix(b"334 ").unwrap();
            assert_eq!(decode_challenge(text).unwrap(), *raw);
            let mut out = Vec::new();
            encode_response(raw, &mut out);
            assert_eq!(out, *response);
            assert_eq!(decode_response(&out).unwrap(), data(raw));
            assert_eq!(encode_initial_response(raw), *ir);
            assert_eq!(decode_response(ir.as_bytes()).unwrap(), data(raw));
        }
        let mut out = Vec::new();
        encode_cancel(&mut out);
        assert_eq!(decode_response(&out), Ok(AuthResponse::Cancel));
        assert!(decode_challenge(b"!!").is_err());
    }

    #[test]
    fn replies_match_rfc4954() {
        let table: &[(ReplyParts, u16, (u8, u16, u16))] = &[
            (SUCCEEDED, 235, (2, 7, 0)),
            (CANNOT_DECODE, 501, (5, 5, 2)),
            (CANCELLED, 501, (5, 7, 0)),
            (INVALID_CREDENTIALS, 535, (5, 7, 8)),
            (UNRECOGNIZED_MECHANISM, 504, (5, 5, 4)),
            (MECHANISM_TOO_WEAK, 534, (5, 7, 9)),
            (ENCRYPTION_REQUIRED, 538, (5, 7, 11)),
            (TEMPORARY_FAILURE, 454, (4, 7, 0)),
        ];
        for ((code, enhanced, text), c, e) in table {
            assert_eq!((*code, *enhanced), (*c, *e), "{text}");
            assert_eq!(code / 100, u16::from(enhanced.0), "{text}");
        }
        use sasl::SaslError;
        assert_eq!(
            reply_for_sasl_error(&SaslError::InvalidCredentials),
            INVALID_CREDENTIALS
        );
        assert_eq!(
            reply_for_sasl_error(&SaslError::InvalidProof),
            INVALID_CREDENTIALS
        );
        assert_eq!(
            reply_for_sasl_error(&SaslError::Temporary("db".into())),
            TEMPORARY_FAILURE
        );
        assert_eq!(
            AuthError::from(SaslError::UnsupportedMechanism("X".into())).reply(),
            UNRECOGNIZED_MECHANISM
        );
    }

    proptest::proptest! {
        #[test]
        fn response_round_trip(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..512)) {
            let mut line = Vec::new();
            encode_response(&bytes, &mut line);
            proptest::prop_assert_eq!(decode_response(&line), Ok(data(&bytes)));
            let ir = encode_initial_response(&bytes);
            proptest::prop_assert_eq!(decode_response(ir.as_bytes()), Ok(data(&bytes)));
        }

        #[test]
        fn decoders_never_panic(line in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..64)) {
            let _ = decode_response(&line);
            let _ = decode_challenge(&line);
        }
    }
}
