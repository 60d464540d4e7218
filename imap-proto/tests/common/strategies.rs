//! Property-test strategies for the tokens that commands and responses share (the two property
//! tests include this file; each builds its messages from these).

use std::num::NonZeroU32;

use imap_proto::token::{Atom, Date, DateTime, Flag, SeqNo, SeqRange, SequenceSet};
use proptest::prelude::*;

/// A `nz-number`.
pub fn nz32() -> impl Strategy<Value = NonZeroU32> {
    (1u32..=u32::MAX).prop_map(|n| NonZeroU32::new(n).unwrap())
}

/// A `number64`: small ones often, up to the 63-bit limit.
pub fn num64() -> impl Strategy<Value = u64> {
    prop_oneof![0u64..1000, 0u64..=i64::MAX as u64]
}

/// A sequence number or `*`.
pub fn seq_no() -> impl Strategy<Value = SeqNo> {
    prop_oneof![4 => nz32().prop_map(SeqNo::Value), 1 => Just(SeqNo::Largest)]
}

/// A sequence set of numbers and ranges (not `$`).
pub fn seq_ranges() -> impl Strategy<Value = SequenceSet> {
    prop::collection::vec(
        prop_oneof![
            seq_no().prop_map(SeqRange::Single),
            (seq_no(), seq_no()).prop_map(|(a, b)| SeqRange::Range(a, b)),
        ],
        1..4,
    )
    .prop_map(SequenceSet::Ranges)
}

/// A system flag, a keyword or an extension flag (`\X-...`, no known name).
pub fn flag() -> impl Strategy<Value = Flag<'static>> {
    prop_oneof![
        Just(Flag::Seen),
        Just(Flag::Answered),
        Just(Flag::Flagged),
        Just(Flag::Deleted),
        Just(Flag::Draft),
        Just(Flag::Recent),
        "\\$?[A-Za-z][A-Za-z0-9_]{0,7}".prop_map(|s| Flag::Keyword(Atom::new(s).unwrap())),
        "X-?[A-Za-z0-9]{1,6}".prop_map(|s| Flag::Extension(Atom::new(s).unwrap())),
    ]
}

/// A flag list.
pub fn flags() -> impl Strategy<Value = Vec<Flag<'static>>> {
    prop::collection::vec(flag(), 0..5)
}

/// A section's part numbers.
pub fn part() -> impl Strategy<Value = Vec<NonZeroU32>> {
    prop::collection::vec((1u32..40).prop_map(|n| NonZeroU32::new(n).unwrap()), 0..4)
}

/// A `date`, any year of four digits.
pub fn date() -> impl Strategy<Value = Date> {
    (0u16..=9999, 1u8..=12, 1u8..=31).prop_map(|(y, m, d)| Date::new(y, m, d).unwrap())
}

/// A `date-time`, leap second and any zone included.
pub fn date_time() -> impl Strategy<Value = DateTime> {
    (date(), 0u8..24, 0u8..60, 0u8..61, -1439i16..=1439).prop_map(
        |(date, hour, minute, second, offset_minutes)| DateTime {
            date,
            hour,
            minute,
            second,
            offset_minutes,
        },
    )
}
