//! LOGIN (RFC 9051 §6.2.3) and AUTHENTICATE (RFC 9051 §6.2.2, RFC 4959 SASL-IR): the session
//! frames the exchange, the driver checks the credentials ([`sasl::Exchange`]).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use sasl::Secret;

use super::*;
use crate::token::{AString, Atom};

impl ServerSession {
    /// `LOGIN user password`: refused without TLS unless the policy allows plaintext.
    pub(super) fn login(
        &mut self,
        tag: Tag<'static>,
        username: AString<'_>,
        password: Secret<AString<'_>>,
    ) -> Option<Event> {
        if !self.config.auth.plaintext_allowed(self.stats.tls) {
            self.tagged(
                tag,
                StatusKind::No,
                Some(Code::PrivacyRequired),
                "LOGIN is disabled without TLS",
            );
            return None;
        }
        let user = String::from_utf8_lossy(username.as_bytes()).into_owned();
        let password =
            Secret::new(String::from_utf8_lossy(password.expose().as_bytes()).into_owned());
        self.input.awaiting = Some(Awaiting::Auth {
            tag,
            mechanism: None,
        });
        Some(Event::Login { user, password })
    }

    /// `AUTHENTICATE mechanism [initial-response]`.
    pub(super) fn authenticate(
        &mut self,
        tag: Tag<'static>,
        name: &Atom<'_>,
        initial_response: Option<Secret<Vec<u8>>>,
    ) -> Option<Event> {
        let offered = Mechanism::from_name(name.as_str())
            .ok()
            .filter(|m| self.config.sasl_mechanisms.contains(m));
        let Some(mechanism) = offered else {
            self.tagged(
                tag,
                StatusKind::No,
                None,
                "Unsupported authentication mechanism",
            );
            return None;
        };
        if mechanism.sends_reusable_credential()
            && !self.config.auth.plaintext_allowed(self.stats.tls)
        {
            self.tagged(
                tag,
                StatusKind::No,
                Some(Code::PrivacyRequired),
                "This mechanism is disabled without TLS",
            );
            return None;
        }
        self.input.awaiting = Some(Awaiting::Auth {
            tag,
            mechanism: Some(mechanism),
        });
        Some(Event::Auth(AuthStep {
            mechanism,
            first: true,
            response: initial_response,
        }))
    }

    /// A step of the assembler during an AUTHENTICATE exchange: the client's base64 response,
    /// or `*` to cancel (RFC 9051 §6.2.2).
    pub(super) fn sasl_frame(&mut self, got: Got) -> Option<Event> {
        let Phase::Sasl { tag, mechanism } =
            std::mem::replace(&mut self.input.phase, Phase::Commands)
        else {
            return None;
        };
        let line = match got {
            Got::Message => self.input.line.strip_suffix(b"\r\n").unwrap_or_default(),
            Got::TooBig { .. } => {
                self.bad(
                    Some(tag),
                    Some(Code::TooBig),
                    "Authentication response too long",
                );
                return None;
            }
            got => {
                if let Got::Announced { .. } = got {
                    let _ = self.input.asm.refuse();
                }
                self.bad(Some(tag), None, "Invalid authentication response");
                return None;
            }
        };
        if line == b"*" {
            self.bad(Some(tag), None, "Authentication cancelled");
            return None;
        }
        let Ok(response) = BASE64.decode(line) else {
            self.bad(
                Some(tag),
                None,
                "Invalid base64 in the authentication response",
            );
            return None;
        };
        self.input.awaiting = Some(Awaiting::Auth {
            tag,
            mechanism: Some(mechanism),
        });
        Some(Event::Auth(AuthStep {
            mechanism,
            first: false,
            response: Some(Secret::new(response)),
        }))
    }

    /// The answer to [`Event::Login`] and [`Event::Auth`].
    pub fn auth_outcome(&mut self, outcome: AuthOutcome) -> Result<(), SessionError> {
        let Some(Awaiting::Auth { mechanism, .. }) = &self.input.awaiting else {
            return Err(SessionError::Unexpected("auth_outcome"));
        };
        if matches!(outcome, AuthOutcome::Challenge(_)) && mechanism.is_none() {
            return Err(SessionError::Unexpected(
                "auth_outcome(Challenge) for LOGIN",
            ));
        }
        let Some(Awaiting::Auth { tag, mechanism }) = self.input.awaiting.take() else {
            return Err(SessionError::Unexpected("auth_outcome"));
        };
        match outcome {
            AuthOutcome::Challenge(challenge) => {
                let mut line = Vec::with_capacity(challenge.len() * 4 / 3 + 8);
                line.extend_from_slice(b"+ ");
                line.extend_from_slice(BASE64.encode(&challenge).as_bytes());
                line.extend_from_slice(b"\r\n");
                self.output.raw(&line);
                if let Some(mechanism) = mechanism {
                    self.input.phase = Phase::Sasl { tag, mechanism };
                }
            }
            AuthOutcome::Success { identity } => {
                self.stats.user = Some(identity.clone());
                self.input.queued = Some(Event::OpenAccount { user: identity });
                self.input.awaiting = Some(Awaiting::Account { tag: Some(tag) });
            }
            AuthOutcome::Failure => {
                self.input.auth_failures += 1;
                self.tagged(
                    tag,
                    StatusKind::No,
                    Some(Code::AuthenticationFailed),
                    "Authentication failed",
                );
                if self.config.auth.failure_closes(self.input.auth_failures) {
                    self.close(CloseReason::TooManyAuthFailures);
                }
            }
            AuthOutcome::Temporary => self.tagged(
                tag,
                StatusKind::No,
                Some(Code::Unavailable),
                "Authentication temporarily unavailable, try again later",
            ),
        }
        Ok(())
    }

    /// The answer to [`Event::OpenAccount`]: on success the LOGIN/AUTHENTICATE completes with
    /// `OK [CAPABILITY ...]` and the state is AUTHENTICATED. On failure the command gets
    /// `NO [UNAVAILABLE]` or `NO [AUTHORIZATIONFAILED]` and the state stays NOT AUTHENTICATED;
    /// a PREAUTH session closes with `* BYE`.
    pub fn account_opened(&mut self, result: Result<(), AccountError>) -> Result<(), SessionError> {
        if self.input.queued.is_some() {
            return Err(SessionError::Unexpected("account_opened"));
        }
        let Some(Awaiting::Account { tag }) = self.input.awaiting.take() else {
            return Err(SessionError::Unexpected("account_opened"));
        };
        match (result, tag) {
            (Ok(()), tag) => {
                self.state = State::Authenticated;
                if let Some(tag) = tag {
                    let caps = self.capabilities();
                    self.tagged(
                        tag,
                        StatusKind::Ok,
                        Some(Code::Capability(caps)),
                        "Logged in",
                    );
                }
            }
            (Err(error), Some(tag)) => {
                self.stats.user = None;
                let (code, text) = match error {
                    AccountError::Temporary => {
                        (Code::Unavailable, "Mailboxes temporarily unavailable")
                    }
                    AccountError::Permanent => (Code::AuthorizationFailed, "No mailboxes"),
                };
                self.tagged(tag, StatusKind::No, Some(code), text);
            }
            (Err(_), None) => self.close(CloseReason::StorageFailed),
        }
        Ok(())
    }
}
