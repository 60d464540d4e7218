//! POP3 values with no parsing: commands, responses, capabilities and listings.

pub mod capability;
pub mod command;
pub mod listing;
pub mod response;
