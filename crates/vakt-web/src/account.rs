//! The account page (`/account`): change password (the tenant's policy, messages in the user's language),
//! language preference, two-factor (enrol / re-enrol, new recovery codes) and personal API tokens (create →
//! shown once, stored hashed; list; revoke). Also the Bearer-token lookup behind [`crate::extract::ApiUser`].

use askama::Template;
use axum::{
    extract::State,
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;
use vakt_core::{
    auth::{self, PersonalInfo, recovery, totp},
    authz::{Action, Resource},
};
use vakt_store::NewSession;

use crate::{
    AppState,
    auth::{RecoveryPage, enrol, enrol_page, totp_label, valid_secret},
    error::AppError,
    extract::{ApiUser, ClientIp, CurrentUser, VForm, VPath, VQuery, text_field},
    i18n::{Arg, Lang, t},
    page::render,
    session::{new_token, principal_for, session_cookie_name, set_cookie, token_hash},
};

/// One row of the token table.
pub struct TokenRow {
    pub id: String,
    pub name: String,
    pub created: String,
    pub last_used: Option<String>,
}

#[derive(Template)]
#[template(path = "account/index.html")]
struct AccountPage {
    page: crate::page::Page,
    password_errors: Vec<String>,
    totp_enabled: bool,
    recovery_left: i64,
    tokens: Vec<TokenRow>,
    new_token: Option<String>,
    token_error: Option<String>,
}

#[derive(Default)]
struct Extras {
    notice: Option<String>,
    password_errors: Vec<String>,
    new_token: Option<String>,
    token_error: Option<String>,
}

async fn account_page(
    st: &AppState,
    user: &CurrentUser,
    extras: Extras,
    status: StatusCode,
) -> Result<Response, AppError> {
    let db = st.db();
    let account = db
        .account(user.tenant_id(), user.account_id())
        .await?
        .ok_or_else(AppError::not_found)?;
    let recovery_left = i64::try_from(
        db.recovery_codes(user.tenant_id(), user.account_id())
            .await?
            .len(),
    )
    .unwrap_or(0);
    let times = user.local_time();
    let tokens = db
        .api_tokens_of(user.tenant_id(), user.account_id())
        .await?
        .into_iter()
        .filter(|t| t.revoked_at.is_none())
        .map(|t| TokenRow {
            id: t.id.to_string(),
            name: t.name,
            created: times.minute(t.created_at),
            last_used: t.last_used_at.map(|at| times.minute(at)),
        })
        .collect();
    let page = user
        .page("account-title", "/account")
        .with_notice(extras.notice);
    let mut resp = render(&AccountPage {
        page,
        password_errors: extras.password_errors,
        totp_enabled: account.totp_secret.is_some(),
        recovery_left,
        tokens,
        new_token: extras.new_token,
        token_error: extras.token_error,
    })?;
    *resp.status_mut() = status;
    Ok(resp)
}

#[derive(Debug, Deserialize, Default)]
pub struct DoneQuery {
    #[serde(default)]
    done: Option<String>,
}

/// `GET /account`.
pub async fn show(
    State(st): State<AppState>,
    user: CurrentUser,
    VQuery(q): VQuery<DoneQuery>,
) -> Result<Response, AppError> {
    user.authorize_own(Action::ViewOwnPage)?;
    let key = match q.done.as_deref() {
        Some("password") => Some("account-password-changed"),
        Some("language") => Some("account-language-saved"),
        Some("revoked") => Some("account-token-revoked"),
        Some("totp") => Some("account-2fa-on"),
        Some("must-change") => Some("account-must-change"),
        _ => None,
    };
    let notice = key.map(|k| t(user.lang(), k, &[]));
    account_page(
        &st,
        &user,
        Extras {
            notice,
            ..Extras::default()
        },
        StatusCode::OK,
    )
    .await
}

#[derive(Debug, Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    current: String,
    #[serde(default)]
    new: String,
    #[serde(default)]
    confirm: String,
}

