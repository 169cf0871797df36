//! Statistics: counts by month, category, unit and severity, time to triage and to close,
//! breaches notified on time; server-rendered SVG bars; anonymised (groups smaller than the
//! tenant's threshold are suppressed); CSV export; and the JSON API (`/api/v1/deviations`,
//! `/api/v1/deviations/stats`) with its OpenAPI description.

use std::collections::BTreeMap;

use askama::Template;
use axum::{
    Json,
    extract::State,
    http::header,
    response::{IntoResponse, Response},
};
use serde::Serialize;
use time::OffsetDateTime;
use utoipa::{OpenApi, ToSchema};
use vakt_core::authz::Action;
use vakt_store::{Category, StatRow};

use super::{ListQuery, category_label, regimes, severity_label};
use crate::{
    AppError, AppState,
    extract::{ApiUser, CurrentUser, VQuery},
    i18n::{Lang, t},
    page::{Page, render},
};

/// One group of the statistics; `count` is `None` when suppressed (fewer than the threshold).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StatGroup {
    pub key: String,
    pub label: String,
    pub count: Option<i64>,
}

/// The statistics of the last twelve months.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DeviationStats {
    /// Groups smaller than this are suppressed.
    pub threshold: i64,
    pub total: i64,
    pub by_month: Vec<StatGroup>,
    pub by_category: Vec<StatGroup>,
    pub by_unit: Vec<StatGroup>,
    pub by_severity: Vec<StatGroup>,
    /// Median hours from report to triage (cases triaged in the period).
    pub median_hours_to_triage: Option<f64>,
    /// Median days from report to closure.
    pub median_days_to_close: Option<f64>,
    pub breaches: i64,
    /// Breaches whose notification to the authority met the 72-hour deadline.
    pub breaches_notified_on_time: i64,
    pub breaches_notified_late: i64,
    /// Breaches decided as not to be notified (with reasoning).
    pub breaches_not_notified: i64,
}

/// A case in the API list.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CaseDto {
    pub id: uuid::Uuid,
    pub number: i64,
    pub title: String,
    pub state: String,
    pub severity: Option<String>,
    pub category: Option<uuid::Uuid>,
    pub unit: Option<uuid::Uuid>,
    pub personal_data_breach: bool,
    pub significant_incident: bool,
    /// RFC 3339, UTC.
    pub reported_at: String,
    /// The earliest running deadline (RFC 3339, UTC).
    pub next_due: Option<String>,
}

/// A page of cases.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CasePage {
    /// Matching cases, counted up to 1000; 1001 means more than 1000.
    pub total: i64,
    pub items: Vec<CaseDto>,
}

#[derive(OpenApi)]
#[openapi(
    paths(api_cases, api_stats),
    components(schemas(CaseDto, CasePage, DeviationStats, StatGroup))
)]
pub struct DevApiDoc;

fn rfc3339(t: OffsetDateTime) -> String {
    super::rfc3339(t)
}

fn median(mut v: Vec<f64>) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(|a, b| a.total_cmp(b));
    let n = v.len();
    let m = if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    };
    Some((m * 10.0).round() / 10.0)
}

fn suppress(threshold: i64, groups: BTreeMap<String, (String, i64)>) -> Vec<StatGroup> {
    groups
        .into_iter()
        .map(|(key, (label, count))| StatGroup {
            key,
            label,
            count: (count >= threshold).then_some(count),
        })
        .collect()
}

