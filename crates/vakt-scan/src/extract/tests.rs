//! Extraction tests: a planted synthetic number comes out whole, with the right place, in every format
//! and through every trap; malformed input is an error, never a panic; the limits stop bombs.

use super::*;
use crate::fixtures::{self, Attachment, Block, DocxParts, IcsEvent, PdfLine, XCell, XSheet};

/// A synthetic number of the fødselsnummer's shape (not a real person's; validity is not needed here).
/// Events kept past the sink call (their text owned).
type OwnedEvent = Event<'static>;
type OwnedSegment = Segment<'static>;

const NUM: &str = "01019012345";
const NUM2: &str = "24127454321";

fn run_with(
    limits: &Limits,
    name: &str,
    data: &[u8],
) -> (Result<Format, ExtractError>, Vec<OwnedEvent>, u64) {
    let mut budget = Budget::new(limits);
    let mut events = Vec::new();
    let r = extract(name, "", data, 0, &mut budget, &mut |e| {
        events.push(e.into_owned())
    });
    (r, events, budget.decompressed)
}

fn run(name: &str, data: &[u8]) -> (Result<Format, ExtractError>, Vec<OwnedEvent>) {
    let (r, e, _) = run_with(&Limits::default(), name, data);
    (r, e)
}

fn segments(events: &[OwnedEvent]) -> Vec<&OwnedSegment> {
    events
        .iter()
        .filter_map(|e| {
            if let Event::Text(s) = e {
                Some(s)
            } else {
                None
            }
        })
        .collect()
}

/// The segments whose text holds `needle` whole.
fn holding<'a>(events: &'a [OwnedEvent], needle: &str) -> Vec<&'a OwnedSegment> {
    segments(events)
        .into_iter()
        .filter(|s| s.text.contains(needle))
        .collect()
}

fn errors(events: &[OwnedEvent]) -> Vec<(&str, &ExtractError)> {
    events
        .iter()
        .filter_map(|e| {
            if let Event::Error { member, error } = e {
                Some((member.as_str(), error))
            } else {
                None
            }
        })
        .collect()
}

fn assert_found(
    events: &[OwnedEvent],
    needle: &str,
    member: &str,
    location: &Location,
) -> OwnedSegment {
    let found = holding(events, needle);
    let hit = found
        .iter()
        .find(|s| s.member == member && &s.location == location);
    match hit {
        Some(s) => (*s).clone(),
        None => panic!(
            "{needle} not found whole at {member:?} {location:?}; segments: {:#?}",
            segments(events)
                .iter()
                .map(|s| (&s.member, &s.location, &s.text))
                .collect::<Vec<_>>()
        ),
    }
}

// ---------------------------------------------------------------- plain text and encodings

#[test]
fn plain_text_reports_the_line_of_a_number() {
    let text = format!("Første linje\nAndre linje\nFødselsnummer: {NUM}\n");
    let (r, ev) = run("notat.txt", &fixtures::utf8(&text));
    assert_eq!(r, Ok(Format::Text));
    let seg = assert_found(&ev, NUM, "", &Location::Line(1));
    let offset = seg.text.find(NUM).unwrap_or_default();
    assert_eq!(line_of(1, &seg.text, offset), 3);
}

#[test]
fn utf16_with_byte_order_mark_is_decoded_both_ways() {
    let text = format!("Personnummer {NUM}\r\n");
    for data in [fixtures::utf16le_bom(&text), fixtures::utf16be_bom(&text)] {
        let (r, ev) = run("liste.txt", &data);
        assert_eq!(r, Ok(Format::Text));
        assert_found(&ev, NUM, "", &Location::Line(1));
    }
}

#[test]
fn windows_1252_text_keeps_nordic_letters_and_numbers() {
    let (r, ev) = run(
        "gammel.txt",
        &fixtures::windows1252(&format!("Fødselsnummer for Åse: {NUM}")),
    );
    assert_eq!(r, Ok(Format::Text));
    let seg = assert_found(&ev, NUM, "", &Location::Line(1));
    assert!(seg.text.contains("Fødselsnummer for Åse"));
}

#[test]
fn non_breaking_spaces_and_en_dashes_become_plain_separators() {
    let text = "a 010190\u{A0}12345 b 010190\u{202F}12345 c 010190\u{2013}12345 d 010190\u{2212}12345 e 0101\u{00AD}9012345";
    let (_, ev) = run("x.txt", text.as_bytes());
    let seg = assert_found(&ev, "010190 12345", "", &Location::Line(1));
    assert_eq!(
        seg.text,
        "a 010190 12345 b 010190 12345 c 010190-12345 d 010190-12345 e 01019012345"
    );
}

#[test]
fn large_text_is_cut_at_line_boundaries_and_lines_still_count() {
    let mut text = String::new();
    for i in 0..60_000 {
        text.push_str(&format!("linje {i} med litt tekst for å fylle opp\n"));
    }
    text.push_str(&format!("her: {NUM}\n"));
    let (_, ev) = run("stor.txt", text.as_bytes());
    let segs = segments(&ev);
    assert!(segs.len() > 1, "a 2.5 MB file should be cut into chunks");
    assert!(segs.iter().all(|s| s.text.ends_with('\n')));
    let seg = holding(&ev, NUM)
        .into_iter()
        .next()
        .cloned()
        .expect("number found");
    let Location::Line(first) = seg.location else {
        panic!("line location")
    };
    assert_eq!(
        line_of(first, &seg.text, seg.text.find(NUM).unwrap_or_default()),
        60_001
    );
}

// ---------------------------------------------------------------- CSV, HTML, XML

