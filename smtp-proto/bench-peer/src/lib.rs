//! Benchmarks and comparison tests against Stalwart's smtp-proto 0.2 (see Cargo.toml).
