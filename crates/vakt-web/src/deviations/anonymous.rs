//! Anonymous reporting: a tenant's secret link (`/anonymous/<token>`, only while the tenant has
//! switched it on) opens the report form without an account; the reporter gets a receipt code
//! that shows that one case's status and nothing else.

use askama::Template;
use axum::{
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Response},
};
use serde::Deserialize;
use vakt_core::directory::Tenant;
use vakt_store::Reporter;

use super::report::{ReportForm, ReportPage, affected_kinds, category_options, new_case};
use super::{local_input, local_time, state_label};
use crate::{
    AppError, AppState,
    extract::{ClientIp, Csrf, ReqLang, VForm, VPath, VQuery},
    page::{Page, render},
};

/// The tenant of a valid, enabled link; an unknown or disabled link is a clear 400 page.
async fn tenant_of(st: &AppState, token: &str) -> Result<Tenant, AppError> {
    let invalid = || AppError::bad_request("dev-anon-invalid-link");
    let tenant = st
        .db()
        .dev_tenant_by_anonymous_token(token)
        .await?
        .ok_or_else(invalid)?;
    st.db().tenant(tenant).await?.ok_or_else(invalid)
}

/// `GET /anonymous/{token}`.
pub async fn form(
    State(st): State<AppState>,
    ReqLang(lang): ReqLang,
    Csrf(csrf): Csrf,
    VPath(token): VPath<String>,
) -> Result<Response, AppError> {
    let tenant = tenant_of(&st, &token).await?;
    let cats = st.db().dev_categories(tenant.id).await?;
    let path = format!("/anonymous/{token}");
    let mut page = Page::anonymous(lang, csrf, "dev-anon-title", &path);
    page.tenant_name = Some(tenant.name.clone());
    render(&ReportPage {
        page,
        action: path,
        categories: category_options(lang, &cats),
        // No unit list: the anonymous form must not reveal the organisation's data.
        units: Vec::new(),
        default_unit: String::new(),
        kinds: affected_kinds(lang),
        now: local_input(&super::tenant_calendar(&st, &tenant).await?, st.now()),
        anonymous: true,
    })
}

#[derive(Template)]
#[template(path = "deviations/anon_receipt.html")]
struct ReceiptPage {
    page: Page,
    code: String,
    follow: String,
}

fn receipt_code() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rng();
    let raw: String = (0..16)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect();
    format!(
        "{}-{}-{}-{}",
        &raw[0..4],
        &raw[4..8],
        &raw[8..12],
        &raw[12..16]
    )
}

fn normalise_code(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// `POST /anonymous/{token}`: stores the report without any identity and shows the receipt code.
pub async fn submit(
    State(st): State<AppState>,
    ReqLang(lang): ReqLang,
    Csrf(csrf): Csrf,
    ClientIp(_ip): ClientIp,
    VPath(token): VPath<String>,
    VForm(form): VForm<ReportForm>,
) -> Result<Response, AppError> {
    let tenant = tenant_of(&st, &token).await?;
    let code = receipt_code();
    let hash = vakt_store::token_hash(&normalise_code(&code));
    let cal = super::tenant_calendar(&st, &tenant).await?;
    // The unit is never taken from an anonymous form.
    let form = ReportForm {
        unit: String::new(),
        ..form
    };
    let new = new_case(
        lang,
        &cal,
        st.now(),
        &[],
        &form,
        Reporter::Anonymous { receipt_hash: hash },
        None,
    )?;
    // No IP address is recorded for an anonymous report.
    let ctx = vakt_store::AuditCtx::system(tenant.id, "anonymous-report");
    let mut tx = st.db().write(&ctx).await?;
    let case = tx.report_dev_case(new).await?;
    super::notify::on_report(&st, &mut tx, &tenant, &case).await?;
    tx.commit().await?;
    super::refresh_due(&st, &tenant, case.id).await?;
    let path = format!("/anonymous/{token}");
    let mut page = Page::anonymous(lang, csrf, "dev-anon-receipt-title", &path);
    page.tenant_name = Some(tenant.name.clone());
    render(&ReceiptPage {
        page,
        code,
        follow: format!("/anonymous/{token}/follow"),
    })
}

#[derive(Debug, Default, Deserialize)]
pub struct FollowQuery {
    #[serde(default)]
    code: String,
}

#[derive(Template)]
#[template(path = "deviations/anon_follow.html")]
struct FollowPage {
    page: Page,
    action: String,
    code: String,
    found: Option<String>,
    asked: bool,
}

/// `GET /anonymous/{token}/follow?code=…`: the status of the one case the code belongs to.
pub async fn follow(
    State(st): State<AppState>,
    ReqLang(lang): ReqLang,
    Csrf(csrf): Csrf,
    VPath(token): VPath<String>,
    VQuery(q): VQuery<FollowQuery>,
) -> Result<Response, AppError> {
    let tenant = tenant_of(&st, &token).await?;
    let code = normalise_code(&q.code);
    let asked = !code.is_empty();
    let cal = super::tenant_calendar(&st, &tenant).await?;
    let found = if code.len() == 16 {
        st.db()
            .dev_case_by_receipt(tenant.id, &vakt_store::token_hash(&code))
            .await?
            .map(|c| {
                crate::i18n::t(
                    lang,
                    "dev-anon-status",
                    &[
                        ("number", c.number.into()),
                        ("state", state_label(lang, c.state).into()),
                        ("at", local_time(&cal, c.reported_at).into()),
                    ],
                )
            })
    } else {
        None
    };
    let path = format!("/anonymous/{token}/follow");
    let mut page = Page::anonymous(lang, csrf, "dev-anon-follow-title", &path);
    page.tenant_name = Some(tenant.name.clone());
    let mut resp = render(&FollowPage {
        page,
        action: path,
        code: q.code.chars().take(40).collect(),
        found: found.clone(),
        asked,
    })?;
    if asked && found.is_none() {
        *resp.status_mut() = StatusCode::NOT_FOUND;
    }
    Ok(resp.into_response())
}
