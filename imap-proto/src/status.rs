//! STATUS data items (RFC 9051 §6.3.11, §7.3.2 and the extensions that add items), shared by
//! the STATUS command, LIST-STATUS (RFC 5819) and the STATUS response.
//!
//! ```text
//! status-att = "MESSAGES" / "UIDNEXT" / "UIDVALIDITY" / "UNSEEN" / "DELETED" / "SIZE"
//!            / "RECENT"          ; RFC 3501 (IMAP4rev1)
//!            / "HIGHESTMODSEQ"   ; RFC 7162 (CONDSTORE)
//!            / "APPENDLIMIT"     ; RFC 7889
//! ```

use crate::cursor::{Cursor, ParseError, ParseResult};
use crate::encode::Encoder;

/// A STATUS data item name (RFC 9051 §6.3.11).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StatusItem {
    /// `MESSAGES`: the number of messages.
    Messages,
    /// `UIDNEXT`: the next UID.
    UidNext,
    /// `UIDVALIDITY`: the UID validity value.
    UidValidity,
    /// `UNSEEN`: the number of messages without `\Seen`.
    Unseen,
    /// `DELETED`: the number of messages with `\Deleted` (RFC 9051).
    Deleted,
    /// `SIZE`: the total size of the mailbox in octets (RFC 9051, RFC 8438 STATUS=SIZE).
    Size,
    /// `RECENT`: the number of messages with `\Recent` (RFC 3501 only).
    Recent,
    /// `HIGHESTMODSEQ`: the highest mod-sequence (RFC 7162 §3.1.6 CONDSTORE).
    HighestModSeq,
    /// `APPENDLIMIT`: the largest message APPEND accepts (RFC 7889 §3).
    AppendLimit,
}

impl StatusItem {
    /// Every item, in a fixed order.
    pub const ALL: [StatusItem; 9] = [
        StatusItem::Messages,
        StatusItem::UidNext,
        StatusItem::UidValidity,
        StatusItem::Unseen,
        StatusItem::Deleted,
        StatusItem::Size,
        StatusItem::Recent,
        StatusItem::HighestModSeq,
        StatusItem::AppendLimit,
    ];

    /// The item's name as written.
    pub fn as_str(self) -> &'static str {
        match self {
            StatusItem::Messages => "MESSAGES",
            StatusItem::UidNext => "UIDNEXT",
            StatusItem::UidValidity => "UIDVALIDITY",
            StatusItem::Unseen => "UNSEEN",
            StatusItem::Deleted => "DELETED",
            StatusItem::Size => "SIZE",
            StatusItem::Recent => "RECENT",
            StatusItem::HighestModSeq => "HIGHESTMODSEQ",
            StatusItem::AppendLimit => "APPENDLIMIT",
        }
    }

    /// The item named `name` (case-insensitive).
    pub fn from_name(name: &[u8]) -> Option<Self> {
        StatusItem::ALL
            .into_iter()
            .find(|i| i.as_str().as_bytes().eq_ignore_ascii_case(name))
    }

    /// Parse a `status-att` name.
    pub fn parse(c: &mut Cursor<'_>) -> ParseResult<Self> {
        let at = c.pos();
        let name = c.atom()?;
        StatusItem::from_name(name.as_bytes()).ok_or(ParseError::Invalid {
            at,
            expected: "status-att (MESSAGES, UIDNEXT, UIDVALIDITY, UNSEEN, DELETED, SIZE, RECENT, HIGHESTMODSEQ, APPENDLIMIT)",
        })
    }

    /// Write the name.
    pub fn encode(self, e: &mut Encoder) {
        e.raw(self.as_str().as_bytes());
    }

    /// Parse `"(" status-att *(SP status-att) ")"`.
    pub fn parse_list(c: &mut Cursor<'_>) -> ParseResult<Vec<Self>> {
        c.paren_list(false, StatusItem::parse)
    }

    /// Write `"(" status-att *(SP status-att) ")"`.
    pub fn encode_list(items: &[StatusItem], e: &mut Encoder) {
        e.byte(b'(');
        for (i, it) in items.iter().enumerate() {
            if i > 0 {
                e.sp();
            }
            it.encode(e);
        }
        e.byte(b')');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for it in StatusItem::ALL {
            let mut e = Encoder::server();
            it.encode(&mut e);
            e.sp();
            let bytes = e.take();
            assert_eq!(&bytes[..bytes.len() - 1], it.as_str().as_bytes());
            assert_eq!(StatusItem::parse(&mut Cursor::new(&bytes)), Ok(it));
        }
        assert_eq!(
            StatusItem::parse(&mut Cursor::new(b"uidNext)")),
            Ok(StatusItem::UidNext)
        );
        assert!(matches!(
            StatusItem::parse(&mut Cursor::new(b"MAILBOXES ")),
            Err(ParseError::Invalid { at: 0, .. })
        ));
    }

    #[test]
    fn lists() {
        // RFC 9051 §6.3.11 example.
        let mut c = Cursor::new(b"(UIDNEXT MESSAGES)");
        let l = StatusItem::parse_list(&mut c).unwrap();
        assert_eq!(l, vec![StatusItem::UidNext, StatusItem::Messages]);
        let mut e = Encoder::server();
        StatusItem::encode_list(&l, &mut e);
        assert_eq!(e.as_bytes(), b"(UIDNEXT MESSAGES)");
        assert!(StatusItem::parse_list(&mut Cursor::new(b"()")).is_err());
        assert_eq!(
            StatusItem::parse_list(&mut Cursor::new(b"(UIDNEXT")),
            Err(ParseError::Incomplete)
        );
    }
}
