//! Refused literals, broken limits and discarded input: the stream stays in step.

use super::*;

/// A refused synchronizing literal is not awaited: the peer got no `+`, its next line is its
/// next command.
#[test]
fn refused_sync_literal_keeps_the_stream_in_step() {
    let input: &[u8] = b"A1 LOGIN {5}\r\nA2 NOOP\r\n";
    let got = same_for_every_split(
        FramerLimits::default(),
        input,
        &mut always(Decision::Refuse),
    );
    assert_eq!(
        got,
        vec![
            announced(sync(5), b"A1 LOGIN {5}\r\n"),
            Ev::Message(b"A2 NOOP\r\n".to_vec()),
        ]
    );
}

/// A refused non-synchronizing literal is read and dropped, with the rest of its message: later
/// lines and non-synchronizing literals (which look like commands), up to a line that ends
/// without an announcement, or with a synchronizing one (the peer waits for `+` there).
#[test]
fn refused_non_sync_literal_is_discarded_with_its_message() {
    let input: &[u8] = b"A1 APPEND INBOX {12+}\r\nA9 LOGOUT\r\n {11+}\r\nA8 LOGOUT\r\n\r\n\
A2 APPEND INBOX {3+}\r\nabc (\\Seen) {4}\r\nA3 NOOP\r\n";
    let got = same_for_every_split(
        FramerLimits::default(),
        input,
        &mut always(Decision::Refuse),
    );
    assert_eq!(
        got,
        vec![
            announced(non_sync(12), b"A1 APPEND INBOX {12+}\r\n"),
            announced(non_sync(3), b"A2 APPEND INBOX {3+}\r\n"),
            Ev::Message(b"A3 NOOP\r\n".to_vec()),
        ]
    );
}

#[test]
fn too_long_line_announcing_a_literal() {
    let limits = FramerLimits {
        max_line: 64,
        ..FramerLimits::default()
    };
    let long = [&b"A7 APPEND INBOX "[..], &[b'x'; 100]].concat();
    // Synchronizing: the peer waits for `+`, which never comes; its next line is a command.
    let input = [&long[..], b" {5}\r\nA8 NOOP\r\n"].concat();
    let got = same_for_every_split(limits, &input, &mut always(Decision::Accept));
    assert_eq!(
        got,
        vec![
            Ev::TooBig {
                tag: Some(b"A7".to_vec()),
                what: TooBig::Line {
                    len: long.len() + 6
                },
                literal: Some(sync(5)),
            },
            Ev::Message(b"A8 NOOP\r\n".to_vec()),
        ]
    );
    // Non-synchronizing: its octets (a command look-alike) and the rest of its message go.
    let input = [
        &long[..],
        b" {11+}\r\nA9 LOGOUT\r\n more {2+}\r\nxy\r\nA8 NOOP\r\n",
    ]
    .concat();
    let got = same_for_every_split(limits, &input, &mut always(Decision::Accept));
    assert_eq!(
        got,
        vec![
            Ev::TooBig {
                tag: Some(b"A7".to_vec()),
                what: TooBig::Line {
                    len: long.len() + b" {11+}\r\n".len()
                },
                literal: Some(non_sync(11)),
            },
            Ev::Message(b"A8 NOOP\r\n".to_vec()),
        ]
    );
    // A too-long line later in a message: the tag is the message's; no tag when the line has
    // none (or it is cut off in the line's head).
    let input = [
        &b"A6 LOGIN {2+}\r\nab "[..],
        &long,
        b"\r\n",
        &[b'T'; 80],
        b" NOOP\r\n* NOOP\r\n",
    ]
    .concat();
    let got = same_for_every_split(limits, &input, &mut always(Decision::Accept));
    assert_eq!(
        got,
        vec![
            announced(non_sync(2), b"A6 LOGIN {2+}\r\n"),
            Ev::TooBig {
                tag: Some(b"A6".to_vec()),
                what: TooBig::Line {
                    len: b" ".len() + long.len() + 2
                },
                literal: None,
            },
            Ev::TooBig {
                tag: None,
                what: TooBig::Line { len: 80 + 7 },
                literal: None,
            },
            Ev::Message(b"* NOOP\r\n".to_vec()),
        ]
    );
}

