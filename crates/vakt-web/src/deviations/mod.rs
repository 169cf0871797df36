//! Deviations, security incidents and personal-data breaches over HTTP: the one-minute report form
//! (linked from every page), "my reports", anonymous reporting through a tenant's secret link, the
//! case list, the urgency dashboard, a leader's unit list, the case page with the workflow, the
//! checklist, measures, risk, reporting obligations and the breach notification draft, the breach
//! register, statistics and the module's settings.
//!
//! Rules come from `vakt_core::deviations` (transitions, obligations, late-reason rule, form shapes)
//! and `vakt_core::deadline` (clocks in the tenant's time zone); the store writes each change in one
//! transaction with its audit event.

mod anonymous;
mod case;
pub mod export;
pub mod notify;
mod report;
pub mod stats;

use askama::Template;
use axum::{
    Router,
    extract::{DefaultBodyLimit, State},
    response::Response,
    routing::{get, post},
};
use serde::Deserialize;
use time::OffsetDateTime;
use uuid::Uuid;
use vakt_core::authz::{Action, Resource};
use vakt_core::deadline::TenantCalendar;
use vakt_core::deviations::{
    CaseId, CaseState, ObligationState, RegimeSet, Severity, start_obligations,
};
use vakt_core::directory::{OrgUnit, PersonId, Tenant, UnitId, descendants, path_to_root};
use vakt_store::{Case, CaseFilter, CaseOrder, CaseSummary, Category, DevConfig};

use crate::{
    AppError, AppState,
    extract::{CurrentUser, VPath, VQuery},
    i18n::Lang,
    page::{Page, render},
    routes::{Access, RouteInfo},
};

/// Cases per page in lists.
pub const PAGE_SIZE: u32 = 50;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/deviations/report",
            get(report::report_form).post(report::report_submit),
        )
        .route("/deviations/mine", get(report::my_reports))
        .route("/deviations", get(case_list))
        .route("/deviations/dashboard", get(dashboard))
        .route("/deviations/unit/{id}", get(unit_list))
        .route("/deviations/breaches", get(case::breach_register))
        .route("/deviations/export.csv", get(export::export_csv))
        .route("/deviations/export.xlsx", get(export::export_xlsx))
        .route("/deviations/stats", get(stats::stats_page))
        .route("/deviations/stats.csv", get(stats::stats_csv))
        .route("/deviations/stats.xlsx", get(stats::stats_xlsx))
        .route("/api/v1/deviations", get(stats::api_cases))
        .route("/api/v1/deviations/stats", get(stats::api_stats))
        .route(
            "/deviations/settings",
            get(case::settings_form).post(case::settings_submit),
        )
        .route(
            "/deviations/settings/webhook-secret",
            post(case::webhook_secret),
        )
        .route("/deviations/{id}", get(case::case_page))
        .route("/deviations/{id}/transition", post(case::transition))
        .route("/deviations/{id}/update", post(case::update))
        .route("/deviations/{id}/checklist", post(case::checklist))
        .route("/deviations/{id}/comments", post(case::comment))
        .route(
            "/deviations/{id}/attachments",
            post(case::attachment_upload).layer(DefaultBodyLimit::max(case::UPLOAD_LIMIT)),
        )
        .route(
            "/deviations/{id}/attachments/{aid}",
            get(case::attachment_download),
        )
        .route("/deviations/{id}/links", post(case::link))
        .route("/deviations/{id}/measures", post(case::add_measure))
        .route(
            "/deviations/{id}/measures/settle",
            post(case::settle_measure),
        )
        .route("/deviations/{id}/flags", post(case::flags))
        .route("/deviations/{id}/obligations", post(case::obligation))
        .route("/deviations/{id}/draft", post(case::save_draft))
        .route("/deviations/{id}/draft.json", get(case::draft_json))
        .route("/deviations/{id}/draft.pdf", get(case::draft_pdf))
        .route("/deviations/{id}/export.json", get(case::export_json))
        .route(
            "/anonymous/{token}",
            get(anonymous::form).post(anonymous::submit),
        )
        .route("/anonymous/{token}/follow", get(anonymous::follow))
}

