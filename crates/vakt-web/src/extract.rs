//! Who is asking: [`CurrentUser`] (a fully signed-in cookie session) and [`ApiUser`] (a Bearer personal
//! API token). Both carry a [`Principal`]; handlers call `authorize` with their route's [`Action`] before
//! they read or write anything.
//!
//! ```ignore
//! async fn people(user: CurrentUser, State(st): State<AppState>) -> Result<Response, AppError> {
//!     user.authorize(Action::ViewDirectory, &Resource::tenant(user.tenant_uuid()))?;
//!     let page = user.page("directory-title", "/directory");
//!     ...
//! }
//! ```

use std::sync::Arc;

use axum::{
    extract::{FromRequestParts, OptionalFromRequestParts},
    http::{header, request::Parts},
    response::{IntoResponse, Redirect, Response},
};
use vakt_core::{
    authz::{Action, Principal, Resource, authorize},
    directory::{AccountId, TenantId},
};

use crate::{
    AppState,
    error::AppError,
    i18n::Lang,
    page::{NavItem, Page},
    session::{RequestSession, SessionStage, SignedIn},
};

/// A fully signed-in user (password and, where required, the second factor).
///
/// Rejection: a redirect to `/login` (or to the pending second-factor step) for pages; 401 JSON under
/// `/api/`.
#[derive(Debug, Clone)]
pub struct CurrentUser(pub Arc<SignedIn>);

impl std::ops::Deref for CurrentUser {
    type Target = SignedIn;
    fn deref(&self) -> &SignedIn {
        &self.0
    }
}

/// The main navigation: (href, Fluent key, the action that must be allowed tenant-wide to show it).
pub const NAV: &[(&str, &str, Action)] = &[
    ("/me", "nav-me", Action::ViewOwnPage),
    ("/directory", "nav-directory", Action::ViewDirectory),
    (
        "/instructions",
        "nav-instructions",
        Action::ViewInstructions,
    ),
    (
        "/reports/instructions",
        "nav-instruction-reports",
        Action::ViewUnitOverview,
    ),
    ("/training", "nav-training", Action::ViewOwnPage),
        "/deviations/dashboard",
        "nav-deviations",
        Action::ViewDeviations,
    ),
    ("/audit", "nav-audit", Action::ViewAudit),
    ("/settings", "nav-settings", Action::ViewSettings),
    ("/account", "nav-account", Action::ViewOwnPage),
];

impl CurrentUser {
    pub fn principal(&self) -> &Principal {
        &self.0.principal
    }
    pub fn tenant_id(&self) -> TenantId {
        self.0.tenant.id
    }
    pub fn tenant_uuid(&self) -> uuid::Uuid {
        self.0.tenant.id.0
    }
    pub fn account_id(&self) -> AccountId {
        self.0.principal.account
    }
    pub fn lang(&self) -> Lang {
        self.0.lang
    }

    /// The one authorization check; a refusal becomes 403 (JSON under `/api/`).
    pub fn authorize(&self, action: Action, resource: &Resource) -> Result<(), AppError> {
        authorize(&self.0.principal, action, resource).map_err(denied)
    }

    /// `authorize` on a tenant-wide resource of the user's own tenant.
    pub fn authorize_tenant(&self, action: Action) -> Result<(), AppError> {
        self.authorize(action, &Resource::tenant(self.tenant_id()))
    }

    /// `authorize` on the user's own account (self-service actions).
    pub fn authorize_own(&self, action: Action) -> Result<(), AppError> {
        self.authorize(
            action,
            &Resource::owned_by(self.tenant_id(), self.0.principal.account),
        )
    }

    /// Whether `action` is allowed tenant-wide (for showing links and buttons).
    pub fn may(&self, action: Action) -> bool {
        authorize(
            &self.0.principal,
            action,
            &Resource::tenant(self.tenant_id()),
        )
        .is_ok()
    }

