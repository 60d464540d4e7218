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
