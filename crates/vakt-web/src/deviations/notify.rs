//! Notices and escalations by e-mail, always through the outbox in the transaction of the change:
//! a new report to the unit's leader and the security coordinators; a breach flag to the DPO; a
//! significant incident to the coordinators, the DPO and the officer on duty; and the escalation
//! sweep that sends each configured point of each running clock exactly once (to the assignee,
//! the coordinators and the DPO).

use std::collections::BTreeSet;

use time::OffsetDateTime;
use vakt_core::Role;
use vakt_core::deadline::{Deadline, EscalationPoint};
use vakt_core::deviations::{CaseId, CaseState};
use vakt_core::directory::{PersonId, Tenant};
use vakt_store::{Case, StoreError, WriteTx};

use super::{calendar, local_time, regimes};
use crate::{
    AppState,
    i18n::{Lang, t},
    mail::{self, MailMessage},
};

/// Escalation points of the triage clock and of measure due dates (the reporting regimes carry
/// their own in the regime configuration).
pub const TRIAGE_POINTS: &[&str] = &["4h before", "at expiry"];
pub const MEASURE_POINTS: &[&str] = &["1d before", "at expiry"];

/// One recipient: address and language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipient {
    pub email: String,
    pub lang: Lang,
}

/// Ordered (and deduplicated in a set) by address only.
impl Ord for Recipient {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.email.cmp(&other.email)
    }
}

