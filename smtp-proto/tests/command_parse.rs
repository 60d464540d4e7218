//! (input, expected) tables for `parse_command`: RFC 5321 Appendix D scenarios and the examples
//! of RFC 1870, 3030, 3461, 4954, 6152, 6531, 6710 and 8689; every valid line is also built
//! back with `write_to` and re-parsed.

use std::borrow::Cow;

use smtp_proto::parse::command::{CommandError, parse_command};
use smtp_proto::types::address::{
    AddressLiteral, Domain, ForwardPath, Host, LocalPart, Mailbox, ReversePath,
};
use smtp_proto::types::command::{
    Body, Command, MailFrom, MailParams, Notify, Orcpt, Param, Rcpt, RcptParams, Ret,
};

fn mbox<'a>(local: &'a str, domain: &'a str) -> Mailbox<'a> {
    Mailbox {
        local_part: LocalPart::try_from(local).unwrap(),
        host: Host::Domain(Domain::try_from(domain).unwrap()),
    }
}

fn dom(d: &str) -> Host<'_> {
    Host::Domain(Domain::try_from(d).unwrap())
}

fn mail<'a>(path: ReversePath<'a>, params: MailParams<'a>) -> Command<'a> {
    Command::Mail(MailFrom { path, params })
}

fn from<'a>(local: &'a str, domain: &'a str) -> ReversePath<'a> {
    ReversePath::Mailbox(mbox(local, domain))
}

fn rcpt<'a>(local: &'a str, domain: &'a str, params: RcptParams<'a>) -> Command<'a> {
    Command::Rcpt(Rcpt {
        path: ForwardPath::Mailbox(mbox(local, domain)),
        params,
    })
}

fn notify(success: bool, failure: bool, delay: bool) -> Option<Notify> {
    Some(Notify::On {
        success,
        failure,
        delay,
    })
}

fn orcpt<'a>(t: &'a str, a: &'a str) -> Option<Orcpt<'a>> {
    Some(Orcpt {
        addr_type: t.into(),
        addr: a.into(),
    })
}

