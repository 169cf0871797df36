//! Authorization: the one check every route goes through.
//!
//! A handler builds (once per request) a [`Principal`] for the signed-in account, names the
//! [`Action`] it is about to perform and the [`Resource`] it acts on, and calls [`authorize`].
//! Nothing else in Vakt decides who may do what.
//!
//! ```
//! use vakt_core::Role;
//! use vakt_core::authz::{authorize, Action, Denied, Principal, Resource};
//! use vakt_core::directory::{AccountId, PersonId, TenantId, UnitId};
//!
//! let tenant = TenantId::new();
//! let school = UnitId::new();
//! let sector = UnitId::new();
//! let leader = Principal::new(AccountId::new(), Some(PersonId::new()), tenant,
//!     [Role::Employee], [school], false);
//! assert!(leader.has_role(Role::Leader)); // implied by leading a unit
//!
//! // A leader may view the overview of a unit in their own subtree …
//! let in_school = Resource::in_unit(tenant, vec![sector, school]);
//! assert!(authorize(&leader, Action::ViewUnitOverview, &in_school).is_ok());
//! // … but not of the sector above it,
//! let in_sector = Resource::in_unit(tenant, vec![sector]);
//! assert_eq!(authorize(&leader, Action::ViewUnitOverview, &in_sector),
//!     Err(Denied::OutsideLedUnits));
//! // and nothing in another tenant.
//! let elsewhere = Resource::in_unit(TenantId::new(), vec![school]);
//! assert_eq!(authorize(&leader, Action::ViewUnitOverview, &elsewhere),
//!     Err(Denied::OtherTenant));
//! ```
//!
//! # The rules, in order
//!
//! 1. **Host actions** ([`Action::ViewTenants`], [`Action::ManageTenants`]) are allowed to a host
//!    admin only, and are the only actions that ignore the resource's tenant.
//! 2. **Tenant isolation**: for every other action, a resource of another tenant is denied
//!    ([`Denied::OtherTenant`]) whatever the principal's roles, host admin included.
//! 3. **Self-service** actions ([`Action::is_self_service`]: own page, own password, own TOTP,
//!    own tokens, own sessions) are allowed to every principal, on their own account only
//!    ([`Denied::NotOwner`] otherwise).
//! 4. **Auditors are read-only**: a principal whose roles are only `Auditor` (and the base
//!    `Employee`) is denied every mutating action ([`Action::is_mutating`]) other than
//!    self-service, with [`Denied::AuditorReadOnly`].
//! 5. Otherwise the **policy table** below decides: the action is allowed when one of the
//!    principal's roles grants it. A grant marked *subtree* applies only when the resource lies in
//!    a unit the principal leads or below it (`Resource::unit_path` contains a led unit);
//!    otherwise [`Denied::OutsideLedUnits`]. No grant at all gives [`Denied::MissingRole`].
//!
//! # The policy table
//!
//! `T` = anywhere in the own tenant, `S` = own unit subtree only, `·` = no grant.
//! Self-service and host actions follow rules 1 and 3 and are not in the table.
//!
//! | action                | employee | leader | sec. coord. | DPO | IT ops | auditor | tenant admin | host admin |
//! |-----------------------|:--------:|:------:|:-----------:|:---:|:------:|:-------:|:------------:|:----------:|
//! | `ViewDirectory`       | T | T | T | T | T | T | T | · |
//! | `ViewPersonDetails`   | · | S | T | T | T | T | T | · |
//! | `EditDirectory`       | · | · | · | · | · | · | T | · |
//! | `ImportPeople`        | · | · | · | · | · | · | T | · |
//! | `ViewUnitOverview`    | · | S | T | T | · | T | T | · |
//! | `ViewAudit`           | · | · | T | T | · | T | · | · |
//! | `ExportAudit`         | · | · | T | T | · | T | · | · |
//! | `ManageLegalHold`     | · | · | T | T | · | · | · | · |
//! | `ViewSettings`        | · | S | T | T | T | T | T | · |
//! | `EditSettings`        | · | · | T | · | · | · | T | · |
//! | `EditUnitSettings`    | · | S | T | · | · | · | T | · |
//! | `ViewAccounts`        | · | · | T | · | T | T | T | · |
//! | `ManageAccounts`      | · | · | · | · | · | · | T | · |
//! | `AssignRoles`         | · | · | · | · | · | · | T | · |
//! | `UnlockAccount`       | · | · | · | · | T | · | T | · |
//! | `ResetPassword`       | · | · | · | · | T | · | T | · |
//! | `ViewInstructions`    | T | T | T | T | T | T | T | · |
//! | `EditInstructions`    | · | · | T | T | · | · | · | · |
//! | `ReviewInstructions`  | T | T | T | T | T | · | T | · |
//! | `ViewGroups`          | · | T | T | T | T | T | T | · |
//! | `ManageGroups`        | · | · | T | · | · | · | T | · |
//! | `ViewCourses`         | T | T | T | T | T | T | T | · |
//! | `ManageCourses`       | · | · | T | · | · | · | T | · |
//! | `ImportCompletions`   | · | · | T | · | · | · | T | · |
//! | `RecordCompletion`    | · | S | T | · | · | · | T | · |
//! | `ViewTraining`        | · | S | T | T | · | T | T | · |
//!
//! `ReportOwnTraining` (report one's own completion with an evidence file) is self-service.
//! | `ReportDeviation`     | T | T | T | T | T | · | T | · |
//! | `ViewDeviations`      | · | S | T | T | · | T | · | · |
//! | `HandleDeviation`     | · | S | T | T | · | · | · | · |
//! | `ManageBreach`        | · | · | T | T | · | · | · | · |
//! | `ExportDeviationPersonalData` | · | · | T | T | · | · | · | · |
//! | `ViewBreachRegister`  | · | · | T | T | · | T | · | · |
//! | `ViewDeviationStats`  | · | · | T | T | · | T | · | · |
//! | `ConfigureDeviations` | · | · | T | · | · | · | T | · |
//!
//! An auditor reports deviations through the base `Employee` role. `ViewOwnDeviations` (own reports and measures) is self-service.
//!
//! The host admin is an operator of the installation, not of a municipality: inside a tenant it has
//! no data rights of its own (give the account `TenantAdmin` as well when it needs them).
//!
//! Later capabilities add variants to [`Action`] and rows to [`grant`]; the exhaustive `match`
//! there makes the compiler ask for a decision for every role.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::Role;
use crate::directory::{AccountId, PersonId, TenantId, UnitId};

