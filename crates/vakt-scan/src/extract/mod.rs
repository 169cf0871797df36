//! Extraction: the bytes of one file (or archive member, or mail attachment) become a stream of
//! [`Event`]s. Every format reports where its text came from ([`Location`]) and what structure says about
//! it ([`Structure`]), so that the detector can use a column header or a form label as context.
//!
//! Contract (the seam between extraction and detection):
//! - [`extract`] never panics and never allocates without bound: every size is checked against
//!   [`Limits`]; nested containers recurse through [`extract`] again with `depth + 1`.
//! - A malformed member inside a container is an [`Event::Error`] for that member; the container goes on.
//!   A malformed top-level file returns `Err`.
//! - Text must never split a number: joined ICS/QP soft breaks, DOCX runs, tracked insertions, spaced PDF
//!   digits, non-breaking spaces and en dashes normalised to plain separators, numeric spreadsheet cells
//!   rendered with leading zeros restored where the cell's number format says so (or padded by the
//!   detector — see [`Structure::NumericCell`]).

use std::borrow::Cow;
use std::time::Instant;

/// Safety limits, all configurable from the command line and the rules file.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Files (and members) larger than this are skipped with a reason.
    pub max_file_size: u64,
    /// Maximum nesting of containers (zip in zip, attachment in mail in mbox, ...). Top level is depth 0.
    pub max_depth: u32,
    /// Maximum total bytes decompressed out of one top-level file, over all its members.
    pub max_total_decompressed: u64,
    /// Maximum ratio of uncompressed to compressed size for one member (zip bombs).
    pub max_ratio: u64,
    /// Time allowed per top-level file: checked between members, pages, parts and line chunks, and at
    /// every segment handed to the detector; a PDF worker is killed when it runs out.
    pub max_time_per_file: std::time::Duration,
    /// Run PDF extraction in this child process (see [`worker`]); `None`: in this process.
    pub pdf_worker: Option<PdfWorker>,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_size: 256 * 1024 * 1024,
            max_depth: 5,
            max_total_decompressed: 1024 * 1024 * 1024,
            max_ratio: 200,
            max_time_per_file: std::time::Duration::from_secs(60),
            pdf_worker: None,
        }
    }
}

/// Where a segment sits in its file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// 1-based line of a text-like file (text, CSV row, HTML/XML source line where cheap).
    ///
    /// The segment *starts* on this line. Large plain-text files are cut into chunks of whole lines, so
    /// a [`Structure::Prose`] segment may span several lines: the line of a match is this number plus
    /// the count of `'\n'` in the segment text before the match (see [`line_of`]).
    Line(u32),
    /// 1-based PDF page.
    Page(u32),
    /// A spreadsheet cell (`A1` style reference) in a named sheet.
    Cell { sheet: String, cell: String },
    /// A presentation slide (1-based).
    Slide(u32),
    /// A part of a mail: `header:Subject`, `body`, `body[2]`, ...
    MailPart(String),
    /// A calendar property of an event: `VEVENT[3].DESCRIPTION`.
    CalendarProperty(String),
    /// A named part of a document (`word/document.xml`, `footnotes`, `comments`, ...).
    Part(String),
}

/// What the structure of the file says about a segment's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Structure {
    /// Running text.
    Prose,
    /// A table cell (CSV, spreadsheet, HTML/DOCX table) with its column's header text, if any.
    /// `column` identifies the column within the member so the detector can compute the share of values
    /// in a column that validate.
    TableCell { column: u32, header: Option<String> },
    /// A spreadsheet cell that held a number, rendered as an integer string without leading zeros.
    NumericCell { column: u32, header: Option<String> },
    /// A labelled field: an HTML/PDF form label, `Fødselsnummer:` followed by the value, XML element name.
    Labelled { label: String },
    /// A mail header (name) or a calendar property (name).
    Header { name: String },
}

/// One piece of text with its place. The text is borrowed where it can be (a plain-text file's
/// lines are handed over without a copy) and lives as long as the call that receives the segment;
/// [`Segment::into_owned`] keeps one.
#[derive(Debug, Clone)]
pub struct Segment<'t> {
    /// Path of the member inside the top-level file, with `!` between levels (`inner/file.docx`,
    /// `attachment.csv`, `inner.zip!b.txt`); empty for the top-level file itself.
    pub member: String,
    pub location: Location,
    pub structure: Structure,
    pub text: Cow<'t, str>,
}

impl Segment<'_> {
    /// The segment with its text owned.
    pub fn into_owned(self) -> Segment<'static> {
        Segment {
            member: self.member,
            location: self.location,
            structure: self.structure,
            text: Cow::Owned(self.text.into_owned()),
        }
    }
}

