//! Sign-in (password), the second factor (TOTP or a recovery code), forced TOTP enrolment, sign-out and
//! the language switch.
//!
//! Sessions rotate at every step up: the password step creates a *pending* session (second factor not
//! done) and ends any session the browser had; the second-factor step creates a new, full session and ends
//! the pending one. Failed passwords and failed codes both count towards the lockout (vakt-core's rule).

use askama::Template;
use axum::{
    extract::State,
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;
use vakt_core::{
    audit::{Actor, AuditClass, AuditCtx, EventDraft},
    auth::{
        self, LockoutDecision, LockoutState, recovery,
        signin::{self, SignInFacts, SignInNext},
        totp,
    },
    directory::{AccountId, Tenant},
    settings::Settings,
};
use vakt_store::{Account, NewSession};

use crate::{
    AppState,
    error::AppError,
    extract::{ClientIp, Csrf, CurrentUser, ReqLang, VForm, VQuery, text_field},
    i18n::{Lang, t},
    page::{Page, render, safe_back_path},
    session::{
        RequestSession, SessionStage, clear_cookie, cookie_names, effective_settings, new_token,
        read_cookie, session_cookie_name, set_cookie, tenant_from_host, token_hash,
    },
};

// ---------------------------------------------------------------------------------------------------
// Sign-in page
// ---------------------------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "auth/login.html")]
struct LoginPage {
    page: Page,
    show_tenant: bool,
    tenant: String,
    username: String,
    error: Option<String>,
}

#[derive(Debug, Deserialize, Default)]
pub struct LoginQuery {
    #[serde(default)]
    next: Option<String>,
    #[serde(default)]
    bye: Option<String>,
}

/// `GET /login`.
pub async fn login_form(
    State(st): State<AppState>,
    headers: HeaderMap,
    ReqLang(lang): ReqLang,
    Csrf(csrf): Csrf,
    user: Option<CurrentUser>,
    VQuery(q): VQuery<LoginQuery>,
) -> Result<Response, AppError> {
    if user.is_some() {
        return Ok(Redirect::to("/me").into_response());
    }
    let show_tenant = tenant_from_host(&st, &headers).await?.is_none();
    let path = match &q.next {
        Some(n) => format!("/login?next={}", urlencoding::encode(safe_back_path(n))),
        None => "/login".to_owned(),
    };
    let notice = q.bye.as_ref().map(|_| t(lang, "login-signed-out", &[]));
    let page = Page::anonymous(lang, csrf, "login-title", &path).with_notice(notice);
    render(&LoginPage {
        page,
        show_tenant,
        tenant: String::new(),
        username: String::new(),
        error: None,
    })
}

#[derive(Debug, Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    tenant: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
}

fn login_error(
    lang: Lang,
    csrf: String,
    show_tenant: bool,
    tenant: &str,
    username: &str,
    status: StatusCode,
    message: String,
) -> Result<Response, AppError> {
    let page = Page::anonymous(lang, csrf, "login-title", "/login");
    let mut resp = render(&LoginPage {
        page,
        show_tenant,
        tenant: tenant.chars().take(100).collect(),
        username: username.chars().take(200).collect(),
        error: Some(message),
    })?;
    *resp.status_mut() = status;
    Ok(resp)
}

/// Runs a CPU-heavy closure (argon2) off the async threads.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, AppError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| AppError::internal(format!("blocking task: {e}")))
}

/// The audit context of an anonymous sign-in attempt.
fn signin_ctx(
    tenant: &Tenant,
    account: Option<&Account>,
    username: &str,
    ip: Option<String>,
) -> AuditCtx {
    let actor = match account {
        Some(a) => Actor::account(a.id, a.person, &a.username),
        None => Actor {
            account: None,
            person: None,
            label: printable(username),
        },
    };
    let ctx = AuditCtx::new(tenant.id, actor);
    match ip {
        Some(ip) => ctx.with_ip(ip),
        None => ctx,
    }
}

