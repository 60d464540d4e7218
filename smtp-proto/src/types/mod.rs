//! SMTP values with no parsing: commands, paths, parameters, replies, capabilities.

pub mod address;
pub mod capability;
pub mod command;
pub mod reply;
