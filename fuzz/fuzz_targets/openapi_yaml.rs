#![no_main]
//! libFuzzer entry point of the `openapi_yaml` target (the body is `standin_fuzz::openapi_yaml`).

libfuzzer_sys::fuzz_target!(|data: &[u8]| standin_fuzz::openapi_yaml(data));
