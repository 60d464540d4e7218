//! AUTH glue: runs the `sasl` crate's [`sasl::Exchange`] against the application's credential store.

use std::sync::Arc;

use crate::session::server::deps::sasl;
use crate::session::server::{AuthOutcome, AuthStep, reply};

/// The SASL exchange of one connection.
#[derive(Default)]
pub(crate) struct Sasl {
    exchange: sasl::Exchange,
}

impl Sasl {
    /// Runs one step; `store` is the application's [`sasl::CredentialStore`], whose password
    /// checks run on the blocking pool ([`mail_net::BlockingCredentials`]). A failure is
    /// answered after the policy's [`sasl::AuthPolicy::failure_delay`].
    pub(crate) async fn step(
        &mut self,
        step: AuthStep,
        store: Option<Arc<dyn sasl::CredentialStore>>,
        policy: &sasl::AuthPolicy,
    ) -> AuthOutcome {
        let Some(store) = store else {
            return AuthOutcome::Reply(reply(454, (4, 7, 0), "authentication not available"));
        };
        let store = mail_net::BlockingCredentials::new(store);
        let response = step.response.as_ref().map(|r| r.expose().as_slice());
        match self
            .exchange
            .step(step.mechanism, step.first, response, &store)
            .await
        {
            sasl::ExchangeStep::Challenge(challenge) => AuthOutcome::Challenge(challenge),
            sasl::ExchangeStep::Success { identity } => AuthOutcome::Success { identity },
            sasl::ExchangeStep::Temporary => {
                let (code, enhanced, text) = crate::auth::TEMPORARY_FAILURE;
                AuthOutcome::Reply(reply(code, enhanced, text))
            }
            sasl::ExchangeStep::Failure => {
                tokio::time::sleep(policy.failure_delay).await;
                AuthOutcome::Failure
            }
        }
    }
}
