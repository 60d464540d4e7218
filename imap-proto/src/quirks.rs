//! Deviations of real peers that the codec accepts by default, without feature flags.
//!
//! A parser that refuses what deployed clients and servers send is of no use to the people who
//! run it, and a dozen opt-in features are a dozen ways to get it wrong. Every deviation below is
//! accepted always; each has a test (the module's tests replay one input per row, and the
//! command and response test suites check the values). What we **write** is always strict
//! RFC 9051 / RFC 3501 syntax.
//!
//! # Clients (commands, parsed by a server)
//!
//! | # | Deviation | Accepted as | Where it comes from |
//! |---|-----------|-------------|---------------------|
//! | C1 | Command names and keywords in any case: `a001 login`, `UID fetch`, `body[header]`, `+flags \deleted` | the same command | RFC 3501 §8 sample session writes them lower-case; RFC 9051 §9 makes them case-insensitive, but some parsers are not |
//! | C2 | Spaces before CRLF and before `)` | ignored | the issue; hand-written scripts and `telnet` users, some mobile clients after a FETCH item list |
//! | C3 | `CHANGEDSINCE 0` and mod-sequence 0 in `QRESYNC` | 0 ("everything") | the issue; clients that have no mod-sequence yet send 0 (RFC 7162 requires ≥ 1) |
//! | C4 | A raw `&` in a mailbox name (`"R&D"`) | the name as UTF-8 when it is not valid modified UTF-7 ([`crate::token::Mailbox::name`]) | the issue; clients that assume UTF8=ACCEPT semantics without enabling it |
//! | C5 | 8-bit (UTF-8) octets in quoted strings from an IMAP4rev1 client | kept as sent | RFC 9051 allows them; IMAP4rev1 clients in UTF-8 locales send them anyway |
//! | C6 | `\Recent` in STORE and APPEND flag lists | parsed ([`crate::token::Flag::Recent`]); a server ignores it | RFC 3501 §2.3.2 forbids setting it; old clients copy flags from FETCH verbatim |
//! | C7 | `BODY[]<0>` without `.length` | from the offset to the end | lenient reading of partial fetches written by hand |
//! | C8 | `{n-}` literal announcement | non-synchronizing, like `{n+}` | not in RFC 7888 (LITERAL- also writes `{n+}`); seen from clients that misread LITERAL- |
//! | C9 | `~{n}` (literal8) in any string argument, not only APPEND | a literal that may hold NUL | lenient reading of RFC 3516 §4.1 |
//! | C10 | Bare LF line ends | as CRLF | netcat/telnet users, scripts (the family's line framer accepts them everywhere) |
//! | C11 | Empty `()` where the grammar allows a list: flag lists, LIST options, `RETURN ()` (= ALL), `USE ()`, `ID ()`, SETQUOTA | empty | RFC 4731 §3.1 (`RETURN ()`), RFC 2971 (`ID NIL` written as `()`) |
//!
//! # Servers (responses, parsed by a client)
//!
//! | # | Deviation | Accepted as | Where it comes from |
//! |---|-----------|-------------|---------------------|
//! | S1 | A status response or continuation with no text: `A1 OK`, `* OK [READ-WRITE]`, `+` without a space | empty text | RFC 9051 Appendix E item 23 makes resp-text optional; older servers omit the space too |
//! | S2 | `[` that opens no valid response code | text | servers writing `[` in human-readable text |
//! | S3 | Non-UTF-8 text in status responses | decoded lossily | servers sending Latin-1 text |
//! | S4 | Trailing spaces after a capability list (also inside `[CAPABILITY ... ]`), inside STATUS, FLAGS and FETCH lists, after `* SEARCH` / `* SORT` data | ignored | the issue; several servers write `* SEARCH ` with no results |
//! | S5 | FETCH items in any order, keywords in any case | as RFC | RFC 9051 §7.5.2 does not fix an order |
//! | S6 | Unknown FETCH items (Gmail's `X-GM-LABELS`, `X-GM-MSGID`, `X-GM-THRID`), response codes (`REFERRAL`, RFC 2221), STATUS items (`MAILBOXID`, RFC 8474), ESEARCH return data (`PARTIAL`, RFC 9394), LIST extended items | kept as raw values | Gmail; extensions newer than this codec |
//! | S7 | ENVELOPE: `()` for an empty address list, NIL in any address field | empty / NIL | servers that emit `()` for missing To/Cc |
//! | S8 | BODYSTRUCTURE: NIL type, subtype or encoding; `()` for no parameters; text part without its line count; message/rfc822 without its enclosed message; any prefix of the extension fields or more than RFC 9051 names; disposition as a bare string | read as a basic part / empty values | Exchange and other servers' abbreviated structures |
//! | S9 | Hierarchy delimiter written `""` | NIL (flat) | servers with no hierarchy |
//! | S10 | 0 for UIDVALIDITY, UIDNEXT, UNSEEN and in SEARCH results | 0 | servers in early states (never 0 for EXPUNGE, FETCH or UID) |
//! | S11 | `* ID ()` | an empty list | servers that write an empty parameter list instead of NIL |
//! | S12 | RFC 7377 MULTISEARCH's extra ESEARCH correlators (`MAILBOX`, `UIDVALIDITY`) | skipped | RFC 7377 servers answering an ESEARCH |
//! | S13 | Bare LF line ends | as CRLF | as C10 |

