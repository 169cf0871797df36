//! The password policy (R-038–R-043): one serde struct per tenant, able to express each seed's
//! rules, with named presets.
//!
//! ```
//! use vakt_core::auth::{check_password_rules, PasswordPolicy, PasswordPreset,
//!     PasswordViolation, PersonalInfo, CharClass};
//!
//! let me = PersonalInfo { given_name: "Kari".into(), family_name: "Nordmann".into(),
//!     ..Default::default() };
//! // The default: at least 12 characters, no composition rules, not common, not personal.
//! let policy = PasswordPolicy::default();
//! assert!(check_password_rules(&policy, "correct horse battery staple", &me).is_empty());
//! assert_eq!(check_password_rules(&policy, "password", &me),
//!     vec![PasswordViolation::TooShort { min: 12 }, PasswordViolation::Common]);
//! assert!(check_password_rules(&policy, "KariErBest2025", &me)
//!     .contains(&PasswordViolation::ContainsName));
//!
//! // A stricter preset a tenant can switch on.
//! let strict = PasswordPolicy::preset(PasswordPreset::ClassesWithoutNordicLetters);
//! let v = check_password_rules(&strict, "blåbærsyltetøy", &me);
//! assert!(v.contains(&PasswordViolation::ForbiddenChar { ch: 'å' }));
//! assert!(v.contains(&PasswordViolation::MissingClass { class: CharClass::Upper }));
//! ```
//!
//! Checking returns **every** failed rule as a [`PasswordViolation`] (a code with parameters);
//! the web layer renders each as the Fluent message [`PasswordViolation::fluent_key`] with
//! [`PasswordViolation::fluent_args`] (files `crates/vakt-web/i18n/<lang>/password.ftl`).
//!
//! How the personal-information rule (R-039) reads a password, case-insensitively and with
//! Nordic letters folded (`ø`→`o`, `å`→`a`, `æ`→`ae`, `ä`→`a`, `ö`→`o`, …):
//! - **name**: any part (3 letters or more) of the given or family name appears anywhere;
//! - **username**: the user name, or any part of it of 3 letters or more, appears anywhere;
//! - **initials**: a run of letters in the password *is* the person's initials (all of them,
//!   e.g. `kan` for Kari Anne Nordmann, or first and last, `kn`), e.g. `KN-1985!xyz`;
//! - **birth date**: the date in a usual written form appears: `ddmmyy`, `ddmmyyyy`, `yymmdd`,
//!   `yyyymmdd`, with or without the separators `.`, `-`, `/`, ` ` (`dd.mm.yyyy`, `yyyy-mm-dd`,
//!   `dd/mm/yy` …), and without leading zeros when separated (`1.5.1985`).

use std::collections::{BTreeSet, HashSet};
use std::sync::LazyLock;

use serde::{Deserialize, Serialize};
use time::{Date, Duration, OffsetDateTime};

use super::hash::verify_password;
use super::lockout::LockoutPolicy;

/// The shipped list of the 10,000 most common passwords (see `data/README.md`).
static COMMON_PASSWORDS: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    include_str!("../../data/common-passwords.txt")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect()
});

/// Whether `password` (case-insensitively) is on the shipped common-password list.
pub fn is_common_password(password: &str) -> bool {
    COMMON_PASSWORDS.contains(password.to_lowercase().as_str())
}

/// A character class for composition rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CharClass {
    /// A lower-case letter (any script).
    Lower,
    /// An upper-case letter (any script).
    Upper,
    /// A digit.
    Digit,
    /// Anything else: punctuation, symbols, spaces, letters without case.
    Special,
}

impl CharClass {
    /// The four classes.
    pub const ALL: [CharClass; 4] = [
        CharClass::Lower,
        CharClass::Upper,
        CharClass::Digit,
        CharClass::Special,
    ];

    /// The class of one character.
    pub fn of(ch: char) -> CharClass {
        if ch.is_lowercase() {
            CharClass::Lower
        } else if ch.is_uppercase() {
            CharClass::Upper
        } else if ch.is_numeric() {
            CharClass::Digit
        } else {
            CharClass::Special
        }
    }