/// Who is acting: one signed-in account, with everything authorization needs to know about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Principal {
    /// The account that signed in.
    pub account: AccountId,
    /// The person in the directory behind the account (a host admin may have none).
    pub person: Option<PersonId>,
    /// The tenant the account belongs to.
    pub tenant: TenantId,
    /// Stored roles, plus `Leader` when `led_units` is not empty, plus `HostAdmin` when
    /// `is_host_admin`. Built by [`Principal::new`]; do not fill by hand.
    pub roles: BTreeSet<Role>,
    /// The org units this person is the leader of (each unit's subtree is in scope).
    pub led_units: BTreeSet<UnitId>,
    /// An operator of the whole installation.
    pub is_host_admin: bool,
}

impl Principal {
    /// Build a principal from stored data. `stored_roles` may not grant `Leader` (it is never
    /// stored: it follows from `led_units`) nor `HostAdmin` (it follows from `is_host_admin`);
    /// both are normalised here.
    pub fn new(
        account: AccountId,
        person: Option<PersonId>,
        tenant: TenantId,
        stored_roles: impl IntoIterator<Item = Role>,
        led_units: impl IntoIterator<Item = UnitId>,
        is_host_admin: bool,
    ) -> Self {
        let led_units: BTreeSet<UnitId> = led_units.into_iter().collect();
        let mut roles: BTreeSet<Role> = stored_roles
            .into_iter()
            .filter(|r| !matches!(r, Role::Leader | Role::HostAdmin))
            .collect();
        if !led_units.is_empty() {
            roles.insert(Role::Leader);
        }
        if is_host_admin {
            roles.insert(Role::HostAdmin);
        }
        Self {
            account,
            person,
            tenant,
            roles,
            led_units,
            is_host_admin,
        }
    }

