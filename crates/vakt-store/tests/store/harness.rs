use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use time::{Duration, OffsetDateTime};
use vakt_core::Country;
use vakt_core::audit::{Actor, AuditCtx};
use vakt_core::directory::{Employment, PersonKind, Tenant};
use vakt_store::{Db, NewPerson, NewTenant};

/// A clock tests can move forward.
#[derive(Clone, Default)]
pub struct TestClock(Arc<AtomicI64>);

impl TestClock {
    pub fn advance(&self, d: Duration) {
        self.0.fetch_add(d.whole_seconds(), Ordering::SeqCst);
    }
}

/// What each test gets: the database and its clock.
#[derive(Clone)]
pub struct Env {
    pub db: Db,
    pub clock: TestClock,
    /// The database URL, for tests that open a second handle.
    pub url: String,
}

fn with_clock(db: Db, url: &str) -> Env {
    let clock = TestClock::default();
    let c = clock.clone();
    let db = db.with_clock(Arc::new(move || {
        OffsetDateTime::now_utc() + Duration::seconds(c.0.load(Ordering::SeqCst))
    }));
    Env {
        db,
        clock,
        url: url.to_owned(),
    }
}

pub fn pg_url_with_db(base: &str, name: &str) -> String {
    let (main, query) = match base.split_once('?') {
        Some((m, q)) => (m, Some(q)),
        None => (base, None),
    };
    let scheme_end = main.find("://").map(|i| i + 3).unwrap_or(0);
    let host_end = main[scheme_end..]
        .find('/')
        .map(|i| i + scheme_end)
        .unwrap_or(main.len());
    let mut url = format!("{}/{}", &main[..host_end], name);
    if let Some(q) = query {
        url.push('?');
        url.push_str(q);
    }
    url
}

/// Runs `test` on SQLite, then on PostgreSQL when `VAKT_TEST_POSTGRES_URL` is set.
pub async fn each_engine<F, Fut>(test: F)
where
    F: Fn(Env) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    each_engine_with(true, test).await;
}

/// [`each_engine`] on empty databases, without migrations (for upgrade tests).
pub async fn each_engine_unmigrated<F, Fut>(test: F)
where
    F: Fn(Env) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    each_engine_with(false, test).await;
}

async fn each_engine_with<F, Fut>(migrate: bool, test: F)
where
    F: Fn(Env) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("vakt.db").display());
    let db = Db::open(&url).await.unwrap();
    if migrate {
        db.migrate().await.unwrap();
    }
    let result = tokio::spawn(test(with_clock(db.clone(), &url))).await;
    db.close().await;
    if let Err(e) = result {
        eprintln!("failed on SQLite");
        std::panic::resume_unwind(e.into_panic());
    }

    let Ok(base) = std::env::var("VAKT_TEST_POSTGRES_URL") else {
        return;
    };
    let name = format!("vakt_test_{}", uuid::Uuid::now_v7().simple());
    let admin = sqlx::PgPool::connect(&base).await.unwrap();
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&admin)
        .await
        .unwrap();
    let url = pg_url_with_db(&base, &name);
    let db = Db::open(&url).await.unwrap();
    let migrated = if migrate { db.migrate().await } else { Ok(()) };
    let result = match migrated {
        Ok(()) => tokio::spawn(test(with_clock(db.clone(), &url)))
            .await
            .map_err(|e| e.into_panic()),
        Err(e) => Err(Box::new(format!("migration failed: {e}")) as Box<dyn std::any::Any + Send>),
    };
    db.close().await;
    let _ = sqlx::query(&format!("DROP DATABASE {name} WITH (FORCE)"))
        .execute(&admin)
        .await;
    admin.close().await;
    if let Err(p) = result {
        eprintln!("failed on PostgreSQL");
        std::panic::resume_unwind(p);
    }
}

pub fn admin() -> Actor {
    Actor::system("test")
}

pub async fn tenant(db: &Db, slug: &str) -> Tenant {
    db.create_tenant(
        &admin(),
        NewTenant {
            slug: slug.into(),
            name: format!("{slug} kommune"),
            country: Country::No,
            default_language: None,
            time_zone: None,
        },
    )
    .await
    .unwrap()
}

pub fn ctx(t: &Tenant) -> AuditCtx {
    AuditCtx::system(t.id, "test").with_ip("192.0.2.1")
}

pub fn person(number: &str, given: &str, family: &str) -> NewPerson {
    NewPerson {
        employee_number: number.into(),
        given_name: given.into(),
        family_name: family.into(),
        email: Some(format!("{}@example.no", number)),
        kind: PersonKind::Employee,
        unit: None,
        manager: None,
        employment: Employment::active(),
        birth_date: None,
        preferred_language: None,
    }
}

/// Number of audit events stored for the tenant (redacted ones included).
pub async fn audit_count(db: &Db, t: &Tenant) -> i64 {
    db.audit_chain_state(t.id)
        .await
        .unwrap()
        .map(|s| s.head.seq - s.checkpoint.seq)
        .unwrap_or(0)
}
