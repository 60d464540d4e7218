//! Helpers shared by the fuzz workspaces (`smtp-proto/fuzz`, `pop3-proto/fuzz`,
//! `mail-framing/fuzz`, ...): one copy of each, as the guide asks (STYLE: never copy code).
//!
//! - [`split`]: cuts a stream into chunks whose lengths come from the fuzzer's input, to check
//!   that a streaming decoder gives the same result however the socket split its bytes.
//! - [`crlf_normalized`]: what a dot-stuffing encoder makes of a body (bare `CR`/`LF` as
//!   `CRLF`, a final `CRLF` added), the expected result of an encode → decode round trip.

/// Cuts `input` into chunks whose lengths are taken from `sizes` in turn (a zero counts as one;
/// with no sizes, the whole input is one chunk). The chunks concatenate to `input`.
pub fn split<'a>(input: &'a [u8], sizes: &[u8]) -> Vec<&'a [u8]> {
    let mut chunks = Vec::new();
    let mut rest = input;
    let mut k = 0;
    while !rest.is_empty() {
        let n = sizes
            .get(k % sizes.len().max(1))
            .map_or(rest.len(), |&s| usize::from(s).max(1))
            .min(rest.len());
        let (a, b) = rest.split_at(n);
        chunks.push(a);
        rest = b;
        k += 1;
    }
    chunks
}

/// `body` with every bare `CR` and bare `LF` written as `CRLF`, and a `CRLF` added after a last
/// line that lacks one (RFC 5321 §4.5.2, RFC 1939 §3: what a dot-stuffing encoder sends).
pub fn crlf_normalized(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len() + 2);
    let mut k = 0;
    while let Some(&c) = body.get(k) {
        match c {
            b'\r' if body.get(k + 1) == Some(&b'\n') => {
                out.extend_from_slice(b"\r\n");
                k += 1;
            }
            b'\r' | b'\n' => out.extend_from_slice(b"\r\n"),
            _ => out.push(c),
        }
        k += 1;
    }
    if !out.is_empty() && !out.ends_with(b"\r\n") {
        out.extend_from_slice(b"\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_cycles_through_the_sizes_and_covers_the_input() {
        let input = b"abcdefghij";
        assert_eq!(
            split(input, &[3, 0]),
            vec![&b"abc"[..], b"d", b"efg", b"h", b"ij"]
        );
        assert_eq!(split(input, &[]), vec![&input[..]]);
        assert!(split(b"", &[1]).is_empty());
    }

    #[test]
    fn crlf_normalized_turns_bare_endings_into_crlf() {
        assert_eq!(crlf_normalized(b"a\rb\nc\r\nd"), b"a\r\nb\r\nc\r\nd\r\n");
        assert_eq!(crlf_normalized(b"\r\n"), b"\r\n");
        assert_eq!(crlf_normalized(b""), b"");
    }
}
