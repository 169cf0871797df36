//! Training: the course catalogue, my training (state of every course that applies to me, report a
//! completion with a certificate), a course's page (who has it, who is missing it, record a completion
//! for someone, countersign), the learning-platform import with its per-row report, evidence downloads,
//! and the reminder job ([`reminders`]). JSON API in [`api`].
//!
//! Pure rules come from `vakt_core::training` (state, expiry, countersign, due dates, import validation,
//! evidence checks); storage from `vakt_store` (`training.*` audit events on every write).

pub mod api;
pub mod prerequisites;
pub mod reminders;

use std::collections::HashMap;

use askama::Template;
use axum::{
    Router,
    body::Body,
    extract::{DefaultBodyLimit, Multipart, State},
    http::{StatusCode, header},
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};
use serde::Deserialize;
use time::OffsetDateTime;
use uuid::Uuid;

use vakt_core::authz::{Action, Resource};
use vakt_core::deadline::TenantCalendar;
use vakt_core::directory::{OrgUnit, Person, PersonId, TenantId};
use vakt_core::training::{
    Completion, CompletionId, CompletionSource, CourseId, CourseState, FileId, course_state,
};
use vakt_store::{CompletionRecord, CourseKind, CourseRecord, NewCourse, StoreError};

use crate::{
    AppError, AppState,
    directory::{NoticeParam, parse_date, unit_path},
    extract::{ClientIp, CurrentUser, VForm, VPath, VQuery},
    i18n::{Lang, t},
    page::{Page, render},
};

/// Upload routes accept this much (the evidence limit plus the form's own fields).
pub const UPLOAD_BODY_LIMIT: usize = vakt_core::training::evidence::MAX_EVIDENCE_BYTES + 256 * 1024;
/// The largest completion CSV accepted (bytes).
pub const MAX_IMPORT_BYTES: usize = 8 * 1024 * 1024;
/// At most this many people are listed on a course page (the counts cover everyone).
pub const MAX_LISTED: usize = 500;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/training", get(my_training))
        .route(
            "/training/report",
            post(report).layer(DefaultBodyLimit::max(UPLOAD_BODY_LIMIT)),
        )
        .route("/training/courses", get(courses_page).post(create_course))
        .route(
            "/training/courses/{id}",
            get(course_page).post(update_course),
        )
        .route("/training/courses/{id}/completions", post(record))
        .route("/training/courses/{id}/export.csv", get(export_csv))
        .route("/training/courses/{id}/export.xlsx", get(export_xlsx))
        .route("/training/completions/{id}/countersign", post(countersign))
        .route("/training/evidence/{id}", get(evidence))
        .route(
            "/training/import",
            get(import_form)
                .post(import_submit)
                .layer(DefaultBodyLimit::max(MAX_IMPORT_BYTES + 64 * 1024)),
        )
        .route(
            "/training/prerequisites",
            get(prerequisites::page).post(prerequisites::save),
        )
        .merge(api::routes())
}

pub fn route_table() -> Vec<crate::routes::RouteInfo> {
    use crate::routes::{Access::Requires, RouteInfo};
    let mut v = vec![
        RouteInfo::new("GET", "/training", Requires(Action::ViewOwnPage)),
        RouteInfo::new(
            "POST",
            "/training/report",
            Requires(Action::ReportOwnTraining),
        ),
        RouteInfo::new("GET", "/training/courses", Requires(Action::ViewCourses)),
        RouteInfo::new("POST", "/training/courses", Requires(Action::ManageCourses)),
        RouteInfo::new(
            "GET",
            "/training/courses/{id}",
            Requires(Action::ViewCourses),
        ),
        RouteInfo::new(
            "POST",
            "/training/courses/{id}",
            Requires(Action::ManageCourses),
        ),
        RouteInfo::new(
            "POST",
            "/training/courses/{id}/completions",
            Requires(Action::RecordCompletion),
        ),
        RouteInfo::new(
            "GET",
            "/training/courses/{id}/export.csv",
            Requires(Action::ViewTraining),
        ),
        RouteInfo::new(
            "GET",
            "/training/courses/{id}/export.xlsx",
            Requires(Action::ViewTraining),
        ),
        RouteInfo::new(
            "POST",
            "/training/completions/{id}/countersign",
            Requires(Action::RecordCompletion),
        ),
        // The owner may always download their own evidence; others need `ViewTraining` for the person.
        RouteInfo::new(
            "GET",
            "/training/evidence/{id}",
            Requires(Action::ViewTraining),
        ),
        RouteInfo::new(
            "GET",
            "/training/import",
            Requires(Action::ImportCompletions),
        ),
        RouteInfo::new(
            "POST",
            "/training/import",
            Requires(Action::ImportCompletions),
        ),
    ];
    v.extend(api::route_table());
    v
}

// ---------------------------------------------------------------------------------------------------------
// Shared helpers

