//! In-memory writers of test files for every format the extractors read (feature `fixtures`).
//!
//! Each writer builds a small, valid file around the text it is given and deliberately sets the traps
//! that can split or hide a number in that format, so that tests (and the test-corpus generator) check
//! that extraction undoes them:
//! - DOCX: every paragraph is cut into runs of three characters (with alternating formatting), and
//!   [`Block::Tracked`] writes a tracked insertion and a tracked deletion.
//! - XLSX: shared strings, inline strings, numeric cells and zero-padded number formats ([`XCell`]).
//! - PPTX/ODP: one text box per slide, runs/spans of three characters.
//! - ODT/ODS: spans of three characters; ODS numbers as `office:value-type="float"`.
//! - PDF: hand-written PDF 1.4 with Helvetica text objects; [`PdfLine::SpacedDigits`] places every digit
//!   by itself, one em apart, with three ems between groups.
//! - EML: quoted-printable bodies with a soft line break every seven characters, RFC 2047 subjects,
//!   base64 attachments.
//! - ICS: content lines folded every 10 octets.
//! - ZIP: deflated members, nesting, and a zip bomb built cheaply from repeated deflate blocks.
//!
//! Only synthetic numbers belong in these files.

use std::io::Write;

use zip::write::SimpleFileOptions;

