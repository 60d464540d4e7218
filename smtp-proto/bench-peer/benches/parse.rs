//! Command-line parsing throughput: ours (`parse_command`) against Stalwart's smtp-proto 0.2
//! (`Request::parse`) on the same corpus of realistic command lines.
//!
//! Run with `cargo bench -p smtp-proto --bench parse`. Both parsers see the same lines: ours
//! without CRLF (the session's framer strips it), Stalwart's with it (its parser looks for the
//! LF); throughput counts the bytes with CRLF for both.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use smtp_proto::parse::command::parse_command;
use stalwart_smtp_proto::Request;

/// A session's worth of commands, as sent by common clients.
const CORPUS: &[&str] = &[
    "EHLO mail.example.com",
    "EHLO [192.0.2.1]",
    "EHLO [IPv6:2001:db8::1]",
    "AUTH PLAIN AHVzZXJAZXhhbXBsZS5jb20Ac2VjcmV0cGFzc3dvcmQ=",
    "MAIL FROM:<sender@example.com> SIZE=12345 BODY=8BITMIME",
    "MAIL FROM:<bounces+srs=abc123=example.org@lists.example.net> SIZE=40960",
    "MAIL FROM:<>",
    "RCPT TO:<recipient@example.org>",
    "RCPT TO:<user.name+tag@sub.domain.example.org> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;user.name+2Btag@sub.domain.example.org",
    "RCPT TO:<\"john doe\"@example.com>",
    "RCPT TO:<postmaster@[198.51.100.7]>",
    "RCPT TO:<Postmaster>",
    "DATA",
    "RSET",
    "NOOP",
    "QUIT",
];

fn corpus_bytes() -> usize {
    CORPUS.iter().map(|l| l.len() + 2).sum()
}

fn bench_parse(c: &mut Criterion) {
    let ours: Vec<&[u8]> = CORPUS.iter().map(|l| l.as_bytes()).collect();
    let theirs: Vec<Vec<u8>> = CORPUS
        .iter()
        .map(|l| format!("{l}\r\n").into_bytes())
        .collect();
    for line in &ours {
        assert!(
            parse_command(line).is_ok(),
            "ours: {:?}",
            String::from_utf8_lossy(line)
        );
    }
    for line in &theirs {
        // Stalwart refuses some valid forms (address literals in paths); they stay in the
        // corpus, and are reported here.
        if let Err(e) = Request::parse(&mut line.iter()) {
            eprintln!(
                "stalwart rejects {:?}: {e:?}",
                String::from_utf8_lossy(line)
            );
        }
    }

    // `PARSE_LOOP=ours|stalwart` runs one parser over the corpus many times and skips
    // criterion: for `perf stat -e cycles:u,instructions:u`, steadier than wall time on a
    // shared machine.
    if let Ok(which) = std::env::var("PARSE_LOOP") {
        let n: usize = std::env::var("PARSE_LOOP_N")
            .ok()
            .and_then(|n| n.parse().ok())
            .unwrap_or(200_000);
        // `PARSE_LOOP_LINE=i`: only corpus line `i` (per-line instruction counts).
        let only: Option<usize> = std::env::var("PARSE_LOOP_LINE")
            .ok()
            .and_then(|i| i.parse().ok());
        let (ours, theirs) = match only {
            Some(i) => (ours[i..=i].to_vec(), theirs[i..=i].to_vec()),
            None => (ours.clone(), theirs.clone()),
        };
        for _ in 0..n {
            if which == "ours" {
                for line in &ours {
                    let _ = black_box(parse_command(black_box(line)));
                }
            } else {
                for line in &theirs {
                    let _ = black_box(Request::parse(&mut black_box(line).iter()));
                }
            }
        }
        return;
    }
    let mut group = c.benchmark_group("command_parse");
    group.throughput(Throughput::Bytes(corpus_bytes() as u64));
    group.measurement_time(Duration::from_secs(3));
    group.warm_up_time(Duration::from_secs(1));
    group.bench_function("ours", |b| {
        b.iter(|| {
            for line in &ours {
                let _ = black_box(parse_command(black_box(line)));
            }
        })
    });
    group.bench_function("stalwart", |b| {
        b.iter(|| {
            for line in &theirs {
                let _ = black_box(Request::parse(&mut black_box(line).iter()));
            }
        })
    });
    group.finish();
    // `PER_LINE=1`: one benchmark per corpus line, for both parsers (diagnosis only).
    if std::env::var_os("PER_LINE").is_some() {
        let mut g = c.benchmark_group("line");
        g.measurement_time(Duration::from_millis(300));
        g.warm_up_time(Duration::from_millis(100));
        for (i, line) in ours.iter().enumerate() {
            g.bench_function(format!("ours{i}"), |b| {
                b.iter(|| black_box(parse_command(black_box(line))))
            });
            let t = &theirs[i];
            g.bench_function(format!("st{i}"), |b| {
                b.iter(|| black_box(Request::parse(&mut black_box(t).iter())))
            });
        }
        g.finish();
    }
}

criterion_group!(benches, bench_parse);
criterion_main!(benches);