    /// Moments in the user's tenant's time zone (see [`crate::local_time`]).
    pub fn local_time(&self) -> crate::local_time::LocalTime {
        crate::local_time::LocalTime::for_settings(&self.0.settings)
    }

    /// The audit context for writes made by this user.
    pub fn audit_ctx(&self, ip: Option<String>) -> vakt_store::AuditCtx {
        let actor = vakt_store::Actor::account(
            self.account_id(),
            self.0.person.as_ref().map(|p| p.id),
            &self.0.username,
        );
        let ctx = vakt_store::AuditCtx::new(self.tenant_id(), actor);
        match ip {
            Some(ip) => ctx.with_ip(ip),
            None => ctx,
        }
    }

    /// The layout context for a page of this user: title from `title_key`, navigation filtered by what
    /// the principal may do, `path` marks the current entry (and is where the language switch returns).
    pub fn page(&self, title_key: &str, path: &str) -> Page {
        let mut page = Page::anonymous(self.0.lang, self.0.csrf.clone(), title_key, path);
        page.time = self.local_time();
        page.user_name = Some(self.0.display_name.clone());
        page.tenant_name = Some(self.0.tenant.name.clone());
        let tenant = Resource::tenant(self.tenant_id());
        let own = Resource::owned_by(self.tenant_id(), self.0.principal.account);
        page.nav = NAV
            .iter()
            .filter(|(_, _, action)| {
                let res = if action.is_self_service() {
                    &own
                } else {
                    &tenant
                };
                authorize(&self.0.principal, *action, res).is_ok()
            })
            .map(|(href, key, _)| NavItem {
                href,
                key,
                current: path == *href || path.starts_with(&format!("{href}/")),
            })
            .collect();
        page
    }
}

/// Maps a refusal to 403 with the reason in the user's language (vakt-core's `Denied::fluent_key`).
pub fn denied(d: vakt_core::authz::Denied) -> AppError {
    let key = d.fluent_key();
    let key = if crate::i18n::has(Lang::En, &key) {
        key
    } else {
        "error-forbidden".to_owned()
    };
    AppError::new(axum::http::StatusCode::FORBIDDEN, "forbidden", key).with_detail(d.code())
}

/// The only pages open while the password must be changed.
const MUST_CHANGE_OPEN: &[&str] = &[
    "/account",
    "/account/password",
    "/account/language",
    "/logout",
    "/language",
];

fn is_api(parts: &Parts) -> bool {
    let p = parts.uri.path();
    p == "/api" || p.starts_with("/api/")
}

/// Where to send a browser that is not (fully) signed in.
fn login_redirect(parts: &Parts, stage: Option<SessionStage>) -> Response {
    match stage {
        Some(SessionStage::AwaitingTotp) => Redirect::to("/login/totp").into_response(),
        Some(SessionStage::AwaitingEnrolment) => Redirect::to("/login/enrol").into_response(),
        _ => {
            // htmx follows redirects inside the swap; tell it to load the sign-in page instead.
            if parts.headers.contains_key("hx-request") {
                let mut r = axum::http::StatusCode::NO_CONTENT.into_response();
                r.headers_mut()
                    .insert("hx-redirect", header::HeaderValue::from_static("/login"));
                return r;
            }
            let back = parts
                .uri
                .path_and_query()
                .map(|pq| pq.as_str())
                .unwrap_or("/");
            let back = crate::page::safe_back_path(back);
            if back == "/" || parts.method != axum::http::Method::GET {
                Redirect::to("/login").into_response()
            } else {
                Redirect::to(&format!("/login?next={}", urlencoding::encode(back))).into_response()
            }
        }
    }
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        _state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if let Some(u) = parts.extensions.get::<Arc<SignedIn>>() {
            if u.must_change_password && !MUST_CHANGE_OPEN.contains(&parts.uri.path()) {
                if is_api(parts) {
                    return Err(AppError::forbidden().into_response());
                }
                return Err(Redirect::to(crate::auth::MUST_CHANGE_PATH).into_response());
            }
            return Ok(CurrentUser(u.clone()));
        }
        if is_api(parts) {
            return Err(AppError::unauthorized().into_response());
        }
        let stage = match parts.extensions.get::<RequestSession>() {
            Some(RequestSession::Active(a)) => Some(a.stage),
            _ => None,
        };
        Err(login_redirect(parts, stage))
    }
}

