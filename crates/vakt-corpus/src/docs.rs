//! Documents: case notes, invoices, lists and meeting invitations in one of the four languages, with
//! every planted number recorded.

use vakt_idnr::Country;

use crate::Plant;
use crate::lang::Lang;
use crate::numbers::Numbers;

/// A table cell; `numeric` cells are stored as numbers by spreadsheet writers.
#[derive(Debug, Clone)]
pub struct Cell {
    pub text: String,
    pub numeric: bool,
}

#[derive(Debug, Clone)]
pub enum Item {
    Para(String),
    Field {
        label: String,
        value: String,
    },
    Table {
        header: Vec<String>,
        rows: Vec<Vec<Cell>>,
    },
    /// A paragraph whose middle is a tracked insertion (DOCX); plain text elsewhere.
    Tracked {
        before: String,
        inserted: String,
        after: String,
    },
    /// A labelled number that PDF writes one digit per box; text elsewhere (`label groups…`).
    Spaced {
        label: String,
        groups: Vec<String>,
    },
}

/// Text that goes into DOCX header, footer, footnote and comment parts (paragraphs elsewhere).
#[derive(Debug, Clone, Default)]
pub struct Parts {
    pub header: Option<String>,
    pub footer: Option<String>,
    pub footnote: Option<String>,
    pub comment: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Doc {
    pub lang: &'static Lang,
    pub title: String,
    pub items: Vec<Item>,
    pub parts: Parts,
    /// A number in a DOCX tracked deletion (only DOCX writes it; other formats leave it out).
    pub deleted: Option<(String, Plant)>,
    pub plants: Vec<Plant>,
}

impl Doc {
    fn new(lang: &'static Lang, title: String) -> Doc {
        Doc {
            lang,
            title,
            items: Vec::new(),
            parts: Parts::default(),
            deleted: None,
            plants: Vec::new(),
        }
    }

    pub fn has_table(&self) -> bool {
        self.items.iter().any(|i| matches!(i, Item::Table { .. }))
    }

