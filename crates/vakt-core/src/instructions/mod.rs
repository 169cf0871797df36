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
//! People and units use the directory's ids; instructions, versions, acknowledgments and groups
//! have their own typed ids (UUIDv7 newtypes).

pub mod ack;
pub mod attachment;
mod ids;
pub(crate) use ids::record_id;
pub mod audience;
pub mod diff;
pub mod status;
pub mod version;

pub use ack::{
    AckError, AckFacts, AckInput, AckMethod, AckParts, AckState, Acknowledgment, DueReason,
    HasAckFacts, TextHash, ack_state, signing_due_at,
};
pub use attachment::{AttachmentError, CheckedAttachment, MAX_ATTACHMENT_BYTES, check_attachment};
pub use audience::{Audience, AudienceRule, PersonFacts, Tenure};
pub use diff::{DiffLine, LineOp, diff_lines};
pub use status::{Standing, overdue_cutoff, signing_rule, standing, standings_hold_until};
pub use version::{
    ChangeKind, PublishedVersion, StepActor, StepError, VersionFacts, VersionNumber, VersionState,
    VersionStep, check_step, in_force, may_comment,
};

use crate::directory::PersonKind;
pub use crate::directory::{PersonId, UnitId};
record_id!(
    /// A named group, e.g. "home office in the secure zone".
    GroupId
);
record_id!(
    /// An instruction (all its versions).
    InstructionId
);
record_id!(
    /// One version of an instruction.
    VersionId
);
record_id!(
    /// One acknowledgment record.
    AckId
);
