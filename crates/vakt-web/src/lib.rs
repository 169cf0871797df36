//! Vakt over HTTP: server-rendered HTML pages (askama + htmx), the JSON API, sign-in, sessions, CSRF,
//! i18n, background jobs and mail.
//!
//! # How the pieces fit
//!
//! - [`AppState`] — cloned into every handler: the store ([`AppState::db`]), the injected clock
//!   ([`AppState::clock`]) and the [`WebConfig`].
//! - [`router`] assembles every route: this module's own (sign-in, two-factor, my page, account, language,
//!   static files, `/healthz`) plus [`directory::routes`], [`audit::routes`], [`settings::routes`] and
//!   [`api::routes`], then wraps them in the middleware stack (outermost first): security headers →
//!   error rendering → session loading → CSRF → body limit.
//! - [`serve`] runs the router on a bound listener until `shutdown` resolves (tests bind `127.0.0.1:0`).
//! - Text: [`i18n::t`]`(lang, key, args)`; Fluent files in `i18n/<lang>/<capability>.ftl` are picked up by
//!   `build.rs` automatically.
//! - Pages: a template `{% extends "base.html" %}` with a `page: `[`page::Page`] field; render with
//!   [`page::render`]. Build the `Page` with [`extract::CurrentUser::page`].
//! - Who is asking: the [`extract::CurrentUser`] extractor (cookie session, fully signed in; redirects to
//!   `/login` for pages, 401 JSON under `/api/`) and [`extract::ApiUser`] (Bearer personal API token). Both
//!   carry a `vakt_core::authz::Principal`; call [`extract::CurrentUser::authorize`] with the route's
//!   `Action` before doing anything.
//! - Errors: return [`error::AppError`]; it becomes an HTML page or JSON under `/api/`.
//! - Every route is listed with its method, path and `Action` in [`route_table`], which the
//!   route-by-role-by-tenant test walks. Capability modules add theirs via their own `route_table()`.

#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

pub mod assets;
pub mod config;
pub mod error;
pub mod i18n;
pub mod page;
pub mod security;
pub mod session;

// Capability modules owned by the `cli` work.
pub mod api;
pub mod audit;
pub mod directory;
pub mod jobs;
pub mod settings;

use std::{future::Future, sync::Arc};

use axum::{Router, http::StatusCode, middleware, routing::get};
use tokio::net::TcpListener;

pub use config::WebConfig;
pub use error::AppError;
pub use i18n::{Lang, t};

/// Shared state of the web layer; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    config: WebConfig,
}

impl AppState {
    /// Builds the state (and the Fluent bundles, once).
    pub fn new(config: WebConfig) -> Self {
        i18n::init();
        AppState {
            inner: Arc::new(Inner { config }),
        }
    }

    pub fn config(&self) -> &WebConfig {
        &self.inner.config
    }
}

/// Every route of the application with its middleware.
pub fn router(state: AppState) -> Router {
    let routes = Router::new()
        .route("/healthz", get(healthz))
        .route("/static/{name}", get(assets::serve_static))
        .merge(directory::routes())
        .merge(audit::routes())
        .merge(settings::routes())
        .merge(api::routes())
        .fallback(not_found);
    routes
        .layer(middleware::from_fn_with_state(
            state.clone(),
            security::csrf,
        ))
        .layer(middleware::from_fn(error::render_errors))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            security::security_headers,
        ))
        .with_state(state)
}

async fn healthz() -> (StatusCode, &'static str) {
    (StatusCode::OK, "ok")
}

async fn not_found() -> AppError {
    AppError::not_found()
}

/// Serves the application on `listener` until `shutdown` completes.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}
