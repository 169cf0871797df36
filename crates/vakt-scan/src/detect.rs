//! Detection: candidate numbers in text, their validation through `vakt_idnr`, and a confidence score
//! with the reasons for it; special-category terms.
//!
//! Candidates are digit groups joined by the separators people type (none, space, `-`, `.`, `+`,
//! non-breaking and thin spaces, en dash) in the shapes ID numbers are written in: 10 digits (`[10]`,
//! `[6,4]`, `[2,2,2,4]`), 11 digits (`[11]`, `[6,5]`, `[2,2,2,5]`, `[6,3,2]`, `[4,2,5]`), 12 digits
//! (`[12]`, `[8,4]`), and the Finnish `DDMMYYCZZZQ`. A candidate is never a window inside a longer run of
//! digits or letters: a group glued to a letter, to `_`, or to more digits through `-`, `.`, `+`, `/` or
//! `:` rules it out.
//!
//! Scoring (every step is a [`Reason`] on the finding):
//! - a base by kind and validation signals (check digits, DK modulus 11, century table, 2032 rule);
//! - context words within a small window of the same segment, nearest unblocked word first (a word
//!   "belongs" to the nearest number: another run of 4+ digits in between blocks it);
//! - structure: a table column header, a form label, a mail header or calendar property name, and the
//!   share of values in a table column that validate;
//! - format: `XXXX.XX.XXXXX` (bank account), a `+` prefix (phone), timestamps, example numbers, numbers
//!   next to other numbers;
//! - the country preference, and within a file the countries its unambiguous findings point to.

use std::collections::{BTreeMap, HashMap};

use vakt_idnr::{Country, Date, IdNumber, Kind};

use crate::extract::{Location, Segment, Structure};
use crate::rules::{Category, Rules, RulesError, kind_code, kind_country, value_key};
use crate::terms::{TermSet, TermSpec};

/// One step of a score.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Reason {
    /// Stable code (`check_digits`, `context_positive`, `header_negative`, `account_format`, ...).
    pub code: String,
    /// What triggered it (the context word, the header, the share), if anything.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub detail: String,
    /// The change to the confidence (the base for the first reason).
    pub delta: f32,
}

impl Reason {
    fn new(code: &str, detail: impl Into<String>, delta: f32) -> Reason {
        Reason {
            code: code.to_string(),
            detail: detail.into(),
            delta,
        }
    }

    /// `code:detail(+0.30)`.
    pub fn render(&self) -> String {
        if self.detail.is_empty() {
            format!("{}({:+.2})", self.code, self.delta)
        } else {
            format!("{}:{}({:+.2})", self.code, self.detail, self.delta)
        }
    }
}

/// A finding in one file (or member).
#[derive(Debug, Clone)]
pub struct Finding {
    /// Member path inside the top-level file (`inner.zip!a.txt`), empty for the file itself.
    pub member: String,
    /// `no.fnr`, ..., `category.health`, ...
    pub code: &'static str,
    /// The value in clear: normalised number, or for categories the matched terms.
    pub normalized: String,
    /// The value as shown without `--reveal`.
    pub masked: String,
    pub confidence: f32,
    /// Where in the file (`line 3`, `page 2`, `Ark1!B4`, `header:Subject`).
    pub location: String,
    /// Text around the finding with every number masked.
    pub context: String,
    pub reasons: Vec<Reason>,
    /// Byte offset in the segment, for ordering.
    pub offset: usize,
    /// Order of the segment in the file.
    pub segment_index: u32,
    column: Option<(String, u32)>,
    alternatives: Vec<Alternative>,
}

/// Another valid reading of the same characters (a number valid in two countries).
#[derive(Debug, Clone)]
struct Alternative {
    code: &'static str,
    country: Country,
    normalized: String,
    masked: String,
    confidence: f32,
    reasons: Vec<Reason>,
}

#[derive(Debug, Clone, Copy)]
enum ContextClass {
    Positive(Option<Country>),
    Negative,
}

/// Compiled rules: term automata and settings. Build once per scan, share between threads.
pub struct Engine {
    pub rules: Rules,
    pub today: Date,
    context: TermSet,
    context_class: Vec<ContextClass>,
    categories: TermSet,
}

impl Engine {
    pub fn new(rules: Rules, today: Date) -> Result<Engine, RulesError> {
        let mut specs = Vec::new();
        let mut class = Vec::new();
        for p in &rules.positive {
            specs.push(TermSpec {
                term: p.term.clone(),
                payload: class.len(),
            });
            class.push(ContextClass::Positive(p.country));
        }
        for n in &rules.negative {
            specs.push(TermSpec {
                term: n.clone(),
                payload: class.len(),
            });
            class.push(ContextClass::Negative);
        }
        let context = TermSet::new(specs).map_err(|e| RulesError::Terms(e.to_string()))?;
        let categories =
            TermSet::new(rules.category_specs()).map_err(|e| RulesError::Terms(e.to_string()))?;
        Ok(Engine {
            rules,
            today,
            context,
            context_class: class,
            categories,
        })
    }

    /// A detector for one top-level file.
    pub fn file(&self) -> FileDetector<'_> {
        FileDetector {
            engine: self,
            findings: Vec::new(),
            columns: HashMap::new(),
            categories: BTreeMap::new(),
            segments: 0,
            groups: Vec::new(),
            clocks: HashMap::new(),
        }
    }
}

/// Date-shaped numbers of one file or member: 12 or 14 digits that begin with a `YYYYMMDD` date, and how
/// many of them end in a clock time (`HHMM`, `HHMMSS`). A log or an export is full of them; a list of
/// Swedish personnummer in the 12-digit form has a clock-shaped tail in about one number of seven.
#[derive(Debug, Default, Clone, Copy)]
struct ClockStat {
    dated: u32,
    clock: u32,
}

#[derive(Debug, Default, Clone, Copy)]
struct ColumnStat {
    numeric: u32,
    valid: u32,
}

#[derive(Debug, Clone)]
struct CategoryAcc {
    /// Term as written in the list → weight.
    terms: BTreeMap<String, f32>,
    location: String,
    context: String,
    segment_index: u32,
    offset: usize,
}

/// Detection state for one top-level file: findings so far, column statistics, category terms.
pub struct FileDetector<'e> {
    engine: &'e Engine,
    findings: Vec<Finding>,
    columns: HashMap<(String, u32), ColumnStat>,
    categories: BTreeMap<(String, Category), CategoryAcc>,
    segments: u32,
    groups: Vec<Group>,
    clocks: HashMap<String, ClockStat>,
}

#[derive(Debug, Clone, Copy)]
struct Group {
    start: usize,
    end: usize,
    /// Separator after this group that joins it to the next (normalised byte, byte length).
    sep_after: Option<(u8, usize)>,
}

impl Group {
    fn len(&self) -> usize {
        self.end - self.start
    }
}

