//! Validation of a learning platform's completion CSV. Every row is checked before anything is
//! written; the result holds the valid rows and one error per rejected row (1-based line number,
//! stable reason code). Re-importing the same file is idempotent: each row carries an external
//! reference (the file's `reference` column, or one derived from person, course and date), and the
//! store keeps one completion per (platform, reference).
//!
//! Format: UTF-8 (a BOM is allowed), a header row, separator `,` or `;` (taken from the header).
//! Columns, matched case-insensitively: `person` (employee number or e-mail), `course` (course
//! code), `completed` (`YYYY-MM-DD`, counted from the start of that day in the tenant's time zone,
//! or an RFC 3339 timestamp), and optionally `reference`.

use std::collections::HashMap;

use serde::Serialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;

use super::{CourseId, PersonId};
use crate::deadline::TenantCalendar;

/// The longest value accepted in any field (characters).
pub const MAX_FIELD_CHARS: usize = 200;
/// The most data rows one file may hold.
pub const MAX_ROWS: usize = 500_000;

/// Why a row (or the file) was rejected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "code", content = "detail")]
pub enum RowProblem {
    EmptyFile,
    /// The header lacks a required column (named).
    MissingColumn(String),
    InvalidUtf8,
    Malformed,
    TooManyRows,
    MissingValue(&'static str),
    TooLong(&'static str),
    UnknownPerson,
    UnknownCourse,
    BadDate,
    /// The completion date is in the future.
    FutureDate,
    /// The same reference appears earlier in the file (that line is given).
    DuplicateInFile {
        first_line: u64,
    },
}

/// One rejected row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowError {
    /// 1-based line (0 for problems with the file as a whole).
    pub line: u64,
    pub problem: RowProblem,
}

/// One valid row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportedCompletion {
    pub line: u64,
    pub person: PersonId,
    pub course: CourseId,
    pub completed_at: OffsetDateTime,
    /// The idempotency key within the platform.
    pub external_ref: String,
}

/// The outcome of validating a file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CompletionImport {
    pub rows: Vec<ImportedCompletion>,
    pub errors: Vec<RowError>,
}

/// Validate a completion CSV. `person` resolves an employee number or e-mail, `course` a course code.
pub fn validate_completion_csv(
    bytes: &[u8],
    person: impl Fn(&str) -> Option<PersonId>,
    course: impl Fn(&str) -> Option<CourseId>,
    now: OffsetDateTime,
    cal: &TenantCalendar,
) -> CompletionImport {
    let mut out = CompletionImport::default();
    let file_error = |problem| CompletionImport {
        rows: Vec::new(),
        errors: vec![RowError { line: 0, problem }],
    };
    let Ok(text) = std::str::from_utf8(bytes) else {
        return file_error(RowProblem::InvalidUtf8);
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let Some(header_line) = text.lines().next().filter(|l| !l.trim().is_empty()) else {
        return file_error(RowProblem::EmptyFile);
    };
    let delimiter = if header_line.contains(';') && !header_line.contains(',') {
        b';'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .from_reader(text.as_bytes());
    let Ok(headers) = reader.headers().cloned() else {
        return file_error(RowProblem::Malformed);
    };
    let col = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(name))
    };
    let (Some(c_person), Some(c_course), Some(c_completed)) =
        (col("person"), col("course"), col("completed"))
    else {
        let missing = ["person", "course", "completed"]
            .into_iter()
            .find(|c| col(c).is_none())
            .unwrap_or("person");
        return file_error(RowProblem::MissingColumn(missing.to_owned()));
    };
    let c_reference = col("reference");

    let mut seen: HashMap<String, u64> = HashMap::new();
    for (i, record) in reader.records().enumerate() {
        if i >= MAX_ROWS {
            out.errors.push(RowError {
                line: 0,
                problem: RowProblem::TooManyRows,
            });
            break;
        }
        let Ok(record) = record else {
            out.errors.push(RowError {
                line: i as u64 + 2,
                problem: RowProblem::Malformed,
            });
            continue;
        };
        let line = record.position().map_or(i as u64 + 2, |p| p.line());
        let field = |c: Option<usize>, name: &'static str| -> Result<Option<&str>, RowProblem> {
            match c
                .and_then(|c| record.get(c))
                .map(str::trim)
                .filter(|v| !v.is_empty())
            {
                Some(v) if v.chars().count() > MAX_FIELD_CHARS => Err(RowProblem::TooLong(name)),
                v => Ok(v),
            }
        };
        let row = (|| {
            let p = field(Some(c_person), "person")?.ok_or(RowProblem::MissingValue("person"))?;
            let c = field(Some(c_course), "course")?.ok_or(RowProblem::MissingValue("course"))?;
            let d = field(Some(c_completed), "completed")?
                .ok_or(RowProblem::MissingValue("completed"))?;
            let reference = field(c_reference, "reference")?;
            let person_id = person(p).ok_or(RowProblem::UnknownPerson)?;
            let course_id = course(c).ok_or(RowProblem::UnknownCourse)?;
            let completed_at = parse_when(d, cal).ok_or(RowProblem::BadDate)?;
            if completed_at > now {
                return Err(RowProblem::FutureDate);
            }
            let external_ref = match reference {
                Some(r) => r.to_owned(),
                None => format!("{person_id}|{course_id}|{d}"),
            };
            Ok(ImportedCompletion {
                line,
                person: person_id,
                course: course_id,
                completed_at,
                external_ref,
            })
        })();
        match row {
            Ok(r) => {
                if let Some(first_line) = seen.get(&r.external_ref) {
                    out.errors.push(RowError {
                        line,
                        problem: RowProblem::DuplicateInFile {
                            first_line: *first_line,
                        },
                    });
                } else {
                    seen.insert(r.external_ref.clone(), line);
                    out.rows.push(r);
                }
            }
            Err(problem) => out.errors.push(RowError { line, problem }),
        }
    }
    out
}

