#![no_main]
//! libFuzzer entry point of the `openapi_json` target (the body is `standin_fuzz::openapi_json`).

libfuzzer_sys::fuzz_target!(|data: &[u8]| standin_fuzz::openapi_json(data));
