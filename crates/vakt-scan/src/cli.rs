//! `vakt scan`: the command-line front end of the scanner.

use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use crate::cache::Cache;
use crate::detect::Engine;
use crate::extract::Limits;
use crate::report::{self, OutputFormat, Row};
use crate::rules::{self, Rules};
use crate::scan::{self, Outcome, ScanConfig, Status};
use crate::text::{Explain, Message, Text};
use crate::walk::WalkConfig;

const EXIT_HELP: &str = "\
Exit status: 0 when nothing was found and nothing failed; 1 when anything was found (even if some files \
could not be read: their error rows are in the output); 2 when nothing was found and a file, archive member \
or directory could not be read, or on a usage error (bad flag, rules file or date).";

/// Arguments of `vakt scan`.
#[derive(Debug, Clone, clap::Args)]
#[command(after_help = EXIT_HELP)]
pub struct ScanArgs {
    /// Files and directories to scan.
    #[arg(required_unless_present = "pdf_worker")]
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: OutputFormat,
    /// Kinds to report: codes (no.fnr, se.pnr, dk.cpr, fi.hetu, category.health, ...), prefixes (no, se,
    /// category), `ids` or `all`. Comma-separated or repeated. Overrides the rules file.
    #[arg(long, value_delimiter = ',')]
    pub kinds: Vec<String>,
    /// Rules file (TOML): kinds, minimum confidence, country, exclusions, extra terms.
    #[arg(long, value_name = "FILE")]
    pub rules: Option<PathBuf>,
    /// Show numbers in clear (normalised) instead of masked. Context snippets stay masked.
    #[arg(long)]
    pub reveal: bool,
    /// Worker threads (default: every core).
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
    /// Skip paths matching this glob (repeatable); matched against the whole path, the path below the
    /// scanned directory and the file name.
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// Skip files (and archive members) larger than this (bytes, or with K, M, G suffix; default 256M).
    /// Also `[limits] max_filesize` in the rules file.
    #[arg(long, value_name = "SIZE")]
    pub max_filesize: Option<String>,
    /// Maximum nesting of archives, mail attachments and embedded documents (default 5; the file itself
    /// is level 0). Also `[limits] max_depth`.
    #[arg(long, value_name = "N")]
    pub max_depth: Option<u32>,
    /// Maximum bytes decompressed out of one file over all its members (default 1G). Also
    /// `[limits] max_decompressed`.
    #[arg(long, value_name = "SIZE")]
    pub max_decompressed: Option<String>,
    /// Maximum ratio of uncompressed to compressed size of one archive member, against zip bombs
    /// (default 200). Also `[limits] max_ratio`.
    #[arg(long, value_name = "N")]
    pub max_ratio: Option<u64>,
    /// Seconds allowed per file, archive members included (default 60); a file that takes longer gets an
    /// error row with the findings made so far. Also `[limits] timeout`.
    #[arg(long, value_name = "SECONDS")]
    pub timeout: Option<u64>,
    /// Address-space limit of the child process that reads each PDF (default 1G). Also
    /// `[limits] max_pdf_memory`.
    #[arg(long, value_name = "SIZE")]
    pub max_pdf_memory: Option<String>,
    /// Read PDFs inside this process instead of a child process (faster on many small PDFs, but a
    /// hostile PDF can then stop the scan).
    #[arg(long)]
    pub pdf_in_process: bool,
    /// Internal: act as the PDF worker (read a PDF on stdin, write its text to stdout).
    #[arg(long, hide = true)]
    pub pdf_worker: bool,
    /// Only scan files modified on or after this date (YYYY-MM-DD, UTC) or time (RFC 3339).
    #[arg(long, value_name = "DATE")]
    pub changed_since: Option<String>,
    /// Remember what was scanned in FILE; a rescan reads only new or changed files.
    #[arg(long, value_name = "FILE")]
    pub cache: Option<PathBuf>,
    /// Preferred country for numbers valid in two countries. Overrides the rules file.
    #[arg(long, value_parser = ["no", "se", "dk", "fi"])]
    pub country: Option<String>,
    /// Follow symbolic links (loops are reported as errors).
    #[arg(long)]
    pub follow_links: bool,
    /// No progress bar and no summary.
    #[arg(long, short)]
    pub quiet: bool,
    /// Language of the summary, the messages and the table (nb, sv, da, en). Default: `VAKT_LANG`, then
    /// the locale (`LC_ALL`, `LC_MESSAGES`, `LANG`), then English. The other formats are for tools and
    /// keep English messages beside stable error codes.
    #[arg(long, value_parser = ["nb", "sv", "da", "en"])]
    pub lang: Option<String>,
}

