//! The client's lines during a SASL exchange (RFC 5034 §4), server side: [`parse_auth_response`].
//!
//! ```text
//! client-response = *CHAR8 CRLF        ; base64, "" for an empty response
//! cancel          = "*" CRLF           ; the client abandons the exchange
//! ```
//!
//! Such a line is not a command: no 40-octet argument limit applies. Its length limit is the
//! caller's (the session's framer), as mechanisms such as GSSAPI send long responses.

use base64::Engine as _;
use sasl::Secret;

/// One client line of a SASL exchange.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthResponse<'a> {
    /// The client's response: base64 text as sent (possibly empty).
    Data(Secret<&'a str>),
    /// `*`: the client cancels the exchange; the server answers `-ERR` (RFC 5034 §4).
    Cancel,
}

impl AuthResponse<'_> {
    /// The decoded response bytes (`None` for [`AuthResponse::Cancel`]).
    pub fn decode(&self) -> Option<Result<Secret<Vec<u8>>, AuthResponseError>> {
        match self {
            AuthResponse::Cancel => None,
            AuthResponse::Data(d) => Some(
                base64::engine::general_purpose::STANDARD
                    .decode(d.expose().as_bytes())
                    .map(Secret::new)
                    .map_err(|_| AuthResponseError::BadBase64 { at: 0 }),
            ),
        }
    }
}

/// What is wrong with a client's SASL line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AuthResponseError {
    /// A byte outside the base64 alphabet (or padding that does not decode).
    #[error("Invalid base64 in authentication response at byte {at}")]
    BadBase64 {
        /// Offset of the offending byte (0 when the padding is wrong).
        at: usize,
    },
}

/// Parses one client line of a SASL exchange (without its CRLF), after the server's `+`.
/// Trailing spaces are ignored; the base64 alphabet is checked here, the padding when
/// [decoded](AuthResponse::decode).
pub fn parse_auth_response(line: &[u8]) -> Result<AuthResponse<'_>, AuthResponseError> {
    let n = line.iter().rev().take_while(|&&b| b == b' ').count();
    let line = line.get(..line.len() - n).unwrap_or_default();
    if line == b"*" {
        return Ok(AuthResponse::Cancel);
    }
    if let Some(at) = line
        .iter()
        .position(|&b| !(b.is_ascii_alphanumeric() || b == b'+' || b == b'/' || b == b'='))
    {
        return Err(AuthResponseError::BadBase64 { at });
    }
    std::str::from_utf8(line)
        .map(|s| AuthResponse::Data(Secret::new(s)))
        .map_err(|_| AuthResponseError::BadBase64 { at: 0 })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 5034 §6 client lines.
    #[test]
    fn table() {
        let cases: &[(&[u8], Result<AuthResponse<'_>, AuthResponseError>)] = &[
            (b"*", Ok(AuthResponse::Cancel)),
            (b"* ", Ok(AuthResponse::Cancel)),
            (b"", Ok(AuthResponse::Data(Secret::new("")))),
            (
                b"dGVzdAB0ZXN0AHRlc3Q=",
                Ok(AuthResponse::Data(Secret::new("dGVzdAB0ZXN0AHRlc3Q="))),
            ),
            (b"ab*", Err(AuthResponseError::BadBase64 { at: 2 })),
            (b"a b", Err(AuthResponseError::BadBase64 { at: 1 })),
        ];
        for (line, want) in cases {
            assert_eq!(
                &parse_auth_response(line),
                want,
                "{:?}",
                String::from_utf8_lossy(line)
            );
        }
        let r = parse_auth_response(b"dGVzdAB0ZXN0AHRlc3Q=").expect("valid");
        assert_eq!(
            r.decode().map(|d| d.map(Secret::into_inner)),
            Some(Ok(b"test\0test\0test".to_vec()))
        );
        assert!(!format!("{r:?}").contains("dGVzd"));
        let bad = parse_auth_response(b"a").expect("alphabet ok");
        assert_eq!(
            bad.decode().map(|d| d.map(Secret::into_inner)),
            Some(Err(AuthResponseError::BadBase64 { at: 0 }))
        );
    }
}
