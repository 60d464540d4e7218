//! Python's imaplib (stdlib) and raw Python sockets against the tokio IMAP server on 127.0.0.1,
//! over a real Maildir: LOGIN, SELECT, FETCH, STORE, SEARCH, APPEND, EXPUNGE, LOGOUT checked
//! against the store; STARTTLS and implicit TLS with the test certificates; COMPRESS=DEFLATE
//! with zlib by hand; IDLE woken by another session's APPEND; a client dropping the connection
//! mid-APPEND leaves no message.

mod server_support;

use std::time::Duration;

use server_support::{Options, TestServer, hex, message};

#[tokio::test]
async fn login_select_fetch_store_search_append_expunge_logout() {
    let server = TestServer::start(Options::default()).await;
    let messages: Vec<Vec<u8>> = (0..3).map(|n| message(n, 300 + n * 700)).collect();
    for m in &messages {
        server.deliver("alice", m).await;
    }
    let appended = message(9, 1500);
    let stored = server.messages("alice", "INBOX").await;
    let out = server
        .python(&format!(
            r#"
M = imaplib.IMAP4("127.0.0.1", port, timeout=10)
print("GREETING", M.welcome.decode())
print("LOGIN", M.login("alice", "wonderland")[0])
typ, data = M.select("INBOX")
print("SELECT", typ, data[0].decode())
typ, data = M.fetch("1:*", "(UID RFC822.SIZE)")
for d in data:
    print("FETCH", d.decode())
typ, data = M.fetch("2", "(BODY.PEEK[])")
print("BODY2", data[0][1].hex())
print("STORE", M.store("1", "+FLAGS", "(\\Seen)")[0])
print("SEEN", M.search(None, "SEEN")[1][0].decode())
print("UNSEEN", M.search(None, "UNSEEN")[1][0].decode())
typ, data = M.append("INBOX", None, None, bytes.fromhex("{appended}"))
print("APPEND", typ, data[0].decode())
print("DELETE", M.store("2", "+FLAGS", "(\\Deleted)")[0])
typ, data = M.expunge()
print("EXPUNGE", typ, data)
typ, data = M.logout()
print("LOGOUT", typ, data[0].decode())
"#,
            appended = hex(&appended)
        ))
        .await;
    assert!(out.contains("GREETING * OK"), "{out}");
    assert!(out.contains("LOGIN OK"), "{out}");
    assert!(out.contains("SELECT OK 3\n"), "{out}");
    for (i, meta) in stored.iter().take(3).enumerate() {
        let line = format!(
            "FETCH {} (UID {} RFC822.SIZE {})",
            i + 1,
            meta.uid,
            meta.size
        );
        assert!(out.contains(&line), "{line} missing in {out}");
    }
    assert!(
        out.contains(&format!("BODY2 {}\n", hex(&messages[1]))),
        "{out}"
    );
    assert!(out.contains("STORE OK"), "{out}");
    assert!(out.contains("SEEN 1\n"), "{out}");
    assert!(out.contains("UNSEEN 2 3\n"), "{out}");
    // APPENDUID (RFC 4315): the UIDVALIDITY and the new message's UID.
    let validity = server.uid_validity("alice", "INBOX").await;
    assert!(
        out.contains(&format!("APPEND OK [APPENDUID {validity} ")),
        "{out}"
    );
    assert!(out.contains("EXPUNGE OK [b'2']"), "{out}");
    assert!(out.contains("LOGOUT BYE"), "{out}");
    // The store: message 2 gone, message 1 \Seen, the appended one last with its octets.
    let after = server.messages("alice", "INBOX").await;
    assert_eq!(after.len(), 3, "{after:?}");
    assert_eq!(after[0].uid, stored[0].uid);
    assert!(after[0].flags.contains(&mailstore::Flag::Seen));
    assert_eq!(after[1].uid, stored[2].uid);
    let account = server.account("alice").await;
    let body = account.read("INBOX", after[2].uid).await.expect("read");
    assert_eq!(body, appended);
    server.stop().await;
}

