//! [`AppError`]: every handler error. It becomes an HTML error page in the user's language, or under
//! `/api/` the JSON `{"error": {"code": "...", "message": "..."}}`.
//!
//! A handler only says *what* went wrong (HTTP status, stable code, Fluent key and arguments); the
//! [`render_errors`] middleware, which knows the request's path and language, renders it. Bad input is a
//! 4xx with a clear message, never a 500; internal details are logged, never shown.

use axum::{
    extract::{Request, rejection::*},
    http::{HeaderValue, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};

use crate::i18n::{self, Arg, Lang};

/// An error a handler or extractor returns.
#[derive(Debug, Clone)]
pub struct AppError {
    pub status: StatusCode,
    /// Stable machine-readable code (JSON API), e.g. `not_found`, `csrf`, `invalid_input`.
    pub code: &'static str,
    /// Fluent key of the message shown to people.
    pub key: String,
    pub args: Vec<(String, Arg)>,
    /// Logged, never shown.
    pub detail: Option<String>,
}

impl AppError {
    pub fn new(status: StatusCode, code: &'static str, key: impl Into<String>) -> Self {
        AppError {
            status,
            code,
            key: key.into(),
            args: Vec::new(),
            detail: None,
        }
    }
    pub fn with_arg(mut self, name: &str, value: impl Into<Arg>) -> Self {
        self.args.push((name.to_owned(), value.into()));
        self
    }
    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }
    pub fn bad_request(key: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "bad_request", key)
    }
    /// A form or JSON value that breaks a rule; `key` names the rule.
    pub fn invalid(key: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", key)
    }
    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", "error-not-found")
    }
    pub fn forbidden() -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", "error-forbidden")
    }
    pub fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "error-unauthorized",
        )
    }
    pub fn csrf() -> Self {
        Self::new(StatusCode::FORBIDDEN, "csrf", "error-csrf")
    }
    pub fn too_large() -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            "error-too-large",
        )
    }
    pub fn conflict(key: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, "conflict", key)
    }
    pub fn internal(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "error-internal",
        )
        .with_detail(detail)
    }

    /// The message in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        let args: Vec<(&str, Arg)> = self
            .args
            .iter()
            .map(|(k, v)| (k.as_str(), v.clone()))
            .collect();
        i18n::t(lang, &self.key, &args)
    }

    /// The JSON body used under `/api/`.
    pub fn json_body(&self, lang: Lang) -> serde_json::Value {
        serde_json::json!({ "error": { "code": self.code, "message": self.message(lang) } })
    }
}

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {} ({})", self.status, self.code, self.key)?;
        if let Some(d) = &self.detail {
            write!(f, ": {d}")?;
        }
        Ok(())
    }
}
impl std::error::Error for AppError {}

/// Marker carried in the response extensions until [`render_errors`] renders it.
#[derive(Debug, Clone)]
pub struct PendingError(pub AppError);

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if self.status.is_server_error() {
            tracing::error!("{self}");
        } else {
            tracing::debug!("{self}");
        }
        // Fallback body in case the middleware is not in the stack (it always is in `router`).
        let fallback = self.json_body(Lang::En).to_string();
        let mut resp = (self.status, fallback).into_response();
        resp.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        resp.extensions_mut().insert(PendingError(self));
        resp
    }
}

macro_rules! from_rejection {
    ($($t:ty),* $(,)?) => {$(
        impl From<$t> for AppError {
            fn from(r: $t) -> Self {
                let status = r.status();
                if status == StatusCode::PAYLOAD_TOO_LARGE {
                    return AppError::too_large().with_detail(r.body_text());
                }
                if status.is_server_error() {
                    return AppError::internal(r.body_text());
                }
                AppError::new(StatusCode::BAD_REQUEST, "bad_request", "error-bad-request")
                    .with_detail(r.body_text())
            }
        }
    )*};
}
from_rejection!(
    FormRejection,
    JsonRejection,
    PathRejection,
    QueryRejection,
    BytesRejection
);

/// The language the error page should use; set by the session middleware.
#[derive(Debug, Clone, Copy)]
pub struct RequestLang(pub Lang);

/// The CSRF token the error page's forms should carry; set by the session middleware.
#[derive(Debug, Clone)]
pub struct RequestCsrf(pub String);

/// Renders [`PendingError`]s: JSON under `/api/`, otherwise the HTML error page.
pub async fn render_errors(req: Request, next: Next) -> Response {
    let is_api = req.uri().path().starts_with("/api/") || req.uri().path() == "/api";
    let path = req.uri().path().to_owned();
    let mut lang = req.extensions().get::<RequestLang>().map(|l| l.0);
    let mut csrf = req.extensions().get::<RequestCsrf>().map(|c| c.0.clone());
    let resp = next.run(req).await;
    let Some(PendingError(err)) = resp.extensions().get::<PendingError>().cloned() else {
        return resp;
    };
    // Inner middleware may have learnt the language later (it runs after this one).
    if let Some(l) = resp.extensions().get::<RequestLang>() {
        lang = Some(l.0);
    }
    if let Some(c) = resp.extensions().get::<RequestCsrf>() {
        csrf = Some(c.0.clone());
    }
    let lang = lang.unwrap_or_default();
    let mut out = if is_api {
        (err.status, axum::Json(err.json_body(lang))).into_response()
    } else {
        let page =
            crate::page::Page::anonymous(lang, csrf.unwrap_or_default(), "error-title", &path);
        let tpl = ErrorPage {
            message: err.message(lang),
            page,
        };
        let html = askama::Template::render(&tpl).unwrap_or_else(|e| {
            tracing::error!("error template: {e}");
            String::from("<!doctype html><title>Error</title><p>Error</p>")
        });
        (err.status, axum::response::Html(html)).into_response()
    };
    // Keep headers set by inner layers (cookies, Location for 401 redirects are not used here).
    for (name, value) in resp.headers() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            out.headers_mut().append(name.clone(), value.clone());
        }
    }
    out
}

#[derive(askama::Template)]
#[template(path = "error.html")]
struct ErrorPage {
    page: crate::page::Page,
    message: String,
}

/// The Fluent key for a store rule code (`unit.code_taken` → `store-unit-code-taken`), or `fallback` when
/// no Fluent file defines it.
pub fn store_key(code: &str, fallback: &str) -> String {
    let key = format!("store-{}", code.replace(['.', '_'], "-"));
    if i18n::has(Lang::En, &key) {
        key
    } else {
        fallback.to_owned()
    }
}

impl From<vakt_store::StoreError> for AppError {
    fn from(e: vakt_store::StoreError) -> Self {
        use vakt_store::StoreError as E;
        match &e {
            E::NotFound => AppError::not_found(),
            E::Conflict(c) => AppError::new(
                StatusCode::CONFLICT,
                "conflict",
                store_key(c, "error-conflict"),
            )
            .with_detail(e.to_string()),
            E::Invalid(c) => AppError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_input",
                store_key(c, "error-invalid-input"),
            )
            .with_detail(e.to_string()),
            E::Tree(t) => AppError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_input",
                store_key(t.code(), "error-invalid-input"),
            )
            .with_detail(e.to_string()),
            _ => AppError::internal(e.to_string()),
        }
    }
}
