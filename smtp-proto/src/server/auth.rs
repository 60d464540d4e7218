//! AUTH glue: runs the `sasl` crate's server mechanism against the application's credential store.

use crate::session::server::deps::sasl;
use crate::session::server::{AuthOutcome, AuthStep, reply};

/// The SASL exchange of one connection.
#[derive(Default)]
pub(crate) struct Sasl {
    exchange: Option<sasl::ServerSession>,
}

impl Sasl {
    /// Runs one step; `store` is the application's [`sasl::CredentialStore`].
    pub(crate) async fn step(
        &mut self,
        step: AuthStep,
        store: Option<&dyn sasl::CredentialStore>,
    ) -> AuthOutcome {
        let Some(store) = store else {
            return AuthOutcome::Reply(reply(454, (4, 7, 0), "authentication not available"));
        };
        let result = if step.first {
            let exchange = self
                .exchange
                .insert(sasl::ServerSession::new(step.mechanism));
            exchange.start_with(step.response.as_deref(), store).await
        } else {
            match self.exchange.as_mut() {
                Some(exchange) => {
                    exchange
                        .step_with(step.response.as_deref().unwrap_or_default(), store)
                        .await
                }
                None => return AuthOutcome::Failure,
            }
        };
        match result {
            Ok(sasl::ServerStep::Challenge(challenge)) => AuthOutcome::Challenge(challenge),
            Ok(sasl::ServerStep::Success(auth)) => {
                self.exchange = None;
                AuthOutcome::Success {
                    identity: auth.user().to_owned(),
                }
            }
            Err(error) if error.is_temporary() => {
                self.exchange = None;
                let (code, enhanced, text) = crate::auth::TEMPORARY_FAILURE;
                AuthOutcome::Reply(reply(code, enhanced, text))
            }
            #[allow(unreachable_patterns)]
            _ => {
                self.exchange = None;
                AuthOutcome::Failure
            }
        }
    }
}
