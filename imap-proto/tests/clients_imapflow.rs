//! imapflow (npm), a strict modern IMAP client, against our server on 127.0.0.1, in plain text
//! and with implicit TLS (testkit certificates, not verified by the client): it enables
//! CONDSTORE and QRESYNC (RFC 7162), lists, opens INBOX, fetches envelope, body structure and
//! source, adds flags (MODSEQ moves on), moves (UIDPLUS's COPYUID), appends (APPENDUID), and
//! idles while another connection appends. The script (`clients/imapflow_session.js`) prints
//! what the client saw; the test compares it with the messages and with the store afterwards.

#[path = "common/clients.rs"]
mod clients;
mod server_support;

use std::time::Duration;

use clients::{MESSAGES, PARTS, Seen, contents, create, put, unbase64};
use server_support::{Options, TestServer};

/// Runs the imapflow script against `server` (`mode` "plain" or "tls") and checks all it saw.
async fn imapflow_session(server: TestServer, mode: &str) {
    testkit::node::require_module("imapflow");
    for m in MESSAGES {
        put(&server, "INBOX", m, &[]).await;
    }
    create(&server, "Archive").await;
    let out = testkit::node::Node::script(include_str!("clients/imapflow_session.js"))
        .arg(server.addr.port().to_string())
        .arg("alice")
        .arg("wonderland")
        .arg(mode)
        .timeout(Duration::from_secs(60))
        .run()
        .await;
    let seen = Seen::parse(&out.stdout, &out.stderr);
    out.assert_success();
    assert!(seen.all("error").is_empty(), "{}", seen.transcript);

    seen.expect("secure", if mode == "tls" { "true" } else { "false" });
    let capabilities: Vec<&str> = seen.get("capabilities").split(' ').collect();
    for needed in ["IDLE", "MOVE", "UIDPLUS", "ENABLE", "CONDSTORE", "QRESYNC"] {
        assert!(capabilities.contains(&needed), "{needed}: {capabilities:?}");
    }
    // imapflow enables what it can use (RFC 5161): at least CONDSTORE and QRESYNC.
    let enabled: Vec<&str> = seen.get("enabled").split(' ').collect();
    for needed in ["CONDSTORE", "QRESYNC"] {
        assert!(enabled.contains(&needed), "{needed}: {enabled:?}");
    }
    let listed = seen.all("list");
    assert!(listed.contains(&"INBOX . \\Inbox"), "{listed:?}");
    // The store gives "Archive" its special use by name, or none.
    assert!(
        listed.contains(&"Archive . -") || listed.contains(&"Archive . \\Archive"),
        "{listed:?}"
    );

    let uid_validity = server.uid_validity("alice", "INBOX").await;
    seen.expect(
        "open",
        &format!("INBOX exists=3 uidValidity={uid_validity} highestModseq=true"),
    );
    let expected = [
        (
            "first message",
            "Alice Sender <alice.sender@example.org>",
            "<m1@example.org>",
            "text/plain:7bit:40",
        ),
        (
            "parts and pieces",
            "Carol <carol@example.com>",
            "<m2@example.com>",
            "multipart/mixed(text/plain:quoted-printable:17,application/octet-stream:base64:16)",
        ),
        (
            "third one",
            " <dave@example.org>",
            "<m3@example.org>",
            "text/plain:7bit:7",
        ),
    ];
    for (i, message) in MESSAGES.iter().enumerate() {
        let seq = i + 1;
        let (subject, from, id, structure) = expected[i];
        seen.expect(&format!("{seq} uid"), &seq.to_string());
        seen.expect(&format!("{seq} subject"), subject);
        seen.expect(&format!("{seq} from"), from);
        seen.expect(&format!("{seq} message-id"), id);
        seen.expect(&format!("{seq} structure"), structure);
        assert!(
            unbase64(seen.get(&format!("{seq} source"))) == *message,
            "source of {seq} differs\n{}",
            seen.transcript
        );
        let n = message.len();
        seen.expect(&format!("{seq} size"), &format!("{n} {n}"));
        seen.expect(&format!("{seq} flags"), "");
    }

    seen.expect("flagsAdd", "true");
    seen.expect("flags-after", "$Important \\Flagged");
    // CONDSTORE: the flag change gave the message a MODSEQ above the mailbox's at SELECT.
    let modseq: Vec<u64> = seen
        .get("modseq")
        .split(' ')
        .map(|n| {
            n.parse()
                .unwrap_or_else(|_| panic!("MODSEQ {n:?}\n{}", seen.transcript))
        })
        .collect();
    assert!(modseq[1] > modseq[0], "{modseq:?}\n{}", seen.transcript);
    seen.expect("move", "Archive 2->1");
    seen.expect("append", "INBOX uid=4 uidValidity=true");
    seen.expect(
        "status",
        r#"{"path":"INBOX","messages":3,"uidNext":5,"unseen":2}"#,
    );
    seen.expect("idle-exists", "INBOX 3->4");
    seen.expect("done", "ok");

    let inbox = contents(&server, "INBOX").await;
    let uids: Vec<u32> = inbox.iter().map(|m| m.0).collect();
    assert_eq!(uids, vec![1, 3, 4, 5]);
    assert_eq!(inbox[0].2, vec!["$Important", "\\Flagged"]);
    assert_eq!(inbox[2].2, vec!["\\Seen"]);
    assert!(inbox[2].1.ends_with(b"appended\r\n"));
    let archive = contents(&server, "Archive").await;
    assert_eq!(archive.len(), 1);
    assert!(archive[0].1 == PARTS, "the moved message changed");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn imapflow_plain() {
    imapflow_session(TestServer::start(Options::default()).await, "plain").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn imapflow_implicit_tls() {
    let options = Options {
        tls: true,
        implicit_tls: true,
        ..Options::default()
    };
    imapflow_session(TestServer::start(options).await, "tls").await;
}

/// RFC822.SIZE is the exact size of the message as sent (CRLF line ends), also for a file
/// with bare LF line ends written into the Maildir by other software (and one named with
/// Dovecot's `,S=`/`,W=` sizes), and a 1 MB message comes whole: imapflow checks each literal
/// against its length, the test each size against the octets.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn imapflow_sizes_of_lf_files_and_a_large_message() {
    testkit::node::require_module("imapflow");
    let server = TestServer::start(Options::default()).await;
    put(&server, "INBOX", MESSAGES[0], &[]).await;
    // Written by other software: LF line ends, one plain name, one with Dovecot's sizes.
    let lf = clients::to_lf(&clients::simple("lf@example.org", "bare LF", "one\ntwo"));
    let dovecot = clients::to_lf(&clients::simple("dc@example.org", "dovecot names", "three"));
    let maildir = server.root.join("alice");
    for (name, bytes) in [
        ("1700000000.M1P1.other".to_owned(), &lf),
        (
            format!(
                "1700000001.M2P2.other,S={},W={}:2,",
                dovecot.len(),
                clients::simple("dc@example.org", "dovecot names", "three").len()
            ),
            &dovecot,
        ),
    ] {
        let sub = if name.contains(":2,") { "cur" } else { "new" };
        std::fs::create_dir_all(maildir.join(sub)).expect("maildir");
        std::fs::write(maildir.join(sub).join(name), bytes).expect("write a Maildir file");
    }
    // A large message (streamed by the server), with some lines starting with a dot.
    let mut big = clients::simple("big@example.org", "big one", "").to_vec();
    let mut n = 0;
    while big.len() < 1 << 20 {
        big.extend_from_slice(
            format!(".line {n} of the big message, quick brown fox\r\n").as_bytes(),
        );
        n += 1;
    }
    let big_uid = put(&server, "INBOX", &big, &[]).await;

    let out = testkit::node::Node::script(include_str!("clients/imapflow_sizes.js"))
        .arg(server.addr.port().to_string())
        .arg("alice")
        .arg("wonderland")
        .arg(big_uid.to_string())
        .timeout(Duration::from_secs(90))
        .run()
        .await;
    let seen = Seen::parse(&out.stdout, &out.stderr);
    out.assert_success();
    let meta = server.messages("alice", "INBOX").await;
    assert_eq!(meta.len(), 4, "{}", seen.transcript);
    let crlf = |m: &[u8]| -> Vec<u8> {
        let lf = clients::to_lf(m);
        let mut out = Vec::with_capacity(lf.len() * 2);
        for &b in &lf {
            if b == b'\n' {
                out.push(b'\r');
            }
            out.push(b);
        }
        out
    };
    let mut subjects = Vec::new();
    for m in &meta {
        let uid = m.uid;
        let source = unbase64(seen.get(&format!("{uid} source")));
        let subject = seen.get(&format!("{uid} subject")).to_owned();
        // What was sent, in CRLF form.
        let sent = match subject.as_str() {
            "first message" => MESSAGES[0].to_vec(),
            "bare LF" => crlf(&lf),
            "dovecot names" => crlf(&dovecot),
            "big one" => big.clone(),
            other => panic!("unexpected message {other:?}"),
        };
        assert!(source == sent, "UID {uid} ({subject}): the octets differ");
        let n = sent.len();
        seen.expect(&format!("{uid} size"), &format!("{n} {n}"));
        assert_eq!(m.size, n as u64, "the store's size of UID {uid}");
        subjects.push(subject);
    }
    subjects.sort();
    assert_eq!(
        subjects,
        vec!["bare LF", "big one", "dovecot names", "first message"]
    );
    // BODY[TEXT] of the big one: its body, every octet.
    let text = big.len() - clients::simple("big@example.org", "big one", "").len() + 2;
    seen.expect("download", &text.to_string());
    assert!(unbase64(seen.get("download-ends")) == big[big.len() - 60..]);
    seen.expect("done", "ok");
    server.stop().await;
}