fn parse_when(s: &str, cal: &TenantCalendar) -> Option<OffsetDateTime> {
    if let Ok(t) = OffsetDateTime::parse(s, &Rfc3339) {
        return Some(t);
    }
    let date = time::Date::parse(s, format_description!("[year]-[month]-[day]")).ok()?;
    cal.start_of_local_day(date).ok()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use time::macros::datetime;
    use uuid::Uuid;

    fn person(key: &str) -> Option<PersonId> {
        match key {
            "1001" => Some(PersonId(Uuid::from_u128(1))),
            "kari@example.invalid" => Some(PersonId(Uuid::from_u128(2))),
            _ => None,
        }
    }

    fn course(code: &str) -> Option<CourseId> {
        (code == "BASIC-SEC").then(|| CourseId(Uuid::from_u128(20)))
    }

    fn run(csv: &str) -> CompletionImport {
        validate_completion_csv(
            csv.as_bytes(),
            person,
            course,
            datetime!(2026-11-23 12:00 UTC),
            &TenantCalendar::new("Europe/Oslo").unwrap(),
        )
    }

    #[test]
    fn valid_rows_are_resolved_and_dates_count_from_the_local_start_of_day() {
        let r = run(
            "Person;Course;Completed;Reference\n1001;BASIC-SEC;2026-06-01;ks-77\nkari@example.invalid;BASIC-SEC;2026-01-15T10:00:00+01:00;\n",
        );
        assert!(r.errors.is_empty(), "{:?}", r.errors);
        assert_eq!(r.rows.len(), 2);
        assert_eq!(r.rows[0].completed_at, datetime!(2026-05-31 22:00 UTC));
        assert_eq!(r.rows[0].external_ref, "ks-77");
        assert_eq!(r.rows[1].line, 3);
    }

    #[test]
    fn each_bad_row_is_reported_with_its_line_and_reason_and_the_rest_still_import() {
        let r = run(
            "person,course,completed\n1001,BASIC-SEC,2026-06-01\n9999,BASIC-SEC,2026-06-01\n1001,NOPE,2026-06-01\n1001,BASIC-SEC,01.06.2026\n1001,BASIC-SEC,2027-01-01\n,BASIC-SEC,2026-06-01\n1001,BASIC-SEC,2026-06-01\n",
        );
        assert_eq!(r.rows.len(), 1);
        let problems: Vec<_> = r
            .errors
            .iter()
            .map(|e| (e.line, e.problem.clone()))
            .collect();
        assert_eq!(
            problems,
            vec![
                (3, RowProblem::UnknownPerson),
                (4, RowProblem::UnknownCourse),
                (5, RowProblem::BadDate),
                (6, RowProblem::FutureDate),
                (7, RowProblem::MissingValue("person")),
                (8, RowProblem::DuplicateInFile { first_line: 2 }),
            ]
        );
    }

    #[test]
    fn reimporting_the_same_file_gives_the_same_references() {
        let csv = "person,course,completed\n1001,BASIC-SEC,2026-06-01\n";
        assert_eq!(run(csv).rows[0].external_ref, run(csv).rows[0].external_ref);
    }

    #[test]
    fn file_level_problems_are_reported_once() {
        assert_eq!(
            run("").errors,
            vec![RowError {
                line: 0,
                problem: RowProblem::EmptyFile
            }]
        );
        assert_eq!(
            run("person,completed\n").errors,
            vec![RowError {
                line: 0,
                problem: RowProblem::MissingColumn("course".into())
            }]
        );
        let bad = validate_completion_csv(
            &[0xff, 0xfe, 0x00],
            person,
            course,
            datetime!(2026-11-23 12:00 UTC),
            &TenantCalendar::new("Europe/Oslo").unwrap(),
        );
        assert_eq!(
            bad.errors,
            vec![RowError {
                line: 0,
                problem: RowProblem::InvalidUtf8
            }]
        );
    }

    #[test]
    fn overlong_values_are_refused() {
        let long = "x".repeat(MAX_FIELD_CHARS + 1);
        let r = run(&format!(
            "person,course,completed,reference\n1001,BASIC-SEC,2026-06-01,{long}\n"
        ));
        assert_eq!(r.errors[0].problem, RowProblem::TooLong("reference"));
    }
}
