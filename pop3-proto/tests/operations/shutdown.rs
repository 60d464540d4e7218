//! Graceful shutdown: stop accepting, let sessions finish during the grace period, then close
//! the rest with `-ERR [SYS/TEMP]` and no UPDATE.

use std::time::{Duration, Instant};

use pop3_proto::server::Limits;
use pop3_proto::types::command::Command;
use pop3_proto::types::response::ResponseCode;
use tokio::net::TcpStream;

use crate::client::{Client, RawServer, assert_err, msg, within};
use crate::support::message;

#[tokio::test]
async fn shutdown_lets_sessions_finish_then_closes_without_update() {
    let mut server =
        RawServer::start(|s| s.limits(Limits::default().with_grace(Duration::from_millis(500))))
            .await;
    for n in 0..3 {
        server.deliver("alice", &message(n, 300)).await;
    }
    for n in 0..2 {
        server.deliver("bob", &message(n, 300)).await;
    }
    let alice_before = server.unique_ids("alice").await;
    let bob_before = server.unique_ids("bob").await;

    // A: logged in, DELE 1, then idle through the shutdown.
    let mut a = Client::connect(server.addr).await;
    a.login_ok("alice", "wonderland").await;
    assert!(a.cmd(&Command::Dele(msg(1))).await.is_ok());
    // B: logged in, finishes its transaction during the grace period.
    let mut b = Client::connect(server.addr).await;
    b.login_ok("bob", "builder").await;

    let started = Instant::now();
    server.begin_shutdown();
    // New connections are refused once the listener is gone.
    let refused = within("the listener to close", async {
        loop {
            match TcpStream::connect(server.addr).await {
                Err(_) => return started.elapsed(),
                Ok(_) => tokio::time::sleep(Duration::from_millis(10)).await,
            }
        }
    })
    .await;
    assert!(refused < Duration::from_millis(500), "{refused:?}");

    assert!(b.cmd(&Command::Dele(msg(1))).await.is_ok());
    let quit = b.cmd(&Command::Quit).await;
    assert!(quit.is_ok(), "{quit:?}");
    assert!(quit.text.contains("1 messages deleted"), "{quit:?}");
    b.expect_eof().await;
    assert!(started.elapsed() < Duration::from_millis(500));
    assert_eq!(server.unique_ids("bob").await, bob_before[1..].to_vec());

    // A is closed at the end of the grace, without UPDATE.
    let farewell = a.status().await;
    let closed_after = started.elapsed();
    assert_err(&farewell, Some(ResponseCode::SysTemp));
    a.expect_eof().await;
    assert!(
        closed_after >= Duration::from_millis(500),
        "{closed_after:?}"
    );
    assert!(closed_after < Duration::from_secs(3), "{closed_after:?}");
    let served = within("serve() to return", server.task()).await;
    assert!(matches!(served, Ok(Ok(()))), "{served:?}");
    assert_eq!(server.unique_ids("alice").await, alice_before);
    println!("refused after {refused:?}, A closed after {closed_after:?}");
}

#[tokio::test]
async fn shutdown_without_sessions_returns_at_once() {
    let mut server =
        RawServer::start(|s| s.limits(Limits::default().with_grace(Duration::from_secs(5)))).await;
    let mut c = Client::connect(server.addr).await;
    assert!(c.cmd(&Command::Quit).await.is_ok());
    c.expect_eof().await;
    let started = Instant::now();
    server.begin_shutdown();
    let served = within("serve() to return", server.task()).await;
    assert!(matches!(served, Ok(Ok(()))), "{served:?}");
    // Nothing to wait for: the grace period is not sat out.
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
}

/// `Server::serve_connection` with a stop channel whose sender is gone (nobody will ever stop
/// it) serves the session normally instead of treating the closed channel as a shutdown.
#[tokio::test]
async fn serve_connection_without_a_stop_sender_keeps_serving() {
    let raw = RawServer::start(|s| s).await;
    raw.deliver("alice", &message(1, 300)).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let store = raw.store.clone();
    let task = tokio::spawn(async move {
        let (tcp, peer) = listener.accept().await.expect("accept");
        let users = sasl::MemoryStore::new().with_iterations(64);
        users.add_user("alice", "wonderland");
        let mut config = pop3_proto::session::ServerConfig::new("pop.test");
        config.auth.allow_plaintext = true;
        let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
        drop(stop_tx);
        pop3_proto::server::Server::new(config)
            .serve_connection(tcp, peer, store, std::sync::Arc::new(users), stop_rx)
            .await;
    });
    let mut c = Client::connect(addr).await;
    assert!(c.greeting.is_ok(), "{:?}", c.greeting);
    c.login_ok("alice", "wonderland").await;
    let stat = c.cmd(&Command::Stat).await;
    assert!(stat.text.starts_with("1 "), "{stat:?}");
    assert!(c.cmd(&Command::Quit).await.is_ok());
    c.expect_eof().await;
    within("serve_connection to return", task)
        .await
        .expect("task");
}

/// A client silent in the TLS handshake (implicit TLS, the default ten-minute idle time-out)
/// does not keep a graceful shutdown waiting past the grace period.
#[tokio::test]
async fn shutdown_does_not_wait_for_a_silent_tls_handshake() {
    let server = crate::support::TestServer::start(crate::support::Options {
        tls: true,
        implicit_tls: true,
        server: |s| s.limits(Limits::default().with_grace(Duration::from_millis(300))),
        ..crate::support::Options::default()
    })
    .await;
    let silent = within("connect", TcpStream::connect(server.addr))
        .await
        .expect("connect");
    // Let the server accept it and start waiting for the ClientHello.
    tokio::time::sleep(Duration::from_millis(50)).await;
    let started = Instant::now();
    server.stop().await;
    let took = started.elapsed();
    assert!(took >= Duration::from_millis(300), "{took:?}");
    assert!(took < Duration::from_secs(3), "stop took {took:?}");
    drop(silent);
}
