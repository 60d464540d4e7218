//! `APOP` (RFC 1939 §7): the greeting's timestamp and the digest check.
//!
//! ```text
//! digest = lower-hex( MD5( timestamp || shared-secret ) )   ; timestamp brackets included
//! ```
//! APOP keeps the password off the wire but needs it in plaintext on the server, and MD5 is
//! broken: offer it only for old clients, and prefer SCRAM (RFC 5802/7677) over TLS.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use md5::{Digest as _, Md5};

/// A timestamp unique to this greeting: `<process.counter.nanoseconds@hostname>` (RFC 1939 §7
/// asks for a `msg-id` that differs on every banner).
pub fn timestamp(hostname: &str) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    format!("<{}.{n}.{nanos}@{hostname}>", std::process::id())
}

/// The digest a client computes from `timestamp` and `secret` (32 lower-case hex digits).
pub fn digest(timestamp: &str, secret: &str) -> String {
    let mut md5 = Md5::new();
    md5.update(timestamp.as_bytes());
    md5.update(secret.as_bytes());
    md5.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether `client_digest` is the digest of `timestamp` and `secret`; compared in time that
/// does not depend on where the digests differ.
pub fn verify(timestamp: &str, secret: &str, client_digest: &str) -> bool {
    let want = digest(timestamp, secret);
    want.len() == client_digest.len()
        && want
            .bytes()
            .zip(client_digest.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc1939_example() {
        // RFC 1939 §7: the shared secret "tanstaaf".
        let ts = "<1896.697170952@dbc.mtview.ca.us>";
        assert_eq!(digest(ts, "tanstaaf"), "c4c9334bac560ecc979e58001b3e22fb");
        assert!(verify(ts, "tanstaaf", "c4c9334bac560ecc979e58001b3e22fb"));
        assert!(!verify(ts, "tanstaaF", "c4c9334bac560ecc979e58001b3e22fb"));
        assert!(!verify(ts, "tanstaaf", "c4c9334bac560ecc979e58001b3e22f"));
    }

    #[test]
    fn timestamps_differ_and_parse() {
        let a = timestamp("pop.example.org");
        let b = timestamp("pop.example.org");
        assert_ne!(a, b);
        assert!(a.starts_with('<') && a.ends_with("@pop.example.org>"));
    }
}
