//! The audit trail on disk: appending to each tenant's chain, verifying it, searching it, purging
//! under retention with legal holds and checkpoints.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;
use vakt_core::audit::{
    Actor, AuditClass, AuditCtx, AuditEvent, AuditRetention, BreakReason, ChainBreak, ChainHash,
    ChainVerifier, Checkpoint, EventDraft, HoldScope, VerifyReport, purgeable,
};
use vakt_core::directory::{AccountId, PersonId, TenantId};

use crate::db::{Arg, Args, Conn, Db, Engine, WriteTx, bind_args, on, values_placeholders};
use crate::error::{Result, StoreError, corrupt};
use crate::types::{Ts, ts};

const EVENT_COLS: &str = "tenant_id, seq, at, class, actor_account, actor_person, actor_label, ip, action, \
     object_type, object_id, person_id, before_text, after_text, redacted, content_hash, prev_hash, hash";
const EVENT_NCOLS: usize = 18;
const INSERT_BATCH: usize = 500;
const VERIFY_PAGE: i64 = 2000;

#[derive(sqlx::FromRow)]
struct EventRow {
    tenant_id: Uuid,
    seq: i64,
    at: Ts,
    class: String,
    actor_account: Option<Uuid>,
    actor_person: Option<Uuid>,
    actor_label: String,
    ip: Option<String>,
    action: String,
    object_type: String,
    object_id: String,
    person_id: Option<Uuid>,
    before_text: Option<String>,
    after_text: Option<String>,
    redacted: bool,
    content_hash: String,
    prev_hash: String,
    hash: String,
}

impl EventRow {
    fn into_event(self) -> Result<AuditEvent> {
        let h = |s: &str| s.parse::<ChainHash>().map_err(|_| corrupt("audit hash", s));
        Ok(AuditEvent {
            tenant: TenantId(self.tenant_id),
            seq: self.seq,
            at: self.at.0,
            class: AuditClass::parse(&self.class)
                .ok_or_else(|| corrupt("audit class", &self.class))?,
            actor: Actor {
                account: self.actor_account.map(AccountId),
                person: self.actor_person.map(PersonId),
                label: self.actor_label,
            },
            ip: self.ip,
            action: self.action,
            object_type: self.object_type,
            object_id: self.object_id,
            person: self.person_id.map(PersonId),
            before: self.before_text,
            after: self.after_text,
            redacted: self.redacted,
            content_hash: h(&self.content_hash)?,
            prev_hash: h(&self.prev_hash)?,
            hash: h(&self.hash)?,
        })
    }
}

#[derive(sqlx::FromRow)]
struct HeadRow {
    seq: i64,
    hash: String,
    checkpoint_seq: i64,
    checkpoint_hash: String,
}

/// A tenant's chain head and purge checkpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainState {
    pub head: Checkpoint,
    pub checkpoint: Checkpoint,
}

fn parse_head(r: HeadRow) -> Result<ChainState> {
    let h = |s: &str| {
        s.parse::<ChainHash>()
            .map_err(|_| corrupt("audit head hash", s))
    };
    Ok(ChainState {
        head: Checkpoint {
            seq: r.seq,
            hash: h(&r.hash)?,
        },
        checkpoint: Checkpoint {
            seq: r.checkpoint_seq,
            hash: h(&r.checkpoint_hash)?,
        },
    })
}

