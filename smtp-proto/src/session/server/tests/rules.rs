//! Limits, command order, malformed input, STARTTLS, SMTPUTF8, misuse.

use std::sync::Arc;

use super::super::trace::{App, replay};
use super::super::{Decision, Event, Misuse, ServerConfig, ServerError, ServerSession};
use super::{both, cfg};

/// RFC 3207 §4.2 and CVE-2011-0411: commands pipelined after STARTTLS are dropped.
#[test]
fn starttls_discards_pipelined_input() {
    let mut c = cfg();
    c.starttls = true;
    let mut app = App::default();
    let session = replay(
        c,
        &mut app,
        "
        S: 220
        C: EHLO x
        S: ~250
        C: STARTTLS
        C: MAIL FROM:<evil@example>
        C: RCPT TO:<victim@example>
        S: 220 2.0.0
        C: MAIL FROM:<a@b>
        S: 503 5.5.1 bad sequence of commands: MAIL before EHLO
        C: STARTTLS
        S: 503 5.5.1 bad sequence of commands: TLS already active
        C: EHLO x
        S: ~250
    ",
        false,
    );
    assert!(session.is_tls());
    assert_eq!(
        session.discarded_octets(),
        "MAIL FROM:<evil@example>\r\nRCPT TO:<victim@example>\r\n".len()
    );
    assert_eq!(app.events, ["Hello(true)", "StartTls", "Hello(true)"]);
}

#[test]
fn starttls_rules() {
    // Not configured: 502. Configured: not before EHLO, not in a transaction; not advertised after TLS.
    both(cfg, "S: 220\nC: EHLO x\nS: ~250\nC: STARTTLS\nS: 502 5.5.1");
    let mut c = cfg();
    c.starttls = true;
    let mut app = App::default();
    replay(
        c.clone(),
        &mut app,
        "
        S: 220
        C: STARTTLS
        S: 503 5.5.1
        C: EHLO x
        C: MAIL FROM:<a@b>
        C: STARTTLS
        S: ~250
        S: 250 2.1.0
        S: 503 5.5.1
    ",
        false,
    );
    let mut session = ServerSession::new_implicit_tls(Arc::new(c));
    session.feed(b"EHLO x\r\n");
    let mut app = App::default();
    app.run(&mut session);
    let out = String::from_utf8(session.take_output()).unwrap_or_default();
    assert!(!out.contains("STARTTLS"), "{out}");
    assert!(session.is_tls());
}

#[test]
fn limits() {
    let mut c = cfg();
    c.max_line_length = 512;
    c.max_recipients = 2;
    c.max_message_size = Some(10);
    let long = "x".repeat(600);
    let mut app = App::default();
    replay(
        c.clone(),
        &mut app,
        &format!(
            "
        S: 220
        C: NOOP {long}
        S: 500 5.5.6 line too long
        C: EHLO x
        S: 250-foo.com
        S: 250-PIPELINING
        S: 250-SIZE 10
        S: 250-ENHANCEDSTATUSCODES
        S: 250-8BITMIME
        S: 250-SMTPUTF8
        S: 250-CHUNKING
        S: 250-BINARYMIME
        S: 250 HELP
        C: MAIL FROM:<a@b> SIZE=11
        S: 552 5.3.4
        C: MAIL FROM:<a@b> SIZE=10
        C: RCPT TO:<1@b>
        C: RCPT TO:<2@b>
        C: RCPT TO:<3@b>
        C: DATA
        S: 250 2.1.0
        S: 250 2.1.5
        S: 250 2.1.5
        S: 452 4.5.3 too many recipients
        S: 354
        C: 0123456789
        C: more
        C: .
        S: 552 5.3.4
        C: MAIL FROM:<a@b>
        C: RCPT TO:<1@b>
        C: BDAT 12 LAST
        C: 0123456789
        S: 250 2.1.0
        S: 250 2.1.5
        S: 552 5.3.4
        C: MAIL FROM:<a@b>
        C: RCPT TO:<1@b>
        C: DATA
        C: 12345678
        C: .
        S: 250 2.1.0
        S: 250 2.1.5
        S: 354
        S: 250 2.0.0
    "
        ),
        false,
    );
    assert_eq!(app.messages, vec![b"12345678\r\n".to_vec()]);
    assert_eq!(app.events.iter().filter(|e| *e == "DataAborted").count(), 2);

    // Bad commands: the limit-th + 1 is answered 421 and the session closes.
    c.max_bad_commands = 2;
    let mut app = App::default();
    let session = replay(
        c,
        &mut app,
        "
        S: 220
        C: FOO
        C: MAIL FROM:<a@b>
        C: BAR
        C: NOOP
        S: 500 5.5.1
        S: 503 5.5.1
        S: 421 4.7.0
    ",
        false,
    );
    assert!(session.is_closed());
    assert_eq!(app.events, ["Close(TooManyErrors)"]);
}

