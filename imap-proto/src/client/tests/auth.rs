//! LOGIN and AUTHENTICATE: policy, SASL-IR, SCRAM-SHA-256 against sasl's server side,
//! STARTTLS.

use super::*;
use sasl::{Credentials, Mechanism};

#[test]
fn credentials_policy() {
    let mut s = ClientSession::new(ClientConfig::default());
    run(
        &mut s,
        &[S(
            b"* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN AUTH=SCRAM-SHA-256] hi\r\n",
        )],
    );
    assert_eq!(
        s.login("u", &secret("p")),
        Err(ClientError::CredentialsWithoutTls)
    );
    assert_eq!(
        s.authenticate(Mechanism::Plain, Credentials::password("u", "p")),
        Err(ClientError::CredentialsWithoutTls)
    );
    assert_eq!(
        s.authenticate(Mechanism::XOAuth2, Credentials::token("u", "t")),
        Err(ClientError::MissingCapability("AUTH=XOAUTH2".into()))
    );
    // SCRAM never sends the password: allowed without TLS.
    assert!(
        s.authenticate(Mechanism::ScramSha256, Credentials::password("u", "p"))
            .is_ok()
    );
}

#[test]
fn login_disabled_is_refused() {
    let mut s = ClientSession::new(plain_config());
    run(
        &mut s,
        &[S(
            b"* OK [CAPABILITY IMAP4rev2 STARTTLS LOGINDISABLED] hi\r\n",
        )],
    );
    assert_eq!(s.login("u", &secret("p")), Err(ClientError::LoginDisabled));
    assert!(s.output().is_empty());
    assert_eq!(s.pending_commands(), 0);
}

#[test]
fn authenticate_plain_with_sasl_ir() {
    let mut s = ClientSession::new(plain_config());
    run(
        &mut s,
        &[S(b"* OK [CAPABILITY IMAP4rev2 SASL-IR AUTH=PLAIN] hi\r\n")],
    );
    s.authenticate(
        Mechanism::Plain,
        Credentials::password("tim", "tanstaaftanstaaf"),
    )
    .unwrap();
    let events = run(
        &mut s,
        &[
            C(b"A0001 AUTHENTICATE PLAIN AHRpbQB0YW5zdGFhZnRhbnN0YWFm\r\n"),
            S(b"A0001 OK [CAPABILITY IMAP4rev2 IDLE MOVE] Success\r\n"),
        ],
    );
    assert!(done(&events[0]).is_ok());
    assert_eq!(s.state(), ConnectionState::Authenticated);
    assert!(s.capabilities().unwrap().has("MOVE"));
}

#[test]
fn authenticate_plain_without_sasl_ir() {
    let mut s = ClientSession::new(ClientConfig {
        auto_capability: true,
        ..plain_config()
    });
    run(
        &mut s,
        &[S(b"* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] hi\r\n")],
    );
    s.authenticate(
        Mechanism::Plain,
        Credentials::password("tim", "tanstaaftanstaaf"),
    )
    .unwrap();
    let events = run(
        &mut s,
        &[
            C(b"A0001 AUTHENTICATE PLAIN\r\n"),
            S(b"+ \r\n"),
            C(b"AHRpbQB0YW5zdGFhZnRhbnN0YWFm\r\n"),
            // No CAPABILITY code after login: forgotten and asked again.
            S(b"A0001 OK Success\r\n"),
            C(b"A0002 CAPABILITY\r\n"),
            S(b"* CAPABILITY IMAP4rev1 IDLE\r\nA0002 OK\r\n"),
        ],
    );
    assert_eq!(events.len(), 2);
    assert!(s.capabilities().unwrap().has("IDLE"));
}

#[test]
fn authenticate_rejected_challenge_cancels() {
    let mut s = ClientSession::new(plain_config());
    run(
        &mut s,
        &[S(b"* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] hi\r\n")],
    );
    s.authenticate(Mechanism::Plain, Credentials::password("u", "p"))
        .unwrap();
    let events = run(
        &mut s,
        &[
            C(b"A0001 AUTHENTICATE PLAIN\r\n"),
            S(b"+ !!not base64!!\r\n"),
            C(b"*\r\n"),
            S(b"A0001 BAD cancelled\r\n"),
        ],
    );
    assert_eq!(done(&events[0]).kind(), StatusKind::Bad);
    assert_eq!(s.state(), ConnectionState::NotAuthenticated);
}

