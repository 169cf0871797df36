//! PDF text through pdf-extract (lopdf), page by page.
//!
//! pdf-extract panics by design on input it does not support, so it runs under
//! [`std::panic::catch_unwind`], with the panic message kept off stderr; a panic is a malformed file.
//! Glyph positions are laid out by our own output device: a gap wider than a tenth of the font size is a
//! space and a gap of two font sizes or more a double space, so that digits set apart one by one
//! (`0 1 0 1 9 0  1 2 3 4 5`) can be joined into their groups without merging separate numbers.

use std::cell::Cell;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Once;
use std::time::{Duration, Instant};

use pdf_extract::{MediaBox, OutputDev, OutputError, Transform};

use super::{Budget, Emitter, ExtractError, Location, Structure};

/// Most text a PDF may produce (characters), against documents that expand without end.
pub(crate) const MAX_TEXT: usize = 64 << 20;

thread_local! {
    static QUIET: Cell<bool> = const { Cell::new(false) };
}

/// Install (once) a panic hook that stays silent for panics inside the PDF extractor on this thread and
/// defers to the previous hook for everything else.
fn install_quiet_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !QUIET.with(Cell::get) {
                previous(info);
            }
        }));
    });
}

struct Glyph {
    x: f64,
    y: f64,
    end: f64,
    size: f64,
    text: String,
}

struct Collector {
    pages: Vec<(u32, String)>,
    glyphs: Vec<Glyph>,
    page: u32,
    chars: usize,
    started: Instant,
    max_time: Duration,
}

fn stop(reason: &str) -> OutputError {
    OutputError::IoError(std::io::Error::other(reason.to_string()))
}

impl OutputDev for Collector {
    fn begin_page(
        &mut self,
        page_num: u32,
        _media_box: &MediaBox,
        _: Option<(f64, f64, f64, f64)>,
    ) -> Result<(), OutputError> {
        if self.started.elapsed() > self.max_time {
            return Err(stop("vakt-timeout"));
        }
        self.page = page_num;
        self.glyphs.clear();
        Ok(())
    }

    fn end_page(&mut self) -> Result<(), OutputError> {
        let text = layout(&self.glyphs);
        self.glyphs.clear();
        let joined = join_spaced_digits(&text);
        // Wide gaps have done their work (keeping digit groups apart): one space is enough now.
        let mut collapsed = String::with_capacity(joined.len());
        for c in joined.chars() {
            if !(c == ' ' && collapsed.ends_with(' ')) {
                collapsed.push(c);
            }
        }
        self.pages.push((self.page, collapsed));
        Ok(())
    }

    fn output_character(
        &mut self,
        trm: &Transform,
        width: f64,
        _spacing: f64,
        font_size: f64,
        ch: &str,
    ) -> Result<(), OutputError> {
        self.chars += ch.len();
        if self.chars > MAX_TEXT {
            return Err(stop("vakt-too-much-text"));
        }
        if self.glyphs.len().is_multiple_of(1024) && self.started.elapsed() > self.max_time {
            return Err(stop("vakt-timeout"));
        }
        let vx = font_size * (trm.m11 + trm.m21);
        let vy = font_size * (trm.m12 + trm.m22);
        let size = (vx * vy).abs().sqrt();
        let size = if size.is_finite() && size > 0.0 {
            size
        } else {
            1.0
        };
        let (x, y) = (trm.m31, -trm.m32);
        self.glyphs.push(Glyph {
            x,
            y,
            end: x + width * size,
            size,
            text: ch.to_string(),
        });
        Ok(())
    }

    fn begin_word(&mut self) -> Result<(), OutputError> {
        Ok(())
    }

    fn end_word(&mut self) -> Result<(), OutputError> {
        Ok(())
    }

    fn end_line(&mut self) -> Result<(), OutputError> {
        Ok(())
    }
}

/// Lay glyphs out as lines of text, in content order.
fn layout(glyphs: &[Glyph]) -> String {
    let mut out = String::new();
    let mut last: Option<&Glyph> = None;
    for g in glyphs {
        if let Some(l) = last {
            let dy = (g.y - l.y).abs();
            if dy > g.size * 0.5 {
                out.push('\n');
            } else {
                let gap = g.x - l.end;
                if gap > g.size * 2.0 {
                    out.push_str("  ");
                } else if gap > g.size * 0.1 {
                    out.push(' ');
                } else if gap < -g.size * 2.0 {
                    out.push('\n');
                }
            }
        }
        out.push_str(&g.text);
        last = Some(g);
    }
    out
}

