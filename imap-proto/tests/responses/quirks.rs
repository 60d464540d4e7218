//! Deviations of real servers that the parser accepts (see the crate's quirks table).

use super::*;

fn parses(input: &[u8]) -> Response<'_> {
    let (r, n) = Response::parse(input)
        .unwrap_or_else(|e| panic!("{:?}: {e}", String::from_utf8_lossy(input)));
    assert_eq!(n, input.len());
    // What we write back parses to the same value.
    let bytes = r.to_bytes();
    assert_eq!(Response::parse(&bytes).unwrap().0, r);
    r
}

#[test]
fn status_without_text() {
    assert_eq!(parses(b"* OK\r\n"), untagged(StatusKind::Ok, None, ""));
    assert_eq!(parses(b"* OK \r\n"), untagged(StatusKind::Ok, None, ""));
    assert_eq!(
        parses(b"a1 OK [READ-WRITE]\r\n"),
        tagged("a1", StatusKind::Ok, Some(Code::ReadWrite), "")
    );
    // A bracket that opens no valid code is text.
    assert_eq!(
        parses(b"* OK [not a code\r\n"),
        untagged(StatusKind::Ok, None, "[not a code")
    );
    // "+" alone (no space).
    assert_eq!(
        parses(b"+\r\n"),
        Response::Continue(Continue {
            code: None,
            text: Cow::Borrowed("")
        })
    );
    // Bare LF line ends.
    assert_eq!(parses(b"* 3 EXISTS\n"), data(Data::Exists(3)));
}

#[test]
fn trailing_spaces() {
    assert_eq!(
        parses(b"* CAPABILITY IMAP4rev1 IDLE \r\n"),
        data(Data::Capability(vec![
            Capability::Imap4Rev1,
            Capability::Idle
        ]))
    );
    assert_eq!(
        parses(b"* OK [CAPABILITY IMAP4rev1 IDLE ] hi\r\n"),
        untagged(
            StatusKind::Ok,
            Some(Code::Capability(vec![
                Capability::Imap4Rev1,
                Capability::Idle
            ])),
            "hi"
        )
    );
    assert_eq!(
        parses(b"* STATUS INBOX (MESSAGES 2 )\r\n"),
        data(Data::Status {
            mailbox: Mailbox::Inbox,
            items: vec![StatusValue::Item(StatusItem::Messages, Some(2))]
        })
    );
    assert_eq!(
        parses(b"* SEARCH \r\n"),
        data(Data::Search {
            nums: vec![],
            modseq: None
        })
    );
    assert_eq!(
        parses(b"* SEARCH 1 2 \r\n"),
        data(Data::Search {
            nums: vec![1, 2],
            modseq: None
        })
    );
    assert_eq!(
        parses(b"* FLAGS (\\Seen \\Draft )\r\n"),
        data(Data::Flags(vec![Flag::Seen, Flag::Draft]))
    );
    assert_eq!(
        parses(b"* 1 FETCH (UID 1 )\r\n"),
        Response::Data(Data::Fetch {
            seq: nz(1),
            items: vec![MsgAtt::Uid(nz(1))]
        })
    );
}

#[test]
fn case_and_order() {
    // Lower-case keywords, items in any order.
    assert_eq!(
        parses(b"* 7 fetch (uid 9 flags (\\seen) body[] {1}\r\nx)\r\n"),
        Response::Data(Data::Fetch {
            seq: nz(7),
            items: vec![
                MsgAtt::Uid(nz(9)),
                MsgAtt::Flags(vec![Flag::Seen]),
                MsgAtt::BodySection {
                    section: Section::whole(),
                    origin: None,
                    data: ns("x")
                }
            ]
        })
    );
    assert_eq!(parses(b"* 1 exists\r\n"), data(Data::Exists(1)));
    assert_eq!(
        parses(b"a ok [uidnext 5] done\r\n"),
        tagged("a", StatusKind::Ok, Some(Code::UidNext(5)), "done")
    );
    assert_eq!(
        parses(b"* capability imap4rev1 auth=plain\r\n"),
        data(Data::Capability(vec![
            Capability::Imap4Rev1,
            Capability::Auth(atom("plain"))
        ]))
    );
}

