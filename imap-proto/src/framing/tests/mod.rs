//! Tests of the framer and the assembler: the shared driver and the token tables here; RFC
//! examples in `rfc`, refusals and limits in `limits`, property tests against a model in `props`.

mod limits;
mod props;
mod rfc;

use fuzz_support::split;
use proptest::prelude::*;

use super::*;
use crate::token::LiteralMode;

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
        mode: LiteralMode::Sync,
        binary: false,
    }
}

fn non_sync(length: u64) -> LiteralHeader {
    LiteralHeader {
        length,
        mode: LiteralMode::NonSync,
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
    let b = |length, synchronizing: bool, binary| {
        Some(LiteralHeader {
            length,
            mode: if synchronizing {
                LiteralMode::Sync
            } else {
                LiteralMode::NonSync
            },
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
        (b"x {5-}", b(5, false, false)),
        (b"x ~{5-}", b(5, false, true)),
        (b"x {5+-}", None),
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
    // The default framer uses the default limits: a line of 8192 octets (RFC 7162 §4) is
    // a line, one of 64 KiB plus one is not.
    let mut f = Framer::default();
    let line = vec![b'a'; 8190];
    f.feed(&line);
    f.feed(b"\r\n");
    assert_eq!(
        f.next_fragment(),
        Fragment::Line {
            bytes: &line[..],
            literal: None
        }
    );
    f.feed(&vec![b'a'; 64 * 1024 - 1]);
    f.feed(b"\r\n");
    assert_eq!(
        f.next_fragment(),
        Fragment::LineTooLong {
            len: 64 * 1024 + 1,
            tag: None,
            literal: None
        }
    );
    assert_eq!(Assembler::default().limits(), FramerLimits::default());
}
