//! Tenants and their settings (tenant-wide and per-unit overrides, stored as JSON).

use serde::{Deserialize, Serialize};
use serde_json::Value;
use sqlx::types::Json;
use uuid::Uuid;
use vakt_core::Country;
use vakt_core::audit::{Actor, AuditClass, AuditCtx, EventDraft};
use vakt_core::directory::{Language, Tenant, TenantId, UnitId, valid_slug};

use crate::db::{Conn, Db, WriteTx, on};
use crate::error::{Result, StoreError, conflict_as, corrupt};
use crate::types::ts;

/// A new tenant. Language and time zone default from the country; when given, they are written into
/// the tenant's settings document (the one place they are kept, see `vakt_core::settings::Settings`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewTenant {
    pub slug: String,
    pub name: String,
    pub country: Country,
    pub default_language: Option<Language>,
    pub time_zone: Option<String>,
}

/// Changes to a tenant's own fields (language and time zone are settings: [`WriteTx::set_tenant_settings`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TenantUpdate {
    pub name: String,
}

#[derive(sqlx::FromRow)]
struct TenantRow {
    id: Uuid,
    slug: String,
    name: String,
    country: String,
}

impl TenantRow {
    fn into_tenant(self) -> Result<Tenant> {
        Ok(Tenant {
            id: TenantId(self.id),
            country: Country::parse(&self.country)
                .ok_or_else(|| corrupt("country", &self.country))?,
            slug: self.slug,
            name: self.name,
        })
    }
}

const TENANT_COLS: &str = "id, slug, name, country";

pub(crate) async fn get(conn: &mut Conn<'_>, id: TenantId) -> Result<Option<Tenant>> {
    let sql = format!("SELECT {TENANT_COLS} FROM tenants WHERE id = $1");
    let row: Option<TenantRow> =
        on!(conn, c => sqlx::query_as(&sql).bind(id.0).fetch_optional(&mut *c).await?);
    row.map(TenantRow::into_tenant).transpose()
}

fn compact(v: &Value) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

