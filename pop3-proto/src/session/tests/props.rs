//! Property tests: any split of the input gives the same output; arbitrary bytes with arbitrary
//! answers never panic, always yield complete CRLF lines, and garbage is cut off.

use proptest::prelude::*;

use super::*;

/// A transcript that touches every state: CAPA, a SASL exchange, TRANSACTION, bodies, QUIT.
const TRANSCRIPT: &[u8] = b"CAPA\r\nAUTH PLAIN\r\n*\r\nUSER alice\r\nPASS nope\r\n\
    AUTH PLAIN\r\nAGFsaWNlAHdvbmRlcmxhbmQ=\r\nSTAT\r\nLIST\nUIDL 2\r\nRETR 1\r\nTOP 2 1\r\n\
    DELE 1\r\nLIST 1\r\nRSET\r\nDELE 3\r\nNOOP\r\nQUIT\r\nSTAT\r\n";

/// Runs `input` cut at `cuts`, the driver answering from its tables.
fn run_split(input: &[u8], cuts: &[usize]) -> (String, Vec<String>) {
    run_split_with(plaintext_config(), input, cuts)
}

fn run_split_with(config: ServerConfig, input: &[u8], cuts: &[usize]) -> (String, Vec<String>) {
    let mut d = Driver::with_config(config);
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

/// Drives a session on `input` cut in pieces of `sizes`, answering events from `choices`.
/// Returns the output and why the session closed, if it did.
fn drive(
    config: ServerConfig,
    input: &[u8],
    sizes: &[usize],
    choices: &[u8],
) -> (Vec<u8>, Option<CloseReason>) {
    let mut s = ServerSession::new(Arc::new(config));
    let mut output = s.take_output();
    let mut pick = choices.iter().copied().cycle();
    let mut next = move || pick.next().unwrap_or(0);
    let mut rest = input;
    let mut sizes = sizes.iter().copied().cycle();
    while !rest.is_empty() {
        let n = sizes.next().unwrap_or(1).clamp(1, rest.len());
        let (piece, tail) = rest.split_at(n);
        rest = tail;
        s.feed(piece);
        loop {
            let event = s.next_event().expect("correctly driven");
            let result = match event {
                Event::NeedInput => break,
                Event::Flush => {
                    output.extend(s.take_output());
                    Ok(())
                }
                Event::Close(reason) => {
                    output.extend(s.take_output());
                    return (output, Some(reason));
                }
                Event::StartTls => s.tls_started(),
                Event::Login { .. } | Event::Apop { .. } | Event::Auth(_) => {
                    s.auth_outcome(match next() % 4 {
                        0 => AuthOutcome::Failure,
                        1 => AuthOutcome::Temporary,
                        2 if matches!(event, Event::Auth(_)) => {
                            AuthOutcome::Challenge(vec![next(); 3])
                        }
                        _ => AuthOutcome::Success {
                            identity: "alice".into(),
                        },
                    })
                }
                Event::OpenMaildrop { .. } => s.maildrop_opened(match next() % 5 {
                    0 => Err(MaildropError::InUse),
                    1 => Err(MaildropError::Temporary),
                    _ => Ok(sample_maildrop()),
                }),
                Event::Retrieve { .. } => {
                    let body = [next(), b'\n', next(), b'.', b'\r', next()];
                    let mut r = Ok(());
                    for chunk in body.chunks(usize::from(next() % 4) + 1) {
                        if s.wants_body() {
                            r = r.and(s.body(chunk));
                        }
                    }
                    r.and(match next() % 6 {
                        0 => s.body_failed(),
                        _ => s.body_end(),
                    })
                }
                Event::Update { .. } => s.update_done(UpdateOutcome::Done),
            };
            result.expect("answer accepted");
        }
        output.extend(s.take_output());
    }
    (output, None)
}

/// Every line of `out` ends with CRLF, and no LF stands alone.
fn complete_crlf_lines(out: &[u8]) -> bool {
    out.is_empty()
        || (out.ends_with(b"\r\n")
            && out
                .iter()
                .enumerate()
                .all(|(i, &b)| b != b'\n' || (i > 0 && out.get(i - 1) == Some(&b'\r'))))
}

#[test]
fn transcript_answer() {
    let (out, log) = run_split(TRANSCRIPT, &[]);
    assert!(out.ends_with("+OK pop.example.org POP3 server signing off (1 messages deleted)\r\n"));
    assert_eq!(log.last().map(String::as_str), Some("Close Quit"));
    assert!(log.contains(&"Update [103]".to_owned()), "{log:?}");
}

/// Garbage: no letters, so no line is a command.
fn garbage() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(
        prop_oneof![
            Just(b'\r'),
            Just(b'\n'),
            Just(b' '),
            b'0'..=b'9',
            b'!'..=b'/',
            0x80u8..=0xff,
            0u8..0x20,
        ],
        0..2000,
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn any_split_gives_the_same_output(cuts in proptest::collection::vec(any::<usize>(), 0..12)) {
        let whole = run_split(TRANSCRIPT, &[]);
        prop_assert_eq!(run_split(TRANSCRIPT, &cuts), whole.clone());
        // Back-pressure changes when output is written, never what: the same with a bound so
        // small that nearly every response waits for a flush.
        let mut config = plaintext_config();
        config.max_pending_output = cuts.first().map_or(0, |c| c % 64);
        prop_assert_eq!(run_split_with(config, TRANSCRIPT, &cuts), whole);
    }

    #[test]
    fn arbitrary_input_never_breaks_the_session(
        input in proptest::collection::vec(any::<u8>(), 0..1500),
        prefix in prop_oneof![
            Just(&b""[..]),
            Just(&b"USER alice\r\nPASS x\r\n"[..]),
            Just(&b"AUTH PLAIN\r\n"[..]),
            Just(&b"AUTH PLAIN AGFsaWNlAHdvbmRlcmxhbmQ=\r\n"[..]),
            Just(&b"USER alice\r\nPASS x\r\nRETR 1\r\nTOP 2 0\r\nDELE 1\r\nRETR 3\r\nQUIT\r\n"[..]),
        ],
        sizes in proptest::collection::vec(1usize..64, 1..8),
        choices in proptest::collection::vec(any::<u8>(), 1..16),
        stls in any::<bool>(),
    ) {
        let mut config = plaintext_config();
        config.stls = stls;
        config.apop = true;
        config.max_line_length = 64;
        let mut bytes = prefix.to_vec();
        bytes.extend(&input);
        let (out, closed) = drive(config, &bytes, &sizes, &choices);
        // A body cut by a storage failure ends the connection mid-response, by design.
        let cut = closed == Some(CloseReason::StorageFailed);
        let mut complete = out.clone();
        if cut && !complete.ends_with(b"\r\n") {
            complete.extend_from_slice(b"\r\n");
        }
        prop_assert!(complete_crlf_lines(&complete), "{:?}", String::from_utf8_lossy(&out));
    }

    #[test]
    fn garbage_is_cut_off(
        input in garbage(),
        sizes in proptest::collection::vec(1usize..300, 1..8),
    ) {
        let config = plaintext_config();
        let max = config.max_bad_commands;
        let (out, closed) = drive(config, &input, &sizes, &[0]);
        prop_assert!(complete_crlf_lines(&out));
        let text = String::from_utf8_lossy(&out);
        let errs = text.matches("-ERR").count();
        prop_assert!(errs <= max as usize + 1, "{errs} errors: {text}");
        prop_assert_eq!(errs, text.lines().count() - 1, "{}", text);
        if closed.is_some() {
            prop_assert!(text.ends_with("-ERR Too many bad commands, closing\r\n"), "{}", text);
        }
    }
}
