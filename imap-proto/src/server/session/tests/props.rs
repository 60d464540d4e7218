//! Property tests: any split of the input gives the same output and the same events; arbitrary
//! bytes with arbitrary answers never panic and keep the output in whole CRLF lines.

use proptest::prelude::*;

use super::*;

/// A transcript that touches every state and phase but STARTTLS/COMPRESS (which drop buffered
/// input, so their effect depends on the split by design).
const TRANSCRIPT: &[u8] = b"a1 CAPABILITY\r\na2 LOGIN alice nope\r\na3 AUTHENTICATE PLAIN\r\n*\r\n\
    a4 AUTHENTICATE PLAIN\r\nAGFsaWNlAHdvbmRlcmxhbmQ=\r\na5 ENABLE QRESYNC\r\na6 ID NIL\r\n\
    a7 SELECT INBOX\r\na8 FETCH 1:* (FLAGS)\r\na9 IDLE\r\nDONE\r\nb1 APPEND INBOX {5+}\r\n\
    hello (\\Seen) {3+}\r\nbye\r\nb2 CREATE {4+}\r\nTest\r\nb3 FROB\r\n\
    b4 LIST \"\" %\r\nb5 APPEND INBOX {3+}\r\nabc junk\r\nb6 LOGOUT\r\nb7 NOOP\r\n";

/// Runs `input` cut at `cuts`; the output and the events.
fn run_split(input: &[u8], cuts: &[usize]) -> (String, Vec<String>) {
    let mut d = Driver::new();
    let mut out = String::new();
    let mut cuts: Vec<usize> = cuts.iter().map(|c| c % (input.len() + 1)).collect();
    cuts.sort_unstable();
    let mut from = 0;
    for cut in cuts.into_iter().chain([input.len()]) {
        out += &d.run_bytes(input.get(from..cut).unwrap_or_default());
        from = cut;
    }
    (out, d.log)
}

