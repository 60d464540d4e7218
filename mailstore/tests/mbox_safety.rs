//! mbox safety against crashes and other programs' locks:
//! - a child process appends and expunges in a loop and is SIGKILLed at random moments (during
//!   appends and during expunges); every acknowledged message that was never marked for
//!   expunge is there, intact, with its UID; nothing half-written is visible; and an
//!   independent mboxrd parser of the raw file agrees with what the store reads;
//! - another process (Python's `fcntl.lockf`) holding the mbox's `fcntl` lock, or a live
//!   dot-lock, makes an operation fail after the store's bounded wait with
//!   `StoreError::LockTimeout`, without taking the dot-lock first (mutt's order: `fcntl`, then
//!   the dot-lock) and without keeping any lock afterwards.
//!
//! The child role is the ignored `child_entry` test, run by re-executing this test binary.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use mailstore::conformance::message;

mod common;
use mailstore::mbox::MboxStore;
use mailstore::{AppendOptions, Flag, FlagOp, MailStore, StoreError, UidSet, flags};

const USER: &str = "crash";

/// Lines of message number `i` of a run: every third one is large (about 500 KB), so that
/// kills land in the middle of writing or copying one (the first of a run is small).
fn lines_of(i: usize) -> usize {
    if i % 3 == 1 { 20_000 } else { 1 + i % 7 }
}

/// Entry point of the child process (does nothing when run directly).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "child role of sigkill_during_appends_and_expunges"]
async fn child_entry() {
    let (Ok(root), Ok(run)) = (
        std::env::var("MBOX_SAFETY_ROOT"),
        std::env::var("MBOX_SAFETY_RUN"),
    ) else {
        return;
    };
    let store = MboxStore::new(&root);
    let acc = store.account(USER).await.expect("account");
    // Each line is flushed as it is printed (stdout is line-buffered): a line means the step
    // before it was acknowledged (`A`, `X`) or is about to start (`a`, `D`, `e`).
    for i in 0.. {
        let id = format!("r{run}-{i}");
        println!("a {id}");
        let uid = acc
            .append(
                "INBOX",
                message(&id, lines_of(i)).into(),
                AppendOptions::default(),
            )
            .await
            .expect("append");
        println!("A {id} {uid}");
        if i % 2 == 1 {
            let metas = acc
                .messages("INBOX", &UidSet::all())
                .await
                .expect("messages");
            // The two oldest: everything after them moves.
            let doomed: Vec<u32> = metas.iter().map(|m| m.uid).take(2).collect();
            if doomed.is_empty() {
                continue;
            }
            for u in &doomed {
                println!("D {u}");
            }
            let mut set = UidSet::single(doomed[0]);
            for u in &doomed[1..] {
                set.push_range(*u, *u);
            }
            acc.store_flags("INBOX", &set, FlagOp::Add, &flags([Flag::Deleted]), None)
                .await
                .expect("store");
            println!("e");
            for u in acc.expunge("INBOX", None).await.expect("expunge") {
                println!("X {u}");
            }
            println!("x");
        }
    }
}

/// What the child reported before it was killed.
#[derive(Default)]
struct Reports {
    acked: BTreeMap<String, u32>,
    doomed: BTreeSet<u32>,
    expunged: BTreeSet<u32>,
    killed_in_append: usize,
    killed_in_expunge: usize,
}

/// SIGKILL to the child `pid` (still unreaped, so the pid is not reused yet).
fn sigkill(pid: u32) {
    let _ = Command::new("kill")
        .args(["-KILL", &pid.to_string()])
        .status();
}

