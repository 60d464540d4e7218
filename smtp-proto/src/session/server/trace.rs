//! Replays `C:`/`S:` transcripts (RFC style) against a [`ServerSession`] with a scripted application.
//!
//! Consecutive `C:` lines are fed together (pipelined), each followed by CRLF; then the session runs until
//! it needs input, and its replies must match the `S:` lines that follow. An `S:` line matches an actual
//! line that starts with it; `S: ~250` matches one whole (possibly multi-line) reply with that code.

use std::sync::Arc;

use base64::Engine;

use super::deps::{ForwardPath, Mechanism};
use super::{AuthOutcome, Decision, Event, ServerConfig, ServerSession};

/// The application side of a replay.
#[derive(Debug, Default)]
pub(crate) struct App {
    /// Recipients (local part) refused with 550 5.1.1.
    pub(crate) refuse_rcpt: Vec<&'static str>,
    /// LMTP: per-recipient results at data end, in order (missing: accept).
    pub(crate) lmtp_results: Vec<Decision>,
    /// user, password
    pub(crate) users: Vec<(&'static str, &'static str)>,
    /// Events seen, as short names.
    pub(crate) events: Vec<String>,
    /// Body octets of the current message.
    pub(crate) body: Vec<u8>,
    /// Completed messages.
    pub(crate) messages: Vec<Vec<u8>>,
    pub(crate) login_user: Option<String>,
    pub(crate) data_end_index: usize,
    pub(crate) closed: bool,
    /// Output taken on [`Event::Flush`] (back-pressure), not yet checked.
    pub(crate) flushed: Vec<u8>,
}

impl App {
    /// The output flushed so far and what the session still holds, in order.
    pub(crate) fn take_output(&mut self, session: &mut ServerSession) -> Vec<u8> {
        let mut out = std::mem::take(&mut self.flushed);
        out.extend(session.take_output());
        out
    }
}

impl App {
    fn decide(&mut self, event: &Event<'_>) -> Decision {
        match event {
            Event::Rcpt(rcpt) => match &rcpt.path {
                ForwardPath::Mailbox(m)
                    if self
                        .refuse_rcpt
                        .iter()
                        .any(|r| m.to_string().starts_with(&format!("{r}@"))) =>
                {
                    Decision::Reject(super::error::reply(550, (5, 1, 1), "no such user"))
                }
                _ => Decision::Accept,
            },
            Event::DataEnd(_) => {
                let i = self.data_end_index;
                self.data_end_index += 1;
                self.lmtp_results
                    .get(i)
                    .cloned()
                    .unwrap_or(Decision::Accept)
            }
            _ => Decision::Accept,
        }
    }

    fn auth(&mut self, mechanism: Mechanism, first: bool, response: Option<&[u8]>) -> AuthOutcome {
        let check = |users: &[(&str, &str)], user: &str, pass: &[u8]| {
            if users
                .iter()
                .any(|(u, p)| *u == user && p.as_bytes() == pass)
            {
                AuthOutcome::Success {
                    identity: user.to_owned(),
                }
            } else {
                AuthOutcome::Failure
            }
        };
        match (mechanism.name(), first, response) {
            ("PLAIN", _, None) => AuthOutcome::Challenge(Vec::new()),
            ("PLAIN", _, Some(r)) => {
                let mut parts = r.split(|b| *b == 0);
                let (_authz, user, pass) = (parts.next(), parts.next(), parts.next());
                match (user, pass) {
                    (Some(u), Some(p)) => check(&self.users, &String::from_utf8_lossy(u), p),
                    _ => AuthOutcome::Failure,
                }
            }
            ("LOGIN", true, None) => AuthOutcome::Challenge(b"Username:".to_vec()),
            ("LOGIN", true, Some(user)) | ("LOGIN", false, Some(user))
                if self.login_user.is_none() =>
            {
                self.login_user = Some(String::from_utf8_lossy(user).into_owned());
                AuthOutcome::Challenge(b"Password:".to_vec())
            }
            ("LOGIN", false, Some(pass)) => {
                let user = self.login_user.take().unwrap_or_default();
                check(&self.users, &user, pass)
            }
            _ => AuthOutcome::Failure,
        }
    }

    /// Runs the session until it needs input or closes.
    pub(crate) fn run(&mut self, session: &mut ServerSession) {
        while !self.closed {
            let event = session.next_event().expect("no misuse in the replay");
            let name = match &event {
                Event::NeedInput => return,
                Event::Flush => {
                    self.flushed.extend(session.take_output());
                    continue;
                }
                Event::Close(reason) => {
                    self.closed = true;
                    self.events.push(format!("Close({reason:?})"));
                    return;
                }
                Event::DataChunk(bytes) => {
                    self.body.extend_from_slice(bytes);
                    continue;
                }
                Event::Hello { extended, .. } => format!("Hello({extended})"),
                Event::Mail(_) => "Mail".to_owned(),
                Event::Rcpt(_) => "Rcpt".to_owned(),
                Event::DataStart { chunked } => format!("DataStart({chunked})"),
                Event::DataEnd(end) => format!("DataEnd({})", end.size),
                Event::DataAborted => "DataAborted".to_owned(),
                Event::Reset => "Reset".to_owned(),
                Event::Vrfy(a) => format!("Vrfy({a})"),
                Event::Expn(a) => format!("Expn({a})"),
                Event::Etrn(a) => format!("Etrn({a})"),
                Event::Auth(step) => format!("Auth({})", step.mechanism.name()),
                Event::StartTls => "StartTls".to_owned(),
            };
            self.events.push(name);
            let event = detach(event);
            match event {
                Event::DataEnd(end) => {
                    self.messages.push(std::mem::take(&mut self.body));
                    for _ in 0..end.replies {
                        let decision = self.decide(&event);
                        session.decide(decision).expect("data end decision");
                    }
                }
                Event::DataAborted => self.body.clear(),
                Event::Auth(step) => {
                    let outcome = self.auth(
                        step.mechanism,
                        step.first,
                        step.response.as_ref().map(|r| r.expose().as_slice()),
                    );
                    session.auth_outcome(outcome).expect("auth outcome");
                }
                Event::StartTls => session.tls_started().expect("handshake"),
                ref e if e.needs_decision() => {
                    let decision = self.decide(e);
                    session.decide(decision).expect("decision");
                }
                _ => {}
            }
        }
    }
}