/// What extraction produces.
#[derive(Debug, Clone)]
pub enum Event<'t> {
    Text(Segment<'t>),
    /// A member (or the file itself) skipped on purpose: unknown binary type, too large, depth limit.
    Skipped {
        member: String,
        reason: String,
    },
    /// A member that could not be read; the container goes on.
    Error {
        member: String,
        error: ExtractError,
    },
}

impl Event<'_> {
    /// The event with its text owned (to keep it past the sink call that received it).
    pub fn into_owned(self) -> Event<'static> {
        match self {
            Event::Text(seg) => Event::Text(seg.into_owned()),
            Event::Skipped { member, reason } => Event::Skipped { member, reason },
            Event::Error { member, error } => Event::Error { member, error },
        }
    }
}

/// Why a file or member could not be read.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum ExtractError {
    #[error("malformed {format}: {detail}")]
    Malformed {
        format: &'static str,
        detail: String,
    },
    #[error("limit exceeded: {}", .what.english(*.max))]
    Limit { what: LimitKind, max: u64 },
    #[error("timed out after {0} s")]
    Timeout(u64),
    #[error("unsupported: {0}")]
    Unsupported(String),
}

/// Which safety limit stopped a file or member.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LimitKind {
    /// Uncompressed to compressed size of an archive member (`max_ratio`).
    Ratio,
    /// Size of one decompressed member (`max_file_size`).
    MemberSize,
    /// Bytes decompressed out of one file over all its members (`max_total_decompressed`).
    Decompressed,
    /// Nesting of archives, attachments and embedded documents (`max_depth`).
    Depth,
    /// Text extracted from one PDF (bytes).
    PdfText,
}

impl LimitKind {
    const ALL: [LimitKind; 5] = [
        LimitKind::Ratio,
        LimitKind::MemberSize,
        LimitKind::Decompressed,
        LimitKind::Depth,
        LimitKind::PdfText,
    ];

    /// Stable code, also the end of the message key (`scan-error-limit-ratio`).
    pub fn code(self) -> &'static str {
        match self {
            LimitKind::Ratio => "ratio",
            LimitKind::MemberSize => "member-size",
            LimitKind::Decompressed => "decompressed",
            LimitKind::Depth => "depth",
            LimitKind::PdfText => "pdf-text",
        }
    }

    pub fn from_code(code: &str) -> Option<LimitKind> {
        LimitKind::ALL.into_iter().find(|k| k.code() == code)
    }

    fn english(self, max: u64) -> String {
        match self {
            LimitKind::Ratio => format!("compression ratio above {max} (zip bomb?) (max_ratio)"),
            LimitKind::MemberSize => {
                format!("member decompresses to more than max_file_size ({max} bytes)")
            }
            LimitKind::Decompressed => {
                format!("more than {max} bytes decompressed from one file (max_total_decompressed)")
            }
            LimitKind::Depth => format!("nesting deeper than max_depth {max}"),
            LimitKind::PdfText => format!("PDF text longer than {max} bytes"),
        }
    }
}

impl crate::text::Explain for ExtractError {
    fn message(&self) -> crate::text::Message {
        use crate::text::Message;
        let english = self.to_string();
        match self {
            ExtractError::Malformed { format, detail } => {
                Message::new("scan-error-malformed", english)
                    .arg("format", *format)
                    .arg("detail", detail.as_str())
            }
            ExtractError::Limit { what, max } => {
                Message::new(&format!("scan-error-limit-{}", what.code()), english).arg("max", *max)
            }
            ExtractError::Timeout(s) => {
                Message::new("scan-error-timeout", english).arg("seconds", *s)
            }
            ExtractError::Unsupported(d) => {
                Message::new("scan-error-unsupported", english).arg("detail", d.as_str())
            }
        }
    }
}

/// A detected file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Csv,
    Html,
    Xml,
    Eml,
    Mbox,
    Ics,
    Docx,
    Xlsx,
    Pptx,
    Odt,
    Ods,
    Odp,
    Pdf,
    Zip,
    /// Binary of a type we do not read: skipped and counted, never guessed at.
    UnknownBinary,
}

/// Per-top-level-file extraction state: limits, the start time and the bytes decompressed so far.
pub struct Budget<'a> {
    pub limits: &'a Limits,
    pub started: Instant,
    pub decompressed: u64,
}

mod container;
mod ics;
mod mail;
mod markup;
mod odf;
mod ooxml;
mod pdf;
mod text;
pub mod worker;

