//! Org units and people: the unit tree, unit pages, the people list with live search and paging, person
//! pages, editing people and units (re-parenting with cycle checks) and unlocking accounts.

pub mod import;

use std::collections::HashMap;

use askama::Template;
use axum::{
    Router,
    extract::State,
    http::HeaderMap,
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};
use serde::Deserialize;
use uuid::Uuid;

use vakt_core::authz::{Action, Resource};
use vakt_core::directory::{
    EmploymentState, OrgUnit, Person, PersonId, PersonKind, TenantId, UnitId, check_reparent,
    path_to_root,
};

use vakt_store::{NewPerson, NewUnit, PeopleQuery, StoreError};

use vakt_core::authz::{Principal, authorize};

use crate::{
    AppError, AppState,
    api::dto::iso_date,
    extract::{ClientIp, CurrentUser, VForm, VPath, VQuery},
    i18n::Lang,
    page::{Page, render},
};

/// People per page in the HTML list.
pub const PAGE_SIZE: u64 = 50;
/// Longest accepted search string (characters).
pub const MAX_QUERY_CHARS: usize = 200;

/// The directory routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/directory", get(units_page))
        .route("/directory/units/{id}", get(unit_page))
        .route(
            "/directory/units/{id}/edit",
            get(unit_edit_form).post(unit_edit_submit),
        )
        .route("/directory/people", get(people_page))
        .route("/directory/people/{id}", get(person_page))
        .route(
            "/directory/people/{id}/edit",
            get(person_edit_form).post(person_edit_submit),
        )
        .route("/directory/people/{id}/unlock", post(unlock_account))
}

/// This module's routes with their method, path and required access (for the route-by-role test).
pub fn route_table() -> Vec<crate::routes::RouteInfo> {
    use crate::routes::{Access::Requires, RouteInfo};
    vec![
        RouteInfo::new("GET", "/directory", Requires(Action::ViewDirectory)),
        RouteInfo::new(
            "GET",
            "/directory/units/{id}",
            Requires(Action::ViewDirectory),
        ),
        RouteInfo::new(
            "GET",
            "/directory/units/{id}/edit",
            Requires(Action::EditDirectory),
        ),
        RouteInfo::new(
            "POST",
            "/directory/units/{id}/edit",
            Requires(Action::EditDirectory),
        ),
        RouteInfo::new("GET", "/directory/people", Requires(Action::ViewDirectory)),
        RouteInfo::new(
            "GET",
            "/directory/people/{id}",
            Requires(Action::ViewDirectory),
        ),
        RouteInfo::new(
            "GET",
            "/directory/people/{id}/edit",
            Requires(Action::EditDirectory),
        ),
        RouteInfo::new(
            "POST",
            "/directory/people/{id}/edit",
            Requires(Action::EditDirectory),
        ),
        RouteInfo::new(
            "POST",
            "/directory/people/{id}/unlock",
            Requires(Action::UnlockAccount),
        ),
    ]
}

// ---------------------------------------------------------------------------------------------------------
// Helpers

/// Whether `principal` may do `action` on `resource` (for showing links and buttons; the handler that
/// performs the action checks again with `authorize`).
pub fn may(principal: &Principal, action: Action, resource: &Resource) -> bool {
    authorize(principal, action, resource).is_ok()
}

/// Parses a date as typed in a form: `YYYY-MM-DD` (what `<input type=date>` sends) or `DD.MM.YYYY`.
pub fn parse_date(s: &str) -> Option<time::Date> {
    let iso = time::macros::format_description!("[year]-[month]-[day]");
    let nordic = time::macros::format_description!("[day].[month].[year]");
    time::Date::parse(s, &iso)
        .or_else(|_| time::Date::parse(s, &nordic))
        .ok()
}

/// `?notice=` after a redirect: only known notices are shown (never text from the URL).
#[derive(Debug, Default, Deserialize)]
pub struct NoticeParam {
    #[serde(default)]
    pub notice: Option<String>,
}

/// The translated text of a known notice code.
pub fn notice_text(lang: Lang, code: Option<&str>) -> Option<String> {
    let key = match code? {
        "saved" => "dir-saved",
        "unlocked" => "dir-person-unlocked",
        "settings-saved" => "settings-saved",
        _ => return None,
    };
    Some(crate::i18n::t(lang, key, &[]))
}

/// A store error as the user sees it: rule violations are 4xx with a message, the rest is internal.
pub fn store_error(e: StoreError) -> AppError {
    match &e {
        StoreError::NotFound => AppError::not_found(),
        StoreError::Tree(t) => match t {
            vakt_core::directory::TreeError::SelfParent
            | vakt_core::directory::TreeError::Cycle(_) => {
                AppError::invalid("dir-err-parent-cycle")
            }
            _ => AppError::invalid("dir-err-unknown-unit"),
        },
        StoreError::Conflict(code) if code.contains("employee_number") => {
            AppError::conflict("dir-err-duplicate")
        }
        StoreError::Conflict(_) => {
            AppError::conflict("dir-err-invalid").with_arg("field", e.code())
        }
        StoreError::Invalid(code) if code.contains("end_before_start") => {
            AppError::invalid("dir-err-dates")
        }
        StoreError::Invalid(_) => AppError::invalid("dir-err-invalid").with_arg("field", e.code()),
        _ => AppError::internal(e.to_string()),
    }
}

