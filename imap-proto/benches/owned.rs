//! What the client session's one copy per response costs: [`Response::parse`] alone against
//! `Response::parse` followed by [`Response::into_owned`] (what `ClientSession` does with every
//! response, so that its events outlive the framer's buffer), over the server-response corpus
//! of `benches/corpus/responses.txt` and over its FETCH responses with ENVELOPE and
//! BODYSTRUCTURE alone. No peer: the comparison is with ourselves. Prints ns per response for
//! both and the copy's share.
//!
//! `cargo bench -p imap-proto --bench owned`

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput};
use imap_proto::response::Response;

/// The corpus's items: `#>` starts one; its lines end with CRLF.
fn corpus() -> Vec<(String, Vec<u8>)> {
    let path = format!(
        "{}/benches/corpus/responses.txt",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).expect("read the response corpus");
    let mut items: Vec<(String, Vec<u8>)> = Vec::new();
    for line in text.lines() {
        if line.starts_with("##") {
            continue;
        }
        if let Some(head) = line.strip_prefix("#>") {
            items.push((head.trim().to_owned(), Vec::new()));
        } else if let Some((_, bytes)) = items.last_mut() {
            bytes.extend_from_slice(line.as_bytes());
            bytes.extend_from_slice(b"\r\n");
        }
    }
    items.retain(|(_, b)| Response::parse(b).is_ok());
    items
}

fn parse_all(items: &[&[u8]]) {
    for b in items {
        black_box(Response::parse(black_box(b)).expect("parses"));
    }
}

fn parse_and_own_all(items: &[&[u8]]) {
    for b in items {
        let (r, _) = Response::parse(black_box(b)).expect("parses");
        black_box(r.into_owned());
    }
}

/// Mean ns per item of `f` over `items`, by a plain loop for about `time`.
fn ns_per_item(items: &[&[u8]], f: fn(&[&[u8]]), time: Duration) -> f64 {
    let start = Instant::now();
    let mut rounds = 0u64;
    while start.elapsed() < time {
        f(items);
        rounds += 1;
    }
    start.elapsed().as_nanos() as f64 / (rounds as f64 * items.len() as f64)
}

fn main() {
    let items = corpus();
    let all: Vec<&[u8]> = items.iter().map(|(_, b)| b.as_slice()).collect();
    let fetch: Vec<&[u8]> = items
        .iter()
        .filter(|(_, b)| {
            let s = String::from_utf8_lossy(b);
            s.contains("ENVELOPE") && s.contains("BODYSTRUCTURE")
        })
        .map(|(_, b)| b.as_slice())
        .collect();
    assert!(
        !fetch.is_empty(),
        "the corpus has FETCH with ENVELOPE and BODYSTRUCTURE"
    );

    let mut c = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .configure_from_args();
    for (name, set) in [("corpus", &all), ("fetch-envelope-bodystructure", &fetch)] {
        let bytes: usize = set.iter().map(|b| b.len()).sum();
        let mut g = c.benchmark_group(format!("owned/{name}"));
        g.throughput(Throughput::Bytes(bytes as u64));
        g.bench_function("parse", |b| b.iter(|| parse_all(set)));
        g.bench_function("parse+into_owned", |b| b.iter(|| parse_and_own_all(set)));
        g.finish();
    }
    c.final_summary();

    println!("\nns per response (plain loop, 1 s each):");
    for (name, set) in [("corpus", &all), ("fetch-envelope-bodystructure", &fetch)] {
        let parse = ns_per_item(set, parse_all, Duration::from_secs(1));
        let owned = ns_per_item(set, parse_and_own_all, Duration::from_secs(1));
        println!(
            "  {name} ({} responses): parse {parse:.0} ns, parse+into_owned {owned:.0} ns, \
             copy {:.0} ns ({:.0}% more)",
            set.len(),
            owned - parse,
            (owned / parse - 1.0) * 100.0
        );
    }
}
