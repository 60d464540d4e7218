//! SCRAM client side (RFC 5802 §3, §5): state between the messages.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use super::message::{ServerFinal, parse_server_final, parse_server_first};
use super::{ScramHash, ScramSecrets, ct_eq, xor};
use crate::SaslError;
use crate::gs2::{build_gs2_header, encode_saslname};

/// The client's state after sending the client-first-message.
#[derive(Debug)]
pub(crate) struct AfterClientFirst {
    hash: ScramHash,
    gs2_header: String,
    bare: String,
    nonce: String,
}

/// Builds the client-first-message `gs2-header n=user,r=nonce`.
pub(crate) fn client_first(
    hash: ScramHash,
    username: &str,
    authzid: Option<&str>,
    nonce: String,
) -> (AfterClientFirst, Vec<u8>) {
    let gs2_header = build_gs2_header(authzid);
    let bare = format!("n={},r={nonce}", encode_saslname(username));
    let msg = format!("{gs2_header}{bare}").into_bytes();
    (
        AfterClientFirst {
            hash,
            gs2_header,
            bare,
            nonce,
        },
        msg,
    )
}

/// The client's state after sending the client-final-message: the server
/// signature it expects.
pub(crate) struct AfterClientFinal {
    server_signature: Vec<u8>,
}

impl std::fmt::Debug for AfterClientFinal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AfterClientFinal { .. }")
    }
}

/// Answers the server-first-message with the client-final-message.
pub(crate) fn client_final(
    state: &AfterClientFirst,
    password: &str,
    server_first: &[u8],
) -> Result<(AfterClientFinal, Vec<u8>), SaslError> {
    let hash = state.hash;
    let server_first = std::str::from_utf8(server_first).map_err(|_| SaslError::InvalidUtf8 {
        field: "server-first-message",
    })?;
    let s = parse_server_first(hash.mechanism_name(), server_first)?;
    if s.nonce.len() <= state.nonce.len() || !s.nonce.starts_with(&state.nonce) {
        return Err(SaslError::BadNonce);
    }
    let salted = hash.hi(password.as_bytes(), &s.salt, s.iterations);
    let secrets = ScramSecrets::from_salted_password(&salted, &s.salt, s.iterations, hash);
    let client_key = hash.hmac(&salted, b"Client Key");
    let without_proof = format!(
        "c={},r={}",
        STANDARD.encode(state.gs2_header.as_bytes()),
        s.nonce
    );
    let auth_message = format!("{},{server_first},{without_proof}", state.bare);
    let client_signature = hash.hmac(&secrets.stored_key, auth_message.as_bytes());
    let proof = xor(&client_key, &client_signature);
    let server_signature = hash.hmac(&secrets.server_key, auth_message.as_bytes());
    let msg = format!("{without_proof},p={}", STANDARD.encode(proof)).into_bytes();
    Ok((AfterClientFinal { server_signature }, msg))
}

/// Checks the server-final-message's signature.
pub(crate) fn verify_server_final(
    hash: ScramHash,
    state: &AfterClientFinal,
    server_final: &[u8],
) -> Result<(), SaslError> {
    match parse_server_final(hash.mechanism_name(), server_final)? {
        ServerFinal::Error(e) => Err(SaslError::ServerError(e)),
        ServerFinal::Verifier(v) if ct_eq(&v, &state.server_signature) => Ok(()),
        ServerFinal::Verifier(_) => Err(SaslError::InvalidServerSignature),
    }
}
