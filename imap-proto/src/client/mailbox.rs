//! The selected mailbox's state as the client learns it from SELECT/EXAMINE and the untagged
//! responses that follow (RFC 9051 §6.3.2, §7.3, §7.4; RFC 7162 §3.1).

use crate::token::{Flag, FlagPerm};

use crate::response::{Code, Data, Response, Status};

/// What the server said about the selected mailbox.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MailboxState {
    /// The mailbox name as the application gave it to SELECT/EXAMINE.
    pub name: String,
    /// `* n EXISTS`: number of messages (kept up to date by EXISTS and EXPUNGE).
    pub exists: u32,
    /// `* n RECENT` (IMAP4rev1 servers only).
    pub recent: Option<u32>,
    /// `* FLAGS (...)`: flags defined in the mailbox.
    pub flags: Vec<Flag<'static>>,
    /// `[PERMANENTFLAGS (...)]`: flags the client can change permanently.
    pub permanent_flags: Option<Vec<FlagPerm<'static>>>,
    /// `[UIDVALIDITY n]`.
    pub uid_validity: Option<u32>,
    /// `[UIDNEXT n]`.
    pub uid_next: Option<u32>,
    /// `[UNSEEN n]` (IMAP4rev1): the first unseen message.
    pub unseen: Option<u32>,
    /// `[HIGHESTMODSEQ n]` (RFC 7162); `None` also after `[NOMODSEQ]`.
    pub highest_modseq: Option<u64>,
    /// `[READ-ONLY]` (or EXAMINE) rather than `[READ-WRITE]`.
    pub read_only: bool,
}

impl MailboxState {
    /// The state at the start of a SELECT (`read_only` for EXAMINE).
    pub(crate) fn new(name: String, read_only: bool) -> Self {
        MailboxState {
            name,
            read_only,
            ..Default::default()
        }
    }

    /// Apply one response code (from an untagged OK or the tagged completion).
    pub(crate) fn apply_code(&mut self, code: &Code<'_>) {
        match code {
            Code::PermanentFlags(f) => {
                self.permanent_flags = Some(
                    f.iter()
                        .map(|p| match p {
                            FlagPerm::Any => FlagPerm::Any,
                            FlagPerm::Flag(f) => FlagPerm::Flag(f.clone().into_owned()),
                        })
                        .collect(),
                );
            }
            Code::UidValidity(n) => self.uid_validity = Some(*n),
            Code::UidNext(n) => self.uid_next = Some(*n),
            Code::Unseen(n) => self.unseen = Some(*n),
            Code::HighestModSeq(n) => self.highest_modseq = Some(*n),
            Code::NoModSeq => self.highest_modseq = None,
            Code::ReadOnly => self.read_only = true,
            Code::ReadWrite => self.read_only = false,
            _ => {}
        }
    }

    /// Apply an untagged response; returns whether it concerned the mailbox.
    pub(crate) fn apply(&mut self, response: &Response<'_>) -> bool {
        match response {
            Response::Data(Data::Exists(n)) => self.exists = *n,
            Response::Data(Data::Recent(n)) => self.recent = Some(*n),
            Response::Data(Data::Expunge(_)) => self.exists = self.exists.saturating_sub(1),
            Response::Data(Data::Flags(f)) => {
                self.flags = f.iter().cloned().map(Flag::into_owned).collect();
            }
            Response::Status(Status {
                tag: None,
                code: Some(code),
                ..
            }) => self.apply_code(code),
            _ => return false,
        }
        true
    }
}
