//! Prerequisites of named groups and roles: what each requires (signed instructions, valid courses),
//! and for each member whether it is met and what is missing — through the one check in
//! `vakt_core::training::check_prerequisites`, which later capabilities use to gate access.

use std::collections::{BTreeMap, HashMap};

use askama::Template;
use axum::{
    Json,
    body::Bytes,
    extract::State,
    response::{IntoResponse, Redirect, Response},
};
use serde::Serialize;
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

use vakt_core::Role;
use vakt_core::authz::{Action, Principal, Resource};
use vakt_core::deadline::TenantCalendar;
use vakt_core::directory::{OrgUnit, Person, PersonId, TenantId};
use vakt_core::instructions::{InstructionId, PublishedVersion};
use vakt_core::training::{
    Catalogue, Course, CourseId, PersonRecords, Prerequisites, RequiredItem, RequirementSet,
    UnmetReason, check_prerequisites,
};
use vakt_store::PrerequisiteHolder;

use super::{calendar, may_somewhere, train_err};
use crate::extract::{ApiUser, ClientIp, CurrentUser};
use crate::i18n::{Arg, Lang, t};
use crate::page::{Page, render};
use crate::{AppError, AppState};

/// The roles that can carry prerequisites.
pub const ROLES: [Role; 6] = [
    Role::Leader,
    Role::SecurityCoordinator,
    Role::Dpo,
    Role::ItOperations,
    Role::Auditor,
    Role::TenantAdmin,
];

fn role_code(r: Role) -> &'static str {
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

/// One member's result.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MemberStatus {
    pub person: Uuid,
    pub name: String,
    pub met: bool,
    /// What is missing, one line each, in the caller's language.
    pub missing: Vec<String>,
}

/// One group or role with what it requires and how its members stand.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HolderStatus {
    /// `group` or `role`.
    pub kind: String,
    /// The group id or the role code.
    pub id: String,
    pub name: String,
    /// The required items, as titles.
    pub requires: Vec<String>,
    pub members: Vec<MemberStatus>,
    pub met: usize,
}

struct Loaded {
    holders: Vec<(PrerequisiteHolder, String, Vec<PersonId>)>,
    required: HashMap<PrerequisiteHolder, Vec<RequiredItem>>,
    versions: BTreeMap<InstructionId, Vec<PublishedVersion>>,
    courses: BTreeMap<CourseId, Course>,
    titles: HashMap<Uuid, String>,
    people: HashMap<PersonId, Person>,
    units: Vec<OrgUnit>,
}

async fn load(st: &AppState, tenant: TenantId, lang: Lang) -> Result<Loaded, AppError> {
    let db = st.db();
    let mut holders = Vec::new();
    for g in db.groups(tenant).await.map_err(train_err)? {
        let members = db
            .group_members(tenant, g.id)
            .await
            .map_err(train_err)?
            .into_iter()
            .map(|m| m.person)
            .collect();
        holders.push((PrerequisiteHolder::Group(g.id.0), g.name.clone(), members));
    }
    let accounts = db.accounts(tenant).await.map_err(train_err)?;
    let units = db.units(tenant).await.map_err(train_err)?;
    for r in ROLES {
        let mut members: Vec<PersonId> = if r == Role::Leader {
            units.iter().filter_map(|u| u.leader).collect()
        } else {
            accounts
                .iter()
                .filter(|a| !a.disabled && a.roles.contains(&r))
                .filter_map(|a| a.person)
                .collect()
        };
        members.sort();
        members.dedup();
        holders.push((
            PrerequisiteHolder::Role(role_code(r).to_owned()),
            t(
                lang,
                &format!("training-role-{}", role_code(r).replace('_', "-")),
                &[],
            ),
            members,
        ));
    }
    let mut required: HashMap<PrerequisiteHolder, Vec<RequiredItem>> = HashMap::new();
    for (h, item) in db.prerequisites(tenant).await.map_err(train_err)? {
        required.entry(h).or_default().push(item);
    }
    let mut versions: BTreeMap<InstructionId, Vec<PublishedVersion>> = BTreeMap::new();
    for (i, v) in db.published_versions(tenant).await.map_err(train_err)? {
        versions.entry(i).or_default().push(v);
    }
    let course_rows = db.courses(tenant).await.map_err(train_err)?;
    let mut titles: HashMap<Uuid, String> = course_rows
        .iter()
        .map(|c| (c.id.0, c.title.clone()))
        .collect();
    for i in db.instructions(tenant).await.map_err(train_err)? {
        titles.insert(i.id.0, i.title.clone());
    }
    let courses = course_rows.iter().map(|c| (c.id, c.rule())).collect();
    let people = db
        .current_people(tenant)
        .await
        .map_err(train_err)?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    Ok(Loaded {
        holders,
        required,
        versions,
        courses,
        titles,
        people,
        units,
    })
}

