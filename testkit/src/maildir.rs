//! Deterministic Maildirs for benchmarks: [`message`] builds message `i` (2-20 KB, realistic
//! header fields, some multiparts, CRLF line ends), [`generate`] writes `n` of them into a
//! Maildir once (reused on the next run: the directory is complete when its marker file is
//! there), and [`link_copy`] makes a copy that shares the message files (hard links), so that
//! two servers can each start from the same Maildir without writing 1 GB twice.
//!
//! ```no_run
//! # fn demo() -> std::io::Result<()> {
//! let cache = std::path::Path::new("target/bench-maildir");
//! let src = testkit::maildir::generate(cache, 1000)?;
//! testkit::maildir::link_copy(&src, std::path::Path::new("/tmp/run/mail/alice"))?;
//! # Ok(()) }
//! ```
//!
//! File names follow Dovecot's Maildir convention, so both Dovecot and `mailstore` take the
//! size from the name: `cur/<secs>.M<i>P<pid>.bench,S=<octets>,W=<octets>:2,<flags>` (the
//! messages have CRLF line ends, so `S=` and `W=` agree); every third message is `\Seen`,
//! every tenth also `\Flagged`, every 25th `\Answered`.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// The file whose presence says a generated Maildir is complete.
const MARKER: &str = ".testkit-complete";

/// First names and domains the senders and recipients are drawn from.
const NAMES: [&str; 12] = [
    "Alice Martin",
    "Bob Dupont",
    "Chloé Bernard",
    "David Schmidt",
    "Eve Nakamura",
    "Frank Müller",
    "Grace O'Neil",
    "Hiro Tanaka",
    "Inès Laurent",
    "Jan Kowalski",
    "Kim Larsen",
    "Lena Rossi",
];
const DOMAINS: [&str; 5] = [
    "example.org",
    "example.com",
    "mail.example.net",
    "lists.example.org",
    "corp.example",
];
const TOPICS: [&str; 10] = [
    "Quarterly report",
    "Meeting notes",
    "Re: build failure on main",
    "Invoice 2026-11",
    "Holiday plans",
    "[dev] Patch review",
    "Fwd: conference schedule",
    "Lunch on Friday?",
    "Release checklist",
    "Re: Re: the new office",
];
/// Body text, one line at a time (74 octets each with CRLF).
const LINES: [&str; 4] = [
    "The quick brown fox jumps over the lazy dog, again and again and again.",
    "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod.",
    "Please find the figures below; the totals were checked twice this week.",
    "We will meet at ten in the small room on the second floor, as agreed ok.",
];

/// A xorshift step: the same sequence on every run.
fn next(seed: &mut u32) -> u32 {
    *seed ^= *seed << 13;
    *seed ^= *seed >> 17;
    *seed ^= *seed << 5;
    *seed
}

/// A person's address: display name (RFC 2047 encoded when not ASCII) and mailbox.
fn address(r: u32) -> String {
    let name = NAMES[r as usize % NAMES.len()];
    let domain = DOMAINS[(r as usize / NAMES.len()) % DOMAINS.len()];
    let local: String = name
        .split(' ')
        .next()
        .unwrap_or("user")
        .chars()
        .filter(char::is_ascii_alphabetic)
        .collect::<String>()
        .to_ascii_lowercase();
    if name.is_ascii() {
        format!("\"{name}\" <{local}@{domain}>")
    } else {
        // RFC 2047 Q encoding of the UTF-8 name.
        let mut q = String::new();
        for b in name.bytes() {
            match b {
                b' ' => q.push('_'),
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' => q.push(b as char),
                _ => {
                    let _ = write!(q, "={b:02X}");
                }
            }
        }
        format!("=?UTF-8?Q?{q}?= <{local}@{domain}>")
    }
}

