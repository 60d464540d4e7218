//! Exact test vectors from the RFCs, replayed through both sides.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use sasl::{
    ClientSession, Credentials, Mechanism, MemoryStore, SaslError, ServerSession, ServerStep,
};

/// One SCRAM exchange of an RFC: (mechanism, client nonce, server nonce part,
/// salt, client-first, server-first, client-final, server-final).
struct ScramVector {
    mechanism: Mechanism,
    client_nonce: &'static str,
    server_nonce: &'static str,
    salt_b64: &'static str,
    client_first: &'static str,
    server_first: &'static str,
    client_final: &'static str,
    server_final: &'static str,
}

const VECTORS: [ScramVector; 2] = [
    // RFC 5802 §5
    ScramVector {
        mechanism: Mechanism::ScramSha1,
        client_nonce: "fyko+d2lbbFgONRv9qkxdawL",
        server_nonce: "3rfcNHYJY1ZVvWVs7j",
        salt_b64: "QSXCR+Q6sek8bf92",
        client_first: "n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL",
        server_first: "r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096",
        client_final: "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=",
        server_final: "v=rmF9pqV8S7suAoZWja4dJRkFsKQ=",
    },
    // RFC 7677 §3
    ScramVector {
        mechanism: Mechanism::ScramSha256,
        client_nonce: "rOprNGfwEbeRWgbNEkqO",
        server_nonce: "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0",
        salt_b64: "W22ZaJ0SNY7soEsUEjb6gQ==",
        client_first: "n,,n=user,r=rOprNGfwEbeRWgbNEkqO",
        server_first: "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
        client_final: "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
        server_final: "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=",
    },
];

fn store_for(v: &ScramVector) -> MemoryStore {
    let store = MemoryStore::new().with_iterations(4096);
    store.add_user_with_salt("user", "pencil", &STANDARD.decode(v.salt_b64).unwrap());
    store
}

#[test]
fn scram_client_reproduces_rfc_vectors() {
    for v in &VECTORS {
        let creds = Credentials::password("user", "pencil");
        let mut c = ClientSession::with_nonce(v.mechanism, creds, v.client_nonce).unwrap();
        assert_eq!(c.initial_response().unwrap(), v.client_first.as_bytes());
        assert_eq!(
            c.step(v.server_first.as_bytes()).unwrap(),
            v.client_final.as_bytes()
        );
        assert!(c.finish().is_err(), "not verified before v=");
        assert_eq!(c.step(v.server_final.as_bytes()).unwrap(), b"");
        assert!(c.finish().is_ok() && c.is_complete());
    }
}

