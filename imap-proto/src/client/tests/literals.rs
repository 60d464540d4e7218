//! The continuation dance: synchronizing literals, LITERAL+/-, refused literals, APPEND.

use super::*;
use crate::token::Flag;

#[test]
fn synchronizing_literal_waits_for_continuation() {
    let mut s = ClientSession::new(plain_config());
    run(&mut s, &[S(b"* OK [CAPABILITY IMAP4rev1] hi\r\n")]);
    s.login("fred\r\n", &secret("pw")).unwrap();
    // Queued behind the LOGIN's literal.
    s.noop();
    let events = run(
        &mut s,
        &[
            C(b"A0001 LOGIN {6}\r\n"),
            S(b"+ Ready for literal\r\n"),
            C(b"fred\r\n pw\r\n"),
            S(b"A0001 OK logged in\r\n"),
            C(b"A0002 NOOP\r\n"),
            S(b"A0002 OK\r\n"),
        ],
    );
    assert_eq!(events.len(), 2);
    assert!(done(&events[0]).is_ok() && done(&events[1]).is_ok());
}

#[test]
fn tagged_no_instead_of_continuation_ends_the_command() {
    let mut s = ClientSession::new(plain_config());
    run(&mut s, &[S(b"* OK [CAPABILITY IMAP4rev1] hi\r\n")]);
    let message = vec![b'x'; 5000];
    s.append("INBOX", &[Flag::Seen], &message);
    s.noop();
    let events = run(
        &mut s,
        &[
            C(b"A0001 APPEND INBOX (\\Seen) {5000}\r\n"),
            S(b"A0001 NO [TOOBIG] message too large\r\n"),
            C(b"A0002 NOOP\r\n"),
            S(b"A0002 OK\r\n"),
        ],
    );
    let append = done(&events[0]);
    assert_eq!(append.kind(), StatusKind::No);
    assert_eq!(append.code(), Some(&Code::TooBig));
    // The refused literal's octets were never written.
    assert!(done(&events[1]).is_ok());
    // A stray continuation now is the server's error.
    s.feed(b"+ go ahead\r\n");
    assert_eq!(s.next_event(), Err(ClientError::UnexpectedContinuation));
}

/// With `literal_plus` off the session writes `{n}` and waits, even to a LITERAL+ server.
#[test]
fn literal_plus_can_be_turned_off() {
    let mut s = ClientSession::new(ClientConfig {
        literal_plus: false,
        ..plain_config()
    });
    run(&mut s, &[S(b"* OK [CAPABILITY IMAP4rev2 LITERAL+] hi\r\n")]);
    s.append("Sent", &[], b"hello");
    let events = run(
        &mut s,
        &[
            C(b"A0001 APPEND Sent {5}\r\n"),
            S(b"+ OK\r\n"),
            C(b"hello\r\n"),
            S(b"A0001 OK [APPENDUID 7 3] done\r\n"),
        ],
    );
    assert!(done(&events[0]).is_ok());
}

#[test]
fn literal_plus_and_minus_do_not_wait() {
    let mut s = ClientSession::new(plain_config());
    run(&mut s, &[S(b"* OK [CAPABILITY IMAP4rev1 LITERAL+] hi\r\n")]);
    let message = vec![b'y'; 5000];
    s.append("Sent", &[], &message);
    let mut want = b"A0001 APPEND Sent {5000+}\r\n".to_vec();
    want.extend_from_slice(&message);
    want.extend_from_slice(b"\r\n");
    run(&mut s, &[C(&want), S(b"A0001 OK [APPENDUID 1 2] done\r\n")]);

    // LITERAL-: {n+} up to 4096 octets, synchronizing above.
    let mut s = ClientSession::new(plain_config());
    run(&mut s, &[S(b"* OK [CAPABILITY IMAP4rev1 LITERAL-] hi\r\n")]);
    s.append("Sent", &[], b"small\r\n");
    s.append("Sent", &[], &message);
    let mut rest = message.clone();
    rest.extend_from_slice(b"\r\n");
    let events = run(
        &mut s,
        &[
            C(b"A0001 APPEND Sent {7+}\r\nsmall\r\n\r\nA0002 APPEND Sent {5000}\r\n"),
            S(b"+ go\r\n"),
            C(&rest),
            S(b"A0001 OK\r\nA0002 OK\r\n"),
        ],
    );
    assert_eq!(events.len(), 2);
}

/// A large `BODY[]` goes to the application in pieces, the response keeps `NIL` in its place;
/// small literals stay inline; the session holds no more than `max_response_size`.
#[test]
fn large_fetch_literals_stream() {
    let config = ClientConfig {
        stream_literals_over: Some(16),
        max_response_size: 1024,
        ..plain_config()
    };
    let body: Vec<u8> = (0..200_000u32).map(|i| b'a' + (i % 26) as u8).collect();
    let mut server = b"* 3 FETCH (UID 9 BODY[HEADER] {5}\r\nSub\r\n BODY[] {200000}\r\n".to_vec();
    server.extend_from_slice(&body);
    server.extend_from_slice(b" FLAGS (\\Seen))\r\nA0001 OK done\r\n");
    for piece in [1usize, 7, 65536, server.len()] {
        let mut s = ClientSession::new(config.clone());
        run(&mut s, &[S(b"* PREAUTH hi\r\n")]);
        s.command(|e| {
            e.raw(b"FETCH 3 (UID BODY[HEADER] BODY[] FLAGS)");
        })
        .unwrap();
        s.take_output();
        let mut data = Vec::new();
        let mut starts = Vec::new();
        let mut ends = 0;
        let mut completion = None;
        for chunk in server.chunks(piece) {
            s.feed(chunk);
            loop {
                match s.next_event().unwrap() {
                    Event::NeedInput => break,
                    Event::LiteralStart {
                        fetch,
                        prefix,
                        length,
                    } => starts.push((fetch, prefix, length)),
                    Event::LiteralData(d) => {
                        assert!(d.len() <= piece.max(65536));
                        data.extend_from_slice(&d);
                    }
                    Event::LiteralEnd => ends += 1,
                    Event::Done(c) => completion = Some(c),
                    other => panic!("{other:?}"),
                }
            }
        }
        assert_eq!(
            starts,
            [(
                Some(3),
                b"* 3 FETCH (UID 9 BODY[HEADER] {5}\r\nSub\r\n BODY[] ".to_vec(),
                200_000
            )]
        );
        assert_eq!(ends, 1);
        assert!(data == body, "piece {piece}");
        let c = completion.expect("completed");
        // The response as it would have been with NIL in the streamed literal's place.
        let (want, _) = Response::parse(
            b"* 3 FETCH (UID 9 BODY[HEADER] {5}\r\nSub\r\n BODY[] NIL FLAGS (\\Seen))\r\n",
        )
        .unwrap();
        assert_eq!(c.untagged[0], want);
    }
}
