//! The training JSON API (`/api/v1/training/…`): courses, a course's status per person, a person's
//! courses, recording and countersigning completions, and the learning-platform CSV import with its
//! per-row report. Merged into the OpenAPI document by [`crate::api::openapi`].

use std::collections::HashMap;

use axum::{
    Json, Router,
    body::Bytes,
    extract::State,
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Response},
    routing::{get, post},
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};
use uuid::Uuid;

use vakt_core::authz::{Action, Resource};
use vakt_core::directory::PersonId;
use vakt_core::training::{Completion, CompletionId, CompletionSource, CourseId};
use vakt_store::{CompletionRecord, CourseKind, CourseRecord, NewCourse};

use super::{
    calendar, course_overview, problem_message, state_date, state_key, state_of, train_err,
    visible_people,
};
use crate::api::dto::ErrorBody;
use crate::extract::{ApiUser, ClientIp, VPath, VQuery};
use crate::{AppError, AppState};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/training/courses",
            get(list_courses).post(create_course),
        )
        .route("/api/v1/training/courses/{id}/status", get(course_status))
        .route(
            "/api/v1/training/courses/{id}/completions",
            post(record_completion),
        )
        .route(
            "/api/v1/training/completions/{id}/countersign",
            post(countersign),
        )
        .route("/api/v1/training/people/{id}", get(person_courses))
        .route("/api/v1/training/import", post(import))
        .route(
            "/api/v1/training/prerequisites",
            get(super::prerequisites::api_list),
        )
}

pub fn route_table() -> Vec<crate::routes::RouteInfo> {
    use crate::routes::{Access::Requires, RouteInfo};
    vec![
        RouteInfo::new(
            "GET",
            "/api/v1/training/courses",
            Requires(Action::ViewCourses),
        ),
        RouteInfo::new(
            "POST",
            "/api/v1/training/courses",
            Requires(Action::ManageCourses),
        ),
        RouteInfo::new(
            "GET",
            "/api/v1/training/courses/{id}/status",
            Requires(Action::ViewTraining),
        ),
        RouteInfo::new(
            "POST",
            "/api/v1/training/courses/{id}/completions",
            Requires(Action::RecordCompletion),
        ),
        RouteInfo::new(
            "POST",
            "/api/v1/training/completions/{id}/countersign",
            Requires(Action::RecordCompletion),
        ),
        RouteInfo::new(
            "GET",
            "/api/v1/training/people/{id}",
            Requires(Action::ViewTraining),
        ),
        RouteInfo::new(
            "POST",
            "/api/v1/training/import",
            Requires(Action::ImportCompletions),
        ),
    ]
}

#[derive(OpenApi)]
#[openapi(
    paths(
        list_courses,
        create_course,
        course_status,
        record_completion,
        countersign,
        person_courses,
        import
    ),
    components(schemas(
        CourseDto,
        NewCourseDto,
        CourseStatusDto,
        StateCount,
        PersonCourseDto,
        RecordDto,
        CompletionDto,
        TrainingImportDto,
        TrainingImportProblem
    ))
)]
pub struct TrainingApi;

/// A course.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CourseDto {
    pub id: Uuid,
    pub code: String,
    pub title: String,
    pub description: String,
    /// `internal` or `external`.
    pub kind: String,
    pub provider: String,
    pub url: Option<String>,
    /// Months a completion stays valid; absent = for ever.
    pub validity_months: Option<u32>,
    pub renew_days_before: u32,
    pub mandatory: bool,
    pub complete_within_days: Option<u32>,
    pub archived: bool,
}

impl From<&CourseRecord> for CourseDto {
    fn from(c: &CourseRecord) -> Self {
        CourseDto {
            id: c.id.0,
            code: c.code.clone(),
            title: c.title.clone(),
            description: c.description.clone(),
            kind: c.kind.as_str().to_owned(),
            provider: c.provider.clone(),
            url: c.url.clone(),
            validity_months: c.validity_months,
            renew_days_before: c.renew_days_before,
            mandatory: c.mandatory,
            complete_within_days: c.complete_within_days,
            archived: c.archived,
        }
    }
}

/// A new course.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct NewCourseDto {
    pub code: String,
    pub title: String,
    #[serde(default)]
    pub description: String,
    /// `internal` (default) or `external`.
    #[serde(default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub provider: String,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub validity_months: Option<u32>,
    #[serde(default)]
    pub renew_days_before: Option<u32>,
    #[serde(default)]
    pub mandatory: bool,
    #[serde(default)]
    pub complete_within_days: Option<u32>,
}

