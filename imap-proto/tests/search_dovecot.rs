//! The proof against a real peer: 28 messages with tangled References, duplicate and missing
//! Message-IDs, loops, subject-only replies, encoded-words and missing Date fields are put into
//! a Maildir that Dovecot serves; THREAD=REFERENCES, THREAD=ORDEREDSUBJECT, SORT by every
//! criterion and SEARCH by a set of keys must answer exactly as Dovecot does for the same
//! messages (same sequence numbers, UIDs, flags, internal dates and sizes).
//!
//! Dovecot is required: without it the test fails ([`testkit::peer::require`]).
#![cfg(feature = "server")]

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use imap_proto::command::{Command, CommandBody, SearchKey, SortCriterion, ThreadAlgorithm};
use imap_proto::server::search::{
    DEFAULT_BODY_LIMIT, MessageMeta, MessageSummary, SearchContext, SearchProgram, SortItem, sort,
    thread,
};
use imap_proto::token::{Date, DateTime, Flag};
use testkit::dovecot::{Dovecot, chown_dovecot};

/// 2024-05-01 00:00:00 UTC.
const BASE: i64 = 1_714_521_600;

/// (maildir flags, header lines (without X-Id), body)
const MESSAGES: &[(&str, &str, &str)] = &[
    // 1
    (
        "S",
        "Message-ID: <a1@t>\nSubject: Project kickoff\nFrom: Alice Smith <alice@corp.example>\n\
         To: team@corp.example\nDate: Wed, 1 May 2024 09:00:00 +0000",
        "Kickoff is on Monday.",
    ),
    // 2
    (
        "RS",
        "Message-ID: <a2@t>\nSubject: Re: Project kickoff\nReferences: <a1@t>\n\
         From: bob@corp.example\nTo: Alice Smith <alice@corp.example>\nCc: carol@corp.example\n\
         Date: Wed, 1 May 2024 10:00:00 +0000",
        "Monday works for me.",
    ),
    // 3
    (
        "",
        "Message-ID: <b2@t>\nSubject: [budget] Re: Q3 budget\nReferences: <b1@t>\n\
         From: =?UTF-8?Q?Zo=C3=AB?= <zoe@corp.example>\nTo: finance@corp.example\n\
         Date: Thu, 2 May 2024 08:00:00 +0200\nContent-Type: text/plain; charset=utf-8\n\
         Content-Transfer-Encoding: quoted-printable",
        "The numbers are in the spreadsheet =E2=80=94 see tab Q3.",
    ),
    // 4
    (
        "F",
        "Message-ID: <a3@t>\nSubject: RE: Project kickoff\nReferences: <a1@t> <a2@t>\n\
         From: carol@corp.example\nTo: bob@corp.example\nDate: Wed, 1 May 2024 11:00:00 +0000",
        "Agreed.",
    ),
    // 5
    (
        "S",
        "Message-ID: <c1@t>\nSubject: Lunch\nFrom: dave@corp.example\nTo: team@corp.example\n\
         Date: Fri, 3 May 2024 12:00:00 +0000",
        "Pizza at noon?",
    ),
    // 6
    (
        "",
        "Message-ID: <a4@t>\nSubject: Re: Project kickoff\nReferences: <a1@t>\n\
         From: \"Erin\" <erin@corp.example>\nTo: Alice Smith <alice@corp.example>\n\
         Date: Wed, 1 May 2024 09:30:00 +0000",
        "Can we move it to Tuesday?",
    ),
    // 7
    (
        "S",
        "Message-ID: <b3@t>\nSubject: Re: Q3 budget\nReferences: <b1@t>\nFrom: frank@corp.example\n\
         To: finance@corp.example\nDate: Thu, 2 May 2024 07:00:00 +0000",
        "Approved.",
    ),
    // 8
    (
        "",
        "Message-ID: <c2@t>\nSubject: Re: lunch\nIn-Reply-To: <cx@t>\nFrom: gina@corp.example\n\
         To: dave@corp.example\nDate: Fri, 3 May 2024 13:00:00 +0000",
        "Count me in.",
    ),
    // 9
    (
        "S",
        "Message-ID: <d1@t>\nSubject: Release plan\nFrom: Hank <hank@corp.example>\n\
         To: team@corp.example\nDate: Sat, 4 May 2024 09:00:00 +0000",
        "Release on the 20th.",
    ),
    // 10
    (
        "",
        "Message-ID: <d3@t>\nSubject: Re: Release plan\nReferences: <d2@t>\nIn-Reply-To: <d1@t>\n\
         From: ivy@corp.example\nTo: hank@corp.example\nDate: Sat, 4 May 2024 11:00:00 +0000",
        "Which 20th?",
    ),
    // 11
    (
        "RS",
        "Message-ID: <d2@t>\nSubject: Re: Release plan\nReferences: <d1@t>\n\
         From: jack@corp.example\nTo: Hank <hank@corp.example>\n\
         Date: Sat, 4 May 2024 10:00:00 +0000",
        "The 20th of May.",
    ),
    // 12
    (
        "",
        "Message-ID: <e2@t>\nSubject: Re: Offsite\nIn-Reply-To: <e1@t>\nFrom: kim@corp.example\n\
         To: lee@corp.example\nDate: Sun, 5 May 2024 10:00:00 +0000",
        "Yes please.",
    ),
    // 13
    (
        "S",
        "Message-ID: <e1@t>\nSubject: Offsite\nFrom: lee@corp.example\nTo: team@corp.example\n\
         Date: Sun, 5 May 2024 09:00:00 +0000",
        "Who is coming to the offsite?",
    ),
    // 14
    (
        "",
        "Message-ID: <dup@t>\nSubject: Dup one\nFrom: mia@corp.example\nTo: team@corp.example\n\
         Date: Mon, 6 May 2024 09:00:00 +0000",
        "First with this ID.",
    ),
    // 15
    (
        "",
        "Message-ID: <dup@t>\nSubject: Dup two\nFrom: ned@corp.example\nTo: team@corp.example\n\
         Date: Mon, 6 May 2024 10:00:00 +0000",
        "Second with this ID.",
    ),
    // 16
    (
        "D",
        "Message-ID: <f3@t>\nSubject: Re: Dup one\nReferences: <dup@t>\nFrom: olga@corp.example\n\
         To: mia@corp.example\nDate: Mon, 6 May 2024 11:00:00 +0000",
        "Replying to the first.",
    ),
    // 17
    (
        "",
        "Message-ID: <g1@t>\nSubject: Loop A\nReferences: <g2@t>\nFrom: pat@corp.example\n\
         To: team@corp.example\nDate: Tue, 7 May 2024 09:00:00 +0000",
        "A refers to B.",
    ),
    // 18
    (
        "",
        "Message-ID: <g2@t>\nSubject: Loop B\nReferences: <g1@t>\nFrom: quinn@corp.example\n\
         To: team@corp.example\nDate: Tue, 7 May 2024 10:00:00 +0000",
        "B refers to A.",
    ),
    // 19
    (
        "S",
        "Subject: Misc notes\nFrom: rob@corp.example\nTo: rob@corp.example",
        "No Message-ID and no Date.",
    ),
    // 20
    (
        "",
        "Message-ID: <c3@t>\nSubject: [fwd: Lunch]\nFrom: sam@corp.example\nTo: tina@corp.example\n\
         Date: Fri, 3 May 2024 14:00:00 +0000",
        "Forwarding the lunch plan.",
    ),
    // 21
    (
        "",
        "Message-ID: <c4@t>\nSubject: Lunch\nFrom: uma@corp.example\nTo: team@corp.example\n\
         Date: Fri, 3 May 2024 11:00:00 +0000",
        "Lunch again, from someone else.",
    ),
    // 22
    (
        "F",
        "Message-ID: <i1@t>\nSubject: =?UTF-8?Q?Caf=C3=A9_meeting?=\n\
         From: =?ISO-8859-1?Q?V=E9ra?= <vera@corp.example>\nTo: team@corp.example\n\
         Date: Wed, 8 May 2024 09:00:00 -0700",
        "Coffee at the caf\u{e9}.",
    ),
    // 23
    (
        "",
        "Message-ID: <i2@t>\nSubject: Re: =?UTF-8?Q?caf=C3=A9?= meeting\nFrom: walt@corp.example\n\
         To: =?UTF-8?Q?V=C3=A9ra?= <vera@corp.example>\nDate: Wed, 8 May 2024 10:00:00 -0700",
        "On my way.",
    ),
    // 24
    (
        "",
        "Message-ID: <j1@t>\nSubject: Re: Orphan (fwd)\nReferences: <zz@t>\nFrom: xena@corp.example\n\
         Cc: yuri@corp.example\nDate: Thu, 9 May 2024 09:00:00 +0000",
        "Forwarded orphan.",
    ),
    // 25
    (
        "",
        "Message-ID: <k1@t>\nSubject: Figures\nFrom: zed@corp.example\nTo: team@corp.example\n\
         Date: Fri, 10 May 2024 09:00:00 +0000\nMIME-Version: 1.0\n\
         Content-Type: multipart/mixed; boundary=\"outer\"",
        "--outer\n\
         Content-Type: text/plain; charset=iso-8859-1\n\
         Content-Transfer-Encoding: quoted-printable\n\
         \n\
         Latin text: r=E9sum=E9 of the caf=E9 meeting, wrapped =\n\
         across a soft break.\n\
         --outer\n\
         Content-Type: text/html; charset=utf-8\n\
         \n\
         <p>We had <b>fish &amp; chips</b> at lunch.</p>\n\
         --outer\n\
         Content-Type: application/octet-stream; name=figures.bin\n\
         Content-Description: quarterly-figures\n\
         Content-Transfer-Encoding: base64\n\
         \n\
         c2VjcmV0IGF0dGFjaG1lbnQgd29yZHM=\n\
         --outer\n\
         Content-Type: message/rfc822\n\
         \n\
         From: inner@corp.example\n\
         Subject: inner subject words\n\
         \n\
         Inner body words.\n\
         --outer--",
    ),
    // 26: no Subject, an unparsable Date.
    (
        "",
        "Message-ID: <n1@t>\nFrom: nobody@corp.example\nTo: team@corp.example\nDate: garbage",
        "No subject at all.",
    ),
    // 27: an empty Subject.
    (
        "S",
        "Message-ID: <n2@t>\nSubject: \nFrom: \"\" <empty@corp.example>\n\
         Date: Thu, 2 May 2024 12:00:00 +0000",
        "Empty subject.",
    ),
    // 28: no Subject, replying to 26; its Date is 2 May where written, 3 May in UTC.
    (
        "",
        "Message-ID: <n3@t>\nReferences: <n1@t>\nFrom: late@corp.example\n\
         Date: Thu, 2 May 2024 23:30:00 -0500",
        "Late reply.",
    ),
];

