//! SCRAM (RFC 5802, RFC 7677): shared crypto, secrets and message grammar.
//!
//! The server side is [`server`], the client side [`client`]; both are driven
//! through [`crate::ServerSession`] and [`crate::ClientSession`].

pub(crate) mod client;
pub(crate) mod message;
pub(crate) mod server;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use sha1::Sha1;
use sha2::{Digest, Sha256};

/// The hash function of a SCRAM mechanism.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ScramHash {
    /// SHA-1 (`SCRAM-SHA-1`, RFC 5802).
    Sha1,
    /// SHA-256 (`SCRAM-SHA-256`, RFC 7677).
    Sha256,
}

impl ScramHash {
    /// The mechanism name (`"SCRAM-SHA-1"` / `"SCRAM-SHA-256"`).
    pub fn mechanism_name(self) -> &'static str {
        match self {
            ScramHash::Sha1 => "SCRAM-SHA-1",
            ScramHash::Sha256 => "SCRAM-SHA-256",
        }
    }

    /// The output length of the hash in octets.
    pub fn output_len(self) -> usize {
        match self {
            ScramHash::Sha1 => 20,
            ScramHash::Sha256 => 32,
        }
    }

    /// `H(data)`.
    pub(crate) fn hash(self, data: &[u8]) -> Vec<u8> {
        match self {
            ScramHash::Sha1 => Sha1::digest(data).to_vec(),
            ScramHash::Sha256 => Sha256::digest(data).to_vec(),
        }
    }

    /// `HMAC(key, data)`.
    pub(crate) fn hmac(self, key: &[u8], data: &[u8]) -> Vec<u8> {
        // HMAC accepts keys of any length, so `new_from_slice` cannot fail;
        // an empty output would make every later comparison fail closed.
        match self {
            ScramHash::Sha1 => Hmac::<Sha1>::new_from_slice(key)
                .map(|mut m| {
                    m.update(data);
                    m.finalize().into_bytes().to_vec()
                })
                .unwrap_or_default(),
            ScramHash::Sha256 => Hmac::<Sha256>::new_from_slice(key)
                .map(|mut m| {
                    m.update(data);
                    m.finalize().into_bytes().to_vec()
                })
                .unwrap_or_default(),
        }
    }

    /// `Hi(password, salt, i)`: PBKDF2 with HMAC-H (RFC 5802 §2.2).
    pub(crate) fn hi(self, password: &[u8], salt: &[u8], iterations: u32) -> Vec<u8> {
        let mut out = vec![0u8; self.output_len()];
        match self {
            ScramHash::Sha1 => pbkdf2::pbkdf2_hmac::<Sha1>(password, salt, iterations, &mut out),
            ScramHash::Sha256 => {
                pbkdf2::pbkdf2_hmac::<Sha256>(password, salt, iterations, &mut out)
            }
        }
        out
    }
}

/// What a server stores for a SCRAM user instead of the password
/// (RFC 5802 §3): the salt, the iteration count, `StoredKey` and `ServerKey`.
///
/// `StoredKey = H(ClientKey)` and `ServerKey = HMAC(SaltedPassword, "Server Key")`
/// let the server check the client's proof and prove itself in turn, but do
/// not let anyone who steals them log in elsewhere with the password.
#[derive(Clone, PartialEq, Eq)]
pub struct ScramSecrets {
    /// The hash function these secrets were derived with.
    pub hash: ScramHash,
    /// The salt (raw octets, not base64).
    pub salt: Vec<u8>,
    /// The PBKDF2 iteration count (RFC 7677 asks for at least 4096).
    pub iterations: u32,
    /// `StoredKey := H(ClientKey)`.
    pub stored_key: Vec<u8>,
    /// `ServerKey := HMAC(SaltedPassword, "Server Key")`.
    pub server_key: Vec<u8>,
}

impl std::fmt::Debug for ScramSecrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScramSecrets")
            .field("hash", &self.hash)
            .field("salt", &STANDARD.encode(&self.salt))
            .field("iterations", &self.iterations)
            .field("stored_key", &"[redacted]")
            .field("server_key", &"[redacted]")
            .finish()
    }
}

impl ScramSecrets {
    /// Derives the secrets from a password (RFC 5802 §3):
    /// `SaltedPassword := Hi(password, salt, i)`,
    /// `ClientKey := HMAC(SaltedPassword, "Client Key")`,
    /// `StoredKey := H(ClientKey)`, `ServerKey := HMAC(SaltedPassword, "Server Key")`.
    ///
    /// The password is used as given: SASLprep (RFC 4013) is not applied, so
    /// clients and stores must agree on the same normalisation (ASCII
    /// passwords are unaffected).
    pub fn derive(password: &str, salt: &[u8], iterations: u32, hash: ScramHash) -> Self {
        let salted = hash.hi(password.as_bytes(), salt, iterations);
        Self::from_salted_password(&salted, salt, iterations, hash)
    }

    /// Derives the secrets from an already computed `SaltedPassword`.
    pub fn from_salted_password(
        salted_password: &[u8],
        salt: &[u8],
        iterations: u32,
        hash: ScramHash,
    ) -> Self {
        let client_key = hash.hmac(salted_password, b"Client Key");
        ScramSecrets {
            hash,
            salt: salt.to_vec(),
            iterations,
            stored_key: hash.hash(&client_key),
            server_key: hash.hmac(salted_password, b"Server Key"),
        }
    }

    /// Checks a plaintext password against these secrets (for PLAIN/LOGIN
    /// logins against a store that keeps only SCRAM secrets).
    pub fn verify_password(&self, password: &str) -> bool {
        let other = Self::derive(password, &self.salt, self.iterations, self.hash);
        ct_eq(&other.stored_key, &self.stored_key)
    }
}

/// Compares two byte strings in time that depends only on their lengths.
pub(crate) fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// `a XOR b` over the shorter length.
pub(crate) fn xor(a: &[u8], b: &[u8]) -> Vec<u8> {
    a.iter().zip(b).map(|(x, y)| x ^ y).collect()
}

/// A fresh printable nonce: 24 random octets in base64 (no `,`).
pub(crate) fn random_nonce() -> String {
    let mut raw = [0u8; 24];
    // If the OS random source fails, fall back to a time-derived value rather
    // than panicking; the exchange stays correct, only less unpredictable.
    if getrandom::fill(&mut raw).is_err() {
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        let h = Sha256::digest(t.to_le_bytes());
        raw.copy_from_slice(&h[..24]);
    }
    STANDARD.encode(raw)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc5802_derived_keys() {
        // RFC 5802 §5: salt QSXCR+Q6sek8bf92, i=4096, password "pencil".
        let salt = STANDARD.decode("QSXCR+Q6sek8bf92").unwrap();
        let s = ScramSecrets::derive("pencil", &salt, 4096, ScramHash::Sha1);
        assert_eq!(s.stored_key.len(), 20);
        assert!(s.verify_password("pencil"));
        assert!(!s.verify_password("pencil2"));
        assert!(format!("{s:?}").contains("[redacted]"));
    }

    #[test]
    fn ct_eq_and_xor() {
        assert!(ct_eq(b"abc", b"abc"));
        assert!(!ct_eq(b"abc", b"abd"));
        assert!(!ct_eq(b"abc", b"ab"));
        assert_eq!(xor(&[1, 2, 3], &[1, 0, 2]), vec![0, 2, 1]);
        let n = random_nonce();
        assert!(n.len() == 32 && !n.contains(','));
        assert_ne!(n, random_nonce());
    }
}
