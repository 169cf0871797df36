//! The rescan cache (`--cache FILE`): for each scanned file its size, modification time and content hash,
//! and the rows the scan reported for it. A file whose size and modification time are unchanged is not
//! read again; a file whose metadata changed but whose content hash is unchanged is read (to hash it) but
//! not extracted again. The cache is tied to a fingerprint of the rules and output settings, so changing
//! them rescans everything. Values are stored as they were reported (masked unless `--reveal`, which is
//! part of the fingerprint), so the cache holds no clear numbers unless the user asked for them.
//!
//! The file is JSON lines: a header (`version`, `fingerprint`), then one `[path, entry]` per line, so
//! that a large cache is decoded (and encoded) on every core.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use crate::report::Row;

/// 2: JSON lines (1 was one JSON document; such a cache is rebuilt).
const VERSION: u32 = 2;

/// What is remembered about one file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    pub size: u64,
    /// Modification time, nanoseconds since the Unix epoch.
    pub mtime_ns: i128,
    /// SHA-256 of the content, hex.
    pub hash: String,
    /// Rows reported for the file (findings and error rows), paths included.
    pub rows: Vec<Row>,
    /// Reason the file was skipped, if it was (unknown binary type).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skipped: Option<String>,
}

/// The first line of the file.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Header {
    version: u32,
    fingerprint: String,
}

/// The entries of a cache file written for `fingerprint`, or `None` when it is of another version
/// or fingerprint, or garbled (it is then rebuilt).
fn decode(bytes: &[u8], fingerprint: &str) -> Option<HashMap<String, Entry>> {
    use rayon::prelude::*;
    let mut lines = bytes.split(|b| *b == b'\n').filter(|l| !l.is_empty());
    let header: Header = serde_json::from_slice(lines.next()?).ok()?;
    if header.version != VERSION || header.fingerprint != fingerprint {
        return None;
    }
    let lines: Vec<&[u8]> = lines.collect();
    lines
        .par_iter()
        .map(|l| serde_json::from_slice::<(String, Entry)>(l).ok())
        .collect::<Option<Vec<_>>>()
        .map(|v| v.into_iter().collect())
}

fn encode(fingerprint: &str, entries: &HashMap<String, Entry>) -> Result<Vec<u8>, CacheError> {
    use rayon::prelude::*;
    let header = Header {
        version: VERSION,
        fingerprint: fingerprint.to_owned(),
    };
    let enc = |e: serde_json::Error| CacheError::Encode(e.to_string());
    let mut out = serde_json::to_vec(&header).map_err(enc)?;
    out.push(b'\n');
    let all: Vec<(&String, &Entry)> = entries.iter().collect();
    let lines = all
        .par_iter()
        .map(|pe| {
            let mut l = serde_json::to_vec(pe)?;
            l.push(b'\n');
            Ok(l)
        })
        .collect::<Result<Vec<Vec<u8>>, serde_json::Error>>()
        .map_err(enc)?;
    for l in lines {
        out.extend_from_slice(&l);
    }
    Ok(out)
}

/// A problem with the cache file.
#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    #[error("cannot read cache {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("cannot write cache {path}: {source}")]
    Write {
        path: String,
        source: std::io::Error,
    },
    #[error("cannot encode cache: {0}")]
    Encode(String),
}

impl crate::text::Explain for CacheError {
    fn message(&self) -> crate::text::Message {
        use crate::text::Message;
        let english = self.to_string();
        match self {
            CacheError::Read { path, source } => Message::new("scan-cache-read", english)
                .arg("path", path.as_str())
                .arg("detail", source.to_string()),
            CacheError::Write { path, source } => Message::new("scan-cache-write", english)
                .arg("path", path.as_str())
                .arg("detail", source.to_string()),
            CacheError::Encode(d) => {
                Message::new("scan-cache-encode", english).arg("detail", d.as_str())
            }
        }
    }
}

/// The cache of one scan: previous entries (read-only) and the entries of this run.
pub struct Cache {
    fingerprint: String,
    old: HashMap<String, Entry>,
    by_hash: HashMap<String, String>,
    new: Mutex<HashMap<String, Entry>>,
    /// The file on disk was read and matches this run's settings.
    current: bool,
}