/// The message's raw form (CRLF) with its X-Id, and its internal date (file mtime).
fn raw_message(i: usize) -> (Vec<u8>, i64) {
    let (_, header, body) = MESSAGES[i];
    let mut text = format!("X-Id: {}\n{header}\n\n{body}\n", i + 1);
    // Varied sizes: padding lines.
    for k in 0..(i * 7) % 5 {
        text.push_str(&format!("padding line {k}\n"));
    }
    let raw = text.replace('\n', "\r\n").into_bytes();
    // Arrival times not in sequence order, all distinct, some on the same day.
    let arrival = BASE + ((i as i64 * 7) % 24) * 5 * 3600 + i as i64;
    (raw, arrival)
}

fn write_maildir(dir: &Path) {
    for sub in ["cur", "new", "tmp"] {
        std::fs::create_dir_all(dir.join(sub)).expect("maildir");
    }
    for (i, (flags, _, _)) in MESSAGES.iter().enumerate() {
        let (raw, arrival) = raw_message(i);
        let path = dir
            .join("cur")
            .join(format!("{}.M{i}P1.test:2,{flags}", 1_700_000_000 + i));
        std::fs::write(&path, &raw).expect("write message");
        let f = std::fs::File::options()
            .write(true)
            .open(&path)
            .expect("open");
        f.set_modified(UNIX_EPOCH + Duration::from_secs(arrival as u64))
            .expect("mtime");
    }
    // Fillers named to sort just before some messages, expunged after SELECT, so that UIDs
    // have gaps and differ from sequence numbers.
    for i in FILLERS {
        let path = dir
            .join("cur")
            .join(format!("{}.M{i}P0.test:2,", 1_700_000_000 + i));
        std::fs::write(&path, b"X-Filler: yes\r\nSubject: filler\r\n\r\nfiller\r\n")
            .expect("write filler");
    }
}