/// Up to 100 characters of untrusted text for the audit log, control characters replaced.
fn printable(s: &str) -> String {
    s.chars()
        .take(100)
        .map(|c| if c.is_control() { '\u{FFFD}' } else { c })
        .collect()
}

fn user_agent(headers: &HeaderMap) -> Option<String> {
    headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(|s| s.chars().take(300).collect())
}

/// Records a failed attempt (password or code) with vakt-core's lockout rule; returns the new lock, if any.
async fn record_failure(
    st: &AppState,
    ctx: &AuditCtx,
    account: &Account,
    settings: &Settings,
) -> Result<Option<time::OffsetDateTime>, AppError> {
    let policy = settings.password.lockout;
    let mut tx = st.db().write(ctx).await?;
    let after = tx.record_signin_failure(account.id, &policy).await?;
    tx.commit().await?;
    let state = LockoutState {
        failed_attempts: u32::try_from(after.failed_attempts).unwrap_or(0),
        locked_until: after.locked_until,
    };
    Ok(match auth::check_lockout(&state, st.now(), &policy) {
        LockoutDecision::Locked { until } => Some(until),
        LockoutDecision::Allowed => None,
    })
}

/// "Locked until …", the moment in the tenant's time zone.
fn locked_message(lang: Lang, until: time::OffsetDateTime, settings: &Settings) -> String {
    let until = crate::local_time::LocalTime::for_settings(settings).minute(until);
    t(lang, "login-locked", &[("until", until.into())])
}

/// Creates a session and returns the cookie token. Ends `previous` (rotation) in the same transaction.
async fn start_session(
    st: &AppState,
    ctx: &AuditCtx,
    account: AccountId,
    mfa_done: bool,
    previous: Option<uuid::Uuid>,
    headers: &HeaderMap,
) -> Result<String, AppError> {
    let token = new_token();
    let mut tx = st.db().write(ctx).await?;
    if let Some(prev) = previous {
        match tx.end_session(prev).await {
            Ok(()) | Err(vakt_store::StoreError::NotFound) => {}
            Err(e) => return Err(e.into()),
        }
    }
    tx.create_session(NewSession {
        account,
        token_hash: token_hash(&token),
        ip: ctx.ip.clone(),
        user_agent: user_agent(headers),
        mfa_done,
        csrf_token: new_token(),
    })
    .await?;
    tx.commit().await?;
    Ok(token)
}

