//! RFC examples of server replies as (input, expected) tables: RFC 5321 Appendix D and
//! §3.5, RFC 2920 (PIPELINING), RFC 3030 (CHUNKING, BINARYMIME), RFC 4954 (AUTH).
//! Each transcript's `S:` lines are fed as one buffer, as a pipelining client receives them.

use smtp_proto::parse::reply::parse_reply;
use smtp_proto::types::capability::{Capability, EhloReply};
use smtp_proto::types::reply::EnhancedStatusCode;

/// Expected reply: code, enhanced code, text lines.
type Expected = (u16, Option<(u8, u16, u16)>, &'static [&'static str]);

/// Parses `wire` as a sequence of replies and compares each with `expected`, then checks
/// that re-encoding each reply gives back the same value.
fn replay(wire: &str, expected: &[Expected]) {
    let mut rest = wire.as_bytes();
    for (i, &(code, esc, lines)) in expected.iter().enumerate() {
        let (reply, n) = parse_reply(rest).unwrap_or_else(|e| panic!("reply {i}: {e}"));
        assert_eq!(reply.code.get(), code, "reply {i}");
        assert_eq!(
            reply.enhanced,
            esc.map(|(c, s, d)| EnhancedStatusCode::new(c, s, d)),
            "reply {i}"
        );
        assert_eq!(reply.lines, lines, "reply {i}");
        let encoded = reply.to_vec();
        let (again, m) = parse_reply(&encoded).expect("re-encoded reply parses");
        assert_eq!(again, reply, "reply {i} after re-encoding");
        assert_eq!(m, encoded.len());
        rest = &rest[n..];
    }
    assert!(
        rest.is_empty(),
        "unparsed bytes: {:?}",
        String::from_utf8_lossy(rest)
    );
}

#[test]
fn rfc5321_d1_typical_transaction() {
    replay(
        "220 foo.com Simple Mail Transfer Service Ready\r\n\
250-foo.com greets bar.com\r\n250-8BITMIME\r\n250-SIZE\r\n250-DSN\r\n250 HELP\r\n\
250 OK\r\n250 OK\r\n550 No such user here\r\n250 OK\r\n\
354 Start mail input; end with <CRLF>.<CRLF>\r\n250 OK\r\n\
221 foo.com Service closing transmission channel\r\n",
        &[
            (220, None, &["foo.com Simple Mail Transfer Service Ready"]),
            (
                250,
                None,
                &["foo.com greets bar.com", "8BITMIME", "SIZE", "DSN", "HELP"],
            ),
            (250, None, &["OK"]),
            (250, None, &["OK"]),
            (550, None, &["No such user here"]),
            (250, None, &["OK"]),
            (354, None, &["Start mail input; end with <CRLF>.<CRLF>"]),
            (250, None, &["OK"]),
            (221, None, &["foo.com Service closing transmission channel"]),
        ],
    );
}

#[test]
fn rfc5321_d1_ehlo_capabilities() {
    let wire = b"250-foo.com greets bar.com\r\n250-8BITMIME\r\n250-SIZE\r\n250-DSN\r\n250 HELP\r\n";
    let (reply, _) = parse_reply(wire).expect("EHLO reply");
    let ehlo = EhloReply::from_reply(&reply).expect("capabilities");
    assert_eq!(ehlo.domain, "foo.com");
    assert_eq!(ehlo.greeting.as_deref(), Some("greets bar.com"));
    assert_eq!(
        ehlo.capabilities,
        [
            Capability::EightBitMime,
            Capability::Size(None),
            Capability::Dsn,
            Capability::Help
        ]
    );
}

