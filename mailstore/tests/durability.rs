//! Durability proven, not assumed: a child process appends one message through the streamed
//! path (`MessageSource::Reader`, as the SMTP server hands over a body) or whole
//! (`MessageSource::Bytes`, as IMAP APPEND of a small literal may) and then writes `ACK`
//! to its standard output, the stand-in for a protocol's success reply; it runs under
//! `strace -f` (`testkit::strace`), and the recorded system calls must show, in this order:
//!
//! - Maildir: write(message bytes into `tmp/`) → fsync(that file) → link into `new/` (named with
//!   `,S=`, `,W=`) → fsync(`new/`) → write + fsync(`mailstore-index`) → `ACK`.
//! - mbox: write(message bytes into the mbox) → fsync(the mbox) → fsync(its index) → `ACK`.
//!
//! "→" means the first call returned before the second was entered, in strace's order of events.
//! A missing strace fails the test.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use mailstore::maildir::MaildirStore;
use mailstore::mbox::MboxStore;
use mailstore::{AppendOptions, MailStore, MessageSource};
use testkit::strace::{MAILDIR_DELIVERY, Step, Strace, Syscall, Trace};

/// The probe message: LF line ends, so that `W=` differs from `S=`.
const MESSAGE: &[u8] =
    b"Subject: durability probe\nX-Probe: 7f3a\n\nbody line one\nbody line two\n";
const USER: &str = "dur";

/// Child role: one streamed append, then `ACK <uid>` on standard output.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "child role of the strace tests"]
async fn durability_child() {
    // Run directly (`--include-ignored`), it has no role and does nothing.
    let (Ok(backend), Ok(root)) = (
        std::env::var("DURABILITY_BACKEND"),
        std::env::var("DURABILITY_ROOT"),
    ) else {
        return;
    };
    let store: Arc<dyn MailStore> = match backend.as_str() {
        "maildir" => Arc::new(MaildirStore::new(&root)),
        "mbox" => Arc::new(MboxStore::new(&root)),
        other => panic!("unknown backend {other}"),
    };
    let acc = store.account(USER).await.expect("account");
    let source = match std::env::var("DURABILITY_SOURCE").as_deref() {
        Ok("bytes") => MessageSource::from(MESSAGE.to_vec()),
        _ => {
            let reader: Box<dyn tokio::io::AsyncRead + Send + Unpin> =
                Box::new(std::io::Cursor::new(MESSAGE.to_vec()));
            MessageSource::Reader(reader)
        }
    };
    let uid = acc
        .append("INBOX", source, AppendOptions::default())
        .await
        .expect("append");
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    out.write_all(format!("ACK {uid}\n").as_bytes())
        .expect("stdout");
    out.flush().expect("flush");
}

/// Runs the child for `backend` under strace; returns the trace and the (canonical) root.
/// Runs the child for `backend` (`maildir`, `mbox`) and `source` (`reader`, `bytes`) under
/// strace.
async fn traced_append(backend: &str, source: &str) -> (Trace, PathBuf, tempfile::TempDir) {
    testkit::strace::require();
    let dir = tempfile::tempdir().expect("tempdir");
    let root = std::fs::canonicalize(dir.path())
        .expect("canonical")
        .join("store");
    let exe = std::env::current_exe().expect("test binary");
    let mut st = Strace::new(exe, dir.path().join("strace.log"));
    st.command()
        .args([
            "--ignored",
            "--exact",
            "durability_child",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("DURABILITY_BACKEND", backend)
        .env("DURABILITY_SOURCE", source)
        .env("DURABILITY_ROOT", &root);
    let trace = st
        .spawn()
        .expect("strace starts")
        .finish(Duration::from_secs(120))
        .await;
    assert!(
        trace.status.is_some_and(|s| s.success()),
        "child failed: {:?}\n{}",
        trace.status,
        trace.stderr
    );
    let stdout = String::from_utf8_lossy(&trace.stdout).into_owned();
    assert!(stdout.contains("ACK "), "child acknowledged: {stdout}");
    (trace, root, dir)
}

fn is_ack(c: &Syscall) -> bool {
    c.is_write() && c.data().starts_with(b"ACK ")
}

fn writes_probe(c: &Syscall) -> bool {
    c.is_write() && c.ok() && contains(&c.data(), b"Subject: durability probe")
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

fn fd_is(c: &Syscall, path: &Path) -> bool {
    c.fd_path() == path.to_str()
}

async fn maildir_syncs_before_ack(source: &str) {
    let (trace, root, _dir) = traced_append("maildir", source).await;
    let delivery = trace.assert_maildir_delivery(None, &root.join(USER), writes_probe);
    let ack = trace
        .find(None, is_ack)
        .unwrap_or_else(|| panic!("ACK written:\n{}", trace.dump()));
    let last = delivery.calls[5];
    assert!(
        trace.precedes(last, ack),
        "ACK before the index fsync returned:\n  {}\n  {}",
        trace.show(last),
        trace.show(ack)
    );
    let name = delivery.linked.file_name().expect("name").to_string_lossy();
    let want = format!(",S={},W={}", MESSAGE.len(), mailstore::rfc822_size(MESSAGE));
    assert!(name.ends_with(&want), "{name} ends with {want}");
    let mut labels = MAILDIR_DELIVERY.to_vec();
    labels.push("ACK");
    let mut calls = delivery.calls.to_vec();
    calls.push(ack);
    eprint!(
        "maildir, append from {source}:\n{}",
        trace.timeline(&labels, &calls)
    );
}

async fn mbox_syncs_before_ack(source: &str) {
    let (trace, root, _dir) = traced_append("mbox", source).await;
    let mbox = root.join(USER).join("INBOX");
    let side = root.join(USER).join(".mailstore");
    let is_index = |c: &Syscall| {
        c.fd_path()
            .is_some_and(|p| Path::new(p).parent() == Some(&side) && p.contains("INBOX.index"))
    };
    let labels = ["write(mbox)", "fsync(mbox)", "fsync(index)", "ACK"];
    let order = trace.assert_order(
        None,
        &[
            Step::new(labels[0], |c| writes_probe(c) && fd_is(c, &mbox)),
            Step::new(labels[1], |c| c.is_sync() && c.ok() && fd_is(c, &mbox)),
            Step::new(labels[2], |c| c.is_sync() && c.ok() && is_index(c)),
            Step::new(labels[3], is_ack),
        ],
    );
    let ack = order[3];
    assert_eq!(
        trace.find(None, is_ack),
        Some(ack),
        "no acknowledgement before the syncs"
    );
    assert!(
        trace.all_precede(|c| c.is_write() && fd_is(c, &mbox), order[1]),
        "a write to the mbox after its fsync:\n{}",
        trace.dump()
    );
    eprint!(
        "mbox, append from {source}:\n{}",
        trace.timeline(&labels, &order)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn maildir_streamed_append_syncs_before_ack() {
    maildir_syncs_before_ack("reader").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn maildir_whole_append_syncs_before_ack() {
    maildir_syncs_before_ack("bytes").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mbox_streamed_append_syncs_before_ack() {
    mbox_syncs_before_ack("reader").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mbox_whole_append_syncs_before_ack() {
    mbox_syncs_before_ack("bytes").await;
}