#[cfg(test)]
mod tests {
    use crate::command::Command;
    use crate::response::Response;

    /// One input per client row; each must parse whole.
    const CLIENT: &[(&str, &[u8])] = &[
        ("C1", b"a001 login fred secret\r\n"),
        ("C1", b"a2 UID fetch 1:* (flags body.peek[header])\r\n"),
        ("C1", b"a3 store 1 +flags \\deleted\r\n"),
        ("C2", b"a4 FETCH 1 (UID FLAGS ) \r\n"),
        ("C3", b"a5 UID FETCH 1:* (FLAGS) (CHANGEDSINCE 0)\r\n"),
        ("C3", b"a6 SELECT INBOX (QRESYNC (67890007 0))\r\n"),
        ("C4", b"a7 SELECT \"R&D\"\r\n"),
        ("C5", "a8 SELECT \"Entwürfe\"\r\n".as_bytes()),
        ("C6", b"a9 STORE 1 +FLAGS (\\Recent \\Seen)\r\n"),
        ("C7", b"a10 FETCH 1 BODY[]<0>\r\n"),
        ("C8", b"a11 LOGIN {4-}\r\nfred {6-}\r\nsecret\r\n"),
        ("C9", b"a12 LOGIN ~{4}\r\nfred pw\r\n"),
        ("C10", b"a13 NOOP\n"),
        ("C11", b"a14 SEARCH RETURN () ALL\r\n"),
        ("C11", b"a15 LIST () \"\" \"*\" RETURN ()\r\n"),
    ];

    /// One input per server row; each must parse whole.
    const SERVER: &[(&str, &[u8])] = &[
        ("S1", b"A1 OK\r\n"),
        ("S1", b"* OK [READ-WRITE]\r\n"),
        ("S1", b"+\r\n"),
        ("S2", b"* OK [not a code\r\n"),
        ("S3", b"* OK caf\xe9\r\n"),
        ("S4", b"* CAPABILITY IMAP4rev1 IDLE \r\n"),
        ("S4", b"* OK [CAPABILITY IMAP4rev1 IDLE ] ready\r\n"),
        ("S4", b"* SEARCH \r\n"),
        ("S4", b"* STATUS INBOX (MESSAGES 2 UIDNEXT 3 )\r\n"),
        ("S5", b"* 1 fetch (uid 7 FLAGS (\\Seen))\r\n"),
        (
            "S6",
            b"* 1 FETCH (X-GM-MSGID 1278455344230334865 UID 7)\r\n",
        ),
        ("S6", b"* OK [REFERRAL imap://a/b] go away\r\n"),
        (
            "S7",
            b"* 1 FETCH (ENVELOPE (NIL NIL () NIL NIL () NIL NIL NIL NIL))\r\n",
        ),
        (
            "S8",
            b"* 1 FETCH (BODYSTRUCTURE (\"TEXT\" \"PLAIN\" () NIL NIL \"7BIT\" 12))\r\n",
        ),
        ("S9", b"* LIST () \"\" INBOX\r\n"),
        ("S10", b"* OK [UIDVALIDITY 0] x\r\n"),
        ("S11", b"* ID ()\r\n"),
        ("S13", b"* 3 EXISTS\n"),
    ];

    #[test]
    fn every_client_deviation_parses() {
        for (row, input) in CLIENT {
            match Command::parse(input) {
                Ok((_, n)) => assert_eq!(n, input.len(), "{row}: consumed"),
                Err(e) => panic!("{row}: {:?}: {e}", String::from_utf8_lossy(input)),
            }
        }
    }

    #[test]
    fn every_server_deviation_parses() {
        for (row, input) in SERVER {
            match Response::parse(input) {
                Ok((_, n)) => assert_eq!(n, input.len(), "{row}: consumed"),
                Err(e) => panic!("{row}: {:?}: {e}", String::from_utf8_lossy(input)),
            }
        }
    }

    #[test]
    fn raw_ampersand_name_is_kept() {
        let (cmd, _) = Command::parse(b"a SELECT \"R&D\"\r\n").unwrap();
        let crate::command::CommandBody::Select { mailbox, .. } = cmd.body else {
            panic!("not a SELECT: {cmd:?}");
        };
        assert_eq!(mailbox.name(false), "R&D");
    }
}