impl OptionalFromRequestParts<AppState> for CurrentUser {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        _state: &AppState,
    ) -> Result<Option<Self>, Self::Rejection> {
        Ok(parts
            .extensions
            .get::<Arc<SignedIn>>()
            .map(|u| CurrentUser(u.clone())))
    }
}

/// The session's CSRF token or the anonymous one (for building forms on anonymous pages).
#[derive(Debug, Clone)]
pub struct Csrf(pub String);

impl FromRequestParts<AppState> for Csrf {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        _state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<RequestSession>()
            .map(|s| Csrf(s.csrf_token().to_owned()))
            .ok_or_else(|| AppError::internal("session middleware missing"))
    }
}

/// The language chosen for this request.
#[derive(Debug, Clone, Copy)]
pub struct ReqLang(pub Lang);

impl FromRequestParts<AppState> for ReqLang {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        _state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(ReqLang(
            parts
                .extensions
                .get::<crate::error::RequestLang>()
                .map(|l| l.0)
                .unwrap_or_default(),
        ))
    }
}

/// The client's address (for audit events).
#[derive(Debug, Clone)]
pub struct ClientIp(pub Option<String>);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        _state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(ClientIp(crate::session::client_ip(&parts.extensions)))
    }
}

/// A caller of the JSON API authenticated by `Authorization: Bearer <personal API token>`.
/// Cookies are never consulted. Rejection: 401 JSON.
#[derive(Debug, Clone)]
pub struct ApiUser {
    pub principal: Principal,
    pub tenant: vakt_core::directory::Tenant,
    pub username: String,
    pub person: Option<vakt_core::directory::PersonId>,
    pub lang: Lang,
}

impl ApiUser {
    /// The one authorization check; a refusal becomes 403 JSON.
    pub fn authorize(&self, action: Action, resource: &Resource) -> Result<(), AppError> {
        authorize(&self.principal, action, resource).map_err(denied)
    }
    pub fn authorize_tenant(&self, action: Action) -> Result<(), AppError> {
        self.authorize(action, &Resource::tenant(self.tenant.id))
    }
    pub fn tenant_id(&self) -> TenantId {
        self.tenant.id
    }
    /// The audit context for writes made through the API.
    pub fn audit_ctx(&self, ip: Option<String>) -> vakt_store::AuditCtx {
        let actor = vakt_store::Actor::account(self.principal.account, self.person, &self.username);
        let ctx = vakt_store::AuditCtx::new(self.tenant.id, actor);
        match ip {
            Some(ip) => ctx.with_ip(ip),
            None => ctx,
        }
    }
}

impl FromRequestParts<AppState> for ApiUser {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let header = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(AppError::unauthorized)?;
        let token = header
            .get(..7)
            .filter(|p| p.eq_ignore_ascii_case("bearer "))
            .and_then(|_| header.get(7..))
            .map(str::trim)
            .ok_or_else(AppError::unauthorized)?;
        crate::account::api_user_for_token(state, token)
            .await?
            .ok_or_else(AppError::unauthorized)
    }
}

/// Either a cookie user or an API token user: for JSON routes that serve both the pages' htmx calls and
/// API clients.
#[derive(Debug, Clone)]
pub enum AnyUser {
    Session(CurrentUser),
    Api(Box<ApiUser>),
}

