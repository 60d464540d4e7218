#![no_main]
//! Fuzzes the command-line parser: no panic on any line; a parsed command written back and
//! parsed again gives the same command, on a line no longer than the input.
use libfuzzer_sys::fuzz_target;
use pop3_proto::parse::command::parse_command;

fuzz_target!(|line: &[u8]| {
    let Ok(cmd) = parse_command(line) else {
        return;
    };
    let wire = cmd.to_bytes();
    assert!(wire.len() <= line.len() + 2, "{cmd:?} grew");
    let again = parse_command(&wire[..wire.len() - 2]).expect("written command parses");
    assert_eq!(again, cmd);
});
