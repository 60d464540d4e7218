//! Changes by other sessions and processes, held as pending, and their announcement
//! (RFC 9051 §5.2, §5.5, §7.4.1, §7.5.1; RFC 7162 §3.2.10 VANISHED).

use std::num::NonZeroU32;

use super::flags::Packed;
use super::set::sequence_sets;
use super::{MailboxView, PendingNew};
use crate::command::CommandBody;
use crate::response::{Data, Response};

/// At most this many UID ranges in one `VANISHED` line.
pub(crate) const VANISHED_RANGES: usize = 500;

/// When the session asks what it may announce (RFC 9051 §7.4.1, §7.5.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnnouncePoint {
    /// During or at the end of a command. `allows_expunge` is false while responding to
    /// FETCH, STORE or SEARCH (RFC 9051 §7.5.1: "An EXPUNGE response MUST NOT be sent ... while
    /// responding to a FETCH, STORE, or SEARCH command"; the UID forms may) and, as they answer
    /// with message numbers like SEARCH, SORT and THREAD (RFC 5256); see
    /// [`AnnouncePoint::for_command`]. EXISTS and FETCH FLAGS may be sent at any command.
    Command {
        /// Whether EXPUNGE/VANISHED may be sent now.
        allows_expunge: bool,
    },
    /// During IDLE (RFC 9051 §6.3.13): everything may be sent.
    Idle,
}

impl AnnouncePoint {
    /// The announce point of `command`'s response: expunges are held back during the
    /// message-number forms of FETCH, STORE, SEARCH, SORT and THREAD.
    pub fn for_command(command: &CommandBody<'_>) -> AnnouncePoint {
        use CommandBody as B;
        let holds_back = matches!(
            command,
            B::Fetch { uid: false, .. }
                | B::Store { uid: false, .. }
                | B::Search { uid: false, .. }
                | B::Sort { uid: false, .. }
                | B::Thread { uid: false, .. }
        );
        AnnouncePoint::Command {
            allows_expunge: !holds_back,
        }
    }

    fn allows_expunge(self) -> bool {
        match self {
            AnnouncePoint::Command { allows_expunge } => allows_expunge,
            AnnouncePoint::Idle => true,
        }
    }
}

impl MailboxView {
    /// Applies one event of mailstore's change feed ([`mailstore::watch`]). Whether a message
    /// is new is decided by its UID, not by the event's kind, so a [`mailstore::Change::Flags`]
    /// of a message the view never saw still adds it. Events the view already reflects (the
    /// session's own STORE, EXPUNGE or APPEND coming back through the feed) change nothing.
    pub fn apply(&mut self, change: &mailstore::Change) {
        match change {
            mailstore::Change::Expunged(uid) => self.note_expunged(*uid),
            mailstore::Change::New(m) | mailstore::Change::Flags(m) => self.note_meta(m),
        }
    }

    /// Applies the result of `changes_since(view.synced_modseq())` and moves
    /// [`MailboxView::synced_modseq`] to its HIGHESTMODSEQ.
    pub fn apply_changes(&mut self, changes: &mailstore::ChangeSet) {
        for &uid in &changes.expunged {
            self.note_expunged(uid);
        }
        for m in &changes.changed {
            self.note_meta(m);
        }
        self.synced_modseq = self.synced_modseq.max(changes.highest_modseq);
    }

    /// A message was expunged: pending if the client knows it, forgotten if only pending.
    pub(crate) fn note_expunged(&mut self, uid: u32) {
        if self.uids.binary_search(&uid).is_ok() {
            self.expunged.insert(uid);
            self.flag_changes.remove(&uid);
        } else if let Ok(i) = self.new.binary_search_by_key(&uid, |n| n.uid) {
            self.new.remove(i);
        }
    }