/// Seals `drafts` onto the tenant's chain and inserts them. On PostgreSQL the chain-head row is
/// locked (`FOR UPDATE`), so concurrent appends of one tenant are serialised; SQLite write
/// transactions are already serial (`BEGIN IMMEDIATE`).
pub(crate) async fn append(
    conn: &mut Conn<'_>,
    ctx: &AuditCtx,
    now: OffsetDateTime,
    drafts: Vec<EventDraft>,
) -> Result<Vec<AuditEvent>> {
    let genesis = ChainHash::GENESIS.to_hex();
    let tenant = ctx.tenant.0;
    let select = match conn.engine() {
        Engine::Sqlite => {
            "SELECT seq, hash, checkpoint_seq, checkpoint_hash FROM audit_heads WHERE tenant_id = $1"
        }
        Engine::Postgres => {
            "SELECT seq, hash, checkpoint_seq, checkpoint_hash FROM audit_heads WHERE tenant_id = $1 FOR UPDATE"
        }
    };
    let head: HeadRow = on!(conn, c => {
        sqlx::query(
            "INSERT INTO audit_heads (tenant_id, seq, hash, checkpoint_seq, checkpoint_hash) \
             VALUES ($1, 0, $2, 0, $2) ON CONFLICT (tenant_id) DO NOTHING",
        )
        .bind(tenant)
        .bind(&genesis)
        .execute(&mut *c)
        .await.map(|r| r.rows_affected())?;
        sqlx::query_as(select).bind(tenant).fetch_one(&mut *c).await?
    });
    let mut prev = parse_head(head)?.head;
    let mut sealed = Vec::with_capacity(drafts.len());
    for d in drafts {
        let ev = AuditEvent::seal(ctx, d, now, prev);
        prev = Checkpoint {
            seq: ev.seq,
            hash: ev.hash,
        };
        sealed.push(ev);
    }
    for chunk in sealed.chunks(INSERT_BATCH) {
        let sql = format!(
            "INSERT INTO audit_events ({EVENT_COLS}) VALUES {}",
            values_placeholders(conn.engine(), chunk.len(), EVENT_NCOLS)
        );
        on!(conn, c => {
            let mut q = sqlx::query(&sql);
            for ev in chunk {
                q = q
                    .bind(ev.tenant.0)
                    .bind(ev.seq)
                    .bind(ts(ev.at))
                    .bind(ev.class.as_str())
                    .bind(ev.actor.account.map(|a| a.0))
                    .bind(ev.actor.person.map(|p| p.0))
                    .bind(ev.actor.label.as_str())
                    .bind(ev.ip.as_deref())
                    .bind(ev.action.as_str())
                    .bind(ev.object_type.as_str())
                    .bind(ev.object_id.as_str())
                    .bind(ev.person.map(|p| p.0))
                    .bind(ev.before.as_deref())
                    .bind(ev.after.as_deref())
                    .bind(ev.redacted)
                    .bind(ev.content_hash.to_hex())
                    .bind(ev.prev_hash.to_hex())
                    .bind(ev.hash.to_hex());
            }
            q.execute(&mut *c).await.map(|r| r.rows_affected())?
        });
    }
    on!(conn, c => sqlx::query("UPDATE audit_heads SET seq = $2, hash = $3 WHERE tenant_id = $1")
        .bind(tenant)
        .bind(prev.seq)
        .bind(prev.hash.to_hex())
        .execute(&mut *c)
        .await.map(|r| r.rows_affected())?);
    Ok(sealed)
}

/// Filters for the audit search. All given filters must match.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    /// Events by or about this person.
    pub person: Option<PersonId>,
    pub actor_account: Option<AccountId>,
    pub object_type: Option<String>,
    pub object_id: Option<String>,
    /// Exact action, or a prefix when it ends with `.` (e.g. `auth.`).
    pub action: Option<String>,
    pub class: Option<AuditClass>,
    /// From this instant (inclusive).
    pub from: Option<OffsetDateTime>,
    /// Until this instant (exclusive).
    pub until: Option<OffsetDateTime>,
}

/// What a purge did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PurgeOutcome {
    /// Events whose content was removed (kept as links of the chain).
    pub redacted: u64,
    /// Events deleted from the start of the chain.
    pub deleted: u64,
    /// Where the remaining chain now starts.
    pub checkpoint: Checkpoint,
}

/// A legal hold: events it covers are never purged while it is active.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LegalHold {
    pub id: Uuid,
    pub tenant: TenantId,
    pub scope: HoldScope,
    pub reason: String,
    pub created_by: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub released_at: Option<OffsetDateTime>,
}

#[derive(sqlx::FromRow)]
struct HoldRow {
    id: Uuid,
    tenant_id: Uuid,
    scope: String,
    reason: String,
    created_by: String,
    created_at: Ts,
    released_at: Option<Ts>,
}