pub fn route_table() -> Vec<RouteInfo> {
    use Access::{Public, Requires};
    let r = RouteInfo::new;
    vec![
        r(
            "GET",
            "/deviations/report",
            Requires(Action::ReportDeviation),
        ),
        r(
            "POST",
            "/deviations/report",
            Requires(Action::ReportDeviation),
        ),
        r(
            "GET",
            "/deviations/mine",
            Requires(Action::ViewOwnDeviations),
        ),
        r("GET", "/deviations", Requires(Action::ViewDeviations)),
        r(
            "GET",
            "/deviations/dashboard",
            Requires(Action::ViewDeviations),
        ),
        r(
            "GET",
            "/deviations/unit/{id}",
            Requires(Action::ViewDeviations),
        ),
        r(
            "GET",
            "/deviations/breaches",
            Requires(Action::ViewBreachRegister),
        ),
        r(
            "GET",
            "/deviations/export.csv",
            Requires(Action::ViewDeviations),
        ),
        r(
            "GET",
            "/deviations/export.xlsx",
            Requires(Action::ViewDeviations),
        ),
        r(
            "GET",
            "/deviations/stats",
            Requires(Action::ViewDeviationStats),
        ),
        r(
            "GET",
            "/deviations/stats.csv",
            Requires(Action::ViewDeviationStats),
        ),
        r(
            "GET",
            "/deviations/stats.xlsx",
            Requires(Action::ViewDeviationStats),
        ),
        r(
            "GET",
            "/api/v1/deviations",
            Requires(Action::ViewDeviations),
        ),
        r(
            "GET",
            "/api/v1/deviations/stats",
            Requires(Action::ViewDeviationStats),
        ),
        r(
            "GET",
            "/deviations/settings",
            Requires(Action::ConfigureDeviations),
        ),
        r(
            "POST",
            "/deviations/settings",
            Requires(Action::ConfigureDeviations),
        ),
        r(
            "POST",
            "/deviations/settings/webhook-secret",
            Requires(Action::ConfigureDeviations),
        ),
        r("GET", "/deviations/{id}", Requires(Action::ViewDeviations)),
        r(
            "POST",
            "/deviations/{id}/transition",
            Requires(Action::HandleDeviation),
        ),
        r(
            "POST",
            "/deviations/{id}/update",
            Requires(Action::HandleDeviation),
        ),
        r(
            "POST",
            "/deviations/{id}/checklist",
            Requires(Action::HandleDeviation),
        ),
        r(
            "POST",
            "/deviations/{id}/comments",
            Requires(Action::HandleDeviation),
        ),
        r(
            "POST",
            "/deviations/{id}/attachments",
            Requires(Action::HandleDeviation),
        ),
        r(
            "GET",
            "/deviations/{id}/attachments/{aid}",
            Requires(Action::ViewDeviations),
        ),
        r(
            "POST",
            "/deviations/{id}/links",
            Requires(Action::HandleDeviation),
        ),
        r(
            "POST",
            "/deviations/{id}/measures",
            Requires(Action::HandleDeviation),
        ),
        r(
            "POST",
            "/deviations/{id}/measures/settle",
            Requires(Action::HandleDeviation),
        ),
        r(
            "POST",
            "/deviations/{id}/flags",
            Requires(Action::ManageBreach),
        ),
        r(
            "POST",
            "/deviations/{id}/obligations",
            Requires(Action::ManageBreach),
        ),
        r(
            "POST",
            "/deviations/{id}/draft",
            Requires(Action::ManageBreach),
        ),
        r(
            "GET",
            "/deviations/{id}/draft.json",
            Requires(Action::ManageBreach),
        ),
        r(
            "GET",
            "/deviations/{id}/draft.pdf",
            Requires(Action::ManageBreach),
        ),
        r(
            "GET",
            "/deviations/{id}/export.json",
            Requires(Action::ViewDeviations),
        ),
        r("GET", "/anonymous/{token}", Public),
        r("POST", "/anonymous/{token}", Public),
        r("GET", "/anonymous/{token}/follow", Public),
    ]
}

// ---------- shared helpers ----------

/// RFC 3339 in UTC (for JSON).
pub(crate) fn rfc3339(t: OffsetDateTime) -> String {
    t.to_offset(time::UtcOffset::UTC)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// The tenant's calendar: the time zone of its settings (every deadline is computed in it).
pub(crate) fn calendar(settings: &vakt_core::settings::Settings) -> TenantCalendar {
    crate::local_time::calendar(&settings.time_zone)
}

/// The calendar of a tenant by its stored settings (where no signed-in user brings them along).
pub(crate) async fn tenant_calendar(
    st: &AppState,
    tenant: &Tenant,
) -> Result<TenantCalendar, AppError> {
    Ok(calendar(
        &crate::session::tenant_settings(st, tenant).await?,
    ))
}

/// `YYYY-MM-DD HH:MM` in the tenant's time zone.
pub(crate) fn local_time(cal: &TenantCalendar, t: OffsetDateTime) -> String {
    let l = cal.local(t).unwrap_or(t);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}",
        l.year(),
        u8::from(l.month()),
        l.day(),
        l.hour(),
        l.minute()
    )
}

