#![no_main]
//! Fuzzes the IMAP message assembler (`imap_proto::framing`) with random limits, feeds and
//! decisions.
//!
//! Input: byte 0 the line limit (2 to 257), byte 1 the literal limit (0 to 255), byte 2 the
//! message limit (0 to 255, times 2), byte 3 the auto-accept mode (mod 3, bound byte 3 / 3);
//! byte 4 the number of split sizes that follow (mod 16), each one byte, and with its top bit
//! set, the assembler reads responses ([`Assembler::for_responses`]); then the number of
//! decisions (mod 8, at least one), each one byte (mod 3: accept, stream, refuse, taken in turn
//! at each announcement); the rest is the stream.
//!
//! Checks: no panic; a streamed literal hands on exactly its announced length; no empty piece;
//! announcements and reports agree with the limits (`fits_inline`, a `TooBig` breaks the limit
//! it names); messages end with CRLF and fit the message limit; while input is awaited the
//! assembler holds no more than its limits; and the same events come out for the whole stream,
//! for its split and octet by octet.
use fuzz_support::split;
use imap_proto::framing::{
    Assembler, AutoAccept, DecisionError, Event, FramerLimits, LiteralHeader, TooBig,
};
use libfuzzer_sys::fuzz_target;

/// An event, owned, a streamed literal's pieces joined.
#[derive(Debug, PartialEq, Eq)]
enum Ev {
    Message(Vec<u8>),
    MessageEnd(Vec<u8>),
    Announced(LiteralHeader, Vec<u8>, bool, bool),
    Streamed(Vec<u8>),
    TooBig(Option<Vec<u8>>, TooBig, Option<LiteralHeader>),
    AcceptFailed,
}

fn run(
    limits: FramerLimits,
    responses: bool,
    auto: AutoAccept,
    chunks: &[&[u8]],
    decisions: &[u8],
) -> Vec<Ev> {
    let mut asm = if responses {
        Assembler::for_responses(limits)
    } else {
        Assembler::new(limits)
    };
    asm.set_auto_accept(auto);
    let mut out = Vec::new();
    // The streamed literal in progress: its announced length and the octets so far.
    let mut streaming: Option<(u64, Vec<u8>)> = None;
    let mut announced = 0usize;
    for chunk in chunks {
        asm.feed(chunk);
        loop {
            let decision = match asm.next_event() {
                Event::NeedInput => {
                    assert!(
                        asm.buffered() <= limits.max_line.max(2) + limits.max_message,
                        "{} octets held with limits {limits:?}",
                        asm.buffered()
                    );
                    break;
                }
                Event::LiteralChunk(bytes) => {
                    assert!(!bytes.is_empty(), "an empty piece");
                    let (length, got) = streaming.as_mut().expect("a piece outside a literal");
                    got.extend_from_slice(bytes);
                    assert!(got.len() as u64 <= *length, "more than announced");
                    continue;
                }
                Event::LiteralEnd => {
                    let (length, got) = streaming.take().expect("an end outside a literal");
                    assert_eq!(got.len() as u64, length, "streamed octets != announced");
                    out.push(Ev::Streamed(got));
                    continue;
                }
                Event::Message(m) | Event::MessageEnd(m) if streaming.is_some() => {
                    panic!("a message inside a streamed literal: {m:?}")
                }
                Event::Message(m) => {
                    assert!(m.ends_with(b"\r\n") && m.len() <= limits.max_message);
                    out.push(Ev::Message(m.to_vec()));
                    continue;
                }
                Event::MessageEnd(m) => {
                    assert!(m.ends_with(b"\r\n") && m.len() <= limits.max_message);
                    out.push(Ev::MessageEnd(m.to_vec()));
                    continue;
                }
                Event::TooBig { tag, what, literal } => {
                    assert!(streaming.is_none(), "a report inside a streamed literal");
                    match what {
                        TooBig::Line { len } => assert!(len > limits.max_line),
                        TooBig::Literal { length } => {
                            assert!(length > limits.max_literal);
                            assert_eq!(literal.map(|h| h.length), Some(length));
                        }
                        TooBig::Message { len } => assert!(len > limits.max_message as u64),
                    }
                    if let Some(tag) = tag {
                        assert!(!tag.is_empty() && imap_proto::framing::tag_of(tag) == Some(tag));
                    }
                    out.push(Ev::TooBig(tag.map(<[u8]>::to_vec), what, literal));
                    continue;
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
                    assert!(header.length <= limits.max_literal);
                    assert!(prefix.ends_with(b"}\r\n") && prefix.len() <= limits.max_message);
                    assert_eq!(
                        fits_inline,
                        prefix.len() as u64 + header.length <= limits.max_message as u64
                    );
                    let d = decisions[announced % decisions.len()] % 3;
                    announced += 1;
                    out.push(Ev::Announced(
                        header,
                        prefix.to_vec(),
                        continued,
                        fits_inline,
                    ));
                    (d, header)
                }
            };
            match decision {
                (0, _) => match asm.accept() {
                    Ok(()) => {}
                    Err(DecisionError::MessageTooLong) => out.push(Ev::AcceptFailed),
                    Err(e) => panic!("{e}"),
                },
                (1, header) => {
                    asm.stream().expect("announced");
                    streaming = Some((header.length, Vec::new()));
                }
                _ => asm.refuse().expect("announced"),
            }
        }
    }
    if let Some((_, got)) = streaming {
        out.push(Ev::Streamed(got));
    }
    out
}

fuzz_target!(|data: &[u8]| {
    let [line, literal, message, auto, n, rest @ ..] = data else {
        return;
    };
    let limits = FramerLimits {
        max_line: usize::from(*line) + 2,
        max_literal: u64::from(*literal),
        max_message: usize::from(*message) * 2,
    };
    let auto = match auto % 3 {
        0 => AutoAccept::Never,
        1 => AutoAccept::NonSynchronizingUpTo(u64::from(auto / 3)),
        _ => AutoAccept::AllUpTo(u64::from(auto / 3)),
    };
    let (sizes, rest) = rest.split_at(usize::from(n % 16).min(rest.len()));
    let Some((count, rest)) = rest.split_first() else {
        return;
    };
    let (decisions, stream) = rest.split_at(usize::from(count % 8).max(1).min(rest.len()));
    if decisions.is_empty() {
        return;
    }
    let responses = n & 0x80 != 0;
    let whole = run(limits, responses, auto, &[stream], decisions);
    assert_eq!(
        run(limits, responses, auto, &split(stream, sizes), decisions),
        whole,
        "split-invariance"
    );
    assert_eq!(
        run(limits, responses, auto, &split(stream, &[1]), decisions),
        whole,
        "octet by octet"
    );
});
