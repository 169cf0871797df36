//! ZIP archives (members recurse through [`super::extract`]) and the part reader shared by the OOXML and
//! ODF extractors. Every member is decompressed as a stream under the [`Limits`]: its size, the ratio of
//! decompressed to compressed bytes actually read, and the total decompressed out of the top-level file
//! are counted while reading, so declared sizes are never trusted.

use std::cell::Cell;
use std::io::{Cursor, Read, Seek, SeekFrom};
use std::rc::Rc;

use super::{
    Budget, Emitter, Event, ExtractError, Format, Limits, extract_member, join_member, total_limit,
};

/// Below this many decompressed bytes a member is never stopped for its compression ratio (small, very
/// repetitive parts such as XML boilerplate compress far beyond any sane ratio).
const RATIO_GRACE: u64 = 1 << 20;

/// A cursor that counts the bytes read through it (the compressed bytes consumed).
pub(crate) struct Counting<'a> {
    inner: Cursor<&'a [u8]>,
    read: Rc<Cell<u64>>,
}

impl Read for Counting<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read.set(self.read.get().saturating_add(n as u64));
        Ok(n)
    }
}

impl Seek for Counting<'_> {
    fn seek(&mut self, pos: SeekFrom) -> std::io::Result<u64> {
        self.inner.seek(pos)
    }
}

/// An opened ZIP archive with the counter of compressed bytes read.
pub(crate) struct Archive<'a> {
    pub zip: zip::ZipArchive<Counting<'a>>,
    read: Rc<Cell<u64>>,
}

/// What reading one member gave.
pub(crate) enum Member {
    Data(Vec<u8>),
    Dir,
    /// Skipped on purpose (reason).
    Skipped(String),
}

pub(crate) fn open<'a>(data: &'a [u8], format: &'static str) -> Result<Archive<'a>, ExtractError> {
    let read = Rc::new(Cell::new(0));
    let cursor = Counting {
        inner: Cursor::new(data),
        read: Rc::clone(&read),
    };
    let zip = zip::ZipArchive::new(cursor).map_err(|e| ExtractError::Malformed {
        format,
        detail: e.to_string(),
    })?;
    Ok(Archive { zip, read })
}

fn ratio_limit(limits: &Limits) -> ExtractError {
    ExtractError::Limit {
        what: super::LimitKind::Ratio,
        max: limits.max_ratio,
    }
}

impl Archive<'_> {
    pub fn names(&self) -> Vec<String> {
        self.zip.file_names().map(str::to_string).collect()
    }

    /// Read member `index` under the limits of `budget`.
    pub fn read_index(
        &mut self,
        index: usize,
        budget: &mut Budget<'_>,
    ) -> Result<Member, ExtractError> {
        let limits = budget.limits;
        let mut file = self.zip.by_index(index).map_err(|e| match e {
            zip::result::ZipError::UnsupportedArchive(m) => {
                ExtractError::Unsupported(m.to_string())
            }
            other => ExtractError::Malformed {
                format: "zip",
                detail: other.to_string(),
            },
        })?;
        if file.is_dir() {
            return Ok(Member::Dir);
        }
        let declared = file.size();
        let compressed = file.compressed_size();
        if declared > RATIO_GRACE && declared / compressed.max(1) > limits.max_ratio {
            return Err(ratio_limit(limits));
        }
        if declared > limits.max_file_size {
            return Ok(Member::Skipped(format!(
                "declared size {declared} bytes is larger than max_file_size ({} bytes)",
                limits.max_file_size
            )));
        }
        let start = self.read.get();
        let mut out: Vec<u8> =
            Vec::with_capacity(usize::try_from(declared.min(1 << 20)).unwrap_or(0));
        let mut buf = vec![0u8; 64 * 1024];
        let mut rounds = 0u32;
        loop {
            let n = file.read(&mut buf).map_err(|e| ExtractError::Malformed {
                format: "zip",
                detail: e.to_string(),
            })?;
            if n == 0 {
                break;
            }
            out.extend_from_slice(buf.get(..n).unwrap_or_default());
            let len = out.len() as u64;
            if len > limits.max_file_size {
                return Err(ExtractError::Limit {
                    what: super::LimitKind::MemberSize,
                    max: limits.max_file_size,
                });
            }
            let consumed = self.read.get().saturating_sub(start).max(1);
            if len > RATIO_GRACE && len / consumed > limits.max_ratio {
                return Err(ratio_limit(limits));
            }
            if budget.decompressed.saturating_add(len) > limits.max_total_decompressed {
                budget.decompressed = budget.decompressed.saturating_add(len);
                return Err(total_limit(limits));
            }
            rounds += 1;
            if rounds.is_multiple_of(16) {
                budget.check_time()?;
            }
        }
        budget.decompressed = budget.decompressed.saturating_add(out.len() as u64);
        Ok(Member::Data(out))
    }

    /// Read the member named `name`, if present (`Ok(None)` when absent).
    pub fn read_name(
        &mut self,
        name: &str,
        budget: &mut Budget<'_>,
    ) -> Result<Option<Vec<u8>>, ExtractError> {
        let Some(index) = self.zip.index_for_name(name) else {
            return Ok(None);
        };
        match self.read_index(index, budget)? {
            Member::Data(d) => Ok(Some(d)),
            Member::Dir => Ok(None),
            // Only a declared size above max_file_size skips a member.
            Member::Skipped(_) => Err(ExtractError::Limit {
                what: super::LimitKind::MemberSize,
                max: budget.limits.max_file_size,
            }),
        }
    }
}

