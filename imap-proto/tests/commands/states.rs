//! RFC 9051/3501 §6.1–§6.4 (no SEARCH/FETCH), SASL-IR, LITERAL+, LIST-EXTENDED, STATUS items, APPEND.

use super::*;

#[test]
fn rfc9051_any_state_and_not_authenticated() {
    // §6.1.1 – §6.1.3, §6.2.1 – §6.2.3
    check(b"abcd CAPABILITY\r\n", "abcd", &B::Capability);
    check(b"a002 NOOP\r\n", "a002", &B::Noop);
    check(b"A023 LOGOUT\r\n", "A023", &B::Logout);
    check(b"a002 STARTTLS\r\n", "a002", &B::StartTls);
    check(
        b"A001 AUTHENTICATE GSSAPI\r\n",
        "A001",
        &B::Authenticate {
            mechanism: at("GSSAPI"),
            initial_response: None,
        },
    );
    check(
        b"a001 LOGIN SMITH SESAME\r\n",
        "a001",
        &B::Login {
            username: ast("SMITH"),
            password: Secret::new(ast("SESAME")),
        },
    );
}

#[test]
fn rfc4959_sasl_ir() {
    check(
        b"a01 AUTHENTICATE PLAIN dGVzdAB0ZXN0AHRlc3Q=\r\n",
        "a01",
        &B::Authenticate {
            mechanism: at("PLAIN"),
            initial_response: Some(Secret::new(b"test\0test\0test".to_vec())),
        },
    );
    // "=" is the empty initial response.
    check(
        b"a02 AUTHENTICATE EXTERNAL =\r\n",
        "a02",
        &B::Authenticate {
            mechanism: at("EXTERNAL"),
            initial_response: Some(Secret::new(vec![])),
        },
    );
    assert!(matches!(
        Command::parse(b"a03 AUTHENTICATE PLAIN dGV*\r\n"),
        Err(ParseError::Invalid { .. })
    ));
    assert!(matches!(
        Command::parse(b"a03 AUTHENTICATE PLAIN dGV\r\n"),
        Err(ParseError::Invalid { .. })
    ));
    // The password never reaches Debug output.
    let (cmd, _) = Command::parse(b"a LOGIN fred hunter2\r\n").unwrap();
    assert!(!format!("{cmd:?}").contains("hunter2"));
    let (cmd, _) = Command::parse(b"a01 AUTHENTICATE PLAIN dGVzdAB0ZXN0AHRlc3Q=\r\n").unwrap();
    assert!(!format!("{cmd:?}").contains("test"));
}

#[test]
fn rfc7888_literals_in_login() {
    check(
        b"A001 LOGIN {11+}\r\nFRED FOOBAR {7+}\r\nfat man\r\n",
        "A001",
        &B::Login {
            username: ast("FRED FOOBAR"),
            password: Secret::new(ast("fat man")),
        },
    );
    check(
        b"A001 LOGIN {11}\r\nFRED FOOBAR {7}\r\nfat man\r\n",
        "A001",
        &B::Login {
            username: ast("FRED FOOBAR"),
            password: Secret::new(ast("fat man")),
        },
    );
}

#[test]
fn rfc9051_authenticated_state() {
    check(
        b"A142 SELECT INBOX\r\n",
        "A142",
        &B::Select {
            mailbox: Mailbox::Inbox,
            params: vec![],
        },
    );
    check(
        b"A932 EXAMINE blurdybloop\r\n",
        "A932",
        &B::Examine {
            mailbox: mb("blurdybloop"),
            params: vec![],
        },
    );
    for (input, tag, name) in [
        (&b"A003 CREATE owatagusiam/\r\n"[..], "A003", "owatagusiam/"),
        (
            b"A004 CREATE owatagusiam/blurdybloop\r\n",
            "A004",
            "owatagusiam/blurdybloop",
        ),
    ] {
        check(
            input,
            tag,
            &B::Create {
                mailbox: mb(name),
                special_use: vec![],
            },
        );
    }
    for (input, tag, name) in [
        (&b"A683 DELETE blurdybloop\r\n"[..], "A683", "blurdybloop"),
        (b"A684 DELETE foo\r\n", "A684", "foo"),
        (b"A685 DELETE foo/bar\r\n", "A685", "foo/bar"),
    ] {
        check(input, tag, &B::Delete { mailbox: mb(name) });
    }
    check(
        b"A683 RENAME blurdybloop sarasoop\r\n",
        "A683",
        &B::Rename {
            from: mb("blurdybloop"),
            to: mb("sarasoop"),
        },
    );
    check(
        b"Z433 RENAME INBOX old-mail\r\n",
        "Z433",
        &B::Rename {
            from: Mailbox::Inbox,
            to: mb("old-mail"),
        },
    );
    check(
        b"A002 SUBSCRIBE #news.comp.mail.mime\r\n",
        "A002",
        &B::Subscribe {
            mailbox: mb("#news.comp.mail.mime"),
        },
    );
    check(
        b"A002 UNSUBSCRIBE #news.comp.mail.mime\r\n",
        "A002",
        &B::Unsubscribe {
            mailbox: mb("#news.comp.mail.mime"),
        },
    );
    check(b"A001 NAMESPACE\r\n", "A001", &B::Namespace);
    check(
        b"A042 STATUS blurdybloop (UIDNEXT MESSAGES)\r\n",
        "A042",
        &B::Status {
            mailbox: mb("blurdybloop"),
            items: vec![StatusItem::UidNext, StatusItem::Messages],
        },
    );
    check(b"A002 IDLE\r\n", "A002", &B::Idle);
    assert_eq!(IdleDone::parse(b"DONE\r\n"), Ok(6));
    assert_eq!(IdleDone::parse(b"done\r\n"), Ok(6));
    assert_eq!(IdleDone::parse(b"DON"), Err(ParseError::Incomplete));
    assert!(matches!(
        IdleDone::parse(b"a NOOP\r\n"),
        Err(ParseError::Invalid { .. })
    ));
}

