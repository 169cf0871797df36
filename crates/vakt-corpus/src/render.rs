//! Writing documents in every format, through the fixture writers of `vakt_scan::fixtures`.

use vakt_scan::fixtures::{self, Block, DocxParts, PdfLine, XCell, XSheet};

use crate::docs::{Doc, Item};
use crate::numbers::Numbers;

/// The leaf formats (containers — eml, mbox, ics, zip — are assembled in `lib.rs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Leaf {
    Txt,
    Csv,
    Html,
    Xml,
    Docx,
    Xlsx,
    Pptx,
    Odt,
    Ods,
    Odp,
    Pdf,
}

impl Leaf {
    pub const ALL: [Leaf; 11] = [
        Leaf::Txt,
        Leaf::Csv,
        Leaf::Html,
        Leaf::Xml,
        Leaf::Docx,
        Leaf::Xlsx,
        Leaf::Pptx,
        Leaf::Odt,
        Leaf::Ods,
        Leaf::Odp,
        Leaf::Pdf,
    ];
    pub fn ext(self) -> &'static str {
        match self {
            Leaf::Txt => "txt",
            Leaf::Csv => "csv",
            Leaf::Html => "html",
            Leaf::Xml => "xml",
            Leaf::Docx => "docx",
            Leaf::Xlsx => "xlsx",
            Leaf::Pptx => "pptx",
            Leaf::Odt => "odt",
            Leaf::Ods => "ods",
            Leaf::Odp => "odp",
            Leaf::Pdf => "pdf",
        }
    }
    /// Formats that hold only tables.
    pub fn tabular(self) -> bool {
        matches!(self, Leaf::Csv | Leaf::Xlsx | Leaf::Ods | Leaf::Xml)
    }
}

fn blocks(doc: &Doc, with_deleted: bool) -> Vec<Block> {
    let mut out = Vec::new();
    for item in &doc.items {
        out.push(match item {
            Item::Para(p) => Block::Para(p.clone()),
            Item::Field { label, value } => Block::Field {
                label: label.clone(),
                value: value.clone(),
            },
            Item::Table { header, rows } => Block::Table {
                header: header.clone(),
                rows: rows
                    .iter()
                    .map(|r| r.iter().map(|c| c.text.clone()).collect())
                    .collect(),
            },
            Item::Tracked {
                before,
                inserted,
                after,
            } => Block::Tracked {
                before: before.clone(),
                inserted: inserted.clone(),
                deleted: String::new(),
                after: after.clone(),
            },
            Item::Spaced { label, groups } => Block::Para(format!("{label}: {}", groups.join(" "))),
        });
    }
    if with_deleted && let Some((text, _)) = &doc.deleted {
        out.push(Block::Tracked {
            before: String::new(),
            inserted: String::new(),
            deleted: text.clone(),
            after: String::new(),
        });
    }
    out
}

fn parts_as_paras(doc: &Doc) -> Vec<Block> {
    let p = &doc.parts;
    [&p.header, &p.footer, &p.footnote, &p.comment]
        .into_iter()
        .flatten()
        .map(|s| Block::Para(s.clone()))
        .collect()
}

fn sheet(doc: &Doc, n: &mut Numbers) -> XSheet {
    let mut rows = Vec::new();
    let mut table_seen = false;
    for item in &doc.items {
        if let Item::Table { header, rows: body } = item {
            table_seen = true;
            rows.push(header.iter().map(|h| XCell::Shared(h.clone())).collect());
            for r in body {
                rows.push(
                    r.iter()
                        .map(|c| {
                            if c.numeric {
                                if c.text.starts_with('0') && n.chance(50) {
                                    XCell::Formatted {
                                        digits: c.text.clone(),
                                        format: "0".repeat(c.text.len()),
                                    }
                                } else {
                                    XCell::Number(c.text.clone())
                                }
                            } else if n.chance(50) {
                                XCell::Shared(c.text.clone())
                            } else {
                                XCell::Inline(c.text.clone())
                            }
                        })
                        .collect(),
                );
            }
        }
    }
    if !table_seen {
        rows = doc
            .lines()
            .into_iter()
            .map(|l| vec![XCell::Shared(l)])
            .collect();
    }
    let name = doc.lang.header[4].chars().take(20).collect::<String>();
    XSheet { name, rows }
}

fn xml_name(s: &str) -> String {
    let t: String = s
        .to_lowercase()
        .chars()
        .map(|c| match c {
            'æ' | 'ä' => 'a',
            'ø' | 'ö' => 'o',
            'å' => 'a',
            c if c.is_ascii_alphanumeric() => c,
            _ => '_',
        })
        .collect();
    let t = t.trim_matches('_').to_string();
    if t.is_empty() { "field".into() } else { t }
}

