//! The page shell: [`Page`] carries everything the base layout (`templates/base.html`) needs, and the
//! helpers templates call (`page.t("key")`, `page.asset("vakt.css")`, `page.at(moment)` for a time in the
//! tenant's time zone).
//!
//! A page template extends the layout and holds a `page: Page` field:
//!
//! ```ignore
//! #[derive(askama::Template)]
//! #[template(path = "directory/people.html")]   // {% extends "base.html" %}{% block content %}…{% endblock %}
//! struct PeoplePage { page: Page, people: Vec<PersonRow> }
//!
//! async fn people(user: CurrentUser, State(st): State<AppState>) -> Result<Response, AppError> {
//!     let page = user.page(&st, "directory-people-title", "/directory/people");
//!     render(&PeoplePage { page, people })
//! }
//! ```

use askama::Template;
use axum::response::{Html, IntoResponse, Response};

use crate::{
    assets,
    error::AppError,
    i18n::{self, Arg, Lang},
    local_time::LocalTime,
};

/// One entry of the main navigation.
#[derive(Debug, Clone)]
pub struct NavItem {
    pub href: &'static str,
    /// Fluent key of the label.
    pub key: &'static str,
    pub current: bool,
}

/// What the layout needs for every page.
#[derive(Debug, Clone, Default)]
pub struct Page {
    pub lang: Lang,
    /// The `<title>` (already translated).
    pub title: String,
    /// The session's CSRF token (or the anonymous one), for hidden `csrf` fields and `hx-headers`.
    pub csrf: String,
    /// The signed-in person's display name; `None` on anonymous pages.
    pub user_name: Option<String>,
    pub tenant_name: Option<String>,
    /// Main navigation, already filtered by what the principal may do.
    pub nav: Vec<NavItem>,
    /// The current path (language switch returns here).
    pub path: String,
    /// A one-line status message shown above the content (already translated).
    pub notice: Option<String>,
    /// The tenant's time zone (UTC on anonymous pages): show every moment through it.
    pub time: LocalTime,
}

impl Page {
    /// An anonymous page (sign-in, errors before sign-in).
    pub fn anonymous(lang: Lang, csrf: String, title_key: &str, path: &str) -> Self {
        Page {
            lang,
            title: i18n::t(lang, title_key, &[]),
            csrf,
            path: safe_back_path(path).to_owned(),
            ..Page::default()
        }
    }

    /// The message `key` in this page's language.
    pub fn t(&self, key: &str) -> String {
        i18n::t(self.lang, key, &[])
    }

    /// The message `key` with arguments.
    pub fn ta(&self, key: &str, args: &[(&str, Arg)]) -> String {
        i18n::t(self.lang, key, args)
    }

    /// The message `key` with one text argument (convenient in templates).
    pub fn ta1(&self, key: &str, name: &str, value: &str) -> String {
        i18n::t(self.lang, key, &[(name, Arg::from(value))])
    }

    /// The message `key` with one number argument (plurals).
    pub fn tn(&self, key: &str, name: &str, value: impl std::borrow::Borrow<i64>) -> String {
        i18n::t(self.lang, key, &[(name, Arg::from(*value.borrow()))])
    }

    /// A stored moment in the tenant's time zone, to the minute (`2026-03-02 10:00 CET`); see
    /// [`crate::local_time`]. In templates: `{{ page.at(event.at) }}`.
    pub fn at(&self, t: impl std::borrow::Borrow<time::OffsetDateTime>) -> String {
        self.time.minute(*t.borrow())
    }

    /// URL of an embedded static file (with its cache-busting hash).
    pub fn asset(&self, name: &str) -> String {
        assets::asset_url(name)
    }

    /// The JSON for `<body hx-headers>`: htmx sends the CSRF token with every request it makes.
    pub fn hx_headers(&self) -> String {
        serde_json::json!({ "X-CSRF-Token": self.csrf }).to_string()
    }

    pub fn languages(&self) -> &'static [Lang] {
        &Lang::ALL
    }

    /// Sets the notice (builder style).
    pub fn with_notice(mut self, notice: Option<String>) -> Self {
        self.notice = notice;
        self
    }
}

/// A return path that is safe to redirect to: a local absolute path, never `//host` or a scheme.
pub fn safe_back_path(path: &str) -> &str {
    let ok = path.starts_with('/')
        && !path.starts_with("//")
        && !path.starts_with("/\\")
        && path.len() <= 2048
        && !path.chars().any(|c| c.is_control());
    if ok { path } else { "/" }
}

/// Renders a template to an HTML response; a template error becomes an internal error, never a panic.
pub fn render<T: Template>(tpl: &T) -> Result<Response, AppError> {
    match tpl.render() {
        Ok(html) => Ok(Html(html).into_response()),
        Err(e) => Err(AppError::internal(format!("template: {e}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn back_path_accepts_only_local_paths() {
        assert_eq!(safe_back_path("/me?x=1"), "/me?x=1");
        assert_eq!(safe_back_path("//evil.example/"), "/");
        assert_eq!(safe_back_path("/\\evil.example/"), "/");
        assert_eq!(safe_back_path("https://evil.example/"), "/");
        assert_eq!(safe_back_path("/a\r\nSet-Cookie: x=1"), "/");
        assert_eq!(safe_back_path(""), "/");
    }
}
