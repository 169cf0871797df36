//! The JSON API of instructions, acknowledgments, reports and groups (`/api/v1/…`), with its own
//! OpenAPI part merged into the API document.

use axum::{
    Json, Router,
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Response},
    routing::{delete, get, post, put},
};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::{IntoParams, OpenApi, ToSchema};
use uuid::Uuid;

use vakt_core::authz::{Action, Resource};
use vakt_core::directory::{PersonId, UnitId};
use vakt_core::instructions::{
    ChangeKind, GroupId, InstructionId, LineOp, Standing, StepActor, VersionId, VersionStep,
    diff_lines, in_force,
};
use vakt_store::{
    Completion, DraftEdit, Instruction, InstructionFields, InstructionVersion, NewGroup,
};

use super::{StepForm, calendar, parse_id, parse_step, person_by_number_in};
use crate::{
    AppError, AppState,
    api::dto::ErrorBody,
    directory::unit_path,
    extract::{ApiUser, ClientIp, VPath, VQuery},
};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/instructions", get(list).post(create))
        .route("/api/v1/instructions/{id}", get(detail))
        .route("/api/v1/instructions/{id}/diff", get(diff))
        .route(
            "/api/v1/instructions/{id}/attachments",
            get(attachments)
                .post(add_attachment)
                .layer(axum::extract::DefaultBodyLimit::max(super::UPLOAD_LIMIT)),
        )
        .route(
            "/api/v1/instructions/{id}/attachments/{aid}",
            get(attachment_data).delete(remove_attachment),
        )
        .route("/api/v1/instructions/{id}/versions", post(create_version))
        .route(
            "/api/v1/instructions/{id}/versions/{vid}",
            put(edit_version),
        )
        .route(
            "/api/v1/instructions/{id}/versions/{vid}/step",
            post(step_version),
        )
        .route(
            "/api/v1/instructions/{id}/versions/{vid}/comments",
            post(comment_version),
        )
        .route("/api/v1/me/instructions", get(mine))
        .route("/api/v1/reports/instructions", get(report))
        .route("/api/v1/reports/instructions/units/{id}", get(unit_report))
        .route("/api/v1/groups", get(groups).post(create_group))
        .route("/api/v1/groups/{id}", get(group).delete(delete_group))
        .route("/api/v1/groups/{id}/members", post(add_member))
        .route(
            "/api/v1/groups/{id}/members/{person}",
            delete(remove_member),
        )
}

pub fn route_table() -> Vec<crate::routes::RouteInfo> {
    use crate::routes::{Access::Requires, RouteInfo};
    vec![
        RouteInfo::new(
            "GET",
            "/api/v1/instructions",
            Requires(Action::ViewInstructions),
        ),
        RouteInfo::new(
            "POST",
            "/api/v1/instructions",
            Requires(Action::EditInstructions),
        ),
        RouteInfo::new(
            "GET",
            "/api/v1/instructions/{id}",
            Requires(Action::ViewInstructions),
        ),
        RouteInfo::new(
            "GET",
            "/api/v1/instructions/{id}/diff",
            Requires(Action::ViewInstructions),
        ),
        RouteInfo::new(
            "GET",
            "/api/v1/instructions/{id}/attachments",
            Requires(Action::ViewInstructions),
        ),
        RouteInfo::new(
            "POST",
            "/api/v1/instructions/{id}/attachments",
            Requires(Action::EditInstructions),
        ),
        RouteInfo::new(
            "GET",
            "/api/v1/instructions/{id}/attachments/{aid}",
            Requires(Action::ViewInstructions),
        ),
        RouteInfo::new(
            "DELETE",
            "/api/v1/instructions/{id}/attachments/{aid}",
            Requires(Action::EditInstructions),
        ),
        RouteInfo::new(
            "POST",
            "/api/v1/instructions/{id}/versions",
            Requires(Action::EditInstructions),
        ),
        RouteInfo::new(
            "PUT",
            "/api/v1/instructions/{id}/versions/{vid}",
            Requires(Action::EditInstructions),
        ),
        // Approval needs `ReviewInstructions`; every other step also `EditInstructions`.
        RouteInfo::new(
            "POST",
            "/api/v1/instructions/{id}/versions/{vid}/step",
            Requires(Action::ReviewInstructions),
        ),
        RouteInfo::new(
            "POST",
            "/api/v1/instructions/{id}/versions/{vid}/comments",
            Requires(Action::ReviewInstructions),
        ),
        RouteInfo::new(
            "GET",
            "/api/v1/me/instructions",
            Requires(Action::ViewOwnPage),
        ),
        RouteInfo::new(
            "GET",
            "/api/v1/reports/instructions",
            Requires(Action::ViewUnitOverview),
        ),
        RouteInfo::new(
            "GET",
            "/api/v1/reports/instructions/units/{id}",
            Requires(Action::ViewUnitOverview),
        ),
        RouteInfo::new("GET", "/api/v1/groups", Requires(Action::ViewGroups)),
        RouteInfo::new("POST", "/api/v1/groups", Requires(Action::ManageGroups)),
        RouteInfo::new("GET", "/api/v1/groups/{id}", Requires(Action::ViewGroups)),
        RouteInfo::new(
            "DELETE",
            "/api/v1/groups/{id}",
            Requires(Action::ManageGroups),
        ),
        RouteInfo::new(
            "POST",
            "/api/v1/groups/{id}/members",
            Requires(Action::ManageGroups),
        ),
        RouteInfo::new(
            "DELETE",
            "/api/v1/groups/{id}/members/{person}",
            Requires(Action::ManageGroups),
        ),
    ]
}

