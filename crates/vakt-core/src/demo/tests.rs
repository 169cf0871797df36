use std::collections::{HashMap, HashSet};

use time::macros::date;

use super::*;
use crate::directory::{check_reparent, path_to_root};

const TODAY: Date = date!(2025 - 01 - 15);

fn demo(country: Country, people: usize, seed: u64) -> Demo {
    generate(&DemoOptions {
        country,
        people,
        seed,
        today: TODAY,
    })
}

#[test]
fn same_seed_gives_the_same_directory() {
    let a = demo(Country::No, 300, 7);
    let b = demo(Country::No, 300, 7);
    assert_eq!(a.tenant, b.tenant);
    assert_eq!(a.units, b.units);
    assert_eq!(a.people, b.people);
    let roles = |d: &Demo| -> Vec<(String, Option<PersonId>)> {
        d.accounts
            .iter()
            .map(|x| (x.username.clone(), x.person))
            .collect()
    };
    assert_eq!(roles(&a), roles(&b));
    let c = demo(Country::No, 300, 8);
    assert_ne!(a.people, c.people);
}

#[test]
fn passwords_are_not_derived_from_the_seed() {
    let a = demo(Country::No, 50, 1);
    let b = demo(Country::No, 50, 1);
    assert_ne!(a.accounts[0].password, b.accounts[0].password);
}

#[test]
fn municipality_has_sixteen_units_in_one_tree_with_a_leader_each() {
    let d = demo(Country::No, 200, 1);
    assert_eq!(d.units.len(), 16);
    let roots: Vec<_> = d.units.iter().filter(|u| u.parent.is_none()).collect();
    assert_eq!(roots.len(), 1);
    let ids: HashSet<UnitId> = d.units.iter().map(|u| u.id).collect();
    for (i, u) in d.units.iter().enumerate() {
        assert_eq!(u.tenant, d.tenant.id);
        if let Some(p) = u.parent {
            assert!(ids.contains(&p));
            // Parents come first.
            assert!(d.units[..i].iter().any(|x| x.id == p));
        }
        assert!(u.leader.is_some(), "{} has no leader", u.name);
        // Every unit reaches the root.
        assert_eq!(
            path_to_root(&d.units, u.id).last().copied(),
            Some(roots[0].id)
        );
        assert!(check_reparent(&d.units, u.id, u.parent).is_ok());
    }
    let codes: HashSet<&str> = d.units.iter().map(|u| u.code.as_str()).collect();
    assert_eq!(codes.len(), 16);
}

#[test]
fn unit_names_are_in_the_tenant_language() {
    let no = demo(Country::No, 20, 1);
    let se = demo(Country::Se, 20, 1);
    let dk = demo(Country::Dk, 20, 1);
    assert!(no.units.iter().any(|u| u.name.contains("skole")));
    assert!(no.units.iter().any(|u| u.name.starts_with("NAV")));
    assert!(se.units.iter().any(|u| u.name.contains("skolan")));
    assert!(se.units.iter().any(|u| u.name.contains("Hemtjänsten")));
    assert!(dk.units.iter().any(|u| u.name.contains("Skole")));
    assert!(dk.units.iter().any(|u| u.name.contains("Hjemmeplejen")));
    assert_eq!(no.tenant.country, crate::Country::No);
    assert_eq!(
        se.tenant.country.default_language(),
        crate::directory::Language::Sv
    );
    assert!(dk.domain.ends_with(".dk"));
}

#[test]
fn employee_numbers_and_emails_are_unique_and_well_formed() {
    let d = demo(Country::Se, 5_000, 3);
    let numbers: HashSet<&str> = d
        .people
        .iter()
        .map(|p| p.employee_number.as_str())
        .collect();
    assert_eq!(numbers.len(), 5_000);
    let emails: HashSet<&str> = d.people.iter().filter_map(|p| p.email.as_deref()).collect();
    assert_eq!(emails.len(), 5_000);
    for e in &emails {
        let (local, domain) = e.split_once('@').expect("@");
        assert_eq!(domain, "sjostad.se");
        assert!(
            local
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-'),
            "{e}"
        );
        assert!(local.contains('.'));
    }
}

#[test]
fn managers_are_unit_leaders() {
    let d = demo(Country::Dk, 1_000, 5);
    let leader_of: HashMap<UnitId, PersonId> = d
        .units
        .iter()
        .filter_map(|u| u.leader.map(|l| (u.id, l)))
        .collect();
    let parent_of: HashMap<UnitId, Option<UnitId>> =
        d.units.iter().map(|u| (u.id, u.parent)).collect();
    let index: HashMap<PersonId, usize> = d
        .people
        .iter()
        .enumerate()
        .map(|(i, p)| (p.id, i))
        .collect();
    for (i, p) in d.people.iter().enumerate() {
        let unit = p.unit.expect("every demo person has a unit");
        let expected = if leader_of.get(&unit) == Some(&p.id) {
            parent_of[&unit].and_then(|parent| leader_of.get(&parent).copied())
        } else {
            leader_of.get(&unit).copied()
        };
        assert_eq!(p.manager, expected, "{}", p.display_name());
        if let Some(m) = p.manager {
            assert!(index[&m] < i, "managers come first");
        }
    }
}

