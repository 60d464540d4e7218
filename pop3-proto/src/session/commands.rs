//! The session's answer to each command line, per state (RFC 1939 §4–§7 and the extensions).

use std::borrow::Cow;

use base64::Engine as _;
use sasl::{Mechanism, Secret};

use super::listing::ListingKind;
use super::{AuthStep, Awaiting, CloseReason, Event, Phase, ServerSession};
use crate::build::response::{
    write_capa, write_multiline, write_scan_listing, write_stat, write_uid_listing,
};
use crate::multiline::MultilineEncoder;
use crate::parse::auth::{AuthResponse, parse_auth_response};
use crate::parse::command::{CommandLimits, parse_command_with};
use crate::types::capability::{Capability, ExpirePolicy};
use crate::types::command::{Command, LangArg};
use crate::types::response::{ResponseCode, StatusLine};

/// The one language the session speaks (RFC 6856 §3): `en`, the `i-default`.
const LANGUAGE: (&str, &str) = ("en", "English");

impl ServerSession {
    /// Handles one command line (without its line end).
    pub(super) fn command_line(&mut self, line: &[u8]) -> Option<Event> {
        let limits = CommandLimits {
            max_line: self.config.max_line_length,
            max_argument: self.config.max_argument_length,
        };
        let command = match parse_command_with(line, &limits) {
            Ok(command) => command,
            Err(error) => {
                self.bad_command(error.response());
                return None;
            }
        };
        // Valid in any state (RFC 2449 §5, RFC 6856 §3).
        match command {
            Command::Capa => {
                let caps = self.capabilities();
                write_capa(&caps, &mut self.output);
                return None;
            }
            Command::Lang(arg) => {
                self.lang(arg);
                return None;
            }
            _ => {}
        }
        if matches!(self.phase, Phase::Transaction) {
            self.transaction(command)
        } else {
            self.authorization(command)
        }
    }

    /// AUTHORIZATION (RFC 1939 §4, §7; RFC 2595 §4; RFC 5034 §4; RFC 6856 §2).
    fn authorization(&mut self, command: Command<'_>) -> Option<Event> {
        match command {
            Command::User(name) => {
                if self.refuse_plaintext() {
                    return None;
                }
                self.phase = Phase::Authorization {
                    user: Some(name.into_owned()),
                };
                StatusLine::ok("Send PASS").write_to(&mut self.output);
                None
            }
            Command::Pass(password) => {
                let user = match &mut self.phase {
                    Phase::Authorization { user } => user.take(),
                    _ => None,
                };
                let Some(user) = user else {
                    self.bad_command(StatusLine::err("Send USER first"));
                    return None;
                };
                if self.refuse_plaintext() {
                    return None;
                }
                self.awaiting = Some(Awaiting::Auth(None));
                Some(Event::Login {
                    user,
                    password: Secret::new(password.into_inner().into_owned()),
                })
            }
            Command::Apop { name, digest } => {
                if self.apop_timestamp.is_none() {
                    self.bad_command(StatusLine::err("APOP is not offered"));
                    return None;
                }
                self.phase = Phase::Authorization { user: None };
                self.awaiting = Some(Awaiting::Auth(None));
                Some(Event::Apop {
                    user: name.into_owned(),
                    digest: Secret::new(digest.into_inner().into_owned()),
                })
            }
            Command::AuthList => {
                let mechanisms: Vec<&str> = self.mechanisms().map(Mechanism::name).collect();
                write_multiline(&StatusLine::ok(""), mechanisms, &mut self.output);
                None
            }
            Command::Auth {
                mechanism,
                initial_response,
            } => self.auth(&mechanism, initial_response),
            Command::Stls => {
                if self.stats.tls {
                    self.bad_command(StatusLine::err("TLS is already active"));
                } else if !self.config.stls {
                    self.bad_command(StatusLine::err("STLS is not offered"));
                } else {
                    StatusLine::ok("Begin TLS negotiation").write_to(&mut self.output);
                    self.input.discard();
                    self.phase = Phase::TlsHandshake;
                    self.awaiting = Some(Awaiting::Tls);
                    return Some(Event::StartTls);
                }
                None
            }
            Command::Utf8 => {
                self.utf8 = true;
                StatusLine::ok("UTF8 enabled").write_to(&mut self.output);
                None
            }
            Command::Quit => {
                self.close(CloseReason::Quit);
                None
            }
            other => {
                self.bad_command(StatusLine::err(format!(
                    "{} is not valid before login",
                    other.keyword()
                )));
                None
            }
        }
    }

