//! Deviations, security incidents and personal-data breaches: cases (the immutable as-reported
//! snapshot with its hash in the audit chain, then the working record), categories, affected
//! things, the timeline, comments, attachments, links, measures, reporting obligations with their
//! submission log, escalation bookkeeping and the module's per-tenant configuration.
//!
//! Every write is one method on [`WriteTx`] that changes the rows, appends a timeline row and the
//! audit event (`deviation.*` on object `deviation/<case id>`, so a legal hold on the case object
//! covers every event about it). The rules (which transition is allowed, whether a submission is
//! late) are `vakt_core::deviations`; the caller checks them and this module stores the outcome.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use time::OffsetDateTime;
use uuid::Uuid;
use vakt_core::audit::{AuditClass, EventDraft};
use vakt_core::deviations::{
    Answer, CaseId, CaseState, ChecklistAnswers, Consequence, Decision, Likelihood, Measure,
    MeasureId, MeasureStatus, Obligation, Severity, Submission, SubmissionKind,
};
use vakt_core::directory::{AccountId, PersonId, TenantId, UnitId, search_fold};

use crate::db::{Arg, Args, Conn, Db, WriteTx, bind_args, like_escape, on, values_placeholders};
use crate::error::{Result, StoreError, corrupt};
use crate::types::{Ts, ots, ts};

/// Longest title (characters).
pub const MAX_TITLE_CHARS: usize = 200;
/// Longest free text (description, comment, lessons learned, reasoning).
pub const MAX_TEXT_CHARS: usize = 20_000;
/// Largest attachment (bytes).
pub const MAX_ATTACHMENT_BYTES: usize = 10 * 1024 * 1024;
/// Attachment types accepted (anything else is refused).
pub const ATTACHMENT_TYPES: &[&str] = &[
    "application/pdf",
    "image/png",
    "image/jpeg",
    "image/gif",
    "text/plain",
    "text/csv",
    "message/rfc822",
    "application/json",
    "application/zip",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.oasis.opendocument.text",
];

/// The default categories a tenant starts with (keys; the web layer shows `dev-cat-<key>`).
/// `information_security` is the information security and privacy category of every seed.
pub const DEFAULT_CATEGORIES: &[(&str, bool)] = &[
    ("information_security", true),
    ("hse", false),
    ("quality", false),
    ("other", false),
];

fn code<T: Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn parse_code<T: DeserializeOwned>(what: &str, s: &str) -> Result<T> {
    serde_json::from_value(serde_json::Value::String(s.to_owned())).map_err(|_| corrupt(what, s))
}

fn parse_json<T: DeserializeOwned>(what: &str, s: &str) -> Result<T> {
    serde_json::from_str(s).map_err(|_| corrupt(what, s))
}

fn to_json<T: Serialize>(v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// Checks a text field: length, no control characters other than newline and tab.
fn check_text(s: &str, max: usize, required: bool, code: &'static str) -> Result<()> {
    if required && s.trim().is_empty() {
        return Err(StoreError::Invalid(code));
    }
    if s.chars().count() > max
        || s.chars()
            .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    {
        return Err(StoreError::Invalid(code));
    }
    Ok(())
}

/// Whether personal data may be involved (the reporter's answer).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PersonalData {
    Yes,
    No,
    Unsure,
}

/// What kind of thing a case affects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AffectedKind {
    System,
    Equipment,
    Person,
    Unit,
    Other,
}

/// A public-access marking: open, or exempt from public access with its legal basis.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Secrecy {
    Open,
    /// Partly exempt (some parts redacted on disclosure).
    Partial,
    Exempt,
}

/// Who reported a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "by")]
pub enum Reporter {
    Person {
        person: PersonId,
        account: Option<AccountId>,
    },
    /// Through the anonymous link; the receipt code's hash lets the reporter follow the case.
    Anonymous { receipt_hash: String },
}

/// A new report: what the reporter filled in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewCase {
    pub title: String,
    pub description: String,
    pub category_key: String,
    /// The unit concerned (the reporter's unit by default).
    pub unit: Option<UnitId>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub occurred_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339")]
    pub discovered_at: OffsetDateTime,
    pub personal_data: PersonalData,
    pub affected: Vec<(AffectedKind, String)>,
    pub reporter: Reporter,
}

/// A category of the tenant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Category {
    pub id: Uuid,
    pub key: String,
    /// Empty for a default category (shown by its key's translation).
    pub name: String,
    /// The information security and privacy category.
    pub security: bool,
    pub active: bool,
}

/// One case: the working record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Case {
    pub id: CaseId,
    pub tenant: TenantId,
    /// Human case number, per tenant.
    pub number: i64,
    pub title: String,
    pub description: String,
    pub category: Option<Uuid>,
    pub unit: Option<UnitId>,
    pub reporter_person: Option<PersonId>,
    pub reporter_account: Option<AccountId>,
    pub anonymous: bool,
    #[serde(with = "time::serde::rfc3339::option")]
    pub occurred_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339")]
    pub discovered_at: OffsetDateTime,
    /// The recorded moment of awareness; every reporting clock counts from it.
    #[serde(with = "time::serde::rfc3339")]
    pub aware_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub reported_at: OffsetDateTime,
    pub personal_data: PersonalData,
    /// The report exactly as submitted (JSON), never changed.
    pub reported_snapshot: String,
    /// `hex(sha256(reported_snapshot))`, also in the `deviation.report` audit event.
    pub reported_hash: String,
    pub state: CaseState,
    pub assignee: Option<PersonId>,
    pub severity: Option<Severity>,
    pub consequence: Option<Consequence>,
    pub likelihood: Option<Likelihood>,
    pub checklist: ChecklistAnswers,
    pub lessons_learned: String,
    pub is_breach: bool,
    #[serde(with = "time::serde::rfc3339::option")]
    pub breach_flagged_at: Option<OffsetDateTime>,
    pub significant: bool,
    #[serde(with = "time::serde::rfc3339::option")]
    pub significant_flagged_at: Option<OffsetDateTime>,
    /// The breach notification draft (`vakt_core::deviations::BreachNotificationDraft` as JSON).
    pub breach_draft: Option<String>,
    pub secrecy: Secrecy,
    pub secrecy_basis: String,
    /// The legal hold placed while the investigation is open.
    pub hold_id: Option<Uuid>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub triaged_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub closed_at: Option<OffsetDateTime>,
    pub dismissed_reason: Option<String>,
    /// The earliest running deadline (kept by the web layer for the urgency dashboard).
    #[serde(with = "time::serde::rfc3339::option")]
    pub next_due: Option<OffsetDateTime>,
}

const CASE_COLS: &str = "id, tenant_id, number, title, description, category_id, unit_id, reporter_person, \
    reporter_account, anonymous, occurred_at, discovered_at, aware_at, reported_at, personal_data, \
    reported_snapshot, reported_hash, state, assignee, severity, consequence, likelihood, checklist, \
    lessons_learned, is_breach, breach_flagged_at, significant, significant_flagged_at, breach_draft, \
    secrecy, secrecy_basis, hold_id, triaged_at, closed_at, dismissed_reason, next_due";

#[derive(sqlx::FromRow)]
struct CaseRow {
    id: Uuid,
    tenant_id: Uuid,
    number: i64,
    title: String,
    description: String,
    category_id: Option<Uuid>,
    unit_id: Option<Uuid>,
    reporter_person: Option<Uuid>,
    reporter_account: Option<Uuid>,
    anonymous: bool,
    occurred_at: Option<Ts>,
    discovered_at: Ts,
    aware_at: Ts,
    reported_at: Ts,
    personal_data: String,
    reported_snapshot: String,
    reported_hash: String,
    state: String,
    assignee: Option<Uuid>,
    severity: Option<String>,
    consequence: Option<String>,
    likelihood: Option<String>,
    checklist: String,
    lessons_learned: String,
    is_breach: bool,
    breach_flagged_at: Option<Ts>,
    significant: bool,
    significant_flagged_at: Option<Ts>,
    breach_draft: Option<String>,
    secrecy: String,
    secrecy_basis: String,
    hold_id: Option<Uuid>,
    triaged_at: Option<Ts>,
    closed_at: Option<Ts>,
    dismissed_reason: Option<String>,
    next_due: Option<Ts>,
}

impl CaseRow {
    fn into_case(self) -> Result<Case> {
        Ok(Case {
            id: CaseId(self.id),
            tenant: TenantId(self.tenant_id),
            number: self.number,
            title: self.title,
            description: self.description,
            category: self.category_id,
            unit: self.unit_id.map(UnitId),
            reporter_person: self.reporter_person.map(PersonId),
            reporter_account: self.reporter_account.map(AccountId),
            anonymous: self.anonymous,
            occurred_at: self.occurred_at.map(|t| t.0),
            discovered_at: self.discovered_at.0,
            aware_at: self.aware_at.0,
            reported_at: self.reported_at.0,
            personal_data: parse_code("personal_data", &self.personal_data)?,
            reported_snapshot: self.reported_snapshot,
            reported_hash: self.reported_hash,
            state: parse_code("case state", &self.state)?,
            assignee: self.assignee.map(PersonId),
            severity: self
                .severity
                .map(|s| parse_code("severity", &s))
                .transpose()?,
            consequence: self
                .consequence
                .map(|s| parse_code("consequence", &s))
                .transpose()?,
            likelihood: self
                .likelihood
                .map(|s| parse_code("likelihood", &s))
                .transpose()?,
            checklist: parse_json("checklist", &self.checklist)?,
            lessons_learned: self.lessons_learned,
            is_breach: self.is_breach,
            breach_flagged_at: self.breach_flagged_at.map(|t| t.0),
            significant: self.significant,
            significant_flagged_at: self.significant_flagged_at.map(|t| t.0),
            breach_draft: self.breach_draft,
            secrecy: parse_code("secrecy", &self.secrecy)?,
            secrecy_basis: self.secrecy_basis,
            hold_id: self.hold_id,
            triaged_at: self.triaged_at.map(|t| t.0),
            closed_at: self.closed_at.map(|t| t.0),
            dismissed_reason: self.dismissed_reason,
            next_due: self.next_due.map(|t| t.0),
        })
    }
}

/// One line of the case list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CaseSummary {
    pub id: CaseId,
    pub number: i64,
    pub title: String,
    pub category: Option<Uuid>,
    pub unit: Option<UnitId>,
    pub state: CaseState,
    pub severity: Option<Severity>,
    pub assignee: Option<PersonId>,
    pub is_breach: bool,
    pub significant: bool,
    pub secrecy: Secrecy,
    #[serde(with = "time::serde::rfc3339")]
    pub reported_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub next_due: Option<OffsetDateTime>,
}

#[derive(sqlx::FromRow)]
struct SummaryRow {
    id: Uuid,
    number: i64,
    title: String,
    category_id: Option<Uuid>,
    unit_id: Option<Uuid>,
    state: String,
    severity: Option<String>,
    assignee: Option<Uuid>,
    is_breach: bool,
    significant: bool,
    secrecy: String,
    reported_at: Ts,
    next_due: Option<Ts>,
}

const SUMMARY_COLS: &str = "id, number, title, category_id, unit_id, state, severity, assignee, is_breach, \
    significant, secrecy, reported_at, next_due";

impl SummaryRow {
    fn into_summary(self) -> Result<CaseSummary> {
        Ok(CaseSummary {
            id: CaseId(self.id),
            number: self.number,
            title: self.title,
            category: self.category_id,
            unit: self.unit_id.map(UnitId),
            state: parse_code("case state", &self.state)?,
            severity: self
                .severity
                .map(|s| parse_code("severity", &s))
                .transpose()?,
            assignee: self.assignee.map(PersonId),
            is_breach: self.is_breach,
            significant: self.significant,
            secrecy: parse_code("secrecy", &self.secrecy)?,
            reported_at: self.reported_at.0,
            next_due: self.next_due.map(|t| t.0),
        })
    }
}

/// How the case list is ordered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseOrder {
    /// Newest report first.
    #[default]
    Newest,
    /// The earliest running deadline first (cases without one last).
    Urgency,
}

