//! The JSON API of instructions, acknowledgments, reports and groups (`/api/v1/…`), with its own
//! OpenAPI part merged into the API document.

use axum::{
    Json, Router,
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Response},
    routing::get,
};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::{IntoParams, OpenApi, ToSchema};
use uuid::Uuid;

use vakt_core::authz::{Action, Resource};
use vakt_core::directory::UnitId;
use vakt_core::instructions::{InstructionId, LineOp, Standing, diff_lines, in_force};
use vakt_store::{Completion, Instruction, InstructionFields, InstructionVersion, NewGroup};

use super::{calendar, parse_id};
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
        .route("/api/v1/me/instructions", get(mine))
        .route("/api/v1/reports/instructions", get(report))
        .route("/api/v1/reports/instructions/units/{id}", get(unit_report))
        .route("/api/v1/groups", get(groups).post(create_group))
        .route("/api/v1/groups/{id}", get(group))
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
        mine,
        report,
        unit_report,
        groups,
        create_group,
        group
    ),
    components(schemas(
        InstructionDto,
        VersionDto,
        InstructionDetailDto,
        NewInstructionDto,
        DiffLineDto,
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
        NewGroupDto
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

async fn load(
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
    let mut vs = st.db().instruction_versions(tenant, id).await?;
    let editor = user.authorize_tenant(Action::EditInstructions).is_ok();
    vs.retain(|v| editor || v.published().is_some());
    if vs.is_empty() {
        return Err(AppError::not_found());
    }
    Ok((inst, vs))
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
    let o = st
        .db()
        .instruction_overview(
            user.tenant_id(),
            st.now(),
            &calendar(
                &crate::settings::tenant_settings(&st, user.tenant_id())
                    .await?
                    .time_zone,
            ),
        )
        .await?;
    Ok(Json(OverviewDto {
        computed_at: o.computed_at,
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
