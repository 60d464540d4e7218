//! Records the system calls of a program under `strace -f`, to prove an order of effects (the
//! fsyncs of a delivery before its acknowledgement) rather than assume it.
//!
//! [`Strace`] runs a program under
//! `strace -f -tt -yy -qq -s 256 -o LOG -e trace=<syscalls> -- program args...`
//! (`-yy` prints the path of every file descriptor, and the addresses of sockets, after it:
//! `write(7</tmp/x/new/1.M2>, ...)`, `sendto(9<TCP:[127.0.0.1:2525->127.0.0.1:40112]>, ...)`);
//! [`Running::finish`] waits for it and parses the log into a [`Trace`]: every call with its
//! thread, arguments, result and its place in strace's own order of events. A call that another
//! thread interrupted (`<unfinished ...>` then `<... resumed>`) is one [`Syscall`] whose
//! [`start`](Syscall::start) and [`end`](Syscall::end) are the two lines: "A returned before B
//! was entered" is `a.end < b.start` ([`Trace::precedes`]).
//!
//! strace missing is a test failure ([`require`]), never a skip.
//!
//! ```no_run
//! # async fn demo() {
//! use testkit::strace::{Step, Strace};
//! let dir = tempfile::tempdir().unwrap();
//! let mut st = Strace::new("sh", dir.path().join("trace"));
//! st.command().arg("-c").arg("echo hi > f; sync f; echo done");
//! let trace = st.spawn().expect("strace").finish(std::time::Duration::from_secs(10)).await;
//! let order = trace.assert_order(
//!     None,
//!     &[
//!         Step::new("write to f", |c| c.is_write() && c.fd_path().is_some_and(|p| p.ends_with("/f"))),
//!         Step::new("fsync(f)", |c| c.is_sync() && c.fd_path().is_some_and(|p| p.ends_with("/f"))),
//!         Step::new("write done", |c| c.is_write() && c.data().starts_with(b"done")),
//!     ],
//! );
//! assert_eq!(order.len(), 3);
//! # }
//! ```

use std::ffi::OsStr;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{ExitStatus, Stdio};
use std::time::Duration;

/// The system calls recorded by default: those that write, sync, place and open files, and
/// write to sockets.
pub const DEFAULT_SYSCALLS: &[&str] = &[
    "write",
    "writev",
    "pwrite64",
    "pwritev",
    "sendto",
    "sendmsg",
    "fsync",
    "fdatasync",
    "rename",
    "renameat",
    "renameat2",
    "link",
    "linkat",
    "unlink",
    "unlinkat",
    "openat",
];

/// Whether `strace` is on the `PATH`.
pub fn installed() -> bool {
    crate::have("strace")
}

/// Panics with a clear message when `strace` is missing: a durability test without its tracer
/// proves nothing, so it fails rather than passes.
pub fn require() {
    assert!(
        installed(),
        "strace is not installed: the system-call order test cannot run (apt-get install strace)"
    );
}

/// A program to run under `strace -f`; set its arguments, environment and standard streams
/// through [`command`](Strace::command).
#[derive(Debug)]
pub struct Strace {
    command: tokio::process::Command,
    log: PathBuf,
    syscalls: Vec<String>,
}

impl Strace {
    /// `program` traced into the log file `log` with [`DEFAULT_SYSCALLS`].
    pub fn new(program: impl AsRef<OsStr>, log: impl Into<PathBuf>) -> Strace {
        let mut command = tokio::process::Command::new(program);
        command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        Strace {
            command,
            log: log.into(),
            syscalls: DEFAULT_SYSCALLS.iter().map(|s| s.to_string()).collect(),
        }
    }

    /// Records these system calls instead of [`DEFAULT_SYSCALLS`].
    pub fn syscalls(mut self, names: &[&str]) -> Strace {
        self.syscalls = names.iter().map(|s| s.to_string()).collect();
        self
    }

