//! Placeholder: filled by the fetchmail tests.
