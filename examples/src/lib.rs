//! Whole servers assembled from the crates, starting with a complete one-binary mail server.
//!
//! Placeholder: the one-binary mail server arrives with the server issues.
