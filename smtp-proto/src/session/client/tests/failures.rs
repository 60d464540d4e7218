//! Every failure path: the error (or outcome) and what the client wrote.

use super::*;

fn plain(messages: Vec<Message>) -> Harness {
    Harness::new(ClientSession::new(config("c.example")), messages)
}

fn one() -> Vec<Message> {
    vec![message("a@x.example", &["b@y.example"], "hi\r\n")]
}

#[test]
fn greeting_554_is_an_error_and_the_client_quits() {
    let (h, e) = replay_err(&|| plain(one()), "S: 554 no SMTP service here");
    assert!(matches!(
        e,
        ClientError::UnexpectedReply { stage: Stage::Greeting, ref reply } if reply.code.get() == 554
    ));
    assert_eq!(e.fault(), Fault::UnexpectedReply);
    assert!(!e.is_temporary());
    assert_eq!(h.written, b"QUIT\r\n");
}

#[test]
fn ehlo_5xx_falls_back_to_helo() {
    let h = replay(
        &|| plain(one()),
        "
        S: 220 old.example
        C: EHLO c.example
        S: 502 command not implemented
        C: HELO c.example
        S: 250 old.example
        C: MAIL FROM:<a@x.example>
        S: 250 ok
        C: RCPT TO:<b@y.example>
        S: 250 ok
        C: DATA
        S: 354 go
        C: hi
        C: .
        S: 250 ok
        C: QUIT
        S: 221 bye",
    );
    assert!(h.outcomes[0].all_accepted());
    assert!(h.session.ehlo().is_none());
}

#[test]
fn ehlo_and_helo_refused_is_an_error() {
    let (_, e) = replay_err(
        &|| plain(one()),
        "
        S: 220 old.example
        C: EHLO c.example
        S: 500 what
        C: HELO c.example
        S: 550 go away",
    );
    assert!(matches!(
        e,
        ClientError::UnexpectedReply {
            stage: Stage::Helo,
            ..
        }
    ));
}

#[test]
fn ehlo_4xx_does_not_fall_back() {
    let (h, e) = replay_err(
        &|| plain(one()),
        "
        S: 220 mx
        C: EHLO c.example
        S: 451 try later",
    );
    assert!(matches!(
        e,
        ClientError::UnexpectedReply {
            stage: Stage::Ehlo,
            ..
        }
    ));
    assert!(e.is_temporary());
    assert_eq!(h.written, b"QUIT\r\n");
}

#[test]
fn mail_5xx_rejects_every_recipient_and_sends_no_rcpt() {
    let h = replay(
        &|| {
            plain(vec![
                message("a@x.example", &["b@y.example", "c@y.example"], "hi\r\n"),
                message("a@x.example", &["b@y.example"], "hi\r\n"),
            ])
        },
        "
        S: 220 mx
        C: EHLO c.example
        S: 250 mx
        C: MAIL FROM:<a@x.example>
        S: 553 5.1.8 sender refused
        C: MAIL FROM:<a@x.example>
        S: 250 ok
        C: RCPT TO:<b@y.example>
        S: 250 ok
        C: DATA
        S: 354 go
        C: hi
        C: .
        S: 250 ok
        C: QUIT
        S: 221 bye",
    );
    assert_eq!(codes(&h.outcomes[0]), vec![(false, 553), (false, 553)]);
    assert_eq!(h.outcomes[0].mail.code.get(), 553);
    assert!(h.outcomes[1].all_accepted());
}

#[test]
fn pipelined_mail_refused_rejects_all_with_the_mail_reply() {
    let h = replay(
        &|| plain(one()),
        "
        S: 220 mx
        C: EHLO c.example
        S: 250-mx
        S: 250 PIPELINING
        C: MAIL FROM:<a@x.example>
        C: RCPT TO:<b@y.example>
        C: DATA
        S: 451 sender temporarily refused
        S: 503 need MAIL first
        S: 503 need RCPT first
        C: QUIT
        S: 221 bye",
    );
    assert_eq!(codes(&h.outcomes[0]), vec![(false, 451)]);
    assert!(h.outcomes[0].recipients[0].is_temporary_failure());
}