/// A block of document content, shared by the HTML, XML, DOCX and ODT writers.
#[derive(Debug, Clone)]
pub enum Block {
    /// A paragraph of running text.
    Para(String),
    /// A table with a header row.
    Table {
        header: Vec<String>,
        rows: Vec<Vec<String>>,
    },
    /// A labelled form field (`<label>` + `<input value>` in HTML; "label: value" elsewhere).
    Field { label: String, value: String },
    /// A paragraph with tracked changes: `before`, then `inserted` (a tracked insertion), then
    /// `deleted` (a tracked deletion, still stored in the file), then `after`. Formats without tracked
    /// changes write `before + inserted + after`.
    Tracked {
        before: String,
        inserted: String,
        deleted: String,
        after: String,
    },
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Cut `s` into pieces of at most `n` characters.
fn pieces(s: &str, n: usize) -> Vec<String> {
    let chars: Vec<char> = s.chars().collect();
    chars.chunks(n.max(1)).map(|c| c.iter().collect()).collect()
}

/// UTF-8 text without a byte order mark.
pub fn utf8(text: &str) -> Vec<u8> {
    text.as_bytes().to_vec()
}

/// UTF-16 little endian with a byte order mark.
pub fn utf16le_bom(text: &str) -> Vec<u8> {
    let mut out = vec![0xFF, 0xFE];
    for u in text.encode_utf16() {
        out.extend_from_slice(&u.to_le_bytes());
    }
    out
}

/// UTF-16 big endian with a byte order mark.
pub fn utf16be_bom(text: &str) -> Vec<u8> {
    let mut out = vec![0xFE, 0xFF];
    for u in text.encode_utf16() {
        out.extend_from_slice(&u.to_be_bytes());
    }
    out
}

/// Windows-1252 (Latin-1 for the Nordic letters); characters outside it become `?`.
pub fn windows1252(text: &str) -> Vec<u8> {
    let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(text);
    bytes.into_owned()
}

/// CSV with the given delimiter; the first row is the header. Cells are quoted when needed.
pub fn csv(rows: &[Vec<String>], delimiter: u8) -> Vec<u8> {
    let mut out = Vec::new();
    for row in rows {
        let cells: Vec<String> = row
            .iter()
            .map(|c| {
                if c.contains([delimiter as char, '"', '\n']) {
                    format!("\"{}\"", c.replace('"', "\"\""))
                } else {
                    c.clone()
                }
            })
            .collect();
        out.extend_from_slice(cells.join(&(delimiter as char).to_string()).as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    out
}

fn html_text(s: &str) -> String {
    xml_escape(s)
        .replace('\u{A0}', "&nbsp;")
        .replace('\u{2013}', "&ndash;")
}

/// An HTML page: paragraphs (every third character wrapped in `<span>` so that inline markup splits
/// numbers), tables with `<th>` headers and form fields with `<label>` and `<input value>`.
pub fn html(title: &str, blocks: &[Block]) -> Vec<u8> {
    let mut s = format!(
        "<!DOCTYPE html>\n<html lang=\"nb\">\n<head><meta charset=\"utf-8\"><title>{}</title>\n<style>p {{ color: #123456 }}</style></head>\n<body>\n",
        html_text(title)
    );
    for (i, b) in blocks.iter().enumerate() {
        match b {
            Block::Para(t) => {
                s.push_str("<p>");
                for (j, p) in pieces(t, 3).iter().enumerate() {
                    if j % 2 == 1 {
                        s.push_str(&format!("<span class=\"x\">{}</span>", html_text(p)));
                    } else {
                        s.push_str(&html_text(p));
                    }
                }
                s.push_str("</p>\n");
            }
            Block::Table { header, rows } => {
                s.push_str("<table>\n<tr>");
                for h in header {
                    s.push_str(&format!("<th>{}</th>", html_text(h)));
                }
                s.push_str("</tr>\n");
                for r in rows {
                    s.push_str("<tr>");
                    for c in r {
                        s.push_str(&format!("<td>{}</td>", html_text(c)));
                    }
                    s.push_str("</tr>\n");
                }
                s.push_str("</table>\n");
            }
            Block::Field { label, value } => s.push_str(&format!(
                "<form><label for=\"f{i}\">{}</label>\n<input type=\"text\" id=\"f{i}\" name=\"f{i}\" value=\"{}\"></form>\n",
                html_text(label),
                html_text(value)
            )),
            Block::Tracked { before, inserted, after, .. } => {
                s.push_str(&format!("<p>{}<ins>{}</ins>{}</p>\n", html_text(before), html_text(inserted), html_text(after)))
            }
        }
    }
    s.push_str("</body>\n</html>\n");
    s.into_bytes()
}

/// An XML document of records: `<records><record><field>value</field>...</record>...</records>`.
/// Field names must be valid XML names.
pub fn xml(records: &[Vec<(String, String)>]) -> Vec<u8> {
    let mut s = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<records>\n");
    for (i, r) in records.iter().enumerate() {
        s.push_str(&format!("  <record id=\"r{}\">\n", i + 1));
        for (k, v) in r {
            s.push_str(&format!("    <{k}>{}</{k}>\n", xml_escape(v)));
        }
        s.push_str("  </record>\n");
    }
    s.push_str("</records>\n");
    s.into_bytes()
}

/// A ZIP archive of deflated members, in order.
pub fn zip(members: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, data) in members {
        let stored = *name == "mimetype";
        let opts = SimpleFileOptions::default().compression_method(if stored {
            zip::CompressionMethod::Stored
        } else {
            zip::CompressionMethod::Deflated
        });
        // Writing to memory cannot fail for these small archives.
        if w.start_file(*name, opts).is_ok() {
            let _ = w.write_all(data);
        }
    }
    w.finish().map(|c| c.into_inner()).unwrap_or_default()
}

/// `levels` ZIP archives nested in each other; the innermost holds `name` with `data`. Level `k` holds
/// `level{k-1}.zip`.
pub fn nested_zip(levels: u32, name: &str, data: &[u8]) -> Vec<u8> {
    let mut current = zip(&[(name, data)]);
    for k in 2..=levels {
        let inner_name = format!("level{}.zip", k - 1);
        current = zip(&[(&inner_name, &current)]);
    }
    current
}

/// Raw deflate of `total` zero bytes (a multiple of 1 MiB), built cheaply: once the compressor's
/// output for a 1 MiB chunk repeats, that segment (complete blocks, byte-aligned by a sync flush,
/// decoding to zeros wherever it stands once 32 KiB of zeros precede it) is repeated. Returns the
/// compressed bytes and the CRC-32 of the uncompressed data.
fn deflate_zeros(total: u64) -> (Vec<u8>, u32) {
    use flate2::{Compress, Compression, FlushCompress};
    const CHUNK: usize = 1 << 20;
    let zeros = vec![0u8; CHUNK];
    let chunks = total / CHUNK as u64;
    let mut c = Compress::new(Compression::best(), false);
    let mut out = Vec::new();
    let mut previous: Option<Vec<u8>> = None;
    let mut repeat: Option<Vec<u8>> = None;
    let mut done = 0u64;
    while done < chunks {
        if let Some(seg) = &repeat {
            out.extend_from_slice(seg);
            done += 1;
            continue;
        }
        let mut seg = Vec::with_capacity(64 * 1024);
        let start_in = c.total_in();
        loop {
            let consumed = usize::try_from(c.total_in() - start_in).unwrap_or(CHUNK);
            if seg.capacity() - seg.len() < 1024 {
                seg.reserve(64 * 1024);
            }
            let before_out = c.total_out();
            if c.compress_vec(
                zeros.get(consumed..).unwrap_or_default(),
                &mut seg,
                FlushCompress::Sync,
            )
            .is_err()
            {
                break;
            }
            let consumed = usize::try_from(c.total_in() - start_in).unwrap_or(CHUNK);
            if consumed >= CHUNK && c.total_out() == before_out {
                break;
            }
            if consumed >= CHUNK && seg.capacity() > seg.len() + 1024 {
                break;
            }
        }
        if previous.as_ref() == Some(&seg) && done >= 2 {
            repeat = Some(seg.clone());
        }
        out.extend_from_slice(&seg);
        previous = Some(seg);
        done += 1;
    }
    let mut tail = Vec::with_capacity(1024);
    let _ = c.compress_vec(&[], &mut tail, FlushCompress::Finish);
    out.extend_from_slice(&tail);
    let mut one = crc32fast::Hasher::new();
    one.update(&zeros);
    let mut crc = crc32fast::Hasher::new();
    for _ in 0..chunks {
        crc.combine(&one);
    }
    (out, crc.finalize())
}

/// A zip bomb: one deflated member `zeros.bin` of `uncompressed` zero bytes (rounded down to whole
/// MiB) in about a thousandth of that. With `honest_sizes` the headers declare the real size; without,
/// they claim 1000 bytes, so only limits enforced while decompressing can stop it.
pub fn zip_bomb(uncompressed: u64, honest_sizes: bool) -> Vec<u8> {
    let (data, crc) = deflate_zeros(uncompressed);
    let size = (uncompressed / (1 << 20)) * (1 << 20);
    let declared = if honest_sizes {
        u32::try_from(size).unwrap_or(u32::MAX)
    } else {
        1000
    };
    let csize = u32::try_from(data.len()).unwrap_or(u32::MAX);
    let name = b"zeros.bin";
    let mut z = Vec::with_capacity(data.len() + 200);
    // Local file header.
    z.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
    z.extend_from_slice(&20u16.to_le_bytes());
    z.extend_from_slice(&0u16.to_le_bytes());
    z.extend_from_slice(&8u16.to_le_bytes());
    z.extend_from_slice(&0u16.to_le_bytes());
    z.extend_from_slice(&0x21u16.to_le_bytes());
    z.extend_from_slice(&crc.to_le_bytes());
    z.extend_from_slice(&csize.to_le_bytes());
    z.extend_from_slice(&declared.to_le_bytes());
    z.extend_from_slice(&(name.len() as u16).to_le_bytes());
    z.extend_from_slice(&0u16.to_le_bytes());
    z.extend_from_slice(name);
    z.extend_from_slice(&data);
    let cd_offset = u32::try_from(z.len()).unwrap_or(u32::MAX);
    // Central directory.
    z.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
    z.extend_from_slice(&20u16.to_le_bytes());
    z.extend_from_slice(&20u16.to_le_bytes());
    z.extend_from_slice(&0u16.to_le_bytes());
    z.extend_from_slice(&8u16.to_le_bytes());
    z.extend_from_slice(&0u16.to_le_bytes());
    z.extend_from_slice(&0x21u16.to_le_bytes());
    z.extend_from_slice(&crc.to_le_bytes());
    z.extend_from_slice(&csize.to_le_bytes());
    z.extend_from_slice(&declared.to_le_bytes());
    z.extend_from_slice(&(name.len() as u16).to_le_bytes());
    z.extend_from_slice(&[0u8; 12]);
    z.extend_from_slice(&0u32.to_le_bytes());
    z.extend_from_slice(name);
    let cd_size = u32::try_from(z.len()).unwrap_or(u32::MAX) - cd_offset;
    // End of central directory.
    z.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    z.extend_from_slice(&[0u8; 4]);
    z.extend_from_slice(&1u16.to_le_bytes());
    z.extend_from_slice(&1u16.to_le_bytes());
    z.extend_from_slice(&cd_size.to_le_bytes());
    z.extend_from_slice(&cd_offset.to_le_bytes());
    z.extend_from_slice(&0u16.to_le_bytes());
    z
}

const W_NS: &str = "xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"";

/// WordprocessingML runs for `text`, three characters per run.
fn w_runs(text: &str) -> String {
    let mut s = String::new();
    for (i, p) in pieces(text, 3).iter().enumerate() {
        let rpr = if i % 2 == 1 {
            "<w:rPr><w:b/></w:rPr>"
        } else {
            ""
        };
        s.push_str(&format!(
            "<w:r>{rpr}<w:t xml:space=\"preserve\">{}</w:t></w:r>",
            xml_escape(p)
        ));
    }
    s
}

fn w_para(text: &str) -> String {
    format!(
        "<w:p><w:pPr><w:pStyle w:val=\"Normal\"/></w:pPr>{}</w:p>",
        w_runs(text)
    )
}

fn w_blocks(blocks: &[Block]) -> String {
    let mut s = String::new();
    for b in blocks {
        match b {
            Block::Para(t) => s.push_str(&w_para(t)),
            Block::Field { label, value } => s.push_str(&w_para(&format!("{label}: {value}"))),
            Block::Table { header, rows } => {
                s.push_str(
                    "<w:tbl><w:tblPr><w:tblStyle w:val=\"TableGrid\"/></w:tblPr><w:tblGrid/>",
                );
                for r in std::iter::once(header).chain(rows.iter()) {
                    s.push_str("<w:tr>");
                    for c in r {
                        s.push_str(&format!(
                            "<w:tc><w:tcPr><w:tcW w:w=\"2000\" w:type=\"dxa\"/></w:tcPr>{}</w:tc>",
                            w_para(c)
                        ));
                    }
                    s.push_str("</w:tr>");
                }
                s.push_str("</w:tbl>");
            }
            Block::Tracked {
                before,
                inserted,
                deleted,
                after,
            } => {
                s.push_str(&format!(
                    "<w:p>{}<w:ins w:id=\"1\" w:author=\"Test\" w:date=\"2024-01-01T00:00:00Z\">{}</w:ins><w:del w:id=\"2\" w:author=\"Test\" w:date=\"2024-01-01T00:00:00Z\"><w:r><w:delText xml:space=\"preserve\">{}</w:delText></w:r></w:del>{}</w:p>",
                    w_runs(before),
                    w_runs(inserted),
                    xml_escape(deleted),
                    w_runs(after)
                ));
            }
        }
    }
    s
}

/// What goes into a DOCX besides the body.
#[derive(Debug, Clone, Default)]
pub struct DocxParts {
    pub header: Option<String>,
    pub footer: Option<String>,
    pub footnote: Option<String>,
    pub comment: Option<String>,
}

/// A DOCX document: body blocks (runs of three characters, tables, tracked changes) and optional
/// header, footer, footnote and comment, each in its own part.
pub fn docx(blocks: &[Block], parts: &DocxParts) -> Vec<u8> {
    let mut members: Vec<(String, Vec<u8>)> = Vec::new();
    members.push((
        "[Content_Types].xml".into(),
        br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"#.to_vec(),
    ));
    members.push((
        "_rels/.rels".into(),
        br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"#.to_vec(),
    ));
    let mut body = w_blocks(blocks);
    if parts.footnote.is_some() {
        body.push_str(
            "<w:p><w:r><w:t>See note</w:t></w:r><w:r><w:footnoteReference w:id=\"1\"/></w:r></w:p>",
        );
    }
    if parts.comment.is_some() {
        body.push_str("<w:p><w:commentRangeStart w:id=\"0\"/><w:r><w:t>Commented</w:t></w:r><w:commentRangeEnd w:id=\"0\"/><w:r><w:commentReference w:id=\"0\"/></w:r></w:p>");
    }
    members.push((
        "word/document.xml".into(),
        format!("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><w:document {W_NS}><w:body>{body}<w:sectPr/></w:body></w:document>").into_bytes(),
    ));
    if let Some(h) = &parts.header {
        members.push((
            "word/header1.xml".into(),
            format!("<?xml version=\"1.0\"?><w:hdr {W_NS}>{}</w:hdr>", w_para(h)).into_bytes(),
        ));
    }
    if let Some(f) = &parts.footer {
        members.push((
            "word/footer1.xml".into(),
            format!("<?xml version=\"1.0\"?><w:ftr {W_NS}>{}</w:ftr>", w_para(f)).into_bytes(),
        ));
    }
    if let Some(n) = &parts.footnote {
        members.push((
            "word/footnotes.xml".into(),
            format!("<?xml version=\"1.0\"?><w:footnotes {W_NS}><w:footnote w:id=\"1\">{}</w:footnote></w:footnotes>", w_para(n)).into_bytes(),
        ));
    }
    if let Some(c) = &parts.comment {
        members.push((
            "word/comments.xml".into(),
            format!("<?xml version=\"1.0\"?><w:comments {W_NS}><w:comment w:id=\"0\" w:author=\"Test\">{}</w:comment></w:comments>", w_para(c)).into_bytes(),
        ));
    }
    let refs: Vec<(&str, &[u8])> = members
        .iter()
        .map(|(n, d)| (n.as_str(), d.as_slice()))
        .collect();
    zip(&refs)
}

/// A spreadsheet cell for [`xlsx`] and [`ods`].
#[derive(Debug, Clone)]
pub enum XCell {
    /// Text stored once in `xl/sharedStrings.xml` (XLSX) / a string cell (ODS).
    Shared(String),
    /// Text stored in the cell itself (`t="inlineStr"`) / a string cell (ODS).
    Inline(String),
    /// A number stored as a number; leading zeros of the given digits are lost, as in real files.
    Number(String),
    /// A number shown through a number format such as `00000000000` (XLSX; ODS shows the formatted
    /// text next to the value).
    Formatted {
        digits: String,
        format: String,
    },
    Empty,
}

/// A sheet for [`xlsx`] and [`ods`].
#[derive(Debug, Clone)]
pub struct XSheet {
    pub name: String,
    pub rows: Vec<Vec<XCell>>,
}

fn col_letters(mut col: usize) -> String {
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

fn stored_number(digits: &str) -> String {
    let t = digits.trim_start_matches('0');
    if t.is_empty() {
        "0".into()
    } else {
        t.to_string()
    }
}

/// An XLSX workbook: sheets in order, shared strings, inline strings, numeric cells and custom number
/// formats.
pub fn xlsx(sheets: &[XSheet]) -> Vec<u8> {
    let mut shared: Vec<String> = Vec::new();
    let mut formats: Vec<String> = Vec::new();
    let mut sheet_xml = Vec::new();
    for sheet in sheets {
        let mut s = String::from(
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>",
        );
        for (r, row) in sheet.rows.iter().enumerate() {
            s.push_str(&format!("<row r=\"{}\">", r + 1));
            for (c, cell) in row.iter().enumerate() {
                let rf = format!("{}{}", col_letters(c), r + 1);
                match cell {
                    XCell::Shared(t) => {
                        let idx = shared.iter().position(|x| x == t).unwrap_or_else(|| {
                            shared.push(t.clone());
                            shared.len() - 1
                        });
                        s.push_str(&format!("<c r=\"{rf}\" t=\"s\"><v>{idx}</v></c>"));
                    }
                    XCell::Inline(t) => s.push_str(&format!(
                        "<c r=\"{rf}\" t=\"inlineStr\"><is><t>{}</t></is></c>",
                        xml_escape(t)
                    )),
                    XCell::Number(d) => {
                        s.push_str(&format!("<c r=\"{rf}\"><v>{}</v></c>", stored_number(d)))
                    }
                    XCell::Formatted { digits, format } => {
                        let idx = formats.iter().position(|x| x == format).unwrap_or_else(|| {
                            formats.push(format.clone());
                            formats.len() - 1
                        });
                        s.push_str(&format!(
                            "<c r=\"{rf}\" s=\"{}\"><v>{}</v></c>",
                            idx + 1,
                            stored_number(digits)
                        ));
                    }
                    XCell::Empty => {}
                }
            }
            s.push_str("</row>");
        }
        s.push_str("</sheetData></worksheet>");
        sheet_xml.push(s);
    }
    let mut members: Vec<(String, Vec<u8>)> = Vec::new();
    members.push(("[Content_Types].xml".into(), br#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>"#.to_vec()));
    members.push(("_rels/.rels".into(), br#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#.to_vec()));
    let mut wb = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><sheets>",
    );
    let mut rels = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">",
    );
    for (i, sheet) in sheets.iter().enumerate() {
        wb.push_str(&format!(
            "<sheet name=\"{}\" sheetId=\"{}\" r:id=\"rId{}\"/>",
            xml_escape(&sheet.name),
            i + 1,
            i + 10
        ));
        rels.push_str(&format!("<Relationship Id=\"rId{}\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet{}.xml\"/>", i + 10, i + 1));
    }
    wb.push_str("</sheets></workbook>");
    rels.push_str("</Relationships>");
    members.push(("xl/workbook.xml".into(), wb.into_bytes()));
    members.push(("xl/_rels/workbook.xml.rels".into(), rels.into_bytes()));
    let mut sst = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" count=\"{0}\" uniqueCount=\"{0}\">",
        shared.len()
    );
    for t in &shared {
        // Rich text with two runs, so a shared string is joined from its runs.
        let p = pieces(t, 4);
        let (a, b) = p
            .split_first()
            .map_or((String::new(), String::new()), |(a, rest)| {
                (a.clone(), rest.concat())
            });
        sst.push_str(&format!("<si><r><t xml:space=\"preserve\">{}</t></r><r><rPr><b/></rPr><t xml:space=\"preserve\">{}</t></r></si>", xml_escape(&a), xml_escape(&b)));
    }
    sst.push_str("</sst>");
    members.push(("xl/sharedStrings.xml".into(), sst.into_bytes()));
    let mut styles = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><styleSheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">",
    );
    styles.push_str(&format!("<numFmts count=\"{}\">", formats.len()));
    for (i, f) in formats.iter().enumerate() {
        styles.push_str(&format!(
            "<numFmt numFmtId=\"{}\" formatCode=\"{}\"/>",
            164 + i,
            xml_escape(f)
        ));
    }
    styles.push_str(&format!(
        "</numFmts><cellXfs count=\"{}\"><xf numFmtId=\"0\"/>",
        formats.len() + 1
    ));
    for i in 0..formats.len() {
        styles.push_str(&format!(
            "<xf numFmtId=\"{}\" applyNumberFormat=\"1\"/>",
            164 + i
        ));
    }
    styles.push_str("</cellXfs></styleSheet>");
    members.push(("xl/styles.xml".into(), styles.into_bytes()));
    for (i, s) in sheet_xml.into_iter().enumerate() {
        members.push((format!("xl/worksheets/sheet{}.xml", i + 1), s.into_bytes()));
    }
    let refs: Vec<(&str, &[u8])> = members
        .iter()
        .map(|(n, d)| (n.as_str(), d.as_slice()))
        .collect();
    zip(&refs)
}

fn a_paras(paras: &[String]) -> String {
    let mut s = String::new();
    for p in paras {
        s.push_str("<a:p>");
        for piece in pieces(p, 3) {
            s.push_str(&format!(
                "<a:r><a:rPr lang=\"nb-NO\"/><a:t>{}</a:t></a:r>",
                xml_escape(&piece)
            ));
        }
        s.push_str("</a:p>");
    }
    s
}

/// A PPTX presentation: one text box per slide with the given paragraphs. The slide files are
/// numbered in reverse of the presentation order, so only a reader that follows `presentation.xml`
/// gets the order right.
pub fn pptx(slides: &[Vec<String>]) -> Vec<u8> {
    pptx_with_notes(slides, &[])
}

/// A presentation as [`pptx`], with speaker notes: `notes[i]` (if any) belongs to slide `i + 1`, in a
/// notes part numbered in the opposite order, linked from the slide's relationships.
pub fn pptx_with_notes(slides: &[Vec<String>], notes: &[Vec<String>]) -> Vec<u8> {
    let n = slides.len();
    let mut members: Vec<(String, Vec<u8>)> = Vec::new();
    members.push(("[Content_Types].xml".into(), br#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/ppt/presentation.xml" ContentType="application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"/></Types>"#.to_vec()));
    let mut pres = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><p:presentation xmlns:p=\"http://schemas.openxmlformats.org/presentationml/2006/main\" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><p:sldIdLst>",
    );
    let mut rels = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">",
    );
    for (i, paras) in slides.iter().enumerate() {
        let file_no = n - i;
        pres.push_str(&format!(
            "<p:sldId id=\"{}\" r:id=\"rId{}\"/>",
            256 + i,
            i + 2
        ));
        rels.push_str(&format!("<Relationship Id=\"rId{}\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/slide\" Target=\"slides/slide{file_no}.xml\"/>", i + 2));
        let slide = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><p:sld xmlns:a=\"http://schemas.openxmlformats.org/drawingml/2006/main\" xmlns:p=\"http://schemas.openxmlformats.org/presentationml/2006/main\"><p:cSld><p:spTree><p:sp><p:txBody><a:bodyPr/>{}</p:txBody></p:sp></p:spTree></p:cSld></p:sld>",
            a_paras(paras)
        );
        members.push((format!("ppt/slides/slide{file_no}.xml"), slide.into_bytes()));
        if let Some(paras) = notes.get(i) {
            let notes_no = i + 1;
            members.push((
                format!("ppt/slides/_rels/slide{file_no}.xml.rels"),
                format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/notesSlide\" Target=\"../notesSlides/notesSlide{notes_no}.xml\"/></Relationships>").into_bytes(),
            ));
            members.push((
                format!("ppt/notesSlides/notesSlide{notes_no}.xml"),
                format!(
                    "<?xml version=\"1.0\" encoding=\"UTF-8\"?><p:notes xmlns:a=\"http://schemas.openxmlformats.org/drawingml/2006/main\" xmlns:p=\"http://schemas.openxmlformats.org/presentationml/2006/main\"><p:cSld><p:spTree><p:sp><p:txBody><a:bodyPr/>{}</p:txBody></p:sp></p:spTree></p:cSld></p:notes>",
                    a_paras(paras)
                )
                .into_bytes(),
            ));
        }
    }
    pres.push_str("</p:sldIdLst></p:presentation>");
    rels.push_str("</Relationships>");
    members.push(("ppt/presentation.xml".into(), pres.into_bytes()));
    members.push(("ppt/_rels/presentation.xml.rels".into(), rels.into_bytes()));
    let refs: Vec<(&str, &[u8])> = members
        .iter()
        .map(|(n, d)| (n.as_str(), d.as_slice()))
        .collect();
    zip(&refs)
}

const ODF_NS: &str = "xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\" xmlns:text=\"urn:oasis:names:tc:opendocument:xmlns:text:1.0\" xmlns:table=\"urn:oasis:names:tc:opendocument:xmlns:table:1.0\" xmlns:draw=\"urn:oasis:names:tc:opendocument:xmlns:drawing:1.0\" xmlns:presentation=\"urn:oasis:names:tc:opendocument:xmlns:presentation:1.0\" office:version=\"1.3\"";

fn odf_para(text: &str) -> String {
    let mut s = String::from("<text:p text:style-name=\"P1\">");
    for (i, piece) in pieces(text, 3).iter().enumerate() {
        // Runs of spaces are written as text:s, as office suites do.
        let piece = xml_escape(piece).replace("  ", "<text:s text:c=\"2\"/>");
        if i % 2 == 1 {
            s.push_str(&format!(
                "<text:span text:style-name=\"T1\">{piece}</text:span>"
            ));
        } else {
            s.push_str(&piece);
        }
    }
    s.push_str("</text:p>");
    s
}

fn odf_package(mime: &str, content: String) -> Vec<u8> {
    let manifest = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><manifest:manifest xmlns:manifest=\"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0\" manifest:version=\"1.3\"><manifest:file-entry manifest:full-path=\"/\" manifest:media-type=\"{mime}\"/><manifest:file-entry manifest:full-path=\"content.xml\" manifest:media-type=\"text/xml\"/></manifest:manifest>"
    );
    zip(&[
        ("mimetype", mime.as_bytes()),
        ("content.xml", content.as_bytes()),
        ("META-INF/manifest.xml", manifest.as_bytes()),
    ])
}

