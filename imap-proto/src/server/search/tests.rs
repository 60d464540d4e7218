//! Table tests: every search key on a small message set, SORT criteria, THREAD cases.

use std::cell::Cell;

use super::*;
use crate::command::{Command, CommandBody, SearchKey, SortCriterion, ThreadAlgorithm};
use crate::response::Thread;
use crate::token::{Atom, Date, DateTime};

fn dt(year: u16, month: u8, day: u8, hour: u8, offset_minutes: i16) -> DateTime {
    DateTime {
        date: Date::new(year, month, day).expect("date"),
        hour,
        minute: 0,
        second: 0,
        offset_minutes,
    }
}

struct Msg {
    uid: u32,
    flags: Vec<Flag<'static>>,
    recent: bool,
    internal: DateTime,
    mod_seq: u64,
    raw: &'static [u8],
}

const M1: &[u8] = b"From: Alice Example <alice@example.com>\r\n\
To: Bob <bob@example.org>\r\n\
Cc: carol@example.net\r\n\
Subject: Lunch on Friday\r\n\
Date: Fri, 4 Mar 2022 23:30:00 -0800\r\n\
Message-ID: <m1@example.com>\r\n\
\r\n\
Shall we meet at noon? The Pizzeria is fine.\r\n";

const M2: &[u8] = b"From: =?UTF-8?Q?J=C3=BCrgen_M=C3=BCller?= <jm@example.de>\r\n\
To: alice@example.com\r\n\
Bcc: secret@example.com\r\n\
Subject: =?UTF-8?B?R3LDvMOfZSBhdXMgQmVybGlu?=\r\n\
Date: Sat, 5 Mar 2022 09:00:00 +0100\r\n\
X-Priority: 1 (Highest)\r\n\
Content-Type: text/plain; charset=iso-8859-1\r\n\
Content-Transfer-Encoding: quoted-printable\r\n\
\r\n\
Sch=F6ne Gr=FC=DFe vom Brandenburger Tor.\r\n";

const M3: &[u8] = b"From: bob@example.org\r\n\
To: alice@example.com\r\n\
Subject: Re: Lunch on Friday\r\n\
Message-ID: <m3@example.org>\r\n\
In-Reply-To: <m1@example.com>\r\n\
MIME-Version: 1.0\r\n\
Content-Type: multipart/alternative; boundary=\"b1\"\r\n\
\r\n\
--b1\r\n\
Content-Type: text/plain; charset=utf-8\r\n\
Content-Transfer-Encoding: base64\r\n\
\r\n\
WWVzLCBub29uIGlzIGdvb2Qu\r\n\
--b1\r\n\
Content-Type: text/html; charset=utf-8\r\n\
\r\n\
<p>Yes, <b>noon</b> is good. Bring the &quot;coupon&quot;.</p>\r\n\
--b1--\r\n";

const M4: &[u8] = b"From: dan@example.com\r\n\
Subject: Fwd: report\r\n\
Date: Mon, 7 Mar 2022 12:00:00 +0000\r\n\
Content-Type: multipart/mixed; boundary=\"outer\"\r\n\
\r\n\
--outer\r\n\
Content-Type: text/plain\r\n\
\r\n\
See the attached message.\r\n\
--outer\r\n\
Content-Type: message/rfc822\r\n\
\r\n\
From: eve@example.com\r\n\
Subject: quarterly numbers\r\n\
\r\n\
Revenue went up by a lot.\r\n\
--outer--\r\n";

fn messages() -> Vec<Msg> {
    vec![
        Msg {
            uid: 10,
            flags: vec![Flag::Seen, Flag::Answered],
            recent: false,
            internal: dt(2022, 3, 5, 7, 0),
            mod_seq: 5,
            raw: M1,
        },
        Msg {
            uid: 11,
            flags: vec![
                Flag::Flagged,
                Flag::Keyword(Atom::new("$Forwarded").expect("atom")),
            ],
            recent: true,
            internal: dt(2022, 3, 5, 23, 120),
            mod_seq: 9,
            raw: M2,
        },
        Msg {
            uid: 15,
            flags: vec![Flag::Seen, Flag::Deleted],
            recent: true,
            internal: dt(2022, 3, 6, 1, -300),
            mod_seq: 12,
            raw: M3,
        },
        Msg {
            uid: 20,
            flags: vec![Flag::Draft],
            recent: false,
            internal: dt(2022, 3, 7, 13, 0),
            mod_seq: 3,
            raw: M4,
        },
    ]
}

