//! Placeholder: filled by the poplib_tls tests.
