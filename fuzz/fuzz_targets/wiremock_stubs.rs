#![no_main]
//! libFuzzer entry point of the `wiremock_stubs` target (the body is `standin_fuzz::wiremock_stubs`).

libfuzzer_sys::fuzz_target!(|data: &[u8]| standin_fuzz::wiremock_stubs(data));
