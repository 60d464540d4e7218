//! SORT (RFC 5256 §3, RFC 5957 DISPLAYFROM/DISPLAYTO).

use std::cmp::Ordering;

use crate::command::{SortCriterion, SortKey};

use super::{MessageSummary, Needs};

/// One message to sort or thread: its numbers, metadata and header summary.
#[derive(Debug, Clone, Copy)]
pub struct SortItem<'a> {
    /// The message sequence number (the final tie-breaker, RFC 5256 §2.3).
    pub seq: u32,
    /// The UID.
    pub uid: u32,
    /// The internal date in seconds since the Unix epoch (ARRIVAL; the sent date when the
    /// Date field is missing, RFC 5256 §2.2).
    pub arrival: i64,
    /// RFC822.SIZE (SIZE).
    pub size: u64,
    /// The header summary (a default one will do when [`sort_needs`] is
    /// [`Needs::Metadata`]).
    pub summary: &'a MessageSummary,
}

impl SortItem<'_> {
    /// The sent date (RFC 5256 §2.2): the Date field, or else the internal date.
    pub fn sent_date(&self) -> i64 {
        self.summary.sent_date.unwrap_or(self.arrival)
    }
}

/// What SORT with these criteria reads of each message.
pub fn sort_needs(criteria: &[SortCriterion]) -> Needs {
    if criteria
        .iter()
        .all(|c| matches!(c.key, SortKey::Arrival | SortKey::Size))
    {
        Needs::Metadata
    } else {
        Needs::Header
    }
}

fn compare_key(key: SortKey, a: &SortItem<'_>, b: &SortItem<'_>) -> Ordering {
    let (x, y) = (a.summary, b.summary);
    match key {
        SortKey::Arrival => a.arrival.cmp(&b.arrival),
        SortKey::Size => a.size.cmp(&b.size),
        SortKey::Date => a.sent_date().cmp(&b.sent_date()),
        SortKey::Subject => x.base_subject.cmp(&y.base_subject),
        SortKey::From => x.from.cmp(&y.from),
        SortKey::To => x.to.cmp(&y.to),
        SortKey::Cc => x.cc.cmp(&y.cc),
        SortKey::DisplayFrom => x.display_from.cmp(&y.display_from),
        SortKey::DisplayTo => x.display_to.cmp(&y.display_to),
    }
}

/// Sorts `items` by `criteria` in turn (each `REVERSE` reverses its own key only), ties
/// broken by ascending sequence number (RFC 5256 §3).
pub fn sort(criteria: &[SortCriterion], items: &mut [SortItem<'_>]) {
    items.sort_by(|a, b| {
        for c in criteria {
            let o = compare_key(c.key, a, b);
            let o = if c.reverse { o.reverse() } else { o };
            if o != Ordering::Equal {
                return o;
            }
        }
        a.seq.cmp(&b.seq)
    });
}

/// Orders `items` by sent date, then sequence number (RFC 5256 §2.2, §2.3).
pub(crate) fn by_sent_date(a: &SortItem<'_>, b: &SortItem<'_>) -> Ordering {
    a.sent_date().cmp(&b.sent_date()).then(a.seq.cmp(&b.seq))
}
