//! Named groups ("home office in the secure zone", "IT on call"): a name, a description and
//! members. Instruction audiences and training prerequisites refer to groups by id; membership is
//! read live, so a person added to a group is in every audience that names it at once.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;
use vakt_core::audit::{AuditClass, EventDraft};
use vakt_core::directory::{PersonId, TenantId};
use vakt_core::instructions::{Audience, AudienceRule, GroupId, InstructionId};

use crate::db::{Conn, Db, WriteTx, on};
use crate::error::{Result, StoreError, conflict_as};
use crate::types::{Ts, ts};

/// A named group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Group {
    pub id: GroupId,
    pub tenant: TenantId,
    pub name: String,
    pub description: String,
    /// Number of members (filled by [`Db::groups`] and [`Db::group`]).
    pub members: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

/// The editable fields of a group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewGroup {
    /// Unique within the tenant (case-insensitive), 1–200 characters.
    pub name: String,
    #[serde(default)]
    pub description: String,
}

/// One member of a group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupMember {
    pub person: PersonId,
    pub given_name: String,
    pub family_name: String,
    pub employee_number: String,
    #[serde(with = "time::serde::rfc3339")]
    pub added_at: OffsetDateTime,
}

/// What refers to a group (see [`Db::group_usage`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct GroupUsage {
    /// Instructions whose audience names the group (anywhere in its rules), by title: while there
    /// is one, the group cannot be deleted ([`WriteTx::delete_group`] refuses `group.in_use`).
    pub audience_of: Vec<(InstructionId, String)>,
    /// How many prerequisites the group carries (what its members must have); they belong to the
    /// group and are deleted with it.
    pub prerequisites: i64,
}

fn rule_names(r: &AudienceRule, g: GroupId) -> bool {
    match r {
        AudienceRule::Groups { groups } => groups.contains(&g),
        AudienceRule::AllOf { rules } => rules.iter().any(|r| rule_names(r, g)),
        AudienceRule::Everyone
        | AudienceRule::Units { .. }
        | AudienceRule::Roles { .. }
        | AudienceRule::PersonKinds { .. } => false,
    }
}

/// Whether an audience names the group in any of its rules (also inside "all of" rules).
fn audience_names(a: &Audience, g: GroupId) -> bool {
    a.rules.iter().any(|r| rule_names(r, g))
}

fn collect_groups(r: &AudienceRule, out: &mut Vec<GroupId>) {
    match r {
        AudienceRule::Groups { groups } => out.extend(groups.iter().copied()),
        AudienceRule::AllOf { rules } => rules.iter().for_each(|r| collect_groups(r, out)),
        AudienceRule::Everyone
        | AudienceRule::Units { .. }
        | AudienceRule::Roles { .. }
        | AudienceRule::PersonKinds { .. } => {}
    }
}

/// Checks that every group an audience names is a group of the tenant, and holds them until the
/// transaction ends: `FOR SHARE` on PostgreSQL, so that a concurrent [`WriteTx::delete_group`]
/// (which takes the row `FOR UPDATE` before it looks for audiences naming the group) either waits
/// for this transaction and then sees the new audience, or deletes first and this check fails.
/// SQLite write transactions are serialised already. Refuses `instruction.audience_group_unknown`.
pub(crate) async fn hold_audience_groups(
    conn: &mut Conn<'_>,
    tenant: TenantId,
    a: &Audience,
) -> Result<()> {
    let mut ids = Vec::new();
    a.rules.iter().for_each(|r| collect_groups(r, &mut ids));
    ids.sort_by_key(|g| g.0);
    ids.dedup();
    let lock = match conn.engine() {
        crate::db::Engine::Postgres => " FOR SHARE",
        crate::db::Engine::Sqlite => "",
    };
    let sql = format!("SELECT id FROM groups WHERE tenant_id = $1 AND id = $2{lock}");
    for g in ids {
        let found: Option<(Uuid,)> = on!(conn, c => sqlx::query_as(&sql)
            .bind(tenant.0)
            .bind(g.0)
            .fetch_optional(&mut *c)
            .await?);
        if found.is_none() {
            return Err(StoreError::Invalid("instruction.audience_group_unknown"));
        }
    }
    Ok(())
}

