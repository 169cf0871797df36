//! Courses, completions and a person's course status at `now`.

use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

use super::{CompletionId, CourseId, FileId, PersonId};
use crate::deadline::{DeadlineError, DeadlineRule, Period, TenantCalendar};

/// A course (internal or external, e.g. an e-learning course or a national course).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Course {
    pub id: CourseId,
    /// How long a completion stays valid (e.g. 24 months); `None` = valid for ever.
    pub validity: Option<Period>,
    /// Show "renew soon" this many days before a completion expires.
    #[serde(default)]
    pub renew_days_before: u32,
}

/// A leader's countersignature on a self-reported completion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Countersign {
    pub by: PersonId,
    pub at: OffsetDateTime,
}

/// Where a completion comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "source")]
pub enum CompletionSource {
    /// Reported by the person with an evidence file; counts only once a leader countersigns.
    SelfReported {
        evidence: FileId,
        countersigned: Option<Countersign>,
    },
    /// Recorded directly by a leader.
    LeaderRecorded { by: PersonId },
    /// Imported from a learning platform's completion file; `external_ref` makes re-imports idempotent.
    Imported {
        platform: String,
        external_ref: String,
    },
}

/// One completion of a course by a person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Completion {
    pub id: CompletionId,
    pub person: PersonId,
    pub course: CourseId,
    pub completed_at: OffsetDateTime,
    pub source: CompletionSource,
}

/// Why a countersignature was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[serde(rename_all = "snake_case", tag = "code")]
pub enum CountersignError {
    #[error("only self-reported completions are countersigned")]
    NotSelfReported,
    #[error("already countersigned")]
    AlreadyCountersigned,
    #[error("a person cannot countersign their own completion")]
    OwnCompletion,
}

impl Completion {
    /// Whether the completion counts (self-reported ones only after a countersignature).
    pub fn counts(&self) -> bool {
        !matches!(
            self.source,
            CompletionSource::SelfReported {
                countersigned: None,
                ..
            }
        )
    }

    /// The completion with a leader's countersignature added.
    pub fn countersigned(
        &self,
        by: PersonId,
        at: OffsetDateTime,
    ) -> Result<Completion, CountersignError> {
        match &self.source {
            CompletionSource::SelfReported {
                countersigned: Some(_),
                ..
            } => Err(CountersignError::AlreadyCountersigned),
            CompletionSource::SelfReported { .. } if by == self.person => {
                Err(CountersignError::OwnCompletion)
            }
            CompletionSource::SelfReported {
                evidence,
                countersigned: None,
            } => Ok(Completion {
                source: CompletionSource::SelfReported {
                    evidence: *evidence,
                    countersigned: Some(Countersign { by, at }),
                },
                ..self.clone()
            }),
            _ => Err(CountersignError::NotSelfReported),
        }
    }
}

/// A person's standing with one course at a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "state")]
pub enum CourseState {
    /// Never completed (and nothing awaiting countersignature).
    Missing,
    /// A self-reported completion awaits a leader's countersignature, and nothing valid counts.
    AwaitingCountersign { completed_at: OffsetDateTime },
    /// Valid; `valid_until` is `None` for courses without expiry.
    Valid {
        completed_at: OffsetDateTime,
        valid_until: Option<OffsetDateTime>,
    },
    /// Valid, but inside the renewal window.
    RenewSoon {
        completed_at: OffsetDateTime,
        valid_until: OffsetDateTime,
    },
    /// The latest counted completion has expired.
    Expired { expired_at: OffsetDateTime },
}

impl CourseState {
    /// Whether the course counts as valid (including the renewal window).
    pub fn is_valid(&self) -> bool {
        matches!(
            self,
            CourseState::Valid { .. } | CourseState::RenewSoon { .. }
        )
    }
}

/// When a completion stops being valid (`None` if the course never expires).
pub fn valid_until(
    course: &Course,
    completed_at: OffsetDateTime,
    cal: &TenantCalendar,
) -> Result<Option<OffsetDateTime>, DeadlineError> {
    course
        .validity
        .map(|p| DeadlineRule::new(p).due(completed_at, cal))
        .transpose()
}

