//! Reminder scheduling for everything a person must do by a date (instructions to sign, courses
//! to complete): which reminders to send now, batched per person, and which items to escalate to
//! the person's leader. Pure: the caller stores what was sent and feeds it back next run.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

use super::{CourseId, PersonId};
use crate::instructions::InstructionId;

/// The thing a reminder is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "id")]
pub enum ReminderSubject {
    Instruction(InstructionId),
    Course(CourseId),
}

/// One open item of one person, with its reminder history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DueItem {
    pub person: PersonId,
    /// The person's leader, who receives escalations (`None`: no leader; route to the coordinator).
    pub leader: Option<PersonId>,
    pub subject: ReminderSubject,
    pub due_at: OffsetDateTime,
    /// Reminders already sent for this item.
    pub reminders_sent: u32,
    pub last_reminder_at: Option<OffsetDateTime>,
    /// Whether the item has already been escalated to the leader.
    pub escalated: bool,
}

/// The tenant's reminder rhythm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReminderPolicy {
    /// Start reminding this many days before the due date (0 = only once due).
    pub start_days_before_due: u32,
    /// Remind again every this many days.
    pub every_days: u32,
    /// Escalate to the leader once this many reminders have been sent and the item is overdue.
    pub escalate_after: u32,
}

/// One e-mail: to `recipient`, listing `items`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReminderBatch {
    pub recipient: PersonId,
    pub items: Vec<ReminderSubject>,
}

/// One escalation e-mail to a leader (or, with `leader: None`, to the coordinator), listing each
/// of their people's overdue items.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EscalationBatch {
    pub leader: Option<PersonId>,
    pub items: Vec<(PersonId, ReminderSubject)>,
}

/// What to send now.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ReminderPlan {
    /// One batch per person, ordered by person id; items in input order.
    pub reminders: Vec<ReminderBatch>,
    /// One batch per leader, ordered by leader id (no-leader batch first).
    pub escalations: Vec<EscalationBatch>,
}

