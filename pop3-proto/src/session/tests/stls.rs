//! `STLS` (RFC 2595 §4): the `+OK`, the discard of everything pipelined after it
//! (CVE-2011-0411), and a fresh AUTHORIZATION state after the handshake.

use super::*;

fn stls_config(allow_plaintext: bool) -> ServerConfig {
    let mut config = ServerConfig::new("pop.example.org");
    config.stls = true;
    config.auth.allow_plaintext = allow_plaintext;
    config
}

#[test]
fn pipelined_bytes_after_stls_are_discarded() {
    let mut d = Driver::with_config(stls_config(false));
    // The injected commands come in the same read as STLS...
    assert_eq!(
        d.run("CAPA\r\nSTLS\r\nUSER alice\r\nPASS wonderland\r\nQUIT\r\n"),
        format!(
            "{}+OK Begin TLS negotiation\r\n",
            "+OK Capability list follows\r\nTOP\r\nUIDL\r\nRESP-CODES\r\nAUTH-RESP-CODE\r\n\
             PIPELINING\r\nSASL SCRAM-SHA-256\r\nSTLS\r\nUTF8\r\nLANG\r\n.\r\n"
        )
    );
    assert!(d.tls_pending);
    assert!(!d.session.is_tls());
    // ...and in later reads before the handshake is done.
    assert_eq!(d.run("USER mallory\r\nPASS x\r\n"), "");
    assert_eq!(d.tls(), "");
    assert!(d.session.is_tls());
    assert_eq!(d.log, ["StartTls"]);
    // Nothing of it was read: no Login, no QUIT; plaintext is allowed now.
    assert_eq!(d.run("PASS wonderland\r\n"), "-ERR Send USER first\r\n");
    assert_eq!(
        d.run("CAPA\r\n"),
        "+OK Capability list follows\r\nTOP\r\nUIDL\r\nRESP-CODES\r\nAUTH-RESP-CODE\r\n\
         PIPELINING\r\nUSER\r\nSASL PLAIN SCRAM-SHA-256\r\nUTF8 USER\r\nLANG\r\n.\r\n"
    );
    d.login();
    assert!(d.session.stats().tls);
}

#[test]
fn stls_in_every_split_discards_the_rest() {
    let script = b"STLS\r\nUSER alice\r\nPASS wonderland\r\n";
    for cut in 0..=script.len() {
        let mut d = Driver::with_config(stls_config(true));
        let mut out = d.run_bytes(&script[..cut]);
        out += &d.run_bytes(&script[cut..]);
        assert_eq!(out, "+OK Begin TLS negotiation\r\n", "cut at {cut}");
        assert_eq!(d.tls(), "", "cut at {cut}");
        assert_eq!(d.log, ["StartTls"], "cut at {cut}");
    }
}

#[test]
fn session_starts_over_after_the_handshake() {
    let mut d = Driver::with_config(stls_config(true));
    // A USER before STLS is forgotten, and UTF8 too.
    assert_eq!(
        d.run("UTF8\r\nUSER alice\r\nSTLS\r\n"),
        "+OK UTF8 enabled\r\n+OK Send PASS\r\n+OK Begin TLS negotiation\r\n"
    );
    d.tls();
    assert_eq!(d.run("PASS wonderland\r\n"), "-ERR Send USER first\r\n");
    assert_eq!(d.run("STLS\r\n"), "-ERR TLS is already active\r\n");
    d.login();
}

#[test]
fn stls_not_offered() {
    let mut d = Driver::new();
    assert_eq!(d.run("STLS\r\n"), "-ERR STLS is not offered\r\n");
    assert!(!d.tls_pending);
    d.login();
}

/// Bearer tokens are reusable credentials like passwords (RFC 6750 §5.3, RFC 7628 §5): OAUTHBEARER
/// and XOAUTH2 are hidden and refused before `STLS` as PLAIN is (RFC 2595 §2.1), offered and
/// accepted after it.
#[test]
fn bearer_mechanisms_need_tls() {
    use base64::Engine as _;
    use sasl::{Credentials, Mechanism};

    for mechanism in [Mechanism::OAuthBearer, Mechanism::XOAuth2] {
        let name = mechanism.name();
        let mut config = stls_config(false);
        config.sasl_mechanisms = vec![mechanism, Mechanism::ScramSha256];
        let mut d = Driver::with_config(config);
        d.store.add_token("ya29.bearer-token", "alice");
        let credentials = Credentials::token("alice", "ya29.bearer-token");
        let mut client = sasl::ClientSession::new(mechanism, credentials).expect("client");
        let ir = client.initial_response().expect("an initial response");
        let auth = format!(
            "AUTH {name} {}\r\n",
            base64::engine::general_purpose::STANDARD.encode(ir)
        );

        let capa = d.run("CAPA\r\n");
        assert!(
            capa.contains("\r\nSASL SCRAM-SHA-256\r\n"),
            "{name}: {capa}"
        );
        let refused = d.run(&auth);
        assert!(refused.starts_with("-ERR [AUTH] "), "{name}: {refused}");
        assert!(!d.log.iter().any(|l| l.starts_with("Auth")), "{:?}", d.log);
        assert!(!d.session.in_transaction());

        assert_eq!(d.run("STLS\r\n"), "+OK Begin TLS negotiation\r\n");
        assert_eq!(d.tls(), "");
        let capa = d.run("CAPA\r\n");
        let offered = capa
            .lines()
            .find_map(|l| l.strip_prefix("SASL "))
            .unwrap_or_default();
        assert!(offered.split(' ').any(|m| m == name), "{name}: {capa}");
        assert_eq!(
            d.run(&auth),
            "+OK alice's maildrop has 3 messages (480 octets)\r\n"
        );
        assert_eq!(d.session.stats().user.as_deref(), Some("alice"));
    }
}
