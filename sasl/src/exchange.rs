//! [`Exchange`]: one connection's SASL exchange run against a [`CredentialStore`], the glue every
//! protocol server's driver needs (SMTP AUTH, RFC 4954; POP3 AUTH, RFC 5034; IMAP AUTHENTICATE,
//! RFC 9051 §6.2.2).

use crate::{CredentialStore, Mechanism, ServerSession, ServerStep};

/// What a server answers after one step of an [`Exchange`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExchangeStep {
    /// Send this challenge (the protocol base64-encodes it) and wait for the client's response.
    Challenge(Vec<u8>),
    /// Authenticated as `identity` (the authorization identity when the client gave one).
    Success {
        /// Who the client is now.
        identity: String,
    },
    /// Refused: wrong credentials, a malformed message, or a cancelled exchange. Unknown users
    /// and wrong secrets are not told apart.
    Failure,
    /// The credential store could not answer: the client may retry later.
    Temporary,
}

/// The SASL exchange of one connection: starts a mechanism, feeds it the client's responses, and
/// answers its questions from the application's [`CredentialStore`].
#[derive(Debug, Default)]
pub struct Exchange {
    session: Option<ServerSession>,
}

impl Exchange {
    /// An exchange with no mechanism started.
    pub fn new() -> Self {
        Self::default()
    }

    /// One step: with `first`, starts `mechanism` with the client's initial response (if it
    /// sent one); otherwise feeds `response` to the running mechanism. Once the exchange ends
    /// (success or not) a new one may start.
    pub async fn step(
        &mut self,
        mechanism: Mechanism,
        first: bool,
        response: Option<&[u8]>,
        store: &dyn CredentialStore,
    ) -> ExchangeStep {
        let result = if first {
            let session = self.session.insert(ServerSession::new(mechanism));
            session.start_with(response, store).await
        } else {
            match self.session.as_mut() {
                Some(session) => session.step_with(response.unwrap_or_default(), store).await,
                None => return ExchangeStep::Failure,
            }
        };
        match result {
            Ok(ServerStep::Challenge(challenge)) => return ExchangeStep::Challenge(challenge),
            Ok(ServerStep::Success(auth)) => {
                self.session = None;
                return ExchangeStep::Success {
                    identity: auth.user().to_owned(),
                };
            }
            Err(error) if error.is_temporary() => {
                self.session = None;
                return ExchangeStep::Temporary;
            }
            // `NeedCredentials` is never returned by the `*_with` methods.
            Ok(ServerStep::NeedCredentials(_)) | Err(_) => {}
        }
        self.session = None;
        ExchangeStep::Failure
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ClientSession, Credentials, MemoryStore};

    fn block_on<F: std::future::Future>(f: F) -> F::Output {
        // The store answers at once: poll to completion without a runtime.
        let waker = std::task::Waker::noop();
        let mut cx = std::task::Context::from_waker(waker);
        let mut f = std::pin::pin!(f);
        loop {
            if let std::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) {
                return v;
            }
        }
    }

    #[test]
    fn plain_success_and_failure() {
        let store = MemoryStore::new()
            .with_iterations(64)
            .with_user("alice", "pw");
        let mut ex = Exchange::new();
        let ok = block_on(ex.step(Mechanism::Plain, true, Some(b"\0alice\0pw"), &store));
        assert_eq!(
            ok,
            ExchangeStep::Success {
                identity: "alice".into()
            }
        );
        let bad = block_on(ex.step(Mechanism::Plain, true, Some(b"\0alice\0no"), &store));
        assert_eq!(bad, ExchangeStep::Failure);
        // A response without a started exchange fails.
        let stray = block_on(ex.step(Mechanism::Plain, false, Some(b"x"), &store));
        assert_eq!(stray, ExchangeStep::Failure);
    }

    #[test]
    fn scram_sha256_round_trip() {
        let store = MemoryStore::new()
            .with_iterations(64)
            .with_user("user", "pencil");
        let mut client = ClientSession::new(
            Mechanism::ScramSha256,
            Credentials::password("user", "pencil"),
        )
        .expect("client");
        let mut ex = Exchange::new();
        let first = client.initial_response();
        let mut step = block_on(ex.step(Mechanism::ScramSha256, true, first.as_deref(), &store));
        let mut rounds = 0;
        while let ExchangeStep::Challenge(challenge) = step {
            rounds += 1;
            assert!(rounds < 5, "too many rounds");
            let response = client.step(&challenge).expect("client step");
            step = block_on(ex.step(Mechanism::ScramSha256, false, Some(&response), &store));
        }
        assert_eq!(
            step,
            ExchangeStep::Success {
                identity: "user".into()
            }
        );
    }
}
