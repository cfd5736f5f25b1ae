//! Fuzz target `metadata`: see `eca_guard_fuzz::metadata_file` (fuzz/src/lib.rs).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| eca_guard_fuzz::metadata_file(data));
