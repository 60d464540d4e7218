//! Property tests of the DATA codecs: encode→decode round trips and a differential test of the
//! streaming decoder against a line-by-line reference, both under arbitrary chunk splits.

use proptest::prelude::*;
use smtp_proto::data::{BareLineEndingPolicy, DataDecoder, DataEncoder, DataError};

const POLICIES: [BareLineEndingPolicy; 2] = [
    BareLineEndingPolicy::Reject,
    BareLineEndingPolicy::Normalize,
];

/// Splits `input` into chunks whose sizes cycle through `sizes` (each at least 1).
fn split<'a>(input: &'a [u8], sizes: &[usize]) -> Vec<&'a [u8]> {
    let mut chunks = Vec::new();
    let mut rest = input;
    let mut k = 0;
    while !rest.is_empty() {
        let n = sizes
            .get(k % sizes.len().max(1))
            .copied()
            .unwrap_or(1)
            .clamp(1, rest.len());
        let (a, b) = rest.split_at(n);
        chunks.push(a);
        rest = b;
        k += 1;
    }
    chunks
}

/// Line-by-line reference of the documented decoding rules, on the whole input at once.
/// Returns (body, consumed, finished, first error under Reject).
fn reference(
    input: &[u8],
    policy: BareLineEndingPolicy,
) -> (Vec<u8>, usize, bool, Option<DataError>) {
    let normalize = policy == BareLineEndingPolicy::Normalize;
    let mut out = Vec::new();
    let mut error = None;
    let mut genuine = true; // the line before ended with CRLF
    let mut pos = 0;
    loop {
        let rest = &input[pos..];
        // The line's content ends at the first CR or LF.
        let Some(e) = rest.iter().position(|&b| b == b'\r' || b == b'\n') else {
            // Unfinished last line: a leading dot (or a lone dot) is held back.
            out.extend_from_slice(rest.strip_prefix(b".").unwrap_or(rest));
            return (out, input.len(), false, error);
        };
        let content = &rest[..e];
        // The ending: CRLF, bare LF, bare CR, or a CR at the end of the input (undecided).
        let (ending, bare): (&[u8], bool) = match (rest[e], rest.get(e + 1)) {
            (b'\r', Some(b'\n')) => (b"\r\n", false),
            (b'\r', None) => {
                if content != b"." {
                    out.extend_from_slice(content.strip_prefix(b".").unwrap_or(content));
                    out.push(b'\r');
                }
                return (out, input.len(), false, error);
            }
            (b'\r', Some(_)) => (b"\r", true),
            _ => (b"\n", true),
        };
        if content == b"." && genuine && !bare {
            return (out, pos + 3, true, error);
        }
        let line = if content.len() > 1 {
            &content[1..]
        } else {
            content
        };
        let line = if content.first() == Some(&b'.') {
            line
        } else {
            content
        };
        out.extend_from_slice(line);
        if bare {
            if error.is_none() && !normalize {
                let offset = out.len() as u64;
                error = Some(if ending == b"\r" {
                    DataError::BareCr { offset }
                } else {
                    DataError::BareLf { offset }
                });
            }
            out.extend_from_slice(if normalize { b"\r\n" } else { ending });
        } else {
            out.extend_from_slice(b"\r\n");
        }
        genuine = !bare;
        pos += e + ending.len();
    }
}

fn decode_chunks(
    policy: BareLineEndingPolicy,
    chunks: &[&[u8]],
) -> (Vec<u8>, usize, bool, Option<DataError>) {
    let mut dec = DataDecoder::new(policy);
    let mut out = Vec::new();
    let mut consumed = 0;
    let mut finished = false;
    for chunk in chunks {
        let r = dec.decode(chunk, &mut out);
        assert!(r.consumed <= chunk.len());
        assert!(
            !finished || r.consumed == 0,
            "nothing consumed once finished"
        );
        consumed += r.consumed;
        finished = r.finished;
        assert_eq!(dec.body_len(), out.len() as u64);
    }
    (out, consumed, finished, dec.error().cloned())
}

/// Bodies rich in what matters: CR, LF, dots at line starts, long plain lines (which the
/// decoder skips in blocks), and arbitrary octets.
fn body() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        Just(b"\r\n".to_vec()),
        Just(b"\r".to_vec()),
        Just(b"\n".to_vec()),
        Just(b".".to_vec()),
        Just(b"\r\n.".to_vec()),
        Just(b"\r\n.\r\n".to_vec()),
        Just(b"\n.\n".to_vec()),
        Just(b"a".to_vec()),
        (1usize..200).prop_map(|n| {
            let mut line = vec![b'x'; n];
            line.extend_from_slice(b"\r\n");
            line
        }),
        prop::collection::vec(any::<u8>(), 0..20),
    ];
    prop::collection::vec(piece, 0..40).prop_map(|v| v.concat())
}

fn sizes() -> impl Strategy<Value = Vec<usize>> {
    prop_oneof![
        Just(vec![1]),
        prop::collection::vec(1usize..300, 1..8),
        Just(vec![usize::MAX]),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn encode_then_decode_gives_the_normalized_body(
        body in body(),
        enc_sizes in sizes(),
        dec_sizes in sizes(),
        trailer in prop::collection::vec(any::<u8>(), 0..10),
    ) {
        let mut wire = Vec::new();
        let mut enc = DataEncoder::new();
        for chunk in split(&body, &enc_sizes) {
            enc.encode(chunk, &mut wire);
        }
        enc.finish(&mut wire);
        let wire_len = wire.len();
        wire.extend_from_slice(&trailer);
        for policy in POLICIES {
            let (out, consumed, finished, error) = decode_chunks(policy, &split(&wire, &dec_sizes));
            prop_assert_eq!(&out, &fuzz_support::crlf_normalized(&body));
            prop_assert!(finished);
            prop_assert_eq!(consumed, wire_len, "stops exactly after the terminator");
            prop_assert_eq!(error, None);
            // Every proper prefix of the wire form is unfinished.
            let (_, _, finished, _) = decode_chunks(policy, &[&wire[..wire_len - 1]]);
            prop_assert!(!finished);
        }
    }

    #[test]
    fn decoder_matches_line_reference(input in body(), sizes in sizes()) {
        for policy in POLICIES {
            let expected = reference(&input, policy);
            let got = decode_chunks(policy, &split(&input, &sizes));
            prop_assert_eq!(got, expected, "{:?}", policy);
        }
    }
}
