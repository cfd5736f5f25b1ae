//! Fuzz target `request_body`: see `eca_guard_fuzz::pairing::request_body` (fuzz/src/pairing.rs).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| eca_guard_fuzz::pairing::request_body(data));
