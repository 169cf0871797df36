//! The outbox of background work: jobs enqueued in the transaction of the change that causes them,
//! claimed with row locks so that several processes run each job once.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use sqlx::types::Json;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;
use vakt_core::directory::TenantId;

use crate::db::{Conn, Db, Engine, WriteTx, on};
use crate::error::Result;
use crate::types::{Ts, ts};

/// A job to enqueue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewJob {
    /// What to do, e.g. `mail.send`, `audit.purge`.
    pub kind: String,
    pub payload: Value,
    /// Not before this instant (default: now).
    pub run_at: Option<OffsetDateTime>,
    /// At most one job with this key is ever enqueued (e.g. `audit.purge:2026-11-23`).
    pub unique_key: Option<String>,
    /// The tenant the job is for (default in a [`WriteTx`]: the transaction's tenant).
    pub tenant: Option<TenantId>,
}

impl NewJob {
    pub fn new(kind: &str, payload: Value) -> Self {
        NewJob {
            kind: kind.to_string(),
            payload,
            run_at: None,
            unique_key: None,
            tenant: None,
        }
    }
    pub fn at(mut self, run_at: OffsetDateTime) -> Self {
        self.run_at = Some(run_at);
        self
    }
    pub fn unique(mut self, key: impl Into<String>) -> Self {
        self.unique_key = Some(key.into());
        self
    }
    pub fn for_tenant(mut self, tenant: TenantId) -> Self {
        self.tenant = Some(tenant);
        self
    }
}

/// A claimed job.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Job {
    pub id: Uuid,
    pub tenant: Option<TenantId>,
    pub kind: String,
    pub payload: Value,
    pub run_at: OffsetDateTime,
    /// Including this claim.
    pub attempts: i32,
    pub last_error: Option<String>,
    pub locked_until: Option<OffsetDateTime>,
    pub locked_by: Option<String>,
}

#[derive(sqlx::FromRow)]
struct JobRow {
    id: Uuid,
    tenant_id: Option<Uuid>,
    kind: String,
    payload: Json<Value>,
    run_at: Ts,
    attempts: i32,
    last_error: Option<String>,
    locked_until: Option<Ts>,
    locked_by: Option<String>,
}

impl From<JobRow> for Job {
    fn from(r: JobRow) -> Self {
        Job {
            id: r.id,
            tenant: r.tenant_id.map(TenantId),
            kind: r.kind,
            payload: r.payload.0,
            run_at: r.run_at.0,
            attempts: r.attempts,
            last_error: r.last_error,
            locked_until: r.locked_until.map(|t| t.0),
            locked_by: r.locked_by,
        }
    }
}

const JOB_COLS: &str =
    "id, tenant_id, kind, payload, run_at, attempts, last_error, locked_until, locked_by";

async fn insert(conn: &mut Conn<'_>, job: &NewJob, now: OffsetDateTime) -> Result<Option<Uuid>> {
    let id = Uuid::now_v7();
    let n = on!(conn, c => sqlx::query(
        "INSERT INTO jobs (id, tenant_id, kind, payload, unique_key, run_at, attempts, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 0, $7) ON CONFLICT DO NOTHING",
    )
    .bind(id)
    .bind(job.tenant.map(|t| t.0))
    .bind(&job.kind)
    .bind(Json(&job.payload))
    .bind(&job.unique_key)
    .bind(ts(job.run_at.map(vakt_core::directory::truncate_micros).unwrap_or(now)))
    .bind(ts(now))
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected())?);
    Ok((n == 1).then_some(id))
}

impl WriteTx {
    /// Enqueues a job in this transaction: it exists if and only if the change commits.
    /// Returns `None` when a job with the same unique key exists already.
    pub async fn enqueue_job(&mut self, mut job: NewJob) -> Result<Option<Uuid>> {
        job.tenant = job.tenant.or(Some(self.tenant()));
        let now = self.now();
        insert(&mut self.conn(), &job, now).await
    }
}

impl Db {
    /// Enqueues a job outside a domain change (the scheduler's periodic jobs). Returns `None` when
    /// a job with the same unique key exists already.
    pub async fn enqueue_job(&self, job: NewJob) -> Result<Option<Uuid>> {
        let now = self.now();
        let mut pc = self.acquire().await?;
        insert(&mut pc.conn(), &job, now).await
    }