    /// Whether the principal holds `role` (explicitly or implied).
    pub fn has_role(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    /// True when every role held is `Auditor` or the base `Employee`, and `Auditor` is among them.
    pub fn is_auditor_only(&self) -> bool {
        self.has_role(Role::Auditor)
            && self
                .roles
                .iter()
                .all(|r| matches!(r, Role::Auditor | Role::Employee))
    }

    /// Convenience: `authorize(self, action, resource)`.
    pub fn may(&self, action: Action, resource: &Resource) -> Result<(), Denied> {
        authorize(self, action, resource)
    }
}

/// What the principal acts on: always a tenant; for unit-scoped objects the unit's place in the
/// tree; for self-service the account the object belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Resource {
    /// The tenant that owns the object.
    pub tenant: TenantId,
    /// The object's unit and all its ancestors (any order; `directory::path_to_root` gives
    /// exactly this), when the object belongs to a unit. Empty for tenant-wide objects
    /// (settings, audit log, the tenant itself).
    pub unit_path: Vec<UnitId>,
    /// The account the object belongs to, for self-service actions (own tokens, own TOTP …).
    pub owner_account: Option<AccountId>,
}

impl Resource {
    /// A tenant-wide object.
    pub fn tenant(tenant: TenantId) -> Self {
        Self {
            tenant,
            unit_path: Vec::new(),
            owner_account: None,
        }
    }

    /// An object that belongs to a unit; `unit_path` holds that unit and its ancestors.
    pub fn in_unit(tenant: TenantId, unit_path: Vec<UnitId>) -> Self {
        Self {
            tenant,
            unit_path,
            owner_account: None,
        }
    }

    /// An object that belongs to one account (for self-service actions).
    pub fn owned_by(tenant: TenantId, account: AccountId) -> Self {
        Self {
            tenant,
            unit_path: Vec::new(),
            owner_account: Some(account),
        }
    }

    /// The installation itself (for host actions); the tenant id is not consulted.
    pub fn host() -> Self {
        Self::tenant(TenantId(Uuid::nil()))
    }
}

