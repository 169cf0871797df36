//! Overview and reports: completion per instruction, per unit (sub-units rolled up) and per person,
//! as tables and a server-rendered SVG chart; filters "missing" and "overdue"; CSV and XLSX export.
//! Coordinators see the whole tenant; leaders see the units they lead (`ViewUnitOverview`).

use std::collections::HashMap;
use std::io::Write;

use askama::Template;
use axum::{
    Router,
    extract::State,
    http::{HeaderValue, header},
    response::{IntoResponse, Response},
    routing::get,
};
use serde::Deserialize;

use vakt_core::authz::{Action, Resource};
use vakt_core::directory::{OrgUnit, UnitId};
use vakt_core::instructions::{InstructionId, Standing};
use vakt_store::{Completion, PersonStandings};

use super::{calendar, parse_id};
use crate::{
    AppError, AppState,
    directory::unit_path,
    extract::{ClientIp, CurrentUser, VPath, VQuery},
    i18n::{Lang, t},
    instructions::fmt_time,
    page::{Page, render},
};

/// Most people listed on a unit page (exports have no limit).
pub const PEOPLE_ON_PAGE: i64 = 100;
/// Most people in one export.
pub const EXPORT_LIMIT: i64 = 200_000;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/reports/instructions", get(overview_page))
        .route("/reports/instructions/units/{id}", get(unit_page))
        .route(
            "/reports/instructions/units/{id}/export.csv",
            get(export_csv),
        )
        .route(
            "/reports/instructions/units/{id}/export.xlsx",
            get(export_xlsx),
        )
}

pub fn route_table() -> Vec<crate::routes::RouteInfo> {
    use crate::routes::{Access::Requires, RouteInfo};
    vec![
        RouteInfo::new(
            "GET",
            "/reports/instructions",
            Requires(Action::ViewUnitOverview),
        ),
        RouteInfo::new(
            "GET",
            "/reports/instructions/units/{id}",
            Requires(Action::ViewUnitOverview),
        ),
        RouteInfo::new(
            "GET",
            "/reports/instructions/units/{id}/export.csv",
            Requires(Action::ViewUnitOverview),
        ),
        RouteInfo::new(
            "GET",
            "/reports/instructions/units/{id}/export.xlsx",
            Requires(Action::ViewUnitOverview),
        ),
    ]
}

/// One bar of the chart and one row of a completion table.
pub struct Bar {
    pub label: String,
    pub href: String,
    pub c: Completion,
    pub percent: i64,
    /// Widths in chart units (0–400) of the signed, missing (not overdue) and overdue parts.
    pub w_signed: i64,
    pub w_missing: i64,
    pub w_overdue: i64,
    /// Vertical offset of the bar in the SVG.
    pub y: i64,
    pub depth: usize,
}

fn bars(rows: Vec<(String, String, Completion, usize)>) -> Vec<Bar> {
    rows.into_iter()
        .enumerate()
        .map(|(i, (label, href, c, depth))| {
            let total = c.total.max(1);
            let w = |n: i64| n * 400 / total;
            let w_signed = w(c.signed);
            let w_overdue = w(c.overdue);
            let w_missing = if c.total == 0 {
                0
            } else {
                400 - w_signed - w_overdue
            };
            Bar {
                label,
                href,
                c,
                percent: c.percent(),
                w_signed,
                w_missing,
                w_overdue,
                y: i64::try_from(i).unwrap_or(0) * 28 + 8,
                depth,
            }
        })
        .collect()
}

fn chart_height(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(0) * 28 + 16
}

/// Units in depth-first order below `roots` (with their depth).
fn unit_order(units: &[OrgUnit], roots: &[UnitId]) -> Vec<(UnitId, usize)> {
    let mut out = Vec::new();
    let mut stack: Vec<(UnitId, usize)> = roots.iter().rev().map(|u| (*u, 0)).collect();
    let mut seen = std::collections::HashSet::new();
    while let Some((u, d)) = stack.pop() {
        if !seen.insert(u) {
            continue;
        }
        out.push((u, d));
        let mut kids: Vec<&OrgUnit> = units.iter().filter(|c| c.parent == Some(u)).collect();
        kids.sort_by_key(|k| std::cmp::Reverse(k.name.to_lowercase()));
        for k in kids {
            stack.push((k.id, d + 1));
        }
    }
    out
}

