//! Validation of the people CSV import. Every row is checked before anything is written; the
//! result is an [`ImportPlan`] with the valid rows and one [`ImportError`] per problem found, each
//! with its 1-based line number and a stable reason code.
//!
//! Format: UTF-8 (a BOM is allowed), a header row, separator `,` `;` or tab (taken from the header
//! line). Columns (any order, matched case-insensitively): see [`IMPORT_COLUMNS`]; the first three are
//! required, the others may be left out of the file.

use std::collections::{HashMap, HashSet};

use serde::Serialize;
use time::Date;
use time::macros::format_description;

use super::{Employment, EmploymentState, Language, PersonKind};

/// The columns of the people CSV, in the documented order.
pub const IMPORT_COLUMNS: [&str; 12] = [
    "employee_number",
    "given_name",
    "family_name",
    "email",
    "kind",
    "unit_code",
    "manager_employee_number",
    "state",
    "start_date",
    "end_date",
    "birth_date",
    "language",
];
const REQUIRED_COLUMNS: [&str; 3] = ["employee_number", "given_name", "family_name"];

/// The longest value accepted in any field (characters). E-mail addresses may have 254.
pub const MAX_FIELD_CHARS: usize = 200;
const MAX_EMAIL_CHARS: usize = 254;
const MAX_EMPLOYEE_NUMBER_CHARS: usize = 64;
/// The most data rows one file may hold.
pub const MAX_ROWS: usize = 500_000;

/// What the validator needs to know about the tenant.
#[derive(Debug, Clone, Default)]
pub struct ImportContext {
    /// Codes of the tenant's org units.
    pub unit_codes: HashSet<String>,
    /// Employee numbers already in the directory (valid manager references besides the file's own).
    pub known_employee_numbers: HashSet<String>,
}

/// One valid row, ready to be applied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PersonRow {
    /// 1-based line number in the file where the row starts.
    pub line: u64,
    pub employee_number: String,
    pub given_name: String,
    pub family_name: String,
    pub email: Option<String>,
    pub kind: PersonKind,
    pub unit_code: Option<String>,
    pub manager_employee_number: Option<String>,
    pub employment: Employment,
    pub birth_date: Option<Date>,
    pub language: Option<Language>,
}

/// Why a row (or the file) was rejected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum ImportReason {
    EmptyFile,
    /// The header lacks a required column (the column is named in [`ImportError::column`]).
    MissingColumn,
    UnknownColumn,
    DuplicateColumn,
    InvalidUtf8,
    /// A CSV syntax problem (e.g. an unterminated quote).
    Malformed,
    WrongFieldCount {
        expected: usize,
        found: usize,
    },
    Required,
    TooLong {
        max: usize,
    },
    ControlCharacter,
    InvalidEmail,
    InvalidKind,
    InvalidState,
    InvalidDate,
    InvalidLanguage,
    EndBeforeStart,
    UnknownUnit,
    UnknownManager,
    OwnManager,
    DuplicateEmployeeNumber {
        first_line: u64,
    },
    DuplicateEmail {
        first_line: u64,
    },
    TooManyRows {
        max: usize,
    },
}

impl ImportReason {
    /// Stable code; the web layer maps it to a Fluent message (`import-<code>`).
    pub fn code(&self) -> &'static str {
        match self {
            ImportReason::EmptyFile => "empty_file",
            ImportReason::MissingColumn => "missing_column",
            ImportReason::UnknownColumn => "unknown_column",
            ImportReason::DuplicateColumn => "duplicate_column",
            ImportReason::InvalidUtf8 => "invalid_utf8",
            ImportReason::Malformed => "malformed",
            ImportReason::WrongFieldCount { .. } => "wrong_field_count",
            ImportReason::Required => "required",
            ImportReason::TooLong { .. } => "too_long",
            ImportReason::ControlCharacter => "control_character",
            ImportReason::InvalidEmail => "invalid_email",
            ImportReason::InvalidKind => "invalid_kind",
            ImportReason::InvalidState => "invalid_state",
            ImportReason::InvalidDate => "invalid_date",
            ImportReason::InvalidLanguage => "invalid_language",
            ImportReason::EndBeforeStart => "end_before_start",
            ImportReason::UnknownUnit => "unknown_unit",
            ImportReason::UnknownManager => "unknown_manager",
            ImportReason::OwnManager => "own_manager",
            ImportReason::DuplicateEmployeeNumber { .. } => "duplicate_employee_number",
            ImportReason::DuplicateEmail { .. } => "duplicate_email",
            ImportReason::TooManyRows { .. } => "too_many_rows",
        }
    }
}

