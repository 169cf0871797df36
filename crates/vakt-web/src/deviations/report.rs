//! The one-minute report form, its receipt and "my reports".

use askama::Template;
use axum::{
    extract::State,
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;
use vakt_core::authz::Action;
use vakt_core::directory::OrgUnit;
use vakt_store::{AffectedKind, CaseFilter, Category, NewCase, PersonalData, Reporter};

use super::{CaseRow, calendar, category_label, local_input, parse_local, rows};
use crate::{
    AppError, AppState,
    extract::{ClientIp, CurrentUser, VForm, VQuery},
    i18n::{Lang, t},
    page::{Page, render},
};

/// What the report form posts (shared with the anonymous form).
#[derive(Debug, Default, Deserialize)]
pub struct ReportForm {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub unit: String,
    #[serde(default)]
    pub occurred_at: String,
    #[serde(default)]
    pub discovered_at: String,
    #[serde(default)]
    pub affected_kind: String,
    #[serde(default)]
    pub affected: String,
    #[serde(default)]
    pub personal_data: String,
}

/// The category options: the tenant's, or the defaults before the first report seeds them.
pub(crate) fn category_options(lang: Lang, cats: &[Category]) -> Vec<(String, String)> {
    if cats.is_empty() {
        return vakt_store::DEFAULT_CATEGORIES
            .iter()
            .map(|(k, _)| {
                (
                    (*k).to_owned(),
                    t(lang, &format!("dev-cat-{}", k.replace('_', "-")), &[]),
                )
            })
            .collect();
    }
    cats.iter()
        .filter(|c| c.active)
        .map(|c| (c.key.clone(), category_label(lang, cats, Some(c.id))))
        .collect()
}

pub(crate) fn affected_kinds(lang: Lang) -> Vec<(&'static str, String)> {
    ["equipment", "system", "person", "unit", "other"]
        .into_iter()
        .map(|k| (k, t(lang, &format!("dev-affected-{k}"), &[])))
        .collect()
}

/// Turns the form into a new case (validation errors as a 422 with a translated message).
pub(crate) fn new_case(
    lang: Lang,
    cal: &vakt_core::deadline::TenantCalendar,
    now: time::OffsetDateTime,
    units: &[OrgUnit],
    form: &ReportForm,
    reporter: Reporter,
    default_unit: Option<vakt_core::directory::UnitId>,
) -> Result<NewCase, AppError> {
    let title = crate::extract::text_field(&form.title, "dev-field-title", 200, true, lang)?;
    let description = crate::extract::text_field(
        &form.description,
        "dev-field-description",
        20_000,
        false,
        lang,
    )?;
    let discovered_at = if form.discovered_at.trim().is_empty() {
        now
    } else {
        parse_local(cal, &form.discovered_at).ok_or_else(|| {
            AppError::invalid("dev-err-time")
                .with_arg("field", t(lang, "dev-field-discovered", &[]))
        })?
    };
    let occurred_at = if form.occurred_at.trim().is_empty() {
        None
    } else {
        Some(parse_local(cal, &form.occurred_at).ok_or_else(|| {
            AppError::invalid("dev-err-time").with_arg("field", t(lang, "dev-field-occurred", &[]))
        })?)
    };
    let personal_data = match form.personal_data.as_str() {
        "yes" => PersonalData::Yes,
        "no" => PersonalData::No,
        "unsure" | "" => PersonalData::Unsure,
        _ => return Err(AppError::invalid("dev-err-choice")),
    };
    let kind = match form.affected_kind.as_str() {
        "system" => AffectedKind::System,
        "person" => AffectedKind::Person,
        "unit" => AffectedKind::Unit,
        "other" => AffectedKind::Other,
        _ => AffectedKind::Equipment,
    };
    let affected = form
        .affected
        .split([',', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .take(50)
        .map(|s| (kind, s.chars().take(200).collect::<String>()))
        .collect();
    let unit = if form.unit.trim().is_empty() {
        default_unit
    } else {
        let id = uuid::Uuid::parse_str(form.unit.trim())
            .map(vakt_core::directory::UnitId)
            .map_err(|_| AppError::invalid("dev-err-choice"))?;
        if !units.iter().any(|u| u.id == id) {
            return Err(AppError::invalid("dev-err-choice"));
        }
        Some(id)
    };
    let category_key = if form.category.trim().is_empty() {
        "information_security".to_owned()
    } else {
        form.category.trim().to_owned()
    };
    Ok(NewCase {
        title,
        description,
        category_key,
        unit,
        occurred_at,
        discovered_at,
        personal_data,
        affected,
        reporter,
    })
}

#[derive(Template)]
#[template(path = "deviations/report.html")]
pub(crate) struct ReportPage {
    pub page: Page,
    pub action: String,
    pub categories: Vec<(String, String)>,
    pub units: Vec<(String, String)>,
    pub default_unit: String,
    pub kinds: Vec<(&'static str, String)>,
    pub now: String,
    pub anonymous: bool,
}

/// `GET /deviations/report`.
pub async fn report_form(
    user: CurrentUser,
    State(st): State<AppState>,
) -> Result<Response, AppError> {
    user.authorize_tenant(Action::ReportDeviation)?;
    let lang = user.lang();
    let cats = st.db().dev_categories(user.tenant_id()).await?;
    let units = st.db().units(user.tenant_id()).await?;
    let cal = calendar(&user.settings);
    let page = user.page("dev-report-title", "/deviations/report");
    render(&ReportPage {
        page,
        action: "/deviations/report".into(),
        categories: category_options(lang, &cats),
        units: units
            .iter()
            .map(|u| (u.id.to_string(), u.name.clone()))
            .collect(),
        default_unit: user
            .person
            .as_ref()
            .and_then(|p| p.unit)
            .map(|u| u.to_string())
            .unwrap_or_default(),
        kinds: affected_kinds(lang),
        now: local_input(&cal, st.now()),
        anonymous: false,
    })
}

/// `POST /deviations/report`: stores the report and shows the receipt on "my reports".
pub async fn report_submit(
    user: CurrentUser,
    State(st): State<AppState>,
    ClientIp(ip): ClientIp,
    VForm(form): VForm<ReportForm>,
) -> Result<Response, AppError> {
    user.authorize_tenant(Action::ReportDeviation)?;
    let Some(person) = user.person.clone() else {
        return Err(AppError::invalid("dev-err-no-person"));
    };
    let units = st.db().units(user.tenant_id()).await?;
    let cal = calendar(&user.settings);
    let new = new_case(
        user.lang(),
        &cal,
        st.now(),
        &units,
        &form,
        Reporter::Person {
            person: person.id,
            account: Some(user.account_id()),
        },
        person.unit,
    )?;
    let mut tx = st.db().write(&user.audit_ctx(ip)).await?;
    let case = tx.report_dev_case(new).await?;
    super::notify::on_report(&st, &mut tx, &user.tenant, &case).await?;
    tx.commit().await?;
    super::refresh_due(&st, &user.tenant, case.id).await?;
    Ok(Redirect::to(&format!("/deviations/mine?receipt={}", case.number)).into_response())
}

#[derive(Debug, Default, Deserialize)]
pub struct MineQuery {
    #[serde(default)]
    receipt: Option<i64>,
}

#[derive(Template)]
#[template(path = "deviations/mine.html")]
struct MinePage {
    page: Page,
    receipt: Option<String>,
    rows: Vec<CaseRow>,
    measures: Vec<(String, String, String)>,
    /// Units the user leads: links to their deviations.
    led_units: Vec<(String, String)>,
}

/// `GET /deviations/mine`: my reports with their status, and the measures I own.
pub async fn my_reports(
    user: CurrentUser,
    State(st): State<AppState>,
    VQuery(q): VQuery<MineQuery>,
) -> Result<Response, AppError> {
    user.authorize_own(Action::ViewOwnDeviations)?;
    let lang = user.lang();
    let cats = st.db().dev_categories(user.tenant_id()).await?;
    let (list, measures) = match &user.person {
        Some(p) => {
            let (list, _) = st
                .db()
                .dev_cases(
                    user.tenant_id(),
                    &CaseFilter {
                        reporter: Some(p.id),
                        limit: 200,
                        ..CaseFilter::default()
                    },
                )
                .await?;
            let cal = calendar(&user.settings);
            let measures = st
                .db()
                .dev_measures_of(user.tenant_id(), p.id)
                .await?
                .into_iter()
                .map(|(case, m)| {
                    (
                        case.to_string(),
                        m.title,
                        m.due
                            .map(|d| super::local_time(&cal, d))
                            .unwrap_or_default(),
                    )
                })
                .collect();
            (list, measures)
        }
        None => (Vec::new(), Vec::new()),
    };
    let receipt = q.receipt.and_then(|n| {
        list.iter().find(|c| c.number == n).map(|c| {
            t(
                lang,
                "dev-receipt",
                &[
                    ("number", n.into()),
                    (
                        "at",
                        super::local_time(&calendar(&user.settings), c.reported_at).into(),
                    ),
                ],
            )
        })
    });
    let led_units = if user.principal().led_units.is_empty() {
        Vec::new()
    } else {
        st.db()
            .units(user.tenant_id())
            .await?
            .into_iter()
            .filter(|u| user.principal().led_units.contains(&u.id))
            .map(|u| (u.id.to_string(), u.name))
            .collect()
    };
    let page = user.page("dev-mine-title", "/deviations/mine");
    render(&MinePage {
        page,
        receipt,
        rows: rows(&st, &user, &cats, list),
        measures,
        led_units,
    })
}
