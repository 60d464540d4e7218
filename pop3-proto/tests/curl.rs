//! Placeholder: filled by the curl tests.
