#![no_main]
//! libFuzzer entry point of the `answer` target (the body is `standin_fuzz::answer`).

libfuzzer_sys::fuzz_target!(|data: &[u8]| standin_fuzz::answer(data));