fn check(cases: Vec<(&str, Command<'_>)>) {
    for (line, want) in cases {
        let got = parse_command(line.as_bytes());
        assert_eq!(got.as_ref(), Ok(&want), "parsing {line:?}");
        let mut built = Vec::new();
        want.write_to(&mut built);
        assert!(built.ends_with(b"\r\n"), "{line:?}");
        let again = parse_command(&built[..built.len() - 2]);
        assert_eq!(
            again,
            Ok(want),
            "re-parsing {:?}",
            String::from_utf8_lossy(&built)
        );
    }
}

#[test]
fn rfc5321_appendix_d() {
    check(vec![
        // D.1 A Typical SMTP Transaction Scenario
        (
            "EHLO bar.com",
            Command::Ehlo {
                host: dom("bar.com"),
            },
        ),
        (
            "MAIL FROM:<Smith@bar.com>",
            mail(from("Smith", "bar.com"), MailParams::default()),
        ),
        (
            "RCPT TO:<Jones@foo.com>",
            rcpt("Jones", "foo.com", RcptParams::default()),
        ),
        (
            "RCPT TO:<Green@foo.com>",
            rcpt("Green", "foo.com", RcptParams::default()),
        ),
        (
            "RCPT TO:<Brown@foo.com>",
            rcpt("Brown", "foo.com", RcptParams::default()),
        ),
        ("DATA", Command::Data),
        ("QUIT", Command::Quit),
        // D.2 Aborted SMTP Transaction Scenario
        ("RSET", Command::Rset),
        // D.3 Relayed Mail Scenario
        (
            "RCPT TO:<Jones@XYZ.COM>",
            rcpt("Jones", "XYZ.COM", RcptParams::default()),
        ),
        (
            "HELO foo.com",
            Command::Helo {
                host: dom("foo.com"),
            },
        ),
        // D.4 Verifying and Sending Scenario
        ("VRFY Crispin", Command::Vrfy("Crispin".into())),
        (
            "MAIL FROM:<EAK@bar.com>",
            mail(from("EAK", "bar.com"), MailParams::default()),
        ),
        (
            "RCPT TO:<Admin.MRC@foo.com>",
            rcpt("Admin.MRC", "foo.com", RcptParams::default()),
        ),
        // Appendix C: source routes are accepted and ignored.
        (
            "RCPT TO:<@hosta.int,@jkl.org:userc@d.bar.org>",
            rcpt("userc", "d.bar.org", RcptParams::default()),
        ),
        (
            "EXPN Example-People",
            Command::Expn("Example-People".into()),
        ),
        ("HELP", Command::Help(None)),
        ("HELP MAIL", Command::Help(Some("MAIL".into()))),
        ("NOOP", Command::Noop(None)),
        (
            "NOOP hello there",
            Command::Noop(Some("hello there".into())),
        ),
        (
            "MAIL FROM:<>",
            mail(ReversePath::Null, MailParams::default()),
        ),
        (
            "RCPT TO:<Postmaster>",
            Command::Rcpt(Rcpt {
                path: ForwardPath::Postmaster,
                params: RcptParams::default(),
            }),
        ),
        (
            "RCPT TO:<postmaster@example.com>",
            rcpt("postmaster", "example.com", RcptParams::default()),
        ),
        ("STARTTLS", Command::StartTls),
        ("ETRN @example.com", Command::Etrn("@example.com".into())),
        (
            "LHLO mail.example.com",
            Command::Lhlo {
                host: dom("mail.example.com"),
            },
        ),
        (
            "EHLO [192.0.2.1]",
            Command::Ehlo {
                host: Host::Literal(AddressLiteral::Ipv4("192.0.2.1".parse().unwrap())),
            },
        ),
        (
            "EHLO [IPv6:2001:db8::1]",
            Command::Ehlo {
                host: Host::Literal(AddressLiteral::Ipv6("2001:db8::1".parse().unwrap())),
            },
        ),
    ]);
}

#[test]
fn extension_examples() {
    check(vec![
        // RFC 1870 §6
        (
            "MAIL FROM:<ned@thor.innosoft.com> SIZE=500000",
            mail(
                from("ned", "thor.innosoft.com"),
                MailParams {
                    size: Some(500_000),
                    ..Default::default()
                },
            ),
        ),
        // RFC 6152 §3 and RFC 3030 §6
        (
            "MAIL FROM:<ned@ymir.claremont.edu> BODY=8BITMIME",
            mail(
                from("ned", "ymir.claremont.edu"),
                MailParams {
                    body: Some(Body::EightBitMime),
                    ..Default::default()
                },
            ),
        ),
        (
            "MAIL FROM:<Sam@Random.com> BODY=BINARYMIME SIZE=2000000",
            mail(
                from("Sam", "Random.com"),
                MailParams {
                    body: Some(Body::BinaryMime),
                    size: Some(2_000_000),
                    ..Default::default()
                },
            ),
        ),
        (
            "BDAT 86 LAST",
            Command::Bdat {
                size: 86,
                last: true,
            },
        ),
        (
            "BDAT 100000",
            Command::Bdat {
                size: 100_000,
                last: false,
            },
        ),
        (
            "BDAT 0 LAST",
            Command::Bdat {
                size: 0,
                last: true,
            },
        ),
        // RFC 3461 §9 (DSN examples)
        (
            "MAIL FROM:<Alice@Example.ORG> RET=HDRS ENVID=QQ314159",
            mail(
                from("Alice", "Example.ORG"),
                MailParams {
                    ret: Some(Ret::Hdrs),
                    envid: Some("QQ314159".into()),
                    ..Default::default()
                },
            ),
        ),
        (
            "RCPT TO:<Bob@Example.COM> NOTIFY=SUCCESS ORCPT=rfc822;Bob@Example.COM",
            rcpt(
                "Bob",
                "Example.COM",
                RcptParams {
                    notify: notify(true, false, false),
                    orcpt: orcpt("rfc822", "Bob@Example.COM"),
                    ..Default::default()
                },
            ),
        ),
        (
            "RCPT TO:<Dana@Ivory.EDU> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;Dana@Ivory.EDU",
            rcpt(
                "Dana",
                "Ivory.EDU",
                RcptParams {
                    notify: notify(true, true, false),
                    orcpt: orcpt("rfc822", "Dana@Ivory.EDU"),
                    ..Default::default()
                },
            ),
        ),
        (
            "RCPT TO:<Fred@Bombs.AF.MIL> NOTIFY=NEVER",
            rcpt(
                "Fred",
                "Bombs.AF.MIL",
                RcptParams {
                    notify: Some(Notify::Never),
                    ..Default::default()
                },
            ),
        ),
        (
            "RCPT TO:<a@b.c> NOTIFY=delay,Failure ORCPT=rfc822;a+2Bb@b.c",
            rcpt(
                "a",
                "b.c",
                RcptParams {
                    notify: notify(false, true, true),
                    orcpt: orcpt("rfc822", "a+b@b.c"),
                    ..Default::default()
                },
            ),
        ),
        (
            "MAIL FROM:<a@b.c> RET=FULL ENVID=id+2B1",
            mail(
                from("a", "b.c"),
                MailParams {
                    ret: Some(Ret::Full),
                    envid: Some(Cow::Owned("id+1".into())),
                    ..Default::default()
                },
            ),
        ),
        // RFC 6531 §3.7 / RFC 6530 style addresses
        (
            "MAIL FROM:<用户@例子.广告> SMTPUTF8",
            mail(
                from("用户", "例子.广告"),
                MailParams {
                    smtputf8: true,
                    ..Default::default()
                },
            ),
        ),
        (
            "RCPT TO:<pelé@example.com>",
            rcpt("pelé", "example.com", RcptParams::default()),
        ),
        // RFC 4954 §4, §5, §6
        (
            "AUTH PLAIN dGVzdAB0ZXN0ADEyMzQ=",
            Command::Auth {
                mechanism: "PLAIN".into(),
                initial_response: Some(sasl::Secret::new(Cow::Borrowed(b"dGVzdAB0ZXN0ADEyMzQ="))),
            },
        ),
        (
            "AUTH PLAIN =",
            Command::Auth {
                mechanism: "PLAIN".into(),
                initial_response: Some(sasl::Secret::new(Cow::Borrowed(b"="))),
            },
        ),
        (
            "AUTH cram-md5",
            Command::Auth {
                mechanism: "CRAM-MD5".into(),
                initial_response: None,
            },
        ),
        (
            "MAIL FROM:<e=mc2@example.com> AUTH=e+3Dmc2@example.com",
            mail(
                from("e=mc2", "example.com"),
                MailParams {
                    auth: Some(Some(mbox("e=mc2", "example.com"))),
                    ..Default::default()
                },
            ),
        ),
        (
            "MAIL FROM:<a@b.c> AUTH=<>",
            mail(
                from("a", "b.c"),
                MailParams {
                    auth: Some(None),
                    ..Default::default()
                },
            ),
        ),
        // RFC 8689 §4.1
        (
            "MAIL FROM:<roger@example.com> REQUIRETLS",
            mail(
                from("roger", "example.com"),
                MailParams {
                    requiretls: true,
                    ..Default::default()
                },
            ),
        ),
        // RFC 6710 §3
        (
            "MAIL FROM:<eljefe@example.com> MT-PRIORITY=6",
            mail(
                from("eljefe", "example.com"),
                MailParams {
                    mt_priority: Some(6),
                    ..Default::default()
                },
            ),
        ),
        (
            "MAIL FROM:<a@b.c> MT-PRIORITY=-9",
            mail(
                from("a", "b.c"),
                MailParams {
                    mt_priority: Some(-9),
                    ..Default::default()
                },
            ),
        ),
        // Unknown parameters are kept.
        (
            "MAIL FROM:<a@b.c> X-FOO=bar HOLDFOR=10 XFLAG",
            mail(
                from("a", "b.c"),
                MailParams {
                    other: vec![
                        Param {
                            keyword: "X-FOO".into(),
                            value: Some("bar".into()),
                        },
                        Param {
                            keyword: "HOLDFOR".into(),
                            value: Some("10".into()),
                        },
                        Param {
                            keyword: "XFLAG".into(),
                            value: None,
                        },
                    ],
                    ..Default::default()
                },
            ),
        ),
        (
            "RCPT TO:<a@b.c> X-Y=é",
            rcpt(
                "a",
                "b.c",
                RcptParams {
                    other: vec![Param {
                        keyword: "X-Y".into(),
                        value: Some("é".into()),
                    }],
                    ..Default::default()
                },
            ),
        ),
    ]);
}

#[test]
fn tolerated_deviations() {
    let cases: &[(&str, &str)] = &[
        ("mail from:<a@b.c>", "MAIL FROM:<a@b.c>"),
        ("MAIL FROM: <a@b.c>", "MAIL FROM:<a@b.c>"),
        ("MAIL FROM:a@b.c", "MAIL FROM:<a@b.c>"),
        (
            "RCPT TO:  <a@b.c>  NOTIFY=NEVER  ",
            "RCPT TO:<a@b.c> NOTIFY=NEVER",
        ),
        ("rcpt to:<POSTMASTER>", "RCPT TO:<Postmaster>"),
        ("QUIT ", "QUIT"),
        ("ehlo   example.com\t", "EHLO example.com"),
        (
            "MAIL FROM:<a@b.c> size=10 body=8bitmime smtputf8",
            "MAIL FROM:<a@b.c> SIZE=10 BODY=8BITMIME SMTPUTF8",
        ),
        ("MAIL FROM:<\"a\"@b.c>", "MAIL FROM:<a@b.c>"),
        ("StartTLS", "STARTTLS"),
    ];
    for (input, normal) in cases {
        let a = parse_command(input.as_bytes()).unwrap_or_else(|e| panic!("{input:?}: {e}"));
        let b = parse_command(normal.as_bytes()).unwrap();
        assert_eq!(a, b, "{input:?}");
        assert_eq!(a.to_bytes(), format!("{normal}\r\n").into_bytes());
    }
}

#[test]
fn errors() {
    use CommandError as E;
    let kw = |k: &str| k.to_owned();
    let cases: Vec<(&[u8], CommandError)> = vec![
        (b"", E::Empty),
        (b"   ", E::Empty),
        (b"FOO", E::UnknownVerb),
        (b"FOOBAR x", E::UnknownVerb),
        (b"MAILX FROM:<a@b.c>", E::UnknownVerb),
        (b"DATA\r", E::InvalidByte { byte: b'\r', at: 4 }),
        (b"NOOP a\nb", E::InvalidByte { byte: b'\n', at: 6 }),
        (b"NOOP \0", E::InvalidByte { byte: 0, at: 5 }),
        (b"NOOP \xff", E::InvalidUtf8 { at: 5 }),
        (b"EHLO", E::MissingArgument { verb: "EHLO" }),
        (b"HELO ", E::MissingArgument { verb: "HELO" }),
        (b"VRFY", E::MissingArgument { verb: "VRFY" }),
        (b"EXPN", E::MissingArgument { verb: "EXPN" }),
        (b"ETRN", E::MissingArgument { verb: "ETRN" }),
        (b"AUTH", E::MissingArgument { verb: "AUTH" }),
        (b"BDAT", E::MissingArgument { verb: "BDAT" }),
        (b"MAIL FROM:", E::MissingArgument { verb: "MAIL" }),
        (b"RCPT TO:", E::MissingArgument { verb: "RCPT" }),
        (b"DATA x", E::UnexpectedArgument { verb: "DATA" }),
        (b"RSET x", E::UnexpectedArgument { verb: "RSET" }),
        (b"QUIT now", E::UnexpectedArgument { verb: "QUIT" }),
        (b"STARTTLS x", E::UnexpectedArgument { verb: "STARTTLS" }),
        (b"EHLO a.b c", E::UnexpectedArgument { verb: "EHLO" }),
        (b"AUTH PLAIN a b", E::UnexpectedArgument { verb: "AUTH" }),
        (b"HELO [192.0.2.1]", E::BadHost { at: 5 }),
        (b"EHLO -a.com", E::BadHost { at: 5 }),
        (b"EHLO a_b.com", E::BadHost { at: 6 }),
        (b"EHLO [300.1.1.1]", E::BadHost { at: 6 }),
        (b"MAIL TO:<a@b.c>", E::ExpectedFrom),
        (b"MAIL", E::ExpectedFrom),
        (b"RCPT FROM:<a@b.c>", E::ExpectedTo),
        (b"MAIL FROM:<a@>", E::BadSender { at: 13 }),
        (b"MAIL FROM:<a@b.c", E::BadSender { at: 16 }),
        (b"MAIL FROM:<a@b.c>x", E::BadSender { at: 17 }),
        (b"RCPT TO:<a b@c.d>", E::BadPath { at: 10 }),
        (b"RCPT TO:<a..b@c.d>", E::BadPath { at: 10 }),
        (b"RCPT TO:<>", E::BadPath { at: 9 }),
        (b"RCPT TO:<@a:b@c.d", E::BadPath { at: 17 }),
        (b"MAIL FROM:<a@b.c> =x", E::BadParameter { at: 18 }),
        (b"MAIL FROM:<a@b.c> SIZE=", E::BadParameter { at: 18 }),
        (b"MAIL FROM:<a@b.c> -X", E::BadParameter { at: 18 }),
        (
            b"MAIL FROM:<a@b.c> SIZE=12x",
            E::BadParameterValue {
                keyword: kw("SIZE"),
            },
        ),
        (
            b"MAIL FROM:<a@b.c> SIZE=99999999999999999999",
            E::BadParameterValue {
                keyword: kw("SIZE"),
            },
        ),
        (
            b"MAIL FROM:<a@b.c> SIZE",
            E::BadParameterValue {
                keyword: kw("SIZE"),
            },
        ),
        (
            b"MAIL FROM:<a@b.c> BODY=9BIT",
            E::BadParameterValue {
                keyword: kw("BODY"),
            },
        ),
        (
            b"MAIL FROM:<a@b.c> SMTPUTF8=yes",
            E::BadParameterValue {
                keyword: kw("SMTPUTF8"),
            },
        ),
        (
            b"MAIL FROM:<a@b.c> RET=ALL",
            E::BadParameterValue { keyword: kw("RET") },
        ),
        (
            b"MAIL FROM:<a@b.c> ENVID=a+zz",
            E::BadParameterValue {
                keyword: kw("ENVID"),
            },
        ),
        (
            b"MAIL FROM:<a@b.c> AUTH=nobody",
            E::BadParameterValue {
                keyword: kw("AUTH"),
            },
        ),
        (
            b"MAIL FROM:<a@b.c> REQUIRETLS=1",
            E::BadParameterValue {
                keyword: kw("REQUIRETLS"),
            },
        ),
        (
            b"MAIL FROM:<a@b.c> MT-PRIORITY=10",
            E::BadParameterValue {
                keyword: kw("MT-PRIORITY"),
            },
        ),
        (
            b"RCPT TO:<a@b.c> NOTIFY=NEVER,DELAY",
            E::BadParameterValue {
                keyword: kw("NOTIFY"),
            },
        ),
        (
            b"RCPT TO:<a@b.c> NOTIFY=DELAY,DELAY",
            E::BadParameterValue {
                keyword: kw("NOTIFY"),
            },
        ),
        (
            b"RCPT TO:<a@b.c> NOTIFY=SOMETIMES",
            E::BadParameterValue {
                keyword: kw("NOTIFY"),
            },
        ),
        (
            b"RCPT TO:<a@b.c> ORCPT=Bob@Example.COM",
            E::BadParameterValue {
                keyword: kw("ORCPT"),
            },
        ),
        (
            b"MAIL FROM:<a@b.c> SIZE=1 size=2",
            E::DuplicateParameter {
                keyword: kw("SIZE"),
            },
        ),
        (
            b"MAIL FROM:<a@b.c> SMTPUTF8 SMTPUTF8",
            E::DuplicateParameter {
                keyword: kw("SMTPUTF8"),
            },
        ),
        (
            b"MAIL FROM:<a@b.c> X=1 x=2",
            E::DuplicateParameter { keyword: kw("X") },
        ),
        (
            b"RCPT TO:<a@b.c> NOTIFY=NEVER NOTIFY=NEVER",
            E::DuplicateParameter {
                keyword: kw("NOTIFY"),
            },
        ),
        (b"BDAT x", E::BadArgument { at: 5 }),
        (b"BDAT 10 FIRST", E::BadArgument { at: 8 }),
        (b"AUTH PL@IN", E::BadArgument { at: 5 }),
        (b"AUTH ABCDEFGHIJKLMNOPQRSTU", E::BadArgument { at: 5 }),
    ];
    for (line, want) in cases {
        let got = parse_command(line);
        assert_eq!(got, Err(want), "{:?}", String::from_utf8_lossy(line));
    }
}

#[test]
fn error_replies() {
    type Reply = (u16, (u8, u16, u16));
    let table: &[(&[u8], Reply)] = &[
        (b"FOO", (500, (5, 5, 1))),
        (b"DATA x", (501, (5, 5, 4))),
        (b"MAIL FROM:<a@>", (501, (5, 1, 7))),
        (b"RCPT TO:<a@>", (501, (5, 1, 3))),
        (b"MAIL FROM:<a@b.c> SIZE=x", (501, (5, 5, 4))),
        (b"NOOP \x00", (501, (5, 5, 2))),
    ];
    for (line, (code, enh)) in table {
        let e = parse_command(line).unwrap_err();
        assert_eq!((e.code(), e.enhanced()), (*code, *enh), "{e}");
        assert!(e.to_string().is_ascii());
    }
}
