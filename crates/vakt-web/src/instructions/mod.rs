//! Instructions: the list, writing and editing, the version workflow (review, comments, approval,
//! publication, retirement), the revision table, diffs, attachments, signing with
//! re-authentication and the PDF receipt. Reports are in [`reports`], named groups in [`groups`],
//! the JSON API in [`api`].

pub mod api;
pub mod groups;
pub mod markdown;
pub mod receipt;
pub mod reports;

use std::collections::HashMap;

use askama::Template;
use axum::{
    Router,
    extract::{DefaultBodyLimit, Multipart, State},
    http::{HeaderMap, HeaderValue, header},
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};
use serde::Deserialize;
use uuid::Uuid;

use vakt_core::Role;
use vakt_core::authz::{Action, Resource};
use vakt_core::deadline::TenantCalendar;
use vakt_core::directory::{OrgUnit, PersonId, PersonKind, UnitId};
use vakt_core::instructions::{
    AckId, AckInput, AckMethod, Acknowledgment, Audience, AudienceRule, ChangeKind, GroupId,
    InstructionId, LineOp, StepActor, VersionId, VersionState, VersionStep, diff_lines, in_force,
};
use vakt_store::{CATEGORIES, DraftEdit, Instruction, InstructionFields, InstructionVersion};

use crate::{
    AppError, AppState,
    directory::parse_date,
    extract::{ClientIp, CurrentUser, VForm, VPath, VQuery},
    i18n::{Lang, t},
    page::{Page, render},
};

/// The largest upload accepted on the attachment route (the file limit plus form overhead).
pub const UPLOAD_LIMIT: usize = vakt_core::instructions::MAX_ATTACHMENT_BYTES + 64 * 1024;

/// The instruction page routes (reports, groups and the API have their own).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/instructions", get(list_page))
        .route("/instructions/new", get(new_form).post(new_submit))
        .route("/instructions/{id}", get(detail_page))
        .route("/instructions/{id}/edit", get(edit_form).post(edit_submit))
        .route("/instructions/{id}/versions", post(new_version))
        .route("/instructions/{id}/versions/{vid}", get(version_page))
        .route("/instructions/{id}/versions/{vid}/edit", post(draft_submit))
        .route("/instructions/{id}/versions/{vid}/step", post(step_submit))
        .route(
            "/instructions/{id}/versions/{vid}/approve",
            post(approve_submit),
        )
        .route(
            "/instructions/{id}/versions/{vid}/comments",
            post(comment_submit),
        )
        .route("/instructions/{id}/diff", get(diff_page))
        .route(
            "/instructions/{id}/attachments",
            post(attachment_upload).layer(DefaultBodyLimit::max(UPLOAD_LIMIT)),
        )
        .route(
            "/instructions/{id}/attachments/{aid}",
            get(attachment_download),
        )
        .route(
            "/instructions/{id}/attachments/{aid}/remove",
            post(attachment_remove),
        )
        .route("/instructions/{id}/sign", get(sign_form).post(sign_submit))
        .route("/acks/{id}/receipt", get(receipt_download))
        .merge(groups::routes())
        .merge(reports::routes())
        .merge(api::routes())
}

/// This capability's routes with their access (for the route-by-role test).
pub fn route_table() -> Vec<crate::routes::RouteInfo> {
    use crate::routes::{Access::Requires, RouteInfo};
    let mut v = vec![
        RouteInfo::new("GET", "/instructions", Requires(Action::ViewInstructions)),
        RouteInfo::new(
            "GET",
            "/instructions/new",
            Requires(Action::EditInstructions),
        ),
        RouteInfo::new(
            "POST",
            "/instructions/new",
            Requires(Action::EditInstructions),
        ),
        RouteInfo::new(
            "GET",
            "/instructions/{id}",
            Requires(Action::ViewInstructions),
        ),
        RouteInfo::new(
            "GET",
            "/instructions/{id}/edit",
            Requires(Action::EditInstructions),
        ),
        RouteInfo::new(
            "POST",
            "/instructions/{id}/edit",
            Requires(Action::EditInstructions),
        ),
        RouteInfo::new(
            "POST",
            "/instructions/{id}/versions",
            Requires(Action::EditInstructions),
        ),
        RouteInfo::new(
            "GET",
            "/instructions/{id}/versions/{vid}",
            Requires(Action::ViewInstructions),
        ),
        RouteInfo::new(
            "POST",
            "/instructions/{id}/versions/{vid}/edit",
            Requires(Action::EditInstructions),
        ),
        RouteInfo::new(
            "POST",
            "/instructions/{id}/versions/{vid}/step",
            Requires(Action::EditInstructions),
        ),
        RouteInfo::new(
            "POST",
            "/instructions/{id}/versions/{vid}/approve",
            Requires(Action::ReviewInstructions),
        ),
        RouteInfo::new(
            "POST",
            "/instructions/{id}/versions/{vid}/comments",
            Requires(Action::ReviewInstructions),
        ),
        RouteInfo::new(
            "GET",
            "/instructions/{id}/diff",
            Requires(Action::ViewInstructions),
        ),
        RouteInfo::new(
            "POST",
            "/instructions/{id}/attachments",
            Requires(Action::EditInstructions),
        ),
        RouteInfo::new(
            "GET",
            "/instructions/{id}/attachments/{aid}",
            Requires(Action::ViewInstructions),
        ),
        RouteInfo::new(
            "POST",
            "/instructions/{id}/attachments/{aid}/remove",
            Requires(Action::EditInstructions),
        ),
        RouteInfo::new(
            "GET",
            "/instructions/{id}/sign",
            Requires(Action::SignInstructions),
        ),
        RouteInfo::new(
            "POST",
            "/instructions/{id}/sign",
            Requires(Action::SignInstructions),
        ),
        // Own receipt, or a leader's for their staff (checked on the person's unit).
        RouteInfo::new(
            "GET",
            "/acks/{id}/receipt",
            Requires(Action::ViewUnitOverview),
        ),
    ];
    v.extend(groups::route_table());
    v.extend(reports::route_table());
    v.extend(api::route_table());
    v
}

// ---------------------------------------------------------------------------------------------------------
// Helpers

/// The tenant's calendar (time zone) for deadlines; UTC if the stored zone is unknown.
/// A re-shown form with an error answers 422, so the browser and tests see the refusal.
fn unprocessable_if(mut resp: Response, refused: bool) -> Response {
    if refused {
        *resp.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    resp
}

/// A moment as `YYYY-MM-DD HH:MM UTC` (instruction pages still show UTC; see the closing note).
/// A stored moment as the tenant's local time to the minute, with its zone (`2026-03-02 10:00 CET`).
pub fn fmt_time(times: &crate::local_time::LocalTime, t: time::OffsetDateTime) -> String {
    times.minute(t)
}

pub fn calendar(tz: &str) -> TenantCalendar {
    crate::local_time::calendar(tz)
}

pub(crate) fn parse_id<T: From<Uuid>>(raw: &str) -> Result<T, AppError> {
    Uuid::parse_str(raw.trim())
        .map(T::from)
        .map_err(|_| AppError::not_found())
}

pub(crate) fn category_key(c: &str) -> String {
    format!("instr-cat-{}", c.replace('_', "-"))
}

pub(crate) fn state_key(s: VersionState) -> String {
    format!("instr-state-{}", s.as_str().replace('_', "-"))
}

/// Whether the user may edit instructions (owner or coordinator: the `EditInstructions` grant).
fn may_edit(user: &CurrentUser) -> bool {
    user.may(Action::EditInstructions)
}

async fn load(
    st: &AppState,
    user: &CurrentUser,
    id: &str,
) -> Result<(Instruction, Vec<InstructionVersion>), AppError> {
    let id: InstructionId = parse_id(id)?;
    let tenant = user.tenant_id();
    let inst = st
        .db()
        .instruction(tenant, id)
        .await?
        .ok_or_else(AppError::not_found)?;
    let versions = st.db().instruction_versions(tenant, id).await?;
    Ok((inst, versions))
}

fn find_version<'a>(
    versions: &'a [InstructionVersion],
    vid: &str,
) -> Result<&'a InstructionVersion, AppError> {
    let vid: VersionId = parse_id(vid)?;
    versions
        .iter()
        .find(|v| v.id == vid)
        .ok_or_else(AppError::not_found)
}