#[test]
fn too_long_literal_is_refused_without_asking() {
    let limits = FramerLimits {
        max_literal: 10,
        ..FramerLimits::default()
    };
    let input: &[u8] = b"A1 APPEND INBOX {11}\r\nA2 APPEND INBOX {11+}\r\nA9 LOGOUT\r\n\r\n\
A3 LOGIN {10}\r\n0123456789\r\nA4 NOOP\r\n";
    let got = same_for_every_split(limits, input, &mut always(Decision::Accept));
    assert_eq!(
        got,
        vec![
            Ev::TooBig {
                tag: Some(b"A1".to_vec()),
                what: TooBig::Literal { length: 11 },
                literal: Some(sync(11)),
            },
            Ev::TooBig {
                tag: Some(b"A2".to_vec()),
                what: TooBig::Literal { length: 11 },
                literal: Some(non_sync(11)),
            },
            announced(sync(10), b"A3 LOGIN {10}\r\n"),
            Ev::Message(b"A3 LOGIN {10}\r\n0123456789\r\n".to_vec()),
            Ev::Message(b"A4 NOOP\r\n".to_vec()),
        ]
    );
    // An absurd announcement saturates and is refused too.
    let got = same_for_every_split(
        limits,
        b"A5 X {99999999999999999999999}\r\nA6 NOOP\r\n",
        &mut always(Decision::Accept),
    );
    assert_eq!(
        got,
        vec![
            Ev::TooBig {
                tag: Some(b"A5".to_vec()),
                what: TooBig::Literal { length: u64::MAX },
                literal: Some(sync(u64::MAX)),
            },
            Ev::Message(b"A6 NOOP\r\n".to_vec()),
        ]
    );
}

#[test]
fn too_long_message() {
    let limits = FramerLimits {
        max_line: 64,
        max_literal: 1000,
        max_message: 40,
    };
    // Lines that add up past the limit; then a literal that does not fit inline (it may still
    // be streamed); accepting it anyway is refused and reported.
    let input: &[u8] = b"A1 LOGIN {3+}\r\nabc 0123456789012345678901234567890\r\n\
A2 APPEND INBOX {30}\r\nA3 APPEND INBOX {30}\r\n";
    let got = same_for_every_split(limits, input, &mut always(Decision::Accept));
    assert_eq!(
        got,
        vec![
            announced(non_sync(3), b"A1 LOGIN {3+}\r\n"),
            Ev::TooBig {
                tag: Some(b"A1".to_vec()),
                what: TooBig::Message {
                    len: 15 + 3 + 32 + 2,
                },
                literal: None,
            },
            Ev::Announced {
                header: sync(30),
                prefix: b"A2 APPEND INBOX {30}\r\n".to_vec(),
                continued: false,
                fits_inline: false,
            },
            Ev::AcceptFailed,
            Ev::TooBig {
                tag: Some(b"A2".to_vec()),
                what: TooBig::Message { len: 22 + 30 },
                literal: Some(sync(30)),
            },
            Ev::Announced {
                header: sync(30),
                prefix: b"A3 APPEND INBOX {30}\r\n".to_vec(),
                continued: false,
                fits_inline: false,
            },
            Ev::AcceptFailed,
            Ev::TooBig {
                tag: Some(b"A3".to_vec()),
                what: TooBig::Message { len: 22 + 30 },
                literal: Some(sync(30)),
            },
        ]
    );
    // The same literal streamed is fine, and a single line over the message limit (but within
    // the line limit) is too big as a message.
    let input: &[u8] = b"A2 APPEND INBOX {30}\r\n012345678901234567890123456789\r\n\
A4 0123456789012345678901234567890123456789\r\n";
    let got = same_for_every_split(limits, input, &mut always(Decision::Stream));
    assert_eq!(
        got,
        vec![
            Ev::Announced {
                header: sync(30),
                prefix: b"A2 APPEND INBOX {30}\r\n".to_vec(),
                continued: false,
                fits_inline: false,
            },
            Ev::Streamed(b"012345678901234567890123456789".to_vec()),
            Ev::MessageEnd(b"\r\n".to_vec()),
            Ev::TooBig {
                tag: Some(b"A4".to_vec()),
                what: TooBig::Message { len: 45 },
                literal: None,
            },
        ]
    );
}

