//! Our client driver against a third-party server: Python's `aiosmtpd` (PyPI), on loopback.
//!
//! The server records each message (envelope and the body as received, after
//! dot-unstuffing) on its stdout; the test compares that with what was sent.

use std::process::Stdio;
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rustls::pki_types::ServerName;
use smtp_proto::client::{ConnectOptions, SmtpClient, Timeouts, TlsOptions};
use smtp_proto::session::client::{ClientConfig, Credentials, TlsPolicy};
use smtp_proto::types::command::Body;
use tokio::io::{AsyncBufReadExt, BufReader, Lines};
use tokio::process::{Child, ChildStdout, Command};

#[path = "client_common/mod.rs"]
mod common;
use common::{Mechanism, envelope, host};

const SERVER: &str = r#"
import asyncio, base64, sys
from aiosmtpd.smtp import SMTP, AuthResult

class Handler:
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("reject"):
            return "550 5.1.1 no such user"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        b64 = lambda b: base64.b64encode(b).decode()
        print("MSG", b64(envelope.mail_from.encode()),
              b64(",".join(envelope.rcpt_tos).encode()),
              b64(" ".join(envelope.mail_options).encode()),
              b64(envelope.original_content), flush=True)
        return "250 2.0.0 stored"

def authenticator(server, session, envelope, mechanism, auth_data):
    ok = auth_data.login == b"alice" and auth_data.password == b"wonderland"
    if ok:
        print("AUTH", mechanism, flush=True)
    return AuthResult(success=ok)

async def main():
    loop = asyncio.get_running_loop()
    tls = None
    if len(sys.argv) > 2:  # certificate and key: offer STARTTLS and require it
        import ssl
        tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls.load_cert_chain(sys.argv[1], sys.argv[2])
    srv = await loop.create_server(
        lambda: SMTP(Handler(), hostname="aiosmtpd.test", enable_SMTPUTF8=True,
                     decode_data=False, authenticator=authenticator,
                     auth_require_tls=False, tls_context=tls,
                     require_starttls=tls is not None),
        "127.0.0.1", 0)
    print("PORT", srv.sockets[0].getsockname()[1], flush=True)
    await asyncio.sleep(60)

asyncio.run(main())
"#;

/// A message as aiosmtpd recorded it.
#[derive(Debug, PartialEq, Eq)]
struct Received {
    from: String,
    to: Vec<String>,
    options: String,
    content: Vec<u8>,
}

struct Server {
    child: Child,
    /// The server's stdout lines, read by a task so that a long line never blocks it.
    lines: tokio::sync::mpsc::UnboundedReceiver<String>,
    port: u16,
}

impl Server {
    async fn start() -> Server {
        Self::start_with(&[]).await
    }

    async fn start_with(args: &[&str]) -> Server {
        testkit::peer::require_python_module("aiosmtpd");
        let mut child = Command::new(testkit::peer::require("python3"))
            .arg("-c")
            .arg(SERVER)
            .args(args)
            .stdout(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("python3 runs");
        let stdout = child.stdout.take().expect("piped stdout");
        let mut lines = BufReader::new(stdout).lines();
        let first = lines
            .next_line()
            .await
            .expect("read")
            .expect("aiosmtpd started (pip install aiosmtpd)");
        let port = first
            .strip_prefix("PORT ")
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("unexpected first line {first:?}"));
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        tokio::spawn(forward_lines(lines, tx));
        Server {
            child,
            lines: rx,
            port,
        }
    }

    async fn line(&mut self) -> String {
        self.lines.recv().await.expect("a line from the server")
    }

    async fn received(&mut self) -> Received {
        let line = self.line().await;
        let fields: Vec<Vec<u8>> = line
            .strip_prefix("MSG ")
            .unwrap_or_else(|| panic!("not a message: {line:?}"))
            .split(' ')
            .map(|f| STANDARD.decode(f).expect("base64"))
            .collect();
        let text = |i: usize| String::from_utf8(fields[i].clone()).expect("utf-8");
        Received {
            from: text(0),
            to: text(1).split(',').map(str::to_string).collect(),
            options: text(2),
            content: fields[3].clone(),
        }
    }

