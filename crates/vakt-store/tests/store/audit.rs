use time::Duration;
use vakt_core::audit::{AuditClass, AuditRetention, BreakReason, EventDraft, HoldScope};
use vakt_core::directory::Tenant;
use vakt_store::{AuditFilter, Engine, NewUnit};

use crate::harness::{Env, ctx, each_engine, tenant};

/// Tenant with: seq 1 tenant.create (admin), then per round a unit.create (admin) and two usage events.
async fn history(env: &Env, rounds: usize) -> Tenant {
    let t = tenant(&env.db, "oslo").await;
    for i in 0..rounds {
        let mut tx = env.db.write(&ctx(&t)).await.unwrap();
        tx.create_unit(NewUnit { parent: None, name: format!("Unit {i}"), code: format!("U{i}"), leader: None }).await.unwrap();
        tx.record(EventDraft::new(AuditClass::Usage, "people.search", "search", i).after("q=kari")).await.unwrap();
        tx.record(EventDraft::new(AuditClass::Usage, "people.view", "person", i)).await.unwrap();
        tx.commit().await.unwrap();
    }
    t
}

async fn tamper(env: &Env, t: &Tenant, set: &str, seq: i64) {
    raw(env, &format!("UPDATE audit_events SET {set} WHERE tenant_id = $1 AND seq = $2"), t, seq).await;
}

/// Runs SQL behind the store's back (as an attacker with database access would).
async fn raw(env: &Env, sql: &str, t: &Tenant, seq: i64) {
    match env.db.engine() {
        Engine::Sqlite => {
            let pool = env.db.raw_sqlite().expect("sqlite");
            sqlx::query(sql).bind(t.id.0).bind(seq).execute(pool).await.unwrap();
        }
        Engine::Postgres => {
            let pool = env.db.raw_postgres().expect("postgres");
            sqlx::query(sql).bind(t.id.0).bind(seq).execute(pool).await.unwrap();
        }
    }
}

#[tokio::test]
async fn an_untouched_chain_verifies() {
    each_engine(|env| async move {
        let t = history(&env, 3).await;
        let r = env.db.verify_audit(t.id).await.unwrap().unwrap();
        assert_eq!(r.events, 10);
        assert_eq!(r.head.seq, 10);
        assert_eq!(env.db.audit_tenants().await.unwrap(), vec![t.id]);
    })
    .await;
}

#[tokio::test]
async fn changing_one_byte_of_one_event_is_detected_and_names_that_event() {
    each_engine(|env| async move {
        let t = history(&env, 3).await;
        // One character of the actor's name.
        tamper(&env, &t, "actor_label = 'X' || substr(actor_label, 2)", 5).await;
        let b = env.db.verify_audit(t.id).await.unwrap().unwrap_err();
        assert_eq!((b.seq, b.reason), (5, BreakReason::ContentMismatch));
    })
    .await;
    each_engine(|env| async move {
        let t = history(&env, 3).await;
        // One hex digit of the stored hash.
        tamper(&env, &t, "hash = CASE WHEN substr(hash, 1, 1) = 'a' THEN 'b' ELSE 'a' END || substr(hash, 2)", 4).await;
        let b = env.db.verify_audit(t.id).await.unwrap().unwrap_err();
        assert_eq!((b.seq, b.reason), (4, BreakReason::HashMismatch));
    })
    .await;
    each_engine(|env| async move {
        let t = history(&env, 3).await;
        // The time of the event: garbage on SQLite (unreadable), one microsecond on PostgreSQL.
        let set = match env.db.engine() {
            Engine::Sqlite => "at = 'x' || substr(at, 2)",
            Engine::Postgres => "at = at + interval '1 microsecond'",
        };
        tamper(&env, &t, set, 6).await;
        let b = env.db.verify_audit(t.id).await.unwrap().unwrap_err();
        assert_eq!(b.seq, 6);
        assert!(matches!(b.reason, BreakReason::Unreadable | BreakReason::ContentMismatch), "{b:?}");
    })
    .await;
}

