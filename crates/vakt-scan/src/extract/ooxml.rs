//! DOCX, XLSX and PPTX: the ZIP parts are read under the limits and their XML streamed with quick-xml.
//!
//! WordprocessingML and DrawingML share the paragraph walker: all runs of a paragraph are joined (so a
//! number split across runs comes out whole), text inside tracked insertions is part of the current
//! text, and deleted text (still stored in the file) is reported as the paragraph's earlier version.

use std::collections::HashMap;

use quick_xml::events::{BytesStart, Event as XmlEvent};

use super::container::{self, Archive};
use super::{
    Budget, Emitter, Event, ExtractError, Location, Structure, join_member, text::is_header_row,
};

fn malformed(format: &'static str, part: &str, e: impl std::fmt::Display) -> ExtractError {
    ExtractError::Malformed {
        format,
        detail: format!("{part}: {e}"),
    }
}

fn local(e: &BytesStart<'_>) -> Vec<u8> {
    e.local_name().as_ref().to_vec()
}

/// The value of the attribute with local name `key`.
pub(crate) fn attr(e: &BytesStart<'_>, key: &[u8]) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.local_name().as_ref() == key)
        .map(|a| {
            a.unescape_value()
                .map(|v| v.into_owned())
                .unwrap_or_else(|_| String::from_utf8_lossy(&a.value).into_owned())
        })
}

pub(crate) fn xml_text(t: &quick_xml::events::BytesText<'_>) -> String {
    t.unescape()
        .map(|v| v.into_owned())
        .unwrap_or_else(|_| super::markup::decode_entities(&String::from_utf8_lossy(t)))
}

#[derive(Default)]
struct Para {
    current: String,
    original: String,
    changed: bool,
}

struct Table {
    id: u32,
    row: u32,
    col: u32,
    headers: Vec<String>,
    cell: Option<Para>,
}

