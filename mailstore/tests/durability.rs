//! Durability proven, not assumed: a child process appends one message through the streamed
//! path (`MessageSource::Reader`, as the SMTP server hands over a body) and then writes `ACK`
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
use testkit::strace::{Step, Strace, Syscall, Trace};

/// The probe message: LF line ends, so that `W=` differs from `S=`.
const MESSAGE: &[u8] =
    b"Subject: durability probe\nX-Probe: 7f3a\n\nbody line one\nbody line two\n";
const USER: &str = "dur";

/// Child role: one streamed append, then `ACK <uid>` on standard output.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "child role of the strace tests"]
async fn durability_child() {
    let (Ok(backend), Ok(root)) = (
        std::env::var("DURABILITY_BACKEND"),
        std::env::var("DURABILITY_ROOT"),
    ) else {
        panic!("durability_child runs only as the child of the strace tests");
    };
    let store: Arc<dyn MailStore> = match backend.as_str() {
        "maildir" => Arc::new(MaildirStore::new(&root)),
        "mbox" => Arc::new(MboxStore::new(&root)),
        other => panic!("unknown backend {other}"),
    };
    let acc = store.account(USER).await.expect("account");
    let reader: Box<dyn tokio::io::AsyncRead + Send + Unpin> =
        Box::new(std::io::Cursor::new(MESSAGE.to_vec()));
    let uid = acc
        .append(
            "INBOX",
            MessageSource::Reader(reader),
            AppendOptions::default(),
        )
        .await
        .expect("append");
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    out.write_all(format!("ACK {uid}\n").as_bytes())
        .expect("stdout");
    out.flush().expect("flush");
}

/// Runs the child for `backend` under strace; returns the trace and the (canonical) root.
async fn traced_append(backend: &str) -> (Trace, PathBuf, tempfile::TempDir) {
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

/// Prints the matched calls with their wall-clock offsets from the first, for the report.
fn print_sequence(title: &str, trace: &Trace, labels: &[&str], idx: &[usize]) {
    let t0 = trace.calls[idx[0]].time_us;
    let mut out = format!("{title} (under strace, which slows every call):\n");
    for (l, &i) in labels.iter().zip(idx) {
        let c = &trace.calls[i];
        out.push_str(&format!(
            "  +{:>6} µs  {:<18} {}({}) = {}\n",
            c.end_time_us.saturating_sub(t0),
            l,
            c.name,
            c.fd_path().unwrap_or("-"),
            c.result
        ));
    }
    eprint!("{out}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn maildir_append_syncs_before_ack() {
    let (trace, root, _dir) = traced_append("maildir").await;
    let mdir = root.join(USER);
    let write = trace.assert_order(
        None,
        &[Step::new("write message into tmp/", |c| {
            writes_probe(c)
                && c.fd_path()
                    .is_some_and(|p| Path::new(p).parent() == Some(&mdir.join("tmp")))
        })],
    )[0];
    let spool = PathBuf::from(trace.calls[write].fd_path().expect("fd path"));
    let (new_dir, index) = (mdir.join("new"), mdir.join("mailstore-index"));
    let labels = [
        "write(tmp file)",
        "fsync(tmp file)",
        "link tmp -> new/",
        "fsync(new/)",
        "write(index)",
        "fsync(index)",
        "ACK",
    ];
    let mut order = vec![write];
    order.extend(trace.assert_order(
        Some(write),
        &[
            Step::new(labels[1], |c| c.is_sync() && c.ok() && fd_is(c, &spool)),
            Step::new(labels[2], |c| {
                c.ok()
                    && c.link_paths().is_some_and(|(from, to)| {
                        Path::new(&from) == spool
                            && Path::new(&to).parent() == Some(&new_dir)
                            && to.contains(&format!(",S={},W=", MESSAGE.len()))
                    })
            }),
            Step::new(labels[3], |c| c.is_sync() && c.ok() && fd_is(c, &new_dir)),
            Step::new(labels[4], |c| c.is_write() && c.ok() && fd_is(c, &index)),
            Step::new(labels[5], |c| c.is_sync() && c.ok() && fd_is(c, &index)),
            Step::new(labels[6], is_ack),
        ],
    ));
    let ack = *order.last().expect("ack");
    assert_eq!(
        trace.find(None, is_ack),
        Some(ack),
        "no acknowledgement before the syncs"
    );
    // Every write of the message's bytes happened before its fsync.
    let fsync = order[1];
    assert!(
        trace
            .calls
            .iter()
            .enumerate()
            .filter(|(_, c)| c.is_write() && fd_is(c, &spool))
            .all(|(i, _)| trace.precedes(i, fsync)),
        "a write to the spool after its fsync:\n{}",
        trace.dump()
    );
    let linked = trace.calls[order[2]].link_paths().expect("link").1;
    let name = Path::new(&linked).file_name().expect("name");
    let want = format!(",S={},W={}", MESSAGE.len(), mailstore::rfc822_size(MESSAGE));
    assert!(
        name.to_string_lossy().ends_with(&want),
        "{linked} ends with {want}"
    );
    print_sequence("maildir, streamed append", &trace, &labels, &order);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mbox_append_syncs_before_ack() {
    let (trace, root, _dir) = traced_append("mbox").await;
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
    let fsync = order[1];
    assert!(
        trace
            .calls
            .iter()
            .enumerate()
            .filter(|(_, c)| c.is_write() && fd_is(c, &mbox))
            .all(|(i, _)| trace.precedes(i, fsync)),
        "a write to the mbox after its fsync:\n{}",
        trace.dump()
    );
    print_sequence("mbox, streamed append", &trace, &labels, &order);
}
