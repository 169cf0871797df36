//! Rendering the people import's problems in a person's language (used by the API and the CLI).

use vakt_core::directory::{ImportError, ImportReason};

use crate::api::dto::ImportProblem;
use crate::i18n::{Arg, Lang, t};

/// The reason alone, e.g. "Not a valid e-mail address."
pub fn reason_message(lang: Lang, reason: &ImportReason) -> String {
    let mut args: Vec<(&str, Arg)> = Vec::new();
    match reason {
        ImportReason::WrongFieldCount { expected, found } => {
            args.push(("expected", Arg::from(*expected)));
            args.push(("found", Arg::from(*found)));
        }
        ImportReason::TooLong { max } | ImportReason::TooManyRows { max } => {
            args.push(("max", Arg::from(*max)))
        }
        ImportReason::DuplicateEmployeeNumber { first_line }
        | ImportReason::DuplicateEmail { first_line } => {
            args.push(("first_line", Arg::from(*first_line)))
        }
        _ => {}
    }
    t(lang, &format!("import-{}", reason.code()), &args)
}

/// The whole line, e.g. "Line 4, column “email”: Not a valid e-mail address."
pub fn problem_message(lang: Lang, e: &ImportError) -> String {
    let reason = reason_message(lang, &e.reason);
    match e.column {
        Some(column) => t(
            lang,
            "import-line-column",
            &[
                ("line", Arg::from(e.line)),
                ("column", Arg::from(column)),
                ("reason", Arg::from(reason)),
            ],
        ),
        None => t(
            lang,
            "import-line",
            &[("line", Arg::from(e.line)), ("reason", Arg::from(reason))],
        ),
    }
}

/// The problems as the API returns them.
pub fn problems(lang: Lang, errors: &[ImportError]) -> Vec<ImportProblem> {
    errors
        .iter()
        .map(|e| ImportProblem {
            line: e.line,
            column: e.column.map(str::to_owned),
            code: e.reason.code().to_owned(),
            message: reason_message(lang, &e.reason),
        })
        .collect()
}

/// After an import that wrote at least 1,000 people, refresh the database's statistics so that the
/// people search is planned for the table as it now is (see `Db::refresh_statistics`). A failure
/// there does not undo the import; it is logged.
pub async fn after_bulk_import(st: &crate::AppState, written: u64) {
    if written < 1000 {
        return;
    }
    if let Err(e) = st.db().refresh_statistics().await {
        tracing::warn!("refreshing statistics after an import: {e}");
    }
}
