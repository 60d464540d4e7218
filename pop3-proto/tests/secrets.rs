//! Credentials never reach `Debug` output: every command, AUTH line and session event that carries
//! one (`PASS`, `APOP`'s digest, `AUTH`'s initial and later responses) is built from a known
//! password and formatted with `{:?}`; neither the secret nor its base64 form nor the APOP digest
//! may appear, as text or as the byte list `Debug` prints for `[u8]`.

use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use pop3_proto::parse::auth::parse_auth_response;
use pop3_proto::parse::command::parse_command;
use pop3_proto::session::{AuthOutcome, Event, ServerConfig, ServerSession, apop};
use sasl::Mechanism;

const PASSWORD: &str = "hunter2-SECRET";

fn plain_b64() -> String {
    B64.encode(format!("\0alice\0{PASSWORD}"))
}

/// Panics if `debug` shows the password, its base64 forms or one of `extra` (APOP digests), as
/// text or as a byte list, or shows no `[redacted]` field.
#[track_caller]
fn assert_redacted(what: &str, debug: &str, extra: &[String]) {
    let plain = plain_b64();
    let password = B64.encode(PASSWORD);
    let mut secrets = vec![PASSWORD, password.as_str(), plain.as_str()];
    secrets.extend(extra.iter().map(String::as_str));
    testkit::redaction::assert_redacted(what, debug, &secrets);
}

#[test]
fn commands_and_auth_lines_redact_credentials() {
    let digest = apop::digest("<1896.697170952@dbc.mtview.ca.us>", PASSWORD);
    let lines = [
        format!("PASS {PASSWORD}"),
        format!("APOP alice {digest}"),
        format!("AUTH PLAIN {}", plain_b64()),
    ];
    for line in &lines {
        let command = parse_command(line.as_bytes()).expect("a valid command");
        assert_redacted(line, &format!("{command:?}"), std::slice::from_ref(&digest));
        assert_redacted(line, &format!("{:?}", command.clone().into_owned()), &[]);
        // Only Debug hides it: the serialised command is the line.
        assert_eq!(command.to_bytes(), format!("{line}\r\n").into_bytes());
    }
    for line in [plain_b64(), B64.encode(PASSWORD)] {
        let response = parse_auth_response(line.as_bytes()).expect("an AUTH line");
        assert_redacted(&line, &format!("{response:?}"), &[]);
        let decoded = response.decode().expect("data").expect("base64");
        assert_redacted(&line, &format!("{decoded:?}"), &[]);
    }
}

/// Runs `input` through a session offering APOP and PLAIN without TLS; returns the Debug form of
/// every login event (the application refuses each one) and the APOP digest it would accept.
fn login_events(input: impl Fn(&str) -> String) -> Vec<String> {
    let mut config = ServerConfig::new("pop.test");
    config.auth.allow_plaintext = true;
    config.apop = true;
    config.sasl_mechanisms = vec![Mechanism::Plain];
    let mut session = ServerSession::new(Arc::new(config));
    let timestamp = session.apop_timestamp().expect("APOP offered").to_owned();
    session.take_output();
    session.feed(input(&timestamp).as_bytes());
    let mut seen = Vec::new();
    loop {
        let event = session.next_event().expect("no misuse");
        match &event {
            Event::NeedInput | Event::Close(_) => return seen,
            Event::Login { .. } | Event::Apop { .. } | Event::Auth(_) => {
                seen.push(format!("{event:?}"));
                if let Event::Auth(step) = &event {
                    seen.push(format!("{step:?}"));
                }
                let outcome = match &event {
                    Event::Auth(step) if step.response.is_none() => {
                        AuthOutcome::Challenge(Vec::new())
                    }
                    _ => AuthOutcome::Failure,
                };
                session.auth_outcome(outcome).expect("auth outcome");
            }
            other => panic!("unexpected event {other:?}"),
        }
    }
}

#[test]
fn session_login_events_redact_credentials() {
    /// (what, the client's input given the APOP timestamp, Debug lines expected)
    type Case<'a> = (&'a str, &'a dyn Fn(&str) -> String, usize);
    let cases: [Case; 4] = [
        (
            "USER/PASS",
            &|_| format!("USER alice\r\nPASS {PASSWORD}\r\n"),
            1,
        ),
        (
            "APOP",
            &|ts| format!("APOP alice {}\r\n", apop::digest(ts, PASSWORD)),
            1,
        ),
        (
            "AUTH PLAIN ir",
            &|_| format!("AUTH PLAIN {}\r\n", plain_b64()),
            2,
        ),
        (
            "AUTH PLAIN then response",
            &|_| format!("AUTH PLAIN\r\n{}\r\n", plain_b64()),
            4,
        ),
    ];
    for (what, input, count) in cases {
        let digests = std::cell::RefCell::new(Vec::new());
        let events = login_events(|ts| {
            digests.borrow_mut().push(apop::digest(ts, PASSWORD));
            input(ts)
        });
        assert_eq!(events.len(), count, "{what}: {events:?}");
        let last = if count > 1 {
            &events[count - 2..]
        } else {
            &events[..]
        };
        for debug in last {
            assert_redacted(what, debug, &digests.borrow());
        }
    }
}
