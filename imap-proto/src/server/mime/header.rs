//! Header fields as IMAP wants them: raw values (RFC 5322 §2.2), MIME field values
//! (RFC 2045 §5.1, RFC 2183, RFC 3282), address lists (RFC 5322 §3.4) into ENVELOPE addresses
//! (RFC 9051 §7.5.2), and the HEADER.FIELDS filter (RFC 9051 §6.4.5). MIME encoded-words are
//! never decoded: ENVELOPE and BODYSTRUCTURE carry them as they are.

use super::{AddressFields, Bytes};

/// One header field of a header block: its name and its raw value (after the colon, folding
/// kept), and where the whole field (name to its last CRLF) lies in the block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field<'a> {
    /// The field name, as written.
    pub name: &'a [u8],
    /// The value after the colon, up to (not including) the field's final line end.
    pub value: &'a [u8],
    /// The whole field, with its final line end.
    pub raw: &'a [u8],
}

/// The header fields of `block` (a header up to and including its empty line, or without it),
/// in order. A line without a colon ends nothing: it is skipped, as Dovecot and mail-parser do.
pub fn fields(block: &[u8]) -> impl Iterator<Item = Field<'_>> {
    let mut pos = 0;
    std::iter::from_fn(move || {
        loop {
            if pos >= block.len() {
                return None;
            }
            let start = pos;
            // Find the end of this field: a line end not followed by SP/HTAB.
            let mut end;
            let mut search = pos;
            loop {
                match memchr::memchr(b'\n', &block[search..]) {
                    None => {
                        end = block.len();
                        break;
                    }
                    Some(i) => {
                        end = search + i + 1;
                        match block.get(end) {
                            Some(b' ' | b'\t') => search = end,
                            _ => break,
                        }
                    }
                }
            }
            pos = end;
            let raw = &block[start..end];
            let line = trim_eol(raw);
            if line.is_empty() {
                // The empty line that ends the header.
                return None;
            }
            let Some(colon) = memchr::memchr(b':', line) else {
                continue;
            };
            let name = trim_ws_end(&line[..colon]);
            if name.is_empty() || name.iter().any(|&b| b == b' ' || b == b'\t') {
                continue;
            }
            return Some(Field {
                name,
                value: &line[colon + 1..],
                raw,
            });
        }
    })
}

fn trim_eol(b: &[u8]) -> &[u8] {
    let b = b.strip_suffix(b"\n").unwrap_or(b);
    b.strip_suffix(b"\r").unwrap_or(b)
}

fn trim_ws_end(mut b: &[u8]) -> &[u8] {
    while let [rest @ .., b' ' | b'\t' | b'\r' | b'\n'] = b {
        b = rest;
    }
    b
}

fn trim_ws(mut b: &[u8]) -> &[u8] {
    while let [b' ' | b'\t' | b'\r' | b'\n', rest @ ..] = b {
        b = rest;
    }
    trim_ws_end(b)
}

/// The first field named `name` (case-insensitive) in `block`.
pub fn find<'a>(block: &'a [u8], name: &str) -> Option<Field<'a>> {
    fields(block).find(|f| f.name.eq_ignore_ascii_case(name.as_bytes()))
}

/// A field value unfolded (RFC 5322 §2.2.3: CR and LF removed, the white space kept; a TAB
/// becomes a space, as Dovecot writes it), with the white space after the colon removed: what
/// ENVELOPE's string fields hold.
pub fn unfold(value: &[u8]) -> Bytes {
    let mut v = value;
    while let [b' ' | b'\t' | b'\r' | b'\n', rest @ ..] = v {
        v = rest;
    }
    v.iter()
        .filter(|&&b| b != b'\r' && b != b'\n')
        .map(|&b| if b == b'\t' { b' ' } else { b })
        .collect::<Vec<u8>>()
        .into_boxed_slice()
}

