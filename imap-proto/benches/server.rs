//! The IMAP server against Dovecot, same run, same Maildir (issue 11's benchmarks), with a load
//! client built on the crate's [`ClientSession`](imap_proto::client::ClientSession):
//!
//! - **ours**: `imap_proto::server::Server` over `mailstore`'s Maildir backend, in a process of
//!   its own (`server/ours.rs`) on a 2-thread tokio runtime;
//! - **dovecot**: Dovecot 2.3 as installed, with testkit's configuration (its defaults, plus
//!   the limits a loopback benchmark needs: see `testkit::dovecot`);
//! - **dovecot-hp**: Dovecot in its high-performance mode (`testkit::dovecot::HIGH_PERFORMANCE_IMAP`:
//!   reused login and imap processes serving many clients each, `mail_fsync = never`,
//!   `maildir_very_dirty_syncs`, ENVELOPE/BODYSTRUCTURE/header fields always cached).
//!
//! Each side gets its own hard-linked copy of one generated Maildir (`testkit::maildir`,
//! generated once into `target/tmp/imap-bench/`): user `bench` with `IMAP_BENCH_MESSAGES`
//! messages (default 100,000, 2-20 KB, some multiparts), users `mix0`..`mix9` with the first
//! 1,000, user `idle` with the first 100. Workloads, each side in turn:
//!
//! 1. `SELECT INBOX` of `bench`, warm (each side's index was built by an untimed first SELECT,
//!    whose time is shown as "cold"), and `UID FETCH 1:* (UID FLAGS RFC822.SIZE)`;
//! 2. `FETCH 1:10000 (ENVELOPE BODYSTRUCTURE)` and `FETCH 1:10000 BODY.PEEK[HEADER.FIELDS (From
//!    Subject Date)]`, timed on the second and later runs (caches warm on both sides);
//! 3. mixed load: `IMAP_BENCH_CLIENTS` (100) clients for `IMAP_BENCH_SECS` (10) s, each session
//!    LOGIN, SELECT, FETCH, STORE, APPEND, UID STORE + EXPUNGE, IDLE/DONE, LOGOUT; commands per
//!    second, and zero protocol errors (asserted);
//! 4. IDLE notification latency: from the start of an APPEND on another connection, and from
//!    the rename of a file into `new/` by this (another) process, to the idling client's
//!    `* n EXISTS`: median and p99 of `IMAP_BENCH_SAMPLES` (40), deliveries 20-520 ms apart;
//! 5. memory per idle IDLE connection: `IMAP_BENCH_IDLE_CONNS` (5,000) connections, plaintext
//!    and TLS, each LOGIN, SELECT, IDLE; the PSS of the server's processes (Dovecot: the master
//!    and all its children) after minus before, divided by the connections. Dovecot as installed
//!    runs one imap process per connection (and one login process per TLS connection) with a
//!    process limit of 1,024: it gets `IMAP_BENCH_IDLE_CONNS_DEFAULT` (500) connections. The
//!    TLS run follows the plaintext one and is measured from the same baseline (memory the
//!    plaintext connections freed is reused, not returned): its figure is an upper bound.
//!    Dovecot's IDLE wakes 0.5 s after a change it sees through inotify (its notify delay).
//!
//! Other settings: `IMAP_BENCH_ROUNDS` (3 timed runs of workloads 1 and 2),
//! `IMAP_BENCH_SIDES` (`ours,dovecot,dovecot-hp`), `IMAP_BENCH_WORKLOADS` (`1,2,3,4,5`).
//! A smoke run: `IMAP_BENCH_MESSAGES=2000 IMAP_BENCH_SECS=2 IMAP_BENCH_IDLE_CONNS=200 cargo
//! bench -p imap-proto --features server --bench server`.
//!
//! Passwords: both sides compare plaintext (Dovecot `{PLAIN}`, ours a `sasl::MemoryStore` with
//! one PBKDF2 iteration), so LOGIN measures the protocol, not a hash function.