/// The criteria of `SEARCH <keys>` as the command parser gives them, and the charset.
fn parse_search(keys: &str) -> (Option<Vec<u8>>, Vec<SearchKey<'static>>) {
    let line = format!("t SEARCH {keys}\r\n");
    let (cmd, _) = Command::parse(line.as_bytes()).expect("a SEARCH command");
    match cmd.body {
        CommandBody::Search {
            charset, criteria, ..
        } => (
            charset.map(|c| c.as_bytes().to_vec()),
            criteria.into_iter().map(SearchKey::into_owned).collect(),
        ),
        other => panic!("not a SEARCH: {other:?}"),
    }
}

/// A message whose content loads are counted.
struct Counted<'a> {
    raw: &'a [u8],
    loads: &'a Cell<u32>,
}

impl MessageContent for Counted<'_> {
    type Error = std::convert::Infallible;
    fn raw_message(&mut self) -> Result<&[u8], Self::Error> {
        self.loads.set(self.loads.get() + 1);
        Ok(self.raw)
    }
}

/// The sequence numbers matching `keys`, and how many messages were read.
fn search(keys: &str, saved: &[u32]) -> (Vec<u32>, u32) {
    let msgs = messages();
    let (charset, criteria) = parse_search(keys);
    let program = SearchProgram::compile(charset.as_deref(), &criteria).expect("compiles");
    let ctx = SearchContext {
        max_seq: msgs.len() as u32,
        max_uid: 20,
        saved,
        // 2022-03-07 14:00 UTC
        now: dt(2022, 3, 7, 14, 0).unix_timestamp(),
        body_limit: DEFAULT_BODY_LIMIT,
    };
    let loads = Cell::new(0);
    let mut hits = Vec::new();
    for (i, m) in msgs.iter().enumerate() {
        let meta = MessageMeta {
            seq: i as u32 + 1,
            uid: m.uid,
            flags: &m.flags,
            recent: m.recent,
            internal_date: m.internal,
            size: m.raw.len() as u64,
            mod_seq: m.mod_seq,
        };
        let mut content = Counted {
            raw: m.raw,
            loads: &loads,
        };
        if program
            .matches(&meta, &ctx, &mut content)
            .unwrap_or_else(|e| match e {})
        {
            hits.push(meta.seq);
        }
    }
    (hits, loads.get())
}

