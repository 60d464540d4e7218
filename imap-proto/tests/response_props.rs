//! Property tests: arbitrary responses (strategies per kind, nested body structures and
//! threads included) encode to octets that parse back to the same value, consuming all of
//! them, and every strict prefix of those octets is incomplete.

use std::borrow::Cow;

use imap_proto::response::*;
use imap_proto::section::{BinarySection, Section, SectionText};
use imap_proto::status::StatusItem;
use imap_proto::token::{
    AString, Atom, FlagPerm, IString, Literal, LiteralMode, Mailbox, NString, SequenceSet, Tag,
};
use proptest::prelude::*;

mod common;
#[path = "common/strategies.rs"]
mod strategies;
use strategies::*;

fn atom_s() -> impl Strategy<Value = String> {
    "[A-Za-z][A-Za-z0-9_.-]{0,8}"
}
/// An atom that is no known name (extensions are written `X-...`).
fn x_atom() -> impl Strategy<Value = Atom<'static>> {
    "X-[A-Z0-9]{1,6}".prop_map(|s| Atom::new(s).unwrap())
}
fn atom() -> impl Strategy<Value = Atom<'static>> {
    atom_s().prop_map(|s| Atom::new(s).unwrap())
}
fn text() -> impl Strategy<Value = Cow<'static, str>> {
    // Not starting with "[" (that would be a response code), no CR or LF.
    prop_oneof![
        Just(String::new()),
        "[a-zA-Z0-9 .,;:!?()\"'%*\\\\-]{1,30}",
        "[a-z]\\PC{0,10}".prop_filter("no line end", |s| !s.contains(['\r', '\n'])),
    ]
    .prop_map(Cow::Owned)
}
fn istring() -> impl Strategy<Value = IString<'static>> {
    prop_oneof![
        3 => "[ -~]{0,20}".prop_map(|s| IString::Quoted(Cow::Owned(s.into_bytes()))),
        1 => proptest::collection::vec(1u8..=255, 0..30).prop_map(|v| IString::Literal(Literal {
            data: Cow::Owned(v),
            mode: LiteralMode::Sync,
            binary: false,
        })),
    ]
}
fn nstring() -> impl Strategy<Value = NString<'static>> {
    prop_oneof![1 => Just(NString(None)), 3 => istring().prop_map(|s| NString(Some(s)))]
}
fn astring() -> impl Strategy<Value = AString<'static>> {
    prop_oneof![
        atom_s().prop_map(AString::from),
        istring().prop_map(AString::String)
    ]
}
fn mailbox() -> impl Strategy<Value = Mailbox<'static>> {
    prop_oneof![
        1 => Just(Mailbox::Inbox),
        4 => "[A-Za-z0-9 ./&~-]{0,12}"
            .prop_filter("not INBOX", |s| !s.eq_ignore_ascii_case("INBOX"))
            .prop_map(|s| Mailbox::Other(AString::from(s))),
    ]
}
fn seq_set() -> impl Strategy<Value = SequenceSet> {
    seq_ranges()
}
fn capability() -> impl Strategy<Value = Capability<'static>> {
    use Capability::*;
    prop_oneof![
        prop::sample::select(vec![
            Imap4Rev1,
            Imap4Rev2,
            StartTls,
            LoginDisabled,
            SaslIr,
            LiteralPlus,
            LiteralMinus,
            AppendLimit(None),
            Idle,
            Namespace,
            UidPlus,
            Move,
            Enable,
            Id,
            Unselect,
            Children,
            SpecialUse,
            CreateSpecialUse,
            ListExtended,
            ListStatus,
            Esearch,
            SearchRes,
            CondStore,
            QResync,
            Quota,
            QuotaSet,
            Binary,
            StatusSize,
            Sort,
            Utf8Accept,
            Preview,
        ]),
        atom().prop_map(Auth),
        (0u64..1_000_000_000_000_000_000).prop_map(|n| AppendLimit(Some(n))),
        atom().prop_map(Compress),
        atom().prop_map(Thread),
        atom().prop_map(QuotaRes),
        x_atom().prop_map(Other),
    ]
}
fn code() -> impl Strategy<Value = Code<'static>> {
    use Code::*;
    prop_oneof![
        prop::sample::select(vec![
            Alert,
            AlreadyExists,
            AuthenticationFailed,
            AuthorizationFailed,
            Cannot,
            ClientBug,
            Closed,
            ContactAdmin,
            Corruption,
            Expired,
            ExpungeIssued,
            HasChildren,
            InUse,
            Limit,
            NonExistent,
            NoPerm,
            OverQuota,
            Parse,
            PrivacyRequired,
            ReadOnly,
            ReadWrite,
            ServerBug,
            TryCreate,
            UidNotSticky,
            Unavailable,
            UnknownCte,
            NoModSeq,
            NotSaved,
            TooBig,
            CompressionActive,
            UseAttr,
        ]),
        (any::<u32>(), seq_set()).prop_map(|(uid_validity, uids)| AppendUid { uid_validity, uids }),
        (any::<u32>(), seq_set(), seq_set()).prop_map(|(uid_validity, source, destination)| {
            CopyUid {
                uid_validity,
                source,
                destination,
            }
        }),
        proptest::collection::vec(astring(), 0..3).prop_map(BadCharset),
        proptest::collection::vec(capability(), 0..5).prop_map(Capability),
        proptest::collection::vec(
            prop_oneof![flag().prop_map(FlagPerm::Flag), Just(FlagPerm::Any)],
            0..4
        )
        .prop_map(PermanentFlags),
        any::<u32>().prop_map(UidNext),
        any::<u32>().prop_map(UidValidity),
        any::<u32>().prop_map(Unseen),
        num64().prop_map(HighestModSeq),
        seq_set().prop_map(Modified),
        (x_atom(), proptest::option::of("[a-zA-Z0-9 :/;=@.*-]{0,20}")).prop_map(|(name, text)| {
            Other {
                name,
                text: text.map(Cow::Owned),
            }
        }),
    ]
}
fn raw_value() -> impl Strategy<Value = RawValue<'static>> {
    prop::sample::select(vec![
        "abc",
        "12",
        "1:5,7",
        "(1 2)",
        "(\"q\" (x NIL))",
        "\"s p\"",
        "{2}\r\nab",
    ])
    .prop_map(|s| RawValue(Cow::Borrowed(s.as_bytes())))
}
fn address() -> impl Strategy<Value = Address<'static>> {
    (nstring(), nstring(), nstring(), nstring()).prop_map(|(name, adl, mailbox, host)| Address {
        name,
        adl,
        mailbox,
        host,
    })
}
fn addresses() -> impl Strategy<Value = Vec<Address<'static>>> {
    proptest::collection::vec(address(), 0..3)
}
fn envelope() -> impl Strategy<Value = Envelope<'static>> {
    (
        (nstring(), nstring(), addresses(), addresses(), addresses()),
        (addresses(), addresses(), addresses(), nstring(), nstring()),
    )
        .prop_map(
            |((date, subject, from, sender, reply_to), (to, cc, bcc, in_reply_to, message_id))| {
                Envelope {
                    date,
                    subject,
                    from,
                    sender,
                    reply_to,
                    to,
                    cc,
                    bcc,
                    in_reply_to,
                    message_id,
                }
            },
        )
}
fn params() -> impl Strategy<Value = Params<'static>> {
    proptest::collection::vec((istring(), istring()), 0..3)
}
fn body_extension() -> impl Strategy<Value = BodyExtension<'static>> {
    let leaf = prop_oneof![
        nstring().prop_map(BodyExtension::NString),
        num64().prop_map(BodyExtension::Number),
    ];
    leaf.prop_recursive(3, 10, 3, |inner| {
        proptest::collection::vec(inner, 1..3).prop_map(BodyExtension::List)
    })
}
fn extensions(on: bool) -> BoxedStrategy<BodyExtensions<'static>> {
    if !on {
        return Just(BodyExtensions::default()).boxed();
    }
    (
        proptest::option::of(
            (istring(), params()).prop_map(|(kind, params)| Disposition { kind, params }),
        ),
        proptest::collection::vec(istring(), 0..3),
        nstring(),
        proptest::collection::vec(body_extension(), 0..3),
    )
        .prop_map(
            |(disposition, language, location, extensions)| BodyExtensions {
                disposition,
                language,
                location,
                extensions,
            },
        )
        .boxed()
}
fn fields() -> impl Strategy<Value = BodyFields<'static>> {
    (params(), nstring(), nstring(), istring(), any::<u32>()).prop_map(
        |(params, id, description, encoding, octets)| BodyFields {
            params,
            id,
            description,
            encoding,
            octets,
        },
    )
}
fn q(s: &'static str) -> IString<'static> {
    IString::Quoted(Cow::Borrowed(s.as_bytes()))
}
fn single(
    ext: bool,
    inner: Option<BoxedStrategy<BodyStructure<'static>>>,
) -> BoxedStrategy<BodyStructure<'static>> {
    let md5 = if ext {
        nstring().boxed()
    } else {
        Just(NString(None)).boxed()
    };
    let kind: BoxedStrategy<(IString<'static>, IString<'static>, SinglePartKind<'static>)> =
        match inner {
            None => prop_oneof![
                (prop::sample::select(vec!["TEXT", "text"]), any::<u32>())
                    .prop_map(|(t, lines)| (q(t), q("PLAIN"), SinglePartKind::Text { lines })),
                (
                    prop::sample::select(vec!["APPLICATION", "image", "TEXT", "MESSAGE"]),
                    istring()
                )
                    .prop_map(|(t, st)| (q(t), st, SinglePartKind::Basic)),
            ]
            .boxed(),
            Some(inner) => (envelope(), inner, any::<u32>())
                .prop_map(|(env, body, lines)| {
                    (
                        q("MESSAGE"),
                        q("RFC822"),
                        SinglePartKind::Message {
                            envelope: Box::new(env),
                            body: Box::new(body),
                            lines,
                        },
                    )
                })
                .boxed(),
        };
    (kind, fields(), md5, extensions(ext))
        .prop_map(|((media_type, subtype, kind), fields, md5, ext)| {
            BodyStructure::Single(SinglePart {
                media_type,
                subtype,
                fields,
                kind,
                md5,
                ext,
            })
        })
        .boxed()
}
fn body(ext: bool) -> impl Strategy<Value = BodyStructure<'static>> {
    single(ext, None).prop_recursive(4, 16, 3, move |inner| {
        let p = if ext {
            params().boxed()
        } else {
            Just(Vec::new()).boxed()
        };
        prop_oneof![
            3 => (proptest::collection::vec(inner.clone(), 1..4), istring(), p, extensions(ext))
                .prop_map(|(parts, subtype, params, ext)| {
                    BodyStructure::Multi(Multipart { parts, subtype, params, ext })
                }),
            1 => single(ext, Some(inner.boxed())),
        ]
    })
}
fn section() -> impl Strategy<Value = Section<'static>> {
    (
        part(),
        prop_oneof![
            Just(None),
            Just(Some(SectionText::Header)),
            Just(Some(SectionText::Text)),
            Just(Some(SectionText::Mime)),
            proptest::collection::vec(astring(), 1..3)
                .prop_map(|v| Some(SectionText::HeaderFields(v))),
            proptest::collection::vec(astring(), 1..3)
                .prop_map(|v| Some(SectionText::HeaderFieldsNot(v))),
        ],
    )
        .prop_map(|(part, text)| Section { part, text })
        .prop_filter("valid", |s| s.is_valid())
}
fn msg_att() -> impl Strategy<Value = MsgAtt<'static>> {
    prop_oneof![
        flags().prop_map(MsgAtt::Flags),
        nz32().prop_map(MsgAtt::Uid),
        date_time().prop_map(MsgAtt::InternalDate),
        num64().prop_map(MsgAtt::Rfc822Size),
        envelope().prop_map(|e| MsgAtt::Envelope(Box::new(e))),
        body(true).prop_map(|b| MsgAtt::BodyStructure(Box::new(b))),
        body(false).prop_map(|b| MsgAtt::Body(Box::new(b))),
        (section(), proptest::option::of(num64()), nstring()).prop_map(
            |(section, origin, data)| {
                MsgAtt::BodySection {
                    section,
                    origin,
                    data,
                }
            }
        ),
        (
            part(),
            proptest::option::of(proptest::collection::vec(any::<u8>(), 0..20))
        )
            .prop_map(|(part, data)| MsgAtt::Binary {
                section: BinarySection { part },
                data: NString(data.map(|d| IString::Literal(Literal {
                    data: Cow::Owned(d),
                    mode: LiteralMode::Sync,
                    binary: true,
                }))),
            }),
        (part(), num64()).prop_map(|(part, size)| MsgAtt::BinarySize {
            section: BinarySection { part },
            size
        }),
        num64().prop_map(MsgAtt::ModSeq),
        nstring().prop_map(MsgAtt::Rfc822),
        nstring().prop_map(MsgAtt::Rfc822Header),
        nstring().prop_map(MsgAtt::Rfc822Text),
        nstring().prop_map(MsgAtt::Preview),
        (x_atom(), raw_value()).prop_map(|(name, value)| MsgAtt::Other { name, value }),
    ]
}
fn mailbox_attribute() -> impl Strategy<Value = MailboxAttribute<'static>> {
    use MailboxAttribute::*;
    prop_oneof![
        prop::sample::select(vec![
            NoInferiors,
            NoSelect,
            Marked,
            Unmarked,
            NonExistent,
            Subscribed,
            Remote,
            HasChildren,
            HasNoChildren,
            All,
            Archive,
            Drafts,
            Flagged,
            Junk,
            Sent,
            Trash,
            Important,
        ]),
        x_atom().prop_map(Extension),
    ]
}
fn delimiter() -> impl Strategy<Value = Option<char>> {
    proptest::option::of(prop::sample::select(vec!['/', '.', '\\', '"', ':']))
}
fn list_item() -> impl Strategy<Value = ListItem<'static>> {
    (
        proptest::collection::vec(mailbox_attribute(), 0..4),
        delimiter(),
        mailbox(),
        proptest::collection::vec(
            prop_oneof![
                proptest::collection::vec(istring(), 1..3).prop_map(ListExtendedItem::ChildInfo),
                mailbox().prop_map(ListExtendedItem::OldName),
                (x_atom(), raw_value()).prop_map(|(t, value)| ListExtendedItem::Other {
                    tag: AString::from(t.as_str().to_string()),
                    value
                }),
            ],
            0..3,
        ),
    )
        .prop_map(|(attributes, delimiter, mailbox, extended)| ListItem {
            attributes,
            delimiter,
            mailbox,
            extended,
        })
}
fn namespaces() -> impl Strategy<Value = Vec<NamespaceDescr<'static>>> {
    proptest::collection::vec(
        (
            istring(),
            delimiter(),
            proptest::collection::vec(
                (istring(), proptest::collection::vec(istring(), 1..3)),
                0..2,
            ),
        )
            .prop_map(|(prefix, delimiter, extensions)| NamespaceDescr {
                prefix,
                delimiter,
                extensions,
            }),
        0..3,
    )
}
fn thread() -> impl Strategy<Value = Thread> {
    proptest::collection::vec(any::<u32>(), 1..4)
        .prop_map(|members| Thread {
            members,
            children: vec![],
        })
        .prop_recursive(4, 20, 3, |inner| {
            (
                proptest::collection::vec(any::<u32>(), 0..3),
                proptest::collection::vec(inner, 1..3),
            )
                .prop_map(|(members, children)| Thread { members, children })
        })
}
fn status_value() -> impl Strategy<Value = StatusValue<'static>> {
    prop_oneof![
        (prop::sample::select(StatusItem::ALL.to_vec()), num64())
            .prop_map(|(i, n)| StatusValue::Item(i, Some(n))),
        Just(StatusValue::Item(StatusItem::AppendLimit, None)),
        (x_atom(), raw_value()).prop_map(|(name, value)| StatusValue::Other { name, value }),
    ]
}
fn search_return() -> impl Strategy<Value = SearchReturnData<'static>> {
    use SearchReturnData::*;
    prop_oneof![
        any::<u32>().prop_map(Min),
        any::<u32>().prop_map(Max),
        any::<u32>().prop_map(Count),
        seq_set().prop_map(All),
        num64().prop_map(ModSeq),
        (x_atom(), raw_value()).prop_map(|(name, value)| Other { name, value }),
    ]
}
fn data() -> impl Strategy<Value = Data<'static>> {
    let nums = proptest::collection::vec(any::<u32>(), 0..5);
    prop_oneof![
        proptest::collection::vec(capability(), 0..6).prop_map(Data::Capability),
        proptest::collection::vec(capability(), 0..3).prop_map(Data::Enabled),
        list_item().prop_map(Data::List),
        list_item().prop_map(Data::Lsub),
        (namespaces(), namespaces(), namespaces()).prop_map(|(personal, other, shared)| {
            Data::Namespace(Namespace {
                personal,
                other,
                shared,
            })
        }),
        (mailbox(), proptest::collection::vec(status_value(), 0..4))
            .prop_map(|(mailbox, items)| Data::Status { mailbox, items }),
        (
            proptest::option::of(istring()),
            any::<bool>(),
            proptest::collection::vec(search_return(), 0..4)
        )
            .prop_map(|(tag, uid, data)| Data::Esearch(Esearch { tag, uid, data })),
        (nums.clone(), proptest::option::of(num64()))
            .prop_map(|(nums, modseq)| Data::Search { nums, modseq }),
        (nums, proptest::option::of(num64()))
            .prop_map(|(nums, modseq)| Data::Sort { nums, modseq }),
        proptest::collection::vec(thread(), 0..4).prop_map(Data::Thread),
        flags().prop_map(Data::Flags),
        any::<u32>().prop_map(Data::Exists),
        any::<u32>().prop_map(Data::Recent),
        nz32().prop_map(Data::Expunge),
        (any::<bool>(), seq_set()).prop_map(|(earlier, uids)| Data::Vanished { earlier, uids }),
        proptest::option::of(proptest::collection::vec((istring(), nstring()), 0..3))
            .prop_map(Data::Id),
        (
            astring(),
            proptest::collection::vec(
                (atom(), num64(), num64()).prop_map(|(name, usage, limit)| QuotaResource {
                    name,
                    usage,
                    limit
                }),
                0..3
            )
        )
            .prop_map(|(root, resources)| Data::Quota { root, resources }),
        (mailbox(), proptest::collection::vec(astring(), 0..3))
            .prop_map(|(mailbox, roots)| Data::QuotaRoot { mailbox, roots }),
        (nz32(), proptest::collection::vec(msg_att(), 0..5))
            .prop_map(|(seq, items)| Data::Fetch { seq, items }),
    ]
}
fn response() -> impl Strategy<Value = Response<'static>> {
    let kind = prop::sample::select(vec![StatusKind::Ok, StatusKind::No, StatusKind::Bad]);
    prop_oneof![
        1 => (
            "[A-Za-z0-9.]{1,8}",
            kind,
            proptest::option::of(code()),
            text()
        )
            .prop_map(|(tag, kind, code, text)| Response::Status(Status {
                tag: Some(Tag::new(tag).unwrap()),
                kind,
                code,
                text
            })),
        1 => (
            prop::sample::select(vec![
                StatusKind::Ok,
                StatusKind::No,
                StatusKind::Bad,
                StatusKind::PreAuth,
                StatusKind::Bye
            ]),
            proptest::option::of(code()),
            text()
        )
            .prop_map(|(kind, code, text)| Response::Status(Status { tag: None, kind, code, text })),
        1 => (proptest::option::of(code()), text()).prop_map(|(code, text)| Response::Continue(Continue { code, text })),
        4 => data().prop_map(Response::Data),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn encode_then_parse_is_identity(r in response()) {
        let bytes = r.to_bytes();
        let back = common::whole(&bytes, Response::parse(&bytes));
        prop_assert_eq!(&back, &r, "{:?}", common::shown(&bytes));
        // And the parsed value encodes to the same octets.
        prop_assert_eq!(back.to_bytes(), bytes);
    }

    #[test]
    fn prefixes_are_incomplete(r in response()) {
        common::assert_prefixes_incomplete(&r.to_bytes(), |p| Response::parse(p).err());
    }
}
