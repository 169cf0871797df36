//! Plain text (UTF-8, UTF-16 with or without BOM, Windows-1252/Latin-1) and CSV.

use std::borrow::Cow;

use super::{Budget, Emitter, ExtractError, Location, Structure};

/// Plain text is cut into segments of whole lines of about this many bytes.
const CHUNK: usize = 1 << 20;

fn utf16_guess(data: &[u8]) -> Option<bool> {
    // Some(true) = little endian, Some(false) = big endian: ASCII-range text without a BOM has a NUL in
    // every other byte.
    let n = data.len().min(512) & !1;
    if n < 8 {
        return None;
    }
    let sample = &data[..n];
    let odd_nul = sample
        .iter()
        .skip(1)
        .step_by(2)
        .filter(|b| **b == 0)
        .count();
    let even_nul = sample.iter().step_by(2).filter(|b| **b == 0).count();
    let half = n / 2;
    if odd_nul * 10 >= half * 9 && even_nul * 10 < half {
        Some(true)
    } else if even_nul * 10 >= half * 9 && odd_nul * 10 < half {
        Some(false)
    } else {
        None
    }
}

/// True when `data` does not look like text in any encoding we read.
pub(crate) fn looks_binary(data: &[u8]) -> bool {
    if data.starts_with(b"\xFF\xFE") || data.starts_with(b"\xFE\xFF") || utf16_guess(data).is_some()
    {
        return false;
    }
    let sample = &data[..data.len().min(8192)];
    if memchr::memchr(0, sample).is_some() {
        return true;
    }
    let controls = sample
        .iter()
        .filter(|b| **b < 0x20 && !matches!(**b, b'\t' | b'\n' | b'\r' | 0x0c | 0x1b))
        .count();
    controls * 10 > sample.len()
}

/// The first few KiB of `data`, decoded leniently (for sniffing).
pub(crate) fn decode_head(data: &[u8]) -> String {
    let head = &data[..data.len().min(4096)];
    match decode(head) {
        Ok(s) => s.into_owned(),
        Err(_) => String::from_utf8_lossy(head).into_owned(),
    }
}

/// Decode text: a byte order mark decides (UTF-8, UTF-16 LE/BE), then UTF-16 without BOM by its NUL
/// pattern, then UTF-8 if valid, else Windows-1252 (a superset of the printable Latin-1 range).
/// Bytes that contradict their byte order mark are malformed.
pub(crate) fn decode(data: &[u8]) -> Result<Cow<'_, str>, ExtractError> {
    let malformed = |detail: &str| ExtractError::Malformed {
        format: "text",
        detail: detail.to_string(),
    };
    if let Some(rest) = data.strip_prefix(b"\xEF\xBB\xBF") {
        return simdutf8::compat::from_utf8(rest)
            .map(Cow::Borrowed)
            .map_err(|e| {
                malformed(&format!(
                    "invalid UTF-8 after a UTF-8 byte order mark at byte {}",
                    e.valid_up_to() + 3
                ))
            });
    }
    let utf16 = if let Some(rest) = data.strip_prefix(b"\xFF\xFE") {
        Some((rest, encoding_rs::UTF_16LE))
    } else if let Some(rest) = data.strip_prefix(b"\xFE\xFF") {
        Some((rest, encoding_rs::UTF_16BE))
    } else {
        match utf16_guess(data) {
            Some(true) => Some((data, encoding_rs::UTF_16LE)),
            Some(false) => Some((data, encoding_rs::UTF_16BE)),
            None => None,
        }
    };
    if let Some((rest, enc)) = utf16 {
        if rest.len() % 2 != 0 {
            return Err(malformed("UTF-16 text with an odd number of bytes"));
        }
        let (text, _had_errors) = enc.decode_without_bom_handling(rest);
        return Ok(Cow::Owned(text.into_owned()));
    }
    // Every plain-text byte passes this check; the SIMD validator keeps it off the profile.
    match simdutf8::basic::from_utf8(data) {
        Ok(s) => Ok(Cow::Borrowed(s)),
        Err(_) => {
            let (text, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(data);
            Ok(Cow::Owned(text.into_owned()))
        }
    }
}

