//! Training: courses with validity periods, completions, expiry and renewal, THE prerequisite
//! check, and reminder scheduling (for instructions and courses alike).
//!
//! Public API:
//! - [`course`]: [`Course`], [`Completion`] with [`CompletionSource`] (self-reported with evidence
//!   awaiting a leader's countersignature, leader-recorded, imported), [`Completion::countersigned`],
//!   [`course_state`]`(course, person, completions, now, cal) -> CourseState`
//!   (missing / awaiting countersign / valid / renew soon / expired).
//! - [`prerequisites`]: [`check_prerequisites`]`(&RequirementSet, Catalogue, PersonRecords, now, cal)
//!   -> Prerequisites` (`Met` or `Missing(Vec<Unmet>)` with reasons: missing, expired, superseded by
//!   a major version, awaiting countersign, unavailable). The one function DESIGN.md names.
//! - [`course_due_at`]: when a course must next be (re)completed (the reminder job's due date).
//! - [`evidence`]: [`check_evidence`] (size limit, PDF/PNG/JPEG by content) and [`clean_file_name`].
//! - [`import`]: [`validate_completion_csv`] — a learning platform's completion CSV, validated row
//!   by row (per-row error report), idempotent through each row's external reference.
//! - [`reminders`]: [`plan_reminders`]`(&[DueItem], ReminderPolicy, now) -> ReminderPlan`
//!   (reminders batched per person, escalations batched per leader).

pub mod course;
pub mod evidence;
pub mod import;
pub mod prerequisites;
pub mod reminders;

pub use course::{
    Completion, CompletionSource, Countersign, CountersignError, Course, CourseState,
    course_due_at, course_state, valid_until,
};
pub use evidence::{EvidenceError, EvidenceType, check_evidence, clean_file_name};
pub use import::{
    CompletionImport, ImportedCompletion, RowError, RowProblem, validate_completion_csv,
};
pub use prerequisites::{
    Catalogue, PersonRecords, Prerequisites, RequiredItem, RequirementSet, Unmet, UnmetReason,
    check_prerequisites,
};
pub use reminders::{
    DueItem, EscalationBatch, ReminderBatch, ReminderPlan, ReminderPolicy, ReminderSubject,
    plan_reminders,
};

pub use crate::instructions::PersonId;
crate::instructions::record_id!(
    /// A course.
    CourseId
);
crate::instructions::record_id!(
    /// A completion record.
    CompletionId
);
crate::instructions::record_id!(
    /// A declaration (e.g. a confidentiality declaration).
    DeclarationId
);
crate::instructions::record_id!(
    /// A stored file (evidence, attachment).
    FileId
);