/// A person's state for `course` at `now`. `completions` may contain other people's and other
/// courses' rows; only `person`'s rows for this course completed at or before `now` are used.
pub fn course_state(
    course: &Course,
    person: PersonId,
    completions: &[Completion],
    now: OffsetDateTime,
    cal: &TenantCalendar,
) -> Result<CourseState, DeadlineError> {
    let mine = completions
        .iter()
        .filter(|c| c.person == person && c.course == course.id && c.completed_at <= now);
    let (counted, pending): (Vec<&Completion>, Vec<&Completion>) = mine.partition(|c| c.counts());
    let latest = counted.iter().map(|c| c.completed_at).max();
    let pending_latest = pending.iter().map(|c| c.completed_at).max();

    let counted_state = match latest {
        None => None,
        Some(done) => Some(match valid_until(course, done, cal)? {
            None => CourseState::Valid {
                completed_at: done,
                valid_until: None,
            },
            Some(until) if now > until => CourseState::Expired { expired_at: until },
            Some(until)
                if now
                    >= until
                        .saturating_sub(Duration::days(i64::from(course.renew_days_before))) =>
            {
                CourseState::RenewSoon {
                    completed_at: done,
                    valid_until: until,
                }
            }
            Some(until) => CourseState::Valid {
                completed_at: done,
                valid_until: Some(until),
            },
        }),
    };
    Ok(match (counted_state, pending_latest) {
        (Some(s), _) if s.is_valid() => s,
        (_, Some(p)) => CourseState::AwaitingCountersign { completed_at: p },
        (Some(s), None) => s,
        (None, None) => CourseState::Missing,
    })
}

