//! Property tests: replies and EHLO replies survive build -> parse unchanged, and every strict
//! prefix of an encoded reply is `Incomplete`.

use std::borrow::Cow;

use proptest::prelude::*;
use smtp_proto::parse::reply::{ReplyError, parse_reply};
use smtp_proto::types::capability::{Capability, EhloReply};
use smtp_proto::types::reply::{EnhancedStatusCode, Reply, ReplyCode};

/// Whether `text` starts with `class.d{1,3}.d{1,3}` followed by SP or its end (RFC 2034 §4),
/// written independently of the parser.
fn looks_enhanced(text: &str, class: u8) -> bool {
    let mut parts = text.split(' ').next().unwrap_or("").split('.');
    let ok = |p: Option<&str>| {
        p.is_some_and(|p| (1..=3).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit()))
    };
    parts.next() == Some(&class.to_string())
        && ok(parts.next())
        && ok(parts.next())
        && parts.next().is_none()
}

fn arb_reply() -> impl Strategy<Value = Reply<'static>> {
    (
        200u16..=599,
        prop::option::of((0u16..=999, 0u16..=999)),
        prop::collection::vec("[^\r\n]{0,40}", 1..6),
    )
        .prop_map(|(code, esc, lines)| {
            let code = ReplyCode::new(code).expect("in range");
            let enhanced = esc
                .filter(|_| code.class() != 3)
                .map(|(s, d)| EnhancedStatusCode::new(code.class(), s, d));
            Reply {
                code,
                enhanced,
                lines: lines.into_iter().map(Cow::Owned).collect(),
            }
        })
        // Without an enhanced code, text that itself starts with one on every line would be
        // read back as one: that value has no unambiguous wire form.
        .prop_filter("text mimics an enhanced code", |r| {
            r.enhanced.is_some() || !r.lines.iter().all(|l| looks_enhanced(l, r.code.class()))
        })
}

fn token() -> impl Strategy<Value = Cow<'static, str>> {
    "[!-~é漢]{1,12}".prop_map(Cow::Owned)
}

fn arb_capability() -> impl Strategy<Value = Capability<'static>> {
    prop_oneof![
        prop::option::of(any::<u64>()).prop_map(Capability::Size),
        prop::collection::vec("[A-Z0-9_-]{1,12}".prop_map(Cow::Owned), 0..5)
            .prop_map(Capability::Auth),
        Just(Capability::Pipelining),
        Just(Capability::Chunking),
        Just(Capability::EightBitMime),
        Just(Capability::BinaryMime),
        Just(Capability::SmtpUtf8),
        Just(Capability::Dsn),
        Just(Capability::StartTls),
        Just(Capability::EnhancedStatusCodes),
        Just(Capability::RequireTls),
        prop::option::of(token()).prop_map(Capability::MtPriority),
        Just(Capability::Etrn),
        Just(Capability::Expn),
        Just(Capability::Help),
        prop::option::of(any::<u64>()).prop_map(Capability::DeliverBy),
        (any::<u64>(), token()).prop_map(|(max_interval, max_datetime)| {
            Capability::FutureRelease {
                max_interval,
                max_datetime,
            }
        }),
        // Keywords starting with X are never known keywords.
        ("X[A-Za-z0-9-]{0,10}", prop::collection::vec(token(), 0..4)).prop_map(
            |(keyword, params)| Capability::Other {
                keyword: Cow::Owned(keyword),
                params,
            }
        ),
    ]
}

fn arb_ehlo() -> impl Strategy<Value = EhloReply<'static>> {
    (
        "[a-z][a-z0-9.-]{0,20}|\\[[0-9.]{7,15}\\]",
        prop::option::of("[!-~é][ -~é]{0,30}"),
        prop::collection::vec(arb_capability(), 0..12),
    )
        .prop_map(|(domain, greeting, capabilities)| EhloReply {
            domain: Cow::Owned(domain),
            greeting: greeting.map(Cow::Owned),
            capabilities,
        })
}

proptest! {
    #[test]
    fn reply_round_trip(reply in arb_reply()) {
        let mut wire = Vec::new();
        reply.write_to(&mut wire);
        let (parsed, consumed) = parse_reply(&wire).expect("encoded reply parses");
        prop_assert_eq!(consumed, wire.len());
        prop_assert_eq!(parsed, reply);
    }

    #[test]
    fn strict_prefixes_are_incomplete(reply in arb_reply()) {
        let wire = reply.to_vec();
        for cut in 0..wire.len() {
            let got = parse_reply(&wire[..cut]).map(|(r, n)| (r.into_owned(), n));
            prop_assert_eq!(got, Err(ReplyError::Incomplete), "cut at {}", cut);
        }
    }

    #[test]
    fn pipelined_replies_parse_in_turn(a in arb_reply(), b in arb_reply()) {
        let mut wire = a.to_vec();
        let first_len = wire.len();
        b.write_to(&mut wire);
        let (first, n) = parse_reply(&wire).expect("first reply");
        prop_assert_eq!(n, first_len);
        prop_assert_eq!(first, a);
        let (second, m) = parse_reply(&wire[n..]).expect("second reply");
        prop_assert_eq!(n + m, wire.len());
        prop_assert_eq!(second, b);
    }

    #[test]
    fn ehlo_round_trip(ehlo in arb_ehlo()) {
        let mut wire = Vec::new();
        ehlo.to_reply().write_to(&mut wire);
        let (reply, consumed) = parse_reply(&wire).expect("encoded EHLO reply parses");
        prop_assert_eq!(consumed, wire.len());
        let back = EhloReply::from_reply(&reply).expect("EHLO reply reads back");
        prop_assert_eq!(back, ehlo);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        if let Ok((reply, n)) = parse_reply(&bytes) {
            prop_assert!(n <= bytes.len());
            let _ = EhloReply::from_reply(&reply);
        }
    }
}

#[test]
fn looks_enhanced_helper() {
    assert!(looks_enhanced("2.0.0", 2));
    assert!(looks_enhanced("2.10.100 x", 2));
    assert!(!looks_enhanced("2.0.0x", 2));
    assert!(!looks_enhanced("5.0.0 x", 2));
    assert!(!looks_enhanced("2.0", 2));
    assert!(!looks_enhanced("2.0.0.0", 2));
}
