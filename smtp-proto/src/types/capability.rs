//! ESMTP capabilities as advertised in the EHLO (or LHLO) reply (RFC 5321 §4.1.1.1).
//!
//! Parsing lives in [`crate::parse::ehlo`]; writing in [`crate::build::reply`].

use std::borrow::Cow;

/// One service extension advertised on a line of the EHLO reply.
///
/// Keywords are case-insensitive on input and written upper-case. A known keyword whose
/// parameters do not have the expected form is kept as [`Capability::Other`] with the
/// keyword as sent, so nothing the server said is lost.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Capability<'a> {
    /// `SIZE [limit]` (RFC 1870): the largest message accepted, in octets; `0` means no limit.
    Size(Option<u64>),
    /// `AUTH mech...` (RFC 4954), also the pre-standard `AUTH=mech...` form.
    Auth(Vec<Cow<'a, str>>),
    /// `PIPELINING` (RFC 2920).
    Pipelining,
    /// `CHUNKING` (RFC 3030): the BDAT command.
    Chunking,
    /// `8BITMIME` (RFC 6152).
    EightBitMime,
    /// `BINARYMIME` (RFC 3030).
    BinaryMime,
    /// `SMTPUTF8` (RFC 6531).
    SmtpUtf8,
    /// `DSN` (RFC 3461).
    Dsn,
    /// `STARTTLS` (RFC 3207).
    StartTls,
    /// `ENHANCEDSTATUSCODES` (RFC 2034).
    EnhancedStatusCodes,
    /// `REQUIRETLS` (RFC 8689).
    RequireTls,
    /// `MT-PRIORITY [policy]` (RFC 6710).
    MtPriority(Option<Cow<'a, str>>),
    /// `ETRN` (RFC 1985).
    Etrn,
    /// `EXPN` (RFC 5321 §3.5).
    Expn,
    /// `HELP` (RFC 5321 §4.1.1.8).
    Help,
    /// `DELIVERBY [min-by-time]` (RFC 2852), seconds.
    DeliverBy(Option<u64>),
    /// `FUTURERELEASE max-interval max-datetime` (RFC 4865).
    FutureRelease {
        /// The longest hold, in seconds.
        max_interval: u64,
        /// The latest release time, an RFC 3339 date-time as sent.
        max_datetime: Cow<'a, str>,
    },
    /// Any other extension, or a known keyword with unexpected parameters.
    Other {
        /// The keyword as sent.
        keyword: Cow<'a, str>,
        /// The space-separated parameters.
        params: Vec<Cow<'a, str>>,
    },
}

impl<'a> Capability<'a> {
    /// The EHLO keyword: upper-case for known extensions, as sent for [`Capability::Other`].
    pub fn keyword(&self) -> &str {
        match self {
            Self::Size(_) => "SIZE",
            Self::Auth(_) => "AUTH",
            Self::Pipelining => "PIPELINING",
            Self::Chunking => "CHUNKING",
            Self::EightBitMime => "8BITMIME",
            Self::BinaryMime => "BINARYMIME",
            Self::SmtpUtf8 => "SMTPUTF8",
            Self::Dsn => "DSN",
            Self::StartTls => "STARTTLS",
            Self::EnhancedStatusCodes => "ENHANCEDSTATUSCODES",
            Self::RequireTls => "REQUIRETLS",
            Self::MtPriority(_) => "MT-PRIORITY",
            Self::Etrn => "ETRN",
            Self::Expn => "EXPN",
            Self::Help => "HELP",
            Self::DeliverBy(_) => "DELIVERBY",
            Self::FutureRelease { .. } => "FUTURERELEASE",
            Self::Other { keyword, .. } => keyword,
        }
    }

    /// The same capability owning all its text.
    pub fn into_owned(self) -> Capability<'static> {
        fn own(c: Cow<'_, str>) -> Cow<'static, str> {
            Cow::Owned(c.into_owned())
        }
        match self {
            Self::Size(n) => Capability::Size(n),
            Self::Auth(m) => Capability::Auth(m.into_iter().map(own).collect()),
            Self::Pipelining => Capability::Pipelining,
            Self::Chunking => Capability::Chunking,
            Self::EightBitMime => Capability::EightBitMime,
            Self::BinaryMime => Capability::BinaryMime,
            Self::SmtpUtf8 => Capability::SmtpUtf8,
            Self::Dsn => Capability::Dsn,
            Self::StartTls => Capability::StartTls,
            Self::EnhancedStatusCodes => Capability::EnhancedStatusCodes,
            Self::RequireTls => Capability::RequireTls,
            Self::MtPriority(p) => Capability::MtPriority(p.map(own)),
            Self::Etrn => Capability::Etrn,
            Self::Expn => Capability::Expn,
            Self::Help => Capability::Help,
            Self::DeliverBy(n) => Capability::DeliverBy(n),
            Self::FutureRelease {
                max_interval,
                max_datetime,
            } => Capability::FutureRelease {
                max_interval,
                max_datetime: own(max_datetime),
            },
            Self::Other { keyword, params } => Capability::Other {
                keyword: own(keyword),
                params: params.into_iter().map(own).collect(),
            },
        }
    }
}

/// The EHLO (or LHLO) reply as a typed value (RFC 5321 §4.1.1.1).
///
/// ```text
/// ehlo-ok-rsp = ( "250" SP Domain [ SP ehlo-greet ] CRLF )
///             / ( "250-" Domain [ SP ehlo-greet ] CRLF
///                 *( "250-" ehlo-line CRLF )
///                 "250" SP ehlo-line CRLF )
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EhloReply<'a> {
    /// The server's name (or address literal) from the first line.
    pub domain: Cow<'a, str>,
    /// The rest of the first line, if any.
    pub greeting: Option<Cow<'a, str>>,
    /// One capability per following line, in order.
    pub capabilities: Vec<Capability<'a>>,
}

