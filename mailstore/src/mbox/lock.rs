//! mbox locking as other mbox programs do it: a dot-lock file (`<mbox>.lock`, created with
//! `O_EXCL`, holding the writer's pid; stale when that process is gone or after 5 minutes) and then a `fcntl` write lock on the whole file.
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
/// Give up waiting for a lock after this long.
const WAIT: Duration = Duration::from_secs(60);

/// Takes the dot-lock of `path`, then the `fcntl` lock on `file` (an open descriptor of it).
/// Returns the dot-lock's path, to give to [`unlock`].
pub(crate) fn lock(path: &Path, file: &File) -> Result<PathBuf> {
    let dotlock = dotlock_path(path);
    let start = Instant::now();
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
                break;
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                if let Some(content) = stale_content(&dotlock) {
                    // Remove it only if it is still the same stale lock.
                    if std::fs::read_to_string(&dotlock).ok().as_deref() == Some(content.as_str()) {
                        let _ = std::fs::remove_file(&dotlock);
                    }
                    continue;
                }
                if start.elapsed() > WAIT {
                    return Err(StoreError::io(
                        &dotlock,
                        std::io::Error::new(std::io::ErrorKind::TimedOut, "dot-lock held too long"),
                    ));
                }
                std::thread::sleep(pause);
                pause = (pause * 2).min(Duration::from_millis(20));
            }
            Err(e) => return Err(StoreError::io(&dotlock, e)),
        }
    }
    if let Err(e) = fcntl_lock(file, FlockOperation::LockExclusive) {
        let _ = std::fs::remove_file(&dotlock);
        return Err(StoreError::io(path, e.into()));
    }
    Ok(dotlock)
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

/// Releases what [`lock`] took.
pub(crate) fn unlock(file: &File, dotlock: &Path) {
    let _ = fcntl_lock(file, FlockOperation::Unlock);
    let _ = std::fs::remove_file(dotlock);
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
