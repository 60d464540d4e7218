//! The RFC examples, from the client side.

use super::*;

/// RFC 5321 Appendix D.1: a typical transaction, one recipient refused. The body's second
/// line starts with a dot, so it goes out dot-stuffed (§4.5.2).
#[test]
fn rfc5321_d1_typical_transaction() {
    let make = || {
        Harness::new(
            ClientSession::new(config("bar.com")),
            vec![message(
                "Smith@bar.com",
                &["Jones@foo.com", "Green@foo.com", "Brown@foo.com"],
                "Blah blah blah...\r\n...etc. etc. etc.\r\n",
            )],
        )
    };
    let h = replay(
        &make,
        "
        S: 220 foo.com Simple Mail Transfer Service Ready
        C: EHLO bar.com
        S: 250-foo.com greets bar.com
        S: 250-8BITMIME
        S: 250-SIZE
        S: 250-DSN
        S: 250 HELP
        C: MAIL FROM:<Smith@bar.com>
        S: 250 OK
        C: RCPT TO:<Jones@foo.com>
        S: 250 OK
        C: RCPT TO:<Green@foo.com>
        S: 550 No such user here
        C: RCPT TO:<Brown@foo.com>
        S: 250 OK
        C: DATA
        S: 354 Start mail input; end with <CRLF>.<CRLF>
        C: Blah blah blah...
        C: ....etc. etc. etc.
        C: .
        S: 250 OK
        C: QUIT
        S: 221 foo.com Service closing transmission channel",
    );
    assert_eq!(h.outcomes.len(), 1);
    let o = &h.outcomes[0];
    assert_eq!(codes(o), vec![(true, 250), (false, 550), (true, 250)]);
    assert_eq!(o.accepted(), 2);
    assert!(!o.recipients[1].is_temporary_failure());
    assert_eq!(o.data.as_ref().map(|r| r.code.get()), Some(250));
    assert!(h.closed);
}

/// RFC 5321 Appendix D.2 (aborted transaction), as the client meets it: the only recipient
/// is refused, so no DATA is sent, and the next message starts with RSET.
#[test]
fn rfc5321_d2_refused_recipient_then_rset() {
    let make = || {
        Harness::new(
            ClientSession::new(config("bar.com")),
            vec![
                message("Smith@bar.com", &["Green@foo.com"], "x\r\n"),
                message("Smith@bar.com", &["Jones@foo.com"], "y\r\n"),
            ],
        )
    };
    let h = replay(
        &make,
        "
        S: 220 foo.com Simple Mail Transfer Service Ready
        C: EHLO bar.com
        S: 250-foo.com greets bar.com
        S: 250-8BITMIME
        S: 250-SIZE
        S: 250-DSN
        S: 250 HELP
        C: MAIL FROM:<Smith@bar.com>
        S: 250 OK
        C: RCPT TO:<Green@foo.com>
        S: 550 No such user here
        C: RSET
        S: 250 OK
        C: MAIL FROM:<Smith@bar.com>
        S: 250 OK
        C: RCPT TO:<Jones@foo.com>
        S: 250 OK
        C: DATA
        S: 354 go ahead
        C: y
        C: .
        S: 250 OK
        C: QUIT
        S: 221 foo.com Service closing transmission channel",
    );
    assert_eq!(codes(&h.outcomes[0]), vec![(false, 550)]);
    assert_eq!(h.outcomes[0].data, None);
    assert_eq!(codes(&h.outcomes[1]), vec![(true, 250)]);
}

/// RFC 5321 Appendix D.3: relayed mail (the first hop, from the client's side).
#[test]
fn rfc5321_d3_relayed_mail() {
    let make = || {
        Harness::new(
            ClientSession::new(config("bar.com")),
            vec![message(
                "JQP@bar.com",
                &["Jones@XYZ.COM"],
                "Date: Thu, 21 May 1998 05:33:29 -0700\r\nFrom: John Q. Public <JQP@bar.com>\r\nSubject: The Next Meeting of the Board\r\nTo: Jones@xyz.com\r\n\r\nBill:\r\nThe next meeting of the board of directors will be\r\non Tuesday.\r\n                                        John.\r\n",
            )],
        )
    };
    let h = replay(
        &make,
        "
        S: 220 foo.com Simple Mail Transfer Service Ready
        C: EHLO bar.com
        S: 250-foo.com greets bar.com
        S: 250-8BITMIME
        S: 250-SIZE
        S: 250-DSN
        S: 250 HELP
        C: MAIL FROM:<JQP@bar.com>
        S: 250 OK
        C: RCPT TO:<Jones@XYZ.COM>
        S: 250 OK
        C: DATA
        S: 354 Start mail input; end with <CRLF>.<CRLF>
        C: Date: Thu, 21 May 1998 05:33:29 -0700
        C: From: John Q. Public <JQP@bar.com>
        C: Subject: The Next Meeting of the Board
        C: To: Jones@xyz.com
        C: 
        C: Bill:
        C: The next meeting of the board of directors will be
        C: on Tuesday.
        C:                                         John.
        C: .
        S: 250 OK
        C: QUIT
        S: 221 foo.com Service closing transmission channel",
    );
    assert!(h.outcomes[0].all_accepted());
}

