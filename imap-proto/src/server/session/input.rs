//! The input side of [`ServerSession`]: framing, command dispatch by state, authentication,
//! STARTTLS, ENABLE, ID, IDLE, COMPRESS, APPEND streaming. (helper `imap-session`)

use std::time::Duration;

use super::*;

impl ServerSession {
    /// Writes the greeting (`* OK [CAPABILITY ...] ready`, or `* PREAUTH`).
    pub(super) fn greeting(&mut self) {
        let _ = &self.config;
    }

    /// Marks `tag` as the command in progress, as `next_event` does for [`Event::Command`]
    /// (for the glue's unit tests, which run commands without parsing them).
    #[cfg(test)]
    pub(crate) fn begin(&mut self, tag: Tag<'static>) {
        self.in_progress = Some(tag);
    }

    /// Bytes read from the peer, in any split.
    pub fn feed(&mut self, input: &[u8]) {
        let _ = input;
        unimplemented!("imap-session")
    }

    /// The next thing the driver must do (see the call order on [`ServerSession`]).
    pub fn next_event(&mut self) -> Result<Event, SessionError> {
        unimplemented!("imap-session")
    }

    /// The answer to [`Event::Login`] and [`Event::Auth`].
    pub fn auth_outcome(&mut self, outcome: AuthOutcome) -> Result<(), SessionError> {
        let _ = outcome;
        unimplemented!("imap-session")
    }

    /// The answer to [`Event::OpenAccount`]: on success the LOGIN/AUTHENTICATE completes with
    /// `OK [CAPABILITY ...]` and the state is AUTHENTICATED.
    pub fn account_opened(&mut self, result: Result<(), AccountError>) -> Result<(), SessionError> {
        let _ = result;
        unimplemented!("imap-session")
    }

    /// Accepts the APPEND message announced by [`Event::AppendMessage`] (writes `+ Ready` for a
    /// synchronizing literal); its octets follow as [`Event::AppendData`].
    pub fn append_accept(&mut self) -> Result<(), SessionError> {
        unimplemented!("imap-session")
    }

    /// Refuses the APPEND message announced by [`Event::AppendMessage`]: the command completes
    /// with `NO [code] text` and the literal's octets (if the client sends them anyway, as after
    /// a non-synchronizing `{n+}`) are skipped.
    pub fn append_refuse(&mut self, code: Option<Code<'_>>, text: &str) -> Result<(), SessionError> {
        let _ = (code, text);
        unimplemented!("imap-session")
    }

    /// The answer to [`Event::StartTls`]: the handshake succeeded.
    pub fn tls_started(&mut self) -> Result<(), SessionError> {
        unimplemented!("imap-session")
    }

    /// The answer to [`Event::Compress`]: the streams are compressed from now on.
    pub fn compression_started(&mut self) -> Result<(), SessionError> {
        unimplemented!("imap-session")
    }

    /// How long the peer may stay silent in the current state (RFC 9051 §5.4): the driver calls
    /// [`ServerSession::timeout`] after that long without input. No time-out while the glue runs
    /// a command.
    pub fn autologout(&self) -> Duration {
        match self.state {
            State::NotAuthenticated => self.config.autologout_unauthenticated,
            _ => self.config.autologout,
        }
    }

    /// The autologout time-out fired: queues `* BYE Autologout` and closes.
    pub fn timeout(&mut self) {
        unimplemented!("imap-session")
    }

    /// The server is shutting down: queues `* BYE [UNAVAILABLE] shutting down` and closes.
    pub fn shutdown(&mut self) {
        unimplemented!("imap-session")
    }
}