#[path = "server/client.rs"]
mod client;
#[path = "server/ours.rs"]
mod ours;
#[path = "server/procs.rs"]
mod procs;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use client::{Client, Fail};
use imap_proto::client::Response;
use imap_proto::response::Data;
use imap_proto::token::Flag;
use testkit::bench::{mean, record};
use testkit::dovecot::{
    Dovecot, HIGH_PERFORMANCE_IMAP, chown_dovecot, dovecot_installed, imaps_config,
};

/// Every user's password.
const PASSWORD: &str = "secret";
/// Messages of each `mixN` user.
const MIX_MESSAGES: usize = 1000;
/// Users of the mixed load.
const MIX_USERS: usize = 10;
/// Messages of user `idle`.
const IDLE_MESSAGES: usize = 100;
/// Read buffer of the load client (workloads 1-4), and of the idle connections (workload 5).
const READ_BUFFER: usize = 64 * 1024;
const IDLE_READ_BUFFER: usize = 4 * 1024;

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn env_list(name: &str, default: &str) -> Vec<String> {
    env_or(name, default.to_owned())
        .split(',')
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect()
}

/// The run's settings (environment, see the module documentation).
struct Settings {
    messages: usize,
    rounds: usize,
    fetch: usize,
    clients: usize,
    secs: u64,
    samples: usize,
    idle_conns: usize,
    idle_conns_default: usize,
    workloads: Vec<String>,
}

/// One server under test.
struct Side {
    name: String,
    plain: SocketAddr,
    tls: SocketAddr,
    /// The process whose tree is the server (Dovecot's master, or our server's process).
    pid: u32,
    /// `<mail_root>/<user>` is each user's Maildir.
    mail_root: PathBuf,
    /// Dovecot as installed: one process per connection, at most 1,024.
    process_per_connection: bool,
    _ours: Option<ours::Ours>,
    dovecot: Option<Dovecot>,
}

fn users() -> Vec<String> {
    let mut u = vec!["bench".to_owned(), "idle".to_owned()];
    u.extend((0..MIX_USERS).map(|i| format!("mix{i}")));
    u
}

/// Lays out every user's Maildir under `root` as hard links into the generated one.
fn lay_out(src: &Path, root: &Path) {
    testkit::maildir::link_copy(src, &root.join("bench")).expect("copy the big Maildir");
    for i in 0..MIX_USERS {
        testkit::maildir::link_first(src, &root.join(format!("mix{i}")), MIX_MESSAGES)
            .expect("mix Maildir");
    }
    testkit::maildir::link_first(src, &root.join("idle"), IDLE_MESSAGES).expect("idle Maildir");
}

fn start_side(name: &str, dir: &Path, src: &Path, certs: &testkit::TestCerts) -> Side {
    let dir = dir.join(name);
    std::fs::create_dir_all(&dir).expect("mkdir");
    let users = users();
    if name == "ours" {
        let root = dir.join("mail");
        lay_out(src, &root);
        let ours = ours::Ours::start(&root, &users, PASSWORD, &certs.ca_file(), &certs.key_file());
        return Side {
            name: name.to_owned(),
            plain: ours.plain,
            tls: ours.tls,
            pid: ours.pid(),
            mail_root: root,
            process_per_connection: false,
            _ours: Some(ours),
            dovecot: None,
        };
    }
    let hp = name == "dovecot-hp";
    lay_out(src, &dir.join("mail"));
    let tls_port = testkit::free_port();
    let mut extra = imaps_config(&certs.ca_file(), &certs.key_file(), tls_port);
    if hp {
        extra.push_str(HIGH_PERFORMANCE_IMAP);
    } else {
        // Not a performance setting: thousands of sessions of one user from 127.0.0.1.
        extra.push_str("mail_max_userip_connections = 20000\n");
    }
    let pairs: Vec<(&str, &str)> = users.iter().map(|u| (u.as_str(), PASSWORD)).collect();
    let dc = Dovecot::start_with(&dir, &pairs, &extra).expect("Dovecot starts");
    // The master writes its pid file a moment after it listens.
    let mut pid = dc.master_pid();
    for _ in 0..100 {
        if pid.is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
        pid = dc.master_pid();
    }
    let pid = pid.unwrap_or_else(|| panic!("no master.pid under {}", dir.display()));
    Side {
        name: name.to_owned(),
        plain: dc.imap_addr(),
        tls: SocketAddr::from(([127, 0, 0, 1], tls_port)),
        pid,
        mail_root: dc.mail_root(),
        process_per_connection: !hp,
        _ours: None,
        dovecot: Some(dc),
    }
}