impl Cache {
    /// Load `path` if it exists and was written with the same fingerprint; otherwise start empty.
    /// A missing or unreadable-as-JSON cache is not an error (it is rebuilt); an I/O error is.
    pub fn load(path: &Path, fingerprint: &str) -> Result<Cache, CacheError> {
        let mut current = false;
        let old = match std::fs::read(path) {
            Ok(bytes) => match decode(&bytes, fingerprint) {
                Some(entries) => {
                    current = true;
                    entries
                }
                None => HashMap::new(),
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => HashMap::new(),
            Err(source) => {
                return Err(CacheError::Read {
                    path: path.display().to_string(),
                    source,
                });
            }
        };
        let by_hash = old
            .iter()
            .map(|(p, e)| (e.hash.clone(), p.clone()))
            .collect();
        Ok(Cache {
            fingerprint: fingerprint.to_string(),
            old,
            by_hash,
            new: Mutex::new(HashMap::new()),
            current,
        })
    }

    /// The previous entry for `path` if size and modification time are unchanged.
    pub fn unchanged(&self, path: &str, size: u64, mtime_ns: i128) -> Option<&Entry> {
        self.old
            .get(path)
            .filter(|e| e.size == size && e.mtime_ns == mtime_ns)
    }

    /// A previous entry with the same content, under this path or another one.
    pub fn same_content(&self, path: &str, hash: &str) -> Option<&Entry> {
        match self.old.get(path) {
            Some(e) if e.hash == hash => Some(e),
            _ => self.by_hash.get(hash).and_then(|p| self.old.get(p)),
        }
    }

    /// Remember a file of this run.
    pub fn put(&self, path: String, entry: Entry) {
        if let Ok(mut m) = self.new.lock() {
            m.insert(path, entry);
        }
    }

    /// Write previous entries not seen in this run plus this run's entries, atomically (temp + rename).
    pub fn save(self, path: &Path) -> Result<(), CacheError> {
        let new = self.new.into_inner().unwrap_or_else(|p| p.into_inner());
        if new.is_empty() && self.current {
            // Every file was unchanged (or not seen): the file on disk already says everything.
            drop_later(self.old);
            return Ok(());
        }
        let mut entries = self.old;
        entries.extend(new);
        let bytes = encode(&self.fingerprint, &entries);
        drop_later(entries);
        let bytes = bytes?;
        let tmp = path.with_extension("tmp-vakt");
        let write_err = |source| CacheError::Write {
            path: path.display().to_string(),
            source,
        };
        std::fs::write(&tmp, bytes).map_err(write_err)?;
        std::fs::rename(&tmp, path).map_err(write_err)
    }
}

/// Free a large cache on a thread of its own: the scan is over, and a command line run ends without
/// waiting for the many small frees.
fn drop_later(entries: HashMap<String, Entry>) {
    if entries.len() > 1000 {
        std::thread::spawn(move || drop(entries));
    }
}

/// SHA-256 of a file's content, hex.

pub fn content_hash(data: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(data))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(hash: &str) -> Entry {
        Entry {
            size: 10,
            mtime_ns: 42,
            hash: hash.into(),
            rows: vec![Row::error(
                "a",
                crate::text::Message::new("scan-error-walk", "x"),
            )],
            skipped: None,
        }
    }

    #[test]
    fn cache_round_trips_and_answers_by_metadata_and_by_content() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("c.json");
        let c = Cache::load(&p, "fp").expect("empty");
        assert!(c.unchanged("a", 10, 42).is_none());
        c.put("a".into(), entry("h1"));
        c.save(&p).expect("save");
        let c = Cache::load(&p, "fp").expect("load");
        assert_eq!(c.unchanged("a", 10, 42), Some(&entry("h1")));
        assert!(c.unchanged("a", 11, 42).is_none(), "size changed");
        assert!(c.unchanged("a", 10, 43).is_none(), "mtime changed");
        assert!(
            c.same_content("b", "h1").is_some(),
            "same content elsewhere"
        );
        assert!(c.same_content("a", "h2").is_none());
    }

    #[test]
    fn a_different_fingerprint_starts_an_empty_cache() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("c.json");
        let c = Cache::load(&p, "fp").expect("empty");
        c.put("a".into(), entry("h1"));
        c.save(&p).expect("save");
        assert!(
            Cache::load(&p, "other")
                .expect("load")
                .unchanged("a", 10, 42)
                .is_none()
        );
    }

    #[test]
    fn many_entries_round_trip_and_a_cut_off_file_is_rebuilt() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("c.json");
        let c = Cache::load(&p, "fp").expect("empty");
        for i in 0..2000 {
            c.put(format!("dir/f{i}\nwith a newline"), entry(&format!("h{i}")));
        }
        c.save(&p).expect("save");
        let c = Cache::load(&p, "fp").expect("load");
        assert_eq!(
            c.unchanged("dir/f1999\nwith a newline", 10, 42),
            Some(&entry("h1999"))
        );
        assert!(c.same_content("x", "h7").is_some());
        // Nothing new: the file is left as it was.
        let before = std::fs::read(&p).expect("read");
        c.save(&p).expect("save");
        assert_eq!(std::fs::read(&p).expect("read"), before);
        // A file cut off in the middle of a line (a killed process, a full disk) is not half-trusted.
        std::fs::write(&p, &before[..before.len() / 2]).expect("write");
        let c = Cache::load(&p, "fp").expect("load");
        assert!(c.unchanged("dir/f0\nwith a newline", 10, 42).is_none());
    }

    #[test]
    fn a_garbled_cache_is_rebuilt_not_fatal() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("c.json");
        std::fs::write(&p, b"{not json").expect("write");
        assert!(
            Cache::load(&p, "fp")
                .expect("load")
                .unchanged("a", 10, 42)
                .is_none()
        );
    }
}
