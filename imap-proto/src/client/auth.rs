//! AUTHENTICATE's exchange (RFC 9051 §6.2.2) on [`sasl::ClientSession`]: base64 both ways,
//! `=` for an empty initial response (RFC 4959 §3), `*` to cancel (RFC 9051 §6.2.2).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

/// One AUTHENTICATE in progress.
#[derive(Debug)]
pub(crate) struct AuthState {
    sasl: sasl::ClientSession,
    /// Why the client cancelled the exchange, if it did.
    cancelled: Option<sasl::SaslError>,
}

impl AuthState {
    pub(crate) fn new(sasl: sasl::ClientSession) -> Self {
        AuthState {
            sasl,
            cancelled: None,
        }
    }

    /// The initial response for SASL-IR, base64 (`=` when empty), if the mechanism has one.
    pub(crate) fn initial_response(&mut self) -> Option<Vec<u8>> {
        let ir = self.sasl.initial_response()?;
        Some(if ir.is_empty() {
            b"=".to_vec()
        } else {
            STANDARD.encode(ir).into_bytes()
        })
    }

    /// The answer to a continuation request's (base64) challenge, without CRLF: the base64
    /// response, or `*` to cancel when the challenge is not base64 or the mechanism refuses it.
    pub(crate) fn answer(&mut self, challenge: &[u8]) -> Vec<u8> {
        if self.cancelled.is_some() {
            return b"*".to_vec();
        }
        let challenge = challenge.trim_ascii();
        let decoded = match STANDARD.decode(challenge) {
            Ok(d) => d,
            Err(_) => {
                self.cancelled = Some(sasl::SaslError::Malformed {
                    mechanism: self.sasl.mechanism().name(),
                    what: "challenge is not base64",
                });
                return b"*".to_vec();
            }
        };
        match self.sasl.step(&decoded) {
            Ok(r) => STANDARD.encode(r).into_bytes(),
            Err(e) => {
                self.cancelled = Some(e);
                b"*".to_vec()
            }
        }
    }

    /// On the server's OK: whether the mechanism completed (SCRAM: the server proved it
    /// knows the password).
    pub(crate) fn finish(&self) -> Result<(), sasl::SaslError> {
        if let Some(e) = &self.cancelled {
            return Err(e.clone());
        }
        self.sasl.finish()
    }
}
