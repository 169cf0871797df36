//! Server-side sessions: an opaque random token in the cookie, its SHA-256 in the store.
//!
//! The session middleware ([`load_session`]) runs once per request: it reads the cookie (never on
//! requests with `Authorization: Bearer`), loads and checks the session (idle and absolute timeout from the
//! tenant's settings), and puts a [`RequestSession`] in the request extensions, which the CSRF middleware
//! and the [`crate::extract::CurrentUser`] extractor use. Anonymous visitors get a random `vakt_csrf`
//! cookie that protects the sign-in and language forms (double submit).

use std::sync::Arc;

use axum::{
    extract::{Request, State},
    http::{HeaderMap, HeaderValue, header},
    middleware::Next,
    response::Response,
};
use time::Duration;
use vakt_core::{
    auth::{
        password_expired,
        session::{SessionCheck, SessionTimeouts, check_session},
    },
    authz::Principal,
    directory::{AccountId, Person, Tenant, TenantId},
    settings::{Settings, UnitOverride, effective_for_unit},
};

use crate::{
    AppState,
    error::{RequestCsrf, RequestLang},
    i18n::{Lang, LangSources, negotiate},
    security::has_bearer,
};

/// Names of the cookies Vakt sets.
pub mod cookie_names {
    pub const SESSION: &str = "vakt_session";
    pub const SESSION_SECURE: &str = "__Host-vakt_session";
    pub const ANON_CSRF: &str = "vakt_csrf";
    pub const ANON_CSRF_SECURE: &str = "__Host-vakt_csrf";
    pub const LANG: &str = "vakt_lang";
}

pub use vakt_core::auth::token::{hash_token as token_hash, is_well_formed};

/// A fresh 256-bit random token, URL-safe base64 without padding (43 characters).
pub fn new_token() -> String {
    vakt_core::auth::token::new_token().plain
}

/// How long a half-finished sign-in (password accepted, second factor pending) may wait.
pub const PENDING_LIFETIME: Duration = Duration::minutes(10);
/// The widest limits any tenant may set (the store's first filter).
pub const OUTER_LIMITS: vakt_store::SessionLimits = vakt_store::SessionLimits {
    idle: Duration::days(31),
    absolute: Duration::days(366),
};
/// `last_seen` is written at most this often (saves a write per request).
pub const TOUCH_INTERVAL: Duration = Duration::seconds(60);

/// Reads one cookie from the `Cookie` header(s).
pub fn read_cookie<'a>(headers: &'a axum::http::HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim_matches('"'))
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Lax, Path=/, Secure when configured.
pub fn set_cookie(name: &str, value: &str, secure: bool, max_age: Option<i64>) -> String {
    let mut s = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax");
    if secure {
        s.push_str("; Secure");
    }
    if let Some(age) = max_age {
        s.push_str(&format!("; Max-Age={age}"));
    }
    s
}

/// A `Set-Cookie` value that deletes the cookie.
pub fn clear_cookie(name: &str, secure: bool) -> String {
    set_cookie(name, "", secure, Some(0))
}

/// What the session middleware found for this request.
#[derive(Debug, Clone)]
pub enum RequestSession {
    /// No (valid) session: only the anonymous CSRF token.
    Anonymous { csrf: String },
    /// A stored session (possibly still waiting for the second factor).
    Active(Box<ActiveSession>),
}

impl RequestSession {
    /// The token a state-changing request must carry.
    pub fn csrf_token(&self) -> &str {
        match self {
            RequestSession::Anonymous { csrf } => csrf,
            RequestSession::Active(s) => &s.csrf,
        }
    }
}

/// How far a session has come through sign-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionStage {
    /// Password accepted, the TOTP code (or a recovery code) is next.
    AwaitingTotp,
    /// Password accepted, the tenant requires TOTP and the account has none: enrolment is next.
    AwaitingEnrolment,
    /// Fully signed in.
    Full,
}

