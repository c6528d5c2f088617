#![no_main]
//! libFuzzer entry point of the `mockoon_env` target (the body is `standin_fuzz::mockoon_env`).

libfuzzer_sys::fuzz_target!(|data: &[u8]| standin_fuzz::mockoon_env(data));
