//! Training: courses, completions (self-reported with an evidence file and a leader's countersignature,
//! recorded by a leader, or imported from a learning platform), evidence files, the prerequisites of named
//! groups and roles, and the reminder log (for instructions and courses alike).
//!
//! Every write appends its audit event (`training.*`) in the same transaction. Imports are idempotent:
//! one completion per (platform, external reference). The reminder log's unique key (person, subject,
//! due date, kind, ordinal) makes sending the same reminder twice impossible, whichever process tries.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;
use vakt_core::audit::{AuditClass, EventDraft};
use vakt_core::deadline::{DeadlineRule, Period};
use vakt_core::directory::{EmploymentState, Person, PersonId, TenantId};
use vakt_core::instructions::InstructionId;
use vakt_core::training::{
    Completion, CompletionId, CompletionSource, Countersign, CountersignError, Course, CourseId,
    FileId, ImportedCompletion, ReminderSubject, RequiredItem,
};

use crate::db::{Conn, Db, WriteTx, on};
use crate::error::{Result, StoreError, conflict_as, corrupt};
use crate::people::{PERSON_COLS, PersonRow};
use crate::types::{Ts, ts};

/// Internal or external (e-learning, national) course.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CourseKind {
    Internal,
    External,
}

impl CourseKind {
    pub fn as_str(self) -> &'static str {
        match self {
            CourseKind::Internal => "internal",
            CourseKind::External => "external",
        }
    }
    pub fn parse(s: &str) -> Option<CourseKind> {
        match s.trim() {
            "internal" => Some(CourseKind::Internal),
            "external" => Some(CourseKind::External),
            _ => None,
        }
    }
}

/// A stored course.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CourseRecord {
    pub id: CourseId,
    pub tenant: TenantId,
    /// Unique in the tenant; what a completion CSV names.
    pub code: String,
    pub title: String,
    pub description: String,
    pub kind: CourseKind,
    /// Who gives it (e.g. "KS Læring", "Disa").
    pub provider: String,
    pub url: Option<String>,
    /// A completion is valid this many months; `None` = for ever.
    pub validity_months: Option<u32>,
    pub renew_days_before: u32,
    /// Every active person must have it.
    pub mandatory: bool,
    /// Complete within this many days of joining (or of the course becoming mandatory).
    pub complete_within_days: Option<u32>,
    /// When the course became required (set when it is made mandatory).
    pub required_since: OffsetDateTime,
    pub archived: bool,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

impl CourseRecord {
    /// The course as the pure rules see it.
    pub fn rule(&self) -> Course {
        Course {
            id: self.id,
            validity: self.validity_months.map(Period::Months),
            renew_days_before: self.renew_days_before,
        }
    }
    /// The deadline for a first completion, if the course sets one.
    pub fn complete_within(&self) -> Option<DeadlineRule> {
        self.complete_within_days
            .map(|d| DeadlineRule::new(Period::Days(d)))
    }
}

/// The editable fields of a course.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewCourse {
    pub code: String,
    pub title: String,
    #[serde(default)]
    pub description: String,
    pub kind: CourseKind,
    #[serde(default)]
    pub provider: String,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub validity_months: Option<u32>,
    #[serde(default)]
    pub renew_days_before: u32,
    #[serde(default)]
    pub mandatory: bool,
    #[serde(default)]
    pub complete_within_days: Option<u32>,
    #[serde(default)]
    pub archived: bool,
}

/// A stored completion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CompletionRecord {
    pub completion: Completion,
    pub note: String,
    pub created_at: OffsetDateTime,
}

/// An evidence file's description (without its bytes).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EvidenceMeta {
    pub id: FileId,
    pub person: PersonId,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub uploaded_at: OffsetDateTime,
}

/// An uploaded evidence file (already checked by `vakt_core::training::check_evidence`).
#[derive(Debug, Clone)]
pub struct EvidenceUpload {
    pub file_name: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// The result of a completion import.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct CompletionImportOutcome {
    pub created: usize,
    /// Rows already imported earlier (same platform and reference).
    pub already_imported: usize,
}

/// Who a set of prerequisites belongs to.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "id")]
pub enum PrerequisiteHolder {
    /// A named group (by id).
    Group(Uuid),
    /// A role (by its code, e.g. `leader`).
    Role(String),
}