    /// A message's current state: a flag change of a known message, an update of a pending
    /// one, or a new message (a UID at or above UIDNEXT).
    pub(crate) fn note_meta(&mut self, m: &mailstore::MessageMeta) {
        if let Ok(i) = self.uids.binary_search(&m.uid) {
            if self.expunged.contains(&m.uid) || m.modseq <= self.modseqs[i] {
                return;
            }
            let p = Packed::from_store(&m.flags, &mut self.keywords);
            let old = self.packed(i);
            self.modseqs[i] = m.modseq;
            if p != old {
                self.set_packed(i, p);
                self.flag_changes.insert(m.uid);
            } else if self.condstore {
                // Same flags, new MODSEQ: a CONDSTORE client caches MODSEQs too.
                self.flag_changes.insert(m.uid);
            }
            return;
        }
        match self.new.binary_search_by_key(&m.uid, |n| n.uid) {
            Ok(i) => {
                if m.modseq > self.new[i].modseq {
                    self.new[i].flags = Packed::from_store(&m.flags, &mut self.keywords);
                    self.new[i].modseq = m.modseq;
                }
            }
            Err(i) if m.uid >= self.uid_next => {
                let flags = Packed::from_store(&m.flags, &mut self.keywords);
                self.new.insert(
                    i,
                    PendingNew {
                        uid: m.uid,
                        flags,
                        modseq: m.modseq,
                    },
                );
                self.uid_next = m.uid.saturating_add(1);
            }
            // Below UIDNEXT and unknown: expunged already (by this session or announced).
            Err(_) => {}
        }
    }

    /// Replaces the flags at index `i`, keeping the overflow table in step.
    pub(crate) fn set_packed(&mut self, i: usize, p: Packed) {
        let uid = self.uids[i];
        self.bits[i] = p.bits;
        if p.extra.is_empty() {
            self.extra.remove(&uid);
        } else {
            self.extra.insert(uid, p.extra.into_boxed_slice());
        }
    }

    /// The untagged responses the session may send at `point`, in order: EXPUNGE (or VANISHED
    /// under QRESYNC) when the point allows them, EXISTS for new messages, FLAGS when new
    /// keywords appeared, then `FETCH (FLAGS ...)` (with UID under QRESYNC, MODSEQ under
    /// CONDSTORE) for messages whose flags others changed. The view then numbers messages as a
    /// client that read these responses does.
    ///
    /// EXPUNGEs come in ascending order, each number counted after the previous EXPUNGE took
    /// effect, as in RFC 9051 §7.5.1's example (messages 3, 4, 7 and 11 expunged give
    /// `3, 3, 5, 8`).
    pub fn announce(&mut self, point: AnnouncePoint) -> Vec<Response<'static>> {
        let mut out = Vec::new();
        if point.allows_expunge() && !self.expunged.is_empty() {
            self.flush_expunges(&mut out);
        }
        if !self.new.is_empty() {
            let new = std::mem::take(&mut self.new);
            self.reserve(new.len());
            for n in new {
                self.push_packed(n.uid, n.flags, n.modseq);
            }
            out.push(Response::Data(Data::Exists(self.exists())));
        }
        self.new_keywords(&mut out);
        if !self.flag_changes.is_empty() {
            for uid in std::mem::take(&mut self.flag_changes) {
                if let Some(seq) = self.seq_of(uid) {
                    out.push(self.flags_fetch(seq.get(), false, true));
                }
            }
        }
        out
    }

    /// [`MailboxView::announce`], written straight into the session's encoder.
    pub fn announce_into(&mut self, point: AnnouncePoint, e: &mut crate::Encoder) {
        for r in self.announce(point) {
            r.encode(e);
        }
    }

    /// Announces every pending expunge and removes the messages from the view.
    pub(crate) fn flush_expunges(&mut self, out: &mut Vec<Response<'static>>) {
        let gone: Vec<u32> = std::mem::take(&mut self.expunged).into_iter().collect();
        if gone.is_empty() {
            return;
        }
        if self.qresync {
            for uids in sequence_sets(gone.iter().copied(), VANISHED_RANGES) {
                out.push(Response::Data(Data::Vanished {
                    earlier: false,
                    uids,
                }));
            }
        }
        // Compact the arrays in one pass; under RFC 3501/9051 each EXPUNGE's number is the
        // message's position less the expunges before it.
        let first = self.uids.partition_point(|&u| u < gone[0]);
        let (mut w, mut g) = (first, 0);
        for r in first..self.uids.len() {
            let u = self.uids[r];
            if g < gone.len() && gone[g] == u {
                if !self.qresync {
                    let seq = (r - g + 1) as u32;
                    if let Some(seq) = NonZeroU32::new(seq) {
                        out.push(Response::Data(Data::Expunge(seq)));
                    }
                }
                self.extra.remove(&u);
                g += 1;
                continue;
            }
            self.uids[w] = u;
            self.bits[w] = self.bits[r];
            self.modseqs[w] = self.modseqs[r];
            w += 1;
        }
        self.uids.truncate(w);
        self.bits.truncate(w);
        self.modseqs.truncate(w);
    }
}
