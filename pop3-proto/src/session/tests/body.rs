//! Body streaming for `RETR`/`TOP`: any chunking gives the same bytes, `TOP` stops early, and
//! a failing store is answered `-ERR [SYS/TEMP]` before the first chunk, by closing after.

use super::*;
use crate::types::capability::ExpirePolicy;

/// A body with every case the encoder handles: dot-started lines, bare LF, bare CR (made CRLF), CRLF split
/// across chunks, a lone "." line, and no final line end.
const BODY: &[u8] = b"Subject: chunks\r\nX: y\n\r\n.\r\n..two\r\nbare\rcr\nlf\n.\n\r\nend.";
const BODY_WIRE: &str =
    "Subject: chunks\r\nX: y\r\n\r\n..\r\n...two\r\nbare\r\ncr\r\nlf\r\n..\r\n\r\nend.\r\n.\r\n";

fn retr_with_chunks(size: usize) -> String {
    let mut d = Driver::new();
    d.bodies.insert(102, BODY.to_vec());
    d.body_mode = BodyMode::Chunks(size);
    d.login();
    d.run("RETR 2\r\n")
}

#[test]
fn retr_in_any_chunking_is_the_same() {
    let whole = retr_with_chunks(usize::MAX);
    assert_eq!(whole, format!("+OK 200 octets\r\n{BODY_WIRE}"));
    for size in 1..=BODY.len() {
        assert_eq!(retr_with_chunks(size), whole, "chunks of {size}");
    }
}

#[test]
fn retr_counts_octets_and_retrievals() {
    let mut d = Driver::new();
    d.body_mode = BodyMode::Chunks(3);
    d.login();
    d.run("RETR 1\r\nRETR 3\r\n");
    let stats = d.session.stats();
    assert_eq!(stats.retrieved, 2);
    let sizes = sample_bodies().get(&101).map_or(0, Vec::len)
        + sample_bodies().get(&103).map_or(0, Vec::len);
    assert_eq!(stats.retrieved_octets, sizes as u64);
    assert_eq!(stats.messages, 3);
}

#[test]
fn top_stops_and_ignores_the_rest() {
    let mut s = ServerSession::new(Arc::new(plaintext_config()));
    s.take_output();
    s.feed(b"USER alice\r\nPASS wonderland\r\nTOP 1 1\r\nNOOP\r\n");
    assert!(matches!(s.next_event(), Ok(Event::Login { .. })));
    s.auth_outcome(AuthOutcome::Success {
        identity: "alice".into(),
    })
    .unwrap();
    assert!(matches!(s.next_event(), Ok(Event::OpenMaildrop { .. })));
    s.maildrop_opened(Ok(sample_maildrop())).unwrap();
    assert_eq!(
        s.next_event(),
        Ok(Event::Retrieve {
            msg: crate::types::listing::MsgNum::new(1).unwrap(),
            id: 101,
            lines: Some(1)
        })
    );
    s.take_output();
    assert!(s.wants_body());
    s.body(b"Subject: top\r\n\r\nfirst li").unwrap();
    assert!(s.wants_body());
    s.body(b"ne\r\nsecond").unwrap();
    assert!(!s.wants_body(), "TOP has its one line");
    // A driver that sends more anyway: ignored.
    s.body(b" line\r\nthird\r\n").unwrap();
    s.body_end().unwrap();
    assert_eq!(s.next_event(), Ok(Event::NeedInput));
    assert_eq!(
        String::from_utf8(s.take_output()).unwrap(),
        "+OK Top of message follows\r\nSubject: top\r\n\r\nfirst line\r\n.\r\n+OK\r\n"
    );
}

#[test]
fn top_zero_lines_wants_only_the_header() {
    let mut d = Driver::new();
    d.body_mode = BodyMode::Chunks(1);
    d.bodies
        .insert(101, b"A: 1\r\nB: 2\r\n\r\nbody\r\n".to_vec());
    d.login();
    assert_eq!(
        d.run("TOP 1 0\r\n"),
        "+OK Top of message follows\r\nA: 1\r\nB: 2\r\n\r\n.\r\n"
    );
}

#[test]
fn body_failed_before_any_chunk_is_sys_temp() {
    let mut d = Driver::new();
    d.body_mode = BodyMode::FailAtOnce;
    d.login();
    assert_eq!(
        d.run("RETR 2\r\nTOP 3 1\r\n"),
        "-ERR [SYS/TEMP] Message 2 cannot be read now\r\n\
         -ERR [SYS/TEMP] Message 3 cannot be read now\r\n"
    );
    assert_eq!(d.session.stats().retrieved, 0);
    d.body_mode = BodyMode::Chunks(7);
    assert_eq!(d.run("STAT\r\n"), "+OK 3 480\r\n");
    assert!(d.run("RETR 2\r\n").starts_with("+OK 200 octets\r\n"));
}

#[test]
fn failed_retrieval_is_not_expired() {
    // EXPIRE 0 removes retrieved messages: one that could not be read was not retrieved.
    let mut config = plaintext_config();
    config.expire = Some(ExpirePolicy::Days(0));
    let mut d = Driver::with_config(config);
    d.body_mode = BodyMode::FailAtOnce;
    d.login();
    d.run("RETR 1\r\n");
    assert_eq!(
        d.run("QUIT\r\n"),
        "+OK pop.example.org POP3 server signing off\r\n"
    );
    assert!(
        !d.log.iter().any(|l| l.starts_with("Update")),
        "{:?}",
        d.log
    );
}

#[test]
fn body_failed_after_a_chunk_closes() {
    let mut d = Driver::new();
    d.body_mode = BodyMode::FailAfter(10);
    d.login();
    d.run("DELE 3\r\n");
    assert_eq!(
        d.run("RETR 1\r\nSTAT\r\nQUIT\r\n"),
        "+OK 120 octets\r\nSubject: o"
    );
    assert_eq!(d.closed, Some(CloseReason::StorageFailed));
    assert!(
        !d.log.iter().any(|l| l.starts_with("Update")),
        "{:?}",
        d.log
    );
    assert_eq!(d.session.stats().retrieved, 0);
}