/// The editable fields of a person, as the store takes them.
pub fn new_person(p: &Person) -> NewPerson {
    NewPerson {
        employee_number: p.employee_number.clone(),
        given_name: p.given_name.clone(),
        family_name: p.family_name.clone(),
        email: p.email.clone(),
        kind: p.kind,
        unit: p.unit,
        manager: p.manager,
        employment: p.employment,
        birth_date: p.birth_date,
        preferred_language: p.preferred_language,
    }
}

fn parse_id<T: From<Uuid>>(raw: &str) -> Result<T, AppError> {
    Uuid::parse_str(raw)
        .map(T::from)
        .map_err(|_| AppError::not_found())
}

/// The path from the root down to `unit` (what `Resource::in_unit` wants).
pub fn unit_path(units: &[OrgUnit], unit: Option<UnitId>) -> Vec<UnitId> {
    match unit {
        Some(u) => {
            let mut p: Vec<UnitId> = path_to_root(units, u);
            p.reverse();
            p
        }
        None => Vec::new(),
    }
}

fn state_key(s: EmploymentState) -> &'static str {
    match s {
        EmploymentState::Active => "dir-state-active",
        EmploymentState::OnLeave => "dir-state-on-leave",
        EmploymentState::Terminated => "dir-state-terminated",
    }
}

fn kind_key(k: PersonKind) -> &'static str {
    match k {
        PersonKind::Employee => "dir-kind-employee",
        PersonKind::Consultant => "dir-kind-consultant",
        PersonKind::ElectedOfficial => "dir-kind-elected",
        PersonKind::External => "dir-kind-external",
    }
}

const KINDS: [(&str, &str); 4] = [
    ("employee", "dir-kind-employee"),
    ("consultant", "dir-kind-consultant"),
    ("elected_official", "dir-kind-elected"),
    ("external", "dir-kind-external"),
];
const STATES: [(&str, &str); 3] = [
    ("active", "dir-state-active"),
    ("on_leave", "dir-state-on-leave"),
    ("terminated", "dir-state-terminated"),
];

/// Units as `(id, "Parent › Child")` options, sorted by that label.
fn unit_options(units: &[OrgUnit]) -> Vec<(String, String)> {
    let by_id: HashMap<UnitId, &OrgUnit> = units.iter().map(|u| (u.id, u)).collect();
    let mut out: Vec<(String, String)> = units
        .iter()
        .map(|u| {
            let mut names: Vec<&str> = path_to_root(units, u.id)
                .iter()
                .filter_map(|id| by_id.get(id).map(|x| x.name.as_str()))
                .collect();
            names.reverse();
            (u.id.to_string(), names.join(" › "))
        })
        .collect();
    out.sort_by_key(|a| a.1.to_lowercase());
    out
}

fn is_htmx(headers: &HeaderMap) -> bool {
    headers
        .get("hx-request")
        .is_some_and(|v| v.as_bytes() == b"true")
}

fn too_long(s: &str, max: usize) -> bool {
    s.chars().count() > max
}

// ---------------------------------------------------------------------------------------------------------
// Unit tree

/// One row of the unit tree in depth-first order, with what the template must open and close after it.
pub struct TreeRow {
    pub id: String,
    pub name: String,
    pub code: String,
    pub opens_children: bool,
    pub closes: usize,
}

/// Flattens the forest into depth-first rows for nested `<ul>`s (children sorted by name).
pub fn tree_rows(units: &[OrgUnit]) -> Vec<TreeRow> {
    let mut kids: HashMap<Option<UnitId>, Vec<&OrgUnit>> = HashMap::new();
    let ids: std::collections::HashSet<UnitId> = units.iter().map(|u| u.id).collect();
    for u in units {
        // A parent outside the set (should not happen) makes the unit a root rather than hiding it.
        let parent = u.parent.filter(|p| ids.contains(p));
        kids.entry(parent).or_default().push(u);
    }
    for list in kids.values_mut() {
        list.sort_by_key(|a| a.name.to_lowercase());
    }
    let mut order: Vec<(&OrgUnit, usize)> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut stack: Vec<(&OrgUnit, usize)> = kids
        .get(&None)
        .map(|v| v.iter().rev().map(|u| (*u, 0)).collect())
        .unwrap_or_default();
    while let Some((u, depth)) = stack.pop() {
        if !seen.insert(u.id) {
            continue;
        }
        order.push((u, depth));
        if let Some(children) = kids.get(&Some(u.id)) {
            for c in children.iter().rev() {
                stack.push((c, depth + 1));
            }
        }
    }
    let mut rows = Vec::with_capacity(order.len());
    for (i, (u, depth)) in order.iter().enumerate() {
        let next_depth = order.get(i + 1).map_or(0, |(_, d)| *d);
        let opens_children = next_depth > *depth;
        rows.push(TreeRow {
            id: u.id.to_string(),
            name: u.name.clone(),
            code: u.code.clone(),
            opens_children,
            closes: if opens_children {
                0
            } else {
                depth.saturating_sub(next_depth)
            },
        });
    }
    rows
}

#[derive(Template)]
#[template(path = "directory/units.html")]
struct UnitsPage {
    page: Page,
    rows: Vec<TreeRow>,
}

async fn units_page(user: CurrentUser, State(st): State<AppState>) -> Result<Response, AppError> {
    let tenant = user.tenant_id();
    user.authorize(Action::ViewDirectory, &Resource::tenant(tenant))?;
    let units = st.db().units(tenant).await.map_err(store_error)?;
    let page = user.page("dir-units-title", "/directory");
    render(&UnitsPage {
        page,
        rows: tree_rows(&units),
    })
}

// ---------------------------------------------------------------------------------------------------------
// People search

