#![no_main]
//! The mbox append journal (left torn by a crash) and the index's message locations: the checks
//! are in [`mailstore::fuzzing::mbox_journal`].
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| mailstore::fuzzing::mbox_journal(data));
