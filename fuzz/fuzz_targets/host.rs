//! Fuzz target `host`: see `eca_guard_fuzz::org_host` (fuzz/src/lib.rs).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| eca_guard_fuzz::org_host(data));
