//! `AUTH` (RFC 5034): the mechanism list, PLAIN with and without an initial response,
//! SCRAM-SHA-256 with the `sasl` crate's client, `*` cancel, wrong passwords.

use std::borrow::Cow;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use pop3_proto::types::command::Command;
use pop3_proto::types::response::{Response, ResponseCode, StatusLine};
use sasl::{ClientSession, Credentials, Mechanism, Secret};

use crate::client::{Client, assert_err};
use crate::support::{Options, TestServer, message};

/// `AUTH mechanism [initial-response]`, the response base64-encoded (`=` when empty).
fn auth(mechanism: &str, initial: Option<&[u8]>) -> Command<'static> {
    Command::Auth {
        mechanism: Cow::Owned(mechanism.to_owned()),
        initial_response: initial.map(|ir| {
            let text = if ir.is_empty() {
                "=".to_owned()
            } else {
                STANDARD.encode(ir)
            };
            Secret::new(Cow::Owned(text))
        }),
    }
}

/// Sends one client response line of a SASL exchange.
async fn respond(c: &mut Client, data: &[u8]) {
    let line = format!("{}\r\n", STANDARD.encode(data));
    c.send_raw(line.as_bytes()).await;
}

/// Reads a continuation and decodes its challenge.
async fn challenge(c: &mut Client) -> Vec<u8> {
    match c.response().await {
        Response::Continuation(cont) => cont.decode().expect("base64 challenge"),
        Response::Status(s) => panic!("status {s:?} where a challenge was due"),
    }
}

/// Runs SCRAM-SHA-256 for alice with `password`; returns the final status line and whether
/// the client verified the server's signature.
async fn scram(c: &mut Client, password: &str, initial: bool) -> (StatusLine<'static>, bool) {
    let mut client = ClientSession::new(
        Mechanism::ScramSha256,
        Credentials::password("alice", password),
    )
    .expect("SCRAM client");
    let first = client.initial_response().expect("client-first");
    if initial {
        c.send(&auth("SCRAM-SHA-256", Some(&first))).await;
    } else {
        c.send(&auth("SCRAM-SHA-256", None)).await;
        assert!(challenge(c).await.is_empty());
        respond(c, &first).await;
    }
    let server_first = challenge(c).await;
    let client_final = client.step(&server_first).expect("client-final");
    respond(c, &client_final).await;
    match c.response().await {
        Response::Continuation(cont) => {
            // server-final (v=...): verify it, then send the empty response RFC 5034 asks for.
            let server_final = cont.decode().expect("base64");
            let empty = client
                .step(&server_final)
                .expect("server signature verifies");
            assert!(empty.is_empty());
            respond(c, &empty).await;
            let status = c.status().await;
            let verified = client.finish().is_ok();
            (status, verified)
        }
        Response::Status(status) => (status, false),
    }
}

fn plain(user: &str, password: &str) -> Vec<u8> {
    format!("\0{user}\0{password}").into_bytes()
}

#[tokio::test]
async fn auth_mechanisms_plain_scram_cancel_and_failures() {
    let server = TestServer::start(Options::default()).await;
    server.deliver("alice", &message(1, 400)).await;
    let mut c = Client::connect(server.addr).await;

    // The AUTH listing (RFC 5034 as servers implement it: a multi-line list).
    let (status, list) = c.multi(&Command::AuthList).await;
    assert!(status.is_ok(), "{status:?}");
    assert_eq!(list, b"PLAIN\r\nSCRAM-SHA-256\r\n");

    // `*` cancels: -ERR, and the session stays usable.
    c.send(&auth("PLAIN", None)).await;
    assert!(challenge(&mut c).await.is_empty());
    c.send_raw(b"*\r\n").await;
    let cancelled = c.status().await;
    assert_err(&cancelled, None);
    assert!(cancelled.text.contains("cancel"), "{cancelled:?}");

    // Wrong password, PLAIN with an initial response: -ERR [AUTH].
    let wrong = c.cmd(&auth("PLAIN", Some(&plain("alice", "nope")))).await;
    assert_err(&wrong, Some(ResponseCode::Auth));
    // Wrong password with SCRAM: -ERR [AUTH], no server signature.
    let (wrong, verified) = scram(&mut c, "nope", true).await;
    assert_err(&wrong, Some(ResponseCode::Auth));
    assert!(!verified);
    // An unknown mechanism is refused without counting as a failed login.
    let unknown = c.cmd(&auth("X-UNKNOWN", None)).await;
    assert!(!unknown.is_ok(), "{unknown:?}");

    // PLAIN with an initial response.
    let ok = c
        .cmd(&auth("PLAIN", Some(&plain("alice", "wonderland"))))
        .await;
    assert!(ok.is_ok(), "{ok:?}");
    assert!(ok.text.contains("1 messages"), "{ok:?}");
    assert!(c.cmd(&Command::Quit).await.is_ok());
    c.expect_eof().await;

    // PLAIN with the credentials in the continuation.
    let mut c = Client::connect(server.addr).await;
    c.send(&auth("PLAIN", None)).await;
    assert!(challenge(&mut c).await.is_empty());
    respond(&mut c, &plain("alice", "wonderland")).await;
    let ok = c.status().await;
    assert!(ok.is_ok(), "{ok:?}");
    assert!(c.cmd(&Command::Quit).await.is_ok());

    // SCRAM-SHA-256 with and without an initial response; the client checks the server.
    for initial in [true, false] {
        let mut c = Client::connect(server.addr).await;
        let (ok, verified) = scram(&mut c, "wonderland", initial).await;
        assert!(ok.is_ok(), "initial={initial}: {ok:?}");
        assert!(verified, "server signature not verified");
        let stat = c.cmd(&Command::Stat).await;
        assert!(stat.text.starts_with("1 "), "{stat:?}");
        assert!(c.cmd(&Command::Quit).await.is_ok());
        c.expect_eof().await;
    }
    server.stop().await;
}
