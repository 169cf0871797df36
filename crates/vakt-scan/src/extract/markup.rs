//! HTML (a lenient tokenizer: text, not markup; form labels and table headers kept as structure) and
//! XML (quick-xml; leaf elements labelled by their name, mixed content joined).

use quick_xml::events::Event as XmlEvent;

use super::{Emitter, ExtractError, Location, Structure, text};

/// Decode the HTML/XML character references we meet in practice (`&nbsp;`, `&#8211;`, `&oslash;`, ...).
/// Unknown references are kept as written.
pub(crate) fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let end = rest
            .char_indices()
            .take(12)
            .find(|(_, c)| *c == ';')
            .map(|(j, _)| j);
        let decoded = end.and_then(|j| entity(&rest[1..j]));
        match (end, decoded) {
            (Some(j), Some(c)) => {
                out.push(c);
                rest = &rest[j + 1..];
            }
            _ => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn entity(name: &str) -> Option<char> {
    if let Some(num) = name.strip_prefix('#') {
        let code = if let Some(hex) = num.strip_prefix(['x', 'X']) {
            u32::from_str_radix(hex, 16).ok()?
        } else {
            num.parse::<u32>().ok()?
        };
        return char::from_u32(code);
    }
    Some(match name {
        "nbsp" => '\u{A0}',
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "ndash" => '\u{2013}',
        "mdash" => '\u{2014}',
        "minus" => '\u{2212}',
        "shy" => '\u{AD}',
        "thinsp" => '\u{2009}',
        "ensp" => '\u{2002}',
        "emsp" => '\u{2003}',
        "hyphen" | "dash" => '\u{2010}',
        "oslash" => 'ø',
        "Oslash" => 'Ø',
        "aring" => 'å',
        "Aring" => 'Å',
        "aelig" => 'æ',
        "AElig" => 'Æ',
        "auml" => 'ä',
        "Auml" => 'Ä',
        "ouml" => 'ö',
        "Ouml" => 'Ö',
        "uuml" => 'ü',
        "Uuml" => 'Ü',
        "eacute" => 'é',
        "Eacute" => 'É',
        "hellip" => '…',
        "laquo" => '«',
        "raquo" => '»',
        "copy" => '©',
        "reg" => '®',
        "euro" => '€',
        "sect" => '§',
        "para" => '¶',
        "middot" => '·',
        _ => return None,
    })
}

/// Elements whose start or end ends the current run of text (block level, line breaks, form fields).
fn is_block(tag: &str) -> bool {
    matches!(
        tag,
        "p" | "div"
            | "br"
            | "li"
            | "ul"
            | "ol"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "tr"
            | "td"
            | "th"
            | "table"
            | "thead"
            | "tbody"
            | "tfoot"
            | "caption"
            | "label"
            | "form"
            | "section"
            | "article"
            | "header"
            | "footer"
            | "nav"
            | "aside"
            | "main"
            | "pre"
            | "blockquote"
            | "hr"
            | "title"
            | "option"
            | "select"
            | "textarea"
            | "input"
            | "button"
            | "body"
            | "head"
            | "html"
            | "dl"
            | "dt"
            | "dd"
            | "fieldset"
            | "legend"
            | "figure"
            | "figcaption"
            | "address"
            | "meta"
            | "img"
    )
}

struct Table {
    id: u32,
    col: u32,
    row: u32,
    headers: Vec<String>,
}

struct Html<'e, 's> {
    em: &'e mut Emitter<'s>,
    buf: String,
    buf_line: u32,
    tables: Vec<Table>,
    next_table: u32,
    cell: Option<bool>, // Some(is_th) while inside a table cell
    label: Option<String>,
    in_label: bool,
}

impl Html<'_, '_> {
    fn push_text(&mut self, raw: &str, line: u32) {
        if self.buf.is_empty() {
            self.buf_line = line;
        }
        self.buf.push_str(&decode_entities(raw));
    }

    /// End the current run of text and emit it with the structure around it.
    fn flush(&mut self) {
        let text = std::mem::take(&mut self.buf);
        let collapsed = text.split_whitespace().collect::<Vec<_>>().join(" ");
        if collapsed.is_empty() {
            return;
        }
        let loc = Location::Line(self.buf_line);
        if self.in_label {
            self.label = Some(collapsed);
            return;
        }
        if let (Some(is_th), Some(t)) = (self.cell, self.tables.last_mut()) {
            let column = (t.id << 10) | t.col.min(1023);
            if is_th {
                let idx = t.col as usize;
                if t.headers.len() <= idx {
                    t.headers.resize(idx + 1, String::new());
                }
                if let Some(slot) = t.headers.get_mut(idx) {
                    if !slot.is_empty() {
                        slot.push(' ');
                    }
                    slot.push_str(&collapsed);
                }
                self.em.text(
                    loc,
                    Structure::TableCell {
                        column,
                        header: None,
                    },
                    collapsed,
                );
            } else {
                let header = t
                    .headers
                    .get(t.col as usize)
                    .filter(|h| !h.is_empty())
                    .cloned();
                let header = header.or_else(|| self.label.take());
                self.em
                    .text(loc, Structure::TableCell { column, header }, collapsed);
            }
            return;
        }
        match self.label.take() {
            Some(label) => self.em.text(loc, Structure::Labelled { label }, collapsed),
            None => self.em.text(loc, Structure::Prose, collapsed),
        }
    }

    fn tag(&mut self, name: &str, closing: bool, attrs: &str, line: u32) {
        if is_block(name) {
            self.flush();
        }
        match (name, closing) {
            ("table", false) => {
                self.tables.push(Table {
                    id: self.next_table,
                    col: 0,
                    row: 0,
                    headers: Vec::new(),
                });
                self.next_table = self.next_table.saturating_add(1);
                self.cell = None;
            }
            ("table", true) => {
                self.tables.pop();
                self.cell = None;
            }
            ("tr", false) => {
                if let Some(t) = self.tables.last_mut() {
                    t.row = t.row.saturating_add(1);
                    t.col = 0;
                }
                self.cell = None;
            }
            ("td" | "th", false) => {
                if self.cell.is_some()
                    && let Some(t) = self.tables.last_mut()
                {
                    t.col = t.col.saturating_add(1);
                }
                self.cell = Some(name == "th");
            }
            ("td" | "th", true) => {
                if let Some(t) = self.tables.last_mut() {
                    t.col = t.col.saturating_add(1);
                }
                self.cell = None;
            }
            ("label" | "dt" | "legend", false) => self.in_label = true,
            ("label" | "dt" | "legend", true) => self.in_label = false,
            _ => {}
        }
        if !closing {
            for key in ["value", "title", "alt", "content", "placeholder"] {
                if let Some(v) = attr(attrs, key) {
                    let label = if key == "value" {
                        self.label
                            .take()
                            .or_else(|| attr(attrs, "name").map(|n| decode_entities(&n)))
                    } else {
                        None
                    };
                    let text = decode_entities(&v);
                    match label {
                        Some(label) => {
                            self.em
                                .text(Location::Line(line), Structure::Labelled { label }, text)
                        }
                        None => self.em.text(Location::Line(line), Structure::Prose, text),
                    }
                }
            }
        }
    }
}

/// The value of attribute `key` in the raw attribute text of a tag.
fn attr(attrs: &str, key: &str) -> Option<String> {
    let lower = attrs.to_ascii_lowercase();
    let mut from = 0;
    while let Some(i) = lower.get(from..)?.find(key) {
        let at = from + i;
        from = at + key.len();
        let before_ok = at == 0
            || lower
                .as_bytes()
                .get(at - 1)
                .is_some_and(|b| b.is_ascii_whitespace());
        let rest = attrs.get(from..)?.trim_start();
        if !before_ok || !rest.starts_with('=') {
            continue;
        }
        let rest = rest[1..].trim_start();
        let value = if let Some(r) = rest.strip_prefix('"') {
            r.split('"').next().unwrap_or_default()
        } else if let Some(r) = rest.strip_prefix('\'') {
            r.split('\'').next().unwrap_or_default()
        } else {
            rest.split(|c: char| c.is_whitespace() || c == '>')
                .next()
                .unwrap_or_default()
        };
        return Some(value.to_string());
    }
    None
}

pub(crate) fn extract_html(data: &[u8], em: &mut Emitter<'_>) -> Result<(), ExtractError> {
    let text = text::decode(data)?;
    let s: &str = &text;
    let mut h = Html {
        em,
        buf: String::new(),
        buf_line: 1,
        tables: Vec::new(),
        next_table: 0,
        cell: None,
        label: None,
        in_label: false,
    };
    let bytes = s.as_bytes();
    let mut pos = 0usize;
    let mut line = 1u32;
    let advance = |from: usize, to: usize, line: &mut u32| {
        let n = memchr::memchr_iter(b'\n', bytes.get(from..to).unwrap_or_default()).count();
        *line = line.saturating_add(u32::try_from(n).unwrap_or(u32::MAX));
    };
    while pos < bytes.len() {
        let Some(lt) = memchr::memchr(b'<', &bytes[pos..]).map(|i| pos + i) else {
            h.push_text(s.get(pos..).unwrap_or_default(), line);
            break;
        };
        if lt > pos {
            h.push_text(s.get(pos..lt).unwrap_or_default(), line);
            advance(pos, lt, &mut line);
        }
        let rest = s.get(lt..).unwrap_or_default();
        // Comments, doctype, CDATA, processing instructions.
        let (skip_to, tag): (usize, Option<(String, bool, String)>) = if rest.starts_with("<!--") {
            (rest.find("-->").map_or(bytes.len(), |i| lt + i + 3), None)
        } else if let Some(cdata) = rest.strip_prefix("<![CDATA[") {
            let end = cdata.find("]]>").unwrap_or(cdata.len());
            h.push_text(&cdata[..end], line);
            (lt + 9 + end + 3, None)
        } else if rest.starts_with("<!") || rest.starts_with("<?") {
            (rest.find('>').map_or(bytes.len(), |i| lt + i + 1), None)
        } else {
            let closing = rest.starts_with("</");
            let name_start = if closing { 2 } else { 1 };
            let name: String = rest[name_start..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == ':')
                .collect::<String>()
                .to_ascii_lowercase();
            if name.is_empty() {
                // A lone '<' in text.
                h.push_text("<", line);
                (lt + 1, None)
            } else {
                let end = tag_end(rest).map_or(bytes.len(), |i| lt + i + 1);
                let attrs = s
                    .get(lt + name_start + name.len()..end.saturating_sub(1))
                    .unwrap_or_default()
                    .to_string();
                (end, Some((name, closing, attrs)))
            }
        };
        let skip_to = skip_to.min(bytes.len());
        advance(lt, skip_to, &mut line);
        pos = skip_to;
        if let Some((name, closing, attrs)) = tag {
            h.tag(&name, closing, &attrs, line);
            if !closing && matches!(name.as_str(), "script" | "style" | "template") {
                // Raw text elements: skip to the matching end tag.
                let close = format!("</{name}");
                let lower_rest = s.get(pos..).unwrap_or_default().to_ascii_lowercase();
                let end = lower_rest.find(&close).map_or(bytes.len(), |i| pos + i);
                advance(pos, end, &mut line);
                pos = end;
            }
        }
    }
    h.flush();
    Ok(())
}

/// Index of the `>` closing the tag at the start of `rest`, skipping quoted attribute values.
fn tag_end(rest: &str) -> Option<usize> {
    let mut quote: Option<u8> = None;
    for (i, b) in rest.bytes().enumerate() {
        match (quote, b) {
            (Some(q), _) if b == q => quote = None,
            (Some(_), _) => {}
            (None, b'"' | b'\'') => quote = Some(b),
            (None, b'>') => return Some(i),
            _ => {}
        }
    }
    None
}

struct Frame {
    name: String,
    line: u32,
    inline: String,
    direct: bool,
    children: bool,
    attrs: Vec<(Location, Structure, String)>,
    pending: Vec<(Location, Structure, String)>,
}

fn malformed_xml(e: impl std::fmt::Display) -> ExtractError {
    ExtractError::Malformed {
        format: "xml",
        detail: e.to_string(),
    }
}

pub(crate) fn extract_xml(data: &[u8], em: &mut Emitter<'_>) -> Result<(), ExtractError> {
    let text = text::decode(data)?;
    let s: &str = &text;
    let mut reader = quick_xml::Reader::from_str(s);
    reader.config_mut().check_end_names = true;
    let mut stack: Vec<Frame> = Vec::new();
    let mut line = 1u32;
    let mut last = 0usize;
    loop {
        let ev = reader.read_event();
        let pos = usize::try_from(reader.buffer_position())
            .unwrap_or(usize::MAX)
            .min(s.len());
        if pos > last {
            let n = memchr::memchr_iter(b'\n', &s.as_bytes()[last..pos]).count();
            line = line.saturating_add(u32::try_from(n).unwrap_or(u32::MAX));
            last = pos;
        }
        let ev = match ev {
            Ok(ev) => ev,
            Err(e) => {
                flush_all(&mut stack, em);
                return Err(malformed_xml(format!("line {line}: {e}")));
            }
        };
        match ev {
            XmlEvent::Start(e) => {
                if let Some(parent) = stack.last_mut() {
                    parent.children = true;
                }
                stack.push(open_frame(&e, line));
            }
            XmlEvent::Empty(e) => {
                if let Some(parent) = stack.last_mut() {
                    parent.children = true;
                }
                stack.push(open_frame(&e, line));
                close(&mut stack, em);
            }
            XmlEvent::End(_) => close(&mut stack, em),
            XmlEvent::Text(t) => {
                let raw = String::from_utf8_lossy(&t);
                let v = match t.unescape() {
                    Ok(v) => v.into_owned(),
                    Err(_) => decode_entities(&raw),
                };
                if let Some(f) = stack.last_mut() {
                    if !v.trim().is_empty() {
                        f.direct = true;
                    }
                    f.inline.push_str(&v);
                } else {
                    em.text(Location::Line(line), Structure::Prose, v);
                }
            }
            XmlEvent::CData(t) => {
                let v = String::from_utf8_lossy(&t).into_owned();
                if let Some(f) = stack.last_mut() {
                    if !v.trim().is_empty() {
                        f.direct = true;
                    }
                    f.inline.push_str(&v);
                }
            }
            XmlEvent::Eof => break,
            _ => {}
        }
    }
    if !stack.is_empty() {
        flush_all(&mut stack, em);
        return Err(malformed_xml(
            "unexpected end of document inside an element",
        ));
    }
    Ok(())
}

fn open_frame(e: &quick_xml::events::BytesStart<'_>, line: u32) -> Frame {
    let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
    let mut frame = Frame {
        name,
        line,
        inline: String::new(),
        direct: false,
        children: false,
        attrs: Vec::new(),
        pending: Vec::new(),
    };
    for a in e.attributes().flatten() {
        let v = a
            .unescape_value()
            .map(|v| v.into_owned())
            .unwrap_or_else(|_| decode_entities(&String::from_utf8_lossy(&a.value)));
        if v.bytes().filter(u8::is_ascii_digit).count() >= 4 {
            let label = String::from_utf8_lossy(a.key.local_name().as_ref()).into_owned();
            frame
                .attrs
                .push((Location::Line(line), Structure::Labelled { label }, v));
        }
    }
    frame
}

/// Close the innermost element: a leaf or mixed-content element becomes one segment (so inline markup
/// never splits a number); an element with only element children passes its children's segments up.
fn close(stack: &mut Vec<Frame>, em: &mut Emitter<'_>) {
    let Some(f) = stack.pop() else { return };
    let mut segments = f.attrs;
    if f.direct {
        // Leaf or mixed content: one segment, so inline markup never splits a number.
        let structure = if f.children {
            Structure::Prose
        } else {
            Structure::Labelled { label: f.name }
        };
        segments.push((Location::Line(f.line), structure, f.inline.clone()));
    } else {
        segments.extend(f.pending);
    }
    let emit_now = match stack.last_mut() {
        Some(parent) => {
            parent.inline.push_str(&f.inline);
            // Children of the root are emitted as they close unless the root has text of its own, so
            // memory stays bounded by one record rather than the whole document.
            if stack.len() == 1 && !stack.first().is_some_and(|p| p.direct) {
                true
            } else {
                if let Some(parent) = stack.last_mut() {
                    parent.pending.append(&mut segments);
                }
                false
            }
        }
        None => true,
    };
    if emit_now {
        for (l, s, t) in segments {
            em.text(l, s, t);
        }
    }
}

fn flush_all(stack: &mut Vec<Frame>, em: &mut Emitter<'_>) {
    while !stack.is_empty() {
        close(stack, em);
    }
}
