//! Tests of the framer and the assembler: RFC examples, every split, refusals in step, limits.

use fuzz_support::split;
use proptest::prelude::*;

use super::*;

/// What the caller decides for an announced literal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Decision {
    Accept,
    Stream,
    Refuse,
}

/// An [`Event`] owned, with a streamed literal's pieces joined (their cut depends on the feed).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Ev {
    Message(Vec<u8>),
    Announced {
        header: LiteralHeader,
        prefix: Vec<u8>,
        continued: bool,
        fits_inline: bool,
    },
    /// A streamed literal: its pieces, joined, at its [`Event::LiteralEnd`].
    Streamed(Vec<u8>),
    MessageEnd(Vec<u8>),
    TooBig {
        tag: Option<Vec<u8>>,
        what: TooBig,
        literal: Option<LiteralHeader>,
    },
    /// [`Assembler::accept`] refused a literal too big for the message.
    AcceptFailed,
}

/// Feeds `chunks` one after the other and takes every event after each, deciding on each
/// announcement with `decide` (given the announcement's index, from 0). Checks that nothing
/// but pieces of a streamed literal come between its announcement and its end, that no piece
/// is empty, and that `buffered()` stays within the limits whenever more input is needed.
fn run(
    asm: &mut Assembler,
    chunks: &[&[u8]],
    decide: &mut dyn FnMut(usize, &LiteralHeader, &[u8]) -> Decision,
) -> Vec<Ev> {
    let limits = asm.limits();
    let mut out = Vec::new();
    let mut streaming: Option<Vec<u8>> = None;
    let mut announced = 0;
    for chunk in chunks {
        asm.feed(chunk);
        loop {
            let decision = match asm.next_event() {
                Event::NeedInput => {
                    assert!(
                        asm.buffered() <= limits.max_line + limits.max_message,
                        "{} octets held",
                        asm.buffered()
                    );
                    break;
                }
                Event::LiteralChunk(bytes) => {
                    assert!(!bytes.is_empty(), "an empty piece");
                    streaming
                        .as_mut()
                        .expect("a piece outside a streamed literal")
                        .extend_from_slice(bytes);
                    None
                }
                Event::LiteralEnd => {
                    let bytes = streaming.take().expect("an end outside a streamed literal");
                    out.push(Ev::Streamed(bytes));
                    None
                }
                Event::Message(m) => {
                    assert!(streaming.is_none(), "a message inside a streamed literal");
                    out.push(Ev::Message(m.to_vec()));
                    None
                }
                Event::MessageEnd(m) => {
                    assert!(streaming.is_none(), "a message inside a streamed literal");
                    out.push(Ev::MessageEnd(m.to_vec()));
                    None
                }
                Event::TooBig { tag, what, literal } => {
                    assert!(streaming.is_none(), "a report inside a streamed literal");
                    out.push(Ev::TooBig {
                        tag: tag.map(<[u8]>::to_vec),
                        what,
                        literal,
                    });
                    None
                }
                Event::LiteralAnnounced {
                    header,
                    prefix,
                    continued,
                    fits_inline,
                } => {
                    assert!(
                        streaming.is_none(),
                        "an announcement inside a streamed literal"
                    );
                    let d = decide(announced, &header, prefix);
                    announced += 1;
                    out.push(Ev::Announced {
                        header,
                        prefix: prefix.to_vec(),
                        continued,
                        fits_inline,
                    });
                    Some(d)
                }
            };
            match decision {
                Some(Decision::Accept) => match asm.accept() {
                    Ok(()) => {}
                    Err(DecisionError::MessageTooLong) => out.push(Ev::AcceptFailed),
                    Err(e) => panic!("{e}"),
                },
                Some(Decision::Stream) => {
                    asm.stream().expect("a literal was announced");
                    streaming = Some(Vec::new());
                }
                Some(Decision::Refuse) => asm.refuse().expect("a literal was announced"),
                None => {}
            }
        }
    }
    if let Some(bytes) = streaming {
        out.push(Ev::Streamed(bytes));
    }
    out
}

fn sync(length: u64) -> LiteralHeader {
    LiteralHeader {
        length,
        synchronizing: true,
        binary: false,
    }
}

fn non_sync(length: u64) -> LiteralHeader {
    LiteralHeader {
        length,
        synchronizing: false,
        binary: false,
    }
}