/// The value for an `<input type="datetime-local">` in the tenant's zone.
pub(crate) fn local_input(cal: &TenantCalendar, t: OffsetDateTime) -> String {
    local_time(cal, t).replace(' ', "T")
}

/// Parses a `datetime-local` value (`YYYY-MM-DDTHH:MM[:SS]`) in the tenant's zone.
pub(crate) fn parse_local(cal: &TenantCalendar, s: &str) -> Option<OffsetDateTime> {
    let s = s.trim();
    let fmt = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]");
    let fmt_s = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]");
    let p = time::PrimitiveDateTime::parse(s, fmt)
        .or_else(|_| time::PrimitiveDateTime::parse(s, fmt_s))
        .ok()?;
    cal.from_local(p).ok()
}

/// A countdown as text: "2 d 3 h 4 min left" or "overdue by 5 h 0 min" (server-rendered).
pub(crate) fn countdown(lang: Lang, now: OffsetDateTime, due: OffsetDateTime) -> (String, bool) {
    let diff = due - now;
    let overdue = diff.is_negative();
    let secs = diff.whole_seconds().unsigned_abs();
    let days = secs / 86_400;
    let hours = (secs % 86_400) / 3600;
    let minutes = (secs % 3600) / 60;
    // Hours up to four days (so "72 h" reads as the legal clock), days beyond.
    let span = if secs >= 96 * 3600 {
        format!("{days} d {hours} h")
    } else {
        format!("{} h {minutes} min", secs / 3600)
    };
    let key = if overdue {
        "dev-countdown-overdue"
    } else {
        "dev-countdown-left"
    };
    (
        crate::i18n::t(lang, key, &[("span", span.as_str().into())]),
        overdue,
    )
}

/// The regimes in force: the country preset plus the tenant's own TOML.
pub(crate) fn regimes(tenant: &Tenant, cfg: &DevConfig) -> RegimeSet {
    let preset = RegimeSet::preset(tenant.country).unwrap_or(RegimeSet {
        country: Some(tenant.country),
        regimes: Vec::new(),
    });
    if cfg.regimes_toml.trim().is_empty() {
        return preset;
    }
    match RegimeSet::from_toml(&cfg.regimes_toml).and_then(|own| preset.clone().with_tenant(own)) {
        Ok(r) => r,
        Err(e) => {
            tracing::warn!(tenant = %tenant.id, error = %e, "tenant regimes invalid; using the preset");
            preset
        }
    }
}

pub(crate) fn parse_case_id(s: &str) -> Result<CaseId, AppError> {
    Uuid::parse_str(s.trim())
        .map(CaseId)
        .map_err(|_| AppError::not_found())
}

/// The resource a case is: its unit and the unit's ancestors (tenant-wide when it has no unit).
pub(crate) fn case_resource(
    user: &CurrentUser,
    units: &[OrgUnit],
    unit: Option<UnitId>,
) -> Resource {
    match unit {
        Some(u) => Resource::in_unit(user.tenant_id(), path_to_root(units, u)),
        None => Resource::tenant(user.tenant_id()),
    }
}

/// Loads a case of the user's tenant and checks `action` on it (404 for another tenant's id,
/// 403 when not allowed, 403 for an exempt case to anyone who does not handle breaches).
pub(crate) async fn load_case(
    st: &AppState,
    user: &CurrentUser,
    id: &str,
    action: Action,
) -> Result<(Case, Vec<OrgUnit>), AppError> {
    let id = parse_case_id(id)?;
    let case = st
        .db()
        .dev_case(user.tenant_id(), id)
        .await?
        .ok_or_else(AppError::not_found)?;
    let units = st.db().units(user.tenant_id()).await?;
    user.authorize(action, &case_resource(user, &units, case.unit))?;
    if case.secrecy == vakt_store::Secrecy::Exempt && !user.may(Action::ManageBreach) {
        user.authorize(Action::ManageBreach, &Resource::tenant(user.tenant_id()))?;
    }
    Ok((case, units))
}

