//! State rules (RFC 1939 §3–§7): what each state accepts, CAPA per state, the plaintext rule
//! (RFC 2595 §2.1), auth failures, maildrop errors and driver misuse.

use super::*;
use crate::session::SessionError;

const CAPA_BEFORE: &str = "+OK Capability list follows\r\nTOP\r\nUIDL\r\nRESP-CODES\r\n\
    AUTH-RESP-CODE\r\nPIPELINING\r\nUSER\r\nSASL PLAIN SCRAM-SHA-256\r\nUTF8 USER\r\nLANG\r\n.\r\n";
const CAPA_AFTER: &str = "+OK Capability list follows\r\nTOP\r\nUIDL\r\nRESP-CODES\r\n\
    AUTH-RESP-CODE\r\nPIPELINING\r\nLANG\r\n.\r\n";

#[test]
fn transaction_commands_before_login() {
    let mut d = Driver::new();
    for kw in [
        "STAT", "LIST", "LIST 1", "UIDL", "RETR 1", "TOP 1 1", "DELE 1", "NOOP", "RSET",
    ] {
        let name = kw.split(' ').next().unwrap_or_default();
        assert_eq!(
            d.run(&format!("{kw}\r\n")),
            format!("-ERR {name} is not valid before login\r\n"),
        );
    }
    assert!(d.log.is_empty(), "{:?}", d.log);
    d.login();
}

#[test]
fn authorization_commands_after_login() {
    let mut d = Driver::new();
    d.login();
    let cases = [
        ("USER bob", "USER"),
        ("PASS builder", "PASS"),
        ("APOP bob c4c9334bac560ecc979e58001b3e22fb", "APOP"),
        ("AUTH PLAIN", "AUTH"),
        ("AUTH", "AUTH"),
        ("STLS", "STLS"),
        ("UTF8", "UTF8"),
    ];
    for (cmd, kw) in cases {
        assert_eq!(
            d.run(&format!("{cmd}\r\n")),
            format!("-ERR {kw} is not valid after login\r\n"),
        );
    }
    assert_eq!(d.log, ["Login alice", "OpenMaildrop alice"]);
    assert_eq!(d.run("STAT\r\n"), "+OK 3 480\r\n");
}

#[test]
fn pass_needs_user_first() {
    let mut d = Driver::new();
    assert_eq!(d.run("PASS wonderland\r\n"), "-ERR Send USER first\r\n");
    // A failed PASS forgets the USER.
    assert_eq!(
        d.run("USER alice\r\nPASS nope\r\nPASS wonderland\r\n"),
        "+OK Send PASS\r\n-ERR [AUTH] Authentication failed\r\n-ERR Send USER first\r\n"
    );
    // A second USER replaces the first.
    assert_eq!(
        d.run("USER bob\r\nUSER alice\r\nPASS wonderland\r\n"),
        "+OK Send PASS\r\n+OK Send PASS\r\n+OK alice's maildrop has 3 messages (480 octets)\r\n"
    );
    assert_eq!(d.log, ["Login alice", "Login alice", "OpenMaildrop alice"]);
}

#[test]
fn plaintext_refused_without_tls() {
    let mut d = Driver::with_config(ServerConfig::new("pop.example.org"));
    let refused = "-ERR [AUTH] Plaintext authentication disallowed without TLS, use STLS\r\n";
    assert_eq!(d.run("USER alice\r\n"), refused);
    assert_eq!(d.run("PASS wonderland\r\n"), "-ERR Send USER first\r\n");
    assert_eq!(d.run("AUTH PLAIN AGFsaWNlAHdvbmRlcmxhbmQ=\r\n"), refused);
    // Listed mechanisms and CAPA hide what cannot be used.
    assert_eq!(d.run("AUTH\r\n"), "+OK\r\nSCRAM-SHA-256\r\n.\r\n");
    assert_eq!(
        d.run("CAPA\r\n"),
        "+OK Capability list follows\r\nTOP\r\nUIDL\r\nRESP-CODES\r\nAUTH-RESP-CODE\r\n\
         PIPELINING\r\nSASL SCRAM-SHA-256\r\nUTF8\r\nLANG\r\n.\r\n"
    );
    // SCRAM never sends the password: allowed.
    assert_eq!(d.run("AUTH SCRAM-SHA-256\r\n"), "+ \r\n");
    assert!(d.log.iter().all(|l| !l.starts_with("Login")), "{:?}", d.log);
}

#[test]
fn capa_differs_before_and_after_login() {
    let mut d = Driver::new();
    assert_eq!(d.run("CAPA\r\n"), CAPA_BEFORE);
    d.login();
    assert_eq!(d.run("CAPA\r\n"), CAPA_AFTER);
}

