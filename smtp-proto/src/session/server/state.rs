//! The session's states (RFC 5321 §4.1.4), each carrying only what it needs.

use super::deps::{BdatDecoder, DataDecoder, Mechanism, Reply};
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