#[test]
fn every_search_key_on_a_message_set() {
    let sizes: Vec<usize> = messages().iter().map(|m| m.raw.len()).collect();
    let larger = format!("LARGER {}", sizes[0]);
    let smaller = format!("SMALLER {}", sizes[0]);
    let window = format!("LARGER {} SMALLER {}", sizes[1] - 1, sizes[1] + 1);
    // (keys, matching sequence numbers)
    let cases: Vec<(&str, Vec<u32>)> = vec![
        ("ALL", vec![1, 2, 3, 4]),
        ("ANSWERED", vec![1]),
        ("UNANSWERED", vec![2, 3, 4]),
        ("DELETED", vec![3]),
        ("UNDELETED", vec![1, 2, 4]),
        ("DRAFT", vec![4]),
        ("UNDRAFT", vec![1, 2, 3]),
        ("FLAGGED", vec![2]),
        ("UNFLAGGED", vec![1, 3, 4]),
        ("SEEN", vec![1, 3]),
        ("UNSEEN", vec![2, 4]),
        ("KEYWORD $forwarded", vec![2]),
        ("UNKEYWORD $Forwarded", vec![1, 3, 4]),
        ("KEYWORD NonJunk", vec![]),
        ("RECENT", vec![2, 3]),
        ("OLD", vec![1, 4]),
        ("NEW", vec![2]),
        // Internal dates in their own zone: 5-Mar 07:00 +0000, 5-Mar 23:00 +0200,
        // 6-Mar 01:00 -0500, 7-Mar 13:00 +0000.
        ("BEFORE 6-Mar-2022", vec![1, 2]),
        ("ON 5-Mar-2022", vec![1, 2]),
        ("ON 6-Mar-2022", vec![3]),
        ("SINCE 6-Mar-2022", vec![3, 4]),
        // Date fields as written: 4-Mar (M1, -0800), 5-Mar (M2); M3 has none, which counts
        // as 1-Jan-1970 (as in Dovecot).
        ("SENTBEFORE 5-Mar-2022", vec![1, 3]),
        ("SENTON 1-Jan-1970", vec![3]),
        ("SENTON 5-Mar-2022", vec![2]),
        ("SENTSINCE 5-Mar-2022", vec![2, 4]),
        ("NOT SENTON 5-Mar-2022", vec![1, 3, 4]),
        (&larger, vec![2, 3, 4]),
        (&smaller, vec![]),
        (&window, vec![2]),
        ("1:2", vec![1, 2]),
        ("3:*", vec![3, 4]),
        ("*", vec![4]),
        ("2,4", vec![2, 4]),
        ("UID 11:15", vec![2, 3]),
        ("UID *", vec![4]),
        ("UID 16:*", vec![4]),
        ("$", vec![1, 4]),
        ("UID $", vec![1, 4]),
        ("MODSEQ 9", vec![2, 3]),
        ("MODSEQ \"/flags/\\\\draft\" all 4", vec![1, 2, 3]),
        // now = 7-Mar 14:00 UTC; M4 arrived 13:00 UTC, M3 6-Mar 06:00 UTC.
        ("YOUNGER 3601", vec![4]),
        ("YOUNGER 3600", vec![]),
        ("OLDER 3600", vec![1, 2, 3, 4]),
        ("OLDER 86400", vec![1, 2, 3]),
        // Header keys: substring, any case, encoded-words decoded.
        ("FROM alice", vec![1]),
        ("FROM \"ALICE EXAMPLE\"", vec![1]),
        ("FROM \"müller\"", vec![2]),
        ("FROM \"MÜLLER\"", vec![2]),
        ("TO alice@example.com", vec![2, 3]),
        ("CC carol", vec![1]),
        ("BCC secret", vec![2]),
        ("SUBJECT lunch", vec![1, 3]),
        ("SUBJECT \"re: lunch\"", vec![3]),
        ("SUBJECT \"grüße\"", vec![2]),
        ("SUBJECT \"\"", vec![1, 2, 3, 4]),
        ("HEADER X-Priority highest", vec![2]),
        ("HEADER x-priority \"\"", vec![2]),
        ("HEADER Message-ID example.org", vec![3]),
        ("HEADER In-Reply-To \"\"", vec![3]),
        // Body: transfer encodings and charsets undone, HTML as text, attached messages.
        ("BODY pizzeria", vec![1]),
        ("BODY \"schöne grüße\"", vec![2]),
        ("BODY \"noon is good\"", vec![3]),
        ("BODY \"\\\"coupon\\\"\"", vec![3]),
        ("BODY <b>", vec![]),
        ("BODY revenue", vec![4]),
        // The attached message's header is searched by TEXT only (as in Dovecot).
        ("BODY \"quarterly numbers\"", vec![]),
        ("TEXT \"quarterly numbers\"", vec![4]),
        // MIME header fields of body parts: TEXT, not BODY.
        ("TEXT rfc822", vec![4]),
        ("BODY rfc822", vec![]),
        ("TEXT base64", vec![3]),
        ("BODY base64", vec![]),
        ("BODY lunch", vec![]),
        ("TEXT lunch", vec![1, 3]),
        ("TEXT noon", vec![1, 3]),
        ("TEXT x-priority", vec![2]),
        ("TEXT eve@example.com", vec![4]),
        // Combinations.
        ("SEEN FROM bob", vec![3]),
        ("(SEEN UNDELETED)", vec![1]),
        ("NOT SEEN", vec![2, 4]),
        ("OR SEEN FLAGGED", vec![1, 2, 3]),
        ("OR DRAFT BODY pizzeria", vec![1, 4]),
        ("NOT (OR ANSWERED DELETED)", vec![2, 4]),
        (
            "OR (SEEN SUBJECT lunch) (UNSEEN BODY revenue)",
            vec![1, 3, 4],
        ),
        ("CHARSET UTF-8 SUBJECT \"grüße\"", vec![2]),
        ("CHARSET us-ascii ALL", vec![1, 2, 3, 4]),
    ];
    for (keys, want) in &cases {
        let (got, _) = search(keys, &[10, 20]);
        assert_eq!(&got, want, "SEARCH {keys}");
    }
}

