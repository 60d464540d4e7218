//! One mail transaction: `MAIL`, `RCPT`s, `DATA` or `BDAT`, the final reply(s).
//!
//! Commands wait in `to_send`; sent commands wait for their replies in `pending`, matched in
//! order (RFC 2920 §3.1). Without PIPELINING a command is sent only when nothing is pending;
//! with it, `MAIL`, every `RCPT` and `DATA` go out in one write.

use std::collections::VecDeque;

use super::deps::{Command, DataEncoder, MailFrom, Rcpt, Reply};
use super::error::{ClientError, Stage};
use super::outcome::{Envelope, MessageOutcome, RecipientStatus};

/// A command not yet sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outgoing {
    Rset,
    Mail,
    Rcpt(usize),
    Data,
}

/// A reply awaited, in the order the commands went out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    Rset,
    Mail,
    Rcpt(usize),
    Data,
    /// A BDAT chunk that is not the last.
    Bdat,
    /// The reply to `.` or `BDAT ... LAST` (in LMTP, one per accepted recipient).
    End,
}

impl Expect {
    fn stage(self) -> Stage {
        match self {
            Self::Rset => Stage::Rset,
            Self::Mail => Stage::Mail,
            Self::Rcpt(_) => Stage::Rcpt,
            Self::Data => Stage::DataInit,
            Self::Bdat => Stage::DataBlock,
            Self::End => Stage::DataEnd,
        }
    }
}

/// Where the body stands.
enum Body {
    /// Before the body: envelope replies outstanding.
    NotStarted,
    /// After `354`: the body goes through the dot-stuffer.
    Data(DataEncoder),
    /// BDAT chunks (RFC 3030). The latest piece is held back until the next one or the
    /// end, so that the last chunk carries `LAST` (one piece of memory, never the message).
    Bdat(Option<Vec<u8>>),
    /// A BDAT chunk failed: the rest of the body is dropped (RFC 3030 §2: no more chunks).
    Discard,
    /// The body has ended (or never will be sent); only replies remain.
    Ended,
}

/// What the transaction needs next.
pub(super) enum Poll {
    /// A reply to an outstanding command.
    Reply,
    /// The next body chunk (or its end).
    Body,
    /// The transaction is over; `bool`: whether it is still open on the server (RSET due).
    Done(MessageOutcome, bool),
}

/// Settings fixed when the transaction starts.
pub(super) struct Plan {
    pub(super) lmtp: bool,
    pub(super) pipelining: bool,
    pub(super) bdat: bool,
    /// How many BDAT replies may be outstanding before the body waits.
    pub(super) bdat_window: usize,
    pub(super) rset_first: bool,
}

pub(super) struct Transaction {
    plan: Plan,
    from: MailFrom<'static>,
    rcpts: Vec<Rcpt<'static>>,
    to_send: VecDeque<Outgoing>,
    pending: VecDeque<Expect>,
    mail: Option<Reply<'static>>,
    rcpt_replies: Vec<Option<Reply<'static>>>,
    /// Indices of the recipients whose RCPT was accepted, in order.
    accepted: Vec<usize>,
    body: Body,
    /// The reply that failed `DATA` or a BDAT chunk.
    failure: Option<Reply<'static>>,
    /// Replies after the end of data: one in SMTP, one per accepted recipient in LMTP.
    end_replies: Vec<Reply<'static>>,
}

impl Transaction {
    pub(super) fn new(envelope: Envelope, plan: Plan) -> Self {
        let mut to_send = VecDeque::with_capacity(envelope.recipients.len() + 3);
        if plan.rset_first {
            to_send.push_back(Outgoing::Rset);
        }
        to_send.push_back(Outgoing::Mail);
        to_send.extend((0..envelope.recipients.len()).map(Outgoing::Rcpt));
        if !plan.bdat {
            to_send.push_back(Outgoing::Data);
        }
        Self {
            rcpt_replies: vec![None; envelope.recipients.len()],
            plan,
            from: envelope.from,
            rcpts: envelope.recipients,
            to_send,
            pending: VecDeque::new(),
            mail: None,
            accepted: Vec::new(),
            body: Body::NotStarted,
            failure: None,
            end_replies: Vec::new(),
        }
    }

