//! SEARCH (RFC 9051 §6.4.4, ESEARCH, SEARCHRES, CONDSTORE MODSEQ) and FETCH (§6.4.5, BINARY).

use super::*;

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
    assert_invalid(&[
        &b"a SEARCH\r\n"[..],
        b"a SEARCH BOGUS\r\n",
        b"a SEARCH ()\r\n",
        b"a SEARCH OR SEEN\r\n",
        b"a SEARCH SINCE 31-Foo-2000\r\n",
        b"a SEARCH RETURN (FIRST) ALL\r\n",
        b"a SEARCH MODSEQ \"/flags/x\" nobody 5\r\n",
    ]);
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
    assert_invalid(&[
        &b"a FETCH 1 (BODY.PEEK)\r\n"[..],
        b"a FETCH 1 BODY[MIME]\r\n",
        b"a FETCH 1 ()\r\n",
        b"a FETCH 1 (FLAGS) (FOO)\r\n",
        b"a FETCH 0 FLAGS\r\n",
        b"a FETCH 1 BINARY[TEXT]\r\n",
        b"a FETCH 1 BODY[]<0.0>\r\n",
    ]);
}