#[tokio::test]
async fn starttls_and_implicit_tls() {
    let server = TestServer::start(Options {
        tls: true,
        allow_plaintext: false,
        ..Options::default()
    })
    .await;
    server.deliver("alice", &message(1, 500)).await;
    let out = server
        .python(
            r#"
ctx = ssl.create_default_context(cafile=ca)
M = imaplib.IMAP4("127.0.0.1", port, timeout=10)
print("CAPS", " ".join(M.capabilities))
try:
    M.login("alice", "wonderland")
    print("PLAIN LOGIN ACCEPTED")
except imaplib.IMAP4.error as e:
    print("REFUSED", e)
M = imaplib.IMAP4("127.0.0.1", port, timeout=10)
print("STARTTLS", M.starttls(ssl_context=ctx)[0])
print("TLSCAPS", " ".join(M.capabilities))
print("LOGIN", M.login("alice", "wonderland")[0])
print("SELECT", M.select("INBOX")[1][0].decode())
M.logout()
"#,
        )
        .await;
    assert!(
        out.contains("STARTTLS") && out.contains("LOGINDISABLED"),
        "{out}"
    );
    assert!(out.contains("REFUSED"), "{out}");
    assert!(!out.contains("PLAIN LOGIN ACCEPTED"), "{out}");
    assert!(out.contains("STARTTLS OK"), "{out}");
    let tls_caps = out
        .lines()
        .find(|l| l.starts_with("TLSCAPS"))
        .expect("caps after TLS");
    assert!(
        !tls_caps.contains("LOGINDISABLED") && !tls_caps.contains("STARTTLS"),
        "{tls_caps}"
    );
    assert!(
        out.contains("LOGIN OK") && out.contains("SELECT 1\n"),
        "{out}"
    );
    server.stop().await;

    let server = TestServer::start(Options {
        tls: true,
        implicit_tls: true,
        allow_plaintext: false,
        ..Options::default()
    })
    .await;
    let body = message(2, 900);
    server.deliver("alice", &body).await;
    let out = server
        .python(
            r#"
ctx = ssl.create_default_context(cafile=ca)
M = imaplib.IMAP4_SSL("127.0.0.1", port, ssl_context=ctx, timeout=10)
print("LOGIN", M.login("alice", "wonderland")[0])
M.select("INBOX", readonly=True)
print("BODY", M.fetch("1", "(BODY.PEEK[])")[1][0][1].hex())
M.logout()
"#,
        )
        .await;
    assert!(out.contains("LOGIN OK"), "{out}");
    assert!(out.contains(&format!("BODY {}\n", hex(&body))), "{out}");
    server.stop().await;
}

/// A raw-socket IMAP client in Python that turns on COMPRESS=DEFLATE (RFC 4978) with zlib.
const RAW_CLIENT: &str = r#"
class Raw:
    def __init__(self):
        self.s = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.buf = b""
        self.z = None
        self.line()
    def send(self, data):
        if self.z:
            data = self.z[0].compress(data) + self.z[0].flush(zlib.Z_SYNC_FLUSH)
        self.s.sendall(data)
    def fill(self):
        d = self.s.recv(65536)
        if not d:
            raise EOFError("closed")
        if self.z:
            d = self.z[1].decompress(d)
        self.buf += d
    def line(self):
        while b"\r\n" not in self.buf:
            self.fill()
        l, self.buf = self.buf.split(b"\r\n", 1)
        return l
    def exact(self, n):
        while len(self.buf) < n:
            self.fill()
        d, self.buf = self.buf[:n], self.buf[n:]
        return d
    def cmd(self, tag, text):
        self.send(tag + b" " + text + b"\r\n")
        return self.wait(tag)
    def wait(self, tag):
        out = []
        while True:
            l = self.line()
            if l.endswith(b"}"):
                n = int(l[l.rindex(b"{") + 1:-1])
                l = l + b"\r\n" + self.exact(n) + self.line()
            out.append(l)
            if l.startswith(tag + b" "):
                return out
    def compress(self):
        r = self.cmd(b"z", b"COMPRESS DEFLATE")
        self.z = (zlib.compressobj(6, zlib.DEFLATED, -15), zlib.decompressobj(-15))
        return r
"#;