    async fn stop(mut self) {
        let _ = self.child.kill().await;
    }
}

async fn forward_lines(
    mut lines: Lines<BufReader<ChildStdout>>,
    tx: tokio::sync::mpsc::UnboundedSender<String>,
) {
    while let Ok(Some(line)) = lines.next_line().await {
        if tx.send(line).is_err() {
            break;
        }
    }
}

fn options() -> ConnectOptions {
    ConnectOptions {
        timeouts: Timeouts::uniform(Duration::from_secs(10)),
        ..ConnectOptions::default()
    }
}

async fn connect(server: &Server, config: ClientConfig) -> SmtpClient {
    SmtpClient::connect(([127, 0, 0, 1], server.port).into(), config, options())
        .await
        .expect("connected")
}

fn body_with_dots() -> Vec<u8> {
    b"From: a@example.org\r\nSubject: dots\r\n\r\n.leading dot\r\n.\r\n..\r\nend\r\n".to_vec()
}

#[tokio::test]
async fn messages_arrive_byte_exact_with_per_recipient_results() {
    tokio::time::timeout(Duration::from_secs(60), async {
        let mut server = Server::start().await;
        let mut client = connect(&server, ClientConfig::new(host("client.test"))).await;
        assert!(client.session().ehlo().is_some_and(|e| e.has("8BITMIME")));

        // 1: dots at line starts survive; one refused recipient.
        let body = body_with_dots();
        let outcome = client
            .send(
                envelope(
                    "a@example.org",
                    &["b@example.net", "reject@example.net", "c@example.net"],
                ),
                &body[..],
            )
            .await
            .expect("sent");
        let accepted: Vec<bool> = outcome.recipients.iter().map(|r| r.is_accepted()).collect();
        assert_eq!(accepted, [true, false, true]);
        assert_eq!(outcome.recipients[1].reply().code.get(), 550);
        let got = server.received().await;
        assert_eq!(got.from, "a@example.org");
        assert_eq!(got.to, ["b@example.net", "c@example.net"]);
        assert_eq!(got.content, body);

        // 2: SIZE is advertised, so it is sent; a 1 MB body in 64 KiB pieces.
        let big: Vec<u8> = (0..1_000_000u32)
            .map(|i| {
                if i % 100 == 98 {
                    b'\r'
                } else if i % 100 == 99 {
                    b'\n'
                } else {
                    b'a' + (i % 26) as u8
                }
            })
            .collect();
        let mut env = envelope("", &["d@example.net"]);
        env.from.params.size = Some(big.len() as u64);
        let outcome = client.send(env, &big[..]).await.expect("sent");
        assert!(outcome.all_accepted());
        let got = server.received().await;
        assert_eq!(got.from, "<>"); // aiosmtpd records the null path as written
        assert_eq!(got.options, "SIZE=1000000");
        assert_eq!(got.content.len(), big.len());
        assert!(got.content == big);

        // 3: all recipients refused: no DATA; then a good message on the same connection.
        let outcome = client
            .send(
                envelope("a@example.org", &["reject1@x.test", "reject2@x.test"]),
                &b"x\r\n"[..],
            )
            .await
            .expect("sent");
        assert_eq!(outcome.accepted(), 0);
        let outcome = client
            .send(
                envelope("a@example.org", &["e@example.net"]),
                &b"last\r\n"[..],
            )
            .await
            .expect("sent");
        assert!(outcome.all_accepted());
        assert_eq!(server.received().await.content, b"last\r\n");

        // 4: SMTPUTF8 and BODY=8BITMIME, both advertised: non-ASCII addresses, 8-bit body.
        let mut env = envelope("jörg@example.org", &["zoë@exämple.net"]);
        env.from.params.smtputf8 = true;
        env.from.params.body = Some(Body::EightBitMime);
        let body = "Subject: grüße\r\n\r\nÄÖÜ ß € 日本\r\n".as_bytes();
        let outcome = client.send(env, body).await.expect("sent");
        assert!(outcome.all_accepted());
        let got = server.received().await;
        assert_eq!(got.from, "jörg@example.org");
        assert_eq!(got.to, ["zoë@exämple.net"]);
        assert_eq!(got.options, "BODY=8BITMIME SMTPUTF8");
        assert_eq!(got.content, body);

        client.quit().await.expect("quit");
        server.stop().await;
    })
    .await
    .expect("test within its time-out");
}

