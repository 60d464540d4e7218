//! Drives server and client sessions of every mechanism with arbitrary
//! messages: byte 0 picks the mechanism, the rest is split into messages at
//! each 0xFF. Nothing may panic; a success must never come from a message
//! sequence that did not pass the store's checks (the answers below accept
//! only the password "pencil", the token "tok" and no SCRAM user).
#![no_main]

use libfuzzer_sys::fuzz_target;
use sasl::{
    ClientSession, CredentialAnswer, CredentialError, CredentialRequest, Credentials, Mechanism,
    ServerSession, ServerStep,
};

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else { return };
    let mech = Mechanism::ALL[usize::from(pick) % Mechanism::ALL.len()];
    let mut messages = rest.split(|&b| b == 0xFF);

    let mut server = ServerSession::new(mech);
    let mut step = server.start(messages.next());
    for _ in 0..16 {
        step = match step {
            Ok(ServerStep::Challenge(_)) => match messages.next() {
                Some(m) => server.step(m),
                None => break,
            },
            Ok(ServerStep::NeedCredentials(req)) => server.answer(match req {
                CredentialRequest::CheckPassword { password, .. } => {
                    CredentialAnswer::Identity(if password.expose() == "pencil" {
                        Ok("user".into())
                    } else {
                        Err(CredentialError::Rejected)
                    })
                }
                CredentialRequest::ScramSecrets { .. } => CredentialAnswer::ScramSecrets(Ok(None)),
                CredentialRequest::CheckToken { token, .. } => {
                    CredentialAnswer::Identity(if token.expose() == "tok" {
                        Ok("user".into())
                    } else {
                        Err(CredentialError::Rejected)
                    })
                }
                CredentialRequest::Authorize { .. } => CredentialAnswer::Authorized(Ok(false)),
            }),
            Ok(ServerStep::Success(auth)) => {
                assert!(mech.scram_hash().is_none(), "SCRAM success for an unknown user");
                assert_eq!(auth.user(), "user");
                break;
            }
            Err(_) => break,
        };
    }

    let creds = match mech {
        Mechanism::OAuthBearer | Mechanism::XOAuth2 => Credentials::token("user", "tok"),
        _ => Credentials::password("user", "pencil"),
    };
    if let Ok(mut client) = ClientSession::new(mech, creds) {
        let _ = client.initial_response();
        for m in rest.split(|&b| b == 0xFF).take(8) {
            if client.step(m).is_err() {
                break;
            }
        }
        let _ = client.finish();
    }
});
