//! Python's poplib over TLS and the login rules, against the tokio POP3 server on 127.0.0.1:
//! `stls()` with a context trusting the test CA, input pipelined after `STLS` discarded,
//! `POP3_SSL` (implicit TLS), `APOP`, `AUTH PLAIN` with and without an initial response,
//! USER refused before STLS when plaintext is not allowed, UIDL stable across sessions and equal
//! to the mailstore's unique-id (the IMAP server's), and two users' sessions at once.

mod support;

use std::time::Duration;

use support::{Options, TestServer, message};
use testkit::Python;
use testkit::server::hex;

/// Runs a poplib script with `port` (and `ca`, the CA file or "") defined; returns its stdout.
async fn poplib(server: &TestServer, script: &str) -> String {
    let out = server
        .python(&format!(
            "import poplib, ssl, socket, base64, time\n\
def context():\n    ctx = ssl.create_default_context(cafile=ca)\n    ctx.check_hostname = False\n    return ctx\n\
{script}"
        ))
        .timeout(Duration::from_secs(30))
        .run()
        .await;
    out.assert_success();
    out.stdout
}

fn tls_only() -> Options {
    Options {
        tls: true,
        allow_plaintext: false,
        ..Options::default()
    }
}

#[tokio::test]
async fn stls_then_login_and_retr_and_user_refused_before() {
    let server = TestServer::start(tls_only()).await;
    let m = message(1, 20_000);
    server.deliver("alice", &m).await;
    let out = poplib(
        &server,
        r#"
p = poplib.POP3("127.0.0.1", port, timeout=10)
print("CAPA1", sorted(p.capa().keys()))
try:
    p.user("alice")
    print("USER ACCEPTED")
except poplib.error_proto as e:
    print("USER1", e)
try:
    p._shortcmd("AUTH PLAIN " + base64.b64encode(b"\0alice\0wonderland").decode())
    print("AUTH ACCEPTED")
except poplib.error_proto as e:
    print("AUTH1", e)
print("STLS", p.stls(context()).decode())
print("TLS", p.sock.version())
print("CAPA2", sorted(p.capa().keys()))
p.user("alice"); print(p.pass_("wonderland").decode())
sys.stdout.write("RETR %s\n" % (b"\r\n".join(p.retr(1)[1]) + b"\r\n").hex())
p.quit()
"#,
    )
    .await;
    assert!(
        out.contains("'STLS'") && !out.contains("USER ACCEPTED"),
        "{out}"
    );
    let capa1 = out
        .lines()
        .find(|l| l.starts_with("CAPA1"))
        .unwrap_or_default();
    assert!(
        capa1.contains("'STLS'") && !capa1.contains("'USER'"),
        "{out}"
    );
    assert!(
        out.contains(
            "USER1 b'-ERR [AUTH] Plaintext authentication disallowed without TLS, use STLS'"
        ),
        "{out}"
    );
    assert!(out.contains("AUTH1 b'-ERR [AUTH] "), "{out}");
    assert!(out.contains("STLS +OK Begin TLS negotiation"), "{out}");
    assert!(
        out.contains("TLS TLSv1.3") || out.contains("TLS TLSv1.2"),
        "{out}"
    );
    let capa2 = out
        .lines()
        .find(|l| l.starts_with("CAPA2"))
        .unwrap_or_default();
    assert!(
        capa2.contains("'USER'") && !capa2.contains("'STLS'"),
        "{out}"
    );
    assert!(capa2.contains("'SASL'"), "{out}");
    assert!(out.contains("+OK alice's maildrop has 1 messages"), "{out}");
    assert!(out.contains(&format!("RETR {}\n", hex(&m))), "{out}");
    assert_eq!(server.unique_ids("alice").await.len(), 1);
    server.stop().await;
}

#[tokio::test]
async fn user_before_stls_works_when_the_application_allows_it() {
    let options = Options {
        tls: true,
        allow_plaintext: true,
        ..Options::default()
    };
    let server = TestServer::start(options).await;
    server.deliver("alice", &message(1, 300)).await;
    let out = poplib(
        &server,
        r#"
p = poplib.POP3("127.0.0.1", port, timeout=10)
caps = p.capa()
print("CAPA", sorted(caps.keys()), caps.get("SASL"))
p.user("alice"); print(p.pass_("wonderland").decode())
print(p.dele(1).decode())
print(p.quit().decode())
"#,
    )
    .await;
    let capa = out
        .lines()
        .find(|l| l.starts_with("CAPA"))
        .unwrap_or_default();
    assert!(capa.contains("'STLS'") && capa.contains("'USER'"), "{out}");
    assert!(capa.contains("'PLAIN'"), "{out}");
    assert!(out.contains("+OK alice's maildrop has 1 messages"), "{out}");
    assert!(out.contains("(1 messages deleted)"), "{out}");
    assert!(server.unique_ids("alice").await.is_empty());
    server.stop().await;
}

