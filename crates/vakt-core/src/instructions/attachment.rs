//! Attachment rules: size limit, allowed content types checked against the file's own bytes
//! (never trusting the browser's claim alone), and a safe file name.

use serde::Serialize;

/// The largest attachment accepted (10 MiB).
pub const MAX_ATTACHMENT_BYTES: usize = 10 * 1024 * 1024;

/// Why an attachment was refused. Each maps to a Fluent key in the web layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error, Serialize)]
#[serde(rename_all = "snake_case", tag = "code")]
pub enum AttachmentError {
    #[error("the file is empty")]
    Empty,
    #[error("the file is larger than the limit")]
    TooLarge,
    #[error("this kind of file is not accepted")]
    TypeNotAllowed,
    #[error("the file's content does not match its type")]
    ContentMismatch,
    #[error("the file name is not usable")]
    BadName,
}

/// The content types accepted, each with the check of its first bytes.
const ALLOWED: &[(&str, &[&str])] = &[
    ("application/pdf", &["pdf"]),
    ("image/png", &["png"]),
    ("image/jpeg", &["jpg", "jpeg"]),
    ("text/plain", &["txt", "md"]),
    (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        &["docx"],
    ),
    (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        &["xlsx"],
    ),
    ("application/vnd.oasis.opendocument.text", &["odt"]),
];

fn sniff_ok(content_type: &str, data: &[u8]) -> bool {
    match content_type {
        "application/pdf" => data.starts_with(b"%PDF-"),
        "image/png" => data.starts_with(b"\x89PNG\r\n\x1a\n"),
        "image/jpeg" => data.starts_with(&[0xFF, 0xD8, 0xFF]),
        "text/plain" => std::str::from_utf8(data).is_ok() && !data.contains(&0),
        _ => data.starts_with(b"PK\x03\x04"),
    }
}

/// A checked attachment: the cleaned file name and the content type it is stored and served as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedAttachment {
    pub file_name: String,
    pub content_type: &'static str,
}

/// Checks an upload. The type is taken from the file name's extension and must match the bytes;
/// the claimed type (from the browser) is ignored except that it may not contradict the extension.
pub fn check_attachment(
    file_name: &str,
    data: &[u8],
) -> Result<CheckedAttachment, AttachmentError> {
    if data.is_empty() {
        return Err(AttachmentError::Empty);
    }
    if data.len() > MAX_ATTACHMENT_BYTES {
        return Err(AttachmentError::TooLarge);
    }
    let base = file_name
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or_default()
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | '<' | '>' | ':' | '*' | '?' | '|'))
        .collect::<String>();
    let base = base.trim().trim_start_matches('.').to_string();
    if base.is_empty() || base.chars().count() > 200 {
        return Err(AttachmentError::BadName);
    }
    let ext = base
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .ok_or(AttachmentError::TypeNotAllowed)?;
    let (content_type, _) = ALLOWED
        .iter()
        .find(|(_, exts)| exts.contains(&ext.as_str()))
        .ok_or(AttachmentError::TypeNotAllowed)?;
    if !sniff_ok(content_type, data) {
        return Err(AttachmentError::ContentMismatch);
    }
    Ok(CheckedAttachment {
        file_name: base,
        content_type,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_pdf_with_a_pdf_header_is_accepted_and_the_path_is_dropped() {
        let a = check_attachment("C:\\Users\\kari\\rutine.pdf", b"%PDF-1.7\n...").unwrap();
        assert_eq!(a.file_name, "rutine.pdf");
        assert_eq!(a.content_type, "application/pdf");
    }

    #[test]
    fn a_script_renamed_to_pdf_or_an_html_file_is_refused() {
        assert_eq!(
            check_attachment("x.pdf", b"<script>alert(1)</script>"),
            Err(AttachmentError::ContentMismatch)
        );
        assert_eq!(
            check_attachment("x.html", b"<html>"),
            Err(AttachmentError::TypeNotAllowed)
        );
        assert_eq!(
            check_attachment("noext", b"abc"),
            Err(AttachmentError::TypeNotAllowed)
        );
    }

    #[test]
    fn empty_oversized_and_nameless_files_are_refused() {
        assert_eq!(check_attachment("a.txt", b""), Err(AttachmentError::Empty));
        let big = vec![b'a'; MAX_ATTACHMENT_BYTES + 1];
        assert_eq!(
            check_attachment("a.txt", &big),
            Err(AttachmentError::TooLarge)
        );
        assert_eq!(check_attachment("../", b"a"), Err(AttachmentError::BadName));
        assert_eq!(
            check_attachment("a.txt", b"a\0b"),
            Err(AttachmentError::ContentMismatch)
        );
    }
}
