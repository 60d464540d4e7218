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
    assert_eq!(append.condition, Condition::No);
    assert_eq!(append.text.code, Some(Code::TooBig));
    // The refused literal's octets were never written.
    assert!(done(&events[1]).is_ok());
    // A stray continuation now is the server's error.
    s.feed(b"+ go ahead\r\n");
    assert_eq!(s.next_event(), Err(ClientError::UnexpectedContinuation));
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
