//! The IMAP server over `mailstore` (feature `server`, RFC 9051): its sans-IO parts.
//!
//! - [`view`]: the selected mailbox as one session sees it (message numbers, pending changes
//!   of other sessions, CONDSTORE/QRESYNC).

pub mod view;
