//! Session lifetime (R-051): a session ends after a period without requests (idle timeout) and,
//! whatever happens, a fixed time after sign-in (absolute timeout). Both come from the effective
//! [`Settings`](crate::settings::Settings).
//!
//! ```
//! use time::{Duration, macros::datetime};
//! use vakt_core::auth::session::{check_session, SessionCheck, SessionTimeouts};
//! let t = SessionTimeouts { idle: Duration::minutes(30), absolute: Duration::hours(12) };
//! let signed_in = datetime!(2025-01-01 08:00 UTC);
//! let last_seen = datetime!(2025-01-01 09:00 UTC);
//! assert!(matches!(check_session(signed_in, last_seen, last_seen + Duration::minutes(29), &t),
//!     SessionCheck::Valid { .. }));
//! assert_eq!(check_session(signed_in, last_seen, last_seen + Duration::minutes(30), &t),
//!     SessionCheck::IdleExpired);
//! ```

use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

use crate::settings::Settings;

/// The two limits of a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionTimeouts {
    pub idle: Duration,
    pub absolute: Duration,
}

impl From<&Settings> for SessionTimeouts {
    fn from(s: &Settings) -> Self {
        Self {
            idle: Duration::minutes(i64::from(s.session_idle_minutes)),
            absolute: Duration::minutes(i64::from(s.session_absolute_minutes)),
        }
    }
}

/// Is the session still usable at `now`?
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum SessionCheck {
    /// Usable; it ends at `expires_at` unless used again (the earlier of both limits).
    Valid { expires_at: OffsetDateTime },
    /// No request for longer than the idle timeout.
    IdleExpired,
    /// Older than the absolute timeout.
    AbsoluteExpired,
}

/// Check a session created at `created_at` and last used at `last_seen_at`. A deadline is
/// exclusive: a session is expired exactly at `last_seen_at + idle`. A `last_seen_at` in the
/// future (clock skew between servers) counts as `now`.
pub fn check_session(
    created_at: OffsetDateTime,
    last_seen_at: OffsetDateTime,
    now: OffsetDateTime,
    timeouts: &SessionTimeouts,
) -> SessionCheck {
    let absolute_end = created_at.saturating_add(timeouts.absolute);
    let idle_end = last_seen_at.min(now).saturating_add(timeouts.idle);
    if now >= absolute_end {
        SessionCheck::AbsoluteExpired
    } else if now >= idle_end {
        SessionCheck::IdleExpired
    } else {
        SessionCheck::Valid {
            expires_at: absolute_end.min(idle_end),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Country;
    use time::macros::datetime;

    const T0: OffsetDateTime = datetime!(2025-03-03 08:00 UTC);

    fn defaults() -> SessionTimeouts {
        SessionTimeouts::from(&Settings::preset(Country::No))
    }

    #[test]
    fn default_timeouts_are_30_minutes_idle_and_12_hours_absolute() {
        let t = defaults();
        assert_eq!(t.idle, Duration::minutes(30));
        assert_eq!(t.absolute, Duration::hours(12));
    }

    #[test]
    fn session_expires_after_idle_timeout() {
        let t = defaults();
        let seen = T0 + Duration::hours(1);
        assert_eq!(
            check_session(T0, seen, seen + Duration::minutes(29), &t),
            SessionCheck::Valid {
                expires_at: seen + Duration::minutes(30)
            }
        );
        assert_eq!(
            check_session(T0, seen, seen + Duration::minutes(30), &t),
            SessionCheck::IdleExpired
        );
    }

    #[test]
    fn session_expires_at_absolute_timeout_even_when_in_use() {
        let t = defaults();
        let seen = T0 + Duration::hours(12) - Duration::minutes(1);
        assert_eq!(
            check_session(T0, seen, seen, &t),
            SessionCheck::Valid {
                expires_at: T0 + Duration::hours(12)
            }
        );
        assert_eq!(
            check_session(T0, seen, T0 + Duration::hours(12), &t),
            SessionCheck::AbsoluteExpired
        );
    }

    #[test]
    fn last_seen_in_the_future_does_not_extend_the_session() {
        let t = defaults();
        let now = T0 + Duration::minutes(10);
        assert_eq!(
            check_session(T0, T0 + Duration::days(1), now, &t),
            SessionCheck::Valid {
                expires_at: now + Duration::minutes(30)
            }
        );
    }
}
