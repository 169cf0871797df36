use super::*;
use crate::directory::{AccountId, PersonId, TenantId, UnitId};

const ROLES: [Role; 8] = [
    Role::Employee,
    Role::Leader,
    Role::SecurityCoordinator,
    Role::Dpo,
    Role::ItOperations,
    Role::Auditor,
    Role::TenantAdmin,
    Role::HostAdmin,
];

/// The policy, as a table: `T` tenant-wide, `S` own subtree, `.` no grant. Columns follow ROLES.
/// This is the test's own copy; `grant()` and the module docs must both agree with it.
const POLICY: &str = "
ViewDirectory       T T T T T T T .
ViewPersonDetails   . S T T T T T .
EditDirectory       . . . . . . T .
ImportPeople        . . . . . . T .
ViewUnitOverview    . S T T . T T .
ViewAudit           . . T T . T . .
ExportAudit         . . T T . T . .
ManageLegalHold     . . T T . . . .
ViewSettings        . S T T T T T .
EditSettings        . . T . . . T .
EditUnitSettings    . S T . . . T .
ViewAccounts        . . T . T T T .
ManageAccounts      . . . . . . T .
AssignRoles         . . . . . . T .
UnlockAccount       . . . . T . T .
ResetPassword       . . . . T . T .
ViewInstructions    T T T T T T T .
EditInstructions    . . T T . . . .
ReviewInstructions  T T T T T . T .
ViewGroups          . T T T T T T .
ManageGroups        . . T . . . T .
ViewCourses         T T T T T T T .
ManageCourses       . . T . . . T .
ImportCompletions   . . T . . . T .
RecordCompletion    . S T . . . T .
ViewTraining        . S T T . T T .
ReportDeviation     T T T T T . T .
ViewDeviations      . S T T . T . .
HandleDeviation     . S T T . . . .
ManageBreach        . . T T . . . .
ExportDeviationPersonalData . . T T . . . .
ViewBreachRegister  . . T T . T . .
ViewDeviationStats  . . T T . T . .
ConfigureDeviations . . T . . . T .
";

fn parse_grant(cell: &str) -> Grant {
    match cell {
        "T" => Grant::Tenant,
        "S" => Grant::Subtree,
        "." | "·" => Grant::None,
        other => panic!("bad cell {other:?}"),
    }
}

fn action_named(name: &str) -> Action {
    *Action::ALL
        .iter()
        .find(|a| format!("{a:?}") == name)
        .unwrap_or_else(|| panic!("no action {name}"))
}

fn policy_rows() -> Vec<(Action, Vec<Grant>)> {
    POLICY
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let mut cells = l.split_whitespace();
            let action = action_named(cells.next().expect("action"));
            (action, cells.map(parse_grant).collect())
        })
        .collect()
}

struct World {
    tenant: TenantId,
    other_tenant: TenantId,
    root: UnitId,
    sector: UnitId,
    school: UnitId,
    other_sector: UnitId,
}

fn acc(n: u128) -> AccountId {
    AccountId(Uuid::from_u128(n))
}

fn per(n: u128) -> PersonId {
    PersonId(Uuid::from_u128(n))
}

fn world() -> World {
    World {
        tenant: TenantId(Uuid::from_u128(1)),
        other_tenant: TenantId(Uuid::from_u128(2)),
        root: UnitId(Uuid::from_u128(10)),
        sector: UnitId(Uuid::from_u128(11)),
        school: UnitId(Uuid::from_u128(12)),
        other_sector: UnitId(Uuid::from_u128(13)),
    }
}

/// A principal holding exactly `role` (a leader leads `sector`; a host admin is host admin).
fn principal_with(w: &World, role: Role) -> Principal {
    let led = if role == Role::Leader {
        vec![w.sector]
    } else {
        vec![]
    };
    let stored: Vec<Role> = match role {
        Role::Leader | Role::HostAdmin => vec![],
        r => vec![r],
    };
    Principal::new(
        acc(100 + role as u128),
        Some(per(200 + role as u128)),
        w.tenant,
        stored,
        led,
        role == Role::HostAdmin,
    )
}

#[test]
fn policy_table_covers_every_action_that_is_not_self_service_or_host() {
    let rows: Vec<Action> = policy_rows().into_iter().map(|(a, _)| a).collect();
    for &action in Action::ALL {
        let in_table = rows.contains(&action);
        let by_rule = action.is_self_service() || action.is_host_action();
        assert!(
            in_table != by_rule,
            "{action:?}: in table = {in_table}, decided by rule = {by_rule}"
        );
    }
}

