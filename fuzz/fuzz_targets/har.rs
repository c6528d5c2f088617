#![no_main]
//! libFuzzer entry point of the `har` target (the body is `standin_fuzz::har`).

libfuzzer_sys::fuzz_target!(|data: &[u8]| standin_fuzz::har(data));
