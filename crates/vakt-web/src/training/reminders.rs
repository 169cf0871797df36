//! The reminder job (`training.reminders`, one per tenant and rhythm slot): finds everything each person
//! must do by a date (mandatory courses to complete or renew; unsigned instructions in force that apply
//! to them, due by their signing deadline), plans with `vakt_core::training::plan_reminders`, and sends ONE mail per person listing
//! all of it, in their language, plus one escalation mail per leader once an overdue item has had
//! `escalate_after` reminders.
//!
//! Idempotent: every reminder and escalation is first written to the reminder log, whose unique key
//! (person, subject, due date, kind, ordinal) refuses a second copy; only what was logged in this
//! transaction is mailed (the mail is queued in the same transaction). Several processes may run the job;
//! the job itself is scheduled once per slot by its unique key.

use std::collections::{BTreeMap, HashMap};

use serde_json::json;
use time::OffsetDateTime;
use vakt_core::audit::{AuditClass, AuditCtx, EventDraft};
use vakt_core::deadline::TenantCalendar;
use vakt_core::directory::{OrgUnit, Person, PersonId, TenantId, UnitId};
use vakt_core::training::{
    Completion, DueItem, ReminderPlan, ReminderSubject, course_due_at, course_state, plan_reminders,
};
use vakt_store::{CourseRecord, NewJob, ReminderKind, ReminderLogEntry, StoreError};

use crate::AppState;
use crate::i18n::{Arg, Lang, t};
use crate::mail::{self, MailMessage};

/// The job kind.
pub const REMINDERS: &str = "training.reminders";

/// The unique key of a tenant's reminder run in the slot that contains `now`.
pub fn slot_key(tenant: TenantId, now: OffsetDateTime, every_hours: u32) -> String {
    let slot = now.unix_timestamp() / (i64::from(every_hours.max(1)) * 3600);
    format!("{REMINDERS}:{tenant}:{slot}")
}

/// Enqueues the current slot's run for every tenant (a no-op where it exists).
pub async fn schedule(st: &AppState) -> Result<(), StoreError> {
    let now = st.db().now();
    let every = st.config().reminders.run_every_hours;
    for tenant in st.db().tenants().await? {
        let job = NewJob::new(REMINDERS, json!({}))
            .for_tenant(tenant.id)
            .unique(slot_key(tenant.id, now, every))
            .at(now);
        st.db().enqueue_job(job).await?;
    }
    Ok(())
}

/// What one run sent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunOutcome {
    pub reminder_mails: usize,
    pub escalation_mails: usize,
}

/// Everything that may be due, with titles for the mail.
pub struct Due {
    pub items: Vec<DueItem>,
    pub titles: HashMap<ReminderSubject, String>,
}

/// The leader a person's escalations go to: their manager, else the leader of their unit or the nearest
/// unit above it led by someone else.
pub fn leader_of(person: &Person, units: &HashMap<UnitId, &OrgUnit>) -> Option<PersonId> {
    if let Some(m) = person.manager.filter(|m| *m != person.id) {
        return Some(m);
    }
    let mut unit = person.unit;
    let mut steps = 0;
    while let Some(u) = unit.and_then(|u| units.get(&u)) {
        if let Some(l) = u.leader.filter(|l| *l != person.id) {
            return Some(l);
        }
        unit = u.parent;
        steps += 1;
        if steps > 64 {
            break;
        }
    }
    None
}

fn joined_at(person: &Person, cal: &TenantCalendar) -> Option<OffsetDateTime> {
    person
        .employment
        .start
        .and_then(|d| cal.start_of_local_day(d).ok())
}

