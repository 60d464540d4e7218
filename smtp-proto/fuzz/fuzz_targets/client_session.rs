#![no_main]
//! The whole sans-IO client session against arbitrary server bytes: the first byte picks the
//! read size, the second the protocol and options; the rest is fed as the server's replies.
//! The client sends two messages with a leading-dot body, then QUITs. Checks: no panic, and no
//! livelock: the session always either asks for input, ends, or makes progress.
use libfuzzer_sys::fuzz_target;
use smtp_proto::session::client::{
    ClientConfig, ClientSession, Credentials, Envelope, Event, Protocol, TlsPolicy,
};
use smtp_proto::types::address::{Domain, Host};

fuzz_target!(|data: &[u8]| {
    let [split, mode, input @ ..] = data else {
        return;
    };
    let split = usize::from(*split).max(1);
    let Ok(domain) = Domain::try_from("client.example") else {
        return;
    };
    let mut config = ClientConfig::new(Host::Domain(domain));
    if mode & 1 == 1 {
        config.protocol = Protocol::Lmtp;
    }
    config.tls = match mode >> 1 & 3 {
        0 => TlsPolicy::Never,
        1 => TlsPolicy::Opportunistic,
        _ => TlsPolicy::Required,
    };
    config.pipelining = mode & 8 == 8;
    config.chunking = mode & 16 == 16;
    if mode & 32 == 32 {
        config.credentials = Some(Credentials::password("user", "pencil"));
        config.plaintext_auth_without_tls = true;
    }
    let mut session = ClientSession::new(config);
    let mut messages = 0;
    let mut body_sent = false;
    let mut pieces = input.chunks(split);

    // Each call may fail: a failure ends the session, as a driver would.
    for _ in 0..10_000 {
        let event = match session.next() {
            Ok(event) => event,
            Err(_) => return,
        };
        session.clear_output();
        let step = match event {
            Event::NeedInput => match pieces.next() {
                Some(piece) => {
                    session.feed(piece);
                    Ok(())
                }
                None => return,
            },
            Event::StartTls => session.tls_started(),
            Event::Ready if messages < 2 => {
                messages += 1;
                body_sent = false;
                match Envelope::parse("a@example.org", &["b@example.org", "c@example.org"]) {
                    Ok(envelope) => session.send_message(envelope),
                    Err(_) => return,
                }
            }
            Event::Ready => session.quit(),
            Event::NeedBody if !body_sent => {
                body_sent = true;
                session.send_body(b".leading dot\r\n.\r\nbody\r\n")
            }
            Event::NeedBody => session.finish_body(),
            Event::MessageDone(_) => Ok(()),
            Event::Closed => return,
        };
        if step.is_err() {
            return;
        }
    }
    panic!("client session made no progress in 10000 steps");
});
