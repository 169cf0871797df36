use time::Duration;
use vakt_core::Role;
use vakt_core::auth::LockoutPolicy;
use vakt_core::directory::Tenant;
use vakt_store::{
    Account, AuditFilter, NewAccount, NewSession, SessionLimits, StoreError, token_hash,
};

use crate::harness::{Env, ctx, each_engine, person, tenant};

async fn account(env: &Env, t: &Tenant, username: &str) -> Account {
    let mut tx = env.db.write(&ctx(t)).await.unwrap();
    let p = tx
        .create_person(person(username, "Kari", "Nordmann"))
        .await
        .unwrap();
    let a = tx
        .create_account(NewAccount {
            username: username.into(),
            email: None,
            person: Some(p.id),
            password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
            roles: vec![Role::Employee, Role::Leader, Role::SecurityCoordinator],
            must_change_password: false,
        })
        .await
        .unwrap();
    tx.commit().await.unwrap();
    a
}

fn session(a: &Account, token: &str) -> NewSession {
    NewSession {
        account: a.id,
        token_hash: token_hash(token),
        ip: Some("192.0.2.9".into()),
        user_agent: Some("test".into()),
        mfa_done: false,
        csrf_token: "csrf".into(),
    }
}

const LIMITS: SessionLimits = SessionLimits {
    idle: Duration::minutes(30),
    absolute: Duration::hours(8),
};

#[tokio::test]
async fn usernames_are_unique_per_tenant_ignoring_case_and_leader_is_never_stored() {
    each_engine(|env| async move {
        let t = tenant(&env.db, "oslo").await;
        let a = account(&env, &t, "Kari").await;
        assert_eq!(a.roles, vec![Role::Employee, Role::SecurityCoordinator]);
        assert_eq!(
            env.db
                .account_by_username(t.id, "KARI")
                .await
                .unwrap()
                .map(|x| x.id),
            Some(a.id)
        );
        let mut tx = env.db.write(&ctx(&t)).await.unwrap();
        let dup = tx
            .create_account(NewAccount {
                username: "kari".into(),
                email: None,
                person: None,
                password_hash: "x".into(),
                roles: vec![],
                must_change_password: true,
            })
            .await;
        assert_eq!(
            dup.map_err(|e| e.code()).err(),
            Some("account.username_taken")
        );
        drop(tx);
        let other = tenant(&env.db, "bergen").await;
        assert!(
            env.db
                .account_by_username(other.id, "kari")
                .await
                .unwrap()
                .is_none()
        );
        assert!(env.db.account(other.id, a.id).await.unwrap().is_none());
        assert!(
            !format!("{a:?}").contains("argon2"),
            "Debug must not show the hash"
        );
    })
    .await;
}

#[tokio::test]
async fn failed_sign_ins_lock_the_account_and_an_admin_can_unlock() {
    each_engine(|env| async move {
        let t = tenant(&env.db, "oslo").await;
        let a = account(&env, &t, "kari").await;
        for i in 1..=5 {
            let mut tx = env.db.write(&ctx(&t)).await.unwrap();
            let after = tx
                .record_signin_failure(a.id, &LockoutPolicy::default())
                .await
                .unwrap();
            tx.commit().await.unwrap();
            assert_eq!(after.failed_attempts, i);
            assert_eq!(after.is_locked(env.db.now()), i == 5);
        }
        let lockouts = AuditFilter {
            action: Some("auth.lockout".into()),
            ..Default::default()
        };
        assert_eq!(
            env.db
                .search_audit(t.id, &lockouts, 10, 0)
                .await
                .unwrap()
                .len(),
            1
        );
        let fails = AuditFilter {
            action: Some("auth.signin_failed".into()),
            person: a.person,
            ..Default::default()
        };
        assert_eq!(
            env.db
                .search_audit(t.id, &fails, 10, 0)
                .await
                .unwrap()
                .len(),
            5
        );
        env.clock.advance(Duration::minutes(16));
        assert!(
            !env.db
                .account(t.id, a.id)
                .await
                .unwrap()
                .unwrap()
                .is_locked(env.db.now())
        );
        let mut tx = env.db.write(&ctx(&t)).await.unwrap();
        tx.unlock_account(a.id).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(
            env.db
                .account(t.id, a.id)
                .await
                .unwrap()
                .unwrap()
                .failed_attempts,
            0
        );
    })
    .await;
}