/// This part of the OpenAPI document (merged by `crate::api::openapi`).
#[derive(OpenApi)]
#[openapi(
    paths(
        list,
        create,
        detail,
        diff,
        attachments,
        add_attachment,
        attachment_data,
        remove_attachment,
        create_version,
        edit_version,
        step_version,
        comment_version,
        mine,
        report,
        unit_report,
        groups,
        create_group,
        group,
        delete_group,
        add_member,
        remove_member
    ),
    components(schemas(
        InstructionDto,
        VersionDto,
        InstructionDetailDto,
        NewInstructionDto,
        DiffLineDto,
        AttachmentDto,
        UploadDto,
        NewVersionDto,
        DraftDto,
        StepDto,
        NewCommentDto,
        ReviewCommentDto,
        MyInstructionDto,
        CompletionDto,
        InstructionCompletionDto,
        OverviewDto,
        UnitReportDto,
        PersonStandingDto,
        StandingDto,
        GroupDto,
        GroupDetailDto,
        GroupMemberDto,
        NewGroupDto,
        NewMemberDto
    ))
)]
pub struct InstructionsApi;

/// An instruction.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct InstructionDto {
    pub id: Uuid,
    pub title: String,
    /// Person id of the owner.
    pub owner: Uuid,
    /// `ict_use`, `information_security`, `privacy`, `home_office`, `leader`, `it_operations` or `other`.
    pub category: String,
    /// Signing needs re-authentication (password or TOTP).
    pub requires_signature: bool,
    /// Sign within this many days of publication or of joining the audience.
    pub sign_within_days: u32,
    /// The audience rules (`kind`: everyone, units, roles, person_kinds, groups, all_of).
    #[schema(value_type = Object)]
    pub audience: serde_json::Value,
    /// The version in force, e.g. `2.1`; `null` when none is.
    pub in_force: Option<String>,
}

fn inst_dto(
    i: &Instruction,
    versions: &[InstructionVersion],
    now: OffsetDateTime,
) -> InstructionDto {
    let published: Vec<_> = versions.iter().filter_map(|v| v.published()).collect();
    InstructionDto {
        id: i.id.0,
        title: i.title.clone(),
        owner: i.owner.0,
        category: i.category.clone(),
        requires_signature: i.requires_signature,
        sign_within_days: i.sign_within_days,
        audience: serde_json::to_value(&i.audience).unwrap_or(serde_json::Value::Null),
        in_force: in_force(&published, now).map(|v| v.number.to_string()),
    }
}

/// A file attached to an instruction.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AttachmentDto {
    pub id: Uuid,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
    /// SHA-256 (hex) of the bytes.
    pub sha256: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

impl From<&vakt_store::InstructionAttachment> for AttachmentDto {
    fn from(a: &vakt_store::InstructionAttachment) -> Self {
        AttachmentDto {
            id: a.id,
            file_name: a.file_name.clone(),
            content_type: a.content_type.clone(),
            size: a.size,
            sha256: a.sha256.clone(),
            created_at: a.created_at,
        }
    }
}

/// The upload of an attachment: `multipart/form-data` with the file in the field `file`.
#[derive(Debug, ToSchema)]
#[allow(dead_code)] // Only describes the request body in the OpenAPI document.
pub struct UploadDto {
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
}

/// One version (the revision table's row).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct VersionDto {
    pub id: Uuid,
    pub number: String,
    /// `minor` or `major`.
    pub change_kind: String,
    /// `draft`, `in_review`, `approved`, `published` or `retired`.
    pub state: String,
    pub title: String,
    /// The Markdown text.
    pub body: String,
    /// SHA-256 (hex) of the text.
    pub sha256: String,
    pub change_comment: String,
    pub author: Uuid,
    pub approver: Option<Uuid>,
    pub reviewers: Vec<Uuid>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub approved_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub effective_from: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub retired_at: Option<OffsetDateTime>,
}

impl From<&InstructionVersion> for VersionDto {
    fn from(v: &InstructionVersion) -> Self {
        VersionDto {
            id: v.id.0,
            number: v.number.to_string(),
            change_kind: v.change_kind.as_str().into(),
            state: v.state.as_str().into(),
            title: v.title.clone(),
            body: v.body.clone(),
            sha256: v.body_sha256.to_hex(),
            change_comment: v.change_comment.clone(),
            author: v.author.0,
            approver: v.approver.map(|p| p.0),
            reviewers: v.reviewers.iter().map(|p| p.0).collect(),
            approved_at: v.approved_at,
            effective_from: v.effective_from,
            retired_at: v.retired_at,
        }
    }
}

/// An instruction with its versions (published ones; all for editors).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct InstructionDetailDto {
    pub instruction: InstructionDto,
    pub versions: Vec<VersionDto>,
}

/// A new instruction with the text of its first draft version 1.0.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct NewInstructionDto {
    pub title: String,
    /// Employee number of the owner.
    pub owner_employee_number: String,
    pub category: String,
    #[serde(default)]
    pub requires_signature: bool,
    #[serde(default = "fourteen")]
    pub sign_within_days: u32,
    /// Audience rules, e.g. `{"rules":[{"kind":"everyone"}]}`.
    #[schema(value_type = Object)]
    pub audience: serde_json::Value,
    pub body: String,
    #[serde(default)]
    pub change_comment: String,
}

fn fourteen() -> u32 {
    14
}

/// One line of a diff.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DiffLineDto {
    /// `same`, `added` or `removed`.
    pub op: String,
    pub text: String,
}

/// A new version of an instruction (a draft copying the latest version's text).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct NewVersionDto {
    /// `minor` (e.g. 1.0 → 1.1) or `major` (1.0 → 2.0; everyone must sign again).
    pub kind: String,
}