fn spawn_child(root: &Path, run: usize) -> Child {
    Command::new(std::env::current_exe().expect("current_exe"))
        .args([
            "--ignored",
            "--exact",
            "child_entry",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("MBOX_SAFETY_ROOT", root)
        .env("MBOX_SAFETY_RUN", run.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn child")
}

/// Splits an mboxrd file the plain way (a `From ` line at the start or after a blank line
/// starts a message; one `>` comes off `>+From ` lines; the blank line before a separator
/// belongs to the file, not the message), independent of the crate's scanner.
fn parse_mboxrd(data: &[u8]) -> Vec<Vec<u8>> {
    let mut out: Vec<Vec<u8>> = Vec::new();
    let mut cur: Option<Vec<u8>> = None;
    let mut prev_blank = true;
    for line in data.split_inclusive(|&b| b == b'\n') {
        if prev_blank && line.starts_with(b"From ") {
            if let Some(mut m) = cur.take() {
                if m.ends_with(b"\n\n") {
                    m.pop();
                }
                out.push(m);
            }
            cur = Some(Vec::new());
        } else if let Some(m) = cur.as_mut() {
            let gts = line.iter().take_while(|&&b| b == b'>').count();
            if gts > 0 && line[gts..].starts_with(b"From ") {
                m.extend_from_slice(&line[1..]);
            } else {
                m.extend_from_slice(line);
            }
        }
        prev_blank = line == b"\n";
    }
    if let Some(mut m) = cur.take() {
        if m.ends_with(b"\n\n") {
            m.pop();
        }
        out.push(m);
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_during_appends_and_expunges() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut rep = Reports::default();
    let mut kills = 0;
    // At least 40 kills, and go on (up to 100) until at least 5 landed inside an append and 5
    // inside an expunge.
    while kills < 40 || (kills < 100 && (rep.killed_in_append < 5 || rep.killed_in_expunge < 5)) {
        // Every fourth run is killed at a random time; the others a random 0-8 ms after the
        // child announces the n-th expunge or append of the run, to land inside one.
        let rnd = getrandom::u64().expect("random");
        let trigger = match kills % 4 {
            0 => None,
            1 => Some(("a", 2 + rnd % 4)),
            _ => Some(("e", 1 + rnd % 3)),
        };
        let pause = Duration::from_micros((rnd >> 8) % 8_000);
        let mut child = spawn_child(dir.path(), kills);
        let stdout = child.stdout.take().expect("stdout");
        let pid = child.id();
        let reader = std::thread::spawn(move || {
            let mut lines = Vec::new();
            let mut seen = 0;
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                // libtest may print "test child_entry ... " before the first report on its line.
                let line = line
                    .rsplit_once("... ")
                    .map_or(line.as_str(), |(_, r)| r)
                    .to_string();
                if let Some((word, n)) = trigger
                    && line.split(' ').next() == Some(word)
                {
                    seen += 1;
                    if seen == n {
                        std::thread::sleep(pause);
                        sigkill(pid);
                    }
                }
                lines.push(line);
            }
            lines
        });
        let delay = match trigger {
            None => Duration::from_millis(100 + rnd % 600),
            Some(_) => Duration::from_secs(5),
        };
        let start = Instant::now();
        while start.elapsed() < delay && child.try_wait().expect("try_wait").is_none() {
            std::thread::sleep(Duration::from_millis(2));
        }
        let _ = child.kill();
        child.wait().expect("wait");
        kills += 1;
        let lines = reader.join().expect("reader");
        for line in &lines {
            let mut t = line.split(' ');
            match (t.next(), t.next(), t.next()) {
                (Some("A"), Some(id), Some(uid)) => {
                    rep.acked.insert(id.to_string(), uid.parse().expect("uid"));
                }
                (Some("D"), Some(uid), None) => {
                    rep.doomed.insert(uid.parse().expect("uid"));
                }
                (Some("X"), Some(uid), None) => {
                    rep.expunged.insert(uid.parse().expect("uid"));
                }
                _ => {}
            }
        }
        match lines.last().map(|l| l.split(' ').next().unwrap_or("")) {
            Some("a") => rep.killed_in_append += 1,
            Some("e") | Some("X") => rep.killed_in_expunge += 1,
            _ => {}
        }
    }
    eprintln!(
        "{kills} kills: {} in an append, {} in an expunge; {} appends and {} expunges acknowledged",
        rep.killed_in_append,
        rep.killed_in_expunge,
        rep.acked.len(),
        rep.expunged.len()
    );
    assert!(
        rep.killed_in_append >= 5 && rep.killed_in_expunge >= 5,
        "kills landed in appends ({}) and expunges ({})",
        rep.killed_in_append,
        rep.killed_in_expunge
    );

    let store = MboxStore::new(dir.path());
    let acc = store.account(USER).await.expect("account");
    let metas = acc
        .messages("INBOX", &UidSet::all())
        .await
        .expect("messages");
    let found = common::read_intact(acc.as_ref(), &metas, lines_of).await;
    let mut present: BTreeMap<u32, Vec<u8>> = BTreeMap::new();
    for m in &metas {
        let (id, data) = &found[&m.uid];
        assert_eq!(m.size, mailstore::rfc822_size(data), "size of {id}");
        if let Some(&uid) = rep.acked.get(id) {
            assert_eq!(uid, m.uid, "{id} keeps the UID it was acknowledged with");
        }
        present.insert(m.uid, data.clone());
    }
    for (id, uid) in &rep.acked {
        if !rep.doomed.contains(uid) {
            assert!(
                present.contains_key(uid),
                "acknowledged {id} (uid {uid}), never marked for expunge, lost"
            );
        }
    }
    for uid in &rep.expunged {
        assert!(
            !present.contains_key(uid),
            "uid {uid} reported expunged is back"
        );
    }
    // An independent parse of the file agrees with the store.
    let raw = std::fs::read(dir.path().join(USER).join("INBOX")).expect("read mbox");
    let parsed = parse_mboxrd(&raw);
    let from_store: Vec<Vec<u8>> = present.values().cloned().collect();
    assert_eq!(
        parsed.len(),
        from_store.len(),
        "messages in the file by an independent parse"
    );
    let a: BTreeSet<&Vec<u8>> = parsed.iter().collect();
    let b: BTreeSet<&Vec<u8>> = from_store.iter().collect();
    assert!(a == b, "the file's messages are the store's messages");
    // The store still works.
    let uid = acc
        .append(
            "INBOX",
            message("after", 2).into(),
            AppendOptions::default(),
        )
        .await
        .expect("append after the crashes");
    assert!(metas.iter().all(|m| m.uid < uid));
}

/// A Python process holding a POSIX lock on `path` (`fcntl.lockf`), killed on drop.
struct Holder(Child);

impl Holder {
    fn start(path: &Path) -> Holder {
        let script = "import fcntl, sys, time\n\
                      f = open(sys.argv[1], 'r+')\n\
                      fcntl.lockf(f, fcntl.LOCK_EX)\n\
                      print('locked', flush=True)\n\
                      time.sleep(120)\n";
        let mut child = Command::new("python3")
            .args(["-c", script])
            .arg(path)
            .stdout(Stdio::piped())
            .spawn()
            .expect("python3 is needed for the lock tests (apt-get install python3)");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("read");
        assert_eq!(line.trim(), "locked", "the holder took the lock");
        Holder(child)
    }
}

impl Drop for Holder {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Whether another process can take the `fcntl` lock of `path` at once.
fn fcntl_free(path: &Path) -> bool {
    let script = "import fcntl, sys\n\
                  f = open(sys.argv[1], 'r+')\n\
                  fcntl.lockf(f, fcntl.LOCK_EX | fcntl.LOCK_NB)\n";
    Command::new("python3")
        .args(["-c", script])
        .arg(path)
        .stderr(Stdio::null())
        .status()
        .expect("python3 is needed for the lock tests (apt-get install python3)")
        .success()
}

async fn messages_within(
    acc: &Arc<dyn mailstore::Account>,
    bound: Duration,
) -> (mailstore::Result<usize>, Duration) {
    let start = Instant::now();
    let r = tokio::time::timeout(bound, acc.messages("INBOX", &UidSet::all()))
        .await
        .unwrap_or_else(|_| {
            panic!("the operation still waits after {bound:?}: unbounded lock wait")
        });
    (r.map(|m| m.len()), start.elapsed())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fcntl_lock_of_another_process_times_out() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = MboxStore::new(dir.path()).with_lock_timeout(Duration::from_secs(1));
    let acc = store.account("l").await.expect("account");
    acc.append("INBOX", message("m", 1).into(), AppendOptions::default())
        .await
        .expect("append");
    let path = dir.path().join("l/INBOX");
    let dotlock = dir.path().join("l/INBOX.lock");
    let holder = Holder::start(&path);
    // Watch for our dot-lock while we wait: mutt's order takes `fcntl` first, so a writer that
    // cannot have it must not hold the dot-lock meanwhile.
    let watching = Arc::new(std::sync::atomic::AtomicBool::new(true));
    let watcher = {
        let (watching, dotlock) = (watching.clone(), dotlock.clone());
        std::thread::spawn(move || {
            let mut seen = false;
            while watching.load(std::sync::atomic::Ordering::Relaxed) {
                seen |= dotlock.exists();
                std::thread::sleep(Duration::from_millis(2));
            }
            seen
        })
    };
    let (r, waited) = messages_within(&acc, Duration::from_secs(20)).await;
    watching.store(false, std::sync::atomic::Ordering::Relaxed);
    let dotlock_seen = watcher.join().expect("watcher");
    match r {
        Err(StoreError::LockTimeout { lock, .. }) => assert_eq!(lock, "fcntl"),
        other => panic!("expected LockTimeout, got {other:?}"),
    }
    assert!(
        waited >= Duration::from_millis(900) && waited < Duration::from_secs(5),
        "waited {waited:?} for a 1 s lock time-out"
    );
    assert!(
        !dotlock_seen,
        "dot-lock taken while the fcntl lock was not ours"
    );
    let err = StoreError::LockTimeout {
        mailbox: "INBOX".into(),
        lock: "fcntl",
        waited,
    };
    assert!(err.is_temporary(), "a lock time-out is temporary");
    drop(holder);
    let (r, _) = messages_within(&acc, Duration::from_secs(20)).await;
    assert_eq!(r.expect("messages once the lock is free"), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_dot_lock_times_out_and_releases_fcntl() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = MboxStore::new(dir.path()).with_lock_timeout(Duration::from_millis(800));
    let acc = store.account("d").await.expect("account");
    acc.append("INBOX", message("m", 1).into(), AppendOptions::default())
        .await
        .expect("append");
    let path = dir.path().join("d/INBOX");
    let dotlock = dir.path().join("d/INBOX.lock");
    // A dot-lock of a live process (this one): not stale.
    std::fs::write(&dotlock, format!("{}\n", std::process::id())).expect("dot-lock");
    let (r, waited) = messages_within(&acc, Duration::from_secs(20)).await;
    match r {
        Err(StoreError::LockTimeout { lock, .. }) => assert_eq!(lock, "dot-lock"),
        other => panic!("expected LockTimeout, got {other:?}"),
    }
    assert!(
        waited >= Duration::from_millis(700) && waited < Duration::from_secs(5),
        "waited {waited:?} for a 0.8 s lock time-out"
    );
    assert!(
        fcntl_free(&path),
        "the fcntl lock is released after the time-out"
    );
    assert!(dotlock.exists(), "another program's dot-lock is left alone");
    // A dead writer's dot-lock is stale and removed.
    std::fs::write(&dotlock, "999999999\n").expect("dot-lock");
    let (r, _) = messages_within(&acc, Duration::from_secs(20)).await;
    assert_eq!(r.expect("messages past a stale dot-lock"), 1);
    assert!(!dotlock.exists(), "our dot-lock removed after use");
}
