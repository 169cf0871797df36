//! The injected clock.
//!
//! Every rule that depends on "now" (lockout, session timeouts, password expiry, TOTP, and later
//! every regulatory deadline) takes the current time as an argument or a `&dyn Clock`, never
//! calls the system clock itself. Production code uses [`SystemClock`]; tests use [`FixedClock`]
//! and move time with [`FixedClock::advance`] or [`FixedClock::set`].
//!
//! ```
//! use vakt_core::clock::{Clock, FixedClock};
//! use time::{Duration, macros::datetime};
//!
//! let clock = FixedClock::new(datetime!(2025-01-01 12:00 UTC));
//! clock.advance(Duration::minutes(15));
//! assert_eq!(clock.now(), datetime!(2025-01-01 12:15 UTC));
//! ```

use std::sync::Mutex;
use time::{Duration, OffsetDateTime};

/// A source of the current time (always UTC).
pub trait Clock: Send + Sync {
    /// The current moment, in UTC.
    fn now(&self) -> OffsetDateTime;
}

/// The real clock: `OffsetDateTime::now_utc()`.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }
}

/// A clock that stands still until told to move; for tests and for deterministic tools.
#[derive(Debug)]
pub struct FixedClock {
    now: Mutex<OffsetDateTime>,
}

impl FixedClock {
    /// A clock showing `now` (converted to UTC).
    pub fn new(now: OffsetDateTime) -> Self {
        Self {
            now: Mutex::new(now.to_offset(time::UtcOffset::UTC)),
        }
    }

    /// Set the clock to `now`.
    pub fn set(&self, now: OffsetDateTime) {
        *self.lock() = now.to_offset(time::UtcOffset::UTC);
    }

    /// Move the clock by `by` (may be negative).
    pub fn advance(&self, by: Duration) {
        let mut guard = self.lock();
        *guard += by;
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, OffsetDateTime> {
        // A poisoned mutex only means another test thread panicked while holding it; the value
        // inside is still a valid timestamp.
        self.now
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl Clock for FixedClock {
    fn now(&self) -> OffsetDateTime {
        *self.lock()
    }
}

impl<C: Clock + ?Sized> Clock for std::sync::Arc<C> {
    fn now(&self) -> OffsetDateTime {
        (**self).now()
    }
}

impl<C: Clock + ?Sized> Clock for &C {
    fn now(&self) -> OffsetDateTime {
        (**self).now()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn fixed_clock_stands_still_until_advanced() {
        let clock = FixedClock::new(datetime!(2025-03-01 08:00 UTC));
        assert_eq!(clock.now(), clock.now());
        clock.advance(Duration::hours(2));
        assert_eq!(clock.now(), datetime!(2025-03-01 10:00 UTC));
        clock.advance(Duration::hours(-3));
        assert_eq!(clock.now(), datetime!(2025-03-01 07:00 UTC));
    }

    #[test]
    fn fixed_clock_reports_utc_even_when_set_with_an_offset() {
        let clock = FixedClock::new(datetime!(2025-03-01 09:00 +01:00));
        assert_eq!(clock.now(), datetime!(2025-03-01 08:00 UTC));
        assert!(clock.now().offset().is_utc());
        clock.set(datetime!(2025-06-01 14:00 +02:00));
        assert_eq!(clock.now(), datetime!(2025-06-01 12:00 UTC));
    }

    #[test]
    fn system_clock_is_close_to_now() {
        let before = OffsetDateTime::now_utc();
        let now = SystemClock.now();
        let after = OffsetDateTime::now_utc();
        assert!(before <= now && now <= after);
    }

    #[test]
    fn clock_works_behind_arc_dyn() {
        let clock: std::sync::Arc<dyn Clock> =
            std::sync::Arc::new(FixedClock::new(datetime!(2025-01-01 00:00 UTC)));
        assert_eq!(clock.now(), datetime!(2025-01-01 00:00 UTC));
    }
}
