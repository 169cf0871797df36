//! One scan: walk, read each file once, extract, detect, and hand each file's rows to the caller.

use std::path::Path;
use std::time::{Instant, SystemTime};

use crate::cache::{Cache, Entry, content_hash};
use crate::detect::Engine;
use crate::extract::{self, Budget, Event, Limits};
use crate::report::{Row, join_member};
use crate::text::{Explain, Message};
use crate::walk::{self, Visit, WalkConfig};

/// Settings of one scan besides the rules.
#[derive(Debug, Clone)]
pub struct ScanConfig {
    pub walk: WalkConfig,
    pub limits: Limits,
    pub reveal: bool,
    /// Only files modified at or after this time are scanned.
    pub changed_since: Option<SystemTime>,
}

/// What happened to one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    /// Read and extracted.
    Scanned,
    /// Rows taken from the cache without reading the file.
    Cached,
    /// Read (to hash it), rows taken from the cache for the same content.
    CachedByContent,
    /// Not scanned on purpose.
    Skipped(String),
    /// Could not be read.
    Error,
}

/// A file's rows and status.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub path: String,
    pub rows: Vec<Row>,
    pub bytes_read: u64,
    pub status: Status,
    /// Members inside the file skipped on purpose (unknown types, limits).
    pub skipped_members: u32,
}

/// Extract and detect in the bytes of one file named `path`. Returns the rows (findings and error rows),
/// the reason the file itself was skipped (if it was), and the number of skipped members.
pub fn scan_bytes(
    engine: &Engine,
    path: &str,
    data: &[u8],
    limits: &Limits,
    reveal: bool,
) -> (Vec<Row>, Option<String>, u32) {
    let mut det = engine.file();
    let mut errors = Vec::new();
    let mut skipped_file = None;
    let mut skipped_members = 0u32;
    let mut budget = Budget {
        limits,
        started: Instant::now(),
        decompressed: 0,
    };
    let name = Path::new(path)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.to_string());
    // Time per file is also enforced here, at every segment: once it has run out, the rest of the file's
    // text is not looked at and the file gets a timeout row (with the findings made so far).
    let deadline = budget.started.checked_add(limits.max_time_per_file);
    let mut late = false;
    let result = extract::extract(&name, "", data, 0, &mut budget, &mut |ev| match ev {
        Event::Text(seg) => {
            if !late && deadline.is_some_and(|d| Instant::now() > d) {
                late = true;
            }
            if !late {
                det.segment(&seg);
            }
        }
        Event::Skipped { member, reason } => {
            if member.is_empty() {
                skipped_file = Some(reason);
            } else {
                skipped_members += 1;
            }
        }
        Event::Error { member, error } => {
            errors.push(Row::error(&join_member(path, &member), error.message()))
        }
    });
    match result {
        Err(e) => errors.push(Row::error(path, e.message())),
        Ok(_) if late => errors.push(Row::error(
            path,
            extract::ExtractError::Timeout(limits.max_time_per_file.as_secs()).message(),
        )),
        Ok(_) => {}
    }
    let mut rows: Vec<Row> = det
        .finish()
        .iter()
        .map(|f| Row::from_finding(path, f, reveal))
        .collect();
    rows.extend(errors);
    (rows, skipped_file, skipped_members)
}

fn mtime_ns(meta: &std::fs::Metadata) -> i128 {
    meta.modified()
        .ok()
        .and_then(|t| t.duration_since(SystemTime::UNIX_EPOCH).ok())
        .map(|d| d.as_nanos() as i128)
        .unwrap_or(-1)
}