/// A draft's text and the people of its hearing round (replaces all of them).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DraftDto {
    pub title: String,
    /// The Markdown text.
    pub body: String,
    #[serde(default)]
    pub change_comment: String,
    /// Employee number (or user name) of the approver; omitted or empty: none.
    #[serde(default)]
    pub approver_employee_number: Option<String>,
    /// Employee numbers (or user names) of the reviewers, at most 50; omitted: none.
    #[serde(default)]
    pub reviewer_employee_numbers: Option<Vec<String>>,
}

/// A workflow step of a version.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct StepDto {
    /// `send_to_review`, `back_to_draft`, `approve`, `publish` or `retire`.
    pub step: String,
    /// `YYYY-MM-DD` (publish only): in force from the start of that day in the tenant's time zone,
    /// or now if it is today, in the past or omitted.
    #[serde(default)]
    pub effective_from: Option<String>,
}

/// A comment in the hearing round.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct NewCommentDto {
    /// 1–5000 characters.
    pub body: String,
}

/// A comment in the hearing round, as stored.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ReviewCommentDto {
    pub id: Uuid,
    /// Person id of the author.
    pub author: Uuid,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    pub body: String,
}

/// Where a person stands.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct StandingDto {
    /// `signed`, `missing` or `overdue`.
    pub standing: String,
    /// The version signed (signed only).
    pub version: Option<String>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub signed_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub due_at: Option<OffsetDateTime>,
}

impl From<&Standing> for StandingDto {
    fn from(s: &Standing) -> Self {
        match s {
            Standing::Signed { version, at } => StandingDto {
                standing: "signed".into(),
                version: Some(version.to_string()),
                signed_at: Some(*at),
                due_at: None,
            },
            Standing::Missing { due_at } | Standing::Overdue { due_at } => StandingDto {
                standing: s.as_str().into(),
                version: None,
                signed_at: None,
                due_at: Some(*due_at),
            },
        }
    }
}

/// An instruction the caller must have signed.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct MyInstructionDto {
    pub instruction: Uuid,
    pub title: String,
    /// The version in force.
    pub version: String,
    pub version_id: Uuid,
    pub requires_signature: bool,
    pub standing: StandingDto,
}

/// Counts; `missing` includes `overdue`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CompletionDto {
    pub total: i64,
    pub signed: i64,
    pub missing: i64,
    pub overdue: i64,
    pub percent: i64,
}

impl From<Completion> for CompletionDto {
    fn from(c: Completion) -> Self {
        CompletionDto {
            total: c.total,
            signed: c.signed,
            missing: c.missing(),
            overdue: c.overdue,
            percent: c.percent(),
        }
    }
}

/// Completion of one instruction in force.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct InstructionCompletionDto {
    pub instruction: Uuid,
    pub title: String,
    pub version: String,
    pub completion: CompletionDto,
}

/// The coordinator's overview.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct OverviewDto {
    #[serde(with = "time::serde::rfc3339")]
    pub computed_at: OffsetDateTime,
    /// Newer counts are being made (a large tenant after a change in people, units, groups or
    /// instructions); these are the counts of `computed_at`.
    #[serde(default)]
    pub updating: bool,
    pub instructions: Vec<InstructionCompletionDto>,
}

/// One person of a unit report, with their standing per instruction.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PersonStandingDto {
    pub person: Uuid,
    pub name: String,
    pub employee_number: String,
    pub unit: Option<Uuid>,
    /// Instruction id → standing.
    pub items: std::collections::BTreeMap<String, StandingDto>,
}

/// A unit's report: completion per instruction (sub-units rolled up) and its people.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct UnitReportDto {
    pub unit: Uuid,
    pub instructions: Vec<InstructionCompletionDto>,
    pub people: Vec<PersonStandingDto>,
}

/// A named group.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct GroupDto {
    pub id: Uuid,
    pub name: String,
    pub description: String,
    pub members: i64,
}

/// A group member.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct GroupMemberDto {
    pub person: Uuid,
    pub name: String,
    pub employee_number: String,
    #[serde(with = "time::serde::rfc3339")]
    pub added_at: OffsetDateTime,
}

/// A group with its members.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct GroupDetailDto {
    pub group: GroupDto,
    pub members: Vec<GroupMemberDto>,
}

/// A new group.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct NewGroupDto {
    pub name: String,
    #[serde(default)]
    pub description: String,
}

/// A person to add to a group.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct NewMemberDto {
    /// Employee number (or user name) of the person.
    pub employee_number: String,
}

/// Parses a JSON body after the authorization check (so a refused caller learns nothing from it).
fn json_body<T: serde::de::DeserializeOwned>(raw: &[u8]) -> Result<T, AppError> {
    serde_json::from_slice(raw).map_err(|e| {
        AppError::new(StatusCode::BAD_REQUEST, "bad_request", "error-bad-request")
            .with_detail(e.to_string())
    })
}

fn group_dto(g: &vakt_store::Group) -> GroupDto {
    GroupDto {
        id: g.id.0,
        name: g.name.clone(),
        description: g.description.clone(),
        members: g.members,
    }
}

/// Instructions the caller may see.
#[utoipa::path(get, path = "/api/v1/instructions", responses(
    (status = 200, body = [InstructionDto]),
    (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn list(
    user: ApiUser,
    State(st): State<AppState>,
) -> Result<Json<Vec<InstructionDto>>, AppError> {
    user.authorize_tenant(Action::ViewInstructions)?;
    let tenant = user.tenant_id();
    let editor = user.authorize_tenant(Action::EditInstructions).is_ok();
    let now = st.now();
    let mut out = Vec::new();
    for i in st.db().instructions(tenant).await? {
        let vs = st.db().instruction_versions(tenant, i.id).await?;
        let dto = inst_dto(&i, &vs, now);
        if dto.in_force.is_some() || editor {
            out.push(dto);
        }
    }
    Ok(Json(out))
}

/// Creates an instruction with a draft 1.0 written by the caller.
#[utoipa::path(post, path = "/api/v1/instructions", request_body = NewInstructionDto, responses(
    (status = 201, body = InstructionDetailDto),
    (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
    (status = 422, body = ErrorBody)))]