#[tokio::test]
async fn compress_deflate_with_zlib() {
    let server = TestServer::start(Options::default()).await;
    let body = message(3, 40_000);
    server.deliver("alice", &body).await;
    let out = server
        .python(&format!(
            r#"{RAW_CLIENT}
c = Raw()
print("LOGIN", c.cmd(b"a", b"LOGIN alice wonderland")[-1].decode())
print("COMPRESS", c.compress()[-1].decode())
print("SELECT", c.cmd(b"b", b"SELECT INBOX")[-1].decode())
r = c.cmd(b"c", b"FETCH 1 (BODY.PEEK[])")
print("FETCHED", r[-1].decode())
print("BODY", r[0][r[0].index(b"}}\r\n") + 3:-1].hex())
print("LOGOUT", c.cmd(b"d", b"LOGOUT")[-1].decode())
"#
        ))
        .await;
    assert!(out.contains("LOGIN a OK"), "{out}");
    assert!(out.contains("COMPRESS z OK"), "{out}");
    assert!(out.contains("SELECT b OK"), "{out}");
    assert!(out.contains("FETCHED c OK"), "{out}");
    assert!(out.contains(&format!("BODY {}\n", hex(&body))), "{out}");
    assert!(out.contains("LOGOUT d OK"), "{out}");
    server.stop().await;
}

#[tokio::test]
async fn idle_is_woken_by_another_sessions_append() {
    let server = TestServer::start(Options::default()).await;
    server.deliver("alice", &message(1, 300)).await;
    let out = server
        .python(&format!(
            r#"{RAW_CLIENT}
a = Raw()
a.cmd(b"a1", b"LOGIN alice wonderland")
print("SELECT", a.cmd(b"a2", b"SELECT INBOX")[-1].decode())
a.send(b"a3 IDLE\r\n")
print("IDLE", a.line().decode())
M = imaplib.IMAP4("127.0.0.1", port, timeout=10)
M.login("alice", "wonderland")
t0 = time.monotonic()
M.append("INBOX", None, None, b"Subject: new\r\n\r\nhello\r\n")
pushed = a.line().decode()
print("PUSHED", pushed, "after %.3f s" % (time.monotonic() - t0))
print("LATENCY_MS", int((time.monotonic() - t0) * 1000))
a.send(b"DONE\r\n")
while True:
    l = a.line()
    if l.startswith(b"a3 "):
        print("DONE", l.decode())
        break
M.logout()
"#
        ))
        .await;
    assert!(out.contains("SELECT a2 OK"), "{out}");
    assert!(out.contains("IDLE +"), "{out}");
    assert!(out.contains("PUSHED * 2 EXISTS"), "{out}");
    let latency: u64 = out
        .lines()
        .find_map(|l| l.strip_prefix("LATENCY_MS "))
        .and_then(|v| v.parse().ok())
        .expect("latency");
    println!("imap server: IDLE pushed EXISTS {latency} ms after another session's APPEND began");
    // APPEND and the push together, in process: well under the store's poll interval.
    assert!(latency < 1000, "IDLE pushed after {latency} ms");
    assert!(out.contains("DONE a3 OK"), "{out}");
    server.stop().await;
}

