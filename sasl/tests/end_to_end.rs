//! Client against server for every mechanism, success and failure, through
//! the async convenience and through the sans-IO request/answer loop.

use proptest::prelude::*;
use sasl::{
    Authenticated, ClientSession, CredentialAnswer, CredentialError, CredentialRequest,
    Credentials, Mechanism, MemoryStore, SaslError, Secret, ServerSession, ServerStep,
};

fn store() -> MemoryStore {
    let store = MemoryStore::new().with_iterations(64);
    store.add_user("alice", "wonderland");
    store.add_user("admin", "s3cret");
    store.allow_authz("admin", "alice");
    store.add_token("tok-alice", "alice");
    store
}

/// Runs a whole exchange; returns the server's outcome and the client's
/// `finish()` verdict.
async fn run(
    mechanism: Mechanism,
    creds: Credentials,
    store: &MemoryStore,
    use_ir: bool,
) -> (Result<Authenticated, SaslError>, Result<(), SaslError>) {
    let mut client = ClientSession::new(mechanism, creds).unwrap();
    let mut server = ServerSession::new(mechanism);
    let ir = if use_ir {
        client.initial_response()
    } else {
        None
    };
    let mut step = server.start_with(ir.as_deref(), store).await;
    for _ in 0..10 {
        match step {
            Ok(ServerStep::Challenge(c)) => match client.step(&c) {
                Ok(r) => step = server.step_with(&r, store).await,
                Err(e) => return (Err(e), client.finish()),
            },
            Ok(ServerStep::Success(auth)) => return (Ok(auth), client.finish()),
            Ok(ServerStep::NeedCredentials(r)) => panic!("step_with returned {r:?}"),
            Err(e) => return (Err(e), client.finish()),
        }
    }
    panic!("exchange did not end");
}

fn pw(u: &str, p: &str) -> Credentials {
    Credentials::password(u, p)
}

#[tokio::test]
async fn password_mechanisms_succeed_with_and_without_initial_response() {
    let store = store();
    for mech in [
        Mechanism::Plain,
        Mechanism::Login,
        Mechanism::ScramSha1,
        Mechanism::ScramSha256,
    ] {
        for use_ir in [true, false] {
            let (server, client) = run(mech, pw("alice", "wonderland"), &store, use_ir).await;
            let auth = server.unwrap_or_else(|e| panic!("{mech} ir={use_ir}: {e}"));
            assert_eq!(auth.user(), "alice", "{mech}");
            assert_eq!(client, Ok(()), "{mech}");
        }
    }
}

#[tokio::test]
async fn password_mechanisms_fail_alike_for_wrong_password_and_unknown_user() {
    let store = store();
    let table = [
        (Mechanism::Plain, SaslError::InvalidCredentials),
        (Mechanism::Login, SaslError::InvalidCredentials),
        (Mechanism::ScramSha1, SaslError::InvalidProof),
        (Mechanism::ScramSha256, SaslError::InvalidProof),
    ];
    for (mech, expected) in table {
        for creds in [pw("alice", "wrong"), pw("nobody", "wonderland")] {
            let (server, client) = run(mech, creds, &store, true).await;
            assert_eq!(server, Err(expected.clone()), "{mech}");
            if mech.scram_hash().is_some() {
                assert_eq!(client, Err(SaslError::InvalidServerSignature));
            }
        }
    }
}

#[tokio::test]
async fn authzid_is_authorized_by_the_store() {
    let store = store();
    for mech in [Mechanism::Plain, Mechanism::ScramSha256] {
        let (ok, _) = run(
            mech,
            pw("admin", "s3cret").with_authzid("alice"),
            &store,
            true,
        )
        .await;
        let ok = ok.unwrap();
        assert_eq!((ok.identity.as_str(), ok.user()), ("admin", "alice"));
        let (denied, _) = run(
            mech,
            pw("alice", "wonderland").with_authzid("admin"),
            &store,
            true,
        )
        .await;
        assert_eq!(
            denied,
            Err(SaslError::AuthzidNotPermitted {
                authzid: "admin".into()
            })
        );
        let (same, _) = run(
            mech,
            pw("alice", "wonderland").with_authzid("alice"),
            &store,
            true,
        )
        .await;
        assert_eq!(same.unwrap().user(), "alice");
    }
}

