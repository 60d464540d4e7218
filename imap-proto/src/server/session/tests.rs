//! Session tests: `C:`/`S:` transcripts (RFC 9051 and the extensions' examples), state rules,
//! limits, APPEND streaming, and properties.
//!
//! [`Driver`] plays the driver and the glue: it feeds input, answers each event from its
//! tables (users, a SASL exchange on `sasl::MemoryStore`, APPEND accept/refuse) and logs the
//! events it saw, so a test asserts the exact wire output and the exact calls the application
//! got. Glue commands are answered `complete(Ok, None, "done")` (SELECT/EXAMINE also select).

mod append;
mod auth;
mod framing;
mod props;
mod states;

use std::pin::pin;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

use super::{AccountError, AuthOutcome, CloseReason, Event, ServerConfig, ServerSession, State};
use crate::command::CommandBody;
use crate::response::{Code, StatusKind};

/// Runs a future that never waits (the in-memory credential store's).
fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(value) = future.as_mut().poll(&mut cx) {
            return value;
        }
    }
}

/// A configuration for tests on a plain connection: plaintext logins allowed, STARTTLS
/// offered, small limits where a test needs them.
fn config() -> ServerConfig {
    let mut config = ServerConfig::new("imap.example.org");
    config.auth.allow_plaintext = true;
    config.starttls = true;
    config
}

/// The application side of a test.
struct Driver {
    session: ServerSession,
    store: sasl::MemoryStore,
    exchange: sasl::Exchange,
    /// The answer to `OpenAccount`.
    account: Result<(), AccountError>,
    /// Refuse APPEND messages with this index (`TRYCREATE`).
    refuse_append: Option<u32>,
    /// The message being appended.
    appending: Vec<u8>,
    /// One line per event seen.
    log: Vec<String>,
    tls_pending: bool,
    closed: Option<CloseReason>,
    /// Output taken on `Flush`.
    flushed: Vec<u8>,
    /// Number of `Flush` events.
    flushes: usize,
}

impl Driver {
    /// A driver on a new session with `config`; the greeting is left in the output.
    fn with_config(config: ServerConfig) -> Self {
        Self::on(ServerSession::new(Arc::new(config)))
    }

    fn on(session: ServerSession) -> Self {
        let store = sasl::MemoryStore::new().with_iterations(64);
        store.add_user("alice", "wonderland");
        Driver {
            session,
            store,
            exchange: sasl::Exchange::new(),
            account: Ok(()),
            refuse_append: None,
            appending: Vec::new(),
            log: Vec::new(),
            tls_pending: false,
            closed: None,
            flushed: Vec::new(),
            flushes: 0,
        }
    }

    /// A driver on a session with [`config`], greeting taken.
    fn new() -> Self {
        let mut d = Self::with_config(config());
        let greeting = d.take();
        assert!(greeting.starts_with("* OK [CAPABILITY IMAP4rev2 IMAP4rev1 "));
        assert!(greeting.ends_with("] imap.example.org IMAP4rev2 server ready\r\n"));
        d
    }

    /// A driver logged in as alice.
    fn logged_in() -> Self {
        let mut d = Self::new();
        let out = d.run("a0 LOGIN alice wonderland\r\n");
        assert!(out.starts_with("a0 OK [CAPABILITY IMAP4rev2 "), "{out}");
        assert!(out.ends_with("] Logged in\r\n"), "{out}");
        assert_eq!(d.session.state(), State::Authenticated);
        d.log.clear();
        d
    }

    /// Feeds `input`, answers events until the session needs input, returns the output.
    fn run(&mut self, input: &str) -> String {
        self.run_bytes(input.as_bytes())
    }

    fn run_bytes(&mut self, input: &[u8]) -> String {
        self.session.feed(input);
        self.pump();
        self.take()
    }

    /// The output so far, as text.
    fn take(&mut self) -> String {
        let mut out = std::mem::take(&mut self.flushed);
        out.extend(self.session.take_output());
        String::from_utf8(out).expect("session output is UTF-8 here")
    }

    /// Completes a pending TLS handshake and runs on.
    fn tls(&mut self) -> String {
        assert!(self.tls_pending, "no STARTTLS to complete");
        self.tls_pending = false;
        self.session.tls_started().expect("tls_started");
        self.pump();
        self.take()
    }

    /// Answers events until the session needs input (or closes, or waits for TLS).
    fn pump(&mut self) {
        if self.tls_pending || self.closed.is_some() {
            return;
        }
        loop {
            let event = self
                .session
                .next_event()
                .expect("driver answers every event");
            match event {
                Event::NeedInput => return,
                Event::Flush => {
                    self.flushes += 1;
                    self.flushed.extend(self.session.take_output());
                }
                Event::Close(reason) => {
                    self.log.push(format!("Close {reason:?}"));
                    self.closed = Some(reason);
                    return;
                }
                Event::StartTls => {
                    self.log.push("StartTls".into());
                    self.tls_pending = true;
                    return;
                }
                event => self.answer(event),
            }
        }
    }

