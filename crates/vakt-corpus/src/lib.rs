//! The test corpus generator: a realistic mixed tree of municipal files in Norwegian, Swedish, Danish and
//! Finnish with synthetic ID numbers written the ways people write them and the look-alikes that must not
//! be reported (scanner.md §6), plus the ground truth.
//!
//! `write_corpus(dir, options)` writes the files under `dir/corpus/` and the truth to `dir/truth.json`.
//! Truth paths are relative to `dir/corpus/` and written as `vakt scan` reports them: archive members as
//! `outer.zip!inner/file.docx`, mail attachments as `mail.eml!attachment.csv`, mbox messages as
//! `box.mbox!message[2]`. Deterministic from the seed (Swedish 10-digit forms are chosen so that their
//! separator stays right until 2030). Only synthetic numbers.

pub mod docs;
pub mod lang;
pub mod numbers;
pub mod plain;
pub mod render;

use std::path::Path;

use serde::{Deserialize, Serialize};
use vakt_scan::fixtures::{self, Attachment, Eml, IcsEvent};

use crate::docs::Doc;
use crate::lang::Lang;
use crate::numbers::Numbers;
use crate::render::{Leaf, plants_in, render};

/// A planted value without its path.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plant {
    /// A kind code (`no.fnr`, `se.snr`, ...) for ID numbers, `trap.*` for look-alikes.
    pub kind: String,
    /// ID numbers: the normalised form `vakt scan --reveal` prints. Look-alikes: their digits.
    pub value: String,
    /// Whether a scan must report it.
    pub report: bool,
    pub note: String,
}

/// A planted value in a file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Planted {
    pub path: String,
    pub kind: String,
    pub value: String,
    pub report: bool,
    pub note: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Truth {
    pub seed: u64,
    pub files: usize,
    /// The directory (relative to the truth file) that holds the corpus.
    pub root: String,
    pub planted: Vec<Planted>,
}

#[derive(Debug, Clone)]
pub struct Options {
    pub seed: u64,
    /// Number of top-level files.
    pub files: usize,
}

/// Every top-level format, in the order the generator cycles through them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Top {
    Leaf(Leaf),
    Eml,
    Mbox,
    Ics,
    Zip,
}

const TOPS: [Top; 15] = [
    Top::Leaf(Leaf::Txt),
    Top::Leaf(Leaf::Csv),
    Top::Leaf(Leaf::Html),
    Top::Leaf(Leaf::Xml),
    Top::Leaf(Leaf::Docx),
    Top::Leaf(Leaf::Xlsx),
    Top::Leaf(Leaf::Pptx),
    Top::Leaf(Leaf::Odt),
    Top::Leaf(Leaf::Ods),
    Top::Leaf(Leaf::Odp),
    Top::Leaf(Leaf::Pdf),
    Top::Eml,
    Top::Mbox,
    Top::Ics,
    Top::Zip,
];

struct Gen {
    n: Numbers,
    planted: Vec<Planted>,
}

fn add(planted: &mut Vec<Planted>, path: &str, plants: Vec<Plant>) {
    planted.extend(plants.into_iter().map(|p| Planted {
        path: path.to_string(),
        kind: p.kind,
        value: p.value,
        report: p.report,
        note: p.note,
    }));
}

impl Gen {
    fn doc_for(&mut self, leaf: Leaf, lang: &'static Lang) -> Doc {
        if leaf.tabular() {
            return docs::list(&mut self.n, lang);
        }
        match (leaf, self.n.rng.below(10)) {
            (Leaf::Txt, 0 | 1) => docs::log(&mut self.n, lang),
            (Leaf::Txt | Leaf::Html | Leaf::Docx | Leaf::Odt, 2 | 3) => {
                docs::invoice(&mut self.n, lang)
            }
            (Leaf::Pdf, 0..=4) => docs::invoice(&mut self.n, lang),
            (Leaf::Pptx | Leaf::Odp, 0..=3) => docs::meeting(&mut self.n, lang),
            _ => docs::case_note(&mut self.n, lang),
        }
    }

    /// A leaf file: its bytes and plants, recorded under `path`.
    fn leaf(&mut self, leaf: Leaf, lang: &'static Lang, path: &str) -> Vec<u8> {
        let doc = self.doc_for(leaf, lang);
        let bytes = render(&doc, leaf, &mut self.n);
        add(&mut self.planted, path, plants_in(&doc, leaf));
        bytes
    }

    fn attachment_name(&mut self, lang: &Lang, leaf: Leaf, k: usize) -> String {
        let stem = match lang.code {
            "nb" => "vedlegg",
            "sv" => "bilaga",
            "da" => "bilag",
            _ => "liite",
        };
        format!("{stem}{k}.{}", leaf.ext())
    }