fn announced(header: LiteralHeader, prefix: &[u8]) -> Ev {
    Ev::Announced {
        header,
        prefix: prefix.to_vec(),
        continued: false,
        fits_inline: true,
    }
}

fn always(d: Decision) -> impl FnMut(usize, &LiteralHeader, &[u8]) -> Decision {
    move |_, _, _| d
}

/// `input` fed whole, octet by octet and cut at every single place gives the same events.
fn same_for_every_split(
    limits: FramerLimits,
    input: &[u8],
    decide: &mut dyn FnMut(usize, &LiteralHeader, &[u8]) -> Decision,
) -> Vec<Ev> {
    let whole = run(&mut Assembler::new(limits), &[input], decide);
    let bytes = run(&mut Assembler::new(limits), &split(input, &[1]), decide);
    assert_eq!(bytes, whole, "octet by octet");
    for cut in 0..=input.len() {
        let (a, b) = input.split_at(cut);
        let got = run(&mut Assembler::new(limits), &[a, b], decide);
        assert_eq!(got, whole, "cut at {cut}");
    }
    whole
}

#[test]
fn announcements_are_recognised_only_at_the_end_of_a_line() {
    let b = |length, synchronizing, binary| {
        Some(LiteralHeader {
            length,
            synchronizing,
            binary,
        })
    };
    let table: &[(&[u8], Option<LiteralHeader>)] = &[
        (b"A1 LOGIN {5}", b(5, true, false)),
        (b"A1 LOGIN {5+}", b(5, false, false)),
        (b"A1 APPEND INBOX ~{5}", b(5, true, true)),
        (b"A1 APPEND INBOX ~{5+}", b(5, false, true)),
        (b"{0}", b(0, true, false)),
        (b"x {007}", b(7, true, false)),
        (b"x{5}", b(5, true, false)),
        (b"x {9223372036854775807}", b(i64::MAX as u64, true, false)),
        (b"x {18446744073709551615+}", b(u64::MAX, false, false)),
        (b"x {99999999999999999999999999}", b(u64::MAX, true, false)),
        (b"A1 LOGIN {5} x", None),
        (b"A1 LOGIN {5} ", None),
        (b"A1 LOGIN \"pass{5}\"", None),
        (b"x {}", None),
        (b"x {+}", None),
        (b"x {5-}", None),
        (b"x {5++}", None),
        (b"x { 5}", None),
        (b"x {5 }", None),
        (b"x {-5}", None),
        (b"x 5}", None),
        (b"}", None),
        (b"", None),
    ];
    for (line, want) in table {
        assert_eq!(
            LiteralHeader::at_end_of(line),
            *want,
            "{}",
            String::from_utf8_lossy(line)
        );
    }
}

#[test]
fn tag_of_takes_astring_chars_but_plus() {
    let table: &[(&[u8], Option<&[u8]>)] = &[
        (b"a001 NOOP\r\n", Some(b"a001")),
        (b"A1\r\n", Some(b"A1")),
        (b"A1", Some(b"A1")),
        (b"A1\n", Some(b"A1")),
        (b"x]y LOGIN", Some(b"x]y")),
        (b"~!#$&'-./:;<=>?@[^_`|} X", Some(b"~!#$&'-./:;<=>?@[^_`|}")),
        (b"+ idling\r\n", None),
        (b"a+1 NOOP", None),
        (b"* OK", None),
        (b"a%1 NOOP", None),
        (b"a(1 NOOP", None),
        (b"a{5}\r\n", None),
        (b"a\"1 NOOP", None),
        (b"a\\1 NOOP", None),
        (b" NOOP", None),
        (b"\r\n", None),
        (b"", None),
        (b"t\x01 NOOP", None),
        (b"t\xc3\xa9 NOOP", None),
        (b"t\x7f NOOP", None),
    ];
    for (line, want) in table {
        assert_eq!(tag_of(line), *want, "{}", String::from_utf8_lossy(line));
    }
}

