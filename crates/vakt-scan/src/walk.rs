//! The parallel walk: every file under the given paths, on every core, with `ignore`'s walker but none of
//! its filters (no .gitignore, hidden files included). Symbolic links are not followed unless asked; when
//! they are, a loop is reported as an error, never followed forever. Excluded paths (globs) are neither
//! visited nor descended into.

use std::fs::Metadata;
use std::path::{Path, PathBuf};

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use ignore::{WalkBuilder, WalkState};

/// What to walk.
#[derive(Debug, Clone)]
pub struct WalkConfig {
    pub roots: Vec<PathBuf>,
    pub threads: usize,
    pub follow_links: bool,
    pub excludes: Vec<String>,
}

/// One thing the walk met.
pub enum Visit<'a> {
    /// A regular file to scan.
    File { path: &'a Path, meta: Metadata },
    /// Something not scanned on purpose (a symbolic link not followed, a device, a pipe).
    Skipped {
        path: &'a Path,
        reason: &'static str,
    },
    /// Something that could not be visited (unreadable directory, symlink loop, vanished file).
    Error { path: PathBuf, message: String },
}

/// A glob that does not compile.
#[derive(Debug, thiserror::Error)]
#[error("invalid exclude glob `{glob}`: {detail}")]
pub struct GlobError {
    pub glob: String,
    pub detail: String,
}

impl crate::text::Explain for GlobError {
    fn message(&self) -> crate::text::Message {
        crate::text::Message::new("scan-error-glob", self.to_string())
            .arg("glob", self.glob.as_str())
            .arg("detail", self.detail.as_str())
    }
}

/// Compile exclusion globs. A glob matches the whole path, the path below its root, or the file name.
pub fn compile_excludes(globs: &[String]) -> Result<GlobSet, GlobError> {
    let mut b = GlobSetBuilder::new();
    for g in globs {
        let glob = GlobBuilder::new(g).build().map_err(|e| GlobError {
            glob: g.clone(),
            detail: e.to_string(),
        })?;
        b.add(glob);
    }
    b.build().map_err(|e| GlobError {
        glob: globs.join(", "),
        detail: e.to_string(),
    })
}

/// Is `path` (found under `roots`) excluded?
pub fn excluded(set: &GlobSet, roots: &[PathBuf], path: &Path) -> bool {
    if set.is_empty() {
        return false;
    }
    if set.is_match(path) {
        return true;
    }
    if let Some(name) = path.file_name()
        && set.is_match(Path::new(name))
    {
        return true;
    }
    roots
        .iter()
        .filter_map(|r| path.strip_prefix(r).ok())
        .any(|rel| !rel.as_os_str().is_empty() && set.is_match(rel))
}

fn error_path(e: &ignore::Error) -> Option<PathBuf> {
    match e {
        ignore::Error::WithPath { path, .. } => Some(path.clone()),
        ignore::Error::Loop { child, .. } => Some(child.clone()),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            error_path(err)
        }
        ignore::Error::Partial(v) => v.iter().find_map(error_path),
        _ => None,
    }
}