/// Whether the user may see a version that is not (yet) published: editors, its author, reviewers
/// and approver.
fn may_see_unpublished(user: &CurrentUser, v: &InstructionVersion) -> bool {
    if may_edit(user) {
        return true;
    }
    let Some(p) = user.person.as_ref().map(|p| p.id) else {
        return false;
    };
    v.author == p || v.approver == Some(p) || v.reviewers.contains(&p)
}

async fn names(
    st: &AppState,
    user: &CurrentUser,
    ids: impl IntoIterator<Item = PersonId>,
) -> Result<HashMap<PersonId, String>, AppError> {
    let mut out = HashMap::new();
    for id in ids {
        if out.contains_key(&id) {
            continue;
        }
        if let Some(p) = st.db().person(user.tenant_id(), id).await? {
            out.insert(id, format!("{} {}", p.given_name, p.family_name));
        }
    }
    Ok(out)
}

async fn person_by_number(
    st: &AppState,
    user: &CurrentUser,
    number: &str,
    field_key: &str,
) -> Result<PersonId, AppError> {
    person_by_number_in(st, user.tenant_id(), user.lang(), number, field_key).await
}

/// The person of `tenant` with this employee number (or the person of the account with this user
/// name); a 422 naming the field (`field_key`, in `lang`) when there is none. Shared by the pages and
/// the JSON API.
pub(crate) async fn person_by_number_in(
    st: &AppState,
    tenant: vakt_core::directory::TenantId,
    lang: Lang,
    number: &str,
    field_key: &str,
) -> Result<PersonId, AppError> {
    let n = number.trim();
    let mut found = if n.is_empty() {
        None
    } else {
        st.db()
            .person_by_employee_number(tenant, n)
            .await?
            .map(|p| p.id)
    };
    // A user name works too (the account's person).
    if found.is_none() && !n.is_empty() && n.chars().count() <= 200 {
        found = st
            .db()
            .account_by_username(tenant, n)
            .await?
            .and_then(|a| a.person);
    }
    found.ok_or_else(|| {
        AppError::invalid("instr-err-unknown-person")
            .with_arg("field", t(lang, field_key, &[]))
            .with_arg("number", n.to_string())
    })
}

/// The audience in words, for the instruction page.
pub(crate) fn describe_audience(
    lang: Lang,
    a: &Audience,
    units: &[OrgUnit],
    groups: &[vakt_store::Group],
) -> Vec<String> {
    let unit_name = |id: &UnitId| {
        units
            .iter()
            .find(|u| u.id == *id)
            .map_or_else(|| id.to_string(), |u| u.name.clone())
    };
    let group_name = |id: &GroupId| {
        groups
            .iter()
            .find(|g| g.id == *id)
            .map_or_else(|| id.to_string(), |g| g.name.clone())
    };
    fn rule(
        lang: Lang,
        r: &AudienceRule,
        unit_name: &dyn Fn(&UnitId) -> String,
        group_name: &dyn Fn(&GroupId) -> String,
    ) -> String {
        match r {
            AudienceRule::Everyone => t(lang, "instr-aud-everyone", &[]),
            AudienceRule::Units {
                units,
                include_sub_units,
            } => {
                let list = units.iter().map(unit_name).collect::<Vec<_>>().join(", ");
                let key = if *include_sub_units {
                    "instr-aud-units-sub"
                } else {
                    "instr-aud-units"
                };
                t(lang, key, &[("units", list.into())])
            }
            AudienceRule::Roles { roles } => {
                let list = roles
                    .iter()
                    .map(|r| t(lang, &role_key(*r), &[]))
                    .collect::<Vec<_>>()
                    .join(", ");
                t(lang, "instr-aud-roles", &[("roles", list.into())])
            }
            AudienceRule::PersonKinds { kinds } => {
                let list = kinds
                    .iter()
                    .map(|k| t(lang, &kind_key(*k), &[]))
                    .collect::<Vec<_>>()
                    .join(", ");
                t(lang, "instr-aud-kinds", &[("kinds", list.into())])
            }
            AudienceRule::Groups { groups } => {
                let list = groups.iter().map(group_name).collect::<Vec<_>>().join(", ");
                t(lang, "instr-aud-groups", &[("groups", list.into())])
            }
            AudienceRule::AllOf { rules } => rules
                .iter()
                .map(|r| rule(lang, r, unit_name, group_name))
                .collect::<Vec<_>>()
                .join(" + "),
        }
    }
    if a.rules.is_empty() {
        return vec![t(lang, "instr-aud-nobody", &[])];
    }
    a.rules
        .iter()
        .map(|r| rule(lang, r, &unit_name, &group_name))
        .collect()
}

pub(crate) fn role_key(r: Role) -> String {
    let code = match r {
        Role::Employee => "employee",
        Role::Leader => "leader",
        Role::SecurityCoordinator => "security-coordinator",
        Role::Dpo => "dpo",
        Role::ItOperations => "it-operations",
        Role::Auditor => "auditor",
        Role::TenantAdmin => "tenant-admin",
        Role::HostAdmin => "host-admin",
    };
    format!("instr-role-{code}")
}

pub(crate) fn kind_key(k: PersonKind) -> String {
    format!("instr-kind-{}", k.as_str().replace('_', "-"))
}

/// Roles an audience may name.
pub const AUDIENCE_ROLES: [Role; 6] = [
    Role::Leader,
    Role::SecurityCoordinator,
    Role::Dpo,
    Role::ItOperations,
    Role::Auditor,
    Role::TenantAdmin,
];

// ---------------------------------------------------------------------------------------------------------
// List

struct ListRow {
    id: String,
    title: String,
    category_key: String,
    in_force: String,
    latest: String,
    latest_state_key: String,
}

#[derive(Template)]
#[template(path = "instructions/list.html")]
struct ListPage {
    page: Page,
    rows: Vec<ListRow>,
    can_edit: bool,
    can_report: bool,
    can_groups: bool,
}

async fn list_page(user: CurrentUser, State(st): State<AppState>) -> Result<Response, AppError> {
    user.authorize_tenant(Action::ViewInstructions)?;
    let tenant = user.tenant_id();
    let now = st.now();
    let mut rows = Vec::new();
    for inst in st.db().instructions(tenant).await? {
        let versions = st.db().instruction_versions(tenant, inst.id).await?;
        let published: Vec<_> = versions.iter().filter_map(|v| v.published()).collect();
        let current = in_force(&published, now).map(|v| v.number.to_string());
        let Some(latest) = versions.last() else {
            continue;
        };
        if current.is_none() && !may_see_unpublished(&user, latest) {
            continue;
        }
        rows.push(ListRow {
            id: inst.id.to_string(),
            title: inst.title.clone(),
            category_key: category_key(&inst.category),
            in_force: current.unwrap_or_else(|| "–".into()),
            latest: latest.number.to_string(),
            latest_state_key: state_key(latest.state),
        });
    }
    render(&ListPage {
        page: user.page("instr-title", "/instructions"),
        rows,
        can_edit: may_edit(&user),
        can_report: user.may(Action::ViewUnitOverview),
        can_groups: user.may(Action::ViewGroups),
    })
}

// ---------------------------------------------------------------------------------------------------------
// Create and edit the instruction

/// The fields of the instruction form (create and edit).
#[derive(Debug, Default, Deserialize)]
pub struct InstructionForm {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub owner: String,
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub requires_signature: Option<String>,
    #[serde(default)]
    pub sign_within_days: String,
    /// `everyone`, or empty to use the rules below.
    #[serde(default)]
    pub everyone: Option<String>,
    /// Unit ids, comma-separated or repeated (a `<select multiple>`).
    #[serde(default)]
    pub units: Vec<String>,
    #[serde(default)]
    pub include_sub_units: Option<String>,
    #[serde(default)]
    pub roles: Vec<String>,
    #[serde(default)]
    pub kinds: Vec<String>,
    #[serde(default)]
    pub groups: Vec<String>,
    /// The first version's text (create only).
    #[serde(default)]
    pub body: String,
    #[serde(default)]
    pub change_comment: String,
}

