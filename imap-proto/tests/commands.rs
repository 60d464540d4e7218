//! Command examples of RFC 9051 §6 and §8 (the latter via RFC 3501 §8, whose sample session
//! is in lower case), RFC 3501 §6 and the extension RFCs, as `(input, expected value)` tables.
//!
//! Each example is also checked to (1) consume exactly its input, (2) be `Incomplete` at every
//! strict prefix, and (3) encode to bytes that parse back to the same value.

use std::borrow::Cow;
use std::num::{NonZeroU32, NonZeroU64};

use imap_proto::command::Command;
use imap_proto::command::{
    AppendHead, AppendMessage, AppendNext, CommandBody as B, EntryType, FetchAttr, FetchItems,
    FetchModifiers, IdleDone, ListReturnOption, ListSelectOption, QResync, QuotaLimit,
    SearchKey as K, SearchReturnOption, SelectParam, SortCriterion, SortKey, StoreKind,
    ThreadAlgorithm, UNKNOWN_COMMAND,
};
use imap_proto::section::{BinarySection, Partial, Section, SectionText};
use imap_proto::status::StatusItem;
use imap_proto::token::{
    AString, Atom, Date, DateTime, Flag, IString, ListMailbox, Literal, LiteralMode, Mailbox,
    NString, SequenceSet,
};
use imap_proto::{Cursor, Encoder, LiteralStyle, ParseError};
use sasl::Secret;