fn with_session_cookie(st: &AppState, mut resp: Response, token: &str) -> Response {
    let secure = st.config().secure_cookies;
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

/// `POST /account/password`: checks the current password and the tenant's policy; on success ends every
/// session of the account and starts a fresh one for this browser.
pub async fn change_password(
    State(st): State<AppState>,
    headers: HeaderMap,
    user: CurrentUser,
    ClientIp(ip): ClientIp,
    VForm(form): VForm<PasswordForm>,
) -> Result<Response, AppError> {
    user.authorize_own(Action::ChangeOwnPassword)?;
    let lang = user.lang();
    let fail = |msgs: Vec<String>| Extras {
        password_errors: msgs,
        ..Extras::default()
    };
    let max = user.settings.password.max_length.max(1) as usize;
    for v in [&form.current, &form.new, &form.confirm] {
        if v.chars().count() > max.max(1024) {
            let m = AppError::invalid("error-field-too-long")
                .with_arg("field", t(lang, "field-password", &[]))
                .with_arg("max", max.max(1024))
                .message(lang);
            return account_page(&st, &user, fail(vec![m]), StatusCode::UNPROCESSABLE_ENTITY).await;
        }
    }
    let db = st.db();
    let account = db
        .account(user.tenant_id(), user.account_id())
        .await?
        .ok_or_else(AppError::not_found)?;
    let (cur, phc) = (form.current.clone(), account.password_hash.clone());
    let current_ok =
        tokio::task::spawn_blocking(move || auth::verify_password(&cur, &phc).unwrap_or(false))
            .await
            .map_err(|e| AppError::internal(e.to_string()))?;
    if !current_ok {
        let m = t(lang, "account-password-wrong", &[]);
        return account_page(&st, &user, fail(vec![m]), StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    if form.new != form.confirm {
        let m = t(lang, "account-password-mismatch", &[]);
        return account_page(&st, &user, fail(vec![m]), StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let policy = user.settings.password.clone();
    let person = PersonalInfo {
        given_name: user
            .person
            .as_ref()
            .map(|p| p.given_name.clone())
            .unwrap_or_default(),
        family_name: user
            .person
            .as_ref()
            .map(|p| p.family_name.clone())
            .unwrap_or_default(),
        username: account.username.clone(),
        birth_date: user.person.as_ref().and_then(|p| p.birth_date),
    };
    // The current hash counts as history too.
    let mut history = vec![account.password_hash.clone()];
    history.extend(
        db.password_history(user.tenant_id(), user.account_id(), policy.history)
            .await?,
    );
    let new = form.new.clone();
    let checked = tokio::task::spawn_blocking(move || {
        auth::check_password(&policy, &new, &person, &history).map(|()| auth::hash_password(&new))
    })
    .await
    .map_err(|e| AppError::internal(e.to_string()))?;
    let hash = match checked {
        Err(violations) => {
            let msgs = violations
                .iter()
                .map(|v| {
                    let args: Vec<(&str, Arg)> = v
                        .fluent_args()
                        .into_iter()
                        .map(|(k, val)| (k, Arg::from(val)))
                        .collect();
                    t(lang, &v.fluent_key(), &args)
                })
                .collect();
            return account_page(&st, &user, fail(msgs), StatusCode::UNPROCESSABLE_ENTITY).await;
        }
        Ok(Err(e)) => return Err(AppError::internal(format!("hash: {e}"))),
        Ok(Ok(h)) => h,
    };
    let token = new_token();
    let mut tx = db.write(&user.audit_ctx(ip.clone())).await?;
    tx.set_password(
        user.account_id(),
        &hash,
        user.settings.password.history,
        false,
    )
    .await?;
    tx.end_sessions_of(user.account_id()).await?;
    tx.create_session(NewSession {
        account: user.account_id(),
        token_hash: token_hash(&token),
        ip,
        user_agent: headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
        mfa_done: true,
        csrf_token: new_token(),
    })
    .await?;
    tx.commit().await?;
    Ok(with_session_cookie(
        &st,
        Redirect::to("/account?done=password").into_response(),
        &token,
    ))
}

#[derive(Debug, Deserialize)]
pub struct LanguagePref {
    #[serde(default)]
    lang: String,
}

/// `POST /account/language`.
pub async fn set_language(
    State(st): State<AppState>,
    user: CurrentUser,
    ClientIp(ip): ClientIp,
    VForm(form): VForm<LanguagePref>,
) -> Result<Response, AppError> {
    user.authorize_own(Action::EditOwnPreferences)?;
    let lang = Lang::parse(&form.lang).ok_or_else(|| AppError::invalid("error-invalid-input"))?;
    crate::auth::save_language(&st, &user, lang, ip).await?;
    let secure = st.config().secure_cookies;
    let mut resp = Redirect::to("/account?done=language").into_response();
    let cookie = set_cookie(
        crate::session::cookie_names::LANG,
        lang.code(),
        secure,
        Some(365 * 24 * 3600),
    );
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(resp)
}

/// `GET /account/totp`: a new secret to enrol (replaces the current one once confirmed).
pub async fn totp_form(
    State(st): State<AppState>,
    user: CurrentUser,
) -> Result<Response, AppError> {
    user.authorize_own(Action::ManageOwnMfa)?;
    let account = st
        .db()
        .account(user.tenant_id(), user.account_id())
        .await?
        .ok_or_else(AppError::not_found)?;
    let secret = totp::generate_secret();
    let page = user.page("enrol-title", "/account/totp");
    render(&enrol_page(
        page,
        false,
        None,
        &secret,
        &totp_label(&account, &user.tenant),
        "/account/totp",
    )?)
}

#[derive(Debug, Deserialize)]
pub struct EnrolForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    secret: String,
}

/// `POST /account/totp`: confirms the new secret with a code; shows the new recovery codes once.
pub async fn totp_submit(
    State(st): State<AppState>,
    user: CurrentUser,
    ClientIp(ip): ClientIp,
    VForm(form): VForm<EnrolForm>,
) -> Result<Response, AppError> {
    user.authorize_own(Action::ManageOwnMfa)?;
    if !valid_secret(&form.secret) {
        return Err(AppError::bad_request("error-bad-request"));
    }
    let account = st
        .db()
        .account(user.tenant_id(), user.account_id())
        .await?
        .ok_or_else(AppError::not_found)?;
    let Some(codes) = enrol(&st, &user.audit_ctx(ip), &account, &form.secret, &form.code).await?
    else {
        let page = user.page("enrol-title", "/account/totp");
        let msg = t(user.lang(), "enrol-code-wrong", &[]);
        let mut r = render(&enrol_page(
            page,
            false,
            Some(msg),
            &form.secret,
            &totp_label(&account, &user.tenant),
            "/account/totp",
        )?)?;
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        return Ok(r);
    };
    let page = user.page("recovery-title", "/account/totp");
    render(&RecoveryPage {
        page,
        codes,
        next: "/account?done=totp".to_owned(),
    })
}

/// `POST /account/recovery-codes`: replaces the recovery codes and shows the new ones once.
pub async fn new_recovery_codes(
    State(st): State<AppState>,
    user: CurrentUser,
    ClientIp(ip): ClientIp,
) -> Result<Response, AppError> {
    user.authorize_own(Action::ManageOwnMfa)?;
    let account = st
        .db()
        .account(user.tenant_id(), user.account_id())
        .await?
        .ok_or_else(AppError::not_found)?;
    if account.totp_secret.is_none() {
        return Err(AppError::invalid("account-2fa-off"));
    }
    let codes = recovery::generate();
    let hashes: Vec<String> = codes.iter().map(|c| recovery::hash_code(c)).collect();
    let mut tx = st.db().write(&user.audit_ctx(ip)).await?;
    tx.set_recovery_codes(user.account_id(), &hashes).await?;
    tx.commit().await?;
    let page = user.page("recovery-title", "/account").with_notice(Some(t(
        user.lang(),
        "account-2fa-codes-made",
        &[],
    )));
    render(&RecoveryPage {
        page,
        codes,
        next: "/account".to_owned(),
    })
}

#[derive(Debug, Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    name: String,
}

/// `POST /account/tokens`: creates a personal API token and shows it once.
pub async fn create_token(
    State(st): State<AppState>,
    user: CurrentUser,
    ClientIp(ip): ClientIp,
    VForm(form): VForm<TokenForm>,
) -> Result<Response, AppError> {
    user.authorize_own(Action::ManageOwnTokens)?;
    let name = match text_field(&form.name, "field-name", 100, true, user.lang()) {
        Ok(n) if !n.chars().any(char::is_control) => n,
        Ok(_) => {
            let e = Extras {
                token_error: Some(t(user.lang(), "error-invalid-input", &[])),
                ..Extras::default()
            };
            return account_page(&st, &user, e, StatusCode::UNPROCESSABLE_ENTITY).await;
        }
        Err(e) => {
            let e = Extras {
                token_error: Some(e.message(user.lang())),
                ..Extras::default()
            };
            return account_page(&st, &user, e, StatusCode::UNPROCESSABLE_ENTITY).await;
        }
    };
    let token = new_token();
    let mut tx = st.db().write(&user.audit_ctx(ip)).await?;
    tx.create_api_token(user.account_id(), &name, &token_hash(&token), None)
        .await?;
    tx.commit().await?;
    account_page(
        &st,
        &user,
        Extras {
            new_token: Some(token),
            ..Extras::default()
        },
        StatusCode::OK,
    )
    .await
}

/// `POST /account/tokens/{id}/revoke`.
pub async fn revoke_token(
    State(st): State<AppState>,
    user: CurrentUser,
    ClientIp(ip): ClientIp,
    VPath(id): VPath<uuid::Uuid>,
) -> Result<Response, AppError> {
    // Tokens are looked up in the user's own tenant only; the owner check is the authorization rule.
    let token = st
        .db()
        .api_tokens_of(user.tenant_id(), user.account_id())
        .await?
        .into_iter()
        .find(|t| t.id == id);
    let owner = token.as_ref().map(|t| t.account);
    // A token of another account (or none) is refused by the same rule as everything else.
    let resource = Resource {
        tenant: user.tenant_id(),
        unit_path: Vec::new(),
        owner_account: owner,
    };
    user.authorize(Action::ManageOwnTokens, &resource)?;
    let Some(token) = token else {
        return Err(AppError::not_found());
    };
    let mut tx = st.db().write(&user.audit_ctx(ip)).await?;
    match tx.revoke_api_token(token.id).await {
        Ok(()) => {
            tx.commit().await?;
        }
        Err(vakt_store::StoreError::NotFound) => tx.rollback().await?,
        Err(e) => return Err(e.into()),
    }
    Ok(Redirect::to("/account?done=revoked").into_response())
}

/// The API caller for a Bearer token, if the token is usable (not revoked or expired, account enabled).
pub async fn api_user_for_token(st: &AppState, token: &str) -> Result<Option<ApiUser>, AppError> {
    if !crate::session::is_well_formed(token) {
        return Ok(None);
    }
    let db = st.db();
    let Some(tok) = db.api_token_by_hash(&token_hash(token)).await? else {
        return Ok(None);
    };
    let Some(account) = db
        .account(tok.tenant, tok.account)
        .await?
        .filter(|a| !a.disabled)
    else {
        return Ok(None);
    };
    let Some(tenant) = db.tenant(tok.tenant).await? else {
        return Ok(None);
    };
    db.touch_api_token(tok.tenant, tok.id).await?;
    let (principal, person) = principal_for(st, &account).await?;
    let lang = match person.as_ref().and_then(|p| p.preferred_language) {
        Some(l) => Lang::from(l),
        None => Lang::from(
            crate::session::tenant_settings(st, &tenant)
                .await?
                .default_language,
        ),
    };
    Ok(Some(ApiUser {
        principal,
        tenant,
        username: account.username,
        person: person.map(|p| p.id),
        lang,
    }))
}

/// Lifts the lockout of `account` in the admin's tenant (`Action::UnlockAccount`); for the people page.
pub async fn unlock_account(
    st: &AppState,
    admin: &CurrentUser,
    account: vakt_core::directory::AccountId,
    ip: Option<String>,
) -> Result<(), AppError> {
    admin.authorize_tenant(Action::UnlockAccount)?;
    // Tenant-scoped read: an account of another tenant is simply not found.
    st.db()
        .account(admin.tenant_id(), account)
        .await?
        .ok_or_else(AppError::not_found)?;
    let mut tx = st.db().write(&admin.audit_ctx(ip)).await?;
    tx.unlock_account(account).await?;
    tx.commit().await?;
    Ok(())
}

/// Who a personal API token belongs to.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct WhoAmI {
    /// The account's user name.
    pub username: String,
    /// The tenant's slug.
    pub tenant: String,
    /// Stored and implied roles (snake_case).
    pub roles: Vec<String>,
    /// The language Vakt uses for this account (`nb`, `sv`, `da`, `en`).
    pub language: String,
}

/// `GET /api/v1/whoami`: who a Bearer token belongs to (never accepts cookies).
#[utoipa::path(get, path = "/api/v1/whoami", responses(
    (status = 200, body = WhoAmI, description = "The token's account"),
    (status = 401, description = "No, an unknown, a revoked or an expired token")))]
pub async fn whoami(user: ApiUser) -> Result<Response, AppError> {
    user.authorize(
        Action::ViewOwnPage,
        &Resource::owned_by(user.tenant.id, user.principal.account),
    )?;
    let roles = user
        .principal
        .roles
        .iter()
        .map(|r| {
            serde_json::to_value(r)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default()
        })
        .collect();
    Ok(axum::Json(WhoAmI {
        username: user.username,
        tenant: user.tenant.slug,
        roles,
        language: user.lang.code().to_owned(),
    })
    .into_response())
}
