//! RFC 3501 §8 replayed, whole and at every split.

use super::*;
use crate::token::Flag;
use sasl::{Credentials, Mechanism};

const HEADER_342: &[u8] = b"Date: Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\r\n\
From: Terry Gray <gray@cac.washington.edu>\r\n\
Subject: IMAP4rev1 WG mtg summary and minutes\r\n\
To: imap@cac.washington.edu\r\n\
cc: minutes@CNRI.Reston.VA.US, John Klensin <KLENSIN@MIT.EDU>\r\n\
Message-Id: <B27397-0100000@cac.washington.edu>\r\n\
MIME-Version: 1.0\r\n\
Content-Type: TEXT/PLAIN; CHARSET=US-ASCII\r\n\
\r\n";

fn fetch_header_response() -> Vec<u8> {
    let mut r = b"* 12 FETCH (BODY[HEADER] {342}\r\n".to_vec();
    r.extend_from_slice(HEADER_342);
    r.extend_from_slice(b")\r\na004 OK FETCH completed\r\n");
    r
}

const FETCH_FULL: &[u8] =
    b"* 12 FETCH (FLAGS (\\Seen) INTERNALDATE \"17-Jul-1996 02:44:25 -0700\" \
RFC822.SIZE 4286 ENVELOPE (\"Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\" \
\"IMAP4rev1 WG mtg summary and minutes\" \
((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) \
((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) \
((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) \
((NIL NIL \"imap\" \"cac.washington.edu\")) \
((NIL NIL \"minutes\" \"CNRI.Reston.VA.US\") \
(\"John Klensin\" NIL \"KLENSIN\" \"MIT.EDU\")) NIL NIL \
\"<B27397-0100000@cac.washington.edu>\") \
BODY (\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 3028 92))\r\n\
a003 OK FETCH completed\r\n";

/// RFC 3501 §8 (the same session as RFC 9051 §8 but for the version): the tags are the RFC's
/// (`a001`...). Commands the session builds itself come out upper case (`LOGIN`, `SELECT
/// INBOX`, `LOGOUT`; IMAP keywords are case-insensitive, RFC 9051 §9 note 1); the others are
/// the RFC's bytes, passed through [`ClientSession::command`].
fn rfc_sample_script(header: &[u8]) -> Vec<Step<'_>> {
    vec![
        S(b"* OK IMAP4rev1 Service Ready\r\n"),
        A(&|s| {
            s.login("mrc", &secret("secret")).unwrap();
        }),
        C(b"a001 LOGIN mrc secret\r\n"),
        S(b"a001 OK LOGIN completed\r\n"),
        A(&|s| {
            s.select("inbox");
        }),
        C(b"a002 SELECT INBOX\r\n"),
        S(b"* 18 EXISTS\r\n\
* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n\
* 2 RECENT\r\n\
* OK [UNSEEN 17] Message 17 is the first unseen message\r\n\
* OK [UIDVALIDITY 3857529045] UIDs valid\r\n\
a002 OK [READ-WRITE] SELECT completed\r\n"),
        A(&|s| {
            s.command(|e| {
                e.raw(b"fetch 12 full");
            })
            .unwrap();
        }),
        C(b"a003 fetch 12 full\r\n"),
        S(FETCH_FULL),
        A(&|s| {
            s.command(|e| {
                e.raw(b"fetch 12 body[header]");
            })
            .unwrap();
        }),
        C(b"a004 fetch 12 body[header]\r\n"),
        S(header),
        A(&|s| {
            s.command(|e| {
                e.raw(b"store 12 +flags \\deleted");
            })
            .unwrap();
        }),
        C(b"a005 store 12 +flags \\deleted\r\n"),
        S(b"* 12 FETCH (FLAGS (\\Seen \\Deleted))\r\na005 OK +FLAGS completed\r\n"),
        A(&|s| {
            s.logout();
        }),
        C(b"a006 LOGOUT\r\n"),
        S(b"* BYE IMAP4rev1 server terminating connection\r\na006 OK LOGOUT completed\r\n"),
    ]
}

fn rfc_session() -> ClientSession {
    ClientSession::new(ClientConfig {
        tag_prefix: "a".to_owned(),
        tag_width: 3,
        ..plain_config()
    })
}

