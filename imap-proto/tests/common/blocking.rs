//! A blocking driver for [`ClientSession`] over a real socket, shared by the tests that run our
//! client against a real Dovecot (`client_dovecot.rs`, `mime_dovecot.rs`). Included with
//! `#[path]` so that other test binaries do not carry it.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use imap_proto::client::{ClientConfig, ClientSession, Completion, Event};
use imap_proto::token::Flag;
use sasl::Secret;

/// Read and write time-out of the test's socket.
pub const READ_TIMEOUT: Duration = Duration::from_secs(20);

/// A client session on a blocking socket.
pub struct Conn {
    stream: TcpStream,
    /// The session, for the calls the helpers below do not wrap.
    pub session: ClientSession,
    /// Every octet written so far.
    pub sent: Vec<u8>,
    /// Events that came while waiting for something else.
    pub seen: Vec<Event>,
}

impl Conn {
    /// Connect to `addr`.
    pub fn open(addr: SocketAddr, config: ClientConfig) -> Conn {
        let stream = TcpStream::connect(addr).expect("connect to Dovecot");
        stream
            .set_read_timeout(Some(READ_TIMEOUT))
            .expect("read time-out");
        stream
            .set_write_timeout(Some(READ_TIMEOUT))
            .expect("write time-out");
        Conn {
            stream,
            session: ClientSession::new(config),
            sent: Vec::new(),
            seen: Vec::new(),
        }
    }

    /// Write what the session has to send.
    pub fn flush(&mut self) {
        let out = self.session.take_output();
        if !out.is_empty() {
            self.stream.write_all(&out).expect("write to Dovecot");
            self.sent.extend_from_slice(&out);
        }
    }

    /// The next event other than `NeedInput` (reading as needed).
    pub fn next(&mut self) -> Event {
        loop {
            let event = self.session.next_event().expect("session error");
            self.flush();
            match event {
                Event::NeedInput => {
                    let mut buf = [0u8; 16 * 1024];
                    let n = self.stream.read(&mut buf).unwrap_or_else(|e| {
                        panic!(
                            "read from Dovecot: {e}; the client sent:\n{}",
                            String::from_utf8_lossy(&self.sent)
                        )
                    });
                    assert!(n > 0, "Dovecot closed the connection");
                    self.session.feed(&buf[..n]);
                }
                other => return other,
            }
        }
    }

    /// Events up to the completion of the command tagged `tag`.
    pub fn done(&mut self, tag: &str) -> Completion {
        loop {
            match self.next() {
                Event::Done(c) if c.tag == tag => return c,
                other => self.seen.push(other),
            }
        }
    }

    /// The server's greeting.
    pub fn greeting(&mut self) -> imap_proto::client::Status<'static> {
        match self.next() {
            Event::Greeting(g) => g,
            other => panic!("expected the greeting, got {other:?}"),
        }
    }

    /// Raw command text, e.g. `UID FETCH 1 (FLAGS)`.
    pub fn command(&mut self, text: &str) -> Completion {
        let tag = self
            .session
            .command(|e| {
                e.raw(text.as_bytes());
            })
            .expect("queue command");
        self.done(&tag)
    }

    /// LOGIN.
    pub fn login(&mut self, user: &str, password: &str) -> Completion {
        let tag = self
            .session
            .login(user, &Secret::new(password.to_owned()))
            .expect("LOGIN allowed on loopback by the policy flag");
        self.done(&tag)
    }

    /// SELECT INBOX.
    pub fn select_inbox(&mut self) -> Completion {
        let tag = self.session.select("INBOX");
        self.done(&tag)
    }

    /// APPEND to INBOX with `\\Seen`.
    pub fn append(&mut self, message: &[u8]) -> Completion {
        let tag = self.session.append("INBOX", &[Flag::Seen], message);
        self.done(&tag)
    }

    /// The completion of `tag`, which must be OK.
    pub fn ok(&mut self, tag: &str) -> Completion {
        let c = self.done(tag);
        assert!(c.is_ok(), "{} failed: {:?}", c.command, c.text());
        c
    }

    /// Raw command text, which must complete OK.
    pub fn command_ok(&mut self, text: &str) -> Completion {
        let c = self.command(text);
        assert!(c.is_ok(), "{} failed: {:?}", c.command, c.text());
        c
    }
}
