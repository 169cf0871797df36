//! The case workflow: reported → triage → investigation → measures → closed, with reopen, and
//! which fields each transition needs.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::checklist::{ChecklistAnswers, INVESTIGATION_CHECKLIST, unanswered};
use super::obligations::ObligationState;
use super::risk::{RiskAssessment, Severity};
use super::{MeasureId, PersonId};

/// The state of a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseState {
    Reported,
    Triage,
    Investigation,
    Measures,
    Closed,
}

/// A workflow action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "action")]
pub enum CaseAction {
    /// Reported → triage (the unit's leader and the coordinator pick it up).
    StartTriage,
    /// Triage → investigation.
    StartInvestigation,
    /// Investigation → measures.
    PlanMeasures,
    /// Investigation or measures → closed.
    Close,
    /// Triage → closed: not a deviation after all (the reasoning is kept).
    Dismiss { reason: String },
    /// Closed → investigation.
    Reopen { reason: String },
}

/// A measure's status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "status")]
pub enum MeasureStatus {
    Open,
    Done {
        at: OffsetDateTime,
        by: PersonId,
    },
    /// Explicitly not carried out, with the reason.
    Waived {
        reason: String,
        by: PersonId,
        at: OffsetDateTime,
    },
}

/// A measure: a task with an owner and a due date, tracked to done.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Measure {
    pub id: MeasureId,
    pub title: String,
    pub owner: PersonId,
    pub due: Option<OffsetDateTime>,
    pub status: MeasureStatus,
}

/// The facts the transition rules look at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseFacts<'a> {
    pub state: CaseState,
    pub assignee: Option<PersonId>,
    pub has_category: bool,
    pub severity: Option<Severity>,
    pub risk: Option<RiskAssessment>,
    pub checklist: &'a ChecklistAnswers,
    pub measures: &'a [Measure],
    /// The state of each reporting obligation on the case, by regime key.
    pub obligations: &'a [(String, ObligationState)],
    pub lessons_learned: &'a str,
}

/// A field or condition a transition needs. Serialised as a code for the web layer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "needs", content = "which")]
pub enum Needed {
    Assignee,
    Category,
    Severity,
    RiskAssessment,
    ChecklistAnswer(&'static str),
    LessonsLearned,
    /// A measure that is neither done nor waived.
    MeasureOpen(MeasureId),
    /// A reporting obligation still open.
    ObligationOpen(String),
    Reason,
}

/// Why a transition was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[serde(rename_all = "snake_case", tag = "code")]
pub enum TransitionError {
    #[error("not allowed from state {from:?}")]
    WrongState { from: CaseState },
    #[error("missing: {0:?}")]
    Missing(Vec<Needed>),
}

/// Why a measure change was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error, Serialize)]
#[serde(rename_all = "snake_case", tag = "code")]
pub enum MeasureError {
    #[error("a reason is required to waive a measure")]
    ReasonRequired,
}

impl Measure {
    /// Waive the measure; a reason is required.
    pub fn waive(
        &mut self,
        reason: &str,
        by: PersonId,
        at: OffsetDateTime,
    ) -> Result<(), MeasureError> {
        if reason.trim().is_empty() {
            return Err(MeasureError::ReasonRequired);
        }
        self.status = MeasureStatus::Waived {
            reason: reason.trim().to_owned(),
            by,
            at,
        };
        Ok(())
    }