#[test]
fn all_recipients_rejected_means_no_data() {
    let h = replay(
        &|| {
            plain(vec![message(
                "a@x.example",
                &["b@y.example", "c@y.example"],
                "hi\r\n",
            )])
        },
        "
        S: 220 mx
        C: EHLO c.example
        S: 250 mx
        C: MAIL FROM:<a@x.example>
        S: 250 ok
        C: RCPT TO:<b@y.example>
        S: 550 no
        C: RCPT TO:<c@y.example>
        S: 450 later
        C: QUIT
        S: 221 bye",
    );
    let o = &h.outcomes[0];
    assert_eq!(codes(o), vec![(false, 550), (false, 450)]);
    assert!(!o.recipients[0].is_temporary_failure());
    assert!(o.recipients[1].is_temporary_failure());
    assert_eq!(o.data, None);
}

#[test]
fn pipelined_354_after_all_recipients_refused_sends_an_empty_message() {
    let h = replay(
        &|| plain(one()),
        "
        S: 220 mx
        C: EHLO c.example
        S: 250-mx
        S: 250 PIPELINING
        C: MAIL FROM:<a@x.example>
        C: RCPT TO:<b@y.example>
        C: DATA
        S: 250 ok
        S: 550 no
        S: 354 go ahead anyway
        C: .
        S: 554 no valid recipients
        C: QUIT
        S: 221 bye",
    );
    assert_eq!(codes(&h.outcomes[0]), vec![(false, 550)]);
}

#[test]
fn data_refused_instead_of_354() {
    let h = replay(
        &|| {
            plain(vec![
                message("a@x.example", &["b@y.example"], "hi\r\n"),
                message("a@x.example", &["b@y.example"], "hi\r\n"),
            ])
        },
        "
        S: 220 mx
        C: EHLO c.example
        S: 250 mx
        C: MAIL FROM:<a@x.example>
        S: 250 ok
        C: RCPT TO:<b@y.example>
        S: 250 ok
        C: DATA
        S: 451 4.3.0 no spool space
        C: RSET
        S: 250 reset
        C: MAIL FROM:<a@x.example>
        S: 250 ok
        C: RCPT TO:<b@y.example>
        S: 250 ok
        C: DATA
        S: 354 go
        C: hi
        C: .
        S: 250 ok
        C: QUIT
        S: 221 bye",
    );
    assert_eq!(codes(&h.outcomes[0]), vec![(false, 451)]);
    assert_eq!(h.outcomes[0].data.as_ref().map(|r| r.code.get()), Some(451));
    assert!(h.outcomes[1].all_accepted());
}

#[test]
fn data_intermediate_other_than_354_is_an_error() {
    let (_, e) = replay_err(
        &|| plain(one()),
        "
        S: 220 mx
        C: EHLO c.example
        S: 250 mx
        C: MAIL FROM:<a@x.example>
        S: 250 ok
        C: RCPT TO:<b@y.example>
        S: 250 ok
        C: DATA
        S: 250 what",
    );
    assert!(matches!(
        e,
        ClientError::UnexpectedReply {
            stage: Stage::DataInit,
            ..
        }
    ));
}

#[test]
fn final_reply_4xx_after_the_data() {
    let h = replay(
        &|| {
            plain(vec![message(
                "a@x.example",
                &["b@y.example", "c@y.example"],
                "hi\r\n",
            )])
        },
        "
        S: 220 mx
        C: EHLO c.example
        S: 250 mx
        C: MAIL FROM:<a@x.example>
        S: 250 ok
        C: RCPT TO:<b@y.example>
        S: 250 ok
        C: RCPT TO:<c@y.example>
        S: 250 ok
        C: DATA
        S: 354 go
        C: hi
        C: .
        S: 452 4.3.1 insufficient storage
        C: QUIT
        S: 221 bye",
    );
    let o = &h.outcomes[0];
    assert_eq!(codes(o), vec![(false, 452), (false, 452)]);
    assert!(
        o.recipients
            .iter()
            .all(RecipientStatus::is_temporary_failure)
    );
}

#[test]
fn starttls_required_but_not_offered() {
    let (h, e) = replay_err(
        &|| {
            let mut c = config("c.example");
            c.tls = TlsPolicy::Required;
            Harness::new(ClientSession::new(c), one())
        },
        "
        S: 220 mx
        C: EHLO c.example
        S: 250-mx
        S: 250 PIPELINING",
    );
    assert!(matches!(e, ClientError::MissingCapability("STARTTLS")));
    assert_eq!(e.fault(), Fault::MissingCapability);
    assert_eq!(h.written, b"QUIT\r\n");
}

