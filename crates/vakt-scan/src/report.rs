//! Output rows and formats: `table` (people), `jsonl` (one JSON object per finding or error), `csv`
//! (spreadsheets) and `sarif` (code-scanning tools). Values are masked unless the scan runs with
//! `--reveal`; context snippets are always masked.

use std::collections::BTreeMap;
use std::io::Write;

use serde::{Deserialize, Serialize};

use crate::detect::Finding;
use crate::text::{Arg, Message, Text};

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    Table,
    Jsonl,
    Csv,
    Sarif,
}

/// The `kind` of an error row.
pub const ERROR_KIND: &str = "error";

/// One row of a report: a finding, or an error (`kind == "error"`, `error` set).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Row {
    /// File path; members of archives and mail attachments as `outer.zip!inner/file.docx`.
    pub path: String,
    /// `no.fnr`, `se.pnr`, `dk.cpr`, `fi.hetu`, `category.health`, ..., or `error`.
    pub kind: String,
    /// Masked number (`010190*****`), the normalised number with `--reveal`, or the matched terms.
    pub value: String,
    /// 0–1.
    pub confidence: f32,
    /// `line 3`, `page 2`, `Ark1!B4`, `header:Subject`, `VEVENT[1].DESCRIPTION`, ...
    pub location: String,
    /// Text around the finding with every number masked.
    pub context: String,
    /// Why it scored as it did: `code[:detail](±delta)`.
    pub reasons: Vec<String>,
    /// For error rows: what went wrong, in English.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// For error rows: the stable code of the error (`scan-error-malformed`, `scan-error-limit-ratio`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,
    /// For error rows: the values the message is made of (`format`, `detail`, `max`, `seconds`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub error_args: BTreeMap<String, Arg>,
}

/// Join a top-level path and a member path with `!`.
pub fn join_member(path: &str, member: &str) -> String {
    if member.is_empty() {
        path.to_string()
    } else {
        format!("{path}!{member}")
    }
}

impl Row {
    pub fn from_finding(path: &str, f: &Finding, reveal: bool) -> Row {
        Row {
            path: join_member(path, &f.member),
            kind: f.code.to_string(),
            value: if reveal {
                f.normalized.clone()
            } else {
                f.masked.clone()
            },
            confidence: (f.confidence * 100.0).round() / 100.0,
            location: f.location.clone(),
            context: f.context.clone(),
            reasons: f.reasons.iter().map(|r| r.render()).collect(),
            error: None,
            error_code: None,
            error_args: BTreeMap::new(),
        }
    }

    pub fn error(path: &str, message: Message) -> Row {
        Row {
            path: path.to_string(),
            kind: ERROR_KIND.to_string(),
            value: String::new(),
            confidence: 0.0,
            location: String::new(),
            context: String::new(),
            reasons: Vec::new(),
            error: Some(message.english),
            error_code: Some(message.key),
            error_args: message.args,
        }
    }

    /// An error row's message, in the language of `text` (English where it has none).
    pub fn error_text(&self, text: &dyn Text) -> Option<String> {
        let english = self.error.as_ref()?;
        Some(
            self.error_code
                .as_deref()
                .and_then(|key| text.text(key, &self.error_args))
                .unwrap_or_else(|| english.clone()),
        )
    }

    pub fn is_error(&self) -> bool {
        self.error.is_some()
    }
}

/// Write rows in a format. The table is for people: its headings and error messages come from `text`;
/// the other formats are for tools and keep English messages beside stable codes.
pub fn write(
    out: &mut dyn Write,
    format: OutputFormat,
    rows: &[Row],
    text: &dyn Text,
) -> std::io::Result<()> {
    match format {
        OutputFormat::Table => write_table(out, rows, text),
        OutputFormat::Jsonl => {
            for r in rows {
                serde_json::to_writer(&mut *out, r)?;
                out.write_all(b"\n")?;
            }
            Ok(())
        }
        OutputFormat::Csv => write_csv(out, rows),
        OutputFormat::Sarif => write_sarif(out, rows),
    }
}