#[tokio::test]
async fn deleting_an_event_or_the_newest_events_is_detected() {
    each_engine(|env| async move {
        let t = history(&env, 3).await;
        raw(&env, "DELETE FROM audit_events WHERE tenant_id = $1 AND seq >= $2", &t, 9).await;
        let b = env.db.verify_audit(t.id).await.unwrap().unwrap_err();
        assert_eq!((b.seq, b.reason), (9, BreakReason::Truncated { head_seq: 10 }));
        raw(&env, "DELETE FROM audit_events WHERE tenant_id = $1 AND seq = $2", &t, 4).await;
        let b = env.db.verify_audit(t.id).await.unwrap().unwrap_err();
        assert_eq!((b.seq, b.reason), (5, BreakReason::SeqGap { expected: 4 }));
    })
    .await;
}

#[tokio::test]
async fn a_purge_removes_expired_usage_events_and_the_chain_still_verifies() {
    each_engine(|env| async move {
        let t = history(&env, 3).await;
        env.clock.advance(Duration::days(91));
        let out = env.db.purge_audit(&ctx(&t), &AuditRetention::default()).await.unwrap();
        assert_eq!(out.redacted, 6);
        // tenant.create (admin, kept) is first, so nothing at the start can be deleted.
        assert_eq!(out.deleted, 0);
        let r = env.db.verify_audit(t.id).await.unwrap().unwrap();
        assert_eq!(r.redacted, 6);
        let usage = AuditFilter { class: Some(AuditClass::Usage), ..Default::default() };
        assert!(env.db.search_audit(t.id, &usage, 100, 0).await.unwrap().is_empty());
        let admin = AuditFilter { class: Some(AuditClass::Admin), ..Default::default() };
        assert_eq!(env.db.search_audit(t.id, &admin, 100, 0).await.unwrap().len(), 4);
        // Too young to purge: a second run right away redacts nothing new.
        assert_eq!(env.db.purge_audit(&ctx(&t), &AuditRetention::default()).await.unwrap().redacted, 0);
    })
    .await;
}

#[tokio::test]
async fn a_purge_of_the_chain_start_leaves_a_checkpoint_and_the_rest_verifies() {
    each_engine(|env| async move {
        let t = history(&env, 3).await;
        env.clock.advance(Duration::days(400));
        // Newer events that stay.
        let mut tx = env.db.write(&ctx(&t)).await.unwrap();
        tx.record(EventDraft::new(AuditClass::Admin, "x.kept", "x", 1)).await.unwrap();
        tx.commit().await.unwrap();
        let all = AuditRetention { security_days: Some(365), admin_days: Some(365), usage_days: Some(90) };
        let out = env.db.purge_audit(&ctx(&t), &all).await.unwrap();
        assert_eq!(out.redacted, 10);
        assert_eq!(out.deleted, 10);
        assert_eq!(out.checkpoint.seq, 10);
        let state = env.db.audit_chain_state(t.id).await.unwrap().unwrap();
        assert_eq!(state.checkpoint, out.checkpoint);
        let r = env.db.verify_audit(t.id).await.unwrap().unwrap();
        assert_eq!((r.from.seq, r.events), (10, 2));
        // Appending after a purge continues the chain.
        let mut tx = env.db.write(&ctx(&t)).await.unwrap();
        tx.record(EventDraft::new(AuditClass::Admin, "x.after", "x", 2)).await.unwrap();
        tx.commit().await.unwrap();
        assert!(env.db.verify_audit(t.id).await.unwrap().is_ok());
    })
    .await;
}

