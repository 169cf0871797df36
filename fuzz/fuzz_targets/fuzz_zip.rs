#![no_main]
//! ZIP archives, members recursing through format detection.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    vakt_scan_fuzz::run(None, "a.zip", data);
});
