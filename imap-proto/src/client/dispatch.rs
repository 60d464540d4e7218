//! What the session does with each response: continuation requests release literals and drive
//! AUTHENTICATE, IDLE and streamed APPEND; tagged responses complete commands and move the
//! connection's state; untagged data updates capabilities and the mailbox and goes to the
//! command that asked for it (RFC 9051 §7), or to the application as unsolicited.

use super::{
    Capabilities, ClientError, ClientSession, Code, Completion, ConnectionState, Event, InFlight,
    Special,
};
use crate::response::{Data, Response, Status, StatusKind};

impl ClientSession {
    /// Act on one response, parsed once ([`Response::parse`]) and owned.
    pub(super) fn handle(&mut self, response: Response<'static>) -> Result<(), ClientError> {
        match response {
            Response::Continue(c) => self.on_continuation(c.text.as_bytes()),
            Response::Status(s) if s.tag.is_some() => self.on_tagged(s),
            other => self.on_untagged(other),
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

    fn on_tagged(&mut self, status: Status<'static>) -> Result<(), ClientError> {
        let tag = status.tag.as_ref().map_or("", |t| t.as_str());
        let i = self
            .in_flight
            .iter()
            .position(|c| c.tag == tag)
            .ok_or_else(|| ClientError::UnknownTag(tag.to_owned()))?;
        let cmd = self.in_flight.remove(i);
        let ok = status.kind == StatusKind::Ok;
        if let Some(Code::Capability(c)) = &status.code {
            self.capabilities = Some(Capabilities::new(c.clone()));
        }
        let mut closed = false;
        match cmd.special {
            Special::StartTls if ok => {
                // Anything after the OK came before TLS: discard it (RFC 9051 §6.2.1).
                self.assembler.discard();
                self.streamed = None;
                self.sasl_ir_before_tls = self
                    .capabilities
                    .as_ref()
                    .is_some_and(Capabilities::sasl_ir);
                self.capabilities = None;
                self.tls_pending = true;
            }
            Special::Login | Special::Authenticate(_) if ok => {
                if let Special::Authenticate(auth) = &cmd.special {
                    auth.finish().map_err(ClientError::Sasl)?;
                }
                if !matches!(&status.code, Some(Code::Capability(_))) {
                    self.capabilities = None;
                }
                self.state = ConnectionState::Authenticated;
                self.auto_capability();
            }
            Special::Select(mut mailbox) => {
                if ok {
                    if let Some(code) = &status.code {
                        mailbox.apply_code(code);
                    }
                    self.mailbox = Some(*mailbox);
                    self.state = ConnectionState::Selected;
                } else if status.kind == StatusKind::No && self.state == ConnectionState::Selected {
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
            status,
            untagged: cmd.untagged,
        }));
        self.closed |= closed;
        Ok(())
    }

    fn on_untagged(&mut self, u: Response<'static>) -> Result<(), ClientError> {
        if self.state == ConnectionState::Greeting {
            return self.on_greeting(u);
        }
        let bye = is_bye(&u);
        match &u {
            Response::Data(Data::Capability(c)) => {
                self.capabilities = Some(Capabilities::new(c.clone()));
            }
            Response::Data(Data::Enabled(names)) => self
                .enabled
                .extend(Capabilities::new(names.clone()).names().map(str::to_owned)),
            Response::Status(Status {
                code: Some(Code::Capability(c)),
                ..
            }) => self.capabilities = Some(Capabilities::new(c.clone())),
            _ => {}
        }
        if bye {
            self.state = ConnectionState::Logout;
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
                m.apply(&u);
            }
            None => {
                if let Some(m) = &mut self.mailbox {
                    m.apply(&u);
                }
            }
        }
        match route(&self.in_flight, &u) {
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
                self.events.push_back(Event::Untagged(u));
                if bye {
                    // An unsolicited BYE: the server is closing the connection.
                    self.closed = true;
                }
            }
        }
        Ok(())
    }

    fn on_greeting(&mut self, u: Response<'static>) -> Result<(), ClientError> {
        let Response::Status(status) = u else {
            return Err(ClientError::BadGreeting);
        };
        match status.kind {
            StatusKind::Ok => self.state = ConnectionState::NotAuthenticated,
            StatusKind::PreAuth => self.state = ConnectionState::Authenticated,
            StatusKind::Bye => {
                self.state = ConnectionState::Logout;
                self.closed = true;
            }
            StatusKind::No | StatusKind::Bad => return Err(ClientError::BadGreeting),
        }
        if let Some(Code::Capability(c)) = &status.code {
            self.capabilities = Some(Capabilities::new(c.clone()));
        }
        self.events.push_back(Event::Greeting(status));
        if !self.closed {
            self.auto_capability();
        }
        Ok(())
    }
}

/// Whether the response is an untagged BYE (RFC 9051 §7.1.5).
fn is_bye(r: &Response<'_>) -> bool {
    matches!(
        r,
        Response::Status(Status {
            kind: StatusKind::Bye,
            ..
        })
    )
}

/// Which command in flight an untagged response answers (the oldest that asked for it), by
/// the table of RFC 9051 §7 (and the extensions' response sections).
fn route(in_flight: &[InFlight], response: &Response<'_>) -> Option<usize> {
    let names: &[&str] = match response {
        Response::Continue(_) => &[],
        Response::Status(s) if s.kind == StatusKind::Bye => &["LOGOUT"],
        Response::Status(s) => match &s.code {
            Some(Code::CopyUid { .. }) => &["MOVE", "UID MOVE"],
            Some(Code::Alert) | Some(Code::Capability(_)) => &[],
            _ => &["SELECT", "EXAMINE"],
        },
        Response::Data(d) => match d {
            Data::Capability(_) => &["CAPABILITY"],
            Data::Enabled(_) => &["ENABLE"],
            Data::Exists(_) | Data::Recent(_) | Data::Flags(_) => &["SELECT", "EXAMINE"],
            Data::Expunge(_) => &["EXPUNGE", "UID EXPUNGE", "MOVE", "UID MOVE"],
            Data::Fetch { .. } => &[
                "FETCH",
                "UID FETCH",
                "STORE",
                "UID STORE",
                "SELECT",
                "EXAMINE",
            ],
            // SELECT answers with the mailbox's LIST (RFC 9051 §6.3.2).
            Data::List(_) => &["LIST", "SELECT", "EXAMINE"],
            Data::Lsub(_) => &["LSUB"],
            Data::Status { .. } => &["STATUS", "LIST"],
            Data::Search { .. } | Data::Esearch(_) => &["SEARCH", "UID SEARCH"],
            Data::Sort { .. } => &["SORT", "UID SORT"],
            Data::Thread(_) => &["THREAD", "UID THREAD"],
            Data::Namespace(_) => &["NAMESPACE"],
            Data::Id(_) => &["ID"],
            Data::Quota { .. } => &["GETQUOTA", "GETQUOTAROOT"],
            Data::QuotaRoot { .. } => &["GETQUOTAROOT"],
            Data::Vanished { .. } => &[
                "UID FETCH",
                "SELECT",
                "EXAMINE",
                "EXPUNGE",
                "UID EXPUNGE",
                "MOVE",
                "UID MOVE",
            ],
            Data::Other { .. } => &[],
        },
    };
    in_flight
        .iter()
        .position(|c| names.contains(&c.name.as_str()))
}