fn redirect_with_session(st: &AppState, to: &str, token: &str) -> Response {
    let secure = st.config().secure_cookies;
    let mut resp = Redirect::to(to).into_response();
    if let Ok(v) = HeaderValue::from_str(&set_cookie(
        session_cookie_name(secure),
        token,
        secure,
        None,
    )) {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
    resp
}

/// The session the browser currently holds (any stage), for rotation.
fn current_session(
    session: &RequestSession,
) -> Option<(uuid::Uuid, vakt_core::directory::TenantId)> {
    match session {
        RequestSession::Active(a) => Some((a.id, a.tenant)),
        RequestSession::Anonymous { .. } => None,
    }
}

/// `POST /login`.
#[allow(clippy::too_many_arguments)]
pub async fn login_submit(
    State(st): State<AppState>,
    headers: HeaderMap,
    ReqLang(lang): ReqLang,
    Csrf(csrf): Csrf,
    ClientIp(ip): ClientIp,
    axum::Extension(session): axum::Extension<RequestSession>,
    VQuery(q): VQuery<LoginQuery>,
    VForm(form): VForm<LoginForm>,
) -> Result<Response, AppError> {
    let host_tenant = tenant_from_host(&st, &headers).await?;
    let show_tenant = host_tenant.is_none();
    let fail = |status, msg: String| {
        login_error(
            lang,
            csrf.clone(),
            show_tenant,
            &form.tenant,
            &form.username,
            status,
            msg,
        )
    };

    let username = match text_field(&form.username, "login-username", 200, true, lang) {
        Ok(u) => u,
        Err(e) => return fail(StatusCode::UNPROCESSABLE_ENTITY, e.message(lang)),
    };
    if form.password.is_empty() {
        let e = AppError::invalid("error-field-required")
            .with_arg("field", t(lang, "login-password", &[]));
        return fail(StatusCode::UNPROCESSABLE_ENTITY, e.message(lang));
    }
    if form.password.chars().count() > 1024 {
        let e = AppError::invalid("error-field-too-long")
            .with_arg("field", t(lang, "login-password", &[]))
            .with_arg("max", 1024);
        return fail(StatusCode::UNPROCESSABLE_ENTITY, e.message(lang));
    }
    let tenant = match host_tenant {
        Some(t) => t,
        None => {
            let slug = match text_field(&form.tenant, "login-tenant", 100, true, lang) {
                Ok(s) => s.to_lowercase(),
                Err(e) => return fail(StatusCode::UNPROCESSABLE_ENTITY, e.message(lang)),
            };
            let found = if vakt_core::directory::valid_slug(&slug) {
                st.db().tenant_by_slug(&slug).await?
            } else {
                None
            };
            match found {
                Some(t) => t,
                None => {
                    return fail(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        t(lang, "login-tenant-unknown", &[]),
                    );
                }
            }
        }
    };
    // Too many failed sign-ins from this address (any user names) within the window: refused before
    // any password is checked, whatever the account (vakt-core `auth::ip_throttle`; counted in the DB).
    if let Some(addr) = ip.as_deref() {
        let throttle = auth::ip_throttle::IpThrottle::default();
        let recent = st
            .db()
            .signin_failures_from(tenant.id, addr, throttle.window_start(st.now()))
            .await?;
        if throttle.decide(recent) == auth::ip_throttle::ThrottleDecision::Refused {
            let mut tx = st
                .db()
                .write(&signin_ctx(&tenant, None, &username, ip.clone()))
                .await?;
            tx.record(
                EventDraft::new(
                    AuditClass::Security,
                    "auth.signin_refused_address",
                    "username",
                    printable(&username),
                )
                .after(format!("{recent} failures from this address")),
            )
            .await?;
            tx.commit().await?;
            return fail(
                StatusCode::TOO_MANY_REQUESTS,
                t(
                    lang,
                    "login-throttled",
                    &[("minutes", throttle.window_minutes.into())],
                ),
            );
        }
    }
    // Control characters never get here: `VForm` refuses them (see `extract`).
    let account = st.db().account_by_username(tenant.id, &username).await?;
    let Some(account) = account.filter(|a| !a.disabled) else {
        // Same work and same answer as a wrong password, so user names cannot be probed.
        let pw = form.password.clone();
        blocking(move || auth::verify_password_dummy(&pw)).await?;
        let ctx = signin_ctx(&tenant, None, &username, ip);
        let mut tx = st.db().write(&ctx).await?;
        tx.record(
            EventDraft::new(
                AuditClass::Security,
                "auth.signin_failed",
                "username",
                printable(&username),
            )
            .after("unknown or disabled account"),
        )
        .await?;
        tx.commit().await?;
        return fail(StatusCode::UNAUTHORIZED, t(lang, "login-failed", &[]));
    };
    let ctx = signin_ctx(&tenant, Some(&account), &username, ip);
    let person = match account.person {
        Some(p) => st.db().person(tenant.id, p).await?,
        None => None,
    };
    let settings = effective_settings(&st, &tenant, person.as_ref()).await?;
    let policy = settings.password.lockout;
    let lock_state = LockoutState {
        failed_attempts: u32::try_from(account.failed_attempts).unwrap_or(0),
        locked_until: account.locked_until,
    };
    if let LockoutDecision::Locked { until } = auth::check_lockout(&lock_state, st.now(), &policy) {
        let mut tx = st.db().write(&ctx).await?;
        tx.record(EventDraft::new(
            AuditClass::Security,
            "auth.signin_refused_locked",
            "account",
            account.id,
        ))
        .await?;
        tx.commit().await?;
        return fail(
            StatusCode::FORBIDDEN,
            locked_message(lang, until, &settings),
        );
    }
    let (pw, phc) = (form.password.clone(), account.password_hash.clone());
    let ok = blocking(move || auth::verify_password(&pw, &phc).unwrap_or(false)).await?;
    if !ok {
        return match record_failure(&st, &ctx, &account, &settings).await? {
            Some(until) => fail(
                StatusCode::FORBIDDEN,
                locked_message(lang, until, &settings),
            ),
            None => fail(StatusCode::UNAUTHORIZED, t(lang, "login-failed", &[])),
        };
    }
    let next_step = signin::after_password(&signin_facts(&account, &settings, st.now()));
    let previous = current_session(&session).map(|(id, _)| id).filter(|_| {
        // Only a session of the same tenant can be ended in this tenant's transaction.
        current_session(&session).is_some_and(|(_, t)| t == tenant.id)
    });
    let second_factor = matches!(next_step, SignInNext::Totp | SignInNext::EnrolTotp);
    let token = start_session(&st, &ctx, account.id, !second_factor, previous, &headers).await?;
    let with_next = |path: &str| match q.next.as_deref().map(safe_back_path) {
        Some(n) if n != "/" => format!("{path}?next={}", urlencoding::encode(n)),
        _ => path.to_owned(),
    };
    let to = match next_step {
        SignInNext::Totp => with_next("/login/totp"),
        SignInNext::EnrolTotp => with_next("/login/enrol"),
        SignInNext::ChangePassword => MUST_CHANGE_PATH.to_owned(),
        SignInNext::Done => next_target(q.next.as_deref()),
    };
    Ok(redirect_with_session(&st, &to, &token))
}

/// Where a user whose password must be changed is sent.
pub const MUST_CHANGE_PATH: &str = "/account?done=must-change";

/// The facts vakt-core's sign-in decision needs.
fn signin_facts(account: &Account, settings: &Settings, now: time::OffsetDateTime) -> SignInFacts {
    SignInFacts {
        totp_enrolled: account.totp_secret.is_some(),
        require_totp: settings.require_totp,
        must_change_password: account.must_change_password,
        password_expired: account
            .password_changed_at
            .is_some_and(|at| auth::password_expired(&settings.password, at, now)),
    }
}

/// Where to go once the second factor is done.
fn after_second_factor_target(
    account: &Account,
    settings: &Settings,
    now: time::OffsetDateTime,
    next: Option<&str>,
) -> String {
    match signin::after_second_factor(&signin_facts(account, settings, now)) {
        SignInNext::ChangePassword => MUST_CHANGE_PATH.to_owned(),
        _ => next_target(next),
    }
}

fn next_target(next: Option<&str>) -> String {
    match next.map(safe_back_path) {
        Some(n) if n != "/" && !n.starts_with("/login") => n.to_owned(),
        _ => "/me".to_owned(),
    }
}

// ---------------------------------------------------------------------------------------------------
// Second factor
// ---------------------------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "auth/totp.html")]
struct TotpPage {
    page: Page,
    error: Option<String>,
}

/// The pending session of this request, or a redirect to where the browser belongs.
async fn pending(
    st: &AppState,
    session: &RequestSession,
    want: SessionStage,
) -> Result<Result<(crate::session::ActiveSession, Account, Tenant, Settings), Response>, AppError>
{
    let a = match session {
        RequestSession::Active(a) => a,
        RequestSession::Anonymous { .. } => return Ok(Err(Redirect::to("/login").into_response())),
    };
    if a.stage != want {
        let to = match a.stage {
            SessionStage::Full => "/me",
            SessionStage::AwaitingTotp => "/login/totp",
            SessionStage::AwaitingEnrolment => "/login/enrol",
        };
        return Ok(Err(Redirect::to(to).into_response()));
    }
    let db = st.db();
    let (Some(account), Some(tenant)) = (
        db.account(a.tenant, a.account).await?,
        db.tenant(a.tenant).await?,
    ) else {
        return Ok(Err(Redirect::to("/login").into_response()));
    };
    let person = match account.person {
        Some(p) => db.person(tenant.id, p).await?,
        None => None,
    };
    let settings = effective_settings(st, &tenant, person.as_ref()).await?;
    Ok(Ok(((**a).clone(), account, tenant, settings)))
}

/// `GET /login/totp`.
pub async fn totp_form(
    State(st): State<AppState>,
    ReqLang(lang): ReqLang,
    axum::Extension(session): axum::Extension<RequestSession>,
) -> Result<Response, AppError> {
    if let Err(r) = pending(&st, &session, SessionStage::AwaitingTotp).await? {
        return Ok(r);
    }
    let page = Page::anonymous(
        lang,
        session.csrf_token().to_owned(),
        "totp-title",
        "/login/totp",
    );
    render(&TotpPage { page, error: None })
}

#[derive(Debug, Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    code: String,
    /// The secret being enrolled (enrolment forms only; it is shown on the page anyway).
    #[serde(default)]
    secret: String,
}

