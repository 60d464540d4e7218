//! Sans-IO session state machines: server and client.
pub mod client;
