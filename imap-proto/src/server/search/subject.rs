//! The base subject of RFC 5256 §2.1, used by SORT SUBJECT and both THREAD algorithms.
//!
//! ```text
//! subject     = *subj-leader [subj-middle] *subj-trailer
//! subj-refwd  = ("re" / ("fw" ["d"])) *WSP [subj-blob] ":"
//! subj-blob   = "[" *BLOBCHAR "]" *WSP
//! subj-fwd    = subj-fwd-hdr subject subj-fwd-trl
//! subj-fwd-hdr = "[fwd:"
//! subj-fwd-trl = "]"
//! subj-leader = (*subj-blob subj-refwd) / WSP
//! subj-middle = *subj-blob (subj-base / subj-fwd)
//! subj-trailer = "(fwd)" / WSP
//! subj-base   = NONWSP *(*WSP NONWSP)
//! BLOBCHAR    = %x01-5a / %x5c / %x5e-ff
//! ```
//!
//! The subject given here is already decoded (RFC 2047 encoded-words to UTF-8: step 1's first
//! half is the caller's, see [`super::MessageSummary`]). All the grammar's literals are ASCII,
//! so the text is cut only at ASCII bytes and stays valid UTF-8.

/// The base subject of a message (RFC 5256 §2.1) and whether the message is a reply or a
/// forward (what the REFERENCES algorithm's step 5 asks, RFC 5256 §4).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BaseSubject {
    /// The base subject, not yet case-folded.
    pub text: String,
    /// A `subj-refwd` leader, a `(fwd)` trailer or a `[fwd: ...]` wrapper was removed.
    pub reply_or_forward: bool,
}

/// Extracts the base subject from a decoded subject (RFC 5256 §2.1, steps 1–7).
pub fn base_subject(subject: &str) -> BaseSubject {
    // (1) tabs and continuations become spaces; runs of spaces become one.
    let mut norm = String::with_capacity(subject.len());
    let mut last_space = false;
    for ch in subject.chars() {
        let ch = if matches!(ch, '\t' | '\r' | '\n') {
            ' '
        } else {
            ch
        };
        if ch == ' ' {
            if last_space {
                continue;
            }
            last_space = true;
        } else {
            last_space = false;
        }
        norm.push(ch);
    }
    let mut s = norm.as_str();
    let mut reply_or_forward = false;
    loop {
        // (2) trailers, repeatedly.
        loop {
            if let Some(rest) = s.strip_suffix(' ') {
                s = rest;
            } else if ends_with_ignore_case(s, "(fwd)") {
                s = &s[..s.len() - 5];
                reply_or_forward = true;
            } else {
                break;
            }
        }
        // (3), (4), (5): leaders, then one blob if something is left after it, until neither.
        loop {
            let mut changed = false;
            while let Some((rest, refwd)) = leader(s) {
                s = rest;
                reply_or_forward |= refwd;
                changed = true;
            }
            if let Some(rest) = blob(s)
                && !rest.is_empty()
            {
                s = rest;
                changed = true;
            }
            if !changed {
                break;
            }
        }
        // (6) "[fwd:" ... "]" around the whole: strip it and start again at (2).
        if s.len() >= 6 && starts_with_ignore_case(s, "[fwd:") && s.ends_with(']') {
            s = &s[5..s.len() - 1];
            reply_or_forward = true;
            continue;
        }
        break;
    }
    BaseSubject {
        text: s.to_owned(),
        reply_or_forward,
    }
}

fn starts_with_ignore_case(s: &str, p: &str) -> bool {
    s.len() >= p.len() && s.as_bytes()[..p.len()].eq_ignore_ascii_case(p.as_bytes())
}

fn ends_with_ignore_case(s: &str, p: &str) -> bool {
    s.len() >= p.len() && s.as_bytes()[s.len() - p.len()..].eq_ignore_ascii_case(p.as_bytes())
}

fn skip_wsp(s: &str) -> &str {
    s.trim_start_matches([' ', '\t'])
}

/// `subj-blob = "[" *BLOBCHAR "]" *WSP`: the text after it.
fn blob(s: &str) -> Option<&str> {
    let inner = s.strip_prefix('[')?;
    let end = inner.find(['[', ']'])?;
    if inner.as_bytes()[end] != b']' {
        return None;
    }
    Some(skip_wsp(&inner[end + 1..]))
}

/// `subj-refwd = ("re" / ("fw" ["d"])) *WSP [subj-blob] ":"`: the text after it.
fn refwd(s: &str) -> Option<&str> {
    for word in ["re", "fwd", "fw"] {
        if !starts_with_ignore_case(s, word) {
            continue;
        }
        let r = skip_wsp(&s[word.len()..]);
        let r = blob(r).unwrap_or(r);
        if let Some(rest) = r.strip_prefix(':') {
            return Some(rest);
        }
    }
    None
}

/// `subj-leader = (*subj-blob subj-refwd) / WSP`: the text after it, and whether it was a
/// `subj-refwd`.
fn leader(s: &str) -> Option<(&str, bool)> {
    if let Some(rest) = s.strip_prefix([' ', '\t']) {
        return Some((rest, false));
    }
    let mut p = s;
    while let Some(q) = blob(p) {
        p = q;
    }
    refwd(p).map(|rest| (rest, true))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_subject_table() {
        // (subject, base subject, reply or forward)
        let cases: &[(&str, &str, bool)] = &[
            ("", "", false),
            ("Hello", "Hello", false),
            ("Re: Hello", "Hello", true),
            ("RE: Hello", "Hello", true),
            ("re:Hello", "Hello", true),
            ("Re: Re: Re: Hello", "Hello", true),
            ("Fwd: Hello", "Hello", true),
            ("Fw: Hello", "Hello", true),
            ("FW : Hello", "Hello", true),
            ("Re[2]: Hello", "Hello", true),
            ("Re [2]: Hello", "Hello", true),
            ("Hello (fwd)", "Hello", true),
            ("Hello (FWD) (fwd)  ", "Hello", true),
            ("[fwd: Hello]", "Hello", true),
            ("[Fwd: Re: Hello (fwd)]", "Hello", true),
            ("[list] Hello", "Hello", false),
            ("[list] Re: Hello", "Hello", true),
            ("[list][other] Re: [list] Hello", "Hello", true),
            ("Re: [list] Re: Hello", "Hello", true),
            // A blob is kept when nothing would be left after it.
            ("[list]", "[list]", false),
            ("[a] [b]", "[b]", false),
            ("Re: [list]", "[list]", true),
            // Whitespace: tabs and folds become one space; leading and trailing removed.
            ("  Hello\t \r\n  world  ", "Hello world", false),
            // Not a leader: "Re" must be followed by ":" (after optional WSP and blob).
            ("Regarding: x", "Regarding: x", false),
            ("Reply to all", "Reply to all", false),
            ("Fwd Hello", "Fwd Hello", false),
            // A "[fwd:" without the closing "]" at the end is no subj-fwd.
            ("[fwd: Hello", "[fwd: Hello", false),
            // Unicode passes through.
            ("Re: Grüße", "Grüße", true),
            ("[fwd: [fwd: x]]", "x", true),
            ("(fwd)", "", true),
        ];
        for &(input, base, rf) in cases {
            let got = base_subject(input);
            assert_eq!(
                (got.text.as_str(), got.reply_or_forward),
                (base, rf),
                "{input:?}"
            );
        }
    }
}
