//! Runs the benchmarks against Stalwart's smtp-proto 0.2 (workspace `bench-peer/`) as part of
//! `cargo bench -p smtp-proto`, passing criterion's arguments (e.g. a filter) through.
//!
//! They live in a workspace of their own because a crates.io package named `smtp-proto` in this
//! workspace's dependency graph would make `-p smtp-proto` ambiguous for every cargo command.

use std::process::{Command, ExitCode};

fn main() -> ExitCode {
    let dir = env!("CARGO_MANIFEST_DIR");
    let manifest = format!("{dir}/bench-peer/Cargo.toml");
    // Criterion's own flag (`--bench`) is added by cargo; pass the rest (filters, options) on.
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(cargo)
        .args(["bench", "--manifest-path", &manifest, "--"])
        .args(&args)
        // A target directory of its own: the outer cargo may hold this workspace's lock.
        .env("CARGO_TARGET_DIR", format!("{dir}/bench-peer/target"))
        .status();
    match status {
        Ok(s) if s.success() => ExitCode::SUCCESS,
        Ok(s) => {
            eprintln!("bench-peer benchmarks failed: {s}");
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("could not run cargo for bench-peer: {e}");
            ExitCode::FAILURE
        }
    }
}
