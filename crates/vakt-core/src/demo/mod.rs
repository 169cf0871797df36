//! A deterministic demo directory: one municipality with 16 org units and N people, plus one demo
//! account per role. Pure: [`generate`] returns the directory's own types (`Tenant`, `OrgUnit`,
//! `Person`) for the store to insert, and [`DemoAccount`]s for the accounts to create.
//!
//! The same [`DemoOptions`] (seed, country, size, date) always give the same tenant, units and
//! people, ids included. Demo **passwords** are not derived from the seed (a demo that someone
//! exposes must not have guessable credentials): they come from the operating system's random
//! source and are printed by `vakt demo`.
//!
//! ```
//! use time::macros::date;
//! use vakt_core::Country;
//! use vakt_core::demo::{generate, DemoOptions};
//!
//! let demo = generate(&DemoOptions { people: 200, ..DemoOptions::new(Country::No, date!(2025-01-15)) });
//! assert_eq!(demo.units.len(), 16);
//! assert_eq!(demo.people.len(), 200);
//! assert!(demo.accounts.iter().any(|a| a.username == "coordinator"));
//! ```
//!
//! The tree: the chief executive's office → four sectors (staff and support, education, health
//! and care, community and technical) → units such as IT, HR, finance, two schools, a
//! kindergarten, home care, a nursing home, a health station, planning and the welfare office. The
//! first person placed in a unit leads it; everyone's manager is their unit's leader (a leader's
//! manager is the leader of the unit above). About 86 % are employees, 9 % consultants or temps,
//! 3 % elected officials and 2 % external; about 88 % are active, 8 % on leave and 4 %
//! terminated (with an end date before `today`).

mod names;

use std::collections::HashMap;

use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, RngCore, SeedableRng};
use serde::{Deserialize, Serialize};
use time::{Date, Duration};
use uuid::Uuid;

use crate::auth::policy::{PasswordPolicy, PersonalInfo, check_password_rules};
use crate::directory::{
    Employment, EmploymentState, OrgUnit, Person, PersonId, PersonKind, Tenant, TenantId, UnitId,
};
use crate::{Country, Role};

use names::{UNITS, UnitRole};

/// What to generate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DemoOptions {
    pub country: Country,
    /// Number of people (at least 0; 200 by default; 50,000 for benchmarks).
    pub people: usize,
    /// Seed for everything but the passwords.
    pub seed: u64,
    /// "Today" for employment dates and ages.
    pub today: Date,
}

impl DemoOptions {
    /// 200 people, seed 2025.
    pub fn new(country: Country, today: Date) -> Self {
        Self {
            country,
            people: 200,
            seed: 2025,
            today,
        }
    }
}

/// One demo sign-in account.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DemoAccount {
    /// `employee`, `leader`, `coordinator`, `dpo`, `itops`, `auditor`, `admin`, `hostadmin`.
    pub username: String,
    /// The role this account demonstrates (for `vakt demo`'s printout).
    pub shows: Role,
    /// Roles to store (`Leader` is never stored: the `leader` account's person leads a unit;
    /// `HostAdmin` is stored for the host admin, as the store does).
    pub stored_roles: Vec<Role>,
    /// The person behind the account (none for the host admin).
    pub person: Option<PersonId>,
    pub is_host_admin: bool,
    /// A fresh random password that passes the default password policy for this person.
    pub password: String,
    /// A fresh random TOTP secret (base32), for a demo that enrols TOTP and prints it.
    pub totp_secret: String,
}

impl std::fmt::Debug for DemoAccount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DemoAccount")
            .field("username", &self.username)
            .field("shows", &self.shows)
            .field("stored_roles", &self.stored_roles)
            .field("person", &self.person)
            .field("is_host_admin", &self.is_host_admin)
            .field("password", &"<redacted>")
            .field("totp_secret", &"<redacted>")
            .finish()
    }
}

/// The generated municipality.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Demo {
    pub tenant: Tenant,
    /// Parents come before their children.
    pub units: Vec<OrgUnit>,
    /// Managers come before the people they manage.
    pub people: Vec<Person>,
    pub accounts: Vec<DemoAccount>,
    /// The e-mail domain used.
    pub domain: String,
}

fn uuid(rng: &mut StdRng) -> Uuid {
    let mut bytes = [0u8; 16];
    rng.fill_bytes(&mut bytes);
    uuid::Builder::from_random_bytes(bytes).into_uuid()
}

