//! OAUTHBEARER (RFC 7628 §3.1) and XOAUTH2 (Google) message grammar.
//!
//! ```abnf
//! ; RFC 7628 §3.1
//! client-resp = (gs2-header kvsep *kvpair kvsep) / kvsep
//! kvsep       = %x01
//! kvpair      = key "=" value kvsep
//! key         = 1*(ALPHA)
//! value       = *(VCHAR / SP / HTAB / CR / LF)
//! auth-value  = "Bearer" 1*SP b64token   ; the "auth" key (RFC 6750 §2.1)
//! ; XOAUTH2 (developers.google.com/gmail/imap/xoauth2-protocol)
//! xoauth2     = "user=" user kvsep "auth=Bearer " token kvsep kvsep
//! ```
//! On failure the server sends a JSON error object as a challenge; the client
//! answers with `kvsep` (OAUTHBEARER) or an empty response (XOAUTH2) and the
//! server then fails the exchange.

use crate::gs2::{CbindFlag, build_gs2_header, parse_gs2_header};
use crate::{SaslError, Secret};

const KVSEP: u8 = 0x01;

/// A decoded OAUTHBEARER or XOAUTH2 client message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OAuthMessage {
    /// OAUTHBEARER `a=` authzid or XOAUTH2 `user=`.
    pub(crate) user: Option<String>,
    /// The bearer token.
    pub(crate) token: Secret<String>,
}

/// Splits `body` (`1*kvpair kvsep`, the leading kvsep already removed) into
/// key/value pairs and finds the user (`user=`, XOAUTH2) and the token.
fn parse_kvpairs(
    mech: &'static str,
    body: &[u8],
) -> Result<(Option<String>, Secret<String>), SaslError> {
    let body = body
        .strip_suffix(&[KVSEP, KVSEP])
        .ok_or(SaslError::malformed(mech, "message does not end with ^A^A"))?;
    let body = std::str::from_utf8(body).map_err(|_| SaslError::InvalidUtf8 {
        field: "OAuth key/value pairs",
    })?;
    let mut user = None;
    let mut token = None;
    for pair in body.split('\u{1}') {
        let (key, value) = pair
            .split_once('=')
            .ok_or(SaslError::malformed(mech, "key/value pair without '='"))?;
        if key.is_empty() || !key.bytes().all(|b| b.is_ascii_alphabetic()) {
            return Err(SaslError::malformed(mech, "key is not alphabetic"));
        }
        if value
            .bytes()
            .any(|b| b.is_ascii_control() && !matches!(b, b'\t' | b'\r' | b'\n'))
        {
            return Err(SaslError::malformed(
                mech,
                "value contains a control character",
            ));
        }
        match key {
            "auth" => {
                let (scheme, tok) = value.split_once(' ').ok_or(SaslError::malformed(
                    mech,
                    "auth value is not 'Bearer <token>'",
                ))?;
                let tok = tok.trim_start_matches(' ');
                if !scheme.eq_ignore_ascii_case("Bearer") || tok.is_empty() || tok.contains(' ') {
                    return Err(SaslError::malformed(
                        mech,
                        "auth value is not 'Bearer <token>'",
                    ));
                }
                token = Some(Secret::new(tok.to_owned()));
            }
            "user" => user = Some(value.to_owned()),
            _ => {} // host, port and extensions are informative only
        }
    }
    let token = token.ok_or(SaslError::malformed(
        mech,
        "message has no auth=Bearer token",
    ))?;
    Ok((user, token))
}

/// Decodes an OAUTHBEARER client response (server side).
pub(crate) fn parse_oauthbearer(msg: &[u8]) -> Result<OAuthMessage, SaslError> {
    const MECH: &str = "OAUTHBEARER";
    let (gs2, rest) = parse_gs2_header(MECH, msg)?;
    if let CbindFlag::Required(name) = gs2.cbind {
        return Err(SaslError::UnsupportedChannelBinding(name));
    }
    let rest = rest.strip_prefix(&[KVSEP]).ok_or(SaslError::malformed(
        MECH,
        "GS2 header is not followed by ^A",
    ))?;
    let (_, token) = parse_kvpairs(MECH, rest)?;
    Ok(OAuthMessage {
        user: gs2.authzid,
        token,
    })
}

/// Decodes an XOAUTH2 client response (server side).
pub(crate) fn parse_xoauth2(msg: &[u8]) -> Result<OAuthMessage, SaslError> {
    const MECH: &str = "XOAUTH2";
    let (user, token) = parse_kvpairs(MECH, msg)?;
    let user = user.filter(|u| !u.is_empty());
    if user.is_none() {
        return Err(SaslError::malformed(MECH, "message has no user="));
    }
    Ok(OAuthMessage { user, token })
}

/// Encodes an OAUTHBEARER client response (client side).
pub(crate) fn build_oauthbearer(
    user: Option<&str>,
    token: &str,
    host: Option<&str>,
    port: Option<u16>,
) -> Vec<u8> {
    let mut out = build_gs2_header(user).into_bytes();
    out.push(KVSEP);
    if let Some(host) = host {
        out.extend_from_slice(format!("host={host}\u{1}").as_bytes());
    }
    if let Some(port) = port {
        out.extend_from_slice(format!("port={port}\u{1}").as_bytes());
    }
    out.extend_from_slice(format!("auth=Bearer {token}\u{1}\u{1}").as_bytes());
    out
}

