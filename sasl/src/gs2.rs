//! The GS2 header (RFC 5801 §4, RFC 5802 §7) shared by SCRAM and OAUTHBEARER,
//! and the `saslname` escaping of user names.
//!
//! ```abnf
//! gs2-header     = gs2-cbind-flag "," [ authzid ] ","
//! gs2-cbind-flag = ("p=" cb-name) / "n" / "y"
//! cb-name        = 1*(ALPHA / DIGIT / "." / "-")
//! authzid        = "a=" saslname
//! saslname       = 1*(value-safe-char / "=2C" / "=3D")
//! ```

use crate::SaslError;

/// The channel-binding flag of a GS2 header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum CbindFlag {
    /// `n`: the client does not support channel binding.
    None,
    /// `y`: the client supports it but thinks the server does not.
    SupportedNotUsed,
    /// `p=name`: the client requires channel binding of this type.
    Required(String),
}

/// A parsed GS2 header and the exact octets it was parsed from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Gs2Header<'a> {
    /// The header octets including the final `,` (SCRAM echoes them in `c=`).
    pub(crate) raw: &'a [u8],
    pub(crate) cbind: CbindFlag,
    pub(crate) authzid: Option<String>,
}

/// Splits a GS2 header off the front of `msg`, returning it and the rest.
pub(crate) fn parse_gs2_header<'a>(
    mechanism: &'static str,
    msg: &'a [u8],
) -> Result<(Gs2Header<'a>, &'a [u8]), SaslError> {
    let mut parts = msg.splitn(3, |&b| b == b',');
    let flag = parts.next().unwrap_or_default();
    let authz = parts.next().ok_or(SaslError::malformed(
        mechanism,
        "GS2 header is not terminated",
    ))?;
    let rest = parts.next().ok_or(SaslError::malformed(
        mechanism,
        "GS2 header is not terminated",
    ))?;
    let cbind = match flag {
        b"n" => CbindFlag::None,
        b"y" => CbindFlag::SupportedNotUsed,
        [b'p', b'=', name @ ..] => {
            if name.is_empty()
                || !name
                    .iter()
                    .all(|b| b.is_ascii_alphanumeric() || *b == b'.' || *b == b'-')
            {
                return Err(SaslError::malformed(mechanism, "bad channel-binding name"));
            }
            CbindFlag::Required(String::from_utf8_lossy(name).into_owned())
        }
        _ => {
            return Err(SaslError::malformed(
                mechanism,
                "GS2 channel-binding flag is not n, y or p=",
            ));
        }
    };
    let authzid = match authz {
        [] => None,
        [b'a', b'=', name @ ..] => Some(decode_saslname(mechanism, name)?),
        _ => {
            return Err(SaslError::malformed(
                mechanism,
                "GS2 authzid does not start with a=",
            ));
        }
    };
    let raw_len = msg.len() - rest.len();
    let raw = msg.get(..raw_len).unwrap_or_default();
    Ok((
        Gs2Header {
            raw,
            cbind,
            authzid,
        },
        rest,
    ))
}

/// Decodes a `saslname`: `=2C` is `,`, `=3D` is `=`, any other `=` or a raw
/// `,` is an error; the result must be non-empty UTF-8.
pub(crate) fn decode_saslname(mechanism: &'static str, raw: &[u8]) -> Result<String, SaslError> {
    if raw.is_empty() {
        return Err(SaslError::malformed(mechanism, "empty saslname"));
    }
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while let Some(&b) = raw.get(i) {
        match b {
            b'=' => {
                match raw.get(i + 1..i + 3) {
                    Some(b"2C") => out.push(b','),
                    Some(b"3D") => out.push(b'='),
                    _ => {
                        return Err(SaslError::malformed(
                            mechanism,
                            "saslname has '=' not followed by 2C or 3D",
                        ));
                    }
                }
                i += 3;
            }
            b',' | 0 => {
                return Err(SaslError::malformed(
                    mechanism,
                    "saslname contains ',' or NUL",
                ));
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).map_err(|_| SaslError::InvalidUtf8 { field: "saslname" })
}

/// Encodes a `saslname`: `,` as `=2C` and `=` as `=3D`.
pub(crate) fn encode_saslname(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        match c {
            ',' => out.push_str("=2C"),
            '=' => out.push_str("=3D"),
            c => out.push(c),
        }
    }
    out
}

/// Builds the GS2 header a client without channel binding sends.
pub(crate) fn build_gs2_header(authzid: Option<&str>) -> String {
    match authzid {
        Some(a) if !a.is_empty() => format!("n,a={},", encode_saslname(a)),
        _ => "n,,".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (input, flag, authzid, remainder)
    type Gs2Case<'a> = (&'a [u8], CbindFlag, Option<&'a str>, &'a [u8]);

    #[test]
    fn gs2_headers() {
        let ok: &[Gs2Case] = &[
            (b"n,,n=user", CbindFlag::None, None, b"n=user"),
            (b"y,,rest", CbindFlag::SupportedNotUsed, None, b"rest"),
            (
                b"p=tls-unique,a=adm=2Cin,x",
                CbindFlag::Required("tls-unique".into()),
                Some("adm,in"),
                b"x",
            ),
            (b"n,a=a=3Db,", CbindFlag::None, Some("a=b"), b""),
        ];
        for (input, flag, authz, rest) in ok {
            let (h, r) = parse_gs2_header("T", input).unwrap();
            assert_eq!(&h.cbind, flag);
            assert_eq!(h.authzid.as_deref(), *authz);
            assert_eq!(r, *rest);
            assert_eq!([h.raw, r].concat(), input.to_vec());
        }
        let bad: &[&[u8]] = &[
            b"",
            b"n",
            b"n,",
            b"x,,",
            b"p=,,",
            b"p=a b,,",
            b"n,b=x,",
            b"n,a=,",
            b"n,a=x=2D,",
        ];
        for input in bad {
            assert!(parse_gs2_header("T", input).is_err(), "{input:?}");
        }
    }

    #[test]
    fn saslname_round_trip() {
        for name in ["user", "a,b=c", "=2C", "ü"] {
            assert_eq!(
                decode_saslname("T", encode_saslname(name).as_bytes()).unwrap(),
                name
            );
        }
        assert!(decode_saslname("T", b"a=").is_err());
        assert!(decode_saslname("T", b"\xff").is_err());
    }
}