impl InstructionForm {
    /// Parses a urlencoded body with repeated keys (`units`, `roles`, `kinds`, `groups`).
    pub fn parse(body: &[u8]) -> Result<Self, AppError> {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body)
            .map_err(|e| AppError::bad_request("error-bad-request").with_detail(e.to_string()))?;
        let mut f = InstructionForm::default();
        for (k, v) in pairs {
            match k.as_str() {
                "title" => f.title = v,
                "owner" => f.owner = v,
                "category" => f.category = v,
                "requires_signature" => f.requires_signature = Some(v),
                "sign_within_days" => f.sign_within_days = v,
                "everyone" => f.everyone = Some(v),
                "units" => f.units.push(v),
                "include_sub_units" => f.include_sub_units = Some(v),
                "roles" => f.roles.push(v),
                "kinds" => f.kinds.push(v),
                "groups" => f.groups.push(v),
                "body" => f.body = v,
                "change_comment" => f.change_comment = v,
                _ => {}
            }
        }
        Ok(f)
    }
}

fn parse_audience(f: &InstructionForm) -> Result<Audience, AppError> {
    if f.everyone.is_some() {
        return Ok(Audience::everyone());
    }
    let mut rules = Vec::new();
    let ids = |v: &[String]| -> Result<Vec<Uuid>, AppError> {
        v.iter()
            .flat_map(|s| s.split(','))
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| Uuid::parse_str(s).map_err(|_| AppError::invalid("instr-err-audience")))
            .collect()
    };
    let units = ids(&f.units)?;
    if !units.is_empty() {
        rules.push(AudienceRule::Units {
            units: units.into_iter().map(UnitId).collect(),
            include_sub_units: f.include_sub_units.is_some(),
        });
    }
    let roles: Vec<Role> = f
        .roles
        .iter()
        .filter_map(|r| AUDIENCE_ROLES.iter().find(|x| role_code(**x) == r).copied())
        .collect();
    if !roles.is_empty() {
        rules.push(AudienceRule::Roles { roles });
    }
    let kinds: Vec<PersonKind> = f
        .kinds
        .iter()
        .filter_map(|k| PersonKind::parse(k))
        .collect();
    if !kinds.is_empty() {
        rules.push(AudienceRule::PersonKinds { kinds });
    }
    let groups = ids(&f.groups)?;
    if !groups.is_empty() {
        rules.push(AudienceRule::Groups {
            groups: groups.into_iter().map(GroupId).collect(),
        });
    }
    Ok(Audience { rules })
}

pub(crate) fn role_code(r: Role) -> &'static str {
    match r {
        Role::Employee => "employee",
        Role::Leader => "leader",
        Role::SecurityCoordinator => "security_coordinator",
        Role::Dpo => "dpo",
        Role::ItOperations => "it_operations",
        Role::Auditor => "auditor",
        Role::TenantAdmin => "tenant_admin",
        Role::HostAdmin => "host_admin",
    }
}

async fn fields_from_form(
    st: &AppState,
    user: &CurrentUser,
    f: &InstructionForm,
) -> Result<InstructionFields, AppError> {
    let lang = user.lang();
    let title = crate::extract::text_field(&f.title, "instr-field-title", 200, true, lang)?;
    let owner = person_by_number(st, user, &f.owner, "instr-field-owner").await?;
    if !CATEGORIES.contains(&f.category.as_str()) {
        return Err(AppError::invalid("instr-err-category"));
    }
    let days: u32 = f
        .sign_within_days
        .trim()
        .parse()
        .ok()
        .filter(|d| (1..=365).contains(d))
        .ok_or_else(|| AppError::invalid("instr-err-days"))?;
    let audience = parse_audience(f)?;
    // Unknown units or groups in the audience are refused (another tenant's ids included).
    let units = st.db().units(user.tenant_id()).await?;
    let groups = st.db().groups(user.tenant_id()).await?;
    for r in &audience.rules {
        let unknown = match r {
            AudienceRule::Units { units: us, .. } => {
                us.iter().any(|u| !units.iter().any(|x| x.id == *u))
            }
            AudienceRule::Groups { groups: gs } => {
                gs.iter().any(|g| !groups.iter().any(|x| x.id == *g))
            }
            _ => false,
        };
        if unknown {
            return Err(AppError::invalid("instr-err-audience"));
        }
    }
    Ok(InstructionFields {
        title,
        owner,
        category: f.category.clone(),
        requires_signature: f.requires_signature.is_some(),
        audience,
        sign_within_days: days,
    })
}

struct Option2 {
    value: String,
    label: String,
    selected: bool,
}

#[derive(Template)]
#[template(path = "instructions/form.html")]
struct FormPage {
    page: Page,
    action: String,
    creating: bool,
    title: String,
    owner: String,
    requires_signature: bool,
    sign_within_days: String,
    everyone: bool,
    include_sub_units: bool,
    categories: Vec<Option2>,
    units: Vec<Option2>,
    roles: Vec<Option2>,
    kinds: Vec<Option2>,
    groups: Vec<Option2>,
    body: String,
    change_comment: String,
    error: Option<String>,
}

async fn form_page(
    st: &AppState,
    user: &CurrentUser,
    action: String,
    creating: bool,
    f: &InstructionForm,
    audience: &Audience,
    error: Option<String>,
) -> Result<Response, AppError> {
    let lang = user.lang();
    let units = st.db().units(user.tenant_id()).await?;
    let groups = st.db().groups(user.tenant_id()).await?;
    let mut sel_units = Vec::new();
    let mut sel_roles = Vec::new();
    let mut sel_kinds = Vec::new();
    let mut sel_groups = Vec::new();
    let mut everyone = false;
    let mut include_sub = true;
    for r in &audience.rules {
        match r {
            AudienceRule::Everyone => everyone = true,
            AudienceRule::Units {
                units,
                include_sub_units,
            } => {
                sel_units.extend(units.iter().copied());
                include_sub = *include_sub_units;
            }
            AudienceRule::Roles { roles } => sel_roles.extend(roles.iter().copied()),
            AudienceRule::PersonKinds { kinds } => sel_kinds.extend(kinds.iter().copied()),
            AudienceRule::Groups { groups } => sel_groups.extend(groups.iter().copied()),
            AudienceRule::AllOf { .. } => {}
        }
    }
    let mut unit_opts: Vec<Option2> = units
        .iter()
        .map(|u| Option2 {
            value: u.id.to_string(),
            label: u.name.clone(),
            selected: sel_units.contains(&u.id),
        })
        .collect();
    unit_opts.sort_by_key(|o| o.label.to_lowercase());
    let page = user.page(
        if creating {
            "instr-new-title"
        } else {
            "instr-edit-title"
        },
        "/instructions",
    );
    let resp = render(&FormPage {
        page,
        action,
        creating,
        title: f.title.clone(),
        owner: f.owner.clone(),
        requires_signature: f.requires_signature.is_some(),
        sign_within_days: if f.sign_within_days.is_empty() {
            "14".into()
        } else {
            f.sign_within_days.clone()
        },
        everyone,
        include_sub_units: include_sub,
        categories: CATEGORIES
            .iter()
            .map(|c| Option2 {
                value: (*c).to_string(),
                label: t(lang, &category_key(c), &[]),
                selected: f.category == *c,
            })
            .collect(),
        units: unit_opts,
        roles: AUDIENCE_ROLES
            .iter()
            .map(|r| Option2 {
                value: role_code(*r).to_string(),
                label: t(lang, &role_key(*r), &[]),
                selected: sel_roles.contains(r),
            })
            .collect(),
        kinds: PersonKind::ALL
            .iter()
            .map(|k| Option2 {
                value: k.as_str().to_string(),
                label: t(lang, &kind_key(*k), &[]),
                selected: sel_kinds.contains(k),
            })
            .collect(),
        groups: groups
            .iter()
            .map(|g| Option2 {
                value: g.id.to_string(),
                label: g.name.clone(),
                selected: sel_groups.contains(&g.id),
            })
            .collect(),
        body: f.body.clone(),
        change_comment: f.change_comment.clone(),
        error: error.clone(),
    })?;
    Ok(unprocessable_if(resp, error.is_some()))
}

