//! Property tests: any messages, decisions and splits against a model of a conforming peer.

use super::*;

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

/// What a conforming peer sends for `messages` given the receiver's decisions, and the events
/// the assembler must give. A client sends no literal, nor anything more of the command, after
/// a refused synchronizing one; after a refused non-synchronizing one it has sent on up to its
/// next synchronizing announcement. A server (`responses`) sends everything.
fn model(messages: &[GenMessage], decisions: &[Decision], responses: bool) -> (Vec<u8>, Vec<Ev>) {
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
                mode: if lit.synchronizing {
                    LiteralMode::Sync
                } else {
                    LiteralMode::NonSync
                },
                binary: lit.binary,
            };
            // The peer waits for a `+` (commands only).
            let waits = lit.synchronizing && !responses;
            if discarding {
                if waits {
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
                Decision::Refuse if waits => {
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
        responses in any::<bool>(),
    ) {
        let (stream, want) = model(&messages, &decisions, responses);
        let mut decide = |k: usize, _: &LiteralHeader, _: &[u8]| decisions[k % decisions.len()];
        let limits = FramerLimits::default();
        let new = || {
            let mut asm = if responses {
                Assembler::for_responses(limits)
            } else {
                Assembler::new(limits)
            };
            asm.set_auto_accept(AutoAccept::Never);
            asm
        };
        let whole = run(&mut new(), &[&stream], &mut decide);
        prop_assert_eq!(&whole, &want);
        let cut = run(&mut new(), &split(&stream, &sizes), &mut decide);
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