fn write_table(out: &mut dyn Write, rows: &[Row], text: &dyn Text) -> std::io::Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let heading = |key: &str, english: &str| Message::new(key, english).render(text);
    let (h_kind, h_value, h_conf, h_where) = (
        heading("scan-column-kind", "KIND"),
        heading("scan-column-value", "VALUE"),
        heading("scan-column-confidence", "CONF"),
        heading("scan-column-where", "WHERE"),
    );
    let w_kind = rows
        .iter()
        .map(|r| r.kind.chars().count())
        .max()
        .unwrap_or(4)
        .max(h_kind.chars().count());
    let w_value = rows
        .iter()
        .map(|r| r.value.chars().count())
        .max()
        .unwrap_or(5)
        .clamp(h_value.chars().count(), 40);
    let w_conf = h_conf.chars().count().max(4);
    writeln!(
        out,
        "{h_kind:<w_kind$}  {h_value:<w_value$}  {h_conf:>w_conf$}  {h_where}"
    )?;
    for r in rows {
        let place = if r.location.is_empty() {
            r.path.clone()
        } else {
            format!("{} ({})", r.path, r.location)
        };
        match r.error_text(text) {
            Some(e) => writeln!(
                out,
                "{:<w_kind$}  {:<w_value$}  {:>w_conf$}  {place}: {e}",
                r.kind, "", "-"
            )?,
            None => writeln!(
                out,
                "{:<w_kind$}  {:<w_value$}  {:>w_conf$.2}  {place}  «{}»",
                r.kind, r.value, r.confidence, r.context
            )?,
        }
    }
    Ok(())
}

fn write_csv(out: &mut dyn Write, rows: &[Row]) -> std::io::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    let io = |e: csv::Error| std::io::Error::other(e.to_string());
    w.write_record([
        "path",
        "kind",
        "value",
        "confidence",
        "location",
        "context",
        "reasons",
        "error",
        "error_code",
    ])
    .map_err(io)?;
    for r in rows {
        w.write_record([
            r.path.as_str(),
            r.kind.as_str(),
            r.value.as_str(),
            &format!("{:.2}", r.confidence),
            r.location.as_str(),
            r.context.as_str(),
            &r.reasons.join("; "),
            r.error.as_deref().unwrap_or(""),
            r.error_code.as_deref().unwrap_or(""),
        ])
        .map_err(io)?;
    }
    w.flush()
}

fn line_of(location: &str) -> Option<u64> {
    location.strip_prefix("line ").and_then(|n| n.parse().ok())
}

fn rule_description(kind: &str) -> &'static str {
    match kind {
        "no.fnr" => "Norwegian national identity number (fødselsnummer)",
        "no.dnr" => "Norwegian D-number",
        "no.hnr" => "Norwegian H-number",
        "no.test" => "Norwegian synthetic test number",
        "se.pnr" => "Swedish personal identity number (personnummer)",
        "se.snr" => "Swedish coordination number (samordningsnummer)",
        "dk.cpr" => "Danish CPR number",
        "fi.hetu" => "Finnish personal identity code (henkilötunnus)",
        "category.health" => "Health data (GDPR Art. 9)",
        "category.ethnic" => "Racial or ethnic origin (GDPR Art. 9)",
        "category.religion" => "Religious or philosophical beliefs (GDPR Art. 9)",
        "category.union" => "Trade-union membership (GDPR Art. 9)",
        "category.sexual_orientation" => "Sex life or sexual orientation (GDPR Art. 9)",
        "category.criminal" => "Criminal convictions and offences (GDPR Art. 10)",
        _ => "Personal data",
    }
}