#[test]
fn rfc5321_d3_and_3_5_verify_and_expand() {
    replay(
        "250 Fred Smith <Smith@USC-ISIF.ARPA>\r\n\
251 User not local; will forward to <Smith@USC-ISIF.ARPA>\r\n\
550 User unknown\r\n\
553- Ambiguous;  Possibilities are\r\n553-Joe Smith <jsmith@foo.com>\r\n\
553-Harry Smith <hsmith@foo.com>\r\n553 Melvin Smith <dweep@foo.com>\r\n\
250-Jon Postel <Postel@isi.edu>\r\n250-Fred Fonebone <Fonebone@physics.foo-u.edu>\r\n\
250 Sam Q. Smith <SQSmith@specific.generic.com>\r\n\
252 Cannot VRFY user, but will accept message and attempt delivery\r\n",
        &[
            (250, None, &["Fred Smith <Smith@USC-ISIF.ARPA>"]),
            (
                251,
                None,
                &["User not local; will forward to <Smith@USC-ISIF.ARPA>"],
            ),
            (550, None, &["User unknown"]),
            (
                553,
                None,
                &[
                    " Ambiguous;  Possibilities are",
                    "Joe Smith <jsmith@foo.com>",
                    "Harry Smith <hsmith@foo.com>",
                    "Melvin Smith <dweep@foo.com>",
                ],
            ),
            (
                250,
                None,
                &[
                    "Jon Postel <Postel@isi.edu>",
                    "Fred Fonebone <Fonebone@physics.foo-u.edu>",
                    "Sam Q. Smith <SQSmith@specific.generic.com>",
                ],
            ),
            (
                252,
                None,
                &["Cannot VRFY user, but will accept message and attempt delivery"],
            ),
        ],
    );
}

#[test]
fn rfc2920_pipelined_replies() {
    // RFC 2920 §3.1: the client sends MAIL, three RCPTs and DATA in one batch; the replies
    // arrive together and are read one after another.
    replay(
        "220 innosoft.com SMTP service ready\r\n250-innosoft.com\r\n250 PIPELINING\r\n\
250 sender <mrose@dbc.mtview.ca.us> OK\r\n250 recipient <ned@innosoft.com> OK\r\n\
250 recipient <dan@innosoft.com> OK\r\n250 recipient <kvc@innosoft.com> OK\r\n\
354 enter mail, end with line containing only \".\"\r\n250 message sent\r\n221 goodbye\r\n",
        &[
            (220, None, &["innosoft.com SMTP service ready"]),
            (250, None, &["innosoft.com", "PIPELINING"]),
            (250, None, &["sender <mrose@dbc.mtview.ca.us> OK"]),
            (250, None, &["recipient <ned@innosoft.com> OK"]),
            (250, None, &["recipient <dan@innosoft.com> OK"]),
            (250, None, &["recipient <kvc@innosoft.com> OK"]),
            (
                354,
                None,
                &["enter mail, end with line containing only \".\""],
            ),
            (250, None, &["message sent"]),
            (221, None, &["goodbye"]),
        ],
    );
    // RFC 2920 §3.2: failed recipients inside a pipelined batch.
    replay(
        "250 sender <mrose@dbc.mtview.ca.us> OK\r\n\
550 remote mail to <nsb@thumper.bellore.com> not allowed\r\n\
550 remote mail to <mrose@sc.nps.navy.mil> not allowed\r\n554 no valid recipients given\r\n\
250 reset\r\n",
        &[
            (250, None, &["sender <mrose@dbc.mtview.ca.us> OK"]),
            (
                550,
                None,
                &["remote mail to <nsb@thumper.bellore.com> not allowed"],
            ),
            (
                550,
                None,
                &["remote mail to <mrose@sc.nps.navy.mil> not allowed"],
            ),
            (554, None, &["no valid recipients given"]),
            (250, None, &["reset"]),
        ],
    );
    let (reply, _) = parse_reply(b"250-innosoft.com\r\n250 PIPELINING\r\n").expect("EHLO");
    assert!(
        EhloReply::from_reply(&reply)
            .expect("capabilities")
            .has("PIPELINING")
    );
}

#[test]
fn rfc3030_chunking_and_binarymime() {
    replay(
        "220 cnri.reston.va.us SMTP service ready\r\n\
250-cnri.reston.va.us says hello\r\n250 CHUNKING\r\n\
250 <Sam@Random.com>... Sender ok\r\n250 <Susan@Random.com>... Recipient ok\r\n\
250 Message OK, 69 octets received\r\n",
        &[
            (220, None, &["cnri.reston.va.us SMTP service ready"]),
            (250, None, &["cnri.reston.va.us says hello", "CHUNKING"]),
            (250, None, &["<Sam@Random.com>... Sender ok"]),
            (250, None, &["<Susan@Random.com>... Recipient ok"]),
            (250, None, &["Message OK, 69 octets received"]),
        ],
    );
    let wire = b"250-cnri.reston.va.us says hello\r\n250-CHUNKING\r\n250 BINARYMIME\r\n";
    let (reply, _) = parse_reply(wire).expect("EHLO");
    let ehlo = EhloReply::from_reply(&reply).expect("capabilities");
    assert_eq!(
        ehlo.capabilities,
        [Capability::Chunking, Capability::BinaryMime]
    );
    assert_eq!(ehlo.to_reply().to_vec(), wire);
}

