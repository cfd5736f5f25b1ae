//! Fuzz target `callback`: see `eca_guard_fuzz::callback_field` (fuzz/src/lib.rs).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| eca_guard_fuzz::callback_field(data));