/// A loaded, valid session.
#[derive(Debug, Clone)]
pub struct ActiveSession {
    /// The session's id in the store.
    pub id: uuid::Uuid,
    pub tenant: TenantId,
    pub account: AccountId,
    pub stage: SessionStage,
    pub csrf: String,
    /// Everything about the signed-in user; `Some` only when `stage == Full`.
    pub user: Option<Arc<SignedIn>>,
}

/// What a fully signed-in request knows about its user (loaded once per request).
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub principal: Principal,
    pub session_id: uuid::Uuid,
    pub username: String,
    /// The person's name, or the user name when the account has no person.
    pub display_name: String,
    pub person: Option<Person>,
    pub tenant: Tenant,
    /// The tenant's settings (policy).
    pub settings: Arc<Settings>,
    pub lang: Lang,
    pub csrf: String,
    /// An admin-set (one-time) or expired password: only the account page is open until it is changed.
    pub must_change_password: bool,
}

/// The cookie names for this configuration.
pub fn session_cookie_name(secure: bool) -> &'static str {
    if secure {
        cookie_names::SESSION_SECURE
    } else {
        cookie_names::SESSION
    }
}
fn anon_cookie_name(secure: bool) -> &'static str {
    if secure {
        cookie_names::ANON_CSRF_SECURE
    } else {
        cookie_names::ANON_CSRF
    }
}

/// The client address for audit events (the socket peer; Vakt does not trust forwarding headers).
pub fn client_ip(req_ext: &axum::http::Extensions) -> Option<String> {
    req_ext
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|ci| ci.0.ip().to_string())
}

/// The tenant's settings: the stored document over the tenant's country preset (vakt-core's rule).
pub async fn tenant_settings(
    state: &AppState,
    tenant: &Tenant,
) -> Result<Settings, crate::AppError> {
    let value = state.db().tenant_settings(tenant.id).await?;
    Settings::from_stored(tenant.country, &value)
        .map_err(|e| crate::AppError::internal(format!("tenant settings of {}: {e}", tenant.id)))
}

/// The settings in force for a person: the tenant's, tightened by the overrides of the units from the
/// root down to the person's unit. Unit overrides are read only when some unit has one.
pub async fn effective_settings(
    state: &AppState,
    tenant: &Tenant,
    person: Option<&Person>,
) -> Result<Settings, crate::AppError> {
    let base = tenant_settings(state, tenant).await?;
    let Some(unit) = person.and_then(|p| p.unit) else {
        return Ok(base);
    };
    let db = state.db();
    let stored = db.all_unit_settings(tenant.id).await?;
    if stored.is_empty() {
        return Ok(base);
    }
    let mut overrides = std::collections::HashMap::new();
    for (u, v) in stored {
        match UnitOverride::from_stored(&v) {
            Ok(o) => {
                overrides.insert(u, o);
            }
            Err(e) => tracing::error!("unit settings of {u} unreadable, ignored: {e}"),
        }
    }
    let units = db.units(tenant.id).await?;
    Ok(effective_for_unit(&base, &units, &overrides, unit))
}

