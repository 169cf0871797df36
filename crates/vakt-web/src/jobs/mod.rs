//! The background worker: a tick schedules the daily jobs (one outbox row per tenant and day, made unique by
//! its key, so any number of processes may schedule), then claims due jobs with the store's row-lock claim
//! and runs them. Several `vakt serve` processes on one PostgreSQL therefore run each job exactly once.
//!
//! Jobs: `audit.purge` (per tenant, daily) — purges audit events past the tenant's retention periods;
//! `training.reminders` (per tenant, every `reminders_run_every_hours`) — see [`crate::training::reminders`];
//! `mail.send` — one outgoing message ([`crate::mail`]); a transient failure is retried with back-off
//! (1, 4, 9 … minutes), a permanent one (or the last allowed try) is recorded as a failed job.

use std::time::Duration;

use serde_json::json;
use time::OffsetDateTime;
use tokio::sync::watch;

use vakt_core::audit::{AuditCtx, AuditRetention};
use vakt_core::directory::TenantId;
use vakt_core::settings::Settings;
use vakt_store::{Job, NewJob, PurgeOutcome, StoreError};

use crate::AppState;

/// The daily audit purge of one tenant.
pub const AUDIT_PURGE: &str = "audit.purge";
/// How long a claimed job is reserved for its worker before another may take it over.
pub const LEASE: time::Duration = time::Duration::minutes(5);
/// How many jobs one poll claims at most.
pub const BATCH: u32 = 10;

/// The retention the audit purge applies: usage and monitoring events (the `usage` class) are kept for the
/// shorter of the two periods, security events for theirs; admin changes are kept.
pub fn retention_of(settings: &Settings) -> AuditRetention {
    let r = &settings.audit_retention;
    AuditRetention {
        security_days: Some(r.security_days),
        admin_days: None,
        usage_days: Some(r.usage_days.min(r.monitoring_days)),
    }
}

/// Purges one tenant's audit log by its settings (used by the job and by `vakt audit purge`).
pub async fn purge_tenant(st: &AppState, tenant: TenantId) -> Result<PurgeOutcome, String> {
    let settings = crate::settings::tenant_settings(st, tenant)
        .await
        .map_err(|e| e.to_string())?;
    let ctx = AuditCtx::system(tenant, "audit-purge");
    st.db()
        .purge_audit(&ctx, &retention_of(&settings))
        .await
        .map_err(|e| e.to_string())
}

/// The unique key of a tenant's daily purge on `day` (so that it is scheduled once, whoever schedules it).
pub fn purge_key(tenant: TenantId, now: OffsetDateTime) -> String {
    format!("{AUDIT_PURGE}:{tenant}:{}", now.date())
}

/// Enqueues today's purge for every tenant (a no-op for tenants that already have it).
pub async fn schedule_daily(st: &AppState) -> Result<(), StoreError> {
    let now = st.db().now();
    for tenant in st.db().tenants().await? {
        let job = NewJob::new(AUDIT_PURGE, json!({}))
            .for_tenant(tenant.id)
            .unique(purge_key(tenant.id, now))
            .at(now);
        st.db().enqueue_job(job).await?;
    }
    Ok(())
}

/// How many times a job is tried before it is recorded as failed (mail uses its own setting).
pub const MAX_ATTEMPTS: u32 = 8;

/// Why a job failed, and whether trying again can help.
#[derive(Debug)]
pub struct JobError {
    pub message: String,
    pub permanent: bool,
}

impl From<String> for JobError {
    fn from(message: String) -> Self {
        JobError {
            message,
            permanent: false,
        }
    }
}

impl From<&str> for JobError {
    fn from(message: &str) -> Self {
        JobError::from(message.to_owned())
    }
}