/// The messages before which a filler (expunged at the start) is stored.
const FILLERS: [usize; 4] = [0, 2, 5, 11];

struct Client {
    r: BufReader<TcpStream>,
    w: TcpStream,
    n: u32,
}

impl Client {
    fn connect(dc: &Dovecot) -> Client {
        let s = TcpStream::connect(dc.imap_addr()).expect("connect");
        s.set_read_timeout(Some(Duration::from_secs(20)))
            .expect("timeout");
        let mut c = Client {
            r: BufReader::new(s.try_clone().expect("clone")),
            w: s,
            n: 0,
        };
        let mut greeting = String::new();
        c.r.read_line(&mut greeting).expect("greeting");
        assert!(greeting.starts_with("* OK"), "{greeting}");
        c
    }

    /// Sends `tag text` and returns the untagged lines; panics unless the result is OK.
    fn run(&mut self, text: &str) -> Vec<String> {
        self.n += 1;
        let tag = format!("t{}", self.n);
        self.w
            .write_all(format!("{tag} {text}\r\n").as_bytes())
            .expect("send");
        let mut lines = Vec::new();
        loop {
            let mut line = String::new();
            let n = self.r.read_line(&mut line).expect("read");
            assert!(n > 0, "connection closed after {text}");
            let line = line.trim_end_matches(['\r', '\n']).to_owned();
            if let Some(rest) = line.strip_prefix(&format!("{tag} ")) {
                assert!(rest.starts_with("OK"), "{text}: {rest}");
                return lines;
            }
            lines.push(line);
        }
    }

