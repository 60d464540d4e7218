//! Back-pressure: a peer that pipelines commands and never reads their replies cannot make the
//! session hold more than `max_pending_output` (plus one reply) of output.

use std::sync::Arc;

use super::super::{Event, ServerSession};
use super::cfg;

/// The longest single reply a NOOP or an error gets here (a one-line reply).
const ONE_REPLY: usize = 128;

/// Drives `session` like a driver whose socket takes only `drain` octets per write: on
/// `Flush` it writes that much and goes on without reading. Returns the octets written, the
/// peak of pending output, and the number of `Flush` events.
fn drain_slowly(session: &mut ServerSession, drain: usize) -> (Vec<u8>, usize, usize) {
    let mut written = Vec::new();
    let mut peak = session.output().len();
    let mut flushes = 0;
    loop {
        let flush = match session.next_event().expect("no misuse") {
            Event::Flush => true,
            Event::NeedInput | Event::Close(_) => false,
            other => panic!("unexpected {other:?}"),
        };
        peak = peak.max(session.output().len());
        if !flush {
            break;
        }
        flushes += 1;
        let n = drain.min(session.output().len());
        written.extend_from_slice(&session.output()[..n]);
        session.output_written(n);
    }
    written.extend(session.take_output());
    (written, peak, flushes)
}

#[test]
fn pipelined_noops_never_pile_up_replies() {
    let config = cfg();
    let bound = config.max_pending_output;
    let mut session = ServerSession::new(Arc::new(config));
    let count = 3 * 1024 * 1024 / b"NOOP\r\n".len(); // 3 MiB of commands in one read
    session.feed(&b"NOOP\r\n".repeat(count));
    let (written, peak, flushes) = drain_slowly(&mut session, 1000);
    assert!(
        peak <= bound + ONE_REPLY,
        "pending output peaked at {peak} octets, bound {bound}"
    );
    assert!(flushes > 100, "only {flushes} flushes");
    // Every command got its reply, in order, none lost to the back-pressure.
    let text = String::from_utf8(written).expect("replies are text");
    assert!(text.starts_with("220 foo.com ESMTP"));
    assert_eq!(text.matches("250 2.0.0 OK\r\n").count(), count);
}

#[test]
fn flush_takes_no_input_until_the_output_drains() {
    let mut config = cfg();
    config.max_pending_output = 100;
    let mut session = ServerSession::new(Arc::new(config));
    session.feed(&b"NOOP\r\n".repeat(50));
    let mut events = Vec::new();
    loop {
        match session.next_event().expect("no misuse") {
            Event::Flush => break,
            other => events.push(format!("{other:?}")),
        }
    }
    assert!(events.is_empty(), "{events:?}");
    let held = session.output().len();
    assert!(held > 100 && held <= 100 + ONE_REPLY, "{held}");
    // Not drained: asked again, the session still takes nothing.
    assert_eq!(session.next_event(), Ok(Event::Flush));
    assert_eq!(session.output().len(), held);
    let mut all = session.output().to_vec();
    session.output_written(held);
    let (written, peak, _) = drain_slowly(&mut session, usize::MAX);
    assert!(peak <= 100 + ONE_REPLY);
    all.extend(written);
    let text = String::from_utf8(all).expect("replies are text");
    assert_eq!(text.matches("250 2.0.0 OK\r\n").count(), 50, "{text}");
}
