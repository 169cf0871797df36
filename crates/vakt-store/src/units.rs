//! Org units: a tree per tenant, each with a leader.

use serde::{Deserialize, Serialize};
use uuid::Uuid;
use vakt_core::audit::{AuditClass, EventDraft};
use vakt_core::directory::{OrgUnit, PersonId, TenantId, UnitId, check_reparent};

use crate::db::{Conn, Db, WriteTx, on};
use crate::error::{Result, StoreError, conflict_as};
use crate::types::ts;

/// A new org unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewUnit {
    pub parent: Option<UnitId>,
    pub name: String,
    /// Unique within the tenant.
    pub code: String,
    pub leader: Option<PersonId>,
}

#[derive(sqlx::FromRow)]
struct UnitRow {
    id: Uuid,
    tenant_id: Uuid,
    parent_id: Option<Uuid>,
    name: String,
    code: String,
    leader_id: Option<Uuid>,
}

impl From<UnitRow> for OrgUnit {
    fn from(r: UnitRow) -> Self {
        OrgUnit {
            id: UnitId(r.id),
            tenant: TenantId(r.tenant_id),
            parent: r.parent_id.map(UnitId),
            name: r.name,
            code: r.code,
            leader: r.leader_id.map(PersonId),
        }
    }
}

const UNIT_COLS: &str = "id, tenant_id, parent_id, name, code, leader_id";

pub(crate) async fn all(conn: &mut Conn<'_>, tenant: TenantId) -> Result<Vec<OrgUnit>> {
    let sql = format!("SELECT {UNIT_COLS} FROM org_units WHERE tenant_id = $1 ORDER BY name, id");
    let rows: Vec<UnitRow> = on!(conn, c => sqlx::query_as(&sql).bind(tenant.0).fetch_all(&mut *c).await?);
    Ok(rows.into_iter().map(OrgUnit::from).collect())
}

pub(crate) async fn get(conn: &mut Conn<'_>, tenant: TenantId, id: UnitId) -> Result<Option<OrgUnit>> {
    let sql = format!("SELECT {UNIT_COLS} FROM org_units WHERE tenant_id = $1 AND id = $2");
    let row: Option<UnitRow> = on!(conn, c => sqlx::query_as(&sql).bind(tenant.0).bind(id.0).fetch_optional(&mut *c).await?);
    Ok(row.map(OrgUnit::from))
}

async fn person_exists(conn: &mut Conn<'_>, tenant: TenantId, p: PersonId) -> Result<bool> {
    let row: Option<(Uuid,)> = on!(conn, c => sqlx::query_as("SELECT id FROM people WHERE tenant_id = $1 AND id = $2")
        .bind(tenant.0)
        .bind(p.0)
        .fetch_optional(&mut *c)
        .await?);
    Ok(row.is_some())
}

fn check_text(name: &str, code: &str) -> Result<()> {
    if name.trim().is_empty() || name.chars().count() > 200 {
        return Err(StoreError::Invalid("unit.name_invalid"));
    }
    if code.trim().is_empty() || code.chars().count() > 64 || code.chars().any(char::is_control) {
        return Err(StoreError::Invalid("unit.code_invalid"));
    }
    Ok(())
}

fn describe(u: &OrgUnit) -> String {
    format!(
        "{} [{}] parent={} leader={}",
        u.name,
        u.code,
        u.parent.map(|p| p.to_string()).unwrap_or_default(),
        u.leader.map(|p| p.to_string()).unwrap_or_default()
    )
}

impl Db {
    /// All units of the tenant, by name. Build the tree with `vakt_core::directory` helpers.
    pub async fn units(&self, tenant: TenantId) -> Result<Vec<OrgUnit>> {
        let mut pc = self.acquire().await?;
        all(&mut pc.conn(), tenant).await
    }

    pub async fn unit(&self, tenant: TenantId, id: UnitId) -> Result<Option<OrgUnit>> {
        let mut pc = self.acquire().await?;
        get(&mut pc.conn(), tenant, id).await
    }

    pub async fn unit_by_code(&self, tenant: TenantId, code: &str) -> Result<Option<OrgUnit>> {
        let sql = format!("SELECT {UNIT_COLS} FROM org_units WHERE tenant_id = $1 AND code = $2");
        let mut pc = self.acquire().await?;
        let row: Option<UnitRow> =
            on!(&mut pc.conn(), c => sqlx::query_as(&sql).bind(tenant.0).bind(code).fetch_optional(&mut *c).await?);
        Ok(row.map(OrgUnit::from))
    }