#[tokio::test]
async fn input_pipelined_after_stls_is_discarded() {
    let server = TestServer::start(tls_only()).await;
    let out = poplib(
        &server,
        r#"
def readline(s):
    # One octet at a time: nothing after the line is consumed.
    data = b""
    while not data.endswith(b"\r\n"):
        octet = s.recv(1)
        if not octet:
            break
        data += octet
    return data
s = socket.create_connection(("127.0.0.1", port), timeout=10)
print("GREETING", readline(s))
s.sendall(b"STLS\r\nUSER x\r\n")
print("STLS", readline(s))
# Nothing else comes before the handshake: the USER line was discarded, not answered.
s.settimeout(0.5)
try:
    extra = s.recv(100)
except socket.timeout:
    extra = b""
print("EXTRA", extra)
s.settimeout(10)
t = context().wrap_socket(s)
g = t.makefile("rb")
t.sendall(b"PASS wonderland\r\n")
print("PASS", g.readline())
t.sendall(b"USER alice\r\nPASS wonderland\r\nSTAT\r\nQUIT\r\n")
for name in ("USER2", "PASS2", "STAT", "QUIT"):
    print(name, g.readline())
"#,
    )
    .await;
    assert!(
        out.contains("STLS b'+OK Begin TLS negotiation\\r\\n'"),
        "{out}"
    );
    assert!(out.contains("EXTRA b''"), "{out}");
    assert!(out.contains("PASS b'-ERR Send USER first\\r\\n'"), "{out}");
    assert!(out.contains("USER2 b'+OK Send PASS\\r\\n'"), "{out}");
    assert!(
        out.contains("PASS2 b\"+OK alice's maildrop has 0 messages"),
        "{out}"
    );
    assert!(out.contains("STAT b'+OK 0 0\\r\\n'"), "{out}");
    assert!(
        out.contains("QUIT b'+OK pop.test POP3 server signing off\\r\\n'"),
        "{out}"
    );
    server.stop().await;
}

#[tokio::test]
async fn implicit_tls_retr_dele_quit() {
    let options = Options {
        tls: true,
        implicit_tls: true,
        allow_plaintext: false,
        ..Options::default()
    };
    let server = TestServer::start(options).await;
    let (m1, m2) = (message(1, 800), message(2, 1500));
    server.deliver("alice", &m1).await;
    server.deliver("alice", &m2).await;
    let before = server.unique_ids("alice").await;
    let out = poplib(
        &server,
        r#"
p = poplib.POP3_SSL("127.0.0.1", port, timeout=10, context=context())
print(p.getwelcome().decode())
print("CAPA", sorted(p.capa().keys()))
p.user("alice"); p.pass_("wonderland")
sys.stdout.write("RETR %s\n" % (b"\r\n".join(p.retr(2)[1]) + b"\r\n").hex())
print(p.dele(1).decode())
print(p.quit().decode())
try:
    plain = poplib.POP3("127.0.0.1", port, timeout=1)
    print("PLAIN", plain.getwelcome())
except Exception as e:
    print("PLAIN FAILED", type(e).__name__)
"#,
    )
    .await;
    assert!(out.starts_with("+OK pop.test POP3 server ready"), "{out}");
    let capa = out
        .lines()
        .find(|l| l.starts_with("CAPA"))
        .unwrap_or_default();
    assert!(capa.contains("'USER'") && !capa.contains("'STLS'"), "{out}");
    assert!(out.contains(&format!("RETR {}\n", hex(&m2))), "{out}");
    assert!(out.contains("+OK Message 1 deleted"), "{out}");
    assert!(out.contains("(1 messages deleted)"), "{out}");
    assert!(
        out.contains("PLAIN FAILED"),
        "a plain client must not get a greeting: {out}"
    );
    assert_eq!(server.unique_ids("alice").await, vec![before[1].clone()]);
    server.stop().await;
}