    /// Every line of text in reading order (title, items, then the DOCX-only parts as paragraphs).
    pub fn lines(&self) -> Vec<String> {
        let mut out = vec![self.title.clone()];
        for item in &self.items {
            match item {
                Item::Para(p) => out.push(p.clone()),
                Item::Field { label, value } => out.push(format!("{label}: {value}")),
                Item::Table { header, rows } => {
                    out.push(header.join("\t"));
                    for r in rows {
                        out.push(
                            r.iter()
                                .map(|c| c.text.as_str())
                                .collect::<Vec<_>>()
                                .join("\t"),
                        );
                    }
                }
                Item::Tracked {
                    before,
                    inserted,
                    after,
                } => out.push(format!("{before}{inserted}{after}")),
                Item::Spaced { label, groups } => {
                    out.push(format!("{label}: {}", groups.join(" ")))
                }
            }
        }
        let p = &self.parts;
        for s in [&p.header, &p.footer, &p.footnote, &p.comment]
            .into_iter()
            .flatten()
        {
            out.push(s.clone());
        }
        out
    }
}

fn fill(t: &str, name: &str, id: &str) -> String {
    t.replace("{name}", name).replace("{id}", id)
}

fn fillers(n: &mut Numbers, lang: &Lang, k: usize) -> Vec<String> {
    (0..k).map(|_| n.pick(lang.filler).to_string()).collect()
}

/// A case note: numbers with and without context, a case number, a date, a phone number, sometimes a
/// payment sentence with an account look-alike.
pub fn case_note(n: &mut Numbers, lang: &'static Lang) -> Doc {
    let title = format!("{} {}", n.pick(lang.case_titles), n.case_number());
    let mut d = Doc::new(lang, title);
    let name = n.pick(lang.names).to_string();
    d.items.push(Item::Para(format!(
        "{}: {}",
        n.pick(lang.units),
        n.date_text()
    )));
    for f in fillers(n, lang, 1) {
        d.items.push(Item::Para(f));
    }
    // One number named by context.
    let (w, p) = n.id(lang.country, true);
    d.items
        .push(Item::Para(fill(n.pick(lang.id_inline), &name, &w)));
    d.plants.push(p);
    // Sometimes one as a labelled field.
    if n.chance(50) {
        let (w, p) = n.id(lang.country, true);
        let label = n.pick(lang.id_labels).to_string();
        d.items.push(Item::Field { label, value: w });
        d.plants.push(p);
    }
    // Sometimes one without context.
    if n.chance(50) {
        let (w, p) = n.id(lang.country, false);
        let other = n.pick(lang.names).to_string();
        d.items
            .push(Item::Para(fill(n.pick(lang.id_bare), &other, &w)));
        d.plants.push(p);
    }
    for f in fillers(n, lang, 2) {
        d.items.push(Item::Para(f));
    }
    if n.chance(30) {
        let (w, p) = n.near_miss(lang.country);
        let label = n.pick(lang.id_labels).to_string();
        d.items.push(Item::Para(format!("{label} {w} ?")));
        d.plants.push(p);
    }
    if n.chance(40) {
        let (w, p) = n.phone(lang.country);
        d.items
            .push(Item::Para(lang.phone_sentence.replace("{phone}", &w)));
        d.plants.push(p);
    }
    if n.chance(25) {
        let (w, p) = n.account(lang.country);
        d.items
            .push(Item::Para(lang.pay_sentence.replace("{acct}", &w)));
        d.plants.push(p);
    }
    if n.chance(40) {
        let (w, p) = n.id(lang.country, true);
        d.items.push(Item::Tracked {
            before: format!("{} ", n.pick(lang.filler)),
            inserted: format!("{} {w}. ", n.pick(lang.id_labels)),
            after: n.pick(lang.filler).to_string(),
        });
        d.plants.push(p);
    }
    if n.chance(30) {
        let (w, p) = n.id(lang.country, true);
        d.deleted = Some((format!("{} {w}", n.pick(lang.id_labels)), p));
    }
    if n.chance(30) {
        let (w, p) = n.id(lang.country, true);
        d.parts.comment = Some(fill(n.pick(lang.id_inline), &name, &w));
        d.plants.push(p);
    }
    d.parts.footer = Some(format!("{} {}", lang.greeting, n.pick(lang.units)));
    if n.chance(20) {
        let (w, p) = n.id(lang.country, true);
        d.parts.header = Some(format!("{}: {w}", n.pick(lang.id_labels)));
        d.plants.push(p);
    }
    d
}

/// An invoice: only look-alikes (invoice number, references, account, organisation number, IBAN, card,
/// amount), sometimes with the customer's ID number named as such.
pub fn invoice(n: &mut Numbers, lang: &'static Lang) -> Doc {
    let title = n.pick(lang.invoice_titles).to_string();
    let mut d = Doc::new(lang, title);
    let (w, p) = n.invoice_number(lang.country);
    d.items.push(Item::Field {
        label: lang.invoice_label.into(),
        value: w,
    });
    d.plants.push(p);
    let (w, p) = n.org_number(lang.country);
    d.items.push(Item::Field {
        label: lang.org_label.into(),
        value: w,
    });
    d.plants.push(p);
    for _ in 0..n.rng.range(1, 2) {
        let (w, p) = n.reference(lang.country);
        let label = n.pick(lang.reference_labels).to_string();
        d.items.push(Item::Field { label, value: w });
        d.plants.push(p);
    }
    let (w, p) = n.account(lang.country);
    d.items.push(Item::Field {
        label: lang.account_label.into(),
        value: w,
    });
    d.plants.push(p);
    if lang.country == Country::No && n.chance(50) {
        let (w, p) = n.no_iban();
        d.items.push(Item::Field {
            label: "IBAN".into(),
            value: w,
        });
        d.plants.push(p);
    }
    if n.chance(30) {
        let (w, p) = n.card();
        d.items.push(Item::Para(format!("VISA {w}")));
        d.plants.push(p);
    }
    let amount = n.amount();
    d.items.push(Item::Field {
        label: lang.amount_label.into(),
        value: amount,
    });
    if n.chance(40) {
        let (w, p) = n.id(lang.country, true);
        let label = n.pick(lang.id_labels).to_string();
        let groups = spaced_groups(&w);
        d.items.push(Item::Spaced { label, groups });
        d.plants.push(p);
    }
    let (w, p) = n.account(lang.country);
    d.items
        .push(Item::Para(lang.pay_sentence.replace("{acct}", &w)));
    d.plants.push(p);
    d.items.push(Item::Para(lang.greeting.to_string()));
    d
}

/// Split a written number into its digit groups (for forms with one box per digit).
fn spaced_groups(w: &str) -> Vec<String> {
    w.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|g| !g.is_empty())
        .map(str::to_string)
        .collect()
}

