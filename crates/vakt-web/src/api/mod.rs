//! The JSON API under `/api/v1` (owned by the `cli` work; empty until it lands).

use axum::Router;

use crate::AppState;

/// The API routes.
pub fn routes() -> Router<AppState> {
    Router::new()
}