/// Filters for the case list. All given filters must match.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CaseFilter {
    pub state: Option<CaseState>,
    /// Open cases only (not closed).
    pub open_only: bool,
    pub category: Option<Uuid>,
    /// Only cases in these units (a leader's subtree). `None` = every unit.
    pub units: Option<Vec<UnitId>>,
    pub reporter: Option<PersonId>,
    pub assignee: Option<PersonId>,
    pub severity: Option<Severity>,
    pub breach_only: bool,
    /// Only cases with a running deadline.
    pub due_only: bool,
    /// Words in the title.
    pub text: Option<String>,
    pub order: CaseOrder,
    pub limit: u32,
    pub offset: u64,
    /// Keyset paging for [`CaseOrder::Newest`]: only cases listed after this one (older, or as old
    /// with a smaller id). Ignored for the urgency order.
    pub after: Option<CaseId>,
}

/// Case lists count their matches up to this many; a total above it means "more than this".
pub const CASE_COUNT_CAP: i64 = 1000;

/// A timeline entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TimelineEvent {
    pub id: Uuid,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    pub actor_label: String,
    pub actor_person: Option<PersonId>,
    /// e.g. `report`, `transition`, `assign`, `comment`, `measure_add`.
    pub kind: String,
    pub detail: String,
}

#[derive(sqlx::FromRow)]
struct EventRow {
    id: Uuid,
    at: Ts,
    actor_label: String,
    actor_person: Option<Uuid>,
    kind: String,
    detail: String,
}

/// A comment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Comment {
    pub id: Uuid,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    pub author_person: Option<PersonId>,
    pub author_label: String,
    pub body: String,
}

/// An affected thing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Affected {
    pub id: Uuid,
    pub kind: AffectedKind,
    pub label: String,
}

/// An attachment's metadata (the content is read with [`Db::dev_attachment_data`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Attachment {
    pub id: Uuid,
    pub case_id: CaseId,
    pub name: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub secrecy: Secrecy,
    pub secrecy_basis: String,
    pub uploaded_by: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

#[derive(sqlx::FromRow)]
struct AttachmentRow {
    id: Uuid,
    case_id: Uuid,
    name: String,
    content_type: String,
    size: i64,
    sha256: String,
    secrecy: String,
    secrecy_basis: String,
    uploaded_by: String,
    created_at: Ts,
}

impl AttachmentRow {
    fn into_attachment(self) -> Result<Attachment> {
        Ok(Attachment {
            id: self.id,
            case_id: CaseId(self.case_id),
            name: self.name,
            content_type: self.content_type,
            size: self.size,
            sha256: self.sha256,
            secrecy: parse_code("secrecy", &self.secrecy)?,
            secrecy_basis: self.secrecy_basis,
            uploaded_by: self.uploaded_by,
            created_at: self.created_at.0,
        })
    }
}

/// A new attachment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAttachment {
    pub name: String,
    pub content_type: String,
    pub data: Vec<u8>,
    pub secrecy: Secrecy,
    pub secrecy_basis: String,
}

/// A stored reporting obligation: the core record plus its row id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredObligation {
    pub id: Uuid,
    pub obligation: Obligation,
}

/// The module's per-tenant configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DevConfig {
    /// Anonymous reporting through a link without an account (off by default).
    pub anonymous_enabled: bool,
    /// The secret part of the anonymous link (set when anonymous reporting is switched on).
    pub anonymous_token: Option<String>,
    /// Triage is due this many hours after the report.
    pub triage_hours: i64,
    /// The tenant's own regimes (TOML, same shape as the presets); empty = the country preset.
    pub regimes_toml: String,
    /// Optional webhook for escalations.
    pub escalation_webhook: Option<String>,
    /// Statistics suppress groups smaller than this.
    pub stats_threshold: i64,
    /// The officer on duty's address, alerted at once of a significant incident (optional).
    pub on_duty_email: Option<String>,
}

impl Default for DevConfig {
    fn default() -> Self {
        DevConfig {
            anonymous_enabled: false,
            anonymous_token: None,
            triage_hours: 24,
            regimes_toml: String::new(),
            escalation_webhook: None,
            stats_threshold: 5,
            on_duty_email: None,
        }
    }
}

#[derive(sqlx::FromRow)]
struct ConfigRow {
    tenant_id: Uuid,
    anonymous_enabled: bool,
    anonymous_token: Option<String>,
    triage_hours: i64,
    regimes_toml: String,
    escalation_webhook: Option<String>,
    stats_threshold: i64,
    on_duty_email: Option<String>,
}

impl From<ConfigRow> for DevConfig {
    fn from(r: ConfigRow) -> Self {
        DevConfig {
            anonymous_enabled: r.anonymous_enabled,
            anonymous_token: r.anonymous_token,
            triage_hours: r.triage_hours,
            regimes_toml: r.regimes_toml,
            escalation_webhook: r.escalation_webhook,
            stats_threshold: r.stats_threshold,
            on_duty_email: r.on_duty_email,
        }
    }
}

const CONFIG_COLS: &str = "tenant_id, anonymous_enabled, anonymous_token, triage_hours, regimes_toml, \
    escalation_webhook, stats_threshold, on_duty_email";

/// The associated data of a sealed webhook secret: bound to its purpose and tenant.
fn webhook_aad(tenant: TenantId) -> String {
    format!("webhook:{}", tenant.0)
}

/// Counts for statistics: one row per group key and month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatRow {
    /// `YYYY-MM` of the report (UTC).
    pub month: String,
    pub category: Option<Uuid>,
    pub unit: Option<UnitId>,
    pub severity: Option<Severity>,
    pub is_breach: bool,
    pub count: i64,
}

/// One row for the time-to-triage/close and on-time figures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CaseTimes {
    pub id: CaseId,
    #[serde(with = "time::serde::rfc3339")]
    pub reported_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub triaged_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub closed_at: Option<OffsetDateTime>,
}

async fn get_case(conn: &mut Conn<'_>, tenant: TenantId, id: CaseId) -> Result<Option<Case>> {
    let sql = format!("SELECT {CASE_COLS} FROM dev_cases WHERE tenant_id = $1 AND id = $2");
    let row: Option<CaseRow> = on!(conn, c => sqlx::query_as(&sql).bind(tenant.0).bind(id.0).fetch_optional(&mut *c).await?);
    row.map(CaseRow::into_case).transpose()
}

/// Obligations (`$1` tenant, `$2` regime) of the cases `k` matching `case_cond`, with their
/// submissions, in two queries.
async fn regime_obligations(
    conn: &mut Conn<'_>,
    case_cond: &str,
    args: &Args,
) -> Result<Vec<(CaseId, StoredObligation)>> {
    #[derive(sqlx::FromRow)]
    struct Ob {
        id: Uuid,
        case_id: Uuid,
        regime: String,
        aware_at: Ts,
        decision: Option<String>,
    }
    #[derive(sqlx::FromRow)]
    struct Sub {
        obligation_id: Uuid,
        #[sqlx(flatten)]
        row: SubmissionRow,
    }
    let ob_sql = format!(
        "SELECT o.id, o.case_id, o.regime, o.aware_at, o.decision FROM dev_obligations o \
         JOIN dev_cases k ON k.tenant_id = o.tenant_id AND k.id = o.case_id \
         WHERE o.tenant_id = $1 AND o.regime = $2 AND {case_cond} ORDER BY o.case_id, o.created_at"
    );
    let sub_sql = format!(
        "SELECT s.obligation_id, s.phase, s.kind, s.at, s.by_person, s.channel, s.authority_reference, s.delay_reasons \
         FROM dev_submissions s JOIN dev_obligations o ON o.tenant_id = s.tenant_id AND o.id = s.obligation_id \
         JOIN dev_cases k ON k.tenant_id = o.tenant_id AND k.id = o.case_id \
         WHERE s.tenant_id = $1 AND o.regime = $2 AND {case_cond} ORDER BY s.at, s.created_at"
    );
    let obs: Vec<Ob> = on!(conn, c => {
        let rows = bind_args(sqlx::query(&ob_sql), &args.0).fetch_all(&mut *c).await?;
        rows.iter()
            .map(<Ob as sqlx::FromRow<_>>::from_row)
            .collect::<std::result::Result<Vec<_>, _>>()?
    });
    let subs: Vec<Sub> = on!(conn, c => {
        let rows = bind_args(sqlx::query(&sub_sql), &args.0).fetch_all(&mut *c).await?;
        rows.iter()
            .map(<Sub as sqlx::FromRow<_>>::from_row)
            .collect::<std::result::Result<Vec<_>, _>>()?
    });
    let mut by_obligation: HashMap<Uuid, Vec<Submission>> = HashMap::new();
    for s in subs {
        by_obligation
            .entry(s.obligation_id)
            .or_default()
            .push(s.row.into_submission()?);
    }
    obs.into_iter()
        .map(|o| {
            Ok((
                CaseId(o.case_id),
                StoredObligation {
                    id: o.id,
                    obligation: Obligation {
                        regime: o.regime,
                        aware_at: o.aware_at.0,
                        decision: o
                            .decision
                            .map(|d| parse_json::<Decision>("obligation decision", &d))
                            .transpose()?,
                        submissions: by_obligation.remove(&o.id).unwrap_or_default(),
                    },
                },
            ))
        })
        .collect()
}

