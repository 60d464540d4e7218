//! The session's own changes (STORE with `.SILENT` and UNCHANGEDSINCE, EXPUNGE, MOVE) and the
//! resynchronisation helpers of RFC 7162: SELECT's QRESYNC parameter (§3.2.5) and FETCH's
//! CHANGEDSINCE and VANISHED modifiers (§3.1.4.1, §3.2.6).

use super::MailboxView;
use super::changes::VANISHED_RANGES;
use super::flags::Packed;
use super::set::{MessageSet, sequence_set, sequence_sets};
use crate::command::QResync;
use crate::response::{Code, Data, Response};
use crate::token::SequenceSet;

/// How the session's STORE asked to be answered (RFC 9051 §6.4.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct StoreReply {
    /// `UID STORE`: FETCH responses carry the UID, MODIFIED lists UIDs.
    pub uid: bool,
    /// `.SILENT`: no FETCH FLAGS back (under CONDSTORE a `FETCH (MODSEQ ...)` is still sent for
    /// each message whose MODSEQ changed, RFC 7162 §3.1.3).
    pub silent: bool,
}

impl MailboxView {
    /// Applies this session's STORE result (mailstore's `store_flags`) and returns its untagged
    /// FETCH responses and, when messages failed UNCHANGEDSINCE, the `MODIFIED` code for the
    /// tagged OK (RFC 7162 §3.1.3: message numbers for STORE, UIDs for UID STORE).
    ///
    /// Without `.SILENT`: `* n FETCH (FLAGS (...))` for every message examined, with `UID` for
    /// UID STORE or under QRESYNC, and `MODSEQ` under CONDSTORE. With `.SILENT`: nothing, or
    /// under CONDSTORE `* n FETCH ([UID u] MODSEQ (m))` for the messages whose MODSEQ moved.
    /// Flag changes by others that are still pending stay pending when `.SILENT` (the client
    /// has not seen them) and are answered by the FETCH otherwise.
    pub fn store_result(
        &mut self,
        outcome: &mailstore::StoreOutcome,
        reply: StoreReply,
    ) -> (Vec<Response<'static>>, Option<Code<'static>>) {
        let mut out = Vec::new();
        for u in &outcome.updated {
            let Some(seq) = self.seq_of(u.uid) else {
                // Not yet announced: keep the pending copy current.
                self.note_meta(&meta_of(u));
                continue;
            };
            if self.expunged.contains(&u.uid) {
                continue;
            }
            let i = seq.get() as usize - 1;
            let moved = u.modseq > self.modseqs[i];
            if moved {
                self.modseqs[i] = u.modseq;
            }
            let p = Packed::from_store(&u.flags, &mut self.keywords);
            if p != self.packed(i) {
                self.set_packed(i, p);
            }
            if !reply.silent {
                self.flag_changes.remove(&u.uid);
                out.push(self.flags_fetch(seq.get(), reply.uid, true));
            } else if self.condstore && moved {
                out.push(self.flags_fetch(seq.get(), reply.uid, false));
            }
        }
        if self.keywords.len() > self.keywords_announced && !out.is_empty() {
            // RFC 9051 §7.3.5: the FLAGS response comes before FETCHes that use new keywords.
            let mut with_flags = Vec::with_capacity(out.len() + 1);
            self.new_keywords(&mut with_flags);
            with_flags.append(&mut out);
            out = with_flags;
        }
        let modified = self.modified_code(&outcome.modified, reply.uid);
        (out, modified)
    }