#[tokio::test]
async fn apop_with_the_shared_secret_and_a_wrong_one() {
    let options = Options {
        config: |c| c.apop = true,
        ..Options::default()
    };
    let server = TestServer::start(options).await;
    server.deliver("bob", &message(1, 300)).await;
    let out = poplib(
        &server,
        r#"
p = poplib.POP3("127.0.0.1", port, timeout=10)
print("WELCOME", p.getwelcome().decode())
try:
    p.apop("bob", "wrong")
    print("WRONG ACCEPTED")
except poplib.error_proto as e:
    print("WRONG", e)
print("RIGHT", p.apop("bob", "builder").decode())
print("STAT", p.stat())
p.quit()
q = poplib.POP3("127.0.0.1", port, timeout=10)
try:
    q.apop("alice", "builder")
    print("OTHER ACCEPTED")
except poplib.error_proto as e:
    print("OTHER", e)
q.quit()
"#,
    )
    .await;
    let welcome = out.lines().next().unwrap_or_default();
    assert!(
        welcome.starts_with("WELCOME +OK pop.test POP3 server ready <") && welcome.ends_with('>'),
        "{out}"
    );
    assert!(
        out.contains("WRONG b'-ERR [AUTH] Authentication failed'"),
        "{out}"
    );
    assert!(
        out.contains("RIGHT +OK bob's maildrop has 1 messages"),
        "{out}"
    );
    assert!(out.contains("STAT (1, "), "{out}");
    assert!(out.contains("OTHER b'-ERR [AUTH] "), "{out}");
    assert_eq!(server.unique_ids("bob").await.len(), 1);
    server.stop().await;
}

#[tokio::test]
async fn auth_plain_with_initial_response_and_with_continuation() {
    let server = TestServer::start(tls_only()).await;
    server.deliver("alice", &message(1, 300)).await;
    let out = poplib(
        &server,
        r#"
good = base64.b64encode(b"\0alice\0wonderland")
bad = base64.b64encode(b"\0alice\0nope")
p = poplib.POP3("127.0.0.1", port, timeout=10)
p.stls(context())
try:
    p._shortcmd("AUTH PLAIN " + bad.decode())
except poplib.error_proto as e:
    print("IR-BAD", e)
print("IR", p._shortcmd("AUTH PLAIN " + good.decode()).decode())
print("STAT1", p.stat())
p.quit()
q = poplib.POP3("127.0.0.1", port, timeout=10)
q.stls(context())
q._putcmd("AUTH PLAIN")
print("CONT", q._getline()[0])
q._putcmd(bad.decode())
try:
    q._getresp()
except poplib.error_proto as e:
    print("CONT-BAD", e)
q._putcmd("AUTH PLAIN")
q._getline()
q._putcmd("*")
try:
    q._getresp()
except poplib.error_proto as e:
    print("CANCEL", e)
q._putcmd("AUTH PLAIN")
q._getline()
q._putcmd(good.decode())
print("CONT-OK", q._getresp().decode())
print("STAT2", q.stat())
q.quit()
"#,
    )
    .await;
    assert!(out.contains("IR-BAD b'-ERR [AUTH] "), "{out}");
    assert!(
        out.contains("IR +OK alice's maildrop has 1 messages"),
        "{out}"
    );
    assert!(out.contains("STAT1 (1, "), "{out}");
    assert!(out.contains("CONT b'+ '"), "{out}");
    assert!(out.contains("CONT-BAD b'-ERR [AUTH] "), "{out}");
    assert!(
        out.contains("CANCEL b'-ERR Authentication cancelled'"),
        "{out}"
    );
    assert!(
        out.contains("CONT-OK +OK alice's maildrop has 1 messages"),
        "{out}"
    );
    assert!(out.contains("STAT2 (1, "), "{out}");
    assert_eq!(server.unique_ids("alice").await.len(), 1);
    server.stop().await;
}

/// One session's `UIDL` as `msg uid` pairs.
const UIDL_SCRIPT: &str = r#"
p = poplib.POP3_SSL("127.0.0.1", port, timeout=10, context=context())
p.user("alice"); p.pass_("wonderland")
print("UIDL", " ".join(x.decode() for x in p.uidl()[1]))
for n in sys.argv[3:]:
    p.dele(int(n))
p.quit()
"#;

fn uidl_line(out: &str) -> Vec<String> {
    out.lines()
        .find_map(|l| l.strip_prefix("UIDL"))
        .unwrap_or_default()
        .split_whitespace()
        .collect::<Vec<_>>()
        .chunks(2)
        .map(|pair| pair.get(1).copied().unwrap_or_default().to_owned())
        .collect()
}

async fn uidl_session(server: &TestServer, delete: &[u32]) -> Vec<String> {
    let ca = server.certs.as_ref().map(|c| c.ca_file()).expect("certs");
    let mut python = Python::script(format!(
        "import poplib, sys, ssl\nport = int(sys.argv[1])\nca = sys.argv[2]\n\
def context():\n    ctx = ssl.create_default_context(cafile=ca)\n    ctx.check_hostname = False\n    return ctx\n\
{UIDL_SCRIPT}"
    ))
    .arg(server.addr.port().to_string())
    .arg(ca.display().to_string())
    .timeout(Duration::from_secs(30));
    for n in delete {
        python = python.arg(n.to_string());
    }
    let out = python.run().await;
    out.assert_success();
    uidl_line(&out.stdout)
}

