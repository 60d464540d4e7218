//! RFC 1939 §10's example session, adapted (USER/PASS, and APOP with this session's timestamp),
//! and every TRANSACTION command with its exact response.

use super::*;
use crate::session::apop;

/// Plays `(client, server)` steps, asserting the server's exact output for each.
fn script(d: &mut Driver, steps: &[(&str, &str)]) {
    for (client, server) in steps {
        assert_eq!(d.run(client), *server, "after {client:?}");
    }
}

/// The two messages of RFC 1939 §10 (120 and 200 octets), owned by `mrose`.
fn rfc_driver(config: ServerConfig) -> Driver {
    let mut d = Driver::with_config(config);
    d.users = vec![("mrose", "tanstaaf")];
    d.maildrop = vec![
        MaildropEntry {
            id: 7,
            size: 120,
            unique_id: "whqtswO00WBw418f9t5JxYwZ".into(),
        },
        MaildropEntry {
            id: 9,
            size: 200,
            unique_id: "QhdPYR:00WBw1Ph7x7".into(),
        },
    ];
    d.bodies = HashMap::from([
        (7, b"Subject: one\r\n\r\nmessage 1\r\n".to_vec()),
        (9, b"Subject: two\r\n\r\nmessage 2\r\n".to_vec()),
    ]);
    d
}

/// The rest of the §10 session after login: STAT, LIST, RETR 1, DELE 1, RETR 2, DELE 2, QUIT.
fn rfc_transaction(d: &mut Driver) {
    script(
        d,
        &[
            ("STAT\r\n", "+OK 2 320\r\n"),
            (
                "LIST\r\n",
                "+OK 2 messages (320 octets)\r\n1 120\r\n2 200\r\n.\r\n",
            ),
            (
                "RETR 1\r\n",
                "+OK 120 octets\r\nSubject: one\r\n\r\nmessage 1\r\n.\r\n",
            ),
            ("DELE 1\r\n", "+OK Message 1 deleted\r\n"),
            (
                "RETR 2\r\n",
                "+OK 200 octets\r\nSubject: two\r\n\r\nmessage 2\r\n.\r\n",
            ),
            ("DELE 2\r\n", "+OK Message 2 deleted\r\n"),
            (
                "QUIT\r\n",
                "+OK pop.example.org POP3 server signing off (2 messages deleted)\r\n",
            ),
        ],
    );
    assert_eq!(d.closed, Some(CloseReason::Quit));
    assert_eq!(d.session.stats().deleted, 2);
    assert_eq!(d.session.stats().retrieved, 2);
}

#[test]
fn rfc1939_example_with_user_pass() {
    let mut d = rfc_driver(plaintext_config());
    script(
        &mut d,
        &[
            ("USER mrose\r\n", "+OK Send PASS\r\n"),
            (
                "PASS tanstaaf\r\n",
                "+OK mrose's maildrop has 2 messages (320 octets)\r\n",
            ),
        ],
    );
    rfc_transaction(&mut d);
    assert_eq!(
        d.log,
        [
            "Login mrose",
            "OpenMaildrop mrose",
            "Retrieve 1 id=7 lines=None",
            "Retrieve 2 id=9 lines=None",
            "Update [7, 9]",
            "Close Quit",
        ]
    );
}

#[test]
fn rfc1939_example_with_apop() {
    let mut config = ServerConfig::new("pop.example.org");
    config.apop = true;
    let mut session = ServerSession::new(Arc::new(config.clone()));
    let greeting = String::from_utf8(session.take_output()).unwrap();
    let ts = session.apop_timestamp().expect("APOP on").to_owned();
    assert_eq!(
        greeting,
        format!("+OK pop.example.org POP3 server ready {ts}\r\n")
    );
    let mut d = rfc_driver(config);
    d.session = session;
    // APOP works without TLS: it never sends the secret.
    let wrong = apop::digest(&ts, "tanstaaF");
    assert_eq!(
        d.run(&format!("APOP mrose {wrong}\r\n")),
        "-ERR [AUTH] Authentication failed\r\n"
    );
    let digest = apop::digest(&ts, "tanstaaf");
    assert_eq!(
        d.run(&format!("APOP mrose {digest}\r\n")),
        "+OK mrose's maildrop has 2 messages (320 octets)\r\n"
    );
    rfc_transaction(&mut d);
    assert_eq!(
        &d.log[..3],
        ["Apop mrose", "Apop mrose", "OpenMaildrop mrose"]
    );
}

#[test]
fn apop_refused_when_not_offered() {
    let mut d = Driver::new();
    assert_eq!(d.session.apop_timestamp(), None);
    assert_eq!(
        d.run("APOP alice c4c9334bac560ecc979e58001b3e22fb\r\n"),
        "-ERR APOP is not offered\r\n"
    );
    assert!(d.log.is_empty());
}

