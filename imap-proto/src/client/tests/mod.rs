//! The client session against a scripted fake server: `C:`/`S:` exchanges, no sockets.
//! The harness is here; the tests are split by concept.

mod auth;
mod flow;
mod literals;
mod rfc;

use super::*;
use crate::response::Data;
use sasl::Secret;

/// One step of a scripted exchange.
pub(super) enum Step<'a> {
    /// The server sends these bytes.
    S(&'a [u8]),
    /// The session must have written exactly these bytes since the last `C`.
    C(&'a [u8]),
    /// The same but for the case of letters: a transcript's `a002 select inbox` against the
    /// session's own `a002 SELECT INBOX` (keywords and INBOX are case-insensitive, RFC 9051
    /// §9 note 1, §5.1).
    Ci(&'a [u8]),
    /// The application acts.
    A(&'a dyn Fn(&mut ClientSession)),
}
pub(super) use Step::{A, C, Ci, S};

/// Every event up to the next `NeedInput` (or `StartTls`/`Closed`, which repeat).
pub(super) fn drain(s: &mut ClientSession) -> Vec<Event> {
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
pub(super) fn run_split(
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
            Ci(want) => {
                extend(&mut events, drain(s));
                let got = s.take_output();
                assert_eq!(
                    String::from_utf8_lossy(&got).to_ascii_lowercase(),
                    String::from_utf8_lossy(want).to_ascii_lowercase(),
                    "client bytes at step {i}"
                );
            }
            A(f) => f(s),
        }
    }
    extend(&mut events, drain(s));
    events
}

pub(super) fn run(s: &mut ClientSession, script: &[Step<'_>]) -> Vec<Event> {
    run_split(s, script, &|b| vec![b.to_vec()])
}

/// A configuration for tests on a plain connection: credentials in the clear allowed, no
/// automatic CAPABILITY (each test says what it sends).
pub(super) fn plain_config() -> ClientConfig {
    ClientConfig {
        allow_plaintext_credentials: true,
        auto_capability: false,
        ..ClientConfig::default()
    }
}

pub(super) fn secret(s: &str) -> Secret<String> {
    Secret::new(s.to_owned())
}

/// A short name of an untagged response: `Exists(4)`, `Fetch(2)`, `Status(Ok)`...
pub(super) fn kind(r: &Response<'_>) -> String {
    match r {
        Response::Data(Data::Exists(n)) => format!("Exists({n})"),
        Response::Data(Data::Expunge(n)) => format!("Expunge({n})"),
        Response::Data(Data::Fetch { seq, .. }) => format!("Fetch({seq})"),
        Response::Data(Data::Other { name, .. }) => format!("Other({name})"),
        Response::Data(d) => format!("{d:?}"),
        Response::Status(s) => format!("Status({:?})", s.kind),
        Response::Continue(_) => "Continue".to_owned(),
    }
}

pub(super) fn done(e: &Event) -> &Completion {
    match e {
        Event::Done(c) => c,
        other => panic!("expected a completion, got {other:?}"),
    }
}
