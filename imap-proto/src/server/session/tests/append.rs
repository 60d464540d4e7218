//! APPEND streamed (RFC 9051 §6.3.12), MULTIAPPEND (RFC 3502), literal8 and `UTF8 (...)`,
//! APPENDLIMIT (RFC 7889), refusals and malformed ends.

use super::*;

#[test]
fn append_one_message() {
    let mut d = Driver::logged_in();
    transcript(
        &mut d,
        "C: A003 APPEND saved-messages (\\Seen) {12}
         S: + Ready
         C: Subject: hi
         S: A003 OK APPEND completed",
    );
    assert_eq!(
        d.log,
        [
            "AppendMessage saved-messages #0 12 octets flags=1 date=false binary=false",
            "AppendMessageEnd \"Subject: hi\\r\"",
            "AppendEnd"
        ]
    );
}

#[test]
fn append_streams_in_pieces() {
    let mut d = Driver::logged_in();
    let body = "x".repeat(10_000);
    let mut out = d.run(&format!(
        "a1 APPEND INBOX \"05-Jan-2025 10:00:00 +0000\" {{{}+}}\r\n",
        body.len()
    ));
    for piece in body.as_bytes().chunks(777) {
        out += &d.run_bytes(piece);
    }
    out += &d.run("\r\n");
    assert_eq!(out, "a1 OK APPEND completed\r\n");
    assert_eq!(
        d.log[0],
        "AppendMessage INBOX #0 10000 octets flags=0 date=true binary=false"
    );
    assert_eq!(d.log[1], format!("AppendMessageEnd {body:?}"));
    assert_eq!(d.log[2], "AppendEnd");
    // The session never held the message.
    assert!(d.session.input.asm.buffered() < 1000);
}

#[test]
fn multiappend() {
    let mut d = Driver::logged_in();
    transcript(
        &mut d,
        "C: a1 APPEND Drafts (\\Draft) {3}
         S: + Ready
         C: one (\\Seen \\Flagged) ~{3}
         S: + Ready
         C: two UTF8 (~{5+}
         C: three)
         S: a1 OK APPEND completed",
    );
    assert_eq!(
        d.log,
        [
            "AppendMessage Drafts #0 3 octets flags=1 date=false binary=false",
            "AppendMessageEnd \"one\"",
            "AppendMessage Drafts #1 3 octets flags=2 date=false binary=true",
            "AppendMessageEnd \"two\"",
            "AppendMessage Drafts #2 5 octets flags=0 date=false binary=true",
            "AppendMessageEnd \"three\"",
            "AppendEnd"
        ]
    );
}

#[test]
fn refused_messages() {
    let mut d = Driver::logged_in();
    d.refuse_append = Some(0);
    transcript(
        &mut d,
        "C: a1 APPEND Nowhere {3}
         S: a1 NO [TRYCREATE] No such mailbox
         C: a2 APPEND Nowhere {3+}
         C: abc
         C: a3 NOOP
         S: a2 NO [TRYCREATE] No such mailbox
         S: a3 OK NOOP completed",
    );
    // The second message of a MULTIAPPEND refused: the first is dropped too.
    d.refuse_append = Some(1);
    d.log.clear();
    transcript(
        &mut d,
        "C: a4 APPEND INBOX {3+}
         C: one {3+}
         C: two
         C: a5 NOOP
         S: a4 NO [TRYCREATE] No such mailbox
         S: a5 OK NOOP completed",
    );
    assert_eq!(
        d.log,
        [
            "AppendMessage INBOX #0 3 octets flags=0 date=false binary=false",
            "AppendMessageEnd \"one\"",
            "AppendMessage INBOX #1 3 octets flags=0 date=false binary=false",
            "AppendAborted"
        ]
    );
}

#[test]
fn too_big_for_appendlimit() {
    let mut config = config();
    config.append_limit = 10;
    let mut d = Driver::with_config(config);
    d.take();
    d.run("a0 LOGIN alice wonderland\r\n");
    d.log.clear();
    transcript(
        &mut d,
        "C: a1 APPEND INBOX {11}
         S: a1 NO [TOOBIG] Message of 11 octets is over the APPENDLIMIT of 10
         C: a2 APPEND INBOX {11+}
         C: hello world
         C: a3 NOOP
         S: a2 NO [TOOBIG] Message of 11 octets is over the APPENDLIMIT of 10
         S: a3 OK NOOP completed",
    );
    assert!(d.log.is_empty(), "{:?}", d.log);
}

#[test]
fn malformed_rest_aborts() {
    let mut d = Driver::logged_in();
    transcript(
        &mut d,
        "C: a1 APPEND INBOX {3+}
         C: one garbage
         S: a1 BAD Syntax error in APPEND: expected ...
         C: a2 APPEND INBOX {3+}
         C: one (\\Seen) {3}
         S: + Ready
         C: two)
         S: a2 BAD Syntax error in APPEND: expected ...",
    );
    assert_eq!(
        d.log,
        [
            "AppendMessage INBOX #0 3 octets flags=0 date=false binary=false",
            "AppendMessageEnd \"one\"",
            "AppendAborted",
            "AppendMessage INBOX #0 3 octets flags=0 date=false binary=false",
            "AppendMessageEnd \"one\"",
            "AppendMessage INBOX #1 3 octets flags=1 date=false binary=false",
            "AppendMessageEnd \"two\"",
            "AppendAborted"
        ]
    );
}

#[test]
fn append_before_login_is_bad() {
    let mut d = Driver::new();
    transcript(
        &mut d,
        "C: a1 APPEND INBOX {3}
         S: a1 BAD Not authenticated: log in first
         C: a2 NOOP
         S: a2 OK NOOP completed",
    );
    assert!(d.log.is_empty());
}

#[test]
fn connection_ending_mid_append_aborts() {
    let mut d = Driver::logged_in();
    d.run("a1 APPEND INBOX {100+}\r\nhalf a mess");
    d.session.shutdown();
    d.pump();
    assert_eq!(
        d.log,
        [
            "AppendMessage INBOX #0 100 octets flags=0 date=false binary=false",
            "AppendAborted",
            "Close Shutdown"
        ]
    );
    assert_eq!(d.take(), "* BYE [UNAVAILABLE] Server shutting down\r\n");
}

#[test]
fn mailbox_name_as_a_literal() {
    let mut d = Driver::logged_in();
    transcript(
        &mut d,
        "C: a1 SELECT INBOX
         S: a1 OK done
         C: a2 APPEND {6}
         S: + Ready
         C: Drafts {2}
         S: + Ready
         C: hi
         S: a2 OK APPEND completed",
    );
    assert_eq!(
        d.log,
        [
            "Command a1 SELECT",
            "AppendMessage Drafts #0 2 octets flags=0 date=false binary=false",
            "AppendMessageEnd \"hi\"",
            "AppendEnd"
        ]
    );
}
