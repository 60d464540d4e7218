//! Serialisers: commands (client side) and replies (server side).

pub mod command;
pub mod reply;
