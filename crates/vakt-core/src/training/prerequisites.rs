//! THE prerequisite check (DESIGN.md "Prerequisite check"): "may this person have X?".
//! One function, [`check_prerequisites`], used by named groups, access grants and home office alike.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::course::{Completion, Course, CourseState, course_state};
use super::{CourseId, DeclarationId, PersonId};
use crate::deadline::{DeadlineError, TenantCalendar};
use crate::instructions::{
    AckState, Acknowledgment, DueReason, InstructionId, PublishedVersion, VersionNumber, ack_state,
};

/// What X requires.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequirementSet {
    /// Instructions that must be signed at their current major version.
    #[serde(default)]
    pub instructions: Vec<InstructionId>,
    /// Courses that must be valid.
    #[serde(default)]
    pub courses: Vec<CourseId>,
    /// Declarations (e.g. a confidentiality declaration) that must be signed.
    #[serde(default)]
    pub declarations: Vec<DeclarationId>,
}

/// The tenant's instructions and courses the requirements refer to.
#[derive(Debug, Clone, Copy)]
pub struct Catalogue<'a> {
    pub instructions: &'a BTreeMap<InstructionId, Vec<PublishedVersion>>,
    pub courses: &'a BTreeMap<CourseId, Course>,
}

/// One person's records.
#[derive(Debug, Clone, Copy)]
pub struct PersonRecords<'a> {
    pub person: PersonId,
    pub acknowledgments: &'a [Acknowledgment],
    pub completions: &'a [Completion],
    /// Declarations the person has signed (and that are still in force).
    pub declarations_signed: &'a [DeclarationId],
}

/// A required item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "id")]
pub enum RequiredItem {
    Instruction(InstructionId),
    Course(CourseId),
    Declaration(DeclarationId),
}

/// Why a required item is not satisfied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "reason")]
pub enum UnmetReason {
    /// Never signed / never completed.
    Missing,
    /// The course completion has expired.
    Expired { at: OffsetDateTime },
    /// Signed, but a newer major version is in force.
    SupersededByMajor {
        signed: VersionNumber,
        required: VersionNumber,
    },
    /// A self-reported completion awaits a leader's countersignature.
    AwaitingCountersign,
    /// The required instruction or course is not published / not in the catalogue, so nobody
    /// can meet it (a configuration problem for the coordinator).
    Unavailable,
}

/// One unmet requirement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Unmet {
    pub item: RequiredItem,
    pub reason: UnmetReason,
}

/// The outcome: met, or everything that is missing (in the order of the requirement set).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "outcome", content = "missing")]
pub enum Prerequisites {
    Met,
    Missing(Vec<Unmet>),
}

impl Prerequisites {
    pub fn is_met(&self) -> bool {
        matches!(self, Prerequisites::Met)
    }
}

