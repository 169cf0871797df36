//! Authentication rules: password policy, password hashing, lockout, TOTP, recovery codes and
//! opaque tokens. Pure functions over values; the store keeps the state, the web layer calls these.
//!
//! - [`policy`]: [`PasswordPolicy`] (serde, per tenant, with presets) and
//!   [`check_password`] → every failed rule as a [`PasswordViolation`] code with parameters.
//! - [`hash`]: argon2id [`hash_password`] / [`verify_password`] (call inside `spawn_blocking`).
//! - [`lockout`]: [`LockoutPolicy`], [`LockoutState`], [`check_lockout`], [`record_failure`].
//! - [`ip_throttle`]: failed sign-ins per client address ([`ip_throttle::IpThrottle`]), beyond lockout.
//! - [`totp`]: RFC 6238 secrets, enrolment URLs and replay-safe verification.
//! - [`recovery`]: ten one-time recovery codes, stored as SHA-256 hashes.
//! - [`token`]: opaque random tokens (sessions, API tokens, CSRF), stored as SHA-256 hex.
//! - [`session`]: idle and absolute session timeouts.
//! - [`signin`]: the steps after a correct password (TOTP, enrolment, forced change).

pub mod hash;
pub mod ip_throttle;
pub mod lockout;
pub mod policy;
pub mod recovery;
pub mod session;
pub mod signin;
pub mod token;
pub mod totp;

pub use hash::{HashError, hash_password, needs_rehash, verify_password, verify_password_dummy};
pub use lockout::{
    FailureOutcome, LockoutDecision, LockoutPolicy, LockoutState, check_lockout, record_failure,
    reset as reset_lockout,
};
pub use policy::{
    CharClass, PasswordPolicy, PasswordPreset, PasswordViolation, PersonalInfo, check_password,
    check_password_rules, is_common_password, password_expired,
};