/// RFC 9051 §6.3.12: the APPEND example (a synchronizing literal of 326 octets).
const RFC9051_APPEND_MESSAGE: &[u8] = b"Date: Mon, 7 Feb 1994 21:52:25 -0800 (PST)\r\n\
From: Fred Foobar <foobar@Blurdybloop.example>\r\n\
Subject: afternoon meeting\r\n\
To: mooch@owatagu.siam.edu.example\r\n\
Message-Id: <B27397-0100000@Blurdybloop.example>\r\n\
MIME-Version: 1.0\r\n\
Content-Type: TEXT/PLAIN; CHARSET=US-ASCII\r\n\
\r\n\
Hello Joe, do you think we can meet at 3:30 tomorrow?\r\n";

fn rfc9051_append() -> Vec<u8> {
    [
        &b"A003 APPEND saved-messages (\\Seen) {326}\r\n"[..],
        RFC9051_APPEND_MESSAGE,
        b"\r\n",
    ]
    .concat()
}

#[test]
fn rfc9051_append_accepted_inline() {
    assert_eq!(RFC9051_APPEND_MESSAGE.len(), 326);
    let input = rfc9051_append();
    let got = same_for_every_split(
        FramerLimits::default(),
        &input,
        &mut always(Decision::Accept),
    );
    assert_eq!(
        got,
        vec![
            announced(sync(326), b"A003 APPEND saved-messages (\\Seen) {326}\r\n"),
            Ev::Message(input.clone()),
        ]
    );
}

#[test]
fn rfc9051_append_streamed() {
    let input = [rfc9051_append(), b"A004 NOOP\r\n".to_vec()].concat();
    let got = same_for_every_split(
        FramerLimits::default(),
        &input,
        &mut always(Decision::Stream),
    );
    assert_eq!(
        got,
        vec![
            announced(sync(326), b"A003 APPEND saved-messages (\\Seen) {326}\r\n"),
            Ev::Streamed(RFC9051_APPEND_MESSAGE.to_vec()),
            Ev::MessageEnd(b"\r\n".to_vec()),
            Ev::Message(b"A004 NOOP\r\n".to_vec()),
        ]
    );
}

/// RFC 3502 §6: MULTIAPPEND, two messages in one command; both streamed, and the second
/// announcement's prefix is the text since the first literal.
#[test]
fn rfc3502_multiappend_streamed() {
    let first: &[u8] = b"Date: Mon, 7 Feb 1994 21:52:25 -0800 (PST)\r\n\
From: Fred Foobar <foobar@Blurdybloop.example.COM>\r\n\
Subject: afternoon meeting\r\n\
To: mooch@owatagu.example.net\r\n\
Message-Id: <B27397-0100000@Blurdybloop.example.COM>\r\n\
MIME-Version: 1.0\r\n\
Content-Type: TEXT/PLAIN; CHARSET=US-ASCII\r\n\
\r\n\
Hello Joe, do you think we can meet at 3:30 tomorrow?\r\n";
    let second: &[u8] = b"Date: Mon, 7 Feb 1994 22:43:04 -0800 (PST)\r\n\
From: Joe Mooch <mooch@OWaTaGu.example.net>\r\n\
Subject: Re: afternoon meeting\r\n\
To: foobar@blurdybloop.example.com\r\n\
Message-Id: <a0434793874930@OWaTaGu.example.net>\r\n\
MIME-Version: 1.0\r\n\
Content-Type: TEXT/PLAIN; CHARSET=US-ASCII\r\n\
\r\n\
3:30 is fine with me.\r\n";
    assert_eq!((first.len(), second.len()), (329, 295));
    let input = [
        &b"A003 APPEND saved-messages (\\Seen) {329}\r\n"[..],
        first,
        b" (\\Seen) \" 7-Feb-1994 22:43:04 -0800\" {295}\r\n",
        second,
        b"\r\n",
    ]
    .concat();
    let got = same_for_every_split(
        FramerLimits::default(),
        &input,
        &mut always(Decision::Stream),
    );
    assert_eq!(
        got,
        vec![
            announced(sync(329), b"A003 APPEND saved-messages (\\Seen) {329}\r\n"),
            Ev::Streamed(first.to_vec()),
            Ev::Announced {
                header: sync(295),
                prefix: b" (\\Seen) \" 7-Feb-1994 22:43:04 -0800\" {295}\r\n".to_vec(),
                continued: true,
                fits_inline: true,
            },
            Ev::Streamed(second.to_vec()),
            Ev::MessageEnd(b"\r\n".to_vec()),
        ]
    );
}