impl PrerequisiteHolder {
    fn parts(&self) -> (&'static str, String) {
        match self {
            PrerequisiteHolder::Group(g) => ("group", g.to_string()),
            PrerequisiteHolder::Role(r) => ("role", r.clone()),
        }
    }
    fn from_parts(kind: &str, id: &str) -> Result<Self> {
        match kind {
            "group" => Uuid::parse_str(id)
                .map(PrerequisiteHolder::Group)
                .map_err(|_| corrupt("prerequisite group", id)),
            "role" => Ok(PrerequisiteHolder::Role(id.to_owned())),
            other => Err(corrupt("prerequisite holder", other)),
        }
    }
}

/// A reminder or an escalation as logged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReminderKind {
    Reminder,
    Escalation,
}

impl ReminderKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ReminderKind::Reminder => "reminder",
            ReminderKind::Escalation => "escalation",
        }
    }
}

/// One logged reminder or escalation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReminderLogEntry {
    pub person: PersonId,
    pub subject: ReminderSubject,
    pub due_at: OffsetDateTime,
    pub kind: ReminderKind,
    /// 1, 2, 3 … for reminders about the same item and due date; 1 for the escalation.
    pub ordinal: u32,
    /// Who received it (the person, or for an escalation their leader; `None` = nobody to escalate to).
    pub recipient: Option<PersonId>,
    pub sent_at: OffsetDateTime,
}

fn subject_parts(s: &ReminderSubject) -> (&'static str, Uuid) {
    match s {
        ReminderSubject::Instruction(i) => ("instruction", i.0),
        ReminderSubject::Course(c) => ("course", c.0),
    }
}

fn item_parts(item: &RequiredItem) -> (&'static str, Uuid) {
    match item {
        RequiredItem::Instruction(i) => ("instruction", i.0),
        RequiredItem::Course(c) => ("course", c.0),
        RequiredItem::Declaration(d) => ("declaration", d.0),
    }
}

fn opt_u32(v: Option<i32>) -> Option<u32> {
    v.and_then(|n| u32::try_from(n).ok())
}

fn to_i32(v: u32) -> i32 {
    i32::try_from(v).unwrap_or(i32::MAX)
}

#[derive(sqlx::FromRow)]
struct CourseRow {
    id: Uuid,
    tenant_id: Uuid,
    code: String,
    title: String,
    description: String,
    kind: String,
    provider: String,
    url: Option<String>,
    validity_months: Option<i32>,
    renew_days_before: i32,
    mandatory: bool,
    complete_within_days: Option<i32>,
    required_since: Ts,
    archived: bool,
    created_at: Ts,
    updated_at: Ts,
}

impl CourseRow {
    fn into_record(self) -> Result<CourseRecord> {
        Ok(CourseRecord {
            id: CourseId(self.id),
            tenant: TenantId(self.tenant_id),
            kind: CourseKind::parse(&self.kind)
                .ok_or_else(|| corrupt("course kind", &self.kind))?,
            code: self.code,
            title: self.title,
            description: self.description,
            provider: self.provider,
            url: self.url,
            validity_months: opt_u32(self.validity_months),
            renew_days_before: u32::try_from(self.renew_days_before).unwrap_or(0),
            mandatory: self.mandatory,
            complete_within_days: opt_u32(self.complete_within_days),
            required_since: self.required_since.0,
            archived: self.archived,
            created_at: self.created_at.0,
            updated_at: self.updated_at.0,
        })
    }
}

const COURSE_COLS: &str = "id, tenant_id, code, title, description, kind, provider, url, validity_months, \
     renew_days_before, mandatory, complete_within_days, required_since, archived, created_at, updated_at";

#[derive(sqlx::FromRow)]
struct CompletionRow {
    id: Uuid,
    course_id: Uuid,
    person_id: Uuid,
    completed_at: Ts,
    source: String,
    evidence_id: Option<Uuid>,
    countersigned_by: Option<Uuid>,
    countersigned_at: Option<Ts>,
    recorded_by: Option<Uuid>,
    platform: Option<String>,
    external_ref: Option<String>,
    note: String,
    created_at: Ts,
}

impl CompletionRow {
    fn into_record(self) -> Result<CompletionRecord> {
        let source = match self.source.as_str() {
            "self_reported" => CompletionSource::SelfReported {
                evidence: FileId(
                    self.evidence_id
                        .ok_or_else(|| corrupt("completion evidence", "none"))?,
                ),
                countersigned: match (self.countersigned_by, self.countersigned_at) {
                    (Some(by), Some(at)) => Some(Countersign {
                        by: PersonId(by),
                        at: at.0,
                    }),
                    _ => None,
                },
            },
            "leader_recorded" => CompletionSource::LeaderRecorded {
                by: PersonId(
                    self.recorded_by
                        .ok_or_else(|| corrupt("completion recorder", "none"))?,
                ),
            },
            "imported" => CompletionSource::Imported {
                platform: self.platform.unwrap_or_default(),
                external_ref: self.external_ref.unwrap_or_default(),
            },
            other => return Err(corrupt("completion source", other)),
        };
        Ok(CompletionRecord {
            completion: Completion {
                id: CompletionId(self.id),
                person: PersonId(self.person_id),
                course: CourseId(self.course_id),
                completed_at: self.completed_at.0,
                source,
            },
            note: self.note,
            created_at: self.created_at.0,
        })
    }
}

