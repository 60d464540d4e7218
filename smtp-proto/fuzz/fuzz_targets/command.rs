//! Fuzz target: parse arbitrary bytes as a command line; whatever parses must build back to a
//! line that parses to the same value, and build identically the second time.
#![no_main]

use libfuzzer_sys::fuzz_target;
use smtp_proto::parse::command::parse_command;

fuzz_target!(|data: &[u8]| {
    let Ok(cmd) = parse_command(data) else {
        return;
    };
    let mut line = Vec::new();
    cmd.write_to(&mut line);
    assert!(line.ends_with(b"\r\n"));
    let body = &line[..line.len() - 2];
    let again = parse_command(body).unwrap_or_else(|e| {
        panic!(
            "re-parse of {:?} failed: {e}",
            String::from_utf8_lossy(body)
        )
    });
    assert_eq!(again, cmd, "{:?}", String::from_utf8_lossy(body));
    let mut line2 = Vec::new();
    again.write_to(&mut line2);
    assert_eq!(line, line2);
});
