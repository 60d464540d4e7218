//! The session's states (RFC 5321 §4.1.4), each carrying only what it needs.

use std::borrow::Cow;
use std::ops::Range;

use super::deps::{BdatDecoder, DataDecoder, MailFrom, Mechanism, Rcpt, Reply};
use super::event::CloseReason;

/// Where the session stands in the command sequence.
#[derive(Debug)]
pub(crate) enum Phase {
    /// Greeting sent (or STARTTLS completed, or a HELO refused): EHLO/HELO/LHLO expected.
    Greeted,
    /// Hello accepted, no transaction: MAIL, AUTH, STARTTLS allowed.
    Ready,
    /// MAIL accepted: RCPT, then DATA or BDAT.
    Envelope(Transaction),
    /// Reading a DATA body up to CRLF.CRLF.
    Data(DataBody),
    /// Reading a BDAT chunk of a known size.
    Chunk(Chunk),
    /// AUTH in progress: the next line is a SASL response.
    Auth(Mechanism),
    /// STARTTLS answered 220: waiting for `tls_started`.
    TlsHandshake,
    /// Finished: nothing more is read.
    Closed(CloseReason),
}

impl Phase {
    /// Whether a mail transaction (an accepted MAIL) is open.
    pub(crate) fn in_transaction(&self) -> bool {
        matches!(self, Self::Envelope(_) | Self::Data(_))
            || matches!(
                self,
                Self::Chunk(Chunk {
                    sink: Sink::Deliver(_),
                    ..
                })
            )
    }
}

/// The envelope facts the session enforces rules with (the addresses themselves go to the application).
#[derive(Debug, Clone, Default)]
pub(crate) struct Transaction {
    /// MAIL had `SMTPUTF8`: UTF-8 recipients allowed.
    pub(crate) smtputf8: bool,
    /// MAIL had `BODY=BINARYMIME`: DATA refused.
    pub(crate) binary: bool,
    /// Recipients accepted so far.
    pub(crate) recipients: usize,
    /// A BDAT chunk was accepted: DATA and RCPT refused.
    pub(crate) chunked: bool,
    /// Octets received in BDAT chunks so far.
    pub(crate) received: u64,
}

/// A DATA body being read.
#[derive(Debug)]
pub(crate) struct DataBody {
    pub(crate) tx: Transaction,
    pub(crate) decoder: DataDecoder,
    pub(crate) finished: bool,
    /// Over the size limit: chunks no longer passed on.
    pub(crate) aborted: bool,
}

/// A BDAT chunk being read.
#[derive(Debug)]
pub(crate) struct Chunk {
    pub(crate) decoder: BdatDecoder,
    pub(crate) last: bool,
    pub(crate) finished: bool,
    pub(crate) sink: Sink,
}

/// Where the octets of a BDAT chunk go.
#[derive(Debug)]
pub(crate) enum Sink {
    /// To the application, as part of this transaction.
    Deliver(Transaction),
    /// Nowhere: the chunk is consumed, then `reply` (if any) is sent and the session returns to `then`.
    Discard {
        reply: Option<Reply<'static>>,
        counts_as_bad: bool,
        then: Box<Phase>,
    },
}

/// The event that waits for the application's answer, with what the answer needs.
#[derive(Debug)]
pub(crate) enum Awaiting {
    Hello { extended: bool, host: String },
    Mail(Transaction),
    Rcpt,
    DataStart { chunk: Option<(u64, bool)> },
    DataEnd { remaining: usize },
    Vrfy,
    Expn,
    Etrn,
    Auth,
}

/// What one step of `next_event`'s loop produced.
#[derive(Debug)]
#[allow(clippy::large_enum_variant)] // a transient return value, moved once: boxing would cost more
pub(crate) enum Step {
    /// `ServerSession::chunk` holds an [`super::Event::DataChunk`].
    Chunk,
    /// An event to return.
    Event(super::Event<'static>),
    /// Nothing more can be done without input.
    NeedInput,
    /// Progress was made: loop.
    Continue,
}

/// What a command line produced, from `line_step`.
#[derive(Debug)]
pub(crate) enum Handled<'l> {
    /// An event to return.
    Event(super::Event<'static>),
    /// An accepted MAIL, borrowing the copy of its line; the event borrows the framer's
    /// buffer instead (see [`rebase`]).
    Mail(MailFrom<'l>, Origin),
    /// An accepted RCPT, like `Mail`.
    Rcpt(Rcpt<'l>, Origin),
}

/// Where a command line is: its copy, and its octets in the framer's buffer.
#[derive(Debug)]
pub(crate) struct Origin {
    /// The address of the copy's first octet.
    pub(crate) base: usize,
    /// The line in the framer's buffer.
    pub(crate) range: Range<usize>,
}

/// Moves text borrowed from a copy of `to` (whose first octet is at address `base`) onto the
/// same octets of `to`: the event borrows the framer's buffer, not the session's scratch copy
/// of the line, so no text is copied. Owned text (unquoted, decoded) stays owned; text that is
/// not in the copy is copied.
pub(crate) fn rebase<'l, 'b>(
    base: usize,
    to: &'b [u8],
) -> impl FnMut(Cow<'l, str>) -> Cow<'b, str> {
    // One check of the whole line (the parser checked its copy): then every text is a slice.
    let to = std::str::from_utf8(to).ok();
    move |text| match text {
        Cow::Borrowed(s) => (s.as_ptr() as usize)
            .checked_sub(base)
            .and_then(|at| to?.get(at..at.checked_add(s.len())?))
            .map_or_else(|| Cow::Owned(s.to_owned()), Cow::Borrowed),
        Cow::Owned(s) => Cow::Owned(s),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rebase_moves_borrowed_text_onto_the_original_and_keeps_the_rest() {
        let original = b"RCPT TO:<user@example.org>".to_vec();
        let copy = original.clone();
        let text = std::str::from_utf8(&copy).unwrap();
        let mut to = rebase(copy.as_ptr() as usize, &original);
        // Borrowed from the copy: now borrowed from the original, same text.
        match to(Cow::Borrowed(&text[9..13])) {
            Cow::Borrowed(s) => {
                assert_eq!(s, "user");
                assert_eq!(s.as_ptr(), original[9..].as_ptr());
            }
            Cow::Owned(s) => panic!("copied {s:?}"),
        }
        // Owned text (e.g. an unquoted local part) stays owned.
        assert_eq!(
            to(Cow::Owned("john doe".into())),
            Cow::<str>::Owned("john doe".into())
        );
        // Text that is not in the copy is copied, not mis-sliced.
        assert!(matches!(to(Cow::Borrowed("elsewhere")), Cow::Owned(s) if s == "elsewhere"));
    }
}
