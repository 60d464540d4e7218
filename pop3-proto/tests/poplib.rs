//! Python's poplib (stdlib) against the tokio POP3 server on 127.0.0.1, over a real Maildir:
//! login, STAT/LIST/UIDL/RETR/TOP, DELE then QUIT (deleted), DELE then a dropped connection
//! (nothing deleted), two sessions at once (`-ERR [IN-USE]`), STLS, APOP, AUTH.

mod support;

use std::time::Duration;

use support::{Options, TestServer, message};
use testkit::Python;

/// Runs a poplib script with `argv[1]` = port; returns its stdout.
async fn poplib(server: &TestServer, script: &str) -> String {
    let out = Python::script(format!(
        "import poplib, sys, ssl\nport = int(sys.argv[1])\n{script}"
    ))
    .arg(server.addr.port().to_string())
    .timeout(Duration::from_secs(30))
    .run()
    .await;
    out.assert_success();
    out.stdout
}

#[tokio::test]
async fn retrieve_list_uidl_match_the_store() {
    let server = TestServer::start(Options::default()).await;
    let messages: Vec<Vec<u8>> = (0..3).map(|n| message(n, 300 + n * 500)).collect();
    for m in &messages {
        server.deliver("alice", m).await;
    }
    let out = poplib(
        &server,
        r#"
p = poplib.POP3("127.0.0.1", port, timeout=10)
print(p.getwelcome().decode())
p.user("alice"); p.pass_("wonderland")
count, size = p.stat()
print("STAT", count, size)
print("LIST", " ".join(x.decode() for x in p.list()[1]))
print("UIDL", " ".join(x.decode() for x in p.uidl()[1]))
for i in range(1, count + 1):
    lines = p.retr(i)[1]
    sys.stdout.write("RETR %d %s\n" % (i, (b"\r\n".join(lines) + b"\r\n").hex()))
print("CAPA", sorted(p.capa().keys()))
p.quit()
"#,
    )
    .await;
    assert!(out.starts_with("+OK pop.test POP3 server ready"), "{out}");
    let total: usize = messages.iter().map(Vec::len).sum();
    assert!(out.contains(&format!("STAT 3 {total}\n")), "{out}");
    let list: Vec<String> = messages
        .iter()
        .enumerate()
        .map(|(i, m)| format!("{} {}", i + 1, m.len()))
        .collect();
    assert!(out.contains(&format!("LIST {}\n", list.join(" "))), "{out}");
    let uids: Vec<String> = server
        .unique_ids("alice")
        .await
        .iter()
        .enumerate()
        .map(|(i, u)| format!("{} {u}", i + 1))
        .collect();
    assert!(out.contains(&format!("UIDL {}\n", uids.join(" "))), "{out}");
    for (i, m) in messages.iter().enumerate() {
        let hex: String = m.iter().map(|b| format!("{b:02x}")).collect();
        assert!(
            out.contains(&format!("RETR {} {hex}\n", i + 1)),
            "message {i} differs"
        );
    }
    assert!(
        out.contains("'PIPELINING'") && out.contains("'TOP'") && out.contains("'UIDL'"),
        "{out}"
    );
    // Nothing was deleted: the store still holds all three.
    assert_eq!(server.unique_ids("alice").await.len(), 3);
    server.stop().await;
}

#[tokio::test]
async fn dele_then_quit_deletes_and_dele_then_drop_does_not() {
    let server = TestServer::start(Options::default()).await;
    for n in 0..4 {
        server.deliver("alice", &message(n, 400)).await;
    }
    let before = server.unique_ids("alice").await;
    // DELE 2, then drop the connection without QUIT: nothing deleted.
    poplib(
        &server,
        r#"
p = poplib.POP3("127.0.0.1", port, timeout=10)
p.user("alice"); p.pass_("wonderland")
print(p.dele(2))
p.sock.close()
"#,
    )
    .await;
    // The lock is released once the server notices the drop.
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(server.unique_ids("alice").await, before);
    // DELE 1 and 3 (numbers stay fixed), RSET undoes, DELE again, QUIT: both deleted.
    let out = poplib(
        &server,
        r#"
p = poplib.POP3("127.0.0.1", port, timeout=10)
p.user("alice"); p.pass_("wonderland")
p.dele(1); p.rset(); p.dele(1); p.dele(3)
try:
    p.retr(1)
except poplib.error_proto as e:
    print("RETR1", e)
print("LIST2", p.list(2).decode())
print("STAT", p.stat())
print(p.quit().decode())
"#,
    )
    .await;
    assert!(
        out.contains("RETR1 b'-ERR Message 1 already deleted'"),
        "{out}"
    );
    assert!(out.contains("LIST2 +OK 2 "), "{out}");
    assert!(out.contains("STAT (2, "), "{out}");
    assert!(out.contains("(2 messages deleted)"), "{out}");
    let after = server.unique_ids("alice").await;
    assert_eq!(after, vec![before[1].clone(), before[3].clone()]);
    server.stop().await;
}

