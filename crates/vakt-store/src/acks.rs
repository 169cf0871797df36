//! Acknowledgments ("read and understood"): the evidence records. There is no update or delete
//! path here, and triggers on both engines refuse UPDATE and DELETE of the table; a record is only
//! ever superseded by a new one.

use std::net::IpAddr;

use uuid::Uuid;
use vakt_core::audit::{AuditClass, EventDraft};
use vakt_core::directory::{PersonId, TenantId};
use vakt_core::instructions::{
    AckId, AckMethod, AckParts, Acknowledgment, InstructionId, TextHash, VersionId, VersionNumber,
};

use crate::db::{Conn, Db, WriteTx, on, values_placeholders};
use crate::error::{Result, StoreError, corrupt};
use crate::types::{Ts, ts};

#[derive(sqlx::FromRow)]
pub(crate) struct AckRow {
    id: Uuid,
    person_id: Uuid,
    instruction_id: Uuid,
    version_id: Uuid,
    major: i64,
    minor: i64,
    text_sha256: String,
    method: String,
    at: Ts,
    ip: Option<String>,
    user_agent: Option<String>,
    supersedes_id: Option<Uuid>,
}

impl AckRow {
    pub(crate) fn into_ack(self) -> Result<Acknowledgment> {
        let num = |n: i64| u32::try_from(n).map_err(|_| corrupt("version number", &n.to_string()));
        Ok(Acknowledgment::from_parts(AckParts {
            id: AckId(self.id),
            person: PersonId(self.person_id),
            instruction: InstructionId(self.instruction_id),
            version_id: VersionId(self.version_id),
            version: VersionNumber {
                major: num(self.major)?,
                minor: num(self.minor)?,
            },
            text_sha256: TextHash::try_from(self.text_sha256.clone())
                .map_err(|_| corrupt("acknowledgment hash", &self.text_sha256))?,
            method: AckMethod::parse(&self.method)
                .ok_or_else(|| corrupt("acknowledgment method", &self.method))?,
            at: self.at.0,
            ip: self.ip.as_deref().and_then(|s| s.parse::<IpAddr>().ok()),
            user_agent: self.user_agent,
            supersedes: self.supersedes_id.map(AckId),
        }))
    }
}

const ACK_COLS: &str = "id, person_id, instruction_id, version_id, major, minor, text_sha256, method, at, ip, \
     user_agent, supersedes_id";

pub(crate) async fn latest_for(
    conn: &mut Conn<'_>,
    tenant: TenantId,
    person: PersonId,
    instruction: InstructionId,
) -> Result<Option<Acknowledgment>> {
    let sql = format!(
        "SELECT {ACK_COLS} FROM acknowledgments WHERE tenant_id = $1 AND person_id = $2 AND instruction_id = $3 \
         ORDER BY major DESC, minor DESC, at DESC, id DESC LIMIT 1"
    );
    let row: Option<AckRow> = on!(conn, c => sqlx::query_as(&sql).bind(tenant.0).bind(person.0).bind(instruction.0).fetch_optional(&mut *c).await?);
    row.map(AckRow::into_ack).transpose()
}

impl Db {
    /// One acknowledgment record.
    pub async fn ack(&self, tenant: TenantId, id: AckId) -> Result<Option<Acknowledgment>> {
        let sql =
            format!("SELECT {ACK_COLS} FROM acknowledgments WHERE tenant_id = $1 AND id = $2");
        let mut pc = self.acquire().await?;
        let row: Option<AckRow> = on!(&mut pc.conn(), c => sqlx::query_as(&sql).bind(tenant.0).bind(id.0).fetch_optional(&mut *c).await?);
        row.map(AckRow::into_ack).transpose()
    }

    /// Every acknowledgment a person has given (all instructions, superseded ones included), oldest first.
    pub async fn acks_of_person(
        &self,
        tenant: TenantId,
        person: PersonId,
    ) -> Result<Vec<Acknowledgment>> {
        let sql = format!(
            "SELECT {ACK_COLS} FROM acknowledgments WHERE tenant_id = $1 AND person_id = $2 ORDER BY at, id"
        );
        let mut pc = self.acquire().await?;
        let rows: Vec<AckRow> = on!(&mut pc.conn(), c => sqlx::query_as(&sql).bind(tenant.0).bind(person.0).fetch_all(&mut *c).await?);
        rows.into_iter().map(AckRow::into_ack).collect()
    }