/// The course items due for `people` (mandatory, not archived courses).
pub fn course_items(
    people: &[Person],
    units: &[OrgUnit],
    courses: &[CourseRecord],
    completions: &[Completion],
    log: &[ReminderLogEntry],
    now: OffsetDateTime,
    cal: &TenantCalendar,
) -> Due {
    let by_unit: HashMap<UnitId, &OrgUnit> = units.iter().map(|u| (u.id, u)).collect();
    let mut by_person: HashMap<PersonId, Vec<Completion>> = HashMap::new();
    for c in completions {
        by_person.entry(c.person).or_default().push(c.clone());
    }
    let history = history_of(log);
    let mandatory: Vec<&CourseRecord> = courses
        .iter()
        .filter(|c| c.mandatory && !c.archived)
        .collect();
    let mut items = Vec::new();
    let mut titles = HashMap::new();
    let none: Vec<Completion> = Vec::new();
    for person in people {
        let mine = by_person.get(&person.id).unwrap_or(&none);
        for course in &mandatory {
            let rule = course.rule();
            let Ok(state) = course_state(&rule, person.id, mine, now, cal) else {
                continue;
            };
            let within = course.complete_within();
            let Ok(Some(due)) = course_due_at(
                &state,
                within.as_ref(),
                course.required_since,
                joined_at(person, cal),
                cal,
            ) else {
                continue;
            };
            let due = vakt_core::directory::truncate_micros(due);
            let subject = ReminderSubject::Course(course.id);
            let (sent, last, escalated) = history
                .get(&(person.id, subject, due))
                .copied()
                .unwrap_or((0, None, false));
            titles.insert(subject, course.title.clone());
            items.push(DueItem {
                person: person.id,
                leader: leader_of(person, &by_unit),
                subject,
                due_at: due,
                reminders_sent: sent,
                last_reminder_at: last,
                escalated,
            });
        }
    }
    Due { items, titles }
}

type History =
    HashMap<(PersonId, ReminderSubject, OffsetDateTime), (u32, Option<OffsetDateTime>, bool)>;

/// Per (person, subject, due date): reminders sent, the last one's time, whether escalated.
fn history_of(log: &[ReminderLogEntry]) -> History {
    let mut history: History = HashMap::new();
    for e in log {
        let h = history
            .entry((e.person, e.subject, e.due_at))
            .or_insert((0, None, false));
        match e.kind {
            ReminderKind::Reminder => {
                h.0 = h.0.max(e.ordinal);
                h.1 = Some(h.1.map_or(e.sent_at, |x: OffsetDateTime| x.max(e.sent_at)));
            }
            ReminderKind::Escalation => h.2 = true,
        }
    }
    history
}

fn local_date(at: OffsetDateTime, cal: &TenantCalendar) -> String {
    let l = cal.local(at).unwrap_or(at);
    format!("{:04}-{:02}-{:02}", l.year(), u8::from(l.month()), l.day())
}

fn item_line(
    lang: Lang,
    item: &DueItem,
    titles: &HashMap<ReminderSubject, String>,
    now: OffsetDateTime,
    cal: &TenantCalendar,
) -> String {
    let title = titles.get(&item.subject).cloned().unwrap_or_default();
    let kind = match item.subject {
        ReminderSubject::Course(_) => "course",
        ReminderSubject::Instruction(_) => "instruction",
    };
    let state = if now > item.due_at { "overdue" } else { "due" };
    t(
        lang,
        &format!("mail-item-{kind}-{state}"),
        &[
            ("title", Arg::from(title)),
            ("date", Arg::from(local_date(item.due_at, cal))),
        ],
    )
}

/// Renders the reminder to `person` listing `items`.
pub fn reminder_mail(lang: Lang, person: &Person, address: &str, lines: &[String]) -> MailMessage {
    let count = lines.len();
    let mut text = t(
        lang,
        "mail-reminder-greeting",
        &[("name", Arg::from(person.given_name.clone()))],
    );
    text.push_str("\n\n");
    text.push_str(&t(
        lang,
        "mail-reminder-intro",
        &[("count", Arg::from(count))],
    ));
    text.push('\n');
    for l in lines {
        text.push_str("\n- ");
        text.push_str(l);
    }
    text.push_str("\n\n");
    text.push_str(&t(lang, "mail-reminder-outro", &[]));
    text.push_str("\n\n");
    text.push_str(&t(lang, "mail-signature", &[]));
    text.push('\n');
    MailMessage::new(
        vec![format!(
            "{} <{address}>",
            person.display_name().replace(['<', '>', '"', ','], "")
        )],
        t(
            lang,
            "mail-reminder-subject",
            &[("count", Arg::from(count))],
        ),
        text,
    )
    .with_lang(lang)
    .with_tag("training.reminder")
}