#[tokio::test]
async fn second_session_gets_in_use() {
    let server = TestServer::start(Options::default()).await;
    server.deliver("alice", &message(1, 200)).await;
    let out = poplib(
        &server,
        r#"
a = poplib.POP3("127.0.0.1", port, timeout=10)
a.user("alice"); a.pass_("wonderland")
b = poplib.POP3("127.0.0.1", port, timeout=10)
b.user("alice")
try:
    b.pass_("wonderland")
    print("B LOGGED IN")
except poplib.error_proto as e:
    print("B", e)
# bob is not locked by alice's session
c = poplib.POP3("127.0.0.1", port, timeout=10)
c.user("bob"); c.pass_("builder"); print("C", c.stat())
a.dele(1)
print("A", a.quit().decode())
b.user("alice"); b.pass_("wonderland")
print("B2", b.stat())
b.quit(); c.quit()
"#,
    )
    .await;
    assert!(out.contains("B b'-ERR [IN-USE] "), "{out}");
    assert!(out.contains("C (0, 0)"), "{out}");
    assert!(out.contains("B2 (0, 0)"), "{out}");
    server.stop().await;
}

/// Two servers over one Maildir (as two processes would be): the store's lock keeps the
/// maildrop exclusive across them.
#[tokio::test]
async fn second_server_on_the_same_maildir_gets_in_use() {
    let server = TestServer::start(Options::default()).await;
    server.deliver("alice", &message(1, 200)).await;
    let other = server.second(Options::default()).await;
    let out = Python::script(
        r#"
import poplib, sys
a = poplib.POP3("127.0.0.1", int(sys.argv[1]), timeout=10)
a.user("alice"); a.pass_("wonderland")
b = poplib.POP3("127.0.0.1", int(sys.argv[2]), timeout=10)
b.user("alice")
try:
    b.pass_("wonderland")
    print("B LOGGED IN")
except poplib.error_proto as e:
    print("B", e)
a.quit()
b.user("alice"); b.pass_("wonderland"); print("B2", b.stat()); b.quit()
"#,
    )
    .arg(server.addr.port().to_string())
    .arg(other.addr.port().to_string())
    .timeout(Duration::from_secs(30))
    .run()
    .await;
    out.assert_success();
    assert!(out.stdout.contains("B b'-ERR [IN-USE] "), "{}", out.stdout);
    assert!(out.stdout.contains("B2 (1, "), "{}", out.stdout);
    other.stop().await;
    server.stop().await;
}

#[tokio::test]
async fn top_of_a_multipart_message() {
    let server = TestServer::start(Options::default()).await;
    let msg = b"From: a@example.org\r\nSubject: parts\r\nMIME-Version: 1.0\r\n\
Content-Type: multipart/mixed; boundary=XX\r\n\r\npreamble\r\n--XX\r\n\
Content-Type: text/plain\r\n\r\n.first part\r\n--XX\r\nContent-Type: text/html\r\n\r\n<p>second</p>\r\n--XX--\r\n";
    server.deliver("alice", msg).await;
    let out = poplib(
        &server,
        r#"
p = poplib.POP3("127.0.0.1", port, timeout=10)
p.user("alice"); p.pass_("wonderland")
for n in (0, 3, 100):
    sys.stdout.write("TOP%d %s\n" % (n, b"|".join(p.top(1, n)[1]).decode()))
p.quit()
"#,
    )
    .await;
    assert!(out.contains("TOP0 From: a@example.org|Subject: parts|MIME-Version: 1.0|Content-Type: multipart/mixed; boundary=XX|\n"), "{out}");
    assert!(
        out.contains("; boundary=XX||preamble|--XX|Content-Type: text/plain\n"),
        "{out}"
    );
    assert!(
        out.contains("|.first part|--XX|Content-Type: text/html||<p>second</p>|--XX--\n"),
        "{out}"
    );
    server.stop().await;
}

#[tokio::test]
async fn wrong_password_then_right_one() {
    let server = TestServer::start(Options::default()).await;
    let out = poplib(
        &server,
        r#"
p = poplib.POP3("127.0.0.1", port, timeout=10)
p.user("alice")
try:
    p.pass_("nope")
except poplib.error_proto as e:
    print("BAD", e)
p.user("alice"); print(p.pass_("wonderland").decode())
p.quit()
"#,
    )
    .await;
    assert!(
        out.contains("BAD b'-ERR [AUTH] Authentication failed'"),
        "{out}"
    );
    assert!(
        out.contains("+OK alice's maildrop has 0 messages (0 octets)"),
        "{out}"
    );
    server.stop().await;
}
