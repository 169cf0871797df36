//! `vakt demo`: create the demo municipality (org units, people, one account per role) from
//! `vakt_core::demo`, print how to sign in, then serve.

use std::collections::HashMap;
use std::time::Instant;

use anyhow::{Context, bail};
use vakt_core::audit::{Actor, AuditCtx};
use vakt_core::auth::{hash_password, totp};
use vakt_core::demo::{DemoOptions, generate};
use vakt_core::directory::{ImportPlan, PersonRow, UnitId};
use vakt_core::settings::Settings;
use vakt_core::{Country, Role};
use vakt_store::{Db, ImportMode, NewAccount, NewTenant, NewUnit};

use crate::config::Config;

/// People in the default demo.
pub const DEFAULT_PEOPLE: u32 = 200;

/// One demo account as printed.
pub struct Credential {
    pub username: String,
    pub role: Role,
    pub password: String,
    pub totp_secret: Option<String>,
}

/// What `vakt demo` prints.
pub struct DemoCredentials {
    pub tenant_slug: String,
    pub tenant_name: String,
    pub accounts: Vec<Credential>,
    pub people: usize,
    pub units: usize,
}

/// Creates the demo municipality in an empty database. With `totp`, every demo account is enrolled with a
/// fresh TOTP secret (printed); without, the demo tenant does not require two-factor sign-in.
pub async fn seed(db: &Db, people: u32, totp_on: bool) -> anyhow::Result<DemoCredentials> {
    seed_with(
        db,
        people,
        totp_on,
        super::demo_instructions::InstructionDemo::default(),
    )
    .await
}

/// [`seed`] with the amount of instruction data (`vakt demo --instructions N --acks N`).
pub async fn seed_with(
    db: &Db,
    people: u32,
    totp_on: bool,
    instr: super::demo_instructions::InstructionDemo,
) -> anyhow::Result<DemoCredentials> {
    let started = Instant::now();
    let today = db.now().date();
    let demo = generate(&DemoOptions {
        people: people as usize,
        ..DemoOptions::new(Country::No, today)
    });
    if db.tenant_by_slug(&demo.tenant.slug).await?.is_some() {
        bail!(
            "the demo municipality \"{}\" exists already in this database",
            demo.tenant.slug
        );
    }
    let tenant = db
        .create_tenant(
            &Actor::system("demo"),
            NewTenant {
                slug: demo.tenant.slug.clone(),
                name: demo.tenant.name.clone(),
                country: demo.tenant.country,
                default_language: None,
                time_zone: None,
            },
        )
        .await
        .context("cannot create the demo tenant")?;
    let ctx = AuditCtx::new(tenant.id, Actor::system("demo"));

    // Units (parents first), without leaders: the leaders are people, imported next.
    let mut unit_ids: HashMap<UnitId, UnitId> = HashMap::new();
    let code_of: HashMap<UnitId, &str> =
        demo.units.iter().map(|u| (u.id, u.code.as_str())).collect();
    let mut tx = db.write(&ctx).await?;
    if !totp_on {
        let mut settings = Settings::preset(tenant.country);
        settings.require_totp = false;
        tx.set_tenant_settings(&serde_json::to_value(&settings)?)
            .await?;
    }
    for u in &demo.units {
        let parent = u.parent.and_then(|p| unit_ids.get(&p).copied());
        let created = tx
            .create_unit(NewUnit {
                parent,
                name: u.name.clone(),
                code: u.code.clone(),
                leader: None,
            })
            .await?;
        unit_ids.insert(u.id, created.id);
    }
    // People through the import path (batched; one audit event per person).
    let number_of: HashMap<_, &str> = demo
        .people
        .iter()
        .map(|p| (p.id, p.employee_number.as_str()))
        .collect();
    let rows: Vec<PersonRow> = demo
        .people
        .iter()
        .enumerate()
        .map(|(i, p)| PersonRow {
            line: i as u64 + 2,
            employee_number: p.employee_number.clone(),
            given_name: p.given_name.clone(),
            family_name: p.family_name.clone(),
            email: p.email.clone(),
            kind: p.kind,
            unit_code: p
                .unit
                .and_then(|u| code_of.get(&u))
                .map(|c| (*c).to_owned()),
            manager_employee_number: p
                .manager
                .and_then(|m| number_of.get(&m))
                .map(|n| (*n).to_owned()),
            employment: p.employment,
            birth_date: p.birth_date,
            language: p.preferred_language,
        })
        .collect();
    let plan = ImportPlan {
        total_rows: rows.len(),
        rows,
        errors: Vec::new(),
    };
    tx.apply_import(&plan, ImportMode::AllOrNothing).await?;
    tx.commit().await?;
    db.refresh_statistics().await?;

    // Leaders, now that the people exist.
    let mut tx = db.write(&ctx).await?;
    let mut person_ids = HashMap::new();
    for u in demo.units.iter().filter(|u| u.leader.is_some()) {
        let Some(number) = u.leader.and_then(|l| number_of.get(&l)) else {
            continue;
        };
        let Some(person) = db.person_by_employee_number(tenant.id, number).await? else {
            continue;
        };
        let Some(id) = unit_ids.get(&u.id).copied() else {
            continue;
        };
        let parent = u.parent.and_then(|p| unit_ids.get(&p).copied());
        tx.update_unit(
            id,
            NewUnit {
                parent,
                name: u.name.clone(),
                code: u.code.clone(),
                leader: Some(person.id),
            },
        )
        .await?;
        person_ids.insert(*number, person.id);
    }
    // One account per role.
    let mut accounts = Vec::new();
    let mut account_person: HashMap<String, vakt_core::directory::PersonId> = HashMap::new();
    for a in &demo.accounts {
        let person = match a.person.and_then(|p| number_of.get(&p)) {
            Some(number) => match person_ids.get(number) {
                Some(id) => Some(*id),
                None => db
                    .person_by_employee_number(tenant.id, number)
                    .await?
                    .map(|p| p.id),
            },
            None => None,
        };
        let mut roles = a.stored_roles.clone();
        if a.is_host_admin && !roles.contains(&Role::HostAdmin) {
            roles.push(Role::HostAdmin);
        }
        let hash = hash_password(&a.password)
            .map_err(|e| anyhow::anyhow!("cannot hash a demo password: {e}"))?;
        let acc = tx
            .create_account(NewAccount {
                username: a.username.clone(),
                email: Some(format!("{}@{}", a.username, demo.domain)),
                person,
                password_hash: hash,
                roles,
                must_change_password: false,
            })
            .await?;
        let secret = if totp_on {
            let s = totp::generate_secret();
            tx.set_totp_secret(acc.id, Some(&s)).await?;
            Some(s)
        } else {
            None
        };
        if let Some(p) = person {
            account_person.insert(a.username.clone(), p);
        }
        accounts.push(Credential {
            username: a.username.clone(),
            role: a.shows,
            password: a.password.clone(),
            totp_secret: secret,
        });
    }
    tx.commit().await?;
    // Instructions, groups and acknowledgments (issue 4).
    if let (Some(c), Some(d), Some(l)) = (
        account_person.get("coordinator"),
        account_person.get("dpo"),
        account_person.get("leader"),
    ) {
        super::demo_instructions::seed(db, &ctx, tenant.id, *c, *d, *l, instr).await?;
    }
    super::demo_training::seed(db, tenant.id).await?;
    if let Some(c) = account_person.get("coordinator") {
        super::demo_deviations::seed(db, tenant.id, *c, "coordinator").await?;
    }
    tracing::info!(
        people = demo.people.len(),
        elapsed_ms = started.elapsed().as_millis() as u64,
        "demo created"
    );
    Ok(DemoCredentials {
        tenant_slug: tenant.slug,
        tenant_name: tenant.name,
        accounts,
        people: demo.people.len(),
        units: demo.units.len(),
    })
}

