//! Response examples of RFC 9051 §7, RFC 3501 §7 and §8 and the extension RFCs as
//! `(input, expected value)` tables. Every example is also checked to consume exactly its
//! octets, to encode back to a response that parses to the same value, and to be
//! [`ParseError::Incomplete`] at every strict prefix.

use std::borrow::Cow;
use std::num::NonZeroU32;

use imap_proto::ParseError;
use imap_proto::response::*;
use imap_proto::section::{BinarySection, Section, SectionText};
use imap_proto::status::StatusItem;
use imap_proto::token::{
    AString, Atom, Date, DateTime, Flag, FlagPerm, IString, Mailbox, NString, SequenceSet, Tag,
};

/// Parse `input` whole, check every prefix is incomplete and that encoding round-trips.
fn check(input: &[u8]) -> Response<'_> {
    let (r, n) = Response::parse(input)
        .unwrap_or_else(|e| panic!("{:?}: {e}", String::from_utf8_lossy(input)));
    assert_eq!(n, input.len(), "{:?}", String::from_utf8_lossy(input));
    for i in 0..input.len() {
        assert_eq!(
            Response::parse(&input[..i]).map(|(_, n)| n),
            Err(ParseError::Incomplete),
            "prefix {i} of {:?}",
            String::from_utf8_lossy(input)
        );
    }
    let bytes = r.to_bytes();
    let (again, m) = Response::parse(&bytes)
        .unwrap_or_else(|e| panic!("re-parse of {:?}: {e}", String::from_utf8_lossy(&bytes)));
    assert_eq!(m, bytes.len());
    assert_eq!(again, r, "{:?}", String::from_utf8_lossy(&bytes));
    r
}

fn q(s: &str) -> IString<'_> {
    IString::Quoted(Cow::Borrowed(s.as_bytes()))
}
fn ns(s: &str) -> NString<'_> {
    NString(Some(q(s)))
}
const NIL: NString<'static> = NString(None);
fn atom(s: &str) -> Atom<'_> {
    Atom::new(s).unwrap()
}
fn nz(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n).unwrap()
}
fn seq(s: &str) -> SequenceSet {
    SequenceSet::parse(&mut imap_proto::Cursor::new(format!("{s} ").as_bytes())).unwrap()
}
fn untagged(
    kind: StatusKind,
    code: Option<Code<'static>>,
    text: &'static str,
) -> Response<'static> {
    Response::Status(Status {
        tag: None,
        kind,
        code,
        text: Cow::Borrowed(text),
    })
}
fn tagged(
    tag: &'static str,
    kind: StatusKind,
    code: Option<Code<'static>>,
    text: &'static str,
) -> Response<'static> {
    Response::Status(Status {
        tag: Some(Tag::new(tag).unwrap()),
        kind,
        code,
        text: Cow::Borrowed(text),
    })
}
fn data(d: Data<'_>) -> Response<'_> {
    Response::Data(d)
}
fn addr<'a>(name: Option<&'a str>, mailbox: &'a str, host: &'a str) -> Address<'a> {
    Address {
        name: NString(name.map(q)),
        adl: NIL,
        mailbox: ns(mailbox),
        host: ns(host),
    }
}
fn text_part<'a>(
    params: &[(&'a str, &'a str)],
    enc: &'a str,
    octets: u32,
    lines: u32,
) -> SinglePart<'a> {
    SinglePart {
        media_type: q("TEXT"),
        subtype: q("PLAIN"),
        fields: BodyFields {
            params: params.iter().map(|(k, v)| (q(k), q(v))).collect(),
            id: NIL,
            description: NIL,
            encoding: q(enc),
            octets,
        },
        kind: SinglePartKind::Text { lines },
        md5: NIL,
        ext: BodyExtensions::default(),
    }
}