/// Encodes an XOAUTH2 client response (client side).
pub(crate) fn build_xoauth2(user: &str, token: &str) -> Vec<u8> {
    format!("user={user}\u{1}auth=Bearer {token}\u{1}\u{1}").into_bytes()
}

/// The JSON error a server sends as a challenge when a token is refused.
pub(crate) fn error_challenge(xoauth2: bool) -> Vec<u8> {
    if xoauth2 {
        br#"{"status":"401","schemes":"Bearer"}"#.to_vec()
    } else {
        br#"{"status":"invalid_token"}"#.to_vec()
    }
}

/// The `status` member of a server's JSON error (client side), or the whole
/// text when it has none.
pub(crate) fn error_status(json: &[u8]) -> String {
    let text = String::from_utf8_lossy(json);
    let status = text.find("\"status\"").and_then(|at| {
        let after = text
            .get(at + 8..)?
            .trim_start()
            .strip_prefix(':')?
            .trim_start();
        let after = after.strip_prefix('"')?;
        after.get(..after.find('"')?)
    });
    status.map_or_else(|| text.clone().into_owned(), str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc7628_client_responses() {
        // RFC 7628 §4.1 (IMAP) and §4.2 (SMTP) initial client responses.
        let table: &[(&[u8], Option<&str>, &str)] = &[
            (
                b"n,a=user@example.com,\x01host=server.example.com\x01port=143\x01auth=Bearer vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==\x01\x01",
                Some("user@example.com"),
                "vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==",
            ),
            (
                b"n,a=user@example.com,\x01host=server.example.com\x01port=587\x01auth=Bearer vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==\x01\x01",
                Some("user@example.com"),
                "vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==",
            ),
            (b"y,,\x01auth=bearer tok\x01\x01", None, "tok"),
        ];
        for (wire, user, token) in table {
            let m = parse_oauthbearer(wire).unwrap();
            assert_eq!(
                (m.user.as_deref(), m.token.expose().as_str()),
                (*user, *token)
            );
        }
        assert_eq!(
            build_oauthbearer(
                Some("user@example.com"),
                "vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==",
                Some("server.example.com"),
                Some(143)
            ),
            table[0].0.to_vec()
        );
    }

    #[test]
    fn malformed_oauth() {
        let bad: &[(&[u8], SaslError)] = &[
            (
                b"p=tls-unique,,\x01auth=Bearer t\x01\x01",
                SaslError::UnsupportedChannelBinding("tls-unique".into()),
            ),
            (
                b"n,,auth=Bearer t\x01\x01",
                SaslError::malformed("OAUTHBEARER", "GS2 header is not followed by ^A"),
            ),
            (
                b"n,,\x01auth=Bearer t\x01",
                SaslError::malformed("OAUTHBEARER", "message does not end with ^A^A"),
            ),
            (
                b"n,,\x01auth\x01\x01",
                SaslError::malformed("OAUTHBEARER", "key/value pair without '='"),
            ),
            (
                b"n,,\x01auth=Bearer t",
                SaslError::malformed("OAUTHBEARER", "message does not end with ^A^A"),
            ),
            (
                b"n,,\x01host=x\x01\x01",
                SaslError::malformed("OAUTHBEARER", "message has no auth=Bearer token"),
            ),
            (
                b"n,,\x01auth=Basic t\x01\x01",
                SaslError::malformed("OAUTHBEARER", "auth value is not 'Bearer <token>'"),
            ),
            (
                b"\x01",
                SaslError::malformed("OAUTHBEARER", "GS2 header is not terminated"),
            ),
        ];
        for (wire, err) in bad {
            assert_eq!(parse_oauthbearer(wire).unwrap_err(), *err, "{wire:?}");
        }
    }

    #[test]
    fn xoauth2_messages() {
        // Google's example: base64 of "user=someuser@example.com^Aauth=Bearer ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg^A^A".
        let wire = b"user=someuser@example.com\x01auth=Bearer ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg\x01\x01";
        let m = parse_xoauth2(wire).unwrap();
        assert_eq!(m.user.as_deref(), Some("someuser@example.com"));
        assert_eq!(
            m.token.expose(),
            "ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg"
        );
        assert_eq!(
            build_xoauth2(
                "someuser@example.com",
                "ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg"
            ),
            wire.to_vec()
        );
        assert!(parse_xoauth2(b"auth=Bearer t\x01\x01").is_err());
        assert!(parse_xoauth2(b"").is_err());
    }

    #[test]
    fn error_status_extraction() {
        let rfc = br#"{"status":"invalid_token","scope":"example_scope","openid-configuration":"https://example.com/.well-known/openid-configuration"}"#;
        assert_eq!(error_status(rfc), "invalid_token");
        assert_eq!(
            error_status(br#"{"status" : "401","schemes":"Bearer"}"#),
            "401"
        );
        assert_eq!(error_status(b"garbage"), "garbage");
        assert_eq!(error_status(&error_challenge(true)), "401");
    }
}