#[tokio::test]
async fn token_mechanisms() {
    let store = store();
    for mech in [Mechanism::OAuthBearer, Mechanism::XOAuth2] {
        for use_ir in [true, false] {
            let creds = Credentials::token("alice", "tok-alice").with_host("mx.example", 587);
            let (server, client) = run(mech, creds, &store, use_ir).await;
            assert_eq!(server.unwrap().identity, "alice", "{mech}");
            assert_eq!(client, Ok(()));
        }
        let (server, client) = run(mech, Credentials::token("alice", "bad"), &store, true).await;
        assert_eq!(server, Err(SaslError::InvalidCredentials), "{mech}");
        let status = if mech == Mechanism::XOAuth2 {
            "401"
        } else {
            "invalid_token"
        };
        assert_eq!(
            client,
            Err(SaslError::TokenRejected {
                status: status.into()
            })
        );
        // A valid token for someone else is refused too.
        let (server, _) = run(mech, Credentials::token("admin", "tok-alice"), &store, true).await;
        assert!(server.is_err(), "{mech}");
    }
}

#[test]
fn rfc7628_failure_exchange_on_the_server() {
    // RFC 7628 §4.3: the server sends a JSON error, the client answers ^A,
    // the server fails.
    let mut s = ServerSession::new(Mechanism::OAuthBearer);
    let step = s.start(Some(b"n,a=user@example.com,\x01host=server.example.com\x01port=143\x01auth=Bearer vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==\x01\x01"));
    assert!(matches!(
        step,
        Ok(ServerStep::NeedCredentials(
            CredentialRequest::CheckToken { .. }
        ))
    ));
    let step = s.answer(CredentialAnswer::Identity(Err(CredentialError::Rejected)));
    assert_eq!(
        step,
        Ok(ServerStep::Challenge(
            br#"{"status":"invalid_token"}"#.to_vec()
        ))
    );
    assert_eq!(s.step(b"\x01"), Err(SaslError::InvalidCredentials));
    assert!(s.is_done());
}

#[test]
fn sans_io_loop_without_a_store() {
    let mut s = ServerSession::new(Mechanism::Plain);
    assert_eq!(s.start(None), Ok(ServerStep::Challenge(Vec::new())));
    let step = s.step(b"Ursel\0Kurt\0xipj3plmq").unwrap();
    assert_eq!(
        step,
        ServerStep::NeedCredentials(CredentialRequest::CheckPassword {
            authcid: "Kurt".into(),
            password: Secret::new("xipj3plmq".into())
        })
    );
    let step = s
        .answer(CredentialAnswer::Identity(Ok("Kurt".into())))
        .unwrap();
    assert_eq!(
        step,
        ServerStep::NeedCredentials(CredentialRequest::Authorize {
            identity: "Kurt".into(),
            authzid: "Ursel".into()
        })
    );
    let step = s.answer(CredentialAnswer::Authorized(Ok(true))).unwrap();
    let ServerStep::Success(auth) = step else {
        panic!("{step:?}")
    };
    assert_eq!((auth.identity.as_str(), auth.user()), ("Kurt", "Ursel"));
    // Debug output of a request never shows the password.
    let dbg = format!(
        "{:?}",
        CredentialRequest::CheckPassword {
            authcid: "u".into(),
            password: Secret::new("xipj3plmq".into())
        }
    );
    assert!(!dbg.contains("xipj3plmq") && dbg.contains("[redacted]"));
}