/// An ODT text document (spans of three characters, `text:s` for double spaces, tables; tracked
/// changes are written as plain text).
pub fn odt(blocks: &[Block]) -> Vec<u8> {
    let mut body = String::new();
    for b in blocks {
        match b {
            Block::Para(t) => body.push_str(&odf_para(t)),
            Block::Field { label, value } => body.push_str(&odf_para(&format!("{label}: {value}"))),
            Block::Tracked {
                before,
                inserted,
                after,
                ..
            } => body.push_str(&odf_para(&format!("{before}{inserted}{after}"))),
            Block::Table { header, rows } => {
                body.push_str("<table:table table:name=\"Tabell1\"><table:table-column table:number-columns-repeated=\"");
                body.push_str(&header.len().to_string());
                body.push_str("\"/>");
                for r in std::iter::once(header).chain(rows.iter()) {
                    body.push_str("<table:table-row>");
                    for c in r {
                        body.push_str(&format!(
                            "<table:table-cell office:value-type=\"string\">{}</table:table-cell>",
                            odf_para(c)
                        ));
                    }
                    body.push_str("</table:table-row>");
                }
                body.push_str("</table:table>");
            }
        }
    }
    let content = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><office:document-content {ODF_NS}><office:body><office:text>{body}</office:text></office:body></office:document-content>"
    );
    odf_package("application/vnd.oasis.opendocument.text", content)
}

