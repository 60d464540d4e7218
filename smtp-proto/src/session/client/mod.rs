//! The sans-IO SMTP/LMTP client session (RFC 5321, RFC 2033).
//!
//! [`ClientSession`] holds the protocol rules of the sending side: greeting, EHLO (HELO
//! fallback, LHLO for LMTP), STARTTLS (RFC 3207), AUTH (RFC 4954), the mail transaction with
//! PIPELINING (RFC 2920), SIZE (RFC 1870), DATA dot-stuffing or BDAT chunks (RFC 3030), per
//! recipient results (LMTP: one reply per recipient after the data) and QUIT. It never
//! touches a socket: see its documentation for the call order; the `client` feature's tokio
//! driver is one such caller.

mod auth;
mod deps;
mod error;
mod outcome;
#[cfg(test)]
mod tests;
mod transaction;

pub use auth::Credentials;
pub use error::{ClientError, Fault, Stage};
pub use outcome::{Envelope, MessageOutcome, RecipientStatus};

use auth::{AuthExchange, AuthStep};
use deps::{
    Body, Capability, Command, EhloReply, ForwardPath, Host, Reply, ReplyError, ReversePath,
};
use transaction::{Plan, Poll, Transaction};

/// Which protocol the session speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Protocol {
    /// SMTP/ESMTP (RFC 5321): EHLO, falling back to HELO.
    #[default]
    Smtp,
    /// LMTP (RFC 2033): LHLO, and one reply per accepted recipient after the data.
    Lmtp,
}

/// Whether to upgrade the connection with STARTTLS (RFC 3207).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum TlsPolicy {
    /// Never send STARTTLS.
    Never,
    /// Send STARTTLS when the server offers it; go on in plain text when it does not, or
    /// when it refuses the command.
    #[default]
    Opportunistic,
    /// Send STARTTLS; fail with [`ClientError::MissingCapability`] when it is not offered,
    /// [`ClientError::UnexpectedReply`] when it is refused.
    Required,
}

/// How the session behaves; fixed for the connection.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// The name sent with EHLO/HELO/LHLO: this host's domain or address literal.
    pub hello_name: Host<'static>,
    /// SMTP or LMTP.
    pub protocol: Protocol,
    /// STARTTLS policy. Ignored on a connection with implicit TLS.
    pub tls: TlsPolicy,
    /// Log in with these after EHLO (after STARTTLS, if any).
    pub credentials: Option<Credentials>,
    /// Allow mechanisms that send a reusable credential in the clear (a password or a bearer
    /// token: all but SCRAM; see [`sasl::Mechanism::sends_reusable_credential`]) without TLS.
    pub plaintext_auth_without_tls: bool,
    /// Use PIPELINING when the server offers it.
    pub pipelining: bool,
    /// Send the body as BDAT chunks when the server offers CHUNKING (always done for
    /// `BODY=BINARYMIME`, which requires it).
    pub chunking: bool,
    /// With PIPELINING, how many BDAT chunks may await their reply before the body waits.
    pub bdat_window: usize,
}

impl ClientConfig {
    /// SMTP, opportunistic STARTTLS, no login, PIPELINING when offered, DATA.
    pub fn new(hello_name: Host<'static>) -> Self {
        Self {
            hello_name,
            protocol: Protocol::Smtp,
            tls: TlsPolicy::Opportunistic,
            credentials: None,
            plaintext_auth_without_tls: false,
            pipelining: true,
            chunking: false,
            bdat_window: 16,
        }
    }
}

/// What the session needs from its caller; returned by [`ClientSession::next`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// Write [`ClientSession::output`], then read from the connection and
    /// [`feed`](ClientSession::feed) what arrived. [`ClientSession::stage`] says what the
    /// session waits for (for the time-out).
    NeedInput,
    /// Write the output (the STARTTLS command went out and was accepted), perform the TLS
    /// handshake as a client, then call [`ClientSession::tls_started`].
    StartTls,
    /// The connection is ready for a message: call [`ClientSession::send_message`] or
    /// [`ClientSession::quit`].
    Ready,
    /// Give the next piece of the message with [`ClientSession::send_body`], or end it with
    /// [`ClientSession::finish_body`]; write the output after each piece.
    NeedBody,
    /// A transaction ended: each recipient's status. The session is ready again.
    MessageDone(MessageOutcome),
    /// The server answered QUIT: close the connection.
    Closed,
}

