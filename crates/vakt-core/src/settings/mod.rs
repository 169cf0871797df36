//! Tenant settings as policy (DESIGN.md "Settings are policy, and policy is inherited"; R-007,
//! REQUIREMENTS §26).
//!
//! A tenant's [`Settings`] start from its country preset ([`Settings::preset`]) and are edited by
//! the tenant admin or security coordinator (checked by [`Settings::validate`]). A unit may hold a
//! [`UnitOverride`]: a partial set of values that may only make the policy **stricter**. Each
//! overridable setting is a [`SettingKey`] with a declared [`Direction`] (which way is stricter).
//!
//! - When an override is saved, [`validate_override`] rejects every value that is looser than the
//!   parent's effective value ([`SettingError::Looser`]) or out of range.
//! - Stored documents are read with [`Settings::from_stored`] (over the country preset) and
//!   [`UnitOverride::from_stored`]; [`effective_for_unit`] resolves a unit from the tenant's units
//!   and overrides, and [`parent_effective`] gives what a new override must not loosen.
//! - When settings are used, [`effective`] folds the overrides from the root unit down to the leaf,
//!   taking for each setting the stricter of parent and child. An override that became looser
//!   later (because the tenant tightened its own value) is thus ignored rather than obeyed.
//!
//! ```
//! use vakt_core::Country;
//! use vakt_core::settings::{effective, validate_override, Settings, UnitOverride, SettingError,
//!     SettingKey, Direction};
//!
//! let tenant = Settings::preset(Country::No);
//! let school = UnitOverride { password_min_length: Some(14), ..Default::default() };
//! let class = UnitOverride { session_idle_minutes: Some(10), ..Default::default() };
//! let eff = effective(&tenant, &[school, class]);
//! assert_eq!(eff.password.min_length, 14);
//! assert_eq!(eff.session_idle_minutes, 10);
//!
//! let looser = UnitOverride { require_totp: Some(false), ..Default::default() };
//! assert_eq!(validate_override(&tenant, &looser),
//!     Err(vec![SettingError::Looser { key: SettingKey::RequireTotp, direction: Direction::TurnOn }]));
//! ```
//!
//! # Adding a setting (later capabilities)
//!
//! 1. Add the field to [`Settings`] (with its preset values) and, if a unit may tighten it, an
//!    `Option` field to [`UnitOverride`] and a [`SettingKey`] variant with its [`Direction`].
//! 2. Add one `merge(...)` line in [`apply_override`]; the exhaustive key list and the tests
//!    (`every_key_is_applied_and_rejected_when_looser`) make sure nothing is forgotten.
//!
//! The strictness rules per setting:
//!
//! | setting | stricter means |
//! |---|---|
//! | password minimum length, minimum classes, history, lockout duration, security-audit retention | higher ([`Direction::Increase`]) |
//! | lockout failures, session idle/absolute timeout, usage and monitoring log retention (privacy) | lower ([`Direction::Decrease`]) |
//! | password maximum age | set, or shorter ([`Direction::SetOrDecrease`]) |
//! | require TOTP, reject common, reject personal information | only off → on ([`Direction::TurnOn`]) |
//! | required classes, forbidden characters | only more ([`Direction::Grow`]) |
//! | languages, default language, time zone, maximum password length | tenant only, not overridable |

use std::collections::{BTreeSet, HashMap};

use serde::{Deserialize, Serialize};

use crate::Country;
use crate::auth::policy::{CharClass, PasswordPolicy, PasswordPreset};
use crate::directory::{Language, OrgUnit, UnitId, path_to_root};

/// How long audit events of each class are kept (R-117).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AuditRetention {
    /// Ordinary usage events (page views, searches): personal data, kept briefly.
    pub usage_days: u32,
    /// Monitoring of people's use (log reviews, scans of their files): personal data.
    pub monitoring_days: u32,
    /// Security events (sign-in, lockout, admin changes): kept for accountability.
    pub security_days: u32,
}

impl Default for AuditRetention {
    fn default() -> Self {
        Self {
            usage_days: 90,
            monitoring_days: 90,
            security_days: 5 * 365,
        }
    }
}

