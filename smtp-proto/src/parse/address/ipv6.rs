//! The `IPv6-addr` of an address literal (RFC 5321 §4.1.3), read without the standard
//! library's generic address parser but accepting exactly what it accepts.

use std::net::Ipv6Addr;

/// The text of an `IPv6-addr` (RFC 5321 §4.1.3), accepting exactly what the standard library's
/// `Ipv6Addr` parser accepts (so a `::` may stand for a single zero group) without its
/// generic machinery.
///
/// ```text
/// IPv6-addr   = IPv6-full / IPv6-comp / IPv6v4-full / IPv6v4-comp
/// IPv6-hex    = 1*4HEXDIG
/// IPv6-full   = IPv6-hex 7(":" IPv6-hex)
/// IPv6-comp   = [IPv6-hex *5(":" IPv6-hex)] "::" [IPv6-hex *5(":" IPv6-hex)]
/// IPv6v4-full = IPv6-hex 5(":" IPv6-hex) ":" IPv4-address-literal
/// IPv6v4-comp = [IPv6-hex *3(":" IPv6-hex)] "::"
///               [IPv6-hex *3(":" IPv6-hex) ":"] IPv4-address-literal
/// ```
///
/// As in the standard library, the embedded IPv4 address takes no leading zeros.
pub(crate) fn parse_ipv6(text: &[u8]) -> Option<Ipv6Addr> {
    hex_only(text).or_else(|| parse_general(text))
}

/// `HEX[b]`: the value of the hexadecimal digit `b`, or `NOT_HEX`.
static HEX: [u8; 256] = hex_table();
const NOT_HEX: u8 = 0xFF;

const fn hex_table() -> [u8; 256] {
    let mut t = [NOT_HEX; 256];
    let mut c = 0;
    while c < 256 {
        let b = c as u8;
        t[c] = match b {
            b'0'..=b'9' => b - b'0',
            b'a'..=b'f' => b - b'a' + 10,
            b'A'..=b'F' => b - b'A' + 10,
            _ => NOT_HEX,
        };
        c += 1;
    }
    t
}

/// The common forms in one table-driven pass: hex groups and at most one `::`, no embedded
/// IPv4 address. `None` for anything else, valid or not ([`parse_general`] decides).
#[inline]
fn hex_only(text: &[u8]) -> Option<Ipv6Addr> {
    let mut groups = [0u16; 8];
    let mut n = 0;
    let mut gap = None;
    let mut i = 0;
    if text.starts_with(b"::") {
        gap = Some(0);
        i = 2;
        if text.len() == 2 {
            return Some(Ipv6Addr::UNSPECIFIED);
        }
    }
    loop {
        let start = i;
        let mut value: u16 = 0;
        while i - start < 4
            && let Some(&b) = text.get(i)
        {
            let d = HEX[b as usize];
            if d == NOT_HEX {
                break;
            }
            value = value << 4 | u16::from(d);
            i += 1;
        }
        if i == start {
            return None;
        }
        *groups.get_mut(n)? = value;
        n += 1;
        match text.get(i) {
            None => break,
            Some(b':') => i += 1,
            // A fifth digit, an IPv4 dot, or anything else.
            Some(_) => return None,
        }
        if text.get(i) == Some(&b':') {
            if gap.is_some() {
                return None;
            }
            gap = Some(n);
            i += 1;
            if i == text.len() {
                break;
            }
        }
    }
    match gap {
        None if n == 8 => Some(Ipv6Addr::from(groups)),
        // `::` stands for at least one zero group.
        Some(g) if n < 8 => {
            let tail = n - g;
            groups.copy_within(g..n, 8 - tail);
            groups.get_mut(g..8 - tail)?.fill(0);
            Some(Ipv6Addr::from(groups))
        }
        _ => None,
    }
}

/// Every form, embedded IPv4 addresses included, and every error.
fn parse_general(text: &[u8]) -> Option<Ipv6Addr> {
    let mut head = [0u16; 8];
    let (head_len, head_v4, mut pos) = ipv6_groups(text, 0, &mut head);
    if head_len == 8 {
        return (pos == text.len()).then(|| Ipv6Addr::from(head));
    }
    if head_v4 || text.get(pos..pos + 2) != Some(b"::") {
        return None;
    }
    pos += 2;
    let mut tail = [0u16; 7];
    let limit = 7 - head_len;
    let (tail_len, _, end) = ipv6_groups(text, pos, tail.get_mut(..limit)?);
    if end != text.len() {
        return None;
    }
    let dst = head.get_mut(8 - tail_len..)?;
    dst.copy_from_slice(tail.get(..tail_len)?);
    Some(Ipv6Addr::from(head))
}