/// Candidate shapes (digit-group lengths).
const SHAPES: &[&[usize]] = &[
    &[10],
    &[6, 4],
    &[2, 2, 2, 4],
    &[11],
    &[6, 5],
    &[2, 2, 2, 5],
    &[6, 3, 2],
    &[4, 2, 5],
    &[12],
    &[8, 4],
];

/// Base confidence by kind and signals (before context).
const BASE_NO_FNR: f32 = 0.7;
const BASE_NO_DNR: f32 = 0.65;
const BASE_NO_HNR: f32 = 0.6;
const BASE_NO_TEST: f32 = 0.6;
const BASE_SE_12: f32 = 0.7;
const BASE_SE_10: f32 = 0.6;
const BASE_SE_SNR: f32 = 0.55;
const BASE_DK_MOD11: f32 = 0.6;
const BASE_DK: f32 = 0.5;
const BASE_FI_LETTER: f32 = 0.85;
const BASE_FI_DIGIT: f32 = 0.5;

const CONTEXT_POSITIVE: f32 = 0.3;
const CONTEXT_NEGATIVE: f32 = -0.45;
const HEADER_POSITIVE: f32 = 0.35;
const HEADER_NEGATIVE: f32 = -0.5;
const COLUMN_SHARE_HIGH: f32 = 0.15;
const COLUMN_SHARE_LOW: f32 = -0.25;
const ACCOUNT_FORMAT: f32 = -0.5;
const PHONE_PREFIX: f32 = -0.5;
/// A 12-digit Swedish reading whose date is recent and whose tail is a clock time: on its own a weak sign
/// (children born in the last twelve years have such numbers too), ...
const TIMESTAMP: f32 = -0.1;
/// ... strong when its neighbours are a log's (`[…]`, `ts=…`) or when most date-shaped numbers of the same
/// file end in a clock time.
const TIMESTAMP_EVIDENCE: f32 = -0.3;
/// Date-shaped numbers with a clock-time tail a file needs before they count as its timestamps.
const TIMESTAMP_FILE_MIN: u32 = 2;
const EXAMPLE: f32 = -0.4;
const ADJACENT: f32 = -0.25;
const IMPLAUSIBLE_AGE: f32 = -0.3;
const CENTURY_INCONSISTENT: f32 = -0.1;
const POST_2032: f32 = -0.1;
const PREFERENCE: f32 = 0.1;
const LOWERCASE: f32 = -0.1;
const SE_PLUS: f32 = 0.1;
const SEVERAL_ZEROS: f32 = -0.1;
/// A Finnish reading whose `-` sign was typed as a space (or lost) and whose check character is a digit.
const FI_SIGN_TYPED: f32 = -0.1;
/// Findings at least this confident say which country a file's ambiguous numbers belong to.
const VOTE_MIN: f32 = 0.5;
/// Rounding slack when comparing a score with the minimum.
const EPSILON: f32 = 1e-4;

/// Bytes before a number searched for context words.
const WINDOW_BEFORE: usize = 60;
/// Bytes after a number searched for context words.
const WINDOW_AFTER: usize = 30;
/// Bytes of text shown on each side of a finding.
const SNIPPET: usize = 40;

/// The index of the first ASCII digit at or after `from`. Text is mostly letters: 32 bytes at a time are
/// tested without an early exit (which the compiler turns into vector code) before the exact search.
fn next_digit(b: &[u8], from: usize) -> Option<usize> {
    let mut i = from;
    while let Some(chunk) = b.get(i..i + 32) {
        if chunk
            .iter()
            .fold(false, |any, c| any | (c.wrapping_sub(b'0') < 10))
        {
            break;
        }
        i += 32;
    }
    b.get(i..)?
        .iter()
        .position(u8::is_ascii_digit)
        .map(|o| i + o)
}

fn at(b: &[u8], i: usize) -> u8 {
    b.get(i).copied().unwrap_or(0)
}

/// A separator that may join digit groups at byte `i`: (normalised byte, byte length).
fn separator_at(b: &[u8], i: usize) -> Option<(u8, usize)> {
    match at(b, i) {
        b' ' => Some((b' ', 1)),
        b'-' => Some((b'-', 1)),
        b'.' => Some((b'.', 1)),
        b'+' => Some((b'+', 1)),
        0xC2 if at(b, i + 1) == 0xA0 => Some((b' ', 2)),
        0xE2 => match (at(b, i + 1), at(b, i + 2)) {
            // narrow no-break, thin, figure space
            (0x80, 0xAF) | (0x80, 0x89) | (0x80, 0x87) => Some((b' ', 3)),
            // hyphen, non-breaking hyphen, figure dash, en dash
            (0x80, 0x90) | (0x80, 0x91) | (0x80, 0x92) | (0x80, 0x93) => Some((b'-', 3)),
            // minus sign
            (0x88, 0x92) => Some((b'-', 3)),
            _ => None,
        },
        // U+FFFD: a separator byte (NBSP, en dash) lost to a wrong charset.
        0xEF => match (at(b, i + 1), at(b, i + 2)) {
            (0xBF, 0xBD) => Some((b' ', 3)),
            _ => None,
        },
        _ => None,
    }
}

fn char_before(text: &str, i: usize) -> Option<char> {
    text.get(..i).and_then(|s| s.chars().next_back())
}