pub(crate) fn category_label(lang: Lang, cats: &[Category], id: Option<Uuid>) -> String {
    match id.and_then(|id| cats.iter().find(|c| c.id == id)) {
        Some(c) if !c.name.is_empty() => c.name.clone(),
        Some(c) => crate::i18n::t(lang, &format!("dev-cat-{}", c.key.replace('_', "-")), &[]),
        None => String::new(),
    }
}

pub(crate) fn state_label(lang: Lang, s: CaseState) -> String {
    let key = match s {
        CaseState::Reported => "dev-state-reported",
        CaseState::Triage => "dev-state-triage",
        CaseState::Investigation => "dev-state-investigation",
        CaseState::Measures => "dev-state-measures",
        CaseState::Closed => "dev-state-closed",
    };
    crate::i18n::t(lang, key, &[])
}

pub(crate) fn severity_label(lang: Lang, s: Option<Severity>) -> String {
    let key = match s {
        Some(Severity::Low) => "dev-sev-low",
        Some(Severity::Medium) => "dev-sev-medium",
        Some(Severity::High) => "dev-sev-high",
        Some(Severity::Serious) => "dev-sev-serious",
        None => return String::new(),
    };
    crate::i18n::t(lang, key, &[])
}

/// Recomputes and stores the case's earliest running deadline (triage, reporting phases, open
/// measures) for the urgency order and the escalation sweep.
pub async fn refresh_due(
    st: &AppState,
    tenant: &Tenant,
    id: CaseId,
) -> Result<Option<OffsetDateTime>, AppError> {
    let db = st.db();
    let Some(case) = db.dev_case(tenant.id, id).await? else {
        return Ok(None);
    };
    let cfg = db.dev_config(tenant.id).await?;
    let due = next_due(st, tenant, &cfg, &case).await?;
    if due != case.next_due {
        db.set_dev_next_due(tenant.id, id, due).await?;
    }
    Ok(due)
}

/// The clocks of a case: `(clock key, label key, due)` for every running one, earliest first.
pub(crate) async fn clocks(
    st: &AppState,
    tenant: &Tenant,
    cfg: &DevConfig,
    case: &Case,
) -> Result<Vec<(String, String, OffsetDateTime)>, AppError> {
    let cal = tenant_calendar(st, tenant).await?;
    let obligations = st.db().dev_obligations(tenant.id, case.id).await?;
    let measures = st.db().dev_measures(tenant.id, case.id).await?;
    let mut out: Vec<(String, String, OffsetDateTime)> =
        notify::case_clocks(st.now(), tenant, &cal, cfg, case, &obligations, &measures)
            .into_iter()
            .map(|(k, l, d)| (k, l, d.due()))
            .collect();
    out.sort_by_key(|c| c.2);
    Ok(out)
}

async fn next_due(
    st: &AppState,
    tenant: &Tenant,
    cfg: &DevConfig,
    case: &Case,
) -> Result<Option<OffsetDateTime>, AppError> {
    Ok(clocks(st, tenant, cfg, case)
        .await?
        .into_iter()
        .map(|c| c.2)
        .min())
}

/// The states of the case's obligations (for the close check).
pub(crate) async fn obligation_states(
    st: &AppState,
    tenant: &Tenant,
    cfg: &DevConfig,
    case: CaseId,
) -> Result<Vec<(String, ObligationState)>, AppError> {
    let regimes = regimes(tenant, cfg);
    let cal = tenant_calendar(st, tenant).await?;
    let now = st.now();
    let mut out = Vec::new();
    for o in st.db().dev_obligations(tenant.id, case).await? {
        if let Some(r) = regimes.get(&o.obligation.regime)
            && let Ok(s) = o.obligation.status(r, now, &cal)
        {
            out.push((o.obligation.regime.clone(), s.state));
        }
    }
    Ok(out)
}

/// Starts the obligations a trigger starts (once per regime), counting from awareness.
pub(crate) fn obligations_for(
    tenant: &Tenant,
    cfg: &DevConfig,
    trigger: vakt_core::deviations::Trigger,
    aware_at: OffsetDateTime,
) -> Vec<vakt_core::deviations::Obligation> {
    start_obligations(&regimes(tenant, cfg), trigger, aware_at)
}

// ---------- lists ----------

/// One row of a case list, ready to show.
pub struct CaseRow {
    pub id: String,
    pub number: i64,
    pub title: String,
    pub state: String,
    pub severity: String,
    pub category: String,
    pub reported: String,
    pub breach: bool,
    pub significant: bool,
    pub due: Option<(String, bool)>,
}

