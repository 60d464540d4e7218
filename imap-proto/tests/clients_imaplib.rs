//! The sample session of RFC 9051 §8, replayed by Python's `imaplib` against our server: an
//! INBOX of 18 messages whose 12th is the RFC's (same header, `\Seen`, INTERNALDATE
//! "17-Jul-1996 02:44:25 -0700"); LOGIN, SELECT, FETCH 12 FULL, FETCH 12 BODY[HEADER],
//! STORE 12 +FLAGS \Deleted, LOGOUT. Asserts each answer as imaplib returned it.

#[path = "common/clients.rs"]
mod clients;
mod server_support;

use std::time::{Duration, SystemTime};

use clients::{Seen, contents};
use mailstore::{AppendOptions, Flag, MessageSource};
use server_support::TestServer;

/// The header of the message of the RFC's sample session (342 octets, as there).
const HEADER: &[u8] = b"Date: Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\r\n\
From: Terry Gray <gray@cac.washington.edu>\r\nSubject: IMAP4rev2 WG mtg summary and minutes\r\n\
To: imap@cac.washington.edu\r\ncc: minutes@CNRI.Reston.VA.US, John Klensin <KLENSIN@MIT.EDU>\r\n\
Message-Id: <B27397-0100000@cac.washington.edu>\r\nMIME-Version: 1.0\r\n\
Content-Type: TEXT/PLAIN; CHARSET=US-ASCII\r\n\r\n";

/// 17-Jul-1996 02:44:25 -0700 in seconds since the epoch.
const INTERNAL_DATE: u64 = 837_596_665;

/// The flags of a `FLAGS (...)` list in `text`, sorted, without `\Recent`.
fn flags_in(text: &str) -> Vec<String> {
    let start = text.find("FLAGS (").expect("FLAGS") + "FLAGS (".len();
    let end = start + text[start..].find(')').expect(")");
    let mut flags: Vec<String> = text[start..end]
        .split(' ')
        .filter(|f| !f.is_empty() && *f != "\\Recent")
        .map(str::to_owned)
        .collect();
    flags.sort();
    flags
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rfc9051_sample_session_with_imaplib() {
    let server = TestServer::start(Default::default()).await;
    let account = server.account("alice").await;
    let message = [HEADER, b"minutes\r\n"].concat();
    assert_eq!(HEADER.len(), 342);
    for n in 1..=18u32 {
        let (bytes, options) = if n == 12 {
            (
                message.clone(),
                AppendOptions {
                    flags: [Flag::Seen].into_iter().collect(),
                    internal_date: Some(
                        SystemTime::UNIX_EPOCH + Duration::from_secs(INTERNAL_DATE),
                    ),
                },
            )
        } else {
            (
                format!("Subject: message {n}\r\n\r\nbody {n}\r\n").into_bytes(),
                AppendOptions::default(),
            )
        };
        account
            .append("INBOX", MessageSource::Bytes(bytes.into()), options)
            .await
            .expect("append");
    }

    let out = testkit::Python::script(include_str!("clients/rfc9051_sample.py"))
        .arg(server.addr.port().to_string())
        .arg("alice")
        .arg("wonderland")
        .run()
        .await;
    let seen = Seen::parse(&out.stdout, &out.stderr);
    out.assert_success();

    assert!(
        seen.get("greeting").starts_with("* OK"),
        "{}",
        seen.transcript
    );
    seen.expect("login", "OK");
    // S: * 18 EXISTS, * FLAGS (...), * OK [UIDVALIDITY ...], a002 OK [READ-WRITE]
    seen.expect("select", "OK 18");
    assert_eq!(
        flags_in(&format!("FLAGS {}", seen.get("flags"))),
        vec!["\\Answered", "\\Deleted", "\\Draft", "\\Flagged", "\\Seen"]
    );
    let uid_validity = server.uid_validity("alice", "INBOX").await;
    seen.expect("uidvalidity", &uid_validity.to_string());
    seen.expect("read-write", "READ-WRITE");

    // S: * 12 FETCH (FLAGS (\Seen) INTERNALDATE ... RFC822.SIZE ... ENVELOPE (...) BODY (...))
    let full = seen.get("full");
    assert!(full.starts_with("OK 12 ("), "{full}");
    assert_eq!(flags_in(full), vec!["\\Seen"]);
    assert!(
        full.contains(&format!("RFC822.SIZE {}", message.len())),
        "{full}"
    );
    seen.expect("internaldate", &INTERNAL_DATE.to_string());
    let envelope = "ENVELOPE (\"Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\" \
        \"IMAP4rev2 WG mtg summary and minutes\" \
        ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) \
        ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) \
        ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) \
        ((NIL NIL \"imap\" \"cac.washington.edu\")) \
        ((NIL NIL \"minutes\" \"CNRI.Reston.VA.US\")\
        (\"John Klensin\" NIL \"KLENSIN\" \"MIT.EDU\")) NIL NIL \
        \"<B27397-0100000@cac.washington.edu>\")";
    assert!(full.contains(envelope), "{full}\nlacks\n{envelope}");
    // BODY: type, subtype and parameter names are case-insensitive (RFC 9051 §7.5.2).
    let body = "BODY (\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 9 1)";
    assert!(
        full.to_ascii_uppercase().ends_with(&format!("{body})")),
        "{full}\nlacks\n{body}"
    );

    // S: * 12 FETCH (BODY[HEADER] {342} ...)
    seen.expect("header", "OK 12 (BODY[HEADER] {342}");
    let octets: String = HEADER.iter().map(|b| format!("{b:02x}")).collect();
    seen.expect("header-octets", &octets);

    // S: * 12 FETCH (FLAGS (\Seen \Deleted)), a005 OK
    let store = seen.get("store");
    assert!(store.starts_with("OK 12 ("), "{store}");
    assert_eq!(flags_in(store), vec!["\\Deleted", "\\Seen"]);
    // S: * BYE ..., a006 OK
    assert!(seen.get("logout").starts_with("BYE"), "{}", seen.transcript);

    let inbox = contents(&server, "INBOX").await;
    assert_eq!(inbox.len(), 18);
    assert!(inbox[11].1 == message);
    assert_eq!(inbox[11].2, vec!["\\Deleted", "\\Seen"]);
    server.stop().await;
}
