//! The instruction version workflow: draft → in review → approved → published (from a date) → retired.

use std::fmt;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::{PersonId, VersionId};

/// A version number `major.minor`. A major version must be signed again by the whole audience;
/// a minor version need not be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct VersionNumber {
    pub major: u32,
    pub minor: u32,
}

/// Whether a new version is a minor change (no new signature) or a major one (sign again).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    Minor,
    Major,
}

impl VersionNumber {
    /// The first version of an instruction: 1.0.
    pub const FIRST: VersionNumber = VersionNumber { major: 1, minor: 0 };

    /// The number of the next version after this one.
    pub fn next(self, kind: ChangeKind) -> VersionNumber {
        match kind {
            ChangeKind::Minor => VersionNumber {
                major: self.major,
                minor: self.minor.saturating_add(1),
            },
            ChangeKind::Major => VersionNumber {
                major: self.major.saturating_add(1),
                minor: 0,
            },
        }
    }
}

impl fmt::Display for VersionNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

/// The state of one instruction version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VersionState {
    Draft,
    InReview,
    Approved,
    Published,
    Retired,
}

impl VersionState {
    pub const ALL: [VersionState; 5] = [
        VersionState::Draft,
        VersionState::InReview,
        VersionState::Approved,
        VersionState::Published,
        VersionState::Retired,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            VersionState::Draft => "draft",
            VersionState::InReview => "in_review",
            VersionState::Approved => "approved",
            VersionState::Published => "published",
            VersionState::Retired => "retired",
        }
    }
    pub fn parse(s: &str) -> Option<VersionState> {
        VersionState::ALL.into_iter().find(|v| v.as_str() == s)
    }
    /// Whether the version's text may still be edited (only drafts).
    pub fn is_editable(self) -> bool {
        self == VersionState::Draft
    }
    /// Whether the version is still being worked on (not yet published or retired).
    pub fn is_open(self) -> bool {
        matches!(
            self,
            VersionState::Draft | VersionState::InReview | VersionState::Approved
        )
    }
}

impl ChangeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Minor => "minor",
            ChangeKind::Major => "major",
        }
    }
    pub fn parse(s: &str) -> Option<ChangeKind> {
        [ChangeKind::Minor, ChangeKind::Major]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

/// Whether `person` may comment on a version in the hearing round: while it is in review, the
/// named reviewers, the named approver and the editors may.
pub fn may_comment(facts: &VersionFacts<'_>, person: PersonId, may_edit: bool) -> bool {
    facts.state == VersionState::InReview
        && (may_edit || facts.reviewers.contains(&person) || facts.approver == Some(person))
}

/// A step in the workflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "step")]
pub enum VersionStep {
    /// Draft → in review (the hearing round starts).
    SendToReview,
    /// In review or approved → draft (changes needed; an approval is void after any edit).
    BackToDraft,
    /// In review → approved, by the named approver.
    Approve,
    /// Approved → published, in force from `effective_from` (may be in the future).
    Publish { effective_from: OffsetDateTime },
    /// Published → retired.
    Retire,
}

/// The facts about a version that the workflow rules look at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionFacts<'a> {
    pub state: VersionState,
    /// Who wrote this version.
    pub author: PersonId,
    /// The person recorded as approver (may act for a body such as the municipal executive board).
    pub approver: Option<PersonId>,
    /// Named reviewers of the hearing round.
    pub reviewers: &'a [PersonId],
    /// The change comment shown in the revision table.
    pub change_comment: &'a str,
}

/// Who is taking the step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StepActor {
    pub person: PersonId,
    /// The person may edit and publish this instruction (its owner or a security coordinator).
    pub may_edit: bool,
}

/// Why a step was refused. Each variant maps to a Fluent key in the web layer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[serde(rename_all = "snake_case", tag = "code")]
pub enum StepError {
    #[error("step not allowed from state {from:?}")]
    WrongState { from: VersionState },
    #[error("only the instruction's owner or a security coordinator may do this")]
    NotAnEditor,
    #[error("only the named approver may approve")]
    NotTheApprover,
    #[error("the author may not approve their own version")]
    AuthorCannotApprove,
    #[error("a change comment is required")]
    MissingChangeComment,
    #[error("at least one reviewer must be named for the hearing round")]
    MissingReviewers,
    #[error("an approver must be named before review")]
    MissingApprover,
}

