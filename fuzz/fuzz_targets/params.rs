#![no_main]
//! libFuzzer entry point of the `params` target (the body is `standin_fuzz::params`).

libfuzzer_sys::fuzz_target!(|data: &[u8]| standin_fuzz::params(data));