#[test]
fn grant_function_matches_the_policy_table() {
    for (action, cells) in policy_rows() {
        assert_eq!(cells.len(), ROLES.len(), "{action:?}");
        for (role, expected) in ROLES.iter().zip(cells) {
            assert_eq!(grant(*role, action), expected, "{role:?} × {action:?}");
        }
    }
}

#[test]
fn module_docs_table_matches_the_policy_table() {
    let source = include_str!("mod.rs");
    let mut documented = 0;
    for line in source.lines() {
        let Some(row) = line.strip_prefix("//! | `") else {
            continue;
        };
        let cells: Vec<&str> = row.split('|').map(str::trim).collect();
        let name = cells[0].trim_end_matches('`');
        let action = action_named(name);
        let doc_grants: Vec<Grant> = cells[1..=ROLES.len()]
            .iter()
            .map(|c| parse_grant(c))
            .collect();
        for (role, expected) in ROLES.iter().zip(doc_grants) {
            assert_eq!(
                grant(*role, action),
                expected,
                "docs: {role:?} × {action:?}"
            );
        }
        documented += 1;
    }
    assert_eq!(documented, policy_rows().len());
}

#[test]
fn every_role_times_every_action_is_decided_as_the_table_says() {
    let w = world();
    let table = policy_rows();
    let inside = Resource::in_unit(w.tenant, vec![w.root, w.sector, w.school]);
    let outside = Resource::in_unit(w.tenant, vec![w.root, w.other_sector]);
    for (i, &role) in ROLES.iter().enumerate() {
        let p = principal_with(&w, role);
        for &action in Action::ALL {
            let (in_unit, out_of_unit) = if action.is_host_action() {
                let r = if role == Role::HostAdmin {
                    Ok(())
                } else {
                    Err(Denied::NotHostAdmin)
                };
                (r, r)
            } else if action.is_self_service() {
                // Checked in its own test below; here: someone else's account is refused.
                let other = Resource::owned_by(w.tenant, acc(999));
                assert_eq!(authorize(&p, action, &other), Err(Denied::NotOwner));
                continue;
            } else {
                let (_, cells) = table.iter().find(|(a, _)| *a == action).expect("in table");
                match cells[i] {
                    Grant::Tenant => (Ok(()), Ok(())),
                    Grant::Subtree => (Ok(()), Err(Denied::OutsideLedUnits)),
                    Grant::None if role == Role::Auditor && action.is_mutating() => {
                        (Err(Denied::AuditorReadOnly), Err(Denied::AuditorReadOnly))
                    }
                    Grant::None => (Err(Denied::MissingRole), Err(Denied::MissingRole)),
                }
            };
            assert_eq!(
                authorize(&p, action, &inside),
                in_unit,
                "{role:?} × {action:?} inside"
            );
            assert_eq!(
                authorize(&p, action, &outside),
                out_of_unit,
                "{role:?} × {action:?} outside"
            );
        }
    }
}

#[test]
fn every_principal_may_do_self_service_on_their_own_account_only() {
    let w = world();
    for role in ROLES {
        let p = principal_with(&w, role);
        for &action in Action::ALL.iter().filter(|a| a.is_self_service()) {
            let own = Resource::owned_by(w.tenant, p.account);
            assert_eq!(authorize(&p, action, &own), Ok(()), "{role:?} {action:?}");
            let foreign = Resource::owned_by(w.tenant, acc(4242));
            assert_eq!(authorize(&p, action, &foreign), Err(Denied::NotOwner));
            let no_owner = Resource::tenant(w.tenant);
            assert_eq!(authorize(&p, action, &no_owner), Err(Denied::NotOwner));
        }
    }
}

#[test]
fn cross_tenant_access_is_always_denied_except_host_admin_on_host_actions() {
    let w = world();
    let mut all_roles = Principal::new(acc(7), Some(per(8)), w.tenant, ROLES, [w.root], true);
    all_roles.led_units.insert(w.school);
    for &action in Action::ALL {
        let foreign_resources = [
            Resource::tenant(w.other_tenant),
            Resource::in_unit(w.other_tenant, vec![w.root, w.sector, w.school]),
            Resource::owned_by(w.other_tenant, all_roles.account),
        ];
        for r in &foreign_resources {
            let decision = authorize(&all_roles, action, r);
            if action.is_host_action() {
                assert_eq!(decision, Ok(()), "{action:?}");
            } else {
                assert_eq!(decision, Err(Denied::OtherTenant), "{action:?} on {r:?}");
            }
        }
    }
}

