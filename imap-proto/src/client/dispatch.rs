//! What the session does with each response: continuation requests release literals and drive
//! AUTHENTICATE, IDLE and streamed APPEND; tagged responses complete commands and move the
//! connection's state; untagged data updates capabilities and the mailbox and goes to the
//! command that asked for it (RFC 9051 §7), or to the application as unsolicited.

use super::head::ServerLine;
use super::{
    Capabilities, ClientError, ClientSession, Code, Completion, Condition, ConnectionState, Event,
    InFlight, Special, StatusText, Untagged, UntaggedKind,
};

impl ClientSession {
    pub(super) fn handle(&mut self, line: ServerLine) -> Result<(), ClientError> {
        match line {
            ServerLine::Continuation(text) => self.on_continuation(&text),
            ServerLine::Tagged {
                tag,
                condition,
                text,
            } => self.on_tagged(tag, condition, text),
            ServerLine::Untagged(u) => self.on_untagged(u),
        }
    }

    fn on_continuation(&mut self, text: &[u8]) -> Result<(), ClientError> {
        let cmd = self
            .in_flight
            .iter_mut()
            .find(|c| c.awaits_continuation())
            .ok_or(ClientError::UnexpectedContinuation)?;
        if let Some(fragment) = cmd.rest.pop_front() {
            self.output.extend_from_slice(&fragment);
            return Ok(());
        }
        match &mut cmd.special {
            Special::Authenticate(auth) => {
                let reply = auth.answer(text);
                self.output.extend_from_slice(&reply);
                self.output.extend_from_slice(b"\r\n");
            }
            Special::Idle {
                idling,
                done_requested,
                done_sent,
            } => {
                *idling = true;
                if *done_requested {
                    *done_sent = true;
                    self.output.extend_from_slice(b"DONE\r\n");
                } else {
                    self.events.push_back(Event::Idling {
                        tag: cmd.tag.clone(),
                    });
                }
            }
            Special::AppendStream { ready, .. } => {
                *ready = true;
                self.events.push_back(Event::AppendReady {
                    tag: cmd.tag.clone(),
                });
            }
            _ => return Err(ClientError::UnexpectedContinuation),
        }
        Ok(())
    }

    fn on_tagged(
        &mut self,
        tag: String,
        condition: Condition,
        text: StatusText,
    ) -> Result<(), ClientError> {
        let i = self
            .in_flight
            .iter()
            .position(|c| c.tag == tag)
            .ok_or_else(|| ClientError::UnknownTag(tag.clone()))?;
        let cmd = self.in_flight.remove(i);
        let ok = condition == Condition::Ok;
        if let Some(Code::Capability(c)) = &text.code {
            self.capabilities = Some(Capabilities::new(c.clone()));
        }
        let mut closed = false;
        match cmd.special {
            Special::StartTls if ok => {
                // Anything after the OK came before TLS: discard it (RFC 9051 §6.2.1).
                self.assembler.discard();
                self.streamed = None;
                self.capabilities = None;
                self.tls_pending = true;
            }
            Special::Login | Special::Authenticate(_) if ok => {
                if let Special::Authenticate(auth) = &cmd.special {
                    auth.finish().map_err(ClientError::Sasl)?;
                }
                if !matches!(&text.code, Some(Code::Capability(_))) {
                    self.capabilities = None;
                }
                self.state = ConnectionState::Authenticated;
                self.auto_capability();
            }
            Special::Select(mut mailbox) => {
                if ok {
                    if let Some(code) = &text.code {
                        mailbox.apply_code(code);
                    }
                    self.mailbox = Some(*mailbox);
                    self.state = ConnectionState::Selected;
                } else if condition == Condition::No && self.state == ConnectionState::Selected {
                    // A failed SELECT leaves no mailbox selected (RFC 9051 §6.3.2); a BAD one
                    // was not carried out.
                    self.mailbox = None;
                    self.state = ConnectionState::Authenticated;
                }
            }
            Special::Deselect if ok && self.state == ConnectionState::Selected => {
                self.mailbox = None;
                self.state = ConnectionState::Authenticated;
            }
            Special::Logout => {
                self.state = ConnectionState::Logout;
                closed = true;
            }
            _ => {}
        }
        self.events.push_back(Event::Done(Completion {
            tag: cmd.tag,
            command: cmd.name,
            condition,
            text,
            untagged: cmd.untagged,
        }));
        self.closed |= closed;
        Ok(())
    }