/// Walk the paragraphs and tables of a WordprocessingML or DrawingML part.
fn walk_paragraphs(
    xml: &[u8],
    format: &'static str,
    part: &str,
    location: &Location,
    tables_seen: &mut u32,
    em: &mut Emitter<'_>,
) -> Result<(), ExtractError> {
    let text = std::str::from_utf8(xml).map_err(|e| malformed(format, part, e))?;
    let mut reader = quick_xml::Reader::from_str(text);
    reader.config_mut().check_end_names = true;
    let mut paras: Vec<Para> = Vec::new();
    let mut tables: Vec<Table> = Vec::new();
    let (mut ins, mut del, mut in_t, mut in_del_t) = (0u32, 0u32, false, false);
    let mut depth = 0u32;
    let deleted_location = match location {
        Location::Part(p) => Location::Part(format!("{p} (deleted text)")),
        other => other.clone(),
    };
    loop {
        let ev = reader
            .read_event()
            .map_err(|e| malformed(format, part, e))?;
        check_depth(&ev, &mut depth).map_err(|e| malformed(format, part, e))?;
        match ev {
            XmlEvent::Start(e) => match local(&e).as_slice() {
                b"p" => paras.push(Para::default()),
                b"t" => in_t = true,
                b"delText" => in_del_t = true,
                b"ins" | b"moveTo" => ins += 1,
                b"del" | b"moveFrom" => del += 1,
                b"tbl" => {
                    tables.push(Table {
                        id: *tables_seen,
                        row: 0,
                        col: 0,
                        headers: Vec::new(),
                        cell: None,
                    });
                    *tables_seen = tables_seen.saturating_add(1);
                }
                b"tr" => {
                    if let Some(t) = tables.last_mut() {
                        t.row = t.row.saturating_add(1);
                        t.col = 0;
                    }
                }
                b"tc" => {
                    if let Some(t) = tables.last_mut() {
                        t.cell = Some(Para::default());
                    }
                }
                _ => {}
            },
            XmlEvent::Empty(e) => {
                let ch = match local(&e).as_slice() {
                    b"tab" => Some('\t'),
                    b"br" | b"cr" => Some('\n'),
                    b"noBreakHyphen" => Some('-'),
                    b"tc" => {
                        if let Some(t) = tables.last_mut() {
                            t.col = t.col.saturating_add(1);
                        }
                        None
                    }
                    _ => None,
                };
                if let (Some(c), Some(p)) = (ch, paras.last_mut()) {
                    if del == 0 {
                        p.current.push(c);
                    }
                    if ins == 0 {
                        p.original.push(c);
                    }
                }
            }
            XmlEvent::Text(t) if in_t || in_del_t => {
                let s = xml_text(&t);
                if let Some(p) = paras.last_mut() {
                    if in_del_t || del > 0 {
                        p.original.push_str(&s);
                        p.changed = true;
                    } else if ins > 0 {
                        p.current.push_str(&s);
                        p.changed = true;
                    } else {
                        p.current.push_str(&s);
                        p.original.push_str(&s);
                    }
                }
            }
            XmlEvent::CData(t) if in_t => {
                if let Some(p) = paras.last_mut() {
                    let s = String::from_utf8_lossy(&t);
                    p.current.push_str(&s);
                    p.original.push_str(&s);
                }
            }
            XmlEvent::End(e) => match local_end(&e).as_slice() {
                b"t" => in_t = false,
                b"delText" => in_del_t = false,
                b"ins" | b"moveTo" => ins = ins.saturating_sub(1),
                b"del" | b"moveFrom" => del = del.saturating_sub(1),
                b"p" => {
                    let Some(p) = paras.pop() else { continue };
                    // A paragraph directly inside a table cell belongs to the cell.
                    let in_cell =
                        paras.is_empty() && tables.last().is_some_and(|t| t.cell.is_some());
                    if in_cell {
                        if let Some(cell) = tables.last_mut().and_then(|t| t.cell.as_mut()) {
                            for (dst, src) in [
                                (&mut cell.current, &p.current),
                                (&mut cell.original, &p.original),
                            ] {
                                if !dst.is_empty() {
                                    dst.push('\n');
                                }
                                dst.push_str(src);
                            }
                            cell.changed |= p.changed;
                        }
                    } else {
                        em.text(location.clone(), Structure::Prose, p.current.clone());
                        if p.changed && p.original != p.current {
                            em.text(deleted_location.clone(), Structure::Prose, p.original);
                        }
                    }
                }
                b"tc" => {
                    let Some(t) = tables.last_mut() else { continue };
                    let Some(cell) = t.cell.take() else { continue };
                    let col = t.col;
                    let column = (t.id << 10) | col.min(1023);
                    let header = if t.row <= 1 {
                        if is_header_row([cell.current.as_str()]) {
                            let idx = col as usize;
                            if t.headers.len() <= idx {
                                t.headers.resize(idx + 1, String::new());
                            }
                            if let Some(slot) = t.headers.get_mut(idx) {
                                *slot = super::normalize(cell.current.trim().to_string());
                            }
                        }
                        None
                    } else {
                        t.headers
                            .get(col as usize)
                            .filter(|h| !h.is_empty())
                            .cloned()
                    };
                    t.col = t.col.saturating_add(1);
                    let changed = cell.changed && cell.original != cell.current;
                    em.text(
                        location.clone(),
                        Structure::TableCell {
                            column,
                            header: header.clone(),
                        },
                        cell.current,
                    );
                    if changed {
                        em.text(
                            deleted_location.clone(),
                            Structure::TableCell { column, header },
                            cell.original,
                        );
                    }
                }
                b"tbl" => {
                    tables.pop();
                }
                _ => {}
            },
            XmlEvent::Eof => break,
            _ => {}
        }
    }
    Ok(())
}

