//! Maildir file names: unique base names and the `:2,` info flags.
//!
//! A file is `<base>` in `new/` or `<base>:2,<letters>` in `cur/`, letters in ASCII order:
//! `D` draft, `F` flagged, `P` passed, `R` replied (`\Answered`), `S` seen, `T` trashed
//! (`\Deleted`). Letters this crate does not model (`P`, Dovecot's keyword letters `a`-`z`) are
//! kept when the flags change. The base carries `,S=<bytes on disk>,W=<size with CRLF line
//! ends>` as Dovecot does (Dovecot's `maildir` docs: `1276528487.M364837P9451.kurkku,S=1355,W=1394:2,`),
//! so a message's sizes are known without a `stat` or a read: `W=` is its `RFC822.SIZE`
//! (RFC 9051 §7.5.2) and POP3 `LIST` size (RFC 1939 §5).

use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::types::{Flag, Flags};

/// The system flags and their info letters, in letter order.
const LETTERS: [(char, Flag); 5] = [
    ('D', Flag::Draft),
    ('F', Flag::Flagged),
    ('R', Flag::Answered),
    ('S', Flag::Seen),
    ('T', Flag::Deleted),
];

fn hostname() -> &'static str {
    static HOST: OnceLock<String> = OnceLock::new();
    HOST.get_or_init(|| {
        let raw = std::fs::read_to_string("/proc/sys/kernel/hostname")
            .unwrap_or_else(|_| "localhost".into());
        raw.trim()
            .replace('/', "\\057")
            .replace(':', "\\072")
            .replace(',', "\\054")
    })
}

/// A new unique base name for a message of `size` bytes (`time.M<usec>P<pid>Q<n>R<rand>.host,S=size`).
pub(crate) fn unique_base(size: u64) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let rand = getrandom::u64().unwrap_or(n.wrapping_mul(0x9e37_79b9_7f4a_7c15));
    format!(
        "{}.M{}P{}Q{}R{:016x}.{},S={}",
        now.as_secs(),
        now.subsec_micros(),
        std::process::id(),
        n,
        rand,
        hostname(),
        size
    )
}

/// A new unique base name for a delivered message: [`unique_base`] with `,W=<rfc822_size>`
/// (its size with CRLF line ends) after `,S=<size>`, as Dovecot names its files.
pub(crate) fn delivered_base(size: u64, rfc822_size: u64) -> String {
    format!("{},W={rfc822_size}", unique_base(size))
}

/// Splits a file name into its base and its info (the part after `:`), if any.
pub(crate) fn split(name: &str) -> (&str, Option<&str>) {
    match name.split_once(':') {
        Some((base, info)) => (base, Some(info)),
        None => (name, None),
    }
}

/// The system flags written in a file name's `2,` info.
pub(crate) fn flags_of(name: &str) -> Flags {
    let (_, info) = split(name);
    let Some(letters) = info.and_then(|i| i.strip_prefix("2,")) else {
        return Flags::new();
    };
    LETTERS
        .iter()
        .filter(|(c, _)| letters.contains(*c))
        .map(|(_, f)| f.clone())
        .collect()
}

/// The size given by `,S=<n>` in a base name (bytes on disk).
pub(crate) fn size_of(base: &str) -> Option<u64> {
    field_of(base, "S=")
}

/// The size given by `,W=<n>` in a base name (with CRLF line ends, `RFC822.SIZE`).
pub(crate) fn rfc822_size_of(base: &str) -> Option<u64> {
    field_of(base, "W=")
}

/// A numeric `,<key><n>` field of a base name (fields after the first comma).
fn field_of(base: &str, key: &str) -> Option<u64> {
    base.split(',')
        .skip(1)
        .find_map(|part| part.strip_prefix(key))
        .and_then(|n| n.parse().ok())
}

/// Dovecot's keyword letters: `dovecot-keywords` in the folder maps `a`, `b`, ... (line
/// `0 $Forwarded` is letter `a`) to keywords. Read, never written: keywords without a letter
/// live in this crate's index only.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct KeywordLetters(Vec<Option<String>>);

impl KeywordLetters {
    /// Reads `dir/dovecot-keywords` (empty if absent or unreadable).
    pub fn load(dir: &std::path::Path) -> KeywordLetters {
        let text = std::fs::read_to_string(dir.join("dovecot-keywords")).unwrap_or_default();
        KeywordLetters::parse(&text)
    }

    /// Parses the text of a `dovecot-keywords` file (lines `<n> <keyword>`, `n` below 26; other
    /// lines are skipped).
    pub fn parse(text: &str) -> KeywordLetters {
        let mut v: Vec<Option<String>> = Vec::new();
        for line in text.lines() {
            let Some((n, kw)) = line.split_once(' ') else {
                continue;
            };
            let (Ok(n), Some(Flag::Keyword(kw))) = (n.parse::<usize>(), Flag::parse(kw.trim()))
            else {
                continue;
            };
            if n < 26 {
                if v.len() <= n {
                    v.resize(n + 1, None);
                }
                v[n] = Some(kw);
            }
        }
        KeywordLetters(v)
    }

    fn keyword(&self, c: char) -> Option<&str> {
        let i = (c as usize).checked_sub('a' as usize)?;
        self.0.get(i)?.as_deref()
    }