#[test]
fn status_responses_rfc9051_7_1() {
    use StatusKind::*;
    let table: Vec<(&[u8], Response)> = vec![
        (
            b"* OK IMAP4rev2 server ready\r\n",
            untagged(Ok, None, "IMAP4rev2 server ready"),
        ),
        (
            b"* OK [ALERT] System shutdown in 10 minutes\r\n",
            untagged(Ok, Some(Code::Alert), "System shutdown in 10 minutes"),
        ),
        (
            b"A001 OK LOGIN Completed\r\n",
            tagged("A001", Ok, None, "LOGIN Completed"),
        ),
        (
            b"* NO Disk is 98% full, please delete unnecessary data\r\n",
            untagged(No, None, "Disk is 98% full, please delete unnecessary data"),
        ),
        (
            b"A222 NO COPY failed: disk is full\r\n",
            tagged("A222", No, None, "COPY failed: disk is full"),
        ),
        (
            b"* BAD Command line too long\r\n",
            untagged(Bad, None, "Command line too long"),
        ),
        (
            b"A443 BAD no such command\r\n",
            tagged("A443", Bad, None, "no such command"),
        ),
        (
            b"* PREAUTH IMAP4rev2 server logged in as Smith\r\n",
            untagged(PreAuth, None, "IMAP4rev2 server logged in as Smith"),
        ),
        (
            b"* BYE Autologout; idle for too long\r\n",
            untagged(Bye, None, "Autologout; idle for too long"),
        ),
        (
            b"* OK [UNSEEN 17] Message 17 is the first unseen message\r\n",
            untagged(
                Ok,
                Some(Code::Unseen(17)),
                "Message 17 is the first unseen message",
            ),
        ),
        (
            b"* OK [UIDVALIDITY 3857529045] UIDs valid\r\n",
            untagged(Ok, Some(Code::UidValidity(3857529045)), "UIDs valid"),
        ),
        (
            b"* OK [UIDNEXT 4392] Predicted next UID\r\n",
            untagged(Ok, Some(Code::UidNext(4392)), "Predicted next UID"),
        ),
        (
            b"* OK [PERMANENTFLAGS (\\Deleted \\Seen \\*)] Limited\r\n",
            untagged(
                Ok,
                Some(Code::PermanentFlags(vec![
                    FlagPerm::Flag(Flag::Deleted),
                    FlagPerm::Flag(Flag::Seen),
                    FlagPerm::Any,
                ])),
                "Limited",
            ),
        ),
        (
            b"A142 OK [READ-WRITE] SELECT completed\r\n",
            tagged("A142", Ok, Some(Code::ReadWrite), "SELECT completed"),
        ),
        (
            b"A932 OK [READ-ONLY] EXAMINE completed\r\n",
            tagged("A932", Ok, Some(Code::ReadOnly), "EXAMINE completed"),
        ),
        (
            b"A003 NO [TRYCREATE] Mailbox doesn't exist: owatagusiam\r\n",
            tagged(
                "A003",
                No,
                Some(Code::TryCreate),
                "Mailbox doesn't exist: owatagusiam",
            ),
        ),
        (
            b"* OK [CLOSED] Previous mailbox is now closed\r\n",
            untagged(Ok, Some(Code::Closed), "Previous mailbox is now closed"),
        ),
        (
            b"a NO [HASCHILDREN] Mailbox has children\r\n",
            tagged("a", No, Some(Code::HasChildren), "Mailbox has children"),
        ),
        (
            b"A3 NO [BADCHARSET (UTF-8 \"US-ASCII\")] unknown charset\r\n",
            tagged(
                "A3",
                No,
                Some(Code::BadCharset(vec![
                    AString::from("UTF-8"),
                    AString::from("US-ASCII"),
                ])),
                "unknown charset",
            ),
        ),
        (
            b"t NO [BADCHARSET] no\r\n",
            tagged("t", No, Some(Code::BadCharset(vec![])), "no"),
        ),
        (
            b"* OK [CAPABILITY IMAP4rev2 STARTTLS AUTH=GSSAPI LOGINDISABLED] ready\r\n",
            untagged(
                Ok,
                Some(Code::Capability(vec![
                    Capability::Imap4Rev2,
                    Capability::StartTls,
                    Capability::Auth(atom("GSSAPI")),
                    Capability::LoginDisabled,
                ])),
                "ready",
            ),
        ),
        (
            b"* NO [PARSE] Unable to parse the header\r\n",
            untagged(No, Some(Code::Parse), "Unable to parse the header"),
        ),
        (
            b"A1 NO [UNKNOWN-CTE] Can't decode\r\n",
            tagged("A1", No, Some(Code::UnknownCte), "Can't decode"),
        ),
        // RFC 4315 (UIDPLUS), RFC 9051 §7.1.
        (
            b"A003 OK [APPENDUID 38505 3955] APPEND completed\r\n",
            tagged(
                "A003",
                Ok,
                Some(Code::AppendUid {
                    uid_validity: 38505,
                    uids: seq("3955"),
                }),
                "APPEND completed",
            ),
        ),
        (
            b"A004 OK [COPYUID 38505 304,319:320 3956:3958] Done\r\n",
            tagged(
                "A004",
                Ok,
                Some(Code::CopyUid {
                    uid_validity: 38505,
                    source: seq("304,319:320"),
                    destination: seq("3956:3958"),
                }),
                "Done",
            ),
        ),
        (
            b"A004 OK [UIDNOTSTICKY] Non-persistent UIDs\r\n",
            tagged("A004", Ok, Some(Code::UidNotSticky), "Non-persistent UIDs"),
        ),
        // RFC 7162 (CONDSTORE/QRESYNC).
        (
            b"* OK [HIGHESTMODSEQ 715194045007] Highest\r\n",
            untagged(Ok, Some(Code::HighestModSeq(715194045007)), "Highest"),
        ),
        (
            b"* OK [NOMODSEQ] Sorry, this mailbox format doesn't support modsequences\r\n",
            untagged(
                Ok,
                Some(Code::NoModSeq),
                "Sorry, this mailbox format doesn't support modsequences",
            ),
        ),
        (
            b"d105 OK [MODIFIED 7,9] Conditional STORE failed\r\n",
            tagged(
                "d105",
                Ok,
                Some(Code::Modified(seq("7,9"))),
                "Conditional STORE failed",
            ),
        ),
        // RFC 5182 (SEARCHRES), RFC 4469/7889, RFC 4978, RFC 6154.
        (
            b"A1 NO [NOTSAVED] x\r\n",
            tagged("A1", No, Some(Code::NotSaved), "x"),
        ),
        (
            b"A3 NO [TOOBIG] Message too big\r\n",
            tagged("A3", No, Some(Code::TooBig), "Message too big"),
        ),
        (
            b"tag BAD [COMPRESSIONACTIVE] DEFLATE active via TLS\r\n",
            tagged(
                "tag",
                Bad,
                Some(Code::CompressionActive),
                "DEFLATE active via TLS",
            ),
        ),
        (
            b"t1 NO [USEATTR] An \\Important mailbox already exists\r\n",
            tagged(
                "t1",
                No,
                Some(Code::UseAttr),
                "An \\Important mailbox already exists",
            ),
        ),
        // Unknown codes keep their argument (RFC 2221 REFERRAL).
        (
            b"A001 NO [REFERRAL IMAP://user;AUTH=*@SERVER2/] Remote Server\r\n",
            tagged(
                "A001",
                No,
                Some(Code::Other {
                    name: atom("REFERRAL"),
                    text: Some(Cow::Borrowed("IMAP://user;AUTH=*@SERVER2/")),
                }),
                "Remote Server",
            ),
        ),
        (
            b"* OK [X-FOO] bar\r\n",
            untagged(
                Ok,
                Some(Code::Other {
                    name: atom("X-FOO"),
                    text: None,
                }),
                "bar",
            ),
        ),
    ];
    for (input, expected) in table {
        assert_eq!(check(input), expected, "{}", String::from_utf8_lossy(input));
    }
}