    /// Units the person leads (the implicit `Leader` role).
    pub async fn units_led_by(&self, tenant: TenantId, person: PersonId) -> Result<Vec<OrgUnit>> {
        let sql = format!("SELECT {UNIT_COLS} FROM org_units WHERE tenant_id = $1 AND leader_id = $2 ORDER BY name, id");
        let mut pc = self.acquire().await?;
        let rows: Vec<UnitRow> =
            on!(&mut pc.conn(), c => sqlx::query_as(&sql).bind(tenant.0).bind(person.0).fetch_all(&mut *c).await?);
        Ok(rows.into_iter().map(OrgUnit::from).collect())
    }
}

impl WriteTx {
    pub async fn create_unit(&mut self, new: NewUnit) -> Result<OrgUnit> {
        let tenant = self.tenant();
        check_text(&new.name, &new.code)?;
        if let Some(p) = new.parent
            && get(&mut self.conn(), tenant, p).await?.is_none()
        {
            return Err(StoreError::Invalid("unit.parent_unknown"));
        }
        if let Some(l) = new.leader
            && !person_exists(&mut self.conn(), tenant, l).await?
        {
            return Err(StoreError::Invalid("unit.leader_unknown"));
        }
        let unit = OrgUnit {
            id: UnitId::new(),
            tenant,
            parent: new.parent,
            name: new.name.trim().to_string(),
            code: new.code.trim().to_string(),
            leader: new.leader,
        };
        let now = self.now();
        on!(&mut self.conn(), c => sqlx::query(
            "INSERT INTO org_units (id, tenant_id, parent_id, name, code, leader_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(unit.id.0)
        .bind(tenant.0)
        .bind(unit.parent.map(|p| p.0))
        .bind(&unit.name)
        .bind(&unit.code)
        .bind(unit.leader.map(|p| p.0))
        .bind(ts(now))
        .execute(&mut *c)
        .await.map(|r| r.rows_affected())
        .map_err(StoreError::from)
        .map_err(conflict_as("unit.code_taken"))?);
        self.audit(EventDraft::new(AuditClass::Admin, "unit.create", "unit", unit.id).after(describe(&unit))).await?;
        Ok(unit)
    }

    /// Renames, recodes, re-parents or changes the leader of a unit. Re-parenting is checked for
    /// cycles.
    pub async fn update_unit(&mut self, id: UnitId, new: NewUnit) -> Result<OrgUnit> {
        let tenant = self.tenant();
        check_text(&new.name, &new.code)?;
        let units = all(&mut self.conn(), tenant).await?;
        let before = units.iter().find(|u| u.id == id).cloned().ok_or(StoreError::NotFound)?;
        check_reparent(&units, id, new.parent)?;
        if let Some(l) = new.leader
            && !person_exists(&mut self.conn(), tenant, l).await?
        {
            return Err(StoreError::Invalid("unit.leader_unknown"));
        }
        let after = OrgUnit {
            parent: new.parent,
            name: new.name.trim().to_string(),
            code: new.code.trim().to_string(),
            leader: new.leader,
            ..before.clone()
        };
        on!(&mut self.conn(), c => sqlx::query(
            "UPDATE org_units SET parent_id = $3, name = $4, code = $5, leader_id = $6 WHERE tenant_id = $1 AND id = $2",
        )
        .bind(tenant.0)
        .bind(id.0)
        .bind(after.parent.map(|p| p.0))
        .bind(&after.name)
        .bind(&after.code)
        .bind(after.leader.map(|p| p.0))
        .execute(&mut *c)
        .await.map(|r| r.rows_affected())
        .map_err(StoreError::from)
        .map_err(conflict_as("unit.code_taken"))?);
        self.audit(
            EventDraft::new(AuditClass::Admin, "unit.update", "unit", id).before(describe(&before)).after(describe(&after)),
        )
        .await?;
        Ok(after)
    }

    /// Deletes a unit that has no sub-units and no people.
    pub async fn delete_unit(&mut self, id: UnitId) -> Result<()> {
        let tenant = self.tenant();
        let before = get(&mut self.conn(), tenant, id).await?.ok_or(StoreError::NotFound)?;
        let (kids, people): (i64, i64) = on!(&mut self.conn(), c => sqlx::query_as(
            "SELECT (SELECT COUNT(*) FROM org_units WHERE tenant_id = $1 AND parent_id = $2), \
                    (SELECT COUNT(*) FROM people WHERE tenant_id = $1 AND unit_id = $2)",
        )
        .bind(tenant.0)
        .bind(id.0)
        .fetch_one(&mut *c)
        .await?);
        if kids > 0 || people > 0 {
            return Err(StoreError::Invalid("unit.not_empty"));
        }
        on!(&mut self.conn(), c => sqlx::query("DELETE FROM org_units WHERE tenant_id = $1 AND id = $2")
            .bind(tenant.0)
            .bind(id.0)
            .execute(&mut *c)
            .await.map(|r| r.rows_affected())?);
        self.audit(EventDraft::new(AuditClass::Admin, "unit.delete", "unit", id).before(describe(&before))).await
    }
}
