//! Named groups: the list, creating a group, adding and removing members, deleting a group.
//!
//! Deleting refuses (rather than archives) a group that an instruction's audience names: groups
//! have no archived state that audiences or reports could honour, and a deleted group inside an
//! audience would silently shrink it. The page names those instructions, and their audience has to
//! change first. A group's prerequisites only say what its own members must have, so they go with
//! the group — the page says how many before the confirmation, and the audit entry lists them.

use askama::Template;
use axum::{
    Router,
    extract::State,
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};
use serde::Deserialize;

use vakt_core::authz::Action;
use vakt_core::instructions::GroupId;
use vakt_store::NewGroup;

use super::parse_id;
use crate::{
    AppError, AppState,
    extract::{ClientIp, CurrentUser, VForm, VPath},
    i18n::{Lang, t},
    instructions::fmt_time,
    page::{Page, render},
};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/groups", get(list_page).post(create))
        .route("/groups/{id}", get(group_page))
        .route("/groups/{id}/members", post(add_member))
        .route("/groups/{id}/members/remove", post(remove_member))
        .route("/groups/{id}/delete", post(delete))
}

pub fn route_table() -> Vec<crate::routes::RouteInfo> {
    use crate::routes::{Access::Requires, RouteInfo};
    vec![
        RouteInfo::new("GET", "/groups", Requires(Action::ViewGroups)),
        RouteInfo::new("POST", "/groups", Requires(Action::ManageGroups)),
        RouteInfo::new("GET", "/groups/{id}", Requires(Action::ViewGroups)),
        RouteInfo::new(
            "POST",
            "/groups/{id}/members",
            Requires(Action::ManageGroups),
        ),
        RouteInfo::new(
            "POST",
            "/groups/{id}/members/remove",
            Requires(Action::ManageGroups),
        ),
        RouteInfo::new(
            "POST",
            "/groups/{id}/delete",
            Requires(Action::ManageGroups),
        ),
    ]
}

struct GroupRow {
    id: String,
    name: String,
    description: String,
    members: i64,
}

#[derive(Template)]
#[template(path = "instructions/groups.html")]
struct ListPage {
    page: Page,
    groups: Vec<GroupRow>,
    can_manage: bool,
    error: Option<String>,
}

