//! The Clock building block (DESIGN.md "Recurring building blocks"): a deadline computed from a
//! moment and a rule, with escalation points, and its status at a given `now`.
//!
//! Breaches (GDPR 72 h), NIS2 (24 h / 72 h / 1 month), measures, reviews, acknowledgments and course
//! renewals all use it. Moments are `time::OffsetDateTime` (any offset; they are instants), the
//! calendar arithmetic is done with `jiff` in the tenant's IANA time zone (bundled tzdb, no I/O):
//!
//! - [`Period::Hours`] is real elapsed time: 72 h across a DST change is still 72 real hours.
//! - [`Period::Days`], [`Period::Months`] and [`Period::BusinessDays`] are calendar periods in the
//!   tenant's local time: "1 month" from 31 January is the last day of February (clamped), and
//!   "1 day" across spring-forward keeps the wall-clock time (23 real hours).
//! - `end_of_day` moves the result to 23:59:59 local time of the day it falls on.
//!
//! ```
//! use vakt_core::deadline::{DeadlineRule, TenantCalendar};
//! let rule: DeadlineRule = "72h".parse().unwrap();
//! let cal = TenantCalendar::new("Europe/Oslo").unwrap();
//! let aware = time::macros::datetime!(2026-03-27 12:00 UTC);
//! let clock = rule.start_at(aware, &cal).unwrap();
//! assert_eq!(clock.due(), time::macros::datetime!(2026-03-30 12:00 UTC));
//! ```
//!
//! Public surface: [`Period`], [`DeadlineRule`], [`EscalationPoint`], [`TenantCalendar`],
//! [`Deadline`] (with [`Deadline::status`] → [`DeadlineStatus`]), [`DeadlineError`].

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan, Zoned};
use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

/// Errors from deadline computation and rule parsing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[serde(rename_all = "snake_case", tag = "code", content = "value")]
pub enum DeadlineError {
    #[error("unknown time zone {0:?}")]
    UnknownTimeZone(String),
    #[error(
        "cannot parse period {0:?}; expected e.g. \"72h\", \"30d\", \"10 business days\", \"1 month\""
    )]
    BadPeriod(String),
    #[error(
        "cannot parse escalation point {0:?}; expected e.g. \"24h before\", \"at expiry\", \"1d after\""
    )]
    BadEscalation(String),
    #[error("the deadline falls outside the supported date range")]
    OutOfRange,
}

/// The length of a deadline period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Period {
    /// Real elapsed hours (72 h is 72 × 3600 s regardless of DST).
    Hours(u32),
    /// Calendar days in local time (wall-clock time is kept).
    Days(u32),
    /// Monday–Friday days in local time, skipping the calendar's holidays.
    BusinessDays(u32),
    /// Calendar months in local time, clamped to the end of a shorter month.
    Months(u32),
}

impl Period {
    /// Configured periods longer than about ten years are refused (they are typing errors, and a
    /// business-day count that large would be slow to compute).
    fn exceeds_limit(self) -> bool {
        match self {
            Period::Hours(n) => n > 24 * 3660,
            Period::Days(n) | Period::BusinessDays(n) => n > 3660,
            Period::Months(n) => n > 120,
        }
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Period::Hours(n) => write!(f, "{n}h"),
            Period::Days(n) => write!(f, "{n}d"),
            Period::BusinessDays(n) => write!(f, "{n} business days"),
            Period::Months(n) => write!(f, "{n} months"),
        }
    }
}

impl FromStr for Period {
    type Err = DeadlineError;

    /// Accepts `72h`, `72 hours`, `30d`, `30 days`, `10 business days`, `1 month`, `3 months`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || DeadlineError::BadPeriod(s.to_owned());
        let t = s.trim().to_ascii_lowercase();
        let digits_end = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
        if digits_end == 0 {
            return Err(bad());
        }
        let n: u32 = t[..digits_end].parse().map_err(|_| bad())?;
        let unit = t[digits_end..].trim();
        let period = match unit {
            "h" | "hour" | "hours" => Period::Hours(n),
            "d" | "day" | "days" => Period::Days(n),
            "bd" | "business day" | "business days" => Period::BusinessDays(n),
            "month" | "months" => Period::Months(n),
            _ => return Err(bad()),
        };
        if period.exceeds_limit() {
            return Err(bad());
        }
        Ok(period)
    }
}

