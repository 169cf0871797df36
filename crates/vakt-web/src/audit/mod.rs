//! The audit log page and CSV export (owned by the `cli` work; empty until it lands).

use axum::Router;

use crate::AppState;

/// The audit routes.
pub fn routes() -> Router<AppState> {
    Router::new()
}