#[test]
fn rfc3501_sample_session() {
    let header = fetch_header_response();
    let mut s = rfc_session();
    let events = run(&mut s, &rfc_sample_script(&header));
    assert_eq!(HEADER_342.len(), 342);
    // Greeting, six completions, Closed.
    assert_eq!(events.len(), 8, "{events:#?}");
    assert!(matches!(
        &events[0],
        Event::Greeting { condition: Condition::Ok, text } if text.text == "IMAP4rev1 Service Ready"
    ));
    let login = done(&events[1]);
    assert_eq!(
        (login.tag.as_str(), login.command.as_str()),
        ("a001", "LOGIN")
    );
    assert!(login.is_ok());
    let select = done(&events[2]);
    assert_eq!(select.command, "SELECT");
    assert_eq!(select.text.code, Some(Code::ReadWrite));
    assert_eq!(select.untagged.len(), 5);
    let mailbox = MailboxState {
        name: "inbox".into(),
        exists: 18,
        recent: Some(2),
        flags: vec![
            Flag::Answered,
            Flag::Flagged,
            Flag::Deleted,
            Flag::Seen,
            Flag::Draft,
        ],
        permanent_flags: None,
        uid_validity: Some(3857529045),
        uid_next: None,
        unseen: Some(17),
        highest_modseq: None,
        read_only: false,
    };
    let fetch = done(&events[3]);
    assert_eq!(fetch.command, "FETCH");
    assert_eq!(fetch.untagged.len(), 1);
    assert_eq!(fetch.untagged[0].kind, UntaggedKind::Fetch(12));
    assert!(
        fetch.untagged[0]
            .raw()
            .starts_with(b"* 12 FETCH (FLAGS (\\Seen) INTERNALDATE")
    );
    // The session kept the octets; the response parser types them on demand.
    match fetch.untagged[0].parse().unwrap() {
        crate::response::Response::Data(crate::response::Data::Fetch { seq, items }) => {
            assert_eq!(seq.get(), 12);
            assert_eq!(
                items.len(),
                5,
                "FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODY"
            );
            assert!(items.iter().any(|i| matches!(
                i,
                crate::response::MsgAtt::Envelope(e)
                    if e.subject.as_bytes() == Some(b"IMAP4rev1 WG mtg summary and minutes".as_slice())
            )));
        }
        other => panic!("{other:?}"),
    }
    let header = done(&events[4]);
    assert_eq!(header.untagged[0].kind, UntaggedKind::Fetch(12));
    let raw = header.untagged[0].raw();
    assert_eq!(
        raw.len(),
        b"* 12 FETCH (BODY[HEADER] {342}\r\n".len() + 342 + 3
    );
    assert!(raw.ends_with(b"Content-Type: TEXT/PLAIN; CHARSET=US-ASCII\r\n\r\n)\r\n"));
    let store = done(&events[5]);
    assert_eq!(
        (store.command.as_str(), store.text.text.as_str()),
        ("STORE", "+FLAGS completed")
    );
    assert_eq!(store.untagged[0].kind, UntaggedKind::Fetch(12));
    let logout = done(&events[6]);
    assert_eq!(logout.command, "LOGOUT");
    assert!(matches!(
        logout.untagged[0].kind,
        UntaggedKind::Status {
            condition: Condition::Bye,
            ..
        }
    ));
    assert_eq!(events[7], Event::Closed);
    assert_eq!(s.state(), ConnectionState::Logout);
    assert_eq!(s.mailbox(), Some(&mailbox));
    assert_eq!(s.next_event(), Ok(Event::Closed));
}

