//! The commands the session builds itself, because it must follow them (LOGIN, AUTHENTICATE,
//! STARTTLS, SELECT/EXAMINE, IDLE, APPEND), and [`ClientSession::command`] for all others.

use super::auth::AuthState;
use super::{
    Capabilities, ClientError, ClientSession, ConnectionState, MailboxState, Special, command_name,
};
use crate::command::{Command, CommandBody};
use crate::encode::Encoder;
use crate::token::{Flag, Mailbox, Tag};

impl ClientSession {
    /// Queue a command the caller writes: `write` gets an [`Encoder`] (set to the server's
    /// literal style) positioned after the tag and space, and writes the command without the
    /// final CRLF, e.g. `|e| { e.raw(b"UID FETCH 1:* (FLAGS)"); }`. Returns the tag.
    ///
    /// # Errors
    /// [`ClientError::Misuse`] for commands that have their own method because the session
    /// must follow them: LOGIN, AUTHENTICATE, STARTTLS, SELECT, EXAMINE, IDLE.
    pub fn command(&mut self, write: impl FnOnce(&mut Encoder)) -> Result<String, ClientError> {
        let mut e = self.encoder();
        write(&mut e);
        let name = command_name(e.as_bytes());
        let special = match name.as_str() {
            "LOGIN" | "AUTHENTICATE" | "STARTTLS" | "SELECT" | "EXAMINE" | "IDLE" => {
                return Err(ClientError::Misuse(
                    "LOGIN, AUTHENTICATE, STARTTLS, SELECT, EXAMINE and IDLE have their own methods",
                ));
            }
            "LOGOUT" => Special::Logout,
            "CLOSE" | "UNSELECT" => Special::Deselect,
            _ => Special::Plain,
        };
        Ok(self.enqueue(e, name, special))
    }

    /// Give the next command queued this tag instead of the next of the counter (to replay a
    /// transcript, or for an application's own tag scheme, RFC 9051 §2.2.1).
    ///
    /// # Errors
    /// [`ClientError::Misuse`] when `tag` is not a valid tag (RFC 9051 §9 `tag`) or a command
    /// sent or queued already has it.
    pub fn set_next_tag(&mut self, tag: &str) -> Result<(), ClientError> {
        if Tag::new(tag).is_err() {
            return Err(ClientError::Misuse("not a valid tag"));
        }
        if self.in_flight.iter().any(|c| c.tag == tag) || self.queue.iter().any(|q| q.tag == tag) {
            return Err(ClientError::Misuse(
                "a command in flight or queued has this tag",
            ));
        }
        self.tag_override = Some(tag.to_owned());
        Ok(())
    }

    /// `CAPABILITY` (RFC 9051 §6.1.1).
    pub fn capability(&mut self) -> String {
        self.simple("CAPABILITY", Special::Plain)
    }

    /// `NOOP` (RFC 9051 §6.1.2): polls for updates.
    pub fn noop(&mut self) -> String {
        self.simple("NOOP", Special::Plain)
    }

    /// `LOGOUT` (RFC 9051 §6.1.3).
    pub fn logout(&mut self) -> String {
        self.simple("LOGOUT", Special::Logout)
    }

    /// `STARTTLS` (RFC 9051 §6.2.1). On its OK the session gives [`Event::StartTls`](super::Event::StartTls).
    ///
    /// # Errors
    /// [`ClientError::Misuse`] when TLS is already active or the session is past
    /// not-authenticated; [`ClientError::MissingCapability`] when the server's known
    /// capabilities lack STARTTLS.
    pub fn starttls(&mut self) -> Result<String, ClientError> {
        if self.tls_active || self.tls_pending {
            return Err(ClientError::Misuse("TLS is already active"));
        }
        if !matches!(
            self.state,
            ConnectionState::Greeting | ConnectionState::NotAuthenticated
        ) {
            return Err(ClientError::Misuse(
                "STARTTLS is only valid before authentication",
            ));
        }
        self.require("STARTTLS")?;
        Ok(self.simple("STARTTLS", Special::StartTls))
    }

    /// `LOGIN user password` (RFC 9051 §6.2.3).
    ///
    /// # Errors
    /// [`ClientError::LoginDisabled`] when the server advertises LOGINDISABLED;
    /// [`ClientError::CredentialsWithoutTls`] without TLS unless
    /// [`ClientConfig::allow_plaintext_credentials`](super::ClientConfig::allow_plaintext_credentials).
    pub fn login(
        &mut self,
        user: &str,
        password: &sasl::Secret<String>,
    ) -> Result<String, ClientError> {
        self.check_login()?;
        let mut e = self.encoder();
        e.raw(b"LOGIN ")
            .astring(user.as_bytes())
            .sp()
            .astring(password.expose().as_bytes());
        Ok(self.enqueue(e, "LOGIN".to_owned(), Special::Login))
    }