    /// A stable code (`lower`, `upper`, `digit`, `special`), used as a Fluent selector.
    pub fn code(self) -> &'static str {
        match self {
            CharClass::Lower => "lower",
            CharClass::Upper => "upper",
            CharClass::Digit => "digit",
            CharClass::Special => "special",
        }
    }
}

/// A tenant's password policy. Every field has a default ([`PasswordPolicy::default`] is the
/// modern default: 12+ characters, no composition rules, common and personal passwords rejected,
/// no expiry, lockout after 5 failures for 15 minutes).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PasswordPolicy {
    /// Minimum length in characters.
    pub min_length: u32,
    /// Maximum length in characters (a guard, not a rule users meet).
    pub max_length: u32,
    /// Classes that must all be present.
    pub required_classes: BTreeSet<CharClass>,
    /// At least this many of the four classes must be present (0 = no such rule).
    pub min_classes: u8,
    /// Characters that may not appear (exact match; list both cases, e.g. `æ` and `Æ`).
    pub forbidden_chars: BTreeSet<char>,
    /// Reject the person's name, initials, user name and birth date (R-039).
    pub reject_personal_info: bool,
    /// Reject the 10,000 most common passwords (R-040).
    pub reject_common: bool,
    /// Reject the last N passwords of the account (0 = no history rule) (R-040).
    pub history: u32,
    /// Passwords expire this many days after they were set (None = never) (R-042).
    pub max_age_days: Option<u32>,
    /// Lockout after repeated failures (R-043).
    pub lockout: LockoutPolicy,
}

impl Default for PasswordPolicy {
    fn default() -> Self {
        Self {
            min_length: 12,
            max_length: 256,
            required_classes: BTreeSet::new(),
            min_classes: 0,
            forbidden_chars: BTreeSet::new(),
            reject_personal_info: true,
            reject_common: true,
            history: 5,
            max_age_days: None,
            lockout: LockoutPolicy::default(),
        }
    }
}

/// Named policies a tenant can switch on. Values are Vakt's reading of the seeds (R-038–R-043).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PasswordPreset {
    /// The default: length over composition (12+), common and personal passwords rejected, no
    /// expiry, the last 5 not reused, lockout 5 / 15 min.
    Modern,
    /// Length and no reuse, with periodic change: 8+, not personal, the last 10 not reused,
    /// changed every 180 days, lockout 5 / 15 min (as in the Swedish seed).
    LengthAndHistory,
    /// Three classes without the Danish letters: 8+, lower, upper and digit required, æ ø å
    /// forbidden, not personal (names, initials, birthdays), the last 5 not reused, no expiry
    /// (as in the Danish seed).
    ClassesWithoutNordicLetters,
    /// The strictest combination of the seeds: 10+, three of the four classes, æ ø å forbidden,
    /// not personal, the last 10 not reused, 90-day expiry, lockout 5 / 30 min.
    Strict,
}

impl PasswordPreset {
    /// Every preset.
    pub const ALL: [PasswordPreset; 4] = [
        PasswordPreset::Modern,
        PasswordPreset::LengthAndHistory,
        PasswordPreset::ClassesWithoutNordicLetters,
        PasswordPreset::Strict,
    ];
}

const NORDIC_LETTERS: [char; 6] = ['æ', 'ø', 'å', 'Æ', 'Ø', 'Å'];

impl PasswordPolicy {
    /// The policy of a named preset.
    pub fn preset(preset: PasswordPreset) -> Self {
        let base = Self::default();
        match preset {
            PasswordPreset::Modern => base,
            PasswordPreset::LengthAndHistory => Self {
                min_length: 8,
                history: 10,
                max_age_days: Some(180),
                ..base
            },
            PasswordPreset::ClassesWithoutNordicLetters => Self {
                min_length: 8,
                required_classes: [CharClass::Lower, CharClass::Upper, CharClass::Digit].into(),
                forbidden_chars: NORDIC_LETTERS.into(),
                ..base
            },
            PasswordPreset::Strict => Self {
                min_length: 10,
                min_classes: 3,
                forbidden_chars: NORDIC_LETTERS.into(),
                history: 10,
                max_age_days: Some(90),
                lockout: LockoutPolicy {
                    max_failures: 5,
                    lock_minutes: 30,
                },
                ..base
            },
        }
    }

