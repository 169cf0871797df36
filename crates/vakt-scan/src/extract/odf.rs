//! ODT, ODS and ODP (`content.xml`, and `styles.xml` for page headers and footers). Spans are inline, so
//! a number split across spans comes out whole; `text:s` is a run of spaces. ODS cells of value type
//! float (and percentage, currency) are numeric cells with their stored value.

use quick_xml::events::Event as XmlEvent;

use super::container;
use super::ooxml::{attr, column_letters, render_number, xml_text};
use super::{Budget, Emitter, ExtractError, Format, Location, Structure, text::is_header_row};

#[derive(Default)]
struct Cell {
    col: u32,
    row: u32,
    numeric: Option<String>,
    text: String,
}

struct Table {
    name: String,
    id: u32,
    row: u32,
    col: u32,
    headers: Vec<String>,
    cell: Option<Cell>,
    /// Extra copies of the open row (`table:number-rows-repeated` minus one).
    row_repeat: u32,
}

fn walk(
    xml: &[u8],
    part: &str,
    format: Format,
    em: &mut Emitter<'_>,
    budget: &Budget<'_>,
) -> Result<(), ExtractError> {
    let mut reader = quick_xml::Reader::from_reader(xml);
    reader.config_mut().check_end_names = true;
    let mut paras: Vec<String> = Vec::new();
    let mut tables: Vec<Table> = Vec::new();
    let mut tables_seen = 0u32;
    let mut slide = 0u32;
    let mut events = 0u32;
    let mut depth = 0u32;
    loop {
        events = events.wrapping_add(1);
        if events.is_multiple_of(65536) {
            budget.check_time()?;
        }
        let ev = reader.read_event().map_err(|e| ExtractError::Malformed {
            format: "odf",
            detail: format!("{part}: {e}"),
        })?;
        super::ooxml::check_depth(&ev, &mut depth).map_err(|e| ExtractError::Malformed {
            format: "odf",
            detail: format!("{part}: {e}"),
        })?;
        let location = |tables: &[Table], slide: u32| match format {
            Format::Odp => Location::Slide(slide.max(1)),
            _ => {
                let _ = tables;
                Location::Part(part.to_string())
            }
        };
        match ev {
            XmlEvent::Start(e) => match e.local_name().as_ref() {
                b"p" | b"h" => paras.push(String::new()),
                b"page" => slide = slide.saturating_add(1),
                b"table" => {
                    tables.push(Table {
                        name: attr(&e, b"name")
                            .unwrap_or_else(|| format!("Table{}", tables_seen + 1)),
                        id: tables_seen,
                        row: 0,
                        col: 0,
                        headers: Vec::new(),
                        cell: None,
                        row_repeat: 0,
                    });
                    tables_seen = tables_seen.saturating_add(1);
                }
                b"table-row" => {
                    if let Some(t) = tables.last_mut() {
                        t.row = t.row.saturating_add(1);
                        t.col = 0;
                        t.row_repeat = repeat(&e, b"number-rows-repeated") - 1;
                    }
                }
                b"table-cell" | b"covered-table-cell" => {
                    if let Some(t) = tables.last_mut() {
                        let numeric = match attr(&e, b"value-type").as_deref() {
                            Some("float" | "percentage" | "currency") => {
                                attr(&e, b"value").map(|v| render_number(&v))
                            }
                            _ => None,
                        };
                        t.cell = Some(Cell {
                            col: t.col,
                            row: t.row,
                            numeric,
                            text: String::new(),
                        });
                        t.col = t.col.saturating_add(repeat(&e, b"number-columns-repeated"));
                    }
                }
                _ => {}
            },
            XmlEvent::Empty(e) => {
                let name = e.local_name();
                match name.as_ref() {
                    b"s" => {
                        if let Some(p) = paras.last_mut() {
                            let n = attr(&e, b"c")
                                .and_then(|c| c.parse::<usize>().ok())
                                .unwrap_or(1)
                                .min(64);
                            p.push_str(&" ".repeat(n));
                        }
                    }
                    b"tab" => paras.last_mut().into_iter().for_each(|p| p.push('\t')),
                    b"line-break" => paras.last_mut().into_iter().for_each(|p| p.push('\n')),
                    b"table-row" => {
                        if let Some(t) = tables.last_mut() {
                            t.row = t.row.saturating_add(repeat(&e, b"number-rows-repeated"));
                        }
                    }
                    b"table-cell" | b"covered-table-cell" => {
                        if let Some(t) = tables.last_mut() {
                            t.col = t.col.saturating_add(repeat(&e, b"number-columns-repeated"));
                        }
                    }
                    b"page" => slide = slide.saturating_add(1),
                    _ => {}
                }
            }
            XmlEvent::Text(t) => {
                if let Some(p) = paras.last_mut() {
                    p.push_str(&xml_text(&t));
                }
            }
            XmlEvent::End(e) => match e.local_name().as_ref() {
                b"p" | b"h" => {
                    let Some(p) = paras.pop() else { continue };
                    if let Some(outer) = paras.last_mut() {
                        // A paragraph inside a paragraph (note, annotation): keep it apart from the
                        // outer text, but in the same run.
                        outer.push(' ');
                        outer.push_str(&p);
                        continue;
                    }
                    if let Some(cell) = tables.last_mut().and_then(|t| t.cell.as_mut()) {
                        if !cell.text.is_empty() {
                            cell.text.push('\n');
                        }
                        cell.text.push_str(&p);
                    } else {
                        em.text(location(&tables, slide), Structure::Prose, p);
                    }
                }
                b"table-row" => {
                    // A repeated row's copies only move the counter (its cells were reported once).
                    if let Some(t) = tables.last_mut() {
                        t.row = t.row.saturating_add(t.row_repeat);
                        t.row_repeat = 0;
                    }
                }
                b"table-cell" | b"covered-table-cell" => {
                    let Some(t) = tables.last_mut() else { continue };
                    let Some(cell) = t.cell.take() else { continue };
                    let column = (t.id << 16) | cell.col.min(0xFFFF);
                    let header = if cell.row <= 1 {
                        if cell.numeric.is_none() && is_header_row([cell.text.as_str()]) {
                            let idx = cell.col as usize;
                            if idx < 4096 {
                                if t.headers.len() <= idx {
                                    t.headers.resize(idx + 1, String::new());
                                }
                                if let Some(slot) = t.headers.get_mut(idx) {
                                    *slot = super::normalize(cell.text.trim().to_string());
                                }
                            }
                        }
                        None
                    } else {
                        t.headers
                            .get(cell.col as usize)
                            .filter(|h| !h.is_empty())
                            .cloned()
                    };
                    let loc = match format {
                        Format::Ods => Location::Cell {
                            sheet: t.name.clone(),
                            cell: format!("{}{}", column_letters(cell.col), cell.row),
                        },
                        _ => location(&tables, slide),
                    };
                    match cell.numeric {
                        Some(value) => {
                            // The displayed text keeps leading zeros the stored value lost.
                            let shown = cell.text.trim();
                            let text = if shown.len() > value.len()
                                && shown.bytes().all(|b| b.is_ascii_digit())
                                && shown.trim_start_matches('0') == value.trim_start_matches('0')
                            {
                                shown.to_string()
                            } else {
                                value
                            };
                            em.text(loc, Structure::NumericCell { column, header }, text);
                        }
                        None => em.text(loc, Structure::TableCell { column, header }, cell.text),
                    }
                }
                b"table" => {
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

fn repeat(e: &quick_xml::events::BytesStart<'_>, key: &[u8]) -> u32 {
    attr(e, key)
        .and_then(|v| v.parse().ok())
        .unwrap_or(1)
        .max(1)
}

pub(crate) fn extract_odf(
    format: Format,
    data: &[u8],
    _depth: u32,
    budget: &mut Budget<'_>,
    em: &mut Emitter<'_>,
) -> Result<(), ExtractError> {
    let mut archive = container::open(data, "odf")?;
    let content =
        archive
            .read_name("content.xml", budget)?
            .ok_or_else(|| ExtractError::Malformed {
                format: "odf",
                detail: "missing content.xml".into(),
            })?;
    walk(&content, "content.xml", format, em, budget)?;
    drop(content);
    if format == Format::Odt {
        match archive.read_name("styles.xml", budget) {
            Ok(Some(xml)) => {
                if let Err(error) = walk(&xml, "styles.xml", format, em, budget) {
                    let member = super::join_member(&em.member, "styles.xml");
                    (em.sink)(super::Event::Error { member, error });
                }
            }
            Ok(None) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}