#[tokio::test]
async fn auth_plain_and_login_against_aiosmtpd() {
    tokio::time::timeout(Duration::from_secs(60), async {
        let mut server = Server::start().await;
        for mechanism in [Mechanism::Plain, Mechanism::Login] {
            let mut config = ClientConfig::new(host("client.test"));
            config.tls = TlsPolicy::Never;
            config.plaintext_auth_without_tls = true;
            config.credentials =
                Some(Credentials::password("alice", "wonderland").with_mechanisms(&[mechanism]));
            let mut client = connect(&server, config).await;
            assert!(client.session().is_authenticated());
            assert_eq!(server.line().await, format!("AUTH {}", mechanism.name()));
            let outcome = client
                .send(
                    envelope("alice@example.org", &["b@example.net"]),
                    &b"hi\r\n"[..],
                )
                .await
                .expect("sent");
            assert!(outcome.all_accepted());
            assert_eq!(server.received().await.content, b"hi\r\n");
            client.quit().await.expect("quit");
        }
        server.stop().await;
    })
    .await
    .expect("test within its time-out");
}

#[tokio::test]
async fn starttls_required_against_aiosmtpd() {
    tokio::time::timeout(Duration::from_secs(60), async {
        let certs = testkit::TestCerts::generate();
        let cert = certs.ca_file().display().to_string();
        let key = certs.key_file().display().to_string();
        let mut server = Server::start_with(&[&cert, &key]).await;
        let mut config = ClientConfig::new(host("client.test"));
        config.tls = TlsPolicy::Required;
        // PLAIN is allowed: the password goes under TLS.
        config.credentials =
            Some(Credentials::password("alice", "wonderland").with_mechanisms(&[Mechanism::Plain]));
        let tls = TlsOptions {
            config: certs.client_config(),
            server_name: ServerName::try_from("localhost")
                .expect("a name")
                .to_owned(),
        };
        let mut client = SmtpClient::connect(
            ([127, 0, 0, 1], server.port).into(),
            config,
            ConnectOptions {
                tls: Some(tls),
                ..options()
            },
        )
        .await
        .expect("connected");
        assert!(client.session().is_tls());
        assert!(client.session().is_authenticated());
        assert_eq!(server.line().await, "AUTH PLAIN");
        let body = body_with_dots();
        let outcome = client
            .send(envelope("alice@example.org", &["b@example.net"]), &body[..])
            .await
            .expect("sent");
        assert!(outcome.all_accepted());
        assert_eq!(server.received().await.content, body);
        client.quit().await.expect("quit");

        // Without TLS settings, a server that requires STARTTLS refuses the mail.
        let mut plain = SmtpClient::connect(
            ([127, 0, 0, 1], server.port).into(),
            ClientConfig::new(host("client.test")),
            options(),
        )
        .await
        .expect("connected");
        assert!(!plain.session().is_tls());
        let outcome = plain
            .send(envelope("a@example.org", &["b@example.net"]), &b"x\r\n"[..])
            .await
            .expect("an outcome");
        assert_eq!(outcome.mail.code.get(), 530);
        assert_eq!(outcome.accepted(), 0);
        server.stop().await;
    })
    .await
    .expect("test within its time-out");
}