/// Computes the statistics for the twelve months up to `now`.
pub async fn compute(
    st: &AppState,
    tenant: &vakt_core::directory::Tenant,
    lang: Lang,
) -> Result<DeviationStats, AppError> {
    let db = st.db();
    let now = st.now();
    let from = now - time::Duration::days(365);
    let cfg = db.dev_config(tenant.id).await?;
    let threshold = cfg.stats_threshold.max(1);
    let rows: Vec<StatRow> = db
        .dev_stats(tenant.id, from, now + time::Duration::seconds(1))
        .await?;
    let cats: Vec<Category> = db.dev_categories(tenant.id).await?;
    let units = db.units(tenant.id).await?;
    let mut by_month = BTreeMap::new();
    let mut by_cat = BTreeMap::new();
    let mut by_unit = BTreeMap::new();
    let mut by_sev = BTreeMap::new();
    let mut total = 0;
    for r in &rows {
        total += r.count;
        by_month
            .entry(r.month.clone())
            .or_insert((r.month.clone(), 0))
            .1 += r.count;
        let ck = r.category.map(|c| c.to_string()).unwrap_or_default();
        by_cat
            .entry(ck)
            .or_insert((category_label(lang, &cats, r.category), 0))
            .1 += r.count;
        let uk = r.unit.map(|u| u.to_string()).unwrap_or_default();
        let ul = r
            .unit
            .and_then(|u| units.iter().find(|x| x.id == u))
            .map(|u| u.name.clone())
            .unwrap_or_else(|| t(lang, "dev-stats-no-unit", &[]));
        by_unit.entry(uk).or_insert((ul, 0)).1 += r.count;
        let sk = r
            .severity
            .map(|s| {
                serde_json::to_value(s)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default()
            })
            .unwrap_or_else(|| "unset".to_owned());
        let sl = if r.severity.is_some() {
            severity_label(lang, r.severity)
        } else {
            t(lang, "dev-stats-unset", &[])
        };
        by_sev.entry(sk).or_insert((sl, 0)).1 += r.count;
    }
    let times = db
        .dev_case_times(tenant.id, from, now + time::Duration::seconds(1))
        .await?;
    let triage = times
        .iter()
        .filter_map(|c| {
            c.triaged_at
                .map(|t| (t - c.reported_at).as_seconds_f64() / 3600.0)
        })
        .collect();
    let close = times
        .iter()
        .filter_map(|c| {
            c.closed_at
                .map(|t| (t - c.reported_at).as_seconds_f64() / 86_400.0)
        })
        .collect();
    // Breaches of the period, and whether each was notified on time: the GDPR authority
    // obligation's first report against its clock.
    let breaches = rows.iter().filter(|r| r.is_breach).map(|r| r.count).sum();
    let regimes = regimes(tenant, &cfg);
    let cal = super::tenant_calendar(st, tenant).await?;
    let (mut on_time, mut late, mut not_notified) = (0, 0, 0);
    if let Some(r) = regimes.get("gdpr_authority") {
        for (_, o) in db
            .dev_breach_obligations(tenant.id, &r.key, from, now + time::Duration::seconds(1))
            .await?
        {
            if let Ok(s) = o.obligation.status(r, now, &cal) {
                if s.state == vakt_core::deviations::ObligationState::NotRequired {
                    not_notified += 1;
                } else if s.phases.iter().any(|p| p.late) {
                    late += 1;
                } else if s.phases.iter().any(|p| p.first_submitted_at.is_some()) {
                    on_time += 1;
                }
            }
        }
    }
    Ok(DeviationStats {
        threshold,
        total,
        by_month: suppress(threshold, by_month),
        by_category: suppress(threshold, by_cat),
        by_unit: suppress(threshold, by_unit),
        by_severity: suppress(threshold, by_sev),
        median_hours_to_triage: median(triage),
        median_days_to_close: median(close),
        breaches,
        breaches_notified_on_time: on_time,
        breaches_notified_late: late,
        breaches_not_notified: not_notified,
    })
}

/// One bar of a server-rendered SVG chart.
pub struct Bar {
    pub label: String,
    pub value: String,
    pub y: i64,
    pub width: i64,
}

fn bars(groups: &[StatGroup], suppressed: &str) -> (Vec<Bar>, i64) {
    let max = groups
        .iter()
        .filter_map(|g| g.count)
        .max()
        .unwrap_or(1)
        .max(1);
    let out: Vec<Bar> = groups
        .iter()
        .enumerate()
        .map(|(i, g)| Bar {
            label: g.label.clone(),
            value: g
                .count
                .map(|c| c.to_string())
                .unwrap_or_else(|| suppressed.to_owned()),
            y: i64::try_from(i).unwrap_or(0) * 24,
            width: g.count.map(|c| c * 300 / max).unwrap_or(0),
        })
        .collect();
    let h = i64::try_from(out.len()).unwrap_or(0) * 24 + 4;
    (out, h)
}

pub struct Chart {
    pub title: String,
    pub bars: Vec<Bar>,
    pub height: i64,
}

#[derive(Template)]
#[template(path = "deviations/stats.html")]
struct StatsPage {
    page: Page,
    stats: DeviationStats,
    charts: Vec<Chart>,
    triage: String,
    close: String,
}