/// The tenant a request addresses by its host (`<slug>.<base_domain>`), or the only tenant of a
/// single-tenant install. `None` when the sign-in form must ask.
pub async fn tenant_from_host(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Option<Tenant>, crate::AppError> {
    let db = state.db();
    if let Some(base) = &state.config().base_domain {
        let host = headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .unwrap_or("");
        let host = host.rsplit_once(':').map_or(host, |(h, port)| {
            if port.chars().all(|c| c.is_ascii_digit()) {
                h
            } else {
                host
            }
        });
        if let Some(slug) = host
            .strip_suffix(base.as_str())
            .and_then(|s| s.strip_suffix('.'))
            && !slug.is_empty()
        {
            return db
                .tenant_by_slug(&slug.to_ascii_lowercase())
                .await
                .map_err(crate::AppError::from);
        }
    }
    let tenants = db.tenants().await.map_err(crate::AppError::from)?;
    Ok(if tenants.len() == 1 {
        tenants.into_iter().next()
    } else {
        None
    })
}

/// Loads a session from its cookie and checks it; `None` (after deleting it) when it has ended.
async fn load_active(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Option<ActiveSession>, crate::AppError> {
    let secure = state.config().secure_cookies;
    let Some(token) = read_cookie(headers, session_cookie_name(secure)) else {
        return Ok(None);
    };
    if !is_well_formed(token) {
        return Ok(None);
    }
    let db = state.db();
    // The store filters by generous outer limits; the tenant's own limits are applied below, once the
    // session (and so its tenant) is known.
    let Some(sess) = db
        .session_by_token_hash(&token_hash(token), OUTER_LIMITS)
        .await?
    else {
        return Ok(None);
    };
    let now = state.now();
    let Some(tenant) = db.tenant(sess.tenant).await? else {
        return Ok(None);
    };
    let Some(account) = db
        .account(sess.tenant, sess.account)
        .await?
        .filter(|a| !a.disabled)
    else {
        return Ok(None);
    };
    let person = match account.person {
        Some(p) => db.person(sess.tenant, p).await?,
        None => None,
    };
    let settings = effective_settings(state, &tenant, person.as_ref()).await?;
    let mut timeouts = SessionTimeouts::from(&settings);
    if !sess.mfa_done {
        timeouts.absolute = timeouts.absolute.min(PENDING_LIFETIME);
    }
    if !matches!(
        check_session(sess.created_at, sess.last_seen_at, now, &timeouts),
        SessionCheck::Valid { .. }
    ) {
        // Unusable from now on; the expiry job deletes the row.
        return Ok(None);
    }
    if now - sess.last_seen_at > TOUCH_INTERVAL {
        db.touch_session(sess.tenant, sess.id).await?;
    }
    let stage = if sess.mfa_done {
        SessionStage::Full
    } else if account.totp_secret.is_some() {
        SessionStage::AwaitingTotp
    } else {
        SessionStage::AwaitingEnrolment
    };
    let user = if stage == SessionStage::Full {
        let principal = principal_of(state, &account, person.as_ref()).await?;
        let must_change_password = account.must_change_password
            || account
                .password_changed_at
                .is_some_and(|at| password_expired(&settings.password, at, now));
        let display_name = person
            .as_ref()
            .map_or_else(|| account.username.clone(), Person::display_name);
        let user_lang = person
            .as_ref()
            .and_then(|p| p.preferred_language)
            .map(Lang::from);
        let lang = negotiate(LangSources {
            user_setting: user_lang,
            cookie: read_cookie(headers, cookie_names::LANG),
            tenant_default: Some(Lang::from(settings.default_language)),
            accept_language: headers
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok()),
        });
        Some(Arc::new(SignedIn {
            principal,
            session_id: sess.id,
            username: account.username.clone(),
            display_name,
            person,
            tenant,
            settings: Arc::new(settings),
            lang,
            csrf: sess.csrf_token.clone(),
            must_change_password,
        }))
    } else {
        None
    };
    Ok(Some(ActiveSession {
        id: sess.id,
        tenant: sess.tenant,
        account: sess.account,
        stage,
        csrf: sess.csrf_token,
        user,
    }))
}

/// The [`Principal`] of an account (stored roles, led units, host admin) and its person.
pub async fn principal_for(
    state: &AppState,
    account: &vakt_store::Account,
) -> Result<(Principal, Option<Person>), crate::AppError> {
    let person = match account.person {
        Some(p) => state.db().person(account.tenant, p).await?,
        None => None,
    };
    let principal = principal_of(state, account, person.as_ref()).await?;
    Ok((principal, person))
}

/// The [`Principal`] of an account whose person is already loaded.
pub async fn principal_of(
    state: &AppState,
    account: &vakt_store::Account,
    person: Option<&Person>,
) -> Result<Principal, crate::AppError> {
    let db = state.db();
    let led: Vec<vakt_core::directory::UnitId> = match person {
        Some(p) => db
            .units_led_by(account.tenant, p.id)
            .await?
            .into_iter()
            .map(|u| u.id)
            .collect(),
        None => Vec::new(),
    };
    let is_host_admin = account.roles.contains(&vakt_core::Role::HostAdmin);
    let principal = Principal::new(
        account.id,
        person.map(|p| p.id),
        account.tenant,
        account.roles.iter().copied(),
        led,
        is_host_admin,
    );
    Ok(principal)
}

/// The session middleware (see the module docs).
pub async fn load_session(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let path = req.uri().path();
    if path == "/healthz" || path.starts_with("/static/") {
        // No session, no database: static files and the health check stay as cheap as possible.
        req.extensions_mut().insert(RequestSession::Anonymous {
            csrf: String::new(),
        });
        return next.run(req).await;
    }
    let secure = state.config().secure_cookies;
    let headers = req.headers().clone();
    let mut set_cookies: Vec<String> = Vec::new();
    let bearer = has_bearer(&headers);
    let active = if bearer {
        None
    } else {
        match load_active(&state, &headers).await {
            Ok(a) => a,
            Err(e) => return axum::response::IntoResponse::into_response(e),
        }
    };
    if active.is_none() && !bearer && read_cookie(&headers, session_cookie_name(secure)).is_some() {
        set_cookies.push(clear_cookie(session_cookie_name(secure), secure));
    }
    let (session, lang) = match active {
        Some(a) => {
            let lang = match &a.user {
                Some(u) => u.lang,
                None => anonymous_lang(&state, &headers, None).await,
            };
            (RequestSession::Active(Box::new(a)), lang)
        }
        None => {
            let csrf = match read_cookie(&headers, anon_cookie_name(secure)) {
                Some(t) if is_well_formed(t) => t.to_owned(),
                _ => {
                    let t = new_token();
                    if !bearer {
                        set_cookies.push(set_cookie(anon_cookie_name(secure), &t, secure, None));
                    }
                    t
                }
            };
            let tenant = tenant_from_host(&state, &headers).await.ok().flatten();
            let lang = anonymous_lang(&state, &headers, tenant.as_ref()).await;
            (RequestSession::Anonymous { csrf }, lang)
        }
    };
    let csrf = session.csrf_token().to_owned();
    if let RequestSession::Active(a) = &session
        && let Some(u) = &a.user
    {
        req.extensions_mut().insert(u.clone());
    }
    req.extensions_mut().insert(session);
    req.extensions_mut().insert(RequestLang(lang));
    req.extensions_mut().insert(RequestCsrf(csrf.clone()));
    let mut resp = next.run(req).await;
    resp.extensions_mut().insert(RequestLang(lang));
    resp.extensions_mut().insert(RequestCsrf(csrf));
    for c in set_cookies {
        if let Ok(v) = HeaderValue::from_str(&c) {
            resp.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    resp
}

async fn anonymous_lang(state: &AppState, headers: &HeaderMap, tenant: Option<&Tenant>) -> Lang {
    let tenant_default = match tenant {
        Some(t) => tenant_settings(state, t)
            .await
            .ok()
            .map(|s| Lang::from(s.default_language)),
        None => None,
    };
    negotiate(LangSources {
        user_setting: None,
        cookie: read_cookie(headers, cookie_names::LANG),
        tenant_default,
        accept_language: headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_hashes_hide_them() {
        let a = new_token();
        let b = new_token();
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert_eq!(token_hash(&a).len(), 64);
        assert!(!token_hash(&a).contains(&a));
    }

    #[test]
    fn cookies_are_read_from_any_position() {
        let mut h = axum::http::HeaderMap::new();
        h.insert(
            axum::http::header::COOKIE,
            "a=1; vakt_lang=sv; b=2"
                .parse()
                .unwrap_or_else(|_| unreachable!()),
        );
        assert_eq!(read_cookie(&h, "vakt_lang"), Some("sv"));
        assert_eq!(read_cookie(&h, "c"), None);
    }

    #[test]
    fn session_cookie_flags() {
        let c = set_cookie("__Host-vakt_session", "t", true, None);
        assert!(
            c.contains("HttpOnly")
                && c.contains("SameSite=Lax")
                && c.contains("Secure")
                && c.contains("Path=/")
        );
        assert!(!set_cookie("vakt_session", "t", false, None).contains("Secure"));
    }
}