const COMPLETION_COLS: &str = "id, course_id, person_id, completed_at, source, evidence_id, countersigned_by, \
     countersigned_at, recorded_by, platform, external_ref, note, created_at";

#[derive(sqlx::FromRow)]
struct EvidenceRow {
    id: Uuid,
    person_id: Uuid,
    file_name: String,
    content_type: String,
    size_bytes: i64,
    sha256: String,
    uploaded_at: Ts,
}

impl From<EvidenceRow> for EvidenceMeta {
    fn from(r: EvidenceRow) -> Self {
        EvidenceMeta {
            id: FileId(r.id),
            person: PersonId(r.person_id),
            file_name: r.file_name,
            content_type: r.content_type,
            size_bytes: r.size_bytes,
            sha256: r.sha256,
            uploaded_at: r.uploaded_at.0,
        }
    }
}

async fn get_course(
    conn: &mut Conn<'_>,
    tenant: TenantId,
    id: CourseId,
) -> Result<Option<CourseRecord>> {
    let sql = format!("SELECT {COURSE_COLS} FROM courses WHERE tenant_id = $1 AND id = $2");
    let row: Option<CourseRow> = on!(conn, c => sqlx::query_as(&sql).bind(tenant.0).bind(id.0).fetch_optional(&mut *c).await?);
    row.map(CourseRow::into_record).transpose()
}

async fn get_completion(
    conn: &mut Conn<'_>,
    tenant: TenantId,
    id: CompletionId,
) -> Result<Option<CompletionRecord>> {
    let sql = format!(
        "SELECT {COMPLETION_COLS} FROM course_completions WHERE tenant_id = $1 AND id = $2"
    );
    let row: Option<CompletionRow> = on!(conn, c => sqlx::query_as(&sql).bind(tenant.0).bind(id.0).fetch_optional(&mut *c).await?);
    row.map(CompletionRow::into_record).transpose()
}

async fn person_exists(conn: &mut Conn<'_>, tenant: TenantId, id: PersonId) -> Result<bool> {
    let n: Option<(i64,)> = on!(conn, c => sqlx::query_as("SELECT 1 FROM people WHERE tenant_id = $1 AND id = $2")
        .bind(tenant.0).bind(id.0).fetch_optional(&mut *c).await?);
    Ok(n.is_some())
}

fn course_summary(c: &NewCourse) -> String {
    format!(
        "code={} title={} kind={} validity_months={:?} mandatory={} complete_within_days={:?} archived={}",
        c.code,
        c.title,
        c.kind.as_str(),
        c.validity_months,
        c.mandatory,
        c.complete_within_days,
        c.archived
    )
}

fn check_course(c: &NewCourse) -> Result<()> {
    let code = c.code.trim();
    if code.is_empty() || code.chars().count() > 64 {
        return Err(StoreError::Invalid("training.course_code"));
    }
    if c.title.trim().is_empty() || c.title.chars().count() > 200 {
        return Err(StoreError::Invalid("training.course_title"));
    }
    if c.validity_months.is_some_and(|m| m == 0 || m > 240) {
        return Err(StoreError::Invalid("training.course_validity"));
    }
    if c.complete_within_days.is_some_and(|d| d == 0 || d > 3650) || c.renew_days_before > 3650 {
        return Err(StoreError::Invalid("training.course_days"));
    }
    let all = [&c.code, &c.title, &c.description, &c.provider];
    if all.iter().any(|s| s.chars().any(|ch| ch == '\0')) {
        return Err(StoreError::Invalid("training.control_characters"));
    }
    Ok(())
}

impl Db {
    /// Every course of the tenant, by title.
    pub async fn courses(&self, tenant: TenantId) -> Result<Vec<CourseRecord>> {
        let sql =
            format!("SELECT {COURSE_COLS} FROM courses WHERE tenant_id = $1 ORDER BY title, id");
        let mut pc = self.acquire().await?;
        let rows: Vec<CourseRow> =
            on!(&mut pc.conn(), c => sqlx::query_as(&sql).bind(tenant.0).fetch_all(&mut *c).await?);
        rows.into_iter().map(CourseRow::into_record).collect()
    }

