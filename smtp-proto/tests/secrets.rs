//! Credentials never reach `Debug` output: every command, decoded AUTH line and session event that
//! carries one is built from a known password (or bearer token) and formatted with `{:?}`; neither
//! the secret nor its base64 forms (AUTH PLAIN's payload, LOGIN's password line) may appear, as
//! text or as the byte list `Debug` prints for `[u8]`.

use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use sasl::Mechanism;
use smtp_proto::auth::{self, AuthResponse};
use smtp_proto::parse::address::parse_host;
use smtp_proto::parse::command::parse_command;
use smtp_proto::session::client::{ClientConfig, Credentials};
use smtp_proto::session::server::{AuthOutcome, Decision, Event, ServerConfig, ServerSession};

const PASSWORD: &str = "hunter2-SECRET";

/// AUTH PLAIN's message for alice (RFC 4616 §2).
fn plain_b64() -> String {
    B64.encode(format!("\0alice\0{PASSWORD}"))
}

/// XOAUTH2's message with `PASSWORD` as the bearer token.
fn xoauth2_b64() -> String {
    B64.encode(format!("user=alice\x01auth=Bearer {PASSWORD}\x01\x01"))
}

/// The secret and its base64 forms (AUTH PLAIN's and XOAUTH2's messages, LOGIN's password line).
fn secrets() -> [String; 4] {
    [
        PASSWORD.to_owned(),
        B64.encode(PASSWORD),
        plain_b64(),
        xoauth2_b64(),
    ]
}

#[track_caller]
fn assert_redacted(what: &str, debug: &str) {
    let secrets = secrets();
    let secrets: Vec<&str> = secrets.iter().map(String::as_str).collect();
    testkit::redaction::assert_redacted(what, debug, &secrets);
}

#[test]
fn commands_and_auth_lines_redact_credentials() {
    let plain = format!("AUTH PLAIN {}", plain_b64());
    let xoauth2 = format!("AUTH XOAUTH2 {}", xoauth2_b64());
    for line in [&plain, &xoauth2] {
        let command = parse_command(line.as_bytes()).expect("a valid AUTH command");
        assert_eq!(command.verb(), "AUTH");
        assert_redacted(line, &format!("{command:?}"));
        assert_redacted(line, &format!("{:?}", command.clone().into_owned()));
        // The serialised command still carries the response: redaction is Debug-only.
        assert_eq!(command.to_bytes(), format!("{line}\r\n").into_bytes());
    }
    for line in [plain_b64(), B64.encode(PASSWORD), xoauth2_b64()] {
        let response = auth::decode_response(line.as_bytes()).expect("base64");
        assert!(matches!(response, AuthResponse::Data(_)));
        assert_redacted(&line, &format!("{response:?}"));
    }
}

#[test]
fn client_credentials_redact_the_password() {
    let credentials = Credentials::password("alice", PASSWORD);
    assert_redacted("client Credentials", &format!("{credentials:?}"));
    let host = parse_host(b"client.test").expect("a host").into_owned();
    let mut config = ClientConfig::new(host);
    config.credentials = Some(credentials);
    assert_redacted("ClientConfig", &format!("{config:?}"));
}

/// Runs `input` through a server session offering PLAIN, LOGIN and XOAUTH2 (no TLS needed), and
/// returns the Debug form of every `Auth` event; the application answers LOGIN's first step with
/// the `Password:` challenge, a first step without a response with an empty challenge, and every
/// other step with a failure.
fn auth_events(input: &str) -> Vec<String> {
    let mut config = ServerConfig::new("mx.test");
    config.auth_mechanisms = vec![Mechanism::Plain, Mechanism::Login, Mechanism::XOAuth2];
    config.auth.allow_plaintext = true;
    let mut session = ServerSession::new(Arc::new(config));
    session.feed(input.as_bytes());
    let mut seen = Vec::new();
    loop {
        let event = session.next_event().expect("no misuse");
        match event {
            Event::NeedInput | Event::Close(_) => return seen,
            Event::Auth(step) => {
                seen.push(format!("{:?}", Event::Auth(step.clone())));
                seen.push(format!("{step:?}"));
                let outcome = match (step.mechanism, step.first, &step.response) {
                    (Mechanism::Login, true, _) => AuthOutcome::Challenge(b"Password:".to_vec()),
                    (_, true, None) => AuthOutcome::Challenge(Vec::new()),
                    _ => AuthOutcome::Failure,
                };
                session.auth_outcome(outcome).expect("auth outcome");
            }
            e if e.needs_decision() => session.decide(Decision::Accept).expect("decision"),
            other => panic!("unexpected event {other:?}"),
        }
    }
}

#[test]
fn server_auth_events_redact_credentials() {
    let cases = [
        (format!("EHLO c\r\nAUTH PLAIN {}\r\n", plain_b64()), 1),
        (format!("EHLO c\r\nAUTH PLAIN\r\n{}\r\n", plain_b64()), 2),
        (
            format!(
                "EHLO c\r\nAUTH LOGIN YWxpY2U=\r\n{}\r\n",
                B64.encode(PASSWORD)
            ),
            2,
        ),
        (format!("EHLO c\r\nAUTH XOAUTH2 {}\r\n", xoauth2_b64()), 1),
    ];
    for (input, steps) in cases {
        let events = auth_events(&input);
        assert_eq!(events.len(), 2 * steps, "{input:?}: {events:?}");
        // The step that carries the secret is the last one.
        for debug in &events[events.len() - 2..] {
            assert_redacted(&input, debug);
        }
    }
}