async fn create(
    user: ApiUser,
    State(st): State<AppState>,
    ClientIp(ip): ClientIp,
    raw: axum::body::Bytes,
) -> Result<Response, AppError> {
    user.authorize_tenant(Action::EditInstructions)?;
    let body: NewInstructionDto = json_body(&raw)?;
    let tenant = user.tenant_id();
    let author = user
        .person
        .ok_or_else(|| AppError::invalid("instr-err-no-person"))?;
    let owner = st
        .db()
        .person_by_employee_number(tenant, body.owner_employee_number.trim())
        .await?
        .ok_or_else(|| AppError::invalid("instr-err-unknown-owner"))?;
    let audience = serde_json::from_value(body.audience.clone())
        .map_err(|_| AppError::invalid("instr-err-audience"))?;
    let mut tx = st.db().write(&user.audit_ctx(ip)).await?;
    let (inst, v) = tx
        .create_instruction(
            InstructionFields {
                title: body.title.clone(),
                owner: owner.id,
                category: body.category.clone(),
                requires_signature: body.requires_signature,
                audience,
                sign_within_days: body.sign_within_days,
            },
            author,
            &body.body,
            &body.change_comment,
        )
        .await?;
    tx.commit().await?;
    let dto = InstructionDetailDto {
        instruction: inst_dto(&inst, std::slice::from_ref(&v), st.now()),
        versions: vec![VersionDto::from(&v)],
    };
    Ok((StatusCode::CREATED, Json(dto)).into_response())
}

/// The instruction with all its versions; 404 for unknown ids and other tenants' ids.
async fn load_all(
    st: &AppState,
    user: &ApiUser,
    id: &str,
) -> Result<(Instruction, Vec<InstructionVersion>), AppError> {
    let tenant = user.tenant_id();
    let id: InstructionId = parse_id(id)?;
    let inst = st
        .db()
        .instruction(tenant, id)
        .await?
        .ok_or_else(AppError::not_found)?;
    let vs = st.db().instruction_versions(tenant, id).await?;
    Ok((inst, vs))
}

/// The instruction with the versions the caller may list (published ones; all for editors).
async fn load(
    st: &AppState,
    user: &ApiUser,
    id: &str,
) -> Result<(Instruction, Vec<InstructionVersion>), AppError> {
    let (inst, mut vs) = load_all(st, user, id).await?;
    let editor = user.authorize_tenant(Action::EditInstructions).is_ok();
    vs.retain(|v| editor || v.published().is_some());
    if vs.is_empty() {
        return Err(AppError::not_found());
    }
    Ok((inst, vs))
}

/// Whether the caller may see this version: published ones everyone; unpublished ones the editors,
/// its author, reviewers and approver (as on the version page).
fn may_see_version(user: &ApiUser, v: &InstructionVersion) -> bool {
    if v.published().is_some() || user.authorize_tenant(Action::EditInstructions).is_ok() {
        return true;
    }
    user.person
        .is_some_and(|p| v.author == p || v.approver == Some(p) || v.reviewers.contains(&p))
}

/// One version of an instruction, whoever may see it; 404 for unknown ids and other tenants' ids.
/// Check [`may_see_version`] before using it.
async fn load_any_version(
    st: &AppState,
    user: &ApiUser,
    id: &str,
    vid: &str,
) -> Result<(Instruction, InstructionVersion), AppError> {
    let (inst, vs) = load_all(st, user, id).await?;
    let vid: VersionId = parse_id(vid)?;
    let v = vs
        .into_iter()
        .find(|v| v.id == vid)
        .ok_or_else(AppError::not_found)?;
    Ok((inst, v))
}

/// One version of an instruction for the workflow routes; 404 for unknown ids, other tenants' ids
/// and versions the caller may not see.
async fn load_version(
    st: &AppState,
    user: &ApiUser,
    id: &str,
    vid: &str,
) -> Result<(Instruction, InstructionVersion), AppError> {
    let (inst, v) = load_any_version(st, user, id, vid).await?;
    if !may_see_version(user, &v) {
        return Err(AppError::not_found());
    }
    Ok((inst, v))
}

/// A version read back from the store after a write, for the response.
async fn read_back(
    st: &AppState,
    user: &ApiUser,
    inst: InstructionId,
    vid: VersionId,
) -> Result<VersionDto, AppError> {
    let (_, v) = load_version(st, user, &inst.to_string(), &vid.to_string()).await?;
    Ok(VersionDto::from(&v))
}

/// The caller's person, who writes, steps and comments (an account without one may not).
fn actor_person(user: &ApiUser) -> Result<PersonId, AppError> {
    user.person
        .ok_or_else(|| AppError::invalid("instr-err-no-person"))
}

/// One instruction with its versions.
#[utoipa::path(get, path = "/api/v1/instructions/{id}", params(("id" = Uuid, Path, description = "Instruction id")), responses(
    (status = 200, body = InstructionDetailDto),
    (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn detail(
    user: ApiUser,
    State(st): State<AppState>,
    VPath(id): VPath<String>,
) -> Result<Json<InstructionDetailDto>, AppError> {
    user.authorize_tenant(Action::ViewInstructions)?;
    let (inst, vs) = load(&st, &user, &id).await?;
    Ok(Json(InstructionDetailDto {
        instruction: inst_dto(&inst, &vs, st.now()),
        versions: vs.iter().map(VersionDto::from).collect(),
    }))
}

/// Which two versions to compare (default: the two newest).
#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct DiffQuery {
    /// Version id of the old text.
    #[serde(default)]
    pub from: String,
    /// Version id of the new text.
    #[serde(default)]
    pub to: String,
}