enum State {
    /// Waiting for the `220` greeting.
    Greeting,
    /// Waiting for the reply to EHLO, HELO or LHLO.
    Hello(Stage),
    /// Waiting for the `220` to STARTTLS.
    StartTls,
    /// Waiting for the caller's TLS handshake.
    TlsHandshake,
    /// In the AUTH exchange.
    Auth(Box<AuthExchange>),
    /// Idle between messages.
    Ready,
    /// In a mail transaction.
    Transaction(Box<Transaction>),
    /// Waiting for the reply to QUIT.
    Quit,
    /// QUIT answered.
    Closed,
    /// An error ended the session.
    Failed,
}

/// The client side of one SMTP or LMTP connection, without I/O.
///
/// # Call order
/// 1. [`ClientSession::new`] (or [`ClientSession::with_implicit_tls`] on a TLS connection,
///    port 465) once the connection is open.
/// 2. Loop on [`ClientSession::next`]; before any read, write [`ClientSession::output`] and
///    call [`ClientSession::clear_output`]:
///    - [`Event::NeedInput`]: read, then [`ClientSession::feed`] the bytes (any split);
///    - [`Event::StartTls`]: TLS handshake, then [`ClientSession::tls_started`];
///    - [`Event::Ready`]: [`ClientSession::send_message`] with the envelope, or
///      [`ClientSession::quit`];
///    - [`Event::NeedBody`]: [`ClientSession::send_body`] with the next piece of the
///      message, or [`ClientSession::finish_body`] after the last one;
///    - [`Event::MessageDone`]: the per-recipient outcome; the next call gives `Ready`;
///    - [`Event::Closed`]: close the connection.
/// 3. An `Err` from any call but `send_message`'s capability checks and misuse ends the
///    session: write the output best-effort (it may hold a `QUIT`) and close.
///
/// The session keeps at most one reply of input and the output of one write: a message
/// body passes through in the pieces the caller hands in.
///
/// ```
/// use smtp_proto::session::client::{ClientSession, ClientConfig, Event};
/// # fn demo(config: ClientConfig) -> Result<(), smtp_proto::session::client::ClientError> {
/// let mut session = ClientSession::new(config);
/// session.feed(b"220 mx.example.org ESMTP\r\n");
/// assert_eq!(session.next()?, Event::NeedInput); // EHLO is in the output
/// assert!(session.output().starts_with(b"EHLO "));
/// # Ok(()) }
/// ```
pub struct ClientSession {
    config: ClientConfig,
    state: State,
    input: Vec<u8>,
    output: Vec<u8>,
    ehlo: Option<EhloReply<'static>>,
    tls_active: bool,
    authenticated: bool,
    /// The last transaction is still open on the server: send RSET before the next MAIL.
    need_rset: bool,
    /// The server refused STARTTLS (opportunistic policy: go on without).
    tls_refused: bool,
}

impl ClientSession {
    /// A session on a freshly opened plain connection; it waits for the greeting.
    pub fn new(config: ClientConfig) -> Self {
        Self {
            config,
            state: State::Greeting,
            input: Vec::new(),
            output: Vec::new(),
            ehlo: None,
            tls_active: false,
            authenticated: false,
            need_rset: false,
            tls_refused: false,
        }
    }

    /// A session on a connection that is TLS from the start (RFC 8314): no STARTTLS.
    pub fn with_implicit_tls(config: ClientConfig) -> Self {
        let mut session = Self::new(config);
        session.tls_active = true;
        session
    }

    /// Bytes read from the server, in any split.
    pub fn feed(&mut self, input: &[u8]) {
        self.input.extend_from_slice(input);
    }

    /// Bytes to write to the server.
    pub fn output(&self) -> &[u8] {
        &self.output
    }

    /// Marks the output as written.
    pub fn clear_output(&mut self) {
        self.output.clear();
    }

    /// Whether the connection is under TLS (implicit or after STARTTLS).
    pub fn is_tls(&self) -> bool {
        self.tls_active
    }

    /// Whether AUTH succeeded.
    pub fn is_authenticated(&self) -> bool {
        self.authenticated
    }