impl HoldRow {
    fn into_hold(self) -> Result<LegalHold> {
        Ok(LegalHold {
            id: self.id,
            tenant: TenantId(self.tenant_id),
            scope: serde_json::from_str(&self.scope)
                .map_err(|_| corrupt("legal hold scope", &self.scope))?,
            reason: self.reason,
            created_by: self.created_by,
            created_at: self.created_at.0,
            released_at: self.released_at.map(|t| t.0),
        })
    }
}

async fn active_holds(conn: &mut Conn<'_>, tenant: TenantId) -> Result<Vec<LegalHold>> {
    let rows: Vec<HoldRow> = on!(conn, c => sqlx::query_as(
        "SELECT id, tenant_id, scope, reason, created_by, created_at, released_at FROM legal_holds \
         WHERE tenant_id = $1 AND released_at IS NULL ORDER BY created_at",
    )
    .bind(tenant.0)
    .fetch_all(&mut *c)
    .await?);
    rows.into_iter().map(HoldRow::into_hold).collect()
}

async fn chain_state(conn: &mut Conn<'_>, tenant: TenantId) -> Result<Option<ChainState>> {
    let row: Option<HeadRow> = on!(conn, c => sqlx::query_as(
        "SELECT seq, hash, checkpoint_seq, checkpoint_hash FROM audit_heads WHERE tenant_id = $1",
    )
    .bind(tenant.0)
    .fetch_optional(&mut *c)
    .await?);
    row.map(parse_head).transpose()
}

impl Db {
    /// The tenant's chain head and purge checkpoint (`None` before its first event).
    pub async fn audit_chain_state(&self, tenant: TenantId) -> Result<Option<ChainState>> {
        let mut pc = self.acquire().await?;
        chain_state(&mut pc.conn(), tenant).await
    }

    /// Every tenant that has an audit chain.
    pub async fn audit_tenants(&self) -> Result<Vec<TenantId>> {
        let mut pc = self.acquire().await?;
        let mut conn = pc.conn();
        let ids: Vec<(Uuid,)> = on!(&mut conn, c => sqlx::query_as("SELECT tenant_id FROM audit_heads ORDER BY tenant_id")
            .fetch_all(&mut *c)
            .await?);
        Ok(ids.into_iter().map(|(u,)| TenantId(u)).collect())
    }

    /// Verifies the tenant's whole chain, from its purge checkpoint to its recorded head.
    /// `Ok(Err(break))` names the first event that does not fit; `Err` is a database failure.
    pub async fn verify_audit(&self, tenant: TenantId) -> Result<Result<VerifyReport, ChainBreak>> {
        let mut pc = self.acquire().await?;
        let mut conn = pc.conn();
        let Some(state) = chain_state(&mut conn, tenant).await? else {
            return Ok(ChainVerifier::new(tenant, None).finish(None));
        };
        let mut v = ChainVerifier::new(tenant, Some(state.checkpoint));
        let mut after = state.checkpoint.seq;
        let sql = format!(
            "SELECT {EVENT_COLS} FROM audit_events WHERE tenant_id = $1 AND seq > $2 ORDER BY seq LIMIT $3"
        );
        loop {
            let page: std::result::Result<Vec<EventRow>, sqlx::Error> = on!(&mut conn, c => sqlx::query_as(&sql)
                .bind(tenant.0)
                .bind(after)
                .bind(VERIFY_PAGE)
                .fetch_all(&mut *c)
                .await);
            let rows = match page {
                Ok(rows) => rows,
                Err(sqlx::Error::ColumnDecode { .. }) | Err(sqlx::Error::Decode(_)) => {
                    // A changed value no longer decodes: find which row, and name it.
                    return Ok(Err(find_unreadable(&mut conn, tenant, after, &sql).await?));
                }
                Err(e) => return Err(e.into()),
            };
            if rows.is_empty() {
                break;
            }
            for row in rows {
                let seq = row.seq;
                let ev = match row.into_event() {
                    Ok(ev) => ev,
                    Err(_) => {
                        return Ok(Err(ChainBreak {
                            seq,
                            reason: BreakReason::Unreadable,
                        }));
                    }
                };
                if let Err(b) = v.push(&ev) {
                    return Ok(Err(b));
                }
                after = seq;
            }
        }
        Ok(v.finish(Some(state.head)))
    }