/// A logged-in connection with `mailbox` of `user` selected; returns it and the message count.
async fn open(side: &Side, user: &str) -> Result<(Client, u32), Fail> {
    let mut c = Client::connect(side.plain, None, READ_BUFFER).await?;
    c.login(user, PASSWORD).await?;
    let n = c.select("INBOX").await?;
    Ok((c, n))
}

/// How many `* n FETCH` responses a completion carries.
fn fetches(c: &imap_proto::client::Completion) -> usize {
    c.untagged
        .iter()
        .filter(|r| matches!(r, Response::Data(Data::Fetch { .. })))
        .count()
}

// ---------------------------------------------------------------------------------------------
// Workload 1: SELECT and UID FETCH 1:* of the big mailbox.

async fn select_and_fetch_all(side: &Side, s: &Settings) -> Result<(), Fail> {
    let t = Instant::now();
    let (c, n) = open(side, "bench").await?;
    eprintln!(
        "  {:<11} cold SELECT (index built) {:>8.2} s",
        side.name,
        t.elapsed().as_secs_f64()
    );
    if n as usize != s.messages {
        return Err(format!("SELECT says {n} messages, not {}", s.messages));
    }
    c.logout().await?;
    for _ in 0..s.rounds {
        let mut c = Client::connect(side.plain, None, READ_BUFFER).await?;
        c.login("bench", PASSWORD).await?;
        let t = Instant::now();
        let n = c.select("INBOX").await?;
        record(&format!("select/{}", side.name), t.elapsed(), 1);
        if n as usize != s.messages {
            return Err(format!("SELECT says {n} messages, not {}", s.messages));
        }
        let t = Instant::now();
        let done = c.command("UID FETCH 1:* (UID FLAGS RFC822.SIZE)").await?;
        record(&format!("uid-fetch-all/{}", side.name), t.elapsed(), 1);
        if fetches(&done) != s.messages {
            return Err(format!(
                "UID FETCH 1:* answered {} messages",
                fetches(&done)
            ));
        }
        c.logout().await?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Workload 2: FETCH of 10,000 messages' ENVELOPE and BODYSTRUCTURE, and of three header fields.

const FETCHES: [(&str, &str); 2] = [
    ("fetch-envelope-bodystructure", "(ENVELOPE BODYSTRUCTURE)"),
    (
        "fetch-header-fields",
        "BODY.PEEK[HEADER.FIELDS (From Subject Date)]",
    ),
];

async fn fetch_10000(side: &Side, s: &Settings) -> Result<(), Fail> {
    let (mut c, _) = open(side, "bench").await?;
    for (name, items) in FETCHES {
        let command = format!("FETCH 1:{} {items}", s.fetch);
        for round in 0..=s.rounds {
            let t = Instant::now();
            let done = c.command(&command).await?;
            let d = t.elapsed();
            if fetches(&done) != s.fetch {
                return Err(format!("{command} answered {} messages", fetches(&done)));
            }
            if round == 0 {
                eprintln!(
                    "  {:<11} {name} first run {:>8.3} s",
                    side.name,
                    d.as_secs_f64()
                );
            } else {
                record(&format!("{name}/{}", side.name), d, 1);
            }
        }
    }
    c.logout().await
}

// ---------------------------------------------------------------------------------------------
// Workload 3: mixed load.

/// The commands of the mixed load, in the order of a session.
const MIXED_COMMANDS: [&str; 9] = [
    "LOGIN",
    "SELECT",
    "FETCH",
    "STORE",
    "APPEND",
    "UID STORE",
    "EXPUNGE",
    "IDLE",
    "LOGOUT",
];

/// Counts the mixed load's commands and the time each took (`mixed-cmd/<side>/<command>`;
/// LOGIN includes the connection and the greeting, IDLE the `+` and DONE's completion).
struct Meter<'a> {
    side: &'a str,
    ops: &'a AtomicU64,
    since: Instant,
}

impl Meter<'_> {
    fn done(&mut self, command: &str) {
        record(
            &format!("mixed-cmd/{}/{command}", self.side),
            self.since.elapsed(),
            1,
        );
        self.ops.fetch_add(1, Ordering::Relaxed);
        self.since = Instant::now();
    }
}