/// Checks a TOTP code or a recovery code for `account`; consumes it (replay-safe) when it is good.
async fn check_second_factor(
    st: &AppState,
    ctx: &AuditCtx,
    account: &Account,
    code: &str,
) -> Result<bool, AppError> {
    let Some(secret) = &account.totp_secret else {
        return Ok(false);
    };
    let trimmed: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if trimmed.len() == totp::DIGITS && trimmed.chars().all(|c| c.is_ascii_digit()) {
        let last = account.totp_last_step.and_then(|s| u64::try_from(s).ok());
        let step = totp::verify(secret, &trimmed, st.now(), last)
            .map_err(|e| AppError::internal(format!("totp secret of {}: {e}", account.id)))?;
        let Some(step) = step.and_then(|s| i64::try_from(s).ok()) else {
            return Ok(false);
        };
        let mut tx = st.db().write(ctx).await?;
        let fresh = tx.accept_totp_step(account.id, step).await?;
        tx.commit().await?;
        return Ok(fresh);
    }
    if code.chars().count() > 64 {
        return Ok(false);
    }
    let stored = st.db().recovery_codes(account.tenant, account.id).await?;
    let hashes: Vec<String> = stored.iter().map(|c| c.code_hash.clone()).collect();
    let Some(idx) = recovery::find(code, &hashes) else {
        return Ok(false);
    };
    let Some(rc) = stored.get(idx) else {
        return Ok(false);
    };
    let mut tx = st.db().write(ctx).await?;
    let used = tx.consume_recovery_code(account.id, rc.id).await?;
    tx.commit().await?;
    Ok(used)
}