#[derive(Debug, Default, Deserialize)]
pub struct ReportParams {
    /// `missing`, `overdue` or empty (everyone).
    #[serde(default)]
    pub filter: String,
    #[serde(default)]
    pub instruction: String,
    /// The page of the per-person table (1, 2, …; [`PEOPLE_ON_PAGE`] people each).
    #[serde(default)]
    pub page: Option<u32>,
}

#[derive(Template)]
#[template(path = "instructions/overview.html")]
struct OverviewPage {
    page: Page,
    instructions: Vec<Bar>,
    units: Vec<Bar>,
    chart_h: i64,
    selected: String,
    options: Vec<(String, String)>,
    computed_at: String,
    /// Newer counts are being made; these are from `computed_at`.
    updating: bool,
}

/// The overview for a page: at once, as last counted, while a long count runs (`updating`).
async fn overview(
    st: &AppState,
    user: &CurrentUser,
) -> Result<vakt_store::OverviewReading, AppError> {
    Ok(st
        .db()
        .instruction_overview_now(
            user.tenant_id(),
            st.now(),
            &calendar(&user.settings.time_zone),
        )
        .await?)
}

async fn overview_page(
    user: CurrentUser,
    State(st): State<AppState>,
    VQuery(q): VQuery<ReportParams>,
) -> Result<Response, AppError> {
    user.authorize_tenant(Action::ViewUnitOverview)?;
    let tenant = user.tenant_id();
    let reading = overview(&st, &user).await?;
    let o = reading.overview;
    let units = st.db().units(tenant).await?;
    let selected: Option<InstructionId> = if q.instruction.is_empty() {
        None
    } else {
        Some(parse_id(&q.instruction)?)
    };
    let rolled = o.rolled_up(&units, selected);
    let roots: Vec<UnitId> = {
        let mut r: Vec<&OrgUnit> = units.iter().filter(|u| u.parent.is_none()).collect();
        r.sort_by_key(|u| u.name.to_lowercase());
        r.into_iter().map(|u| u.id).collect()
    };
    let names: HashMap<UnitId, &str> = units.iter().map(|u| (u.id, u.name.as_str())).collect();
    let unit_rows = unit_order(&units, &roots)
        .into_iter()
        .filter(|(_, d)| *d <= 2)
        .map(|(u, d)| {
            (
                names.get(&u).copied().unwrap_or_default().to_string(),
                format!("/reports/instructions/units/{u}"),
                rolled.get(&u).copied().unwrap_or_default(),
                d,
            )
        })
        .collect();
    let inst_rows: Vec<_> = o
        .instructions
        .iter()
        .map(|i| {
            (
                format!("{} {}", i.title, i.version),
                format!("/instructions/{}", i.instruction),
                i.completion,
                0,
            )
        })
        .collect();
    let n = inst_rows.len();
    render(&OverviewPage {
        page: user.page("instr-report-title", "/reports/instructions"),
        instructions: bars(inst_rows),
        units: bars(unit_rows),
        chart_h: chart_height(n),
        selected: selected.map(|s| s.to_string()).unwrap_or_default(),
        options: o
            .instructions
            .iter()
            .map(|i| (i.instruction.to_string(), i.title.clone()))
            .collect(),
        computed_at: fmt_time(&user.local_time(), o.computed_at),
        updating: reading.updating,
    })
}

/// The unit of a unit report, after the authorization check on its place in the tree.
async fn report_unit(
    st: &AppState,
    user: &CurrentUser,
    id: &str,
) -> Result<(OrgUnit, Vec<OrgUnit>), AppError> {
    let tenant = user.tenant_id();
    let uid: UnitId = parse_id(id)?;
    let units = st.db().units(tenant).await?;
    let unit = units
        .iter()
        .find(|u| u.id == uid)
        .cloned()
        .ok_or_else(AppError::not_found)?;
    user.authorize(
        Action::ViewUnitOverview,
        &Resource::in_unit(tenant, unit_path(&units, Some(uid))),
    )?;
    Ok((unit, units))
}