    /// When a password set at `changed_at` expires (None when the policy has no maximum age).
    pub fn expires_at(&self, changed_at: OffsetDateTime) -> Option<OffsetDateTime> {
        self.max_age_days
            .map(|days| changed_at.saturating_add(Duration::days(i64::from(days))))
    }
}

/// Whether a password set at `changed_at` has expired at `now` under `policy`.
pub fn password_expired(
    policy: &PasswordPolicy,
    changed_at: OffsetDateTime,
    now: OffsetDateTime,
) -> bool {
    policy.expires_at(changed_at).is_some_and(|at| now >= at)
}

/// What Vakt knows about the person, for the personal-information rule. Empty fields are skipped.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonalInfo {
    pub given_name: String,
    pub family_name: String,
    pub username: String,
    pub birth_date: Option<Date>,
}

/// One failed rule. Serialises as `{"code": "too_short", "min": 12}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum PasswordViolation {
    TooShort { min: u32 },
    TooLong { max: u32 },
    MissingClass { class: CharClass },
    TooFewClasses { min: u8 },
    ForbiddenChar { ch: char },
    ContainsName,
    ContainsInitials,
    ContainsUsername,
    ContainsBirthDate,
    Common,
    Reused { n: u32 },
}

impl PasswordViolation {
    /// A stable snake_case code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::TooShort { .. } => "too_short",
            Self::TooLong { .. } => "too_long",
            Self::MissingClass { .. } => "missing_class",
            Self::TooFewClasses { .. } => "too_few_classes",
            Self::ForbiddenChar { .. } => "forbidden_char",
            Self::ContainsName => "contains_name",
            Self::ContainsInitials => "contains_initials",
            Self::ContainsUsername => "contains_username",
            Self::ContainsBirthDate => "contains_birth_date",
            Self::Common => "common",
            Self::Reused { .. } => "reused",
        }
    }

    /// The Fluent message id: `password-` + the code with dashes (e.g. `password-too-short`).
    pub fn fluent_key(&self) -> String {
        format!("password-{}", self.code().replace('_', "-"))
    }

    /// The Fluent variables of the message (numbers as decimal strings; `class` is a selector).
    pub fn fluent_args(&self) -> Vec<(&'static str, String)> {
        match self {
            Self::TooShort { min } => vec![("min", min.to_string())],
            Self::TooLong { max } => vec![("max", max.to_string())],
            Self::MissingClass { class } => vec![("class", class.code().to_string())],
            Self::TooFewClasses { min } => vec![("min", min.to_string())],
            Self::ForbiddenChar { ch } => vec![("char", ch.to_string())],
            Self::Reused { n } => vec![("n", n.to_string())],
            Self::ContainsName
            | Self::ContainsInitials
            | Self::ContainsUsername
            | Self::ContainsBirthDate
            | Self::Common => vec![],
        }
    }
}

/// Check every rule, including the history rule against `previous_hashes` (argon2 PHC strings,
/// newest first; only the first `policy.history` are used). Slow when history is on (one argon2
/// verification per stored hash): call inside `spawn_blocking`. Returns all failed rules.
pub fn check_password(
    policy: &PasswordPolicy,
    password: &str,
    person: &PersonalInfo,
    previous_hashes: &[String],
) -> Result<(), Vec<PasswordViolation>> {
    let mut violations = check_password_rules(policy, password, person);
    let too_long = violations
        .iter()
        .any(|v| matches!(v, PasswordViolation::TooLong { .. }));
    if policy.history > 0 && !too_long {
        let depth = usize::try_from(policy.history).unwrap_or(usize::MAX);
        let reused = previous_hashes
            .iter()
            .take(depth)
            .any(|h| verify_password(password, h).unwrap_or(false));
        if reused {
            violations.push(PasswordViolation::Reused { n: policy.history });
        }
    }
    if violations.is_empty() {
        Ok(())
    } else {
        Err(violations)
    }
}