async fn usage(conn: &mut Conn<'_>, tenant: TenantId, id: GroupId) -> Result<GroupUsage> {
    let audience_of = crate::instructions::all_instructions(conn, tenant)
        .await?
        .into_iter()
        .filter(|i| audience_names(&i.audience, id))
        .map(|i| (i.id, i.title))
        .collect();
    let prerequisites: i64 = on!(conn, c => sqlx::query_scalar(
        "SELECT COUNT(*) FROM prerequisites WHERE tenant_id = $1 AND holder_kind = 'group' AND holder_id = $2",
    )
    .bind(tenant.0)
    .bind(id.0.to_string())
    .fetch_one(&mut *c)
    .await?);
    Ok(GroupUsage {
        audience_of,
        prerequisites,
    })
}

#[derive(sqlx::FromRow)]
struct GroupRow {
    id: Uuid,
    tenant_id: Uuid,
    name: String,
    description: String,
    members: i64,
    created_at: Ts,
}

impl From<GroupRow> for Group {
    fn from(r: GroupRow) -> Self {
        Group {
            id: GroupId(r.id),
            tenant: TenantId(r.tenant_id),
            name: r.name,
            description: r.description,
            members: r.members,
            created_at: r.created_at.0,
        }
    }
}

const GROUP_SELECT: &str = "SELECT g.id, g.tenant_id, g.name, g.description, \
     (SELECT COUNT(*) FROM group_members m WHERE m.tenant_id = g.tenant_id AND m.group_id = g.id) AS members, \
     g.created_at FROM groups g";

fn check(new: &NewGroup) -> Result<(String, String)> {
    let name = new.name.trim();
    if name.is_empty() || name.chars().count() > 200 || name.chars().any(char::is_control) {
        return Err(StoreError::Invalid("group.name_invalid"));
    }
    let description = new.description.trim();
    if description.chars().count() > 2000
        || description
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    {
        return Err(StoreError::Invalid("group.description_invalid"));
    }
    Ok((name.to_string(), description.to_string()))
}

pub(crate) async fn get(
    conn: &mut Conn<'_>,
    tenant: TenantId,
    id: GroupId,
) -> Result<Option<Group>> {
    let sql = format!("{GROUP_SELECT} WHERE g.tenant_id = $1 AND g.id = $2");
    let row: Option<GroupRow> = on!(conn, c => sqlx::query_as(&sql).bind(tenant.0).bind(id.0).fetch_optional(&mut *c).await?);
    Ok(row.map(Group::from))
}

pub(crate) async fn person_groups(
    conn: &mut Conn<'_>,
    tenant: TenantId,
    person: PersonId,
) -> Result<Vec<(GroupId, OffsetDateTime)>> {
    let rows: Vec<(Uuid, Ts)> = on!(conn, c => sqlx::query_as(
        "SELECT group_id, added_at FROM group_members WHERE tenant_id = $1 AND person_id = $2 ORDER BY group_id",
    )
    .bind(tenant.0)
    .bind(person.0)
    .fetch_all(&mut *c)
    .await?);
    Ok(rows.into_iter().map(|(g, t)| (GroupId(g), t.0)).collect())
}

async fn person_label(conn: &mut Conn<'_>, tenant: TenantId, p: PersonId) -> Result<String> {
    let row: Option<(String, String, String)> = on!(conn, c => sqlx::query_as(
        "SELECT given_name, family_name, employee_number FROM people WHERE tenant_id = $1 AND id = $2",
    )
    .bind(tenant.0)
    .bind(p.0)
    .fetch_optional(&mut *c)
    .await?);
    let (g, f, n) = row.ok_or(StoreError::Invalid("group.person_unknown"))?;
    Ok(format!("{g} {f} [{n}]"))
}

impl Db {
    /// All groups of the tenant, by name, with their member counts.
    pub async fn groups(&self, tenant: TenantId) -> Result<Vec<Group>> {
        let sql = format!("{GROUP_SELECT} WHERE g.tenant_id = $1 ORDER BY g.name_lc, g.id");
        let mut pc = self.acquire().await?;
        let rows: Vec<GroupRow> =
            on!(&mut pc.conn(), c => sqlx::query_as(&sql).bind(tenant.0).fetch_all(&mut *c).await?);
        Ok(rows.into_iter().map(Group::from).collect())
    }

    pub async fn group(&self, tenant: TenantId, id: GroupId) -> Result<Option<Group>> {
        let mut pc = self.acquire().await?;
        get(&mut pc.conn(), tenant, id).await
    }

