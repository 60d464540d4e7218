//! The message assembler: one whole IMAP message at a time, small literals inline, large ones
//! streamed, refused or over-long ones skipped in step.

use std::ops::Range;

use super::{Framer, FramerLimits, LiteralHeader, Raw, tag_of};

/// What [`Assembler::next_event`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event<'a> {
    /// Nothing more can be assembled from what is buffered: feed more.
    NeedInput,
    /// A whole message: its lines, each ending with CRLF, with its accepted literals inline
    /// (`a LOGIN {3}\r\nbob {4+}\r\npass\r\n`), ready for the command or response parser.
    Message(&'a [u8]),
    /// A line of the message announced a literal; the caller must decide before calling
    /// [`Assembler::next_event`] again (which repeats this event until it has):
    /// [`Assembler::accept`], [`Assembler::stream`] or [`Assembler::refuse`].
    LiteralAnnounced {
        /// The announcement.
        header: LiteralHeader,
        /// The message so far, up to and including the announcement and its CRLF: its tag and
        /// command name tell the caller what the literal is for (an APPEND's message?). After a
        /// streamed literal, only the text since that literal's end (`continued`).
        prefix: &'a [u8],
        /// `prefix` starts after a streamed literal of the same message, not at its start.
        continued: bool,
        /// The literal fits within [`FramerLimits::max_message`] inline; when `false`, it can
        /// only be streamed or refused.
        fits_inline: bool,
    },
    /// A piece of a streamed literal ([`Assembler::stream`]), as it arrived (never empty).
    LiteralChunk(&'a [u8]),
    /// The streamed literal is complete; the message goes on after it.
    LiteralEnd,
    /// The end of a message that had a streamed literal: its text after the last streamed
    /// literal, up to the final CRLF, with any later accepted literals inline (`\r\n` alone for
    /// an APPEND; ` (\Seen) {310}\r\n...` is a [`Event::LiteralAnnounced`] with `continued` for a
    /// MULTIAPPEND's next message, RFC 3502).
    MessageEnd(&'a [u8]),
    /// The message broke a [`FramerLimits`] limit. The assembler has already put itself back in
    /// step: the message is dropped, and so is the literal it was announcing (a synchronizing
    /// one is simply not awaited, the peer waits for a `+` that never comes; the octets of a
    /// non-synchronizing one, and the rest of its message, are read and discarded). The
    /// caller answers: `tag BAD [TOOBIG]` (RFC 9051 §7.1; RFC 7888 §4 for LITERAL-), or `* BAD`
    /// without a tag; it may close the connection instead when the peer is sending an absurd
    /// non-synchronizing literal.
    TooBig {
        /// The message's tag ([`super::tag_of`] of its first line), if it had a valid one.
        tag: Option<&'a [u8]>,
        /// Which limit.
        what: TooBig,
        /// The literal announced by the line that broke the limit (refused: for a
        /// synchronizing one, never answer `+`).
        literal: Option<LiteralHeader>,
    },
}

/// Which limit a message broke ([`Event::TooBig`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TooBig {
    /// A line longer than [`FramerLimits::max_line`].
    Line {
        /// Its length, its line end counted as two octets.
        len: usize,
    },
    /// A literal longer than [`FramerLimits::max_literal`].
    Literal {
        /// The announced length.
        length: u64,
    },
    /// The message would be longer than [`FramerLimits::max_message`].
    Message {
        /// The length it would have reached.
        len: u64,
    },
}

/// A decision the assembler could not take ([`Assembler::accept`], [`Assembler::stream`],
/// [`Assembler::refuse`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DecisionError {
    /// No literal is waiting for a decision (the last event was not
    /// [`Event::LiteralAnnounced`]): a misuse by the caller, and nothing changed.
    #[error("no literal announcement is waiting for a decision")]
    NoLiteralAnnounced,
    /// [`Assembler::accept`] of a literal that does not fit within
    /// [`FramerLimits::max_message`] (`fits_inline` was `false`): it was refused instead, and
    /// the next event is [`Event::TooBig`] (for a synchronizing literal, do not send `+`).
    #[error("the literal does not fit in the message limit; refused")]
    MessageTooLong,
}

