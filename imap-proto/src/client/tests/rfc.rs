//! The sample sessions of RFC 3501 §8 and RFC 9051 §8 replayed through the session against the
//! RFCs' server lines, whole and at every split. The server's bytes are the RFCs' exactly (lines
//! the RFC breaks "for editorial clarity" joined: with a space, except after `(` where the
//! grammar has none); the client's are the RFCs' too, tags included, compared without regard
//! to case ([`Ci`]) only where the session builds the command itself.

use super::*;
use crate::response::{Data, ListExtendedItem, MsgAtt};
use crate::token::{Flag, Mailbox};
use sasl::{Credentials, Mechanism};

/// The header of RFC 3501 §8's message 12 (RFC 9051 §8 has `IMAP4rev2` in the subject).
fn header_342(version: &str) -> Vec<u8> {
    format!(
        "Date: Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\r\n\
From: Terry Gray <gray@cac.washington.edu>\r\n\
Subject: {version} WG mtg summary and minutes\r\n\
To: imap@cac.washington.edu\r\n\
cc: minutes@CNRI.Reston.VA.US, John Klensin <KLENSIN@MIT.EDU>\r\n\
Message-Id: <B27397-0100000@cac.washington.edu>\r\n\
MIME-Version: 1.0\r\n\
Content-Type: TEXT/PLAIN; CHARSET=US-ASCII\r\n\
\r\n"
    )
    .into_bytes()
}

/// `* 12 FETCH (BODY[HEADER] {342}` ... `a004 OK FETCH completed`.
fn fetch_header_response(version: &str) -> Vec<u8> {
    let mut r = b"* 12 FETCH (BODY[HEADER] {342}\r\n".to_vec();
    r.extend_from_slice(&header_342(version));
    r.extend_from_slice(b")\r\na004 OK FETCH completed\r\n");
    r
}

/// `* 12 FETCH (FLAGS ... BODY (...))` and `a003 OK FETCH completed`. RFC 9051's sample differs
/// from RFC 3501's in the subject and in a Message-ID cut short (`...washington.ed>`), kept.
fn fetch_full_response(version: &str, message_id: &str) -> Vec<u8> {
    format!(
        "* 12 FETCH (FLAGS (\\Seen) INTERNALDATE \"17-Jul-1996 02:44:25 -0700\" \
RFC822.SIZE 4286 ENVELOPE (\"Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\" \
\"{version} WG mtg summary and minutes\" \
((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) \
((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) \
((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) \
((NIL NIL \"imap\" \"cac.washington.edu\")) \
((NIL NIL \"minutes\" \"CNRI.Reston.VA.US\") \
(\"John Klensin\" NIL \"KLENSIN\" \"MIT.EDU\")) NIL NIL \
\"{message_id}\") \
BODY (\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 3028 92))\r\n\
a003 OK FETCH completed\r\n"
    )
    .into_bytes()
}

/// The server's lines of RFC 3501 §8 or RFC 9051 §8 from `a003 fetch 12 full` on (the two
/// samples are the same from there but for the version): FETCH FULL, FETCH BODY[HEADER], STORE,
/// LOGOUT.
fn fetch_store_logout<'a>(full: &'a [u8], header: &'a [u8], bye: &'static [u8]) -> Vec<Step<'a>> {
    vec![
        A(&|s| {
            s.set_next_tag("a003").unwrap();
            s.command(|e| {
                e.raw(b"fetch 12 full");
            })
            .unwrap();
        }),
        C(b"a003 fetch 12 full\r\n"),
        S(full),
        A(&|s| {
            s.set_next_tag("a004").unwrap();
            s.command(|e| {
                e.raw(b"fetch 12 body[header]");
            })
            .unwrap();
        }),
        C(b"a004 fetch 12 body[header]\r\n"),
        S(header),
        A(&|s| {
            s.set_next_tag("a005").unwrap();
            s.command(|e| {
                e.raw(b"store 12 +flags \\deleted");
            })
            .unwrap();
        }),
        C(b"a005 store 12 +flags \\deleted\r\n"),
        S(b"* 12 FETCH (FLAGS (\\Seen \\Deleted))\r\na005 OK +FLAGS completed\r\n"),
        A(&|s| {
            s.set_next_tag("a006").unwrap();
            s.command(|e| {
                e.raw(b"logout");
            })
            .unwrap();
        }),
        C(b"a006 logout\r\n"),
        S(bye),
    ]
}

