#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| respsig_fuzz::state(data));
