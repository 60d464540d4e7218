//! The benchmark corpus: message `i` is a pure function of `i`, so it is never held whole and
//! every run writes the same bytes.
//!
//! Sizes: 1–20 KB, and 100–200 KB for every hundredth message. Header as a delivered message
//! has it (`Return-Path`, `Received`, `From`, `To`, `Subject`, `Date`, `Message-ID`, MIME), then
//! text lines of 20–76 octets, all ending in CRLF; about one line in 16 starts with `.` (some
//! are a lone `.`, some `..`), which the server must stuff and the client un-stuff.

/// A small deterministic generator (SplitMix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `lo..=hi`.
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo + 1)
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        let k = usize::try_from(self.next() % items.len() as u64).unwrap_or(0);
        items.get(k).copied().unwrap_or("")
    }
}

const WORDS: [&str; 24] = [
    "mail",
    "server",
    "message",
    "the",
    "of",
    "and",
    "a",
    "to",
    "delivery",
    "queue",
    "retrieve",
    "maildrop",
    "octets",
    "lorem",
    "ipsum",
    "dolor",
    "benchmark",
    "throughput",
    "client",
    "session",
    "response",
    "line",
    "with",
    "Dovecot",
];

const DOT_LINES: [&str; 4] = [".", "..", ".signature follows", "...and so on"];

/// Message number `i` of the corpus (0-based), CRLF line endings throughout.
pub fn message(i: u64) -> Vec<u8> {
    let mut rng = Rng(i.wrapping_mul(0x2545_F491_4F6C_DD1D) ^ 0x5EED);
    let target = if i % 100 == 37 {
        rng.range(100_000, 200_000)
    } else {
        rng.range(1_000, 20_000)
    };
    let target = usize::try_from(target).unwrap_or(20_000);
    let mut m = format!(
        "Return-Path: <sender{s}@example.org>\r\n\
         Received: from mx.example.org (mx.example.org [192.0.2.1])\r\n\
         \tby mail.example.net with ESMTPS id B{i:08X}; Sun, 22 Nov 2026 10:00:00 +0000\r\n\
         From: Sender {s} <sender{s}@example.org>\r\n\
         To: Bench User <bench@example.net>\r\n\
         Subject: Benchmark message {i}\r\n\
         Date: Sun, 22 Nov 2026 10:00:00 +0000\r\n\
         Message-ID: <{i}.bench@example.org>\r\n\
         MIME-Version: 1.0\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\
         \r\n",
        s = i % 97
    )
    .into_bytes();
    m.reserve(target.saturating_sub(m.len()) + 80);
    while m.len() < target {
        if rng.next().is_multiple_of(16) {
            m.extend_from_slice(rng.pick(&DOT_LINES).as_bytes());
        } else {
            let len = usize::try_from(rng.range(20, 76)).unwrap_or(60);
            let start = m.len();
            while m.len() - start < len {
                if m.len() > start {
                    m.push(b' ');
                }
                m.extend_from_slice(rng.pick(&WORDS).as_bytes());
            }
        }
        m.extend_from_slice(b"\r\n");
    }
    m
}
