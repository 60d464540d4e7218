//! Command parsing throughput on the same unsplit input: ours against Stalwart's smtp-proto 0.2,
//! each doing its own framing, as its own server does.
//!
//! The input is one buffer holding a pipelined client transcript (RFC 2920): EHLO, then
//! transactions of `MAIL FROM`, several `RCPT TO` and `RSET`, a `NOOP`, and `QUIT`, every line
//! ending in CRLF, as a client's single write would hand it to a server's read. Each side gets the
//! whole buffer:
//! - **ours**: [`ServerSession`] (`feed` the buffer, then `next_event` until it asks for input,
//!   answering each decision with `Decision::Accept`): the session's framer finds each line, the
//!   parser reads it, and the state machine queues the reply. That is the path our server takes
//!   for every command (there is no public "parse a buffer, return the rest" entry point: the
//!   framer is the session's). It does more work than the peer below (state checks and replies).
//! - **stalwart**: `RequestReceiver::ingest` over one byte iterator of the whole buffer until it
//!   needs more data: its framer (carrying a partial line between reads) around `Request::parse`,
//!   as Stalwart's server loop calls it. No state machine, no replies.
//!
//! For reference only, `ours_lines` frames in the benchmark (a search for LF, CR stripped) and
//! calls `parse_command` on each line: our parser alone, without the session.
//!
//! Run with `cargo bench -p smtp-proto -- pipelined` (or directly with
//! `cargo bench --manifest-path smtp-proto/bench-peer/Cargo.toml --bench parse`). The ratio
//! is printed at the end.

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{BatchSize, Criterion, Throughput};
use smtp_proto::parse::command::parse_command;
use smtp_proto::session::server::{Decision, Event, ServerConfig, ServerSession};
use stalwart_smtp_proto::Error as StalwartError;
use stalwart_smtp_proto::request::receiver::RequestReceiver;

/// Recipients as sent by common clients; cycled through the transactions.
const RCPTS: &[&str] = &[
    "RCPT TO:<recipient@example.org>",
    "RCPT TO:<user.name+tag@sub.domain.example.org> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;user.name+2Btag@sub.domain.example.org",
    "RCPT TO:<\"john doe\"@example.com>",
    "RCPT TO:<postmaster@[198.51.100.7]>",
    "RCPT TO:<Postmaster>",
    "RCPT TO:<someone.else@example.net>",
];

/// Senders; cycled through the transactions.
const SENDERS: &[&str] = &[
    "MAIL FROM:<sender@example.com> SIZE=12345 BODY=8BITMIME",
    "MAIL FROM:<bounces+srs=abc123=example.org@lists.example.net> SIZE=40960",
    "MAIL FROM:<>",
];

/// Transactions in the transcript.
const TRANSACTIONS: usize = 24;

/// Recipients per transaction.
const RCPTS_PER_TRANSACTION: usize = 4;

/// The transcript: one buffer, CRLF line ends, many commands.
fn transcript() -> Vec<u8> {
    let mut lines = vec!["EHLO mail.example.com"];
    for t in 0..TRANSACTIONS {
        lines.push(SENDERS[t % SENDERS.len()]);
        for r in 0..RCPTS_PER_TRANSACTION {
            lines.push(RCPTS[(t + r) % RCPTS.len()]);
        }
        lines.push("RSET");
    }
    lines.extend(["NOOP", "QUIT"]);
    let mut buf = Vec::new();
    for l in lines {
        buf.extend_from_slice(l.as_bytes());
        buf.extend_from_slice(b"\r\n");
    }
    buf
}

/// Commands in the transcript.
fn command_count(buf: &[u8]) -> usize {
    buf.iter().filter(|&&b| b == b'\n').count()
}

/// The server's configuration: DSN on, as the transcript's `NOTIFY`/`ORCPT` need it (RFC 3461).
fn config() -> Arc<ServerConfig> {
    let mut config = ServerConfig::new("mx.example.org");
    config.extensions.dsn = true;
    Arc::new(config)
}

/// Ours: the server session over the whole buffer; its output (the replies) goes to `written`,
/// as a driver would write it. Returns the events seen.
fn ours_session(mut session: ServerSession, buf: &[u8], written: &mut impl FnMut(&[u8])) -> usize {
    session.feed(buf);
    let mut events = 0;
    loop {
        let event = session
            .next_event()
            .expect("session accepts the driver's calls");
        events += 1;
        match event {
            Event::Close(_) => break,
            Event::NeedInput => {
                // With back-pressure the session may stop taking input until its output is
                // written: write it (here: drop it) and go on; with nothing to write, it is done.
                let out = session.take_output();
                if out.is_empty() {
                    break;
                }
                written(&out);
            }
            e if e.needs_decision() => session
                .decide(Decision::Accept)
                .expect("a decision is expected"),
            _ => {}
        }
    }
    written(&session.take_output());
    events
}

/// Discards what the session writes (the benchmark's socket).
fn discard(out: &[u8]) {
    black_box(out);
}

/// Stalwart: its receiver over one iterator of the whole buffer. Returns (requests, errors).
fn stalwart_receiver(buf: &[u8]) -> (usize, usize) {
    let mut receiver = RequestReceiver::default();
    let mut bytes = buf.iter();
    let (mut ok, mut err) = (0, 0);
    loop {
        match receiver.ingest(&mut bytes) {
            Ok(r) => {
                black_box(&r);
                ok += 1;
            }
            Err(StalwartError::NeedsMoreData { .. }) => break,
            Err(e) => {
                black_box(&e);
                err += 1;
            }
        }
    }
    (ok, err)
}

