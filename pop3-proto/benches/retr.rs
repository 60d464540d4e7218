//! POP3 `RETR` throughput against Dovecot's POP3 server, both serving the same Maildirs in the
//! same run (ratios printed at the end). Dovecot runs twice: `dovecot` as installed (its
//! default high-security mode forks a login process and a mail process per connection) and
//! `dovecot-hp` in its high-performance mode ([`HIGH_PERFORMANCE`]: processes reused and kept
//! ready), the stronger peer and the one to beat. Scenarios:
//! - A, "one client": one session retrieves all 10,000 messages of `bench1`, one `RETR` at a
//!   time, as fetchmail does;
//! - B, "100 clients": 100 sessions at once (users `u000`..`u099`), 100 `RETR` each.
//!
//! The corpus: 10,000 messages of mixed sizes (1–20 KB, every hundredth 100–200 KB; CRLF line
//! endings; some lines start with `.` so the stuffing is exercised), appended with
//! `mailstore::MaildirStore` to `bench1`, its files hard-linked 100 by 100 to the 100 users. Each
//! target gets one unmeasured pass of both scenarios first (Dovecot builds its indexes then).
//! Every session checks every `+OK`, every terminator, and that the octets add up to `STAT`.
//!
//! `POP3_BENCH_N` (a multiple of 100) changes the number of messages; `POP3_BENCH_TARGETS`
//! (comma-separated: `ours`, `dovecot`, `dovecot-hp`) limits the servers measured. Dovecot is skipped, with a
//! `SKIPPED` line, when it is not installed.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::Path;
use std::time::{Duration, Instant};

use criterion::{Criterion, SamplingMode, Throughput};
use mailstore::maildir::MaildirStore;
use mailstore::{AppendOptions, MailStore};
use testkit::dovecot::{Dovecot, HIGH_PERFORMANCE, dovecot_installed};

#[path = "support/client.rs"]
mod client;

#[path = "support/corpus.rs"]
mod corpus;

/// Password of every benchmark user.
const PASSWORD: &str = "bench-secret";

/// Number of users (and sessions) of scenario B.
const USERS: u64 = 100;

/// Whatever keeps a server running until it is dropped.
type Guard = Box<dyn std::any::Any>;

/// Starts our POP3 server on `127.0.0.1:0` serving `MaildirStore::new(root)` with `users` as
/// `(name, password)`, in a runtime of its own on its own threads (as Dovecot runs in processes of
/// its own); returns its address and a guard that stops it when dropped.
fn start_ours(root: &Path, users: &[(String, String)]) -> Option<(SocketAddr, Guard)> {
    let credentials = sasl::MemoryStore::new();
    for (user, password) in users {
        credentials.add_user(user, password);
    }
    let store = std::sync::Arc::new(MaildirStore::new(root));
    let mut config = pop3_proto::session::ServerConfig::new("bench.test");
    config.auth.allow_plaintext = true; // loopback, as Dovecot is configured
    let server = pop3_proto::server::Server::new(config)
        .limits(pop3_proto::server::Limits::default().with_connections(4096, 4096));
    let (addr_tx, addr_rx) = std::sync::mpsc::channel();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let thread = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("server runtime");
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .expect("bind");
            let _ = addr_tx.send(listener.local_addr().expect("addr"));
            let stopped = async {
                let _ = stop_rx.await;
            };
            let _ = server
                .serve(listener, store, std::sync::Arc::new(credentials), stopped)
                .await;
        });
    });
    let addr = addr_rx.recv().ok()?;
    struct Stop(
        Option<tokio::sync::oneshot::Sender<()>>,
        Option<std::thread::JoinHandle<()>>,
    );
    impl Drop for Stop {
        fn drop(&mut self) {
            if let Some(stop) = self.0.take() {
                let _ = stop.send(());
            }
            if let Some(thread) = self.1.take() {
                let _ = thread.join();
            }
        }
    }
    Some((addr, Box::new(Stop(Some(stop_tx), Some(thread)))))
}

use testkit::bench::{mean, record};

/// The two scenarios.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Scenario {
    /// One session, every message of `bench1`.
    OneClient,
    /// `USERS` sessions at once, each with its own maildrop.
    ManyClients,
}

impl Scenario {
    const ALL: [Scenario; 2] = [Scenario::OneClient, Scenario::ManyClients];

    fn id(self) -> &'static str {
        match self {
            Scenario::OneClient => "one_client",
            Scenario::ManyClients => "100_clients",
        }
    }

    fn label(self, n: u64) -> String {
        match self {
            Scenario::OneClient => format!("A: 1 client, {n} RETR"),
            Scenario::ManyClients => format!("B: {USERS} clients at once, {} RETR each", n / USERS),
        }
    }
}

/// What a run of a scenario must have retrieved.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Expect {
    messages: u64,
    octets: u64,
}

fn user_name(k: u64) -> String {
    format!("u{k:03}")
}

