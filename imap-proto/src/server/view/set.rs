//! Sequence sets resolved against the view (RFC 9051 §6.4.8 for UIDs, RFC 5182 for `$`), and
//! sorted UIDs written back as compact sequence sets (VANISHED, MODIFIED, COPYUID).

use std::num::NonZeroU32;

use super::{MailboxView, ViewError};
use crate::token::{SeqNo, SeqRange, SequenceSet};

/// Messages of the view named by a sequence set: message numbers as ascending, disjoint,
/// non-adjacent inclusive ranges. `1:*` of a 100,000-message mailbox is one range.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MessageSet {
    ranges: Vec<(u32, u32)>,
}

impl MessageSet {
    /// Sorts and merges ranges of message numbers.
    pub(crate) fn from_ranges(mut ranges: Vec<(u32, u32)>) -> MessageSet {
        ranges.sort_unstable();
        let mut out: Vec<(u32, u32)> = Vec::with_capacity(ranges.len());
        for (lo, hi) in ranges {
            match out.last_mut() {
                Some(last) if lo <= last.1.saturating_add(1) => last.1 = last.1.max(hi),
                _ => out.push((lo, hi)),
            }
        }
        MessageSet { ranges: out }
    }

    /// The message numbers, ascending.
    pub fn iter(&self) -> impl Iterator<Item = u32> + '_ {
        self.ranges.iter().flat_map(|&(lo, hi)| lo..=hi)
    }

    /// The inclusive ranges of message numbers, ascending.
    pub fn ranges(&self) -> &[(u32, u32)] {
        &self.ranges
    }

    /// How many messages.
    pub fn len(&self) -> usize {
        self.ranges
            .iter()
            .map(|&(lo, hi)| (hi - lo) as usize + 1)
            .sum()
    }

    /// Whether no message is named (a UID set naming no existing UID, RFC 9051 §6.4.8).
    pub fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }

    /// Whether message number `seq` is in the set.
    pub fn contains(&self, seq: u32) -> bool {
        let i = self.ranges.partition_point(|&(_, hi)| hi < seq);
        self.ranges.get(i).is_some_and(|&(lo, _)| lo <= seq)
    }
}

impl MailboxView {
    /// The messages `set` names, as message numbers (`uid == false`) or as UIDs (`uid == true`,
    /// the `UID` command forms), against what the client has been told (messages whose EXISTS
    /// is still pending are not named; messages expunged by others but not yet announced are).
    ///
    /// - Message numbers (RFC 9051 §6.4 and §9 `seq-number`): a number above the message count,
    ///   or any number or `*` in an empty mailbox, is [`ViewError::NoSuchMessage`] (the session
    ///   answers `BAD`).
    /// - UIDs (RFC 9051 §6.4.8): `*` is the highest UID, so `n:*` includes it even when `n` is
    ///   larger; UIDs that name no message are ignored (possibly giving an empty set).
    /// - `$` (RFC 5182 §2.1): the saved search result ([`MailboxView::save_search`]), less the
    ///   messages expunged since.
    pub fn resolve(&self, set: &SequenceSet, uid: bool) -> Result<MessageSet, ViewError> {
        let ranges = match set {
            SequenceSet::Saved => {
                let mut out = Vec::with_capacity(self.saved.len());
                for &u in &self.saved {
                    if let Some(seq) = self.seq_of(u) {
                        out.push((seq.get(), seq.get()));
                    }
                }
                out
            }
            SequenceSet::Ranges(rs) if uid => {
                let Some(&largest) = self.uids.last() else {
                    return Ok(MessageSet::default());
                };
                let mut out = Vec::with_capacity(rs.len());
                for r in rs {
                    let (a, b) = r.bounds(largest);
                    let lo = self.uids.partition_point(|&u| u < a);
                    let hi = self.uids.partition_point(|&u| u <= b);
                    if lo < hi {
                        out.push((lo as u32 + 1, hi as u32));
                    }
                }
                out
            }
            SequenceSet::Ranges(rs) => {
                let exists = self.exists();
                let mut out = Vec::with_capacity(rs.len());
                for r in rs {
                    let (a, b) = r.bounds(exists);
                    if a == 0 || b > exists {
                        return Err(ViewError::NoSuchMessage {
                            seq: if a == 0 { 0 } else { b },
                            exists,
                        });
                    }
                    out.push((a, b));
                }
                out
            }
        };
        Ok(MessageSet::from_ranges(ranges))
    }

    /// The UIDs of `set` as a mailstore [`mailstore::UidSet`], one range per run of message
    /// numbers (UIDs between two neighbours in the view name no other message the client knows:
    /// UIDs only grow).
    pub fn uid_set(&self, set: &MessageSet) -> mailstore::UidSet {
        let mut out = mailstore::UidSet::new();
        for &(lo, hi) in set.ranges() {
            if let (Some(a), Some(b)) = (self.uid(lo), self.uid(hi)) {
                out.push_range(a, b);
            }
        }
        out
    }

    /// The UIDs of `set`, ascending.
    pub fn uids_of<'s>(&'s self, set: &'s MessageSet) -> impl Iterator<Item = u32> + 's {
        set.iter().filter_map(|seq| self.uid(seq))
    }
}

/// Ascending numbers as a compact `sequence-set` (`1:3,7,9:12`); `None` when there are none.
/// Numbers out of order or repeated are accepted (each starts a new range or is skipped).
pub fn sequence_set(sorted: impl IntoIterator<Item = u32>) -> Option<SequenceSet> {
    let mut ranges: Vec<SeqRange> = Vec::new();
    let mut run: Option<(u32, u32)> = None;
    let push = |ranges: &mut Vec<SeqRange>, (a, b): (u32, u32)| {
        let (Some(a), Some(b)) = (NonZeroU32::new(a), NonZeroU32::new(b)) else {
            return;
        };
        ranges.push(if a == b {
            SeqRange::Single(SeqNo::Value(a))
        } else {
            SeqRange::Range(SeqNo::Value(a), SeqNo::Value(b))
        });
    };
    for n in sorted {
        run = match run {
            Some((a, b)) if n == b => Some((a, b)),
            Some((a, b)) if Some(n) == b.checked_add(1) => Some((a, n)),
            Some(r) => {
                push(&mut ranges, r);
                Some((n, n))
            }
            None => Some((n, n)),
        };
    }
    if let Some(r) = run {
        push(&mut ranges, r);
    }
    (!ranges.is_empty()).then_some(SequenceSet::Ranges(ranges))
}

/// [`sequence_set`] cut into sets of at most `max_ranges` ranges each, so that one response
/// line stays short (a `VANISHED` of a large expunge).
pub fn sequence_sets(sorted: impl IntoIterator<Item = u32>, max_ranges: usize) -> Vec<SequenceSet> {
    let Some(SequenceSet::Ranges(all)) = sequence_set(sorted) else {
        return Vec::new();
    };
    all.chunks(max_ranges.max(1))
        .map(|c| SequenceSet::Ranges(c.to_vec()))
        .collect()
}