/// An ODS spreadsheet: string cells, float cells (`office:value-type="float"`) and, for
/// [`XCell::Formatted`], a float cell whose displayed text keeps the leading zeros. Trailing empty
/// cells are written with `table:number-columns-repeated`, as office suites do.
pub fn ods(sheets: &[XSheet]) -> Vec<u8> {
    let mut body = String::new();
    for sheet in sheets {
        body.push_str(&format!(
            "<table:table table:name=\"{}\">",
            xml_escape(&sheet.name)
        ));
        for row in &sheet.rows {
            body.push_str("<table:table-row>");
            for cell in row {
                match cell {
                    XCell::Shared(t) | XCell::Inline(t) => body.push_str(&format!(
                        "<table:table-cell office:value-type=\"string\">{}</table:table-cell>",
                        odf_para(t)
                    )),
                    XCell::Number(d) => {
                        let v = stored_number(d);
                        body.push_str(&format!("<table:table-cell office:value-type=\"float\" office:value=\"{v}\"><text:p>{v}</text:p></table:table-cell>"));
                    }
                    XCell::Formatted { digits, .. } => body.push_str(&format!(
                        "<table:table-cell office:value-type=\"float\" office:value=\"{}\"><text:p>{digits}</text:p></table:table-cell>",
                        stored_number(digits)
                    )),
                    XCell::Empty => body.push_str("<table:table-cell/>"),
                }
            }
            body.push_str(
                "<table:table-cell table:number-columns-repeated=\"1020\"/></table:table-row>",
            );
        }
        body.push_str("<table:table-row table:number-rows-repeated=\"1048000\"><table:table-cell table:number-columns-repeated=\"1024\"/></table:table-row></table:table>");
    }
    let content = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><office:document-content {ODF_NS}><office:body><office:spreadsheet>{body}</office:spreadsheet></office:body></office:document-content>"
    );
    odf_package("application/vnd.oasis.opendocument.spreadsheet", content)
}

