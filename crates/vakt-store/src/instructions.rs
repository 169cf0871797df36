//! Instructions: the document (title, owner, category, audience, signing rule), its versions
//! through the workflow of `vakt_core::instructions::version`, the hearing round's reviewers and
//! comments, and attachments.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use uuid::Uuid;
use vakt_core::audit::{AuditClass, EventDraft};
use vakt_core::directory::{PersonId, TenantId};
use vakt_core::instructions::{
    Audience, ChangeKind, InstructionId, PublishedVersion, StepActor, TextHash, VersionFacts,
    VersionId, VersionNumber, VersionState, VersionStep, check_attachment, check_step, may_comment,
};

use crate::db::{Conn, Db, WriteTx, on};
use crate::error::{Result, StoreError, corrupt};
use crate::types::{Ts, ots, ts};

/// The categories offered (free text is refused so that reports group cleanly).
pub const CATEGORIES: [&str; 7] = [
    "ict_use",
    "information_security",
    "privacy",
    "home_office",
    "leader",
    "it_operations",
    "other",
];

/// An instruction (all versions share it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Instruction {
    pub id: InstructionId,
    pub tenant: TenantId,
    pub title: String,
    pub owner: PersonId,
    pub category: String,
    /// Signing needs re-authentication (password or TOTP).
    pub requires_signature: bool,
    pub audience: Audience,
    /// Sign within this many days of publication (or of joining the audience).
    pub sign_within_days: u32,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

/// The editable fields of an instruction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstructionFields {
    pub title: String,
    pub owner: PersonId,
    pub category: String,
    pub requires_signature: bool,
    pub audience: Audience,
    pub sign_within_days: u32,
}

/// One version of an instruction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstructionVersion {
    pub id: VersionId,
    pub instruction: InstructionId,
    pub number: VersionNumber,
    pub change_kind: ChangeKind,
    pub state: VersionState,
    pub title: String,
    /// The Markdown source: the exact text shown and hashed.
    pub body: String,
    pub body_sha256: TextHash,
    pub change_comment: String,
    pub author: PersonId,
    pub approver: Option<PersonId>,
    pub reviewers: Vec<PersonId>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub approved_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub effective_from: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub published_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub retired_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

impl InstructionVersion {
    /// The version as the acknowledgment rules see it, if it has been published.
    pub fn published(&self) -> Option<PublishedVersion> {
        if !matches!(self.state, VersionState::Published | VersionState::Retired) {
            return None;
        }
        Some(PublishedVersion {
            id: self.id,
            number: self.number,
            effective_from: self.effective_from?,
            retired_at: self.retired_at,
        })
    }

    pub fn facts(&self) -> VersionFacts<'_> {
        VersionFacts {
            state: self.state,
            author: self.author,
            approver: self.approver,
            reviewers: &self.reviewers,
            change_comment: &self.change_comment,
        }
    }
}

/// A draft's editable text and the hearing round's people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DraftEdit {
    pub title: String,
    pub body: String,
    pub change_comment: String,
    pub approver: Option<PersonId>,
    pub reviewers: Vec<PersonId>,
}

/// A comment in the hearing round.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewComment {
    pub id: Uuid,
    pub version: VersionId,
    pub author: PersonId,
    pub author_name: String,
    pub body: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

/// An attachment's metadata (the bytes are read with [`Db::attachment_data`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    pub id: Uuid,
    pub instruction: InstructionId,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// When it was taken off the instruction ([`WriteTx::remove_attachment`]); `None` while attached.
    /// A removed attachment keeps its bytes: it is evidence of what people were shown.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub removed_at: Option<OffsetDateTime>,
    /// Who removed it (the actor's label: username or `system:<component>`).
    #[serde(default)]
    pub removed_by: Option<String>,
}

#[derive(sqlx::FromRow)]
struct AttachmentRow {
    id: Uuid,
    instruction_id: Uuid,
    file_name: String,
    content_type: String,
    size: i64,
    sha256: String,
    created_at: Ts,
    removed_at: Option<Ts>,
    removed_by: Option<String>,
}

impl From<AttachmentRow> for Attachment {
    fn from(r: AttachmentRow) -> Self {
        Attachment {
            id: r.id,
            instruction: InstructionId(r.instruction_id),
            file_name: r.file_name,
            content_type: r.content_type,
            size: r.size,
            sha256: r.sha256,
            created_at: r.created_at.0,
            removed_at: r.removed_at.map(|t| t.0),
            removed_by: r.removed_by,
        }
    }
}

const ATTACHMENT_COLS: &str = "id, instruction_id, file_name, content_type, size, sha256, created_at, \
     removed_at, removed_by";