#[test]
fn csv_cells_carry_their_column_header_and_row() {
    let rows = vec![
        vec!["Navn".to_string(), "Fødselsnummer".to_string()],
        vec!["Ola Nordmann".to_string(), "Kari".to_string()],
        vec!["Kari Nordmann".to_string(), NUM.to_string()],
    ];
    let (r, ev) = run("ansatte.csv", &fixtures::csv(&rows, b';'));
    assert_eq!(r, Ok(Format::Csv));
    let seg = assert_found(&ev, NUM, "", &Location::Line(3));
    assert_eq!(
        seg.structure,
        Structure::TableCell {
            column: 1,
            header: Some("Fødselsnummer".into())
        }
    );
}

#[test]
fn csv_without_a_header_row_has_no_header() {
    let rows = vec![vec!["Ola".to_string(), NUM.to_string()]];
    let (_, ev) = run("x.csv", &fixtures::csv(&rows, b','));
    let seg = assert_found(&ev, NUM, "", &Location::Line(1));
    assert_eq!(
        seg.structure,
        Structure::TableCell {
            column: 1,
            header: None
        }
    );
}

#[test]
fn html_text_is_joined_across_inline_markup_with_labels_and_table_headers() {
    let blocks = vec![
        Block::Para(format!("Søkerens fødselsnummer er {NUM}.")),
        Block::Table {
            header: vec!["Navn".into(), "Personnummer".into()],
            rows: vec![vec!["Ola".into(), NUM2.into()]],
        },
        Block::Field {
            label: "Fødselsnummer".into(),
            value: "010190\u{A0}54321".into(),
        },
    ];
    let (r, ev) = run("skjema.html", &fixtures::html("Søknad", &blocks));
    assert_eq!(r, Ok(Format::Html));
    let para = holding(&ev, NUM);
    assert!(
        para.iter().any(|s| s.structure == Structure::Prose),
        "{para:?}"
    );
    let cell = holding(&ev, NUM2);
    assert!(
        cell.iter().any(|s| matches!(&s.structure, Structure::TableCell { header: Some(h), .. } if h == "Personnummer")),
        "{cell:?}"
    );
    let field = holding(&ev, "010190 54321");
    assert!(
        field.iter().any(|s| s.structure
            == Structure::Labelled {
                label: "Fødselsnummer".into()
            }),
        "{field:?}"
    );
    assert!(
        holding(&ev, "#123456").is_empty(),
        "style content is not text"
    );
    assert!(
        segments(&ev).iter().all(|s| !s.text.contains('<')),
        "no markup in text"
    );
}

#[test]
fn xml_leaf_elements_are_labelled_by_their_name() {
    let records = vec![vec![
        ("navn".to_string(), "Ola".to_string()),
        ("fodselsnummer".to_string(), NUM.to_string()),
    ]];
    let (r, ev) = run("eksport.xml", &fixtures::xml(&records));
    assert_eq!(r, Ok(Format::Xml));
    let seg = holding(&ev, NUM)
        .into_iter()
        .next()
        .cloned()
        .expect("found");
    assert_eq!(
        seg.structure,
        Structure::Labelled {
            label: "fodselsnummer".into()
        }
    );
    assert_eq!(seg.location, Location::Line(5));
}

#[test]
fn xml_mixed_content_is_joined_across_inline_elements() {
    let xml = format!("<doc><p>Fnr <b>{}</b>{}</p></doc>", &NUM[..4], &NUM[4..]);
    let (_, ev) = run("a.xml", xml.as_bytes());
    assert!(!holding(&ev, NUM).is_empty(), "{ev:?}");
}

// ---------------------------------------------------------------- mail and calendar

fn sample_mail() -> fixtures::Eml {
    fixtures::Eml {
        from: "Ola Nordmann <ola@example.invalid>".into(),
        to: format!("Saksbehandler {NUM2} <sak@example.invalid>"),
        subject: format!("Søknad fra {NUM}"),
        text: format!("Hei,\nfødselsnummeret mitt er {NUM}.\nHilsen Ola"),
        html: Some(format!("<p>Fødselsnummer: <b>{NUM}</b></p>")),
        attachments: vec![
            Attachment {
                name: "vedlegg.csv".into(),
                content_type: "text/csv".into(),
                data: fixtures::csv(
                    &[
                        vec!["Navn".into(), "Fnr".into()],
                        vec!["Ola".into(), NUM.into()],
                    ],
                    b';',
                ),
            },
            Attachment {
                name: "brev.docx".into(),
                content_type:
                    "application/vnd.openxmlformats-officedocument.wordprocessingml.document".into(),
                data: fixtures::docx(
                    &[Block::Para(format!("Vedlagt: {NUM}"))],
                    &DocxParts::default(),
                ),
            },
        ],
    }
}

#[test]
fn eml_headers_bodies_and_attachments_give_the_number_whole() {
    let data = fixtures::eml(&sample_mail());
    assert!(
        String::from_utf8_lossy(&data).contains("=\r\n"),
        "the body has soft line breaks"
    );
    let (r, ev) = run("melding.eml", &data);
    assert_eq!(r, Ok(Format::Eml));
    let subject = assert_found(&ev, NUM, "", &Location::MailPart("header:Subject".into()));
    assert_eq!(
        subject.structure,
        Structure::Header {
            name: "Subject".into()
        }
    );
    assert_found(&ev, NUM2, "", &Location::MailPart("header:To".into()));
    assert_found(&ev, NUM, "", &Location::MailPart("body".into()));
    // The HTML alternative repeats the plain-text body: it is not read, so the number counts once.
    assert!(
        holding(&ev, NUM)
            .iter()
            .all(|s| s.location != Location::MailPart("body[2]".into())),
        "{ev:?}"
    );
    let csv = assert_found(&ev, NUM, "vedlegg.csv", &Location::Line(2));
    assert_eq!(
        csv.structure,
        Structure::TableCell {
            column: 1,
            header: Some("Fnr".into())
        }
    );
    assert_found(
        &ev,
        NUM,
        "brev.docx",
        &Location::Part("word/document.xml".into()),
    );
}