    fn mail_ok(&self) -> bool {
        self.mail.as_ref().is_some_and(Reply::is_success)
    }

    /// Writes the commands that may go out now; says what is needed next.
    pub(super) fn poll(&mut self, out: &mut Vec<u8>) -> Poll {
        self.send_commands(out);
        if !self.pending.is_empty() {
            let window_open = match self.body {
                Body::Bdat(_) => self.pending.len() < self.plan.bdat_window,
                Body::Discard | Body::Data(_) => true,
                Body::NotStarted | Body::Ended => false,
            };
            return if window_open { Poll::Body } else { Poll::Reply };
        }
        match self.body {
            Body::Data(_) | Body::Bdat(_) | Body::Discard => return Poll::Body,
            Body::NotStarted | Body::Ended => {}
        }
        // Nothing pending, nothing to send.
        if matches!(self.body, Body::NotStarted)
            && self.plan.bdat
            && self.mail_ok()
            && !self.accepted.is_empty()
        {
            self.body = Body::Bdat(None);
            return Poll::Body;
        }
        let Some(mail) = self.mail.clone() else {
            // Unreachable: MAIL is always sent and nothing is pending.
            return Poll::Reply;
        };
        // The server still holds the transaction unless MAIL was refused or the end of data
        // was answered.
        let open = mail.is_success() && self.end_replies.is_empty();
        Poll::Done(self.outcome(mail), open)
    }

    /// Sends queued commands: all of them with PIPELINING, else one when nothing is pending.
    fn send_commands(&mut self, out: &mut Vec<u8>) {
        while let Some(&next) = self.to_send.front() {
            if !self.pending.is_empty() && !self.plan.pipelining {
                return;
            }
            if !self.plan.pipelining {
                // Stop early: MAIL refused, or no recipient accepted before DATA.
                let stop = match next {
                    Outgoing::Rset | Outgoing::Mail => false,
                    Outgoing::Rcpt(_) => !self.mail_ok(),
                    Outgoing::Data => self.accepted.is_empty(),
                };
                if stop {
                    self.to_send.clear();
                    return;
                }
            }
            self.to_send.pop_front();
            match next {
                Outgoing::Rset => {
                    Command::Rset.write_to(out);
                    self.pending.push_back(Expect::Rset);
                }
                Outgoing::Mail => {
                    Command::Mail(self.from.clone()).write_to(out);
                    self.pending.push_back(Expect::Mail);
                }
                Outgoing::Rcpt(i) => {
                    if let Some(rcpt) = self.rcpts.get(i) {
                        Command::Rcpt(rcpt.clone()).write_to(out);
                        self.pending.push_back(Expect::Rcpt(i));
                    }
                }
                Outgoing::Data => {
                    Command::Data.write_to(out);
                    self.pending.push_back(Expect::Data);
                }
            }
        }
    }

    /// The stage of the oldest outstanding command.
    pub(super) fn stage(&self) -> Stage {
        match (self.pending.front(), &self.body) {
            (Some(e), _) => e.stage(),
            (None, Body::NotStarted | Body::Ended) => Stage::Mail,
            (None, _) => Stage::DataBlock,
        }
    }

    /// Matches a reply to the oldest outstanding command.
    pub(super) fn on_reply(
        &mut self,
        reply: Reply<'static>,
        out: &mut Vec<u8>,
    ) -> Result<(), ClientError> {
        let Some(expect) = self.pending.pop_front() else {
            return Err(ClientError::UnsolicitedReply(reply));
        };
        match expect {
            Expect::Rset => {
                if !reply.is_success() {
                    return Err(ClientError::UnexpectedReply {
                        stage: Stage::Rset,
                        reply,
                    });
                }
            }
            Expect::Mail => self.mail = Some(reply),
            Expect::Rcpt(i) => {
                if reply.is_success() && self.mail_ok() {
                    self.accepted.push(i);
                }
                if let Some(slot) = self.rcpt_replies.get_mut(i) {
                    *slot = Some(reply);
                }
            }
            Expect::Data => {
                if reply.code.get() == 354 {
                    if self.accepted.is_empty() {
                        // RFC 2920 §3.1: a server that answers DATA with 354 after refusing
                        // every recipient gets an empty message, which it must refuse.
                        DataEncoder::new().finish(out);
                        self.body = Body::Ended;
                        self.pending.push_back(Expect::End);
                    } else {
                        self.body = Body::Data(DataEncoder::new());
                    }
                } else if reply.is_intermediate() || reply.is_success() {
                    return Err(ClientError::UnexpectedReply {
                        stage: Stage::DataInit,
                        reply,
                    });
                } else {
                    self.failure = Some(reply);
                    self.body = Body::Ended;
                }
            }
            Expect::Bdat => {
                if !reply.is_success() && self.failure.is_none() {
                    self.failure = Some(reply);
                    if matches!(self.body, Body::Bdat(_)) {
                        self.body = Body::Discard;
                    }
                }
            }
            Expect::End => {
                if self.plan.lmtp && self.mail_ok() && !self.accepted.is_empty() {
                    self.end_replies.push(reply);
                    if self.end_replies.len() < self.accepted.len() {
                        self.pending.push_front(Expect::End);
                    }
                } else {
                    self.end_replies.push(reply);
                }
            }
        }
        Ok(())
    }

