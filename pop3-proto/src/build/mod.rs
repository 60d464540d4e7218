//! Serialisers: commands (client side), responses, listings and `CAPA` (server side).

pub mod command;
pub mod response;