#[test]
fn a_utf16_text_attachment_without_charset_is_decoded_by_its_byte_order_mark() {
    let mail = fixtures::eml(&fixtures::Eml {
        from: "a@example.invalid".into(),
        to: "b@example.invalid".into(),
        subject: "Vedlegg".into(),
        text: "Se vedlegg.".into(),
        attachments: vec![Attachment {
            name: "notat.txt".into(),
            content_type: "text/plain".into(),
            data: fixtures::utf16le_bom(&format!(
                "Søker, fødselsnummer {}\u{a0}{}",
                &NUM[..6],
                &NUM[6..]
            )),
        }],
        ..Default::default()
    });
    let (r, ev) = run("a.eml", &mail);
    assert_eq!(r, Ok(Format::Eml));
    let seg = assert_found(
        &ev,
        &format!("{} {}", &NUM[..6], &NUM[6..]),
        "notat.txt",
        &Location::Line(1),
    );
    assert!(seg.text.contains("Søker"), "{}", seg.text);
}

#[test]
fn html_bodies_are_read_when_they_are_not_an_alternative_of_a_text_part() {
    // An HTML-only alternative (no plain-text part) and a separate HTML part in multipart/mixed.
    let source = format!("<p>Fødselsnummer: <b>{NUM}</b></p>");
    let (latin1, _, _) = encoding_rs::WINDOWS_1252.encode(&source);
    let html = fixtures::base64(&latin1);
    let mail = format!(
        "From: a@example.invalid\r\nSubject: x\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"m\"\r\n\r\n\
         --m\r\nContent-Type: multipart/alternative; boundary=\"a\"\r\n\r\n\
         --a\r\nContent-Type: text/html; charset=iso-8859-1\r\nContent-Transfer-Encoding: base64\r\n\r\n{html}\r\n--a--\r\n\
         --m\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nTekst {NUM2}\r\n\
         --m\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>Fnr {NUM2}</p>\r\n--m--\r\n"
    );
    let (r, ev) = run("a.eml", mail.as_bytes());
    assert_eq!(r, Ok(Format::Eml));
    let html = assert_found(&ev, NUM, "", &Location::MailPart("body".into()));
    assert!(
        html.text.contains("Fødselsnummer"),
        "Latin-1 HTML decoded: {}",
        html.text
    );
    assert_found(&ev, NUM2, "", &Location::MailPart("body[2]".into()));
    assert_found(&ev, NUM2, "", &Location::MailPart("body[3]".into()));
}

#[test]
fn mbox_reports_each_message_and_its_attachments() {
    let first = fixtures::eml(&fixtures::Eml {
        from: "a@example.invalid".into(),
        to: "b@example.invalid".into(),
        subject: "Møte".into(),
        text: "From the minutes: nothing here".into(),
        ..Default::default()
    });
    let second = fixtures::eml(&sample_mail());
    let (r, ev) = run("innboks.mbox", &fixtures::mbox(&[first, second]));
    assert_eq!(r, Ok(Format::Mbox));
    assert_found(&ev, NUM, "message[2]", &Location::MailPart("body".into()));
    assert_found(
        &ev,
        NUM,
        "message[2]",
        &Location::MailPart("header:Subject".into()),
    );
    assert_found(&ev, NUM, "message[2]!vedlegg.csv", &Location::Line(2));
    assert!(holding(&ev, NUM).iter().all(|s| s.member != "message[1]"));
    assert!(
        segments(&ev)
            .iter()
            .any(|s| s.member == "message[1]" && s.text.contains("From the minutes"))
    );
}

#[test]
fn ics_unfolds_lines_and_reports_each_property() {
    let events = vec![
        IcsEvent {
            summary: "Planlegging".into(),
            ..Default::default()
        },
        IcsEvent {
            summary: format!("Samtale {NUM}"),
            description: format!("Gjelder bruker med fødselsnummer {NUM}, se saken."),
            location: format!("Rom {NUM2}"),
            attendee: format!("Ola {NUM}"),
            comment: format!("fnr {NUM2}"),
        },
    ];
    let data = fixtures::ics(&events);
    assert!(
        !String::from_utf8_lossy(&data).contains(NUM),
        "the fixture folds the number apart"
    );
    let (r, ev) = run("kalender.ics", &data);
    assert_eq!(r, Ok(Format::Ics));
    for (prop, n) in [
        ("SUMMARY", NUM),
        ("DESCRIPTION", NUM),
        ("LOCATION", NUM2),
        ("ATTENDEE", NUM),
        ("COMMENT", NUM2),
    ] {
        let seg = assert_found(
            &ev,
            n,
            "",
            &Location::CalendarProperty(format!("VEVENT[2].{prop}")),
        );
        assert_eq!(seg.structure, Structure::Header { name: prop.into() });
    }
    let desc = assert_found(
        &ev,
        NUM,
        "",
        &Location::CalendarProperty("VEVENT[2].DESCRIPTION".into()),
    );
    assert_eq!(
        desc.text,
        format!("Gjelder bruker med fødselsnummer {NUM}, se saken.")
    );
}

// ---------------------------------------------------------------- office documents