/// Decide which reminders and escalations to send at `now`.
///
/// An item gets a reminder when it is inside the reminder window (`now >= due_at - start_days_before_due`)
/// and no reminder was sent for it within the last `every_days`. It is escalated (once) when it is
/// overdue, not yet escalated, at least `escalate_after` reminders have been sent, and the last of them
/// is at least `every_days` old (so a run racing the one that sent the last reminder escalates nothing).
pub fn plan_reminders(
    items: &[DueItem],
    policy: ReminderPolicy,
    now: OffsetDateTime,
) -> ReminderPlan {
    let window = Duration::days(i64::from(policy.start_days_before_due));
    let every = Duration::days(i64::from(policy.every_days.max(1)));
    let mut per_person: BTreeMap<PersonId, Vec<ReminderSubject>> = BTreeMap::new();
    let mut per_leader: BTreeMap<Option<PersonId>, Vec<(PersonId, ReminderSubject)>> =
        BTreeMap::new();
    for item in items {
        let in_window = now >= item.due_at.saturating_sub(window);
        let rested = item.last_reminder_at.is_none_or(|last| now - last >= every);
        if in_window && rested {
            per_person
                .entry(item.person)
                .or_default()
                .push(item.subject);
        }
        // The person has had a full rhythm to react to the last reminder before the leader is told.
        if now > item.due_at
            && !item.escalated
            && item.reminders_sent >= policy.escalate_after
            && rested
        {
            per_leader
                .entry(item.leader)
                .or_default()
                .push((item.person, item.subject));
        }
    }
    ReminderPlan {
        reminders: per_person
            .into_iter()
            .map(|(recipient, items)| ReminderBatch { recipient, items })
            .collect(),
        escalations: per_leader
            .into_iter()
            .map(|(leader, items)| EscalationBatch { leader, items })
            .collect(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use time::macros::datetime;
    use uuid::Uuid;

    const ANNA: PersonId = PersonId(Uuid::from_u128(1));
    const BO: PersonId = PersonId(Uuid::from_u128(2));
    const LEADER: PersonId = PersonId(Uuid::from_u128(9));
    const ICT: ReminderSubject = ReminderSubject::Instruction(InstructionId(Uuid::from_u128(100)));
    const HOME: ReminderSubject = ReminderSubject::Instruction(InstructionId(Uuid::from_u128(101)));
    const DISA: ReminderSubject = ReminderSubject::Course(CourseId(Uuid::from_u128(200)));

    const POLICY: ReminderPolicy = ReminderPolicy {
        start_days_before_due: 7,
        every_days: 7,
        escalate_after: 2,
    };

    fn item(person: PersonId, subject: ReminderSubject, due_at: OffsetDateTime) -> DueItem {
        DueItem {
            person,
            leader: Some(LEADER),
            subject,
            due_at,
            reminders_sent: 0,
            last_reminder_at: None,
            escalated: false,
        }
    }

    #[test]
    fn nothing_is_sent_before_the_reminder_window_opens() {
        let items = [item(ANNA, ICT, datetime!(2026-03-20 12:00 UTC))];
        assert_eq!(
            plan_reminders(&items, POLICY, datetime!(2026-03-13 11:59 UTC)),
            ReminderPlan::default()
        );
        assert_eq!(
            plan_reminders(&items, POLICY, datetime!(2026-03-13 12:00 UTC))
                .reminders
                .len(),
            1
        );
    }

    #[test]
    fn reminders_are_batched_into_one_message_per_person() {
        let due = datetime!(2026-03-20 12:00 UTC);
        let items = [
            item(ANNA, ICT, due),
            item(BO, ICT, due),
            item(ANNA, DISA, due),
            item(ANNA, HOME, datetime!(2026-06-01 0:00 UTC)),
        ];
        let plan = plan_reminders(&items, POLICY, datetime!(2026-03-15 0:00 UTC));
        assert_eq!(
            plan.reminders,
            vec![
                ReminderBatch {
                    recipient: ANNA,
                    items: vec![ICT, DISA]
                },
                ReminderBatch {
                    recipient: BO,
                    items: vec![ICT]
                }
            ]
        );
        assert!(plan.escalations.is_empty());
    }

    #[test]
    fn a_reminder_is_repeated_only_after_the_rhythm_has_passed() {
        let mut i = item(ANNA, ICT, datetime!(2026-03-20 12:00 UTC));
        i.reminders_sent = 1;
        i.last_reminder_at = Some(datetime!(2026-03-14 8:00 UTC));
        assert!(
            plan_reminders(
                std::slice::from_ref(&i),
                POLICY,
                datetime!(2026-03-21 7:59 UTC)
            )
            .reminders
            .is_empty()
        );
        assert_eq!(
            plan_reminders(&[i], POLICY, datetime!(2026-03-21 8:00 UTC))
                .reminders
                .len(),
            1
        );
    }

    #[test]
    fn escalation_to_the_leader_comes_after_the_threshold_once_overdue_and_only_once() {
        let mut i = item(ANNA, ICT, datetime!(2026-03-20 12:00 UTC));
        i.reminders_sent = 1;
        i.last_reminder_at = Some(datetime!(2026-03-13 12:00 UTC));
        let now = datetime!(2026-03-21 12:00 UTC);
        assert!(
            plan_reminders(std::slice::from_ref(&i), POLICY, now)
                .escalations
                .is_empty()
        );
        i.reminders_sent = 2;
        let plan = plan_reminders(std::slice::from_ref(&i), POLICY, now);
        assert_eq!(
            plan.escalations,
            vec![EscalationBatch {
                leader: Some(LEADER),
                items: vec![(ANNA, ICT)]
            }]
        );
        i.escalated = true;
        assert!(
            plan_reminders(std::slice::from_ref(&i), POLICY, now)
                .escalations
                .is_empty()
        );
    }

    #[test]
    fn no_escalation_while_the_last_reminder_is_fresh() {
        let mut i = item(ANNA, ICT, datetime!(2026-03-20 12:00 UTC));
        i.reminders_sent = 2;
        i.last_reminder_at = Some(datetime!(2026-03-21 12:00 UTC));
        let plan = plan_reminders(
            std::slice::from_ref(&i),
            POLICY,
            datetime!(2026-03-22 12:00 UTC),
        );
        assert!(plan.escalations.is_empty());
        let plan = plan_reminders(&[i], POLICY, datetime!(2026-03-28 12:00 UTC));
        assert_eq!(plan.escalations.len(), 1);
    }

    #[test]
    fn escalations_are_batched_per_leader_and_people_without_a_leader_go_to_the_coordinator_batch()
    {
        let due = datetime!(2026-03-20 12:00 UTC);
        let mut a = item(ANNA, ICT, due);
        let mut b = item(BO, DISA, due);
        let mut c = item(ANNA, DISA, due);
        for x in [&mut a, &mut b, &mut c] {
            x.reminders_sent = 3;
        }
        b.leader = None;
        let plan = plan_reminders(&[a, b, c], POLICY, datetime!(2026-04-01 0:00 UTC));
        assert_eq!(
            plan.escalations,
            vec![
                EscalationBatch {
                    leader: None,
                    items: vec![(BO, DISA)]
                },
                EscalationBatch {
                    leader: Some(LEADER),
                    items: vec![(ANNA, ICT), (ANNA, DISA)]
                },
            ]
        );
    }
}
