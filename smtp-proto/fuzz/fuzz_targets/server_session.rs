#![no_main]
//! The whole sans-IO server session on arbitrary input: the first byte picks the read size, the
//! second the protocol and policy, the rest is fed as the client's bytes. Decisions alternate
//! between accept and reject, AUTH steps fail or succeed, STARTTLS "handshakes" at once.
//! Checks: no panic, no misuse error from a correctly driven session, output replies parse back,
//! and the session stops at a Close.
use std::sync::Arc;

use libfuzzer_sys::fuzz_target;
use smtp_proto::data::BareLineEndingPolicy;
use smtp_proto::parse::reply::parse_reply;
use smtp_proto::session::server::{
    AuthOutcome, Decision, Event, Protocol, ServerConfig, ServerSession,
};
use smtp_proto::types::reply::{Reply, ReplyCode};

fuzz_target!(|data: &[u8]| {
    let [split, mode, input @ ..] = data else {
        return;
    };
    let split = usize::from(*split).max(1);
    let mut config = ServerConfig::new("mx.example.org");
    if mode & 1 == 1 {
        config.protocol = Protocol::Lmtp;
    }
    if mode & 2 == 2 {
        config.bare_line_endings = BareLineEndingPolicy::Normalize;
    }
    config.starttls = mode & 4 == 4;
    config.max_recipients = 3;
    config.max_message_size = Some(4096);
    config.extensions.chunking = true;
    config.extensions.binary_mime = true;
    config.extensions.smtputf8 = true;
    config.extensions.etrn = true;
    config.extensions.expn = true;
    config.auth_mechanisms = sasl::Mechanism::ALL.to_vec();
    config.auth.allow_plaintext = mode & 8 != 8;
    let mut session = ServerSession::new(Arc::new(config));
    let mut toggle = mode & 16 == 16;
    let mut output = session.take_output();

    'feed: for piece in input.chunks(split) {
        session.feed(piece);
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
                Event::Close(_) => break 'feed,
                Event::StartTls => session.tls_started(),
                Event::Auth(step) => {
                    toggle = !toggle;
                    let outcome = match (step.first, toggle) {
                        (true, _) => AuthOutcome::Challenge(b"challenge".to_vec()),
                        (false, true) => AuthOutcome::Success {
                            identity: "user".into(),
                        },
                        (false, false) => AuthOutcome::Failure,
                    };
                    session.auth_outcome(outcome)
                }
                Event::DataEnd(end) => {
                    let mut result = Ok(());
                    for _ in 0..end.replies {
                        result = result.and_then(|()| session.decide(Decision::Accept));
                    }
                    result
                }
                event if event.needs_decision() => {
                    toggle = !toggle;
                    let decision = if toggle {
                        Decision::Accept
                    } else {
                        let code = ReplyCode::new(550).expect("valid code");
                        Decision::Reject(Reply::new(code, None, "no"))
                    };
                    session.decide(decision)
                }
                _ => Ok(()),
            };
            if let Err(e) = result {
                panic!("correctly driven session refused a decision: {e}");
            }
        }
        output.extend_from_slice(&session.take_output());
    }
    output.extend_from_slice(&session.take_output());

    // Everything the server wrote is a sequence of well-formed replies.
    let mut rest = &output[..];
    while !rest.is_empty() {
        match parse_reply(rest) {
            Ok((_, used)) => rest = &rest[used..],
            Err(e) => panic!(
                "server wrote a malformed reply ({e}): {:?}",
                String::from_utf8_lossy(rest)
            ),
        }
    }
});
