//! A limit on failed sign-ins per client address, beyond the per-account lockout ([`super::lockout`]):
//! one address that tries many user names (password spraying) is refused for a while, without locking
//! the accounts it tried. The count is of `auth.signin_failed` audit events from that address in the
//! tenant within the window, so it holds across several `vakt serve` processes (it lives in the
//! database, not in process memory).
//!
//! ```
//! use vakt_core::auth::ip_throttle::{IpThrottle, ThrottleDecision};
//! use time::macros::datetime;
//!
//! let t = IpThrottle::default(); // 20 failures in 15 minutes
//! let now = datetime!(2026-03-02 09:00 UTC);
//! assert_eq!(t.window_start(now), datetime!(2026-03-02 08:45 UTC));
//! assert_eq!(t.decide(19), ThrottleDecision::Allowed);
//! assert_eq!(t.decide(20), ThrottleDecision::Refused);
//! ```
//!
//! Behind a reverse proxy the address is the proxy's unless the server sees the client's own; the
//! limit is deliberately generous so that a municipality's shared outgoing address is not refused.

use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

/// At most `max_failures` failed sign-ins from one address within `window_minutes`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct IpThrottle {
    pub max_failures: u32,
    pub window_minutes: u32,
}

impl Default for IpThrottle {
    fn default() -> Self {
        IpThrottle {
            max_failures: 20,
            window_minutes: 15,
        }
    }
}

/// May a sign-in from this address be tried now?
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ThrottleDecision {
    Allowed,
    Refused,
}

impl IpThrottle {
    /// Failures at or after this moment count.
    pub fn window_start(&self, now: OffsetDateTime) -> OffsetDateTime {
        now.saturating_sub(Duration::minutes(i64::from(self.window_minutes)))
    }

    /// The decision for `recent_failures` failures in the window (a limit of 0 counts as 1).
    pub fn decide(&self, recent_failures: u64) -> ThrottleDecision {
        if recent_failures >= u64::from(self.max_failures.max(1)) {
            ThrottleDecision::Refused
        } else {
            ThrottleDecision::Allowed
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limit_is_reached_at_max_failures() {
        let t = IpThrottle {
            max_failures: 3,
            window_minutes: 1,
        };
        assert_eq!(t.decide(0), ThrottleDecision::Allowed);
        assert_eq!(t.decide(2), ThrottleDecision::Allowed);
        assert_eq!(t.decide(3), ThrottleDecision::Refused);
        assert_eq!(t.decide(u64::MAX), ThrottleDecision::Refused);
    }

    #[test]
    fn a_zero_limit_still_allows_nothing_after_one_failure() {
        let t = IpThrottle {
            max_failures: 0,
            window_minutes: 5,
        };
        assert_eq!(t.decide(0), ThrottleDecision::Allowed);
        assert_eq!(t.decide(1), ThrottleDecision::Refused);
    }
}
