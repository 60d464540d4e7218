//! The mboxrd format: `From ` separator lines, `>From ` quoting, message boundaries, the
//! asctime dates of separator lines, and mutt's `Status:`/`X-Status:` flag headers.
//!
//! ```text
//! mbox    = *message
//! message = "From " sender SP asctime LF quoted-body LF      ; blank line ends a message
//! quoting : a body line matching  >*From   gets one more ">"  (reading removes one)
//! ```
//!
//! Reading, a line is a separator only if it has a date after the sender (as mutt's
//! `is_from`): mutt and other mboxcl writers leave body lines such as `From here on` unquoted
//! and rely on `Content-Length:`, which this crate does not use.

use crate::types::{Flag, Flags};

/// Streams `>From ` quoting (or un-quoting) over chunks of one message, in constant memory
/// (a line start is held back only as a count of `>` and how much of `From ` matched).
#[derive(Debug)]
pub(crate) struct Quoter {
    unquote: bool,
    at_line_start: bool,
    gts: usize,
    matched: usize,
}

const FROM: &[u8; 5] = b"From ";

impl Quoter {
    /// A quoter (`unquote = false`, for writing) or un-quoter (for reading).
    pub fn new(unquote: bool) -> Quoter {
        Quoter {
            unquote,
            at_line_start: true,
            gts: 0,
            matched: 0,
        }
    }

    fn flush(&mut self, out: &mut Vec<u8>) {
        out.extend(std::iter::repeat_n(b'>', self.gts));
        out.extend_from_slice(&FROM[..self.matched]);
        self.gts = 0;
        self.matched = 0;
    }

    /// Processes `input`, appending the result to `out`.
    pub fn feed(&mut self, input: &[u8], out: &mut Vec<u8>) {
        for &b in input {
            if !self.at_line_start {
                out.push(b);
                self.at_line_start = b == b'\n';
                continue;
            }
            if self.matched == 0 && b == b'>' {
                self.gts += 1;
            } else if FROM.get(self.matched) == Some(&b) {
                self.matched += 1;
                if self.matched == FROM.len() {
                    if !self.unquote {
                        self.gts += 1;
                    } else {
                        self.gts = self.gts.saturating_sub(1);
                    }
                    self.flush(out);
                    self.at_line_start = false;
                }
            } else {
                self.flush(out);
                out.push(b);
                self.at_line_start = b == b'\n';
            }
        }
    }

    /// Flushes what is held back at the end of the message.
    pub fn finish(&mut self, out: &mut Vec<u8>) {
        self.flush(out);
    }
}

/// Whether writing quotes `line` (it matches `>*From `), adding one `>`.
pub(crate) fn needs_quoting(line: &[u8]) -> bool {
    let gts = line.iter().take_while(|&&b| b == b'>').count();
    line[gts..].starts_with(FROM)
}

/// Whether a stored line is a quoted `From ` line (`>+From `) that reading un-quotes.
pub(crate) fn is_quoted_from(line: &[u8]) -> bool {
    let gts = line.iter().take_while(|&&b| b == b'>').count();
    gts >= 1 && line[gts..].starts_with(FROM)
}

/// FNV-1a, for the content key that re-identifies messages after another program rewrote the file.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fnv(pub u64);

