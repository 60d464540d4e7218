#![no_main]
//! Fuzzes the dot-stuffing codec under each bare-line-ending policy.
//!
//! Byte 0 gives the number of split sizes that follow (mod 16), each one byte, a chunk length;
//! the rest is the stream. For each [`BareLineEndingPolicy`]:
//! - decoding: no panic, `consumed <= len`, an unfinished call consumes everything, nothing is
//!   consumed once finished, `body_len` counts the body, `decode_slices` hands out the same
//!   body as `decode`, and any split gives the same result (body, consumed, finished, error);
//!   `Normalize` and `Content` record no error, and a `Normalize` body holds only `CRLF`s (an
//!   unfinished one may end with the `CR` of a line end still to come);
//! - decode → encode → decode: the decoded body, encoded (in the same chunks) and decoded again,
//!   gives the same content (bare `CR`/`LF` written as `CRLF`, a final `CRLF`), stops exactly
//!   after the terminator, and records no error; the encoded form has no bare line ending.
use fuzz_support::{crlf_normalized, split};
use libfuzzer_sys::fuzz_target;
use mail_framing::dot::{BareLineEndingPolicy, DotDecoder, DotEncoder};

const POLICIES: [BareLineEndingPolicy; 3] = [
    BareLineEndingPolicy::Reject,
    BareLineEndingPolicy::Normalize,
    BareLineEndingPolicy::Content,
];

#[derive(Debug, PartialEq, Eq)]
struct Decoding {
    body: Vec<u8>,
    consumed: usize,
    finished: bool,
    error: String,
}

fn decode(policy: BareLineEndingPolicy, chunks: &[&[u8]]) -> Decoding {
    let mut dec = DotDecoder::new(policy);
    let mut slices = DotDecoder::new(policy);
    let mut body = Vec::new();
    let mut sliced = Vec::new();
    let mut consumed = 0;
    let mut finished = false;
    for chunk in chunks {
        let r = dec.decode(chunk, &mut body);
        assert_eq!(
            slices.decode_slices(chunk, |s| sliced.extend_from_slice(s)),
            r
        );
        assert!(r.consumed <= chunk.len());
        assert!(
            r.finished || r.consumed == chunk.len(),
            "unfinished, input left"
        );
        assert!(!finished || r.consumed == 0, "consumed after the end");
        assert!(!finished || r.finished);
        consumed += r.consumed;
        finished = r.finished;
        assert_eq!(dec.body_len(), body.len() as u64);
        assert_eq!(dec.is_finished(), finished);
    }
    assert_eq!(sliced, body, "decode_slices");
    assert_eq!(
        format!("{:?}", slices.error()),
        format!("{:?}", dec.error())
    );
    Decoding {
        body,
        consumed,
        finished,
        error: format!("{:?}", dec.error()),
    }
}

/// Whether every `CR` is followed by `LF` and every `LF` preceded by `CR`.
fn crlf_only(bytes: &[u8]) -> bool {
    bytes.iter().enumerate().all(|(i, &b)| match b {
        b'\r' => bytes.get(i + 1) == Some(&b'\n'),
        b'\n' => i > 0 && bytes[i - 1] == b'\r',
        _ => true,
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&n, rest)) = data.split_first() else {
        return;
    };
    let (sizes, stream) = rest.split_at(usize::from(n % 16).min(rest.len()));
    let chunks = split(stream, sizes);

    for policy in POLICIES {
        let whole = decode(policy, &[stream]);
        assert_eq!(decode(policy, &chunks), whole, "split-invariance");
        assert_eq!(
            decode(policy, &split(stream, &[1])),
            whole,
            "octet by octet"
        );
        if policy != BareLineEndingPolicy::Reject {
            assert_eq!(whole.error, "None");
        }
        if policy == BareLineEndingPolicy::Normalize {
            // An unfinished body may end with a CR whose LF (or the LF Normalize adds) is to come.
            let body = match whole.body.strip_suffix(b"\r") {
                Some(held) if !whole.finished => held,
                _ => &whole.body[..],
            };
            assert!(crlf_only(body), "Normalize left a bare line ending");
        }

        // decode → encode → decode
        let mut wire = Vec::new();
        let mut enc = DotEncoder::new();
        for chunk in split(&whole.body, sizes) {
            enc.encode(chunk, &mut wire);
        }
        enc.finish(&mut wire);
        assert!(crlf_only(&wire), "the encoder wrote a bare line ending");
        let wire_len = wire.len();
        wire.extend_from_slice(b"QUIT\r\n");
        let again = decode(policy, &split(&wire, sizes));
        assert!(again.finished, "encoded body not terminated");
        assert_eq!(
            again.consumed, wire_len,
            "stopped elsewhere than the terminator"
        );
        assert_eq!(again.error, "None");
        let expected = crlf_normalized(&whole.body);
        assert_eq!(again.body, expected, "decode → encode → decode");
    }
});