/// A store error as a clear message (training codes have their own keys).
pub fn train_err(e: StoreError) -> AppError {
    match &e {
        StoreError::Invalid(code) if code.starts_with("training.") => {
            AppError::invalid(format!("store-{}", code.replace(['.', '_'], "-")))
        }
        StoreError::Conflict(code) if code.starts_with("training.") => {
            AppError::conflict(format!("store-{}", code.replace(['.', '_'], "-")))
        }
        _ => crate::directory::store_error(e),
    }
}

/// The tenant's calendar (time zone) from its settings.
pub fn calendar(settings: &vakt_core::settings::Settings) -> TenantCalendar {
    crate::local_time::calendar(&settings.time_zone)
}

/// A stable key of a course state (`valid`, `renew_soon`, `expired`, `missing`, `awaiting`).
pub fn state_key(s: &CourseState) -> &'static str {
    match s {
        CourseState::Valid { .. } => "valid",
        CourseState::RenewSoon { .. } => "renew_soon",
        CourseState::Expired { .. } => "expired",
        CourseState::Missing => "missing",
        CourseState::AwaitingCountersign { .. } => "awaiting",
    }
}

/// A person's state for `course` (missing when the rules cannot compute it).
pub fn state_of(
    course: &CourseRecord,
    person: PersonId,
    completions: &[Completion],
    now: OffsetDateTime,
    cal: &TenantCalendar,
) -> CourseState {
    course_state(&course.rule(), person, completions, now, cal).unwrap_or(CourseState::Missing)
}

/// The date a state points at (valid until / expired at / completed at), as a local date.
pub fn state_date(s: &CourseState, cal: &TenantCalendar) -> String {
    let at = match s {
        CourseState::Valid { valid_until, .. } => *valid_until,
        CourseState::RenewSoon { valid_until, .. } => Some(*valid_until),
        CourseState::Expired { expired_at } => Some(*expired_at),
        CourseState::AwaitingCountersign { completed_at } => Some(*completed_at),
        CourseState::Missing => None,
    };
    at.map(|a| local_date(a, cal)).unwrap_or_default()
}

pub fn local_date(at: OffsetDateTime, cal: &TenantCalendar) -> String {
    let l = cal.local(at).unwrap_or(at);
    format!("{:04}-{:02}-{:02}", l.year(), u8::from(l.month()), l.day())
}

/// Whether `principal` may do `action` anywhere: tenant-wide, or in one of the units they lead (a
/// leader's subtree grant). The check on the concrete object follows once it is known.
pub fn may_somewhere(
    principal: &vakt_core::authz::Principal,
    action: Action,
) -> Result<(), AppError> {
    let tenant = Resource::tenant(principal.tenant);
    let Err(denied) = vakt_core::authz::authorize(principal, action, &tenant) else {
        return Ok(());
    };
    for u in &principal.led_units {
        let r = Resource::in_unit(principal.tenant, vec![*u]);
        if vakt_core::authz::authorize(principal, action, &r).is_ok() {
            return Ok(());
        }
    }
    Err(crate::extract::denied(denied))
}

fn multipart(
    m: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Multipart, AppError> {
    m.map_err(|e| AppError::bad_request("training-err-upload").with_detail(e.to_string()))
}

fn parse_id(raw: &str) -> Result<Uuid, AppError> {
    Uuid::parse_str(raw).map_err(|_| AppError::not_found())
}

fn person_resource(tenant: TenantId, units: &[OrgUnit], person: &Person) -> Resource {
    Resource::in_unit(tenant, unit_path(units, person.unit))
}

/// A completion date typed in a form: not empty, a date, not in the future; the start of that local day.
fn completion_moment(
    raw: &str,
    cal: &TenantCalendar,
    now: OffsetDateTime,
) -> Result<OffsetDateTime, AppError> {
    let date = parse_date(raw.trim()).ok_or_else(|| AppError::invalid("training-err-date"))?;
    let at = cal
        .start_of_local_day(date)
        .map_err(|_| AppError::invalid("training-err-date"))?;
    if at > now {
        return Err(AppError::invalid("store-training-completed-in-future"));
    }
    Ok(at)
}

fn source_key(c: &Completion) -> &'static str {
    match &c.source {
        CompletionSource::SelfReported {
            countersigned: None,
            ..
        } => "training-source-self-pending",
        CompletionSource::SelfReported { .. } => "training-source-self-signed",
        CompletionSource::LeaderRecorded { .. } => "training-source-leader",
        CompletionSource::Imported { .. } => "training-source-imported",
    }
}

fn evidence_of(c: &Completion) -> Option<FileId> {
    match &c.source {
        CompletionSource::SelfReported { evidence, .. } => Some(*evidence),
        _ => None,
    }
}

fn notice_text(lang: Lang, n: &NoticeParam) -> Option<String> {
    let key = match n.notice.as_deref()? {
        "reported" => "training-notice-reported",
        "recorded" => "training-notice-recorded",
        "countersigned" => "training-notice-countersigned",
        "saved" => "training-notice-saved",
        "created" => "training-notice-created",
        _ => return None,
    };
    Some(t(lang, key, &[]))
}

