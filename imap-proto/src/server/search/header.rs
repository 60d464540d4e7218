//! Header fields read from a message's raw header (RFC 5322 §2.2): the field iterator, decoded
//! values (RFC 2047 encoded-words, unfolding), first addresses, the sent date and message IDs,
//! and [`MessageSummary`], what SORT and THREAD need from each message.

use std::borrow::Cow;

use mail_parser::parsers::MessageStream;
use mail_parser::{Address, HeaderValue};

use super::fold::fold_upper;
use super::subject::base_subject;

/// The header fields of a raw message, in order, up to the empty line that ends the header:
/// `(name, value)` where the value is the raw text after the colon, folds and the final line end
/// included. Lines without a colon (not a field) are skipped; either line end (CRLF or LF).
#[derive(Debug, Clone)]
pub struct HeaderFields<'a> {
    rest: &'a [u8],
}

impl<'a> HeaderFields<'a> {
    /// The fields at the start of `raw` (a whole message or only its header).
    pub fn new(raw: &'a [u8]) -> Self {
        HeaderFields { rest: raw }
    }
}

/// The end of the line starting at `from` (after its `\n`, or the end of `b`).
fn line_end(b: &[u8], from: usize) -> usize {
    memchr::memchr(b'\n', &b[from..]).map_or(b.len(), |i| from + i + 1)
}

impl<'a> Iterator for HeaderFields<'a> {
    type Item = (&'a [u8], &'a [u8]);

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let b = self.rest;
            if b.is_empty() || b[0] == b'\n' || b.starts_with(b"\r\n") {
                self.rest = &[];
                return None;
            }
            // The field runs to a line end not followed by WSP.
            let mut end = line_end(b, 0);
            while end < b.len() && matches!(b[end], b' ' | b'\t') {
                end = line_end(b, end);
            }
            let field = &b[..end];
            self.rest = &b[end..];
            let Some(colon) = memchr::memchr(b':', field) else {
                continue;
            };
            let name = field[..colon].trim_ascii_end();
            if name.is_empty() || name.contains(&b'\n') {
                continue;
            }
            return Some((name, &field[colon + 1..]));
        }
    }
}

/// The raw header of `raw` (up to and including the empty line), or all of it without one.
pub fn header_of(raw: &[u8]) -> &[u8] {
    let mut at = 0;
    while at < raw.len() {
        if raw[at] == b'\n' {
            return &raw[..at + 1];
        }
        if raw[at..].starts_with(b"\r\n") {
            return &raw[..at + 2];
        }
        at = line_end(raw, at);
    }
    raw
}

/// A raw value ending in a line end, as mail-parser's field parsers need it.
fn terminated(value: &[u8]) -> Cow<'_, [u8]> {
    if value.ends_with(b"\n") {
        Cow::Borrowed(value)
    } else {
        let mut v = value.to_vec();
        v.extend_from_slice(b"\r\n");
        Cow::Owned(v)
    }
}

/// A header value as text: unfolded, RFC 2047 encoded-words decoded (RFC 9051 §6.4.4 searches
/// this form), other octets taken as UTF-8 (invalid sequences replaced). A one-line UTF-8
/// value without encoded-words is borrowed as it is, trimmed.
pub fn decode_text(value: &[u8]) -> Cow<'_, str> {
    let trimmed = value.trim_ascii();
    if !trimmed.contains(&b'\n')
        && memchr::memmem::find(trimmed, b"=?").is_none()
        && let Ok(s) = std::str::from_utf8(trimmed)
    {
        return Cow::Borrowed(s);
    }
    let v = terminated(value);
    match MessageStream::new(&v).parse_unstructured() {
        HeaderValue::Text(t) => Cow::Owned(t.into_owned()),
        _ => Cow::Borrowed(""),
    }
}

/// The first mailbox of an address field's value: `(display name, local part, domain)`,
/// display name decoded. `None` when the value holds no address.
pub fn first_address(value: &[u8]) -> Option<(Option<String>, String, String)> {
    let v = terminated(value);
    let HeaderValue::Address(a) = MessageStream::new(&v).parse_address() else {
        return None;
    };
    let first = match &a {
        Address::List(l) => l.first(),
        Address::Group(g) => g.iter().flat_map(|g| g.addresses.iter()).next(),
    }?;
    let addr = first.address.as_deref().unwrap_or("");
    let (local, domain) = match addr.rfind('@') {
        Some(at) => (&addr[..at], &addr[at + 1..]),
        None => (addr, ""),
    };
    if local.is_empty() && first.name.is_none() {
        return None;
    }
    let name = first
        .name
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_owned);
    Some((name, local.to_owned(), domain.to_owned()))
}

/// A Date field's value (RFC 5322 §3.3): the date as written, and the moment in UTC seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SentDate {
    /// The date in the field's own time zone (what SENTBEFORE/SENTON/SENTSINCE compare,
    /// RFC 9051 §6.4.4: "disregarding time and timezone").
    pub date: crate::token::Date,
    /// Seconds since the Unix epoch (what SORT DATE compares, RFC 5256 §2.2).
    pub timestamp: i64,
}

