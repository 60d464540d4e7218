//! Tables for the dot decoder (SMTP DATA and POP3 multi-line bodies): RFC 5321 examples, edge cases and the "SMTP smuggling" variants.

use super::*;
use crate::dot::DotError::{BareCr, BareLf};

/// One case: wire input (ending exactly at the terminator when finished), body under
/// `Normalize`, body and first error under `Reject`, whether the terminator is reached.
type Case = (
    &'static [u8],
    &'static [u8],
    &'static [u8],
    Option<DotError>,
    bool,
);

const CASES: &[Case] = &[
    // RFC 5321 §4.1.1.4 / §4.5.2: the CRLF before the dot belongs to the body.
    (b"a\r\n.\r\n", b"a\r\n", b"a\r\n", None, true),
    // The first line is the start of a line: a lone dot there ends an empty body...
    (b".\r\n", b"", b"", None, true),
    // ...and a leading dot there is a transparency dot.
    (b"..x\r\n.\r\n", b".x\r\n", b".x\r\n", None, true),
    (b"\r\n.\r\n", b"\r\n", b"\r\n", None, true),
    (
        b"a\r\n..\r\n.\r\n",
        b"a\r\n.\r\n",
        b"a\r\n.\r\n",
        None,
        true,
    ),
    (
        b"a\r\n.b\r\n.\r\n",
        b"a\r\nb\r\n",
        b"a\r\nb\r\n",
        None,
        true,
    ),
    (
        b"a\r\n...\r\n.\r\n",
        b"a\r\n..\r\n",
        b"a\r\n..\r\n",
        None,
        true,
    ),
    (
        b"a.\r\n.a\r\n.\r\n",
        b"a.\r\na\r\n",
        b"a.\r\na\r\n",
        None,
        true,
    ),
    (
        b"a\r\n\r\n\r\n.\r\n",
        b"a\r\n\r\n\r\n",
        b"a\r\n\r\n\r\n",
        None,
        true,
    ),
    // RFC 5321 Appendix D.1: "...etc. etc. etc." is a stuffed "..etc. etc. etc.".
    (
        b"Blah blah blah...\r\n...etc. etc. etc.\r\n.\r\n",
        b"Blah blah blah...\r\n..etc. etc. etc.\r\n",
        b"Blah blah blah...\r\n..etc. etc. etc.\r\n",
        None,
        true,
    ),
    // Unfinished bodies: held-back bytes are not written yet.
    (b"", b"", b"", None, false),
    (b"abc", b"abc", b"abc", None, false),
    (b"a\r\n.", b"a\r\n", b"a\r\n", None, false),
    (b"a\r\n.\r", b"a\r\n", b"a\r\n", None, false),
    (b"a\r", b"a\r", b"a\r", None, false),
    (b"..", b".", b".", None, false),
    (b".\r", b"", b"", None, false),
    // A dot line with text after a CR that is not a terminator.
    (
        b"a\r\n. \r\n.\r\n",
        b"a\r\n \r\n",
        b"a\r\n \r\n",
        None,
        true,
    ),
    // Bare CR and bare LF inside lines.
    (
        b"a\rb\r\n.\r\n",
        b"a\r\nb\r\n",
        b"a\rb\r\n",
        Some(BareCr { offset: 1 }),
        true,
    ),
    (
        b"a\nb\r\n.\r\n",
        b"a\r\nb\r\n",
        b"a\nb\r\n",
        Some(BareLf { offset: 1 }),
        true,
    ),
    (
        b"\nb\r\n.\r\n",
        b"\r\nb\r\n",
        b"\nb\r\n",
        Some(BareLf { offset: 0 }),
        true,
    ),
    (
        b"\r\r\n.\r\n",
        b"\r\n\r\n",
        b"\r\r\n",
        Some(BareCr { offset: 0 }),
        true,
    ),
    (
        b"a\n\r\n.\r\n",
        b"a\r\n\r\n",
        b"a\n\r\n",
        Some(BareLf { offset: 1 }),
        true,
    ),
    // A bare line ending starts a line for un-stuffing.
    (
        b"a\n..x\r\n.\r\n",
        b"a\r\n.x\r\n",
        b"a\n.x\r\n",
        Some(BareLf { offset: 1 }),
        true,
    ),
    (
        b"a\r.x\r\n.\r\n",
        b"a\r\nx\r\n",
        b"a\rx\r\n",
        Some(BareCr { offset: 1 }),
        true,
    ),
    // Only the first error is kept, at its body offset.
    (
        b"ab\r\nc\nd\re\r\n.\r\n",
        b"ab\r\nc\r\nd\r\ne\r\n",
        b"ab\r\nc\nd\re\r\n",
        Some(BareLf { offset: 5 }),
        true,
    ),
    // SMTP smuggling: none of these fake terminators ends the data. Under Normalize the lone
    // dot becomes a one-dot data line; the smuggled "command" stays in the body.
    (
        b"a\n.\nb\r\n.\r\n",
        b"a\r\n.\r\nb\r\n",
        b"a\n.\nb\r\n",
        Some(BareLf { offset: 1 }),
        true,
    ),
    (
        b"a\r.\rb\r\n.\r\n",
        b"a\r\n.\r\nb\r\n",
        b"a\r.\rb\r\n",
        Some(BareCr { offset: 1 }),
        true,
    ),
    (
        b"a\n.\r\nb\r\n.\r\n",
        b"a\r\n.\r\nb\r\n",
        b"a\n.\r\nb\r\n",
        Some(BareLf { offset: 1 }),
        true,
    ),
    (
        b"a\r\n.\nb\r\n.\r\n",
        b"a\r\n.\r\nb\r\n",
        b"a\r\n.\nb\r\n",
        Some(BareLf { offset: 4 }),
        true,
    ),
    (
        b"a\r.\r\nb\r\n.\r\n",
        b"a\r\n.\r\nb\r\n",
        b"a\r.\r\nb\r\n",
        Some(BareCr { offset: 1 }),
        true,
    ),
    (
        b"a\r\n.\rb\r\n.\r\n",
        b"a\r\n.\r\nb\r\n",
        b"a\r\n.\rb\r\n",
        Some(BareCr { offset: 4 }),
        true,
    ),
    (
        b"a\n.\rb\r\n.\r\n",
        b"a\r\n.\r\nb\r\n",
        b"a\n.\rb\r\n",
        Some(BareLf { offset: 1 }),
        true,
    ),
    (
        b"a\r.\nb\r\n.\r\n",
        b"a\r\n.\r\nb\r\n",
        b"a\r.\nb\r\n",
        Some(BareCr { offset: 1 }),
        true,
    ),
    (
        b"a\r\n.\r\r\nb\r\n.\r\n",
        b"a\r\n.\r\n\r\nb\r\n",
        b"a\r\n.\r\r\nb\r\n",
        Some(BareCr { offset: 4 }),
        true,
    ),
    (
        b"\n.\nb\r\n.\r\n",
        b"\r\n.\r\nb\r\n",
        b"\n.\nb\r\n",
        Some(BareLf { offset: 0 }),
        true,
    ),
    (
        b".\nb\r\n.\r\n",
        b".\r\nb\r\n",
        b".\nb\r\n",
        Some(BareLf { offset: 1 }),
        true,
    ),
    (
        b".\rb\r\n.\r\n",
        b".\r\nb\r\n",
        b".\rb\r\n",
        Some(BareCr { offset: 1 }),
        true,
    ),
    // The classic payload: a whole second transaction hidden behind LF.LF (or CR.CR) stays body.
    (
        b"x\n.\nMAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\n",
        b"x\r\n.\r\nMAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\n",
        b"x\n.\nMAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\n",
        Some(BareLf { offset: 1 }),
        false,
    ),
    (
        b"x\r.\rMAIL FROM:<a@b>\r\n",
        b"x\r\n.\r\nMAIL FROM:<a@b>\r\n",
        b"x\r.\rMAIL FROM:<a@b>\r\n",
        Some(BareCr { offset: 1 }),
        false,
    ),
    // Unfinished after a bare-ended lone dot followed by CRLF: still a data line.
    (
        b"\n.\r\n",
        b"\r\n.\r\n",
        b"\n.\r\n",
        Some(BareLf { offset: 0 }),
        false,
    ),
    // After the fake terminator, a real CRLF.CRLF ends the data.
    (
        b"a\n.\r\n.\r\n",
        b"a\r\n.\r\n",
        b"a\n.\r\n",
        Some(BareLf { offset: 1 }),
        true,
    ),
];

