//! The EHLO/LHLO reply as a typed capability list (RFC 5321 §4.1.1.1).
//!
//! ```text
//! ehlo-ok-rsp  = ( "250" SP Domain [ SP ehlo-greet ] CRLF )
//!              / ( "250-" Domain [ SP ehlo-greet ] CRLF
//!                  *( "250-" ehlo-line CRLF )
//!                  "250" SP ehlo-line CRLF )
//! ehlo-greet   = 1*(%d0-9 / %d11-12 / %d14-127)
//! ehlo-line    = ehlo-keyword *( SP ehlo-param )
//! ehlo-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-")
//! ehlo-param   = 1*(%d33-126)
//! ```
//! The reply is first framed by [`parse_reply`](crate::parse::reply::parse_reply); this module
//! reads its lines. Tolerances: keywords are matched case-insensitively; parameters are split
//! at runs of SP or HTAB; blank capability lines are skipped; `AUTH=LOGIN PLAIN` (the form
//! older Microsoft clients needed, still sent by Postfix with `broken_sasl_auth_clients`)
//! is read like `AUTH LOGIN PLAIN`; a known keyword with unexpected parameters, and any
//! unknown line, is kept as [`Capability::Other`].

use std::borrow::Cow;
use std::ops::Range;

use crate::parse::reply::{ReplyError, enhanced_prefix};
use crate::types::capability::{Capability, EhloReply};
use crate::types::reply::{Reply, ReplyCode};

impl<'a> EhloReply<'a> {
    /// Reads a parsed `250` reply to EHLO or LHLO (also fits a one-line HELO reply).
    ///
    /// Text borrowed by `reply` stays borrowed. Errors: [`ReplyError::EhloNotOk`] for any code
    /// but 250 (the caller handles a refusal before asking for capabilities),
    /// [`ReplyError::EhloMissingDomain`] when the first line is blank, and
    /// [`ReplyError::EhloWithEnhancedCode`] when every line carried an enhanced status code,
    /// which RFC 2034 §3 rules out for EHLO replies, or when the domain itself has the form
    /// of one (`2.0.0`), which could not be written back unambiguously.
    pub fn from_reply(reply: &Reply<'a>) -> Result<EhloReply<'a>, ReplyError> {
        if reply.code != ReplyCode::OK {
            return Err(ReplyError::EhloNotOk {
                code: reply.code.get(),
            });
        }
        if reply.enhanced.is_some() {
            return Err(ReplyError::EhloWithEnhancedCode);
        }
        let (first, rest) = reply
            .lines
            .split_first()
            .ok_or(ReplyError::EhloMissingDomain)?;
        let tokens = token_ranges(first);
        let domain = tokens.first().ok_or(ReplyError::EhloMissingDomain)?;
        if first
            .get(domain.clone())
            .is_some_and(|d| enhanced_prefix(d.as_bytes()).is_some_and(|(_, n)| n == d.len()))
        {
            // Written back, `250 2.0.0 ...` would read as an enhanced status code.
            return Err(ReplyError::EhloWithEnhancedCode);
        }
        let greeting = tokens
            .get(1)
            .map(|second| sub(first, second.start..first.len()));
        Ok(EhloReply {
            domain: sub(first, domain.clone()),
            greeting,
            capabilities: rest.iter().filter_map(parse_capability).collect(),
        })
    }
}

/// One `ehlo-line`; `None` for a blank line.
fn parse_capability<'a>(line: &Cow<'a, str>) -> Option<Capability<'a>> {
    let tokens = token_ranges(line);
    let (kw_range, param_ranges) = tokens.split_first()?;
    let keyword = line.get(kw_range.clone()).unwrap_or_default();
    let params: Vec<Cow<'a, str>> = param_ranges.iter().map(|r| sub(line, r.clone())).collect();

    // Pre-standard `AUTH=mech1 mech2` (RFC 4954 §4 notes its use by old clients).
    if keyword
        .get(..5)
        .is_some_and(|p| p.eq_ignore_ascii_case("AUTH="))
    {
        let first = kw_range.start + 5..kw_range.end;
        let mut mechs = Vec::with_capacity(params.len() + 1);
        if !first.is_empty() {
            mechs.push(sub(line, first));
        }
        mechs.extend(params);
        return Some(Capability::Auth(mechs));
    }

    let is = |k: &str| keyword.eq_ignore_ascii_case(k);
    let bare = |cap: Capability<'a>| params.is_empty().then_some(cap);
    let known = if is("SIZE") {
        match params.as_slice() {
            [] => Some(Capability::Size(None)),
            [n] => number(n).map(|n| Capability::Size(Some(n))),
            _ => None,
        }
    } else if is("AUTH") {
        Some(Capability::Auth(params.clone()))
    } else if is("PIPELINING") {
        bare(Capability::Pipelining)
    } else if is("CHUNKING") {
        bare(Capability::Chunking)
    } else if is("8BITMIME") {
        bare(Capability::EightBitMime)
    } else if is("BINARYMIME") {
        bare(Capability::BinaryMime)
    } else if is("SMTPUTF8") {
        bare(Capability::SmtpUtf8)
    } else if is("DSN") {
        bare(Capability::Dsn)
    } else if is("STARTTLS") {
        bare(Capability::StartTls)
    } else if is("ENHANCEDSTATUSCODES") {
        bare(Capability::EnhancedStatusCodes)
    } else if is("REQUIRETLS") {
        bare(Capability::RequireTls)
    } else if is("ETRN") {
        bare(Capability::Etrn)
    } else if is("EXPN") {
        bare(Capability::Expn)
    } else if is("HELP") {
        bare(Capability::Help)
    } else if is("MT-PRIORITY") {
        match params.as_slice() {
            [] => Some(Capability::MtPriority(None)),
            [p] => Some(Capability::MtPriority(Some(p.clone()))),
            _ => None,
        }
    } else if is("DELIVERBY") {
        match params.as_slice() {
            [] => Some(Capability::DeliverBy(None)),
            [n] => number(n).map(|n| Capability::DeliverBy(Some(n))),
            _ => None,
        }
    } else if is("FUTURERELEASE") {
        match params.as_slice() {
            [interval, datetime] => {
                number(interval).map(|max_interval| Capability::FutureRelease {
                    max_interval,
                    max_datetime: datetime.clone(),
                })
            }
            _ => None,
        }
    } else {
        None
    };
    Some(known.unwrap_or_else(|| Capability::Other {
        keyword: sub(line, kw_range.clone()),
        params,
    }))
}