/// How many people are in one state.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct StateCount {
    /// `expired`, `missing`, `awaiting`, `renew_soon` or `valid`.
    pub state: String,
    pub count: usize,
}

/// One person's standing with one course.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PersonCourseDto {
    pub course: Uuid,
    pub course_title: String,
    pub person: Uuid,
    pub person_name: String,
    /// `valid`, `renew_soon`, `expired`, `missing` or `awaiting` (a countersignature).
    pub state: String,
    /// Valid until / expired at / reported on, as a local date (`YYYY-MM-DD`); empty when missing.
    pub date: String,
}

/// A course's status over the people the caller may see.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CourseStatusDto {
    pub course: CourseDto,
    pub counts: Vec<StateCount>,
    pub people: Vec<PersonCourseDto>,
}

/// A completion recorded by a leader.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RecordDto {
    pub person: Uuid,
    /// `YYYY-MM-DD` (local date; not in the future).
    pub completed_on: String,
    #[serde(default)]
    pub note: String,
}

/// A completion.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CompletionDto {
    pub id: Uuid,
    pub course: Uuid,
    pub person: Uuid,
    /// RFC 3339.
    pub completed_at: String,
    /// `self_reported`, `leader_recorded` or `imported`.
    pub source: String,
    /// Whether it counts (self-reported ones only once countersigned).
    pub counts: bool,
}

impl From<&Completion> for CompletionDto {
    fn from(c: &Completion) -> Self {
        CompletionDto {
            id: c.id.0,
            course: c.course.0,
            person: c.person.0,
            completed_at: c
                .completed_at
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_default(),
            source: match c.source {
                CompletionSource::SelfReported { .. } => "self_reported",
                CompletionSource::LeaderRecorded { .. } => "leader_recorded",
                CompletionSource::Imported { .. } => "imported",
            }
            .to_owned(),
            counts: c.counts(),
        }
    }
}

/// One rejected row of a completion import.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TrainingImportProblem {
    /// 1-based line; 0 for the file as a whole.
    pub line: u64,
    pub code: String,
    pub message: String,
}

/// The outcome of a completion import.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TrainingImportDto {
    pub created: usize,
    pub already_imported: usize,
    pub rejected: Vec<TrainingImportProblem>,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct ImportParams {
    /// The learning platform the file comes from (re-imports are idempotent per platform and reference).
    #[serde(default)]
    pub platform: Option<String>,
}

/// A JSON body, parsed after the authorization check (so a refusal is never hidden behind a parse error).
fn json_body<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    serde_json::from_slice(bytes).map_err(|e| {
        AppError::bad_request("api-err-invalid-request").with_arg("detail", e.to_string())
    })
}

fn parse_uuid(raw: &str) -> Result<Uuid, AppError> {
    Uuid::parse_str(raw).map_err(|_| AppError::not_found())
}

/// Every course of the caller's tenant.
#[utoipa::path(get, path = "/api/v1/training/courses", responses(
    (status = 200, body = [CourseDto]), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn list_courses(
    user: ApiUser,
    State(st): State<AppState>,
) -> Result<Json<Vec<CourseDto>>, AppError> {
    user.authorize_tenant(Action::ViewCourses)?;
    let courses = st.db().courses(user.tenant_id()).await.map_err(train_err)?;
    Ok(Json(courses.iter().map(CourseDto::from).collect()))
}

