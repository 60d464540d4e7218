//! Our client driver against Postfix's `smtp-sink` (a second third-party server), and a
//! side-by-side rate against Postfix's own `smtp-source` on the same sink.

use std::net::SocketAddr;
use std::process::Stdio;
use std::time::{Duration, Instant};

use smtp_proto::client::{ConnectOptions, SmtpClient, Timeouts};
use smtp_proto::session::client::ClientConfig;
use tokio::process::{Child, Command};

#[path = "client_common/mod.rs"]
mod common;
use common::{envelope, host};

struct Sink {
    child: Child,
    addr: SocketAddr,
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr").port()
}

fn is_root() -> bool {
    std::process::Command::new("id")
        .arg("-u")
        .output()
        .map(|o| o.stdout.starts_with(b"0\n"))
        .unwrap_or(false)
}

impl Sink {
    async fn start(extra: &[&str]) -> Sink {
        let port = free_port();
        let addr: SocketAddr = ([127, 0, 0, 1], port).into();
        let mut cmd = Command::new(testkit::peer::require("smtp-sink"));
        if is_root() {
            cmd.args(["-u", "postfix"]);
        }
        let child = cmd
            .args(extra)
            .arg(format!("127.0.0.1:{port}"))
            .arg("100")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("smtp-sink runs (Debian package postfix)");
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(addr).await.is_ok() {
                return Sink { child, addr };
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("smtp-sink did not start");
    }

    async fn stop(mut self) {
        let _ = self.child.kill().await;
    }
}

fn options() -> ConnectOptions {
    ConnectOptions {
        timeouts: Timeouts::uniform(Duration::from_secs(20)),
        ..ConnectOptions::default()
    }
}

fn message(size: usize) -> Vec<u8> {
    let mut body = b"From: a@sink.test\r\nSubject: load\r\n\r\n".to_vec();
    while body.len() < size {
        body.extend_from_slice(b".a line of text, some of them start with a dot\r\n");
    }
    body
}

async fn send_many(addr: SocketAddr, count: usize, body: &[u8]) -> Duration {
    let config = ClientConfig::new(host("client.test"));
    let start = Instant::now();
    let mut client = SmtpClient::connect(addr, config, options())
        .await
        .expect("connected");
    for _ in 0..count {
        let outcome = client
            .send(
                envelope("a@sink.test", &["b@sink.test", "c@sink.test"]),
                body,
            )
            .await
            .expect("sent");
        assert!(outcome.all_accepted(), "{outcome:?}");
    }
    client.quit().await.expect("quit");
    start.elapsed()
}

#[tokio::test]
async fn many_messages_to_smtp_sink_and_rate_against_smtp_source() {
    tokio::time::timeout(Duration::from_secs(120), async {
        const COUNT: usize = 1000;
        let body = message(2048);
        let sink = Sink::start(&[]).await;
        let ehlo_ok = {
            let client = SmtpClient::connect(sink.addr, ClientConfig::new(host("c")), options())
                .await
                .expect("connected");
            let pipelining = client.session().ehlo().is_some_and(|e| e.has("PIPELINING"));
            client.quit().await.expect("quit");
            pipelining
        };
        assert!(ehlo_ok, "smtp-sink advertises PIPELINING");

        let ours = send_many(sink.addr, COUNT, &body).await;

        let start = Instant::now();
        let status = Command::new(testkit::peer::require("smtp-source"))
            .args([
                "-d",
                "-s",
                "1",
                "-m",
                &COUNT.to_string(),
                "-l",
                "2048",
                "-r",
                "2",
            ])
            .args(["-f", "a@sink.test", "-t", "b@sink.test"])
            .arg(sink.addr.to_string())
            .stdout(Stdio::null())
            .status()
            .await
            .expect("smtp-source runs");
        let theirs = start.elapsed();
        assert!(status.success());
        let rate = |d: Duration| COUNT as f64 / d.as_secs_f64();
        println!(
            "{COUNT} messages of 2 KB, 2 recipients, one connection: ours {:.0} msg/s, \
             smtp-source {:.0} msg/s, ratio {:.2}",
            rate(ours),
            rate(theirs),
            rate(ours) / rate(theirs)
        );
        sink.stop().await;
    })
    .await
    .expect("test within its time-out");
}