/// A tenant's settings. Deserialising fills missing fields from the Norwegian preset, so stored
/// settings stay readable when later versions add fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// The password policy (R-038–R-043).
    pub password: PasswordPolicy,
    /// Every account must use TOTP (R-046).
    pub require_totp: bool,
    /// A session ends after this many minutes without a request (R-051).
    pub session_idle_minutes: u32,
    /// A session ends this many minutes after sign-in, whatever happens.
    pub session_absolute_minutes: u32,
    /// Audit retention per class.
    pub audit_retention: AuditRetention,
    /// Languages users may choose (no duplicates).
    pub languages: Vec<Language>,
    /// The tenant's default language.
    pub default_language: Language,
    /// IANA time zone for display (times are stored in UTC).
    pub time_zone: String,
}

impl Default for Settings {
    fn default() -> Self {
        Self::preset(Country::No)
    }
}

impl Settings {
    /// The country preset: language and time zone of the country, all four languages enabled,
    /// the modern password policy, TOTP required, 30 min idle / 12 h absolute session timeouts,
    /// usage and monitoring logs kept 90 days, security events 5 years.
    pub fn preset(country: Country) -> Self {
        Self {
            password: PasswordPolicy::preset(PasswordPreset::Modern),
            require_totp: true,
            session_idle_minutes: 30,
            session_absolute_minutes: 12 * 60,
            audit_retention: AuditRetention::default(),
            languages: Language::ALL.to_vec(),
            default_language: country.default_language(),
            time_zone: country.default_time_zone().to_string(),
        }
    }

