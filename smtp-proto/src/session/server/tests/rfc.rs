//! RFC transcripts: RFC 5321 Appendix D, RFC 2920, RFC 3030, RFC 4954, RFC 2033.

use super::super::deps::Mechanism;
use super::super::trace::{App, b64, replay};
use super::super::{Decision, Protocol, ServerConfig};
use super::{both, cfg};

/// RFC 5321 Appendix D.1, a typical SMTP transaction.
const D1: &str = "
    S: 220 foo.com
    C: EHLO bar.com
    S: 250-foo.com greets bar.com
    S: 250-PIPELINING
    S: 250-SIZE
    S: 250-ENHANCEDSTATUSCODES
    S: 250-8BITMIME
    S: 250-SMTPUTF8
    S: 250-CHUNKING
    S: 250-BINARYMIME
    S: 250 HELP
    C: MAIL FROM:<Smith@bar.com>
    S: 250 2.1.0
    C: RCPT TO:<Jones@foo.com>
    S: 250 2.1.5
    C: RCPT TO:<Green@foo.com>
    S: 550 5.1.1 no such user
    C: RCPT TO:<Brown@foo.com>
    S: 250 2.1.5
    C: DATA
    S: 354 start mail input
    C: Blah blah blah...
    C: ...etc. etc. etc.
    C: .
    S: 250 2.0.0
    C: QUIT
    S: 221 2.0.0 foo.com closing
";

#[test]
fn rfc5321_d1_typical_transaction() {
    for bytewise in [false, true] {
        let mut app = App {
            refuse_rcpt: vec!["Green"],
            ..App::default()
        };
        let session = replay(cfg(), &mut app, D1, bytewise);
        assert_eq!(
            app.messages,
            vec![b"Blah blah blah...\r\n..etc. etc. etc.\r\n".to_vec()]
        );
        assert_eq!(
            app.events,
            [
                "Hello(true)",
                "Mail",
                "Rcpt",
                "Rcpt",
                "Rcpt",
                "DataStart(false)",
                "DataEnd(37)",
                "Close(Quit)"
            ]
        );
        assert!(session.is_closed());
    }
}

/// RFC 5321 Appendix D.2, an aborted transaction; D.4, VRFY.
#[test]
fn rfc5321_d2_aborted_and_d4_vrfy() {
    let app = both(
        cfg,
        "
        S: 220
        C: HELO bar.com
        S: 250 foo.com
        C: MAIL FROM:<Smith@bar.com>
        S: 250 2.1.0
        C: RCPT TO:<Jones@foo.com>
        S: 250 2.1.5
        C: RSET
        S: 250 2.0.0
        C: VRFY Crispin
        S: 252 2.5.0
        C: QUIT
        S: 221 2.0.0
    ",
    );
    assert_eq!(
        app.events,
        [
            "Hello(false)",
            "Mail",
            "Rcpt",
            "Reset",
            "Vrfy(Crispin)",
            "Close(Quit)"
        ]
    );
}

/// RFC 2920 §3.2: a pipelined transaction, then one whose recipients all fail.
#[test]
fn rfc2920_pipelining() {
    let app = both(
        || App::default().then_config(),
        "
        S: 220
        C: EHLO dbc.mtview.ca.us
        S: ~250
        C: MAIL FROM:<mrose@dbc.mtview.ca.us>
        C: RCPT TO:<ned@innosoft.com>
        C: RCPT TO:<dan@innosoft.com>
        C: RCPT TO:<kvc@innosoft.com>
        C: DATA
        S: 250 2.1.0
        S: 250 2.1.5
        S: 250 2.1.5
        S: 250 2.1.5
        S: 354
        C: ...
        C: .
        C: QUIT
        S: 250 2.0.0
        S: 221 2.0.0
    ",
    );
    assert_eq!(app.messages, vec![b"..\r\n".to_vec()]);

    let mut app = App {
        refuse_rcpt: vec!["nsb", "galvin"],
        ..App::default()
    };
    replay(
        cfg(),
        &mut app,
        "
        S: 220
        C: EHLO dbc.mtview.ca.us
        S: ~250
        C: MAIL FROM:<mrose@dbc.mtview.ca.us>
        C: RCPT TO:<nsb@thumper.bellcore.com>
        C: RCPT TO:<galvin@tis.com>
        C: DATA
        C: RSET
        C: NOOP
        S: 250 2.1.0
        S: 550 5.1.1
        S: 550 5.1.1
        S: 554 5.5.1 no valid recipients
        S: 250 2.0.0
        S: 250 2.0.0
    ",
        false,
    );
    assert!(app.messages.is_empty());
}

