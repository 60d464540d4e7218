//! RFC 4954 §4/§6 AUTH exchanges replayed as `C:`/`S:` lines, driving the
//! `sasl` server session through `smtp_proto::auth` framing, as the SMTP
//! server session does.

use sasl::{ClientSession, Credentials, Mechanism, MemoryStore, ServerSession, ServerStep};
use smtp_proto::auth::{self, AuthResponse, ReplyParts};

fn reply_line((code, (a, b, c), text): ReplyParts) -> String {
    format!("{code} {a}.{b}.{c} {text}\r\n")
}

/// A minimal server-side AUTH driver over lines: `AUTH <mech> [<ir>]` then
/// continuation lines; returns every line the server wrote.
async fn serve(command: &str, mut client_lines: Vec<&str>, store: &MemoryStore) -> Vec<String> {
    let mut written = Vec::new();
    let mut words = command.split(' ').skip(1);
    let mech = match Mechanism::from_name(words.next().unwrap_or_default()) {
        Ok(m) => m,
        Err(_) => return vec![reply_line(auth::UNRECOGNIZED_MECHANISM)],
    };
    let ir = match words.next().map(|w| auth::decode_response(w.as_bytes())) {
        None => None,
        Some(Ok(AuthResponse::Data(d))) => Some(d.into_inner()),
        Some(Ok(AuthResponse::Cancel)) => return vec![reply_line(auth::CANCELLED)],
        Some(Err(e)) => return vec![reply_line(e.reply())],
    };
    let mut session = ServerSession::new(mech);
    let mut step = session.start_with(ir.as_deref(), store).await;
    client_lines.reverse();
    loop {
        match step {
            Ok(ServerStep::Challenge(c)) => {
                let mut out = Vec::new();
                auth::encode_challenge(&c, &mut out);
                written.push(String::from_utf8(out).unwrap());
                let line = client_lines.pop().expect("client line");
                match auth::decode_response(line.as_bytes()) {
                    Ok(AuthResponse::Data(d)) => step = session.step_with(d.expose(), store).await,
                    Ok(AuthResponse::Cancel) => {
                        written.push(reply_line(auth::CANCELLED));
                        return written;
                    }
                    Err(e) => {
                        written.push(reply_line(e.reply()));
                        return written;
                    }
                }
            }
            Ok(ServerStep::Success(_)) => {
                written.push(reply_line(auth::SUCCEEDED));
                return written;
            }
            Ok(ServerStep::NeedCredentials(_)) => unreachable!(),
            Err(e) => {
                written.push(reply_line(auth::reply_for_sasl_error(&e)));
                return written;
            }
        }
    }
}

fn store() -> MemoryStore {
    MemoryStore::new()
        .with_iterations(64)
        .with_user("test", "1234")
}

#[tokio::test]
async fn rfc4954_transcripts() {
    let store = store();
    // (C: command, C: continuation lines, S: lines)
    let table: &[(&str, &[&str], &[&str])] = &[
        // §6: AUTH PLAIN with an initial response.
        (
            "AUTH PLAIN dGVzdAB0ZXN0ADEyMzQ=",
            &[],
            &["235 2.7.0 Authentication succeeded\r\n"],
        ),
        // §4: without initial response the server sends an empty challenge.
        (
            "AUTH PLAIN",
            &["dGVzdAB0ZXN0ADEyMzQ="],
            &["334 \r\n", "235 2.7.0 Authentication succeeded\r\n"],
        ),
        // Cancel with "*".
        (
            "AUTH PLAIN",
            &["*"],
            &["334 \r\n", "501 5.7.0 Authentication cancelled\r\n"],
        ),
        (
            "AUTH PLAIN *",
            &[],
            &["501 5.7.0 Authentication cancelled\r\n"],
        ),
        // Bad base64.
        (
            "AUTH PLAIN",
            &["%%%"],
            &[
                "334 \r\n",
                "501 5.5.2 Cannot Base64-decode Client responses\r\n",
            ],
        ),
        (
            "AUTH PLAIN d!",
            &[],
            &["501 5.5.2 Cannot Base64-decode Client responses\r\n"],
        ),
        // Wrong password ("test\0test\0wrong").
        (
            "AUTH PLAIN dGVzdAB0ZXN0AHdyb25n",
            &[],
            &["535 5.7.8 Authentication credentials invalid\r\n"],
        ),
        // "=" as initial response is empty: PLAIN refuses an empty message.
        (
            "AUTH PLAIN =",
            &[],
            &["535 5.7.8 Authentication credentials invalid\r\n"],
        ),
        // LOGIN prompts.
        (
            "AUTH LOGIN",
            &["dGVzdA==", "MTIzNA=="],
            &[
                "334 VXNlcm5hbWU6\r\n",
                "334 UGFzc3dvcmQ6\r\n",
                "235 2.7.0 Authentication succeeded\r\n",
            ],
        ),
        (
            "AUTH CRAM-MD5",
            &[],
            &["504 5.5.4 Unrecognized authentication type\r\n"],
        ),
    ];
    for (command, client, expected) in table {
        let got = serve(command, client.to_vec(), &store).await;
        assert_eq!(got, *expected, "{command}");
    }
    let long = format!("AUTH PLAIN {}", "A".repeat(auth::MAX_AUTH_LINE + 1));
    assert_eq!(serve(&long, vec![], &store).await[0].get(..3), Some("500"));
}

#[tokio::test]
async fn client_framing_against_server_framing() {
    // The client side encodes with encode_initial_response/encode_response and
    // decodes 334 text with decode_challenge, for every mechanism.
    let store = store();
    store.add_token("tok", "test");
    for mech in Mechanism::ALL {
        let creds = match mech {
            Mechanism::OAuthBearer | Mechanism::XOAuth2 => Credentials::token("test", "tok"),
            _ => Credentials::password("test", "1234"),
        };
        let mut client = ClientSession::new(mech, creds).unwrap();
        let mut command = format!("AUTH {}", mech.name());
        if let Some(ir) = client.initial_response() {
            command = format!("{command} {}", auth::encode_initial_response(&ir));
        }
        // Run the server with the client's lines computed on the fly.
        let mut server = ServerSession::new(mech);
        let ir = command
            .split(' ')
            .nth(2)
            .map(|w| match auth::decode_response(w.as_bytes()) {
                Ok(AuthResponse::Data(d)) => d.into_inner(),
                other => panic!("{other:?}"),
            });
        let mut step = server.start_with(ir.as_deref(), &store).await.unwrap();
        while let ServerStep::Challenge(c) = step {
            let mut line = Vec::new();
            auth::encode_challenge(&c, &mut line);
            let text = line.strip_prefix(b"334 ").unwrap();
            let challenge = auth::decode_challenge(text).unwrap();
            let mut response = Vec::new();
            auth::encode_response(&client.step(&challenge).unwrap(), &mut response);
            let AuthResponse::Data(d) = auth::decode_response(&response).unwrap() else {
                panic!("cancel")
            };
            step = server.step_with(d.expose(), &store).await.unwrap();
        }
        assert!(
            matches!(step, ServerStep::Success(ref a) if a.user() == "test"),
            "{mech}: {step:?}"
        );
        assert_eq!(client.finish(), Ok(()), "{mech}");
    }
}