/// Appends text lines to `m` until it is at least `size` octets long.
fn fill(m: &mut Vec<u8>, size: usize, r: u32) {
    let mut k = r as usize;
    while m.len() < size {
        m.extend_from_slice(LINES[k % LINES.len()].as_bytes());
        m.extend_from_slice(b"\r\n");
        k += 1;
    }
}

/// Message `i`: 2-20 KB (sizes from a fixed pseudo-random sequence), CRLF line ends, with
/// `Return-Path`, two `Received`, `From`, `To`, sometimes `Cc`, `Subject`, `Date`,
/// `Message-ID`, sometimes `In-Reply-To`/`References`, and MIME fields. Every fifth message is
/// `multipart/alternative` (text and HTML), every seventh `multipart/mixed` with a base64
/// attachment; the rest are `text/plain`.
pub fn message(i: usize) -> Vec<u8> {
    let mut seed = 0x9e37_79b9_u32 ^ (i as u32).wrapping_mul(0x85eb_ca6b);
    if seed == 0 {
        seed = 1;
    }
    let size = 2048 + next(&mut seed) as usize % (18 * 1024);
    let from = address(next(&mut seed));
    let to = address(next(&mut seed));
    let topic = TOPICS[next(&mut seed) as usize % TOPICS.len()];
    // A date in 2026, one message about every 5 minutes.
    let secs = 1_767_225_600 + i as u64 * 300;
    let day = secs / 86_400;
    let (hh, mm, ss) = ((secs / 3600) % 24, (secs / 60) % 60, secs % 60);
    let date = civil(day);
    let mut h = String::with_capacity(1024);
    let _ = write!(
        h,
        "Return-Path: <bounce-{i}@{domain}>\r\n\
         Received: from mx{r}.{domain} (mx{r}.{domain} [192.0.2.{r}])\r\n\
         \tby mail.example.org (Postfix) with ESMTPS id 4Q{i:X}\r\n\
         \tfor <me@example.org>; {date} {hh:02}:{mm:02}:{ss:02} +0000\r\n\
         Received: from [198.51.100.{r}] by mx{r}.{domain} with ESMTPSA; {date} {hh:02}:{mm:02}:{ss:02} +0000\r\n\
         From: {from}\r\n\
         To: {to}\r\n",
        domain = DOMAINS[i % DOMAINS.len()],
        r = i % 250 + 1,
    );
    if i.is_multiple_of(4) {
        let _ = write!(
            h,
            "Cc: {}, {}\r\n",
            address(next(&mut seed)),
            address(i as u32)
        );
    }
    let _ = write!(
        h,
        "Subject: {topic} #{i}\r\n\
         Date: {date} {hh:02}:{mm:02}:{ss:02} +0000\r\n\
         Message-ID: <{i}.{seed:08x}@bench.example.org>\r\n"
    );
    if i % 3 == 1 {
        let _ = write!(
            h,
            "In-Reply-To: <{p}.parent@bench.example.org>\r\n\
             References: <{q}.root@bench.example.org>\r\n <{p}.parent@bench.example.org>\r\n",
            p = i - 1,
            q = i / 10,
        );
    }
    h.push_str("MIME-Version: 1.0\r\n");
    let mut m = Vec::with_capacity(size + 512);
    if i % 7 == 3 {
        let b = format!("mixed-{i}-{seed:x}");
        let _ = write!(
            h,
            "Content-Type: multipart/mixed; boundary=\"{b}\"\r\n\r\n\
             This is a multi-part message in MIME format.\r\n\r\n--{b}\r\n\
             Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
        );
        m.extend_from_slice(h.as_bytes());
        let text_end = m.len() + 600;
        fill(&mut m, text_end, seed);
        let _ = write!(
            m,
            "\r\n--{b}\r\nContent-Type: application/pdf; name=\"report-{i}.pdf\"\r\n\
             Content-Disposition: attachment; filename=\"report-{i}.pdf\"\r\n\
             Content-Transfer-Encoding: base64\r\n\r\n"
        );
        let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        while m.len() + b.len() + 8 < size {
            let line: Vec<u8> = (0..76)
                .map(|_| alphabet[next(&mut seed) as usize % 64])
                .collect();
            m.extend_from_slice(&line);
            m.extend_from_slice(b"\r\n");
        }
        let _ = write!(m, "--{b}--\r\n");
    } else if i % 5 == 2 {
        let b = format!("alt-{i}-{seed:x}");
        let _ = write!(
            h,
            "Content-Type: multipart/alternative; boundary=\"{b}\"\r\n\r\n--{b}\r\n\
             Content-Type: text/plain; charset=us-ascii\r\n\r\n"
        );
        m.extend_from_slice(h.as_bytes());
        let half = m.len() + (size - m.len().min(size)) / 2;
        fill(&mut m, half, seed);
        let _ = write!(
            m,
            "\r\n--{b}\r\nContent-Type: text/html; charset=us-ascii\r\n\
             Content-Transfer-Encoding: quoted-printable\r\n\r\n<html><body>\r\n"
        );
        fill(&mut m, size.saturating_sub(b.len() + 24), seed + 1);
        let _ = write!(m, "</body></html>\r\n--{b}--\r\n");
    } else {
        h.push_str("Content-Type: text/plain; charset=utf-8; format=flowed\r\n");
        h.push_str("Content-Transfer-Encoding: 8bit\r\n\r\n");
        m.extend_from_slice(h.as_bytes());
        fill(&mut m, size, seed);
    }
    m
}

