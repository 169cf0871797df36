//! Shared driver of the fuzz targets: one extractor, small limits, every event drained.

use std::time::Duration;

use vakt_scan::extract::{Budget, Event, Format, Limits, extract, extract_as};

/// Small limits so that a run never spends long on one input.
pub fn limits() -> Limits {
    Limits {
        max_file_size: 1 << 20,
        max_depth: 3,
        max_total_decompressed: 8 << 20,
        max_ratio: 100,
        max_time_per_file: Duration::from_secs(5),
        pdf_worker: None,
    }
}

/// Extract `data` as `format` (or detected, for `None`) and check the contract on the events.
pub fn run(format: Option<Format>, name: &str, data: &[u8]) {
    let limits = limits();
    let mut budget = Budget::new(&limits);
    let mut texts = 0usize;
    let mut sink = |e: Event| {
        if let Event::Text(s) = e {
            // Normalisation contract: no NBSP or en dash survives extraction.
            assert!(!s.text.contains(['\u{A0}', '\u{2013}']));
            texts += 1;
        }
    };
    let _ = match format {
        Some(f) => extract_as(f, name, "", data, 0, &mut budget, &mut sink).map(|()| f),
        None => extract(name, "", data, 0, &mut budget, &mut sink),
    };
    assert!(budget.decompressed <= limits.max_total_decompressed + (1 << 20));
}
