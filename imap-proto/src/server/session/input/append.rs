//! APPEND streamed (RFC 9051 §6.3.12, RFC 3502 MULTIAPPEND, RFC 3516 literal8, RFC 6855 §4
//! `UTF8 (...)`, RFC 7889 APPENDLIMIT): each message literal is announced to the driver
//! ([`Event::AppendMessage`]), accepted or refused, then handed on in pieces; the session
//! never holds a message.
//!
//! ```text
//! tag APPEND mailbox [flags] [date] {n}  ─▶ AppendMessage ─▶ accept: "+ Ready" (for {n})
//!                                                           refuse: "tag NO ..." (literal skipped)
//!   n octets                             ─▶ AppendData ... AppendMessageEnd
//!   SP [flags] [date] {m}                ─▶ AppendMessage (index 1) ...          (MULTIAPPEND)
//!   CRLF                                 ─▶ AppendEnd (the glue completes the command)
//!   anything else                        ─▶ "tag BAD ..." + AppendAborted
//! ```

use super::*;
use crate::command::{AppendHead, AppendNext, LiteralAnnouncement};
use crate::token::Mailbox;

/// An APPEND command being received.
#[derive(Debug)]
pub(super) struct Append {
    tag: Tag<'static>,
    mailbox: Mailbox<'static>,
    /// The index of the current message (0 for the first).
    index: u32,
    /// The current message's announcement.
    literal: LiteralAnnouncement,
}

impl ServerSession {
    /// The head of an APPEND (`tag APPEND mailbox [flags] [date] {n}`) was read.
    pub(super) fn append_head(&mut self, head: AppendHead<'_>) -> Option<Event> {
        let tag = head.tag.into_owned();
        if let Some(why) = self.append_wrong_state() {
            let _ = self.input.asm.refuse();
            self.bad(Some(tag), None, why);
            return None;
        }
        let append = Append {
            tag,
            mailbox: head.mailbox.into_owned(),
            index: 0,
            literal: head.literal,
        };
        self.announce(append, head.flags, head.date_time)
    }