/// Create a course.
#[utoipa::path(post, path = "/api/v1/training/courses", request_body = NewCourseDto, responses(
    (status = 201, body = CourseDto), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
    (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_course(
    user: ApiUser,
    State(st): State<AppState>,
    ClientIp(ip): ClientIp,
    body: Bytes,
) -> Result<Response, AppError> {
    user.authorize_tenant(Action::ManageCourses)?;
    let body: NewCourseDto = json_body(&body)?;
    let kind = match body.kind.as_deref() {
        None => CourseKind::Internal,
        Some(k) => CourseKind::parse(k).ok_or_else(|| AppError::invalid("training-err-kind"))?,
    };
    let new = NewCourse {
        code: body.code,
        title: body.title,
        description: body.description,
        kind,
        provider: body.provider,
        url: body.url,
        validity_months: body.validity_months,
        renew_days_before: body.renew_days_before.unwrap_or(30),
        mandatory: body.mandatory,
        complete_within_days: body.complete_within_days,
        archived: false,
    };
    let mut tx = st
        .db()
        .write(&user.audit_ctx(ip))
        .await
        .map_err(train_err)?;
    let c = tx.create_course(new).await.map_err(train_err)?;
    tx.commit().await.map_err(train_err)?;
    Ok((StatusCode::CREATED, Json(CourseDto::from(&c))).into_response())
}

/// A course's status for every person the caller may see (leaders: their units).
#[utoipa::path(get, path = "/api/v1/training/courses/{id}/status", params(("id" = Uuid, Path, description = "Course id")), responses(
    (status = 200, body = CourseStatusDto), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn course_status(
    user: ApiUser,
    State(st): State<AppState>,
    VPath(id): VPath<String>,
) -> Result<Json<CourseStatusDto>, AppError> {
    let tenant = user.tenant_id();
    let id = CourseId(parse_uuid(&id)?);
    super::may_somewhere(&user.principal, Action::ViewTraining)?;
    let course = super::course_or_404(&st, tenant, id).await?;
    let settings = crate::settings::tenant_settings(&st, tenant).await?;
    let cal = calendar(&settings);
    let units = st.db().units(tenant).await.map_err(train_err)?;
    let people = visible_people(&st, &user.principal, tenant, &units).await?;
    let completions = st
        .db()
        .completions_of_course(tenant, id)
        .await
        .map_err(train_err)?;
    let (counts, _) = course_overview(&course, &people, &completions, st.now(), &cal);
    let by_person = group(&completions);
    let none = Vec::new();
    let rows = people
        .iter()
        .map(|p| {
            let s = state_of(
                &course,
                p.id,
                by_person.get(&p.id).unwrap_or(&none),
                st.now(),
                &cal,
            );
            PersonCourseDto {
                course: course.id.0,
                course_title: course.title.clone(),
                person: p.id.0,
                person_name: p.display_name(),
                state: state_key(&s).to_owned(),
                date: state_date(&s, &cal),
            }
        })
        .collect();
    Ok(Json(CourseStatusDto {
        course: CourseDto::from(&course),
        counts: counts
            .into_iter()
            .map(|(state, count)| StateCount {
                state: state.to_owned(),
                count,
            })
            .collect(),
        people: rows,
    }))
}

fn group(rs: &[CompletionRecord]) -> HashMap<PersonId, Vec<Completion>> {
    let mut m: HashMap<PersonId, Vec<Completion>> = HashMap::new();
    for r in rs {
        m.entry(r.completion.person)
            .or_default()
            .push(r.completion.clone());
    }
    m
}

/// One person's standing with every course (mandatory ones and those they have completions of).
#[utoipa::path(get, path = "/api/v1/training/people/{id}", params(("id" = Uuid, Path, description = "Person id")), responses(
    (status = 200, body = [PersonCourseDto]), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn person_courses(
    user: ApiUser,
    State(st): State<AppState>,
    VPath(id): VPath<String>,
) -> Result<Json<Vec<PersonCourseDto>>, AppError> {
    let tenant = user.tenant_id();
    let id = PersonId(parse_uuid(&id)?);
    let person = st
        .db()
        .person(tenant, id)
        .await
        .map_err(train_err)?
        .ok_or_else(AppError::not_found)?;
    if user.person != Some(id) {
        let units = st.db().units(tenant).await.map_err(train_err)?;
        user.authorize(
            Action::ViewTraining,
            &Resource::in_unit(tenant, crate::directory::unit_path(&units, person.unit)),
        )?;
    }
    let settings = crate::settings::tenant_settings(&st, tenant).await?;
    let cal = calendar(&settings);
    let courses = st.db().courses(tenant).await.map_err(train_err)?;
    let mine: Vec<Completion> = st
        .db()
        .completions_of_person(tenant, id)
        .await
        .map_err(train_err)?
        .into_iter()
        .map(|r| r.completion)
        .collect();
    let now = st.now();
    Ok(Json(
        courses
            .iter()
            .filter(|c| !c.archived && (c.mandatory || mine.iter().any(|m| m.course == c.id)))
            .map(|c| {
                let s = state_of(c, id, &mine, now, &cal);
                PersonCourseDto {
                    course: c.id.0,
                    course_title: c.title.clone(),
                    person: id.0,
                    person_name: person.display_name(),
                    state: state_key(&s).to_owned(),
                    date: state_date(&s, &cal),
                }
            })
            .collect(),
    ))
}

/// Record a completion for a person (a leader for their units, or a coordinator).
#[utoipa::path(post, path = "/api/v1/training/courses/{id}/completions", params(("id" = Uuid, Path, description = "Course id")),
    request_body = RecordDto, responses(
    (status = 201, body = CompletionDto), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
    (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn record_completion(
    user: ApiUser,
    State(st): State<AppState>,
    ClientIp(ip): ClientIp,
    VPath(id): VPath<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    super::may_somewhere(&user.principal, Action::RecordCompletion)?;
    let tenant = user.tenant_id();
    let course = CourseId(parse_uuid(&id)?);
    super::course_or_404(&st, tenant, course).await?;
    let body: RecordDto = json_body(&body)?;
    let person = st
        .db()
        .person(tenant, PersonId(body.person))
        .await
        .map_err(train_err)?
        .ok_or_else(|| AppError::invalid("store-training-person-unknown"))?;
    let units = st.db().units(tenant).await.map_err(train_err)?;
    user.authorize(
        Action::RecordCompletion,
        &Resource::in_unit(tenant, crate::directory::unit_path(&units, person.unit)),
    )?;
    let by = user
        .person
        .ok_or_else(|| AppError::invalid("training-err-no-person"))?;
    let settings = crate::settings::tenant_settings(&st, tenant).await?;
    let at = super::completion_moment(&body.completed_on, &calendar(&settings), st.now())?;
    if body.note.chars().count() > 500 {
        return Err(AppError::invalid("training-err-upload"));
    }
    let mut tx = st
        .db()
        .write(&user.audit_ctx(ip))
        .await
        .map_err(train_err)?;
    let rec = tx
        .record_completion(person.id, course, at, by, &body.note)
        .await
        .map_err(train_err)?;
    tx.commit().await.map_err(train_err)?;
    Ok((
        StatusCode::CREATED,
        Json(CompletionDto::from(&rec.completion)),
    )
        .into_response())
}

/// Countersign a self-reported completion (not one's own).
#[utoipa::path(post, path = "/api/v1/training/completions/{id}/countersign", params(("id" = Uuid, Path, description = "Completion id")), responses(
    (status = 200, body = CompletionDto), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
    (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn countersign(
    user: ApiUser,
    State(st): State<AppState>,
    ClientIp(ip): ClientIp,
    VPath(id): VPath<String>,
) -> Result<Json<CompletionDto>, AppError> {
    let tenant = user.tenant_id();
    let me = match user.person {
        Some(p) => st.db().person(tenant, p).await.map_err(train_err)?,
        None => None,
    };
    let rec = super::countersign_as(
        &st,
        &user.principal,
        me.as_ref(),
        user.audit_ctx(ip),
        CompletionId(parse_uuid(&id)?),
    )
    .await?;
    Ok(Json(CompletionDto::from(&rec.completion)))
}

/// Import a learning platform's completion CSV (`text/csv`; columns `person`, `course`, `completed`,
/// optional `reference`). Valid rows are imported, bad rows reported one by one; importing the same file
/// again creates nothing new.
#[utoipa::path(post, path = "/api/v1/training/import", params(ImportParams),
    request_body(content = String, content_type = "text/csv", description = "The completion CSV"),
    responses((status = 200, body = TrainingImportDto), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 413, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn import(
    user: ApiUser,
    State(st): State<AppState>,
    ClientIp(ip): ClientIp,
    VQuery(q): VQuery<ImportParams>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<TrainingImportDto>, AppError> {
    let tenant = user.tenant_id();
    user.authorize_tenant(Action::ImportCompletions)?;
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !ct.to_ascii_lowercase().starts_with("text/csv") {
        return Err(AppError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "api-err-invalid-request",
        )
        .with_arg("detail", "Content-Type: text/csv"));
    }
    let settings = crate::settings::tenant_settings(&st, tenant).await?;
    let (out, errors) = super::import_csv(
        &st,
        user.audit_ctx(ip),
        &calendar(&settings),
        q.platform.as_deref().unwrap_or(""),
        &body,
    )
    .await?;
    let lang = user.lang;
    Ok(Json(TrainingImportDto {
        created: out.created,
        already_imported: out.already_imported,
        rejected: errors
            .iter()
            .map(|e| TrainingImportProblem {
                line: e.line,
                code: serde_json::to_value(&e.problem)
                    .ok()
                    .and_then(|v| v.get("code").and_then(|c| c.as_str()).map(str::to_owned))
                    .unwrap_or_default(),
                message: problem_message(lang, &e.problem),
            })
            .collect(),
    }))
}