/// An ODP presentation: one `draw:page` per slide with the given paragraphs in a text frame.
pub fn odp(slides: &[Vec<String>]) -> Vec<u8> {
    let mut body = String::new();
    for (i, paras) in slides.iter().enumerate() {
        body.push_str(&format!(
            "<draw:page draw:name=\"page{}\"><draw:frame><draw:text-box>",
            i + 1
        ));
        for p in paras {
            body.push_str(&odf_para(p));
        }
        body.push_str("</draw:text-box></draw:frame></draw:page>");
    }
    let content = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><office:document-content {ODF_NS}><office:body><office:presentation>{body}</office:presentation></office:body></office:document-content>"
    );
    odf_package("application/vnd.oasis.opendocument.presentation", content)
}

/// A line of a PDF page.
#[derive(Debug, Clone)]
pub enum PdfLine {
    /// Text set as one string.
    Text(String),
    /// Digit groups, every digit placed by itself one em apart, three ems between groups (the way forms
    /// with one box per digit come out).
    SpacedDigits(Vec<String>),
}

fn pdf_string(s: &str) -> String {
    let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(s);
    let mut out = String::from("(");
    for b in bytes.iter() {
        match b {
            b'(' | b')' | b'\\' => {
                out.push('\\');
                out.push(*b as char);
            }
            0x20..=0x7E => out.push(*b as char),
            _ => out.push_str(&format!("\\{b:03o}")),
        }
    }
    out.push(')');
    out
}

