//! Fuzz target `tokens`: see `eca_guard_fuzz::pairing::tokens` (fuzz/src/pairing.rs).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| eca_guard_fuzz::pairing::tokens(data));
