//! Sans-IO session state machines, one per side. Neither touches a socket: a driver feeds them
//! bytes, answers their events and writes what they produce.
//!
//! - [`server`]: the SMTP/LMTP server session ([`server::ServerSession`]); the `server` cargo
//!   feature adds a tokio driver around it in `crate::server`.
//! - [`client`]: the SMTP/LMTP client session ([`client::ClientSession`]); the `client` cargo
//!   feature adds a tokio driver around it in `crate::client`.
//!
//! Both have an `Event` and a `Protocol` type of their own; import them through their module.

pub mod client;
pub mod server;