/// Fills in the folded title (`search_title`, what title search matches) of cases stored before
/// it existed. Idempotent; run by [`Db::migrate`]. Batches of 500 in a transaction each; on SQLite
/// the update trigger also puts them into the title index.
pub(crate) async fn fold_case_titles(db: &Db) -> Result<()> {
    let mut pc = db.acquire().await?;
    loop {
        let rows: Vec<(Uuid, Uuid, String)> = on!(&mut pc.conn(), c => sqlx::query_as(
            "SELECT tenant_id, id, title FROM dev_cases WHERE search_title IS NULL LIMIT 500",
        )
        .fetch_all(&mut *c)
        .await?);
        if rows.is_empty() {
            return Ok(());
        }
        on!(&mut pc.conn(), c => {
            let mut tx = sqlx::Connection::begin(&mut *c).await?;
            for (tenant, id, title) in &rows {
                sqlx::query(
                    "UPDATE dev_cases SET search_title = $3 WHERE tenant_id = $1 AND id = $2 AND search_title IS NULL",
                )
                .bind(tenant)
                .bind(id)
                .bind(search_fold(title))
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
        });
    }
}

/// The rows of `capped` (a query limited to [`CASE_COUNT_CAP`] + 1 rows), counted.
async fn count_capped(conn: &mut Conn<'_>, capped: &str, args: &Args) -> Result<i64> {
    let sql = format!("SELECT COUNT(*) FROM ({capped}) capped");
    Ok(on!(conn, c => {
        let row = bind_args(sqlx::query(&sql), &args.0).fetch_one(&mut *c).await?;
        sqlx::Row::try_get::<i64, _>(&row, 0)?
    }))
}

/// One page of case summaries matching `wh`, in `order` (`hint`: an SQLite `INDEXED BY`, or empty).
async fn page_rows(
    conn: &mut Conn<'_>,
    hint: &str,
    wh: &str,
    order: &str,
    args: &Args,
    limit: i64,
    offset: i64,
) -> Result<Vec<SummaryRow>> {
    let mut args = args.clone();
    let l = args.push(Arg::I64(limit));
    let o = args.push(Arg::I64(offset));
    let sql = if offset > 0 {
        // A later page: the rows before it are skipped in the list index alone (it holds the filter
        // and order columns; on PostgreSQL an index-only scan once the table is vacuumed), and only
        // the page's own rows are read from the table. Skipping whole rows made `page=2000` read
        // 100,000 of them (1.25 s on PostgreSQL).
        format!(
            "SELECT {SUMMARY_COLS} FROM dev_cases WHERE id IN \
             (SELECT id FROM dev_cases {hint} WHERE {wh} ORDER BY {order} LIMIT {l} OFFSET {o}) \
             ORDER BY {order}"
        )
    } else {
        format!(
            "SELECT {SUMMARY_COLS} FROM dev_cases {hint} WHERE {wh} ORDER BY {order} LIMIT {l} OFFSET {o}"
        )
    };
    Ok(on!(conn, c => {
        let rows = bind_args(sqlx::query(&sql), &args.0).fetch_all(&mut *c).await?;
        rows.iter()
            .map(<SummaryRow as sqlx::FromRow<_>>::from_row)
            .collect::<std::result::Result<Vec<_>, _>>()?
    }))
}

async fn categories(conn: &mut Conn<'_>, tenant: TenantId) -> Result<Vec<Category>> {
    let rows: Vec<(Uuid, String, String, bool, bool)> = on!(conn, c => sqlx::query_as(
        "SELECT id, key, name, security, active FROM dev_categories WHERE tenant_id = $1 ORDER BY security DESC, key",
    )
    .bind(tenant.0)
    .fetch_all(&mut *c)
    .await?);
    Ok(rows
        .into_iter()
        .map(|(id, key, name, security, active)| Category {
            id,
            key,
            name,
            security,
            active,
        })
        .collect())
}

async fn obligations(
    conn: &mut Conn<'_>,
    tenant: TenantId,
    case: CaseId,
) -> Result<Vec<StoredObligation>> {
    let rows: Vec<(Uuid, String, Ts, Option<String>)> = on!(conn, c => sqlx::query_as(
        "SELECT id, regime, aware_at, decision FROM dev_obligations WHERE tenant_id = $1 AND case_id = $2 ORDER BY created_at, regime",
    )
    .bind(tenant.0)
    .bind(case.0)
    .fetch_all(&mut *c)
    .await?);
    let mut out = Vec::with_capacity(rows.len());
    for (id, regime, aware_at, decision) in rows {
        let subs: Vec<SubmissionRow> = on!(conn, c => sqlx::query_as(
            "SELECT phase, kind, at, by_person, channel, authority_reference, delay_reasons FROM dev_submissions \
             WHERE tenant_id = $1 AND obligation_id = $2 ORDER BY at, created_at",
        )
        .bind(tenant.0)
        .bind(id)
        .fetch_all(&mut *c)
        .await?);
        let submissions = subs
            .into_iter()
            .map(SubmissionRow::into_submission)
            .collect::<Result<Vec<_>>>()?;
        out.push(StoredObligation {
            id,
            obligation: Obligation {
                regime,
                aware_at: aware_at.0,
                decision: decision
                    .map(|d| parse_json::<Decision>("obligation decision", &d))
                    .transpose()?,
                submissions,
            },
        });
    }
    Ok(out)
}

#[derive(sqlx::FromRow)]
struct SubmissionRow {
    phase: String,
    kind: String,
    at: Ts,
    by_person: Uuid,
    channel: String,
    authority_reference: Option<String>,
    delay_reasons: Option<String>,
}

impl SubmissionRow {
    fn into_submission(self) -> Result<Submission> {
        Ok(Submission {
            phase: self.phase,
            kind: parse_code::<SubmissionKind>("submission kind", &self.kind)?,
            at: self.at.0,
            by: PersonId(self.by_person),
            channel: self.channel,
            authority_reference: self.authority_reference,
            delay_reasons: self.delay_reasons,
        })
    }
}

async fn measures(conn: &mut Conn<'_>, tenant: TenantId, case: CaseId) -> Result<Vec<Measure>> {
    #[allow(clippy::type_complexity)]
    let rows: Vec<(
        Uuid,
        String,
        Uuid,
        Option<Ts>,
        String,
        Option<Ts>,
        Option<Uuid>,
        Option<String>,
    )> = on!(conn, c => sqlx::query_as(
        "SELECT id, title, owner, due_at, status, done_at, done_by, waive_reason FROM dev_measures \
         WHERE tenant_id = $1 AND case_id = $2 ORDER BY created_at, id",
    )
    .bind(tenant.0)
    .bind(case.0)
    .fetch_all(&mut *c)
    .await?);
    rows.into_iter()
        .map(
            |(id, title, owner, due, status, done_at, done_by, reason)| {
                let status = match status.as_str() {
                    "open" => MeasureStatus::Open,
                    "done" => MeasureStatus::Done {
                        at: done_at
                            .map(|t| t.0)
                            .ok_or_else(|| corrupt("measure", "done_at"))?,
                        by: PersonId(done_by.ok_or_else(|| corrupt("measure", "done_by"))?),
                    },
                    "waived" => MeasureStatus::Waived {
                        reason: reason.unwrap_or_default(),
                        by: PersonId(done_by.ok_or_else(|| corrupt("measure", "done_by"))?),
                        at: done_at
                            .map(|t| t.0)
                            .ok_or_else(|| corrupt("measure", "done_at"))?,
                    },
                    other => return Err(corrupt("measure status", other)),
                };
                Ok(Measure {
                    id: MeasureId(id),
                    title,
                    owner: PersonId(owner),
                    due: due.map(|t| t.0),
                    status,
                })
            },
        )
        .collect()
}

fn snapshot_hash(snapshot: &str) -> String {
    hex::encode(Sha256::digest(snapshot.as_bytes()))
}

impl Db {
    /// The module's configuration of the tenant (defaults when never saved).
    pub async fn dev_config(&self, tenant: TenantId) -> Result<DevConfig> {
        let sql = format!("SELECT {CONFIG_COLS} FROM dev_config WHERE tenant_id = $1");
        let mut pc = self.acquire().await?;
        let row: Option<ConfigRow> = on!(&mut pc.conn(), c => sqlx::query_as(&sql).bind(tenant.0).fetch_optional(&mut *c).await?);
        Ok(row.map(DevConfig::from).unwrap_or_default())
    }

    /// The secret that signs the tenant's webhook posts, if one is set (opened from its seal).
    pub async fn dev_webhook_secret(&self, tenant: TenantId) -> Result<Option<String>> {
        let mut pc = self.acquire().await?;
        let row: Option<(Option<String>,)> = on!(&mut pc.conn(), c => sqlx::query_as(
            "SELECT webhook_secret FROM dev_config WHERE tenant_id = $1",
        )
        .bind(tenant.0)
        .fetch_optional(&mut *c)
        .await?);
        match row.and_then(|(s,)| s) {
            Some(sealed) => Ok(Some(self.key.open(&webhook_aad(tenant), &sealed)?)),
            None => Ok(None),
        }
    }

    /// The tenant whose anonymous link carries `token`, when anonymous reporting is on. This is
    /// the one lookup of the anonymous path that does not name its tenant: the token identifies it.
    pub async fn dev_tenant_by_anonymous_token(&self, token: &str) -> Result<Option<TenantId>> {
        if token.is_empty() || token.len() > 128 {
            return Ok(None);
        }
        let sql = format!(
            "SELECT {CONFIG_COLS} FROM dev_config WHERE anonymous_token = $1 AND anonymous_enabled = TRUE"
        );
        let mut pc = self.acquire().await?;
        let row: Option<ConfigRow> = on!(&mut pc.conn(), c => sqlx::query_as(&sql).bind(token).fetch_optional(&mut *c).await?);
        Ok(row.map(|r| TenantId(r.tenant_id)))
    }

    /// The tenant's categories (empty until the first report or configuration seeds the defaults).
    pub async fn dev_categories(&self, tenant: TenantId) -> Result<Vec<Category>> {
        let mut pc = self.acquire().await?;
        categories(&mut pc.conn(), tenant).await
    }

    pub async fn dev_case(&self, tenant: TenantId, id: CaseId) -> Result<Option<Case>> {
        let mut pc = self.acquire().await?;
        get_case(&mut pc.conn(), tenant, id).await
    }

    /// The case an anonymous receipt code belongs to (by the code's hash), within the tenant of
    /// the anonymous link.
    pub async fn dev_case_by_receipt(
        &self,
        tenant: TenantId,
        receipt_hash: &str,
    ) -> Result<Option<Case>> {
        let sql = format!(
            "SELECT {CASE_COLS} FROM dev_cases WHERE tenant_id = $1 AND receipt_hash = $2 AND anonymous = TRUE"
        );
        let mut pc = self.acquire().await?;
        let row: Option<CaseRow> = on!(&mut pc.conn(), c => sqlx::query_as(&sql).bind(tenant.0).bind(receipt_hash).fetch_optional(&mut *c).await?);
        row.map(CaseRow::into_case).transpose()
    }
    /// The reporting person of each of `ids` (`None` when anonymous or not a person of the
    /// directory), for exports that include personal data. Cases of other tenants are left out.
    pub async fn dev_case_reporters(
        &self,
        tenant: TenantId,
        ids: &[CaseId],
    ) -> Result<HashMap<CaseId, Option<PersonId>>> {
        let mut out = HashMap::new();
        let mut pc = self.acquire().await?;
        let conn = &mut pc.conn();
        for chunk in ids.chunks(500) {
            let mut args = Args::default();
            args.push(Arg::Uuid(tenant.0));
            let list: Vec<String> = chunk.iter().map(|c| args.push(Arg::Uuid(c.0))).collect();
            let sql = format!(
                "SELECT id, reporter_person, anonymous FROM dev_cases WHERE tenant_id = $1 AND id IN ({})",
                list.join(", ")
            );
            let rows: Vec<(Uuid, Option<Uuid>, bool)> = on!(conn, c => {
                let rows = bind_args(sqlx::query(&sql), &args.0).fetch_all(&mut *c).await?;
                rows.iter()
                    .map(<(Uuid, Option<Uuid>, bool) as sqlx::FromRow<_>>::from_row)
                    .collect::<std::result::Result<Vec<_>, sqlx::Error>>()?
            });
            for (id, person, anonymous) in rows {
                out.insert(CaseId(id), person.filter(|_| !anonymous).map(PersonId));
            }
        }
        Ok(out)
    }

    /// A page of cases matching `f` and the number of matches, counted up to [`CASE_COUNT_CAP`]
    /// (`CASE_COUNT_CAP + 1` means more). Fast whatever the filters on a large register: the count
    /// stops at the cap; when it stays below, the few matches are found through the filter's index
    /// and sorted; otherwise they are dense enough to be met early walking the list in order. The
    /// urgency order lists the cases with a running deadline first (by deadline, on its index), then
    /// the rest newest first.
    pub async fn dev_cases(
        &self,
        tenant: TenantId,
        f: &CaseFilter,
    ) -> Result<(Vec<CaseSummary>, i64)> {
        let mut args = Args::default();
        let t = args.push(Arg::Uuid(tenant.0));
        let mut wh = format!("tenant_id = {t}");
        if let Some(s) = f.state {
            let p = args.push(Arg::Str(code(&s)));
            wh.push_str(&format!(" AND state = {p}"));
        }
        if f.open_only {
            // Spelled as a list of states (not `<> 'closed'`) so that an index led by the state
            // is searched state by state instead of scanned.
            wh.push_str(" AND state IN ('reported', 'triage', 'investigation', 'measures')");
        }
        if let Some(cat) = f.category {
            let p = args.push(Arg::Uuid(cat));
            wh.push_str(&format!(" AND category_id = {p}"));
        }
        if let Some(units) = &f.units {
            if units.is_empty() {
                wh.push_str(" AND 1 = 0");
            } else {
                let list = units
                    .iter()
                    .map(|u| args.push(Arg::Uuid(u.0)))
                    .collect::<Vec<_>>()
                    .join(", ");
                wh.push_str(&format!(" AND unit_id IN ({list})"));
            }
        }
        if let Some(r) = f.reporter {
            let p = args.push(Arg::Uuid(r.0));
            wh.push_str(&format!(" AND reporter_person = {p}"));
        }
        if let Some(a) = f.assignee {
            let p = args.push(Arg::Uuid(a.0));
            wh.push_str(&format!(" AND assignee = {p}"));
        }
        if let Some(s) = f.severity {
            let p = args.push(Arg::Str(code(&s)));
            wh.push_str(&format!(" AND severity = {p}"));
        }
        if f.breach_only {
            wh.push_str(" AND is_breach = TRUE");
        }
        if f.due_only {
            wh.push_str(" AND next_due IS NOT NULL");
        }
        let mut pc = self.acquire().await?;
        let mut conn = pc.conn();
        let conn = &mut conn;
        let engine = conn.engine();
        let text = f.text.as_deref().map(search_fold).filter(|s| !s.is_empty());
        // A title search on SQLite drives from the title index where it has to find every match
        // (the capped count, and the page when the matches are few); walking the list in order
        // (many matches), each row's folded title is tested with LIKE instead: the index's phrase
        // lookup reads every matching row's entry (8,338 of 200,000 for `telefon`), and stops early
        // only when it leads the join.
        let mut fts: Option<String> = None;
        let mut walk_wh: Option<String> = None;
        if let Some(text) = &text {
            // A substring of the folded title. SQLite: three characters or more are looked up in
            // the trigram index (an FTS5 phrase of the text is exactly the substring); shorter
            // ones, and PostgreSQL (whose trigram index serves LIKE itself), match with LIKE.
            if engine == crate::db::Engine::Sqlite && text.chars().count() >= 3 {
                let p = args.push(Arg::Str(format!("\"{}\"", text.replace('"', "\"\""))));
                fts = Some(format!(
                    "dev_cases_title CROSS JOIN dev_cases WHERE dev_cases_title MATCH {p} \
                     AND dev_cases.search_key = dev_cases_title.rowid AND {wh}"
                ));
            }
            let p = args.push(Arg::Str(format!("%{}%", like_escape(text))));
            if engine == crate::db::Engine::Postgres {
                // Walking an index in order (many matches, or the few running deadlines), the
                // title is tested row by row, written so that PostgreSQL's planner cannot take the
                // trigram index instead: a prepared statement's generic plan took it for the page
                // too, and read and sorted every match (8,338 rows, 19 ms, against 1 ms walking).
                walk_wh = Some(format!(
                    "{wh} AND (search_title || '') LIKE {p} ESCAPE '\\'"
                ));
            }
            wh.push_str(&format!(" AND search_title LIKE {p} ESCAPE '\\'"));
        }
        let walk_wh = walk_wh.unwrap_or_else(|| wh.clone());
        let limit = i64::from(f.limit.clamp(1, 500));
        let offset = i64::try_from(f.offset).unwrap_or(i64::MAX);
        // SQLite's planner picks badly between these indexes (with or without ANALYZE statistics:
        // measured on 200,000 cases), so on SQLite each query names the index it walks. Filters
        // by reporter or assignee keep their own indexes and the planner's choice, and so does the
        // count of a title search (driven from the title index on SQLite, by the trigram index or the
        // planner's choice on PostgreSQL).
        let hint = |index: &str| match engine {
            crate::db::Engine::Sqlite if f.reporter.is_none() && f.assignee.is_none() => {
                format!("INDEXED BY {index}")
            }
            _ => String::new(),
        };
        // A unit or category filter is led by its own index (its matches are sparse in the others).
        let one_unit = f.units.as_ref().is_some_and(|u| u.len() == 1);
        let by_counts = if text.is_some() {
            String::new()
        } else if f.units.as_ref().is_some_and(|u| !u.is_empty()) {
            hint("dev_cases_unit")
        } else if f.category.is_some() {
            hint("dev_cases_category")
        } else {
            hint("dev_cases_counts")
        };
        let by_list = if one_unit {
            hint("dev_cases_unit")
        } else if f.category.is_some() && f.units.is_none() {
            hint("dev_cases_category")
        } else {
            hint("dev_cases_browse")
        };
        let by_due = hint("dev_cases_due");
        // Every match up to the cap, through the title index or the filter's index (`extra`: one
        // more condition); and the same matches as a row source for a page.
        let capped = |extra: &str| match &fts {
            Some(from) => format!(
                "SELECT dev_cases.id FROM {from}{extra} LIMIT {}",
                CASE_COUNT_CAP + 1
            ),
            None => format!(
                "SELECT id FROM dev_cases {by_counts} WHERE {wh}{extra} LIMIT {}",
                CASE_COUNT_CAP + 1
            ),
        };
        let total = count_capped(conn, &capped(""), &args).await?;
        let rows = match f.order {
            CaseOrder::Newest => {
                let mut walk_wh = walk_wh.clone();
                let mut args = args.clone();
                let mut keyset = String::new();
                if let Some(after) = f.after {
                    let cursor: Option<(Ts,)> = on!(conn, c => sqlx::query_as(
                        "SELECT reported_at FROM dev_cases WHERE tenant_id = $1 AND id = $2",
                    )
                    .bind(tenant.0)
                    .bind(after.0)
                    .fetch_optional(&mut *c)
                    .await?);
                    let Some((at,)) = cursor else {
                        return Err(StoreError::NotFound);
                    };
                    let a = args.push(Arg::Ts(at));
                    let i = args.push(Arg::Uuid(after.0));
                    // A row-value comparison: both engines seek the list index to the cursor (an
                    // `OR` of the two cases made PostgreSQL scan from the start).
                    keyset = format!(" AND (dev_cases.reported_at, dev_cases.id) < ({a}, {i})");
                    walk_wh.push_str(&keyset);
                }
                // Few matches: let the filter's own index find them all (no order to follow),
                // then sort; many: walk the list index in order until the page is full.
                let (from, source) = if total <= CASE_COUNT_CAP {
                    (String::new(), format!("id IN ({})", capped(&keyset)))
                } else {
                    (by_list, walk_wh)
                };
                page_rows(
                    conn,
                    &from,
                    &source,
                    "reported_at DESC, id DESC",
                    &args,
                    limit,
                    offset,
                )
                .await?
            }
            CaseOrder::Urgency => {
                let due_wh = format!("{walk_wh} AND next_due IS NOT NULL");
                // Through the deadline index, a title search too: running deadlines are few
                // (open cases only), where a title's matches may be many.
                let due_count = format!(
                    "SELECT 1 FROM dev_cases {by_due} WHERE {due_wh} LIMIT {}",
                    CASE_COUNT_CAP + 1
                );
                let due_total = count_capped(conn, &due_count, &args).await?;
                let mut rows = if offset < due_total {
                    page_rows(
                        conn,
                        &by_due,
                        &due_wh,
                        "next_due, reported_at DESC, id DESC",
                        &args,
                        limit,
                        offset,
                    )
                    .await?
                } else {
                    Vec::new()
                };
                let missing = limit - i64::try_from(rows.len()).unwrap_or(limit);
                if missing > 0 {
                    let rest_offset = (offset - due_total).max(0);
                    // As for the newest-first order: few matches through the filter's index.
                    let (from, rest_wh) = if total <= CASE_COUNT_CAP {
                        (
                            String::new(),
                            format!("id IN ({}) AND next_due IS NULL", capped("")),
                        )
                    } else {
                        (by_list.clone(), format!("{walk_wh} AND next_due IS NULL"))
                    };
                    rows.extend(
                        page_rows(
                            conn,
                            &from,
                            &rest_wh,
                            "reported_at DESC, id DESC",
                            &args,
                            missing,
                            rest_offset,
                        )
                        .await?,
                    );
                }
                rows
            }
        };
        let list = rows
            .into_iter()
            .map(SummaryRow::into_summary)
            .collect::<Result<Vec<_>>>()?;
        Ok((list, total))
    }

    pub async fn dev_timeline(&self, tenant: TenantId, case: CaseId) -> Result<Vec<TimelineEvent>> {
        let mut pc = self.acquire().await?;
        let rows: Vec<EventRow> = on!(&mut pc.conn(), c => sqlx::query_as(
            "SELECT id, at, actor_label, actor_person, kind, detail FROM dev_events WHERE tenant_id = $1 AND case_id = $2 ORDER BY at, id",
        )
        .bind(tenant.0)
        .bind(case.0)
        .fetch_all(&mut *c)
        .await?);
        Ok(rows
            .into_iter()
            .map(|r| TimelineEvent {
                id: r.id,
                at: r.at.0,
                actor_label: r.actor_label,
                actor_person: r.actor_person.map(PersonId),
                kind: r.kind,
                detail: r.detail,
            })
            .collect())
    }

    pub async fn dev_comments(&self, tenant: TenantId, case: CaseId) -> Result<Vec<Comment>> {
        let mut pc = self.acquire().await?;
        let rows: Vec<(Uuid, Ts, Option<Uuid>, String, String)> = on!(&mut pc.conn(), c => sqlx::query_as(
            "SELECT id, at, author_person, author_label, body FROM dev_comments WHERE tenant_id = $1 AND case_id = $2 ORDER BY at, id",
        )
        .bind(tenant.0)
        .bind(case.0)
        .fetch_all(&mut *c)
        .await?);
        Ok(rows
            .into_iter()
            .map(|(id, at, p, label, body)| Comment {
                id,
                at: at.0,
                author_person: p.map(PersonId),
                author_label: label,
                body,
            })
            .collect())
    }

    pub async fn dev_affected(&self, tenant: TenantId, case: CaseId) -> Result<Vec<Affected>> {
        let mut pc = self.acquire().await?;
        let rows: Vec<(Uuid, String, String)> = on!(&mut pc.conn(), c => sqlx::query_as(
            "SELECT id, kind, label FROM dev_affected WHERE tenant_id = $1 AND case_id = $2 ORDER BY created_at, id",
        )
        .bind(tenant.0)
        .bind(case.0)
        .fetch_all(&mut *c)
        .await?);
        rows.into_iter()
            .map(|(id, kind, label)| {
                Ok(Affected {
                    id,
                    kind: parse_code("affected kind", &kind)?,
                    label,
                })
            })
            .collect()
    }

    pub async fn dev_attachments(&self, tenant: TenantId, case: CaseId) -> Result<Vec<Attachment>> {
        let mut pc = self.acquire().await?;
        let rows: Vec<AttachmentRow> = on!(&mut pc.conn(), c => sqlx::query_as(
            "SELECT id, case_id, name, content_type, size, sha256, secrecy, secrecy_basis, uploaded_by, created_at \
             FROM dev_attachments WHERE tenant_id = $1 AND case_id = $2 ORDER BY created_at, id",
        )
        .bind(tenant.0)
        .bind(case.0)
        .fetch_all(&mut *c)
        .await?);
        rows.into_iter()
            .map(AttachmentRow::into_attachment)
            .collect()
    }

    /// An attachment with its content, when it belongs to `case` of the tenant.
    pub async fn dev_attachment_data(
        &self,
        tenant: TenantId,
        case: CaseId,
        id: Uuid,
    ) -> Result<Option<(Attachment, Vec<u8>)>> {
        let mut pc = self.acquire().await?;
        let row: Option<(Vec<u8>,)> = on!(&mut pc.conn(), c => sqlx::query_as(
            "SELECT data FROM dev_attachments WHERE tenant_id = $1 AND case_id = $2 AND id = $3",
        )
        .bind(tenant.0)
        .bind(case.0)
        .bind(id)
        .fetch_optional(&mut *c)
        .await?);
        let Some((data,)) = row else {
            return Ok(None);
        };
        drop(pc);
        let meta = self
            .dev_attachments(tenant, case)
            .await?
            .into_iter()
            .find(|a| a.id == id)
            .ok_or(StoreError::NotFound)?;
        Ok(Some((meta, data)))
    }

    /// Cases linked to `case` (either direction).
    pub async fn dev_links(&self, tenant: TenantId, case: CaseId) -> Result<Vec<CaseSummary>> {
        let sql = format!(
            "SELECT {SUMMARY_COLS} FROM dev_cases WHERE tenant_id = $1 AND id IN ( \
               SELECT case_b FROM dev_links WHERE tenant_id = $1 AND case_a = $2 \
               UNION SELECT case_a FROM dev_links WHERE tenant_id = $1 AND case_b = $2) ORDER BY number"
        );
        let mut pc = self.acquire().await?;
        let rows: Vec<SummaryRow> = on!(&mut pc.conn(), c => sqlx::query_as(&sql).bind(tenant.0).bind(case.0).fetch_all(&mut *c).await?);
        rows.into_iter().map(SummaryRow::into_summary).collect()
    }

    pub async fn dev_measures(&self, tenant: TenantId, case: CaseId) -> Result<Vec<Measure>> {
        let mut pc = self.acquire().await?;
        measures(&mut pc.conn(), tenant, case).await
    }

    /// Open measures owned by a person, with their case (for "my page").
    pub async fn dev_measures_of(
        &self,
        tenant: TenantId,
        owner: PersonId,
    ) -> Result<Vec<(CaseId, Measure)>> {
        let mut pc = self.acquire().await?;
        let ids: Vec<(Uuid,)> = on!(&mut pc.conn(), c => sqlx::query_as(
            "SELECT DISTINCT case_id FROM dev_measures WHERE tenant_id = $1 AND owner = $2 AND status = 'open'",
        )
        .bind(tenant.0)
        .bind(owner.0)
        .fetch_all(&mut *c)
        .await?);
        let mut out = Vec::new();
        for (id,) in ids {
            for m in measures(&mut pc.conn(), tenant, CaseId(id)).await? {
                if m.owner == owner && !m.is_settled() {
                    out.push((CaseId(id), m));
                }
            }
        }
        Ok(out)
    }

    pub async fn dev_obligations(
        &self,
        tenant: TenantId,
        case: CaseId,
    ) -> Result<Vec<StoredObligation>> {
        let mut pc = self.acquire().await?;
        obligations(&mut pc.conn(), tenant, case).await
    }

    /// The obligations under `regime` of every breach case reported in `[from, until)`, with their
    /// submissions — two queries however many cases (for the statistics).
    pub async fn dev_breach_obligations(
        &self,
        tenant: TenantId,
        regime: &str,
        from: OffsetDateTime,
        until: OffsetDateTime,
    ) -> Result<Vec<(CaseId, StoredObligation)>> {
        let mut args = Args::default();
        args.push(Arg::Uuid(tenant.0));
        args.push(Arg::Str(regime.to_owned()));
        let f = args.push(Arg::Ts(Ts(from)));
        let u = args.push(Arg::Ts(Ts(until)));
        let mut pc = self.acquire().await?;
        regime_obligations(
            &mut pc.conn(),
            &format!("k.is_breach = TRUE AND k.reported_at >= {f} AND k.reported_at < {u}"),
            &args,
        )
        .await
    }

    /// The obligations under `regime` of the given cases, with their submissions (two queries).
    pub async fn dev_obligations_of(
        &self,
        tenant: TenantId,
        regime: &str,
        cases: &[CaseId],
    ) -> Result<Vec<(CaseId, StoredObligation)>> {
        if cases.is_empty() {
            return Ok(Vec::new());
        }
        let mut args = Args::default();
        args.push(Arg::Uuid(tenant.0));
        args.push(Arg::Str(regime.to_owned()));
        let list = cases
            .iter()
            .map(|c| args.push(Arg::Uuid(c.0)))
            .collect::<Vec<_>>()
            .join(", ");
        let mut pc = self.acquire().await?;
        regime_obligations(&mut pc.conn(), &format!("k.id IN ({list})"), &args).await
    }

    /// The given cases of the tenant (in no particular order; unknown ids are left out).
    pub async fn dev_cases_by_id(&self, tenant: TenantId, ids: &[CaseId]) -> Result<Vec<Case>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut args = Args::default();
        args.push(Arg::Uuid(tenant.0));
        let list = ids
            .iter()
            .map(|c| args.push(Arg::Uuid(c.0)))
            .collect::<Vec<_>>()
            .join(", ");
        let sql =
            format!("SELECT {CASE_COLS} FROM dev_cases WHERE tenant_id = $1 AND id IN ({list})");
        let mut pc = self.acquire().await?;
        let rows: Vec<CaseRow> = on!(&mut pc.conn(), c => {
            let rows = bind_args(sqlx::query(&sql), &args.0).fetch_all(&mut *c).await?;
            rows.iter()
                .map(<CaseRow as sqlx::FromRow<_>>::from_row)
                .collect::<std::result::Result<Vec<_>, _>>()?
        });
        rows.into_iter().map(CaseRow::into_case).collect()
    }

    /// Escalation points already sent for a case: `(clock, point)`.
    pub async fn dev_escalations_sent(
        &self,
        tenant: TenantId,
        case: CaseId,
    ) -> Result<Vec<(String, String)>> {
        let mut pc = self.acquire().await?;
        let rows: Vec<(String, String)> = on!(&mut pc.conn(), c => sqlx::query_as(
            "SELECT clock, point FROM dev_escalations WHERE tenant_id = $1 AND case_id = $2 ORDER BY sent_at",
        )
        .bind(tenant.0)
        .bind(case.0)
        .fetch_all(&mut *c)
        .await?);
        Ok(rows)
    }

    /// Counts per month, category, unit, severity and breach flag (statistics).
    pub async fn dev_stats(
        &self,
        tenant: TenantId,
        from: OffsetDateTime,
        until: OffsetDateTime,
    ) -> Result<Vec<StatRow>> {
        let mut pc = self.acquire().await?;
        let month = match pc.conn().engine() {
            crate::db::Engine::Sqlite => "substr(reported_at, 1, 7)",
            crate::db::Engine::Postgres => "to_char(reported_at AT TIME ZONE 'UTC', 'YYYY-MM')",
        };
        let sql = format!(
            "SELECT {month} AS month, category_id, unit_id, severity, is_breach, COUNT(*) AS n FROM dev_cases \
             WHERE tenant_id = $1 AND reported_at >= $2 AND reported_at < $3 \
             GROUP BY {month}, category_id, unit_id, severity, is_breach ORDER BY 1"
        );
        #[allow(clippy::type_complexity)]
        let rows: Vec<(
            String,
            Option<Uuid>,
            Option<Uuid>,
            Option<String>,
            bool,
            i64,
        )> = on!(&mut pc.conn(), c => sqlx::query_as(&sql)
            .bind(tenant.0)
            .bind(ts(from))
            .bind(ts(until))
            .fetch_all(&mut *c)
            .await?);
        rows.into_iter()
            .map(|(month, category, unit, severity, is_breach, count)| {
                Ok(StatRow {
                    month,
                    category,
                    unit: unit.map(UnitId),
                    severity: severity.map(|s| parse_code("severity", &s)).transpose()?,
                    is_breach,
                    count,
                })
            })
            .collect()
    }

    /// Report, triage and close times of cases reported in `[from, until)`.
    pub async fn dev_case_times(
        &self,
        tenant: TenantId,
        from: OffsetDateTime,
        until: OffsetDateTime,
    ) -> Result<Vec<CaseTimes>> {
        let mut pc = self.acquire().await?;
        let rows: Vec<(Uuid, Ts, Option<Ts>, Option<Ts>)> = on!(&mut pc.conn(), c => sqlx::query_as(
            "SELECT id, reported_at, triaged_at, closed_at FROM dev_cases WHERE tenant_id = $1 AND reported_at >= $2 AND reported_at < $3",
        )
        .bind(tenant.0)
        .bind(ts(from))
        .bind(ts(until))
        .fetch_all(&mut *c)
        .await?);
        Ok(rows
            .into_iter()
            .map(|(id, r, t, cl)| CaseTimes {
                id: CaseId(id),
                reported_at: r.0,
                triaged_at: t.map(|x| x.0),
                closed_at: cl.map(|x| x.0),
            })
            .collect())
    }

    /// Stores the case's earliest running deadline: derived bookkeeping for the urgency order
    /// (recomputed from the audited record after each change), so not itself audited.
    pub async fn set_dev_next_due(
        &self,
        tenant: TenantId,
        id: CaseId,
        due: Option<OffsetDateTime>,
    ) -> Result<()> {
        let mut pc = self.acquire().await?;
        on!(&mut pc.conn(), c => sqlx::query("UPDATE dev_cases SET next_due = $3 WHERE tenant_id = $1 AND id = $2")
            .bind(tenant.0)
            .bind(id.0)
            .bind(ots(due))
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected())?);
        Ok(())
    }

    /// Ids of the tenant's cases with a running deadline due before `before` (the escalation sweep).
    pub async fn dev_cases_due_before(
        &self,
        tenant: TenantId,
        before: OffsetDateTime,
    ) -> Result<Vec<CaseId>> {
        let mut pc = self.acquire().await?;
        let rows: Vec<(Uuid,)> = on!(&mut pc.conn(), c => sqlx::query_as(
            "SELECT id FROM dev_cases WHERE tenant_id = $1 AND next_due IS NOT NULL AND next_due <= $2 ORDER BY next_due",
        )
        .bind(tenant.0)
        .bind(ts(before))
        .fetch_all(&mut *c)
        .await?);
        Ok(rows.into_iter().map(|(id,)| CaseId(id)).collect())
    }
}