/// `POST /login/totp`.
pub async fn totp_submit(
    State(st): State<AppState>,
    headers: HeaderMap,
    ReqLang(lang): ReqLang,
    ClientIp(ip): ClientIp,
    axum::Extension(session): axum::Extension<RequestSession>,
    VQuery(q): VQuery<LoginQuery>,
    VForm(form): VForm<CodeForm>,
) -> Result<Response, AppError> {
    let (sess, account, tenant, settings) =
        match pending(&st, &session, SessionStage::AwaitingTotp).await? {
            Ok(v) => v,
            Err(r) => return Ok(r),
        };
    let ctx = signin_ctx(&tenant, Some(&account), &account.username, ip);
    let show_error = |status: StatusCode, msg: String| -> Result<Response, AppError> {
        let page = Page::anonymous(lang, sess.csrf.clone(), "totp-title", "/login/totp");
        let mut r = render(&TotpPage {
            page,
            error: Some(msg),
        })?;
        *r.status_mut() = status;
        Ok(r)
    };
    let policy = settings.password.lockout;
    let lock_state = LockoutState {
        failed_attempts: u32::try_from(account.failed_attempts).unwrap_or(0),
        locked_until: account.locked_until,
    };
    if let LockoutDecision::Locked { until } = auth::check_lockout(&lock_state, st.now(), &policy) {
        return show_error(
            StatusCode::FORBIDDEN,
            locked_message(lang, until, &settings),
        );
    }
    if !check_second_factor(&st, &ctx, &account, &form.code).await? {
        return match record_failure(&st, &ctx, &account, &settings).await? {
            Some(until) => show_error(
                StatusCode::FORBIDDEN,
                locked_message(lang, until, &settings),
            ),
            None => show_error(StatusCode::UNAUTHORIZED, t(lang, "totp-failed", &[])),
        };
    }
    let token = start_session(&st, &ctx, account.id, true, Some(sess.id), &headers).await?;
    let to = after_second_factor_target(&account, &settings, st.now(), q.next.as_deref());
    Ok(redirect_with_session(&st, &to, &token))
}