/// Decodes `chunks` in order; returns the body, total consumed, finished, error, body_len.
fn run(
    policy: BareLineEndingPolicy,
    chunks: &[&[u8]],
) -> (Vec<u8>, usize, bool, Option<DotError>, u64) {
    let mut dec = DotDecoder::new(policy);
    let mut out = Vec::new();
    let mut consumed = 0;
    let mut finished = false;
    for chunk in chunks {
        let r = dec.decode(chunk, &mut out);
        assert!(r.consumed <= chunk.len());
        if !r.finished {
            assert_eq!(r.consumed, chunk.len(), "an unfinished decode consumes all");
        }
        consumed += r.consumed;
        finished = r.finished;
    }
    assert_eq!(finished, dec.is_finished());
    (
        out,
        consumed,
        finished,
        dec.error().cloned(),
        dec.body_len(),
    )
}

fn check(input: &[u8], chunks: &[&[u8]], case: &Case, trailer: usize) {
    let (_, normalized, rejected, error, finished) = case;
    for (policy, body, err) in [
        (BareLineEndingPolicy::Normalize, normalized, &None),
        (BareLineEndingPolicy::Reject, rejected, error),
    ] {
        let what = format!(
            "{policy:?} {:?} in {chunks:?}",
            String::from_utf8_lossy(input)
        );
        let (out, consumed, fin, e, body_len) = run(policy, chunks);
        assert_eq!(&out, body, "body, {what}");
        assert_eq!(fin, *finished, "finished, {what}");
        let expect_consumed = if *finished {
            input.len() - trailer
        } else {
            input.len()
        };
        assert_eq!(consumed, expect_consumed, "consumed, {what}");
        assert_eq!(&e, err, "error, {what}");
        assert_eq!(body_len, out.len() as u64, "body_len, {what}");
    }
}

