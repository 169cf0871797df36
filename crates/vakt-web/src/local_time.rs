//! Moments as people read them: in the tenant's time zone.
//!
//! Vakt stores every moment in UTC; pages, CSV exports and messages show it in the tenant's IANA time
//! zone (the `time_zone` setting, e.g. `Europe/Oslo`), with daylight saving time applied. Every page
//! gets a [`LocalTime`] for the signed-in user's tenant in [`crate::page::Page::time`]; templates call
//! `page.at(moment)` and handlers `page.time.minute(moment)`, so later capabilities need nothing else:
//!
//! ```
//! use time::macros::datetime;
//! use vakt_web::local_time::LocalTime;
//!
//! let oslo = LocalTime::new("Europe/Oslo");
//! assert_eq!(oslo.minute(datetime!(2026-03-02 09:00 UTC)), "2026-03-02 10:00 CET");
//! assert_eq!(oslo.minute(datetime!(2026-07-01 09:00 UTC)), "2026-07-01 11:00 CEST");
//! assert_eq!(oslo.rfc3339(datetime!(2026-07-01 09:00 UTC)), "2026-07-01T11:00:00+02:00");
//! // A local calendar date starts at local midnight (for "from"/"to" date filters).
//! assert_eq!(oslo.start_of_day(time::macros::date!(2026-07-01)), datetime!(2026-06-30 22:00 UTC));
//! // Anonymous pages and unknown zone names fall back to UTC.
//! assert_eq!(LocalTime::default().minute(datetime!(2026-03-02 09:00 UTC)), "2026-03-02 09:00 UTC");
//! ```
//!
//! Dates without a time of day (employment start, birth date) are calendar dates and are shown as
//! they are; only moments (`OffsetDateTime`) go through here.

use jiff::tz::TimeZone;
use time::{Date, OffsetDateTime};

/// Formats stored UTC moments in one time zone. Cheap to clone.
#[derive(Debug, Clone)]
pub struct LocalTime {
    tz: TimeZone,
    name: String,
}

impl Default for LocalTime {
    /// UTC (pages before sign-in, where no tenant is known).
    fn default() -> Self {
        LocalTime {
            tz: TimeZone::UTC,
            name: "UTC".to_owned(),
        }
    }
}

impl LocalTime {
    /// The zone named `iana` (bundled tz database, no I/O); UTC if the name is unknown.
    pub fn new(iana: &str) -> Self {
        match TimeZone::get(iana) {
            Ok(tz) => LocalTime {
                tz,
                name: iana.to_owned(),
            },
            Err(_) => LocalTime::default(),
        }
    }

    /// The tenant's zone from its settings.
    pub fn for_settings(settings: &vakt_core::settings::Settings) -> Self {
        LocalTime::new(&settings.time_zone)
    }

    /// The IANA name in use (`UTC` after a fallback).
    pub fn zone_name(&self) -> &str {
        &self.name
    }

    fn zoned(&self, t: OffsetDateTime) -> Option<jiff::Zoned> {
        let ts = jiff::Timestamp::from_nanosecond(t.unix_timestamp_nanos()).ok()?;
        Some(ts.to_zoned(self.tz.clone()))
    }

    /// `YYYY-MM-DD HH:MM ZONE` to the minute, e.g. `2026-03-02 10:00 CET` (what pages show).
    pub fn minute(&self, t: OffsetDateTime) -> String {
        match self.zoned(t) {
            Some(z) => z.strftime("%Y-%m-%d %H:%M %Z").to_string(),
            None => String::new(),
        }
    }

    /// `YYYY-MM-DD HH:MM` without the zone (for sentences such as "locked until …").
    pub fn minute_plain(&self, t: OffsetDateTime) -> String {
        match self.zoned(t) {
            Some(z) => z.strftime("%Y-%m-%d %H:%M").to_string(),
            None => String::new(),
        }
    }

    /// RFC 3339 with the local offset, to the second, e.g. `2026-07-01T11:00:00+02:00` (CSV exports:
    /// unambiguous and local).
    pub fn rfc3339(&self, t: OffsetDateTime) -> String {
        match self.zoned(t) {
            Some(z) => z.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string(),
            None => String::new(),
        }
    }

    /// The first moment (local midnight, as UTC) of the local calendar date `d`.
    pub fn start_of_day(&self, d: Date) -> OffsetDateTime {
        let local =
            jiff::civil::Date::new(d.year() as i16, u8::from(d.month()) as i8, d.day() as i8)
                .ok()
                .and_then(|jd| jd.to_zoned(self.tz.clone()).ok())
                .and_then(|z| {
                    OffsetDateTime::from_unix_timestamp_nanos(z.timestamp().as_nanosecond()).ok()
                });
        local.unwrap_or_else(|| d.midnight().assume_utc())
    }
}

/// The deadline calendar of a time zone (`vakt_core::deadline::TenantCalendar`); an unknown zone falls
/// back to Europe/Oslo, then UTC. The one place every capability gets its calendar from.
pub fn calendar(iana: &str) -> vakt_core::deadline::TenantCalendar {
    use vakt_core::deadline::TenantCalendar;
    TenantCalendar::new(iana)
        .or_else(|_| TenantCalendar::new("Europe/Oslo"))
        .or_else(|_| TenantCalendar::new("UTC"))
        .unwrap_or_else(|_| unreachable_calendar())
}

#[allow(clippy::panic)]
fn unreachable_calendar() -> vakt_core::deadline::TenantCalendar {
    panic!("the bundled time zone database lacks UTC")
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    #[test]
    fn daylight_saving_time_is_applied_in_each_nordic_zone() {
        for tz in ["Europe/Oslo", "Europe/Stockholm", "Europe/Copenhagen"] {
            let lt = LocalTime::new(tz);
            assert_eq!(
                lt.minute(datetime!(2026-01-15 12:00 UTC)),
                "2026-01-15 13:00 CET"
            );
            assert_eq!(
                lt.minute(datetime!(2026-06-15 12:00 UTC)),
                "2026-06-15 14:00 CEST"
            );
        }
    }

    #[test]
    fn the_local_date_can_differ_from_the_utc_date() {
        let lt = LocalTime::new("Europe/Oslo");
        assert_eq!(
            lt.minute_plain(datetime!(2026-12-31 23:30 UTC)),
            "2027-01-01 00:30"
        );
    }

    #[test]
    fn the_local_day_starts_at_local_midnight_across_the_change_to_summer_time() {
        let lt = LocalTime::new("Europe/Oslo");
        assert_eq!(
            lt.start_of_day(date!(2026 - 03 - 29)),
            datetime!(2026-03-28 23:00 UTC)
        );
        assert_eq!(
            lt.start_of_day(date!(2026 - 03 - 30)),
            datetime!(2026-03-29 22:00 UTC)
        );
    }

    #[test]
    fn an_unknown_zone_falls_back_to_utc() {
        let lt = LocalTime::new("Mars/Olympus_Mons");
        assert_eq!(lt.zone_name(), "UTC");
        assert_eq!(
            lt.rfc3339(datetime!(2026-03-02 09:00 UTC)),
            "2026-03-02T09:00:00+00:00"
        );
    }
}
