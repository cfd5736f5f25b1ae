//! Fuzz target `pack`: see `eca_guard_fuzz::custom_pack` (fuzz/src/lib.rs).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| eca_guard_fuzz::custom_pack(data));