trait ThenConfig {
    fn then_config(self) -> ServerConfig;
}
impl ThenConfig for App {
    fn then_config(self) -> ServerConfig {
        cfg()
    }
}

/// RFC 3030 §4.1 (simple chunking) and §4.2 (pipelined BINARYMIME), chunk sizes adapted.
#[test]
fn rfc3030_bdat() {
    let app = both(
        cfg,
        "
        S: 220
        C: EHLO ymir.claremont.edu
        S: ~250
        C: MAIL FROM:<Sam@Random.com> BODY=BINARYMIME
        C: RCPT TO:<Susan@Random.com>
        C: BDAT 10
        C: 12345678
        C: BDAT 6
        C: abcd
        C: BDAT 0 LAST
        S: 250 2.1.0
        S: 250 2.1.5
        S: 250 2.0.0 10 octets
        S: 250 2.0.0 16 octets
        S: 250 2.0.0
        C: MAIL FROM:<Sam@Random.com>
        C: RCPT TO:<Susan@Random.com>
        C: BDAT 5 LAST
        C: .\r.
        S: 250 2.1.0
        S: 250 2.1.5
        S: 250 2.0.0
    ",
    );
    assert_eq!(
        app.messages,
        vec![b"12345678\r\nabcd\r\n".to_vec(), b".\r.\r\n".to_vec()]
    );
}

#[test]
fn bdat_out_of_order_chunks_are_consumed() {
    let mut app = App {
        refuse_rcpt: vec!["nobody"],
        ..App::default()
    };
    replay(
        cfg(),
        &mut app,
        "
        S: 220
        C: BDAT 6
        C: MAIL
        C: EHLO x
        S: 503 5.5.1
        S: ~250
        C: MAIL FROM:<a@b>
        C: RCPT TO:<nobody@b>
        C: BDAT 6 LAST
        C: QUIT
        C: DATA
        S: 250 2.1.0
        S: 550 5.1.1
        S: 554 5.5.1
        S: 554 5.5.1
        C: RCPT TO:<somebody@b>
        C: BDAT 3
        C: x
        C: DATA
        C: RCPT TO:<other@b>
        C: BDAT 0 LAST
        S: 250 2.1.5
        S: 250 2.0.0
        S: 503 5.5.1 bad sequence of commands: DATA after BDAT
        S: 503 5.5.1 bad sequence of commands: RCPT after BDAT
        S: 250 2.0.0
    ",
        false,
    );
    assert_eq!(app.messages, vec![b"x\r\n".to_vec()]);
}

#[test]
fn binarymime_needs_bdat() {
    both(
        cfg,
        "
        S: 220
        C: EHLO x
        S: ~250
        C: MAIL FROM:<a@b> BODY=BINARYMIME
        C: RCPT TO:<c@d>
        C: DATA
        S: 250 2.1.0
        S: 250 2.1.5
        S: 503 5.5.1 bad sequence of commands: BINARYMIME requires BDAT
    ",
    );
}

fn auth_cfg() -> ServerConfig {
    let mut c = cfg();
    c.auth_mechanisms = vec![Mechanism::Plain, Mechanism::Login];
    c.auth.allow_plaintext = true;
    c
}

fn auth_app() -> App {
    App {
        users: vec![("test", "1234"), ("tim", "tanstaaftanstaaf")],
        ..App::default()
    }
}