    pub async fn course(&self, tenant: TenantId, id: CourseId) -> Result<Option<CourseRecord>> {
        let mut pc = self.acquire().await?;
        get_course(&mut pc.conn(), tenant, id).await
    }

    pub async fn course_by_code(
        &self,
        tenant: TenantId,
        code: &str,
    ) -> Result<Option<CourseRecord>> {
        let sql = format!("SELECT {COURSE_COLS} FROM courses WHERE tenant_id = $1 AND code = $2");
        let mut pc = self.acquire().await?;
        let row: Option<CourseRow> = on!(&mut pc.conn(), c => sqlx::query_as(&sql).bind(tenant.0).bind(code.trim()).fetch_optional(&mut *c).await?);
        row.map(CourseRow::into_record).transpose()
    }

    pub async fn completion(
        &self,
        tenant: TenantId,
        id: CompletionId,
    ) -> Result<Option<CompletionRecord>> {
        let mut pc = self.acquire().await?;
        get_completion(&mut pc.conn(), tenant, id).await
    }

    /// One person's completions, newest first.
    pub async fn completions_of_person(
        &self,
        tenant: TenantId,
        person: PersonId,
    ) -> Result<Vec<CompletionRecord>> {
        let sql = format!(
            "SELECT {COMPLETION_COLS} FROM course_completions WHERE tenant_id = $1 AND person_id = $2 ORDER BY completed_at DESC, id"
        );
        let mut pc = self.acquire().await?;
        let rows: Vec<CompletionRow> = on!(&mut pc.conn(), c => sqlx::query_as(&sql).bind(tenant.0).bind(person.0).fetch_all(&mut *c).await?);
        rows.into_iter().map(CompletionRow::into_record).collect()
    }

    /// Every completion of one course.
    pub async fn completions_of_course(
        &self,
        tenant: TenantId,
        course: CourseId,
    ) -> Result<Vec<CompletionRecord>> {
        let sql = format!(
            "SELECT {COMPLETION_COLS} FROM course_completions WHERE tenant_id = $1 AND course_id = $2 ORDER BY completed_at DESC, id"
        );
        let mut pc = self.acquire().await?;
        let rows: Vec<CompletionRow> = on!(&mut pc.conn(), c => sqlx::query_as(&sql).bind(tenant.0).bind(course.0).fetch_all(&mut *c).await?);
        rows.into_iter().map(CompletionRow::into_record).collect()
    }

    /// Every completion of the tenant (for the reminder job and overviews).
    pub async fn all_completions(&self, tenant: TenantId) -> Result<Vec<CompletionRecord>> {
        let sql = format!(
            "SELECT {COMPLETION_COLS} FROM course_completions WHERE tenant_id = $1 ORDER BY person_id, completed_at"
        );
        let mut pc = self.acquire().await?;
        let rows: Vec<CompletionRow> =
            on!(&mut pc.conn(), c => sqlx::query_as(&sql).bind(tenant.0).fetch_all(&mut *c).await?);
        rows.into_iter().map(CompletionRow::into_record).collect()
    }

    /// Self-reported completions still waiting for a leader's countersignature, oldest first.
    pub async fn completions_awaiting_countersign(
        &self,
        tenant: TenantId,
    ) -> Result<Vec<CompletionRecord>> {
        let sql = format!(
            "SELECT {COMPLETION_COLS} FROM course_completions WHERE tenant_id = $1 AND source = 'self_reported' \
             AND countersigned_at IS NULL ORDER BY created_at, id"
        );
        let mut pc = self.acquire().await?;
        let rows: Vec<CompletionRow> =
            on!(&mut pc.conn(), c => sqlx::query_as(&sql).bind(tenant.0).fetch_all(&mut *c).await?);
        rows.into_iter().map(CompletionRow::into_record).collect()
    }

    /// An evidence file with its bytes.
    pub async fn evidence(
        &self,
        tenant: TenantId,
        id: FileId,
    ) -> Result<Option<(EvidenceMeta, Vec<u8>)>> {
        let mut pc = self.acquire().await?;
        let meta: Option<EvidenceRow> = on!(&mut pc.conn(), c => sqlx::query_as(
            "SELECT id, person_id, file_name, content_type, size_bytes, sha256, uploaded_at FROM training_evidence \
             WHERE tenant_id = $1 AND id = $2")
            .bind(tenant.0).bind(id.0).fetch_optional(&mut *c).await?);
        let Some(meta) = meta else { return Ok(None) };
        let (content,): (Vec<u8>,) = on!(&mut pc.conn(), c => sqlx::query_as(
            "SELECT content FROM training_evidence WHERE tenant_id = $1 AND id = $2")
            .bind(tenant.0).bind(id.0).fetch_one(&mut *c).await?);
        Ok(Some((meta.into(), content)))
    }

