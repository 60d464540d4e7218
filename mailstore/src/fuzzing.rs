//! Entry points for the fuzz targets in `mailstore/fuzz` (cargo feature `fuzzing`; not a stable
//! API). Each takes arbitrary bytes, runs one parser of files that other programs write (or that
//! a crash may leave torn), and panics when an invariant does not hold:
//!
//! - [`mbox_scan`]: the mbox scanner (`mbox/scan.rs`) on a file mutt, Dovecot or procmail wrote;
//! - [`mbox_journal`]: the append journal (`mbox/journal.rs`) and the index's message location;
//! - [`maildir_name`]: Maildir file names (`,S=`/`,W=` sizes, `:2,` flags) and Dovecot's
//!   `dovecot-keywords` letters (`maildir/filename.rs`).

use crate::maildir::filename::{
    KeywordLetters, cur_name, delivered_base, flags_of, rfc822_size_of, size_of, split,
};
use crate::mbox::format::{Quoter, is_separator, parse_from_line_date};
use crate::mbox::journal::Intent;
use crate::mbox::scan::{Loc, scan_reader};
use crate::size::rfc822_size;
use crate::types::{Flag, Flags};

/// The latest date whose asctime year still has four digits (9999-12-31T23:59:59Z).
const LAST_4_DIGIT_YEAR: u64 = 253_402_300_799;

/// Scans `data` as an mbox file. Checks: messages in file order, each starting at a separator
/// line and ending before the next; one message per separator line; no separator inside a
/// message; the sizes are those of the message as reading returns it (un-quoted, and with CRLF
/// line ends for `RFC822.SIZE`); the location survives the index's text form; scanning from any
/// message's `From ` line finds the same messages from there on.
pub fn mbox_scan(data: &[u8]) {
    let msgs = scan_reader(data, 0).expect("reading a slice cannot fail");
    let len = data.len() as u64;
    let separators = data
        .split_inclusive(|&b| b == b'\n')
        .filter(|line| is_separator(line))
        .count();
    assert_eq!(msgs.len(), separators, "one message per separator line");
    let mut prev_end = 0;
    for m in &msgs {
        let loc = m.loc;
        assert!(
            prev_end <= loc.from && loc.from < loc.body,
            "{loc:?} after {prev_end}"
        );
        assert!(loc.body + loc.raw <= len, "{loc:?} past the end {len}");
        prev_end = loc.body + loc.raw;
        let (from, body, end) = (loc.from as usize, loc.body as usize, prev_end as usize);
        let separator = &data[from..body];
        assert!(is_separator(separator), "message not at a separator");
        assert_eq!(
            m.idate,
            parse_from_line_date(separator.trim_ascii_end()).unwrap_or(0)
        );
        let raw = &data[body..end];
        assert!(
            !raw.split_inclusive(|&b| b == b'\n').any(is_separator),
            "a separator inside a message"
        );
        let mut unquoted = Vec::new();
        let mut quoter = Quoter::new(true);
        quoter.feed(raw, &mut unquoted);
        quoter.finish(&mut unquoted);
        assert_eq!(m.len, unquoted.len() as u64, "length as read");
        assert_eq!(m.size(false), rfc822_size(&unquoted), "RFC822.SIZE");
        assert!(m.size(true) <= m.size(false));
        assert_eq!(Loc::parse(&loc.format()), Some(loc), "index form");
    }
    for (i, m) in msgs.iter().enumerate().take(8) {
        let from = m.loc.from;
        let tail = scan_reader(&data[from as usize..], from).expect("reading a slice");
        assert_eq!(
            format!("{tail:?}"),
            format!("{:?}", &msgs[i..]),
            "scan from {from}"
        );
    }
}