impl Fnv {
    pub fn new() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
    pub fn update(&mut self, data: &[u8]) {
        for &b in data {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }
}

/// Header lines that other mbox programs add or rewrite; left out of the content key.
pub(crate) fn is_volatile_header(line: &[u8]) -> bool {
    let names: [&[u8]; 6] = [
        b"status:",
        b"x-status:",
        b"x-uid:",
        b"x-keywords:",
        b"content-length:",
        b"lines:",
    ];
    names
        .iter()
        .any(|n| line.len() >= n.len() && line[..n.len()].eq_ignore_ascii_case(n))
}

/// Flags from mutt's `Status:` (`R` read) and `X-Status:` (`A` answered, `F` flagged, `T` draft,
/// `D` deleted) header lines.
pub(crate) fn flags_from_header(line: &[u8], flags: &mut Flags) {
    let lower = line.to_ascii_lowercase();
    if let Some(v) = lower.strip_prefix(b"status:") {
        if v.contains(&b'r') {
            flags.insert(Flag::Seen);
        }
    } else if let Some(v) = lower.strip_prefix(b"x-status:") {
        for (c, f) in [
            (b'a', Flag::Answered),
            (b'f', Flag::Flagged),
            (b't', Flag::Draft),
            (b'd', Flag::Deleted),
        ] {
            if v.contains(&c) {
                flags.insert(f);
            }
        }
    }
}

const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// Days since 1970-01-01 to (year, month 1-12, day) in the proleptic Gregorian calendar.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// (year, month, day) to days since 1970-01-01.
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The asctime form of a separator line's date (`Sun Nov 22 21:03:34 2026`), UTC.
pub(crate) fn asctime(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let (y, m, d) = civil_from_days(days);
    format!(
        "{} {} {:2} {:02}:{:02}:{:02} {}",
        DAYS[days.rem_euclid(7) as usize],
        MONTHS[(m as usize).saturating_sub(1) % 12],
        d,
        rem / 3600,
        rem / 60 % 60,
        rem % 60,
        y
    )
}

/// Parses the date of a separator line (`From sender Sun Nov 22 21:03:34 2026`), as UTC.
///
/// The date is found after the sender as `Mon DD HH:MM[:SS]`, then the year, either next or
/// after one time-zone token (`... 21:03:34 +0100 2026`, `... 21:03:34 2026 +0100`).
pub(crate) fn parse_from_line_date(line: &[u8]) -> Option<u64> {
    let text = std::str::from_utf8(line).ok()?;
    let toks: Vec<&str> = text.split_whitespace().collect();
    // toks[0] is "From", toks[1] the sender: the month comes after them.
    (2..toks.len()).find_map(|i| date_at(toks.get(i..)?))
}

/// `Mon DD HH:MM[:SS] [zone] YYYY` at the start of `toks`, in seconds since the epoch.
fn date_at(toks: &[&str]) -> Option<u64> {
    let first = *toks.first()?;
    let month = MONTHS.iter().position(|m| *m == first)? as u32 + 1;
    let day: u32 = toks.get(1)?.parse().ok().filter(|d| (1..=31).contains(d))?;
    let time: Vec<u64> = toks
        .get(2)?
        .split(':')
        .map(|t| t.parse().ok())
        .collect::<Option<_>>()?;
    if !(2..=3).contains(&time.len()) {
        return None;
    }
    let year: i64 = toks
        .iter()
        .skip(3)
        .take(2)
        .find(|t| t.len() == 4 && t.bytes().all(|b| b.is_ascii_digit()))?
        .parse()
        .ok()?;
    let (h, mi, s) = (time.first()?, time.get(1)?, time.get(2).unwrap_or(&0));
    let days = days_from_civil(year, month, day);
    // Checked: another program's separator may carry any number (`211111111111111111:03`);
    // one that overflows is not a date.
    let secs = [(*h, 3600), (*mi, 60), (*s, 1)]
        .into_iter()
        .try_fold(days.checked_mul(86_400)?, |acc, (v, unit)| {
            acc.checked_add(i64::try_from(v).ok()?.checked_mul(unit)?)
        })?;
    u64::try_from(secs).ok()
}

/// Whether a stored line starts a message: `From `, a sender and a date (as mutt's `is_from`).
/// A body line such as `From here on` that another program (mutt) wrote without quoting is not
/// a separator.
pub(crate) fn is_separator(line: &[u8]) -> bool {
    line.starts_with(FROM) && parse_from_line_date(line.trim_ascii_end()).is_some()
}

/// The sender this crate writes on separator lines. It identifies nothing: other programs copy
/// messages with their `From ` line (mutt does), so a torn append is found through the append
/// journal, never through this sender.
pub(crate) const OUR_SENDER: &str = "mailstore@localhost";

/// The separator line for a message delivered at `secs`.
pub(crate) fn from_line(secs: u64) -> String {
    format!("From {OUR_SENDER} {}\n", asctime(secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(unquote: bool, input: &[u8], split: usize) -> Vec<u8> {
        let mut q = Quoter::new(unquote);
        let mut out = Vec::new();
        for chunk in input.chunks(split.max(1)) {
            q.feed(chunk, &mut out);
        }
        q.finish(&mut out);
        out
    }

    #[test]
    fn quoting_table() {
        let table: &[(&[u8], &[u8])] = &[
            (b"From x\n", b">From x\n"),
            (b"a\nFrom x\n", b"a\n>From x\n"),
            (b"a\n>From x\n", b"a\n>>From x\n"),
            (b">>From x", b">>>From x"),
            (b"Fro\nFrom", b"Fro\nFrom"),
            (b" From x\n", b" From x\n"),
            (b">F\n>Fromx\n", b">F\n>Fromx\n"),
            (b"", b""),
        ];
        for (plain, quoted) in table {
            for split in [1, 2, 3, 100] {
                assert_eq!(
                    run(false, plain, split),
                    quoted.to_vec(),
                    "{plain:?} /{split}"
                );
                assert_eq!(
                    run(true, quoted, split),
                    plain.to_vec(),
                    "{quoted:?} /{split}"
                );
            }
        }
    }

    /// Found by `mailstore/fuzz` (`mbox_scan`): an hour field of 18 digits overflowed the
    /// seconds count (a panic with overflow checks, a wrong date without).
    #[test]
    fn separator_with_an_absurd_time_is_no_date() {
        for line in [
            &b"From a@b Sun Oct 22 211111111111111111:03:3400 2026"[..],
            b"From a@b Sun Oct 22 21:9223372036854775807 2026",
            b"From a@b Sun Oct 22 21:03:18446744073709551615 2026",
        ] {
            assert_eq!(parse_from_line_date(line), None, "{line:?}");
            assert!(!is_separator(line));
        }
        assert_eq!(
            parse_from_line_date(b"From a@b Sun Oct 22 99:00 1970"),
            Some((294 * 86_400) + 99 * 3600),
            "out-of-range but small fields still count as before"
        );
    }

    #[test]
    fn dates_round_trip() {
        assert_eq!(asctime(0), "Thu Jan  1 00:00:00 1970");
        assert_eq!(asctime(1_795_381_392), "Sun Nov 22 21:03:12 2026");
        for secs in [0, 951_782_400, 1_700_000_000, 4_102_444_799] {
            let line = format!("From x {}", asctime(secs));
            assert_eq!(parse_from_line_date(line.as_bytes()), Some(secs));
        }
        assert_eq!(parse_from_line_date(b"From x garbage"), None);
        let table: &[(&[u8], Option<u64>)] = &[
            (b"From a@b Thu Jan  1 00:01:00 1970", Some(60)),
            (b"From a@b Thu Jan 1 00:01 1970", Some(60)),
            (b"From a@b Thu Jan  1 00:00:01 +0000 1970", Some(1)),
            (b"From a@b Thu Jan  1 00:00:01 1970 -0700", Some(1)),
            (b"From here on, a line an mbox must quote", None),
            (b"From a@b Thu Jan 32 00:00:01 1970", None),
            (b"From a@b Thu Jan 1 00:00:01:02 1970", None),
            (b"From Jan 1 00:00:01", None),
        ];
        for (line, want) in table {
            assert_eq!(parse_from_line_date(line), *want, "{line:?}");
            assert_eq!(is_separator(line), want.is_some(), "{line:?}");
        }
    }

    #[test]
    fn mutt_flag_headers() {
        let mut f = Flags::new();
        flags_from_header(b"Status: RO", &mut f);
        flags_from_header(b"X-Status: AF", &mut f);
        assert_eq!(f, crate::flags([Flag::Seen, Flag::Answered, Flag::Flagged]));
        assert!(is_volatile_header(b"Status: O") && !is_volatile_header(b"Subject: x"));
    }

    proptest::proptest! {
        #[test]
        fn quoted_length_counted_by_lines(
            lines in proptest::collection::vec("(>{0,3}(From )?[a-z >]{0,6}|From|>|)", 0..12),
            tail in proptest::bool::ANY,
        ) {
            let mut plain = lines.join("\n").into_bytes();
            if tail {
                plain.push(b'\n');
            }
            let counted: usize = plain
                .split_inclusive(|&b| b == b'\n')
                .map(|l| l.len() + usize::from(needs_quoting(l)))
                .sum();
            proptest::prop_assert_eq!(counted, run(false, &plain, 3).len());
        }

        #[test]
        fn quote_unquote_round_trip(
            lines in proptest::collection::vec("(>{0,3}(From )?[a-z >]{0,6}|From|>|)", 0..12),
            crlf in proptest::bool::ANY,
            split in 1usize..9,
        ) {
            let sep = if crlf { "\r\n" } else { "\n" };
            let plain = lines.join(sep).into_bytes();
            let quoted = run(false, &plain, split);
            // No stored line may start a new message.
            proptest::prop_assert!(!quoted.split(|&b| b == b'\n').any(|l| l.starts_with(b"From ")));
            proptest::prop_assert_eq!(run(true, &quoted, split), plain);
        }
    }
}