#[tokio::test]
async fn dropping_the_connection_mid_append_stores_nothing() {
    let server = TestServer::start(Options::default()).await;
    let out = server
        .python(&format!(
            r#"{RAW_CLIENT}
c = Raw()
c.cmd(b"a", b"LOGIN alice wonderland")
c.send(b"b APPEND INBOX {{5000}}\r\n")
print("CONT", c.line().decode())
c.send(b"Subject: half\r\n\r\n" + b"x" * 2000)
time.sleep(0.3)
c.s.close()
print("CLOSED")
"#
        ))
        .await;
    assert!(out.contains("CONT +"), "{out}");
    assert!(out.contains("CLOSED"), "{out}");
    // The server notices the drop at once; give it a moment to discard the spool.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(server.messages("alice", "INBOX").await.is_empty());
    // Nothing left in the Maildir's tmp/ either.
    let tmp = server.root.join("alice").join("tmp");
    let leftovers: Vec<_> = std::fs::read_dir(&tmp)
        .map(|d| d.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    // The same client completing an APPEND stores it.
    let out = server
        .python(&format!(
            r#"{RAW_CLIENT}
c = Raw()
c.cmd(b"a", b"LOGIN alice wonderland")
c.send(b"b APPEND INBOX {{20}}\r\n")
c.line()
c.send(b"Subject: whole\r\n\r\nok\r\n")
print("DONE", c.wait(b"b")[-1].decode())
"#
        ))
        .await;
    assert!(out.contains("DONE b OK"), "{out}");
    assert_eq!(server.messages("alice", "INBOX").await.len(), 1);
    server.stop().await;
}

#[tokio::test]
async fn authenticate_plain_and_a_delayed_failure() {
    let server = TestServer::start(Options {
        config: |c| c.auth.failure_delay = Duration::from_millis(400),
        ..Options::default()
    })
    .await;
    let out = server
        .python(
            r#"
M = imaplib.IMAP4("127.0.0.1", port, timeout=10)
print("AUTH", M.authenticate("PLAIN", lambda _: b"\0alice\0wonderland")[0])
M.logout()
M = imaplib.IMAP4("127.0.0.1", port, timeout=10)
t0 = time.monotonic()
try:
    M.login("alice", "wrong")
except imaplib.IMAP4.error as e:
    print("FAILED", e)
print("DELAY_MS", int((time.monotonic() - t0) * 1000))
print("RETRY", M.login("alice", "wonderland")[0])
M.logout()
"#,
        )
        .await;
    assert!(out.contains("AUTH OK"), "{out}");
    assert!(
        out.contains("FAILED") && out.contains("AUTHENTICATIONFAILED"),
        "{out}"
    );
    let delay: u64 = out
        .lines()
        .find_map(|l| l.strip_prefix("DELAY_MS "))
        .and_then(|v| v.parse().ok())
        .expect("delay");
    assert!(delay >= 400, "the failure was answered after {delay} ms");
    assert!(out.contains("RETRY OK"), "{out}");
    server.stop().await;
}

#[tokio::test]
async fn large_append_and_fetch_round_trip() {
    let server = TestServer::start(Options::default()).await;
    // 6 MiB: many reads of the APPEND buffer, and a FETCH answer many times the session's
    // output limit (written as it is produced).
    let big = message(7, 6 << 20);
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("big.eml");
    std::fs::write(&file, &big).expect("write");
    let out = server
        .python(&format!(
            r#"
body = open({file:?}, "rb").read()
M = imaplib.IMAP4("127.0.0.1", port, timeout=30)
M.login("alice", "wonderland")
typ, data = M.append("INBOX", None, None, body)
print("APPEND", typ)
M.select("INBOX")
typ, data = M.fetch("1", "(RFC822.SIZE BODY.PEEK[])")
got = data[0][1]
print("SAME", got == body, len(got))
M.logout()
"#,
            file = file.display().to_string()
        ))
        .await;
    assert!(out.contains("APPEND OK"), "{out}");
    assert!(out.contains(&format!("SAME True {}", big.len())), "{out}");
    let stored = server.messages("alice", "INBOX").await;
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].size, big.len() as u64);
    server.stop().await;
}

#[tokio::test]
async fn compress_deflate_over_implicit_tls() {
    let server = TestServer::start(Options {
        tls: true,
        implicit_tls: true,
        ..Options::default()
    })
    .await;
    let body = message(5, 20_000);
    server.deliver("alice", &body).await;
    let out = server
        .python(&format!(
            r#"{RAW_CLIENT}
class RawTls(Raw):
    def __init__(self):
        ctx = ssl.create_default_context(cafile=ca)
        self.s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=10), server_hostname="localhost")
        self.buf = b""
        self.z = None
        self.line()
c = RawTls()
print("LOGIN", c.cmd(b"a", b"LOGIN alice wonderland")[-1].decode())
print("COMPRESS", c.compress()[-1].decode())
c.cmd(b"b", b"SELECT INBOX")
r = c.cmd(b"c", b"FETCH 1 (BODY.PEEK[])")
print("BODY", r[0][r[0].index(b"}}\r\n") + 3:-1].hex())
print("LOGOUT", c.cmd(b"d", b"LOGOUT")[-1].decode())
"#
        ))
        .await;
    assert!(out.contains("COMPRESS z OK"), "{out}");
    assert!(out.contains(&format!("BODY {}\n", hex(&body))), "{out}");
    assert!(out.contains("LOGOUT d OK"), "{out}");
    server.stop().await;
}
