//! Benchmarks of the Maildir and mbox backends, each against Dovecot on the same machine in the
//! same run (ratios printed at the end):
//! - deliveries per second with fsync, 1 and 16 writers (Dovecot: IMAP APPEND on 1 and 16
//!   connections, its default `mail_fsync = optimized`);
//! - opening and listing a 100,000-message folder, cold (a new store value reading the index
//!   from disk; Dovecot: a new login, SELECT, `UID FETCH 1:* (FLAGS RFC822.SIZE)`) and warm
//!   (the same store value; Dovecot: the same connection), plus the one-off first open that
//!   builds the index.
//!
//! `MAILSTORE_BENCH_N` changes the folder size. Dovecot parts are skipped if it is not installed.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::Criterion;
use mailstore::maildir::MaildirStore;
use mailstore::mbox::MboxStore;
use mailstore::{AppendOptions, MailStore, UidSet};

#[path = "../tests/support/dovecot.rs"]
mod support;

use testkit::bench::{mean, record};

/// A 2 KB message.
fn msg(i: u64) -> Vec<u8> {
    let mut m = format!(
        "From: a@example.org\nTo: b@example.org\nSubject: bench {i}\nMessage-ID: <{i}@bench>\n\n"
    )
    .into_bytes();
    while m.len() < 2048 {
        m.extend_from_slice(b"The quick brown fox jumps over the lazy dog, again and again.\n");
    }
    m
}

fn deliver(c: &mut Criterion, rt: &tokio::runtime::Runtime, kind: &str, store: Arc<dyn MailStore>) {
    let acc = rt.block_on(store.account("alice")).expect("account");
    let mut g = c.benchmark_group(format!("{kind}/deliver"));
    for writers in [1u64, 16] {
        let name = format!("{kind}/deliver/{writers}");
        let acc = acc.clone();
        g.bench_function(format!("{writers}"), |b| {
            b.iter_custom(|iters| {
                let start = Instant::now();
                rt.block_on(async {
                    let per = iters.div_ceil(writers);
                    let mut tasks = Vec::new();
                    for w in 0..writers {
                        let acc = acc.clone();
                        tasks.push(tokio::spawn(async move {
                            for i in 0..per {
                                acc.append(
                                    "INBOX",
                                    msg(w * per + i).into(),
                                    AppendOptions::default(),
                                )
                                .await
                                .expect("append");
                            }
                        }));
                    }
                    for t in tasks {
                        t.await.expect("task");
                    }
                });
                let per_total = iters.div_ceil(writers) * writers;
                let d = start.elapsed().mul_f64(iters as f64 / per_total as f64);
                record(&name, d, iters)
            })
        });
    }
    g.finish();
}

fn dovecot_deliver(c: &mut Criterion, dc: &support::Dovecot) {
    let mut g = c.benchmark_group("dovecot/deliver");
    for writers in [1u64, 16] {
        let name = format!("dovecot/deliver/{writers}");
        let mut conns: Vec<support::Imap> = (0..writers).map(|_| dc.connect("alice")).collect();
        g.bench_function(format!("{writers}"), |b| {
            b.iter_custom(|iters| {
                let per = iters.div_ceil(writers);
                let start = Instant::now();
                std::thread::scope(|s| {
                    for (w, conn) in conns.iter_mut().enumerate() {
                        s.spawn(move || {
                            for i in 0..per {
                                let m = msg(w as u64 * per + i);
                                let (_, st) = conn.run("APPEND INBOX", Some(&m));
                                assert!(st.contains("OK"), "APPEND: {st}");
                            }
                        });
                    }
                });
                let d = start
                    .elapsed()
                    .mul_f64(iters as f64 / (per * writers) as f64);
                record(&name, d, iters)
            })
        });
    }
    g.finish();
}

/// Writes a Maildir of `n` messages straight into `cur/` (no index), as another MDA would.
fn make_big_maildir(dir: &Path, n: u64) {
    for sub in ["cur", "new", "tmp"] {
        std::fs::create_dir_all(dir.join(sub)).expect("mkdir");
    }
    for i in 0..n {
        let m = format!("Subject: big {i}\nMessage-ID: <{i}@big>\n\nbody {i}\n");
        let flags = if i % 3 == 0 { "S" } else { "" };
        let name = format!(
            "{}.M{i}P1Q{i}.bench,S={}:2,{flags}",
            1_700_000_000 + i,
            m.len()
        );
        std::fs::write(dir.join("cur").join(name), m).expect("write");
    }
}

fn open_list(rt: &tokio::runtime::Runtime, store: &dyn MailStore, n: u64) {
    rt.block_on(async {
        let acc = store.account("bench").await.expect("account");
        let st = acc.status("INBOX").await.expect("status");
        let all = acc
            .messages("INBOX", &UidSet::all())
            .await
            .expect("messages");
        assert_eq!(all.len() as u64, n);
        assert_eq!(u64::from(st.messages), n);
    });
}