/// Build the demo municipality. Deterministic in `opts` except for [`DemoAccount::password`].
pub fn generate(opts: &DemoOptions) -> Demo {
    let mut rng = StdRng::seed_from_u64(opts.seed);
    let country = opts.country;
    let muni = names::municipality(country);
    let tenant = Tenant {
        id: TenantId(uuid(&mut rng)),
        slug: muni.slug.to_string(),
        name: muni.name.to_string(),
        country,
    };

    let unit_names = names::unit_names(country);
    let mut units: Vec<OrgUnit> = Vec::with_capacity(UNITS.len());
    for (spec, name) in UNITS.iter().zip(unit_names) {
        let parent = spec.parent.and_then(|i| units.get(i)).map(|u| u.id);
        units.push(OrgUnit {
            id: UnitId(uuid(&mut rng)),
            tenant: tenant.id,
            parent,
            name: name.to_string(),
            code: spec.code.to_string(),
            leader: None,
        });
    }

    // Which unit each person belongs to: the first |units| people lead a unit each (root first,
    // so leaders of parents exist before their children); the rest are spread by weight.
    let total_weight: u32 = UNITS.iter().map(|u| u.weight).sum();
    let mut unit_of: Vec<usize> = Vec::with_capacity(opts.people);
    for i in 0..opts.people {
        if i < UNITS.len() {
            unit_of.push(i);
        } else {
            let mut pick = rng.random_range(0..total_weight);
            let mut chosen = 0;
            for (idx, spec) in UNITS.iter().enumerate() {
                if pick < spec.weight {
                    chosen = idx;
                    break;
                }
                pick -= spec.weight;
            }
            unit_of.push(chosen);
        }
    }

    let given = names::given_names(country);
    let family = names::family_names(country);
    let mut email_counts: HashMap<String, u32> = HashMap::new();
    let mut people: Vec<Person> = Vec::with_capacity(opts.people);
    let mut leader_of_unit: Vec<Option<PersonId>> = vec![None; UNITS.len()];

    for (i, &u) in unit_of.iter().enumerate() {
        let is_leader = i < UNITS.len();
        let given_name = given.choose(&mut rng).copied().unwrap_or("Kim");
        let family_name = family.choose(&mut rng).copied().unwrap_or("Berg");
        let base = format!(
            "{}.{}",
            names::ascii_fold(given_name),
            names::ascii_fold(family_name)
        );
        let n = email_counts.entry(base.clone()).or_insert(0);
        *n += 1;
        let local = if *n == 1 { base } else { format!("{base}{n}") };
        let email = format!("{local}@{}", muni.domain);

        let roll: u32 = rng.random_range(0..100);
        let kind = if is_leader || roll < 86 {
            PersonKind::Employee
        } else if roll < 95 {
            PersonKind::Consultant
        } else if roll < 98 {
            PersonKind::ElectedOfficial
        } else {
            PersonKind::External
        };
        // Elected officials sit with the chief executive's office.
        let unit_idx = if kind == PersonKind::ElectedOfficial {
            0
        } else {
            u
        };

        let age_years: i64 = rng.random_range(19..=66);
        let birth_date = opts
            .today
            .checked_sub(Duration::days(
                age_years * 365 + rng.random_range(0..365_i64),
            ))
            .unwrap_or(opts.today);
        let max_service_days = ((age_years - 18) * 365).max(30);
        let start = opts
            .today
            .checked_sub(Duration::days(rng.random_range(30..=max_service_days)))
            .unwrap_or(opts.today);
        let state_roll: u32 = rng.random_range(0..100);
        let employment = if is_leader || state_roll < 88 {
            Employment {
                state: EmploymentState::Active,
                start: Some(start),
                end: if kind == PersonKind::Consultant {
                    opts.today
                        .checked_add(Duration::days(rng.random_range(30..=365)))
                } else {
                    None
                },
            }
        } else if state_roll < 96 {
            Employment {
                state: EmploymentState::OnLeave,
                start: Some(start),
                end: None,
            }
        } else {
            let days_since_start = (opts.today - start).whole_days().max(2);
            let ended_ago = rng.random_range(1..days_since_start);
            Employment {
                state: EmploymentState::Terminated,
                start: Some(start),
                end: opts.today.checked_sub(Duration::days(ended_ago)),
            }
        };

        let id = PersonId(uuid(&mut rng));
        let manager = if is_leader {
            UNITS
                .get(unit_idx)
                .and_then(|s| s.parent)
                .and_then(|p| leader_of_unit.get(p).copied().flatten())
        } else {
            leader_of_unit.get(unit_idx).copied().flatten()
        };
        if is_leader && let Some(slot) = leader_of_unit.get_mut(unit_idx) {
            *slot = Some(id);
        }
        people.push(Person {
            id,
            tenant: tenant.id,
            employee_number: format!("{}", 100_001 + i),
            given_name: given_name.to_string(),
            family_name: family_name.to_string(),
            email: Some(email),
            kind,
            unit: units.get(unit_idx).map(|x| x.id),
            manager,
            employment,
            birth_date: Some(birth_date),
            preferred_language: None,
        });
    }
    for (unit, leader) in units.iter_mut().zip(&leader_of_unit) {
        unit.leader = *leader;
    }

    let accounts = demo_accounts(&units, &people);
    Demo {
        tenant,
        units,
        people,
        accounts,
        domain: muni.domain.to_string(),
    }
}

