#![no_main]
//! Fuzzes the sans-IO IMAP server session (`imap_proto::server::session`) with arbitrary
//! input in arbitrary splits, every event answered from the fuzz data.
//!
//! Input: byte 0 the number of split sizes that follow (mod 16), each one byte; then the
//! number of answer bytes (mod 16, at least one), each one byte, taken in turn to answer the
//! events (login success or failure, a SASL challenge, the account opened or not, APPEND
//! accepted or refused, a command completed OK or NO); bit 0 of the first answer byte allows
//! plaintext logins without TLS; the rest is what the client sends. Starting with
//! `a LOGIN alice wonderland` or `AUTHENTICATE PLAIN` reaches the authenticated states.
//!
//! Checks: no panic; the driver is never told an event is unanswered (the session keeps its own
//! call order); every time input is awaited the output is whole CRLF lines and no larger than
//! the back-pressure bound plus one response; after `Close` nothing else happens.
use std::sync::Arc;

use fuzz_support::split;
use imap_proto::command::CommandBody;
use imap_proto::framing::FramerLimits;
use imap_proto::response::StatusKind;
use imap_proto::server::session::{AccountError, AuthOutcome, Event, ServerConfig, ServerSession};
use libfuzzer_sys::fuzz_target;

/// The back-pressure bound of the fuzzed sessions.
const MAX_PENDING: usize = 256;
/// The largest single response the session writes by itself (the capability list is the
/// longest, about 600 octets).
const ONE_RESPONSE: usize = 2048;

fn config(plaintext: bool) -> ServerConfig {
    let mut config = ServerConfig::new("fuzz.example");
    config.auth.allow_plaintext = plaintext;
    config.auth.max_failures = 5;
    config.starttls = true;
    config.limits = FramerLimits {
        max_line: 256,
        max_literal: 1024,
        max_message: 2048,
    };
    config.append_limit = 512;
    config.max_pending_output = MAX_PENDING;
    config
}

/// Answers from the fuzz data, in turn.
struct Answers<'a> {
    bytes: &'a [u8],
    next: usize,
}

impl Answers<'_> {
    fn pick(&mut self) -> u8 {
        let b = self.bytes[self.next % self.bytes.len()];
        self.next += 1;
        b
    }
}

fn check_output(s: &mut ServerSession, written: &mut usize) {
    let out = s.take_output();
    assert!(
        out.len() <= MAX_PENDING + ONE_RESPONSE,
        "{} octets of output held",
        out.len()
    );
    assert!(out.is_empty() || out.ends_with(b"\r\n"), "a partial line");
    *written += out.len();
}

fuzz_target!(|data: &[u8]| {
    let Some((n, rest)) = data.split_first() else {
        return;
    };
    let (sizes, rest) = rest.split_at(usize::from(n % 16).min(rest.len()));
    let Some((count, rest)) = rest.split_first() else {
        return;
    };
    let (answers, stream) = rest.split_at(usize::from(count % 16).max(1).min(rest.len()));
    if answers.is_empty() {
        return;
    }
    let mut answers = Answers {
        bytes: answers,
        next: 0,
    };
    let mut s = ServerSession::new(Arc::new(config(answers.bytes[0] & 1 == 1)));
    let mut written = 0;
    check_output(&mut s, &mut written);
    let mut tls_pending = false;
    let mut closed = false;
    'input: for chunk in split(stream, sizes) {
        if tls_pending {
            tls_pending = false;
            s.tls_started().expect("StartTls answered");
        }
        s.feed(chunk);
        loop {
            let event = s.next_event().expect("every event answered");
            match event {
                Event::NeedInput => {
                    check_output(&mut s, &mut written);
                    break;
                }
                Event::Flush => check_output(&mut s, &mut written),
                Event::Close(_) => {
                    closed = true;
                    break 'input;
                }
                Event::StartTls => {
                    tls_pending = true;
                    break;
                }
                Event::Login { .. } => {
                    let outcome = match answers.pick() % 3 {
                        0 | 1 => AuthOutcome::Success {
                            identity: "alice".into(),
                        },
                        _ => AuthOutcome::Failure,
                    };
                    s.auth_outcome(outcome).expect("Login answered");
                }
                Event::Auth(step) => {
                    assert!(step.first || step.response.is_some());
                    let outcome = match answers.pick() % 5 {
                        0 | 1 => AuthOutcome::Success {
                            identity: "alice".into(),
                        },
                        2 => AuthOutcome::Failure,
                        3 => AuthOutcome::Temporary,
                        b => AuthOutcome::Challenge(vec![b; usize::from(b)]),
                    };
                    s.auth_outcome(outcome).expect("Auth answered");
                }
                Event::OpenAccount { .. } => {
                    let result = match answers.pick() % 5 {
                        0 => Err(AccountError::Temporary),
                        1 => Err(AccountError::Permanent),
                        _ => Ok(()),
                    };
                    s.account_opened(result).expect("OpenAccount answered");
                }
                Event::Command(request) => {
                    let pick = answers.pick();
                    match request.command {
                        CommandBody::Select { .. } | CommandBody::Examine { .. } => {
                            s.set_selected((pick % 3 != 0).then_some(pick & 4 != 0))
                        }
                        CommandBody::Close | CommandBody::Unselect => s.set_selected(None),
                        _ => {}
                    }
                    let kind = if pick & 1 == 0 {
                        StatusKind::Ok
                    } else {
                        StatusKind::No
                    };
                    s.complete(kind, None, "done").expect("Command answered");
                }
                Event::AppendMessage(m) => {
                    assert!(m.size <= 512, "over APPENDLIMIT: {}", m.size);
                    if answers.pick() % 3 == 0 {
                        s.append_refuse(None, "no").expect("refused");
                    } else {
                        s.append_accept().expect("accepted");
                    }
                }
                Event::AppendEnd => {
                    let kind = if answers.pick() & 1 == 0 {
                        StatusKind::Ok
                    } else {
                        StatusKind::No
                    };
                    s.complete(kind, None, "done").expect("AppendEnd answered");
                }
                Event::Compress => s.compression_started().expect("Compress answered"),
                Event::AppendData(bytes) => assert!(!bytes.is_empty()),
                Event::AppendMessageEnd | Event::AppendAborted | Event::Idle | Event::IdleDone => {}
            }
        }
    }
    if !closed {
        if tls_pending {
            s.tls_started().expect("StartTls answered");
        }
        if answers.pick() & 1 == 0 {
            s.timeout();
        } else {
            s.shutdown();
        }
        loop {
            match s.next_event().expect("every event answered") {
                Event::Close(_) => break,
                Event::AppendAborted | Event::Flush => {}
                other => panic!("after timeout/shutdown: {other:?}"),
            }
        }
    }
    check_output(&mut s, &mut written);
    // Once closed, the session reads nothing more.
    s.feed(b"z NOOP\r\n");
    assert!(matches!(s.next_event(), Ok(Event::Close(_))));
    assert!(s.take_output().is_empty());
});