#[test]
fn docx_joins_runs_keeps_tracked_changes_and_reads_every_part() {
    let blocks = vec![
        Block::Para(format!("Søker: Ola, fødselsnummer {NUM}")),
        Block::Table {
            header: vec!["Navn".into(), "Fødselsnummer".into()],
            rows: vec![vec!["Kari".into(), NUM2.into()]],
        },
        Block::Tracked {
            before: "Rettet til 0101".into(),
            inserted: "9054321".into(),
            deleted: "99999999999".into(),
            after: " i dag".into(),
        },
    ];
    let parts = DocxParts {
        header: Some(format!("Topptekst {NUM}")),
        footer: Some(format!("Bunntekst {NUM2}")),
        footnote: Some(format!("Fotnote {NUM}")),
        comment: Some(format!("Kommentar {NUM2}")),
    };
    let (r, ev) = run("vedtak.docx", &fixtures::docx(&blocks, &parts));
    assert_eq!(r, Ok(Format::Docx));
    let body = Location::Part("word/document.xml".into());
    assert_found(&ev, NUM, "", &body);
    let cell = assert_found(&ev, NUM2, "", &body);
    assert!(
        matches!(cell.structure, Structure::TableCell { header: Some(ref h), .. } if h == "Fødselsnummer")
    );
    assert_found(&ev, "01019054321", "", &body);
    let deleted = assert_found(
        &ev,
        "99999999999",
        "",
        &Location::Part("word/document.xml (deleted text)".into()),
    );
    assert_eq!(deleted.text, "Rettet til 010199999999999 i dag");
    assert_found(&ev, NUM, "", &Location::Part("word/header1.xml".into()));
    assert_found(&ev, NUM2, "", &Location::Part("word/footer1.xml".into()));
    assert_found(&ev, NUM, "", &Location::Part("word/footnotes.xml".into()));
    assert_found(&ev, NUM2, "", &Location::Part("word/comments.xml".into()));
}

fn sample_sheets() -> Vec<XSheet> {
    vec![
        XSheet {
            name: "Ansatte".into(),
            rows: vec![
                vec![
                    XCell::Shared("Navn".into()),
                    XCell::Shared("Fødselsnummer".into()),
                    XCell::Inline("Merknad".into()),
                    XCell::Shared("Fnr (tall)".into()),
                    XCell::Shared("Fnr (formatert)".into()),
                ],
                vec![
                    XCell::Shared("Ola".into()),
                    XCell::Shared(NUM.into()),
                    XCell::Inline(format!("gammelt {NUM2}")),
                    XCell::Number(NUM.into()),
                    XCell::Formatted {
                        digits: NUM.into(),
                        format: "00000000000".into(),
                    },
                ],
            ],
        },
        XSheet {
            name: "Ark 2".into(),
            rows: vec![vec![XCell::Empty, XCell::Number(NUM2.into())]],
        },
    ]
}

#[test]
fn xlsx_reports_sheet_and_cell_for_shared_inline_and_numeric_cells() {
    let (r, ev) = run("lonn.xlsx", &fixtures::xlsx(&sample_sheets()));
    assert_eq!(r, Ok(Format::Xlsx));
    let cell = |c: &str| Location::Cell {
        sheet: "Ansatte".into(),
        cell: c.into(),
    };
    let shared = assert_found(&ev, NUM, "", &cell("B2"));
    assert!(
        matches!(shared.structure, Structure::TableCell { header: Some(ref h), .. } if h == "Fødselsnummer")
    );
    assert_found(&ev, NUM2, "", &cell("C2"));
    let numeric = assert_found(&ev, &NUM[1..], "", &cell("D2"));
    assert_eq!(
        numeric.text,
        &NUM[1..],
        "a number stored as a number has lost its leading zero"
    );
    assert!(
        matches!(numeric.structure, Structure::NumericCell { header: Some(ref h), .. } if h == "Fnr (tall)")
    );
    let formatted = assert_found(&ev, NUM, "", &cell("E2"));
    assert!(matches!(formatted.structure, Structure::NumericCell { .. }));
    assert_found(
        &ev,
        NUM2,
        "",
        &Location::Cell {
            sheet: "Ark 2".into(),
            cell: "B1".into(),
        },
    );
}

#[test]
fn pptx_slides_come_in_presentation_order() {
    let slides = vec![
        vec!["Agenda".to_string()],
        vec![format!("Eksempel: {NUM}")],
        vec![format!("Slutt {NUM2}")],
    ];
    let (r, ev) = run("foredrag.pptx", &fixtures::pptx(&slides));
    assert_eq!(r, Ok(Format::Pptx));
    assert_found(&ev, NUM, "", &Location::Slide(2));
    assert_found(&ev, NUM2, "", &Location::Slide(3));
}

#[test]
fn pptx_speaker_notes_are_reported_at_their_slide() {
    let slides = vec![
        vec!["Agenda".to_string()],
        vec!["Status".to_string()],
        vec!["Slutt".to_string()],
    ];
    // Notes part 1 belongs to slide 1 and part 3 to slide 3; the slide files are numbered backwards.
    let notes = vec![
        vec!["Ingen tall her".to_string()],
        vec![],
        vec![format!("Husk saken til fnr {NUM}")],
    ];
    let (r, ev) = run("foredrag.pptx", &fixtures::pptx_with_notes(&slides, &notes));
    assert_eq!(r, Ok(Format::Pptx));
    assert_found(&ev, NUM, "", &Location::Slide(3));
}

#[test]
fn odt_joins_spans_and_reads_tables() {
    let blocks = vec![
        Block::Para(format!("Fødselsnummer  {NUM}")),
        Block::Table {
            header: vec!["Navn".into(), "Personnummer".into()],
            rows: vec![vec!["Ola".into(), NUM2.into()]],
        },
    ];
    let (r, ev) = run("notat.odt", &fixtures::odt(&blocks));
    assert_eq!(r, Ok(Format::Odt));
    let p = assert_found(&ev, NUM, "", &Location::Part("content.xml".into()));
    assert_eq!(p.text, format!("Fødselsnummer  {NUM}"));
    let cell = assert_found(&ev, NUM2, "", &Location::Part("content.xml".into()));
    assert!(
        matches!(cell.structure, Structure::TableCell { header: Some(ref h), .. } if h == "Personnummer")
    );
}