/// RFC 5321 Appendix D.4 (verifying and sending), less the VRFY this client never sends.
#[test]
fn rfc5321_d4_sending_after_verify() {
    let make = || {
        Harness::new(
            ClientSession::new(config("bar.com")),
            vec![message(
                "EAK@bar.com",
                &["Admin.MRC@foo.com"],
                "Blah blah blah...\r\n",
            )],
        )
    };
    let h = replay(
        &make,
        "
        S: 220 foo.com Simple Mail Transfer Service Ready
        C: EHLO bar.com
        S: 250-foo.com greets bar.com
        S: 250-8BITMIME
        S: 250-SIZE
        S: 250-DSN
        S: 250-VRFY
        S: 250 HELP
        C: MAIL FROM:<EAK@bar.com>
        S: 250 OK
        C: RCPT TO:<Admin.MRC@foo.com>
        S: 250 OK
        C: DATA
        S: 354 Start mail input; end with <CRLF>.<CRLF>
        C: Blah blah blah...
        C: .
        S: 250 OK
        C: QUIT
        S: 221 foo.com Service closing transmission channel",
    );
    assert!(h.outcomes[0].all_accepted());
}

/// RFC 2920 §3.2 examples: MAIL, every RCPT and DATA in one write; replies matched in order.
#[test]
fn rfc2920_pipelined_transaction() {
    let make = || {
        Harness::new(
            ClientSession::new(config("dbc.mtview.ca.us")),
            vec![
                message(
                    "mrose@dbc.mtview.ca.us",
                    &["ned@innosoft.com", "dan@innosoft.com", "kvc@innosoft.com"],
                    "Date: ...\r\n",
                ),
                message(
                    "mrose@dbc.mtview.ca.us",
                    &["ned@innosoft.com", "dan@innosoft.com", "kvc@innosoft.com"],
                    "Date: ...\r\n",
                ),
                message(
                    "mrose@dbc.mtview.ca.us",
                    &["ned@innosoft.com", "dan@innosoft.com"],
                    "Date: ...\r\n",
                ),
            ],
        )
    };
    let h = replay(
        &make,
        r#"
        S: 220 innosoft.com SMTP service ready
        C: EHLO dbc.mtview.ca.us
        S: 250-innosoft.com
        S: 250 PIPELINING
        C: MAIL FROM:<mrose@dbc.mtview.ca.us>
        C: RCPT TO:<ned@innosoft.com>
        C: RCPT TO:<dan@innosoft.com>
        C: RCPT TO:<kvc@innosoft.com>
        C: DATA
        S: 250 sender <mrose@dbc.mtview.ca.us> OK
        S: 250 recipient <ned@innosoft.com> OK
        S: 250 recipient <dan@innosoft.com> OK
        S: 250 recipient <kvc@innosoft.com> OK
        S: 354 enter mail, end with line containing only "."
        C: Date: ...
        C: .
        S: 250 message sent
        C: MAIL FROM:<mrose@dbc.mtview.ca.us>
        C: RCPT TO:<ned@innosoft.com>
        C: RCPT TO:<dan@innosoft.com>
        C: RCPT TO:<kvc@innosoft.com>
        C: DATA
        S: 250 sender <mrose@dbc.mtview.ca.us> OK
        S: 550 remote mail to <ned@innosoft.com> not allowed
        S: 250 recipient <dan@innosoft.com> OK
        S: 250 recipient <kvc@innosoft.com> OK
        S: 354 enter mail, end with line containing only "."
        C: Date: ...
        C: .
        S: 250 message sent
        C: MAIL FROM:<mrose@dbc.mtview.ca.us>
        C: RCPT TO:<ned@innosoft.com>
        C: RCPT TO:<dan@innosoft.com>
        C: DATA
        S: 250 sender <mrose@dbc.mtview.ca.us> OK
        S: 550 remote mail to <ned@innosoft.com> not allowed
        S: 550 remote mail to <dan@innosoft.com> not allowed
        S: 554 no valid recipients given
        C: QUIT
        S: 221 goodbye"#,
    );
    assert_eq!(codes(&h.outcomes[0]), vec![(true, 250); 3]);
    assert_eq!(
        codes(&h.outcomes[1]),
        vec![(false, 550), (true, 250), (true, 250)]
    );
    assert_eq!(codes(&h.outcomes[2]), vec![(false, 550), (false, 550)]);
    assert_eq!(h.outcomes[2].data.as_ref().map(|r| r.code.get()), Some(554));
    assert!(h.closed);
}