pub(crate) fn rows(
    st: &AppState,
    user: &CurrentUser,
    cats: &[Category],
    list: Vec<CaseSummary>,
) -> Vec<CaseRow> {
    let lang = user.lang();
    let cal = calendar(&user.settings);
    let now = st.now();
    list.into_iter()
        .map(|c| CaseRow {
            id: c.id.to_string(),
            number: c.number,
            title: c.title,
            state: state_label(lang, c.state),
            severity: severity_label(lang, c.severity),
            category: category_label(lang, cats, c.category),
            reported: local_time(&cal, c.reported_at),
            breach: c.is_breach,
            significant: c.significant,
            due: c.next_due.map(|d| {
                let (text, overdue) = countdown(lang, now, d);
                (format!("{} ({text})", local_time(&cal, d)), overdue)
            }),
        })
        .collect()
}

pub(crate) fn parse_opt<T: serde::de::DeserializeOwned>(s: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(s.to_owned())).ok()
}

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    pub state: String,
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub severity: String,
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub breach: String,
    #[serde(default)]
    pub open: String,
    #[serde(default)]
    pub page: u64,
    /// Keyset cursor: the last case of the previous page (newest-first lists).
    #[serde(default)]
    pub after: String,
    /// Exports: `1` includes personal data (reporter, handler) for those allowed to export it.
    #[serde(default)]
    pub personal: String,
}

impl ListQuery {
    /// The filters as a query string (`state=…&category=…&…`), for links that keep them.
    pub(crate) fn filter_query(&self) -> String {
        format!(
            "state={}&category={}&severity={}&q={}&breach={}&open={}",
            urlencoding::encode(&self.state),
            urlencoding::encode(&self.category),
            urlencoding::encode(&self.severity),
            urlencoding::encode(&self.q),
            urlencoding::encode(&self.breach),
            urlencoding::encode(&self.open),
        )
    }

    pub(crate) fn filter(&self) -> CaseFilter {
        CaseFilter {
            state: parse_opt(&self.state),
            open_only: self.open == "1",
            category: Uuid::parse_str(&self.category).ok(),
            severity: parse_opt(&self.severity),
            breach_only: self.breach == "1",
            text: Some(self.q.chars().take(200).collect::<String>())
                .filter(|s| !s.trim().is_empty()),
            limit: PAGE_SIZE,
            offset: self.page.min(100_000) * u64::from(PAGE_SIZE),
            after: Uuid::parse_str(&self.after).ok().map(CaseId),
            ..CaseFilter::default()
        }
    }
}