fn char_at(text: &str, i: usize) -> Option<char> {
    text.get(i..).and_then(|s| s.chars().next())
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Does the text before byte `i` glue a number starting there to a longer token?
fn glued_left(text: &str, i: usize) -> bool {
    match char_before(text, i) {
        None => false,
        Some(c) if is_word_char(c) => true,
        Some(c @ ('/' | ':' | '-' | '.' | '+')) => {
            let j = i - c.len_utf8();
            char_before(text, j).is_some_and(|p| p.is_ascii_digit())
        }
        Some(_) => false,
    }
}

/// Does the text at byte `i` glue a number ending there to a longer token?
fn glued_right(text: &str, i: usize) -> bool {
    match char_at(text, i) {
        None => false,
        Some(c) if is_word_char(c) => true,
        Some(c @ ('/' | ':' | '-' | '.' | '+')) => {
            char_at(text, i + c.len_utf8()).is_some_and(|n| n.is_ascii_digit())
        }
        Some(_) => false,
    }
}

fn floor_boundary(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn ceil_boundary(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while i < text.len() && !text.is_char_boundary(i) {
        i += 1;
    }
    i
}

/// Mask every digit after the sixth in each run of digits joined by separators, then apply
/// `vakt_idnr::mask_text_digits`: a snippet never shows a whole number.
pub fn mask_snippet(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut digits_in_chain = 0usize;
    let mut i = 0;
    let mut last = 0;
    while i < b.len() {
        let c = at(b, i);
        if c.is_ascii_digit() {
            digits_in_chain += 1;
            if digits_in_chain > 6 {
                out.push_str(text.get(last..i).unwrap_or(""));
                out.push('*');
                last = i + 1;
            }
            i += 1;
            continue;
        }
        if digits_in_chain > 0
            && let Some((_, len)) = separator_at(b, i)
            && at(b, i + len).is_ascii_digit()
        {
            i += len;
            continue;
        }
        digits_in_chain = 0;
        i += 1;
    }
    out.push_str(text.get(last..).unwrap_or(""));
    vakt_idnr::mask_text_digits(&out)
}

fn render_location(loc: &Location, extra_lines: u32) -> String {
    match loc {
        Location::Line(n) => format!("line {}", n.saturating_add(extra_lines)),
        Location::Page(n) => format!("page {n}"),
        Location::Cell { sheet, cell } => format!("{sheet}!{cell}"),
        Location::Slide(n) => format!("slide {n}"),
        Location::MailPart(s) | Location::CalendarProperty(s) | Location::Part(s) => {
            if extra_lines > 0 {
                format!("{s}:{}", extra_lines + 1)
            } else {
                s.clone()
            }
        }
    }
}

fn collapse_ws(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut prev_space = false;
    for c in s.chars() {
        if c.is_whitespace() || c.is_control() {
            if !prev_space {
                out.push(' ');
            }
            prev_space = true;
        } else {
            out.push(c);
            prev_space = false;
        }
    }
    out
}

/// Is this date part a well-known example (all one digit, or `123456`)?
fn example_digits(d: &[u8]) -> bool {
    let head = d.get(..6).unwrap_or(d);
    let all_same = head.windows(2).all(|w| w.first() == w.get(1));
    all_same || head == b"123456" || d.iter().all(|&c| c == b'0')
}

/// A candidate before scoring.
struct Candidate {
    start: usize,
    end: usize,
    digits: Vec<u8>,
    sep: Option<u8>,
    shape: Vec<usize>,
    adjacent: bool,
    plus_prefix: bool,
    zero_restored: bool,
    fi: Option<(String, bool)>,
}

/// A scored reading of a candidate.
struct Scored {
    id: IdNumber,
    code: &'static str,
    country: Country,
    score: f32,
    reasons: Vec<Reason>,
}

/// Nearest context words around a span.
struct ContextHit {
    /// Effective distance (after-window words count as farther).
    distance: usize,
    class: ContextClass,
    term: String,
}

/// A henkilötunnus whose characters were spaced apart by PDF text extraction (`100487 V 1 0 4 F`,
/// `240842 7 3 1 B`): the sign may be missing (read as `-`), and a letter must show that it is one.
fn spaced_hetu(text: &str, start: usize, end: usize, adjacent: bool) -> Option<Candidate> {
    let b = text.as_bytes();
    let mut i = end;
    let mut spaced = false;
    let skip_space = |i: &mut usize, spaced: &mut bool| {
        if at(b, *i) == b' ' {
            *i += 1;
            *spaced = true;
        }
    };
    skip_space(&mut i, &mut spaced);
    let mut sign = b'-';
    let mut letter = false;
    let c = at(b, i).to_ascii_uppercase();
    if matches!(c, b'+' | b'-' | b'A'..=b'F' | b'U'..=b'Y') && !at(b, i + 1).is_ascii_alphanumeric()
    {
        sign = c;
        letter = c.is_ascii_alphabetic();
        i += 1;
        skip_space(&mut i, &mut spaced);
    }
    let mut body = String::with_capacity(4);
    for k in 0..4 {
        if k > 0 {
            skip_space(&mut i, &mut spaced);
        }
        let c = at(b, i);
        let ok = if k < 3 {
            c.is_ascii_digit()
        } else {
            c.is_ascii_alphanumeric()
        };
        if !ok {
            return None;
        }
        body.push(char::from(c.to_ascii_uppercase()));
        i += 1;
    }
    let check_letter = body.bytes().last().is_some_and(|c| c.is_ascii_alphabetic());
    // Only the spaced form (the compact forms are matched by the exact rule), and a letter must show it.
    if !spaced || !(letter || check_letter) || glued_right(text, i) {
        return None;
    }
    // Every character after the date stands alone (`7 3 1 B`), or the sign does (`U 2868`).
    let tail = text.get(end..i)?;
    if tail.split(' ').any(|t| t.len() > 1 && t.len() != 4) {
        return None;
    }
    let date = text.get(start..end)?;
    let lowercase = tail.bytes().any(|c| c.is_ascii_lowercase());
    Some(Candidate {
        start,
        end: i,
        digits: Vec::new(),
        sep: None,
        shape: vec![6, 4],
        adjacent,
        plus_prefix: false,
        zero_restored: false,
        fi: Some((format!("{date}{}{body}", char::from(sign)), lowercase)),
    })
}

/// Byte offset just after the last sentence end in `s` (0 if none).
fn last_sentence_end(s: &str) -> usize {
    let b = s.as_bytes();
    let mut cut = 0;
    for (i, &c) in b.iter().enumerate() {
        if matches!(c, b'.' | b'!' | b'?') && sentence_follows(s, i + 1) {
            cut = i + 1;
        }
    }
    cut
}

/// Byte offset of the first sentence end in `s` (`s.len()` if none).
fn first_sentence_end(s: &str) -> usize {
    let b = s.as_bytes();
    for (i, &c) in b.iter().enumerate() {
        if matches!(c, b'.' | b'!' | b'?') && sentence_follows(s, i + 1) {
            return i + 1;
        }
    }
    s.len()
}

/// After byte `i`: whitespace, then an upper-case letter.
fn sentence_follows(s: &str, i: usize) -> bool {
    let rest = s.get(i..).unwrap_or("");
    let trimmed = rest.trim_start();
    trimmed.len() < rest.len() && trimmed.chars().next().is_some_and(char::is_uppercase)
}

/// Does `s` hold at least `min` digits (another number between a context word and this one)?
fn has_digits(s: &str, min: usize) -> bool {
    s.bytes().filter(u8::is_ascii_digit).take(min).count() >= min
}

impl<'e> FileDetector<'e> {
    fn rules(&self) -> &Rules {
        &self.engine.rules
    }

    /// Detect in one extracted segment.
    pub fn segment(&mut self, seg: &Segment) {
        let index = self.segments;
        self.segments = self.segments.saturating_add(1);
        if self.engine.rules.any_category() {
            self.scan_categories(seg, index);
        }
        let column = match &seg.structure {
            Structure::TableCell { column, .. } | Structure::NumericCell { column, .. } => {
                Some((seg.member.clone(), *column))
            }
            _ => None,
        };
        let before = self.findings.len();
        let mut numeric = false;
        if let Structure::NumericCell { .. } = &seg.structure {
            numeric = self.scan_numeric_cell(seg, index);
        }
        if !numeric {
            numeric = self.scan_text(seg, index);
        }
        if let Some(col) = column {
            let valid = self.findings.len() > before;
            for f in self.findings.iter_mut().skip(before) {
                f.column = Some(col.clone());
            }
            if numeric || valid {
                let stat = self.columns.entry(col).or_default();
                stat.numeric += 1;
                if valid {
                    stat.valid += 1;
                }
            }
        }
    }

    fn scan_categories(&mut self, seg: &Segment, index: u32) {
        let engine = self.engine;
        let text = &*seg.text;
        // Matches are gathered per segment first (common words match often), then merged into the
        // file's accumulators once per category and term: no allocation per match.
        struct Hit {
            category: Category,
            start: usize,
            end: usize,
            terms: Vec<(usize, f32)>,
        }
        let mut hits: Vec<Hit> = Vec::new();
        let mut reported: Vec<(Category, bool)> = Vec::new();
        engine.categories.find_all(text, |m| {
            let Some(spec) = engine.categories.spec(m.spec) else {
                return;
            };
            let Some(term) = engine.rules.category_terms.get(spec.payload) else {
                return;
            };
            let on = match reported.iter().find(|(c, _)| *c == term.category) {
                Some((_, on)) => *on,
                None => {
                    let on = engine.rules.reports(term.category.code());
                    reported.push((term.category, on));
                    on
                }
            };
            if !on {
                return;
            }
            let hit = match hits.iter_mut().position(|h| h.category == term.category) {
                Some(i) => &mut hits[i],
                None => {
                    hits.push(Hit {
                        category: term.category,
                        start: m.start,
                        end: m.end,
                        terms: Vec::new(),
                    });
                    let last = hits.len() - 1;
                    &mut hits[last]
                }
            };
            match hit.terms.iter_mut().find(|(s, _)| *s == m.spec) {
                Some((_, w)) => *w = w.max(term.weight),
                None => hit.terms.push((m.spec, term.weight)),
            }
        });
        for hit in hits {
            let key = (seg.member.clone(), hit.category);
            let acc = self.categories.entry(key).or_insert_with(|| {
                let lines =
                    crate::extract::count_newlines(text.as_bytes().get(..hit.start).unwrap_or(b""));
                CategoryAcc {
                    terms: BTreeMap::new(),
                    location: render_location(&seg.location, lines as u32),
                    context: snippet(text, hit.start, hit.end, None),
                    segment_index: index,
                    offset: hit.start,
                }
            });
            for (spec, weight) in hit.terms {
                let Some(spec) = engine.categories.spec(spec) else {
                    continue;
                };
                let name = spec.term.trim_matches('*').to_lowercase();
                let w = acc.terms.entry(name).or_insert(0.0);
                if weight > *w {
                    *w = weight;
                }
            }
        }
    }

    /// A spreadsheet cell that held a number: restore leading zeros (NO 11 digits, DK/SE 10).
    /// Returns whether the cell looked like a number of ID length.
    fn scan_numeric_cell(&mut self, seg: &Segment, index: u32) -> bool {
        let t = seg.text.trim();
        let t = t.strip_suffix(".0").unwrap_or(t);
        if t.is_empty() || !t.bytes().all(|c| c.is_ascii_digit()) || !(7..=12).contains(&t.len()) {
            return false;
        }
        let raw = t.as_bytes();
        let mut variants: Vec<(Vec<u8>, bool)> = Vec::new();
        match raw.len() {
            7 => variants.push((prepend(raw, 3), true)),
            8 => variants.push((prepend(raw, 2), true)),
            9 => variants.push((prepend(raw, 1), true)),
            10 => {
                variants.push((raw.to_vec(), false));
                variants.push((prepend(raw, 1), true));
            }
            _ => variants.push((raw.to_vec(), false)),
        }
        let start = seg.text.find(t).unwrap_or(0);
        let end = start + t.len();
        let mut best: Option<(Vec<Scored>, Candidate)> = None;
        for (digits, zero_restored) in variants {
            let len = digits.len();
            let cand = Candidate {
                start,
                end,
                digits,
                sep: None,
                shape: vec![len],
                adjacent: false,
                plus_prefix: false,
                zero_restored,
                fi: None,
            };
            let scored = self.score(seg, &cand);
            let top = scored.first().map(|s| s.score).unwrap_or(f32::MIN);
            let better = match &best {
                None => !scored.is_empty(),
                Some((b, _)) => b.first().map(|s| s.score).unwrap_or(f32::MIN) < top,
            };
            if better {
                best = Some((scored, cand));
            }
        }
        if let Some((scored, cand)) = best {
            self.push(seg, index, &cand, scored, 0);
        }
        true
    }

    /// Scan free text for candidates. Returns whether any digit chain of ID length was seen.
    fn scan_text(&mut self, seg: &Segment, index: u32) -> bool {
        let text = &*seg.text;
        let b = text.as_bytes();
        let n = b.len();
        let mut i = 0;
        let mut saw_numeric = false;
        let mut line_pos = 0usize;
        let mut line_extra = 0u32;
        let mut groups = std::mem::take(&mut self.groups);
        while i < n {
            // Skip to the next digit.
            match next_digit(b, i) {
                Some(at) => i = at,
                None => break,
            }
            // Build the chain of groups joined by separators.
            groups.clear();
            let mut total = 0usize;
            let mut has_six = false;
            let mut j = i;
            loop {
                let gs = j;
                while at(b, j).is_ascii_digit() {
                    j += 1;
                }
                total += j - gs;
                has_six |= j - gs == 6;
                let sep = separator_at(b, j).filter(|(_, len)| at(b, j + len).is_ascii_digit());
                groups.push(Group {
                    start: gs,
                    end: j,
                    sep_after: sep,
                });
                match sep {
                    Some((_, len)) => j += len,
                    None => break,
                }
            }
            i = j.max(i + 1);
            if total < 8 && !has_six {
                continue;
            }
            if total >= 8 {
                saw_numeric = true;
            }
            if total == 12 || total == 14 {
                self.count_clock(seg, b, &groups, total);
            }
            let cands = self.chain_candidates(text, &groups);
            if cands.is_empty() {
                continue;
            }
            // Score, then keep the best non-overlapping readings.
            // Readings of the same characters (a Finnish and a Danish reading of `DDMMYY-NNNN`) become one
            // candidate with alternatives.
            let mut scored: Vec<(Vec<Scored>, Candidate)> = Vec::new();
            for c in cands {
                let s = self.score(seg, &c);
                if s.is_empty() {
                    continue;
                }
                match scored
                    .iter_mut()
                    .find(|(_, o)| o.start == c.start && o.end == c.end)
                {
                    Some((existing, _)) => {
                        existing.extend(s);
                        sort_readings(existing, self.rules().country);
                    }
                    None => scored.push((s, c)),
                }
            }
            scored.sort_by(|a, b| {
                let sa = a.0.first().map(|s| s.score).unwrap_or(0.0);
                let sb = b.0.first().map(|s| s.score).unwrap_or(0.0);
                let ka = a.0.first().map(|s| s.id.kind);
                let kb = b.0.first().map(|s| s.id.kind);
                sb.total_cmp(&sa)
                    .then(ka.cmp(&kb))
                    .then(a.1.start.cmp(&b.1.start))
            });
            let mut taken: Vec<(usize, usize)> = Vec::new();
            for (s, c) in scored {
                if taken.iter().any(|&(a, z)| c.start < z && a < c.end) {
                    continue;
                }
                taken.push((c.start, c.end));
                if c.start >= line_pos {
                    line_extra +=
                        crate::extract::count_newlines(b.get(line_pos..c.start).unwrap_or(b""))
                            as u32;
                    line_pos = c.start;
                }
                self.push(seg, index, &c, s, line_extra);
            }
        }
        self.groups = groups;
        saw_numeric
    }

    /// Count a chain of 12 or 14 digits that begins with a date (`YYYYMMDD`, as one group or as the first
    /// of two) in the file's date-shaped numbers, and as clock-shaped when the rest is a time of day.
    fn count_clock(&mut self, seg: &Segment, b: &[u8], groups: &[Group], total: usize) {
        let whole = match groups {
            [g] => g.len() == total,
            [g, h] => g.len() == 8 && h.len() == total - 8,
            _ => false,
        };
        if !whole {
            return;
        }
        let mut d = [0u32; 14];
        let mut k = 0;
        for g in groups {
            for &c in b.get(g.start..g.end).unwrap_or(b"") {
                if let Some(slot) = d.get_mut(k) {
                    *slot = u32::from(c.wrapping_sub(b'0'));
                }
                k += 1;
            }
        }
        let two = |i: usize| d[i] * 10 + d[i + 1];
        let year = two(0) * 100 + two(2);
        let (month, day) = (two(4), two(6));
        if !(1900..=u32::from(self.engine.today.year) + 1).contains(&year)
            || !(1..=12).contains(&month)
            || !(1..=31).contains(&day)
        {
            return;
        }
        let clock = two(8) < 24 && two(10) < 60 && (total == 12 || two(12) < 60);
        let stat = match self.clocks.get_mut(&seg.member) {
            Some(s) => s,
            None => self.clocks.entry(seg.member.clone()).or_default(),
        };
        stat.dated += 1;
        stat.clock += u32::from(clock);
    }

    /// Candidates in one chain of digit groups.
    fn chain_candidates(&self, text: &str, groups: &[Group]) -> Vec<Candidate> {
        let b = text.as_bytes();
        let mut out = Vec::new();
        let last = groups.len().saturating_sub(1);
        let first_start = groups.first().map(|g| g.start).unwrap_or(0);
        let plus_prefix = first_start > 0
            && at(b, first_start - 1) == b'+'
            && !(first_start >= 2 && at(b, first_start - 2).is_ascii_digit());
        for a in 0..groups.len() {
            let Some(ga) = groups.get(a) else { continue };
            // What stands to the left of group a.
            let left_ok = if a == 0 {
                !glued_left(text, ga.start)
            } else {
                groups
                    .get(a - 1)
                    .and_then(|g| g.sep_after)
                    .is_some_and(|(s, _)| s == b' ')
            };
            // Finnish henkilötunnus: DDMMYY C ZZZ Q (a space or dash typed for the `-` sign is accepted).
            if ga.len() == 6
                && left_ok
                && let Some(c) = spaced_hetu(text, ga.start, ga.end, a > 0)
            {
                out.push(c);
            } else if ga.len() == 6 && left_ok {
                let e = ga.end;
                let (sign, sign_len) = match separator_at(b, e) {
                    Some((b' ' | b'-', len)) => (b'-', len),
                    Some((s, len)) => (s, len),
                    None => (at(b, e).to_ascii_uppercase(), 1),
                };
                let body = e + sign_len;
                let sign_ok = matches!(sign, b'+' | b'-' | b'A'..=b'F' | b'U'..=b'Y');
                let body_ok = (0..3).all(|k| at(b, body + k).is_ascii_digit())
                    && at(b, body + 3).is_ascii_alphanumeric();
                if sign_ok
                    && body_ok
                    && !glued_right(text, body + 4)
                    && let (Some(date), Some(rest)) =
                        (text.get(ga.start..e), text.get(body..body + 4))
                {
                    let raw_sign = text.get(e..body).unwrap_or("");
                    let upper = format!("{date}{}{}", char::from(sign), rest.to_ascii_uppercase());
                    let lowercase = rest.bytes().any(|c| c.is_ascii_lowercase())
                        || raw_sign.bytes().any(|c| c.is_ascii_lowercase());
                    out.push(Candidate {
                        start: ga.start,
                        end: body + 4,
                        digits: Vec::new(),
                        sep: None,
                        shape: vec![6, 4],
                        adjacent: a > 0,
                        plus_prefix: a == 0 && plus_prefix,
                        zero_restored: false,
                        fi: Some((upper, lowercase)),
                    });
                }
            }
            if !left_ok {
                continue;
            }
            let mut total = 0;
            let mut shape: Vec<usize> = Vec::with_capacity(4);
            for z in a..groups.len() {
                let Some(gz) = groups.get(z) else { break };
                total += gz.len();
                shape.push(gz.len());
                if total > 12 {
                    break;
                }
                if !SHAPES.contains(&shape.as_slice()) {
                    continue;
                }
                let right_ok = if z == last {
                    !glued_right(text, gz.end)
                } else {
                    gz.sep_after.is_some_and(|(s, _)| s == b' ')
                };
                if !right_ok {
                    continue;
                }
                // `+` only as the Swedish centenarian separator in DDMMYY+NNNC.
                let seps: Vec<u8> = (a..z)
                    .filter_map(|k| groups.get(k).and_then(|g| g.sep_after).map(|(s, _)| s))
                    .collect();
                if seps.contains(&b'+') && shape.as_slice() != [6, 4] {
                    continue;
                }
                let mut digits = Vec::with_capacity(total);
                for k in a..=z {
                    if let Some(g) = groups.get(k) {
                        digits.extend_from_slice(b.get(g.start..g.end).unwrap_or(b""));
                    }
                }
                // The separator before the last four digits (five for 11-digit numbers).
                let tail = if total == 11 { 5 } else { 4 };
                let sep = if shape.last() == Some(&tail) && z > a {
                    groups.get(z - 1).and_then(|g| g.sep_after).map(|(s, _)| s)
                } else {
                    None
                };
                let adjacent_left = a > 0 && groups.get(a - 1).is_some_and(|g| g.len() < 10);
                let adjacent_right = z < last && groups.get(z + 1).is_some_and(|g| g.len() < 10);
                out.push(Candidate {
                    start: ga.start,
                    end: gz.end,
                    digits,
                    sep,
                    shape: shape.clone(),
                    adjacent: adjacent_left || adjacent_right,
                    plus_prefix: a == 0 && plus_prefix,
                    zero_restored: false,
                    fi: None,
                });
            }
        }
        out
    }

    /// Context words near `start..end` in the segment, nearest first.
    fn context_hits(&self, text: &str, start: usize, end: usize) -> Vec<ContextHit> {
        let mut hits = Vec::new();
        let ws = floor_boundary(text, start.saturating_sub(WINDOW_BEFORE));
        let we = ceil_boundary(text, end + WINDOW_AFTER);
        let before = text.get(ws..start).unwrap_or("");
        let after = text.get(end..we).unwrap_or("");
        // Context stays within the sentence: cut at `. ` / `! ` / `? ` followed by a capital letter.
        let before = before.get(last_sentence_end(before)..).unwrap_or(before);
        let after = after.get(..first_sentence_end(after)).unwrap_or(after);
        let set = &self.engine.context;
        set.find_all(before, |m| {
            let between = before.get(m.end..).unwrap_or("");
            if has_digits(between, 4) {
                return;
            }
            if let Some(class) = set
                .spec(m.spec)
                .and_then(|s| self.engine.context_class.get(s.payload))
            {
                hits.push(ContextHit {
                    distance: before.len() - m.end,
                    class: *class,
                    term: before.get(m.start..m.end).unwrap_or("").to_lowercase(),
                });
            }
        });
        set.find_all(after, |m| {
            let between = after.get(..m.start).unwrap_or("");
            if has_digits(between, 4) {
                return;
            }
            if let Some(class) = set
                .spec(m.spec)
                .and_then(|s| self.engine.context_class.get(s.payload))
            {
                hits.push(ContextHit {
                    distance: m.start * 2 + 10,
                    class: *class,
                    term: after.get(m.start..m.end).unwrap_or("").to_lowercase(),
                });
            }
        });
        hits.sort_by_key(|h| h.distance);
        hits
    }

    /// The first context word in a header or label.
    fn label_hits(&self, label: &str) -> Vec<ContextHit> {
        let mut hits = Vec::new();
        let set = &self.engine.context;
        set.find_all(label, |m| {
            if let Some(class) = set
                .spec(m.spec)
                .and_then(|s| self.engine.context_class.get(s.payload))
            {
                hits.push(ContextHit {
                    distance: m.start,
                    class: *class,
                    term: label.get(m.start..m.end).unwrap_or("").to_lowercase(),
                });
            }
        });
        hits.sort_by_key(|h| h.distance);
        hits
    }

    /// Every enabled valid reading of a candidate, scored, best first.
    fn score(&self, seg: &Segment, c: &Candidate) -> Vec<Scored> {
        let rules = self.rules();
        let today = self.engine.today;
        let ids: Vec<IdNumber> = match &c.fi {
            Some((s, _)) => vakt_idnr::parse(Country::Fi, s, today)
                .into_iter()
                .collect(),
            None => {
                let want = c.digits.len();
                vakt_idnr::interpret(&c.digits, c.sep, today)
                    .into_iter()
                    .filter(|id| match kind_country(id.kind) {
                        Country::No => want == 11,
                        Country::Dk => want == 10,
                        Country::Se => want == 10 || want == 12,
                        Country::Fi => false,
                    })
                    .collect()
            }
        };
        if ids.is_empty() {
            return Vec::new();
        }
        let text = &*seg.text;
        let hits = self.context_hits(text, c.start, c.end);
        let label: Option<(&str, &str)> = match &seg.structure {
            Structure::TableCell {
                header: Some(h), ..
            }
            | Structure::NumericCell {
                header: Some(h), ..
            } => Some(("header", h.as_str())),
            Structure::Labelled { label } => Some(("label", label.as_str())),
            Structure::Header { name } => Some(("field", name.as_str())),
            _ => None,
        };
        let label_hits = label.map(|(_, l)| self.label_hits(l)).unwrap_or_default();
        let mut out = Vec::new();
        for id in ids {
            let code = kind_code(id.kind);
            if !rules.reports(code) {
                continue;
            }
            let country = kind_country(id.kind);
            let mut reasons = Vec::new();
            let base = base_score(&id, c, &mut reasons);
            let mut score = base;
            let mut add = |code: &str, detail: String, delta: f32, reasons: &mut Vec<Reason>| {
                score += delta;
                reasons.push(Reason::new(code, detail, delta));
            };
            // Signals from the validator.
            if id.signals.implausible_age {
                add(
                    "implausible_age",
                    String::new(),
                    IMPLAUSIBLE_AGE,
                    &mut reasons,
                );
            }
            if id.signals.century_consistent == Some(false) {
                add(
                    "century_inconsistent",
                    String::new(),
                    CENTURY_INCONSISTENT,
                    &mut reasons,
                );
            }
            if id.signals.post_2032_rule && today.year < 2032 {
                add("post_2032_rule", String::new(), POST_2032, &mut reasons);
            }
            if country == Country::Se && c.sep == Some(b'+') {
                add(
                    "se_centenarian_separator",
                    String::new(),
                    SE_PLUS,
                    &mut reasons,
                );
            }
            if let Some((_, true)) = &c.fi {
                add("lowercase", String::new(), LOWERCASE, &mut reasons);
            }
            if let Some((fi, _)) = &c.fi
                && fi.bytes().last().is_some_and(|x| x.is_ascii_digit())
                && fi.as_bytes().get(6) == Some(&b'-')
                && text.as_bytes().get(c.start + 6) != Some(&b'-')
            {
                add("fi_sign_typed", String::new(), FI_SIGN_TYPED, &mut reasons);
            }
            // Format.
            if c.shape.as_slice() == [4, 2, 5] {
                add(
                    "account_format",
                    "XXXX.XX.XXXXX".into(),
                    ACCOUNT_FORMAT,
                    &mut reasons,
                );
            }
            if c.plus_prefix {
                add("phone_prefix", "+".into(), PHONE_PREFIX, &mut reasons);
            }
            if c.adjacent {
                add("adjacent_number", String::new(), ADJACENT, &mut reasons);
            }
            if c.fi.is_none() && example_digits(&c.digits) {
                add("example_number", String::new(), EXAMPLE, &mut reasons);
            }
            if country == Country::Se
                && c.digits.len() == 12
                && looks_like_timestamp(&c.digits, today)
            {
                add("timestamp_like", String::new(), TIMESTAMP, &mut reasons);
                if let Some(n) = log_neighbours(&seg.text, c.start, c.end) {
                    add(
                        "timestamp_context",
                        n.to_string(),
                        TIMESTAMP_EVIDENCE,
                        &mut reasons,
                    );
                }
            }
            if c.zero_restored {
                // One lost zero is what Excel does to every number born on days 1–9; more are rarer.
                let zeros = c.digits.iter().take_while(|&&d| d == b'0').count();
                let delta = if zeros > 1 { SEVERAL_ZEROS } else { 0.0 };
                add(
                    "leading_zero_restored",
                    zeros.to_string(),
                    delta,
                    &mut reasons,
                );
            }
            // Context words: the nearest one that speaks for this country, or any negative word.
            let applicable = |h: &&ContextHit| match h.class {
                ContextClass::Positive(None) => true,
                ContextClass::Positive(Some(k)) => k == country,
                ContextClass::Negative => true,
            };
            if let Some(h) = hits.iter().find(applicable) {
                match h.class {
                    ContextClass::Negative => add(
                        "context_negative",
                        h.term.clone(),
                        CONTEXT_NEGATIVE,
                        &mut reasons,
                    ),
                    ContextClass::Positive(_) => add(
                        "context_positive",
                        h.term.clone(),
                        CONTEXT_POSITIVE,
                        &mut reasons,
                    ),
                }
            }
            if let (Some((what, _)), Some(h)) = (label, label_hits.iter().find(applicable)) {
                match h.class {
                    ContextClass::Negative => add(
                        &format!("{what}_negative"),
                        h.term.clone(),
                        HEADER_NEGATIVE,
                        &mut reasons,
                    ),
                    ContextClass::Positive(_) => add(
                        &format!("{what}_positive"),
                        h.term.clone(),
                        HEADER_POSITIVE,
                        &mut reasons,
                    ),
                }
            }
            if rules.country == Some(country) {
                add(
                    "country_preference",
                    country_code(country).into(),
                    PREFERENCE,
                    &mut reasons,
                );
            }
            out.push(Scored {
                id,
                code,
                country,
                score: score.clamp(0.0, 1.0),
                reasons,
            });
        }
        sort_readings(&mut out, rules.country);
        out
    }

    fn push(
        &mut self,
        seg: &Segment,
        index: u32,
        c: &Candidate,
        mut scored: Vec<Scored>,
        line_extra: u32,
    ) {
        if scored.is_empty() {
            return;
        }
        let best = scored.remove(0);
        let masked = vakt_idnr::mask(&best.id);
        let context = snippet(&seg.text, c.start, c.end, Some(&masked));
        let alternatives = scored
            .into_iter()
            .filter(|s| s.country != best.country)
            .map(|s| Alternative {
                code: s.code,
                country: s.country,
                masked: vakt_idnr::mask(&s.id),
                normalized: s.id.normalized,
                confidence: s.score,
                reasons: s.reasons,
            })
            .collect();
        self.findings.push(Finding {
            member: seg.member.clone(),
            code: best.code,
            normalized: best.id.normalized,
            masked,
            confidence: best.score,
            location: render_location(&seg.location, line_extra),
            context,
            reasons: best.reasons,
            offset: c.start,
            segment_index: index,
            column: None,
            alternatives,
        });
        let _ = best.country;
    }

    /// Column shares, the file's country evidence, thresholds and exclusions; findings in file order.
    pub fn finish(self) -> Vec<Finding> {
        let rules = &self.engine.rules;
        let mut findings = self.findings;
        // Timestamp-like numbers in a file whose date-shaped numbers are mostly timestamps.
        for f in &mut findings {
            let Some(stat) = self.clocks.get(&f.member) else {
                continue;
            };
            if stat.clock < TIMESTAMP_FILE_MIN
                || stat.clock * 4 < stat.dated * 3
                || !f.reasons.iter().any(|r| r.code == "timestamp_like")
                || f.reasons.iter().any(|r| r.code == "timestamp_context")
            {
                continue;
            }
            f.confidence = (f.confidence + TIMESTAMP_EVIDENCE).clamp(0.0, 1.0);
            f.reasons.push(Reason::new(
                "timestamps_in_file",
                format!("{}/{}", stat.clock, stat.dated),
                TIMESTAMP_EVIDENCE,
            ));
        }
        // The share of values in a table column that validate.
        for f in &mut findings {
            let Some(col) = &f.column else { continue };
            let Some(stat) = self.columns.get(col) else {
                continue;
            };
            if stat.numeric < 4 {
                continue;
            }
            let share = stat.valid as f32 / stat.numeric as f32;
            let detail = format!("{}/{}", stat.valid, stat.numeric);
            let delta = if share >= 0.5 {
                COLUMN_SHARE_HIGH
            } else if share < 0.25 {
                COLUMN_SHARE_LOW
            } else {
                0.0
            };
            if delta != 0.0 {
                f.confidence = (f.confidence + delta).clamp(0.0, 1.0);
                let code = if delta > 0.0 {
                    "column_share"
                } else {
                    "column_share_low"
                };
                f.reasons.push(Reason::new(code, detail.clone(), delta));
                for a in &mut f.alternatives {
                    a.confidence = (a.confidence + delta).clamp(0.0, 1.0);
                    a.reasons.push(Reason::new(code, detail.clone(), delta));
                }
            }
        }
        // Numbers valid in two countries: without a preference, follow the file's unambiguous findings.
        if rules.country.is_none() {
            // Count unambiguous findings per country; an alternative wins with more of them than the current
            // reading's country has.
            let mut votes: HashMap<Country, u32> = HashMap::new();
            for f in findings.iter().filter(|f| f.alternatives.is_empty()) {
                if f.confidence + EPSILON >= VOTE_MIN
                    && let Some(k) = Kind::from_code_local(f.code)
                {
                    *votes.entry(kind_country(k)).or_default() += 1;
                }
            }
            for f in &mut findings {
                let Some(cur) = Kind::from_code_local(f.code).map(kind_country) else {
                    continue;
                };
                let cur_votes = votes.get(&cur).copied().unwrap_or(0);
                let best_alt = f
                    .alternatives
                    .iter()
                    .enumerate()
                    .filter(|(_, a)| a.confidence + 0.15 >= f.confidence)
                    .map(|(i, a)| (i, votes.get(&a.country).copied().unwrap_or(0)))
                    .filter(|(_, v)| *v > cur_votes)
                    .max_by_key(|x| x.1);
                if let Some((i, _)) = best_alt {
                    let alt = f.alternatives.remove(i);
                    let old = Alternative {
                        code: f.code,
                        country: cur,
                        normalized: std::mem::take(&mut f.normalized),
                        masked: std::mem::take(&mut f.masked),
                        confidence: f.confidence,
                        reasons: std::mem::take(&mut f.reasons),
                    };
                    f.code = alt.code;
                    f.normalized = alt.normalized;
                    f.context = f.context.replace(&old.masked, &alt.masked);
                    f.masked = alt.masked;
                    f.confidence = alt.confidence.max(old.confidence);
                    f.reasons = alt.reasons;
                    f.reasons.push(Reason::new(
                        "file_country_evidence",
                        country_code(alt.country).to_string(),
                        f.confidence - alt.confidence,
                    ));
                    f.alternatives.push(old);
                }
            }
        }
        findings.retain(|f| {
            f.confidence + EPSILON >= rules.min_confidence
                && !rules.exclude_values.contains(&value_key(&f.normalized))
                && !(f.code == "se.pnr" || f.code == "se.snr")
                    .then(|| f.normalized.get(2..).map(value_key))
                    .flatten()
                    .is_some_and(|k| rules.exclude_values.contains(&k))
        });
        // One row per number per member: the same number again (a mail's text and HTML bodies, a
        // repeated header) adds to the first row's count instead of adding rows.
        let mut seen: HashMap<(String, &'static str, String), usize> = HashMap::new();
        let mut counts: Vec<u32> = Vec::with_capacity(findings.len());
        let mut kept: Vec<Finding> = Vec::with_capacity(findings.len());
        for f in findings {
            let key = (f.member.clone(), f.code, f.normalized.clone());
            match seen
                .get(&key)
                .and_then(|&i| kept.get_mut(i).zip(counts.get_mut(i)))
            {
                Some((k, n)) => {
                    *n += 1;
                    if f.confidence > k.confidence {
                        k.confidence = f.confidence;
                        k.reasons = f.reasons;
                    }
                }
                None => {
                    seen.insert(key, kept.len());
                    kept.push(f);
                    counts.push(1);
                }
            }
        }
        for (f, n) in kept.iter_mut().zip(counts) {
            if n > 1 {
                f.reasons
                    .push(Reason::new("occurrences", n.to_string(), 0.0));
            }
        }
        let mut findings = kept;
        // Special categories.
        for ((member, category), acc) in self.categories {
            let confidence = crate::categories::combine(acc.terms.values());
            if confidence < rules.category_min_confidence {
                continue;
            }
            let mut terms: Vec<(&String, &f32)> = acc.terms.iter().collect();
            terms.sort_by(|a, b| b.1.total_cmp(a.1).then(a.0.cmp(b.0)));
            let value = terms
                .iter()
                .map(|(t, _)| t.as_str())
                .collect::<Vec<_>>()
                .join(", ");
            let reasons = terms
                .iter()
                .map(|(t, w)| Reason::new("term", (*t).clone(), **w))
                .collect();
            findings.push(Finding {
                member,
                code: category.code(),
                normalized: value.clone(),
                masked: value,
                confidence,
                location: acc.location,
                context: acc.context,
                reasons,
                offset: acc.offset,
                segment_index: acc.segment_index,
                column: None,
                alternatives: Vec::new(),
            });
        }
        findings.sort_by(|a, b| {
            a.member
                .cmp(&b.member)
                .then(a.segment_index.cmp(&b.segment_index))
                .then(a.offset.cmp(&b.offset))
                .then(a.code.cmp(b.code))
        });
        findings
    }
}

trait FromCodeLocal {
    fn from_code_local(code: &str) -> Option<Kind>;
}

impl FromCodeLocal for Kind {
    fn from_code_local(code: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| kind_code(*k) == code)
    }
}

/// Best reading first: score, then the preferred country, then kind order.
fn sort_readings(v: &mut [Scored], pref: Option<Country>) {
    v.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then_with(|| (Some(b.country) == pref).cmp(&(Some(a.country) == pref)))
            .then_with(|| a.id.kind.cmp(&b.id.kind))
    });
}

