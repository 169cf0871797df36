//! Vakt persistence: SQLite (embedded default) and PostgreSQL behind one API, migrations, the
//! audit chain, and the job outbox.
//!
//! # Overview
//! ```text
//! let db = Db::open("sqlite:///path/vakt.db").await?;   // or "postgres://…"
//! db.migrate().await?;                                    // idempotent; run at start and by `vakt migrate`
//!
//! // Reads: methods on `Db`, always with the tenant.
//! db.tenant_by_slug("oslo").await?;  db.units(tenant).await?;  db.search_people(tenant, &query).await?;
//!
//! // Writes: one transaction per change, opened with the audit context (tenant, actor, ip).
//! let ctx = AuditCtx::new(tenant, Actor::account(account_id, Some(person_id), "kari")).with_ip(ip);
//! let mut tx = db.write(&ctx).await?;
//! let unit = tx.create_unit(NewUnit { .. }).await?;       // appends `unit.create` to the chain
//! tx.enqueue_job(NewJob::new("mail.send", payload)).await?; // outbox row, same transaction
//! tx.commit().await?;                                      // refused (rolled back) if nothing was audited
//! ```
//! Every write method lives on [`WriteTx`] and appends its own audit event in the same
//! transaction; there is no write path without one. A transaction that only needs to record an
//! event (a failed sign-in, an export) uses [`WriteTx::record`].
//!
//! Bookkeeping that is not a domain change is done on `Db` directly and not audited: touching a
//! session's `last_seen`, claiming and finishing jobs, deleting expired sessions.
//!
//! # Modules (one per capability)
//! - tenants: [`Db::create_tenant`], [`Db::tenant`], [`Db::tenant_by_slug`], [`Db::tenants`],
//!   [`WriteTx::update_tenant`]; settings JSON: [`Db::tenant_settings`], [`WriteTx::set_tenant_settings`],
//!   [`Db::unit_settings`], [`Db::all_unit_settings`], [`WriteTx::set_unit_settings`].
//! - units: [`Db::units`], [`Db::unit`], [`Db::unit_by_code`], [`Db::units_led_by`],
//!   [`WriteTx::create_unit`], [`WriteTx::update_unit`] (cycle-checked), [`WriteTx::delete_unit`].
//! - people: [`Db::person`], [`Db::person_by_employee_number`], [`Db::search_people`] (paged),
//!   [`Db::count_people`], [`Db::reports_of`], [`WriteTx::create_person`], [`WriteTx::update_person`].
//! - import: [`Db::import_context`], [`WriteTx::apply_import`] (upsert on employee number).
//! - accounts: [`Db::account`], [`Db::account_by_username`], [`Db::accounts`], [`WriteTx::create_account`],
//!   password, lockout, roles, TOTP and recovery codes.
//! - sessions and API tokens: [`WriteTx::create_session`], [`Db::session_by_token_hash`],
//!   [`Db::touch_session`], [`WriteTx::end_session`], [`WriteTx::create_api_token`], [`Db::api_token_by_hash`].
//! - audit: [`Db::verify_audit`], [`Db::search_audit`], [`Db::purge_audit`], legal holds.
//! - groups: [`Db::groups`], [`Db::group`], [`Db::group_members`], [`Db::groups_of_person`],
//!   [`Db::group_usage`],
//!   [`WriteTx::create_group`], [`WriteTx::update_group`], [`WriteTx::delete_group`],
//!   [`WriteTx::add_group_member`], [`WriteTx::remove_group_member`].
//! - instructions: [`Db::instructions`], [`Db::instruction_versions`], [`Db::reviews_for`],
//!   [`WriteTx::create_instruction`], [`WriteTx::new_version`], [`WriteTx::edit_draft`],
//!   [`WriteTx::version_step`] (checked by `vakt_core`), [`WriteTx::add_review_comment`],
//!   [`WriteTx::add_attachment`], [`WriteTx::remove_attachment`] (marks, keeps the bytes).
//! - instruction status (live audience): [`Db::instructions_for_person`], [`Db::unit_standings`],
//!   [`Db::all_standings`], [`Db::instruction_overview`] (aggregated in SQL, cached per audit head).
//! - acks: [`WriteTx::record_ack`] (insert only; triggers refuse UPDATE/DELETE), [`Db::ack`],
//!   [`Db::acks_of_person`], [`Db::acks_of_instruction`], [`Db::latest_ack`].
//! - jobs: [`WriteTx::enqueue_job`], [`Db::enqueue_job`], [`Db::claim_jobs`], [`Db::complete_job`], [`Db::fail_job`].
//! - deviations: [`WriteTx::report_dev_case`], [`Db::dev_case`], [`Db::dev_cases`] (filters, urgency
//!   order), workflow state, changes, flags and obligations, comments, attachments, links, measures,
//!   escalation bookkeeping, statistics, [`Db::dev_config`].
//! - training: [`Db::courses`], [`WriteTx::create_course`], completions (report with evidence, record,
//!   countersign, import), [`Db::evidence`], prerequisites, the reminder log ([`WriteTx::log_reminder`]).
//! - health: [`Db::ping`], [`Db::engine`].
//!
//! # Tenant scoping
//! Every read and write names its tenant (the tenant id is in every WHERE clause), except the
//! few lookups that find the tenant: [`Db::tenant_by_slug`], [`Db::tenants`],
//! [`Db::session_by_token_hash`] and [`Db::api_token_by_hash`] (the token identifies the tenant),
//! and the cross-tenant bookkeeping of jobs and expired sessions.
//!
//! # Audit
//! Event content is hashed over a fixed field order (`vakt_core::audit`), chained per tenant as
//! `hash = sha256(prev_hash ‖ sha256(canonical))`. A purge redacts expired events (content gone,
//! hashes kept) and deletes the redacted run at the start of the chain behind a checkpoint, so
//! [`Db::verify_audit`] still checks everything that is left, up to the recorded head.
//! People imports record one event per created or changed person plus a `people.import` summary.
//!
//! # Portability rules
//! Same SQL text on both engines with `$1` placeholders; ids are UUIDv7 made in Rust; timestamps
//! are UTC with microsecond precision ([`Ts`]: fixed-width TEXT on SQLite, TIMESTAMPTZ on
//! PostgreSQL); search columns are lower-cased in Rust. Only row locking differs
//! (`FOR UPDATE [SKIP LOCKED]` on PostgreSQL; SQLite write transactions are `BEGIN IMMEDIATE`).