#[test]
fn metadata_decides_before_anything_is_read() {
    // (keys, messages read out of 4)
    let cases: &[(&str, u32)] = &[
        ("ALL", 0),
        (
            "SEEN UNDELETED 1:* UID 1:* LARGER 1 MODSEQ 1 SINCE 1-Jan-2000",
            0,
        ),
        // Only the unseen messages (2 and 4) need their body.
        ("UNSEEN BODY x", 2),
        ("BODY x UNSEEN", 2),
        // The seen ones are decided by OR's first branch.
        ("OR SEEN BODY x", 2),
        ("NOT OR SEEN TEXT x", 2),
        ("FROM x", 4),
        ("SENTON 1-Jan-2000", 4),
        ("1 FROM x", 1),
        ("UID 10:11 BODY x", 2),
    ];
    for &(keys, want) in cases {
        let (_, loads) = search(keys, &[]);
        assert_eq!(loads, want, "messages read for SEARCH {keys}");
    }
}

#[test]
fn needs_and_flags_of_a_program() {
    let needs = |keys: &str| {
        let (c, k) = parse_search(keys);
        SearchProgram::compile(c.as_deref(), &k).expect("compiles")
    };
    assert_eq!(needs("SEEN 1:5 UID $").needs(), Needs::Metadata);
    assert_eq!(needs("SEEN SENTON 1-Jan-2000").needs(), Needs::Header);
    assert_eq!(needs("OR SUBJECT x NOT TEXT y").needs(), Needs::Body);
    assert!(needs("NOT UID $").uses_saved());
    assert!(!needs("UID 1:*").uses_saved());
    assert!(needs("OR SEEN MODSEQ 5").has_mod_seq());
    assert!(!needs("SEEN").has_mod_seq());
}

#[test]
fn charsets_and_bad_strings() {
    let (_, keys) = parse_search("ALL");
    assert_eq!(
        SearchProgram::compile(Some(b"ISO-8859-1"), &keys).map(|_| ()),
        Err(SearchError::BadCharset {
            charset: "ISO-8859-1".into()
        })
    );
    assert!(SearchProgram::compile(Some(b"utf-8"), &keys).is_ok());
    let line = b"t SEARCH BODY {2}\r\n\xff\xfe\r\n";
    let (cmd, _) = Command::parse(line).expect("parses");
    let CommandBody::Search { criteria, .. } = cmd.body else {
        panic!("not a search")
    };
    assert_eq!(
        SearchProgram::compile(None, &criteria).map(|_| ()),
        Err(SearchError::InvalidUtf8)
    );
}

#[test]
fn body_limit_bounds_the_text_searched() {
    let raw: &[u8] = b"Subject: x\r\n\r\naaaaaaaaaaaaaaaaaaaaneedle\r\n";
    let (_, keys) = parse_search("BODY needle");
    let program = SearchProgram::compile(None, &keys).expect("compiles");
    let flags = [];
    let meta = MessageMeta {
        seq: 1,
        uid: 1,
        flags: &flags,
        recent: false,
        internal_date: dt(2022, 1, 1, 0, 0),
        size: raw.len() as u64,
        mod_seq: 1,
    };
    let ctx = |limit| SearchContext {
        max_seq: 1,
        max_uid: 1,
        saved: &[],
        now: 0,
        body_limit: limit,
    };
    let found = |limit| {
        program
            .matches(&meta, &ctx(limit), &mut &raw[..])
            .unwrap_or_else(|e| match e {})
    };
    assert!(found(1000));
    assert!(found(26));
    assert!(!found(25));
    assert!(!found(0));
}