/// Check a workflow step and return the state it leads to.
pub fn check_step(
    facts: &VersionFacts<'_>,
    step: VersionStep,
    actor: StepActor,
) -> Result<VersionState, StepError> {
    use VersionState as S;
    let need_editor = || {
        if actor.may_edit {
            Ok(())
        } else {
            Err(StepError::NotAnEditor)
        }
    };
    let wrong = Err(StepError::WrongState { from: facts.state });
    match (facts.state, step) {
        (S::Draft, VersionStep::SendToReview) => {
            need_editor()?;
            if facts.change_comment.trim().is_empty() {
                return Err(StepError::MissingChangeComment);
            }
            if facts.reviewers.is_empty() {
                return Err(StepError::MissingReviewers);
            }
            if facts.approver.is_none() {
                return Err(StepError::MissingApprover);
            }
            Ok(S::InReview)
        }
        (S::InReview | S::Approved, VersionStep::BackToDraft) => {
            need_editor()?;
            Ok(S::Draft)
        }
        (S::InReview, VersionStep::Approve) => {
            if facts.approver != Some(actor.person) {
                return Err(StepError::NotTheApprover);
            }
            if facts.author == actor.person {
                return Err(StepError::AuthorCannotApprove);
            }
            Ok(S::Approved)
        }
        (S::Approved, VersionStep::Publish { .. }) => {
            need_editor()?;
            Ok(S::Published)
        }
        (S::Published, VersionStep::Retire) => {
            need_editor()?;
            Ok(S::Retired)
        }
        _ => wrong,
    }
}

/// A published version as the acknowledgment rules see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublishedVersion {
    pub id: VersionId,
    pub number: VersionNumber,
    /// In force from this moment.
    pub effective_from: OffsetDateTime,
    /// Retired at this moment, if it has been.
    pub retired_at: Option<OffsetDateTime>,
}

