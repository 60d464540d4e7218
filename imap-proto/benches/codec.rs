//! `cargo bench -p imap-proto`: our IMAP parsers and encoders against imap-codec 1.0 and
//! 2.0.0-alpha.10 (crates.io, pinned in Cargo.toml) in the same run, on the corpora in
//! `benches/corpus/` (client commands, server responses; see the format note at the top of each).
//!
//! Groups (criterion, throughput in decimal MB/s of the corpus):
//! - `commands`, `responses`: decode every item of the corpus once per iteration, each codec in
//!   its idiomatic way (imap-codec: `CommandCodec::decode` / `ResponseCodec::decode` on the whole
//!   item, literals inline; ours: `Command::parse` / `Response::parse`). Only the items every codec
//!   parses are measured, so the figures compare like with like; items marked `fails:` in the
//!   corpus (valid IMAP that imap-codec rejects) are listed at start and measured for us alone in
//!   `commands-all` / `responses-all`.
//! - `fetch-envelope-bodystructure`: the one FETCH response with ENVELOPE and the BODYSTRUCTURE of
//!   a multipart/mixed (alternative text and HTML, a PDF attachment, extension data).
//! - `encode-commands`, `encode-responses`: encode the same items, decoded beforehand, into the
//!   fragments a sender writes (imap-codec: `Encoder::encode` and its fragments; ours: `Encoder`
//!   and its fragments).
//!
//! Before criterion runs (only under `cargo bench`, not in `cargo test`'s one-shot mode) a short
//! summary prints ns per item, MB/s and the ratios for each corpus and codec, then per item.
//!
//! At start every item is decoded by every codec: a peer that rejects an item not marked `fails:`
//! for it, or accepts one marked so, stops the benchmark with the item's name (the marks record
//! the pinned versions' behaviour); our parser must accept every item whole.

use std::fmt::Write as _;
use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{BenchmarkGroup, Criterion, Throughput, measurement::WallTime};

/// Start of the name of the response measured alone in `fetch-envelope-bodystructure`.
const HEADLINE_FETCH: &str = "fetch envelope and bodystructure, multipart";

/// Name of imap-codec 1.0 in the corpus's `fails:` marks.
const CODEC_1: &str = "imap-codec-1";
/// Name of imap-codec 2.0.0-alpha in the corpus's `fails:` marks.
const CODEC_2: &str = "imap-codec-2";

// ------------------------------------------------------------------------------------------------
// Corpus

/// One command or response of a corpus.
struct Item {
    /// The header's name (what it is, and which client or server sends it so).
    name: String,
    /// The peers (`imap-codec-1`, `imap-codec-2`) that reject this valid input.
    fails: Vec<String>,
    /// The octets, line ends CRLF, literals inline.
    bytes: Vec<u8>,
}

