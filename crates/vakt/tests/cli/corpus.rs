//! Precision and recall of `vakt scan` on the generated test corpus (issue 3, "Done when"): every planted
//! number is found and no look-alike is reported, both at least 0.99 with default settings.

use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

use vakt_corpus::{Options, Planted, write_corpus};

/// (path, kind, value)
type Key = (String, String, String);

#[test]
fn scan_finds_every_planted_number_and_no_look_alike() {
    let dir = tempfile::tempdir().unwrap();
    let truth = write_corpus(
        dir.path(),
        &Options {
            seed: 20261123,
            files: 360,
        },
    )
    .unwrap();
    let root = dir.path().join(&truth.root);

    let out = Command::new(env!("CARGO_BIN_EXE_vakt"))
        .args(["scan", "--format", "jsonl", "--reveal"])
        .arg(&root)
        .output()
        .unwrap();
    let code = out.status.code();
    assert!(
        matches!(code, Some(0..=2)),
        "exit {code:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();

    let prefix = format!("{}/", root.display());
    let mut found: BTreeSet<Key> = BTreeSet::new();
    let mut errors = Vec::new();
    for line in stdout.lines().filter(|l| !l.trim().is_empty()) {
        let row: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
        let path = row["path"].as_str().unwrap_or_default();
        let path = path.strip_prefix(&prefix).unwrap_or(path).to_string();
        let kind = row["kind"].as_str().unwrap_or_default().to_string();
        if kind == "error" {
            errors.push(format!("{path}: {}", row["error"]));
            continue;
        }
        if kind.starts_with("category.") {
            continue; // special categories are not part of this measure
        }
        let value = row["value"].as_str().unwrap_or_default().to_string();
        found.insert((path, kind, value));
    }

    let must: BTreeMap<Key, &Planted> = truth
        .planted
        .iter()
        .filter(|p| p.report)
        .map(|p| ((p.path.clone(), p.kind.clone(), p.value.clone()), p))
        .collect();
    let hits = found.iter().filter(|k| must.contains_key(*k)).count();
    let precision = if found.is_empty() {
        0.0
    } else {
        hits as f64 / found.len() as f64
    };
    let recall = if must.is_empty() {
        0.0
    } else {
        hits as f64 / must.len() as f64
    };

    println!(
        "corpus: {} files, {} numbers to report, {} look-alikes; scan: {} findings, {} error rows",
        truth.files,
        must.len(),
        truth.planted.len() - must.len(),
        found.len(),
        errors.len()
    );
    println!("precision {precision:.4}  recall {recall:.4}  ({hits} hits)");
    for e in &errors {
        println!("error row: {e}");
    }
    for (key, p) in must.iter().filter(|(k, _)| !found.contains(*k)) {
        let other: Vec<_> = found
            .iter()
            .filter(|f| {
                f.0 == key.0 && digits(&f.2).contains(digits(&key.2).get(2..).unwrap_or_default())
            })
            .collect();
        println!(
            "MISS {} {} {} ({}) found instead: {other:?}",
            key.0, key.1, key.2, p.note
        );
    }
    for key in found.iter().filter(|k| !must.contains_key(*k)) {
        let why = truth
            .planted
            .iter()
            .filter(|p| !p.report && p.path == key.0)
            .find(|p| {
                digits(&key.2).ends_with(&digits(&p.value))
                    || digits(&p.value).contains(&digits(&key.2))
            })
            .map(|p| format!("{} ({})", p.kind, p.note))
            .unwrap_or_else(|| "not planted".into());
        println!("FALSE POSITIVE {} {} {} — {why}", key.0, key.1, key.2);
    }
    assert!(precision >= 0.99, "precision {precision:.4} < 0.99");
    assert!(recall >= 0.99, "recall {recall:.4} < 0.99");
}

fn digits(s: &str) -> String {
    s.chars().filter(char::is_ascii_alphanumeric).collect()
}