/// The line diff between two versions.
#[utoipa::path(get, path = "/api/v1/instructions/{id}/diff", params(("id" = Uuid, Path, description = "Instruction id"), DiffQuery), responses(
    (status = 200, body = [DiffLineDto]),
    (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn diff(
    user: ApiUser,
    State(st): State<AppState>,
    VPath(id): VPath<String>,
    VQuery(q): VQuery<DiffQuery>,
) -> Result<Json<Vec<DiffLineDto>>, AppError> {
    user.authorize_tenant(Action::ViewInstructions)?;
    let (_, vs) = load(&st, &user, &id).await?;
    let refs: Vec<&InstructionVersion> = vs.iter().collect();
    let (a, b) = super::diff_pair(&refs, &q.from, &q.to)?;
    Ok(Json(
        diff_lines(&a.body, &b.body)
            .into_iter()
            .map(|l| DiffLineDto {
                op: match l.op {
                    LineOp::Same => "same",
                    LineOp::Added => "added",
                    LineOp::Removed => "removed",
                }
                .into(),
                text: l.text.to_string(),
            })
            .collect(),
    ))
}

/// Starts a new version: a draft copying the latest version's text, written by the caller. Refused
/// (422) while another version is still open.
#[utoipa::path(post, path = "/api/v1/instructions/{id}/versions", params(("id" = Uuid, Path, description = "Instruction id")),
    request_body = NewVersionDto, responses(
    (status = 201, body = VersionDto),
    (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
    (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_version(
    user: ApiUser,
    State(st): State<AppState>,
    ClientIp(ip): ClientIp,
    VPath(id): VPath<String>,
    raw: axum::body::Bytes,
) -> Result<Response, AppError> {
    user.authorize_tenant(Action::EditInstructions)?;
    let (inst, _) = load(&st, &user, &id).await?;
    let body: NewVersionDto = json_body(&raw)?;
    let kind =
        ChangeKind::parse(body.kind.trim()).ok_or_else(|| AppError::invalid("instr-err-kind"))?;
    let author = actor_person(&user)?;
    let mut tx = st.db().write(&user.audit_ctx(ip)).await?;
    let v = tx.new_version(inst.id, kind, author).await?;
    tx.commit().await?;
    let dto = read_back(&st, &user, inst.id, v.id).await?;
    Ok((StatusCode::CREATED, Json(dto)).into_response())
}

/// Edits a draft: its title, text, change comment, approver and reviewers (all replaced).
#[utoipa::path(put, path = "/api/v1/instructions/{id}/versions/{vid}", params(
    ("id" = Uuid, Path, description = "Instruction id"), ("vid" = Uuid, Path, description = "Version id")),
    request_body = DraftDto, responses(
    (status = 200, body = VersionDto),
    (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
    (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn edit_version(
    user: ApiUser,
    State(st): State<AppState>,
    ClientIp(ip): ClientIp,
    VPath((id, vid)): VPath<(String, String)>,
    raw: axum::body::Bytes,
) -> Result<Json<VersionDto>, AppError> {
    user.authorize_tenant(Action::EditInstructions)?;
    let (inst, v) = load_version(&st, &user, &id, &vid).await?;
    let body: DraftDto = json_body(&raw)?;
    let tenant = user.tenant_id();
    let title = crate::extract::text_field(&body.title, "instr-field-title", 200, true, user.lang)?;
    let approver = match body.approver_employee_number.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(n) => {
            Some(person_by_number_in(&st, tenant, user.lang, n, "instr-field-approver").await?)
        }
    };
    let numbers = body.reviewer_employee_numbers.unwrap_or_default();
    if numbers.len() > 50 {
        return Err(vakt_store::StoreError::Invalid("instruction.too_many_reviewers").into());
    }
    let mut reviewers = Vec::with_capacity(numbers.len());
    for n in &numbers {
        reviewers
            .push(person_by_number_in(&st, tenant, user.lang, n, "instr-field-reviewers").await?);
    }
    let mut tx = st.db().write(&user.audit_ctx(ip)).await?;
    tx.edit_draft(
        v.id,
        DraftEdit {
            title,
            body: body.body.replace("\r\n", "\n"),
            change_comment: body.change_comment,
            approver,
            reviewers,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Json(read_back(&st, &user, inst.id, v.id).await?))
}

/// Takes a workflow step. `approve` is for the named approver (`ReviewInstructions`); every other
/// step needs `EditInstructions`. The store's workflow rules decide the rest (422).
#[utoipa::path(post, path = "/api/v1/instructions/{id}/versions/{vid}/step", params(
    ("id" = Uuid, Path, description = "Instruction id"), ("vid" = Uuid, Path, description = "Version id")),
    request_body = StepDto, responses(
    (status = 200, body = VersionDto),
    (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
    (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn step_version(
    user: ApiUser,
    State(st): State<AppState>,
    ClientIp(ip): ClientIp,
    VPath((id, vid)): VPath<(String, String)>,
    raw: axum::body::Bytes,
) -> Result<Json<VersionDto>, AppError> {
    // Every step needs at least `ReviewInstructions` (which `EditInstructions` comes with); which
    // step it is, and so whether `EditInstructions` is needed too, only the body says.
    user.authorize_tenant(Action::ReviewInstructions)?;
    let (inst, v) = load_any_version(&st, &user, &id, &vid).await?;
    let body: StepDto = json_body(&raw)?;
    let approve = body.step.trim() == "approve";
    let may_edit = user.authorize_tenant(Action::EditInstructions).is_ok();
    if !approve {
        user.authorize_tenant(Action::EditInstructions)?;
    }
    if !may_see_version(&user, &v) {
        return Err(AppError::not_found());
    }
    let step = if approve {
        VersionStep::Approve
    } else {
        let form = StepForm {
            step: body.step.trim().to_owned(),
            effective_from: body.effective_from.unwrap_or_default(),
        };
        let tz = crate::settings::tenant_settings(&st, user.tenant_id())
            .await?
            .time_zone;
        parse_step(&form, st.now(), &calendar(&tz))?
    };
    let person = actor_person(&user)?;
    let mut tx = st.db().write(&user.audit_ctx(ip)).await?;
    tx.version_step(
        v.id,
        step,
        StepActor {
            person,
            // Only editors get past the check above for the other steps.
            may_edit,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Json(read_back(&st, &user, inst.id, v.id).await?))
}

/// Adds a comment in the hearing round (named reviewers, the approver or editors, while the version
/// is in review).
#[utoipa::path(post, path = "/api/v1/instructions/{id}/versions/{vid}/comments", params(
    ("id" = Uuid, Path, description = "Instruction id"), ("vid" = Uuid, Path, description = "Version id")),
    request_body = NewCommentDto, responses(
    (status = 201, body = ReviewCommentDto),
    (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
    (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn comment_version(
    user: ApiUser,
    State(st): State<AppState>,
    ClientIp(ip): ClientIp,
    VPath((id, vid)): VPath<(String, String)>,
    raw: axum::body::Bytes,
) -> Result<Response, AppError> {
    user.authorize_tenant(Action::ReviewInstructions)?;
    let (_, v) = load_version(&st, &user, &id, &vid).await?;
    let body: NewCommentDto = json_body(&raw)?;
    let text =
        crate::extract::text_field(&body.body, "instr-field-comment", 5000, true, user.lang)?;
    let person = actor_person(&user)?;
    let may_edit = user.authorize_tenant(Action::EditInstructions).is_ok();
    let mut tx = st.db().write(&user.audit_ctx(ip)).await?;
    let c = tx.add_review_comment(v.id, person, may_edit, &text).await?;
    tx.commit().await?;
    let stored = st
        .db()
        .review_comments(user.tenant_id(), v.id)
        .await?
        .into_iter()
        .find(|s| s.id == c.id)
        .ok_or_else(|| AppError::internal("review comment not found after commit"))?;
    let dto = ReviewCommentDto {
        id: stored.id,
        author: stored.author.0,
        at: stored.created_at,
        body: stored.body,
    };
    Ok((StatusCode::CREATED, Json(dto)).into_response())
}

/// The instructions the caller must have signed, with where they stand.
#[utoipa::path(get, path = "/api/v1/me/instructions", responses(
    (status = 200, body = [MyInstructionDto]),
    (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn mine(
    user: ApiUser,
    State(st): State<AppState>,
) -> Result<Json<Vec<MyInstructionDto>>, AppError> {
    user.authorize(
        Action::ViewOwnPage,
        &Resource::owned_by(user.tenant_id(), user.principal.account),
    )?;
    let Some(person) = user.person else {
        return Ok(Json(Vec::new()));
    };
    let items = st
        .db()
        .instructions_for_person(
            user.tenant_id(),
            person,
            st.now(),
            &calendar(
                &crate::settings::tenant_settings(&st, user.tenant_id())
                    .await?
                    .time_zone,
            ),
        )
        .await?;
    Ok(Json(
        items
            .iter()
            .map(|i| MyInstructionDto {
                instruction: i.instruction.id.0,
                title: i.instruction.title.clone(),
                version: i.version.number.to_string(),
                version_id: i.version.id.0,
                requires_signature: i.instruction.requires_signature,
                standing: StandingDto::from(&i.standing),
            })
            .collect(),
    ))
}

/// Completion of every instruction in force, tenant-wide.
#[utoipa::path(get, path = "/api/v1/reports/instructions", responses(
    (status = 200, body = OverviewDto),
    (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn report(user: ApiUser, State(st): State<AppState>) -> Result<Json<OverviewDto>, AppError> {
    user.authorize_tenant(Action::ViewUnitOverview)?;
    let reading = st
        .db()
        .instruction_overview_now(
            user.tenant_id(),
            st.now(),
            &calendar(
                &crate::settings::tenant_settings(&st, user.tenant_id())
                    .await?
                    .time_zone,
            ),
        )
        .await?;
    let o = reading.overview;
    Ok(Json(OverviewDto {
        computed_at: o.computed_at,
        updating: reading.updating,
        instructions: o
            .instructions
            .iter()
            .map(|i| InstructionCompletionDto {
                instruction: i.instruction.0,
                title: i.title.clone(),
                version: i.version.to_string(),
                completion: i.completion.into(),
            })
            .collect(),
    }))
}

/// Filter of a unit report.
#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct UnitReportQuery {
    /// `missing`, `overdue`, or empty for everyone.
    #[serde(default)]
    pub filter: String,
}

/// A unit's report (sub-units included): completion per instruction and each person's standing.
#[utoipa::path(get, path = "/api/v1/reports/instructions/units/{id}", params(("id" = Uuid, Path, description = "Unit id"), UnitReportQuery), responses(
    (status = 200, body = UnitReportDto),
    (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn unit_report(
    user: ApiUser,
    State(st): State<AppState>,
    VPath(id): VPath<String>,
    VQuery(q): VQuery<UnitReportQuery>,
) -> Result<Json<UnitReportDto>, AppError> {
    let tenant = user.tenant_id();
    let uid: UnitId = parse_id(&id)?;
    let units = st.db().units(tenant).await?;
    if !units.iter().any(|u| u.id == uid) {
        return Err(AppError::not_found());
    }
    user.authorize(
        Action::ViewUnitOverview,
        &Resource::in_unit(tenant, unit_path(&units, Some(uid))),
    )?;
    let cal = calendar(
        &crate::settings::tenant_settings(&st, user.tenant_id())
            .await?
            .time_zone,
    );
    let now = st.now();
    let o = st.db().instruction_overview(tenant, now, &cal).await?;
    let instructions = o
        .instructions
        .iter()
        .filter_map(|i| {
            let c = o
                .rolled_up(&units, Some(i.instruction))
                .get(&uid)
                .copied()?;
            Some(InstructionCompletionDto {
                instruction: i.instruction.0,
                title: i.title.clone(),
                version: i.version.to_string(),
                completion: c.into(),
            })
        })
        .collect();
    let people = st
        .db()
        .unit_standings(
            tenant,
            &[uid],
            true,
            super::reports::EXPORT_LIMIT,
            now,
            &cal,
        )
        .await?
        .into_iter()
        .filter_map(|p| {
            let items: std::collections::BTreeMap<String, StandingDto> = p
                .items
                .iter()
                .filter(|(_, s)| match q.filter.as_str() {
                    "missing" => !s.is_signed(),
                    "overdue" => matches!(s, Standing::Overdue { .. }),
                    _ => true,
                })
                .map(|(i, s)| (i.to_string(), StandingDto::from(s)))
                .collect();
            (!items.is_empty() || q.filter.is_empty()).then(|| PersonStandingDto {
                person: p.person.0,
                name: format!("{} {}", p.given_name, p.family_name),
                employee_number: p.employee_number.clone(),
                unit: p.unit.map(|u| u.0),
                items,
            })
        })
        .collect();
    Ok(Json(UnitReportDto {
        unit: uid.0,
        instructions,
        people,
    }))
}

/// The named groups.
#[utoipa::path(get, path = "/api/v1/groups", responses(
    (status = 200, body = [GroupDto]),
    (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn groups(
    user: ApiUser,
    State(st): State<AppState>,
) -> Result<Json<Vec<GroupDto>>, AppError> {
    user.authorize_tenant(Action::ViewGroups)?;
    Ok(Json(
        st.db()
            .groups(user.tenant_id())
            .await?
            .iter()
            .map(group_dto)
            .collect(),
    ))
}

/// Creates a named group.
#[utoipa::path(post, path = "/api/v1/groups", request_body = NewGroupDto, responses(
    (status = 201, body = GroupDto),
    (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
    (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_group(
    user: ApiUser,
    State(st): State<AppState>,
    ClientIp(ip): ClientIp,
    raw: axum::body::Bytes,
) -> Result<Response, AppError> {
    user.authorize_tenant(Action::ManageGroups)?;
    let body: NewGroupDto = json_body(&raw)?;
    let mut tx = st.db().write(&user.audit_ctx(ip)).await?;
    let g = tx
        .create_group(NewGroup {
            name: body.name,
            description: body.description,
        })
        .await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(group_dto(&g))).into_response())
}

/// One group with its members.
#[utoipa::path(get, path = "/api/v1/groups/{id}", params(("id" = Uuid, Path, description = "Group id")), responses(
    (status = 200, body = GroupDetailDto),
    (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn group(
    user: ApiUser,
    State(st): State<AppState>,
    VPath(id): VPath<String>,
) -> Result<Json<GroupDetailDto>, AppError> {
    user.authorize_tenant(Action::ViewGroups)?;
    let gid = parse_id(&id)?;
    let tenant = user.tenant_id();
    let g = st
        .db()
        .group(tenant, gid)
        .await?
        .ok_or_else(AppError::not_found)?;
    let members = st
        .db()
        .group_members(tenant, gid)
        .await?
        .into_iter()
        .map(|m| GroupMemberDto {
            person: m.person.0,
            name: format!("{} {}", m.given_name, m.family_name),
            employee_number: m.employee_number,
            added_at: m.added_at,
        })
        .collect();
    Ok(Json(GroupDetailDto {
        group: group_dto(&g),
        members,
    }))
}

/// A group of the caller's tenant; 404 for unknown ids and other tenants' ids.
async fn load_group(st: &AppState, user: &ApiUser, id: &str) -> Result<GroupId, AppError> {
    let gid: GroupId = parse_id(id)?;
    st.db()
        .group(user.tenant_id(), gid)
        .await?
        .ok_or_else(AppError::not_found)?;
    Ok(gid)
}

/// Adds a person to a group: 201 with the membership, or 200 if they already are a member
/// (nothing written).
#[utoipa::path(post, path = "/api/v1/groups/{id}/members", params(("id" = Uuid, Path, description = "Group id")),
    request_body = NewMemberDto, responses(
    (status = 200, body = GroupMemberDto, description = "Already a member"),
    (status = 201, body = GroupMemberDto, description = "Added"),
    (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
    (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn add_member(
    user: ApiUser,
    State(st): State<AppState>,
    ClientIp(ip): ClientIp,
    VPath(id): VPath<String>,
    raw: axum::body::Bytes,
) -> Result<Response, AppError> {
    user.authorize_tenant(Action::ManageGroups)?;
    let gid = load_group(&st, &user, &id).await?;
    let body: NewMemberDto = json_body(&raw)?;
    let tenant = user.tenant_id();
    let person = person_by_number_in(
        &st,
        tenant,
        user.lang,
        &body.employee_number,
        "group-field-person",
    )
    .await?;
    let mut tx = st.db().write(&user.audit_ctx(ip)).await?;
    let added = tx.add_group_member(gid, person).await?;
    if added {
        tx.commit().await?;
    } else {
        tx.rollback().await?;
    }
    let member = st
        .db()
        .group_members(tenant, gid)
        .await?
        .into_iter()
        .find(|m| m.person == person)
        .ok_or_else(AppError::not_found)?;
    let dto = GroupMemberDto {
        person: member.person.0,
        name: format!("{} {}", member.given_name, member.family_name),
        employee_number: member.employee_number,
        added_at: member.added_at,
    };
    let status = if added {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(dto)).into_response())
}

/// Removes a person from a group; 404 if they are not a member.
#[utoipa::path(delete, path = "/api/v1/groups/{id}/members/{person}", params(
    ("id" = Uuid, Path, description = "Group id"), ("person" = Uuid, Path, description = "Person id")), responses(
    (status = 204, description = "Removed"),
    (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn remove_member(
    user: ApiUser,
    State(st): State<AppState>,
    ClientIp(ip): ClientIp,
    VPath((id, person)): VPath<(String, String)>,
) -> Result<Response, AppError> {
    user.authorize_tenant(Action::ManageGroups)?;
    let gid = load_group(&st, &user, &id).await?;
    let person: PersonId = parse_id(&person)?;
    let mut tx = st.db().write(&user.audit_ctx(ip)).await?;
    if !tx.remove_group_member(gid, person).await? {
        tx.rollback().await?;
        return Err(AppError::not_found());
    }
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Deletes a group with its memberships and prerequisites (audited as `group.delete`). 409 while an
/// instruction's audience names the group (the message lists them): change those audiences first.
#[utoipa::path(delete, path = "/api/v1/groups/{id}", params(("id" = Uuid, Path, description = "Group id")), responses(
    (status = 204, description = "Deleted"),
    (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
    (status = 409, body = ErrorBody, description = "An instruction's audience names the group")))]
async fn delete_group(
    user: ApiUser,
    State(st): State<AppState>,
    ClientIp(ip): ClientIp,
    VPath(id): VPath<String>,
) -> Result<Response, AppError> {
    user.authorize_tenant(Action::ManageGroups)?;
    let gid = load_group(&st, &user, &id).await?;
    if let Err(audience_of) = super::groups::delete_unused(&st, user.audit_ctx(ip), gid).await? {
        let titles = super::groups::titles(&audience_of);
        return Err(AppError::conflict("group-err-in-use").with_arg("instructions", titles));
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// The attachments of an instruction (those not removed), oldest first.
#[utoipa::path(get, path = "/api/v1/instructions/{id}/attachments", params(("id" = Uuid, Path, description = "Instruction id")), responses(
    (status = 200, body = [AttachmentDto]),
    (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn attachments(
    user: ApiUser,
    State(st): State<AppState>,
    VPath(id): VPath<String>,
) -> Result<Json<Vec<AttachmentDto>>, AppError> {
    user.authorize_tenant(Action::ViewInstructions)?;
    let (inst, _) = load(&st, &user, &id).await?;
    let list = st.db().attachments(user.tenant_id(), inst.id).await?;
    Ok(Json(list.iter().map(AttachmentDto::from).collect()))
}

/// Attaches a file (PDF, office document, image or text; its type is taken from the extension
/// and confirmed by the bytes). `multipart/form-data` with the file in the field `file`.
#[utoipa::path(post, path = "/api/v1/instructions/{id}/attachments", params(("id" = Uuid, Path, description = "Instruction id")),
    request_body(content = UploadDto, content_type = "multipart/form-data"), responses(
    (status = 201, body = AttachmentDto),
    (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
    (status = 404, body = ErrorBody), (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn add_attachment(
    user: ApiUser,
    State(st): State<AppState>,
    ClientIp(ip): ClientIp,
    VPath(id): VPath<String>,
    multipart: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, AppError> {
    user.authorize_tenant(Action::EditInstructions)?;
    let (inst, _) = load(&st, &user, &id).await?;
    let (name, data) = super::uploaded_file(multipart).await?;
    let mut tx = st.db().write(&user.audit_ctx(ip)).await?;
    let a = tx.add_attachment(inst.id, &name, &data).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(AttachmentDto::from(&a))).into_response())
}

/// The bytes of an attachment, with its content type. A removed attachment is 404, except for
/// those who may edit instructions (it is kept as evidence of what people were shown).
#[utoipa::path(get, path = "/api/v1/instructions/{id}/attachments/{aid}", params(
    ("id" = Uuid, Path, description = "Instruction id"), ("aid" = Uuid, Path, description = "Attachment id")), responses(
    (status = 200, description = "The file", content_type = "application/octet-stream"),
    (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn attachment_data(
    user: ApiUser,
    State(st): State<AppState>,
    VPath((id, aid)): VPath<(String, String)>,
) -> Result<Response, AppError> {
    user.authorize_tenant(Action::ViewInstructions)?;
    let (inst, _) = load(&st, &user, &id).await?;
    let aid: Uuid = parse_id(&aid)?;
    let (a, data) = st
        .db()
        .attachment_data(user.tenant_id(), inst.id, aid)
        .await?
        .ok_or_else(AppError::not_found)?;
    if a.removed_at.is_some() && user.authorize_tenant(Action::EditInstructions).is_err() {
        return Err(AppError::not_found());
    }
    Ok(super::file_download(data, &a.content_type, &a.file_name))
}

/// Takes an attachment off the instruction (audited as `instruction.attachment_remove`; the bytes
/// are kept as evidence). 204 also when it was removed before; 404 for unknown ids.
#[utoipa::path(delete, path = "/api/v1/instructions/{id}/attachments/{aid}", params(
    ("id" = Uuid, Path, description = "Instruction id"), ("aid" = Uuid, Path, description = "Attachment id")), responses(
    (status = 204, description = "Removed"),
    (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn remove_attachment(
    user: ApiUser,
    State(st): State<AppState>,
    ClientIp(ip): ClientIp,
    VPath((id, aid)): VPath<(String, String)>,
) -> Result<Response, AppError> {
    user.authorize_tenant(Action::EditInstructions)?;
    super::remove_attachment(&st, user.audit_ctx(ip), &id, &aid).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