#[test]
fn rfc5530_codes() {
    let cases: &[(&str, Code<'static>)] = &[
        ("UNAVAILABLE", Code::Unavailable),
        ("AUTHENTICATIONFAILED", Code::AuthenticationFailed),
        ("AUTHORIZATIONFAILED", Code::AuthorizationFailed),
        ("EXPIRED", Code::Expired),
        ("PRIVACYREQUIRED", Code::PrivacyRequired),
        ("CONTACTADMIN", Code::ContactAdmin),
        ("NOPERM", Code::NoPerm),
        ("INUSE", Code::InUse),
        ("EXPUNGEISSUED", Code::ExpungeIssued),
        ("CORRUPTION", Code::Corruption),
        ("SERVERBUG", Code::ServerBug),
        ("CLIENTBUG", Code::ClientBug),
        ("CANNOT", Code::Cannot),
        ("LIMIT", Code::Limit),
        ("OVERQUOTA", Code::OverQuota),
        ("ALREADYEXISTS", Code::AlreadyExists),
        ("NONEXISTENT", Code::NonExistent),
    ];
    for (name, code) in cases {
        let input = format!("a NO [{name}] text\r\n");
        let r = check(input.as_bytes());
        assert_eq!(
            r,
            tagged("a", StatusKind::No, Some(code.clone()), "text"),
            "{name}"
        );
        assert_eq!(code.name(), *name);
        // Lower case on the wire too.
        let lower = format!("a NO [{}] text\r\n", name.to_ascii_lowercase());
        assert_eq!(Response::parse(lower.as_bytes()).unwrap().0, r);
    }
}

#[test]
fn continuation_requests() {
    let table: Vec<(&[u8], Option<Code>, &str)> = vec![
        (b"+ Ready for additional command text\r\n", None, "Ready for additional command text"),
        (b"+ \r\n", None, ""),
        (
            b"+ YGgGCSqGSIb3EgECAgIAb1kwV6ADAgEFoQMCAQ+iSzBJoAMCAQGiQgRAtHTEuOP2BXb9sBYFR4SJlDZxmg39IxmRBOhXRKdDA0uHTCOT9Bq3OsUTXUlk0CsFLoa8j+gvGDlgHuqzWHPSQg==\r\n",
            None,
            "YGgGCSqGSIb3EgECAgIAb1kwV6ADAgEFoQMCAQ+iSzBJoAMCAQGiQgRAtHTEuOP2BXb9sBYFR4SJlDZxmg39IxmRBOhXRKdDA0uHTCOT9Bq3OsUTXUlk0CsFLoa8j+gvGDlgHuqzWHPSQg==",
        ),
        (b"+ idling\r\n", None, "idling"),
        (b"+ [ALERT] go on\r\n", Some(Code::Alert), "go on"),
    ];
    for (input, code, text) in table {
        assert_eq!(
            check(input),
            Response::Continue(Continue {
                code,
                text: Cow::Borrowed(text)
            })
        );
    }
}

#[test]
fn capability_and_enabled() {
    let r = check(b"* CAPABILITY IMAP4rev2 STARTTLS AUTH=GSSAPI XPIG-LATIN\r\n");
    assert_eq!(
        r,
        data(Data::Capability(vec![
            Capability::Imap4Rev2,
            Capability::StartTls,
            Capability::Auth(atom("GSSAPI")),
            Capability::Other(atom("XPIG-LATIN")),
        ]))
    );
    let r = check(
        b"* CAPABILITY IMAP4rev1 IMAP4rev2 LITERAL+ LITERAL- SASL-IR AUTH=PLAIN AUTH=SCRAM-SHA-256 APPENDLIMIT=35651584 APPENDLIMIT COMPRESS=DEFLATE STATUS=SIZE SORT THREAD=REFERENCES THREAD=ORDEREDSUBJECT IDLE NAMESPACE UIDPLUS MOVE ENABLE ID UNSELECT CHILDREN SPECIAL-USE CREATE-SPECIAL-USE LIST-EXTENDED LIST-STATUS ESEARCH SEARCHRES CONDSTORE QRESYNC QUOTA QUOTA=RES-STORAGE QUOTASET BINARY UTF8=ACCEPT PREVIEW LOGINDISABLED\r\n",
    );
    let Response::Data(Data::Capability(caps)) = r else {
        panic!("{r:?}")
    };
    assert_eq!(caps.len(), 37);
    assert_eq!(caps[6], Capability::Auth(atom("SCRAM-SHA-256")));
    assert_eq!(caps[7], Capability::AppendLimit(Some(35651584)));
    assert_eq!(caps[8], Capability::AppendLimit(None));
    assert_eq!(caps[9], Capability::Compress(atom("DEFLATE")));
    assert_eq!(caps[10], Capability::StatusSize);
    assert_eq!(caps[12], Capability::Thread(atom("REFERENCES")));
    assert_eq!(caps[31], Capability::QuotaRes(atom("STORAGE")));
    assert_eq!(caps[36], Capability::LoginDisabled);
    // RFC 5161 §3.2.
    assert_eq!(
        check(b"* ENABLED CONDSTORE QRESYNC\r\n"),
        data(Data::Enabled(vec![
            Capability::CondStore,
            Capability::QResync
        ]))
    );
    assert_eq!(check(b"* ENABLED\r\n"), data(Data::Enabled(vec![])));
}

#[test]
fn list_and_lsub() {
    let item = |attrs: Vec<MailboxAttribute<'static>>, d: Option<char>, m: &'static str| ListItem {
        attributes: attrs,
        delimiter: d,
        mailbox: Mailbox::from(m),
        extended: vec![],
    };
    use MailboxAttribute::*;
    let table: Vec<(&[u8], Response)> = vec![
        // RFC 9051 §7.3.1
        (
            b"* LIST (\\Noselect) \"/\" ~/Mail/foo\r\n",
            data(Data::List(item(vec![NoSelect], Some('/'), "~/Mail/foo"))),
        ),
        (
            b"* LIST () \".\" #news.comp.mail.misc\r\n",
            data(Data::List(item(vec![], Some('.'), "#news.comp.mail.misc"))),
        ),
        (
            b"* LIST (\\Noselect) NIL \"\"\r\n",
            data(Data::List(item(vec![NoSelect], None, ""))),
        ),
        (
            b"* LIST (\\Noselect) \"\\\\\" \"\"\r\n",
            data(Data::List(item(vec![NoSelect], Some('\\'), ""))),
        ),
        // RFC 3501 §7.2.3
        (
            b"* LSUB () \".\" #news.comp.mail.misc\r\n",
            data(Data::Lsub(item(vec![], Some('.'), "#news.comp.mail.misc"))),
        ),
        // RFC 5258 §5
        (
            b"* LIST (\\Marked \\NoInferiors \\Subscribed) \"/\" \"inbox\"\r\n",
            data(Data::List(item(
                vec![Marked, NoInferiors, Subscribed],
                Some('/'),
                "INBOX",
            ))),
        ),
        (
            b"* LIST (\\Subscribed \\NonExistent) \"/\" \"Fruit/Peach\"\r\n",
            data(Data::List(item(vec![Subscribed, NonExistent], Some('/'), "Fruit/Peach"))),
        ),
        (
            b"* LIST (\\Remote \\HasNoChildren) \"/\" \"Bread\"\r\n",
            data(Data::List(item(vec![Remote, HasNoChildren], Some('/'), "Bread"))),
        ),
        // RFC 6154 §5.1
        (
            b"* LIST (\\HasNoChildren \\Drafts) \"/\" Drafts\r\n",
            data(Data::List(item(vec![HasNoChildren, Drafts], Some('/'), "Drafts"))),
        ),
        (
            b"* LIST (\\HasNoChildren \\Sent \\Junk \\Trash \\All \\Archive \\Flagged \\Important) \"/\" X\r\n",
            data(Data::List(item(
                vec![HasNoChildren, Sent, Junk, Trash, All, Archive, Flagged, Important],
                Some('/'),
                "X",
            ))),
        ),
        (
            b"* LIST (\\HasChildren \\X-Custom) \"/\" Y\r\n",
            data(Data::List(item(
                vec![HasChildren, Extension(atom("X-Custom"))],
                Some('/'),
                "Y",
            ))),
        ),
    ];
    for (input, expected) in table {
        assert_eq!(check(input), expected, "{}", String::from_utf8_lossy(input));
    }
    // RFC 5258 §5 CHILDINFO, RFC 9051 §7.3.1 OLDNAME.
    let r = check(b"* LIST () \"/\" \"Fruit\" (\"CHILDINFO\" (\"SUBSCRIBED\"))\r\n");
    let Response::Data(Data::List(l)) = r else {
        panic!()
    };
    assert_eq!(
        l.extended,
        vec![ListExtendedItem::ChildInfo(vec![q("SUBSCRIBED")])]
    );
    let r = check(b"* LIST () \"/\" \"NewMailbox\" (\"OLDNAME\" (\"OldMailbox\"))\r\n");
    let Response::Data(Data::List(l)) = r else {
        panic!()
    };
    assert_eq!(
        l.extended,
        vec![ListExtendedItem::OldName(Mailbox::from("OldMailbox"))]
    );
    let r =
        check(b"* LIST () \"/\" \"x\" (\"X-EXT\" (1 (2 \"a\")) CHILDINFO (\"SUBSCRIBED\"))\r\n");
    let Response::Data(Data::List(l)) = r else {
        panic!()
    };
    assert_eq!(l.extended.len(), 2);
    assert!(
        matches!(&l.extended[0], ListExtendedItem::Other { value, .. } if &*value.0 == b"(1 (2 \"a\"))")
    );
}

#[test]
fn namespace() {
    let d = |p: &'static str, delim: Option<char>| NamespaceDescr {
        prefix: q(p),
        delimiter: delim,
        extensions: vec![],
    };
    // RFC 2342 §5 examples.
    assert_eq!(
        check(b"* NAMESPACE ((\"\" \"/\")) NIL NIL\r\n"),
        data(Data::Namespace(Namespace {
            personal: vec![d("", Some('/'))],
            other: vec![],
            shared: vec![],
        }))
    );
    assert_eq!(
        check(b"* NAMESPACE NIL NIL ((\"\" \".\"))\r\n"),
        data(Data::Namespace(Namespace {
            personal: vec![],
            other: vec![],
            shared: vec![d("", Some('.'))],
        }))
    );
    assert_eq!(
        check(b"* NAMESPACE ((\"\" \"/\")) ((\"~\" \"/\")) ((\"#shared/\" \"/\")(\"#public/\" \"/\")(\"#ftp/\" \"/\")(\"#news.\" \".\"))\r\n"),
        data(Data::Namespace(Namespace {
            personal: vec![d("", Some('/'))],
            other: vec![d("~", Some('/'))],
            shared: vec![
                d("#shared/", Some('/')),
                d("#public/", Some('/')),
                d("#ftp/", Some('/')),
                d("#news.", Some('.')),
            ],
        }))
    );
    let r = check(
        b"* NAMESPACE ((\"\" \"/\")(\"#mh/\" \"/\" \"X-PARAM\" (\"FLAG1\" \"FLAG2\"))) NIL NIL\r\n",
    );
    let Response::Data(Data::Namespace(n)) = r else {
        panic!()
    };
    assert_eq!(
        n.personal[1].extensions,
        vec![(q("X-PARAM"), vec![q("FLAG1"), q("FLAG2")])]
    );
    assert_eq!(
        check(b"* NAMESPACE ((\"INBOX.\" NIL)) NIL NIL\r\n"),
        data(Data::Namespace(Namespace {
            personal: vec![d("INBOX.", None)],
            ..Default::default()
        }))
    );
}