/// `HEADER.FIELDS (names)` / `HEADER.FIELDS.NOT (names)` (RFC 9051 §6.4.5): the fields of
/// `block` whose names are (`not == false`) or are not (`not == true`) among `names`
/// (case-insensitive), in their order, followed by the empty line that ends a header.
pub fn filter_fields(block: &[u8], names: &[&[u8]], not: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(256);
    for f in fields(block) {
        let listed = names.iter().any(|n| n.eq_ignore_ascii_case(f.name));
        if listed != not {
            out.extend_from_slice(trim_eol(f.raw));
            out.extend_from_slice(b"\r\n");
        }
    }
    out.extend_from_slice(b"\r\n");
    out
}

// ---------------------------------------------------------------------------------------------
// A small RFC 5322 / RFC 2045 tokenizer

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token<'a> {
    /// An atom (RFC 5322 atext run, or an RFC 2045 token, by the caller's choice of specials).
    Atom(&'a [u8]),
    /// A quoted string, quotes and backslashes removed.
    Quoted(Vec<u8>),
    /// A domain literal `[...]`, brackets kept.
    Literal(&'a [u8]),
    /// A special character.
    Special(u8),
}

struct Lexer<'a> {
    s: &'a [u8],
    pos: usize,
    /// Which octets end an atom: the specials, and also controls and space.
    specials: &'static [bool; 256],
    /// Whether `[...]` is a domain literal (addresses).
    literals: bool,
    /// The text of the last comment skipped (RFC 5322 §3.2.2).
    comment: Option<Vec<u8>>,
}

/// A table of the octets that end an atom: `specials`, controls, space and DEL.
const fn atom_end(specials: &[u8]) -> [bool; 256] {
    let mut t = [false; 256];
    let mut i = 0;
    while i <= b' ' as usize {
        t[i] = true;
        i += 1;
    }
    t[0x7f] = true;
    let mut j = 0;
    while j < specials.len() {
        t[specials[j] as usize] = true;
        j += 1;
    }
    t
}

/// RFC 5322 §3.2.3 specials.
static ADDR_SPECIALS: [bool; 256] = atom_end(b"()<>[]:;@\\,.\"");
/// RFC 2045 §5.1 tspecials.
static MIME_SPECIALS: [bool; 256] = atom_end(b"()<>@,;:\\\"/[]?=");
/// Content-Language: list separators only.
static LANG_SPECIALS: [bool; 256] = atom_end(b"(),\"");

impl<'a> Lexer<'a> {
    fn new(s: &'a [u8], specials: &'static [bool; 256]) -> Self {
        Lexer {
            s,
            pos: 0,
            specials,
            literals: std::ptr::eq(specials, &ADDR_SPECIALS),
            comment: None,
        }
    }

    fn skip_cfws(&mut self) {
        while let Some(&b) = self.s.get(self.pos) {
            match b {
                b' ' | b'\t' | b'\r' | b'\n' => self.pos += 1,
                b'(' => {
                    let mut depth = 0usize;
                    let mut text = Vec::new();
                    while let Some(&c) = self.s.get(self.pos) {
                        self.pos += 1;
                        match c {
                            b'(' => {
                                if depth > 0 {
                                    text.push(c);
                                }
                                depth += 1;
                            }
                            b')' => {
                                depth -= 1;
                                if depth == 0 {
                                    break;
                                }
                                text.push(c);
                            }
                            b'\\' => {
                                if let Some(&n) = self.s.get(self.pos) {
                                    text.push(n);
                                    self.pos += 1;
                                }
                            }
                            b'\r' | b'\n' => {}
                            _ => text.push(c),
                        }
                    }
                    self.comment = Some(text);
                }
                _ => break,
            }
        }
    }

