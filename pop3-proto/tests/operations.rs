//! Placeholder: filled by the operations tests.