#[test]
fn rfc9051_basic_list() {
    let basic = |reference: &'static str, p: &'static str| B::List {
        selection: vec![],
        reference: mb(reference),
        patterns: vec![pat(p)],
        return_opts: vec![],
    };
    check(b"A682 LIST \"\" *\r\n", "A682", &basic("", "*"));
    check(b"A101 LIST \"\" \"\"\r\n", "A101", &basic("", ""));
    check(
        b"A102 LIST #news.comp.mail.misc \"\"\r\n",
        "A102",
        &basic("#news.comp.mail.misc", ""),
    );
    check(
        b"A103 LIST /usr/staff/jones \"\"\r\n",
        "A103",
        &basic("/usr/staff/jones", ""),
    );
    check(b"A202 LIST ~/Mail/ %\r\n", "A202", &basic("~/Mail/", "%"));
    check(b"A687 LIST \"\" foo/%\r\n", "A687", &basic("", "foo/%"));
    // RFC 3501 §6.3.9 LSUB.
    check(
        b"A002 LSUB \"#news.\" \"comp.mail.*\"\r\n",
        "A002",
        &B::Lsub {
            reference: mb("#news."),
            pattern: pat("comp.mail.*"),
        },
    );
}

#[test]
fn rfc5258_list_extended_6154_special_use_5819_list_status() {
    let list = |selection: Vec<ListSelectOption>,
                patterns: Vec<&'static str>,
                return_opts: Vec<ListReturnOption>| B::List {
        selection,
        reference: mb(""),
        patterns: patterns.into_iter().map(pat).collect(),
        return_opts,
    };
    use ListReturnOption as R;
    use ListSelectOption as S;
    check(
        b"A02 LIST (SUBSCRIBED) \"\" \"*\"\r\n",
        "A02",
        &list(vec![S::Subscribed], vec!["*"], vec![]),
    );
    check(
        b"A03 LIST () \"\" \"%\" RETURN (CHILDREN)\r\n",
        "A03",
        &list(vec![], vec!["%"], vec![R::Children]),
    );
    check(
        b"A04 LIST (REMOTE) \"\" \"%\" RETURN (CHILDREN)\r\n",
        "A04",
        &list(vec![S::Remote], vec!["%"], vec![R::Children]),
    );
    check(
        b"A05 LIST (REMOTE SUBSCRIBED) \"\" \"*\"\r\n",
        "A05",
        &list(vec![S::Remote, S::Subscribed], vec!["*"], vec![]),
    );
    check(
        b"A06 LIST \"\" \"%\" RETURN (SUBSCRIBED)\r\n",
        "A06",
        &list(vec![], vec!["%"], vec![R::Subscribed]),
    );
    check(
        b"A07 LIST (SUBSCRIBED RECURSIVEMATCH) \"\" \"%\" RETURN (CHILDREN)\r\n",
        "A07",
        &list(
            vec![S::Subscribed, S::RecursiveMatch],
            vec!["%"],
            vec![R::Children],
        ),
    );
    check(
        b"BBB LIST \"\" (\"INBOX\" \"Drafts\" \"Sent/%\")\r\n",
        "BBB",
        &B::List {
            selection: vec![],
            reference: mb(""),
            patterns: vec![pat("INBOX"), pat("Drafts"), pat("Sent/%")],
            return_opts: vec![],
        },
    );
    // RFC 6154 §5.
    check(
        b"t1 LIST \"\" \"%\" RETURN (SPECIAL-USE)\r\n",
        "t1",
        &list(vec![], vec!["%"], vec![R::SpecialUse]),
    );
    check(
        b"t3 LIST (SPECIAL-USE) \"\" \"*\"\r\n",
        "t3",
        &list(vec![S::SpecialUse], vec!["*"], vec![]),
    );
    check(
        b"t1 CREATE \"Important Messages\" (USE (\\Important))\r\n",
        "t1",
        &B::Create {
            mailbox: mb("Important Messages"),
            special_use: vec![at("Important")],
        },
    );
    check(
        b"t1 CREATE MySpecial (USE (\\Drafts \\Sent))\r\n",
        "t1",
        &B::Create {
            mailbox: mb("MySpecial"),
            special_use: vec![at("Drafts"), at("Sent")],
        },
    );
    // RFC 5819 §5.
    check(
        b"A01 LIST \"\" % RETURN (STATUS (MESSAGES UNSEEN))\r\n",
        "A01",
        &list(
            vec![],
            vec!["%"],
            vec![R::Status(vec![StatusItem::Messages, StatusItem::Unseen])],
        ),
    );
    check(
        b"A02 LIST (SUBSCRIBED RECURSIVEMATCH) \"\" % RETURN (STATUS (MESSAGES))\r\n",
        "A02",
        &list(
            vec![S::Subscribed, S::RecursiveMatch],
            vec!["%"],
            vec![R::Status(vec![StatusItem::Messages])],
        ),
    );
    assert!(matches!(
        Command::parse(b"A LIST (BOGUS) \"\" *\r\n"),
        Err(ParseError::Invalid { .. })
    ));
}

