#![no_main]
//! DOCX, XLSX and PPTX (the first byte picks the format).
use libfuzzer_sys::fuzz_target;
use vakt_scan::extract::Format;

fuzz_target!(|data: &[u8]| {
    let Some((first, rest)) = data.split_first() else { return };
    let format = match first % 3 {
        0 => Format::Docx,
        1 => Format::Xlsx,
        _ => Format::Pptx,
    };
    vakt_scan_fuzz::run(Some(format), "a.docx", rest);
});
