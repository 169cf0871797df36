//! Reporting obligations: one per triggered regime on a case, each with its own clocks computed
//! from the recorded moment of awareness, a decision where the regime needs one, and a log of
//! submissions in phases (initial, supplement, final).
//!
//! Rules enforced here:
//! - deciding "not required" (e.g. "unlikely to result in a risk") needs a reasoning text;
//! - the first submission of a phase after its deadline needs the reasons for the delay;
//! - supplements and final reports follow an initial report of the same phase;
//! - a submission cannot be recorded with a time in the future.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::PersonId;
use super::regimes::{Anchor, DecisionRule, Regime};
use crate::deadline::{Deadline, DeadlineError, DeadlineStatus, EscalationPoint, TenantCalendar};

/// Grounds for deciding that a report or communication is not required.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NotRequiredGround {
    /// Art. 33(1): unlikely to result in a risk to the rights and freedoms of natural persons.
    UnlikelyRisk,
    /// Art. 34(1): no high risk.
    NoHighRisk,
    /// Art. 34(3)(a): the data were unintelligible to others (e.g. encrypted).
    DataUnintelligible,
    /// Art. 34(3)(b): later measures mean the high risk is no longer likely.
    SubsequentMeasures,
    /// Art. 34(3)(c): disproportionate effort; a public communication is used instead.
    DisproportionateEffort,
    /// The incident is not significant (NIS2) or otherwise outside the regime.
    NotSignificant,
    Other,
}

/// The decision on whether the obligation applies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "decision")]
pub enum Decision {
    Notify {
        by: PersonId,
        at: OffsetDateTime,
    },
    NotRequired {
        ground: NotRequiredGround,
        reasoning: String,
        by: PersonId,
        at: OffsetDateTime,
    },
}

/// The kind of a submission within a phase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SubmissionKind {
    /// Everything in one report; closes the phase.
    Complete,
    /// A first report with more to follow (Art. 33(4)).
    Initial,
    /// Additional information after an initial report.
    Supplement,
    /// The last report; closes the phase.
    Final,
}

/// One submission to the recipient.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Submission {
    pub phase: String,
    pub kind: SubmissionKind,
    pub at: OffsetDateTime,
    pub by: PersonId,
    /// How it was sent (e.g. "Altinn", "e-mail", "phone").
    pub channel: String,
    /// The authority's reference number, once known.
    pub authority_reference: Option<String>,
    /// Required when the phase's first submission is after its deadline.
    pub delay_reasons: Option<String>,
}

/// One reporting obligation on a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Obligation {
    pub regime: String,
    /// The recorded moment of awareness; every clock counts from it.
    pub aware_at: OffsetDateTime,
    pub decision: Option<Decision>,
    pub submissions: Vec<Submission>,
}

/// Why an obligation change was refused (codes for the web layer).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[serde(rename_all = "snake_case", tag = "code")]
pub enum ObligationError {
    #[error("the obligation belongs to another regime")]
    WrongRegime,
    #[error("a reasoning text is required")]
    ReasoningRequired,
    #[error("already submitted; a decision that it is not required can no longer be recorded")]
    AlreadySubmitted,
    #[error("it was decided that this is not required; record a decision to notify first")]
    DecidedNotRequired,
    #[error("unknown phase {0:?}")]
    UnknownPhase(String),
    #[error("the phase already has its first report; send a supplement or final report")]
    PhaseAlreadyStarted,
    #[error("a supplement or final report needs an initial report first")]
    NoInitialReport,
    #[error("the phase is closed")]
    PhaseClosed,
    #[error("the submission is after the deadline; the reasons for the delay are required")]
    DelayReasonsRequired,
    #[error("the submission time is in the future")]
    SubmittedInFuture,
    #[error(transparent)]
    Deadline(#[from] DeadlineError),
}

/// The overall state of an obligation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ObligationState {
    /// The regime needs a decision and none is recorded yet (the clocks run meanwhile).
    AwaitingDecision,
    /// To be reported; nothing submitted yet.
    Pending,
    /// Some phases reported, others (or final reports) outstanding.
    InProgress,
    /// Every phase closed.
    Complete,
    /// Decided not required, with reasoning.
    NotRequired,
}

impl ObligationState {
    /// Whether the obligation still needs work (blocks closing the case).
    pub fn is_open(self) -> bool {
        matches!(
            self,
            ObligationState::AwaitingDecision
                | ObligationState::Pending
                | ObligationState::InProgress
        )
    }
}