    /// The numbers of an untagged `* NAME n n n` response.
    fn numbers(&mut self, text: &str, name: &str) -> Vec<u32> {
        let prefix = format!("* {name}");
        let lines = self.run(text);
        let line = lines
            .iter()
            .find(|l| l.starts_with(&prefix))
            .unwrap_or_else(|| panic!("no {name} response to {text}: {lines:?}"));
        line[prefix.len()..]
            .split_whitespace()
            .take_while(|w| !w.starts_with('('))
            .map(|w| w.parse().expect("number"))
            .collect()
    }
}

/// The civil date of a Unix time in UTC.
fn utc(ts: i64) -> DateTime {
    let days = ts.div_euclid(86_400);
    let secs = ts.rem_euclid(86_400);
    // Civil from days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
    let year = (yoe + era * 400 + i64::from(month <= 2)) as u16;
    DateTime {
        date: Date::new(year, month, day).expect("date"),
        hour: (secs / 3600) as u8,
        minute: (secs / 60 % 60) as u8,
        second: (secs % 60) as u8,
        offset_minutes: 0,
    }
}

fn maildir_flags(f: &str) -> Vec<Flag<'static>> {
    f.chars()
        .map(|c| match c {
            'S' => Flag::Seen,
            'R' => Flag::Answered,
            'F' => Flag::Flagged,
            'T' => Flag::Deleted,
            'D' => Flag::Draft,
            other => panic!("flag {other}"),
        })
        .collect()
}