    /// The members of a group, by name.
    pub async fn group_members(&self, tenant: TenantId, id: GroupId) -> Result<Vec<GroupMember>> {
        let mut pc = self.acquire().await?;
        let rows: Vec<(Uuid, String, String, String, Ts)> = on!(&mut pc.conn(), c => sqlx::query_as(
            "SELECT p.id, p.given_name, p.family_name, p.employee_number, m.added_at \
             FROM group_members m JOIN people p ON p.tenant_id = m.tenant_id AND p.id = m.person_id \
             WHERE m.tenant_id = $1 AND m.group_id = $2 ORDER BY p.sort_key, p.id",
        )
        .bind(tenant.0)
        .bind(id.0)
        .fetch_all(&mut *c)
        .await?);
        Ok(rows
            .into_iter()
            .map(|(id, g, f, n, at)| GroupMember {
                person: PersonId(id),
                given_name: g,
                family_name: f,
                employee_number: n,
                added_at: at.0,
            })
            .collect())
    }

    /// What refers to a group of the tenant: the instructions whose audience names it and the
    /// number of prerequisites it carries. `None` for an unknown group (or another tenant's).
    pub async fn group_usage(&self, tenant: TenantId, id: GroupId) -> Result<Option<GroupUsage>> {
        let mut pc = self.acquire().await?;
        if get(&mut pc.conn(), tenant, id).await?.is_none() {
            return Ok(None);
        }
        usage(&mut pc.conn(), tenant, id).await.map(Some)
    }

    /// The groups a person is a member of, with when they were added.
    pub async fn groups_of_person(
        &self,
        tenant: TenantId,
        person: PersonId,
    ) -> Result<Vec<(GroupId, OffsetDateTime)>> {
        let mut pc = self.acquire().await?;
        person_groups(&mut pc.conn(), tenant, person).await
    }
}