/// A change to the working record (one method, one audit event).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CaseChange {
    Assign(Option<PersonId>),
    Category(Uuid),
    Severity(Option<Severity>),
    Risk(Consequence, Likelihood),
    Answer(String, Answer),
    Lessons(String),
    Secrecy(Secrecy, String),
    /// Correct the recorded moment of awareness (before any obligation exists).
    AwareAt(OffsetDateTime),
    BreachDraft(String),
    Hold(Option<Uuid>),
}

impl WriteTx {
    async fn dev_event(&mut self, case: CaseId, kind: &str, detail: String) -> Result<()> {
        let tenant = self.tenant();
        let now = self.now();
        let label = self.ctx.actor.label.clone();
        let person = self.ctx.actor.person;
        on!(&mut self.conn(), c => sqlx::query(
            "INSERT INTO dev_events (id, tenant_id, case_id, at, actor_label, actor_person, kind, detail) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(Uuid::now_v7())
        .bind(tenant.0)
        .bind(case.0)
        .bind(ts(now))
        .bind(&label)
        .bind(person.map(|p| p.0))
        .bind(kind)
        .bind(&detail)
        .execute(&mut *c)
        .await.map(|r| r.rows_affected())?);
        self.audit(
            EventDraft::new(
                AuditClass::Admin,
                &format!("deviation.{kind}"),
                "deviation",
                case,
            )
            .after(detail),
        )
        .await
    }

    async fn case_for_update(&mut self, id: CaseId) -> Result<Case> {
        let tenant = self.tenant();
        get_case(&mut self.conn(), tenant, id)
            .await?
            .ok_or(StoreError::NotFound)
    }

    /// Creates the default categories if the tenant has none. Returns them.
    pub async fn ensure_dev_categories(&mut self) -> Result<Vec<Category>> {
        let tenant = self.tenant();
        let existing = categories(&mut self.conn(), tenant).await?;
        if !existing.is_empty() {
            return Ok(existing);
        }
        for (key, security) in DEFAULT_CATEGORIES {
            self.create_dev_category(key, "", *security).await?;
        }
        categories(&mut self.conn(), tenant).await
    }

    /// Adds a category of the tenant.
    pub async fn create_dev_category(
        &mut self,
        key: &str,
        name: &str,
        security: bool,
    ) -> Result<Category> {
        let tenant = self.tenant();
        let key = key.trim();
        if key.is_empty()
            || key.len() > 64
            || !key
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        {
            return Err(StoreError::Invalid("deviation.category_key_invalid"));
        }
        check_text(
            name,
            MAX_TITLE_CHARS,
            false,
            "deviation.category_name_invalid",
        )?;
        let cat = Category {
            id: Uuid::now_v7(),
            key: key.to_owned(),
            name: name.trim().to_owned(),
            security,
            active: true,
        };
        let now = self.now();
        on!(&mut self.conn(), c => sqlx::query(
            "INSERT INTO dev_categories (id, tenant_id, key, name, security, active, created_at) VALUES ($1, $2, $3, $4, $5, TRUE, $6)",
        )
        .bind(cat.id)
        .bind(tenant.0)
        .bind(&cat.key)
        .bind(&cat.name)
        .bind(cat.security)
        .bind(ts(now))
        .execute(&mut *c)
        .await.map(|r| r.rows_affected())
        .map_err(StoreError::from)
        .map_err(crate::error::conflict_as("deviation.category_key_taken"))?);
        self.audit(
            EventDraft::new(
                AuditClass::Admin,
                "deviation.category_create",
                "deviation_category",
                cat.id,
            )
            .after(format!("{} {}", cat.key, cat.name)),
        )
        .await?;
        Ok(cat)
    }

    /// Saves the module's configuration.
    pub async fn set_dev_config(&mut self, cfg: &DevConfig) -> Result<()> {
        let tenant = self.tenant();
        if !(1..=24 * 30).contains(&cfg.triage_hours) {
            return Err(StoreError::Invalid("deviation.triage_hours_invalid"));
        }
        if !(1..=1000).contains(&cfg.stats_threshold) {
            return Err(StoreError::Invalid("deviation.threshold_invalid"));
        }
        check_text(
            &cfg.regimes_toml,
            100_000,
            false,
            "deviation.regimes_invalid",
        )?;
        if let Some(a) = &cfg.on_duty_email
            && (a.len() > 254
                || a.chars().any(|c| c.is_whitespace() || c.is_control())
                || !a
                    .split_once('@')
                    .is_some_and(|(l, d)| !l.is_empty() && d.contains('.')))
        {
            return Err(StoreError::Invalid("deviation.on_duty_invalid"));
        }
        let now = self.now();
        let sql = format!(
            "INSERT INTO dev_config ({CONFIG_COLS}, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $9, $8) \
             ON CONFLICT (tenant_id) DO UPDATE SET anonymous_enabled = $2, anonymous_token = $3, triage_hours = $4, \
             regimes_toml = $5, escalation_webhook = $6, stats_threshold = $7, on_duty_email = $9, updated_at = $8"
        );
        on!(&mut self.conn(), c => sqlx::query(&sql)
            .bind(tenant.0)
            .bind(cfg.anonymous_enabled)
            .bind(cfg.anonymous_token.as_deref())
            .bind(cfg.triage_hours)
            .bind(&cfg.regimes_toml)
            .bind(cfg.escalation_webhook.as_deref())
            .bind(cfg.stats_threshold)
            .bind(ts(now))
            .bind(cfg.on_duty_email.as_deref())
            .execute(&mut *c)
            .await.map(|r| r.rows_affected())?);
        self.audit(
            EventDraft::new(
                AuditClass::Security,
                "deviation.config",
                "deviation_config",
                tenant,
            )
            .after(format!(
                "anonymous={} triage_hours={} threshold={} own_regimes={} webhook={} on_duty={}",
                cfg.anonymous_enabled,
                cfg.triage_hours,
                cfg.stats_threshold,
                !cfg.regimes_toml.trim().is_empty(),
                cfg.escalation_webhook.is_some(),
                cfg.on_duty_email.as_deref().unwrap_or("")
            )),
        )
        .await
    }

    /// Sets (or with `None` removes) the secret that signs the tenant's webhook posts. It is
    /// stored sealed; the audit event says that it changed, never what it is.
    pub async fn set_dev_webhook_secret(&mut self, secret: Option<&str>) -> Result<()> {
        let tenant = self.tenant();
        if let Some(s) = secret
            && (s.len() < 16
                || s.len() > 200
                || s.chars().any(|c| c.is_whitespace() || c.is_control()))
        {
            return Err(StoreError::Invalid("deviation.webhook_secret_invalid"));
        }
        let sealed = secret
            .map(|s| self.key.seal(&webhook_aad(tenant), s))
            .transpose()?;
        let now = self.now();
        // The module's row exists once its settings have been saved; made with the defaults
        // otherwise.
        on!(&mut self.conn(), c => sqlx::query(
            "INSERT INTO dev_config (tenant_id, webhook_secret, updated_at) VALUES ($1, $2, $3) \
             ON CONFLICT (tenant_id) DO UPDATE SET webhook_secret = $2, updated_at = $3",
        )
        .bind(tenant.0)
        .bind(sealed.as_deref())
        .bind(ts(now))
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected())?);
        self.audit(EventDraft::new(
            AuditClass::Security,
            if secret.is_some() {
                "deviation.webhook_secret_set"
            } else {
                "deviation.webhook_secret_removed"
            },
            "deviation_config",
            tenant,
        ))
        .await
    }

