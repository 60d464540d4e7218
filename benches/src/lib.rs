//! Cross-crate benchmarks of whole servers against their peers (Postfix, Dovecot).
//!
//! Placeholder: per-crate benchmarks live in each crate's `benches/`; whole-server benchmarks arrive with the servers.
