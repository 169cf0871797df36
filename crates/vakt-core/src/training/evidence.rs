//! Evidence files for self-reported completions (a course certificate): what is accepted.
//! The type is decided by the file's content (magic bytes), never by its name or the browser's claim.

use serde::Serialize;

/// The largest evidence file accepted (bytes).
pub const MAX_EVIDENCE_BYTES: usize = 4 * 1024 * 1024;
/// The longest file name kept (characters); longer names are cut.
pub const MAX_FILE_NAME_CHARS: usize = 120;

/// An accepted evidence type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EvidenceType {
    Pdf,
    Png,
    Jpeg,
}

impl EvidenceType {
    /// The MIME type served on download.
    pub fn mime(self) -> &'static str {
        match self {
            EvidenceType::Pdf => "application/pdf",
            EvidenceType::Png => "image/png",
            EvidenceType::Jpeg => "image/jpeg",
        }
    }

    pub fn from_mime(s: &str) -> Option<EvidenceType> {
        match s {
            "application/pdf" => Some(EvidenceType::Pdf),
            "image/png" => Some(EvidenceType::Png),
            "image/jpeg" => Some(EvidenceType::Jpeg),
            _ => None,
        }
    }
}

/// Why a file was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(rename_all = "snake_case")]
pub enum EvidenceError {
    #[error("the file is empty")]
    Empty,
    #[error("the file is larger than the limit")]
    TooLarge,
    #[error("only PDF, PNG and JPEG files are accepted")]
    UnsupportedType,
}

impl EvidenceError {
    pub fn code(self) -> &'static str {
        match self {
            EvidenceError::Empty => "evidence_empty",
            EvidenceError::TooLarge => "evidence_too_large",
            EvidenceError::UnsupportedType => "evidence_type",
        }
    }
}

/// Checks an uploaded evidence file and tells its type.
pub fn check_evidence(bytes: &[u8]) -> Result<EvidenceType, EvidenceError> {
    if bytes.is_empty() {
        return Err(EvidenceError::Empty);
    }
    if bytes.len() > MAX_EVIDENCE_BYTES {
        return Err(EvidenceError::TooLarge);
    }
    if bytes.starts_with(b"%PDF-") {
        Ok(EvidenceType::Pdf)
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Ok(EvidenceType::Png)
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Ok(EvidenceType::Jpeg)
    } else {
        Err(EvidenceError::UnsupportedType)
    }
}

/// A file name safe to store and to send back in `Content-Disposition`: the last path segment, without
/// control characters, quotes or backslashes, at most [`MAX_FILE_NAME_CHARS`]; `evidence` when nothing is left.
pub fn clean_file_name(name: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = last
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | '\\' | ';'))
        .take(MAX_FILE_NAME_CHARS)
        .collect();
    let cleaned = cleaned.trim().to_owned();
    if cleaned.is_empty() || cleaned == "." || cleaned == ".." {
        "evidence".to_owned()
    } else {
        cleaned
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_type_comes_from_the_content() {
        assert_eq!(check_evidence(b"%PDF-1.7\n..."), Ok(EvidenceType::Pdf));
        assert_eq!(
            check_evidence(b"\x89PNG\r\n\x1a\n\0\0"),
            Ok(EvidenceType::Png)
        );
        assert_eq!(
            check_evidence(&[0xFF, 0xD8, 0xFF, 0xE0]),
            Ok(EvidenceType::Jpeg)
        );
        assert_eq!(
            check_evidence(b"<html><script>"),
            Err(EvidenceError::UnsupportedType)
        );
        assert_eq!(check_evidence(b""), Err(EvidenceError::Empty));
    }

    #[test]
    fn files_over_the_limit_are_refused() {
        let mut big = b"%PDF-".to_vec();
        big.resize(MAX_EVIDENCE_BYTES + 1, b' ');
        assert_eq!(check_evidence(&big), Err(EvidenceError::TooLarge));
        big.truncate(MAX_EVIDENCE_BYTES);
        assert!(check_evidence(&big).is_ok());
    }

    #[test]
    fn file_names_are_cleaned() {
        assert_eq!(clean_file_name("C:\\Users\\kari\\kurs.pdf"), "kurs.pdf");
        assert_eq!(clean_file_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_file_name("a\"b;\r\n.pdf"), "ab.pdf");
        assert_eq!(clean_file_name(".."), "evidence");
        assert_eq!(clean_file_name(&"x".repeat(500)).chars().count(), 120);
    }
}
