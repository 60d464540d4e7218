//! Modified UTF-7 for mailbox names (RFC 3501 §5.1.3; RFC 9051 §5.1.3 keeps it for IMAP4rev1
//! clients): printable US-ASCII stands for itself except `&`, written `&-`; other characters are
//! UTF-16BE in a modified BASE64 (`,` instead of `/`, no padding) between `&` and `-`.

use std::borrow::Cow;

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";

fn value(b: u8) -> Option<u32> {
    Some(match b {
        b'A'..=b'Z' => b - b'A',
        b'a'..=b'z' => b - b'a' + 26,
        b'0'..=b'9' => b - b'0' + 52,
        b'+' => 62,
        b',' => 63,
        _ => return None,
    } as u32)
}

/// Encode a Unicode mailbox name. Borrowed when nothing needs encoding.
pub fn encode(name: &str) -> Cow<'_, str> {
    if name.bytes().all(|b| (0x20..0x7f).contains(&b) && b != b'&') {
        return Cow::Borrowed(name);
    }
    let mut out = String::with_capacity(name.len() * 2);
    let mut pending: Vec<u16> = Vec::new();
    let flush = |out: &mut String, pending: &mut Vec<u16>| {
        if pending.is_empty() {
            return;
        }
        out.push('&');
        let mut bits: u32 = 0;
        let mut nbits = 0;
        for unit in pending.drain(..) {
            for byte in unit.to_be_bytes() {
                bits = (bits << 8) | u32::from(byte);
                nbits += 8;
                while nbits >= 6 {
                    nbits -= 6;
                    out.push(ALPHABET[((bits >> nbits) & 63) as usize] as char);
                }
            }
        }
        if nbits > 0 {
            out.push(ALPHABET[((bits << (6 - nbits)) & 63) as usize] as char);
        }
        out.push('-');
    };
    for ch in name.chars() {
        if (' '..='~').contains(&ch) {
            flush(&mut out, &mut pending);
            if ch == '&' {
                out.push_str("&-");
            } else {
                out.push(ch);
            }
        } else {
            let mut buf = [0u16; 2];
            pending.extend_from_slice(ch.encode_utf16(&mut buf));
        }
    }
    flush(&mut out, &mut pending);
    Cow::Owned(out)
}

/// Decode a modified UTF-7 mailbox name; `None` if it is not valid modified UTF-7 (8-bit
/// octets, a `&` without its `-`, a bad BASE64 run, broken UTF-16, or an encoded run of
/// printable ASCII, which RFC 3501 forbids).
pub fn decode(wire: &[u8]) -> Option<Cow<'_, str>> {
    if !wire.contains(&b'&') {
        return if wire.iter().all(|&b| (0x20..0x7f).contains(&b)) {
            // All printable ASCII: valid UTF-8.
            std::str::from_utf8(wire).ok().map(Cow::Borrowed)
        } else {
            None
        };
    }
    let mut out = String::with_capacity(wire.len());
    let mut i = 0;
    while i < wire.len() {
        let b = wire[i];
        if !(0x20..0x7f).contains(&b) {
            return None;
        }
        if b != b'&' {
            out.push(b as char);
            i += 1;
            continue;
        }
        let end = i + 1 + wire[i + 1..].iter().position(|&b| b == b'-')?;
        let run = &wire[i + 1..end];
        if run.is_empty() {
            out.push('&');
        } else {
            let mut units = Vec::with_capacity(run.len() * 6 / 16);
            let mut bits: u32 = 0;
            let mut nbits = 0;
            for &c in run {
                bits = (bits << 6) | value(c)?;
                nbits += 6;
                if nbits >= 16 {
                    nbits -= 16;
                    units.push(((bits >> nbits) & 0xffff) as u16);
                }
            }
            // Leftover bits must be fewer than 6 and zero.
            if nbits >= 6 || bits & ((1 << nbits) - 1) != 0 || units.is_empty() {
                return None;
            }
            let s = String::from_utf16(&units).ok()?;
            if s.chars().any(|c| (' '..='~').contains(&c)) {
                return None;
            }
            out.push_str(&s);
        }
        i = end + 1;
    }
    Some(Cow::Owned(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3501_examples() {
        assert_eq!(
            decode(b"~peter/mail/&U,BTFw-/&ZeVnLIqe-").unwrap(),
            "~peter/mail/台北/日本語"
        );
        assert_eq!(
            encode("~peter/mail/台北/日本語"),
            "~peter/mail/&U,BTFw-/&ZeVnLIqe-"
        );
        assert_eq!(encode("Tom & Jerry"), "Tom &- Jerry");
        assert_eq!(decode(b"Tom &- Jerry").unwrap(), "Tom & Jerry");
        assert_eq!(encode("Entwürfe"), "Entw&APw-rfe");
        assert_eq!(decode(b"Entw&APw-rfe").unwrap(), "Entwürfe");
    }

    #[test]
    fn invalid_forms() {
        assert!(decode(b"Tom & Jerry").is_none());
        assert!(decode("Entwürfe".as_bytes()).is_none());
        assert!(decode(b"&AGE-").is_none(), "encoded printable ASCII");
        assert!(decode(b"&!!-").is_none());
    }

    #[test]
    fn round_trips_astral_plane() {
        let name = "Mail/😀 Fun";
        assert_eq!(decode(encode(name).as_bytes()).unwrap(), name);
    }
}
