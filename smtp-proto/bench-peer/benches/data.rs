//! DATA un-stuffing throughput: ours against Stalwart's smtp-proto 0.2 `DataReceiver`.
//!
//! A realistic 10 MB body (76-character lines, about one in 50 starting with '.', CRLF endings),
//! dot-stuffed as on the wire and fed in 64 KiB chunks as a socket would hand them over; both
//! decoders write the body into a `Vec`.
use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use smtp_proto::data::{BareLineEndingPolicy, DataDecoder, DataEncoder};

const BODY_SIZE: usize = 10 * 1024 * 1024;
const CHUNK: usize = 64 * 1024;

/// The wire form of a 10 MB body, terminator included.
fn wire() -> Vec<u8> {
    let mut body = Vec::with_capacity(BODY_SIZE + 1024);
    let mut seed: u32 = 0x1234_5678;
    let mut n = 0u32;
    while body.len() < BODY_SIZE {
        n += 1;
        if n.is_multiple_of(50) {
            body.push(b'.');
        }
        for _ in 0..76 - usize::from(n.is_multiple_of(50)) {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            body.push(
                b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/ .,"
                    [seed as usize % 67],
            );
        }
        body.extend_from_slice(b"\r\n");
    }
    let mut wire = Vec::with_capacity(body.len() + body.len() / 50 + 8);
    let mut enc = DataEncoder::new();
    enc.encode(&body, &mut wire);
    enc.finish(&mut wire);
    wire
}

fn unstuff(c: &mut Criterion) {
    let wire = wire();
    let mut group = c.benchmark_group("data_unstuff_10MB");
    group.throughput(Throughput::Bytes(wire.len() as u64));
    group.measurement_time(Duration::from_secs(3));
    group.warm_up_time(Duration::from_secs(1));
    group.sample_size(20);
    let mut out = Vec::with_capacity(wire.len());

    group.bench_function("ours", |b| {
        b.iter(|| {
            out.clear();
            let mut dec = DataDecoder::new(BareLineEndingPolicy::Reject);
            let mut finished = false;
            for chunk in wire.chunks(CHUNK) {
                finished = dec.decode(black_box(chunk), &mut out).finished;
            }
            assert!(finished && dec.error().is_none());
            black_box(out.len())
        })
    });

    // The floor: copying the chunks into the Vec without looking at them.
    group.bench_function("memcpy_baseline", |b| {
        b.iter(|| {
            out.clear();
            for chunk in wire.chunks(CHUNK) {
                out.extend_from_slice(black_box(chunk));
            }
            black_box(out.len())
        })
    });

    group.bench_function("stalwart_smtp_proto", |b| {
        b.iter(|| {
            out.clear();
            let mut dec = stalwart_smtp_proto::request::receiver::DataReceiver::new();
            let mut finished = false;
            for chunk in wire.chunks(CHUNK) {
                let mut iter = black_box(chunk).iter();
                finished = dec.ingest(&mut iter, &mut out);
            }
            assert!(finished);
            black_box(out.len())
        })
    });
    group.finish();
}

criterion_group!(benches, unstuff);
criterion_main!(benches);