macro_rules! actions {
    ($( $(#[$doc:meta])* $name:ident => $code:literal, mutating: $mutating:literal, self_service: $self:literal; )*) => {
        /// Every capability a route can exercise. Later capabilities add variants.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum Action {
            $( $(#[$doc])* $name, )*
        }

        impl Action {
            /// Every action, for tests that walk every route × role.
            pub const ALL: &'static [Action] = &[ $( Action::$name, )* ];

            /// A stable snake_case code (used in audit events, errors and logs).
            pub fn code(self) -> &'static str {
                match self { $( Action::$name => $code, )* }
            }

            /// Whether the action changes stored data (including the actor's own credentials).
            pub fn is_mutating(self) -> bool {
                match self { $( Action::$name => $mutating, )* }
            }

            /// Whether the action concerns only the actor's own account (rule 3).
            pub fn is_self_service(self) -> bool {
                match self { $( Action::$name => $self, )* }
            }
        }
    };
}

actions! {
    /// See "my page".
    ViewOwnPage => "view_own_page", mutating: false, self_service: true;
    /// Change one's own password.
    ChangeOwnPassword => "change_own_password", mutating: true, self_service: true;
    /// Enrol, replace or remove one's own TOTP and recovery codes.
    ManageOwnMfa => "manage_own_mfa", mutating: true, self_service: true;
    /// Create and revoke one's own personal API tokens.
    ManageOwnTokens => "manage_own_tokens", mutating: true, self_service: true;
    /// List and end one's own sessions (sign out).
    ManageOwnSessions => "manage_own_sessions", mutating: true, self_service: true;
    /// Change one's own preferences (language).
    EditOwnPreferences => "edit_own_preferences", mutating: true, self_service: true;
    /// Browse and search org units and people (names, units, e-mail).
    ViewDirectory => "view_directory", mutating: false, self_service: false;
    /// See a person's full record (employment state and dates, employee number, birth date).
    ViewPersonDetails => "view_person_details", mutating: false, self_service: false;
    /// Create and change org units and people.
    EditDirectory => "edit_directory", mutating: true, self_service: false;
    /// Import people from CSV.
    ImportPeople => "import_people", mutating: true, self_service: false;
    /// See a unit's compliance overview.
    ViewUnitOverview => "view_unit_overview", mutating: false, self_service: false;
    /// Read and search the audit log.
    ViewAudit => "view_audit", mutating: false, self_service: false;
    /// Export the audit log (CSV).
    ExportAudit => "export_audit", mutating: false, self_service: false;
    /// Place and lift legal holds on audit events.
    ManageLegalHold => "manage_legal_hold", mutating: true, self_service: false;
    /// Read the tenant's settings (policy).
    ViewSettings => "view_settings", mutating: false, self_service: false;
    /// Change the tenant's settings.
    EditSettings => "edit_settings", mutating: true, self_service: false;
    /// Set a unit's stricter overrides.
    EditUnitSettings => "edit_unit_settings", mutating: true, self_service: false;
    /// List accounts and their state (locked, MFA enrolled, roles).
    ViewAccounts => "view_accounts", mutating: false, self_service: false;
    /// Create, disable and enable accounts.
    ManageAccounts => "manage_accounts", mutating: true, self_service: false;
    /// Grant and revoke stored roles.
    AssignRoles => "assign_roles", mutating: true, self_service: false;
    /// Lift a lockout.
    UnlockAccount => "unlock_account", mutating: true, self_service: false;
    /// Set a one-time password for another account.
    ResetPassword => "reset_password", mutating: true, self_service: false;
    /// Read instructions in force and their revision tables.
    ViewInstructions => "view_instructions", mutating: false, self_service: false;
    /// Write instructions and their versions, run the workflow (review, publish, retire), attach files.
    EditInstructions => "edit_instructions", mutating: true, self_service: false;
    /// Take part in a hearing round (comment; approve when named approver, checked in `instructions`).
    ReviewInstructions => "review_instructions", mutating: true, self_service: false;
    /// Sign ("read and understood") an instruction that applies to oneself.
    SignInstructions => "sign_instructions", mutating: true, self_service: true;
    /// See named groups and their members.
    ViewGroups => "view_groups", mutating: false, self_service: false;
    /// Create and change named groups and their members.
    ManageGroups => "manage_groups", mutating: true, self_service: false;
    /// Report one's own course completion with an evidence file.
    ReportOwnTraining => "report_own_training", mutating: true, self_service: true;
    /// See the course catalogue.
    ViewCourses => "view_courses", mutating: false, self_service: false;
    /// Create and change courses and what groups and roles require.
    ManageCourses => "manage_courses", mutating: true, self_service: false;
    /// Import a learning platform's completion file.
    ImportCompletions => "import_completions", mutating: true, self_service: false;
    /// Record a completion for someone, or countersign a self-reported one.
    RecordCompletion => "record_completion", mutating: true, self_service: false;
    /// See people's course status, prerequisites and evidence.
    ViewTraining => "view_training", mutating: false, self_service: false;
    /// Report a deviation, security incident or breach (any signed-in person).
    ReportDeviation => "report_deviation", mutating: true, self_service: false;
    /// See the status of one's own reports and the measures one owns.
    ViewOwnDeviations => "view_own_deviations", mutating: false, self_service: true;
    /// See deviation cases (leaders: their units'; coordinators, DPO, auditors: all).
    ViewDeviations => "view_deviations", mutating: false, self_service: false;
    /// Handle a case: triage, assign, investigate, comment, measures, close, reopen.
    HandleDeviation => "handle_deviation", mutating: true, self_service: false;
    /// Flag breaches and significant incidents, decide and record reporting obligations.
    ManageBreach => "manage_breach", mutating: true, self_service: false;
    /// See the breach register (every breach, notified or not).
    ViewBreachRegister => "view_breach_register", mutating: false, self_service: false;
    /// See deviation statistics.
    ViewDeviationStats => "view_deviation_stats", mutating: false, self_service: false;
    /// Configure the deviation module (categories, anonymous reporting, regimes, deadlines).
    ConfigureDeviations => "configure_deviations", mutating: true, self_service: false;
    /// Include personal data (reporter identity, data subjects) in a case export.
    ExportDeviationPersonalData => "export_deviation_personal_data", mutating: false, self_service: false;
    /// List the tenants of the installation (host admin).
    ViewTenants => "view_tenants", mutating: false, self_service: false;
    /// Create, change and remove tenants (host admin).
    ManageTenants => "manage_tenants", mutating: true, self_service: false;
}

impl Action {
    /// Host actions are about the installation, not one tenant (rule 1).
    pub fn is_host_action(self) -> bool {
        matches!(self, Action::ViewTenants | Action::ManageTenants)
    }
}

/// How far a role's grant of an action reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Grant {
    /// Not granted.
    None,
    /// Granted for units the principal leads and everything below them.
    Subtree,
    /// Granted anywhere in the principal's tenant.
    Tenant,
}

/// The policy table (see the module docs): what `role` grants for `action`.
/// Self-service and host actions are decided by rules 1 and 3, not by this table.
pub fn grant(role: Role, action: Action) -> Grant {
    use Action as A;
    use Grant::{None as N, Subtree as S, Tenant as T};
    use Role as R;
    match action {
        A::ViewOwnPage
        | A::ChangeOwnPassword
        | A::ManageOwnMfa
        | A::ManageOwnTokens
        | A::ManageOwnSessions
        | A::EditOwnPreferences
        | A::SignInstructions
        | A::ReportOwnTraining
        | A::ViewOwnDeviations
        | A::ViewTenants
        | A::ManageTenants => N,
        A::ViewInstructions => match role {
            R::HostAdmin => N,
            _ => T,
        },
        A::EditInstructions => match role {
            R::SecurityCoordinator | R::Dpo => T,
            _ => N,
        },
        A::ReviewInstructions => match role {
            R::Auditor | R::HostAdmin => N,
            _ => T,
        },
        A::ViewGroups => match role {
            R::Employee | R::HostAdmin => N,
            _ => T,
        },
        A::ManageGroups => match role {
            R::SecurityCoordinator | R::TenantAdmin => T,
            _ => N,
        },
        A::ViewCourses => match role {
            R::HostAdmin => N,
            _ => T,
        },
        A::ManageCourses | A::ImportCompletions => match role {
            R::SecurityCoordinator | R::TenantAdmin => T,
            _ => N,
        },
        A::RecordCompletion => match role {
            R::Leader => S,
            R::SecurityCoordinator | R::TenantAdmin => T,
            _ => N,
        },
        A::ViewTraining => match role {
            R::Leader => S,
            R::SecurityCoordinator | R::Dpo | R::Auditor | R::TenantAdmin => T,
            R::Employee | R::ItOperations | R::HostAdmin => N,
        },
        A::ViewDirectory => match role {
            R::HostAdmin => N,
            _ => T,
        },
        A::ViewPersonDetails | A::ViewSettings => match role {
            R::Leader => S,
            R::SecurityCoordinator | R::Dpo | R::ItOperations | R::Auditor | R::TenantAdmin => T,
            R::Employee | R::HostAdmin => N,
        },
        A::EditDirectory | A::ImportPeople | A::ManageAccounts | A::AssignRoles => match role {
            R::TenantAdmin => T,
            _ => N,
        },
        A::ViewUnitOverview => match role {
            R::Leader => S,
            R::SecurityCoordinator | R::Dpo | R::Auditor | R::TenantAdmin => T,
            R::Employee | R::ItOperations | R::HostAdmin => N,
        },
        A::ViewAudit | A::ExportAudit => match role {
            R::SecurityCoordinator | R::Dpo | R::Auditor => T,
            _ => N,
        },
        A::ManageLegalHold => match role {
            R::SecurityCoordinator | R::Dpo => T,
            _ => N,
        },
        A::EditSettings => match role {
            R::SecurityCoordinator | R::TenantAdmin => T,
            _ => N,
        },
        A::EditUnitSettings => match role {
            R::Leader => S,
            R::SecurityCoordinator | R::TenantAdmin => T,
            _ => N,
        },
        A::ViewAccounts => match role {
            R::SecurityCoordinator | R::ItOperations | R::Auditor | R::TenantAdmin => T,
            _ => N,
        },
        A::ReportDeviation => match role {
            R::HostAdmin | R::Auditor => N,
            _ => T,
        },
        A::ViewDeviations => match role {
            R::Leader => S,
            R::SecurityCoordinator | R::Dpo | R::Auditor => T,
            _ => N,
        },
        A::HandleDeviation => match role {
            R::Leader => S,
            R::SecurityCoordinator | R::Dpo => T,
            _ => N,
        },
        A::ManageBreach | A::ExportDeviationPersonalData => match role {
            R::SecurityCoordinator | R::Dpo => T,
            _ => N,
        },
        A::ViewBreachRegister | A::ViewDeviationStats => match role {
            R::SecurityCoordinator | R::Dpo | R::Auditor => T,
            _ => N,
        },
        A::ConfigureDeviations => match role {
            R::SecurityCoordinator | R::TenantAdmin => T,
            _ => N,
        },
        A::UnlockAccount | A::ResetPassword => match role {
            R::ItOperations | R::TenantAdmin => T,
            _ => N,
        },
    }
}

/// Why an action was refused. `code()` is stable (JSON errors, audit events); the message is
/// [`Denied::fluent_key`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Denied {
    /// The object belongs to another tenant.
    #[error("the object belongs to another tenant")]
    OtherTenant,
    /// Host actions need a host admin.
    #[error("only a host admin may do this")]
    NotHostAdmin,
    /// Self-service on someone else's account.
    #[error("this belongs to another account")]
    NotOwner,
    /// The principal is an auditor and the action writes.
    #[error("auditors have read-only access")]
    AuditorReadOnly,
    /// The principal's only grant is for led units, and the object is outside them.
    #[error("the object is outside the units you lead")]
    OutsideLedUnits,
    /// No role of the principal grants the action.
    #[error("none of your roles allows this")]
    MissingRole,
}

