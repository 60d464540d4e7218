#![no_main]
//! Reply parser fuzz target: arbitrary bytes into `parse_reply`; whatever parses must survive
//! `write_to` -> `parse_reply` unchanged, and so must its EHLO reading (`from_reply` ->
//! `to_reply` -> `write_to` -> `parse_reply` -> `from_reply`).
use libfuzzer_sys::fuzz_target;
use smtp_proto::parse::reply::{ReplyError, ReplyLimits, parse_reply, parse_reply_with};
use smtp_proto::types::capability::EhloReply;

/// Lossy UTF-8 conversion may turn one invalid byte into three (U+FFFD), so the re-parse of
/// a re-encoded reply allows lines three times as long.
fn relaxed() -> ReplyLimits {
    let d = ReplyLimits::default();
    ReplyLimits {
        max_line_len: d.max_line_len * 3,
        max_lines: d.max_lines,
    }
}

fuzz_target!(|data: &[u8]| {
    let (reply, consumed) = match parse_reply(data) {
        Ok(ok) => ok,
        Err(ReplyError::Incomplete) => {
            // Nothing in the input is wrong so far: every prefix must be Incomplete too.
            if let Some(cut) = data.len().checked_sub(1) {
                assert_eq!(
                    parse_reply(&data[..cut]).map(|(r, n)| (r.into_owned(), n)),
                    Err(ReplyError::Incomplete)
                );
            }
            return;
        }
        Err(_) => return,
    };
    assert!(consumed > 0 && consumed <= data.len());
    // Every strict prefix of what parsed is Incomplete (checked on a few cut points).
    for cut in [0, consumed / 2, consumed.saturating_sub(2), consumed - 1] {
        assert_eq!(
            parse_reply(&data[..cut]).map(|(r, n)| (r.into_owned(), n)),
            Err(ReplyError::Incomplete),
            "prefix {cut} of {consumed}"
        );
    }

    let mut wire = Vec::new();
    reply.write_to(&mut wire);
    let (again, n) = parse_reply_with(&wire, &relaxed()).expect("re-encoded reply parses");
    assert_eq!(n, wire.len());
    assert_eq!(again, reply);

    if let Ok(ehlo) = EhloReply::from_reply(&reply) {
        let mut wire = Vec::new();
        ehlo.write_to(&mut wire);
        let (r, n) = parse_reply_with(&wire, &relaxed()).expect("re-encoded EHLO parses");
        assert_eq!(n, wire.len());
        assert_eq!(EhloReply::from_reply(&r).as_ref(), Ok(&ehlo));
    }
});