/// One phase's standing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PhaseStatus {
    pub phase: String,
    /// The phase's clock (`None` for "without undue delay").
    pub clock: Option<Deadline>,
    /// When the phase's first report went in.
    pub first_submitted_at: Option<OffsetDateTime>,
    /// Whether the first report was after the deadline.
    pub late: bool,
    pub closed: bool,
    /// The clock's status at `now`, while the phase's first report is outstanding and the
    /// obligation is not decided away.
    pub running: Option<DeadlineStatus>,
}

/// The standing of an obligation at `now`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ObligationStatus {
    pub state: ObligationState,
    pub phases: Vec<PhaseStatus>,
}

impl ObligationStatus {
    /// The earliest deadline of a phase still awaiting its first report (for sorting a dashboard
    /// by urgency); `None` if nothing is running.
    pub fn next_due(&self) -> Option<OffsetDateTime> {
        self.phases
            .iter()
            .filter(|p| p.running.is_some())
            .filter_map(|p| p.clock.as_ref().map(Deadline::due))
            .min()
    }
}

/// Start one obligation for every enabled regime the trigger starts, all counting from `aware_at`.
pub fn start_obligations(
    regimes: &super::regimes::RegimeSet,
    trigger: super::regimes::Trigger,
    aware_at: OffsetDateTime,
) -> Vec<Obligation> {
    regimes
        .triggered_by(trigger)
        .map(|r| Obligation::start(r, aware_at))
        .collect()
}

impl Obligation {
    /// A new obligation for `regime`, counting from `aware_at`.
    pub fn start(regime: &Regime, aware_at: OffsetDateTime) -> Self {
        Obligation {
            regime: regime.key.clone(),
            aware_at,
            decision: None,
            submissions: Vec::new(),
        }
    }

    fn check_regime(&self, regime: &Regime) -> Result<(), ObligationError> {
        if regime.key == self.regime {
            Ok(())
        } else {
            Err(ObligationError::WrongRegime)
        }
    }

    /// Record the decision that reporting is required.
    pub fn decide_notify(
        &mut self,
        regime: &Regime,
        by: PersonId,
        at: OffsetDateTime,
    ) -> Result<(), ObligationError> {
        self.check_regime(regime)?;
        self.decision = Some(Decision::Notify { by, at });
        Ok(())
    }

    /// Record a reasoned decision that reporting is not required.
    pub fn decide_not_required(
        &mut self,
        regime: &Regime,
        ground: NotRequiredGround,
        reasoning: &str,
        by: PersonId,
        at: OffsetDateTime,
    ) -> Result<(), ObligationError> {
        self.check_regime(regime)?;
        if reasoning.trim().is_empty() {
            return Err(ObligationError::ReasoningRequired);
        }
        if !self.submissions.is_empty() {
            return Err(ObligationError::AlreadySubmitted);
        }
        self.decision = Some(Decision::NotRequired {
            ground,
            reasoning: reasoning.trim().to_owned(),
            by,
            at,
        });
        Ok(())
    }

    /// The clock of one phase.
    pub fn phase_clock(
        &self,
        regime: &Regime,
        phase: &str,
        cal: &TenantCalendar,
    ) -> Result<Option<Deadline>, ObligationError> {
        let index = regime
            .phases
            .iter()
            .position(|p| p.key == phase)
            .ok_or_else(|| ObligationError::UnknownPhase(phase.to_owned()))?;
        let (earlier, rest) = regime.phases.split_at(index);
        let Some(p) = rest.first() else {
            return Err(ObligationError::UnknownPhase(phase.to_owned()));
        };
        let Some(rule) = &p.deadline else {
            return Ok(None);
        };
        let start = match &p.from {
            Anchor::Awareness => self.aware_at,
            // Only earlier phases may anchor a phase (validated on load; checked again so that a
            // hand-built regime cannot recurse for ever).
            Anchor::Phase(other) if !earlier.iter().any(|x| &x.key == other) => {
                return Err(ObligationError::UnknownPhase(other.clone()));
            }
            Anchor::Phase(other) => match self.first_submission(other) {
                Some(s) => s.at,
                // Not yet submitted: count from that phase's own deadline (or awareness).
                None => self
                    .phase_clock(regime, other, cal)?
                    .map_or(self.aware_at, |c| c.due()),
            },
        };
        Ok(Some(rule.start_at(start, cal)?))
    }

