//! SCRAM message grammar (RFC 5802 §7).
//!
//! ```abnf
//! client-first-message-bare = [reserved-mext ","] username "," nonce ["," extensions]
//! client-first-message = gs2-header client-first-message-bare
//! server-first-message = [reserved-mext ","] nonce "," salt "," iteration-count ["," extensions]
//! client-final-message-without-proof = channel-binding "," nonce ["," extensions]
//! client-final-message = client-final-message-without-proof "," proof
//! server-final-message = (server-error / verifier) ["," extensions]
//! username  = "n=" saslname
//! nonce     = "r=" c-nonce [s-nonce]   ; printable: %x21-2B / %x2D-7E
//! salt      = "s=" base64
//! iteration-count = "i=" posit-number
//! channel-binding = "c=" base64
//! proof     = "p=" base64
//! verifier  = "v=" base64
//! server-error = "e=" server-error-value
//! extensions = attr-val *("," attr-val)  ; attr-val = ALPHA "=" value
//! ```

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use crate::SaslError;
use crate::gs2::{Gs2Header, decode_saslname, parse_gs2_header};

/// The largest iteration count a client accepts from a server (a hostile
/// server could otherwise make the client compute PBKDF2 for hours).
pub(crate) const MAX_ITERATIONS: u32 = 4_000_000;

/// One `attr=value` of a SCRAM message.
struct Attr<'a> {
    name: u8,
    value: &'a str,
}

/// Splits a message into its attributes, checking `ALPHA "=" value`.
fn attrs<'a>(
    mech: &'static str,
    msg: &'a str,
) -> impl Iterator<Item = Result<Attr<'a>, SaslError>> + 'a {
    msg.split(',').map(move |part| {
        let b = part.as_bytes();
        match (b.first(), b.get(1)) {
            (Some(&name), Some(b'=')) if name.is_ascii_alphabetic() => Ok(Attr {
                name,
                value: part.get(2..).unwrap_or_default(),
            }),
            _ => Err(SaslError::malformed(
                mech,
                "attribute is not of the form x=value",
            )),
        }
    })
}

/// Takes the next attribute, requiring its name.
fn expect<'a>(
    mech: &'static str,
    it: &mut impl Iterator<Item = Result<Attr<'a>, SaslError>>,
    name: u8,
    what: &'static str,
) -> Result<&'a str, SaslError> {
    match it.next() {
        Some(Ok(a)) if a.name == name => Ok(a.value),
        Some(Err(e)) => Err(e),
        _ => Err(SaslError::malformed(mech, what)),
    }
}

/// Checks that the remaining attributes are well-formed optional extensions.
fn extensions<'a>(it: impl Iterator<Item = Result<Attr<'a>, SaslError>>) -> Result<(), SaslError> {
    for a in it {
        a?;
    }
    Ok(())
}

fn printable(nonce: &str) -> bool {
    !nonce.is_empty()
        && nonce
            .bytes()
            .all(|b| (0x21..=0x7e).contains(&b) && b != b',')
}

fn base64(mech: &'static str, v: &str, what: &'static str) -> Result<Vec<u8>, SaslError> {
    STANDARD
        .decode(v)
        .map_err(|_| SaslError::malformed(mech, what))
}

/// A parsed client-first-message.
#[derive(Debug)]
pub(crate) struct ClientFirst<'a> {
    pub(crate) gs2: Gs2Header<'a>,
    /// client-first-message-bare, verbatim (part of AuthMessage).
    pub(crate) bare: &'a str,
    pub(crate) username: String,
    pub(crate) nonce: &'a str,
}