struct Sample {
    full: Vec<u8>,
    header: Vec<u8>,
}

impl Sample {
    fn rfc3501() -> Self {
        Sample {
            full: fetch_full_response("IMAP4rev1", "<B27397-0100000@cac.washington.edu>"),
            header: fetch_header_response("IMAP4rev1"),
        }
    }

    fn rfc9051() -> Self {
        Sample {
            full: fetch_full_response("IMAP4rev2", "<B27397-0100000@cac.washington.ed>"),
            header: fetch_header_response("IMAP4rev2"),
        }
    }
}

/// RFC 3501 §8.
fn rfc3501_script(sample: &Sample) -> Vec<Step<'_>> {
    let mut script = vec![
        S(b"* OK IMAP4rev1 Service Ready\r\n"),
        A(&|s| {
            s.set_next_tag("a001").unwrap();
            s.login("mrc", &secret("secret")).unwrap();
        }),
        Ci(b"a001 login mrc secret\r\n"),
        S(b"a001 OK LOGIN completed\r\n"),
        A(&|s| {
            s.set_next_tag("a002").unwrap();
            s.select("inbox");
        }),
        Ci(b"a002 select inbox\r\n"),
        S(b"* 18 EXISTS\r\n\
* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n\
* 2 RECENT\r\n\
* OK [UNSEEN 17] Message 17 is the first unseen message\r\n\
* OK [UIDVALIDITY 3857529045] UIDs valid\r\n\
a002 OK [READ-WRITE] SELECT completed\r\n"),
    ];
    script.extend(fetch_store_logout(
        &sample.full,
        &sample.header,
        b"* BYE IMAP4rev1 server terminating connection\r\na006 OK LOGOUT completed\r\n",
    ));
    script
}

/// A session whose tags, were they not all set by the script, would not be the RFC's: the
/// script's `set_next_tag` calls are what make them so.
fn rfc_session() -> ClientSession {
    ClientSession::new(ClientConfig {
        tag_prefix: "x".to_owned(),
        ..plain_config()
    })
}

/// The events' outline: `greeting Ok`, `a001 LOGIN Ok`, ...
fn outline(events: &[Event]) -> Vec<String> {
    events
        .iter()
        .map(|e| match e {
            Event::Done(c) => format!("{} {} {:?}", c.tag, c.command, c.kind()),
            Event::Greeting(g) => format!("greeting {:?}", g.kind),
            other => format!("{other:?}"),
        })
        .collect()
}

