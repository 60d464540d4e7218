//! Commands by state (RFC 9051 §6): the ones the session answers itself (CAPABILITY, NOOP,
//! LOGOUT, STARTTLS, ENABLE, ID, COMPRESS, IDLE) and the hand-over of the others to the glue.

use super::*;
use crate::command::{CommandBody, IdleDone};
use crate::response::Data;
use crate::token::{Atom, IString, NString};

/// Where a command may be given (RFC 9051 §6).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Valid {
    /// Any state (§6.1; ID, RFC 2971 §3.1).
    Any,
    /// NOT AUTHENTICATED only (§6.2).
    NotAuthenticated,
    /// AUTHENTICATED or SELECTED (§6.3).
    Authenticated,
    /// SELECTED only (§6.4).
    Selected,
}

fn valid_in(body: &CommandBody<'_>) -> Valid {
    use CommandBody as B;
    match body {
        B::Capability | B::Noop | B::Logout | B::Id { .. } => Valid::Any,
        B::StartTls | B::Authenticate { .. } | B::Login { .. } => Valid::NotAuthenticated,
        B::Enable { .. }
        | B::Select { .. }
        | B::Examine { .. }
        | B::Create { .. }
        | B::Delete { .. }
        | B::Rename { .. }
        | B::Subscribe { .. }
        | B::Unsubscribe { .. }
        | B::List { .. }
        | B::Lsub { .. }
        | B::Namespace
        | B::Status { .. }
        | B::Append { .. }
        | B::Idle
        | B::GetQuota { .. }
        | B::GetQuotaRoot { .. }
        | B::SetQuota { .. }
        | B::Compress { .. } => Valid::Authenticated,
        B::Check
        | B::Close
        | B::Unselect
        | B::Expunge
        | B::UidExpunge { .. }
        | B::Search { .. }
        | B::Fetch { .. }
        | B::Store { .. }
        | B::Copy { .. }
        | B::Move { .. }
        | B::Sort { .. }
        | B::Thread { .. } => Valid::Selected,
    }
}

impl ServerSession {
    /// A whole command (literals inline): parse, check the state, run or hand on.
    pub(super) fn command_message(&mut self, message: &[u8]) -> Option<Event> {
        let command = match Command::parse(message) {
            Ok((command, used)) if used == message.len() => command,
            Ok(_) => {
                self.bad(
                    owned_tag_of(message),
                    None,
                    "Syntax error: text after the command",
                );
                return None;
            }
            Err(error) => {
                self.parse_failed(message, error);
                return None;
            }
        };
        let tag = command.tag.into_owned();
        if let Some(why) = self.wrong_state(&command.body) {
            self.bad(Some(tag), None, why);
            return None;
        }
        self.run_command(tag, command.body)
    }