    /// The traced program's command: add its arguments, environment and working directory here
    /// (its standard output and error are strace's, piped: see [`Running::child`]).
    pub fn command(&mut self) -> &mut tokio::process::Command {
        &mut self.command
    }

    /// Starts strace with the program (requires strace: see [`require`]).
    pub fn spawn(self) -> std::io::Result<Running> {
        require();
        let inner = self.command.as_std();
        let mut cmd = tokio::process::Command::new("strace");
        cmd.args(["-f", "-tt", "-yy", "-qq", "-s", "256", "-o"])
            .arg(&self.log)
            .arg("-e")
            .arg(format!("trace={}", self.syscalls.join(",")))
            .arg("--")
            .arg(inner.get_program())
            .args(inner.get_args());
        for (k, v) in inner.get_envs() {
            match v {
                Some(v) => cmd.env(k, v),
                None => cmd.env_remove(k),
            };
        }
        if let Some(dir) = inner.get_current_dir() {
            cmd.current_dir(dir);
        }
        // The streams were set on the inner command; strace passes its own on to the program.
        cmd.stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        let child = cmd.spawn()?;
        Ok(Running {
            child: Some(child),
            log: self.log,
        })
    }
}

/// strace and its program, running. Dropping it kills both.
#[derive(Debug)]
pub struct Running {
    child: Option<tokio::process::Child>,
    log: PathBuf,
}

impl Running {
    /// strace's process (take its `stdout`, the traced program's standard output, from here).
    pub fn child(&mut self) -> &mut tokio::process::Child {
        self.child
            .as_mut()
            .expect("invariant: the child is only taken by finish")
    }

    /// The traced program's pid (strace's first child), once it has started.
    pub fn tracee_pid(&self) -> Option<u32> {
        self.tracee_pid_of(self.child.as_ref()?)
    }

    /// Sends `signal` (a name such as `INT` or `KILL`) to the traced program, not to strace.
    pub fn signal_tracee(&self, signal: &str) -> bool {
        let Some(pid) = self.tracee_pid() else {
            return false;
        };
        std::process::Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(pid.to_string())
            .status()
            .is_ok_and(|s| s.success())
    }

    /// Waits up to `timeout` for the program (and strace) to exit, killing both after it, then
    /// parses the log; the program's output and exit status come with the [`Trace`]. Panics if
    /// the log cannot be read.
    pub async fn finish(mut self, timeout: Duration) -> Trace {
        let child = self
            .child
            .take()
            .expect("invariant: the child is only taken by finish");
        let tracee = self.tracee_pid_of(&child);
        let out = crate::collect(child, timeout).await;
        if out.status.is_none()
            && let Some(pid) = tracee
        {
            // strace was killed and let its tracee go: stop that too.
            let _ = std::process::Command::new("kill")
                .args(["-KILL", &pid.to_string()])
                .status();
        }
        let text = std::fs::read_to_string(&self.log).unwrap_or_else(|e| {
            panic!(
                "strace log {}: {e}; strace said: {}",
                self.log.display(),
                out.stderr
            )
        });
        let mut trace = Trace::parse(&text);
        trace.status = out.status;
        trace.stdout = out.stdout;
        trace.stderr = out.stderr;
        trace
    }

    fn tracee_pid_of(&self, child: &tokio::process::Child) -> Option<u32> {
        let pid = child.id()?;
        let children = std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children")).ok()?;
        children.split_whitespace().next()?.parse().ok()
    }
}

fn kill_tracee(child: &tokio::process::Child) {
    let Some(pid) = child.id() else {
        return;
    };
    if let Ok(children) = std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children")) {
        for tracee in children.split_whitespace() {
            let _ = std::process::Command::new("kill")
                .args(["-KILL", tracee])
                .status();
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        // A killed strace detaches its tracees, which would run on: kill them first.
        if let Some(child) = &mut self.child {
            kill_tracee(child);
            let _ = child.start_kill();
        }
    }
}