/// Parses a Date field's value; `None` when it is no date.
pub fn parse_date(value: &[u8]) -> Option<SentDate> {
    let text = String::from_utf8_lossy(value);
    let dt = mail_parser::DateTime::parse_rfc822(text.trim())?;
    if !dt.is_valid() {
        return None;
    }
    let date = crate::token::Date::new(dt.year, dt.month, dt.day).ok()?;
    Some(SentDate {
        date,
        timestamp: dt.to_timestamp(),
    })
}

/// The message IDs of a Message-ID, References or In-Reply-To value (RFC 5322 §3.6.4):
/// each `<id-left@id-right>` without its brackets and with whitespace and comments removed;
/// text that is no msg-id (phrases in old In-Reply-To fields) is skipped.
pub fn message_ids(value: &[u8]) -> Vec<String> {
    let mut out = Vec::new();
    let mut i = 0;
    let mut depth = 0u32;
    while i < value.len() {
        match value[i] {
            b'(' => depth += 1,
            b')' => depth = depth.saturating_sub(1),
            b'\\' if depth > 0 => i += 1,
            b'<' if depth == 0 => {
                let Some(close) = memchr::memchr(b'>', &value[i + 1..]) else {
                    break;
                };
                let inner = &value[i + 1..i + 1 + close];
                i += close + 1;
                if let Some(id) = msg_id(inner) {
                    out.push(id);
                }
            }
            _ => {}
        }
        i += 1;
    }
    out
}

/// The inside of `<...>` as a message ID: whitespace removed, one `@` with text on both sides.
fn msg_id(inner: &[u8]) -> Option<String> {
    let id: Vec<u8> = inner
        .iter()
        .copied()
        .filter(|b| !b.is_ascii_whitespace())
        .collect();
    let at = id.iter().position(|&b| b == b'@')?;
    if at == 0 || at + 1 == id.len() || id.contains(&b'<') {
        return None;
    }
    String::from_utf8(id).ok()
}

/// What SORT (RFC 5256 §3, RFC 5957) and THREAD (RFC 5256 §4) need from one message's header,
/// computed once from its raw header ([`MessageSummary::from_header`]); the folded strings are
/// ready to compare.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MessageSummary {
    /// The sent date in UTC seconds (RFC 5256 §2.2), `None` when the Date field is missing or
    /// unparsable (the internal date stands in).
    pub sent_date: Option<i64>,
    /// The base subject (RFC 5256 §2.1), case-folded.
    pub base_subject: String,
    /// Whether the subject marked a reply or forward (RFC 5256 §2.1).
    pub reply_or_forward: bool,
    /// The first From address's mailbox (local part), case-folded (SORT FROM).
    pub from: String,
    /// The first To address's mailbox, case-folded (SORT TO).
    pub to: String,
    /// The first Cc address's mailbox, case-folded (SORT CC).
    pub cc: String,
    /// The first From address's display name, or its address if none, case-folded
    /// (SORT DISPLAYFROM, RFC 5957 §3).
    pub display_from: String,
    /// Same for the first To address (SORT DISPLAYTO).
    pub display_to: String,
    /// The Message-ID (RFC 5256 §4 step 1), without brackets.
    pub message_id: Option<String>,
    /// The references: the References field's IDs, or else the first In-Reply-To ID
    /// (RFC 5256 §4 step 1A).
    pub references: Vec<String>,
}

