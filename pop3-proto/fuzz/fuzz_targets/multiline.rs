#![no_main]
//! Fuzzes the multi-line codec.
//!
//! The first byte chooses how many split points follow (each one byte, a chunk length); the next
//! chooses TOP (bit 7 set: no TOP, else TOP with that many lines mod 8); the rest is the stream.
//! Checks: no panic, a chunked decode equals a one-shot decode (body, consumed, finished) and
//! consumes nothing once finished. Then the stream is taken as a message: encode (chunked) →
//! decode gives back the message with bare CR/LF as CRLF and a final CRLF (cut after the header
//! and n lines for TOP), stopping exactly after the terminator.
use fuzz_support::{crlf_normalized as normalize, split};
use libfuzzer_sys::fuzz_target;
use pop3_proto::multiline::{MultilineDecoder, MultilineEncoder};

fn top_of(normalized: &[u8], n: u32) -> Vec<u8> {
    let mut out = Vec::new();
    let mut in_header = true;
    let mut left = n;
    for line in normalized.split_inclusive(|&b| b == b'\n') {
        if !in_header && left == 0 {
            break;
        }
        out.extend_from_slice(line);
        if in_header {
            if line == b"\r\n" {
                in_header = false;
            }
        } else {
            left -= 1;
        }
    }
    out
}

fn decode_chunks(chunks: &[&[u8]]) -> (Vec<u8>, usize, bool) {
    let mut dec = MultilineDecoder::new();
    let mut body = Vec::new();
    let mut consumed = 0;
    for c in chunks {
        let res = dec.decode(c, &mut body);
        assert!(res.consumed <= c.len());
        consumed += res.consumed;
        if res.finished {
            assert_eq!(dec.decode(b".\r\n", &mut body).consumed, 0);
            assert_eq!(dec.body_len(), body.len() as u64);
            return (body, consumed, true);
        }
        assert_eq!(res.consumed, c.len());
    }
    (body, consumed, false)
}

fuzz_target!(|data: &[u8]| {
    let Some((&n, rest)) = data.split_first() else {
        return;
    };
    let n = usize::from(n % 8);
    if rest.len() < n + 1 {
        return;
    }
    let (sizes, rest) = rest.split_at(n);
    let (&top, stream) = rest.split_first().expect("length checked");
    let top = (top & 0x80 == 0).then_some(u32::from(top % 8));

    // The stream as wire bytes.
    let chunks = split(stream, sizes);
    assert_eq!(decode_chunks(&chunks), decode_chunks(&[stream]));

    // The stream as a message.
    let mut enc = top.map_or_else(MultilineEncoder::new, MultilineEncoder::top);
    let mut wire = Vec::new();
    for c in &chunks {
        enc.encode(c, &mut wire);
    }
    enc.finish(&mut wire);
    let expected = match top {
        None => normalize(stream),
        Some(n) => top_of(&normalize(stream), n),
    };
    let wire_len = wire.len();
    wire.extend_from_slice(b"+OK next\r\n");
    let (body, consumed, finished) = decode_chunks(&split(&wire, sizes));
    assert!(finished);
    assert_eq!(consumed, wire_len);
    assert_eq!(body, expected);
});