#[tokio::test]
async fn scram_server_reproduces_rfc_vectors() {
    for v in &VECTORS {
        let store = store_for(v);
        let mut s = ServerSession::with_nonce(v.mechanism, v.server_nonce);
        let step = s.start_with(Some(v.client_first.as_bytes()), &store).await;
        assert_eq!(
            step,
            Ok(ServerStep::Challenge(v.server_first.as_bytes().to_vec()))
        );
        let step = s.step_with(v.client_final.as_bytes(), &store).await;
        assert_eq!(
            step,
            Ok(ServerStep::Challenge(v.server_final.as_bytes().to_vec()))
        );
        match s.step_with(b"", &store).await {
            Ok(ServerStep::Success(auth)) => {
                assert_eq!((auth.identity.as_str(), auth.authzid), ("user", None))
            }
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn scram_client_rejects_wrong_server_signature() {
    let v = &VECTORS[0];
    let mut c = ClientSession::with_nonce(
        v.mechanism,
        Credentials::password("user", "pencil"),
        v.client_nonce,
    )
    .unwrap();
    c.initial_response();
    c.step(v.server_first.as_bytes()).unwrap();
    assert_eq!(
        c.step(b"v=AAAAAAAAAAAAAAAAAAAAAAAAAAA="),
        Err(SaslError::InvalidServerSignature)
    );
    assert!(c.finish().is_err());
    // A server nonce that does not extend the client's is refused.
    let mut c = ClientSession::with_nonce(
        v.mechanism,
        Credentials::password("user", "pencil"),
        v.client_nonce,
    )
    .unwrap();
    c.initial_response();
    assert_eq!(
        c.step(b"r=other,s=QSXCR+Q6sek8bf92,i=4096"),
        Err(SaslError::BadNonce)
    );
    // The server's e= error is reported.
    let mut c = ClientSession::with_nonce(
        v.mechanism,
        Credentials::password("user", "pencil"),
        v.client_nonce,
    )
    .unwrap();
    c.initial_response();
    c.step(v.server_first.as_bytes()).unwrap();
    assert_eq!(
        c.step(b"e=invalid-proof"),
        Err(SaslError::ServerError("invalid-proof".into()))
    );
}

#[tokio::test]
async fn scram_server_rejects_tampered_final_messages() {
    let v = &VECTORS[0];
    let table: &[(&str, SaslError)] = &[
        // wrong proof
        (
            "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=AAAAAAAAAAAAAAAAAAAAAAAAAAA=",
            SaslError::InvalidProof,
        ),
        // short proof
        (
            "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=AAAA",
            SaslError::InvalidProof,
        ),
        // nonce altered
        (
            "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7X,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=",
            SaslError::BadNonce,
        ),
        // channel binding claims y,, though the client sent n,,
        (
            "c=eSws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=",
            SaslError::ChannelBindingMismatch,
        ),
    ];
    for (client_final, err) in table {
        let store = store_for(v);
        let mut s = ServerSession::with_nonce(v.mechanism, v.server_nonce);
        s.start_with(Some(v.client_first.as_bytes()), &store)
            .await
            .unwrap();
        assert_eq!(
            s.step_with(client_final.as_bytes(), &store).await,
            Err(err.clone()),
            "{client_final}"
        );
        assert!(s.is_done());
    }
}

#[tokio::test]
async fn scram_gs2_flags() {
    let store = store_for(&VECTORS[0]);
    // y,, is accepted (we do not advertise -PLUS); p= is refused.
    let mut s = ServerSession::new(Mechanism::ScramSha1);
    assert!(matches!(
        s.start_with(Some(b"y,,n=user,r=abc"), &store).await,
        Ok(ServerStep::Challenge(_))
    ));
    let mut s = ServerSession::new(Mechanism::ScramSha1);
    assert_eq!(
        s.start_with(Some(b"p=tls-server-end-point,,n=user,r=abc"), &store)
            .await,
        Err(SaslError::UnsupportedChannelBinding(
            "tls-server-end-point".into()
        ))
    );
    let mut s = ServerSession::new(Mechanism::ScramSha1);
    assert_eq!(
        s.start_with(Some(b"n,,m=ext,n=user,r=abc"), &store).await,
        Err(SaslError::UnsupportedExtension)
    );
}

#[tokio::test]
async fn scram_unknown_user_looks_like_known_user() {
    let store = store_for(&VECTORS[0]);
    let first = |s: ServerStep| match s {
        ServerStep::Challenge(c) => String::from_utf8(c).unwrap(),
        other => panic!("{other:?}"),
    };
    let mut a = ServerSession::with_nonce(Mechanism::ScramSha1, "N");
    let mut b = ServerSession::with_nonce(Mechanism::ScramSha1, "N");
    let sa = first(
        a.start_with(Some(b"n,,n=ghost,r=abc"), &store)
            .await
            .unwrap(),
    );
    let sb = first(
        b.start_with(Some(b"n,,n=ghost,r=abc"), &store)
            .await
            .unwrap(),
    );
    assert_eq!(sa, sb, "the fake salt is stable per user");
    assert!(sa.starts_with("r=abcN,s=") && sa.ends_with(",i=4096"));
    // A client that computes a proof for the fake salt still fails at the proof.
    let mut c = ClientSession::with_nonce(
        Mechanism::ScramSha1,
        Credentials::password("ghost", "x"),
        "abc",
    )
    .unwrap();
    c.initial_response();
    let fin = c.step(sa.as_bytes()).unwrap();
    assert_eq!(
        a.step_with(&fin, &store).await,
        Err(SaslError::InvalidProof)
    );
}
