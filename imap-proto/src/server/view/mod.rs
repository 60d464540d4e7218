//! The selected mailbox as one session sees it (RFC 9051 §2.3.1.2, §5.2, §5.5, §7.4.1,
//! §7.5.1; RFC 7162 CONDSTORE/QRESYNC; RFC 5182 SEARCHRES): a pure data structure, no I/O.
//!
//! A [`MailboxView`] is built at SELECT/EXAMINE from a snapshot of the mailbox (UIDVALIDITY,
//! UIDNEXT, HIGHESTMODSEQ and the UID, flags and MODSEQ of every message in UID order). It maps
//! message sequence numbers to UIDs as the *client* knows them, and holds the changes made by
//! other sessions and processes as **pending** until the session may announce them.
//!
//! # Call order
//! 1. SELECT: [`MailboxView::new`] with [`ViewInfo`], then [`MailboxView::push`] for every
//!    message in UID order (or [`MailboxView::from_store`] with mailstore's metadata). The SELECT
//!    responses use [`MailboxView::exists`], [`MailboxView::flags_data`], ...; with
//!    `SELECT ... (QRESYNC ...)`, [`MailboxView::qresync`] gives the `VANISHED (EARLIER)` and
//!    `FETCH` responses of RFC 7162 §3.2.5.
//! 2. Whenever the store reports changes — `changes_since(view.synced_modseq())` after a
//!    command, during IDLE, or the [`mailstore::Change`]s of the change feed — feed them to
//!    [`MailboxView::apply_changes`] / [`MailboxView::apply`]. Nothing is sent yet; message
//!    numbers do not move.
//! 3. At an [`AnnouncePoint`], [`MailboxView::announce`] returns the untagged responses the
//!    session may send now, in order: `EXPUNGE`s (or `VANISHED` under QRESYNC) if the point
//!    allows them, then `EXISTS`, then `FLAGS` when new keywords appeared, then the
//!    `FETCH (FLAGS ...)` of messages whose flags changed.
//! 4. The session's own STORE, EXPUNGE, MOVE and APPEND results go through
//!    [`MailboxView::store_result`], [`MailboxView::expunged_by_self`] and
//!    [`MailboxView::apply`]; their responses belong to the command's own answer.
//!
//! ```
//! use imap_proto::server::view::{AnnouncePoint, MailboxView, ViewInfo};
//! use mailstore::{Change, MessageMeta, flags};
//! # fn meta(uid: u32, modseq: u64) -> MessageMeta { MessageMeta { uid, flags: flags([]), size: 0,
//! #     internal_date: std::time::UNIX_EPOCH, modseq, unique_id: format!("1.{uid}") } }
//! let mut view = MailboxView::new(ViewInfo { uid_validity: 1, uid_next: 4, highest_modseq: 3 });
//! for uid in 1..=3 {
//!     view.push(uid, &flags([]), u64::from(uid)).unwrap();
//! }
//! // Another session expunges UID 2 and a message arrives; the client still sees 3 messages.
//! view.apply(&Change::Expunged(2));
//! view.apply(&Change::New(meta(4, 5)));
//! assert_eq!(view.exists(), 3);
//! // During FETCH, no EXPUNGE may be sent (RFC 9051 §7.5.1); EXISTS may.
//! let now = view.announce(AnnouncePoint::Command { allows_expunge: false });
//! let wire: Vec<u8> = now.iter().flat_map(|r| r.to_bytes()).collect();
//! assert_eq!(wire, b"* 4 EXISTS\r\n");
//! // At NOOP, the expunge follows.
//! let now = view.announce(AnnouncePoint::Command { allows_expunge: true });
//! let wire: Vec<u8> = now.iter().flat_map(|r| r.to_bytes()).collect();
//! assert_eq!(wire, b"* 2 EXPUNGE\r\n");
//! assert_eq!(view.uid(3), Some(4));
//! ```
//!
//! # Memory
//! Per message: its UID (`u32`), its flags (`u32`: five system flags and the first 26 keywords
//! of the mailbox as bits) and its MODSEQ (`u64`): 16 octets, 1.6 MB for 100,000 messages.
//! Keyword names are interned once per mailbox; a message with more than 26 different keywords
//! keeps the rest in a side table. Pending changes cost only what is pending.
//!
//! `\Recent` (IMAP4rev1 only) is not modelled, as mailstore does not keep it.