impl TryFrom<String> for Period {
    type Error = DeadlineError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<Period> for String {
    fn from(p: Period) -> String {
        p.to_string()
    }
}

/// A point at which a reminder or escalation goes out, relative to the deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum EscalationPoint {
    /// This many real minutes before the deadline.
    Before { minutes: u32 },
    /// At the deadline itself.
    AtExpiry,
    /// This many real minutes after the deadline (overdue chasers).
    After { minutes: u32 },
}

impl EscalationPoint {
    /// Signed offset from the deadline (negative = before).
    fn offset(self) -> Duration {
        match self {
            EscalationPoint::Before { minutes } => -Duration::minutes(i64::from(minutes)),
            EscalationPoint::AtExpiry => Duration::ZERO,
            EscalationPoint::After { minutes } => Duration::minutes(i64::from(minutes)),
        }
    }

    /// Stable key for storage ("sent" markers) and Fluent parameters, e.g. `before:1440m`.
    pub fn key(self) -> String {
        String::from(self)
    }
}

impl fmt::Display for EscalationPoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&String::from(*self))
    }
}

impl From<EscalationPoint> for String {
    fn from(p: EscalationPoint) -> String {
        match p {
            EscalationPoint::Before { minutes } => format!("{minutes}m before"),
            EscalationPoint::AtExpiry => "at expiry".to_owned(),
            EscalationPoint::After { minutes } => format!("{minutes}m after"),
        }
    }
}

impl FromStr for EscalationPoint {
    type Err = DeadlineError;

    /// Accepts `24h before`, `30m before`, `at expiry`, `1d after`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || DeadlineError::BadEscalation(s.to_owned());
        let t = s.trim().to_ascii_lowercase();
        if t == "at expiry" || t == "expiry" || t == "0h before" {
            return Ok(EscalationPoint::AtExpiry);
        }
        let (amount, before) = if let Some(a) = t.strip_suffix("before") {
            (a.trim(), true)
        } else if let Some(a) = t.strip_suffix("after") {
            (a.trim(), false)
        } else {
            return Err(bad());
        };
        let digits_end = amount
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(amount.len());
        let n: u32 = amount[..digits_end].parse().map_err(|_| bad())?;
        let minutes = match amount[digits_end..].trim() {
            "m" | "min" | "minutes" => Some(n),
            "h" | "hours" | "hour" => n.checked_mul(60),
            "d" | "days" | "day" => n.checked_mul(24 * 60),
            _ => None,
        }
        .ok_or_else(bad)?;
        if minutes == 0 {
            return Ok(EscalationPoint::AtExpiry);
        }
        Ok(if before {
            EscalationPoint::Before { minutes }
        } else {
            EscalationPoint::After { minutes }
        })
    }
}

impl TryFrom<String> for EscalationPoint {
    type Error = DeadlineError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

/// A deadline rule: a period, optionally rounded to the end of the local day, with escalation
/// points. Deserialises from TOML as `{ period = "72h", end_of_day = false, escalate = ["24h before", "4h before", "at expiry"] }`
/// and parses from a bare period string (`"72h".parse()`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeadlineRule {
    pub period: Period,
    #[serde(default)]
    pub end_of_day: bool,
    #[serde(default)]
    pub escalate: Vec<EscalationPoint>,
}

impl FromStr for DeadlineRule {
    type Err = DeadlineError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(DeadlineRule::new(s.parse()?))
    }
}

impl DeadlineRule {
    /// A rule with no end-of-day rounding and no escalation points.
    pub fn new(period: Period) -> Self {
        DeadlineRule {
            period,
            end_of_day: false,
            escalate: Vec::new(),
        }
    }

    /// Round the deadline to 23:59:59 local time of its day.
    pub fn at_end_of_day(mut self) -> Self {
        self.end_of_day = true;
        self
    }

    /// Add escalation points.
    pub fn escalating_at(mut self, points: impl IntoIterator<Item = EscalationPoint>) -> Self {
        self.escalate.extend(points);
        self
    }