/// Count open elements; the end of the document inside an element is an error (quick-xml accepts it).
pub(crate) fn check_depth(ev: &XmlEvent<'_>, depth: &mut u32) -> Result<(), &'static str> {
    match ev {
        XmlEvent::Start(_) => *depth = depth.saturating_add(1),
        XmlEvent::End(_) => *depth = depth.saturating_sub(1),
        XmlEvent::Eof if *depth > 0 => return Err("unexpected end of document inside an element"),
        _ => {}
    }
    Ok(())
}

fn local_end(e: &quick_xml::events::BytesEnd<'_>) -> Vec<u8> {
    e.local_name().as_ref().to_vec()
}

/// Read a part that must be there (the main part of the document).
fn required(
    archive: &mut Archive<'_>,
    name: &str,
    format: &'static str,
    budget: &mut Budget<'_>,
) -> Result<Vec<u8>, ExtractError> {
    archive
        .read_name(name, budget)?
        .ok_or_else(|| ExtractError::Malformed {
            format,
            detail: format!("missing {name}"),
        })
}

/// A secondary part that fails becomes an error row for `doc!part`; the document goes on.
fn part_error(em: &mut Emitter<'_>, part: &str, error: ExtractError) {
    let member = join_member(&em.member, part);
    (em.sink)(Event::Error { member, error });
}

fn sorted_numbered(names: &[String], prefix: &str) -> Vec<String> {
    let mut v: Vec<(u32, String)> = names
        .iter()
        .filter_map(|n| {
            let rest = n.strip_prefix(prefix)?.strip_suffix(".xml")?;
            if rest.contains('/') {
                return None;
            }
            let num: u32 = rest
                .trim_start_matches(|c: char| !c.is_ascii_digit())
                .parse()
                .unwrap_or(0);
            Some((num, n.clone()))
        })
        .collect();
    v.sort();
    v.into_iter().map(|(_, n)| n).collect()
}

pub(crate) fn extract_docx(
    data: &[u8],
    depth: u32,
    budget: &mut Budget<'_>,
    em: &mut Emitter<'_>,
) -> Result<(), ExtractError> {
    let mut archive = container::open(data, "docx")?;
    let main = required(&mut archive, "word/document.xml", "docx", budget)?;
    let mut tables = 0u32;
    walk_paragraphs(
        &main,
        "docx",
        "word/document.xml",
        &Location::Part("word/document.xml".into()),
        &mut tables,
        em,
    )?;
    drop(main);
    let names = archive.names();
    let mut parts = sorted_numbered(&names, "word/header");
    parts.extend(sorted_numbered(&names, "word/footer"));
    for p in [
        "word/footnotes.xml",
        "word/endnotes.xml",
        "word/comments.xml",
    ] {
        if names.iter().any(|n| n == p) {
            parts.push(p.to_string());
        }
    }
    for part in parts {
        budget.check_time()?;
        let result = archive.read_name(&part, budget).and_then(|xml| match xml {
            Some(xml) => walk_paragraphs(
                &xml,
                "docx",
                &part,
                &Location::Part(part.clone()),
                &mut tables,
                em,
            ),
            None => Ok(()),
        });
        if let Err(e) = result {
            if let Some(stop) = budget.exhausted() {
                return Err(stop);
            }
            part_error(em, &part, e);
        }
    }
    container::extract_embeddings(&mut archive, "word/embeddings/", depth, budget, em)
}

pub(crate) fn extract_pptx(
    data: &[u8],
    depth: u32,
    budget: &mut Budget<'_>,
    em: &mut Emitter<'_>,
) -> Result<(), ExtractError> {
    let mut archive = container::open(data, "pptx")?;
    let presentation = required(&mut archive, "ppt/presentation.xml", "pptx", budget)?;
    let names = archive.names();
    // Slide order from the presentation (sldIdLst → relationships), else by file number.
    let rels = archive
        .read_name("ppt/_rels/presentation.xml.rels", budget)
        .ok()
        .flatten()
        .unwrap_or_default();
    let targets = relationships(&rels, "ppt/");
    let mut slides: Vec<String> = ids_in_order(&presentation, b"sldId")
        .into_iter()
        .filter_map(|id| targets.get(&id).cloned())
        .filter(|t| names.contains(t))
        .collect();
    if slides.is_empty() {
        slides = sorted_numbered(&names, "ppt/slides/slide");
    }
    let mut tables = 0u32;
    for (i, part) in slides.iter().enumerate() {
        budget.check_time()?;
        let loc = Location::Slide(u32::try_from(i + 1).unwrap_or(u32::MAX));
        let result = archive.read_name(part, budget).and_then(|xml| {
            walk_paragraphs(
                &xml.unwrap_or_default(),
                "pptx",
                part,
                &loc,
                &mut tables,
                em,
            )
        });
        if let Err(e) = result {
            if let Some(stop) = budget.exhausted() {
                return Err(stop);
            }
            part_error(em, part, e);
        }
    }
    // Speaker notes: each slide's relationships name its notes part; notes are reported at their slide.
    let mut notes_of: HashMap<String, u32> = HashMap::new();
    for (i, part) in slides.iter().enumerate() {
        let Some((dir, file)) = part.rsplit_once('/') else {
            continue;
        };
        let rels = archive
            .read_name(&format!("{dir}/_rels/{file}.rels"), budget)
            .ok()
            .flatten()
            .unwrap_or_default();
        if let Some(target) = notes_target(&rels) {
            notes_of.insert(
                resolve_target(dir, &target),
                u32::try_from(i + 1).unwrap_or(u32::MAX),
            );
        }
    }
    for part in sorted_numbered(&names, "ppt/notesSlides/notesSlide") {
        let loc = match notes_of.get(&part) {
            Some(slide) => Location::Slide(*slide),
            None => Location::Part(part.clone()),
        };
        let result = archive.read_name(&part, budget).and_then(|xml| {
            walk_paragraphs(
                &xml.unwrap_or_default(),
                "pptx",
                &part,
                &loc,
                &mut tables,
                em,
            )
        });
        if let Err(e) = result {
            if let Some(stop) = budget.exhausted() {
                return Err(stop);
            }
            part_error(em, &part, e);
        }
    }
    container::extract_embeddings(&mut archive, "ppt/embeddings/", depth, budget, em)
}

/// The target of the `notesSlide` relationship in a slide's relationships part.
fn notes_target(xml: &[u8]) -> Option<String> {
    let mut reader = quick_xml::Reader::from_reader(xml);
    while let Ok(ev) = reader.read_event() {
        match ev {
            XmlEvent::Start(e) | XmlEvent::Empty(e)
                if local(&e) == b"Relationship"
                    && attr(&e, b"Type").is_some_and(|t| t.ends_with("/notesSlide")) =>
            {
                return attr(&e, b"Target");
            }
            XmlEvent::Eof => break,
            _ => {}
        }
    }
    None
}

/// A relationship target resolved against the directory of its source part (`..` and `.` removed;
/// a leading `/` means from the package root).
fn resolve_target(dir: &str, target: &str) -> String {
    let mut parts: Vec<&str> = if target.starts_with('/') {
        Vec::new()
    } else {
        dir.split('/').filter(|p| !p.is_empty()).collect()
    };
    for p in target.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    parts.join("/")
}

/// `Id → target path` of a relationships part; relative targets are resolved against `base`.
fn relationships(xml: &[u8], base: &str) -> HashMap<String, String> {
    let mut map = HashMap::new();
    let mut reader = quick_xml::Reader::from_reader(xml);
    while let Ok(ev) = reader.read_event() {
        match ev {
            XmlEvent::Start(e) | XmlEvent::Empty(e) if local(&e) == b"Relationship" => {
                if let (Some(id), Some(target)) = (attr(&e, b"Id"), attr(&e, b"Target")) {
                    let path = match target.strip_prefix('/') {
                        Some(abs) => abs.to_string(),
                        None => format!("{base}{target}"),
                    };
                    map.insert(id, path);
                }
            }
            XmlEvent::Eof => break,
            _ => {}
        }
    }
    map
}

/// The `r:id` attributes of the elements named `element`, in document order.
fn ids_in_order(xml: &[u8], element: &[u8]) -> Vec<String> {
    let mut out = Vec::new();
    let mut reader = quick_xml::Reader::from_reader(xml);
    while let Ok(ev) = reader.read_event() {
        match ev {
            XmlEvent::Start(e) | XmlEvent::Empty(e) if local(&e) == element => {
                let rid = e
                    .attributes()
                    .flatten()
                    .find(|a| a.key.local_name().as_ref() == b"id" && a.key.prefix().is_some())
                    .map(|a| String::from_utf8_lossy(&a.value).into_owned());
                if let Some(r) = rid {
                    out.push(r);
                }
            }
            XmlEvent::Eof => break,
            _ => {}
        }
    }
    out
}

/// The letters of a column index (0 → `A`, 26 → `AA`).
pub(crate) fn column_letters(mut col: u32) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (col % 26) as u8);
        if col < 26 {
            break;
        }
        col = col / 26 - 1;
    }
    s.reverse();
    String::from_utf8(s).unwrap_or_default()
}