#[test]
fn every_transaction_command() {
    let mut d = Driver::new();
    d.login();
    script(
        &mut d,
        &[
            ("STAT\r\n", "+OK 3 480\r\n"),
            (
                "LIST\r\n",
                "+OK 3 messages (480 octets)\r\n1 120\r\n2 200\r\n3 160\r\n.\r\n",
            ),
            ("LIST 2\r\n", "+OK 2 200\r\n"),
            (
                "UIDL\r\n",
                "+OK Unique-id listing follows\r\n1 uid-a\r\n2 uid-b\r\n3 uid-c\r\n.\r\n",
            ),
            ("UIDL 3\r\n", "+OK 3 uid-c\r\n"),
            (
                "RETR 1\r\n",
                "+OK 120 octets\r\nSubject: one\r\n\r\nline 1\r\nline 2\r\n..dot\r\nline 4\r\n.\r\n",
            ),
            // Bare LFs become CRLF; a body without a final line end gets one.
            (
                "RETR 2\r\n",
                "+OK 200 octets\r\nSubject: two\r\n\r\nfirst\r\nsecond\r\nthird\r\n.\r\n",
            ),
            (
                "RETR 3\r\n",
                "+OK 160 octets\r\nSubject: three\r\n\r\nno line end\r\n.\r\n",
            ),
            (
                "TOP 1 0\r\n",
                "+OK Top of message follows\r\nSubject: one\r\n\r\n.\r\n",
            ),
            (
                "TOP 1 3\r\n",
                "+OK Top of message follows\r\nSubject: one\r\n\r\nline 1\r\nline 2\r\n..dot\r\n.\r\n",
            ),
            (
                "TOP 2 100\r\n",
                "+OK Top of message follows\r\nSubject: two\r\n\r\nfirst\r\nsecond\r\nthird\r\n.\r\n",
            ),
            ("NOOP\r\n", "+OK\r\n"),
            ("DELE 2\r\n", "+OK Message 2 deleted\r\n"),
            ("RSET\r\n", "+OK Maildrop has 3 messages (480 octets)\r\n"),
            ("DELE 3\r\n", "+OK Message 3 deleted\r\n"),
            ("DELE 1\r\n", "+OK Message 1 deleted\r\n"),
            (
                "QUIT\r\n",
                "+OK pop.example.org POP3 server signing off (2 messages deleted)\r\n",
            ),
        ],
    );
    // Update gets the application's ids in message-number order.
    assert_eq!(d.log.last().map(String::as_str), Some("Close Quit"));
    assert!(
        d.log.contains(&"Update [101, 103]".to_owned()),
        "{:?}",
        d.log
    );
    assert!(
        d.log
            .contains(&"Retrieve 1 id=101 lines=Some(0)".to_owned())
    );
    assert!(
        d.log
            .contains(&"Retrieve 1 id=101 lines=Some(3)".to_owned())
    );
    assert_eq!(d.session.stats().retrieved, 6);
}

#[test]
fn quit_without_dele_has_no_update() {
    let mut d = Driver::new();
    d.login();
    d.run("RETR 1\r\n");
    assert_eq!(
        d.run("QUIT\r\n"),
        "+OK pop.example.org POP3 server signing off\r\n"
    );
    assert_eq!(d.closed, Some(CloseReason::Quit));
    assert!(
        !d.log.iter().any(|l| l.starts_with("Update")),
        "{:?}",
        d.log
    );
    assert_eq!(d.session.stats().deleted, 0);
}

#[test]
fn quit_before_login_closes_without_update() {
    let mut d = Driver::new();
    assert_eq!(
        d.run("QUIT\r\n"),
        "+OK pop.example.org POP3 server signing off\r\n"
    );
    assert_eq!(d.log, ["Close Quit"]);
}

#[test]
fn rset_then_quit_has_no_update() {
    let mut d = Driver::new();
    d.login();
    d.run("DELE 1\r\nDELE 2\r\nRSET\r\n");
    d.run("QUIT\r\n");
    assert_eq!(d.log.last().map(String::as_str), Some("Close Quit"));
    assert!(!d.log.iter().any(|l| l.starts_with("Update")));
}

#[test]
fn expire_zero_removes_retrieved_messages() {
    let mut config = plaintext_config();
    config.expire = Some(crate::types::capability::ExpirePolicy::Days(0));
    let mut d = Driver::with_config(config);
    d.login();
    // DELE'd and retrieved messages are each listed once; message 2 was never retrieved.
    d.run("RETR 3\r\nRETR 1\r\nDELE 3\r\n");
    assert_eq!(
        d.run("QUIT\r\n"),
        "+OK pop.example.org POP3 server signing off (2 messages deleted)\r\n"
    );
    assert!(
        d.log.contains(&"Update [101, 103]".to_owned()),
        "{:?}",
        d.log
    );
}

#[test]
fn expire_zero_ignores_top_previews() {
    let mut config = plaintext_config();
    config.expire = Some(crate::types::capability::ExpirePolicy::Days(0));
    let mut d = Driver::with_config(config);
    d.login();
    d.run("TOP 1 0\r\nTOP 2 5\r\n");
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
fn expire_never_keeps_retrieved_messages() {
    let mut config = plaintext_config();
    config.expire = Some(crate::types::capability::ExpirePolicy::Never);
    let mut d = Driver::with_config(config);
    d.login();
    d.run("RETR 1\r\n");
    d.run("QUIT\r\n");
    assert!(
        !d.log.iter().any(|l| l.starts_with("Update")),
        "{:?}",
        d.log
    );
}

#[test]
fn partial_update_answers_err() {
    let mut d = Driver::new();
    d.update = UpdateOutcome::Partial;
    d.login();
    d.run("DELE 1\r\n");
    assert_eq!(
        d.run("QUIT\r\n"),
        "-ERR [SYS/TEMP] Some deleted messages not removed\r\n"
    );
    assert_eq!(d.closed, Some(CloseReason::Quit));
    assert_eq!(d.session.stats().deleted, 0);
}