/// One failure through the store with the default policy (5 failures, 15 minutes).
async fn fail_once(env: &Env, t: &Tenant, a: &Account) -> Account {
    let mut tx = env.db.write(&ctx(t)).await.unwrap();
    let after = tx
        .record_signin_failure(a.id, &LockoutPolicy::default())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    after
}

#[tokio::test]
async fn a_failure_after_an_expired_lock_starts_a_fresh_count() {
    each_engine(|env| async move {
        let t = tenant(&env.db, "oslo").await;
        let a = account(&env, &t, "kari").await;
        for _ in 0..5 {
            fail_once(&env, &t, &a).await;
        }
        let locked = env.db.account(t.id, a.id).await.unwrap().unwrap();
        assert!(locked.is_locked(env.db.now()));
        // A (concurrent) attempt while still locked neither counts nor extends the lock.
        env.clock.advance(Duration::minutes(5));
        let during = fail_once(&env, &t, &a).await;
        assert_eq!(during.failed_attempts, 5);
        assert_eq!(during.locked_until, locked.locked_until);
        // After the lock ran out, the next failure is the first of a new count, not the sixth.
        env.clock.advance(Duration::minutes(11));
        let after = fail_once(&env, &t, &a).await;
        assert_eq!(after.failed_attempts, 1);
        assert_eq!(after.locked_until, None);
        assert!(!after.is_locked(env.db.now()));
        // Four more lock it again, with one new lockout event.
        for _ in 0..3 {
            assert!(!fail_once(&env, &t, &a).await.is_locked(env.db.now()));
        }
        assert!(fail_once(&env, &t, &a).await.is_locked(env.db.now()));
        let lockouts = AuditFilter {
            action: Some("auth.lockout".into()),
            ..Default::default()
        };
        assert_eq!(
            env.db
                .search_audit(t.id, &lockouts, 10, 0)
                .await
                .unwrap()
                .len(),
            2
        );
    })
    .await;
}

#[tokio::test]
async fn password_history_keeps_the_last_n_hashes() {
    each_engine(|env| async move {
        let t = tenant(&env.db, "oslo").await;
        let a = account(&env, &t, "kari").await;
        for i in 0..5 {
            env.clock.advance(Duration::seconds(1));
            let mut tx = env.db.write(&ctx(&t)).await.unwrap();
            tx.set_password(a.id, &format!("hash{i}"), 3, false)
                .await
                .unwrap();
            tx.commit().await.unwrap();
        }
        let h = env.db.password_history(t.id, a.id, 10).await.unwrap();
        assert_eq!(h, vec!["hash3", "hash2", "hash1"]);
        let acc = env.db.account(t.id, a.id).await.unwrap().unwrap();
        assert_eq!(acc.password_hash, "hash4");
        assert!(acc.password_changed_at.is_some());
    })
    .await;
}

#[tokio::test]
async fn a_totp_step_and_a_recovery_code_are_accepted_once() {
    each_engine(|env| async move {
        let t = tenant(&env.db, "oslo").await;
        let a = account(&env, &t, "kari").await;
        let mut tx = env.db.write(&ctx(&t)).await.unwrap();
        tx.set_totp_secret(a.id, Some("JBSWY3DPEHPK3PXP"))
            .await
            .unwrap();
        assert!(tx.accept_totp_step(a.id, 1000).await.unwrap());
        assert!(!tx.accept_totp_step(a.id, 1000).await.unwrap());
        assert!(!tx.accept_totp_step(a.id, 999).await.unwrap());
        assert!(tx.accept_totp_step(a.id, 1001).await.unwrap());
        tx.set_recovery_codes(a.id, &["h1".to_string(), "h2".to_string()])
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let codes = env.db.recovery_codes(t.id, a.id).await.unwrap();
        assert_eq!(codes.len(), 2);
        let mut tx = env.db.write(&ctx(&t)).await.unwrap();
        assert!(tx.consume_recovery_code(a.id, codes[0].id).await.unwrap());
        assert!(!tx.consume_recovery_code(a.id, codes[0].id).await.unwrap());
        tx.commit().await.unwrap();
        assert_eq!(env.db.recovery_codes(t.id, a.id).await.unwrap().len(), 1);
        let ev = env
            .db
            .search_audit(
                t.id,
                &AuditFilter {
                    action: Some("auth.".into()),
                    ..Default::default()
                },
                50,
                0,
            )
            .await
            .unwrap();
        assert!(
            ev.iter()
                .all(|e| !e.after.as_deref().unwrap_or("").contains("JBSWY3DP")),
            "secrets never in the audit"
        );
    })
    .await;
}