    /// The `MODIFIED` code for UIDs that failed UNCHANGEDSINCE (RFC 7162 §3.1.3), as message
    /// numbers or (for the UID form) UIDs; `None` when there are none.
    pub fn modified_code(&self, uids: &[u32], as_uids: bool) -> Option<Code<'static>> {
        let mut nums: Vec<u32> = if as_uids {
            uids.to_vec()
        } else {
            uids.iter()
                .filter_map(|&u| self.seq_of(u).map(|s| s.get()))
                .collect()
        };
        nums.sort_unstable();
        sequence_set(nums).map(Code::Modified)
    }

    /// This session's EXPUNGE, UID EXPUNGE or MOVE removed `uids` (RFC 9051 §6.4.3, RFC 6851
    /// §4.3): the untagged EXPUNGE (or VANISHED under QRESYNC) responses of the command,
    /// together with any expunges by others that were pending (the command allows them).
    pub fn expunged_by_self(&mut self, uids: &[u32]) -> Vec<Response<'static>> {
        for &u in uids {
            self.note_expunged(u);
        }
        let mut out = Vec::new();
        self.flush_expunges(&mut out);
        out
    }

    /// The responses of `SELECT/EXAMINE mailbox (QRESYNC (...))` after the usual ones
    /// (RFC 7162 §3.2.5): `* VANISHED (EARLIER) uids` for the UIDs expunged since the client's
    /// mod-sequence, limited to its known UIDs when it gave them, then
    /// `* n FETCH (UID u FLAGS (...) MODSEQ (m))` for every message changed since. `expunged`
    /// is what mailstore's `changes_since(params.mod_seq)` reports. Turns QRESYNC on.
    ///
    /// Nothing when the client's UIDVALIDITY is not the mailbox's (RFC 7162 §3.2.5.2: the
    /// remaining parameters are ignored). The `seq-match-data` is not needed: mailstore keeps
    /// every expunged UID with its MODSEQ, so the expunges are known exactly.
    pub fn qresync(&mut self, params: &QResync, expunged: &[u32]) -> Vec<Response<'static>> {
        self.enable_qresync();
        if params.uid_validity.get() != self.uid_validity {
            return Vec::new();
        }
        let mut out = self.vanished_earlier(params.known_uids.as_ref(), expunged);
        for seq in self.changed_since(&self.all(), params.mod_seq) {
            out.push(self.flags_fetch(seq, true, true));
        }
        out
    }

    /// Every message the client knows.
    fn all(&self) -> MessageSet {
        // `1:*` as UIDs never fails.
        self.resolve(&SequenceSet::all(), true).unwrap_or_default()
    }

    /// The messages of `set` whose MODSEQ is above `modseq`: what `FETCH ... (CHANGEDSINCE
    /// modseq)` answers (RFC 7162 §3.1.4.1; the session adds MODSEQ to the fetched items).
    pub fn changed_since<'s>(
        &'s self,
        set: &'s MessageSet,
        modseq: u64,
    ) -> impl Iterator<Item = u32> + 's {
        set.iter().filter(move |&seq| {
            self.modseqs
                .get(seq as usize - 1)
                .is_some_and(|&m| m > modseq)
        })
    }

    /// `* VANISHED (EARLIER) uids` for `UID FETCH set ... (CHANGEDSINCE m VANISHED)` (RFC 7162
    /// §3.2.6) and for SELECT's QRESYNC: the UIDs of `expunged` (mailstore's
    /// `changes_since(m).expunged`) within `requested` (all of them for `None`). A `*` in
    /// `requested` stands for the highest UID the mailbox ever gave (UIDNEXT − 1), so that
    /// expunged UIDs above the last remaining message are reported too. UIDs still in the
    /// view (expunged by others, not yet announced) are left out: their own VANISHED will
    /// follow at an announce point. Empty when nothing matches; long lists take several lines.
    pub fn vanished_earlier(
        &self,
        requested: Option<&SequenceSet>,
        expunged: &[u32],
    ) -> Vec<Response<'static>> {
        let largest = self.uid_next.saturating_sub(1);
        // The requested UIDs as sorted ranges, so that each test is a binary search.
        let ranges = match requested {
            None => MessageSet::from_ranges(vec![(1, u32::MAX)]),
            Some(SequenceSet::Saved) => {
                MessageSet::from_ranges(self.saved.iter().map(|&u| (u, u)).collect())
            }
            Some(SequenceSet::Ranges(rs)) => {
                MessageSet::from_ranges(rs.iter().map(|r| r.bounds(largest)).collect())
            }
        };
        let mut uids: Vec<u32> = expunged
            .iter()
            .copied()
            .filter(|&u| ranges.contains(u))
            .filter(|&u| self.uids.binary_search(&u).is_err())
            .collect();
        uids.sort_unstable();
        sequence_sets(uids, VANISHED_RANGES)
            .into_iter()
            .map(|uids| {
                Response::Data(Data::Vanished {
                    earlier: true,
                    uids,
                })
            })
            .collect()
    }
}

/// A mailstore `MessageMeta` carrying only what the view keeps of a flag update.
fn meta_of(u: &mailstore::FlagUpdate) -> mailstore::MessageMeta {
    mailstore::MessageMeta {
        uid: u.uid,
        flags: u.flags.clone(),
        size: 0,
        internal_date: std::time::UNIX_EPOCH,
        modseq: u.modseq,
        unique_id: String::new(),
    }
}
