//! PLAIN (RFC 4616 §2) message grammar.
//!
//! ```abnf
//! message   = [authzid] UTF8NUL authcid UTF8NUL passwd
//! authcid   = 1*SAFE ; MUST accept up to 255 octets
//! authzid   = 1*SAFE ; MUST accept up to 255 octets
//! passwd    = 1*SAFE ; MUST accept up to 255 octets
//! UTF8NUL   = %x00
//! SAFE      = UTF1 / UTF2 / UTF3 / UTF4 ; any UTF-8 encoded Unicode character except NUL
//! ```

use crate::{SaslError, Secret};

const MECH: &str = "PLAIN";

/// A decoded PLAIN message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PlainMessage {
    /// The authorization identity; `None` when empty.
    pub(crate) authzid: Option<String>,
    /// The authentication identity (user name).
    pub(crate) authcid: String,
    /// The password.
    pub(crate) password: Secret<String>,
}

/// Decodes a PLAIN message (server side).
pub(crate) fn parse_plain(msg: &[u8]) -> Result<PlainMessage, SaslError> {
    let mut parts = msg.split(|&b| b == 0);
    let (Some(authzid), Some(authcid), Some(passwd), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(SaslError::malformed(
            MECH,
            "message does not have exactly two NULs",
        ));
    };
    if authcid.is_empty() {
        return Err(SaslError::malformed(MECH, "empty authcid"));
    }
    if passwd.is_empty() {
        return Err(SaslError::malformed(MECH, "empty password"));
    }
    let utf8 = |b: &[u8], field| {
        std::str::from_utf8(b)
            .map(str::to_owned)
            .map_err(|_| SaslError::InvalidUtf8 { field })
    };
    let authzid = utf8(authzid, "PLAIN authzid")?;
    Ok(PlainMessage {
        authzid: (!authzid.is_empty()).then_some(authzid),
        authcid: utf8(authcid, "PLAIN authcid")?,
        password: Secret::new(utf8(passwd, "PLAIN password")?),
    })
}

/// Encodes a PLAIN message (client side).
pub(crate) fn build_plain(authzid: Option<&str>, authcid: &str, password: &str) -> Vec<u8> {
    let authzid = authzid.unwrap_or_default();
    let mut out = Vec::with_capacity(authzid.len() + authcid.len() + password.len() + 2);
    out.extend_from_slice(authzid.as_bytes());
    out.push(0);
    out.extend_from_slice(authcid.as_bytes());
    out.push(0);
    out.extend_from_slice(password.as_bytes());
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn rfc4616_examples() {
        // RFC 4616 §4: "\0tim\0tanstaaftanstaaf" and "Ursel\0Kurt\0xipj3plmq".
        let table: &[(&[u8], Option<&str>, &str, &str)] = &[
            (b"\0tim\0tanstaaftanstaaf", None, "tim", "tanstaaftanstaaf"),
            (
                b"Ursel\0Kurt\0xipj3plmq",
                Some("Ursel"),
                "Kurt",
                "xipj3plmq",
            ),
        ];
        for (wire, authzid, authcid, pass) in table {
            let m = parse_plain(wire).unwrap();
            assert_eq!(m.authzid.as_deref(), *authzid);
            assert_eq!(
                (m.authcid.as_str(), m.password.expose().as_str()),
                (*authcid, *pass)
            );
            assert_eq!(build_plain(*authzid, authcid, pass), wire.to_vec());
        }
    }

    #[test]
    fn malformed_plain() {
        let table: &[(&[u8], SaslError)] = &[
            (
                b"",
                SaslError::malformed(MECH, "message does not have exactly two NULs"),
            ),
            (
                b"a\0b",
                SaslError::malformed(MECH, "message does not have exactly two NULs"),
            ),
            (
                b"a\0b\0c\0d",
                SaslError::malformed(MECH, "message does not have exactly two NULs"),
            ),
            (b"\0\0pw", SaslError::malformed(MECH, "empty authcid")),
            (b"\0u\0", SaslError::malformed(MECH, "empty password")),
            (
                b"\0\xff\0pw",
                SaslError::InvalidUtf8 {
                    field: "PLAIN authcid",
                },
            ),
        ];
        for (wire, err) in table {
            assert_eq!(parse_plain(wire).unwrap_err(), *err, "{wire:?}");
        }
    }

    proptest! {
        #[test]
        fn plain_round_trip(
            authzid in proptest::option::of("[^\0]{1,40}"),
            authcid in "[^\0]{1,40}",
            password in "[^\0]{1,40}",
        ) {
            let wire = build_plain(authzid.as_deref(), &authcid, &password);
            let m = parse_plain(&wire).unwrap();
            prop_assert_eq!(m.authzid, authzid);
            prop_assert_eq!(m.authcid, authcid);
            prop_assert_eq!(m.password.expose(), &password);
        }

        #[test]
        fn plain_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            let _ = parse_plain(&bytes);
        }
    }
}
