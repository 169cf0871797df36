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
    /// Time allowed per top-level file; checked between members and between pages/parts.
    pub max_time_per_file: std::time::Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_size: 256 * 1024 * 1024,
            max_depth: 5,
            max_total_decompressed: 1024 * 1024 * 1024,
            max_ratio: 200,
            max_time_per_file: std::time::Duration::from_secs(60),
        }
    }
}

/// Where a segment sits in its file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// 1-based line of a text-like file (text, CSV row, HTML/XML source line where cheap).
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

/// One piece of text with its place.
#[derive(Debug, Clone)]
pub struct Segment {
    /// Path of the member inside the top-level file, with `!` between levels (`inner/file.docx`,
    /// `attachment.csv`, `inner.zip!b.txt`); empty for the top-level file itself.
    pub member: String,
    pub location: Location,
    pub structure: Structure,
    pub text: String,
}

/// What extraction produces.
#[derive(Debug, Clone)]
pub enum Event {
    Text(Segment),
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

/// Why a file or member could not be read.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum ExtractError {
    #[error("malformed {format}: {detail}")]
    Malformed {
        format: &'static str,
        detail: String,
    },
    #[error("limit exceeded: {0}")]
    Limit(String),
    #[error("timed out after {0} s")]
    Timeout(u64),
    #[error("unsupported: {0}")]
    Unsupported(String),
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

/// Detect the format of `data` named `name` (by magic bytes first, then extension, then a text sniff).
pub fn detect_format(name: &str, data: &[u8]) -> Format {
    let _ = (name, data);
    todo!()
}

/// Extract `data` (named `name`; `member` is its path inside the top-level file, empty at top level),
/// sending events to `sink`. `depth` is 0 for a top-level file.
pub fn extract(
    name: &str,
    member: &str,
    data: &[u8],
    depth: u32,
    budget: &mut Budget<'_>,
    sink: &mut dyn FnMut(Event),
) -> Result<Format, ExtractError> {
    let _ = (name, member, data, depth, budget, sink);
    todo!()
}