// ---------------------------------------------------------------------------------------------------
// TOTP enrolment (forced at sign-in, or from the account page)
// ---------------------------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "auth/enrol.html")]
pub(crate) struct EnrolPage {
    pub page: Page,
    pub required: bool,
    pub error: Option<String>,
    pub qr_svg: String,
    pub secret: String,
    pub secret_display: String,
    pub action: String,
}

#[derive(Template)]
#[template(path = "auth/recovery.html")]
pub(crate) struct RecoveryPage {
    pub page: Page,
    pub codes: Vec<String>,
    pub next: String,
}

/// The enrolment page for `secret` (QR code as inline SVG plus the secret in groups of four).
pub(crate) fn enrol_page(
    page: Page,
    required: bool,
    error: Option<String>,
    secret: &str,
    label: &str,
    action: &str,
) -> Result<EnrolPage, AppError> {
    let url = totp::otpauth_url(secret, label)
        .map_err(|e| AppError::internal(format!("otpauth url: {e}")))?;
    let qr = qrcode::QrCode::new(url.as_bytes())
        .map_err(|e| AppError::internal(format!("qr code: {e}")))?;
    let svg = qr
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(200, 200)
        .dark_color(qrcode::render::svg::Color("#000000"))
        .light_color(qrcode::render::svg::Color("#ffffff"))
        .build();
    // Drop the XML declaration; the SVG is embedded in HTML.
    let svg = match svg.find("<svg") {
        Some(i) => svg.get(i..).unwrap_or_default().to_owned(),
        None => svg,
    };
    let secret_display = secret
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ");
    Ok(EnrolPage {
        page,
        required,
        error,
        qr_svg: svg,
        secret: secret.to_owned(),
        secret_display,
        action: action.to_owned(),
    })
}

/// The account label shown in authenticator apps: `username@tenant`.
pub(crate) fn totp_label(account: &Account, tenant: &Tenant) -> String {
    format!("{}@{}", account.username, tenant.slug)
}

/// Whether a posted secret is a plausible base32 TOTP secret (what `generate_secret` makes).
pub(crate) fn valid_secret(secret: &str) -> bool {
    (16..=64).contains(&secret.len())
        && secret
            .bytes()
            .all(|b| b.is_ascii_uppercase() || (b'2'..=b'7').contains(&b))
}

/// Stores a confirmed secret, the step of its first code, and fresh recovery codes; returns the codes.
pub(crate) async fn enrol(
    st: &AppState,
    ctx: &AuditCtx,
    account: &Account,
    secret: &str,
    code: &str,
) -> Result<Option<Vec<String>>, AppError> {
    let step = totp::verify(secret, code, st.now(), None)
        .map_err(|_| AppError::bad_request("error-bad-request"))?;
    let Some(step) = step.and_then(|s| i64::try_from(s).ok()) else {
        return Ok(None);
    };
    let codes = recovery::generate();
    let hashes: Vec<String> = codes.iter().map(|c| recovery::hash_code(c)).collect();
    let mut tx = st.db().write(ctx).await?;
    tx.set_totp_secret(account.id, Some(secret)).await?;
    tx.accept_totp_step(account.id, step).await?;
    tx.set_recovery_codes(account.id, &hashes).await?;
    tx.commit().await?;
    Ok(Some(codes))
}