mod accounts;
mod acks;
mod audit;
mod db;
mod deviations;
mod error;
mod groups;
mod import;
mod instruction_status;
mod instructions;
mod jobs;
mod people;
pub mod sealed;
mod sessions;
mod single_flight;
mod tenants;
mod training;
mod types;
mod units;

pub use accounts::{Account, NewAccount, RecoveryCode};
pub use audit::{AuditFilter, ChainState, LegalHold, PurgeOutcome};
pub use db::{ClockFn, Db, Engine, OpenOptions, WriteTx, default_sqlite_url, token_hash};
pub use deviations::{
    ATTACHMENT_TYPES, Affected, AffectedKind, Attachment as CaseAttachment, BulkCase,
    CASE_COUNT_CAP, Case, CaseChange, CaseFilter, CaseOrder, CaseSummary, CaseTimes, Category,
    Comment, DEFAULT_CATEGORIES, DevConfig, MAX_ATTACHMENT_BYTES, NewAttachment, NewCase,
    PersonalData, Reporter, Secrecy, StatRow, StoredObligation, TimelineEvent,
};
pub use error::{Result, StoreError};
pub use groups::{Group, GroupMember, GroupUsage, NewGroup};
pub use import::{ImportMode, ImportOutcome};
pub use instruction_status::{
    Completion, InstructionCompletion, Overview, OverviewReading, PersonInstruction,
    PersonStandings,
};
pub use instructions::{
    Attachment as InstructionAttachment, CATEGORIES, DraftEdit, Instruction, InstructionFields,
    InstructionVersion, MAX_BODY_CHARS, ReviewComment, attachment_code, step_code,
};
pub use jobs::{Job, NewJob};
pub use people::{NewPerson, Page, PeopleQuery};
pub use sealed::SecretKey;
pub use sessions::{ApiToken, NewSession, Session, SessionLimits};
pub use single_flight::KeyedLocks;
pub use tenants::{NewTenant, TenantUpdate};
pub use training::{
    CompletionImportOutcome, CompletionRecord, CourseKind, CourseRecord, EvidenceMeta,
    EvidenceUpload, NewCourse, PrerequisiteHolder, ReminderKind, ReminderLogEntry,
};
pub use types::Ts;
pub use units::NewUnit;

/// Re-exported so callers need not depend on `vakt-core` for the write context.
pub use vakt_core::audit::{Actor, AuditCtx};