#[test]
fn kinds_and_states_are_a_realistic_mix() {
    let d = demo(Country::No, 10_000, 11);
    let count = |f: &dyn Fn(&Person) -> bool| d.people.iter().filter(|p| f(p)).count();
    let employees = count(&|p| p.kind == PersonKind::Employee);
    let consultants = count(&|p| p.kind == PersonKind::Consultant);
    let elected = count(&|p| p.kind == PersonKind::ElectedOfficial);
    let active = count(&|p| p.employment.state == EmploymentState::Active);
    let leave = count(&|p| p.employment.state == EmploymentState::OnLeave);
    let terminated = count(&|p| p.employment.state == EmploymentState::Terminated);
    assert!(employees > 8_000, "{employees}");
    assert!((600..1_300).contains(&consultants), "{consultants}");
    assert!((100..600).contains(&elected), "{elected}");
    assert!(active > 8_000, "{active}");
    assert!((400..1_200).contains(&leave), "{leave}");
    assert!((150..700).contains(&terminated), "{terminated}");
    for p in &d.people {
        let e = p.employment;
        let start = e.start.expect("start date");
        assert!(start <= TODAY);
        if e.state == EmploymentState::Terminated {
            let end = e.end.expect("terminated people have an end date");
            assert!(start <= end && end < TODAY, "{e:?}");
            assert!(!e.is_current(TODAY));
        }
        let birth = p.birth_date.expect("birth date");
        let age = (TODAY - birth).whole_days() / 365;
        assert!((18..=67).contains(&age), "{age}");
        assert!(birth < start, "born before starting work");
        if p.kind == PersonKind::ElectedOfficial {
            assert_eq!(p.unit, Some(d.units[0].id));
        }
    }
}

#[test]
fn one_demo_account_per_role_with_distinct_people() {
    let d = demo(Country::No, 200, 2025);
    let names: Vec<&str> = d.accounts.iter().map(|a| a.username.as_str()).collect();
    assert_eq!(
        names,
        vec![
            "employee",
            "leader",
            "coordinator",
            "dpo",
            "itops",
            "auditor",
            "admin",
            "hostadmin"
        ]
    );
    let shown: HashSet<Role> = d.accounts.iter().map(|a| a.shows).collect();
    assert_eq!(shown.len(), 8);
    let persons: Vec<PersonId> = d.accounts.iter().filter_map(|a| a.person).collect();
    assert_eq!(persons.len(), 7, "all but the host admin have a person");
    assert_eq!(persons.iter().collect::<HashSet<_>>().len(), 7);
    for a in &d.accounts {
        assert!(!a.stored_roles.contains(&Role::Leader));
        assert_eq!(a.stored_roles.contains(&Role::HostAdmin), a.is_host_admin);
        assert_eq!(a.is_host_admin, a.shows == Role::HostAdmin);
        assert_eq!(a.totp_secret.len(), 32);
        if a.shows != Role::Leader {
            assert!(a.stored_roles.contains(&a.shows), "{a:?}");
        }
    }
    // The leader account's person leads a unit; the others lead none.
    let leaders: HashSet<PersonId> = d.units.iter().filter_map(|u| u.leader).collect();
    for a in &d.accounts {
        let leads = a.person.is_some_and(|p| leaders.contains(&p));
        assert_eq!(leads, a.username == "leader", "{}", a.username);
    }
}

#[test]
fn demo_passwords_are_strong_and_pass_the_default_policy_for_their_person() {
    let d = demo(Country::Dk, 200, 4);
    let policy = PasswordPolicy::default();
    for a in &d.accounts {
        assert_eq!(a.password.len(), 19);
        let info = a
            .person
            .and_then(|id| d.people.iter().find(|p| p.id == id))
            .map(|p| PersonalInfo {
                given_name: p.given_name.clone(),
                family_name: p.family_name.clone(),
                username: a.username.clone(),
                birth_date: p.birth_date,
            })
            .unwrap_or_default();
        assert_eq!(check_password_rules(&policy, &a.password, &info), vec![]);
        assert!(!format!("{a:?}").contains(&a.password));
        assert!(!format!("{a:?}").contains(&a.totp_secret));
    }
}

#[test]
fn tiny_and_empty_directories_do_not_panic() {
    for n in [0, 1, 5, 16, 17] {
        let d = demo(Country::Se, n, 1);
        assert_eq!(d.people.len(), n);
        assert_eq!(d.accounts.len(), 8);
    }
}

#[test]
fn fifty_thousand_people_generate_quickly() {
    let started = std::time::Instant::now();
    let d = demo(Country::No, 50_000, 9);
    assert_eq!(d.people.len(), 50_000);
    let emails: HashSet<&str> = d.people.iter().filter_map(|p| p.email.as_deref()).collect();
    assert_eq!(emails.len(), 50_000);
    // Generous bound for a debug build on a slow machine; typically well under a second.
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
}
