//! Session tests: RFC 1939 transcripts, state rules, limits.
//!
//! [`Driver`] plays the application: it feeds a script, answers each event from its tables
//! (users and passwords, the maildrop, message bodies by id, the lock state) and logs the events
//! it saw, so a test asserts the exact wire output and the exact calls the application got.

mod backpressure;
mod body;
mod limits;
mod numbering;
mod props;
mod sasl_auth;
mod states;
mod stls;
mod transcript;

use std::collections::HashMap;
use std::pin::pin;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

use super::{
    AuthOutcome, CloseReason, Event, MaildropEntry, MaildropError, ServerConfig, ServerSession,
    UpdateOutcome,
};

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

/// How the driver answers [`Event::Retrieve`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BodyMode {
    /// The whole body, in chunks of this many octets, while the session wants more.
    Chunks(usize),
    /// `body_failed` before any chunk.
    FailAtOnce,
    /// One chunk of this many octets, then `body_failed`.
    FailAfter(usize),
}

/// The application side of a test: tables to answer events from, and a log of what it saw.
struct Driver {
    session: ServerSession,
    /// User name → password (for USER/PASS, APOP and SASL).
    users: Vec<(&'static str, &'static str)>,
    /// Answer `AuthOutcome::Temporary` to logins.
    auth_temporary: bool,
    maildrop: Vec<MaildropEntry>,
    bodies: HashMap<u32, Vec<u8>>,
    /// The answer to the next `OpenMaildrop` when the maildrop cannot be opened.
    lock: Option<MaildropError>,
    body_mode: BodyMode,
    update: UpdateOutcome,
    store: sasl::MemoryStore,
    sasl: Option<sasl::ServerSession>,
    /// One line per event seen, e.g. `Login alice`, `Retrieve 2 id=102 lines=None`.
    log: Vec<String>,
    /// A `StartTls` waits for [`Driver::tls`].
    tls_pending: bool,
    closed: Option<CloseReason>,
    /// Output taken on [`Event::Flush`], not yet returned by [`Driver::take`].
    flushed: Vec<u8>,
    /// The most output the session held at any `Flush`.
    peak_output: usize,
}

impl Driver {
    /// A driver on a session with `config`, its greeting taken and checked.
    fn with_config(config: ServerConfig) -> Self {
        let mut session = ServerSession::new(Arc::new(config));
        let greeting = String::from_utf8(session.take_output()).expect("greeting is text");
        assert!(greeting.starts_with("+OK pop.example.org POP3 server ready"));
        assert!(greeting.ends_with("\r\n"));
        let store = sasl::MemoryStore::new().with_iterations(64);
        let users = vec![("alice", "wonderland"), ("bob", "builder")];
        for (user, password) in &users {
            store.add_user(user, password);
        }
        Self {
            session,
            users,
            auth_temporary: false,
            maildrop: sample_maildrop(),
            bodies: sample_bodies(),
            lock: None,
            body_mode: BodyMode::Chunks(usize::MAX),
            update: UpdateOutcome::Done,
            store,
            sasl: None,
            log: Vec::new(),
            tls_pending: false,
            closed: None,
            flushed: Vec::new(),
            peak_output: 0,
        }
    }

    /// A driver on a plain connection that allows USER/PASS without TLS.
    fn new() -> Self {
        Self::with_config(plaintext_config())
    }