/// Renders the escalation to `leader` listing (person name, item line).
pub fn escalation_mail(
    lang: Lang,
    leader: &Person,
    address: &str,
    lines: &[(String, String)],
) -> MailMessage {
    let count = lines.len();
    let mut text = t(
        lang,
        "mail-reminder-greeting",
        &[("name", Arg::from(leader.given_name.clone()))],
    );
    text.push_str("\n\n");
    text.push_str(&t(
        lang,
        "mail-escalation-intro",
        &[("count", Arg::from(count))],
    ));
    text.push('\n');
    for (who, what) in lines {
        text.push_str("\n- ");
        text.push_str(&t(
            lang,
            "mail-escalation-line",
            &[
                ("person", Arg::from(who.clone())),
                ("item", Arg::from(what.clone())),
            ],
        ));
    }
    text.push_str("\n\n");
    text.push_str(&t(lang, "mail-escalation-outro", &[]));
    text.push_str("\n\n");
    text.push_str(&t(lang, "mail-signature", &[]));
    text.push('\n');
    MailMessage::new(
        vec![format!(
            "{} <{address}>",
            leader.display_name().replace(['<', '>', '"', ','], "")
        )],
        t(
            lang,
            "mail-escalation-subject",
            &[("count", Arg::from(count))],
        ),
        text,
    )
    .with_lang(lang)
    .with_tag("training.escalation")
}

fn usable_address(p: &Person) -> Option<&str> {
    p.email
        .as_deref()
        .map(str::trim)
        .filter(|e| !e.is_empty() && e.parse::<mail::Mailbox>().is_ok())
}

/// One run for one tenant at the store's `now`.
pub async fn run_for_tenant(st: &AppState, tenant: TenantId) -> Result<RunOutcome, String> {
    let db = st.db();
    let settings = crate::settings::tenant_settings(st, tenant)
        .await
        .map_err(|e| format!("{e:?}"))?;
    let cal = TenantCalendar::new(&settings.time_zone).map_err(|e| e.to_string())?;
    let now = db.now();
    let err = |e: StoreError| e.to_string();
    let people = db.current_people(tenant).await.map_err(err)?;
    let units = db.units(tenant).await.map_err(err)?;
    let courses = db.courses(tenant).await.map_err(err)?;
    let completions: Vec<Completion> = db
        .all_completions(tenant)
        .await
        .map_err(err)?
        .into_iter()
        .map(|r| r.completion)
        .collect();
    let log = db.reminder_log(tenant).await.map_err(err)?;
    let mut due = course_items(&people, &units, &courses, &completions, &log, now, &cal);
    // Instructions to sign: every unsigned instruction in force with its signing deadline.
    let standings = db
        .all_standings(tenant, i64::MAX, now, &cal)
        .await
        .map_err(err)?;
    let instructions = db.instructions(tenant).await.map_err(err)?;
    for i in &instructions {
        due.titles
            .insert(ReminderSubject::Instruction(i.id), i.title.clone());
    }
    let by_unit: HashMap<UnitId, &OrgUnit> = units.iter().map(|u| (u.id, u)).collect();
    let by_person: HashMap<PersonId, &Person> = people.iter().map(|p| (p.id, p)).collect();
    let history = history_of(&log);
    for s in &standings {
        let Some(person) = by_person.get(&s.person) else {
            continue;
        };
        for (iid, standing) in &s.items {
            let due_at = match standing {
                vakt_core::instructions::Standing::Missing { due_at }
                | vakt_core::instructions::Standing::Overdue { due_at } => {
                    vakt_core::directory::truncate_micros(*due_at)
                }
                vakt_core::instructions::Standing::Signed { .. } => continue,
            };
            let subject = ReminderSubject::Instruction(*iid);
            let (sent, last, escalated) = history
                .get(&(person.id, subject, due_at))
                .copied()
                .unwrap_or((0, None, false));
            due.items.push(DueItem {
                person: person.id,
                leader: leader_of(person, &by_unit),
                subject,
                due_at,
                reminders_sent: sent,
                last_reminder_at: last,
                escalated,
            });
        }
    }
    let plan = plan_reminders(&due.items, st.config().reminders.policy, now);
    send_plan(st, tenant, &settings, &cal, &people, &due, &plan, now).await
}