/// Reads `data` as an append journal and as an index location. Checks: a journal that parses
/// encodes to a journal that parses back to the same intent; its planned `From ` lines are
/// separators that carry the recorded date; the range a recovery cuts lies within the append,
/// the file and before a foreign message; a location that parses survives formatting.
pub fn mbox_journal(data: &[u8]) {
    if let Some(intent) = Intent::decode(data) {
        assert_eq!(
            Intent::decode(intent.encode().as_bytes()),
            Some(intent.clone())
        );
        assert_eq!(intent.froms.len(), intent.dates.len());
        for (&at, &date) in intent.froms.iter().zip(&intent.dates) {
            let line = intent
                .planned_line(at)
                .expect("a planned offset has a line");
            if date <= LAST_4_DIGIT_YEAR {
                assert!(is_separator(line.as_bytes()), "planned line {line:?}");
                assert_eq!(
                    parse_from_line_date(line.trim_end().as_bytes()),
                    Some(date),
                    "{line:?}"
                );
            }
        }
        let lens = [
            0,
            intent.start,
            intent.end,
            intent.start.saturating_add(1),
            u64::MAX,
        ];
        let foreigns = [
            None,
            Some(0),
            Some(intent.start),
            intent.froms.last().copied(),
        ];
        for len in lens {
            for foreign in foreigns {
                if let Some(cut) = intent.torn_range(len, foreign) {
                    assert_eq!(cut.start, intent.start);
                    assert!(cut.start < cut.end && cut.end <= len && cut.end <= intent.end);
                    assert!(foreign.is_none_or(|f| cut.end <= f));
                }
            }
        }
    }
    if let Ok(text) = std::str::from_utf8(data)
        && let Some(loc) = Loc::parse(text)
    {
        assert_eq!(Loc::parse(&loc.format()), Some(loc));
    }
}

/// Reads `data` as a Maildir file name with a `dovecot-keywords` file: byte 0 is the length of
/// the keywords text, which follows; the rest is the name. Checks: the base has no info; the
/// `cur/` name written for the flags read keeps the base, the system flags, the keywords and
/// is stable when written again; a name written without flags reads none; `S=`/`W=` sizes
/// written into a new base read back.
pub fn maildir_name(data: &[u8]) {
    let Some((&n, rest)) = data.split_first() else {
        return;
    };
    let (kw_text, name) = rest.split_at(usize::from(n).min(rest.len()));
    let (Ok(kw_text), Ok(name)) = (std::str::from_utf8(kw_text), std::str::from_utf8(name)) else {
        return;
    };
    let kw = KeywordLetters::parse(kw_text);
    let (base, _) = split(name);
    assert!(!base.contains(':'));
    let system = flags_of(name);
    assert!(system.iter().all(|f| !matches!(f, Flag::Keyword(_))));
    let keywords = kw.keywords_of(name);
    assert!(keywords.iter().all(|f| matches!(f, Flag::Keyword(_))));
    let all: Flags = system.union(&keywords).cloned().collect();

    let written = cur_name(base, &all, name, &kw);
    assert_eq!(split(&written).0, base, "{written:?}");
    assert_eq!(flags_of(&written), system, "{written:?}");
    assert_eq!(kw.keywords_of(&written), keywords, "{written:?}");
    assert_eq!(cur_name(base, &all, &written, &kw), written, "not stable");
    let info = split(&written).1.and_then(|i| i.strip_prefix("2,"));
    let letters: Vec<char> = info.expect("cur names carry 2,").chars().collect();
    assert!(letters.windows(2).all(|w| w[0] < w[1]), "{written:?}");

    let cleared = cur_name(base, &Flags::new(), name, &kw);
    assert!(flags_of(&cleared).is_empty() && kw.keywords_of(&cleared).is_empty());

    let (s, w) = (size_of(base), rfc822_size_of(base));
    let (s, w) = (s.unwrap_or(name.len() as u64), w.unwrap_or(u64::MAX - 1));
    let fresh = delivered_base(s, w);
    assert_eq!(
        (size_of(&fresh), rfc822_size_of(&fresh)),
        (Some(s), Some(w))
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mbox_scan_holds_on_foreign_mboxes() {
        mbox_scan(b"");
        mbox_scan(b"preamble\nFrom a@b Sun Nov 22 21:03:34 2026\nSubject: x\n\n>From here\nbody\n\nFrom c@d Mon Nov 23 01:02:03 2026\r\nStatus: RO\r\n\r\nlast");
        mbox_scan(b"From a Sun Nov 22 21:03 +0100 2026\n\n\n\nFrom here on\n>>From x\n");
    }

    #[test]
    fn mbox_journal_holds_on_journals_and_locations() {
        mbox_journal(b"P 10 200 10:1764000000,120:1764000001\n");
        mbox_journal(b"P 0 0 \n");
        mbox_journal(b"P 5 9 5:99999999999999\n");
        mbox_journal(b"10:20:30:1:ff");
    }

    #[test]
    fn maildir_name_holds_on_dovecot_names() {
        let kw = b"0 $Forwarded\n2 Work\n";
        let mut data = vec![kw.len() as u8];
        data.extend_from_slice(kw);
        data.extend_from_slice(b"1276528487.M364837P9451.kurkku,S=1355,W=1394:2,FRSacz");
        maildir_name(&data);
        maildir_name(b"\x00new-name-without-info");
        maildir_name(b"\x00x:1,odd");
    }
}