/// RFC 3501 §7.5 (RFC 9051 §7.5): LOGIN with two synchronizing literals; RFC 7888 §3: the same
/// with non-synchronizing ones. Both assemble to one message.
#[test]
fn login_with_literals_sync_and_literal_plus() {
    for (input, headers) in [
        (
            &b"A001 LOGIN {11}\r\nFRED FOOBAR {7}\r\nfat man\r\n"[..],
            [sync(11), sync(7)],
        ),
        (
            b"A001 LOGIN {11+}\r\nFRED FOOBAR {7+}\r\nfat man\r\n",
            [non_sync(11), non_sync(7)],
        ),
    ] {
        let got = same_for_every_split(
            FramerLimits::default(),
            input,
            &mut always(Decision::Accept),
        );
        let first_line = input.iter().position(|&b| b == b'\n').unwrap() + 1;
        let after_literal = first_line + 11;
        let second_end = after_literal
            + input[after_literal..]
                .iter()
                .position(|&b| b == b'\n')
                .unwrap()
            + 1;
        assert_eq!(
            got,
            vec![
                announced(headers[0], &input[..first_line]),
                announced(headers[1], &input[..second_end]),
                Ev::Message(input.to_vec()),
            ],
            "{}",
            String::from_utf8_lossy(input)
        );
        // With LITERAL+ auto-accepted, the non-synchronizing form needs no decision at all.
        let mut asm = Assembler::new(FramerLimits::default());
        asm.set_auto_accept(AutoAccept::NonSynchronizingUpTo(4096));
        let got = run(&mut asm, &[input], &mut always(Decision::Refuse));
        if headers[0].synchronizing {
            assert!(matches!(got[0], Ev::Announced { .. }), "{got:?}");
        } else {
            assert_eq!(got, vec![Ev::Message(input.to_vec())]);
        }
    }
}

/// RFC 3516 §4.1 literal8 in an APPEND (binary content with NUL and bare CR/LF), synchronizing
/// and non-synchronizing.
#[test]
fn binary_literal8_append() {
    let content: Vec<u8> = (0u8..=255).chain([0, b'\r', b'\n', b'\n', 0]).collect();
    for plus in ["", "+"] {
        let head = format!(
            "A5 APPEND Drafts (\\Draft) ~{{{}{plus}}}\r\n",
            content.len()
        );
        let input = [head.as_bytes(), &content, b"\r\n"].concat();
        let got = same_for_every_split(
            FramerLimits::default(),
            &input,
            &mut always(Decision::Accept),
        );
        let header = LiteralHeader {
            length: content.len() as u64,
            synchronizing: plus.is_empty(),
            binary: true,
        };
        assert_eq!(
            got,
            vec![
                announced(header, head.as_bytes()),
                Ev::Message(input.clone())
            ]
        );
    }
}

/// A server response with a literal (RFC 3501 §8 sample session: `a004 fetch 12 body[header]`),
/// read by a client that accepts response literals without a decision.
#[test]
fn fetch_response_with_literal_read_by_a_client() {
    let header: &[u8] = b"Date: Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\r\n\
From: Terry Gray <gray@cac.washington.edu>\r\n\
Subject: IMAP4rev1 WG mtg summary and minutes\r\n\
To: imap@cac.washington.edu\r\n\
cc: minutes@CNRI.Reston.VA.US, John Klensin <KLENSIN@MIT.EDU>\r\n\
Message-Id: <B27397-0100000@cac.washington.edu>\r\n\
MIME-Version: 1.0\r\n\
Content-Type: TEXT/PLAIN; CHARSET=US-ASCII\r\n\
\r\n";
    assert_eq!(header.len(), 342);
    let response = [&b"* 12 FETCH (BODY[HEADER] {342}\r\n"[..], header, b")\r\n"].concat();
    let input = [&response[..], b"a004 OK FETCH completed\r\n"].concat();
    for cut in 0..=input.len() {
        let mut asm = Assembler::new(FramerLimits::default());
        asm.set_auto_accept(AutoAccept::AllUpTo(1 << 20));
        let (a, b) = input.split_at(cut);
        let got = run(&mut asm, &[a, b], &mut always(Decision::Refuse));
        assert_eq!(
            got,
            vec![
                Ev::Message(response.clone()),
                Ev::Message(b"a004 OK FETCH completed\r\n".to_vec()),
            ],
            "cut at {cut}"
        );
    }
    // Over the auto-accept bound, the client is asked (and may stream a large BODY[]).
    let mut asm = Assembler::new(FramerLimits::default());
    asm.set_auto_accept(AutoAccept::AllUpTo(100));
    let got = run(&mut asm, &[&input], &mut always(Decision::Stream));
    assert_eq!(
        got,
        vec![
            announced(sync(342), b"* 12 FETCH (BODY[HEADER] {342}\r\n"),
            Ev::Streamed(header.to_vec()),
            Ev::MessageEnd(b")\r\n".to_vec()),
            Ev::Message(b"a004 OK FETCH completed\r\n".to_vec()),
        ]
    );
}

