//! mbox locking as mutt does it (`mx_lock_file` in mutt's `mx.c`): first a `fcntl` write lock on
//! the whole file, tried with `F_SETLK` and retried with back-off, then the dot-lock
//! (`<mbox>.lock`, created with `O_EXCL`, holding the writer's pid; stale when that process is
//! gone or after 5 minutes). Debian's mutt is built with `+USE_FCNTL -USE_FLOCK +USE_DOTLOCK`,
//! so no `flock` is taken. Both waits share one bounded budget (the store's lock time-out); when
//! it runs out the caller gets [`StoreError::LockTimeout`] and holds nothing.
//!
//! `fcntl` locks belong to the process and are dropped when *any* descriptor of the file is
//! closed, so this crate keeps exactly one descriptor per mbox file per process (see the
//! folder module's registry) and serialises its own threads with a mutex first.

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

use rustix::fs::{FlockOperation, fcntl_lock};

use crate::error::{IoContext, Result, StoreError};

/// A dot-lock older than this is from a dead writer and is removed.
const STALE: Duration = Duration::from_secs(300);
/// The default bound on waiting for another program's locks.
pub(crate) const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
/// The longest pause between two attempts.
const MAX_PAUSE: Duration = Duration::from_millis(100);

/// Takes the `fcntl` lock on `file` (an open descriptor of `path`), then the dot-lock of `path`,
/// waiting at most `timeout` in all. Returns the dot-lock's path, to give to [`unlock`].
/// `mailbox` names the mailbox in the time-out error.
pub(crate) fn lock(path: &Path, file: &File, timeout: Duration, mailbox: &str) -> Result<PathBuf> {
    let start = Instant::now();
    let timed_out = |lock: &'static str| StoreError::LockTimeout {
        mailbox: mailbox.to_string(),
        lock,
        waited: start.elapsed(),
    };
    let mut pause = Duration::from_millis(1);
    loop {
        match fcntl_lock(file, FlockOperation::NonBlockingLockExclusive) {
            Ok(()) => break,
            Err(e) if e == rustix::io::Errno::AGAIN || e == rustix::io::Errno::ACCESS => {
                if start.elapsed() >= timeout {
                    return Err(timed_out("fcntl"));
                }
                std::thread::sleep(pause.min(timeout.saturating_sub(start.elapsed())));
                pause = (pause * 2).min(MAX_PAUSE);
            }
            Err(e) => return Err(StoreError::io(path, e.into())),
        }
    }
    let dotlock = dotlock_path(path);
    let mut pause = Duration::from_millis(1);
    loop {
        match OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&dotlock)
        {
            Ok(mut f) => {
                use std::io::Write;
                let _ = writeln!(f, "{}", std::process::id());
                return Ok(dotlock);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                if let Some(content) = stale_content(&dotlock) {
                    // Remove it only if it is still the same stale lock.
                    if std::fs::read_to_string(&dotlock).ok().as_deref() == Some(content.as_str()) {
                        let _ = std::fs::remove_file(&dotlock);
                    }
                    continue;
                }
                if start.elapsed() >= timeout {
                    let _ = fcntl_lock(file, FlockOperation::Unlock);
                    return Err(timed_out("dot-lock"));
                }
                std::thread::sleep(pause.min(timeout.saturating_sub(start.elapsed())));
                pause = (pause * 2).min(MAX_PAUSE);
            }
            Err(e) => {
                let _ = fcntl_lock(file, FlockOperation::Unlock);
                return Err(StoreError::io(&dotlock, e));
            }
        }
    }
}

/// The content of a dot-lock left by a dead writer: older than [`STALE`], or naming a process
/// of this host that no longer exists (checked through `/proc`), or empty for over 10 s.
fn stale_content(dotlock: &Path) -> Option<String> {
    let age = std::fs::metadata(dotlock)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| SystemTime::now().duration_since(t).ok())?;
    let content = std::fs::read_to_string(dotlock).ok()?;
    if age > STALE {
        return Some(content);
    }
    match content.trim().parse::<u32>() {
        Ok(pid) => {
            let dead =
                Path::new("/proc/self").exists() && !Path::new(&format!("/proc/{pid}")).exists();
            dead.then_some(content)
        }
        Err(_) => (age > Duration::from_secs(10)).then_some(content),
    }
}

/// Releases what [`lock`] took (in the reverse order).
pub(crate) fn unlock(file: &File, dotlock: &Path) {
    let _ = std::fs::remove_file(dotlock);
    let _ = fcntl_lock(file, FlockOperation::Unlock);
}

/// Takes the `fcntl` lock on a file nobody else can know yet (the replacement an expunge
/// writes), so that whoever opens it once it is renamed into place waits for this process.
pub(crate) fn lock_new(file: &File, path: &Path) -> Result<()> {
    fcntl_lock(file, FlockOperation::NonBlockingLockExclusive)
        .map_err(|e| StoreError::io(path, e.into()))
}

/// `<mbox>.lock`.
pub(crate) fn dotlock_path(path: &Path) -> PathBuf {
    let mut s = path.as_os_str().to_os_string();
    s.push(".lock");
    PathBuf::from(s)
}

/// Opens `path` read-write, creating it if `create`.
pub(crate) fn open_rw(path: &Path, create: bool) -> Result<File> {
    OpenOptions::new()
        .read(true)
        .write(true)
        .create(create)
        .truncate(false)
        .open(path)
        .at(path)
}