pub use worker::{PdfWorker, pdf_worker_main};

#[cfg(test)]
mod tests;

impl<'a> Budget<'a> {
    /// A fresh budget for one top-level file, starting the clock now.
    pub fn new(limits: &'a Limits) -> Self {
        Budget {
            limits,
            started: Instant::now(),
            decompressed: 0,
        }
    }

    /// `Err(Timeout)` once the time allowed for this top-level file has passed.
    pub fn check_time(&self) -> Result<(), ExtractError> {
        if self.started.elapsed() > self.limits.max_time_per_file {
            Err(ExtractError::Timeout(
                self.limits.max_time_per_file.as_secs(),
            ))
        } else {
            Ok(())
        }
    }

    /// True when this top-level file can no longer go on (time or total decompressed bytes used up):
    /// a container stops instead of going on with its next member.
    pub(crate) fn exhausted(&self) -> Option<ExtractError> {
        if let Err(e) = self.check_time() {
            return Some(e);
        }
        if self.decompressed > self.limits.max_total_decompressed {
            return Some(total_limit(self.limits));
        }
        None
    }
}

pub(crate) fn total_limit(limits: &Limits) -> ExtractError {
    ExtractError::Limit {
        what: LimitKind::Decompressed,
        max: limits.max_total_decompressed,
    }
}

/// The 1-based line of byte offset `offset` inside a segment located at [`Location::Line`]`(first)`.
pub fn line_of(first: u32, text: &str, offset: usize) -> u32 {
    let end = offset.min(text.len());
    let newlines = count_newlines(&text.as_bytes()[..end]);
    first.saturating_add(u32::try_from(newlines).unwrap_or(u32::MAX))
}

/// The number of `\n` in `bytes`. Counted 64 bytes at a time by a comparison the compiler
/// vectorises: prose has a newline every few dozen bytes, where a search for each one
/// (`memchr_iter`) pays per newline found.
pub fn count_newlines(bytes: &[u8]) -> usize {
    let mut blocks = bytes.chunks_exact(64);
    let mut n = 0usize;
    for b in &mut blocks {
        n += usize::from(b.iter().map(|&c| u8::from(c == b'\n')).sum::<u8>());
    }
    n + blocks.remainder().iter().filter(|&&c| c == b'\n').count()
}

/// Normalise text so that separators people (and word processors) type never split a number:
/// non-breaking, narrow, thin and figure spaces become a plain space; en dash, em dash, minus sign and
/// the other Unicode hyphens become `-`; soft hyphens, zero-width characters and byte order marks are
/// removed; full-width digits become ASCII digits. ASCII text is returned unchanged without copying.
pub fn normalize(text: String) -> String {
    normalized(&text).unwrap_or(text)
}

/// [`normalize`] of text that may be borrowed: unchanged text stays as it is (borrowed text is not
/// copied).
pub fn normalize_cow(text: Cow<'_, str>) -> Cow<'_, str> {
    match normalized(&text) {
        Some(s) => Cow::Owned(s),
        None => text,
    }
}

/// The normalised text, or `None` when normalising changes nothing.
fn normalized(text: &str) -> Option<String> {
    // Every character changed below is encoded with a lead byte C2 (U+00A0, U+00AD), E2 (U+2000..),
    // E3 (U+3000) or EF (U+FE58.., U+FEFF, U+FF0D..); Nordic letters (C3 ..) need no look. Lead bytes
    // are never continuation bytes, so each hit is a character boundary. Unchanged text is not copied.
    let b = text.as_bytes();
    let mut out: Option<String> = None;
    let mut copied = 0usize;
    let mut i = 0usize;
    let mut next_ef = memchr::memchr(0xEF, b).unwrap_or(b.len());
    while i < b.len() {
        if next_ef < i {
            next_ef = memchr::memchr(0xEF, &b[i..]).map_or(b.len(), |o| i + o);
        }
        let p = memchr::memchr3(0xC2, 0xE2, 0xE3, &b[i..]).map_or(b.len(), |o| i + o);
        let p = p.min(next_ef);
        if p >= b.len() {
            break;
        }
        let Some(c) = text.get(p..).and_then(|t| t.chars().next()) else {
            break;
        };
        let replacement: Option<Option<char>> = match c {
            '\u{00A0}'
            | '\u{202F}'
            | '\u{2007}'
            | '\u{2009}'
            | '\u{2002}'
            | '\u{2003}'
            | '\u{2000}'
            | '\u{2001}'
            | '\u{2004}'..='\u{2006}'
            | '\u{2008}'
            | '\u{200A}'
            | '\u{3000}' => Some(Some(' ')),
            '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{FE58}' | '\u{FE63}' | '\u{FF0D}' => {
                Some(Some('-'))
            }
            '\u{00AD}' | '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}' => Some(None),
            '\u{FF10}'..='\u{FF19}' => char::from_digit((c as u32) - 0xFF10, 10).map(Some),
            _ => None,
        };
        if let Some(r) = replacement {
            let o = out.get_or_insert_with(|| String::with_capacity(text.len()));
            o.push_str(text.get(copied..p).unwrap_or_default());
            if let Some(r) = r {
                o.push(r);
            }
            copied = p + c.len_utf8();
        }
        i = p + c.len_utf8();
    }
    out.map(|mut o| {
        o.push_str(text.get(copied..).unwrap_or_default());
        o
    })
}

/// The member path of `name` inside `parent` (`!` between levels; `parent` empty at top level).
pub(crate) fn join_member(parent: &str, name: &str) -> String {
    if parent.is_empty() {
        name.to_string()
    } else {
        format!("{parent}!{name}")
    }
}

/// The helper every extractor sends text through: normalises the text and drops empty segments.
pub(crate) struct Emitter<'s> {
    pub member: String,
    pub sink: &'s mut dyn FnMut(Event<'_>),
}

