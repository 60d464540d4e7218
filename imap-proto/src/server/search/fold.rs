//! Case folding: SEARCH strings are matched as case-insensitive substrings (RFC 9051 §6.4.4),
//! SORT and THREAD compare case-insensitively (RFC 5256 §2.1, §3; RFC 5255 i;unicode-casemap).
//!
//! SEARCH folds both sides to Unicode lower case; SORT keys fold to upper case, as
//! `i;ascii-casemap` does for ASCII (so `_` sorts after letters, as in Dovecot), with the Unicode
//! upper-case mapping beyond ASCII. Neither applies a Unicode normalisation form.

use memchr::memmem;

/// Appends `s` folded to lower case (Unicode) to `out`; ASCII takes a fast path.
pub(crate) fn fold_lower_into(s: &str, out: &mut String) {
    if s.is_ascii() {
        let start = out.len();
        out.push_str(s);
        out[start..].make_ascii_lowercase();
        return;
    }
    for ch in s.chars() {
        if ch.is_ascii() {
            out.push(ch.to_ascii_lowercase());
        } else {
            out.extend(ch.to_lowercase());
        }
    }
}

/// `s` folded to upper case (Unicode), the form SORT and THREAD compare.
pub(crate) fn fold_upper(s: &str) -> String {
    if s.is_ascii() {
        return s.to_ascii_uppercase();
    }
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        if ch.is_ascii() {
            out.push(ch.to_ascii_uppercase());
        } else {
            out.extend(ch.to_uppercase());
        }
    }
    out
}

/// A SEARCH string, folded once, with its substring finder.
#[derive(Debug, Clone)]
pub(crate) struct Needle {
    finder: memmem::Finder<'static>,
}

impl Needle {
    /// The needle for `s`.
    pub(crate) fn new(s: &str) -> Self {
        let mut folded = String::with_capacity(s.len());
        fold_lower_into(s, &mut folded);
        Needle {
            finder: memmem::Finder::new(folded.as_bytes()).into_owned(),
        }
    }

    /// Whether the needle is the empty string (which every text contains).
    pub(crate) fn is_empty(&self) -> bool {
        self.finder.needle().is_empty()
    }

    /// Whether `folded` (already folded with [`fold_lower_into`]) contains the needle.
    pub(crate) fn in_folded(&self, folded: &str) -> bool {
        self.finder.find(folded.as_bytes()).is_some()
    }

    /// Whether `text` contains the needle, case-insensitively; `scratch` is reused for the
    /// folded copy.
    pub(crate) fn in_text(&self, text: &str, scratch: &mut String) -> bool {
        if self.is_empty() {
            return true;
        }
        scratch.clear();
        fold_lower_into(text, scratch);
        self.in_folded(scratch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn needles_match_case_insensitively_beyond_ascii() {
        let mut scratch = String::new();
        let cases: &[(&str, &str, bool)] = &[
            ("hello", "Say HELLO there", true),
            ("HeLLo", "say hello", true),
            ("hello", "help", false),
            ("ÄRGER", "großer ärger", true),
            ("straße", "STRASSE", false), // no full case folding of ß
            ("ΣΟΦΊΑ", "σοφία", true),
            ("", "", true),
            ("x", "", false),
        ];
        for &(needle, text, want) in cases {
            assert_eq!(
                Needle::new(needle).in_text(text, &mut scratch),
                want,
                "{needle:?} in {text:?}"
            );
        }
    }

    #[test]
    fn sort_folding_is_upper_case() {
        assert_eq!(fold_upper("a_b"), "A_B");
        assert_eq!(fold_upper("émile"), "ÉMILE");
        // i;ascii-casemap order: letters fold up, so '_' (0x5F) sorts after 'Z' (0x5A).
        assert!(fold_upper("aZ") < fold_upper("a_"));
    }
}