    /// People who are not terminated (the ones courses and reminders apply to), by name.
    pub async fn current_people(&self, tenant: TenantId) -> Result<Vec<Person>> {
        let sql = format!(
            "SELECT {PERSON_COLS} FROM people WHERE tenant_id = $1 AND state <> $2 ORDER BY sort_key, id"
        );
        let mut pc = self.acquire().await?;
        let rows: Vec<PersonRow> = on!(&mut pc.conn(), c => sqlx::query_as(&sql)
            .bind(tenant.0).bind(EmploymentState::Terminated.as_str()).fetch_all(&mut *c).await?);
        rows.into_iter().map(PersonRow::into_person).collect()
    }

    /// Every prerequisite of the tenant: (holder, required item).
    pub async fn prerequisites(
        &self,
        tenant: TenantId,
    ) -> Result<Vec<(PrerequisiteHolder, RequiredItem)>> {
        let mut pc = self.acquire().await?;
        let rows: Vec<(String, String, String, Uuid)> = on!(&mut pc.conn(), c => sqlx::query_as(
            "SELECT holder_kind, holder_id, item_kind, item_id FROM prerequisites WHERE tenant_id = $1 \
             ORDER BY holder_kind, holder_id, item_kind, created_at, item_id")
            .bind(tenant.0).fetch_all(&mut *c).await?);
        rows.into_iter()
            .map(|(hk, hid, ik, iid)| {
                let holder = PrerequisiteHolder::from_parts(&hk, &hid)?;
                let item = match ik.as_str() {
                    "instruction" => RequiredItem::Instruction(InstructionId(iid)),
                    "course" => RequiredItem::Course(CourseId(iid)),
                    "declaration" => {
                        RequiredItem::Declaration(vakt_core::training::DeclarationId(iid))
                    }
                    other => return Err(corrupt("prerequisite item", other)),
                };
                Ok((holder, item))
            })
            .collect()
    }

    /// The reminder log of the tenant.
    pub async fn reminder_log(&self, tenant: TenantId) -> Result<Vec<ReminderLogEntry>> {
        let mut pc = self.acquire().await?;
        #[allow(clippy::type_complexity)]
        let rows: Vec<(Uuid, String, Uuid, Ts, String, i32, Option<Uuid>, Ts)> = on!(&mut pc.conn(), c => sqlx::query_as(
            "SELECT person_id, subject_kind, subject_id, due_at, kind, ordinal, recipient_id, sent_at FROM reminder_log \
             WHERE tenant_id = $1 ORDER BY sent_at, id")
            .bind(tenant.0).fetch_all(&mut *c).await?);
        rows.into_iter()
            .map(|(p, sk, sid, due, kind, ord, rcpt, sent)| {
                let subject = match sk.as_str() {
                    "instruction" => ReminderSubject::Instruction(InstructionId(sid)),
                    "course" => ReminderSubject::Course(CourseId(sid)),
                    other => return Err(corrupt("reminder subject", other)),
                };
                let kind = match kind.as_str() {
                    "reminder" => ReminderKind::Reminder,
                    "escalation" => ReminderKind::Escalation,
                    other => return Err(corrupt("reminder kind", other)),
                };
                Ok(ReminderLogEntry {
                    person: PersonId(p),
                    subject,
                    due_at: due.0,
                    kind,
                    ordinal: u32::try_from(ord).unwrap_or(0),
                    recipient: rcpt.map(PersonId),
                    sent_at: sent.0,
                })
            })
            .collect()
    }
}

impl WriteTx {
    /// Creates a course (`training.course.create`). The code is unique in the tenant.
    pub async fn create_course(&mut self, new: NewCourse) -> Result<CourseRecord> {
        check_course(&new)?;
        let tenant = self.tenant();
        let now = self.now();
        let id = Uuid::now_v7();
        on!(&mut self.conn(), c => sqlx::query(&format!(
            "INSERT INTO courses ({COURSE_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15)"))
            .bind(id).bind(tenant.0).bind(new.code.trim()).bind(new.title.trim()).bind(new.description.trim())
            .bind(new.kind.as_str()).bind(new.provider.trim()).bind(new.url.as_deref().map(str::trim).filter(|u| !u.is_empty()))
            .bind(new.validity_months.map(to_i32)).bind(to_i32(new.renew_days_before)).bind(new.mandatory)
            .bind(new.complete_within_days.map(to_i32)).bind(ts(now)).bind(new.archived).bind(ts(now))
            .execute(&mut *c).await.map(|_| ()).map_err(StoreError::from).map_err(conflict_as("training.course_code_taken"))?);
        self.audit(
            EventDraft::new(AuditClass::Admin, "training.course.create", "course", id)
                .after(course_summary(&new)),
        )
        .await?;
        get_course(&mut self.conn(), tenant, CourseId(id))
            .await?
            .ok_or(StoreError::NotFound)
    }