    /// A mail message; `path` is its member path prefix (the .eml file, or `box.mbox!message[k]`).
    fn eml(&mut self, lang: &'static Lang, path: &str) -> Vec<u8> {
        let body = if self.n.chance(50) {
            docs::meeting(&mut self.n, lang)
        } else {
            docs::case_note(&mut self.n, lang)
        };
        let mut text: Vec<String> = body.lines().into_iter().skip(1).collect();
        text.push(lang.greeting.to_string());
        text.push(self.n.pick(lang.names).to_string());
        let mut plants = plants_in(&body, Leaf::Txt);
        let mut subject = body.title.clone();
        if self.n.chance(25) {
            let (w, p) = self.n.id(lang.country, true);
            subject = format!("{subject} – {} {w}", self.n.pick(lang.id_labels));
            plants.push(p);
        }
        let text = text.join("\n");
        let html = if !text.contains('\u{2013}') && self.n.chance(30) {
            let paras: String = text
                .lines()
                .map(|l| {
                    format!(
                        "<p>{}</p>",
                        l.replace('&', "&amp;")
                            .replace('<', "&lt;")
                            .replace(' ', "&nbsp;")
                    )
                })
                .collect();
            Some(format!("<html><body>{paras}</body></html>"))
        } else {
            None
        };
        add(&mut self.planted, path, plants);
        let mut attachments = Vec::new();
        for k in 1..=self.n.rng.range(0, 2) as usize {
            let leaf = self.n.pick(&[
                Leaf::Csv,
                Leaf::Docx,
                Leaf::Pdf,
                Leaf::Xlsx,
                Leaf::Txt,
                Leaf::Odt,
            ]);
            let name = self.attachment_name(lang, leaf, k);
            let member = format!("{path}!{name}");
            let data = self.leaf(leaf, lang, &member);
            let content_type = match leaf {
                Leaf::Csv => "text/csv",
                Leaf::Txt => "text/plain",
                Leaf::Pdf => "application/pdf",
                Leaf::Docx => {
                    "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
                }
                Leaf::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                _ => "application/vnd.oasis.opendocument.text",
            };
            attachments.push(Attachment {
                name,
                content_type: content_type.into(),
                data,
            });
        }
        let from = format!(
            "{}@kommune.example",
            self.n.pick(lang.names).to_lowercase().replace(' ', ".")
        );
        fixtures::eml(&Eml {
            from,
            to: "postmottak@kommune.example".into(),
            subject,
            text,
            html,
            attachments,
        })
    }

    fn ics(&mut self, lang: &'static Lang, path: &str) -> Vec<u8> {
        let mut events = Vec::new();
        for _ in 0..self.n.rng.range(1, 4) {
            let doc = docs::meeting(&mut self.n, lang);
            let description = doc
                .lines()
                .into_iter()
                .skip(1)
                .collect::<Vec<_>>()
                .join("\n");
            let mut plants = doc.plants.clone();
            let mut attendee = self.n.pick(lang.names).to_string();
            if self.n.chance(25) {
                let (w, p) = self.n.id(lang.country, true);
                attendee = format!("{attendee} ({} {w})", self.n.pick(lang.id_labels));
                plants.push(p);
            }
            add(&mut self.planted, path, plants);
            events.push(IcsEvent {
                summary: doc.title.clone(),
                description,
                location: self.n.pick(lang.units).to_string(),
                attendee,
                comment: self.n.pick(lang.filler).to_string(),
            });
        }
        fixtures::ics(&events)
    }

    fn zip(&mut self, lang: &'static Lang, path: &str) -> Vec<u8> {
        let mut members: Vec<(String, Vec<u8>)> = Vec::new();
        for k in 0..self.n.rng.range(2, 4) {
            let leaf = self.n.pick(&Leaf::ALL);
            let name = format!("dokumenter/{}-{k}.{}", lang.code, leaf.ext());
            let member = format!("{path}!{name}");
            let data = self.leaf(leaf, lang, &member);
            members.push((name, data));
        }
        if self.n.chance(50) {
            let name = "post/melding.eml".to_string();
            let member = format!("{path}!{name}");
            let data = self.eml(lang, &member);
            members.push((name, data));
        }
        if self.n.chance(50) {
            // One nested archive level.
            let inner_name = "eldre.zip".to_string();
            let inner_path = format!("{path}!{inner_name}");
            let mut inner = Vec::new();
            for k in 0..self.n.rng.range(1, 2) {
                let leaf = self.n.pick(&Leaf::ALL);
                let name = format!("{}-{k}.{}", lang.code, leaf.ext());
                let member = format!("{inner_path}!{name}");
                let data = self.leaf(leaf, lang, &member);
                inner.push((name, data));
            }
            let refs: Vec<(&str, &[u8])> = inner
                .iter()
                .map(|(n, d)| (n.as_str(), d.as_slice()))
                .collect();
            members.push((inner_name, fixtures::zip(&refs)));
        }
        let refs: Vec<(&str, &[u8])> = members
            .iter()
            .map(|(n, d)| (n.as_str(), d.as_slice()))
            .collect();
        fixtures::zip(&refs)
    }
}