/// Query string of the people list. `page` is the page number shown; `after`/`before` are keyset
/// cursors (a person id from the neighbouring page) that the paging links carry, so that deep pages
/// cost the same as the first; without a cursor the page number is turned into an offset.
#[derive(Debug, Default, Deserialize)]
pub struct PeopleParams {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub unit: String,
    #[serde(default)]
    pub page: Option<u64>,
    #[serde(default)]
    pub after: String,
    #[serde(default)]
    pub before: String,
    #[serde(default)]
    pub notice: Option<String>,
}

/// Where a people list starts: a page number, or a keyset cursor with the page number it leads to.
#[derive(Debug, Clone, Copy)]
pub struct PageAt {
    pub page: u64,
    pub after: Option<PersonId>,
    pub before: Option<PersonId>,
}

impl PeopleParams {
    /// The requested page; a malformed cursor is a validation error.
    pub fn page_at(&self) -> Result<PageAt, AppError> {
        let cursor = |raw: &str| -> Result<Option<PersonId>, AppError> {
            if raw.is_empty() {
                return Ok(None);
            }
            Uuid::parse_str(raw)
                .map(|u| Some(PersonId(u)))
                .map_err(|_| AppError::invalid("dir-err-invalid").with_arg("field", "after/before"))
        };
        let at = PageAt {
            page: self.page.unwrap_or(1).max(1),
            after: cursor(&self.after)?,
            before: cursor(&self.before)?,
        };
        if at.after.is_some() && at.before.is_some() {
            return Err(AppError::invalid("dir-err-invalid").with_arg("field", "after/before"));
        }
        Ok(at)
    }
}

/// One person in a result table.
pub struct PersonRowView {
    pub id: String,
    pub name: String,
    pub employee_number: String,
    pub email: String,
    pub unit: String,
    pub state_key: &'static str,
}

/// A page of results with paging links.
pub struct Results {
    /// The exact number of matches when all fit on the pages seen so far.
    pub total: Option<u64>,
    pub page: u64,
    pub rows: Vec<PersonRowView>,
    pub prev_href: Option<String>,
    pub next_href: Option<String>,
}

fn people_href(
    base: &str,
    q: &str,
    unit: &str,
    page: u64,
    cursor: Option<(&str, PersonId)>,
) -> String {
    let mut href = format!("{base}?page={page}");
    if !q.is_empty() {
        href.push_str("&q=");
        href.push_str(&urlencoding::encode(q));
    }
    if !unit.is_empty() {
        href.push_str("&unit=");
        href.push_str(&urlencoding::encode(unit));
    }
    if let Some((name, id)) = cursor {
        href.push_str(&format!("&{name}={id}"));
    }
    href
}

#[allow(clippy::too_many_arguments)]
async fn search(
    st: &AppState,
    tenant: TenantId,
    units: &[OrgUnit],
    q: &str,
    unit: Option<UnitId>,
    at: PageAt,
    base: &str,
    unit_param: &str,
) -> Result<Results, AppError> {
    let keyset = at.after.is_some() || at.before.is_some();
    let query = PeopleQuery {
        text: (!q.is_empty()).then(|| q.to_owned()),
        unit,
        state: None,
        limit: PAGE_SIZE as u32,
        offset: if keyset {
            0
        } else {
            (at.page - 1).saturating_mul(PAGE_SIZE)
        },
        after: at.after,
        before: at.before,
    };
    let found = st
        .db()
        .search_people(tenant, &query)
        .await
        .map_err(store_error)?;
    // A backwards page knows there is a next page (the cursor's); a forward page that there is a
    // previous one. Reaching the start going backwards means page 1, whatever the link said.
    let (has_prev, has_next) = match (at.after, at.before) {
        (_, Some(_)) => (found.has_more, true),
        (Some(_), None) => (true, found.has_more),
        (None, None) => (at.page > 1, found.has_more),
    };
    let page = if has_prev { at.page.max(2) } else { 1 };
    let names: HashMap<UnitId, &str> = units.iter().map(|u| (u.id, u.name.as_str())).collect();
    let total = (!has_next).then(|| (page - 1) * PAGE_SIZE + found.items.len() as u64);
    let first = found.items.first().map(|p| p.id);
    let last = found.items.last().map(|p| p.id);
    let rows = found
        .items
        .iter()
        .map(|p| PersonRowView {
            id: p.id.to_string(),
            name: p.display_name(),
            employee_number: p.employee_number.clone(),
            email: p.email.clone().unwrap_or_default(),
            unit: p
                .unit
                .and_then(|u| names.get(&u).map(|s| (*s).to_owned()))
                .unwrap_or_default(),
            state_key: state_key(p.employment.state),
        })
        .collect();
    let prev_href = match (has_prev, first) {
        // The first page is cheap by offset and has a stable address.
        (true, _) if page == 2 => Some(people_href(base, q, unit_param, 1, None)),
        (true, Some(id)) => Some(people_href(
            base,
            q,
            unit_param,
            page - 1,
            Some(("before", id)),
        )),
        (true, None) => Some(people_href(base, q, unit_param, page - 1, None)),
        (false, _) => None,
    };
    let next_href = match (has_next, last) {
        (true, Some(id)) => Some(people_href(
            base,
            q,
            unit_param,
            page + 1,
            Some(("after", id)),
        )),
        _ => None,
    };
    Ok(Results {
        total,
        page,
        rows,
        prev_href,
        next_href,
    })
}

#[derive(Template)]
#[template(path = "directory/people.html")]
struct PeoplePage {
    page: Page,
    q: String,
    unit_filter: String,
    unit_options: Vec<(String, String)>,
    results: Results,
}