impl AnyUser {
    pub fn principal(&self) -> &Principal {
        match self {
            AnyUser::Session(u) => u.principal(),
            AnyUser::Api(u) => &u.principal,
        }
    }
    pub fn authorize(&self, action: Action, resource: &Resource) -> Result<(), AppError> {
        authorize(self.principal(), action, resource).map_err(denied)
    }
    pub fn tenant_id(&self) -> TenantId {
        match self {
            AnyUser::Session(u) => u.tenant_id(),
            AnyUser::Api(u) => u.tenant_id(),
        }
    }
    pub fn authorize_tenant(&self, action: Action) -> Result<(), AppError> {
        self.authorize(action, &Resource::tenant(self.tenant_id()))
    }
    pub fn audit_ctx(&self, ip: Option<String>) -> vakt_store::AuditCtx {
        match self {
            AnyUser::Session(u) => u.audit_ctx(ip),
            AnyUser::Api(u) => u.audit_ctx(ip),
        }
    }
}

impl FromRequestParts<AppState> for AnyUser {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if crate::security::has_bearer(&parts.headers) {
            let api = ApiUser::from_request_parts(parts, state).await?;
            return Ok(AnyUser::Api(Box::new(api)));
        }
        match parts.extensions.get::<Arc<SignedIn>>() {
            Some(u) => Ok(AnyUser::Session(CurrentUser(u.clone()))),
            None => Err(AppError::unauthorized()),
        }
    }
}

// ---------------------------------------------------------------------------------------------------------
// Input extractors. Besides turning axum's rejections into an [`AppError`], they are the one place where
// text input is checked for control characters (vakt-core's `text` rule: none but tab, line feed and
// carriage return): every urlencoded form field, query parameter, path segment and JSON string, names
// included, before the handler runs. A refusal is a 422 validation error naming the field, on pages and
// in the API alike, so nothing a person can send reaches either database engine with a NUL in it.

/// The field name as shown in the message (control characters replaced, at most 60 characters).
fn shown_name(name: &str) -> String {
    name.chars()
        .take(60)
        .map(|c| if c.is_control() { '\u{FFFD}' } else { c })
        .collect()
}

fn control_error(field: &str) -> AppError {
    AppError::invalid("error-control-characters").with_arg("field", shown_name(field))
}

/// Checks every name and value of a urlencoded string (lossy UTF-8, as the extractors decode it).
pub fn check_urlencoded(raw: &[u8]) -> Result<(), AppError> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(raw).unwrap_or_default();
    for (k, v) in &pairs {
        if !vakt_core::text::is_acceptable(k) || !vakt_core::text::is_acceptable(v) {
            return Err(control_error(k));
        }
    }
    Ok(())
}

/// Checks every key and string of a JSON document; `path` names where (for the message).
fn check_json(v: &serde_json::Value, path: &str) -> Result<(), AppError> {
    match v {
        serde_json::Value::String(s) if !vakt_core::text::is_acceptable(s) => {
            Err(control_error(path))
        }
        serde_json::Value::Array(items) => items.iter().try_for_each(|item| check_json(item, path)),
        serde_json::Value::Object(map) => map.iter().try_for_each(|(k, item)| {
            if vakt_core::text::is_acceptable(k) {
                check_json(item, k)
            } else {
                Err(control_error(k))
            }
        }),
        _ => Ok(()),
    }
}

fn is_form(parts: &Parts) -> bool {
    parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.to_ascii_lowercase()
                .starts_with("application/x-www-form-urlencoded")
        })
}

/// Reads the body (within the configured body limit), checks it with `check`, and rebuilds the request.
async fn checked_body<S: Send + Sync>(
    req: axum::extract::Request,
    state: &S,
    check: impl FnOnce(&Parts, &[u8]) -> Result<(), AppError>,
) -> Result<axum::extract::Request, AppError> {
    let (parts, body) = req.into_parts();
    let bytes = <axum::body::Bytes as axum::extract::FromRequest<S>>::from_request(
        axum::extract::Request::from_parts(parts.clone(), body),
        state,
    )
    .await?;
    check(&parts, &bytes)?;
    Ok(axum::extract::Request::from_parts(
        parts,
        axum::body::Body::from(bytes),
    ))
}