impl PartialOrd for Recipient {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// The tenant's settings as stored (its country preset where none are stored or they cannot be
/// read, which is logged: a notice must not be lost over a settings problem).
async fn settings_of(
    st: &AppState,
    tenant: &Tenant,
) -> Result<vakt_core::settings::Settings, StoreError> {
    let stored = st.db().tenant_settings(tenant.id).await?;
    Ok(
        vakt_core::settings::Settings::from_stored(tenant.country, &stored).unwrap_or_else(|e| {
            tracing::warn!(tenant = %tenant.id, error = %e, "tenant settings unreadable; using the country preset");
            vakt_core::settings::Settings::preset(tenant.country)
        }),
    )
}

/// The tenant's default language (from its settings).
async fn tenant_lang(st: &AppState, tenant: &Tenant) -> Result<Lang, StoreError> {
    Ok(Lang::from(settings_of(st, tenant).await?.default_language))
}

async fn person_recipient(
    st: &AppState,
    tenant: &Tenant,
    p: PersonId,
) -> Result<Option<Recipient>, StoreError> {
    let Some(person) = st.db().person(tenant.id, p).await? else {
        return Ok(None);
    };
    let lang = match person.preferred_language {
        Some(l) => Lang::from(l),
        None => tenant_lang(st, tenant).await?,
    };
    Ok(person.email.map(|email| Recipient { email, lang }))
}

/// Everyone holding one of `roles` (enabled accounts), with the address of their person or account.
pub async fn role_recipients(
    st: &AppState,
    tenant: &Tenant,
    roles: &[Role],
) -> Result<BTreeSet<Recipient>, StoreError> {
    let mut out = BTreeSet::new();
    let default_lang = tenant_lang(st, tenant).await?;
    for acc in st.db().accounts(tenant.id).await? {
        if acc.disabled || !acc.roles.iter().any(|r| roles.contains(r)) {
            continue;
        }
        let from_person = match acc.person {
            Some(p) => person_recipient(st, tenant, p).await?,
            None => None,
        };
        if let Some(r) = from_person.or_else(|| {
            acc.email.clone().map(|email| Recipient {
                email,
                lang: default_lang,
            })
        }) {
            out.insert(r);
        }
    }
    Ok(out)
}

/// The unit leader of the case's unit, if any.
async fn leader_recipient(
    st: &AppState,
    tenant: &Tenant,
    case: &Case,
) -> Result<Option<Recipient>, StoreError> {
    let Some(unit) = case.unit else {
        return Ok(None);
    };
    match st.db().unit(tenant.id, unit).await?.and_then(|u| u.leader) {
        Some(l) => person_recipient(st, tenant, l).await,
        None => Ok(None),
    }
}

/// Queues one message per recipient (in their language), unique per `key` and address.
async fn queue(
    tx: &mut WriteTx,
    recipients: &BTreeSet<Recipient>,
    key: &str,
    tag: &str,
    write: impl Fn(Lang) -> (String, String),
) -> Result<usize, StoreError> {
    let mut n = 0;
    for r in recipients {
        let (subject, text) = write(r.lang);
        let msg = MailMessage::new(vec![r.email.clone()], subject, text)
            .with_lang(r.lang)
            .with_tag(tag);
        if mail::enqueue_unique(tx, &msg, &format!("{key}:{}", r.email))
            .await?
            .is_some()
        {
            n += 1;
        }
    }
    Ok(n)
}

fn case_link(case: &Case) -> String {
    format!("/deviations/{}", case.id)
}

/// A webhook notice about `case`: the event, the tenant and the case by id, number and link (no
/// title or description, which may hold personal data).
fn webhook_body(event: &str, tenant: &Tenant, case: &Case) -> serde_json::Value {
    serde_json::json!({
        "event": event,
        "tenant": tenant.slug,
        "case": case.id,
        "number": case.number,
        "link": case_link(case),
    })
}

/// A new report: the unit's leader and the security coordinators (in the report's transaction).
pub async fn on_report(
    st: &AppState,
    tx: &mut WriteTx,
    tenant: &Tenant,
    case: &Case,
) -> Result<usize, StoreError> {
    let mut to = role_recipients(st, tenant, &[Role::SecurityCoordinator]).await?;
    if let Some(l) = leader_recipient(st, tenant, case).await? {
        to.insert(l);
    }
    let cal = calendar(&settings_of(st, tenant).await?);
    queue(
        tx,
        &to,
        &format!("dev:{}:report", case.id),
        "deviation.report",
        |lang| {
            (
                t(
                    lang,
                    "dev-mail-report-subject",
                    &[("number", case.number.into())],
                ),
                t(
                    lang,
                    "dev-mail-report-body",
                    &[
                        ("number", case.number.into()),
                        ("title", case.title.as_str().into()),
                        ("at", local_time(&cal, case.reported_at).into()),
                        ("link", case_link(case).into()),
                    ],
                ),
            )
        },
    )
    .await
}

/// A breach or significant-incident flag: the DPO (breach), or the coordinators, the DPO, IT
/// operations and the officer on duty's address, and the webhook (significant incident).
pub async fn on_flag(
    st: &AppState,
    tx: &mut WriteTx,
    tenant: &Tenant,
    case: &Case,
    significant: bool,
) -> Result<usize, StoreError> {
    let roles: &[Role] = if significant {
        &[Role::SecurityCoordinator, Role::Dpo, Role::ItOperations]
    } else {
        &[Role::Dpo]
    };
    let mut to = role_recipients(st, tenant, roles).await?;
    if significant {
        let cfg = st.db().dev_config(tenant.id).await?;
        if let Some(a) = cfg
            .on_duty_email
            .filter(|a| a.parse::<mail::Mailbox>().is_ok())
        {
            to.insert(Recipient {
                email: a,
                lang: tenant_lang(st, tenant).await?,
            });
        }
        if let Some(url) = cfg.escalation_webhook.as_deref() {
            let body = webhook_body("deviation.significant", tenant, case);
            crate::webhook::enqueue(tx, url, body, &format!("dev:{}:significant", case.id)).await?;
        }
    }
    let (kind, subject_key) = if significant {
        ("significant", "dev-mail-significant-subject")
    } else {
        ("breach", "dev-mail-breach-subject")
    };
    queue(
        tx,
        &to,
        &format!("dev:{}:{kind}", case.id),
        "deviation.flag",
        |lang| {
            (
                t(lang, subject_key, &[("number", case.number.into())]),
                t(
                    lang,
                    "dev-mail-flag-body",
                    &[
                        ("number", case.number.into()),
                        ("title", case.title.as_str().into()),
                        ("link", case_link(case).into()),
                    ],
                ),
            )
        },
    )
    .await
}

fn points(list: &[&str]) -> Vec<EscalationPoint> {
    list.iter().filter_map(|p| p.parse().ok()).collect()
}

/// The running clocks of a case with their deadlines: `(clock key, label key, deadline)`.
pub(crate) fn case_clocks(
    st_now: OffsetDateTime,
    tenant: &Tenant,
    cal: &vakt_core::deadline::TenantCalendar,
    cfg: &vakt_store::DevConfig,
    case: &Case,
    obligations: &[vakt_store::StoredObligation],
    measures: &[vakt_core::deviations::Measure],
) -> Vec<(String, String, Deadline)> {
    let mut out = Vec::new();
    if case.state == CaseState::Closed {
        return out;
    }
    if case.state == CaseState::Reported {
        out.push((
            "triage".to_owned(),
            "dev-clock-triage".to_owned(),
            Deadline::fixed(
                case.reported_at,
                case.reported_at + time::Duration::hours(cfg.triage_hours),
                points(TRIAGE_POINTS),
            ),
        ));
    }
    let regimes = regimes(tenant, cfg);
    for o in obligations {
        let Some(regime) = regimes.get(&o.obligation.regime) else {
            continue;
        };
        let Ok(status) = o.obligation.status(regime, st_now, cal) else {
            continue;
        };
        for p in status.phases {
            if let (Some(clock), Some(_)) = (p.clock, p.running) {
                out.push((
                    format!("{}:{}", regime.key, p.phase),
                    format!(
                        "dev-clock-{}-{}",
                        regime.key.replace('_', "-"),
                        p.phase.replace('_', "-")
                    ),
                    clock,
                ));
            }
        }
    }
    for m in measures {
        if let (false, Some(due)) = (m.is_settled(), m.due) {
            out.push((
                format!("measure:{}", m.id),
                "dev-clock-measure".to_owned(),
                Deadline::fixed(due - time::Duration::days(1), due, points(MEASURE_POINTS)),
            ));
        }
    }
    out
}

/// The longest lead of any escalation point we look ahead for (cases due later are skipped).
const LOOKAHEAD_DAYS: i64 = 60;

/// Sends every escalation point that has come and was not yet sent, for every tenant's cases.
/// Each point is recorded (`dev_escalations`) in the same transaction as its mails, so it goes out
/// exactly once, even with several workers. Returns the number of points sent.
pub async fn sweep(st: &AppState) -> Result<usize, StoreError> {
    let now = st.db().now();
    let mut sent = 0;
    for tenant in st.db().tenants().await? {
        for id in st
            .db()
            .dev_cases_due_before(tenant.id, now + time::Duration::days(LOOKAHEAD_DAYS))
            .await?
        {
            sent += sweep_case(st, &tenant, id, now).await?;
        }
    }
    Ok(sent)
}

async fn sweep_case(
    st: &AppState,
    tenant: &Tenant,
    id: CaseId,
    now: OffsetDateTime,
) -> Result<usize, StoreError> {
    let db = st.db();
    let Some(case) = db.dev_case(tenant.id, id).await? else {
        return Ok(0);
    };
    let cfg = db.dev_config(tenant.id).await?;
    let obligations = db.dev_obligations(tenant.id, id).await?;
    let measures = db.dev_measures(tenant.id, id).await?;
    let already = db.dev_escalations_sent(tenant.id, id).await?;
    let cal = calendar(&settings_of(st, tenant).await?);
    let mut due: Vec<(String, String, EscalationPoint, OffsetDateTime)> = Vec::new();
    for (key, label, clock) in case_clocks(now, tenant, &cal, &cfg, &case, &obligations, &measures)
    {
        let sent: Vec<EscalationPoint> = already
            .iter()
            .filter(|(c, _)| *c == key)
            .filter_map(|(_, p)| p.parse().ok())
            .collect();
        for p in clock.status(now, &sent).escalations_due {
            due.push((key.clone(), label.clone(), p, clock.due()));
        }
    }
    if due.is_empty() {
        return Ok(0);
    }
    let mut to = role_recipients(st, tenant, &[Role::SecurityCoordinator, Role::Dpo]).await?;
    if let Some(a) = case.assignee
        && let Some(r) = person_recipient(st, tenant, a).await?
    {
        to.insert(r);
    }
    let ctx = vakt_store::AuditCtx::system(tenant.id, "deviation-escalation");
    let mut n = 0;
    for (key, label, point, deadline) in due {
        let mut tx = db.write(&ctx).await?;
        if !tx.mark_dev_escalation(id, &key, &point.key()).await? {
            tx.rollback().await?;
            continue;
        }
        queue(
            &mut tx,
            &to,
            &format!("dev:{id}:{key}:{}", point.key()),
            "deviation.escalation",
            |lang| {
                let (left, _) = super::countdown(lang, now, deadline);
                (
                    t(
                        lang,
                        "dev-mail-escalation-subject",
                        &[
                            ("number", case.number.into()),
                            ("clock", t(lang, &label, &[]).into()),
                        ],
                    ),
                    t(
                        lang,
                        "dev-mail-escalation-body",
                        &[
                            ("number", case.number.into()),
                            ("title", case.title.as_str().into()),
                            ("clock", t(lang, &label, &[]).into()),
                            ("due", local_time(&cal, deadline).into()),
                            ("left", left.into()),
                            ("link", case_link(&case).into()),
                        ],
                    ),
                )
            },
        )
        .await?;
        if let Some(url) = cfg.escalation_webhook.as_deref() {
            let mut body = webhook_body("deviation.escalation", tenant, &case);
            body["clock"] = key.as_str().into();
            body["point"] = point.key().into();
            body["deadline"] = super::rfc3339(deadline).into();
            crate::webhook::enqueue(
                &mut tx,
                url,
                body,
                &format!("dev:{id}:{key}:{}", point.key()),
            )
            .await?;
        }
        tx.commit().await?;
        n += 1;
    }
    Ok(n)
}
