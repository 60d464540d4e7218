//! Property tests of the command codec: arbitrary commands encode then parse back to the same
//! value (with synchronizing and non-synchronizing literals), every strict prefix of an
//! encoded command is incomplete; nesting past the depth limit is an error, not a stack
//! overflow; and a rough timing of a realistic command (printed, not asserted).

use std::borrow::Cow;
use std::num::NonZeroU64;

use imap_proto::command::{
    AppendMessage, Command, CommandBody as B, EntryType, FetchAttr, FetchItems, FetchModifiers,
    ListReturnOption, ListSelectOption, QResync, QuotaLimit, SearchKey as K, SearchReturnOption,
    SelectParam, SortCriterion, SortKey, StoreKind, ThreadAlgorithm,
};
use imap_proto::cursor::DEFAULT_MAX_DEPTH;
use imap_proto::section::{BinarySection, Partial, Section, SectionText};
use imap_proto::status::StatusItem;
use imap_proto::token::{
    AString, Atom, IString, ListMailbox, Literal, LiteralMode, Mailbox, NString, SequenceSet, Tag,
};
use imap_proto::{Cursor, Encoder, LiteralStyle, ParseError};
use proptest::prelude::*;
use sasl::Secret;

mod common;
#[path = "common/strategies.rs"]
mod strategies;
use strategies::*;

fn tag() -> impl Strategy<Value = Tag<'static>> {
    "[A-Za-z0-9.]{1,8}".prop_map(|s| Tag::new(s).unwrap())
}

fn atom() -> impl Strategy<Value = Atom<'static>> {
    "[A-Za-z0-9$_.=-]{1,10}".prop_map(|s| Atom::new(s).unwrap())
}

/// Text of any shape: atoms, spaces, quotes, backslashes, CR/LF, 8-bit, empty.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[A-Za-z0-9]{1,8}",
        "[ -~]{0,12}",
        "[\\x01-\\x7f]{0,8}",
        "\\PC{0,6}",
    ]
}

fn astring() -> impl Strategy<Value = AString<'static>> {
    text().prop_map(AString::from)
}

fn istring() -> impl Strategy<Value = IString<'static>> {
    text().prop_map(IString::from)
}

fn mailbox() -> impl Strategy<Value = Mailbox<'static>> {
    prop_oneof![
        Just(Mailbox::Inbox),
        text().prop_map(|s| {
            if s.eq_ignore_ascii_case("INBOX") {
                Mailbox::Inbox
            } else {
                Mailbox::Other(AString::from(s))
            }
        }),
    ]
}

fn list_mailbox() -> impl Strategy<Value = ListMailbox<'static>> {
    prop_oneof!["[A-Za-z%*/.]{1,8}", text()].prop_map(|s| ListMailbox(AString::from(s)))
}

fn seq_set() -> impl Strategy<Value = SequenceSet> {
    prop_oneof![1 => Just(SequenceSet::Saved), 6 => seq_ranges()]
}

fn uid_set() -> impl Strategy<Value = SequenceSet> {
    seq_set().prop_filter("not $", |s| *s != SequenceSet::Saved)
}

