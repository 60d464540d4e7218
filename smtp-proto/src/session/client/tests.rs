//! Client session tests: server transcripts replayed from the client side.
//!
//! A transcript is a list of `C:` lines (what the client must write, CRLF added) and `S:`
//! lines (what the server answers). Every transcript runs twice: replies fed whole, and
//! fed one byte at a time (every split point of every reply).

use std::collections::VecDeque;

use super::deps::{Body, ForwardPath, MailFrom, Rcpt, ReversePath};
use super::*;

mod failures;
mod rfc;

/// Test-only constructors of envelope values (the one place that knows how paths are built).
pub(super) fn host(name: &str) -> Host<'static> {
    crate::parse::address::parse_host(name.as_bytes())
        .expect("a valid host")
        .into_owned()
}

pub(super) fn reverse(addr: &str) -> ReversePath<'static> {
    crate::parse::address::parse_reverse_path(format!("<{addr}>").as_bytes())
        .expect("a valid reverse path")
        .into_owned()
}

pub(super) fn forward(addr: &str) -> ForwardPath<'static> {
    crate::parse::address::parse_forward_path(format!("<{addr}>").as_bytes())
        .expect("a valid forward path")
        .into_owned()
}

/// An envelope without parameters.
pub(super) fn envelope(from: &str, to: &[&str]) -> Envelope {
    Envelope {
        from: MailFrom {
            path: reverse(from),
            params: Default::default(),
        },
        recipients: to
            .iter()
            .map(|t| Rcpt {
                path: forward(t),
                params: Default::default(),
            })
            .collect(),
    }
}

pub(super) fn config(name: &str) -> ClientConfig {
    ClientConfig::new(host(name))
}

/// One message to send: envelope, body, and how to cut the body into pieces.
pub(super) struct Message {
    pub(super) envelope: Envelope,
    pub(super) body: Vec<u8>,
    pub(super) piece: usize,
}

pub(super) fn message(from: &str, to: &[&str], body: &str) -> Message {
    Message {
        envelope: envelope(from, to),
        body: body.as_bytes().to_vec(),
        piece: usize::MAX,
    }
}

/// Drives a session like a driver would, answering events from a list of messages.
pub(super) struct Harness {
    pub(super) session: ClientSession,
    messages: VecDeque<Message>,
    body: Option<(Vec<u8>, usize, usize)>,
    pub(super) outcomes: Vec<MessageOutcome>,
    pub(super) written: Vec<u8>,
    pub(super) closed: bool,
    pub(super) tls_upgrades: usize,
    /// Send QUIT when out of messages.
    pub(super) quit_when_done: bool,
}

impl Harness {
    pub(super) fn new(session: ClientSession, messages: Vec<Message>) -> Self {
        Self {
            session,
            messages: messages.into(),
            body: None,
            outcomes: Vec::new(),
            written: Vec::new(),
            closed: false,
            tls_upgrades: 0,
            quit_when_done: true,
        }
    }

    fn take_output(&mut self) {
        self.written.extend_from_slice(self.session.output());
        self.session.clear_output();
    }

    /// Runs until the session needs input or closes.
    pub(super) fn drive(&mut self) -> Result<(), ClientError> {
        loop {
            let event = self.session.next();
            self.take_output();
            match event? {
                Event::NeedInput => return Ok(()),
                Event::Closed => {
                    self.closed = true;
                    return Ok(());
                }
                Event::StartTls => {
                    self.tls_upgrades += 1;
                    self.session.tls_started()?;
                }
                Event::Ready => match self.messages.pop_front() {
                    Some(m) => {
                        self.session.send_message(m.envelope)?;
                        self.body = Some((m.body, m.piece, 0));
                    }
                    None if self.quit_when_done => self.session.quit()?,
                    None => return Ok(()),
                },
                Event::NeedBody => {
                    let Some((body, piece, at)) = self.body.as_mut() else {
                        panic!("NeedBody without a message");
                    };
                    if *at >= body.len() {
                        self.session.finish_body()?;
                        self.body = None;
                    } else {
                        let end = at.saturating_add(*piece).min(body.len());
                        self.session.send_body(&body[*at..end])?;
                        *at = end;
                    }
                }
                Event::MessageDone(outcome) => self.outcomes.push(outcome),
            }
            self.take_output();
        }
    }
}

/// A parsed transcript step.
enum Step {
    Client(Vec<u8>),
    Server(Vec<u8>),
}

fn parse_transcript(transcript: &str) -> Vec<Step> {
    let mut steps: Vec<Step> = Vec::new();
    for line in transcript.lines() {
        let line = line.trim_start();
        if line.is_empty() {
            continue;
        }
        let (side, text) = line.split_at(3);
        let mut bytes = text.as_bytes().to_vec();
        bytes.extend_from_slice(b"\r\n");
        match (side, steps.last_mut()) {
            ("C: ", Some(Step::Client(b))) | ("S: ", Some(Step::Server(b))) => {
                b.extend_from_slice(&bytes)
            }
            ("C: ", _) => steps.push(Step::Client(bytes)),
            ("S: ", _) => steps.push(Step::Server(bytes)),
            _ => panic!("bad transcript line {line:?}"),
        }
    }
    steps
}

