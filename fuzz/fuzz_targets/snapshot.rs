//! Fuzz target `snapshot`: see `eca_guard_fuzz::snapshot` (fuzz/src/lib.rs).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| eca_guard_fuzz::snapshot(data));