async fn new_form(user: CurrentUser, State(st): State<AppState>) -> Result<Response, AppError> {
    user.authorize_tenant(Action::EditInstructions)?;
    let f = InstructionForm {
        owner: user
            .person
            .as_ref()
            .map(|p| p.employee_number.clone())
            .unwrap_or_default(),
        category: "information_security".into(),
        ..InstructionForm::default()
    };
    form_page(
        &st,
        &user,
        "/instructions/new".into(),
        true,
        &f,
        &Audience::default(),
        None,
    )
    .await
}

fn author_of(user: &CurrentUser) -> Result<PersonId, AppError> {
    user.person
        .as_ref()
        .map(|p| p.id)
        .ok_or_else(|| AppError::invalid("instr-err-no-person"))
}

async fn new_submit(
    user: CurrentUser,
    State(st): State<AppState>,
    ClientIp(ip): ClientIp,
    raw: axum::body::Bytes,
) -> Result<Response, AppError> {
    user.authorize_tenant(Action::EditInstructions)?;
    let f = InstructionForm::parse(&raw)?;
    let result = async {
        let author = author_of(&user)?;
        let fields = fields_from_form(&st, &user, &f).await?;
        let body = crate::extract::text_field(
            &f.body,
            "instr-field-body",
            vakt_store::MAX_BODY_CHARS,
            true,
            user.lang(),
        )?;
        let mut tx = st.db().write(&user.audit_ctx(ip.clone())).await?;
        let (inst, _) = tx
            .create_instruction(fields, author, &body, &f.change_comment)
            .await?;
        tx.commit().await?;
        Ok::<_, AppError>(inst)
    }
    .await;
    match result {
        Ok(inst) => Ok(Redirect::to(&format!("/instructions/{}", inst.id)).into_response()),
        Err(e)
            if e.status.is_client_error()
                && e.status != axum::http::StatusCode::FORBIDDEN
                && e.status != axum::http::StatusCode::NOT_FOUND =>
        {
            let aud = parse_audience(&f).unwrap_or_default();
            let msg = e.message(user.lang());
            form_page(
                &st,
                &user,
                "/instructions/new".into(),
                true,
                &f,
                &aud,
                Some(msg),
            )
            .await
        }
        Err(e) => Err(e),
    }
}

async fn edit_form(
    user: CurrentUser,
    State(st): State<AppState>,
    VPath(id): VPath<String>,
) -> Result<Response, AppError> {
    user.authorize_tenant(Action::EditInstructions)?;
    let (inst, _) = load(&st, &user, &id).await?;
    let owner = st
        .db()
        .person(user.tenant_id(), inst.owner)
        .await?
        .map(|p| p.employee_number)
        .unwrap_or_default();
    let f = InstructionForm {
        title: inst.title.clone(),
        owner,
        category: inst.category.clone(),
        requires_signature: inst.requires_signature.then(|| "on".into()),
        sign_within_days: inst.sign_within_days.to_string(),
        ..InstructionForm::default()
    };
    form_page(
        &st,
        &user,
        format!("/instructions/{}/edit", inst.id),
        false,
        &f,
        &inst.audience,
        None,
    )
    .await
}

async fn edit_submit(
    user: CurrentUser,
    State(st): State<AppState>,
    ClientIp(ip): ClientIp,
    VPath(id): VPath<String>,
    raw: axum::body::Bytes,
) -> Result<Response, AppError> {
    user.authorize_tenant(Action::EditInstructions)?;
    let f = InstructionForm::parse(&raw)?;
    let (inst, _) = load(&st, &user, &id).await?;
    let result = async {
        let fields = fields_from_form(&st, &user, &f).await?;
        let mut tx = st.db().write(&user.audit_ctx(ip.clone())).await?;
        tx.update_instruction(inst.id, fields).await?;
        tx.commit().await?;
        Ok::<_, AppError>(())
    }
    .await;
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/instructions/{}", inst.id)).into_response()),
        Err(e)
            if e.status.is_client_error()
                && e.status != axum::http::StatusCode::FORBIDDEN
                && e.status != axum::http::StatusCode::NOT_FOUND =>
        {
            let aud = parse_audience(&f).unwrap_or_default();
            let msg = e.message(user.lang());
            form_page(
                &st,
                &user,
                format!("/instructions/{}/edit", inst.id),
                false,
                &f,
                &aud,
                Some(msg),
            )
            .await
        }
        Err(e) => Err(e),
    }
}

// ---------------------------------------------------------------------------------------------------------
// Instruction page: text in force, revision table, attachments

struct RevisionRow {
    id: String,
    number: String,
    kind_key: String,
    state_key: String,
    comment: String,
    author: String,
    approver: String,
    approved_at: String,
    effective_from: String,
}

struct AttachmentRow {
    id: String,
    name: String,
    size: i64,
}

#[derive(Template)]
#[template(path = "instructions/detail.html")]
struct DetailPage {
    page: Page,
    id: String,
    title: String,
    category_key: String,
    owner: String,
    requires_signature: bool,
    sign_within_days: u32,
    audience: Vec<String>,
    in_force: Option<String>,
    body_html: String,
    revisions: Vec<RevisionRow>,
    attachments: Vec<AttachmentRow>,
    can_edit: bool,
    can_sign: bool,
    open_version: Option<String>,
    version_ids: Vec<(String, String)>,
}

async fn detail_page(
    user: CurrentUser,
    State(st): State<AppState>,
    VPath(id): VPath<String>,
) -> Result<Response, AppError> {
    user.authorize_tenant(Action::ViewInstructions)?;
    let (inst, versions) = load(&st, &user, &id).await?;
    let tenant = user.tenant_id();
    let times = user.local_time();
    let now = st.now();
    let published: Vec<_> = versions.iter().filter_map(|v| v.published()).collect();
    let current = in_force(&published, now).and_then(|p| versions.iter().find(|v| v.id == p.id));
    let can_edit = may_edit(&user);
    let visible: Vec<&InstructionVersion> = versions
        .iter()
        .filter(|v| v.published().is_some() || may_see_unpublished(&user, v))
        .collect();
    if visible.is_empty() {
        return Err(AppError::not_found());
    }
    let mut people: Vec<PersonId> = vec![inst.owner];
    for v in &visible {
        people.push(v.author);
        people.extend(v.approver);
    }
    let names = names(&st, &user, people).await?;
    let name = |p: &PersonId| names.get(p).cloned().unwrap_or_default();
    let units = st.db().units(tenant).await?;
    let groups = st.db().groups(tenant).await?;
    let applies = match user.person.as_ref() {
        Some(p) => st
            .db()
            .instructions_for_person(tenant, p.id, now, &calendar(&user.settings.time_zone))
            .await?
            .iter()
            .any(|x| x.instruction.id == inst.id),
        None => false,
    };
    render(&DetailPage {
        page: user.page("instr-title", "/instructions"),
        id: inst.id.to_string(),
        title: inst.title.clone(),
        category_key: category_key(&inst.category),
        owner: name(&inst.owner),
        requires_signature: inst.requires_signature,
        sign_within_days: inst.sign_within_days,
        audience: describe_audience(user.lang(), &inst.audience, &units, &groups),
        in_force: current.map(|v| v.number.to_string()),
        body_html: current
            .map(|v| markdown::render(&v.body))
            .unwrap_or_default(),
        revisions: visible
            .iter()
            .rev()
            .map(|v| RevisionRow {
                id: v.id.to_string(),
                number: v.number.to_string(),
                kind_key: format!("instr-kind-change-{}", v.change_kind.as_str()),
                state_key: state_key(v.state),
                comment: v.change_comment.clone(),
                author: name(&v.author),
                approver: v.approver.map(|a| name(&a)).unwrap_or_default(),
                approved_at: v
                    .approved_at
                    .map(|t| fmt_time(&times, t))
                    .unwrap_or_default(),
                effective_from: v
                    .effective_from
                    .map(|t| fmt_time(&times, t))
                    .unwrap_or_default(),
            })
            .collect(),
        attachments: st
            .db()
            .attachments(tenant, inst.id)
            .await?
            .into_iter()
            .map(|a| AttachmentRow {
                id: a.id.to_string(),
                name: a.file_name,
                size: a.size,
            })
            .collect(),
        can_edit,
        can_sign: applies && current.is_some(),
        open_version: versions
            .iter()
            .find(|v| v.state.is_open())
            .map(|v| v.id.to_string()),
        version_ids: visible
            .iter()
            .map(|v| (v.id.to_string(), v.number.to_string()))
            .collect(),
    })
}

