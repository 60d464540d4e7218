//! (input, expected) tables for the RFC 5321 §4.1.2/§4.1.3 path parsers, with RFC 6531 UTF-8.

use std::net::{Ipv4Addr, Ipv6Addr};

use smtp_proto::parse::address::{
    AddressError, parse_domain, parse_forward_path, parse_host, parse_mailbox, parse_reverse_path,
};
use smtp_proto::types::address::{AddressLiteral, ForwardPath, Host, ReversePath};

/// (path, local part value, needs quoting, host as displayed, is ASCII, path as displayed)
type Valid = (
    &'static str,
    &'static str,
    bool,
    &'static str,
    bool,
    &'static str,
);

#[test]
fn valid_paths() {
    let cases: &[Valid] = &[
        (
            "<user@example.com>",
            "user",
            false,
            "example.com",
            true,
            "<user@example.com>",
        ),
        (
            "<User.Name+tag@Sub.Example.COM>",
            "User.Name+tag",
            false,
            "Sub.Example.COM",
            true,
            "<User.Name+tag@Sub.Example.COM>",
        ),
        (
            "<!#$%&'*+-/=?^_`{|}~@x.y>",
            "!#$%&'*+-/=?^_`{|}~",
            false,
            "x.y",
            true,
            "<!#$%&'*+-/=?^_`{|}~@x.y>",
        ),
        (
            "<\"john doe\"@example.com>",
            "john doe",
            true,
            "example.com",
            true,
            "<\"john doe\"@example.com>",
        ),
        (
            "<\"john\"@example.com>",
            "john",
            false,
            "example.com",
            true,
            "<john@example.com>",
        ),
        (
            "<\"\"@example.com>",
            "",
            true,
            "example.com",
            true,
            "<\"\"@example.com>",
        ),
        (
            "<\"a\\\"b\"@x.org>",
            "a\"b",
            true,
            "x.org",
            true,
            "<\"a\\\"b\"@x.org>",
        ),
        ("<\"a\\b\"@x.org>", "ab", false, "x.org", true, "<ab@x.org>"),
        (
            "<\"a@b\"@x.org>",
            "a@b",
            true,
            "x.org",
            true,
            "<\"a@b\"@x.org>",
        ),
        (
            "<\"a..b\"@x.org>",
            "a..b",
            true,
            "x.org",
            true,
            "<\"a..b\"@x.org>",
        ),
        (
            "<user@[192.0.2.1]>",
            "user",
            false,
            "[192.0.2.1]",
            true,
            "<user@[192.0.2.1]>",
        ),
        (
            "<user@[IPv6:2001:db8:0:0:0:0:0:1]>",
            "user",
            false,
            "[IPv6:2001:db8::1]",
            true,
            "<user@[IPv6:2001:db8::1]>",
        ),
        (
            "<user@[IPv6:2001:db8::1]>",
            "user",
            false,
            "[IPv6:2001:db8::1]",
            true,
            "<user@[IPv6:2001:db8::1]>",
        ),
        (
            "<user@[ipv6:::1]>",
            "user",
            false,
            "[IPv6:::1]",
            true,
            "<user@[IPv6:::1]>",
        ),
        (
            "<user@[IPv6:::ffff:192.0.2.1]>",
            "user",
            false,
            "[IPv6:::ffff:192.0.2.1]",
            true,
            "<user@[IPv6:::ffff:192.0.2.1]>",
        ),
        (
            "<user@[IPv6:0:0:0:0:0:ffff:192.0.2.1]>",
            "user",
            false,
            "[IPv6:::ffff:192.0.2.1]",
            true,
            "<user@[IPv6:::ffff:192.0.2.1]>",
        ),
        (
            "<user@[x-tag:some.thing]>",
            "user",
            false,
            "[x-tag:some.thing]",
            true,
            "<user@[x-tag:some.thing]>",
        ),
        (
            "<@a.org,@b.org:user@c.org>",
            "user",
            false,
            "c.org",
            true,
            "<user@c.org>",
        ),
        (
            "<@a.org:user@c.org>",
            "user",
            false,
            "c.org",
            true,
            "<user@c.org>",
        ),
        (
            "<用户@例子.广告>",
            "用户",
            false,
            "例子.广告",
            false,
            "<用户@例子.广告>",
        ),
        (
            "<pelé@example.com>",
            "pelé",
            false,
            "example.com",
            false,
            "<pelé@example.com>",
        ),
        (
            "<\"pelé x\"@example.com>",
            "pelé x",
            true,
            "example.com",
            false,
            "<\"pelé x\"@example.com>",
        ),
        (
            "<user@xn--bcher-kva.example>",
            "user",
            false,
            "xn--bcher-kva.example",
            true,
            "<user@xn--bcher-kva.example>",
        ),
        ("<1@2.3>", "1", false, "2.3", true, "<1@2.3>"),
    ];
    for (input, local, quoted, host, ascii, shown) in cases {
        let path = parse_reverse_path(input.as_bytes()).unwrap_or_else(|e| panic!("{input}: {e}"));
        let ReversePath::Mailbox(m) = &path else {
            panic!("{input}: not a mailbox");
        };
        assert_eq!(m.local_part.as_str(), *local, "{input}");
        assert_eq!(m.local_part.needs_quoting(), *quoted, "{input}");
        assert_eq!(m.host.to_string(), *host, "{input}");
        assert_eq!(m.is_ascii(), *ascii, "{input}");
        assert_eq!(path.to_string(), *shown, "{input}");
        // The displayed form parses back to the same value, as a forward path too.
        assert_eq!(
            parse_reverse_path(shown.as_bytes()).as_ref(),
            Ok(&path),
            "{input}"
        );
        assert_eq!(
            parse_forward_path(input.as_bytes()),
            Ok(ForwardPath::Mailbox(m.clone())),
            "{input}"
        );
    }
}