    fn peek(&mut self) -> Option<Token<'a>> {
        let save = self.pos;
        let t = self.next_token();
        self.pos = save;
        t
    }

    fn next_token(&mut self) -> Option<Token<'a>> {
        loop {
            self.skip_cfws();
            let &b = self.s.get(self.pos)?;
            return Some(match b {
                b'"' => {
                    self.pos += 1;
                    let mut out = Vec::new();
                    while let Some(&c) = self.s.get(self.pos) {
                        self.pos += 1;
                        match c {
                            b'"' => break,
                            b'\\' => {
                                if let Some(&n) = self.s.get(self.pos) {
                                    out.push(n);
                                    self.pos += 1;
                                }
                            }
                            b'\r' | b'\n' => {}
                            _ => out.push(c),
                        }
                    }
                    Token::Quoted(out)
                }
                b'[' if self.literals => {
                    let start = self.pos;
                    let end = memchr::memchr(b']', &self.s[start..])
                        .map_or(self.s.len(), |i| start + i + 1);
                    self.pos = end;
                    Token::Literal(&self.s[start..end])
                }
                _ if self.specials[usize::from(b)] && b > b' ' && b != 0x7f => {
                    self.pos += 1;
                    Token::Special(b)
                }
                _ => {
                    let start = self.pos;
                    while let Some(&c) = self.s.get(self.pos) {
                        if self.specials[usize::from(c)] {
                            break;
                        }
                        self.pos += 1;
                    }
                    if self.pos == start {
                        // A control character: skip it.
                        self.pos += 1;
                        continue;
                    }
                    Token::Atom(&self.s[start..self.pos])
                }
            });
        }
    }
}

// ---------------------------------------------------------------------------------------------
// MIME fields

/// A parsed `Content-Type` (RFC 2045 §5.1) or `Content-Disposition` (RFC 2183 §2): the type (and
/// subtype) as written, and the parameters with their values unquoted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MimeValue {
    /// The type (`text`), or the disposition type (`attachment`).
    pub kind: Vec<u8>,
    /// The subtype (`plain`); empty for a disposition or a type without one.
    pub subtype: Vec<u8>,
    /// `attribute=value` pairs; RFC 2231 continuations are joined into one parameter
    /// ([`join_continuations`]).
    pub params: Vec<(Bytes, Bytes)>,
}

/// Parse `type "/" subtype *(";" parameter)` (`with_subtype`) or `type *(";" parameter)`.
pub fn mime_value(value: &[u8], with_subtype: bool) -> MimeValue {
    let mut lx = Lexer::new(value, &MIME_SPECIALS);
    let mut out = MimeValue::default();
    if let Some(Token::Atom(a)) = lx.peek() {
        lx.next_token();
        out.kind = a.to_vec();
        if with_subtype && lx.peek() == Some(Token::Special(b'/')) {
            lx.next_token();
            if let Some(Token::Atom(s)) = lx.peek() {
                lx.next_token();
                out.subtype = s.to_vec();
            }
        }
    }
    // Parameters: skip to each ';', then attribute '=' value.
    loop {
        match lx.next_token() {
            None => break,
            Some(Token::Special(b';')) => {}
            Some(_) => continue,
        }
        let Some(Token::Atom(name)) = lx.peek() else {
            continue;
        };
        lx.next_token();
        if lx.peek() != Some(Token::Special(b'=')) {
            continue;
        }
        lx.next_token();
        let v: Vec<u8> = match lx.peek() {
            Some(Token::Atom(a)) => {
                lx.next_token();
                a.to_vec()
            }
            Some(Token::Quoted(q)) => {
                lx.next_token();
                q
            }
            _ => continue,
        };
        out.params.push((name.into(), v.into_boxed_slice()));
    }
    out.params = join_continuations(std::mem::take(&mut out.params));
    out
}

