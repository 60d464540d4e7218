//! POP3 (RFC 1939) codec, sans-IO session and, behind the `server` feature, a POP3 server over `mailstore`.
//!
//! Placeholder: filled by the POP3 issue.