/// `Thu, 1 Jan 2026`-style date of day `days` since 1970-01-01 (RFC 5322 §3.3).
fn civil(days: u64) -> String {
    const WEEKDAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let weekday = WEEKDAYS[(days % 7) as usize];
    // Howard Hinnant's days-to-civil algorithm.
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{weekday}, {d} {} {y}", MONTHS[(m - 1) as usize])
}

/// The flags (Maildir info letters, sorted) of message `i`.
pub fn flags(i: usize) -> &'static str {
    match (
        i.is_multiple_of(3),
        i.is_multiple_of(10),
        i.is_multiple_of(25),
    ) {
        (_, true, true) => "FRS",
        (_, true, false) => "FS",
        (true, false, true) => "RS",
        (false, false, true) => "R",
        (true, false, false) => "S",
        (false, false, false) => "",
    }
}

/// The Maildir file name of message `i` of `len` octets.
fn file_name(i: usize, len: usize) -> String {
    format!(
        "{}.M{i}P1.bench,S={len},W={len}:2,{}",
        1_767_225_600 + i as u64 * 300,
        flags(i)
    )
}

/// Writes messages `0..n` into the Maildir `cache/maildir-<n>` (`cur/`, `new/`, `tmp/`), unless
/// a complete one is there already; returns its path. Written once, read by every run.
///
/// # Errors
/// Any I/O error writing the files.
pub fn generate(cache: &Path, n: usize) -> std::io::Result<PathBuf> {
    let dir = cache.join(format!("maildir-{n}"));
    if dir.join(MARKER).exists() {
        return Ok(dir);
    }
    if dir.exists() {
        std::fs::remove_dir_all(&dir)?;
    }
    for sub in ["cur", "new", "tmp"] {
        std::fs::create_dir_all(dir.join(sub))?;
    }
    let cur = dir.join("cur");
    for i in 0..n {
        let m = message(i);
        let path = cur.join(file_name(i, m.len()));
        let mut f = std::fs::File::create(&path)?;
        f.write_all(&m)?;
    }
    std::fs::write(dir.join(MARKER), format!("{n}\n"))?;
    Ok(dir)
}

