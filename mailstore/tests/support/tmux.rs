//! A small driver for an interactive program (mutt) run headless in a tmux server of the test's
//! own: start it, send keys, poll the screen for an expected text with a time-out. Dropping the
//! driver kills the server (and the program with it). Included with `#[path]`.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// How long one wait for a screen text may take before the test fails.
pub const STEP: Duration = Duration::from_secs(5);

/// A tmux server on a socket in a temporary directory, running one window with one program.
pub struct Tmux {
    socket: PathBuf,
}

impl Tmux {
    /// Starts `command` (run by `sh -c`) in a detached 200x50 session; `home` becomes `HOME`
    /// (so no user configuration is read), `TERM` is `xterm`, the rest of the environment is
    /// cleared except `PATH`. When the command ends, the pane prints `PROGRAM-EXITED <status>`
    /// and stays (for [`Tmux::wait_exit`]).
    pub fn start(dir: &Path, home: &Path, command: &str) -> Tmux {
        let socket = dir.join("tmux.sock");
        let wrapped = format!("{command}; echo PROGRAM-EXITED $?; sleep 60");
        let out = Command::new("tmux")
            .arg("-S")
            .arg(&socket)
            .args([
                "-f",
                "/dev/null",
                "new-session",
                "-d",
                "-x",
                "200",
                "-y",
                "50",
            ])
            .arg(wrapped)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", home)
            .env("TERM", "xterm")
            .env("TZ", "UTC")
            .env("LC_ALL", "C.UTF-8")
            .stdin(Stdio::null())
            .output()
            .expect("run tmux");
        assert!(
            out.status.success(),
            "tmux new-session failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        Tmux { socket }
    }

    fn tmux(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .arg("-S")
            .arg(&self.socket)
            .args(args)
            .stdin(Stdio::null())
            .output()
            .expect("run tmux")
    }

    /// Sends tmux key names (`Enter`, `C-u`, `q`, ...), one key per element.
    pub fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "0"];
        args.extend_from_slice(keys);
        let out = self.tmux(&args);
        assert!(
            out.status.success(),
            "send-keys {keys:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Types `text` literally (no key-name interpretation).
    pub fn type_text(&self, text: &str) {
        let out = self.tmux(&["send-keys", "-t", "0", "-l", text]);
        assert!(
            out.status.success(),
            "send-keys -l {text:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// The visible screen, as text.
    pub fn screen(&self) -> String {
        let out = self.tmux(&["capture-pane", "-p", "-t", "0"]);
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Polls the screen until `pred` holds, for at most `timeout`; fails the test with `what`
    /// and the last screen otherwise. Returns the screen that matched.
    pub fn wait_until(&self, what: &str, timeout: Duration, pred: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if pred(&screen) {
                return screen;
            }
            assert!(
                start.elapsed() < timeout,
                "timed out after {timeout:?} waiting for {what}; screen:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(40));
        }
    }

    /// Polls the screen until it contains `text` (see [`Tmux::wait_until`]).
    pub fn wait_for(&self, text: &str) -> String {
        self.wait_until(&format!("{text:?}"), STEP, |s| s.contains(text))
    }

    /// Waits until the program has ended and returns its exit status.
    pub fn wait_exit(&self) -> i32 {
        let screen = self.wait_until("the program to exit", STEP, |s| {
            s.contains("PROGRAM-EXITED ")
        });
        screen
            .lines()
            .find_map(|l| l.trim().strip_prefix("PROGRAM-EXITED "))
            .and_then(|s| s.trim().parse().ok())
            .unwrap_or(-1)
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.tmux(&["kill-server"]);
    }
}