/// Split `B12` into (column index 1, row 12).
fn parse_ref(r: &str) -> Option<(u32, u32)> {
    let letters: String = r.chars().take_while(char::is_ascii_alphabetic).collect();
    let row: u32 = r.get(letters.len()..)?.parse().ok()?;
    let mut col: u32 = 0;
    for c in letters.bytes() {
        col = col
            .checked_mul(26)?
            .checked_add(u32::from(c.to_ascii_uppercase() - b'A') + 1)?;
    }
    Some((col.checked_sub(1)?, row))
}

/// Render a stored number as an integer string when it is one (`1.019012345E10` → `10190123450`).
pub(crate) fn render_number(v: &str) -> String {
    let v = v.trim();
    if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) {
        return v.to_string();
    }
    match v.parse::<f64>() {
        Ok(f) if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e17 => format!("{f:.0}"),
        _ => v.to_string(),
    }
}

/// Apply a number format made only of `0` placeholders and literals (`00000000000`, `000000-00000`)
/// to an integer string, restoring the leading zeros the format displays.
pub(crate) fn apply_zero_format(digits: &str, code: &str) -> Option<String> {
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // Parse the code into placeholders (None) and literal characters.
    let mut items: Vec<Option<char>> = Vec::new();
    let mut chars = code.chars();
    while let Some(c) = chars.next() {
        match c {
            '0' => items.push(None),
            '\\' => items.push(Some(chars.next()?)),
            '"' => {
                for q in chars.by_ref() {
                    if q == '"' {
                        break;
                    }
                    items.push(Some(q));
                }
            }
            '-' | ' ' | '/' => items.push(Some(c)),
            _ => return None,
        }
    }
    let zeros = items.iter().filter(|i| i.is_none()).count();
    if zeros < 2 {
        return None;
    }
    let padded = if digits.len() < zeros {
        format!("{}{digits}", "0".repeat(zeros - digits.len()))
    } else {
        digits.to_string()
    };
    let extra = padded.len() - zeros;
    let mut out: String = padded.get(..extra)?.to_string();
    let mut it = padded.get(extra..)?.chars();
    for item in items {
        match item {
            None => out.push(it.next()?),
            Some(c) => out.push(c),
        }
    }
    Some(out)
}

