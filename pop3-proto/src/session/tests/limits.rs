//! Limits: line length (RFC 2449 §4), bad-command count, unbounded input without a line end,
//! pipelining (RFC 2449 §6.6), the idle time-out and shutdown.

use super::*;

#[test]
fn long_line_is_refused_and_counted() {
    let mut d = Driver::new();
    let long = format!("NOOP {}\r\n", "x".repeat(300));
    assert_eq!(
        d.run(&long),
        "-ERR Line too long (307 octets, at most 255)\r\n"
    );
    // 255 octets with the CRLF is still a line (its argument is too long: a different error).
    let max = format!("USER {}\r\n", "a".repeat(248));
    assert_eq!(max.len(), 255);
    let out = d.run(&max);
    assert!(
        out.starts_with("-ERR ") && !out.contains("Line too long"),
        "{out}"
    );
    // Ten bad commands are tolerated (two above, eight here); the eleventh closes.
    for _ in 0..8 {
        assert_eq!(
            d.run(&long),
            "-ERR Line too long (307 octets, at most 255)\r\n"
        );
    }
    assert_eq!(d.closed, None);
    assert_eq!(
        d.run(&format!("{long}NOOP\r\n")),
        "-ERR Too many bad commands, closing\r\n"
    );
    assert_eq!(d.closed, Some(CloseReason::TooManyErrors));
}

#[test]
fn bad_commands_close_after_the_limit() {
    let mut d = Driver::new();
    let garbage = [
        "FOO\r\n",
        "\r\n",
        "USER\r\n",
        "RETR\r\n",
        "LIST a b\r\n",
        "\x01\x02\r\n",
    ];
    let mut errs = 0;
    for line in garbage.iter().cycle().take(10) {
        let out = d.run(line);
        assert!(
            out.starts_with("-ERR ") && out.matches("\r\n").count() == 1,
            "{line:?}: {out}"
        );
        errs += 1;
    }
    assert_eq!(errs, 10);
    assert_eq!(d.closed, None);
    // Good commands do not reset the count.
    d.login();
    assert_eq!(
        d.run("FOO\r\nSTAT\r\n"),
        "-ERR Too many bad commands, closing\r\n"
    );
    assert_eq!(d.closed, Some(CloseReason::TooManyErrors));
    assert!(!d.log.iter().any(|l| l.starts_with("Update")));
}

#[test]
fn a_megabyte_without_line_end_is_not_buffered() {
    let mut d = Driver::new();
    let piece = vec![b'A'; 4096];
    for _ in 0..256 {
        assert_eq!(d.run_bytes(&piece), "");
    }
    // What is held of the line is never more than the limit: a second session, same input.
    let mut probe = Driver::new();
    for _ in 0..256 {
        probe.run_bytes(&piece);
    }
    let held = probe.session.input.discard();
    assert!(held < 255, "{held} octets held");
    // The line ends: one error with the full length, then a command works.
    assert_eq!(
        d.run("\r\nNOOP\r\n"),
        "-ERR Line too long (1048578 octets, at most 255)\r\n-ERR NOOP is not valid before login\r\n"
    );
    d.login();
}

#[test]
fn long_sasl_line_ends_the_exchange() {
    let mut config = plaintext_config();
    config.max_auth_line_length = 100;
    let mut d = Driver::with_config(config);
    assert_eq!(d.run("AUTH PLAIN\r\n"), "+ \r\n");
    // SASL lines may be longer than commands.
    let ok = format!("{}\r\n", "QUFB".repeat(24));
    assert!(ok.len() > 90 && ok.len() <= 100);
    assert_eq!(d.run(&ok), "-ERR [AUTH] Authentication failed\r\n");
    assert_eq!(d.run("AUTH PLAIN\r\n"), "+ \r\n");
    assert_eq!(
        d.run(&format!("{}\r\n", "QUFB".repeat(30))),
        "-ERR Line too long (122 octets, at most 100)\r\n"
    );
    d.login();
}