/// Reads a corpus file: `##` comments before the first item; each item starts with
/// `#> name; fails: PEERS; comment` and runs up to the next header; line ends become CRLF.
fn load(file: &str) -> Vec<Item> {
    let path = format!("{}/benches/corpus/{file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let mut items: Vec<Item> = Vec::new();
    for line in text.split_inclusive('\n') {
        if let Some(header) = line.strip_prefix("#>") {
            let mut fields = header.trim().split(';').map(str::trim);
            let name = fields.next().unwrap_or_default().to_string();
            let mut fails = Vec::new();
            for field in fields {
                if let Some(peers) = field.strip_prefix("fails:") {
                    fails.extend(peers.split_whitespace().map(str::to_string));
                }
            }
            for peer in &fails {
                assert!(
                    peer == CODEC_1 || peer == CODEC_2,
                    "{file}: item {name:?}: unknown peer {peer:?} in fails:"
                );
            }
            items.push(Item {
                name,
                fails,
                bytes: Vec::new(),
            });
        } else if let Some(item) = items.last_mut() {
            let content = line.strip_suffix('\n').unwrap_or(line);
            let content = content.strip_suffix('\r').unwrap_or(content);
            item.bytes.extend_from_slice(content.as_bytes());
            item.bytes.extend_from_slice(b"\r\n");
        } else {
            assert!(
                line.starts_with("##") || line.trim().is_empty(),
                "{file}: text before the first `#>` header must be `##` comments: {line:?}"
            );
        }
    }
    assert!(!items.is_empty(), "{file}: no items");
    for item in &items {
        assert!(
            item.bytes.len() > 2,
            "{file}: item {:?} is empty",
            item.name
        );
    }
    items
}

// ------------------------------------------------------------------------------------------------
// The codecs

/// Decodes one whole item; true if it parsed and consumed exactly the item.
type DecodeFn = fn(&[u8]) -> bool;

/// Adds to a criterion group the encoding of the items (decoded beforehand by the same codec)
/// into the fragments a sender writes.
type EncodeFn = fn(&mut BenchmarkGroup<'_, WallTime>, &[&[u8]]);

/// A codec under measurement.
struct Codec {
    /// Name in the benchmark's output.
    name: &'static str,
    /// Name in the corpus's `fails:` marks (`None`: ours, which must parse everything).
    mark: Option<&'static str>,
    /// Decodes a client command.
    command: DecodeFn,
    /// Decodes a server response.
    response: DecodeFn,
    /// Encodes client commands.
    encode_commands: EncodeFn,
    /// Encodes server responses.
    encode_responses: EncodeFn,
}

/// One module per imap-codec version: the two crates have the same API over distinct types.
/// `CommandCodec`/`ResponseCodec` decode on the whole item; `Encoder::encode` and its fragments.
macro_rules! imap_codec_version {
    ($(#[$doc:meta])* $module:ident, $krate:ident, $name:literal, $mark:expr) => {
        $(#[$doc])*
        mod $module {
            use std::hint::black_box;

            use criterion::{BenchmarkGroup, measurement::WallTime};
            use $krate::decode::Decoder;
            use $krate::encode::{Encoder, Fragment};
            use $krate::imap_types::{command::Command, response::Response};
            use $krate::{CommandCodec, ResponseCodec};

            /// This version in the run.
            pub const CODEC: super::Codec = super::Codec {
                name: $name,
                mark: Some($mark),
                command,
                response,
                encode_commands: bench_encode_commands,
                encode_responses: bench_encode_responses,
            };

            fn command(input: &[u8]) -> bool {
                match CommandCodec::new().decode(input) {
                    Ok((rest, command)) => {
                        black_box(&command);
                        rest.is_empty()
                    }
                    Err(_) => false,
                }
            }

            fn response(input: &[u8]) -> bool {
                match ResponseCodec::new().decode(input) {
                    Ok((rest, response)) => {
                        black_box(&response);
                        rest.is_empty()
                    }
                    Err(_) => false,
                }
            }

            /// Octets of the fragments of one encoded message, as a sender would write them.
            fn written(encoded: $krate::encode::Encoded) -> usize {
                encoded
                    .map(|f| match f {
                        Fragment::Line { data } | Fragment::Literal { data, .. } => {
                            black_box(&data);
                            data.len()
                        }
                    })
                    .sum()
            }

            fn encode_commands(commands: &[Command<'_>]) -> usize {
                let codec = CommandCodec::new();
                commands.iter().map(|c| written(codec.encode(c))).sum()
            }

            fn encode_responses(responses: &[Response<'_>]) -> usize {
                let codec = ResponseCodec::new();
                responses.iter().map(|r| written(codec.encode(r))).sum()
            }

            fn bench_encode_commands(group: &mut BenchmarkGroup<'_, WallTime>, items: &[&[u8]]) {
                let codec = CommandCodec::new();
                let decoded: Vec<Command<'_>> =
                    items.iter().map(|i| codec.decode(i).unwrap().1).collect();
                group.bench_function($name, |b| {
                    b.iter(|| encode_commands(black_box(&decoded)))
                });
            }

            fn bench_encode_responses(group: &mut BenchmarkGroup<'_, WallTime>, items: &[&[u8]]) {
                let codec = ResponseCodec::new();
                let decoded: Vec<Response<'_>> =
                    items.iter().map(|i| codec.decode(i).unwrap().1).collect();
                group.bench_function($name, |b| {
                    b.iter(|| encode_responses(black_box(&decoded)))
                });
            }
        }
    };
}

imap_codec_version!(
    /// imap-codec 1.0.
    codec1,
    imap_codec_1,
    "imap-codec 1.0",
    super::CODEC_1
);
imap_codec_version!(
    /// imap-codec 2.0.0-alpha.10.
    codec2,
    imap_codec_2,
    "imap-codec 2.0-alpha",
    super::CODEC_2
);

// ---- ours ---------------------------------------------------------------------------------------
// imap_proto::command::Command::parse and imap_proto::response::Response::parse (`-> (T<'_>, usize)`,
// usize = octets consumed incl. the final CRLF), and their `encode(&self, &mut Encoder)`.
mod ours {
    use std::hint::black_box;

    use criterion::{BenchmarkGroup, measurement::WallTime};
    use imap_proto::command::Command;
    use imap_proto::encode::{Encoder, LiteralStyle};
    use imap_proto::response::Response;

    /// Our codec in the run.
    pub const CODEC: super::Codec = super::Codec {
        name: "ours",
        mark: None,
        command,
        response,
        encode_commands: bench_encode_commands,
        encode_responses: bench_encode_responses,
    };

    fn command(input: &[u8]) -> bool {
        match Command::parse(input) {
            Ok((command, used)) => {
                black_box(&command);
                used == input.len()
            }
            Err(_) => false,
        }
    }

    fn response(input: &[u8]) -> bool {
        match Response::parse(input) {
            Ok((response, used)) => {
                black_box(&response);
                used == input.len()
            }
            Err(_) => false,
        }
    }

    /// Octets of the fragments of one encoded message, as a sender would write them.
    fn written(encoder: &Encoder) -> usize {
        encoder.fragments().map(|f| black_box(f.bytes).len()).sum()
    }

    /// Encodes the commands (decoded beforehand) into one encoder each, as a client sends them
    /// (LITERAL+, so APPEND's literal is written through as in the corpus).
    fn bench_encode_commands(group: &mut BenchmarkGroup<'_, WallTime>, items: &[&[u8]]) {
        let commands: Vec<Command<'_>> =
            items.iter().map(|i| Command::parse(i).unwrap().0).collect();
        group.bench_function(CODEC.name, |b| {
            b.iter(|| {
                commands
                    .iter()
                    .map(|c| {
                        let mut encoder = Encoder::new(LiteralStyle::NonSync { max: None });
                        c.encode(&mut encoder);
                        written(&encoder)
                    })
                    .sum::<usize>()
            })
        });
    }

    /// Encodes the responses (decoded beforehand) into one encoder each, as a server sends them.
    fn bench_encode_responses(group: &mut BenchmarkGroup<'_, WallTime>, items: &[&[u8]]) {
        let responses: Vec<Response<'_>> = items
            .iter()
            .map(|i| Response::parse(i).unwrap().0)
            .collect();
        group.bench_function(CODEC.name, |b| {
            b.iter(|| {
                responses
                    .iter()
                    .map(|r| {
                        let mut encoder = Encoder::server();
                        r.encode(&mut encoder);
                        written(&encoder)
                    })
                    .sum::<usize>()
            })
        });
    }
}

/// The codecs in this run: imap-codec 1.0, 2.0-alpha, and ours (last: the reference of ratios).
fn codecs() -> Vec<Codec> {
    vec![codec1::CODEC, codec2::CODEC, ours::CODEC]
}

// ------------------------------------------------------------------------------------------------
// Checking the corpus against the codecs

/// Which corpus: commands or responses.
#[derive(Clone, Copy)]
enum Kind {
    Commands,
    Responses,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Commands => "commands",
            Kind::Responses => "responses",
        }
    }

    fn decoder(self, codec: &Codec) -> DecodeFn {
        match self {
            Kind::Commands => codec.command,
            Kind::Responses => codec.response,
        }
    }

    fn encoder(self, codec: &Codec) -> EncodeFn {
        match self {
            Kind::Commands => codec.encode_commands,
            Kind::Responses => codec.encode_responses,
        }
    }
}

/// Decodes every item with every codec and compares with the `fails:` marks; panics on a
/// mismatch. Returns the items every codec parses (the like-for-like set).
fn check<'a>(kind: Kind, items: &'a [Item], codecs: &[Codec]) -> Vec<&'a Item> {
    let mut problems = String::new();
    for item in items {
        for codec in codecs {
            let parsed = kind.decoder(codec)(&item.bytes);
            match codec.mark {
                None if !parsed => {
                    let _ = writeln!(problems, "  {} rejects {:?}", codec.name, item.name);
                }
                Some(mark) => {
                    let marked = item.fails.iter().any(|p| p == mark);
                    if parsed && marked {
                        let _ = writeln!(
                            problems,
                            "  {} now parses {:?}: drop `{mark}` from its `fails:`",
                            codec.name, item.name
                        );
                    } else if !parsed && !marked {
                        let _ = writeln!(
                            problems,
                            "  {} rejects {:?}: mark it `fails: {mark}` if it is valid IMAP",
                            codec.name, item.name
                        );
                    }
                }
                None => {}
            }
        }
    }
    assert!(
        problems.is_empty(),
        "corpus {} disagrees with the codecs:\n{problems}",
        kind.name()
    );
    items.iter().filter(|i| i.fails.is_empty()).collect()
}

// ------------------------------------------------------------------------------------------------
// The quick summary: ns per item and MB/s, with ratios

/// Mean time of one call of `f` over `budget`, after a short warm-up.
fn time_per_call(budget: Duration, f: &mut dyn FnMut()) -> Duration {
    let warm = Instant::now();
    while warm.elapsed() < budget / 4 {
        f();
    }
    let mut calls = 0u32;
    let start = Instant::now();
    while start.elapsed() < budget {
        for _ in 0..8 {
            f();
        }
        calls += 8;
    }
    start.elapsed() / calls
}

/// Rounds of the summary's measurements: the codecs take turns, and each keeps its fastest round,
/// so that a burst of load from other processes on this shared machine does not land on one codec.
const ROUNDS: usize = 7;

/// Fastest mean time per call of each of `fs`, measured in turns over [`ROUNDS`] rounds of `slice`.
fn fastest_in_turns(slice: Duration, fs: &mut [Box<dyn FnMut() + '_>]) -> Vec<f64> {
    let mut best = vec![f64::INFINITY; fs.len()];
    for _ in 0..ROUNDS {
        for (f, best) in fs.iter_mut().zip(&mut best) {
            *best = best.min(time_per_call(slice, f).as_nanos() as f64);
        }
    }
    best
}

/// Prints, for one corpus, ns per item and MB/s of each codec over the like-for-like items and the
/// ratio of its time to ours; then ns per item for every item, `fails` where a peer rejects it.
/// Each figure is the fastest of [`ROUNDS`] rounds in which the codecs take turns.
fn summary(kind: Kind, items: &[Item], common: &[&Item], codecs: &[Codec]) {
    let bytes: usize = common.iter().map(|i| i.bytes.len()).sum();
    let reference = codecs.len() - 1;
    println!(
        "\n== {}: {} of {} items, {} octets, parsed by every codec; time ratios to {}",
        kind.name(),
        common.len(),
        items.len(),
        bytes,
        codecs[reference].name
    );
    let mut passes: Vec<Box<dyn FnMut() + '_>> = codecs
        .iter()
        .map(|codec| {
            let decode = kind.decoder(codec);
            Box::new(move || {
                for item in common {
                    black_box(decode(black_box(&item.bytes)));
                }
            }) as Box<dyn FnMut()>
        })
        .collect();
    let pass = fastest_in_turns(Duration::from_millis(80), &mut passes);
    for (codec, ns) in codecs.iter().zip(&pass) {
        println!(
            "  {:<22} {:>8.0} ns/item {:>8.1} MB/s {:>7.2}x",
            codec.name,
            ns / common.len() as f64,
            bytes as f64 * 1e3 / ns,
            ns / pass[reference]
        );
    }
    let mut head = format!("  {:<66}", "per item, ns (time ratio)");
    for codec in codecs {
        let _ = write!(head, " {:>22}", codec.name);
    }
    println!("{head}");
    // Every (item, codec) pair takes its turn in each round, so the rounds of one item are spread
    // over the whole phase rather than over a few milliseconds.
    let parses = |item: &Item, codec: &Codec| {
        !codec
            .mark
            .is_some_and(|m| item.fails.iter().any(|p| p == m))
    };
    let mut calls: Vec<Box<dyn FnMut() + '_>> = Vec::new();
    for item in items {
        for codec in codecs.iter().filter(|codec| parses(item, codec)) {
            let decode = kind.decoder(codec);
            calls.push(Box::new(move || {
                black_box(decode(black_box(&item.bytes)));
            }));
        }
    }
    let mut fastest = fastest_in_turns(Duration::from_millis(3), &mut calls).into_iter();
    for item in items {
        let times: Vec<Option<f64>> = codecs
            .iter()
            .map(|codec| parses(item, codec).then(|| fastest.next().unwrap_or(f64::NAN)))
            .collect();
        let name: String = item.name.chars().take(66).collect();
        let mut line = format!("  {name:<66}");
        for t in &times {
            let _ = match (t, times[reference]) {
                (Some(t), Some(r)) => write!(line, " {:>13.0} ({:>5.2}x)", t, t / r),
                (Some(t), None) => write!(line, " {:>22.0}", t),
                (None, _) => write!(line, " {:>22}", "fails"),
            };
        }
        println!("{line}");
    }
}

// ------------------------------------------------------------------------------------------------
// Criterion groups

/// One criterion group decoding `items` with each codec, throughput in octets.
fn bench_decode(
    c: &mut Criterion,
    group_name: &str,
    kind: Kind,
    items: &[&Item],
    codecs: &[Codec],
) {
    let bytes: usize = items.iter().map(|i| i.bytes.len()).sum();
    let mut group = c.benchmark_group(group_name);
    group.throughput(Throughput::BytesDecimal(bytes as u64));
    for codec in codecs {
        let decode = kind.decoder(codec);
        group.bench_function(codec.name, |b| {
            b.iter(|| {
                for item in items {
                    black_box(decode(black_box(&item.bytes)));
                }
            })
        });
    }
    group.finish();
}

/// The encode groups: each codec encodes the like-for-like items, decoded beforehand.
fn bench_encode(c: &mut Criterion, commands: &[&Item], responses: &[&Item], codecs: &[Codec]) {
    for (kind, items) in [(Kind::Commands, commands), (Kind::Responses, responses)] {
        let bytes: Vec<&[u8]> = items.iter().map(|i| i.bytes.as_slice()).collect();
        let mut group = c.benchmark_group(format!("encode-{}", kind.name()));
        group.throughput(Throughput::BytesDecimal(
            bytes.iter().map(|i| i.len() as u64).sum(),
        ));
        for codec in codecs {
            kind.encoder(codec)(&mut group, &bytes);
        }
        group.finish();
    }
}

fn main() {
    let codecs = codecs();
    let commands = load("commands.txt");
    let responses = load("responses.txt");
    let common_commands = check(Kind::Commands, &commands, &codecs);
    let common_responses = check(Kind::Responses, &responses, &codecs);

    // `cargo bench` passes `--bench`; `cargo test --benches` does not and wants one quick pass.
    let benching = std::env::args().any(|a| a == "--bench");
    if benching {
        for (kind, items) in [(Kind::Commands, &commands), (Kind::Responses, &responses)] {
            for item in items.iter().filter(|i| !i.fails.is_empty()) {
                println!(
                    "{}: {:?} left out of the like-for-like groups: {} fail(s) on it",
                    kind.name(),
                    item.name,
                    item.fails.join(", ")
                );
            }
        }
        summary(Kind::Commands, &commands, &common_commands, &codecs);
        summary(Kind::Responses, &responses, &common_responses, &codecs);
        println!();
    }

    let mut c = Criterion::default().configure_from_args();
    bench_decode(
        &mut c,
        "commands",
        Kind::Commands,
        &common_commands,
        &codecs,
    );
    bench_decode(
        &mut c,
        "responses",
        Kind::Responses,
        &common_responses,
        &codecs,
    );
    // The headline item: one FETCH with ENVELOPE and a multipart BODYSTRUCTURE.
    let fetch: Vec<&Item> = common_responses
        .iter()
        .copied()
        .filter(|i| i.name.starts_with(HEADLINE_FETCH))
        .collect();
    assert_eq!(
        fetch.len(),
        1,
        "responses.txt: one item named {HEADLINE_FETCH:?}..."
    );
    bench_decode(
        &mut c,
        "fetch-envelope-bodystructure",
        Kind::Responses,
        &fetch,
        &codecs,
    );
    let all: Vec<&Item> = commands.iter().collect();
    bench_decode(&mut c, "commands-all", Kind::Commands, &all, &[ours::CODEC]);
    let all: Vec<&Item> = responses.iter().collect();
    bench_decode(
        &mut c,
        "responses-all",
        Kind::Responses,
        &all,
        &[ours::CODEC],
    );
    bench_encode(&mut c, &common_commands, &common_responses, &codecs);
    c.final_summary();
}