    fn answer(&mut self, event: Event) {
        let s = &mut self.session;
        match event {
            Event::Login { user, password } => {
                self.log.push(format!("Login {user}"));
                let checked = block_on(sasl::CredentialStore::check_password(
                    &self.store,
                    &user,
                    &password,
                ));
                let outcome = match checked {
                    Ok(identity) => AuthOutcome::Success { identity },
                    Err(sasl::CredentialError::Rejected) => AuthOutcome::Failure,
                    Err(_) => AuthOutcome::Temporary,
                };
                s.auth_outcome(outcome).expect("auth answer");
            }
            Event::Auth(step) => {
                self.log.push(format!(
                    "Auth {} first={} response={}",
                    step.mechanism,
                    step.first,
                    step.response.is_some()
                ));
                let response = step.response.as_ref().map(|r| r.expose().as_slice());
                let outcome = match block_on(self.exchange.step(
                    step.mechanism,
                    step.first,
                    response,
                    &self.store,
                )) {
                    sasl::ExchangeStep::Challenge(c) => AuthOutcome::Challenge(c),
                    sasl::ExchangeStep::Success { identity } => AuthOutcome::Success { identity },
                    sasl::ExchangeStep::Failure => AuthOutcome::Failure,
                    sasl::ExchangeStep::Temporary => AuthOutcome::Temporary,
                };
                s.auth_outcome(outcome).expect("auth answer");
            }
            Event::OpenAccount { user } => {
                self.log.push(format!("OpenAccount {user}"));
                s.account_opened(self.account).expect("account answer");
            }
            Event::Command(request) => {
                self.log.push(format!(
                    "Command {} {}",
                    request.tag,
                    request.command.name()
                ));
                match request.command {
                    CommandBody::Select { .. } => s.set_selected(Some(false)),
                    CommandBody::Examine { .. } => s.set_selected(Some(true)),
                    CommandBody::Close | CommandBody::Unselect => s.set_selected(None),
                    _ => {}
                }
                s.complete(StatusKind::Ok, None, "done").expect("complete");
            }
            Event::AppendMessage(m) => {
                self.log.push(format!(
                    "AppendMessage {} #{} {} octets flags={} date={} binary={}",
                    String::from_utf8_lossy(m.mailbox.as_bytes()),
                    m.index,
                    m.size,
                    m.flags.len(),
                    m.date_time.is_some(),
                    m.binary
                ));
                if self.refuse_append == Some(m.index) {
                    s.append_refuse(Some(Code::TryCreate), "No such mailbox")
                        .expect("refuse");
                } else {
                    s.append_accept().expect("accept");
                }
            }
            Event::AppendData(data) => self.appending.extend(data),
            Event::AppendMessageEnd => {
                let data = std::mem::take(&mut self.appending);
                self.log.push(format!(
                    "AppendMessageEnd {:?}",
                    String::from_utf8_lossy(&data)
                ));
            }
            Event::AppendEnd => {
                self.log.push("AppendEnd".into());
                s.complete(StatusKind::Ok, None, "APPEND completed")
                    .expect("complete");
            }
            Event::AppendAborted => {
                self.appending.clear();
                self.log.push("AppendAborted".into());
            }
            Event::Idle => self.log.push("Idle".into()),
            Event::IdleDone => self.log.push("IdleDone".into()),
            Event::Compress => {
                self.log.push("Compress".into());
                s.compression_started().expect("compression answer");
            }
            Event::NeedInput | Event::Flush | Event::Close(_) | Event::StartTls => {
                unreachable!("handled by pump")
            }
        }
    }
}

/// Checks a `C:`/`S:` transcript: each `C:` line (CRLF added) is fed, and the output must
/// equal the `S:` lines that follow it (CRLF added). A `S:` line ending in `...` matches any
/// line starting with the text before it.
fn transcript(d: &mut Driver, script: &str) {
    let mut lines = script
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .peekable();
    while let Some(line) = lines.next() {
        let input = line
            .strip_prefix("C: ")
            .unwrap_or_else(|| panic!("expected a C: line, got {line:?}"));
        let mut input = input.to_string();
        input.push_str("\r\n");
        // Consecutive C: lines are sent together (pipelining).
        while let Some(next) = lines.peek().and_then(|l| l.strip_prefix("C: ")) {
            input.push_str(next);
            input.push_str("\r\n");
            lines.next();
        }
        let out = d.run(&input);
        let mut got = out.split_inclusive("\r\n");
        while let Some(expected) = lines.peek().and_then(|l| l.strip_prefix("S: ")) {
            lines.next();
            let actual = got
                .next()
                .unwrap_or_else(|| panic!("missing {expected:?} after {input:?}"));
            // `+ ` (an empty challenge) is written `S: +`.
            let actual = actual.strip_suffix("\r\n").unwrap_or(actual).trim_end();
            match expected.strip_suffix("...") {
                Some(start) => assert!(actual.starts_with(start), "{actual:?} !~ {expected:?}"),
                None => assert_eq!(actual, expected, "after {input:?}"),
            }
        }
        let rest: Vec<&str> = got.collect();
        assert!(
            rest.is_empty(),
            "unexpected output after {input:?}: {rest:?}"
        );
    }
}