use std::collections::{BTreeSet, HashMap};
use std::num::NonZeroU32;

use crate::response::{Data, Response};
use crate::token::Flag;

mod changes;
mod flags;
mod set;
mod sync;
#[cfg(test)]
mod tests;

pub use changes::AnnouncePoint;
pub use flags::INLINE_KEYWORDS;
pub use set::{MessageSet, sequence_set, sequence_sets};
pub use sync::StoreReply;

use flags::{Keywords, Packed};

/// The counters of the snapshot a view is built from (RFC 9051 §7.1 UIDVALIDITY, UIDNEXT;
/// RFC 7162 §3.1.2.1 HIGHESTMODSEQ).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ViewInfo {
    /// UIDVALIDITY.
    pub uid_validity: u32,
    /// UIDNEXT: above every UID of the snapshot.
    pub uid_next: u32,
    /// HIGHESTMODSEQ at the time of the snapshot.
    pub highest_modseq: u64,
}

impl From<&mailstore::MailboxStatus> for ViewInfo {
    fn from(s: &mailstore::MailboxStatus) -> Self {
        ViewInfo {
            uid_validity: s.uid_validity,
            uid_next: s.uid_next,
            highest_modseq: s.highest_modseq,
        }
    }
}

/// What a view refuses: a snapshot out of order, or a message number the client may not use.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ViewError {
    /// A message number above the number of messages, or `*` in an empty mailbox (RFC 9051
    /// §6.4: the server answers `BAD`). `seq` is 0 for `*` in an empty mailbox.
    #[error("no message {seq} (the mailbox has {exists})")]
    NoSuchMessage {
        /// The number asked for.
        seq: u32,
        /// The number of messages the client knows of.
        exists: u32,
    },
    /// A snapshot message whose UID is 0 or not above the previous one (RFC 9051 §2.3.1.1:
    /// UIDs strictly ascend).
    #[error("snapshot UID {uid} out of order (after {previous})")]
    UidOutOfOrder {
        /// The UID pushed.
        uid: u32,
        /// The previous UID (0 for none).
        previous: u32,
    },
}

/// A message that arrived but whose `EXISTS` has not been sent yet.
#[derive(Debug, Clone)]
struct PendingNew {
    uid: u32,
    flags: Packed,
    modseq: u64,
}

/// The selected mailbox as one session sees it; see the [module documentation](self).
#[derive(Debug, Clone)]
pub struct MailboxView {
    uid_validity: u32,
    /// Above every UID the view has seen (snapshot, pending or announced).
    uid_next: u32,
    /// The HIGHESTMODSEQ up to which the store's changes have been applied.
    synced_modseq: u64,
    /// UIDs by message number − 1, as the client knows them.
    uids: Vec<u32>,
    /// Flag bits by message number − 1 (see [`flags`]).
    bits: Vec<u32>,
    /// MODSEQ by message number − 1.
    modseqs: Vec<u64>,
    /// Keyword ids past the inline bits, by UID (only for messages with [`flags::OVERFLOW`]).
    extra: HashMap<u32, Box<[u32]>>,
    keywords: Keywords,
    /// How many keywords the last FLAGS response the client got listed.
    keywords_announced: usize,
    /// UIDs still in `uids` that others expunged: their EXPUNGE/VANISHED is pending.
    expunged: BTreeSet<u32>,
    /// UIDs in `uids` whose flags changed and whose FETCH is pending.
    flag_changes: BTreeSet<u32>,
    /// Arrived messages, ascending UIDs, whose EXISTS is pending.
    new: Vec<PendingNew>,
    /// The saved search result (RFC 5182), ascending UIDs.
    saved: Vec<u32>,
    /// CONDSTORE enabled (RFC 7162 §3.1): MODSEQ in every unsolicited FETCH.
    condstore: bool,
    /// QRESYNC enabled (RFC 7162 §3.2.3): VANISHED instead of EXPUNGE, UID in every FETCH.
    qresync: bool,
}