/// What the FETCH steps gave, the same in both samples.
fn check_fetch_store_logout(events: &[Event], version: &str, message_id: &str) {
    let fetch = done(&events[0]);
    assert_eq!(fetch.untagged.len(), 1);
    let Response::Data(Data::Fetch { seq, items }) = &fetch.untagged[0] else {
        panic!("{:?}", fetch.untagged[0]);
    };
    assert_eq!(seq.get(), 12);
    assert_eq!(
        items.len(),
        5,
        "FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODY"
    );
    let Some(MsgAtt::Envelope(envelope)) = items.iter().find(|i| matches!(i, MsgAtt::Envelope(_)))
    else {
        panic!("no envelope: {items:?}");
    };
    let subject = format!("{version} WG mtg summary and minutes");
    assert_eq!(envelope.subject.as_bytes(), Some(subject.as_bytes()));
    assert_eq!(envelope.message_id.as_bytes(), Some(message_id.as_bytes()));
    assert_eq!(envelope.cc.len(), 2);
    assert!(items.contains(&MsgAtt::Rfc822Size(4286)));

    let header = done(&events[1]);
    let Response::Data(Data::Fetch { items, .. }) = &header.untagged[0] else {
        panic!("{:?}", header.untagged[0]);
    };
    let [MsgAtt::BodySection { data, .. }] = items.as_slice() else {
        panic!("{items:?}");
    };
    assert_eq!(data.as_bytes(), Some(header_342(version).as_slice()));
    assert_eq!(header_342(version).len(), 342);

    let store = done(&events[2]);
    assert_eq!(
        (store.command.as_str(), store.text()),
        ("STORE", "+FLAGS completed")
    );
    assert_eq!(
        store.untagged,
        [Response::Data(Data::Fetch {
            seq: std::num::NonZeroU32::new(12).unwrap(),
            items: vec![MsgAtt::Flags(vec![Flag::Seen, Flag::Deleted])],
        })]
    );
    let logout = done(&events[3]);
    assert_eq!(logout.command, "LOGOUT");
    assert!(matches!(
        &logout.untagged[0],
        Response::Status(Status {
            kind: StatusKind::Bye,
            ..
        })
    ));
    assert_eq!(events[4], Event::Closed);
}

#[test]
fn rfc3501_sample_session() {
    let sample = Sample::rfc3501();
    let mut s = rfc_session();
    let events = run(&mut s, &rfc3501_script(&sample));
    assert_eq!(
        outline(&events),
        [
            "greeting Ok",
            "a001 LOGIN Ok",
            "a002 SELECT Ok",
            "a003 FETCH Ok",
            "a004 FETCH Ok",
            "a005 STORE Ok",
            "a006 LOGOUT Ok",
            "Closed"
        ]
    );
    let Event::Greeting(greeting) = &events[0] else {
        unreachable!()
    };
    assert_eq!(greeting.text, "IMAP4rev1 Service Ready");
    let select = done(&events[2]);
    assert_eq!(select.code(), Some(&Code::ReadWrite));
    assert_eq!(select.untagged.len(), 5);
    check_fetch_store_logout(
        &events[3..],
        "IMAP4rev1",
        "<B27397-0100000@cac.washington.edu>",
    );
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
    let sample = Sample::rfc3501();
    assert_split_invariant(&rfc3501_script(&sample), &rfc_session);
    let sample = Sample::rfc9051();
    assert_split_invariant(&rfc9051_script(&sample), &rfc_session);
}

