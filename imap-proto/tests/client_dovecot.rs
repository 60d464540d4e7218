//! The sans-IO [`ClientSession`] against a real Dovecot (2.3, IMAP4rev1 with LITERAL+, SASL-IR,
//! UIDPLUS, IDLE) over a socket on 127.0.0.1, with a tiny blocking driver: greeting and
//! CAPABILITY, LOGIN refused and accepted, AUTHENTICATE PLAIN with an initial response, SELECT,
//! APPEND with a synchronizing literal and with `{n+}` (APPENDUID), FETCH of ENVELOPE,
//! BODYSTRUCTURE and BODY[] of a multipart message, UID SEARCH, STORE, IDLE woken by another
//! connection's APPEND, EXPUNGE, LOGOUT. A missing Dovecot fails the test
//! (`testkit::peer::require`).

use std::num::NonZeroU32;

use imap_proto::client::{
    ClientConfig, Code, Completion, ConnectionState, Event, Response, StatusKind,
};
use imap_proto::response::{BodyStructure, Data, MsgAtt, SinglePartKind};
use imap_proto::token::{Flag, FlagPerm};
use sasl::{Credentials, Mechanism};
use testkit::dovecot::Dovecot;

#[path = "common/blocking.rs"]
mod blocking;
use blocking::Conn;

/// A multipart message with a text part and a base64 attachment (CRLF line ends, as IMAP
/// stores them).
const MULTIPART: &[u8] = b"From: Bob Sender <bob@example.org>\r\n\
To: Alice <alice@example.org>\r\n\
Subject: multipart over imap-proto\r\n\
Date: Wed, 02 Dec 2026 08:00:00 +0000\r\n\
Message-ID: <mp-1@example.org>\r\n\
MIME-Version: 1.0\r\n\
Content-Type: multipart/mixed; boundary=\"b1\"\r\n\
\r\n\
--b1\r\n\
Content-Type: text/plain; charset=utf-8\r\n\
\r\n\
Hello Alice,\r\nthe attachment follows.\r\n\
--b1\r\n\
Content-Type: application/octet-stream; name=\"x.bin\"\r\n\
Content-Disposition: attachment; filename=\"x.bin\"\r\n\
Content-Transfer-Encoding: base64\r\n\
\r\n\
AAECAwQFBgcICQ==\r\n\
--b1--\r\n";

/// A plain message.
const PLAIN: &[u8] = b"From: Carol <carol@example.org>\r\n\
To: Alice <alice@example.org>\r\n\
Subject: plain\r\n\
\r\n\
Just text.\r\n";

/// One connection: the socket and the session, and every byte the client wrote.
/// A session configuration for loopback: LOGIN and PLAIN without TLS allowed, no automatic
/// CAPABILITY (the test asks itself).
fn loopback() -> ClientConfig {
    ClientConfig {
        allow_plaintext_credentials: true,
        auto_capability: false,
        ..ClientConfig::default()
    }
}

/// The UID an APPEND's completion reports (`[APPENDUID validity uid]`, RFC 4315 §3).
fn append_uid(c: &Completion, uid_validity: u32) -> u32 {
    assert!(c.is_ok(), "APPEND: {c:?}");
    match c.code() {
        Some(Code::AppendUid {
            uid_validity: v,
            uids,
        }) => {
            assert_eq!(*v, uid_validity, "APPENDUID's UIDVALIDITY is the mailbox's");
            let mut e = imap_proto::Encoder::server();
            uids.encode(&mut e);
            let text = String::from_utf8(e.take()).expect("ASCII");
            text.parse().expect("one UID")
        }
        other => panic!("APPEND without APPENDUID: {other:?}"),
    }
}

/// The FETCH items of a completion's untagged responses.
fn fetch_items(c: &Completion) -> Vec<&MsgAtt<'static>> {
    c.untagged
        .iter()
        .filter_map(|r| match r {
            Response::Data(Data::Fetch { items, .. }) => Some(items),
            _ => None,
        })
        .flatten()
        .collect()
}