/// A line that ends with a bare LF ends a line all the same; the assembled message has CRLF.
#[test]
fn bare_lf_line_ends_become_crlf() {
    let input: &[u8] = b"A1 LOGIN {3}\nbob {2+}\nab\nA2 NOOP\n";
    let got = same_for_every_split(
        FramerLimits::default(),
        input,
        &mut always(Decision::Accept),
    );
    assert_eq!(
        got,
        vec![
            announced(sync(3), b"A1 LOGIN {3}\r\n"),
            announced(non_sync(2), b"A1 LOGIN {3}\r\nbob {2+}\r\n"),
            Ev::Message(b"A1 LOGIN {3}\r\nbob {2+}\r\nab\r\n".to_vec()),
            Ev::Message(b"A2 NOOP\r\n".to_vec()),
        ]
    );
}

/// 50 MB APPEND streamed in 64 KiB reads: never held whole (the assembler holds at most one
/// read), every octet handed on once, in order, and the next command is read in step.
#[test]
fn fifty_megabyte_literal_is_streamed_in_bounded_memory() {
    const SIZE: usize = 50_000_000;
    const READ: usize = 64 * 1024;
    let mut asm = Assembler::new(FramerLimits::default());
    asm.feed(format!("A1 APPEND INBOX {{{SIZE}+}}\r\n").as_bytes());
    let Event::LiteralAnnounced {
        header,
        fits_inline,
        ..
    } = asm.next_event()
    else {
        panic!("no announcement");
    };
    assert_eq!((header, fits_inline), (non_sync(SIZE as u64), false));
    asm.stream().unwrap();
    let pattern = |i: usize| (i % 251) as u8;
    let mut sent = 0;
    let mut received = 0;
    let mut max_buffered = 0;
    let mut read = vec![0u8; READ];
    let mut tail_fed = false;
    let mut messages = Vec::new();
    loop {
        if sent < SIZE {
            let n = READ.min(SIZE - sent);
            for (k, b) in read[..n].iter_mut().enumerate() {
                *b = pattern(sent + k);
            }
            asm.feed(&read[..n]);
            sent += n;
        } else if !tail_fed {
            asm.feed(b"\r\nA2 NOOP\r\n");
            tail_fed = true;
        } else {
            break;
        }
        max_buffered = max_buffered.max(asm.buffered());
        loop {
            match asm.next_event() {
                Event::NeedInput => break,
                Event::LiteralChunk(bytes) => {
                    assert!(
                        bytes
                            .iter()
                            .enumerate()
                            .all(|(k, &b)| b == pattern(received + k)),
                        "octets out of order at {received}"
                    );
                    received += bytes.len();
                }
                Event::LiteralEnd => assert_eq!(received, SIZE),
                Event::MessageEnd(m) | Event::Message(m) => messages.push(m.to_vec()),
                other => panic!("{other:?}"),
            }
        }
        assert!(
            asm.buffered() <= 16,
            "{} held after draining",
            asm.buffered()
        );
    }
    assert_eq!(received, SIZE);
    assert!(max_buffered <= READ + 64, "{max_buffered} octets held");
    assert_eq!(messages, [&b"\r\n"[..], b"A2 NOOP\r\n"]);
}