/// Tell ZIP-based formats apart (ODF by its `mimetype` member, OOXML by its main part).
pub(crate) fn detect_zip(data: &[u8], ext: &str) -> Format {
    let by_ext = match ext {
        "docx" | "docm" | "dotx" => Some(Format::Docx),
        "xlsx" | "xlsm" | "xltx" => Some(Format::Xlsx),
        "pptx" | "pptm" | "potx" | "ppsx" => Some(Format::Pptx),
        "odt" | "ott" => Some(Format::Odt),
        "ods" | "ots" => Some(Format::Ods),
        "odp" | "otp" => Some(Format::Odp),
        _ => None,
    };
    // ODF: the first member is an uncompressed `mimetype`.
    if data.get(30..38) == Some(b"mimetype".as_slice()) {
        let tail = data.get(38..data.len().min(38 + 80)).unwrap_or_default();
        let tail = String::from_utf8_lossy(tail);
        for (mime, f) in [
            ("application/vnd.oasis.opendocument.text", Format::Odt),
            (
                "application/vnd.oasis.opendocument.spreadsheet",
                Format::Ods,
            ),
            (
                "application/vnd.oasis.opendocument.presentation",
                Format::Odp,
            ),
        ] {
            if tail.contains(mime) && !tail.contains(&format!("{mime}-")) {
                return f;
            }
        }
    }
    let Ok(archive) = open(data, "zip") else {
        return by_ext.unwrap_or(Format::Zip);
    };
    let has = |n: &str| archive.zip.index_for_name(n).is_some();
    if has("word/document.xml") {
        Format::Docx
    } else if has("xl/workbook.xml") {
        Format::Xlsx
    } else if has("ppt/presentation.xml") {
        Format::Pptx
    } else {
        // A file named as an office document that lacks its main part is a damaged document.
        by_ext.unwrap_or(Format::Zip)
    }
}

/// Extract every member of a ZIP archive through [`super::extract`], one level deeper.
pub(crate) fn extract_zip(
    data: &[u8],
    depth: u32,
    budget: &mut Budget<'_>,
    em: &mut Emitter<'_>,
) -> Result<(), ExtractError> {
    let mut archive = open(data, "zip")?;
    for index in 0..archive.zip.len() {
        if let Some(stop) = budget.exhausted() {
            return Err(stop);
        }
        let name = archive
            .zip
            .name_for_index(index)
            .map_or_else(|| format!("member{index}"), str::to_string);
        let member = join_member(&em.member, &name);
        match archive.read_index(index, budget) {
            Ok(Member::Data(bytes)) => {
                extract_member(&name, &member, &bytes, depth, budget, em.sink)?
            }
            Ok(Member::Dir) => {}
            Ok(Member::Skipped(reason)) => (em.sink)(Event::Skipped { member, reason }),
            Err(error) => {
                if let Some(stop) = budget.exhausted() {
                    return Err(stop);
                }
                (em.sink)(Event::Error { member, error });
            }
        }
    }
    Ok(())
}

/// Recurse into the embedded files of an office document (`word/embeddings/...`).
pub(crate) fn extract_embeddings(
    archive: &mut Archive<'_>,
    prefix: &str,
    depth: u32,
    budget: &mut Budget<'_>,
    em: &mut Emitter<'_>,
) -> Result<(), ExtractError> {
    let names: Vec<(usize, String)> = archive
        .names()
        .into_iter()
        .filter(|n| n.starts_with(prefix))
        .filter_map(|n| archive.zip.index_for_name(&n).map(|i| (i, n)))
        .collect();
    for (index, name) in names {
        if let Some(stop) = budget.exhausted() {
            return Err(stop);
        }
        let member = join_member(&em.member, &name);
        match archive.read_index(index, budget) {
            Ok(Member::Data(bytes)) => {
                extract_member(&name, &member, &bytes, depth, budget, em.sink)?
            }
            Ok(Member::Dir) => {}
            Ok(Member::Skipped(reason)) => (em.sink)(Event::Skipped { member, reason }),
            Err(error) => (em.sink)(Event::Error { member, error }),
        }
    }
    Ok(())
}
