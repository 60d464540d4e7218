//! Benchmarks (written in milestone 5).

fn main() {}
