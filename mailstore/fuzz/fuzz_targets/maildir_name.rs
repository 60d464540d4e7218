#![no_main]
//! Maildir file names (`,S=`/`,W=` sizes, `:2,` flags) with Dovecot's `dovecot-keywords`
//! letters: the checks are in [`mailstore::fuzzing::maildir_name`].
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| mailstore::fuzzing::maildir_name(data));