/// Render a document as a file of format `leaf`.
pub fn render(doc: &Doc, leaf: Leaf, n: &mut Numbers) -> Vec<u8> {
    match leaf {
        Leaf::Txt => {
            let text = doc.lines().join("\n") + "\n";
            match n.rng.below(10) {
                0 => fixtures::utf16le_bom(&text),
                1 | 2 => fixtures::windows1252(&text),
                _ => fixtures::utf8(&text),
            }
        }
        Leaf::Csv => {
            let mut rows: Vec<Vec<String>> = Vec::new();
            for item in &doc.items {
                if let Item::Table { header, rows: body } = item {
                    rows.push(header.clone());
                    rows.extend(
                        body.iter()
                            .map(|r| r.iter().map(|c| c.text.clone()).collect()),
                    );
                }
            }
            let delimiter = if n.chance(60) { b';' } else { b',' };
            fixtures::csv(&rows, delimiter)
        }
        Leaf::Html => {
            let mut b = blocks(doc, false);
            b.extend(parts_as_paras(doc));
            fixtures::html(&doc.title, &b)
        }
        Leaf::Xml => {
            let mut records = Vec::new();
            for item in &doc.items {
                if let Item::Table { header, rows } = item {
                    for r in rows {
                        records.push(
                            header
                                .iter()
                                .zip(r)
                                .map(|(h, c)| (xml_name(h), c.text.clone()))
                                .collect(),
                        );
                    }
                }
            }
            if records.is_empty() {
                records = doc
                    .lines()
                    .into_iter()
                    .map(|l| vec![("text".to_string(), l)])
                    .collect();
            }
            fixtures::xml(&records)
        }
        Leaf::Docx => {
            let mut b = vec![Block::Para(doc.title.clone())];
            b.extend(blocks(doc, true));
            let p = &doc.parts;
            fixtures::docx(
                &b,
                &DocxParts {
                    header: p.header.clone(),
                    footer: p.footer.clone(),
                    footnote: p.footnote.clone(),
                    comment: p.comment.clone(),
                },
            )
        }
        Leaf::Odt => {
            let mut b = vec![Block::Para(doc.title.clone())];
            b.extend(blocks(doc, false));
            b.extend(parts_as_paras(doc));
            fixtures::odt(&b)
        }
        Leaf::Xlsx => fixtures::xlsx(&[sheet(doc, n)]),
        Leaf::Ods => fixtures::ods(&[sheet(doc, n)]),
        Leaf::Pptx | Leaf::Odp => {
            let lines = doc.lines();
            let slides: Vec<Vec<String>> = lines.chunks(3).map(<[String]>::to_vec).collect();
            if leaf == Leaf::Pptx {
                fixtures::pptx(&slides)
            } else {
                fixtures::odp(&slides)
            }
        }
        Leaf::Pdf => {
            let mut lines = vec![PdfLine::Text(doc.title.clone())];
            for item in &doc.items {
                match item {
                    Item::Spaced { label, groups } => {
                        lines.push(PdfLine::Text(format!("{label}:")));
                        lines.push(PdfLine::SpacedDigits(groups.clone()));
                    }
                    other => {
                        let tmp = Doc {
                            items: vec![other.clone()],
                            ..doc.clone()
                        };
                        // `lines()` starts with the title and ends with the parts; take the item only.
                        let item_lines = tmp.lines();
                        let parts = [
                            &doc.parts.header,
                            &doc.parts.footer,
                            &doc.parts.footnote,
                            &doc.parts.comment,
                        ]
                        .into_iter()
                        .flatten()
                        .count();
                        let end = item_lines.len().saturating_sub(parts);
                        for l in item_lines.into_iter().take(end).skip(1) {
                            lines.push(PdfLine::Text(l.replace('\t', "   ")));
                        }
                    }
                }
            }
            for s in parts_as_paras(doc) {
                if let Block::Para(t) = s {
                    lines.push(PdfLine::Text(t));
                }
            }
            // About 40 lines per page.
            let pages: Vec<Vec<PdfLine>> = lines.chunks(40).map(<[PdfLine]>::to_vec).collect();
            fixtures::pdf(&pages)
        }
    }
}

/// The plants of `doc` as they appear in format `leaf` (DOCX also holds the tracked deletion).
pub fn plants_in(doc: &Doc, leaf: Leaf) -> Vec<crate::Plant> {
    let mut out = doc.plants.clone();
    if leaf == Leaf::Docx
        && let Some((_, p)) = &doc.deleted
    {
        out.push(p.clone());
    }
    out
}