#[derive(Template)]
#[template(path = "directory/people_results.html")]
struct PeopleResults {
    page: Page,
    results: Results,
}

async fn people_page(
    user: CurrentUser,
    State(st): State<AppState>,
    headers: HeaderMap,
    VQuery(params): VQuery<PeopleParams>,
) -> Result<Response, AppError> {
    let tenant = user.tenant_id();
    user.authorize(Action::ViewDirectory, &Resource::tenant(tenant))?;
    if too_long(&params.q, MAX_QUERY_CHARS) {
        return Err(AppError::invalid("dir-err-too-long")
            .with_arg(
                "field",
                crate::i18n::t(user.lang(), "dir-search-label", &[]),
            )
            .with_arg("max", MAX_QUERY_CHARS));
    }
    let q = params.q.trim().to_owned();
    let units = st.db().units(tenant).await.map_err(store_error)?;
    let unit = if params.unit.is_empty() {
        None
    } else {
        let id: UnitId =
            parse_id(&params.unit).map_err(|_| AppError::invalid("dir-err-unknown-unit"))?;
        if !units.iter().any(|u| u.id == id) {
            return Err(AppError::invalid("dir-err-unknown-unit"));
        }
        Some(id)
    };
    let results = search(
        &st,
        tenant,
        &units,
        &q,
        unit,
        params.page_at()?,
        "/directory/people",
        &params.unit,
    )
    .await?;
    let page = user.page("dir-people-title", "/directory/people");
    if is_htmx(&headers) {
        return render(&PeopleResults { page, results });
    }
    render(&PeoplePage {
        page,
        q,
        unit_filter: unit.map(|u| u.to_string()).unwrap_or_default(),
        unit_options: unit_options(&units),
        results,
    })
}

// ---------------------------------------------------------------------------------------------------------
// Unit page

#[derive(Template)]
#[template(path = "directory/unit.html")]
struct UnitPage {
    page: Page,
    unit: UnitView,
    ancestors: Vec<(String, String)>,
    leader: Option<(String, String)>,
    children: Vec<(String, String)>,
    can_edit: bool,
    results: Results,
}

struct UnitView {
    id: String,
    name: String,
}

async fn unit_page(
    user: CurrentUser,
    State(st): State<AppState>,
    VPath(id): VPath<String>,
    VQuery(params): VQuery<PeopleParams>,
) -> Result<Response, AppError> {
    let tenant = user.tenant_id();
    let id: UnitId = parse_id(&id)?;
    let units = st.db().units(tenant).await.map_err(store_error)?;
    let Some(unit) = units.iter().find(|u| u.id == id) else {
        return Err(AppError::not_found());
    };
    let resource = Resource::in_unit(tenant, unit_path(&units, Some(id)));
    user.authorize(Action::ViewDirectory, &resource)?;
    let can_edit = may(user.principal(), Action::EditDirectory, &resource);
    let by_id: HashMap<UnitId, &OrgUnit> = units.iter().map(|u| (u.id, u)).collect();
    let mut ancestors: Vec<(String, String)> = path_to_root(&units, id)
        .into_iter()
        .skip(1)
        .filter_map(|a| by_id.get(&a).map(|u| (u.id.to_string(), u.name.clone())))
        .collect();
    ancestors.reverse();
    let mut children: Vec<(String, String)> = units
        .iter()
        .filter(|u| u.parent == Some(id))
        .map(|u| (u.id.to_string(), u.name.clone()))
        .collect();
    children.sort_by_key(|a| a.1.to_lowercase());
    let leader = match unit.leader {
        Some(l) => st
            .db()
            .person(tenant, l)
            .await
            .map_err(store_error)?
            .map(|p| (p.id.to_string(), p.display_name())),
        None => None,
    };
    let base = format!("/directory/units/{id}");
    let results = search(
        &st,
        tenant,
        &units,
        "",
        Some(id),
        params.page_at()?,
        &base,
        "",
    )
    .await?;
    let mut page = user.page("dir-units-title", &base);
    page.title = unit.name.clone();
    page.notice = notice_text(user.lang(), params.notice.as_deref());
    render(&UnitPage {
        page,
        unit: UnitView {
            id: id.to_string(),
            name: unit.name.clone(),
        },
        ancestors,
        leader,
        children,
        can_edit,
        results,
    })
}

// ---------------------------------------------------------------------------------------------------------
// Person page

struct PersonView {
    id: String,
    name: String,
    employee_number: String,
    email: String,
    kind_key: &'static str,
    unit: Option<(String, String)>,
    manager: Option<(String, String)>,
    state_key: &'static str,
    start: String,
    end: String,
}

struct AccountView {
    username: String,
    disabled: bool,
    locked_until: Option<String>,
}

#[derive(Template)]
#[template(path = "directory/person.html")]
struct PersonPage {
    page: Page,
    person: PersonView,
    account: Option<AccountView>,
    can_edit: bool,
    can_unlock: bool,
}

/// Loads a person of the caller's tenant with the units (for the authorization resource).
async fn load_person(
    st: &AppState,
    user: &CurrentUser,
    id: &str,
) -> Result<(Person, Vec<OrgUnit>, Resource), AppError> {
    let tenant = user.tenant_id();
    let id: PersonId = parse_id(id)?;
    let Some(person) = st.db().person(tenant, id).await.map_err(store_error)? else {
        return Err(AppError::not_found());
    };
    let units = st.db().units(tenant).await.map_err(store_error)?;
    let resource = Resource::in_unit(tenant, unit_path(&units, person.unit));
    Ok((person, units, resource))
}