#[allow(clippy::too_many_arguments)]
async fn send_plan(
    st: &AppState,
    tenant: TenantId,
    settings: &vakt_core::settings::Settings,
    cal: &TenantCalendar,
    people: &[Person],
    due: &Due,
    plan: &ReminderPlan,
    now: OffsetDateTime,
) -> Result<RunOutcome, String> {
    let err = |e: StoreError| e.to_string();
    let by_id: HashMap<PersonId, &Person> = people.iter().map(|p| (p.id, p)).collect();
    let item_of: BTreeMap<(PersonId, ReminderSubject), &DueItem> = due
        .items
        .iter()
        .map(|i| ((i.person, i.subject), i))
        .collect();
    let ctx = AuditCtx::system(tenant, "reminders");
    let mut out = RunOutcome::default();

    for batch in &plan.reminders {
        let Some(person) = by_id.get(&batch.recipient) else {
            continue;
        };
        let Some(address) = usable_address(person) else {
            tracing::info!(person = %person.id, "reminder skipped: no e-mail address");
            continue;
        };
        let lang = mail::language_for(Some(person), settings);
        let mut tx = st.db().write(&ctx).await.map_err(err)?;
        let mut lines = Vec::new();
        let mut logged = Vec::new();
        for subject in &batch.items {
            let Some(item) = item_of.get(&(person.id, *subject)) else {
                continue;
            };
            let entry = ReminderLogEntry {
                person: person.id,
                subject: *subject,
                due_at: item.due_at,
                kind: ReminderKind::Reminder,
                ordinal: item.reminders_sent + 1,
                recipient: Some(person.id),
                sent_at: now,
            };
            if tx.log_reminder(&entry).await.map_err(err)? {
                lines.push(item_line(lang, item, &due.titles, now, cal));
                logged.push(format!("{subject:?}#{}", entry.ordinal));
            }
        }
        if lines.is_empty() {
            let _ = tx.rollback().await;
            continue;
        }
        let msg = reminder_mail(lang, person, address, &lines);
        mail::enqueue(&mut tx, &msg).await.map_err(err)?;
        tx.record_training_event(
            EventDraft::new(
                AuditClass::Admin,
                "training.reminder.sent",
                "person",
                person.id,
            )
            .person(person.id)
            .after(format!("lang={lang} items={}", logged.join(","))),
        )
        .await
        .map_err(err)?;
        tx.commit().await.map_err(err)?;
        out.reminder_mails += 1;
    }

    for batch in &plan.escalations {
        let leader = batch.leader.and_then(|l| by_id.get(&l).copied());
        let mut tx = st.db().write(&ctx).await.map_err(err)?;
        let lang = mail::language_for(leader, settings);
        let mut lines = Vec::new();
        let mut logged = Vec::new();
        for (pid, subject) in &batch.items {
            let Some(item) = item_of.get(&(*pid, *subject)) else {
                continue;
            };
            let entry = ReminderLogEntry {
                person: *pid,
                subject: *subject,
                due_at: item.due_at,
                kind: ReminderKind::Escalation,
                ordinal: 1,
                recipient: leader.map(|l| l.id),
                sent_at: now,
            };
            if tx.log_reminder(&entry).await.map_err(err)? {
                let who = by_id.get(pid).map(|p| p.display_name()).unwrap_or_default();
                lines.push((who, item_line(lang, item, &due.titles, now, cal)));
                logged.push(format!("{pid}:{subject:?}"));
            }
        }
        if lines.is_empty() {
            let _ = tx.rollback().await;
            continue;
        }
        let address = leader.and_then(usable_address);
        if let (Some(leader), Some(address)) = (leader, address) {
            let msg = escalation_mail(lang, leader, address, &lines);
            mail::enqueue(&mut tx, &msg).await.map_err(err)?;
            out.escalation_mails += 1;
        } else {
            tracing::warn!(%tenant, "escalation without a leader address; recorded in the audit log only");
        }
        tx.record_training_event(
            EventDraft::new(
                AuditClass::Admin,
                "training.reminder.escalated",
                "person",
                leader.map_or_else(|| "none".to_owned(), |l| l.id.to_string()),
            )
            .after(format!("items={}", logged.join(","))),
        )
        .await
        .map_err(err)?;
        tx.commit().await.map_err(err)?;
    }
    Ok(out)
}
