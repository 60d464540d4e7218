//! Status responses, response codes, continuation requests, capabilities, the extension
//! RFCs' examples and the sample sessions of RFC 9051 §8 and RFC 3501 §8.

use super::*;

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

/// The server's side of the sample sessions of RFC 9051 §8 and RFC 3501 §8, as one stream:
/// each response is parsed in turn from where the previous one ended.
#[test]
fn sample_sessions_rfc9051_8_and_rfc3501_8() {
    let header = "Date: Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\r\nFrom: Terry Gray <gray@cac.washington.edu>\r\nSubject: IMAP4rev1 WG mtg summary and minutes\r\nTo: imap@cac.washington.edu\r\ncc: minutes@CNRI.Reston.VA.US, John Klensin <KLENSIN@MIT.EDU>\r\nMessage-Id: <B27397-0100000@cac.washington.edu>\r\nMIME-Version: 1.0\r\nContent-Type: TEXT/PLAIN; CHARSET=US-ASCII\r\n\r\n";
    let stream = format!(
        "* OK IMAP4rev2 Service Ready\r\n\
         a001 OK LOGIN completed\r\n\
         * 18 EXISTS\r\n\
         * FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n\
         * 2 RECENT\r\n\
         * OK [UNSEEN 17] Message 17 is the first unseen message\r\n\
         * OK [UIDVALIDITY 3857529045] UIDs valid\r\n\
         * LIST () \"/\" INBOX\r\n\
         a002 OK [READ-WRITE] SELECT completed\r\n\
         * 12 FETCH (FLAGS (\\Seen) INTERNALDATE \"17-Jul-1996 02:44:25 -0700\" RFC822.SIZE 4286 ENVELOPE (\"Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\" \"IMAP4rev1 WG mtg summary and minutes\" ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) ((NIL NIL \"imap\" \"cac.washington.edu\")) ((NIL NIL \"minutes\" \"CNRI.Reston.VA.US\")(\"John Klensin\" NIL \"KLENSIN\" \"MIT.EDU\")) NIL NIL \"<B27397-0100000@cac.washington.edu>\") BODY (\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 3028 92))\r\n\
         a003 OK FETCH completed\r\n\
         * 12 FETCH (BODY[HEADER] {{{}}}\r\n{header})\r\n\
         a004 OK FETCH completed\r\n\
         * 12 FETCH (FLAGS (\\Seen \\Deleted))\r\n\
         a005 OK +FLAGS completed\r\n\
         * BYE IMAP4rev2 server terminating connection\r\n\
         a006 OK LOGOUT completed\r\n",
        header.len()
    );
    let mut rest = stream.as_bytes();
    let mut seen = Vec::new();
    while !rest.is_empty() {
        let (r, n) = Response::parse(rest).unwrap();
        seen.push(r);
        rest = &rest[n..];
    }
    assert_eq!(seen.len(), 17);
    assert_eq!(
        seen[0],
        untagged(StatusKind::Ok, None, "IMAP4rev2 Service Ready")
    );
    assert_eq!(seen[2], data(Data::Exists(18)));
    assert_eq!(seen[4], data(Data::Recent(2)));
    assert_eq!(
        seen[8],
        tagged(
            "a002",
            StatusKind::Ok,
            Some(Code::ReadWrite),
            "SELECT completed"
        )
    );
    let Response::Data(Data::Fetch { items, .. }) = &seen[11] else {
        panic!("{:?}", seen[11])
    };
    assert!(
        matches!(&items[0], MsgAtt::BodySection { data, .. } if data.as_bytes() == Some(header.as_bytes()))
    );
    assert_eq!(
        seen[13],
        data(Data::Fetch {
            seq: nz(12),
            items: vec![MsgAtt::Flags(vec![Flag::Seen, Flag::Deleted])]
        })
    );
    assert_eq!(
        seen[15],
        untagged(
            StatusKind::Bye,
            None,
            "IMAP4rev2 server terminating connection"
        )
    );
    // The whole stream re-encodes to the same octets.
    let again: Vec<u8> = seen.iter().flat_map(|r| r.to_bytes()).collect();
    assert_eq!(again, stream.as_bytes());
}