async fn person_page(
    user: CurrentUser,
    State(st): State<AppState>,
    VPath(id): VPath<String>,
    VQuery(notice): VQuery<NoticeParam>,
) -> Result<Response, AppError> {
    let (person, units, resource) = load_person(&st, &user, &id).await?;
    user.authorize(Action::ViewDirectory, &resource)?;
    let details = may(user.principal(), Action::ViewPersonDetails, &resource);
    let can_edit = may(user.principal(), Action::EditDirectory, &resource);
    let can_unlock = may(user.principal(), Action::UnlockAccount, &resource);
    let tenant = user.tenant_id();
    let manager = match person.manager {
        Some(m) => st
            .db()
            .person(tenant, m)
            .await
            .map_err(store_error)?
            .map(|p| (p.id.to_string(), p.display_name())),
        None => None,
    };
    let unit = person
        .unit
        .and_then(|u| units.iter().find(|x| x.id == u))
        .map(|u| (u.id.to_string(), u.name.clone()));
    let times = user.local_time();
    let account = if may(user.principal(), Action::ViewAccounts, &resource) {
        st.db()
            .accounts_of_person(tenant, person.id)
            .await
            .map_err(store_error)?
            .first()
            .map(|a| AccountView {
                username: a.username.clone(),
                disabled: a.disabled,
                locked_until: a
                    .locked_until
                    .filter(|t| *t > st.db().now())
                    .map(|t| times.minute(t)),
            })
    } else {
        None
    };
    let view = PersonView {
        id: person.id.to_string(),
        name: person.display_name(),
        employee_number: if details {
            person.employee_number.clone()
        } else {
            String::new()
        },
        email: person.email.clone().unwrap_or_default(),
        kind_key: kind_key(person.kind),
        unit,
        manager,
        state_key: state_key(person.employment.state),
        start: if details {
            person.employment.start.map(iso_date).unwrap_or_default()
        } else {
            String::new()
        },
        end: if details {
            person.employment.end.map(iso_date).unwrap_or_default()
        } else {
            String::new()
        },
    };
    let mut page = user.page(
        "dir-people-title",
        &format!("/directory/people/{}", person.id),
    );
    page.title = view.name.clone();
    page.notice = notice_text(user.lang(), notice.notice.as_deref());
    render(&PersonPage {
        page,
        person: view,
        account,
        can_edit,
        can_unlock,
    })
}

async fn unlock_account(
    user: CurrentUser,
    State(st): State<AppState>,
    ClientIp(ip): ClientIp,
    VPath(id): VPath<String>,
) -> Result<Response, AppError> {
    let (person, _units, resource) = load_person(&st, &user, &id).await?;
    user.authorize(Action::UnlockAccount, &resource)?;
    let tenant = user.tenant_id();
    let accounts = st
        .db()
        .accounts_of_person(tenant, person.id)
        .await
        .map_err(store_error)?;
    if accounts.is_empty() {
        return Err(AppError::not_found());
    }
    let mut tx = st
        .db()
        .write(&user.audit_ctx(ip))
        .await
        .map_err(store_error)?;
    for account in &accounts {
        tx.unlock_account(account.id).await.map_err(store_error)?;
    }
    tx.commit().await.map_err(store_error)?;
    Ok(Redirect::to(&format!("/directory/people/{}?notice=unlocked", person.id)).into_response())
}

// ---------------------------------------------------------------------------------------------------------
// Edit person

/// The person form as submitted (strings, so that a bad value is shown back as typed).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct PersonForm {
    #[serde(default)]
    pub given_name: String,
    #[serde(default)]
    pub family_name: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub unit: String,
    /// The manager's employee number.
    #[serde(default)]
    pub manager: String,
    #[serde(default)]
    pub state: String,
    #[serde(default)]
    pub start: String,
    #[serde(default)]
    pub end: String,
}

#[derive(Template)]
#[template(path = "directory/person_edit.html")]
struct PersonEditPage {
    page: Page,
    id: String,
    form: PersonForm,
    errors: Vec<String>,
    kinds: [(&'static str, &'static str); 4],
    states: [(&'static str, &'static str); 3],
    unit_options: Vec<(String, String)>,
}

async fn person_edit_form(
    user: CurrentUser,
    State(st): State<AppState>,
    VPath(id): VPath<String>,
) -> Result<Response, AppError> {
    let (person, units, resource) = load_person(&st, &user, &id).await?;
    user.authorize(Action::EditDirectory, &resource)?;
    let manager_number = match person.manager {
        Some(m) => st
            .db()
            .person(user.tenant_id(), m)
            .await
            .map_err(store_error)?
            .map(|p| p.employee_number),
        None => None,
    };
    let form = PersonForm {
        given_name: person.given_name.clone(),
        family_name: person.family_name.clone(),
        email: person.email.clone().unwrap_or_default(),
        kind: person.kind.as_str().to_owned(),
        unit: person.unit.map(|u| u.to_string()).unwrap_or_default(),
        manager: manager_number.unwrap_or_default(),
        state: person.employment.state.as_str().to_owned(),
        start: person.employment.start.map(iso_date).unwrap_or_default(),
        end: person.employment.end.map(iso_date).unwrap_or_default(),
    };
    let page = user.page(
        "dir-person-edit",
        &format!("/directory/people/{}/edit", person.id),
    );
    render(&PersonEditPage {
        page,
        id: person.id.to_string(),
        form,
        errors: Vec::new(),
        kinds: KINDS,
        states: STATES,
        unit_options: unit_options(&units),
    })
}