#[test]
fn status_data() {
    use StatusItem::*;
    let table: Vec<(&[u8], &str, Vec<StatusValue>)> = vec![
        // RFC 9051 §7.3.2
        (
            b"* STATUS blurdybloop (MESSAGES 231 UIDNEXT 44292)\r\n",
            "blurdybloop",
            vec![
                StatusValue::Item(Messages, Some(231)),
                StatusValue::Item(UidNext, Some(44292)),
            ],
        ),
        // RFC 8438 (STATUS=SIZE)
        (
            b"* STATUS INBOX (MESSAGES 231 SIZE 44827)\r\n",
            "INBOX",
            vec![
                StatusValue::Item(Messages, Some(231)),
                StatusValue::Item(Size, Some(44827)),
            ],
        ),
        // RFC 7162 §3.1.6
        (
            b"* STATUS blurdybloop (MESSAGES 231 UIDNEXT 7500 HIGHESTMODSEQ 7011231777)\r\n",
            "blurdybloop",
            vec![
                StatusValue::Item(Messages, Some(231)),
                StatusValue::Item(UidNext, Some(7500)),
                StatusValue::Item(HighestModSeq, Some(7011231777)),
            ],
        ),
        // RFC 7889 §4
        (
            b"* STATUS INBOX (APPENDLIMIT 257890)\r\n",
            "INBOX",
            vec![StatusValue::Item(AppendLimit, Some(257890))],
        ),
        (
            b"* STATUS \"Sent\" (APPENDLIMIT NIL)\r\n",
            "Sent",
            vec![StatusValue::Item(AppendLimit, None)],
        ),
        // RFC 5819 (LIST-STATUS) example, with the RFC 3501 items.
        (
            b"* STATUS \"INBOX\" (MESSAGES 17 UNSEEN 16 RECENT 3 UIDVALIDITY 1 DELETED 0)\r\n",
            "INBOX",
            vec![
                StatusValue::Item(Messages, Some(17)),
                StatusValue::Item(Unseen, Some(16)),
                StatusValue::Item(Recent, Some(3)),
                StatusValue::Item(UidValidity, Some(1)),
                StatusValue::Item(Deleted, Some(0)),
            ],
        ),
        // RFC 8474 MAILBOXID: unknown here, kept.
        (
            b"* STATUS foo (MAILBOXID (F2212ea87-6097-4256-9d51-71338625))\r\n",
            "foo",
            vec![StatusValue::Other {
                name: atom("MAILBOXID"),
                value: RawValue(Cow::Borrowed(b"(F2212ea87-6097-4256-9d51-71338625)")),
            }],
        ),
    ];
    for (input, mailbox, items) in table {
        assert_eq!(
            check(input),
            data(Data::Status {
                mailbox: Mailbox::from(mailbox),
                items
            })
        );
    }
}

