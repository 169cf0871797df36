//! Instructions: versioned documents, their audience, acknowledgments ("read and understood") and
//! the diff between versions. Pure rules; the store keeps the rows, the web layer the pages.
//!
//! Public API:
//! - [`version`]: [`VersionNumber`] (`next(ChangeKind)`), [`VersionState`], [`VersionStep`],
//!   [`check_step`]`(&VersionFacts, VersionStep, StepActor) -> Result<VersionState, StepError>`
//!   (who may do each step: editors send to review, publish and retire; only the named approver
//!   approves, never the author), [`PublishedVersion`] and [`in_force`]`(versions, now)`.
//! - [`ack`]: [`Acknowledgment`] (immutable evidence: version, SHA-256 of the exact text, method,
//!   when, IP, user agent; built by [`Acknowledgment::record`], replaced only by
//!   [`Acknowledgment::supersede`]), [`ack_state`]`(versions, acks, now) -> AckState` (a major version
//!   in force makes signing due again, a minor one does not) and [`signing_due_at`] (N days after
//!   publication or after joining the audience, whichever is later).
//! - [`audience`]: [`Audience`] / [`AudienceRule`] evaluated by [`Audience::includes`] on
//!   [`PersonFacts`] (unit path, roles, employment kind, groups).
//! - [`diff`]: [`diff_lines`]`(old, new) -> Vec<DiffLine>`, a line-based Myers diff.
//!
//! Ids are plain UUIDs here (type aliases) until the directory's id types are merged.

pub mod ack;
pub mod audience;
pub mod diff;
pub mod version;

pub use ack::{
    AckError, AckInput, AckMethod, AckState, Acknowledgment, DueReason, TextHash, ack_state,
    signing_due_at,
};
pub use audience::{Audience, AudienceRule, EmploymentKind, PersonFacts};
pub use diff::{DiffLine, LineOp, diff_lines};
pub use version::{
    ChangeKind, PublishedVersion, StepActor, StepError, VersionFacts, VersionNumber, VersionState,
    VersionStep, check_step, in_force,
};

/// A person (directory).
pub type PersonId = uuid::Uuid;
/// An org unit (directory).
pub type UnitId = uuid::Uuid;
/// A named group, e.g. "home office in the secure zone".
pub type GroupId = uuid::Uuid;
/// An instruction (all its versions).
pub type InstructionId = uuid::Uuid;
/// One version of an instruction.
pub type VersionId = uuid::Uuid;
/// One acknowledgment record.
pub type AckId = uuid::Uuid;