/// A literal's octets are never taken for lines or announcements, whatever they hold.
#[test]
fn literal_octets_are_not_lines() {
    let input: &[u8] = b"A1 LOGIN {12+}\r\nA2 LOGOUT\r\n {3}\r\nabc\r\nA3 NOOP\r\n";
    let got = same_for_every_split(
        FramerLimits::default(),
        input,
        &mut always(Decision::Accept),
    );
    assert_eq!(
        got,
        vec![
            announced(non_sync(12), b"A1 LOGIN {12+}\r\n"),
            announced(sync(3), b"A1 LOGIN {12+}\r\nA2 LOGOUT\r\n {3}\r\n"),
            Ev::Message(b"A1 LOGIN {12+}\r\nA2 LOGOUT\r\n {3}\r\nabc\r\n".to_vec()),
            Ev::Message(b"A3 NOOP\r\n".to_vec()),
        ]
    );
}

#[test]
fn empty_literals() {
    let input: &[u8] = b"A1 LOGIN {0}\r\n {0+}\r\n\r\nA2 NOOP\r\n";
    for decision in [Decision::Accept, Decision::Stream] {
        let got = same_for_every_split(FramerLimits::default(), input, &mut always(decision));
        let want = match decision {
            Decision::Accept => vec![
                announced(sync(0), b"A1 LOGIN {0}\r\n"),
                announced(non_sync(0), b"A1 LOGIN {0}\r\n {0+}\r\n"),
                Ev::Message(b"A1 LOGIN {0}\r\n {0+}\r\n\r\n".to_vec()),
                Ev::Message(b"A2 NOOP\r\n".to_vec()),
            ],
            _ => vec![
                announced(sync(0), b"A1 LOGIN {0}\r\n"),
                Ev::Streamed(Vec::new()),
                Ev::Announced {
                    header: non_sync(0),
                    prefix: b" {0+}\r\n".to_vec(),
                    continued: true,
                    fits_inline: true,
                },
                Ev::Streamed(Vec::new()),
                Ev::MessageEnd(b"\r\n".to_vec()),
                Ev::Message(b"A2 NOOP\r\n".to_vec()),
            ],
        };
        assert_eq!(got, want, "{decision:?}");
    }
    // A refused `{0+}` is discarded (nothing to read) with the rest of its message.
    let got = same_for_every_split(
        FramerLimits::default(),
        b"A1 X {0+}\r\n more\r\nA2 NOOP\r\n",
        &mut always(Decision::Refuse),
    );
    assert_eq!(
        got,
        vec![
            announced(non_sync(0), b"A1 X {0+}\r\n"),
            Ev::Message(b"A2 NOOP\r\n".to_vec()),
        ]
    );
}

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

