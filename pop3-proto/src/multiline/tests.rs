use proptest::prelude::*;

use super::*;

fn encode_chunks(chunks: &[&[u8]], top: Option<u32>) -> Vec<u8> {
    let mut enc = top.map_or_else(MultilineEncoder::new, MultilineEncoder::top);
    let mut out = Vec::new();
    for c in chunks {
        enc.encode(c, &mut out);
    }
    enc.finish(&mut out);
    out
}

fn encode_bytewise(body: &[u8], top: Option<u32>) -> Vec<u8> {
    let chunks: Vec<&[u8]> = body.iter().map(std::slice::from_ref).collect();
    encode_chunks(&chunks, top)
}

/// Decodes `wire` cut at `cuts`; returns the body, the total consumed, and whether finished.
fn decode_split(wire: &[u8], cuts: &[usize]) -> (Vec<u8>, usize, bool) {
    let mut dec = MultilineDecoder::new();
    let mut body = Vec::new();
    let mut consumed = 0;
    let mut start = 0;
    let mut bounds: Vec<usize> = cuts.iter().map(|&c| c.min(wire.len())).collect();
    bounds.sort_unstable();
    bounds.push(wire.len());
    for end in bounds {
        let chunk = wire.get(start..end).unwrap_or_default();
        let res = dec.decode(chunk, &mut body);
        consumed += res.consumed;
        if res.finished {
            assert_eq!(
                dec.decode(b"more", &mut body).consumed,
                0,
                "consumed after end"
            );
            return (body, consumed, true);
        }
        assert_eq!(res.consumed, chunk.len(), "unfinished call left bytes");
        start = end;
    }
    assert_eq!(body.len() as u64, dec.body_len());
    (body, consumed, false)
}

/// RFC 1939 §7's TOP: the header, the blank line, then `n` body lines.
#[test]
fn top_table() {
    let msg: &[u8] = b"From: a\r\nSubject: b\r\n\r\nline 1\r\n.line 2\r\nline 3\r\n";
    let cases: &[(&[u8], u32, &[u8])] = &[
        (msg, 0, b"From: a\r\nSubject: b\r\n\r\n.\r\n"),
        (msg, 1, b"From: a\r\nSubject: b\r\n\r\nline 1\r\n.\r\n"),
        (
            msg,
            2,
            b"From: a\r\nSubject: b\r\n\r\nline 1\r\n..line 2\r\n.\r\n",
        ),
        (
            msg,
            3,
            b"From: a\r\nSubject: b\r\n\r\nline 1\r\n..line 2\r\nline 3\r\n.\r\n",
        ),
        (
            msg,
            10,
            b"From: a\r\nSubject: b\r\n\r\nline 1\r\n..line 2\r\nline 3\r\n.\r\n",
        ),
        // LF endings, bare CR.
        (b"H: v\n\nb1\nb2\n", 1, b"H: v\r\n\r\nb1\r\n.\r\n"),
        (b"H: v\r\rb1\rb2", 1, b"H: v\r\n\r\nb1\r\n.\r\n"),
        // No blank line: all header, sent whole.
        (b"H: v\r\nI: w", 0, b"H: v\r\nI: w\r\n.\r\n"),
        // The body's last line without CRLF.
        (b"H: v\r\n\r\nonly", 5, b"H: v\r\n\r\nonly\r\n.\r\n"),
        // Empty header.
        (b"\r\nbody\r\n", 0, b"\r\n.\r\n"),
        (b"", 0, b".\r\n"),
    ];
    for (body, n, wire) in cases {
        let name = String::from_utf8_lossy(body);
        assert_eq!(encode_chunks(&[body], Some(*n)), *wire, "TOP {n} {name}");
        assert_eq!(
            encode_bytewise(body, Some(*n)),
            *wire,
            "bytewise TOP {n} {name}"
        );
    }
    let mut enc = MultilineEncoder::top(1);
    let mut out = Vec::new();
    enc.encode(b"H: v\r\n\r\nb1\r", &mut out);
    assert!(!enc.wants_more());
    enc.encode(b"\nb2\r\n", &mut out);
    enc.finish(&mut out);
    assert_eq!(out, b"H: v\r\n\r\nb1\r\n.\r\n");
}

/// RFC 1939 §5's RETR example and §7's TOP example, as wire bytes.
#[test]
fn decoder_table() {
    let cases: &[(&[u8], &[u8], usize)] = &[
        (b".\r\n", b"", 3),
        (b"a\r\n.\r\n", b"a\r\n", 6),
        (b"..\r\n.\r\n", b".\r\n", 7),
        (b"...x\r\n.\r\n", b"..x\r\n", 9),
        (b"a\r\n..b\r\n.\r\n+OK", b"a\r\n.b\r\n", 11),
        (b".x\r\n.\r\n", b"x\r\n", 7),
        (b".\rx\r\n.\r\n", b"\rx\r\n", 8),
        (b".\r.\r\n.\r\n", b"\r.\r\n", 8),
        // Bare LF is content: no un-stuffing and no end after it.
        (b"a\n.\r\n.\r\n", b"a\n.\r\n", 8),
        (b"a\n..\r\n.\r\n", b"a\n..\r\n", 9),
        (b"a\r.\r\n.\r\n", b"a\r.\r\n", 8),
        (b"\r\n\r\n.\r\n", b"\r\n\r\n", 7),
    ];
    for (wire, body, consumed) in cases {
        let name = String::from_utf8_lossy(wire);
        for cut in 0..=wire.len() {
            assert_eq!(
                decode_split(wire, &[cut]),
                (body.to_vec(), *consumed, true),
                "{name} cut at {cut}"
            );
        }
        let every: Vec<usize> = (1..wire.len()).collect();
        assert_eq!(
            decode_split(wire, &every),
            (body.to_vec(), *consumed, true),
            "{name} bytewise"
        );
    }
    // Not finished yet: every strict prefix of a body and its terminator.
    let wire = b"a\r\n..b\r\n.\r\n";
    for k in 0..wire.len() {
        let (_, consumed, finished) = decode_split(wire.get(..k).unwrap_or_default(), &[]);
        assert!(!finished, "prefix {k}");
        assert_eq!(consumed, k);
    }
}