    /// Claims up to `limit` due jobs for `worker` for `lease` (a crashed worker's jobs become due
    /// again when the lease ends). Each job is handed to exactly one claimer.
    pub async fn claim_jobs(&self, worker: &str, lease: Duration, limit: u32) -> Result<Vec<Job>> {
        self.claim_jobs_except(worker, lease, limit, None).await
    }

    /// [`Db::claim_jobs`], leaving jobs of the kind `except` queued (e.g. mail while no SMTP server is
    /// configured: they wait, untried, instead of using up their attempts).
    pub async fn claim_jobs_except(
        &self,
        worker: &str,
        lease: Duration,
        limit: u32,
        except: Option<&str>,
    ) -> Result<Vec<Job>> {
        let now = self.now();
        let lock = match self.engine() {
            Engine::Sqlite => "",
            Engine::Postgres => " FOR UPDATE SKIP LOCKED",
        };
        let sql = format!(
            "UPDATE jobs SET locked_until = $2, locked_by = $3, attempts = attempts + 1 WHERE id IN \
             (SELECT id FROM jobs WHERE done_at IS NULL AND run_at <= $1 AND (locked_until IS NULL OR locked_until <= $1) \
              AND kind <> $5 ORDER BY run_at, id LIMIT $4{lock}) RETURNING {JOB_COLS}"
        );
        let mut pc = self.acquire().await?;
        let rows: Vec<JobRow> = on!(&mut pc.conn(), c => sqlx::query_as(&sql)
            .bind(ts(now))
            .bind(ts(now + lease))
            .bind(worker)
            .bind(i64::from(limit))
            .bind(except.unwrap_or(""))
            .fetch_all(&mut *c)
            .await?);
        let mut jobs: Vec<Job> = rows.into_iter().map(Job::from).collect();
        jobs.sort_by_key(|j| (j.run_at, j.id));
        Ok(jobs)
    }

    /// Marks a job done. `false` if this worker no longer holds it.
    pub async fn complete_job(&self, id: Uuid, worker: &str) -> Result<bool> {
        let now = self.now();
        let mut pc = self.acquire().await?;
        let n = on!(&mut pc.conn(), c => sqlx::query(
            "UPDATE jobs SET done_at = $3, locked_until = NULL WHERE id = $1 AND locked_by = $2 AND done_at IS NULL",
        )
        .bind(id)
        .bind(worker)
        .bind(ts(now))
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected())?);
        Ok(n == 1)
    }

    /// Records a failure: retried at `retry_at`, or given up (`None`, kept with `failed` set).
    pub async fn fail_job(
        &self,
        id: Uuid,
        worker: &str,
        error: &str,
        retry_at: Option<OffsetDateTime>,
    ) -> Result<bool> {
        let now = self.now();
        let error: String = error.chars().take(2000).collect();
        let mut pc = self.acquire().await?;
        let n = match retry_at {
            Some(at) => on!(&mut pc.conn(), c => sqlx::query(
                "UPDATE jobs SET run_at = $3, last_error = $4, locked_until = NULL, locked_by = NULL \
                 WHERE id = $1 AND locked_by = $2 AND done_at IS NULL",
            )
            .bind(id)
            .bind(worker)
            .bind(ts(at))
            .bind(&error)
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected())?),
            None => on!(&mut pc.conn(), c => sqlx::query(
                "UPDATE jobs SET done_at = $3, failed = TRUE, last_error = $4, locked_until = NULL \
                 WHERE id = $1 AND locked_by = $2 AND done_at IS NULL",
            )
            .bind(id)
            .bind(worker)
            .bind(ts(now))
            .bind(&error)
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected())?),
        };
        Ok(n == 1)
    }

    /// Jobs not yet done, oldest first (for the admin page and tests).
    pub async fn pending_jobs(&self, limit: u32) -> Result<Vec<Job>> {
        let sql = format!(
            "SELECT {JOB_COLS} FROM jobs WHERE done_at IS NULL ORDER BY run_at, id LIMIT $1"
        );
        let mut pc = self.acquire().await?;
        let rows: Vec<JobRow> = on!(&mut pc.conn(), c => sqlx::query_as(&sql).bind(i64::from(limit)).fetch_all(&mut *c).await?);
        Ok(rows.into_iter().map(Job::from).collect())
    }
}