#[test]
fn out_of_order_commands() {
    let mut app = App::default();
    replay(
        cfg(),
        &mut app,
        "
        S: 220
        C: MAIL FROM:<a@b>
        S: 503 5.5.1 bad sequence of commands: MAIL before EHLO
        C: RCPT TO:<a@b>
        S: 503 5.5.1 bad sequence of commands: RCPT without MAIL
        C: DATA
        S: 503 5.5.1 bad sequence of commands: DATA without MAIL
        C: ETRN foo
        S: 503 5.5.1
        C: EHLO x
        S: ~250
        C: RCPT TO:<a@b>
        S: 503 5.5.1
        C: MAIL FROM:<a@b>
        S: 250 2.1.0
        C: MAIL FROM:<a@b>
        S: 503 5.5.1 bad sequence of commands: nested MAIL
        C: DATA
        S: 554 5.5.1 no valid recipients
        C: EHLO y
        S: ~250
        C: RCPT TO:<a@b>
        S: 503 5.5.1
        C: NOOP
        S: 250 2.0.0
        C: HELP
        S: 214 2.0.0
    ",
        false,
    );
    assert_eq!(app.events, ["Hello(true)", "Mail", "Reset", "Hello(true)"]);
}

#[test]
fn malformed_lines_leave_the_session_usable() {
    both(
        cfg,
        "
        S: 220
        C: FOO bar
        S: 500 5.5.1
        C: EHLO
        S: 501 5.5.4
        C: EHLO x
        S: ~250
        C: MAIL FROM:<a
        S: 501 5.
        C: MAIL FROM:<a@b> FOO=BAR
        S: 555 5.5.4
        C: MAIL FROM:<a@b>
        S: 250 2.1.0
    ",
    );
}

#[test]
fn smtputf8_and_requiretls() {
    let mut c = cfg();
    c.extensions.requiretls = true;
    let mut app = App::default();
    replay(
        c,
        &mut app,
        "
        S: 220
        C: EHLO x
        S: ~250
        C: MAIL FROM:<j\u{f6}rg@b>
        S: 553 5.6.7
        C: MAIL FROM:<a@b> REQUIRETLS
        S: 530 5.7.10
        C: MAIL FROM:<j\u{f6}rg@b> SMTPUTF8
        S: 250 2.1.0
        C: RCPT TO:<\u{fc}@b>
        S: 250 2.1.5
        C: RSET
        C: MAIL FROM:<a@b>
        C: RCPT TO:<\u{fc}@b>
        S: 250 2.0.0
        S: 250 2.1.0
        S: 553 5.6.7
    ",
        false,
    );
    let mut c = cfg();
    c.extensions.requiretls = false;
    both(
        move || c.clone(),
        "S: 220\nC: EHLO x\nS: ~250\nC: MAIL FROM:<a@b> REQUIRETLS\nS: 555 5.5.4",
    );
}