/// RFC 3030 §4.2 example: the whole message in one `BDAT n LAST`.
#[test]
fn rfc3030_bdat_single_chunk() {
    let body = "To: Susan@random.com\r\nFrom: Sam@random.com\r\nSubject: This is a bodyless test message\r\n";
    assert_eq!(body.len(), 86);
    let make = || {
        let mut c = config("ymir.claremont.edu");
        c.chunking = true;
        Harness::new(
            ClientSession::new(c),
            vec![message("Sam@Random.com", &["Susan@Random.com"], body)],
        )
    };
    let transcript = format!(
        "
        S: 220 cnri.reston.va.us SMTP service ready
        C: EHLO ymir.claremont.edu
        S: 250-cnri.reston.va.us says hello
        S: 250 CHUNKING
        C: MAIL FROM:<Sam@Random.com>
        S: 250 <Sam@Random.com>... Sender ok
        C: RCPT TO:<Susan@Random.com>
        S: 250 <Susan@random.com>... Recipient ok
        C: BDAT 86 LAST
        C: {}
        S: 250 Message OK, 86 octets received
        C: QUIT
        S: 221 goodbye",
        body.trim_end().replace("\r\n", "\n        C: ")
    );
    let h = replay(&make, &transcript);
    assert!(h.outcomes[0].all_accepted());
}

/// RFC 3030 §4.3 (pipelined BINARYMIME in chunks): BODY=BINARYMIME forces BDAT; chunks go
/// out without waiting; only the last carries LAST.
#[test]
fn rfc3030_bdat_pipelined_chunks_binarymime() {
    let body = "0123456789abcdefghij\r\nbinary\0bytes\r\n.\r\n";
    let make = || {
        let mut m = message("Sam@Random.com", &["Susan@Random.com"], body);
        m.envelope.from.params.body = Some(Body::BinaryMime);
        m.piece = 16;
        Harness::new(ClientSession::new(config("ymir.claremont.edu")), vec![m])
    };
    let transcript = "
        S: 220 cnri.reston.va.us SMTP service ready
        C: EHLO ymir.claremont.edu
        S: 250-cnri.reston.va.us says hello
        S: 250-PIPELINING
        S: 250-BINARYMIME
        S: 250 CHUNKING
        C: MAIL FROM:<Sam@Random.com> BODY=BINARYMIME
        C: RCPT TO:<Susan@Random.com>
        S: 250 <Sam@Random.com>... Sender and BINARYMIME ok
        S: 250 <Susan@random.com>... Recipient ok
        C: BDAT 16
        C: 0123456789abcdefBDAT 16
        C: ghij
        C: binary\0bytBDAT 7 LAST
        C: es
        C: .
        S: 250 16 octets received
        S: 250 16 octets received
        S: 250 Message OK, 39 octets received
        C: QUIT
        S: 221 goodbye";
    let h = replay(&make, transcript);
    assert!(h.outcomes[0].all_accepted());
    assert_eq!(
        h.outcomes[0].data.as_ref().map(|r| r.text()),
        Some("Message OK, 39 octets received".to_string())
    );
}

/// RFC 4954 §4 example: STARTTLS, EHLO again, AUTH PLAIN with an initial response.
#[test]
fn rfc4954_starttls_then_auth_plain() {
    let make = || {
        let mut c = config("client.example.com");
        c.credentials = Some(Credentials::password("test", "1234").with_authzid("test"));
        let mut h = Harness::new(ClientSession::new(c), vec![]);
        h.quit_when_done = false;
        h
    };
    let h = replay(
        &make,
        "
        S: 220 smtp.example.com ESMTP Server
        C: EHLO client.example.com
        S: 250-smtp.example.com Hello client.example.com
        S: 250-AUTH GSSAPI DIGEST-MD5
        S: 250-ENHANCEDSTATUSCODES
        S: 250 STARTTLS
        C: STARTTLS
        S: 220 Ready to start TLS
        C: EHLO client.example.com
        S: 250-smtp.example.com Hello client.example.com
        S: 250-AUTH GSSAPI DIGEST-MD5 PLAIN
        S: 250-ENHANCEDSTATUSCODES
        S: 250 DSN
        C: AUTH PLAIN dGVzdAB0ZXN0ADEyMzQ=
        S: 235 2.7.0 Authentication successful",
    );
    assert_eq!(h.tls_upgrades, 1);
    assert!(h.session.is_tls());
    assert!(h.session.is_authenticated());
}