#[test]
fn ods_float_cells_are_numeric_cells_with_their_place() {
    let (r, ev) = run("liste.ods", &fixtures::ods(&sample_sheets()));
    assert_eq!(r, Ok(Format::Ods));
    let cell = |c: &str| Location::Cell {
        sheet: "Ansatte".into(),
        cell: c.into(),
    };
    let s = assert_found(&ev, NUM, "", &cell("B2"));
    assert!(
        matches!(s.structure, Structure::TableCell { header: Some(ref h), .. } if h == "Fødselsnummer")
    );
    let n = assert_found(&ev, &NUM[1..], "", &cell("D2"));
    assert!(
        matches!(n.structure, Structure::NumericCell { header: Some(ref h), .. } if h == "Fnr (tall)")
    );
    let shown = assert_found(&ev, NUM, "", &cell("E2"));
    assert!(
        matches!(shown.structure, Structure::NumericCell { .. }),
        "the displayed zeros are kept"
    );
    assert_found(
        &ev,
        NUM2,
        "",
        &Location::Cell {
            sheet: "Ark 2".into(),
            cell: "B1".into(),
        },
    );
}

#[test]
fn odp_reports_the_slide() {
    let slides = vec![vec!["Innledning".to_string()], vec![format!("fnr {NUM}")]];
    let (r, ev) = run("moete.odp", &fixtures::odp(&slides));
    assert_eq!(r, Ok(Format::Odp));
    assert_found(&ev, NUM, "", &Location::Slide(2));
}

// ---------------------------------------------------------------- PDF

#[test]
fn a_pdf_page_that_is_its_own_parent_is_malformed_not_a_hang() {
    // Found by fuzz_pdf: without /Resources the reader looks for them up the /Parent chain.
    let good = fixtures::pdf(&[vec![PdfLine::Text(format!("Fnr {NUM}"))]]);
    // Same lengths, so the cross-reference table stays right.
    let mut bad = good.clone();
    for (from, to) in [
        (&b"/Parent 2 0 R"[..], &b"/Parent 4 0 R"[..]),
        (b"/Resources", b"/Rxsources"),
    ] {
        let at = memchr::memmem::find(&bad, from).expect("in the fixture");
        bad[at..at + to.len()].copy_from_slice(to);
    }
    let r = pdf::pdf_pages(
        &bad,
        std::time::Instant::now(),
        std::time::Duration::from_secs(60),
    );
    assert!(
        matches!(&r, Err(ExtractError::Malformed { detail, .. }) if detail.contains("cycle")),
        "{r:?}"
    );
}

#[test]
fn pdf_reports_pages_and_joins_digits_set_apart() {
    let pages = vec![
        vec![
            PdfLine::Text("Vedtak".into()),
            PdfLine::Text(format!("Fødselsnummer: {NUM}")),
        ],
        vec![
            PdfLine::Text("Skjema".into()),
            PdfLine::SpacedDigits(vec![NUM[..6].to_string(), NUM[6..].to_string()]),
            PdfLine::SpacedDigits(vec![NUM.to_string(), NUM2.to_string()]),
        ],
    ];
    let (r, ev) = run("vedtak.pdf", &fixtures::pdf(&pages));
    assert_eq!(r, Ok(Format::Pdf));
    let p1 = assert_found(&ev, NUM, "", &Location::Page(1));
    assert!(p1.text.contains("Fødselsnummer"), "{}", p1.text);
    let p2 = assert_found(
        &ev,
        &format!("{} {}", &NUM[..6], &NUM[6..]),
        "",
        &Location::Page(2),
    );
    assert!(
        p2.text.contains(&format!("{NUM} {NUM2}")),
        "separate numbers stay apart: {}",
        p2.text
    );
}

#[test]
fn spaced_digit_runs_join_only_single_digits() {
    assert_eq!(
        pdf::join_spaced_digits("0 1 0 1 9 0  1 2 3 4 5"),
        "010190  12345"
    );
    assert_eq!(
        pdf::join_spaced_digits("side 1 2 3 og 12 34 56"),
        "side 1 2 3 og 12 34 56"
    );
    assert_eq!(pdf::join_spaced_digits("x 1 2 3 4y"), "x 1 2 3 4y");
    assert_eq!(pdf::join_spaced_digits("1 2 3 4"), "1234");
}

// ---------------------------------------------------------------- archives

#[test]
fn zip_members_recurse_with_bang_paths() {
    let inner = fixtures::zip(&[("c.txt", format!("fnr {NUM2}").as_bytes())]);
    let docx = fixtures::docx(&[Block::Para(format!("Nr {NUM}"))], &DocxParts::default());
    let data = fixtures::zip(&[
        ("a.txt", format!("fnr {NUM}").as_bytes()),
        ("mappe/brev.docx", &docx),
        ("inner.zip", &inner),
        ("bilde.png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"),
    ]);
    let (r, ev) = run("arkiv.zip", &data);
    assert_eq!(r, Ok(Format::Zip));
    assert_found(&ev, NUM, "a.txt", &Location::Line(1));
    assert_found(
        &ev,
        NUM,
        "mappe/brev.docx",
        &Location::Part("word/document.xml".into()),
    );
    assert_found(&ev, NUM2, "inner.zip!c.txt", &Location::Line(1));
    assert!(
        ev.iter()
            .any(|e| matches!(e, Event::Skipped { member, .. } if member == "bilde.png"))
    );
}

#[test]
fn unknown_binary_is_skipped_not_guessed() {
    let mut data = b"\x00\x01\x02binary".to_vec();
    data.extend_from_slice(NUM.as_bytes());
    let (r, ev) = run("data.bin", &data);
    assert_eq!(r, Ok(Format::UnknownBinary));
    assert!(segments(&ev).is_empty());
    assert!(
        matches!(ev.as_slice(), [Event::Skipped { reason, .. }] if reason.contains("unknown binary"))
    );
}

#[test]
fn a_one_gigabyte_zip_bomb_is_stopped_in_bounded_memory() {
    let bomb = fixtures::zip_bomb(1 << 30, true);
    assert!(
        bomb.len() < 4 << 20,
        "the bomb is small: {} bytes",
        bomb.len()
    );
    let (r, ev, decompressed) = run_with(&Limits::default(), "bomb.zip", &bomb);
    assert_eq!(r, Ok(Format::Zip));
    let errs = errors(&ev);
    assert!(
        matches!(
            errs.as_slice(),
            [(
                "zeros.bin",
                ExtractError::Limit {
                    what: LimitKind::Ratio,
                    ..
                }
            )]
        ),
        "{errs:?}"
    );
    assert!(decompressed < 16 << 20, "stopped early: {decompressed}");
}