#[test]
fn rfc4954_auth() {
    replay(
        "250-smtp.example.com Hello client.example.com\r\n250-AUTH GSSAPI DIGEST-MD5\r\n\
250-ENHANCEDSTATUSCODES\r\n250 STARTTLS\r\n\
334 \r\n\
334 PENCeUxFREJoU0NnbmhNWitOMjNGNndAZWx3b29kLmlubm9zb2Z0LmNvbT4=\r\n\
235 2.7.0 Authentication successful\r\n\
535 5.7.8 Authentication credentials invalid\r\n\
534 5.7.9 Authentication mechanism is too weak\r\n\
538 5.7.11 Encryption required for requested authentication mechanism\r\n\
454 4.7.0 Temporary authentication failure\r\n\
530 5.7.0 Authentication required\r\n\
432 4.7.12 A password transition is needed\r\n\
501 5.5.2 Cannot Base64-decode Client responses\r\n\
504 5.5.4 Unrecognized authentication type\r\n",
        &[
            (
                250,
                None,
                &[
                    "smtp.example.com Hello client.example.com",
                    "AUTH GSSAPI DIGEST-MD5",
                    "ENHANCEDSTATUSCODES",
                    "STARTTLS",
                ],
            ),
            (334, None, &[""]),
            (
                334,
                None,
                &["PENCeUxFREJoU0NnbmhNWitOMjNGNndAZWx3b29kLmlubm9zb2Z0LmNvbT4="],
            ),
            (235, Some((2, 7, 0)), &["Authentication successful"]),
            (
                535,
                Some((5, 7, 8)),
                &["Authentication credentials invalid"],
            ),
            (
                534,
                Some((5, 7, 9)),
                &["Authentication mechanism is too weak"],
            ),
            (
                538,
                Some((5, 7, 11)),
                &["Encryption required for requested authentication mechanism"],
            ),
            (454, Some((4, 7, 0)), &["Temporary authentication failure"]),
            (530, Some((5, 7, 0)), &["Authentication required"]),
            (432, Some((4, 7, 12)), &["A password transition is needed"]),
            (
                501,
                Some((5, 5, 2)),
                &["Cannot Base64-decode Client responses"],
            ),
            (504, Some((5, 5, 4)), &["Unrecognized authentication type"]),
        ],
    );
    let wire = b"250-smtp.example.com Hello client.example.com\r\n250-AUTH GSSAPI DIGEST-MD5\r\n\
250-ENHANCEDSTATUSCODES\r\n250 STARTTLS\r\n";
    let (reply, _) = parse_reply(wire).expect("EHLO");
    let ehlo = EhloReply::from_reply(&reply).expect("capabilities");
    assert_eq!(ehlo.auth_mechanisms(), ["GSSAPI", "DIGEST-MD5"]);
    assert!(ehlo.has("STARTTLS") && ehlo.has("ENHANCEDSTATUSCODES"));
}

#[test]
fn rfc3463_enhanced_codes_from_real_servers() {
    replay(
        "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n250 2.0.0 Ok: queued as 4Bx2nR0sWkz9vC\r\n\
550 5.1.1 <nobody@example.org>: Recipient address rejected: User unknown in local recipient table\r\n\
550-5.1.1 The email account that you tried to reach does not exist. Please try\r\n\
550-5.1.1 double-checking the recipient's email address for typos or\r\n\
550 5.1.1 unnecessary spaces. https://support.google.com/mail/?p=NoSuchUser\r\n\
421 4.7.0 mx.example.org Error: too many errors\r\n",
        &[
            (250, Some((2, 1, 0)), &["Ok"]),
            (250, Some((2, 1, 5)), &["Ok"]),
            (250, Some((2, 0, 0)), &["Ok: queued as 4Bx2nR0sWkz9vC"]),
            (
                550,
                Some((5, 1, 1)),
                &[
                    "<nobody@example.org>: Recipient address rejected: User unknown in local recipient table",
                ],
            ),
            (
                550,
                Some((5, 1, 1)),
                &[
                    "The email account that you tried to reach does not exist. Please try",
                    "double-checking the recipient's email address for typos or",
                    "unnecessary spaces. https://support.google.com/mail/?p=NoSuchUser",
                ],
            ),
            (
                421,
                Some((4, 7, 0)),
                &["mx.example.org Error: too many errors"],
            ),
        ],
    );
}