    /// Adds a body chunk.
    pub(super) fn send_body(&mut self, chunk: &[u8], out: &mut Vec<u8>) -> Result<(), ClientError> {
        match &mut self.body {
            Body::Data(encoder) => encoder.encode(chunk, out),
            Body::Bdat(held) => {
                if !chunk.is_empty() {
                    if let Some(previous) = held.as_mut() {
                        Command::Bdat {
                            size: previous.len() as u64,
                            last: false,
                        }
                        .write_to(out);
                        out.extend_from_slice(previous);
                        self.pending.push_back(Expect::Bdat);
                        previous.clear();
                        previous.extend_from_slice(chunk);
                    } else {
                        *held = Some(chunk.to_vec());
                    }
                }
            }
            Body::Discard => {}
            Body::NotStarted | Body::Ended => {
                return Err(ClientError::misuse(
                    "send_body",
                    "the session is not waiting for a message body",
                ));
            }
        }
        Ok(())
    }

    /// Ends the body.
    pub(super) fn finish_body(&mut self, out: &mut Vec<u8>) -> Result<(), ClientError> {
        match std::mem::replace(&mut self.body, Body::Ended) {
            Body::Data(encoder) => {
                encoder.finish(out);
                self.pending.push_back(Expect::End);
            }
            Body::Bdat(held) => {
                let last = held.unwrap_or_default();
                Command::Bdat {
                    size: last.len() as u64,
                    last: true,
                }
                .write_to(out);
                out.extend_from_slice(&last);
                self.pending.push_back(Expect::End);
            }
            Body::Discard => {}
            other @ (Body::NotStarted | Body::Ended) => {
                self.body = other;
                return Err(ClientError::misuse(
                    "finish_body",
                    "the session is not waiting for a message body",
                ));
            }
        }
        Ok(())
    }

    /// Each recipient's final status.
    fn outcome(&self, mail: Reply<'static>) -> MessageOutcome {
        let mail_ok = mail.is_success();
        let recipients = (0..self.rcpts.len())
            .map(|i| {
                let rcpt = self.rcpt_replies.get(i).cloned().flatten();
                if !mail_ok {
                    return RecipientStatus::Rejected(mail.clone());
                }
                let Some(rcpt) = rcpt else {
                    return RecipientStatus::Rejected(mail.clone());
                };
                let Some(pos) = self.accepted.iter().position(|&a| a == i) else {
                    return RecipientStatus::Rejected(rcpt);
                };
                if let Some(failure) = &self.failure {
                    return RecipientStatus::Rejected(failure.clone());
                }
                let end = if self.plan.lmtp {
                    self.end_replies.get(pos)
                } else {
                    self.end_replies.first()
                };
                match end {
                    Some(r) if r.is_success() => RecipientStatus::Accepted(r.clone()),
                    Some(r) => RecipientStatus::Rejected(r.clone()),
                    None => RecipientStatus::Rejected(rcpt),
                }
            })
            .collect();
        let data = self.failure.clone().or_else(|| {
            if self.plan.lmtp && !self.accepted.is_empty() {
                None
            } else {
                self.end_replies.first().cloned()
            }
        });
        MessageOutcome {
            mail,
            recipients,
            data,
        }
    }
}