/// Number formats (id → code) and the number format of each cell style, from `xl/styles.xml`.
fn styles(xml: &[u8]) -> (HashMap<u32, String>, Vec<u32>) {
    let mut formats = HashMap::new();
    let mut xfs = Vec::new();
    let mut in_cell_xfs = false;
    let mut reader = quick_xml::Reader::from_reader(xml);
    while let Ok(ev) = reader.read_event() {
        match ev {
            XmlEvent::Start(e) | XmlEvent::Empty(e) => match local(&e).as_slice() {
                b"numFmt" => {
                    if let (Some(id), Some(code)) = (attr(&e, b"numFmtId"), attr(&e, b"formatCode"))
                        && let Ok(id) = id.parse()
                    {
                        formats.insert(id, code);
                    }
                }
                b"cellXfs" => in_cell_xfs = true,
                b"xf" if in_cell_xfs => xfs.push(
                    attr(&e, b"numFmtId")
                        .and_then(|v| v.parse().ok())
                        .unwrap_or(0),
                ),
                _ => {}
            },
            XmlEvent::End(e) if e.local_name().as_ref() == b"cellXfs" => in_cell_xfs = false,
            XmlEvent::Eof => break,
            _ => {}
        }
    }
    (formats, xfs)
}

fn shared_strings(xml: &[u8]) -> Result<Vec<String>, ExtractError> {
    let mut out = Vec::new();
    let mut reader = quick_xml::Reader::from_reader(xml);
    reader.config_mut().check_end_names = true;
    let (mut cur, mut in_t, mut phonetic) = (String::new(), false, 0u32);
    loop {
        match reader
            .read_event()
            .map_err(|e| malformed("xlsx", "xl/sharedStrings.xml", e))?
        {
            XmlEvent::Start(e) => match local(&e).as_slice() {
                b"si" => cur.clear(),
                b"t" => in_t = true,
                b"rPh" => phonetic += 1,
                _ => {}
            },
            XmlEvent::Empty(e) if local(&e) == b"si" => out.push(String::new()),
            XmlEvent::Text(t) if in_t && phonetic == 0 => cur.push_str(&xml_text(&t)),
            XmlEvent::End(e) => match e.local_name().as_ref() {
                b"si" => out.push(std::mem::take(&mut cur)),
                b"t" => in_t = false,
                b"rPh" => phonetic = phonetic.saturating_sub(1),
                _ => {}
            },
            XmlEvent::Eof => break,
            _ => {}
        }
    }
    Ok(out)
}