/// Join runs of single digits separated by single spaces (`0 1 0 1 9 0`) into digit groups. A wider
/// gap (two spaces or more) or any other character ends a group, so separate numbers stay apart. Runs
/// shorter than four digits are left as they are (`side 1 2 3`).
pub(crate) fn join_spaced_digits(s: &str) -> String {
    let b = s.as_bytes();
    let is_single = |i: usize| {
        b.get(i).is_some_and(u8::is_ascii_digit)
            && (i == 0 || !b[i - 1].is_ascii_alphanumeric())
            && !b.get(i + 1).is_some_and(u8::is_ascii_alphanumeric)
    };
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    let mut copied = 0;
    while i < b.len() {
        if is_single(i) && (i == 0 || b[i - 1] != b'.' && b[i - 1] != b',') {
            let mut j = i;
            let mut digits = vec![b[i]];
            while b.get(j + 1) == Some(&b' ') && b.get(j + 2) != Some(&b' ') && is_single(j + 2) {
                j += 2;
                digits.push(b[j]);
            }
            if digits.len() >= 4 {
                out.push_str(s.get(copied..i).unwrap_or_default());
                out.push_str(&String::from_utf8_lossy(&digits));
                copied = j + 1;
            }
            i = j + 1;
        } else {
            i += 1;
        }
    }
    out.push_str(s.get(copied..).unwrap_or_default());
    out
}

pub(crate) fn extract_pdf(
    data: &[u8],
    budget: &Budget<'_>,
    em: &mut Emitter<'_>,
) -> Result<(), ExtractError> {
    let remaining = budget
        .limits
        .max_time_per_file
        .saturating_sub(budget.started.elapsed());
    let pages = match &budget.limits.pdf_worker {
        Some(worker) => super::worker::run_pdf_worker(worker, data, remaining)?,
        None => pdf_pages(data, Instant::now(), remaining)?,
    };
    for (page, text) in pages {
        em.text(Location::Page(page), Structure::Prose, text);
    }
    Ok(())
}

/// The text of every page of a PDF, in this process (under `catch_unwind`). A stack overflow or an
/// allocation failure inside the PDF reader cannot be caught here: the scanner runs this in a child
/// process (see [`super::worker`]); the fuzz targets and unit tests call it directly.
pub(crate) fn pdf_pages(
    data: &[u8],
    started: Instant,
    max_time: Duration,
) -> Result<Vec<(u32, String)>, ExtractError> {
    install_quiet_hook();
    let malformed = |detail: String| ExtractError::Malformed {
        format: "pdf",
        detail,
    };
    QUIET.with(|q| q.set(true));
    let result = catch_unwind(AssertUnwindSafe(
        || -> Result<Vec<(u32, String)>, ExtractError> {
            let mut doc =
                pdf_extract::Document::load_mem(data).map_err(|e| malformed(e.to_string()))?;
            if doc.is_encrypted() && doc.decrypt("").is_err() {
                return Err(ExtractError::Unsupported("encrypted PDF".into()));
            }
            // pdf-extract looks up inherited page attributes by following /Parent without a check for
            // cycles: a page that is its own ancestor would make it loop for ever.
            for page in doc.get_pages().values() {
                let mut seen = std::collections::HashSet::new();
                let mut id = *page;
                loop {
                    if !seen.insert(id) {
                        return Err(malformed("a cycle in the page tree (/Parent)".into()));
                    }
                    match doc
                        .get_dictionary(id)
                        .and_then(|d| d.get(b"Parent"))
                        .and_then(|p| p.as_reference())
                    {
                        Ok(parent) => id = parent,
                        Err(_) => break,
                    }
                }
            }
            let mut dev = Collector {
                pages: Vec::new(),
                glyphs: Vec::new(),
                page: 0,
                chars: 0,
                started,
                max_time,
            };
            match pdf_extract::output_doc(&doc, &mut dev) {
                Ok(()) => Ok(dev.pages),
                Err(OutputError::IoError(e)) if e.to_string() == "vakt-timeout" => {
                    Err(ExtractError::Timeout(max_time.as_secs()))
                }
                Err(OutputError::IoError(e)) if e.to_string() == "vakt-too-much-text" => {
                    Err(ExtractError::Limit {
                        what: super::LimitKind::PdfText,
                        max: MAX_TEXT as u64,
                    })
                }
                Err(e) => Err(malformed(e.to_string())),
            }
        },
    ));
    QUIET.with(|q| q.set(false));
    match result {
        Ok(r) => r,
        Err(panic) => {
            let detail = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "the PDF reader gave up".into());
            Err(malformed(format!("unsupported PDF construct: {detail}")))
        }
    }
}
