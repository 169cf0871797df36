//! The audit log page (security coordinator, DPO, auditor): search by person, object, action and date range,
//! with paging and CSV export of the same search.

use askama::Template;
use axum::{
    Router,
    extract::State,
    http::{HeaderValue, header},
    response::{IntoResponse, Response},
    routing::get,
};
use serde::Deserialize;
use time::{Date, OffsetDateTime};

use uuid::Uuid;
use vakt_core::audit::AuditEvent;
use vakt_core::authz::{Action, Resource};
use vakt_core::directory::{PersonId, TenantId};
use vakt_store::{AuditFilter, PeopleQuery};

use crate::{
    AppError, AppState,
    directory::store_error,
    extract::{CurrentUser, VQuery},
    i18n::{Arg, Lang, t},
    local_time::LocalTime,
    page::{Page, render},
};

/// Events per page.
pub const PAGE_SIZE: u64 = 100;
/// The most events one CSV export holds.
pub const EXPORT_LIMIT: u64 = 100_000;
const MAX_FILTER_CHARS: usize = 200;

/// The audit routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/audit", get(audit_page))
        .route("/audit/export.csv", get(export_csv))
}

/// This module's routes with their method, path and required access (for the route-by-role test).
pub fn route_table() -> Vec<crate::routes::RouteInfo> {
    use crate::routes::{Access::Requires, RouteInfo};
    vec![
        RouteInfo::new("GET", "/audit", Requires(Action::ViewAudit)),
        RouteInfo::new("GET", "/audit/export.csv", Requires(Action::ExportAudit)),
    ]
}

/// The search form as submitted.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct AuditParams {
    #[serde(default)]
    pub person: String,
    #[serde(default)]
    pub object: String,
    #[serde(default)]
    pub action: String,
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    #[serde(default)]
    pub page: Option<u64>,
}

/// The parsed form before the person is looked up.
#[derive(Debug)]
pub struct ParsedFilter {
    pub person: Option<String>,
    pub object: Option<String>,
    pub action: Option<String>,
    pub from: Option<OffsetDateTime>,
    pub until: Option<OffsetDateTime>,
}

impl ParsedFilter {
    /// The store filter. The person is found by id, employee number, e-mail or name; `None` means the
    /// person text matches nobody (so nothing can match).
    pub async fn resolve(
        &self,
        st: &AppState,
        tenant: TenantId,
    ) -> Result<Option<AuditFilter>, AppError> {
        let mut f = AuditFilter {
            from: self.from,
            until: self.until,
            ..AuditFilter::default()
        };
        if let Some(obj) = &self.object {
            // `type`, `type:id` or `type id`.
            let (ty, id) = match obj.split_once([':', ' ']) {
                Some((t, i)) => (t.trim(), Some(i.trim())),
                None => (obj.as_str(), None),
            };
            if Uuid::parse_str(ty).is_ok() && id.is_none() {
                f.object_id = Some(ty.to_owned());
            } else {
                f.object_type = Some(ty.to_owned());
                f.object_id = id.filter(|i| !i.is_empty()).map(str::to_owned);
            }
        }
        if let Some(a) = &self.action {
            // A bare word (`person`) means every action of that kind (`person.`).
            f.action = Some(if a.contains('.') {
                a.clone()
            } else {
                format!("{a}.")
            });
        }
        if let Some(p) = &self.person {
            match find_person(st, tenant, p).await? {
                Some(id) => f.person = Some(id),
                None => return Ok(None),
            }
        }
        Ok(Some(f))
    }
}

async fn find_person(
    st: &AppState,
    tenant: TenantId,
    text: &str,
) -> Result<Option<PersonId>, AppError> {
    if let Ok(id) = Uuid::parse_str(text) {
        return Ok(Some(PersonId(id)));
    }
    if let Some(p) = st
        .db()
        .person_by_employee_number(tenant, text)
        .await
        .map_err(store_error)?
    {
        return Ok(Some(p.id));
    }
    let q = PeopleQuery {
        text: Some(text.to_owned()),
        limit: 2,
        ..PeopleQuery::default()
    };
    let found = st
        .db()
        .search_people(tenant, &q)
        .await
        .map_err(store_error)?;
    // Only an unambiguous match narrows the log; otherwise show nothing rather than the wrong person.
    Ok(match found.items.as_slice() {
        [one] => Some(one.id),
        _ => None,
    })
}