impl Denied {
    /// The Fluent id of the message: `denied-` + the code with dashes (file `policy.ftl`).
    pub fn fluent_key(self) -> String {
        format!("denied-{}", self.code().replace('_', "-"))
    }

    /// A stable snake_case code.
    pub fn code(self) -> &'static str {
        match self {
            Denied::OtherTenant => "other_tenant",
            Denied::NotHostAdmin => "not_host_admin",
            Denied::NotOwner => "not_owner",
            Denied::AuditorReadOnly => "auditor_read_only",
            Denied::OutsideLedUnits => "outside_led_units",
            Denied::MissingRole => "missing_role",
        }
    }
}

/// The one authorization check. See the module docs for the rules and the policy table.
pub fn authorize(principal: &Principal, action: Action, resource: &Resource) -> Result<(), Denied> {
    // Rule 1: host actions.
    if action.is_host_action() {
        return if principal.is_host_admin {
            Ok(())
        } else {
            Err(Denied::NotHostAdmin)
        };
    }
    // Rule 2: tenant isolation.
    if resource.tenant != principal.tenant {
        return Err(Denied::OtherTenant);
    }
    // Rule 3: self-service on one's own account.
    if action.is_self_service() {
        return if resource.owner_account == Some(principal.account) {
            Ok(())
        } else {
            Err(Denied::NotOwner)
        };
    }
    // Rule 4: auditors are read-only.
    if action.is_mutating() && principal.is_auditor_only() {
        return Err(Denied::AuditorReadOnly);
    }
    // Rule 5: the policy table.
    let mut outside_subtree = false;
    for &role in &principal.roles {
        match grant(role, action) {
            Grant::Tenant => return Ok(()),
            Grant::Subtree => {
                if resource
                    .unit_path
                    .iter()
                    .any(|unit| principal.led_units.contains(unit))
                {
                    return Ok(());
                }
                outside_subtree = true;
            }
            Grant::None => {}
        }
    }
    Err(if outside_subtree {
        Denied::OutsideLedUnits
    } else {
        Denied::MissingRole
    })
}

#[cfg(test)]
mod tests;
