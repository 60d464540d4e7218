//! LOGIN and AUTHENTICATE (RFC 9051 §6.2.2, §6.2.3; RFC 4959 SASL-IR; SCRAM through the
//! sasl crate), failures, cancels, the account.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;

use super::*;

#[test]
fn login_ok_and_failed() {
    let mut d = Driver::new();
    transcript(
        &mut d,
        "C: a1 LOGIN alice nope
         S: a1 NO [AUTHENTICATIONFAILED] Authentication failed
         C: a2 LOGIN \"alice\" {10}
         S: + Ready
         C: wonderland
         S: a2 OK [CAPABILITY ...",
    );
    assert_eq!(d.log, ["Login alice", "Login alice", "OpenAccount alice"]);
    assert_eq!(d.session.user(), Some("alice"));
    assert_eq!(d.session.state(), State::Authenticated);
}

#[test]
fn login_with_literal_plus() {
    let mut d = Driver::new();
    let out = d.run("a1 LOGIN {5+}\r\nalice {10+}\r\nwonderland\r\n");
    assert!(out.starts_with("a1 OK [CAPABILITY "), "{out}");
    assert!(!out.contains("+ Ready"));
}

#[test]
fn too_many_failed_logins_end_the_session() {
    let mut config = config();
    config.auth.max_failures = 1;
    let mut d = Driver::with_config(config);
    d.take();
    transcript(
        &mut d,
        "C: a1 LOGIN alice x
         S: a1 NO [AUTHENTICATIONFAILED] Authentication failed
         C: a2 AUTHENTICATE PLAIN AGFsaWNlAHg=
         S: a2 NO [AUTHENTICATIONFAILED] Authentication failed
         S: * BYE Too many authentication failures",
    );
    assert_eq!(d.closed, Some(CloseReason::TooManyAuthFailures));
}

#[test]
fn account_that_cannot_be_opened() {
    let mut d = Driver::new();
    d.account = Err(AccountError::Temporary);
    transcript(
        &mut d,
        "C: a1 LOGIN alice wonderland
         S: a1 NO [UNAVAILABLE] Mailboxes temporarily unavailable",
    );
    assert_eq!(d.session.user(), None);
    d.account = Err(AccountError::Permanent);
    transcript(
        &mut d,
        "C: a2 LOGIN alice wonderland
         S: a2 NO [AUTHORIZATIONFAILED] No mailboxes",
    );
    assert_eq!(d.session.state(), State::NotAuthenticated);
}

#[test]
fn authenticate_plain_with_sasl_ir() {
    let mut d = Driver::new();
    transcript(
        &mut d,
        "C: a1 AUTHENTICATE PLAIN AGFsaWNlAHdvbmRlcmxhbmQ=
         S: a1 OK [CAPABILITY ...",
    );
    assert_eq!(
        d.log,
        ["Auth PLAIN first=true response=true", "OpenAccount alice"]
    );
}

#[test]
fn authenticate_plain_with_a_challenge() {
    let mut d = Driver::new();
    transcript(
        &mut d,
        "C: a1 authenticate plain
         S: +
         C: AGFsaWNlAHdvbmRlcmxhbmQ=
         S: a1 OK [CAPABILITY ...",
    );
    assert_eq!(
        d.log,
        [
            "Auth PLAIN first=true response=false",
            "Auth PLAIN first=false response=true",
            "OpenAccount alice"
        ]
    );
}

#[test]
fn authenticate_cancelled_and_bad_base64() {
    let mut d = Driver::new();
    transcript(
        &mut d,
        "C: a1 AUTHENTICATE PLAIN
         S: +
         C: *
         S: a1 BAD Authentication cancelled
         C: a2 AUTHENTICATE PLAIN
         S: +
         C: !!!notbase64
         S: a2 BAD Invalid base64 in the authentication response
         C: a3 AUTHENTICATE CRAM-MD5
         S: a3 NO Unsupported authentication mechanism
         C: a4 AUTHENTICATE XOAUTH2
         S: a4 NO Unsupported authentication mechanism
         C: a5 NOOP
         S: a5 OK NOOP completed",
    );
    assert_eq!(d.session.state(), State::NotAuthenticated);
}

#[test]
fn authenticate_scram_sha_256_without_tls() {
    // SCRAM never sends the password: allowed where plaintext is not.
    let mut config = config();
    config.auth.allow_plaintext = false;
    let mut d = Driver::with_config(config);
    d.take();
    let mut client = sasl::ClientSession::new(
        sasl::Mechanism::ScramSha256,
        sasl::Credentials::password("alice", "wonderland"),
    )
    .unwrap();
    let first = client.initial_response().expect("SCRAM starts");
    let out = d.run(&format!(
        "s1 AUTHENTICATE SCRAM-SHA-256 {}\r\n",
        BASE64.encode(&first)
    ));
    let challenge = out
        .strip_prefix("+ ")
        .and_then(|c| c.strip_suffix("\r\n"))
        .unwrap_or_else(|| panic!("a challenge: {out:?}"));
    let response = client.step(&BASE64.decode(challenge).unwrap()).unwrap();
    let out = d.run(&format!("{}\r\n", BASE64.encode(&response)));
    let last = out
        .strip_prefix("+ ")
        .and_then(|c| c.strip_suffix("\r\n"))
        .unwrap_or_else(|| panic!("the server's final message: {out:?}"));
    let done = client.step(&BASE64.decode(last).unwrap()).unwrap();
    assert!(done.is_empty());
    client
        .finish()
        .expect("the server proved it knows the password");
    let out = d.run("\r\n");
    assert!(out.starts_with("s1 OK [CAPABILITY IMAP4rev2 "), "{out}");
    assert_eq!(d.session.user(), Some("alice"));
}

#[test]
fn challenge_for_login_is_a_misuse() {
    let mut d = Driver::new();
    d.session.feed(b"a1 LOGIN alice wonderland\r\n");
    assert!(matches!(d.session.next_event(), Ok(Event::Login { .. })));
    assert!(
        d.session
            .auth_outcome(AuthOutcome::Challenge(Vec::new()))
            .is_err()
    );
    d.session.auth_outcome(AuthOutcome::Temporary).unwrap();
    assert_eq!(
        d.take(),
        "a1 NO [UNAVAILABLE] Authentication temporarily unavailable, try again later\r\n"
    );
}

#[test]
fn odd_lines_in_an_exchange() {
    let mut config = config();
    config.limits.max_line = 40;
    let mut d = Driver::with_config(config);
    d.take();
    let long = "A".repeat(60);
    transcript(
        &mut d,
        &format!(
            "C: a1 AUTHENTICATE PLAIN
             S: +
             C: {long}
             S: a1 BAD [TOOBIG] Authentication response too long
             C: a2 AUTHENTICATE PLAIN
             S: +
             C: {{5}}
             S: a2 BAD Invalid authentication response
             C: a3 NOOP
             S: a3 OK NOOP completed"
        ),
    );
    assert_eq!(d.session.stats().bad_commands, 2);
}
