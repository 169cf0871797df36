//! Audience rules: who an instruction (or a course) applies to, evaluated as a pure function of a
//! person's facts, so that moving a person into a unit or group changes the answer at once.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::{GroupId, PersonKind, UnitId};
use crate::Role;

/// One audience rule. An [`Audience`] is the union of its rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum AudienceRule {
    /// Everyone in the tenant.
    Everyone,
    /// People in the given units; with `include_sub_units`, also everyone below them in the tree.
    Units {
        units: Vec<UnitId>,
        include_sub_units: bool,
    },
    /// People holding any of the roles (`Leader` = leads some unit).
    Roles { roles: Vec<Role> },
    /// People of any of the kinds (employee, consultant, elected official, external).
    PersonKinds { kinds: Vec<PersonKind> },
    /// Members of any of the named groups (e.g. "home office in the secure zone").
    Groups { groups: Vec<GroupId> },
    /// People matching every one of the inner rules (e.g. leaders in one unit).
    AllOf { rules: Vec<AudienceRule> },
}

/// The facts about a person that audience rules look at.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PersonFacts {
    /// The person's unit first, then its parent, up to the root. Empty if the person has no unit.
    pub unit_path: Vec<UnitId>,
    /// The person's roles, including `Role::Leader` if they lead a unit.
    pub roles: Vec<Role>,
    pub kind: Option<PersonKind>,
    pub groups: Vec<GroupId>,
}

/// When a person's facts began, for counting a signing period from the moment the person came into
/// an audience rather than from the moment the version came into force.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tenure {
    /// When the person was registered (facts without a date of their own count from here).
    pub registered: Option<OffsetDateTime>,
    /// When the person came into their current unit (`None`: since registered).
    pub unit_since: Option<OffsetDateTime>,
    /// When the person was added to each of their groups.
    pub groups: Vec<(GroupId, OffsetDateTime)>,
}

impl AudienceRule {
    /// When the person came under the rule, if it matches: a unit rule counts from the move into the
    /// current unit, a group rule from the earliest addition to one of its groups, an "all of" rule
    /// from the latest of its parts; everything else (roles, kinds, everyone) from registration.
    pub fn joined_at(&self, p: &PersonFacts, t: &Tenure) -> Option<OffsetDateTime> {
        if !self.matches(p) {
            return None;
        }
        match self {
            AudienceRule::Everyone
            | AudienceRule::Roles { .. }
            | AudienceRule::PersonKinds { .. } => t.registered,
            AudienceRule::Units { .. } => t.unit_since.or(t.registered),
            AudienceRule::Groups { groups } => t
                .groups
                .iter()
                .filter(|(g, _)| groups.contains(g))
                .map(|(_, at)| *at)
                .min()
                .or(t.registered),
            AudienceRule::AllOf { rules } => {
                let mut latest = None;
                for r in rules {
                    let at = r.joined_at(p, t)?;
                    latest = Some(latest.map_or(at, |l: OffsetDateTime| l.max(at)));
                }
                latest
            }
        }
    }

    /// Whether the rule matches the person.
    pub fn matches(&self, p: &PersonFacts) -> bool {
        match self {
            AudienceRule::Everyone => true,
            AudienceRule::Units {
                units,
                include_sub_units,
            } => {
                if *include_sub_units {
                    p.unit_path.iter().any(|u| units.contains(u))
                } else {
                    p.unit_path.first().is_some_and(|u| units.contains(u))
                }
            }
            AudienceRule::Roles { roles } => p.roles.iter().any(|r| roles.contains(r)),
            AudienceRule::PersonKinds { kinds } => p.kind.is_some_and(|k| kinds.contains(&k)),
            AudienceRule::Groups { groups } => p.groups.iter().any(|g| groups.contains(g)),
            AudienceRule::AllOf { rules } => {
                !rules.is_empty() && rules.iter().all(|r| r.matches(p))
            }
        }
    }
}

/// Who something applies to: the union of its rules. An empty audience applies to nobody.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Audience {
    pub rules: Vec<AudienceRule>,
}

impl Audience {
    pub fn everyone() -> Self {
        Audience {
            rules: vec![AudienceRule::Everyone],
        }
    }

    /// Whether the audience includes the person.
    pub fn includes(&self, p: &PersonFacts) -> bool {
        self.rules.iter().any(|r| r.matches(p))
    }