#[test]
fn a_zip_bomb_that_lies_about_its_size_is_stopped_while_decompressing() {
    let bomb = fixtures::zip_bomb(1 << 30, false);
    let (r, ev, decompressed) = run_with(&Limits::default(), "bomb.zip", &bomb);
    assert_eq!(r, Ok(Format::Zip));
    let errs = errors(&ev);
    assert!(
        matches!(
            errs.as_slice(),
            [(
                "zeros.bin",
                ExtractError::Limit { .. } | ExtractError::Malformed { .. }
            )]
        ),
        "{errs:?}"
    );
    assert!(decompressed < 16 << 20, "stopped early: {decompressed}");
}

#[test]
fn the_zip_bomb_fixture_really_decompresses_to_its_size() {
    use std::io::Read;
    let bomb = fixtures::zip_bomb(64 << 20, true);
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bomb)).expect("valid zip");
    let mut file = archive.by_index(0).expect("member");
    let mut total = 0u64;
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = file.read(&mut buf).expect("inflates and the CRC matches");
        if n == 0 {
            break;
        }
        assert!(buf[..n].iter().all(|b| *b == 0));
        total += n as u64;
    }
    assert_eq!(total, 64 << 20);
}

#[test]
fn a_ten_level_nested_archive_is_stopped_at_the_depth_limit() {
    let data = fixtures::nested_zip(10, "bunn.txt", format!("fnr {NUM}").as_bytes());
    let (r, ev, _) = run_with(&Limits::default(), "nest.zip", &data);
    assert_eq!(r, Ok(Format::Zip));
    assert!(holding(&ev, NUM).is_empty(), "the bottom is never reached");
    let errs = errors(&ev);
    assert_eq!(errs.len(), 1, "{errs:?}");
    let (member, error) = errs[0];
    assert!(
        matches!(
            error,
            ExtractError::Limit {
                what: LimitKind::Depth,
                ..
            }
        ),
        "{error:?}"
    );
    assert_eq!(
        member.matches('!').count(),
        5,
        "stopped at depth 6: {member}"
    );
}

#[test]
fn the_total_decompressed_limit_stops_the_whole_file() {
    let big = vec![b'a'; 300_000];
    let data = fixtures::zip(&[("a.txt", &big), ("b.txt", &big), ("c.txt", &big)]);
    let limits = Limits {
        max_total_decompressed: 500_000,
        ..Limits::default()
    };
    let (r, _, _) = run_with(&limits, "x.zip", &data);
    assert!(
        matches!(
            r,
            Err(ExtractError::Limit {
                what: LimitKind::Decompressed,
                ..
            })
        ),
        "{r:?}"
    );
}

#[test]
fn the_time_limit_stops_a_file() {
    let limits = Limits {
        max_time_per_file: std::time::Duration::ZERO,
        ..Limits::default()
    };
    let mut budget = Budget::new(&limits);
    std::thread::sleep(std::time::Duration::from_millis(2));
    let r = extract("a.txt", "", b"text", 0, &mut budget, &mut |_| {});
    assert_eq!(r, Err(ExtractError::Timeout(0)));
}

#[test]
fn oversized_files_are_skipped_with_a_reason() {
    let limits = Limits {
        max_file_size: 10,
        ..Limits::default()
    };
    let (r, ev, _) = run_with(&limits, "a.txt", b"01234567890123");
    assert_eq!(r, Ok(Format::Text));
    assert!(
        matches!(ev.as_slice(), [Event::Skipped { reason, .. }] if reason.contains("max_file_size"))
    );
}

// ---------------------------------------------------------------- malformed input

#[test]
fn malformed_top_level_files_are_errors_not_panics() {
    let docx = fixtures::docx(&[Block::Para("x".into())], &DocxParts::default());
    let truncated = |d: &[u8]| d[..d.len() / 2].to_vec();
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("a.txt", b"\xEF\xBB\xBFok \xFF\xFE\xFD".to_vec()),
        ("a.csv", b"\xFF\xFEa\0;\0b".to_vec()),
        ("a.html", b"\xFE\xFF\0<\0p\0".to_vec()),
        ("a.xml", b"<a><b>text</a></b>".to_vec()),
        (
            "a.eml",
            b"this is not a mail at all\nno headers here\n".to_vec(),
        ),
        ("a.mbox", b"Subject: no From line\n\nbody\n".to_vec()),
        (
            "a.ics",
            b"BEGIN:VEVENT\r\nSUMMARY:x\r\nEND:VEVENT\r\n".to_vec(),
        ),
        ("a.docx", truncated(&docx)),
        ("b.docx", fixtures::zip(&[("word/other.xml", b"<x/>")])),
        (
            "c.docx",
            fixtures::zip(&[("word/document.xml", b"<w:document><w:body><w:p>")]),
        ),
        (
            "a.xlsx",
            fixtures::zip(&[("xl/workbook.xml", b"<workbook><sheets><sheet")]),
        ),
        ("a.pptx", truncated(&fixtures::pptx(&[vec!["x".into()]]))),
        (
            "a.odt",
            truncated(&fixtures::odt(&[Block::Para("x".into())])),
        ),
        (
            "a.ods",
            fixtures::zip(&[
                (
                    "mimetype",
                    b"application/vnd.oasis.opendocument.spreadsheet",
                ),
                ("content.xml", b"<a><b></a>"),
            ]),
        ),
        (
            "a.odp",
            fixtures::zip(&[(
                "mimetype",
                b"application/vnd.oasis.opendocument.presentation",
            )]),
        ),
        (
            "a.pdf",
            b"%PDF-1.4\n1 0 obj << /Type /Catalog >> garbage".to_vec(),
        ),
        (
            "a.zip",
            truncated(&fixtures::zip(&[("a.txt", b"hello hello hello")])),
        ),
    ];
    for (name, data) in cases {
        let (r, _) = run(name, &data);
        assert!(r.is_err(), "{name} should be an error, got {r:?}");
    }
}

