//! Greeting, state changes, IDLE, pipelining, routing, limits, misuse.

use super::*;
use crate::token::{Atom, Flag, FlagPerm};

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
        Event::Greeting(Status {
            kind: StatusKind::PreAuth,
            ..
        })
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
            Event::Untagged(u) => kind(u),
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
    // IDLE and DONE before the greeting: both wait.
    s.idle().unwrap();
    s.done().unwrap();
    assert!(s.done().is_err(), "one DONE per IDLE");
    run(&mut s, &[S(b"* PREAUTH hi\r\n")]);
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
    assert_eq!(events[0], Event::Untagged(Response::Data(Data::Exists(5))));
    let list = done(&events[1]);
    assert_eq!(list.command, "LIST");
    assert_eq!(list.untagged.len(), 1);
    let search = done(&events[2]);
    assert_eq!(search.command, "UID SEARCH");
    assert_eq!(
        search.untagged[0],
        Response::Data(Data::Search {
            nums: vec![2],
            modseq: None
        })
    );
    let fetch = done(&events[3]);
    assert_eq!(fetch.untagged.len(), 2);
}

/// RFC 9051 §5.5: a command with sequence numbers waits for an expunging command; UID
/// commands need not.
#[test]
fn sequence_numbers_wait_for_expunge() {
    let mut s = ClientSession::new(plain_config());
    run(&mut s, &[S(b"* PREAUTH hi\r\n")]);
    for cmd in [
        b"EXPUNGE".as_slice(),
        b"UID FETCH 1:* FLAGS",
        b"FETCH 1 FLAGS",
        b"NOOP",
    ] {
        s.command(|e| {
            e.raw(cmd);
        })
        .unwrap();
    }
    let events = run(
        &mut s,
        &[
            C(b"A0001 EXPUNGE\r\nA0002 UID FETCH 1:* FLAGS\r\n"),
            S(b"* 3 EXPUNGE\r\nA0001 OK\r\n"),
            C(b"A0003 FETCH 1 FLAGS\r\nA0004 NOOP\r\n"),
            S(b"A0002 OK\r\nA0003 OK\r\nA0004 OK\r\n"),
        ],
    );
    assert_eq!(events.len(), 4);
    assert_eq!(
        done(&events[0]).untagged.len(),
        1,
        "the EXPUNGE answered EXPUNGE"
    );
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
    // Unknown data is kept (RFC 9051 §7); a FETCH that breaks the grammar ends the session.
    s.feed(b"* 12 FOO\r\n* OK [UIDNEXT x] text\r\n* 1 FETCH (UID 0)\r\n");
    assert!(matches!(
        s.next_event(),
        Ok(Event::Untagged(Response::Data(Data::Other {
            number: Some(12),
            ..
        })))
    ));
    // A `[` that opens no valid code is text (a quirk the response parser accepts).
    assert!(matches!(
        s.next_event(),
        Ok(Event::Untagged(Response::Status(Status { code: None, .. })))
    ));
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

/// Commands built with the command types go through the same rules as the session's own.
#[test]
fn typed_commands_through_send() {
    use crate::command::CommandBody;
    use crate::token::{AString, Mailbox};

    let mut s = ClientSession::new(plain_config());
    run(&mut s, &[S(b"* OK [CAPABILITY IMAP4rev1] hi\r\n")]);
    s.send(CommandBody::Login {
        username: AString::from("fred smith"),
        password: Secret::new(AString::from("x\u{e9}")),
    })
    .unwrap();
    s.send(CommandBody::Select {
        mailbox: Mailbox::from("Sent"),
        params: Vec::new(),
    })
    .unwrap();
    let events = run(
        &mut s,
        &[
            // The password's 8-bit octets need a literal: the session waits for "+".
            C(b"A0001 LOGIN \"fred smith\" {3}\r\n"),
            S(b"+ ok\r\n"),
            C("x\u{e9}\r\n".as_bytes()),
            S(b"A0001 OK [CAPABILITY IMAP4rev1 UNSELECT] in\r\n"),
            // SELECT changes the state: sent after LOGIN completed.
            C(b"A0002 SELECT Sent\r\n"),
            S(b"* 7 EXISTS\r\nA0002 OK [READ-WRITE] ok\r\n"),
            A(&|s| {
                s.send(CommandBody::Unselect).unwrap();
            }),
            C(b"A0003 UNSELECT\r\n"),
            S(b"A0003 OK\r\n"),
        ],
    );
    assert_eq!(events.len(), 3);
    assert_eq!(done(&events[1]).untagged.len(), 1);
    assert_eq!(s.mailbox(), None);
    assert_eq!(s.state(), ConnectionState::Authenticated);
    assert_eq!(
        s.send(CommandBody::Authenticate {
            mechanism: Atom::new("PLAIN").unwrap(),
            initial_response: None,
        })
        .map_err(|e| e.fault()),
        Err(Fault::Application)
    );

    let mut s = ClientSession::new(ClientConfig::default());
    run(&mut s, &[S(b"* OK [CAPABILITY IMAP4rev1] hi\r\n")]);
    assert_eq!(
        s.send(CommandBody::Login {
            username: AString::from("u"),
            password: Secret::new(AString::from("p")),
        }),
        Err(ClientError::CredentialsWithoutTls)
    );
}

proptest::proptest! {
    /// Whatever the server sends, the session answers with events or an error, never a panic,
    /// and an error is final.
    #[test]
    fn arbitrary_server_bytes_never_panic(
        chunks in proptest::collection::vec(proptest::collection::vec(proptest::prelude::any::<u8>(), 0..64), 0..8),
        literal in proptest::prelude::any::<bool>(),
    ) {
        let mut s = ClientSession::new(ClientConfig { max_response_size: 4096, ..plain_config() });
        s.feed(b"* PREAUTH [CAPABILITY IMAP4rev1 IDLE] hi\r\n");
        if literal {
            s.append("INBOX", &[], b"message");
        }
        s.idle().unwrap();
        for chunk in &chunks {
            s.feed(chunk);
            for _ in 0..1000 {
                match s.next_event() {
                    Ok(Event::NeedInput | Event::StartTls | Event::Closed) => break,
                    Ok(_) => {}
                    Err(e) => {
                        proptest::prop_assert_eq!(s.next_event(), Err(e));
                        return Ok(());
                    }
                }
            }
        }
    }
}

#[test]
fn bad_select_keeps_the_selected_mailbox() {
    let mut s = ClientSession::new(plain_config());
    run(&mut s, &[S(b"* PREAUTH hi\r\n")]);
    s.select("INBOX");
    s.select("Bad\u{0}Name");
    run(
        &mut s,
        &[
            C(b"A0001 SELECT INBOX\r\n"),
            S(b"* 2 EXISTS\r\nA0001 OK [READ-WRITE] ok\r\n"),
            C(b"A0002 SELECT Bad&AAA-Name\r\n"),
            S(b"A0002 BAD invalid mailbox name\r\n"),
        ],
    );
    // BAD: the command was not carried out; INBOX stays selected.
    assert_eq!(s.state(), ConnectionState::Selected);
    assert_eq!(s.mailbox().unwrap().exists, 2);
}