fn role_name(r: Role) -> &'static str {
    match r {
        Role::Employee => "employee",
        Role::Leader => "leader",
        Role::SecurityCoordinator => "security_coordinator",
        Role::Dpo => "dpo",
        Role::ItOperations => "it_operations",
        Role::Auditor => "auditor",
        Role::TenantAdmin => "tenant_admin",
        Role::HostAdmin => "host_admin",
    }
}

/// Prints the address and the demo sign-in details.
pub fn print_credentials(config: &Config, c: &DemoCredentials) {
    let _ = &config;
    println!(
        "Demo municipality: {} ({}), {} org units, {} people.",
        c.tenant_name, c.tenant_slug, c.units, c.people
    );
    println!(
        "Demo accounts (user name, role, password{}):",
        if c.accounts.iter().any(|a| a.totp_secret.is_some()) {
            ", TOTP secret"
        } else {
            ""
        }
    );
    for a in &c.accounts {
        match &a.totp_secret {
            Some(s) => println!(
                "  {:<12} {:<22} {}  {}",
                a.username,
                role_name(a.role),
                a.password,
                s
            ),
            None => println!(
                "  {:<12} {:<22} {}",
                a.username,
                role_name(a.role),
                a.password
            ),
        }
    }
    if c.accounts.iter().any(|a| a.totp_secret.is_some()) {
        println!(
            "Add a TOTP secret to an authenticator app (or `oathtool --totp -b SECRET`) for the second step."
        );
    } else {
        println!("Two-factor sign-in is off for this demo tenant (turn it on under Settings).");
    }
}

/// `vakt demo`.
pub async fn run(
    config: &Config,
    people: u32,
    totp_on: bool,
    seed_only: bool,
    instr: super::demo_instructions::InstructionDemo,
    cases: u64,
) -> anyhow::Result<i32> {
    let db = super::open_migrated(config).await?;
    let creds = seed_with(&db, people, totp_on, instr).await?;
    if cases > 0 {
        super::demo_deviations::bulk(&db, &creds.tenant_slug, cases).await?;
    }
    print_credentials(config, &creds);
    if seed_only {
        db.close().await;
        return Ok(0);
    }
    super::serve::run_server(config, db).await
}
