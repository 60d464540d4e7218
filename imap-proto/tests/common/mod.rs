//! Checks shared by the integration tests of commands and responses (the RFC example tables in
//! `commands/` and `responses.rs`, the property tests): a message parses whole, every strict
//! prefix of it is incomplete.

use std::borrow::Cow;

use imap_proto::ParseError;

/// The octets as text, for messages.
pub fn shown(bytes: &[u8]) -> Cow<'_, str> {
    String::from_utf8_lossy(bytes)
}

/// The value of `result`, the parse of `bytes`, which must have consumed all of them.
pub fn whole<T>(bytes: &[u8], result: Result<(T, usize), ParseError>) -> T {
    let (value, used) = result.unwrap_or_else(|e| panic!("{:?}: {e}", shown(bytes)));
    assert_eq!(used, bytes.len(), "{:?}", shown(bytes));
    value
}

/// Asserts that `error` (the error of a parse, `None` for success) is
/// [`ParseError::Incomplete`] for every strict prefix of `bytes`.
pub fn assert_prefixes_incomplete(bytes: &[u8], error: impl Fn(&[u8]) -> Option<ParseError>) {
    for n in 0..bytes.len() {
        assert_eq!(
            error(&bytes[..n]),
            Some(ParseError::Incomplete),
            "prefix {n} of {:?}",
            shown(bytes)
        );
    }
}