impl MailboxView {
    /// An empty view of the mailbox described by `info`; add its messages with
    /// [`MailboxView::push`].
    pub fn new(info: ViewInfo) -> MailboxView {
        MailboxView {
            uid_validity: info.uid_validity,
            uid_next: info.uid_next.max(1),
            synced_modseq: info.highest_modseq,
            uids: Vec::new(),
            bits: Vec::new(),
            modseqs: Vec::new(),
            extra: HashMap::new(),
            keywords: Keywords::default(),
            keywords_announced: 0,
            expunged: BTreeSet::new(),
            flag_changes: BTreeSet::new(),
            new: Vec::new(),
            saved: Vec::new(),
            condstore: false,
            qresync: false,
        }
    }

    /// A view of mailstore's snapshot: its status and the metadata of every message, in UID
    /// order ([`mailstore::Account::status`], [`mailstore::Account::messages`] with `1:*`).
    pub fn from_store(
        status: &mailstore::MailboxStatus,
        messages: &[mailstore::MessageMeta],
    ) -> Result<MailboxView, ViewError> {
        let mut v = MailboxView::new(ViewInfo::from(status));
        v.reserve(messages.len());
        for m in messages {
            v.push(m.uid, &m.flags, m.modseq)?;
        }
        Ok(v)
    }

    /// A view of mailstore's compact snapshot ([`mailstore::Account::flag_snapshot`]): the same
    /// view as [`MailboxView::from_store`] of the same messages, built without per-message
    /// allocations.
    pub fn from_snapshot(snapshot: &mailstore::FlagSnapshot) -> Result<MailboxView, ViewError> {
        let mut v = MailboxView::new(ViewInfo::from(&snapshot.status));
        v.reserve(snapshot.messages.len());
        for m in &snapshot.messages {
            v.push_compact(m)?;
        }
        Ok(v)
    }

    /// Adds the next message of the snapshot in mailstore's compact form; as
    /// [`MailboxView::push`].
    pub fn push_compact(&mut self, m: &mailstore::MessageFlags) -> Result<(), ViewError> {
        let previous = self.uids.last().copied().unwrap_or(0);
        if m.uid == 0 || m.uid <= previous {
            return Err(ViewError::UidOutOfOrder {
                uid: m.uid,
                previous,
            });
        }
        self.uid_next = self.uid_next.max(m.uid.saturating_add(1));
        let p = Packed::from_compact(m.system, &m.keywords, &mut self.keywords);
        self.push_packed(m.uid, p, m.modseq);
        Ok(())
    }

    /// Room for `n` more messages.
    pub fn reserve(&mut self, n: usize) {
        self.uids.reserve_exact(n);
        self.bits.reserve_exact(n);
        self.modseqs.reserve_exact(n);
    }

    /// Adds the next message of the snapshot; UIDs must ascend. A UID at or above the
    /// snapshot's UIDNEXT (a message that arrived between `status` and `messages`: read the
    /// status first, so that HIGHESTMODSEQ is not ahead of the messages) moves UIDNEXT.
    pub fn push(
        &mut self,
        uid: u32,
        flags: &mailstore::Flags,
        modseq: u64,
    ) -> Result<(), ViewError> {
        let previous = self.uids.last().copied().unwrap_or(0);
        if uid == 0 || uid <= previous {
            return Err(ViewError::UidOutOfOrder { uid, previous });
        }
        self.uid_next = self.uid_next.max(uid.saturating_add(1));
        let p = Packed::from_store(flags, &mut self.keywords);
        self.push_packed(uid, p, modseq);
        Ok(())
    }

    fn push_packed(&mut self, uid: u32, p: Packed, modseq: u64) {
        self.uids.push(uid);
        self.bits.push(p.bits);
        self.modseqs.push(modseq);
        if !p.extra.is_empty() {
            self.extra.insert(uid, p.extra.into_boxed_slice());
        }
    }

