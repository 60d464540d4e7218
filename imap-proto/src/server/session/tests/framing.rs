//! Literals (RFC 9051 §4.3, §7.5; RFC 7888 LITERAL+), limits (RFC 9051 §7.1 TOOBIG) and
//! back-pressure.

use super::*;
use crate::framing::FramerLimits;

#[test]
fn synchronizing_literal_gets_a_continuation() {
    let mut d = Driver::logged_in();
    transcript(
        &mut d,
        "C: a1 CREATE {7}
         S: + Ready
         C: Archive
         S: a1 OK done
         C: a2 RENAME {3+}
         C: Old {3}
         S: + Ready
         C: New
         S: a2 OK done",
    );
    assert_eq!(d.log, ["Command a1 CREATE", "Command a2 RENAME"]);
}

#[test]
fn literal_in_a_bad_command_is_refused() {
    let mut d = Driver::logged_in();
    // No `+`: the client never sends the octets, and the next line is a new command.
    transcript(
        &mut d,
        "C: a1 FROB {5}
         S: a1 BAD Unknown command
         C: a2 NOOP
         S: a2 OK NOOP completed",
    );
    // A non-synchronizing literal of a bad command is read and dropped.
    transcript(
        &mut d,
        "C: a3 FROB {5+}
         C: hello
         C: a4 NOOP
         S: a3 BAD Unknown command
         S: a4 OK NOOP completed",
    );
}

#[test]
fn too_long_line() {
    let mut config = config();
    config.limits = FramerLimits {
        max_line: 64,
        max_literal: 1000,
        max_message: 200,
    };
    let mut d = Driver::with_config(config);
    d.take();
    let long = format!("a1 LOGIN {} x\r\na2 NOOP\r\n", "u".repeat(100));
    assert_eq!(
        d.run(&long),
        "a1 BAD [TOOBIG] Line of 113 octets is over the limit of 64\r\na2 OK NOOP completed\r\n"
    );
    // A literal over the message limit is refused without `+`; over the literal limit, NO.
    transcript(
        &mut d,
        "C: a3 LOGIN alice {300}
         S: a3 BAD [TOOBIG] Command of 322 octets is over the limit of 200
         C: a4 LOGIN alice {3000}
         S: a4 NO [TOOBIG] Literal of 3000 octets is over the limit of 1000
         C: a5 NOOP
         S: a5 OK NOOP completed",
    );
}

#[test]
fn flush_when_output_is_over_the_bound() {
    let mut config = config();
    config.max_pending_output = 100;
    let mut d = Driver::with_config(config);
    let input = "a CAPABILITY\r\n".repeat(10);
    let out = d.run(&input);
    assert_eq!(out.matches("a OK CAPABILITY completed\r\n").count(), 10);
    // One command's answer (~150 octets) per Flush, not all ten at once.
    assert!(d.flushes >= 9, "{} flushes", d.flushes);
}

#[test]
fn each_command_in_its_own_split() {
    let mut d = Driver::logged_in();
    let input = b"a1 NOOP\r\na2 CREATE {4}\r\n";
    let mut out = String::new();
    for b in input {
        out += &d.run_bytes(&[*b]);
    }
    assert_eq!(out, "a1 OK NOOP completed\r\n+ Ready\r\n");
    for b in b"abcd\r\n" {
        out += &d.run_bytes(&[*b]);
    }
    assert!(out.ends_with("a2 OK done\r\n"), "{out}");
}

#[test]
fn many_literals_in_one_command() {
    let mut d = Driver::logged_in();
    // STATUS with its mailbox as a literal, then a LIST with two, and an ID with many.
    let mut input = String::from("a1 ID (");
    for i in 0..500 {
        input += &format!("{{2+}}\r\nk{} {{2+}}\r\nv{} ", i % 10, i % 10);
    }
    input += "\"x\" \"y\")\r\n";
    let out = d.run(&input);
    assert!(out.ends_with("a1 OK ID completed\r\n"), "{out}");
    transcript(
        &mut d,
        "C: a2 LIST {0}
         S: + Ready
         C:  {1}
         S: + Ready
         C: *
         S: a2 OK done
         C: a3 LIST {0}
         S: + Ready
         C:  {1}
         S: + Ready
         C: * {1}
         S: + Ready
         C: x
         S: a3 BAD Syntax error: expected ...",
    );
}