    /// Feeds `input` in one piece, runs the session until it needs input (or closes, or waits
    /// for a TLS handshake) and returns what it wrote.
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
        assert!(self.tls_pending, "no STLS to complete");
        self.tls_pending = false;
        self.session
            .tls_started()
            .expect("tls_started after StartTls");
        self.pump();
        self.take()
    }

    /// Logs in with USER/PASS as alice and checks the answer (3 messages in the sample).
    fn login(&mut self) {
        let out = self.run("USER alice\r\nPASS wonderland\r\n");
        assert_eq!(
            out,
            "+OK Send PASS\r\n+OK alice's maildrop has 3 messages (480 octets)\r\n"
        );
        assert!(self.session.in_transaction());
    }

    /// Answers events until the session needs input.
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
                    self.peak_output = self.peak_output.max(self.session.output().len());
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
        match event {
            Event::Login { user, password } => {
                self.log.push(format!("Login {user}"));
                let ok = self
                    .users
                    .iter()
                    .any(|(u, p)| *u == user && *p == password.expose());
                let outcome = self.outcome(ok, user);
                self.session.auth_outcome(outcome).expect("auth answer");
            }
            Event::Apop { user, digest } => {
                self.log.push(format!("Apop {user}"));
                let ts = self.session.apop_timestamp().expect("APOP offered");
                let ok = self
                    .users
                    .iter()
                    .any(|(u, p)| *u == user && super::apop::verify(ts, p, digest.expose()));
                let outcome = self.outcome(ok, user);
                self.session.auth_outcome(outcome).expect("auth answer");
            }
            Event::Auth(step) => {
                let response = step.response.as_ref().map(|r| r.expose().clone());
                self.log.push(format!(
                    "Auth {} first={} response={:?}",
                    step.mechanism.name(),
                    step.first,
                    response.as_deref().map(String::from_utf8_lossy)
                ));
                let sasl = self.sasl.get_or_insert_with(|| {
                    sasl::ServerSession::with_nonce(step.mechanism, "server-nonce")
                });
                let result = if step.first {
                    *sasl = sasl::ServerSession::with_nonce(step.mechanism, "server-nonce");
                    block_on(sasl.start_with(response.as_deref(), &self.store))
                } else {
                    block_on(sasl.step_with(response.as_deref().unwrap_or_default(), &self.store))
                };
                let outcome = match result {
                    Ok(sasl::ServerStep::Challenge(c)) => AuthOutcome::Challenge(c),
                    Ok(sasl::ServerStep::Success(auth)) => AuthOutcome::Success {
                        identity: auth.user().to_owned(),
                    },
                    Ok(sasl::ServerStep::NeedCredentials(_)) => unreachable!("step_with answers"),
                    Err(e) if e.is_temporary() => AuthOutcome::Temporary,
                    Err(_) => AuthOutcome::Failure,
                };
                self.session.auth_outcome(outcome).expect("auth answer");
            }
            Event::OpenMaildrop { user } => {
                self.log.push(format!("OpenMaildrop {user}"));
                let answer = match self.lock.take() {
                    Some(error) => Err(error),
                    None => Ok(self.maildrop.clone()),
                };
                self.session
                    .maildrop_opened(answer)
                    .expect("maildrop answer");
            }
            Event::Retrieve { msg, id, lines } => {
                self.log
                    .push(format!("Retrieve {msg} id={id} lines={lines:?}"));
                let body = self.bodies.get(&id).cloned().unwrap_or_default();
                self.stream(&body);
            }
            Event::Update { deleted } => {
                self.log.push(format!("Update {deleted:?}"));
                self.session
                    .update_done(self.update.clone())
                    .expect("update answer");
            }
            other => panic!("unexpected event {other:?}"),
        }
    }

    fn outcome(&self, ok: bool, user: String) -> AuthOutcome {
        if self.auth_temporary {
            AuthOutcome::Temporary
        } else if ok {
            AuthOutcome::Success { identity: user }
        } else {
            AuthOutcome::Failure
        }
    }

    /// Streams `body` as [`Driver::body_mode`] says.
    fn stream(&mut self, body: &[u8]) {
        let s = &mut self.session;
        match self.body_mode {
            BodyMode::Chunks(size) => {
                for chunk in body.chunks(size.max(1)) {
                    if !s.wants_body() {
                        break;
                    }
                    s.body(chunk).expect("body chunk");
                }
                s.body_end().expect("body end");
            }
            BodyMode::FailAtOnce => s.body_failed().expect("body failed"),
            BodyMode::FailAfter(n) => {
                s.body(body.get(..n).unwrap_or(body)).expect("body chunk");
                s.body_failed().expect("body failed");
            }
        }
    }
}

/// A configuration for `pop.example.org` that allows USER/PASS without TLS.
fn plaintext_config() -> ServerConfig {
    let mut config = ServerConfig::new("pop.example.org");
    config.auth.allow_plaintext = true;
    config
}

/// Three messages: ids 101–103, 120 + 200 + 160 octets.
fn sample_maildrop() -> Vec<MaildropEntry> {
    [
        (101, 120, "uid-a"),
        (102, 200, "uid-b"),
        (103, 160, "uid-c"),
    ]
    .into_iter()
    .map(|(id, size, uid)| MaildropEntry {
        id,
        size,
        unique_id: uid.into(),
    })
    .collect()
}

/// Bodies of the sample messages: bare LFs, a dot-started line, no final line end on 103.
fn sample_bodies() -> HashMap<u32, Vec<u8>> {
    HashMap::from([
        (
            101,
            b"Subject: one\r\n\r\nline 1\r\nline 2\r\n.dot\r\nline 4\r\n".to_vec(),
        ),
        (102, b"Subject: two\n\nfirst\nsecond\nthird\n".to_vec()),
        (103, b"Subject: three\r\n\r\nno line end".to_vec()),
    ])
}