    /// UIDVALIDITY (RFC 9051 §2.3.1.1).
    pub fn uid_validity(&self) -> u32 {
        self.uid_validity
    }

    /// UIDNEXT as far as the view knows: above every UID it has seen (RFC 9051 §2.3.1.1).
    pub fn uid_next(&self) -> u32 {
        self.uid_next
    }

    /// The HIGHESTMODSEQ up to which the store's changes have been applied: the `modseq` to ask
    /// `changes_since` for next. The session's own STOREs do not move it (their MODSEQs are
    /// kept per message; changes that others made before them would otherwise be skipped).
    pub fn synced_modseq(&self) -> u64 {
        self.synced_modseq
    }

    /// The number of messages the client knows of: the last `EXISTS` less the announced
    /// expunges (RFC 9051 §7.4.1). Messages expunged by others count until announced.
    pub fn exists(&self) -> u32 {
        self.uids.len() as u32
    }

    /// The UID of message number `seq` (RFC 9051 §2.3.1.2).
    pub fn uid(&self, seq: u32) -> Option<u32> {
        self.uids.get((seq as usize).checked_sub(1)?).copied()
    }

    /// The message number of `uid`, by binary search.
    pub fn seq_of(&self, uid: u32) -> Option<NonZeroU32> {
        let i = self.uids.binary_search(&uid).ok()?;
        NonZeroU32::new(i as u32 + 1)
    }

    /// Whether message `seq` was expunged by another session and its EXPUNGE is pending: the
    /// session may answer a FETCH of it with no data (RFC 9051 §7.5.1, §5.5).
    pub fn is_expunged(&self, seq: u32) -> bool {
        self.uid(seq).is_some_and(|u| self.expunged.contains(&u))
    }

    /// The MODSEQ of message `seq` (RFC 7162 §3.1.4).
    pub fn modseq(&self, seq: u32) -> Option<u64> {
        self.modseqs.get((seq as usize).checked_sub(1)?).copied()
    }

    fn packed(&self, i: usize) -> Packed {
        let bits = self.bits[i];
        let extra = if bits & flags::OVERFLOW != 0 {
            self.extra
                .get(&self.uids[i])
                .map(|e| e.to_vec())
                .unwrap_or_default()
        } else {
            Vec::new()
        };
        Packed { bits, extra }
    }