async fn get_attachment(
    conn: &mut Conn<'_>,
    tenant: TenantId,
    instruction: InstructionId,
    id: Uuid,
) -> Result<Option<Attachment>> {
    let sql = format!(
        "SELECT {ATTACHMENT_COLS} FROM instruction_attachments \
         WHERE tenant_id = $1 AND instruction_id = $2 AND id = $3"
    );
    let row: Option<AttachmentRow> = on!(conn, c => sqlx::query_as(&sql)
        .bind(tenant.0).bind(instruction.0).bind(id).fetch_optional(&mut *c).await?);
    Ok(row.map(Attachment::from))
}

/// The most body text accepted (characters).
pub const MAX_BODY_CHARS: usize = 200_000;

fn check_fields(f: &InstructionFields) -> Result<()> {
    let t = f.title.trim();
    if t.is_empty() || t.chars().count() > 200 || t.chars().any(char::is_control) {
        return Err(StoreError::Invalid("instruction.title_invalid"));
    }
    if !CATEGORIES.contains(&f.category.as_str()) {
        return Err(StoreError::Invalid("instruction.category_invalid"));
    }
    if f.sign_within_days == 0 || f.sign_within_days > 365 {
        return Err(StoreError::Invalid("instruction.sign_within_invalid"));
    }
    Ok(())
}

fn check_text(body: &str, comment: &str, title: &str) -> Result<()> {
    let bad = |c: char| c.is_control() && c != '\n' && c != '\r' && c != '\t';
    if body.chars().count() > MAX_BODY_CHARS || body.chars().any(bad) {
        return Err(StoreError::Invalid("instruction.body_invalid"));
    }
    if comment.chars().count() > 2000 || comment.chars().any(bad) {
        return Err(StoreError::Invalid("instruction.comment_invalid"));
    }
    let t = title.trim();
    if t.is_empty() || t.chars().count() > 200 || t.chars().any(char::is_control) {
        return Err(StoreError::Invalid("instruction.title_invalid"));
    }
    Ok(())
}

#[derive(sqlx::FromRow)]
struct InstructionRow {
    id: Uuid,
    tenant_id: Uuid,
    title: String,
    owner_id: Uuid,
    category: String,
    requires_signature: bool,
    audience: String,
    sign_within_days: i64,
    created_at: Ts,
    updated_at: Ts,
}

impl InstructionRow {
    fn into_instruction(self) -> Result<Instruction> {
        Ok(Instruction {
            id: InstructionId(self.id),
            tenant: TenantId(self.tenant_id),
            title: self.title,
            owner: PersonId(self.owner_id),
            category: self.category,
            requires_signature: self.requires_signature,
            audience: serde_json::from_str(&self.audience)
                .map_err(|_| corrupt("audience", &self.audience))?,
            sign_within_days: u32::try_from(self.sign_within_days)
                .map_err(|_| corrupt("sign_within_days", &self.sign_within_days.to_string()))?,
            created_at: self.created_at.0,
            updated_at: self.updated_at.0,
        })
    }
}

const INSTRUCTION_COLS: &str = "id, tenant_id, title, owner_id, category, requires_signature, audience, \
     sign_within_days, created_at, updated_at";

#[derive(sqlx::FromRow)]
struct VersionRow {
    id: Uuid,
    instruction_id: Uuid,
    major: i64,
    minor: i64,
    change_kind: String,
    state: String,
    title: String,
    body: String,
    body_sha256: String,
    change_comment: String,
    author_id: Uuid,
    approver_id: Option<Uuid>,
    approved_at: Option<Ts>,
    effective_from: Option<Ts>,
    published_at: Option<Ts>,
    retired_at: Option<Ts>,
    created_at: Ts,
    updated_at: Ts,
}

impl VersionRow {
    fn into_version(self, reviewers: Vec<PersonId>) -> Result<InstructionVersion> {
        let num = |n: i64| u32::try_from(n).map_err(|_| corrupt("version number", &n.to_string()));
        Ok(InstructionVersion {
            id: VersionId(self.id),
            instruction: InstructionId(self.instruction_id),
            number: VersionNumber {
                major: num(self.major)?,
                minor: num(self.minor)?,
            },
            change_kind: ChangeKind::parse(&self.change_kind)
                .ok_or_else(|| corrupt("change kind", &self.change_kind))?,
            state: VersionState::parse(&self.state)
                .ok_or_else(|| corrupt("version state", &self.state))?,
            title: self.title,
            body_sha256: TextHash::try_from(self.body_sha256.clone())
                .map_err(|_| corrupt("body hash", &self.body_sha256))?,
            body: self.body,
            change_comment: self.change_comment,
            author: PersonId(self.author_id),
            approver: self.approver_id.map(PersonId),
            reviewers,
            approved_at: self.approved_at.map(|t| t.0),
            effective_from: self.effective_from.map(|t| t.0),
            published_at: self.published_at.map(|t| t.0),
            retired_at: self.retired_at.map(|t| t.0),
            created_at: self.created_at.0,
            updated_at: self.updated_at.0,
        })
    }
}

const VERSION_COLS: &str = "id, instruction_id, major, minor, change_kind, state, title, body, body_sha256, \
     change_comment, author_id, approver_id, approved_at, effective_from, published_at, retired_at, created_at, updated_at";