#[test]
fn table_one_shot_with_pipelined_trailer() {
    for case in CASES {
        let mut input = case.0.to_vec();
        let trailer = if case.4 { b"QUIT\r\n".len() } else { 0 };
        if case.4 {
            input.extend_from_slice(b"QUIT\r\n");
        }
        check(&input, &[&input], case, trailer);
    }
}

#[test]
fn table_every_two_and_three_way_split() {
    for case in CASES {
        let input = case.0;
        for a in 0..=input.len() {
            let (x, rest) = input.split_at(a);
            check(input, &[x, rest], case, 0);
            for b in 0..=rest.len() {
                let (y, z) = rest.split_at(b);
                check(input, &[x, y, z], case, 0);
            }
        }
    }
}

#[test]
fn table_byte_by_byte() {
    for case in CASES {
        let chunks: Vec<&[u8]> = case.0.chunks(1).collect();
        check(case.0, &chunks, case, 0);
    }
}

#[test]
fn finished_decoder_consumes_nothing() {
    let mut dec = DotDecoder::new(BareLineEndingPolicy::Reject);
    let mut out = Vec::new();
    assert_eq!(
        dec.decode(b"a\r\n.\r\nRSET\r\n", &mut out),
        Decoded {
            consumed: 6,
            finished: true
        }
    );
    assert_eq!(
        dec.decode(b"RSET\r\n", &mut out),
        Decoded {
            consumed: 0,
            finished: true
        }
    );
    assert_eq!(out, b"a\r\n");
}