#[test]
fn envelope_and_body_deviations() {
    // NIL where a string is expected in addresses (all fields NIL), "()" for an empty list,
    // spaces between addresses.
    let r = parses(b"* 1 FETCH (ENVELOPE (NIL NIL ((NIL NIL NIL NIL)) () NIL ((NIL NIL \"a\" \"b\") (NIL NIL \"c\" \"d\")) NIL NIL NIL NIL))\r\n");
    let Response::Data(Data::Fetch { items, .. }) = r else {
        panic!()
    };
    let MsgAtt::Envelope(env) = &items[0] else {
        panic!()
    };
    assert_eq!(env.from, vec![Address::default()]);
    assert_eq!(env.sender, vec![]);
    assert_eq!(env.to.len(), 2);
    // A text part without its line count, message/rfc822 without the enclosed message,
    // NIL subtype and encoding, "()" parameters, spaces between multipart parts, a trailing
    // space before ")".
    let r = parses(b"* 2 FETCH (BODYSTRUCTURE ((\"text\" \"plain\" () NIL NIL NIL 10) (\"message\" \"rfc822\" NIL NIL NIL \"7bit\" 20 ) \"mixed\"))\r\n");
    let Response::Data(Data::Fetch { items, .. }) = r else {
        panic!()
    };
    let MsgAtt::BodyStructure(b) = &items[0] else {
        panic!()
    };
    let BodyStructure::Multi(m) = &**b else {
        panic!()
    };
    let BodyStructure::Single(t) = &m.parts[0] else {
        panic!()
    };
    assert_eq!(t.kind, SinglePartKind::Basic);
    assert_eq!(t.fields.encoding, q(""));
    let BodyStructure::Single(msg) = &m.parts[1] else {
        panic!()
    };
    assert_eq!(msg.kind, SinglePartKind::Basic);
    // A part with only some extension fields, and one with more than we know.
    parses(b"* 3 FETCH (BODYSTRUCTURE (\"text\" \"plain\" NIL NIL NIL \"7bit\" 1 1 NIL))\r\n");
    parses(b"* 3 FETCH (BODYSTRUCTURE (\"text\" \"plain\" NIL NIL NIL \"7bit\" 1 1 NIL NIL NIL NIL 1 2 (3 \"x\")))\r\n");
    // A disposition written as a bare string.
    parses(b"* 3 FETCH (BODYSTRUCTURE (\"image\" \"png\" NIL NIL NIL \"base64\" 1 NIL \"inline\"))\r\n");
    // A delimiter written "" (no hierarchy).
    let r = parses(b"* LIST () \"\" foo\r\n");
    let Response::Data(Data::List(l)) = r else {
        panic!()
    };
    assert_eq!(l.delimiter, None);
}

#[test]
fn invalid_is_invalid_not_incomplete() {
    for input in [
        &b"* (FOO) bar\r\n"[..],
        b"a1 PREAUTH x\r\n",
        b"* 1 FETCH UID 1\r\n",
        b"* 1 FETCH (UID 0)\r\n",
        b"* 1 FETCH (BODY[HEADER \"x\")\r\n",
        b"* LIST (\\Noselect) \"ab\" x\r\n",
        b"* 99999999999 EXISTS\r\n",
        b"* SEARCH 1 x\r\n",
        b"* THREAD (1 (2) 3)\r\n",
        // NUL in a quoted string (found by fuzzing: it would be written back as a literal,
        // which cannot hold NUL either).
        b"* 1 FETCH (PREVIEW \"a\0b\")\r\n",
        // An unknown response with a literal header whose octets hold NUL (found by fuzzing:
        // taken as text, the response ended at the header's CRLF).
        b"* 4 FETCDS ({3}\r\na\0b)\r\n",
        b"\r\n",
    ] {
        let r = Response::parse(input);
        assert!(
            matches!(
                r,
                Err(ParseError::Invalid { .. }) | Err(ParseError::NumberTooLarge { .. })
            ),
            "{:?}: {r:?}",
            String::from_utf8_lossy(input)
        );
    }
}

/// Untagged data of a name we do not know is kept as sent (the client session must not end the
/// connection over an extension's response it did not ask for), literals read as literals.
#[test]
fn unknown_untagged_data_is_kept() {
    /// Input, and the number, name and value it holds.
    type Case<'a> = (&'a [u8], Option<u32>, &'a str, &'a [u8]);
    let cases: &[Case<'_>] = &[
        (b"* FOO bar\r\n", None, "FOO", b"bar"),
        (b"* XLIST\r\n", None, "XLIST", b""),
        (
            b"* METADATA INBOX (/private/comment {3}\r\na\r\n)\r\n",
            None,
            "METADATA",
            b"INBOX (/private/comment {3}\r\na\r\n)",
        ),
        (
            b"* 3 XFOO \"{\" {x) \"\r\n",
            Some(3),
            "XFOO",
            b"\"{\" {x) \"",
        ),
        (b"* X  a \x80\0 \r\n", None, "X", b" a \x80\0 "),
    ];
    for &(input, number, name, value) in cases {
        let (r, n) = Response::parse(input).unwrap();
        assert_eq!(n, input.len());
        let Response::Data(Data::Other {
            number: got_number,
            name: got_name,
            value: got_value,
        }) = &r
        else {
            panic!("{r:?}")
        };
        assert_eq!(
            (*got_number, got_name.as_str(), &got_value.0[..]),
            (number, name, value)
        );
        assert_eq!(Response::parse(&r.to_bytes()).unwrap().0, r);
        for i in 0..input.len() {
            assert_eq!(
                Response::parse(&input[..i]),
                Err(ParseError::Incomplete),
                "prefix {i}"
            );
        }
    }
}

#[test]
fn consumed_counts_one_response() {
    let input = b"* 1 EXISTS\r\n* 2 RECENT\r\na OK done\r\n";
    let (r, n) = Response::parse(input).unwrap();
    assert_eq!(r, data(Data::Exists(1)));
    assert_eq!(n, 12);
    let (r, m) = Response::parse(&input[n..]).unwrap();
    assert_eq!(r, data(Data::Recent(2)));
    assert_eq!(m, 12);
}

#[test]
fn encoder_sanitizes_text_and_binary() {
    let r = untagged(StatusKind::Ok, None, "two\r\nlines");
    assert_eq!(r.to_bytes(), b"* OK two  lines\r\n");
    let r = Response::Data(Data::Fetch {
        seq: nz(1),
        items: vec![MsgAtt::Binary {
            section: BinarySection::default(),
            data: NString(Some(IString::Quoted(Cow::Borrowed(b"a\0b")))),
        }],
    });
    assert_eq!(r.to_bytes(), b"* 1 FETCH (BINARY[] ~{3}\r\na\0b)\r\n");
}