/// Further examples of the extension RFCs (IDLE, MOVE, UNSELECT, COMPRESS, SASL-IR, STARTTLS,
/// CONDSTORE/QRESYNC, LIST-STATUS, CREATE-SPECIAL-USE, UTF8=ACCEPT, QUOTA), each checked for
/// its value where it has one of its own.
#[test]
fn extension_examples() {
    use StatusKind::*;
    let table: Vec<(&[u8], Response)> = vec![
        // RFC 2177 (IDLE)
        (
            b"+ idling\r\n",
            Response::Continue(Continue {
                code: None,
                text: Cow::Borrowed("idling"),
            }),
        ),
        (b"* 4 EXISTS\r\n", data(Data::Exists(4))),
        (
            b"A001 OK IDLE terminated\r\n",
            tagged("A001", Ok, None, "IDLE terminated"),
        ),
        // RFC 6851 (MOVE) §4.1
        (
            b"* OK [COPYUID 432432 42:69 1202:1229]\r\n",
            untagged(
                Ok,
                Some(Code::CopyUid {
                    uid_validity: 432432,
                    source: seq("42:69"),
                    destination: seq("1202:1229"),
                }),
                "",
            ),
        ),
        (b"* 22 EXPUNGE\r\n", data(Data::Expunge(nz(22)))),
        (b"a OK Done\r\n", tagged("a", Ok, None, "Done")),
        // RFC 3691 (UNSELECT)
        (
            b"A342 OK Unselect completed\r\n",
            tagged("A342", Ok, None, "Unselect completed"),
        ),
        // RFC 4978 (COMPRESS)
        (
            b"tag OK DEFLATE active\r\n",
            tagged("tag", Ok, None, "DEFLATE active"),
        ),
        // RFC 4959 (SASL-IR) and RFC 9051 §6.2.2
        (
            b"+ \r\n",
            Response::Continue(Continue {
                code: None,
                text: Cow::Borrowed(""),
            }),
        ),
        (
            b"a01 OK [CAPABILITY IMAP4rev2 IDLE] Success (tls protection)\r\n",
            tagged(
                "a01",
                Ok,
                Some(Code::Capability(vec![
                    Capability::Imap4Rev2,
                    Capability::Idle,
                ])),
                "Success (tls protection)",
            ),
        ),
        // RFC 9051 §6.2.1 (STARTTLS)
        (
            b"a002 OK Begin TLS negotiation now\r\n",
            tagged("a002", Ok, None, "Begin TLS negotiation now"),
        ),
        // RFC 7162 §3.1.4, §3.2.5.1, §3.2.10
        (
            b"* 7 FETCH (MODSEQ (12121231777) UID 4 FLAGS (\\Seen))\r\n",
            data(Data::Fetch {
                seq: nz(7),
                items: vec![
                    MsgAtt::ModSeq(12121231777),
                    MsgAtt::Uid(nz(4)),
                    MsgAtt::Flags(vec![Flag::Seen]),
                ],
            }),
        ),
        (
            b"* OK [HIGHESTMODSEQ 20010715194045007] Highest mailbox mod-sequence\r\n",
            untagged(
                Ok,
                Some(Code::HighestModSeq(20010715194045007)),
                "Highest mailbox mod-sequence",
            ),
        ),
        (
            b"* VANISHED (EARLIER) 41,43:116,118,120:211,214:540\r\n",
            data(Data::Vanished {
                earlier: true,
                uids: seq("41,43:116,118,120:211,214:540"),
            }),
        ),
        // RFC 5819 (LIST-STATUS) §5
        (
            b"* LIST (\\NoSelect) \".\" \"bar\"\r\n",
            data(Data::List(ListItem {
                attributes: vec![MailboxAttribute::NoSelect],
                delimiter: Some('.'),
                mailbox: Mailbox::from("bar"),
                extended: vec![],
            })),
        ),
        (
            b"* STATUS \"foo\" (MESSAGES 30 UNSEEN 29)\r\n",
            data(Data::Status {
                mailbox: Mailbox::from("foo"),
                items: vec![
                    StatusValue::Item(StatusItem::Messages, Some(30)),
                    StatusValue::Item(StatusItem::Unseen, Some(29)),
                ],
            }),
        ),
        // RFC 6154 §5.3 (CREATE-SPECIAL-USE)
        (
            b"t1 NO [USEATTR] \\All not supported\r\n",
            tagged("t1", No, Some(Code::UseAttr), "\\All not supported"),
        ),
        // RFC 6855 (UTF8=ACCEPT) §3
        (
            b"* ENABLED UTF8=ACCEPT\r\n",
            data(Data::Enabled(vec![Capability::Utf8Accept])),
        ),
        (
            "* LIST () \"/\" \"Grüße\"\r\n".as_bytes(),
            data(Data::List(ListItem {
                attributes: vec![],
                delimiter: Some('/'),
                mailbox: Mailbox::from("Grüße"),
                extended: vec![],
            })),
        ),
        // RFC 9208 §4.3.1 and §5
        (
            b"* QUOTA \"#user/alice\" (MESSAGE 42 1000)\r\n",
            data(Data::Quota {
                root: AString::from("#user/alice"),
                resources: vec![QuotaResource {
                    name: atom("MESSAGE"),
                    usage: 42,
                    limit: 1000,
                }],
            }),
        ),
        (
            b"A003 NO [OVERQUOTA] APPEND Failed\r\n",
            tagged("A003", No, Some(Code::OverQuota), "APPEND Failed"),
        ),
        // RFC 7889 (APPENDLIMIT) and RFC 4469 (CATENATE) TOOBIG
        (
            b"A2 NO [TOOBIG] Message is too big\r\n",
            tagged("A2", No, Some(Code::TooBig), "Message is too big"),
        ),
    ];
    for (input, expected) in table {
        assert_eq!(check(input), expected, "{}", String::from_utf8_lossy(input));
    }
}
