//! Multi-process checks shared by the backends' test files: the test binary re-executes itself
//! with `MAILSTORE_CHILD` set to run one child role (the `child_entry` test, ignored otherwise).

#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use mailstore::conformance::{assert_each_once, deliver_tagged, id_of, message};
use mailstore::{Account, AppendOptions, Flag, FlagOp, MailStore, MessageMeta, UidSet, flags};

/// Opens the backend named `kind` on `root`.
pub type Opener = fn(&Path) -> Arc<dyn MailStore>;

/// Runs the child role given by the environment; returns false if this is not a child.
pub async fn child_main(open: Opener) -> bool {
    let Ok(role) = std::env::var("MAILSTORE_CHILD") else {
        return false;
    };
    let root = std::env::var("MAILSTORE_ROOT").expect("MAILSTORE_ROOT");
    let store = open(Path::new(&root));
    let acc = store.account("shared").await.expect("account");
    match role.as_str() {
        "deliver" => {
            let tag = std::env::var("MAILSTORE_TAG").expect("MAILSTORE_TAG");
            deliver_tagged(acc.as_ref(), "INBOX", &tag, 40).await;
        }
        "crash" => {
            let run = std::env::var("MAILSTORE_RUN").expect("MAILSTORE_RUN");
            for i in 0.. {
                let id = format!("crash{run}-{i}");
                let f = if i % 4 == 0 { vec![Flag::Seen] } else { vec![] };
                let o = AppendOptions {
                    flags: flags(f),
                    internal_date: None,
                };
                let uid = acc
                    .append("INBOX", message(&id, crash_lines(i)).into(), o)
                    .await
                    .expect("append");
                println!("OK {i} {uid}");
                if i % 5 == 0 {
                    let _ = acc
                        .store_flags(
                            "INBOX",
                            &UidSet::single(uid),
                            FlagOp::Add,
                            &flags([Flag::Flagged]),
                            None,
                        )
                        .await;
                }
            }
        }
        other => panic!("unknown child role {other}"),
    }
    true
}

/// Lines of the crash test's message number `i`: every other one is large (about 500 KB), so
/// that kills often land in the middle of writing one.
fn crash_lines(i: usize) -> usize {
    if i.is_multiple_of(2) {
        20_000
    } else {
        1 + i % 7
    }
}

fn child(test_name: &str, root: &Path, role: &str, extra: &[(&str, String)]) -> Command {
    let mut cmd = Command::new(std::env::current_exe().expect("current_exe"));
    cmd.args([
        "--ignored",
        "--exact",
        test_name,
        "--nocapture",
        "--test-threads=1",
    ])
    .env("MAILSTORE_CHILD", role)
    .env("MAILSTORE_ROOT", root);
    for (k, v) in extra {
        cmd.env(k, v);
    }
    cmd
}

/// Two processes and two tasks deliver and flag at once; every message is there exactly once.
pub async fn two_processes(open: Opener, child_test: &str) {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut children = Vec::new();
    for p in 0..2 {
        let mut cmd = child(
            child_test,
            dir.path(),
            "deliver",
            &[("MAILSTORE_TAG", format!("proc{p}"))],
        );
        children.push(cmd.stdout(Stdio::null()).spawn().expect("spawn child"));
    }
    let store = open(dir.path());
    let acc = store.account("shared").await.expect("account");
    let mut tasks = Vec::new();
    for t in 0..2 {
        let acc = acc.clone();
        tasks.push(tokio::spawn(async move {
            deliver_tagged(acc.as_ref(), "INBOX", &format!("task{t}"), 40).await
        }));
    }
    for t in tasks {
        t.await.expect("task");
    }
    for mut c in children {
        let status = tokio::task::spawn_blocking(move || c.wait())
            .await
            .expect("join")
            .expect("wait");
        assert!(status.success(), "child failed: {status}");
    }
    let expected: BTreeSet<String> = ["proc0", "proc1", "task0", "task1"]
        .iter()
        .flat_map(|t| (0..40).map(move |i| format!("{t}-{i}")))
        .collect();
    // A fresh store value reads the state from disk, as another process would.
    let fresh = open(dir.path());
    let acc2 = fresh.account("shared").await.expect("account");
    assert_each_once(acc2.as_ref(), "INBOX", &expected).await;
    assert_each_once(acc.as_ref(), "INBOX", &expected).await;
}

