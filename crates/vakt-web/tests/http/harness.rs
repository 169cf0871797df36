//! `TestApp::spawn()`: a server with one tenant ("demo", TOTP required), helpers to add accounts and to
//! act like a browser.

use std::sync::Arc;

use reqwest::{Client, StatusCode, header};
use time::{Duration, macros::datetime};
use vakt_core::{
    Country, Role,
    audit::Actor,
    auth::{hash_password, totp},
    clock::FixedClock,
    directory::{AccountId, Employment, PersonKind, Tenant},
};
use vakt_store::{AuditCtx, AuditFilter, Db, NewAccount, NewPerson, NewTenant};
use vakt_web::{AppState, WebConfig};

pub const PASSWORD: &str = "correct horse battery staple 42";

/// Which database engine a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// A PostgreSQL database made for one test, dropped when the test ends.
struct PgDatabase {
    admin_url: String,
    name: String,
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        let (url, name) = (self.admin_url.clone(), self.name.clone());
        // Drop runs inside the test's runtime; do the async cleanup on a thread of its own.
        let _ = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            rt.block_on(async {
                if let Ok(admin) = sqlx::PgPool::connect(&url).await {
                    let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .execute(&admin)
                        .await;
                    admin.close().await;
                }
            });
        })
        .join();
    }
}

fn pg_url_with_db(base: &str, name: &str) -> String {
    let (main, query) = base
        .split_once('?')
        .map_or((base, None), |(m, q)| (m, Some(q)));
    let scheme_end = main.find("://").map_or(0, |i| i + 3);
    let host_end = main[scheme_end..]
        .find('/')
        .map_or(main.len(), |i| i + scheme_end);
    let mut url = format!("{}/{}", &main[..host_end], name);
    if let Some(q) = query {
        url.push('?');
        url.push_str(q);
    }
    url
}

pub struct TestApp {
    pub base: String,
    pub db: Db,
    /// The server's state (to run the job worker's `tick` in tests).
    pub state: AppState,
    pub clock: Arc<FixedClock>,
    pub tenant: Tenant,
    _dir: tempfile::TempDir,
    _pg: Option<PgDatabase>,
    _shutdown: tokio::sync::oneshot::Sender<()>,
}

pub struct TestUser {
    pub username: String,
    pub account: AccountId,
    pub secret: Option<String>,
}