/// Parse a size: `1048576`, `512K`, `10M`, `2G`, `1T` (binary multiples; `B`/`iB` suffixes allowed).
pub fn parse_size(s: &str) -> Option<u64> {
    let t = s.trim().to_ascii_uppercase();
    let t = t
        .strip_suffix("IB")
        .or_else(|| t.strip_suffix('B'))
        .unwrap_or(&t);
    let (num, mult) = if let Some(n) = t.strip_suffix('K') {
        (n, 1u64 << 10)
    } else if let Some(n) = t.strip_suffix('M') {
        (n, 1 << 20)
    } else if let Some(n) = t.strip_suffix('G') {
        (n, 1 << 30)
    } else if let Some(n) = t.strip_suffix('T') {
        (n, 1 << 40)
    } else {
        (t, 1)
    };
    num.trim().parse::<u64>().ok()?.checked_mul(mult)
}

/// Parse `--changed-since`: `YYYY-MM-DD` (midnight UTC) or RFC 3339.
pub fn parse_since(s: &str) -> Option<SystemTime> {
    use time::format_description::well_known::Rfc3339;
    let s = s.trim();
    let t = if let Ok(t) = time::OffsetDateTime::parse(s, &Rfc3339) {
        t
    } else {
        let d =
            time::Date::parse(s, time::macros::format_description!("[year]-[month]-[day]")).ok()?;
        d.midnight().assume_utc()
    };
    let secs = t.unix_timestamp();
    if secs >= 0 {
        SystemTime::UNIX_EPOCH.checked_add(Duration::from_secs(secs as u64))
    } else {
        SystemTime::UNIX_EPOCH.checked_sub(Duration::from_secs(secs.unsigned_abs()))
    }
}

/// Today's date (UTC) for the validators.
pub fn today() -> vakt_idnr::Date {
    let d = time::OffsetDateTime::now_utc().date();
    vakt_idnr::Date {
        year: u16::try_from(d.year()).unwrap_or(2000),
        month: u8::from(d.month()),
        day: d.day(),
    }
}

fn usage(text: &dyn Text, msg: Message) -> i32 {
    eprintln!("vakt scan: {}", msg.render(text));
    2
}

/// Totals for the summary.
#[derive(Debug, Default)]
pub struct Summary {
    pub scanned: u64,
    pub cached: u64,
    pub skipped: u64,
    pub skipped_members: u64,
    pub errors: u64,
    pub bytes_read: u64,
    pub findings: BTreeMap<String, u64>,
}

impl Summary {
    fn add(&mut self, o: &Outcome) {
        match o.status {
            Status::Scanned => self.scanned += 1,
            Status::Cached | Status::CachedByContent => self.cached += 1,
            Status::Skipped(_) => self.skipped += 1,
            Status::Error => {}
        }
        self.skipped_members += u64::from(o.skipped_members);
        self.bytes_read += o.bytes_read;
        for r in &o.rows {
            if r.is_error() {
                self.errors += 1;
            } else {
                *self.findings.entry(r.kind.clone()).or_default() += 1;
            }
        }
    }

    fn total_findings(&self) -> u64 {
        self.findings.values().sum()
    }