#[test]
fn pipelined_commands_answer_in_order() {
    let script = "USER alice\r\nPASS wonderland\r\nSTAT\r\nLIST 2\r\nRETR 3\r\nDELE 1\r\n\
                  UIDL\r\nNOOP\r\nTOP 2 1\r\nQUIT\r\n";
    // One command per read...
    let mut one = Driver::new();
    let mut expected = String::new();
    for line in script.split_inclusive("\r\n") {
        expected += &one.run(line);
    }
    // ...and all in one read give the same bytes and the same events.
    let mut all = Driver::new();
    assert_eq!(all.run(script), expected);
    assert_eq!(all.log, one.log);
    assert_eq!(
        expected,
        "+OK Send PASS\r\n+OK alice's maildrop has 3 messages (480 octets)\r\n+OK 3 480\r\n\
         +OK 2 200\r\n+OK 160 octets\r\nSubject: three\r\n\r\nno line end\r\n.\r\n\
         +OK Message 1 deleted\r\n+OK Unique-id listing follows\r\n2 uid-b\r\n3 uid-c\r\n.\r\n\
         +OK\r\n+OK Top of message follows\r\nSubject: two\r\n\r\nfirst\r\n.\r\n\
         +OK pop.example.org POP3 server signing off (1 messages deleted)\r\n"
    );
}

#[test]
fn timeout_closes_without_update() {
    let mut d = Driver::new();
    d.login();
    d.run("DELE 1\r\nDELE 2\r\n");
    d.session.timeout();
    d.pump();
    assert_eq!(d.take(), "-ERR Autologout: idle for too long\r\n");
    assert_eq!(d.closed, Some(CloseReason::Timeout));
    assert!(!d.log.iter().any(|l| l.starts_with("Update")));
    // Later input is ignored.
    assert_eq!(d.run_bytes(b"QUIT\r\n"), "");
}

#[test]
fn shutdown_closes_without_update() {
    let mut d = Driver::new();
    d.login();
    d.run("DELE 1\r\n");
    d.session.shutdown();
    assert_eq!(
        d.run("QUIT\r\n"),
        "-ERR [SYS/TEMP] Server shutting down\r\n"
    );
    assert_eq!(d.closed, Some(CloseReason::Shutdown));
    assert!(!d.log.iter().any(|l| l.starts_with("Update")));
}

#[test]
fn shutdown_while_awaiting_update_finishes_it() {
    let mut s = ServerSession::new(Arc::new(plaintext_config()));
    s.take_output();
    s.feed(b"USER alice\r\nPASS wonderland\r\nDELE 2\r\nQUIT\r\n");
    assert!(matches!(s.next_event(), Ok(Event::Login { .. })));
    s.auth_outcome(AuthOutcome::Success {
        identity: "alice".into(),
    })
    .unwrap();
    assert!(matches!(s.next_event(), Ok(Event::OpenMaildrop { .. })));
    s.maildrop_opened(Ok(sample_maildrop())).unwrap();
    assert_eq!(s.next_event(), Ok(Event::Update { deleted: vec![102] }));
    s.shutdown();
    s.timeout(); // ignored while the UPDATE runs
    s.update_done(UpdateOutcome::Done).unwrap();
    assert_eq!(s.next_event(), Ok(Event::Close(CloseReason::Quit)));
    let out = String::from_utf8(s.take_output()).unwrap();
    assert!(
        out.ends_with(
            "+OK Message 2 deleted\r\n\
             +OK pop.example.org POP3 server signing off (1 messages deleted)\r\n"
        ),
        "{out}"
    );
    assert!(!out.contains("shutting down"));
}

#[test]
fn shutdown_while_streaming_a_body_closes_after_it() {
    let mut s = ServerSession::new(Arc::new(plaintext_config()));
    s.take_output();
    s.feed(b"USER alice\r\nPASS wonderland\r\nRETR 1\r\nSTAT\r\n");
    assert!(matches!(s.next_event(), Ok(Event::Login { .. })));
    s.auth_outcome(AuthOutcome::Success {
        identity: "alice".into(),
    })
    .unwrap();
    assert!(matches!(s.next_event(), Ok(Event::OpenMaildrop { .. })));
    s.maildrop_opened(Ok(sample_maildrop())).unwrap();
    assert!(matches!(
        s.next_event(),
        Ok(Event::Retrieve { id: 101, .. })
    ));
    s.shutdown();
    s.body(b"Subject: x\r\n\r\nbody\r\n").unwrap();
    s.body_end().unwrap();
    assert_eq!(s.next_event(), Ok(Event::Close(CloseReason::Shutdown)));
    let out = String::from_utf8(s.take_output()).unwrap();
    assert!(
        out.ends_with("+OK 120 octets\r\nSubject: x\r\n\r\nbody\r\n.\r\n-ERR [SYS/TEMP] Server shutting down\r\n"),
        "{out}"
    );
}
