//! proptest: any valid `Command` written with `write_to` parses back to the same value.

use std::borrow::Cow;
use std::net::{Ipv4Addr, Ipv6Addr};

use proptest::prelude::*;
use smtp_proto::parse::command::parse_command;
use smtp_proto::types::address::{
    AddressLiteral, Domain, ForwardPath, Host, LocalPart, Mailbox, ReversePath,
};
use smtp_proto::types::command::{
    Body, Command, MailFrom, MailParams, Notify, Orcpt, Param, Rcpt, RcptParams, Ret,
};

fn domain() -> impl Strategy<Value = Domain<'static>> {
    let label = prop_oneof![
        4 => "[a-zA-Z0-9]([a-zA-Z0-9-]{0,8}[a-zA-Z0-9])?",
        1 => "[α-ω例子广告]{1,4}",
    ];
    prop::collection::vec(label, 1..4).prop_map(|labels| {
        let text = labels.join(".");
        Domain::try_from(text.as_str())
            .expect("generated domain")
            .into_owned()
    })
}

fn literal() -> impl Strategy<Value = AddressLiteral> {
    prop_oneof![
        any::<[u8; 4]>().prop_map(|o| AddressLiteral::Ipv4(Ipv4Addr::from(o))),
        any::<[u16; 8]>().prop_map(|g| AddressLiteral::Ipv6(Ipv6Addr::from(g))),
        any::<[u8; 4]>().prop_map(|o| AddressLiteral::Ipv6(Ipv4Addr::from(o).to_ipv6_mapped())),
        ("[a-zA-Z][a-zA-Z0-9-]{0,5}[a-zA-Z0-9]", "[!-Z^-~]{1,10}")
            .prop_filter("IPv6 tag", |(t, _)| !t.eq_ignore_ascii_case("IPv6"))
            .prop_map(|(tag, content)| AddressLiteral::General { tag, content }),
    ]
}

fn host() -> impl Strategy<Value = Host<'static>> {
    prop_oneof![
        3 => domain().prop_map(Host::Domain),
        1 => literal().prop_map(Host::Literal),
    ]
}

fn local_part() -> impl Strategy<Value = LocalPart<'static>> {
    prop_oneof![
        "[a-zA-Z0-9!#$%&'*+/=?^_`{|}~-]{1,8}(\\.[a-zA-Z0-9_+-]{1,5}){0,2}",
        "[ -~]{0,12}",
        "[a-zé用户]{1,6}",
    ]
    .prop_map(|v| {
        LocalPart::try_from(v.as_str())
            .expect("generated local part")
            .into_owned()
    })
}

fn mailbox() -> impl Strategy<Value = Mailbox<'static>> {
    (local_part(), host()).prop_map(|(local_part, host)| Mailbox { local_part, host })
}

fn others() -> impl Strategy<Value = Vec<Param<'static>>> {
    prop::collection::btree_map("X-[A-Z0-9]{1,6}", prop::option::of("[!-<>-~]{1,10}"), 0..3)
        .prop_map(|m| {
            m.into_iter()
                .map(|(k, v)| Param {
                    keyword: Cow::Owned(k),
                    value: v.map(Cow::Owned),
                })
                .collect()
        })
}

fn mail_params() -> impl Strategy<Value = MailParams<'static>> {
    (
        (
            prop::option::of(any::<u64>()),
            prop::option::of(prop_oneof![
                Just(Body::SevenBit),
                Just(Body::EightBitMime),
                Just(Body::BinaryMime)
            ]),
            any::<bool>(),
            prop::option::of(prop_oneof![Just(Ret::Full), Just(Ret::Hdrs)]),
            prop::option::of("[ -~]{1,30}"),
        ),
        (
            prop::option::of(prop::option::of(mailbox())),
            any::<bool>(),
            prop::option::of(-9i8..=9),
            others(),
        ),
    )
        .prop_map(
            |((size, body, smtputf8, ret, envid), (auth, requiretls, mt_priority, other))| {
                MailParams {
                    size,
                    body,
                    smtputf8,
                    ret,
                    envid: envid.map(Cow::Owned),
                    auth,
                    requiretls,
                    mt_priority,
                    other,
                }
            },
        )
}

fn rcpt_params() -> impl Strategy<Value = RcptParams<'static>> {
    let notify = prop_oneof![
        Just(Notify::Never),
        (any::<bool>(), any::<bool>(), any::<bool>())
            .prop_filter("non-empty", |(s, f, d)| *s || *f || *d)
            .prop_map(|(success, failure, delay)| Notify::On {
                success,
                failure,
                delay
            }),
    ];
    let orcpt =
        (prop_oneof![Just("rfc822"), Just("utf-8")], "[ -~]{0,40}").prop_map(|(t, a)| Orcpt {
            addr_type: Cow::Borrowed(t),
            addr: Cow::Owned(a),
        });
    (prop::option::of(notify), prop::option::of(orcpt), others()).prop_map(
        |(notify, orcpt, other)| RcptParams {
            notify,
            orcpt,
            other,
        },
    )
}

fn text() -> impl Strategy<Value = Cow<'static, str>> {
    "[!-~é]([ -~é]{0,10}[!-~é])?".prop_map(Cow::Owned)
}

fn command() -> impl Strategy<Value = Command<'static>> {
    prop_oneof![
        host().prop_map(|host| Command::Ehlo { host }),
        domain().prop_map(|d| Command::Helo {
            host: Host::Domain(d)
        }),
        host().prop_map(|host| Command::Lhlo { host }),
        (
            prop_oneof![
                1 => Just(ReversePath::Null),
                4 => mailbox().prop_map(ReversePath::Mailbox)
            ],
            mail_params()
        )
            .prop_map(|(path, params)| Command::Mail(MailFrom { path, params })),
        (
            prop_oneof![
                1 => Just(ForwardPath::Postmaster),
                4 => mailbox().prop_map(ForwardPath::Mailbox)
            ],
            rcpt_params()
        )
            .prop_map(|(path, params)| Command::Rcpt(Rcpt { path, params })),
        Just(Command::Data),
        (any::<u64>(), any::<bool>()).prop_map(|(size, last)| Command::Bdat { size, last }),
        Just(Command::Rset),
        text().prop_map(Command::Vrfy),
        text().prop_map(Command::Expn),
        prop::option::of(text()).prop_map(Command::Help),
        prop::option::of(text()).prop_map(Command::Noop),
        Just(Command::Quit),
        Just(Command::StartTls),
        (
            "[A-Z0-9_-]{1,20}",
            prop::option::of("[A-Za-z0-9+/]{0,30}=?")
        )
            .prop_map(|(m, r)| {
                Command::Auth {
                    mechanism: Cow::Owned(m),
                    initial_response: r
                        .filter(|r| !r.is_empty())
                        .map(|r| sasl::Secret::new(Cow::Owned(r.into_bytes()))),
                }
            }),
        text().prop_map(Command::Etrn),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn write_then_parse_gives_the_same_command(cmd in command()) {
        let mut line = Vec::new();
        cmd.write_to(&mut line);
        prop_assert!(line.ends_with(b"\r\n"));
        let body = &line[..line.len() - 2];
        prop_assert!(!body.contains(&b'\r') && !body.contains(&b'\n'));
        let parsed = parse_command(body);
        prop_assert_eq!(parsed.as_ref(), Ok(&cmd), "line {:?}", String::from_utf8_lossy(&line));
        // into_owned keeps the value.
        prop_assert_eq!(parsed.map(Command::into_owned), Ok(cmd));
    }
}