#[test]
fn temporary_store_failure_and_misuse() {
    let mut s = ServerSession::new(Mechanism::Login);
    assert_eq!(
        s.start(None),
        Ok(ServerStep::Challenge(b"Username:".to_vec()))
    );
    assert_eq!(
        s.step(b"alice"),
        Ok(ServerStep::Challenge(b"Password:".to_vec()))
    );
    assert!(matches!(s.step(b"pw"), Ok(ServerStep::NeedCredentials(_))));
    let err = s
        .answer(CredentialAnswer::Identity(Err(CredentialError::Temporary(
            "db down".into(),
        ))))
        .unwrap_err();
    assert!(err.is_temporary());

    let mut s = ServerSession::new(Mechanism::Plain);
    assert!(matches!(s.step(b"x"), Err(SaslError::Misuse(_))));
    let mut s = ServerSession::new(Mechanism::Plain);
    s.start(Some(b"\0u\0p")).unwrap();
    assert!(matches!(
        s.answer(CredentialAnswer::Authorized(Ok(true))),
        Err(SaslError::Misuse(_))
    ));
    assert!(matches!(s.step(b"more"), Err(SaslError::UnexpectedMessage)));

    assert!(ClientSession::new(Mechanism::Plain, Credentials::token("u", "t")).is_err());
    assert!(ClientSession::new(Mechanism::XOAuth2, pw("u", "p")).is_err());
    let mut c = ClientSession::new(Mechanism::Plain, pw("u", "p")).unwrap();
    c.initial_response();
    assert_eq!(c.step(b"extra"), Err(SaslError::UnexpectedMessage));
}

#[tokio::test]
async fn empty_initial_response_behaviour() {
    let store = store();
    // PLAIN: an empty message is malformed; LOGIN: "=" means "prompt me".
    let mut s = ServerSession::new(Mechanism::Plain);
    assert!(
        s.start_with(Some(b""), &store)
            .await
            .unwrap_err()
            .is_malformed()
    );
    let mut s = ServerSession::new(Mechanism::Login);
    assert_eq!(
        s.start_with(Some(b""), &store).await,
        Ok(ServerStep::Challenge(b"Username:".to_vec()))
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Arbitrary bytes at any step of any mechanism never panic.
    #[test]
    fn malformed_input_never_panics(
        mech in prop::sample::select(Mechanism::ALL.to_vec()),
        first in prop::collection::vec(any::<u8>(), 0..80),
        second in prop::collection::vec(any::<u8>(), 0..80),
        prefix in prop::sample::select(vec![&b""[..], b"n,,n=u,r=a", b"n,,", b"\x01", b"user=u\x01auth=Bearer t\x01\x01"]),
    ) {
        let mut s = ServerSession::with_nonce(mech, "S");
        let mut input = prefix.to_vec();
        input.extend_from_slice(&first);
        let mut step = s.start(Some(&input));
        for _ in 0..4 {
            step = match step {
                Ok(ServerStep::NeedCredentials(CredentialRequest::ScramSecrets { .. })) => {
                    s.answer(CredentialAnswer::ScramSecrets(Ok(None)))
                }
                Ok(ServerStep::NeedCredentials(_)) => s.answer(CredentialAnswer::Identity(Ok("u".into()))),
                Ok(ServerStep::Challenge(_)) => s.step(&second),
                _ => break,
            };
        }
        let mut c = ClientSession::new(mech, if matches!(mech, Mechanism::OAuthBearer | Mechanism::XOAuth2) {
            Credentials::token("u", "t")
        } else {
            pw("u", "p")
        }).unwrap();
        let _ = c.initial_response();
        let _ = c.step(&input);
        let _ = c.step(&second);
        prop_assert!(c.step(&first).is_err() || mech == Mechanism::Login || c.finish().is_ok() || c.finish().is_err());
    }
}

/// Sessions and the futures of the async conveniences are `Send`, so drivers
/// can hold them across awaits in `tokio::spawn`ed tasks.
#[test]
fn sessions_and_futures_are_send() {
    fn assert_send<T: Send>(_: &T) {}
    let store = store();
    let mut server = ServerSession::new(Mechanism::Plain);
    assert_send(&server);
    assert_send(&ClientSession::new(Mechanism::Plain, pw("a", "b")).unwrap());
    let fut = server.start_with(None, &store);
    assert_send(&fut);
    drop(fut);
    let req = CredentialRequest::Authorize {
        identity: "a".into(),
        authzid: "b".into(),
    };
    let fut = req.ask(&store);
    assert_send(&fut);
}