/// RFC 9051 §8: STARTTLS, AUTHENTICATE SCRAM-SHA-256 with an initial response (the RFC 7677
/// test vector: user `user`, password `pencil`, client nonce `rOprNGfwEbeRWgbNEkqO`), ENABLE
/// IMAP4rev2, SELECT with the mailbox's LIST (OLDNAME), FETCH, STORE, LOGOUT.
fn rfc9051_script(sample: &Sample) -> Vec<Step<'_>> {
    let mut script = vec![
        S(
            b"* OK [CAPABILITY STARTTLS AUTH=SCRAM-SHA-256 LOGINDISABLED IMAP4rev2] \
IMAP4rev2 Service Ready\r\n",
        ),
        A(&|s| {
            assert_eq!(
                s.login("mrc", &secret("secret")),
                Err(ClientError::LoginDisabled)
            );
            s.set_next_tag("a000").unwrap();
            s.starttls().unwrap();
        }),
        Ci(b"a000 starttls\r\n"),
        S(b"a000 OK Proceed with TLS negotiation\r\n"),
        A(&|s| {
            assert_eq!(s.next_event(), Ok(Event::StartTls));
            s.tls_started().unwrap();
            s.set_next_tag("A001").unwrap();
            let scram = sasl::ClientSession::with_nonce(
                Mechanism::ScramSha256,
                Credentials::password("user", "pencil"),
                "rOprNGfwEbeRWgbNEkqO",
            )
            .unwrap();
            s.authenticate_with(scram).unwrap();
        }),
        C(b"A001 AUTHENTICATE SCRAM-SHA-256 biwsbj11c2VyLHI9ck9wck5HZndFYmVSV2diTkVrcU8=\r\n"),
        S(
            b"+ cj1yT3ByTkdmd0ViZVJXZ2JORWtxTyVodllEcFdVYTJSYVRDQWZ1eEZJbGopaE\
5sRiRrMCxzPVcyMlphSjBTTlk3c29Fc1VFamI2Z1E9PSxpPTQwOTY=\r\n",
        ),
        C(
            b"Yz1iaXdzLHI9ck9wck5HZndFYmVSV2diTkVrcU8laHZZRHBXVWEyUmFUQ0FmdXhG\
SWxqKWhObEYkazAscD1kSHpiWmFwV0lrNGpVaE4rVXRlOXl0YWc5empmTUhnc3Ft\
bWl6N0FuZFZRPQ==\r\n",
        ),
        S(
            b"+ dj02cnJpVFJCaTIzV3BSUi93dHVwK21NaFVaVW4vZEI1bkxUSlJzamw5NUc0\
PQ==\r\n",
        ),
        C(b"\r\n"),
        S(b"A001 OK SCRAM-SHA-256 authentication successful\r\n"),
        A(&|s| {
            s.set_next_tag("babc").unwrap();
            s.command(|e| {
                e.raw(b"ENABLE IMAP4rev2");
            })
            .unwrap();
        }),
        C(b"babc ENABLE IMAP4rev2\r\n"),
        S(b"* ENABLED IMAP4rev2\r\nbabc OK Some capabilities enabled\r\n"),
        A(&|s| {
            s.set_next_tag("a002").unwrap();
            s.select("inbox");
        }),
        Ci(b"a002 select inbox\r\n"),
        S(b"* 18 EXISTS\r\n\
* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n\
* OK [UIDVALIDITY 3857529045] UIDs valid\r\n\
* LIST () \"/\" INBOX (\"OLDNAME\" (\"inbox\"))\r\n\
a002 OK [READ-WRITE] SELECT completed\r\n"),
    ];
    script.extend(fetch_store_logout(
        &sample.full,
        &sample.header,
        b"* BYE IMAP4rev2 server terminating connection\r\na006 OK LOGOUT completed\r\n",
    ));
    script
}

#[test]
fn rfc9051_sample_session() {
    let sample = Sample::rfc9051();
    let mut s = rfc_session();
    let events = run(&mut s, &rfc9051_script(&sample));
    assert_eq!(
        outline(&events),
        [
            "greeting Ok",
            "a000 STARTTLS Ok",
            "StartTls",
            "A001 AUTHENTICATE Ok",
            "babc ENABLE Ok",
            "a002 SELECT Ok",
            "a003 FETCH Ok",
            "a004 FETCH Ok",
            "a005 STORE Ok",
            "a006 LOGOUT Ok",
            "Closed"
        ]
    );
    assert!(s.tls_active());
    assert_eq!(s.enabled().collect::<Vec<_>>(), ["IMAP4rev2"]);
    let select = done(&events[5]);
    assert_eq!(select.untagged.len(), 4, "LIST included");
    let Response::Data(Data::List(list)) = &select.untagged[3] else {
        panic!("{:?}", select.untagged[3]);
    };
    assert_eq!(list.mailbox, Mailbox::Inbox);
    assert_eq!(
        list.extended,
        [ListExtendedItem::OldName(Mailbox::from("inbox"))]
    );
    check_fetch_store_logout(
        &events[6..],
        "IMAP4rev2",
        "<B27397-0100000@cac.washington.ed>",
    );
    let m = s.mailbox().unwrap();
    assert_eq!(
        (m.exists, m.uid_validity, m.uid_next, m.read_only),
        (18, Some(3857529045), None, false)
    );
    // The capabilities from before TLS were forgotten, and the login's OK carried none.
    assert!(s.capabilities().is_none());
}