fn item_id(i: &RequiredItem) -> Uuid {
    match i {
        RequiredItem::Instruction(x) => x.0,
        RequiredItem::Course(x) => x.0,
        RequiredItem::Declaration(x) => x.0,
    }
}

fn unmet_line(
    lang: Lang,
    titles: &HashMap<Uuid, String>,
    item: &RequiredItem,
    reason: &UnmetReason,
    cal: &TenantCalendar,
) -> String {
    let title = titles.get(&item_id(item)).cloned().unwrap_or_default();
    let (key, date) = match reason {
        UnmetReason::Missing => ("training-unmet-missing", String::new()),
        UnmetReason::Expired { at } => ("training-unmet-expired", super::local_date(*at, cal)),
        UnmetReason::SupersededByMajor { .. } => ("training-unmet-superseded", String::new()),
        UnmetReason::AwaitingCountersign => ("training-unmet-awaiting", String::new()),
        UnmetReason::Unavailable => ("training-unmet-unavailable", String::new()),
    };
    t(
        lang,
        key,
        &[("title", Arg::from(title)), ("date", Arg::from(date))],
    )
}

/// Every holder with its requirements and its members' standing, limited to the people `principal`
/// may see.
async fn statuses(
    st: &AppState,
    principal: &Principal,
    lang: Lang,
    cal: &TenantCalendar,
    now: OffsetDateTime,
) -> Result<Vec<HolderStatus>, AppError> {
    let tenant = principal.tenant;
    let l = load(st, tenant, lang).await?;
    let mut out = Vec::new();
    for (holder, name, members) in &l.holders {
        let items = l.required.get(holder).cloned().unwrap_or_default();
        let req = RequirementSet {
            instructions: items
                .iter()
                .filter_map(|i| match i {
                    RequiredItem::Instruction(x) => Some(*x),
                    _ => None,
                })
                .collect(),
            courses: items
                .iter()
                .filter_map(|i| match i {
                    RequiredItem::Course(x) => Some(*x),
                    _ => None,
                })
                .collect(),
            declarations: Vec::new(),
        };
        let mut rows = Vec::new();
        for pid in members {
            let Some(p) = l.people.get(pid) else { continue };
            let res = Resource::in_unit(tenant, crate::directory::unit_path(&l.units, p.unit));
            if vakt_core::authz::authorize(principal, Action::ViewTraining, &res).is_err() {
                continue;
            }
            let acks = st
                .db()
                .acks_of_person(tenant, *pid)
                .await
                .map_err(train_err)?;
            let completions: Vec<_> = st
                .db()
                .completions_of_person(tenant, *pid)
                .await
                .map_err(train_err)?
                .into_iter()
                .map(|r| r.completion)
                .collect();
            let result = check_prerequisites(
                &req,
                Catalogue {
                    instructions: &l.versions,
                    courses: &l.courses,
                },
                PersonRecords {
                    person: *pid,
                    acknowledgments: &acks,
                    completions: &completions,
                    declarations_signed: &[],
                },
                now,
                cal,
            )
            .map_err(|e| AppError::internal(e.to_string()))?;
            let missing = match &result {
                Prerequisites::Met => Vec::new(),
                Prerequisites::Missing(list) => list
                    .iter()
                    .map(|u| unmet_line(lang, &l.titles, &u.item, &u.reason, cal))
                    .collect(),
            };
            rows.push(MemberStatus {
                person: pid.0,
                name: p.display_name(),
                met: result.is_met(),
                missing,
            });
        }
        let (kind, id) = match holder {
            PrerequisiteHolder::Group(g) => ("group", g.to_string()),
            PrerequisiteHolder::Role(r) => ("role", r.clone()),
        };
        out.push(HolderStatus {
            kind: kind.to_owned(),
            id,
            name: name.clone(),
            requires: items
                .iter()
                .map(|i| l.titles.get(&item_id(i)).cloned().unwrap_or_default())
                .collect(),
            met: rows.iter().filter(|r| r.met).count(),
            members: rows,
        });
    }
    Ok(out)
}

#[derive(Template)]
#[template(path = "training/prerequisites.html")]
struct PrereqPage {
    page: Page,
    holders: Vec<HolderStatus>,
    may_manage: bool,
    holder_options: Vec<(String, String)>,
    item_options: Vec<(String, String)>,
}

