#![no_main]
//! Fuzzes the DATA and BDAT codecs.
//!
//! The first byte chooses how many split points follow (each one byte, a chunk length); the rest
//! is the stream. Checks, under both bare-line-ending policies: no panic, `consumed <= len`, an
//! unfinished call consumes everything, the chunked decode equals a one-shot decode (body,
//! consumed, finished, error, body_len), and nothing is consumed once finished. Then the stream is
//! taken as a body: encode → decode gives back the body with bare CR/LF as CRLF and a final CRLF,
//! stopping exactly after the terminator. BDAT takes exactly its size, however split.
use fuzz_support::{crlf_normalized as normalize, split};
use libfuzzer_sys::fuzz_target;
use smtp_proto::data::{BareLineEndingPolicy, BdatDecoder, DataDecoder, DataEncoder};

fn decode(policy: BareLineEndingPolicy, chunks: &[&[u8]]) -> (Vec<u8>, usize, bool, String, u64) {
    let mut dec = DataDecoder::new(policy);
    let mut out = Vec::new();
    let mut consumed = 0;
    let mut finished = false;
    for chunk in chunks {
        let r = dec.decode(chunk, &mut out);
        assert!(r.consumed <= chunk.len());
        assert!(r.finished || r.consumed == chunk.len());
        assert!(!finished || r.consumed == 0);
        consumed += r.consumed;
        finished = r.finished;
    }
    assert_eq!(dec.body_len(), out.len() as u64);
    (
        out,
        consumed,
        finished,
        format!("{:?}", dec.error()),
        dec.body_len(),
    )
}

fuzz_target!(|data: &[u8]| {
    let Some((&n, rest)) = data.split_first() else {
        return;
    };
    let (sizes, stream) = rest.split_at(usize::from(n % 16).min(rest.len()));
    let chunks = split(stream, sizes);

    for policy in [
        BareLineEndingPolicy::Reject,
        BareLineEndingPolicy::Normalize,
    ] {
        let whole = decode(policy, &[stream]);
        assert!(whole.1 <= stream.len());
        assert_eq!(decode(policy, &chunks), whole, "split-invariance");
        if policy == BareLineEndingPolicy::Normalize {
            assert_eq!(whole.3, "None");
        }
    }

    // Round trip: the stream as a body.
    let mut wire = Vec::new();
    let mut enc = DataEncoder::new();
    for chunk in &chunks {
        enc.encode(chunk, &mut wire);
    }
    enc.finish(&mut wire);
    let wire_len = wire.len();
    wire.extend_from_slice(b"QUIT\r\n");
    for policy in [
        BareLineEndingPolicy::Reject,
        BareLineEndingPolicy::Normalize,
    ] {
        let (body, consumed, finished, error, _) = decode(policy, &split(&wire, sizes));
        assert!(finished);
        assert_eq!(consumed, wire_len);
        assert_eq!(error, "None");
        assert_eq!(body, normalize(stream));
    }

    // BDAT: exactly `size` octets, however split.
    let size = u64::from(n) * 3;
    let mut bdat = BdatDecoder::new(size);
    let mut out = Vec::new();
    let mut consumed = 0;
    for chunk in &chunks {
        let r = bdat.decode(chunk, &mut out);
        assert!(r.consumed <= chunk.len());
        consumed += r.consumed;
    }
    let expect = stream.len().min(usize::from(n) * 3);
    assert_eq!(consumed, expect);
    assert_eq!(out.as_slice(), &stream[..expect]);
    assert_eq!(bdat.remaining(), size - expect as u64);
});