    /// Failed sign-ins (`auth.signin_failed` events) from `ip` in the tenant at or after `since`: the
    /// count behind vakt-core's per-address limit (`auth::ip_throttle`). Kept in the database, so every
    /// server process sees the same count.
    pub async fn signin_failures_from(
        &self,
        tenant: TenantId,
        ip: &str,
        since: time::OffsetDateTime,
    ) -> Result<u64> {
        let mut pc = self.acquire().await?;
        let (n,): (i64,) = on!(&mut pc.conn(), c => sqlx::query_as(
            "SELECT COUNT(*) FROM audit_events WHERE tenant_id = $1 AND action = 'auth.signin_failed' \
             AND ip = $2 AND at >= $3",
        )
        .bind(tenant.0)
        .bind(ip)
        .bind(crate::types::ts(since))
        .fetch_one(&mut *c)
        .await?);
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// Searches the tenant's audit events, newest first. Purged (redacted) events are left out.
    pub async fn search_audit(
        &self,
        tenant: TenantId,
        filter: &AuditFilter,
        limit: u32,
        offset: u64,
    ) -> Result<Vec<AuditEvent>> {
        let mut args = Args::default();
        let mut sql = format!(
            "SELECT {EVENT_COLS} FROM audit_events WHERE tenant_id = {} AND redacted = FALSE",
            args.push(Arg::Uuid(tenant.0))
        );
        if let Some(p) = filter.person {
            let a = args.push(Arg::Uuid(p.0));
            sql.push_str(&format!(" AND (person_id = {a} OR actor_person = {a})"));
        }
        if let Some(a) = filter.actor_account {
            sql.push_str(&format!(
                " AND actor_account = {}",
                args.push(Arg::Uuid(a.0))
            ));
        }
        if let Some(t) = &filter.object_type {
            sql.push_str(&format!(
                " AND object_type = {}",
                args.push(Arg::Str(t.clone()))
            ));
        }
        if let Some(o) = &filter.object_id {
            sql.push_str(&format!(
                " AND object_id = {}",
                args.push(Arg::Str(o.clone()))
            ));
        }
        if let Some(a) = &filter.action {
            if a.ends_with('.') {
                let pat = format!("{}%", crate::db::like_escape(a));
                sql.push_str(&format!(
                    " AND action LIKE {} ESCAPE '\\'",
                    args.push(Arg::Str(pat))
                ));
            } else {
                sql.push_str(&format!(" AND action = {}", args.push(Arg::Str(a.clone()))));
            }
        }
        if let Some(c) = filter.class {
            sql.push_str(&format!(
                " AND class = {}",
                args.push(Arg::Str(c.as_str().into()))
            ));
        }
        if let Some(f) = filter.from {
            sql.push_str(&format!(" AND at >= {}", args.push(Arg::Ts(ts(f)))));
        }
        if let Some(u) = filter.until {
            sql.push_str(&format!(" AND at < {}", args.push(Arg::Ts(ts(u)))));
        }
        let l = args.push(Arg::I64(i64::from(limit.min(1000))));
        let o = args.push(Arg::I64(i64::try_from(offset).unwrap_or(i64::MAX)));
        sql.push_str(&format!(" ORDER BY seq DESC LIMIT {l} OFFSET {o}"));
        let mut pc = self.acquire().await?;
        let mut conn = pc.conn();
        on!(&mut conn, c => {
            let rows = bind_args(sqlx::query(&sql), &args.0).fetch_all(&mut *c).await?;
            rows.iter()
                .map(|r| <EventRow as sqlx::FromRow<_>>::from_row(r).map_err(StoreError::from).and_then(EventRow::into_event))
                .collect()
        })
    }

    /// Legal holds of the tenant (active only unless `include_released`).
    pub async fn legal_holds(
        &self,
        tenant: TenantId,
        include_released: bool,
    ) -> Result<Vec<LegalHold>> {
        let mut pc = self.acquire().await?;
        let mut conn = pc.conn();
        if !include_released {
            return active_holds(&mut conn, tenant).await;
        }
        let rows: Vec<HoldRow> = on!(&mut conn, c => sqlx::query_as(
            "SELECT id, tenant_id, scope, reason, created_by, created_at, released_at FROM legal_holds \
             WHERE tenant_id = $1 ORDER BY created_at",
        )
        .bind(tenant.0)
        .fetch_all(&mut *c)
        .await?);
        rows.into_iter().map(HoldRow::into_hold).collect()
    }

    /// Purges the tenant's audit events past their class's retention, except those under an active
    /// legal hold. Their content is removed (the event stays as a link of the chain); the run of
    /// purged events at the start of the chain is deleted and a checkpoint records where the rest
    /// starts. The purge is itself an audit event. Refused when the chain does not verify, so that
    /// a purge never hides tampering.
    pub async fn purge_audit(
        &self,
        ctx: &AuditCtx,
        retention: &AuditRetention,
    ) -> Result<PurgeOutcome> {
        if let Err(b) = self.verify_audit(ctx.tenant).await? {
            tracing::error!(tenant = %ctx.tenant, seq = b.seq, reason = b.reason.code(), "audit chain broken; purge refused");
            return Err(StoreError::Invalid("audit.chain_broken"));
        }
        let mut tx = self.write(ctx).await?;
        let tenant = ctx.tenant;
        let now = tx.now();
        let holds: Vec<HoldScope> = active_holds(&mut tx.conn(), tenant)
            .await?
            .into_iter()
            .map(|h| h.scope)
            .collect();
        let mut to_redact: Vec<i64> = Vec::new();
        for class in AuditClass::ALL {
            let Some(cutoff) = retention.cutoff(class, now) else {
                continue;
            };
            let sql = format!(
                "SELECT {EVENT_COLS} FROM audit_events WHERE tenant_id = $1 AND class = $2 AND at <= $3 \
                 AND redacted = FALSE ORDER BY seq"
            );
            let rows: Vec<EventRow> = on!(&mut tx.conn(), c => sqlx::query_as(&sql)
                .bind(tenant.0)
                .bind(class.as_str())
                .bind(ts(cutoff))
                .fetch_all(&mut *c)
                .await?);
            for r in rows {
                let ev = r.into_event()?;
                if purgeable(&ev, retention, now, &holds) {
                    to_redact.push(ev.seq);
                }
            }
        }
        for chunk in to_redact.chunks(500) {
            let list = (0..chunk.len())
                .map(|i| format!("${}", i + 2))
                .collect::<Vec<_>>()
                .join(", ");
            let sql = format!(
                "UPDATE audit_events SET actor_account = NULL, actor_person = NULL, actor_label = '', ip = NULL, \
                 action = '', object_type = '', object_id = '', person_id = NULL, before_text = NULL, \
                 after_text = NULL, redacted = TRUE WHERE tenant_id = $1 AND seq IN ({list})"
            );
            on!(&mut tx.conn(), c => {
                let mut q = sqlx::query(&sql).bind(tenant.0);
                for s in chunk {
                    q = q.bind(*s);
                }
                q.execute(&mut *c).await.map(|r| r.rows_affected())?
            });
        }
        // The purge event itself; appended before compaction so the chain keeps a live event.
        tx.audit(
            EventDraft::new(AuditClass::Security, "audit.purge", "audit", tenant)
                .after(format!("redacted {}", to_redact.len())),
        )
        .await?;
        let first_kept: Option<(i64, String)> = on!(&mut tx.conn(), c => sqlx::query_as(
            "SELECT seq, prev_hash FROM audit_events WHERE tenant_id = $1 AND redacted = FALSE ORDER BY seq LIMIT 1",
        )
        .bind(tenant.0)
        .fetch_optional(&mut *c)
        .await?);
        let state = chain_state(&mut tx.conn(), tenant)
            .await?
            .ok_or(StoreError::NotFound)?;
        let mut checkpoint = state.checkpoint;
        let mut deleted = 0;
        if let Some((seq, prev_hash)) = first_kept
            && seq - 1 > checkpoint.seq
        {
            let hash = prev_hash
                .parse::<ChainHash>()
                .map_err(|_| corrupt("audit hash", &prev_hash))?;
            checkpoint = Checkpoint { seq: seq - 1, hash };
            deleted = on!(&mut tx.conn(), c => sqlx::query("DELETE FROM audit_events WHERE tenant_id = $1 AND seq < $2 AND redacted = TRUE")
                .bind(tenant.0)
                .bind(seq)
                .execute(&mut *c)
                .await.map(|r| r.rows_affected())?);
            on!(&mut tx.conn(), c => sqlx::query(
                "UPDATE audit_heads SET checkpoint_seq = $2, checkpoint_hash = $3 WHERE tenant_id = $1",
            )
            .bind(tenant.0)
            .bind(checkpoint.seq)
            .bind(checkpoint.hash.to_hex())
            .execute(&mut *c)
            .await.map(|r| r.rows_affected())?);
        }
        tx.commit().await?;
        Ok(PurgeOutcome {
            redacted: to_redact.len() as u64,
            deleted,
            checkpoint,
        })
    }
}

async fn find_unreadable(
    conn: &mut Conn<'_>,
    tenant: TenantId,
    after: i64,
    sql: &str,
) -> Result<ChainBreak> {
    let seqs: Vec<(i64,)> = on!(conn, c => sqlx::query_as(
        "SELECT seq FROM audit_events WHERE tenant_id = $1 AND seq > $2 ORDER BY seq LIMIT $3",
    )
    .bind(tenant.0)
    .bind(after)
    .bind(VERIFY_PAGE)
    .fetch_all(&mut *c)
    .await?);
    for (seq,) in seqs {
        let one: std::result::Result<Vec<EventRow>, sqlx::Error> = on!(conn, c => sqlx::query_as(sql)
            .bind(tenant.0)
            .bind(seq - 1)
            .bind(1i64)
            .fetch_all(&mut *c)
            .await);
        if one.is_err() {
            return Ok(ChainBreak {
                seq,
                reason: BreakReason::Unreadable,
            });
        }
    }
    Ok(ChainBreak {
        seq: after + 1,
        reason: BreakReason::Unreadable,
    })
}

impl WriteTx {
    /// Places a legal hold; events it covers survive every purge until it is released.
    pub async fn place_legal_hold(&mut self, scope: HoldScope, reason: &str) -> Result<LegalHold> {
        let hold = LegalHold {
            id: Uuid::now_v7(),
            tenant: self.tenant(),
            scope,
            reason: reason.to_string(),
            created_by: self.ctx.actor.label.clone(),
            created_at: self.now(),
            released_at: None,
        };
        let scope_json =
            serde_json::to_string(&hold.scope).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        on!(&mut self.conn(), c => sqlx::query(
            "INSERT INTO legal_holds (id, tenant_id, scope, reason, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(hold.id)
        .bind(hold.tenant.0)
        .bind(&scope_json)
        .bind(&hold.reason)
        .bind(&hold.created_by)
        .bind(ts(hold.created_at))
        .execute(&mut *c)
        .await.map(|r| r.rows_affected())?);
        self.audit(
            EventDraft::new(
                AuditClass::Security,
                "audit.hold_placed",
                "legal_hold",
                hold.id,
            )
            .after(format!("{scope_json} {}", hold.reason)),
        )
        .await?;
        Ok(hold)
    }

    /// Releases an active legal hold of this tenant.
    pub async fn release_legal_hold(&mut self, id: Uuid) -> Result<()> {
        let tenant = self.tenant();
        let now = self.now();
        let by = self.ctx.actor.label.clone();
        let n = on!(&mut self.conn(), c => sqlx::query(
            "UPDATE legal_holds SET released_at = $3, released_by = $4 WHERE tenant_id = $1 AND id = $2 AND released_at IS NULL",
        )
        .bind(tenant.0)
        .bind(id)
        .bind(ts(now))
        .bind(&by)
        .execute(&mut *c)
        .await.map(|r| r.rows_affected())?);
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        self.audit(EventDraft::new(
            AuditClass::Security,
            "audit.hold_released",
            "legal_hold",
            id,
        ))
        .await
    }

    /// Records an event that is not tied to another write (e.g. a sign-in failure, an export, a
    /// view under usage monitoring).
    pub async fn record(&mut self, draft: EventDraft) -> Result<()> {
        self.audit(draft).await
    }
}