/// `axum::Form` whose rejection is an [`AppError`] (a clear 400 page or JSON, never plain text), with
/// the control-character check of every field. Invalid UTF-8 in a urlencoded body is decoded lossily
/// (U+FFFD), as browsers never send it.
#[derive(Debug, Clone)]
pub struct VForm<T>(pub T);

impl<T, S> axum::extract::FromRequest<S> for VForm<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        let req = if matches!(
            *req.method(),
            axum::http::Method::GET | axum::http::Method::HEAD
        ) {
            check_urlencoded(req.uri().query().unwrap_or("").as_bytes())?;
            req
        } else {
            checked_body(req, state, |parts, bytes| {
                if is_form(parts) {
                    check_urlencoded(bytes)
                } else {
                    Ok(()) // axum::Form refuses other content types
                }
            })
            .await?
        };
        let axum::Form(v) = axum::Form::<T>::from_request(req, state).await?;
        Ok(VForm(v))
    }
}

/// `axum::Json` whose rejection is an [`AppError`] (JSON error body with a stable code), with the
/// control-character check of every key and string.
#[derive(Debug, Clone)]
pub struct VJson<T>(pub T);

impl<T, S> axum::extract::FromRequest<S> for VJson<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        let req = checked_body(req, state, |_, bytes| {
            match serde_json::from_slice::<serde_json::Value>(bytes) {
                Ok(doc) => check_json(&doc, "body"),
                Err(_) => Ok(()), // axum::Json gives the syntax error
            }
        })
        .await?;
        let axum::Json(v) = axum::Json::<T>::from_request(req, state).await?;
        Ok(VJson(v))
    }
}

/// `axum::extract::Query` whose rejection is an [`AppError`], with the control-character check of every
/// parameter.
#[derive(Debug, Clone)]
pub struct VQuery<T>(pub T);

impl<T, S> FromRequestParts<S> for VQuery<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        check_urlencoded(parts.uri.query().unwrap_or("").as_bytes())?;
        let axum::extract::Query(v) =
            <axum::extract::Query<T> as FromRequestParts<S>>::from_request_parts(parts, state)
                .await?;
        Ok(VQuery(v))
    }
}

/// `axum::extract::Path` whose rejection is an [`AppError`] (a malformed id is a 404, not a 500), with the
/// control-character check of the decoded path.
#[derive(Debug, Clone)]
pub struct VPath<T>(pub T);

impl<T, S> FromRequestParts<S> for VPath<T>
where
    T: serde::de::DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let decoded = urlencoding::decode_binary(parts.uri.path().as_bytes());
        if !vakt_core::text::is_acceptable(&String::from_utf8_lossy(&decoded)) {
            return Err(control_error("path"));
        }
        match <axum::extract::Path<T> as FromRequestParts<S>>::from_request_parts(parts, state)
            .await
        {
            Ok(axum::extract::Path(v)) => Ok(VPath(v)),
            Err(e) => Err(AppError::not_found().with_detail(e.body_text())),
        }
    }
}

/// Checks a text field: trimmed, at most `max` characters, and (when `required`) not empty.
/// `field_key` is the Fluent key of the field's label, used in the message.
pub fn text_field(
    value: &str,
    field_key: &str,
    max: usize,
    required: bool,
    lang: Lang,
) -> Result<String, AppError> {
    let v = value.trim();
    let label = crate::i18n::t(lang, field_key, &[]);
    if v.chars().count() > max {
        return Err(AppError::invalid("error-field-too-long")
            .with_arg("field", label)
            .with_arg("max", max));
    }
    if required && v.is_empty() {
        return Err(AppError::invalid("error-field-required").with_arg("field", label));
    }
    Ok(v.to_owned())
}