    /// The deadline for a period starting at `start`.
    pub fn due(
        &self,
        start: OffsetDateTime,
        cal: &TenantCalendar,
    ) -> Result<OffsetDateTime, DeadlineError> {
        let zoned = to_timestamp(start)?.to_zoned(cal.tz.clone());
        let mut due = match self.period {
            Period::Hours(n) => zoned
                .checked_add(i64::from(n).hours())
                .map_err(|_| DeadlineError::OutOfRange)?,
            Period::Days(n) => zoned
                .checked_add(i64::from(n).days())
                .map_err(|_| DeadlineError::OutOfRange)?,
            Period::Months(n) => zoned
                .checked_add(i64::from(n).months())
                .map_err(|_| DeadlineError::OutOfRange)?,
            Period::BusinessDays(n) => add_business_days(&zoned, n, cal)?,
        };
        if self.end_of_day {
            due = due
                .end_of_day()
                .and_then(|z| z.with().subsec_nanosecond(0).build())
                .map_err(|_| DeadlineError::OutOfRange)?;
        }
        from_timestamp(due.timestamp())
    }

    /// The running clock for a period starting at `start`.
    pub fn start_at(
        &self,
        start: OffsetDateTime,
        cal: &TenantCalendar,
    ) -> Result<Deadline, DeadlineError> {
        let due = self.due(start, cal)?;
        let mut points = self.escalate.clone();
        points.sort_by_key(|p| p.offset());
        points.dedup();
        Ok(Deadline {
            start,
            due,
            escalate: points,
        })
    }
}

fn add_business_days(start: &Zoned, n: u32, cal: &TenantCalendar) -> Result<Zoned, DeadlineError> {
    if Period::BusinessDays(n).exceeds_limit() {
        return Err(DeadlineError::OutOfRange);
    }
    let mut z = start.clone();
    let mut left = n;
    while left > 0 {
        z = z
            .checked_add(1.day())
            .map_err(|_| DeadlineError::OutOfRange)?;
        if cal.is_working_day(z.date()) {
            left -= 1;
        }
    }
    Ok(z)
}

/// The tenant's time zone and non-working days (holidays), used for calendar arithmetic.
#[derive(Debug, Clone, PartialEq)]
pub struct TenantCalendar {
    tz: TimeZone,
    holidays: BTreeSet<jiff::civil::Date>,
}

impl TenantCalendar {
    /// A calendar for an IANA time zone name such as `Europe/Oslo` (bundled tzdb, no I/O).
    pub fn new(iana_name: &str) -> Result<Self, DeadlineError> {
        let tz = TimeZone::get(iana_name)
            .map_err(|_| DeadlineError::UnknownTimeZone(iana_name.to_owned()))?;
        Ok(TenantCalendar {
            tz,
            holidays: BTreeSet::new(),
        })
    }

    /// Add holidays (local dates) that business-day periods skip.
    pub fn with_holidays(mut self, days: impl IntoIterator<Item = time::Date>) -> Self {
        for d in days {
            if let Ok(jd) =
                jiff::civil::Date::new(d.year() as i16, u8::from(d.month()) as i8, d.day() as i8)
            {
                self.holidays.insert(jd);
            }
        }
        self
    }

    fn is_working_day(&self, d: jiff::civil::Date) -> bool {
        use jiff::civil::Weekday;
        !matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday) && !self.holidays.contains(&d)
    }

    /// The first moment of a local date (midnight in the tenant's time zone).
    pub fn start_of_local_day(&self, date: time::Date) -> Result<OffsetDateTime, DeadlineError> {
        let d = jiff::civil::Date::new(
            date.year() as i16,
            u8::from(date.month()) as i8,
            date.day() as i8,
        )
        .map_err(|_| DeadlineError::OutOfRange)?;
        let z = d
            .to_zoned(self.tz.clone())
            .map_err(|_| DeadlineError::OutOfRange)?;
        from_timestamp(z.timestamp())
    }

    /// The instant of a local wall-clock time (a form's `datetime-local` value). A time that falls
    /// in the spring-forward gap is moved forward by the gap; in the autumn fold the earlier of the
    /// two instants is taken (jiff's "compatible" rule, as RFC 5545 does).
    pub fn from_local(
        &self,
        local: time::PrimitiveDateTime,
    ) -> Result<OffsetDateTime, DeadlineError> {
        let dt = jiff::civil::DateTime::new(
            local.year() as i16,
            u8::from(local.month()) as i8,
            local.day() as i8,
            local.hour() as i8,
            local.minute() as i8,
            local.second() as i8,
            0,
        )
        .map_err(|_| DeadlineError::OutOfRange)?;
        let z = dt
            .to_zoned(self.tz.clone())
            .map_err(|_| DeadlineError::OutOfRange)?;
        from_timestamp(z.timestamp())
    }

    /// The moment expressed in the tenant's local time (for display and date-based rules).
    pub fn local(&self, at: OffsetDateTime) -> Result<OffsetDateTime, DeadlineError> {
        let z = to_timestamp(at)?.to_zoned(self.tz.clone());
        let offset = time::UtcOffset::from_whole_seconds(z.offset().seconds())
            .map_err(|_| DeadlineError::OutOfRange)?;
        Ok(at.to_offset(offset))
    }
}

