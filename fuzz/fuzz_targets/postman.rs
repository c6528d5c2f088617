#![no_main]
//! libFuzzer entry point of the `postman` target (the body is `standin_fuzz::postman`).

libfuzzer_sys::fuzz_target!(|data: &[u8]| standin_fuzz::postman(data));