// ---------------------------------------------------------------------------------------------
// SORT and THREAD

/// A message for SORT/THREAD: header text, internal date (seconds), size.
fn summaries(headers: &[&str]) -> Vec<MessageSummary> {
    headers
        .iter()
        .map(|h| MessageSummary::from_header(h.replace('\n', "\r\n").as_bytes()))
        .collect()
}

fn items<'a>(s: &'a [MessageSummary], arrival: &[i64], size: &[u64]) -> Vec<SortItem<'a>> {
    s.iter()
        .enumerate()
        .map(|(i, summary)| SortItem {
            seq: i as u32 + 1,
            uid: 100 + i as u32,
            arrival: arrival[i],
            size: size[i],
            summary,
        })
        .collect()
}

fn criteria(text: &str) -> Vec<SortCriterion> {
    let line = format!("t SORT ({text}) UTF-8 ALL\r\n");
    let (cmd, _) = Command::parse(line.as_bytes()).expect("a SORT command");
    match cmd.body {
        CommandBody::Sort { criteria, .. } => criteria,
        other => panic!("not a SORT: {other:?}"),
    }
}

#[test]
fn sort_by_each_criterion() {
    let s = summaries(&[
        "Subject: Re: beta\nFrom: Zoe <zoe@x>\nTo: amy@x\nDate: Tue, 1 Mar 2022 10:00:00 +0000\n\n",
        "Subject: alpha\nFrom: bob@x\nTo: \"Yann\" <yann@x>\nCc: c@x\nDate: Tue, 1 Mar 2022 09:00:00 -0200\n\n",
        "Subject: [list] Beta\nFrom: Amy <amy@x>\nDate: Tue, 1 Mar 2022 10:00:00 +0000\n\n",
        "Subject: Fwd: ALPHA (fwd)\nFrom: \"\" <carl@x>\nTo: bea@x\nCc: a@x\n\n",
    ]);
    let arrival = [40, 30, 20, 10];
    let size = [5, 5, 9, 1];
    let run = |c: &str| {
        let mut it = items(&s, &arrival, &size);
        sort(&criteria(c), &mut it);
        it.iter().map(|i| i.seq).collect::<Vec<u32>>()
    };
    let cases: &[(&str, [u32; 4])] = &[
        ("ARRIVAL", [4, 3, 2, 1]),
        ("REVERSE ARRIVAL", [1, 2, 3, 4]),
        ("SIZE", [4, 1, 2, 3]),
        // REVERSE does not reverse the sequence-number tie-break.
        ("REVERSE SIZE", [3, 1, 2, 4]),
        // 4 has no Date: its internal date (10) sorts first; 1 and 3 tie, seq decides.
        ("DATE", [4, 1, 3, 2]),
        ("REVERSE DATE", [2, 1, 3, 4]),
        ("SUBJECT", [2, 4, 1, 3]),
        ("SUBJECT REVERSE DATE", [2, 4, 1, 3]),
        ("SUBJECT ARRIVAL", [4, 2, 3, 1]),
        ("FROM", [3, 2, 4, 1]),
        ("TO", [3, 1, 4, 2]),
        ("CC", [1, 3, 4, 2]),
        ("DISPLAYFROM", [3, 2, 4, 1]),
        ("DISPLAYTO", [3, 1, 4, 2]),
        ("REVERSE DISPLAYTO", [2, 4, 1, 3]),
    ];
    for (c, want) in cases {
        assert_eq!(run(c), want.to_vec(), "SORT ({c})");
    }
    assert_eq!(
        sort_needs(&criteria("ARRIVAL REVERSE SIZE")),
        Needs::Metadata
    );
    assert_eq!(sort_needs(&criteria("SIZE SUBJECT")), Needs::Header);
}

fn t(members: &[u32], children: Vec<Thread>) -> Thread {
    Thread {
        members: members.to_vec(),
        children,
    }
}