/// Parses a client-first-message (server side).
pub(crate) fn parse_client_first<'a>(
    mech: &'static str,
    msg: &'a [u8],
) -> Result<ClientFirst<'a>, SaslError> {
    let (gs2, rest) = parse_gs2_header(mech, msg)?;
    let bare = std::str::from_utf8(rest).map_err(|_| SaslError::InvalidUtf8 {
        field: "client-first-message",
    })?;
    let mut it = attrs(mech, bare).peekable();
    if let Some(Ok(Attr { name: b'm', .. })) = it.peek() {
        return Err(SaslError::UnsupportedExtension);
    }
    let username = expect(mech, &mut it, b'n', "client-first-message lacks n=")?;
    let username = decode_saslname(mech, username.as_bytes())?;
    let nonce = expect(mech, &mut it, b'r', "client-first-message lacks r=")?;
    if !printable(nonce) {
        return Err(SaslError::malformed(
            mech,
            "nonce is empty or not printable",
        ));
    }
    extensions(it)?;
    Ok(ClientFirst {
        gs2,
        bare,
        username,
        nonce,
    })
}

/// A parsed server-first-message.
#[derive(Debug)]
pub(crate) struct ServerFirst<'a> {
    pub(crate) nonce: &'a str,
    pub(crate) salt: Vec<u8>,
    pub(crate) iterations: u32,
}

/// Parses a server-first-message (client side).
pub(crate) fn parse_server_first<'a>(
    mech: &'static str,
    msg: &'a str,
) -> Result<ServerFirst<'a>, SaslError> {
    let mut it = attrs(mech, msg).peekable();
    if let Some(Ok(Attr { name: b'm', .. })) = it.peek() {
        return Err(SaslError::UnsupportedExtension);
    }
    let nonce = expect(mech, &mut it, b'r', "server-first-message lacks r=")?;
    if !printable(nonce) {
        return Err(SaslError::malformed(
            mech,
            "nonce is empty or not printable",
        ));
    }
    let salt = expect(mech, &mut it, b's', "server-first-message lacks s=")?;
    let salt = base64(mech, salt, "salt is not base64")?;
    let iter = expect(mech, &mut it, b'i', "server-first-message lacks i=")?;
    let iterations = parse_posit_number(iter).ok_or(SaslError::malformed(
        mech,
        "iteration count is not a positive number",
    ))?;
    if iterations > MAX_ITERATIONS {
        return Err(SaslError::malformed(mech, "iteration count is too large"));
    }
    extensions(it)?;
    Ok(ServerFirst {
        nonce,
        salt,
        iterations,
    })
}

/// `posit-number = %x31-39 *DIGIT`, as a u32.
fn parse_posit_number(s: &str) -> Option<u32> {
    if s.starts_with('0') || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok().filter(|&n| n > 0)
}

/// A parsed client-final-message.
#[derive(Debug)]
pub(crate) struct ClientFinal<'a> {
    pub(crate) channel_binding: Vec<u8>,
    pub(crate) nonce: &'a str,
    /// client-final-message-without-proof, verbatim (part of AuthMessage).
    pub(crate) without_proof: &'a str,
    pub(crate) proof: Vec<u8>,
}

/// Parses a client-final-message (server side).
pub(crate) fn parse_client_final<'a>(
    mech: &'static str,
    msg: &'a [u8],
) -> Result<ClientFinal<'a>, SaslError> {
    let msg = std::str::from_utf8(msg).map_err(|_| SaslError::InvalidUtf8 {
        field: "client-final-message",
    })?;
    let (without_proof, proof) = msg
        .rsplit_once(",p=")
        .ok_or(SaslError::malformed(mech, "client-final-message lacks p="))?;
    let proof = base64(mech, proof, "proof is not base64")?;
    let mut it = attrs(mech, without_proof);
    let cb = expect(mech, &mut it, b'c', "client-final-message lacks c=")?;
    let channel_binding = base64(mech, cb, "channel-binding data is not base64")?;
    let nonce = expect(mech, &mut it, b'r', "client-final-message lacks r=")?;
    extensions(it)?;
    Ok(ClientFinal {
        channel_binding,
        nonce,
        without_proof,
        proof,
    })
}

/// A parsed server-final-message.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum ServerFinal {
    Verifier(Vec<u8>),
    Error(String),
}