/// `GET /training/prerequisites`.
pub async fn page(user: CurrentUser, State(st): State<AppState>) -> Result<Response, AppError> {
    may_somewhere(user.principal(), Action::ViewTraining)?;
    let tenant = user.tenant_id();
    let cal = calendar(&user.settings);
    let holders = statuses(&st, user.principal(), user.lang(), &cal, st.now()).await?;
    let holder_options = holders
        .iter()
        .map(|h| (format!("{}:{}", h.kind, h.id), h.name.clone()))
        .collect();
    let mut item_options = Vec::new();
    for i in st.db().instructions(tenant).await.map_err(train_err)? {
        item_options.push((format!("instruction:{}", i.id.0), i.title.clone()));
    }
    for c in st.db().courses(tenant).await.map_err(train_err)? {
        if !c.archived {
            item_options.push((format!("course:{}", c.id.0), c.title.clone()));
        }
    }
    render(&PrereqPage {
        page: user.page("training-prereq-title", "/training/prerequisites"),
        holders,
        may_manage: user.may(Action::ManageCourses),
        holder_options,
        item_options,
    })
}

/// `POST /training/prerequisites`: `holder` (`group:<id>` or `role:<code>`) and any number of `item`
/// (`instruction:<id>` or `course:<id>`) fields replace what the holder requires.
pub async fn save(
    user: CurrentUser,
    State(st): State<AppState>,
    ClientIp(ip): ClientIp,
    body: Bytes,
) -> Result<Response, AppError> {
    user.authorize_tenant(Action::ManageCourses)?;
    let tenant = user.tenant_id();
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&body)
        .map_err(|_| AppError::bad_request("training-err-upload"))?;
    let holder_raw = pairs
        .iter()
        .find(|(k, _)| k == "holder")
        .map(|(_, v)| v.as_str())
        .unwrap_or("");
    let holder = match holder_raw.split_once(':') {
        Some(("group", id)) => {
            let g = Uuid::parse_str(id).map_err(|_| AppError::invalid("training-err-holder"))?;
            st.db()
                .group(tenant, vakt_core::instructions::GroupId(g))
                .await
                .map_err(train_err)?
                .ok_or_else(|| AppError::invalid("training-err-holder"))?;
            PrerequisiteHolder::Group(g)
        }
        Some(("role", code)) if ROLES.iter().any(|r| role_code(*r) == code) => {
            PrerequisiteHolder::Role(code.to_owned())
        }
        _ => return Err(AppError::invalid("training-err-holder")),
    };
    let instructions: Vec<InstructionId> = st
        .db()
        .instructions(tenant)
        .await
        .map_err(train_err)?
        .iter()
        .map(|i| i.id)
        .collect();
    let courses: Vec<CourseId> = st
        .db()
        .courses(tenant)
        .await
        .map_err(train_err)?
        .iter()
        .map(|c| c.id)
        .collect();
    let mut items = Vec::new();
    for (_, v) in pairs.iter().filter(|(k, _)| k == "item") {
        let item = match v.split_once(':') {
            Some(("instruction", id)) => Uuid::parse_str(id)
                .ok()
                .map(InstructionId)
                .filter(|i| instructions.contains(i))
                .map(RequiredItem::Instruction),
            Some(("course", id)) => Uuid::parse_str(id)
                .ok()
                .map(CourseId)
                .filter(|c| courses.contains(c))
                .map(RequiredItem::Course),
            _ => None,
        };
        items.push(item.ok_or_else(|| AppError::invalid("training-err-item"))?);
    }
    let mut tx = st
        .db()
        .write(&user.audit_ctx(ip))
        .await
        .map_err(train_err)?;
    tx.set_prerequisites(&holder, &items)
        .await
        .map_err(train_err)?;
    tx.commit().await.map_err(train_err)?;
    Ok(Redirect::to("/training/prerequisites").into_response())
}

/// Every named group and role with what it requires and whether each member (that the caller may see)
/// meets it, with what is missing.
#[utoipa::path(get, path = "/api/v1/training/prerequisites", responses(
    (status = 200, body = [HolderStatus]), (status = 401, body = crate::api::dto::ErrorBody), (status = 403, body = crate::api::dto::ErrorBody)))]
pub async fn api_list(
    user: ApiUser,
    State(st): State<AppState>,
) -> Result<Json<Vec<HolderStatus>>, AppError> {
    may_somewhere(&user.principal, Action::ViewTraining)?;
    let settings = crate::settings::tenant_settings(&st, user.tenant_id()).await?;
    let cal = calendar(&settings);
    Ok(Json(
        statuses(&st, &user.principal, user.lang, &cal, st.now()).await?,
    ))
}