// ---------------------------------------------------------------------------------------------------------
// My training

pub struct MyRow {
    pub course_id: String,
    pub title: String,
    pub provider: String,
    pub state: &'static str,
    pub date: String,
    pub mandatory: bool,
}

pub struct CompletionRow {
    pub id: String,
    pub course: String,
    pub person: String,
    pub date: String,
    pub source: &'static str,
    pub evidence: Option<String>,
}

#[derive(Template)]
#[template(path = "training/me.html")]
struct MyPage {
    page: Page,
    has_person: bool,
    rows: Vec<MyRow>,
    completions: Vec<CompletionRow>,
    course_options: Vec<(String, String)>,
    to_countersign: Vec<CompletionRow>,
    may_view_courses: bool,
    may_import: bool,
    today: String,
}

async fn my_training(
    user: CurrentUser,
    State(st): State<AppState>,
    VQuery(n): VQuery<NoticeParam>,
) -> Result<Response, AppError> {
    user.authorize_own(Action::ViewOwnPage)?;
    let tenant = user.tenant_id();
    let cal = calendar(&user.settings);
    let now = st.now();
    let courses = st.db().courses(tenant).await.map_err(train_err)?;
    let titles: HashMap<CourseId, String> =
        courses.iter().map(|c| (c.id, c.title.clone())).collect();
    let mut rows = Vec::new();
    let mut completions = Vec::new();
    if let Some(me) = &user.person {
        let mine: Vec<Completion> = st
            .db()
            .completions_of_person(tenant, me.id)
            .await
            .map_err(train_err)?
            .into_iter()
            .map(|r| r.completion)
            .collect();
        for c in courses.iter().filter(|c| !c.archived) {
            let has_any = mine.iter().any(|m| m.course == c.id);
            if !c.mandatory && !has_any {
                continue;
            }
            let s = state_of(c, me.id, &mine, now, &cal);
            rows.push(MyRow {
                course_id: c.id.0.to_string(),
                title: c.title.clone(),
                provider: c.provider.clone(),
                state: state_key(&s),
                date: state_date(&s, &cal),
                mandatory: c.mandatory,
            });
        }
        for m in &mine {
            completions.push(CompletionRow {
                id: m.id.0.to_string(),
                course: titles.get(&m.course).cloned().unwrap_or_default(),
                person: me.display_name(),
                date: local_date(m.completed_at, &cal),
                source: source_key(m),
                evidence: evidence_of(m).map(|f| f.0.to_string()),
            });
        }
    }
    // Self-reported completions in the units this user may countersign for.
    let mut to_countersign = Vec::new();
    if user.principal().has_role(vakt_core::Role::Leader) || user.may(Action::RecordCompletion) {
        let units = st.db().units(tenant).await.map_err(train_err)?;
        for r in st
            .db()
            .completions_awaiting_countersign(tenant)
            .await
            .map_err(train_err)?
        {
            let c = &r.completion;
            if Some(c.person) == user.person.as_ref().map(|p| p.id) {
                continue;
            }
            let Some(p) = st.db().person(tenant, c.person).await.map_err(train_err)? else {
                continue;
            };
            if user
                .authorize(
                    Action::RecordCompletion,
                    &person_resource(tenant, &units, &p),
                )
                .is_err()
            {
                continue;
            }
            to_countersign.push(CompletionRow {
                id: c.id.0.to_string(),
                course: titles.get(&c.course).cloned().unwrap_or_default(),
                person: p.display_name(),
                date: local_date(c.completed_at, &cal),
                source: source_key(c),
                evidence: evidence_of(c).map(|f| f.0.to_string()),
            });
            if to_countersign.len() >= MAX_LISTED {
                break;
            }
        }
    }
    let page = user
        .page("training-my-title", "/training")
        .with_notice(notice_text(user.lang(), &n));
    render(&MyPage {
        page,
        has_person: user.person.is_some(),
        rows,
        completions,
        course_options: courses
            .iter()
            .filter(|c| !c.archived)
            .map(|c| (c.id.0.to_string(), c.title.clone()))
            .collect(),
        to_countersign,
        may_view_courses: user.may(Action::ViewCourses),
        may_import: user.may(Action::ImportCompletions),
        today: local_date(now, &cal),
    })
}