impl Emitter<'_> {
    /// Send `text` (owned, or borrowed for the length of the call) as a segment.
    pub fn text<'t>(
        &mut self,
        location: Location,
        structure: Structure,
        text: impl Into<Cow<'t, str>>,
    ) {
        let text = normalize_cow(text.into());
        if text.trim().is_empty() {
            return;
        }
        (self.sink)(Event::Text(Segment {
            member: self.member.clone(),
            location,
            structure,
            text,
        }));
    }
}

fn ext_of(name: &str) -> String {
    let base = name.rsplit(['/', '\\', '!']).next().unwrap_or(name);
    match base.rsplit_once('.') {
        Some((_, e)) => e.to_ascii_lowercase(),
        None => String::new(),
    }
}

/// Detect the format of `data` named `name` (by magic bytes first, then extension, then a text sniff).
pub fn detect_format(name: &str, data: &[u8]) -> Format {
    let ext = ext_of(name);
    let head = &data[..data.len().min(1024)];
    if data.starts_with(b"PK\x03\x04") || data.starts_with(b"PK\x05\x06") {
        return container::detect_zip(data, &ext);
    }
    if memchr::memmem::find(head, b"%PDF-").is_some() {
        return Format::Pdf;
    }
    if is_known_binary(data) {
        return Format::UnknownBinary;
    }
    let by_ext = match ext.as_str() {
        "csv" | "tsv" => Some(Format::Csv),
        "html" | "htm" | "xhtml" => Some(Format::Html),
        "xml" | "xsd" | "xsl" | "xslt" | "rss" | "atom" | "svg" | "plist" | "xlf" | "resx" => {
            Some(Format::Xml)
        }
        "eml" | "msg822" => Some(Format::Eml),
        "mbox" | "mbx" => Some(Format::Mbox),
        "ics" | "ical" | "icalendar" | "ifb" | "vcs" => Some(Format::Ics),
        _ => None,
    };
    if text::looks_binary(data) {
        return Format::UnknownBinary;
    }
    if let Some(f) = by_ext {
        return f;
    }
    sniff_text(data)
}

fn is_known_binary(data: &[u8]) -> bool {
    const MAGIC: &[&[u8]] = &[
        b"\x89PNG",
        b"\xFF\xD8\xFF",
        b"GIF8",
        b"\xD0\xCF\x11\xE0",
        b"\x7FELF",
        b"MZ",
        b"\x1F\x8B",
        b"7z\xBC\xAF",
        b"Rar!",
        b"BZh",
        b"\xFD7zXZ",
        b"\x28\xB5\x2F\xFD",
        b"OggS",
        b"ID3",
        b"fLaC",
        b"\x00\x00\x01\x00",
        b"II*\x00",
        b"MM\x00*",
        b"SQLite format 3",
        b"\xCA\xFE\xBA\xBE",
        b"wOFF",
    ];
    MAGIC.iter().any(|m| data.starts_with(m))
        || (data.len() > 12 && &data[4..8] == b"ftyp")
        || (data.starts_with(b"RIFF") && data.len() > 12)
}

