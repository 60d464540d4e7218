//! The maildrop as one session sees it (RFC 1939 §5): messages numbered 1..n for the whole
//! session, with the deletion marks of `DELE` that `RSET` clears and UPDATE applies.

use super::event::MaildropEntry;
use crate::types::listing::{MsgNum, ScanListing, Stat, Uid, UidListing};

/// A message of the session's maildrop.
#[derive(Debug)]
struct Message {
    entry: MaildropEntry,
    deleted: bool,
    retrieved: bool,
}

/// Why a message number names no message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum NoMessage {
    /// Beyond the last message.
    #[error("No such message, only {count} messages in maildrop")]
    OutOfRange {
        /// How many messages the maildrop holds.
        count: usize,
    },
    /// Marked as deleted in this session (RFC 1939 §5).
    #[error("Message {0} already deleted")]
    Deleted(MsgNum),
}

/// The messages of a locked maildrop, numbered from 1 in the order the application listed them.
#[derive(Debug, Default)]
pub(crate) struct Maildrop {
    messages: Vec<Message>,
}

impl Maildrop {
    /// Checks the unique-ids (RFC 1939 §7: well-formed, and unique within the maildrop) and
    /// numbers the messages.
    pub(crate) fn new(entries: Vec<MaildropEntry>) -> Result<Self, String> {
        let mut seen = std::collections::HashSet::with_capacity(entries.len());
        for e in &entries {
            if let Err(err) = Uid::new(&e.unique_id) {
                return Err(format!("message {}: {err}", e.id));
            }
            if !seen.insert(e.unique_id.as_str()) {
                return Err(format!("message {}: duplicate unique-id", e.id));
            }
        }
        Ok(Self {
            messages: entries
                .into_iter()
                .map(|entry| Message {
                    entry,
                    deleted: false,
                    retrieved: false,
                })
                .collect(),
        })
    }

    fn get(&self, msg: MsgNum) -> Result<&Message, NoMessage> {
        let count = self.messages.len();
        match self.messages.get(msg.index()) {
            None => Err(NoMessage::OutOfRange { count }),
            Some(m) if m.deleted => Err(NoMessage::Deleted(msg)),
            Some(m) => Ok(m),
        }
    }

    /// The drop listing (RFC 1939 §5 `STAT`): messages not marked as deleted.
    pub(crate) fn stat(&self) -> Stat {
        let (count, size) = self
            .messages
            .iter()
            .filter(|m| !m.deleted)
            .fold((0u32, 0u64), |(n, s), m| {
                (n.saturating_add(1), s.saturating_add(m.entry.size))
            });
        Stat { count, size }
    }

    /// The scan listing of one message.
    pub(crate) fn scan(&self, msg: MsgNum) -> Result<ScanListing, NoMessage> {
        self.get(msg).map(|m| ScanListing {
            msg,
            size: m.entry.size,
        })
    }

    /// The unique-id listing of one message.
    pub(crate) fn uid(&self, msg: MsgNum) -> Result<UidListing<'_>, NoMessage> {
        let m = self.get(msg)?;
        Ok(UidListing {
            msg,
            uid: checked_uid(&m.entry),
        })
    }

    /// The scan listing of the first message not marked as deleted at or after `index`
    /// (0-based), and the index after it: a listing generated one line at a time.
    pub(crate) fn scan_from(&self, index: usize) -> Option<(ScanListing, usize)> {
        let (msg, m, next) = self.live_from(index)?;
        Some((
            ScanListing {
                msg,
                size: m.entry.size,
            },
            next,
        ))
    }

    /// [`Maildrop::scan_from`] for the unique-id listing.
    pub(crate) fn uid_from(&self, index: usize) -> Option<(UidListing<'_>, usize)> {
        let (msg, m, next) = self.live_from(index)?;
        Some((
            UidListing {
                msg,
                uid: checked_uid(&m.entry),
            },
            next,
        ))
    }

    fn live_from(&self, index: usize) -> Option<(MsgNum, &Message, usize)> {
        let (i, m) = self
            .messages
            .iter()
            .enumerate()
            .skip(index)
            .find(|(_, m)| !m.deleted)?;
        let msg = MsgNum::new(u32::try_from(i + 1).ok()?)?;
        Some((msg, m, i + 1))
    }

    /// The application's id and size of a message to retrieve.
    pub(crate) fn retrieve(&self, msg: MsgNum) -> Result<(u32, u64), NoMessage> {
        self.get(msg).map(|m| (m.entry.id, m.entry.size))
    }

    /// Marks a message as retrieved, once its whole `RETR` response was sent (for `EXPIRE 0`;
    /// `TOP` previews do not count).
    pub(crate) fn mark_retrieved(&mut self, msg: MsgNum) {
        if let Some(m) = self.messages.get_mut(msg.index()) {
            m.retrieved = true;
        }
    }

    /// Marks a message as deleted (RFC 1939 §5 `DELE`).
    pub(crate) fn delete(&mut self, msg: MsgNum) -> Result<(), NoMessage> {
        self.get(msg)?;
        if let Some(m) = self.messages.get_mut(msg.index()) {
            m.deleted = true;
        }
        Ok(())
    }

    /// Unmarks every message (RFC 1939 §5 `RSET`).
    pub(crate) fn reset(&mut self) {
        for m in &mut self.messages {
            m.deleted = false;
        }
    }

    /// The ids to remove at UPDATE: those marked, and with `EXPIRE 0` those retrieved too.
    pub(crate) fn to_remove(&self, expire_retrieved: bool) -> Vec<u32> {
        self.messages
            .iter()
            .filter(|m| m.deleted || (expire_retrieved && m.retrieved))
            .map(|m| m.entry.id)
            .collect()
    }
}

/// The entry's unique-id, checked against the grammar by [`Maildrop::new`].
fn checked_uid(entry: &MaildropEntry) -> Uid<'_> {
    Uid::checked_before(&entry.unique_id)
}
