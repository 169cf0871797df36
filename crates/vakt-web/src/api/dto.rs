//! What the JSON API accepts and returns. These types are the API's contract: the OpenAPI document is
//! derived from them, and handlers convert domain types into them (never serialising domain types directly).

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use vakt_core::directory::{OrgUnit, Person, Tenant};
use vakt_core::settings::Settings;

/// A tenant (one municipality).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TenantDto {
    pub id: Uuid,
    /// Short URL-safe name.
    pub slug: String,
    pub name: String,
    /// `no`, `se` or `dk`.
    #[schema(example = "no")]
    pub country: String,
    /// `nb`, `sv`, `da` or `en`.
    pub default_language: String,
    /// IANA time zone, e.g. `Europe/Oslo`.
    pub time_zone: String,
}

impl TenantDto {
    /// The tenant with its default language and time zone from its settings.
    pub fn new(t: &Tenant, settings: &Settings) -> Self {
        TenantDto {
            id: t.id.as_uuid(),
            slug: t.slug.clone(),
            name: t.name.clone(),
            country: t.country.as_str().to_owned(),
            default_language: settings.default_language.as_str().to_owned(),
            time_zone: settings.time_zone.clone(),
        }
    }
}

/// An org unit.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct UnitDto {
    pub id: Uuid,
    /// The parent unit; `null` for a top-level unit.
    pub parent: Option<Uuid>,
    pub name: String,
    /// Unique within the tenant; the people import refers to units by code.
    pub code: String,
    /// The person who leads the unit.
    pub leader: Option<Uuid>,
}

impl From<&OrgUnit> for UnitDto {
    fn from(u: &OrgUnit) -> Self {
        UnitDto {
            id: u.id.as_uuid(),
            parent: u.parent.map(|p| p.as_uuid()),
            name: u.name.clone(),
            code: u.code.clone(),
            leader: u.leader.map(|p| p.as_uuid()),
        }
    }
}

/// A person in the directory.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PersonDto {
    pub id: Uuid,
    pub employee_number: String,
    pub given_name: String,
    pub family_name: String,
    pub email: Option<String>,
    /// `employee`, `consultant`, `elected_official` or `external`.
    pub kind: String,
    pub unit: Option<Uuid>,
    pub manager: Option<Uuid>,
    /// `active`, `on_leave` or `terminated`.
    pub state: String,
    /// `YYYY-MM-DD`.
    #[schema(format = Date)]
    pub start_date: Option<String>,
    /// `YYYY-MM-DD`.
    #[schema(format = Date)]
    pub end_date: Option<String>,
}

impl From<&Person> for PersonDto {
    fn from(p: &Person) -> Self {
        PersonDto {
            id: p.id.as_uuid(),
            employee_number: p.employee_number.clone(),
            given_name: p.given_name.clone(),
            family_name: p.family_name.clone(),
            email: p.email.clone(),
            kind: p.kind.as_str().to_owned(),
            unit: p.unit.map(|u| u.as_uuid()),
            manager: p.manager.map(|m| m.as_uuid()),
            state: p.employment.state.as_str().to_owned(),
            start_date: p.employment.start.map(iso_date),
            end_date: p.employment.end.map(iso_date),
        }
    }
}

/// `YYYY-MM-DD`.
pub fn iso_date(d: time::Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// One page of people.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PeoplePage {
    /// Whether more people match after this page.
    pub has_more: bool,
    pub offset: u64,
    pub limit: u64,
    /// When more follow: pass this as `after` to get the next page (keyset paging: as fast at any
    /// depth as the first page). `null` on the last page.
    pub next_after: Option<Uuid>,
    pub items: Vec<PersonDto>,
}

/// Search and paging for `GET /api/v1/people`.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PeopleQuery {
    /// Matches name, e-mail or employee number (case-insensitive, substring).
    pub q: Option<String>,
    /// Only people in this unit.
    pub unit: Option<Uuid>,
    /// Keyset paging: only people after this person in the result order — the `next_after` of the
    /// previous page. Prefer it to `offset` for deep pages. An unknown id is a 400.
    pub after: Option<Uuid>,
    /// Number of people to skip (default 0), counted after `after` when both are given.
    pub offset: Option<u64>,
    /// Page size, 1–500 (default 50).
    pub limit: Option<u64>,
}

/// Options of `POST /api/v1/people/import`.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// Import the good rows and skip the bad ones instead of importing nothing.
    pub skip_invalid: Option<bool>,
}

/// One bad row of an import.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ImportProblem {
    /// 1-based line number in the file (the header is line 1).
    pub line: u64,
    pub column: Option<String>,
    /// Stable reason code, e.g. `invalid_email`.
    pub code: String,
    /// The reason in the caller's language.
    pub message: String,
}

/// The outcome of an import.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ImportResult {
    pub created: u64,
    pub updated: u64,
    pub unchanged: u64,
    /// Rows skipped because they were invalid (only with `skip_invalid=true`).
    pub skipped: Vec<ImportProblem>,
}

/// The body of every error response.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

/// A stable code and a message in the caller's language.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable machine-readable code, e.g. `not_found`, `forbidden`, `import_invalid`.
    pub code: String,
    pub message: String,
    /// For `import_invalid`: every bad row.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<ImportProblem>,
}