#[test]
fn bare_line_feed_in_data_is_refused() {
    let mut app = App::default();
    let mut session = ServerSession::new(Arc::new(cfg()));
    session.feed(b"EHLO x\r\nMAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\n");
    app.run(&mut session);
    session.feed(b"one\ntwo\r\n.\r\nNOOP\r\n");
    app.run(&mut session);
    let out = String::from_utf8(session.take_output()).unwrap_or_default();
    let tail = out
        .split("354 start mail input; end with <CRLF>.<CRLF>\r\n")
        .nth(1)
        .unwrap_or_default();
    assert!(tail.starts_with("554 5.6.0 message refused: bare"), "{out}");
    assert!(tail.ends_with("\r\n250 2.0.0 OK\r\n"), "{out}");
    assert!(app.events.contains(&"DataAborted".to_owned()));
    assert!(app.messages.is_empty());
}

#[test]
fn ehlo_resets_and_events_need_decisions() {
    let mut session = ServerSession::new(Arc::new(cfg()));
    assert_eq!(
        session.decide(Decision::Accept),
        Err(ServerError::Misuse(Misuse::NothingPending))
    );
    session.feed(b"EHLO x\r\nNOOP\r\n");
    assert!(matches!(
        session.next_event(),
        Ok(Event::Hello { extended: true, .. })
    ));
    assert_eq!(
        session.next_event(),
        Err(ServerError::Misuse(Misuse::DecisionPending))
    );
    let bad = super::super::error::reply(250, (2, 0, 0), "ok");
    assert_eq!(
        session.decide(Decision::Reject(bad)),
        Err(ServerError::Misuse(Misuse::ReplyCodeMismatch(250)))
    );
    assert_eq!(session.decide(Decision::Accept), Ok(()));
    assert_eq!(session.next_event(), Ok(Event::NeedInput));
    assert_eq!(
        session.tls_started(),
        Err(ServerError::Misuse(Misuse::NoHandshake))
    );
}

#[test]
fn timeout_and_shutdown_close_with_421() {
    let mut session = ServerSession::new(Arc::new(cfg()));
    session.take_output();
    session.timeout();
    assert!(session.take_output().starts_with(b"421 4.4.2"));
    assert!(matches!(
        session.next_event(),
        Ok(Event::Close(super::super::CloseReason::Timeout))
    ));
    let mut session = ServerSession::new(Arc::new(cfg()));
    session.shutdown();
    assert!(String::from_utf8_lossy(session.output()).contains("421 4.3.2"));
}

#[test]
fn esmtp_parameters_need_ehlo() {
    both(
        cfg,
        "
        S: 220
        C: HELO x
        S: 250 foo.com
        C: MAIL FROM:<a@b> SIZE=10
        S: 555 5.5.4 MAIL parameters need EHLO
        C: MAIL FROM:<a@b>
        S: 250 2.1.0
    ",
    );
}

/// Replies and delivered bodies do not depend on how the input is split.
fn run_split(input: &[u8], cuts: &[usize]) -> (Vec<u8>, Vec<Vec<u8>>) {
    run_split_with(cfg(), input, cuts)
}

fn run_split_with(config: ServerConfig, input: &[u8], cuts: &[usize]) -> (Vec<u8>, Vec<Vec<u8>>) {
    let mut session = ServerSession::new(Arc::new(config));
    let mut app = App::default();
    let mut cuts: Vec<usize> = cuts.iter().map(|c| c % (input.len() + 1)).collect();
    cuts.sort_unstable();
    let mut start = 0;
    for cut in cuts.into_iter().chain([input.len()]) {
        session.feed(&input[start..cut]);
        app.run(&mut session);
        start = cut;
    }
    (app.take_output(&mut session), app.messages)
}

