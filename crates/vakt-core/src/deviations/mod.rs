//! Deviations, security incidents and personal-data breaches: the case workflow, the investigation
//! checklist, severity and risk, reporting obligations under configurable regimes, and the breach
//! notification draft shaped like each national form.
//!
//! Public API:
//! - [`workflow`]: [`CaseState`], [`CaseAction`], [`check_transition`]`(&CaseFacts, &CaseAction) ->
//!   Result<CaseState, TransitionError>` (lists every missing field: assignee, category, severity,
//!   risk assessment, checklist answers, lessons learned, unsettled measures, open obligations,
//!   reasons), [`Measure`] with [`Measure::waive`].
//! - [`checklist`]: [`INVESTIGATION_CHECKLIST`] (questions as data), [`Answer`], [`unanswered`].
//! - [`risk`]: [`Severity`], [`Consequence`] × [`Likelihood`] → [`RiskLevel`] via [`RiskMatrix`].
//! - [`regimes`]: [`RegimeSet`] loaded from TOML ([`RegimeSet::preset`] for NO/SE/DK, embedded
//!   from `presets/*.toml`; [`RegimeSet::with_tenant`] for a tenant's own), [`Regime`], [`Phase`],
//!   [`Trigger`], [`DecisionRule`].
//! - [`obligations`]: [`Obligation`] per regime on a case: [`Obligation::decide_not_required`]
//!   (reasoning required), [`Obligation::record_submission`] (phases, initial/supplement/final; late
//!   needs delay reasons), [`Obligation::status`] (clocks, countdown, state) and
//!   [`Obligation::escalations_due`].
//! - [`notification`]: [`BreachNotificationDraft`], [`BreachNotificationDraft::missing_minimum`]
//!   (Art. 33(3)), [`form_shape`]`(key)` → [`FormShape::fill`] for Datatilsynet (NO, Altinn), IMY (SE)
//!   and Datatilsynet (DK, Virk.dk).

pub mod checklist;
pub mod notification;
pub mod obligations;
pub mod regimes;
pub mod risk;
pub mod workflow;

pub use checklist::{
    Answer, AnswerKind, ChecklistAnswers, INVESTIGATION_CHECKLIST, Question, accepts, unanswered,
};
pub use notification::{
    ART33_MINIMUM, Approx, BreachNature, BreachNotificationDraft, Contact, Controller, DraftField,
    FilledForm, FormField, FormShape, SubjectsInformed, form_shape,
};
pub use obligations::{
    Decision, NotRequiredGround, Obligation, ObligationError, ObligationState, ObligationStatus,
    PhaseStatus, Submission, SubmissionKind, start_obligations,
};
pub use regimes::{Anchor, DecisionRule, Phase, Regime, RegimeError, RegimeSet, Trigger};
pub use risk::{Consequence, Likelihood, RiskAssessment, RiskLevel, RiskMatrix, Severity};
pub use workflow::{
    CaseAction, CaseFacts, CaseState, Measure, MeasureError, MeasureStatus, Needed,
    TransitionError, check_transition,
};

pub use crate::instructions::PersonId;
crate::instructions::record_id!(
    /// A deviation case.
    CaseId
);
crate::instructions::record_id!(
    /// A measure on a case.
    MeasureId
);

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::Country;

    #[test]
    fn every_form_named_by_a_preset_exists() {
        for c in [Country::No, Country::Se, Country::Dk] {
            for r in RegimeSet::preset(c).unwrap().regimes {
                if let Some(form) = &r.form {
                    assert!(form_shape(form).is_some(), "{c:?}: {form}");
                }
            }
        }
    }
}
