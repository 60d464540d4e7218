//! Sans-IO session state machines.
//!
//! [`server`]: the SMTP/LMTP server session ([`ServerSession`]); the `server` cargo feature adds a tokio
//! driver around it in `crate::server`.

pub mod client;
pub mod server;

pub use server::{
    AuthOutcome, AuthStep, CloseReason, DataEnd, Decision, Event, Extensions, Protocol,
    ServerConfig, ServerError, ServerSession,
};