#[test]
fn capa_stls_only_when_offered_and_not_tls() {
    let mut config = ServerConfig::new("pop.example.org");
    config.stls = true;
    config.expire = Some(crate::types::capability::ExpirePolicy::Never);
    config.login_delay = Some(60);
    config.implementation = Some("test server".into());
    let mut d = Driver::with_config(config.clone());
    assert_eq!(
        d.run("CAPA\r\n"),
        "+OK Capability list follows\r\nTOP\r\nUIDL\r\nRESP-CODES\r\nAUTH-RESP-CODE\r\n\
         PIPELINING\r\nSASL SCRAM-SHA-256\r\nSTLS\r\nUTF8\r\nEXPIRE NEVER\r\n\
         LOGIN-DELAY 60\r\nLANG\r\nIMPLEMENTATION test server\r\n.\r\n"
    );
    let mut tls = ServerSession::new_implicit_tls(Arc::new(config));
    tls.take_output();
    d.session = tls;
    assert_eq!(
        d.run("CAPA\r\n"),
        "+OK Capability list follows\r\nTOP\r\nUIDL\r\nRESP-CODES\r\nAUTH-RESP-CODE\r\n\
         PIPELINING\r\nUSER\r\nSASL PLAIN SCRAM-SHA-256\r\nUTF8 USER\r\nEXPIRE NEVER\r\n\
         LOGIN-DELAY 60\r\nLANG\r\nIMPLEMENTATION test server\r\n.\r\n"
    );
    assert_eq!(d.run("STLS\r\n"), "-ERR TLS is already active\r\n");
    d.login();
}

#[test]
fn auth_failures_close_after_the_limit() {
    let mut d = Driver::new();
    let failed = "-ERR [AUTH] Authentication failed\r\n";
    // auth.max_failures (3) are tolerated; the next one ends the session.
    for _ in 0..3 {
        assert_eq!(
            d.run("USER alice\r\nPASS wrong\r\n"),
            format!("+OK Send PASS\r\n{failed}")
        );
    }
    assert_eq!(d.closed, None);
    assert_eq!(
        d.run("USER alice\r\nPASS wrong\r\nUSER alice\r\n"),
        "+OK Send PASS\r\n-ERR [AUTH] Too many failed logins, closing\r\n"
    );
    assert_eq!(d.closed, Some(CloseReason::TooManyAuthFailures));
    assert_eq!(d.log.iter().filter(|l| l.starts_with("Login")).count(), 4);
    // Nothing more is read or written.
    assert_eq!(d.run_bytes(b"USER alice\r\n"), "");
}

#[test]
fn temporary_auth_failure_is_sys_temp_and_not_counted() {
    let mut d = Driver::new();
    d.auth_temporary = true;
    for _ in 0..5 {
        assert_eq!(
            d.run("USER alice\r\nPASS wonderland\r\n"),
            "+OK Send PASS\r\n\
             -ERR [SYS/TEMP] Authentication temporarily unavailable, try again later\r\n"
        );
    }
    assert_eq!(d.closed, None);
    d.auth_temporary = false;
    d.login();
}

#[test]
fn maildrop_in_use_stays_in_authorization() {
    let mut d = Driver::new();
    d.lock = Some(MaildropError::InUse);
    assert_eq!(
        d.run("USER alice\r\nPASS wonderland\r\n"),
        "+OK Send PASS\r\n-ERR [IN-USE] Maildrop is locked by another session\r\n"
    );
    assert!(!d.session.in_transaction());
    assert_eq!(d.session.stats().user, None);
    assert_eq!(d.run("STAT\r\n"), "-ERR STAT is not valid before login\r\n");
    d.login();
    assert_eq!(d.session.stats().user.as_deref(), Some("alice"));
}

#[test]
fn maildrop_errors_map_to_response_codes() {
    let cases = [
        (
            MaildropError::Temporary,
            "-ERR [SYS/TEMP] Maildrop temporarily unavailable, try again later\r\n",
        ),
        (
            MaildropError::Permanent,
            "-ERR [SYS/PERM] Maildrop cannot be opened\r\n",
        ),
    ];
    for (error, line) in cases {
        let mut d = Driver::new();
        d.lock = Some(error);
        assert_eq!(
            d.run("USER alice\r\nPASS wonderland\r\n"),
            format!("+OK Send PASS\r\n{line}")
        );
        assert!(!d.session.in_transaction());
    }
}

