#![no_main]
//! Fuzzes the response parser (`imap_proto::response::Response::parse`, the client side).
//!
//! Checks: no panic on any input; the octets consumed are within the input and end with LF;
//! every strict prefix of a parsed response is incomplete; a parsed response encodes (server
//! side) to octets that parse to the same value, consuming all of them, and that encode to the
//! same octets again; its `into_owned` copy equals it.
use imap_proto::response::Response;
use imap_proto::{Cursor, ParseError};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // A small depth limit now and then, so that TooDeep is reached at every level too.
    if let Some((&d, rest)) = data.split_first()
        && d < 8
    {
        let _ = Response::parse_from(&mut Cursor::new(rest).with_max_depth(u16::from(d)));
    }
    let Ok((r, n)) = Response::parse(data) else {
        return;
    };
    assert!(n <= data.len() && n > 0);
    assert_eq!(data[n - 1], b'\n');
    let whole = &data[..n];
    // Prefixes (a sample of them for long responses, to keep the target fast).
    let step = (n / 64).max(1);
    for i in (0..n).step_by(step) {
        assert_eq!(
            Response::parse(&whole[..i]).map(|(_, n)| n),
            Err(ParseError::Incomplete),
            "prefix {i} of {:?}",
            String::from_utf8_lossy(whole)
        );
    }
    // The owned copy (what the client session keeps) is the same value.
    assert_eq!(r.clone().into_owned(), r);
    let bytes = r.to_bytes();
    let (again, m) = Response::parse(&bytes).unwrap_or_else(|e| {
        panic!(
            "{:?} encoded as {:?} does not parse: {e}",
            String::from_utf8_lossy(whole),
            String::from_utf8_lossy(&bytes)
        )
    });
    assert_eq!(m, bytes.len());
    assert_eq!(again, r, "{:?}", String::from_utf8_lossy(&bytes));
    assert_eq!(again.to_bytes(), bytes);
});
