//! The PDF receipt of a signature, for the personnel file: a minimal, hand-written PDF 1.4 (one
//! page, the standard Helvetica fonts with WinAnsiEncoding, so æ ø å ä ö render without embedding
//! a font), with a correct cross-reference table.

/// One labelled line of the receipt.
pub struct ReceiptLine {
    pub label: String,
    pub value: String,
}

/// Text to WinAnsi (cp1252) bytes: Latin-1 maps to itself; the few cp1252 extras we need are
/// mapped; anything else becomes `?`.
fn win_ansi(s: &str) -> Vec<u8> {
    s.chars()
        .map(|c| match c {
            '\u{20}'..='\u{7e}' | '\u{a0}'..='\u{ff}' => c as u32 as u8,
            '€' => 0x80,
            '‚' => 0x82,
            '„' => 0x84,
            '…' => 0x85,
            '‘' => 0x91,
            '’' => 0x92,
            '“' => 0x93,
            '”' => 0x94,
            '–' => 0x96,
            '—' => 0x97,
            '›' => 0x9b,
            _ => b'?',
        })
        .collect()
}

/// A PDF string literal: `(…)` with `\`, `(` and `)` escaped.
fn pdf_string(s: &str) -> Vec<u8> {
    let mut out = vec![b'('];
    for b in win_ansi(s) {
        if matches!(b, b'\\' | b'(' | b')') {
            out.push(b'\\');
        }
        out.push(b);
    }
    out.push(b')');
    out
}

/// Splits a long value into pieces of at most `width` characters (at spaces where possible).
fn wrap(s: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut cur = String::new();
    for word in s.split(' ') {
        let mut word = word.to_string();
        while word.chars().count() > width {
            let head: String = word.chars().take(width).collect();
            let tail: String = word.chars().skip(width).collect();
            if !cur.is_empty() {
                lines.push(std::mem::take(&mut cur));
            }
            lines.push(head);
            word = tail;
        }
        if cur.chars().count() + word.chars().count() + 1 > width && !cur.is_empty() {
            lines.push(std::mem::take(&mut cur));
        }
        if !cur.is_empty() {
            cur.push(' ');
        }
        cur.push_str(&word);
    }
    if !cur.is_empty() || lines.is_empty() {
        lines.push(cur);
    }
    lines
}