#[test]
fn search_sort_esearch() {
    let s = |n: &[u32], m| {
        data(Data::Search {
            nums: n.to_vec(),
            modseq: m,
        })
    };
    assert_eq!(check(b"* SEARCH 2 3 6\r\n"), s(&[2, 3, 6], None));
    assert_eq!(check(b"* SEARCH\r\n"), s(&[], None));
    // RFC 7162 §3.1.5
    assert_eq!(
        check(b"* SEARCH 2 5 6 7 11 12 18 19 20 23 (MODSEQ 917162500)\r\n"),
        s(&[2, 5, 6, 7, 11, 12, 18, 19, 20, 23], Some(917162500))
    );
    // RFC 5256 §4
    assert_eq!(
        check(b"* SORT 2 3 6\r\n"),
        data(Data::Sort {
            nums: vec![2, 3, 6],
            modseq: None
        })
    );
    let es = |tag: Option<&'static str>, uid, d: Vec<SearchReturnData<'static>>| {
        data(Data::Esearch(Esearch {
            tag: tag.map(q),
            uid,
            data: d,
        }))
    };
    use SearchReturnData::*;
    // RFC 4731 §3.1 and RFC 9051 §7.3.4.
    let table: Vec<(&[u8], Response)> = vec![
        (
            b"* ESEARCH (TAG \"A282\") MIN 2 COUNT 3\r\n",
            es(Some("A282"), false, vec![Min(2), Count(3)]),
        ),
        (
            b"* ESEARCH (TAG \"A283\") ALL 2,10:11\r\n",
            es(Some("A283"), false, vec![All(seq("2,10:11"))]),
        ),
        (
            b"* ESEARCH (TAG \"A284\") MIN 4\r\n",
            es(Some("A284"), false, vec![Min(4)]),
        ),
        (
            b"* ESEARCH (TAG \"A285\") UID MIN 7 MAX 3800\r\n",
            es(Some("A285"), true, vec![Min(7), Max(3800)]),
        ),
        (
            b"* ESEARCH (TAG \"A286\") COUNT 15\r\n",
            es(Some("A286"), false, vec![Count(15)]),
        ),
        (
            b"* ESEARCH (TAG \"A287\")\r\n",
            es(Some("A287"), false, vec![]),
        ),
        (
            b"* ESEARCH UID COUNT 17 ALL 4:18,21,28\r\n",
            es(None, true, vec![Count(17), All(seq("4:18,21,28"))]),
        ),
        // RFC 7162 §3.1.5
        (
            b"* ESEARCH (TAG \"a\") ALL 1:3,5 MODSEQ 1236\r\n",
            es(Some("a"), false, vec![All(seq("1:3,5")), ModSeq(1236)]),
        ),
        // RFC 9394 PARTIAL: unknown here, kept.
        (
            b"* ESEARCH (TAG \"A01\") UID PARTIAL (-1:-100 200:250,252:300)\r\n",
            es(
                Some("A01"),
                true,
                vec![Other {
                    name: atom("PARTIAL"),
                    value: RawValue(Cow::Borrowed(b"(-1:-100 200:250,252:300)")),
                }],
            ),
        ),
    ];
    for (input, expected) in table {
        assert_eq!(check(input), expected, "{}", String::from_utf8_lossy(input));
    }
}