/// One problem: where it is and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportError {
    /// 1-based line number (the header is line 1).
    pub line: u64,
    /// The column concerned, when there is one.
    pub column: Option<&'static str>,
    pub reason: ImportReason,
}

impl std::fmt::Display for ImportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.reason.code())?;
        if let Some(c) = self.column {
            write!(f, " ({c})")?;
        }
        Ok(())
    }
}

/// The outcome of validation: rows that may be applied and every problem found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImportPlan {
    pub rows: Vec<PersonRow>,
    pub errors: Vec<ImportError>,
    /// Number of data rows read (valid or not).
    pub total_rows: usize,
}

impl ImportPlan {
    pub fn is_clean(&self) -> bool {
        self.errors.is_empty()
    }
    /// Lines that had at least one error, ascending, without repeats.
    pub fn bad_lines(&self) -> Vec<u64> {
        let mut v: Vec<u64> = self.errors.iter().map(|e| e.line).collect();
        v.sort_unstable();
        v.dedup();
        v
    }
}

fn detect_delimiter(data: &[u8]) -> u8 {
    let first = data.split(|&b| b == b'\n').next().unwrap_or(&[]);
    let count = |c: u8| first.iter().filter(|&&b| b == c).count();
    [b',', b';', b'\t']
        .into_iter()
        .max_by_key(|&c| count(c))
        .unwrap_or(b',')
}

fn file_error(line: u64, column: Option<&'static str>, reason: ImportReason) -> ImportPlan {
    ImportPlan {
        rows: Vec::new(),
        errors: vec![ImportError {
            line,
            column,
            reason,
        }],
        total_rows: 0,
    }
}

fn column_name(raw: &str) -> Option<&'static str> {
    let norm = raw.trim().to_ascii_lowercase().replace([' ', '-'], "_");
    IMPORT_COLUMNS.iter().copied().find(|c| *c == norm)
}

fn valid_email(s: &str) -> bool {
    let mut parts = s.split('@');
    let (Some(local), Some(domain), None) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !s
            .chars()
            .any(|c| c.is_whitespace() || c == '<' || c == '>' || c == ',' || c == ';')
}

/// Parses `YYYY-MM-DD` or `DD.MM.YYYY`.
pub fn parse_date(s: &str) -> Option<Date> {
    let iso = format_description!("[year]-[month]-[day]");
    let nordic = format_description!("[day].[month].[year]");
    Date::parse(s, &iso)
        .or_else(|_| Date::parse(s, &nordic))
        .ok()
}

