//! Org units and people pages (owned by the `cli` work; empty until it lands).

use axum::Router;

use crate::AppState;

/// The directory routes.
pub fn routes() -> Router<AppState> {
    Router::new()
}

/// This module's routes with their method, path and required access (for the route-by-role test).
pub fn route_table() -> Vec<crate::routes::RouteInfo> {
    Vec::new()
}