/// `GET /login/enrol`.
pub async fn enrol_form(
    State(st): State<AppState>,
    ReqLang(lang): ReqLang,
    axum::Extension(session): axum::Extension<RequestSession>,
    VQuery(q): VQuery<LoginQuery>,
) -> Result<Response, AppError> {
    let (sess, account, tenant, _settings) =
        match pending(&st, &session, SessionStage::AwaitingEnrolment).await? {
            Ok(v) => v,
            Err(r) => return Ok(r),
        };
    let secret = totp::generate_secret();
    let page = Page::anonymous(lang, sess.csrf.clone(), "enrol-title", "/login/enrol");
    render(&enrol_page(
        page,
        true,
        None,
        &secret,
        &totp_label(&account, &tenant),
        &enrol_action(q.next.as_deref()),
    )?)
}

fn enrol_action(next: Option<&str>) -> String {
    match next.map(safe_back_path) {
        Some(n) if n != "/" => format!("/login/enrol?next={}", urlencoding::encode(n)),
        _ => "/login/enrol".to_owned(),
    }
}

/// `POST /login/enrol`.
pub async fn enrol_submit(
    State(st): State<AppState>,
    headers: HeaderMap,
    ReqLang(lang): ReqLang,
    ClientIp(ip): ClientIp,
    axum::Extension(session): axum::Extension<RequestSession>,
    VQuery(q): VQuery<LoginQuery>,
    VForm(form): VForm<CodeForm>,
) -> Result<Response, AppError> {
    let (sess, account, tenant, settings) =
        match pending(&st, &session, SessionStage::AwaitingEnrolment).await? {
            Ok(v) => v,
            Err(r) => return Ok(r),
        };
    if !valid_secret(&form.secret) {
        return Err(AppError::bad_request("error-bad-request"));
    }
    let ctx = signin_ctx(&tenant, Some(&account), &account.username, ip);
    let Some(codes) = enrol(&st, &ctx, &account, &form.secret, &form.code).await? else {
        let page = Page::anonymous(lang, sess.csrf.clone(), "enrol-title", "/login/enrol");
        let msg = t(lang, "enrol-code-wrong", &[]);
        let mut r = render(&enrol_page(
            page,
            true,
            Some(msg),
            &form.secret,
            &totp_label(&account, &tenant),
            &enrol_action(q.next.as_deref()),
        )?)?;
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        return Ok(r);
    };
    let token = start_session(&st, &ctx, account.id, true, Some(sess.id), &headers).await?;
    // The new session's CSRF token is not known to this page; the recovery page only has a link.
    let page = Page::anonymous(lang, String::new(), "recovery-title", "/login/enrol");
    let mut resp = render(&RecoveryPage {
        page,
        codes,
        next: after_second_factor_target(&account, &settings, st.now(), q.next.as_deref()),
    })?;
    let secure = st.config().secure_cookies;
    if let Ok(v) = HeaderValue::from_str(&set_cookie(
        session_cookie_name(secure),
        &token,
        secure,
        None,
    )) {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(resp)
}

// ---------------------------------------------------------------------------------------------------
// Sign-out and language
// ---------------------------------------------------------------------------------------------------

/// `POST /logout`: ends the session (any stage) and clears the cookie.
pub async fn logout(
    State(st): State<AppState>,
    ClientIp(ip): ClientIp,
    user: Option<CurrentUser>,
    axum::Extension(session): axum::Extension<RequestSession>,
) -> Result<Response, AppError> {
    if let Some(u) = &user {
        u.authorize_own(vakt_core::authz::Action::ManageOwnSessions)?;
    }
    if let RequestSession::Active(a) = &session {
        let ctx = match &user {
            Some(u) => u.audit_ctx(ip),
            None => {
                let ctx = AuditCtx::new(
                    a.tenant,
                    Actor {
                        account: Some(a.account),
                        person: None,
                        label: String::from("(pending sign-in)"),
                    },
                );
                match ip {
                    Some(ip) => ctx.with_ip(ip),
                    None => ctx,
                }
            }
        };
        let mut tx = st.db().write(&ctx).await?;
        match tx.end_session(a.id).await {
            Ok(()) => tx.commit().await.map(|_| ())?,
            Err(vakt_store::StoreError::NotFound) => tx.rollback().await?,
            Err(e) => return Err(e.into()),
        }
    }
    let secure = st.config().secure_cookies;
    let mut resp = Redirect::to("/login?bye=1").into_response();
    if let Ok(v) = HeaderValue::from_str(&clear_cookie(session_cookie_name(secure), secure)) {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(resp)
}

#[derive(Debug, Deserialize)]
pub struct LanguageForm {
    #[serde(default)]
    lang: String,
    #[serde(default)]
    back: String,
}

/// `POST /language`: sets the language cookie; for a signed-in person also their saved preference.
pub async fn switch_language(
    State(st): State<AppState>,
    ClientIp(ip): ClientIp,
    user: Option<CurrentUser>,
    VForm(form): VForm<LanguageForm>,
) -> Result<Response, AppError> {
    let Some(lang) = Lang::parse(&form.lang) else {
        return Err(AppError::invalid("error-invalid-input"));
    };
    if let Some(u) = &user {
        save_language(&st, u, lang, ip).await?;
    }
    let secure = st.config().secure_cookies;
    let mut resp = Redirect::to(safe_back_path(&form.back)).into_response();
    let cookie = set_cookie(
        cookie_names::LANG,
        lang.code(),
        secure,
        Some(365 * 24 * 3600),
    );
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(resp)
}

/// Saves `lang` as the signed-in person's preference (`EditOwnPreferences`); accounts without a person
/// keep the cookie only.
pub async fn save_language(
    st: &AppState,
    u: &CurrentUser,
    lang: Lang,
    ip: Option<String>,
) -> Result<(), AppError> {
    u.authorize_own(vakt_core::authz::Action::EditOwnPreferences)?;
    let Some(person) = &u.person else {
        return Ok(());
    };
    let wanted: vakt_core::directory::Language = lang.into();
    if person.preferred_language == Some(wanted) {
        return Ok(());
    }
    // Re-read inside the write so that a concurrent edit of the person is not overwritten.
    let mut tx = st.db().write(&u.audit_ctx(ip)).await?;
    let Some(current) = st.db().person(u.tenant_id(), person.id).await? else {
        tx.rollback().await?;
        return Ok(());
    };
    let update = vakt_store::NewPerson {
        employee_number: current.employee_number,
        given_name: current.given_name,
        family_name: current.family_name,
        email: current.email,
        kind: current.kind,
        unit: current.unit,
        manager: current.manager,
        employment: current.employment,
        birth_date: current.birth_date,
        preferred_language: Some(wanted),
    };
    tx.update_person(person.id, update).await?;
    tx.commit().await?;
    Ok(())
}

/// `GET /`: my page when signed in, else the sign-in page.
pub async fn root(user: Option<CurrentUser>) -> Redirect {
    if user.is_some() {
        Redirect::to("/me")
    } else {
        Redirect::to("/login")
    }
}

/// Reads the language cookie (for pages that need it before a session exists).
pub fn lang_cookie(headers: &HeaderMap) -> Option<Lang> {
    read_cookie(headers, cookie_names::LANG).and_then(Lang::parse)
}