/// Runs `scenario` once against `addr`; panics with the client's error if any session failed
/// or if the totals differ from `expect`. Returns the wall time.
fn run(
    rt: &tokio::runtime::Runtime,
    addr: SocketAddr,
    scenario: Scenario,
    expect: Expect,
) -> Duration {
    let start = Instant::now();
    let got = rt.block_on(async {
        match scenario {
            Scenario::OneClient => client::retr_all(addr, "bench1", PASSWORD).await,
            Scenario::ManyClients => {
                let mut set = tokio::task::JoinSet::new();
                for k in 0..USERS {
                    set.spawn(async move { client::retr_all(addr, &user_name(k), PASSWORD).await });
                }
                let mut total = (0, 0);
                while let Some(joined) = set.join_next().await {
                    let (m, o) = joined.expect("client task panicked")?;
                    total.0 += m;
                    total.1 += o;
                }
                Ok(total)
            }
        }
    });
    let elapsed = start.elapsed();
    let (messages, octets) = got.unwrap_or_else(|e| panic!("{addr} {scenario:?}: {e}"));
    let got = Expect { messages, octets };
    assert_eq!(got, expect, "{addr} {scenario:?}: wrong totals");
    elapsed
}

/// Appends the corpus to `bench1` with `MaildirStore` (32 writers, so that their fsyncs are
/// grouped), then hard-links its files 100 by 100 into the Maildirs of `u000`..`u099` (as an
/// outside MDA would deliver: no index of ours there yet). Returns the corpus's size.
fn write_corpus(rt: &tokio::runtime::Runtime, root: &Path, n: u64) -> u64 {
    const WRITERS: u64 = 32;
    let store = std::sync::Arc::new(MaildirStore::new(root));
    let octets = rt.block_on(async {
        let mut set = tokio::task::JoinSet::new();
        for w in 0..WRITERS {
            let store = store.clone();
            set.spawn(async move {
                let acc = store.account("bench1").await.expect("account bench1");
                let mut octets = 0u64;
                for i in (w..n).step_by(WRITERS as usize) {
                    let m = corpus::message(i);
                    octets += m.len() as u64;
                    acc.append("INBOX", m.into(), AppendOptions::default())
                        .await
                        .expect("append to bench1");
                }
                octets
            });
        }
        let mut octets = 0;
        while let Some(joined) = set.join_next().await {
            octets += joined.expect("writer task panicked");
        }
        octets
    });
    link_users(root, n);
    octets
}

/// Hard-links the messages of `bench1` (in `new/` or `cur/`), `n / USERS` to a user.
fn link_users(root: &Path, n: u64) {
    let mut files = Vec::new();
    for sub in ["new", "cur"] {
        let dir = root.join("bench1").join(sub);
        for entry in std::fs::read_dir(&dir).expect("read bench1's Maildir") {
            let entry = entry.expect("directory entry");
            if entry.file_type().is_ok_and(|t| t.is_file()) {
                files.push((sub, entry.file_name()));
            }
        }
    }
    files.sort();
    assert_eq!(files.len() as u64, n, "bench1 holds every message");
    let per = usize::try_from(n / USERS).expect("small");
    for (k, chunk) in (0..USERS).zip(files.chunks(per)) {
        let user_dir = root.join(user_name(k));
        for sub in ["cur", "new", "tmp"] {
            std::fs::create_dir_all(user_dir.join(sub)).expect("mkdir user Maildir");
        }
        for (sub, name) in chunk {
            std::fs::hard_link(
                root.join("bench1").join(sub).join(name),
                user_dir.join(sub).join(name),
            )
            .expect("hard link");
        }
    }
}

/// One unmeasured pass of each scenario on each target (Dovecot builds its indexes, our store
/// its own), then each scenario measured on every target in turn, so that the machine's load
/// drifts as little as possible between the figures compared.
fn bench_all(
    c: &mut Criterion,
    rt: &tokio::runtime::Runtime,
    targets: &[(&str, SocketAddr)],
    n: u64,
    expect: Expect,
) {
    // Peers first: Dovecot's first pass moves the messages from `new/` to `cur/` and marks
    // them seen (renames), so that our server's first pass already sees the Maildirs as they
    // stay for the rest of the run.
    for (target, addr) in targets.iter().rev() {
        for scenario in Scenario::ALL {
            let d = run(rt, *addr, scenario, expect);
            eprintln!(
                "first pass {target} {}: {:.2} s ({:.0} msg/s)",
                scenario.id(),
                d.as_secs_f64(),
                n as f64 / d.as_secs_f64()
            );
        }
    }
    for scenario in Scenario::ALL {
        let mut g = c.benchmark_group(format!("pop3_retr/{}", scenario.id()));
        g.sampling_mode(SamplingMode::Flat)
            .throughput(Throughput::Elements(n));
        for (target, addr) in targets {
            let name = format!("{target}/{}", scenario.id());
            g.bench_function(*target, |b| {
                b.iter_custom(|iters| {
                    let total = (0..iters).map(|_| run(rt, *addr, scenario, expect)).sum();
                    record(&name, total, iters)
                })
            });
        }
        g.finish();
    }
}