fn subdir(top: Top) -> &'static str {
    match top {
        Top::Leaf(Leaf::Csv | Leaf::Xlsx | Leaf::Ods | Leaf::Xml) => "lister",
        Top::Leaf(Leaf::Pdf) => "skannet",
        Top::Leaf(_) => "dokumenter",
        Top::Eml | Top::Mbox => "epost",
        Top::Ics => "kalender",
        Top::Zip => "arkiv",
    }
}

fn ext(top: Top) -> &'static str {
    match top {
        Top::Leaf(l) => l.ext(),
        Top::Eml => "eml",
        Top::Mbox => "mbox",
        Top::Ics => "ics",
        Top::Zip => "zip",
    }
}

/// Generate the corpus in memory: every top-level file (relative path, bytes) and the truth.
pub fn generate(options: &Options) -> (Vec<(String, Vec<u8>)>, Truth) {
    let mut g = Gen {
        n: Numbers::new(options.seed),
        planted: Vec::new(),
    };
    let mut files = Vec::new();
    for i in 0..options.files {
        let lang = lang::ALL[i % lang::ALL.len()];
        // Every language meets every format once in 60 files.
        let top = TOPS[(i / lang::ALL.len()) % TOPS.len()];
        let path = format!("{}/{}/fil-{i:04}.{}", lang.dir, subdir(top), ext(top));
        let bytes = match top {
            Top::Leaf(leaf) => g.leaf(leaf, lang, &path),
            Top::Eml => g.eml(lang, &path),
            Top::Mbox => {
                let mut messages = Vec::new();
                for k in 1..=g.n.rng.range(2, 4) {
                    let member = format!("{path}!message[{k}]");
                    messages.push(g.eml(lang, &member));
                }
                fixtures::mbox(&messages)
            }
            Top::Ics => g.ics(lang, &path),
            Top::Zip => g.zip(lang, &path),
        };
        files.push((path, bytes));
    }
    let truth = Truth {
        seed: options.seed,
        files: options.files,
        root: "corpus".into(),
        planted: g.planted,
    };
    (files, truth)
}

/// Write the corpus under `dir/corpus/` and the truth to `dir/truth.json`.
pub fn write_corpus(dir: &Path, options: &Options) -> std::io::Result<Truth> {
    let (files, truth) = generate(options);
    let root = dir.join(&truth.root);
    for (path, bytes) in &files {
        let full = root.join(path);
        if let Some(parent) = full.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(full, bytes)?;
    }
    let json = serde_json::to_vec_pretty(&truth).map_err(std::io::Error::other)?;
    std::fs::write(dir.join("truth.json"), json)?;
    Ok(truth)
}

#[cfg(test)]
mod tests {
    use super::*;
    use vakt_idnr::{Country, Kind, parse};

    #[test]
    fn the_corpus_is_deterministic_from_the_seed() {
        let a = generate(&Options { seed: 7, files: 30 });
        let b = generate(&Options { seed: 7, files: 30 });
        assert_eq!(a.0, b.0);
        assert_eq!(a.1.planted, b.1.planted);
        let c = generate(&Options { seed: 8, files: 30 });
        assert_ne!(a.0, c.0);
    }

    #[test]
    fn every_format_and_every_kind_is_planted() {
        let (files, truth) = generate(&Options {
            seed: 1,
            files: 120,
        });
        for top in TOPS {
            assert!(
                files
                    .iter()
                    .any(|(p, _)| p.ends_with(&format!(".{}", ext(top)))),
                "{top:?}"
            );
        }
        for kind in Kind::ALL {
            assert!(
                truth
                    .planted
                    .iter()
                    .any(|p| p.report && p.kind == kind.code()),
                "{kind:?}"
            );
        }
        for trap in [
            "trap.no.kontonr",
            "trap.phone",
            "trap.reference",
            "trap.timestamp",
            "trap.card",
            "trap.iban",
            "trap.near_miss",
            "trap.orgnr",
        ] {
            assert!(
                truth.planted.iter().any(|p| !p.report && p.kind == trap),
                "{trap}"
            );
        }
        assert!(
            truth
                .planted
                .iter()
                .any(|p| p.path.contains(".zip!") && p.path.contains(".eml!"))
        );
        assert!(
            truth
                .planted
                .iter()
                .any(|p| p.path.contains(".mbox!message["))
        );
    }

    #[test]
    fn planted_numbers_are_valid_and_their_values_canonical() {
        let (_, truth) = generate(&Options { seed: 3, files: 60 });
        let today = numbers::today();
        for p in truth.planted.iter().filter(|p| p.report) {
            let kind = Kind::from_code(&p.kind).expect("a kind code");
            let id =
                parse(kind.country(), &p.value, today).unwrap_or_else(|e| panic!("{p:?}: {e}"));
            assert_eq!(id.kind, kind, "{p:?}");
            assert_eq!(id.normalized, p.value);
        }
        // Hard bank-account traps pass the fødselsnummer checks.
        assert!(truth.planted.iter().any(|p| p.kind == "trap.no.kontonr" && parse(Country::No, &p.value, today).is_ok()));
    }
}