/// Check whether `person` meets `required` at `now`.
pub fn check_prerequisites(
    required: &RequirementSet,
    catalogue: Catalogue<'_>,
    person: PersonRecords<'_>,
    now: OffsetDateTime,
    cal: &TenantCalendar,
) -> Result<Prerequisites, DeadlineError> {
    let mut unmet = Vec::new();
    for id in &required.instructions {
        let item = RequiredItem::Instruction(*id);
        let Some(versions) = catalogue.instructions.get(id) else {
            unmet.push(Unmet {
                item,
                reason: UnmetReason::Unavailable,
            });
            continue;
        };
        let acks: Vec<Acknowledgment> = person
            .acknowledgments
            .iter()
            .filter(|a| a.person() == person.person && a.instruction() == *id)
            .cloned()
            .collect();
        let reason = match ack_state(versions, &acks, now) {
            AckState::Current { .. } => None,
            AckState::NotInForce => Some(UnmetReason::Unavailable),
            AckState::Due {
                reason: DueReason::NeverSigned,
                ..
            } => Some(UnmetReason::Missing),
            AckState::Due {
                reason: DueReason::NewMajorVersion { signed, required },
                ..
            } => Some(UnmetReason::SupersededByMajor { signed, required }),
        };
        if let Some(reason) = reason {
            unmet.push(Unmet { item, reason });
        }
    }
    for id in &required.courses {
        let item = RequiredItem::Course(*id);
        let Some(course) = catalogue.courses.get(id) else {
            unmet.push(Unmet {
                item,
                reason: UnmetReason::Unavailable,
            });
            continue;
        };
        let reason = match course_state(course, person.person, person.completions, now, cal)? {
            CourseState::Valid { .. } | CourseState::RenewSoon { .. } => None,
            CourseState::Missing => Some(UnmetReason::Missing),
            CourseState::AwaitingCountersign { .. } => Some(UnmetReason::AwaitingCountersign),
            CourseState::Expired { expired_at } => Some(UnmetReason::Expired { at: expired_at }),
        };
        if let Some(reason) = reason {
            unmet.push(Unmet { item, reason });
        }
    }
    for id in &required.declarations {
        if !person.declarations_signed.contains(id) {
            unmet.push(Unmet {
                item: RequiredItem::Declaration(*id),
                reason: UnmetReason::Missing,
            });
        }
    }
    Ok(if unmet.is_empty() {
        Prerequisites::Met
    } else {
        Prerequisites::Missing(unmet)
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::deadline::Period;
    use crate::instructions::{AckInput, AckMethod, TextHash};
    use crate::training::CompletionSource;
    use time::macros::datetime;
    use uuid::Uuid;

    const HOME_OFFICE: InstructionId = InstructionId(Uuid::from_u128(10));
    const ICT_USE: InstructionId = InstructionId(Uuid::from_u128(11));
    const BASIC_COURSE: CourseId = CourseId(Uuid::from_u128(20));
    const CONFIDENTIALITY: DeclarationId = DeclarationId(Uuid::from_u128(30));
    const PERSON: PersonId = PersonId(Uuid::from_u128(7));

    struct World {
        instructions: BTreeMap<InstructionId, Vec<PublishedVersion>>,
        courses: BTreeMap<CourseId, Course>,
        acks: Vec<Acknowledgment>,
        completions: Vec<Completion>,
        declarations: Vec<DeclarationId>,
    }

    fn v(instr: u128, major: u32, from: OffsetDateTime) -> PublishedVersion {
        PublishedVersion {
            id: Uuid::from_u128(instr * 100 + u128::from(major)).into(),
            number: VersionNumber { major, minor: 0 },
            effective_from: from,
            retired_at: None,
        }
    }

    fn sign(
        instruction: InstructionId,
        version: &PublishedVersion,
        at: OffsetDateTime,
    ) -> Acknowledgment {
        let text = format!("text of {}", version.id);
        Acknowledgment::record(AckInput {
            id: Uuid::now_v7().into(),
            person: PERSON,
            instruction,
            version_id: version.id,
            version: version.number,
            text_shown: &text,
            version_text_hash: TextHash::of(&text),
            method: AckMethod::Password,
            at,
            ip: None,
            user_agent: None,
        })
        .unwrap()
    }

    /// The "home office in the secure zone" group: two instructions signed, the basic course valid,
    /// the confidentiality declaration signed — and this person has all of it.
    fn world() -> World {
        let ho1 = v(10, 1, datetime!(2025-01-01 0:00 UTC));
        let ict1 = v(11, 1, datetime!(2025-01-01 0:00 UTC));
        World {
            instructions: BTreeMap::from([(HOME_OFFICE, vec![ho1]), (ICT_USE, vec![ict1])]),
            courses: BTreeMap::from([(
                BASIC_COURSE,
                Course {
                    id: BASIC_COURSE,
                    validity: Some(Period::Months(24)),
                    renew_days_before: 30,
                },
            )]),
            acks: vec![
                sign(HOME_OFFICE, &ho1, datetime!(2025-02-01 0:00 UTC)),
                sign(ICT_USE, &ict1, datetime!(2025-02-01 0:00 UTC)),
            ],
            completions: vec![Completion {
                id: Uuid::now_v7().into(),
                person: PERSON,
                course: BASIC_COURSE,
                completed_at: datetime!(2025-03-01 0:00 UTC),
                source: CompletionSource::LeaderRecorded {
                    by: Uuid::from_u128(2).into(),
                },
            }],
            declarations: vec![CONFIDENTIALITY],
        }
    }

    fn requirements() -> RequirementSet {
        RequirementSet {
            instructions: vec![HOME_OFFICE, ICT_USE],
            courses: vec![BASIC_COURSE],
            declarations: vec![CONFIDENTIALITY],
        }
    }

    fn check(w: &World, now: OffsetDateTime) -> Prerequisites {
        check_prerequisites(
            &requirements(),
            Catalogue {
                instructions: &w.instructions,
                courses: &w.courses,
            },
            PersonRecords {
                person: PERSON,
                acknowledgments: &w.acks,
                completions: &w.completions,
                declarations_signed: &w.declarations,
            },
            now,
            &TenantCalendar::new("Europe/Oslo").unwrap(),
        )
        .unwrap()
    }

    #[test]
    fn met_when_everything_is_signed_valid_and_declared() {
        assert_eq!(
            check(&world(), datetime!(2026-01-01 0:00 UTC)),
            Prerequisites::Met
        );
    }

    #[test]
    fn missing_lists_every_unsigned_instruction_and_undeclared_declaration() {
        let mut w = world();
        w.acks.retain(|a| a.instruction() != ICT_USE);
        w.declarations.clear();
        assert_eq!(
            check(&w, datetime!(2026-01-01 0:00 UTC)),
            Prerequisites::Missing(vec![
                Unmet {
                    item: RequiredItem::Instruction(ICT_USE),
                    reason: UnmetReason::Missing
                },
                Unmet {
                    item: RequiredItem::Declaration(CONFIDENTIALITY),
                    reason: UnmetReason::Missing
                },
            ])
        );
    }

    #[test]
    fn expired_course_is_reported_with_its_expiry() {
        assert_eq!(
            check(&world(), datetime!(2027-03-02 0:00 UTC)),
            Prerequisites::Missing(vec![Unmet {
                item: RequiredItem::Course(BASIC_COURSE),
                reason: UnmetReason::Expired {
                    at: datetime!(2027-03-01 0:00 UTC)
                },
            }])
        );
    }

    #[test]
    fn superseded_by_a_major_version_is_reported_with_both_versions() {
        let mut w = world();
        if let Some(vs) = w.instructions.get_mut(&HOME_OFFICE) {
            vs.push(v(10, 2, datetime!(2026-02-01 0:00 UTC)));
        }
        assert_eq!(
            check(&w, datetime!(2026-01-31 0:00 UTC)),
            Prerequisites::Met
        );
        assert_eq!(
            check(&w, datetime!(2026-02-02 0:00 UTC)),
            Prerequisites::Missing(vec![Unmet {
                item: RequiredItem::Instruction(HOME_OFFICE),
                reason: UnmetReason::SupersededByMajor {
                    signed: VersionNumber { major: 1, minor: 0 },
                    required: VersionNumber { major: 2, minor: 0 }
                },
            }])
        );
    }

    #[test]
    fn a_course_awaiting_countersign_is_not_yet_met() {
        let mut w = world();
        w.completions[0].source = CompletionSource::SelfReported {
            evidence: Uuid::from_u128(900).into(),
            countersigned: None,
        };
        assert_eq!(
            check(&w, datetime!(2026-01-01 0:00 UTC)),
            Prerequisites::Missing(vec![Unmet {
                item: RequiredItem::Course(BASIC_COURSE),
                reason: UnmetReason::AwaitingCountersign
            }])
        );
    }

    #[test]
    fn someone_elses_signature_does_not_meet_my_prerequisite() {
        let w = world();
        let r = check_prerequisites(
            &requirements(),
            Catalogue {
                instructions: &w.instructions,
                courses: &w.courses,
            },
            PersonRecords {
                person: Uuid::from_u128(8).into(),
                acknowledgments: &w.acks,
                completions: &w.completions,
                declarations_signed: &[],
            },
            datetime!(2026-01-01 0:00 UTC),
            &TenantCalendar::new("Europe/Oslo").unwrap(),
        )
        .unwrap();
        let Prerequisites::Missing(list) = r else {
            panic!("expected missing")
        };
        assert_eq!(list.len(), 4);
        assert!(list.iter().all(|u| u.reason == UnmetReason::Missing));
    }

    #[test]
    fn a_requirement_on_an_unpublished_instruction_is_unavailable() {
        let mut w = world();
        w.instructions.remove(&ICT_USE);
        assert_eq!(
            check(&w, datetime!(2026-01-01 0:00 UTC)),
            Prerequisites::Missing(vec![Unmet {
                item: RequiredItem::Instruction(ICT_USE),
                reason: UnmetReason::Unavailable
            }])
        );
    }
}
