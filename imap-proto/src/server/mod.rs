//! The IMAP server over `mailstore` (feature `server`, RFC 9051): so far its sans-IO parts.
//!
//! - [`mime`]: a message's MIME structure parsed once and stored, from which FETCH is answered
//!   (RFC 9051 §6.4.5, §7.5.2).
//! - [`view`]: the selected mailbox as one session sees it (message numbers, pending changes
//!   of other sessions, CONDSTORE/QRESYNC).
//! - [`search`]: SEARCH evaluation, SORT and THREAD (RFC 9051 §6.4.4, RFC 5256, RFC 4731).
//! - [`net`]: the tokio driver, [`Server`] (listener, TLS, COMPRESS, IDLE, limits, time-outs).

pub mod mailboxes;
pub mod mime;
pub mod net;
pub mod search;
pub mod session;
pub mod view;

pub use net::{DriverError, Limits, Server};