#[test]
fn a_malformed_member_is_an_error_row_and_the_container_goes_on() {
    let bad_docx = fixtures::zip(&[("word/document.xml", b"<w:document><w:p></w:document>")]);
    let bad_pdf = b"%PDF-1.7\ntrailer << /Root 99 0 R >>".to_vec();
    let bad_sheet = {
        let good = fixtures::xlsx(&sample_sheets());
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(good)).expect("zip");
        let mut members = Vec::new();
        for i in 0..archive.len() {
            use std::io::Read;
            let mut f = archive.by_index(i).expect("member");
            let mut d = Vec::new();
            f.read_to_end(&mut d).expect("read");
            if f.name() == "xl/worksheets/sheet2.xml" {
                d = b"<worksheet><sheetData><row></sheetData>".to_vec();
            }
            members.push((f.name().to_string(), d));
        }
        let refs: Vec<(&str, &[u8])> = members
            .iter()
            .map(|(n, d)| (n.as_str(), d.as_slice()))
            .collect();
        fixtures::zip(&refs)
    };
    let data = fixtures::zip(&[
        ("bad.docx", &bad_docx),
        ("bad.pdf", &bad_pdf),
        ("bad.ics", b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\n"),
        ("sheets.xlsx", &bad_sheet),
        ("good.txt", format!("fnr {NUM}").as_bytes()),
    ]);
    let (r, ev) = run("blandet.zip", &data);
    assert_eq!(r, Ok(Format::Zip));
    let errs: Vec<&str> = errors(&ev).iter().map(|(m, _)| *m).collect();
    assert_eq!(
        errs,
        vec![
            "bad.docx",
            "bad.pdf",
            "bad.ics",
            "sheets.xlsx!xl/worksheets/sheet2.xml"
        ]
    );
    assert_found(&ev, NUM, "good.txt", &Location::Line(1));
    assert_found(
        &ev,
        NUM,
        "sheets.xlsx",
        &Location::Cell {
            sheet: "Ansatte".into(),
            cell: "B2".into(),
        },
    );
}

#[test]
fn format_detection_uses_magic_then_extension_then_content() {
    assert_eq!(
        detect_format("x.bin", &fixtures::pdf(&[vec![]])),
        Format::Pdf
    );
    assert_eq!(
        detect_format("x", &fixtures::docx(&[], &DocxParts::default())),
        Format::Docx
    );
    assert_eq!(detect_format("x", &fixtures::xlsx(&[])), Format::Xlsx);
    assert_eq!(detect_format("x", &fixtures::pptx(&[])), Format::Pptx);
    assert_eq!(detect_format("x", &fixtures::odt(&[])), Format::Odt);
    assert_eq!(detect_format("x", &fixtures::ods(&[])), Format::Ods);
    assert_eq!(detect_format("x", &fixtures::odp(&[])), Format::Odp);
    assert_eq!(
        detect_format("x", &fixtures::zip(&[("a", b"b")])),
        Format::Zip
    );
    assert_eq!(detect_format("x", &fixtures::ics(&[])), Format::Ics);
    assert_eq!(
        detect_format("x", &fixtures::eml(&sample_mail())),
        Format::Eml
    );
    assert_eq!(
        detect_format("x", &fixtures::mbox(&[fixtures::eml(&sample_mail())])),
        Format::Mbox
    );
    assert_eq!(detect_format("x", &fixtures::html("t", &[])), Format::Html);
    assert_eq!(detect_format("x", &fixtures::xml(&[])), Format::Xml);
    assert_eq!(detect_format("x.csv", b"a;b\n1;2\n"), Format::Csv);
    assert_eq!(detect_format("x", b"plain words\n"), Format::Text);
    assert_eq!(
        detect_format("x.txt", b"\x89PNG\r\n\x1a\n"),
        Format::UnknownBinary
    );
    assert_eq!(
        detect_format("x.csv", b"a\0b\0\x01\x02\x03\x00\x00"),
        Format::UnknownBinary
    );
}

#[test]
fn number_formats_of_zeros_restore_leading_zeros() {
    assert_eq!(
        ooxml::apply_zero_format("1019012345", "00000000000").as_deref(),
        Some("01019012345")
    );
    assert_eq!(
        ooxml::apply_zero_format("1019012345", "000000\\-00000").as_deref(),
        Some("010190-12345")
    );
    assert_eq!(ooxml::apply_zero_format("1019012345", "0.00"), None);
    assert_eq!(ooxml::render_number("1.019012345E10"), "10190123450");
    assert_eq!(ooxml::render_number("12.5"), "12.5");
}

#[test]
fn ics_unfolding_removes_the_break_and_one_space() {
    assert_eq!(
        ics::unfold("DESCRIPTION:0101\r\n 9012345\r\nX:y"),
        "DESCRIPTION:01019012345\nX:y"
    );
    assert_eq!(ics::unfold("A:b\n\tc"), "A:bc");
}

mod no_panics {
    use super::*;
    use proptest::prelude::*;

