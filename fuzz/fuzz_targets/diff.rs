#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| archc::fuzzing::diff(data));
