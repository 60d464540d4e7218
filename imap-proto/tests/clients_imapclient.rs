//! IMAPClient (PyPI), a widely used Python IMAP library, against our server on 127.0.0.1: it
//! logs in, lists folders, selects INBOX, searches, fetches ENVELOPE, BODYSTRUCTURE and BODY[],
//! adds flags, moves a message, and idles while another connection appends (RFC 9051 §6.3.13,
//! RFC 2177). The script (`clients/imapclient_session.py`) prints what the library returned;
//! the test compares it with the messages stored and with the store afterwards.

#[path = "common/clients.rs"]
mod clients;
mod server_support;

use std::time::Duration;

use clients::{FIRST, MESSAGES, PARTS, Seen, THIRD, contents, server_with_messages, unbase64};

/// The body octets of `message` (after the empty line).
fn body_len(message: &[u8]) -> usize {
    message
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map_or(0, |at| message.len() - at - 4)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn imapclient_reads_searches_flags_moves_and_idles() {
    testkit::peer::require_python_module("imapclient");
    let server = server_with_messages().await;
    let out = testkit::Python::script(include_str!("clients/imapclient_session.py"))
        .arg(server.addr.port().to_string())
        .arg("alice")
        .arg("wonderland")
        .timeout(Duration::from_secs(60))
        .run()
        .await;
    let seen = Seen::parse(&out.stdout, &out.stderr);
    out.assert_success();

    // LIST: both mailboxes, with the store's hierarchy separator.
    let folders = seen.all("folder");
    for name in ["INBOX", "Archive"] {
        assert!(
            folders.iter().any(|f| f.starts_with(&format!("{name} . "))),
            "{name} not listed: {folders:?}"
        );
    }
    seen.expect("exists", "3");
    let uid_validity = server.uid_validity("alice", "INBOX").await;
    seen.expect("uidvalidity", &uid_validity.to_string());

    // SEARCH by header, address, body text, flag.
    seen.expect("search-subject", "[2]");
    seen.expect("search-from", "[1]");
    seen.expect("search-body", "[3]");
    seen.expect("search-unseen", "[1, 2, 3]");
    seen.expect("search-all", "[1, 2, 3]");

    // FETCH ENVELOPE, BODYSTRUCTURE, BODY[] (exact octets), RFC822.SIZE, FLAGS.
    let envelopes = [
        (
            "first message",
            "Alice Sender <alice.sender@example.org>",
            "Bob <bob@example.net>",
            "<m1@example.org>",
        ),
        (
            "parts and pieces",
            "Carol <carol@example.com>",
            " <alice@example.org>",
            "<m2@example.com>",
        ),
        (
            "third one",
            " <dave@example.org>",
            " <alice@example.org>",
            "<m3@example.org>",
        ),
    ];
    // The multipart's parts: 17 octets of quoted-printable text, 16 of base64.
    let structures = [
        format!("text/plain:7bit:{}", body_len(FIRST)),
        "multipart/mixed(text/plain:quoted-printable:17,application/octet-stream:base64:16)"
            .to_owned(),
        format!("text/plain:7bit:{}", body_len(THIRD)),
    ];
    assert_eq!(b"Caf=C3=A9 au lait".len(), 17);
    assert_eq!(b"AAECAwQFBgcICQ==".len(), 16);
    for (i, message) in MESSAGES.iter().enumerate() {
        let uid = i + 1;
        let (subject, from, to, id) = envelopes[i];
        seen.expect(&format!("{uid} subject"), subject);
        seen.expect(&format!("{uid} from"), from);
        seen.expect(&format!("{uid} to"), to);
        seen.expect(&format!("{uid} message-id"), id);
        seen.expect(&format!("{uid} structure"), &structures[i]);
        assert!(
            unbase64(seen.get(&format!("{uid} body"))) == *message,
            "BODY[] of {uid} differs\n{}",
            seen.transcript
        );
        seen.expect(
            &format!("{uid} size"),
            &format!("{} {}", message.len(), message.len()),
        );
        seen.expect(&format!("{uid} flags"), "");
    }

    // STORE +FLAGS answers with the new flags; MOVE; STATUS of the target.
    seen.expect("add_flags", "\\Flagged \\Seen");
    seen.expect("has-move", "True");
    seen.expect("after-move", "[1, 3]");
    seen.expect("archive-status", "1");

    // The other connection's APPEND (UIDPLUS), and the idling one hears the new message.
    let append = seen.get("append");
    assert!(
        append.contains(&format!("[APPENDUID {uid_validity} 4]")),
        "{append}"
    );
    seen.expect("idle", "3:EXISTS");
    seen.expect("after-idle", "[1, 3, 4]");

    // The store agrees.
    let inbox = contents(&server, "INBOX").await;
    let uids: Vec<u32> = inbox.iter().map(|m| m.0).collect();
    assert_eq!(uids, vec![1, 3, 4]);
    assert_eq!(inbox[0].2, vec!["\\Flagged", "\\Seen"]);
    assert!(inbox[2].1.ends_with(b"wake up\r\n"));
    let archive = contents(&server, "Archive").await;
    assert_eq!(archive.len(), 1);
    assert!(archive[0].1 == PARTS, "the moved message changed");
    server.stop().await;
}

/// Waits (up to 20 s) for the file `path`.
async fn wait_for_file(path: &std::path::Path) {
    let appeared = clients::eventually(Duration::from_secs(20), async || path.exists()).await;
    assert!(appeared, "{} never appeared", path.display());
}

/// RFC 2177 IDLE as the issue asks it: a message delivered by the delivery agent (the store in
/// this process) reaches an idling IMAPClient at once, and one written into the same Maildir
/// by another process (a second `MaildirStore` over the same root, with its own notifier)
/// within a second.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn imapclient_idle_hears_the_delivery_agent_and_another_process() {
    testkit::peer::require_python_module("imapclient");
    let server = server_with_messages().await;
    let markers = tempfile::tempdir().expect("tempdir");
    let script = testkit::Python::script(include_str!("clients/imapclient_idle.py"))
        .arg(server.addr.port().to_string())
        .arg("alice")
        .arg("wonderland")
        .arg(markers.path().display().to_string())
        .timeout(Duration::from_secs(60));
    let client = tokio::spawn(async move { script.run().await });

    wait_for_file(&markers.path().join("idling-1")).await;
    clients::put(
        &server,
        "INBOX",
        &clients::simple("lda@example.org", "by the LDA", "1"),
        &[],
    )
    .await;
    wait_for_file(&markers.path().join("idling-2")).await;
    let other = mailstore::maildir::MaildirStore::new(&server.root);
    use mailstore::MailStore as _;
    other
        .account("alice")
        .await
        .expect("account")
        .append(
            "INBOX",
            mailstore::MessageSource::Bytes(
                clients::simple("mda@example.org", "by another process", "2").into(),
            ),
            mailstore::AppendOptions::default(),
        )
        .await
        .expect("append by another store");

    let out = client.await.expect("script task");
    let seen = Seen::parse(&out.stdout, &out.stderr);
    out.assert_success();
    seen.expect("exists", "3");
    let seconds = |key: &str| -> f64 {
        seen.get(key)
            .parse()
            .unwrap_or_else(|_| panic!("no EXISTS after {key}\n{}", seen.transcript))
    };
    // Both include the test's own polling for the marker (every 100 ms).
    eprintln!(
        "IDLE latency: delivery agent {} s, other process {} s",
        seen.get("delivery-agent"),
        seen.get("other-process")
    );
    assert!(seconds("delivery-agent") < 0.5, "{}", seen.transcript);
    assert!(seconds("other-process") < 1.2, "{}", seen.transcript);
    seen.expect("search", "[1, 2, 3, 4, 5]");
    server.stop().await;
}