/// One system call from the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Syscall {
    /// The thread (or process) that made it.
    pub pid: u32,
    /// Its name (`write`, `fsync`, ...).
    pub name: String,
    /// The argument text as strace printed it (without the parentheses).
    pub args: String,
    /// The result text after ` = ` (with its `-yy` annotation, e.g. `7</tmp/x/new>`).
    pub result: String,
    /// Line (0-based, in strace's order of events) where the call was entered.
    pub start: usize,
    /// Line where it returned (equal to `start` unless another thread's event came between).
    pub end: usize,
    /// Wall-clock time of entry, microseconds since midnight (`-tt`).
    pub time_us: u64,
    /// Wall-clock time of return, microseconds since midnight.
    pub end_time_us: u64,
}

impl Syscall {
    /// Whether it succeeded (its result is not `-1 E...`).
    pub fn ok(&self) -> bool {
        !self.result.starts_with('-') && !self.result.starts_with('?')
    }

    /// The `-yy` annotation of the first argument (`7</tmp/x>` gives `/tmp/x`; a socket gives
    /// `TCP:[127.0.0.1:2525->127.0.0.1:40112]`).
    pub fn fd_path(&self) -> Option<&str> {
        annotation(&self.args)
    }

    /// The annotation of the result (the path an `openat` opened).
    pub fn result_path(&self) -> Option<&str> {
        annotation(&self.result)
    }

    /// The quoted string arguments, decoded (paths of `linkat`/`renameat`, the buffer of a
    /// `write`; strings longer than strace's `-s 256` are cut there).
    pub fn strings(&self) -> Vec<Vec<u8>> {
        quoted_strings(&self.args)
    }

    /// The first quoted string argument (a `write`'s or `sendto`'s bytes), or empty.
    pub fn data(&self) -> Vec<u8> {
        self.strings().into_iter().next().unwrap_or_default()
    }

    /// `write`, `writev`, `pwrite64`, `pwritev`, `sendto` or `sendmsg`.
    pub fn is_write(&self) -> bool {
        matches!(
            self.name.as_str(),
            "write" | "writev" | "pwrite64" | "pwritev" | "sendto" | "sendmsg"
        )
    }

    /// `fsync` or `fdatasync`.
    pub fn is_sync(&self) -> bool {
        matches!(self.name.as_str(), "fsync" | "fdatasync")
    }

    /// `link`, `linkat`, `rename`, `renameat` or `renameat2`: a name placed.
    pub fn is_link_or_rename(&self) -> bool {
        matches!(
            self.name.as_str(),
            "link" | "linkat" | "rename" | "renameat" | "renameat2"
        )
    }

    /// For a link or rename, the (from, to) paths as given (relative names stay relative).
    pub fn link_paths(&self) -> Option<(String, String)> {
        if !self.is_link_or_rename() {
            return None;
        }
        let s = self.strings();
        let [from, to] = s.as_slice() else {
            return None;
        };
        Some((
            String::from_utf8_lossy(from).into_owned(),
            String::from_utf8_lossy(to).into_owned(),
        ))
    }
}

/// The text between the first `<` and its matching `>` after a leading fd number.
fn annotation(text: &str) -> Option<&str> {
    let t = text.trim_start();
    let digits = t.bytes().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 || t.as_bytes().get(digits) != Some(&b'<') {
        return None;
    }
    let rest = &t[digits + 1..];
    // `>` inside `[...]` is part of a socket's address (`[a:1->b:2]`), not the end.
    let (mut depth, mut brackets) = (1usize, 0usize);
    for (i, c) in rest.char_indices() {
        match c {
            '[' => brackets += 1,
            ']' => brackets = brackets.saturating_sub(1),
            '<' if brackets == 0 => depth += 1,
            '>' if brackets == 0 => {
                depth -= 1;
                if depth == 0 {
                    return Some(&rest[..i]);
                }
            }
            _ => {}
        }
    }
    None
}