#[test]
fn threads_rfc5256() {
    let t = |m: &[u32], c: Vec<Thread>| Thread {
        members: m.to_vec(),
        children: c,
    };
    assert_eq!(
        check(b"* THREAD (2)(3 6 (4 23)(44 7 96))\r\n"),
        data(Data::Thread(vec![
            t(&[2], vec![]),
            t(&[3, 6], vec![t(&[4, 23], vec![]), t(&[44, 7, 96], vec![])]),
        ]))
    );
    assert_eq!(
        check(b"* THREAD ((3)(5))\r\n"),
        data(Data::Thread(vec![t(
            &[],
            vec![t(&[3], vec![]), t(&[5], vec![])]
        )]))
    );
    assert_eq!(check(b"* THREAD\r\n"), data(Data::Thread(vec![])));
    let r = check(b"* THREAD (166)(167)(168)(169)(172)(170)(171)(173)(174 (175)(176)(178)(181)(180))(179)(177 (183)(182)(188)(184)(185)(186)(187)(189))(190)(191)(192)(193)(194 195)(196 (197)(198))(199)(200 202)(201)(203)(204)(205)(206 207)(208)\r\n");
    let Response::Data(Data::Thread(v)) = r else {
        panic!()
    };
    assert_eq!(v.len(), 25);
    assert_eq!(v[8].children.len(), 5);
    assert_eq!(v[15], t(&[194, 195], vec![]));
}