    /// Every acknowledgment of one instruction, oldest first.
    pub async fn acks_of_instruction(
        &self,
        tenant: TenantId,
        instruction: InstructionId,
    ) -> Result<Vec<Acknowledgment>> {
        let sql = format!(
            "SELECT {ACK_COLS} FROM acknowledgments WHERE tenant_id = $1 AND instruction_id = $2 ORDER BY at, id"
        );
        let mut pc = self.acquire().await?;
        let rows: Vec<AckRow> = on!(&mut pc.conn(), c => sqlx::query_as(&sql).bind(tenant.0).bind(instruction.0).fetch_all(&mut *c).await?);
        rows.into_iter().map(AckRow::into_ack).collect()
    }

    /// The person's latest acknowledgment of an instruction (the one a new signature supersedes).
    pub async fn latest_ack(
        &self,
        tenant: TenantId,
        person: PersonId,
        instruction: InstructionId,
    ) -> Result<Option<Acknowledgment>> {
        let mut pc = self.acquire().await?;
        latest_for(&mut pc.conn(), tenant, person, instruction).await
    }
}

impl WriteTx {
    /// The standings sequence for acknowledgments this transaction is about to add: one move of the
    /// tenant's sequence (counted as an acknowledgment move), whose row stays locked until the
    /// transaction ends. Every record added carries it, so a reader that has counted up to any
    /// sequence below it finds them by `seq` (see `instruction_status`'s overview deltas); the
    /// insert trigger then moves the sequence once more.
    async fn take_ack_seq(&mut self) -> Result<i64> {
        let tenant = self.tenant();
        let (seq,): (i64,) = on!(&mut self.conn(), c => sqlx::query_as(
            "INSERT INTO standings_seq (tenant_id, seq, acks) VALUES ($1, 1, 1) ON CONFLICT (tenant_id) \
             DO UPDATE SET seq = standings_seq.seq + 1, acks = standings_seq.acks + 1 RETURNING seq",
        )
        .bind(tenant.0)
        .fetch_one(&mut *c)
        .await?);
        Ok(seq)
    }