struct SheetCtx<'a> {
    name: &'a str,
    index: u32,
    shared: &'a [String],
    formats: &'a HashMap<u32, String>,
    xfs: &'a [u32],
}

fn walk_sheet(
    xml: &[u8],
    part: &str,
    ctx: &SheetCtx<'_>,
    em: &mut Emitter<'_>,
) -> Result<(), ExtractError> {
    let mut reader = quick_xml::Reader::from_reader(xml);
    reader.config_mut().check_end_names = true;
    let mut headers: HashMap<u32, String> = HashMap::new();
    let mut depth = 0u32;
    let (mut row, mut next_col) = (0u32, 0u32);
    // The open cell: reference, type, style, value text, inline text.
    let mut cell: Option<(u32, u32, String, Option<u32>)> = None;
    let (mut value, mut inline, mut in_v, mut in_is_t) =
        (String::new(), String::new(), false, false);
    loop {
        let ev = reader
            .read_event()
            .map_err(|e| malformed("xlsx", part, e))?;
        check_depth(&ev, &mut depth).map_err(|e| malformed("xlsx", part, e))?;
        match ev {
            XmlEvent::Start(e) | XmlEvent::Empty(e) if local(&e) == b"row" => {
                row = attr(&e, b"r")
                    .and_then(|r| r.parse().ok())
                    .unwrap_or(row.saturating_add(1));
                next_col = 0;
            }
            XmlEvent::Start(e) if local(&e) == b"c" => {
                let (col, r) = attr(&e, b"r")
                    .and_then(|r| parse_ref(&r))
                    .unwrap_or((next_col, row));
                next_col = col.saturating_add(1);
                let kind = attr(&e, b"t").unwrap_or_else(|| "n".into());
                let style = attr(&e, b"s").and_then(|s| s.parse().ok());
                cell = Some((col, r, kind, style));
                value.clear();
                inline.clear();
            }
            XmlEvent::Empty(e) if local(&e) == b"c" => {
                next_col = attr(&e, b"r")
                    .and_then(|r| parse_ref(&r))
                    .map_or(next_col, |(c, _)| c)
                    .saturating_add(1);
            }
            XmlEvent::Start(e) => match local(&e).as_slice() {
                b"v" => in_v = true,
                b"t" => in_is_t = true,
                _ => {}
            },
            XmlEvent::Text(t) if in_v => value.push_str(&xml_text(&t)),
            XmlEvent::Text(t) if in_is_t => inline.push_str(&xml_text(&t)),
            XmlEvent::End(e) => match e.local_name().as_ref() {
                b"v" => in_v = false,
                b"t" => in_is_t = false,
                b"c" => {
                    let Some((col, r, kind, style)) = cell.take() else {
                        continue;
                    };
                    let (text, numeric) = match kind.as_str() {
                        "s" => {
                            let idx: usize = value.trim().parse().unwrap_or(usize::MAX);
                            (ctx.shared.get(idx).cloned().unwrap_or_default(), false)
                        }
                        "inlineStr" => (inline.clone(), false),
                        "str" | "d" => (value.clone(), false),
                        "b" | "e" => continue,
                        _ => {
                            let n = render_number(&value);
                            let code = style
                                .and_then(|s| ctx.xfs.get(s as usize))
                                .and_then(|id| ctx.formats.get(id));
                            let n = code.and_then(|c| apply_zero_format(&n, c)).unwrap_or(n);
                            (n, true)
                        }
                    };
                    let column = (ctx.index << 16) | col.min(0xFFFF);
                    let header = if r <= 1 {
                        if !numeric && is_header_row([text.as_str()]) {
                            headers.insert(col, super::normalize(text.trim().to_string()));
                        }
                        None
                    } else {
                        headers.get(&col).cloned()
                    };
                    let location = Location::Cell {
                        sheet: ctx.name.to_string(),
                        cell: format!("{}{r}", column_letters(col)),
                    };
                    let structure = if numeric {
                        Structure::NumericCell { column, header }
                    } else {
                        Structure::TableCell { column, header }
                    };
                    em.text(location, structure, text);
                }
                _ => {}
            },
            XmlEvent::Eof => break,
            _ => {}
        }
    }
    Ok(())
}

