//! Parsers (nom, zero-copy over `&[u8]`): command lines (server side) and replies (client side).

pub mod address;
pub mod command;
pub mod ehlo;
pub mod reply;