/// Reference: LF framing in the benchmark, then our parser on each line.
fn ours_lines(buf: &[u8]) -> usize {
    let mut n = 0;
    let mut rest = buf;
    while let Some(lf) = rest.iter().position(|&b| b == b'\n') {
        let (line, tail) = rest.split_at(lf + 1);
        let line = line[..lf].strip_suffix(b"\r").unwrap_or(&line[..lf]);
        if black_box(parse_command(line)).is_ok() {
            n += 1;
        }
        rest = tail;
    }
    n
}

/// Paired timing for the summary: `slices` rounds, each timing `reps` runs of every side in
/// turn (the order rotating), so that every side sees the same moments of a shared, noisy
/// machine. Returns each side's median time per run and the median of the per-round ratios
/// of side 0's time to every side's.
fn paired(sides: &mut [&mut dyn FnMut()], slices: usize, reps: u32) -> Vec<(Duration, f64)> {
    let k = sides.len();
    let mut times: Vec<Vec<Duration>> = vec![Vec::with_capacity(slices); k];
    for slice in 0..slices {
        for j in 0..k {
            let i = (slice + j) % k;
            let start = Instant::now();
            for _ in 0..reps {
                (sides[i])();
            }
            times[i].push(start.elapsed() / reps);
        }
    }
    let median = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    (0..k)
        .map(|i| {
            let t = median(times[i].iter().map(Duration::as_secs_f64).collect());
            let ratio = median(
                (0..slices)
                    .map(|s| times[0][s].as_secs_f64() / times[i][s].as_secs_f64())
                    .collect(),
            );
            (Duration::from_secs_f64(t), ratio)
        })
        .collect()
}

fn main() {
    let buf = transcript();
    let commands = command_count(&buf);

    // Both must have seen every command; say what each refused.
    let mut output = Vec::new();
    let events = ours_session(ServerSession::new(config()), &buf, &mut |o| {
        output.extend_from_slice(o)
    });
    // The greeting and one final reply line per command (RFC 5321 section 4.2.1).
    let replies = output
        .split(|&b| b == b'\n')
        .filter(|l| l.get(3) == Some(&b' '))
        .count();
    assert_eq!(
        replies,
        commands + 1,
        "ours answered every command:\n{}",
        String::from_utf8_lossy(&output)
    );
    assert!(
        !output.starts_with(b"5") && !output.windows(2).any(|w| w == b"\n5"),
        "ours refused a command:\n{}",
        String::from_utf8_lossy(&output)
    );
    let (ok, err) = stalwart_receiver(&buf);
    assert_eq!(ok + err, commands, "stalwart parsed every line");
    let parsed = ours_lines(&buf);
    assert_eq!(parsed, commands, "our parser accepts every line");
    eprintln!(
        "transcript: {} bytes, {commands} commands in one buffer; ours: {events} events, \
         {replies} replies; stalwart: {ok} requests, {err} refused (address literals, \
         quoted local parts)",
        buf.len()
    );

    // `PARSE_LOOP=ours|stalwart|lines` runs one side many times and skips criterion: for
    // `perf stat -e cycles:u,instructions:u`, steadier than wall time on a shared machine.
    if let Ok(which) = std::env::var("PARSE_LOOP") {
        let n: usize = std::env::var("PARSE_LOOP_N")
            .ok()
            .and_then(|n| n.parse().ok())
            .unwrap_or(20_000);
        for _ in 0..n {
            match which.as_str() {
                "ours" => {
                    black_box(ours_session(
                        ServerSession::new(config()),
                        black_box(&buf),
                        &mut discard,
                    ));
                }
                "lines" => {
                    black_box(ours_lines(black_box(&buf)));
                }
                _ => {
                    black_box(stalwart_receiver(black_box(&buf)));
                }
            }
        }
        return;
    }

    let mut c = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .configure_from_args();
    let mut group = c.benchmark_group("pipelined");
    group.throughput(Throughput::Bytes(buf.len() as u64));
    let cfg = config();
    group.bench_function("ours_session", |b| {
        b.iter_batched(
            || ServerSession::new(cfg.clone()),
            |s| ours_session(s, black_box(&buf), &mut discard),
            BatchSize::SmallInput,
        )
    });
    group.bench_function("stalwart_receiver", |b| {
        b.iter(|| stalwart_receiver(black_box(&buf)))
    });
    group.bench_function("ours_lines", |b| b.iter(|| ours_lines(black_box(&buf))));
    group.finish();
    c.final_summary();

    // Skipped when criterion is only listing or running one filtered benchmark.
    let args: Vec<String> = std::env::args().collect();
    if args.iter().any(|a| a == "--list") {
        return;
    }
    eprintln!("\n== pipelined transcript, same buffer, same run (paired rounds) ==");
    let mut ours = || {
        black_box(ours_session(
            ServerSession::new(cfg.clone()),
            black_box(&buf),
            &mut discard,
        ));
    };
    let mut theirs = || {
        black_box(stalwart_receiver(black_box(&buf)));
    };
    let mut lines = || {
        black_box(ours_lines(black_box(&buf)));
    };
    let r = paired(&mut [&mut theirs, &mut ours, &mut lines], 300, 20);
    for ((name, (t, _)), extra) in [
        "stalwart (receiver)",
        "ours (session)",
        "ours (parser only)",
    ]
    .iter()
    .zip(&r)
    .zip(["", "", " (framing in the bench: reference only)"])
    {
        eprintln!(
            "  {name:<20} {:>8.2} µs per transcript, {:>6.0} ns per command{extra}",
            t.as_secs_f64() * 1e6,
            t.as_secs_f64() * 1e9 / commands as f64
        );
    }
    eprintln!(
        "  ours/stalwart speed (median of paired rounds): session {:.2}x, parser only {:.2}x \
         ({commands} commands, {} bytes)",
        r[1].1,
        r[2].1,
        buf.len()
    );
}