    /// Changes a course (`training.course.update`). Making it mandatory starts its deadline now.
    pub async fn update_course(&mut self, id: CourseId, new: NewCourse) -> Result<CourseRecord> {
        check_course(&new)?;
        let tenant = self.tenant();
        let now = self.now();
        let old = get_course(&mut self.conn(), tenant, id)
            .await?
            .ok_or(StoreError::NotFound)?;
        let required_since = if new.mandatory && !old.mandatory {
            now
        } else {
            old.required_since
        };
        on!(&mut self.conn(), c => sqlx::query(
            "UPDATE courses SET code = $3, title = $4, description = $5, kind = $6, provider = $7, url = $8, \
             validity_months = $9, renew_days_before = $10, mandatory = $11, complete_within_days = $12, \
             required_since = $13, archived = $14, updated_at = $15 WHERE tenant_id = $1 AND id = $2")
            .bind(tenant.0).bind(id.0).bind(new.code.trim()).bind(new.title.trim()).bind(new.description.trim())
            .bind(new.kind.as_str()).bind(new.provider.trim()).bind(new.url.as_deref().map(str::trim).filter(|u| !u.is_empty()))
            .bind(new.validity_months.map(to_i32)).bind(to_i32(new.renew_days_before)).bind(new.mandatory)
            .bind(new.complete_within_days.map(to_i32)).bind(ts(required_since)).bind(new.archived).bind(ts(now))
            .execute(&mut *c).await.map(|_| ()).map_err(StoreError::from).map_err(conflict_as("training.course_code_taken"))?);
        let before = course_summary(&NewCourse {
            code: old.code.clone(),
            title: old.title.clone(),
            description: String::new(),
            kind: old.kind,
            provider: String::new(),
            url: None,
            validity_months: old.validity_months,
            renew_days_before: old.renew_days_before,
            mandatory: old.mandatory,
            complete_within_days: old.complete_within_days,
            archived: old.archived,
        });
        self.audit(
            EventDraft::new(AuditClass::Admin, "training.course.update", "course", id.0)
                .before(before)
                .after(course_summary(&new)),
        )
        .await?;
        get_course(&mut self.conn(), tenant, id)
            .await?
            .ok_or(StoreError::NotFound)
    }