/// Reads `:`-separated hex groups (and a trailing embedded IPv4 address when two slots remain)
/// from `text[pos..]` into `groups`: how many, whether the last two came from IPv4, and the end.
fn ipv6_groups(text: &[u8], mut pos: usize, groups: &mut [u16]) -> (usize, bool, usize) {
    let limit = groups.len();
    for i in 0..limit {
        let start = if i > 0 {
            if text.get(pos) != Some(&b':') {
                return (i, false, pos);
            }
            pos + 1
        } else {
            pos
        };
        let mut value: u16 = 0;
        let mut at = start;
        let mut decimal = true;
        while let Some(&b) = text.get(at) {
            let Some(d) = hex_digit(b) else {
                break;
            };
            if at - start == 4 {
                // A fifth digit: neither a group nor (no dot within three digits) IPv4.
                return (i, false, pos);
            }
            decimal &= b.is_ascii_digit();
            value = value << 4 | d;
            at += 1;
        }
        let digits = at - start;
        // An embedded IPv4 address (tried first, as the standard library does, when two
        // slots remain) starts with 1 to 3 decimal digits and a dot.
        if i + 1 < limit
            && decimal
            && (1..=3).contains(&digits)
            && text.get(at) == Some(&b'.')
            && let Some((v4, end)) = ipv6_embedded_v4(text, start)
        {
            let [a, b, c, d] = v4;
            if let Some(pair) = groups.get_mut(i..i + 2) {
                pair.copy_from_slice(&[u16::from_be_bytes([a, b]), u16::from_be_bytes([c, d])]);
            }
            return (i + 2, true, end);
        }
        if digits == 0 {
            return (i, false, pos);
        }
        if let Some(slot) = groups.get_mut(i) {
            *slot = value;
        }
        pos = at;
    }
    (limit, false, pos)
}

/// The value of a hexadecimal digit, either case.
#[inline]
fn hex_digit(b: u8) -> Option<u16> {
    match b {
        b'0'..=b'9' => Some(u16::from(b - b'0')),
        b'a'..=b'f' => Some(u16::from(b - b'a' + 10)),
        b'A'..=b'F' => Some(u16::from(b - b'A' + 10)),
        _ => None,
    }
}

/// An IPv4 address in dotted-quad form at `text[pos..]` (no leading zeros), and its end.
fn ipv6_embedded_v4(text: &[u8], mut pos: usize) -> Option<([u8; 4], usize)> {
    let mut octets = [0u8; 4];
    for (n, octet) in octets.iter_mut().enumerate() {
        if n > 0 {
            if text.get(pos) != Some(&b'.') {
                return None;
            }
            pos += 1;
        }
        let first = pos;
        let mut value: u32 = 0;
        while let Some(&b) = text.get(pos).filter(|b| b.is_ascii_digit()) {
            value = value * 10 + u32::from(b - b'0');
            pos += 1;
            if pos - first > 3 {
                return None;
            }
        }
        let digits = pos - first;
        if digits == 0 || (digits > 1 && text.get(first) == Some(&b'0')) {
            return None;
        }
        *octet = u8::try_from(value).ok()?;
    }
    Some((octets, pos))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_table_matches_std() {
        let cases = [
            "2001:db8::1",
            "::",
            "::1",
            "1::",
            "1:2:3:4:5:6:7:8",
            "1:2:3:4:5:6:7::",
            "1:2:3:4:5:6::8",
            "::ffff:192.0.2.1",
            "1:2:3:4:5:6:1.2.3.4",
            "1:2:3:4:5:6:7:1.2.3.4",
            "::1.2.3.04",
            "::1.2.3.256",
            "1.2.3.4::",
            "1:::2",
            ":::",
            "12345::",
            "0001:0DB8::AbCd",
            "1:2:3:4:5:6:7:8:9",
            "1::2::3",
            "",
            ":1",
            "1:",
            "::1.2.3",
            "::1.2.3.4.5",
            "::0.0.0.0",
            "1:2:3:4:5:6:7::8",
            "::1:2:3:4:5:6:7",
            "1:2:3:4:5:6:7:",
            "1::2:",
            "::1:",
            "abcd:ABCD:0:0:0:0:0:ffff",
        ];
        for text in cases {
            assert_eq!(
                parse_ipv6(text.as_bytes()),
                text.parse::<Ipv6Addr>().ok(),
                "{text}"
            );
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(4_000))]

        #[test]
        fn ipv6_matches_std(text in "[0-9a-fA-F:.g]{0,45}") {
            proptest::prop_assert_eq!(parse_ipv6(text.as_bytes()), text.parse::<Ipv6Addr>().ok());
        }

        #[test]
        fn ipv6_shaped_matches_std(
            groups in proptest::collection::vec("[0-9a-f]{0,5}|[0-9]{1,3}(\\.[0-9]{1,3}){3}", 0..10),
        ) {
            let text = groups.join(":");
            proptest::prop_assert_eq!(parse_ipv6(text.as_bytes()), text.parse::<Ipv6Addr>().ok());
        }
    }
}