/// One person row of a unit report.
pub struct PersonRow {
    pub name: String,
    pub number: String,
    pub unit: String,
    pub items: Vec<(String, &'static str, String)>,
    pub receipt: Vec<String>,
}

fn keep(filter: &str, s: &Standing) -> bool {
    match filter {
        "missing" => !s.is_signed(),
        "overdue" => matches!(s, Standing::Overdue { .. }),
        _ => true,
    }
}

#[derive(Template)]
#[template(path = "instructions/unit_report.html")]
struct UnitReportPage {
    page: Page,
    unit_id: String,
    unit_name: String,
    instructions: Vec<Bar>,
    chart_h: i64,
    people: std::sync::Arc<Vec<PersonRow>>,
    filter: String,
    page_no: u32,
    prev_href: Option<String>,
    next_href: Option<String>,
}

/// Which page of a unit report's people, as whom: tenant, unit, page, filter, the reader's
/// language and time zone.
type RowsKey = (
    vakt_core::directory::TenantId,
    UnitId,
    u32,
    String,
    Lang,
    String,
);

/// A page of people as shown, with what it was computed at: the tenant's standings sequence
/// ([`vakt_store::Db::standings_seq`]), and until
/// when the clock leaves it as it is (standings turn overdue at the end of a local day).
struct RowsEntry {
    seq: i64,
    /// The shape of the sequence then ([`vakt_store::Db::standings_head`]): while it is unchanged
    /// only acknowledgments were added, and the page holds unless one of its people signed.
    shape: i64,
    /// The people on the page.
    people: std::sync::Arc<Vec<vakt_core::directory::PersonId>>,
    valid_until: time::OffsetDateTime,
    rows: std::sync::Arc<Vec<PersonRow>>,
    more: bool,
    /// A request is bringing it up to date (since then).
    refreshing: Option<std::time::Instant>,
}

type RowsCache = std::sync::Mutex<HashMap<RowsKey, RowsEntry>>;

/// Recently shown pages of unit reports. An entry is used while nothing it is made of changed
/// (the standings sequence is read from the database on every request, so several processes never
/// disagree) and until its `valid_until`; when only the clock moved on, one request computes the
/// page again while the others take the entry as it is (so a busy page is not computed by every
/// waiting request at once).
fn rows_cache() -> &'static RowsCache {
    static C: std::sync::OnceLock<RowsCache> = std::sync::OnceLock::new();
    C.get_or_init(|| std::sync::Mutex::new(HashMap::new()))
}

/// What the cache holds for a page.
enum RowsLookup {
    /// The page to show.
    Hit(std::sync::Arc<Vec<PersonRow>>, bool),
    /// A page made at sequence `seq` when since then only acknowledgments were added: it holds if
    /// none of its `people` signed.
    Check {
        seq: i64,
        people: std::sync::Arc<Vec<vakt_core::directory::PersonId>>,
    },
    /// Nothing usable: this request computes the page.
    Miss,
}

/// The page to show from the cache, one to check, or nothing.
fn cached_rows(key: &RowsKey, (seq, shape): (i64, i64), now: time::OffsetDateTime) -> RowsLookup {
    let Ok(mut c) = rows_cache().lock() else {
        return RowsLookup::Miss;
    };
    let Some(e) = c.get_mut(key) else {
        return RowsLookup::Miss;
    };
    if e.seq != seq {
        return if e.shape == shape && e.seq < seq {
            RowsLookup::Check {
                seq: e.seq,
                people: e.people.clone(),
            }
        } else {
            RowsLookup::Miss
        };
    }
    let refreshing = e
        .refreshing
        .is_some_and(|t| t.elapsed() < std::time::Duration::from_secs(10));
    if now <= e.valid_until || refreshing {
        return RowsLookup::Hit(e.rows.clone(), e.more);
    }
    e.refreshing = Some(std::time::Instant::now());
    RowsLookup::Miss
}