    pub fn is_settled(&self) -> bool {
        !matches!(self.status, MeasureStatus::Open)
    }
}

fn open_obligations(facts: &CaseFacts<'_>, needed: &mut Vec<Needed>) {
    for (key, state) in facts.obligations {
        if state.is_open() {
            needed.push(Needed::ObligationOpen(key.clone()));
        }
    }
}

/// Check a transition; on success return the new state, otherwise everything that is missing.
pub fn check_transition(
    facts: &CaseFacts<'_>,
    action: &CaseAction,
) -> Result<CaseState, TransitionError> {
    use CaseState as S;
    let mut needed = Vec::new();
    let to = match (facts.state, action) {
        (S::Reported, CaseAction::StartTriage) => S::Triage,
        (S::Triage, CaseAction::StartInvestigation) => {
            if facts.assignee.is_none() {
                needed.push(Needed::Assignee);
            }
            if !facts.has_category {
                needed.push(Needed::Category);
            }
            if facts.severity.is_none() {
                needed.push(Needed::Severity);
            }
            S::Investigation
        }
        (S::Investigation, CaseAction::PlanMeasures) => {
            if facts.risk.is_none() {
                needed.push(Needed::RiskAssessment);
            }
            needed.extend(
                unanswered(INVESTIGATION_CHECKLIST, facts.checklist)
                    .into_iter()
                    .map(Needed::ChecklistAnswer),
            );
            S::Measures
        }
        (S::Investigation | S::Measures, CaseAction::Close) => {
            if facts.lessons_learned.trim().is_empty() {
                needed.push(Needed::LessonsLearned);
            }
            needed.extend(
                facts
                    .measures
                    .iter()
                    .filter(|m| !m.is_settled())
                    .map(|m| Needed::MeasureOpen(m.id)),
            );
            open_obligations(facts, &mut needed);
            S::Closed
        }
        (S::Triage, CaseAction::Dismiss { reason }) => {
            if reason.trim().is_empty() {
                needed.push(Needed::Reason);
            }
            open_obligations(facts, &mut needed);
            S::Closed
        }
        (S::Closed, CaseAction::Reopen { reason }) => {
            if reason.trim().is_empty() {
                needed.push(Needed::Reason);
            }
            S::Investigation
        }
        (from, _) => return Err(TransitionError::WrongState { from }),
    };
    if needed.is_empty() {
        Ok(to)
    } else {
        Err(TransitionError::Missing(needed))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::deviations::checklist::Answer;
    use crate::deviations::risk::{Consequence, Likelihood};
    use time::macros::datetime;
    use uuid::Uuid;

    fn answered() -> ChecklistAnswers {
        let mut a = ChecklistAnswers::new();
        for q in INVESTIGATION_CHECKLIST {
            let answer = match q.kind {
                crate::deviations::checklist::AnswerKind::YesNoUnknown => Answer::No,
                crate::deviations::checklist::AnswerKind::Choice(opts) => {
                    Answer::Choice(opts[0].to_string())
                }
                crate::deviations::checklist::AnswerKind::Text => {
                    Answer::Text("Written up.".into())
                }
            };
            a.insert(q.key.to_string(), answer);
        }
        a
    }

    fn measure(status: MeasureStatus) -> Measure {
        Measure {
            id: Uuid::now_v7().into(),
            title: "Change key-box codes".into(),
            owner: Uuid::from_u128(3).into(),
            due: None,
            status,
        }
    }

    fn facts<'a>(
        state: CaseState,
        checklist: &'a ChecklistAnswers,
        measures: &'a [Measure],
        obligations: &'a [(String, ObligationState)],
    ) -> CaseFacts<'a> {
        CaseFacts {
            state,
            assignee: Some(Uuid::from_u128(2).into()),
            has_category: true,
            severity: Some(Severity::Medium),
            risk: Some(RiskAssessment {
                consequence: Consequence::Moderate,
                likelihood: Likelihood::Possible,
            }),
            checklist,
            measures,
            obligations,
            lessons_learned: "Rosters no longer on phones.",
        }
    }

    #[test]
    fn a_case_walks_reported_triage_investigation_measures_closed() {
        let c = answered();
        let done = [measure(MeasureStatus::Done {
            at: datetime!(2026-10-25 0:00 UTC),
            by: Uuid::from_u128(3).into(),
        })];
        let obligations = [("gdpr_authority".to_string(), ObligationState::Complete)];
        let mut state = CaseState::Reported;
        for action in [
            CaseAction::StartTriage,
            CaseAction::StartInvestigation,
            CaseAction::PlanMeasures,
            CaseAction::Close,
        ] {
            state = check_transition(&facts(state, &c, &done, &obligations), &action).unwrap();
        }
        assert_eq!(state, CaseState::Closed);
    }

