//! The store's error type.

use vakt_core::directory::{ImportError, TreeError};

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The row does not exist in this tenant.
    #[error("not found")]
    NotFound,
    /// A uniqueness rule was violated; the code names it (e.g. `unit.code_taken`).
    #[error("conflict: {0}")]
    Conflict(&'static str),
    /// The request breaks a domain rule; the code names it (e.g. `unit.not_empty`).
    #[error("invalid: {0}")]
    Invalid(&'static str),
    #[error("org unit tree: {0}")]
    Tree(#[from] TreeError),
    /// An all-or-nothing import was refused because of these rows.
    #[error("import refused: {} bad row(s)", .0.len())]
    ImportRejected(Vec<ImportError>),
    /// A write transaction tried to commit without an audit event.
    #[error("a write transaction must record an audit event")]
    Unaudited,
    #[error("cannot open the database: {0}")]
    Open(String),
    /// Stored data cannot be read back (e.g. an unknown enum value).
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("database error: {0}")]
    Db(sqlx::Error),
}

impl StoreError {
    /// A stable code for the web layer.
    pub fn code(&self) -> &'static str {
        match self {
            StoreError::NotFound => "not_found",
            StoreError::Conflict(c) | StoreError::Invalid(c) => c,
            StoreError::Tree(t) => t.code(),
            StoreError::ImportRejected(_) => "import.rejected",
            StoreError::Unaudited => "store.unaudited",
            StoreError::Open(_) => "store.open",
            StoreError::Corrupt(_) => "store.corrupt",
            StoreError::Migrate(_) => "store.migrate",
            StoreError::Db(_) => "store.db",
        }
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::RowNotFound => StoreError::NotFound,
            sqlx::Error::Database(d) if d.is_unique_violation() => StoreError::Conflict("unique"),
            // PostgreSQL refuses NUL in text (22021) and in JSONB (22P05). The web layer refuses control
            // characters before they get here; this keeps any other path (CLI, import) a clear rule error.
            sqlx::Error::Database(d) if matches!(d.code().as_deref(), Some("22021" | "22P05")) => {
                StoreError::Invalid("text.control_character")
            }
            _ => StoreError::Db(e),
        }
    }
}

pub(crate) fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Corrupt(format!("{what}: {value:?}"))
}

/// Maps a unique violation to a specific conflict code.
pub(crate) fn conflict_as(code: &'static str) -> impl Fn(StoreError) -> StoreError {
    move |e| match e {
        StoreError::Conflict(_) => StoreError::Conflict(code),
        other => other,
    }
}