#[test]
fn starttls_refused_required_vs_opportunistic() {
    let transcript = "
        S: 220 mx
        C: EHLO c.example
        S: 250-mx
        S: 250 STARTTLS
        C: STARTTLS
        S: 454 TLS not available";
    let (_, e) = replay_err(
        &|| {
            let mut c = config("c.example");
            c.tls = TlsPolicy::Required;
            Harness::new(ClientSession::new(c), one())
        },
        transcript,
    );
    assert!(matches!(
        e,
        ClientError::UnexpectedReply {
            stage: Stage::StartTls,
            ..
        }
    ));
    // Opportunistic: carry on in plain text.
    let h = replay(
        &|| plain(one()),
        &format!(
            "{transcript}
            C: MAIL FROM:<a@x.example>
            S: 250 ok
            C: RCPT TO:<b@y.example>
            S: 250 ok
            C: DATA
            S: 354 go
            C: hi
            C: .
            S: 250 ok
            C: QUIT
            S: 221 bye"
        ),
    );
    assert!(!h.session.is_tls());
    assert!(h.outcomes[0].all_accepted());
}

#[test]
fn bytes_after_the_220_to_starttls_are_reported() {
    // Fed whole: the injected reply arrives with the 220 (byte-wise it would be taken for
    // an unsolicited reply after the handshake, which the TLS layer would drop anyway).
    let make = || plain(one());
    let err = replay_with(
        &make,
        "
        S: 220 mx
        C: EHLO c.example
        S: 250-mx
        S: 250 STARTTLS
        C: STARTTLS
        S: 220 go ahead
        S: 250 injected",
        false,
    )
    .err()
    .map(|b| b.1);
    assert!(
        matches!(err, Some(ClientError::DataBeforeTls(14))),
        "{err:?}"
    );
}

#[test]
fn malformed_replies() {
    for bad in ["S: hello", "S: 2x0 ok", "S: 999 nine"] {
        let (_, e) = replay_err(&|| plain(one()), bad);
        assert!(
            matches!(
                e,
                ClientError::MalformedReply {
                    stage: Stage::Greeting,
                    ..
                }
            ),
            "{bad}: {e:?}"
        );
        assert_eq!(e.fault(), Fault::MalformedReply);
    }
    let (_, e) = replay_err(
        &|| plain(one()),
        "
        S: 220 mx
        C: EHLO c.example
        S: 250 ok
        C: MAIL FROM:<a@x.example>
        S: 250-ok
        S: 251 changed code mid-reply",
    );
    assert!(
        matches!(
            e,
            ClientError::MalformedReply {
                stage: Stage::Mail,
                ..
            }
        ),
        "{e:?}"
    );
}

#[test]
fn service_closing_421_mid_transaction() {
    let (h, e) = replay_err(
        &|| plain(one()),
        "
        S: 220 mx
        C: EHLO c.example
        S: 250 ok
        C: MAIL FROM:<a@x.example>
        S: 421 4.4.2 idle too long, closing",
    );
    assert!(matches!(
        e,
        ClientError::ServiceClosing {
            stage: Stage::Mail,
            ..
        }
    ));
    assert!(e.is_temporary());
    assert_eq!(h.written, b"QUIT\r\n");
}

#[test]
fn message_over_the_advertised_size_is_refused_before_sending() {
    let mut h = plain(vec![]);
    h.quit_when_done = false;
    h.session.feed(b"220 mx\r\n");
    h.drive().unwrap();
    h.written.clear();
    h.session.feed(b"250-mx\r\n250 SIZE 1000\r\n");
    h.drive().unwrap();
    assert_eq!(h.session.next().unwrap(), Event::Ready);
    let mut env = envelope("a@x", &["b@y"]);
    env.from.params.size = Some(1001);
    let e = h.session.send_message(env.clone()).unwrap_err();
    assert!(matches!(
        e,
        ClientError::MessageTooLarge {
            size: 1001,
            limit: 1000
        }
    ));
    // The session is still usable.
    assert_eq!(h.session.next().unwrap(), Event::Ready);
    env.from.params.size = Some(1000);
    h.session.send_message(env).unwrap();
    assert_eq!(h.session.next().unwrap(), Event::NeedInput);
    assert_eq!(h.session.output(), b"MAIL FROM:<a@x> SIZE=1000\r\n");
}

