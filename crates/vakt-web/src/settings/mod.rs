//! Tenant and unit settings pages (owned by the `cli` work; empty until it lands).

use axum::Router;

use crate::AppState;

/// The settings routes.
pub fn routes() -> Router<AppState> {
    Router::new()
}
