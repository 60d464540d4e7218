use super::*;

fn m(n: u32) -> MsgNum {
    MsgNum::new(n).expect("non-zero")
}

fn secret(s: &str) -> Secret<Cow<'_, str>> {
    Secret::new(Cow::Borrowed(s))
}

/// The `C:` lines of every command's example section in RFC 1939 §5–§7, RFC 2449 §5, RFC 2595
/// §4, RFC 5034 §6 and RFC 6856 §2–§3.
#[test]
fn rfc_examples() {
    let cases: Vec<(&[u8], Command<'_>)> = vec![
        // RFC 1939 §5
        (b"STAT", Command::Stat),
        (b"LIST", Command::List(None)),
        (b"LIST 2", Command::List(Some(m(2)))),
        (b"LIST 3", Command::List(Some(m(3)))),
        (b"RETR 1", Command::Retr(m(1))),
        (b"DELE 1", Command::Dele(m(1))),
        (b"DELE 2", Command::Dele(m(2))),
        (b"NOOP", Command::Noop),
        (b"RSET", Command::Rset),
        // RFC 1939 §6
        (b"QUIT", Command::Quit),
        // RFC 1939 §7
        (
            b"TOP 1 10",
            Command::Top {
                msg: m(1),
                lines: 10,
            },
        ),
        (
            b"TOP 100 3",
            Command::Top {
                msg: m(100),
                lines: 3,
            },
        ),
        (b"UIDL", Command::Uidl(None)),
        (b"UIDL 2", Command::Uidl(Some(m(2)))),
        (b"UIDL 3", Command::Uidl(Some(m(3)))),
        (b"USER frated", Command::User("frated".into())),
        (b"USER mrose", Command::User("mrose".into())),
        (b"PASS secret", Command::Pass(secret("secret"))),
        (
            b"APOP mrose c4c9334bac560ecc979e58001b3e22fb",
            Command::Apop {
                name: "mrose".into(),
                digest: secret("c4c9334bac560ecc979e58001b3e22fb"),
            },
        ),
        // RFC 2449 §5, RFC 2595 §4
        (b"CAPA", Command::Capa),
        (b"STLS", Command::Stls),
        // RFC 5034 §6
        (
            b"AUTH GSSAPI",
            Command::Auth {
                mechanism: "GSSAPI".into(),
                initial_response: None,
            },
        ),
        (
            b"AUTH PLAIN dGVzdAB0ZXN0AHRlc3Q=",
            Command::Auth {
                mechanism: "PLAIN".into(),
                initial_response: Some(secret("dGVzdAB0ZXN0AHRlc3Q=")),
            },
        ),
        (
            b"AUTH PLAIN =",
            Command::Auth {
                mechanism: "PLAIN".into(),
                initial_response: Some(secret("=")),
            },
        ),
        (b"AUTH", Command::AuthList),
        // RFC 6856 §2–§3
        (b"UTF8", Command::Utf8),
        (b"LANG", Command::Lang(None)),
        (b"LANG es", Command::Lang(Some(LangArg::Tag("es".into())))),
        (b"LANG uga", Command::Lang(Some(LangArg::Tag("uga".into())))),
        (b"LANG *", Command::Lang(Some(LangArg::Wildcard))),
        (b"USER \xc3\xa9l\xc3\xa8ve", Command::User("élève".into())),
    ];
    for (line, want) in cases {
        assert_eq!(
            parse_command(line),
            Ok(want),
            "{:?}",
            String::from_utf8_lossy(line)
        );
    }
}

#[test]
fn tolerated_forms() {
    let cases: Vec<(&[u8], Command<'_>)> = vec![
        (b"stat", Command::Stat),
        (b"Retr 7", Command::Retr(m(7))),
        (b"LIST  2 ", Command::List(Some(m(2)))),
        (
            b"top\t1\t0",
            Command::Top {
                msg: m(1),
                lines: 0,
            },
        ),
        (b"QUIT  ", Command::Quit),
        (b"LIST 4294967295", Command::List(Some(m(u32::MAX)))),
        (b"LIST 007", Command::List(Some(m(7)))),
        // PASS keeps spaces, leading and trailing ones included.
        (b"PASS my secret ", Command::Pass(secret("my secret "))),
        (b"PASS  x", Command::Pass(secret(" x"))),
        (
            b"auth plain",
            Command::Auth {
                mechanism: Cow::Owned("PLAIN".into()),
                initial_response: None,
            },
        ),
    ];
    for (line, want) in cases {
        assert_eq!(
            parse_command(line),
            Ok(want),
            "{:?}",
            String::from_utf8_lossy(line)
        );
    }
}

