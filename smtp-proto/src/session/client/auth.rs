//! The client side of the AUTH exchange (RFC 4954 §4), driving a `sasl` client session.

use std::borrow::Cow;

use super::deps::{
    Command, EhloReply, Mechanism, Reply, SaslClient, SaslCredentials, SaslError, Secret,
    decode_challenge, encode_cancel, encode_initial_response, encode_response,
};
use super::error::ClientError;

/// RFC 4954 §4: an AUTH command line with its initial response must fit the 512-octet
/// command line limit of RFC 5321 §4.5.3.1.4, CRLF included; otherwise the response waits
/// for an empty `334` challenge.
const MAX_AUTH_LINE: usize = 512;

/// What the client logs in with, and with which SASL mechanisms.
#[derive(Debug, Clone)]
pub struct Credentials {
    /// The secret (password or token; never printed by `Debug`) and identities.
    pub sasl: SaslCredentials,
    /// The mechanisms to try, most preferred first; the first one the server offers is used.
    pub mechanisms: Vec<Mechanism>,
}

impl Credentials {
    /// A user name and password, preferring SCRAM-SHA-256, then SCRAM-SHA-1, PLAIN, LOGIN.
    pub fn password(username: &str, password: &str) -> Self {
        Self {
            sasl: SaslCredentials::password(username, password),
            mechanisms: vec![
                Mechanism::ScramSha256,
                Mechanism::ScramSha1,
                Mechanism::Plain,
                Mechanism::Login,
            ],
        }
    }

    /// Acts as `authzid` (the SASL authorization identity) once logged in.
    pub fn with_authzid(mut self, authzid: &str) -> Self {
        self.sasl = self.sasl.with_authzid(authzid);
        self
    }

    /// Uses only these mechanisms, in this order of preference.
    pub fn with_mechanisms(mut self, mechanisms: &[Mechanism]) -> Self {
        self.mechanisms = mechanisms.to_vec();
        self
    }
}

/// Where the exchange stands after a reply.
pub(super) enum AuthStep {
    /// A response was written; wait for the next reply.
    Continue,
    /// `235`: authenticated.
    Done,
}

/// One AUTH exchange in progress.
pub(super) struct AuthExchange {
    client: SaslClient,
    /// An initial response too long for the AUTH line, sent after the empty `334`.
    held_initial: Option<Vec<u8>>,
    /// The client gave up (sent `*`); the server's reply to that ends the exchange.
    cancelled: Option<SaslError>,
}

impl AuthExchange {
    /// Chooses the mechanism, writes the AUTH command to `out`.
    pub(super) fn start(
        credentials: &Credentials,
        ehlo: &EhloReply<'static>,
        allow_plaintext: bool,
        out: &mut Vec<u8>,
    ) -> Result<Self, ClientError> {
        let offered = ehlo.auth_mechanisms();
        let mechanism = credentials
            .mechanisms
            .iter()
            .copied()
            .filter(|m| allow_plaintext || !m.sends_reusable_credential())
            .find(|m| offered.iter().any(|o| o.eq_ignore_ascii_case(m.name())))
            .ok_or_else(|| ClientError::NoCommonMechanism {
                offered: offered.iter().map(|s| s.to_string()).collect(),
            })?;
        let mut client =
            SaslClient::new(mechanism, credentials.sasl.clone()).map_err(ClientError::Sasl)?;
        let mut held_initial = None;
        let mut initial_response = None;
        if let Some(ir) = client.initial_response() {
            let encoded = encode_initial_response(&ir);
            // "AUTH " + mechanism + " " + response + CRLF
            if 5 + mechanism.name().len() + 1 + encoded.len() + 2 <= MAX_AUTH_LINE {
                initial_response = Some(Secret::new(Cow::Owned(encoded.into_bytes())));
            } else {
                held_initial = Some(ir);
            }
        }
        Command::Auth {
            mechanism: Cow::Borrowed(mechanism.name()),
            initial_response,
        }
        .write_to(out);
        Ok(Self {
            client,
            held_initial,
            cancelled: None,
        })
    }

    /// Handles the server's reply; writes the next response, if any, to `out`.
    pub(super) fn on_reply(
        &mut self,
        reply: Reply<'static>,
        out: &mut Vec<u8>,
    ) -> Result<AuthStep, ClientError> {
        if let Some(err) = self.cancelled.take() {
            return Err(ClientError::Sasl(err));
        }
        if reply.code.get() == 235 {
            // SCRAM: the server must have proved it knows the password.
            self.client.finish().map_err(ClientError::Sasl)?;
            return Ok(AuthStep::Done);
        }
        if reply.code.get() != 334 {
            return Err(ClientError::AuthFailed(reply));
        }
        let text = reply.text();
        if let Some(ir) = self.held_initial.take()
            && text.trim().is_empty()
        {
            encode_response(&ir, out);
            return Ok(AuthStep::Continue);
        }
        let challenge =
            decode_challenge(text.as_bytes()).map_err(ClientError::MalformedChallenge)?;
        match self.client.step(&challenge) {
            Ok(response) => encode_response(&response, out),
            Err(err) => {
                encode_cancel(out);
                self.cancelled = Some(err);
            }
        }
        Ok(AuthStep::Continue)
    }
}