/// `GET /deviations/stats`.
pub async fn stats_page(
    user: CurrentUser,
    State(st): State<AppState>,
) -> Result<Response, AppError> {
    user.authorize_tenant(Action::ViewDeviationStats)?;
    let lang = user.lang();
    let stats = compute(&st, &user.tenant, lang).await?;
    let sup = t(lang, "dev-stats-suppressed", &[]);
    let charts = [
        ("dev-stats-by-month", &stats.by_month),
        ("dev-stats-by-category", &stats.by_category),
        ("dev-stats-by-unit", &stats.by_unit),
        ("dev-stats-by-severity", &stats.by_severity),
    ]
    .into_iter()
    .map(|(k, g)| {
        let (bars, height) = bars(g, &sup);
        Chart {
            title: t(lang, k, &[]),
            bars,
            height,
        }
    })
    .collect();
    let fmt = |v: Option<f64>| v.map(|x| format!("{x:.1}")).unwrap_or_else(|| "–".into());
    let triage = fmt(stats.median_hours_to_triage);
    let close = fmt(stats.median_days_to_close);
    let page = user.page("dev-stats-title", "/deviations/stats");
    render(&StatsPage {
        page,
        stats,
        charts,
        triage,
        close,
    })
}

/// `GET /deviations/stats.csv`: the statistics (groups below the threshold suppressed).
pub async fn stats_csv(
    user: CurrentUser,
    State(st): State<AppState>,
) -> Result<Response, AppError> {
    user.authorize_tenant(Action::ViewDeviationStats)?;
    let lang = user.lang();
    let stats = compute(&st, &user.tenant, lang).await?;
    let out = stats_csv_bytes(&stats)?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"deviation-statistics.csv\"",
            ),
        ],
        out,
    )
        .into_response())
}

/// Every group of every dimension: (dimension, key, label, count — `None` when suppressed).
fn stat_rows(stats: &DeviationStats) -> Vec<(&'static str, &str, &str, Option<i64>)> {
    let mut rows = Vec::new();
    for (dim, groups) in [
        ("month", &stats.by_month),
        ("category", &stats.by_category),
        ("unit", &stats.by_unit),
        ("severity", &stats.by_severity),
    ] {
        for g in groups {
            rows.push((dim, g.key.as_str(), g.label.as_str(), g.count));
        }
    }
    rows
}

/// The CSV of the statistics: one row per group, its count or `suppressed`; every cell defused against
/// formula injection (a unit's name is the tenant's text).
fn stats_csv_bytes(stats: &DeviationStats) -> Result<Vec<u8>, AppError> {
    let header: Vec<String> = ["dimension", "key", "label", "count"]
        .map(str::to_owned)
        .to_vec();
    let rows: Vec<Vec<String>> = stat_rows(stats)
        .into_iter()
        .map(|(dim, key, label, count)| {
            vec![
                dim.to_owned(),
                key.to_owned(),
                label.to_owned(),
                count.map_or_else(|| "suppressed".to_owned(), |c| c.to_string()),
            ]
        })
        .collect();
    crate::instructions::reports::csv_bytes(&header, &rows)
}

/// `GET /deviations/stats.xlsx`: the same statistics as a spreadsheet with headings in the reader's
/// language; suppressed groups say so.
pub async fn stats_xlsx(
    user: CurrentUser,
    State(st): State<AppState>,
) -> Result<Response, AppError> {
    user.authorize_tenant(Action::ViewDeviationStats)?;
    let lang = user.lang();
    let stats = compute(&st, &user.tenant, lang).await?;
    let header: Vec<String> = [
        "dev-stats-col-dimension",
        "dev-stats-col-key",
        "dev-stats-col-label",
        "dev-stats-col-count",
    ]
    .iter()
    .map(|k| crate::i18n::t(lang, k, &[]))
    .collect();
    let suppressed = crate::i18n::t(lang, "dev-stats-suppressed", &[]);
    let rows: Vec<Vec<String>> = stat_rows(&stats)
        .into_iter()
        .map(|(dim, key, label, count)| {
            vec![
                crate::i18n::t(lang, &format!("dev-stats-by-{dim}"), &[]),
                key.to_owned(),
                label.to_owned(),
                count.map_or_else(|| suppressed.clone(), |c| c.to_string()),
            ]
        })
        .collect();
    let body = crate::instructions::reports::xlsx(&header, &rows)
        .map_err(|e| AppError::internal(e.to_string()))?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"deviation-statistics.xlsx\"",
            ),
        ],
        body,
    )
        .into_response())
}