    fn letter(&self, kw: &str) -> Option<char> {
        let i = self.0.iter().position(|k| k.as_deref() == Some(kw))?;
        char::from_u32('a' as u32 + i as u32)
    }

    /// The keywords whose letters a file name carries.
    pub fn keywords_of(&self, name: &str) -> Flags {
        let (_, info) = split(name);
        let Some(letters) = info.and_then(|i| i.strip_prefix("2,")) else {
            return Flags::new();
        };
        letters
            .chars()
            .filter_map(|c| self.keyword(c))
            .map(|k| Flag::Keyword(k.to_string()))
            .collect()
    }
}

/// The `cur/` file name for `base` with `flags`: system letters, the letters of keywords that
/// Dovecot has letters for, and the other letters of `old_name` this crate does not model.
pub(crate) fn cur_name(base: &str, flags: &Flags, old_name: &str, kw: &KeywordLetters) -> String {
    let mut letters: Vec<char> = LETTERS
        .iter()
        .filter(|(_, f)| flags.contains(f))
        .map(|(c, _)| *c)
        .collect();
    for f in flags {
        if let Flag::Keyword(k) = f
            && let Some(c) = kw.letter(k)
        {
            letters.push(c);
        }
    }
    if let Some(old) = split(old_name).1.and_then(|i| i.strip_prefix("2,")) {
        letters.extend(old.chars().filter(|c| {
            c.is_ascii_alphabetic()
                && !LETTERS.iter().any(|(l, _)| l == c)
                && kw.keyword(*c).is_none()
        }));
    }
    letters.sort_unstable();
    letters.dedup();
    let letters: String = letters.into_iter().collect();
    format!("{base}:2,{letters}")
}

/// Whether `flags` has any system flag (a file with one goes to `cur/`).
pub(crate) fn has_system_flags(flags: &Flags) -> bool {
    flags.iter().any(|f| !matches!(f, Flag::Keyword(_)))
}

/// Keywords of `flags` (kept in the index, not in file names).
pub(crate) fn keywords(flags: &Flags) -> Flags {
    flags
        .iter()
        .filter(|f| matches!(f, Flag::Keyword(_)))
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::flags;

    #[test]
    fn info_flags_table() {
        let table: &[(&str, &[Flag])] = &[
            ("123.abc", &[]),
            ("123.abc:2,", &[]),
            ("123.abc:2,S", &[Flag::Seen]),
            (
                "123.abc:2,DFPRST",
                &[
                    Flag::Seen,
                    Flag::Answered,
                    Flag::Flagged,
                    Flag::Deleted,
                    Flag::Draft,
                ],
            ),
            ("123.abc:2,Sab", &[Flag::Seen]),
            ("123.abc:1,S", &[]),
        ];
        for (name, expected) in table {
            assert_eq!(flags_of(name), flags(expected.iter().cloned()), "{name}");
        }
    }

    #[test]
    fn cur_name_keeps_other_letters() {
        let none = KeywordLetters::default();
        let f = flags([Flag::Seen, Flag::Flagged, Flag::Keyword("x".into())]);
        assert_eq!(cur_name("b", &f, "b:2,Pa", &none), "b:2,FPSa");
        assert_eq!(cur_name("b", &Flags::new(), "b", &none), "b:2,");
    }

    #[test]
    fn dovecot_keyword_letters() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(
            dir.path().join("dovecot-keywords"),
            "0 $Forwarded\n2 Junk\nbad\n",
        )
        .expect("write");
        let kw = KeywordLetters::load(dir.path());
        assert_eq!(
            kw.keywords_of("b:2,Sac"),
            flags([
                Flag::Keyword("$Forwarded".into()),
                Flag::Keyword("Junk".into())
            ])
        );
        // `a` is dropped with $Forwarded, `b` (unknown) kept, `c` added for Junk.
        let f = flags([Flag::Seen, Flag::Keyword("Junk".into())]);
        assert_eq!(cur_name("b", &f, "b:2,Sab", &kw), "b:2,Sbc");
    }

    #[test]
    fn unique_bases_differ_and_carry_size() {
        let a = unique_base(42);
        let b = unique_base(42);
        assert_ne!(a, b);
        assert_eq!(size_of(&a), Some(42));
        assert_eq!(rfc822_size_of(&a), None);
        assert!(!a.contains(':') && !a.contains('/'));
        let d = delivered_base(42, 45);
        assert_eq!((size_of(&d), rfc822_size_of(&d)), (Some(42), Some(45)));
    }

    #[test]
    fn sizes_from_names_of_other_programs() {
        let table: &[(&str, Option<u64>, Option<u64>)] = &[
            (
                "1276528487.M364837P9451.kurkku,S=1355,W=1394",
                Some(1355),
                Some(1394),
            ),
            (
                "1276528487.M364837P9451.kurkku,W=1394,S=1355",
                Some(1355),
                Some(1394),
            ),
            ("1276528487.M364837P9451.kurkku", None, None),
            ("1276528487.M1P2.host,S=x", None, None),
            // A host name part is not a field: `S=` only counts after a comma.
            ("1.M1P2.S=5", None, None),
        ];
        for (base, s, w) in table {
            assert_eq!((size_of(base), rfc822_size_of(base)), (*s, *w), "{base}");
        }
    }
}