/// Reads a multipart form: text fields, and the file field `file` (name, bytes).
async fn read_multipart(
    mut mp: Multipart,
    max_file: usize,
) -> Result<(HashMap<String, String>, Option<(String, Vec<u8>)>), AppError> {
    let mut fields = HashMap::new();
    let mut file = None;
    loop {
        let next = mp.next_field().await.map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                AppError::too_large()
            } else {
                AppError::bad_request("training-err-upload").with_detail(e.to_string())
            }
        })?;
        let Some(field) = next else { break };
        let name = field.name().unwrap_or("").to_owned();
        if name == "file" {
            let fname = field.file_name().unwrap_or("").to_owned();
            let bytes = field.bytes().await.map_err(|_| AppError::too_large())?;
            if bytes.len() > max_file {
                return Err(AppError::invalid("training-err-evidence-too-large"));
            }
            if !bytes.is_empty() || !fname.is_empty() {
                file = Some((fname, bytes.to_vec()));
            }
        } else {
            let text = field
                .text()
                .await
                .map_err(|_| AppError::bad_request("training-err-upload"))?;
            if text.chars().count() > 2000 {
                return Err(AppError::invalid("training-err-upload"));
            }
            fields.insert(name, text);
        }
    }
    Ok((fields, file))
}

/// `POST /training/report` (multipart: `course`, `completed`, `file`).
async fn report(
    user: CurrentUser,
    State(st): State<AppState>,
    ClientIp(ip): ClientIp,
    mp: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, AppError> {
    user.authorize_own(Action::ReportOwnTraining)?;
    let mp = multipart(mp)?;
    let me = user
        .person
        .clone()
        .ok_or_else(|| AppError::invalid("training-err-no-person"))?;
    let (fields, file) =
        read_multipart(mp, vakt_core::training::evidence::MAX_EVIDENCE_BYTES).await?;
    let course = CourseId(
        parse_id(fields.get("course").map(String::as_str).unwrap_or(""))
            .map_err(|_| AppError::invalid("store-training-course-unknown"))?,
    );
    let cal = calendar(&user.settings);
    let at = completion_moment(
        fields.get("completed").map(String::as_str).unwrap_or(""),
        &cal,
        st.now(),
    )?;
    let (name, bytes) = file.ok_or_else(|| AppError::invalid("training-err-evidence-missing"))?;
    let kind = vakt_core::training::check_evidence(&bytes)
        .map_err(|e| AppError::invalid(format!("training-err-{}", e.code().replace('_', "-"))))?;
    let mut tx = st
        .db()
        .write(&user.audit_ctx(ip))
        .await
        .map_err(train_err)?;
    tx.report_completion(
        me.id,
        course,
        at,
        vakt_store::EvidenceUpload {
            file_name: vakt_core::training::clean_file_name(&name),
            content_type: kind.mime().to_owned(),
            bytes,
        },
    )
    .await
    .map_err(train_err)?;
    tx.commit().await.map_err(train_err)?;
    Ok(Redirect::to("/training?notice=reported").into_response())
}

/// `GET /training/evidence/{id}`: the owner, or whoever may see that person's training.
async fn evidence(
    user: CurrentUser,
    State(st): State<AppState>,
    VPath(id): VPath<String>,
) -> Result<Response, AppError> {
    let tenant = user.tenant_id();
    let id = FileId(parse_id(&id)?);
    let (meta, bytes) = st
        .db()
        .evidence(tenant, id)
        .await
        .map_err(train_err)?
        .ok_or_else(AppError::not_found)?;
    let own = user.person.as_ref().is_some_and(|p| p.id == meta.person);
    if !own {
        let p = st
            .db()
            .person(tenant, meta.person)
            .await
            .map_err(train_err)?
            .ok_or_else(AppError::not_found)?;
        let units = st.db().units(tenant).await.map_err(train_err)?;
        user.authorize(Action::ViewTraining, &person_resource(tenant, &units, &p))?;
    }
    let mime = vakt_core::training::EvidenceType::from_mime(&meta.content_type)
        .map_or("application/octet-stream", |k| k.mime());
    let disposition = format!(
        "attachment; filename=\"{}\"",
        vakt_core::training::clean_file_name(&meta.file_name)
            .chars()
            .filter(char::is_ascii)
            .collect::<String>()
    );
    Ok((
        [
            (header::CONTENT_TYPE, mime.to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "private, no-store".to_owned()),
        ],
        Body::from(bytes),
    )
        .into_response())
}

// ---------------------------------------------------------------------------------------------------------
// Courses

#[derive(Debug, Default, Deserialize)]
pub struct CourseForm {
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub provider: String,
    #[serde(default)]
    pub url: String,
    #[serde(default)]
    pub validity_months: String,
    #[serde(default)]
    pub renew_days_before: String,
    #[serde(default)]
    pub mandatory: Option<String>,
    #[serde(default)]
    pub complete_within_days: String,
    #[serde(default)]
    pub archived: Option<String>,
}

fn opt_number(raw: &str, key: &str) -> Result<Option<u32>, AppError> {
    let v = raw.trim();
    if v.is_empty() {
        return Ok(None);
    }
    v.parse::<u32>()
        .map(Some)
        .map_err(|_| AppError::invalid(key.to_owned()))
}

impl CourseForm {
    fn to_new(&self, lang: Lang) -> Result<NewCourse, AppError> {
        let code = crate::extract::text_field(&self.code, "training-field-code", 64, true, lang)?;
        let title =
            crate::extract::text_field(&self.title, "training-field-title", 200, true, lang)?;
        let description = crate::extract::text_field(
            &self.description,
            "training-field-description",
            4000,
            false,
            lang,
        )?;
        let provider = crate::extract::text_field(
            &self.provider,
            "training-field-provider",
            200,
            false,
            lang,
        )?;
        let url = crate::extract::text_field(&self.url, "training-field-url", 500, false, lang)?;
        if !(url.is_empty() || url.starts_with("https://") || url.starts_with("http://")) {
            return Err(AppError::invalid("training-err-url"));
        }
        Ok(NewCourse {
            code,
            title,
            description,
            kind: CourseKind::parse(&self.kind).unwrap_or(CourseKind::Internal),
            provider,
            url: (!url.is_empty()).then_some(url),
            validity_months: opt_number(&self.validity_months, "store-training-course-validity")?,
            renew_days_before: opt_number(&self.renew_days_before, "store-training-course-days")?
                .unwrap_or(30),
            mandatory: self.mandatory.is_some(),
            complete_within_days: opt_number(
                &self.complete_within_days,
                "store-training-course-days",
            )?,
            archived: self.archived.is_some(),
        })
    }
}

pub struct CourseView {
    pub id: String,
    pub code: String,
    pub title: String,
    pub kind: &'static str,
    pub provider: String,
    pub validity: String,
    pub mandatory: bool,
    pub archived: bool,
}

impl CourseView {
    fn of(c: &CourseRecord) -> Self {
        CourseView {
            id: c.id.0.to_string(),
            code: c.code.clone(),
            title: c.title.clone(),
            kind: c.kind.as_str(),
            provider: c.provider.clone(),
            validity: c.validity_months.map(|m| m.to_string()).unwrap_or_default(),
            mandatory: c.mandatory,
            archived: c.archived,
        }
    }
}

#[derive(Template)]
#[template(path = "training/courses.html")]
struct CoursesPage {
    page: Page,
    courses: Vec<CourseView>,
    may_manage: bool,
    may_import: bool,
}

async fn courses_page(
    user: CurrentUser,
    State(st): State<AppState>,
    VQuery(n): VQuery<NoticeParam>,
) -> Result<Response, AppError> {
    user.authorize_tenant(Action::ViewCourses)?;
    let courses = st.db().courses(user.tenant_id()).await.map_err(train_err)?;
    let page = user
        .page("training-courses-title", "/training/courses")
        .with_notice(notice_text(user.lang(), &n));
    render(&CoursesPage {
        page,
        courses: courses.iter().map(CourseView::of).collect(),
        may_manage: user.may(Action::ManageCourses),
        may_import: user.may(Action::ImportCompletions),
    })
}

async fn create_course(
    user: CurrentUser,
    State(st): State<AppState>,
    ClientIp(ip): ClientIp,
    VForm(form): VForm<CourseForm>,
) -> Result<Response, AppError> {
    user.authorize_tenant(Action::ManageCourses)?;
    let new = form.to_new(user.lang())?;
    let mut tx = st
        .db()
        .write(&user.audit_ctx(ip))
        .await
        .map_err(train_err)?;
    let c = tx.create_course(new).await.map_err(train_err)?;
    tx.commit().await.map_err(train_err)?;
    Ok(Redirect::to(&format!("/training/courses/{}?notice=created", c.id.0)).into_response())
}

async fn update_course(
    user: CurrentUser,
    State(st): State<AppState>,
    ClientIp(ip): ClientIp,
    VPath(id): VPath<String>,
    VForm(form): VForm<CourseForm>,
) -> Result<Response, AppError> {
    user.authorize_tenant(Action::ManageCourses)?;
    let id = CourseId(parse_id(&id)?);
    course_or_404(&st, user.tenant_id(), id).await?;
    let new = form.to_new(user.lang())?;
    let mut tx = st
        .db()
        .write(&user.audit_ctx(ip))
        .await
        .map_err(train_err)?;
    tx.update_course(id, new).await.map_err(train_err)?;
    tx.commit().await.map_err(train_err)?;
    Ok(Redirect::to(&format!("/training/courses/{}?notice=saved", id.0)).into_response())
}

pub struct PersonState {
    pub name: String,
    pub number: String,
    pub state: &'static str,
    pub date: String,
}

#[derive(Template)]
#[template(path = "training/course.html")]
struct CoursePage {
    page: Page,
    course: CourseView,
    form: CourseRecord,
    may_manage: bool,
    may_record: bool,
    may_view_status: bool,
    counts: Vec<(&'static str, usize)>,
    people: Vec<PersonState>,
    listed_all: bool,
    today: String,
}

/// The people whose training `user` may see (everyone for a tenant-wide grant, else the led subtrees).
pub async fn visible_people(
    st: &AppState,
    user_principal: &vakt_core::authz::Principal,
    tenant: TenantId,
    units: &[OrgUnit],
) -> Result<Vec<Person>, AppError> {
    let people = st.db().current_people(tenant).await.map_err(train_err)?;
    Ok(people
        .into_iter()
        .filter(|p| {
            vakt_core::authz::authorize(
                user_principal,
                Action::ViewTraining,
                &person_resource(tenant, units, p),
            )
            .is_ok()
        })
        .collect())
}

/// Everyone's state for one course: counts per state and the rows, missing/expired first.
pub fn course_overview(
    course: &CourseRecord,
    people: &[Person],
    completions: &[CompletionRecord],
    now: OffsetDateTime,
    cal: &TenantCalendar,
) -> (Vec<(&'static str, usize)>, Vec<PersonState>) {
    let mut by_person: HashMap<PersonId, Vec<Completion>> = HashMap::new();
    for r in completions {
        by_person
            .entry(r.completion.person)
            .or_default()
            .push(r.completion.clone());
    }
    let order = ["expired", "missing", "awaiting", "renew_soon", "valid"];
    let mut counts: HashMap<&'static str, usize> = HashMap::new();
    let mut rows = Vec::new();
    let none = Vec::new();
    for p in people {
        let s = state_of(
            course,
            p.id,
            by_person.get(&p.id).unwrap_or(&none),
            now,
            cal,
        );
        let key = state_key(&s);
        *counts.entry(key).or_default() += 1;
        rows.push(PersonState {
            name: p.display_name(),
            number: p.employee_number.clone(),
            state: key,
            date: state_date(&s, cal),
        });
    }
    rows.sort_by_key(|r| order.iter().position(|o| *o == r.state).unwrap_or(9));
    (
        order
            .iter()
            .map(|o| (*o, counts.get(o).copied().unwrap_or(0)))
            .collect(),
        rows,
    )
}

/// [`course_overview`] over the people `reader` may see (a leader: the people of their units).
async fn status_for_reader(
    st: &AppState,
    reader: &vakt_core::authz::Principal,
    course: &CourseRecord,
    now: OffsetDateTime,
    cal: &TenantCalendar,
) -> Result<(Vec<(&'static str, usize)>, Vec<PersonState>), AppError> {
    let tenant = reader.tenant;
    let units = st.db().units(tenant).await.map_err(train_err)?;
    let visible = visible_people(st, reader, tenant, &units).await?;
    let completions = st
        .db()
        .completions_of_course(tenant, course.id)
        .await
        .map_err(train_err)?;
    Ok(course_overview(course, &visible, &completions, now, cal))
}

/// The tenant's course `id`, or 404.
pub(crate) async fn course_or_404(
    st: &AppState,
    tenant: TenantId,
    id: CourseId,
) -> Result<CourseRecord, AppError> {
    st.db()
        .course(tenant, id)
        .await
        .map_err(train_err)?
        .ok_or_else(AppError::not_found)
}

async fn course_page(
    user: CurrentUser,
    State(st): State<AppState>,
    VPath(id): VPath<String>,
    VQuery(n): VQuery<NoticeParam>,
) -> Result<Response, AppError> {
    user.authorize_tenant(Action::ViewCourses)?;
    let tenant = user.tenant_id();
    let id = CourseId(parse_id(&id)?);
    let course = course_or_404(&st, tenant, id).await?;
    let cal = calendar(&user.settings);
    let now = st.now();
    let may_view_status = user.may(Action::ViewTraining)
        || user.principal().has_role(vakt_core::Role::Leader)
            && !user.principal().led_units.is_empty();
    let (counts, mut people) = if may_view_status {
        status_for_reader(&st, user.principal(), &course, now, &cal).await?
    } else {
        (Vec::new(), Vec::new())
    };
    let listed_all = people.len() <= MAX_LISTED;
    people.truncate(MAX_LISTED);
    let page = user
        .page(
            "training-course-title",
            &format!("/training/courses/{}", id.0),
        )
        .with_notice(notice_text(user.lang(), &n));
    render(&CoursePage {
        page,
        course: CourseView::of(&course),
        may_manage: user.may(Action::ManageCourses),
        may_record: user.may(Action::RecordCompletion) || !user.principal().led_units.is_empty(),
        may_view_status,
        form: course,
        counts,
        people,
        listed_all,
        today: local_date(now, &cal),
    })
}

/// The heading and rows of a course's status export: everyone the reader may see (a leader: the
/// people of their units), missing and expired first. Recorded in the audit chain.
async fn export_rows(
    st: &AppState,
    user: &CurrentUser,
    id: &str,
    ip: Option<String>,
    format: &str,
) -> Result<(String, Vec<String>, Vec<Vec<String>>), AppError> {
    may_somewhere(user.principal(), Action::ViewTraining)?;
    let tenant = user.tenant_id();
    let id = CourseId(parse_id(id)?);
    let course = course_or_404(st, tenant, id).await?;
    let cal = calendar(&user.settings);
    let (_, people) = status_for_reader(st, user.principal(), &course, st.now(), &cal).await?;
    let lang = user.lang();
    let header = [
        "training-field-person",
        "training-person",
        "training-state",
        "training-date",
    ]
    .iter()
    .map(|k| t(lang, k, &[]))
    .collect();
    let rows: Vec<Vec<String>> = people
        .into_iter()
        .map(|p| {
            vec![
                p.number,
                p.name,
                t(lang, &format!("training-state-{}", p.state), &[]),
                p.date,
            ]
        })
        .collect();
    st.db()
        .record_event(
            &user.audit_ctx(ip),
            vakt_core::audit::EventDraft::new(
                vakt_core::audit::AuditClass::Usage,
                "training.course_export",
                "course",
                id.0,
            )
            .after(format!("{format} rows={}", rows.len())),
        )
        .await?;
    Ok((course.code.clone(), header, rows))
}

/// `GET /training/courses/{id}/export.csv`
async fn export_csv(
    user: CurrentUser,
    State(st): State<AppState>,
    ClientIp(ip): ClientIp,
    VPath(id): VPath<String>,
) -> Result<Response, AppError> {
    let (code, header, rows) = export_rows(&st, &user, &id, ip, "csv").await?;
    crate::instructions::reports::csv_file(&header, &rows, &format!("course-{code}.csv"))
}

/// `GET /training/courses/{id}/export.xlsx`
async fn export_xlsx(
    user: CurrentUser,
    State(st): State<AppState>,
    ClientIp(ip): ClientIp,
    VPath(id): VPath<String>,
) -> Result<Response, AppError> {
    let (code, header, rows) = export_rows(&st, &user, &id, ip, "xlsx").await?;
    crate::instructions::reports::xlsx_file(&header, &rows, &format!("course-{code}.xlsx"))
}

#[derive(Debug, Default, Deserialize)]
pub struct RecordForm {
    #[serde(default)]
    pub person: String,
    #[serde(default)]
    pub completed: String,
    #[serde(default)]
    pub note: String,
}

/// `POST /training/courses/{id}/completions`: a leader records a completion for one of their people.
async fn record(
    user: CurrentUser,
    State(st): State<AppState>,
    ClientIp(ip): ClientIp,
    VPath(id): VPath<String>,
    VForm(form): VForm<RecordForm>,
) -> Result<Response, AppError> {
    may_somewhere(user.principal(), Action::RecordCompletion)?;
    let tenant = user.tenant_id();
    let course = CourseId(parse_id(&id)?);
    course_or_404(&st, tenant, course).await?;
    let number =
        crate::extract::text_field(&form.person, "training-field-person", 64, true, user.lang())?;
    let person = st
        .db()
        .person_by_employee_number(tenant, &number)
        .await
        .map_err(train_err)?
        .ok_or_else(|| AppError::invalid("store-training-person-unknown"))?;
    let units = st.db().units(tenant).await.map_err(train_err)?;
    user.authorize(
        Action::RecordCompletion,
        &person_resource(tenant, &units, &person),
    )?;
    let me = user
        .person
        .as_ref()
        .ok_or_else(|| AppError::invalid("training-err-no-person"))?;
    let at = completion_moment(&form.completed, &calendar(&user.settings), st.now())?;
    let note =
        crate::extract::text_field(&form.note, "training-field-note", 500, false, user.lang())?;
    let mut tx = st
        .db()
        .write(&user.audit_ctx(ip))
        .await
        .map_err(train_err)?;
    tx.record_completion(person.id, course, at, me.id, &note)
        .await
        .map_err(train_err)?;
    tx.commit().await.map_err(train_err)?;
    Ok(Redirect::to(&format!("/training/courses/{}?notice=recorded", course.0)).into_response())
}

/// `POST /training/completions/{id}/countersign`.
async fn countersign(
    user: CurrentUser,
    State(st): State<AppState>,
    ClientIp(ip): ClientIp,
    VPath(id): VPath<String>,
) -> Result<Response, AppError> {
    countersign_as(
        &st,
        &user.0.principal,
        user.person.as_ref(),
        user.audit_ctx(ip),
        CompletionId(parse_id(&id)?),
    )
    .await?;
    Ok(Redirect::to("/training?notice=countersigned").into_response())
}

/// The countersign check and write (pages and API).
pub async fn countersign_as(
    st: &AppState,
    principal: &vakt_core::authz::Principal,
    me: Option<&Person>,
    ctx: vakt_store::AuditCtx,
    id: CompletionId,
) -> Result<CompletionRecord, AppError> {
    let tenant = principal.tenant;
    let rec = st
        .db()
        .completion(tenant, id)
        .await
        .map_err(train_err)?
        .ok_or_else(AppError::not_found)?;
    let person = st
        .db()
        .person(tenant, rec.completion.person)
        .await
        .map_err(train_err)?
        .ok_or_else(AppError::not_found)?;
    let units = st.db().units(tenant).await.map_err(train_err)?;
    vakt_core::authz::authorize(
        principal,
        Action::RecordCompletion,
        &person_resource(tenant, &units, &person),
    )
    .map_err(crate::extract::denied)?;
    let me = me.ok_or_else(|| AppError::invalid("training-err-no-person"))?;
    if !rec.completion.counts()
        || !matches!(rec.completion.source, CompletionSource::SelfReported { .. })
    {
        let mut tx = st.db().write(&ctx).await.map_err(train_err)?;
        let signed = tx
            .countersign_completion(id, me.id)
            .await
            .map_err(train_err)?;
        tx.commit().await.map_err(train_err)?;
        return Ok(signed);
    }
    // Already countersigned: the first signature stands; asking again changes nothing.
    Ok(rec)
}

// ---------------------------------------------------------------------------------------------------------
// Import

pub struct ProblemRow {
    pub line: u64,
    pub message: String,
}

#[derive(Template)]
#[template(path = "training/import.html")]
struct ImportPage {
    page: Page,
    done: bool,
    created: usize,
    already: usize,
    problems: Vec<ProblemRow>,
}

async fn import_form(user: CurrentUser) -> Result<Response, AppError> {
    user.authorize_tenant(Action::ImportCompletions)?;
    render(&ImportPage {
        page: user.page("training-import-title", "/training/import"),
        done: false,
        created: 0,
        already: 0,
        problems: Vec::new(),
    })
}

/// The message of one row problem in `lang`.
pub fn problem_message(lang: Lang, p: &vakt_core::training::RowProblem) -> String {
    use vakt_core::training::RowProblem as P;
    let code = serde_json::to_value(p)
        .ok()
        .and_then(|v| v.get("code").and_then(|c| c.as_str()).map(str::to_owned))
        .unwrap_or_else(|| "malformed".into());
    let mut args: Vec<(&str, crate::i18n::Arg)> = Vec::new();
    match p {
        P::MissingColumn(c) => args.push(("detail", c.clone().into())),
        P::MissingValue(c) | P::TooLong(c) => args.push(("detail", (*c).into())),
        P::DuplicateInFile { first_line } => args.push(("detail", (*first_line).into())),
        _ => args.push(("detail", "".into())),
    }
    t(
        lang,
        &format!("training-import-{}", code.replace('_', "-")),
        &args,
    )
}

/// Validates and imports a completion CSV for `tenant`; returns (outcome, per-row problems).
pub async fn import_csv(
    st: &AppState,
    ctx: vakt_store::AuditCtx,
    cal: &TenantCalendar,
    platform: &str,
    bytes: &[u8],
) -> Result<
    (
        vakt_store::CompletionImportOutcome,
        Vec<vakt_core::training::RowError>,
    ),
    AppError,
> {
    let tenant = ctx.tenant;
    let platform = platform.trim();
    if platform.is_empty() || platform.chars().count() > 100 {
        return Err(AppError::invalid("store-training-platform"));
    }
    let people = st.db().current_people(tenant).await.map_err(train_err)?;
    let courses = st.db().courses(tenant).await.map_err(train_err)?;
    let mut by_key: HashMap<String, PersonId> = HashMap::new();
    for p in &people {
        by_key.insert(p.employee_number.to_lowercase(), p.id);
        if let Some(e) = &p.email {
            by_key.insert(e.trim().to_lowercase(), p.id);
        }
    }
    let by_code: HashMap<String, CourseId> = courses
        .iter()
        .map(|c| (c.code.to_lowercase(), c.id))
        .collect();
    let plan = vakt_core::training::validate_completion_csv(
        bytes,
        |k| by_key.get(&k.trim().to_lowercase()).copied(),
        |k| by_code.get(&k.trim().to_lowercase()).copied(),
        st.now(),
        cal,
    );
    let mut tx = st.db().write(&ctx).await.map_err(train_err)?;
    let out = tx
        .import_completions(platform, &plan.rows, plan.errors.len())
        .await
        .map_err(train_err)?;
    tx.commit().await.map_err(train_err)?;
    Ok((out, plan.errors))
}

async fn import_submit(
    user: CurrentUser,
    State(st): State<AppState>,
    ClientIp(ip): ClientIp,
    mp: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, AppError> {
    user.authorize_tenant(Action::ImportCompletions)?;
    let mp = multipart(mp)?;
    let (fields, file) = read_multipart(mp, MAX_IMPORT_BYTES).await?;
    let (_, bytes) = file.ok_or_else(|| AppError::invalid("training-err-file-missing"))?;
    let platform = fields.get("platform").cloned().unwrap_or_default();
    let cal = calendar(&user.settings);
    let (out, errors) = import_csv(&st, user.audit_ctx(ip), &cal, &platform, &bytes).await?;
    let lang = user.lang();
    render(&ImportPage {
        page: user.page("training-import-title", "/training/import"),
        done: true,
        created: out.created,
        already: out.already_imported,
        problems: errors
            .iter()
            .map(|e| ProblemRow {
                line: e.line,
                message: problem_message(lang, &e.problem),
            })
            .collect(),
    })
}
