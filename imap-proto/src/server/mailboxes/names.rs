//! Mailbox names between the wire and the store (RFC 9051 §5.1, RFC 3501 §5.1.3, RFC 6855 §3).
//!
//! On the wire a name is modified UTF-7 for IMAP4rev1 clients and UTF-8 once `UTF8=ACCEPT` (or
//! IMAP4rev2) is enabled. In the store every name is kept in modified UTF-7, as Dovecot keeps
//! Maildir++ folder names (`.Entw&APw-rfe`), so that Dovecot and this server see the same folders
//! on the same Maildir.

use std::borrow::Cow;

use crate::token::Mailbox;
use crate::utf7;

/// The store's name of a mailbox the client named: `INBOX`, or the modified UTF-7 form of the
/// name. A name that is not valid modified UTF-7 from an IMAP4rev1 client is taken as its
/// UTF-8 octets (quirk: clients that send a raw `&`); `None` when it is not UTF-8 either.
pub(crate) fn to_store(mailbox: &Mailbox<'_>, utf8: bool) -> Option<String> {
    let bytes = match mailbox {
        Mailbox::Inbox => return Some("INBOX".to_string()),
        Mailbox::Other(name) => name.as_bytes(),
    };
    let unicode: Cow<'_, str> = if utf8 {
        Cow::Borrowed(std::str::from_utf8(bytes).ok()?)
    } else {
        match utf7::decode(bytes) {
            Some(name) => name,
            None => Cow::Borrowed(std::str::from_utf8(bytes).ok()?),
        }
    };
    if unicode.eq_ignore_ascii_case("INBOX") {
        return Some("INBOX".to_string());
    }
    Some(utf7::encode(&unicode).into_owned())
}

/// The name as Unicode, from the store's modified UTF-7 (a name another program stored that is
/// not valid modified UTF-7 is shown as it is).
pub(crate) fn unicode(store_name: &str) -> Cow<'_, str> {
    utf7::decode(store_name.as_bytes()).unwrap_or(Cow::Borrowed(store_name))
}

/// The mailbox as the client is to see it: UTF-8 when `utf8`, else modified UTF-7.
pub(crate) fn to_wire(store_name: &str, utf8: bool) -> Mailbox<'static> {
    Mailbox::from_name(&unicode(store_name), utf8)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::token::{AString, IString};

    fn other(s: &str) -> Mailbox<'static> {
        Mailbox::Other(AString::from(s.to_string()))
    }

    #[test]
    fn rev1_names_are_stored_as_sent_modified_utf7() {
        assert_eq!(
            to_store(&other("Entw&APw-rfe"), false).unwrap(),
            "Entw&APw-rfe"
        );
        assert_eq!(to_store(&other("a.b"), false).unwrap(), "a.b");
        assert_eq!(to_store(&other("inbox"), false).unwrap(), "INBOX");
    }

    #[test]
    fn utf8_names_are_stored_as_modified_utf7() {
        assert_eq!(to_store(&other("Entwürfe"), true).unwrap(), "Entw&APw-rfe");
        assert_eq!(
            to_wire("Entw&APw-rfe", true).as_bytes(),
            "Entwürfe".as_bytes()
        );
        assert_eq!(to_wire("Entw&APw-rfe", false).as_bytes(), b"Entw&APw-rfe");
    }

    #[test]
    fn raw_ampersand_from_a_rev1_client_is_kept() {
        let stored = to_store(&other("Tom & Jerry"), false).unwrap();
        assert_eq!(stored, "Tom &- Jerry");
        assert_eq!(unicode(&stored), "Tom & Jerry");
    }

    #[test]
    fn non_utf8_octets_are_refused() {
        let bad = Mailbox::Other(AString::String(IString::Quoted(Cow::Owned(
            b"a\xff".to_vec(),
        ))));
        assert_eq!(to_store(&bad, true), None);
        assert_eq!(to_store(&bad, false), None);
    }
}