/// The version in force at `now`: the highest-numbered published version whose `effective_from`
/// has come and that is not retired. `None` if the instruction is not (or no longer) in force.
pub fn in_force(versions: &[PublishedVersion], now: OffsetDateTime) -> Option<&PublishedVersion> {
    versions
        .iter()
        .filter(|v| v.effective_from <= now && v.retired_at.is_none_or(|r| r > now))
        .max_by_key(|v| v.number)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use uuid::Uuid;

    struct People {
        author: PersonId,
        approver: PersonId,
        reviewer: PersonId,
        stranger: PersonId,
    }

    fn people() -> People {
        People {
            author: Uuid::from_u128(1).into(),
            approver: Uuid::from_u128(2).into(),
            reviewer: Uuid::from_u128(3).into(),
            stranger: Uuid::from_u128(4).into(),
        }
    }

    fn facts<'a>(
        p: &People,
        state: VersionState,
        reviewers: &'a [PersonId],
        comment: &'a str,
    ) -> VersionFacts<'a> {
        VersionFacts {
            state,
            author: p.author,
            approver: Some(p.approver),
            reviewers,
            change_comment: comment,
        }
    }

    fn editor(person: PersonId) -> StepActor {
        StepActor {
            person,
            may_edit: true,
        }
    }

    #[test]
    fn a_version_walks_draft_review_approved_published_retired() {
        let p = people();
        let reviewers = [p.reviewer];
        let mut state = VersionState::Draft;
        let steps = [
            (VersionStep::SendToReview, editor(p.author)),
            (
                VersionStep::Approve,
                StepActor {
                    person: p.approver,
                    may_edit: false,
                },
            ),
            (
                VersionStep::Publish {
                    effective_from: time::macros::datetime!(2026-01-01 0:00 UTC),
                },
                editor(p.author),
            ),
            (VersionStep::Retire, editor(p.author)),
        ];
        for (step, actor) in steps {
            state = check_step(
                &facts(&p, state, &reviewers, "Revised chapter 3"),
                step,
                actor,
            )
            .unwrap();
        }
        assert_eq!(state, VersionState::Retired);
    }

    #[test]
    fn review_needs_a_change_comment_reviewers_and_an_approver() {
        let p = people();
        let reviewers = [p.reviewer];
        let f = facts(&p, VersionState::Draft, &reviewers, "  ");
        assert_eq!(
            check_step(&f, VersionStep::SendToReview, editor(p.author)),
            Err(StepError::MissingChangeComment)
        );
        let f = facts(&p, VersionState::Draft, &[], "x");
        assert_eq!(
            check_step(&f, VersionStep::SendToReview, editor(p.author)),
            Err(StepError::MissingReviewers)
        );
        let mut f = facts(&p, VersionState::Draft, &reviewers, "x");
        f.approver = None;
        assert_eq!(
            check_step(&f, VersionStep::SendToReview, editor(p.author)),
            Err(StepError::MissingApprover)
        );
    }

    #[test]
    fn only_the_named_approver_approves_and_never_their_own_text() {
        let p = people();
        let reviewers = [p.reviewer];
        let f = facts(&p, VersionState::InReview, &reviewers, "x");
        assert_eq!(
            check_step(&f, VersionStep::Approve, editor(p.stranger)),
            Err(StepError::NotTheApprover)
        );
        let mut own = f.clone();
        own.approver = Some(p.author);
        assert_eq!(
            check_step(&own, VersionStep::Approve, editor(p.author)),
            Err(StepError::AuthorCannotApprove)
        );
    }

    #[test]
    fn only_editors_publish_and_only_approved_versions() {
        let p = people();
        let reviewers = [p.reviewer];
        let publish = VersionStep::Publish {
            effective_from: time::macros::datetime!(2026-01-01 0:00 UTC),
        };
        let approved = facts(&p, VersionState::Approved, &reviewers, "x");
        assert_eq!(
            check_step(
                &approved,
                publish,
                StepActor {
                    person: p.stranger,
                    may_edit: false
                }
            ),
            Err(StepError::NotAnEditor)
        );
        let draft = facts(&p, VersionState::Draft, &reviewers, "x");
        assert_eq!(
            check_step(&draft, publish, editor(p.author)),
            Err(StepError::WrongState {
                from: VersionState::Draft
            })
        );
    }

    #[test]
    fn a_retired_version_cannot_come_back() {
        let p = people();
        let f = facts(&p, VersionState::Retired, &[], "x");
        for step in [
            VersionStep::SendToReview,
            VersionStep::BackToDraft,
            VersionStep::Approve,
            VersionStep::Retire,
        ] {
            assert!(check_step(&f, step, editor(p.author)).is_err());
        }
    }

    #[test]
    fn only_reviewers_approver_and_editors_comment_and_only_in_review() {
        let p = people();
        let reviewers = [p.reviewer];
        let f = facts(&p, VersionState::InReview, &reviewers, "x");
        assert!(may_comment(&f, p.reviewer, false));
        assert!(may_comment(&f, p.approver, false));
        assert!(may_comment(&f, p.stranger, true));
        assert!(!may_comment(&f, p.stranger, false));
        let draft = facts(&p, VersionState::Draft, &reviewers, "x");
        assert!(!may_comment(&draft, p.reviewer, false));
        for v in VersionState::ALL {
            assert_eq!(VersionState::parse(v.as_str()), Some(v));
        }
    }

    #[test]
    fn major_resets_minor_and_minor_keeps_major() {
        let v = VersionNumber { major: 2, minor: 3 };
        assert_eq!(v.next(ChangeKind::Minor).to_string(), "2.4");
        assert_eq!(v.next(ChangeKind::Major).to_string(), "3.0");
    }

    #[test]
    fn the_version_in_force_is_the_newest_effective_one_not_a_future_or_retired_one() {
        use time::macros::datetime;
        let v = |n: (u32, u32), from, retired| PublishedVersion {
            id: Uuid::from_u128(u128::from(n.0 * 10 + n.1)).into(),
            number: VersionNumber {
                major: n.0,
                minor: n.1,
            },
            effective_from: from,
            retired_at: retired,
        };
        let versions = [
            v((1, 0), datetime!(2025-01-01 0:00 UTC), None),
            v((1, 1), datetime!(2025-06-01 0:00 UTC), None),
            v((2, 0), datetime!(2026-09-01 0:00 UTC), None),
        ];
        assert_eq!(
            in_force(&versions, datetime!(2026-01-01 0:00 UTC)).map(|v| v.number.to_string()),
            Some("1.1".into())
        );
        assert_eq!(
            in_force(&versions, datetime!(2026-09-01 0:00 UTC)).map(|v| v.number.to_string()),
            Some("2.0".into())
        );
        assert_eq!(in_force(&versions, datetime!(2024-01-01 0:00 UTC)), None);
        let retired = [v(
            (1, 0),
            datetime!(2025-01-01 0:00 UTC),
            Some(datetime!(2025-12-31 0:00 UTC)),
        )];
        assert_eq!(in_force(&retired, datetime!(2026-01-01 0:00 UTC)), None);
    }
}
