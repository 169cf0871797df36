//! Named groups: the list, creating a group, adding and removing members.

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
    instructions::fmt_time,
    page::{Page, render},
};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/groups", get(list_page).post(create))
        .route("/groups/{id}", get(group_page))
        .route("/groups/{id}/members", post(add_member))
        .route("/groups/{id}/members/remove", post(remove_member))
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
    let mut r = render(&GroupPage {
        page: user.page("group-title", "/groups"),
        id: g.id.to_string(),
        name: g.name,
        description: g.description,
        members,
        can_manage: user.may(Action::ManageGroups),
        error: error.clone(),
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
