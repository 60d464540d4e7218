//! `AUTH` (RFC 5034): initial responses, challenges, `=`, `*`, bad base64, the mechanism list,
//! and a full SCRAM-SHA-256 exchange with the real `sasl` client and server.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;

use super::*;
use sasl::{ClientSession, Credentials, Mechanism};

const MAILDROP_OK: &str = "+OK alice's maildrop has 3 messages (480 octets)\r\n";

fn plain(user: &str, password: &str) -> String {
    B64.encode(format!("\0{user}\0{password}"))
}

#[test]
fn plain_with_initial_response() {
    let mut d = Driver::new();
    assert_eq!(
        d.run(&format!("AUTH PLAIN {}\r\n", plain("alice", "wonderland"))),
        MAILDROP_OK
    );
    assert_eq!(
        d.log[0],
        "Auth PLAIN first=true response=Some(\"\\0alice\\0wonderland\")"
    );
    assert!(d.session.in_transaction());
}

#[test]
fn plain_without_initial_response() {
    let mut d = Driver::new();
    assert_eq!(d.run("auth plain\r\n"), "+ \r\n");
    assert_eq!(
        d.run(&format!("{}\r\n", plain("alice", "wonderland"))),
        MAILDROP_OK
    );
    assert_eq!(
        d.log[..2],
        [
            "Auth PLAIN first=true response=None",
            "Auth PLAIN first=false response=Some(\"\\0alice\\0wonderland\")"
        ]
    );
}

#[test]
fn plain_wrong_password_fails() {
    let mut d = Driver::new();
    assert_eq!(
        d.run(&format!("AUTH PLAIN {}\r\n", plain("alice", "nope"))),
        "-ERR [AUTH] Authentication failed\r\n"
    );
    d.login();
}

#[test]
fn empty_initial_response() {
    let mut d = Driver::new();
    // `=` is an empty initial response: PLAIN cannot be empty, so it fails.
    assert_eq!(
        d.run("AUTH PLAIN =\r\n"),
        "-ERR [AUTH] Authentication failed\r\n"
    );
    assert_eq!(d.log, ["Auth PLAIN first=true response=Some(\"\")"]);
}

#[test]
fn cancel_with_star() {
    let mut d = Driver::new();
    assert_eq!(
        d.run("AUTH PLAIN\r\n*\r\n"),
        "+ \r\n-ERR Authentication cancelled\r\n"
    );
    assert_eq!(d.log, ["Auth PLAIN first=true response=None"]);
    assert!(!d.session.in_transaction());
    d.login();
}

#[test]
fn bad_base64() {
    let mut d = Driver::new();
    assert_eq!(
        d.run("AUTH PLAIN AGFsaWNl=\r\n"),
        "-ERR Invalid base64 in initial response\r\n"
    );
    // Outside the alphabet: the command itself is malformed.
    assert_eq!(
        d.run("AUTH PLAIN !!!!\r\n"),
        "-ERR Syntax error in argument at byte 11\r\n"
    );
    assert_eq!(
        d.run("AUTH PLAIN\r\nAGFsaWNl!\r\n"),
        "+ \r\n-ERR Invalid base64 in authentication response\r\n"
    );
    // Bad padding is caught when decoding.
    assert_eq!(
        d.run("AUTH PLAIN\r\nAGFsaWNl=\r\n"),
        "+ \r\n-ERR Invalid base64 in authentication response\r\n"
    );
    assert_eq!(d.log.len(), 2, "{:?}", d.log);
    // The exchange is over: the next line is a command again.
    d.login();
}

#[test]
fn mechanism_list_and_unknown_mechanisms() {
    let mut d = Driver::new();
    assert_eq!(d.run("AUTH\r\n"), "+OK\r\nPLAIN\r\nSCRAM-SHA-256\r\n.\r\n");
    assert_eq!(
        d.run("AUTH GSSAPI\r\n"),
        "-ERR Unsupported authentication mechanism\r\n"
    );
    // LOGIN is a plaintext mechanism, but simply not configured: plaintext is allowed here.
    assert_eq!(
        d.run("AUTH LOGIN\r\n"),
        "-ERR Unsupported authentication mechanism\r\n"
    );
    assert!(d.log.is_empty());
}

#[test]
fn no_mechanisms_configured() {
    let mut config = plaintext_config();
    config.sasl_mechanisms.clear();
    let mut d = Driver::with_config(config);
    assert_eq!(d.run("AUTH\r\n"), "+OK\r\n.\r\n");
    assert_eq!(
        d.run("AUTH PLAIN\r\n"),
        "-ERR Unsupported authentication mechanism\r\n"
    );
    assert!(!d.run("CAPA\r\n").contains("SASL"));
}

/// Runs SCRAM-SHA-256 as `alice` with `password`; returns the server's last line.
fn scram(d: &mut Driver, password: &str, initial: bool) -> String {
    let mut client = ClientSession::new(
        Mechanism::ScramSha256,
        Credentials::password("alice", password),
    )
    .unwrap();
    let challenge = |line: &str| -> Vec<u8> {
        let b64 = line
            .strip_prefix("+ ")
            .and_then(|l| l.strip_suffix("\r\n"))
            .unwrap_or_else(|| panic!("not a continuation: {line:?}"));
        B64.decode(b64).unwrap()
    };
    let server_first = if initial {
        let first = client.initial_response().unwrap();
        challenge(&d.run(&format!("AUTH SCRAM-SHA-256 {}\r\n", B64.encode(first))))
    } else {
        assert_eq!(d.run("AUTH SCRAM-SHA-256\r\n"), "+ \r\n");
        let first = client.step(b"").unwrap();
        challenge(&d.run(&format!("{}\r\n", B64.encode(first))))
    };
    assert!(server_first.starts_with(b"r="), "{server_first:?}");
    let client_final = client.step(&server_first).unwrap();
    let out = d.run(&format!("{}\r\n", B64.encode(client_final)));
    if out.starts_with("-ERR") {
        return out;
    }
    let server_final = challenge(&out);
    assert!(server_final.starts_with(b"v="), "{server_final:?}");
    // The client checks the server's signature, then sends an empty response.
    assert_eq!(client.step(&server_final).unwrap(), b"");
    let out = d.run("\r\n");
    assert!(client.finish().is_ok());
    assert!(client.is_complete());
    out
}

#[test]
fn scram_sha256_full_exchange() {
    for initial in [true, false] {
        let mut d = Driver::with_config(ServerConfig::new("pop.example.org"));
        assert_eq!(scram(&mut d, "wonderland", initial), MAILDROP_OK);
        assert!(d.session.in_transaction());
        assert_eq!(d.session.stats().user.as_deref(), Some("alice"));
        let steps = d.log.iter().filter(|l| l.starts_with("Auth")).count();
        assert_eq!(steps, if initial { 3 } else { 4 }, "{:?}", d.log);
    }
}

#[test]
fn scram_wrong_password_fails_at_the_proof() {
    let mut d = Driver::with_config(ServerConfig::new("pop.example.org"));
    assert_eq!(
        scram(&mut d, "nope", true),
        "-ERR [AUTH] Authentication failed\r\n"
    );
    assert!(!d.session.in_transaction());
    assert_eq!(scram(&mut d, "wonderland", true), MAILDROP_OK);
}