    /// Stores an acknowledgment built by `vakt_core` ([`Acknowledgment::record`] or
    /// [`Acknowledgment::supersede`]) and audits it. The version must be published, belong to the
    /// instruction, carry the record's number, and its stored text hash must be the record's hash.
    /// A record that supersedes another must point at the person's latest one.
    pub async fn record_ack(&mut self, ack: &Acknowledgment) -> Result<()> {
        let tenant = self.tenant();
        let v: Option<(Uuid, i64, i64, String, String)> = on!(&mut self.conn(), c => sqlx::query_as(
            "SELECT instruction_id, major, minor, body_sha256, state FROM instruction_versions \
             WHERE tenant_id = $1 AND id = $2",
        )
        .bind(tenant.0)
        .bind(ack.version_id().0)
        .fetch_optional(&mut *c)
        .await?);
        let (instruction, major, minor, hash, state) =
            v.ok_or(StoreError::Invalid("ack.version_unknown"))?;
        if instruction != ack.instruction().0
            || major != i64::from(ack.version().major)
            || minor != i64::from(ack.version().minor)
        {
            return Err(StoreError::Invalid("ack.version_mismatch"));
        }
        if hash != ack.text_sha256().to_hex() {
            return Err(StoreError::Invalid("ack.text_mismatch"));
        }
        if state != "published" {
            return Err(StoreError::Invalid("ack.version_not_published"));
        }
        let latest = latest_for(&mut self.conn(), tenant, ack.person(), ack.instruction()).await?;
        if ack.supersedes() != latest.as_ref().map(Acknowledgment::id) {
            return Err(StoreError::Invalid("ack.supersedes_wrong_record"));
        }
        let seq = self.take_ack_seq().await?;
        on!(&mut self.conn(), c => sqlx::query(
            "INSERT INTO acknowledgments (id, tenant_id, person_id, instruction_id, version_id, major, minor, \
             text_sha256, method, at, ip, user_agent, supersedes_id, seq) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
        )
        .bind(ack.id().0)
        .bind(tenant.0)
        .bind(ack.person().0)
        .bind(ack.instruction().0)
        .bind(ack.version_id().0)
        .bind(i64::from(ack.version().major))
        .bind(i64::from(ack.version().minor))
        .bind(ack.text_sha256().to_hex())
        .bind(ack.method().as_str())
        .bind(ts(ack.at()))
        .bind(ack.ip().map(|ip| ip.to_string()))
        .bind(ack.user_agent())
        .bind(ack.supersedes().map(|s| s.0))
        .bind(seq)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected())?);
        self.audit(
            EventDraft::new(
                AuditClass::Admin,
                "instruction.ack",
                "acknowledgment",
                ack.id(),
            )
            .person(ack.person())
            .after(format!(
                "instruction={} version={} sha256={} method={}{}",
                ack.instruction(),
                ack.version(),
                ack.text_sha256().to_hex(),
                ack.method().as_str(),
                ack.supersedes()
                    .map(|s| format!(" supersedes={s}"))
                    .unwrap_or_default()
            )),
        )
        .await
    }

    /// Stores many acknowledgments at once (demo and benchmark data, imports of historic
    /// signatures), with one summary audit event. Each record's version must be published and its
    /// hash must be the version's; records are inserted as given (no supersede check).
    pub async fn bulk_insert_acks(&mut self, acks: &[Acknowledgment]) -> Result<u64> {
        let tenant = self.tenant();
        let mut checked: std::collections::HashMap<VersionId, bool> =
            std::collections::HashMap::new();
        for a in acks {
            if let std::collections::hash_map::Entry::Vacant(e) = checked.entry(a.version_id()) {
                let v: Option<(Uuid, String, String)> = on!(&mut self.conn(), c => sqlx::query_as(
                    "SELECT instruction_id, body_sha256, state FROM instruction_versions WHERE tenant_id = $1 AND id = $2",
                )
                .bind(tenant.0)
                .bind(a.version_id().0)
                .fetch_optional(&mut *c)
                .await?);
                let ok = v.is_some_and(|(i, h, st)| {
                    i == a.instruction().0 && h == a.text_sha256().to_hex() && st == "published"
                });
                e.insert(ok);
            }
            if checked.get(&a.version_id()) != Some(&true) {
                return Err(StoreError::Invalid("ack.version_mismatch"));
            }
        }
        const COLS: usize = 14;
        let engine = self.conn().engine();
        for chunk in acks.chunks(1000) {
            let seq = self.take_ack_seq().await?;
            let sql = format!(
                "INSERT INTO acknowledgments (id, tenant_id, person_id, instruction_id, version_id, major, minor, \
                 text_sha256, method, at, ip, user_agent, supersedes_id, seq) VALUES {}",
                values_placeholders(engine, chunk.len(), COLS)
            );
            on!(&mut self.conn(), c => {
                let mut q = sqlx::query(&sql);
                for a in chunk {
                    q = q
                        .bind(a.id().0)
                        .bind(tenant.0)
                        .bind(a.person().0)
                        .bind(a.instruction().0)
                        .bind(a.version_id().0)
                        .bind(i64::from(a.version().major))
                        .bind(i64::from(a.version().minor))
                        .bind(a.text_sha256().to_hex())
                        .bind(a.method().as_str())
                        .bind(ts(a.at()))
                        .bind(a.ip().map(|ip| ip.to_string()))
                        .bind(a.user_agent().map(str::to_owned))
                        .bind(a.supersedes().map(|s| s.0))
                        .bind(seq);
                }
                q.execute(&mut *c).await.map(|r| r.rows_affected())?
            });
        }
        let n = acks.len() as u64;
        self.audit(
            EventDraft::new(
                AuditClass::Admin,
                "instruction.ack_bulk_insert",
                "acknowledgment",
                tenant,
            )
            .after(format!("{n} acknowledgments")),
        )
        .await?;
        Ok(n)
    }
}
