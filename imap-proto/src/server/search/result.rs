//! From the matching numbers to the response: the ESEARCH return data (RFC 4731 §3.1,
//! RFC 9051 §6.4.4, §7.3.4) and the result SAVE keeps (RFC 5182 §2.1, §2.4).

use std::num::NonZeroU32;

use crate::command::SearchReturnOption;
use crate::response::SearchReturnData;
use crate::token::{SeqNo, SeqRange, SequenceSet};

/// `numbers` (ascending, no zeros) as a sequence set with runs written as ranges
/// (`1:3,7,9:10`); `None` when there are none.
pub fn to_sequence_set(numbers: &[u32]) -> Option<SequenceSet> {
    let mut ranges = Vec::new();
    let mut i = 0;
    while i < numbers.len() {
        let start = numbers[i];
        let mut end = start;
        while i + 1 < numbers.len() && numbers[i + 1] == end.wrapping_add(1) {
            i += 1;
            end = numbers[i];
        }
        i += 1;
        let (Some(a), Some(b)) = (NonZeroU32::new(start), NonZeroU32::new(end)) else {
            continue;
        };
        ranges.push(if a == b {
            SeqRange::Single(SeqNo::Value(a))
        } else {
            SeqRange::Range(SeqNo::Value(a), SeqNo::Value(b))
        });
    }
    (!ranges.is_empty()).then_some(SequenceSet::Ranges(ranges))
}

/// The ESEARCH return data for the matching `numbers` (ascending) and the RETURN options:
/// `RETURN ()` means ALL; MIN, MAX and ALL are left out when nothing matched, COUNT never is;
/// `mod_seq` (the value RFC 7162 §3.1.5 asks for, when the keys had MODSEQ) is added when
/// something matched. SAVE adds no data.
pub fn return_data(
    options: &[SearchReturnOption],
    numbers: &[u32],
    mod_seq: Option<u64>,
) -> Vec<SearchReturnData<'static>> {
    let all_default = [SearchReturnOption::All];
    let options = if options.is_empty() {
        &all_default[..]
    } else {
        options
    };
    let has = |o| options.contains(&o);
    let mut out = Vec::new();
    if let (true, Some(&min)) = (has(SearchReturnOption::Min), numbers.first()) {
        out.push(SearchReturnData::Min(min));
    }
    if let (true, Some(&max)) = (has(SearchReturnOption::Max), numbers.last()) {
        out.push(SearchReturnData::Max(max));
    }
    if has(SearchReturnOption::All)
        && let Some(set) = to_sequence_set(numbers)
    {
        out.push(SearchReturnData::All(set));
    }
    if has(SearchReturnOption::Count) {
        out.push(SearchReturnData::Count(numbers.len() as u32));
    }
    if let (Some(m), false) = (mod_seq, numbers.is_empty()) {
        out.push(SearchReturnData::ModSeq(m));
    }
    out
}

/// What SAVE keeps of the matching `uids` (ascending) (RFC 5182 §2.4): with MIN or MAX and
/// neither ALL nor COUNT, only the lowest and/or highest; otherwise all of them.
pub fn saved_result(options: &[SearchReturnOption], uids: &[u32]) -> Vec<u32> {
    let has = |o| options.contains(&o);
    if has(SearchReturnOption::All) || has(SearchReturnOption::Count) {
        return uids.to_vec();
    }
    let (min, max) = (has(SearchReturnOption::Min), has(SearchReturnOption::Max));
    if !min && !max {
        return uids.to_vec();
    }
    let mut out = Vec::with_capacity(2);
    if let (true, Some(&f)) = (min, uids.first()) {
        out.push(f);
    }
    if let (true, Some(&l)) = (max, uids.last())
        && out.last() != Some(&l)
    {
        out.push(l);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use SearchReturnOption as O;

    fn set(numbers: &[u32]) -> String {
        let mut e = crate::Encoder::server();
        match to_sequence_set(numbers) {
            Some(s) => s.encode(&mut e),
            None => return "-".into(),
        }
        String::from_utf8(e.as_bytes().to_vec()).expect("ascii")
    }

    #[test]
    fn sequence_sets_compress_runs() {
        assert_eq!(set(&[]), "-");
        assert_eq!(set(&[5]), "5");
        assert_eq!(set(&[1, 2, 3, 7, 9, 10]), "1:3,7,9:10");
        assert_eq!(set(&[4, 6, 8]), "4,6,8");
        assert_eq!(set(&[u32::MAX - 1, u32::MAX]), "4294967294:4294967295");
    }

    #[test]
    fn esearch_return_data() {
        // RFC 4731 §3.1: `RETURN (MIN COUNT)` on 2, 10, 11 gives `MIN 2 COUNT 3`.
        assert_eq!(
            return_data(&[O::Min, O::Count], &[2, 10, 11], None),
            vec![SearchReturnData::Min(2), SearchReturnData::Count(3)]
        );
        // `RETURN ()` is ALL.
        assert_eq!(
            return_data(&[], &[2, 10, 11], None),
            vec![SearchReturnData::All(
                to_sequence_set(&[2, 10, 11]).expect("set")
            )]
        );
        // Nothing matched: only COUNT, as 0; no MODSEQ.
        assert_eq!(
            return_data(&[O::Min, O::Max, O::All, O::Count], &[], Some(9)),
            vec![SearchReturnData::Count(0)]
        );
        assert_eq!(
            return_data(&[O::Max, O::Save], &[3, 4], Some(917_162_500)),
            vec![
                SearchReturnData::Max(4),
                SearchReturnData::ModSeq(917_162_500)
            ]
        );
        assert!(return_data(&[O::Save], &[3, 4], None).is_empty());
    }

    #[test]
    fn searchres_saves_what_rfc5182_says() {
        let uids = [3, 8, 20];
        assert_eq!(saved_result(&[O::Save], &uids), vec![3, 8, 20]);
        assert_eq!(saved_result(&[O::Save, O::Min], &uids), vec![3]);
        assert_eq!(saved_result(&[O::Save, O::Max], &uids), vec![20]);
        assert_eq!(saved_result(&[O::Save, O::Min, O::Max], &uids), vec![3, 20]);
        assert_eq!(
            saved_result(&[O::Save, O::Min, O::Count], &uids),
            vec![3, 8, 20]
        );
        assert_eq!(saved_result(&[O::Save, O::Min, O::Max], &[5]), vec![5]);
        assert!(saved_result(&[O::Save, O::Min], &[]).is_empty());
    }
}