/// The fragment layer: lines, literal pieces as they come, over-long lines with their tag.
#[test]
fn framer_fragments() {
    let mut f = Framer::new(FramerLimits {
        max_line: 32,
        ..FramerLimits::default()
    });
    f.feed(b"A1 APPEND INBOX {10+}\r\n0123");
    assert_eq!(
        f.next_fragment(),
        Fragment::Line {
            bytes: b"A1 APPEND INBOX {10+}",
            literal: Some(non_sync(10)),
        }
    );
    assert_eq!(
        f.next_fragment(),
        Fragment::Literal {
            bytes: b"0123",
            remaining: 6,
        }
    );
    assert_eq!(f.next_fragment(), Fragment::Incomplete);
    assert_eq!(f.literal_remaining(), Some(6));
    f.feed(b"456789\r\nA2 LOGIN {4}\r\nA3 ");
    assert_eq!(
        f.next_fragment(),
        Fragment::Literal {
            bytes: b"456789",
            remaining: 0,
        }
    );
    assert_eq!(
        f.next_fragment(),
        Fragment::Line {
            bytes: b"",
            literal: None
        }
    );
    assert_eq!(
        f.next_fragment(),
        Fragment::Line {
            bytes: b"A2 LOGIN {4}",
            literal: Some(sync(4)),
        }
    );
    // Refused: the client will not send it.
    assert_eq!(f.cancel_literal(), Some(4));
    assert_eq!(f.cancel_literal(), None);
    f.feed(&[b'x'; 40]);
    f.feed(b" {2}\r\nA4 NOOP\r\n");
    assert_eq!(
        f.next_fragment(),
        Fragment::LineTooLong {
            len: 3 + 40 + 6,
            tag: Some(b"A3"),
            literal: Some(sync(2)),
        }
    );
    assert_eq!(f.cancel_literal(), Some(2));
    assert_eq!(
        f.next_fragment(),
        Fragment::Line {
            bytes: b"A4 NOOP",
            literal: None
        }
    );
    // A tag that may run past the line's kept head is not reported.
    f.feed(&[b'T'; 200]);
    f.feed(b"\r\n");
    assert_eq!(
        f.next_fragment(),
        Fragment::LineTooLong {
            len: 202,
            tag: None,
            literal: None,
        }
    );
    f.feed(b"{0}\r\nA5");
    assert_eq!(
        f.next_fragment(),
        Fragment::Line {
            bytes: b"{0}",
            literal: Some(sync(0)),
        }
    );
    assert_eq!(
        f.next_fragment(),
        Fragment::Literal {
            bytes: b"",
            remaining: 0,
        }
    );
    assert_eq!(f.next_fragment(), Fragment::Incomplete);
    assert_eq!(f.buffered(), 2);
    assert_eq!(f.discard(), 2);
}

/// One generated message: its first line's text, then literals, each followed by more text.
#[derive(Debug, Clone)]
struct GenMessage {
    first: Vec<u8>,
    literals: Vec<GenLiteral>,
}

#[derive(Debug, Clone)]
struct GenLiteral {
    content: Vec<u8>,
    synchronizing: bool,
    binary: bool,
    after: Vec<u8>,
}

/// Text of a line: anything but CR and LF, often IMAP's specials; never ending with what looks
/// like an announcement (a `.` is added).
fn text() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(
        prop_oneof![
            4 => Just(b'a'),
            2 => Just(b' '),
            1 => Just(b'{'),
            1 => Just(b'}'),
            1 => Just(b'+'),
            1 => Just(b'~'),
            1 => Just(b'3'),
            1 => Just(b'"'),
        ],
        0..12,
    )
    .prop_map(|mut t| {
        if LiteralHeader::at_end_of(&t).is_some() {
            t.push(b'.');
        }
        t
    })
}

fn literal() -> impl Strategy<Value = GenLiteral> {
    (
        proptest::collection::vec(
            prop_oneof![
                Just(b'x'),
                Just(b'\r'),
                Just(b'\n'),
                Just(b'{'),
                Just(b'}'),
                Just(b'1'),
                Just(0u8)
            ],
            0..20,
        ),
        any::<bool>(),
        any::<bool>(),
        text(),
    )
        .prop_map(|(content, synchronizing, binary, after)| GenLiteral {
            content,
            synchronizing,
            binary,
            after,
        })
}

fn message() -> impl Strategy<Value = GenMessage> {
    (text(), proptest::collection::vec(literal(), 0..4))
        .prop_map(|(first, literals)| GenMessage { first, literals })
}

