//! `vakt scan` end to end: the real binary on temporary directories with synthetic numbers.

use std::path::Path;
use std::process::{Command, Output};

use vakt_idnr::generate::{self, Rng};
use vakt_idnr::{Date, Kind};
use vakt_scan::fixtures::{self, XCell, XSheet};

/// `vakt scan` in English (whatever the machine's locale), unless the arguments say `--lang`.
fn vakt_scan(args: &[&str]) -> Output {
    vakt_scan_env(args, &[("VAKT_LANG", "en")])
}

fn vakt_scan_env(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_vakt"));
    c.arg("scan").args(args);
    for var in ["VAKT_LANG", "LC_ALL", "LC_MESSAGES", "LANG"] {
        c.env_remove(var);
    }
    c.envs(env.iter().copied());
    c.output().expect("run vakt scan")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn jsonl(o: &Output) -> Vec<serde_json::Value> {
    stdout(o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON: {l}: {e}")))
        .collect()
}

fn fnr(seed: u64) -> String {
    let mut rng = Rng(seed);
    let birth = rng.date(1950, 1999);
    generate::with_birth(Kind::NoFnr, birth, &mut rng).expect("fnr")
}

fn p(path: &Path) -> &str {
    path.to_str().expect("utf-8 temp path")
}

/// A directory with one file holding a labelled fnr and one clean file.
fn tree() -> (tempfile::TempDir, String) {
    let d = tempfile::tempdir().expect("tempdir");
    let n = fnr(7);
    std::fs::write(
        d.path().join("brev.txt"),
        format!("Hei,\nsøknaden gjelder fødselsnummer {n}.\nHilsen saksbehandler\n"),
    )
    .expect("write");
    std::fs::write(
        d.path().join("rent.txt"),
        "Ingen personopplysninger her, bare år 2024.\n",
    )
    .expect("write");
    (d, n)
}

#[test]
fn scan_reports_a_planted_number_as_jsonl_with_every_documented_field_and_exits_1() {
    let (d, n) = tree();
    let o = vakt_scan(&["--format", "jsonl", p(d.path())]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let rows = jsonl(&o);
    assert_eq!(rows.len(), 1, "{rows:?}");
    let r = &rows[0];
    assert!(r["path"].as_str().is_some_and(|s| s.ends_with("brev.txt")));
    assert_eq!(r["kind"], "no.fnr");
    assert_eq!(r["value"], format!("{}*****", &n[..6]));
    assert!(r["confidence"].as_f64().is_some_and(|c| c >= 0.9));
    assert_eq!(r["location"], "line 2");
    assert!(
        r["context"]
            .as_str()
            .is_some_and(|c| c.contains("fødselsnummer"))
    );
    assert!(r["reasons"].as_array().is_some_and(|a| !a.is_empty()));
    assert!(stderr(&o).contains("2 files scanned"), "{}", stderr(&o));
}

#[test]
fn scan_of_a_clean_tree_prints_nothing_and_exits_0() {
    let d = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        d.path().join("a.txt"),
        "Møtereferat uten nummer. Tlf 22 33 44 55.\n",
    )
    .expect("write");
    let o = vakt_scan(&["--format", "jsonl", p(d.path())]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).is_empty());
}

#[test]
fn numbers_are_masked_everywhere_unless_reveal_is_given() {
    let (d, n) = tree();
    for format in ["table", "jsonl", "csv", "sarif"] {
        let o = vakt_scan(&["--format", format, p(d.path())]);
        assert!(!stdout(&o).contains(&n), "{format} shows the number");
        assert!(
            !stdout(&o).contains(&n[6..]),
            "{format} shows the individual number"
        );
    }
    let o = vakt_scan(&["--format", "jsonl", "--reveal", p(d.path())]);
    let rows = jsonl(&o);
    assert_eq!(rows[0]["value"], n.as_str());
    assert!(
        !rows[0]["context"]
            .as_str()
            .unwrap_or_default()
            .contains(&n[6..]),
        "context stays masked"
    );
}

#[test]
fn csv_and_sarif_and_table_formats_carry_the_finding() {
    let (d, _) = tree();
    let o = vakt_scan(&["--format", "csv", p(d.path())]);
    let out = stdout(&o);
    let mut lines = out.lines();
    assert_eq!(
        lines.next(),
        Some("path,kind,value,confidence,location,context,reasons,error,error_code")
    );
    assert!(lines.next().is_some_and(|l| l.contains("no.fnr")));
    let o = vakt_scan(&["--format", "sarif", p(d.path())]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("sarif is json");
    assert_eq!(v["version"], "2.1.0");
    assert_eq!(v["runs"][0]["results"][0]["ruleId"], "no.fnr");
    assert_eq!(
        v["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"],
        2
    );
    let o = vakt_scan(&[p(d.path())]);
    assert!(stdout(&o).contains("no.fnr") && stdout(&o).contains("brev.txt (line 2)"));
}

#[test]
fn exclude_globs_skip_matching_files() {
    let (d, _) = tree();
    let o = vakt_scan(&["--format", "jsonl", "--exclude", "brev.*", p(d.path())]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).is_empty());
}

#[test]
fn kinds_limit_what_is_reported() {
    let (d, _) = tree();
    let o = vakt_scan(&["--format", "jsonl", "--kinds", "se,dk", p(d.path())]);
    assert_eq!(o.status.code(), Some(0));
    let o = vakt_scan(&["--kinds", "xx.yy", p(d.path())]);
    assert_eq!(o.status.code(), Some(2), "an unknown kind is a usage error");
}

#[test]
fn a_rules_file_sets_the_minimum_confidence_and_value_exclusions() {
    let (d, n) = tree();
    let rules = d.path().join("rules.toml");
    std::fs::write(
        &rules,
        format!("[exclude]\nvalues = [\"{} {}\"]\n", &n[..6], &n[6..]),
    )
    .expect("write");
    let o = vakt_scan(&[
        "--format",
        "jsonl",
        "--rules",
        p(&rules),
        "--exclude",
        "*.toml",
        p(d.path()),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    // A bare number (no context word) scores below 0.8.
    std::fs::write(d.path().join("brev.txt"), format!("nummer {n}\n")).expect("write");
    let o = vakt_scan(&["--format", "jsonl", "--exclude", "*.toml", p(d.path())]);
    assert_eq!(o.status.code(), Some(1), "reported with the defaults");
    std::fs::write(&rules, "min_confidence = 0.8\n").expect("write");
    let o = vakt_scan(&[
        "--format",
        "jsonl",
        "--rules",
        p(&rules),
        "--exclude",
        "*.toml",
        p(d.path()),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
}

#[test]
fn cache_second_run_reads_nothing_and_reports_the_same_findings() {
    let (d, _) = tree();
    let cache_dir = tempfile::tempdir().expect("tempdir");
    let cache = cache_dir.path().join("scan.cache");
    let first = vakt_scan(&["--format", "jsonl", "--cache", p(&cache), p(d.path())]);
    assert!(
        stderr(&first).contains("2 files scanned"),
        "{}",
        stderr(&first)
    );
    let second = vakt_scan(&["--format", "jsonl", "--cache", p(&cache), p(d.path())]);
    assert_eq!(stdout(&first), stdout(&second));
    assert_eq!(first.status.code(), second.status.code());
    let err = stderr(&second);
    assert!(err.contains("0 files scanned, 2 from cache"), "{err}");
    assert!(err.contains(" 0 bytes read"), "{err}");
    // A changed file is read again.
    std::fs::write(d.path().join("rent.txt"), format!("fnr {}\n", fnr(99))).expect("write");
    let third = vakt_scan(&["--format", "jsonl", "--cache", p(&cache), p(d.path())]);
    assert!(
        stderr(&third).contains("1 files scanned, 1 from cache"),
        "{}",
        stderr(&third)
    );
    assert_eq!(jsonl(&third).len(), 2);
}

#[test]
fn changed_since_scans_only_newer_files() {
    let (d, _) = tree();
    let old = std::fs::File::options()
        .write(true)
        .open(d.path().join("brev.txt"))
        .expect("open");
    let t = std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_577_836_800); // 2020-01-01
    old.set_modified(t).expect("set mtime");
    drop(old);
    let o = vakt_scan(&[
        "--format",
        "jsonl",
        "--changed-since",
        "2021-01-01",
        p(d.path()),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(
        stderr(&o).contains("1 files scanned") && stderr(&o).contains("1 skipped"),
        "{}",
        stderr(&o)
    );
    let o = vakt_scan(&[
        "--format",
        "jsonl",
        "--changed-since",
        "2019-12-31",
        p(d.path()),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let o = vakt_scan(&["--changed-since", "yesterday", p(d.path())]);
    assert_eq!(o.status.code(), Some(2), "an invalid date is a usage error");
}

#[test]
fn a_path_that_cannot_be_read_is_an_error_row_and_the_scan_goes_on() {
    let (d, _) = tree();
    let missing = d.path().join("finnes-ikke.txt");
    let o = vakt_scan(&["--format", "jsonl", p(&missing), p(d.path())]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "findings win over errors: {}",
        stderr(&o)
    );
    let rows = jsonl(&o);
    assert!(rows.iter().any(|r| r["kind"] == "no.fnr"));
    let err = rows
        .iter()
        .find(|r| r["kind"] == "error")
        .expect("error row");
    assert!(
        err["path"]
            .as_str()
            .is_some_and(|s| s.ends_with("finnes-ikke.txt"))
    );
    assert!(err["error"].as_str().is_some_and(|e| !e.is_empty()));
    let o = vakt_scan(&["--format", "jsonl", p(&missing)]);
    assert_eq!(o.status.code(), Some(2), "errors without findings exit 2");
}

#[cfg(unix)]
#[test]
fn an_unreadable_file_is_an_error_row() {
    // /proc/self/mem stats as a regular file but reading it from offset 0 fails (root cannot read it
    // either, unlike a chmod 000 file), so this exercises the read-error path for real.
    let o = vakt_scan(&["--format", "jsonl", "/proc/self/mem"]);
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
    let rows = jsonl(&o);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["kind"], "error");
    assert!(
        rows[0]["error"]
            .as_str()
            .is_some_and(|e| e.contains("cannot read")),
        "{rows:?}"
    );
}

#[cfg(unix)]
#[test]
fn a_symlink_loop_is_an_error_row_not_a_crash() {
    let (d, _) = tree();
    std::fs::create_dir(d.path().join("sub")).expect("mkdir");
    std::os::unix::fs::symlink(d.path(), d.path().join("sub/loop")).expect("symlink");
    let o = vakt_scan(&["--format", "jsonl", "--follow-links", p(d.path())]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let rows = jsonl(&o);
    let err = rows
        .iter()
        .find(|r| r["kind"] == "error")
        .expect("loop error row");
    assert!(
        err["error"].as_str().is_some_and(|e| e.contains("loop")),
        "{err}"
    );
    assert_eq!(
        rows.iter().filter(|r| r["kind"] == "no.fnr").count(),
        1,
        "the file is reported once"
    );
    // Not following: the link is skipped, no error.
    let o = vakt_scan(&["--format", "jsonl", p(d.path())]);
    assert!(jsonl(&o).iter().all(|r| r["kind"] != "error"));
}

#[test]
fn members_of_archives_are_reported_with_bang_paths() {
    let d = tempfile::tempdir().expect("tempdir");
    let n = fnr(11);
    let inner = format!("Fødselsnummer: {n}\n");
    let zip = fixtures::zip(&[("mappe/elev.txt", inner.as_bytes())]);
    std::fs::write(d.path().join("arkiv.zip"), zip).expect("write");
    let o = vakt_scan(&["--format", "jsonl", p(d.path())]);
    let rows = jsonl(&o);
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert!(
        rows[0]["path"]
            .as_str()
            .is_some_and(|s| s.ends_with("arkiv.zip!mappe/elev.txt")),
        "{rows:?}"
    );
}

#[test]
fn spreadsheet_numbers_that_lost_their_leading_zero_are_found() {
    let d = tempfile::tempdir().expect("tempdir");
    let mut rng = Rng(5);
    let n = loop {
        let birth = Date {
            year: 1980,
            month: rng.range(1, 12) as u8,
            day: rng.range(1, 9) as u8,
        };
        if let Some(n) = generate::with_birth(Kind::NoFnr, birth, &mut rng) {
            break n;
        }
    };
    let sheet = XSheet {
        name: "Ansatte".into(),
        rows: vec![
            vec![
                XCell::Shared("Navn".into()),
                XCell::Shared("Fødselsnummer".into()),
            ],
            vec![XCell::Shared("Kari".into()), XCell::Number(n.clone())],
        ],
    };
    std::fs::write(d.path().join("lønn.xlsx"), fixtures::xlsx(&[sheet])).expect("write");
    let o = vakt_scan(&["--format", "jsonl", "--reveal", p(d.path())]);
    let rows = jsonl(&o);
    assert_eq!(rows.len(), 1, "{rows:?} {}", stderr(&o));
    assert_eq!(rows[0]["value"], n.as_str());
    assert_eq!(rows[0]["kind"], "no.fnr");
}

#[test]
fn help_documents_the_exit_status() {
    let o = vakt_scan(&["--help"]);
    let out = stdout(&o);
    assert!(
        out.contains("Exit status") && out.contains("--cache") && out.contains("--changed-since")
    );
}

/// A hostile PDF (a stack-overflowing nest of arrays, a FlateDecode bomb) becomes an error row; the scan
/// goes on and still reports the number in the file next to it. The same nest read inside the scanner's
/// own process (`--pdf-in-process`) aborts it — which is why PDFs are read in a worker process.
#[test]
fn hostile_pdfs_become_error_rows_and_the_scan_goes_on() {
    let (d, n) = tree();
    std::fs::write(
        d.path().join("dyp.pdf"),
        fixtures::pdf_deep_nesting(200_000),
    )
    .expect("write");
    std::fs::write(
        d.path().join("bombe.pdf"),
        fixtures::pdf_flate_bomb(512 << 20),
    )
    .expect("write");
    let o = vakt_scan(&[
        "--format",
        "jsonl",
        "--reveal",
        "--max-pdf-memory",
        "256M",
        p(d.path()),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let rows = jsonl(&o);
    assert!(
        rows.iter()
            .any(|r| r["kind"] == "no.fnr" && r["value"] == n.as_str()),
        "{rows:?}"
    );
    for name in ["dyp.pdf", "bombe.pdf"] {
        let row = rows
            .iter()
            .find(|r| r["path"].as_str().is_some_and(|p| p.ends_with(name)))
            .unwrap_or_else(|| panic!("no row for {name}: {rows:?}"));
        assert_eq!(row["kind"], "error", "{row}");
        assert!(
            row["error"]
                .as_str()
                .is_some_and(|e| e.contains("PDF reader crashed")),
            "{row}"
        );
    }

    let alone = tempfile::tempdir().expect("tempdir");
    let deep = alone.path().join("dyp.pdf");
    std::fs::write(&deep, fixtures::pdf_deep_nesting(200_000)).expect("write");
    let o = vakt_scan(&["--pdf-in-process", p(&deep)]);
    assert!(
        !matches!(o.status.code(), Some(0..=2)),
        "in-process the nest is expected to abort the scan: {:?}",
        o.status
    );
}

#[test]
fn a_pdf_worker_that_runs_out_of_time_is_killed_and_reported() {
    // The time limit applies to the worker: with 1 s, the 1 GiB bomb is stopped by the clock (or by
    // memory, whichever comes first); either way an error row, never a hang.
    let d = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        d.path().join("bombe.pdf"),
        fixtures::pdf_flate_bomb(1 << 30),
    )
    .expect("write");
    let o = vakt_scan(&["--format", "jsonl", "--timeout", "1", p(d.path())]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let rows = jsonl(&o);
    assert_eq!(rows.len(), 1, "{rows:?}");
    let e = rows[0]["error"].as_str().unwrap_or_default();
    assert!(
        e.contains("timed out") || e.contains("PDF reader crashed"),
        "{e}"
    );
}

#[test]
fn limits_come_from_flags_and_the_rules_file() {
    let d = tempfile::tempdir().expect("tempdir");
    let n = fnr(11);
    let inner = fixtures::zip(&[("a.txt", format!("fnr {n}").as_bytes())]);
    let outer = fixtures::zip(&[("inner.zip", inner.as_slice())]);
    std::fs::write(d.path().join("arkiv.zip"), &outer).expect("write");
    // Depth 2 is needed (arkiv.zip → inner.zip → a.txt).
    let o = vakt_scan(&["--format", "jsonl", "--reveal", p(d.path())]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let o = vakt_scan(&["--format", "jsonl", "--max-depth", "1", p(d.path())]);
    let rows = jsonl(&o);
    assert!(
        rows.iter().any(|r| r["kind"] == "error"
            && r["error"].as_str().is_some_and(|e| e.contains("max_depth"))),
        "{rows:?}"
    );
    assert!(rows.iter().all(|r| r["kind"] != "no.fnr"), "{rows:?}");
    let rules = d.path().join("regler.toml");
    std::fs::write(&rules, "[limits]\nmax_depth = 1\n").expect("write");
    let o = vakt_scan(&["--format", "jsonl", "--rules", p(&rules), p(d.path())]);
    assert!(jsonl(&o).iter().all(|r| r["kind"] != "no.fnr"));
    // The flag wins over the rules file.
    let o = vakt_scan(&[
        "--format",
        "jsonl",
        "--rules",
        p(&rules),
        "--max-depth",
        "3",
        p(d.path()),
    ]);
    assert!(jsonl(&o).iter().any(|r| r["kind"] == "no.fnr"));
    for bad in [
        vec!["--max-ratio", "0"],
        vec!["--timeout", "0"],
        vec!["--max-decompressed", "lots"],
    ] {
        let mut args = bad.clone();
        args.push(p(d.path()));
        assert_eq!(vakt_scan(&args).status.code(), Some(2), "{bad:?}");
    }
    let help = stdout(&vakt_scan(&["--help"]));
    for flag in [
        "--max-depth",
        "--max-decompressed",
        "--max-ratio",
        "--timeout",
        "--max-pdf-memory",
    ] {
        assert!(help.contains(flag), "{flag} not in --help");
    }
    assert!(
        !help.contains("--pdf-worker"),
        "the internal flag stays hidden"
    );
}

#[test]
fn summary_messages_and_table_speak_the_users_language_and_tools_get_stable_codes() {
    let (d, _) = tree();
    let n = fnr(12);
    let inner = fixtures::zip(&[("a.txt", format!("fnr {n}").as_bytes())]);
    let outer = fixtures::zip(&[("inner.zip", inner.as_slice())]);
    std::fs::write(d.path().join("arkiv.zip"), &outer).expect("write");
    let dir = p(d.path());
    // Norwegian by flag: the summary, the table's headings and the error row.
    let o = vakt_scan(&["--lang", "nb", "--max-depth", "1", dir]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let (out, err) = (stdout(&o), stderr(&o));
    assert!(
        err.contains("3 filer skannet, 0 fra hurtigbufferen"),
        "{err}"
    );
    assert!(out.starts_with("TYPE"), "{out}");
    assert!(out.contains("SIKKERHET") && out.contains("HVOR"), "{out}");
    assert!(
        out.contains("grensen er nådd: nestet dypere enn max_depth 1"),
        "{out}"
    );
    // Swedish from VAKT_LANG, Danish from the locale; a locale Vakt does not speak means English.
    let o = vakt_scan_env(&["--max-depth", "1", dir], &[("VAKT_LANG", "sv")]);
    assert!(stderr(&o).contains("3 filer genomsökta"), "{}", stderr(&o));
    assert!(stdout(&o).contains("gränsen nådd"), "{}", stdout(&o));
    let o = vakt_scan_env(&["--max-depth", "1", dir], &[("LANG", "da_DK.UTF-8")]);
    assert!(stderr(&o).contains("0 fra cachen"), "{}", stderr(&o));
    assert!(stdout(&o).contains("VÆRDI"), "{}", stdout(&o));
    let o = vakt_scan_env(&["--max-depth", "1", dir], &[("LANG", "de_DE.UTF-8")]);
    assert!(stderr(&o).contains("3 files scanned"), "{}", stderr(&o));
    // And the help: from the locale, and from --lang.
    let o = vakt_scan_env(&["--help"], &[("LANG", "nb_NO.UTF-8")]);
    assert_eq!(o.status.code(), Some(0));
    let help = stdout(&o);
    assert!(help.contains("Bruk: vakt scan"), "{help}");
    assert!(help.contains("Vis numrene i klartekst"), "{help}");
    assert!(help.contains("Avslutningskode: 0"), "{help}");
    let o = vakt_scan(&["--lang", "sv", "--help"]);
    assert!(
        stdout(&o).contains("Användning: vakt scan"),
        "{}",
        stdout(&o)
    );
    let o = vakt_scan(&["--help"]);
    assert!(stdout(&o).contains("Usage: vakt scan"), "{}", stdout(&o));
    assert!(stdout(&o).contains("Exit status: 0"), "{}", stdout(&o));
    // Usage errors too, with exit status 2.
    let o = vakt_scan(&["--lang", "sv", "--max-ratio", "0", dir]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("--max-ratio måste vara större än 0"),
        "{}",
        stderr(&o)
    );
    let o = vakt_scan(&["--lang", "da", "--changed-since", "igår", dir]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("ugyldig dato `igår`"), "{}", stderr(&o));
    // And clap's own: a value it does not know, a misspelt flag.
    let o = vakt_scan_env(&["--format", "xml", dir], &[("LANG", "nb_NO.UTF-8")]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains("feil: ugyldig verdi 'xml' for '--format <FORMAT>'"),
        "{err}"
    );
    assert!(
        err.contains("[mulige verdier: table, jsonl, csv, sarif]"),
        "{err}"
    );
    let o = vakt_scan(&["--lang", "da", "--revael", dir]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("fejl: ukendt argument '--revael'"), "{err}");
    assert!(
        err.contains("tip: et lignende argument findes: '--reveal'"),
        "{err}"
    );
    assert!(err.contains("Brug: vakt scan"), "{err}");
    assert!(err.contains("Prøv '--help' for mere information."), "{err}");
    // Tools get English words and a stable code whatever the language.
    let o = vakt_scan(&["--lang", "nb", "--format", "jsonl", "--max-depth", "1", dir]);
    let rows = jsonl(&o);
    let e = rows
        .iter()
        .find(|r| r["kind"] == "error")
        .expect("error row");
    assert_eq!(e["error_code"], "scan-error-limit-depth", "{e}");
    assert_eq!(e["error_args"]["max"], 1.0, "{e}");
    assert!(e["error"].as_str().is_some_and(|m| m.contains("max_depth")));
    let o = vakt_scan(&["--lang", "nb", "--format", "csv", "--max-depth", "1", dir]);
    let out = stdout(&o);
    assert!(
        out.lines()
            .next()
            .is_some_and(|h| h.ends_with(",error,error_code")),
        "{out}"
    );
    assert!(out.contains(",scan-error-limit-depth"), "{out}");
}
