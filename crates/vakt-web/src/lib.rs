//! Vakt over HTTP: server-rendered HTML pages (askama + htmx), the JSON API, sign-in, sessions, CSRF,
//! i18n, background jobs and mail.
//!
//! # How the pieces fit
//!
//! - [`AppState`]`::new(db, config, clock)` — cloned into every handler: the store ([`AppState::db`], given
//!   the same clock), the injected clock ([`AppState::now`]) and the [`WebConfig`].
//! - [`router`] assembles every route: this crate's own (sign-in, two-factor, my page, account, language,
//!   static files, `/healthz`, `/api/v1/whoami`) plus [`directory::routes`], [`audit::routes`],
//!   [`settings::routes`] and [`api::routes`], wrapped in (outermost first): security headers → error
//!   rendering → session loading → CSRF → body limit.
//! - [`serve`]`(listener, state, shutdown)` runs it until `shutdown` resolves (tests bind `127.0.0.1:0`).
//! - Text: [`i18n::t`]`(lang, key, args)`; every `i18n/<lang>/<capability>.ftl` is embedded by `build.rs`
//!   (drop a file into all four folders; a unit test checks that every English key exists in nb, sv, da).
//!   Store rule codes map to `store-<code with dashes>` keys when such a key exists ([`error::store_key`]).
//! - Pages: a template `{% extends "base.html" %}` with a `page: `[`page::Page`] field; build the `Page`
//!   with [`extract::CurrentUser::page`]`(title_key, path)` and render with [`page::render`]. In templates:
//!   `page.t("key")`, `page.ta1("key", "arg", value)`, `page.tn("key", "count", n)`, `page.csrf` (hidden
//!   `csrf` field of every POST form; htmx sends it from `<body hx-headers>` as `X-CSRF-Token`).
//! - Who is asking: [`extract::CurrentUser`] (cookie session, fully signed in; redirects pages to `/login`,
//!   401 JSON under `/api/`), [`extract::ApiUser`] (Bearer personal API token; never cookies),
//!   [`extract::AnyUser`] (either). Each carries a `vakt_core::authz::Principal`: call `authorize(action,
//!   &resource)` / `authorize_tenant(action)` / `authorize_own(action)` before reading or writing, and
//!   `audit_ctx(ip)` for the store's write transaction ([`extract::ClientIp`] gives the address).
//! - Input: [`extract::VForm`], [`extract::VJson`], [`extract::VQuery`], [`extract::VPath`] turn bad input
//!   into a clear [`AppError`] (never a plain-text rejection); [`extract::text_field`] checks length and
//!   presence with a translated message.
//! - Errors: return [`error::AppError`]; the middleware renders it as the HTML error page in the user's
//!   language, or `{"error": {"code", "message"}}` under `/api/`. Store errors convert with `?`.
//! - Authorization table: [`route_table`] lists every route with method, path and [`routes::Access`]
//!   (`Public`, `PendingSignIn`, `Requires(Action)`); capability modules contribute their `route_table()`.
//! - Admin unlock for the people page: [`account::unlock_account`]`(state, admin, account_id, ip)`.

pub mod account;
pub mod assets;
pub mod auth;
pub mod config;
pub mod error;
pub mod extract;
pub mod i18n;
pub mod local_time;
pub mod me;
pub mod page;
pub mod routes;
pub mod security;
pub mod session;

// Capability modules owned by the `cli` work.
pub mod api;
pub mod audit;
pub mod deviations;
pub mod directory;
pub mod instructions;
pub mod jobs;
pub mod mail;
pub mod settings;
pub mod training;
pub mod webhook;

use std::{future::Future, sync::Arc};

use axum::{
    Router,
    extract::DefaultBodyLimit,
    http::StatusCode,
    middleware,
    routing::{get, post},
};
use time::OffsetDateTime;
use tokio::net::TcpListener;
use vakt_core::clock::Clock;
use vakt_store::Db;

pub use config::WebConfig;
pub use error::AppError;
pub use extract::{ApiUser, CurrentUser};
pub use i18n::{Lang, t};
pub use page::{Page, render};
pub use routes::{Access, RouteInfo};

/// Shared state of the web layer; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    db: Db,
    config: WebConfig,
    clock: Arc<dyn Clock>,
}

impl AppState {
    /// Builds the state (and the Fluent bundles, once). The store is given the same clock, so that rows,
    /// audit events and the web layer's timeouts agree (tests pass a `FixedClock` and move it).
    pub fn new(db: Db, config: WebConfig, clock: Arc<dyn Clock>) -> Self {
        i18n::init();
        let for_db = clock.clone();
        let db = db.with_clock(Arc::new(move || for_db.now()));
        AppState {
            inner: Arc::new(Inner { db, config, clock }),
        }
    }

    /// The store.
    pub fn db(&self) -> &Db {
        &self.inner.db
    }

    pub fn config(&self) -> &WebConfig {
        &self.inner.config
    }

    pub fn clock(&self) -> &dyn Clock {
        self.inner.clock.as_ref()
    }

    /// Now, by the injected clock (UTC).
    pub fn now(&self) -> OffsetDateTime {
        self.inner.clock.now()
    }
}

/// A request that takes longer is answered with 408 (protects workers from stalled clients).
pub const REQUEST_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);

/// Every route of the application with its middleware.
pub fn router(state: AppState) -> Router {
    let routes = Router::new()
        .route("/healthz", get(healthz))
        .route("/static/{name}", get(assets::serve_static))
        .route("/", get(auth::root))
        .route("/login", get(auth::login_form).post(auth::login_submit))
        .route("/login/totp", get(auth::totp_form).post(auth::totp_submit))
        .route(
            "/login/enrol",
            get(auth::enrol_form).post(auth::enrol_submit),
        )
        .route("/logout", post(auth::logout))
        .route("/language", post(auth::switch_language))
        .route("/me", get(me::me))
        .route("/account", get(account::show))
        .route("/account/password", post(account::change_password))
        .route("/account/language", post(account::set_language))
        .route(
            "/account/totp",
            get(account::totp_form).post(account::totp_submit),
        )
        .route("/account/recovery-codes", post(account::new_recovery_codes))
        .route("/account/tokens", post(account::create_token))
        .route("/account/tokens/{id}/revoke", post(account::revoke_token))
        .route("/api/v1/whoami", get(account::whoami))
        .merge(directory::routes())
        .merge(audit::routes())
        .merge(settings::routes())
        .merge(instructions::routes())
        .merge(deviations::routes())
        .merge(api::routes())
        .merge(training::routes())
        .fallback(not_found);
    let limit = state.config().body_limit;
    // Layers run outermost last-added: security headers → error rendering → session → CSRF → handler.
    routes
        .layer(DefaultBodyLimit::max(limit))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            security::csrf,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            session::load_session,
        ))
        .layer(middleware::from_fn(error::render_errors))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            security::security_headers,
        ))
        .with_state(state)
}

/// Every route with its method, path and access rule: this crate's own and every capability module's.
pub fn route_table() -> Vec<RouteInfo> {
    let mut all = routes::own_routes();
    all.extend(directory::route_table());
    all.extend(audit::route_table());
    all.extend(settings::route_table());
    all.extend(instructions::route_table());
    all.extend(deviations::route_table());
    all.extend(api::route_table());
    all.extend(training::route_table());
    all
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