/// RFC 4954 §9 examples: PLAIN with an initial response, PLAIN with an empty challenge, LOGIN.
#[test]
fn rfc4954_auth() {
    let mut app = auth_app();
    replay(
        auth_cfg(),
        &mut app,
        &format!(
            "
        S: 220
        C: EHLO client.example.com
        S: 250-foo.com
        S: 250-PIPELINING
        S: 250-SIZE
        S: 250-ENHANCEDSTATUSCODES
        S: 250-8BITMIME
        S: 250-SMTPUTF8
        S: 250-CHUNKING
        S: 250-BINARYMIME
        S: 250-AUTH PLAIN LOGIN
        S: 250 HELP
        C: AUTH PLAIN dGVzdAB0ZXN0ADEyMzQ=
        S: 235 2.7.0
        C: AUTH PLAIN {}
        S: 503 5.5.1 bad sequence of commands: already authenticated
        C: EHLO again
        S: 250-foo.com
        S: 250-PIPELINING
        S: 250-SIZE
        S: 250-ENHANCEDSTATUSCODES
        S: 250-8BITMIME
        S: 250-SMTPUTF8
        S: 250-CHUNKING
        S: 250-BINARYMIME
        S: 250 HELP
    ",
            b64(b"\0test\x001234")
        ),
        false,
    );
    assert_eq!(app.events[1], "Auth(PLAIN)");

    for (transcript, ok) in [
        (
            format!(
                "C: AUTH PLAIN\nS: 334 \nC: {}\nS: 235 2.7.0",
                b64(b"\0tim\0tanstaaftanstaaf")
            ),
            true,
        ),
        (
            format!(
                "C: AUTH LOGIN\nS: 334 VXNlcm5hbWU6\nC: {}\nS: 334 UGFzc3dvcmQ6\nC: {}\nS: 235 2.7.0",
                b64(b"tim"),
                b64(b"tanstaaftanstaaf")
            ),
            true,
        ),
        (
            format!(
                "C: AUTH LOGIN {}\nS: 334 UGFzc3dvcmQ6\nC: {}\nS: 535 5.7.8",
                b64(b"tim"),
                b64(b"wrong")
            ),
            false,
        ),
        (
            "C: AUTH PLAIN\nS: 334 \nC: *\nS: 501 5.7.0".to_owned(),
            false,
        ),
        (
            "C: AUTH PLAIN\nS: 334 \nC: !!!\nS: 501 5.5.2".to_owned(),
            false,
        ),
        ("C: AUTH CRAM-MD5\nS: 504 5.5.4".to_owned(), false),
        ("C: AUTH PLAIN ***\nS: 501 5.5.2".to_owned(), false),
        (
            format!(
                "C: AUTH PLAIN\nS: 334 \nC: {}\nS: 500 5.5.6",
                "QUFB".repeat(3100)
            ),
            false,
        ),
        (
            format!("C: AUTH PLAIN {}\nS: 500 5.5.6", "QUFB".repeat(3100)),
            false,
        ),
    ] {
        let mut app = auth_app();
        let session = replay(
            auth_cfg(),
            &mut app,
            &format!("S: 220\nC: EHLO x\nS: ~250\n{transcript}\nC: NOOP\nS: 250 2.0.0"),
            false,
        );
        assert_eq!(session.authenticated().is_some(), ok, "{transcript}");
    }
}

#[test]
fn auth_order_and_failure_limit() {
    let mut app = auth_app();
    replay(
        auth_cfg(),
        &mut app,
        &format!(
            "
        S: 220
        C: AUTH PLAIN {0}
        S: 503 5.5.1
        C: EHLO x
        S: ~250
        C: MAIL FROM:<a@b>
        C: AUTH PLAIN {0}
        S: 250 2.1.0
        S: 503 5.5.1 bad sequence of commands: AUTH inside a mail transaction
        C: RSET
        C: AUTH PLAIN {1}
        C: AUTH PLAIN {1}
        C: AUTH PLAIN {1}
        C: AUTH PLAIN {1}
        S: 250 2.0.0
        S: 535 5.7.8
        S: 535 5.7.8
        S: 535 5.7.8
        S: 535 5.7.8
        S: 421 4.7.0
    ",
            b64(b"\0test\x001234"),
            b64(b"\0test\0bad")
        ),
        false,
    );
    assert_eq!(
        app.events.last().map(String::as_str),
        Some("Close(TooManyAuthFailures)")
    );
}

#[test]
fn plaintext_auth_needs_tls() {
    let mut c = auth_cfg();
    c.auth.allow_plaintext = false;
    c.starttls = true;
    let mut app = auth_app();
    replay(
        c,
        &mut app,
        &format!(
            "
        S: 220
        C: EHLO x
        S: 250-foo.com
        S: 250-PIPELINING
        S: 250-SIZE
        S: 250-ENHANCEDSTATUSCODES
        S: 250-8BITMIME
        S: 250-SMTPUTF8
        S: 250-CHUNKING
        S: 250-BINARYMIME
        S: 250-STARTTLS
        S: 250 HELP
        C: AUTH PLAIN {0}
        S: 538 5.7.11
        C: STARTTLS
        S: 220 2.0.0
        C: EHLO x
        S: 250-foo.com
        S: 250-PIPELINING
        S: 250-SIZE
        S: 250-ENHANCEDSTATUSCODES
        S: 250-8BITMIME
        S: 250-SMTPUTF8
        S: 250-CHUNKING
        S: 250-BINARYMIME
        S: 250-AUTH PLAIN LOGIN
        S: 250 HELP
        C: AUTH PLAIN {0}
        S: 235 2.7.0
    ",
            b64(b"\0test\x001234")
        ),
        false,
    );
}