/// A validation problem: Fluent key and arguments (rendered in the user's language).
#[derive(Debug, Clone, PartialEq)]
pub struct FieldError {
    pub key: &'static str,
    /// Fluent key of the field label, when the message names the field.
    pub field: Option<&'static str>,
    pub max: Option<usize>,
}

impl FieldError {
    fn new(key: &'static str, field: Option<&'static str>) -> Self {
        FieldError {
            key,
            field,
            max: None,
        }
    }
    fn render(&self, lang: crate::Lang) -> String {
        use crate::i18n::{Arg, t};
        let mut args: Vec<(&str, Arg)> = Vec::new();
        if let Some(f) = self.field {
            args.push(("field", Arg::from(t(lang, f, &[]))));
        }
        if let Some(m) = self.max {
            args.push(("max", Arg::from(m)));
        }
        t(lang, self.key, &args)
    }
}

fn check_text(
    errors: &mut Vec<FieldError>,
    value: &str,
    field: &'static str,
    required: bool,
    max: usize,
) {
    if required && value.trim().is_empty() {
        errors.push(FieldError::new("dir-err-required", Some(field)));
    } else if too_long(value, max) {
        errors.push(FieldError {
            key: "dir-err-too-long",
            field: Some(field),
            max: Some(max),
        });
    } else if value.chars().any(|c| c.is_control()) {
        errors.push(FieldError::new("dir-err-invalid", Some(field)));
    }
}

fn valid_email(s: &str) -> bool {
    let mut parts = s.split('@');
    matches!((parts.next(), parts.next(), parts.next()), (Some(l), Some(d), None)
        if !l.is_empty() && d.contains('.') && !d.starts_with('.') && !d.ends_with('.'))
        && !s
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | ',' | ';'))
}

/// Checks the person form against the tenant's units; returns the updated person or every problem.
pub fn apply_person_form(
    person: &Person,
    form: &PersonForm,
    units: &[OrgUnit],
    manager: Option<Option<PersonId>>,
) -> Result<Person, Vec<FieldError>> {
    let mut errors = Vec::new();
    check_text(
        &mut errors,
        &form.given_name,
        "dir-field-given-name",
        true,
        vakt_core::directory::MAX_FIELD_CHARS,
    );
    check_text(
        &mut errors,
        &form.family_name,
        "dir-field-family-name",
        true,
        vakt_core::directory::MAX_FIELD_CHARS,
    );
    let email = form.email.trim();
    if too_long(email, 254) {
        errors.push(FieldError {
            key: "dir-err-too-long",
            field: Some("dir-col-email"),
            max: Some(254),
        });
    } else if !email.is_empty() && !valid_email(email) {
        errors.push(FieldError::new(
            "dir-err-invalid-email",
            Some("dir-col-email"),
        ));
    }
    let kind = PersonKind::parse(&form.kind);
    if kind.is_none() {
        errors.push(FieldError::new(
            "dir-err-invalid-choice",
            Some("dir-col-kind"),
        ));
    }
    let state = EmploymentState::parse(&form.state);
    if state.is_none() {
        errors.push(FieldError::new(
            "dir-err-invalid-choice",
            Some("dir-col-state"),
        ));
    }
    let unit = if form.unit.trim().is_empty() {
        None
    } else {
        match Uuid::parse_str(form.unit.trim())
            .ok()
            .map(UnitId::from)
            .filter(|u| units.iter().any(|x| x.id == *u))
        {
            Some(u) => Some(u),
            None => {
                errors.push(FieldError::new("dir-err-unknown-unit", None));
                None
            }
        }
    };
    let date = |raw: &str, field: &'static str, errors: &mut Vec<FieldError>| {
        let raw = raw.trim();
        if raw.is_empty() {
            return None;
        }
        let d = if too_long(raw, 32) {
            None
        } else {
            parse_date(raw)
        };
        if d.is_none() {
            errors.push(FieldError::new("dir-err-invalid-date", Some(field)));
        }
        d
    };
    let start = date(&form.start, "dir-person-start", &mut errors);
    let end = date(&form.end, "dir-person-end", &mut errors);
    if let (Some(s), Some(e)) = (start, end)
        && e < s
    {
        errors.push(FieldError::new("dir-err-dates", None));
    }
    let manager = match manager {
        Some(Some(m)) if m == person.id => {
            errors.push(FieldError::new("import-own_manager", None));
            None
        }
        Some(m) => m,
        None => {
            errors.push(FieldError::new("dir-err-unknown-person", None));
            None
        }
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut updated = person.clone();
    updated.given_name = form.given_name.trim().to_owned();
    updated.family_name = form.family_name.trim().to_owned();
    updated.email = (!email.is_empty()).then(|| email.to_owned());
    updated.kind = kind.unwrap_or(person.kind);
    updated.unit = unit;
    updated.manager = manager;
    updated.employment.state = state.unwrap_or(person.employment.state);
    updated.employment.start = start;
    updated.employment.end = end;
    Ok(updated)
}

/// A person chosen in a form by employee number (a manager or a unit leader):
/// `Some(None)` = none chosen, `Some(Some(id))` = found, `None` = no such person (or an impossible value).
async fn person_by_number(
    st: &AppState,
    tenant: TenantId,
    number: &str,
) -> Result<Option<Option<PersonId>>, AppError> {
    let number = number.trim();
    if number.is_empty() {
        return Ok(Some(None));
    }
    if too_long(number, 64) || number.chars().any(char::is_control) {
        return Ok(None);
    }
    Ok(st
        .db()
        .person_by_employee_number(tenant, number)
        .await
        .map_err(store_error)?
        .map(|p| Some(p.id)))
}