impl<'a> EhloReply<'a> {
    /// Whether an extension with this keyword is advertised (case-insensitive), e.g.
    /// `has("PIPELINING")`, `has("8bitmime")`.
    pub fn has(&self, keyword: &str) -> bool {
        self.find(keyword).is_some()
    }

    /// The first capability with this keyword (case-insensitive).
    pub fn find(&self, keyword: &str) -> Option<&Capability<'a>> {
        self.capabilities
            .iter()
            .find(|c| c.keyword().eq_ignore_ascii_case(keyword))
    }

    /// The SIZE limit in octets, when one is advertised and non-zero (RFC 1870 §4: `SIZE 0`
    /// or a bare `SIZE` means no fixed limit).
    pub fn size_limit(&self) -> Option<u64> {
        self.capabilities.iter().find_map(|c| match c {
            Capability::Size(Some(n)) if *n > 0 => Some(*n),
            _ => None,
        })
    }

    /// All SASL mechanisms from every `AUTH` line (servers often send both `AUTH` and
    /// `AUTH=`), in order, without case-insensitive duplicates.
    pub fn auth_mechanisms(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for c in &self.capabilities {
            if let Capability::Auth(mechs) = c {
                for m in mechs {
                    if !out.iter().any(|o| o.eq_ignore_ascii_case(m)) {
                        out.push(m);
                    }
                }
            }
        }
        out
    }

    /// The same reply owning all its text.
    pub fn into_owned(self) -> EhloReply<'static> {
        EhloReply {
            domain: Cow::Owned(self.domain.into_owned()),
            greeting: self.greeting.map(|g| Cow::Owned(g.into_owned())),
            capabilities: self
                .capabilities
                .into_iter()
                .map(Capability::into_owned)
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> EhloReply<'static> {
        EhloReply {
            domain: "mx.example.com".into(),
            greeting: None,
            capabilities: vec![
                Capability::Size(Some(1000)),
                Capability::Auth(vec!["PLAIN".into(), "LOGIN".into()]),
                Capability::Auth(vec!["login".into(), "CRAM-MD5".into()]),
                Capability::Pipelining,
                Capability::Other {
                    keyword: "x-Foo".into(),
                    params: vec![],
                },
            ],
        }
    }

    #[test]
    fn has_is_case_insensitive() {
        let e = sample();
        assert!(e.has("pipelining"));
        assert!(e.has("SIZE"));
        assert!(e.has("X-FOO"));
        assert!(!e.has("STARTTLS"));
        assert_eq!(e.find("size"), Some(&Capability::Size(Some(1000))));
    }

    #[test]
    fn size_limit_ignores_zero_and_bare() {
        assert_eq!(sample().size_limit(), Some(1000));
        let mut e = sample();
        e.capabilities[0] = Capability::Size(Some(0));
        assert_eq!(e.size_limit(), None);
        e.capabilities[0] = Capability::Size(None);
        assert_eq!(e.size_limit(), None);
        assert!(e.has("SIZE"));
    }

    #[test]
    fn auth_mechanisms_merge_lines() {
        assert_eq!(sample().auth_mechanisms(), ["PLAIN", "LOGIN", "CRAM-MD5"]);
    }

    #[test]
    fn keywords_of_every_variant() {
        let cases: Vec<(Capability<'_>, &str)> = vec![
            (Capability::Size(None), "SIZE"),
            (Capability::Auth(vec![]), "AUTH"),
            (Capability::Pipelining, "PIPELINING"),
            (Capability::Chunking, "CHUNKING"),
            (Capability::EightBitMime, "8BITMIME"),
            (Capability::BinaryMime, "BINARYMIME"),
            (Capability::SmtpUtf8, "SMTPUTF8"),
            (Capability::Dsn, "DSN"),
            (Capability::StartTls, "STARTTLS"),
            (Capability::EnhancedStatusCodes, "ENHANCEDSTATUSCODES"),
            (Capability::RequireTls, "REQUIRETLS"),
            (Capability::MtPriority(None), "MT-PRIORITY"),
            (Capability::Etrn, "ETRN"),
            (Capability::Expn, "EXPN"),
            (Capability::Help, "HELP"),
            (Capability::DeliverBy(None), "DELIVERBY"),
            (
                Capability::FutureRelease {
                    max_interval: 1,
                    max_datetime: "x".into(),
                },
                "FUTURERELEASE",
            ),
            (
                Capability::Other {
                    keyword: "XCLIENT".into(),
                    params: vec![],
                },
                "XCLIENT",
            ),
        ];
        for (cap, kw) in cases {
            assert_eq!(cap.keyword(), kw);
            assert_eq!(cap.clone().into_owned(), cap);
        }
    }

    #[test]
    fn into_owned_keeps_value() {
        let e = sample();
        assert_eq!(e.clone().into_owned(), e);
    }
}