impl AuditParams {
    /// The parsed search, or the translated problems with the form. Dates are days in the tenant's
    /// time zone (`times`): from local midnight of `from` to local midnight after `to`.
    pub fn parse(&self, lang: Lang, times: &LocalTime) -> Result<ParsedFilter, Vec<String>> {
        let mut errors = Vec::new();
        let text = |value: &str, label: &str, errors: &mut Vec<String>| -> Option<String> {
            let v = value.trim();
            if v.chars().any(char::is_control) {
                errors.push(t(
                    lang,
                    "audit-err-invalid",
                    &[("field", Arg::from(t(lang, label, &[])))],
                ));
                return None;
            }
            if v.chars().count() > MAX_FILTER_CHARS {
                errors.push(t(
                    lang,
                    "audit-err-too-long",
                    &[
                        ("field", Arg::from(t(lang, label, &[]))),
                        ("max", Arg::from(MAX_FILTER_CHARS)),
                    ],
                ));
                return None;
            }
            (!v.is_empty()).then(|| v.to_owned())
        };
        let date = |value: &str, label: &str, errors: &mut Vec<String>| -> Option<Date> {
            let v = value.trim();
            if v.is_empty() {
                return None;
            }
            let d = if v.len() > 32 {
                None
            } else {
                crate::directory::parse_date(v)
            };
            if d.is_none() {
                errors.push(t(
                    lang,
                    "audit-err-date",
                    &[("field", Arg::from(t(lang, label, &[])))],
                ));
            }
            d
        };
        let filter = ParsedFilter {
            person: text(&self.person, "audit-filter-person", &mut errors),
            object: text(&self.object, "audit-filter-object", &mut errors),
            action: text(&self.action, "audit-filter-action", &mut errors),
            from: date(&self.from, "audit-filter-from", &mut errors).map(|d| times.start_of_day(d)),
            until: date(&self.to, "audit-filter-to", &mut errors)
                .and_then(|d| d.next_day())
                .map(|d| times.start_of_day(d)),
        };
        if errors.is_empty() {
            Ok(filter)
        } else {
            Err(errors)
        }
    }

    fn query_string(&self, page: Option<u64>) -> String {
        let mut parts = Vec::new();
        for (k, v) in [
            ("person", &self.person),
            ("object", &self.object),
            ("action", &self.action),
            ("from", &self.from),
            ("to", &self.to),
        ] {
            if !v.is_empty() {
                parts.push(format!("{k}={}", urlencoding::encode(v)));
            }
        }
        if let Some(p) = page {
            parts.push(format!("page={p}"));
        }
        parts.join("&")
    }
}

/// One event as shown.
pub struct EventRow {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub object: String,
    pub summary: String,
    pub origin: String,
}

fn summary(ev: &AuditEvent) -> String {
    match (&ev.before, &ev.after) {
        (Some(b), Some(a)) => format!("{b} → {a}"),
        (None, Some(a)) => a.clone(),
        (Some(b), None) => b.clone(),
        (None, None) => String::new(),
    }
}

fn row(ev: &AuditEvent, times: &LocalTime) -> EventRow {
    EventRow {
        seq: ev.seq,
        at: times.minute(ev.at),
        actor: ev.actor.label.clone(),
        action: ev.action.clone(),
        object: format!("{} {}", ev.object_type, ev.object_id),
        summary: summary(ev),
        origin: ev.ip.clone().unwrap_or_default(),
    }
}

#[derive(Template)]
#[template(path = "audit/log.html")]
struct AuditPage {
    page: Page,
    filter: AuditParams,
    errors: Vec<String>,
    rows: Vec<EventRow>,
    page_no: u64,
    prev_href: Option<String>,
    next_href: Option<String>,
    export_href: String,
}

async fn audit_page(
    user: CurrentUser,
    State(st): State<AppState>,
    VQuery(params): VQuery<AuditParams>,
) -> Result<Response, AppError> {
    let tenant = user.tenant_id();
    user.authorize(Action::ViewAudit, &Resource::tenant(tenant))?;
    let lang = user.lang();
    let page_no = params.page.unwrap_or(1).max(1);
    let times = user.local_time();
    let (rows, has_more, errors) = match params.parse(lang, &times) {
        Ok(parsed) => match parsed.resolve(&st, tenant).await? {
            Some(filter) => {
                let offset = (page_no - 1).saturating_mul(PAGE_SIZE);
                let mut events = st
                    .db()
                    .search_audit(tenant, &filter, PAGE_SIZE as u32 + 1, offset)
                    .await
                    .map_err(store_error)?;
                let has_more = events.len() > PAGE_SIZE as usize;
                events.truncate(PAGE_SIZE as usize);
                (
                    events.iter().map(|e| row(e, &times)).collect::<Vec<_>>(),
                    has_more,
                    Vec::new(),
                )
            }
            None => (Vec::new(), false, Vec::new()),
        },
        Err(errors) => (Vec::new(), false, errors),
    };
    let page = user.page("audit-title", "/audit");
    let body = AuditPage {
        page,
        prev_href: (page_no > 1)
            .then(|| format!("/audit?{}", params.query_string(Some(page_no - 1)))),
        next_href: has_more.then(|| format!("/audit?{}", params.query_string(Some(page_no + 1)))),
        export_href: format!("/audit/export.csv?{}", params.query_string(None)),
        filter: params,
        rows,
        page_no,
        errors: errors.clone(),
    };
    let mut resp = render(&body)?;
    if !errors.is_empty() {
        *resp.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(resp)
}

/// A CSV cell that a spreadsheet will not run as a formula (OWASP CSV injection).
pub fn csv_safe(value: &str) -> String {
    if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_owned()
    }
}

fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// The CSV columns of the audit export: the moment both in UTC and in the tenant's time zone.
const EXPORT_HEADER: [&str; 12] = [
    "seq",
    "time_utc",
    "time_local",
    "class",
    "actor",
    "ip",
    "action",
    "object_type",
    "object_id",
    "before",
    "after",
    "hash",
];

async fn export_csv(
    user: CurrentUser,
    State(st): State<AppState>,
    VQuery(params): VQuery<AuditParams>,
) -> Result<Response, AppError> {
    let tenant = user.tenant_id();
    user.authorize(Action::ExportAudit, &Resource::tenant(tenant))?;
    let times = user.local_time();
    let parsed = params.parse(user.lang(), &times).map_err(|errs| {
        AppError::invalid("audit-err-date")
            .with_detail(errs.join("; "))
            .with_arg("field", "from/to")
    })?;
    let mut events = Vec::new();
    if let Some(filter) = parsed.resolve(&st, tenant).await? {
        while (events.len() as u64) < EXPORT_LIMIT {
            let batch = st
                .db()
                .search_audit(tenant, &filter, 1000, events.len() as u64)
                .await
                .map_err(store_error)?;
            let done = batch.len() < 1000;
            events.extend(batch);
            if done {
                break;
            }
        }
    }
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(EXPORT_HEADER)
        .map_err(|e| AppError::internal(e.to_string()))?;
    for ev in &events {
        let rec = [
            ev.seq.to_string(),
            rfc3339(ev.at),
            times.rfc3339(ev.at),
            ev.class.as_str().to_owned(),
            csv_safe(&ev.actor.label),
            csv_safe(ev.ip.as_deref().unwrap_or("")),
            csv_safe(&ev.action),
            csv_safe(&ev.object_type),
            csv_safe(&ev.object_id),
            csv_safe(ev.before.as_deref().unwrap_or("")),
            csv_safe(ev.after.as_deref().unwrap_or("")),
            ev.hash.to_hex(),
        ];
        w.write_record(&rec)
            .map_err(|e| AppError::internal(e.to_string()))?;
    }
    let body = w
        .into_inner()
        .map_err(|e| AppError::internal(e.to_string()))?;
    let mut resp = body.into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    resp.headers_mut().insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"vakt-audit.csv\""),
    );
    Ok(resp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_cells_that_look_like_formulas_are_defused() {
        assert_eq!(csv_safe("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(csv_safe("+1"), "'+1");
        assert_eq!(csv_safe("person.update"), "person.update");
    }

    #[test]
    fn a_bad_date_in_the_search_is_a_translated_error() {
        let p = AuditParams {
            from: "2024-13-40".into(),
            ..AuditParams::default()
        };
        let errs = p
            .parse(Lang::En, &LocalTime::default())
            .expect_err("rejected");
        assert_eq!(errs.len(), 1);
        assert!(errs[0].contains("From date"), "{errs:?}");
    }

    #[test]
    fn dates_are_days_in_the_tenant_time_zone() {
        let p = AuditParams {
            from: "2024-05-01".into(),
            to: "2024-05-01".into(),
            ..AuditParams::default()
        };
        let f = p
            .parse(Lang::En, &LocalTime::new("Europe/Oslo"))
            .expect("ok");
        assert_eq!(f.from, Some(time::macros::datetime!(2024-04-30 22:00 UTC)));
        assert_eq!(f.until, Some(time::macros::datetime!(2024-05-01 22:00 UTC)));
    }

    #[test]
    fn the_to_date_includes_the_whole_day() {
        let p = AuditParams {
            to: "2024-05-01".into(),
            ..AuditParams::default()
        };
        let f = p.parse(Lang::En, &LocalTime::default()).expect("ok");
        assert_eq!(
            f.until.map(|t| t.date().to_string()),
            Some("2024-05-02".to_owned())
        );
    }
}