async fn person_edit_submit(
    user: CurrentUser,
    State(st): State<AppState>,
    ClientIp(ip): ClientIp,
    VPath(id): VPath<String>,
    VForm(form): VForm<PersonForm>,
) -> Result<Response, AppError> {
    let (person, units, resource) = load_person(&st, &user, &id).await?;
    user.authorize(Action::EditDirectory, &resource)?;
    let tenant = user.tenant_id();
    let manager = person_by_number(&st, tenant, &form.manager).await?;
    // The new unit must itself be one the editor may edit in.
    match apply_person_form(&person, &form, &units, manager) {
        Ok(updated) => {
            let target = Resource::in_unit(tenant, unit_path(&units, updated.unit));
            user.authorize(Action::EditDirectory, &target)?;
            let mut tx = st
                .db()
                .write(&user.audit_ctx(ip))
                .await
                .map_err(store_error)?;
            tx.update_person(updated.id, new_person(&updated))
                .await
                .map_err(store_error)?;
            tx.commit().await.map_err(store_error)?;
            Ok(
                Redirect::to(&format!("/directory/people/{}?notice=saved", person.id))
                    .into_response(),
            )
        }
        Err(errors) => {
            let lang = user.lang();
            let page = user.page(
                "dir-person-edit",
                &format!("/directory/people/{}/edit", person.id),
            );
            let body = PersonEditPage {
                page,
                id: person.id.to_string(),
                form,
                errors: errors.iter().map(|e| e.render(lang)).collect(),
                kinds: KINDS,
                states: STATES,
                unit_options: unit_options(&units),
            };
            let mut resp = render(&body)?;
            *resp.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            Ok(resp)
        }
    }
}

// ---------------------------------------------------------------------------------------------------------
// Edit unit

/// The unit form as submitted.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct UnitForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub parent: String,
    /// The leader's employee number.
    #[serde(default)]
    pub leader: String,
}

#[derive(Template)]
#[template(path = "directory/unit_edit.html")]
struct UnitEditPage {
    page: Page,
    id: String,
    form: UnitForm,
    errors: Vec<String>,
    unit_options: Vec<(String, String)>,
}

async fn load_unit(
    st: &AppState,
    user: &CurrentUser,
    id: &str,
) -> Result<(OrgUnit, Vec<OrgUnit>, Resource), AppError> {
    let tenant = user.tenant_id();
    let id: UnitId = parse_id(id)?;
    let units = st.db().units(tenant).await.map_err(store_error)?;
    let Some(unit) = units.iter().find(|u| u.id == id).cloned() else {
        return Err(AppError::not_found());
    };
    let resource = Resource::in_unit(tenant, unit_path(&units, Some(id)));
    Ok((unit, units, resource))
}

async fn unit_edit_form(
    user: CurrentUser,
    State(st): State<AppState>,
    VPath(id): VPath<String>,
) -> Result<Response, AppError> {
    let (unit, units, resource) = load_unit(&st, &user, &id).await?;
    user.authorize(Action::EditDirectory, &resource)?;
    let leader = match unit.leader {
        Some(l) => st
            .db()
            .person(user.tenant_id(), l)
            .await
            .map_err(store_error)?
            .map(|p| p.employee_number),
        None => None,
    };
    let form = UnitForm {
        name: unit.name.clone(),
        parent: unit.parent.map(|p| p.to_string()).unwrap_or_default(),
        leader: leader.unwrap_or_default(),
    };
    let options = unit_options(&units)
        .into_iter()
        .filter(|(uid, _)| *uid != unit.id.to_string())
        .collect();
    let page = user.page(
        "dir-unit-edit",
        &format!("/directory/units/{}/edit", unit.id),
    );
    render(&UnitEditPage {
        page,
        id: unit.id.to_string(),
        form,
        errors: Vec::new(),
        unit_options: options,
    })
}

