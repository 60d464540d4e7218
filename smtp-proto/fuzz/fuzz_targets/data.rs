#![no_main]
//! Placeholder fuzz target, filled by its owner.
use libfuzzer_sys::fuzz_target;
fuzz_target!(|data: &[u8]| {
    let _ = data;
});