pub(crate) async fn get_instruction(
    conn: &mut Conn<'_>,
    tenant: TenantId,
    id: InstructionId,
) -> Result<Option<Instruction>> {
    let sql =
        format!("SELECT {INSTRUCTION_COLS} FROM instructions WHERE tenant_id = $1 AND id = $2");
    let row: Option<InstructionRow> = on!(conn, c => sqlx::query_as(&sql).bind(tenant.0).bind(id.0).fetch_optional(&mut *c).await?);
    row.map(InstructionRow::into_instruction).transpose()
}

pub(crate) async fn all_instructions(
    conn: &mut Conn<'_>,
    tenant: TenantId,
) -> Result<Vec<Instruction>> {
    let sql = format!(
        "SELECT {INSTRUCTION_COLS} FROM instructions WHERE tenant_id = $1 ORDER BY title, id"
    );
    let rows: Vec<InstructionRow> =
        on!(conn, c => sqlx::query_as(&sql).bind(tenant.0).fetch_all(&mut *c).await?);
    rows.into_iter()
        .map(InstructionRow::into_instruction)
        .collect()
}

async fn reviewers_of(
    conn: &mut Conn<'_>,
    tenant: TenantId,
    version: VersionId,
) -> Result<Vec<PersonId>> {
    let rows: Vec<(Uuid,)> = on!(conn, c => sqlx::query_as(
        "SELECT person_id FROM version_reviewers WHERE tenant_id = $1 AND version_id = $2 ORDER BY person_id",
    )
    .bind(tenant.0)
    .bind(version.0)
    .fetch_all(&mut *c)
    .await?);
    Ok(rows.into_iter().map(|(p,)| PersonId(p)).collect())
}

pub(crate) async fn get_version(
    conn: &mut Conn<'_>,
    tenant: TenantId,
    id: VersionId,
) -> Result<Option<InstructionVersion>> {
    let sql =
        format!("SELECT {VERSION_COLS} FROM instruction_versions WHERE tenant_id = $1 AND id = $2");
    let row: Option<VersionRow> = on!(conn, c => sqlx::query_as(&sql).bind(tenant.0).bind(id.0).fetch_optional(&mut *c).await?);
    match row {
        None => Ok(None),
        Some(r) => {
            let reviewers = reviewers_of(conn, tenant, id).await?;
            r.into_version(reviewers).map(Some)
        }
    }
}

pub(crate) async fn versions_of(
    conn: &mut Conn<'_>,
    tenant: TenantId,
    instruction: InstructionId,
) -> Result<Vec<InstructionVersion>> {
    let sql = format!(
        "SELECT {VERSION_COLS} FROM instruction_versions WHERE tenant_id = $1 AND instruction_id = $2 \
         ORDER BY major, minor"
    );
    let rows: Vec<VersionRow> = on!(conn, c => sqlx::query_as(&sql).bind(tenant.0).bind(instruction.0).fetch_all(&mut *c).await?);
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let reviewers = reviewers_of(conn, tenant, VersionId(r.id)).await?;
        out.push(r.into_version(reviewers)?);
    }
    Ok(out)
}

/// The published (and retired) versions of every instruction of the tenant, without bodies.
pub(crate) async fn published_versions(
    conn: &mut Conn<'_>,
    tenant: TenantId,
) -> Result<Vec<(InstructionId, PublishedVersion)>> {
    type Row = (Uuid, Uuid, i64, i64, Option<Ts>, Option<Ts>);
    let rows: Vec<Row> = on!(conn, c => sqlx::query_as(
        "SELECT instruction_id, id, major, minor, effective_from, retired_at FROM instruction_versions \
         WHERE tenant_id = $1 AND state IN ('published', 'retired') AND effective_from IS NOT NULL",
    )
    .bind(tenant.0)
    .fetch_all(&mut *c)
    .await?);
    let mut out = Vec::with_capacity(rows.len());
    for (i, v, major, minor, from, retired) in rows {
        let num = |n: i64| u32::try_from(n).map_err(|_| corrupt("version number", &n.to_string()));
        let Some(from) = from else { continue };
        out.push((
            InstructionId(i),
            PublishedVersion {
                id: VersionId(v),
                number: VersionNumber {
                    major: num(major)?,
                    minor: num(minor)?,
                },
                effective_from: from.0,
                retired_at: retired.map(|t| t.0),
            },
        ));
    }
    Ok(out)
}

async fn person_name(conn: &mut Conn<'_>, tenant: TenantId, p: PersonId) -> Result<Option<String>> {
    let row: Option<(String, String)> = on!(conn, c => sqlx::query_as(
        "SELECT given_name, family_name FROM people WHERE tenant_id = $1 AND id = $2",
    )
    .bind(tenant.0)
    .bind(p.0)
    .fetch_optional(&mut *c)
    .await?);
    Ok(row.map(|(g, f)| format!("{g} {f}")))
}

