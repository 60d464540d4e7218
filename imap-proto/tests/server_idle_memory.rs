//! Server memory per idle IDLE connection (issue 11's target: at most 32 KiB per plaintext
//! connection): Python holds 1,000 logged-in connections in IDLE on a selected INBOX, and the
//! growth of this process's resident memory (where the server runs) is divided among them.
//! Its own test binary, so that no other test's allocations blur the figure.

mod server_support;

use std::time::Duration;

use server_support::{Options, TestServer};

/// Connections measured.
const CONNECTIONS: usize = 1000;

/// The target of issue 11 for a plaintext IDLE connection.
const TARGET: u64 = 32 * 1024;

fn resident_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .expect("/proc/self/status")
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .expect("VmRSS")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_connection_costs_at_most_32_kib() {
    let server = TestServer::start(Options {
        server: |s| {
            s.max_per_user(10_000)
                .limits(imap_proto::server::Limits::default().with_connections(10_000, 10_000))
        },
        ..Options::default()
    })
    .await;
    for n in 0..20 {
        server
            .deliver("alice", &server_support::message(n, 2000))
            .await;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let phase = dir.path().join("phase");
    let script = format!(
        r#"
phase = {phase:?}
def rd(s, tag):
    buf = b""
    while tag not in buf:
        d = s.recv(65536)
        if not d:
            raise EOFError(buf)
        buf += d
def open_idle():
    s = socket.create_connection(("127.0.0.1", port))
    rd(s, b"\r\n")
    s.sendall(b"a LOGIN alice wonderland\r\n"); rd(s, b"a OK")
    s.sendall(b"b SELECT INBOX\r\n"); rd(s, b"b OK")
    s.sendall(b"c IDLE\r\n"); rd(s, b"+ ")
    return s
# Warm up: the first connections pay for what is allocated once (caches, the runtime's
# slabs), not counted.
warm = [open_idle() for _ in range(50)]
open(phase, "w").write("warm")
time.sleep(3)
idle = [open_idle() for _ in range({CONNECTIONS})]
open(phase, "w").write("full")
time.sleep(5)
for s in idle:
    s.sendall(b"DONE\r\n"); rd(s, b"c OK")
print("ALL", len(idle), "ANSWERED DONE")
"#
    );
    let reached = |what: &str| std::fs::read_to_string(&phase).is_ok_and(|p| p == what);
    let client = tokio::spawn(async move {
        let out = server.python_run(&script).await;
        (server, out)
    });
    let wait = async |what: &str| {
        for _ in 0..600 {
            if reached(what) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the client never reached {what}");
    };
    wait("warm").await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let before = resident_kib();
    wait("full").await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let after = resident_kib();
    let (server, out) = client.await.expect("client task");
    out.assert_success();
    assert!(
        out.stdout
            .contains(&format!("ALL {CONNECTIONS} ANSWERED DONE")),
        "{}",
        out.stdout
    );
    let per_connection = after.saturating_sub(before) * 1024 / CONNECTIONS as u64;
    println!(
        "imap server: {per_connection} octets per idle IDLE connection ({CONNECTIONS} connections, \
         resident {before} KiB → {after} KiB)"
    );
    assert!(
        per_connection <= TARGET,
        "{per_connection} octets per idle connection (target {TARGET})"
    );
    server.stop().await;
}
