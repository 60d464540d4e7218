//! Validation of mailbox names that arrive from the network.
//!
//! A name is split on the account's separator into components. Refused, with
//! [`StoreError::InvalidName`]: empty names or components, NUL and other control characters,
//! `/` and `\` inside a component, components `.`/`..` or starting with `.`, the IMAP wildcards
//! `*` and `%`, components over 100 bytes and names over 240 bytes. A first component equal to
//! `INBOX` in any case is INBOX itself. No accepted name can name a path outside the user's root.

use crate::error::{Result, StoreError};

/// Longest accepted name in bytes (fits a Maildir++ directory name of at most 255 bytes).
pub const MAX_NAME_LEN: usize = 240;
/// Longest accepted component in bytes.
pub const MAX_COMPONENT_LEN: usize = 100;

/// A validated mailbox name: its components, with INBOX's case normalised.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MailboxName {
    parts: Vec<String>,
}

fn invalid(name: &str, reason: &'static str) -> StoreError {
    StoreError::InvalidName {
        name: name.to_string(),
        reason,
    }
}

impl MailboxName {
    /// Validates `name` with hierarchy separator `sep`.
    pub fn parse(name: &str, sep: char) -> Result<MailboxName> {
        if name.is_empty() {
            return Err(invalid(name, "empty name"));
        }
        if name.len() > MAX_NAME_LEN {
            return Err(invalid(name, "name longer than 240 bytes"));
        }
        let mut parts = Vec::new();
        for (i, part) in name.split(sep).enumerate() {
            if part.is_empty() {
                return Err(invalid(name, "empty hierarchy component"));
            }
            if part.len() > MAX_COMPONENT_LEN {
                return Err(invalid(name, "component longer than 100 bytes"));
            }
            if part.starts_with('.') {
                return Err(invalid(name, "component starts with '.'"));
            }
            for c in part.chars() {
                if c == '\0' {
                    return Err(invalid(name, "NUL in name"));
                }
                if c.is_control() {
                    return Err(invalid(name, "control character in name"));
                }
                if c == '/' || c == '\\' {
                    return Err(invalid(name, "path separator inside a component"));
                }
                if c == '*' || c == '%' {
                    return Err(invalid(name, "IMAP wildcard in name"));
                }
            }
            if i == 0 && part.eq_ignore_ascii_case("INBOX") {
                parts.push("INBOX".to_string());
            } else {
                parts.push(part.to_string());
            }
        }
        Ok(MailboxName { parts })
    }

    /// Builds a name from already validated components.
    pub(crate) fn from_parts(parts: Vec<String>) -> MailboxName {
        MailboxName { parts }
    }

    /// Whether this is INBOX itself.
    pub fn is_inbox(&self) -> bool {
        self.parts.len() == 1 && self.parts.first().is_some_and(|p| p == "INBOX")
    }

    /// The components.
    pub fn parts(&self) -> &[String] {
        &self.parts
    }

    /// The name written with `sep`.
    pub fn join(&self, sep: char) -> String {
        self.parts.join(&sep.to_string())
    }

    /// The parent, if any.
    pub fn parent(&self) -> Option<MailboxName> {
        (self.parts.len() > 1).then(|| MailboxName {
            parts: self.parts[..self.parts.len() - 1].to_vec(),
        })
    }

    /// Whether `self` lies strictly below `other`.
    pub fn is_below(&self, other: &MailboxName) -> bool {
        self.parts.len() > other.parts.len() && self.parts.starts_with(&other.parts)
    }

    /// `self` with prefix `from` replaced by `to` (for renaming children).
    pub fn rebase(&self, from: &MailboxName, to: &MailboxName) -> Option<MailboxName> {
        let rest = self.parts.strip_prefix(from.parts.as_slice())?;
        let mut parts = to.parts.clone();
        parts.extend_from_slice(rest);
        Some(MailboxName { parts })
    }
}

/// Checks a user name before it becomes a directory under the store's root.
pub fn check_user(user: &str) -> Result<()> {
    let ok = !user.is_empty()
        && user.len() <= 128
        && !user.starts_with('.')
        && user
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-+@".contains(&b));
    if ok {
        Ok(())
    } else {
        Err(StoreError::InvalidUser(user.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refused_names() {
        let long = "a".repeat(300);
        let long_part = format!("x.{}", "b".repeat(120));
        let table: &[&str] = &[
            "",
            "..",
            "a..b",
            ".a",
            "a.",
            "a/b",
            "../etc",
            "/etc/passwd",
            "a\0b",
            "a\\b",
            "a\nb",
            "*",
            "a%",
            &long,
            &long_part,
        ];
        for name in table {
            let err = MailboxName::parse(name, '.').unwrap_err();
            assert!(matches!(err, StoreError::InvalidName { .. }), "{name:?}");
        }
        for name in ["..", "a/../b", "/abs", "a//b", "a/.b"] {
            assert!(MailboxName::parse(name, '/').is_err(), "{name:?}");
        }
    }

    #[test]
    fn accepted_names() {
        let table: &[(&str, char, &[&str])] = &[
            ("INBOX", '.', &["INBOX"]),
            ("inbox", '.', &["INBOX"]),
            ("Inbox.Sub", '.', &["INBOX", "Sub"]),
            ("Archive.2026", '.', &["Archive", "2026"]),
            ("Archive/2026", '/', &["Archive", "2026"]),
            ("Caf\u{e9} & co", '/', &["Caf\u{e9} & co"]),
            ("Sub.inbox", '.', &["Sub", "inbox"]),
        ];
        for (name, sep, parts) in table {
            let n = MailboxName::parse(name, *sep).unwrap();
            assert_eq!(n.parts(), *parts, "{name}");
        }
        assert!(MailboxName::parse("iNbOx", '.').unwrap().is_inbox());
    }

    #[test]
    fn hierarchy_helpers() {
        let a = MailboxName::parse("A", '.').unwrap();
        let ab = MailboxName::parse("A.B", '.').unwrap();
        let z = MailboxName::parse("Z", '.').unwrap();
        assert!(ab.is_below(&a) && !a.is_below(&ab) && !a.is_below(&a));
        assert_eq!(ab.parent(), Some(a.clone()));
        assert_eq!(ab.rebase(&a, &z).unwrap().join('.'), "Z.B");
    }

    #[test]
    fn users() {
        assert!(check_user("alice@example.org").is_ok());
        for bad in ["", "..", "a/b", ".x", "a b", "a\0"] {
            assert!(check_user(bad).is_err(), "{bad:?}");
        }
    }
}