fn parse_command(text: &str) -> CommandBody<'static> {
    let line = format!("t {text}\r\n");
    let (cmd, _) = Command::parse(line.as_bytes()).expect("our parser takes the command");
    match cmd.body {
        CommandBody::Search {
            charset,
            criteria,
            uid,
            return_opts,
        } => CommandBody::Search {
            uid,
            return_opts,
            charset: charset.map(|c| c.into_owned()),
            criteria: criteria.into_iter().map(SearchKey::into_owned).collect(),
        },
        CommandBody::Sort {
            uid,
            criteria,
            charset,
            keys,
        } => CommandBody::Sort {
            uid,
            criteria,
            charset: charset.into_owned(),
            keys: keys.into_iter().map(SearchKey::into_owned).collect(),
        },
        CommandBody::Thread {
            uid,
            algorithm,
            charset,
            keys,
        } => CommandBody::Thread {
            uid,
            algorithm: algorithm.into_owned(),
            charset: charset.into_owned(),
            keys: keys.into_iter().map(SearchKey::into_owned).collect(),
        },
        other => panic!("unexpected {other:?}"),
    }
}

struct Ours {
    /// Per Dovecot sequence number - 1: (uid, flags, internal date, raw).
    msgs: Vec<(u32, Vec<Flag<'static>>, i64, Vec<u8>)>,
    summaries: Vec<MessageSummary>,
}

impl Ours {
    fn meta(&self, i: usize) -> MessageMeta<'_> {
        let (uid, flags, arrival, raw) = &self.msgs[i];
        MessageMeta {
            seq: i as u32 + 1,
            uid: *uid,
            flags,
            recent: false,
            internal_date: utc(*arrival),
            size: raw.len() as u64,
            mod_seq: 1,
        }
    }

    fn matching(&self, charset: Option<&[u8]>, keys: &[SearchKey<'_>]) -> Vec<usize> {
        let program = SearchProgram::compile(charset, keys).expect("compiles");
        let ctx = SearchContext {
            max_seq: self.msgs.len() as u32,
            max_uid: self.msgs.iter().map(|m| m.0).max().unwrap_or(0),
            saved: &[],
            now: SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .expect("clock")
                .as_secs() as i64,
            body_limit: DEFAULT_BODY_LIMIT,
        };
        (0..self.msgs.len())
            .filter(|&i| {
                program
                    .matches(&self.meta(i), &ctx, &mut self.msgs[i].3.as_slice())
                    .unwrap_or_else(|e| match e {})
            })
            .collect()
    }

    fn items(&self, set: &[usize]) -> Vec<SortItem<'_>> {
        set.iter()
            .map(|&i| SortItem {
                seq: i as u32 + 1,
                uid: self.msgs[i].0,
                arrival: self.msgs[i].2,
                size: self.msgs[i].3.len() as u64,
                summary: &self.summaries[i],
            })
            .collect()
    }

    fn search(&self, text: &str) -> Vec<u32> {
        let CommandBody::Search {
            charset,
            criteria,
            uid,
            ..
        } = parse_command(text)
        else {
            unreachable!()
        };
        let hits = self.matching(charset.as_ref().map(|c| c.as_bytes()), &criteria);
        hits.iter()
            .map(|&i| if uid { self.msgs[i].0 } else { i as u32 + 1 })
            .collect()
    }

    fn sort(&self, text: &str) -> Vec<u32> {
        let CommandBody::Sort {
            uid,
            criteria,
            charset,
            keys,
        } = parse_command(text)
        else {
            unreachable!()
        };
        let hits = self.matching(Some(charset.as_bytes()), &keys);
        let mut items = self.items(&hits);
        let criteria: Vec<SortCriterion> = criteria;
        sort(&criteria, &mut items);
        items
            .iter()
            .map(|it| if uid { it.uid } else { it.seq })
            .collect()
    }

    fn thread(&self, text: &str) -> String {
        let CommandBody::Thread {
            uid,
            algorithm,
            charset,
            keys,
        } = parse_command(text)
        else {
            unreachable!()
        };
        let hits = self.matching(Some(charset.as_bytes()), &keys);
        let items = self.items(&hits);
        let alg: ThreadAlgorithm<'_> = algorithm;
        let threads = thread(&alg, &items, uid).expect("threads");
        let mut e = imap_proto::Encoder::server();
        for t in &threads {
            t.encode(&mut e);
        }
        String::from_utf8(e.as_bytes().to_vec()).expect("ascii")
    }
}

