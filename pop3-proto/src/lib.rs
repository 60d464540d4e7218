//! POP3 protocol codec (RFC 1939, with RFC 2449, 2595, 3206, 5034 and 6856).
//!
//! Placeholder docs.
#![forbid(unsafe_code)]

pub mod build;
pub mod multiline;
pub mod parse;
pub mod types;