/// RFC 2033 §4.2: one reply per accepted recipient after the end of data, in RCPT order.
#[test]
fn rfc2033_lmtp() {
    let lmtp = || {
        let mut c = ServerConfig::new("foo.edu");
        c.protocol = Protocol::Lmtp;
        c
    };
    let mut app = App {
        refuse_rcpt: vec!["jones"],
        lmtp_results: vec![
            Decision::Accept,
            Decision::Reject(super::super::error::reply(
                452,
                (4, 2, 2),
                "<green@foo.edu> is temporarily over quota",
            )),
        ],
        ..App::default()
    };
    replay(
        lmtp(),
        &mut app,
        "
        S: 220 foo.edu LMTP
        C: EHLO foo.edu
        S: 500 5.5.1
        C: LHLO foo.edu
        S: ~250
        C: MAIL FROM:<chris@bar.com>
        S: 250 2.1.0
        C: RCPT TO:<pat@foo.edu>
        S: 250 2.1.5
        C: RCPT TO:<jones@foo.edu>
        S: 550 5.1.1
        C: RCPT TO:<green@foo.edu>
        S: 250 2.1.5
        C: DATA
        S: 354
        C: Blah blah blah...
        C: ...etc. etc. etc.
        C: .
        S: 250 2.0.0
        S: 452 4.2.2 <green@foo.edu> is temporarily over quota
        C: QUIT
        S: 221 2.0.0
    ",
        false,
    );
    both(cfg, "S: 220\nC: LHLO x\nS: 500 5.5.1 LHLO is for LMTP");
}

/// A multi-step mechanism end to end: SCRAM-SHA-256 (RFC 7677) with the `sasl` crate on both sides,
/// the session framing it as RFC 4954 `334` challenges and base64 lines.
#[tokio::test]
async fn auth_scram_sha_256_with_the_sasl_crate() {
    use super::super::{AuthOutcome, Event, ServerSession};
    let store = sasl::MemoryStore::new().with_user("user", "pencil");
    let mut config = cfg();
    config.auth_mechanisms = vec![sasl::Mechanism::ScramSha256];
    let mut session = ServerSession::new(std::sync::Arc::new(config));
    let credentials = sasl::Credentials::password("user", "pencil");
    let mut client =
        sasl::ClientSession::new(sasl::Mechanism::ScramSha256, credentials).expect("client");
    let first = client
        .initial_response()
        .expect("SCRAM sends a client-first message");
    session.feed(format!("EHLO x\r\nAUTH SCRAM-SHA-256 {}\r\n", b64(&first)).as_bytes());
    let mut server: Option<sasl::ServerSession> = None;
    let mut challenges = 0;
    loop {
        match session.next_event().expect("no misuse") {
            Event::Hello { .. } => session.decide(Decision::Accept).expect("hello"),
            Event::Auth(step) => {
                let sasl = server.get_or_insert_with(|| sasl::ServerSession::new(step.mechanism));
                let result = match step.first {
                    true => {
                        let response = step.response.as_ref().map(|r| r.expose().as_slice());
                        sasl.start_with(response, &store).await
                    }
                    false => {
                        let response = step.response.map(sasl::Secret::into_inner);
                        sasl.step_with(&response.unwrap_or_default(), &store).await
                    }
                };
                let outcome = match result {
                    Ok(sasl::ServerStep::Challenge(c)) => AuthOutcome::Challenge(c),
                    Ok(sasl::ServerStep::Success(auth)) => AuthOutcome::Success {
                        identity: auth.user().to_owned(),
                    },
                    _ => AuthOutcome::Failure,
                };
                session.auth_outcome(outcome).expect("outcome");
            }
            Event::NeedInput => {
                let output = String::from_utf8(session.take_output()).expect("ASCII replies");
                let last = output.lines().last().unwrap_or_default().to_owned();
                if let Some(text) = last.strip_prefix("334 ") {
                    challenges += 1;
                    let challenge = crate::auth::decode_challenge(text.as_bytes()).expect("base64");
                    let response = client.step(&challenge).expect("client step");
                    session.feed(format!("{}\r\n", b64(&response)).as_bytes());
                } else {
                    assert!(last.starts_with("235 2.7.0"), "{output}");
                    break;
                }
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    client
        .finish()
        .expect("the server proved it knows the password");
    assert!(challenges >= 1);
    assert_eq!(session.authenticated(), Some("user"));
}