#[test]
fn error_is_only_recorded_under_reject() {
    let mut dec = DotDecoder::new(BareLineEndingPolicy::Normalize);
    let mut out = Vec::new();
    dec.decode(b"a\nb\rc\r\n.\r\n", &mut out);
    assert_eq!(dec.error(), None);
    assert_eq!(out, b"a\r\nb\r\nc\r\n");
    let mut dec = DotDecoder::default();
    assert_eq!(dec.policy(), BareLineEndingPolicy::Reject);
    dec.decode(b"a\nb\rc\r\n.\r\n", &mut Vec::new());
    assert_eq!(
        dec.error().map(ToString::to_string).as_deref(),
        Some("bare LF (not preceded by CR) at body offset 1")
    );
}

#[test]
fn slices_borrow_long_runs_from_the_input() {
    let input = b"line one\r\nline two\r\nline three\r\n.\r\n";
    let mut dec = DotDecoder::new(BareLineEndingPolicy::Reject);
    let mut parts: Vec<&[u8]> = Vec::new();
    let r = dec.decode_slices(input, |s| parts.push(s));
    assert!(r.finished);
    assert_eq!(parts, [&input[..input.len() - 3]]);
}

#[test]
fn body_len_counts_across_chunks() {
    let mut dec = DotDecoder::new(BareLineEndingPolicy::Normalize);
    let mut out = Vec::new();
    dec.decode(b"ab\n", &mut out);
    assert_eq!(dec.body_len(), 4);
    dec.decode(b"..c\r", &mut out);
    assert_eq!(dec.body_len(), 7);
    dec.decode(b"\n.", &mut out);
    assert_eq!(dec.body_len(), 8);
    assert_eq!(out, b"ab\r\n.c\r\n");
}

#[test]
fn smuggling_after_long_plain_text() {
    // Long plain lines first, so the fake terminators are reached through the block fast path.
    let plain =
        b"0123456789012345678901234567890123456789012345678901234567890123456789\r\n".repeat(4);
    let fakes: &[&[u8]] = &[
        b"\n.\n", b"\r.\r", b"\n.\r\n", b"\r\n.\n", b"\r.\r\n", b"\r\n.\r", b"\n.\r", b"\r.\n",
    ];
    for fake in fakes {
        let input = [&plain[..], b"a", fake, b"MAIL FROM:<x@y>\r\n.\r\nNOOP\r\n"].concat();
        let end = input.len() - b"NOOP\r\n".len();
        for size in [1, 7, 64, 65, 300, input.len()] {
            let chunks: Vec<&[u8]> = input.chunks(size).collect();
            for policy in [
                BareLineEndingPolicy::Reject,
                BareLineEndingPolicy::Normalize,
            ] {
                let (out, consumed, finished, error, _) = run(policy, &chunks);
                assert!(finished);
                assert_eq!(consumed, end, "{fake:?} {policy:?} {size}");
                assert!(out.ends_with(b"MAIL FROM:<x@y>\r\n"));
                assert_eq!(error.is_some(), policy == BareLineEndingPolicy::Reject);
                if policy == BareLineEndingPolicy::Normalize {
                    let expect = [&plain[..], b"a\r\n.\r\nMAIL FROM:<x@y>\r\n"].concat();
                    assert_eq!(out, expect, "{fake:?} {size}");
                }
            }
        }
    }
}

/// `Content` (a POP3 client's reading, RFC 1939 §3; POP3's multi-line tables test it further):
/// only CRLF ends a line, so a bare line end neither starts un-stuffing nor a terminator.
#[test]
fn content_policy_keeps_bare_line_endings_in_the_line() {
    let cases: [(&[u8], &[u8]); 3] = [
        (b".\nx\r\n.\r\n", b"\nx\r\n"),
        (b"\n\r\n.\r\n", b"\n\r\n"),
        (b"a\n.\r\n.\r\n", b"a\n.\r\n"),
    ];
    for (wire, body) in cases {
        for size in 1..=wire.len() {
            let chunks: Vec<&[u8]> = wire.chunks(size).collect();
            let want = (body.to_vec(), wire.len(), true, None, body.len() as u64);
            assert_eq!(run(BareLineEndingPolicy::Content, &chunks), want);
        }
    }
}