/// RFC 4954 with 334 challenges (LOGIN: username, then password).
#[test]
fn rfc4954_auth_login_challenges() {
    let make = || {
        let mut c = config("client.example.com");
        c.tls = TlsPolicy::Never;
        c.plaintext_auth_without_tls = true;
        c.credentials = Some(
            Credentials::password("tim", "tanstaaftanstaaf")
                .with_mechanisms(&[deps::Mechanism::Login]),
        );
        Harness::new(ClientSession::new(c), vec![])
    };
    let h = replay(
        &make,
        "
        S: 220 smtp.example.com ESMTP Server
        C: EHLO client.example.com
        S: 250-smtp.example.com
        S: 250 AUTH LOGIN
        C: AUTH LOGIN
        S: 334 VXNlcm5hbWU6
        C: dGlt
        S: 334 UGFzc3dvcmQ6
        C: dGFuc3RhYWZ0YW5zdGFhZg==
        S: 235 2.7.0 Authentication successful
        C: QUIT
        S: 221 bye",
    );
    assert!(h.session.is_authenticated());
    assert!(h.closed);
}

/// RFC 2033 §4.2 example: LHLO, and after the data one reply per accepted recipient.
#[test]
fn rfc2033_lmtp_per_recipient_replies() {
    let make = || {
        let mut c = config("foo.edu");
        c.protocol = Protocol::Lmtp;
        Harness::new(
            ClientSession::new(c),
            vec![message(
                "chris@bar.com",
                &["pat@foo.edu", "jones@foo.edu", "green@foo.edu"],
                "Blah blah blah...\r\n...etc. etc. etc.\r\n",
            )],
        )
    };
    let h = replay(
        &make,
        "
        S: 220 foo.edu LMTP server ready
        C: LHLO foo.edu
        S: 250-foo.edu
        S: 250-PIPELINING
        S: 250 SIZE
        C: MAIL FROM:<chris@bar.com>
        C: RCPT TO:<pat@foo.edu>
        C: RCPT TO:<jones@foo.edu>
        C: RCPT TO:<green@foo.edu>
        C: DATA
        S: 250 OK
        S: 250 OK
        S: 550 No such user here
        S: 250 OK
        S: 354 Start mail input; end with <CRLF>.<CRLF>
        C: Blah blah blah...
        C: ....etc. etc. etc.
        C: .
        S: 250 OK
        S: 452 <green@foo.edu> is temporarily over quota
        C: QUIT
        S: 221 foo.edu closing connection",
    );
    let o = &h.outcomes[0];
    assert_eq!(codes(o), vec![(true, 250), (false, 550), (false, 452)]);
    assert!(o.recipients[2].is_temporary_failure());
    assert_eq!(o.data, None);
}

/// LMTP with CHUNKING: the reply to `BDAT ... LAST` is one reply per accepted recipient.
#[test]
fn lmtp_bdat_last_gets_per_recipient_replies() {
    let make = || {
        let mut c = config("foo.edu");
        c.protocol = Protocol::Lmtp;
        c.chunking = true;
        Harness::new(
            ClientSession::new(c),
            vec![message(
                "chris@bar.com",
                &["pat@foo.edu", "green@foo.edu"],
                "hi\r\n",
            )],
        )
    };
    let h = replay(
        &make,
        "
        S: 220 foo.edu LMTP server ready
        C: LHLO foo.edu
        S: 250-foo.edu
        S: 250 CHUNKING
        C: MAIL FROM:<chris@bar.com>
        S: 250 OK
        C: RCPT TO:<pat@foo.edu>
        S: 250 OK
        C: RCPT TO:<green@foo.edu>
        S: 250 OK
        C: BDAT 4 LAST
        C: hi
        S: 250 2.1.5 delivered
        S: 552 5.2.2 over quota
        C: QUIT
        S: 221 bye",
    );
    assert_eq!(codes(&h.outcomes[0]), vec![(true, 250), (false, 552)]);
}

/// LMTP has no HELO: a refused LHLO is an error.
#[test]
fn lmtp_refused_lhlo_does_not_fall_back() {
    let make = || {
        let mut c = config("foo.edu");
        c.protocol = Protocol::Lmtp;
        Harness::new(ClientSession::new(c), vec![])
    };
    let (h, e) = replay_err(
        &make,
        "
        S: 220 foo.edu LMTP server ready
        C: LHLO foo.edu
        S: 500 5.5.1 what",
    );
    assert!(matches!(
        e,
        ClientError::UnexpectedReply {
            stage: Stage::Ehlo,
            ..
        }
    ));
    assert_eq!(h.written, b"QUIT\r\n");
}