/// One session of the mixed load.
async fn mixed_session(side: &Side, user: &str, k: u64, ops: &AtomicU64) -> Result<(), Fail> {
    let mut meter = Meter {
        side: &side.name,
        ops,
        since: Instant::now(),
    };
    let mut c = Client::connect(side.plain, None, READ_BUFFER).await?;
    c.login(user, PASSWORD).await?;
    meter.done("LOGIN");
    let n = c.select("INBOX").await?;
    meter.done("SELECT");
    if (n as usize) < MIX_MESSAGES {
        return Err(format!("{user}: SELECT says {n} messages"));
    }
    let first = 1 + (k * 7919 % (MIX_MESSAGES as u64 - 10));
    let done = c
        .command(&format!(
            "FETCH {first}:{} (FLAGS ENVELOPE RFC822.SIZE)",
            first + 9
        ))
        .await?;
    // Flag changes of other sessions may come as more FETCH responses: count the range's.
    let mut seqs: Vec<u32> = done
        .untagged
        .iter()
        .filter_map(|r| match r {
            Response::Data(Data::Fetch { seq, .. }) => Some(seq.get()),
            _ => None,
        })
        .filter(|n| (first as u32..first as u32 + 10).contains(n))
        .collect();
    seqs.sort_unstable();
    seqs.dedup();
    if seqs.len() != 10 {
        return Err(format!("FETCH of 10 answered {seqs:?}"));
    }
    meter.done("FETCH");
    let sign = if k.is_multiple_of(2) { '+' } else { '-' };
    c.command(&format!("STORE {first} {sign}FLAGS (\\Seen)"))
        .await?;
    meter.done("STORE");
    let message = testkit::maildir::message((k % 997) as usize);
    let uid = c.append("INBOX", &[Flag::Seen], &message).await?;
    meter.done("APPEND");
    let Some(uid) = uid else {
        return Err("APPEND without APPENDUID".to_owned());
    };
    c.command(&format!("UID STORE {uid} +FLAGS.SILENT (\\Deleted)"))
        .await?;
    meter.done("UID STORE");
    c.command("EXPUNGE").await?;
    meter.done("EXPUNGE");
    let tag = c.idle().await?;
    c.done(&tag).await?;
    meter.done("IDLE");
    c.logout().await?;
    meter.done("LOGOUT");
    Ok(())
}