#[test]
fn thread_sort_and_search_answer_as_dovecot_does() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dc = Dovecot::start(tmp.path(), &[("alice", "secret")]).expect("dovecot starts");
    write_maildir(&dc.maildir("alice"));
    chown_dovecot(&dc.mail_root()).expect("chown");
    let mut c = Client::connect(&dc);
    c.run("LOGIN alice secret");
    c.run("SELECT INBOX");
    let fillers = c.numbers("SEARCH HEADER X-Filler yes", "SEARCH");
    assert_eq!(fillers.len(), FILLERS.len());
    let set: Vec<String> = fillers.iter().map(u32::to_string).collect();
    c.run(&format!(
        "STORE {} +FLAGS.SILENT (\\Deleted)",
        set.join(",")
    ));
    c.run("EXPUNGE");
    // Which of our messages Dovecot numbered how.
    let lines = c.run("FETCH 1:* (UID BODY.PEEK[HEADER.FIELDS (X-Id)])");
    let mut by_seq: HashMap<u32, (u32, usize)> = HashMap::new();
    let mut current: Option<(u32, u32)> = None;
    for l in &lines {
        if let Some(rest) = l.strip_prefix("* ")
            && let Some((seq, after)) = rest.split_once(" FETCH (UID ")
        {
            let uid = after.split(' ').next().expect("uid").parse().expect("uid");
            current = Some((seq.parse().expect("seq"), uid));
        } else if let Some(id) = l.strip_prefix("X-Id: ") {
            let (seq, uid) = current.expect("a FETCH before the field");
            by_seq.insert(seq, (uid, id.parse::<usize>().expect("id") - 1));
        }
    }
    assert_eq!(by_seq.len(), MESSAGES.len(), "{lines:?}");
    let mut msgs = Vec::new();
    let mut summaries = Vec::new();
    for seq in 1..=MESSAGES.len() as u32 {
        let (uid, i) = by_seq[&seq];
        let (raw, arrival) = raw_message(i);
        summaries.push(MessageSummary::from_header(&raw));
        msgs.push((uid, maildir_flags(MESSAGES[i].0), arrival, raw));
    }
    let ours = Ours { msgs, summaries };

    let mut mismatches = Vec::new();
    for alg in ["REFERENCES", "ORDEREDSUBJECT"] {
        for cmd in [
            format!("THREAD {alg} UTF-8 ALL"),
            format!("UID THREAD {alg} UTF-8 ALL"),
            format!("THREAD {alg} UTF-8 NOT SUBJECT lunch"),
        ] {
            let lines = c.run(&cmd);
            let theirs = lines
                .iter()
                .find_map(|l| l.strip_prefix("* THREAD"))
                .unwrap_or_else(|| panic!("no THREAD response: {lines:?}"))
                .trim()
                .to_owned();
            let mine = ours.thread(&cmd);
            eprintln!("{cmd}: {theirs}");
            if mine != theirs {
                mismatches.push(format!("{cmd}\n  dovecot: {theirs}\n  ours:    {mine}"));
            }
        }
    }
    for criteria in [
        "ARRIVAL",
        "REVERSE ARRIVAL",
        "SIZE",
        "REVERSE SIZE",
        "DATE",
        "REVERSE DATE",
        "SUBJECT",
        "REVERSE SUBJECT",
        "SUBJECT DATE",
        "SUBJECT REVERSE DATE",
        "FROM",
        "REVERSE FROM",
        "TO",
        "TO DATE",
        "CC",
        "CC REVERSE ARRIVAL",
        "DISPLAYFROM",
        "DISPLAYTO",
        "REVERSE DISPLAYTO SIZE",
    ] {
        for cmd in [
            format!("SORT ({criteria}) UTF-8 ALL"),
            format!("UID SORT ({criteria}) UTF-8 UNSEEN"),
        ] {
            let theirs = c.numbers(&cmd, "SORT");
            let mine = ours.sort(&cmd);
            if mine != theirs {
                mismatches.push(format!("{cmd}\n  dovecot: {theirs:?}\n  ours:    {mine:?}"));
            }
        }
    }
    // Where this crate differs from Dovecot (without full-text search) on purpose: an HTML
    // part is searched as its text, not as its source (see server::search's docs).
    const DEVIATIONS: [&str; 3] = [
        "BODY \"fish & chips\"",
        "BODY \"fish &amp; chips\"",
        "BODY \"<b>\"",
    ];
    let mut deviations = Vec::new();
    // Non-ASCII strings as LITERAL+ literals (RFC 7888).
    let lit = |key: &str, text: &str| format!("{key} {{{}+}}\r\n{text}", text.len());
    let literal_keys = [
        lit("FROM", "zoë"),
        lit("FROM", "ZOË"),
        lit("TO", "véra"),
        lit("SUBJECT", "CAFÉ"),
        lit("BODY", "résumé"),
        lit("BODY", "café"),
        lit("TEXT", "Véra"),
    ];
    for keys in [
        "ALL",
        "SEEN",
        "UNSEEN",
        "FLAGGED",
        "ANSWERED",
        "DRAFT",
        "OR FLAGGED ANSWERED",
        "NOT SEEN",
        "FROM alice",
        "FROM corp.example",
        "FROM \"Alice Smith\"",
        "TO alice",
        "CC carol",
        "SUBJECT lunch",
        "SUBJECT \"re:\"",
        "SUBJECT kickoff",
        "SUBJECT \"CAF\"",
        "HEADER In-Reply-To \"\"",
        "HEADER Message-ID dup",
        "HEADER References d1",
        "BODY monday",
        "BODY spreadsheet",
        "TEXT monday",
        "TEXT kickoff",
        "TEXT corp.example",
        "SENTBEFORE 3-May-2024",
        "SENTON 2-May-2024",
        "SENTSINCE 6-May-2024",
        "SENTON 8-May-2024",
        "SENTON 3-May-2024",
        "SENTON 1-Jan-1970",
        "BEFORE 3-May-2024",
        "ON 2-May-2024",
        "SINCE 4-May-2024",
        "LARGER 300",
        "SMALLER 300",
        "1:5",
        "5:*",
        "UID 3:7",
        "OR (SEEN FROM bob) (UNSEEN BODY orphan)",
        "NOT (OR SUBJECT budget SUBJECT lunch)",
        "BODY \"resume of the\"",
        "BODY \"wrapped across\"",
        "BODY \"fish & chips\"",
        "BODY \"fish &amp; chips\"",
        "BODY \"<b>\"",
        "BODY \"attachment words\"",
        "BODY quarterly-figures",
        "TEXT quarterly-figures",
        "TEXT octet-stream",
        "BODY octet-stream",
        "BODY \"inner subject\"",
        "BODY \"inner body\"",
        "TEXT \"inner body\"",
        "SUBJECT inner",
    ]
    .into_iter()
    .chain(literal_keys.iter().map(String::as_str))
    {
        for cmd in [
            format!("SEARCH CHARSET UTF-8 {keys}"),
            format!("UID SEARCH {keys}"),
        ] {
            let theirs = c.numbers(&cmd, "SEARCH");
            let mut mine = ours.search(&cmd);
            mine.sort_unstable();
            let mut theirs = theirs;
            theirs.sort_unstable();
            if keys.contains('{') {
                eprintln!("{keys:?}: {mine:?}");
            }
            if DEVIATIONS.contains(&keys) {
                // The deviation is real (Dovecot still answers otherwise) and is this one.
                assert_ne!(mine, theirs, "{cmd}: no longer a deviation");
                deviations.push(format!("{cmd}: dovecot {theirs:?}, ours {mine:?}"));
            } else if mine != theirs {
                mismatches.push(format!("{cmd}\n  dovecot: {theirs:?}\n  ours:    {mine:?}"));
            }
        }
    }
    eprintln!("deliberate deviations:\n{}", deviations.join("\n"));
    c.run("LOGOUT");
    assert!(
        mismatches.is_empty(),
        "{} answers differ from Dovecot's:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
}