fn to_timestamp(t: OffsetDateTime) -> Result<Timestamp, DeadlineError> {
    Timestamp::from_nanosecond(t.unix_timestamp_nanos()).map_err(|_| DeadlineError::OutOfRange)
}

fn from_timestamp(t: Timestamp) -> Result<OffsetDateTime, DeadlineError> {
    OffsetDateTime::from_unix_timestamp_nanos(t.as_nanosecond())
        .map_err(|_| DeadlineError::OutOfRange)
}

/// A computed deadline: start, due moment (UTC) and escalation points.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deadline {
    start: OffsetDateTime,
    due: OffsetDateTime,
    escalate: Vec<EscalationPoint>,
}

/// Where a clock stands at `now`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeadlineStatus {
    /// Time left until the deadline; `None` once it has passed.
    pub remaining: Option<Duration>,
    /// How long past the deadline; `None` while it has not passed.
    pub overdue_by: Option<Duration>,
    /// Escalation points whose moment has come and that are not yet recorded as sent, earliest first.
    pub escalations_due: Vec<EscalationPoint>,
}

impl DeadlineStatus {
    pub fn is_overdue(&self) -> bool {
        self.overdue_by.is_some()
    }
}

impl Deadline {
    /// A clock with a known due moment (e.g. a measure's due date set by hand).
    pub fn fixed(
        start: OffsetDateTime,
        due: OffsetDateTime,
        escalate: Vec<EscalationPoint>,
    ) -> Self {
        let mut escalate = escalate;
        escalate.sort_by_key(|p| p.offset());
        escalate.dedup();
        Deadline {
            start: start.to_offset(time::UtcOffset::UTC),
            due: due.to_offset(time::UtcOffset::UTC),
            escalate,
        }
    }

    pub fn start(&self) -> OffsetDateTime {
        self.start
    }

    /// The deadline instant, in UTC. The deadline is met by anything at or before it.
    pub fn due(&self) -> OffsetDateTime {
        self.due.to_offset(time::UtcOffset::UTC)
    }

    /// The moment an escalation point fires.
    pub fn escalation_at(&self, point: EscalationPoint) -> OffsetDateTime {
        self.due().saturating_add(point.offset())
    }

    /// The escalation points with their moments, earliest first.
    pub fn escalations(&self) -> Vec<(EscalationPoint, OffsetDateTime)> {
        self.escalate
            .iter()
            .map(|p| (*p, self.escalation_at(*p)))
            .collect()
    }

    /// Whether something done at `at` met the deadline.
    pub fn met_by(&self, at: OffsetDateTime) -> bool {
        at <= self.due
    }

