//! What the client sends (the envelope) and what it learns (per-recipient outcomes).

use super::deps::{ForwardPath, MailFrom, Rcpt, Reply, ReversePath};
use crate::parse::address::{AddressError, parse_forward_path, parse_reverse_path};

/// The envelope of one message: `MAIL FROM` with its parameters and one `RCPT TO` per
/// recipient (RFC 5321 §3.3).
///
/// `from.params.size`, when set, is the message size in octets: it is sent as `SIZE=` when
/// the server advertises SIZE (RFC 1870) and dropped otherwise, and a message larger than
/// the advertised limit is refused before anything is sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope {
    /// The reverse path and the MAIL parameters.
    pub from: MailFrom<'static>,
    /// The forward paths and their RCPT parameters, in the order they are sent.
    pub recipients: Vec<Rcpt<'static>>,
}

impl Envelope {
    /// An envelope without MAIL or RCPT parameters.
    pub fn new(
        from: ReversePath<'static>,
        recipients: impl IntoIterator<Item = ForwardPath<'static>>,
    ) -> Self {
        Self {
            from: MailFrom {
                path: from,
                params: Default::default(),
            },
            recipients: recipients
                .into_iter()
                .map(|path| Rcpt {
                    path,
                    params: Default::default(),
                })
                .collect(),
        }
    }

    /// Parses addresses as written inside the angle brackets (`""` is the null reverse
    /// path), e.g. `Envelope::parse("a@example.org", &["b@example.net"])`.
    pub fn parse(from: &str, recipients: &[&str]) -> Result<Self, AddressError> {
        let from = parse_reverse_path(format!("<{from}>").as_bytes())?.into_owned();
        let recipients = recipients
            .iter()
            .map(|r| Ok(parse_forward_path(format!("<{r}>").as_bytes())?.into_owned()))
            .collect::<Result<Vec<_>, AddressError>>()?;
        Ok(Self::new(from, recipients))
    }
}

/// How the server answered for one recipient.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecipientStatus {
    /// The server took responsibility for the message for this recipient: its `RCPT` was
    /// accepted and so was the message (in LMTP, this recipient's reply after the data).
    Accepted(Reply<'static>),
    /// The server refused the recipient: the reply that did it (to `MAIL`, `RCPT`, `DATA`,
    /// `BDAT` or the end of data). [`Reply::is_temporary`] tells whether to retry later.
    Rejected(Reply<'static>),
}

impl RecipientStatus {
    /// Whether the message was accepted for this recipient.
    pub fn is_accepted(&self) -> bool {
        matches!(self, Self::Accepted(_))
    }

    /// Whether the recipient was refused with a `4yz` reply: retry later.
    pub fn is_temporary_failure(&self) -> bool {
        matches!(self, Self::Rejected(r) if r.is_temporary())
    }

    /// The reply that decided this status.
    pub fn reply(&self) -> &Reply<'static> {
        match self {
            Self::Accepted(r) | Self::Rejected(r) => r,
        }
    }
}

/// The result of one mail transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageOutcome {
    /// The reply to `MAIL FROM`.
    pub mail: Reply<'static>,
    /// Each recipient's final status, in envelope order.
    pub recipients: Vec<RecipientStatus>,
    /// The message-level reply: to `DATA`/`BDAT` when that failed, else the reply after the
    /// end of data (SMTP), or `None` when the transaction ended before (no recipient
    /// accepted, `MAIL` refused) or in LMTP, whose replies are per recipient.
    pub data: Option<Reply<'static>>,
}

impl MessageOutcome {
    /// How many recipients the message was accepted for.
    pub fn accepted(&self) -> usize {
        self.recipients.iter().filter(|s| s.is_accepted()).count()
    }

    /// Whether the message was accepted for every recipient.
    pub fn all_accepted(&self) -> bool {
        self.recipients.iter().all(RecipientStatus::is_accepted)
    }
}