#[test]
fn auditor_is_read_only() {
    let w = world();
    let auditor = Principal::new(
        acc(5),
        None,
        w.tenant,
        [Role::Employee, Role::Auditor],
        [],
        false,
    );
    assert!(auditor.is_auditor_only());
    let r = Resource::in_unit(w.tenant, vec![w.root]);
    for &action in Action::ALL {
        if action.is_self_service() || action.is_host_action() {
            continue;
        }
        let decision = authorize(&auditor, action, &r);
        if action.is_mutating() {
            assert_eq!(decision, Err(Denied::AuditorReadOnly), "{action:?}");
        } else {
            assert_eq!(
                decision.is_ok(),
                grant(Role::Auditor, action) != Grant::None
            );
        }
    }
    // And the table itself never hands an auditor a write.
    for &action in Action::ALL {
        if action.is_mutating() {
            assert_eq!(grant(Role::Auditor, action), Grant::None, "{action:?}");
        }
    }
}

#[test]
fn auditor_who_also_holds_a_writing_role_may_write_through_that_role() {
    let w = world();
    let p = Principal::new(
        acc(5),
        None,
        w.tenant,
        [Role::Auditor, Role::TenantAdmin],
        [],
        false,
    );
    assert!(!p.is_auditor_only());
    assert_eq!(
        authorize(&p, Action::EditDirectory, &Resource::tenant(w.tenant)),
        Ok(())
    );
}

#[test]
fn leader_role_is_implied_by_leading_a_unit_and_never_taken_from_storage() {
    let w = world();
    let stored_leader = Principal::new(
        acc(1),
        None,
        w.tenant,
        [Role::Employee, Role::Leader, Role::HostAdmin],
        [],
        false,
    );
    assert!(!stored_leader.has_role(Role::Leader));
    assert!(!stored_leader.has_role(Role::HostAdmin));
    let real_leader = Principal::new(acc(1), None, w.tenant, [Role::Employee], [w.school], false);
    assert!(real_leader.has_role(Role::Leader));
}

#[test]
fn leader_acts_on_own_unit_subtree_only() {
    let w = world();
    let leader = principal_with(&w, Role::Leader); // leads `sector`
    let own_unit = Resource::in_unit(w.tenant, vec![w.root, w.sector]);
    let child = Resource::in_unit(w.tenant, vec![w.root, w.sector, w.school]);
    let parent = Resource::in_unit(w.tenant, vec![w.root]);
    let sibling = Resource::in_unit(w.tenant, vec![w.root, w.other_sector]);
    let tenant_wide = Resource::tenant(w.tenant);
    let a = Action::EditUnitSettings;
    assert_eq!(authorize(&leader, a, &own_unit), Ok(()));
    assert_eq!(authorize(&leader, a, &child), Ok(()));
    assert_eq!(authorize(&leader, a, &parent), Err(Denied::OutsideLedUnits));
    assert_eq!(
        authorize(&leader, a, &sibling),
        Err(Denied::OutsideLedUnits)
    );
    assert_eq!(
        authorize(&leader, a, &tenant_wide),
        Err(Denied::OutsideLedUnits)
    );
}

#[test]
fn host_admin_has_no_tenant_data_rights_of_its_own() {
    let w = world();
    let host = principal_with(&w, Role::HostAdmin);
    assert_eq!(
        authorize(&host, Action::ViewDirectory, &Resource::tenant(w.tenant)),
        Err(Denied::MissingRole)
    );
    assert_eq!(
        authorize(&host, Action::ManageTenants, &Resource::host()),
        Ok(())
    );
}

#[test]
fn action_codes_are_unique_and_snake_case() {
    let mut seen = std::collections::HashSet::new();
    for a in Action::ALL {
        assert!(seen.insert(a.code()), "{a:?}");
        assert!(a.code().chars().all(|c| c.is_ascii_lowercase() || c == '_'));
        let json = serde_json::to_string(a).expect("serialise");
        assert_eq!(json, format!("\"{}\"", a.code()));
    }
}

#[test]
fn self_service_actions_other_than_viewing_are_mutating() {
    for a in Action::ALL.iter().filter(|a| a.is_self_service()) {
        let viewing = matches!(a, Action::ViewOwnPage | Action::ViewOwnDeviations);
        assert_eq!(a.is_mutating(), !viewing, "{a:?}");
    }
}