    /// Why APPEND is not valid now (RFC 9051 §6.3: authenticated or selected state).
    fn append_wrong_state(&self) -> Option<&'static str> {
        match self.state {
            State::Authenticated | State::Selected { .. } => None,
            _ => Some("Not authenticated: log in first"),
        }
    }

    /// Announces the current message to the driver, or refuses it over APPENDLIMIT
    /// (`NO [TOOBIG]`, RFC 7889 §4) without asking.
    fn announce(
        &mut self,
        append: Append,
        flags: Vec<crate::token::Flag<'_>>,
        date_time: Option<crate::token::DateTime>,
    ) -> Option<Event> {
        let size = append.literal.length;
        if size > self.config.append_limit {
            let _ = self.input.asm.refuse();
            let text = format!(
                "Message of {size} octets is over the APPENDLIMIT of {}",
                self.config.append_limit
            );
            let index = append.index;
            self.tagged(append.tag, StatusKind::No, Some(Code::TooBig), &text);
            self.input.phase = Phase::Commands;
            return (index > 0).then_some(Event::AppendAborted);
        }
        let message = AppendMessage {
            mailbox: append.mailbox.clone(),
            index: append.index,
            flags: flags.into_iter().map(|f| f.into_owned()).collect(),
            date_time,
            size,
            binary: append.literal.binary || append.literal.utf8,
        };
        self.input.phase = Phase::Append(append);
        self.input.awaiting = Some(Awaiting::AppendMessage);
        Some(Event::AppendMessage(message))
    }

    /// Accepts the APPEND message announced by [`Event::AppendMessage`] (writes `+ Ready` for a
    /// synchronizing literal); its octets follow as [`Event::AppendData`].
    pub fn append_accept(&mut self) -> Result<(), SessionError> {
        let (Some(Awaiting::AppendMessage), Phase::Append(append)) =
            (&self.input.awaiting, &self.input.phase)
        else {
            return Err(SessionError::Unexpected("append_accept"));
        };
        let wait = append.literal.mode == crate::token::LiteralMode::Sync;
        self.input.awaiting = None;
        if self.input.asm.stream().is_err() {
            return Err(SessionError::Unexpected("append_accept"));
        }
        if wait {
            self.continuation("Ready");
        }
        Ok(())
    }

    /// Refuses the APPEND message announced by [`Event::AppendMessage`]: the command completes
    /// with `NO [code] text` and the literal's octets (if the client sends them anyway, as after
    /// a non-synchronizing `{n+}`) are skipped. When it was not the command's first message
    /// (MULTIAPPEND), [`Event::AppendAborted`] follows: drop the messages received before it
    /// (RFC 3502 §6.3.11: all or none).
    pub fn append_refuse(
        &mut self,
        code: Option<Code<'_>>,
        text: &str,
    ) -> Result<(), SessionError> {
        if !matches!(self.input.awaiting, Some(Awaiting::AppendMessage)) {
            return Err(SessionError::Unexpected("append_refuse"));
        }
        let Phase::Append(append) = std::mem::replace(&mut self.input.phase, Phase::Commands)
        else {
            return Err(SessionError::Unexpected("append_refuse"));
        };
        self.input.awaiting = None;
        let _ = self.input.asm.refuse();
        self.tagged(append.tag, StatusKind::No, code, text);
        if append.index > 0 {
            self.input.queued = Some(Event::AppendAborted);
        }
        Ok(())
    }

    /// A step of the assembler while an APPEND's message is streamed or what follows it read.
    pub(super) fn append_frame(&mut self, got: Got) -> Option<Event> {
        match got {
            Got::Chunk(bytes) => Some(Event::AppendData(bytes)),
            Got::LiteralEnd => Some(Event::AppendMessageEnd),
            Got::MessageEnd => {
                let Phase::Append(append) =
                    std::mem::replace(&mut self.input.phase, Phase::Commands)
                else {
                    return None;
                };
                match AppendNext::parse_after(&self.input.line, &append.literal) {
                    Ok((AppendNext::End, used)) if used == self.input.line.len() => {
                        self.in_progress = Some(append.tag);
                        Some(Event::AppendEnd)
                    }
                    Ok(_) => self.append_malformed(append.tag, None),
                    Err(error) => self.append_malformed(append.tag, Some(error)),
                }
            }
            Got::Announced { .. } => {
                let Phase::Append(append) =
                    std::mem::replace(&mut self.input.phase, Phase::Commands)
                else {
                    return None;
                };
                let line = std::mem::take(&mut self.input.line);
                let event = match AppendNext::parse_after(&line, &append.literal) {
                    Ok((
                        AppendNext::Message {
                            flags,
                            date_time,
                            literal,
                        },
                        used,
                    )) if used == line.len() => {
                        let next = Append {
                            index: append.index + 1,
                            literal,
                            ..append
                        };
                        self.announce(next, flags, date_time)
                    }
                    Ok(_) => {
                        let _ = self.input.asm.refuse();
                        self.append_malformed(append.tag, None)
                    }
                    Err(error) => {
                        let _ = self.input.asm.refuse();
                        self.append_malformed(append.tag, Some(error))
                    }
                };
                self.input.line = line;
                event
            }
            Got::TooBig { what, .. } => {
                let Phase::Append(append) =
                    std::mem::replace(&mut self.input.phase, Phase::Commands)
                else {
                    return None;
                };
                self.too_big(Some(append.tag), what);
                Some(Event::AppendAborted)
            }
            // Not reached: after a streamed literal the assembler gives its message's end.
            Got::Message | Got::NeedInput => None,
        }
    }

    /// The rest of an APPEND after a message does not parse: `BAD`, and the messages received
    /// are to be dropped.
    fn append_malformed(&mut self, tag: Tag<'static>, error: Option<ParseError>) -> Option<Event> {
        let text = match error {
            Some(ParseError::Invalid { expected, .. }) => {
                format!("Syntax error in APPEND: expected {expected}")
            }
            _ => "Syntax error in APPEND".to_string(),
        };
        self.bad(Some(tag), None, &text);
        Some(Event::AppendAborted)
    }
}