    fn check_login(&self) -> Result<(), ClientError> {
        if self
            .capabilities
            .as_ref()
            .is_some_and(Capabilities::login_disabled)
        {
            return Err(ClientError::LoginDisabled);
        }
        self.check_cleartext(true)
    }

    /// Queue a command built with the command types ([`crate::command::CommandBody`]); the
    /// session gives it its tag and follows it as it follows the commands of its own methods
    /// (SELECT and EXAMINE fill [`ClientSession::mailbox`], LOGIN is checked against the
    /// credentials policy, STARTTLS and IDLE behave as [`ClientSession::starttls`] and
    /// [`ClientSession::idle`]).
    ///
    /// # Errors
    /// As the corresponding method; [`ClientError::Misuse`] for AUTHENTICATE (use
    /// [`ClientSession::authenticate`]: the session runs the SASL exchange) and when the
    /// configured tag prefix is not a valid tag.
    pub fn send(&mut self, body: CommandBody<'_>) -> Result<String, ClientError> {
        let special = match &body {
            CommandBody::StartTls => return self.starttls(),
            CommandBody::Idle => return self.idle(),
            CommandBody::Authenticate { .. } => {
                return Err(ClientError::Misuse(
                    "AUTHENTICATE goes through authenticate(), which runs the SASL exchange",
                ));
            }
            CommandBody::Login { .. } => {
                self.check_login()?;
                Special::Login
            }
            CommandBody::Select { mailbox, .. } | CommandBody::Examine { mailbox, .. } => {
                let utf8 = self.encoder().utf8();
                Special::Select(Box::new(MailboxState::new(
                    mailbox.name(utf8).into_owned(),
                    matches!(body, CommandBody::Examine { .. }),
                )))
            }
            CommandBody::Logout => Special::Logout,
            CommandBody::Close | CommandBody::Unselect => Special::Deselect,
            _ => Special::Plain,
        };
        let name = body.name().to_owned();
        let mut e = self.encoder();
        let tag = self.new_tag();
        let wire_tag = Tag::new(tag.as_str())
            .map_err(|_| ClientError::Misuse("the configured tag prefix is not a valid tag"))?;
        Command::new(wire_tag, body).encode(&mut e);
        let waits = e.wait_points().to_vec();
        self.enqueue_tagged(tag.clone(), name, e.take(), waits, special);
        Ok(tag)
    }

    /// `AUTHENTICATE mechanism [initial-response]` (RFC 9051 §6.2.2, RFC 4959) with
    /// `credentials`; the exchange runs through [`sasl::ClientSession`]. The initial response
    /// goes with the command when the server offers SASL-IR.
    ///
    /// # Errors
    /// [`ClientError::MissingCapability`] when the server's known capabilities lack
    /// `AUTH=mechanism`; [`ClientError::CredentialsWithoutTls`] for a mechanism that sends a
    /// reusable credential, without TLS, unless allowed; [`ClientError::Sasl`] when the
    /// credentials do not fit the mechanism.
    pub fn authenticate(
        &mut self,
        mechanism: sasl::Mechanism,
        credentials: sasl::Credentials,
    ) -> Result<String, ClientError> {
        let sasl = sasl::ClientSession::new(mechanism, credentials).map_err(ClientError::Sasl)?;
        self.authenticate_with(sasl)
    }

    /// [`ClientSession::authenticate`] with a SASL client session the application prepared
    /// (a fixed SCRAM nonce to replay a test vector, say: [`sasl::ClientSession::with_nonce`]).
    ///
    /// # Errors
    /// As [`ClientSession::authenticate`].
    pub fn authenticate_with(&mut self, sasl: sasl::ClientSession) -> Result<String, ClientError> {
        let mechanism = sasl.mechanism();
        if let Some(caps) = &self.capabilities
            && !caps.auth(mechanism.name())
        {
            return Err(ClientError::MissingCapability(format!(
                "AUTH={}",
                mechanism.name()
            )));
        }
        self.check_cleartext(mechanism.sends_reusable_credential())?;
        // Capabilities forgotten after STARTTLS: those from before it decide this one thing
        // (the initial response on the command line tells nothing the next line would not;
        // RFC 9051 §8 authenticates so right after TLS).
        let sasl_ir = match &self.capabilities {
            Some(caps) => caps.sasl_ir(),
            None => self.sasl_ir_before_tls,
        };
        let mut state = AuthState::new(sasl);
        let mut e = self.encoder();
        e.raw(b"AUTHENTICATE ").raw(mechanism.name().as_bytes());
        if sasl_ir && let Some(ir) = state.initial_response() {
            e.sp().raw(&ir);
        }
        Ok(self.enqueue(
            e,
            "AUTHENTICATE".to_owned(),
            Special::Authenticate(Box::new(state)),
        ))
    }

    /// `SELECT mailbox` (RFC 9051 §6.3.2); the results collect into
    /// [`ClientSession::mailbox`].
    pub fn select(&mut self, mailbox: &str) -> String {
        self.select_or_examine(mailbox, false)
    }

