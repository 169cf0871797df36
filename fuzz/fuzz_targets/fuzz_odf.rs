#![no_main]
//! ODT, ODS and ODP (the first byte picks the format).
use libfuzzer_sys::fuzz_target;
use vakt_scan::extract::Format;

fuzz_target!(|data: &[u8]| {
    let Some((first, rest)) = data.split_first() else { return };
    let format = match first % 3 {
        0 => Format::Odt,
        1 => Format::Ods,
        _ => Format::Odp,
    };
    vakt_scan_fuzz::run(Some(format), "a.odt", rest);
});