/// The event without its borrow of the session (chunks are handled before).
fn detach(event: Event<'_>) -> Event<'static> {
    match event {
        Event::NeedInput | Event::DataChunk(_) => Event::NeedInput,
        Event::Flush => Event::Flush,
        Event::Hello { host, extended } => Event::Hello { host, extended },
        Event::Mail(m) => Event::Mail(m.into_owned()),
        Event::Rcpt(r) => Event::Rcpt(r.into_owned()),
        Event::DataStart { chunked } => Event::DataStart { chunked },
        Event::DataEnd(e) => Event::DataEnd(e),
        Event::DataAborted => Event::DataAborted,
        Event::Reset => Event::Reset,
        Event::Vrfy(a) => Event::Vrfy(a),
        Event::Expn(a) => Event::Expn(a),
        Event::Etrn(a) => Event::Etrn(a),
        Event::Auth(s) => Event::Auth(s),
        Event::StartTls => Event::StartTls,
        Event::Close(r) => Event::Close(r),
    }
}

/// Splits server output into replies, each a list of lines.
fn replies(output: &[u8]) -> Vec<Vec<String>> {
    let text = String::from_utf8_lossy(output);
    let mut out: Vec<Vec<String>> = Vec::new();
    let mut current = Vec::new();
    for line in text.split("\r\n").filter(|l| !l.is_empty()) {
        current.push(line.to_owned());
        if line.as_bytes().get(3) != Some(&b'-') {
            out.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

fn expected_replies(lines: &[&str]) -> Vec<Vec<String>> {
    let mut out: Vec<Vec<String>> = Vec::new();
    let mut current = Vec::new();
    for line in lines {
        current.push((*line).to_owned());
        if line.starts_with('~') || line.as_bytes().get(3) != Some(&b'-') {
            out.push(std::mem::take(&mut current));
        }
    }
    out
}

fn check(step: usize, actual: &[u8], expected: &[&str]) {
    let actual = replies(actual);
    let expected = expected_replies(expected);
    assert_eq!(
        actual.len(),
        expected.len(),
        "step {step}: replies {actual:#?}, expected {expected:#?}"
    );
    for (a, e) in actual.iter().zip(&expected) {
        if let Some(code) = e.first().and_then(|l| l.strip_prefix('~')) {
            assert!(
                a.iter().all(|l| l.starts_with(code)),
                "step {step}: {a:?} is not a {code} reply"
            );
        } else {
            assert_eq!(a.len(), e.len(), "step {step}: {a:?} vs {e:?}");
            for (al, el) in a.iter().zip(e) {
                assert!(
                    al.starts_with(el.as_str()),
                    "step {step}: got {al:?}, expected {el:?}"
                );
            }
        }
    }
}

/// Replays `transcript` against a new session with `config`; `bytewise` feeds one octet at a time.
pub(crate) fn replay(
    config: ServerConfig,
    app: &mut App,
    transcript: &str,
    bytewise: bool,
) -> ServerSession {
    let mut session = ServerSession::new(Arc::new(config));
    let lines: Vec<&str> = transcript
        .lines()
        .map(str::trim_start)
        .filter(|l| !l.is_empty())
        .collect();
    let mut i = 0;
    let mut step = 0;
    // Greeting and any S: lines before the first C:.
    while i < lines.len() {
        let mut input = Vec::new();
        while let Some(c) = lines
            .get(i)
            .and_then(|l| l.strip_prefix("C: ").or_else(|| l.strip_prefix("C:")))
        {
            input.extend_from_slice(c.as_bytes());
            input.extend_from_slice(b"\r\n");
            i += 1;
        }
        if bytewise {
            for b in &input {
                session.feed(std::slice::from_ref(b));
                app.run(&mut session);
            }
        } else {
            session.feed(&input);
        }
        app.run(&mut session);
        let mut expected = Vec::new();
        while let Some(s) = lines
            .get(i)
            .and_then(|l| l.strip_prefix("S: ").or_else(|| l.strip_prefix("S:")))
        {
            expected.push(s);
            i += 1;
        }
        let output = app.take_output(&mut session);
        check(step, &output, &expected);
        step += 1;
        if i < lines.len() && !lines[i].starts_with("C:") && !lines[i].starts_with("S:") {
            panic!("bad transcript line {:?}", lines[i]);
        }
    }
    session
}

/// base64 of `bytes`, for AUTH transcripts.
pub(crate) fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}