    /// `EXAMINE mailbox` (RFC 9051 §6.3.3): SELECT, read-only.
    pub fn examine(&mut self, mailbox: &str) -> String {
        self.select_or_examine(mailbox, true)
    }

    fn select_or_examine(&mut self, mailbox: &str, read_only: bool) -> String {
        let mut e = self.encoder();
        let name = if read_only { "EXAMINE" } else { "SELECT" };
        e.raw(name.as_bytes()).sp();
        Mailbox::from_name(mailbox, e.utf8()).encode(&mut e);
        self.enqueue(
            e,
            name.to_owned(),
            Special::Select(Box::new(MailboxState::new(mailbox.to_owned(), read_only))),
        )
    }

    /// `IDLE` (RFC 2177, RFC 9051 §6.3.13). [`Event::Idling`](super::Event::Idling) follows the server's `+`.
    ///
    /// # Errors
    /// [`ClientError::MissingCapability`] when the server's known capabilities lack IDLE
    /// (IMAP4rev2 includes it).
    pub fn idle(&mut self) -> Result<String, ClientError> {
        if let Some(caps) = &self.capabilities
            && !caps.has("IDLE")
            && !caps.imap4rev2()
        {
            return Err(ClientError::MissingCapability("IDLE".to_owned()));
        }
        Ok(self.simple(
            "IDLE",
            Special::Idle {
                idling: false,
                done_requested: false,
                done_sent: false,
            },
        ))
    }

    /// End the IDLE: `DONE` (RFC 2177 §3). Before the server's `+` (or before the IDLE went
    /// out) it is sent as soon as the `+` arrives.
    ///
    /// # Errors
    /// [`ClientError::Misuse`] when no IDLE is queued or in flight.
    pub fn done(&mut self) -> Result<(), ClientError> {
        let idle = self
            .in_flight
            .iter_mut()
            .map(|c| &mut c.special)
            .chain(self.queue.iter_mut().map(|q| &mut q.special))
            .find_map(|special| match special {
                Special::Idle {
                    idling,
                    done_requested,
                    done_sent,
                } if !*done_sent && !*done_requested => Some((idling, done_requested, done_sent)),
                _ => None,
            })
            .ok_or(ClientError::Misuse("done() without an IDLE in flight"))?;
        if *idle.0 {
            *idle.2 = true;
            self.output.extend_from_slice(b"DONE\r\n");
        } else {
            *idle.1 = true;
        }
        Ok(())
    }

    /// `APPEND mailbox [(flags)] literal` (RFC 9051 §6.3.12) with the whole message; the
    /// literal is synchronizing unless the server allows `{n+}`.
    pub fn append(&mut self, mailbox: &str, flags: &[Flag<'_>], message: &[u8]) -> String {
        let mut e = self.append_head(mailbox, flags);
        e.literal(message, false);
        self.enqueue(e, "APPEND".to_owned(), Special::Plain)
    }

    /// `APPEND` of a message of `len` octets that the application writes itself, in pieces,
    /// after [`Event::AppendReady`](super::Event::AppendReady), with [`ClientSession::append_data`]: a large message is
    /// never held whole.
    pub fn append_stream(&mut self, mailbox: &str, flags: &[Flag<'_>], len: u64) -> String {
        let mut e = self.append_head(mailbox, flags);
        let wait = e.literal_header(len, false);
        self.enqueue(
            e,
            "APPEND".to_owned(),
            Special::AppendStream {
                remaining: len,
                ready: !wait,
            },
        )
    }

    fn append_head(&mut self, mailbox: &str, flags: &[Flag<'_>]) -> Encoder {
        let mut e = self.encoder();
        e.raw(b"APPEND ");
        Mailbox::from_name(mailbox, e.utf8()).encode(&mut e);
        e.sp();
        if !flags.is_empty() {
            Flag::encode_list(flags, &mut e);
            e.sp();
        }
        e
    }

    /// The next piece of a streamed APPEND's message; after the last octet the session ends
    /// the command line itself.
    ///
    /// # Errors
    /// [`ClientError::Misuse`] when no streamed APPEND is ready, or `bytes` runs past the
    /// announced length.
    pub fn append_data(&mut self, bytes: &[u8]) -> Result<(), ClientError> {
        let (remaining, ready) = self
            .in_flight
            .iter_mut()
            .find_map(|c| match &mut c.special {
                Special::AppendStream { remaining, ready } if *remaining > 0 => {
                    Some((remaining, ready))
                }
                _ => None,
            })
            .ok_or(ClientError::Misuse("append_data without a streamed APPEND"))?;
        if !*ready {
            return Err(ClientError::Misuse("append_data before Event::AppendReady"));
        }
        if bytes.len() as u64 > *remaining {
            return Err(ClientError::Misuse("append_data past the announced length"));
        }
        *remaining -= bytes.len() as u64;
        self.output.extend_from_slice(bytes);
        if *remaining == 0 {
            self.output.extend_from_slice(b"\r\n");
            self.pump();
        }
        Ok(())
    }
}
