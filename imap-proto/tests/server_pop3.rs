//! The POP3 cross-check: the POP3 server and the IMAP server on one Maildir name the same
//! message the same way. POP3's `UIDL` (RFC 1939 §7) is the store's unique id
//! `<uidvalidity>.<uid>`; IMAP's UIDVALIDITY and UID (RFC 9051 §2.3.1.1) of the same message,
//! seen by Python's imaplib, must compose to it, and both servers must return the same octets.

mod server_support;

use std::sync::Arc;
use std::time::Duration;

use server_support::{Options, TestServer, USERS, hex, message};
use testkit::Python;
use tokio::net::TcpListener;

#[tokio::test]
async fn pop3_uidl_names_the_imap_uidvalidity_and_uid() {
    let imap = TestServer::start(Options::default()).await;
    let messages: Vec<Vec<u8>> = (0..3).map(|n| message(n, 400 + n * 300)).collect();
    for m in &messages {
        imap.deliver("alice", m).await;
    }
    // A POP3 server over the same store.
    let users = sasl::MemoryStore::new().with_iterations(64);
    for (user, password) in USERS {
        users.add_user(user, password);
    }
    let mut config = pop3_proto::session::ServerConfig::new("pop.test");
    config.auth.allow_plaintext = true;
    let pop3 = pop3_proto::server::Server::new(config);
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let pop3_port = listener.local_addr().expect("addr").port();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let store = imap.store.clone();
    let pop3_task = tokio::spawn(async move {
        pop3.serve(listener, store, Arc::new(users), async {
            let _ = stopped.await;
        })
        .await
    });

    let out = Python::script(
        r#"
import imaplib, poplib, sys
imap_port, pop3_port = int(sys.argv[1]), int(sys.argv[2])
P = poplib.POP3("127.0.0.1", pop3_port, timeout=10)
P.user("alice"); P.pass_("wonderland")
for line in P.uidl()[1]:
    n, uidl = line.decode().split()
    print("UIDL", n, uidl, b"\r\n".join(P.retr(int(n))[1]).hex())
P.quit()
M = imaplib.IMAP4("127.0.0.1", imap_port, timeout=10)
M.login("alice", "wonderland")
typ, data = M.status("INBOX", "(UIDVALIDITY)")
print("STATUS", data[0].decode())
M.select("INBOX", readonly=True)
typ, data = M.fetch("1:*", "(UID BODY.PEEK[])")
for item in data:
    if isinstance(item, tuple):
        print("FETCH", item[0].decode(), item[1].hex())
M.logout()
"#,
    )
    .arg(imap.addr.port().to_string())
    .arg(pop3_port.to_string())
    .timeout(Duration::from_secs(40))
    .run()
    .await;
    out.assert_success();
    let out = out.stdout;

    let validity: u32 = out
        .lines()
        .find_map(|l| l.strip_prefix("STATUS "))
        .and_then(|s| s.split("UIDVALIDITY ").nth(1))
        .and_then(|s| s.trim_end_matches(')').parse().ok())
        .expect("UIDVALIDITY from IMAP STATUS");
    // By UID: the octets each server returns, and the name POP3 gives it.
    let mut by_uid = std::collections::BTreeMap::new();
    for line in out.lines().filter_map(|l| l.strip_prefix("FETCH ")) {
        let mut words = line.split_whitespace();
        let uid: u32 = words
            .clone()
            .skip_while(|w| !w.contains("UID"))
            .nth(1)
            .and_then(|w| w.parse().ok())
            .expect("UID in the FETCH line");
        let body = words.next_back().expect("body").to_owned();
        by_uid.insert(uid, body);
    }
    assert_eq!(by_uid.len(), 3, "{out}");
    let mut seen = 0;
    for line in out.lines().filter_map(|l| l.strip_prefix("UIDL ")) {
        let mut words = line.split_whitespace();
        let (_n, uidl, pop3_body) = (words.next(), words.next().expect("uidl"), words.next());
        let (v, uid) = uidl.split_once('.').expect("<uidvalidity>.<uid>");
        assert_eq!(v.parse::<u32>().ok(), Some(validity), "{uidl}");
        let uid: u32 = uid.parse().expect("uid");
        let imap_body = by_uid
            .get(&uid)
            .unwrap_or_else(|| panic!("IMAP has no UID {uid}"));
        // poplib strips the last CRLF: compare without it.
        let pop3_body = pop3_body.unwrap_or_default();
        assert!(
            imap_body.starts_with(pop3_body),
            "UID {uid} differs between servers"
        );
        assert!(messages.iter().any(|m| hex(m) == *imap_body));
        seen += 1;
    }
    assert_eq!(seen, 3, "{out}");

    let _ = stop.send(());
    let stopped = tokio::time::timeout(Duration::from_secs(15), pop3_task).await;
    assert!(matches!(stopped, Ok(Ok(Ok(())))), "{stopped:?}");
    imap.stop().await;
}