    /// The status at `now`, given the escalation points already recorded as sent.
    pub fn status(&self, now: OffsetDateTime, already_sent: &[EscalationPoint]) -> DeadlineStatus {
        let diff = self.due - now;
        let (remaining, overdue_by) = if diff >= Duration::ZERO {
            (Some(diff), None)
        } else {
            (None, Some(-diff))
        };
        let escalations_due = self
            .escalate
            .iter()
            .copied()
            .filter(|p| self.escalation_at(*p) <= now && !already_sent.contains(p))
            .collect();
        DeadlineStatus {
            remaining,
            overdue_by,
            escalations_due,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{datetime, offset};

    fn cal(tz: &str) -> TenantCalendar {
        TenantCalendar::new(tz).unwrap()
    }

    fn due(rule: &str, start: OffsetDateTime, tz: &str) -> OffsetDateTime {
        rule.parse::<DeadlineRule>()
            .unwrap()
            .due(start, &cal(tz))
            .unwrap()
    }

    /// 72 hours from `aware` in `tz` are 72 real hours, and show as `local` on the wall clock.
    fn assert_72_real_hours(aware: OffsetDateTime, tz: &str, local: OffsetDateTime) {
        let d = due("72h", aware, tz);
        assert_eq!(d - aware, Duration::hours(72));
        assert_eq!(cal(tz).local(d).unwrap(), local);
    }

    #[test]
    fn hours_are_real_hours_across_spring_forward_in_oslo() {
        // Oslo springs forward on 2026-03-29 02:00 → 03:00: the wall clock shows 11:00 (+02:00), not 10:00.
        assert_72_real_hours(
            datetime!(2026-03-28 10:00 +01:00),
            "Europe/Oslo",
            datetime!(2026-03-31 11:00 +02:00),
        );
    }

    #[test]
    fn hours_are_real_hours_across_fall_back_in_stockholm() {
        // Stockholm falls back on 2026-10-25 03:00 → 02:00.
        assert_72_real_hours(
            datetime!(2026-10-24 10:00 +02:00),
            "Europe/Stockholm",
            datetime!(2026-10-27 09:00 +01:00),
        );
    }

    #[test]
    fn twenty_four_hours_across_spring_forward_in_copenhagen_is_not_one_calendar_day() {
        let aware = datetime!(2026-03-28 12:00 +01:00);
        let by_hours = due("24h", aware, "Europe/Copenhagen");
        let by_day = due("1d", aware, "Europe/Copenhagen");
        assert_eq!(by_hours - aware, Duration::hours(24));
        assert_eq!(by_day - aware, Duration::hours(23));
        assert_eq!(
            cal("Europe/Copenhagen").local(by_day).unwrap(),
            datetime!(2026-03-29 12:00 +02:00)
        );
    }

    #[test]
    fn one_day_across_fall_back_keeps_wall_clock_time() {
        let start = datetime!(2026-10-24 12:00 +02:00);
        let d = due("1d", start, "Europe/Oslo");
        assert_eq!(d - start, Duration::hours(25));
    }

    #[test]
    fn end_of_day_is_local_midnight_minus_a_second_in_summer_and_winter() {
        let rule = DeadlineRule::new(Period::Days(14)).at_end_of_day();
        let summer = rule
            .due(datetime!(2026-06-01 09:30 UTC), &cal("Europe/Oslo"))
            .unwrap();
        assert_eq!(summer, datetime!(2026-06-15 21:59:59 UTC));
        let winter = rule
            .due(datetime!(2026-01-05 09:30 UTC), &cal("Europe/Oslo"))
            .unwrap();
        assert_eq!(winter, datetime!(2026-01-19 22:59:59 UTC));
    }

    #[test]
    fn end_of_day_uses_the_local_date_not_the_utc_date() {
        // 23:30 UTC on 31 Dec is already 1 Jan in Copenhagen.
        let rule = DeadlineRule::new(Period::Days(0)).at_end_of_day();
        let d = rule
            .due(datetime!(2026-12-31 23:30 UTC), &cal("Europe/Copenhagen"))
            .unwrap();
        assert_eq!(d, datetime!(2027-01-01 22:59:59 UTC));
    }

    #[test]
    fn end_of_day_across_spring_forward_is_the_local_end_of_the_target_day() {
        let rule = DeadlineRule::new(Period::Days(2)).at_end_of_day();
        let d = rule
            .due(datetime!(2026-03-27 10:00 +01:00), &cal("Europe/Stockholm"))
            .unwrap();
        assert_eq!(d, datetime!(2026-03-29 23:59:59 +02:00));
    }

    #[test]
    fn one_month_clamps_to_the_end_of_a_shorter_month() {
        let d = due("1 month", datetime!(2026-01-31 10:00 +01:00), "Europe/Oslo");
        assert_eq!(d, datetime!(2026-02-28 10:00 +01:00));
    }

    #[test]
    fn one_month_in_a_leap_year_ends_on_february_29() {
        let d = due("1 month", datetime!(2028-01-31 10:00 +01:00), "Europe/Oslo");
        assert_eq!(d, datetime!(2028-02-29 10:00 +01:00));
        let d = due(
            "12 months",
            datetime!(2028-02-29 10:00 +01:00),
            "Europe/Oslo",
        );
        assert_eq!(d, datetime!(2029-02-28 10:00 +01:00));
    }

    #[test]
    fn one_month_across_spring_forward_is_calendar_based_in_local_time() {
        let d = due(
            "1 month",
            datetime!(2026-03-15 09:00 +01:00),
            "Europe/Copenhagen",
        );
        assert_eq!(d, datetime!(2026-04-15 09:00 +02:00));
    }

    #[test]
    fn seventy_two_hours_over_a_leap_day() {
        let d = due("72h", datetime!(2028-02-27 12:00 UTC), "Europe/Oslo");
        assert_eq!(d, datetime!(2028-03-01 12:00 UTC));
    }

    #[test]
    fn awareness_recorded_in_another_offset_is_the_same_instant() {
        // Recorded by someone travelling (UTC-05:00): 31 Jan 20:30 there is 1 Feb 02:30 in Oslo.
        let aware = datetime!(2026-01-31 20:30 -05:00);
        assert_eq!(
            due("72h", aware, "Europe/Oslo"),
            datetime!(2026-02-04 01:30 UTC)
        );
        // Calendar rules use the tenant's local date: 1 Feb + 1 month = 1 Mar, not 28 Feb.
        assert_eq!(
            due("1 month", aware, "Europe/Oslo"),
            datetime!(2026-03-01 02:30 +01:00)
        );
    }

    #[test]
    fn business_days_skip_weekends_and_holidays() {
        let c = cal("Europe/Oslo").with_holidays([time::macros::date!(2026 - 04 - 02)]);
        // Tue 31 Mar 2026 + 3 business days: Wed 1, (Thu 2 holiday), Fri 3, (weekend), Mon 6.
        let rule = DeadlineRule::new(Period::BusinessDays(3));
        let d = rule.due(datetime!(2026-03-31 10:00 +02:00), &c).unwrap();
        assert_eq!(d, datetime!(2026-04-06 10:00 +02:00));
    }

    #[test]
    fn absurd_periods_are_errors_not_panics() {
        let far = datetime!(9999-12-01 0:00 UTC);
        let rule = DeadlineRule::new(Period::Months(120));
        assert_eq!(
            rule.due(far, &cal("Europe/Oslo")),
            Err(DeadlineError::OutOfRange)
        );
        let rule = DeadlineRule::new(Period::BusinessDays(u32::MAX));
        assert_eq!(
            rule.due(datetime!(2026-01-01 0:00 UTC), &cal("Europe/Oslo")),
            Err(DeadlineError::OutOfRange)
        );
        let clock = Deadline::fixed(far, far, vec![EscalationPoint::After { minutes: u32::MAX }]);
        assert_eq!(clock.status(far, &[]).escalations_due, vec![]);
    }

    #[test]
    fn unknown_time_zone_is_an_error() {
        assert!(matches!(
            TenantCalendar::new("Europe/Atlantis"),
            Err(DeadlineError::UnknownTimeZone(_))
        ));
    }

    #[test]
    fn periods_and_escalation_points_parse_and_reject_garbage() {
        assert_eq!("72h".parse::<Period>().unwrap(), Period::Hours(72));
        assert_eq!("1 month".parse::<Period>().unwrap(), Period::Months(1));
        assert_eq!(
            "10 business days".parse::<Period>().unwrap(),
            Period::BusinessDays(10)
        );
        assert!("month".parse::<Period>().is_err());
        assert!("72 fortnights".parse::<Period>().is_err());
        assert!("99999999999h".parse::<Period>().is_err());
        assert!("100000 business days".parse::<Period>().is_err());
        assert!("121 months".parse::<Period>().is_err());
        assert_eq!(
            "24h before".parse::<EscalationPoint>().unwrap(),
            EscalationPoint::Before { minutes: 1440 }
        );
        assert_eq!(
            "at expiry".parse::<EscalationPoint>().unwrap(),
            EscalationPoint::AtExpiry
        );
        assert_eq!(
            "1d after".parse::<EscalationPoint>().unwrap(),
            EscalationPoint::After { minutes: 1440 }
        );
        assert!("soon".parse::<EscalationPoint>().is_err());
        // Round trip through the serialised form.
        let p = EscalationPoint::Before { minutes: 240 };
        assert_eq!(p.key().parse::<EscalationPoint>().unwrap(), p);
    }

    #[test]
    fn rule_deserialises_from_toml() {
        let rule: DeadlineRule = toml::from_str(
            "period = \"72h\"\nescalate = [\"24h before\", \"4h before\", \"at expiry\"]",
        )
        .unwrap();
        assert_eq!(rule.period, Period::Hours(72));
        assert_eq!(rule.escalate.len(), 3);
    }

    #[test]
    fn status_reports_remaining_then_overdue_and_due_escalations_not_yet_sent() {
        let rule = DeadlineRule::new(Period::Hours(72)).escalating_at([
            EscalationPoint::AtExpiry,
            EscalationPoint::Before { minutes: 24 * 60 },
            EscalationPoint::Before { minutes: 4 * 60 },
        ]);
        let aware = datetime!(2026-05-04 08:00 UTC);
        let clock = rule.start_at(aware, &cal("Europe/Oslo")).unwrap();

        let early = clock.status(datetime!(2026-05-05 08:00 UTC), &[]);
        assert_eq!(early.remaining, Some(Duration::hours(48)));
        assert!(early.escalations_due.is_empty());

        let at_minus_20 = clock.status(datetime!(2026-05-06 12:00 UTC), &[]);
        assert_eq!(
            at_minus_20.escalations_due,
            vec![EscalationPoint::Before { minutes: 1440 }]
        );

        let at_minus_3 = clock.status(
            datetime!(2026-05-07 05:00 UTC),
            &[EscalationPoint::Before { minutes: 1440 }],
        );
        assert_eq!(
            at_minus_3.escalations_due,
            vec![EscalationPoint::Before { minutes: 240 }]
        );

        let late = clock.status(
            datetime!(2026-05-07 10:30 UTC),
            &[EscalationPoint::Before { minutes: 1440 }],
        );
        assert_eq!(late.remaining, None);
        assert_eq!(late.overdue_by, Some(Duration::minutes(150)));
        assert_eq!(
            late.escalations_due,
            vec![
                EscalationPoint::Before { minutes: 240 },
                EscalationPoint::AtExpiry
            ]
        );
        assert!(late.is_overdue());
    }

    #[test]
    fn a_deadline_is_met_exactly_at_its_moment_and_missed_a_second_later() {
        let clock = DeadlineRule::new(Period::Hours(72))
            .start_at(datetime!(2026-05-04 08:00 +02:00), &cal("Europe/Oslo"))
            .unwrap();
        assert!(clock.met_by(datetime!(2026-05-07 06:00 UTC)));
        assert!(!clock.met_by(datetime!(2026-05-07 06:00:01 UTC)));
        assert_eq!(clock.due().offset(), offset!(UTC));
    }

    #[test]
    fn local_form_times_map_to_instants_across_dst_gaps_and_folds() {
        use time::macros::{date, datetime, time as t};
        let cal = TenantCalendar::new("Europe/Oslo").unwrap();
        // Winter: UTC+1; summer: UTC+2.
        assert_eq!(
            cal.from_local(time::PrimitiveDateTime::new(
                date!(2026 - 01 - 15),
                t!(10:00)
            ))
            .unwrap(),
            datetime!(2026-01-15 09:00 UTC)
        );
        assert_eq!(
            cal.from_local(time::PrimitiveDateTime::new(
                date!(2026 - 07 - 15),
                t!(10:00)
            ))
            .unwrap(),
            datetime!(2026-07-15 08:00 UTC)
        );
        // 29 March 2026 02:30 does not exist in Oslo: moved forward by the gap (03:30 CEST).
        assert_eq!(
            cal.from_local(time::PrimitiveDateTime::new(
                date!(2026 - 03 - 29),
                t!(02:30)
            ))
            .unwrap(),
            datetime!(2026-03-29 01:30 UTC)
        );
        // 25 October 2026 02:30 happens twice: the earlier (CEST) instant.
        assert_eq!(
            cal.from_local(time::PrimitiveDateTime::new(
                date!(2026 - 10 - 25),
                t!(02:30)
            ))
            .unwrap(),
            datetime!(2026-10-25 00:30 UTC)
        );
        // And back: local() shows the wall-clock time again.
        let back = cal.local(datetime!(2026-07-15 08:00 UTC)).unwrap();
        assert_eq!((back.hour(), back.minute()), (10, 0));
    }
}
