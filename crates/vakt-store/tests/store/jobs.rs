use std::collections::HashSet;

use time::Duration;
use vakt_core::audit::{AuditClass, EventDraft};
use vakt_store::NewJob;

use crate::harness::{ctx, each_engine, tenant};

#[tokio::test]
async fn each_job_is_claimed_once_by_concurrent_claimers() {
    each_engine(|env| async move {
        let t = tenant(&env.db, "oslo").await;
        let mut tx = env.db.write(&ctx(&t)).await.unwrap();
        for i in 0..40 {
            tx.enqueue_job(NewJob::new("mail.send", serde_json::json!({ "n": i }))).await.unwrap();
        }
        tx.record(EventDraft::new(AuditClass::Admin, "mail.queue", "mail", 40)).await.unwrap();
        tx.commit().await.unwrap();

        let mut workers = Vec::new();
        for w in 0..3 {
            let db = env.db.clone();
            workers.push(tokio::spawn(async move {
                let name = format!("worker-{w}");
                let mut mine = Vec::new();
                loop {
                    let jobs = db.claim_jobs(&name, Duration::minutes(5), 3).await.unwrap();
                    if jobs.is_empty() {
                        break;
                    }
                    for j in jobs {
                        assert_eq!(j.locked_by.as_deref(), Some(name.as_str()));
                        assert!(db.complete_job(j.id, &name).await.unwrap());
                        mine.push(j.id);
                    }
                }
                mine
            }));
        }
        let mut all = Vec::new();
        for w in workers {
            all.extend(w.await.unwrap());
        }
        let unique: HashSet<_> = all.iter().collect();
        assert_eq!(all.len(), 40, "every job ran");
        assert_eq!(unique.len(), 40, "no job ran twice");
        assert!(env.db.pending_jobs(100).await.unwrap().is_empty());
    })
    .await;
}

#[tokio::test]
async fn a_periodic_job_with_a_unique_key_is_enqueued_once() {
    each_engine(|env| async move {
        let job = || NewJob::new("audit.purge", serde_json::json!({})).unique("audit.purge:2026-11-23");
        assert!(env.db.enqueue_job(job()).await.unwrap().is_some());
        assert!(env.db.enqueue_job(job()).await.unwrap().is_none());
        assert_eq!(env.db.pending_jobs(10).await.unwrap().len(), 1);
    })
    .await;
}

#[tokio::test]
async fn a_job_runs_not_before_its_time_and_returns_when_its_lease_ends() {
    each_engine(|env| async move {
        let db = &env.db;
        db.enqueue_job(NewJob::new("later", serde_json::json!({})).at(db.now() + Duration::hours(1))).await.unwrap();
        assert!(db.claim_jobs("w", Duration::minutes(5), 10).await.unwrap().is_empty());
        env.clock.advance(Duration::hours(2));
        let j = db.claim_jobs("w", Duration::minutes(5), 10).await.unwrap();
        assert_eq!(j.len(), 1);
        assert!(db.claim_jobs("w2", Duration::minutes(5), 10).await.unwrap().is_empty(), "leased");
        env.clock.advance(Duration::minutes(6));
        let again = db.claim_jobs("w2", Duration::minutes(5), 10).await.unwrap();
        assert_eq!(again.len(), 1);
        assert_eq!(again[0].attempts, 2);
        assert!(!db.complete_job(j[0].id, "w").await.unwrap(), "the first worker lost its lease");
        assert!(db.fail_job(again[0].id, "w2", "smtp down", Some(db.now() + Duration::minutes(10))).await.unwrap());
        assert!(db.claim_jobs("w3", Duration::minutes(5), 10).await.unwrap().is_empty(), "backing off");
        env.clock.advance(Duration::minutes(11));
        let third = db.claim_jobs("w3", Duration::minutes(5), 10).await.unwrap();
        assert_eq!(third[0].last_error.as_deref(), Some("smtp down"));
        assert!(db.fail_job(third[0].id, "w3", "gave up", None).await.unwrap());
        assert!(db.pending_jobs(10).await.unwrap().is_empty());
    })
    .await;
}

#[tokio::test]
async fn a_job_enqueued_in_a_rolled_back_transaction_does_not_exist() {
    each_engine(|env| async move {
        let t = tenant(&env.db, "oslo").await;
        let mut tx = env.db.write(&ctx(&t)).await.unwrap();
        tx.enqueue_job(NewJob::new("mail.send", serde_json::json!({}))).await.unwrap();
        tx.record(EventDraft::new(AuditClass::Admin, "x", "x", 1)).await.unwrap();
        tx.rollback().await.unwrap();
        assert!(env.db.pending_jobs(10).await.unwrap().is_empty());
        let mut tx = env.db.write(&ctx(&t)).await.unwrap();
        tx.enqueue_job(NewJob::new("mail.send", serde_json::json!({"to": "x"}))).await.unwrap();
        tx.record(EventDraft::new(AuditClass::Admin, "x", "x", 1)).await.unwrap();
        tx.commit().await.unwrap();
        let jobs = env.db.pending_jobs(10).await.unwrap();
        assert_eq!(jobs.len(), 1);
        assert_eq!(jobs[0].tenant, Some(t.id));
        assert_eq!(jobs[0].payload["to"], "x");
    })
    .await;
}