proptest::proptest! {
    #[test]
    fn any_split_gives_the_same_replies(cuts in proptest::collection::vec(0usize..400, 0..8)) {
        let input = b"EHLO x\r\nMAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\nline one\r\n..dot\r\n.\r\n\
            MAIL FROM:<a@b> BODY=BINARYMIME\r\nRCPT TO:<c@d>\r\nBDAT 5\r\n12\r\n.BDAT 3 LAST\r\nxyzNOOP\r\nQUIT\r\n";
        let whole = run_split(input, &[]);
        proptest::prop_assert_eq!(&whole.1, &vec![b"line one\r\n.dot\r\n".to_vec(), b"12\r\n.xyz".to_vec()]);
        proptest::prop_assert_eq!(run_split(input, &cuts), whole.clone());
        // Back-pressure changes when replies are written, never what: the same with a bound so
        // small that nearly every reply waits for a flush.
        let mut config = cfg();
        config.max_pending_output = cuts.first().map_or(0, |c| c % 64);
        proptest::prop_assert_eq!(run_split_with(config, input, &cuts), whole);
    }
}

use proptest::strategy::Strategy as _;

proptest::proptest! {
    /// Arbitrary input (SMTP words, CR/LF, dots and junk mixed) never panics the session, and every
    /// command line it completes gets at least one reply.
    #[test]
    fn arbitrary_input_never_panics(parts in proptest::collection::vec(
        proptest::prop_oneof![
            proptest::sample::select(vec![
                "EHLO x", "HELO x", "LHLO x", "MAIL FROM:<a@b>", "RCPT TO:<c@d>", "DATA", "BDAT 3",
                "BDAT 0 LAST", "RSET", "NOOP", "STARTTLS", "AUTH PLAIN", "AUTH LOGIN dGVzdA==", "*", ".",
                "\r\n", "\n", "\r", "VRFY x", "QUIT", "MAIL FROM:<\u{e9}@b> SMTPUTF8",
            ]).prop_map(|s| s.as_bytes().to_vec()),
            proptest::collection::vec(proptest::num::u8::ANY, 0..40),
        ],
        0..40,
    )) {
        let mut config = cfg();
        config.auth_mechanisms = vec![super::super::deps::Mechanism::Plain, super::super::deps::Mechanism::Login];
        config.starttls = true;
        config.max_line_length = 64;
        let mut session = ServerSession::new(Arc::new(config));
        let mut app = App::default();
        for part in &parts {
            session.feed(part);
            app.run(&mut session);
        }
        proptest::prop_assert!(!session.take_output().is_empty());
    }
}

/// The server's EHLO reply reads back with the crate's own client-side parser.
#[test]
fn ehlo_reply_parses_with_the_client_parser() {
    let mut config = cfg();
    config.auth_mechanisms = vec![sasl::Mechanism::Plain, sasl::Mechanism::ScramSha256];
    let mut session = ServerSession::new(Arc::new(config));
    session.take_output();
    session.feed(b"EHLO client.example\r\n");
    App::default().run(&mut session);
    let out = session.take_output();
    let (reply, used) = crate::parse::reply::parse_reply(&out).expect("a complete reply");
    assert_eq!(used, out.len());
    let ehlo = crate::types::capability::EhloReply::from_reply(&reply).expect("an EHLO reply");
    assert_eq!(ehlo.domain, "foo.com");
    assert_eq!(ehlo.size_limit(), Some(25 * 1024 * 1024));
    // PLAIN is hidden before TLS (auth.allow_plaintext is false), SCRAM is not.
    assert_eq!(ehlo.auth_mechanisms(), ["SCRAM-SHA-256"]);
    for keyword in [
        "PIPELINING",
        "ENHANCEDSTATUSCODES",
        "8BITMIME",
        "SMTPUTF8",
        "CHUNKING",
        "BINARYMIME",
        "HELP",
    ] {
        assert!(ehlo.has(keyword), "{keyword}");
    }
    assert!(!ehlo.has("STARTTLS"));
}