fn encode_threads(threads: &[Thread]) -> String {
    let mut e = crate::Encoder::server();
    for th in threads {
        th.encode(&mut e);
    }
    String::from_utf8(e.as_bytes().to_vec()).expect("ascii")
}

#[test]
fn ordered_subject_threads() {
    let s = summaries(&[
        "Subject: Hello\nDate: Tue, 1 Mar 2022 10:00:00 +0000\n\n",
        "Subject: Re: hello\nDate: Tue, 1 Mar 2022 12:00:00 +0000\n\n",
        "Subject: Other\nDate: Tue, 1 Mar 2022 09:00:00 +0000\n\n",
        "Subject: Re: Hello\nDate: Tue, 1 Mar 2022 11:00:00 +0000\n\n",
        "Subject: Re: Other\nDate: Tue, 1 Mar 2022 13:00:00 +0000\n\n",
        "Subject: lone\nDate: Mon, 28 Feb 2022 13:00:00 +0000\n\n",
    ]);
    let it = items(&s, &[0; 6], &[0; 6]);
    let got = thread(&ThreadAlgorithm::OrderedSubject, &it, false).expect("threads");
    assert_eq!(
        got,
        vec![
            t(&[6], vec![]),
            t(&[3, 5], vec![]),
            t(&[1], vec![t(&[4], vec![]), t(&[2], vec![])]),
        ]
    );
    assert_eq!(encode_threads(&got), "(6)(3 5)(1 (4)(2))");
    let got = thread(&ThreadAlgorithm::OrderedSubject, &it, true).expect("threads");
    assert_eq!(encode_threads(&got), "(105)(102 104)(100 (103)(101))");
}

/// (header lines per message, expected THREAD=REFERENCES response)
fn references_case(headers: &[&str]) -> String {
    let s = summaries(headers);
    let n = s.len();
    let arrival: Vec<i64> = (0..n as i64).collect();
    let it = items(&s, &arrival, &vec![0; n]);
    encode_threads(&thread(&ThreadAlgorithm::References, &it, false).expect("threads"))
}

#[test]
fn references_threads() {
    let d = |h: u8| format!("Date: Tue, 1 Mar 2022 {h:02}:00:00 +0000");
    let m = |id: &str, refs: &str, subject: &str, hour: u8| {
        let mut h = format!("Message-ID: <{id}@x>\nSubject: {subject}\n{}\n", d(hour));
        if !refs.is_empty() {
            let refs: Vec<String> = refs.split(' ').map(|r| format!("<{r}@x>")).collect();
            h.push_str(&format!("References: {}\n", refs.join(" ")));
        }
        h.push('\n');
        h
    };
    let cases: Vec<(Vec<String>, &str)> = vec![
        // A chain.
        (
            vec![
                m("a", "", "s", 1),
                m("b", "a", "Re: s", 2),
                m("c", "a b", "Re: s", 3),
            ],
            "(1 2 3)",
        ),
        // Branches, sorted by date.
        (
            vec![
                m("a", "", "s", 1),
                m("b", "a", "Re: s", 3),
                m("c", "a", "Re: s", 2),
            ],
            "(1 (3)(2))",
        ),
        // A missing parent: the dummy is pruned and its children kept as siblings under a
        // dummy at the top (more than one child).
        (
            vec![m("b", "gone", "t", 2), m("c", "gone", "t", 1)],
            "((2)(1))",
        ),
        // A missing parent with one child: the child is promoted.
        (vec![m("b", "gone", "u", 2), m("z", "", "v", 1)], "(2)(1)"),
        // Subject grouping: a reply whose parent is not here joins the original by subject.
        (vec![m("a", "", "w", 1), m("b", "x", "Re: w", 2)], "(1 2)"),
        // Two non-replies with one subject: a dummy holds both.
        (vec![m("a", "", "y", 1), m("b", "", "y", 2)], "((1)(2))"),
        // Loops are not made: b says a is its parent, a says b is.
        (vec![m("a", "b", "p", 1), m("b", "a", "q", 2)], "(2 1)"),
        // Duplicate Message-ID: the second gets a unique one; c refers to the first.
        (
            vec![
                m("a", "", "r1", 1),
                m("a", "", "r2", 2),
                m("c", "a", "r3", 3),
            ],
            "(1 3)(2)",
        ),
        // A message whose References name itself.
        (vec![m("a", "a", "self", 1)], "(1)"),
        // Intermediate dummies in a truncated chain are pruned.
        (
            vec![m("a", "", "z", 1), m("d", "a b c", "Re: z", 2)],
            "(1 2)",
        ),
    ];
    for (headers, want) in &cases {
        let refs: Vec<&str> = headers.iter().map(String::as_str).collect();
        assert_eq!(references_case(&refs), *want, "{headers:#?}");
    }
}