/// The page made at sequence `from` stands for `to` as well (none of its people signed between).
fn carry_rows(key: &RowsKey, from: i64, to: i64) {
    if let Ok(mut c) = rows_cache().lock()
        && let Some(e) = c.get_mut(key)
        && e.seq == from
    {
        e.seq = to;
    }
}

/// The page held in the cache when it is still valid at `now` (no stale answers).
fn fresh_rows(
    key: &RowsKey,
    seq: i64,
    now: time::OffsetDateTime,
) -> Option<(std::sync::Arc<Vec<PersonRow>>, bool)> {
    let c = rows_cache().lock().ok()?;
    let e = c.get(key)?;
    (e.seq == seq && now <= e.valid_until).then(|| (e.rows.clone(), e.more))
}

/// One computation of a page at a time in this process: requests that find no usable entry (the
/// first ones after a start, or after a change) wait for the one computing it instead of all counting
/// the same standings at once (16 at once took PostgreSQL a second and more).
fn computing_rows(key: &RowsKey) -> std::sync::Arc<tokio::sync::Mutex<()>> {
    static C: std::sync::OnceLock<vakt_store::KeyedLocks<RowsKey>> = std::sync::OnceLock::new();
    C.get_or_init(|| vakt_store::KeyedLocks::new(512))
        .lock_for(key)
}

fn keep_rows(
    key: RowsKey,
    ((seq, shape), valid_until): ((i64, i64), time::OffsetDateTime),
    people: Vec<vakt_core::directory::PersonId>,
    rows: std::sync::Arc<Vec<PersonRow>>,
    more: bool,
) {
    let Ok(mut c) = rows_cache().lock() else {
        return;
    };
    if c.len() >= 512 {
        c.clear();
    }
    c.insert(
        key,
        RowsEntry {
            seq,
            shape,
            people: std::sync::Arc::new(people),
            valid_until,
            rows,
            more,
            refreshing: None,
        },
    );
}

