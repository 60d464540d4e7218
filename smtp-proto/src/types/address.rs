//! Envelope addresses of RFC 5321 §4.1.2 (with the RFC 6531 SMTPUTF8 extensions): domains,
//! address literals, local parts, mailboxes and the reverse and forward paths of `MAIL` and `RCPT`.
//!
//! The values here are already validated: build them with the parsers of
//! [`crate::parse::address`] (or `TryFrom<&str>`), print them with `Display`.

use std::borrow::Cow;
use std::hash::{Hash, Hasher};
use std::net::{Ipv4Addr, Ipv6Addr};

use crate::parse::address::{AddressError, parse_domain_str, parse_local_part_str};

/// A domain name (RFC 5321 §4.1.2 `Domain`, or with SMTPUTF8 a domain with U-labels, RFC 6531 §3.3).
///
/// Domains compare and hash case-insensitively (RFC 5321 §2.4); the original spelling is kept
/// for display. Non-ASCII labels compare byte for byte.
#[derive(Debug, Clone)]
pub struct Domain<'a>(Cow<'a, str>);

impl<'a> Domain<'a> {
    /// Wraps text the parser has already validated.
    pub(crate) fn new_unchecked(text: Cow<'a, str>) -> Self {
        Domain(text)
    }

    /// The domain as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether the domain is all ASCII (no U-labels).
    pub fn is_ascii(&self) -> bool {
        self.0.is_ascii()
    }

    /// Detaches the domain from the input it borrowed from.
    pub fn into_owned(self) -> Domain<'static> {
        self.map_text(&mut owned)
    }
}

impl<'a> Domain<'a> {
    /// The same value with its text passed through `f` (see [`owned`]).
    pub(crate) fn map_text<'b>(
        self,
        f: &mut impl FnMut(Cow<'a, str>) -> Cow<'b, str>,
    ) -> Domain<'b> {
        Domain(f(self.0))
    }
}

/// The [`Cow`] mapping of the `into_owned` methods: every text owned.
pub(crate) fn owned(text: Cow<'_, str>) -> Cow<'static, str> {
    Cow::Owned(text.into_owned())
}

impl PartialEq for Domain<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.0.eq_ignore_ascii_case(&other.0)
    }
}

impl Eq for Domain<'_> {}

impl Hash for Domain<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        for b in self.0.bytes() {
            state.write_u8(b.to_ascii_lowercase());
        }
        state.write_u8(0xff);
    }
}

impl<'a> TryFrom<&'a str> for Domain<'a> {
    type Error = AddressError;

    /// Validates `text` as a whole `Domain`.
    fn try_from(text: &'a str) -> Result<Self, Self::Error> {
        parse_domain_str(text)
    }
}

/// An address literal (RFC 5321 §4.1.3): the IP address of a host written in brackets.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum AddressLiteral {
    /// `[192.0.2.1]`.
    Ipv4(Ipv4Addr),
    /// `[IPv6:2001:db8::1]`, any form of §4.1.3.
    Ipv6(Ipv6Addr),
    /// `[tag:content]`, a `General-address-literal` with a standardized tag other than `IPv6`.
    General {
        /// The `Standardized-tag` (an `Ldh-str`).
        tag: String,
        /// The content after the colon (`1*dcontent`).
        content: String,
    },
}

/// The host part of a mailbox or the argument of `EHLO`: a domain or an address literal.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Host<'a> {
    /// A domain name.
    Domain(Domain<'a>),
    /// An address literal in brackets.
    Literal(AddressLiteral),
}

impl Host<'_> {
    /// Whether the host is all ASCII.
    pub fn is_ascii(&self) -> bool {
        match self {
            Host::Domain(d) => d.is_ascii(),
            Host::Literal(_) => true,
        }
    }

    /// Detaches the host from the input it borrowed from.
    pub fn into_owned(self) -> Host<'static> {
        self.map_text(&mut owned)
    }
}