#[test]
fn references_falls_back_to_in_reply_to() {
    let got = references_case(&[
        "Message-ID: <a@x>\nSubject: one\nDate: Tue, 1 Mar 2022 01:00:00 +0000\n\n",
        "Message-ID: <b@x>\nSubject: two\nIn-Reply-To: Your message of <a@x> (was <zz@x>)\n\
         Date: Tue, 1 Mar 2022 02:00:00 +0000\n\n",
        "Message-ID: <c@x>\nSubject: three\nReferences: junk\nIn-Reply-To: <b@x> <a@x>\n\
         Date: Tue, 1 Mar 2022 03:00:00 +0000\n\n",
    ]);
    assert_eq!(got, "(1 2 3)");
}

#[test]
fn unknown_algorithm_is_an_error() {
    let s = summaries(&["Subject: x\n\n"]);
    let it = items(&s, &[0], &[0]);
    let alg = ThreadAlgorithm::Other(Atom::new("REFS").expect("atom"));
    assert_eq!(
        thread(&alg, &it, false),
        Err(SearchError::UnknownAlgorithm("REFS".into()))
    );
}

#[test]
fn deep_chains_cost_no_stack() {
    // 20,000 replies in a row, each to the one before: one thread, one chain.
    let n = 20_000;
    let s: Vec<MessageSummary> = (0..n)
        .map(|i| MessageSummary {
            sent_date: Some(i as i64),
            base_subject: "X".into(),
            message_id: Some(format!("{i}@x")),
            references: if i == 0 {
                vec![]
            } else {
                vec![format!("{}@x", i - 1)]
            },
            ..MessageSummary::default()
        })
        .collect();
    let it = items(&s, &vec![0; n], &vec![0; n]);
    let got = thread(&ThreadAlgorithm::References, &it, false).expect("threads");
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].members.len(), n);
    assert_eq!(got[0].members[n - 1], n as u32);
}

#[test]
fn rfc5256_response_shape_from_references() {
    // RFC 5256 §4's example THREAD response `(2)(3 6 (4 23)(44 7 96))`, built from messages
    // whose References make exactly that tree: (seq, id, references, subject), dates in order.
    let msgs: &[(u32, &str, &str, &str)] = &[
        (2, "m2", "", "a"),
        (3, "m3", "", "b"),
        (6, "m6", "m3", "Re: b"),
        (4, "m4", "m3 m6", "Re: b"),
        (23, "m23", "m3 m6 m4", "Re: b"),
        (44, "m44", "m3 m6", "Re: b"),
        (7, "m7", "m6 m44", "Re: b"),
        (96, "m96", "m44 m7", "Re: b"),
    ];
    let s: Vec<MessageSummary> = msgs
        .iter()
        .enumerate()
        .map(|(hour, (_, id, refs, subject))| {
            let refs: Vec<String> = refs
                .split_whitespace()
                .map(|r| format!("<{r}@x>"))
                .collect();
            let refs = if refs.is_empty() {
                String::new()
            } else {
                format!("References: {}\r\n", refs.join(" "))
            };
            MessageSummary::from_header(
                format!(
                    "Message-ID: <{id}@x>\r\n{refs}Subject: {subject}\r\n\
                     Date: Tue, 1 Mar 2022 {hour:02}:00:00 +0000\r\n\r\n"
                )
                .as_bytes(),
            )
        })
        .collect();
    let it: Vec<SortItem<'_>> = msgs
        .iter()
        .zip(&s)
        .map(|((seq, ..), summary)| SortItem {
            seq: *seq,
            uid: *seq,
            arrival: 0,
            size: 0,
            summary,
        })
        .collect();
    let got = thread(&ThreadAlgorithm::References, &it, false).expect("threads");
    assert_eq!(
        got,
        vec![
            t(&[2], vec![]),
            t(&[3, 6], vec![t(&[4, 23], vec![]), t(&[44, 7, 96], vec![])]),
        ]
    );
    assert_eq!(encode_threads(&got), "(2)(3 6 (4 23)(44 7 96))");
}