fn large(c: &mut Criterion, rt: &tokio::runtime::Runtime, root: &Path, n: u64) {
    make_big_maildir(&root.join("bench"), n);
    let start = Instant::now();
    open_list(rt, &MaildirStore::new(root), n);
    record("maildir/first_open", start.elapsed(), 1);
    // The directory stamps are trusted once taken 2 s after the last change.
    std::thread::sleep(Duration::from_millis(2100));
    open_list(rt, &MaildirStore::new(root), n);
    let mut g = c.benchmark_group("maildir/open_list_100k");
    g.bench_function("cold", |b| {
        b.iter_custom(|iters| {
            let start = Instant::now();
            for _ in 0..iters {
                open_list(rt, &MaildirStore::new(root), n);
            }
            record("maildir/open_list/cold", start.elapsed(), iters)
        })
    });
    let warm = MaildirStore::new(root);
    open_list(rt, &warm, n);
    g.bench_function("warm", |b| {
        b.iter_custom(|iters| {
            let start = Instant::now();
            for _ in 0..iters {
                open_list(rt, &warm, n);
            }
            record("maildir/open_list/warm", start.elapsed(), iters)
        })
    });
    g.finish();
}

fn dovecot_select(imap: &mut support::Imap, n: u64) {
    let sel = String::from_utf8_lossy(&imap.ok("SELECT INBOX")).to_string();
    assert!(sel.contains(&format!("* {n} EXISTS")), "{sel}");
    let data = imap.ok("UID FETCH 1:* (FLAGS RFC822.SIZE)");
    assert!(data.len() as u64 > n * 20);
}

fn dovecot_large(c: &mut Criterion, dc: &support::Dovecot, n: u64) {
    let start = Instant::now();
    let mut first = dc.connect("bench");
    dovecot_select(&mut first, n);
    record("dovecot/first_open", start.elapsed(), 1);
    let mut g = c.benchmark_group("dovecot/select_fetch_100k");
    g.bench_function("cold", |b| {
        b.iter_custom(|iters| {
            let start = Instant::now();
            for _ in 0..iters {
                let mut imap = dc.connect("bench");
                dovecot_select(&mut imap, n);
                imap.ok("LOGOUT");
            }
            record("dovecot/open_list/cold", start.elapsed(), iters)
        })
    });
    g.bench_function("warm", |b| {
        b.iter_custom(|iters| {
            let start = Instant::now();
            for _ in 0..iters {
                dovecot_select(&mut first, n);
            }
            record("dovecot/open_list/warm", start.elapsed(), iters)
        })
    });
    g.finish();
}

fn summary() {
    eprintln!("\n== mailstore vs Dovecot (same machine, same run) ==");
    let line = |label: &str, ours: &str, peer: &str, rate: bool| {
        let (Some(a), b) = (mean(ours), mean(peer)) else {
            return;
        };
        let show = |s: f64| {
            if rate {
                format!("{:>9.0} msg/s", 1.0 / s)
            } else {
                format!("{:>9.1} ms", s * 1e3)
            }
        };
        match b {
            Some(b) => eprintln!(
                "{label:<34} ours {}   dovecot {}   ours/dovecot speed {:.2}x",
                show(a),
                show(b),
                b / a
            ),
            None => eprintln!("{label:<34} ours {}", show(a)),
        }
    };
    line(
        "maildir deliver, 1 writer",
        "maildir/deliver/1",
        "dovecot/deliver/1",
        true,
    );
    line(
        "maildir deliver, 16 writers",
        "maildir/deliver/16",
        "dovecot/deliver/16",
        true,
    );
    line(
        "mbox deliver, 1 writer",
        "mbox/deliver/1",
        "dovecot/deliver/1",
        true,
    );
    line(
        "mbox deliver, 16 writers",
        "mbox/deliver/16",
        "dovecot/deliver/16",
        true,
    );
    line(
        "first open of the big folder",
        "maildir/first_open",
        "dovecot/first_open",
        false,
    );
    line(
        "open+list big folder, cold",
        "maildir/open_list/cold",
        "dovecot/open_list/cold",
        false,
    );
    line(
        "open+list big folder, warm",
        "maildir/open_list/warm",
        "dovecot/open_list/warm",
        false,
    );
}

fn main() {
    let n: u64 = std::env::var("MAILSTORE_BENCH_N")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100_000);
    let mut c = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4))
        .configure_from_args();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    let mail = dir.join("mail");
    deliver(
        &mut c,
        &rt,
        "maildir",
        Arc::new(MaildirStore::new(dir.join("ours"))),
    );
    deliver(
        &mut c,
        &rt,
        "mbox",
        Arc::new(MboxStore::new(dir.join("ours-mbox"))),
    );
    large(&mut c, &rt, &mail, n);
    if testkit::dovecot::dovecot_installed() {
        support::chown_dovecot(&mail);
        let dc = support::Dovecot::start(dir);
        dovecot_deliver(&mut c, &dc);
        // Dovecot must not reuse our index: it keeps its own (dovecot.index*, dovecot-uidlist).
        dovecot_large(&mut c, &dc, n);
    }
    c.final_summary();
    summary();
}