    #[test]
    fn investigation_needs_an_assignee_category_and_severity() {
        let c = answered();
        let mut f = facts(CaseState::Triage, &c, &[], &[]);
        f.assignee = None;
        f.has_category = false;
        f.severity = None;
        assert_eq!(
            check_transition(&f, &CaseAction::StartInvestigation),
            Err(TransitionError::Missing(vec![
                Needed::Assignee,
                Needed::Category,
                Needed::Severity
            ]))
        );
    }

    #[test]
    fn measures_need_the_risk_assessment_and_the_required_checklist_answers() {
        let mut c = answered();
        c.remove("intrusion");
        let mut f = facts(CaseState::Investigation, &c, &[], &[]);
        f.risk = None;
        assert_eq!(
            check_transition(&f, &CaseAction::PlanMeasures),
            Err(TransitionError::Missing(vec![
                Needed::RiskAssessment,
                Needed::ChecklistAnswer("intrusion")
            ]))
        );
    }

    #[test]
    fn closing_needs_lessons_learned_all_measures_settled_and_no_open_obligation() {
        let c = answered();
        let open = measure(MeasureStatus::Open);
        let open_id = open.id;
        let measures = [
            open,
            measure(MeasureStatus::Done {
                at: datetime!(2026-10-25 0:00 UTC),
                by: Uuid::from_u128(3).into(),
            }),
        ];
        let obligations = [
            (
                "gdpr_authority".to_string(),
                ObligationState::AwaitingDecision,
            ),
            ("nis2".to_string(), ObligationState::NotRequired),
        ];
        let mut f = facts(CaseState::Measures, &c, &measures, &obligations);
        f.lessons_learned = " ";
        assert_eq!(
            check_transition(&f, &CaseAction::Close),
            Err(TransitionError::Missing(vec![
                Needed::LessonsLearned,
                Needed::MeasureOpen(open_id),
                Needed::ObligationOpen("gdpr_authority".into())
            ]))
        );
    }

    #[test]
    fn an_explicitly_waived_measure_does_not_block_closing_but_needs_a_reason() {
        let c = answered();
        let mut m = measure(MeasureStatus::Open);
        assert_eq!(
            m.waive(
                "",
                Uuid::from_u128(2).into(),
                datetime!(2026-10-25 0:00 UTC)
            ),
            Err(MeasureError::ReasonRequired)
        );
        m.waive(
            "Replaced by the new MDM policy.",
            Uuid::from_u128(2).into(),
            datetime!(2026-10-25 0:00 UTC),
        )
        .unwrap();
        let measures = [m];
        assert_eq!(
            check_transition(
                &facts(CaseState::Measures, &c, &measures, &[]),
                &CaseAction::Close
            ),
            Ok(CaseState::Closed)
        );
    }

    #[test]
    fn dismissing_in_triage_and_reopening_need_a_reason() {
        let c = answered();
        let f = facts(CaseState::Triage, &c, &[], &[]);
        assert_eq!(
            check_transition(&f, &CaseAction::Dismiss { reason: "".into() }),
            Err(TransitionError::Missing(vec![Needed::Reason]))
        );
        assert_eq!(
            check_transition(
                &f,
                &CaseAction::Dismiss {
                    reason: "Duplicate of case 41.".into()
                }
            ),
            Ok(CaseState::Closed)
        );
        let closed = facts(CaseState::Closed, &c, &[], &[]);
        assert_eq!(
            check_transition(&closed, &CaseAction::Reopen { reason: " ".into() }),
            Err(TransitionError::Missing(vec![Needed::Reason]))
        );
        assert_eq!(
            check_transition(
                &closed,
                &CaseAction::Reopen {
                    reason: "New log evidence.".into()
                }
            ),
            Ok(CaseState::Investigation)
        );
    }

    #[test]
    fn steps_out_of_order_are_refused() {
        let c = answered();
        let f = facts(CaseState::Reported, &c, &[], &[]);
        assert_eq!(
            check_transition(&f, &CaseAction::Close),
            Err(TransitionError::WrongState {
                from: CaseState::Reported
            })
        );
        let closed = facts(CaseState::Closed, &c, &[], &[]);
        assert_eq!(
            check_transition(&closed, &CaseAction::PlanMeasures),
            Err(TransitionError::WrongState {
                from: CaseState::Closed
            })
        );
    }
}
