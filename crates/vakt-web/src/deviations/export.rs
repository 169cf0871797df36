//! The case list as a file (`/deviations/export.csv`, `/deviations/export.xlsx`): every case
//! matching the list's filters, newest first, with headings in the reader's language.
//!
//! Case records are official documents; an export leaves out personal data (who reported, who
//! handles) unless the reader asks for it with `personal=1` and may export personal data. The
//! title of a case exempt from public access is left out for readers who may not open it. Every
//! export is recorded in the audit chain with its filters and whether personal data was included.

use axum::{extract::State, response::Response};
use vakt_core::audit::{AuditClass, EventDraft};
use vakt_core::authz::Action;
use vakt_core::deviations::CaseId;
use vakt_store::{CaseOrder, CaseSummary, Secrecy};

use super::{ListQuery, calendar, category_label, local_time, severity_label, state_label};
use crate::{
    AppError, AppState,
    extract::{ClientIp, CurrentUser, VQuery},
    i18n::t,
    instructions::reports::{csv_file, xlsx_file},
};

/// At most this many cases go into one file; the last row says when more matched.
pub const EXPORT_CAP: usize = 50_000;

/// Cases fetched per query while exporting (keyset pages, newest first).
const BATCH: u32 = 500;

/// `GET /deviations/export.csv`
pub async fn export_csv(
    user: CurrentUser,
    State(st): State<AppState>,
    ClientIp(ip): ClientIp,
    VQuery(q): VQuery<ListQuery>,
) -> Result<Response, AppError> {
    let (header, rows) = export_rows(&st, &user, ip, &q, "csv").await?;
    csv_file(&header, &rows, "deviations.csv")
}

/// `GET /deviations/export.xlsx`
pub async fn export_xlsx(
    user: CurrentUser,
    State(st): State<AppState>,
    ClientIp(ip): ClientIp,
    VQuery(q): VQuery<ListQuery>,
) -> Result<Response, AppError> {
    let (header, rows) = export_rows(&st, &user, ip, &q, "xlsx").await?;
    xlsx_file(&header, &rows, "deviations.xlsx")
}

/// The heading and the rows of an export (checks the reader's rights and records the export).
async fn export_rows(
    st: &AppState,
    user: &CurrentUser,
    ip: Option<String>,
    q: &ListQuery,
    format: &str,
) -> Result<(Vec<String>, Vec<Vec<String>>), AppError> {
    user.authorize_tenant(Action::ViewDeviations)?;
    let personal = q.personal == "1";
    if personal {
        user.authorize_tenant(Action::ExportDeviationPersonalData)?;
    }
    let may_open_exempt = user.may(Action::ManageBreach);
    let lang = user.lang();
    let db = st.db();
    let tenant = user.tenant_id();
    let cal = calendar(&user.settings);
    let cats = db.dev_categories(tenant).await?;
    let units = db.units(tenant).await?;

    let mut filter = q.filter();
    filter.order = CaseOrder::Newest;
    filter.limit = BATCH;
    filter.offset = 0;
    filter.after = None;
    let mut cases: Vec<CaseSummary> = Vec::new();
    let mut truncated = false;
    loop {
        let (batch, _) = db.dev_cases(tenant, &filter).await?;
        let full = batch.len() == BATCH as usize;
        filter.after = batch.last().map(|c| c.id);
        cases.extend(batch);
        if cases.len() > EXPORT_CAP {
            cases.truncate(EXPORT_CAP);
            truncated = true;
            break;
        }
        if !full {
            break;
        }
    }

    let (reporters, people) = if personal {
        let ids: Vec<CaseId> = cases.iter().map(|c| c.id).collect();
        let reporters = db.dev_case_reporters(tenant, &ids).await?;
        let mut who: Vec<_> = reporters.values().flatten().copied().collect();
        who.extend(cases.iter().filter_map(|c| c.assignee));
        let people = db.people_by_ids(tenant, &who).await?;
        (reporters, people)
    } else {
        Default::default()
    };
    let name = |p: Option<vakt_core::directory::PersonId>| {
        p.and_then(|p| people.get(&p))
            .map(vakt_core::directory::Person::display_name)
            .unwrap_or_default()
    };
    let yes_no = |b: bool| t(lang, if b { "common-yes" } else { "common-no" }, &[]);

    let mut header: Vec<String> = [
        "dev-col-number",
        "dev-col-title",
        "dev-field-category",
        "dev-field-unit",
        "dev-col-state",
        "dev-col-severity",
        "dev-col-reported",
        "dev-badge-breach",
        "dev-badge-significant",
        "dev-field-secrecy",
        "dev-col-due",
    ]
    .iter()
    .map(|k| t(lang, k, &[]))
    .collect();
    if personal {
        header.push(t(lang, "dev-field-reporter", &[]));
        header.push(t(lang, "dev-field-assignee", &[]));
    }
    let mut rows: Vec<Vec<String>> = Vec::with_capacity(cases.len() + 1);
    for c in &cases {
        let exempt = c.secrecy == Secrecy::Exempt;
        let title = if exempt && !may_open_exempt {
            t(lang, "dev-export-exempt-title", &[])
        } else {
            c.title.clone()
        };
        let secrecy = t(
            lang,
            match c.secrecy {
                Secrecy::Open => "dev-secrecy-open",
                Secrecy::Partial => "dev-secrecy-partial",
                Secrecy::Exempt => "dev-secrecy-exempt",
            },
            &[],
        );
        let unit = c
            .unit
            .and_then(|u| units.iter().find(|x| x.id == u))
            .map(|u| u.name.clone())
            .unwrap_or_default();
        let mut row = vec![
            c.number.to_string(),
            title,
            category_label(lang, &cats, c.category),
            unit,
            state_label(lang, c.state),
            severity_label(lang, c.severity),
            local_time(&cal, c.reported_at),
            yes_no(c.is_breach),
            yes_no(c.significant),
            secrecy,
            c.next_due.map(|d| local_time(&cal, d)).unwrap_or_default(),
        ];
        if personal {
            let reporter = if exempt && !may_open_exempt {
                String::new()
            } else {
                name(reporters.get(&c.id).copied().flatten())
            };
            row.push(reporter);
            row.push(name(c.assignee));
        }
        rows.push(row);
    }
    if truncated {
        rows.push(vec![t(
            lang,
            "dev-export-truncated",
            &[("count", EXPORT_CAP.into())],
        )]);
    }

    db
        .record_event(
            &user.audit_ctx(ip),
        EventDraft::new(AuditClass::Usage, "deviation.list_export", "tenant", tenant)
            .after(format!(
                "format={format} personal={personal} cases={} state={} category={} severity={} breach={} open={} q={}",
                cases.len(),
                q.state,
                q.category,
                q.severity,
                q.breach,
                q.open,
                q.q.chars().take(200).collect::<String>()
            )),
        )
        .await?;
    Ok((header, rows))
}
