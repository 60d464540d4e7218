#![no_main]
//! The mbox scanner on arbitrary files (mboxes written by mutt, Dovecot, procmail...): the
//! checks are in [`mailstore::fuzzing::mbox_scan`].
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| mailstore::fuzzing::mbox_scan(data));
