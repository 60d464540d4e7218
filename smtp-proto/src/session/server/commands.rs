//! Command lines: framing, parsing, the order rules of RFC 5321 §4.1.4, and the answers to decisions.

use super::deps::{
    AuthResponse, BdatDecoder, Body, Capability, Command, DataDecoder, EhloReply, ForwardPath,
    Line, MailFrom, MailParams, Mechanism, Rcpt, ReversePath, decode_response, parse_command,
};
use super::error::{Malformed, OutOfOrder, parts, reply};
use super::event::{AuthStep, CloseReason, DataEnd, Event};
use super::fixed::{self, Answer};
use super::state::{Awaiting, Chunk, DataBody, Handled, Origin, Phase, Sink, Transaction};
use super::{Protocol, ServerSession};
use crate::auth;

/// RFC 4954 §4: a SASL response line may be 12288 octets, CRLF excluded.
const AUTH_LINE_LIMIT: usize = 12288 + 2;

impl ServerSession {
    /// Frames one line into `line` and handles it (command or SASL response): what to return
    /// ([`Event::NeedInput`] when no complete line is buffered), or `None` to go on. An
    /// accepted MAIL or RCPT comes back borrowing `line`: `next_event` hands it to the
    /// application borrowing the same octets in the framer's buffer (see [`Handled`]).
    pub(crate) fn line_step<'l>(&mut self, line: &'l mut Vec<u8>) -> Option<Handled<'l>> {
        let limit = match self.phase {
            Phase::Auth(_) => AUTH_LINE_LIMIT.max(self.config.max_line_length),
            _ => self.config.max_line_length,
        };
        let range = match self.input.next_line(limit) {
            Line::Incomplete => return Some(Handled::Event(Event::NeedInput)),
            Line::TooLong { .. } => {
                if matches!(self.phase, Phase::Auth(_)) {
                    self.phase = Phase::Ready;
                }
                self.fault(Malformed::LineTooLong { limit });
                return None;
            }
            Line::Complete(range) => range,
        };
        line.clear();
        line.extend_from_slice(self.input.get(range.clone()));
        let line: &'l [u8] = line;
        let origin = || Origin {
            base: line.as_ptr() as usize,
            range: range.clone(),
        };
        match self.phase {
            Phase::Auth(mechanism) => self.auth_line(mechanism, line).map(Handled::Event),
            _ => match parse_command(line) {
                Ok(Command::Mail(from)) => self.mail(from).map(|m| Handled::Mail(m, origin())),
                Ok(Command::Rcpt(rcpt)) => self.rcpt(rcpt).map(|r| Handled::Rcpt(r, origin())),
                Ok(command) => self.command(command).map(Handled::Event),
                Err(error) => {
                    self.fault(Malformed::Command(error));
                    None
                }
            },
        }
    }

    /// MAIL: the session's checks; `Some` (the decision awaited) when they pass.
    fn mail<'l>(&mut self, from: MailFrom<'l>) -> Option<MailFrom<'l>> {
        let tx = self.check_mail(&from)?;
        self.awaiting = Some(Awaiting::Mail(tx));
        Some(from)
    }

    /// RCPT: the session's checks; `Some` (the decision awaited) when they pass.
    fn rcpt<'l>(&mut self, rcpt: Rcpt<'l>) -> Option<Rcpt<'l>> {
        let tx = match &self.phase {
            Phase::Envelope(tx) if tx.chunked => {
                self.fault(OutOfOrder::AfterBdat("RCPT"));
                return None;
            }
            Phase::Envelope(tx) => tx,
            _ => {
                self.fault(OutOfOrder::NeedMail("RCPT"));
                return None;
            }
        };
        if let Some(param) = rcpt.params.other.first() {
            let text = format!("RCPT parameter {} not supported", param.keyword);
            self.send(reply(555, (5, 5, 4), text));
            return None;
        }
        if (rcpt.params.notify.is_some() || rcpt.params.orcpt.is_some())
            && !self.config.extensions.dsn
        {
            self.send(reply(555, (5, 5, 4), "DSN not supported"));
            return None;
        }
        if tx.recipients >= self.config.max_recipients {
            self.send(reply(452, (4, 5, 3), "too many recipients"));
            return None;
        }
        if let ForwardPath::Mailbox(mailbox) = &rcpt.path
            && !mailbox.is_ascii()
            && !tx.smtputf8
        {
            self.send(reply(553, (5, 6, 7), "non-ASCII address requires SMTPUTF8"));
            return None;
        }
        self.awaiting = Some(Awaiting::Rcpt);
        Some(rcpt)
    }

    fn auth_line(&mut self, mechanism: Mechanism, line: &[u8]) -> Option<Event<'static>> {
        match decode_response(line) {
            Ok(AuthResponse::Cancel) => {
                self.phase = Phase::Ready;
                self.send(parts(auth::CANCELLED));
                None
            }
            Ok(AuthResponse::Data(response)) => {
                self.awaiting = Some(Awaiting::Auth);
                Some(Event::Auth(AuthStep {
                    mechanism,
                    first: false,
                    response: Some(response),
                }))
            }
            Err(error) => {
                self.phase = Phase::Ready;
                self.fault(Malformed::Auth(error));
                None
            }
        }
    }

    fn command(&mut self, command: Command<'_>) -> Option<Event<'static>> {
        match command {
            Command::Ehlo { host } => self.hello(host.into_owned(), true, "EHLO"),
            Command::Helo { host } => self.hello(host.into_owned(), false, "HELO"),
            Command::Lhlo { host } => self.hello(host.into_owned(), true, "LHLO"),
            // `line_step` takes MAIL and RCPT itself (their events borrow the input).
            Command::Mail(from) => self.mail(from).map(|m| Event::Mail(m.into_owned())),
            Command::Rcpt(rcpt) => self.rcpt(rcpt).map(|r| Event::Rcpt(r.into_owned())),
            Command::Data => {
                let order = match &self.phase {
                    Phase::Envelope(tx) if tx.chunked => Some(OutOfOrder::AfterBdat("DATA")),
                    Phase::Envelope(tx) if tx.binary => Some(OutOfOrder::BinaryNeedsBdat),
                    Phase::Envelope(tx) if tx.recipients == 0 => Some(OutOfOrder::NoRecipients),
                    Phase::Envelope(_) => None,
                    _ => Some(OutOfOrder::NeedMail("DATA")),
                };
                if let Some(order) = order {
                    return self.out_of_order(order);
                }
                self.awaiting = Some(Awaiting::DataStart { chunk: None });
                Some(Event::DataStart { chunked: false })
            }
            Command::Bdat { size, last } => self.bdat(size, last),
            Command::Rset => {
                let had_transaction = self.phase.in_transaction();
                if !matches!(self.phase, Phase::Greeted) {
                    self.phase = Phase::Ready;
                }
                self.send_wire(fixed::RESET);
                had_transaction.then_some(Event::Reset)
            }
            Command::Vrfy(arg) => {
                self.awaiting = Some(Awaiting::Vrfy);
                Some(Event::Vrfy(arg.into_owned()))
            }
            Command::Expn(arg) => {
                self.awaiting = Some(Awaiting::Expn);
                Some(Event::Expn(arg.into_owned()))
            }
            Command::Etrn(arg) => {
                if matches!(self.phase, Phase::Greeted) {
                    return self.out_of_order(OutOfOrder::NeedHello("ETRN"));
                }
                if self.phase.in_transaction() {
                    return self.out_of_order(OutOfOrder::InTransaction("ETRN"));
                }
                self.awaiting = Some(Awaiting::Etrn);
                Some(Event::Etrn(arg.into_owned()))
            }
            Command::Help(_) => {
                self.send_wire(fixed::HELP);
                None
            }
            Command::Noop(_) => {
                self.send_wire(fixed::OK);
                None
            }
            Command::Quit => {
                let host = self.config.hostname.as_str();
                if !fixed::write_line(
                    &mut self.output,
                    b"221 2.0.0 ",
                    &[host, " closing connection"],
                ) {
                    let text = format!("{host} closing connection");
                    self.send(reply(221, (2, 0, 0), text));
                }
                self.close(CloseReason::Quit);
                None
            }
            Command::StartTls => self.starttls(),
            Command::Auth {
                mechanism,
                initial_response,
            } => self.auth(
                &mechanism,
                initial_response.as_ref().map(|r| r.expose().as_ref()),
            ),
        }
    }

    fn out_of_order(&mut self, error: OutOfOrder) -> Option<Event<'static>> {
        self.fault(error);
        None
    }

    fn hello(
        &mut self,
        host: super::deps::Host<'static>,
        extended: bool,
        verb: &'static str,
    ) -> Option<Event<'static>> {
        let lmtp = self.config.protocol == Protocol::Lmtp;
        if lmtp != (verb == "LHLO") {
            self.fault(Malformed::WrongHello(verb));
            return None;
        }
        let had_transaction = self.phase.in_transaction();
        self.phase = Phase::Greeted;
        self.awaiting = Some(Awaiting::Hello {
            extended,
            host: host.to_string(),
        });
        let event = Event::Hello { host, extended };
        if had_transaction {
            self.queued = Some(event);
            Some(Event::Reset)
        } else {
            Some(event)
        }
    }

    /// The checks on MAIL the session owns; on success the transaction MAIL would open.
    fn check_mail(&mut self, from: &super::deps::MailFrom<'_>) -> Option<Transaction> {
        match self.phase {
            Phase::Ready => {}
            Phase::Greeted => {
                self.fault(OutOfOrder::NeedHello("MAIL"));
                return None;
            }
            _ => {
                self.fault(OutOfOrder::NestedMail);
                return None;
            }
        }
        let ext = &self.config.extensions;
        let params = &from.params;
        let refusal = if !self.extended && *params != MailParams::default() {
            Some(reply(555, (5, 5, 4), "MAIL parameters need EHLO"))
        } else if self.config.require_auth && self.authenticated.is_none() {
            Some(reply(530, (5, 7, 0), "authentication required"))
        } else if let Some(param) = params.other.first() {
            Some(reply(
                555,
                (5, 5, 4),
                format!("MAIL parameter {} not supported", param.keyword),
            ))
        } else if (params.ret.is_some() || params.envid.is_some()) && !ext.dsn {
            Some(reply(555, (5, 5, 4), "DSN not supported"))
        } else if params.mt_priority.is_some() {
            Some(reply(555, (5, 5, 4), "MT-PRIORITY not supported"))
        } else if params.auth.is_some() && self.config.auth_mechanisms.is_empty() {
            Some(reply(555, (5, 5, 4), "AUTH parameter without AUTH"))
        } else if params.smtputf8 && !ext.smtputf8 {
            Some(reply(555, (5, 5, 4), "SMTPUTF8 not supported"))
        } else if params.body == Some(Body::EightBitMime) && !ext.eight_bit_mime {
            Some(reply(555, (5, 5, 4), "8BITMIME not supported"))
        } else if params.body == Some(Body::BinaryMime) && !(ext.binary_mime && ext.chunking) {
            Some(reply(555, (5, 5, 4), "BINARYMIME not supported"))
        } else if params.requiretls && !ext.requiretls {
            Some(reply(555, (5, 5, 4), "REQUIRETLS not supported"))
        } else if params.requiretls && !self.tls {
            Some(reply(530, (5, 7, 10), "REQUIRETLS needs a TLS connection"))
        } else if matches!(&from.path, ReversePath::Mailbox(m) if !m.is_ascii()) && !params.smtputf8
        {
            Some(reply(553, (5, 6, 7), "non-ASCII address requires SMTPUTF8"))
        } else if let (Some(size), Some(max)) = (params.size, self.config.max_message_size)
            && size > max
        {
            Some(reply(
                552,
                (5, 3, 4),
                "message size exceeds fixed maximum message size",
            ))
        } else {
            None
        };
        if let Some(refusal) = refusal {
            self.send(refusal);
            return None;
        }
        Some(Transaction {
            smtputf8: params.smtputf8,
            binary: params.body == Some(Body::BinaryMime),
            ..Transaction::default()
        })
    }

    fn bdat(&mut self, size: u64, last: bool) -> Option<Event<'static>> {
        // The chunk's octets follow the command whatever the answer: always consume them (RFC 3030 §2).
        let refusal = if !self.config.extensions.chunking {
            Some((Malformed::NotOffered("BDAT").into(), true))
        } else {
            match &self.phase {
                Phase::Envelope(tx) if tx.recipients == 0 => {
                    Some((OutOfOrder::NoRecipients.into(), true))
                }
                Phase::Envelope(_) => None,
                _ => Some((OutOfOrder::NeedMail("BDAT").into(), true)),
            }
        };
        if let Some((error, counts_as_bad)) = refusal {
            let error: super::ServerError = error;
            let then = Box::new(std::mem::replace(&mut self.phase, Phase::Ready));
            let sink = Sink::Discard {
                reply: Some(error.reply()),
                counts_as_bad,
                then,
            };
            self.last_peer_error = Some(error);
            self.phase = Phase::Chunk(Chunk {
                decoder: BdatDecoder::new(size),
                last,
                finished: false,
                sink,
            });
            return None;
        }
        let Phase::Envelope(tx) = &mut self.phase else {
            return None;
        };
        if tx.chunked {
            let tx = std::mem::take(tx);
            self.phase = Phase::Chunk(Chunk {
                decoder: BdatDecoder::new(size),
                last,
                finished: false,
                sink: Sink::Deliver(tx),
            });
            return None;
        }
        self.awaiting = Some(Awaiting::DataStart {
            chunk: Some((size, last)),
        });
        Some(Event::DataStart { chunked: true })
    }

    fn starttls(&mut self) -> Option<Event<'static>> {
        if self.tls {
            return self.out_of_order(OutOfOrder::TlsActive);
        }
        if !self.config.starttls {
            self.fault(Malformed::NotOffered("STARTTLS"));
            return None;
        }
        match self.phase {
            Phase::Ready => {}
            Phase::Greeted => return self.out_of_order(OutOfOrder::NeedHello("STARTTLS")),
            _ => return self.out_of_order(OutOfOrder::InTransaction("STARTTLS")),
        }
        self.send_wire(fixed::READY_FOR_TLS);
        // RFC 3207 §4.2, CVE-2011-0411: nothing pipelined after STARTTLS may survive the handshake.
        self.discarded += self.input.discard();
        self.phase = Phase::TlsHandshake;
        Some(Event::StartTls)
    }

    fn auth(&mut self, name: &str, initial_response: Option<&[u8]>) -> Option<Event<'static>> {
        if self.config.auth_mechanisms.is_empty() {
            self.fault(Malformed::NotOffered("AUTH"));
            return None;
        }
        match self.phase {
            Phase::Ready if self.authenticated.is_some() => {
                return self.out_of_order(OutOfOrder::AlreadyAuthenticated);
            }
            Phase::Ready => {}
            Phase::Greeted => return self.out_of_order(OutOfOrder::NeedHello("AUTH")),
            _ => return self.out_of_order(OutOfOrder::InTransaction("AUTH")),
        }
        let Some(mechanism) = Mechanism::from_name(name)
            .ok()
            .filter(|m| self.config.auth_mechanisms.contains(m))
        else {
            self.send(parts(auth::UNRECOGNIZED_MECHANISM));
            return None;
        };
        if !self.config.mechanism_allowed(mechanism, self.tls)
            && mechanism.sends_reusable_credential()
        {
            self.send(parts(auth::ENCRYPTION_REQUIRED));
            return None;
        }
        let response = match initial_response.map(decode_response) {
            None => None,
            Some(Ok(AuthResponse::Data(data))) => Some(data),
            Some(Ok(AuthResponse::Cancel)) => {
                self.send(parts(auth::CANCELLED));
                return None;
            }
            Some(Err(error)) => {
                self.fault(Malformed::Auth(error));
                return None;
            }
        };
        self.phase = Phase::Auth(mechanism);
        self.awaiting = Some(Awaiting::Auth);
        Some(Event::Auth(AuthStep {
            mechanism,
            first: true,
            response,
        }))
    }

    /// Applies an accepted decision; returns the default reply to send, if any.
    pub(crate) fn accepted(&mut self, awaiting: Awaiting) -> Option<Answer> {
        match awaiting {
            Awaiting::Hello { extended, host } => {
                self.phase = Phase::Ready;
                self.extended = extended;
                Some(self.hello_reply(&host, extended))
            }
            Awaiting::Mail(tx) => {
                self.phase = Phase::Envelope(tx);
                Some(Answer::Wire(fixed::SENDER_OK))
            }
            Awaiting::Rcpt => {
                if let Phase::Envelope(tx) = &mut self.phase {
                    tx.recipients += 1;
                }
                Some(Answer::Wire(fixed::RECIPIENT_OK))
            }
            Awaiting::DataStart { chunk } => {
                let Phase::Envelope(tx) = std::mem::replace(&mut self.phase, Phase::Ready) else {
                    return None;
                };
                match chunk {
                    None => {
                        let decoder = DataDecoder::new(self.config.bare_line_endings);
                        self.phase = Phase::Data(DataBody {
                            tx,
                            decoder,
                            finished: false,
                            aborted: false,
                        });
                        Some(Answer::Wire(fixed::START_MAIL_INPUT))
                    }
                    Some((size, last)) => {
                        let tx = Transaction {
                            chunked: true,
                            ..tx
                        };
                        let decoder = BdatDecoder::new(size);
                        self.phase = Phase::Chunk(Chunk {
                            decoder,
                            last,
                            finished: false,
                            sink: Sink::Deliver(tx),
                        });
                        None
                    }
                }
            }
            Awaiting::DataEnd { remaining } => {
                if remaining > 1 {
                    self.awaiting = Some(Awaiting::DataEnd {
                        remaining: remaining - 1,
                    });
                }
                Some(Answer::Wire(fixed::OK))
            }
            Awaiting::Vrfy => Some(Answer::Wire(fixed::CANNOT_VRFY)),
            Awaiting::Expn => Some(Answer::Wire(fixed::OK)),
            Awaiting::Etrn => Some(Answer::Wire(fixed::QUEUING_STARTED)),
            Awaiting::Auth => None,
        }
    }

    /// Applies a refused decision (its reply is already written).
    pub(crate) fn rejected(&mut self, awaiting: Awaiting) {
        match awaiting {
            Awaiting::DataStart {
                chunk: Some((size, last)),
            } => {
                // The chunk's octets are on their way: consume them (the reply is already written).
                let then = Box::new(std::mem::replace(&mut self.phase, Phase::Ready));
                let sink = Sink::Discard {
                    reply: None,
                    counts_as_bad: false,
                    then,
                };
                self.phase = Phase::Chunk(Chunk {
                    decoder: BdatDecoder::new(size),
                    last,
                    finished: false,
                    sink,
                });
            }
            Awaiting::DataEnd { remaining } if remaining > 1 => {
                self.awaiting = Some(Awaiting::DataEnd {
                    remaining: remaining - 1,
                });
            }
            _ => {}
        }
    }

    /// The data-end decision(s) the application owes for a complete body.
    pub(crate) fn data_end_event(
        &mut self,
        tx: &Transaction,
        size: u64,
        chunked: bool,
    ) -> Event<'static> {
        let replies = match self.config.protocol {
            Protocol::Smtp => 1,
            Protocol::Lmtp => tx.recipients.max(1),
        };
        self.awaiting = Some(Awaiting::DataEnd { remaining: replies });
        Event::DataEnd(DataEnd {
            size,
            chunked,
            replies,
        })
    }

    /// The reply to an accepted EHLO/LHLO (capabilities, RFC 5321 §4.1.1.1) or HELO.
    fn hello_reply(&self, client: &str, extended: bool) -> Answer {
        let greeting = Some(format!("greets {client}").into());
        let mut capabilities = Vec::new();
        if extended {
            let ext = &self.config.extensions;
            let offered = [
                (true, Capability::Pipelining),
                (true, Capability::Size(self.config.max_message_size)),
                (true, Capability::EnhancedStatusCodes),
                (ext.eight_bit_mime, Capability::EightBitMime),
                (ext.smtputf8, Capability::SmtpUtf8),
                (ext.chunking, Capability::Chunking),
                (ext.chunking && ext.binary_mime, Capability::BinaryMime),
                (ext.dsn, Capability::Dsn),
                (self.config.starttls && !self.tls, Capability::StartTls),
                (ext.requiretls && self.tls, Capability::RequireTls),
            ];
            capabilities.extend(offered.into_iter().filter_map(|(on, c)| on.then_some(c)));
            let mechanisms: Vec<_> = (self.config.auth_mechanisms.iter())
                .filter(|m| self.config.mechanism_allowed(**m, self.tls))
                .map(|m| m.name().into())
                .collect();
            if !mechanisms.is_empty() && self.authenticated.is_none() {
                capabilities.push(Capability::Auth(mechanisms));
            }
            capabilities.extend(ext.expn.then_some(Capability::Expn));
            capabilities.extend(ext.etrn.then_some(Capability::Etrn));
            capabilities.push(Capability::Help);
        }
        let domain = self.config.hostname.clone().into();
        Answer::Ehlo(EhloReply {
            domain,
            greeting,
            capabilities,
        })
    }
}