#[tokio::test]
async fn held_events_survive_purge_and_go_after_release() {
    each_engine(|env| async move {
        let t = history(&env, 2).await;
        let mut tx = env.db.write(&ctx(&t)).await.unwrap();
        let hold = tx
            .place_legal_hold(HoldScope::Object { object_type: "person".into(), object_id: "1".into() }, "case 2026-17")
            .await
            .unwrap();
        tx.commit().await.unwrap();
        env.clock.advance(Duration::days(100));
        let out = env.db.purge_audit(&ctx(&t), &AuditRetention::default()).await.unwrap();
        assert_eq!(out.redacted, 3);
        let held = AuditFilter { object_type: Some("person".into()), object_id: Some("1".into()), ..Default::default() };
        assert_eq!(env.db.search_audit(t.id, &held, 10, 0).await.unwrap().len(), 1);
        assert_eq!(env.db.legal_holds(t.id, false).await.unwrap().len(), 1);

        let mut tx = env.db.write(&ctx(&t)).await.unwrap();
        tx.release_legal_hold(hold.id).await.unwrap();
        tx.commit().await.unwrap();
        assert!(env.db.legal_holds(t.id, false).await.unwrap().is_empty());
        assert_eq!(env.db.legal_holds(t.id, true).await.unwrap().len(), 1);
        let out = env.db.purge_audit(&ctx(&t), &AuditRetention::default()).await.unwrap();
        assert_eq!(out.redacted, 1);
        assert!(env.db.search_audit(t.id, &held, 10, 0).await.unwrap().is_empty());
        assert!(env.db.verify_audit(t.id).await.unwrap().is_ok());
    })
    .await;
}

#[tokio::test]
async fn a_time_range_hold_keeps_the_events_of_that_period() {
    each_engine(|env| async move {
        let t = history(&env, 2).await;
        let now = env.db.now();
        let mut tx = env.db.write(&ctx(&t)).await.unwrap();
        tx.place_legal_hold(HoldScope::TimeRange { from: now - Duration::hours(1), to: now + Duration::hours(1) }, "inquiry")
            .await
            .unwrap();
        tx.commit().await.unwrap();
        env.clock.advance(Duration::days(100));
        assert_eq!(env.db.purge_audit(&ctx(&t), &AuditRetention::default()).await.unwrap().redacted, 0);
    })
    .await;
}

#[tokio::test]
async fn a_purge_is_refused_on_a_broken_chain() {
    each_engine(|env| async move {
        let t = history(&env, 2).await;
        tamper(&env, &t, "after_text = 'changed'", 3).await;
        env.clock.advance(Duration::days(100));
        let r = env.db.purge_audit(&ctx(&t), &AuditRetention::default()).await;
        assert_eq!(r.map_err(|e| e.code()).err(), Some("audit.chain_broken"));
    })
    .await;
}

#[tokio::test]
async fn audit_search_filters_by_action_object_time_and_pages() {
    each_engine(|env| async move {
        let t = history(&env, 5).await;
        let f = |action: &str| AuditFilter { action: Some(action.into()), ..Default::default() };
        assert_eq!(env.db.search_audit(t.id, &f("people.search"), 100, 0).await.unwrap().len(), 5);
        assert_eq!(env.db.search_audit(t.id, &f("people."), 100, 0).await.unwrap().len(), 10);
        let page1 = env.db.search_audit(t.id, &AuditFilter::default(), 4, 0).await.unwrap();
        let page2 = env.db.search_audit(t.id, &AuditFilter::default(), 4, 4).await.unwrap();
        assert_eq!(page1.iter().map(|e| e.seq).collect::<Vec<_>>(), vec![16, 15, 14, 13]);
        assert_eq!(page2[0].seq, 12);
        let now = env.db.now();
        let future = AuditFilter { from: Some(now + Duration::hours(1)), ..Default::default() };
        assert!(env.db.search_audit(t.id, &future, 100, 0).await.unwrap().is_empty());
        let past = AuditFilter { until: Some(now + Duration::hours(1)), ..Default::default() };
        assert_eq!(env.db.search_audit(t.id, &past, 100, 0).await.unwrap().len(), 16);
    })
    .await;
}