impl Db {
    /// All instructions of the tenant, by title.
    pub async fn instructions(&self, tenant: TenantId) -> Result<Vec<Instruction>> {
        let mut pc = self.acquire().await?;
        all_instructions(&mut pc.conn(), tenant).await
    }

    pub async fn instruction(
        &self,
        tenant: TenantId,
        id: InstructionId,
    ) -> Result<Option<Instruction>> {
        let mut pc = self.acquire().await?;
        get_instruction(&mut pc.conn(), tenant, id).await
    }

    /// All versions of an instruction, oldest first (the revision table).
    pub async fn instruction_versions(
        &self,
        tenant: TenantId,
        instruction: InstructionId,
    ) -> Result<Vec<InstructionVersion>> {
        let mut pc = self.acquire().await?;
        versions_of(&mut pc.conn(), tenant, instruction).await
    }

    pub async fn instruction_version(
        &self,
        tenant: TenantId,
        id: VersionId,
    ) -> Result<Option<InstructionVersion>> {
        let mut pc = self.acquire().await?;
        get_version(&mut pc.conn(), tenant, id).await
    }

    /// The published versions of every instruction (for acknowledgment states).
    pub async fn published_versions(
        &self,
        tenant: TenantId,
    ) -> Result<Vec<(InstructionId, PublishedVersion)>> {
        let mut pc = self.acquire().await?;
        published_versions(&mut pc.conn(), tenant).await
    }

    /// Versions in review where the person is a named reviewer or the approver.
    pub async fn reviews_for(
        &self,
        tenant: TenantId,
        person: PersonId,
    ) -> Result<Vec<InstructionVersion>> {
        let sql = format!(
            "SELECT {VERSION_COLS} FROM instruction_versions v WHERE v.tenant_id = $1 AND v.state = 'in_review' \
             AND (v.approver_id = $2 OR EXISTS (SELECT 1 FROM version_reviewers r WHERE r.tenant_id = v.tenant_id \
             AND r.version_id = v.id AND r.person_id = $2)) ORDER BY v.updated_at"
        );
        let mut pc = self.acquire().await?;
        let rows: Vec<VersionRow> = on!(&mut pc.conn(), c => sqlx::query_as(&sql).bind(tenant.0).bind(person.0).fetch_all(&mut *c).await?);
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let reviewers = reviewers_of(&mut pc.conn(), tenant, VersionId(r.id)).await?;
            out.push(r.into_version(reviewers)?);
        }
        Ok(out)
    }

    /// The hearing round's comments on a version, oldest first.
    pub async fn review_comments(
        &self,
        tenant: TenantId,
        version: VersionId,
    ) -> Result<Vec<ReviewComment>> {
        let mut pc = self.acquire().await?;
        let rows: Vec<(Uuid, Uuid, String, String, String, Ts)> = on!(&mut pc.conn(), c => sqlx::query_as(
            "SELECT c.id, c.author_id, p.given_name, p.family_name, c.body, c.created_at FROM version_comments c \
             JOIN people p ON p.tenant_id = c.tenant_id AND p.id = c.author_id \
             WHERE c.tenant_id = $1 AND c.version_id = $2 ORDER BY c.created_at, c.id",
        )
        .bind(tenant.0)
        .bind(version.0)
        .fetch_all(&mut *c)
        .await?);
        Ok(rows
            .into_iter()
            .map(|(id, a, g, f, body, at)| ReviewComment {
                id,
                version,
                author: PersonId(a),
                author_name: format!("{g} {f}"),
                body,
                created_at: at.0,
            })
            .collect())
    }

    /// The attachments of an instruction that are not removed, oldest first.
    pub async fn attachments(
        &self,
        tenant: TenantId,
        instruction: InstructionId,
    ) -> Result<Vec<Attachment>> {
        let sql = format!(
            "SELECT {ATTACHMENT_COLS} FROM instruction_attachments \
             WHERE tenant_id = $1 AND instruction_id = $2 AND removed_at IS NULL ORDER BY created_at, id"
        );
        let mut pc = self.acquire().await?;
        let rows: Vec<AttachmentRow> = on!(&mut pc.conn(), c => sqlx::query_as(&sql)
            .bind(tenant.0).bind(instruction.0).fetch_all(&mut *c).await?);
        Ok(rows.into_iter().map(Attachment::from).collect())
    }

    /// An attachment of `instruction` in the tenant with its bytes, removed ones included (see
    /// [`Attachment::removed_at`]: the caller decides who may still read a removed one).
    pub async fn attachment_data(
        &self,
        tenant: TenantId,
        instruction: InstructionId,
        id: Uuid,
    ) -> Result<Option<(Attachment, Vec<u8>)>> {
        let mut pc = self.acquire().await?;
        let Some(a) = get_attachment(&mut pc.conn(), tenant, instruction, id).await? else {
            return Ok(None);
        };
        let data: Option<Vec<u8>> = on!(&mut pc.conn(), c => sqlx::query_scalar(
            "SELECT data FROM instruction_attachments WHERE tenant_id = $1 AND instruction_id = $2 AND id = $3",
        )
        .bind(tenant.0)
        .bind(instruction.0)
        .bind(id)
        .fetch_optional(&mut *c)
        .await?);
        Ok(data.map(|d| (a, d)))
    }
}