fn country_code(c: Country) -> &'static str {
    match c {
        Country::No => "no",
        Country::Se => "se",
        Country::Dk => "dk",
        Country::Fi => "fi",
    }
}

fn prepend(raw: &[u8], zeros: usize) -> Vec<u8> {
    let mut v = vec![b'0'; zeros];
    v.extend_from_slice(raw);
    v
}

/// A 12-digit Swedish form whose date is recent and whose last four digits are a clock time
/// (`20240101-1234`) reads more like a timestamp than a personnummer.
fn looks_like_timestamp(d: &[u8], today: Date) -> bool {
    let num = |s: &[u8]| {
        s.iter()
            .fold(0u32, |a, &c| a * 10 + u32::from(c.wrapping_sub(b'0')))
    };
    let (Some(year), Some(hh), Some(mm)) = (d.get(0..4), d.get(8..10), d.get(10..12)) else {
        return false;
    };
    let year = num(year);
    year + 12 >= u32::from(today.year) && num(hh) < 24 && num(mm) < 60
}

/// The log-like character next to a number (`[` or `=` before it, `]` after it), if any.
fn log_neighbours(text: &str, start: usize, end: usize) -> Option<char> {
    match (char_before(text, start), char_at(text, end)) {
        (Some(c @ ('[' | '=')), _) | (_, Some(c @ ']')) => Some(c),
        _ => None,
    }
}