fn summary(targets: &[(&str, SocketAddr)], n: u64, octets: u64) {
    eprintln!(
        "\n== POP3 RETR throughput, same machine, same run ({n} messages, {:.1} MB) ==",
        octets as f64 / 1e6
    );
    for scenario in Scenario::ALL {
        let mut rates = BTreeMap::new();
        for (target, _) in targets {
            let Some(s) = mean(&format!("{target}/{}", scenario.id())) else {
                continue;
            };
            let rate = n as f64 / s;
            rates.insert(*target, rate);
            eprintln!(
                "{:<40} {target:<10} {rate:>9.0} msg/s  {:>7.1} MB/s",
                scenario.label(n),
                octets as f64 / s / 1e6
            );
        }
        let Some(ours) = rates.get("ours") else {
            continue;
        };
        for (peer, rate) in rates.iter().filter(|(t, _)| **t != "ours") {
            eprintln!("{:<40} ours/{peer} {:.2}x", scenario.label(n), ours / rate);
        }
    }
}

/// Dovecot's warnings and errors, to spot limits reached during the run.
fn dovecot_problems(name: &str, dc: &Dovecot) {
    let log = dc.log();
    let bad: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("Warning") || l.contains("Error") || l.contains("Fatal"))
        .collect();
    if bad.is_empty() {
        eprintln!("{name} log: no warnings or errors");
    } else {
        eprintln!("{name} log: {} warnings/errors, first ones:", bad.len());
        for l in bad.iter().take(5) {
            eprintln!("  {l}");
        }
    }
}

fn main() {
    let n: u64 = std::env::var("POP3_BENCH_N")
        .ok()
        .and_then(|s| s.parse().ok())
        .filter(|n: &u64| n.is_multiple_of(USERS) && *n > 0)
        .unwrap_or(10_000);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime");
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path().join("mail");
    std::fs::create_dir_all(&root).expect("mkdir mail");

    // The corpus must exercise the stuffing and hold large messages.
    let sample: Vec<Vec<u8>> = (0..100).map(corpus::message).collect();
    assert!(sample.iter().all(|m| m.ends_with(b"\r\n")));
    assert!(
        sample
            .iter()
            .filter(|m| m.windows(3).any(|w| w == b"\n.\r"))
            .count()
            > 10
    );
    assert!(sample.iter().any(|m| m.len() > 100_000));
    let start = Instant::now();
    let octets = write_corpus(&rt, &root, n);
    eprintln!(
        "corpus: {n} messages, {:.1} MB, appended to bench1 and linked to {USERS} users in {:.1} s",
        octets as f64 / 1e6,
        start.elapsed().as_secs_f64()
    );
    let expect = Expect {
        messages: n,
        octets,
    };
    let mut users: Vec<(String, String)> = vec![("bench1".into(), PASSWORD.into())];
    users.extend((0..USERS).map(|k| (user_name(k), PASSWORD.to_string())));

    let mut targets: Vec<(&str, SocketAddr)> = Vec::new();
    let ours = start_ours(&root, &users);
    if let Some((addr, _)) = &ours {
        targets.push(("ours", *addr));
    } else {
        eprintln!("SKIPPED: ours (start_ours is filled in when pop3_proto::server lands)");
    }
    // Dovecot twice over the same Maildirs: as installed (high-security mode: a login and a
    // mail process forked per connection) and in its high-performance mode.
    let mut dovecots: Vec<(&str, Dovecot)> = Vec::new();
    if dovecot_installed() {
        let refs: Vec<(&str, &str)> = users
            .iter()
            .map(|(u, p)| (u.as_str(), p.as_str()))
            .collect();
        let dc = Dovecot::start(dir.path(), &refs).unwrap_or_else(|e| panic!("dovecot: {e}"));
        let hp_dir = dir.path().join("hp");
        std::fs::create_dir_all(&hp_dir).expect("mkdir hp");
        std::os::unix::fs::symlink(&root, hp_dir.join("mail")).expect("symlink hp/mail");
        let hp = Dovecot::start_with(&hp_dir, &refs, HIGH_PERFORMANCE)
            .unwrap_or_else(|e| panic!("dovecot (high-performance): {e}"));
        dovecots.push(("dovecot", dc));
        dovecots.push(("dovecot-hp", hp));
    } else {
        eprintln!("SKIPPED: dovecot (not installed)");
    }
    targets.extend(dovecots.iter().map(|(name, dc)| (*name, dc.pop3_addr())));
    // POP3_BENCH_TARGETS=ours,dovecot-hp measures only those.
    if let Ok(only) = std::env::var("POP3_BENCH_TARGETS") {
        let only: Vec<&str> = only.split(',').map(str::trim).collect();
        targets.retain(|(name, _)| only.contains(name));
    }
    if targets.is_empty() {
        eprintln!("SKIPPED: pop3 retr benchmark, no server to measure");
        return;
    }

    let mut c = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5))
        .nresamples(10_000)
        .without_plots()
        .configure_from_args();
    bench_all(&mut c, &rt, &targets, n, expect);
    c.final_summary();
    summary(&targets, n, octets);
    for (name, dc) in &dovecots {
        dovecot_problems(name, dc);
    }
    drop(ours);
    drop(dovecots);
}
