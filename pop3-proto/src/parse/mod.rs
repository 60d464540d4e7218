//! Parsers (zero-copy over `&[u8]`): command lines (server side), response lines (client
//! side), and the listings and capability lines inside responses.

pub mod auth;
pub mod command;
pub mod listing;
pub mod response;