/// RFC 2231 §3: `name*0="a"; name*1="b"` is one parameter `name="ab"`; when a segment is
/// extended (`name*0*=utf-8''%E2...`), the joined parameter is `name*` with the segments'
/// values as written (charset and percent-encoding kept, as Dovecot sends them). Segments
/// are joined in their numeric order, at the place of the first; other parameters are kept.
pub fn join_continuations(params: Vec<(Bytes, Bytes)>) -> Vec<(Bytes, Bytes)> {
    /// `(base, n, extended)` for `base*n` / `base*n*`.
    fn segment(name: &[u8]) -> Option<(&[u8], u32, bool)> {
        let (name, extended) = match name.strip_suffix(b"*") {
            Some(n) => (n, true),
            None => (name, false),
        };
        let star = memchr::memrchr(b'*', name)?;
        let digits = &name[star + 1..];
        if digits.is_empty() || digits.len() > 4 || !digits.iter().all(u8::is_ascii_digit) {
            return None;
        }
        let n = digits
            .iter()
            .fold(0u32, |a, d| a * 10 + u32::from(d - b'0'));
        Some((&name[..star], n, extended))
    }
    if !params.iter().any(|(k, _)| segment(k).is_some()) {
        return params;
    }
    let mut out: Vec<(Bytes, Bytes)> = Vec::with_capacity(params.len());
    let mut done: Vec<Vec<u8>> = Vec::new();
    for (k, v) in &params {
        let Some((base, _, _)) = segment(k) else {
            out.push((k.clone(), v.clone()));
            continue;
        };
        let lower = base.to_ascii_lowercase();
        if done.contains(&lower) {
            continue;
        }
        let mut segs: Vec<(u32, bool, &[u8])> = params
            .iter()
            .filter_map(|(k2, v2)| {
                segment(k2)
                    .filter(|(b2, _, _)| b2.eq_ignore_ascii_case(base))
                    .map(|(_, n, e)| (n, e, &**v2))
            })
            .collect();
        segs.sort_by_key(|s| s.0);
        let extended = segs.iter().any(|s| s.1);
        let mut name = base.to_vec();
        if extended {
            name.push(b'*');
        }
        let value: Vec<u8> = segs.iter().flat_map(|s| s.2.iter().copied()).collect();
        out.push((name.into(), value.into()));
        done.push(lower);
    }
    out
}

/// `Content-Language` (RFC 3282): the language tags.
pub fn languages(value: &[u8]) -> Vec<Bytes> {
    let mut lx = Lexer::new(value, &LANG_SPECIALS);
    let mut out = Vec::new();
    while let Some(t) = lx.next_token() {
        if let Token::Atom(a) = t {
            out.push(a.into());
        }
    }
    out
}

/// `Content-ID`, `Content-Description`, `Content-Location`, `Content-MD5`: the value without
/// the white space around it.
pub fn simple(value: &[u8]) -> Bytes {
    let v = unfold(value);
    trim_ws(&v).into()
}

// ---------------------------------------------------------------------------------------------
// Addresses

/// Parse an address list (RFC 5322 §3.4: `address-list`, with groups) into ENVELOPE addresses
/// (RFC 9051 §7.5.2): a group is an address `(NIL NIL name NIL)` before its members and
/// `(NIL NIL NIL NIL)` after. Display names stay as written (encoded-words not decoded), quoted
/// strings unquoted; without a display name, a comment after the address gives the name.
pub fn address_list(value: &[u8]) -> Vec<AddressFields> {
    let mut lx = Lexer::new(value, &ADDR_SPECIALS);
    let mut out = Vec::new();
    let mut in_group = false;
    // Bound the work on hostile input: each round consumes at least one token.
    loop {
        match lx.peek() {
            None => break,
            Some(Token::Special(b',')) => {
                lx.next_token();
                continue;
            }
            Some(Token::Special(b';')) => {
                lx.next_token();
                if in_group {
                    out.push(AddressFields::default());
                    in_group = false;
                }
                continue;
            }
            _ => {}
        }
        lx.comment = None;
        // Collect words up to '<', ':', ',', ';' or the end.
        let mut words: Vec<Token<'_>> = Vec::new();
        let stop = loop {
            match lx.peek() {
                None => break None,
                Some(Token::Special(c @ (b'<' | b':' | b',' | b';'))) => break Some(c),
                Some(t) => {
                    lx.next_token();
                    words.push(t);
                    // Only a comment after the address can give its name.
                    lx.comment = None;
                }
            }
        };
        match stop {
            Some(b':') if !in_group => {
                lx.next_token();
                out.push(AddressFields {
                    mailbox: Some(phrase(&words)),
                    ..AddressFields::default()
                });
                in_group = true;
            }
            Some(b'<') => {
                lx.next_token();
                let name = if words.is_empty() {
                    None
                } else {
                    Some(phrase(&words))
                };
                // [route ":"] addr-spec ">"
                let mut inner: Vec<Token<'_>> = Vec::new();
                let mut adl: Option<Vec<Token<'_>>> = None;
                loop {
                    match lx.next_token() {
                        None | Some(Token::Special(b'>')) => break,
                        Some(Token::Special(b':')) => adl = Some(std::mem::take(&mut inner)),
                        Some(t) => inner.push(t),
                    }
                }
                let (mailbox, host) = addr_spec(&inner);
                let name = name.or_else(|| lx.comment_after());
                out.push(AddressFields {
                    name,
                    adl: adl.map(|t| concat(&t)),
                    mailbox: Some(mailbox),
                    host: Some(host),
                });
            }
            _ => {
                if stop == Some(b':') {
                    // A ':' inside a group: not valid; skip it.
                    lx.next_token();
                }
                if words.is_empty() {
                    continue;
                }
                let (mailbox, host) = addr_spec(&words);
                let name = lx.comment.take().map(|c| trim_ws(&c).into());
                out.push(AddressFields {
                    name,
                    adl: None,
                    mailbox: Some(mailbox),
                    host: Some(host),
                });
            }
        }
    }
    if in_group {
        out.push(AddressFields::default());
    }
    out
}

