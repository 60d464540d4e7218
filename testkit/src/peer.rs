//! Requiring the real peers a test runs: a missing peer fails the test with a message naming it and
//! the package that installs it, never a silent early return (`scripts/test-all` installs them all).
//!
//! ```no_run
//! let swaks = testkit::peer::require("swaks");
//! testkit::peer::require_perl_module("IO::Socket::SSL");
//! testkit::peer::require_python_module("aiosmtpd");
//! # let _ = swaks;
//! ```

use std::path::PathBuf;
use std::process::{Command, Stdio};

/// Every program a test of this workspace runs, and the Debian package that installs it (the
/// list `scripts/test-all` installs).
pub const PROGRAMS: &[(&str, &str)] = &[
    ("python3", "python3"),
    ("perl", "perl"),
    ("dovecot", "dovecot-imapd"),
    ("doveadm", "dovecot-core"),
    ("postfix", "postfix"),
    ("smtp-source", "postfix"),
    ("smtp-sink", "postfix"),
    ("swaks", "swaks"),
    ("curl", "curl"),
    ("fetchmail", "fetchmail"),
    ("mbsync", "isync"),
    ("mutt", "mutt"),
    ("tmux", "tmux"),
    ("strace", "strace"),
    ("node", "nodejs"),
    ("npm", "npm"),
];

/// Perl modules a peer needs, and their Debian packages (swaks's `--tls`).
pub const PERL_MODULES: &[(&str, &str)] = &[
    ("Net::SSLeay", "libnet-ssleay-perl"),
    ("IO::Socket::SSL", "libio-socket-ssl-perl"),
];

/// Python modules a test imports beyond the standard library, and their PyPI names
/// (`scripts/requirements.txt`).
pub const PYTHON_MODULES: &[(&str, &str)] =
    &[("aiosmtpd", "aiosmtpd"), ("imapclient", "imapclient")];

fn package_of(table: &[(&str, &'static str)], name: &str) -> Option<&'static str> {
    table.iter().find(|(n, _)| *n == name).map(|(_, p)| *p)
}

/// Where `program` is on the `PATH`, if it is.
pub fn which(program: &str) -> Option<PathBuf> {
    let paths = std::env::var_os("PATH")?;
    std::env::split_paths(&paths)
        .map(|dir| dir.join(program))
        .find(|path| path.is_file())
}

/// The path of `program`; panics (failing the test) when it is not installed, naming the Debian
/// package to install. Use it at the start of every test that runs a peer.
#[track_caller]
pub fn require(program: &str) -> PathBuf {
    match which(program) {
        Some(path) => path,
        None => {
            let package = package_of(PROGRAMS, program)
                .unwrap_or("(unknown: add it to testkit::peer::PROGRAMS)");
            panic!(
                "peer missing: `{program}` is not on the PATH. Install the Debian package `{package}` \
                 (scripts/test-all installs every peer): apt-get install {package}"
            )
        }
    }
}

/// Panics (failing the test) unless Perl can load `module`, naming the Debian package to install.
#[track_caller]
pub fn require_perl_module(module: &str) {
    let perl = require("perl");
    if !succeeds(Command::new(perl).arg(format!("-M{module}")).arg("-e1")) {
        let package = package_of(PERL_MODULES, module)
            .unwrap_or("(unknown: add it to testkit::peer::PERL_MODULES)");
        panic!(
            "peer missing: the Perl module `{module}` does not load. Install the Debian package \
             `{package}` (scripts/test-all installs every peer): apt-get install {package}"
        );
    }
}

/// Panics (failing the test) unless `python3` can import `module`, naming the PyPI package to
/// install.
#[track_caller]
pub fn require_python_module(module: &str) {
    let python = require("python3");
    if !succeeds(
        Command::new(python)
            .arg("-c")
            .arg(format!("import {module}")),
    ) {
        let package = package_of(PYTHON_MODULES, module)
            .unwrap_or("(unknown: add it to testkit::peer::PYTHON_MODULES)");
        panic!(
            "peer missing: python3 cannot import `{module}`. Install it from PyPI \
             (scripts/requirements.txt; scripts/test-all installs every peer): \
             python3 -m pip install {package}"
        );
    }
}

/// Runs `command` with no input or output; whether it exits with success.
fn succeeds(command: &mut Command) -> bool {
    command
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_what_is_installed() {
        // `sh` is on every PATH these tests run with.
        assert!(which("sh").is_some_and(|p| p.ends_with("sh")));
        assert_eq!(which("no-such-peer-program"), None);
    }

    /// The message of the panic `f` raises.
    fn panic_text(f: impl FnOnce() + std::panic::UnwindSafe) -> String {
        let payload = std::panic::catch_unwind(f).expect_err("a missing peer panics");
        payload
            .downcast_ref::<String>()
            .cloned()
            .expect("a formatted message")
    }

    #[test]
    fn a_missing_peer_fails_naming_its_package() {
        /// (expected part of the message, the call)
        type Case = (&'static str, Box<dyn FnOnce() + std::panic::UnwindSafe>);
        let table: [Case; 3] = [
            (
                "`no-such-peer-program` is not on the PATH",
                Box::new(|| drop(require("no-such-peer-program"))),
            ),
            (
                "cannot import `no_such_module_xyz`",
                Box::new(|| require_python_module("no_such_module_xyz")),
            ),
            (
                "`No::Such::Module` does not load",
                Box::new(|| require_perl_module("No::Such::Module")),
            ),
        ];
        for (expected, f) in table {
            let text = panic_text(f);
            assert!(text.contains(expected), "{text}");
            assert!(text.starts_with("peer missing: "), "{text}");
        }
    }

    #[test]
    fn every_program_names_a_package() {
        for (program, package) in PROGRAMS {
            assert!(!program.is_empty() && !package.is_empty());
        }
        let script = include_str!("../../scripts/test-all");
        for (_, package) in PROGRAMS.iter().chain(PERL_MODULES) {
            assert!(
                script.contains(package),
                "scripts/test-all does not install `{package}`"
            );
        }
        let requirements = include_str!("../../scripts/requirements.txt");
        for (_, package) in PYTHON_MODULES {
            assert!(
                requirements.contains(package),
                "scripts/requirements.txt lacks `{package}`"
            );
        }
    }
}