#[derive(Debug, Default, Deserialize)]
pub struct NewVersionForm {
    #[serde(default)]
    pub kind: String,
}

async fn new_version(
    user: CurrentUser,
    State(st): State<AppState>,
    ClientIp(ip): ClientIp,
    VPath(id): VPath<String>,
    VForm(f): VForm<NewVersionForm>,
) -> Result<Response, AppError> {
    user.authorize_tenant(Action::EditInstructions)?;
    let (inst, _) = load(&st, &user, &id).await?;
    let kind = ChangeKind::parse(&f.kind).ok_or_else(|| AppError::invalid("instr-err-kind"))?;
    let author = author_of(&user)?;
    let mut tx = st.db().write(&user.audit_ctx(ip)).await?;
    let v = tx.new_version(inst.id, kind, author).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/instructions/{}/versions/{}", inst.id, v.id)).into_response())
}

// ---------------------------------------------------------------------------------------------------------
// One version: text, workflow, hearing round

struct CommentRow {
    author: String,
    at: String,
    body: String,
}

#[derive(Template)]
#[template(path = "instructions/version.html")]
struct VersionPage {
    page: Page,
    inst_id: String,
    inst_title: String,
    id: String,
    number: String,
    state_key: String,
    state: &'static str,
    kind_key: String,
    title: String,
    body: String,
    body_html: String,
    sha256: String,
    change_comment: String,
    author: String,
    approver: String,
    approver_number: String,
    reviewers: Vec<String>,
    reviewer_numbers: String,
    comments: Vec<CommentRow>,
    editable: bool,
    can_edit: bool,
    can_comment: bool,
    can_approve: bool,
    today: String,
    error: Option<String>,
}

async fn version_response(
    st: &AppState,
    user: &CurrentUser,
    id: &str,
    vid: &str,
    error: Option<String>,
) -> Result<Response, AppError> {
    let (inst, versions) = load(st, user, id).await?;
    let v = find_version(&versions, vid)?;
    if v.published().is_none() && !may_see_unpublished(user, v) {
        return Err(AppError::not_found());
    }
    let tenant = user.tenant_id();
    let mut ids = vec![v.author];
    ids.extend(v.approver);
    ids.extend(v.reviewers.iter().copied());
    let names = names(st, user, ids).await?;
    let name = |p: &PersonId| names.get(p).cloned().unwrap_or_default();
    let mut numbers = Vec::new();
    for r in &v.reviewers {
        if let Some(p) = st.db().person(tenant, *r).await? {
            numbers.push(p.employee_number);
        }
    }
    let approver_number = match v.approver {
        Some(a) => st
            .db()
            .person(tenant, a)
            .await?
            .map(|p| p.employee_number)
            .unwrap_or_default(),
        None => String::new(),
    };
    let me = user.person.as_ref().map(|p| p.id);
    let can_edit = may_edit(user);
    let can_comment = me.is_some_and(|p| {
        user.may(Action::ReviewInstructions)
            && vakt_core::instructions::may_comment(&v.facts(), p, can_edit)
    });
    let can_approve = v.state == VersionState::InReview
        && me.is_some_and(|p| v.approver == Some(p) && v.author != p)
        && user.may(Action::ReviewInstructions);
    let times = user.local_time();
    let comments = st
        .db()
        .review_comments(tenant, v.id)
        .await?
        .into_iter()
        .map(|c| CommentRow {
            author: c.author_name,
            at: fmt_time(&times, c.created_at),
            body: c.body,
        })
        .collect();
    let today = st.now().date().to_string();
    let resp = render(&VersionPage {
        page: user.page("instr-version-title", "/instructions"),
        inst_id: inst.id.to_string(),
        inst_title: inst.title.clone(),
        id: v.id.to_string(),
        number: v.number.to_string(),
        state_key: state_key(v.state),
        state: v.state.as_str(),
        kind_key: format!("instr-kind-change-{}", v.change_kind.as_str()),
        title: v.title.clone(),
        body: v.body.clone(),
        body_html: markdown::render(&v.body),
        sha256: v.body_sha256.to_hex(),
        change_comment: v.change_comment.clone(),
        author: name(&v.author),
        approver: v.approver.map(|a| name(&a)).unwrap_or_default(),
        approver_number,
        reviewers: v.reviewers.iter().map(name).collect(),
        reviewer_numbers: numbers.join(", "),
        comments,
        editable: v.state.is_editable() && can_edit,
        can_edit,
        can_comment,
        can_approve,
        today,
        error: error.clone(),
    })?;
    Ok(unprocessable_if(resp, error.is_some()))
}

async fn version_page(
    user: CurrentUser,
    State(st): State<AppState>,
    VPath((id, vid)): VPath<(String, String)>,
) -> Result<Response, AppError> {
    user.authorize_tenant(Action::ViewInstructions)?;
    version_response(&st, &user, &id, &vid, None).await
}