fn mb(s: &str) -> Mailbox<'_> {
    Mailbox::from(s)
}
fn set(s: &str) -> SequenceSet {
    SequenceSet::parse(&mut Cursor::new(format!("{s} ").as_bytes())).unwrap()
}
fn at(s: &str) -> Atom<'_> {
    Atom::new(s).unwrap()
}
fn ast(s: &str) -> AString<'_> {
    AString::from(s)
}
fn pat(s: &str) -> ListMailbox<'_> {
    ListMailbox(AString::from(s))
}
fn date(d: u8, m: u8, y: u16) -> Date {
    Date::new(y, m, d).unwrap()
}
fn nz(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n).unwrap()
}
fn lit(b: &[u8]) -> Literal<'_> {
    Literal {
        data: Cow::Borrowed(b),
        mode: LiteralMode::Sync,
        binary: false,
    }
}
fn fields(names: &[&'static str]) -> Section<'static> {
    Section {
        part: vec![],
        text: Some(SectionText::HeaderFields(
            names.iter().map(|n| AString::from(*n)).collect(),
        )),
    }
}

/// Parse, compare, check the consumed length, every strict prefix and the round trip.
fn check(input: &[u8], tag: &str, want: &B<'_>) {
    let shown = String::from_utf8_lossy(input);
    let (cmd, used) = Command::parse(input).unwrap_or_else(|e| panic!("{shown}: {e}"));
    assert_eq!(cmd.tag.as_str(), tag, "{shown}");
    assert_eq!(&cmd.body, want, "{shown}");
    assert_eq!(used, input.len(), "{shown}");
    for n in 0..input.len() {
        assert_eq!(
            Command::parse(&input[..n]),
            Err(ParseError::Incomplete),
            "prefix {n} of {shown}"
        );
    }
    for style in [LiteralStyle::Sync, LiteralStyle::NonSync { max: None }] {
        let mut e = Encoder::new(style);
        cmd.encode(&mut e);
        let bytes = e.take();
        let (again, used) = Command::parse(&bytes).unwrap_or_else(|err| {
            panic!(
                "{shown} re-encoded as {:?}: {err}",
                String::from_utf8_lossy(&bytes)
            )
        });
        assert_eq!(again, cmd, "{shown}");
        assert_eq!(used, bytes.len());
    }
}

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
            },
            AppendMessage {
                flags: vec![Flag::Seen],
                date_time: Some(dt),
                message: lit(b"hello"),
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

#[test]
fn rfc9051_search() {
    let search = |return_opts: Option<Vec<SearchReturnOption>>,
                  charset: Option<AString<'static>>,
                  criteria: Vec<K<'static>>| B::Search {
        uid: false,
        return_opts,
        charset,
        criteria,
    };
    let flagged_since_not_smith = || {
        vec![
            K::Flagged,
            K::Since(date(1, 2, 1994)),
            K::Not(Box::new(K::From(ast("Smith")))),
        ]
    };
    check(
        b"A282 SEARCH RETURN (MIN COUNT) FLAGGED SINCE 1-Feb-1994 NOT FROM \"Smith\"\r\n",
        "A282",
        &search(
            Some(vec![SearchReturnOption::Min, SearchReturnOption::Count]),
            None,
            flagged_since_not_smith(),
        ),
    );
    check(
        b"A282 SEARCH FLAGGED SINCE 1-Feb-1994 NOT FROM \"Smith\"\r\n",
        "A282",
        &search(None, None, flagged_since_not_smith()),
    );
    check(
        b"A283 SEARCH RETURN () TEXT \"string not in mailbox\"\r\n",
        "A283",
        &search(
            Some(vec![]),
            None,
            vec![K::Text(ast("string not in mailbox"))],
        ),
    );
    check(
        "A284 SEARCH CHARSET UTF-8 TEXT {12}\r\nотпуск\r\n".as_bytes(),
        "A284",
        &search(None, Some(ast("UTF-8")), vec![K::Text(ast("отпуск"))]),
    );
    // RFC 3501 §6.4.4.
    check(
        b"A284 SEARCH CHARSET UTF-8 TEXT {6}\r\nXXXXXX\r\n",
        "A284",
        &search(None, Some(ast("UTF-8")), vec![K::Text(ast("XXXXXX"))]),
    );
    // RFC 4731 §4.
    check(
        b"A285 UID SEARCH RETURN (MIN MAX) 1:5000\r\n",
        "A285",
        &B::Search {
            uid: true,
            return_opts: Some(vec![SearchReturnOption::Min, SearchReturnOption::Max]),
            charset: None,
            criteria: vec![K::SequenceSet(set("1:5000"))],
        },
    );
    check(
        b"A286 SEARCH RETURN (ALL) 1:5000 NOT DELETED\r\n",
        "A286",
        &search(
            Some(vec![SearchReturnOption::All]),
            None,
            vec![K::SequenceSet(set("1:5000")), K::Not(Box::new(K::Deleted))],
        ),
    );
    // RFC 5182 §3.
    check(
        b"A282 SEARCH RETURN (SAVE) FLAGGED SINCE 1-Feb-1994 NOT FROM \"Smith\"\r\n",
        "A282",
        &search(
            Some(vec![SearchReturnOption::Save]),
            None,
            flagged_since_not_smith(),
        ),
    );
    check(
        b"A285 SEARCH $ SMALLER 4096\r\n",
        "A285",
        &search(
            None,
            None,
            vec![K::SequenceSet(SequenceSet::Saved), K::Smaller(4096)],
        ),
    );
    check(
        b"E01 SEARCH RETURN (SAVE MIN) OR FROM \"smith\" ($ SUBJECT test)\r\n",
        "E01",
        &search(
            Some(vec![SearchReturnOption::Save, SearchReturnOption::Min]),
            None,
            vec![K::Or(
                Box::new(K::From(ast("smith"))),
                Box::new(K::And(vec![
                    K::SequenceSet(SequenceSet::Saved),
                    K::Subject(ast("test")),
                ])),
            )],
        ),
    );
    // RFC 7162 §3.1.5.
    check(
        b"a SEARCH MODSEQ \"/flags/\\\\draft\" all 620162338\r\n",
        "a",
        &search(
            None,
            None,
            vec![K::ModSeq {
                entry: Some((IString::from("/flags/\\draft"), EntryType::All)),
                mod_seq: 620162338,
            }],
        ),
    );
    check(
        b"t SEARCH OR NOT MODSEQ 720162338 LARGER 50000\r\n",
        "t",
        &search(
            None,
            None,
            vec![K::Or(
                Box::new(K::Not(Box::new(K::ModSeq {
                    entry: None,
                    mod_seq: 720162338,
                }))),
                Box::new(K::Larger(50000)),
            )],
        ),
    );
}

#[test]
fn every_search_key() {
    let all = b"a UID SEARCH ALL ANSWERED BCC b BEFORE 1-Jan-2000 BODY x CC c DELETED DRAFT \
FLAGGED FROM f HEADER X-Y \"z\" KEYWORD $k LARGER 10 NEW NOT SEEN OLD ON 2-Feb-2001 \
OR 1 2:* RECENT SEEN SENTBEFORE 3-Mar-2002 SENTON 4-Apr-2003 SENTSINCE 5-May-2004 \
SINCE 6-Jun-2005 SMALLER 20 SUBJECT s TEXT t TO o UID 1,5:7 UNANSWERED UNDELETED UNDRAFT \
UNFLAGGED UNKEYWORD $u UNSEEN (1 $) MODSEQ \"/flags/x\" priv 5 MODSEQ \"/flags/y\" shared 0 \
OLDER 3600 YOUNGER 60\r\n";
    let want = vec![
        K::All,
        K::Answered,
        K::Bcc(ast("b")),
        K::Before(date(1, 1, 2000)),
        K::Body(ast("x")),
        K::Cc(ast("c")),
        K::Deleted,
        K::Draft,
        K::Flagged,
        K::From(ast("f")),
        K::Header(ast("X-Y"), ast("z")),
        K::Keyword(at("$k")),
        K::Larger(10),
        K::New,
        K::Not(Box::new(K::Seen)),
        K::Old,
        K::On(date(2, 2, 2001)),
        K::Or(
            Box::new(K::SequenceSet(set("1"))),
            Box::new(K::SequenceSet(set("2:*"))),
        ),
        K::Recent,
        K::Seen,
        K::SentBefore(date(3, 3, 2002)),
        K::SentOn(date(4, 4, 2003)),
        K::SentSince(date(5, 5, 2004)),
        K::Since(date(6, 6, 2005)),
        K::Smaller(20),
        K::Subject(ast("s")),
        K::Text(ast("t")),
        K::To(ast("o")),
        K::Uid(set("1,5:7")),
        K::Unanswered,
        K::Undeleted,
        K::Undraft,
        K::Unflagged,
        K::Unkeyword(at("$u")),
        K::Unseen,
        K::And(vec![
            K::SequenceSet(set("1")),
            K::SequenceSet(SequenceSet::Saved),
        ]),
        K::ModSeq {
            entry: Some((IString::from("/flags/x"), EntryType::Private)),
            mod_seq: 5,
        },
        K::ModSeq {
            entry: Some((IString::from("/flags/y"), EntryType::Shared)),
            mod_seq: 0,
        },
        K::Older(nz(3600)),
        K::Younger(nz(60)),
    ];
    check(
        all,
        "a",
        &B::Search {
            uid: true,
            return_opts: None,
            charset: None,
            criteria: want,
        },
    );
    for bad in [
        &b"a SEARCH\r\n"[..],
        b"a SEARCH BOGUS\r\n",
        b"a SEARCH ()\r\n",
        b"a SEARCH OR SEEN\r\n",
        b"a SEARCH SINCE 31-Foo-2000\r\n",
        b"a SEARCH RETURN (FIRST) ALL\r\n",
        b"a SEARCH MODSEQ \"/flags/x\" nobody 5\r\n",
    ] {
        assert!(
            matches!(Command::parse(bad), Err(ParseError::Invalid { .. })),
            "{}",
            String::from_utf8_lossy(bad)
        );
    }
}

#[test]
fn rfc9051_fetch() {
    check(
        b"A654 FETCH 2:4 (FLAGS BODY[HEADER.FIELDS (DATE FROM)])\r\n",
        "A654",
        &B::Fetch {
            uid: false,
            set: set("2:4"),
            items: FetchItems::Attrs(vec![
                FetchAttr::Flags,
                FetchAttr::BodySection {
                    peek: false,
                    section: fields(&["DATE", "FROM"]),
                    partial: None,
                },
            ]),
            modifiers: FetchModifiers::default(),
        },
    );
    check(
        b"A999 UID FETCH 4827313:4828442 FLAGS\r\n",
        "A999",
        &B::Fetch {
            uid: true,
            set: set("4827313:4828442"),
            items: FetchItems::Attrs(vec![FetchAttr::Flags]),
            modifiers: FetchModifiers::default(),
        },
    );
    for (input, items) in [
        (&b"a FETCH 1 ALL\r\n"[..], FetchItems::All),
        (b"a FETCH 1 FAST\r\n", FetchItems::Fast),
        (b"a FETCH 1 FULL\r\n", FetchItems::Full),
    ] {
        check(
            input,
            "a",
            &B::Fetch {
                uid: false,
                set: set("1"),
                items,
                modifiers: FetchModifiers::default(),
            },
        );
    }
    // Every data item.
    check(
        b"a FETCH 1:* (ENVELOPE FLAGS INTERNALDATE RFC822 RFC822.HEADER RFC822.SIZE RFC822.TEXT \
BODY BODYSTRUCTURE UID MODSEQ BODY[] BODY.PEEK[1.2.MIME]<0.2048> BODY[TEXT]<10> \
BINARY[1.2] BINARY.PEEK[]<5.10> BINARY.SIZE[3] BODY[4.HEADER.FIELDS.NOT (Received)])\r\n",
        "a",
        &B::Fetch {
            uid: false,
            set: set("1:*"),
            items: FetchItems::Attrs(vec![
                FetchAttr::Envelope,
                FetchAttr::Flags,
                FetchAttr::InternalDate,
                FetchAttr::Rfc822,
                FetchAttr::Rfc822Header,
                FetchAttr::Rfc822Size,
                FetchAttr::Rfc822Text,
                FetchAttr::Body,
                FetchAttr::BodyStructure,
                FetchAttr::Uid,
                FetchAttr::ModSeq,
                FetchAttr::BodySection {
                    peek: false,
                    section: Section::whole(),
                    partial: None,
                },
                FetchAttr::BodySection {
                    peek: true,
                    section: Section {
                        part: vec![nz(1), nz(2)],
                        text: Some(SectionText::Mime),
                    },
                    partial: Some(Partial {
                        offset: 0,
                        length: NonZeroU64::new(2048),
                    }),
                },
                FetchAttr::BodySection {
                    peek: false,
                    section: Section {
                        part: vec![],
                        text: Some(SectionText::Text),
                    },
                    partial: Some(Partial {
                        offset: 10,
                        length: None,
                    }),
                },
                FetchAttr::Binary {
                    peek: false,
                    section: BinarySection {
                        part: vec![nz(1), nz(2)],
                    },
                    partial: None,
                },
                FetchAttr::Binary {
                    peek: true,
                    section: BinarySection::default(),
                    partial: Some(Partial {
                        offset: 5,
                        length: NonZeroU64::new(10),
                    }),
                },
                FetchAttr::BinarySize {
                    section: BinarySection { part: vec![nz(3)] },
                },
                FetchAttr::BodySection {
                    peek: false,
                    section: Section {
                        part: vec![nz(4)],
                        text: Some(SectionText::HeaderFieldsNot(vec![ast("Received")])),
                    },
                    partial: None,
                },
            ]),
            modifiers: FetchModifiers::default(),
        },
    );
    for bad in [
        &b"a FETCH 1 (BODY.PEEK)\r\n"[..],
        b"a FETCH 1 BODY[MIME]\r\n",
        b"a FETCH 1 ()\r\n",
        b"a FETCH 1 (FLAGS) (FOO)\r\n",
        b"a FETCH 0 FLAGS\r\n",
        b"a FETCH 1 BINARY[TEXT]\r\n",
        b"a FETCH 1 BODY[]<0.0>\r\n",
    ] {
        assert!(
            matches!(Command::parse(bad), Err(ParseError::Invalid { .. })),
            "{}",
            String::from_utf8_lossy(bad)
        );
    }
}

#[test]
fn rfc7162_condstore_qresync() {
    check(
        b"A142 SELECT INBOX (CONDSTORE)\r\n",
        "A142",
        &B::Select {
            mailbox: Mailbox::Inbox,
            params: vec![SelectParam::CondStore],
        },
    );
    check(
        b"A02 SELECT INBOX (QRESYNC (67890007 20050715194045000 41,43:211,214:541))\r\n",
        "A02",
        &B::Select {
            mailbox: Mailbox::Inbox,
            params: vec![SelectParam::QResync(QResync {
                uid_validity: nz(67890007),
                mod_seq: 20050715194045000,
                known_uids: Some(set("41,43:211,214:541")),
                seq_match: None,
            })],
        },
    );
    check(
        b"B02 SELECT INBOX (QRESYNC (67890007 90060115194045000 1:29997 (5000,7500,9000,9990:9999 15000,22500,27000,29970,29973,29976,29979,29982,29985,29988,29991,29994,29997)))\r\n",
        "B02",
        &B::Select {
            mailbox: Mailbox::Inbox,
            params: vec![SelectParam::QResync(QResync {
                uid_validity: nz(67890007),
                mod_seq: 90060115194045000,
                known_uids: Some(set("1:29997")),
                seq_match: Some((
                    set("5000,7500,9000,9990:9999"),
                    set("15000,22500,27000,29970,29973,29976,29979,29982,29985,29988,29991,29994,29997"),
                )),
            })],
        },
    );
    check(
        b"A03 EXAMINE INBOX (QRESYNC (67890007 20050715194045000))\r\n",
        "A03",
        &B::Examine {
            mailbox: Mailbox::Inbox,
            params: vec![SelectParam::QResync(QResync {
                uid_validity: nz(67890007),
                mod_seq: 20050715194045000,
                known_uids: None,
                seq_match: None,
            })],
        },
    );
    check(
        b"A04 SELECT INBOX (QRESYNC (1 2 (3 4)))\r\n",
        "A04",
        &B::Select {
            mailbox: Mailbox::Inbox,
            params: vec![SelectParam::QResync(QResync {
                uid_validity: nz(1),
                mod_seq: 2,
                known_uids: None,
                seq_match: Some((set("3"), set("4"))),
            })],
        },
    );
    check(
        b"s100 UID FETCH 1:* (FLAGS) (CHANGEDSINCE 12345)\r\n",
        "s100",
        &B::Fetch {
            uid: true,
            set: set("1:*"),
            items: FetchItems::Attrs(vec![FetchAttr::Flags]),
            modifiers: FetchModifiers {
                changed_since: Some(12345),
                vanished: false,
            },
        },
    );
    check(
        b"A03 UID FETCH 1:* (FLAGS) (CHANGEDSINCE 12345 VANISHED)\r\n",
        "A03",
        &B::Fetch {
            uid: true,
            set: set("1:*"),
            items: FetchItems::Attrs(vec![FetchAttr::Flags]),
            modifiers: FetchModifiers {
                changed_since: Some(12345),
                vanished: true,
            },
        },
    );
    check(
        b"d105 STORE 7,5,9 (UNCHANGEDSINCE 320162338) +FLAGS.SILENT (\\Deleted)\r\n",
        "d105",
        &B::Store {
            uid: false,
            set: set("7,5,9"),
            unchanged_since: Some(320162338),
            kind: StoreKind::Add,
            silent: true,
            flags: vec![Flag::Deleted],
        },
    );
    check(
        b"a102 FETCH 1:100 (FLAGS MODSEQ) (CHANGEDSINCE 12345)\r\n",
        "a102",
        &B::Fetch {
            uid: false,
            set: set("1:100"),
            items: FetchItems::Attrs(vec![FetchAttr::Flags, FetchAttr::ModSeq]),
            modifiers: FetchModifiers {
                changed_since: Some(12345),
                vanished: false,
            },
        },
    );
}

#[test]
fn rfc5161_enable_2971_id_9208_quota_4978_compress() {
    check(
        b"t2 ENABLE CONDSTORE X-GOOD-IDEA\r\n",
        "t2",
        &B::Enable {
            capabilities: vec![at("CONDSTORE"), at("X-GOOD-IDEA")],
        },
    );
    check(
        b"A1 ENABLE UTF8=ACCEPT\r\n",
        "A1",
        &B::Enable {
            capabilities: vec![at("UTF8=ACCEPT")],
        },
    );
    assert!(Command::parse(b"t3 ENABLE\r\n").is_err());
    check(
        b"a023 ID (\"name\" \"sodr\" \"version\" \"19.34\" \"vendor\" \"Pink Floyd Music Limited\")\r\n",
        "a023",
        &B::Id {
            params: Some(vec![
                (IString::from("name"), NString::from(Some("sodr"))),
                (IString::from("version"), NString::from(Some("19.34"))),
                (
                    IString::from("vendor"),
                    NString::from(Some("Pink Floyd Music Limited")),
                ),
            ]),
        },
    );
    check(b"a ID NIL\r\n", "a", &B::Id { params: None });
    check(
        b"b ID (\"os\" NIL)\r\n",
        "b",
        &B::Id {
            params: Some(vec![(IString::from("os"), NString::NIL)]),
        },
    );
    check(
        b"G0001 GETQUOTA \"!partition/sda4\"\r\n",
        "G0001",
        &B::GetQuota {
            root: ast("!partition/sda4"),
        },
    );
    check(
        b"G0002 GETQUOTAROOT INBOX\r\n",
        "G0002",
        &B::GetQuotaRoot {
            mailbox: Mailbox::Inbox,
        },
    );
    check(
        b"S0000 SETQUOTA \"\" (STORAGE 512)\r\n",
        "S0000",
        &B::SetQuota {
            root: ast(""),
            limits: vec![QuotaLimit {
                resource: at("STORAGE"),
                limit: 512,
            }],
        },
    );
    check(
        b"S0001 SETQUOTA \"\" (STORAGE 512 MESSAGE 1000)\r\n",
        "S0001",
        &B::SetQuota {
            root: ast(""),
            limits: vec![
                QuotaLimit {
                    resource: at("STORAGE"),
                    limit: 512,
                },
                QuotaLimit {
                    resource: at("MESSAGE"),
                    limit: 1000,
                },
            ],
        },
    );
    check(
        b"a COMPRESS DEFLATE\r\n",
        "a",
        &B::Compress {
            algorithm: at("DEFLATE"),
        },
    );
}

#[test]
fn rfc5256_sort_thread_5957_display() {
    let crit = |reverse, key| SortCriterion { reverse, key };
    check(
        b"A282 SORT (SUBJECT) UTF-8 SINCE 1-Feb-1994\r\n",
        "A282",
        &B::Sort {
            uid: false,
            criteria: vec![crit(false, SortKey::Subject)],
            charset: ast("UTF-8"),
            keys: vec![K::Since(date(1, 2, 1994))],
        },
    );
    check(
        b"A283 SORT (SUBJECT REVERSE DATE) UTF-8 ALL\r\n",
        "A283",
        &B::Sort {
            uid: false,
            criteria: vec![crit(false, SortKey::Subject), crit(true, SortKey::Date)],
            charset: ast("UTF-8"),
            keys: vec![K::All],
        },
    );
    check(
        b"A284 SORT (SUBJECT) US-ASCII TEXT \"not in mailbox\"\r\n",
        "A284",
        &B::Sort {
            uid: false,
            criteria: vec![crit(false, SortKey::Subject)],
            charset: ast("US-ASCII"),
            keys: vec![K::Text(ast("not in mailbox"))],
        },
    );
    check(
        b"A1 UID SORT (DISPLAYFROM REVERSE DISPLAYTO ARRIVAL CC FROM SIZE TO) UTF-8 ALL\r\n",
        "A1",
        &B::Sort {
            uid: true,
            criteria: vec![
                crit(false, SortKey::DisplayFrom),
                crit(true, SortKey::DisplayTo),
                crit(false, SortKey::Arrival),
                crit(false, SortKey::Cc),
                crit(false, SortKey::From),
                crit(false, SortKey::Size),
                crit(false, SortKey::To),
            ],
            charset: ast("UTF-8"),
            keys: vec![K::All],
        },
    );
    check(
        b"A283 THREAD ORDEREDSUBJECT UTF-8 SINCE 5-MAR-2000\r\n",
        "A283",
        &B::Thread {
            uid: false,
            algorithm: ThreadAlgorithm::OrderedSubject,
            charset: ast("UTF-8"),
            keys: vec![K::Since(date(5, 3, 2000))],
        },
    );
    check(
        b"A284 THREAD ORDEREDSUBJECT US-ASCII TEXT \"gewp\"\r\n",
        "A284",
        &B::Thread {
            uid: false,
            algorithm: ThreadAlgorithm::OrderedSubject,
            charset: ast("US-ASCII"),
            keys: vec![K::Text(ast("gewp"))],
        },
    );
    check(
        b"A285 UID THREAD REFERENCES UTF-8 ALL\r\n",
        "A285",
        &B::Thread {
            uid: true,
            algorithm: ThreadAlgorithm::References,
            charset: ast("UTF-8"),
            keys: vec![K::All],
        },
    );
    check(
        b"A286 THREAD REFS UTF-8 ALL\r\n",
        "A286",
        &B::Thread {
            uid: false,
            algorithm: ThreadAlgorithm::Other(at("REFS")),
            charset: ast("UTF-8"),
            keys: vec![K::All],
        },
    );
    assert!(Command::parse(b"A SORT () UTF-8 ALL\r\n").is_err());
    assert!(Command::parse(b"A SORT (COLOR) UTF-8 ALL\r\n").is_err());
}

#[test]
fn rfc3501_section8_sample_session_lower_case() {
    check(
        b"a001 login mrc secret\r\n",
        "a001",
        &B::Login {
            username: ast("mrc"),
            password: Secret::new(ast("secret")),
        },
    );
    check(
        b"a002 select inbox\r\n",
        "a002",
        &B::Select {
            mailbox: Mailbox::Inbox,
            params: vec![],
        },
    );
    check(
        b"a003 fetch 12 full\r\n",
        "a003",
        &B::Fetch {
            uid: false,
            set: set("12"),
            items: FetchItems::Full,
            modifiers: FetchModifiers::default(),
        },
    );
    check(
        b"a004 fetch 12 body[header]\r\n",
        "a004",
        &B::Fetch {
            uid: false,
            set: set("12"),
            items: FetchItems::Attrs(vec![FetchAttr::BodySection {
                peek: false,
                section: Section {
                    part: vec![],
                    text: Some(SectionText::Header),
                },
                partial: None,
            }]),
            modifiers: FetchModifiers::default(),
        },
    );
    check(
        b"a005 store 12 +flags \\deleted\r\n",
        "a005",
        &B::Store {
            uid: false,
            set: set("12"),
            unchanged_since: None,
            kind: StoreKind::Add,
            silent: false,
            flags: vec![Flag::Deleted],
        },
    );
    check(b"a006 logout\r\n", "a006", &B::Logout);
}

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