/// The RFC 1939 §10 session example's multi-line parts (LIST and RETR), server to client.
#[test]
fn rfc1939_session_example() {
    let list_body = b"1 120\r\n2 200\r\n";
    let wire = encode_chunks(&[list_body], None);
    assert_eq!(wire, b"1 120\r\n2 200\r\n.\r\n");
    let (body, _, finished) = decode_split(&wire, &[]);
    assert!(finished);
    assert_eq!(body, list_body);
}

#[test]
fn fifty_megabytes_stream_in_chunks() {
    const TOTAL: usize = 50 * 1024 * 1024;
    let line: &[u8] = b".a line of text that starts with a dot, then more text to fill it up\n";
    let mut enc = MultilineEncoder::new();
    let mut dec = MultilineDecoder::new();
    let mut fed = 0usize;
    let mut wire = Vec::with_capacity(80 * 1024);
    let mut body = Vec::with_capacity(80 * 1024);
    let mut body_total = 0u64;
    let chunk: Vec<u8> = line.iter().copied().cycle().take(64 * 1024 + 7).collect();
    while fed < TOTAL {
        wire.clear();
        enc.encode(&chunk, &mut wire);
        fed += chunk.len();
        body.clear();
        let res = dec.decode(&wire, &mut body);
        assert!(!res.finished);
        assert_eq!(res.consumed, wire.len());
        body_total += body.len() as u64;
        // Never more than one chunk's worth held anywhere.
        assert!(wire.len() < 2 * chunk.len());
    }
    wire.clear();
    enc.finish(&mut wire);
    let res = dec.decode(&wire, &mut Vec::new());
    assert!(res.finished);
    // Every LF became CRLF, and the last partial line got a CRLF.
    let lfs = chunk.iter().filter(|&&b| b == b'\n').count() * (fed / chunk.len());
    assert!(!chunk.ends_with(b"\n"));
    assert_eq!(dec.body_len(), (fed + lfs + 2) as u64);
    assert!(body_total >= fed as u64);
}

/// What TOP n of a normalized message must give: header lines through the blank one, then n.
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

fn body_strategy() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(
        prop_oneof![
            Just(b'.'),
            Just(b'\r'),
            Just(b'\n'),
            Just(b'a'),
            Just(b' '),
            any::<u8>()
        ],
        0..200,
    )
}

proptest! {
    #[test]
    fn encode_decode_roundtrip(
        body in body_strategy(),
        enc_cuts in proptest::collection::vec(0usize..220, 0..6),
        dec_cuts in proptest::collection::vec(0usize..440, 0..6),
        top in proptest::option::of(0u32..6),
        trailer in proptest::collection::vec(any::<u8>(), 0..10),
    ) {
        let mut bounds: Vec<usize> = enc_cuts.iter().map(|&c| c.min(body.len())).collect();
        bounds.sort_unstable();
        bounds.push(body.len());
        let mut chunks = Vec::new();
        let mut start = 0;
        for end in bounds {
            chunks.push(body.get(start..end).unwrap_or_default());
            start = end;
        }
        let wire = encode_chunks(&chunks, top);
        prop_assert_eq!(&wire, &encode_chunks(&[&body], top));
        let expected = match top {
            None => fuzz_support::crlf_normalized(&body),
            Some(n) => top_of(&fuzz_support::crlf_normalized(&body), n),
        };
        let mut stream = wire.clone();
        stream.extend_from_slice(&trailer);
        let (decoded, consumed, finished) = decode_split(&stream, &dec_cuts);
        prop_assert!(finished);
        prop_assert_eq!(consumed, wire.len());
        prop_assert_eq!(decoded, expected);
        // Every strict prefix of the wire form is unfinished and fully consumed.
        for k in 0..wire.len() {
            let mut dec = MultilineDecoder::new();
            let res = dec.decode(wire.get(..k).unwrap_or_default(), &mut Vec::new());
            prop_assert!(!res.finished);
            prop_assert_eq!(res.consumed, k);
        }
    }

    #[test]
    fn decoder_split_invariance(
        wire in proptest::collection::vec(
            prop_oneof![Just(b'.'), Just(b'\r'), Just(b'\n'), Just(b'x')], 0..100),
        cuts in proptest::collection::vec(0usize..100, 0..8),
    ) {
        prop_assert_eq!(decode_split(&wire, &cuts), decode_split(&wire, &[]));
    }
}