#[tokio::test]
async fn uidl_is_stable_across_sessions_and_equals_the_store_unique_id() {
    let options = Options {
        tls: true,
        implicit_tls: true,
        ..Options::default()
    };
    let server = TestServer::start(options).await;
    for n in 0..4 {
        server.deliver("alice", &message(n, 200 + n * 10)).await;
    }
    let store1 = server.unique_ids("alice").await;
    let mut seen: Vec<String> = store1.clone();
    // Session 1 lists all four and deletes message 2.
    let s1 = uidl_session(&server, &[2]).await;
    assert_eq!(s1, store1);
    let after1 = server.unique_ids("alice").await;
    assert_eq!(after1, [&store1[..1], &store1[2..]].concat());
    // Two new messages; session 2 sees the three old ones with the same ids, then the new ones.
    server.deliver("alice", &message(10, 500)).await;
    server.deliver("alice", &message(11, 600)).await;
    let store2 = server.unique_ids("alice").await;
    assert_eq!(store2.get(..3), Some(&after1[..]));
    let s2 = uidl_session(&server, &[1, 4]).await;
    assert_eq!(s2, store2);
    seen.extend(store2.iter().skip(3).cloned());
    // Session 3 after one more delivery: still the store's ids, none reused.
    server.deliver("alice", &message(12, 700)).await;
    let store3 = server.unique_ids("alice").await;
    assert_eq!(
        store3.get(..3),
        Some(&[store2[1].clone(), store2[2].clone(), store2[4].clone()][..])
    );
    let s3 = uidl_session(&server, &[]).await;
    assert_eq!(s3, store3);
    seen.extend(store3.last().cloned());
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), seen.len(), "a unique-id was reused: {seen:?}");
    assert!(
        seen.iter()
            .all(|u| (1..=70).contains(&u.len()) && u.bytes().all(|b| (0x21..=0x7e).contains(&b))),
        "{seen:?}"
    );
    // Reading changes nothing: the same ids again.
    assert_eq!(uidl_session(&server, &[]).await, store3);
    server.stop().await;
}

#[tokio::test]
async fn two_users_sessions_at_once() {
    let server = TestServer::start(tls_only()).await;
    let (a, b) = (message(1, 4000), message(2, 6000));
    server.deliver("alice", &a).await;
    server.deliver("alice", &message(3, 100)).await;
    server.deliver("bob", &b).await;
    // Two processes whose sessions overlap: each logs in, waits for the other to be logged
    // in (a file per user), reads, deletes its first message and quits.
    let dir = tempfile::tempdir().expect("tempdir");
    let script = |user: &str, password: &str, other: &str| {
        format!(
            r#"
import os
d = sys.argv[3]
p = poplib.POP3("127.0.0.1", port, timeout=10)
p.stls(context())
p.user("{user}"); p.pass_("{password}")
open(os.path.join(d, "{user}"), "w").close()
for _ in range(200):
    if os.path.exists(os.path.join(d, "{other}")):
        break
    time.sleep(0.05)
else:
    print("NEVER SAW {other}")
print("STAT", p.stat())
sys.stdout.write("RETR %s\n" % (b"\r\n".join(p.retr(1)[1]) + b"\r\n").hex())
p.dele(1)
print(p.quit().decode())
"#
        )
    };
    let run = |source: String| {
        let ca = server.certs.as_ref().map(|c| c.ca_file()).expect("certs");
        Python::script(format!(
            "import poplib, sys, ssl, time\nport = int(sys.argv[1])\nca = sys.argv[2]\n\
def context():\n    ctx = ssl.create_default_context(cafile=ca)\n    ctx.check_hostname = False\n    return ctx\n\
{source}"
        ))
        .arg(server.addr.port().to_string())
        .arg(ca.display().to_string())
        .arg(dir.path().display().to_string())
        .timeout(Duration::from_secs(30))
    };
    let (alice, bob) = (
        run(script("alice", "wonderland", "bob")),
        run(script("bob", "builder", "alice")),
    );
    let (alice, bob) = tokio::join!(alice.run(), bob.run());
    alice.assert_success();
    bob.assert_success();
    assert!(!alice.stdout.contains("NEVER SAW"), "{}", alice.stdout);
    assert!(!bob.stdout.contains("NEVER SAW"), "{}", bob.stdout);
    assert!(
        alice.stdout.contains(&format!("RETR {}\n", hex(&a))),
        "{}",
        alice.stdout
    );
    assert!(
        bob.stdout.contains(&format!("RETR {}\n", hex(&b))),
        "{}",
        bob.stdout
    );
    assert!(alice.stdout.contains("STAT (2, "), "{}", alice.stdout);
    assert!(bob.stdout.contains("STAT (1, "), "{}", bob.stdout);
    assert_eq!(server.unique_ids("alice").await.len(), 1);
    assert!(server.unique_ids("bob").await.is_empty());
    server.stop().await;
}