impl Db {
    /// Creates a tenant. Its audit chain starts with this event (`tenant.create`).
    pub async fn create_tenant(&self, actor: &Actor, new: NewTenant) -> Result<Tenant> {
        if !valid_slug(&new.slug) {
            return Err(StoreError::Invalid("tenant.slug_invalid"));
        }
        if new.name.trim().is_empty() || new.name.chars().count() > 200 {
            return Err(StoreError::Invalid("tenant.name_invalid"));
        }
        let tenant = Tenant {
            id: TenantId::new(),
            slug: new.slug,
            name: new.name.trim().to_string(),
            country: new.country,
        };
        let mut settings = serde_json::Map::new();
        if let Some(l) = new.default_language {
            settings.insert("default_language".into(), Value::from(l.as_str()));
        }
        if let Some(tz) = new.time_zone {
            settings.insert("time_zone".into(), Value::from(tz));
        }
        let settings = Value::Object(settings);
        let valid = vakt_core::settings::Settings::from_stored(tenant.country, &settings)
            .map(|s| s.validate().is_ok())
            .unwrap_or(false);
        if !valid {
            return Err(StoreError::Invalid("tenant.settings_invalid"));
        }
        let ctx = AuditCtx::new(tenant.id, actor.clone());
        let mut tx = self.write(&ctx).await?;
        let now = tx.now();
        on!(&mut tx.conn(), c => sqlx::query(
            "INSERT INTO tenants (id, slug, name, country, settings, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(tenant.id.0)
        .bind(&tenant.slug)
        .bind(&tenant.name)
        .bind(tenant.country.as_str())
        .bind(Json(&settings))
        .bind(ts(now))
        .execute(&mut *c)
        .await.map(|r| r.rows_affected())
        .map_err(StoreError::from)
        .map_err(conflict_as("tenant.slug_taken"))?);
        tx.audit(
            EventDraft::new(AuditClass::Admin, "tenant.create", "tenant", tenant.id).after(
                format!(
                    "{} ({}, {})",
                    tenant.name,
                    tenant.slug,
                    tenant.country.as_str()
                ),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(tenant)
    }

    pub async fn tenant(&self, id: TenantId) -> Result<Option<Tenant>> {
        let mut pc = self.acquire().await?;
        get(&mut pc.conn(), id).await
    }

    pub async fn tenant_by_slug(&self, slug: &str) -> Result<Option<Tenant>> {
        let sql = format!("SELECT {TENANT_COLS} FROM tenants WHERE slug = $1");
        let mut pc = self.acquire().await?;
        let row: Option<TenantRow> = on!(&mut pc.conn(), c => sqlx::query_as(&sql).bind(slug).fetch_optional(&mut *c).await?);
        row.map(TenantRow::into_tenant).transpose()
    }

    /// All tenants (for the host admin and for the CLI), by name.
    pub async fn tenants(&self) -> Result<Vec<Tenant>> {
        let sql = format!("SELECT {TENANT_COLS} FROM tenants ORDER BY name, id");
        let mut pc = self.acquire().await?;
        let rows: Vec<TenantRow> =
            on!(&mut pc.conn(), c => sqlx::query_as(&sql).fetch_all(&mut *c).await?);
        rows.into_iter().map(TenantRow::into_tenant).collect()
    }

    /// The tenant's settings document (`{}` when none set). Types live in `vakt_core::settings`.
    pub async fn tenant_settings(&self, tenant: TenantId) -> Result<Value> {
        let mut pc = self.acquire().await?;
        let row: Option<(Json<Value>,)> = on!(&mut pc.conn(), c => sqlx::query_as("SELECT settings FROM tenants WHERE id = $1")
            .bind(tenant.0)
            .fetch_optional(&mut *c)
            .await?);
        row.map(|(j,)| j.0).ok_or(StoreError::NotFound)
    }

    /// A unit's settings override (`None` when it has none).
    pub async fn unit_settings(&self, tenant: TenantId, unit: UnitId) -> Result<Option<Value>> {
        let mut pc = self.acquire().await?;
        let row: Option<(Option<Json<Value>>,)> = on!(&mut pc.conn(), c => sqlx::query_as(
            "SELECT settings FROM org_units WHERE tenant_id = $1 AND id = $2",
        )
        .bind(tenant.0)
        .bind(unit.0)
        .fetch_optional(&mut *c)
        .await?);
        row.map(|(j,)| j.map(|j| j.0)).ok_or(StoreError::NotFound)
    }

    /// All unit overrides of the tenant, for resolving effective settings in one read.
    pub async fn all_unit_settings(&self, tenant: TenantId) -> Result<Vec<(UnitId, Value)>> {
        let mut pc = self.acquire().await?;
        let rows: Vec<(Uuid, Json<Value>)> = on!(&mut pc.conn(), c => sqlx::query_as(
            "SELECT id, settings FROM org_units WHERE tenant_id = $1 AND settings IS NOT NULL",
        )
        .bind(tenant.0)
        .fetch_all(&mut *c)
        .await?);
        Ok(rows.into_iter().map(|(u, j)| (UnitId(u), j.0)).collect())
    }
}

impl WriteTx {
    pub async fn update_tenant(&mut self, upd: TenantUpdate) -> Result<Tenant> {
        let tenant = self.tenant();
        let before = get(&mut self.conn(), tenant)
            .await?
            .ok_or(StoreError::NotFound)?;
        if upd.name.trim().is_empty() || upd.name.chars().count() > 200 {
            return Err(StoreError::Invalid("tenant.name_invalid"));
        }
        on!(&mut self.conn(), c => sqlx::query("UPDATE tenants SET name = $2 WHERE id = $1")
            .bind(tenant.0)
            .bind(upd.name.trim())
            .execute(&mut *c)
            .await.map(|r| r.rows_affected())?);
        let after = Tenant {
            name: upd.name.trim().to_string(),
            ..before.clone()
        };
        self.audit(
            EventDraft::new(AuditClass::Admin, "tenant.update", "tenant", tenant)
                .before(before.name.clone())
                .after(after.name.clone()),
        )
        .await?;
        Ok(after)
    }

    /// Replaces the tenant's settings document.
    pub async fn set_tenant_settings(&mut self, settings: &Value) -> Result<()> {
        let tenant = self.tenant();
        let before: Option<(Json<Value>,)> = on!(&mut self.conn(), c => sqlx::query_as("SELECT settings FROM tenants WHERE id = $1")
            .bind(tenant.0)
            .fetch_optional(&mut *c)
            .await?);
        let before = before.ok_or(StoreError::NotFound)?.0.0;
        on!(&mut self.conn(), c => sqlx::query("UPDATE tenants SET settings = $2 WHERE id = $1")
            .bind(tenant.0)
            .bind(Json(settings))
            .execute(&mut *c)
            .await.map(|r| r.rows_affected())?);
        self.audit(
            EventDraft::new(AuditClass::Security, "settings.update", "tenant", tenant)
                .before(compact(&before))
                .after(compact(settings)),
        )
        .await
    }

    /// Sets or clears (`None`) a unit's settings override.
    pub async fn set_unit_settings(
        &mut self,
        unit: UnitId,
        settings: Option<&Value>,
    ) -> Result<()> {
        let tenant = self.tenant();
        let before: Option<(Option<Json<Value>>,)> = on!(&mut self.conn(), c => sqlx::query_as(
            "SELECT settings FROM org_units WHERE tenant_id = $1 AND id = $2",
        )
        .bind(tenant.0)
        .bind(unit.0)
        .fetch_optional(&mut *c)
        .await?);
        let before = before.ok_or(StoreError::NotFound)?.0.map(|j| j.0);
        on!(&mut self.conn(), c => sqlx::query("UPDATE org_units SET settings = $3 WHERE tenant_id = $1 AND id = $2")
            .bind(tenant.0)
            .bind(unit.0)
            .bind(settings.map(Json))
            .execute(&mut *c)
            .await.map(|r| r.rows_affected())?);
        self.audit(
            EventDraft::new(AuditClass::Security, "settings.unit_update", "unit", unit)
                .before(before.as_ref().map(compact).unwrap_or_default())
                .after(settings.map(compact).unwrap_or_default()),
        )
        .await
    }
}
