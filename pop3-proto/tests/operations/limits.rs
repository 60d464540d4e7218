//! Idle time-out (RFC 1939 §3 autologout), connection limits, and the delay after failed logins.

use std::net::{IpAddr, Ipv4Addr};
use std::time::{Duration, Instant};

use pop3_proto::server::Limits;
use pop3_proto::types::command::Command;
use pop3_proto::types::response::ResponseCode;

use crate::client::{Client, WAIT, assert_err, msg, within};
use crate::support::{Options, TestServer, message};

const LOCAL_1: IpAddr = IpAddr::V4(Ipv4Addr::new(127, 0, 0, 1));
const LOCAL_2: IpAddr = IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2));

#[tokio::test]
async fn idle_session_is_logged_out_and_nothing_is_deleted() {
    let server = TestServer::start(Options {
        server: |s| s.idle_timeout(Duration::from_millis(300)),
        ..Options::default()
    })
    .await;
    for n in 0..2 {
        server.deliver("alice", &message(n, 300)).await;
    }
    let before = server.unique_ids("alice").await;
    let mut c = Client::connect(server.addr).await;
    c.login_ok("alice", "wonderland").await;
    assert!(c.cmd(&Command::Dele(msg(1))).await.is_ok());
    let silent = Instant::now();
    let farewell = c.status().await;
    let idle = silent.elapsed();
    assert_err(&farewell, None);
    assert!(farewell.text.contains("Autologout"), "{farewell:?}");
    assert!(
        idle >= Duration::from_millis(300),
        "logged out after {idle:?}"
    );
    assert!(
        idle < Duration::from_secs(3),
        "logged out only after {idle:?}"
    );
    c.expect_eof().await;
    // No UPDATE: the DELE'd message is still there, and the lock is free again.
    assert_eq!(server.unique_ids("alice").await, before);
    let mut again = Client::connect(server.addr).await;
    again.login_ok("alice", "wonderland").await;
    let stat = again.cmd(&Command::Stat).await;
    assert!(stat.text.starts_with("2 "), "{stat:?}");
    assert!(again.cmd(&Command::Quit).await.is_ok());
    server.stop().await;
}

/// A client that opens a connection to the implicit-TLS port and never starts the handshake is
/// dropped after the idle time-out too (it would hold a connection slot, and block a graceful
/// shutdown, forever); so is one that sends `STLS` and then stays silent.
#[tokio::test]
async fn silent_tls_handshakes_time_out() {
    use tokio::io::AsyncReadExt as _;
    for implicit_tls in [true, false] {
        let server = TestServer::start(Options {
            tls: true,
            implicit_tls,
            server: |s| s.idle_timeout(Duration::from_millis(300)),
            ..Options::default()
        })
        .await;
        let mut tcp = if implicit_tls {
            within("connect", tokio::net::TcpStream::connect(server.addr))
                .await
                .expect("connect")
        } else {
            let mut c = Client::connect(server.addr).await;
            let ok = c.cmd(&Command::Stls).await;
            assert!(ok.is_ok(), "{ok:?}");
            // Go on below POP3: the server now waits for a ClientHello.
            c.into_stream()
        };
        let started = Instant::now();
        let mut rest = Vec::new();
        let read = within("the server to give up", tcp.read_to_end(&mut rest)).await;
        let took = started.elapsed();
        // EOF (or a reset) with nothing sent: the handshake never happened.
        assert!(read.map_or(true, |n| n == 0), "{rest:?}");
        assert!(took >= Duration::from_millis(250), "closed after {took:?}");
        server.stop().await;
    }
}

/// Connects from `from` and asserts a `-ERR [SYS/TEMP]` refusal followed by the close.
async fn assert_refused(from: IpAddr, server: &TestServer) {
    let mut c = Client::connect_from(from, server.addr).await;
    assert_err(&c.greeting, Some(ResponseCode::SysTemp));
    c.expect_eof().await;
}

#[tokio::test]
async fn connection_limits_in_total_and_per_address() {
    let server = TestServer::start(Options {
        server: |s| s.limits(Limits::default().with_connections(3, 2)),
        ..Options::default()
    })
    .await;
    let a1 = Client::connect_from(LOCAL_1, server.addr).await;
    let a2 = Client::connect_from(LOCAL_1, server.addr).await;
    assert!(a1.greeting.is_ok() && a2.greeting.is_ok());
    // Per address: a third from 127.0.0.1 is refused while the total (2) is below 3.
    assert_refused(LOCAL_1, &server).await;
    // Another address still gets in, up to the total of 3.
    let b1 = Client::connect_from(LOCAL_2, server.addr).await;
    assert!(b1.greeting.is_ok(), "{:?}", b1.greeting);
    // Total: 127.0.0.2 has one of its two, but the server is full.
    assert_refused(LOCAL_2, &server).await;
    // Closing one frees its slot (in total and for its address) once the server sees the close.
    drop(a1);
    let freed = Instant::now();
    let a3 = within("a freed slot", async {
        loop {
            let c = Client::connect_from(LOCAL_1, server.addr).await;
            if c.greeting.is_ok() {
                return c;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
    assert!(freed.elapsed() < WAIT);
    // Full again: neither address gets a fourth.
    assert_refused(LOCAL_1, &server).await;
    assert_refused(LOCAL_2, &server).await;
    drop((a2, a3, b1));
    server.stop().await;
}

#[tokio::test]
async fn failed_login_is_delayed_and_repeated_failures_close() {
    let server = TestServer::start(Options {
        config: |c| c.auth.failure_delay = Duration::from_millis(300),
        ..Options::default()
    })
    .await;
    let mut c = Client::connect(server.addr).await;
    let start = Instant::now();
    let wrong = c.login("alice", "nope").await;
    let wrong_took = start.elapsed();
    assert_err(&wrong, Some(ResponseCode::Auth));
    assert!(wrong_took >= Duration::from_millis(300), "{wrong_took:?}");
    let start = Instant::now();
    let right = c.login("alice", "wonderland").await;
    let right_took = start.elapsed();
    assert!(right.is_ok(), "{right:?}");
    assert!(right_took < Duration::from_millis(300), "{right_took:?}");
    assert!(c.cmd(&Command::Quit).await.is_ok());
    c.expect_eof().await;
    // auth.max_failures (3) are tolerated: the fourth failure closes the connection with
    // -ERR [AUTH].
    let mut c = Client::connect(server.addr).await;
    let start = Instant::now();
    for _ in 0..3 {
        assert_err(&c.login("bob", "wrong").await, Some(ResponseCode::Auth));
    }
    let last = c.login("bob", "wrong").await;
    assert_err(&last, Some(ResponseCode::Auth));
    assert!(last.text.contains("Too many"), "{last:?}");
    c.expect_eof().await;
    assert!(start.elapsed() >= Duration::from_millis(1200));
    println!("failed login {wrong_took:?}, right login {right_took:?}");
    server.stop().await;
}