/// Check every rule except the history rule (fast; suitable for live feedback).
/// Violations come in a fixed order: length, classes, forbidden characters, personal, common.
pub fn check_password_rules(
    policy: &PasswordPolicy,
    password: &str,
    person: &PersonalInfo,
) -> Vec<PasswordViolation> {
    let mut v = Vec::new();
    let len = password.chars().count();
    let len_u32 = u32::try_from(len).unwrap_or(u32::MAX);
    if len_u32 < policy.min_length {
        v.push(PasswordViolation::TooShort {
            min: policy.min_length,
        });
    }
    if len_u32 > policy.max_length {
        // Do not look further into an over-long input.
        v.push(PasswordViolation::TooLong {
            max: policy.max_length,
        });
        return v;
    }

    let present: BTreeSet<CharClass> = password.chars().map(CharClass::of).collect();
    for class in &policy.required_classes {
        if !present.contains(class) {
            v.push(PasswordViolation::MissingClass { class: *class });
        }
    }
    if present.len() < usize::from(policy.min_classes) {
        v.push(PasswordViolation::TooFewClasses {
            min: policy.min_classes,
        });
    }

    let mut seen_forbidden = BTreeSet::new();
    for ch in password.chars() {
        if policy.forbidden_chars.contains(&ch) && seen_forbidden.insert(ch) {
            v.push(PasswordViolation::ForbiddenChar { ch });
        }
    }

    if policy.reject_personal_info {
        let folded = fold(password);
        if contains_name(&folded, person) {
            v.push(PasswordViolation::ContainsName);
        }
        if contains_initials(&folded, person) {
            v.push(PasswordViolation::ContainsInitials);
        }
        if contains_username(&folded, person) {
            v.push(PasswordViolation::ContainsUsername);
        }
        if let Some(birth) = person.birth_date
            && contains_birth_date(password, birth)
        {
            v.push(PasswordViolation::ContainsBirthDate);
        }
    }

    if policy.reject_common && is_common_password(password) {
        v.push(PasswordViolation::Common);
    }
    v
}

/// Lower-case and fold Nordic and common accented letters to ASCII, so that `Bjørn` and `bjorn`
/// compare equal.
fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars().flat_map(char::to_lowercase) {
        match ch {
            'æ' | 'ä' => out.push_str(if ch == 'æ' { "ae" } else { "a" }),
            'ø' | 'ö' | 'ó' | 'ò' | 'ô' => out.push('o'),
            'å' | 'á' | 'à' | 'â' => out.push('a'),
            'é' | 'è' | 'ê' | 'ë' => out.push('e'),
            'ü' | 'ú' | 'ù' => out.push('u'),
            'í' | 'ì' | 'ï' => out.push('i'),
            _ => out.push(ch),
        }
    }
    out
}

/// The alphanumeric parts of a name, folded.
fn parts(name: &str) -> impl Iterator<Item = String> + '_ {
    name.split(|c: char| !c.is_alphanumeric())
        .filter(|p| !p.is_empty())
        .map(fold)
}

const MIN_PART_CHARS: usize = 3;

fn contains_name(folded_password: &str, person: &PersonalInfo) -> bool {
    parts(&person.given_name)
        .chain(parts(&person.family_name))
        .filter(|p| p.chars().count() >= MIN_PART_CHARS)
        .any(|p| folded_password.contains(&p))
}

fn contains_username(folded_password: &str, person: &PersonalInfo) -> bool {
    let whole = fold(person.username.trim());
    if whole.chars().count() >= MIN_PART_CHARS && folded_password.contains(&whole) {
        return true;
    }
    parts(&person.username)
        .filter(|p| p.chars().count() >= MIN_PART_CHARS)
        .any(|p| folded_password.contains(&p))
}