impl WriteTx {
    async fn require_person(&mut self, p: PersonId, code: &'static str) -> Result<String> {
        let tenant = self.tenant();
        person_name(&mut self.conn(), tenant, p)
            .await?
            .ok_or(StoreError::Invalid(code))
    }

    /// Creates an instruction with its first version 1.0 as a draft written by `author`.
    pub async fn create_instruction(
        &mut self,
        fields: InstructionFields,
        author: PersonId,
        body: &str,
        change_comment: &str,
    ) -> Result<(Instruction, InstructionVersion)> {
        let tenant = self.tenant();
        check_fields(&fields)?;
        check_text(body, change_comment, &fields.title)?;
        self.require_person(fields.owner, "instruction.owner_unknown")
            .await?;
        self.require_person(author, "instruction.author_unknown")
            .await?;
        crate::groups::hold_audience_groups(&mut self.conn(), tenant, &fields.audience).await?;
        let now = self.now();
        let inst = Instruction {
            id: InstructionId::new(),
            tenant,
            title: fields.title.trim().to_string(),
            owner: fields.owner,
            category: fields.category,
            requires_signature: fields.requires_signature,
            audience: fields.audience,
            sign_within_days: fields.sign_within_days,
            created_at: now,
            updated_at: now,
        };
        let audience = serde_json::to_string(&inst.audience)
            .map_err(|_| StoreError::Invalid("instruction.audience_invalid"))?;
        on!(&mut self.conn(), c => sqlx::query(
            "INSERT INTO instructions (id, tenant_id, title, owner_id, category, requires_signature, audience, \
             sign_within_days, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)",
        )
        .bind(inst.id.0)
        .bind(tenant.0)
        .bind(&inst.title)
        .bind(inst.owner.0)
        .bind(&inst.category)
        .bind(inst.requires_signature)
        .bind(&audience)
        .bind(i64::from(inst.sign_within_days))
        .bind(ts(now))
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected())?);
        self.audit(
            EventDraft::new(
                AuditClass::Admin,
                "instruction.create",
                "instruction",
                inst.id,
            )
            .after(format!(
                "{} [{}] audience={audience} signature={}",
                inst.title, inst.category, inst.requires_signature
            )),
        )
        .await?;
        let v = self
            .insert_version(
                &inst,
                VersionNumber::FIRST,
                ChangeKind::Major,
                author,
                &inst.title.clone(),
                body,
                change_comment,
            )
            .await?;
        Ok((inst, v))
    }

    /// Changes the instruction's title, owner, category, signing rule or audience. The audience
    /// applies live, to the version in force as well.
    pub async fn update_instruction(
        &mut self,
        id: InstructionId,
        fields: InstructionFields,
    ) -> Result<Instruction> {
        let tenant = self.tenant();
        check_fields(&fields)?;
        let before = get_instruction(&mut self.conn(), tenant, id)
            .await?
            .ok_or(StoreError::NotFound)?;
        self.require_person(fields.owner, "instruction.owner_unknown")
            .await?;
        crate::groups::hold_audience_groups(&mut self.conn(), tenant, &fields.audience).await?;
        let audience = serde_json::to_string(&fields.audience)
            .map_err(|_| StoreError::Invalid("instruction.audience_invalid"))?;
        let before_audience = serde_json::to_string(&before.audience).unwrap_or_default();
        let now = self.now();
        on!(&mut self.conn(), c => sqlx::query(
            "UPDATE instructions SET title = $3, owner_id = $4, category = $5, requires_signature = $6, \
             audience = $7, sign_within_days = $8, updated_at = $9 WHERE tenant_id = $1 AND id = $2",
        )
        .bind(tenant.0)
        .bind(id.0)
        .bind(fields.title.trim())
        .bind(fields.owner.0)
        .bind(&fields.category)
        .bind(fields.requires_signature)
        .bind(&audience)
        .bind(i64::from(fields.sign_within_days))
        .bind(ts(now))
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected())?);
        self.audit(
            EventDraft::new(AuditClass::Admin, "instruction.update", "instruction", id)
                .before(format!(
                    "{} [{}] audience={before_audience} signature={} days={}",
                    before.title,
                    before.category,
                    before.requires_signature,
                    before.sign_within_days
                ))
                .after(format!(
                    "{} [{}] audience={audience} signature={} days={}",
                    fields.title.trim(),
                    fields.category,
                    fields.requires_signature,
                    fields.sign_within_days
                )),
        )
        .await?;
        Ok(Instruction {
            title: fields.title.trim().to_string(),
            owner: fields.owner,
            category: fields.category,
            requires_signature: fields.requires_signature,
            audience: fields.audience,
            sign_within_days: fields.sign_within_days,
            updated_at: now,
            ..before
        })
    }

    #[allow(clippy::too_many_arguments)]
    async fn insert_version(
        &mut self,
        inst: &Instruction,
        number: VersionNumber,
        kind: ChangeKind,
        author: PersonId,
        title: &str,
        body: &str,
        change_comment: &str,
    ) -> Result<InstructionVersion> {
        let tenant = self.tenant();
        let now = self.now();
        let v = InstructionVersion {
            id: VersionId::new(),
            instruction: inst.id,
            number,
            change_kind: kind,
            state: VersionState::Draft,
            title: title.trim().to_string(),
            body: body.to_string(),
            body_sha256: TextHash::of(body),
            change_comment: change_comment.trim().to_string(),
            author,
            approver: None,
            reviewers: Vec::new(),
            approved_at: None,
            effective_from: None,
            published_at: None,
            retired_at: None,
            created_at: now,
            updated_at: now,
        };
        on!(&mut self.conn(), c => sqlx::query(
            "INSERT INTO instruction_versions (id, tenant_id, instruction_id, major, minor, change_kind, state, title, \
             body, body_sha256, change_comment, author_id, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13)",
        )
        .bind(v.id.0)
        .bind(tenant.0)
        .bind(inst.id.0)
        .bind(i64::from(number.major))
        .bind(i64::from(number.minor))
        .bind(kind.as_str())
        .bind(v.state.as_str())
        .bind(&v.title)
        .bind(&v.body)
        .bind(v.body_sha256.to_hex())
        .bind(&v.change_comment)
        .bind(author.0)
        .bind(ts(now))
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected())?);
        self.audit(
            EventDraft::new(
                AuditClass::Admin,
                "instruction.version_create",
                "instruction_version",
                v.id,
            )
            .after(format!(
                "{} {} ({}) sha256={}",
                inst.title,
                number,
                kind.as_str(),
                v.body_sha256.to_hex()
            )),
        )
        .await?;
        Ok(v)
    }

    /// Starts a new version (a draft copying the latest version's text). Refused while another
    /// version is still open (draft, in review or approved).
    pub async fn new_version(
        &mut self,
        instruction: InstructionId,
        kind: ChangeKind,
        author: PersonId,
    ) -> Result<InstructionVersion> {
        let tenant = self.tenant();
        let inst = get_instruction(&mut self.conn(), tenant, instruction)
            .await?
            .ok_or(StoreError::NotFound)?;
        self.require_person(author, "instruction.author_unknown")
            .await?;
        let versions = versions_of(&mut self.conn(), tenant, instruction).await?;
        if versions.iter().any(|v| v.state.is_open()) {
            return Err(StoreError::Invalid("instruction.version_open"));
        }
        let latest = versions.last().ok_or(StoreError::NotFound)?;
        let (title, body) = (latest.title.clone(), latest.body.clone());
        let number = latest.number.next(kind);
        self.insert_version(&inst, number, kind, author, &title, &body, "")
            .await
    }

    /// Edits a draft's text, change comment, approver and reviewers.
    pub async fn edit_draft(
        &mut self,
        version: VersionId,
        edit: DraftEdit,
    ) -> Result<InstructionVersion> {
        let tenant = self.tenant();
        let before = get_version(&mut self.conn(), tenant, version)
            .await?
            .ok_or(StoreError::NotFound)?;
        if !before.state.is_editable() {
            return Err(StoreError::Invalid("instruction.not_a_draft"));
        }
        check_text(&edit.body, &edit.change_comment, &edit.title)?;
        if let Some(a) = edit.approver {
            self.require_person(a, "instruction.approver_unknown")
                .await?;
        }
        let mut reviewers = edit.reviewers.clone();
        reviewers.sort();
        reviewers.dedup();
        if reviewers.len() > 50 {
            return Err(StoreError::Invalid("instruction.too_many_reviewers"));
        }
        for r in &reviewers {
            self.require_person(*r, "instruction.reviewer_unknown")
                .await?;
        }
        let hash = TextHash::of(&edit.body);
        let now = self.now();
        on!(&mut self.conn(), c => sqlx::query(
            "UPDATE instruction_versions SET title = $3, body = $4, body_sha256 = $5, change_comment = $6, \
             approver_id = $7, updated_at = $8 WHERE tenant_id = $1 AND id = $2",
        )
        .bind(tenant.0)
        .bind(version.0)
        .bind(edit.title.trim())
        .bind(&edit.body)
        .bind(hash.to_hex())
        .bind(edit.change_comment.trim())
        .bind(edit.approver.map(|p| p.0))
        .bind(ts(now))
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected())?);
        on!(&mut self.conn(), c => sqlx::query("DELETE FROM version_reviewers WHERE tenant_id = $1 AND version_id = $2")
            .bind(tenant.0).bind(version.0).execute(&mut *c).await.map(|r| r.rows_affected())?);
        for r in &reviewers {
            on!(&mut self.conn(), c => sqlx::query(
                "INSERT INTO version_reviewers (tenant_id, version_id, person_id) VALUES ($1, $2, $3)",
            )
            .bind(tenant.0)
            .bind(version.0)
            .bind(r.0)
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected())?);
        }
        let after = InstructionVersion {
            title: edit.title.trim().to_string(),
            body: edit.body,
            body_sha256: hash,
            change_comment: edit.change_comment.trim().to_string(),
            approver: edit.approver,
            reviewers,
            updated_at: now,
            ..before.clone()
        };
        self.audit(
            EventDraft::new(
                AuditClass::Admin,
                "instruction.version_edit",
                "instruction_version",
                version,
            )
            .before(format!(
                "sha256={} approver={:?} reviewers={}",
                before.body_sha256.to_hex(),
                before.approver.map(|p| p.to_string()),
                before.reviewers.len()
            ))
            .after(format!(
                "sha256={} approver={:?} reviewers={} comment={}",
                after.body_sha256.to_hex(),
                after.approver.map(|p| p.to_string()),
                after.reviewers.len(),
                after.change_comment
            )),
        )
        .await?;
        Ok(after)
    }

    /// Takes a workflow step, checked by `vakt_core::instructions::check_step`.
    pub async fn version_step(
        &mut self,
        version: VersionId,
        step: VersionStep,
        actor: StepActor,
    ) -> Result<InstructionVersion> {
        let tenant = self.tenant();
        let before = get_version(&mut self.conn(), tenant, version)
            .await?
            .ok_or(StoreError::NotFound)?;
        let next = check_step(&before.facts(), step, actor)
            .map_err(|e| StoreError::Invalid(step_code(&e)))?;
        let now = self.now();
        let mut after = InstructionVersion {
            state: next,
            updated_at: now,
            ..before.clone()
        };
        match step {
            VersionStep::Approve => after.approved_at = Some(now),
            VersionStep::BackToDraft => after.approved_at = None,
            VersionStep::Publish { effective_from } => {
                after.effective_from = Some(vakt_core::directory::truncate_micros(effective_from));
                after.published_at = Some(now);
            }
            VersionStep::Retire => after.retired_at = Some(now),
            VersionStep::SendToReview => {}
        }
        on!(&mut self.conn(), c => sqlx::query(
            "UPDATE instruction_versions SET state = $3, approved_at = $4, effective_from = $5, published_at = $6, \
             retired_at = $7, updated_at = $8 WHERE tenant_id = $1 AND id = $2",
        )
        .bind(tenant.0)
        .bind(version.0)
        .bind(after.state.as_str())
        .bind(ots(after.approved_at))
        .bind(ots(after.effective_from))
        .bind(ots(after.published_at))
        .bind(ots(after.retired_at))
        .bind(ts(now))
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected())?);
        let action = match step {
            VersionStep::SendToReview => "instruction.send_to_review",
            VersionStep::BackToDraft => "instruction.back_to_draft",
            VersionStep::Approve => "instruction.approve",
            VersionStep::Publish { .. } => "instruction.publish",
            VersionStep::Retire => "instruction.retire",
        };
        let mut detail = format!("{} {}", after.number, after.state.as_str());
        if let VersionStep::Publish { effective_from } = step {
            detail.push_str(&format!(" effective_from={}", Ts(effective_from).format()));
        }
        if step == VersionStep::Approve {
            detail.push_str(&format!(" approver={}", actor.person));
        }
        self.audit(
            EventDraft::new(AuditClass::Admin, action, "instruction_version", version)
                .before(before.state.as_str())
                .after(detail),
        )
        .await?;
        Ok(after)
    }

    /// Adds a comment in the hearing round (named reviewers, the approver, or editors; only while
    /// the version is in review).
    pub async fn add_review_comment(
        &mut self,
        version: VersionId,
        author: PersonId,
        may_edit: bool,
        body: &str,
    ) -> Result<ReviewComment> {
        let tenant = self.tenant();
        let v = get_version(&mut self.conn(), tenant, version)
            .await?
            .ok_or(StoreError::NotFound)?;
        if !may_comment(&v.facts(), author, may_edit) {
            return Err(StoreError::Invalid("instruction.may_not_comment"));
        }
        let text = body.trim();
        if text.is_empty()
            || text.chars().count() > 5000
            || text
                .chars()
                .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
        {
            return Err(StoreError::Invalid("instruction.comment_invalid"));
        }
        let name = self
            .require_person(author, "instruction.author_unknown")
            .await?;
        let now = self.now();
        let c = ReviewComment {
            id: Uuid::now_v7(),
            version,
            author,
            author_name: name,
            body: text.to_string(),
            created_at: now,
        };
        on!(&mut self.conn(), conn => sqlx::query(
            "INSERT INTO version_comments (id, tenant_id, version_id, author_id, body, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(c.id)
        .bind(tenant.0)
        .bind(version.0)
        .bind(author.0)
        .bind(&c.body)
        .bind(ts(now))
        .execute(&mut *conn)
        .await
        .map(|r| r.rows_affected())?);
        self.audit(
            EventDraft::new(
                AuditClass::Admin,
                "instruction.review_comment",
                "instruction_version",
                version,
            )
            .person(author)
            .after(c.body.clone()),
        )
        .await?;
        Ok(c)
    }

    /// Stores an attachment after `vakt_core::instructions::check_attachment` (type from the
    /// extension, confirmed by the bytes; size limit).
    pub async fn add_attachment(
        &mut self,
        instruction: InstructionId,
        file_name: &str,
        data: &[u8],
    ) -> Result<Attachment> {
        let tenant = self.tenant();
        let checked = check_attachment(file_name, data)
            .map_err(|e| StoreError::Invalid(attachment_code(e)))?;
        get_instruction(&mut self.conn(), tenant, instruction)
            .await?
            .ok_or(StoreError::NotFound)?;
        let now = self.now();
        let a = Attachment {
            id: Uuid::now_v7(),
            instruction,
            file_name: checked.file_name,
            content_type: checked.content_type.to_string(),
            size: i64::try_from(data.len()).unwrap_or(i64::MAX),
            sha256: hex::encode(Sha256::digest(data)),
            created_at: now,
            removed_at: None,
            removed_by: None,
        };
        on!(&mut self.conn(), c => sqlx::query(
            "INSERT INTO instruction_attachments (id, tenant_id, instruction_id, file_name, content_type, size, sha256, data, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(a.id)
        .bind(tenant.0)
        .bind(instruction.0)
        .bind(&a.file_name)
        .bind(&a.content_type)
        .bind(a.size)
        .bind(&a.sha256)
        .bind(data)
        .bind(ts(now))
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected())?);
        self.audit(
            EventDraft::new(
                AuditClass::Admin,
                "instruction.attachment_add",
                "instruction",
                instruction,
            )
            .after(format!(
                "{} {} {} bytes sha256={}",
                a.file_name, a.content_type, a.size, a.sha256
            )),
        )
        .await?;
        Ok(a)
    }

    /// Takes an attachment off an instruction (`instruction.attachment_remove`). The bytes stay —
    /// they are evidence of what people were shown — and the row is marked with when and by whom.
    /// `NotFound` unless the attachment belongs to `instruction` of this tenant; `Ok(false)` (and
    /// nothing recorded) when it was removed before.
    pub async fn remove_attachment(
        &mut self,
        instruction: InstructionId,
        id: Uuid,
    ) -> Result<bool> {
        let tenant = self.tenant();
        let a = get_attachment(&mut self.conn(), tenant, instruction, id)
            .await?
            .ok_or(StoreError::NotFound)?;
        if a.removed_at.is_some() {
            return Ok(false);
        }
        let now = self.now();
        let by = self.ctx.actor.label.clone();
        let n = on!(&mut self.conn(), c => sqlx::query(
            "UPDATE instruction_attachments SET removed_at = $4, removed_by = $5 \
             WHERE tenant_id = $1 AND instruction_id = $2 AND id = $3 AND removed_at IS NULL",
        )
        .bind(tenant.0)
        .bind(instruction.0)
        .bind(id)
        .bind(ts(now))
        .bind(&by)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected())?);
        if n == 0 {
            return Ok(false);
        }
        self.audit(
            EventDraft::new(
                AuditClass::Admin,
                "instruction.attachment_remove",
                "instruction",
                instruction,
            )
            .before(format!(
                "{} {} {} bytes sha256={} id={}",
                a.file_name, a.content_type, a.size, a.sha256, a.id
            )),
        )
        .await?;
        Ok(true)
    }
}

/// The store code of a workflow refusal (a Fluent key suffix in the web layer).
pub fn step_code(e: &vakt_core::instructions::StepError) -> &'static str {
    use vakt_core::instructions::StepError as E;
    match e {
        E::WrongState { .. } => "instruction.step_wrong_state",
        E::NotAnEditor => "instruction.step_not_editor",
        E::NotTheApprover => "instruction.step_not_approver",
        E::AuthorCannotApprove => "instruction.step_author_cannot_approve",
        E::MissingChangeComment => "instruction.step_missing_comment",
        E::MissingReviewers => "instruction.step_missing_reviewers",
        E::MissingApprover => "instruction.step_missing_approver",
    }
}

/// The error code (a Fluent key `store-…` in the web layer) of a refused attachment.
pub fn attachment_code(e: vakt_core::instructions::AttachmentError) -> &'static str {
    use vakt_core::instructions::AttachmentError as E;
    match e {
        E::Empty => "attachment.empty",
        E::TooLarge => "attachment.too_large",
        E::TypeNotAllowed => "attachment.type_not_allowed",
        E::ContentMismatch => "attachment.content_mismatch",
        E::BadName => "attachment.bad_name",
    }
}