#[test]
fn invalid_unique_id_refuses_the_maildrop() {
    for bad in ["", "has space", &"x".repeat(71), "tab\tin", "é"] {
        let mut d = Driver::new();
        d.maildrop[1].unique_id = bad.to_owned();
        let out = d.run("USER alice\r\nPASS wonderland\r\n");
        assert!(
            out.starts_with(
                "+OK Send PASS\r\n-ERR [SYS/PERM] Maildrop cannot be listed: message 102"
            ),
            "{bad:?}: {out}"
        );
        assert_eq!(out.matches("\r\n").count(), 2, "{out}");
        assert!(!d.session.in_transaction());
    }
    // Unique within the maildrop (RFC 1939 §7): a repeated one would hide a message from
    // clients that skip what they already have.
    let mut d = Driver::new();
    d.maildrop[2].unique_id = "uid-a".into();
    assert_eq!(
        d.run("USER alice\r\nPASS wonderland\r\n"),
        "+OK Send PASS\r\n\
         -ERR [SYS/PERM] Maildrop cannot be listed: message 103: duplicate unique-id\r\n"
    );
    assert!(!d.session.in_transaction());
    // 70 characters of 0x21–0x7E are fine.
    let mut d = Driver::new();
    d.maildrop[1].unique_id = "~".repeat(70);
    d.login();
}

#[test]
fn misuse_is_reported_not_panicked() {
    let mut session = ServerSession::new(Arc::new(plaintext_config()));
    // Answers without an event.
    assert_eq!(
        session.auth_outcome(AuthOutcome::Failure),
        Err(SessionError::Unexpected("auth_outcome"))
    );
    assert_eq!(
        session.maildrop_opened(Ok(Vec::new())),
        Err(SessionError::Unexpected("maildrop_opened"))
    );
    assert_eq!(session.body(b"x"), Err(SessionError::Unexpected("body")));
    assert_eq!(
        session.body_end(),
        Err(SessionError::Unexpected("body_end"))
    );
    assert_eq!(
        session.body_failed(),
        Err(SessionError::Unexpected("body_failed"))
    );
    assert_eq!(
        session.update_done(UpdateOutcome::Done),
        Err(SessionError::Unexpected("update_done"))
    );
    assert_eq!(
        session.tls_started(),
        Err(SessionError::Unexpected("tls_started"))
    );
    assert!(!session.wants_body());

    session.feed(b"USER alice\r\nPASS wonderland\r\nSTAT\r\n");
    assert!(matches!(session.next_event(), Ok(Event::Login { .. })));
    // Not answered yet.
    assert_eq!(
        session.next_event(),
        Err(SessionError::Unanswered("Login/Apop/Auth"))
    );
    // A challenge is no answer to USER/PASS; the event still waits.
    assert_eq!(
        session.auth_outcome(AuthOutcome::Challenge(b"x".to_vec())),
        Err(SessionError::Unexpected("auth_outcome(Challenge)"))
    );
    assert_eq!(
        session.maildrop_opened(Ok(Vec::new())),
        Err(SessionError::Unexpected("maildrop_opened"))
    );
    session
        .auth_outcome(AuthOutcome::Success {
            identity: "alice".into(),
        })
        .unwrap();
    // OpenMaildrop must be taken before it is answered.
    assert_eq!(
        session.maildrop_opened(Ok(Vec::new())),
        Err(SessionError::Unexpected("maildrop_opened"))
    );
    assert_eq!(
        session.next_event(),
        Ok(Event::OpenMaildrop {
            user: "alice".into()
        })
    );
    assert_eq!(
        session.next_event(),
        Err(SessionError::Unanswered("OpenMaildrop"))
    );
    assert_eq!(
        session.auth_outcome(AuthOutcome::Failure),
        Err(SessionError::Unexpected("auth_outcome"))
    );
    session.maildrop_opened(Ok(sample_maildrop())).unwrap();
    assert_eq!(session.next_event(), Ok(Event::NeedInput));
    let out = String::from_utf8(session.take_output()).unwrap();
    assert!(out.ends_with("+OK alice's maildrop has 3 messages (480 octets)\r\n+OK 3 480\r\n"));
}

#[test]
fn utf8_and_lang() {
    let mut d = Driver::new();
    let cases: &[(&str, &str)] = &[
        (
            "LANG\r\n",
            "+OK Language listing follows\r\nen English\r\n.\r\n",
        ),
        ("LANG *\r\n", "+OK en English\r\n"),
        ("LANG en-GB\r\n", "+OK en English\r\n"),
        ("LANG fr\r\n", "-ERR Unsupported language\r\n"),
        ("UTF8\r\n", "+OK UTF8 enabled\r\n"),
    ];
    for (c, s) in cases {
        assert_eq!(d.run(c), *s, "{c}");
    }
    d.login();
    assert_eq!(d.run("LANG *\r\n"), "+OK en English\r\n");
}