/// A PDF 1.4 file with one page per entry, text in Helvetica (WinAnsi) at 11 pt.
pub fn pdf(pages: &[Vec<PdfLine>]) -> Vec<u8> {
    let n = pages.len();
    // Objects: 1 catalog, 2 pages, 3 font, then page i at 4+2i and its content at 5+2i.
    let mut objects: Vec<String> = Vec::new();
    objects.push("<< /Type /Catalog /Pages 2 0 R >>".into());
    let kids: Vec<String> = (0..n).map(|i| format!("{} 0 R", 4 + 2 * i)).collect();
    objects.push(format!(
        "<< /Type /Pages /Kids [{}] /Count {n} >>",
        kids.join(" ")
    ));
    objects.push(
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>".into(),
    );
    for (i, lines) in pages.iter().enumerate() {
        let mut content = String::new();
        let mut y = 760.0f64;
        for line in lines {
            match line {
                PdfLine::Text(t) => {
                    content.push_str(&format!("BT /F1 11 Tf 72 {y} Td {} Tj ET\n", pdf_string(t)))
                }
                PdfLine::SpacedDigits(groups) => {
                    let mut x = 72.0f64;
                    for g in groups {
                        for d in g.chars() {
                            content.push_str(&format!(
                                "BT /F1 11 Tf {x} {y} Td {} Tj ET\n",
                                pdf_string(&d.to_string())
                            ));
                            x += 11.0;
                        }
                        x += 33.0;
                    }
                }
            }
            y -= 16.0;
        }
        objects.push(format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> /Contents {} 0 R >>",
            5 + 2 * i
        ));
        objects.push(format!(
            "<< /Length {} >>\nstream\n{content}endstream",
            content.len()
        ));
    }
    let mut out = b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for off in offsets {
        out.extend_from_slice(format!("{off:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

/// Standard base64 with line breaks every 76 characters.
pub fn base64(data: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for (i, c) in data.chunks(3).enumerate() {
        if i > 0 && i % 19 == 0 {
            out.push_str("\r\n");
        }
        let b = [
            c[0],
            c.get(1).copied().unwrap_or(0),
            c.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for k in 0..4 {
            if k <= c.len() {
                out.push(T[((n >> (18 - 6 * k)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Quoted-printable of UTF-8 text with a soft line break (`=` at the end of a line) after every seven
/// encoded characters, so that every number longer than that is split across lines.
pub fn quoted_printable(text: &str) -> String {
    let mut out = String::new();
    let mut col = 0;
    for line in text.split('\n') {
        if !out.is_empty() {
            out.push_str("\r\n");
            col = 0;
        }
        for c in line.chars() {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                if col == 7 {
                    out.push_str("=\r\n");
                    col = 0;
                }
                if b == b'=' || !(0x20..0x7F).contains(&b) {
                    out.push_str(&format!("={b:02X}"));
                } else {
                    out.push(b as char);
                }
                col += 1;
            }
        }
    }
    out
}

/// An attachment of an [`Eml`].
#[derive(Debug, Clone)]
pub struct Attachment {
    pub name: String,
    pub content_type: String,
    pub data: Vec<u8>,
}

/// A mail message for [`eml`].
#[derive(Debug, Clone, Default)]
pub struct Eml {
    pub from: String,
    pub to: String,
    pub subject: String,
    /// Plain-text body, written as quoted-printable UTF-8 with soft line breaks.
    pub text: String,
    /// Optional HTML alternative, written as base64 ISO-8859-1.
    pub html: Option<String>,
    /// Attachments, written as base64.
    pub attachments: Vec<Attachment>,
}

/// An RFC 5322 message: the subject RFC 2047-encoded, a multipart/mixed body with the text part
/// (quoted-printable) — inside a multipart/alternative with the HTML part (base64, Latin-1) when there
/// is one — and the attachments (base64).
pub fn eml(m: &Eml) -> Vec<u8> {
    let subject = format!(
        "=?utf-8?B?{}?=",
        base64(m.subject.as_bytes()).replace("\r\n", "")
    );
    let mut s = format!(
        "From: {}\r\nTo: {}\r\nSubject: {subject}\r\nDate: Mon, 01 Jan 2024 10:00:00 +0100\r\nMessage-ID: <fixture@example.invalid>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n\r\nThis is a MIME message.\r\n",
        m.from, m.to
    );
    // With an HTML alternative, both renderings sit in a multipart/alternative, as mail programs write them.
    let text_boundary = if m.html.is_some() {
        s.push_str("--b1\r\nContent-Type: multipart/alternative; boundary=\"b2\"\r\n\r\n");
        "b2"
    } else {
        "b1"
    };
    s.push_str(&format!("--{text_boundary}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"));
    s.push_str(&quoted_printable(&m.text));
    s.push_str("\r\n");
    if let Some(h) = &m.html {
        let (latin1, _, _) = encoding_rs::WINDOWS_1252.encode(h);
        s.push_str("--b2\r\nContent-Type: text/html; charset=iso-8859-1\r\nContent-Transfer-Encoding: base64\r\n\r\n");
        s.push_str(&base64(&latin1));
        s.push_str("\r\n--b2--\r\n");
    }
    for a in &m.attachments {
        s.push_str(&format!(
            "--b1\r\nContent-Type: {}; name=\"{}\"\r\nContent-Disposition: attachment; filename=\"{}\"\r\nContent-Transfer-Encoding: base64\r\n\r\n",
            a.content_type, a.name, a.name
        ));
        s.push_str(&base64(&a.data));
        s.push_str("\r\n");
    }
    s.push_str("--b1--\r\n");
    s.into_bytes()
}

/// An mbox file of the given messages (`From ` separator lines; body lines starting with `From ` are
/// escaped as `>From `).
pub fn mbox(messages: &[Vec<u8>]) -> Vec<u8> {
    let mut out = Vec::new();
    for m in messages {
        out.extend_from_slice(b"From sender@example.invalid Mon Jan  1 10:00:00 2024\n");
        let text = String::from_utf8_lossy(m).replace("\r\n", "\n");
        for line in text.split_inclusive('\n') {
            if line.starts_with("From ") {
                out.push(b'>');
            }
            out.extend_from_slice(line.as_bytes());
        }
        if !out.ends_with(b"\n") {
            out.push(b'\n');
        }
        out.push(b'\n');
    }
    out
}

/// A calendar event for [`ics`].
#[derive(Debug, Clone, Default)]
pub struct IcsEvent {
    pub summary: String,
    pub description: String,
    pub location: String,
    /// Common name of the one attendee.
    pub attendee: String,
    pub comment: String,
}

fn ics_escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace(',', "\\,")
        .replace(';', "\\;")
        .replace('\n', "\\n")
}

/// Fold a content line every 10 octets (CRLF + space), never inside a UTF-8 character, so that every
/// 11-digit number is split across lines.
fn fold(line: &str) -> String {
    let mut out = String::new();
    let mut octets = 0;
    for c in line.chars() {
        if octets + c.len_utf8() > 10 {
            out.push_str("\r\n ");
            octets = 1;
        }
        out.push(c);
        octets += c.len_utf8();
    }
    out.push_str("\r\n");
    out
}

/// An iCalendar file with one VEVENT per entry, every content line folded every 10 octets.
pub fn ics(events: &[IcsEvent]) -> Vec<u8> {
    let mut s = String::from("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Vakt//Fixtures//EN\r\n");
    for (i, e) in events.iter().enumerate() {
        s.push_str("BEGIN:VEVENT\r\n");
        s.push_str(&fold(&format!("UID:event-{}@example.invalid", i + 1)));
        s.push_str(
            "DTSTAMP:20240101T090000Z\r\nDTSTART:20240102T100000Z\r\nDTEND:20240102T110000Z\r\n",
        );
        s.push_str(&fold(&format!("SUMMARY:{}", ics_escape(&e.summary))));
        s.push_str(&fold(&format!(
            "DESCRIPTION:{}",
            ics_escape(&e.description)
        )));
        s.push_str(&fold(&format!("LOCATION:{}", ics_escape(&e.location))));
        s.push_str(&fold(&format!(
            "ATTENDEE;CN=\"{}\";ROLE=REQ-PARTICIPANT:mailto:person@example.invalid",
            e.attendee.replace('"', "'")
        )));
        s.push_str(&fold(&format!("COMMENT:{}", ics_escape(&e.comment))));
        s.push_str("END:VEVENT\r\n");
    }
    s.push_str("END:VCALENDAR\r\n");
    s.into_bytes()
}

/// A PDF of the given object bodies (object `i + 1` is `objects[i]`; object 1 must be the catalog), with
/// a correct cross-reference table.
fn pdf_of_objects(objects: &[Vec<u8>]) -> Vec<u8> {
    let mut out = b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend_from_slice(o);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for off in offsets {
        out.extend_from_slice(format!("{off:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

fn one_page_pdf_with(contents: Vec<u8>, extra: Vec<u8>) -> Vec<u8> {
    pdf_of_objects(&[
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /X 5 0 R >>"
            .to_vec(),
        contents,
        extra,
    ])
}

/// A hostile PDF: the page's content stream is a FlateDecode (zlib) stream of `uncompressed` zero bytes
/// (whole MiB) in about a thousandth of that. The PDF reader inflates it whole, without a limit.
pub fn pdf_flate_bomb(uncompressed: u64) -> Vec<u8> {
    let (deflated, _) = deflate_zeros(uncompressed);
    let n = uncompressed / (1 << 20) * (1 << 20);
    // zlib: header, raw deflate, Adler-32 of n zeros (a = 1, b = n mod 65521).
    let adler = (((n % 65521) as u32) << 16) | 1;
    let mut stream = vec![0x78, 0xDA];
    stream.extend_from_slice(&deflated);
    stream.extend_from_slice(&adler.to_be_bytes());
    let mut contents = format!(
        "<< /Length {} /Filter /FlateDecode >>\nstream\n",
        stream.len()
    )
    .into_bytes();
    contents.extend_from_slice(&stream);
    contents.extend_from_slice(b"\nendstream");
    one_page_pdf_with(contents, b"null".to_vec())
}

/// A hostile PDF: an object of arrays nested `depth` deep (`[[[…]]]`), which the PDF reader parses by
/// recursion until the stack overflows (an abort no `catch_unwind` can stop).
pub fn pdf_deep_nesting(depth: usize) -> Vec<u8> {
    let mut nested = vec![b'['; depth];
    nested.extend(std::iter::repeat_n(b']', depth));
    one_page_pdf_with(b"<< /Length 0 >>\nstream\n\nendstream".to_vec(), nested)
}