/// Bearer tokens are reusable credentials like passwords (RFC 6750 §5.3, RFC 7628 §5): OAUTHBEARER
/// and XOAUTH2 are hidden and refused with 538 5.7.11 before STARTTLS, offered and accepted after it.
#[tokio::test]
async fn bearer_mechanisms_need_tls() {
    use super::super::AuthOutcome;
    use super::super::trace::b64;
    use sasl::{Credentials, Mechanism};

    /// Feeds `input`, answers the events (AUTH with the `sasl` crate and `store`), returns the output
    /// and how many AUTH steps and STARTTLS events the application saw.
    async fn run(
        session: &mut ServerSession,
        input: &str,
        store: &sasl::MemoryStore,
    ) -> (String, usize, usize) {
        let mut exchange = sasl::Exchange::new();
        let (mut auth_steps, mut starttls) = (0, 0);
        session.feed(input.as_bytes());
        loop {
            match session.next_event().expect("no misuse") {
                Event::NeedInput => break,
                Event::Auth(step) => {
                    auth_steps += 1;
                    let response = step.response.as_ref().map(|r| r.expose().as_slice());
                    let outcome = match exchange
                        .step(step.mechanism, step.first, response, store)
                        .await
                    {
                        sasl::ExchangeStep::Success { identity } => {
                            AuthOutcome::Success { identity }
                        }
                        sasl::ExchangeStep::Challenge(c) => AuthOutcome::Challenge(c),
                        sasl::ExchangeStep::Failure | sasl::ExchangeStep::Temporary => {
                            AuthOutcome::Failure
                        }
                    };
                    session.auth_outcome(outcome).expect("auth outcome");
                }
                Event::StartTls => {
                    starttls += 1;
                    session.tls_started().expect("handshake");
                }
                e if e.needs_decision() => session.decide(Decision::Accept).expect("decision"),
                other => panic!("unexpected event {other:?}"),
            }
        }
        let output = String::from_utf8(session.take_output()).expect("ASCII replies");
        (output, auth_steps, starttls)
    }

    let store = sasl::MemoryStore::new().with_iterations(64);
    store.add_token("ya29.bearer-token", "alice");
    for mechanism in [Mechanism::OAuthBearer, Mechanism::XOAuth2] {
        let name = mechanism.name();
        let mut config = cfg();
        config.starttls = true;
        config.auth_mechanisms = vec![mechanism, Mechanism::ScramSha256];
        assert!(!config.auth.allow_plaintext, "the default");
        let mut session = ServerSession::new(Arc::new(config));
        let credentials = Credentials::token("alice", "ya29.bearer-token");
        let mut client = sasl::ClientSession::new(mechanism, credentials).expect("client");
        let ir = b64(&client.initial_response().expect("an initial response"));
        let auth = format!("AUTH {name} {ir}\r\n");

        let (out, auth_steps, _) = run(&mut session, &format!("EHLO x\r\n{auth}"), &store).await;
        assert!(out.contains("250-AUTH SCRAM-SHA-256\r\n"), "{name}: {out}");
        assert!(!out.contains(name), "{name} offered before TLS: {out}");
        let last = out.lines().last().unwrap_or_default();
        assert!(last.starts_with("538 5.7.11 "), "{name}: {out}");
        assert_eq!(auth_steps, 0, "{name}: the token reached the application");
        assert_eq!(session.authenticated(), None);

        let (out, _, starttls) = run(&mut session, "STARTTLS\r\n", &store).await;
        assert!(out.starts_with("220 2.0.0"), "{out}");
        assert_eq!(starttls, 1);

        let (out, auth_steps, _) = run(&mut session, &format!("EHLO x\r\n{auth}"), &store).await;
        let offered = out
            .lines()
            .find_map(|l| l.strip_prefix("250-AUTH "))
            .unwrap_or_default();
        assert!(offered.split(' ').any(|m| m == name), "{name}: {out}");
        assert!(out.contains("235 2.7.0 "), "{name}: {out}");
        assert_eq!(auth_steps, 1);
        assert_eq!(session.authenticated(), Some("alice"));
    }
}
