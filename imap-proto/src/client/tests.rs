//! The client session against a scripted fake server: `C:`/`S:` exchanges, no sockets.

use super::*;
use crate::token::{Atom, Flag, FlagPerm};
use sasl::{Credentials, Mechanism, Secret};

/// One step of a scripted exchange.
enum Step<'a> {
    /// The server sends these bytes.
    S(&'a [u8]),
    /// The session must have written exactly these bytes since the last `C`.
    C(&'a [u8]),
    /// The application acts.
    A(&'a dyn Fn(&mut ClientSession)),
}
use Step::{A, C, S};

/// Every event up to the next `NeedInput` (or `StartTls`/`Closed`, which repeat).
fn drain(s: &mut ClientSession) -> Vec<Event> {
    let mut out = Vec::new();
    loop {
        match s.next_event().expect("session error") {
            Event::NeedInput => return out,
            e @ (Event::StartTls | Event::Closed) => {
                out.push(e);
                return out;
            }
            e => out.push(e),
        }
    }
}

/// Append `new` to `events`, except a repeat of a terminal event (`StartTls` and `Closed` are
/// given again until answered).
fn extend(events: &mut Vec<Event>, new: Vec<Event>) {
    for e in new {
        if matches!(e, Event::StartTls | Event::Closed) && events.last() == Some(&e) {
            continue;
        }
        events.push(e);
    }
}

/// Run `script`, feeding each server message in the pieces `split` cuts it into; returns the
/// events in order.
fn run_split(
    s: &mut ClientSession,
    script: &[Step<'_>],
    split: &dyn Fn(&[u8]) -> Vec<Vec<u8>>,
) -> Vec<Event> {
    let mut events = Vec::new();
    for (i, step) in script.iter().enumerate() {
        match step {
            S(bytes) => {
                for piece in split(bytes) {
                    s.feed(&piece);
                    extend(&mut events, drain(s));
                }
            }
            C(want) => {
                extend(&mut events, drain(s));
                let got = s.take_output();
                assert_eq!(
                    String::from_utf8_lossy(&got),
                    String::from_utf8_lossy(want),
                    "client bytes at step {i}"
                );
            }
            A(f) => f(s),
        }
    }
    extend(&mut events, drain(s));
    events
}

fn run(s: &mut ClientSession, script: &[Step<'_>]) -> Vec<Event> {
    run_split(s, script, &|b| vec![b.to_vec()])
}

/// A configuration for tests on a plain connection: credentials in the clear allowed, no
/// automatic CAPABILITY (each test says what it sends).
fn plain_config() -> ClientConfig {
    ClientConfig {
        allow_plaintext_credentials: true,
        auto_capability: false,
        ..ClientConfig::default()
    }
}

fn secret(s: &str) -> Secret<String> {
    Secret::new(s.to_owned())
}

fn done(e: &Event) -> &Completion {
    match e {
        Event::Done(c) => c,
        other => panic!("expected a completion, got {other:?}"),
    }
}

const HEADER_342: &[u8] = b"Date: Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\r\n\
From: Terry Gray <gray@cac.washington.edu>\r\n\
Subject: IMAP4rev1 WG mtg summary and minutes\r\n\
To: imap@cac.washington.edu\r\n\
cc: minutes@CNRI.Reston.VA.US, John Klensin <KLENSIN@MIT.EDU>\r\n\
Message-Id: <B27397-0100000@cac.washington.edu>\r\n\
MIME-Version: 1.0\r\n\
Content-Type: TEXT/PLAIN; CHARSET=US-ASCII\r\n\
\r\n";

fn fetch_header_response() -> Vec<u8> {
    let mut r = b"* 12 FETCH (BODY[HEADER] {342}\r\n".to_vec();
    r.extend_from_slice(HEADER_342);
    r.extend_from_slice(b")\r\na004 OK FETCH completed\r\n");
    r
}

const FETCH_FULL: &[u8] =
    b"* 12 FETCH (FLAGS (\\Seen) INTERNALDATE \"17-Jul-1996 02:44:25 -0700\" \
RFC822.SIZE 4286 ENVELOPE (\"Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\" \
\"IMAP4rev1 WG mtg summary and minutes\" \
((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) \
((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) \
((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) \
((NIL NIL \"imap\" \"cac.washington.edu\")) \
((NIL NIL \"minutes\" \"CNRI.Reston.VA.US\") \
(\"John Klensin\" NIL \"KLENSIN\" \"MIT.EDU\")) NIL NIL \
\"<B27397-0100000@cac.washington.edu>\") \
BODY (\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 3028 92))\r\n\
a003 OK FETCH completed\r\n";

/// RFC 3501 §8 (the same session as RFC 9051 §8 but for the version): the tags are the RFC's
/// (`a001`...). Commands the session builds itself come out upper case (`LOGIN`, `SELECT
/// INBOX`, `LOGOUT`; IMAP keywords are case-insensitive, RFC 9051 §9 note 1); the others are
/// the RFC's bytes, passed through [`ClientSession::command`].
fn rfc_sample_script(header: &[u8]) -> Vec<Step<'_>> {
    vec![
        S(b"* OK IMAP4rev1 Service Ready\r\n"),
        A(&|s| {
            s.login("mrc", &secret("secret")).unwrap();
        }),
        C(b"a001 LOGIN mrc secret\r\n"),
        S(b"a001 OK LOGIN completed\r\n"),
        A(&|s| {
            s.select("inbox");
        }),
        C(b"a002 SELECT INBOX\r\n"),
        S(b"* 18 EXISTS\r\n\
* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n\
* 2 RECENT\r\n\
* OK [UNSEEN 17] Message 17 is the first unseen message\r\n\
* OK [UIDVALIDITY 3857529045] UIDs valid\r\n\
a002 OK [READ-WRITE] SELECT completed\r\n"),
        A(&|s| {
            s.command(|e| {
                e.raw(b"fetch 12 full");
            })
            .unwrap();
        }),
        C(b"a003 fetch 12 full\r\n"),
        S(FETCH_FULL),
        A(&|s| {
            s.command(|e| {
                e.raw(b"fetch 12 body[header]");
            })
            .unwrap();
        }),
        C(b"a004 fetch 12 body[header]\r\n"),
        S(header),
        A(&|s| {
            s.command(|e| {
                e.raw(b"store 12 +flags \\deleted");
            })
            .unwrap();
        }),
        C(b"a005 store 12 +flags \\deleted\r\n"),
        S(b"* 12 FETCH (FLAGS (\\Seen \\Deleted))\r\na005 OK +FLAGS completed\r\n"),
        A(&|s| {
            s.logout();
        }),
        C(b"a006 LOGOUT\r\n"),
        S(b"* BYE IMAP4rev1 server terminating connection\r\na006 OK LOGOUT completed\r\n"),
    ]
}

fn rfc_session() -> ClientSession {
    ClientSession::new(ClientConfig {
        tag_prefix: "a".to_owned(),
        tag_width: 3,
        ..plain_config()
    })
}

#[test]
fn rfc3501_sample_session() {
    let header = fetch_header_response();
    let mut s = rfc_session();
    let events = run(&mut s, &rfc_sample_script(&header));
    assert_eq!(HEADER_342.len(), 342);
    // Greeting, six completions, Closed.
    assert_eq!(events.len(), 8, "{events:#?}");
    assert!(matches!(
        &events[0],
        Event::Greeting { condition: Condition::Ok, text } if text.text == "IMAP4rev1 Service Ready"
    ));
    let login = done(&events[1]);
    assert_eq!(
        (login.tag.as_str(), login.command.as_str()),
        ("a001", "LOGIN")
    );
    assert!(login.is_ok());
    let select = done(&events[2]);
    assert_eq!(select.command, "SELECT");
    assert_eq!(select.text.code, Some(Code::ReadWrite));
    assert_eq!(select.untagged.len(), 5);
    let mailbox = MailboxState {
        name: "inbox".into(),
        exists: 18,
        recent: Some(2),
        flags: vec![
            Flag::Answered,
            Flag::Flagged,
            Flag::Deleted,
            Flag::Seen,
            Flag::Draft,
        ],
        permanent_flags: None,
        uid_validity: Some(3857529045),
        uid_next: None,
        unseen: Some(17),
        highest_modseq: None,
        read_only: false,
    };
    let fetch = done(&events[3]);
    assert_eq!(fetch.command, "FETCH");
    assert_eq!(fetch.untagged.len(), 1);
    assert_eq!(fetch.untagged[0].kind, UntaggedKind::Fetch(12));
    assert!(
        fetch.untagged[0]
            .raw()
            .starts_with(b"* 12 FETCH (FLAGS (\\Seen) INTERNALDATE")
    );
    let header = done(&events[4]);
    assert_eq!(header.untagged[0].kind, UntaggedKind::Fetch(12));
    let raw = header.untagged[0].raw();
    assert_eq!(
        raw.len(),
        b"* 12 FETCH (BODY[HEADER] {342}\r\n".len() + 342 + 3
    );
    assert!(raw.ends_with(b"Content-Type: TEXT/PLAIN; CHARSET=US-ASCII\r\n\r\n)\r\n"));
    let store = done(&events[5]);
    assert_eq!(
        (store.command.as_str(), store.text.text.as_str()),
        ("STORE", "+FLAGS completed")
    );
    assert_eq!(store.untagged[0].kind, UntaggedKind::Fetch(12));
    let logout = done(&events[6]);
    assert_eq!(logout.command, "LOGOUT");
    assert!(matches!(
        logout.untagged[0].kind,
        UntaggedKind::Status {
            condition: Condition::Bye,
            ..
        }
    ));
    assert_eq!(events[7], Event::Closed);
    assert_eq!(s.state(), ConnectionState::Logout);
    assert_eq!(s.mailbox(), Some(&mailbox));
    assert_eq!(s.next_event(), Ok(Event::Closed));
}

/// Cut at every position, and byte by byte: the same events and the same client bytes.
#[test]
fn every_split_gives_the_same_events() {
    let header = fetch_header_response();
    let script = rfc_sample_script(&header);
    let whole = run(&mut rfc_session(), &script);
    let bytewise = run_split(&mut rfc_session(), &script, &|b| {
        b.iter().map(|&x| vec![x]).collect()
    });
    assert_eq!(bytewise, whole);
    let longest = script
        .iter()
        .filter_map(|s| match s {
            S(b) => Some(b.len()),
            _ => None,
        })
        .max()
        .unwrap();
    for cut in 1..longest {
        let events = run_split(&mut rfc_session(), &script, &|b| {
            let at = cut.min(b.len());
            vec![b[..at].to_vec(), b[at..].to_vec()]
        });
        assert_eq!(events, whole, "cut at {cut}");
    }
}

#[test]
fn greeting_capability_preauth_and_bye() {
    let mut s = ClientSession::new(ClientConfig::default());
    let events = run(
        &mut s,
        &[
            S(b"* PREAUTH [CAPABILITY IMAP4rev2 IDLE] welcome back\r\n"),
            C(b""),
        ],
    );
    assert!(matches!(
        &events[0],
        Event::Greeting {
            condition: Condition::PreAuth,
            ..
        }
    ));
    assert_eq!(s.state(), ConnectionState::Authenticated);
    assert!(s.capabilities().unwrap().has("IDLE"));

    // No CAPABILITY code: the session asks (auto_capability).
    let mut s = ClientSession::new(ClientConfig::default());
    let events = run(
        &mut s,
        &[
            S(b"* OK hi\r\n"),
            C(b"A0001 CAPABILITY\r\n"),
            S(b"* CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED\r\nA0001 OK done\r\n"),
        ],
    );
    assert_eq!(events.len(), 2);
    assert_eq!(done(&events[1]).untagged.len(), 1);
    assert!(s.capabilities().unwrap().login_disabled());
    assert_eq!(s.state(), ConnectionState::NotAuthenticated);

    let mut s = ClientSession::new(plain_config());
    let events = run(&mut s, &[S(b"* BYE too busy\r\n")]);
    assert_eq!(events.len(), 2);
    assert_eq!(events[1], Event::Closed);
    assert_eq!(s.state(), ConnectionState::Logout);

    let mut s = ClientSession::new(plain_config());
    s.feed(b"* NO go away\r\n");
    assert_eq!(s.next_event(), Err(ClientError::BadGreeting));
    assert_eq!(s.next_event(), Err(ClientError::BadGreeting));
}

#[test]
fn commands_wait_for_the_greeting() {
    let mut s = ClientSession::new(plain_config());
    let tag = s.noop();
    assert_eq!(s.next_event(), Ok(Event::NeedInput));
    assert!(s.output().is_empty());
    run(&mut s, &[S(b"* OK ready\r\n"), C(b"A0001 NOOP\r\n")]);
    assert_eq!(tag, "A0001");
}

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
fn synchronizing_literal_waits_for_continuation() {
    let mut s = ClientSession::new(plain_config());
    run(&mut s, &[S(b"* OK [CAPABILITY IMAP4rev1] hi\r\n")]);
    s.login("fred\r\n", &secret("pw")).unwrap();
    // Queued behind the LOGIN's literal.
    s.noop();
    let events = run(
        &mut s,
        &[
            C(b"A0001 LOGIN {6}\r\n"),
            S(b"+ Ready for literal\r\n"),
            C(b"fred\r\n pw\r\n"),
            S(b"A0001 OK logged in\r\n"),
            C(b"A0002 NOOP\r\n"),
            S(b"A0002 OK\r\n"),
        ],
    );
    assert_eq!(events.len(), 2);
    assert!(done(&events[0]).is_ok() && done(&events[1]).is_ok());
}

#[test]
fn tagged_no_instead_of_continuation_ends_the_command() {
    let mut s = ClientSession::new(plain_config());
    run(&mut s, &[S(b"* OK [CAPABILITY IMAP4rev1] hi\r\n")]);
    let message = vec![b'x'; 5000];
    s.append("INBOX", &[Flag::Seen], &message);
    s.noop();
    let events = run(
        &mut s,
        &[
            C(b"A0001 APPEND INBOX (\\Seen) {5000}\r\n"),
            S(b"A0001 NO [TOOBIG] message too large\r\n"),
            C(b"A0002 NOOP\r\n"),
            S(b"A0002 OK\r\n"),
        ],
    );
    let append = done(&events[0]);
    assert_eq!(append.condition, Condition::No);
    assert_eq!(
        append.text.code,
        Some(Code::Other {
            name: "TOOBIG".into(),
            args: None
        })
    );
    // The refused literal's octets were never written.
    assert!(done(&events[1]).is_ok());
    // A stray continuation now is the server's error.
    s.feed(b"+ go ahead\r\n");
    assert_eq!(s.next_event(), Err(ClientError::UnexpectedContinuation));
}

#[test]
fn literal_plus_and_minus_do_not_wait() {
    let mut s = ClientSession::new(plain_config());
    run(&mut s, &[S(b"* OK [CAPABILITY IMAP4rev1 LITERAL+] hi\r\n")]);
    let message = vec![b'y'; 5000];
    s.append("Sent", &[], &message);
    let mut want = b"A0001 APPEND Sent {5000+}\r\n".to_vec();
    want.extend_from_slice(&message);
    want.extend_from_slice(b"\r\n");
    run(&mut s, &[C(&want), S(b"A0001 OK [APPENDUID 1 2] done\r\n")]);

    // LITERAL-: {n+} up to 4096 octets, synchronizing above.
    let mut s = ClientSession::new(plain_config());
    run(&mut s, &[S(b"* OK [CAPABILITY IMAP4rev1 LITERAL-] hi\r\n")]);
    s.append("Sent", &[], b"small\r\n");
    s.append("Sent", &[], &message);
    let mut rest = message.clone();
    rest.extend_from_slice(b"\r\n");
    let events = run(
        &mut s,
        &[
            C(b"A0001 APPEND Sent {7+}\r\nsmall\r\n\r\nA0002 APPEND Sent {5000}\r\n"),
            S(b"+ go\r\n"),
            C(&rest),
            S(b"A0001 OK\r\nA0002 OK\r\n"),
        ],
    );
    assert_eq!(events.len(), 2);
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
    assert_eq!(done(&events[0]).condition, Condition::Bad);
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
            b"* OK [CAPABILITY IMAP4rev2 AUTH=SCRAM-SHA-256] hi\r\n"
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
fn starttls_discards_buffered_bytes_and_capabilities() {
    let mut s = ClientSession::new(ClientConfig::default());
    let events = run(
        &mut s,
        &[
            S(b"* OK [CAPABILITY IMAP4rev2 STARTTLS LOGINDISABLED] hi\r\n"),
            A(&|s| {
                s.starttls().unwrap();
            }),
            C(b"A0001 STARTTLS\r\n"),
            // The injected response after the OK arrives in the same read.
            S(b"A0001 OK Begin TLS\r\n* OK [CAPABILITY IMAP4rev2 AUTH=PLAIN] injected\r\n"),
        ],
    );
    assert_eq!(events.len(), 3);
    assert!(done(&events[1]).is_ok());
    assert_eq!(events[2], Event::StartTls);
    assert!(s.capabilities().is_none());
    // Bytes fed before the handshake are dropped too.
    s.feed(b"A0002 OK injected\r\n");
    assert_eq!(s.next_event(), Ok(Event::StartTls));
    s.tls_started().unwrap();
    assert!(s.tls_active());
    assert_eq!(
        s.starttls(),
        Err(ClientError::Misuse("TLS is already active"))
    );
    let events = run(
        &mut s,
        &[
            C(b"A0002 CAPABILITY\r\n"),
            S(b"* CAPABILITY IMAP4rev2 AUTH=PLAIN\r\nA0002 OK\r\n"),
        ],
    );
    assert_eq!(events.len(), 1);
    assert!(s.capabilities().unwrap().auth("PLAIN"));
    // Over TLS, LOGIN and PLAIN are allowed.
    assert!(s.login("u", &secret("p")).is_ok());
    assert_eq!(
        s.tls_started(),
        Err(ClientError::Misuse("tls_started without Event::StartTls"))
    );
}

#[test]
fn idle_and_done() {
    let mut s = ClientSession::new(plain_config());
    run(&mut s, &[S(b"* PREAUTH [CAPABILITY IMAP4rev2] hi\r\n")]);
    s.select("INBOX");
    let events = run(
        &mut s,
        &[
            C(b"A0001 SELECT INBOX\r\n"),
            S(
                b"* 3 EXISTS\r\n* OK [UIDNEXT 4] next\r\n* OK [HIGHESTMODSEQ 90] ms\r\n\
* OK [PERMANENTFLAGS (\\Seen \\*)] p\r\nA0001 OK [READ-WRITE] selected\r\n",
            ),
            A(&|s| {
                s.idle().unwrap();
            }),
            // A command queued during IDLE waits for its end.
            A(&|s| {
                s.noop();
            }),
            C(b"A0002 IDLE\r\n"),
            S(b"+ idling\r\n* 4 EXISTS\r\n* 1 EXPUNGE\r\n* 2 FETCH (FLAGS (\\Seen))\r\n"),
            A(&|s| s.done().unwrap()),
            C(b"DONE\r\n"),
            S(b"A0002 OK IDLE terminated\r\n"),
            C(b"A0003 NOOP\r\n"),
            S(b"A0003 OK\r\n"),
        ],
    );
    let kinds: Vec<_> = events
        .iter()
        .map(|e| match e {
            Event::Untagged(u) => format!("{:?}", u.kind),
            Event::Done(c) => format!("done {}", c.command),
            Event::Idling { tag } => format!("idling {tag}"),
            other => format!("{other:?}"),
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "done SELECT",
            "idling A0002",
            "Exists(4)",
            "Expunge(1)",
            "Fetch(2)",
            "done IDLE",
            "done NOOP"
        ]
    );
    let m = s.mailbox().unwrap();
    assert_eq!(m.exists, 3, "4 EXISTS then one EXPUNGE");
    assert_eq!((m.uid_next, m.highest_modseq), (Some(4), Some(90)));
    assert_eq!(
        m.permanent_flags,
        Some(vec![FlagPerm::Flag(Flag::Seen), FlagPerm::Any])
    );
    assert_eq!(s.state(), ConnectionState::Selected);
    assert_eq!(
        s.done(),
        Err(ClientError::Misuse("done() without an IDLE in flight"))
    );
}

#[test]
fn done_before_the_continuation_waits_for_it() {
    let mut s = ClientSession::new(plain_config());
    run(&mut s, &[S(b"* PREAUTH hi\r\n")]);
    s.idle().unwrap();
    s.done().unwrap();
    let events = run(
        &mut s,
        &[
            C(b"A0001 IDLE\r\n"),
            S(b"+ idling\r\n"),
            C(b"DONE\r\n"),
            S(b"A0001 OK\r\n"),
        ],
    );
    assert_eq!(events.len(), 1);
}

#[test]
fn examine_failure_and_close() {
    let mut s = ClientSession::new(plain_config());
    run(&mut s, &[S(b"* PREAUTH hi\r\n")]);
    s.examine("Archiv/März");
    let events = run(
        &mut s,
        &[
            C(b"A0001 EXAMINE Archiv/M&AOQ-rz\r\n"),
            S(b"* 1 EXISTS\r\nA0001 OK [READ-ONLY] done\r\n"),
        ],
    );
    assert!(done(&events[0]).is_ok());
    assert!(s.mailbox().unwrap().read_only);
    assert_eq!(s.mailbox().unwrap().name, "Archiv/März");
    s.select("Nope");
    run(
        &mut s,
        &[
            C(b"A0002 SELECT Nope\r\n"),
            S(b"A0002 NO no such mailbox\r\n"),
        ],
    );
    assert_eq!(s.mailbox(), None);
    assert_eq!(s.state(), ConnectionState::Authenticated);
    s.select("INBOX");
    s.command(|e| {
        e.raw(b"CLOSE");
    })
    .unwrap();
    run(
        &mut s,
        &[
            C(b"A0003 SELECT INBOX\r\n"),
            S(b"A0003 OK [READ-WRITE] ok\r\n"),
            // CLOSE waited for the SELECT: it changes the state.
            C(b"A0004 CLOSE\r\n"),
            S(b"A0004 OK\r\n"),
        ],
    );
    assert_eq!(s.state(), ConnectionState::Authenticated);
    assert_eq!(s.mailbox(), None);
}

#[test]
fn pipelined_commands_get_their_own_data() {
    let mut s = ClientSession::new(plain_config());
    run(&mut s, &[S(b"* PREAUTH hi\r\n")]);
    s.command(|e| {
        e.raw(b"UID FETCH 1:2 (FLAGS)");
    })
    .unwrap();
    s.command(|e| {
        e.raw(b"LIST \"\" *");
    })
    .unwrap();
    s.command(|e| {
        e.raw(b"UID SEARCH UNSEEN");
    })
    .unwrap();
    let events = run(
        &mut s,
        &[
            C(b"A0001 UID FETCH 1:2 (FLAGS)\r\nA0002 LIST \"\" *\r\nA0003 UID SEARCH UNSEEN\r\n"),
            S(
                b"* 1 FETCH (UID 1 FLAGS ())\r\n* LIST () \"/\" INBOX\r\n* SEARCH 2\r\n\
* 5 EXISTS\r\n* 2 FETCH (UID 2 FLAGS ())\r\nA0002 OK\r\nA0003 OK\r\nA0001 OK\r\n",
            ),
        ],
    );
    assert_eq!(events.len(), 4);
    assert!(matches!(&events[0], Event::Untagged(u) if u.kind == UntaggedKind::Exists(5)));
    let list = done(&events[1]);
    assert_eq!(list.command, "LIST");
    assert_eq!(list.untagged.len(), 1);
    let search = done(&events[2]);
    assert_eq!(search.command, "UID SEARCH");
    assert_eq!(search.untagged[0].raw(), b"* SEARCH 2\r\n");
    let fetch = done(&events[3]);
    assert_eq!(fetch.untagged.len(), 2);
}

#[test]
fn without_pipelining_one_command_at_a_time() {
    let mut s = ClientSession::new(ClientConfig {
        pipelining: false,
        ..plain_config()
    });
    run(&mut s, &[S(b"* PREAUTH hi\r\n")]);
    s.noop();
    s.noop();
    run(
        &mut s,
        &[
            C(b"A0001 NOOP\r\n"),
            S(b"A0001 OK\r\n"),
            C(b"A0002 NOOP\r\n"),
            S(b"A0002 OK\r\n"),
        ],
    );
}

#[test]
fn streamed_append() {
    let mut s = ClientSession::new(plain_config());
    run(&mut s, &[S(b"* PREAUTH [CAPABILITY IMAP4rev1] hi\r\n")]);
    let tag = s.append_stream("INBOX", &[Flag::Keyword(Atom::new("$Big").unwrap())], 10);
    assert_eq!(
        s.append_data(b"x"),
        Err(ClientError::Misuse("append_data before Event::AppendReady"))
    );
    s.noop();
    let events = run(
        &mut s,
        &[C(b"A0001 APPEND INBOX ($Big) {10}\r\n"), S(b"+ go\r\n")],
    );
    assert_eq!(events, vec![Event::AppendReady { tag: tag.clone() }]);
    s.append_data(b"01234").unwrap();
    assert_eq!(
        s.append_data(b"567890"),
        Err(ClientError::Misuse("append_data past the announced length"))
    );
    s.append_data(b"56789").unwrap();
    let events = run(
        &mut s,
        &[
            // The message, its CRLF, then the queued NOOP.
            C(b"0123456789\r\nA0002 NOOP\r\n"),
            S(b"A0001 OK\r\nA0002 OK\r\n"),
        ],
    );
    assert_eq!(done(&events[0]).tag, tag);

    // LITERAL+: ready at once.
    let mut s = ClientSession::new(plain_config());
    run(
        &mut s,
        &[S(b"* PREAUTH [CAPABILITY IMAP4rev1 LITERAL+] hi\r\n")],
    );
    let tag = s.append_stream("INBOX", &[], 3);
    assert_eq!(s.next_event(), Ok(Event::AppendReady { tag }));
    s.append_data(b"abc").unwrap();
    run(&mut s, &[C(b"A0001 APPEND INBOX {3+}\r\nabc\r\n")]);
}

#[test]
fn server_errors_end_the_session() {
    let mut s = ClientSession::new(plain_config());
    run(&mut s, &[S(b"* PREAUTH hi\r\n")]);
    s.feed(b"B0001 OK what\r\n");
    assert_eq!(s.next_event(), Err(ClientError::UnknownTag("B0001".into())));

    let mut s = ClientSession::new(plain_config());
    run(&mut s, &[S(b"* PREAUTH hi\r\n")]);
    s.feed(b"* 12 FOO\r\n* OK [UIDNEXT x] bad\r\n");
    assert!(matches!(s.next_event(), Ok(Event::Untagged(_))));
    assert!(matches!(s.next_event(), Err(ClientError::Malformed(_))));
    assert!(s.next_event().is_err());
}

#[test]
fn limits() {
    let mut s = ClientSession::new(ClientConfig {
        max_response_size: 100,
        ..plain_config()
    });
    run(&mut s, &[S(b"* PREAUTH hi\r\n")]);
    s.feed(b"* 1 FETCH (BODY[] {1000}\r\n");
    assert_eq!(
        s.next_event(),
        Err(ClientError::ResponseTooLarge { limit: 100 })
    );

    let mut s = ClientSession::new(ClientConfig {
        max_untagged_per_command: 2,
        ..plain_config()
    });
    run(&mut s, &[S(b"* PREAUTH hi\r\n")]);
    s.command(|e| {
        e.raw(b"FETCH 1:* FLAGS");
    })
    .unwrap();
    s.feed(b"* 1 FETCH (FLAGS ())\r\n* 2 FETCH (FLAGS ())\r\n* 3 FETCH (FLAGS ())\r\n");
    assert_eq!(
        s.next_event(),
        Err(ClientError::TooManyResponses {
            tag: "A0001".into(),
            limit: 2
        })
    );
}

#[test]
fn command_refuses_what_needs_its_own_method() {
    let mut s = ClientSession::new(plain_config());
    for cmd in [
        b"LOGIN a b".as_slice(),
        b"select INBOX",
        b"IDLE",
        b"StartTLS",
        b"AUTHENTICATE PLAIN",
    ] {
        assert_eq!(
            s.command(|e| {
                e.raw(cmd);
            })
            .map_err(|e| e.fault()),
            Err(Fault::Application)
        );
    }
    assert_eq!(s.pending_commands(), 0);
    assert_eq!(command_name(b"uid  move 1 x"), "UID MOVE");
    assert_eq!(command_name(b"NOOP"), "NOOP");
}

#[test]
fn enabled_utf8_changes_mailbox_encoding() {
    let mut s = ClientSession::new(plain_config());
    run(
        &mut s,
        &[S(
            b"* PREAUTH [CAPABILITY IMAP4rev1 UTF8=ACCEPT ENABLE] hi\r\n",
        )],
    );
    s.command(|e| {
        e.raw(b"ENABLE UTF8=ACCEPT");
    })
    .unwrap();
    let events = run(
        &mut s,
        &[
            C(b"A0001 ENABLE UTF8=ACCEPT\r\n"),
            S(b"* ENABLED UTF8=ACCEPT\r\nA0001 OK\r\n"),
        ],
    );
    assert_eq!(done(&events[0]).untagged.len(), 1);
    assert_eq!(s.enabled().collect::<Vec<_>>(), ["UTF8=ACCEPT"]);
    s.select("März");
    run(&mut s, &[C("A0002 SELECT \"März\"\r\n".as_bytes())]);
}