/// A decimal number of 1 to 20 ASCII digits that fits a u64.
fn number(s: &str) -> Option<u64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Byte ranges of the tokens of `s`, separated by runs of SP or HTAB.
fn token_ranges(s: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, b) in s.bytes().enumerate() {
        if b == b' ' || b == b'\t' {
            if let Some(st) = start.take() {
                out.push(st..i);
            }
        } else if start.is_none() {
            start = Some(i);
        }
    }
    if let Some(st) = start {
        out.push(st..s.len());
    }
    out
}

/// `range` of `text`, borrowed for `'a` when `text` is; ranges fall on ASCII boundaries.
fn sub<'a>(text: &Cow<'a, str>, range: Range<usize>) -> Cow<'a, str> {
    match text {
        Cow::Borrowed(s) => Cow::Borrowed(s.get(range).unwrap_or_default()),
        Cow::Owned(s) => Cow::Owned(s.get(range).unwrap_or_default().to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::reply::parse_reply;
    use crate::types::reply::EnhancedStatusCode;

    fn ehlo(input: &[u8]) -> Result<EhloReply<'_>, ReplyError> {
        let (reply, n) = parse_reply(input)?;
        assert_eq!(n, input.len(), "whole input consumed");
        EhloReply::from_reply(&reply)
    }

    fn other<'a>(keyword: &'a str, params: &[&'a str]) -> Capability<'a> {
        Capability::Other {
            keyword: keyword.into(),
            params: params.iter().map(|&p| p.into()).collect(),
        }
    }

    #[test]
    fn every_capability_line() {
        use Capability as C;
        let cases: Vec<(&str, C<'_>)> = vec![
            ("SIZE", C::Size(None)),
            ("SIZE 35882577", C::Size(Some(35_882_577))),
            ("size 0", C::Size(Some(0))),
            ("SIZE abc", other("SIZE", &["abc"])),
            ("SIZE 1 2", other("SIZE", &["1", "2"])),
            (
                "SIZE 99999999999999999999999",
                other("SIZE", &["99999999999999999999999"]),
            ),
            ("AUTH", C::Auth(vec![])),
            (
                "AUTH PLAIN LOGIN",
                C::Auth(vec!["PLAIN".into(), "LOGIN".into()]),
            ),
            (
                "auth  plain\tXOAUTH2",
                C::Auth(vec!["plain".into(), "XOAUTH2".into()]),
            ),
            (
                "AUTH=LOGIN PLAIN",
                C::Auth(vec!["LOGIN".into(), "PLAIN".into()]),
            ),
            ("AUTH=", C::Auth(vec![])),
            ("auth=PLAIN", C::Auth(vec!["PLAIN".into()])),
            ("PIPELINING", C::Pipelining),
            ("pipelining", C::Pipelining),
            ("CHUNKING", C::Chunking),
            ("8BITMIME", C::EightBitMime),
            ("8bitmime", C::EightBitMime),
            ("BINARYMIME", C::BinaryMime),
            ("SMTPUTF8", C::SmtpUtf8),
            ("DSN", C::Dsn),
            ("STARTTLS", C::StartTls),
            ("ENHANCEDSTATUSCODES", C::EnhancedStatusCodes),
            ("REQUIRETLS", C::RequireTls),
            ("MT-PRIORITY", C::MtPriority(None)),
            ("MT-PRIORITY MIXER", C::MtPriority(Some("MIXER".into()))),
            ("MT-PRIORITY A B", other("MT-PRIORITY", &["A", "B"])),
            ("ETRN", C::Etrn),
            ("EXPN", C::Expn),
            ("HELP", C::Help),
            ("DELIVERBY", C::DeliverBy(None)),
            ("DELIVERBY 240", C::DeliverBy(Some(240))),
            ("DELIVERBY -1", other("DELIVERBY", &["-1"])),
            (
                "FUTURERELEASE 604800 2026-11-29T00:00:00Z",
                C::FutureRelease {
                    max_interval: 604_800,
                    max_datetime: "2026-11-29T00:00:00Z".into(),
                },
            ),
            ("FUTURERELEASE 1", other("FUTURERELEASE", &["1"])),
            ("STARTTLS now", other("STARTTLS", &["now"])),
            ("VRFY", other("VRFY", &[])),
            ("X-EXPS GSSAPI NTLM", other("X-EXPS", &["GSSAPI", "NTLM"])),
            ("XCLIENT NAME ADDR", other("XCLIENT", &["NAME", "ADDR"])),
            ("  SIZE 10", C::Size(Some(10))),
        ];
        for (line, expected) in cases {
            let input = format!("250-mx\r\n250 {line}\r\n");
            let got = ehlo(input.as_bytes()).map(|e| e.capabilities);
            assert_eq!(got, Ok(vec![expected]), "{line:?}");
        }
    }

    #[test]
    fn first_line_domain_and_greeting() {
        let cases: &[(&[u8], &str, Option<&str>)] = &[
            (b"250 mx.example.com\r\n", "mx.example.com", None),
            (b"250 mx.example.com \r\n", "mx.example.com", None),
            (b"250 [192.0.2.1]\r\n", "[192.0.2.1]", None),
            (b"250 mx Hello client\r\n", "mx", Some("Hello client")),
            (b"250  mx   Hello  \r\n", "mx", Some("Hello  ")),
            (
                b"250-mx greets you\r\n250 8BITMIME\r\n",
                "mx",
                Some("greets you"),
            ),
        ];
        for &(input, domain, greeting) in cases {
            let e = ehlo(input).expect("valid EHLO reply");
            assert_eq!(e.domain, domain);
            assert_eq!(e.greeting.as_deref(), greeting);
        }
    }

    #[test]
    fn errors() {
        let cases: &[(&[u8], ReplyError)] = &[
            (b"550 no\r\n", ReplyError::EhloNotOk { code: 550 }),
            (
                b"502 5.5.2 Error: command not recognized\r\n",
                ReplyError::EhloNotOk { code: 502 },
            ),
            (b"250\r\n", ReplyError::EhloMissingDomain),
            (b"250-  \r\n250 SIZE\r\n", ReplyError::EhloMissingDomain),
            (b"250 2.0.0 mx\r\n", ReplyError::EhloWithEnhancedCode),
            (
                b"250-2.0.0\tmx\r\n250 2.0.0\tSIZE\r\n",
                ReplyError::EhloWithEnhancedCode,
            ),
            (
                b"250- 2.1.0\r\n250 SIZE\r\n",
                ReplyError::EhloWithEnhancedCode,
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(ehlo(input), Err(expected.clone()), "{input:?}");
        }
        let empty = Reply {
            code: ReplyCode::OK,
            enhanced: None,
            lines: vec![],
        };
        assert_eq!(
            EhloReply::from_reply(&empty),
            Err(ReplyError::EhloMissingDomain)
        );
        let enhanced = Reply::new(ReplyCode::OK, Some(EnhancedStatusCode::OK), "mx");
        assert_eq!(
            EhloReply::from_reply(&enhanced),
            Err(ReplyError::EhloWithEnhancedCode)
        );
    }

    #[test]
    fn blank_capability_lines_are_skipped() {
        let e = ehlo(b"250-mx\r\n250-\r\n250-  \r\n250 DSN\r\n").expect("valid");
        assert_eq!(e.capabilities, vec![Capability::Dsn]);
    }

    #[test]
    fn borrowed_from_input() {
        let e = ehlo(b"250-mx hi\r\n250 AUTH PLAIN\r\n").expect("valid");
        assert!(matches!(e.domain, Cow::Borrowed(_)));
        assert!(matches!(e.greeting, Some(Cow::Borrowed(_))));
        let Some(Capability::Auth(m)) = e.capabilities.first() else {
            panic!("AUTH expected");
        };
        assert!(matches!(m.first(), Some(Cow::Borrowed(_))));
    }

    #[test]
    fn postfix_vector() {
        let input = b"250-mail.example.org\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n\
250-VRFY\r\n250-ETRN\r\n250-STARTTLS\r\n250-AUTH PLAIN LOGIN\r\n250-AUTH=PLAIN LOGIN\r\n\
250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n250-DSN\r\n250-SMTPUTF8\r\n250 CHUNKING\r\n";
        let e = ehlo(input).expect("postfix EHLO");
        assert_eq!(e.domain, "mail.example.org");
        assert_eq!(e.greeting, None);
        assert_eq!(e.capabilities.len(), 12);
        assert_eq!(e.size_limit(), Some(10_240_000));
        assert_eq!(e.auth_mechanisms(), ["PLAIN", "LOGIN"]);
        for kw in [
            "PIPELINING",
            "VRFY",
            "ETRN",
            "STARTTLS",
            "ENHANCEDSTATUSCODES",
            "8BITMIME",
            "DSN",
            "SMTPUTF8",
            "CHUNKING",
        ] {
            assert!(e.has(kw), "{kw}");
        }
        assert!(!e.has("BINARYMIME"));
    }

    #[test]
    fn exim_vector() {
        let input = b"250-mx.example.net Hello client.example.com [192.0.2.7]\r\n\
250-SIZE 52428800\r\n250-8BITMIME\r\n250-PIPELINING\r\n250-PIPE_CONNECT\r\n\
250-AUTH CRAM-MD5 PLAIN\r\n250-CHUNKING\r\n250-STARTTLS\r\n250-PRDR\r\n250 HELP\r\n";
        let e = ehlo(input).expect("exim EHLO");
        assert_eq!(e.domain, "mx.example.net");
        assert_eq!(
            e.greeting.as_deref(),
            Some("Hello client.example.com [192.0.2.7]")
        );
        assert_eq!(e.size_limit(), Some(52_428_800));
        assert_eq!(e.auth_mechanisms(), ["CRAM-MD5", "PLAIN"]);
        assert!(e.capabilities.contains(&other("PIPE_CONNECT", &[])));
        assert!(e.capabilities.contains(&other("PRDR", &[])));
        assert_eq!(e.capabilities.last(), Some(&Capability::Help));
    }

    #[test]
    fn gmail_vector() {
        let input = b"250-smtp.gmail.com at your service, [203.0.113.9]\r\n\
250-SIZE 35882577\r\n250-8BITMIME\r\n250-AUTH LOGIN PLAIN XOAUTH2 PLAIN-CLIENTTOKEN \
OAUTHBEARER XOAUTH\r\n250-ENHANCEDSTATUSCODES\r\n250-PIPELINING\r\n250-CHUNKING\r\n\
250 SMTPUTF8\r\n";
        let e = ehlo(input).expect("gmail EHLO");
        assert_eq!(e.domain, "smtp.gmail.com");
        assert_eq!(
            e.greeting.as_deref(),
            Some("at your service, [203.0.113.9]")
        );
        assert_eq!(
            e.auth_mechanisms(),
            [
                "LOGIN",
                "PLAIN",
                "XOAUTH2",
                "PLAIN-CLIENTTOKEN",
                "OAUTHBEARER",
                "XOAUTH"
            ]
        );
        assert!(e.has("chunking") && e.has("SmtpUtf8") && !e.has("STARTTLS"));
    }

    #[test]
    fn exchange_vector() {
        let input = b"250-EX01.corp.example Hello [198.51.100.4]\r\n250-SIZE 37748736\r\n\
250-PIPELINING\r\n250-DSN\r\n250-ENHANCEDSTATUSCODES\r\n250-STARTTLS\r\n250-X-ANONYMOUSTLS\r\n\
250-AUTH NTLM\r\n250-X-EXPS GSSAPI NTLM\r\n250-8BITMIME\r\n250-BINARYMIME\r\n250-CHUNKING\r\n\
250 XRDST\r\n";
        let e = ehlo(input).expect("exchange EHLO");
        assert_eq!(e.domain, "EX01.corp.example");
        assert!(e.has("BINARYMIME") && e.has("x-anonymoustls"));
        assert_eq!(e.auth_mechanisms(), ["NTLM"]);
        assert_eq!(e.capabilities.len(), 12);
    }

    #[test]
    fn lhlo_single_line_helo() {
        let e = ehlo(b"250 localhost\r\n").expect("HELO-style reply");
        assert_eq!(e.domain, "localhost");
        assert!(e.capabilities.is_empty());
        assert_eq!(e.size_limit(), None);
        assert!(e.auth_mechanisms().is_empty());
    }
}