fn search_key() -> impl Strategy<Value = K<'static>> {
    let leaf = prop_oneof![
        prop_oneof![
            Just(K::All),
            Just(K::Answered),
            Just(K::Deleted),
            Just(K::Draft),
            Just(K::Flagged),
            Just(K::New),
            Just(K::Old),
            Just(K::Recent),
            Just(K::Seen),
            Just(K::Unanswered),
            Just(K::Undeleted),
            Just(K::Undraft),
            Just(K::Unflagged),
            Just(K::Unseen),
        ],
        astring().prop_map(K::Bcc),
        astring().prop_map(K::Body),
        astring().prop_map(K::Cc),
        astring().prop_map(K::From),
        astring().prop_map(K::Subject),
        astring().prop_map(K::Text),
        astring().prop_map(K::To),
        (astring(), astring()).prop_map(|(a, b)| K::Header(a, b)),
        date().prop_map(K::Before),
        date().prop_map(K::On),
        date().prop_map(K::Since),
        date().prop_map(K::SentBefore),
        date().prop_map(K::SentOn),
        date().prop_map(K::SentSince),
        atom().prop_map(K::Keyword),
        atom().prop_map(K::Unkeyword),
        num64().prop_map(K::Larger),
        num64().prop_map(K::Smaller),
        nz32().prop_map(K::Older),
        nz32().prop_map(K::Younger),
        seq_set().prop_map(K::Uid),
        seq_set().prop_map(K::SequenceSet),
        (
            prop::option::of((
                "/flags/[A-Za-z\\\\$]{1,8}".prop_map(IString::from),
                prop_oneof![
                    Just(EntryType::Private),
                    Just(EntryType::Shared),
                    Just(EntryType::All)
                ],
            )),
            num64()
        )
            .prop_map(|(entry, mod_seq)| K::ModSeq { entry, mod_seq }),
    ];
    leaf.prop_recursive(4, 24, 3, |inner| {
        prop_oneof![
            inner.clone().prop_map(|k| K::Not(Box::new(k))),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| K::Or(Box::new(a), Box::new(b))),
            prop::collection::vec(inner, 1..3).prop_map(K::And),
        ]
    })
}

fn keys() -> impl Strategy<Value = Vec<K<'static>>> {
    prop::collection::vec(search_key(), 1..4)
}

fn section() -> impl Strategy<Value = Section<'static>> {
    let names = || prop::collection::vec(astring(), 1..4);
    (
        part(),
        prop::option::of(prop_oneof![
            Just(SectionText::Header),
            Just(SectionText::Text),
            Just(SectionText::Mime),
            names().prop_map(SectionText::HeaderFields),
            names().prop_map(SectionText::HeaderFieldsNot),
        ]),
    )
        .prop_map(|(part, text)| Section { part, text })
        .prop_filter("MIME needs a part", |s| s.is_valid())
}

fn partial() -> impl Strategy<Value = Option<Partial>> {
    prop::option::of(
        (num64(), prop::option::of(1u64..1_000_000)).prop_map(|(offset, n)| Partial {
            offset,
            length: n.and_then(NonZeroU64::new),
        }),
    )
}

fn fetch_attr() -> impl Strategy<Value = FetchAttr<'static>> {
    prop_oneof![
        prop_oneof![
            Just(FetchAttr::Envelope),
            Just(FetchAttr::Flags),
            Just(FetchAttr::InternalDate),
            Just(FetchAttr::Rfc822),
            Just(FetchAttr::Rfc822Header),
            Just(FetchAttr::Rfc822Size),
            Just(FetchAttr::Rfc822Text),
            Just(FetchAttr::Body),
            Just(FetchAttr::BodyStructure),
            Just(FetchAttr::Uid),
            Just(FetchAttr::ModSeq),
        ],
        (any::<bool>(), section(), partial()).prop_map(|(peek, section, partial)| {
            FetchAttr::BodySection {
                peek,
                section,
                partial,
            }
        }),
        (any::<bool>(), part(), partial()).prop_map(|(peek, part, partial)| FetchAttr::Binary {
            peek,
            section: BinarySection { part },
            partial,
        }),
        part().prop_map(|part| FetchAttr::BinarySize {
            section: BinarySection { part },
        }),
    ]
}

fn status_items() -> impl Strategy<Value = Vec<StatusItem>> {
    prop::collection::vec(prop::sample::select(StatusItem::ALL.to_vec()), 1..4)
}

fn literal() -> impl Strategy<Value = Literal<'static>> {
    prop_oneof![
        prop::collection::vec(1u8..=255, 0..40).prop_map(|d| (d, false)),
        prop::collection::vec(any::<u8>(), 0..40).prop_map(|d| (d, true)),
    ]
    .prop_map(|(d, binary)| Literal {
        data: Cow::Owned(d),
        mode: LiteralMode::Sync,
        binary,
    })
}

