//! FETCH responses: RFC 9051 §7.5.2, RFC 3501 §7.4.2 and §8, RFC 3516, RFC 7162, RFC 8970,
//! and real multipart BODYSTRUCTUREs.

use super::*;

fn fetch(seq: u32, items: Vec<MsgAtt<'_>>) -> Response<'_> {
    Response::Data(Data::Fetch {
        seq: nz(seq),
        items,
    })
}

fn items(r: Response<'_>) -> Vec<MsgAtt<'_>> {
    match r {
        Response::Data(Data::Fetch { items, .. }) => items,
        other => panic!("not a FETCH: {other:?}"),
    }
}

#[test]
fn simple_items() {
    assert_eq!(
        check(b"* 23 FETCH (FLAGS (\\Seen) RFC822.SIZE 44827)\r\n"),
        fetch(
            23,
            vec![MsgAtt::Flags(vec![Flag::Seen]), MsgAtt::Rfc822Size(44827)]
        )
    );
    assert_eq!(
        check(b"* 2 FETCH (FLAGS (\\Deleted \\Seen \\Recent $Forwarded))\r\n"),
        fetch(
            2,
            vec![MsgAtt::Flags(vec![
                Flag::Deleted,
                Flag::Seen,
                Flag::Recent,
                Flag::Keyword(atom("$Forwarded"))
            ])]
        )
    );
    // RFC 7162 §3.1.4
    assert_eq!(
        check(b"* 1 FETCH (UID 4 MODSEQ (12121231000))\r\n"),
        fetch(1, vec![MsgAtt::Uid(nz(4)), MsgAtt::ModSeq(12121231000)])
    );
    // RFC 3516 §4.2
    assert_eq!(
        check(b"* 1 FETCH (BINARY.SIZE[2] 2143)\r\n"),
        fetch(
            1,
            vec![MsgAtt::BinarySize {
                section: BinarySection { part: vec![nz(2)] },
                size: 2143
            }]
        )
    );
    let r = check(b"* 1 FETCH (BINARY[1.2] ~{5}\r\n\0ab\xffc)\r\n");
    let MsgAtt::Binary { section, data } = &items(r)[0] else {
        panic!()
    };
    assert_eq!(section.part, vec![nz(1), nz(2)]);
    assert_eq!(data.as_bytes(), Some(&b"\0ab\xffc"[..]));
    assert_eq!(
        check(b"* 3 FETCH (BINARY[] NIL)\r\n"),
        fetch(
            3,
            vec![MsgAtt::Binary {
                section: BinarySection::default(),
                data: NIL
            }]
        )
    );
    // RFC 8970 §5
    assert_eq!(
        check(b"* 1 FETCH (UID 1 PREVIEW \"Preview text\")\r\n"),
        fetch(
            1,
            vec![MsgAtt::Uid(nz(1)), MsgAtt::Preview(ns("Preview text"))]
        )
    );
    assert_eq!(
        check(b"* 2 FETCH (INTERNALDATE \"17-Jul-1996 02:44:25 -0700\")\r\n"),
        fetch(
            2,
            vec![MsgAtt::InternalDate(DateTime {
                date: Date::new(1996, 7, 17).unwrap(),
                hour: 2,
                minute: 44,
                second: 25,
                offset_minutes: -420
            })]
        )
    );
}

#[test]
fn body_sections_and_literals() {
    // RFC 3501 §8: BODY[HEADER] as a literal.
    let header = b"Date: Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\r\nFrom: Terry Gray <gray@cac.washington.edu>\r\nSubject: IMAP4rev1 WG mtg summary and minutes\r\nTo: imap@cac.washington.edu\r\ncc: minutes@CNRI.Reston.VA.US, John Klensin <KLENSIN@MIT.EDU>\r\nMessage-Id: <B27397-0100000@cac.washington.edu>\r\nMIME-Version: 1.0\r\nContent-Type: TEXT/PLAIN; CHARSET=US-ASCII\r\n\r\n";
    let mut input = format!("* 12 FETCH (BODY[HEADER] {{{}}}\r\n", header.len()).into_bytes();
    input.extend_from_slice(header);
    input.extend_from_slice(b")\r\n");
    let r = check(&input);
    let MsgAtt::BodySection {
        section,
        origin,
        data,
    } = &items(r)[0]
    else {
        panic!()
    };
    assert_eq!(section.text, Some(SectionText::Header));
    assert_eq!(*origin, None);
    assert_eq!(data.as_bytes(), Some(&header[..]));
    // The literal is borrowed from the input, not copied.
    let (r, _) = Response::parse(&input).unwrap();
    let MsgAtt::BodySection { data, .. } = &items(r)[0] else {
        panic!()
    };
    match &data.0 {
        Some(IString::Literal(l)) => assert!(matches!(l.data, Cow::Borrowed(_))),
        other => panic!("{other:?}"),
    }
    // Partial fetch: the origin (RFC 9051 §7.5.2).
    assert_eq!(
        check(b"* 1 FETCH (BODY[1.2.TEXT]<1024> {3}\r\nabc UID 7)\r\n"),
        fetch(
            1,
            vec![
                MsgAtt::BodySection {
                    section: Section {
                        part: vec![nz(1), nz(2)],
                        text: Some(SectionText::Text)
                    },
                    origin: Some(1024),
                    data: NString(Some(IString::Literal(imap_proto::token::Literal {
                        data: Cow::Borrowed(b"abc"),
                        mode: imap_proto::token::LiteralMode::Sync,
                        binary: false
                    })))
                },
                MsgAtt::Uid(nz(7))
            ]
        )
    );
    let r = check(b"* 4 FETCH (BODY[HEADER.FIELDS (DATE FROM)] {11}\r\nFrom: x\r\n\r\n)\r\n");
    assert!(matches!(&items(r)[0], MsgAtt::BodySection { section, .. }
        if section.text == Some(SectionText::HeaderFields(vec![AString::from("DATE"), AString::from("FROM")]))));
    assert_eq!(
        check(b"* 5 FETCH (BODY[] NIL RFC822 NIL RFC822.HEADER \"\" RFC822.TEXT {0}\r\n)\r\n"),
        fetch(
            5,
            vec![
                MsgAtt::BodySection {
                    section: Section::whole(),
                    origin: None,
                    data: NIL
                },
                MsgAtt::Rfc822(NIL),
                MsgAtt::Rfc822Header(ns("")),
                MsgAtt::Rfc822Text(ns("")),
            ]
        )
    );
}

#[test]
fn rfc3501_sample_envelope_and_body() {
    let input = b"* 12 FETCH (FLAGS (\\Seen) INTERNALDATE \"17-Jul-1996 02:44:25 -0700\" RFC822.SIZE 4286 ENVELOPE (\"Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\" \"IMAP4rev1 WG mtg summary and minutes\" ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) ((NIL NIL \"imap\" \"cac.washington.edu\")) ((NIL NIL \"minutes\" \"CNRI.Reston.VA.US\")(\"John Klensin\" NIL \"KLENSIN\" \"MIT.EDU\")) NIL NIL \"<B27397-0100000@cac.washington.edu>\") BODY (\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 3028 92))\r\n";
    let terry = addr(Some("Terry Gray"), "gray", "cac.washington.edu");
    let expected = fetch(
        12,
        vec![
            MsgAtt::Flags(vec![Flag::Seen]),
            MsgAtt::InternalDate(DateTime {
                date: Date::new(1996, 7, 17).unwrap(),
                hour: 2,
                minute: 44,
                second: 25,
                offset_minutes: -420,
            }),
            MsgAtt::Rfc822Size(4286),
            MsgAtt::Envelope(Box::new(Envelope {
                date: ns("Wed, 17 Jul 1996 02:23:25 -0700 (PDT)"),
                subject: ns("IMAP4rev1 WG mtg summary and minutes"),
                from: vec![terry.clone()],
                sender: vec![terry.clone()],
                reply_to: vec![terry],
                to: vec![addr(None, "imap", "cac.washington.edu")],
                cc: vec![
                    addr(None, "minutes", "CNRI.Reston.VA.US"),
                    addr(Some("John Klensin"), "KLENSIN", "MIT.EDU"),
                ],
                bcc: vec![],
                in_reply_to: NIL,
                message_id: ns("<B27397-0100000@cac.washington.edu>"),
            })),
            MsgAtt::Body(Box::new(BodyStructure::Single(text_part(
                &[("CHARSET", "US-ASCII")],
                "7BIT",
                3028,
                92,
            )))),
        ],
    );
    assert_eq!(check(input), expected);
    // The encoder writes the same octets back.
    assert_eq!(expected.to_bytes(), input.to_vec());
}

#[test]
fn rfc3501_multipart_bodystructure() {
    // RFC 3501 §7.4.2 BODY example: a multipart/mixed of two text parts.
    let input = b"* 1 FETCH (BODY ((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 1152 23)(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\" \"NAME\" \"cc.diff\") \"<960723163407.20117h@cac.washington.edu>\" \"Compiler diff\" \"BASE64\" 4554 73) \"MIXED\"))\r\n";
    let mut second = text_part(
        &[("CHARSET", "US-ASCII"), ("NAME", "cc.diff")],
        "BASE64",
        4554,
        73,
    );
    second.fields.id = ns("<960723163407.20117h@cac.washington.edu>");
    second.fields.description = ns("Compiler diff");
    let expected = fetch(
        1,
        vec![MsgAtt::Body(Box::new(BodyStructure::Multi(Multipart {
            parts: vec![
                BodyStructure::Single(text_part(&[("CHARSET", "US-ASCII")], "7BIT", 1152, 23)),
                BodyStructure::Single(second),
            ],
            subtype: q("MIXED"),
            params: vec![],
            ext: BodyExtensions::default(),
        })))],
    );
    assert_eq!(check(input), expected);
    assert_eq!(expected.to_bytes(), input.to_vec());
}

/// A Gmail/Dovecot-like BODYSTRUCTURE: multipart/mixed of (multipart/alternative of text/plain
/// and text/html), an attached message/rfc822 (itself multipart) and a PDF attachment, with
/// extension data at every level (md5 NIL, disposition, language, location, extensions).
const REAL: &[u8] = b"* 42 FETCH (UID 9001 FLAGS (\\Seen $NotJunk) RFC822.SIZE 98765 ENVELOPE (\"Tue, 1 Dec 2026 10:00:00 +0100\" \"=?UTF-8?Q?R=C3=A9sum=C3=A9?=\" ((\"Alice Example\" NIL \"alice\" \"example.org\")) ((\"Alice Example\" NIL \"alice\" \"example.org\")) ((NIL NIL \"replies\" \"example.org\")) ((\"Bob\" NIL \"bob\" \"example.net\")(NIL NIL \"team\" NIL)(NIL NIL \"carol\" \"example.com\")(NIL NIL NIL NIL)) NIL NIL \"<parent@example.org>\" \"<CAF=abc123@mail.gmail.com>\") BODYSTRUCTURE (((\"text\" \"plain\" (\"charset\" \"UTF-8\" \"format\" \"flowed\") NIL NIL \"quoted-printable\" 1234 40 NIL NIL NIL NIL)(\"text\" \"html\" (\"charset\" \"UTF-8\") NIL NIL \"quoted-printable\" 5678 120 NIL NIL NIL NIL) \"alternative\" (\"boundary\" \"000000000000aaaa\") NIL NIL NIL)(\"message\" \"rfc822\" NIL NIL NIL \"7bit\" 3000 (\"Mon, 30 Nov 2026 09:00:00 +0000\" \"Fwd\" ((NIL NIL \"dave\" \"example.com\")) NIL NIL ((NIL NIL \"alice\" \"example.org\")) NIL NIL NIL \"<inner@example.com>\") ((\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 100 3 NIL NIL NIL NIL)(\"application\" \"octet-stream\" (\"name\" \"a.bin\") \"<id1>\" \"a binary\" \"base64\" 500 \"Q2hlY2sgSW50ZWdyaXR5IQ==\" (\"attachment\" (\"filename\" \"a.bin\" \"size\" \"370\")) (\"en\" \"de\") \"http://example.com/a.bin\" 7 (\"x\" 1 (\"y\"))) \"mixed\" (\"boundary\" \"inner\") NIL NIL NIL) 60 NIL (\"attachment\" (\"filename\" \"fwd.eml\")) NIL NIL)(\"application\" \"pdf\" (\"name\" \"report.pdf\") NIL NIL \"base64\" 81234 NIL (\"attachment\" (\"filename\" \"report.pdf\")) \"en\" NIL) \"mixed\" (\"boundary\" \"000000000000bbbb\") NIL (\"en\") NIL))\r\n";

#[test]
fn real_multipart_bodystructure() {
    let r = check(REAL);
    let items = items(r);
    assert_eq!(items.len(), 5);
    let MsgAtt::Envelope(env) = &items[3] else {
        panic!()
    };
    // A group (RFC 5322 §3.4): start (mailbox = name, host NIL) and end (all NIL).
    assert_eq!(env.to.len(), 4);
    assert_eq!(env.to[1].host, NIL);
    assert_eq!(env.to[1].mailbox, ns("team"));
    assert_eq!(env.to[3], Address::default());
    assert_eq!(env.in_reply_to, ns("<parent@example.org>"));
    let MsgAtt::BodyStructure(b) = &items[4] else {
        panic!()
    };
    let BodyStructure::Multi(top) = &**b else {
        panic!()
    };
    assert_eq!(top.subtype, q("mixed"));
    assert_eq!(top.params, vec![(q("boundary"), q("000000000000bbbb"))]);
    assert_eq!(top.ext.language, vec![q("en")]);
    assert_eq!(top.parts.len(), 3);
    let BodyStructure::Multi(alt) = &top.parts[0] else {
        panic!()
    };
    assert_eq!(alt.subtype, q("alternative"));
    let BodyStructure::Single(html) = &alt.parts[1] else {
        panic!()
    };
    assert_eq!(html.subtype, q("html"));
    assert_eq!(html.kind, SinglePartKind::Text { lines: 120 });
    let BodyStructure::Single(msg) = &top.parts[1] else {
        panic!()
    };
    let SinglePartKind::Message {
        envelope,
        body,
        lines,
    } = &msg.kind
    else {
        panic!("{:?}", msg.kind)
    };
    assert_eq!(*lines, 60);
    assert_eq!(envelope.subject, ns("Fwd"));
    assert_eq!(envelope.sender, vec![]);
    assert_eq!(
        msg.ext.disposition,
        Some(Disposition {
            kind: q("attachment"),
            params: vec![(q("filename"), q("fwd.eml"))]
        })
    );
    let BodyStructure::Multi(inner) = &**body else {
        panic!()
    };
    let BodyStructure::Single(bin) = &inner.parts[1] else {
        panic!()
    };
    assert_eq!(bin.kind, SinglePartKind::Basic);
    assert_eq!(bin.fields.id, ns("<id1>"));
    assert_eq!(bin.md5, ns("Q2hlY2sgSW50ZWdyaXR5IQ=="));
    assert_eq!(bin.ext.language, vec![q("en"), q("de")]);
    assert_eq!(bin.ext.location, ns("http://example.com/a.bin"));
    assert_eq!(
        bin.ext.extensions,
        vec![
            BodyExtension::Number(7),
            BodyExtension::List(vec![
                BodyExtension::NString(ns("x")),
                BodyExtension::Number(1),
                BodyExtension::List(vec![BodyExtension::NString(ns("y"))]),
            ])
        ]
    );
    let BodyStructure::Single(pdf) = &top.parts[2] else {
        panic!()
    };
    assert_eq!(pdf.ext.language, vec![q("en")]);
    assert_eq!(pdf.fields.octets, 81234);
}

#[test]
fn deep_bodystructure_is_too_deep_not_a_crash() {
    let depth = 10_000;
    let mut input = b"* 1 FETCH (BODYSTRUCTURE ".to_vec();
    input.extend(std::iter::repeat_n(b'(', depth));
    input.extend_from_slice(b"\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 1 1");
    for _ in 1..depth {
        input.extend_from_slice(b" \"MIXED\")");
    }
    input.extend_from_slice(b")\r\n");
    assert!(matches!(
        Response::parse(&input),
        Err(ParseError::TooDeep { .. })
    ));
    // Message/rfc822 nesting counts too.
    let mut input = b"* 1 FETCH (BODY ".to_vec();
    for _ in 0..depth {
        input.extend_from_slice(b"(\"MESSAGE\" \"RFC822\" NIL NIL NIL \"7BIT\" 1 (NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL) ");
    }
    assert!(matches!(
        Response::parse(&input),
        Err(ParseError::TooDeep { .. })
    ));
    // And so do body-extension lists.
    let mut input =
        b"* 1 FETCH (BODYSTRUCTURE (\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 1 1 NIL NIL NIL NIL "
            .to_vec();
    input.extend(std::iter::repeat_n(b'(', depth));
    assert!(matches!(
        Response::parse(&input),
        Err(ParseError::TooDeep { .. })
    ));
    // A nesting within the limit is fine.
    let mut input = b"* 1 FETCH (BODYSTRUCTURE ".to_vec();
    input.extend(std::iter::repeat_n(b'(', 20));
    input.extend_from_slice(b"\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 1 1)");
    for _ in 1..20 {
        input.extend_from_slice(b" \"MIXED\")");
    }
    input.extend_from_slice(b")\r\n");
    check(&input);
}

#[test]
fn unknown_items_are_kept() {
    // Gmail's extensions.
    let r = check(b"* 1 FETCH (X-GM-THRID 1278455344230334865 X-GM-MSGID 1278455344230334865 X-GM-LABELS (\\Inbox \\Sent Important \"Muy Importante\") UID 5)\r\n");
    let items = items(r);
    assert_eq!(items.len(), 4);
    assert_eq!(
        items[2],
        MsgAtt::Other {
            name: atom("X-GM-LABELS"),
            value: RawValue(Cow::Borrowed(
                b"(\\Inbox \\Sent Important \"Muy Importante\")"
            ))
        }
    );
    assert_eq!(items[3], MsgAtt::Uid(nz(5)));
}