/// A child delivering in a loop is SIGKILLed `kills` times at random points; every delivery it
/// reported is there, intact, with the UID it reported, and nothing half-written is visible.
pub async fn crash_loop(open: Opener, child_test: &str, kills: usize) {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut acked: Vec<(String, u32)> = Vec::new();
    for run in 0..kills {
        let mut c = child(
            child_test,
            dir.path(),
            "crash",
            &[("MAILSTORE_RUN", run.to_string())],
        )
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn child");
        let stdout = c.stdout.take().expect("stdout");
        // Killed a random 0-300 ms after its first acknowledged delivery: a fixed time from
        // the start left some runs without any on a loaded machine.
        let delay = Duration::from_millis(getrandom::u64().expect("random") % 300);
        let (first_tx, first_rx) = std::sync::mpsc::channel();
        let reader = std::thread::spawn(move || {
            let mut got = Vec::new();
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                // libtest may print "test child_entry ... " before the first report on its line.
                let Some(report) = line.split("OK ").nth(1) else {
                    continue;
                };
                let mut it = report.split(' ');
                if let (Some(i), Some(u)) = (it.next(), it.next()) {
                    got.push((format!("crash{run}-{i}"), u.parse::<u32>().expect("uid")));
                    let _ = first_tx.send(());
                }
            }
            got
        });
        first_rx
            .recv_timeout(Duration::from_secs(60))
            .expect("the child acknowledges a delivery within 60 s");
        let start = Instant::now();
        while start.elapsed() < delay {
            std::thread::sleep(Duration::from_millis(5));
        }
        c.kill().expect("SIGKILL");
        c.wait().expect("wait");
        acked.extend(reader.join().expect("reader"));
    }
    assert!(
        acked.len() >= kills,
        "the child made progress ({} acks)",
        acked.len()
    );
    let store = open(dir.path());
    let acc = store.account("shared").await.expect("account");
    let metas = acc
        .messages("INBOX", &UidSet::all())
        .await
        .expect("messages");
    read_intact(acc.as_ref(), &metas, crash_lines).await;
    for (id, uid) in &acked {
        let m = metas
            .iter()
            .find(|m| m.uid == *uid)
            .unwrap_or_else(|| panic!("acked {id} uid {uid} lost"));
        let data = acc.read("INBOX", m.uid).await.expect("read");
        assert_eq!(
            id_of(&data).as_ref(),
            Some(id),
            "uid {uid} holds the acked message"
        );
    }
    // The store still works after the crashes.
    let uid = acc
        .append(
            "INBOX",
            message("after-crash", 1).into(),
            AppendOptions::default(),
        )
        .await
        .expect("append after crashes");
    assert!(metas.iter().all(|m| m.uid < uid));
}

/// Reads every message of `metas` from INBOX and checks that each is a whole test message
/// (`message(id, lines(i))` for an id ending in `-i`) and that no id appears twice. Returns
/// `uid -> (id, bytes)`.
pub async fn read_intact(
    acc: &dyn Account,
    metas: &[MessageMeta],
    lines: fn(usize) -> usize,
) -> BTreeMap<u32, (String, Vec<u8>)> {
    let mut out = BTreeMap::new();
    let mut ids = BTreeSet::new();
    for m in metas {
        let data = acc.read("INBOX", m.uid).await.expect("read");
        let id = id_of(&data).unwrap_or_else(|| panic!("uid {} is not a whole message", m.uid));
        let i: usize = id
            .rsplit('-')
            .next()
            .and_then(|n| n.parse().ok())
            .expect("id number");
        let want = message(&id, lines(i));
        assert!(
            data == want,
            "uid {} ({id}) not intact: {} bytes, want {}",
            m.uid,
            data.len(),
            want.len()
        );
        assert!(ids.insert(id.clone()), "{id} twice");
        out.insert(m.uid, (id, data));
    }
    out
}