/// A list (payroll, pupils, participants): ID column, account column, phone column.
pub fn list(n: &mut Numbers, lang: &'static Lang) -> Doc {
    let title = format!("{} {}", n.pick(lang.list_titles), n.pick(lang.units));
    let mut d = Doc::new(lang, title);
    let header: Vec<String> = lang.header.iter().map(|s| s.to_string()).collect();
    let mut rows = Vec::new();
    let numeric_ids = n.chance(30) && lang.country != Country::Fi;
    for _ in 0..n.rng.range(4, 12) {
        let name = n.pick(lang.names).to_string();
        let (id, p) = n.id(lang.country, true);
        // Spreadsheets store plain-digit IDs as numbers (leading zeros lost).
        let id_numeric = numeric_ids && id.chars().all(|c| c.is_ascii_digit());
        d.plants.push(p);
        let (acct, p) = n.account(lang.country);
        d.plants.push(p);
        let (phone, p) = n.phone(lang.country);
        d.plants.push(p);
        let unit = n.pick(lang.units).to_string();
        rows.push(vec![
            Cell {
                text: name,
                numeric: false,
            },
            Cell {
                text: id,
                numeric: id_numeric,
            },
            Cell {
                text: acct,
                numeric: false,
            },
            Cell {
                text: phone,
                numeric: false,
            },
            Cell {
                text: unit,
                numeric: false,
            },
        ]);
    }
    d.items.push(Item::Table { header, rows });
    d
}

/// A meeting invitation: who, what, where, with the person's number in the description.
pub fn meeting(n: &mut Numbers, lang: &'static Lang) -> Doc {
    let title = n.pick(lang.meeting_titles).to_string();
    let mut d = Doc::new(lang, title);
    let name = n.pick(lang.names).to_string();
    let (w, p) = n.id(lang.country, true);
    d.items
        .push(Item::Para(fill(n.pick(lang.id_inline), &name, &w)));
    d.plants.push(p);
    d.items.push(Item::Para(n.pick(lang.filler).to_string()));
    if n.chance(40) {
        let (w, p) = n.phone(lang.country);
        d.items
            .push(Item::Para(lang.phone_sentence.replace("{phone}", &w)));
        d.plants.push(p);
    }
    d
}

/// A log or export file: timestamps, epochs and a card number; no ID numbers.
pub fn log(n: &mut Numbers, lang: &'static Lang) -> Doc {
    let mut d = Doc::new(lang, "export.log".into());
    for _ in 0..n.rng.range(5, 15) {
        let (w, p) = n.timestamp();
        let line = match n.rng.below(4) {
            0 => format!("{w} INFO sync completed, {} records", n.rng.range(1, 999)),
            1 => format!(
                "ts={w} level=warn msg=\"retry\" attempt={}",
                n.rng.range(1, 5)
            ),
            2 => format!("backup_{w}.tar finished"),
            _ => format!("[{w}] job {} ok", n.rng.range(100, 999)),
        };
        d.items.push(Item::Para(line));
        d.plants.push(p);
    }
    d
}