#[test]
fn status_extensions() {
    // RFC 7162 §3.1.6, RFC 8438 §3, RFC 7889 §5, RFC 9051 §6.3.11.
    for (input, items) in [
        (
            &b"A042 STATUS blurdybloop (UIDNEXT MESSAGES HIGHESTMODSEQ)\r\n"[..],
            vec![
                StatusItem::UidNext,
                StatusItem::Messages,
                StatusItem::HighestModSeq,
            ],
        ),
        (
            b"A042 STATUS blurdybloop (MESSAGES SIZE)\r\n",
            vec![StatusItem::Messages, StatusItem::Size],
        ),
        (
            b"A042 STATUS blurdybloop (APPENDLIMIT)\r\n",
            vec![StatusItem::AppendLimit],
        ),
        (
            b"A042 STATUS blurdybloop (DELETED RECENT UIDVALIDITY UNSEEN)\r\n",
            vec![
                StatusItem::Deleted,
                StatusItem::Recent,
                StatusItem::UidValidity,
                StatusItem::Unseen,
            ],
        ),
    ] {
        check(
            input,
            "A042",
            &B::Status {
                mailbox: mb("blurdybloop"),
                items,
            },
        );
    }
}

const MSG: &[u8] = b"Date: Mon, 7 Feb 1994 21:52:25 -0800 (PST)\r\nFrom: Fred Foobar <foobar@Blurdybloop.example>\r\nSubject: afternoon meeting\r\n\r\nHello Joe, do you think we can meet at 3:30 tomorrow?\r\n";