fn contains_initials(folded_password: &str, person: &PersonalInfo) -> bool {
    let firsts = |name: &str| -> Vec<char> {
        parts(name)
            .filter_map(|p| p.chars().next())
            .filter(|c| c.is_alphabetic())
            .collect()
    };
    let given = firsts(&person.given_name);
    let family = firsts(&person.family_name);
    let mut candidates: Vec<String> = Vec::new();
    let all: String = given.iter().chain(family.iter()).collect();
    candidates.push(all);
    if let (Some(g), Some(f)) = (given.first(), family.last()) {
        candidates.push([*g, *f].iter().collect());
    }
    candidates.retain(|c| c.chars().count() >= 2);
    if candidates.is_empty() {
        return false;
    }
    folded_password
        .split(|c: char| !c.is_alphabetic())
        .filter(|run| !run.is_empty())
        .any(|run| candidates.iter().any(|c| c == run))
}

/// The written forms of a birth date, compact (digits only).
fn birth_date_forms(d: Date) -> Vec<String> {
    let dd = format!("{:02}", d.day());
    let mm = format!("{:02}", u8::from(d.month()));
    let yyyy = format!("{:04}", d.year());
    let yy = format!("{:02}", d.year().rem_euclid(100));
    vec![
        format!("{dd}{mm}{yy}"),
        format!("{dd}{mm}{yyyy}"),
        format!("{yy}{mm}{dd}"),
        format!("{yyyy}{mm}{dd}"),
    ]
}