/// SCRAM-SHA-256 through the session against `sasl`'s server side, as a fake server.
#[test]
fn authenticate_scram_sha_256_against_sasl_server() {
    use base64::Engine as _;
    use base64::engine::general_purpose::STANDARD;
    use sasl::{
        CredentialAnswer, CredentialRequest, ScramHash, ScramSecrets, ServerSession, ServerStep,
    };

    fn answer(server: &mut ServerSession, mut step: ServerStep) -> ServerStep {
        while let ServerStep::NeedCredentials(req) = &step {
            let a = match req {
                CredentialRequest::ScramSecrets { authcid, .. } => {
                    assert_eq!(authcid, "user");
                    CredentialAnswer::ScramSecrets(Ok(Some(ScramSecrets::derive(
                        "pencil",
                        b"salt-salt",
                        4096,
                        ScramHash::Sha256,
                    ))))
                }
                other => panic!("unexpected {other:?}"),
            };
            step = server.answer(a).unwrap();
        }
        step
    }

    for (sasl_ir, password, want_ok) in [
        (true, "pencil", true),
        (false, "pencil", true),
        (true, "wrong", false),
    ] {
        let caps: &[u8] = if sasl_ir {
            b"* OK [CAPABILITY IMAP4rev2 SASL-IR AUTH=SCRAM-SHA-256] hi\r\n"
        } else {
            // IMAP4rev2 includes SASL-IR (RFC 9051 §6.2.2): only an IMAP4rev1 server without
            // SASL-IR gets the mechanism alone.
            b"* OK [CAPABILITY IMAP4rev1 AUTH=SCRAM-SHA-256] hi\r\n"
        };
        let mut s = ClientSession::new(ClientConfig::default());
        run(&mut s, &[S(caps)]);
        s.authenticate(
            Mechanism::ScramSha256,
            Credentials::password("user", password),
        )
        .unwrap();
        assert_eq!(s.next_event(), Ok(Event::NeedInput));
        let first = s.take_output();
        let mut server = ServerSession::new(Mechanism::ScramSha256);
        let prefix = b"A0001 AUTHENTICATE SCRAM-SHA-256";
        assert!(first.starts_with(prefix));
        let mut step = if sasl_ir {
            let ir = STANDARD
                .decode(&first[prefix.len() + 1..first.len() - 2])
                .unwrap();
            server.start(Some(&ir)).unwrap()
        } else {
            assert_eq!(first, b"A0001 AUTHENTICATE SCRAM-SHA-256\r\n");
            server.start(None).unwrap()
        };
        let mut outcome = None;
        for _ in 0..5 {
            step = answer(&mut server, step);
            match step {
                ServerStep::Challenge(c) => {
                    s.feed(format!("+ {}\r\n", STANDARD.encode(&c)).as_bytes());
                    assert!(drain(&mut s).is_empty());
                    let line = s.take_output();
                    assert!(line.ends_with(b"\r\n"));
                    let response = STANDARD.decode(&line[..line.len() - 2]).unwrap();
                    step = match server.step(&response) {
                        Ok(st) => st,
                        Err(_) => {
                            s.feed(b"A0001 NO [AUTHENTICATIONFAILED] invalid\r\n");
                            outcome = Some(drain(&mut s));
                            break;
                        }
                    };
                }
                ServerStep::Success(auth) => {
                    assert_eq!(auth.user(), "user");
                    s.feed(b"A0001 OK [CAPABILITY IMAP4rev2] authenticated\r\n");
                    outcome = Some(drain(&mut s));
                    break;
                }
                ServerStep::NeedCredentials(_) => unreachable!("answered above"),
            }
        }
        let events = outcome.expect("exchange finished");
        assert_eq!(done(&events[0]).is_ok(), want_ok, "{sasl_ir} {password}");
        assert_eq!(
            s.state() == ConnectionState::Authenticated,
            want_ok,
            "{sasl_ir} {password}"
        );
    }
}

/// A server that claims success without proving it knows the password (no `v=`) is not
/// trusted.
#[test]
fn scram_success_without_server_proof_fails() {
    let mut s = ClientSession::new(ClientConfig::default());
    run(
        &mut s,
        &[S(
            b"* OK [CAPABILITY IMAP4rev2 SASL-IR AUTH=SCRAM-SHA-256] hi\r\n",
        )],
    );
    s.authenticate(
        Mechanism::ScramSha256,
        Credentials::password("user", "pencil"),
    )
    .unwrap();
    s.feed(b"A0001 OK welcome\r\n");
    assert!(matches!(s.next_event(), Err(ClientError::Sasl(_))));
    assert_eq!(s.next_event().unwrap_err().fault(), Fault::Server);
}

#[test]
fn authenticate_xoauth2_with_sasl_ir_and_its_error_challenge() {
    let mut s = ClientSession::with_implicit_tls(plain_config());
    run(
        &mut s,
        &[S(
            b"* OK [CAPABILITY IMAP4rev2 SASL-IR AUTH=XOAUTH2] hi\r\n",
        )],
    );
    s.authenticate(
        Mechanism::XOAuth2,
        Credentials::token("me@example.com", "tok"),
    )
    .unwrap();
    // base64("user=me@example.com\x01auth=Bearer tok\x01\x01")
    let events = run(
        &mut s,
        &[
            C(b"A0001 AUTHENTICATE XOAUTH2 dXNlcj1tZUBleGFtcGxlLmNvbQFhdXRoPUJlYXJlciB0b2sBAQ==\r\n"),
            // The server's JSON error as a challenge; the client answers empty, then NO.
            S(b"+ eyJzdGF0dXMiOiI0MDEifQ==\r\n"),
            C(b"\r\n"),
            S(b"A0001 NO [AUTHENTICATIONFAILED] invalid token\r\n"),
        ],
    );
    let failed = done(&events[0]);
    assert_eq!(failed.kind(), StatusKind::No);
    assert_eq!(failed.code(), Some(&Code::AuthenticationFailed));
    assert_eq!(s.state(), ConnectionState::NotAuthenticated);
}