#[test]
fn rfc9051_append_3502_multiappend_3516_binary() {
    let mut input =
        format!("A003 APPEND saved-messages (\\Seen) {{{}}}\r\n", MSG.len()).into_bytes();
    input.extend_from_slice(MSG);
    input.extend_from_slice(b"\r\n");
    check(
        &input,
        "A003",
        &B::Append {
            mailbox: mb("saved-messages"),
            messages: vec![AppendMessage {
                flags: vec![Flag::Seen],
                date_time: None,
                message: lit(MSG),
                utf8: false,
            }],
        },
    );
    // RFC 3502 §6: two messages, the second with a date-time.
    let mut input =
        format!("A003 APPEND saved-messages (\\Seen) {{{}+}}\r\n", MSG.len()).into_bytes();
    input.extend_from_slice(MSG);
    input.extend_from_slice(b" (\\Seen) \" 7-Feb-1994 21:52:25 -0800\" {5}\r\nhello\r\n");
    let dt = DateTime {
        date: date(7, 2, 1994),
        hour: 21,
        minute: 52,
        second: 25,
        offset_minutes: -480,
    };
    let want = B::Append {
        mailbox: mb("saved-messages"),
        messages: vec![
            AppendMessage {
                flags: vec![Flag::Seen],
                date_time: None,
                message: lit(MSG),
                utf8: false,
            },
            AppendMessage {
                flags: vec![Flag::Seen],
                date_time: Some(dt),
                message: lit(b"hello"),
                utf8: false,
            },
        ],
    };
    check(&input, "A003", &want);

    // The same, streamed: head, message octets, next, message octets, end.
    let (head, n) = AppendHead::parse(&input).unwrap();
    assert_eq!(head.tag.as_str(), "A003");
    assert_eq!(head.mailbox, mb("saved-messages"));
    assert_eq!(head.flags, vec![Flag::Seen]);
    assert_eq!(head.literal.length, MSG.len() as u64);
    assert_eq!(head.literal.mode, LiteralMode::NonSync);
    assert_eq!(&input[n..n + MSG.len()], MSG);
    for k in 0..n {
        assert_eq!(AppendHead::parse(&input[..k]), Err(ParseError::Incomplete));
    }
    let rest = &input[n + MSG.len()..];
    let (next, m) = AppendNext::parse(rest).unwrap();
    match next {
        AppendNext::Message {
            flags,
            date_time,
            literal,
        } => {
            assert_eq!(flags, vec![Flag::Seen]);
            assert_eq!(date_time, Some(dt));
            assert_eq!(literal.length, 5);
            assert!(!literal.binary);
        }
        AppendNext::End => panic!("a second message was announced"),
    }
    assert_eq!(&rest[m..m + 5], b"hello");
    assert_eq!(AppendNext::parse(&rest[m + 5..]), Ok((AppendNext::End, 2)));
    assert_eq!(AppendNext::parse(b"\r"), Err(ParseError::Incomplete));
    // A client-side streamed head: the encoder says whether to wait for "+".
    let mut e = Encoder::new(LiteralStyle::Sync);
    assert!(head.encode(&mut e));
    assert_eq!(
        e.as_bytes(),
        format!("A003 APPEND saved-messages (\\Seen) {{{}}}\r\n", MSG.len()).as_bytes()
    );
    assert!(matches!(
        AppendHead::parse(b"A003 FETCH 1 ALL\r\n"),
        Err(ParseError::Invalid { .. })
    ));

    // RFC 3516 §4.4: literal8 with NUL.
    check(
        b"A003 APPEND Drafts (\\Seen \\Draft $MDNSent) ~{5}\r\nab\0cd\r\n",
        "A003",
        &B::Append {
            mailbox: mb("Drafts"),
            messages: vec![AppendMessage {
                flags: vec![Flag::Seen, Flag::Draft, Flag::Keyword(at("$MDNSent"))],
                date_time: None,
                message: Literal {
                    data: Cow::Borrowed(b"ab\0cd"),
                    mode: LiteralMode::Sync,
                    binary: true,
                },
                utf8: false,
            }],
        },
    );
    let (head, _) = AppendHead::parse(b"A APPEND Drafts ~{5}\r\n").unwrap();
    assert!(head.literal.binary);
    // No literal: invalid.
    assert!(matches!(
        Command::parse(b"A003 APPEND saved-messages (\\Seen) \"text\"\r\n"),
        Err(ParseError::Invalid { .. })
    ));
}

#[test]
fn rfc9051_selected_state() {
    check(b"A341 CLOSE\r\n", "A341", &B::Close);
    check(b"A342 UNSELECT\r\n", "A342", &B::Unselect);
    check(b"A202 EXPUNGE\r\n", "A202", &B::Expunge);
    check(b"FXXZ CHECK\r\n", "FXXZ", &B::Check);
    check(
        b"A003 UID EXPUNGE 3000:3002\r\n",
        "A003",
        &B::UidExpunge {
            uids: set("3000:3002"),
        },
    );
    check(
        b"A003 COPY 2:4 MEETING\r\n",
        "A003",
        &B::Copy {
            uid: false,
            set: set("2:4"),
            mailbox: mb("MEETING"),
        },
    );
    // RFC 6851 §4.
    check(
        b"a UID MOVE 42:69 foo\r\n",
        "a",
        &B::Move {
            uid: true,
            set: set("42:69"),
            mailbox: mb("foo"),
        },
    );
    check(
        b"a MOVE 2:4 Trash\r\n",
        "a",
        &B::Move {
            uid: false,
            set: set("2:4"),
            mailbox: mb("Trash"),
        },
    );
    check(
        b"A003 STORE 2:4 +FLAGS (\\Deleted)\r\n",
        "A003",
        &B::Store {
            uid: false,
            set: set("2:4"),
            unchanged_since: None,
            kind: StoreKind::Add,
            silent: false,
            flags: vec![Flag::Deleted],
        },
    );
    check(
        b"A004 STORE 1 -FLAGS.SILENT (\\Seen $Junk)\r\n",
        "A004",
        &B::Store {
            uid: false,
            set: set("1"),
            unchanged_since: None,
            kind: StoreKind::Remove,
            silent: true,
            flags: vec![Flag::Seen, Flag::Keyword(at("$Junk"))],
        },
    );
    check(
        b"A005 UID STORE 1:* FLAGS ()\r\n",
        "A005",
        &B::Store {
            uid: true,
            set: set("1:*"),
            unchanged_since: None,
            kind: StoreKind::Replace,
            silent: false,
            flags: vec![],
        },
    );
}
