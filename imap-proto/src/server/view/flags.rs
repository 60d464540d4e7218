//! Compact per-message flags (RFC 9051 §2.3.2): the five system flags and the first
//! [`INLINE_KEYWORDS`] keywords of the mailbox as bits of one `u32`; keywords beyond those live in
//! a side table of the few messages that carry them. Keyword names are interned once per
//! mailbox ([`Keywords`]), compared without regard to ASCII case as RFC 9051 §2.3.2 says
//! ("keywords ... are not case-sensitive"), and written with the first spelling seen.

use std::collections::HashMap;

use crate::token::{Atom, Flag};

/// `\Seen`.
pub(crate) const SEEN: u32 = 1 << 0;
/// `\Answered`.
pub(crate) const ANSWERED: u32 = 1 << 1;
/// `\Flagged`.
pub(crate) const FLAGGED: u32 = 1 << 2;
/// `\Deleted`.
pub(crate) const DELETED: u32 = 1 << 3;
/// `\Draft`.
pub(crate) const DRAFT: u32 = 1 << 4;
/// The system flags, in the order they are written.
const SYSTEM: [(u32, Flag<'static>); 5] = [
    (SEEN, Flag::Seen),
    (ANSWERED, Flag::Answered),
    (FLAGGED, Flag::Flagged),
    (DELETED, Flag::Deleted),
    (DRAFT, Flag::Draft),
];
/// The first keyword bit.
const KEYWORD_SHIFT: u32 = 5;
/// How many keywords a message carries inline (bits 5..=30).
pub const INLINE_KEYWORDS: u32 = 26;
/// Bit 31: the message has keywords beyond the inline ones, in the side table.
pub(crate) const OVERFLOW: u32 = 1 << 31;

/// The keywords of one mailbox, interned: id ↔ name.
#[derive(Debug, Default, Clone)]
pub(crate) struct Keywords {
    /// Names by id, as first seen.
    names: Vec<Atom<'static>>,
    /// Id by ASCII-lower-case name.
    ids: HashMap<Box<str>, u32>,
}

impl Keywords {
    /// The id of `name`, interned on first use.
    pub(crate) fn intern(&mut self, name: &str) -> Option<u32> {
        let key = name.to_ascii_lowercase();
        if let Some(&id) = self.ids.get(key.as_str()) {
            return Some(id);
        }
        // mailstore keywords are atoms already; anything else cannot be written back.
        let atom = Atom::new(name.to_string()).ok()?;
        let id = u32::try_from(self.names.len()).ok()?;
        self.names.push(atom);
        self.ids.insert(key.into_boxed_str(), id);
        Some(id)
    }

    /// The keyword with this id.
    pub(crate) fn name(&self, id: u32) -> &Atom<'static> {
        &self.names[id as usize]
    }

    /// How many keywords the mailbox has used.
    pub(crate) fn len(&self) -> usize {
        self.names.len()
    }

    /// Every keyword, in id order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &Atom<'static>> {
        self.names.iter()
    }

    /// Heap octets held (names and index), for [`super::MailboxView::heap_size`].
    pub(crate) fn heap_size(&self) -> usize {
        let names: usize = self.names.iter().map(|a| a.as_str().len()).sum();
        self.names.capacity() * std::mem::size_of::<Atom<'static>>()
            + 2 * names
            + self.ids.capacity() * (std::mem::size_of::<(Box<str>, u32)>() + 1)
    }
}

/// A message's flags in compact form: the bits, and the overflow keyword ids when
/// [`OVERFLOW`] is set.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Packed {
    /// System flags, inline keywords and [`OVERFLOW`].
    pub(crate) bits: u32,
    /// Keyword ids ≥ [`INLINE_KEYWORDS`], ascending (empty unless [`OVERFLOW`]).
    pub(crate) extra: Vec<u32>,
}

impl Packed {
    /// Packs mailstore flags, interning keywords.
    pub(crate) fn from_store(flags: &mailstore::Flags, kw: &mut Keywords) -> Packed {
        let mut p = Packed::default();
        for f in flags {
            match f {
                mailstore::Flag::Seen => p.bits |= SEEN,
                mailstore::Flag::Answered => p.bits |= ANSWERED,
                mailstore::Flag::Flagged => p.bits |= FLAGGED,
                mailstore::Flag::Deleted => p.bits |= DELETED,
                mailstore::Flag::Draft => p.bits |= DRAFT,
                mailstore::Flag::Keyword(k) => {
                    if let Some(id) = kw.intern(k) {
                        p.add_keyword(id);
                    }
                }
            }
        }
        p.extra.sort_unstable();
        p.extra.dedup();
        p
    }

