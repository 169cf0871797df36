//! A running Vakt (real router, real SQLite or PostgreSQL store, real HTTP on 127.0.0.1) with two
//! tenants and one signed-in client per role, for the authorization walk, hostile input and API tests.
//!
//! Tenant `alfa`: units Kommune → {Skole, Helse}; the leader of Skole; one account per role (employee,
//! leader, coordinator, dpo, itops, auditor, admin, hostadmin). Tenant `beta`: one account holding every
//! tenant role (admin, coordinator, DPO, IT operations). Everything of `alfa` carries the marker
//! [`ALFA_MARK`], so a response to a `beta` user that contains it has crossed tenants.

use std::collections::HashMap;
use std::sync::Arc;

use reqwest::{Client, StatusCode, redirect::Policy};
use tokio::sync::oneshot;
use vakt_core::audit::{Actor, AuditCtx};
use vakt_core::auth::{hash_password, token::new_token};
use vakt_core::authz::Principal;
use vakt_core::directory::{Employment, OrgUnit, Person, PersonKind, Tenant, UnitId};
use vakt_core::settings::Settings;
use vakt_core::{Country, Role};
use vakt_store::{Db, NewAccount, NewPerson, NewTenant, NewUnit};
use vakt_web::{AppState, WebConfig};

/// Appears in every name of tenant `alfa`.
pub const ALFA_MARK: &str = "Alfamark";
pub const PASSWORD: &str = "Tolv-tegn-og-litt-til-2024";

/// One signed-in user.
pub struct User {
    pub name: String,
    pub client: Client,
    pub csrf: String,
    pub token: String,
    pub principal: Principal,
    pub tenant: Tenant,
}

#[allow(dead_code)] // Fixture handles offered to every test module; not every module uses each one.
pub struct World {
    pub base: String,
    pub db: Db,
    pub alfa: Tenant,
    pub beta: Tenant,
    pub root: OrgUnit,
    pub school: OrgUnit,
    pub health: OrgUnit,
    /// A person in the school (the employee account's person).
    pub pupil_teacher: Person,
    pub beta_person: Person,
    /// Instructions fixture (published instruction, version, attachment, group, acknowledgment).
    pub instr: crate::instructions::Fixture,
    /// A course, and the school leader's self-reported completion of it with an evidence file.
    pub course: vakt_core::training::CourseId,
    pub completion: vakt_core::training::CompletionId,
    pub evidence: vakt_core::training::FileId,
    /// The school leader's person (whose completion that is).
    pub leader_person: vakt_core::directory::PersonId,
    /// A deviation case of `alfa`, reported by the teacher in the school.
    pub case: vakt_store::Case,
    /// An open (not exempt) attachment of `case`.
    pub case_attachment: uuid::Uuid,
    pub users: Vec<User>,
    _dir: tempfile::TempDir,
    _stop: oneshot::Sender<()>,
    pg: Option<(String, String)>,
}

impl Drop for World {
    fn drop(&mut self) {
        if let Some((admin, name)) = self.pg.take() {
            let _ = std::process::Command::new("psql")
                .arg(&admin)
                .args([
                    "-qc",
                    &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
                ])
                .output();
        }
    }
}

pub fn client() -> Client {
    Client::builder()
        .cookie_store(true)
        .redirect(Policy::none())
        .build()
        .expect("client")
}

/// The value of the first `name="csrf" value="…"` in a page.
pub fn csrf_in(html: &str) -> Option<String> {
    let i = html.find("name=\"csrf\" value=\"")? + "name=\"csrf\" value=\"".len();
    let rest = html.get(i..)?;
    Some(rest.get(..rest.find('"')?)?.to_owned())
}

async fn person(
    db: &Db,
    ctx: &AuditCtx,
    number: &str,
    given: &str,
    family: &str,
    unit: Option<UnitId>,
) -> Person {
    let mut tx = db.write(ctx).await.expect("tx");
    let p = tx
        .create_person(NewPerson {
            employee_number: number.into(),
            given_name: given.into(),
            family_name: family.into(),
            email: Some(format!("{number}@example.org")),
            kind: PersonKind::Employee,
            unit,
            manager: None,
            employment: Employment::active(),
            birth_date: None,
            preferred_language: None,
        })
        .await
        .expect("person");
    tx.commit().await.expect("commit");
    p
}

async fn unit(db: &Db, ctx: &AuditCtx, code: &str, name: &str, parent: Option<UnitId>) -> OrgUnit {
    let mut tx = db.write(ctx).await.expect("tx");
    let u = tx
        .create_unit(NewUnit {
            parent,
            name: name.into(),
            code: code.into(),
            leader: None,
        })
        .await
        .expect("unit");
    tx.commit().await.expect("commit");
    u
}