    /// Why `body` is not valid in the current state (RFC 9051 §3, §6), if it is not.
    fn wrong_state(&self, body: &CommandBody<'_>) -> Option<&'static str> {
        match (valid_in(body), self.state) {
            (Valid::Any, _) => None,
            (Valid::NotAuthenticated, State::NotAuthenticated) => None,
            (Valid::NotAuthenticated, _) => Some("Already authenticated"),
            (_, State::NotAuthenticated) => Some("Not authenticated: log in first"),
            (Valid::Authenticated, _) => None,
            (Valid::Selected, State::Selected { .. }) => None,
            (Valid::Selected, _) => Some("No mailbox selected"),
        }
    }

    /// Runs a command valid in the current state.
    fn run_command(&mut self, tag: Tag<'static>, body: CommandBody<'_>) -> Option<Event> {
        use CommandBody as B;
        match body {
            B::Capability => {
                let caps = self.capabilities();
                self.untagged(&Response::Data(Data::Capability(caps)));
                self.tagged(tag, StatusKind::Ok, None, "CAPABILITY completed");
                None
            }
            B::Noop if !matches!(self.state, State::Selected { .. }) => {
                self.tagged(tag, StatusKind::Ok, None, "NOOP completed");
                None
            }
            B::Logout => {
                let text = format!("{} logging out", self.config.hostname);
                self.untagged_status(StatusKind::Bye, None, &text);
                self.tagged(tag, StatusKind::Ok, None, "LOGOUT completed");
                self.close(CloseReason::Logout);
                None
            }
            B::StartTls => self.starttls(tag),
            B::Login { username, password } => self.login(tag, username, password),
            B::Authenticate {
                mechanism,
                initial_response,
            } => self.authenticate(tag, &mechanism, initial_response),
            B::Enable { capabilities } => {
                self.enable(tag, &capabilities);
                None
            }
            B::Id { .. } => {
                self.id(tag);
                None
            }
            B::Compress { algorithm } => self.compress(tag, &algorithm),
            B::Idle => {
                self.continuation("idling");
                self.input.phase = Phase::Idle { tag };
                Some(Event::Idle)
            }
            body => {
                self.in_progress = Some(tag.clone());
                Some(Event::Command(Request {
                    tag,
                    command: body.into_owned(),
                }))
            }
        }
    }

    /// `STARTTLS` (RFC 9051 §6.2.1): `OK`, then everything buffered after it is dropped.
    fn starttls(&mut self, tag: Tag<'static>) -> Option<Event> {
        if !self.config.starttls || self.stats.tls {
            let why = if self.stats.tls {
                "TLS is already active"
            } else {
                "STARTTLS is not offered"
            };
            self.bad(Some(tag), None, why);
            return None;
        }
        self.tagged(tag, StatusKind::Ok, None, "Begin TLS negotiation now");
        self.input.asm.discard();
        self.input.phase = Phase::TlsHandshake;
        self.input.awaiting = Some(Awaiting::Tls);
        Some(Event::StartTls)
    }

    /// `ENABLE` (RFC 5161 §3.1, RFC 9051 §6.3.1): `* ENABLED` with what this command enabled.
    ///
    /// RFC 5161 §3.1 allows ENABLE in the authenticated state only; it is also taken in the
    /// selected state, as Dovecot does, for clients that enable CONDSTORE/QRESYNC late (the glue
    /// reads [`ServerSession::enabled`] at each command).
    fn enable(&mut self, tag: Tag<'static>, capabilities: &[Atom<'_>]) {
        let mut enabled = Vec::new();
        for cap in capabilities {
            let name = cap.as_str();
            let e = &mut self.enabled;
            let (flag, answer) = if name.eq_ignore_ascii_case("CONDSTORE") {
                (&mut e.condstore, Capability::CondStore)
            } else if name.eq_ignore_ascii_case("QRESYNC") {
                // RFC 7162 §3.2.3: QRESYNC implies CONDSTORE.
                e.condstore = true;
                (&mut e.qresync, Capability::QResync)
            } else if name.eq_ignore_ascii_case("UTF8=ACCEPT") {
                (&mut e.utf8_accept, Capability::Utf8Accept)
            } else if name.eq_ignore_ascii_case("IMAP4rev2") {
                (&mut e.imap4rev2, Capability::Imap4Rev2)
            } else {
                // RFC 5161 §3.1: unknown or non-ENABLE-able capabilities are ignored.
                continue;
            };
            if !*flag {
                *flag = true;
                enabled.push(answer);
            }
        }
        // RFC 6855 §3, RFC 9051 §5.1: UTF-8 in quoted strings and mailbox names from now on.
        if self.enabled.utf8_accept || self.enabled.imap4rev2 {
            self.output.set_utf8(true);
        }
        self.untagged(&Response::Data(Data::Enabled(enabled)));
        self.tagged(tag, StatusKind::Ok, None, "ENABLE completed");
    }

    /// `ID` (RFC 2971 §3.1): the server's fields from the configuration.
    fn id(&mut self, tag: Tag<'static>) {
        let fields = (!self.config.id.is_empty()).then(|| {
            self.config
                .id
                .iter()
                .map(|(k, v)| {
                    (
                        IString::from(k.clone()),
                        NString(Some(IString::from(v.clone()))),
                    )
                })
                .collect()
        });
        self.untagged(&Response::Data(Data::Id(fields)));
        self.tagged(tag, StatusKind::Ok, None, "ID completed");
    }

    /// `COMPRESS DEFLATE` (RFC 4978 §3).
    fn compress(&mut self, tag: Tag<'static>, algorithm: &Atom<'_>) -> Option<Event> {
        if !self.config.compress || !algorithm.eq_ignore_case("DEFLATE") {
            self.bad(Some(tag), None, "Unsupported compression mechanism");
            return None;
        }
        if self.stats.compressed {
            self.tagged(
                tag,
                StatusKind::No,
                Some(Code::CompressionActive),
                "DEFLATE is already active",
            );
            return None;
        }
        self.tagged(tag, StatusKind::Ok, None, "DEFLATE active");
        // The client waits for this OK before it compresses: anything it sent meanwhile
        // cannot be read as either.
        self.input.asm.discard();
        self.input.awaiting = Some(Awaiting::Compress);
        Some(Event::Compress)
    }

    /// A step of the assembler during IDLE: only `DONE` is valid (RFC 2177 §3).
    pub(super) fn idle_frame(&mut self, got: Got) -> Option<Event> {
        let Phase::Idle { tag } = std::mem::replace(&mut self.input.phase, Phase::Commands) else {
            return None;
        };
        match got {
            Got::Message if IdleDone::parse(&self.input.line).is_ok() => {
                self.tagged(tag, StatusKind::Ok, None, "IDLE terminated");
            }
            Got::TooBig { what, .. } => {
                let _ = what;
                self.bad(
                    Some(tag),
                    Some(Code::TooBig),
                    "Expected DONE; IDLE terminated",
                );
            }
            got => {
                if let Got::Announced { .. } = got {
                    let _ = self.input.asm.refuse();
                }
                self.bad(Some(tag), None, "Expected DONE; IDLE terminated");
            }
        }
        Some(Event::IdleDone)
    }
}
