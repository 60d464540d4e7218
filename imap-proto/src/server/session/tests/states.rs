//! Greeting, capabilities, the states of RFC 9051 §3 and the commands the session answers
//! itself (CAPABILITY, NOOP, LOGOUT, STARTTLS, ENABLE, ID, IDLE, COMPRESS).

use super::*;

const PRE_AUTH_PLAIN: &str = "IMAP4rev2 IMAP4rev1 STARTTLS LOGINDISABLED AUTH=SCRAM-SHA-256 \
                              SASL-IR LITERAL+ ID ENABLE";
const PRE_AUTH_TLS: &str = "IMAP4rev2 IMAP4rev1 AUTH=PLAIN AUTH=SCRAM-SHA-256 SASL-IR LITERAL+ \
                            ID ENABLE";
const AUTHENTICATED: &str = "IMAP4rev2 IMAP4rev1 LITERAL+ ENABLE IDLE NAMESPACE UIDPLUS MOVE \
    UNSELECT ID CHILDREN LIST-EXTENDED LIST-STATUS SPECIAL-USE CREATE-SPECIAL-USE CONDSTORE \
    QRESYNC ESEARCH SEARCHRES SORT THREAD=REFERENCES THREAD=ORDEREDSUBJECT STATUS=SIZE QUOTA \
    QUOTA=RES-STORAGE QUOTA=RES-MESSAGE APPENDLIMIT=67108864 BINARY MULTIAPPEND UTF8=ACCEPT \
    COMPRESS=DEFLATE";

/// A configuration as deployed: plaintext only under TLS, STARTTLS offered.
fn strict() -> ServerConfig {
    let mut config = ServerConfig::new("imap.example.org");
    config.starttls = true;
    config
}

#[test]
fn greeting_and_capabilities_without_tls() {
    let mut d = Driver::with_config(strict());
    let greeting = d.take();
    assert_eq!(
        greeting,
        format!("* OK [CAPABILITY {PRE_AUTH_PLAIN}] imap.example.org IMAP4rev2 server ready\r\n")
    );
    transcript(
        &mut d,
        &format!(
            "C: a1 CAPABILITY
             S: * CAPABILITY {PRE_AUTH_PLAIN}
             S: a1 OK CAPABILITY completed
             C: a2 LOGIN alice wonderland
             S: a2 NO [PRIVACYREQUIRED] LOGIN is disabled without TLS
             C: a3 AUTHENTICATE PLAIN AGFsaWNlAHdvbmRlcmxhbmQ=
             S: a3 NO [PRIVACYREQUIRED] This mechanism is disabled without TLS"
        ),
    );
    assert!(d.log.is_empty(), "{:?}", d.log);
    assert_eq!(d.session.state(), State::NotAuthenticated);
}

#[test]
fn implicit_tls_offers_plain_and_no_starttls() {
    let mut d = Driver::on(ServerSession::new_implicit_tls(Arc::new(strict())));
    assert_eq!(
        d.take(),
        format!("* OK [CAPABILITY {PRE_AUTH_TLS}] imap.example.org IMAP4rev2 server ready\r\n")
    );
    transcript(
        &mut d,
        &format!(
            "C: a1 STARTTLS
             S: a1 BAD TLS is already active
             C: a2 LOGIN alice wonderland
             S: a2 OK [CAPABILITY {AUTHENTICATED}] Logged in
             C: a3 CAPABILITY
             S: * CAPABILITY {AUTHENTICATED}
             S: a3 OK CAPABILITY completed"
        ),
    );
    assert_eq!(d.log, ["Login alice", "OpenAccount alice"]);
    assert!(d.session.is_tls());
}

#[test]
fn starttls_discards_pipelined_input_and_changes_capabilities() {
    let mut d = Driver::with_config(strict());
    d.take();
    // CVE-2011-0411: a command injected after STARTTLS in the same packet is never run.
    let out = d.run("a1 STARTTLS\r\na2 LOGIN alice wonderland\r\n");
    assert_eq!(out, "a1 OK Begin TLS negotiation now\r\n");
    assert_eq!(d.log, ["StartTls"]);
    // Bytes arriving before the handshake completes are dropped too.
    d.session.feed(b"a3 NOOP\r\n");
    assert_eq!(d.tls(), "");
    assert!(d.session.is_tls());
    assert_eq!(d.session.state(), State::NotAuthenticated);
    transcript(
        &mut d,
        &format!(
            "C: b1 CAPABILITY
             S: * CAPABILITY {PRE_AUTH_TLS}
             S: b1 OK CAPABILITY completed
             C: b2 STARTTLS
             S: b2 BAD TLS is already active"
        ),
    );
    assert_eq!(d.log, ["StartTls"]);
}