fn select_params() -> impl Strategy<Value = Vec<SelectParam>> {
    let qresync = (
        nz32(),
        num64(),
        prop::option::of(uid_set()),
        prop::option::of((uid_set(), uid_set())),
    )
        .prop_map(|(uid_validity, mod_seq, known_uids, seq_match)| {
            SelectParam::QResync(QResync {
                uid_validity,
                mod_seq,
                known_uids,
                seq_match,
            })
        });
    prop::collection::vec(prop_oneof![Just(SelectParam::CondStore), qresync], 0..3)
}

fn body() -> impl Strategy<Value = B<'static>> {
    let simple = prop_oneof![
        Just(B::Capability),
        Just(B::Noop),
        Just(B::Logout),
        Just(B::StartTls),
        Just(B::Namespace),
        Just(B::Idle),
        Just(B::Check),
        Just(B::Close),
        Just(B::Unselect),
        Just(B::Expunge),
    ];
    let auth = prop_oneof![
        (
            atom(),
            prop::option::of(prop::collection::vec(any::<u8>(), 0..30))
        )
            .prop_map(|(mechanism, ir)| B::Authenticate {
                mechanism,
                initial_response: ir.map(Secret::new),
            }),
        (astring(), astring()).prop_map(|(username, p)| B::Login {
            username,
            password: Secret::new(p),
        }),
        prop::collection::vec(atom(), 1..4).prop_map(|capabilities| B::Enable { capabilities }),
        (
            atom(),
            prop::option::of(prop::collection::vec((istring(), text()), 0..3))
        )
            .prop_map(|(_, p)| B::Id {
                params: p.map(|v| {
                    v.into_iter()
                        .map(|(k, s)| {
                            let v = if s.len() % 3 == 0 {
                                NString::NIL
                            } else {
                                NString(Some(IString::from(s)))
                            };
                            (k, v)
                        })
                        .collect()
                }),
            }),
        atom().prop_map(|algorithm| B::Compress { algorithm }),
    ];
    let mailboxes = prop_oneof![
        (mailbox(), select_params()).prop_map(|(mailbox, params)| B::Select { mailbox, params }),
        (mailbox(), select_params()).prop_map(|(mailbox, params)| B::Examine { mailbox, params }),
        (mailbox(), prop::collection::vec(atom(), 0..3)).prop_map(|(mailbox, special_use)| {
            B::Create {
                mailbox,
                special_use,
            }
        }),
        mailbox().prop_map(|mailbox| B::Delete { mailbox }),
        (mailbox(), mailbox()).prop_map(|(from, to)| B::Rename { from, to }),
        mailbox().prop_map(|mailbox| B::Subscribe { mailbox }),
        mailbox().prop_map(|mailbox| B::Unsubscribe { mailbox }),
        (
            prop::collection::vec(
                prop::sample::select(vec![
                    ListSelectOption::Subscribed,
                    ListSelectOption::Remote,
                    ListSelectOption::RecursiveMatch,
                    ListSelectOption::SpecialUse,
                ]),
                0..3
            ),
            mailbox(),
            prop::collection::vec(list_mailbox(), 1..3),
            prop::collection::vec(
                prop_oneof![
                    Just(ListReturnOption::Subscribed),
                    Just(ListReturnOption::Children),
                    Just(ListReturnOption::SpecialUse),
                    status_items().prop_map(ListReturnOption::Status),
                ],
                0..3
            ),
        )
            .prop_map(|(selection, reference, patterns, return_opts)| B::List {
                selection,
                reference,
                patterns,
                return_opts,
            }),
        (mailbox(), list_mailbox()).prop_map(|(reference, pattern)| B::Lsub { reference, pattern }),
        (mailbox(), status_items()).prop_map(|(mailbox, items)| B::Status { mailbox, items }),
        (
            mailbox(),
            prop::collection::vec(
                (
                    flags(),
                    prop::option::of(date_time()),
                    literal(),
                    any::<bool>()
                )
                    .prop_map(|(flags, date_time, mut message, utf8)| {
                        // `UTF8 (literal8)` (RFC 6855 §4) always carries a literal8.
                        message.binary |= utf8;
                        AppendMessage {
                            flags,
                            date_time,
                            message,
                            utf8,
                        }
                    }),
                1..3
            )
        )
            .prop_map(|(mailbox, messages)| B::Append { mailbox, messages }),
        astring().prop_map(|root| B::GetQuota { root }),
        mailbox().prop_map(|mailbox| B::GetQuotaRoot { mailbox }),
        (
            astring(),
            prop::collection::vec(
                (atom(), num64()).prop_map(|(resource, limit)| QuotaLimit { resource, limit }),
                0..3
            )
        )
            .prop_map(|(root, limits)| B::SetQuota { root, limits }),
    ];
    let selected = prop_oneof![
        uid_set().prop_map(|uids| B::UidExpunge { uids }),
        (
            any::<bool>(),
            prop::option::of(prop::collection::vec(
                prop::sample::select(vec![
                    SearchReturnOption::Min,
                    SearchReturnOption::Max,
                    SearchReturnOption::All,
                    SearchReturnOption::Count,
                    SearchReturnOption::Save,
                ]),
                0..3
            )),
            prop::option::of(astring()),
            keys()
        )
            .prop_map(|(uid, return_opts, charset, criteria)| B::Search {
                uid,
                return_opts,
                charset,
                criteria,
            }),
        (
            any::<bool>(),
            seq_set(),
            prop_oneof![
                Just(FetchItems::All),
                Just(FetchItems::Fast),
                Just(FetchItems::Full),
                prop::collection::vec(fetch_attr(), 1..5).prop_map(FetchItems::Attrs),
            ],
            (prop::option::of(num64()), any::<bool>()).prop_map(|(changed_since, vanished)| {
                FetchModifiers {
                    changed_since,
                    vanished,
                }
            })
        )
            .prop_map(|(uid, set, items, modifiers)| B::Fetch {
                uid,
                set,
                items,
                modifiers,
            }),
        (
            any::<bool>(),
            seq_set(),
            prop::option::of(num64()),
            prop::sample::select(vec![StoreKind::Replace, StoreKind::Add, StoreKind::Remove]),
            any::<bool>(),
            flags()
        )
            .prop_map(
                |(uid, set, unchanged_since, kind, silent, flags)| B::Store {
                    uid,
                    set,
                    unchanged_since,
                    kind,
                    silent,
                    flags,
                }
            ),
        (any::<bool>(), seq_set(), mailbox()).prop_map(|(uid, set, mailbox)| B::Copy {
            uid,
            set,
            mailbox
        }),
        (any::<bool>(), seq_set(), mailbox()).prop_map(|(uid, set, mailbox)| B::Move {
            uid,
            set,
            mailbox
        }),
        (
            any::<bool>(),
            prop::collection::vec(
                (
                    any::<bool>(),
                    prop::sample::select(vec![
                        SortKey::Arrival,
                        SortKey::Cc,
                        SortKey::Date,
                        SortKey::From,
                        SortKey::Size,
                        SortKey::Subject,
                        SortKey::To,
                        SortKey::DisplayFrom,
                        SortKey::DisplayTo,
                    ])
                )
                    .prop_map(|(reverse, key)| SortCriterion { reverse, key }),
                1..3
            ),
            astring(),
            keys()
        )
            .prop_map(|(uid, criteria, charset, keys)| B::Sort {
                uid,
                criteria,
                charset,
                keys,
            }),
        (
            any::<bool>(),
            prop_oneof![
                Just(ThreadAlgorithm::OrderedSubject),
                Just(ThreadAlgorithm::References),
                "X[A-Z]{1,6}".prop_map(|s| ThreadAlgorithm::Other(Atom::new(s).unwrap())),
            ],
            astring(),
            keys()
        )
            .prop_map(|(uid, algorithm, charset, keys)| B::Thread {
                uid,
                algorithm,
                charset,
                keys,
            }),
    ];
    prop_oneof![simple, auth, mailboxes, selected]
}