async fn unit_page(
    user: CurrentUser,
    State(st): State<AppState>,
    VPath(id): VPath<String>,
    VQuery(q): VQuery<ReportParams>,
) -> Result<Response, AppError> {
    let (unit, units) = report_unit(&st, &user, &id).await?;
    let tenant = user.tenant_id();
    let now = st.now();
    let cal = calendar(&user.settings.time_zone);
    // The per-person table in pages (a unit with sub-units may hold thousands of people).
    let page_no = q.page.unwrap_or(1).clamp(1, 100_000);
    let offset = i64::from(page_no - 1) * PEOPLE_ON_PAGE;
    let key: RowsKey = (
        tenant,
        unit.id,
        page_no,
        // Other values filter nothing (and are not kept apart).
        match q.filter.as_str() {
            f @ ("missing" | "overdue") => f.to_owned(),
            _ => String::new(),
        },
        user.lang(),
        user.settings.time_zone.clone(),
    );
    let head = st.db().standings_head(tenant).await?;
    let seq = head.0;
    // Completion per instruction over the whole subtree: from the overview (counted in SQL).
    let o = overview(&st, &user).await?.overview;
    let mut inst_rows = Vec::new();
    for i in &o.instructions {
        let rolled = o.rolled_up(&units, Some(i.instruction));
        let c = rolled.get(&unit.id).copied().unwrap_or_default();
        if c.total > 0 {
            inst_rows.push((
                format!("{} {}", i.title, i.version),
                format!("/instructions/{}", i.instruction),
                c,
                0,
            ));
        }
    }
    // The people's standings hold until a deadline can pass in the reader's zone or the overview
    // (a version coming into force) changes.
    let valid_until = vakt_core::instructions::standings_hold_until(&cal, now).min(o.valid_until);
    let mut lookup = cached_rows(&key, head, now);
    if let RowsLookup::Check { seq: from, people } = &lookup {
        // Signatures elsewhere in the tenant leave this page as it is.
        lookup = if st.db().signed_since(tenant, *from, seq, people).await? {
            RowsLookup::Miss
        } else {
            carry_rows(&key, *from, seq);
            cached_rows(&key, head, now)
        };
    }
    let cached = match lookup {
        RowsLookup::Hit(rows, more) => Ok((rows, more)),
        RowsLookup::Check { .. } | RowsLookup::Miss => {
            let guard = computing_rows(&key).lock_owned().await;
            // Whoever held the lock before may have just computed it.
            match fresh_rows(&key, seq, now) {
                Some(hit) => Ok(hit),
                None => Err(guard),
            }
        }
    };
    let (rows, more) = match cached {
        Ok(hit) => hit,
        // Held until the page is in the cache.
        Err(_guard) => {
            let people = st
                .db()
                .unit_standings_page(
                    tenant,
                    &[unit.id],
                    true,
                    (offset, PEOPLE_ON_PAGE + 1),
                    now,
                    &cal,
                )
                .await?;
            let more = people.len() > usize::try_from(PEOPLE_ON_PAGE).unwrap_or(usize::MAX);
            let titles: HashMap<InstructionId, String> = o
                .instructions
                .iter()
                .map(|i| (i.instruction, i.title.clone()))
                .collect();
            let names: HashMap<UnitId, &str> =
                units.iter().map(|u| (u.id, u.name.as_str())).collect();
            let rows = std::sync::Arc::new(person_rows(
                user.lang(),
                &user.local_time(),
                &people,
                &titles,
                &names,
                &q.filter,
                PEOPLE_ON_PAGE,
            ));
            let on_page = people.iter().map(|p| p.person).collect();
            keep_rows(key, (head, valid_until), on_page, rows.clone(), more);
            (rows, more)
        }
    };
    let href = |n: u32| {
        let mut h = format!("/reports/instructions/units/{}?page={n}", unit.id);
        if !q.filter.is_empty() {
            h.push_str("&filter=");
            h.push_str(&urlencoding::encode(&q.filter));
        }
        h
    };
    let prev_href = (page_no > 1).then(|| href(page_no - 1));
    let next_href = more.then(|| href(page_no + 1));
    let n = inst_rows.len();
    render(&UnitReportPage {
        page: user.page("instr-unit-report-title", "/reports/instructions"),
        unit_id: unit.id.to_string(),
        unit_name: unit.name.clone(),
        instructions: bars(inst_rows),
        chart_h: chart_height(n),
        people: rows,
        filter: q.filter.clone(),
        page_no,
        prev_href,
        next_href,
    })
}

fn standing_text(
    lang: Lang,
    times: &crate::local_time::LocalTime,
    s: &Standing,
) -> (&'static str, String) {
    match s {
        Standing::Signed { version, at } => (
            "signed",
            t(
                lang,
                "instr-standing-signed-at",
                &[
                    ("version", version.to_string().into()),
                    ("at", fmt_time(times, *at).into()),
                ],
            ),
        ),
        Standing::Missing { due_at } => (
            "missing",
            t(
                lang,
                "instr-standing-missing-due",
                &[("due", fmt_time(times, *due_at).into())],
            ),
        ),
        Standing::Overdue { due_at } => (
            "overdue",
            t(
                lang,
                "instr-standing-overdue-due",
                &[("due", fmt_time(times, *due_at).into())],
            ),
        ),
    }
}

fn person_rows(
    lang: Lang,
    times: &crate::local_time::LocalTime,
    people: &[PersonStandings],
    titles: &HashMap<InstructionId, String>,
    units: &HashMap<UnitId, &str>,
    filter: &str,
    limit: i64,
) -> Vec<PersonRow> {
    people
        .iter()
        .take(usize::try_from(limit).unwrap_or(usize::MAX))
        .filter_map(|p| {
            let items: Vec<_> = p
                .items
                .iter()
                .filter(|(_, s)| keep(filter, s))
                .map(|(i, s)| {
                    let (class, text) = standing_text(lang, times, s);
                    (titles.get(i).cloned().unwrap_or_default(), class, text)
                })
                .collect();
            if items.is_empty() {
                return None;
            }
            let receipt = p.receipts.iter().map(|(_, a)| a.to_string()).collect();
            Some(PersonRow {
                name: format!("{} {}", p.given_name, p.family_name),
                number: p.employee_number.clone(),
                unit: p
                    .unit
                    .and_then(|u| units.get(&u).map(|s| (*s).to_string()))
                    .unwrap_or_default(),
                items,
                receipt,
            })
        })
        .collect()
}