#[test]
fn unadvertised_extensions_are_refused_before_sending() {
    let mut h = plain(vec![]);
    h.quit_when_done = false;
    h.session.feed(b"220 mx\r\n250 mx\r\n");
    h.drive().unwrap();
    h.written.clear();
    let mut utf8 = envelope("a@x", &["b@y"]);
    utf8.from.params.smtputf8 = true;
    let mut eight = envelope("a@x", &["b@y"]);
    eight.from.params.body = Some(Body::EightBitMime);
    let mut binary = envelope("a@x", &["b@y"]);
    binary.from.params.body = Some(Body::BinaryMime);
    for (env, missing) in [
        (utf8, "SMTPUTF8"),
        (eight, "8BITMIME"),
        (binary, "BINARYMIME"),
    ] {
        let e = h.session.send_message(env).unwrap_err();
        assert!(
            matches!(e, ClientError::MissingCapability(m) if m == missing),
            "{e:?}"
        );
    }
    let e = h.session.send_message(envelope("a@x", &[])).unwrap_err();
    assert_eq!(e.fault(), Fault::Misuse);
    let e = h
        .session
        .send_message(envelope("a@x", &["bé@y"]))
        .unwrap_err();
    assert_eq!(e.fault(), Fault::Misuse);
    assert!(h.session.output().is_empty());
    assert_eq!(h.session.next().unwrap(), Event::Ready);
}

#[test]
fn calls_out_of_order_are_misuse() {
    let mut s = ClientSession::new(config("c"));
    for e in [
        s.send_body(b"x").unwrap_err(),
        s.finish_body().unwrap_err(),
        s.quit().unwrap_err(),
        s.tls_started().unwrap_err(),
        s.send_message(envelope("a@x", &["b@y"])).unwrap_err(),
    ] {
        assert_eq!(e.fault(), Fault::Misuse, "{e}");
    }
    assert_eq!(s.next().unwrap(), Event::NeedInput);
}

#[test]
fn auth_refused_and_no_common_mechanism() {
    let with_creds = || {
        let mut c = config("c.example");
        c.tls = TlsPolicy::Never;
        c.plaintext_auth_without_tls = true;
        c.credentials = Some(Credentials::password("u", "p"));
        Harness::new(ClientSession::new(c), one())
    };
    let (_, e) = replay_err(
        &with_creds,
        "
        S: 220 mx
        C: EHLO c.example
        S: 250-mx
        S: 250 AUTH PLAIN
        C: AUTH PLAIN AHUAcA==
        S: 535 5.7.8 Authentication credentials invalid",
    );
    assert!(matches!(e, ClientError::AuthFailed(ref r) if r.code.get() == 535));
    let (_, e) = replay_err(
        &with_creds,
        "
        S: 220 mx
        C: EHLO c.example
        S: 250-mx
        S: 250 AUTH GSSAPI",
    );
    assert!(matches!(e, ClientError::NoCommonMechanism { ref offered } if offered == &["GSSAPI"]));
    // Without TLS and without permission, PLAIN is not used.
    let (_, e) = replay_err(
        &|| {
            let mut c = config("c.example");
            c.tls = TlsPolicy::Never;
            c.credentials = Some(Credentials::password("u", "p"));
            Harness::new(ClientSession::new(c), one())
        },
        "
        S: 220 mx
        C: EHLO c.example
        S: 250-mx
        S: 250 AUTH PLAIN LOGIN",
    );
    assert!(matches!(e, ClientError::NoCommonMechanism { .. }));
}

#[test]
fn bdat_chunk_refused_stops_the_body_and_resets() {
    let h = replay(
        &|| {
            let mut c = config("c.example");
            c.chunking = true;
            let mut m = message("a@x", &["b@y"], "012\r\n456789");
            m.piece = 5;
            let second = message("a@x", &["b@y"], "z\r\n");
            Harness::new(ClientSession::new(c), vec![m, second])
        },
        "
        S: 220 mx
        C: EHLO c.example
        S: 250-mx
        S: 250 CHUNKING
        C: MAIL FROM:<a@x>
        S: 250 ok
        C: RCPT TO:<b@y>
        S: 250 ok
        C: BDAT 5
        C: 012
        S: 552 5.3.4 too big
        C: RSET
        S: 250 ok
        C: MAIL FROM:<a@x>
        S: 250 ok
        C: RCPT TO:<b@y>
        S: 250 ok
        C: BDAT 3 LAST
        C: z
        S: 250 ok
        C: QUIT
        S: 221 bye",
    );
    assert_eq!(codes(&h.outcomes[0]), vec![(false, 552)]);
    assert!(h.outcomes[1].all_accepted());
}

