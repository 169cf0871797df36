//! The route table: every route with its method, path and what it requires. The route-by-role-by-tenant
//! test walks [`crate::route_table`]; handlers state the same `Action` in their `authorize` call.

use vakt_core::authz::Action;

/// What a route requires.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone (sign-in, static files, health).
    Public,
    /// A half-finished sign-in (password accepted, second factor pending).
    PendingSignIn,
    /// A signed-in principal allowed `Action` (tenant-wide unless the path names an object).
    Requires(Action),
}

/// One route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RouteInfo {
    pub method: &'static str,
    /// The axum path (`{id}` marks a parameter).
    pub path: &'static str,
    pub access: Access,
}

impl RouteInfo {
    pub const fn new(method: &'static str, path: &'static str, access: Access) -> Self {
        RouteInfo {
            method,
            path,
            access,
        }
    }
}

/// The routes of the sign-in, my page, account and shell modules.
pub fn own_routes() -> Vec<RouteInfo> {
    use Access::{PendingSignIn, Public, Requires};
    vec![
        RouteInfo::new("GET", "/healthz", Public),
        RouteInfo::new("GET", "/static/{name}", Public),
        RouteInfo::new("GET", "/", Public),
        RouteInfo::new("GET", "/login", Public),
        RouteInfo::new("POST", "/login", Public),
        RouteInfo::new("GET", "/login/totp", PendingSignIn),
        RouteInfo::new("POST", "/login/totp", PendingSignIn),
        RouteInfo::new("GET", "/login/enrol", PendingSignIn),
        RouteInfo::new("POST", "/login/enrol", PendingSignIn),
        RouteInfo::new("POST", "/logout", Requires(Action::ManageOwnSessions)),
        RouteInfo::new("POST", "/language", Public),
        RouteInfo::new("GET", "/me", Requires(Action::ViewOwnPage)),
        RouteInfo::new("GET", "/account", Requires(Action::ViewOwnPage)),
        RouteInfo::new(
            "POST",
            "/account/password",
            Requires(Action::ChangeOwnPassword),
        ),
        RouteInfo::new(
            "POST",
            "/account/language",
            Requires(Action::EditOwnPreferences),
        ),
        RouteInfo::new("GET", "/account/totp", Requires(Action::ManageOwnMfa)),
        RouteInfo::new("POST", "/account/totp", Requires(Action::ManageOwnMfa)),
        RouteInfo::new(
            "POST",
            "/account/recovery-codes",
            Requires(Action::ManageOwnMfa),
        ),
        RouteInfo::new("POST", "/account/tokens", Requires(Action::ManageOwnTokens)),
        RouteInfo::new(
            "POST",
            "/account/tokens/{id}/revoke",
            Requires(Action::ManageOwnTokens),
        ),
        RouteInfo::new("GET", "/api/v1/whoami", Requires(Action::ViewOwnPage)),
    ]
}