/// Export rows: one per person and instruction.
async fn export_rows(
    st: &AppState,
    user: &CurrentUser,
    id: &str,
    filter: &str,
    ip: Option<String>,
    format: &str,
) -> Result<(String, Vec<String>, Vec<Vec<String>>), AppError> {
    let times = user.local_time();
    let (unit, units) = report_unit(st, user, id).await?;
    let tenant = user.tenant_id();
    let lang = user.lang();
    let people = st
        .db()
        .unit_standings(
            tenant,
            &[unit.id],
            true,
            EXPORT_LIMIT,
            st.now(),
            &calendar(&user.settings.time_zone),
        )
        .await?;
    let insts = st.db().instructions(tenant).await?;
    let titles: HashMap<InstructionId, String> =
        insts.iter().map(|i| (i.id, i.title.clone())).collect();
    let names: HashMap<UnitId, &str> = units.iter().map(|u| (u.id, u.name.as_str())).collect();
    let header = [
        "instr-col-employee-number",
        "instr-col-name",
        "instr-col-unit",
        "instr-col-instruction",
        "instr-col-standing",
        "instr-col-version",
        "instr-col-date",
    ]
    .iter()
    .map(|k| t(lang, k, &[]))
    .collect();
    let mut rows = Vec::new();
    for p in &people {
        for (i, s) in &p.items {
            if !keep(filter, s) {
                continue;
            }
            let (version, date) = match s {
                Standing::Signed { version, at } => (version.to_string(), fmt_time(&times, *at)),
                Standing::Missing { due_at } | Standing::Overdue { due_at } => {
                    (String::new(), fmt_time(&times, *due_at))
                }
            };
            rows.push(vec![
                p.employee_number.clone(),
                format!("{} {}", p.given_name, p.family_name),
                p.unit
                    .and_then(|u| names.get(&u).map(|s| (*s).to_string()))
                    .unwrap_or_default(),
                titles.get(i).cloned().unwrap_or_default(),
                t(lang, &format!("instr-standing-{}", s.as_str()), &[]),
                version,
                date,
            ]);
        }
    }
    st.db()
        .record_event(
            &user.audit_ctx(ip),
            vakt_core::audit::EventDraft::new(
                vakt_core::audit::AuditClass::Usage,
                "instruction.report_export",
                "unit",
                unit.id,
            )
            .after(format!("{format} filter={filter} rows={}", rows.len())),
        )
        .await?;
    Ok((unit.code.clone(), header, rows))
}

/// A CSV file of `header` and `rows`, every cell defused against formula injection.
pub(crate) fn csv_bytes(header: &[String], rows: &[Vec<String>]) -> Result<Vec<u8>, AppError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(header)
        .map_err(|e| AppError::internal(e.to_string()))?;
    for r in rows {
        w.write_record(r.iter().map(|c| crate::audit::csv_safe(c)))
            .map_err(|e| AppError::internal(e.to_string()))?;
    }
    w.into_inner()
        .map_err(|e| AppError::internal(e.to_string()))
}

/// A table as a CSV download named `name`.
pub(crate) fn csv_file(
    header: &[String],
    rows: &[Vec<String>],
    name: &str,
) -> Result<Response, AppError> {
    Ok(file_response(
        csv_bytes(header, rows)?,
        "text/csv; charset=utf-8",
        name,
    ))
}