    /// Refuses `USER`/`PASS` on a connection without TLS unless allowed (RFC 2595 §2.1).
    fn refuse_plaintext(&mut self) -> bool {
        if self.plaintext_allowed() {
            return false;
        }
        self.phase = Phase::Authorization { user: None };
        self.bad_command(
            StatusLine::err("Plaintext authentication disallowed without TLS, use STLS")
                .with_code(ResponseCode::Auth),
        );
        true
    }

    fn plaintext_allowed(&self) -> bool {
        self.config.auth.plaintext_allowed(self.stats.tls)
    }

    /// The SASL mechanisms usable now: those configured, minus the plaintext ones without TLS.
    fn mechanisms(&self) -> impl Iterator<Item = Mechanism> + '_ {
        let plaintext = self.plaintext_allowed();
        self.config
            .sasl_mechanisms
            .iter()
            .copied()
            .filter(move |m| plaintext || !m.sends_reusable_credential())
    }

    /// `AUTH mechanism [initial-response]` (RFC 5034 §4).
    fn auth(
        &mut self,
        mechanism: &str,
        initial_response: Option<Secret<Cow<'_, str>>>,
    ) -> Option<Event> {
        let chosen = self
            .mechanisms()
            .find(|m| m.name().eq_ignore_ascii_case(mechanism));
        let Some(mechanism) = chosen else {
            // Configured but not usable now: a plaintext mechanism without TLS.
            let plaintext = Mechanism::from_name(mechanism)
                .is_ok_and(|m| self.config.sasl_mechanisms.contains(&m));
            let error = if plaintext {
                StatusLine::err("Plaintext authentication disallowed without TLS, use STLS")
                    .with_code(ResponseCode::Auth)
            } else {
                StatusLine::err("Unsupported authentication mechanism")
            };
            self.bad_command(error);
            return None;
        };
        let response = match initial_response.as_ref().map(|r| r.expose().as_ref()) {
            None => None,
            Some("=") => Some(Secret::new(Vec::new())),
            Some(text) => match base64::engine::general_purpose::STANDARD.decode(text) {
                Ok(bytes) => Some(Secret::new(bytes)),
                Err(_) => {
                    self.bad_command(StatusLine::err("Invalid base64 in initial response"));
                    return None;
                }
            },
        };
        self.phase = Phase::Authorization { user: None };
        self.awaiting = Some(Awaiting::Auth(Some(mechanism)));
        Some(Event::Auth(AuthStep {
            mechanism,
            first: true,
            response,
        }))
    }

    /// A client line during a SASL exchange (RFC 5034 §4).
    pub(super) fn sasl_line(&mut self, line: &[u8]) -> Option<Event> {
        let Phase::SaslExchange(mechanism) = self.phase else {
            return None;
        };
        self.phase = Phase::Authorization { user: None };
        let decoded = match parse_auth_response(line) {
            Ok(AuthResponse::Cancel) => {
                StatusLine::err("Authentication cancelled").write_to(&mut self.output);
                return None;
            }
            Ok(data) => data.decode(),
            Err(e) => Some(Err(e)),
        };
        match decoded {
            Some(Ok(bytes)) => {
                self.awaiting = Some(Awaiting::Auth(Some(mechanism)));
                Some(Event::Auth(AuthStep {
                    mechanism,
                    first: false,
                    response: Some(bytes),
                }))
            }
            _ => {
                self.bad_command(StatusLine::err("Invalid base64 in authentication response"));
                None
            }
        }
    }

    /// TRANSACTION (RFC 1939 §5, §7).
    fn transaction(&mut self, command: Command<'_>) -> Option<Event> {
        let out = &mut self.output;
        match command {
            Command::Stat => write_stat(self.maildrop.stat(), out),
            Command::List(None) => self.start_listing(ListingKind::Scan),
            Command::List(Some(msg)) => match self.maildrop.scan(msg) {
                Ok(listing) => write_scan_listing(listing, out),
                Err(e) => StatusLine::err(e.to_string()).write_to(out),
            },
            Command::Uidl(None) => self.start_listing(ListingKind::Uid),
            Command::Uidl(Some(msg)) => match self.maildrop.uid(msg) {
                Ok(listing) => write_uid_listing(listing, out),
                Err(e) => StatusLine::err(e.to_string()).write_to(out),
            },
            Command::Retr(msg) | Command::Top { msg, .. } => {
                let lines = match command {
                    Command::Top { lines, .. } => Some(lines),
                    _ => None,
                };
                match self.maildrop.retrieve(msg) {
                    Ok((id, size)) => {
                        let (encoder, status) = match lines {
                            None => (MultilineEncoder::new(), format!("{size} octets")),
                            Some(n) => (
                                MultilineEncoder::top(n),
                                String::from("Top of message follows"),
                            ),
                        };
                        self.awaiting = Some(Awaiting::Body {
                            msg,
                            whole: lines.is_none(),
                            encoder,
                            status: Some(StatusLine::ok(status)),
                            octets: 0,
                        });
                        return Some(Event::Retrieve { msg, id, lines });
                    }
                    Err(e) => StatusLine::err(e.to_string()).write_to(out),
                }
            }
            Command::Dele(msg) => match self.maildrop.delete(msg) {
                Ok(()) => StatusLine::ok(format!("Message {msg} deleted")).write_to(out),
                Err(e) => StatusLine::err(e.to_string()).write_to(out),
            },
            Command::Noop => StatusLine::ok("").write_to(out),
            Command::Rset => {
                self.maildrop.reset();
                let stat = self.maildrop.stat();
                StatusLine::ok(format!(
                    "Maildrop has {} messages ({} octets)",
                    stat.count, stat.size
                ))
                .write_to(out);
            }
            Command::Quit => {
                let expire_retrieved = self.config.expire == Some(ExpirePolicy::Days(0));
                let deleted = self.maildrop.to_remove(expire_retrieved);
                if deleted.is_empty() {
                    self.close(CloseReason::Quit);
                    return None;
                }
                let count = u32::try_from(deleted.len()).unwrap_or(u32::MAX);
                self.awaiting = Some(Awaiting::Update(count));
                return Some(Event::Update { deleted });
            }
            other => {
                let keyword = other.keyword();
                self.bad_command(StatusLine::err(format!(
                    "{keyword} is not valid after login"
                )));
            }
        }
        None
    }

    /// `LANG [tag|*]` (RFC 6856 §3): the session speaks English only.
    fn lang(&mut self, arg: Option<LangArg<'_>>) {
        let (tag, name) = LANGUAGE;
        match arg {
            None => write_multiline(
                &StatusLine::ok("Language listing follows"),
                [format!("{tag} {name}")],
                &mut self.output,
            ),
            Some(LangArg::Wildcard) => {
                StatusLine::ok(format!("{tag} {name}")).write_to(&mut self.output)
            }
            Some(LangArg::Tag(t))
                if t.eq_ignore_ascii_case(tag)
                    || t.get(..3).is_some_and(|p| p.eq_ignore_ascii_case("en-")) =>
            {
                StatusLine::ok(format!("{tag} {name}")).write_to(&mut self.output)
            }
            Some(LangArg::Tag(_)) => {
                StatusLine::err("Unsupported language").write_to(&mut self.output)
            }
        }
    }

    /// The `CAPA` list for the current state (RFC 2449 §5: it may differ before and after
    /// login).
    pub(super) fn capabilities(&self) -> Vec<Capability<'static>> {
        let before_login = !matches!(self.phase, Phase::Transaction);
        let mut caps = vec![
            Capability::Top,
            Capability::Uidl,
            Capability::RespCodes,
            Capability::AuthRespCode,
            Capability::Pipelining,
        ];
        if before_login {
            if self.plaintext_allowed() {
                caps.push(Capability::User);
            }
            let mechanisms: Vec<Cow<'static, str>> =
                self.mechanisms().map(|m| Cow::Borrowed(m.name())).collect();
            if !mechanisms.is_empty() {
                caps.push(Capability::Sasl(mechanisms));
            }
            if self.config.stls && !self.stats.tls {
                caps.push(Capability::Stls);
            }
            caps.push(Capability::Utf8 {
                user: self.plaintext_allowed(),
            });
        }
        if let Some(policy) = self.config.expire {
            caps.push(Capability::Expire {
                policy,
                per_user: false,
            });
        }
        if let Some(seconds) = self.config.login_delay {
            caps.push(Capability::LoginDelay {
                seconds,
                per_user: false,
            });
        }
        caps.push(Capability::Lang);
        if let Some(text) = &self.config.implementation {
            caps.push(Capability::Implementation(Cow::Owned(text.clone())));
        }
        caps
    }
}
