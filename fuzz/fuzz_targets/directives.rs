#![no_main]
//! libFuzzer entry point of the `directives` target (the body is `standin_fuzz::directives`).

libfuzzer_sys::fuzz_target!(|data: &[u8]| standin_fuzz::directives(data));