#[test]
fn special_paths() {
    assert_eq!(parse_reverse_path(b"<>"), Ok(ReversePath::Null));
    for p in ["<postmaster>", "<Postmaster>", "<POSTMASTER>"] {
        assert_eq!(
            parse_forward_path(p.as_bytes()),
            Ok(ForwardPath::Postmaster),
            "{p}"
        );
    }
    let ForwardPath::Mailbox(m) = parse_forward_path(b"<Postmaster@Example.com>").unwrap() else {
        panic!("postmaster with a domain is a mailbox");
    };
    assert_eq!(m.local_part.as_str(), "Postmaster");
    assert!(parse_forward_path(b"<>").is_err());
    assert_eq!(parse_mailbox(b"a@b.c").unwrap().to_string(), "a@b.c");
    assert_eq!(
        parse_mailbox(b"<a@b.c>"),
        Err(AddressError::Syntax { at: 0 })
    );
    assert!(parse_reverse_path(b"<postmaster>").is_err());
}

#[test]
fn hosts() {
    let cases: &[(&str, Host<'static>)] = &[
        (
            "[0.0.0.0]",
            Host::Literal(AddressLiteral::Ipv4(Ipv4Addr::UNSPECIFIED)),
        ),
        (
            "[255.255.255.255]",
            Host::Literal(AddressLiteral::Ipv4(Ipv4Addr::BROADCAST)),
        ),
        (
            "[010.001.000.1]",
            Host::Literal(AddressLiteral::Ipv4(Ipv4Addr::new(10, 1, 0, 1))),
        ),
        (
            "[IPv6:::]",
            Host::Literal(AddressLiteral::Ipv6(Ipv6Addr::UNSPECIFIED)),
        ),
        (
            "[IPv6:1:2:3:4:5:6:7:8]",
            Host::Literal(AddressLiteral::Ipv6(Ipv6Addr::new(1, 2, 3, 4, 5, 6, 7, 8))),
        ),
        (
            "[IPv6:1::]",
            Host::Literal(AddressLiteral::Ipv6(Ipv6Addr::new(1, 0, 0, 0, 0, 0, 0, 0))),
        ),
        (
            "[IPv6:1:2:3:4:5:6:1.2.3.4]",
            Host::Literal(AddressLiteral::Ipv6(Ipv6Addr::new(
                1, 2, 3, 4, 5, 6, 0x102, 0x304,
            ))),
        ),
        (
            "[IPv6:1::1.2.3.4]",
            Host::Literal(AddressLiteral::Ipv6(Ipv6Addr::new(
                1, 0, 0, 0, 0, 0, 0x102, 0x304,
            ))),
        ),
    ];
    for (input, want) in cases {
        assert_eq!(parse_host(input.as_bytes()).as_ref(), Ok(want), "{input}");
    }
}

#[test]
fn domains() {
    assert_eq!(parse_domain(b"EXAMPLE.com"), parse_domain(b"example.COM"));
    for ok in [
        "a",
        "a-b.c",
        "0.example",
        "a.b.c.d.e",
        "例子.广告",
        "a--b.c",
    ] {
        assert!(parse_domain(ok.as_bytes()).is_ok(), "{ok}");
    }
}

#[test]
fn invalid() {
    let cases: &[(&[u8], usize)] = &[
        (b"<user@example.com", 17),
        (b"user@example.com>", 0),
        (b"<user example.com>", 5),
        (b"<user@>", 6),
        (b"<@example.com>", 13),
        (b"<.user@x.y>", 1),
        (b"<user.@x.y>", 5),
        (b"<us..er@x.y>", 3),
        (b"<user@-x.y>", 6),
        (b"<user@x-.y>", 7),
        (b"<user@x..y>", 7),
        (b"<user@x_y.z>", 7),
        (b"<user@[1.2.3]>", 7),
        (b"<user@[1.2.3.256]>", 7),
        (b"<user@[1.2.3.4.5]>", 7),
        (b"<user@[1.2.3.4]>x", 16),
        (b"<user@[IPv6:1:2:3]>", 12),
        (b"<user@[IPv6:::1%eth0]>", 12),
        (b"<user@[IPv6:12345::]>", 12),
        (b"<user@[:abc]>", 7),
        (b"<user@[tag-:abc]>", 7),
        (b"<user@[tag:]>", 11),
        (b"<user@[tag:a[b]>", 11),
        (b"<user@[192.0.2.1>", 6),
        (b"<\"unterminated@x.y>", 19),
        (b"<\"bad\\\x01\"@x.y>", 5),
        (b"<\"ctl\x01\"@x.y>", 5),
        (b"<us\xffer@x.y>", 1),
        (b"<@a.org,user@c.org>", 8),
        (b"<@a.org user@c.org>", 7),
        (b"", 0),
    ];
    let wrong: Vec<String> = cases
        .iter()
        .filter_map(|(input, at)| {
            let got = parse_reverse_path(input);
            (got != Err(AddressError::Syntax { at: *at })).then(|| {
                format!(
                    "{:?}: {got:?}, want at {at}",
                    String::from_utf8_lossy(input)
                )
            })
        })
        .collect();
    assert!(wrong.is_empty(), "{wrong:#?}");
}