/// Replays `transcript` against a session made by `make`, feeding server bytes whole
/// (`bytewise == false`) or one at a time; returns the harness for further checks.
pub(super) fn replay_with(
    make: &dyn Fn() -> Harness,
    transcript: &str,
    bytewise: bool,
) -> Result<Harness, Box<(Harness, ClientError)>> {
    let mut h = make();
    for step in parse_transcript(transcript) {
        match step {
            Step::Client(expected) => {
                assert_eq!(
                    String::from_utf8_lossy(&h.written),
                    String::from_utf8_lossy(&expected),
                    "client output differs (bytewise: {bytewise})"
                );
                h.written.clear();
            }
            Step::Server(bytes) => {
                let pieces: Vec<&[u8]> = if bytewise {
                    bytes.chunks(1).collect()
                } else {
                    vec![&bytes[..]]
                };
                for piece in pieces {
                    h.session.feed(piece);
                    if let Err(e) = h.drive() {
                        return Err(Box::new((h, e)));
                    }
                }
            }
        }
    }
    assert!(
        h.written.is_empty(),
        "unexpected client output at the end: {:?}",
        String::from_utf8_lossy(&h.written)
    );
    Ok(h)
}

/// Replays both ways, expects success, returns the byte-wise run's harness after checking
/// that both runs reached the same outcomes.
pub(super) fn replay(make: &dyn Fn() -> Harness, transcript: &str) -> Harness {
    let whole = replay_with(make, transcript, false).unwrap_or_else(|b| panic!("{}", b.1));
    let bytewise = replay_with(make, transcript, true).unwrap_or_else(|b| panic!("{}", b.1));
    assert_eq!(whole.outcomes, bytewise.outcomes);
    assert_eq!(whole.closed, bytewise.closed);
    bytewise
}

/// Replays both ways, expects an error; returns it (from the byte-wise run) and the harness.
pub(super) fn replay_err(make: &dyn Fn() -> Harness, transcript: &str) -> (Harness, ClientError) {
    let whole = match replay_with(make, transcript, false) {
        Ok(_) => panic!("transcript succeeded, expected an error"),
        Err(b) => b.1.to_string(),
    };
    match replay_with(make, transcript, true) {
        Ok(_) => panic!("transcript succeeded byte-wise, expected an error"),
        Err(b) => {
            let (h, e) = *b;
            assert_eq!(whole, e.to_string());
            (h, e)
        }
    }
}

pub(super) fn codes(outcome: &MessageOutcome) -> Vec<(bool, u16)> {
    outcome
        .recipients
        .iter()
        .map(|s| (s.is_accepted(), s.reply().code.get()))
        .collect()
}

#[test]
fn body_pieces_of_any_size_give_the_same_wire_bytes() {
    let body = "line one\r\n.leading dot\r\n.\r\n..two\r\nno final newline";
    let transcript = "
        S: 220 mx ready
        C: EHLO client.example
        S: 250 mx
        C: MAIL FROM:<a@example.org>
        S: 250 ok
        C: RCPT TO:<b@example.net>
        S: 250 ok
        C: DATA
        S: 354 go
        C: line one
        C: ..leading dot
        C: ..
        C: ...two
        C: no final newline
        C: .
        S: 250 queued
        C: QUIT
        S: 221 bye";
    for piece in [1, 2, 3, 7, 1000] {
        let make = || {
            let mut m = message("a@example.org", &["b@example.net"], body);
            m.piece = piece;
            Harness::new(ClientSession::new(config("client.example")), vec![m])
        };
        let h = replay(&make, transcript);
        assert_eq!(codes(&h.outcomes[0]), vec![(true, 250)]);
        assert!(h.closed);
    }
}

#[test]
fn envelope_parse() {
    let e = Envelope::parse("", &["b@example.net", "Postmaster"]).expect("valid");
    assert_eq!(e.from.path, ReversePath::Null);
    assert_eq!(e.recipients[1].path, ForwardPath::Postmaster);
    assert_eq!(e, envelope("", &["b@example.net", "Postmaster"]));
    assert!(Envelope::parse("a b@x", &["c@d"]).is_err());
    assert!(Envelope::parse("a@x", &["c@@d"]).is_err());
}

#[test]
fn size_is_sent_only_when_advertised() {
    let with_size = |advertise: &'static str, expect_mail: &'static str| {
        let transcript = format!(
            "S: 220 mx\nC: EHLO c\n{advertise}\nC: {expect_mail}\nS: 250 ok\nC: RCPT TO:<b@y>\nS: 250 ok\nC: DATA\nS: 354 go\nC: hi\nC: .\nS: 250 ok\nC: QUIT\nS: 221 bye"
        );
        let make = || {
            let mut m = message("a@x", &["b@y"], "hi\r\n");
            m.envelope.from.params.size = Some(4);
            Harness::new(ClientSession::new(config("c")), vec![m])
        };
        replay(&make, &transcript);
    };
    with_size("S: 250-mx\nS: 250 SIZE 1000", "MAIL FROM:<a@x> SIZE=4");
    with_size("S: 250 mx", "MAIL FROM:<a@x>");
}

proptest::proptest! {
    /// Whatever the server sends, in whatever pieces, the session never panics and never
    /// loops: each `next()` returns, and once it fails it stays failed.
    #[test]
    fn arbitrary_server_bytes_never_panic(
        prefix in proptest::sample::select(vec![
            &b""[..],
            b"220 mx\r\n",
            b"220 mx\r\n250-mx\r\n250-PIPELINING\r\n250-CHUNKING\r\n250 AUTH PLAIN\r\n",
        ]),
        noise in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..300),
        cut in 1usize..40,
    ) {
        let mut c = config("c.example");
        c.credentials = Some(Credentials::password("u", "p"));
        c.plaintext_auth_without_tls = true;
        let mut h = Harness::new(
            ClientSession::new(c),
            vec![message("a@x", &["b@y", "c@y"], "body\r\n")],
        );
        let mut input = prefix.to_vec();
        input.extend_from_slice(&noise);
        let mut failed = false;
        for piece in input.chunks(cut) {
            h.session.feed(piece);
            if h.drive().is_err() {
                failed = true;
                break;
            }
        }
        if failed {
            proptest::prop_assert!(h.session.next().is_err());
        }
    }
}