fn quoted_strings(text: &str) -> Vec<Vec<u8>> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'"' {
            i += 1;
            continue;
        }
        i += 1;
        let mut s = Vec::new();
        while i < b.len() && b[i] != b'"' {
            if b[i] == b'\\' && i + 1 < b.len() {
                i += 1;
                match b[i] {
                    b'n' => s.push(b'\n'),
                    b'r' => s.push(b'\r'),
                    b't' => s.push(b'\t'),
                    b'v' => s.push(0x0b),
                    b'f' => s.push(0x0c),
                    b'x' => {
                        let hex = text.get(i + 1..i + 3).unwrap_or("");
                        s.push(u8::from_str_radix(hex, 16).unwrap_or(b'?'));
                        i += 2;
                    }
                    b'0'..=b'7' => {
                        let mut v: u32 = 0;
                        let mut n = 0;
                        while n < 3 && i < b.len() && (b'0'..=b'7').contains(&b[i]) {
                            v = v * 8 + u32::from(b[i] - b'0');
                            i += 1;
                            n += 1;
                        }
                        s.push(v as u8);
                        continue;
                    }
                    other => s.push(other),
                }
                i += 1;
            } else {
                s.push(b[i]);
                i += 1;
            }
        }
        i += 1;
        out.push(s);
    }
    out
}

/// `HH:MM:SS.uuuuuu` as microseconds since midnight.
fn parse_time(t: &str) -> Option<u64> {
    let (hms, us) = t.split_once('.')?;
    let mut parts = hms.split(':').map(|p| p.parse::<u64>().ok());
    let (h, m, s) = (parts.next()??, parts.next()??, parts.next()??);
    Some(((h * 60 + m) * 60 + s) * 1_000_000 + us.parse::<u64>().ok()?)
}