/// Builds the document: a heading, an intro sentence, labelled lines (a value may hold several
/// paragraphs, separated by newlines) and a footer on every page. Runs onto as many A4 pages as the
/// lines need. Used for signature receipts and for the breach notification draft.
pub fn receipt_pdf(title: &str, intro: &str, lines: &[ReceiptLine], footer: &str) -> Vec<u8> {
    const TOP: i32 = 780;
    const BOTTOM: i32 = 80;
    let text = |content: &mut Vec<u8>, font: &str, size: i32, x: i32, y: i32, s: &str| {
        content.extend_from_slice(format!("BT /{font} {size} Tf {x} {y} Td ").as_bytes());
        content.extend_from_slice(&pdf_string(s));
        content.extend_from_slice(b" Tj ET\n");
    };
    // Page contents (A4: 595 × 842 points).
    let mut pages: Vec<Vec<u8>> = Vec::new();
    let mut content: Vec<u8> = Vec::new();
    let mut y = TOP;
    text(&mut content, "F2", 18, 56, y, title);
    y -= 30;
    for l in wrap(intro, 90) {
        text(&mut content, "F1", 10, 56, y, &l);
        y -= 14;
    }
    y -= 10;
    for line in lines {
        let parts: Vec<String> = line
            .value
            .split('\n')
            .flat_map(|para| wrap(para.trim_end_matches('\r'), 70))
            .collect();
        for (i, part) in parts.iter().enumerate() {
            if y < BOTTOM {
                pages.push(std::mem::take(&mut content));
                y = TOP;
            }
            if i == 0 {
                text(&mut content, "F2", 10, 56, y, &line.label);
            }
            text(&mut content, "F1", 10, 200, y, part);
            y -= 13;
        }
        y -= 5;
    }
    pages.push(content);
    let n_pages = pages.len();
    for (i, page) in pages.iter_mut().enumerate() {
        page.extend_from_slice(b"0.6 G 56 60 m 539 60 l S\n");
        let mut foot = wrap(footer, 100);
        if n_pages > 1 {
            foot.push(format!("{} / {n_pages}", i + 1));
        }
        for (j, l) in foot.iter().enumerate() {
            let fy = 46 - i32::try_from(j).unwrap_or(0) * 11;
            text(page, "F1", 8, 56, fy, l);
        }
    }

    // Objects: 1 catalog, 2 page tree, 3–4 fonts, 5 info, then a page and its content per page.
    let page_obj = |i: usize| 6 + 2 * i;
    let kids: Vec<String> = (0..n_pages)
        .map(|i| format!("{} 0 R", page_obj(i)))
        .collect();
    let mut objects: Vec<Vec<u8>> = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        format!(
            "<< /Type /Pages /Kids [{}] /Count {n_pages} >>",
            kids.join(" ")
        )
        .into_bytes(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
            .to_vec(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>"
            .to_vec(),
        {
            let mut s = b"<< /Producer (Vakt) /Title ".to_vec();
            s.extend_from_slice(&pdf_string(title));
            s.extend_from_slice(b" >>");
            s
        },
    ];
    for (i, content) in pages.iter().enumerate() {
        objects.push(
            format!(
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents {} 0 R >>",
                page_obj(i) + 1
            )
            .into_bytes(),
        );
        let mut s = format!("<< /Length {} >>\nstream\n", content.len()).into_bytes();
        s.extend_from_slice(content);
        s.extend_from_slice(b"endstream");
        objects.push(s);
    }
    let mut out: Vec<u8> = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::with_capacity(objects.len());
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for o in offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R /Info 5 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1,
        )
        .as_bytes(),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cross_reference_offsets_point_at_the_objects() {
        let pdf = receipt_pdf(
            "Kvittering",
            "Ærlig talt: Åse Øvre har lest (og forstått).",
            &[ReceiptLine {
                label: "Navn".into(),
                value: "Åse Øvre-Ström".into(),
            }],
            "Vakt",
        );
        let text = String::from_utf8_lossy(&pdf).to_string();
        let start: usize = text
            .rsplit("startxref\n")
            .next()
            .and_then(|s| s.lines().next())
            .and_then(|s| s.trim().parse().ok())
            .unwrap();
        assert!(pdf[start..].starts_with(b"xref"));
        let xref = String::from_utf8_lossy(&pdf[start..]).to_string();
        for (n, line) in xref.lines().skip(3).take(7).enumerate() {
            let off: usize = line[..10].parse().unwrap();
            assert!(pdf[off..].starts_with(format!("{} 0 obj", n + 1).as_bytes()));
        }
        // WinAnsi bytes for Å (0xC5) and Ø (0xD8); parentheses escaped.
        assert!(pdf.windows(4).any(|w| w == b"\xc5se "));
        assert!(pdf.windows(2).any(|w| w == b"\\("));
    }

    #[test]
    fn many_lines_run_onto_further_pages_and_every_page_is_in_the_tree() {
        let lines: Vec<ReceiptLine> = (0..40)
            .map(|i| ReceiptLine {
                label: format!("Felt {i}"),
                value: format!("Første avsnitt {i}\nAndre avsnitt"),
            })
            .collect();
        let pdf = receipt_pdf("Melding", "Utkast", &lines, "Vakt");
        let text = String::from_utf8_lossy(&pdf).to_string();
        assert!(text.contains("/Count 2"), "{text}");
        assert!(text.contains("/Kids [6 0 R 8 0 R]"));
        assert!(text.contains("(Felt 39)"));
        assert!(text.contains("(Andre avsnitt)"));
        assert!(text.contains("(2 / 2)"));
        // The newline is a paragraph break, never a character on the page.
        assert!(!text.contains("avsnitt 0?"));
    }

    #[test]
    fn long_values_wrap() {
        let w = wrap(&"a".repeat(150), 70);
        assert_eq!(w.len(), 3);
        assert_eq!(wrap("", 10), vec![String::new()]);
    }
}