impl MessageSummary {
    /// Reads the summary from a raw header (or a whole raw message: reading stops at the
    /// header's end). The first field of each name counts.
    pub fn from_header(raw: &[u8]) -> Self {
        let mut s = MessageSummary::default();
        let (mut date, mut subject, mut from, mut to, mut cc) = (None, None, None, None, None);
        let (mut mid, mut refs, mut irt) = (None, None, None);
        for (name, value) in HeaderFields::new(raw) {
            let slot = match name.len() {
                4 if name.eq_ignore_ascii_case(b"date") => &mut date,
                7 if name.eq_ignore_ascii_case(b"subject") => &mut subject,
                4 if name.eq_ignore_ascii_case(b"from") => &mut from,
                2 if name.eq_ignore_ascii_case(b"to") => &mut to,
                2 if name.eq_ignore_ascii_case(b"cc") => &mut cc,
                10 if name.eq_ignore_ascii_case(b"message-id") => &mut mid,
                10 if name.eq_ignore_ascii_case(b"references") => &mut refs,
                11 if name.eq_ignore_ascii_case(b"in-reply-to") => &mut irt,
                _ => continue,
            };
            if slot.is_none() {
                *slot = Some(value);
            }
        }
        s.sent_date = date.and_then(parse_date).map(|d| d.timestamp);
        if let Some(v) = subject {
            let b = base_subject(&decode_text(v));
            s.base_subject = fold_upper(&b.text);
            s.reply_or_forward = b.reply_or_forward;
        }
        let first = |v: Option<&[u8]>| v.and_then(first_address);
        let display = |a: &Option<(Option<String>, String, String)>| match a {
            Some((Some(name), _, _)) => fold_upper(name),
            Some((None, local, domain)) if domain.is_empty() => fold_upper(local),
            Some((None, local, domain)) => fold_upper(&format!("{local}@{domain}")),
            None => String::new(),
        };
        let f = first(from);
        let t = first(to);
        s.from = f.as_ref().map(|a| fold_upper(&a.1)).unwrap_or_default();
        s.to = t.as_ref().map(|a| fold_upper(&a.1)).unwrap_or_default();
        s.cc = first(cc).map(|a| fold_upper(&a.1)).unwrap_or_default();
        s.display_from = display(&f);
        s.display_to = display(&t);
        s.message_id = mid.and_then(|v| message_ids(v).into_iter().next());
        s.references = refs.map(message_ids).unwrap_or_default();
        if s.references.is_empty()
            && let Some(first) = irt.and_then(|v| message_ids(v).into_iter().next())
        {
            s.references.push(first);
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_fold_and_stop_at_the_body() {
        let raw =
            b"From: a@b.c\r\nSubject: one\r\n two\r\nX-No-Colon\r\nTo:x@y.z\n\r\nBody: no\r\n";
        let got: Vec<(&[u8], &[u8])> = HeaderFields::new(raw).collect();
        assert_eq!(
            got,
            vec![
                (&b"From"[..], &b" a@b.c\r\n"[..]),
                (&b"Subject"[..], &b" one\r\n two\r\n"[..]),
                (&b"To"[..], &b"x@y.z\n"[..]),
            ]
        );
        assert_eq!(header_of(raw).len(), raw.len() - b"Body: no\r\n".len());
        assert_eq!(header_of(b"A: b\n\nbody"), b"A: b\n\n");
        assert_eq!(header_of(b"A: b\r\n"), b"A: b\r\n");
    }

    #[test]
    fn values_decode_encoded_words_and_unfold() {
        assert_eq!(
            decode_text(b" =?UTF-8?Q?Gr=C3=BC=C3=9Fe?= aus\r\n Berlin\r\n"),
            "Grüße aus Berlin"
        );
        assert_eq!(decode_text(b" plain"), "plain");
        assert!(matches!(decode_text(b" plain\r\n"), Cow::Borrowed("plain")));
        assert_eq!(decode_text(b" one\r\n\ttwo\r\n"), "one two");
        assert_eq!(decode_text(b" caf\xc3\xa9\r\n"), "caf\u{e9}");
        assert_eq!(decode_text(b" caf\xe9\r\n"), "caf\u{fffd}");
        assert_eq!(
            decode_text(b" =?ISO-8859-1?B?SWYgeW91IGNhbiByZWFkIHRoaXMgeW8=?=\r\n"),
            "If you can read this yo"
        );
    }

    #[test]
    fn first_addresses() {
        assert_eq!(
            first_address(b" \"Doe, Jane\" <jane@example.com>, bob@example.org\r\n"),
            Some((
                Some("Doe, Jane".into()),
                "jane".into(),
                "example.com".into()
            ))
        );
        assert_eq!(
            first_address(b" bob@example.org\r\n"),
            Some((None, "bob".into(), "example.org".into()))
        );
        assert_eq!(
            first_address(b" =?UTF-8?Q?J=C3=BCrgen?= <j@x.de>\r\n"),
            Some((Some("Jürgen".into()), "j".into(), "x.de".into()))
        );
        assert_eq!(
            first_address(b" team: carol@a.b, dan@c.d;\r\n").map(|a| a.1),
            Some("carol".into())
        );
        assert_eq!(first_address(b" \r\n"), None);
    }

    #[test]
    fn dates_and_ids() {
        let d = parse_date(b" Mon, 7 Feb 1994 21:52:25 -0800\r\n").expect("a date");
        assert_eq!(d.date, crate::token::Date::new(1994, 2, 7).expect("date"));
        assert_eq!(d.timestamp, 760_686_745);
        assert_eq!(parse_date(b" yesterday\r\n"), None);
        assert_eq!(
            message_ids(b" <a@b> (comment <x@y>)\r\n <c @ d>\t<bad> phrase <e@f>\r\n"),
            vec!["a@b", "c@d", "e@f"]
        );
    }

    #[test]
    fn summary_of_a_header() {
        let s = MessageSummary::from_header(
            b"Subject: Re: [list] Hello\r\nFrom: \"Zed\" <zed@a.b>\r\nTo: amy@c.d\r\n\
              Date: Tue, 1 Mar 2022 10:00:00 +0000\r\nMessage-ID: <m1@x>\r\n\
              In-Reply-To: <m0@x>\r\nSubject: second is ignored\r\n\r\nbody",
        );
        assert_eq!(s.base_subject, "HELLO");
        assert!(s.reply_or_forward);
        assert_eq!(
            (s.from.as_str(), s.to.as_str(), s.cc.as_str()),
            ("ZED", "AMY", "")
        );
        assert_eq!(s.display_from, "ZED");
        assert_eq!(s.display_to, "AMY@C.D");
        assert_eq!(s.sent_date, Some(1_646_128_800));
        assert_eq!(s.message_id.as_deref(), Some("m1@x"));
        assert_eq!(s.references, vec!["m0@x"]);
    }
}