#[test]
fn client_session_against_dovecot() {
    testkit::peer::require("dovecot");
    let dir = tempfile::tempdir().expect("temp dir");
    // No delay after a failed login (Dovecot's default is 2 s).
    let dc = Dovecot::start_with(
        dir.path(),
        &[("alice", "secret")],
        "auth_failure_delay = 0\n",
    )
    .expect("start Dovecot");
    let addr = dc.imap_addr();

    // Greeting with its CAPABILITY code, then CAPABILITY itself.
    let mut a = Conn::open(addr, loopback());
    let greeting = a.greeting();
    assert_eq!(greeting.kind, StatusKind::Ok);
    let caps = a
        .session
        .capabilities()
        .expect("the greeting's CAPABILITY code");
    assert!(caps.has("IMAP4rev1") && caps.auth("PLAIN") && caps.sasl_ir());
    let tag = a.session.capability();
    let cap = a.done(&tag);
    assert!(cap.is_ok());
    assert!(
        matches!(&cap.untagged[..], [Response::Data(Data::Capability(list))] if !list.is_empty()),
        "{cap:?}"
    );
    let caps = a.session.capabilities().expect("capabilities");
    assert!(caps.has("LITERAL+") && caps.has("IDLE"));

    // A wrong password: NO [AUTHENTICATIONFAILED], still not authenticated.
    let refused = a.login("alice", "wrong");
    assert_eq!(refused.kind(), StatusKind::No, "{refused:?}");
    assert_eq!(refused.code(), Some(&Code::AuthenticationFailed));
    assert_eq!(a.session.state(), ConnectionState::NotAuthenticated);

    // The right one.
    let ok = a.login("alice", "secret");
    assert!(ok.is_ok(), "{ok:?}");
    assert_eq!(a.session.state(), ConnectionState::Authenticated);
    // The OK carried no CAPABILITY code (Dovecot leaves it out once the client asked): the
    // session forgot the pre-login list (RFC 9051 §6.2.3) and asks again.
    if a.session.capabilities().is_none() {
        let tag = a.session.capability();
        assert!(a.done(&tag).is_ok());
    }
    let caps = a.session.capabilities().expect("capabilities after login");
    assert!(caps.has("UIDPLUS") && caps.has("LITERAL+"), "{caps:?}");

    // SELECT INBOX: the mailbox's state.
    let select = a.select_inbox();
    assert!(select.is_ok(), "{select:?}");
    assert_eq!(select.code(), Some(&Code::ReadWrite));
    let m = a.session.mailbox().expect("selected").clone();
    assert_eq!(m.exists, 0);
    let uid_validity = m.uid_validity.expect("UIDVALIDITY");
    assert!(m.uid_next.is_some(), "UIDNEXT");
    let permanent = m.permanent_flags.expect("PERMANENTFLAGS");
    assert!(permanent.contains(&FlagPerm::Flag(Flag::Deleted)));
    assert!(permanent.contains(&FlagPerm::Any));
    assert!(m.flags.contains(&Flag::Seen));

    // APPEND with `{n+}` (Dovecot offers LITERAL+): no continuation request.
    let before = a.sent.len();
    let uid_multipart = append_uid(&a.append(MULTIPART), uid_validity);
    let wire = String::from_utf8_lossy(&a.sent[before..]).into_owned();
    assert!(
        wire.contains(&format!("{{{}+}}\r\n", MULTIPART.len())),
        "{wire}"
    );

    // APPEND with a synchronizing literal: a second session with `{n+}` turned off.
    let mut b = Conn::open(
        addr,
        ClientConfig {
            literal_plus: false,
            ..loopback()
        },
    );
    b.greeting();
    assert!(b.login("alice", "secret").is_ok());
    assert!(b.select_inbox().is_ok());
    let before = b.sent.len();
    let uid_plain = append_uid(&b.append(PLAIN), uid_validity);
    let wire = String::from_utf8_lossy(&b.sent[before..]).into_owned();
    assert!(wire.contains(&format!("{{{}}}\r\n", PLAIN.len())), "{wire}");
    assert!(uid_plain > uid_multipart);
    let logout = b.session.logout();
    assert!(b.done(&logout).is_ok());

    // The first session heard of the new messages (EXISTS).
    let noop = a.command("NOOP");
    assert!(noop.is_ok());
    assert_eq!(a.session.mailbox().expect("selected").exists, 2);

    // FETCH ENVELOPE, BODYSTRUCTURE and BODY[] of the multipart message.
    let fetch = a.command(&format!(
        "UID FETCH {uid_multipart} (ENVELOPE BODYSTRUCTURE BODY.PEEK[])"
    ));
    assert!(fetch.is_ok(), "{fetch:?}");
    let items = fetch_items(&fetch);
    let envelope = items
        .iter()
        .find_map(|i| match i {
            MsgAtt::Envelope(e) => Some(e),
            _ => None,
        })
        .expect("ENVELOPE");
    assert_eq!(
        envelope.subject.as_bytes(),
        Some(b"multipart over imap-proto".as_slice())
    );
    assert_eq!(envelope.from.len(), 1);
    assert_eq!(
        envelope.from[0].name.as_bytes(),
        Some(b"Bob Sender".as_slice())
    );
    assert_eq!(envelope.from[0].mailbox.as_bytes(), Some(b"bob".as_slice()));
    assert_eq!(
        envelope.from[0].host.as_bytes(),
        Some(b"example.org".as_slice())
    );
    assert_eq!(
        envelope.message_id.as_bytes(),
        Some(b"<mp-1@example.org>".as_slice())
    );
    let structure = items
        .iter()
        .find_map(|i| match i {
            MsgAtt::BodyStructure(b) => Some(b),
            _ => None,
        })
        .expect("BODYSTRUCTURE");
    let BodyStructure::Multi(multi) = structure.as_ref() else {
        panic!("not multipart: {structure:?}");
    };
    assert!(multi.subtype.as_bytes().eq_ignore_ascii_case(b"mixed"));
    assert!(
        multi
            .params
            .iter()
            .any(|(k, v)| k.as_bytes().eq_ignore_ascii_case(b"boundary") && v.as_bytes() == b"b1")
    );
    let [
        BodyStructure::Single(text),
        BodyStructure::Single(attachment),
    ] = multi.parts.as_slice()
    else {
        panic!("two parts: {multi:?}");
    };
    assert!(text.media_type.as_bytes().eq_ignore_ascii_case(b"text"));
    // The CRLF before a boundary belongs to the delimiter (RFC 2046 §5.1.1): one line break.
    let text_body = b"Hello Alice,\r\nthe attachment follows.";
    assert!(
        matches!(text.kind, SinglePartKind::Text { lines: 1 }),
        "{text:?}"
    );
    assert_eq!(text.fields.octets as usize, text_body.len());
    assert!(
        attachment
            .subtype
            .as_bytes()
            .eq_ignore_ascii_case(b"octet-stream")
    );
    assert!(
        attachment
            .fields
            .encoding
            .as_bytes()
            .eq_ignore_ascii_case(b"base64")
    );
    let disposition = attachment.ext.disposition.as_ref().expect("disposition");
    assert!(
        disposition
            .kind
            .as_bytes()
            .eq_ignore_ascii_case(b"attachment")
    );
    let body = items
        .iter()
        .find_map(|i| match i {
            MsgAtt::BodySection { section, data, .. }
                if section.part.is_empty() && section.text.is_none() =>
            {
                data.as_bytes()
            }
            _ => None,
        })
        .expect("BODY[]");
    assert_eq!(
        body, MULTIPART,
        "BODY[] is the message appended, octet for octet"
    );

    // UID SEARCH.
    let search = a.command("UID SEARCH SUBJECT \"multipart\"");
    assert!(search.is_ok());
    assert_eq!(
        search.untagged,
        [Response::Data(Data::Search {
            nums: vec![uid_multipart],
            modseq: None
        })]
    );

    // STORE +FLAGS: the new flags come back in an untagged FETCH.
    let store = a.command(&format!("UID STORE {uid_plain} +FLAGS (\\Deleted)"));
    assert!(store.is_ok(), "{store:?}");
    let flags = fetch_items(&store)
        .into_iter()
        .find_map(|i| match i {
            MsgAtt::Flags(f) => Some(f.clone()),
            _ => None,
        })
        .expect("FETCH FLAGS after STORE");
    assert!(
        flags.contains(&Flag::Deleted) && flags.contains(&Flag::Seen),
        "{flags:?}"
    );

    // IDLE; another connection APPENDs; `* 3 EXISTS` arrives; DONE.
    let idle = a.session.idle().expect("IDLE");
    match a.next() {
        Event::Idling { tag } => assert_eq!(tag, idle),
        other => panic!("expected Idling, got {other:?}"),
    }
    let mut c = Conn::open(addr, loopback());
    c.greeting();
    assert!(c.login("alice", "secret").is_ok());
    let appended = c.session.append("INBOX", &[], PLAIN);
    assert!(c.done(&appended).is_ok());
    loop {
        match a.next() {
            Event::Untagged(Response::Data(Data::Exists(3))) => break,
            Event::Untagged(_) => {}
            other => panic!("while idling: {other:?}"),
        }
    }
    assert_eq!(a.session.mailbox().expect("selected").exists, 3);
    a.session.done().expect("DONE");
    let idle_done = a.done(&idle);
    assert!(idle_done.is_ok(), "{idle_done:?}");

    // EXPUNGE: the \Deleted message goes.
    let expunge = a.command("EXPUNGE");
    assert!(expunge.is_ok(), "{expunge:?}");
    assert_eq!(
        expunge.untagged,
        [Response::Data(Data::Expunge(
            NonZeroU32::new(2).expect("2")
        ))],
        "the second message (the plain one) was \\Deleted"
    );
    assert_eq!(a.session.mailbox().expect("selected").exists, 2);

    // AUTHENTICATE PLAIN with SASL-IR on a fresh connection.
    let mut d = Conn::open(addr, loopback());
    d.greeting();
    let tag = d
        .session
        .authenticate(Mechanism::Plain, Credentials::password("alice", "secret"))
        .expect("AUTHENTICATE");
    let auth = d.done(&tag);
    assert!(auth.is_ok(), "{auth:?}");
    let wire = String::from_utf8_lossy(&d.sent).into_owned();
    // base64("\0alice\0secret")
    assert!(
        wire.starts_with(&format!(
            "{tag} AUTHENTICATE PLAIN AGFsaWNlAHNlY3JldA==\r\n"
        )),
        "{wire}"
    );
    assert_eq!(d.session.state(), ConnectionState::Authenticated);

    // LOGOUT: BYE, the completion, then Closed.
    for conn in [&mut a, &mut c, &mut d] {
        let tag = conn.session.logout();
        let done = conn.done(&tag);
        assert!(done.is_ok(), "{done:?}");
        assert!(matches!(
            &done.untagged[..],
            [Response::Status(s)] if s.kind == StatusKind::Bye
        ));
        assert_eq!(conn.next(), Event::Closed);
        assert_eq!(conn.session.state(), ConnectionState::Logout);
    }
    drop(dc);
}