    fn all_formats() -> [Format; 15] {
        [
            Format::Text,
            Format::Csv,
            Format::Html,
            Format::Xml,
            Format::Eml,
            Format::Mbox,
            Format::Ics,
            Format::Docx,
            Format::Xlsx,
            Format::Pptx,
            Format::Odt,
            Format::Ods,
            Format::Odp,
            Format::Pdf,
            Format::Zip,
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]
        #[test]
        fn any_bytes_in_any_format_never_panic(data in proptest::collection::vec(any::<u8>(), 0..512)) {
            let limits = Limits::default();
            for f in all_formats() {
                let mut budget = Budget::new(&limits);
                let _ = extract_as(f, "x", "", &data, 0, &mut budget, &mut |_| {});
            }
        }

        #[test]
        fn damaged_office_files_never_panic(pos in 0usize..4000, byte in any::<u8>()) {
            let limits = Limits::default();
            let files = [
                ("a.docx", fixtures::docx(&[Block::Para(NUM.into())], &DocxParts::default())),
                ("a.xlsx", fixtures::xlsx(&sample_sheets())),
                ("a.odt", fixtures::odt(&[Block::Para(NUM.into())])),
                ("a.pdf", fixtures::pdf(&[vec![PdfLine::Text(NUM.into())]])),
            ];
            for (name, mut data) in files {
                let i = pos % data.len().max(1);
                if let Some(b) = data.get_mut(i) {
                    *b = byte;
                }
                let mut budget = Budget::new(&limits);
                let _ = extract(name, "", &data, 0, &mut budget, &mut |_| {});
            }
        }
    }
}

#[test]
fn ods_repeated_rows_and_columns_move_the_cell_reference() {
    let content = format!(
        "<office:document-content xmlns:office=\"o\" xmlns:table=\"t\" xmlns:text=\"x\"><office:body><office:spreadsheet><table:table table:name=\"Ark1\"><table:table-row table:number-rows-repeated=\"3\"><table:table-cell table:number-columns-repeated=\"2\"/><table:table-cell office:value-type=\"string\"><text:p>x</text:p></table:table-cell></table:table-row><table:table-row><table:table-cell table:number-columns-repeated=\"2\"/><table:table-cell office:value-type=\"float\" office:value=\"{}\"><text:p>{NUM}</text:p></table:table-cell></table:table-row></table:table></office:spreadsheet></office:body></office:document-content>",
        &NUM[1..]
    );
    let data = fixtures::zip(&[
        (
            "mimetype",
            b"application/vnd.oasis.opendocument.spreadsheet",
        ),
        ("content.xml", content.as_bytes()),
    ]);
    let (r, ev) = run("a.ods", &data);
    assert_eq!(r, Ok(Format::Ods));
    let seg = assert_found(
        &ev,
        NUM,
        "",
        &Location::Cell {
            sheet: "Ark1".into(),
            cell: "C4".into(),
        },
    );
    assert!(matches!(seg.structure, Structure::NumericCell { .. }));
}

// ---------------------------------------------------------------- normalisation

#[test]
fn normalize_replaces_separators_and_keeps_everything_else() {
    assert_eq!(
        normalize("010190\u{a0}12345 og 010190\u{2013}1234, ﬁ\u{ad}le \u{feff}ø å".into()),
        "010190 12345 og 010190-1234, ﬁle ø å"
    );
    assert_eq!(
        normalize("\u{ff10}\u{ff19}\u{3000}x\u{2212}".into()),
        "09 x-"
    );
    assert_eq!(normalize("§ «æøå» ½ €".into()), "§ «æøå» ½ €");
    assert_eq!(normalize(String::new()), "");
}

proptest::proptest! {
    #[test]
    fn normalize_agrees_with_a_character_by_character_rewrite(s in "[a-zæø0-9 \u{a0}\u{ad}\u{2000}-\u{2015}\u{2212}\u{3000}\u{feff}\u{ff0d}-\u{ff19}§«€]{0,40}") {
        let expected: String = s.chars().filter_map(|c| match c {
            '\u{a0}' | '\u{2000}'..='\u{200A}' | '\u{3000}' => Some(' '),
            '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{ff0d}' => Some('-'),
            '\u{ad}' | '\u{200B}'..='\u{200D}' | '\u{feff}' => None,
            '\u{ff10}'..='\u{ff19}' => char::from_digit(c as u32 - 0xff10, 10),
            c => Some(c),
        }).collect();
        proptest::prop_assert_eq!(normalize(s.clone()), expected);
    }
}

// ---------------------------------------------------------------- the Swedish `+` separator

/// A Swedish personnummer of someone over 100, written with `+` (10 digits).
fn over_100() -> (String, String) {
    let mut rng = vakt_idnr::generate::Rng(5);
    let birth = vakt_idnr::Date {
        year: 1915,
        month: 3,
        day: 14,
    };
    let n = vakt_idnr::generate::with_birth(vakt_idnr::Kind::SePnr, birth, &mut rng).expect("pnr");
    (format!("{}+{}", &n[2..8], &n[8..]), n)
}

fn scan_findings(name: &str, data: &[u8]) -> Vec<crate::report::Row> {
    let engine = crate::detect::Engine::new(
        crate::rules::Rules::defaults(),
        vakt_idnr::Date {
            year: 2026,
            month: 1,
            day: 1,
        },
    )
    .expect("engine");
    crate::scan::scan_bytes(&engine, name, data, &Limits::default(), true).0
}

#[test]
fn the_plus_separator_survives_docx_and_pdf_extraction() {
    let (written, n) = over_100();
    let line = format!("Personnummer: {written}");
    for (name, data) in [
        ("a.txt", line.clone().into_bytes()),
        (
            "a.docx",
            fixtures::docx(&[Block::Para(line.clone())], &DocxParts::default()),
        ),
        ("a.pdf", fixtures::pdf(&[vec![PdfLine::Text(line.clone())]])),
    ] {
        let (r, ev) = run(name, &data);
        assert!(r.is_ok(), "{name}: {r:?}");
        assert!(
            !holding(&ev, &written).is_empty(),
            "{name}: the text keeps {written}: {ev:?}"
        );
        let rows = scan_findings(name, &data);
        assert!(
            rows.iter().any(|r| r.kind == "se.pnr" && r.value == n),
            "{name}: {rows:?}"
        );
    }
}
