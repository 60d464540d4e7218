//! IMAP IDLE's latency over a Maildir: a change made by another OS process (an MDA delivering
//! through `tmp/` → `new/`, a MUA renaming a file's `:2,` flags) reaches the change feed
//! (`ChangeFeed::next`) within one second. `mailstore::watch` polls every
//! `Account::poll_interval` (500 ms) for changes by other processes.

use std::path::Path;
use std::time::{Duration, Instant};

use mailstore::maildir::MaildirStore;
use mailstore::{AppendOptions, Change, ChangeFeed, Flag, MailStore, watch};

/// The bound the IMAP server promises for IDLE.
const WITHIN: Duration = Duration::from_secs(1);

/// Runs `script` with `sh -c` in `dir` (a separate OS process) and waits for it.
async fn outside(dir: &Path, script: &str) {
    let status = tokio::process::Command::new("sh")
        .arg("-c")
        .arg(script)
        .current_dir(dir)
        .status()
        .await
        .expect("run sh");
    assert!(status.success(), "{script}: {status}");
}

/// Runs `script` in another process, then waits for the feed's next changes; returns them and
/// the time from the start of the process to the feed's answer.
async fn change_by_other_process(
    feed: &mut ChangeFeed,
    dir: &Path,
    script: &str,
) -> (Vec<Change>, Duration) {
    let start = Instant::now();
    let next = tokio::spawn({
        let dir = dir.to_path_buf();
        let script = script.to_string();
        async move { outside(&dir, &script).await }
    });
    let changes = tokio::time::timeout(Duration::from_secs(10), feed.next())
        .await
        .unwrap_or_else(|_| panic!("no change seen within 10 s after {script}"))
        .expect("feed");
    let took = start.elapsed();
    next.await.expect("outside process");
    (changes, took)
}

/// The only file in `dir/sub` whose name starts with `base`.
fn file_of(dir: &Path, sub: &str, base: &str) -> String {
    let names: Vec<String> = std::fs::read_dir(dir.join(sub))
        .expect("read_dir")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(base))
        .collect();
    assert_eq!(names.len(), 1, "{base} in {sub}: {names:?}");
    names[0].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn other_process_changes_reach_idle_within_one_second() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let store = MaildirStore::new(tmp.path());
    let acc = store.account("idle").await.expect("account");
    let mdir = tmp.path().join("idle");
    acc.append(
        "INBOX",
        b"Subject: ours\n\nbody\n".to_vec().into(),
        AppendOptions::default(),
    )
    .await
    .expect("append");
    let mut feed = watch(acc.clone(), "INBOX").await.expect("watch");
    let mut took = Vec::new();

    // Two deliveries by an outside MDA: written in tmp/, renamed into new/.
    for i in 1..=2 {
        let name = format!("1700000000.M{i}P4242.outside-mda");
        let script = format!(
            "printf 'Subject: outside {i}\\n\\nhello\\n' > tmp/{name} && mv tmp/{name} new/{name}"
        );
        let (changes, t) = change_by_other_process(&mut feed, &mdir, &script).await;
        assert!(
            matches!(changes.as_slice(), [Change::New(m)] if m.flags.is_empty()),
            "delivery {i} seen as one new message: {changes:?}"
        );
        took.push(t);
    }

    // A MUA reads the first delivery (new/ → cur/ with `:2,S`), then flags it (`:2,FS`).
    let base = "1700000000.M1P4242.outside-mda";
    let file = file_of(&mdir, "new", base);
    let (changes, t) =
        change_by_other_process(&mut feed, &mdir, &format!("mv new/{file} cur/{base}:2,S")).await;
    assert!(
        matches!(changes.as_slice(), [Change::Flags(m)] if m.flags.contains(&Flag::Seen)),
        "\\Seen seen: {changes:?}"
    );
    took.push(t);
    let (changes, t) = change_by_other_process(
        &mut feed,
        &mdir,
        &format!("mv cur/{base}:2,S cur/{base}:2,FS"),
    )
    .await;
    assert!(
        matches!(changes.as_slice(), [Change::Flags(m)]
            if m.flags.contains(&Flag::Seen) && m.flags.contains(&Flag::Flagged)),
        "\\Flagged seen: {changes:?}"
    );
    took.push(t);
    // An outside expunge (the MUA removes the file).
    let (changes, t) =
        change_by_other_process(&mut feed, &mdir, &format!("rm cur/{base}:2,FS")).await;
    assert!(
        matches!(changes.as_slice(), [Change::Expunged(_)]),
        "expunge seen: {changes:?}"
    );
    took.push(t);

    println!("latencies (process start to feed answer): {took:?}");
    for (i, t) in took.iter().enumerate() {
        assert!(*t < WITHIN, "change {i} took {t:?}, over {WITHIN:?}");
    }
}