    async fn insert_completion(
        &mut self,
        course: CourseId,
        person: PersonId,
        completed_at: OffsetDateTime,
        source: &CompletionSource,
        note: &str,
    ) -> Result<Option<CompletionId>> {
        let tenant = self.tenant();
        let now = self.now();
        if get_course(&mut self.conn(), tenant, course)
            .await?
            .is_none()
        {
            return Err(StoreError::Invalid("training.course_unknown"));
        }
        if !person_exists(&mut self.conn(), tenant, person).await? {
            return Err(StoreError::Invalid("training.person_unknown"));
        }
        if completed_at > now {
            return Err(StoreError::Invalid("training.completed_in_future"));
        }
        let id = Uuid::now_v7();
        let (kind, evidence, recorded_by, platform, external_ref) = match source {
            CompletionSource::SelfReported { evidence, .. } => {
                ("self_reported", Some(evidence.0), None, None, None)
            }
            CompletionSource::LeaderRecorded { by } => {
                ("leader_recorded", None, Some(by.0), None, None)
            }
            CompletionSource::Imported {
                platform,
                external_ref,
            } => (
                "imported",
                None,
                None,
                Some(platform.as_str()),
                Some(external_ref.as_str()),
            ),
        };
        let n = on!(&mut self.conn(), c => sqlx::query(
            "INSERT INTO course_completions (id, tenant_id, course_id, person_id, completed_at, source, evidence_id, \
             recorded_by, platform, external_ref, note, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
             ON CONFLICT DO NOTHING")
            .bind(id).bind(tenant.0).bind(course.0).bind(person.0).bind(ts(vakt_core::directory::truncate_micros(completed_at)))
            .bind(kind).bind(evidence).bind(recorded_by).bind(platform).bind(external_ref).bind(note).bind(ts(now))
            .execute(&mut *c).await.map(|r| r.rows_affected())?);
        Ok((n == 1).then_some(CompletionId(id)))
    }

    /// A person reports a completion with an evidence file (`training.completion.report`); it counts once
    /// a leader countersigns it.
    pub async fn report_completion(
        &mut self,
        person: PersonId,
        course: CourseId,
        completed_at: OffsetDateTime,
        evidence: EvidenceUpload,
    ) -> Result<CompletionRecord> {
        use sha2::{Digest, Sha256};
        let tenant = self.tenant();
        let now = self.now();
        if !person_exists(&mut self.conn(), tenant, person).await? {
            return Err(StoreError::Invalid("training.person_unknown"));
        }
        let file_id = Uuid::now_v7();
        let sha = hex::encode(Sha256::digest(&evidence.bytes));
        let size = i64::try_from(evidence.bytes.len()).unwrap_or(i64::MAX);
        on!(&mut self.conn(), c => sqlx::query(
            "INSERT INTO training_evidence (id, tenant_id, person_id, file_name, content_type, size_bytes, sha256, content, uploaded_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
            .bind(file_id).bind(tenant.0).bind(person.0).bind(&evidence.file_name).bind(&evidence.content_type)
            .bind(size).bind(&sha).bind(&evidence.bytes).bind(ts(now))
            .execute(&mut *c).await.map(|_| ())?);
        let source = CompletionSource::SelfReported {
            evidence: FileId(file_id),
            countersigned: None,
        };
        let id = self
            .insert_completion(course, person, completed_at, &source, "")
            .await?
            .ok_or(StoreError::Conflict("training.completion_exists"))?;
        self.audit(
            EventDraft::new(
                AuditClass::Admin,
                "training.completion.report",
                "completion",
                id.0,
            )
            .person(person)
            .after(format!(
                "course={} completed_at={} evidence={} sha256={sha}",
                course.0, completed_at, evidence.file_name
            )),
        )
        .await?;
        get_completion(&mut self.conn(), tenant, id)
            .await?
            .ok_or(StoreError::NotFound)
    }

    /// A leader records a completion directly (`training.completion.record`).
    pub async fn record_completion(
        &mut self,
        person: PersonId,
        course: CourseId,
        completed_at: OffsetDateTime,
        by: PersonId,
        note: &str,
    ) -> Result<CompletionRecord> {
        let tenant = self.tenant();
        let source = CompletionSource::LeaderRecorded { by };
        let note: String = note
            .trim()
            .chars()
            .filter(|c| *c != '\0')
            .take(500)
            .collect();
        let id = self
            .insert_completion(course, person, completed_at, &source, &note)
            .await?
            .ok_or(StoreError::Conflict("training.completion_exists"))?;
        self.audit(
            EventDraft::new(
                AuditClass::Admin,
                "training.completion.record",
                "completion",
                id.0,
            )
            .person(person)
            .after(format!(
                "course={} completed_at={completed_at} by={}",
                course.0, by.0
            )),
        )
        .await?;
        get_completion(&mut self.conn(), tenant, id)
            .await?
            .ok_or(StoreError::NotFound)
    }

    /// A leader countersigns a self-reported completion (`training.completion.countersign`).
    pub async fn countersign_completion(
        &mut self,
        id: CompletionId,
        by: PersonId,
    ) -> Result<CompletionRecord> {
        let tenant = self.tenant();
        let now = self.now();
        let rec = get_completion(&mut self.conn(), tenant, id)
            .await?
            .ok_or(StoreError::NotFound)?;
        let signed = rec.completion.countersigned(by, now).map_err(|e| match e {
            CountersignError::NotSelfReported => {
                StoreError::Invalid("training.countersign_not_self_reported")
            }
            CountersignError::AlreadyCountersigned => {
                StoreError::Conflict("training.countersign_done")
            }
            CountersignError::OwnCompletion => StoreError::Invalid("training.countersign_own"),
        })?;
        let n = on!(&mut self.conn(), c => sqlx::query(
            "UPDATE course_completions SET countersigned_by = $3, countersigned_at = $4 \
             WHERE tenant_id = $1 AND id = $2 AND countersigned_at IS NULL")
            .bind(tenant.0).bind(id.0).bind(by.0).bind(ts(now)).execute(&mut *c).await.map(|r| r.rows_affected())?);
        if n != 1 {
            return Err(StoreError::Conflict("training.countersign_done"));
        }
        self.audit(
            EventDraft::new(
                AuditClass::Admin,
                "training.completion.countersign",
                "completion",
                id.0,
            )
            .person(signed.person)
            .after(format!("by={}", by.0)),
        )
        .await?;
        get_completion(&mut self.conn(), tenant, id)
            .await?
            .ok_or(StoreError::NotFound)
    }

    /// Imports validated rows of a learning platform's completion file. Rows imported before (same
    /// platform and reference) are skipped, so importing a file twice changes nothing. One
    /// `training.completion.import` event per new completion, and a `training.import` summary.
    pub async fn import_completions(
        &mut self,
        platform: &str,
        rows: &[ImportedCompletion],
        rejected: usize,
    ) -> Result<CompletionImportOutcome> {
        let platform = platform.trim();
        if platform.is_empty() || platform.chars().count() > 100 || platform.contains('\0') {
            return Err(StoreError::Invalid("training.platform"));
        }
        let mut out = CompletionImportOutcome::default();
        let mut events = Vec::new();
        for row in rows {
            let source = CompletionSource::Imported {
                platform: platform.to_owned(),
                external_ref: row.external_ref.clone(),
            };
            match self
                .insert_completion(row.course, row.person, row.completed_at, &source, "")
                .await?
            {
                Some(id) => {
                    out.created += 1;
                    events.push(
                        EventDraft::new(
                            AuditClass::Admin,
                            "training.completion.import",
                            "completion",
                            id.0,
                        )
                        .person(row.person)
                        .after(format!(
                            "course={} completed_at={} platform={platform} ref={}",
                            row.course.0, row.completed_at, row.external_ref
                        )),
                    );
                }
                None => out.already_imported += 1,
            }
        }
        events.push(
            EventDraft::new(AuditClass::Admin, "training.import", "platform", platform).after(
                format!(
                    "created={} already_imported={} rejected={rejected}",
                    out.created, out.already_imported
                ),
            ),
        );
        self.audit_many(events).await?;
        Ok(out)
    }

    /// Replaces what `holder` requires (`training.prerequisites.set`).
    pub async fn set_prerequisites(
        &mut self,
        holder: &PrerequisiteHolder,
        items: &[RequiredItem],
    ) -> Result<()> {
        let tenant = self.tenant();
        let now = self.now();
        let (hk, hid) = holder.parts();
        on!(&mut self.conn(), c => sqlx::query(
            "DELETE FROM prerequisites WHERE tenant_id = $1 AND holder_kind = $2 AND holder_id = $3")
            .bind(tenant.0).bind(hk).bind(&hid).execute(&mut *c).await.map(|_| ())?);
        for item in items {
            let (ik, iid) = item_parts(item);
            on!(&mut self.conn(), c => sqlx::query(
                "INSERT INTO prerequisites (tenant_id, holder_kind, holder_id, item_kind, item_id, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING")
                .bind(tenant.0).bind(hk).bind(&hid).bind(ik).bind(iid).bind(ts(now)).execute(&mut *c).await.map(|_| ())?);
        }
        let list: Vec<String> = items
            .iter()
            .map(|i| {
                let (k, id) = item_parts(i);
                format!("{k}:{id}")
            })
            .collect();
        self.audit(
            EventDraft::new(AuditClass::Admin, "training.prerequisites.set", hk, hid)
                .after(list.join(",")),
        )
        .await
    }

    /// Logs a reminder or escalation about to be sent. `false` when exactly this one was logged before
    /// (then it must not be sent again). Not audited by itself: the caller records one event per message.
    pub async fn log_reminder(&mut self, entry: &ReminderLogEntry) -> Result<bool> {
        let tenant = self.tenant();
        let (sk, sid) = subject_parts(&entry.subject);
        let n = on!(&mut self.conn(), c => sqlx::query(
            "INSERT INTO reminder_log (id, tenant_id, person_id, subject_kind, subject_id, due_at, kind, ordinal, recipient_id, sent_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT DO NOTHING")
            .bind(Uuid::now_v7()).bind(tenant.0).bind(entry.person.0).bind(sk).bind(sid)
            .bind(ts(vakt_core::directory::truncate_micros(entry.due_at))).bind(entry.kind.as_str())
            .bind(to_i32(entry.ordinal)).bind(entry.recipient.map(|p| p.0)).bind(ts(entry.sent_at))
            .execute(&mut *c).await.map(|r| r.rows_affected())?);
        Ok(n == 1)
    }

    /// Appends an audit event about training (e.g. `training.reminder.sent`) in this transaction.
    pub async fn record_training_event(&mut self, draft: EventDraft) -> Result<()> {
        self.audit(draft).await
    }
}
