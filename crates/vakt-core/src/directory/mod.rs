//! Directory: tenants (municipalities), org units (a tree, each with a leader), people and their
//! employment state, and validation of the people CSV import.
//!
//! Everything here is pure: the store persists these types, the web layer renders them.

mod import;
mod tree;

pub use import::{
    IMPORT_COLUMNS, ImportContext, ImportError, ImportPlan, ImportReason, MAX_FIELD_CHARS,
    PersonRow, validate_people_csv,
};
pub use tree::{TreeError, check_reparent, children, descendants, path_to_root};

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use crate::Country;

macro_rules! id_type {
    ($(#[$m:meta])* $name:ident) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            /// A fresh, time-ordered (UUIDv7) id.
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }
            pub fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }

        impl From<Uuid> for $name {
            fn from(u: Uuid) -> Self {
                Self(u)
            }
        }
    };
}

id_type!(
    /// A tenant (one municipality).
    TenantId
);
id_type!(
    /// An org unit.
    UnitId
);
id_type!(
    /// A person in the directory.
    PersonId
);
id_type!(
    /// A sign-in account (usually linked to a person).
    AccountId
);

/// Languages Vakt speaks. Stored and exchanged as their BCP 47 tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    Nb,
    Sv,
    Da,
    En,
}

impl Language {
    pub const ALL: [Language; 4] = [Language::Nb, Language::Sv, Language::Da, Language::En];
    pub fn as_str(self) -> &'static str {
        match self {
            Language::Nb => "nb",
            Language::Sv => "sv",
            Language::Da => "da",
            Language::En => "en",
        }
    }
    /// Parses a tag; accepts `no`/`nn` as Norwegian bokmål and region suffixes (`sv-SE`).
    pub fn parse(s: &str) -> Option<Language> {
        let lower = s.trim().to_ascii_lowercase();
        let primary = lower.split(['-', '_']).next().unwrap_or("");
        match primary {
            "nb" | "no" | "nn" => Some(Language::Nb),
            "sv" => Some(Language::Sv),
            "da" => Some(Language::Da),
            "en" => Some(Language::En),
            _ => None,
        }
    }
}

impl Country {
    pub fn as_str(self) -> &'static str {
        match self {
            Country::No => "no",
            Country::Se => "se",
            Country::Dk => "dk",
        }
    }
    pub fn parse(s: &str) -> Option<Country> {
        match s.trim().to_ascii_lowercase().as_str() {
            "no" => Some(Country::No),
            "se" => Some(Country::Se),
            "dk" => Some(Country::Dk),
            _ => None,
        }
    }
    /// The language a new tenant of this country starts with.
    pub fn default_language(self) -> Language {
        match self {
            Country::No => Language::Nb,
            Country::Se => Language::Sv,
            Country::Dk => Language::Da,
        }
    }
    /// The IANA time zone a new tenant of this country starts with.
    pub fn default_time_zone(self) -> &'static str {
        match self {
            Country::No => "Europe/Oslo",
            Country::Se => "Europe/Stockholm",
            Country::Dk => "Europe/Copenhagen",
        }
    }
}

/// A tenant: one municipality. A hosted install holds many, a single install one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tenant {
    pub id: TenantId,
    /// Short URL-safe name, unique across the install (`[a-z0-9-]`, 2–63 chars).
    pub slug: String,
    pub name: String,
    /// The country preset the tenant's settings start from. The default language and the time zone
    /// are settings (`vakt_core::settings::Settings`), the one place they are kept.
    pub country: Country,
}

/// An org unit. Units form a tree per tenant; `parent == None` is a root.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgUnit {
    pub id: UnitId,
    pub tenant: TenantId,
    pub parent: Option<UnitId>,
    pub name: String,
    /// The unit's code, unique within the tenant; the people import refers to units by code.
    pub code: String,
    pub leader: Option<PersonId>,
}

/// What kind of person this is. Temps are consultants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PersonKind {
    Employee,
    /// Consultants and temporary staff.
    Consultant,
    ElectedOfficial,
    External,
}

impl PersonKind {
    pub const ALL: [PersonKind; 4] = [
        PersonKind::Employee,
        PersonKind::Consultant,
        PersonKind::ElectedOfficial,
        PersonKind::External,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            PersonKind::Employee => "employee",
            PersonKind::Consultant => "consultant",
            PersonKind::ElectedOfficial => "elected_official",
            PersonKind::External => "external",
        }
    }
    /// Parses the stored form and the import spellings (`temp` is a consultant).
    pub fn parse(s: &str) -> Option<PersonKind> {
        match s
            .trim()
            .to_ascii_lowercase()
            .replace(['-', ' '], "_")
            .as_str()
        {
            "employee" => Some(PersonKind::Employee),
            "consultant" | "temp" => Some(PersonKind::Consultant),
            "elected_official" | "elected" => Some(PersonKind::ElectedOfficial),
            "external" => Some(PersonKind::External),
            _ => None,
        }
    }
}

/// Employment state. Dates live on [`Employment`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EmploymentState {
    Active,
    OnLeave,
    Terminated,
}