impl WriteTx {
    pub async fn create_group(&mut self, new: NewGroup) -> Result<Group> {
        let tenant = self.tenant();
        let (name, description) = check(&new)?;
        let now = self.now();
        let group = Group {
            id: GroupId::new(),
            tenant,
            name,
            description,
            members: 0,
            created_at: now,
        };
        on!(&mut self.conn(), c => sqlx::query(
            "INSERT INTO groups (id, tenant_id, name, name_lc, description, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $6)",
        )
        .bind(group.id.0)
        .bind(tenant.0)
        .bind(&group.name)
        .bind(group.name.to_lowercase())
        .bind(&group.description)
        .bind(ts(now))
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected())
        .map_err(StoreError::from)
        .map_err(conflict_as("group.name_taken"))?);
        self.audit(
            EventDraft::new(AuditClass::Admin, "group.create", "group", group.id)
                .after(group.name.clone()),
        )
        .await?;
        Ok(group)
    }

    pub async fn update_group(&mut self, id: GroupId, new: NewGroup) -> Result<Group> {
        let tenant = self.tenant();
        let (name, description) = check(&new)?;
        let before = get(&mut self.conn(), tenant, id)
            .await?
            .ok_or(StoreError::NotFound)?;
        let now = self.now();
        on!(&mut self.conn(), c => sqlx::query(
            "UPDATE groups SET name = $3, name_lc = $4, description = $5, updated_at = $6 \
             WHERE tenant_id = $1 AND id = $2",
        )
        .bind(tenant.0)
        .bind(id.0)
        .bind(&name)
        .bind(name.to_lowercase())
        .bind(&description)
        .bind(ts(now))
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected())
        .map_err(StoreError::from)
        .map_err(conflict_as("group.name_taken"))?);
        self.audit(
            EventDraft::new(AuditClass::Admin, "group.update", "group", id)
                .before(before.name.clone())
                .after(name.clone()),
        )
        .await?;
        Ok(Group {
            name,
            description,
            ..before
        })
    }

    /// Deletes a group with its memberships and the prerequisites it carries, in this transaction
    /// (`group.delete`, recording the name, the member count and the prerequisites). Refused with
    /// `group.in_use` while an instruction's audience names the group: deleting it would silently
    /// shrink that audience, so the audience has to be changed first (the web layer names the
    /// instructions, from [`Db::group_usage`]). `NotFound` for another tenant's group.
    pub async fn delete_group(&mut self, id: GroupId) -> Result<()> {
        let tenant = self.tenant();
        // Taken before the audiences are read: an instruction written concurrently holds the row
        // `FOR SHARE` (see `hold_audience_groups`), so one of the two waits for the other.
        if self.conn().engine() == crate::db::Engine::Postgres {
            let locked: Option<(Uuid,)> = on!(&mut self.conn(), c => sqlx::query_as(
                "SELECT id FROM groups WHERE tenant_id = $1 AND id = $2 FOR UPDATE",
            )
            .bind(tenant.0)
            .bind(id.0)
            .fetch_optional(&mut *c)
            .await?);
            locked.ok_or(StoreError::NotFound)?;
        }
        let before = get(&mut self.conn(), tenant, id)
            .await?
            .ok_or(StoreError::NotFound)?;
        if !usage(&mut self.conn(), tenant, id)
            .await?
            .audience_of
            .is_empty()
        {
            return Err(StoreError::Invalid("group.in_use"));
        }
        let holder = id.0.to_string();
        let prereqs: Vec<(String, Uuid)> = on!(&mut self.conn(), c => sqlx::query_as(
            "SELECT item_kind, item_id FROM prerequisites \
             WHERE tenant_id = $1 AND holder_kind = 'group' AND holder_id = $2 ORDER BY item_kind, item_id",
        )
        .bind(tenant.0)
        .bind(&holder)
        .fetch_all(&mut *c)
        .await?);
        on!(&mut self.conn(), c => sqlx::query(
            "DELETE FROM prerequisites WHERE tenant_id = $1 AND holder_kind = 'group' AND holder_id = $2")
            .bind(tenant.0).bind(&holder).execute(&mut *c).await.map(|r| r.rows_affected())?);
        on!(&mut self.conn(), c => sqlx::query("DELETE FROM group_members WHERE tenant_id = $1 AND group_id = $2")
            .bind(tenant.0).bind(id.0).execute(&mut *c).await.map(|r| r.rows_affected())?);
        on!(&mut self.conn(), c => sqlx::query("DELETE FROM groups WHERE tenant_id = $1 AND id = $2")
            .bind(tenant.0).bind(id.0).execute(&mut *c).await.map(|r| r.rows_affected())?);
        let list: Vec<String> = prereqs.iter().map(|(k, i)| format!("{k}:{i}")).collect();
        self.audit(
            EventDraft::new(AuditClass::Admin, "group.delete", "group", id).before(format!(
                "{} ({} members; prerequisites: {})",
                before.name,
                before.members,
                list.join(",")
            )),
        )
        .await
    }

    /// Adds a person to a group. Returns false (and records nothing new) if they already are one.
    pub async fn add_group_member(&mut self, id: GroupId, person: PersonId) -> Result<bool> {
        let tenant = self.tenant();
        let group = get(&mut self.conn(), tenant, id)
            .await?
            .ok_or(StoreError::NotFound)?;
        let label = person_label(&mut self.conn(), tenant, person).await?;
        let now = self.now();
        let added = on!(&mut self.conn(), c => sqlx::query(
            "INSERT INTO group_members (tenant_id, group_id, person_id, added_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (tenant_id, group_id, person_id) DO NOTHING",
        )
        .bind(tenant.0)
        .bind(id.0)
        .bind(person.0)
        .bind(ts(now))
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected())?);
        if added == 0 {
            return Ok(false);
        }
        self.touch_group(id).await?;
        self.audit(
            EventDraft::new(AuditClass::Admin, "group.member_add", "group", id)
                .person(person)
                .after(format!("{label} → {}", group.name)),
        )
        .await?;
        Ok(true)
    }

    /// Removes a person from a group. Returns false if they were not a member.
    pub async fn remove_group_member(&mut self, id: GroupId, person: PersonId) -> Result<bool> {
        let tenant = self.tenant();
        let group = get(&mut self.conn(), tenant, id)
            .await?
            .ok_or(StoreError::NotFound)?;
        let removed = on!(&mut self.conn(), c => sqlx::query(
            "DELETE FROM group_members WHERE tenant_id = $1 AND group_id = $2 AND person_id = $3",
        )
        .bind(tenant.0)
        .bind(id.0)
        .bind(person.0)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected())?);
        if removed == 0 {
            return Ok(false);
        }
        let label = person_label(&mut self.conn(), tenant, person)
            .await
            .unwrap_or_else(|_| person.to_string());
        self.touch_group(id).await?;
        self.audit(
            EventDraft::new(AuditClass::Admin, "group.member_remove", "group", id)
                .person(person)
                .before(format!("{label} → {}", group.name)),
        )
        .await?;
        Ok(true)
    }

    async fn touch_group(&mut self, id: GroupId) -> Result<()> {
        let tenant = self.tenant();
        let now = self.now();
        on!(&mut self.conn(), c => sqlx::query("UPDATE groups SET updated_at = $3 WHERE tenant_id = $1 AND id = $2")
            .bind(tenant.0).bind(id.0).bind(ts(now)).execute(&mut *c).await.map(|r| r.rows_affected())?);
        Ok(())
    }
}
