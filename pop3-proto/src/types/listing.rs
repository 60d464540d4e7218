//! Message numbers, unique-ids and the listings of `STAT`, `LIST` and `UIDL` (RFC 1939 §5, §7).

use std::fmt;
use std::num::NonZeroU32;

/// A message number (RFC 1939 §3): 1-based, at most `u32::MAX`.
///
/// ```text
/// msg = 1*DIGIT   ; "1" for the first message in the maildrop; 0 is not a message number
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MsgNum(NonZeroU32);

impl MsgNum {
    /// The message number `n`, or `None` for 0.
    pub const fn new(n: u32) -> Option<Self> {
        match NonZeroU32::new(n) {
            Some(n) => Some(MsgNum(n)),
            None => None,
        }
    }

    /// The number (at least 1).
    pub const fn get(self) -> u32 {
        self.0.get()
    }

    /// The 0-based index of the message in the maildrop.
    pub fn index(self) -> usize {
        usize::try_from(self.0.get() - 1).unwrap_or(usize::MAX)
    }
}

impl fmt::Display for MsgNum {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// Why a string is not a [`Uid`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum UidError {
    /// Empty, or longer than 70 octets.
    #[error("unique-id must be 1 to 70 characters, not {len}")]
    Length {
        /// The length given.
        len: usize,
    },
    /// A byte outside `0x21..=0x7E`.
    #[error("invalid byte 0x{byte:02X} at {at} in unique-id")]
    InvalidByte {
        /// The offending byte.
        byte: u8,
        /// Its offset.
        at: usize,
    },
}

/// A unique-id listing's id (RFC 1939 §7, `UIDL`).
///
/// ```text
/// unique-id = 1*70 (%x21-7E)   ; printable ASCII, no space
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Uid<'a>(&'a str);

impl<'a> Uid<'a> {
    /// Longest unique-id (RFC 1939 §7).
    pub const MAX_LEN: usize = 70;

    /// Checks `s` against the grammar.
    pub fn new(s: &'a str) -> Result<Self, UidError> {
        Self::from_bytes(s.as_bytes()).map(|_| Uid(s))
    }

    /// Checks `b` against the grammar; the bytes are ASCII when it succeeds.
    pub fn from_bytes(b: &'a [u8]) -> Result<Self, UidError> {
        if b.is_empty() || b.len() > Self::MAX_LEN {
            return Err(UidError::Length { len: b.len() });
        }
        if let Some((at, &byte)) = b
            .iter()
            .enumerate()
            .find(|(_, c)| !(0x21..=0x7E).contains(*c))
        {
            return Err(UidError::InvalidByte { byte, at });
        }
        // All bytes are printable ASCII, hence UTF-8.
        std::str::from_utf8(b)
            .map(Uid)
            .map_err(|_| UidError::InvalidByte { byte: 0, at: 0 })
    }

    /// A unique-id the crate has already checked with [`Uid::new`].
    pub(crate) fn checked_before(s: &'a str) -> Self {
        debug_assert!(Self::new(s).is_ok(), "unchecked unique-id {s:?}");
        Uid(s)
    }

    /// The id as text.
    pub fn as_str(&self) -> &'a str {
        self.0
    }
}

impl fmt::Display for Uid<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

/// The drop listing answering `STAT` (RFC 1939 §5): `+OK nn mm`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Stat {
    /// Number of messages in the maildrop (not counting those marked as deleted).
    pub count: u32,
    /// Their total size in octets.
    pub size: u64,
}

/// One scan listing (RFC 1939 §5, `LIST`): `msg size`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ScanListing {
    /// The message number.
    pub msg: MsgNum,
    /// Its exact size in octets (as sent: CRLF line endings, before byte-stuffing).
    pub size: u64,
}

/// One unique-id listing (RFC 1939 §7, `UIDL`): `msg unique-id`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct UidListing<'a> {
    /// The message number.
    pub msg: MsgNum,
    /// Its unique-id.
    pub uid: Uid<'a>,
}