pub(crate) fn extract_text(
    data: &[u8],
    em: &mut Emitter<'_>,
    budget: &Budget<'_>,
) -> Result<(), ExtractError> {
    let text = decode(data)?;
    emit_lines(&text, 1, em, budget)
}

/// Emit `text` (starting at line `first`) as prose segments of whole lines.
pub(crate) fn emit_lines(
    text: &str,
    first: u32,
    em: &mut Emitter<'_>,
    budget: &Budget<'_>,
) -> Result<(), ExtractError> {
    let bytes = text.as_bytes();
    let mut start = 0usize;
    let mut line = first;
    while start < bytes.len() {
        budget.check_time()?;
        let mut end = (start + CHUNK).min(bytes.len());
        if end < bytes.len() {
            end = match memchr::memchr(b'\n', &bytes[end..]) {
                Some(i) => end + i + 1,
                None => bytes.len(),
            };
        }
        // `end` is either the end of the text or just after a '\n', so both are char boundaries.
        let chunk = text.get(start..end).unwrap_or_default();
        // Borrowed: the detector reads the file's text in place.
        em.text(Location::Line(line), Structure::Prose, chunk);
        let newlines = super::count_newlines(chunk.as_bytes());
        line = line.saturating_add(u32::try_from(newlines).unwrap_or(u32::MAX));
        start = end;
    }
    Ok(())
}

fn sniff_delimiter(text: &str, name: &str) -> u8 {
    if name.to_ascii_lowercase().ends_with(".tsv") {
        return b'\t';
    }
    let first = text.lines().next().unwrap_or_default();
    let mut best = (b',', 0usize);
    for d in [b',', b';', b'\t', b'|'] {
        let n = first.bytes().filter(|b| *b == d).count();
        if n > best.1 {
            best = (d, n);
        }
    }
    best.0
}

/// True when a first row reads like column names rather than data.
pub(crate) fn is_header_row<'a>(cells: impl IntoIterator<Item = &'a str>) -> bool {
    let mut any_letter = false;
    for c in cells {
        if c.bytes().filter(u8::is_ascii_digit).count() >= 6 {
            return false;
        }
        any_letter |= c.chars().any(char::is_alphabetic);
    }
    any_letter
}

pub(crate) fn extract_csv(
    data: &[u8],
    name: &str,
    em: &mut Emitter<'_>,
    budget: &Budget<'_>,
) -> Result<(), ExtractError> {
    let text = decode(data)?;
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(&text);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(sniff_delimiter(text, name))
        .from_reader(text.as_bytes());
    let mut header: Option<Vec<String>> = None;
    let (mut counted_to, mut line) = (0usize, 1u32);
    for (n, record) in reader.records().enumerate() {
        if n % 1024 == 0 {
            budget.check_time()?;
        }
        let record = record.map_err(|e| ExtractError::Malformed {
            format: "csv",
            detail: e.to_string(),
        })?;
        // The line a record starts on, counted from its byte offset.
        let start = record.position().map_or(counted_to, |p| {
            usize::try_from(p.byte()).unwrap_or(usize::MAX)
        });
        let mut start = start.clamp(counted_to, text.len());
        // With CRLF line ends the reported start can sit on the '\n' of the previous line's end.
        while matches!(text.as_bytes().get(start), Some(b'\r' | b'\n')) {
            start += 1;
        }
        let newlines = memchr::memchr_iter(
            b'\n',
            text.as_bytes().get(counted_to..start).unwrap_or_default(),
        )
        .count();
        line = line.saturating_add(u32::try_from(newlines).unwrap_or(u32::MAX));
        counted_to = start;
        if n == 0 && is_header_row(record.iter()) {
            header = Some(
                record
                    .iter()
                    .map(|s| super::normalize(s.trim().to_string()))
                    .collect(),
            );
        }
        for (col, cell) in record.iter().enumerate() {
            let column = u32::try_from(col).unwrap_or(u32::MAX);
            let h = if n == 0 {
                None
            } else {
                header.as_ref().and_then(|h| h.get(col).cloned())
            };
            em.text(
                Location::Line(line),
                Structure::TableCell { column, header: h },
                cell.to_string(),
            );
        }
    }
    Ok(())
}