async fn mixed(side: &Arc<Side>, s: &Settings) -> Vec<Fail> {
    let ops = Arc::new(AtomicU64::new(0));
    let sessions = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + Duration::from_secs(s.secs);
    let start = Instant::now();
    let mut tasks = Vec::new();
    for i in 0..s.clients {
        let (side, ops, sessions) = (side.clone(), ops.clone(), sessions.clone());
        tasks.push(tokio::spawn(async move {
            let user = format!("mix{}", i % MIX_USERS);
            let mut errors = Vec::new();
            let mut k = i as u64;
            while Instant::now() < deadline {
                match mixed_session(&side, &user, k, &ops).await {
                    Ok(()) => {
                        sessions.fetch_add(1, Ordering::Relaxed);
                    }
                    Err(e) => errors.push(format!("client {i}: {e}")),
                }
                k += STEP;
            }
            errors
        }));
    }
    let mut errors = Vec::new();
    for t in tasks {
        match t.await {
            Ok(e) => errors.extend(e),
            Err(e) => errors.push(format!("client task: {e}")),
        }
    }
    let elapsed = start.elapsed();
    let ops = ops.load(Ordering::Relaxed);
    record(&format!("mixed/{}", side.name), elapsed, ops);
    eprintln!(
        "  {:<11} {} clients, {:.1} s: {ops} commands ({:.0}/s), {} sessions ({:.0}/s), {} errors",
        side.name,
        s.clients,
        elapsed.as_secs_f64(),
        ops as f64 / elapsed.as_secs_f64(),
        sessions.load(Ordering::Relaxed),
        sessions.load(Ordering::Relaxed) as f64 / elapsed.as_secs_f64(),
        errors.len()
    );
    let mut line = String::from("              mean ms per command:");
    for cmd in MIXED_COMMANDS {
        if let Some(m) = mean(&format!("mixed-cmd/{}/{cmd}", side.name)) {
            line.push_str(&format!(" {cmd} {:.1}", m * 1e3));
        }
    }
    eprintln!("{line}");
    errors
}

/// How far each client moves through the mailbox between sessions.
const STEP: u64 = 101;

// ---------------------------------------------------------------------------------------------
// Workload 4: IDLE notification latency.

/// Median and 99th percentile.
fn percentiles(mut v: Vec<Duration>) -> (Duration, Duration) {
    v.sort();
    if v.is_empty() {
        return (Duration::ZERO, Duration::ZERO);
    }
    let p = |q: f64| v[((v.len() - 1) as f64 * q).round() as usize];
    (p(0.5), p(0.99))
}

/// Latency results: (workload, side) → (median, p99).
type Latencies = Vec<(String, String, Duration, Duration)>;

async fn idle_latency(side: &Side, s: &Settings, out: &mut Latencies) -> Result<(), Fail> {
    let (mut idler, mut exists) = open(side, "idle").await?;
    let mut deliverer = Client::connect(side.plain, None, READ_BUFFER).await?;
    deliverer.login("idle", PASSWORD).await?;
    let message = testkit::maildir::message(7);
    let new_dir = side.mail_root.join("idle").join("new");
    let tmp_dir = side.mail_root.join("idle").join("tmp");
    for how in ["append", "file"] {
        let mut samples = Vec::new();
        let tag = idler.idle().await?;
        for k in 0..s.samples {
            let expect = exists + 1;
            let deliver = async {
                if how == "append" {
                    let t0 = Instant::now();
                    deliverer.append("INBOX", &[], &message).await.map(|_| t0)
                } else {
                    // An outside delivery agent: write in tmp/, rename into new/.
                    let name = format!("{}.bench{k}.{}", 1_800_000_000 + k, std::process::id());
                    let tmp = tmp_dir.join(&name);
                    std::fs::write(&tmp, &message).map_err(|e| e.to_string())?;
                    if side.dovecot.is_some() {
                        chown_dovecot(&tmp).map_err(|e| e.to_string())?;
                    }
                    let t0 = Instant::now();
                    std::fs::rename(&tmp, new_dir.join(&name)).map_err(|e| e.to_string())?;
                    Ok(t0)
                }
            };
            let notified = async {
                let r = idler.wait_exists(expect, Duration::from_secs(30)).await;
                (r, Instant::now())
            };
            let (t0, (n, t1)) = tokio::join!(deliver, notified);
            let (t0, n) = (t0?, n?);
            samples.push(t1.saturating_duration_since(t0));
            exists = n;
            // A pause spread over 20-520 ms, so that deliveries fall at every phase of a
            // server's polling or notify-delay timer rather than right after its last tick.
            tokio::time::sleep(Duration::from_millis(20 + (k as u64 * 137) % 500)).await;
        }
        idler.done(&tag).await?;
        let (median, p99) = percentiles(samples);
        eprintln!(
            "  {:<11} IDLE latency from {how:<6}: median {:>7.2} ms  p99 {:>7.2} ms",
            side.name,
            median.as_secs_f64() * 1e3,
            p99.as_secs_f64() * 1e3
        );
        out.push((how.to_owned(), side.name.clone(), median, p99));
    }
    idler.logout().await?;
    deliverer.logout().await
}