#[tokio::test]
async fn sessions_expire_when_idle_or_too_old_and_end_at_sign_out() {
    each_engine(|env| async move {
        let db = &env.db;
        let t = tenant(db, "oslo").await;
        let a = account(&env, &t, "kari").await;
        let mut tx = db.write(&ctx(&t)).await.unwrap();
        let s = tx.create_session(session(&a, "tok-1")).await.unwrap();
        tx.complete_mfa(s.id).await.unwrap();
        tx.commit().await.unwrap();
        let found = db
            .session_by_token_hash(&token_hash("tok-1"), LIMITS)
            .await
            .unwrap()
            .unwrap();
        assert_eq!((found.id, found.tenant, found.mfa_done), (s.id, t.id, true));
        assert!(
            db.session_by_token_hash(&token_hash("tok-2"), LIMITS)
                .await
                .unwrap()
                .is_none()
        );

        // Activity keeps it alive past the idle limit...
        for _ in 0..4 {
            env.clock.advance(Duration::minutes(20));
            db.touch_session(t.id, s.id).await.unwrap();
        }
        assert!(
            db.session_by_token_hash(&token_hash("tok-1"), LIMITS)
                .await
                .unwrap()
                .is_some()
        );
        // ...but not without activity,
        env.clock.advance(Duration::minutes(31));
        assert!(
            db.session_by_token_hash(&token_hash("tok-1"), LIMITS)
                .await
                .unwrap()
                .is_none()
        );
        // and never past the absolute limit.
        let mut tx = db.write(&ctx(&t)).await.unwrap();
        let s2 = tx.create_session(session(&a, "tok-3")).await.unwrap();
        tx.commit().await.unwrap();
        for _ in 0..20 {
            env.clock.advance(Duration::minutes(25));
            db.touch_session(t.id, s2.id).await.unwrap();
        }
        assert!(
            db.session_by_token_hash(&token_hash("tok-3"), LIMITS)
                .await
                .unwrap()
                .is_none()
        );
        assert_eq!(db.delete_expired_sessions(LIMITS).await.unwrap(), 2);

        let mut tx = db.write(&ctx(&t)).await.unwrap();
        let s3 = tx.create_session(session(&a, "tok-4")).await.unwrap();
        tx.commit().await.unwrap();
        let mut tx = db.write(&ctx(&t)).await.unwrap();
        tx.end_session(s3.id).await.unwrap();
        tx.commit().await.unwrap();
        assert!(
            db.session_by_token_hash(&token_hash("tok-4"), LIMITS)
                .await
                .unwrap()
                .is_none()
        );
    })
    .await;
}

#[tokio::test]
async fn disabling_an_account_ends_its_sessions_and_tokens_stop_working() {
    each_engine(|env| async move {
        let db = &env.db;
        let t = tenant(db, "oslo").await;
        let a = account(&env, &t, "kari").await;
        let mut tx = db.write(&ctx(&t)).await.unwrap();
        tx.create_session(session(&a, "tok")).await.unwrap();
        let tok = tx
            .create_api_token(
                a.id,
                "ci",
                &token_hash("api-secret"),
                Some(db.now() + Duration::days(30)),
            )
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(
            db.api_token_by_hash(&token_hash("api-secret"))
                .await
                .unwrap()
                .map(|x| x.id),
            Some(tok.id)
        );
        db.touch_api_token(t.id, tok.id).await.unwrap();
        assert!(
            db.api_tokens_of(t.id, a.id).await.unwrap()[0]
                .last_used_at
                .is_some()
        );

        let mut tx = db.write(&ctx(&t)).await.unwrap();
        tx.set_account_disabled(a.id, true).await.unwrap();
        tx.commit().await.unwrap();
        assert!(
            db.session_by_token_hash(&token_hash("tok"), LIMITS)
                .await
                .unwrap()
                .is_none()
        );
        assert!(
            db.api_token_by_hash(&token_hash("api-secret"))
                .await
                .unwrap()
                .is_none()
        );

        let mut tx = db.write(&ctx(&t)).await.unwrap();
        tx.set_account_disabled(a.id, false).await.unwrap();
        tx.commit().await.unwrap();
        assert!(
            db.api_token_by_hash(&token_hash("api-secret"))
                .await
                .unwrap()
                .is_some()
        );
        env.clock.advance(Duration::days(31));
        assert!(
            db.api_token_by_hash(&token_hash("api-secret"))
                .await
                .unwrap()
                .is_none(),
            "expired"
        );

        let mut tx = db.write(&ctx(&t)).await.unwrap();
        tx.revoke_api_token(tok.id).await.unwrap();
        assert!(matches!(
            tx.revoke_api_token(tok.id).await,
            Err(StoreError::NotFound)
        ));
        drop(tx);
    })
    .await;
}

