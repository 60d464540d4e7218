#![no_main]
//! The whole sans-IO POP3 server session on arbitrary input: the first byte picks the read
//! size, the second the configuration, the third seeds the driver's choices; the rest is fed as
//! the client's bytes. Events are answered from a small deterministic generator: logins succeed
//! or fail, maildrops open or are locked, bodies stream in pieces or fail, STLS "handshakes" at
//! once, and now and then the driver times out or shuts down.
//! Checks: no panic, no misuse error from a correctly driven session, the output is complete
//! CRLF lines (no bare LF; a body cut by a storage failure may end mid-line), nothing is
//! written after the close, and the session stops at a Close.
use std::sync::Arc;

use libfuzzer_sys::fuzz_target;
use pop3_proto::session::{
    AuthOutcome, CloseReason, Event, MaildropEntry, MaildropError, ServerConfig, ServerSession,
    UpdateOutcome,
};
use pop3_proto::types::capability::ExpirePolicy;

/// A tiny deterministic generator (xorshift) for the driver's choices.
struct Choices(u64);

impl Choices {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    fn pick(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const BODY: &[u8] = b"Subject: fuzz\r\nFrom: a@b\n\r\n.line\r\nbody\rtext\n..\n.\r\nend";

fuzz_target!(|data: &[u8]| {
    let [split, mode, seed, input @ ..] = data else {
        return;
    };
    let split = usize::from(*split).max(1);
    let mut config = ServerConfig::new("pop.example.org");
    config.stls = mode & 1 == 1;
    config.auth.allow_plaintext = mode & 2 == 2;
    config.apop = mode & 4 == 4;
    config.expire = match mode >> 3 & 3 {
        0 => None,
        1 => Some(ExpirePolicy::Days(0)),
        2 => Some(ExpirePolicy::Never),
        _ => Some(ExpirePolicy::Days(7)),
    };
    config.sasl_mechanisms = sasl::Mechanism::ALL.to_vec();
    config.implementation = (mode & 32 == 32).then(|| "fuzz".to_owned());
    if mode & 64 == 64 {
        config.max_line_length = 40;
        config.max_auth_line_length = 64;
        config.max_bad_commands = 2;
        config.auth.max_failures = 1;
    }
    let mut session = if mode & 128 == 128 {
        ServerSession::new_implicit_tls(Arc::new(config))
    } else {
        ServerSession::new(Arc::new(config))
    };
    let mut choices = Choices(u64::from(*seed).wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let mut output = session.take_output();
    let mut closed = None;

    'feed: for piece in input.chunks(split) {
        session.feed(piece);
        match choices.pick(64) {
            0 => session.timeout(),
            1 => session.shutdown(),
            _ => {}
        }
        loop {
            let event = match session.next_event() {
                Ok(event) => event,
                Err(e) => panic!("correctly driven session returned an error: {e}"),
            };
            let result = match event {
                Event::NeedInput => break,
                Event::Flush => {
                    output.extend_from_slice(&session.take_output());
                    Ok(())
                }
                Event::Close(reason) => {
                    closed = Some(reason);
                    break 'feed;
                }
                Event::StartTls => session.tls_started(),
                Event::Login { .. } | Event::Apop { .. } => {
                    session.auth_outcome(match choices.pick(3) {
                        0 => AuthOutcome::Failure,
                        1 => AuthOutcome::Temporary,
                        _ => AuthOutcome::Success {
                            identity: "user".into(),
                        },
                    })
                }
                Event::Auth(step) => session.auth_outcome(match choices.pick(4) {
                    0 => AuthOutcome::Failure,
                    1 => AuthOutcome::Success {
                        identity: "user".into(),
                    },
                    2 if !step.first => AuthOutcome::Temporary,
                    _ => AuthOutcome::Challenge(b"challenge".to_vec()),
                }),
                Event::OpenMaildrop { .. } => session.maildrop_opened(match choices.pick(8) {
                    0 => Err(MaildropError::InUse),
                    1 => Err(MaildropError::Temporary),
                    2 => Err(MaildropError::Permanent),
                    3 => Ok(vec![MaildropEntry {
                        id: 1,
                        size: 1,
                        unique_id: "bad uid".into(),
                    }]),
                    n => Ok((0..n as u32 * 2)
                        .map(|i| MaildropEntry {
                            id: 100 + i,
                            size: u64::from(i) * 10,
                            unique_id: format!("uid-{i}"),
                        })
                        .collect()),
                }),
                Event::Retrieve { .. } => {
                    let mut result = Ok(());
                    let mut rest = BODY;
                    while !rest.is_empty() && session.wants_body() && result.is_ok() {
                        if choices.pick(16) == 0 {
                            break;
                        }
                        let n = (choices.pick(8) as usize + 1).min(rest.len());
                        let (chunk, tail) = rest.split_at(n);
                        result = session.body(chunk);
                        rest = tail;
                    }
                    result.and_then(|()| {
                        if rest.is_empty() || !session.wants_body() {
                            session.body_end()
                        } else {
                            session.body_failed()
                        }
                    })
                }
                Event::Update { deleted } => {
                    assert!(!deleted.is_empty(), "UPDATE with nothing to delete");
                    session.update_done(if choices.pick(4) == 0 {
                        UpdateOutcome::Partial
                    } else {
                        UpdateOutcome::Done
                    })
                }
            };
            if let Err(e) = result {
                panic!("correctly driven session refused an answer: {e}");
            }
        }
        output.extend_from_slice(&session.take_output());
    }
    output.extend_from_slice(&session.take_output());
    if closed.is_some() {
        // Nothing more is written after the close, whatever comes.
        session.feed(b"NOOP\r\n");
        session.timeout();
        session.shutdown();
        assert!(matches!(session.next_event(), Ok(Event::Close(_))));
        assert!(session.output().is_empty(), "output after Close");
    }

    // Everything the server wrote is complete CRLF lines, except when a body could not be
    // finished (the connection is then closed in the middle of the response, by design).
    assert!(
        output.is_empty()
            || output.ends_with(b"\r\n")
            || closed == Some(CloseReason::StorageFailed),
        "incomplete line"
    );
    for (i, &b) in output.iter().enumerate() {
        if b == b'\n' {
            assert!(i > 0 && output[i - 1] == b'\r', "bare LF at {i}");
        }
    }
});