/// When a person must next complete `course`, given their state at a moment:
/// - never completed: `complete_within` (if the course sets one) counted from the later of the moment the
///   course became required and the moment the person joined; no deadline without `complete_within`;
/// - valid with an expiry, renew soon, or expired: the expiry (renew before it runs out);
/// - valid for ever, or awaiting a countersignature (the person has done their part): nothing is due.
pub fn course_due_at(
    state: &CourseState,
    complete_within: Option<&DeadlineRule>,
    required_since: OffsetDateTime,
    joined_at: Option<OffsetDateTime>,
    cal: &TenantCalendar,
) -> Result<Option<OffsetDateTime>, DeadlineError> {
    Ok(match state {
        CourseState::Missing => match complete_within {
            Some(rule) => Some(rule.due(
                joined_at.map_or(required_since, |j| j.max(required_since)),
                cal,
            )?),
            None => None,
        },
        CourseState::Valid {
            valid_until: Some(until),
            ..
        }
        | CourseState::RenewSoon {
            valid_until: until, ..
        } => Some(*until),
        CourseState::Expired { expired_at } => Some(*expired_at),
        CourseState::Valid {
            valid_until: None, ..
        }
        | CourseState::AwaitingCountersign { .. } => None,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use time::macros::datetime;
    use uuid::Uuid;

    fn oslo() -> TenantCalendar {
        TenantCalendar::new("Europe/Oslo").unwrap()
    }

    fn course() -> Course {
        Course {
            id: Uuid::from_u128(1).into(),
            validity: Some(Period::Months(24)),
            renew_days_before: 30,
        }
    }

    fn done(at: OffsetDateTime, source: CompletionSource) -> Completion {
        Completion {
            id: Uuid::now_v7().into(),
            person: Uuid::from_u128(7).into(),
            course: Uuid::from_u128(1).into(),
            completed_at: at,
            source,
        }
    }

    fn leader() -> CompletionSource {
        CompletionSource::LeaderRecorded {
            by: Uuid::from_u128(2).into(),
        }
    }

    fn self_reported() -> CompletionSource {
        CompletionSource::SelfReported {
            evidence: Uuid::from_u128(900).into(),
            countersigned: None,
        }
    }

    fn state(cs: &[Completion], now: OffsetDateTime) -> CourseState {
        course_state(&course(), Uuid::from_u128(7).into(), cs, now, &oslo()).unwrap()
    }

    #[test]
    fn a_completion_is_valid_for_the_course_validity_in_calendar_months() {
        let c = [done(datetime!(2026-01-31 10:00 UTC), leader())];
        assert_eq!(
            state(&c, datetime!(2026-06-01 0:00 UTC)),
            CourseState::Valid {
                completed_at: datetime!(2026-01-31 10:00 UTC),
                valid_until: Some(datetime!(2028-01-31 10:00 UTC))
            }
        );
    }

    #[test]
    fn inside_the_renewal_window_the_course_is_still_valid_but_renew_soon() {
        let c = [done(datetime!(2026-01-31 10:00 UTC), leader())];
        let s = state(&c, datetime!(2028-01-15 0:00 UTC));
        assert!(matches!(s, CourseState::RenewSoon { .. }));
        assert!(s.is_valid());
    }

    #[test]
    fn after_the_validity_period_the_course_has_expired_until_renewed() {
        let mut c = vec![done(datetime!(2026-01-31 10:00 UTC), leader())];
        assert_eq!(
            state(&c, datetime!(2028-02-01 0:00 UTC)),
            CourseState::Expired {
                expired_at: datetime!(2028-01-31 10:00 UTC)
            }
        );
        c.push(done(
            datetime!(2028-02-10 10:00 UTC),
            CompletionSource::Imported {
                platform: "KS Læring".into(),
                external_ref: "r-1".into(),
            },
        ));
        assert!(state(&c, datetime!(2028-02-11 0:00 UTC)).is_valid());
    }

    #[test]
    fn a_self_reported_completion_counts_only_after_a_leader_countersigns() {
        let c = done(datetime!(2026-03-01 10:00 UTC), self_reported());
        assert_eq!(
            state(std::slice::from_ref(&c), datetime!(2026-03-02 0:00 UTC)),
            CourseState::AwaitingCountersign {
                completed_at: datetime!(2026-03-01 10:00 UTC)
            }
        );
        let signed = c
            .countersigned(Uuid::from_u128(2).into(), datetime!(2026-03-03 0:00 UTC))
            .unwrap();
        assert!(state(&[signed], datetime!(2026-03-04 0:00 UTC)).is_valid());
    }

    #[test]
    fn nobody_countersigns_their_own_completion_or_twice() {
        let c = done(datetime!(2026-03-01 10:00 UTC), self_reported());
        assert_eq!(
            c.countersigned(Uuid::from_u128(7).into(), datetime!(2026-03-02 0:00 UTC)),
            Err(CountersignError::OwnCompletion)
        );
        let signed = c
            .countersigned(Uuid::from_u128(2).into(), datetime!(2026-03-02 0:00 UTC))
            .unwrap();
        assert_eq!(
            signed.countersigned(Uuid::from_u128(3).into(), datetime!(2026-03-02 0:00 UTC)),
            Err(CountersignError::AlreadyCountersigned)
        );
        let l = done(datetime!(2026-03-01 10:00 UTC), leader());
        assert_eq!(
            l.countersigned(Uuid::from_u128(3).into(), datetime!(2026-03-02 0:00 UTC)),
            Err(CountersignError::NotSelfReported)
        );
    }

    #[test]
    fn other_peoples_completions_and_future_ones_do_not_count() {
        let mut other = done(datetime!(2026-03-01 10:00 UTC), leader());
        other.person = Uuid::from_u128(8).into();
        let future = done(datetime!(2026-05-01 10:00 UTC), leader());
        assert_eq!(
            state(&[other, future], datetime!(2026-04-01 0:00 UTC)),
            CourseState::Missing
        );
    }

    #[test]
    fn a_missing_course_is_due_within_its_period_of_the_later_of_required_and_joined() {
        let rule = DeadlineRule::new(Period::Days(30));
        let since = datetime!(2026-01-01 0:00 UTC);
        let joined = datetime!(2026-02-01 0:00 UTC);
        assert_eq!(
            course_due_at(
                &CourseState::Missing,
                Some(&rule),
                since,
                Some(joined),
                &oslo()
            )
            .unwrap(),
            Some(datetime!(2026-03-03 0:00 UTC))
        );
        assert_eq!(
            course_due_at(
                &CourseState::Missing,
                Some(&rule),
                joined,
                Some(since),
                &oslo()
            )
            .unwrap(),
            Some(datetime!(2026-03-03 0:00 UTC))
        );
        assert_eq!(
            course_due_at(&CourseState::Missing, None, since, None, &oslo()).unwrap(),
            None
        );
    }

    #[test]
    fn a_completed_course_is_due_again_at_its_expiry_and_not_while_awaiting_countersign() {
        let c = [done(datetime!(2026-01-31 10:00 UTC), leader())];
        let s = state(&c, datetime!(2026-06-01 0:00 UTC));
        let since = datetime!(2025-01-01 0:00 UTC);
        assert_eq!(
            course_due_at(&s, None, since, None, &oslo()).unwrap(),
            Some(datetime!(2028-01-31 10:00 UTC))
        );
        let expired = state(&c, datetime!(2028-03-01 0:00 UTC));
        assert_eq!(
            course_due_at(&expired, None, since, None, &oslo()).unwrap(),
            Some(datetime!(2028-01-31 10:00 UTC))
        );
        let waiting = CourseState::AwaitingCountersign {
            completed_at: since,
        };
        assert_eq!(
            course_due_at(&waiting, None, since, None, &oslo()).unwrap(),
            None
        );
    }

    #[test]
    fn a_course_without_validity_never_expires() {
        let forever = Course {
            validity: None,
            ..course()
        };
        let c = [done(datetime!(2000-01-01 0:00 UTC), leader())];
        let s = course_state(
            &forever,
            Uuid::from_u128(7).into(),
            &c,
            datetime!(2026-01-01 0:00 UTC),
            &oslo(),
        )
        .unwrap();
        assert_eq!(
            s,
            CourseState::Valid {
                completed_at: datetime!(2000-01-01 0:00 UTC),
                valid_until: None
            }
        );
    }
}
