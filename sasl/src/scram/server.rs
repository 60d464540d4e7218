//! SCRAM server side (RFC 5802 §3, §5): state between the messages.

use std::sync::OnceLock;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use super::message::{parse_client_final, parse_client_first};
use super::{ScramHash, ScramSecrets, ct_eq, random_nonce, xor};
use crate::SaslError;
use crate::gs2::CbindFlag;

/// What the server knows after the client-first-message.
#[derive(Debug)]
pub(crate) struct AfterClientFirst {
    pub(crate) hash: ScramHash,
    pub(crate) gs2_header: Vec<u8>,
    pub(crate) client_first_bare: String,
    pub(crate) client_nonce: String,
    pub(crate) username: String,
    pub(crate) authzid: Option<String>,
}

/// Parses the client-first-message (refusing `p=` channel binding and `m=`).
pub(crate) fn client_first(hash: ScramHash, msg: &[u8]) -> Result<AfterClientFirst, SaslError> {
    let c = parse_client_first(hash.mechanism_name(), msg)?;
    if let CbindFlag::Required(name) = c.gs2.cbind {
        return Err(SaslError::UnsupportedChannelBinding(name));
    }
    Ok(AfterClientFirst {
        hash,
        gs2_header: c.gs2.raw.to_vec(),
        client_first_bare: c.bare.to_owned(),
        client_nonce: c.nonce.to_owned(),
        username: c.username,
        authzid: c.gs2.authzid,
    })
}

/// What the server knows after sending its server-first-message.
pub(crate) struct AfterServerFirst {
    first: AfterClientFirst,
    secrets: ScramSecrets,
    /// `false` when the secrets are faked for an unknown user.
    known: bool,
    nonce: String,
    server_first: String,
}

impl std::fmt::Debug for AfterServerFirst {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AfterServerFirst")
            .field("username", &self.first.username)
            .field("server_first", &self.server_first)
            .finish_non_exhaustive()
    }
}

/// Builds the server-first-message from the user's secrets (`None` for an
/// unknown user: a salt derived from the name under a per-process key, so a
/// client asking twice sees the same salt, and keys that match nothing).
pub(crate) fn server_first(
    first: AfterClientFirst,
    secrets: Option<ScramSecrets>,
    server_nonce: Option<&str>,
) -> (AfterServerFirst, Vec<u8>) {
    let (secrets, known) = match secrets {
        Some(s) if s.hash == first.hash => (s, true),
        _ => (fake_secrets(first.hash, &first.username), false),
    };
    let nonce = format!(
        "{}{}",
        first.client_nonce,
        server_nonce.map_or_else(random_nonce, str::to_owned)
    );
    let server_first = format!(
        "r={nonce},s={},i={}",
        STANDARD.encode(&secrets.salt),
        secrets.iterations
    );
    let out = server_first.clone().into_bytes();
    (
        AfterServerFirst {
            first,
            secrets,
            known,
            nonce,
            server_first,
        },
        out,
    )
}

fn fake_secrets(hash: ScramHash, username: &str) -> ScramSecrets {
    static KEY: OnceLock<String> = OnceLock::new();
    let key = KEY.get_or_init(random_nonce);
    let salt = ScramHash::Sha256.hmac(key.as_bytes(), username.as_bytes());
    let junk = hash.hmac(key.as_bytes(), b"no such user");
    ScramSecrets {
        hash,
        salt: salt.get(..16).unwrap_or_default().to_vec(),
        iterations: 4096,
        stored_key: junk.clone(),
        server_key: junk,
    }
}

/// The outcome of a verified client-final-message.
#[derive(Debug)]
pub(crate) struct Verified {
    pub(crate) username: String,
    pub(crate) authzid: Option<String>,
    /// The server-final-message `v=...` to send.
    pub(crate) server_final: Vec<u8>,
}

/// Verifies the client-final-message: channel binding, nonce, proof.
pub(crate) fn client_final(state: AfterServerFirst, msg: &[u8]) -> Result<Verified, SaslError> {
    let hash = state.first.hash;
    let c = parse_client_final(hash.mechanism_name(), msg)?;
    if c.channel_binding != state.first.gs2_header {
        return Err(SaslError::ChannelBindingMismatch);
    }
    if c.nonce != state.nonce {
        return Err(SaslError::BadNonce);
    }
    let auth_message = format!(
        "{},{},{}",
        state.first.client_first_bare, state.server_first, c.without_proof
    );
    let client_signature = hash.hmac(&state.secrets.stored_key, auth_message.as_bytes());
    let proof_ok = c.proof.len() == hash.output_len() && {
        let client_key = xor(&c.proof, &client_signature);
        ct_eq(&hash.hash(&client_key), &state.secrets.stored_key)
    };
    if !(proof_ok && state.known) {
        return Err(SaslError::InvalidProof);
    }
    let server_signature = hash.hmac(&state.secrets.server_key, auth_message.as_bytes());
    Ok(Verified {
        username: state.first.username,
        authzid: state.first.authzid,
        server_final: format!("v={}", STANDARD.encode(server_signature)).into_bytes(),
    })
}
