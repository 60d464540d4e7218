//! The IMAP server side (feature `server`): so far [`mime`], a message's MIME structure parsed
//! once and stored, from which FETCH is answered (RFC 9051 §6.4.5, §7.5.2).

pub mod mime;