/// Splits `name(args) = result` at the `)` that closes the call (quotes and brackets skipped).
fn split_call(text: &str) -> Option<(&str, &str, &str)> {
    let open = text.find('(')?;
    let name = &text[..open];
    if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        return None;
    }
    let b = text.as_bytes();
    let (mut depth, mut quoted, mut i) = (0i32, false, open);
    while i < b.len() {
        match b[i] {
            b'\\' if quoted => i += 1,
            b'"' => quoted = !quoted,
            b'(' | b'[' | b'{' if !quoted => depth += 1,
            b')' | b']' | b'}' if !quoted => {
                depth -= 1;
                if depth == 0 {
                    let args = &text[open + 1..i];
                    let result = text[i + 1..].trim_start().strip_prefix('=')?.trim();
                    return Some((name, args, result));
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// A recorded run: its system calls in strace's order of entry.
#[derive(Debug, Default)]
pub struct Trace {
    /// The calls, ordered by [`Syscall::start`].
    pub calls: Vec<Syscall>,
    /// strace's exit status (the traced program's); `None` if it was killed after the time-out.
    pub status: Option<ExitStatus>,
    /// The traced program's standard output.
    pub stdout: Vec<u8>,
    /// The traced program's standard error (and strace's complaints).
    pub stderr: String,
    /// Lines that were neither calls nor strace's notes (signals, exits), for diagnosis.
    pub unparsed: Vec<String>,
}

/// The steps of a Maildir delivery that [`Trace::assert_maildir_delivery`] matches.
pub const MAILDIR_DELIVERY: [&str; 6] = [
    "write(tmp/ file)",
    "fsync(tmp/ file)",
    "link into new/",
    "fsync(new/)",
    "write(index)",
    "fsync(index)",
];

/// What [`Trace::assert_maildir_delivery`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MaildirDelivery {
    /// The calls of the [`MAILDIR_DELIVERY`] steps, in order.
    pub calls: [usize; 6],
    /// The message's file in `tmp/`.
    pub file: PathBuf,
    /// Its name in `new/`.
    pub linked: PathBuf,
}

/// One step of an expected order: a description and a test on a call.
pub struct Step<'a> {
    what: String,
    test: Box<dyn Fn(&Syscall) -> bool + 'a>,
}

impl<'a> Step<'a> {
    /// A step described as `what`, matched by `test`.
    pub fn new(what: impl Into<String>, test: impl Fn(&Syscall) -> bool + 'a) -> Step<'a> {
        Step {
            what: what.into(),
            test: Box::new(test),
        }
    }
}

impl Trace {
    /// Parses an `strace -f -tt -yy` log (lines `PID HH:MM:SS.uuuuuu call...`).
    pub fn parse(text: &str) -> Trace {
        let mut trace = Trace::default();
        // Per thread: (name, args so far, line, time) of an `<unfinished ...>` call.
        let mut open: std::collections::HashMap<u32, (String, String, usize, u64)> =
            std::collections::HashMap::new();
        for (line_no, line) in text.lines().enumerate() {
            // strace pads the pid column (`4688  05:11:00.639483 write(...`).
            let mut it = line.trim_start().splitn(2, ' ');
            let (pid, tail) = (it.next(), it.next().map(str::trim_start));
            let mut it = tail.unwrap_or("").splitn(2, ' ');
            let (Some(pid), Some(time), Some(rest)) = (pid, it.next(), it.next()) else {
                if !line.trim().is_empty() {
                    trace.unparsed.push(line.to_string());
                }
                continue;
            };
            let (Ok(pid), Some(time_us)) = (pid.parse::<u32>(), parse_time(time)) else {
                trace.unparsed.push(line.to_string());
                continue;
            };
            if rest.starts_with("+++") || rest.starts_with("---") {
                continue;
            }
            if let Some(partial) = rest.strip_suffix(" <unfinished ...>") {
                if let Some(open_paren) = partial.find('(') {
                    open.insert(
                        pid,
                        (
                            partial[..open_paren].to_string(),
                            partial[open_paren + 1..].to_string(),
                            line_no,
                            time_us,
                        ),
                    );
                } else {
                    trace.unparsed.push(line.to_string());
                }
                continue;
            }
            let (full, start, start_time) = if let Some(resumed) = rest.strip_prefix("<... ") {
                let Some((_, tail)) = resumed.split_once(" resumed>") else {
                    trace.unparsed.push(line.to_string());
                    continue;
                };
                match open.remove(&pid) {
                    Some((name, args, start, t0)) => (format!("{name}({args}{tail}"), start, t0),
                    None => {
                        trace.unparsed.push(line.to_string());
                        continue;
                    }
                }
            } else {
                (rest.to_string(), line_no, time_us)
            };
            match split_call(&full) {
                Some((name, args, result)) => trace.calls.push(Syscall {
                    pid,
                    name: name.to_string(),
                    args: args.to_string(),
                    result: result.to_string(),
                    start,
                    end: line_no,
                    time_us: start_time,
                    end_time_us: time_us,
                }),
                None => trace.unparsed.push(line.to_string()),
            }
        }
        // Calls still unfinished when the log ended never returned: left out.
        trace.calls.sort_by_key(|c| c.start);
        trace
    }

    /// Reads and parses a log file.
    pub fn load(path: &Path) -> std::io::Result<Trace> {
        Ok(Trace::parse(&std::fs::read_to_string(path)?))
    }

    /// Whether call `a` returned before call `b` was entered.
    pub fn precedes(&self, a: usize, b: usize) -> bool {
        self.calls[a].end < self.calls[b].start
    }

    /// The first call entered after call `after` returned (or from the start) that passes `test`.
    pub fn find(&self, after: Option<usize>, test: impl Fn(&Syscall) -> bool) -> Option<usize> {
        let from = after.map(|a| self.calls[a].end);
        self.calls
            .iter()
            .position(|c| from.is_none_or(|f| c.start > f) && test(c))
    }

    /// Matches `steps` in order: each step is the first matching call entered after the previous
    /// step's call returned (the first after call `after` returned, if given). Returns the calls'
    /// indices; panics, showing the trace, if a step has no such call.
    pub fn assert_order(&self, after: Option<usize>, steps: &[Step<'_>]) -> Vec<usize> {
        let mut prev = after;
        let mut out = Vec::new();
        for (n, step) in steps.iter().enumerate() {
            match self.find(prev, &step.test) {
                Some(i) => {
                    out.push(i);
                    prev = Some(i);
                }
                None => {
                    let done: Vec<String> = steps[..n]
                        .iter()
                        .zip(&out)
                        .map(|(s, i)| format!("  {} -> {}", s.what, self.show(*i)))
                        .collect();
                    panic!(
                        "step {} ({}) not found after the steps before it:\n{}\ntrace:\n{}",
                        n + 1,
                        step.what,
                        done.join("\n"),
                        self.dump()
                    );
                }
            }
        }
        out
    }

    /// Whether every call that passes `test` returned before call `call` was entered.
    pub fn all_precede(&self, test: impl Fn(&Syscall) -> bool, call: usize) -> bool {
        self.calls
            .iter()
            .enumerate()
            .filter(|(_, c)| test(c))
            .all(|(i, _)| self.precedes(i, call))
    }

    /// The system calls of one Maildir delivery into the folder `mdir`, in order, each entered
    /// after the previous returned, the first after call `after`:
    /// [`MAILDIR_DELIVERY`]: a write passing `is_message` into a file of `mdir/tmp/` → fsync of
    /// that file → link or rename of it into `mdir/new/` under a name with `,W=` → fsync of
    /// `mdir/new` → write and fsync of `mdir/mailstore-index`. Also checks that every write
    /// into the message file came before its fsync. Panics, showing the trace, otherwise.
    pub fn assert_maildir_delivery(
        &self,
        after: Option<usize>,
        mdir: &Path,
        is_message: impl Fn(&Syscall) -> bool,
    ) -> MaildirDelivery {
        let (tmp, new, index) = (
            mdir.join("tmp"),
            mdir.join("new"),
            mdir.join("mailstore-index"),
        );
        let fd_is = |c: &Syscall, p: &Path| c.fd_path() == p.to_str();
        let write = self.assert_order(
            after,
            &[Step::new(MAILDIR_DELIVERY[0], |c| {
                c.is_write()
                    && c.ok()
                    && is_message(c)
                    && c.fd_path()
                        .is_some_and(|p| Path::new(p).parent() == Some(tmp.as_path()))
            })],
        )[0];
        let file = PathBuf::from(self.calls[write].fd_path().unwrap_or_default());
        let mut calls = vec![write];
        calls.extend(self.assert_order(
            Some(write),
            &[
                Step::new(MAILDIR_DELIVERY[1], |c| {
                    c.is_sync() && c.ok() && fd_is(c, &file)
                }),
                Step::new(MAILDIR_DELIVERY[2], |c| {
                    c.ok()
                        && c.link_paths().is_some_and(|(from, to)| {
                            Path::new(&from) == file
                                && Path::new(&to).parent() == Some(new.as_path())
                                && to.contains(",W=")
                        })
                }),
                Step::new(MAILDIR_DELIVERY[3], |c| {
                    c.is_sync() && c.ok() && fd_is(c, &new)
                }),
                Step::new(MAILDIR_DELIVERY[4], |c| {
                    c.is_write() && c.ok() && fd_is(c, &index)
                }),
                Step::new(MAILDIR_DELIVERY[5], |c| {
                    c.is_sync() && c.ok() && fd_is(c, &index)
                }),
            ],
        ));
        assert!(
            self.all_precede(|c| c.is_write() && fd_is(c, &file), calls[1]),
            "a write into {} after its fsync:\n{}",
            file.display(),
            self.dump()
        );
        let linked = self.calls[calls[2]]
            .link_paths()
            .map(|(_, to)| PathBuf::from(to))
            .unwrap_or_default();
        let calls: [usize; 6] = calls
            .try_into()
            .expect("invariant: six steps matched or assert_order panicked");
        MaildirDelivery {
            calls,
            file,
            linked,
        }
    }

    /// The matched calls `idx` with `labels`, one a line, with microseconds since the first
    /// (wall clock of return; under strace, which slows every call).
    pub fn timeline(&self, labels: &[&str], idx: &[usize]) -> String {
        let t0 = idx.first().map_or(0, |&i| self.calls[i].time_us);
        let mut out = String::new();
        for (l, &i) in labels.iter().zip(idx) {
            let c = &self.calls[i];
            let _ = writeln!(
                out,
                "  +{:>6} µs  {l:<18} {}({}) = {}",
                c.end_time_us.saturating_sub(t0),
                c.name,
                c.fd_path().unwrap_or("-"),
                c.result
            );
        }
        out
    }

    /// One call as a line for messages.
    pub fn show(&self, i: usize) -> String {
        let c = &self.calls[i];
        let mut args = c.args.clone();
        if args.len() > 160 {
            let mut cut = 160;
            while !args.is_char_boundary(cut) {
                cut -= 1;
            }
            args.truncate(cut);
            args.push_str("...");
        }
        format!(
            "#{i} [{}..{}] pid {} {}({}) = {}",
            c.start, c.end, c.pid, c.name, args, c.result
        )
    }

    /// The whole trace, one call a line (for a failing assertion's message).
    pub fn dump(&self) -> String {
        let mut out = String::new();
        for i in 0..self.calls.len() {
            let _ = writeln!(out, "{}", self.show(i));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOG: &str = r#"100 10:00:00.000001 openat(AT_FDCWD</d>, "/d/tmp/m", O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC, 0666) = 7</d/tmp/m>
101 10:00:00.000002 write(7</d/tmp/m>, "Subject: a \"q\" (x)\r\n\0\33end", 26 <unfinished ...>
100 10:00:00.000003 sendto(9<TCP:[127.0.0.1:25->127.0.0.1:4000]>, "354 go\r\n", 8, MSG_NOSIGNAL, NULL, 0) = 8
101 10:00:00.000004 <... write resumed>) = 26
101 10:00:00.000005 fsync(7</d/tmp/m>) = 0
101 10:00:00.000006 linkat(AT_FDCWD</d>, "/d/tmp/m", AT_FDCWD</d>, "/d/new/m,S=26", 0) = 0
101 10:00:00.000007 fsync(8</d/new>) = 0
100 10:00:00.000008 --- SIGINT {si_signo=SIGINT, si_code=SI_USER} ---
100 10:00:00.000009 sendto(9<TCP:[127.0.0.1:25->127.0.0.1:4000]>, "250 ok\r\n", 8, MSG_NOSIGNAL, NULL, 0) = 8
100 10:00:00.000010 +++ exited with 0 +++
"#;

    #[test]
    fn padded_pids_are_read() {
        let t = Trace::parse("4688  05:11:00.639483 write(1</tmp/f2>, \"hi\\n\", 3) = 3\n");
        assert!(t.unparsed.is_empty(), "{:?}", t.unparsed);
        assert_eq!(t.calls.len(), 1);
        assert_eq!(t.calls[0].pid, 4688);
        assert_eq!(t.calls[0].data(), b"hi\n".to_vec());
    }

    #[test]
    fn a_maildir_delivery_is_recognised() {
        let log = r#"7 10:00:00.000001 write(3</m/tmp/x>, "Subject: a\n", 11) = 11
7 10:00:00.000002 fsync(3</m/tmp/x>) = 0
7 10:00:00.000003 linkat(AT_FDCWD</>, "/m/tmp/x", AT_FDCWD</>, "/m/new/x,S=11,W=12", 0) = 0
7 10:00:00.000004 fsync(4</m/new>) = 0
7 10:00:00.000005 write(5</m/mailstore-index>, "A 1 2 12 0 new/x\n", 17) = 17
7 10:00:00.000006 fdatasync(5</m/mailstore-index>) = 0
"#;
        let t = Trace::parse(log);
        let d =
            t.assert_maildir_delivery(None, Path::new("/m"), |c| c.data().starts_with(b"Subject"));
        assert_eq!(d.calls, [0, 1, 2, 3, 4, 5]);
        assert_eq!(d.file, PathBuf::from("/m/tmp/x"));
        assert_eq!(d.linked, PathBuf::from("/m/new/x,S=11,W=12"));
        // Without the directory fsync the delivery is not recognised.
        let holed: String = log
            .lines()
            .filter(|l| !l.contains("</m/new>"))
            .map(|l| format!("{l}\n"))
            .collect();
        let t = Trace::parse(&holed);
        let missing =
            std::panic::catch_unwind(|| t.assert_maildir_delivery(None, Path::new("/m"), |_| true));
        assert!(
            missing.is_err(),
            "a delivery without fsync(new/) is refused"
        );
    }

    #[test]
    fn parses_calls_resumed_calls_and_annotations() {
        let t = Trace::parse(LOG);
        assert!(t.unparsed.is_empty(), "{:?}", t.unparsed);
        let names: Vec<&str> = t.calls.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "openat", "write", "sendto", "fsync", "linkat", "fsync", "sendto"
            ]
        );
        let w = &t.calls[1];
        assert_eq!((w.start, w.end, w.pid), (1, 3, 101));
        assert_eq!(w.fd_path(), Some("/d/tmp/m"));
        assert_eq!(w.data(), b"Subject: a \"q\" (x)\r\n\0\x1bend".to_vec());
        assert_eq!(w.result, "26");
        assert_eq!(t.calls[0].result_path(), Some("/d/tmp/m"));
        assert_eq!(
            t.calls[2].fd_path(),
            Some("TCP:[127.0.0.1:25->127.0.0.1:4000]")
        );
        assert_eq!(
            t.calls[4].link_paths(),
            Some(("/d/tmp/m".into(), "/d/new/m,S=26".into()))
        );
        assert_eq!(t.calls[1].time_us, 36_000_000_002);
        assert_eq!(t.calls[1].end_time_us, 36_000_000_004);
        // The 354 was sent while the write was in progress: neither precedes the other.
        assert!(!t.precedes(1, 2) && !t.precedes(2, 1));
        assert!(t.precedes(1, 3));
    }

    #[test]
    fn order_is_matched_and_a_missing_step_panics() {
        let t = Trace::parse(LOG);
        let tmp = |c: &Syscall| c.fd_path() == Some("/d/tmp/m");
        let order = t.assert_order(
            None,
            &[
                Step::new("write", |c| c.is_write() && tmp(c)),
                Step::new("fsync file", |c| c.is_sync() && tmp(c)),
                Step::new("link", |c| c.is_link_or_rename()),
                Step::new("fsync dir", |c| {
                    c.is_sync() && c.fd_path() == Some("/d/new")
                }),
                Step::new("reply", |c| c.data().starts_with(b"250")),
            ],
        );
        assert_eq!(order, [1, 3, 4, 5, 6]);
        let wrong = std::panic::catch_unwind(|| {
            t.assert_order(
                None,
                &[
                    Step::new("reply", |c| c.data().starts_with(b"250")),
                    Step::new("fsync after reply", |c| c.is_sync()),
                ],
            )
        });
        assert!(wrong.is_err(), "a sync after the reply is not found");
    }
}
