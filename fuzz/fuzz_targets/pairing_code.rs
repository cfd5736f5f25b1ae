//! Fuzz target `pairing_code`: see `eca_guard_fuzz::pairing::pairing_code` (fuzz/src/pairing.rs).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| eca_guard_fuzz::pairing::pairing_code(data));