/// Which literals the [`Assembler`] takes inline without asking ([`Assembler::set_auto_accept`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AutoAccept {
    /// Ask for every literal (the default).
    #[default]
    Never,
    /// Non-synchronizing literals (`{n+}`, RFC 7888) up to this length: a server that has
    /// nothing to decide about small ones (LITERAL- allows 4096 octets).
    NonSynchronizingUpTo(u64),
    /// Every literal up to this length: a client reading responses, where no literal waits for
    /// a continuation (RFC 9051 §4.3: the server sends them at once).
    AllUpTo(u64),
}

/// What a line did to the message ([`Assembler::line`]).
enum LineOutcome {
    /// The message goes on (a literal follows).
    More,
    /// The message is complete in `msg`.
    Ended,
    /// It broke a limit; the assembler has recovered, the event is to be reported.
    TooBig(TooBig),
}

/// Where the assembler is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Reading a message's lines (or waiting for the next message).
    Lines,
    /// A literal was announced; waiting for the caller's decision.
    Announced(LiteralHeader),
    /// Copying an accepted literal's octets into the message.
    Inline,
    /// Handing a literal's pieces on.
    Streaming,
    /// A streamed literal's last piece was handed on; [`Event::LiteralEnd`] is next.
    StreamEnded,
    /// Reading and dropping the rest of a refused message: the octets of the current
    /// non-synchronizing literal, then lines (and their non-synchronizing literals) up to the
    /// message's end.
    Discarding,
}

/// Puts whole IMAP messages together from the framer's fragments, for the parsers.
///
/// Call order (the server session's, and the client session's with
/// [`AutoAccept::AllUpTo`] and [`Assembler::stream`] for a large `BODY[]`):
/// ```
/// use imap_proto::framing::{Assembler, Event, FramerLimits};
///
/// let mut asm = Assembler::new(FramerLimits::default());
/// asm.feed(b"a1 LOGIN {3}\r\nbob {4+}\r\npass\r\na2 NOOP\r\n");
/// let mut messages = Vec::new();
/// let mut continuations = 0;
/// loop {
///     match asm.next_event() {
///         Event::NeedInput => break, // read more from the socket, feed it, loop again
///         Event::Message(msg) => messages.push(msg.to_vec()), // parse it as a command
///         Event::LiteralAnnounced { header, prefix, fits_inline, .. } => {
///             assert!(prefix.starts_with(b"a1 LOGIN") && fits_inline);
///             // A server sends `+ ...` for a synchronizing literal it accepts.
///             if header.is_synchronizing() {
///                 continuations += 1;
///             }
///             asm.accept().unwrap();
///         }
///         other => unreachable!("{other:?}"),
///     }
/// }
/// assert_eq!(messages, [&b"a1 LOGIN {3}\r\nbob {4+}\r\npass\r\n"[..], b"a2 NOOP\r\n"]);
/// assert_eq!(continuations, 1);
/// ```
/// An event borrows the assembler; decide ([`Assembler::accept`], [`Assembler::stream`],
/// [`Assembler::refuse`]) after letting it go. A message without literals is handed on
/// straight from the input buffer, without a copy.
#[derive(Debug, Clone)]
pub struct Assembler {
    framer: Framer,
    limits: FramerLimits,
    auto_accept: AutoAccept,
    state: State,
    /// The message being put together (lines with CRLF, inline literals); after a streamed
    /// literal, only its text since then.
    msg: Vec<u8>,
    /// `msg` was handed on whole; it is cleared at the next call.
    delivered: bool,
    /// `msg` starts after a streamed literal of the message.
    continued: bool,
    /// The tag of the message, kept for [`Event::TooBig`] (`has_tag` says whether it had one).
    tag: Vec<u8>,
    has_tag: bool,
    /// A [`Event::TooBig`] to report at the next call (after a failed [`Assembler::accept`]).
    report: Option<(TooBig, Option<LiteralHeader>)>,
    /// Reading a server's responses: every literal is sent at once, whatever its syntax.
    responses: bool,
}