impl Lexer<'_> {
    /// A comment that follows the current position (`<a@b> (Name)`), if any.
    fn comment_after(&mut self) -> Option<Bytes> {
        self.comment = None;
        self.skip_cfws();
        self.comment.take().map(|c| trim_ws(&c).into())
    }
}

/// A display name: words joined by one space, a `.` (obs-phrase, `Joe Q. Public`) kept right
/// after its word.
fn phrase(words: &[Token<'_>]) -> Bytes {
    let mut out = Vec::new();
    for w in words {
        match w {
            Token::Special(c) => out.push(*c),
            Token::Atom(a) | Token::Literal(a) => {
                if !out.is_empty() {
                    out.push(b' ');
                }
                out.extend_from_slice(a);
            }
            Token::Quoted(q) => {
                if !out.is_empty() {
                    out.push(b' ');
                }
                out.extend_from_slice(q);
            }
        }
    }
    out.into_boxed_slice()
}

/// The mailbox of an address without one (`<>`): a `NIL` there would read as a group's end.
pub const MISSING_MAILBOX: &[u8] = b"MISSING_MAILBOX";
/// The host of an address without a domain (`root`): a `NIL` host marks a group in an
/// ENVELOPE (RFC 9051 §7.5.2), so an address needs one; Dovecot's placeholder, which clients
/// already know.
pub const MISSING_DOMAIN: &[u8] = b"MISSING_DOMAIN";

/// Tokens joined with nothing between them.
fn concat(words: &[Token<'_>]) -> Bytes {
    let mut out = Vec::new();
    for w in words {
        match w {
            Token::Special(c) => out.push(*c),
            Token::Atom(a) | Token::Literal(a) => out.extend_from_slice(a),
            Token::Quoted(q) => out.extend_from_slice(q),
        }
    }
    out.into_boxed_slice()
}

/// `local-part "@" domain`: the mailbox and the host, [`MISSING_MAILBOX`] and
/// [`MISSING_DOMAIN`] for those that are empty.
fn addr_spec(words: &[Token<'_>]) -> (Bytes, Bytes) {
    let (mailbox, host) = match words.iter().rposition(|t| *t == Token::Special(b'@')) {
        Some(at) => (concat(&words[..at]), concat(&words[at + 1..])),
        None => (concat(words), Bytes::default()),
    };
    let or = |b: Bytes, missing: &[u8]| if b.is_empty() { missing.into() } else { b };
    (or(mailbox, MISSING_MAILBOX), or(host, MISSING_DOMAIN))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn a(name: Option<&str>, mailbox: Option<&str>, host: Option<&str>) -> AddressFields {
        let b = |s: Option<&str>| s.map(|s| s.as_bytes().into());
        AddressFields {
            name: b(name),
            adl: None,
            mailbox: b(mailbox),
            host: b(host),
        }
    }

    #[test]
    fn address_lists() {
        let cases: Vec<(&str, Vec<AddressFields>)> = vec![
            ("a@b.c", vec![a(None, Some("a"), Some("b.c"))]),
            (
                " \"Joe Q. Public\" <john.q.public@example.com>",
                vec![a(
                    Some("Joe Q. Public"),
                    Some("john.q.public"),
                    Some("example.com"),
                )],
            ),
            (
                "Mary Smith <mary@x.test>, jdoe@example.org, Who? <one@y.test>",
                vec![
                    a(Some("Mary Smith"), Some("mary"), Some("x.test")),
                    a(None, Some("jdoe"), Some("example.org")),
                    a(Some("Who?"), Some("one"), Some("y.test")),
                ],
            ),
            (
                "A Group:Ed Jones <c@a.test>,joe@where.test;",
                vec![
                    a(None, Some("A Group"), None),
                    a(Some("Ed Jones"), Some("c"), Some("a.test")),
                    a(None, Some("joe"), Some("where.test")),
                    a(None, None, None),
                ],
            ),
            (
                "undisclosed-recipients:;",
                vec![
                    a(None, Some("undisclosed-recipients"), None),
                    a(None, None, None),
                ],
            ),
            (
                "=?utf-8?q?J=C3=B6rg?= <j@x.test>",
                vec![a(Some("=?utf-8?q?J=C3=B6rg?="), Some("j"), Some("x.test"))],
            ),
            (
                "pete(his account)@silly.test (Pete)",
                vec![a(Some("Pete"), Some("pete"), Some("silly.test"))],
            ),
            ("root", vec![a(None, Some("root"), Some("MISSING_DOMAIN"))]),
            (
                "<>, Joe Q. Public <j@x>, (before) p@x",
                vec![
                    a(None, Some("MISSING_MAILBOX"), Some("MISSING_DOMAIN")),
                    a(Some("Joe Q. Public"), Some("j"), Some("x")),
                    a(None, Some("p"), Some("x")),
                ],
            ),
            ("", vec![]),
        ];
        for (input, want) in cases {
            assert_eq!(address_list(input.as_bytes()), want, "{input}");
        }
    }

    #[test]
    fn mime_values() {
        let v = mime_value(b" text/plain; charset=\"utf-8\"; format=flowed (c)", true);
        assert_eq!(v.kind, b"text");
        assert_eq!(v.subtype, b"plain");
        assert_eq!(
            v.params,
            vec![
                (b"charset"[..].into(), b"utf-8"[..].into()),
                (b"format"[..].into(), b"flowed"[..].into())
            ]
        );
        let d = mime_value(b"attachment;\r\n filename=\"a b.pdf\"", false);
        assert_eq!(d.kind, b"attachment");
        assert_eq!(
            d.params,
            vec![(b"filename"[..].into(), b"a b.pdf"[..].into())]
        );
        assert_eq!(
            languages(b" en, de-CH (Swiss)"),
            vec![b"en"[..].into(), b"de-CH"[..].into()]
        );
    }

    #[test]
    fn header_fields_and_filter() {
        let h = b"Subject: hi\r\n there\r\nFrom: a@b\r\nX: 1\r\n\r\n";
        let f: Vec<_> = fields(h).map(|f| (f.name, f.value)).collect();
        assert_eq!(
            f,
            vec![
                (&b"Subject"[..], &b" hi\r\n there"[..]),
                (b"From", b" a@b"),
                (b"X", b" 1")
            ]
        );
        assert_eq!(&*unfold(b" hi\r\n there"), b"hi there");
        assert_eq!(
            filter_fields(h, &[b"from", b"x"], false),
            b"From: a@b\r\nX: 1\r\n\r\n"
        );
        assert_eq!(
            filter_fields(h, &[b"from", b"x"], true),
            b"Subject: hi\r\n there\r\n\r\n"
        );
    }
}