fn command() -> impl Strategy<Value = Command<'static>> {
    (tag(), body()).prop_map(|(tag, body)| Command { tag, body })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn encode_then_parse_is_identity(cmd in command(), utf8 in any::<bool>(), nonsync in any::<bool>()) {
        let style = if nonsync { LiteralStyle::NonSync { max: None } } else { LiteralStyle::Sync };
        let mut e = Encoder::new(style);
        e.set_utf8(utf8);
        cmd.encode(&mut e);
        let bytes = e.take();
        prop_assert_eq!(common::whole(&bytes, Command::parse(&bytes)), cmd);
    }

    #[test]
    fn every_strict_prefix_is_incomplete(cmd in command()) {
        let mut e = Encoder::new(LiteralStyle::Sync);
        cmd.encode(&mut e);
        common::assert_prefixes_incomplete(&e.take(), |p| Command::parse(p).err());
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        if let Ok((cmd, used)) = Command::parse(&bytes) {
            prop_assert!(used <= bytes.len());
            let mut e = Encoder::new(LiteralStyle::NonSync { max: None });
            e.set_utf8(true);
            cmd.encode(&mut e);
            let (again, _) = Command::parse(e.as_bytes()).unwrap();
            prop_assert_eq!(again, cmd);
        }
    }
}