async fn tenant(db: &Db, slug: &str, name: &str) -> Tenant {
    let t = db
        .create_tenant(
            &Actor::system("test"),
            NewTenant {
                slug: slug.into(),
                name: name.into(),
                country: Country::No,
                default_language: None,
                time_zone: None,
            },
        )
        .await
        .expect("tenant");
    let mut s = Settings::preset(Country::No);
    s.require_totp = false;
    let mut tx = db
        .write(&AuditCtx::new(t.id, Actor::system("test")))
        .await
        .expect("tx");
    tx.set_tenant_settings(&serde_json::to_value(&s).expect("json"))
        .await
        .expect("settings");
    tx.commit().await.expect("commit");
    t
}

/// Creates an account with a token and signs it in over HTTP.
async fn user(
    world_base: &str,
    db: &Db,
    t: &Tenant,
    username: &str,
    roles: Vec<Role>,
    person: Option<&Person>,
    led: Vec<UnitId>,
) -> User {
    let ctx = AuditCtx::new(t.id, Actor::system("test"));
    let mut tx = db.write(&ctx).await.expect("tx");
    let acc = tx
        .create_account(NewAccount {
            username: username.into(),
            email: None,
            person: person.map(|p| p.id),
            password_hash: hash_password(PASSWORD).expect("hash"),
            roles: roles.clone(),
            must_change_password: false,
        })
        .await
        .expect("account");
    let token = new_token();
    tx.create_api_token(acc.id, "test", &token.hash, None)
        .await
        .expect("token");
    tx.commit().await.expect("commit");
    let client = client();
    let login = client
        .get(format!("{world_base}/login"))
        .send()
        .await
        .expect("login page");
    let html = login.text().await.expect("body");
    let csrf = csrf_in(&html).expect("csrf on the sign-in page");
    let resp = client
        .post(format!("{world_base}/login"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("tenant", t.slug.as_str()),
            ("username", username),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .expect("sign in");
    assert!(
        resp.status().is_redirection(),
        "sign-in of {username} answered {}",
        resp.status()
    );
    let me = client
        .get(format!("{world_base}/me"))
        .send()
        .await
        .expect("me");
    assert_eq!(me.status(), StatusCode::OK, "{username} is not signed in");
    let csrf = csrf_in(&me.text().await.expect("body")).expect("csrf on my page");
    let is_host = roles.contains(&Role::HostAdmin);
    let principal = Principal::new(acc.id, person.map(|p| p.id), t.id, roles, led, is_host);
    User {
        name: username.into(),
        client,
        csrf,
        token: token.plain,
        principal,
        tenant: t.clone(),
    }
}

impl World {
    pub async fn start() -> World {
        let dir = tempfile::tempdir().expect("tempdir");
        let (url, pg) = match std::env::var("VAKT_TEST_POSTGRES_URL") {
            Ok(admin) if std::env::var("VAKT_TEST_HTTP_ON_POSTGRES").is_ok() => {
                let name = format!(
                    "vakt_http_{}_{}",
                    std::process::id(),
                    uuid::Uuid::now_v7().simple()
                );
                let out = std::process::Command::new("psql")
                    .arg(&admin)
                    .args(["-qc", &format!("CREATE DATABASE {name}")])
                    .output()
                    .expect("psql");
                assert!(out.status.success());
                let base = admin
                    .rsplit_once('/')
                    .map_or(admin.as_str(), |(b, _)| b)
                    .to_owned();
                (format!("{base}/{name}"), Some((admin, name)))
            }
            _ => (
                format!("sqlite://{}", dir.path().join("vakt.db").display()),
                None,
            ),
        };
        let db = Db::open(&url).await.expect("open");
        db.migrate().await.expect("migrate");
        let config = WebConfig {
            secure_cookies: false,
            ..WebConfig::default()
        };
        let state = AppState::new(db.clone(), config, Arc::new(vakt_core::clock::SystemClock));
        let db = state.db().clone();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(vakt_web::serve(listener, state, async move {
            let _ = stopped.await;
        }));

        let alfa = tenant(&db, "alfa", &format!("{ALFA_MARK} kommune")).await;
        let beta = tenant(&db, "beta", "Beta kommune").await;
        let a = AuditCtx::new(alfa.id, Actor::system("test"));
        let b = AuditCtx::new(beta.id, Actor::system("test"));
        let root = unit(&db, &a, "K", &format!("{ALFA_MARK} rådhus"), None).await;
        let school = unit(&db, &a, "S", &format!("{ALFA_MARK} skole"), Some(root.id)).await;
        let health = unit(&db, &a, "H", &format!("{ALFA_MARK} helse"), Some(root.id)).await;
        let leader = person(
            &db,
            &a,
            "A1",
            "Lene",
            &format!("{ALFA_MARK}leder"),
            Some(school.id),
        )
        .await;
        let teacher = person(
            &db,
            &a,
            "A2",
            "Tor",
            &format!("{ALFA_MARK}lærer"),
            Some(school.id),
        )
        .await;
        let mut staff = HashMap::new();
        for (i, who) in ["coordinator", "dpo", "itops", "auditor", "admin"]
            .iter()
            .enumerate()
        {
            let p = person(
                &db,
                &a,
                &format!("A{}", i + 10),
                who,
                &format!("{ALFA_MARK}{who}"),
                Some(health.id),
            )
            .await;
            staff.insert(*who, p);
        }
        let mut tx = db.write(&a).await.expect("tx");
        tx.update_unit(
            school.id,
            NewUnit {
                parent: Some(root.id),
                name: school.name.clone(),
                code: "S".into(),
                leader: Some(leader.id),
            },
        )
        .await
        .expect("leader");
        tx.commit().await.expect("commit");
        let instr =
            crate::instructions::fixture(&db, &a, &staff["coordinator"], &staff["dpo"], school.id)
                .await;
        let (course, completion, evidence) = training_fixture(&db, &a, leader.id).await;
        let leader_person = leader.id;
        let mut tx = db.write(&a).await.expect("tx");
        let case = tx
            .report_dev_case(vakt_store::NewCase {
                title: format!("{ALFA_MARK} lost access card"),
                description: String::new(),
                category_key: "information_security".into(),
                unit: Some(school.id),
                occurred_at: None,
                discovered_at: db.now() - time::Duration::minutes(1),
                personal_data: vakt_store::PersonalData::Unsure,
                affected: Vec::new(),
                reporter: vakt_store::Reporter::Person {
                    person: teacher.id,
                    account: None,
                },
            })
            .await
            .expect("case");
        let case_attachment = tx
            .add_dev_attachment(
                case.id,
                vakt_store::NewAttachment {
                    name: "kortlogg.txt".into(),
                    content_type: "text/plain".into(),
                    data: format!("{ALFA_MARK} card log").into_bytes(),
                    secrecy: vakt_store::Secrecy::Open,
                    secrecy_basis: String::new(),
                },
            )
            .await
            .expect("case attachment")
            .id;
        tx.commit().await.expect("commit");
        let bunit = unit(&db, &b, "B", "Beta rådhus", None).await;
        let beta_person = person(&db, &b, "B1", "Bente", "Betaperson", Some(bunit.id)).await;

        let e = Role::Employee;
        let mut users = Vec::new();
        users.push(
            user(
                &base,
                &db,
                &alfa,
                "employee",
                vec![e],
                Some(&teacher),
                vec![],
            )
            .await,
        );
        users.push(
            user(
                &base,
                &db,
                &alfa,
                "leader",
                vec![e],
                Some(&leader),
                vec![school.id],
            )
            .await,
        );
        for (name, role) in [
            ("coordinator", Role::SecurityCoordinator),
            ("dpo", Role::Dpo),
            ("itops", Role::ItOperations),
            ("auditor", Role::Auditor),
            ("admin", Role::TenantAdmin),
        ] {
            users.push(
                user(
                    &base,
                    &db,
                    &alfa,
                    name,
                    vec![e, role],
                    staff.get(name),
                    vec![],
                )
                .await,
            );
        }
        users.push(
            user(
                &base,
                &db,
                &alfa,
                "hostadmin",
                vec![Role::HostAdmin],
                None,
                vec![],
            )
            .await,
        );
        users.push(
            user(
                &base,
                &db,
                &beta,
                "beta-all",
                vec![
                    e,
                    Role::TenantAdmin,
                    Role::SecurityCoordinator,
                    Role::Dpo,
                    Role::ItOperations,
                ],
                Some(&beta_person),
                vec![],
            )
            .await,
        );
        World {
            base,
            db,
            alfa,
            beta,
            root,
            school,
            health,
            pupil_teacher: teacher,
            beta_person,
            instr,
            course,
            completion,
            evidence,
            leader_person,
            case,
            case_attachment,
            users,
            _dir: dir,
            _stop: stop,
            pg,
        }
    }

    pub fn user(&self, name: &str) -> &User {
        self.users.iter().find(|u| u.name == name).expect("user")
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }
}

/// A course and a self-reported completion (with a tiny PDF) by `person`.
async fn training_fixture(
    db: &Db,
    ctx: &vakt_store::AuditCtx,
    person: vakt_core::directory::PersonId,
) -> (
    vakt_core::training::CourseId,
    vakt_core::training::CompletionId,
    vakt_core::training::FileId,
) {
    let mut tx = db.write(ctx).await.expect("tx");
    let course = tx
        .create_course(vakt_store::NewCourse {
            code: "AUTHZ".into(),
            title: format!("{ALFA_MARK} course"),
            description: String::new(),
            kind: vakt_store::CourseKind::Internal,
            provider: String::new(),
            url: None,
            validity_months: Some(12),
            renew_days_before: 30,
            mandatory: true,
            complete_within_days: Some(14),
            archived: false,
        })
        .await
        .expect("course");
    let rec = tx
        .report_completion(
            person,
            course.id,
            db.now() - time::Duration::days(1),
            vakt_store::EvidenceUpload {
                file_name: "certificate.pdf".into(),
                content_type: "application/pdf".into(),
                bytes: b"%PDF-1.4\n%%EOF\n".to_vec(),
            },
        )
        .await
        .expect("completion");
    tx.commit().await.expect("commit");
    let vakt_core::training::CompletionSource::SelfReported { evidence, .. } =
        rec.completion.source
    else {
        panic!("self-reported")
    };
    (course.id, rec.completion.id, evidence)
}