#[test]
fn preauth_opens_the_account_first() {
    let mut d = Driver::on(ServerSession::new_preauth(Arc::new(config()), "alice"));
    let greeting = d.take();
    assert!(
        greeting.starts_with("* PREAUTH [CAPABILITY IMAP4rev2 IMAP4rev1 LITERAL+ "),
        "{greeting}"
    );
    assert!(
        greeting.ends_with("] imap.example.org IMAP4rev2 server ready, logged in as alice\r\n")
    );
    assert_eq!(
        d.session.next_event(),
        Ok(Event::OpenAccount {
            user: "alice".into()
        })
    );
    assert_eq!(
        d.session.next_event(),
        Err(super::super::SessionError::Unanswered("OpenAccount"))
    );
    d.session.account_opened(Ok(())).unwrap();
    transcript(
        &mut d,
        "C: a1 LOGIN alice wonderland
         S: a1 BAD Already authenticated
         C: a2 SELECT INBOX
         S: a2 OK done",
    );
    assert_eq!(d.log, ["Command a2 SELECT"]);
}

#[test]
fn preauth_without_mailboxes_says_bye() {
    let mut d = Driver::on(ServerSession::new_preauth(Arc::new(config()), "alice"));
    d.take();
    d.account = Err(AccountError::Temporary);
    d.pump();
    assert_eq!(
        d.take(),
        "* BYE [UNAVAILABLE] Mail storage is unavailable\r\n"
    );
    assert_eq!(d.closed, Some(CloseReason::StorageFailed));
}