/// Parses a server-final-message (client side).
pub(crate) fn parse_server_final(mech: &'static str, msg: &[u8]) -> Result<ServerFinal, SaslError> {
    let msg = std::str::from_utf8(msg).map_err(|_| SaslError::InvalidUtf8 {
        field: "server-final-message",
    })?;
    let mut it = attrs(mech, msg);
    let first = match it.next() {
        Some(a) => a?,
        None => return Err(SaslError::malformed(mech, "empty server-final-message")),
    };
    let result = match first.name {
        b'v' => ServerFinal::Verifier(base64(mech, first.value, "verifier is not base64")?),
        b'e' => ServerFinal::Error(first.value.to_owned()),
        _ => {
            return Err(SaslError::malformed(
                mech,
                "server-final-message starts with neither v= nor e=",
            ));
        }
    };
    extensions(it)?;
    Ok(result)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_first_table() {
        let m = "SCRAM-SHA-1";
        let c = parse_client_first(m, b"n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL").unwrap();
        assert_eq!(
            (c.username.as_str(), c.nonce),
            ("user", "fyko+d2lbbFgONRv9qkxdawL")
        );
        assert_eq!(c.bare, "n=user,r=fyko+d2lbbFgONRv9qkxdawL");
        assert_eq!(c.gs2.raw, b"n,,");
        let c = parse_client_first(m, b"y,a=admin,n=u=2Cser,r=abc,x=ext").unwrap();
        assert_eq!(
            (c.username.as_str(), c.gs2.authzid.as_deref()),
            ("u,ser", Some("admin"))
        );
        let bad: &[(&[u8], SaslError)] = &[
            (b"n,,m=x,n=user,r=abc", SaslError::UnsupportedExtension),
            (
                b"n,,r=abc,n=user",
                SaslError::malformed(m, "client-first-message lacks n="),
            ),
            (
                b"n,,n=user",
                SaslError::malformed(m, "client-first-message lacks r="),
            ),
            (
                b"n,,n=user,r=",
                SaslError::malformed(m, "nonce is empty or not printable"),
            ),
            (
                b"n,,n=user,r=abc,junk",
                SaslError::malformed(m, "attribute is not of the form x=value"),
            ),
            (
                b"n,,n=\xff,r=abc",
                SaslError::InvalidUtf8 {
                    field: "client-first-message",
                },
            ),
        ];
        for (input, err) in bad {
            assert_eq!(parse_client_first(m, input).unwrap_err(), *err, "{input:?}");
        }
    }

    #[test]
    fn server_first_and_final() {
        let m = "SCRAM-SHA-1";
        let s = parse_server_first(m, "r=abcdef,s=QSXCR+Q6sek8bf92,i=4096").unwrap();
        assert_eq!((s.nonce, s.iterations, s.salt.len()), ("abcdef", 4096, 12));
        for bad in [
            "r=a,s=QSXC,i=0",
            "r=a,s=QSXC,i=01",
            "r=a,s=!!,i=1",
            "s=QSXC,r=a,i=1",
            "r=a,s=QSXC,i=99999999999",
        ] {
            assert!(parse_server_first(m, bad).is_err(), "{bad}");
        }
        assert_eq!(
            parse_server_final(m, b"v=AAAA").unwrap(),
            ServerFinal::Verifier(vec![0, 0, 0])
        );
        assert_eq!(
            parse_server_final(m, b"e=invalid-proof").unwrap(),
            ServerFinal::Error("invalid-proof".into())
        );
        assert!(parse_server_final(m, b"x=1").is_err());
        assert!(parse_server_final(m, b"").is_err());
    }

    #[test]
    fn client_final() {
        let m = "SCRAM-SHA-1";
        let c = parse_client_final(m, b"c=biws,r=abc,p=AAAA").unwrap();
        assert_eq!(
            (c.channel_binding.as_slice(), c.nonce),
            (&b"n,,"[..], "abc")
        );
        assert_eq!(
            (c.without_proof, c.proof.as_slice()),
            ("c=biws,r=abc", &[0u8, 0, 0][..])
        );
        for bad in [
            &b"c=biws,r=abc"[..],
            b"r=abc,c=biws,p=AAAA",
            b"c=biws,r=abc,p=!",
            b"p=AAAA",
        ] {
            assert!(parse_client_final(m, bad).is_err(), "{bad:?}");
        }
    }
}