    /// Records a new report: the as-reported snapshot (immutable, hashed into the audit chain)
    /// and the working record in state `reported`. The moment of awareness is the report time.
    pub async fn report_dev_case(&mut self, new: NewCase) -> Result<Case> {
        let tenant = self.tenant();
        check_text(&new.title, MAX_TITLE_CHARS, true, "deviation.title_invalid")?;
        check_text(
            &new.description,
            MAX_TEXT_CHARS,
            false,
            "deviation.description_invalid",
        )?;
        let now = self.now();
        if new.discovered_at > now || new.occurred_at.is_some_and(|o| o > now) {
            return Err(StoreError::Invalid("deviation.time_in_future"));
        }
        if new
            .occurred_at
            .is_some_and(|o| o > new.discovered_at + time::Duration::minutes(1))
        {
            return Err(StoreError::Invalid("deviation.discovered_before_occurred"));
        }
        if new.affected.len() > 50 {
            return Err(StoreError::Invalid("deviation.affected_invalid"));
        }
        for (_, label) in &new.affected {
            check_text(label, MAX_TITLE_CHARS, true, "deviation.affected_invalid")?;
        }
        let cats = self.ensure_dev_categories().await?;
        let cat = cats
            .iter()
            .find(|c| c.key == new.category_key && c.active)
            .ok_or(StoreError::Invalid("deviation.category_unknown"))?;
        if let Some(u) = new.unit
            && crate::units::get(&mut self.conn(), tenant, u)
                .await?
                .is_none()
        {
            return Err(StoreError::Invalid("deviation.unit_unknown"));
        }
        let (reporter_person, reporter_account, anonymous, receipt_hash) = match &new.reporter {
            Reporter::Person { person, account } => (Some(*person), *account, false, None),
            Reporter::Anonymous { receipt_hash } => (None, None, true, Some(receipt_hash.clone())),
        };
        let number: i64 = on!(&mut self.conn(), c => sqlx::query_as::<_, (i64,)>(
            "SELECT COALESCE(MAX(number), 0) + 1 FROM dev_cases WHERE tenant_id = $1",
        )
        .bind(tenant.0)
        .fetch_one(&mut *c)
        .await?)
        .0;
        let id = CaseId::new();
        // The snapshot never holds the receipt code's hash (it is a credential of sorts).
        let snapshot_value = serde_json::json!({
            "case": id,
            "number": number,
            "title": new.title.trim(),
            "description": new.description.trim(),
            "category": new.category_key,
            "unit": new.unit,
            "occurred_at": new.occurred_at.map(|t| Ts(t).format()),
            "discovered_at": Ts(new.discovered_at).format(),
            "reported_at": Ts(now).format(),
            "personal_data": new.personal_data,
            "affected": new.affected,
            "reporter": match &new.reporter {
                Reporter::Person { person, .. } => serde_json::json!({"person": person}),
                Reporter::Anonymous { .. } => serde_json::json!("anonymous"),
            },
        });
        let snapshot = to_json(&snapshot_value)?;
        let hash = snapshot_hash(&snapshot);
        let sql = "INSERT INTO dev_cases (id, tenant_id, number, title, description, category_id, unit_id, \
            reporter_person, reporter_account, anonymous, receipt_hash, occurred_at, discovered_at, aware_at, \
            reported_at, personal_data, reported_snapshot, reported_hash, state, checklist, updated_at, search_title) \
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, 'reported', '{}', $14, $19)";
        on!(&mut self.conn(), c => sqlx::query(sql)
            .bind(id.0)
            .bind(tenant.0)
            .bind(number)
            .bind(new.title.trim())
            .bind(new.description.trim())
            .bind(cat.id)
            .bind(new.unit.map(|u| u.0))
            .bind(reporter_person.map(|p| p.0))
            .bind(reporter_account.map(|a| a.0))
            .bind(anonymous)
            .bind(receipt_hash.as_deref())
            .bind(ots(new.occurred_at))
            .bind(ts(new.discovered_at))
            .bind(ts(now))
            .bind(ts(now))
            .bind(code(&new.personal_data))
            .bind(&snapshot)
            .bind(&hash)
            .bind(search_fold(&new.title))
            .execute(&mut *c)
            .await.map(|r| r.rows_affected())
            .map_err(StoreError::from)
            .map_err(crate::error::conflict_as("deviation.conflict"))?);
        for (kind, label) in &new.affected {
            on!(&mut self.conn(), c => sqlx::query(
                "INSERT INTO dev_affected (id, tenant_id, case_id, kind, label, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(Uuid::now_v7())
            .bind(tenant.0)
            .bind(id.0)
            .bind(code(kind))
            .bind(label.trim())
            .bind(ts(now))
            .execute(&mut *c)
            .await.map(|r| r.rows_affected())?);
        }
        self.dev_event(
            id,
            "report",
            format!("number={number} snapshot_sha256={hash}"),
        )
        .await?;
        get_case(&mut self.conn(), tenant, id)
            .await?
            .ok_or(StoreError::NotFound)
    }

    /// Moves a case from `from` to `to` (the caller checked the transition with
    /// `vakt_core::deviations::check_transition`). Refused if the case is no longer in `from`.
    pub async fn set_dev_state(
        &mut self,
        id: CaseId,
        from: CaseState,
        to: CaseState,
        reason: Option<&str>,
    ) -> Result<Case> {
        let tenant = self.tenant();
        if let Some(r) = reason {
            check_text(r, MAX_TEXT_CHARS, false, "deviation.reason_invalid")?;
        }
        let now = self.now();
        let triaged = (to == CaseState::Triage).then_some(now);
        let closed = (to == CaseState::Closed).then_some(now);
        let dismissed = (to == CaseState::Closed && from == CaseState::Triage)
            .then(|| reason.unwrap_or_default().trim().to_owned());
        let n = on!(&mut self.conn(), c => sqlx::query(
            "UPDATE dev_cases SET state = $3, triaged_at = COALESCE(triaged_at, $5), closed_at = $6, \
             dismissed_reason = COALESCE($7, dismissed_reason), updated_at = $8 \
             WHERE tenant_id = $1 AND id = $2 AND state = $4",
        )
        .bind(tenant.0)
        .bind(id.0)
        .bind(code(&to))
        .bind(code(&from))
        .bind(ots(triaged))
        .bind(ots(closed))
        .bind(dismissed.as_deref())
        .bind(ts(now))
        .execute(&mut *c)
        .await.map(|r| r.rows_affected())?);
        if n == 0 {
            return match get_case(&mut self.conn(), tenant, id).await? {
                Some(_) => Err(StoreError::Conflict("deviation.state_changed")),
                None => Err(StoreError::NotFound),
            };
        }
        let mut detail = format!("{} -> {}", code(&from), code(&to));
        if let Some(r) = reason.map(str::trim).filter(|r| !r.is_empty()) {
            detail.push_str(": ");
            detail.push_str(r);
        }
        self.dev_event(id, "transition", detail).await?;
        self.case_for_update(id).await
    }

    /// Changes one field of the working record.
    pub async fn change_dev_case(&mut self, id: CaseId, change: CaseChange) -> Result<Case> {
        let tenant = self.tenant();
        let before = self.case_for_update(id).await?;
        let now = self.now();
        let (set, detail, kind): (&str, String, &str) = match &change {
            CaseChange::Assign(p) => {
                if let Some(p) = p {
                    let exists: Option<(Uuid,)> = on!(&mut self.conn(), c => sqlx::query_as("SELECT id FROM people WHERE tenant_id = $1 AND id = $2")
                        .bind(tenant.0).bind(p.0).fetch_optional(&mut *c).await?);
                    if exists.is_none() {
                        return Err(StoreError::Invalid("deviation.person_unknown"));
                    }
                }
                (
                    "assignee = $3",
                    p.map(|p| p.to_string()).unwrap_or_default(),
                    "assign",
                )
            }
            CaseChange::Category(cat) => {
                let cats = categories(&mut self.conn(), tenant).await?;
                if !cats.iter().any(|c| c.id == *cat) {
                    return Err(StoreError::Invalid("deviation.category_unknown"));
                }
                ("category_id = $3", cat.to_string(), "category")
            }
            CaseChange::Severity(s) => (
                "severity = $3",
                s.map(|s| code(&s)).unwrap_or_default(),
                "severity",
            ),
            CaseChange::Risk(c, l) => (
                "consequence = $3, likelihood = $4",
                format!("{} x {}", code(c), code(l)),
                "risk",
            ),
            CaseChange::Answer(key, answer) => {
                if !vakt_core::deviations::accepts(
                    vakt_core::deviations::INVESTIGATION_CHECKLIST,
                    key,
                    answer,
                ) {
                    return Err(StoreError::Invalid("deviation.answer_invalid"));
                }
                if let Answer::Text(t) | Answer::Choice(t) = answer {
                    check_text(t, MAX_TEXT_CHARS, false, "deviation.answer_invalid")?;
                }
                (
                    "checklist = $3",
                    format!("{key}={}", to_json(answer)?),
                    "checklist",
                )
            }
            CaseChange::Lessons(t) => {
                check_text(t, MAX_TEXT_CHARS, false, "deviation.lessons_invalid")?;
                ("lessons_learned = $3", t.trim().to_owned(), "lessons")
            }
            CaseChange::Secrecy(s, basis) => {
                check_text(basis, MAX_TITLE_CHARS, false, "deviation.secrecy_invalid")?;
                if *s != Secrecy::Open && basis.trim().is_empty() {
                    return Err(StoreError::Invalid("deviation.secrecy_basis_required"));
                }
                (
                    "secrecy = $3, secrecy_basis = $4",
                    format!("{} {}", code(s), basis.trim()),
                    "secrecy",
                )
            }
            CaseChange::AwareAt(t) => {
                if *t > now || *t < before.discovered_at - time::Duration::days(3650) {
                    return Err(StoreError::Invalid("deviation.time_in_future"));
                }
                if !obligations(&mut self.conn(), tenant, id).await?.is_empty() {
                    return Err(StoreError::Invalid("deviation.aware_at_locked"));
                }
                ("aware_at = $3", Ts(*t).format(), "aware_at")
            }
            CaseChange::BreachDraft(json) => {
                check_text(json, MAX_TEXT_CHARS * 5, false, "deviation.draft_invalid")?;
                (
                    "breach_draft = $3",
                    "draft saved".to_owned(),
                    "breach_draft",
                )
            }
            CaseChange::Hold(h) => (
                "hold_id = $3",
                h.map(|h| h.to_string()).unwrap_or_default(),
                "hold",
            ),
        };
        let sql =
            format!("UPDATE dev_cases SET {set}, updated_at = $2 WHERE tenant_id = $1 AND id = $5");
        // Fixed positions: $1 tenant, $2 now, $3 and $4 the values, $5 the case.
        let sql = if set.contains("$4") {
            sql
        } else {
            sql.replace("$5", "$4")
        };
        macro_rules! run {
            ($a:expr) => {
                on!(&mut self.conn(), c => sqlx::query(&sql).bind(tenant.0).bind(ts(now)).bind($a).bind(id.0).execute(&mut *c).await.map(|r| r.rows_affected())?)
            };
            ($a:expr, $b:expr) => {
                on!(&mut self.conn(), c => sqlx::query(&sql).bind(tenant.0).bind(ts(now)).bind($a).bind($b).bind(id.0).execute(&mut *c).await.map(|r| r.rows_affected())?)
            };
        }
        match &change {
            CaseChange::Assign(p) => run!(p.map(|p| p.0)),
            CaseChange::Category(c) => run!(*c),
            CaseChange::Severity(s) => run!(s.map(|s| code(&s))),
            CaseChange::Risk(c, l) => run!(code(c), code(l)),
            CaseChange::Answer(key, answer) => {
                let mut answers = before.checklist.clone();
                answers.insert(key.clone(), answer.clone());
                run!(to_json(&answers)?)
            }
            CaseChange::Lessons(t) => run!(t.trim().to_owned()),
            CaseChange::Secrecy(s, basis) => run!(code(s), basis.trim().to_owned()),
            CaseChange::AwareAt(t) => run!(ts(*t)),
            CaseChange::BreachDraft(j) => run!(j.clone()),
            CaseChange::Hold(h) => run!(*h),
        };
        self.dev_event(id, kind, detail).await?;
        self.case_for_update(id).await
    }

    /// Flags (or unflags) a case as a personal-data breach or a significant incident and stores
    /// the obligations the flag starts (from `vakt_core::deviations::start_obligations`).
    pub async fn flag_dev_case(
        &mut self,
        id: CaseId,
        breach: Option<bool>,
        significant: Option<bool>,
        start: &[Obligation],
    ) -> Result<Case> {
        let tenant = self.tenant();
        let now = self.now();
        self.case_for_update(id).await?;
        if let Some(b) = breach {
            on!(&mut self.conn(), c => sqlx::query(
                "UPDATE dev_cases SET is_breach = $3, breach_flagged_at = CASE WHEN $3 THEN COALESCE(breach_flagged_at, $4) ELSE breach_flagged_at END, updated_at = $4 WHERE tenant_id = $1 AND id = $2",
            )
            .bind(tenant.0).bind(id.0).bind(b).bind(ts(now))
            .execute(&mut *c).await.map(|r| r.rows_affected())?);
        }
        if let Some(s) = significant {
            on!(&mut self.conn(), c => sqlx::query(
                "UPDATE dev_cases SET significant = $3, significant_flagged_at = CASE WHEN $3 THEN COALESCE(significant_flagged_at, $4) ELSE significant_flagged_at END, updated_at = $4 WHERE tenant_id = $1 AND id = $2",
            )
            .bind(tenant.0).bind(id.0).bind(s).bind(ts(now))
            .execute(&mut *c).await.map(|r| r.rows_affected())?);
        }
        let existing: Vec<String> = obligations(&mut self.conn(), tenant, id)
            .await?
            .into_iter()
            .map(|o| o.obligation.regime)
            .collect();
        let mut started = Vec::new();
        for o in start {
            if existing.contains(&o.regime) {
                continue;
            }
            on!(&mut self.conn(), c => sqlx::query(
                "INSERT INTO dev_obligations (id, tenant_id, case_id, regime, aware_at, decision, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(Uuid::now_v7())
            .bind(tenant.0)
            .bind(id.0)
            .bind(&o.regime)
            .bind(ts(o.aware_at))
            .bind(o.decision.as_ref().map(to_json).transpose()?)
            .bind(ts(now))
            .execute(&mut *c)
            .await.map(|r| r.rows_affected())?);
            started.push(o.regime.clone());
        }
        let detail = format!(
            "breach={} significant={} obligations=[{}]",
            breach.map(|b| b.to_string()).unwrap_or_else(|| "-".into()),
            significant
                .map(|b| b.to_string())
                .unwrap_or_else(|| "-".into()),
            started.join(",")
        );
        self.dev_event(id, "flag", detail).await?;
        self.case_for_update(id).await
    }

    /// Stores an obligation's new decision and any new submissions (the caller ran the core rule
    /// `Obligation::decide_*` / `Obligation::record_submission` on the loaded record).
    pub async fn save_dev_obligation(&mut self, id: CaseId, updated: &Obligation) -> Result<()> {
        let tenant = self.tenant();
        let now = self.now();
        let current = obligations(&mut self.conn(), tenant, id)
            .await?
            .into_iter()
            .find(|o| o.obligation.regime == updated.regime)
            .ok_or(StoreError::NotFound)?;
        if updated.submissions.len() < current.obligation.submissions.len()
            || updated.submissions[..current.obligation.submissions.len()]
                != current.obligation.submissions[..]
        {
            // The submission log is append-only.
            return Err(StoreError::Invalid("deviation.submissions_append_only"));
        }
        let mut details = Vec::new();
        if updated.decision != current.obligation.decision {
            on!(&mut self.conn(), c => sqlx::query(
                "UPDATE dev_obligations SET decision = $3 WHERE tenant_id = $1 AND id = $2",
            )
            .bind(tenant.0)
            .bind(current.id)
            .bind(updated.decision.as_ref().map(to_json).transpose()?)
            .execute(&mut *c)
            .await.map(|r| r.rows_affected())?);
            details.push(format!(
                "decision {}",
                updated
                    .decision
                    .as_ref()
                    .map(to_json)
                    .transpose()?
                    .unwrap_or_default()
            ));
        }
        for s in &updated.submissions[current.obligation.submissions.len()..] {
            check_text(
                &s.channel,
                MAX_TITLE_CHARS,
                true,
                "deviation.channel_invalid",
            )?;
            if let Some(r) = &s.authority_reference {
                check_text(r, MAX_TITLE_CHARS, false, "deviation.reference_invalid")?;
            }
            if let Some(r) = &s.delay_reasons {
                check_text(r, MAX_TEXT_CHARS, false, "deviation.reason_invalid")?;
            }
            on!(&mut self.conn(), c => sqlx::query(
                "INSERT INTO dev_submissions (id, tenant_id, obligation_id, phase, kind, at, by_person, channel, authority_reference, delay_reasons, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            )
            .bind(Uuid::now_v7())
            .bind(tenant.0)
            .bind(current.id)
            .bind(&s.phase)
            .bind(code(&s.kind))
            .bind(ts(s.at))
            .bind(s.by.0)
            .bind(s.channel.trim())
            .bind(s.authority_reference.as_deref().map(str::trim))
            .bind(s.delay_reasons.as_deref().map(str::trim))
            .bind(ts(now))
            .execute(&mut *c)
            .await.map(|r| r.rows_affected())?);
            details.push(format!(
                "submission {} {} at={} channel={} ref={}{}",
                s.phase,
                code(&s.kind),
                Ts(s.at).format(),
                s.channel.trim(),
                s.authority_reference.as_deref().unwrap_or(""),
                if s.delay_reasons.is_some() {
                    " (late, reasons given)"
                } else {
                    ""
                }
            ));
        }
        if details.is_empty() {
            return Err(StoreError::Invalid("deviation.nothing_changed"));
        }
        self.dev_event(
            id,
            "obligation",
            format!("{}: {}", updated.regime, details.join("; ")),
        )
        .await
    }

    pub async fn add_dev_comment(&mut self, id: CaseId, body: &str) -> Result<Comment> {
        let tenant = self.tenant();
        self.case_for_update(id).await?;
        check_text(body, MAX_TEXT_CHARS, true, "deviation.comment_invalid")?;
        let comment = Comment {
            id: Uuid::now_v7(),
            at: self.now(),
            author_person: self.ctx.actor.person,
            author_label: self.ctx.actor.label.clone(),
            body: body.trim().to_owned(),
        };
        on!(&mut self.conn(), c => sqlx::query(
            "INSERT INTO dev_comments (id, tenant_id, case_id, at, author_person, author_label, body) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(comment.id)
        .bind(tenant.0)
        .bind(id.0)
        .bind(ts(comment.at))
        .bind(comment.author_person.map(|p| p.0))
        .bind(&comment.author_label)
        .bind(&comment.body)
        .execute(&mut *c)
        .await.map(|r| r.rows_affected())?);
        self.dev_event(id, "comment", comment.id.to_string())
            .await?;
        Ok(comment)
    }

    pub async fn add_dev_attachment(
        &mut self,
        id: CaseId,
        new: NewAttachment,
    ) -> Result<Attachment> {
        let tenant = self.tenant();
        self.case_for_update(id).await?;
        if new.data.is_empty() || new.data.len() > MAX_ATTACHMENT_BYTES {
            return Err(StoreError::Invalid("deviation.attachment_size"));
        }
        if !ATTACHMENT_TYPES.contains(&new.content_type.as_str()) {
            return Err(StoreError::Invalid("deviation.attachment_type"));
        }
        check_text(
            &new.name,
            MAX_TITLE_CHARS,
            true,
            "deviation.attachment_name",
        )?;
        if new.name.contains(['/', '\\']) {
            return Err(StoreError::Invalid("deviation.attachment_name"));
        }
        check_text(
            &new.secrecy_basis,
            MAX_TITLE_CHARS,
            false,
            "deviation.secrecy_invalid",
        )?;
        if new.secrecy != Secrecy::Open && new.secrecy_basis.trim().is_empty() {
            return Err(StoreError::Invalid("deviation.secrecy_basis_required"));
        }
        let att = Attachment {
            id: Uuid::now_v7(),
            case_id: id,
            name: new.name.trim().to_owned(),
            content_type: new.content_type.clone(),
            size: i64::try_from(new.data.len()).unwrap_or(i64::MAX),
            sha256: hex::encode(Sha256::digest(&new.data)),
            secrecy: new.secrecy,
            secrecy_basis: new.secrecy_basis.trim().to_owned(),
            uploaded_by: self.ctx.actor.label.clone(),
            created_at: self.now(),
        };
        on!(&mut self.conn(), c => sqlx::query(
            "INSERT INTO dev_attachments (id, tenant_id, case_id, name, content_type, size, sha256, data, secrecy, secrecy_basis, uploaded_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(att.id)
        .bind(tenant.0)
        .bind(id.0)
        .bind(&att.name)
        .bind(&att.content_type)
        .bind(att.size)
        .bind(&att.sha256)
        .bind(&new.data)
        .bind(code(&att.secrecy))
        .bind(&att.secrecy_basis)
        .bind(&att.uploaded_by)
        .bind(ts(att.created_at))
        .execute(&mut *c)
        .await.map(|r| r.rows_affected())?);
        self.dev_event(
            id,
            "attachment",
            format!(
                "{} {} {} bytes sha256={}",
                att.id, att.name, att.size, att.sha256
            ),
        )
        .await?;
        Ok(att)
    }

    /// Links two cases of the tenant (idempotent; a case cannot link to itself).
    pub async fn link_dev_cases(&mut self, a: CaseId, b: CaseId) -> Result<()> {
        let tenant = self.tenant();
        if a == b {
            return Err(StoreError::Invalid("deviation.link_self"));
        }
        self.case_for_update(a).await?;
        self.case_for_update(b).await?;
        let (x, y) = if a.0 < b.0 { (a, b) } else { (b, a) };
        let now = self.now();
        on!(&mut self.conn(), c => sqlx::query(
            "INSERT INTO dev_links (tenant_id, case_a, case_b, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
        )
        .bind(tenant.0)
        .bind(x.0)
        .bind(y.0)
        .bind(ts(now))
        .execute(&mut *c)
        .await.map(|r| r.rows_affected())?);
        self.dev_event(a, "link", b.to_string()).await?;
        self.dev_event(b, "link", a.to_string()).await
    }

    pub async fn add_dev_measure(
        &mut self,
        id: CaseId,
        title: &str,
        owner: PersonId,
        due: Option<OffsetDateTime>,
    ) -> Result<Measure> {
        let tenant = self.tenant();
        self.case_for_update(id).await?;
        check_text(
            title,
            MAX_TITLE_CHARS,
            true,
            "deviation.measure_title_invalid",
        )?;
        let exists: Option<(Uuid,)> = on!(&mut self.conn(), c => sqlx::query_as("SELECT id FROM people WHERE tenant_id = $1 AND id = $2")
            .bind(tenant.0).bind(owner.0).fetch_optional(&mut *c).await?);
        if exists.is_none() {
            return Err(StoreError::Invalid("deviation.person_unknown"));
        }
        let m = Measure {
            id: MeasureId::new(),
            title: title.trim().to_owned(),
            owner,
            due,
            status: MeasureStatus::Open,
        };
        let now = self.now();
        on!(&mut self.conn(), c => sqlx::query(
            "INSERT INTO dev_measures (id, tenant_id, case_id, title, owner, due_at, status, created_at) VALUES ($1, $2, $3, $4, $5, $6, 'open', $7)",
        )
        .bind(m.id.0)
        .bind(tenant.0)
        .bind(id.0)
        .bind(&m.title)
        .bind(owner.0)
        .bind(ots(due))
        .bind(ts(now))
        .execute(&mut *c)
        .await.map(|r| r.rows_affected())?);
        self.dev_event(
            id,
            "measure_add",
            format!(
                "{} owner={} due={} {}",
                m.id,
                owner,
                due.map(|d| Ts(d).format()).unwrap_or_default(),
                m.title
            ),
        )
        .await?;
        Ok(m)
    }

    /// Marks a measure done, or waives it with a reason (`waive = Some(reason)`).
    pub async fn settle_dev_measure(
        &mut self,
        id: CaseId,
        measure: MeasureId,
        waive: Option<&str>,
    ) -> Result<Measure> {
        let tenant = self.tenant();
        let now = self.now();
        let by = self
            .ctx
            .actor
            .person
            .ok_or(StoreError::Invalid("deviation.person_required"))?;
        let mut m = measures(&mut self.conn(), tenant, id)
            .await?
            .into_iter()
            .find(|m| m.id == measure)
            .ok_or(StoreError::NotFound)?;
        if m.is_settled() {
            return Err(StoreError::Conflict("deviation.measure_settled"));
        }
        let (status, reason) = match waive {
            Some(r) => {
                check_text(r, MAX_TEXT_CHARS, true, "deviation.reason_required")?;
                m.waive(r, by, now)
                    .map_err(|_| StoreError::Invalid("deviation.reason_required"))?;
                ("waived", Some(r.trim().to_owned()))
            }
            None => {
                m.status = MeasureStatus::Done { at: now, by };
                ("done", None)
            }
        };
        on!(&mut self.conn(), c => sqlx::query(
            "UPDATE dev_measures SET status = $4, done_at = $5, done_by = $6, waive_reason = $7 WHERE tenant_id = $1 AND case_id = $2 AND id = $3",
        )
        .bind(tenant.0)
        .bind(id.0)
        .bind(measure.0)
        .bind(status)
        .bind(ts(now))
        .bind(by.0)
        .bind(reason.as_deref())
        .execute(&mut *c)
        .await.map(|r| r.rows_affected())?);
        self.dev_event(
            id,
            "measure_settle",
            format!("{measure} {status} {}", reason.unwrap_or_default()),
        )
        .await?;
        Ok(m)
    }

    /// Records that an escalation point of a clock was sent; `false` if it already was (so each
    /// point goes out exactly once).
    pub async fn mark_dev_escalation(
        &mut self,
        id: CaseId,
        clock: &str,
        point: &str,
    ) -> Result<bool> {
        let tenant = self.tenant();
        let now = self.now();
        let n = on!(&mut self.conn(), c => sqlx::query(
            "INSERT INTO dev_escalations (tenant_id, case_id, clock, point, sent_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
        )
        .bind(tenant.0)
        .bind(id.0)
        .bind(clock)
        .bind(point)
        .bind(ts(now))
        .execute(&mut *c)
        .await.map(|r| r.rows_affected())?);
        if n == 0 {
            return Ok(false);
        }
        self.dev_event(id, "escalation", format!("{clock} {point}"))
            .await?;
        Ok(true)
    }

    /// Places a legal hold on every audit event about the case (its object `deviation/<id>`)
    /// while the investigation is open; idempotent.
    pub async fn hold_dev_case(&mut self, id: CaseId, reason: &str) -> Result<Uuid> {
        let case = self.case_for_update(id).await?;
        if let Some(h) = case.hold_id {
            return Ok(h);
        }
        let hold = self
            .place_legal_hold(
                vakt_core::audit::HoldScope::Object {
                    object_type: "deviation".into(),
                    object_id: id.to_string(),
                },
                reason,
            )
            .await?;
        self.change_dev_case(id, CaseChange::Hold(Some(hold.id)))
            .await?;
        Ok(hold.id)
    }

    /// Releases the case's legal hold (at closure); nothing to do when there is none.
    pub async fn release_dev_case_hold(&mut self, id: CaseId) -> Result<()> {
        let case = self.case_for_update(id).await?;
        if let Some(h) = case.hold_id {
            self.release_legal_hold(h).await?;
            self.change_dev_case(id, CaseChange::Hold(None)).await?;
        }
        Ok(())
    }
}

/// One synthetic case for [`WriteTx::bulk_insert_dev_cases`] (benchmarks: `vakt demo --cases N`).
#[derive(Debug, Clone)]
pub struct BulkCase {
    pub title: String,
    pub description: String,
    /// A category of the tenant ([`Category::id`]).
    pub category: Uuid,
    pub unit: Option<UnitId>,
    pub reporter: Option<PersonId>,
    pub discovered_at: OffsetDateTime,
    pub reported_at: OffsetDateTime,
    pub state: CaseState,
    pub personal_data: PersonalData,
    pub is_breach: bool,
}

impl WriteTx {
    /// Inserts many cases at once with multi-row INSERTs (benchmark data; one audit event for the
    /// whole batch). Numbers continue after the tenant's highest. Categories, units and people are
    /// checked by the foreign keys (tenant included). Returns the number of cases inserted.
    pub async fn bulk_insert_dev_cases(&mut self, cases: &[BulkCase]) -> Result<u64> {
        let tenant = self.tenant();
        for c in cases {
            check_text(&c.title, MAX_TITLE_CHARS, true, "deviation.title_invalid")?;
            check_text(
                &c.description,
                MAX_TEXT_CHARS,
                false,
                "deviation.description_invalid",
            )?;
            if c.discovered_at > c.reported_at {
                return Err(StoreError::Invalid("deviation.time_in_future"));
            }
        }
        let mut number: i64 = on!(&mut self.conn(), c => sqlx::query_as::<_, (i64,)>(
            "SELECT COALESCE(MAX(number), 0) FROM dev_cases WHERE tenant_id = $1",
        )
        .bind(tenant.0)
        .fetch_one(&mut *c)
        .await?)
        .0;
        const COLS: usize = 21;
        let engine = self.conn().engine();
        for chunk in cases.chunks(500) {
            let sql = format!(
                "INSERT INTO dev_cases (id, tenant_id, number, title, description, category_id, unit_id, \
                 reporter_person, anonymous, occurred_at, discovered_at, aware_at, reported_at, personal_data, \
                 reported_snapshot, reported_hash, state, is_breach, breach_flagged_at, updated_at, search_title) VALUES {}",
                values_placeholders(engine, chunk.len(), COLS)
            );
            let mut rows = Vec::with_capacity(chunk.len());
            for b in chunk {
                number += 1;
                let id = CaseId::new();
                let snapshot = to_json(&serde_json::json!({
                    "case": id,
                    "number": number,
                    "title": b.title.trim(),
                    "description": b.description.trim(),
                    "unit": b.unit,
                    "discovered_at": Ts(b.discovered_at).format(),
                    "reported_at": Ts(b.reported_at).format(),
                    "personal_data": b.personal_data,
                    "reporter": b.reporter.map(|p| serde_json::json!({"person": p})),
                }))?;
                let hash = snapshot_hash(&snapshot);
                rows.push((id, number, snapshot, hash));
            }
            on!(&mut self.conn(), c => {
                let mut q = sqlx::query(&sql);
                for (b, (id, number, snapshot, hash)) in chunk.iter().zip(&rows) {
                    q = q
                        .bind(id.0)
                        .bind(tenant.0)
                        .bind(*number)
                        .bind(b.title.trim())
                        .bind(b.description.trim())
                        .bind(b.category)
                        .bind(b.unit.map(|u| u.0))
                        .bind(b.reporter.map(|p| p.0))
                        .bind(false)
                        .bind(ots(None))
                        .bind(ts(b.discovered_at))
                        .bind(ts(b.discovered_at))
                        .bind(ts(b.reported_at))
                        .bind(code(&b.personal_data))
                        .bind(snapshot)
                        .bind(hash)
                        .bind(code(&b.state))
                        .bind(b.is_breach)
                        .bind(ots(b.is_breach.then_some(b.reported_at)))
                        .bind(ts(b.reported_at))
                        .bind(search_fold(&b.title));
                }
                q.execute(&mut *c).await.map(|r| r.rows_affected())?
            });
        }
        let n = cases.len() as u64;
        self.audit(
            EventDraft::new(
                AuditClass::Admin,
                "deviation.bulk_insert",
                "deviation",
                tenant,
            )
            .after(format!("{n} cases")),
        )
        .await?;
        Ok(n)
    }
}