    fn render(&self, text: &dyn Text, elapsed: Duration) -> String {
        let by_kind = if self.findings.is_empty() {
            Message::new("scan-findings-none", "none").render(text)
        } else {
            self.findings
                .iter()
                .map(|(k, n)| format!("{k} {n}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let seconds = format!("{:.2}", elapsed.as_secs_f64());
        let english = format!(
            "{} files scanned, {} from cache, {} skipped ({} members skipped), {} errors, {} bytes read in {seconds} s; findings: {by_kind}",
            self.scanned,
            self.cached,
            self.skipped,
            self.skipped_members,
            self.errors,
            self.bytes_read,
        );
        let line = Message::new("scan-summary", english)
            .arg("scanned", self.scanned)
            .arg("cached", self.cached)
            .arg("skipped", self.skipped)
            .arg("members", self.skipped_members)
            .arg("errors", self.errors)
            .arg("bytes", self.bytes_read)
            .arg("seconds", seconds)
            .arg("findings", by_kind)
            .render(text);
        format!("vakt scan: {line}")
    }
}

/// The safety limits of a run: defaults, then the rules file's `[limits]`, then the flags.
pub fn limits(args: &ScanArgs, rules: &Rules) -> Result<Limits, Message> {
    let size = |flag: &str, v: &Option<String>| -> Result<Option<u64>, Message> {
        match v {
            None => Ok(None),
            Some(s) => parse_size(s).map(Some).ok_or_else(|| {
                Message::new(
                    "scan-usage-size",
                    format!("invalid size `{s}` for {flag} (use e.g. 1048576, 512K, 10M, 2G)"),
                )
                .arg("value", s.as_str())
                .arg("flag", flag)
            }),
        }
    };
    let positive = |flag: &str| {
        Message::new(
            "scan-usage-positive",
            format!("{flag} must be greater than 0"),
        )
        .arg("flag", flag)
    };
    let r = &rules.limits;
    let mut l = Limits::default();
    if let Some(v) = size("--max-filesize", &args.max_filesize)?.or(r.max_file_size) {
        l.max_file_size = v;
    }
    if let Some(v) = args.max_depth.or(r.max_depth) {
        l.max_depth = v;
    }
    if let Some(v) =
        size("--max-decompressed", &args.max_decompressed)?.or(r.max_total_decompressed)
    {
        l.max_total_decompressed = v;
    }
    if let Some(v) = args.max_ratio.or(r.max_ratio) {
        if v == 0 {
            return Err(positive("--max-ratio"));
        }
        l.max_ratio = v;
    }
    if let Some(v) = args.timeout.or(r.timeout_secs) {
        if v == 0 {
            return Err(positive("--timeout"));
        }
        l.max_time_per_file = Duration::from_secs(v);
    }
    let memory = size("--max-pdf-memory", &args.max_pdf_memory)?
        .or(r.max_pdf_memory)
        .unwrap_or(crate::extract::worker::DEFAULT_PDF_MEMORY);
    if !args.pdf_in_process {
        // The worker is this binary again: `<exe> scan --pdf-worker`. Without a path to ourselves, read
        // PDFs in this process.
        l.pdf_worker = std::env::current_exe()
            .ok()
            .map(|program| crate::extract::PdfWorker {
                program,
                args: vec!["scan".into(), "--pdf-worker".into()],
                max_memory: memory,
            });
    }
    Ok(l)
}

/// Run a scan; returns the process exit status (0 nothing found, 1 findings, 2 errors without findings or
/// a usage error).
///
/// `text` gives the words shown to people (summary, progress, messages, the table) in their language.
pub fn run(args: ScanArgs, text: &dyn Text) -> i32 {
    if args.pdf_worker {
        return crate::extract::pdf_worker_main();
    }
    let started = std::time::Instant::now();
    let mut rules = match &args.rules {
        Some(p) => match Rules::load(p) {
            Ok(r) => r,
            Err(e) => return usage(text, e.message()),
        },
        None => Rules::defaults(),
    };
    if !args.kinds.is_empty() {
        match rules::select_kinds(&args.kinds) {
            Ok(k) => rules.kinds = k,
            Err(e) => return usage(text, e.message()),
        }
    }
    if let Some(c) = &args.country {
        rules.country = rules::parse_country(c);
    }
    for g in &args.exclude {
        if let Err(e) = rules.add_exclude_path(g) {
            return usage(text, e.message());
        }
    }
    let limits = match limits(&args, &rules) {
        Ok(l) => l,
        Err(e) => return usage(text, e),
    };
    let changed_since = match &args.changed_since {
        Some(s) => match parse_since(s) {
            Some(t) => Some(t),
            None => {
                return usage(
                    text,
                    Message::new(
                        "scan-usage-date",
                        format!("invalid date `{s}` (use YYYY-MM-DD or RFC 3339)"),
                    )
                    .arg("value", s.as_str()),
                );
            }
        },
        None => None,
    };
    let threads = args.threads.filter(|n| *n > 0).unwrap_or_else(|| {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2)
    });
    let fingerprint = format!(
        "{}:{}:{}:{}:{}:{}:{}:{}",
        rules.fingerprint(),
        args.reveal,
        limits.max_file_size,
        limits.max_depth,
        limits.max_total_decompressed,
        limits.max_ratio,
        limits.max_time_per_file.as_secs(),
        env!("CARGO_PKG_VERSION")
    );
    let cache = match &args.cache {
        Some(p) => match Cache::load(p, &fingerprint) {
            Ok(c) => Some(c),
            Err(e) => return usage(text, e.message()),
        },
        None => None,
    };
    let cfg = ScanConfig {
        walk: WalkConfig {
            roots: args.paths.clone(),
            threads,
            follow_links: args.follow_links,
            excludes: rules.exclude_paths.clone(),
        },
        limits,
        reveal: args.reveal,
        changed_since,
    };
    let engine = match Engine::new(rules, today()) {
        Ok(e) => e,
        Err(e) => return usage(text, e.message()),
    };

    let show_progress = !args.quiet && std::io::stderr().is_terminal();
    let bar = if show_progress {
        let b = indicatif::ProgressBar::new_spinner();
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "{spinner} {elapsed} {bytes} ({binary_bytes_per_sec}) {msg}",
        ) {
            b.set_style(style);
        }
        b.enable_steady_tick(Duration::from_millis(200));
        Some(b)
    } else {
        None
    };
    let state: Mutex<(Summary, Vec<Outcome>)> = Mutex::new((Summary::default(), Vec::new()));
    scan::scan(&engine, &cfg, cache.as_ref(), &|o: Outcome| {
        if let Ok(mut st) = state.lock() {
            st.0.add(&o);
            if let Some(b) = &bar {
                b.inc(o.bytes_read);
                let (files, findings, errors) = (
                    st.0.scanned + st.0.cached,
                    st.0.total_findings(),
                    st.0.errors,
                );
                b.set_message(
                    Message::new(
                        "scan-progress",
                        format!("{files} files, {findings} findings, {errors} errors"),
                    )
                    .arg("files", files)
                    .arg("findings", findings)
                    .arg("errors", errors)
                    .render(text),
                );
            }
            if !o.rows.is_empty() {
                st.1.push(o);
            }
        }
    });
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    let (summary, mut outcomes) = state.into_inner().unwrap_or_else(|p| p.into_inner());
    outcomes.sort_by(|a, b| a.path.cmp(&b.path));
    let rows: Vec<Row> = outcomes.into_iter().flat_map(|o| o.rows).collect();

    let mut code = if summary.total_findings() > 0 {
        1
    } else if summary.errors > 0 {
        2
    } else {
        0
    };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    if let Err(e) = report::write(&mut out, args.format, &rows, text).and_then(|_| out.flush())
        && e.kind() != std::io::ErrorKind::BrokenPipe
    {
        let msg = Message::new("scan-output-error", format!("cannot write output: {e}"))
            .arg("detail", e.to_string());
        eprintln!("vakt scan: {}", msg.render(text));
        code = 2;
    }
    if let (Some(c), Some(p)) = (cache, &args.cache)
        && let Err(e) = c.save(p)
    {
        eprintln!("vakt scan: {}", e.message().render(text));
        code = code.max(2);
    }
    if !args.quiet {
        eprintln!("{}", summary.render(text, started.elapsed()));
    }
    code
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_accept_plain_bytes_and_binary_suffixes() {
        assert_eq!(parse_size("1024"), Some(1024));
        assert_eq!(parse_size("512K"), Some(512 * 1024));
        assert_eq!(parse_size("10m"), Some(10 << 20));
        assert_eq!(parse_size("2GiB"), Some(2 << 30));
        assert_eq!(parse_size("1 MB"), Some(1 << 20));
        assert_eq!(parse_size("ten"), None);
        assert_eq!(parse_size(""), None);
    }

    #[test]
    fn dates_accept_a_day_or_an_rfc3339_time() {
        let d = parse_since("2024-01-02").expect("day");
        assert_eq!(
            d.duration_since(SystemTime::UNIX_EPOCH)
                .expect("after epoch")
                .as_secs(),
            1_704_153_600
        );
        assert!(parse_since("2024-01-02T03:04:05Z").is_some());
        assert!(parse_since("02.01.2024").is_none());
    }
}