/// Walk `cfg.roots` in parallel, calling `visit` from the walker threads.
pub fn walk(cfg: &WalkConfig, excludes: &GlobSet, visit: &(dyn Fn(Visit<'_>) + Sync)) {
    let mut roots = cfg.roots.iter();
    let Some(first) = roots.next() else { return };
    let mut b = WalkBuilder::new(first);
    for r in roots {
        b.add(r);
    }
    b.standard_filters(false)
        .hidden(false)
        .parents(false)
        .ignore(false)
        .git_ignore(false)
        .git_global(false)
        .git_exclude(false)
        .follow_links(cfg.follow_links)
        .threads(cfg.threads.max(1));
    let filter_set = excludes.clone();
    let filter_roots = cfg.roots.clone();
    b.filter_entry(move |e| e.depth() == 0 || !excluded(&filter_set, &filter_roots, e.path()));
    b.build_parallel().run(|| {
        Box::new(move |result| {
            match result {
                Err(e) => {
                    let path = error_path(&e).unwrap_or_default();
                    visit(Visit::Error {
                        path,
                        message: e.to_string(),
                    });
                }
                Ok(entry) => {
                    if entry.depth() == 0 && excluded(excludes, &[], entry.path()) {
                        return WalkState::Continue;
                    }
                    let Some(ft) = entry.file_type() else {
                        return WalkState::Continue;
                    };
                    if ft.is_dir() {
                        return WalkState::Continue;
                    }
                    if ft.is_symlink() {
                        visit(Visit::Skipped {
                            path: entry.path(),
                            reason: "symbolic link not followed",
                        });
                        return WalkState::Continue;
                    }
                    if !ft.is_file() {
                        visit(Visit::Skipped {
                            path: entry.path(),
                            reason: "not a regular file",
                        });
                        return WalkState::Continue;
                    }
                    match entry.metadata() {
                        Ok(meta) => visit(Visit::File {
                            path: entry.path(),
                            meta,
                        }),
                        Err(e) => visit(Visit::Error {
                            path: entry.path().to_path_buf(),
                            message: e.to_string(),
                        }),
                    }
                }
            }
            WalkState::Continue
        })
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    fn run(cfg: &WalkConfig) -> (Vec<String>, Vec<String>, Vec<String>) {
        let set = compile_excludes(&cfg.excludes).expect("globs");
        let files = Mutex::new(Vec::new());
        let skipped = Mutex::new(Vec::new());
        let errors = Mutex::new(Vec::new());
        walk(cfg, &set, &|v| match v {
            Visit::File { path, .. } => {
                files.lock().expect("lock").push(path.display().to_string())
            }
            Visit::Skipped { path, .. } => skipped
                .lock()
                .expect("lock")
                .push(path.display().to_string()),
            Visit::Error { message, .. } => errors.lock().expect("lock").push(message),
        });
        let mut f = files.into_inner().expect("files");
        f.sort();
        (
            f,
            skipped.into_inner().expect("s"),
            errors.into_inner().expect("e"),
        )
    }

    #[test]
    fn walk_includes_hidden_and_ignored_files_and_honours_excludes() {
        let d = tempfile::tempdir().expect("tempdir");
        std::fs::write(d.path().join(".hidden.txt"), "x").expect("w");
        std::fs::write(d.path().join(".gitignore"), "ignored.txt\n").expect("w");
        std::fs::write(d.path().join("ignored.txt"), "x").expect("w");
        std::fs::create_dir(d.path().join("arkiv")).expect("mkdir");
        std::fs::write(d.path().join("arkiv/a.txt"), "x").expect("w");
        std::fs::write(d.path().join("b.log"), "x").expect("w");
        let cfg = WalkConfig {
            roots: vec![d.path().to_path_buf()],
            threads: 2,
            follow_links: false,
            excludes: vec!["arkiv".into(), "*.log".into()],
        };
        let (files, _, errors) = run(&cfg);
        let names: Vec<&str> = files.iter().filter_map(|f| f.rsplit('/').next()).collect();
        assert_eq!(names, vec![".gitignore", ".hidden.txt", "ignored.txt"]);
        assert!(errors.is_empty());
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_are_skipped_by_default_and_loops_are_errors_when_followed() {
        let d = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir(d.path().join("sub")).expect("mkdir");
        std::os::unix::fs::symlink(d.path(), d.path().join("sub/loop")).expect("symlink");
        std::fs::write(d.path().join("sub/a.txt"), "x").expect("w");
        let mut cfg = WalkConfig {
            roots: vec![d.path().to_path_buf()],
            threads: 2,
            follow_links: false,
            excludes: vec![],
        };
        let (files, skipped, errors) = run(&cfg);
        assert_eq!(files.len(), 1);
        assert_eq!(skipped.len(), 1);
        assert!(errors.is_empty());
        cfg.follow_links = true;
        let (files, _, errors) = run(&cfg);
        assert_eq!(files.len(), 1);
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(errors[0].contains("loop"), "{errors:?}");
    }
}