#[test]
fn unsolicited_reply_while_idle() {
    let mut h = plain(vec![]);
    h.quit_when_done = false;
    h.session.feed(b"220 mx\r\n250 mx\r\n");
    h.drive().unwrap();
    h.session.feed(b"421 4.4.2 timeout\r\n");
    assert!(matches!(
        h.session.next(),
        Err(ClientError::ServiceClosing {
            stage: Stage::Idle,
            ..
        })
    ));
    // The session is finished.
    assert_eq!(h.session.next().unwrap_err().fault(), Fault::Misuse);
}

/// RFC 3461 DSN parameters go out when DSN is advertised, and are refused before sending
/// when it is not.
#[test]
fn dsn_parameters_only_when_advertised() {
    use crate::types::command::{Notify, Ret};
    let dsn_message = || {
        let mut m = message("a@x", &["b@y"], "hi\r\n");
        m.envelope.from.params.ret = Some(Ret::Hdrs);
        m.envelope.from.params.envid = Some("QQ314159".into());
        m.envelope.recipients[0].params.notify = Some(Notify::On {
            success: true,
            failure: true,
            delay: false,
        });
        m
    };
    let h = replay(
        &|| plain(vec![dsn_message()]),
        "
        S: 220 mx
        C: EHLO c.example
        S: 250-mx
        S: 250 DSN
        C: MAIL FROM:<a@x> RET=HDRS ENVID=QQ314159
        S: 250 ok
        C: RCPT TO:<b@y> NOTIFY=SUCCESS,FAILURE
        S: 250 ok
        C: DATA
        S: 354 go
        C: hi
        C: .
        S: 250 ok
        C: QUIT
        S: 221 bye",
    );
    assert!(h.outcomes[0].all_accepted());

    let mut h = plain(vec![]);
    h.quit_when_done = false;
    h.session.feed(b"220 mx\r\n250 mx\r\n");
    h.drive().unwrap();
    let e = h.session.send_message(dsn_message().envelope).unwrap_err();
    assert!(matches!(e, ClientError::MissingCapability("DSN")), "{e:?}");
}

/// RFC 4954 §4: an initial response that would make the AUTH line longer than 512 octets
/// waits for the server's empty `334`.
#[test]
fn long_initial_response_waits_for_the_empty_challenge() {
    use base64::Engine;
    let password = "p".repeat(400);
    let make = || {
        let mut c = config("c.example");
        c.tls = TlsPolicy::Never;
        c.plaintext_auth_without_tls = true;
        c.credentials =
            Some(Credentials::password("u", &password).with_mechanisms(&[deps::Mechanism::Plain]));
        let mut h = Harness::new(ClientSession::new(c), vec![]);
        h.quit_when_done = false;
        h
    };
    let response = base64::engine::general_purpose::STANDARD.encode(format!("\0u\0{password}"));
    assert!(response.len() > 512);
    let h = replay(
        &make,
        &format!(
            "
            S: 220 mx
            C: EHLO c.example
            S: 250-mx
            S: 250 AUTH PLAIN
            C: AUTH PLAIN
            S: 334 
            C: {response}
            S: 235 2.7.0 ok"
        ),
    );
    assert!(h.session.is_authenticated());
}

/// A SASL failure on the client side (here: a challenge PLAIN cannot answer) cancels the
/// exchange with `*` and reports the SASL error after the server's reply.
#[test]
fn unexpected_challenge_cancels_the_exchange() {
    let make = || {
        let mut c = config("c.example");
        c.tls = TlsPolicy::Never;
        c.plaintext_auth_without_tls = true;
        c.credentials =
            Some(Credentials::password("u", "p").with_mechanisms(&[deps::Mechanism::Plain]));
        Harness::new(ClientSession::new(c), vec![])
    };
    let (_, e) = replay_err(
        &make,
        "
        S: 220 mx
        C: EHLO c.example
        S: 250-mx
        S: 250 AUTH PLAIN
        C: AUTH PLAIN AHUAcA==
        S: 334 bW9yZT8=
        C: *
        S: 501 5.0.0 cancelled",
    );
    assert!(matches!(e, ClientError::Sasl(_)), "{e:?}");
}
