//! Fuzz target `config`: see `eca_guard_fuzz::config` (fuzz/src/lib.rs).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| eca_guard_fuzz::config(data));