impl EmploymentState {
    pub fn as_str(self) -> &'static str {
        match self {
            EmploymentState::Active => "active",
            EmploymentState::OnLeave => "on_leave",
            EmploymentState::Terminated => "terminated",
        }
    }
    pub fn parse(s: &str) -> Option<EmploymentState> {
        match s
            .trim()
            .to_ascii_lowercase()
            .replace(['-', ' '], "_")
            .as_str()
        {
            "active" => Some(EmploymentState::Active),
            "on_leave" | "leave" => Some(EmploymentState::OnLeave),
            "terminated" => Some(EmploymentState::Terminated),
            _ => None,
        }
    }
}

/// Employment state with its dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Employment {
    pub state: EmploymentState,
    pub start: Option<Date>,
    pub end: Option<Date>,
}

impl Employment {
    pub fn active() -> Self {
        Employment {
            state: EmploymentState::Active,
            start: None,
            end: None,
        }
    }
    /// Is the person employed (active or on leave, and not past the end date) on `day`?
    pub fn is_current(&self, day: Date) -> bool {
        self.state != EmploymentState::Terminated
            && self.start.is_none_or(|s| s <= day)
            && self.end.is_none_or(|e| day <= e)
    }
}

/// A person in the directory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    pub id: PersonId,
    pub tenant: TenantId,
    /// Unique within the tenant; the import key.
    pub employee_number: String,
    pub given_name: String,
    pub family_name: String,
    pub email: Option<String>,
    pub kind: PersonKind,
    pub unit: Option<UnitId>,
    pub manager: Option<PersonId>,
    pub employment: Employment,
    pub birth_date: Option<Date>,
    pub preferred_language: Option<Language>,
}

impl Person {
    pub fn display_name(&self) -> String {
        format!("{} {}", self.given_name, self.family_name)
    }
}

/// Lower-cases for the search columns the same way on every engine (Unicode-aware, done in Rust).
pub fn search_fold(s: &str) -> String {
    s.trim().to_lowercase()
}

/// The instant now, truncated to whole microseconds (the precision both database engines store).
pub fn now_utc_micros() -> OffsetDateTime {
    truncate_micros(OffsetDateTime::now_utc())
}

/// Truncates to whole microseconds and converts to UTC.
pub fn truncate_micros(t: OffsetDateTime) -> OffsetDateTime {
    let t = t.to_offset(time::UtcOffset::UTC);
    let nanos = t.nanosecond();
    t.replace_nanosecond(nanos - nanos % 1_000).unwrap_or(t)
}

/// Checks a tenant slug: 2–63 chars of `a-z`, `0-9`, `-`, not starting or ending with `-`.
pub fn valid_slug(slug: &str) -> bool {
    (2..=63).contains(&slug.len())
        && slug
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !slug.starts_with('-')
        && !slug.ends_with('-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_time_ordered_uuid_v7() {
        let a = PersonId::new();
        let b = PersonId::new();
        assert_eq!(a.0.get_version_num(), 7);
        assert!(a < b);
        assert_eq!(a.to_string().parse::<PersonId>().ok(), Some(a));
    }

    #[test]
    fn temps_are_consultants_and_kinds_round_trip() {
        assert_eq!(PersonKind::parse("Temp"), Some(PersonKind::Consultant));
        for k in PersonKind::ALL {
            assert_eq!(PersonKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(PersonKind::parse("robot"), None);
    }

    #[test]
    fn language_accepts_norwegian_variants_and_regions() {
        assert_eq!(Language::parse("no"), Some(Language::Nb));
        assert_eq!(Language::parse("sv-SE"), Some(Language::Sv));
        assert_eq!(Language::parse("fi"), None);
    }

    #[test]
    fn employment_is_current_between_its_dates_unless_terminated() {
        let d = |y, m, day| {
            Date::from_calendar_date(
                y,
                time::Month::try_from(m).unwrap_or(time::Month::January),
                day,
            )
            .ok()
        };
        let e = Employment {
            state: EmploymentState::OnLeave,
            start: d(2020, 1, 1),
            end: d(2025, 6, 30),
        };
        assert!(e.is_current(d(2024, 1, 1).unwrap_or(Date::MIN)));
        assert!(!e.is_current(d(2025, 7, 1).unwrap_or(Date::MIN)));
        let t = Employment {
            state: EmploymentState::Terminated,
            ..e
        };
        assert!(!t.is_current(d(2024, 1, 1).unwrap_or(Date::MIN)));
    }

    #[test]
    fn slugs_are_lowercase_ascii_with_inner_dashes() {
        assert!(valid_slug("oslo-kommune"));
        assert!(!valid_slug("Oslo"));
        assert!(!valid_slug("-x"));
        assert!(!valid_slug("ø"));
    }

    #[test]
    fn timestamps_are_truncated_to_microseconds_in_utc() {
        let t = truncate_micros(OffsetDateTime::now_utc());
        assert_eq!(t.nanosecond() % 1000, 0);
        assert_eq!(t.offset(), time::UtcOffset::UTC);
    }
}