/// The stored TOTP column of an account, read past the store.
async fn stored_totp(db: &vakt_store::Db, id: uuid::Uuid) -> Option<String> {
    let sql = "SELECT totp_secret FROM accounts WHERE id = $1";
    if let Some(p) = db.raw_sqlite() {
        sqlx::query_scalar(sql).bind(id).fetch_one(p).await.unwrap()
    } else {
        let p = db.raw_postgres().expect("an engine");
        sqlx::query_scalar(sql).bind(id).fetch_one(p).await.unwrap()
    }
}

async fn set_stored_totp(db: &vakt_store::Db, id: uuid::Uuid, value: &str) {
    let sql = "UPDATE accounts SET totp_secret = $2 WHERE id = $1";
    if let Some(p) = db.raw_sqlite() {
        sqlx::query(sql)
            .bind(id)
            .bind(value)
            .execute(p)
            .await
            .unwrap();
    } else {
        let p = db.raw_postgres().expect("an engine");
        sqlx::query(sql)
            .bind(id)
            .bind(value)
            .execute(p)
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn totp_secrets_are_sealed_at_rest_and_open_only_with_their_key() {
    each_engine(|env| async move {
        let t = tenant(&env.db, "oslo").await;
        let a = account(&env, &t, "kari").await;
        let b = account(&env, &t, "per").await;
        let key = vakt_store::SecretKey::generate();
        let opts = |k: &vakt_store::SecretKey| vakt_store::OpenOptions {
            max_connections: Some(2),
            secret_key: Some(k.clone()),
            ..vakt_store::OpenOptions::default()
        };
        let db = vakt_store::Db::open_with(&env.url, opts(&key))
            .await
            .unwrap();
        let mut tx = db.write(&ctx(&t)).await.unwrap();
        tx.set_totp_secret(a.id, Some("JBSWY3DPEHPK3PXP"))
            .await
            .unwrap();
        tx.commit().await.unwrap();

        // In the database: sealed, not the secret.
        let stored = stored_totp(&db, a.id.0).await.unwrap();
        assert!(stored.starts_with("v1."), "{stored}");
        assert!(!stored.contains("JBSWY3DPEHPK3PXP"));
        // Through the store: the secret.
        let acc = db.account(t.id, a.id).await.unwrap().unwrap();
        assert_eq!(acc.totp_secret.as_deref(), Some("JBSWY3DPEHPK3PXP"));

        // Copied into another account's row it does not open (bound to its row).
        set_stored_totp(&db, b.id.0, &stored).await;
        assert!(db.account(t.id, b.id).await.is_err());
        set_stored_totp(&db, b.id.0, "GEZDGNBVGY3TQOJQ").await;

        // A clear-text value (from before sealing) is sealed by migrate, and reads the same.
        assert_eq!(
            db.account(t.id, b.id)
                .await
                .unwrap()
                .unwrap()
                .totp_secret
                .as_deref(),
            Some("GEZDGNBVGY3TQOJQ")
        );
        db.migrate().await.unwrap();
        let stored_b = stored_totp(&db, b.id.0).await.unwrap();
        assert!(stored_b.starts_with("v1.") && !stored_b.contains("GEZDGNBVGY3TQOJQ"));
        assert_eq!(
            db.account(t.id, b.id)
                .await
                .unwrap()
                .unwrap()
                .totp_secret
                .as_deref(),
            Some("GEZDGNBVGY3TQOJQ")
        );

        // Another key: refused at start with a clear error, and reads fail instead of guessing.
        let other = vakt_store::Db::open_with(&env.url, opts(&vakt_store::SecretKey::generate()))
            .await
            .unwrap();
        let err = other.migrate().await.unwrap_err();
        assert!(matches!(err, StoreError::Open(_)), "{err}");
        assert!(err.to_string().contains("secret key"), "{err}");
        assert!(other.account(t.id, a.id).await.is_err());
        other.close().await;

        // Removing the secret clears the column.
        let mut tx = db.write(&ctx(&t)).await.unwrap();
        tx.set_totp_secret(a.id, None).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(stored_totp(&db, a.id.0).await, None);
        db.close().await;
    })
    .await;
}
