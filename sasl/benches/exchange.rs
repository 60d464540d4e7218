//! Cost of one server-side SASL exchange per mechanism (no peer to compare
//! with: SASL is not offered standalone by the peers we measure). The numbers
//! size login rates: SCRAM and PLAIN-against-SCRAM-secrets are dominated by
//! PBKDF2 at the store's iteration count.

use criterion::{Criterion, criterion_group, criterion_main};
use sasl::{
    ClientSession, CredentialAnswer, CredentialRequest, Credentials, Mechanism, ScramHash,
    ScramSecrets, ServerSession, ServerStep,
};

/// Drives a client against a server, answering credential requests from
/// precomputed secrets (so the store's own cost is PLAIN's one derive).
fn exchange(mech: Mechanism, secrets: &ScramSecrets) -> bool {
    let Ok(mut client) = ClientSession::new(mech, Credentials::password("user", "pencil")) else {
        return false;
    };
    let mut server = ServerSession::new(mech);
    let ir = client.initial_response();
    let mut step = server.start(ir.as_deref());
    for _ in 0..8 {
        step = match step {
            Ok(ServerStep::Challenge(c)) => match client.step(&c) {
                Ok(r) => server.step(&r),
                Err(_) => return false,
            },
            Ok(ServerStep::NeedCredentials(CredentialRequest::ScramSecrets { .. })) => {
                server.answer(CredentialAnswer::ScramSecrets(Ok(Some(secrets.clone()))))
            }
            Ok(ServerStep::NeedCredentials(CredentialRequest::CheckPassword {
                password, ..
            })) => {
                let ok = secrets.verify_password(password.expose());
                server.answer(CredentialAnswer::Identity(if ok {
                    Ok("user".into())
                } else {
                    Err(sasl::CredentialError::Rejected)
                }))
            }
            Ok(ServerStep::Success(_)) => return client.finish().is_ok(),
            _ => return false,
        };
    }
    false
}

fn bench(c: &mut Criterion) {
    let salt = b"0123456789abcdef";
    let sha1 = ScramSecrets::derive("pencil", salt, 4096, ScramHash::Sha1);
    let sha256 = ScramSecrets::derive("pencil", salt, 4096, ScramHash::Sha256);
    let mut g = c.benchmark_group("exchange_4096_iterations");
    g.sample_size(20);
    g.bench_function("PLAIN", |b| {
        b.iter(|| assert!(exchange(Mechanism::Plain, &sha256)))
    });
    g.bench_function("SCRAM-SHA-1", |b| {
        b.iter(|| assert!(exchange(Mechanism::ScramSha1, &sha1)))
    });
    g.bench_function("SCRAM-SHA-256", |b| {
        b.iter(|| assert!(exchange(Mechanism::ScramSha256, &sha256)))
    });
    // Server side alone: the client's messages precomputed with fixed nonces.
    let mut client = ClientSession::with_nonce(
        Mechanism::ScramSha256,
        Credentials::password("user", "pencil"),
        "cnonce",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let first = client.initial_response().unwrap_or_default();
    let server_first = "r=cnonceSNONCE,s=MDEyMzQ1Njc4OWFiY2RlZg==,i=4096";
    let fin = client.step(server_first.as_bytes()).unwrap_or_default();
    g.bench_function("SCRAM-SHA-256 server only", |b| {
        b.iter(|| {
            let mut server = ServerSession::with_nonce(Mechanism::ScramSha256, "SNONCE");
            let _ = server.start(Some(&first));
            let _ = server.answer(CredentialAnswer::ScramSecrets(Ok(Some(sha256.clone()))));
            let v = server.step(&fin);
            assert!(matches!(v, Ok(ServerStep::Challenge(_))));
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
