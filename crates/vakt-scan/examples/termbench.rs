//! Speed of the special-category term matcher and of the whole detection, on one thread.
//!
//! `cargo run --release -p vakt-scan --example termbench -- [--runs N] [--terms-only] FILE...`
//!
//! Text for it: `vakt-corpus --out DIR --plain-files 3 --plain-mib 16 --seed 3` (the prose of
//! bench/scan/run.sh).
//!
//! Loads the built-in rules as `vakt scan` does and prints, per mode, the median MB/s over N runs:
//! - `terms`: only `TermSet::find_all` with the category terms, over the files' 1 MiB line chunks
//!   (what the text extractor hands the detector), with a count and hash of every match;
//! - `ids`: `scan_bytes` with `--kinds ids`;
//! - `defaults`: `scan_bytes` with the default kinds (ID numbers and the term lists), with a hash of the
//!   rows, so that two builds can be compared for identical output.
//!
//! `--terms-only` stops after `terms` (for profiling the matcher).

use std::hash::{Hash, Hasher};
use std::time::Instant;

use vakt_scan::detect::Engine;
use vakt_scan::extract::Limits;
use vakt_scan::rules::{self, Rules};
use vakt_scan::scan::scan_bytes;
use vakt_scan::terms::TermSet;

/// The chunks `extract::text::emit_lines` cuts a text into: about 1 MiB, ending after a newline.
fn chunks(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    while start < text.len() {
        let mut end = (start + (1 << 20)).min(text.len());
        end = text
            .get(end..)
            .and_then(|t| t.find('\n'))
            .map_or(text.len(), |i| end + i + 1);
        out.push(text.get(start..end).unwrap_or_default());
        start = end;
    }
    out
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(0.0)
}

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let mut runs = 3usize;
    let terms_only = args.iter().any(|a| a == "--terms-only");
    args.retain(|a| a != "--terms-only");
    if let Some(i) = args.iter().position(|a| a == "--runs") {
        runs = args.get(i + 1).and_then(|s| s.parse().ok()).unwrap_or(3);
        args.drain(i..(i + 2).min(args.len()));
    }
    if args.is_empty() {
        eprintln!("usage: termbench [--runs N] [--terms-only] FILE...");
        std::process::exit(2);
    }
    let files: Vec<(String, Vec<u8>)> = args
        .iter()
        .map(|p| (p.clone(), std::fs::read(p).expect("read file")))
        .collect();
    let total: usize = files.iter().map(|(_, d)| d.len()).sum();
    let mb = total as f64 / 1e6;
    let today = vakt_scan::cli::today();
    let limits = Limits::default();

    let defaults = Rules::defaults();
    let set = TermSet::new(defaults.category_specs()).expect("terms compile");
    let texts: Vec<String> = files
        .iter()
        .map(|(_, d)| String::from_utf8_lossy(d).into_owned())
        .collect();
    let pieces: Vec<&str> = texts.iter().flat_map(|t| chunks(t)).collect();
    let mut times = Vec::new();
    let (mut count, mut hash) = (0u64, 0u64);
    for _ in 0..runs {
        let t = Instant::now();
        let mut h = std::collections::hash_map::DefaultHasher::new();
        let mut n = 0u64;
        for p in &pieces {
            set.find_all(p, |m| {
                n += 1;
                (m.spec, m.start, m.end).hash(&mut h);
            });
        }
        times.push(mb / t.elapsed().as_secs_f64());
        (count, hash) = (n, h.finish());
    }
    println!(
        "terms     {:8.1} MB/s  matches {count} hash {hash:016x}  runs {times:.0?}",
        median(times.clone())
    );

    if terms_only {
        return;
    }
    for mode in ["ids", "defaults"] {
        let mut r = Rules::defaults();
        if mode == "ids" {
            r.kinds = rules::select_kinds(&["ids"]).expect("kinds");
        }
        let engine = Engine::new(r, today).expect("engine");
        let mut times = Vec::new();
        let (mut rows, mut hash) = (0usize, 0u64);
        for _ in 0..runs {
            let t = Instant::now();
            let mut h = std::collections::hash_map::DefaultHasher::new();
            let mut n = 0;
            for (path, data) in &files {
                let (out, _, _) = scan_bytes(&engine, path, data, &limits, true);
                n += out.len();
                for row in out {
                    serde_json::to_string(&row).expect("json").hash(&mut h);
                }
            }
            times.push(mb / t.elapsed().as_secs_f64());
            (rows, hash) = (n, h.finish());
        }
        println!(
            "{mode:9} {:8.1} MB/s  rows {rows} hash {hash:016x}  runs {times:.0?}",
            median(times.clone())
        );
    }
}