/// A table as an XLSX download named `name`.
pub(crate) fn xlsx_file(
    header: &[String],
    rows: &[Vec<String>],
    name: &str,
) -> Result<Response, AppError> {
    let body = xlsx(header, rows).map_err(|e| AppError::internal(e.to_string()))?;
    Ok(file_response(
        body,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        name,
    ))
}

pub(crate) fn file_response(body: Vec<u8>, content_type: &'static str, name: &str) -> Response {
    let mut resp = body.into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    let safe: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{safe}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    resp
}

async fn export_csv(
    user: CurrentUser,
    State(st): State<AppState>,
    ClientIp(ip): ClientIp,
    VPath(id): VPath<String>,
    VQuery(q): VQuery<ReportParams>,
) -> Result<Response, AppError> {
    let (code, header, rows) = export_rows(&st, &user, &id, &q.filter, ip, "csv").await?;
    csv_file(&header, &rows, &format!("instructions-{code}.csv"))
}

async fn export_xlsx(
    user: CurrentUser,
    State(st): State<AppState>,
    ClientIp(ip): ClientIp,
    VPath(id): VPath<String>,
    VQuery(q): VQuery<ReportParams>,
) -> Result<Response, AppError> {
    let (code, header, rows) = export_rows(&st, &user, &id, &q.filter, ip, "xlsx").await?;
    xlsx_file(&header, &rows, &format!("instructions-{code}.xlsx"))
}

fn xml_escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            c if (c as u32) < 0x20 && c != '\t' && c != '\n' && c != '\r' => {}
            c => o.push(c),
        }
    }
    o
}

/// A minimal XLSX workbook (one sheet, inline strings) written with the `zip` crate.
pub fn xlsx(header: &[String], rows: &[Vec<String>]) -> std::io::Result<Vec<u8>> {
    let mut sheet = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>",
    );
    for (r, row) in std::iter::once(header)
        .chain(rows.iter().map(Vec::as_slice))
        .enumerate()
    {
        sheet.push_str(&format!("<row r=\"{}\">", r + 1));
        for cell in row {
            sheet.push_str("<c t=\"inlineStr\"><is><t xml:space=\"preserve\">");
            sheet.push_str(&xml_escape(cell));
            sheet.push_str("</t></is></c>");
        }
        sheet.push_str("</row>");
    }
    sheet.push_str("</sheetData></worksheet>");
    let files: [(&str, String); 5] = [
        ("[Content_Types].xml", "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"><Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/><Default Extension=\"xml\" ContentType=\"application/xml\"/><Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/><Override PartName=\"/xl/worksheets/sheet1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/></Types>".into()),
        ("_rels/.rels", "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>".into()),
        ("xl/workbook.xml", "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><sheets><sheet name=\"Vakt\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>".into()),
        ("xl/_rels/workbook.xml.rels", "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet1.xml\"/></Relationships>".into()),
        ("xl/worksheets/sheet1.xml", sheet),
    ];
    let mut zw = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, body) in files {
        zw.start_file(name, opts).map_err(std::io::Error::other)?;
        zw.write_all(body.as_bytes())?;
    }
    let cur = zw.finish().map_err(std::io::Error::other)?;
    Ok(cur.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_workbook_is_a_zip_with_the_sheet_and_escaped_cells() {
        let bytes = xlsx(&["Navn".into()], &[vec!["Åse <Ø> & co".into()]]).unwrap();
        let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut sheet = String::new();
        std::io::Read::read_to_string(
            &mut z.by_name("xl/worksheets/sheet1.xml").unwrap(),
            &mut sheet,
        )
        .unwrap();
        assert!(sheet.contains("Åse &lt;Ø&gt; &amp; co"));
        assert!(z.by_name("[Content_Types].xml").is_ok());
    }

    #[test]
    fn formula_like_cells_are_defused() {
        let csv = csv_bytes(
            &["name".to_owned()],
            &[vec!["=HYPERLINK(1)".to_owned()], vec!["Kari".to_owned()]],
        )
        .unwrap();
        assert_eq!(
            String::from_utf8(csv).unwrap(),
            "name\n'=HYPERLINK(1)\nKari\n"
        );
    }
}