fn write_sarif(out: &mut dyn Write, rows: &[Row]) -> std::io::Result<()> {
    use serde_json::{Value, json};
    let mut kinds: Vec<&str> = rows
        .iter()
        .filter(|r| !r.is_error())
        .map(|r| r.kind.as_str())
        .collect();
    kinds.sort_unstable();
    kinds.dedup();
    let rules: Vec<Value> = kinds
        .iter()
        .map(|k| {
            json!({
                "id": k,
                "name": k,
                "shortDescription": { "text": rule_description(k) },
                "defaultConfiguration": { "level": if k.starts_with("category.") { "warning" } else { "error" } },
            })
        })
        .collect();
    let results: Vec<Value> = rows
        .iter()
        .filter(|r| !r.is_error())
        .map(|r| {
            let mut physical = json!({ "artifactLocation": { "uri": r.path } });
            if let Some(line) = line_of(&r.location) {
                physical["region"] = json!({ "startLine": line });
            }
            json!({
                "ruleId": r.kind,
                "ruleIndex": kinds.iter().position(|k| *k == r.kind).unwrap_or(0),
                "level": if r.kind.starts_with("category.") { "warning" } else { "error" },
                "message": { "text": format!("{} {} (confidence {:.2}) at {}", rule_description(&r.kind), r.value, r.confidence, r.location) },
                "locations": [{
                    "physicalLocation": physical,
                    "logicalLocations": [{ "name": r.location }],
                }],
                "properties": { "confidence": r.confidence, "reasons": r.reasons, "context": r.context, "value": r.value },
            })
        })
        .collect();
    let notifications: Vec<Value> = rows
        .iter()
        .filter_map(|r| {
            r.error.as_ref().map(|e| {
                json!({
                    "level": "error",
                    "message": { "text": e },
                    "descriptor": { "id": r.error_code },
                    "locations": [{ "physicalLocation": { "artifactLocation": { "uri": r.path } } }],
                })
            })
        })
        .collect();
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "vakt",
                "informationUri": "https://example.invalid/vakt",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "invocations": [{
                "executionSuccessful": notifications.is_empty(),
                "toolExecutionNotifications": notifications,
            }],
            "results": results,
        }],
    });
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    out.write_all(b"\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows() -> Vec<Row> {
        vec![
            Row {
                path: "a.zip!b.txt".into(),
                kind: "no.fnr".into(),
                value: "010190*****".into(),
                confidence: 0.93,
                location: "line 3".into(),
                context: "fnr 010190*****".into(),
                reasons: vec!["check_digits(+0.70)".into()],
                error: None,
                error_code: None,
                error_args: BTreeMap::new(),
            },
            Row::error(
                "bad.docx",
                crate::text::Explain::message(&crate::extract::ExtractError::Malformed {
                    format: "docx",
                    detail: "no document part".into(),
                }),
            ),
        ]
    }

    fn render(f: OutputFormat) -> String {
        let mut buf = Vec::new();
        write(&mut buf, f, &rows(), &crate::text::English).expect("write");
        String::from_utf8(buf).expect("utf8")
    }

    #[test]
    fn jsonl_is_one_object_per_row_with_the_documented_fields() {
        let out = render(OutputFormat::Jsonl);
        let lines: Vec<serde_json::Value> = out
            .lines()
            .map(|l| serde_json::from_str(l).expect("json line"))
            .collect();
        assert_eq!(lines.len(), 2);
        for key in [
            "path",
            "kind",
            "value",
            "confidence",
            "location",
            "context",
            "reasons",
        ] {
            assert!(lines[0].get(key).is_some(), "missing {key}");
        }
        assert_eq!(lines[0]["path"], "a.zip!b.txt");
        assert_eq!(lines[1]["kind"], "error");
        assert!(
            lines[1]["error"]
                .as_str()
                .is_some_and(|e| e.contains("malformed"))
        );
    }

    #[test]
    fn csv_has_a_header_and_one_record_per_row() {
        let out = render(OutputFormat::Csv);
        let mut r = csv::Reader::from_reader(out.as_bytes());
        let recs: Vec<csv::StringRecord> = r.records().map(|x| x.expect("record")).collect();
        assert_eq!(recs.len(), 2);
        assert_eq!(&recs[0][1], "no.fnr");
        assert_eq!(&recs[1][7], "malformed docx: no document part");
    }

    #[test]
    fn sarif_has_rules_results_with_lines_and_errors_as_notifications() {
        let v: serde_json::Value =
            serde_json::from_str(&render(OutputFormat::Sarif)).expect("sarif json");
        assert_eq!(v["version"], "2.1.0");
        let run = &v["runs"][0];
        assert_eq!(run["tool"]["driver"]["rules"][0]["id"], "no.fnr");
        assert_eq!(run["results"][0]["ruleId"], "no.fnr");
        assert_eq!(
            run["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"],
            3
        );
        assert_eq!(
            run["invocations"][0]["toolExecutionNotifications"][0]["level"],
            "error"
        );
    }

    #[test]
    fn table_shows_kind_value_and_place() {
        let out = render(OutputFormat::Table);
        assert!(
            out.contains("no.fnr")
                && out.contains("010190*****")
                && out.contains("a.zip!b.txt (line 3)")
        );
        assert!(out.contains("bad.docx: malformed docx"));
    }
}