    fn on_untagged(&mut self, u: Untagged) -> Result<(), ClientError> {
        if self.state == ConnectionState::Greeting {
            return self.on_greeting(u);
        }
        match &u.kind {
            UntaggedKind::Capability(c) => self.capabilities = Some(c.clone()),
            UntaggedKind::Enabled(names) => self.enabled.extend(names.iter().cloned()),
            UntaggedKind::Status {
                condition: Condition::Bye,
                ..
            } => self.state = ConnectionState::Logout,
            UntaggedKind::Status {
                text:
                    StatusText {
                        code: Some(Code::Capability(c)),
                        ..
                    },
                ..
            } => self.capabilities = Some(Capabilities::new(c.clone())),
            _ => {}
        }
        // Mailbox data goes to the SELECT in flight, else to the selected mailbox.
        let selecting = self
            .in_flight
            .iter_mut()
            .find_map(|c| match &mut c.special {
                Special::Select(m) => Some(m),
                _ => None,
            });
        match selecting {
            Some(m) => {
                m.apply(&u.kind);
            }
            None => {
                if let Some(m) = &mut self.mailbox {
                    m.apply(&u.kind);
                }
            }
        }
        match route(&self.in_flight, &u.kind) {
            Some(i) => {
                let limit = self.config.max_untagged_per_command;
                let cmd = &mut self.in_flight[i];
                if cmd.untagged.len() >= limit {
                    return Err(ClientError::TooManyResponses {
                        tag: cmd.tag.clone(),
                        limit,
                    });
                }
                cmd.untagged.push(u);
            }
            None => {
                let bye = matches!(
                    u.kind,
                    UntaggedKind::Status {
                        condition: Condition::Bye,
                        ..
                    }
                );
                self.events.push_back(Event::Untagged(u));
                if bye {
                    // An unsolicited BYE: the server is closing the connection.
                    self.closed = true;
                }
            }
        }
        Ok(())
    }

    fn on_greeting(&mut self, u: Untagged) -> Result<(), ClientError> {
        let UntaggedKind::Status { condition, text } = u.kind else {
            return Err(ClientError::BadGreeting);
        };
        match condition {
            Condition::Ok => self.state = ConnectionState::NotAuthenticated,
            Condition::PreAuth => self.state = ConnectionState::Authenticated,
            Condition::Bye => {
                self.state = ConnectionState::Logout;
                self.closed = true;
            }
            Condition::No | Condition::Bad => return Err(ClientError::BadGreeting),
        }
        if let Some(Code::Capability(c)) = &text.code {
            self.capabilities = Some(Capabilities::new(c.clone()));
        }
        self.events.push_back(Event::Greeting { condition, text });
        if !self.closed {
            self.auto_capability();
        }
        Ok(())
    }
}

/// Which command in flight an untagged response answers (the oldest that asked for it), by
/// the table of RFC 9051 §7 (and the extensions' response sections).
fn route(in_flight: &[InFlight], kind: &UntaggedKind) -> Option<usize> {
    let names: &[&str] = match kind {
        UntaggedKind::Capability(_) => &["CAPABILITY"],
        UntaggedKind::Enabled(_) => &["ENABLE"],
        UntaggedKind::Exists(_) | UntaggedKind::Recent(_) | UntaggedKind::Flags(_) => {
            &["SELECT", "EXAMINE"]
        }
        UntaggedKind::Expunge(_) => &["EXPUNGE", "UID EXPUNGE", "MOVE", "UID MOVE"],
        UntaggedKind::Fetch(_) => &[
            "FETCH",
            "UID FETCH",
            "STORE",
            "UID STORE",
            "SELECT",
            "EXAMINE",
        ],
        UntaggedKind::Status {
            condition: Condition::Bye,
            ..
        } => &["LOGOUT"],
        UntaggedKind::Status { text, .. } => match &text.code {
            Some(Code::CopyUid { .. }) => &["MOVE", "UID MOVE"],
            Some(Code::Alert) | Some(Code::Capability(_)) => &[],
            _ => &["SELECT", "EXAMINE"],
        },
        UntaggedKind::Data { name, .. } => match name.as_str() {
            // SELECT answers with the mailbox's LIST (RFC 9051 §6.3.2).
            "LIST" => &["LIST", "SELECT", "EXAMINE"],
            "LSUB" => &["LSUB"],
            "STATUS" => &["STATUS", "LIST"],
            "SEARCH" | "ESEARCH" => &["SEARCH", "UID SEARCH"],
            "SORT" => &["SORT", "UID SORT"],
            "THREAD" => &["THREAD", "UID THREAD"],
            "NAMESPACE" => &["NAMESPACE"],
            "ID" => &["ID"],
            "QUOTA" => &["GETQUOTA", "GETQUOTAROOT"],
            "QUOTAROOT" => &["GETQUOTAROOT"],
            "VANISHED" => &[
                "UID FETCH",
                "SELECT",
                "EXAMINE",
                "EXPUNGE",
                "UID EXPUNGE",
                "MOVE",
                "UID MOVE",
            ],
            _ => &[],
        },
    };
    in_flight
        .iter()
        .position(|c| names.contains(&c.name.as_str()))
}