#[test]
fn errors() {
    let long_line = [b"USER ".as_slice(), &[b'a'; 249]].concat();
    let too_long_arg = [b"USER ".as_slice(), &[b'a'; 41]].concat();
    let long_auth = [b"AUTH PLAIN ".as_slice(), &[b'A'; 200]].concat();
    let cases: Vec<(&[u8], CommandError)> = vec![
        (b"", CommandError::Empty),
        (b"   ", CommandError::Empty),
        (b"HELO x", CommandError::UnknownCommand),
        (b"STATS", CommandError::UnknownCommand),
        (b" STAT", CommandError::UnknownCommand),
        (b"ST", CommandError::UnknownCommand),
        (&long_line, CommandError::LineTooLong { len: 256, max: 255 }),
        (
            &too_long_arg,
            CommandError::ArgumentTooLong {
                at: 5,
                len: 41,
                max: 40,
            },
        ),
        (b"STAT\r", CommandError::InvalidByte { byte: b'\r', at: 4 }),
        (b"USER a\0b", CommandError::InvalidByte { byte: 0, at: 6 }),
        (b"USER \xff", CommandError::InvalidUtf8 { at: 5 }),
        (b"RETR", CommandError::MissingArgument { keyword: "RETR" }),
        (b"RETR ", CommandError::MissingArgument { keyword: "RETR" }),
        (b"PASS", CommandError::MissingArgument { keyword: "PASS" }),
        (b"PASS ", CommandError::MissingArgument { keyword: "PASS" }),
        (b"USER", CommandError::MissingArgument { keyword: "USER" }),
        (b"TOP 1", CommandError::MissingArgument { keyword: "TOP" }),
        (
            b"APOP mrose",
            CommandError::MissingArgument { keyword: "APOP" },
        ),
        (
            b"STAT 1",
            CommandError::UnexpectedArgument { keyword: "STAT" },
        ),
        (
            b"LIST 1 2",
            CommandError::UnexpectedArgument { keyword: "LIST" },
        ),
        (
            b"USER a b",
            CommandError::UnexpectedArgument { keyword: "USER" },
        ),
        (b"RETR 0", CommandError::BadMessageNumber { at: 5 }),
        (b"RETR -1", CommandError::BadMessageNumber { at: 5 }),
        (b"RETR +1", CommandError::BadMessageNumber { at: 5 }),
        (b"RETR 1x", CommandError::BadMessageNumber { at: 5 }),
        (b"DELE 4294967296", CommandError::BadMessageNumber { at: 5 }),
        (
            b"LIST 99999999999999999999",
            CommandError::BadMessageNumber { at: 5 },
        ),
        (b"TOP 1 -1", CommandError::BadNumber { at: 6 }),
        (b"TOP 1 4294967296", CommandError::BadNumber { at: 6 }),
        (
            b"APOP mrose C4C9334BAC560ECC979E58001B3E22FB",
            CommandError::BadDigest { at: 11 },
        ),
        (b"APOP mrose c4c9", CommandError::BadDigest { at: 11 }),
        (b"AUTH PL@IN", CommandError::BadArgument { at: 5 }),
        (b"AUTH PLAIN a!b", CommandError::BadArgument { at: 11 }),
        (b"LANG e$", CommandError::BadArgument { at: 5 }),
        (b"LANG 1a", CommandError::BadArgument { at: 5 }),
    ];
    for (line, want) in cases {
        assert_eq!(
            parse_command(line),
            Err(want),
            "{:?}",
            String::from_utf8_lossy(line)
        );
    }
    // The AUTH initial response is exempt from the 40-octet argument limit (RFC 5034 §4).
    assert!(matches!(
        parse_command(&long_auth),
        Ok(Command::Auth {
            initial_response: Some(_),
            ..
        })
    ));
    // Exactly at the limits.
    let at_limit = [b"USER ".as_slice(), &[b'a'; 40]].concat();
    assert!(parse_command(&at_limit).is_ok());
    let line_253 = [b"AUTH PLAIN ".as_slice(), &[b'A'; 242]].concat();
    assert_eq!(line_253.len(), 253);
    assert!(parse_command(&line_253).is_ok());
}

#[test]
fn relaxed_limits() {
    let limits = CommandLimits {
        max_line: 1000,
        max_argument: 200,
    };
    let long_pass = [b"PASS ".as_slice(), &[b'p'; 100]].concat();
    assert!(matches!(
        parse_command(&long_pass),
        Err(CommandError::ArgumentTooLong { len: 100, .. })
    ));
    assert!(matches!(
        parse_command_with(&long_pass, &limits),
        Ok(Command::Pass(_))
    ));
}

#[test]
fn error_response_is_err_line() {
    let r = CommandError::UnknownCommand.response();
    assert!(!r.is_ok());
    assert_eq!(r.text, "Unknown command");
}