impl Default for Assembler {
    /// An empty assembler with the default limits, asking about every literal.
    fn default() -> Self {
        Self::new(FramerLimits::default())
    }
}

impl Assembler {
    /// An empty assembler with these limits, asking about every literal, for a server reading
    /// commands: a client sends a synchronizing literal only after a `+` (RFC 9051 §7.5).
    pub fn new(limits: FramerLimits) -> Self {
        Self {
            framer: Framer::new(limits),
            limits,
            auto_accept: AutoAccept::Never,
            state: State::Lines,
            msg: Vec::new(),
            delivered: false,
            continued: false,
            tag: Vec::new(),
            has_tag: false,
            report: None,
            responses: false,
        }
    }

    /// An empty assembler for a client reading responses, which takes every literal up to
    /// [`FramerLimits::max_message`] inline ([`AutoAccept::AllUpTo`]) and asks about larger
    /// ones (stream them). A server sends its literals at once (RFC 9051 §4.3: `{n}` in a
    /// response waits for nothing), so a refused literal, or one over a limit, is read and
    /// discarded with the rest of its response whatever its syntax.
    pub fn for_responses(limits: FramerLimits) -> Self {
        Self {
            auto_accept: AutoAccept::AllUpTo(limits.max_message as u64),
            responses: true,
            ..Self::new(limits)
        }
    }

    /// Whether the peer waits for a `+` before sending this literal (never, for responses).
    fn waits(&self, header: LiteralHeader) -> bool {
        header.is_synchronizing() && !self.responses
    }

    /// Which literals to take inline without a [`Event::LiteralAnnounced`] (never one over
    /// [`FramerLimits::max_literal`] or one that does not fit the message limit: those are
    /// still announced or refused).
    pub fn set_auto_accept(&mut self, auto_accept: AutoAccept) {
        self.auto_accept = auto_accept;
    }

    /// The limits it was made with.
    pub fn limits(&self) -> FramerLimits {
        self.limits
    }

    /// Appends bytes read from the peer, in any split.
    pub fn feed(&mut self, bytes: &[u8]) {
        self.framer.feed(bytes);
    }

    /// Octets held: buffered input not yet handed on, plus the message being put together.
    /// Bounded by [`FramerLimits::max_line`] plus [`FramerLimits::max_message`] plus what the
    /// last [`Assembler::feed`] brought, however long a streamed or discarded literal is.
    pub fn buffered(&self) -> usize {
        self.framer.buffered() + self.msg.len()
    }

    /// Drops everything buffered and the message in progress (after `STARTTLS`, RFC 9051
    /// §6.2.1, CVE-2011-0411; or when the session closes); returns the octets of input dropped.
    pub fn discard(&mut self) -> usize {
        self.msg.clear();
        self.delivered = false;
        self.continued = false;
        self.has_tag = false;
        self.report = None;
        self.state = State::Lines;
        self.framer.discard()
    }