/// Cases of the caller's tenant (filters as on the list page).
#[utoipa::path(get, path = "/api/v1/deviations", params(
    ("state" = Option<String>, Query, description = "reported, triage, investigation, measures or closed"),
    ("breach" = Option<String>, Query, description = "1 = personal-data breaches only"),
    ("q" = Option<String>, Query, description = "Words in the title"),
    ("page" = Option<u64>, Query, description = "Page number from 0"),
    ("after" = Option<String>, Query, description = "Keyset cursor: the id of the last case of the previous page (newest first); cheaper than deep pages")),
    responses((status = 200, body = CasePage), (status = 401, body = crate::api::dto::ErrorBody), (status = 403, body = crate::api::dto::ErrorBody)))]
pub async fn api_cases(
    user: ApiUser,
    State(st): State<AppState>,
    VQuery(q): VQuery<ListQuery>,
) -> Result<Json<CasePage>, AppError> {
    user.authorize_tenant(Action::ViewDeviations)?;
    let (list, total) = st.db().dev_cases(user.tenant_id(), &q.filter()).await?;
    let code = |v: serde_json::Value| v.as_str().map(str::to_owned);
    Ok(Json(CasePage {
        total,
        items: list
            .into_iter()
            .map(|c| CaseDto {
                id: c.id.0,
                number: c.number,
                title: c.title,
                state: code(serde_json::to_value(c.state).unwrap_or_default()).unwrap_or_default(),
                severity: c
                    .severity
                    .and_then(|s| code(serde_json::to_value(s).unwrap_or_default())),
                category: c.category,
                unit: c.unit.map(|u| u.0),
                personal_data_breach: c.is_breach,
                significant_incident: c.significant,
                reported_at: rfc3339(c.reported_at),
                next_due: c.next_due.map(rfc3339),
            })
            .collect(),
    }))
}

/// Anonymised statistics of the last twelve months.
#[utoipa::path(get, path = "/api/v1/deviations/stats", responses(
    (status = 200, body = DeviationStats), (status = 401, body = crate::api::dto::ErrorBody), (status = 403, body = crate::api::dto::ErrorBody)))]
pub async fn api_stats(
    user: ApiUser,
    State(st): State<AppState>,
) -> Result<Json<DeviationStats>, AppError> {
    user.authorize_tenant(Action::ViewDeviationStats)?;
    let tenant = st
        .db()
        .tenant(user.tenant_id())
        .await?
        .ok_or_else(AppError::not_found)?;
    Ok(Json(compute(&st, &tenant, Lang::En).await?))
}

#[cfg(test)]
mod csv_tests {
    use super::*;

    #[test]
    fn the_csv_defuses_formulas_quotes_and_says_suppressed() {
        let group = |key: &str, label: &str, count| StatGroup {
            key: key.into(),
            label: label.into(),
            count,
        };
        let stats = DeviationStats {
            threshold: 5,
            total: 12,
            by_month: vec![group("2026-11", "November 2026", Some(12))],
            by_category: Vec::new(),
            by_unit: vec![
                group("u1", "=HYPERLINK(\"http://x\")", Some(9)),
                group("u2", "\tOppvekst, \"skole\"", None),
            ],
            by_severity: Vec::new(),
            median_hours_to_triage: None,
            median_days_to_close: None,
            breaches: 0,
            breaches_notified_on_time: 0,
            breaches_notified_late: 0,
            breaches_not_notified: 0,
        };
        let csv = String::from_utf8(stats_csv_bytes(&stats).expect("csv")).expect("utf-8");
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines[0], "dimension,key,label,count");
        assert_eq!(lines[1], "month,2026-11,November 2026,12");
        assert_eq!(lines[2], "unit,u1,\"'=HYPERLINK(\"\"http://x\"\")\",9");
        assert_eq!(
            lines[3],
            "unit,u2,\"'\tOppvekst, \"\"skole\"\"\",suppressed"
        );
        assert_eq!(lines.len(), 4);
    }
}
