//! The mbox backend (placeholder until milestone 3).