/// Turns a client error of a version action into the version page with the message.
async fn or_version_page(
    st: &AppState,
    user: &CurrentUser,
    id: &str,
    vid: &str,
    r: Result<(), AppError>,
) -> Result<Response, AppError> {
    match r {
        Ok(()) => Ok(Redirect::to(&format!("/instructions/{id}/versions/{vid}")).into_response()),
        Err(e)
            if e.status.is_client_error()
                && e.status != axum::http::StatusCode::NOT_FOUND
                && e.status != axum::http::StatusCode::FORBIDDEN =>
        {
            let msg = e.message(user.lang());
            version_response(st, user, id, vid, Some(msg)).await
        }
        Err(e) => Err(e),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct DraftForm {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub body: String,
    #[serde(default)]
    pub change_comment: String,
    #[serde(default)]
    pub approver: String,
    /// Employee numbers, separated by commas or spaces.
    #[serde(default)]
    pub reviewers: String,
}

async fn draft_submit(
    user: CurrentUser,
    State(st): State<AppState>,
    ClientIp(ip): ClientIp,
    VPath((id, vid)): VPath<(String, String)>,
    VForm(f): VForm<DraftForm>,
) -> Result<Response, AppError> {
    user.authorize_tenant(Action::EditInstructions)?;
    let (_, versions) = load(&st, &user, &id).await?;
    let v = find_version(&versions, &vid)?.clone();
    let r = async {
        let lang = user.lang();
        let title = crate::extract::text_field(&f.title, "instr-field-title", 200, true, lang)?;
        let approver = if f.approver.trim().is_empty() {
            None
        } else {
            Some(person_by_number(&st, &user, &f.approver, "instr-field-approver").await?)
        };
        let mut reviewers = Vec::new();
        for n in f
            .reviewers
            .split([',', ' ', ';', '\n'])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .take(51)
        {
            reviewers.push(person_by_number(&st, &user, n, "instr-field-reviewers").await?);
        }
        let mut tx = st.db().write(&user.audit_ctx(ip.clone())).await?;
        tx.edit_draft(
            v.id,
            DraftEdit {
                title,
                body: f.body.replace("\r\n", "\n"),
                change_comment: f.change_comment.clone(),
                approver,
                reviewers,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
    .await;
    or_version_page(&st, &user, &id, &vid, r).await
}

#[derive(Debug, Default, Deserialize)]
pub struct StepForm {
    #[serde(default)]
    pub step: String,
    /// `YYYY-MM-DD` (publish): in force from the start of that local day, or now if today or empty.
    #[serde(default)]
    pub effective_from: String,
}

/// Parses a step of the editors' workflow (approval has its own route). Shared with the JSON API.
pub(crate) fn parse_step(
    f: &StepForm,
    now: time::OffsetDateTime,
    cal: &TenantCalendar,
) -> Result<VersionStep, AppError> {
    Ok(match f.step.as_str() {
        "send_to_review" => VersionStep::SendToReview,
        "back_to_draft" => VersionStep::BackToDraft,
        "retire" => VersionStep::Retire,
        "publish" => {
            let from = match f.effective_from.trim() {
                "" => now,
                s => {
                    let d = parse_date(s).ok_or_else(|| AppError::invalid("instr-err-date"))?;
                    let start = cal
                        .start_of_local_day(d)
                        .map_err(|_| AppError::invalid("instr-err-date"))?;
                    start.max(now)
                }
            };
            VersionStep::Publish {
                effective_from: from,
            }
        }
        _ => return Err(AppError::invalid("instr-err-step")),
    })
}

async fn step_submit(
    user: CurrentUser,
    State(st): State<AppState>,
    ClientIp(ip): ClientIp,
    VPath((id, vid)): VPath<(String, String)>,
    VForm(f): VForm<StepForm>,
) -> Result<Response, AppError> {
    user.authorize_tenant(Action::EditInstructions)?;
    let (_, versions) = load(&st, &user, &id).await?;
    let v = find_version(&versions, &vid)?.clone();
    let r = async {
        let step = parse_step(&f, st.now(), &calendar(&user.settings.time_zone))?;
        let person = author_of(&user)?;
        let mut tx = st.db().write(&user.audit_ctx(ip.clone())).await?;
        tx.version_step(
            v.id,
            step,
            StepActor {
                person,
                may_edit: true,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
    .await;
    or_version_page(&st, &user, &id, &vid, r).await
}

async fn approve_submit(
    user: CurrentUser,
    State(st): State<AppState>,
    ClientIp(ip): ClientIp,
    VPath((id, vid)): VPath<(String, String)>,
) -> Result<Response, AppError> {
    user.authorize_tenant(Action::ReviewInstructions)?;
    let (_, versions) = load(&st, &user, &id).await?;
    let v = find_version(&versions, &vid)?.clone();
    let r = async {
        let person = author_of(&user)?;
        let mut tx = st.db().write(&user.audit_ctx(ip.clone())).await?;
        tx.version_step(
            v.id,
            VersionStep::Approve,
            StepActor {
                person,
                may_edit: may_edit(&user),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
    .await;
    or_version_page(&st, &user, &id, &vid, r).await
}

#[derive(Debug, Default, Deserialize)]
pub struct CommentForm {
    #[serde(default)]
    pub body: String,
}

async fn comment_submit(
    user: CurrentUser,
    State(st): State<AppState>,
    ClientIp(ip): ClientIp,
    VPath((id, vid)): VPath<(String, String)>,
    VForm(f): VForm<CommentForm>,
) -> Result<Response, AppError> {
    user.authorize_tenant(Action::ReviewInstructions)?;
    let (_, versions) = load(&st, &user, &id).await?;
    let v = find_version(&versions, &vid)?.clone();
    let r = async {
        let body =
            crate::extract::text_field(&f.body, "instr-field-comment", 5000, true, user.lang())?;
        let person = author_of(&user)?;
        let mut tx = st.db().write(&user.audit_ctx(ip.clone())).await?;
        tx.add_review_comment(v.id, person, may_edit(&user), &body)
            .await?;
        tx.commit().await?;
        Ok(())
    }
    .await;
    or_version_page(&st, &user, &id, &vid, r).await
}

// ---------------------------------------------------------------------------------------------------------
// Diff

#[derive(Debug, Default, Deserialize)]
pub struct DiffParams {
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
}

struct DiffRow {
    class: &'static str,
    sign: &'static str,
    text: String,
}

#[derive(Template)]
#[template(path = "instructions/diff.html")]
struct DiffPage {
    page: Page,
    inst_id: String,
    inst_title: String,
    from: String,
    to: String,
    options: Vec<(String, String)>,
    rows: Vec<DiffRow>,
}

/// The two versions of a diff request (default: the two newest visible).
pub(crate) fn diff_pair<'a>(
    versions: &[&'a InstructionVersion],
    from: &str,
    to: &str,
) -> Result<(&'a InstructionVersion, &'a InstructionVersion), AppError> {
    let pick = |raw: &str, fallback: Option<&'a InstructionVersion>| {
        if raw.trim().is_empty() {
            return fallback.ok_or_else(AppError::not_found);
        }
        let id: VersionId = parse_id(raw)?;
        versions
            .iter()
            .copied()
            .find(|v| v.id == id)
            .ok_or_else(AppError::not_found)
    };
    let n = versions.len();
    let to_v = pick(to, versions.last().copied())?;
    let from_v = pick(
        from,
        versions.get(n.saturating_sub(2)).copied().or(Some(to_v)),
    )?;
    Ok((from_v, to_v))
}

async fn diff_page(
    user: CurrentUser,
    State(st): State<AppState>,
    VPath(id): VPath<String>,
    VQuery(q): VQuery<DiffParams>,
) -> Result<Response, AppError> {
    user.authorize_tenant(Action::ViewInstructions)?;
    let (inst, versions) = load(&st, &user, &id).await?;
    let visible: Vec<&InstructionVersion> = versions
        .iter()
        .filter(|v| v.published().is_some() || may_see_unpublished(&user, v))
        .collect();
    let (a, b) = diff_pair(&visible, &q.from, &q.to)?;
    let rows = diff_lines(&a.body, &b.body)
        .into_iter()
        .map(|l| {
            let (class, sign) = match l.op {
                LineOp::Same => ("same", " "),
                LineOp::Added => ("added", "+"),
                LineOp::Removed => ("removed", "−"),
            };
            DiffRow {
                class,
                sign,
                text: l.text.to_string(),
            }
        })
        .collect();
    render(&DiffPage {
        page: user.page("instr-diff-title", "/instructions"),
        inst_id: inst.id.to_string(),
        inst_title: inst.title.clone(),
        from: a.id.to_string(),
        to: b.id.to_string(),
        options: visible
            .iter()
            .map(|v| (v.id.to_string(), v.number.to_string()))
            .collect(),
        rows,
    })
}

// ---------------------------------------------------------------------------------------------------------
// Attachments

async fn attachment_upload(
    user: CurrentUser,
    State(st): State<AppState>,
    ClientIp(ip): ClientIp,
    VPath(id): VPath<String>,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, AppError> {
    user.authorize_tenant(Action::EditInstructions)?;
    let (inst, _) = load(&st, &user, &id).await?;
    let (name, data) = uploaded_file(multipart).await?;
    let mut tx = st.db().write(&user.audit_ctx(ip)).await?;
    tx.add_attachment(inst.id, &name, &data).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/instructions/{}", inst.id)).into_response())
}

async fn attachment_download(
    user: CurrentUser,
    State(st): State<AppState>,
    VPath((id, aid)): VPath<(String, String)>,
) -> Result<Response, AppError> {
    user.authorize_tenant(Action::ViewInstructions)?;
    let inst: InstructionId = parse_id(&id)?;
    let aid: Uuid = parse_id(&aid)?;
    let (a, data) = st
        .db()
        .attachment_data(user.tenant_id(), inst, aid)
        .await?
        .ok_or_else(AppError::not_found)?;
    // A removed attachment is kept as evidence of what people were shown. To readers it is gone
    // (404, like an unknown id); those who may edit instructions can still fetch it by its id — the
    // audit entry of the removal names it — so the evidence stays retrievable in the application.
    if a.removed_at.is_some() && !may_edit(&user) {
        return Err(AppError::not_found());
    }
    Ok(file_download(data, &a.content_type, &a.file_name))
}

/// The file of an attachment upload (`multipart/form-data`, field `file`): its name and bytes. A
/// broken body is a 400, one over the size limit a 413, a form without the file a 422.
pub(crate) async fn uploaded_file(
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<(String, Vec<u8>), AppError> {
    let mut multipart = multipart.map_err(|_| AppError::bad_request("instr-err-upload"))?;
    let mut file: Option<(String, Vec<u8>)> = None;
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(_) => return Err(AppError::bad_request("instr-err-upload")),
        };
        if field.name() == Some("file") {
            let name = field.file_name().unwrap_or_default().to_string();
            let data = field.bytes().await.map_err(|_| AppError::too_large())?;
            file = Some((name, data.to_vec()));
        }
    }
    file.ok_or_else(|| AppError::invalid("instr-err-upload"))
}

/// `POST /instructions/{id}/attachments/{aid}/remove`: takes an attachment off the instruction page
/// and lists. Nothing is deleted: the store marks it removed (when, by whom) and audits
/// `instruction.attachment_remove`. 404 unless the attachment belongs to this instruction of the
/// user's tenant; one removed before changes nothing and leads back to the page as well.
async fn attachment_remove(
    user: CurrentUser,
    State(st): State<AppState>,
    ClientIp(ip): ClientIp,
    VPath((id, aid)): VPath<(String, String)>,
) -> Result<Response, AppError> {
    user.authorize_tenant(Action::EditInstructions)?;
    let inst = remove_attachment(&st, user.audit_ctx(ip), &id, &aid).await?;
    Ok(Redirect::to(&format!("/instructions/{inst}")).into_response())
}

/// Takes attachment `aid` off instruction `id` (committed; nothing written when it was removed
/// before). 404 unless it is an attachment of that instruction in the context's tenant.
pub(crate) async fn remove_attachment(
    st: &AppState,
    ctx: vakt_store::AuditCtx,
    id: &str,
    aid: &str,
) -> Result<InstructionId, AppError> {
    let inst: InstructionId = parse_id(id)?;
    let aid: Uuid = parse_id(aid)?;
    let mut tx = st.db().write(&ctx).await?;
    if tx.remove_attachment(inst, aid).await? {
        tx.commit().await?;
    } else {
        tx.rollback().await?;
    }
    Ok(inst)
}

/// A stored file as a download: its own content type (never sniffed by the browser) and a
/// `Content-Disposition: attachment` with an ASCII fallback name and the UTF-8 name.
pub(crate) fn file_download(data: Vec<u8>, content_type: &str, file_name: &str) -> Response {
    let ascii: String = file_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let disposition = format!(
        "attachment; filename=\"{ascii}\"; filename*=UTF-8''{}",
        urlencoding::encode(file_name)
    );
    let mut resp = data.into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(content_type)
            .unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    resp
}

// ---------------------------------------------------------------------------------------------------------
// Signing

#[derive(Template)]
#[template(path = "instructions/sign.html")]
struct SignPage {
    page: Page,
    inst_id: String,
    title: String,
    number: String,
    body_html: String,
    sha256: String,
    requires_signature: bool,
    has_totp: bool,
    signed: Option<String>,
    error: Option<String>,
}

/// The version in force for the person, if the instruction applies to them.
async fn applicable(
    st: &AppState,
    user: &CurrentUser,
    inst: &Instruction,
    versions: &[InstructionVersion],
) -> Result<
    (
        PersonId,
        InstructionVersion,
        vakt_core::instructions::Standing,
    ),
    AppError,
> {
    let person = author_of(user)?;
    let now = st.now();
    let mine = st
        .db()
        .instructions_for_person(
            user.tenant_id(),
            person,
            now,
            &calendar(&user.settings.time_zone),
        )
        .await?;
    let item = mine
        .into_iter()
        .find(|x| x.instruction.id == inst.id)
        .ok_or_else(|| AppError::invalid("instr-err-not-in-audience"))?;
    let v = versions
        .iter()
        .find(|v| v.id == item.version.id)
        .cloned()
        .ok_or_else(AppError::not_found)?;
    Ok((person, v, item.standing))
}

async fn sign_response(
    st: &AppState,
    user: &CurrentUser,
    id: &str,
    error: Option<String>,
) -> Result<Response, AppError> {
    let (inst, versions) = load(st, user, id).await?;
    let (_, v, standing) = applicable(st, user, &inst, &versions).await?;
    let account = st
        .db()
        .account(user.tenant_id(), user.account_id())
        .await?
        .ok_or_else(AppError::not_found)?;
    let signed = match standing {
        vakt_core::instructions::Standing::Signed { version, at } => {
            Some(format!("{version} · {}", fmt_time(&user.local_time(), at)))
        }
        _ => None,
    };
    let resp = render(&SignPage {
        page: user.page("instr-sign-title", "/me"),
        inst_id: inst.id.to_string(),
        title: v.title.clone(),
        number: v.number.to_string(),
        body_html: markdown::render(&v.body),
        sha256: v.body_sha256.to_hex(),
        requires_signature: inst.requires_signature,
        has_totp: account.totp_secret.is_some(),
        signed,
        error: error.clone(),
    })?;
    Ok(unprocessable_if(resp, error.is_some()))
}

async fn sign_form(
    user: CurrentUser,
    State(st): State<AppState>,
    VPath(id): VPath<String>,
) -> Result<Response, AppError> {
    user.authorize_own(Action::SignInstructions)?;
    sign_response(&st, &user, &id, None).await
}

#[derive(Debug, Default, Deserialize)]
pub struct SignForm {
    /// The hash of the text shown (from the page), so a text changed in between is not signed.
    #[serde(default)]
    pub sha256: String,
    #[serde(default)]
    pub understood: Option<String>,
    #[serde(default)]
    pub password: String,
    #[serde(default)]
    pub code: String,
}

async fn sign_submit(
    user: CurrentUser,
    State(st): State<AppState>,
    headers: HeaderMap,
    ClientIp(ip): ClientIp,
    VPath(id): VPath<String>,
    VForm(f): VForm<SignForm>,
) -> Result<Response, AppError> {
    user.authorize_own(Action::SignInstructions)?;
    let r = sign(&st, &user, &headers, ip, &id, &f).await;
    match r {
        Ok(ack) => Ok(Redirect::to(&format!("/me?signed={}", ack.id())).into_response()),
        Err(e)
            if e.status.is_client_error()
                && e.status != axum::http::StatusCode::NOT_FOUND
                && e.status != axum::http::StatusCode::FORBIDDEN =>
        {
            let msg = e.message(user.lang());
            match sign_response(&st, &user, &id, Some(msg)).await {
                Ok(r) => Ok(r),
                Err(_) => Err(e),
            }
        }
        Err(e) => Err(e),
    }
}

async fn sign(
    st: &AppState,
    user: &CurrentUser,
    headers: &HeaderMap,
    ip: Option<String>,
    id: &str,
    f: &SignForm,
) -> Result<Acknowledgment, AppError> {
    let (inst, versions) = load(st, user, id).await?;
    let (person, v, standing) = applicable(st, user, &inst, &versions).await?;
    if standing.is_signed() {
        return Err(AppError::invalid("instr-err-already-signed"));
    }
    if f.understood.is_none() {
        return Err(AppError::invalid("instr-err-confirm"));
    }
    if f.sha256.trim() != v.body_sha256.to_hex() {
        return Err(AppError::invalid("instr-err-text-changed"));
    }
    let tenant = user.tenant_id();
    let ctx = user.audit_ctx(ip.clone());
    let account = st
        .db()
        .account(tenant, user.account_id())
        .await?
        .ok_or_else(AppError::not_found)?;
    // Re-authentication: the password, or a TOTP code (consumed in the same transaction).
    let mut totp_step: Option<i64> = None;
    let method = if !inst.requires_signature {
        AckMethod::Session
    } else if !f.code.trim().is_empty() {
        let secret = account
            .totp_secret
            .clone()
            .ok_or_else(|| AppError::invalid("instr-err-reauth"))?;
        let code: String = f.code.chars().filter(|c| !c.is_whitespace()).collect();
        let last = account.totp_last_step.and_then(|s| u64::try_from(s).ok());
        let step = vakt_core::auth::totp::verify(&secret, &code, st.now(), last)
            .map_err(|e| AppError::internal(format!("totp: {e}")))?
            .and_then(|s| i64::try_from(s).ok());
        match step {
            Some(s) => {
                totp_step = Some(s);
                AckMethod::Totp
            }
            None => return Err(reauth_failed(st, &ctx, &inst).await),
        }
    } else {
        if f.password.chars().count() > 1024 || f.password.is_empty() {
            return Err(reauth_failed(st, &ctx, &inst).await);
        }
        let (pw, phc) = (f.password.clone(), account.password_hash.clone());
        let ok = tokio::task::spawn_blocking(move || {
            vakt_core::auth::verify_password(&pw, &phc).unwrap_or(false)
        })
        .await
        .map_err(|e| AppError::internal(e.to_string()))?;
        if !ok {
            return Err(reauth_failed(st, &ctx, &inst).await);
        }
        AckMethod::Password
    };
    let ua = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok());
    let previous = st.db().latest_ack(tenant, person, inst.id).await?;
    let input = AckInput {
        id: AckId::new(),
        person,
        instruction: inst.id,
        version_id: v.id,
        version: v.number,
        text_shown: &v.body,
        version_text_hash: v.body_sha256,
        method,
        at: st.now(),
        ip: ip.as_deref().and_then(|s| s.parse().ok()),
        user_agent: ua,
    };
    let ack = match &previous {
        Some(p) => p.supersede(input),
        None => Acknowledgment::record(input),
    }
    .map_err(|_| AppError::invalid("instr-err-text-changed"))?;
    let mut tx = st.db().write(&ctx).await?;
    if let Some(step) = totp_step
        && !tx.accept_totp_step(account.id, step).await?
    {
        drop(tx);
        return Err(reauth_failed(st, &ctx, &inst).await);
    }
    tx.record_ack(&ack).await?;
    tx.commit().await?;
    Ok(ack)
}

async fn reauth_failed(st: &AppState, ctx: &vakt_store::AuditCtx, inst: &Instruction) -> AppError {
    if let Ok(mut tx) = st.db().write(ctx).await {
        let ev = vakt_core::audit::EventDraft::new(
            vakt_core::audit::AuditClass::Security,
            "instruction.sign_reauth_failed",
            "instruction",
            inst.id,
        );
        if tx.record(ev).await.is_ok() {
            let _ = tx.commit().await;
        }
    }
    AppError::invalid("instr-err-reauth")
}

// ---------------------------------------------------------------------------------------------------------
// Receipt

/// The receipt PDF of one acknowledgment, in `lang`.
pub(crate) async fn receipt_bytes(
    st: &AppState,
    tenant: &vakt_core::directory::Tenant,
    lang: Lang,
    times: &crate::local_time::LocalTime,
    ack: &Acknowledgment,
) -> Result<Vec<u8>, AppError> {
    let person = st
        .db()
        .person(tenant.id, ack.person())
        .await?
        .ok_or_else(AppError::not_found)?;
    let v = st
        .db()
        .instruction_version(tenant.id, ack.version_id())
        .await?
        .ok_or_else(AppError::not_found)?;
    let method_key = format!("instr-method-{}", ack.method().as_str());
    let l = |k: &str| t(lang, k, &[]);
    let lines = vec![
        receipt::ReceiptLine {
            label: l("instr-receipt-name"),
            value: format!("{} {}", person.given_name, person.family_name),
        },
        receipt::ReceiptLine {
            label: l("instr-receipt-employee-number"),
            value: person.employee_number.clone(),
        },
        receipt::ReceiptLine {
            label: l("instr-receipt-instruction"),
            value: v.title.clone(),
        },
        receipt::ReceiptLine {
            label: l("instr-receipt-version"),
            value: ack.version().to_string(),
        },
        receipt::ReceiptLine {
            label: l("instr-receipt-hash"),
            value: ack.text_sha256().to_hex(),
        },
        receipt::ReceiptLine {
            label: l("instr-receipt-at"),
            value: fmt_time(times, ack.at()),
        },
        receipt::ReceiptLine {
            label: l("instr-receipt-method"),
            value: l(&method_key),
        },
        receipt::ReceiptLine {
            label: l("instr-receipt-ip"),
            value: ack.ip().map(|i| i.to_string()).unwrap_or_default(),
        },
        receipt::ReceiptLine {
            label: l("instr-receipt-ua"),
            value: ack.user_agent().unwrap_or_default().to_string(),
        },
        receipt::ReceiptLine {
            label: l("instr-receipt-id"),
            value: ack.id().to_string(),
        },
    ];
    Ok(receipt::receipt_pdf(
        &l("instr-receipt-title"),
        &t(
            lang,
            "instr-receipt-intro",
            &[("tenant", tenant.name.clone().into())],
        ),
        &lines,
        &l("instr-receipt-footer"),
    ))
}

async fn receipt_download(
    user: CurrentUser,
    State(st): State<AppState>,
    ClientIp(ip): ClientIp,
    VPath(id): VPath<String>,
) -> Result<Response, AppError> {
    let ack_id: AckId = parse_id(&id)?;
    let tenant = user.tenant_id();
    let ack = st
        .db()
        .ack(tenant, ack_id)
        .await?
        .ok_or_else(AppError::not_found)?;
    let own = user.person.as_ref().is_some_and(|p| p.id == ack.person());
    if own {
        user.authorize_own(Action::ViewOwnPage)?;
    } else {
        let person = st
            .db()
            .person(tenant, ack.person())
            .await?
            .ok_or_else(AppError::not_found)?;
        let units = st.db().units(tenant).await?;
        user.authorize(
            Action::ViewUnitOverview,
            &Resource::in_unit(tenant, crate::directory::unit_path(&units, person.unit)),
        )?;
    }
    let pdf = receipt_bytes(&st, &user.tenant, user.lang(), &user.local_time(), &ack).await?;
    st.db()
        .record_event(
            &user.audit_ctx(ip),
            vakt_core::audit::EventDraft::new(
                vakt_core::audit::AuditClass::Usage,
                "instruction.receipt_download",
                "acknowledgment",
                ack.id(),
            )
            .person(ack.person()),
        )
        .await?;
    let mut resp = pdf.into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/pdf"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!(
        "attachment; filename=\"receipt-{}.pdf\"",
        ack.id()
    )) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(resp)
}

// ---------------------------------------------------------------------------------------------------------
// My page section

/// One instruction on my page.
pub struct MyItem {
    pub id: String,
    pub title: String,
    pub version: String,
    pub standing: &'static str,
    pub standing_key: String,
    pub due: String,
    pub signed_at: String,
    pub receipt: Option<String>,
}

/// What my page shows for instructions: what to sign, what is signed, reviews waiting.
#[derive(Default)]
pub struct MySection {
    pub to_sign: Vec<MyItem>,
    pub signed: Vec<MyItem>,
    pub reviews: Vec<(String, String, String)>,
    pub led_units: Vec<(String, String)>,
}

/// The instructions part of my page (empty for an account without a person).
pub async fn my_section(st: &AppState, user: &CurrentUser) -> Result<MySection, AppError> {
    let times = user.local_time();
    let Some(person) = user.person.as_ref() else {
        return Ok(MySection::default());
    };
    let tenant = user.tenant_id();
    let now = st.now();
    let cal = calendar(&user.settings.time_zone);
    let items = st
        .db()
        .instructions_for_person(tenant, person.id, now, &cal)
        .await?;
    let acks = st.db().acks_of_person(tenant, person.id).await?;
    let mut out = MySection::default();
    for it in items {
        let latest = acks
            .iter()
            .filter(|a| a.instruction() == it.instruction.id)
            .max_by_key(|a| (a.version(), a.at()));
        let (standing, due, signed_at) = match it.standing {
            vakt_core::instructions::Standing::Signed { at, .. } => {
                ("signed", String::new(), fmt_time(&times, at))
            }
            vakt_core::instructions::Standing::Missing { due_at } => {
                ("missing", fmt_time(&times, due_at), String::new())
            }
            vakt_core::instructions::Standing::Overdue { due_at } => {
                ("overdue", fmt_time(&times, due_at), String::new())
            }
        };
        let item = MyItem {
            id: it.instruction.id.to_string(),
            title: it.instruction.title.clone(),
            version: it.version.number.to_string(),
            standing,
            standing_key: format!("instr-standing-{standing}"),
            due,
            signed_at,
            receipt: latest
                .filter(|_| standing == "signed")
                .map(|a| a.id().to_string()),
        };
        if standing == "signed" {
            out.signed.push(item);
        } else {
            out.to_sign.push(item);
        }
    }
    for v in st.db().reviews_for(tenant, person.id).await? {
        out.reviews.push((
            v.instruction.to_string(),
            v.id.to_string(),
            format!("{} {}", v.title, v.number),
        ));
    }
    for u in st.db().units_led_by(tenant, person.id).await? {
        out.led_units.push((u.id.to_string(), u.name.clone()));
    }
    Ok(out)
}
