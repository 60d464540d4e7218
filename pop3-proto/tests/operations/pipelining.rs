//! Pipelining (RFC 2449 §6.6): many commands in one write, answered in order; and a dropped
//! connection, which deletes nothing and releases the maildrop lock.

use std::time::Instant;

use pop3_proto::types::command::Command;

use crate::client::{Client, msg};
use crate::support::{Options, TestServer, message};

#[tokio::test]
async fn two_hundred_pipelined_commands_are_answered_in_order() {
    let server = TestServer::start(Options::default()).await;
    let messages: Vec<Vec<u8>> = (0..40).map(|n| message(n, 200 + n * 37)).collect();
    for m in &messages {
        server.deliver("alice", m).await;
    }
    let uids = server.unique_ids("alice").await;
    let mut c = Client::connect(server.addr).await;
    c.login_ok("alice", "wonderland").await;

    // For each message n: STAT, LIST n, UIDL n, RETR n, DELE n — 200 commands, one write.
    let mut batch = Vec::new();
    for n in 1..=40 {
        for command in [
            Command::Stat,
            Command::List(Some(msg(n))),
            Command::Uidl(Some(msg(n))),
            Command::Retr(msg(n)),
            Command::Dele(msg(n)),
        ] {
            command.write_to(&mut batch);
        }
    }
    let started = Instant::now();
    c.send_raw(&batch).await;
    let mut count = messages.len();
    let mut size: usize = messages.iter().map(Vec::len).sum();
    for (i, m) in messages.iter().enumerate() {
        let n = i + 1;
        let stat = c.status().await;
        assert_eq!(stat.text, format!("{count} {size}"), "STAT before DELE {n}");
        let list = c.status().await;
        assert_eq!(list.text, format!("{n} {}", m.len()), "LIST {n}");
        let uidl = c.status().await;
        assert_eq!(uidl.text, format!("{n} {}", uids[i]), "UIDL {n}");
        let retr = c.status().await;
        assert!(retr.is_ok(), "RETR {n}: {retr:?}");
        assert_eq!(&c.body().await, m, "RETR {n}");
        let dele = c.status().await;
        assert!(dele.is_ok(), "DELE {n}: {dele:?}");
        count -= 1;
        size -= m.len();
    }
    let took = started.elapsed();
    let stat = c.cmd(&Command::Stat).await;
    assert_eq!(stat.text, "0 0");
    let quit = c.cmd(&Command::Quit).await;
    assert!(quit.text.contains("40 messages deleted"), "{quit:?}");
    c.expect_eof().await;
    assert!(server.unique_ids("alice").await.is_empty());
    println!("200 pipelined commands answered in {took:?}");
    server.stop().await;
}

#[tokio::test]
async fn dropped_connection_deletes_nothing_and_frees_the_lock() {
    let server = TestServer::start(Options::default()).await;
    for n in 0..3 {
        server.deliver("alice", &message(n, 300)).await;
    }
    let before = server.unique_ids("alice").await;
    let mut c = Client::connect(server.addr).await;
    c.login_ok("alice", "wonderland").await;
    for n in 1..=3 {
        assert!(c.cmd(&Command::Dele(msg(n))).await.is_ok());
    }
    assert_eq!(c.cmd(&Command::Stat).await.text, "0 0");
    drop(c);
    // A new session logs in at once (the lock went with the connection) and sees all three.
    let mut again = Client::connect(server.addr).await;
    let login = again.login("alice", "wonderland").await;
    assert!(login.is_ok(), "{login:?}");
    let stat = again.cmd(&Command::Stat).await;
    assert!(stat.text.starts_with("3 "), "{stat:?}");
    assert_eq!(server.unique_ids("alice").await, before);
    assert!(again.cmd(&Command::Quit).await.is_ok());
    again.expect_eof().await;
    assert_eq!(server.unique_ids("alice").await, before);
    server.stop().await;
}

#[tokio::test]
async fn connection_dropped_in_the_middle_of_retr_deletes_nothing() {
    let server = TestServer::start(Options::default()).await;
    server.deliver("alice", &message(1, 300)).await;
    server.deliver("alice", &message(2, 4 * 1024 * 1024)).await;
    let before = server.unique_ids("alice").await;
    let mut c = Client::connect(server.addr).await;
    c.login_ok("alice", "wonderland").await;
    assert!(c.cmd(&Command::Dele(msg(1))).await.is_ok());
    let retr = c.cmd(&Command::Retr(msg(2))).await;
    assert!(retr.is_ok(), "{retr:?}");
    assert!(c.read_some().await > 0);
    drop(c);
    // The server finds out when its writes fail; then the lock is free and nothing is gone.
    let dropped = Instant::now();
    let mut again = crate::client::within("the lock to be released", async {
        loop {
            let mut again = Client::connect(server.addr).await;
            if again.login("alice", "wonderland").await.is_ok() {
                return again;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    })
    .await;
    let released = dropped.elapsed();
    let stat = again.cmd(&Command::Stat).await;
    assert!(stat.text.starts_with("2 "), "{stat:?}");
    assert!(again.cmd(&Command::Quit).await.is_ok());
    assert_eq!(server.unique_ids("alice").await, before);
    println!("lock released {released:?} after the drop in mid-RETR");
    server.stop().await;
}
