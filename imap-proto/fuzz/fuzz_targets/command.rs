//! Fuzz target: parse arbitrary bytes as a command. Whatever parses must encode to bytes that
//! parse to the same value (and encode identically again), and every strict prefix of what
//! was consumed must be incomplete. The streaming APPEND pieces and the IDLE `DONE` line
//! parse the same bytes without panicking.
#![no_main]

use imap_proto::command::{AppendHead, AppendNext, Command, IdleDone};
use imap_proto::{Encoder, LiteralStyle, ParseError};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = AppendHead::parse(data);
    let _ = AppendNext::parse(data);
    let _ = IdleDone::parse(data);
    let Ok((cmd, used)) = Command::parse(data) else {
        return;
    };
    assert!(used <= data.len());
    if used <= 512 {
        for n in 0..used {
            assert_eq!(
                Command::parse(&data[..n]),
                Err(ParseError::Incomplete),
                "prefix {n} of {:?}",
                String::from_utf8_lossy(&data[..used])
            );
        }
    }
    for style in [LiteralStyle::Sync, LiteralStyle::NonSync { max: None }] {
        let mut e = Encoder::new(style);
        e.set_utf8(true);
        cmd.encode(&mut e);
        let bytes = e.take();
        let (again, n) = Command::parse(&bytes).unwrap_or_else(|err| {
            panic!(
                "re-parse of {:?} failed: {err}",
                String::from_utf8_lossy(&bytes)
            )
        });
        assert_eq!(n, bytes.len());
        assert_eq!(again, cmd, "{:?}", String::from_utf8_lossy(&bytes));
        let mut e2 = Encoder::new(style);
        e2.set_utf8(true);
        again.encode(&mut e2);
        assert_eq!(e2.as_bytes(), &bytes[..]);
    }
});