#[test]
fn decisions_only_when_asked_and_announcement_repeats_until_decided() {
    let mut asm = Assembler::new(FramerLimits::default());
    assert_eq!(asm.accept(), Err(DecisionError::NoLiteralAnnounced));
    asm.feed(b"A1 LOGIN {3}\r\n");
    let first = format!("{:?}", asm.next_event());
    assert_eq!(format!("{:?}", asm.next_event()), first);
    assert!(first.contains("LiteralAnnounced"), "{first}");
    asm.accept().unwrap();
    assert_eq!(asm.accept(), Err(DecisionError::NoLiteralAnnounced));
    assert_eq!(asm.stream(), Err(DecisionError::NoLiteralAnnounced));
    assert_eq!(asm.refuse(), Err(DecisionError::NoLiteralAnnounced));
    assert_eq!(asm.next_event(), Event::NeedInput);
    asm.feed(b"bob\r\n");
    assert_eq!(asm.next_event(), Event::Message(b"A1 LOGIN {3}\r\nbob\r\n"));
    assert_eq!(asm.next_event(), Event::NeedInput);
    assert_eq!(asm.buffered(), 0);
}

/// After STARTTLS, whatever was pipelined behind it is dropped (CVE-2011-0411), in the middle
/// of a message or a literal alike.
#[test]
fn discard_drops_input_and_the_message_in_progress() {
    let mut asm = Assembler::new(FramerLimits::default());
    asm.feed(b"A1 STARTTLS\r\nA2 LOGIN {5+}\r\nab");
    assert_eq!(asm.next_event(), Event::Message(b"A1 STARTTLS\r\n"));
    assert_eq!(asm.discard(), b"A2 LOGIN {5+}\r\nab".len());
    assert_eq!(asm.buffered(), 0);
    asm.feed(b"A3 NOOP\r\n");
    assert_eq!(asm.next_event(), Event::Message(b"A3 NOOP\r\n"));
    asm.feed(b"A4 LOGIN {5+}\r\nab");
    assert!(matches!(asm.next_event(), Event::LiteralAnnounced { .. }));
    asm.accept().unwrap();
    assert_eq!(asm.next_event(), Event::NeedInput);
    assert!(asm.buffered() > 0);
    asm.discard();
    assert_eq!(asm.buffered(), 0);
    asm.feed(b"A5 NOOP\r\n");
    assert_eq!(asm.next_event(), Event::Message(b"A5 NOOP\r\n"));
}

/// A client reading responses: the server sends every literal at once, `{n}` or not, so one
/// over a limit or refused is read and dropped with the rest of its response (a later `{n}`
/// included), and the next response is read in step.
#[test]
fn responses_discard_refused_and_too_big_literals() {
    let limits = FramerLimits {
        max_line: 64,
        max_literal: 20,
        max_message: 40,
    };
    let input: &[u8] = b"* 1 FETCH (BODY[] {25}\r\n* 9 EXPUNGE\r\n0123456789ab)\r\n\
* 2 FETCH (BODY[] {18}\r\n* 8 EXPUNGE\r\n012345 BODY[1] {3}\r\nabc)\r\n\
a1 OK done\r\n";
    let mut decide = always(Decision::Refuse);
    let whole = run(&mut Assembler::for_responses(limits), &[input], &mut decide);
    assert_eq!(
        whole,
        vec![
            Ev::TooBig {
                tag: None,
                what: TooBig::Literal { length: 25 },
                literal: Some(sync(25)),
            },
            Ev::Announced {
                header: sync(18),
                prefix: b"* 2 FETCH (BODY[] {18}\r\n".to_vec(),
                continued: false,
                fits_inline: false,
            },
            Ev::Message(b"a1 OK done\r\n".to_vec()),
        ]
    );
    for cut in 0..=input.len() {
        let (a, b) = input.split_at(cut);
        let got = run(&mut Assembler::for_responses(limits), &[a, b], &mut decide);
        assert_eq!(got, whole, "cut at {cut}");
    }
}
