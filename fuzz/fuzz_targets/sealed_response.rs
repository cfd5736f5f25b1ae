//! Fuzz target `sealed_response`: see `eca_guard_fuzz::pairing::sealed_response` (fuzz/src/pairing.rs).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| eca_guard_fuzz::pairing::sealed_response(data));
