//! Accepted deviations, errors, consumed lengths and the encoder's wait points.

use super::*;

#[test]
fn deviations_accepted() {
    // Trailing spaces before CRLF (several clients).
    let (c, _) = Command::parse(b"a NOOP \r\n").unwrap();
    assert_eq!(c.body, B::Noop);
    let (c, _) = Command::parse(b"a FETCH 1 (FLAGS UID ) \r\n").unwrap();
    assert_eq!(
        c.body,
        B::Fetch {
            uid: false,
            set: set("1"),
            items: FetchItems::Attrs(vec![FetchAttr::Flags, FetchAttr::Uid]),
            modifiers: FetchModifiers::default(),
        }
    );
    // Mixed case "UID fetch".
    let (c, _) = Command::parse(b"a UID fetch 1 flags\r\n").unwrap();
    assert_eq!(c.name(), "UID FETCH");
    // CHANGEDSINCE 0.
    let (c, _) = Command::parse(b"a UID FETCH 1:* (FLAGS) (CHANGEDSINCE 0)\r\n").unwrap();
    assert!(matches!(
        c.body,
        B::Fetch {
            modifiers: FetchModifiers {
                changed_since: Some(0),
                ..
            },
            ..
        }
    ));
    // A raw "&" in a mailbox name.
    let (c, _) = Command::parse(b"a SELECT \"Tom & Jerry\"\r\n").unwrap();
    match c.body {
        B::Select { mailbox, .. } => assert_eq!(mailbox.name(false), "Tom & Jerry"),
        other => panic!("{other:?}"),
    }
    // \Recent in STORE: parsed (the server ignores it).
    let (c, _) = Command::parse(b"a STORE 1 +FLAGS (\\Recent)\r\n").unwrap();
    assert!(matches!(c.body, B::Store { ref flags, .. } if flags == &[Flag::Recent]));
    // BODY[]<0> without a length: from the offset to the end.
    let (c, _) = Command::parse(b"a FETCH 1 BODY[]<0>\r\n").unwrap();
    assert!(matches!(
        c.body,
        B::Fetch { items: FetchItems::Attrs(ref v), .. }
            if v == &[FetchAttr::BodySection {
                peek: false,
                section: Section::whole(),
                partial: Some(Partial { offset: 0, length: None }),
            }]
    ));
    // A bare LF ends a command.
    assert_eq!(Command::parse(b"a NOOP\n").unwrap().1, 7);
    // Bare flags in STORE (RFC 9051 grammar) and an empty flag list.
    let (c, _) = Command::parse(b"a STORE 1 FLAGS \\Seen \\Flagged\r\n").unwrap();
    assert!(matches!(c.body, B::Store { ref flags, .. } if flags == &[Flag::Seen, Flag::Flagged]));
}

#[test]
fn errors_are_invalid_and_unknown_commands_distinct() {
    assert_eq!(
        Command::parse(b"a FROB x\r\n"),
        Err(ParseError::Invalid {
            at: 2,
            expected: UNKNOWN_COMMAND
        })
    );
    assert_eq!(
        Command::parse(b"a XAVERYLONGCOMMANDNAMETHATISLONGERTHANANY\r\n"),
        Err(ParseError::Invalid {
            at: 2,
            expected: UNKNOWN_COMMAND
        })
    );
    for bad in [
        &b"a\r\n"[..],
        b"+ NOOP\r\n",
        b"a NOOP x\r\n",
        b"a UID NOOP\r\n",
        b"a SELECT\r\n",
        b"a SELECT INBOX (FOO)\r\n",
        b"a LOGIN \"unterminated\r\n",
        b"a STATUS INBOX ()\r\n",
        b"a STATUS INBOX (FOO)\r\n",
        b"a CREATE x (USE (Drafts))\r\n",
        b"a STORE 1 FLAGZ (\\Seen)\r\n",
        b"a STORE 1 (FOO 1) FLAGS (\\Seen)\r\n",
        b"a COPY 1:x foo\r\n",
        b"a SETQUOTA \"\" (STORAGE x)\r\n",
        b"a ID (\"a\")\r\n",
        b"a FETCH 99999999999 FLAGS\r\n",
        // NUL in a quoted string (found by the fuzzer: it re-encoded as a literal with NUL).
        b"A282 SEARCH FROM \"Smi\0th\"\r\n",
    ] {
        let r = Command::parse(bad);
        assert!(
            matches!(
                r,
                Err(ParseError::Invalid { .. } | ParseError::NumberTooLarge { .. })
            ),
            "{}: {r:?}",
            String::from_utf8_lossy(bad)
        );
        assert_ne!(
            r,
            Err(ParseError::Invalid {
                at: 2,
                expected: UNKNOWN_COMMAND
            })
        );
    }
}

#[test]
fn consumed_length_stops_at_the_first_command() {
    let input = b"a NOOP\r\nb LOGOUT\r\n";
    let (c, n) = Command::parse(input).unwrap();
    assert_eq!(c.body, B::Noop);
    assert_eq!(n, 8);
    let (c, m) = Command::parse(&input[n..]).unwrap();
    assert_eq!(c.body, B::Logout);
    assert_eq!(n + m, input.len());
}

#[test]
fn sync_literals_make_the_encoder_wait() {
    let (cmd, _) = Command::parse(b"A001 LOGIN {11}\r\nFRED FOOBAR {7}\r\nfat man\r\n").unwrap();
    let mut e = Encoder::new(LiteralStyle::Sync);
    cmd.encode(&mut e);
    let frags: Vec<_> = e
        .fragments()
        .map(|f| (f.bytes.to_vec(), f.then_wait))
        .collect();
    assert_eq!(
        frags,
        vec![
            (b"A001 LOGIN {11}\r\n".to_vec(), true),
            (b"FRED FOOBAR {7}\r\n".to_vec(), true),
            (b"fat man\r\n".to_vec(), false),
        ]
    );
    let mut e = Encoder::new(LiteralStyle::NonSync { max: None });
    cmd.encode(&mut e);
    assert!(!e.has_waits());
    assert_eq!(
        e.as_bytes(),
        b"A001 LOGIN {11+}\r\nFRED FOOBAR {7+}\r\nfat man\r\n"
    );
}
