//! The Vakt domain: types, rules, state machines, deadlines and policy checks.
//! Pure: no I/O, no async, no SQL. Every rule that can be stated without a database lives here.
//!
//! One module per capability (DESIGN.md):
//! - [`directory`]: tenants, org units, people, employment; people-CSV validation.
//! - [`audit`]: canonical audit events and the per-tenant hash chain (compute, verify, checkpoints).
//! - [`auth`]: password policy, password hashing, lockout, TOTP, recovery codes, tokens.
//! - [`authz`]: roles, principals, actions and the one authorization check every route goes through.
//! - [`settings`]: tenant settings as policy — country presets, unit overrides that may only tighten.
//! - [`clock`]: the injected clock used for every deadline.
//! - [`instructions`]: instruction versions, audience, acknowledgments, diff.
//! - [`training`]: courses, completions, the prerequisite check, reminder scheduling.
//! - [`deviations`]: deviation/incident/breach workflow, risk, reporting regimes and obligations, breach forms.
//! - [`deadline`]: the Clock building block — deadlines from a moment and a rule, escalation points.
//! - [`demo`]: a deterministic demo municipality (units, people, one account per role).

pub mod audit;
pub mod auth;
pub mod authz;
pub mod clock;
pub mod deadline;
pub mod demo;
pub mod deviations;
pub mod directory;
pub mod instructions;
pub mod settings;
pub mod text;
pub mod training;

#[cfg(test)]
mod ftl_check;

use serde::{Deserialize, Serialize};

/// A tenant's country; selects the settings preset and the national authorities.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Country {
    No,
    Se,
    Dk,
}

/// The roles of DESIGN.md. `Leader` is never stored: it is implied by being the leader of an org unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Employee,
    Leader,
    SecurityCoordinator,
    Dpo,
    ItOperations,
    Auditor,
    TenantAdmin,
    HostAdmin,
}
