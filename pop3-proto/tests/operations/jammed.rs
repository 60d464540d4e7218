//! Clients that never read their responses, and password checks that take long: the server
//! drops the first within its write time-out, finishes its shutdown with them connected, and
//! runs the second off the runtime's worker threads.

use std::sync::Arc;
use std::time::{Duration, Instant};

use pop3_proto::server::{Limits, Server};
use pop3_proto::session::ServerConfig;
use pop3_proto::types::command::Command;
use pop3_proto::types::response::ResponseCode;
use testkit::credentials::SlowStore;
use tokio::net::TcpListener;

use crate::client::{Client, RawServer, assert_err, within};
use crate::support::message;

/// A logged-in client that pipelines NOOP and never reads is dropped once a write of its
/// responses has waited for the write time-out.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_that_never_reads_is_dropped_within_the_write_timeout() {
    let write_timeout = Duration::from_millis(500);
    let mut server = RawServer::start(|s| s.write_timeout(write_timeout)).await;
    let mut c = Client::connect(server.addr).await;
    c.login_ok("alice", "wonderland").await;
    let mut stream = c.into_stream();
    testkit::jam::assert_dropped("pop3 NOOP", &mut stream, b"NOOP\r\n", write_timeout).await;
    server.begin_shutdown();
    let served = within("serve to return", server.task()).await;
    assert!(matches!(served, Ok(Ok(()))), "{served:?}");
}

/// With the default (long) write time-out, a client jammed with pipelined LIST does not hold
/// the shutdown: the write is given up when the grace period ends.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_finishes_with_a_jammed_client() {
    let grace = Duration::from_millis(300);
    let limits = Limits::default()
        .with_grace(grace)
        .with_abort_after(Duration::from_secs(3));
    let mut server = RawServer::start(|s| s.limits(limits)).await;
    for n in 0..20 {
        server.deliver("alice", &message(n, 200)).await;
    }
    let mut c = Client::connect(server.addr).await;
    c.login_ok("alice", "wonderland").await;
    let mut stream = c.into_stream();
    let jam = testkit::jam::jammed(&mut stream, b"LIST\r\n").await;
    let jammer = testkit::jam::keep_jamming(stream, b"LIST\r\n");
    let started = Instant::now();
    server.begin_shutdown();
    let served = within("serve to return", server.task()).await;
    let took = started.elapsed();
    assert!(matches!(served, Ok(Ok(()))), "{served:?}");
    testkit::jam::assert_shutdown_cut("pop3 (LIST)", took, grace, &jam, jammer).await;
}

/// The default limits refuse the 51st simultaneous connection from one address.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn default_limits_refuse_the_51st_connection_from_one_address() {
    let mut server = RawServer::start(|s| s).await;
    let mut open = Vec::new();
    for n in 0..50 {
        let c = Client::connect(server.addr).await;
        assert!(c.greeting.is_ok(), "connection {n}: {:?}", c.greeting);
        open.push(c);
    }
    let mut extra = Client::connect(server.addr).await;
    assert_err(&extra.greeting, Some(ResponseCode::SysTemp));
    extra.expect_eof().await;
    // The 50 are still served.
    let capa = open[49].multi(&Command::Capa).await;
    assert!(capa.0.is_ok(), "{capa:?}");
    drop(open);
    server.begin_shutdown();
    let served = within("serve to return", server.task()).await;
    assert!(matches!(served, Ok(Ok(()))), "{served:?}");
}

/// Password checks run on the blocking pool: on a current-thread runtime (one worker, the
/// test's thread) a `PASS` whose check blocks for 600 ms runs on another thread, and another
/// connection is answered meanwhile.
#[tokio::test(flavor = "current_thread")]
async fn password_checks_run_off_the_runtime_worker() {
    let cost = Duration::from_millis(600);
    let store = Arc::new(SlowStore::new(&[("alice", "wonderland")], cost));
    let dir = tempfile::tempdir().expect("tempdir");
    let mail = Arc::new(mailstore::maildir::MaildirStore::new(dir.path()));
    let mut config = ServerConfig::new("pop.test");
    config.auth.allow_plaintext = true;
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let credentials = store.clone();
    let task = tokio::spawn(async move {
        Server::new(config)
            .serve(listener, mail, credentials, async {
                let _ = stopped.await;
            })
            .await
    });
    let mut a = Client::connect(addr).await;
    let mut b = Client::connect(addr).await;
    assert!(a.cmd(&Command::User("alice".into())).await.is_ok());
    a.send(&Command::Pass(sasl::Secret::new("wonderland".into())))
        .await;
    // Let the check start, then ask the other connection.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let start = Instant::now();
    let capa = b.multi(&Command::Capa).await;
    let took = start.elapsed();
    assert!(capa.0.is_ok(), "{capa:?}");
    assert!(a.status().await.is_ok());
    println!("pop3: CAPA answered in {took:?} during a {cost:?} password check");
    assert!(took < Duration::from_millis(300), "{took:?}");
    store.assert_one_check_off_this_thread();
    drop((a, b));
    let _ = stop.send(());
    let served = within("serve to return", task).await;
    assert!(matches!(served, Ok(Ok(()))), "{served:?}");
}