    /// The next event (see the type's documentation for the call order).
    pub fn next_event(&mut self) -> Event<'_> {
        if self.delivered {
            self.msg.clear();
            self.delivered = false;
            self.continued = false;
        }
        if let Some((what, literal)) = self.report.take() {
            return self.too_big(what, literal);
        }
        loop {
            match self.state {
                State::Announced(header) => {
                    return Event::LiteralAnnounced {
                        header,
                        prefix: &self.msg,
                        continued: self.continued,
                        fits_inline: self.fits_inline(header),
                    };
                }
                State::StreamEnded => {
                    self.state = State::Lines;
                    return Event::LiteralEnd;
                }
                _ => {}
            }
            match (self.state, self.framer.step()) {
                (_, Raw::Incomplete) => return Event::NeedInput,
                (State::Inline, Raw::Literal { range, remaining }) => {
                    self.msg.extend_from_slice(self.framer.get(range));
                    if remaining == 0 {
                        self.state = State::Lines;
                    }
                }
                (State::Streaming, Raw::Literal { range, remaining }) => {
                    if remaining == 0 {
                        self.state = State::StreamEnded;
                    }
                    if !range.is_empty() {
                        return Event::LiteralChunk(self.framer.get(range));
                    }
                }
                (State::Discarding, Raw::Line { literal, .. } | Raw::TooLong { literal, .. }) => {
                    self.end_of_discarded_line(literal)
                }
                (
                    State::Lines,
                    Raw::Line {
                        range,
                        crlf,
                        literal,
                    },
                ) => {
                    let fast = literal.is_none()
                        && crlf
                        && self.msg.is_empty()
                        && !self.continued
                        && range.len() + 2 <= self.limits.max_message;
                    if fast {
                        // A whole message in one line: straight from the input buffer.
                        return Event::Message(self.framer.get(range.start..range.end + 2));
                    }
                    match self.line(range, literal) {
                        LineOutcome::More => {}
                        LineOutcome::Ended if self.continued => {
                            return Event::MessageEnd(&self.msg);
                        }
                        LineOutcome::Ended => return Event::Message(&self.msg),
                        LineOutcome::TooBig(what) => return self.too_big(what, literal),
                    }
                }
                (State::Lines, Raw::TooLong { len, literal }) => {
                    if self.msg.is_empty() && !self.continued {
                        self.has_tag = self.framer.copy_too_long_tag(len, &mut self.tag);
                    } else {
                        self.keep_tag(None);
                    }
                    return self.reject(TooBig::Line { len }, literal);
                }
                // The octets of a literal being discarded; in any other state the framer has
                // no literal pending (nothing else to drop).
                (_, Raw::Literal { .. }) => {}
                // Not reached: Announced and StreamEnded return above, and the framer gives
                // lines only between literals.
                (
                    State::Announced(_) | State::StreamEnded | State::Inline | State::Streaming,
                    Raw::Line { .. } | Raw::TooLong { .. },
                ) => self.state = State::Lines,
            }
        }
    }

    /// Takes the announced literal inline: its octets become part of the message. The caller
    /// sends the continuation request (`+ ...`, RFC 9051 §7.5) itself for a synchronizing one.
    pub fn accept(&mut self) -> Result<(), DecisionError> {
        let State::Announced(header) = self.state else {
            return Err(DecisionError::NoLiteralAnnounced);
        };
        if !self.fits_inline(header) {
            let len = (self.msg.len() as u64).saturating_add(header.length);
            self.keep_tag(None);
            self.recover(Some(header));
            self.report = Some((TooBig::Message { len }, Some(header)));
            return Err(DecisionError::MessageTooLong);
        }
        self.state = State::Inline;
        Ok(())
    }

    /// Hands the announced literal on in pieces ([`Event::LiteralChunk`], then
    /// [`Event::LiteralEnd`]), never holding it whole: an APPEND's message (RFC 9051 §6.3.12),
    /// a client's large `BODY[]`. The message goes on after it; its later text comes as
    /// [`Event::MessageEnd`] (or another [`Event::LiteralAnnounced`] with `continued`).
    pub fn stream(&mut self) -> Result<(), DecisionError> {
        let State::Announced(_) = self.state else {
            return Err(DecisionError::NoLiteralAnnounced);
        };
        self.keep_tag(None);
        self.msg.clear();
        self.continued = true;
        self.state = State::Streaming;
        Ok(())
    }

    /// Refuses the announced literal and drops the message (the caller answers it with a tagged
    /// `NO` or `BAD`). A synchronizing literal is not sent by a peer that gets no `+`, so the
    /// next line starts the next message; a non-synchronizing one is on its way, so its octets
    /// and the rest of its message (further lines and non-synchronizing literals, up to a line
    /// ending without one or with a synchronizing one) are read and dropped (RFC 7888 §4).
    /// Reading responses ([`Assembler::for_responses`]), every literal is on its way: it and the
    /// rest of its response are read and dropped.
    pub fn refuse(&mut self) -> Result<(), DecisionError> {
        let State::Announced(header) = self.state else {
            return Err(DecisionError::NoLiteralAnnounced);
        };
        self.recover(Some(header));
        Ok(())
    }

    /// Whether a literal fits inline within the message limit.
    fn fits_inline(&self, header: LiteralHeader) -> bool {
        (self.msg.len() as u64).saturating_add(header.length) <= self.limits.max_message as u64
    }

    /// A complete line of a message in progress (or one that cannot take the fast path),
    /// added to the message.
    fn line(&mut self, range: Range<usize>, literal: Option<LiteralHeader>) -> LineOutcome {
        let total = self.msg.len() + range.len() + 2;
        if total > self.limits.max_message {
            self.keep_tag(Some(range));
            self.recover(literal);
            return LineOutcome::TooBig(TooBig::Message { len: total as u64 });
        }
        self.msg.extend_from_slice(self.framer.get(range));
        self.msg.extend_from_slice(b"\r\n");
        let Some(header) = literal else {
            self.delivered = true;
            return LineOutcome::Ended;
        };
        if header.length > self.limits.max_literal {
            self.keep_tag(None);
            self.recover(literal);
            return LineOutcome::TooBig(TooBig::Literal {
                length: header.length,
            });
        }
        let auto = match self.auto_accept {
            AutoAccept::Never => false,
            AutoAccept::NonSynchronizingUpTo(n) => !header.is_synchronizing() && header.length <= n,
            AutoAccept::AllUpTo(n) => header.length <= n,
        };
        self.state = if auto && self.fits_inline(header) {
            State::Inline
        } else {
            State::Announced(header)
        };
        LineOutcome::More
    }

    /// Keeps the message's tag for a [`Event::TooBig`]: from its first line (in `msg`, or the
    /// line at `range` of the input when `msg` is empty); after a streamed literal, the tag kept
    /// when it started.
    fn keep_tag(&mut self, range: Option<Range<usize>>) {
        if self.continued {
            return;
        }
        let first = if self.msg.is_empty() {
            range.map_or(&[][..], |r| self.framer.get(r))
        } else {
            &self.msg
        };
        self.tag.clear();
        self.has_tag = match tag_of(first) {
            Some(tag) => {
                self.tag.extend_from_slice(tag);
                true
            }
            None => false,
        };
    }

    /// Drops the message after a limit was broken and reports it.
    fn reject(&mut self, what: TooBig, literal: Option<LiteralHeader>) -> Event<'_> {
        self.recover(literal);
        self.too_big(what, literal)
    }

    /// The [`Event::TooBig`] for the message whose tag was kept.
    fn too_big(&self, what: TooBig, literal: Option<LiteralHeader>) -> Event<'_> {
        Event::TooBig {
            tag: self.has_tag.then_some(&self.tag[..]),
            what,
            literal,
        }
    }

    /// Drops the message in progress, ended by a line announcing `literal` (if any), and gets
    /// back in step: a synchronizing literal in a command will not come; any other literal and
    /// the rest of its message are discarded.
    fn recover(&mut self, literal: Option<LiteralHeader>) {
        self.msg.clear();
        self.continued = false;
        self.state = match literal {
            Some(header) if !self.waits(header) => State::Discarding,
            Some(_) => {
                self.framer.cancel_literal();
                State::Lines
            }
            None => State::Lines,
        };
    }

    /// A line of a message being discarded ended, announcing `literal` (if any).
    fn end_of_discarded_line(&mut self, literal: Option<LiteralHeader>) {
        match literal {
            Some(header) if !self.waits(header) => {}
            Some(_) => {
                self.framer.cancel_literal();
                self.state = State::Lines;
            }
            None => self.state = State::Lines,
        }
    }
}