    /// The server's last EHLO/LHLO reply (`None` before it, or after a HELO fallback).
    pub fn ehlo(&self) -> Option<&EhloReply<'static>> {
        self.ehlo.as_ref()
    }

    /// What the session is waiting for: the driver picks the time-out from it.
    pub fn stage(&self) -> Stage {
        match &self.state {
            State::Greeting => Stage::Greeting,
            State::Hello(stage) => *stage,
            State::StartTls | State::TlsHandshake => Stage::StartTls,
            State::Auth(_) => Stage::Auth,
            State::Ready | State::Closed | State::Failed => Stage::Idle,
            State::Transaction(t) => t.stage(),
            State::Quit => Stage::Quit,
        }
    }

    /// Advances as far as the input allows and says what is needed next.
    #[allow(clippy::should_implement_trait)] // the sans-IO `next()` of the crate's design
    pub fn next(&mut self) -> Result<Event, ClientError> {
        let result = self.advance();
        if result.is_err() {
            self.state = State::Failed;
        }
        result
    }

    /// Call after [`Event::StartTls`], once the TLS handshake has completed: the session
    /// sends EHLO again (RFC 3207 §4.2: forget what was learnt before).
    pub fn tls_started(&mut self) -> Result<(), ClientError> {
        if !matches!(self.state, State::TlsHandshake) {
            return Err(ClientError::misuse(
                "tls_started",
                "no STARTTLS was accepted",
            ));
        }
        // RFC 3207 §4.2: nothing sent in the clear before the handshake may be taken for a
        // reply under TLS.
        if !self.input.is_empty() {
            self.state = State::Failed;
            return Err(ClientError::DataBeforeTls(self.input.len()));
        }
        self.tls_active = true;
        self.ehlo = None;
        self.send_hello(false);
        Ok(())
    }

    /// Starts a mail transaction; call after [`Event::Ready`].
    ///
    /// Checks first, sending nothing on error (the session stays ready): at least one
    /// recipient; SMTPUTF8, `BODY=8BITMIME`, `BODY=BINARYMIME` (with CHUNKING), DSN
    /// parameters and REQUIRETLS only if advertised; non-ASCII addresses only with
    /// `SMTPUTF8`; `SIZE` within the advertised limit (`SIZE=` is dropped when not
    /// advertised).
    pub fn send_message(&mut self, mut envelope: Envelope) -> Result<(), ClientError> {
        if !matches!(self.state, State::Ready) {
            return Err(ClientError::misuse(
                "send_message",
                "the session is not ready for a message",
            ));
        }
        if envelope.recipients.is_empty() {
            return Err(ClientError::misuse(
                "send_message",
                "the envelope has no recipient",
            ));
        }
        let bdat = self.check_envelope(&mut envelope)?;
        let pipelining =
            self.config.pipelining && self.has(|c| matches!(c, Capability::Pipelining));
        let plan = Plan {
            lmtp: self.config.protocol == Protocol::Lmtp,
            pipelining,
            bdat,
            bdat_window: if pipelining {
                self.config.bdat_window.max(1)
            } else {
                1
            },
            rset_first: std::mem::take(&mut self.need_rset),
        };
        self.state = State::Transaction(Box::new(Transaction::new(envelope, plan)));
        Ok(())
    }

    /// Hands in the next piece of the message (as it should arrive: CRLF line endings,
    /// no dot-stuffing); call after [`Event::NeedBody`].
    pub fn send_body(&mut self, chunk: &[u8]) -> Result<(), ClientError> {
        match &mut self.state {
            State::Transaction(t) => t.send_body(chunk, &mut self.output),
            _ => Err(ClientError::misuse(
                "send_body",
                "the session is not waiting for a message body",
            )),
        }
    }

    /// Ends the message; call after [`Event::NeedBody`].
    pub fn finish_body(&mut self) -> Result<(), ClientError> {
        match &mut self.state {
            State::Transaction(t) => t.finish_body(&mut self.output),
            _ => Err(ClientError::misuse(
                "finish_body",
                "the session is not waiting for a message body",
            )),
        }
    }

    /// Sends QUIT; call after [`Event::Ready`]. [`Event::Closed`] follows the reply.
    pub fn quit(&mut self) -> Result<(), ClientError> {
        if !matches!(self.state, State::Ready) {
            return Err(ClientError::misuse("quit", "the session is not ready"));
        }
        Command::Quit.write_to(&mut self.output);
        self.state = State::Quit;
        Ok(())
    }

    fn has(&self, pred: impl Fn(&Capability<'static>) -> bool) -> bool {
        self.ehlo
            .as_ref()
            .is_some_and(|e| e.capabilities.iter().any(pred))
    }

    /// Checks the envelope against the capabilities; adjusts SIZE; says whether to use BDAT.
    fn check_envelope(&self, envelope: &mut Envelope) -> Result<bool, ClientError> {
        let params = &mut envelope.from.params;
        let chunking = self.has(|c| matches!(c, Capability::Chunking));
        if params.smtputf8 && !self.has(|c| matches!(c, Capability::SmtpUtf8)) {
            return Err(ClientError::MissingCapability("SMTPUTF8"));
        }
        if !params.smtputf8 && !envelope_is_ascii(envelope) {
            return Err(ClientError::misuse(
                "send_message",
                "a non-ASCII address needs the SMTPUTF8 parameter",
            ));
        }
        let params = &mut envelope.from.params;
        match params.body {
            Some(Body::EightBitMime) if !self.has(|c| matches!(c, Capability::EightBitMime)) => {
                return Err(ClientError::MissingCapability("8BITMIME"));
            }
            Some(Body::BinaryMime) => {
                if !self.has(|c| matches!(c, Capability::BinaryMime)) {
                    return Err(ClientError::MissingCapability("BINARYMIME"));
                }
                if !chunking {
                    return Err(ClientError::MissingCapability("CHUNKING"));
                }
            }
            _ => {}
        }
        let dsn = params.ret.is_some()
            || params.envid.is_some()
            || envelope
                .recipients
                .iter()
                .any(|r| r.params.notify.is_some() || r.params.orcpt.is_some());
        if dsn && !self.has(|c| matches!(c, Capability::Dsn)) {
            return Err(ClientError::MissingCapability("DSN"));
        }
        let params = &mut envelope.from.params;
        if params.requiretls
            && !(self.tls_active && self.has(|c| matches!(c, Capability::RequireTls)))
        {
            return Err(ClientError::MissingCapability("REQUIRETLS"));
        }
        if params.mt_priority.is_some() && !self.has(|c| matches!(c, Capability::MtPriority(_))) {
            return Err(ClientError::MissingCapability("MT-PRIORITY"));
        }
        if params.auth.is_some() && !self.has(|c| matches!(c, Capability::Auth(_))) {
            params.auth = None;
        }
        match self.ehlo.as_ref() {
            Some(ehlo) if ehlo.has("SIZE") => {
                if let (Some(size), Some(limit)) = (params.size, ehlo.size_limit())
                    && size > limit
                {
                    return Err(ClientError::MessageTooLarge { size, limit });
                }
            }
            _ => params.size = None,
        }
        Ok(params.body == Some(Body::BinaryMime) || (self.config.chunking && chunking))
    }

    fn send_hello(&mut self, helo: bool) {
        let host = self.config.hello_name.clone();
        let (command, stage) = match (self.config.protocol, helo) {
            (Protocol::Lmtp, _) => (Command::Lhlo { host }, Stage::Ehlo),
            (Protocol::Smtp, false) => (Command::Ehlo { host }, Stage::Ehlo),
            (Protocol::Smtp, true) => (Command::Helo { host }, Stage::Helo),
        };
        command.write_to(&mut self.output);
        self.state = State::Hello(stage);
    }

    /// Takes one complete reply off the input, if there is one.
    fn take_reply(&mut self, stage: Stage) -> Result<Option<Reply<'static>>, ClientError> {
        match deps::parse_reply(&self.input) {
            Ok((reply, used)) => {
                let reply = reply.into_owned();
                self.input.drain(..used);
                Ok(Some(reply))
            }
            Err(ReplyError::Incomplete) => Ok(None),
            Err(source) => Err(ClientError::MalformedReply { stage, source }),
        }
    }

    fn advance(&mut self) -> Result<Event, ClientError> {
        loop {
            match &mut self.state {
                State::Ready => {
                    // A complete reply while idle is unsolicited (often a 421 before the
                    // server closes); a partial one waits for the next command's turn.
                    return match self.take_reply(Stage::Idle)? {
                        None => Ok(Event::Ready),
                        Some(reply) if reply.code.get() == 421 => {
                            Err(ClientError::ServiceClosing {
                                stage: Stage::Idle,
                                reply,
                            })
                        }
                        Some(reply) => Err(ClientError::UnsolicitedReply(reply)),
                    };
                }
                State::TlsHandshake if self.input.is_empty() => return Ok(Event::StartTls),
                State::TlsHandshake => return Err(ClientError::DataBeforeTls(self.input.len())),
                State::Closed => return Ok(Event::Closed),
                State::Failed => {
                    return Err(ClientError::misuse("next", "the session has failed"));
                }
                State::Transaction(t) => match t.poll(&mut self.output) {
                    Poll::Reply => {}
                    Poll::Body => return Ok(Event::NeedBody),
                    Poll::Done(outcome, open) => {
                        self.need_rset = open;
                        self.state = State::Ready;
                        return Ok(Event::MessageDone(outcome));
                    }
                },
                _ => {}
            }
            let stage = self.stage();
            let Some(reply) = self.take_reply(stage)? else {
                return Ok(Event::NeedInput);
            };
            if reply.code.get() == 421 && !matches!(self.state, State::Quit) {
                self.queue_quit();
                return Err(ClientError::ServiceClosing { stage, reply });
            }
            self.on_reply(reply)?;
        }
    }

    /// RFC 5321 §3.1, §4.1.1.10: leave with QUIT after a refused greeting or a 421.
    fn queue_quit(&mut self) {
        Command::Quit.write_to(&mut self.output);
    }

    fn on_reply(&mut self, reply: Reply<'static>) -> Result<(), ClientError> {
        match std::mem::replace(&mut self.state, State::Failed) {
            State::Greeting => {
                if reply.code.get() != 220 {
                    self.queue_quit();
                    return Err(ClientError::UnexpectedReply {
                        stage: Stage::Greeting,
                        reply,
                    });
                }
                self.send_hello(false);
            }
            State::Hello(stage) => self.on_hello(stage, reply)?,
            State::StartTls => {
                if reply.code.get() == 220 {
                    if !self.input.is_empty() {
                        return Err(ClientError::DataBeforeTls(self.input.len()));
                    }
                    self.state = State::TlsHandshake;
                } else if self.config.tls == TlsPolicy::Required {
                    self.queue_quit();
                    return Err(ClientError::UnexpectedReply {
                        stage: Stage::StartTls,
                        reply,
                    });
                } else {
                    self.tls_refused = true;
                    self.after_hello()?;
                }
            }
            State::Auth(mut exchange) => match exchange.on_reply(reply, &mut self.output)? {
                AuthStep::Continue => self.state = State::Auth(exchange),
                AuthStep::Done => {
                    self.authenticated = true;
                    self.state = State::Ready;
                }
            },
            State::Transaction(mut t) => {
                t.on_reply(reply, &mut self.output)?;
                self.state = State::Transaction(t);
            }
            State::Quit => self.state = State::Closed,
            State::Ready => return Err(ClientError::UnsolicitedReply(reply)),
            State::TlsHandshake | State::Closed | State::Failed => {
                return Err(ClientError::UnsolicitedReply(reply));
            }
        }
        Ok(())
    }

    fn on_hello(&mut self, stage: Stage, reply: Reply<'static>) -> Result<(), ClientError> {
        if reply.is_success() {
            self.ehlo = if stage == Stage::Helo {
                None
            } else {
                Some(
                    EhloReply::from_reply(&reply)
                        .map_err(ClientError::MalformedEhlo)?
                        .into_owned(),
                )
            };
            return self.after_hello();
        }
        // RFC 5321 §4.1.4: a server that does not know EHLO answers 5yz; try HELO. Not
        // after STARTTLS (the server did EHLO before) and not in LMTP (RFC 2033 has no HELO).
        let fallback = stage == Stage::Ehlo
            && reply.is_permanent()
            && self.config.protocol == Protocol::Smtp
            && !self.tls_active;
        if fallback {
            self.send_hello(true);
            return Ok(());
        }
        self.queue_quit();
        Err(ClientError::UnexpectedReply { stage, reply })
    }

    /// After a successful EHLO/HELO: STARTTLS, AUTH or ready.
    fn after_hello(&mut self) -> Result<(), ClientError> {
        if !self.tls_active && self.config.tls != TlsPolicy::Never {
            if self.has(|c| matches!(c, Capability::StartTls)) && !self.tls_refused {
                Command::StartTls.write_to(&mut self.output);
                self.state = State::StartTls;
                return Ok(());
            }
            if self.config.tls == TlsPolicy::Required {
                self.queue_quit();
                return Err(ClientError::MissingCapability("STARTTLS"));
            }
        }
        if let Some(credentials) = &self.config.credentials
            && !self.authenticated
        {
            let Some(ehlo) = self.ehlo.as_ref() else {
                self.queue_quit();
                return Err(ClientError::MissingCapability("AUTH"));
            };
            let allow_plaintext = self.tls_active || self.config.plaintext_auth_without_tls;
            let exchange =
                AuthExchange::start(credentials, ehlo, allow_plaintext, &mut self.output)?;
            self.state = State::Auth(Box::new(exchange));
            return Ok(());
        }
        self.state = State::Ready;
        Ok(())
    }
}

/// Whether every address of the envelope is ASCII.
fn envelope_is_ascii(envelope: &Envelope) -> bool {
    let from = match &envelope.from.path {
        ReversePath::Null => true,
        ReversePath::Mailbox(m) => m.is_ascii(),
    };
    from && envelope.recipients.iter().all(|r| match &r.path {
        ForwardPath::Postmaster => true,
        ForwardPath::Mailbox(m) => m.is_ascii(),
    })
}
