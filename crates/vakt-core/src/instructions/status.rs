//! Where a person stands with an instruction (signed, missing, overdue), and the cut-off moment
//! the reports use to count "overdue" in SQL without evaluating the deadline per row.

use serde::Serialize;
use time::{Duration, OffsetDateTime};

use super::ack::{AckState, HasAckFacts, ack_state, signing_due_at};
use super::version::{PublishedVersion, VersionNumber};
use crate::deadline::{DeadlineError, DeadlineRule, Period, TenantCalendar};

/// The signing rule of an instruction: sign within `days` days, by the end of the local day.
pub fn signing_rule(days: u32) -> DeadlineRule {
    DeadlineRule::new(Period::Days(days)).at_end_of_day()
}

/// Until when standings computed at `now` hold, as far as the clock goes: every signing deadline is
/// the end of a local day ([`signing_rule`]), so nobody turns overdue before the end of the current
/// local day (or, in its last second, of the next one). Valid while `now <= ` the result; a change of
/// data or a version coming into force is the caller's to watch.
pub fn standings_hold_until(cal: &TenantCalendar, now: OffsetDateTime) -> OffsetDateTime {
    match signing_rule(0).due(now, cal) {
        Ok(d) if d >= now => d,
        _ => signing_rule(1).due(now, cal).unwrap_or(now),
    }
}

/// A person's standing with one instruction in force.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "standing")]
pub enum Standing {
    /// The latest acknowledgment covers the major version in force.
    Signed {
        version: VersionNumber,
        #[serde(with = "time::serde::rfc3339")]
        at: OffsetDateTime,
    },
    /// Not signed yet; the deadline has not passed.
    Missing {
        #[serde(with = "time::serde::rfc3339")]
        due_at: OffsetDateTime,
    },
    /// Not signed and the deadline has passed.
    Overdue {
        #[serde(with = "time::serde::rfc3339")]
        due_at: OffsetDateTime,
    },
}

impl Standing {
    pub fn is_signed(&self) -> bool {
        matches!(self, Standing::Signed { .. })
    }
    pub fn as_str(&self) -> &'static str {
        match self {
            Standing::Signed { .. } => "signed",
            Standing::Missing { .. } => "missing",
            Standing::Overdue { .. } => "overdue",
        }
    }
}

/// The standing of a person in the instruction's audience, or `None` if no version is in force.
/// `joined` is when the person came into the audience (e.g. into their unit); the deadline counts
/// from the later of that and the major version's coming into force.
pub fn standing<A: HasAckFacts>(
    versions: &[PublishedVersion],
    acks: &[A],
    now: OffsetDateTime,
    joined: Option<OffsetDateTime>,
    rule: &DeadlineRule,
    cal: &TenantCalendar,
) -> Result<Option<Standing>, DeadlineError> {
    match ack_state(versions, acks, now) {
        AckState::NotInForce => Ok(None),
        AckState::Current { ack, signed } => {
            let at = acks
                .iter()
                .map(HasAckFacts::ack_facts)
                .find(|a| a.id == ack)
                .map_or(now, |a| a.at);
            Ok(Some(Standing::Signed {
                version: signed,
                at,
            }))
        }
        AckState::Due { since, .. } => {
            let due_at = signing_due_at(since, joined, rule, cal)?;
            Ok(Some(if due_at < now {
                Standing::Overdue { due_at }
            } else {
                Standing::Missing { due_at }
            }))
        }
    }
}