/// Scan one file.
pub fn scan_file(
    engine: &Engine,
    cfg: &ScanConfig,
    cache: Option<&Cache>,
    path: &Path,
    meta: &std::fs::Metadata,
) -> Outcome {
    let shown = path.display().to_string();
    let outcome = |rows, bytes_read, status| Outcome {
        path: shown.clone(),
        rows,
        bytes_read,
        status,
        skipped_members: 0,
    };
    if let Some(since) = cfg.changed_since
        && meta.modified().is_ok_and(|m| m < since)
    {
        return outcome(
            Vec::new(),
            0,
            Status::Skipped("not changed since the given date".into()),
        );
    }
    let size = meta.len();
    if size > cfg.limits.max_file_size {
        return outcome(
            Vec::new(),
            0,
            Status::Skipped(format!("larger than {} bytes", cfg.limits.max_file_size)),
        );
    }
    let mtime = mtime_ns(meta);
    if let Some(c) = cache
        && let Some(e) = c.unchanged(&shown, size, mtime)
    {
        // Unchanged: the entry stays as it is in the cache (nothing to put back).
        let status = match &e.skipped {
            Some(r) => Status::Skipped(r.clone()),
            None => Status::Cached,
        };
        return outcome(e.rows.clone(), 0, status);
    }
    // Each walker thread reads through its own buffer, reused from file to file (no fresh allocation and
    // page faults per file); a buffer grown past 64 MiB is given back.
    thread_local! {
        static BUF: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    let mut data = BUF.with(|b| std::mem::take(&mut *b.borrow_mut()));
    data.clear();
    let read = std::fs::File::open(path).and_then(|mut f| {
        use std::io::Read;
        data.reserve(usize::try_from(size).unwrap_or(0).saturating_add(1));
        // Never more than the size limit (+1 to notice a file that grew).
        f.by_ref()
            .take(cfg.limits.max_file_size.saturating_add(1))
            .read_to_end(&mut data)
    });
    let out = match read {
        Ok(_) => scan_data(engine, cfg, cache, shown, size, mtime, &data),
        Err(e) => outcome(
            vec![Row::error(
                &shown,
                Message::new("scan-error-unreadable", format!("cannot read: {e}"))
                    .arg("detail", e.to_string()),
            )],
            0,
            Status::Error,
        ),
    };
    if data.capacity() <= 64 << 20 {
        BUF.with(|b| *b.borrow_mut() = data);
    }
    out
}

fn scan_data(
    engine: &Engine,
    cfg: &ScanConfig,
    cache: Option<&Cache>,
    shown: String,
    size: u64,
    mtime: i128,
    data: &[u8],
) -> Outcome {
    let outcome = |rows, bytes_read, status| Outcome {
        path: shown.clone(),
        rows,
        bytes_read,
        status,
        skipped_members: 0,
    };
    let bytes = data.len() as u64;
    if bytes > cfg.limits.max_file_size {
        return outcome(
            Vec::new(),
            bytes,
            Status::Skipped(format!("larger than {} bytes", cfg.limits.max_file_size)),
        );
    }
    let hash = cache.map(|_| content_hash(data));
    if let (Some(c), Some(h)) = (cache, &hash)
        && let Some(e) = c.same_content(&shown, h)
    {
        // Same content as before (here or under another path): reuse, with this path.
        let rows: Vec<Row> = e
            .rows
            .iter()
            .map(|r| {
                let mut r = r.clone();
                if let Some(rest) = r.path.strip_prefix(&e.rows_path_prefix()) {
                    r.path = format!("{shown}{rest}");
                }
                r
            })
            .collect();
        let entry = Entry {
            size,
            mtime_ns: mtime,
            hash: h.clone(),
            rows: rows.clone(),
            skipped: e.skipped.clone(),
        };
        let status = match &e.skipped {
            Some(r) => Status::Skipped(r.clone()),
            None => Status::CachedByContent,
        };
        c.put(shown.clone(), entry);
        return outcome(rows, bytes, status);
    }
    let (rows, skipped, skipped_members) =
        scan_bytes(engine, &shown, data, &cfg.limits, cfg.reveal);
    if let (Some(c), Some(h)) = (cache, hash) {
        c.put(
            shown.clone(),
            Entry {
                size,
                mtime_ns: mtime,
                hash: h,
                rows: rows.clone(),
                skipped: skipped.clone(),
            },
        );
    }
    let status = match skipped {
        Some(r) => Status::Skipped(r),
        None if rows.iter().any(|r| r.is_error() && r.path == shown) => Status::Error,
        None => Status::Scanned,
    };
    Outcome {
        path: shown,
        rows,
        bytes_read: bytes,
        status,
        skipped_members,
    }
}

/// Walk and scan; `on_file` is called (from the walker threads) once per file, skipped path or error.
pub fn scan(
    engine: &Engine,
    cfg: &ScanConfig,
    cache: Option<&Cache>,
    on_file: &(dyn Fn(Outcome) + Sync),
) {
    let excludes = match walk::compile_excludes(&cfg.walk.excludes) {
        Ok(s) => s,
        Err(e) => {
            on_file(Outcome {
                path: String::new(),
                rows: vec![Row::error("", e.message())],
                bytes_read: 0,
                status: Status::Error,
                skipped_members: 0,
            });
            return;
        }
    };
    walk::walk(&cfg.walk, &excludes, &|v| match v {
        Visit::File { path, meta } => on_file(scan_file(engine, cfg, cache, path, &meta)),
        Visit::Skipped { path, reason } => on_file(Outcome {
            path: path.display().to_string(),
            rows: Vec::new(),
            bytes_read: 0,
            status: Status::Skipped(reason.to_string()),
            skipped_members: 0,
        }),
        Visit::Error { path, message } => {
            let p = path.display().to_string();
            on_file(Outcome {
                rows: vec![Row::error(
                    &p,
                    Message::new("scan-error-walk", message.clone()).arg("detail", message),
                )],
                path: p,
                bytes_read: 0,
                status: Status::Error,
                skipped_members: 0,
            })
        }
    });
}

trait RowsPathPrefix {
    fn rows_path_prefix(&self) -> String;
}

impl RowsPathPrefix for Entry {
    /// The top-level path the stored rows were written with (rows of members extend it with `!`).
    fn rows_path_prefix(&self) -> String {
        self.rows
            .iter()
            .map(|r| r.path.split('!').next().unwrap_or("").to_string())
            .next()
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::Rules;

    #[test]
    fn a_file_past_its_time_gets_a_timeout_row() {
        let engine = Engine::new(
            Rules::defaults(),
            vakt_idnr::Date {
                year: 2026,
                month: 1,
                day: 1,
            },
        )
        .expect("engine");
        let limits = Limits {
            max_time_per_file: std::time::Duration::ZERO,
            ..Limits::default()
        };
        // The clock has run out before extraction (or the first segment) gets anywhere.
        let (rows, _, _) = scan_bytes(&engine, "a.csv", b"navn;fnr\nOla;x\n", &limits, false);
        assert!(
            rows.iter().any(
                |r| r.is_error() && r.error.as_deref().is_some_and(|e| e.contains("timed out"))
            ),
            "{rows:?}"
        );
    }
}