impl TestApp {
    /// A server on `engine`; `None` for PostgreSQL when `VAKT_TEST_POSTGRES_URL` is not set.
    pub async fn spawn_on(engine: Engine, config: WebConfig) -> Option<TestApp> {
        let dir = tempfile::tempdir().unwrap();
        let (url, pg) = match engine {
            Engine::Sqlite => (
                format!("sqlite://{}", dir.path().join("vakt.db").display()),
                None,
            ),
            Engine::Postgres => {
                let base = std::env::var("VAKT_TEST_POSTGRES_URL").ok()?;
                let name = format!("vakt_web_test_{}", uuid::Uuid::now_v7().simple());
                let admin = sqlx::PgPool::connect(&base).await.unwrap();
                sqlx::query(&format!("CREATE DATABASE {name}"))
                    .execute(&admin)
                    .await
                    .unwrap();
                admin.close().await;
                (
                    pg_url_with_db(&base, &name),
                    Some(PgDatabase {
                        admin_url: base,
                        name,
                    }),
                )
            }
        };
        let db = Db::open(&url).await.unwrap();
        db.migrate().await.unwrap();
        let clock = Arc::new(FixedClock::new(datetime!(2026-03-02 09:00 UTC)));
        let state = AppState::new(db.clone(), config, clock.clone());
        let db = state.db().clone();
        let tenant = db
            .create_tenant(
                &Actor::system("test"),
                NewTenant {
                    slug: "demo".into(),
                    name: "Demo kommune".into(),
                    country: Country::No,
                    default_language: None,
                    time_zone: None,
                },
            )
            .await
            .unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let served = state.clone();
        tokio::spawn(async move {
            vakt_web::serve(listener, served, async {
                let _ = rx.await;
            })
            .await
            .unwrap();
        });
        Some(TestApp {
            base,
            db,
            state,
            clock,
            tenant,
            _dir: dir,
            _pg: pg,
            _shutdown: tx,
        })
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// Adds a person with an account. `totp`: enrol a TOTP secret (and no recovery codes).
    pub async fn add_user(&self, username: &str, roles: &[Role], totp_enrolled: bool) -> TestUser {
        let ctx = AuditCtx::new(self.tenant.id, Actor::system("test"));
        let mut tx = self.db.write(&ctx).await.unwrap();
        let person = tx
            .create_person(NewPerson {
                employee_number: format!("E-{username}"),
                given_name: "Kari".into(),
                family_name: format!("Nordmann {username}"),
                email: None,
                kind: PersonKind::Employee,
                unit: None,
                manager: None,
                employment: Employment::active(),
                birth_date: None,
                preferred_language: None,
            })
            .await
            .unwrap();
        let hash = hash_password(PASSWORD).unwrap();
        let acc = tx
            .create_account(NewAccount {
                username: username.into(),
                email: None,
                person: Some(person.id),
                password_hash: hash,
                roles: roles.to_vec(),
                must_change_password: false,
            })
            .await
            .unwrap();
        let secret = if totp_enrolled {
            let s = totp::generate_secret();
            tx.set_totp_secret(acc.id, Some(&s)).await.unwrap();
            Some(s)
        } else {
            None
        };
        tx.commit().await.unwrap();
        TestUser {
            username: username.into(),
            account: acc.id,
            secret,
        }
    }

    /// Switches the tenant's TOTP requirement.
    pub async fn require_totp(&self, on: bool) {
        let ctx = AuditCtx::new(self.tenant.id, Actor::system("test"));
        let mut tx = self.db.write(&ctx).await.unwrap();
        tx.set_tenant_settings(&serde_json::json!({ "require_totp": on }))
            .await
            .unwrap();
        tx.commit().await.unwrap();
    }

    /// The current TOTP code of `user`.
    pub fn code(&self, user: &TestUser) -> String {
        use vakt_core::clock::Clock;
        totp::code_at(user.secret.as_deref().unwrap(), self.clock.now()).unwrap()
    }

    /// Moves time on (for the server and the store).
    pub fn advance(&self, by: Duration) {
        self.clock.advance(by);
    }

    /// Audit actions recorded in the tenant, oldest first.
    pub async fn audit_actions(&self) -> Vec<String> {
        let mut events = self
            .db
            .search_audit(self.tenant.id, &AuditFilter::default(), 1000, 0)
            .await
            .unwrap();
        events.sort_by_key(|e| e.seq);
        events.into_iter().map(|e| e.action).collect()
    }

    /// A cookie-keeping client that does not follow redirects.
    pub fn browser(&self) -> Client {
        Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
    }

    /// GET a page and return (status, body).
    pub async fn get(&self, c: &Client, path: &str) -> (StatusCode, String) {
        let r = c.get(self.url(path)).send().await.unwrap();
        (r.status(), r.text().await.unwrap())
    }

    /// The CSRF token of the page at `path` (its first `csrf` field).
    pub async fn csrf(&self, c: &Client, path: &str) -> String {
        let (_, body) = self.get(c, path).await;
        csrf_in(&body).unwrap_or_else(|| panic!("no csrf field on {path}: {body}"))
    }

    /// POST a urlencoded form (with the CSRF token of `form_page` added).
    pub async fn post_form(
        &self,
        c: &Client,
        form_page: &str,
        path: &str,
        fields: &[(&str, &str)],
    ) -> reqwest::Response {
        let token = self.csrf(c, form_page).await;
        let mut all: Vec<(&str, &str)> = vec![("csrf", token.as_str())];
        all.extend_from_slice(fields);
        c.post(self.url(path)).form(&all).send().await.unwrap()
    }

    /// Password step only; returns the response (a redirect on success).
    pub async fn password_step(
        &self,
        c: &Client,
        username: &str,
        password: &str,
    ) -> reqwest::Response {
        self.post_form(
            c,
            "/login",
            "/login",
            &[("username", username), ("password", password)],
        )
        .await
    }

    /// Full sign-in with password and the current TOTP code; asserts it lands on my page.
    pub async fn sign_in(&self, c: &Client, user: &TestUser) {
        let r = self.password_step(c, &user.username, PASSWORD).await;
        assert_eq!(
            r.status(),
            StatusCode::SEE_OTHER,
            "{}",
            r.text().await.unwrap()
        );
        assert_eq!(location(&r), "/login/totp");
        let code = self.code(user);
        let r = self
            .post_form(c, "/login/totp", "/login/totp", &[("code", &code)])
            .await;
        assert_eq!(
            r.status(),
            StatusCode::SEE_OTHER,
            "{}",
            r.text().await.unwrap()
        );
        assert_eq!(location(&r), "/me");
    }
}

pub fn location(r: &reqwest::Response) -> String {
    r.headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned()
}

/// The value of the first `name="csrf"` field.
pub fn csrf_in(html: &str) -> Option<String> {
    let i = html.find("name=\"csrf\" value=\"")?;
    let rest = &html[i + "name=\"csrf\" value=\"".len()..];
    Some(rest[..rest.find('"')?].to_owned())
}

/// The value of a `Set-Cookie` for `name` in this response, if any.
pub fn set_cookie_value(r: &reqwest::Response, name: &str) -> Option<String> {
    r.headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| {
            v.strip_prefix(&format!("{name}="))
                .map(|rest| rest.split(';').next().unwrap_or("").to_owned())
        })
}

/// Defines a test that runs on SQLite (`<name>::sqlite`) and on PostgreSQL (`<name>::postgres`, skipped
/// when `VAKT_TEST_POSTGRES_URL` is not set):
/// `engine_test!(name, |app| { ... });` or `engine_test!(name, config, |app| { ... });`.
#[macro_export]
macro_rules! engine_test {
    ($name:ident, |$app:ident| $body:block) => {
        $crate::engine_test!($name, vakt_web::WebConfig::default(), |$app| $body);
    };
    ($name:ident, $config:expr, |$app:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test]
            async fn sqlite() {
                let $app =
                    $crate::harness::TestApp::spawn_on($crate::harness::Engine::Sqlite, $config)
                        .await
                        .unwrap();
                $body
            }

            #[tokio::test]
            async fn postgres() {
                let Some($app) =
                    $crate::harness::TestApp::spawn_on($crate::harness::Engine::Postgres, $config)
                        .await
                else {
                    return;
                };
                $body
            }
        }
    };
}

/// A "read and understood" record by `who` of the version `v`, made `at` (by password).
pub fn ack_of(
    v: &vakt_store::InstructionVersion,
    who: vakt_core::directory::PersonId,
    at: time::OffsetDateTime,
) -> vakt_core::instructions::Acknowledgment {
    vakt_core::instructions::Acknowledgment::record(vakt_core::instructions::AckInput {
        id: vakt_core::instructions::AckId::new(),
        person: who,
        instruction: v.instruction,
        version_id: v.id,
        version: v.number,
        text_shown: &v.body,
        version_text_hash: v.body_sha256,
        method: vakt_core::instructions::AckMethod::Password,
        at,
        ip: None,
        user_agent: Some("test"),
    })
    .expect("a valid acknowledgment")
}