/// Cut at every position, and byte by byte: the same events and the same client bytes.
fn assert_split_invariant(script: &[Step<'_>], session: &dyn Fn() -> ClientSession) {
    let whole = run(&mut session(), script);
    let bytewise = run_split(&mut session(), script, &|b| {
        b.iter().map(|&x| vec![x]).collect()
    });
    assert_eq!(bytewise, whole);
    let longest = script
        .iter()
        .filter_map(|s| match s {
            S(b) => Some(b.len()),
            _ => None,
        })
        .max()
        .unwrap();
    for cut in 1..longest {
        let events = run_split(&mut session(), script, &|b| {
            let at = cut.min(b.len());
            vec![b[..at].to_vec(), b[at..].to_vec()]
        });
        assert_eq!(events, whole, "cut at {cut}");
    }
}

#[test]
fn every_split_gives_the_same_events() {
    let header = fetch_header_response();
    assert_split_invariant(&rfc_sample_script(&header), &rfc_session);
    assert_split_invariant(&rfc9051_script(), &rfc_session);
}

/// The IMAP4rev2 sample of RFC 9051 §8 (STARTTLS, CAPABILITY, AUTHENTICATE PLAIN without
/// SASL-IR, SELECT with its LIST, STORE, LOGOUT), the FETCH steps left to the RFC 3501 replay.
/// As there, the commands the session builds are upper case; the tags are the RFC's.
fn rfc9051_script() -> Vec<Step<'static>> {
    vec![
        S(b"* OK [CAPABILITY STARTTLS AUTH=SCRAM-SHA-256 LOGINDISABLED IMAP4rev2] \
IMAP4rev2 Service Ready\r\n"),
        A(&|s| {
            assert_eq!(s.login("mrc", &secret("secret")), Err(ClientError::LoginDisabled));
            s.starttls().unwrap();
        }),
        C(b"a001 STARTTLS\r\n"),
        S(b"a001 OK Begin TLS negotiation now\r\n"),
        A(&|s| {
            assert_eq!(s.next_event(), Ok(Event::StartTls));
            s.tls_started().unwrap();
            s.capability();
        }),
        C(b"a002 CAPABILITY\r\n"),
        S(b"* CAPABILITY IMAP4rev2 AUTH=SCRAM-SHA-256 AUTH=PLAIN\r\na002 OK CAPABILITY completed\r\n"),
        A(&|s| {
            s.authenticate(Mechanism::Plain, Credentials::password("alice", "password"))
                .unwrap();
        }),
        C(b"a003 AUTHENTICATE PLAIN\r\n"),
        S(b"+\r\n"),
        C(b"AGFsaWNlAHBhc3N3b3Jk\r\n"),
        S(b"a003 OK PLAIN authentication successful\r\n"),
        A(&|s| {
            s.select("inbox");
        }),
        C(b"a004 SELECT INBOX\r\n"),
        S(b"* 172 EXISTS\r\n\
* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n\
* OK [UIDVALIDITY 3857529045] UIDs valid\r\n\
* OK [UIDNEXT 4392] Predicted next UID\r\n\
* OK [PERMANENTFLAGS (\\Deleted \\Seen \\*)] Limited\r\n\
* LIST () \"/\" INBOX\r\n\
a004 OK [READ-WRITE] SELECT completed\r\n"),
        A(&|s| {
            s.command(|e| {
                e.raw(b"store 12 +flags \\deleted");
            })
            .unwrap();
        }),
        C(b"a005 store 12 +flags \\deleted\r\n"),
        S(b"* 12 FETCH (FLAGS (\\Seen \\Deleted))\r\na005 OK +FLAGS completed\r\n"),
        A(&|s| {
            s.logout();
        }),
        C(b"a006 LOGOUT\r\n"),
        S(b"* BYE IMAP4rev2 server terminating connection\r\na006 OK LOGOUT completed\r\n"),
    ]
}

#[test]
fn rfc9051_sample_session() {
    let mut s = rfc_session();
    let events = run(&mut s, &rfc9051_script());
    let names: Vec<_> = events
        .iter()
        .map(|e| match e {
            Event::Done(c) => format!("{} {} {:?}", c.tag, c.command, c.condition),
            Event::Greeting { condition, .. } => format!("greeting {condition:?}"),
            other => format!("{other:?}"),
        })
        .collect();
    assert_eq!(
        names,
        [
            "greeting Ok",
            "a001 STARTTLS Ok",
            "StartTls",
            "a002 CAPABILITY Ok",
            "a003 AUTHENTICATE Ok",
            "a004 SELECT Ok",
            "a005 STORE Ok",
            "a006 LOGOUT Ok",
            "Closed"
        ]
    );
    assert!(s.tls_active());
    let select = done(&events[5]);
    assert_eq!(select.untagged.len(), 6, "LIST included");
    let m = s.mailbox().unwrap();
    assert_eq!(
        (m.exists, m.uid_validity, m.uid_next, m.read_only),
        (172, Some(3857529045), Some(4392), false)
    );
    // The capabilities from before TLS were forgotten; those asked after it, then forgotten
    // again by the login whose OK had none.
    assert!(s.capabilities().is_none());
}
