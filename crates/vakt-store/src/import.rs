//! Applying a validated people import (`vakt_core::directory::validate_people_csv`).
//!
//! Idempotent on employee number: new numbers are created, known ones updated when something
//! changed, unchanged rows are left alone. All rows are written in one transaction with batched
//! multi-row upserts. Audit: one `person.import_create` / `person.import_update` event per changed
//! person (with before/after), plus one `people.import` summary event with the counts.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use vakt_core::audit::{AuditClass, EventDraft};
use vakt_core::directory::{ImportContext, ImportPlan, Person, PersonId, TenantId, UnitId};

use crate::db::{Db, WriteTx, on, values_placeholders};
use crate::error::{Result, StoreError};
use crate::people::{PERSON_COLS, PERSON_WRITE_COLS, PERSON_WRITE_NCOLS, PersonRow, bind_person, describe};

const BATCH: usize = 500;

/// What to do when the plan has bad rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportMode {
    /// Write nothing if any row is bad.
    AllOrNothing,
    /// Write the good rows and report the skipped ones.
    SkipInvalid,
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportOutcome {
    pub created: u64,
    pub updated: u64,
    pub unchanged: u64,
    /// Lines of rows that were skipped because they were invalid.
    pub skipped_lines: Vec<u64>,
}

async fn load_people(conn: &mut crate::db::Conn<'_>, tenant: TenantId) -> Result<Vec<Person>> {
    let sql = format!("SELECT {PERSON_COLS} FROM people WHERE tenant_id = $1");
    let rows: Vec<PersonRow> = on!(conn, c => sqlx::query_as(&sql).bind(tenant.0).fetch_all(&mut *c).await?);
    rows.into_iter().map(PersonRow::into_person).collect()
}

impl Db {
    /// What `validate_people_csv` needs to know about the tenant: unit codes and known employee
    /// numbers.
    pub async fn import_context(&self, tenant: TenantId) -> Result<ImportContext> {
        let mut pc = self.acquire().await?;
        let mut conn = pc.conn();
        let codes: Vec<(String,)> = on!(&mut conn, c => sqlx::query_as("SELECT code FROM org_units WHERE tenant_id = $1")
            .bind(tenant.0)
            .fetch_all(&mut *c)
            .await?);
        let numbers: Vec<(String,)> = on!(&mut conn, c => sqlx::query_as("SELECT employee_number FROM people WHERE tenant_id = $1")
            .bind(tenant.0)
            .fetch_all(&mut *c)
            .await?);
        Ok(ImportContext {
            unit_codes: codes.into_iter().map(|(c,)| c).collect(),
            known_employee_numbers: numbers.into_iter().map(|(n,)| n).collect(),
        })
    }
}

impl WriteTx {
    /// Applies a validated plan in this transaction (see the module docs).
    pub async fn apply_import(&mut self, plan: &ImportPlan, mode: ImportMode) -> Result<ImportOutcome> {
        if mode == ImportMode::AllOrNothing && !plan.errors.is_empty() {
            return Err(StoreError::ImportRejected(plan.errors.clone()));
        }
        let tenant = self.tenant();
        let now = self.now();
        let units: HashMap<String, UnitId> =
            crate::units::all(&mut self.conn(), tenant).await?.into_iter().map(|u| (u.code, u.id)).collect();
        let existing: HashMap<String, Person> = load_people(&mut self.conn(), tenant)
            .await?
            .into_iter()
            .map(|p| (p.employee_number.clone(), p))
            .collect();
        let mut ids: HashMap<&str, PersonId> = existing.iter().map(|(k, p)| (k.as_str(), p.id)).collect();
        for r in &plan.rows {
            ids.entry(r.employee_number.as_str()).or_insert_with(PersonId::new);
        }
        let mut out = ImportOutcome { skipped_lines: plan.bad_lines(), ..Default::default() };
        let mut writes: Vec<Person> = Vec::new();
        let mut drafts: Vec<EventDraft> = Vec::new();
        for r in &plan.rows {
            let unit = match &r.unit_code {
                None => None,
                Some(code) => Some(*units.get(code).ok_or(StoreError::Invalid("import.unit_unknown"))?),
            };
            let manager = match &r.manager_employee_number {
                None => None,
                Some(m) => Some(*ids.get(m.as_str()).ok_or(StoreError::Invalid("import.manager_unknown"))?),
            };
            let id = *ids.get(r.employee_number.as_str()).ok_or(StoreError::Invalid("import.internal"))?;
            let p = Person {
                id,
                tenant,
                employee_number: r.employee_number.clone(),
                given_name: r.given_name.clone(),
                family_name: r.family_name.clone(),
                email: r.email.clone(),
                kind: r.kind,
                unit,
                manager,
                employment: r.employment,
                birth_date: r.birth_date,
                preferred_language: r.language,
            };
            match existing.get(&r.employee_number) {
                Some(old) if *old == p => out.unchanged += 1,
                Some(old) => {
                    out.updated += 1;
                    drafts.push(
                        EventDraft::new(AuditClass::Admin, "person.import_update", "person", id)
                            .person(id)
                            .before(describe(old))
                            .after(describe(&p)),
                    );
                    writes.push(p);
                }
                None => {
                    out.created += 1;
                    drafts.push(
                        EventDraft::new(AuditClass::Admin, "person.import_create", "person", id)
                            .person(id)
                            .after(describe(&p)),
                    );
                    writes.push(p);
                }
            }
        }
        for chunk in writes.chunks(BATCH) {
            let sql = format!(
                "INSERT INTO people ({PERSON_WRITE_COLS}) VALUES {} ON CONFLICT (tenant_id, employee_number) DO UPDATE SET \
                 given_name = excluded.given_name, family_name = excluded.family_name, email = excluded.email, \
                 kind = excluded.kind, unit_id = excluded.unit_id, manager_id = excluded.manager_id, \
                 state = excluded.state, start_date = excluded.start_date, end_date = excluded.end_date, \
                 birth_date = excluded.birth_date, language = excluded.language, search_text = excluded.search_text, \
                 sort_key = excluded.sort_key, updated_at = excluded.updated_at",
                values_placeholders(chunk.len(), PERSON_WRITE_NCOLS)
            );
            on!(&mut self.conn(), c => {
                let mut q = sqlx::query(&sql);
                for p in chunk {
                    q = bind_person!(q, p, now);
                }
                q.execute(&mut *c).await.map(|r| r.rows_affected())?
            });
        }
        drafts.push(EventDraft::new(AuditClass::Admin, "people.import", "tenant", tenant).after(format!(
            "created {} updated {} unchanged {} skipped {}",
            out.created,
            out.updated,
            out.unchanged,
            out.skipped_lines.len()
        )));
        self.audit_many(drafts).await?;
        Ok(out)
    }
}