#[test]
fn commands_in_the_wrong_state_are_bad() {
    let mut d = Driver::new();
    transcript(
        &mut d,
        "C: a1 SELECT INBOX
         S: a1 BAD Not authenticated: log in first
         C: a2 FETCH 1 FLAGS
         S: a2 BAD Not authenticated: log in first
         C: a3 IDLE
         S: a3 BAD Not authenticated: log in first
         C: a4 ENABLE CONDSTORE
         S: a4 BAD Not authenticated: log in first
         C: a5 NOOP
         S: a5 OK NOOP completed
         C: a6 LOGIN alice wonderland
         S: a6 OK [CAPABILITY ...
         C: a7 FETCH 1 FLAGS
         S: a7 BAD No mailbox selected
         C: a8 UID STORE 1 +FLAGS (\\Seen)
         S: a8 BAD No mailbox selected
         C: a9 AUTHENTICATE PLAIN
         S: a9 BAD Already authenticated
         C: b1 STARTTLS
         S: b1 BAD Already authenticated
         C: b2 NOOP
         S: b2 OK NOOP completed
         C: b3 SELECT INBOX
         S: b3 OK done
         C: b4 FETCH 1 FLAGS
         S: b4 OK done
         C: b5 NOOP
         S: b5 OK done
         C: b6 CLOSE
         S: b6 OK done
         C: b7 EXPUNGE
         S: b7 BAD No mailbox selected",
    );
    assert_eq!(
        d.log,
        [
            "Login alice",
            "OpenAccount alice",
            "Command b3 SELECT",
            "Command b4 FETCH",
            "Command b5 NOOP",
            "Command b6 CLOSE"
        ]
    );
    assert_eq!(d.session.stats().bad_commands, 9);
}

#[test]
fn glue_commands_are_events_and_wait_for_complete() {
    let mut d = Driver::logged_in();
    d.session.feed(b"t1 LIST \"\" *\r\nt2 NAMESPACE\r\n");
    let Ok(Event::Command(request)) = d.session.next_event() else {
        panic!("a Command event")
    };
    assert_eq!(request.tag.as_str(), "t1");
    assert_eq!(request.command.name(), "LIST");
    // Pipelined commands wait until the first is complete.
    assert_eq!(
        d.session.next_event(),
        Err(super::super::SessionError::Unanswered("Command/AppendEnd"))
    );
    d.session
        .complete(StatusKind::Ok, None, "LIST completed")
        .unwrap();
    let Ok(Event::Command(request)) = d.session.next_event() else {
        panic!("a Command event")
    };
    assert_eq!(request.command, CommandBody::Namespace);
    d.session
        .complete(StatusKind::No, Some(Code::Cannot), "no")
        .unwrap();
    assert_eq!(d.session.next_event(), Ok(Event::NeedInput));
    assert_eq!(d.take(), "t1 OK LIST completed\r\nt2 NO [CANNOT] no\r\n");
    assert_eq!(
        d.session.complete(StatusKind::Ok, None, "x"),
        Err(super::super::SessionError::Unexpected("complete"))
    );
}

#[test]
fn logout_says_bye_and_closes() {
    let mut d = Driver::logged_in();
    transcript(
        &mut d,
        "C: a1 LOGOUT
         C: a2 NOOP
         S: * BYE imap.example.org logging out
         S: a1 OK LOGOUT completed",
    );
    assert_eq!(d.closed, Some(CloseReason::Logout));
    assert_eq!(d.session.state(), State::Logout);
    // Nothing more is read.
    assert_eq!(d.run("a3 NOOP\r\n"), "");
}

#[test]
fn enable_lists_what_it_enabled() {
    let mut d = Driver::logged_in();
    transcript(
        &mut d,
        "C: a1 ENABLE QRESYNC X-UNKNOWN
         S: * ENABLED QRESYNC
         S: a1 OK ENABLE completed
         C: a2 ENABLE CONDSTORE QRESYNC UTF8=ACCEPT
         S: * ENABLED UTF8=ACCEPT
         S: a2 OK ENABLE completed
         C: a3 ENABLE X-NOTHING
         S: * ENABLED
         S: a3 OK ENABLE completed",
    );
    let enabled = d.session.enabled();
    assert!(enabled.qresync && enabled.condstore && enabled.utf8_accept && !enabled.imap4rev2);
    assert!(d.session.encoder().utf8());
}

#[test]
fn id_answers_from_the_configuration() {
    let mut d = Driver::new();
    transcript(
        &mut d,
        "C: a1 ID (\"name\" \"sodr\" \"version\" \"19.34\")
         S: * ID (\"name\" \"imap-proto\")
         S: a1 OK ID completed
         C: a2 ID NIL
         S: * ID (\"name\" \"imap-proto\")
         S: a2 OK ID completed",
    );
    let mut config = config();
    config.id.clear();
    let mut d = Driver::with_config(config);
    d.take();
    transcript(
        &mut d,
        "C: a1 ID NIL
         S: * ID NIL
         S: a1 OK ID completed",
    );
}

#[test]
fn idle_until_done() {
    let mut d = Driver::logged_in();
    transcript(
        &mut d,
        "C: a1 SELECT INBOX
         S: a1 OK done
         C: a2 IDLE
         S: + idling
         C: DONE
         S: a2 OK IDLE terminated
         C: a3 IDLE
         S: + idling
         C: a4 NOOP
         S: a3 BAD Expected DONE; IDLE terminated
         C: a5 IDLE
         C: done
         C: a6 NOOP
         S: + idling
         S: a5 OK IDLE terminated
         S: a6 OK done",
    );
    assert!(!d.session.idling());
    d.run("a7 IDLE\r\n");
    assert!(d.session.idling());
    assert_eq!(d.run("DONE\r\n"), "a7 OK IDLE terminated\r\n");
    assert!(!d.session.idling());
    d.log.truncate(8);
    assert_eq!(
        d.log,
        [
            "Command a1 SELECT",
            "Idle",
            "IdleDone",
            "Idle",
            "IdleDone",
            "Idle",
            "IdleDone",
            "Command a6 NOOP"
        ]
    );
}

#[test]
fn compress_once() {
    let mut d = Driver::logged_in();
    let out = d.run("a1 COMPRESS DEFLATE\r\nxx garbage that was compressed\r\n");
    assert_eq!(out, "a1 OK DEFLATE active\r\n");
    assert_eq!(d.log, ["Compress"]);
    assert!(d.session.stats().compressed);
    transcript(
        &mut d,
        "C: a2 COMPRESS DEFLATE
         S: a2 NO [COMPRESSIONACTIVE] DEFLATE is already active
         C: a3 COMPRESS LZW
         S: a3 BAD Unsupported compression mechanism",
    );
    let caps = d.session.capabilities();
    assert!(
        !caps
            .iter()
            .any(|c| matches!(c, crate::response::Capability::Compress(_)))
    );
}

#[test]
fn bad_commands_lead_to_bye() {
    let mut config = config();
    config.max_bad_commands = 3;
    let mut d = Driver::with_config(config);
    d.take();
    transcript(
        &mut d,
        "C: a1 FROB
         S: a1 BAD Unknown command
         C: a2 LOGIN alice
         S: a2 BAD Syntax error: expected SP
         C: (garbage
         S: * BAD Syntax error: expected ...
         C: a4 NOOP
         S: a4 OK NOOP completed
         C: a5 SELECT INBOX
         S: a5 BAD Not authenticated: log in first
         S: * BYE Too many bad commands",
    );
    assert_eq!(d.closed, Some(CloseReason::TooManyErrors));
}

#[test]
fn timeout_and_shutdown() {
    let mut d = Driver::new();
    assert_eq!(d.session.autologout(), std::time::Duration::from_secs(60));
    d.session.timeout();
    d.pump();
    assert_eq!(d.take(), "* BYE Autologout; idle for too long\r\n");
    assert_eq!(d.closed, Some(CloseReason::Timeout));

    let mut d = Driver::logged_in();
    assert_eq!(
        d.session.autologout(),
        std::time::Duration::from_secs(30 * 60)
    );
    d.session.shutdown();
    d.pump();
    assert_eq!(d.take(), "* BYE [UNAVAILABLE] Server shutting down\r\n");
    assert_eq!(d.closed, Some(CloseReason::Shutdown));
}

#[test]
fn shutdown_waits_for_the_command_in_progress() {
    let mut d = Driver::logged_in();
    d.session.feed(b"a1 STATUS INBOX (MESSAGES)\r\na2 NOOP\r\n");
    assert!(matches!(d.session.next_event(), Ok(Event::Command(_))));
    d.session.shutdown();
    d.session.timeout(); // ignored: the glue is busy, not the peer
    d.session
        .complete(StatusKind::Ok, None, "STATUS completed")
        .unwrap();
    assert_eq!(
        d.session.next_event(),
        Ok(Event::Close(CloseReason::Shutdown))
    );
    assert_eq!(
        d.take(),
        "a1 OK STATUS completed\r\n* BYE [UNAVAILABLE] Server shutting down\r\n"
    );
}

#[test]
fn answers_nobody_asked_for_are_errors() {
    let mut d = Driver::new();
    use super::super::SessionError::Unexpected;
    assert_eq!(
        d.session.auth_outcome(AuthOutcome::Failure),
        Err(Unexpected("auth_outcome"))
    );
    assert_eq!(
        d.session.account_opened(Ok(())),
        Err(Unexpected("account_opened"))
    );
    assert_eq!(d.session.append_accept(), Err(Unexpected("append_accept")));
    assert_eq!(
        d.session.append_refuse(None, "x"),
        Err(Unexpected("append_refuse"))
    );
    assert_eq!(d.session.tls_started(), Err(Unexpected("tls_started")));
    assert_eq!(
        d.session.compression_started(),
        Err(Unexpected("compression_started"))
    );
}

#[test]
fn idle_ended_by_a_literal_or_a_long_line() {
    let mut config = config();
    config.limits.max_line = 40;
    let mut d = Driver::with_config(config);
    d.take();
    d.run("a0 LOGIN alice wonderland\r\n");
    let long = "D".repeat(60);
    transcript(
        &mut d,
        &format!(
            "C: a1 IDLE
             S: + idling
             C: DONE {{3}}
             S: a1 BAD Expected DONE; IDLE terminated
             C: a2 IDLE
             S: + idling
             C: {long}
             S: a2 BAD [TOOBIG] Expected DONE; IDLE terminated
             C: a3 NOOP
             S: a3 OK NOOP completed"
        ),
    );
}

#[test]
fn bad_answers_of_the_glue_count_too() {
    let mut config = config();
    config.max_bad_commands = 1;
    let mut d = Driver::with_config(config);
    d.take();
    d.run("a0 LOGIN alice wonderland\r\na1 FROB\r\n");
    d.session.feed(b"a2 STATUS INBOX (MESSAGES)\r\na3 NOOP\r\n");
    assert!(matches!(d.session.next_event(), Ok(Event::Command(_))));
    d.session
        .complete(StatusKind::Bad, None, "Invalid")
        .unwrap();
    assert_eq!(
        d.session.next_event(),
        Ok(Event::Close(CloseReason::TooManyErrors))
    );
    assert!(
        d.take()
            .ends_with("a2 BAD Invalid\r\n* BYE Too many bad commands\r\n")
    );
}