impl<'a> Host<'a> {
    /// The same value with its text passed through `f` (see [`owned`]).
    pub(crate) fn map_text<'b>(self, f: &mut impl FnMut(Cow<'a, str>) -> Cow<'b, str>) -> Host<'b> {
        match self {
            Host::Domain(d) => Host::Domain(d.map_text(f)),
            Host::Literal(l) => Host::Literal(l),
        }
    }
}

/// The local part of a mailbox (RFC 5321 §4.1.2 `Local-part = Dot-string / Quoted-string`).
///
/// The value is stored unquoted (a quoted string's backslash escapes removed), its case
/// preserved. Two local parts are equal when their values are: `"john"` and `john` are the
/// same mailbox. The builder quotes the value again when it is not a valid `Dot-string`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LocalPart<'a> {
    value: Cow<'a, str>,
    needs_quoting: bool,
}

impl<'a> LocalPart<'a> {
    /// Wraps a value the parser has validated; `needs_quoting` tells whether it is not a `Dot-string`.
    pub(crate) fn new_unchecked(value: Cow<'a, str>, needs_quoting: bool) -> Self {
        LocalPart {
            value,
            needs_quoting,
        }
    }

    /// The unquoted value.
    pub fn as_str(&self) -> &str {
        &self.value
    }

    /// Whether the value must be written as a `Quoted-string` (it is not a valid `Dot-string`).
    pub fn needs_quoting(&self) -> bool {
        self.needs_quoting
    }

    /// Whether the local part is all ASCII.
    pub fn is_ascii(&self) -> bool {
        self.value.is_ascii()
    }

    /// Detaches the local part from the input it borrowed from.
    pub fn into_owned(self) -> LocalPart<'static> {
        self.map_text(&mut owned)
    }

    /// The same value with its text passed through `f` (see [`owned`]).
    pub(crate) fn map_text<'b>(
        self,
        f: &mut impl FnMut(Cow<'a, str>) -> Cow<'b, str>,
    ) -> LocalPart<'b> {
        LocalPart {
            value: f(self.value),
            needs_quoting: self.needs_quoting,
        }
    }
}

impl<'a> TryFrom<&'a str> for LocalPart<'a> {
    type Error = AddressError;

    /// Builds a local part from its unquoted value: any text of `qtextSMTP`, space, printable
    /// ASCII or (SMTPUTF8) non-ASCII characters; control characters are refused.
    fn try_from(value: &'a str) -> Result<Self, Self::Error> {
        parse_local_part_str(value)
    }
}

/// A mailbox (RFC 5321 §4.1.2 `Mailbox = Local-part "@" ( Domain / address-literal )`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Mailbox<'a> {
    /// The part before the `@`, case preserved.
    pub local_part: LocalPart<'a>,
    /// The part after the `@`.
    pub host: Host<'a>,
}

impl Mailbox<'_> {
    /// Whether the mailbox is all ASCII; a mailbox that is not needs the SMTPUTF8 parameter
    /// (RFC 6531 §3.4).
    pub fn is_ascii(&self) -> bool {
        self.local_part.is_ascii() && self.host.is_ascii()
    }

    /// Detaches the mailbox from the input it borrowed from.
    pub fn into_owned(self) -> Mailbox<'static> {
        self.map_text(&mut owned)
    }
}

impl<'a> Mailbox<'a> {
    /// The same value with its text passed through `f` (see [`owned`]).
    pub(crate) fn map_text<'b>(
        self,
        f: &mut impl FnMut(Cow<'a, str>) -> Cow<'b, str>,
    ) -> Mailbox<'b> {
        Mailbox {
            local_part: self.local_part.map_text(f),
            host: self.host.map_text(f),
        }
    }
}