#[test]
fn deep_nesting_is_too_deep_not_a_stack_overflow() {
    let n = 10_000;
    let mut parens = b"a SEARCH ".to_vec();
    parens.extend(std::iter::repeat_n(b'(', n));
    parens.extend_from_slice(b"ALL");
    parens.extend(std::iter::repeat_n(b')', n));
    parens.extend_from_slice(b"\r\n");
    let mut nots = b"a SEARCH ".to_vec();
    for _ in 0..n {
        nots.extend_from_slice(b"NOT ");
    }
    nots.extend_from_slice(b"ALL\r\n");
    let mut ors = b"a UID SEARCH ".to_vec();
    for _ in 0..n {
        ors.extend_from_slice(b"OR ALL ");
    }
    ors.extend_from_slice(b"ALL\r\n");
    let mut sorts = b"a SORT (DATE) UTF-8 ".to_vec();
    sorts.extend_from_slice(&parens[9..]);
    for input in [&parens, &nots, &ors, &sorts] {
        assert!(matches!(
            Command::parse(input),
            Err(ParseError::TooDeep {
                limit: DEFAULT_MAX_DEPTH,
                ..
            })
        ));
        // A stricter limit applies through parse_cursor.
        let mut c = Cursor::new(input).with_max_depth(3);
        assert!(matches!(
            Command::parse_cursor(&mut c),
            Err(ParseError::TooDeep { limit: 3, .. })
        ));
    }
    // Within the limit it parses.
    let ok = b"a SEARCH NOT NOT ((ALL))\r\n";
    let (cmd, _) = Command::parse(ok).unwrap();
    assert_eq!(
        cmd.body,
        B::Search {
            uid: false,
            return_opts: None,
            charset: None,
            criteria: vec![K::Not(Box::new(K::Not(Box::new(K::And(vec![K::And(
                vec![K::All]
            )])))))],
        }
    );
    let mut c = Cursor::new(ok).with_max_depth(3);
    assert!(matches!(
        Command::parse_cursor(&mut c),
        Err(ParseError::TooDeep { limit: 3, .. })
    ));
}

/// Not a benchmark (that is `cargo bench`): a rough number printed with `--nocapture`.
#[test]
fn timing_of_a_realistic_command() {
    let input: &[u8] = b"a UID FETCH 1:* (UID RFC822.SIZE FLAGS BODY.PEEK[HEADER.FIELDS (From To Cc Subject Date Message-ID)])\r\n";
    let n = if cfg!(debug_assertions) {
        2_000
    } else {
        200_000
    };
    let start = std::time::Instant::now();
    let mut total = 0;
    for _ in 0..n {
        let (cmd, used) = Command::parse(std::hint::black_box(input)).unwrap();
        total += used + cmd.tag.as_str().len();
    }
    let per = start.elapsed() / n;
    assert_eq!(total, n as usize * (input.len() + 1));
    println!(
        "Command::parse: {per:?} per UID FETCH (debug build: {})",
        cfg!(debug_assertions)
    );
}