// ---------------------------------------------------------------------------------------------
// Workload 5: memory per idle IDLE connection.

/// Memory results: (plain/tls, side, connections, KiB per connection).
type Memory = Vec<(String, String, usize, f64)>;

async fn idle_memory(
    side: &Arc<Side>,
    tls: Option<Arc<rustls::ClientConfig>>,
    n: usize,
    baseline: &mut Option<u64>,
    out: &mut Memory,
) -> Result<(), Fail> {
    let addr = if tls.is_some() { side.tls } else { side.plain };
    let label = if tls.is_some() { "tls" } else { "plain" };
    // Warm: the account and the mailbox are open once before the measure starts.
    let mut c = Client::connect(addr, tls.as_ref(), IDLE_READ_BUFFER).await?;
    c.login("idle", PASSWORD).await?;
    c.select("INBOX").await?;
    c.logout().await?;
    tokio::time::sleep(Duration::from_secs(1)).await;
    // Memory freed by the plaintext run's connections stays with the allocator and is reused
    // by the TLS run's: both are measured from the side's first baseline, so the TLS figure
    // is the larger of the two runs' costs (an upper bound), never the difference.
    let (now, procs_before) = procs::tree_pss_kib(side.pid);
    let before = *baseline.get_or_insert(now);
    let gate = Arc::new(tokio::sync::Semaphore::new(32));
    let mut tasks = Vec::new();
    for _ in 0..n {
        let (tls, gate) = (tls.clone(), gate.clone());
        tasks.push(tokio::spawn(async move {
            let _permit = gate.acquire_owned().await.map_err(|e| e.to_string())?;
            let mut c = Client::connect(addr, tls.as_ref(), IDLE_READ_BUFFER).await?;
            c.login("idle", PASSWORD).await?;
            c.select("INBOX").await?;
            let tag = c.idle().await?;
            Ok::<_, Fail>((c, tag))
        }));
    }
    let mut conns = Vec::new();
    for t in tasks {
        conns.push(t.await.map_err(|e| e.to_string())??);
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let (after, procs_after) = procs::tree_pss_kib(side.pid);
    let per = (after as f64 - before as f64) / n as f64;
    eprintln!(
        "  {:<11} {label:<5} {n} IDLE connections: PSS {before} KiB ({procs_before} processes) → \
         {after} KiB ({procs_after} processes): {per:.1} KiB per connection",
        side.name
    );
    out.push((label.to_owned(), side.name.clone(), n, per));
    drop(conns);
    tokio::time::sleep(Duration::from_secs(2)).await;
    Ok(())
}

// ---------------------------------------------------------------------------------------------

/// Raises this process's open-file limit to its hard limit (thousands of connections).
fn raise_nofile() {
    use rustix::process::{Resource, getrlimit, setrlimit};
    let mut limit = getrlimit(Resource::Nofile);
    limit.current = limit.maximum;
    let _ = setrlimit(Resource::Nofile, limit);
    let now = getrlimit(Resource::Nofile).current.unwrap_or(u64::MAX);
    eprintln!("open files: {now}");
}

fn main() {
    if std::env::var_os(ours::SERVE_VAR).is_some() {
        raise_nofile();
        ours::serve_main();
        return;
    }
    // `cargo bench` passes `--bench`; `cargo test --benches` passes nothing: run only on the
    // former, build only on the latter.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    raise_nofile();
    let messages: usize = env_or("IMAP_BENCH_MESSAGES", 100_000);
    let s = Settings {
        messages,
        rounds: env_or("IMAP_BENCH_ROUNDS", 3),
        fetch: messages.min(10_000),
        clients: env_or("IMAP_BENCH_CLIENTS", 100),
        secs: env_or("IMAP_BENCH_SECS", 10),
        samples: env_or("IMAP_BENCH_SAMPLES", 40),
        idle_conns: env_or("IMAP_BENCH_IDLE_CONNS", 5000),
        idle_conns_default: env_or("IMAP_BENCH_IDLE_CONNS_DEFAULT", 500),
        workloads: env_list("IMAP_BENCH_WORKLOADS", "1,2,3,4,5"),
    };
    assert!(
        messages >= MIX_MESSAGES,
        "IMAP_BENCH_MESSAGES must be at least {MIX_MESSAGES}"
    );
    let mut side_names = env_list("IMAP_BENCH_SIDES", "ours,dovecot,dovecot-hp");
    if !dovecot_installed() {
        side_names.retain(|n| !n.starts_with("dovecot"));
    }
    let cache = Path::new(env!("CARGO_TARGET_TMPDIR")).join("imap-bench");
    let t = Instant::now();
    let src = testkit::maildir::generate(&cache, messages).expect("generate the Maildir");
    eprintln!(
        "Maildir of {messages} messages at {} ({:.1} s)",
        src.display(),
        t.elapsed().as_secs_f64()
    );
    // Dovecot reads mail as its own user; the files are shared by every copy.
    chown_dovecot(&src).expect("chown the generated Maildir");
    let run_dir = tempfile::tempdir_in(&cache).expect("run directory");
    let certs = testkit::TestCerts::generate();
    let sides: Vec<Arc<Side>> = side_names
        .iter()
        .map(|n| Arc::new(start_side(n, run_dir.path(), &src, &certs)))
        .collect();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("client runtime");
    let mut failures: Vec<String> = Vec::new();
    let mut latencies = Latencies::new();
    let mut memory = Memory::new();
    let wants = |w: &str| s.workloads.iter().any(|x| x == w);
    rt.block_on(async {
        if wants("1") {
            eprintln!("\n1. SELECT of {messages} messages, UID FETCH 1:* (UID FLAGS RFC822.SIZE)");
            for side in &sides {
                if let Err(e) = select_and_fetch_all(side, &s).await {
                    failures.push(format!("{} workload 1: {e}", side.name));
                }
            }
        }
        if wants("2") {
            eprintln!(
                "\n2. FETCH 1:{} ENVELOPE BODYSTRUCTURE / HEADER.FIELDS",
                s.fetch
            );
            for side in &sides {
                if let Err(e) = fetch_10000(side, &s).await {
                    failures.push(format!("{} workload 2: {e}", side.name));
                }
            }
        }
        if wants("3") {
            eprintln!("\n3. Mixed load, {} clients, {} s", s.clients, s.secs);
            for side in &sides {
                let errors = mixed(side, &s).await;
                for e in errors.iter().take(5) {
                    eprintln!("    {e}");
                }
                failures.extend(
                    errors
                        .into_iter()
                        .map(|e| format!("{} mixed: {e}", side.name)),
                );
            }
        }
        if wants("4") {
            eprintln!("\n4. IDLE notification latency, {} samples", s.samples);
            for side in &sides {
                if let Err(e) = idle_latency(side, &s, &mut latencies).await {
                    failures.push(format!("{} workload 4: {e}", side.name));
                }
            }
        }
        if wants("5") {
            eprintln!("\n5. Memory per idle IDLE connection");
            let tls = certs.client_config();
            for side in &sides {
                let n = if side.process_per_connection {
                    s.idle_conns.min(s.idle_conns_default)
                } else {
                    s.idle_conns
                };
                let mut baseline = None;
                for t in [None, Some(tls.clone())] {
                    if let Err(e) = idle_memory(side, t, n, &mut baseline, &mut memory).await {
                        failures.push(format!("{} workload 5: {e}", side.name));
                    }
                }
            }
        }
    });
    summary(&sides, &s, &latencies, &memory);
    for side in &sides {
        if let Some(dc) = &side.dovecot {
            let log = dc.log();
            // Dovecot's own statistics service falling behind under load (`stats-writer ...
            // Timeout waiting for handshake`) is shown, not counted: no client sees it.
            let (notes, errors): (Vec<&str>, Vec<&str>) = log
                .lines()
                .filter(|l| l.contains("Error:") || l.contains("Fatal:") || l.contains("Panic:"))
                .partition(|l| l.contains("stats-writer"));
            if let Some(first) = notes.first() {
                eprintln!(
                    "{} log: {} stats-writer errors, first: {first}",
                    side.name,
                    notes.len()
                );
            }
            for e in errors.iter().take(10) {
                eprintln!("{} log: {e}", side.name);
            }
            failures.extend(errors.iter().map(|e| format!("{} log: {e}", side.name)));
        }
    }
    assert!(
        failures.is_empty(),
        "{} protocol errors or failures, first: {:?}",
        failures.len(),
        failures.iter().take(10).collect::<Vec<_>>()
    );
}

/// `x` per second from a mean time per operation.
fn per_sec(mean: Option<f64>) -> Option<f64> {
    mean.filter(|m| *m > 0.0).map(|m| 1.0 / m)
}

fn summary(sides: &[Arc<Side>], s: &Settings, lat: &Latencies, mem: &Memory) {
    eprintln!("\n== IMAP server: ours vs Dovecot 2.3, same run, same Maildir ==");
    let workloads = [
        (
            "select",
            format!("SELECT ({} msgs)", s.messages),
            "SELECT/s",
        ),
        (
            "uid-fetch-all",
            "UID FETCH 1:* (UID FLAGS SIZE)".to_owned(),
            "cmd/s",
        ),
        (
            "fetch-envelope-bodystructure",
            format!("FETCH 1:{} (ENVELOPE BODYSTRUCTURE)", s.fetch),
            "cmd/s",
        ),
        (
            "fetch-header-fields",
            format!("FETCH 1:{} HEADER.FIELDS", s.fetch),
            "cmd/s",
        ),
        ("mixed", format!("mixed, {} clients", s.clients), "cmd/s"),
    ];
    for (key, label, unit) in &workloads {
        let ours = per_sec(mean(&format!("{key}/ours")));
        let mut line = format!("{label:<40}");
        for side in sides {
            if let Some(v) = per_sec(mean(&format!("{key}/{}", side.name))) {
                line.push_str(&format!("  {}: {v:>9.2} {unit}", side.name));
            }
        }
        for side in sides.iter().filter(|x| x.name != "ours") {
            if let (Some(o), Some(d)) = (ours, per_sec(mean(&format!("{key}/{}", side.name)))) {
                line.push_str(&format!("  ours/{}: {:.2}x", side.name, o / d));
            }
        }
        eprintln!("{line}");
    }
    for (how, side, median, p99) in lat {
        let ours = lat
            .iter()
            .find(|(h, n, _, _)| h == how && n == "ours")
            .map(|x| x.2);
        let ratio = match ours {
            Some(o) if side != "ours" && !o.is_zero() => {
                format!(
                    "  {side}/ours (median): {:.2}x",
                    median.as_secs_f64() / o.as_secs_f64()
                )
            }
            _ => String::new(),
        };
        eprintln!(
            "IDLE latency from {how:<6} {side:<11} median {:>8.2} ms  p99 {:>8.2} ms{ratio}",
            median.as_secs_f64() * 1e3,
            p99.as_secs_f64() * 1e3
        );
    }
    for (label, side, n, per) in mem {
        eprintln!("memory per IDLE connection, {label:<5} {side:<11} {n:>5} conns: {per:>8.1} KiB");
    }
}