fn contains_birth_date(password: &str, d: Date) -> bool {
    const SEPARATORS: [char; 4] = ['.', '-', '/', ' '];
    // Compact forms, with separators between digits removed.
    let compact: String = password
        .chars()
        .filter(|c| !SEPARATORS.contains(c))
        .collect();
    if birth_date_forms(d).iter().any(|f| compact.contains(f)) {
        return true;
    }
    // Separated forms without leading zeros: d.m.yy, d.m.yyyy, yyyy-m-d.
    let day = d.day().to_string();
    let month = u8::from(d.month()).to_string();
    let yyyy = format!("{:04}", d.year());
    let yy = format!("{:02}", d.year().rem_euclid(100));
    SEPARATORS.iter().any(|sep| {
        [
            format!("{day}{sep}{month}{sep}{yyyy}"),
            format!("{day}{sep}{month}{sep}{yy}"),
            format!("{yyyy}{sep}{month}{sep}{day}"),
        ]
        .iter()
        .any(|f| password.contains(f.as_str()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::hash::hash_password;
    use proptest::prelude::*;
    use time::macros::date;

    fn kari() -> PersonalInfo {
        PersonalInfo {
            given_name: "Kari Anne".into(),
            family_name: "Nordmann".into(),
            username: "kanord".into(),
            birth_date: Some(date!(1985 - 05 - 01)),
        }
    }

    fn codes(v: &[PasswordViolation]) -> Vec<&'static str> {
        v.iter().map(PasswordViolation::code).collect()
    }

    #[test]
    fn common_password_list_holds_ten_thousand_lower_case_entries() {
        assert_eq!(COMMON_PASSWORDS.len(), 10_000);
        assert!(COMMON_PASSWORDS.contains("123456"));
        assert!(COMMON_PASSWORDS.contains("password"));
        assert!(COMMON_PASSWORDS.iter().all(|p| p.to_lowercase() == *p));
    }

    #[test]
    fn default_policy_is_12_chars_without_composition_and_without_expiry() {
        let p = PasswordPolicy::default();
        assert_eq!(p.min_length, 12);
        assert!(p.required_classes.is_empty());
        assert_eq!(p.min_classes, 0);
        assert!(p.forbidden_chars.is_empty());
        assert!(p.reject_common && p.reject_personal_info);
        assert_eq!(p.max_age_days, None);
        assert_eq!(p.lockout.max_failures, 5);
        assert_eq!(p.lockout.lock_minutes, 15);
        assert!(check_password_rules(&p, "lange ord uten tall", &kari()).is_empty());
    }

    #[test]
    fn too_short_names_the_minimum() {
        let p = PasswordPolicy::default();
        assert_eq!(
            check_password_rules(&p, "kort-ord", &PersonalInfo::default()),
            vec![PasswordViolation::TooShort { min: 12 }]
        );
    }

    #[test]
    fn length_counts_characters_not_bytes() {
        let p = PasswordPolicy {
            min_length: 4,
            ..PasswordPolicy::default()
        };
        // 3 characters, 6 bytes.
        assert!(
            check_password_rules(&p, "øæå", &PersonalInfo::default())
                .contains(&PasswordViolation::TooShort { min: 4 })
        );
    }

    #[test]
    fn too_long_is_rejected_and_not_inspected_further() {
        let p = PasswordPolicy::default();
        let long = "a".repeat(300);
        assert_eq!(
            check_password_rules(&p, &long, &kari()),
            vec![PasswordViolation::TooLong { max: 256 }]
        );
    }

    #[test]
    fn missing_class_names_each_missing_class() {
        let p = PasswordPolicy {
            required_classes: CharClass::ALL.into(),
            ..PasswordPolicy::default()
        };
        let v = check_password_rules(&p, "bare små bokstaver", &PersonalInfo::default());
        assert_eq!(
            v,
            vec![
                PasswordViolation::MissingClass {
                    class: CharClass::Upper
                },
                PasswordViolation::MissingClass {
                    class: CharClass::Digit
                },
            ]
        );
    }

    #[test]
    fn at_least_k_of_n_classes() {
        let p = PasswordPolicy {
            min_classes: 3,
            ..PasswordPolicy::default()
        };
        let none = PersonalInfo::default();
        assert_eq!(
            check_password_rules(&p, "lowercaseUPPERCASE", &none),
            vec![PasswordViolation::TooFewClasses { min: 3 }]
        );
        assert!(check_password_rules(&p, "lowercaseUPPER7CASE", &none).is_empty());
        assert!(check_password_rules(&p, "lowercase UPPERCASE", &none).is_empty());
    }

    #[test]
    fn forbidden_chars_are_each_named_once() {
        let p = PasswordPolicy::preset(PasswordPreset::ClassesWithoutNordicLetters);
        let v = check_password_rules(&p, "Blåbær-Øl-Blåbær-9", &PersonalInfo::default());
        let forbidden: Vec<char> = v
            .iter()
            .filter_map(|x| match x {
                PasswordViolation::ForbiddenChar { ch } => Some(*ch),
                _ => None,
            })
            .collect();
        assert_eq!(forbidden, vec!['å', 'æ', 'Ø']);
    }

    #[test]
    fn contains_name_case_insensitive_and_folded() {
        let p = PasswordPolicy::default();
        let bjorn = PersonalInfo {
            given_name: "Bjørn".into(),
            family_name: "Ås-Håkonsen".into(),
            ..Default::default()
        };
        for pw in [
            "BJORN er en fin fyr",
            "mitt navn er bjørn!!",
            "hakonsen-hytta-2020",
            "as er for kort men hakonsen",
        ] {
            assert!(
                codes(&check_password_rules(&p, pw, &bjorn)).contains(&"contains_name"),
                "{pw}"
            );
        }
        // "Ås" is a two-letter part: too short to be checked on its own.
        assert!(check_password_rules(&p, "aspargesbedet grønt", &bjorn).is_empty());
    }

    #[test]
    fn contains_initials_as_a_run_of_letters() {
        let p = PasswordPolicy::default();
        let me = kari();
        for pw in [
            "KAN-1999-sommer!",
            "kn*47*gule*roser",
            "xx KN yy sommerfugl",
        ] {
            assert!(
                codes(&check_password_rules(&p, pw, &me)).contains(&"contains_initials"),
                "{pw}"
            );
        }
        // The letters inside a longer word are not initials.
        assert!(
            !codes(&check_password_rules(&p, "knapper og glansbilder", &me))
                .contains(&"contains_initials")
        );
    }

    #[test]
    fn contains_username() {
        let p = PasswordPolicy::default();
        assert!(
            codes(&check_password_rules(&p, "Xkanord-hemmelig", &kari()))
                .contains(&"contains_username")
        );
    }

    #[test]
    fn contains_birth_date_in_usual_written_forms() {
        let p = PasswordPolicy::default();
        let me = kari(); // born 1 May 1985
        for pw in [
            "sommer010585vind",
            "sommer01051985vind",
            "sommer850501vind",
            "sommer19850501vind",
            "sommer 1985-05-01 vind",
            "sommer 01.05.1985 vind",
            "sommer 01/05/85 vind",
            "sommer 1.5.1985 vind",
            "sommer 1.5.85 vindkast",
        ] {
            assert!(
                codes(&check_password_rules(&p, pw, &me)).contains(&"contains_birth_date"),
                "{pw}"
            );
        }
        assert!(
            !codes(&check_password_rules(&p, "sommer 1985 vindkast", &me))
                .contains(&"contains_birth_date")
        );
    }

    #[test]
    fn personal_info_rule_can_be_switched_off() {
        let p = PasswordPolicy {
            reject_personal_info: false,
            ..PasswordPolicy::default()
        };
        assert!(check_password_rules(&p, "Kari Nordmann 01.05.1985", &kari()).is_empty());
    }

    #[test]
    fn common_password_is_rejected_case_insensitively() {
        let p = PasswordPolicy {
            min_length: 1,
            ..PasswordPolicy::default()
        };
        let none = PersonalInfo::default();
        assert_eq!(
            check_password_rules(&p, "PassWord", &none),
            vec![PasswordViolation::Common]
        );
        assert_eq!(
            check_password_rules(&p, "qwertyuiop", &none),
            vec![PasswordViolation::Common]
        );
    }

    #[test]
    fn all_failed_rules_are_returned_together() {
        let p = PasswordPolicy::preset(PasswordPreset::Strict);
        let v = check_password_rules(&p, "kåri85", &kari());
        assert_eq!(
            codes(&v),
            vec![
                "too_short",
                "too_few_classes",
                "forbidden_char",
                "contains_name"
            ]
        );
    }

    #[test]
    fn reused_password_is_rejected_within_history_depth_only() {
        let p = PasswordPolicy {
            history: 2,
            ..PasswordPolicy::default()
        };
        let none = PersonalInfo::default();
        let old = "gammelt passord nummer 1";
        let hashes = vec![
            hash_password("nyeste passord 3").expect("hash"),
            hash_password("mellomste passord 2").expect("hash"),
            hash_password(old).expect("hash"),
        ];
        // Third-newest is beyond a history of 2.
        assert_eq!(check_password(&p, old, &none, &hashes), Ok(()));
        assert_eq!(
            check_password(&p, "mellomste passord 2", &none, &hashes),
            Err(vec![PasswordViolation::Reused { n: 2 }])
        );
        let no_history = PasswordPolicy { history: 0, ..p };
        assert_eq!(
            check_password(&no_history, "nyeste passord 3", &none, &hashes),
            Ok(())
        );
    }

    #[test]
    fn password_expires_after_max_age() {
        let changed = time::macros::datetime!(2025-01-01 00:00 UTC);
        let never = PasswordPolicy::default();
        assert!(!password_expired(
            &never,
            changed,
            changed + Duration::days(10_000)
        ));
        let strict = PasswordPolicy::preset(PasswordPreset::Strict);
        assert!(!password_expired(
            &strict,
            changed,
            changed + Duration::days(89)
        ));
        assert!(password_expired(
            &strict,
            changed,
            changed + Duration::days(90)
        ));
    }

    #[test]
    fn presets_express_the_seed_rules() {
        let kri = PasswordPolicy::preset(PasswordPreset::LengthAndHistory);
        assert_eq!(
            (kri.min_length, kri.history, kri.required_classes.len()),
            (8, 10, 0)
        );
        let her = PasswordPolicy::preset(PasswordPreset::ClassesWithoutNordicLetters);
        assert_eq!(her.min_length, 8);
        assert!(her.forbidden_chars.contains(&'ø') && her.forbidden_chars.contains(&'Å'));
        assert_eq!(
            check_password_rules(&her, "Sommer2024x", &PersonalInfo::default()),
            vec![]
        );
        let strict = PasswordPolicy::preset(PasswordPreset::Strict);
        assert_eq!(
            (strict.min_length, strict.min_classes, strict.max_age_days),
            (10, 3, Some(90))
        );
        assert_eq!(
            PasswordPolicy::preset(PasswordPreset::Modern),
            PasswordPolicy::default()
        );
    }

    #[test]
    fn violations_serialise_as_codes_with_parameters() {
        let json = serde_json::to_string(&PasswordViolation::TooShort { min: 12 }).expect("json");
        assert_eq!(json, r#"{"code":"too_short","min":12}"#);
        let json = serde_json::to_string(&PasswordViolation::MissingClass {
            class: CharClass::Digit,
        })
        .expect("json");
        assert_eq!(json, r#"{"code":"missing_class","class":"digit"}"#);
        assert_eq!(
            PasswordViolation::ForbiddenChar { ch: 'æ' }.fluent_args(),
            vec![("char", "æ".to_string())]
        );
        assert_eq!(
            PasswordViolation::ContainsBirthDate.fluent_key(),
            "password-contains-birth-date"
        );
    }

    #[test]
    fn policy_deserialises_from_partial_toml_with_defaults() {
        let p: PasswordPolicy =
            serde_json::from_str(r#"{"min_length": 10, "forbidden_chars": ["æ"]}"#).expect("json");
        assert_eq!(p.min_length, 10);
        assert_eq!(p.history, PasswordPolicy::default().history);
        assert!(p.forbidden_chars.contains(&'æ'));
    }

    #[test]
    fn every_violation_has_a_message_in_every_language() {
        let all = [
            PasswordViolation::TooShort { min: 1 },
            PasswordViolation::TooLong { max: 1 },
            PasswordViolation::MissingClass {
                class: CharClass::Lower,
            },
            PasswordViolation::TooFewClasses { min: 1 },
            PasswordViolation::ForbiddenChar { ch: 'x' },
            PasswordViolation::ContainsName,
            PasswordViolation::ContainsInitials,
            PasswordViolation::ContainsUsername,
            PasswordViolation::ContainsBirthDate,
            PasswordViolation::Common,
            PasswordViolation::Reused { n: 1 },
        ];
        let files = [
            include_str!("../../../vakt-web/i18n/nb/password.ftl"),
            include_str!("../../../vakt-web/i18n/sv/password.ftl"),
            include_str!("../../../vakt-web/i18n/da/password.ftl"),
            include_str!("../../../vakt-web/i18n/en/password.ftl"),
        ];
        for file in files {
            for v in &all {
                let key = format!("\n{} =", v.fluent_key());
                assert!(file.contains(&key), "missing {key}");
                for (arg, _) in v.fluent_args() {
                    assert!(file.contains(&format!("${arg}")), "missing ${arg}");
                }
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn checker_never_panics_on_any_unicode(pw in "\\PC{0,300}", given in "\\PC{0,20}",
                family in "\\PC{0,20}", user in "\\PC{0,12}") {
            let person = PersonalInfo { given_name: given, family_name: family, username: user,
                birth_date: Some(date!(1970 - 01 - 01)) };
            for preset in PasswordPreset::ALL {
                let _ = check_password_rules(&PasswordPolicy::preset(preset), &pw, &person);
            }
        }

        #[test]
        fn a_password_that_passes_does_not_contain_the_name(
            given in "[A-Za-zÆØÅæøå]{3,10}", family in "[A-Za-zÆØÅæøå]{3,12}",
            before in "\\PC{0,8}", after in "\\PC{0,8}", upper in any::<bool>()) {
            let person = PersonalInfo { given_name: given.clone(), family_name: family,
                ..Default::default() };
            let name = if upper { given.to_uppercase() } else { given.clone() };
            let pw = format!("{before}{name}{after} lang nok setning");
            let v = check_password_rules(&PasswordPolicy::default(), &pw, &person);
            prop_assert!(v.contains(&PasswordViolation::ContainsName), "{pw} {v:?}");
        }

        #[test]
        fn a_password_that_passes_is_long_enough_and_uses_no_forbidden_char(pw in "\\PC{0,40}") {
            let policy = PasswordPolicy::preset(PasswordPreset::Strict);
            if check_password_rules(&policy, &pw, &PersonalInfo::default()).is_empty() {
                prop_assert!(pw.chars().count() >= 10);
                prop_assert!(!pw.chars().any(|c| policy.forbidden_chars.contains(&c)));
            }
        }
    }
}