// ---------------------------------------------------------------------------------------------
// Properties

fn all_members(threads: &[Thread], out: &mut Vec<u32>) {
    for th in threads {
        out.extend_from_slice(&th.members);
        all_members(&th.children, out);
    }
}

proptest::proptest! {
    #[test]
    fn base_subject_is_a_fixed_point(s in "(( |\t|\r\n |[Rr][Ee]|[Ff][Ww][Dd]?|:|\\[|\\]|\\(fwd\\)|x|é)){0,16}") {
        let once = base_subject(&s);
        let twice = base_subject(&once.text);
        proptest::prop_assert_eq!(&twice.text, &once.text);
        proptest::prop_assert!(!twice.reply_or_forward, "{:?} -> {:?}", s, once.text);
    }

    #[test]
    fn arbitrary_messages_never_panic(raw in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..400)) {
        let s = MessageSummary::from_header(&raw);
        let _ = base_subject(&s.base_subject);
        let (c, keys) = parse_search("OR TEXT x (HEADER y \"\" SENTON 1-Jan-2000 BODY z)");
        let p = SearchProgram::compile(c.as_deref(), &keys).expect("compiles");
        let meta = MessageMeta {
            seq: 1, uid: 1, flags: &[], recent: false,
            internal_date: dt(2022, 1, 1, 0, 0), size: raw.len() as u64, mod_seq: 1,
        };
        let ctx = SearchContext { max_seq: 1, max_uid: 1, saved: &[], now: 0, body_limit: 64 };
        let _ = p.matches(&meta, &ctx, &mut raw.as_slice());
    }

    /// Whatever the references (loops, duplicates, self references, missing parents), every
    /// message appears exactly once in the THREAD response, and SORT is a permutation.
    #[test]
    fn every_message_is_threaded_once(
        graph in proptest::collection::vec(
            (0u8..12, proptest::collection::vec(0u8..16, 0..4), 0u8..4, proptest::prelude::any::<bool>(), 0i64..5),
            1..24,
        )
    ) {
        let subjects = ["a", "Re: a", "b", "[fwd: b]"];
        let s: Vec<MessageSummary> = graph
            .iter()
            .map(|(id, refs, subj, has_id, date)| {
                let b = base_subject(subjects[usize::from(*subj)]);
                MessageSummary {
                    sent_date: Some(*date),
                    base_subject: b.text,
                    reply_or_forward: b.reply_or_forward,
                    message_id: has_id.then(|| format!("{id}@x")),
                    references: refs.iter().map(|r| format!("{r}@x")).collect(),
                    ..MessageSummary::default()
                }
            })
            .collect();
        let n = s.len();
        let it = items(&s, &vec![0; n], &vec![0; n]);
        let want: Vec<u32> = (1..=n as u32).collect();
        for alg in [ThreadAlgorithm::References, ThreadAlgorithm::OrderedSubject] {
            let threads = thread(&alg, &it, false).expect("threads");
            let mut got = Vec::new();
            all_members(&threads, &mut got);
            got.sort_unstable();
            proptest::prop_assert_eq!(&got, &want, "{:?}", alg);
        }
        let mut sorted = it.clone();
        sort(&criteria("SUBJECT REVERSE DATE"), &mut sorted);
        let mut got: Vec<u32> = sorted.iter().map(|i| i.seq).collect();
        got.sort_unstable();
        proptest::prop_assert_eq!(got, want);
    }
}