/// Checks the unit form; returns the updated unit or every problem.
pub fn apply_unit_form(
    unit: &OrgUnit,
    form: &UnitForm,
    units: &[OrgUnit],
    leader: Option<Option<PersonId>>,
) -> Result<OrgUnit, Vec<FieldError>> {
    let mut errors = Vec::new();
    check_text(
        &mut errors,
        &form.name,
        "dir-unit-name",
        true,
        vakt_core::directory::MAX_FIELD_CHARS,
    );
    let parent = if form.parent.trim().is_empty() {
        None
    } else {
        match Uuid::parse_str(form.parent.trim()).ok().map(UnitId::from) {
            Some(p) => Some(p),
            None => {
                errors.push(FieldError::new("dir-err-unknown-unit", None));
                None
            }
        }
    };
    if let Err(e) = check_reparent(units, unit.id, parent) {
        errors.push(FieldError::new(
            match e {
                vakt_core::directory::TreeError::UnknownUnit(_)
                | vakt_core::directory::TreeError::CrossTenant => "dir-err-unknown-unit",
                vakt_core::directory::TreeError::SelfParent
                | vakt_core::directory::TreeError::Cycle(_) => "dir-err-parent-cycle",
            },
            None,
        ));
    }
    let leader = match leader {
        Some(l) => l,
        None => {
            errors.push(FieldError::new("dir-err-unknown-person", None));
            None
        }
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut updated = unit.clone();
    updated.name = form.name.trim().to_owned();
    updated.parent = parent;
    updated.leader = leader;
    Ok(updated)
}

async fn unit_edit_submit(
    user: CurrentUser,
    State(st): State<AppState>,
    ClientIp(ip): ClientIp,
    VPath(id): VPath<String>,
    VForm(form): VForm<UnitForm>,
) -> Result<Response, AppError> {
    let (unit, units, resource) = load_unit(&st, &user, &id).await?;
    user.authorize(Action::EditDirectory, &resource)?;
    let tenant = user.tenant_id();
    let leader = person_by_number(&st, tenant, &form.leader).await?;
    match apply_unit_form(&unit, &form, &units, leader) {
        Ok(updated) => {
            let target = Resource::in_unit(tenant, unit_path(&units, updated.parent));
            if updated.parent.is_some() {
                user.authorize(Action::EditDirectory, &target)?;
            }
            let mut tx = st
                .db()
                .write(&user.audit_ctx(ip))
                .await
                .map_err(store_error)?;
            tx.update_unit(
                updated.id,
                NewUnit {
                    parent: updated.parent,
                    name: updated.name.clone(),
                    code: updated.code.clone(),
                    leader: updated.leader,
                },
            )
            .await
            .map_err(store_error)?;
            tx.commit().await.map_err(store_error)?;
            Ok(Redirect::to(&format!("/directory/units/{}?notice=saved", unit.id)).into_response())
        }
        Err(errors) => {
            let lang = user.lang();
            let options = unit_options(&units)
                .into_iter()
                .filter(|(uid, _)| *uid != unit.id.to_string())
                .collect();
            let page = user.page(
                "dir-unit-edit",
                &format!("/directory/units/{}/edit", unit.id),
            );
            let body = UnitEditPage {
                page,
                id: unit.id.to_string(),
                form,
                errors: errors.iter().map(|e| e.render(lang)).collect(),
                unit_options: options,
            };
            let mut resp = render(&body)?;
            *resp.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            Ok(resp)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use vakt_core::directory::{Employment, TenantId};

    fn unit(tenant: TenantId, parent: Option<UnitId>, name: &str) -> OrgUnit {
        OrgUnit {
            id: UnitId::new(),
            tenant,
            parent,
            name: name.into(),
            code: name.into(),
            leader: None,
        }
    }

    #[test]
    fn the_tree_opens_and_closes_every_nested_list() {
        let t = TenantId::new();
        let root = unit(t, None, "A");
        let child = unit(t, Some(root.id), "B");
        let grandchild = unit(t, Some(child.id), "C");
        let other_root = unit(t, None, "D");
        let units = vec![
            other_root.clone(),
            grandchild.clone(),
            root.clone(),
            child.clone(),
        ];
        let rows = tree_rows(&units);
        let names: Vec<&str> = rows.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["A", "B", "C", "D"]);
        let opens = rows.iter().filter(|r| r.opens_children).count();
        let closes: usize = rows.iter().map(|r| r.closes).sum();
        assert_eq!(opens, closes, "every <ul> opened for children is closed");
        assert_eq!(rows[2].closes, 2);
    }

    fn person(t: TenantId) -> Person {
        Person {
            id: PersonId::new(),
            tenant: t,
            employee_number: "1".into(),
            given_name: "Kari".into(),
            family_name: "Nordmann".into(),
            email: None,
            kind: PersonKind::Employee,
            unit: None,
            manager: None,
            employment: Employment::active(),
            birth_date: None,
            preferred_language: None,
        }
    }

    #[test]
    fn a_person_form_with_bad_values_reports_each_problem_and_changes_nothing() {
        let t = TenantId::new();
        let p = person(t);
        let form = PersonForm {
            given_name: "x".repeat(201),
            family_name: String::new(),
            email: "not-an-address".into(),
            kind: "robot".into(),
            unit: Uuid::nil().to_string(),
            manager: String::new(),
            state: "active".into(),
            start: "2024-02-30".into(),
            end: String::new(),
        };
        let errors = apply_person_form(&p, &form, &[], Some(None)).expect_err("rejected");
        let keys: Vec<&str> = errors.iter().map(|e| e.key).collect();
        assert_eq!(
            keys,
            [
                "dir-err-too-long",
                "dir-err-required",
                "dir-err-invalid-email",
                "dir-err-invalid-choice",
                "dir-err-unknown-unit",
                "dir-err-invalid-date"
            ]
        );
    }

    #[test]
    fn markup_in_a_name_is_kept_verbatim() {
        let t = TenantId::new();
        let p = person(t);
        let form = PersonForm {
            given_name: "<script>alert(1)</script>".into(),
            family_name: "O'Brien; DROP TABLE people;--".into(),
            kind: "employee".into(),
            state: "on_leave".into(),
            ..PersonForm::default()
        };
        let updated = apply_person_form(&p, &form, &[], Some(None)).expect("accepted");
        assert_eq!(updated.given_name, "<script>alert(1)</script>");
        assert_eq!(updated.family_name, "O'Brien; DROP TABLE people;--");
        assert_eq!(updated.employment.state, EmploymentState::OnLeave);
    }

    #[test]
    fn a_unit_cannot_move_under_its_own_descendant() {
        let t = TenantId::new();
        let root = unit(t, None, "A");
        let child = unit(t, Some(root.id), "B");
        let units = vec![root.clone(), child.clone()];
        let form = UnitForm {
            name: "A".into(),
            parent: child.id.to_string(),
            leader: String::new(),
        };
        let errors = apply_unit_form(&root, &form, &units, Some(None)).expect_err("cycle");
        assert_eq!(errors[0].key, "dir-err-parent-cycle");
        let ok = UnitForm {
            name: "B2".into(),
            parent: String::new(),
            leader: String::new(),
        };
        assert_eq!(
            apply_unit_form(&child, &ok, &units, Some(None))
                .expect("ok")
                .parent,
            None
        );
    }
}