    /// When the person came into the audience: the earliest moment among the rules that match them
    /// (see [`AudienceRule::joined_at`]). `None` if the audience does not include the person or no
    /// moment is known.
    pub fn joined_at(&self, p: &PersonFacts, t: &Tenure) -> Option<OffsetDateTime> {
        self.rules.iter().filter_map(|r| r.joined_at(p, t)).min()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn id<T: From<Uuid>>(n: u128) -> T {
        Uuid::from_u128(n).into()
    }

    // Tree: 1 (municipality) → 2 (health) → 3 (home care)
    fn home_care_nurse() -> PersonFacts {
        PersonFacts {
            unit_path: vec![id(3), id(2), id(1)],
            roles: vec![Role::Employee],
            kind: Some(PersonKind::Employee),
            groups: vec![],
        }
    }

    #[test]
    fn the_audience_is_joined_when_the_earliest_matching_rule_began_to_match() {
        use time::macros::datetime;
        let registered = datetime!(2024-01-01 8:00 UTC);
        let moved = datetime!(2025-06-01 8:00 UTC);
        let added = datetime!(2026-03-01 8:00 UTC);
        let mut nurse = home_care_nurse();
        nurse.groups = vec![id(70)];
        let t = Tenure {
            registered: Some(registered),
            unit_since: Some(moved),
            groups: vec![(id(70), added), (id(71), registered)],
        };
        let unit = AudienceRule::Units {
            units: vec![id(2)],
            include_sub_units: true,
        };
        let group = AudienceRule::Groups {
            groups: vec![id(70)],
        };
        let aud = |rules: Vec<AudienceRule>| Audience { rules };
        assert_eq!(
            aud(vec![AudienceRule::Everyone]).joined_at(&nurse, &t),
            Some(registered)
        );
        assert_eq!(aud(vec![unit.clone()]).joined_at(&nurse, &t), Some(moved));
        // Membership of a group the rule does not name does not count.
        assert_eq!(aud(vec![group.clone()]).joined_at(&nurse, &t), Some(added));
        // Either rule lets the person in: the earlier one counts.
        assert_eq!(
            aud(vec![group.clone(), unit.clone()]).joined_at(&nurse, &t),
            Some(moved)
        );
        // Both rules are needed: the later one counts.
        let both = AudienceRule::AllOf {
            rules: vec![unit.clone(), group.clone()],
        };
        assert_eq!(aud(vec![both]).joined_at(&nurse, &t), Some(added));
        // Not in the audience: no moment.
        let other = AudienceRule::Groups {
            groups: vec![id(99)],
        };
        assert_eq!(aud(vec![other]).joined_at(&nurse, &t), None);
        // Never moved: the unit rule counts from registration.
        let unmoved = Tenure {
            unit_since: None,
            ..t.clone()
        };
        assert_eq!(
            aud(vec![unit]).joined_at(&nurse, &unmoved),
            Some(registered)
        );
    }

    #[test]
    fn everyone_includes_everyone_and_an_empty_audience_nobody() {
        assert!(Audience::everyone().includes(&home_care_nurse()));
        assert!(!Audience::default().includes(&home_care_nurse()));
    }

    #[test]
    fn a_unit_rule_with_sub_units_includes_people_below_the_unit() {
        let with = Audience {
            rules: vec![AudienceRule::Units {
                units: vec![id(2)],
                include_sub_units: true,
            }],
        };
        let without = Audience {
            rules: vec![AudienceRule::Units {
                units: vec![id(2)],
                include_sub_units: false,
            }],
        };
        assert!(with.includes(&home_care_nurse()));
        assert!(!without.includes(&home_care_nurse()));
        let mut in_health = home_care_nurse();
        in_health.unit_path = vec![id(2), id(1)];
        assert!(without.includes(&in_health));
    }

    #[test]
    fn moving_a_person_out_of_the_unit_removes_them_from_the_audience() {
        let a = Audience {
            rules: vec![AudienceRule::Units {
                units: vec![id(3)],
                include_sub_units: true,
            }],
        };
        let mut p = home_care_nurse();
        assert!(a.includes(&p));
        p.unit_path = vec![id(4), id(1)];
        assert!(!a.includes(&p));
    }

    #[test]
    fn role_kind_and_group_rules_match_on_their_own_fact() {
        let p = home_care_nurse();
        let leaders = Audience {
            rules: vec![AudienceRule::Roles {
                roles: vec![Role::Leader],
            }],
        };
        let consultants = Audience {
            rules: vec![AudienceRule::PersonKinds {
                kinds: vec![PersonKind::Consultant],
            }],
        };
        let home_office = Audience {
            rules: vec![AudienceRule::Groups {
                groups: vec![id(50)],
            }],
        };
        assert!(!leaders.includes(&p) && !consultants.includes(&p) && !home_office.includes(&p));
        let mut leader = p.clone();
        leader.roles.push(Role::Leader);
        assert!(leaders.includes(&leader));
        let mut consultant = p.clone();
        consultant.kind = Some(PersonKind::Consultant);
        assert!(consultants.includes(&consultant));
        let mut member = p;
        member.groups.push(id(50));
        assert!(home_office.includes(&member));
    }

    #[test]
    fn all_of_needs_every_inner_rule_and_is_never_vacuously_true() {
        let leaders_in_health = AudienceRule::AllOf {
            rules: vec![
                AudienceRule::Roles {
                    roles: vec![Role::Leader],
                },
                AudienceRule::Units {
                    units: vec![id(2)],
                    include_sub_units: true,
                },
            ],
        };
        let mut p = home_care_nurse();
        assert!(!leaders_in_health.matches(&p));
        p.roles.push(Role::Leader);
        assert!(leaders_in_health.matches(&p));
        assert!(!AudienceRule::AllOf { rules: vec![] }.matches(&p));
    }

    #[test]
    fn audience_rules_deserialise_from_json() {
        let a: Audience = serde_json::from_str(
            r#"{"rules":[{"kind":"roles","roles":["leader"]},{"kind":"person_kinds","kinds":["elected_official"]}]}"#,
        )
        .unwrap();
        assert_eq!(a.rules.len(), 2);
    }
}