    /// The flags of message `seq`, as FETCH FLAGS writes them (RFC 9051 §7.5.2).
    pub fn flags(&self, seq: u32) -> Option<Vec<Flag<'_>>> {
        let i = (seq as usize).checked_sub(1)?;
        (i < self.uids.len()).then(|| self.packed(i).to_flags(&self.keywords))
    }

    /// Whether message `seq` has `\Deleted` (for EXPUNGE, CLOSE).
    pub fn is_deleted(&self, seq: u32) -> bool {
        let i = (seq as usize).wrapping_sub(1);
        self.bits.get(i).is_some_and(|&b| flags::has_deleted(b))
    }

    /// Whether message `seq` has `\Seen` (SELECT's first unseen, SEARCH UNSEEN).
    pub fn is_seen(&self, seq: u32) -> bool {
        let i = (seq as usize).wrapping_sub(1);
        self.bits.get(i).is_some_and(|&b| b & flags::SEEN != 0)
    }

    /// The number of the first message without `\Seen`: SELECT's `OK [UNSEEN n]` for
    /// IMAP4rev1 clients (RFC 3501 §6.3.1; IMAP4rev2 dropped it).
    pub fn first_unseen(&self) -> Option<u32> {
        let i = self.bits.iter().position(|&b| b & flags::SEEN == 0)?;
        Some(i as u32 + 1)
    }

    /// The `FLAGS` response of the mailbox (RFC 9051 §7.3.5): the system flags and every
    /// keyword in use. Counts as announcing the keywords known so far.
    pub fn flags_data(&mut self) -> Data<'static> {
        self.keywords_announced = self.keywords.len();
        Data::Flags(flags::mailbox_flags(&self.keywords))
    }

    /// Turns on CONDSTORE (RFC 7162 §3.1): MODSEQ goes into every unsolicited FETCH.
    pub fn enable_condstore(&mut self) {
        self.condstore = true;
    }

    /// Turns on QRESYNC (RFC 7162 §3.2.3), and with it CONDSTORE: `VANISHED` replaces
    /// `EXPUNGE`, and unsolicited FETCH responses carry the UID.
    pub fn enable_qresync(&mut self) {
        self.condstore = true;
        self.qresync = true;
    }

    /// Whether CONDSTORE is on.
    pub fn condstore(&self) -> bool {
        self.condstore
    }

    /// Whether QRESYNC is on.
    pub fn qresync_enabled(&self) -> bool {
        self.qresync
    }

    /// Saves a search result for `$` (RFC 5182 §2.1): the matching messages' UIDs, so that
    /// expunges drop out of it. `uids` need not be sorted.
    pub fn save_search(&mut self, uids: impl IntoIterator<Item = u32>) {
        let mut v: Vec<u32> = uids.into_iter().collect();
        v.sort_unstable();
        v.dedup();
        self.saved = v;
    }

    /// The saved search result (RFC 5182), ascending UIDs of messages still in the view.
    pub fn saved_search(&self) -> impl Iterator<Item = u32> + '_ {
        self.saved
            .iter()
            .copied()
            .filter(|&u| self.seq_of(u).is_some())
    }

    /// Whether changes wait to be announced.
    pub fn has_pending(&self) -> bool {
        !self.expunged.is_empty() || !self.new.is_empty() || !self.flag_changes.is_empty()
    }

    /// Heap octets the view holds (per-message arrays, keyword tables, pending changes), for
    /// memory accounting.
    pub fn heap_size(&self) -> usize {
        use std::mem::size_of;
        let set = |n: usize| n * (size_of::<u32>() + 2 * size_of::<usize>());
        self.uids.capacity() * size_of::<u32>()
            + self.bits.capacity() * size_of::<u32>()
            + self.modseqs.capacity() * size_of::<u64>()
            + self.extra.capacity() * (size_of::<(u32, Box<[u32]>)>() + 1)
            + self.extra.values().map(|e| e.len() * 4).sum::<usize>()
            + self.keywords.heap_size()
            + set(self.expunged.len())
            + set(self.flag_changes.len())
            + self.new.capacity() * size_of::<PendingNew>()
            + self
                .new
                .iter()
                .map(|n| n.flags.extra.len() * 4)
                .sum::<usize>()
            + self.saved.capacity() * size_of::<u32>()
    }

    /// A FETCH response with the flags of message `seq` (index `seq - 1`), UID when `uid`
    /// (UID command or QRESYNC), MODSEQ under CONDSTORE (RFC 7162 §3.1.4.1).
    fn flags_fetch(&self, seq: u32, uid: bool, with_flags: bool) -> Response<'static> {
        use crate::response::MsgAtt;
        let i = seq as usize - 1;
        let mut items = Vec::with_capacity(3);
        if (uid || self.qresync)
            && let Some(u) = NonZeroU32::new(self.uids[i])
        {
            items.push(MsgAtt::Uid(u));
        }
        if with_flags {
            let flags = self.packed(i).to_flags(&self.keywords);
            items.push(MsgAtt::Flags(
                flags.into_iter().map(Flag::into_owned).collect(),
            ));
        }
        if self.condstore {
            items.push(MsgAtt::ModSeq(self.modseqs[i]));
        }
        Response::Data(Data::Fetch {
            seq: NonZeroU32::new(seq).unwrap_or(NonZeroU32::MIN),
            items,
        })
    }

    /// A `FLAGS` response when keywords appeared since the last one (RFC 9051 §7.3.5).
    fn new_keywords(&mut self, out: &mut Vec<Response<'static>>) {
        if self.keywords.len() > self.keywords_announced {
            out.push(Response::Data(self.flags_data()));
        }
    }
}