#[test]
fn whole_transcript() {
    let (out, log) = run_split(TRANSCRIPT, &[]);
    assert!(out.contains("a2 NO [AUTHENTICATIONFAILED]"), "{out}");
    assert!(out.contains("a3 BAD Authentication cancelled\r\n"), "{out}");
    assert!(out.contains("a4 OK [CAPABILITY"), "{out}");
    assert!(out.contains("* ENABLED QRESYNC\r\n"), "{out}");
    assert!(
        out.contains("+ idling\r\na9 OK IDLE terminated\r\n"),
        "{out}"
    );
    assert!(out.contains("b1 OK APPEND completed\r\n"), "{out}");
    assert!(out.contains("b3 BAD Unknown command\r\n"), "{out}");
    assert!(out.contains("b5 BAD Syntax error in APPEND"), "{out}");
    assert!(out.ends_with("* BYE imap.example.org logging out\r\nb6 OK LOGOUT completed\r\n"));
    assert!(!out.contains("b7"));
    assert_eq!(log.last().map(String::as_str), Some("Close Logout"));
    assert!(
        log.contains(&"AppendMessageEnd \"bye\"".to_string()),
        "{log:?}"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn any_split_gives_the_same_output(cuts in proptest::collection::vec(0usize..10_000, 0..12)) {
        let whole = run_split(TRANSCRIPT, &[]);
        let split = run_split(TRANSCRIPT, &cuts);
        // AppendData comes in any pieces; the log joins them per message.
        prop_assert_eq!(whole, split);
    }

    #[test]
    fn arbitrary_input_never_panics(
        input in proptest::collection::vec(any::<u8>(), 0..600),
        sizes in proptest::collection::vec(1usize..64, 1..8),
        choices in proptest::collection::vec(any::<u8>(), 1..16),
    ) {
        let mut prefixed = b"a LOGIN alice wonderland\r\n".to_vec();
        prefixed.extend(&input);
        let (out, _) = drive(&prefixed, &sizes, &choices);
        // Whole lines only (literal octets aside, which the session never writes here).
        prop_assert!(out.is_empty() || out.ends_with(b"\r\n"));
    }
}

/// Drives a session on `input` cut in pieces of `sizes`, answering every event from
/// `choices` (accept or refuse, success or failure, OK or NO): what the fuzz target does.
pub(crate) fn drive(
    input: &[u8],
    sizes: &[usize],
    choices: &[u8],
) -> (Vec<u8>, Option<CloseReason>) {
    let mut config = config();
    config.max_pending_output = 512;
    let mut s = ServerSession::new(Arc::new(config));
    let mut output = s.take_output();
    let mut pick = choices.iter().copied().cycle();
    let mut next = move || pick.next().unwrap_or(0);
    let mut rest = input;
    let mut sizes = sizes.iter().copied().cycle();
    let mut pending_tls = false;
    while !rest.is_empty() {
        let n = sizes.next().unwrap_or(1).clamp(1, rest.len());
        let (piece, tail) = rest.split_at(n);
        rest = tail;
        if pending_tls {
            pending_tls = false;
            s.tls_started().expect("tls answer");
        }
        s.feed(piece);
        loop {
            let event = s.next_event().expect("correctly driven");
            match event {
                Event::NeedInput => break,
                Event::Flush => output.extend(s.take_output()),
                Event::Close(reason) => {
                    output.extend(s.take_output());
                    return (output, Some(reason));
                }
                Event::StartTls => {
                    pending_tls = true;
                    break;
                }
                Event::Login { .. } => {
                    let outcome = if next() % 2 == 0 {
                        AuthOutcome::Success {
                            identity: "alice".into(),
                        }
                    } else {
                        AuthOutcome::Failure
                    };
                    s.auth_outcome(outcome).expect("auth");
                }
                Event::Auth(_) => {
                    let outcome = match next() % 4 {
                        0 => AuthOutcome::Success {
                            identity: "alice".into(),
                        },
                        1 => AuthOutcome::Failure,
                        2 => AuthOutcome::Temporary,
                        _ => AuthOutcome::Challenge(vec![next(); 3]),
                    };
                    s.auth_outcome(outcome).expect("auth");
                }
                Event::OpenAccount { .. } => {
                    let result = if next() % 4 == 0 {
                        Err(AccountError::Temporary)
                    } else {
                        Ok(())
                    };
                    s.account_opened(result).expect("account");
                }
                Event::Command(request) => {
                    match request.command {
                        CommandBody::Select { .. } => s.set_selected(Some(next() % 2 == 0)),
                        CommandBody::Close | CommandBody::Unselect => s.set_selected(None),
                        _ => {}
                    }
                    let kind = if next() % 2 == 0 {
                        StatusKind::Ok
                    } else {
                        StatusKind::No
                    };
                    s.complete(kind, None, "done").expect("complete");
                }
                Event::AppendMessage(_) => {
                    if next() % 3 == 0 {
                        s.append_refuse(None, "no").expect("refuse");
                    } else {
                        s.append_accept().expect("accept");
                    }
                }
                Event::AppendEnd => {
                    let kind = if next() % 2 == 0 {
                        StatusKind::Ok
                    } else {
                        StatusKind::No
                    };
                    s.complete(kind, None, "done").expect("complete");
                }
                Event::Compress => s.compression_started().expect("compress"),
                Event::AppendData(_)
                | Event::AppendMessageEnd
                | Event::AppendAborted
                | Event::Idle
                | Event::IdleDone => {}
            }
            if next() % 7 == 0 {
                output.extend(s.take_output());
            }
        }
    }
    if pending_tls {
        s.tls_started().expect("tls answer");
    }
    if next() % 2 == 0 {
        s.timeout();
    } else {
        s.shutdown();
    }
    loop {
        match s.next_event().expect("correctly driven") {
            Event::Close(reason) => {
                output.extend(s.take_output());
                return (output, Some(reason));
            }
            Event::NeedInput => break,
            _ => {}
        }
    }
    output.extend(s.take_output());
    (output, None)
}