/// The argument of `MAIL FROM:` (RFC 5321 §4.1.2 `Reverse-path = Path / "<>"`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ReversePath<'a> {
    /// The null path `<>` (bounces and other notifications).
    Null,
    /// A sender mailbox (any source route dropped).
    Mailbox(Mailbox<'a>),
}

impl ReversePath<'_> {
    /// Whether the path is all ASCII.
    pub fn is_ascii(&self) -> bool {
        match self {
            ReversePath::Null => true,
            ReversePath::Mailbox(m) => m.is_ascii(),
        }
    }

    /// Detaches the path from the input it borrowed from.
    pub fn into_owned(self) -> ReversePath<'static> {
        self.map_text(&mut owned)
    }
}

impl<'a> ReversePath<'a> {
    /// The same value with its text passed through `f` (see [`owned`]).
    pub(crate) fn map_text<'b>(
        self,
        f: &mut impl FnMut(Cow<'a, str>) -> Cow<'b, str>,
    ) -> ReversePath<'b> {
        match self {
            ReversePath::Null => ReversePath::Null,
            ReversePath::Mailbox(m) => ReversePath::Mailbox(m.map_text(f)),
        }
    }
}

/// The argument of `RCPT TO:` (RFC 5321 §4.1.2
/// `Forward-path = Path`, plus `"<Postmaster>"` with no domain).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ForwardPath<'a> {
    /// `<postmaster>` (any case) with no domain: the postmaster of the receiving server.
    Postmaster,
    /// A recipient mailbox (any source route dropped). `<Postmaster@domain>` is a mailbox.
    Mailbox(Mailbox<'a>),
}

impl ForwardPath<'_> {
    /// Whether the path is all ASCII.
    pub fn is_ascii(&self) -> bool {
        match self {
            ForwardPath::Postmaster => true,
            ForwardPath::Mailbox(m) => m.is_ascii(),
        }
    }

    /// Detaches the path from the input it borrowed from.
    pub fn into_owned(self) -> ForwardPath<'static> {
        self.map_text(&mut owned)
    }
}

impl<'a> ForwardPath<'a> {
    /// The same value with its text passed through `f` (see [`owned`]).
    pub(crate) fn map_text<'b>(
        self,
        f: &mut impl FnMut(Cow<'a, str>) -> Cow<'b, str>,
    ) -> ForwardPath<'b> {
        match self {
            ForwardPath::Postmaster => ForwardPath::Postmaster,
            ForwardPath::Mailbox(m) => ForwardPath::Mailbox(m.map_text(f)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::hash_map::DefaultHasher;

    fn hash_of<T: Hash>(v: &T) -> u64 {
        let mut h = DefaultHasher::new();
        v.hash(&mut h);
        h.finish()
    }

    #[test]
    fn domain_equality_ignores_ascii_case() {
        let a = Domain::try_from("Example.COM").unwrap();
        let b = Domain::try_from("example.com").unwrap();
        assert_eq!(a, b);
        assert_eq!(hash_of(&a), hash_of(&b));
        assert_eq!(a.as_str(), "Example.COM");
        assert_ne!(a, Domain::try_from("example.org").unwrap());
    }

    #[test]
    fn local_part_case_preserved() {
        let a = LocalPart::try_from("John").unwrap();
        let b = LocalPart::try_from("john").unwrap();
        assert_ne!(a, b);
        assert!(!a.needs_quoting());
        assert!(LocalPart::try_from("john doe").unwrap().needs_quoting());
        assert!(LocalPart::try_from("a\r").is_err());
    }

    #[test]
    fn is_ascii_reports_utf8() {
        let m = Mailbox {
            local_part: LocalPart::try_from("用户").unwrap(),
            host: Host::Domain(Domain::try_from("example.com").unwrap()),
        };
        assert!(!m.is_ascii());
        assert!(!ReversePath::Mailbox(m.clone()).is_ascii());
        let owned: Mailbox<'static> = m.clone().into_owned();
        assert_eq!(owned, m);
    }
}