/// The base score of a reading, with its reason.
fn base_score(id: &IdNumber, c: &Candidate, reasons: &mut Vec<Reason>) -> f32 {
    let (code, base) = match id.kind {
        Kind::NoFnr => ("check_digits", BASE_NO_FNR),
        Kind::NoDnr => ("check_digits", BASE_NO_DNR),
        Kind::NoHnr => ("check_digits", BASE_NO_HNR),
        Kind::NoTest => ("check_digits", BASE_NO_TEST),
        Kind::SePnr if c.digits.len() == 12 => ("check_digit", BASE_SE_12),
        Kind::SePnr => ("check_digit", BASE_SE_10),
        Kind::SeSnr => ("check_digit", BASE_SE_SNR),
        Kind::DkCpr if id.signals.dk_mod11 == Some(true) => ("dk_date_mod11", BASE_DK_MOD11),
        Kind::DkCpr => ("dk_date_only", BASE_DK),
        Kind::FiHetu => {
            let letter =
                c.fi.as_ref()
                    .map(|(s, _)| s.bytes().skip(6).any(|b| b.is_ascii_alphabetic()))
                    .unwrap_or(false);
            if letter {
                ("check_character", BASE_FI_LETTER)
            } else {
                ("check_character_digit", BASE_FI_DIGIT)
            }
        }
    };
    reasons.push(Reason::new(code, String::new(), base));
    base
}

/// `±SNIPPET` bytes around `start..end`, whitespace collapsed, every number masked; the finding itself
/// replaced by `masked` when given.
fn snippet(text: &str, start: usize, end: usize, masked: Option<&str>) -> String {
    let s = floor_boundary(text, start.saturating_sub(SNIPPET));
    let e = ceil_boundary(text, end + SNIPPET);
    let before = text.get(s..start).unwrap_or("");
    let after = text.get(end..e).unwrap_or("");
    let middle = match masked {
        Some(m) => m.to_string(),
        None => text.get(start..end).unwrap_or("").to_string(),
    };
    let mut out = String::new();
    if s > 0 {
        out.push('…');
    }
    out.push_str(&mask_snippet(&collapse_ws(before)));
    out.push_str(&if masked.is_some() {
        middle
    } else {
        mask_snippet(&middle)
    });
    out.push_str(&mask_snippet(&collapse_ws(after)));
    if e < text.len() {
        out.push('…');
    }
    out.trim().to_string()
}

#[cfg(test)]
#[path = "detect_tests.rs"]
mod tests;
