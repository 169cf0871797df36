//! Org units and people pages (owned by the `cli` work; empty until it lands).

use axum::Router;

use crate::AppState;

/// The directory routes.
pub fn routes() -> Router<AppState> {
    Router::new()
}