#[derive(Template)]
#[template(path = "deviations/list.html")]
struct ListPage {
    page: Page,
    heading: String,
    action: String,
    rows: Vec<CaseRow>,
    count_text: String,
    q: ListQuery,
    categories: Vec<(String, String)>,
    states: Vec<(&'static str, String)>,
    severities: Vec<(&'static str, String)>,
    prev: Option<String>,
    next: Option<String>,
    can_configure: bool,
    can_stats: bool,
    can_register: bool,
    /// The export links with the list's filters (the tenant-wide list only).
    export: Option<String>,
    can_export_personal: bool,
}

async fn list_page(
    st: &AppState,
    user: &CurrentUser,
    q: ListQuery,
    filter: CaseFilter,
    heading: String,
    path: &str,
) -> Result<Response, AppError> {
    let lang = user.lang();
    let cats = st.db().dev_categories(user.tenant_id()).await?;
    let (list, total) = st.db().dev_cases(user.tenant_id(), &filter).await?;
    let categories = cats
        .iter()
        .map(|c| (c.id.to_string(), category_label(lang, &cats, Some(c.id))))
        .collect();
    let states = [
        ("reported", CaseState::Reported),
        ("triage", CaseState::Triage),
        ("investigation", CaseState::Investigation),
        ("measures", CaseState::Measures),
        ("closed", CaseState::Closed),
    ]
    .into_iter()
    .map(|(k, s)| (k, state_label(lang, s)))
    .collect();
    let severities = [
        ("low", Severity::Low),
        ("medium", Severity::Medium),
        ("high", Severity::High),
        ("serious", Severity::Serious),
    ]
    .into_iter()
    .map(|(k, s)| (k, severity_label(lang, Some(s))))
    .collect();
    let filters = q.filter_query();
    let link = |p: u64| format!("{path}?{filters}&page={p}");
    let page_no = q.page;
    let more_than_cap = total > vakt_store::CASE_COUNT_CAP;
    let full = list.len() == PAGE_SIZE as usize;
    let (prev, next) = if filter.order == CaseOrder::Newest {
        // Newest first pages by keyset (any depth at the same cost): "next" continues after the
        // last case shown; "back" returns to the first page.
        let keyset = filter.after.is_some();
        let shown = u64::try_from(list.len()).unwrap_or(0) + if keyset { 0 } else { filter.offset };
        let more = full && (more_than_cap || shown < u64::try_from(total).unwrap_or(0) || keyset);
        let next = more
            .then(|| list.last().map(|c| format!("{}&after={}", link(0), c.id)))
            .flatten();
        let prev = if keyset {
            Some(link(0))
        } else {
            (page_no > 0).then(|| link(page_no - 1))
        };
        (prev, next)
    } else {
        let next = (full
            && (more_than_cap
                || (page_no + 1) * u64::from(PAGE_SIZE) < u64::try_from(total).unwrap_or(0)))
        .then(|| link(page_no + 1));
        ((page_no > 0).then(|| link(page_no - 1)), next)
    };
    let count_text = if more_than_cap {
        crate::i18n::t(
            lang,
            "dev-list-count-more",
            &[("count", vakt_store::CASE_COUNT_CAP.into())],
        )
    } else {
        crate::i18n::t(lang, "dev-list-count", &[("count", total.into())])
    };
    let export = (path == "/deviations").then(|| filters.clone());
    let page = user.page("dev-list-title", path);
    render(&ListPage {
        page,
        heading,
        action: path.to_owned(),
        rows: rows(st, user, &cats, list),
        count_text,
        q,
        categories,
        states,
        severities,
        prev,
        next,
        can_configure: user.may(Action::ConfigureDeviations),
        can_stats: user.may(Action::ViewDeviationStats),
        can_register: user.may(Action::ViewBreachRegister),
        export,
        can_export_personal: user.may(Action::ExportDeviationPersonalData),
    })
}

/// `GET /deviations`: every case of the tenant, with filters.
async fn case_list(
    user: CurrentUser,
    State(st): State<AppState>,
    VQuery(q): VQuery<ListQuery>,
) -> Result<Response, AppError> {
    user.authorize_tenant(Action::ViewDeviations)?;
    let filter = q.filter();
    let heading = user.page("dev-list-title", "/deviations").title;
    list_page(&st, &user, q, filter, heading, "/deviations").await
}

/// `GET /deviations/dashboard`: open cases, the earliest deadline first.
async fn dashboard(
    user: CurrentUser,
    State(st): State<AppState>,
    VQuery(q): VQuery<ListQuery>,
) -> Result<Response, AppError> {
    user.authorize_tenant(Action::ViewDeviations)?;
    let mut filter = q.filter();
    filter.open_only = true;
    filter.order = CaseOrder::Urgency;
    let heading = crate::i18n::t(user.lang(), "dev-dashboard-title", &[]);
    list_page(&st, &user, q, filter, heading, "/deviations/dashboard").await
}

/// `GET /deviations/unit/{id}`: the cases of a unit and every unit below it (a leader's view).
async fn unit_list(
    user: CurrentUser,
    State(st): State<AppState>,
    VPath(id): VPath<String>,
    VQuery(q): VQuery<ListQuery>,
) -> Result<Response, AppError> {
    let unit_id = Uuid::parse_str(&id)
        .map(UnitId)
        .map_err(|_| AppError::not_found())?;
    let units = st.db().units(user.tenant_id()).await?;
    let Some(unit) = units.iter().find(|u| u.id == unit_id) else {
        return Err(AppError::not_found());
    };
    user.authorize(
        Action::ViewDeviations,
        &Resource::in_unit(user.tenant_id(), path_to_root(&units, unit_id)),
    )?;
    let mut in_scope = descendants(&units, unit_id);
    if !in_scope.contains(&unit_id) {
        in_scope.push(unit_id);
    }
    let mut filter = q.filter();
    filter.units = Some(in_scope);
    filter.order = CaseOrder::Urgency;
    let heading = crate::i18n::t(
        user.lang(),
        "dev-unit-title",
        &[("unit", unit.name.as_str().into())],
    );
    let path = format!("/deviations/unit/{unit_id}");
    list_page(&st, &user, q, filter, heading, &path).await
}

/// Names of people by id (for showing assignees, owners, reporters).
pub(crate) async fn person_name(st: &AppState, user: &CurrentUser, p: Option<PersonId>) -> String {
    match p {
        Some(p) => match st.db().person(user.tenant_id(), p).await {
            Ok(Some(person)) => person.display_name(),
            _ => String::new(),
        },
        None => String::new(),
    }
}