pub(crate) fn extract_xlsx(
    data: &[u8],
    depth: u32,
    budget: &mut Budget<'_>,
    em: &mut Emitter<'_>,
) -> Result<(), ExtractError> {
    let mut archive = container::open(data, "xlsx")?;
    let workbook = required(&mut archive, "xl/workbook.xml", "xlsx", budget)?;
    let names = archive.names();
    let rels = archive
        .read_name("xl/_rels/workbook.xml.rels", budget)
        .ok()
        .flatten()
        .unwrap_or_default();
    let targets = relationships(&rels, "xl/");
    // Sheets in workbook order: (name, part).
    let mut sheets: Vec<(String, String)> = Vec::new();
    let mut reader = quick_xml::Reader::from_reader(workbook.as_slice());
    loop {
        match reader
            .read_event()
            .map_err(|e| malformed("xlsx", "xl/workbook.xml", e))?
        {
            XmlEvent::Start(e) | XmlEvent::Empty(e) if local(&e) == b"sheet" => {
                let name = attr(&e, b"name").unwrap_or_default();
                let rid = e
                    .attributes()
                    .flatten()
                    .find(|a| a.key.local_name().as_ref() == b"id" && a.key.prefix().is_some())
                    .map(|a| String::from_utf8_lossy(&a.value).into_owned());
                if let Some(part) = rid.and_then(|r| targets.get(&r).cloned()) {
                    sheets.push((name, part));
                }
            }
            XmlEvent::Eof => break,
            _ => {}
        }
    }
    if sheets.is_empty() {
        sheets = sorted_numbered(&names, "xl/worksheets/sheet")
            .into_iter()
            .enumerate()
            .map(|(i, p)| (format!("Sheet{}", i + 1), p))
            .collect();
    }
    let shared = match archive.read_name("xl/sharedStrings.xml", budget) {
        Ok(Some(xml)) => shared_strings(&xml)?,
        Ok(None) => Vec::new(),
        Err(e) => return Err(e),
    };
    let (formats, xfs) = match archive.read_name("xl/styles.xml", budget) {
        Ok(Some(xml)) => styles(&xml),
        _ => (HashMap::new(), Vec::new()),
    };
    for (i, (name, part)) in sheets.iter().enumerate() {
        budget.check_time()?;
        let ctx = SheetCtx {
            name,
            index: u32::try_from(i).unwrap_or(u32::MAX),
            shared: &shared,
            formats: &formats,
            xfs: &xfs,
        };
        let result = archive.read_name(part, budget).and_then(|xml| match xml {
            Some(xml) => walk_sheet(&xml, part, &ctx, em),
            None => Err(ExtractError::Malformed {
                format: "xlsx",
                detail: format!("missing {part}"),
            }),
        });
        if let Err(e) = result {
            if let Some(stop) = budget.exhausted() {
                return Err(stop);
            }
            part_error(em, part, e);
        }
    }
    container::extract_embeddings(&mut archive, "xl/embeddings/", depth, budget, em)
}
