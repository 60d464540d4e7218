//! Node.js peers: scripts run with `node` against the npm packages of `testkit/node` (its
//! `package.json` and `package-lock.json`; `scripts/test-all` installs them with
//! `npm ci --prefix testkit/node`). A missing `node` or package fails the test with the command
//! that installs it.
//!
//! ```no_run
//! # async fn demo() {
//! testkit::node::require_module("imapflow");
//! let out = testkit::node::Node::script("console.log(process.argv[1])")
//!     .arg("hi")
//!     .run()
//!     .await;
//! out.assert_success();
//! # }
//! ```

use std::path::PathBuf;
use std::time::Duration;

use crate::{Output, peer, run_command};

/// The npm packages the tests use, installed into [`modules_dir`] (the `dependencies` of
/// `testkit/node/package.json`).
pub const MODULES: &[&str] = &["imapflow"];

/// Where the tests' npm packages are installed: `testkit/node/node_modules`.
pub fn modules_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("node/node_modules")
}

/// The install hint of a missing npm package.
fn install_hint() -> String {
    format!(
        "npm ci --prefix {} (scripts/test-all does it)",
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("node")
            .display()
    )
}

/// Panics (failing the test) unless `node` is installed and the npm package `module` is in
/// [`modules_dir`], naming the command that installs it.
#[track_caller]
pub fn require_module(module: &str) {
    peer::require("node");
    let package = modules_dir().join(module).join("package.json");
    if !package.is_file() {
        panic!(
            "peer missing: the npm package `{module}` is not installed in {}. Install it: {}",
            modules_dir().display(),
            install_hint()
        );
    }
}

/// A Node.js script to run as a test peer (`node -e SCRIPT ARGS...`, CommonJS, with
/// `NODE_PATH` set to [`modules_dir`] so that `require("imapflow")` finds the tests' packages).
#[derive(Debug, Clone)]
pub struct Node {
    script: String,
    args: Vec<String>,
    timeout: Duration,
}

impl Node {
    /// A script given as source text; 60 second time-out.
    pub fn script(source: impl Into<String>) -> Self {
        Self {
            script: source.into(),
            args: Vec::new(),
            timeout: Duration::from_secs(60),
        }
    }

    /// Appends an argument (`process.argv[1]`, ...: with `-e` the script has no file name).
    pub fn arg(mut self, arg: impl Into<String>) -> Self {
        self.args.push(arg.into());
        self
    }

    /// Sets the time-out after which the process is killed.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Runs the script; the process is killed at the time-out (and if this future is dropped).
    pub async fn run(&self) -> Output {
        let mut command = tokio::process::Command::new(peer::require("node"));
        command
            .arg("-e")
            .arg(&self.script)
            .arg("--")
            .args(&self.args)
            .env("NODE_PATH", modules_dir());
        run_command(command, self.timeout).await.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn node_runs_with_arguments_and_its_modules() {
        let out = Node::script(
            "console.log(process.argv.slice(1).join(',')); \
             console.log(require.resolve('imapflow').startsWith(process.env.NODE_PATH)); \
             process.exit(3)",
        )
        .arg("a")
        .arg("b c")
        .run()
        .await;
        assert_eq!(out.stdout, "a,b c\ntrue\n", "{}", out.stderr);
        assert_eq!(out.status.and_then(|s| s.code()), Some(3));
    }

    #[test]
    fn a_missing_module_fails_with_the_install_command() {
        let payload = std::panic::catch_unwind(|| require_module("no-such-npm-module"))
            .expect_err("a missing module panics");
        let text = payload
            .downcast_ref::<String>()
            .cloned()
            .unwrap_or_default();
        assert!(text.starts_with("peer missing: "), "{text}");
        assert!(text.contains("npm ci --prefix"), "{text}");
    }

    #[test]
    fn every_module_is_a_dependency_in_package_json() {
        let package = include_str!("../node/package.json");
        for module in MODULES {
            assert!(
                package.contains(&format!("\"{module}\"")),
                "testkit/node/package.json lacks `{module}`"
            );
        }
        for module in MODULES {
            require_module(module);
        }
    }
}
