//! Lockout after repeated failed sign-ins (R-043), as pure functions of the stored state, the
//! policy and the current time.
//!
//! The store keeps a [`LockoutState`] per account. Before checking a password the web layer asks
//! [`check_lockout`]; after a wrong password it stores [`record_failure`]'s new state (and writes
//! the `lockout` audit event when `newly_locked`); after a successful sign-in or an admin unlock
//! it stores [`LockoutState::default()`].
//!
//! ```
//! use time::{Duration, macros::datetime};
//! use vakt_core::auth::{check_lockout, record_failure, LockoutDecision, LockoutPolicy, LockoutState};
//!
//! let policy = LockoutPolicy::default(); // 5 failures, 15 minutes
//! let now = datetime!(2025-01-01 12:00 UTC);
//! let mut state = LockoutState::default();
//! for _ in 0..5 { state = record_failure(&state, now, &policy).state; }
//! assert_eq!(check_lockout(&state, now, &policy),
//!     LockoutDecision::Locked { until: now + Duration::minutes(15) });
//! assert_eq!(check_lockout(&state, now + Duration::minutes(15), &policy), LockoutDecision::Allowed);
//! ```

use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

/// Lock an account for `lock_minutes` after `max_failures` consecutive failures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct LockoutPolicy {
    /// Consecutive failures that lock the account (at least 1).
    pub max_failures: u32,
    /// How long the lock lasts.
    pub lock_minutes: u32,
}

impl Default for LockoutPolicy {
    fn default() -> Self {
        Self {
            max_failures: 5,
            lock_minutes: 15,
        }
    }
}

/// What the store keeps per account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct LockoutState {
    /// Consecutive failures since the last success, unlock or expired lock.
    pub failed_attempts: u32,
    /// Set while the account is (or was last) locked.
    pub locked_until: Option<OffsetDateTime>,
}

/// May the account try to sign in now?
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "decision", rename_all = "snake_case")]
pub enum LockoutDecision {
    Allowed,
    Locked { until: OffsetDateTime },
}

/// Decide whether a sign-in attempt may proceed. The policy is not consulted for an existing lock
/// (a lock set under an older policy runs to its end).
pub fn check_lockout(
    state: &LockoutState,
    now: OffsetDateTime,
    _policy: &LockoutPolicy,
) -> LockoutDecision {
    match state.locked_until {
        Some(until) if now < until => LockoutDecision::Locked { until },
        _ => LockoutDecision::Allowed,
    }
}

/// The result of a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FailureOutcome {
    /// The state to store.
    pub state: LockoutState,
    /// This failure locked the account (write the lockout audit event).
    pub newly_locked: bool,
}

/// Record a failed attempt at `now`. A lock that has run out starts a fresh count.
pub fn record_failure(
    state: &LockoutState,
    now: OffsetDateTime,
    policy: &LockoutPolicy,
) -> FailureOutcome {
    if let Some(until) = state.locked_until
        && now < until
    {
        // Still locked: the attempt was refused before the password was checked; nothing changes.
        return FailureOutcome {
            state: *state,
            newly_locked: false,
        };
    }
    let expired_lock = state.locked_until.is_some();
    let previous = if expired_lock {
        0
    } else {
        state.failed_attempts
    };
    let failed_attempts = previous.saturating_add(1);
    let max = policy.max_failures.max(1);
    if failed_attempts >= max {
        FailureOutcome {
            state: LockoutState {
                failed_attempts,
                locked_until: Some(
                    now.saturating_add(Duration::minutes(i64::from(policy.lock_minutes))),
                ),
            },
            newly_locked: true,
        }
    } else {
        FailureOutcome {
            state: LockoutState {
                failed_attempts,
                locked_until: None,
            },
            newly_locked: false,
        }
    }
}

/// The state after a successful sign-in or an admin unlock.
pub fn reset() -> LockoutState {
    LockoutState::default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2025-02-03 10:00 UTC);

    fn fail_n(n: u32, policy: &LockoutPolicy) -> (LockoutState, Vec<bool>) {
        let mut s = LockoutState::default();
        let mut locks = vec![];
        for _ in 0..n {
            let out = record_failure(&s, NOW, policy);
            s = out.state;
            locks.push(out.newly_locked);
        }
        (s, locks)
    }

    #[test]
    fn fewer_failures_than_the_limit_do_not_lock() {
        let p = LockoutPolicy::default();
        let (s, locks) = fail_n(4, &p);
        assert_eq!(s.failed_attempts, 4);
        assert_eq!(check_lockout(&s, NOW, &p), LockoutDecision::Allowed);
        assert!(locks.iter().all(|l| !l));
    }

    #[test]
    fn the_fifth_failure_locks_for_fifteen_minutes_and_says_so_once() {
        let p = LockoutPolicy::default();
        let (s, locks) = fail_n(5, &p);
        assert_eq!(locks, vec![false, false, false, false, true]);
        let until = NOW + Duration::minutes(15);
        assert_eq!(
            check_lockout(&s, NOW, &p),
            LockoutDecision::Locked { until }
        );
        assert_eq!(
            check_lockout(&s, until - Duration::seconds(1), &p),
            LockoutDecision::Locked { until }
        );
        assert_eq!(check_lockout(&s, until, &p), LockoutDecision::Allowed);
    }

    #[test]
    fn attempts_while_locked_do_not_extend_the_lock() {
        let p = LockoutPolicy::default();
        let (s, _) = fail_n(5, &p);
        let again = record_failure(&s, NOW + Duration::minutes(5), &p);
        assert_eq!(again.state, s);
        assert!(!again.newly_locked);
    }

    #[test]
    fn a_lock_that_ran_out_starts_a_fresh_count() {
        let p = LockoutPolicy::default();
        let (s, _) = fail_n(5, &p);
        let later = NOW + Duration::minutes(20);
        let out = record_failure(&s, later, &p);
        assert_eq!(out.state.failed_attempts, 1);
        assert_eq!(out.state.locked_until, None);
        assert!(!out.newly_locked);
    }

    #[test]
    fn configured_limit_and_duration_apply() {
        let p = LockoutPolicy {
            max_failures: 3,
            lock_minutes: 60,
        };
        let (s, _) = fail_n(3, &p);
        assert_eq!(
            check_lockout(&s, NOW, &p),
            LockoutDecision::Locked {
                until: NOW + Duration::hours(1)
            }
        );
    }

    #[test]
    fn success_or_admin_unlock_resets_everything() {
        let p = LockoutPolicy::default();
        let (_, _) = fail_n(5, &p);
        assert_eq!(check_lockout(&reset(), NOW, &p), LockoutDecision::Allowed);
        assert_eq!(reset().failed_attempts, 0);
    }

    #[test]
    fn a_zero_limit_is_treated_as_one() {
        let p = LockoutPolicy {
            max_failures: 0,
            lock_minutes: 1,
        };
        let (_, locks) = fail_n(1, &p);
        assert_eq!(locks, vec![true]);
    }
}