/// What a conforming peer sends for `messages` given the receiver's decisions (it sends no
/// literal, nor anything more of the message, after a refused synchronizing one; after a refused
/// non-synchronizing one it has sent on up to its next synchronizing announcement), and the
/// events the assembler must give.
fn model(messages: &[GenMessage], decisions: &[Decision]) -> (Vec<u8>, Vec<Ev>) {
    let mut stream = Vec::new();
    let mut events = Vec::new();
    let mut k = 0;
    for m in messages {
        let mut msg = m.first.clone();
        let mut continued = false;
        let mut discarding = false;
        stream.extend_from_slice(&m.first);
        let mut ended = false;
        for lit in &m.literals {
            let ann = format!(
                " {}{{{}{}}}",
                if lit.binary { "~" } else { "" },
                lit.content.len(),
                if lit.synchronizing { "" } else { "+" }
            );
            stream.extend_from_slice(ann.as_bytes());
            stream.extend_from_slice(b"\r\n");
            msg.extend_from_slice(ann.as_bytes());
            msg.extend_from_slice(b"\r\n");
            let header = LiteralHeader {
                length: lit.content.len() as u64,
                synchronizing: lit.synchronizing,
                binary: lit.binary,
            };
            if discarding {
                if lit.synchronizing {
                    ended = true;
                    break;
                }
                stream.extend_from_slice(&lit.content);
                stream.extend_from_slice(&lit.after);
                continue;
            }
            let d = decisions[k % decisions.len()];
            k += 1;
            events.push(Ev::Announced {
                header,
                prefix: msg.clone(),
                continued,
                fits_inline: true,
            });
            match d {
                Decision::Accept => {
                    stream.extend_from_slice(&lit.content);
                    msg.extend_from_slice(&lit.content);
                }
                Decision::Stream => {
                    stream.extend_from_slice(&lit.content);
                    events.push(Ev::Streamed(lit.content.clone()));
                    msg.clear();
                    continued = true;
                }
                Decision::Refuse if lit.synchronizing => {
                    ended = true;
                    break;
                }
                Decision::Refuse => {
                    stream.extend_from_slice(&lit.content);
                    discarding = true;
                }
            }
            stream.extend_from_slice(&lit.after);
            msg.extend_from_slice(&lit.after);
        }
        if !ended {
            stream.extend_from_slice(b"\r\n");
            msg.extend_from_slice(b"\r\n");
            if !discarding {
                events.push(if continued {
                    Ev::MessageEnd(msg)
                } else {
                    Ev::Message(msg)
                });
            }
        }
    }
    (stream, events)
}

/// What the small-limits property test builds its input from.
const PIECES: &[&[u8]] = &[
    b"a",
    b" ",
    b"\r\n",
    b"\n",
    b"{3}",
    b"{2+}",
    b"~{1}",
    b"{40}",
    b"{0+}",
    b"A1 ",
    b"xxxxxxxxxx",
];

proptest! {
    /// Any messages, any decisions, any split: the events are the model's, and the assembler
    /// never holds more than its limits.
    #[test]
    fn any_messages_any_decisions_any_split(
        messages in proptest::collection::vec(message(), 1..5),
        decisions in proptest::collection::vec(
            prop_oneof![Just(Decision::Accept), Just(Decision::Stream), Just(Decision::Refuse)],
            1..6,
        ),
        sizes in proptest::collection::vec(any::<u8>(), 0..6),
    ) {
        let (stream, want) = model(&messages, &decisions);
        let mut decide = |k: usize, _: &LiteralHeader, _: &[u8]| decisions[k % decisions.len()];
        let limits = FramerLimits::default();
        let whole = run(&mut Assembler::new(limits), &[&stream], &mut decide);
        prop_assert_eq!(&whole, &want);
        let cut = run(&mut Assembler::new(limits), &split(&stream, &sizes), &mut decide);
        prop_assert_eq!(&cut, &want);
    }

    /// With small limits and random input, any split gives the same events and nothing panics.
    #[test]
    fn small_limits_any_split_same_events(
        input in proptest::collection::vec(
            proptest::sample::select(PIECES),
            0..40,
        ),
        decisions in proptest::collection::vec(
            prop_oneof![Just(Decision::Accept), Just(Decision::Stream), Just(Decision::Refuse)],
            1..6,
        ),
        sizes in proptest::collection::vec(any::<u8>(), 0..6),
    ) {
        let stream = input.concat();
        let limits = FramerLimits { max_line: 20, max_literal: 30, max_message: 24 };
        let mut decide = |k: usize, _: &LiteralHeader, _: &[u8]| decisions[k % decisions.len()];
        let whole = run(&mut Assembler::new(limits), &[&stream], &mut decide);
        let cut = run(&mut Assembler::new(limits), &split(&stream, &sizes), &mut decide);
        prop_assert_eq!(&cut, &whole);
        let bytes = run(&mut Assembler::new(limits), &split(&stream, &[1]), &mut decide);
        prop_assert_eq!(&bytes, &whole);
    }
}
