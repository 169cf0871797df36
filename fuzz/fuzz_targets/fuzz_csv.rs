#![no_main]
use libfuzzer_sys::fuzz_target;
use vakt_scan::extract::Format;

fuzz_target!(|data: &[u8]| {
    vakt_scan_fuzz::run(Some(Format::Csv), "a.csv", data);
});