    /// Packs mailstore's compact flags ([`mailstore::MessageFlags`]: the system flags as bits
    /// in the order of [`mailstore::SYSTEM_FLAGS`], which is this module's), interning keywords.
    pub(crate) fn from_compact(system: u8, keywords: &[String], kw: &mut Keywords) -> Packed {
        let mut p = Packed {
            bits: u32::from(system) & (SEEN | ANSWERED | FLAGGED | DELETED | DRAFT),
            extra: Vec::new(),
        };
        for k in keywords {
            if let Some(id) = kw.intern(k) {
                p.add_keyword(id);
            }
        }
        if !p.extra.is_empty() {
            p.extra.sort_unstable();
            p.extra.dedup();
        }
        p
    }

    fn add_keyword(&mut self, id: u32) {
        if id < INLINE_KEYWORDS {
            self.bits |= 1 << (KEYWORD_SHIFT + id);
        } else {
            self.bits |= OVERFLOW;
            self.extra.push(id);
        }
    }

    /// The flags as IMAP writes them: system flags first, then keywords by id (borrowed from
    /// the table: no allocation per keyword).
    pub(crate) fn to_flags<'k>(&self, kw: &'k Keywords) -> Vec<Flag<'k>> {
        let mut out = Vec::with_capacity(self.bits.count_ones() as usize + self.extra.len());
        for (bit, f) in &SYSTEM {
            if self.bits & bit != 0 {
                out.push(f.clone());
            }
        }
        let mut inline = (self.bits >> KEYWORD_SHIFT) & ((1 << INLINE_KEYWORDS) - 1);
        while inline != 0 {
            let id = inline.trailing_zeros();
            inline &= inline - 1;
            out.push(Flag::Keyword(Atom::from_parsed(kw.name(id).as_str())));
        }
        for &id in &self.extra {
            out.push(Flag::Keyword(Atom::from_parsed(kw.name(id).as_str())));
        }
        out
    }
}

/// The system flags a message may carry, and the mailbox's keywords: the `FLAGS` response
/// (RFC 9051 §7.3.5).
pub(crate) fn mailbox_flags(kw: &Keywords) -> Vec<Flag<'static>> {
    SYSTEM
        .iter()
        .map(|(_, f)| f.clone())
        .chain(kw.iter().map(|a| Flag::Keyword(a.clone())))
        .collect()
}

/// Whether an owned list of flags carries `\Deleted`.
pub(crate) fn has_deleted(bits: u32) -> bool {
    bits & DELETED != 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store_flags(names: &[&str]) -> mailstore::Flags {
        names
            .iter()
            .map(|n| mailstore::Flag::parse(n).expect("flag"))
            .collect()
    }

    #[test]
    fn system_flags_and_keywords_round_trip() {
        let mut kw = Keywords::default();
        let f = store_flags(&["\\Seen", "\\Draft", "$Forwarded", "NonJunk"]);
        let p = Packed::from_store(&f, &mut kw);
        let names: Vec<String> = p.to_flags(&kw).iter().map(|f| f.as_str().into()).collect();
        assert_eq!(names, ["\\Seen", "\\Draft", "$Forwarded", "NonJunk"]);
        assert_eq!(p.extra, Vec::<u32>::new());
        assert_eq!(p.bits & OVERFLOW, 0);
    }

    #[test]
    fn keywords_intern_case_insensitively_keeping_first_spelling() {
        let mut kw = Keywords::default();
        let a = Packed::from_store(&store_flags(&["$Junk"]), &mut kw);
        let b = Packed::from_store(&store_flags(&["$JUNK"]), &mut kw);
        assert_eq!(a, b);
        assert_eq!(kw.len(), 1);
        assert_eq!(b.to_flags(&kw)[0].as_str(), "$Junk");
    }

    #[test]
    fn keywords_past_the_inline_bits_overflow_into_the_side_list() {
        let mut kw = Keywords::default();
        let names: Vec<String> = (0..40).map(|i| format!("k{i}")).collect();
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        // Intern in order so that ids follow the names.
        for n in &refs {
            kw.intern(n);
        }
        let p = Packed::from_store(&store_flags(&refs), &mut kw);
        assert_ne!(p.bits & OVERFLOW, 0);
        assert_eq!(p.extra.len(), 40 - INLINE_KEYWORDS as usize);
        let back: Vec<String> = p.to_flags(&kw).iter().map(|f| f.as_str().into()).collect();
        assert_eq!(back, names);
    }

    #[test]
    fn mailbox_flags_lists_system_flags_then_keywords() {
        let mut kw = Keywords::default();
        kw.intern("$MDNSent");
        let all: Vec<String> = mailbox_flags(&kw)
            .iter()
            .map(|f| f.as_str().into())
            .collect();
        assert_eq!(
            all,
            [
                "\\Seen",
                "\\Answered",
                "\\Flagged",
                "\\Deleted",
                "\\Draft",
                "$MDNSent"
            ]
        );
    }
}
