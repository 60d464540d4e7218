//! IMAP4rev2 (RFC 9051) and IMAP4rev1 (RFC 3501) codec, sans-IO session and, behind the `server` feature, an IMAP server over `mailstore`.
//!
//! Placeholder: filled by the IMAP issue.

pub mod framing;
