//! The IMAP server side (feature `server`): so far [`search`], SEARCH evaluation, SORT and
//! THREAD (RFC 9051 §6.4.4, RFC 5256).

pub mod search;