/// Copies the Maildir `src` to `dst` (which must not exist): directories are created, message
/// files under `cur/` and `new/` are hard links (same file system), the rest is not copied
/// (neither side's index: each server builds its own).
///
/// # Errors
/// Any I/O error, e.g. `src` and `dst` on different file systems.
pub fn link_copy(src: &Path, dst: &Path) -> std::io::Result<()> {
    for sub in ["cur", "new", "tmp"] {
        std::fs::create_dir_all(dst.join(sub))?;
    }
    for sub in ["cur", "new"] {
        for e in std::fs::read_dir(src.join(sub))? {
            let e = e?;
            std::fs::hard_link(e.path(), dst.join(sub).join(e.file_name()))?;
        }
    }
    Ok(())
}

/// Copies messages `0..count` of the Maildir `src` made by [`generate`] into `dst` as hard
/// links: a smaller mailbox of the same messages.
///
/// # Errors
/// Any I/O error.
pub fn link_first(src: &Path, dst: &Path, count: usize) -> std::io::Result<()> {
    for sub in ["cur", "new", "tmp"] {
        std::fs::create_dir_all(dst.join(sub))?;
    }
    for e in std::fs::read_dir(src.join("cur"))? {
        let e = e?;
        let name = e.file_name();
        let index = name
            .to_str()
            .and_then(|s| s.split(".M").nth(1))
            .and_then(|s| s.split('P').next())
            .and_then(|s| s.parse::<usize>().ok());
        if index.is_some_and(|k| k < count) {
            std::fs::hard_link(e.path(), dst.join("cur").join(&name))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_deterministic_sized_and_parseable_shapes() {
        assert_eq!(message(5), message(5));
        let mut multipart = 0;
        for i in 0..200 {
            let m = message(i);
            assert!(
                (2048..=20 * 1024 + 1024).contains(&m.len()),
                "{i}: {}",
                m.len()
            );
            let text = String::from_utf8(m).expect("UTF-8");
            assert!(text.contains("\r\nSubject: "), "{i}");
            assert!(text.contains("\r\n\r\n"), "{i}: header ends");
            assert!(!text.replace("\r\n", "").contains('\n'), "{i}: bare LF");
            if text.contains("Content-Type: multipart/") {
                multipart += 1;
                let b = text
                    .split("boundary=\"")
                    .nth(1)
                    .and_then(|s| s.split('"').next())
                    .expect("boundary");
                assert!(text.contains(&format!("--{b}--\r\n")), "{i}: closed");
            }
        }
        assert!((50..=100).contains(&multipart), "{multipart} multiparts");
    }

    #[test]
    fn dates_are_civil() {
        assert_eq!(civil(0), "Thu, 1 Jan 1970");
        assert_eq!(civil(20_454), "Thu, 1 Jan 2026");
        assert_eq!(civil(20_513), "Sun, 1 Mar 2026");
    }

    #[test]
    fn generate_once_then_link() {
        let tmp = tempfile::tempdir().expect("temp dir");
        let src = generate(tmp.path(), 30).expect("generate");
        let names: Vec<String> = std::fs::read_dir(src.join("cur"))
            .expect("cur")
            .map(|e| e.expect("entry").file_name().into_string().expect("name"))
            .collect();
        assert_eq!(names.len(), 30);
        for name in &names {
            let len = std::fs::metadata(src.join("cur").join(name))
                .expect("stat")
                .len();
            assert!(name.contains(&format!(",S={len},W={len}:2,")), "{name}");
        }
        // A second call reuses the complete directory.
        let before = std::fs::metadata(src.join(MARKER))
            .expect("marker")
            .modified()
            .expect("mtime");
        assert_eq!(generate(tmp.path(), 30).expect("again"), src);
        let after = std::fs::metadata(src.join(MARKER))
            .expect("marker")
            .modified()
            .expect("mtime");
        assert_eq!(before, after);
        let copy = tmp.path().join("copy");
        link_copy(&src, &copy).expect("copy");
        assert_eq!(
            std::fs::read_dir(copy.join("cur")).expect("cur").count(),
            30
        );
        let small = tmp.path().join("small");
        link_first(&src, &small, 10).expect("first 10");
        assert_eq!(
            std::fs::read_dir(small.join("cur")).expect("cur").count(),
            10
        );
    }
}