async fn list_response(
    st: &AppState,
    user: &CurrentUser,
    error: Option<String>,
) -> Result<Response, AppError> {
    let groups = st
        .db()
        .groups(user.tenant_id())
        .await?
        .into_iter()
        .map(|g| GroupRow {
            id: g.id.to_string(),
            name: g.name,
            description: g.description,
            members: g.members,
        })
        .collect();
    let mut r = render(&ListPage {
        page: user.page("group-title", "/groups"),
        groups,
        can_manage: user.may(Action::ManageGroups),
        error: error.clone(),
    })?;
    if error.is_some() {
        *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

async fn list_page(user: CurrentUser, State(st): State<AppState>) -> Result<Response, AppError> {
    user.authorize_tenant(Action::ViewGroups)?;
    list_response(&st, &user, None).await
}

#[derive(Debug, Default, Deserialize)]
pub struct GroupForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub description: String,
}

async fn create(
    user: CurrentUser,
    State(st): State<AppState>,
    ClientIp(ip): ClientIp,
    VForm(f): VForm<GroupForm>,
) -> Result<Response, AppError> {
    user.authorize_tenant(Action::ManageGroups)?;
    let r = async {
        let name = crate::extract::text_field(&f.name, "group-field-name", 200, true, user.lang())?;
        let mut tx = st.db().write(&user.audit_ctx(ip.clone())).await?;
        let g = tx
            .create_group(NewGroup {
                name,
                description: f.description.clone(),
            })
            .await?;
        tx.commit().await?;
        Ok::<_, AppError>(g)
    }
    .await;
    match r {
        Ok(g) => Ok(Redirect::to(&format!("/groups/{}", g.id)).into_response()),
        Err(e) if e.status.is_client_error() && e.status != axum::http::StatusCode::FORBIDDEN => {
            let m = e.message(user.lang());
            list_response(&st, &user, Some(m)).await
        }
        Err(e) => Err(e),
    }
}

struct MemberRow {
    id: String,
    name: String,
    number: String,
    added: String,
}

#[derive(Template)]
#[template(path = "instructions/group.html")]
struct GroupPage {
    page: Page,
    id: String,
    name: String,
    description: String,
    members: Vec<MemberRow>,
    can_manage: bool,
    error: Option<String>,
    /// Instructions whose audience names the group (id, title): while any, no delete form.
    used_by: Vec<(String, String)>,
    /// What deleting removes, in the user's language (members, and prerequisites if any).
    delete_warning: Vec<String>,
}

async fn group_response(
    st: &AppState,
    user: &CurrentUser,
    id: &str,
    error: Option<String>,
) -> Result<Response, AppError> {
    let gid: GroupId = parse_id(id)?;
    let tenant = user.tenant_id();
    let g = st
        .db()
        .group(tenant, gid)
        .await?
        .ok_or_else(AppError::not_found)?;
    let times = user.local_time();
    let members = st
        .db()
        .group_members(tenant, gid)
        .await?
        .into_iter()
        .map(|m| MemberRow {
            id: m.person.to_string(),
            name: format!("{} {}", m.given_name, m.family_name),
            number: m.employee_number,
            added: fmt_time(&times, m.added_at),
        })
        .collect();
    let can_manage = user.may(Action::ManageGroups);
    let (used_by, delete_warning) = if can_manage {
        let usage = st
            .db()
            .group_usage(tenant, gid)
            .await?
            .ok_or_else(AppError::not_found)?;
        let mut warning = vec![t(
            user.lang(),
            "group-delete-warning",
            &[("members", g.members.into())],
        )];
        if usage.prerequisites > 0 {
            warning.push(t(
                user.lang(),
                "group-delete-prerequisites",
                &[("count", usage.prerequisites.into())],
            ));
        }
        let used_by = usage
            .audience_of
            .into_iter()
            .map(|(i, title)| (i.to_string(), title))
            .collect();
        (used_by, warning)
    } else {
        (Vec::new(), Vec::new())
    };
    let mut r = render(&GroupPage {
        page: user.page("group-title", "/groups"),
        id: g.id.to_string(),
        name: g.name,
        description: g.description,
        members,
        can_manage,
        error: error.clone(),
        used_by,
        delete_warning,
    })?;
    if error.is_some() {
        *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

async fn group_page(
    user: CurrentUser,
    State(st): State<AppState>,
    VPath(id): VPath<String>,
) -> Result<Response, AppError> {
    user.authorize_tenant(Action::ViewGroups)?;
    group_response(&st, &user, &id, None).await
}

#[derive(Debug, Default, Deserialize)]
pub struct MemberForm {
    /// Employee number (add) or person id (remove).
    #[serde(default)]
    pub person: String,
}

async fn add_member(
    user: CurrentUser,
    State(st): State<AppState>,
    ClientIp(ip): ClientIp,
    VPath(id): VPath<String>,
    VForm(f): VForm<MemberForm>,
) -> Result<Response, AppError> {
    user.authorize_tenant(Action::ManageGroups)?;
    let gid: GroupId = parse_id(&id)?;
    let r = async {
        let p = super::person_by_number(&st, &user, &f.person, "group-field-person").await?;
        let mut tx = st.db().write(&user.audit_ctx(ip.clone())).await?;
        if tx.add_group_member(gid, p).await? {
            tx.commit().await?;
        }
        Ok::<_, AppError>(())
    }
    .await;
    match r {
        Ok(()) => Ok(Redirect::to(&format!("/groups/{gid}")).into_response()),
        Err(e) if e.status == axum::http::StatusCode::UNPROCESSABLE_ENTITY => {
            let m = e.message(user.lang());
            group_response(&st, &user, &id, Some(m)).await
        }
        Err(e) => Err(e),
    }
}

async fn remove_member(
    user: CurrentUser,
    State(st): State<AppState>,
    ClientIp(ip): ClientIp,
    VPath(id): VPath<String>,
    VForm(f): VForm<MemberForm>,
) -> Result<Response, AppError> {
    user.authorize_tenant(Action::ManageGroups)?;
    let gid: GroupId = parse_id(&id)?;
    st.db()
        .group(user.tenant_id(), gid)
        .await?
        .ok_or_else(AppError::not_found)?;
    let person = parse_id(&f.person).map_err(|_| AppError::invalid("group-err-person"))?;
    let mut tx = st.db().write(&user.audit_ctx(ip)).await?;
    if tx.remove_group_member(gid, person).await? {
        tx.commit().await?;
    }
    Ok(Redirect::to(&format!("/groups/{gid}")).into_response())
}

#[derive(Debug, Default, Deserialize)]
pub struct DeleteForm {
    /// The confirmation checkbox; without it nothing is deleted.
    #[serde(default)]
    pub confirm: Option<String>,
}

/// The titles of the instructions whose audience names a group, for the refusal to delete it.
pub(super) fn titles(audience_of: &[(vakt_core::instructions::InstructionId, String)]) -> String {
    let titles: Vec<&str> = audience_of.iter().map(|(_, t)| t.as_str()).collect();
    titles.join(", ")
}

/// The refusal naming the instructions whose audience is the group.
fn in_use_message(
    lang: Lang,
    audience_of: &[(vakt_core::instructions::InstructionId, String)],
) -> String {
    t(
        lang,
        "group-err-in-use",
        &[("instructions", titles(audience_of).into())],
    )
}

/// `POST /groups/{id}/delete`: deletes the group with its memberships and prerequisites (one
/// transaction, audited as `group.delete`), back to the list. Refused, on the group page, while an
/// instruction's audience names the group (see the module comment), or without the confirmation.
async fn delete(
    user: CurrentUser,
    State(st): State<AppState>,
    ClientIp(ip): ClientIp,
    VPath(id): VPath<String>,
    VForm(f): VForm<DeleteForm>,
) -> Result<Response, AppError> {
    user.authorize_tenant(Action::ManageGroups)?;
    let gid: GroupId = parse_id(&id)?;
    let tenant = user.tenant_id();
    // Another tenant's group, or none: 404 before anything else is said about it.
    let usage = st
        .db()
        .group_usage(tenant, gid)
        .await?
        .ok_or_else(AppError::not_found)?;
    if !usage.audience_of.is_empty() {
        let m = in_use_message(user.lang(), &usage.audience_of);
        return group_response(&st, &user, &id, Some(m)).await;
    }
    if f.confirm.is_none() {
        let m = t(user.lang(), "group-err-confirm", &[]);
        return group_response(&st, &user, &id, Some(m)).await;
    }
    // An audience may have come to name the group since the check above: say which, as above.
    if let Err(audience_of) = delete_unused(&st, user.audit_ctx(ip), gid).await? {
        let m = in_use_message(user.lang(), &audience_of);
        return group_response(&st, &user, &id, Some(m)).await;
    }
    Ok(Redirect::to("/groups").into_response())
}

/// Deletes a group (one transaction, committed), or — while an instruction's audience names it —
/// returns those instructions and changes nothing.
pub(super) async fn delete_unused(
    st: &AppState,
    ctx: vakt_store::AuditCtx,
    gid: GroupId,
) -> Result<Result<(), Vec<(vakt_core::instructions::InstructionId, String)>>, AppError> {
    let tenant = ctx.tenant;
    let mut tx = st.db().write(&ctx).await?;
    match tx.delete_group(gid).await {
        Ok(()) => {}
        Err(vakt_store::StoreError::Invalid("group.in_use")) => {
            drop(tx);
            let usage = st
                .db()
                .group_usage(tenant, gid)
                .await?
                .ok_or_else(AppError::not_found)?;
            return Ok(Err(usage.audience_of));
        }
        Err(e) => return Err(e.into()),
    }
    tx.commit().await?;
    Ok(Ok(()))
}