    /// Check every value is in range; returns all problems.
    pub fn validate(&self) -> Result<(), Vec<SettingError>> {
        use SettingKey as K;
        let mut errors = Vec::new();
        let p = &self.password;
        range(&mut errors, K::PasswordMinLength, p.min_length, 8, 128);
        range(
            &mut errors,
            K::PasswordMaxLength,
            p.max_length,
            p.min_length.max(64),
            1024,
        );
        range(
            &mut errors,
            K::PasswordMinClasses,
            u32::from(p.min_classes),
            0,
            4,
        );
        range(&mut errors, K::PasswordHistory, p.history, 0, 24);
        if let Some(days) = p.max_age_days {
            range(&mut errors, K::PasswordMaxAgeDays, days, 1, 3650);
        }
        range(
            &mut errors,
            K::LockoutMaxFailures,
            p.lockout.max_failures,
            1,
            100,
        );
        range(
            &mut errors,
            K::LockoutMinutes,
            p.lockout.lock_minutes,
            1,
            7 * 24 * 60,
        );
        range(
            &mut errors,
            K::SessionIdleMinutes,
            self.session_idle_minutes,
            1,
            24 * 60,
        );
        range(
            &mut errors,
            K::SessionAbsoluteMinutes,
            self.session_absolute_minutes,
            self.session_idle_minutes.max(1),
            30 * 24 * 60,
        );
        let r = &self.audit_retention;
        range(&mut errors, K::RetentionUsageDays, r.usage_days, 1, 36_500);
        range(
            &mut errors,
            K::RetentionMonitoringDays,
            r.monitoring_days,
            1,
            36_500,
        );
        range(
            &mut errors,
            K::RetentionSecurityDays,
            r.security_days,
            1,
            36_500,
        );
        let distinct: std::collections::HashSet<&Language> = self.languages.iter().collect();
        if self.languages.is_empty() {
            errors.push(SettingError::Invalid {
                key: K::Languages,
                problem: Problem::Empty,
            });
        } else if distinct.len() != self.languages.len() {
            errors.push(SettingError::Invalid {
                key: K::Languages,
                problem: Problem::Duplicate,
            });
        } else if !self.languages.contains(&self.default_language) {
            errors.push(SettingError::Invalid {
                key: K::DefaultLanguage,
                problem: Problem::NotEnabled,
            });
        }
        if !is_plausible_time_zone(&self.time_zone) {
            errors.push(SettingError::Invalid {
                key: K::TimeZone,
                problem: Problem::BadTimeZone,
            });
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

impl Settings {
    /// Read a stored settings document (JSON) of a tenant of `country`: every field present in
    /// `stored` overrides the country preset, nested objects field by field; absent fields keep
    /// the preset (so `{}` is the preset itself, and documents written by older versions stay
    /// readable). Fails on values of the wrong type or unknown enum values.
    pub fn from_stored(
        country: Country,
        stored: &serde_json::Value,
    ) -> Result<Self, serde_json::Error> {
        let mut doc = serde_json::to_value(Self::preset(country))?;
        overlay(&mut doc, stored);
        serde_json::from_value(doc)
    }

    /// The document to store (every field).
    pub fn to_stored(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }
}

/// Copy `top` onto `base`, recursing into objects present in both.
fn overlay(base: &mut serde_json::Value, top: &serde_json::Value) {
    match (base, top) {
        (serde_json::Value::Object(b), serde_json::Value::Object(t)) => {
            for (k, v) in t {
                match b.get_mut(k) {
                    Some(slot) if slot.is_object() && v.is_object() => overlay(slot, v),
                    _ => {
                        b.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        (b, t) if !t.is_null() => *b = t.clone(),
        _ => {}
    }
}

fn range(errors: &mut Vec<SettingError>, key: SettingKey, value: u32, min: u32, max: u32) {
    if value < min || value > max {
        errors.push(SettingError::Invalid {
            key,
            problem: Problem::OutOfRange { min, max },
        });
    }
}

/// An IANA-style name (`Area/City` of ASCII letters, digits, `_`, `+`, `-`, or `UTC`) that the
/// bundled time zone database knows, so that times can be shown in it.
fn is_plausible_time_zone(tz: &str) -> bool {
    is_iana_shaped(tz) && jiff::tz::TimeZone::get(tz).is_ok()
}

fn is_iana_shaped(tz: &str) -> bool {
    if tz == "UTC" {
        return true;
    }
    let ok_chars = tz
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'_' | b'+' | b'-'));
    ok_chars
        && tz.len() <= 64
        && tz.contains('/')
        && tz.split('/').all(|p| !p.is_empty())
        && tz.as_bytes().first().is_some_and(u8::is_ascii_uppercase)
}

/// Which way a setting becomes stricter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// A higher number is stricter.
    Increase,
    /// A lower number is stricter.
    Decrease,
    /// Having a limit is stricter than none, and a lower limit is stricter still.
    SetOrDecrease,
    /// `true` is stricter than `false`.
    TurnOn,
    /// A superset is stricter.
    Grow,
    /// Not overridable by a unit.
    TenantOnly,
}

macro_rules! setting_keys {
    ($( $(#[$doc:meta])* $name:ident => $code:literal, $dir:ident; )*) => {
        /// Every setting, by a stable dotted code (used in errors, audit summaries and Fluent keys
        /// `setting-<code with dots and underscores as dashes>`).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum SettingKey {
            $( $(#[$doc])* #[serde(rename = $code)] $name, )*
        }

        impl SettingKey {
            /// Every key.
            pub const ALL: &'static [SettingKey] = &[ $( SettingKey::$name, )* ];

            /// The stable dotted code, e.g. `password.min_length`.
            pub fn code(self) -> &'static str {
                match self { $( SettingKey::$name => $code, )* }
            }

            /// Which way is stricter (or `TenantOnly`).
            pub fn direction(self) -> Direction {
                match self { $( SettingKey::$name => Direction::$dir, )* }
            }

            /// The Fluent id of the setting's label: `setting-` + the code with `.` and `_` as `-`
            /// (file `i18n/<lang>/policy.ftl`).
            pub fn fluent_key(self) -> String {
                format!("setting-{}", self.code().replace(['.', '_'], "-"))
            }
        }
    };
}

setting_keys! {
    PasswordMinLength => "password.min_length", Increase;
    PasswordMaxLength => "password.max_length", TenantOnly;
    PasswordRequiredClasses => "password.required_classes", Grow;
    PasswordMinClasses => "password.min_classes", Increase;
    PasswordForbiddenChars => "password.forbidden_chars", Grow;
    PasswordRejectPersonalInfo => "password.reject_personal_info", TurnOn;
    PasswordRejectCommon => "password.reject_common", TurnOn;
    PasswordHistory => "password.history", Increase;
    PasswordMaxAgeDays => "password.max_age_days", SetOrDecrease;
    LockoutMaxFailures => "password.lockout.max_failures", Decrease;
    LockoutMinutes => "password.lockout.lock_minutes", Increase;
    RequireTotp => "require_totp", TurnOn;
    SessionIdleMinutes => "session_idle_minutes", Decrease;
    SessionAbsoluteMinutes => "session_absolute_minutes", Decrease;
    RetentionUsageDays => "audit_retention.usage_days", Decrease;
    RetentionMonitoringDays => "audit_retention.monitoring_days", Decrease;
    RetentionSecurityDays => "audit_retention.security_days", Increase;
    Languages => "languages", TenantOnly;
    DefaultLanguage => "default_language", TenantOnly;
    TimeZone => "time_zone", TenantOnly;
}

impl Direction {
    /// The Fluent id of the explanation (`setting-direction-increase` …).
    pub fn fluent_key(self) -> &'static str {
        match self {
            Direction::Increase => "setting-direction-increase",
            Direction::Decrease => "setting-direction-decrease",
            Direction::SetOrDecrease => "setting-direction-set-or-decrease",
            Direction::TurnOn => "setting-direction-turn-on",
            Direction::Grow => "setting-direction-grow",
            Direction::TenantOnly => "setting-direction-tenant-only",
        }
    }
}

/// What is wrong with a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum Problem {
    /// Must lie in `min..=max`.
    OutOfRange { min: u32, max: u32 },
    /// Must not be empty.
    Empty,
    /// A value is listed twice.
    Duplicate,
    /// The default language must be one of the enabled ones.
    NotEnabled,
    /// Not an IANA time zone name.
    BadTimeZone,
}

/// A rejected setting value. Serialises as `{"code": "looser", "key": "require_totp", …}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum SettingError {
    /// A unit override that would loosen the parent's policy.
    #[error("{} may only be made stricter ({direction:?})", key.code())]
    Looser {
        key: SettingKey,
        direction: Direction,
    },
    /// A value out of range or otherwise invalid.
    #[error("{} is invalid: {problem:?}", key.code())]
    Invalid { key: SettingKey, problem: Problem },
}

impl SettingError {
    /// The setting concerned.
    pub fn key(&self) -> SettingKey {
        match self {
            SettingError::Looser { key, .. } | SettingError::Invalid { key, .. } => *key,
        }
    }

    /// The Fluent id of the message (`setting-error-looser`, `setting-error-out-of-range` …).
    pub fn fluent_key(&self) -> &'static str {
        match self {
            SettingError::Looser { .. } => "setting-error-looser",
            SettingError::Invalid { problem, .. } => match problem {
                Problem::OutOfRange { .. } => "setting-error-out-of-range",
                Problem::Empty => "setting-error-empty",
                Problem::Duplicate => "setting-error-duplicate",
                Problem::NotEnabled => "setting-error-not-enabled",
                Problem::BadTimeZone => "setting-error-bad-time-zone",
            },
        }
    }

    /// The Fluent variables. `setting` is the Fluent id of the setting's label: the web layer
    /// renders that message first and passes the text.
    pub fn fluent_args(&self) -> Vec<(&'static str, String)> {
        let mut args = vec![("setting", self.key().fluent_key())];
        if let SettingError::Invalid {
            problem: Problem::OutOfRange { min, max },
            ..
        } = self
        {
            args.push(("min", min.to_string()));
            args.push(("max", max.to_string()));
        }
        args
    }
}

/// A unit's stricter values. `None` = inherit. Stored as JSON; unknown fields are rejected.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct UnitOverride {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password_min_length: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password_required_classes: Option<BTreeSet<CharClass>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password_min_classes: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password_forbidden_chars: Option<BTreeSet<char>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password_reject_personal_info: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password_reject_common: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password_history: Option<u32>,
    /// `Some(n)`: passwords expire after n days (`None` inherits; a unit cannot remove expiry).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password_max_age_days: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lockout_max_failures: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lockout_minutes: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub require_totp: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session_idle_minutes: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session_absolute_minutes: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retention_usage_days: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retention_monitoring_days: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retention_security_days: Option<u32>,
}

impl UnitOverride {
    /// True when the override sets nothing.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// A value type that knows how to compare strictness in a [`Direction`].
trait Tighten: Clone + PartialEq {
    /// Is `self` at least as strict as `parent`?
    fn at_least_as_strict(&self, parent: &Self, dir: Direction) -> bool;
    /// The stricter of `self` and `parent` (their combination, for sets).
    fn stricter(&self, parent: &Self, dir: Direction) -> Self;
}

impl Tighten for u32 {
    fn at_least_as_strict(&self, parent: &Self, dir: Direction) -> bool {
        match dir {
            Direction::Increase => self >= parent,
            Direction::Decrease | Direction::SetOrDecrease => self <= parent,
            _ => self == parent,
        }
    }
    fn stricter(&self, parent: &Self, dir: Direction) -> Self {
        match dir {
            Direction::Increase => *self.max(parent),
            Direction::Decrease | Direction::SetOrDecrease => *self.min(parent),
            _ => *parent,
        }
    }
}

impl Tighten for u8 {
    fn at_least_as_strict(&self, parent: &Self, dir: Direction) -> bool {
        u32::from(*self).at_least_as_strict(&u32::from(*parent), dir)
    }
    fn stricter(&self, parent: &Self, dir: Direction) -> Self {
        match dir {
            Direction::Increase => *self.max(parent),
            Direction::Decrease | Direction::SetOrDecrease => *self.min(parent),
            _ => *parent,
        }
    }
}

impl Tighten for bool {
    fn at_least_as_strict(&self, parent: &Self, dir: Direction) -> bool {
        match dir {
            Direction::TurnOn => *self || !*parent,
            _ => self == parent,
        }
    }
    fn stricter(&self, parent: &Self, dir: Direction) -> Self {
        match dir {
            Direction::TurnOn => *self || *parent,
            _ => *parent,
        }
    }
}

impl<T: Ord + Clone> Tighten for BTreeSet<T> {
    fn at_least_as_strict(&self, parent: &Self, dir: Direction) -> bool {
        match dir {
            Direction::Grow => self.is_superset(parent),
            _ => self == parent,
        }
    }
    fn stricter(&self, parent: &Self, dir: Direction) -> Self {
        match dir {
            Direction::Grow => self.union(parent).cloned().collect(),
            _ => parent.clone(),
        }
    }
}

/// `None` = no limit (loosest).
impl Tighten for Option<u32> {
    fn at_least_as_strict(&self, parent: &Self, dir: Direction) -> bool {
        match (self, parent, dir) {
            (_, None, Direction::SetOrDecrease) => true,
            (None, Some(_), Direction::SetOrDecrease) => false,
            (Some(c), Some(p), Direction::SetOrDecrease) => c <= p,
            _ => self == parent,
        }
    }
    fn stricter(&self, parent: &Self, dir: Direction) -> Self {
        match (self, parent, dir) {
            (Some(c), Some(p), Direction::SetOrDecrease) => Some(*c.min(p)),
            (Some(c), None, Direction::SetOrDecrease) => Some(*c),
            _ => *parent,
        }
    }
}

/// Apply one field: keep the parent's value when unset; otherwise take the stricter of the two,
/// noting a [`SettingError::Looser`] when the child's value was looser.
fn merge<T: Tighten>(
    key: SettingKey,
    parent: &mut T,
    child: Option<T>,
    errors: &mut Vec<SettingError>,
) {
    let Some(child) = child else { return };
    let dir = key.direction();
    if !child.at_least_as_strict(parent, dir) {
        errors.push(SettingError::Looser {
            key,
            direction: dir,
        });
    }
    *parent = child.stricter(parent, dir);
}

/// Apply `ov` to `parent`, returning the stricter result and the keys whose override was looser
/// (those keep the parent's value).
pub fn apply_override(parent: &Settings, ov: &UnitOverride) -> (Settings, Vec<SettingError>) {
    use SettingKey as K;
    let mut s = parent.clone();
    let mut e = Vec::new();
    let ov = ov.clone();
    merge(
        K::PasswordMinLength,
        &mut s.password.min_length,
        ov.password_min_length,
        &mut e,
    );
    merge(
        K::PasswordRequiredClasses,
        &mut s.password.required_classes,
        ov.password_required_classes,
        &mut e,
    );
    merge(
        K::PasswordMinClasses,
        &mut s.password.min_classes,
        ov.password_min_classes,
        &mut e,
    );
    merge(
        K::PasswordForbiddenChars,
        &mut s.password.forbidden_chars,
        ov.password_forbidden_chars,
        &mut e,
    );
    merge(
        K::PasswordRejectPersonalInfo,
        &mut s.password.reject_personal_info,
        ov.password_reject_personal_info,
        &mut e,
    );
    merge(
        K::PasswordRejectCommon,
        &mut s.password.reject_common,
        ov.password_reject_common,
        &mut e,
    );
    merge(
        K::PasswordHistory,
        &mut s.password.history,
        ov.password_history,
        &mut e,
    );
    merge(
        K::PasswordMaxAgeDays,
        &mut s.password.max_age_days,
        ov.password_max_age_days.map(Some),
        &mut e,
    );
    merge(
        K::LockoutMaxFailures,
        &mut s.password.lockout.max_failures,
        ov.lockout_max_failures,
        &mut e,
    );
    merge(
        K::LockoutMinutes,
        &mut s.password.lockout.lock_minutes,
        ov.lockout_minutes,
        &mut e,
    );
    merge(K::RequireTotp, &mut s.require_totp, ov.require_totp, &mut e);
    merge(
        K::SessionIdleMinutes,
        &mut s.session_idle_minutes,
        ov.session_idle_minutes,
        &mut e,
    );
    merge(
        K::SessionAbsoluteMinutes,
        &mut s.session_absolute_minutes,
        ov.session_absolute_minutes,
        &mut e,
    );
    merge(
        K::RetentionUsageDays,
        &mut s.audit_retention.usage_days,
        ov.retention_usage_days,
        &mut e,
    );
    merge(
        K::RetentionMonitoringDays,
        &mut s.audit_retention.monitoring_days,
        ov.retention_monitoring_days,
        &mut e,
    );
    merge(
        K::RetentionSecurityDays,
        &mut s.audit_retention.security_days,
        ov.retention_security_days,
        &mut e,
    );
    (s, e)
}

/// Check an override before saving it: every value must be at least as strict as the parent's
/// effective value (`parent` = tenant settings with the overrides of all ancestor units applied),
/// and the result must be valid. Returns every problem.
pub fn validate_override(parent: &Settings, ov: &UnitOverride) -> Result<(), Vec<SettingError>> {
    let (result, mut errors) = apply_override(parent, ov);
    // Range problems of the values the unit set (e.g. an idle timeout of 0 is "stricter" but
    // unusable): the stricter value is in `result`, so validating it finds them.
    if let Err(range_errors) = result.validate() {
        errors.extend(range_errors);
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

impl UnitOverride {
    /// Read a stored unit override (JSON). Unknown fields are an error.
    pub fn from_stored(stored: &serde_json::Value) -> Result<Self, serde_json::Error> {
        serde_json::from_value(stored.clone())
    }

    /// The document to store (only the fields set).
    pub fn to_stored(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }
}

/// The settings in force for `unit`, given the tenant's settings, all units of the tenant and the
/// overrides held by units (any unit without an entry inherits). Walks from the root to `unit`.
/// A unit that is not in `units` gets the tenant's settings.
pub fn effective_for_unit(
    tenant: &Settings,
    units: &[OrgUnit],
    overrides: &HashMap<UnitId, UnitOverride>,
    unit: UnitId,
) -> Settings {
    let mut path = path_to_root(units, unit);
    path.reverse();
    let chain: Vec<UnitOverride> = path
        .iter()
        .filter_map(|u| overrides.get(u).cloned())
        .collect();
    effective(tenant, &chain)
}

/// The effective settings of a unit's parent, to validate a new override of `unit` against.
pub fn parent_effective(
    tenant: &Settings,
    units: &[OrgUnit],
    overrides: &HashMap<UnitId, UnitOverride>,
    unit: UnitId,
) -> Settings {
    match units.iter().find(|u| u.id == unit).and_then(|u| u.parent) {
        Some(parent) => effective_for_unit(tenant, units, overrides, parent),
        None => tenant.clone(),
    }
}

/// The settings in force for a unit: the tenant's settings with the overrides of the units from
/// the root down to the unit applied in order. Looser values are ignored (the stricter wins).
pub fn effective(tenant: &Settings, overrides_root_to_leaf: &[UnitOverride]) -> Settings {
    overrides_root_to_leaf
        .iter()
        .fold(tenant.clone(), |acc, ov| apply_override(&acc, ov).0)
}

#[cfg(test)]
mod tests;
