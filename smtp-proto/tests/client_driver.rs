//! The client driver over real loopback sockets against scripted servers: time-outs per
//! step, a server that hangs up, pipelining proven on the wire.

use std::time::Duration;

use smtp_proto::client::{ClientDriverError, ConnectOptions, SmtpClient, Timeouts};
use smtp_proto::session::client::{ClientConfig, Stage};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

#[path = "client_common/mod.rs"]
mod common;
use common::{envelope, host};

fn options(ms: u64) -> ConnectOptions {
    ConnectOptions {
        timeouts: Timeouts::uniform(Duration::from_millis(ms)),
        ..ConnectOptions::default()
    }
}

fn config() -> ClientConfig {
    ClientConfig::new(host("client.test"))
}

async fn listen() -> (TcpListener, std::net::SocketAddr) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    (listener, addr)
}

/// Reads lines until one equals `until` (without CRLF); returns them all.
async fn read_until(reader: &mut BufReader<TcpStream>, until: &str) -> Vec<String> {
    let mut lines = Vec::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).await.expect("read") == 0 {
            panic!("client closed; got {lines:?}");
        }
        let line = line.trim_end_matches("\r\n").to_string();
        let done = line == until;
        lines.push(line);
        if done {
            return lines;
        }
    }
}

async fn within<F: std::future::Future<Output = ()>>(f: F) {
    tokio::time::timeout(Duration::from_secs(20), f)
        .await
        .expect("test finished within its time-out");
}

#[tokio::test]
async fn silent_server_times_out_at_the_greeting() {
    within(async {
        let (listener, addr) = listen().await;
        let server = tokio::spawn(async move {
            let (socket, _) = listener.accept().await.expect("accept");
            tokio::time::sleep(Duration::from_secs(3)).await;
            drop(socket);
        });
        let err = SmtpClient::connect(addr, config(), options(300))
            .await
            .err()
            .expect("time-out");
        assert!(
            matches!(
                err,
                ClientDriverError::Timeout {
                    stage: Stage::Greeting,
                    ..
                }
            ),
            "{err:?}"
        );
        assert!(err.is_temporary());
        server.abort();
    })
    .await;
}

#[tokio::test]
async fn server_hanging_up_after_ehlo_is_reported() {
    within(async {
        let (listener, addr) = listen().await;
        tokio::spawn(async move {
            let (mut socket, _) = listener.accept().await.expect("accept");
            socket.write_all(b"220 mx ready\r\n").await.expect("write");
            let mut reader = BufReader::new(socket);
            read_until(&mut reader, "EHLO client.test").await;
            // Hang up without a reply.
        });
        let err = SmtpClient::connect(addr, config(), options(5000))
            .await
            .err()
            .expect("closed");
        assert!(
            matches!(err, ClientDriverError::Closed(Stage::Ehlo)),
            "{err:?}"
        );
    })
    .await;
}

/// The server answers nothing until it has MAIL, RCPT, RCPT and DATA: a client that waited
/// for each reply would time out.
#[tokio::test]
async fn pipelined_commands_arrive_before_any_reply() {
    within(async {
        let (listener, addr) = listen().await;
        let server = tokio::spawn(async move {
            let (mut socket, _) = listener.accept().await.expect("accept");
            socket.write_all(b"220 mx ready\r\n").await.expect("write");
            let mut reader = BufReader::new(socket);
            read_until(&mut reader, "EHLO client.test").await;
            reader
                .get_mut()
                .write_all(b"250-mx\r\n250-PIPELINING\r\n250 8BITMIME\r\n")
                .await
                .expect("write");
            let envelope_lines = read_until(&mut reader, "DATA").await;
            reader
                .get_mut()
                .write_all(b"250 ok\r\n250 ok\r\n550 5.1.1 unknown\r\n354 go\r\n")
                .await
                .expect("write");
            let body = read_until(&mut reader, ".").await;
            // Hold the final reply a little: the client waits under its DataEnd time-out.
            tokio::time::sleep(Duration::from_millis(200)).await;
            reader
                .get_mut()
                .write_all(b"250 2.0.0 queued\r\n")
                .await
                .expect("write");
            read_until(&mut reader, "QUIT").await;
            reader
                .get_mut()
                .write_all(b"221 bye\r\n")
                .await
                .expect("write");
            (envelope_lines, body)
        });
        let mut client = SmtpClient::connect(addr, config(), options(5000))
            .await
            .expect("connected");
        let outcome = client
            .send(
                envelope("a@x.test", &["b@y.test", "c@y.test"]),
                &b"Subject: t\r\n\r\n.dot\r\n"[..],
            )
            .await
            .expect("sent");
        let codes: Vec<u16> = outcome
            .recipients
            .iter()
            .map(|r| r.reply().code.get())
            .collect();
        assert_eq!(codes, [250, 550]);
        assert_eq!(outcome.accepted(), 1);
        client.quit().await.expect("quit");
        let (envelope_lines, body) = server.await.expect("server task");
        assert_eq!(
            envelope_lines,
            [
                "MAIL FROM:<a@x.test>",
                "RCPT TO:<b@y.test>",
                "RCPT TO:<c@y.test>",
                "DATA"
            ]
        );
        assert_eq!(body, ["Subject: t", "", "..dot", "."]);
    })
    .await;
}

#[tokio::test]
async fn final_reply_time_out_names_the_end_of_data() {
    within(async {
        let (listener, addr) = listen().await;
        let server = tokio::spawn(async move {
            let (mut socket, _) = listener.accept().await.expect("accept");
            socket.write_all(b"220 mx ready\r\n").await.expect("write");
            let mut reader = BufReader::new(socket);
            read_until(&mut reader, "EHLO client.test").await;
            reader
                .get_mut()
                .write_all(b"250 mx\r\n")
                .await
                .expect("write");
            for reply in ["250 ok\r\n", "250 ok\r\n", "354 go\r\n"] {
                let mut line = String::new();
                reader.read_line(&mut line).await.expect("read");
                reader
                    .get_mut()
                    .write_all(reply.as_bytes())
                    .await
                    .expect("write");
            }
            read_until(&mut reader, ".").await;
            tokio::time::sleep(Duration::from_secs(3)).await;
        });
        let mut client = SmtpClient::connect(addr, config(), options(400))
            .await
            .expect("connected");
        let err = client
            .send(envelope("a@x.test", &["b@y.test"]), &b"hi\r\n"[..])
            .await
            .expect_err("time-out");
        assert!(
            matches!(
                err,
                ClientDriverError::Timeout {
                    stage: Stage::DataEnd,
                    ..
                }
            ),
            "{err:?}"
        );
        server.abort();
    })
    .await;
}

#[test]
fn default_timeouts_are_rfc_5321() {
    let t = Timeouts::default();
    let min = |m: u64| Duration::from_secs(60 * m);
    assert_eq!(t.for_stage(Stage::Greeting), min(5));
    assert_eq!(t.for_stage(Stage::Mail), min(5));
    assert_eq!(t.for_stage(Stage::Rcpt), min(5));
    assert_eq!(t.for_stage(Stage::DataInit), min(2));
    assert_eq!(t.for_stage(Stage::DataBlock), min(3));
    assert_eq!(t.for_stage(Stage::DataEnd), min(10));
}