fn sniff_text(data: &[u8]) -> Format {
    let head = text::decode_head(data);
    let trimmed = head.trim_start_matches('\u{FEFF}').trim_start();
    let lower: String = trimmed
        .chars()
        .take(512)
        .collect::<String>()
        .to_ascii_lowercase();
    if lower.starts_with("begin:vcalendar") {
        return Format::Ics;
    }
    if trimmed.starts_with("From ")
        && mail::looks_like_headers(trimmed.split_once('\n').map_or("", |x| x.1))
    {
        return Format::Mbox;
    }
    if lower.starts_with("<!doctype html") || lower.starts_with("<html") || lower.contains("<html")
    {
        return Format::Html;
    }
    if lower.starts_with("<?xml") || (lower.starts_with('<') && !lower.starts_with("<!--")) {
        return Format::Xml;
    }
    if mail::looks_like_headers(trimmed) {
        return Format::Eml;
    }
    Format::Text
}

/// Extract `data` (named `name`; `member` is its path inside the top-level file, empty at top level),
/// sending events to `sink`. `depth` is 0 for a top-level file.
pub fn extract(
    name: &str,
    member: &str,
    data: &[u8],
    depth: u32,
    budget: &mut Budget<'_>,
    sink: &mut dyn FnMut(Event<'_>),
) -> Result<Format, ExtractError> {
    let format = detect_format(name, data);
    extract_as(format, name, member, data, depth, budget, sink)?;
    Ok(format)
}

/// Extract `data` as `format` (no detection). Same contract as [`extract`].
pub fn extract_as(
    format: Format,
    name: &str,
    member: &str,
    data: &[u8],
    depth: u32,
    budget: &mut Budget<'_>,
    sink: &mut dyn FnMut(Event<'_>),
) -> Result<(), ExtractError> {
    budget.check_time()?;
    if data.len() as u64 > budget.limits.max_file_size {
        sink(Event::Skipped {
            member: member.to_string(),
            reason: format!(
                "larger than max_file_size ({} bytes)",
                budget.limits.max_file_size
            ),
        });
        return Ok(());
    }
    if depth > budget.limits.max_depth {
        return Err(ExtractError::Limit {
            what: LimitKind::Depth,
            max: u64::from(budget.limits.max_depth),
        });
    }
    let mut em = Emitter {
        member: member.to_string(),
        sink,
    };
    match format {
        Format::Text => text::extract_text(data, &mut em, budget),
        Format::Csv => text::extract_csv(data, name, &mut em, budget),
        Format::Html => markup::extract_html(data, &mut em),
        Format::Xml => markup::extract_xml(data, &mut em),
        Format::Eml => mail::extract_eml(data, depth, budget, &mut em),
        Format::Mbox => mail::extract_mbox(data, depth, budget, &mut em),
        Format::Ics => ics::extract_ics(data, &mut em),
        Format::Docx => ooxml::extract_docx(data, depth, budget, &mut em),
        Format::Xlsx => ooxml::extract_xlsx(data, depth, budget, &mut em),
        Format::Pptx => ooxml::extract_pptx(data, depth, budget, &mut em),
        Format::Odt | Format::Ods | Format::Odp => {
            odf::extract_odf(format, data, depth, budget, &mut em)
        }
        Format::Pdf => pdf::extract_pdf(data, budget, &mut em),
        Format::Zip => container::extract_zip(data, depth, budget, &mut em),
        Format::UnknownBinary => {
            (em.sink)(Event::Skipped {
                member: member.to_string(),
                reason: "unknown binary type".to_string(),
            });
            Ok(())
        }
    }
}

/// Recurse into a member of a container: `depth` is the container's depth. A member that cannot be read
/// becomes an [`Event::Error`] row; only an exhausted budget (time, total bytes) stops the container.
pub(crate) fn extract_member(
    name: &str,
    member: &str,
    data: &[u8],
    depth: u32,
    budget: &mut Budget<'_>,
    sink: &mut dyn FnMut(Event<'_>),
) -> Result<(), ExtractError> {
    extract_member_as(None, name, member, data, depth, budget, sink)
}

pub(crate) fn extract_member_as(
    format: Option<Format>,
    name: &str,
    member: &str,
    data: &[u8],
    depth: u32,
    budget: &mut Budget<'_>,
    sink: &mut dyn FnMut(Event<'_>),
) -> Result<(), ExtractError> {
    let format = format.unwrap_or_else(|| detect_format(name, data));
    if let Err(error) = extract_as(format, name, member, data, depth + 1, budget, sink) {
        if let Some(stop) = budget.exhausted() {
            return Err(stop);
        }
        sink(Event::Error {
            member: member.to_string(),
            error,
        });
    }
    Ok(())
}
