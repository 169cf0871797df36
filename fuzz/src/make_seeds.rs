//! Write seed corpora for the fuzz targets from the fixtures: `cargo run --bin make_seeds`.

use std::fs;
use std::path::Path;

use vakt_scan::fixtures::{self, Attachment, Block, DocxParts, IcsEvent, PdfLine, XCell, XSheet};

fn write(target: &str, name: &str, data: &[u8]) {
    let dir = Path::new("corpus").join(target);
    if fs::create_dir_all(&dir).is_ok() {
        let _ = fs::write(dir.join(name), data);
    }
}

fn prefixed(prefix: u8, data: &[u8]) -> Vec<u8> {
    let mut v = vec![prefix];
    v.extend_from_slice(data);
    v
}

fn main() {
    let n = "01019012345";
    let blocks = vec![
        Block::Para(format!("Fødselsnummer {n}")),
        Block::Table { header: vec!["Navn".into(), "Fnr".into()], rows: vec![vec!["Ola".into(), n.into()]] },
        Block::Field { label: "Fnr".into(), value: "010190\u{A0}12345".into() },
        Block::Tracked { before: "a".into(), inserted: "b".into(), deleted: "c".into(), after: "d".into() },
    ];
    let sheets = vec![XSheet {
        name: "Ark1".into(),
        rows: vec![
            vec![XCell::Shared("Fnr".into()), XCell::Inline("Merknad".into())],
            vec![XCell::Number(n.into()), XCell::Formatted { digits: n.into(), format: "00000000000".into() }],
        ],
    }];
    write("fuzz_text", "utf8", &fixtures::utf8(&format!("linje\nfnr {n}\u{2013}x\n")));
    write("fuzz_text", "utf16", &fixtures::utf16le_bom(&format!("fnr {n}")));
    write("fuzz_text", "latin1", &fixtures::windows1252(&format!("fødselsnummer {n}")));
    write("fuzz_csv", "a", &fixtures::csv(&[vec!["Navn".into(), "Fnr".into()], vec!["\"Ola\"".into(), n.into()]], b';'));
    write("fuzz_html", "a", &fixtures::html("t", &blocks));
    write("fuzz_xml", "a", &fixtures::xml(&[vec![("fnr".into(), n.into())]]));
    let mail = fixtures::Eml {
        from: "a@example.invalid".into(),
        to: "b@example.invalid".into(),
        subject: format!("fnr {n}"),
        text: format!("fnr {n}"),
        html: Some(format!("<p>{n}</p>")),
        attachments: vec![Attachment { name: "a.csv".into(), content_type: "text/csv".into(), data: n.as_bytes().to_vec() }],
    };
    let eml = fixtures::eml(&mail);
    write("fuzz_eml", "a", &eml);
    write("fuzz_mbox", "a", &fixtures::mbox(&[eml.clone(), eml.clone()]));
    write(
        "fuzz_ics",
        "a",
        &fixtures::ics(&[IcsEvent { summary: n.into(), description: n.into(), location: "x".into(), attendee: "y".into(), comment: n.into() }]),
    );
    write("fuzz_ooxml", "docx", &prefixed(0, &fixtures::docx(&blocks, &DocxParts { header: Some(n.into()), footer: None, footnote: Some(n.into()), comment: Some(n.into()) })));
    write("fuzz_ooxml", "xlsx", &prefixed(1, &fixtures::xlsx(&sheets)));
    write("fuzz_ooxml", "pptx", &prefixed(2, &fixtures::pptx(&[vec![n.into()], vec!["x".into()]])));
    write("fuzz_odf", "odt", &prefixed(0, &fixtures::odt(&blocks)));
    write("fuzz_odf", "ods", &prefixed(1, &fixtures::ods(&sheets)));
    write("fuzz_odf", "odp", &prefixed(2, &fixtures::odp(&[vec![n.into()]])));
    write("fuzz_pdf", "a", &fixtures::pdf(&[vec![PdfLine::Text(n.into()), PdfLine::SpacedDigits(vec![n.into()])]]));
    write("fuzz_zip", "a", &fixtures::zip(&[("a.txt", n.as_bytes()), ("b.eml", &eml)]));
    write("fuzz_zip", "nested", &fixtures::nested_zip(3, "a.txt", n.as_bytes()));
    write("fuzz_zip", "bomb", &fixtures::zip_bomb(4 << 20, false));
}