/// Validates a whole people CSV. Never panics on any input.
pub fn validate_people_csv(data: &[u8], ctx: &ImportContext) -> ImportPlan {
    let data = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data);
    if data.iter().all(|b| b.is_ascii_whitespace()) {
        return file_error(1, None, ImportReason::EmptyFile);
    }
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(detect_delimiter(data))
        .has_headers(false)
        .flexible(true)
        .from_reader(data);

    let mut records = rdr.byte_records();
    let header = match records.next() {
        Some(Ok(h)) => h,
        Some(Err(_)) => return file_error(1, None, ImportReason::Malformed),
        None => return file_error(1, None, ImportReason::EmptyFile),
    };
    let header_line = header.position().map(|p| p.line()).unwrap_or(1);
    let mut columns: Vec<&'static str> = Vec::with_capacity(header.len());
    let mut errors = Vec::new();
    for raw in header.iter() {
        let Ok(s) = std::str::from_utf8(raw) else {
            return file_error(header_line, None, ImportReason::InvalidUtf8);
        };
        match column_name(s) {
            Some(c) if columns.contains(&c) => errors.push(ImportError {
                line: header_line,
                column: Some(c),
                reason: ImportReason::DuplicateColumn,
            }),
            Some(c) => columns.push(c),
            None => errors.push(ImportError {
                line: header_line,
                column: None,
                reason: ImportReason::UnknownColumn,
            }),
        }
    }
    for req in REQUIRED_COLUMNS {
        if !columns.contains(&req) {
            errors.push(ImportError {
                line: header_line,
                column: Some(req),
                reason: ImportReason::MissingColumn,
            });
        }
    }
    if !errors.is_empty() {
        return ImportPlan {
            rows: Vec::new(),
            errors,
            total_rows: 0,
        };
    }
    let width = header.len();

    let mut rows: Vec<PersonRow> = Vec::new();
    let mut total_rows = 0usize;
    let mut seen_numbers: HashMap<String, u64> = HashMap::new();
    let mut seen_emails: HashMap<String, u64> = HashMap::new();
    for rec in records {
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map(|p| p.line()).unwrap_or(0);
                errors.push(ImportError {
                    line,
                    column: None,
                    reason: ImportReason::Malformed,
                });
                break;
            }
        };
        let line = rec.position().map(|p| p.line()).unwrap_or(0);
        // Skip fully blank lines (a trailing empty line is common).
        if rec
            .iter()
            .all(|f| f.iter().all(|b| b.is_ascii_whitespace()))
        {
            continue;
        }
        total_rows += 1;
        if total_rows > MAX_ROWS {
            errors.push(ImportError {
                line,
                column: None,
                reason: ImportReason::TooManyRows { max: MAX_ROWS },
            });
            break;
        }
        if rec.len() != width {
            errors.push(ImportError {
                line,
                column: None,
                reason: ImportReason::WrongFieldCount {
                    expected: width,
                    found: rec.len(),
                },
            });
            continue;
        }
        let mut e: Vec<ImportError> = Vec::new();
        let get = |name: &'static str, max: usize, e: &mut Vec<ImportError>| -> Option<String> {
            let idx = columns.iter().position(|c| *c == name)?;
            let raw = rec.get(idx)?;
            let Ok(s) = std::str::from_utf8(raw) else {
                e.push(ImportError {
                    line,
                    column: Some(name),
                    reason: ImportReason::InvalidUtf8,
                });
                return None;
            };
            let s = s.trim();
            if s.is_empty() {
                return None;
            }
            if s.chars().count() > max {
                e.push(ImportError {
                    line,
                    column: Some(name),
                    reason: ImportReason::TooLong { max },
                });
                return None;
            }
            if s.chars().any(char::is_control) {
                e.push(ImportError {
                    line,
                    column: Some(name),
                    reason: ImportReason::ControlCharacter,
                });
                return None;
            }
            Some(s.to_string())
        };
        let push = |e: &mut Vec<ImportError>, column: &'static str, reason: ImportReason| {
            e.push(ImportError {
                line,
                column: Some(column),
                reason,
            });
        };
        let employee_number = get("employee_number", MAX_EMPLOYEE_NUMBER_CHARS, &mut e);
        let given_name = get("given_name", MAX_FIELD_CHARS, &mut e);
        let family_name = get("family_name", MAX_FIELD_CHARS, &mut e);
        let email = get("email", MAX_EMAIL_CHARS, &mut e).map(|v| v.to_lowercase());
        let kind = get("kind", MAX_FIELD_CHARS, &mut e);
        let unit_code = get("unit_code", MAX_FIELD_CHARS, &mut e);
        let manager = get("manager_employee_number", MAX_EMPLOYEE_NUMBER_CHARS, &mut e);
        let state = get("state", MAX_FIELD_CHARS, &mut e);
        let start = get("start_date", MAX_FIELD_CHARS, &mut e);
        let end = get("end_date", MAX_FIELD_CHARS, &mut e);
        let birth = get("birth_date", MAX_FIELD_CHARS, &mut e);
        let language = get("language", MAX_FIELD_CHARS, &mut e);

        // Required fields: reported only when the field did not already fail for another reason.
        for (name, v) in [
            ("employee_number", &employee_number),
            ("given_name", &given_name),
            ("family_name", &family_name),
        ] {
            if v.is_none() && !e.iter().any(|x| x.column == Some(name)) {
                push(&mut e, name, ImportReason::Required);
            }
        }
        if employee_number
            .as_deref()
            .is_some_and(|n| n.chars().any(char::is_whitespace))
        {
            push(&mut e, "employee_number", ImportReason::Malformed);
        }
        if email.as_deref().is_some_and(|v| !valid_email(v)) {
            push(&mut e, "email", ImportReason::InvalidEmail);
        }
        let kind = match kind.as_deref() {
            None => Some(PersonKind::Employee),
            Some(k) => PersonKind::parse(k).or_else(|| {
                push(&mut e, "kind", ImportReason::InvalidKind);
                None
            }),
        };
        let state = match state.as_deref() {
            None => Some(EmploymentState::Active),
            Some(s) => EmploymentState::parse(s).or_else(|| {
                push(&mut e, "state", ImportReason::InvalidState);
                None
            }),
        };
        let date =
            |col: &'static str, v: Option<String>, e: &mut Vec<ImportError>| -> Option<Date> {
                let d = parse_date(v.as_deref()?);
                if d.is_none() {
                    push(e, col, ImportReason::InvalidDate);
                }
                d
            };
        let start = date("start_date", start, &mut e);
        let end = date("end_date", end, &mut e);
        let birth = date("birth_date", birth, &mut e);
        if let (Some(s), Some(en)) = (start, end)
            && en < s
        {
            push(&mut e, "end_date", ImportReason::EndBeforeStart);
        }
        let language = match language.as_deref() {
            None => None,
            Some(l) => {
                let p = Language::parse(l);
                if p.is_none() {
                    push(&mut e, "language", ImportReason::InvalidLanguage);
                }
                p
            }
        };
        if unit_code
            .as_ref()
            .is_some_and(|u| !ctx.unit_codes.contains(u))
        {
            push(&mut e, "unit_code", ImportReason::UnknownUnit);
        }
        if manager.is_some() && manager == employee_number {
            push(&mut e, "manager_employee_number", ImportReason::OwnManager);
        }
        if let Some(n) = &employee_number {
            match seen_numbers.get(n) {
                Some(&first_line) => push(
                    &mut e,
                    "employee_number",
                    ImportReason::DuplicateEmployeeNumber { first_line },
                ),
                None => {
                    seen_numbers.insert(n.clone(), line);
                }
            }
        }
        if let Some(m) = &email {
            match seen_emails.get(m) {
                Some(&first_line) => {
                    push(&mut e, "email", ImportReason::DuplicateEmail { first_line })
                }
                None => {
                    seen_emails.insert(m.clone(), line);
                }
            }
        }
        if !e.is_empty() {
            errors.append(&mut e);
            continue;
        }
        if let (
            Some(employee_number),
            Some(given_name),
            Some(family_name),
            Some(kind),
            Some(state),
        ) = (employee_number, given_name, family_name, kind, state)
        {
            rows.push(PersonRow {
                line,
                employee_number,
                given_name,
                family_name,
                email,
                kind,
                unit_code,
                manager_employee_number: manager,
                employment: Employment { state, start, end },
                birth_date: birth,
                language,
            });
        }
    }

    // Manager references must point at a person in the directory or at a valid row of the file.
    // Dropping a row can orphan rows that name it as manager, so repeat until nothing changes.
    loop {
        let valid: HashSet<&str> = rows.iter().map(|r| r.employee_number.as_str()).collect();
        let orphans: Vec<usize> = rows
            .iter()
            .enumerate()
            .filter(|(_, r)| {
                r.manager_employee_number
                    .as_deref()
                    .is_some_and(|m| !valid.contains(m) && !ctx.known_employee_numbers.contains(m))
            })
            .map(|(i, _)| i)
            .collect();
        if orphans.is_empty() {
            break;
        }
        for &i in orphans.iter().rev() {
            let r = rows.remove(i);
            errors.push(ImportError {
                line: r.line,
                column: Some("manager_employee_number"),
                reason: ImportReason::UnknownManager,
            });
        }
    }
    errors.sort_by_key(|e| e.line);
    ImportPlan {
        rows,
        errors,
        total_rows,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "employee_number,given_name,family_name,email,kind,unit_code,manager_employee_number,state,start_date,end_date,birth_date,language\n";

    fn ctx() -> ImportContext {
        ImportContext {
            unit_codes: ["IT", "HR"].into_iter().map(String::from).collect(),
            known_employee_numbers: ["900"].into_iter().map(String::from).collect(),
        }
    }

    fn plan(body: &str) -> ImportPlan {
        validate_people_csv(format!("{HEADER}{body}").as_bytes(), &ctx())
    }

    fn codes(p: &ImportPlan) -> Vec<(u64, &'static str)> {
        p.errors.iter().map(|e| (e.line, e.reason.code())).collect()
    }

    #[test]
    fn a_clean_file_yields_every_row_with_its_line_number() {
        let p = plan(
            "1,Kari,Nordmann,kari@example.no,employee,IT,900,active,2020-01-01,,1980-02-03,nb\n\
             2,Ola,Hansen,,temp,HR,1,on_leave,01.02.2021,,,\n",
        );
        assert!(p.is_clean(), "{:?}", p.errors);
        assert_eq!(p.rows.len(), 2);
        assert_eq!(p.rows[0].line, 2);
        assert_eq!(p.rows[1].line, 3);
        assert_eq!(p.rows[1].kind, PersonKind::Consultant);
        assert_eq!(p.rows[1].employment.state, EmploymentState::OnLeave);
        assert_eq!(p.rows[0].language, Some(Language::Nb));
    }

    #[test]
    fn each_bad_row_is_reported_with_line_and_reason() {
        let p = plan(
            "1,Kari,Nordmann,not-an-email,employee,IT,,active,,,,\n\
             2,Ola,,ola@example.no,,NOPE,,,,,,\n\
             3,Per,Berg,per@example.no,robot,,,fired,2020-13-01,,,xx\n\
             4,Liv,Lie,liv@example.no,,,,,2021-01-01,2020-01-01,,\n",
        );
        assert!(p.rows.is_empty());
        assert_eq!(
            codes(&p),
            vec![
                (2, "invalid_email"),
                (3, "required"),
                (3, "unknown_unit"),
                (4, "invalid_kind"),
                (4, "invalid_state"),
                (4, "invalid_date"),
                (4, "invalid_language"),
                (5, "end_before_start"),
            ]
        );
        assert_eq!(p.bad_lines(), vec![2, 3, 4, 5]);
    }

    #[test]
    fn duplicates_within_the_file_name_the_first_occurrence() {
        let p = plan("1,A,B,a@x.no,,,,,,,,\n1,C,D,c@x.no,,,,,,,,\n2,E,F,A@X.NO,,,,,,,,\n");
        assert_eq!(p.rows.len(), 1);
        assert_eq!(
            p.errors[0].reason,
            ImportReason::DuplicateEmployeeNumber { first_line: 2 }
        );
        assert_eq!(p.errors[0].line, 3);
        assert_eq!(
            p.errors[1].reason,
            ImportReason::DuplicateEmail { first_line: 2 }
        );
    }

    #[test]
    fn invalid_utf8_is_rejected_with_its_column() {
        let mut data = HEADER.as_bytes().to_vec();
        data.extend_from_slice(b"1,K\xFFri,Nordmann,,,,,,,,,\n");
        let p = validate_people_csv(&data, &ctx());
        assert_eq!(
            p.errors,
            vec![ImportError {
                line: 2,
                column: Some("given_name"),
                reason: ImportReason::InvalidUtf8
            }]
        );
    }

    #[test]
    fn over_long_values_are_rejected_not_truncated() {
        let long = "x".repeat(MAX_FIELD_CHARS + 1);
        let p = plan(&format!("1,{long},Nordmann,,,,,,,,,\n"));
        assert_eq!(
            p.errors[0].reason,
            ImportReason::TooLong {
                max: MAX_FIELD_CHARS
            }
        );
        assert_eq!(p.errors.len(), 1, "too long must not also count as missing");
    }

    #[test]
    fn managers_must_exist_in_the_file_or_the_directory_and_orphans_cascade() {
        // 3's manager is 2, whose manager 77 does not exist: both are rejected.
        let p = plan("1,A,B,,,,900,,,,,\n2,C,D,,,,77,,,,,\n3,E,F,,,,2,,,,,\n4,G,H,,,,4,,,,,\n");
        assert_eq!(p.rows.iter().map(|r| r.line).collect::<Vec<_>>(), vec![2]);
        assert_eq!(
            codes(&p),
            vec![
                (3, "unknown_manager"),
                (4, "unknown_manager"),
                (5, "own_manager")
            ]
        );
    }

    #[test]
    fn header_problems_are_reported_on_line_one() {
        let p = validate_people_csv(b"employee_number,given_name,shoe_size\n1,A,42\n", &ctx());
        assert_eq!(
            codes(&p),
            vec![(1, "unknown_column"), (1, "missing_column")]
        );
        assert_eq!(
            validate_people_csv(b"", &ctx()).errors[0].reason,
            ImportReason::EmptyFile
        );
    }

    #[test]
    fn semicolon_files_with_bom_and_partial_columns_are_read() {
        let p = validate_people_csv(
            "\u{feff}Employee_Number;given_name;family_name\n7;Åse;Ødegård\n".as_bytes(),
            &ctx(),
        );
        assert!(p.is_clean(), "{:?}", p.errors);
        assert_eq!(p.rows[0].family_name, "Ødegård");
    }

    #[test]
    fn wrong_field_count_and_control_characters_are_reported() {
        let p = plan("1,A\n2,B\u{7},C,,,,,,,,,\n");
        assert_eq!(
            codes(&p),
            vec![(2, "wrong_field_count"), (3, "control_character")]
        );
    }

    proptest::proptest! {
        #[test]
        fn validation_never_panics_on_arbitrary_bytes(data in proptest::collection::vec(proptest::num::u8::ANY, 0..600)) {
            let _ = validate_people_csv(&data, &ctx());
        }

        #[test]
        fn validation_never_panics_after_a_valid_header(body in "[a-z0-9,;\"\\n@.-]{0,300}") {
            let p = plan(&body);
            for e in &p.errors { proptest::prop_assert!(e.line >= 1); }
        }
    }
}
