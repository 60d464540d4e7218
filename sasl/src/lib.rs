//! SASL mechanisms shared by the SMTP, POP3 and IMAP crates: PLAIN (RFC 4616),
//! LOGIN (draft-murchison-sasl-login), SCRAM-SHA-1 and SCRAM-SHA-256
//! (RFC 5802, RFC 7677), OAUTHBEARER (RFC 7628) and XOAUTH2, on both sides.
//!
//! # Design
//! Sans-IO: a [`ServerSession`] or [`ClientSession`] is a value fed raw
//! (already base64-decoded) messages; the protocol crate owns the framing
//! (SMTP `334`, IMAP `+`, POP3 `+`), the sockets and the time-outs. A server
//! mechanism never awaits: when it needs the application's
//! [`CredentialStore`] it returns [`ServerStep::NeedCredentials`] and the
//! driver feeds the answer back, or the driver calls the async convenience
//! [`ServerSession::step_with`], which does that loop itself.
//!
//! Credentials travel in [`Secret`], whose `Debug` prints `[redacted]`; SCRAM
//! stores keep [`ScramSecrets`] (salt, iterations, StoredKey, ServerKey),
//! never the password.
//!
//! # Example: SCRAM-SHA-256 end to end
//! ```
//! use sasl::{ClientSession, Credentials, MemoryStore, Mechanism, ServerSession, ServerStep};
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! let store = MemoryStore::new().with_user("user", "pencil");
//! let mut client = ClientSession::new(Mechanism::ScramSha256, Credentials::password("user", "pencil")).unwrap();
//! let mut server = ServerSession::new(Mechanism::ScramSha256);
//! let mut step = server.start_with(client.initial_response().as_deref(), &store).await.unwrap();
//! let auth = loop {
//!     match step {
//!         ServerStep::Challenge(c) => {
//!             let response = client.step(&c).unwrap();
//!             step = server.step_with(&response, &store).await.unwrap();
//!         }
//!         ServerStep::Success(auth) => break auth,
//!         ServerStep::NeedCredentials(_) => unreachable!("step_with answers these"),
//!     }
//! };
//! client.finish().unwrap(); // the server proved it knows the password
//! assert_eq!(auth.user(), "user");
//! # });
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod client;
mod error;
mod exchange;
mod gs2;
mod mechanism;
mod oauth;
mod plain;
mod policy;
mod scram;
mod secret;
mod server;
mod store;

pub use client::{ClientSession, Credentials};
pub use error::SaslError;
pub use exchange::{Exchange, ExchangeStep};
pub use mechanism::Mechanism;
pub use policy::AuthPolicy;
pub use scram::{ScramHash, ScramSecrets};
pub use secret::Secret;
pub use server::{Authenticated, CredentialAnswer, CredentialRequest, ServerSession, ServerStep};
pub use store::{CredentialError, CredentialStore, MemoryStore};