async fn run_job(st: &AppState, job: &Job) -> Result<(), JobError> {
    match job.kind.as_str() {
        AUDIT_PURGE => {
            let tenant = job.tenant.ok_or("audit.purge without a tenant")?;
            let out = purge_tenant(st, tenant).await?;
            tracing::info!(%tenant, redacted = out.redacted, deleted = out.deleted, "audit purge done");
            Ok(())
        }
        crate::training::reminders::REMINDERS => {
            let tenant = job.tenant.ok_or("training.reminders without a tenant")?;
            let out = crate::training::reminders::run_for_tenant(st, tenant).await?;
            tracing::info!(%tenant, reminders = out.reminder_mails, escalations = out.escalation_mails, "reminders done");
            Ok(())
        }
        crate::mail::MAIL_SEND => crate::mail::run_job(st.config().mail.as_ref(), &job.payload)
            .await
            .map_err(|e| JobError {
                message: e.message,
                permanent: e.permanent,
            }),
        crate::webhook::WEBHOOK_POST => {
            let secret = match job.tenant {
                Some(t) => st
                    .db()
                    .dev_webhook_secret(t)
                    .await
                    .map_err(|e| e.to_string())?,
                None => None,
            };
            crate::webhook::run_job(
                &job.payload,
                crate::webhook::Reach::of(st.config()),
                secret.as_deref(),
                st.now(),
            )
            .await
            .map_err(|e| JobError {
                message: e.message,
                permanent: e.permanent,
            })
        }
        other => Err(JobError {
            message: format!("unknown job kind {other:?}"),
            permanent: true,
        }),
    }
}

fn max_attempts(st: &AppState, job: &Job) -> u32 {
    match job.kind.as_str() {
        crate::mail::MAIL_SEND => st
            .config()
            .mail
            .as_ref()
            .map_or(MAX_ATTEMPTS, |m| m.max_attempts.max(1)),
        _ => MAX_ATTEMPTS,
    }
}

/// One tick: schedule, then claim and run what is due. Returns how many jobs ran (successfully or not).
pub async fn tick(st: &AppState, worker: &str) -> Result<usize, StoreError> {
    schedule_daily(st).await?;
    crate::training::reminders::schedule(st).await?;
    crate::deviations::notify::sweep(st).await?;
    let mut ran = 0;
    loop {
        // Without an SMTP server, mail waits in the outbox untried (it is sent once one is configured).
        let except = st.config().mail.is_none().then_some(crate::mail::MAIL_SEND);
        let jobs = st
            .db()
            .claim_jobs_except(worker, LEASE, BATCH, except)
            .await?;
        if jobs.is_empty() {
            return Ok(ran);
        }
        for job in jobs {
            ran += 1;
            match run_job(st, &job).await {
                Ok(()) => {
                    st.db().complete_job(job.id, worker).await?;
                }
                Err(e) => {
                    let attempts = u32::try_from(job.attempts.max(1)).unwrap_or(1);
                    let give_up = e.permanent || attempts >= max_attempts(st, &job);
                    tracing::warn!(job = %job.id, kind = %job.kind, attempts, give_up, "job failed: {}", e.message);
                    // Retry with back-off: 1, 4, 9 … minutes; or record the failure for good.
                    let retry_at = (!give_up).then(|| {
                        st.db().now() + time::Duration::minutes(i64::from(attempts).pow(2))
                    });
                    st.db()
                        .fail_job(job.id, worker, &e.message, retry_at)
                        .await?;
                }
            }
        }
    }
}

/// Runs the worker until `shutdown` turns true.
pub async fn run(st: AppState, poll: Duration, mut shutdown: watch::Receiver<bool>) {
    let worker = format!("{}-{}", std::process::id(), uuid::Uuid::now_v7());
    if st.config().mail.is_none() {
        tracing::info!(
            "no SMTP server is configured (smtp_host): e-mail stays queued in the outbox until one is"
        );
    }
    loop {
        if let Err(e) = tick(&st, &worker).await {
            tracing::error!("job worker: {e}");
        }
        tokio::select! {
            _ = tokio::time::sleep(poll) => {}
            changed = shutdown.changed() => {
                if changed.is_err() || *shutdown.borrow() {
                    return;
                }
            }
        }
    }
}
