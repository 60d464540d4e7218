//! Back-pressure over a real socket: a client pipelines 16 KiB of `LIST` over a 50,000-message
//! Maildir and does not read. The server (running in this test process: a test binary of its
//! own, so no other test shares the process) must keep its memory growth under
//! [`MEMORY_BOUND`]; without back-pressure it would build every listing at once (2,730 listings
//! of about 600 KB: over 1.6 GB).

mod support;

use std::path::Path;
use std::time::{Duration, Instant};

use support::{Options, TestServer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// The growth of the server process's resident memory allowed while the client does not read.
const MEMORY_BOUND: u64 = 64 << 20;
/// Messages in the maildrop.
const MESSAGES: usize = 50_000;
/// How long the client pipelines and does not read.
const NOT_READING: Duration = Duration::from_secs(3);
/// Every socket wait of the test.
const WAIT: Duration = Duration::from_secs(60);

/// A field (`VmRSS`, `VmHWM`) of /proc/self/status, in octets.
fn proc_status(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    let line = status
        .lines()
        .find(|l| l.starts_with(field))
        .unwrap_or_else(|| panic!("{field} in /proc/self/status"));
    let kb: u64 = line
        .split_whitespace()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("bad {line:?}"));
    kb * 1024
}

/// Writes `count` small messages straight into `dir/cur` (as a delivery agent would have),
/// named with their size (`,S=`) as the store expects.
fn fill_maildir(dir: &Path, count: usize) -> u64 {
    for sub in ["cur", "new", "tmp"] {
        std::fs::create_dir_all(dir.join(sub)).expect("maildir");
    }
    let mut total = 0;
    for i in 0..count {
        let body = format!("Subject: message {i}\r\n\r\nbody of message {i}\r\n");
        let name = format!("1700000000.M{i}P1Q{i}.pop.test,S={}:2,S", body.len());
        std::fs::write(dir.join("cur").join(name), &body).expect("write message");
        total += body.len() as u64;
    }
    total
}

/// The client's side of the connection: what was read and not yet looked at.
struct Reader {
    stream: TcpStream,
    buf: Vec<u8>,
}

impl Reader {
    /// Reads until `end` arrives, within [`WAIT`]; returns everything up to and including it.
    async fn until(&mut self, end: &[u8]) -> Vec<u8> {
        let mut chunk = vec![0u8; 64 * 1024];
        let deadline = Instant::now() + WAIT;
        let mut from = 0;
        loop {
            if let Some(at) = self
                .buf
                .get(from..)
                .and_then(|b| b.windows(end.len()).position(|w| w == end))
            {
                let rest = self.buf.split_off(from + at + end.len());
                return std::mem::replace(&mut self.buf, rest);
            }
            from = self.buf.len().saturating_sub(end.len());
            let left = deadline.saturating_duration_since(Instant::now());
            let n = tokio::time::timeout(left, self.stream.read(&mut chunk))
                .await
                .unwrap_or_else(|_| panic!("no {:?} within {WAIT:?}", String::from_utf8_lossy(end)))
                .expect("read");
            assert!(n > 0, "server closed early");
            self.buf.extend_from_slice(&chunk[..n]);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pipelined_list_over_a_huge_maildrop_keeps_memory_bounded() {
    // Tens of thousands of files: on a tmpfs when there is one (the disk may be slow and shared).
    let shm = Path::new("/dev/shm");
    let server = if shm.is_dir() {
        TestServer::start_in(Options::default(), shm).await
    } else {
        TestServer::start(Options::default()).await
    };
    let started = Instant::now();
    let octets = fill_maildir(&server.root.join("alice"), MESSAGES);
    eprintln!("{MESSAGES} messages written in {:?}", started.elapsed());

    let stream = tokio::time::timeout(WAIT, TcpStream::connect(server.addr))
        .await
        .expect("connect in time")
        .expect("connect");
    let mut client = Reader {
        stream,
        buf: Vec::new(),
    };
    client.until(b"\r\n").await;
    client
        .stream
        .write_all(b"USER alice\r\nPASS wonderland\r\nSTAT\r\n")
        .await
        .expect("login");
    let stat = format!("+OK {MESSAGES} {octets}\r\n");
    client.until(stat.as_bytes()).await;
    eprintln!("logged in after {:?}", started.elapsed());

    // The maildrop is open and listed: the baseline.
    let rss_before = proc_status("VmRSS");
    let hwm_before = proc_status("VmHWM");
    let lists = 16 * 1024 / b"LIST\r\n".len();
    client
        .stream
        .write_all(&b"LIST\r\n".repeat(lists))
        .await
        .expect("pipeline LIST");
    // Not reading: sample the memory while the server runs into back-pressure.
    let mut rss_peak = rss_before;
    let until = Instant::now() + NOT_READING;
    while Instant::now() < until {
        tokio::time::sleep(Duration::from_millis(20)).await;
        rss_peak = rss_peak.max(proc_status("VmRSS"));
    }
    let hwm_growth = proc_status("VmHWM").saturating_sub(hwm_before);
    let rss_growth = rss_peak.saturating_sub(rss_before);
    eprintln!(
        "while not reading: VmRSS {} MiB -> peak {} MiB (+{} KiB), VmHWM +{} KiB",
        rss_before >> 20,
        rss_peak >> 20,
        rss_growth >> 10,
        hwm_growth >> 10
    );
    assert!(
        rss_growth < MEMORY_BOUND && hwm_growth < MEMORY_BOUND,
        "memory grew by {rss_growth} octets (VmHWM by {hwm_growth}), bound {MEMORY_BOUND}"
    );

    // Now read: the first listing is complete and right, the second follows it.
    let listing = client.until(b"\r\n.\r\n").await;
    let text = String::from_utf8(listing).expect("listing is text");
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some(format!("+OK {MESSAGES} messages ({octets} octets)").as_str())
    );
    let numbers: Vec<usize> = lines
        .by_ref()
        .take(MESSAGES)
        .map(|l| {
            l.split(' ')
                .next()
                .and_then(|n| n.parse().ok())
                .expect("msg size")
        })
        .collect();
    assert_eq!(numbers, (1..=MESSAGES).collect::<Vec<_>>());
    assert_eq!(lines.next(), Some("."));
    let next = client.until(b" octets)\r\n").await;
    assert_eq!(
        next,
        format!("+OK {MESSAGES} messages ({octets} octets)\r\n").as_bytes()
    );
    drop(client);
    server.stop().await;
}