    fn first_submission(&self, phase: &str) -> Option<&Submission> {
        self.submissions
            .iter()
            .filter(|s| s.phase == phase)
            .min_by_key(|s| s.at)
    }

    fn phase_closed(&self, phase: &str) -> bool {
        self.submissions.iter().any(|s| {
            s.phase == phase && matches!(s.kind, SubmissionKind::Complete | SubmissionKind::Final)
        })
    }

    /// Record a submission, enforcing the phase order and the delay-reasons rule.
    pub fn record_submission(
        &mut self,
        regime: &Regime,
        submission: Submission,
        now: OffsetDateTime,
        cal: &TenantCalendar,
    ) -> Result<(), ObligationError> {
        self.check_regime(regime)?;
        if matches!(self.decision, Some(Decision::NotRequired { .. })) {
            return Err(ObligationError::DecidedNotRequired);
        }
        if submission.at > now {
            return Err(ObligationError::SubmittedInFuture);
        }
        let phase = submission.phase.as_str();
        if regime.phase(phase).is_none() {
            return Err(ObligationError::UnknownPhase(phase.to_owned()));
        }
        if self.phase_closed(phase) {
            return Err(ObligationError::PhaseClosed);
        }
        let started = self.first_submission(phase).is_some();
        match submission.kind {
            SubmissionKind::Complete | SubmissionKind::Initial if started => {
                return Err(ObligationError::PhaseAlreadyStarted);
            }
            SubmissionKind::Supplement | SubmissionKind::Final if !started => {
                return Err(ObligationError::NoInitialReport);
            }
            _ => {}
        }
        if !started
            && let Some(clock) = self.phase_clock(regime, phase, cal)?
            && !clock.met_by(submission.at)
            && submission
                .delay_reasons
                .as_deref()
                .is_none_or(|r| r.trim().is_empty())
        {
            return Err(ObligationError::DelayReasonsRequired);
        }
        if self.decision.is_none() {
            // Submitting is itself the decision to notify.
            self.decision = Some(Decision::Notify {
                by: submission.by,
                at: submission.at,
            });
        }
        self.submissions.push(submission);
        Ok(())
    }

    /// The obligation's standing at `now`.
    pub fn status(
        &self,
        regime: &Regime,
        now: OffsetDateTime,
        cal: &TenantCalendar,
    ) -> Result<ObligationStatus, ObligationError> {
        self.check_regime(regime)?;
        let decided_away = matches!(self.decision, Some(Decision::NotRequired { .. }));
        let mut phases = Vec::with_capacity(regime.phases.len());
        for p in &regime.phases {
            let clock = self.phase_clock(regime, &p.key, cal)?;
            let first = self.first_submission(&p.key).map(|s| s.at);
            let late = match (&clock, first) {
                (Some(c), Some(at)) => !c.met_by(at),
                _ => false,
            };
            let running = match (&clock, first) {
                (Some(c), None) if !decided_away => Some(c.status(now, &[])),
                _ => None,
            };
            phases.push(PhaseStatus {
                phase: p.key.clone(),
                clock,
                first_submitted_at: first,
                late,
                closed: self.phase_closed(&p.key),
                running,
            });
        }
        let state = if decided_away {
            ObligationState::NotRequired
        } else if phases.iter().all(|p| p.closed) {
            ObligationState::Complete
        } else if !self.submissions.is_empty() {
            ObligationState::InProgress
        } else if self.decision.is_none() && regime.decision != DecisionRule::None {
            ObligationState::AwaitingDecision
        } else {
            ObligationState::Pending
        };
        Ok(ObligationStatus { state, phases })
    }

