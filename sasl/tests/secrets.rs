//! Credentials never reach `Debug` output: client credentials and sessions, the server session and
//! the questions it asks the credential store, and the in-memory store itself are formatted with
//! `{:?}` after taking a known password or bearer token; the secret may not appear, as text or as
//! the byte list `Debug` prints for `[u8]`.

use sasl::{ClientSession, CredentialRequest, Credentials, Mechanism, MemoryStore, ServerSession};
use sasl::{Secret, ServerStep};

const PASSWORD: &str = "hunter2-SECRET";

#[track_caller]
fn assert_no_secret(what: &str, debug: &str) {
    testkit::redaction::assert_hidden(what, debug, &[PASSWORD]);
}

#[test]
fn client_credentials_and_sessions() {
    let password = Credentials::password("alice", PASSWORD);
    let token = Credentials::token("alice", PASSWORD);
    for credentials in [&password, &token] {
        let debug = format!("{credentials:?}");
        assert_no_secret("Credentials", &debug);
        assert!(debug.contains("[redacted]"), "{debug}");
    }
    for mechanism in Mechanism::ALL {
        let credentials = match mechanism {
            Mechanism::OAuthBearer | Mechanism::XOAuth2 => token.clone(),
            _ => password.clone(),
        };
        let mut client = ClientSession::new(mechanism, credentials).expect("fitting credentials");
        let first = client.initial_response();
        if mechanism == Mechanism::Login {
            client.step(b"Username:").expect("user name");
            let answer = client.step(b"Password:").expect("password");
            assert_eq!(answer, PASSWORD.as_bytes(), "the client does send it");
        }
        assert!(first.is_some() || mechanism == Mechanism::Login);
        assert_no_secret(mechanism.name(), &format!("{client:?}"));
    }
}

#[test]
fn server_session_and_credential_requests() {
    let inputs: [(Mechanism, Vec<&[u8]>); 3] = [
        (Mechanism::Plain, vec![b"\0alice\0hunter2-SECRET"]),
        (Mechanism::Login, vec![b"alice", b"hunter2-SECRET"]),
        (
            Mechanism::XOAuth2,
            vec![b"user=alice\x01auth=Bearer hunter2-SECRET\x01\x01"],
        ),
    ];
    for (mechanism, responses) in inputs {
        let mut server = ServerSession::new(mechanism);
        let mut step = server.start(None).expect("start");
        for response in responses {
            assert!(matches!(step, ServerStep::Challenge(_)), "{step:?}");
            step = server.step(response).expect("step");
        }
        let ServerStep::NeedCredentials(request) = &step else {
            panic!("{mechanism}: no credential request: {step:?}");
        };
        assert!(matches!(
            request,
            CredentialRequest::CheckPassword { .. } | CredentialRequest::CheckToken { .. }
        ));
        let debug = format!("{step:?}");
        assert_no_secret(mechanism.name(), &debug);
        assert!(debug.contains("[redacted]"), "{debug}");
        assert_no_secret(mechanism.name(), &format!("{server:?}"));
    }
}

#[test]
fn memory_store_and_secret() {
    let store = MemoryStore::new().with_iterations(64);
    store.add_user("alice", PASSWORD);
    store.add_token(PASSWORD, "alice");
    store.set_shared_secret("alice", PASSWORD);
    let debug = format!("{store:?}");
    assert_no_secret("MemoryStore", &debug);
    assert!(debug.contains("tokens: \"1\""), "{debug}");
    let secret = Secret::new(PASSWORD.as_bytes().to_vec());
    assert_eq!(format!("{secret:?}"), "[redacted]");
    assert_eq!(secret.expose(), PASSWORD.as_bytes());
}
