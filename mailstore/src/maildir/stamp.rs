//! The Maildir folder's sync stamp: the directories' mtimes as the index last accounted for
//! them (see the module comment of `folder` for when they are trusted).

/// A directory stamp is trusted only if taken this long after the directory's mtime.
pub(super) const RACY_NS: i128 = 2_000_000_000;
/// How long the directories go unread under stamps left by our own changes (see the module
/// comment in `folder`): the longest that a change by another program racing with ours can stay unseen.
pub(super) const OWN_NS: i128 = 1_000_000_000;
/// The index's record of the directories' mtimes and when they were taken.
///
/// Written as `new,cur,at` after reading the directories (`at`: when that began), or
/// `new,cur,at,own` after our own change (`at`: when the directories were last verified); an
/// older reader ignores the fourth field, and never trusts such a stamp (its `at` is before the
/// mtimes).
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
pub(super) struct Stamp {
    pub new: i128,
    pub cur: i128,
    pub at: i128,
    pub own: bool,
}

impl Stamp {
    pub fn parse(s: &str) -> Option<Stamp> {
        let mut it = s.split(',');
        let mut num = || it.next()?.parse::<i128>().ok();
        let (new, cur, at) = (num()?, num()?, num()?);
        let own = match it.next() {
            None => false,
            Some("own") => true,
            Some(_) => return None,
        };
        Some(Stamp { new, cur, at, own })
    }
    pub fn format(self) -> String {
        let own = if self.own { ",own" } else { "" };
        format!("{},{},{}{own}", self.new, self.cur, self.at)
    }
    /// A stamp from a read of the directories that a later change cannot hide behind.
    pub fn trusted(self) -> bool {
        !self.own && self.at >= self.new.max(self.cur) + RACY_NS
    }
    /// Whether the directories, at mtimes `new` and `cur` at time `now`, need not be read.
    pub fn fresh(self, new: i128, cur: i128, now: i128) -> bool {
        self.new == new && self.cur == cur && (self.trusted() || self.own && now < self.at + OWN_NS)
    }
    /// When the directories, at mtimes `new` and `cur` at time `now`, were last verified, if the
    /// index is in sync with them and a stamp after our own change may build on this one.
    pub fn verified(self, new: i128, cur: i128, now: i128) -> Option<i128> {
        if self.new != new || self.cur != cur {
            None
        } else if self.trusted() {
            Some(now)
        } else {
            (now < self.at + OWN_NS).then_some(self.at)
        }
    }
}

/// The directories' mtimes just before our own change, and when they were last verified.
pub(super) struct Before {
    pub new: i128,
    pub cur: i128,
    pub verified: i128,
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: i128 = 1_000_000_000;

    #[test]
    fn format_round_trip_and_old_format() {
        for own in [false, true] {
            let s = Stamp {
                new: 5,
                cur: 7,
                at: 9,
                own,
            };
            assert_eq!(Stamp::parse(&s.format()), Some(s));
        }
        assert_eq!(Stamp::parse("1,2,3").map(|s| s.own), Some(false));
        assert_eq!(Stamp::parse("1,2,3,x"), None);
        assert_eq!(Stamp::parse(""), None);
    }

    #[test]
    fn scanned_stamps_are_trusted_after_the_racy_window() {
        let racy = Stamp {
            new: 100 * S,
            cur: 99 * S,
            at: 101 * S,
            own: false,
        };
        assert!(!racy.fresh(100 * S, 99 * S, 101 * S));
        let settled = Stamp {
            at: 102 * S,
            ..racy
        };
        assert!(settled.fresh(100 * S, 99 * S, 500 * S));
        assert!(!settled.fresh(100 * S + 1, 99 * S, 500 * S), "mtime moved");
        // A trusted stamp verifies the directories as of now; a racy one as of its reading,
        // and only for OWN_NS.
        assert_eq!(settled.verified(100 * S, 99 * S, 500 * S), Some(500 * S));
        assert_eq!(racy.verified(100 * S, 99 * S, 101 * S + 1), Some(101 * S));
        assert_eq!(racy.verified(100 * S, 99 * S, 101 * S + OWN_NS), None);
        assert_eq!(racy.verified(100 * S, 98 * S, 101 * S), None);
    }

    #[test]
    fn own_stamps_expire_and_are_never_trusted() {
        let own = Stamp {
            new: 100 * S,
            cur: 100 * S,
            at: 90 * S,
            own: true,
        };
        assert!(!own.trusted());
        assert!(
            !own.fresh(100 * S, 100 * S, 95 * S),
            "older than OWN_NS since verified"
        );
        let own = Stamp { at: 100 * S, ..own };
        assert!(own.fresh(100 * S, 100 * S, 100 * S + OWN_NS - 1));
        assert!(!own.fresh(100 * S, 100 * S, 100 * S + OWN_NS));
        assert_eq!(own.verified(100 * S, 100 * S, 100 * S + 5), Some(100 * S));
        assert_eq!(own.verified(100 * S, 100 * S, 100 * S + OWN_NS), None);
    }
}
