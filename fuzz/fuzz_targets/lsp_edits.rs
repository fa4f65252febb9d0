#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| archc_lsp::state::fuzz_edits(data));