/// The people behind the demo accounts: each in a fitting unit, active, not leading anything
/// (except the leader), all different.
fn demo_accounts(units: &[OrgUnit], people: &[Person]) -> Vec<DemoAccount> {
    let unit_id = |role: UnitRole| -> Option<UnitId> {
        UNITS
            .iter()
            .position(|s| s.role == role)
            .and_then(|i| units.get(i))
            .map(|u| u.id)
    };
    let leaders: Vec<PersonId> = units.iter().filter_map(|u| u.leader).collect();
    let mut used: Vec<PersonId> = Vec::new();
    let mut pick = |role: UnitRole| -> Option<PersonId> {
        let unit = unit_id(role)?;
        let p = people.iter().find(|p| {
            p.unit == Some(unit)
                && p.kind == PersonKind::Employee
                && p.employment.state == EmploymentState::Active
                && !leaders.contains(&p.id)
                && !used.contains(&p.id)
        })?;
        used.push(p.id);
        Some(p.id)
    };
    let school_leader = unit_id(UnitRole::School)
        .and_then(|id| units.iter().find(|u| u.id == id))
        .and_then(|u| u.leader);

    let specs: [(&str, Role, Vec<Role>, Option<PersonId>); 7] = [
        (
            "employee",
            Role::Employee,
            vec![Role::Employee],
            pick(UnitRole::School),
        ),
        ("leader", Role::Leader, vec![Role::Employee], school_leader),
        (
            "coordinator",
            Role::SecurityCoordinator,
            vec![Role::Employee, Role::SecurityCoordinator],
            pick(UnitRole::It),
        ),
        (
            "dpo",
            Role::Dpo,
            vec![Role::Employee, Role::Dpo],
            pick(UnitRole::Hr),
        ),
        (
            "itops",
            Role::ItOperations,
            vec![Role::Employee, Role::ItOperations],
            pick(UnitRole::It),
        ),
        (
            "auditor",
            Role::Auditor,
            vec![Role::Employee, Role::Auditor],
            pick(UnitRole::Finance),
        ),
        (
            "admin",
            Role::TenantAdmin,
            vec![Role::Employee, Role::TenantAdmin],
            pick(UnitRole::It),
        ),
    ];
    let mut accounts: Vec<DemoAccount> = specs
        .into_iter()
        .map(|(username, shows, stored_roles, person)| {
            let info = person
                .and_then(|id| people.iter().find(|p| p.id == id))
                .map(|p| PersonalInfo {
                    given_name: p.given_name.clone(),
                    family_name: p.family_name.clone(),
                    username: username.to_string(),
                    birth_date: p.birth_date,
                })
                .unwrap_or_else(|| PersonalInfo {
                    username: username.to_string(),
                    ..PersonalInfo::default()
                });
            DemoAccount {
                username: username.to_string(),
                shows,
                stored_roles,
                person,
                is_host_admin: false,
                password: strong_password(&info),
                totp_secret: crate::auth::totp::generate_secret(),
            }
        })
        .collect();
    accounts.push(DemoAccount {
        username: "hostadmin".to_string(),
        shows: Role::HostAdmin,
        stored_roles: vec![Role::HostAdmin],
        person: None,
        is_host_admin: true,
        password: strong_password(&PersonalInfo {
            username: "hostadmin".into(),
            ..PersonalInfo::default()
        }),
        totp_secret: crate::auth::totp::generate_secret(),
    });
    accounts
}

/// A random password of four groups of four (`k7mq-x9t2-w4hd-3rnp`, about 80 bits) from the
/// operating system's random source, re-drawn until it passes the default policy for `info`.
pub fn strong_password(info: &PersonalInfo) -> String {
    const ALPHABET: &[u8] = b"23456789abcdefghjkmnpqrstuvwxyz";
    let policy = PasswordPolicy::default();
    let mut rng = rand::rng();
    loop {
        let groups: Vec<String> = (0..4)
            .map(|_| {
                (0..4)
                    .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
                    .collect()
            })
            .collect();
        let candidate = groups.join("-");
        if check_password_rules(&policy, &candidate, info).is_empty() {
            return candidate;
        }
    }
}

#[cfg(test)]
mod tests;
