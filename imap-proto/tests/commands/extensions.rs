//! CONDSTORE/QRESYNC, ENABLE, ID, QUOTA, COMPRESS, SORT/THREAD and the RFC 3501 §8 sample session.

use super::*;

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

/// RFC 6855 §4: `append-data =/ "UTF8" SP "(" literal8 ")"`. The RFC gives the grammar and no
/// transcript; the first vector is its shortest instance, and the second the form Python's
/// imaplib sends with UTF8=ACCEPT enabled (`UTF8 (~{n}` with flags before it).
#[test]
fn rfc6855_append_utf8() {
    let utf8 = |data: &'static [u8], mode| AppendMessage {
        flags: vec![],
        date_time: None,
        message: Literal {
            data: Cow::Borrowed(data),
            mode,
            binary: true,
        },
        utf8: true,
    };
    check(
        b"a APPEND INBOX UTF8 (~{5}\r\nhello)\r\n",
        "a",
        &B::Append {
            mailbox: Mailbox::Inbox,
            messages: vec![utf8(b"hello", LiteralMode::Sync)],
        },
    );
    let mut second = utf8(
        "Subject: caf\u{e9}\r\n\r\nx".as_bytes(),
        LiteralMode::NonSync,
    );
    second.flags = vec![Flag::Seen];
    check(
        "A2 APPEND Drafts {2}\r\nab (\\Seen) UTF8 (~{19+}\r\nSubject: caf\u{e9}\r\n\r\nx)\r\n"
            .as_bytes(),
        "A2",
        &B::Append {
            mailbox: mb("Drafts"),
            messages: vec![
                AppendMessage {
                    flags: vec![],
                    date_time: None,
                    message: lit(b"ab"),
                    utf8: false,
                },
                second,
            ],
        },
    );
    // The literal inside is always written `~{n}`, whatever `binary` says.
    let mut m = utf8(b"hi", LiteralMode::Sync);
    m.message.binary = false;
    let cmd = Command {
        tag: imap_proto::token::Tag::new("t").unwrap(),
        body: B::Append {
            mailbox: Mailbox::Inbox,
            messages: vec![m],
        },
    };
    let mut e = Encoder::new(LiteralStyle::Sync);
    cmd.encode(&mut e);
    assert_eq!(e.as_bytes(), b"t APPEND INBOX UTF8 (~{2}\r\nhi)\r\n");
    assert_invalid(&[
        // A literal, not a literal8.
        &b"a APPEND INBOX UTF8 ({5}\r\nhello)\r\n"[..],
        b"a APPEND INBOX UTF8 (~{5}\r\nhello\r\n",
        b"a APPEND INBOX UTF8(~{5}\r\nhello)\r\n",
        b"a APPEND INBOX UTF8 ~{5}\r\nhello\r\n",
        b"a APPEND INBOX UTF8X (~{5}\r\nhello)\r\n",
    ]);

    // Streamed: the head announces `UTF8 (~{n}`; the `)` after the octets is read by
    // AppendNext::parse_after (and refused by AppendNext::parse, which expects no `)`).
    let input = b"A3 APPEND INBOX (\\Seen) UTF8 (~{5+}\r\nhello) UTF8 (~{3+}\r\nabc)\r\n";
    let (head, n) = AppendHead::parse(input).unwrap();
    assert_eq!(head.flags, vec![Flag::Seen]);
    assert_eq!(
        (
            head.literal.length,
            head.literal.mode,
            head.literal.binary,
            head.literal.utf8
        ),
        (5, LiteralMode::NonSync, true, true)
    );
    for k in 0..n {
        assert_eq!(AppendHead::parse(&input[..k]), Err(ParseError::Incomplete));
    }
    let rest = &input[n + 5..];
    assert!(matches!(
        AppendNext::parse(rest),
        Err(ParseError::Invalid { .. })
    ));
    let (next, m) = AppendNext::parse_after(rest, &head.literal).unwrap();
    let AppendNext::Message { literal, .. } = &next else {
        panic!("a second message was announced: {next:?}")
    };
    assert_eq!(
        (literal.length, literal.utf8, literal.binary),
        (3, true, true)
    );
    let rest = &rest[m + 3..];
    assert_eq!(
        AppendNext::parse_after(rest, literal),
        Ok((AppendNext::End, 3))
    );
    assert_eq!(
        AppendNext::parse_after(b")", literal),
        Err(ParseError::Incomplete)
    );
    // And written back: head, octets, next, octets, end.
    let mut e = Encoder::new(LiteralStyle::NonSync { max: None });
    assert!(!head.encode(&mut e));
    e.raw(b"hello");
    assert!(!next.encode_after(&mut e, &head.literal));
    e.raw(b"abc");
    assert!(!AppendNext::End.encode_after(&mut e, literal));
    assert_eq!(e.as_bytes(), &input[..]);
}