    /// Escalation points due now for every running phase, given those already sent per phase.
    pub fn escalations_due(
        &self,
        regime: &Regime,
        now: OffsetDateTime,
        sent: &[(String, EscalationPoint)],
        cal: &TenantCalendar,
    ) -> Result<Vec<(String, EscalationPoint)>, ObligationError> {
        let status = self.status(regime, now, cal)?;
        let mut out = Vec::new();
        for p in status.phases {
            if let (Some(clock), None) = (&p.clock, p.first_submitted_at) {
                if status.state == ObligationState::NotRequired {
                    continue;
                }
                let already: Vec<EscalationPoint> = sent
                    .iter()
                    .filter(|(ph, _)| *ph == p.phase)
                    .map(|(_, e)| *e)
                    .collect();
                for e in clock.status(now, &already).escalations_due {
                    out.push((p.phase.clone(), e));
                }
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::Country;
    use crate::deviations::regimes::RegimeSet;
    use time::macros::datetime;
    use uuid::Uuid;

    const DPO: PersonId = PersonId(Uuid::from_u128(5));

    fn regimes() -> RegimeSet {
        RegimeSet::preset(Country::No).unwrap()
    }

    fn oslo() -> TenantCalendar {
        TenantCalendar::new("Europe/Oslo").unwrap()
    }

    fn submission(
        phase: &str,
        kind: SubmissionKind,
        at: OffsetDateTime,
        delay: Option<&str>,
    ) -> Submission {
        Submission {
            phase: phase.into(),
            kind,
            at,
            by: DPO,
            channel: "Altinn".into(),
            authority_reference: Some("22/01234".into()),
            delay_reasons: delay.map(str::to_owned),
        }
    }

    const AWARE: OffsetDateTime = datetime!(2026-10-23 14:00 +02:00);

    #[test]
    fn a_breach_starts_the_72_hour_clock_from_awareness_and_awaits_a_decision() {
        let set = regimes();
        let dpa = set.get("gdpr_authority").unwrap();
        let o = Obligation::start(dpa, AWARE);
        let s = o
            .status(dpa, datetime!(2026-10-24 14:00 +02:00), &oslo())
            .unwrap();
        assert_eq!(s.state, ObligationState::AwaitingDecision);
        let clock = s.phases[0].clock.as_ref().unwrap();
        // Fall-back on 25 Oct: 72 real hours end at 13:00 local winter time.
        assert_eq!(clock.due(), datetime!(2026-10-26 12:00 UTC));
        assert_eq!(
            s.phases[0].running.as_ref().unwrap().remaining,
            Some(time::Duration::hours(48))
        );
    }

    #[test]
    fn unlikely_to_result_in_a_risk_needs_a_reasoning_text() {
        let set = regimes();
        let dpa = set.get("gdpr_authority").unwrap();
        let mut o = Obligation::start(dpa, AWARE);
        let at = datetime!(2026-10-24 9:00 +02:00);
        assert_eq!(
            o.decide_not_required(dpa, NotRequiredGround::UnlikelyRisk, "  ", DPO, at),
            Err(ObligationError::ReasoningRequired)
        );
        o.decide_not_required(
            dpa,
            NotRequiredGround::UnlikelyRisk,
            "The laptop was encrypted and found unopened.",
            DPO,
            at,
        )
        .unwrap();
        let s = o
            .status(dpa, datetime!(2026-11-01 0:00 UTC), &oslo())
            .unwrap();
        assert_eq!(s.state, ObligationState::NotRequired);
        assert!(!s.state.is_open());
        assert!(
            s.phases[0].running.is_none(),
            "no countdown once decided away"
        );
        assert!(
            o.escalations_due(dpa, datetime!(2026-11-01 0:00 UTC), &[], &oslo())
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn a_notification_after_72_hours_needs_the_reasons_for_the_delay() {
        let set = regimes();
        let dpa = set.get("gdpr_authority").unwrap();
        let mut o = Obligation::start(dpa, AWARE);
        let late = datetime!(2026-10-26 12:00:01 UTC);
        let now = datetime!(2026-10-27 0:00 UTC);
        assert_eq!(
            o.record_submission(
                dpa,
                submission("notification", SubmissionKind::Complete, late, None),
                now,
                &oslo()
            ),
            Err(ObligationError::DelayReasonsRequired)
        );
        assert_eq!(
            o.record_submission(
                dpa,
                submission("notification", SubmissionKind::Complete, late, Some(" ")),
                now,
                &oslo()
            ),
            Err(ObligationError::DelayReasonsRequired)
        );
        o.record_submission(
            dpa,
            submission(
                "notification",
                SubmissionKind::Complete,
                late,
                Some("Awaited the supplier's log analysis."),
            ),
            now,
            &oslo(),
        )
        .unwrap();
        let s = o.status(dpa, now, &oslo()).unwrap();
        assert_eq!(s.state, ObligationState::Complete);
        assert!(s.phases[0].late);
    }

    #[test]
    fn a_notification_exactly_at_the_deadline_is_on_time() {
        let set = regimes();
        let dpa = set.get("gdpr_authority").unwrap();
        let mut o = Obligation::start(dpa, AWARE);
        let on_time = datetime!(2026-10-26 12:00 UTC);
        o.record_submission(
            dpa,
            submission("notification", SubmissionKind::Complete, on_time, None),
            on_time,
            &oslo(),
        )
        .unwrap();
        assert!(!o.status(dpa, on_time, &oslo()).unwrap().phases[0].late);
    }

    #[test]
    fn phased_reporting_goes_initial_then_supplements_then_final() {
        let set = regimes();
        let dpa = set.get("gdpr_authority").unwrap();
        let mut o = Obligation::start(dpa, AWARE);
        let now = datetime!(2026-11-20 0:00 UTC);
        let t = |d: u8| datetime!(2026-10-24 10:00 UTC) + time::Duration::days(i64::from(d));
        assert_eq!(
            o.record_submission(
                dpa,
                submission("notification", SubmissionKind::Supplement, t(0), None),
                now,
                &oslo()
            ),
            Err(ObligationError::NoInitialReport)
        );
        o.record_submission(
            dpa,
            submission("notification", SubmissionKind::Initial, t(0), None),
            now,
            &oslo(),
        )
        .unwrap();
        assert_eq!(
            o.status(dpa, now, &oslo()).unwrap().state,
            ObligationState::InProgress
        );
        assert_eq!(
            o.record_submission(
                dpa,
                submission("notification", SubmissionKind::Initial, t(1), None),
                now,
                &oslo()
            ),
            Err(ObligationError::PhaseAlreadyStarted)
        );
        // A supplement after 72 h is fine: the deadline was met by the initial report.
        o.record_submission(
            dpa,
            submission("notification", SubmissionKind::Supplement, t(5), None),
            now,
            &oslo(),
        )
        .unwrap();
        o.record_submission(
            dpa,
            submission("notification", SubmissionKind::Final, t(10), None),
            now,
            &oslo(),
        )
        .unwrap();
        assert_eq!(
            o.status(dpa, now, &oslo()).unwrap().state,
            ObligationState::Complete
        );
        assert_eq!(
            o.record_submission(
                dpa,
                submission("notification", SubmissionKind::Supplement, t(11), None),
                now,
                &oslo()
            ),
            Err(ObligationError::PhaseClosed)
        );
        assert!(matches!(o.decision, Some(Decision::Notify { .. })));
        assert_eq!(
            o.decide_not_required(
                dpa,
                NotRequiredGround::UnlikelyRisk,
                "changed our mind",
                DPO,
                now
            ),
            Err(ObligationError::AlreadySubmitted)
        );
    }

    #[test]
    fn a_submission_cannot_be_recorded_in_the_future_or_for_an_unknown_phase() {
        let set = regimes();
        let dpa = set.get("gdpr_authority").unwrap();
        let mut o = Obligation::start(dpa, AWARE);
        let now = datetime!(2026-10-24 0:00 UTC);
        assert_eq!(
            o.record_submission(
                dpa,
                submission(
                    "notification",
                    SubmissionKind::Complete,
                    now + time::Duration::hours(1),
                    None
                ),
                now,
                &oslo()
            ),
            Err(ObligationError::SubmittedInFuture)
        );
        assert_eq!(
            o.record_submission(
                dpa,
                submission("gossip", SubmissionKind::Complete, now, None),
                now,
                &oslo()
            ),
            Err(ObligationError::UnknownPhase("gossip".into()))
        );
    }

    #[test]
    fn nis2_runs_24h_72h_and_a_final_report_one_month_after_the_notification() {
        let set = regimes();
        let nis = set.get("nis2").unwrap();
        let aware = datetime!(2026-01-30 10:00 UTC);
        let mut o = Obligation::start(nis, aware);
        let cal = oslo();
        let s = o.status(nis, aware, &cal).unwrap();
        assert_eq!(
            s.state,
            ObligationState::Pending,
            "no decision rule: pending at once"
        );
        let dues: Vec<_> = s
            .phases
            .iter()
            .map(|p| p.clock.as_ref().unwrap().due())
            .collect();
        assert_eq!(dues[0], datetime!(2026-01-31 10:00 UTC));
        assert_eq!(dues[1], datetime!(2026-02-02 10:00 UTC));
        // Not yet notified: final report counted from the notification deadline (2 Feb + 1 month).
        assert_eq!(dues[2], datetime!(2026-03-02 10:00 UTC));
        let now = datetime!(2026-02-05 0:00 UTC);
        o.record_submission(
            nis,
            submission(
                "early_warning",
                SubmissionKind::Complete,
                datetime!(2026-01-30 20:00 UTC),
                None,
            ),
            now,
            &cal,
        )
        .unwrap();
        o.record_submission(
            nis,
            submission(
                "notification",
                SubmissionKind::Complete,
                datetime!(2026-01-31 09:00 UTC),
                None,
            ),
            now,
            &cal,
        )
        .unwrap();
        // Once notified on 31 Jan 10:00 local, the final report is due 28 Feb (month-end clamp).
        let final_clock = o.phase_clock(nis, "final_report", &cal).unwrap().unwrap();
        assert_eq!(final_clock.due(), datetime!(2026-02-28 09:00 UTC));
        assert_eq!(
            o.status(nis, now, &cal).unwrap().state,
            ObligationState::InProgress
        );
    }

    #[test]
    fn escalation_points_fire_per_phase_until_the_phase_is_reported() {
        let set = regimes();
        let dpa = set.get("gdpr_authority").unwrap();
        let mut o = Obligation::start(dpa, datetime!(2026-05-04 8:00 UTC));
        let cal = oslo();
        let due = |now| {
            o.escalations_due(
                dpa,
                now,
                &[(
                    "notification".into(),
                    EscalationPoint::Before { minutes: 48 * 60 },
                )],
                &cal,
            )
            .unwrap()
        };
        assert_eq!(due(datetime!(2026-05-05 9:00 UTC)), vec![]);
        assert_eq!(
            due(datetime!(2026-05-06 8:00 UTC)),
            vec![(
                "notification".to_string(),
                EscalationPoint::Before { minutes: 24 * 60 }
            )]
        );
        let now = datetime!(2026-05-06 9:00 UTC);
        o.record_submission(
            dpa,
            submission("notification", SubmissionKind::Complete, now, None),
            now,
            &cal,
        )
        .unwrap();
        assert!(
            o.escalations_due(dpa, datetime!(2026-05-08 0:00 UTC), &[], &cal)
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn data_subjects_need_a_recorded_decision_but_have_no_fixed_clock() {
        let set = regimes();
        let subjects = set.get("gdpr_data_subjects").unwrap();
        let mut o = Obligation::start(subjects, AWARE);
        let s = o
            .status(subjects, datetime!(2027-01-01 0:00 UTC), &oslo())
            .unwrap();
        assert_eq!(s.state, ObligationState::AwaitingDecision);
        assert!(s.phases[0].clock.is_none());
        o.decide_not_required(
            subjects,
            NotRequiredGround::DataUnintelligible,
            "Disk encryption with a key the thief cannot have.",
            DPO,
            AWARE,
        )
        .unwrap();
        assert_eq!(
            o.status(subjects, AWARE, &oslo()).unwrap().state,
            ObligationState::NotRequired
        );
    }

    #[test]
    fn flagging_a_breach_starts_the_authority_and_data_subject_obligations_and_the_nearest_deadline_sorts_first()
     {
        let set = regimes();
        let started =
            start_obligations(&set, crate::deviations::Trigger::PersonalDataBreach, AWARE);
        let keys: Vec<_> = started.iter().map(|o| o.regime.as_str()).collect();
        assert_eq!(keys, vec!["gdpr_authority", "gdpr_data_subjects"]);
        let nis = set.get("nis2").unwrap();
        let o = Obligation::start(nis, AWARE);
        let s = o.status(nis, AWARE, &oslo()).unwrap();
        assert_eq!(s.next_due(), Some(AWARE + time::Duration::hours(24)));
        let subjects = set.get("gdpr_data_subjects").unwrap();
        assert_eq!(
            started[1]
                .status(subjects, AWARE, &oslo())
                .unwrap()
                .next_due(),
            None
        );
    }

    #[test]
    fn a_hand_built_regime_anchored_on_a_later_phase_is_an_error_not_a_loop() {
        let mut nis = regimes().get("nis2").unwrap().clone();
        nis.phases[0].from = Anchor::Phase("final_report".into());
        let o = Obligation::start(&nis, AWARE);
        assert_eq!(
            o.status(&nis, AWARE, &oslo()),
            Err(ObligationError::UnknownPhase("final_report".into()))
        );
    }

    #[test]
    fn an_obligation_refuses_another_regimes_rules() {
        let set = regimes();
        let o = Obligation::start(set.get("gdpr_authority").unwrap(), AWARE);
        assert_eq!(
            o.status(set.get("nis2").unwrap(), AWARE, &oslo()),
            Err(ObligationError::WrongRegime)
        );
    }
}