/// The latest start moment whose deadline has passed at `now`: a person whose signing period
/// started at or before the cut-off is overdue, one whose period started after it is not.
/// Deadlines grow with their start, so the cut-off is found by bisection (to the microsecond).
pub fn overdue_cutoff(
    rule: &DeadlineRule,
    cal: &TenantCalendar,
    now: OffsetDateTime,
) -> Result<OffsetDateTime, DeadlineError> {
    // lo: overdue; hi: not overdue.
    let mut hi = now;
    let mut lo = now - Duration::days(5 * 366);
    if rule.due(lo, cal)? >= now {
        return Ok(lo);
    }
    while hi - lo > Duration::microseconds(1) {
        let mid = lo + (hi - lo) / 2;
        let mid = crate::directory::truncate_micros(mid);
        if mid <= lo || mid >= hi {
            break;
        }
        if rule.due(mid, cal)? < now {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    Ok(lo)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::instructions::ack::{AckInput, AckMethod, Acknowledgment, TextHash};
    use time::macros::datetime;
    use uuid::Uuid;

    fn v(major: u32, from: OffsetDateTime) -> PublishedVersion {
        PublishedVersion {
            id: Uuid::from_u128(u128::from(major)).into(),
            number: VersionNumber { major, minor: 0 },
            effective_from: from,
            retired_at: None,
        }
    }

    #[test]
    fn standings_hold_until_the_end_of_the_local_day() {
        let cal = TenantCalendar::new("Europe/Oslo").unwrap();
        // 12:00 in Oslo (CET, UTC+1) holds until 23:59:59 local, 22:59:59 UTC.
        let noon = datetime!(2026-12-03 11:00 UTC);
        assert_eq!(
            standings_hold_until(&cal, noon),
            datetime!(2026-12-03 22:59:59 UTC)
        );
        // A signing deadline of that day passes right after that second; a standing computed at
        // that moment is one no deadline passes for before the end of the next day.
        let last = datetime!(2026-12-03 22:59:59.5 UTC);
        assert_eq!(
            standings_hold_until(&cal, last),
            datetime!(2026-12-04 22:59:59 UTC)
        );
        // Every signing deadline of any length falls on such an end of day.
        let start = datetime!(2026-11-20 09:13 UTC);
        for days in [0, 1, 14, 30] {
            let due = signing_rule(days).due(start, &cal).unwrap();
            let before = due - Duration::hours(3);
            assert!(standings_hold_until(&cal, before) >= due, "{days}");
            assert_eq!(standings_hold_until(&cal, due), due, "{days}");
        }
    }

    #[test]
    fn signed_missing_and_overdue_follow_the_deadline_and_the_major_version() {
        let cal = TenantCalendar::new("Europe/Oslo").unwrap();
        let rule = signing_rule(14);
        let v1 = v(1, datetime!(2026-03-02 8:00 UTC));
        let s = |acks: &[Acknowledgment], now, vs: &[PublishedVersion]| {
            standing(vs, acks, now, None, &rule, &cal).unwrap().unwrap()
        };
        assert!(matches!(
            s(&[], datetime!(2026-03-10 0:00 UTC), &[v1]),
            Standing::Missing { .. }
        ));
        // 14 days after 2 March, end of the Oslo day: 16 March 23:59:59 local = 22:59:59 UTC.
        assert_eq!(
            s(&[], datetime!(2026-03-17 0:00 UTC), &[v1]),
            Standing::Overdue {
                due_at: datetime!(2026-03-16 22:59:59 UTC)
            }
        );
        let text = "x";
        let ack = Acknowledgment::record(AckInput {
            id: Uuid::now_v7().into(),
            person: Uuid::from_u128(7).into(),
            instruction: Uuid::from_u128(9).into(),
            version_id: v1.id,
            version: v1.number,
            text_shown: text,
            version_text_hash: TextHash::of(text),
            method: AckMethod::Password,
            at: datetime!(2026-03-05 0:00 UTC),
            ip: None,
            user_agent: None,
        })
        .unwrap();
        assert!(
            s(
                std::slice::from_ref(&ack),
                datetime!(2026-04-01 0:00 UTC),
                &[v1]
            )
            .is_signed()
        );
        let v2 = v(2, datetime!(2026-05-01 0:00 UTC));
        assert!(matches!(
            s(
                std::slice::from_ref(&ack),
                datetime!(2026-05-02 0:00 UTC),
                &[v1, v2]
            ),
            Standing::Missing { .. }
        ));
    }

    #[test]
    fn joining_the_audience_late_moves_the_deadline() {
        let cal = TenantCalendar::new("Europe/Stockholm").unwrap();
        let rule = signing_rule(14);
        let v1 = v(1, datetime!(2026-01-05 8:00 UTC));
        let now = datetime!(2026-06-01 0:00 UTC);
        let joined = Some(datetime!(2026-05-25 9:00 UTC));
        assert!(matches!(
            standing(&[v1], &[] as &[Acknowledgment], now, joined, &rule, &cal).unwrap(),
            Some(Standing::Missing { .. })
        ));
        assert!(matches!(
            standing(&[v1], &[] as &[Acknowledgment], now, None, &rule, &cal).unwrap(),
            Some(Standing::Overdue { .. })
        ));
    }

    #[test]
    fn the_cutoff_agrees_with_the_deadline_of_every_start() {
        let cal = TenantCalendar::new("Europe/Copenhagen").unwrap();
        let rule = signing_rule(14);
        let now = datetime!(2026-10-26 10:30 UTC); // just after the autumn DST change
        let cutoff = overdue_cutoff(&rule, &cal, now).unwrap();
        for offset_minutes in [-3000i64, -61, -1, 0, 1, 61, 3000] {
            let start = cutoff + Duration::minutes(offset_minutes);
            let overdue = rule.due(start, &cal).unwrap() < now;
            assert_eq!(overdue, start <= cutoff, "offset {offset_minutes}");
        }
        assert!(rule.due(cutoff, &cal).unwrap() < now);
        assert!(rule.due(cutoff + Duration::microseconds(1), &cal).unwrap() >= now);
    }
}
