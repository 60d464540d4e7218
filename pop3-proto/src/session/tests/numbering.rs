//! Message numbers stay fixed for the session (RFC 1939 §5): deleted messages keep their
//! numbers, are refused by every command, leave STAT and LIST, and come back with RSET.

use super::*;

#[test]
fn numbers_are_fixed_after_dele() {
    let mut d = Driver::new();
    d.login();
    let cases: &[(&str, &str)] = &[
        ("DELE 1\r\n", "+OK Message 1 deleted\r\n"),
        ("LIST 2\r\n", "+OK 2 200\r\n"),
        ("UIDL 2\r\n", "+OK 2 uid-b\r\n"),
        ("LIST 1\r\n", "-ERR Message 1 already deleted\r\n"),
        ("UIDL 1\r\n", "-ERR Message 1 already deleted\r\n"),
        ("RETR 1\r\n", "-ERR Message 1 already deleted\r\n"),
        ("TOP 1 0\r\n", "-ERR Message 1 already deleted\r\n"),
        ("DELE 1\r\n", "-ERR Message 1 already deleted\r\n"),
        ("STAT\r\n", "+OK 2 360\r\n"),
        (
            "LIST\r\n",
            "+OK 2 messages (360 octets)\r\n2 200\r\n3 160\r\n.\r\n",
        ),
        (
            "UIDL\r\n",
            "+OK Unique-id listing follows\r\n2 uid-b\r\n3 uid-c\r\n.\r\n",
        ),
        ("RSET\r\n", "+OK Maildrop has 3 messages (480 octets)\r\n"),
        ("LIST 1\r\n", "+OK 1 120\r\n"),
        ("STAT\r\n", "+OK 3 480\r\n"),
    ];
    for (client, server) in cases {
        assert_eq!(d.run(client), *server, "after {client:?}");
    }
    assert!(
        !d.log.iter().any(|l| l.starts_with("Retrieve")),
        "{:?}",
        d.log
    );
}

#[test]
fn out_of_range_numbers() {
    let mut d = Driver::new();
    d.login();
    let err = "-ERR No such message, only 3 messages in maildrop\r\n";
    for cmd in [
        "LIST 4",
        "UIDL 4",
        "RETR 4",
        "TOP 4 1",
        "DELE 4",
        "RETR 4294967295",
    ] {
        assert_eq!(d.run(&format!("{cmd}\r\n")), err, "{cmd}");
    }
    // Not errors of the client's counting: these are not counted as bad commands.
    for _ in 0..20 {
        assert_eq!(d.run("LIST 9\r\n"), err);
    }
    assert_eq!(d.closed, None);
    assert_eq!(d.run("STAT\r\n"), "+OK 3 480\r\n");
}

#[test]
fn message_zero_and_junk_numbers_are_syntax_errors() {
    let mut d = Driver::new();
    d.login();
    for cmd in ["LIST 0", "RETR x", "DELE -1", "TOP 1", "RETR 99999999999"] {
        let out = d.run(&format!("{cmd}\r\n"));
        assert!(out.starts_with("-ERR "), "{cmd}: {out}");
        assert!(
            out.ends_with("\r\n") && out.matches("\r\n").count() == 1,
            "{cmd}: {out}"
        );
    }
    assert_eq!(d.run("STAT\r\n"), "+OK 3 480\r\n");
}

#[test]
fn stat_of_all_deleted_and_empty_maildrop() {
    let mut d = Driver::new();
    d.login();
    d.run("DELE 1\r\nDELE 2\r\nDELE 3\r\n");
    assert_eq!(d.run("STAT\r\n"), "+OK 0 0\r\n");
    assert_eq!(d.run("LIST\r\n"), "+OK 0 messages (0 octets)\r\n.\r\n");
    assert_eq!(d.run("UIDL\r\n"), "+OK Unique-id listing follows\r\n.\r\n");

    let mut d = Driver::new();
    d.maildrop.clear();
    assert_eq!(
        d.run("USER alice\r\nPASS wonderland\r\n"),
        "+OK Send PASS\r\n+OK alice's maildrop has 0 messages (0 octets)\r\n"
    );
    assert_eq!(
        d.run("RETR 1\r\n"),
        "-ERR No such message, only 0 messages in maildrop\r\n"
    );
    assert_eq!(
        d.run("QUIT\r\n"),
        "+OK pop.example.org POP3 server signing off\r\n"
    );
}
