//! iCalendar: lines are unfolded first (RFC 5545 §3.1), then the text properties of every component
//! are reported with their place (`VEVENT[2].DESCRIPTION`).

use super::{Emitter, ExtractError, Location, Structure, text};

/// Properties whose values are text a person wrote (or a person's name and address).
const TEXT_PROPERTIES: &[&str] = &[
    "SUMMARY",
    "DESCRIPTION",
    "LOCATION",
    "ATTENDEE",
    "ORGANIZER",
    "COMMENT",
    "CONTACT",
    "CATEGORIES",
    "RESOURCES",
    "X-ALT-DESC",
];

/// Undo line folding: a line break followed by one space or tab is removed with that character.
pub(crate) fn unfold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' if chars.peek() == Some(&'\n') => {
                chars.next();
                if matches!(chars.peek(), Some(' ' | '\t')) {
                    chars.next();
                } else {
                    out.push('\n');
                }
            }
            '\n' | '\r' => {
                if matches!(chars.peek(), Some(' ' | '\t')) {
                    chars.next();
                } else {
                    out.push('\n');
                }
            }
            _ => out.push(c),
        }
    }
    out
}

/// Undo TEXT value escaping (`\n`, `\,`, `\;`, `\\`).
fn unescape(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    let mut chars = v.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n' | 'N') => out.push('\n'),
                Some(other) => out.push(other),
                None => {}
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Split `NAME;PARAM=x;CN="A B":value` into name, parameters and value (colons inside quotes skipped).
fn split_property(line: &str) -> Option<(&str, &str, &str)> {
    let mut in_quotes = false;
    let mut colon = None;
    for (i, c) in line.char_indices() {
        match c {
            '"' => in_quotes = !in_quotes,
            ':' if !in_quotes => {
                colon = Some(i);
                break;
            }
            _ => {}
        }
    }
    let colon = colon?;
    let head = &line[..colon];
    let value = &line[colon + 1..];
    let (name, params) = head.split_once(';').unwrap_or((head, ""));
    Some((name, params, value))
}

fn param<'a>(params: &'a str, key: &str) -> Option<&'a str> {
    params.split(';').find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case(key)
            .then(|| v.trim().trim_matches('"'))
    })
}

pub(crate) fn extract_ics(data: &[u8], em: &mut Emitter<'_>) -> Result<(), ExtractError> {
    let decoded = text::decode(data)?;
    let unfolded = unfold(decoded.trim_start_matches('\u{FEFF}'));
    let mut lines = unfolded.lines().filter(|l| !l.trim().is_empty());
    let first = lines.next().unwrap_or_default();
    if !first.trim().eq_ignore_ascii_case("BEGIN:VCALENDAR") {
        return Err(ExtractError::Malformed {
            format: "ics",
            detail: "does not start with BEGIN:VCALENDAR".into(),
        });
    }
    // The open components (name and 1-based index among components of that name).
    let mut stack: Vec<(String, u32)> = Vec::new();
    let mut counts: std::collections::HashMap<String, u32> = std::collections::HashMap::new();
    let mut ended = false;
    for line in lines {
        let Some((name, params, value)) = split_property(line) else {
            continue;
        };
        let upper = name.trim().to_ascii_uppercase();
        match upper.as_str() {
            "BEGIN" => {
                let comp = value.trim().to_ascii_uppercase();
                let n = counts.entry(comp.clone()).or_insert(0);
                *n += 1;
                stack.push((comp, *n));
            }
            "END" => {
                if value.trim().eq_ignore_ascii_case("VCALENDAR") && stack.is_empty() {
                    ended = true;
                }
                stack.pop();
            }
            p if TEXT_PROPERTIES.contains(&p) || p.starts_with("X-") && !p.starts_with("X-MS") => {
                let mut text = String::new();
                if let Some(cn) = param(params, "CN") {
                    text.push_str(cn);
                    text.push(' ');
                }
                text.push_str(&unescape(value));
                let place = match stack.last() {
                    Some((comp, n)) => format!("{comp}[{n}].{upper}"),
                    None => upper.clone(),
                };
                em.text(
                    Location::CalendarProperty(place),
                    Structure::Header {
                        name: upper.clone(),
                    },
                    text,
                );
            }
            _ => {}
        }
    }
    if !ended {
        return Err(ExtractError::Malformed {
            format: "ics",
            detail: "missing END:VCALENDAR".into(),
        });
    }
    Ok(())
}