#[test]
fn message_status_data() {
    assert_eq!(check(b"* 23 EXISTS\r\n"), data(Data::Exists(23)));
    assert_eq!(check(b"* 0 EXISTS\r\n"), data(Data::Exists(0)));
    assert_eq!(check(b"* 5 RECENT\r\n"), data(Data::Recent(5)));
    assert_eq!(check(b"* 44 EXPUNGE\r\n"), data(Data::Expunge(nz(44))));
    assert!(matches!(
        Response::parse(b"* 0 EXPUNGE\r\n"),
        Err(ParseError::Invalid { .. })
    ));
    assert_eq!(
        check(b"* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n"),
        data(Data::Flags(vec![
            Flag::Answered,
            Flag::Flagged,
            Flag::Deleted,
            Flag::Seen,
            Flag::Draft
        ]))
    );
    // RFC 7162 §3.2.10
    assert_eq!(
        check(b"* VANISHED (EARLIER) 300:310,405,411\r\n"),
        data(Data::Vanished {
            earlier: true,
            uids: seq("300:310,405,411")
        })
    );
    assert_eq!(
        check(b"* VANISHED 405,407,410,425\r\n"),
        data(Data::Vanished {
            earlier: false,
            uids: seq("405,407,410,425")
        })
    );
}

#[test]
fn id_and_quota() {
    // RFC 2971 §3.2
    assert_eq!(
        check(b"* ID (\"name\" \"Cyrus\" \"version\" \"1.5\" \"os\" \"sunos\" \"os-version\" \"5.5\" \"support-url\" \"mailto:cyrus-bugs+@andrew.cmu.edu\")\r\n"),
        data(Data::Id(Some(vec![
            (q("name"), ns("Cyrus")),
            (q("version"), ns("1.5")),
            (q("os"), ns("sunos")),
            (q("os-version"), ns("5.5")),
            (q("support-url"), ns("mailto:cyrus-bugs+@andrew.cmu.edu")),
        ])))
    );
    assert_eq!(check(b"* ID NIL\r\n"), data(Data::Id(None)));
    assert_eq!(
        check(b"* ID (\"name\" NIL)\r\n"),
        data(Data::Id(Some(vec![(q("name"), NIL)])))
    );
    // RFC 9208 §4.2, §4.3
    let res = |n: &'static str, u, l| QuotaResource {
        name: atom(n),
        usage: u,
        limit: l,
    };
    assert_eq!(
        check(b"* QUOTA \"\" (STORAGE 10 512)\r\n"),
        data(Data::Quota {
            root: AString::from(""),
            resources: vec![res("STORAGE", 10, 512)]
        })
    );
    assert_eq!(
        check(b"* QUOTA \"!partition/sda4\" (STORAGE 104 10923847 MESSAGE 43 1000)\r\n"),
        data(Data::Quota {
            root: AString::from("!partition/sda4"),
            resources: vec![res("STORAGE", 104, 10923847), res("MESSAGE", 43, 1000)]
        })
    );
    assert_eq!(
        check(b"* QUOTAROOT INBOX \"\"\r\n"),
        data(Data::QuotaRoot {
            mailbox: Mailbox::Inbox,
            roots: vec![AString::from("")]
        })
    );
    assert_eq!(
        check(b"* QUOTAROOT comp.mail.mime\r\n"),
        data(Data::QuotaRoot {
            mailbox: Mailbox::from("comp.mail.mime"),
            roots: vec![]
        })
    );
}

#[path = "responses/fetch.rs"]
mod fetch;
#[path = "responses/quirks.rs"]
mod quirks;
